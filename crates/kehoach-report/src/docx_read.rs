//! The text of a .docx a commune publishes its plan in: one line per
//! paragraph (table cells included, in order), tabs as spaces, and Word's
//! automatic numbering written out as it prints ("I.", "1.", "7.1.", "a)",
//! bullets as "-"), since plans number their sections, lines and duties
//! that way and the plan reader finds them by their numbers.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::AtomicBool;

use kehoach_core::text::xml_unescape as unescape;

use crate::xml::{attr, name, tags};
use crate::{ReportError, upload};

/// One level of a list: its first number, its format ("decimal",
/// "upperRoman", "bullet"…) and its text ("%1.", "%1.%2.").
#[derive(Debug, Clone)]
struct Level {
    start: u32,
    fmt: String,
    text: String,
}

impl Default for Level {
    fn default() -> Level {
        Level {
            start: 1,
            fmt: "decimal".into(),
            text: String::new(),
        }
    }
}

/// `numbering.xml` and the numbered paragraph styles of `styles.xml`.
#[derive(Debug, Default)]
struct Numbering {
    /// abstractNumId → its levels by `ilvl`.
    abstracts: HashMap<String, Vec<Level>>,
    /// numId → (abstractNumId, start overrides by `ilvl`).
    nums: HashMap<String, (String, Vec<(usize, u32)>)>,
    /// Paragraph style id → (numId, ilvl).
    styles: HashMap<String, (String, usize)>,
}

/// The level of `<w:lvl w:ilvl="1">` and `<w:lvlOverride w:ilvl="1">`.
fn level_index(tag: &str) -> Option<usize> {
    attr(tag, "w:ilvl")?.parse().ok().filter(|l| *l < 9)
}

/// The level of a paragraph's `<w:ilvl w:val="1"/>`.
fn level_value(tag: &str) -> Option<usize> {
    attr(tag, "w:val")?.parse().ok().filter(|l| *l < 9)
}

fn read_numbering(numbering: Option<&str>, styles: Option<&str>) -> Numbering {
    let mut n = Numbering::default();
    if let Some(xml) = numbering {
        let (mut abs, mut lvl, mut num, mut over): (Option<String>, Option<usize>, Option<String>, Option<usize>) =
            (None, None, None, None);
        for (tag, _) in tags(xml) {
            match name(tag) {
                "w:abstractNum" => abs = attr(tag, "w:abstractNumId").map(str::to_string),
                "/w:abstractNum" => (abs, lvl) = (None, None),
                "w:lvl" if abs.is_some() => {
                    lvl = level_index(tag);
                    if let (Some(a), Some(l)) = (&abs, lvl) {
                        let levels = n.abstracts.entry(a.clone()).or_default();
                        if levels.len() <= l {
                            levels.resize(l + 1, Level::default());
                        }
                    }
                }
                "/w:lvl" => lvl = None,
                "w:start" | "w:numFmt" | "w:lvlText" => {
                    if let (Some(a), Some(l), Some(v)) = (&abs, lvl, attr(tag, "w:val"))
                        && let Some(level) = n.abstracts.get_mut(a).and_then(|x| x.get_mut(l))
                    {
                        match name(tag) {
                            "w:start" => level.start = v.parse().unwrap_or(1),
                            "w:numFmt" => level.fmt = v.to_string(),
                            _ => level.text = unescape(v),
                        }
                    }
                }
                "w:num" => {
                    num = attr(tag, "w:numId").map(str::to_string);
                    if let Some(id) = &num {
                        n.nums.entry(id.clone()).or_default();
                    }
                }
                "/w:num" => (num, over) = (None, None),
                "w:abstractNumId" => {
                    if let (Some(id), Some(v)) = (&num, attr(tag, "w:val"))
                        && let Some(e) = n.nums.get_mut(id)
                    {
                        e.0 = v.to_string();
                    }
                }
                "w:lvlOverride" => over = level_index(tag),
                "w:startOverride" => {
                    if let (Some(id), Some(l), Some(v)) = (&num, over, attr(tag, "w:val").and_then(|v| v.parse().ok()))
                        && let Some(e) = n.nums.get_mut(id)
                    {
                        e.1.push((l, v));
                    }
                }
                _ => {}
            }
        }
    }
    if let Some(xml) = styles {
        let (mut style, mut num, mut lvl): (Option<String>, Option<String>, usize) = (None, None, 0);
        for (tag, _) in tags(xml) {
            match name(tag) {
                "w:style" => (style, num, lvl) = (attr(tag, "w:styleId").map(str::to_string), None, 0),
                "w:numId" => num = attr(tag, "w:val").map(str::to_string),
                "w:ilvl" => lvl = level_value(tag).unwrap_or(0),
                "/w:style" => {
                    if let (Some(s), Some(id)) = (style.take(), num.take()) {
                        n.styles.insert(s, (id, lvl));
                    }
                }
                _ => {}
            }
        }
    }
    n
}

