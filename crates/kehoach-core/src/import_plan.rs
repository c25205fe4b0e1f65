//! A draft read from a plan's text, turned into a plan file the coordinator
//! reviews: units from the names the plan gives (leads, partners, duties;
//! "các thôn", "các trường" as groups), lines with their windows, the
//! targets the model can measure (the others stay in the draft as text),
//! budget sources, duties, signer and recipients. What the text does not
//! say is left for the review: the plan validator lists it.

use crate::import::{Draft, TargetDraft};
use crate::text::fold_key;
use crate::{
    ActivityLine, BudgetSource, Comparator, Day, Header, Measure, Period, Plan, RecordKind, Roster, SessionKind,
    Signer, TargetDef, TargetSubject, ThresholdUnit, Unit, UnitDuties, UnitKind, Window,
};

/// "Đoàn Thanh niên xã" → "doan-thanh-nien-xa" (at most `words` words).
fn slug(s: &str, words: usize) -> String {
    let f = fold_key(s);
    let parts: Vec<String> = f
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .take(words)
        .map(str::to_string)
        .collect();
    parts.join("-")
}

/// A group of units the plan names in the plural ("các thôn", "các trường").
fn group(name: &str) -> Option<&'static str> {
    let f = fold_key(name);
    let f = f.trim_start_matches("cac ");
    if f.starts_with("thon") || f.starts_with("to dan pho") || f.starts_with("khu dan cu") {
        Some("@village")
    } else if f.starts_with("truong") || f.starts_with("nha truong") {
        Some("@school")
    } else if f.starts_with("doan the") || f.starts_with("ban, nganh") || f.starts_with("ban nganh") {
        Some("@mass_organisation")
    } else if f.starts_with("co quan") {
        Some("@agency")
    } else {
        None
    }
}

fn kind_of(name: &str) -> UnitKind {
    let f = fold_key(name);
    let has = |w: &str| f.contains(w);
    if has("uy ban nhan dan") && !has("mat tran") {
        UnitKind::Commune
    } else if f.starts_with("truong") || has("tieu hoc") || has("thcs") || has("mam non") {
        UnitKind::School
    } else if f.starts_with("doan thanh nien") || f.starts_with("doan phuong") || f.starts_with("doan xa") {
        UnitKind::YouthUnion
    } else if f.starts_with("cong an") {
        UnitKind::Police
    } else if f.starts_with("thon ") || f.starts_with("to dan pho") {
        UnitKind::Village
    } else if f.starts_with("hoi ") || has("mat tran") || has("cong doan") {
        UnitKind::MassOrganisation
    } else if f.starts_with("htx") || has("hop tac xa") {
        UnitKind::Cooperative
    } else if has("cong nghe so cong dong") {
        UnitKind::DigitalTeam
    } else if has("de an 06") {
        UnitKind::Project06Team
    } else if has("phu huynh") || has("nhan dan") {
        UnitKind::Community
    } else {
        UnitKind::Agency
    }
}

/// The plan's units by folded name, with the id given to each.
#[derive(Default)]
struct Units {
    list: Vec<Unit>,
}

