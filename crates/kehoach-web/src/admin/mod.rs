//! Administration of a commune's install: login and invites, units (villages,
//! schools, agencies) with their populations and classes, and user accounts.
//! `rules` holds the writes; `api` and the pages call them.

pub mod api;
pub mod login;
pub mod rules;
pub mod units;
pub mod users;
