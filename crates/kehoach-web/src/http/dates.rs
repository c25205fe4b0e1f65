//! Days as requests carry them: a page's dd/mm/yyyy (also 25.8.2026,
//! 25-08-2026) or the API's YYYY-MM-DD, and the day figures are read as of
//! when none is given.

use kehoach_core::{Day, ErrorCode, Plan};

use crate::http::errors::AppError;

/// Today clamped to the plan period: the board's default date.
pub fn default_as_of(plan: &Plan, today: Day) -> Day {
    today.max(plan.plan.period.start).min(plan.plan.period.end)
}

/// Reads a date as pages send it (dd/mm/yyyy) or as the API does (YYYY-MM-DD).
pub fn parse_as_of(plan: &Plan, today: Day, raw: Option<&str>) -> Result<Day, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default_as_of(plan, today)),
        Some(s) => Day::parse_any(s).ok_or_else(|| AppError::invalid(ErrorCode::AsOfInvalid, "as_of")),
    }
}

/// An optional day field of a form or query (`tu`, `den`, …): absent or
/// blank is None, anything else must be a day (`day_invalid` on `field`).
pub fn parse_day_field(raw: Option<&str>, field: &'static str) -> Result<Option<Day>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Day::parse_any(s)
            .map(Some)
            .ok_or_else(|| AppError::invalid(ErrorCode::DayInvalid, field)),
    }
}
