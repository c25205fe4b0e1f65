//! Reading a published kế hoạch: Vietnamese plan text in, a draft out.
//!
//! Deterministic and offline: the text is NFC-normalised, split into lines,
//! and read the way these documents are written — a header (often a
//! flattened two-column table), "KẾ HOẠCH" and the title, Roman-numbered
//! sections, numbered activity lines with their "Thời gian", "Đơn vị chủ
//! trì", "Đơn vị phối hợp", "Nội dung" fields, targets with their
//! thresholds, budget sources and each unit's duties. Every field keeps the
//! lines it came from, for the review page. Nothing is invented: a field
//! the text does not give stays empty (null in JSON).

use serde::Serialize;
use unicode_normalization::UnicodeNormalization;

use crate::Day;
use crate::text::fold_key;

/// Lines `from..=to` of the source (1-based) behind a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
pub struct Lines {
    pub from: usize,
    pub to: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Period {
    pub from: Option<String>,
    pub to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct ActivityDraft {
    pub number: String,
    pub name: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub lead: Option<String>,
    pub partners: Vec<String>,
    pub items: Vec<String>,
    #[serde(skip)]
    pub lines: Lines,
    /// The texts as written, for the plan file (not in the interchange JSON).
    #[serde(skip)]
    pub written: WrittenLine,
}

/// An activity's fields exactly as written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WrittenLine {
    pub title: String,
    pub time: Option<String>,
    pub lead: Option<String>,
    pub partners: Option<String>,
    pub location: Option<String>,
    pub requirements: Vec<String>,
    pub targets: Vec<String>,
    /// "Hình thức" items (channels, ways).
    pub forms: Vec<String>,
    /// Dated steps written under "Thời gian:" ("Phát động: ngày 01/8/2026.").
    pub steps: Vec<String>,
}

/// Sections I and II, the opening, the budget, as written.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct WrittenHeader {
    pub preamble: Option<String>,
    pub theme: Option<String>,
    pub period: Option<String>,
    pub purposes: Vec<String>,
    pub requirements: Vec<String>,
    pub target_groups: Vec<String>,
    pub budget: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct TargetDraft {
    pub text: String,
    /// `coverage_percent`, `count`, `min_per_unit` or `rate_per_period`.
    pub kind: Option<&'static str>,
    pub threshold: Option<f64>,
    /// `>=` or `>`.
    pub comparator: Option<&'static str>,
    pub unit_or_population: Option<String>,
    pub measure: Option<String>,
    #[serde(skip)]
    pub lines: Lines,
}

#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct DutyDraft {
    pub unit: String,
    pub duties: Vec<String>,
    /// The heading as written ("Đề nghị Ủy ban Mặt trận …").
    #[serde(skip)]
    pub heading: String,
    #[serde(skip)]
    pub lines: Lines,
}

/// A draft plan in the interchange shape (`kehoach plan import --json`).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Draft {
    pub title: Option<String>,
    pub issuer: Option<String>,
    pub period: Period,
    pub activities: Vec<ActivityDraft>,
    pub targets: Vec<TargetDraft>,
    pub budget_sources: Vec<String>,
    pub responsibilities: Vec<DutyDraft>,
    #[serde(skip)]
    pub written: WrittenHeader,
}

/// Why a text is not read as a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    Empty,
    /// Control characters or replacement characters: not text.
    Binary,
    /// No "KẾ HOẠCH" and no activity section: not a plan.
    NotAPlan,
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ImportError::Empty => "tệp không có nội dung",
            ImportError::Binary => "tệp không phải văn bản (có ký tự nhị phân)",
            ImportError::NotAPlan => {
                "văn bản không phải một kế hoạch: không thấy chữ “KẾ HOẠCH” hay phần nội dung các hoạt động"
            }
        })
    }
}

/// Whitespace collapsed, typographic quotes kept.
fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A line without its bullet marks ("-", "+", "- +", "–", "•", "*").
fn unbullet(s: &str) -> (bool, &str) {
    let mut t = s.trim();
    let mut bullet = false;
    loop {
        let next = t
            .strip_prefix("- ")
            .or_else(|| t.strip_prefix("+ "))
            .or_else(|| t.strip_prefix("– "))
            .or_else(|| t.strip_prefix("• "))
            .or_else(|| t.strip_prefix("* "))
            .or_else(|| t.strip_prefix('-').filter(|r| r.starts_with('+')))
            .or_else(|| t.strip_prefix('•'));
        match next {
            Some(r) => {
                bullet = true;
                t = r.trim_start();
            }
            None => break,
        }
    }
    (bullet, t)
}

const ROMAN: [&str; 12] = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII"];

