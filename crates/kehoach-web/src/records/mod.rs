//! Recording at the source: support turns, sessions (buổi) with attendance
//! and photos, rosters, and each unit's history of changes. Each folder holds
//! its rules (`mod.rs`), its JSON doors (`api.rs`) and its pages.

pub mod history;
pub mod rosters;
pub mod sessions;
pub mod turns;
