//! kehoach-core: the plan model, the plan-file format and its validation.
//!
//! Pure: no I/O, no clock, no database. Callers pass `today`/`as_of` in.

pub mod contest;
pub mod day;
pub mod engine;
pub mod error_code;
pub mod ical;
pub mod plan;
pub mod read;
pub mod records;
pub mod report;
pub mod rollup;
pub mod text;

pub use day::{Clock, Day};
pub use error_code::ErrorCode;
pub use plan::model::*;
pub use plan::validate::{PlanError, parse_plan};

/// The seed plan file of xã Vĩnh Thịnh, embedded as the default plan.
pub const SEED_PLAN_TOML: &str = include_str!("../../../plans/vinh-thinh-mua-he-so-2026.toml");

/// The embedded default plan, parsed.
pub fn seed_plan() -> Plan {
    match parse_plan(SEED_PLAN_TOML) {
        Ok(p) => p,
        // The seed is checked by tests; a broken seed is a build defect.
        Err(errors) => panic!("embedded seed plan is invalid: {errors:?}"),
    }
}
