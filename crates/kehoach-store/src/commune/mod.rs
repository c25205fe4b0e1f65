//! The communes of the server (`registry`) and each commune's own data, shared by its plans' records: units with their
//! populations and classes, and accounts with their login sessions and invites.

pub mod accounts;
pub mod registry;
pub mod units;