fn roman(mut n: u32) -> String {
    const R: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut s = String::new();
    for (v, r) in R {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

/// 1 → "a", 26 → "z", 27 → "aa" (Word repeats the letter).
fn letter(n: u32) -> String {
    if n == 0 {
        return String::new();
    }
    let c = (b'a' + ((n - 1) % 26) as u8) as char;
    std::iter::repeat_n(c, ((n - 1) / 26 + 1) as usize).collect()
}

fn number_text(fmt: &str, n: u32) -> String {
    // Out-of-range numbers (a hostile file's start of 4 billion) print as digits.
    let fmt = if n > 3999 { "decimal" } else { fmt };
    match fmt {
        "upperRoman" => roman(n),
        "lowerRoman" => roman(n).to_lowercase(),
        "upperLetter" => letter(n).to_uppercase(),
        "lowerLetter" => letter(n),
        "decimalZero" => format!("{n:02}"),
        "none" => String::new(),
        _ => n.to_string(),
    }
}

/// The running counters of the lists, and the numbers they print.
#[derive(Default)]
struct Counters {
    /// abstractNumId → the current number of each level (None: not started).
    values: HashMap<String, [Option<u32>; 9]>,
    /// numIds whose start overrides were applied.
    begun: HashSet<String>,
}

impl Counters {
    /// The number a paragraph of list `num_id` at `ilvl` prints ("7.1."), or
    /// "-" for a bullet; None when it is not a list paragraph.
    fn next(&mut self, n: &Numbering, num_id: &str, ilvl: usize) -> Option<String> {
        let (abs, overrides) = n.nums.get(num_id)?;
        let levels = n.abstracts.get(abs)?;
        let level = levels.get(ilvl)?;
        if level.fmt == "bullet" {
            return Some("-".into());
        }
        // Lists of one abstract definition continue each other, unless a
        // list restarts a level ("startOverride").
        let values = self.values.entry(abs.clone()).or_insert([None; 9]);
        if self.begun.insert(num_id.to_string()) {
            for (l, start) in overrides {
                values[*l] = Some(start.saturating_sub(1));
                values[*l + 1..].iter_mut().for_each(|v| *v = None);
            }
        }
        let v = values[ilvl].map_or(level.start, |v| v.saturating_add(1));
        values[ilvl] = Some(v);
        values[ilvl + 1..].iter_mut().for_each(|x| *x = None);
        let mut text = level.text.clone();
        for k in (1..=9).rev() {
            let key = format!("%{k}");
            if text.contains(&key) {
                let lv = levels.get(k - 1).cloned().unwrap_or_default();
                let value = values[k - 1].unwrap_or(lv.start);
                text = text.replace(&key, &number_text(&lv.fmt, value));
            }
        }
        let text = text.trim().to_string();
        (!text.is_empty()).then_some(text)
    }
}

/// The text of a DOCX: one line per paragraph, list numbers written out.
/// The file is read under `upload::PLAN_DOCX` (a zip bomb or an XML entity
/// declaration is refused before any part is kept).
pub fn text(bytes: &[u8]) -> Result<String, ReportError> {
    text_with(bytes, &AtomicBool::new(false))
}

/// `text`, stopping when `cancel` is set (the request is gone).
pub fn text_with(bytes: &[u8], cancel: &AtomicBool) -> Result<String, ReportError> {
    let limits = &upload::PLAN_DOCX;
    upload::check_zip(bytes, limits, cancel)?;
    let part = |name: &str| upload::zip_part(bytes, name, limits);
    let xml =
        part("word/document.xml")?.ok_or_else(|| ReportError::Docx("word/document.xml: không có trong tệp".into()))?;
    let numbering = read_numbering(
        part("word/numbering.xml")?.as_deref(),
        part("word/styles.xml")?.as_deref(),
    );
    let mut counters = Counters::default();
    let mut out = String::new();
    // The paragraph being read: where its text starts, its style and list.
    let mut start = 0;
    let (mut style, mut num, mut ilvl): (Option<String>, Option<String>, Option<usize>) = (None, None, None);
    for (tag, after) in tags(&xml) {
        let tag_name = name(tag);
        match tag_name {
            "w:p" if !tag.ends_with('/') => {
                start = out.len();
                (style, num, ilvl) = (None, None, None);
            }
            "w:pStyle" => style = attr(tag, "w:val").map(str::to_string),
            "w:numId" => num = attr(tag, "w:val").map(str::to_string),
            "w:ilvl" => ilvl = level_value(tag),
            "w:t" if !tag.ends_with('/') => out.push_str(&unescape(after)),
            "w:tab" if tag.ends_with('/') => out.push(' '),
            "w:br" | "w:cr" => out.push('\n'),
            "/w:p" => {
                let list = match (&num, &style) {
                    (Some(id), _) => Some((id.clone(), ilvl.unwrap_or(0))),
                    (None, Some(s)) => numbering.styles.get(s).cloned().map(|(id, l)| (id, ilvl.unwrap_or(l))),
                    _ => None,
                };
                if let Some((id, l)) = list.filter(|(id, _)| id != "0")
                    && let Some(number) = counters.next(&numbering, &id, l)
                {
                    out.insert_str(start.min(out.len()), &format!("{number} "));
                }
                out.push('\n');
            }
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_names() {
        assert_eq!(name("/w:p"), "/w:p");
        assert_eq!(name("w:p w:rsidR=\"00A1\""), "w:p");
        assert_eq!(name("w:tab/"), "w:tab");
        assert_eq!(attr("w:lvl w:ilvl=\"2\"", "w:ilvl"), Some("2"));
    }

    fn docx(document: &str, numbering: &str, styles: &str) -> Vec<u8> {
        use std::io::Write as _;
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut z = zip::ZipWriter::new(&mut buf);
            let o = zip::write::SimpleFileOptions::default();
            for (name, xml) in [
                ("word/document.xml", document),
                ("word/numbering.xml", numbering),
                ("word/styles.xml", styles),
            ] {
                z.start_file(name, o).unwrap();
                z.write_all(xml.as_bytes()).unwrap();
            }
            z.finish().unwrap();
        }
        buf.into_inner()
    }

    fn p(num: Option<(u32, u32)>, style: Option<&str>, text: &str) -> String {
        let mut ppr = String::new();
        if let Some(s) = style {
            ppr.push_str(&format!("<w:pStyle w:val=\"{s}\"/>"));
        }
        if let Some((id, lvl)) = num {
            ppr.push_str(&format!(
                "<w:numPr><w:ilvl w:val=\"{lvl}\"/><w:numId w:val=\"{id}\"/></w:numPr>"
            ));
        }
        format!("<w:p><w:pPr>{ppr}</w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>")
    }

    #[test]
    fn lists_levels_restarts_bullets_and_numbered_styles() {
        let numbering = "<w:numbering>\
            <w:abstractNum w:abstractNumId=\"0\">\
              <w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"decimal\"/><w:lvlText w:val=\"%1.\"/></w:lvl>\
              <w:lvl w:ilvl=\"1\"><w:start w:val=\"1\"/><w:numFmt w:val=\"decimal\"/><w:lvlText w:val=\"%1.%2.\"/></w:lvl>\
              <w:lvl w:ilvl=\"2\"><w:start w:val=\"1\"/><w:numFmt w:val=\"lowerLetter\"/><w:lvlText w:val=\"%3)\"/></w:lvl>\
            </w:abstractNum>\
            <w:abstractNum w:abstractNumId=\"1\"><w:lvl w:ilvl=\"0\"><w:numFmt w:val=\"bullet\"/><w:lvlText w:val=\"•\"/></w:lvl></w:abstractNum>\
            <w:abstractNum w:abstractNumId=\"2\"><w:lvl w:ilvl=\"0\"><w:start w:val=\"1\"/><w:numFmt w:val=\"upperRoman\"/><w:lvlText w:val=\"%1.\"/></w:lvl></w:abstractNum>\
            <w:num w:numId=\"1\"><w:abstractNumId w:val=\"0\"/></w:num>\
            <w:num w:numId=\"2\"><w:abstractNumId w:val=\"1\"/></w:num>\
            <w:num w:numId=\"3\"><w:abstractNumId w:val=\"0\"/><w:lvlOverride w:ilvl=\"0\"><w:startOverride w:val=\"1\"/></w:lvlOverride></w:num>\
            <w:num w:numId=\"4\"><w:abstractNumId w:val=\"2\"/></w:num>\
            </w:numbering>";
        let styles = "<w:styles><w:style w:type=\"paragraph\" w:styleId=\"Muc\"><w:pPr><w:numPr><w:numId w:val=\"4\"/></w:numPr></w:pPr></w:style></w:styles>";
        let body: String = [
            p(None, Some("Muc"), "MỤC ĐÍCH"),
            p(Some((1, 0)), None, "Một"),
            p(Some((1, 0)), None, "Hai"),
            p(Some((1, 1)), None, "Hai chấm một"),
            p(Some((1, 2)), None, "ý a"),
            p(Some((1, 2)), None, "ý b"),
            p(Some((1, 1)), None, "Hai chấm hai"),
            p(Some((2, 0)), None, "gạch đầu dòng"),
            p(Some((1, 0)), None, "Ba"),
            p(None, Some("Muc"), "NỘI DUNG"),
            p(Some((3, 0)), None, "Lại một"),
            p(Some((0, 0)), Some("Muc"), "Không số"),
            p(None, None, "Thường"),
        ]
        .concat();
        let text = text(&docx(
            &format!("<w:document><w:body>{body}</w:body></w:document>"),
            numbering,
            styles,
        ))
        .unwrap();
        assert_eq!(
            text.lines().collect::<Vec<_>>(),
            [
                "I. MỤC ĐÍCH",
                "1. Một",
                "2. Hai",
                "2.1. Hai chấm một",
                "a) ý a",
                "b) ý b",
                "2.2. Hai chấm hai",
                "- gạch đầu dòng",
                "3. Ba",
                "II. NỘI DUNG",
                "1. Lại một",
                "Không số",
                "Thường",
            ]
        );
    }

    #[test]
    fn numbers_print_as_word_prints_them() {
        assert_eq!(roman(4), "IV");
        assert_eq!(roman(1994), "MCMXCIV");
        assert_eq!(letter(1), "a");
        assert_eq!(letter(28), "bb");
        assert_eq!(number_text("upperRoman", 6), "VI");
        assert_eq!(number_text("decimalZero", 2), "02");
        assert_eq!(number_text("lowerLetter", u32::MAX), u32::MAX.to_string());
    }
}
