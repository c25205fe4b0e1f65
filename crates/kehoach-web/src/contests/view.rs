//! What the contest pages share: how a score is written, form fields.

use kehoach_core::text::vn_num;

pub(crate) fn score_text(x: Option<f64>, decimals: usize) -> String {
    x.map(|v| vn_num(v, decimals)).unwrap_or_else(|| "—".into())
}

/// A form field's value, empty when absent.
pub(crate) fn field(pairs: &[(String, String)], name: &str) -> String {
    crate::http::form::field(pairs, name).unwrap_or_default()
}

pub(crate) fn lines(s: &str) -> Vec<String> {
    s.lines().map(str::to_string).collect()
}