/// "III. NỘI DUNG…" → ("III", "NỘI DUNG…").
fn roman_heading(s: &str) -> Option<(&str, &str)> {
    let t = s.trim();
    let end = t.find(['.', ' ', '/'])?;
    let (num, rest) = t.split_at(end);
    if !ROMAN.contains(&num) {
        return None;
    }
    let rest = rest.trim_start_matches(['.', '/', ' ']).trim();
    // A section title is in capitals (or nearly: "PHẤN ĐÁU").
    let letters: Vec<char> = rest.chars().filter(|c| c.is_alphabetic()).collect();
    let upper = letters.iter().filter(|c| c.is_uppercase()).count();
    (!letters.is_empty() && upper * 10 >= letters.len() * 8).then_some((num, rest))
}

/// "7.1. Cuộc thi…" → ("7.1", "Cuộc thi…"); "a) …" → ("a", "…").
fn numbered(s: &str) -> Option<(String, &str)> {
    let t = s.trim();
    let mut end = 0;
    for (i, c) in t.char_indices() {
        if c.is_ascii_digit() || (c == '.' && i > 0) {
            end = i + c.len_utf8();
        } else {
            break;
        }
    }
    if end == 0 {
        return None;
    }
    let num = t[..end].trim_end_matches('.');
    let rest = t[end..].trim_start_matches([')', ' ']);
    if num.is_empty() || rest.is_empty() || !rest.starts_with(|c: char| c.is_alphabetic() || c == '“' || c == '"') {
        return None;
    }
    // Dates are not numbers of lines ("01/6/2026" starts with digits but has '/').
    if t[..end].contains('/') {
        return None;
    }
    Some((num.to_string(), rest))
}

/// The label of a field line ("- Thời gian: …" → ("thoi gian", "…")).
fn field(s: &str) -> Option<(String, String)> {
    let (_, t) = unbullet(s);
    let colon = t.find(':')?;
    let label = fold_key(&t[..colon]);
    const FIELDS: [&str; 9] = [
        "thoi gian",
        "dia diem",
        "don vi chu tri",
        "don vi phoi hop",
        "noi dung",
        "hinh thuc",
        "yeu cau",
        "chi tieu",
        "thanh phan",
    ];
    let key = FIELDS.iter().find(|f| label.starts_with(*f))?;
    Some((key.to_string(), norm(&t[colon + 1..])))
}

// ---------------------------------------------------------------- dates

/// A date as written: day (0 when only a month is given), month, year.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Written {
    day: u8,
    month: u8,
    year: Option<i32>,
    /// Preceded by "trước ngày": the day before counts.
    before: bool,
    at: usize,
}

/// Dates in a folded text: "dd/mm[/yyyy]" and "thang m[/yyyy]".
fn written_dates(f: &str) -> Vec<Written> {
    let b = f.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let num = |i: usize| -> (Option<u32>, usize) {
        let mut j = i;
        while j < b.len() && b[j].is_ascii_digit() && j - i < 4 {
            j += 1;
        }
        (std::str::from_utf8(&b[i..j]).ok().and_then(|s| s.parse().ok()), j)
    };
    while i < b.len() {
        if b[i].is_ascii_digit() && (i == 0 || !b[i - 1].is_ascii_digit()) {
            let (d, j) = num(i);
            if j < b.len() && b[j] == b'/' && !f[..i].ends_with("thang ") {
                let (m, k) = num(j + 1);
                let (y, l) = if k < b.len() && b[k] == b'/' {
                    num(k + 1)
                } else {
                    (None, k)
                };
                let before = f[..i].trim_end().ends_with("truoc ngay");
                if let (Some(d), Some(m)) = (d, m)
                    && (1..=31).contains(&d)
                    && (1..=12).contains(&m)
                {
                    out.push(Written {
                        day: d as u8,
                        month: m as u8,
                        year: y.filter(|y| *y >= 1900).map(|y| y as i32),
                        before,
                        at: i,
                    });
                }
                i = l.max(i + 1);
                continue;
            }
            if f[..i].ends_with("thang ") {
                let (m, k) = num(i);
                let (y, l) = if k < b.len() && b[k] == b'/' {
                    num(k + 1)
                } else {
                    (None, k)
                };
                if let Some(m) = m.filter(|m| (1..=12).contains(m)) {
                    out.push(Written {
                        day: 0,
                        month: m as u8,
                        year: y.filter(|y| *y >= 1900).map(|y| y as i32),
                        before: false,
                        at: i,
                    });
                }
                i = l.max(i + 1);
                continue;
            }
            i = j.max(i + 1);
            continue;
        }
        i += 1;
    }
    out
}

fn last_day(year: i32, month: u8) -> Option<Day> {
    (28..=31).rev().find_map(|d| Day::from_ymd(year, month, d))
}

