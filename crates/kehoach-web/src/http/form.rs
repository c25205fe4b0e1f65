//! Reading posted forms: the pairs of a urlencoded body, one field, a checkbox, a whole count.

use crate::http::errors::AppError;
use kehoach_core::ErrorCode;

/// Form fields, repeated keys kept (checkbox lists).
pub(crate) fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// A form field's value; None when absent or empty.
pub(crate) fn field(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty())
}

pub(crate) fn checkbox(v: &Option<String>) -> bool {
    matches!(v.as_deref(), Some("on" | "1" | "true"))
}

/// Parses a count typed with or without Vietnamese thousands dots.
pub(crate) fn parse_count(s: &str) -> Result<Option<i64>, AppError> {
    let t: String = s.trim().chars().filter(|c| *c != '.' && *c != ' ').collect();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<i64>()
        .map(Some)
        .map_err(|_| AppError::invalid(ErrorCode::NumberInvalid, "value"))
}
