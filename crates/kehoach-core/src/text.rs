//! Text helpers shared by every layer: NFC, search keys, Vietnamese numbers.

use unicode_normalization::UnicodeNormalization;

/// NFC-normalises and trims; every text input passes through here. Control
/// characters other than tabs and line breaks are dropped (U+001E, U+001F…
/// could split a packed export row; NUL breaks other tools).
pub fn clean(s: &str) -> String {
    s.nfc()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect::<String>()
        .trim()
        .to_string()
}

/// NFC, control characters but line breaks dropped (tabs become spaces), each line's end trimmed, runs of blank lines cut to one, trimmed:
/// for multi-line text (messages, notes).
pub fn clean_multiline(s: &str) -> String {
    let nfc: String = s
        .nfc()
        .map(|c| if c == '\t' { ' ' } else { c })
        .filter(|c| !c.is_control() || *c == '\n')
        .collect();
    let mut out: Vec<&str> = Vec::new();
    for line in nfc.lines().map(str::trim_end) {
        if line.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n").trim().to_string()
}

/// A moment (unix seconds) as "dd/mm/yyyy hh:mm" in Vietnam time (UTC+7
/// all year); empty if out of range.
pub fn vn_datetime(unix: i64) -> String {
    crate::day::vn_time(unix)
        .map(|t| {
            format!(
                "{:02}/{:02}/{} {:02}:{:02}",
                t.day(),
                u8::from(t.month()),
                t.year(),
                t.hour(),
                t.minute()
            )
        })
        .unwrap_or_default()
}

/// A diacritic- and case-insensitive key: "Nguyễn Văn Ánh" → "nguyen van anh".
/// Stored beside names so that both SQLite and PostgreSQL search it with LIKE.
pub fn fold_key(s: &str) -> String {
    let ascii = deunicode::deunicode(&clean(s)).to_lowercase();
    ascii.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Formats an integer with Vietnamese thousands separators: 12345 → "12.345".
pub fn vn_int(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// Formats a number with Vietnamese separators and up to `decimals` decimals,
/// dropping a zero fraction: 1234.5 → "1.234,5", 80.0 → "80".
pub fn vn_num(x: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let frac = frac.trim_end_matches('0');
    let int: i64 = int.parse().unwrap_or(0);
    let sign = if x < 0.0 && (int != 0 || !frac.is_empty()) {
        "-"
    } else {
        ""
    };
    if frac.is_empty() {
        format!("{sign}{}", vn_int(int))
    } else {
        format!("{sign}{},{frac}", vn_int(int))
    }
}

/// Escapes text for XML and HTML (SVG labels, attribute values).
pub fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Reads back what `xml_escape` (and XML writers) escape: the five named
/// entities. "&amp;" last, so "&amp;lt;" stays "&lt;".
pub fn xml_unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The text with its first letter in upper case: "lớp tập huấn" → "Lớp tập huấn".
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// At most `max` characters, with "…" when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let t: String = s.chars().take(max - 1).collect();
        format!("{t}…")
    }
}

/// A stable ASCII id: lower-case letters, digits and single dashes.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_never_reach_stored_text() {
        // U+001E/U+001F are the packed export's separators: a name holding
        // them could forge a row.
        assert_eq!(clean(" Nguyễn\u{1e}Văn\u{1f}A\u{0} "), "NguyễnVănA");
        assert_eq!(clean("Lê Thị\u{7f}\u{85} B\n"), "Lê Thị B");
        assert_eq!(clean_multiline("dòng 1\u{1e}\r\ndòng\t2"), "dòng 1\ndòng 2");
    }

    #[test]
    fn vietnamese_number_format() {
        assert_eq!(vn_int(0), "0");
        assert_eq!(vn_int(999), "999");
        assert_eq!(vn_int(1000), "1.000");
        assert_eq!(vn_int(26382), "26.382");
        assert_eq!(vn_int(-1234567), "-1.234.567");
        assert_eq!(vn_num(1234.5, 1), "1.234,5");
        assert_eq!(vn_num(80.0, 1), "80");
        assert_eq!(vn_num(66.666, 1), "66,7");
    }

    #[test]
    fn fold_key_ignores_diacritics_and_case() {
        assert_eq!(fold_key("Nguyễn Văn Ánh"), "nguyen van anh");
        assert_eq!(fold_key("  ĐẶNG   văn Ứng "), "dang van ung");
        // Decomposed input folds the same as composed input.
        assert_eq!(fold_key("Vi\u{0303}nh Thi\u{0323}nh"), "vinh thinh");
    }

    #[test]
    fn capitalize_and_unescape() {
        assert_eq!(capitalize("ủy ban"), "Ủy ban");
        assert_eq!(capitalize(""), "");
        assert_eq!(xml_unescape("a &lt;b&gt; &amp;lt; &quot;c&quot;"), "a <b> &lt; \"c\"");
    }

    #[test]
    fn slugs() {
        assert!(is_slug("l6-smart-classroom"));
        assert!(!is_slug("L6"));
        assert!(!is_slug("a--b"));
        assert!(!is_slug(""));
    }
}