/// The span a time text gives ("Từ ngày 01/6 đến ngày 31/8/2026",
/// "Tháng 7 và tháng 8/2026", "trước ngày 20/8/2026", "hè năm 2021"), a
/// missing year taken from the next date that has one, else `year`.
pub fn span(text: &str, year: Option<i32>) -> (Option<Day>, Option<Day>) {
    let f = fold_key(text);
    let mut dates = written_dates(&f);
    // A year carries backwards: "01/6 đến 31/8/2026".
    let mut carry = None;
    for d in dates.iter_mut().rev() {
        match d.year {
            Some(y) => carry = Some(y),
            None => d.year = carry,
        }
    }
    for d in dates.iter_mut() {
        if d.year.is_none() {
            d.year = year;
        }
    }
    // (first day, last day, only an end: "trước ngày X").
    let mut days: Vec<(Day, Day, bool)> = Vec::new();
    for d in &dates {
        let Some(y) = d.year else { continue };
        if d.day == 0 {
            if let (Some(a), Some(b)) = (Day::from_ymd(y, d.month, 1), last_day(y, d.month)) {
                days.push((a, b, false));
            }
        } else if let Some(x) = Day::from_ymd(y, d.month, d.day) {
            let x = if d.before { x.plus(-1) } else { x };
            days.push((x, x, d.before));
        }
    }
    if days.is_empty() {
        // "hè năm 2021": the summer months.
        if let Some(i) = f.find("he nam ") {
            let y: Option<i32> = f[i + 7..]
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|s| s.parse().ok());
            if let Some(y) = y.filter(|y| *y >= 1900) {
                return (Day::from_ymd(y, 6, 1), Day::from_ymd(y, 8, 31));
            }
        }
        return (None, None);
    }
    // "trước ngày X" ends a span; it starts one only with other dates.
    let from = days.iter().filter(|d| !d.2).map(|d| d.0).min();
    let to = days.iter().map(|d| d.1).max();
    (from, to)
}

// ---------------------------------------------------------------- targets

/// Words that end a population ("thôn" in "100% thôn tổ chức …"): verbs
/// and the comparators that come before a number.
const VERBS: [&str; 18] = [
    "to chuc",
    "tham gia",
    "duoc",
    "co",
    "ho tro",
    "thuc hien",
    "hoan thanh",
    "su dung",
    "tiep can",
    "dat",
    "cai dat",
    "kich hoat",
    "biet",
    "hieu",
    "mo",
    "it nhat",
    "toi thieu",
    "tren",
];

/// The words of `s` up to the first verb (original spelling), and the rest.
fn noun_phrase(s: &str) -> (String, String) {
    let words: Vec<&str> = s.split_whitespace().collect();
    for i in 1..words.len() {
        let rest = fold_key(&words[i..].join(" "));
        let rest = rest.trim_end_matches(['.', ';', ',', ':']);
        if VERBS.iter().any(|v| rest == *v || rest.starts_with(&format!("{v} "))) {
            return (words[..i].join(" "), words[i..].join(" "));
        }
    }
    (words.join(" "), String::new())
}

fn clean_measure(s: &str) -> Option<String> {
    let t = norm(s.trim_end_matches(['.', ';', ',', ':']));
    (!t.is_empty()).then_some(t)
}

/// One threshold clause → a target; None when it has no number.
pub fn target(clause: &str) -> Option<TargetDraft> {
    let text = norm(clause.trim_end_matches([';', ',']));
    let words: Vec<&str> = text.split_whitespace().collect();
    // The first word that starts with a figure and is not a date ("01/6").
    let pos = words
        .iter()
        .position(|w| w.starts_with(|c: char| c.is_ascii_digit()) && !w.contains('/'))?;
    let w = words[pos];
    let digits: String = w
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',' || *c == '.')
        .collect();
    let threshold: f64 = digits.trim_end_matches(['.', ',']).replace(',', ".").parse().ok()?;
    let before = fold_key(&words[..pos].join(" "));
    let comparator = if ["tren", "hon", "vuot", "nhieu hon"].iter().any(|k| before.ends_with(k)) {
        ">"
    } else {
        ">="
    };
    let percent = w.ends_with('%') || words.get(pos + 1).is_some_and(|n| *n == "%");
    let after_from = if words.get(pos + 1).is_some_and(|n| *n == "%") {
        pos + 2
    } else {
        pos + 1
    };
    let after = words[after_from.min(words.len())..].join(" ");
    let mut t = TargetDraft {
        text: text.clone(),
        threshold: Some(threshold),
        comparator: Some(comparator),
        ..Default::default()
    };
    if percent {
        let (population, rest) = noun_phrase(&after);
        t.kind = Some("coverage_percent");
        t.unit_or_population = clean_measure(&population);
        t.measure = clean_measure(&rest);
    } else if let Some(i) = before.find("moi ") {
        // "Mỗi thôn hỗ trợ tối thiểu 200 lượt …".
        let head = &words[..pos];
        let start = before[..i].split_whitespace().count() + 1;
        let (unit, _) = noun_phrase(&head[start.min(head.len())..].join(" "));
        t.kind = Some("min_per_unit");
        t.unit_or_population = clean_measure(&unit);
        t.measure = clean_measure(&after);
    } else if let Some((per, unit)) = words.get(after_from).and_then(|n| n.split_once('/')) {
        // "01 tuần/lớp": a rate per unit and period.
        t.kind = Some("rate_per_period");
        t.unit_or_population = clean_measure(unit);
        t.measure = clean_measure(per);
    } else {
        let unit = words
            .get(after_from)
            .map(|u| u.trim_end_matches([',', ';', '.']).to_string());
        t.kind = Some("count");
        t.unit_or_population = unit.filter(|u| !u.is_empty());
        t.measure = clean_measure(&words[(after_from + 1).min(words.len())..].join(" "));
    }
    Some(t)
}

