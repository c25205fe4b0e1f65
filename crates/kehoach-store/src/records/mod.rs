//! What is recorded at the source: support turns, sessions with attendance
//! and photos, rosters, propaganda, volunteer teams and shifts, contest
//! entries and scores, reminders; and the audit log of every change.

pub mod activity;
pub mod audit;
pub mod contests;
pub mod propaganda;
pub mod reminders;
pub mod rosters;
pub mod turns;
pub mod volunteers;
