//! Checks of records against the plan: which line, which service or kind,
//! and whether the day lies in the plan period and the line's window.
//! Pure; the store and the web layer call these before writing.

use crate::day::Day;
use crate::error_code::ErrorCode;
use crate::plan::model::{ActivityLine, Plan, SessionKind};

/// A refusal: a stable code and the field it is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Refusal {
    pub code: ErrorCode,
    pub field: &'static str,
}

const fn refuse(code: ErrorCode, field: &'static str) -> Refusal {
    Refusal { code, field }
}

/// The line support turns belong to by default: the first that lists services.
pub fn default_turn_line(plan: &Plan) -> Option<&ActivityLine> {
    plan.lines.iter().find(|l| !l.services.is_empty())
}

fn check_day(plan: &Plan, line: &ActivityLine, day: Day) -> Result<(), Refusal> {
    if !plan.plan.period.contains(day) {
        return Err(refuse(ErrorCode::DayOutsidePeriod, "day"));
    }
    if !line.window.contains(day) {
        return Err(refuse(ErrorCode::DayOutsideWindow, "day"));
    }
    Ok(())
}

/// Checks a support turn: its line offers services, the service is one of
/// them, and the day is inside the period and the line's window.
pub fn check_turn<'p>(
    plan: &'p Plan,
    line_id: Option<&str>,
    service: &str,
    day: Day,
) -> Result<&'p ActivityLine, Refusal> {
    let line = match line_id {
        Some(id) => plan.line(id).ok_or(refuse(ErrorCode::LineUnknown, "line_id"))?,
        None => default_turn_line(plan).ok_or(refuse(ErrorCode::LineUnknown, "line_id"))?,
    };
    if line.services.is_empty() {
        return Err(refuse(ErrorCode::LineHasNoServices, "line_id"));
    }
    if !line.services.iter().any(|s| s.id == service) {
        return Err(refuse(ErrorCode::ServiceUnknown, "service"));
    }
    check_day(plan, line, day)?;
    Ok(line)
}

/// Checks a session: the line exists and is not a mere heading, the kind is
/// one the line holds (any kind when the line names none), and the day fits.
pub fn check_session<'p>(
    plan: &'p Plan,
    line_id: &str,
    kind: SessionKind,
    day: Day,
) -> Result<&'p ActivityLine, Refusal> {
    let line = plan.line(line_id).ok_or(refuse(ErrorCode::LineUnknown, "line_id"))?;
    if plan.lines.iter().any(|l| l.parent.as_deref() == Some(line_id)) {
        return Err(refuse(ErrorCode::LineIsAHeading, "line_id"));
    }
    if !line.session_kinds.is_empty() && !line.session_kinds.contains(&kind) {
        return Err(refuse(ErrorCode::KindNotInLine, "kind"));
    }
    check_day(plan, line, day)?;
    Ok(line)
}

/// A session's statuses as stored, with their Vietnamese labels.
pub const SESSION_STATUSES: [(&str, &str); 3] =
    [("planned", "Dự kiến"), ("held", "Đã tổ chức"), ("cancelled", "Đã hủy")];

/// The Vietnamese label of a stored session status ("" if unknown).
pub fn session_status_label(s: &str) -> &'static str {
    SESSION_STATUSES
        .iter()
        .find(|(k, _)| *k == s)
        .map(|(_, l)| *l)
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed_plan;

    fn d(m: u8, dd: u8) -> Day {
        Day::from_ymd(2026, m, dd).unwrap()
    }

    #[test]
    fn turns_follow_line_three() {
        let p = seed_plan();
        assert_eq!(check_turn(&p, None, "asxh-vneid", d(7, 15)).unwrap().id, "l3-support");
        assert_eq!(
            check_turn(&p, None, "cat-toc", d(7, 15)).unwrap_err().code.as_str(),
            "service_unknown"
        );
        // Line 3 opens on 10/6, inside the plan period.
        assert_eq!(
            check_turn(&p, None, "zalo", d(6, 5)).unwrap_err().code.as_str(),
            "service_unknown"
        );
        assert_eq!(
            check_turn(&p, None, "asxh-vneid", d(6, 5)).unwrap_err().code.as_str(),
            "day_outside_window"
        );
        assert_eq!(
            check_turn(&p, None, "asxh-vneid", Day::from_ymd(2026, 9, 1).unwrap())
                .unwrap_err()
                .code
                .as_str(),
            "day_outside_period"
        );
        assert_eq!(
            check_turn(&p, Some("l1-launch"), "asxh-vneid", d(6, 10))
                .unwrap_err()
                .code
                .as_str(),
            "line_has_no_services"
        );
    }

    #[test]
    fn sessions_follow_their_line() {
        let p = seed_plan();
        assert!(check_session(&p, "l4-binh-dan-hoc-vu-so", SessionKind::Guidance, d(7, 2)).is_ok());
        assert_eq!(
            check_session(&p, "l4-binh-dan-hoc-vu-so", SessionKind::Guidance, d(8, 2))
                .unwrap_err()
                .code
                .as_str(),
            "day_outside_window"
        );
        assert_eq!(
            check_session(&p, "l4-binh-dan-hoc-vu-so", SessionKind::Training, d(7, 2))
                .unwrap_err()
                .code
                .as_str(),
            "kind_not_in_line"
        );
        assert_eq!(
            check_session(&p, "l7-contests", SessionKind::Contest, d(8, 2))
                .unwrap_err()
                .code
                .as_str(),
            "line_is_a_heading"
        );
        assert_eq!(
            check_session(&p, "l9", SessionKind::Contest, d(8, 2))
                .unwrap_err()
                .code
                .as_str(),
            "line_unknown"
        );
    }
}