/// Every threshold of a sentence ("Trên 90% …; 80% …" gives two).
pub fn targets_of(sentence: &str, lines: Lines) -> Vec<TargetDraft> {
    sentence
        .split(';')
        .filter_map(target)
        .map(|mut t| {
            t.lines = lines;
            t
        })
        .collect()
}

// ---------------------------------------------------------------- the plan

#[derive(Debug, Clone, Copy, PartialEq)]
enum Section {
    Header,
    Other,
    Period,
    Activities,
    Targets,
    Budget,
    Duties,
    Closing,
}

fn section_kind(title: &str) -> Section {
    let f = fold_key(title);
    if f.contains("noi dung") || f.contains("nhiem vu") || f.contains("hoat dong") {
        Section::Activities
    } else if f.contains("chi tieu") {
        Section::Targets
    } else if f.contains("kinh phi") {
        Section::Budget
    } else if f.contains("to chuc thuc hien") || f.contains("trach nhiem") || f.contains("phan cong") {
        Section::Duties
    } else if f.contains("thoi gian") {
        Section::Period
    } else {
        Section::Other
    }
}

/// "Các ban, ngành đoàn thể, các nhà trường; các thôn" → three units: a
/// lower-case "ban", "ngành", "đoàn thể", "hội" or "đơn vị" continues the
/// unit before it (the usual "các ban, ngành, đoàn thể").
fn split_units(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in s.split([',', ';']).map(|x| norm(x.trim().trim_end_matches('.'))) {
        if part.is_empty() {
            continue;
        }
        let lower = part.chars().next().is_some_and(char::is_lowercase);
        let f = fold_key(&part);
        let continues = lower
            && ["ban", "nganh", "doan the", "hoi", "don vi"]
                .iter()
                .any(|w| f == *w || f.starts_with(&format!("{w} ")));
        match out.last_mut() {
            Some(prev) if continues => {
                prev.push_str(", ");
                prev.push_str(&part);
            }
            _ => out.push(part),
        }
    }
    out
}

fn strip_end(s: &str) -> String {
    norm(s.trim().trim_end_matches([';', ',', '.', ':']))
}

/// Sections I and II: "1. Mục đích" / "2. Yêu cầu" / "1. Chủ đề:" /
/// "3. Đối tượng:" and their lines. True when the line was taken.
fn collect_header(w: &mut WrittenHeader, key: &mut String, raw: &str) -> bool {
    let (bullet, t) = unbullet(raw);
    if !bullet && let Some((_, rest)) = numbered(raw) {
        let f = fold_key(rest);
        let k = ["muc dich", "yeu cau", "chu de", "doi tuong"]
            .into_iter()
            .find(|k| f.starts_with(k));
        *key = k.unwrap_or("").to_string();
        // "1. Chủ đề: …" on one line.
        if let (Some("chu de"), Some((_, v))) = (k, rest.split_once(':'))
            && !v.trim().is_empty()
        {
            w.theme = Some(norm(v));
        }
        return k.is_some();
    }
    let t = norm(t);
    match key.as_str() {
        "muc dich" => w.purposes.push(t),
        "yeu cau" => w.requirements.push(t),
        "chu de" => w.theme = Some(t),
        "doi tuong" => w.target_groups.push(t.trim_end_matches([';', '.']).to_string()),
        _ => return false,
    }
    true
}