impl Units {
    /// The unit id (or `@group`) for a name, adding the unit on first sight.
    fn resolve(&mut self, name: &str) -> Option<String> {
        let name = name.trim().trim_end_matches(['.', ';', ',', ':']).trim();
        if name.is_empty() {
            return None;
        }
        if let Some(g) = group(name) {
            return Some(g.to_string());
        }
        let key = fold_key(name);
        if let Some(u) = self.list.iter().find(|u| fold_key(&u.name) == key) {
            return Some(u.id.clone());
        }
        let base = slug(name, 6);
        let base = if base.is_empty() { "don-vi".to_string() } else { base };
        let mut id = base.clone();
        let mut n = 2;
        while self.list.iter().any(|u| u.id == id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        self.list.push(Unit {
            id: id.clone(),
            name: name.to_string(),
            short_name: None,
            kind: kind_of(name),
            has_smart_classroom: false,
            sample: false,
        });
        Some(id)
    }
}

fn session_kinds(name: &str, items: &[String]) -> Vec<SessionKind> {
    let f = fold_key(&format!("{name} {}", items.join(" ")));
    let n = fold_key(name);
    let mut out = Vec::new();
    if n.contains("cuoc thi") || n.starts_with("thi ") {
        out.push(SessionKind::Contest);
    } else if n.contains("hoi nghi") || n.contains("trien khai ke hoach") || n.contains("ra quan") && n.contains("le") {
        out.push(SessionKind::Conference);
    } else {
        if f.contains("tuyen truyen") {
            out.push(SessionKind::Propaganda);
        }
        if f.contains("huong dan") || f.contains("ho tro") {
            out.push(SessionKind::Guidance);
        }
        if f.contains("tap huan") || f.contains("boi duong") || f.contains("lop hoc") || f.contains("ky nang") {
            out.push(SessionKind::Training);
        }
        if f.contains("trai nghiem") {
            out.push(SessionKind::Experience);
        }
    }
    if out.is_empty() {
        out.push(SessionKind::Guidance);
    }
    out
}

fn day(s: &Option<String>) -> Option<Day> {
    s.as_deref().and_then(Day::parse_iso)
}

/// A measurable target from a draft's, or None (left as text in the draft).
fn target_def(id: String, t: &TargetDraft, lines: &[String]) -> Option<TargetDef> {
    let pop = fold_key(t.unit_or_population.as_deref().unwrap_or(""));
    let has = |w: &str| pop.contains(w);
    let comparator = if t.comparator == Some(">") {
        Comparator::Gt
    } else {
        Comparator::Ge
    };
    let threshold = t.threshold?;
    let mut def = TargetDef {
        id,
        text: t.text.clone(),
        label: crate::text::truncate(&t.text, 60),
        source_line: None,
        measure: Measure::Count,
        records: vec![RecordKind::Session],
        lines: lines.to_vec(),
        session_kinds: Vec::new(),
        unit_kind: None,
        subject: None,
        only_smart_classroom: false,
        roster: None,
        per_unit: None,
        period: None,
        comparator,
        threshold,
        threshold_unit: ThresholdUnit::Sessions,
        window: None,
    };
    match t.kind? {
        "coverage_percent" => {
            def.threshold_unit = ThresholdUnit::Percent;
            if has("doan vien") || has("thanh nien") && !has("thieu nhi") {
                def.measure = Measure::RosterCoverage;
                def.roster = Some(Roster::YouthMembers);
                def.records = vec![RecordKind::SupportTurn, RecordKind::Attendance];
            } else if has("can bo") || has("cong chuc") || has("vien chuc") {
                def.measure = Measure::RosterCoverage;
                def.roster = Some(Roster::Officials);
                def.records = vec![RecordKind::Attendance];
            } else if has("thieu nhi") || has("hoc sinh") || has("tre em") || has("nhi dong") {
                def.measure = Measure::RosterCoverage;
                def.roster = Some(Roster::Children);
                def.records = vec![RecordKind::Attendance];
            } else if has("thon") || has("to dan pho") {
                def.measure = Measure::UnitCoverage;
                def.unit_kind = Some(UnitKind::Village);
                def.per_unit = Some(1);
            } else if has("truong") {
                def.measure = Measure::UnitCoverage;
                def.unit_kind = Some(UnitKind::School);
                def.per_unit = Some(1);
            } else {
                return None;
            }
            if threshold > 100.0 {
                return None;
            }
        }
        "count" => {
            let unit = fold_key(t.unit_or_population.as_deref().unwrap_or(""));
            def.threshold_unit = match unit.as_str() {
                "lop" => ThresholdUnit::Classes,
                "buoi" | "hoat dong" | "cuoc" => ThresholdUnit::Sessions,
                "luot" => {
                    def.records = vec![RecordKind::SupportTurn];
                    ThresholdUnit::Turns
                }
                _ => return None,
            };
        }
        "min_per_unit" => {
            def.measure = Measure::MinPerUnit;
            def.unit_kind = Some(if has("truong") {
                UnitKind::School
            } else {
                UnitKind::Village
            });
            let m = fold_key(t.measure.as_deref().unwrap_or(""));
            if m.starts_with("luot") {
                def.records = vec![RecordKind::SupportTurn];
                def.threshold_unit = ThresholdUnit::Turns;
            } else if m.starts_with("lop") {
                def.threshold_unit = ThresholdUnit::Classes;
            }
        }
        "rate_per_period" => {
            def.measure = Measure::RatePerUnitPeriod;
            def.per_unit = Some(threshold.max(1.0) as u32);
            def.threshold = 100.0;
            def.threshold_unit = ThresholdUnit::Percent;
            def.unit_kind = Some(UnitKind::School);
            if has("lop") {
                def.subject = Some(TargetSubject::Class);
            }
            def.period = Some(if fold_key(t.measure.as_deref().unwrap_or("")).contains("thang") {
                Period::Month
            } else {
                Period::Week
            });
        }
        _ => return None,
    }
    Some(def)
}

/// Header facts the draft does not carry, read from the text again.
fn header_facts(text: &str) -> (Option<String>, Option<Day>, Option<String>, Signer, Vec<String>) {
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    let head: Vec<&str> = lines
        .iter()
        .take_while(|l| fold_key(l) != "ke hoach")
        .copied()
        .collect();
    let head_text = head.join(" ");
    // "Số: 45/KH-UBND".
    let number = head_text.find("Số:").and_then(|i| {
        head_text[i + "Số:".len()..]
            .split_whitespace()
            .next()
            .filter(|n| n.contains('/'))
            .map(str::to_string)
    });
    // "…, ngày 24 tháng 5 năm 2027" (possibly split over lines).
    let f = fold_key(&head_text);
    let issued = f.find("ngay ").and_then(|i| {
        let nums: Vec<i32> = f[i..]
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .take(3)
            .filter_map(|s| s.parse().ok())
            .collect();
        match nums[..] {
            [d, m, y] => Day::from_ymd(y, m as u8, d as u8),
            _ => None,
        }
    });
    let closing = lines
        .iter()
        .find(|l| fold_key(l).starts_with("tren day la ke hoach"))
        .map(|l| l.to_string());
    // The signature block: "TM. …", "KT. …", the position, the name.
    let mut signer = Signer {
        on_behalf: String::new(),
        deputy_for: None,
        position: String::new(),
        name: String::new(),
    };
    if let Some(i) = lines.iter().rposition(|l| l.starts_with("TM.")) {
        signer.on_behalf = lines[i].to_string();
        let rest: Vec<&str> = lines[i + 1..].iter().filter(|l| !l.is_empty()).copied().collect();
        let mut k = 0;
        if rest.first().is_some_and(|l| l.starts_with("KT.")) {
            signer.deputy_for = Some(rest[0].to_string());
            k = 1;
        }
        if let Some(p) = rest.get(k) {
            signer.position = p.to_string();
        }
        if let Some(n) = rest.get(k + 1) {
            signer.name = n.to_string();
        }
    }
    let mut recipients = Vec::new();
    if let Some(i) = lines.iter().position(|l| fold_key(l).starts_with("noi nhan")) {
        for l in &lines[i + 1..] {
            if l.starts_with("TM.") || (!l.is_empty() && !l.starts_with('-')) {
                break;
            }
            if let Some(r) = l.strip_prefix('-') {
                recipients.push(r.trim().to_string());
            }
        }
    }
    (number, issued, closing, signer, recipients)
}

/// The plan file a draft gives. Ids are made from the names; targets that
/// the model cannot measure stay out (they remain in the draft).
pub fn to_plan(d: &Draft, text: &str) -> Plan {
    let (number, issued_on, closing, signer, recipients) = header_facts(text);
    let issuer = d.issuer.clone().unwrap_or_default();
    let fi = fold_key(&issuer);
    let (level, commune) = ["xa", "phuong", "thi tran"]
        .iter()
        .find_map(|l| {
            let words: Vec<&str> = issuer.split_whitespace().collect();
            let p = words.iter().position(|w| fold_key(w) == *l)?;
            let level = match *l {
                "xa" => "xã",
                "phuong" => "phường",
                _ => "thị trấn",
            };
            Some((level.to_string(), words[p + 1..].join(" ")))
        })
        .unwrap_or_else(|| {
            (
                if fi.contains("phuong") { "phường" } else { "xã" }.to_string(),
                String::new(),
            )
        });
    let title = d.title.clone().unwrap_or_default();
    let acts_from = d.activities.iter().filter_map(|a| day(&a.from)).min();
    let acts_to = d.activities.iter().filter_map(|a| day(&a.to)).max();
    let start = day(&d.period.from)
        .or(acts_from)
        .or(issued_on)
        .unwrap_or(Day(time::Date::MIN));
    let end = day(&d.period.to).or(acts_to).unwrap_or(start);
    let period = Window {
        start,
        end,
        part: None,
        tentative: false,
        deadline: false,
    };
    let mut units = Units::default();
    if !issuer.is_empty() {
        units.resolve(&issuer);
    }
    let mut lines: Vec<ActivityLine> = Vec::new();
    for a in &d.activities {
        let id = format!("l{}-{}", a.number.replace('.', "-"), slug(&a.name, 3));
        let parent = a
            .number
            .rsplit_once('.')
            .and_then(|(p, _)| lines.iter().find(|l| l.number == p).map(|l| l.id.clone()));
        let from = day(&a.from);
        let to = day(&a.to);
        let window = Window {
            start: from.or(to).unwrap_or(period.start).max(period.start).min(period.end),
            end: to.or(from).unwrap_or(period.end).min(period.end).max(period.start),
            part: None,
            tentative: false,
            deadline: from.is_none() && to.is_some(),
        };
        let lead: Vec<String> = a.lead.iter().filter_map(|l| units.resolve(l)).collect();
        let partners: Vec<String> = a.partners.iter().filter_map(|p| units.resolve(p)).collect();
        let has_children = d
            .activities
            .iter()
            .any(|x| x.number.starts_with(&format!("{}.", a.number)));
        lines.push(ActivityLine {
            id,
            number: a.number.clone(),
            parent,
            title: if a.written.title.is_empty() {
                a.name.clone()
            } else {
                a.written.title.clone()
            },
            time_text: a.written.time.clone(),
            window,
            milestones: Vec::new(),
            location_text: a.written.location.clone(),
            venues: Vec::new(),
            lead_text: a.written.lead.clone().or_else(|| a.lead.clone()),
            lead,
            partners_text: a
                .written
                .partners
                .clone()
                .or_else(|| (!a.partners.is_empty()).then(|| a.partners.join(", "))),
            partners,
            content: a.items.clone(),
            forms: Vec::new(),
            services: Vec::new(),
            requirements: a.written.requirements.clone(),
            line_targets: a.written.targets.clone(),
            session_kinds: if has_children {
                Vec::new()
            } else {
                session_kinds(&a.name, &a.items)
            },
        });
    }
    // Duplicate line ids (two "6" with the same first words) get a suffix.
    for i in 1..lines.len() {
        let mut n = 2;
        let base = lines[i].id.clone();
        while lines[..i].iter().any(|l| l.id == lines[i].id) {
            lines[i].id = format!("{base}-{n}");
            n += 1;
        }
    }
    let line_of = |t: &TargetDraft| -> Vec<String> {
        // A target stated inside a line counts that line; section IV ones count every line.
        d.activities
            .iter()
            .zip(&lines)
            .find(|(a, _)| a.lines.from <= t.lines.from && t.lines.to <= a.lines.to)
            .map(|(_, l)| vec![l.id.clone()])
            .unwrap_or_default()
    };
    let targets: Vec<TargetDef> = d
        .targets
        .iter()
        .filter_map(|t| target_def(String::new(), t, &line_of(t)))
        .enumerate()
        .map(|(i, mut t)| {
            t.id = format!("T{}", i + 1);
            t
        })
        .collect();
    let budget_texts = if d.written.budget.len() == d.budget_sources.len() {
        &d.written.budget
    } else {
        &d.budget_sources
    };
    let budget_sources = budget_texts
        .iter()
        .enumerate()
        .map(|(i, b)| BudgetSource {
            id: format!("b{}", i + 1),
            text: b.clone(),
        })
        .collect();
    let duties = d
        .responsibilities
        .iter()
        .enumerate()
        .filter(|(_, r)| !r.duties.is_empty())
        .map(|(i, r)| UnitDuties {
            number: (i + 1).to_string(),
            heading: r.unit.clone(),
            units: units.resolve(&r.unit).into_iter().collect(),
            request_only: false,
            items: r.duties.clone(),
        })
        .collect();
    let id = {
        let s = slug(&format!("{commune} {title}"), 8);
        if s.is_empty() { "ke-hoach".to_string() } else { s }
    };
    Plan {
        plan: Header {
            id,
            doc_type: "Kế hoạch".into(),
            number,
            issued_on,
            issuer,
            commune,
            commune_level: level,
            province: province(d),
            short_title: short_title(&title),
            title,
            theme: d.written.theme.clone(),
            implements: implements(d),
            preamble: d.written.preamble.clone(),
            period_text: d
                .written
                .period
                .clone()
                .unwrap_or_else(|| format!("Từ ngày {} đến ngày {}.", period.start.vn(), period.end.vn())),
            period,
            target_groups: d.written.target_groups.clone(),
            purposes: d.written.purposes.clone(),
            requirements: d.written.requirements.clone(),
            closing,
        },
        units: units.list,
        lines,
        targets,
        budget_sources,
        duties,
        signer,
        recipients,
    }
}

/// "Tổ chức … “Mùa hè sôi động cùng chuyển đổi số” năm 2026 …" → the
/// campaign's quoted name and its year; else the title, shortened.
fn short_title(title: &str) -> String {
    let quoted = title
        .split_once('“')
        .and_then(|(_, rest)| rest.split_once('”'))
        .map(|(q, _)| q.trim().to_string())
        .filter(|q| !q.is_empty());
    let year = fold_key(title)
        .split_whitespace()
        .filter_map(|w| w.parse::<i32>().ok())
        .find(|y| (1900..2200).contains(y));
    match (quoted, year) {
        (Some(q), Some(y)) => format!("{q} {y}"),
        (Some(q), None) => q,
        _ => crate::text::truncate(title, 60),
    }
}

/// The city or province named with its level in the opening ("Ủy ban nhân
/// dân thành phố Hải Phòng", "… tỉnh Quảng Ninh").
fn province(d: &Draft) -> String {
    let text = d.written.preamble.clone().unwrap_or_default();
    for level in ["thành phố ", "tỉnh "] {
        if let Some(i) = text.find(level) {
            let words: Vec<&str> = text[i + level.len()..]
                .split_whitespace()
                .take_while(|w| w.chars().next().is_some_and(char::is_uppercase))
                .take(3)
                .map(|w| w.trim_end_matches(['.', ',', ';']))
                .collect();
            if !words.is_empty() {
                return words.join(" ");
            }
        }
    }
    String::new()
}

/// "Thực hiện Kế hoạch số 359 /KH-UBND ngày 31/12/2025 của Ủy ban nhân dân
/// thành phố Hải Phòng về Chuyển đổi số năm 2026." → the document referred to.
fn implements(d: &Draft) -> Vec<crate::DocumentRef> {
    let Some(text) = d.written.preamble.as_deref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for sentence in text.split(['.', ';']).map(str::trim) {
        let f = fold_key(sentence);
        if !(f.starts_with("thuc hien ") || f.starts_with("can cu ")) {
            continue;
        }
        // "<Loại> số <số> ngày <ngày> của <cơ quan> về <nội dung>".
        let Some(so) = sentence.find(" số ") else { continue };
        let doc_type = sentence[..so].split_whitespace().skip(2).collect::<Vec<_>>().join(" ");
        let rest = &sentence[so + " số ".len()..];
        let Some(ngay) = rest.find(" ngày ") else { continue };
        let number: String = rest[..ngay].split_whitespace().collect();
        let rest = &rest[ngay + " ngày ".len()..];
        let date_text = rest.split_whitespace().next().unwrap_or("");
        let Some(date) = Day::parse_vn(date_text) else { continue };
        let (issuer, subject) = match rest.split_once(" của ") {
            Some((_, who)) => match who.split_once(" về ") {
                Some((i, s)) => (i.trim().to_string(), s.trim().to_string()),
                None => (who.trim().to_string(), String::new()),
            },
            None => (String::new(), String::new()),
        };
        let doc_type = {
            let mut c = doc_type.chars();
            c.next()
                .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                .unwrap_or_default()
        };
        if doc_type.is_empty() || number.is_empty() {
            continue;
        }
        out.push(crate::DocumentRef {
            doc_type,
            number,
            date,
            issuer,
            subject,
        });
    }
    out
}

/// The plan as a TOML plan file (the format `kehoach plan validate` reads).
pub fn to_toml(plan: &Plan) -> Result<String, String> {
    toml::to_string(plan).map_err(|e| e.to_string())
}