/// Reads a plan text into a draft.
pub fn parse(text: &str) -> Result<Draft, ImportError> {
    if text.trim().is_empty() {
        return Err(ImportError::Empty);
    }
    if text
        .chars()
        .any(|c| c == '\u{fffd}' || (c.is_control() && !matches!(c, '\n' | '\r' | '\t' | '\u{c}')))
    {
        return Err(ImportError::Binary);
    }
    let text: String = text.nfc().collect();
    let mut lines: Vec<String> = text.lines().map(|l| l.trim().to_string()).collect();
    // A partial copy ends mid-sentence: its last line is cut, not read.
    let cut = !text.ends_with('\n')
        && lines
            .last()
            .is_some_and(|l| !l.is_empty() && !l.ends_with(['.', ';', ':', '!', '?', '”', '"', ')']));
    if cut && lines.len() > 1 {
        lines.pop();
    }
    let mut d = Draft::default();

    // Header and title: the title is the lines after "KẾ HOẠCH" up to a blank line.
    let kh = lines.iter().position(|l| {
        let f = fold_key(l);
        f == "ke hoach" || f.ends_with(" ke hoach") && l.chars().filter(|c| c.is_lowercase()).count() == 0
    });
    let header_end = kh.unwrap_or(0);
    let header = lines[..header_end].join(" ");
    let mut body_start = 0;
    if let Some(k) = kh {
        let mut title = Vec::new();
        let mut i = k + 1;
        while i < lines.len() && lines[i].is_empty() {
            i += 1;
        }
        while i < lines.len() && !lines[i].is_empty() && roman_heading(&lines[i]).is_none() {
            let f = fold_key(&lines[i]);
            if f.starts_with("can cu") || f.starts_with("thuc hien ") {
                break;
            }
            title.push(lines[i].clone());
            i += 1;
        }
        d.title = Some(norm(&title.join(" "))).filter(|t| !t.is_empty());
        body_start = i;
        let preamble: Vec<&str> = lines[i..]
            .iter()
            .take_while(|l| roman_heading(l).is_none())
            .filter(|l| !l.is_empty())
            .map(String::as_str)
            .collect();
        d.written.preamble = Some(norm(&preamble.join(" "))).filter(|p| !p.is_empty());
    }
    // The issuer: the header's "ỦY BAN NHÂN DÂN" + "XÃ …", else the
    // promulgation sentence's body with the commune named in the title.
    let hf = fold_key(&header);
    if let Some(i) = hf.find("uy ban nhan dan") {
        let rest = &hf[i + "uy ban nhan dan".len()..];
        let level = ["xa ", "phuong ", "thi tran "]
            .iter()
            .find(|l| rest.trim_start().starts_with(*l));
        if let Some(level) = level {
            // The commune's name in the original spelling: the words after the level in the header.
            let words: Vec<&str> = header.split_whitespace().collect();
            let fw: Vec<String> = words.iter().map(|w| fold_key(w)).collect();
            let lw = level.trim();
            if let Some(p) = fw.iter().position(|w| w == lw) {
                let name: Vec<&str> = words[p + 1..]
                    .iter()
                    .take_while(|w| {
                        let f = fold_key(w);
                        !matches!(f.as_str(), "cong" | "|" | "so:" | "so")
                            && w.chars().next().is_some_and(char::is_uppercase)
                    })
                    .take(4)
                    .copied()
                    .collect();
                if !name.is_empty() {
                    let level_word = match lw {
                        "xa" => "xã",
                        "phuong" => "phường",
                        _ => "thị trấn",
                    };
                    let name: String = name
                        .iter()
                        .map(|w| crate::text::capitalize(&w.to_lowercase()))
                        .collect::<Vec<_>>()
                        .join(" ");
                    d.issuer = Some(format!("Ủy ban nhân dân {level_word} {name}"));
                }
            }
        }
    }
    if d.issuer.is_none() {
        let all = lines.join(" ");
        let fa = fold_key(&all);
        if let Some(i) = fa.find(" ban hanh ke hoach") {
            let before = &fa[..i];
            let level = if before.ends_with("uy ban nhan dan xa") {
                Some("xã")
            } else if before.ends_with("uy ban nhan dan phuong") {
                Some("phường")
            } else {
                None
            };
            if let (Some(level), Some(title)) = (level, &d.title) {
                // "… trên địa bàn xã Vĩnh Thịnh": the name after the level in the title.
                let words: Vec<&str> = title.split_whitespace().collect();
                if let Some(p) = words.iter().rposition(|w| fold_key(w) == fold_key(level)) {
                    let name = words[p + 1..].join(" ");
                    if !name.is_empty() {
                        d.issuer = Some(format!("Ủy ban nhân dân {level} {}", name.trim_end_matches(['.', ','])));
                    }
                }
            }
        }
    }

    // Sections.
    let mut section = Section::Header;
    let mut period_text: Option<(String, usize)> = None;
    let mut current: Option<ActivityDraft> = None;
    let mut field_now = String::new();
    let mut activities: Vec<ActivityDraft> = Vec::new();
    let mut times: Vec<String> = Vec::new();
    let mut duty: Option<DutyDraft> = None;
    let finish_activity =
        |a: Option<ActivityDraft>, times: &mut Vec<String>, out: &mut Vec<(ActivityDraft, String)>| {
            if let Some(a) = a {
                out.push((a, times.join(" ")));
            }
            times.clear();
        };
    let mut acts: Vec<(ActivityDraft, String)> = Vec::new();
    // Sections I and II: which list the lines go to ("1. Mục đích", "3. Đối tượng:").
    let mut header_key = String::new();
    for (n, raw) in lines.iter().enumerate().skip(body_start) {
        let line_no = n + 1;
        if raw.is_empty() {
            continue;
        }
        if let Some((_, title)) = roman_heading(raw) {
            finish_activity(current.take(), &mut times, &mut acts);
            if let Some(x) = duty.take() {
                d.responsibilities.push(x);
            }
            section = section_kind(title);
            field_now.clear();
            // "I. MỤC ĐÍCH, YÊU CẦU" with its bullets straight under it: they are the purposes.
            let t = fold_key(title);
            header_key = ["muc dich", "yeu cau", "doi tuong", "chu de"]
                .into_iter()
                .find(|k| t.starts_with(k))
                .unwrap_or("")
                .to_string();
            continue;
        }
        let f = fold_key(raw);
        if f.starts_with("tren day la ke hoach") || f.starts_with("noi nhan") {
            finish_activity(current.take(), &mut times, &mut acts);
            if let Some(x) = duty.take() {
                d.responsibilities.push(x);
            }
            section = Section::Closing;
            continue;
        }
        match section {
            Section::Header | Section::Other | Section::Period
                if collect_header(&mut d.written, &mut header_key, raw) => {}
            Section::Header | Section::Other | Section::Closing => {
                // "2. Thời gian: Từ ngày … đến ngày …" under a mixed section (II. CHỦ ĐỀ, THỜI GIAN …).
                if let Some((key, value)) = field(raw).or_else(|| numbered(raw).and_then(|(_, rest)| field(rest)))
                    && key == "thoi gian"
                    && period_text.is_none()
                    && section != Section::Closing
                {
                    period_text = Some((value, line_no));
                    field_now = "thoi gian".into();
                } else if field_now == "thoi gian" && period_text.as_ref().is_some_and(|p| p.0.is_empty()) {
                    period_text = Some((raw.clone(), line_no));
                    field_now.clear();
                } else {
                    field_now.clear();
                }
            }
            Section::Period => {
                // "2. Thời gian:" and its value (on the line or the next); else the first line with a date.
                let labelled = field(raw).or_else(|| numbered(raw).and_then(|(_, rest)| field(rest)));
                match labelled {
                    Some((key, value)) if key == "thoi gian" && period_text.as_ref().is_none_or(|p| p.1 == 0) => {
                        period_text = Some((value, line_no));
                        field_now = "thoi gian".into();
                    }
                    Some(_) => field_now.clear(),
                    None if field_now == "thoi gian" && period_text.as_ref().is_some_and(|p| p.0.is_empty()) => {
                        period_text = Some((raw.clone(), line_no));
                        field_now.clear();
                    }
                    None if period_text.is_none() && !written_dates(&fold_key(raw)).is_empty() => {
                        // Unlabelled: kept only if nothing labelled comes (line 0 marks it).
                        period_text = Some((raw.clone(), 0));
                    }
                    None => {}
                }
            }
            Section::Activities => {
                let (bullet, t) = unbullet(raw);
                if !bullet && let Some((num, name)) = numbered(raw) {
                    finish_activity(current.take(), &mut times, &mut acts);
                    current = Some(ActivityDraft {
                        written: WrittenLine {
                            title: norm(name),
                            ..Default::default()
                        },
                        number: num,
                        name: strip_end(name),
                        lines: Lines {
                            from: line_no,
                            to: line_no,
                        },
                        ..Default::default()
                    });
                    field_now.clear();
                    continue;
                }
                let Some(a) = current.as_mut() else { continue };
                a.lines.to = line_no;
                if let Some((key, value)) = field(raw) {
                    field_now = key.clone();
                    let raw_value = Some(value.clone()).filter(|v| !v.is_empty());
                    let here = Lines {
                        from: line_no,
                        to: line_no,
                    };
                    match key.as_str() {
                        "thoi gian" => {
                            a.written.time = raw_value;
                            times.push(value);
                        }
                        "don vi chu tri" => {
                            a.written.lead = raw_value;
                            a.lead = Some(strip_end(&value)).filter(|x| !x.is_empty());
                        }
                        "don vi phoi hop" => {
                            a.written.partners = raw_value;
                            a.partners = split_units(&value);
                        }
                        "dia diem" => a.written.location = raw_value,
                        "noi dung" if !value.is_empty() => a.items.push(value),
                        "hinh thuc" if !value.is_empty() => a.written.forms.push(value),
                        "chi tieu" if !value.is_empty() => {
                            a.written.targets.push(value.clone());
                            d.targets.extend(targets_of(&value, here));
                        }
                        "yeu cau" if !value.is_empty() => {
                            a.written.requirements.push(value.clone());
                            d.targets.extend(targets_of(&value, here));
                        }
                        _ => {}
                    }
                    continue;
                }
                let here = Lines {
                    from: line_no,
                    to: line_no,
                };
                match field_now.as_str() {
                    "thoi gian" => {
                        times.push(t.to_string());
                        // Several dated steps under "Thời gian:" (7.1): their texts, joined.
                        let joined = norm(&format!("{} {}", a.written.time.clone().unwrap_or_default(), t));
                        a.written.time = Some(joined);
                        if !t.trim().is_empty() {
                            a.written.steps.push(norm(t));
                        }
                    }
                    "noi dung" => a.items.push(norm(t)),
                    "hinh thuc" if !t.trim().is_empty() => a.written.forms.push(norm(t)),
                    "chi tieu" => {
                        a.written.targets.push(norm(t));
                        d.targets.extend(targets_of(t, here));
                    }
                    "yeu cau" => {
                        a.written.requirements.push(norm(t));
                        d.targets.extend(targets_of(t, here));
                    }
                    _ => {}
                }
            }
            Section::Targets => {
                let (_, t) = unbullet(raw);
                d.targets.extend(targets_of(
                    t,
                    Lines {
                        from: line_no,
                        to: line_no,
                    },
                ));
            }
            Section::Budget => {
                let (_, t) = unbullet(raw);
                if !t.is_empty() {
                    d.written.budget.push(norm(t));
                }
                let t = strip_end(t);
                if !t.is_empty() {
                    d.budget_sources.push(t);
                }
            }
            Section::Duties => {
                let (bullet, t) = unbullet(raw);
                if !bullet && let Some((_, unit)) = numbered(raw) {
                    if let Some(x) = duty.take() {
                        d.responsibilities.push(x);
                    }
                    // "1. Đoàn phường: Chủ trì …": the unit, then its duty on the same line.
                    let (unit, inline) = match unit.split_once(':') {
                        Some((u, rest)) if !rest.trim().is_empty() => (u, Some(norm(rest))),
                        _ => (unit, None),
                    };
                    let heading = strip_end(unit);
                    let unit = heading
                        .strip_prefix("Đề nghị ")
                        .map(str::to_string)
                        .unwrap_or(heading.clone());
                    duty = Some(DutyDraft {
                        unit,
                        heading,
                        duties: inline.into_iter().collect(),
                        lines: Lines {
                            from: line_no,
                            to: line_no,
                        },
                    });
                } else if let Some(x) = duty.as_mut() {
                    x.duties.push(norm(t));
                    x.lines.to = line_no;
                }
            }
        }
    }
    finish_activity(current.take(), &mut times, &mut acts);
    if let Some(x) = duty.take() {
        d.responsibilities.push(x);
    }

    // The period first (its year dates the activities), then each activity's span.
    let title_year = d.title.as_deref().and_then(|t| {
        fold_key(t)
            .split_whitespace()
            .filter_map(|w| w.parse::<i32>().ok())
            .find(|y| (1900..2200).contains(y))
    });
    if let Some((p, _)) = &period_text {
        d.written.period = Some(norm(p)).filter(|p| !p.is_empty());
        let (a, b) = span(p, title_year);
        d.period.from = a.map(|x| x.iso());
        d.period.to = b.map(|x| x.iso());
    }
    if d.period.from.is_none()
        && let Some(t) = &d.title
    {
        let (a, b) = span(&format!("{} ", t), None);
        if fold_key(t).contains("he nam ") {
            d.period.from = a.map(|x| x.iso());
            d.period.to = b.map(|x| x.iso());
        }
    }
    let year = d
        .period
        .to
        .as_deref()
        .and_then(Day::parse_iso)
        .map(|x| x.0.year())
        .or(title_year);
    for (mut a, t) in acts {
        let (from, to) = span(&t, year);
        a.from = from.map(|x| x.iso());
        a.to = to.map(|x| x.iso());
        activities.push(a);
    }
    // A heading line (7) without its own time spans its sub-lines (7.1, 7.2).
    let snapshot = activities.clone();
    for a in activities.iter_mut().filter(|a| a.from.is_none() && a.to.is_none()) {
        let prefix = format!("{}.", a.number);
        let subs: Vec<&ActivityDraft> = snapshot.iter().filter(|s| s.number.starts_with(&prefix)).collect();
        if !subs.is_empty() {
            a.from = subs.iter().filter_map(|s| s.from.clone()).min();
            a.to = subs.iter().filter_map(|s| s.to.clone()).max();
        }
    }
    d.activities = activities;
    if kh.is_none() && d.activities.is_empty() {
        return Err(ImportError::NotAPlan);
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iso(d: Option<Day>) -> Option<String> {
        d.map(|x| x.iso())
    }

    #[test]
    fn spans_as_written() {
        let y = Some(2026);
        let cases = [
            ("Từ ngày 01/6/2026 đến ngày 31/8/2026.", "2026-06-01", "2026-08-31"),
            ("Từ ngày 01/6 đến ngày 31/8/2026", "2026-06-01", "2026-08-31"),
            ("Tháng 7 và tháng 8/2026.", "2026-07-01", "2026-08-31"),
            ("Từ tháng 6 đến tháng 8/2026.", "2026-06-01", "2026-08-31"),
            ("Sáng ngày 10/6/2026.", "2026-06-10", "2026-06-10"),
            ("Dự kiến ngày 30/8/2026.", "2026-08-30", "2026-08-30"),
            (
                "Phát động: ngày 01/8/2026. Nhận bài dự thi: từ ngày 01/8 đến ngày 15/8/2026. Tổng kết, trao giải: trước ngày 20/8/2026.",
                "2026-08-01",
                "2026-08-19",
            ),
            ("hè năm 2021", "2021-06-01", "2021-08-31"),
        ];
        for (t, a, b) in cases {
            let (f, to) = span(t, y);
            assert_eq!((iso(f).as_deref(), iso(to).as_deref()), (Some(a), Some(b)), "{t}");
        }
        assert_eq!(span("không có ngày", y), (None, None));
        // An impossible date is skipped without lending its place to the next one.
        let (from, to) = span("Từ ngày 31/2 đến trước ngày 10/3/2026", y);
        assert_eq!((iso(from), iso(to).as_deref()), (None, Some("2026-03-09")));
    }

    #[test]
    fn thresholds_and_their_kinds() {
        let t = target("100% thôn tổ chức ít nhất 01 hoạt động hưởng ứng phong trào “Bình dân học vụ số”.").unwrap();
        assert_eq!(
            (t.kind, t.threshold, t.comparator),
            (Some("coverage_percent"), Some(100.0), Some(">="))
        );
        assert_eq!(t.unit_or_population.as_deref(), Some("thôn"));
        let t = target("Thu hút trên 80% thanh thiếu nhi tham gia các hoạt động hè gắn với chuyển đổi số.").unwrap();
        assert_eq!(
            (t.kind, t.threshold, t.comparator),
            (Some("coverage_percent"), Some(80.0), Some(">"))
        );
        assert_eq!(t.unit_or_population.as_deref(), Some("thanh thiếu nhi"));
        let t = target("Mỗi thôn hỗ trợ tối thiểu 200 lượt người dân tiếp cận và sử dụng các dịch vụ số.").unwrap();
        assert_eq!((t.kind, t.threshold), (Some("min_per_unit"), Some(200.0)));
        assert_eq!(t.unit_or_population.as_deref(), Some("thôn"));
        let t = target("Tổ chức tối thiểu 02 lớp tập huấn kỹ năng số cho cán bộ, công chức, viên chức.").unwrap();
        assert_eq!((t.kind, t.threshold), (Some("count"), Some(2.0)));
        assert_eq!(t.unit_or_population.as_deref(), Some("lớp"));
        let t = target("Bảo đảm tối thiểu 01 tuần/lớp được tham gia ít nhất 01 buổi trải nghiệm.").unwrap();
        assert_eq!((t.kind, t.threshold), (Some("rate_per_period"), Some(1.0)));
        assert_eq!(
            (t.unit_or_population.as_deref(), t.measure.as_deref()),
            (Some("lớp"), Some("tuần"))
        );
        let two = targets_of(
            "Trên 90% hộ gia đình có điện thoại thông minh; 80% người dân có tài khoản định danh điện tử.",
            Lines::default(),
        );
        assert_eq!(two.len(), 2);
        assert_eq!((two[0].comparator, two[1].comparator), (Some(">"), Some(">=")));
        assert!(target("Không có con số nào").is_none());
    }

    #[test]
    fn bad_input_is_refused_without_panic() {
        assert_eq!(parse("   \n "), Err(ImportError::Empty));
        assert_eq!(parse("PK\u{3}\u{4}\u{0}\u{0}"), Err(ImportError::Binary));
        assert_eq!(
            parse("Một bức thư bình thường.\nKhông có gì."),
            Err(ImportError::NotAPlan)
        );
    }
}
