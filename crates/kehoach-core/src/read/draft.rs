//! A draft read from a plan's text, turned into a plan file the coordinator
//! reviews: units from the names the plan gives (leads, partners, venues,
//! duties; "các thôn", "các trường" as groups), lines with their windows,
//! steps, channels and services, the targets the model can measure with how
//! each is counted (the others stay in the draft as text), budget sources,
//! duties, signer and recipients. Ids come from `import_known`'s catalogue
//! where it knows the thing, else from the words. What the text does not say
//! is left for the review: the plan validator lists it.

use crate::read::known::{self as known, has_words, slug, words};
use crate::read::parse::{ActivityDraft, Draft, TargetDraft};
use crate::text::{capitalize, fold_key, is_slug};
use crate::{
    ActivityLine, BudgetSource, Comparator, Day, DayPart, Header, Item, Measure, Milestone, Period, Plan, RecordKind,
    Roster, SessionKind, Signer, TargetDef, TargetSubject, ThresholdUnit, Unit, UnitDuties, UnitKind, Window,
};

/// Sample villages a plan gets when it works through "các thôn" without
/// naming them (plans never list them): marked sample, as in the embedded
/// plan, for the commune to replace with its own before recording.
const SAMPLE_VILLAGES: usize = 3;

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

/// The order units are listed in: the commune's bodies first, villages last.
fn kind_rank(k: UnitKind) -> usize {
    [
        UnitKind::Commune,
        UnitKind::Agency,
        UnitKind::Police,
        UnitKind::YouthUnion,
        UnitKind::MassOrganisation,
        UnitKind::Cooperative,
        UnitKind::DigitalTeam,
        UnitKind::Project06Team,
        UnitKind::School,
        UnitKind::Community,
        UnitKind::Village,
    ]
    .iter()
    .position(|x| *x == k)
    .unwrap_or(usize::MAX)
}

/// `base`, or `base-2`, `base-3`… : the first that `taken` does not hold.
fn unique_id(base: &str, taken: impl Fn(&str) -> bool) -> String {
    let mut id = base.to_string();
    let mut n = 2;
    while taken(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// The plan's units, in the order first named, with the id given to each.
struct Units {
    list: Vec<Unit>,
    /// "xã" or "phường", for the catalogue's names.
    level: String,
}

impl Units {
    fn add(&mut self, unit: Unit) -> String {
        if let Some(u) = self.list.iter().find(|u| u.id == unit.id) {
            return u.id.clone();
        }
        let id = unit.id.clone();
        self.list.push(unit);
        id
    }

    /// The unit ids and `@groups` a name stands for, adding units on first sight.
    fn resolve(&mut self, name: &str) -> Vec<String> {
        let name = name.trim().trim_end_matches(['.', ';', ',', ':']).trim();
        if name.is_empty() {
            return Vec::new();
        }
        let groups = known::groups(name);
        if !groups.is_empty() {
            return groups.into_iter().map(str::to_string).collect();
        }
        let unit = |id: String, name: &str, kind| Unit {
            id,
            name: name.to_string(),
            short_name: None,
            kind,
            has_smart_classroom: false,
            sample: false,
        };
        if let Some(b) = known::known_body(name) {
            let (id, full, short) = known::body_unit(b, &self.level);
            let mut u = unit(id, &full, b.kind);
            u.short_name = short;
            return vec![self.add(u)];
        }
        if let Some(id) = known::school_id(name) {
            return vec![self.add(unit(id, name, UnitKind::School))];
        }
        if let Some(id) = known::cooperative_id(name) {
            return vec![self.add(unit(id, name, UnitKind::Cooperative))];
        }
        let key = words(name);
        if let Some(u) = self.list.iter().find(|u| words(&u.name) == key) {
            return vec![u.id.clone()];
        }
        let base = slug(name, 6);
        let base = if base.is_empty() { "don-vi".to_string() } else { base };
        let id = unique_id(&base, |id| self.list.iter().any(|u| u.id == id));
        vec![self.add(unit(id, name, kind_of(name)))]
    }

    fn resolve_all<'a>(&mut self, names: impl IntoIterator<Item = &'a String>) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for n in names {
            for id in self.resolve(n) {
                if !out.contains(&id) {
                    out.push(id);
                }
            }
        }
        out
    }
}

/// What kind of sessions a line holds: the title's word for it, else the
/// kind most of its content items name.
fn session_kinds(title: &str, items: &[String]) -> Vec<SessionKind> {
    let t = words(title);
    let has = |p: &str| has_words(&t, p);
    let by_title = if has("cuoc thi") || has("hoi thi") {
        Some(SessionKind::Contest)
    } else if has("hoi nghi")
        || t.starts_with("tong ket")
        || has("trien khai ke hoach")
        || has("le ra quan")
        || has("le phat dong")
    {
        Some(SessionKind::Conference)
    } else {
        // "Mở lớp bình dân học vụ số": classes are training.
        kind_in(&t).or_else(|| has("lop").then_some(SessionKind::Training))
    };
    if let Some(k) = by_title {
        return vec![k];
    }
    // The kind the most items name (the earlier kind on a tie); guidance when none does.
    let named: Vec<Vec<SessionKind>> = items.iter().map(|i| kinds_named(&words(i))).collect();
    let count = |k: &SessionKind| named.iter().filter(|n| n.contains(k)).count();
    let best = CONTENT_KINDS
        .iter()
        .enumerate()
        .filter(|(_, k)| count(k) > 0)
        .max_by_key(|(n, k)| (count(k), std::cmp::Reverse(*n)))
        .map_or(SessionKind::Guidance, |(_, k)| *k);
    vec![best]
}

/// The kinds a line's content can name, in the model's order.
const CONTENT_KINDS: [SessionKind; 4] = [
    SessionKind::Propaganda,
    SessionKind::Guidance,
    SessionKind::Training,
    SessionKind::Experience,
];

/// The session kinds a text's words name, in the model's order.
fn kinds_named(w: &str) -> Vec<SessionKind> {
    let words_of = |k: &SessionKind| -> &[&str] {
        match k {
            SessionKind::Propaganda => &["tuyen truyen"],
            SessionKind::Guidance => &["huong dan", "ho tro"],
            SessionKind::Training => &["tap huan", "boi duong", "lop hoc"],
            SessionKind::Experience => &["trai nghiem"],
            SessionKind::Contest | SessionKind::Conference => &[],
        }
    };
    CONTENT_KINDS
        .into_iter()
        .filter(|k| words_of(k).iter().any(|p| has_words(w, p)))
        .collect()
}

/// The one kind a title names, the most specific first.
fn kind_in(w: &str) -> Option<SessionKind> {
    let k = kinds_named(w);
    [
        SessionKind::Experience,
        SessionKind::Training,
        SessionKind::Propaganda,
        SessionKind::Guidance,
    ]
    .into_iter()
    .find(|x| k.contains(x))
}

fn day(s: &Option<String>) -> Option<Day> {
    s.as_deref().and_then(Day::parse_iso)
}

/// Dated steps written under "Thời gian:" ("Phát động: ngày 01/8/2026.").
fn milestones(a: &ActivityDraft, year: Option<i32>, window: &Window) -> Vec<Milestone> {
    let steps: Vec<(&str, String)> = a
        .written
        .steps
        .iter()
        .filter_map(|s| s.split_once(':'))
        .map(|(n, t)| (n.trim(), t.trim().trim_end_matches(['.', ';']).trim().to_string()))
        .filter(|(n, t)| !n.is_empty() && !t.is_empty())
        .collect();
    if steps.len() < 2 {
        return Vec::new();
    }
    let mut out: Vec<Milestone> = Vec::new();
    for (name, text) in steps {
        let (from, to) = crate::read::parse::span(&text, year);
        let Some(end) = to.or(from) else { continue };
        let deadline = from.is_none();
        // "trước ngày X": from the day after the step before.
        let start = match from {
            Some(f) => f,
            None => out
                .last()
                .map(|m| m.window.end.plus(1))
                .unwrap_or(window.start)
                .min(end),
        };
        let id = unique_id(&known::milestone_id(name), |id| out.iter().any(|m| m.id == id));
        out.push(Milestone {
            id,
            name: name.to_string(),
            text,
            window: Window {
                start,
                end,
                part: None,
                tentative: false,
                deadline,
            },
        });
    }
    out
}

/// "Hình thức" items as channels: "Tuyên truyền trên Cổng thông tin điện
/// tử, Fanpage, Zalo." names three.
fn forms(items: &[String]) -> Vec<Item> {
    let mut out: Vec<Item> = Vec::new();
    for item in items {
        let item = item.trim().trim_end_matches(['.', ';', ',']).trim();
        let labels: Vec<String> = match item.split_once(" trên ") {
            Some((_, list)) if list.contains(", ") => list.split(", ").map(|l| capitalize(l.trim())).collect(),
            _ => vec![item.to_string()],
        };
        for label in labels.into_iter().filter(|l| !l.is_empty()) {
            let id = known::form_id(&label);
            if !out.iter().any(|f| f.id == id) {
                out.push(Item { id, label });
            }
        }
    }
    out
}

/// Venues named in "Địa điểm" that are units (the schools of line 6).
fn venues(location: &str, units: &mut Units, smart: bool) -> Vec<String> {
    let inner = match location.split_once('(') {
        Some((_, r)) => r.rsplit_once(')').map(|(i, _)| i).unwrap_or(r),
        None => location,
    };
    let mut out = Vec::new();
    for piece in inner.split(';') {
        let piece = piece.trim().trim_end_matches(['.', ',']).trim();
        if known::school_id(piece).is_none() {
            continue;
        }
        for id in units.resolve(piece) {
            if smart && let Some(u) = units.list.iter_mut().find(|u| u.id == id) {
                u.has_smart_classroom = true;
            }
            if !out.contains(&id) {
                out.push(id);
            }
        }
    }
    out
}

/// A target's short label: its sentence without figures and comparators.
fn label_of(t: &TargetDraft) -> String {
    let mut text = t.text.trim().trim_end_matches(['.', ';', ':']).trim().to_string();
    for cut in [" trong dịp hè", " trong thời gian nghỉ hè", " trong dịp "] {
        if let Some(i) = text.find(cut) {
            text.truncate(i);
        }
    }
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let is_figure = |w: &str| w.chars().next().is_some_and(|c| c.is_ascii_digit());
    let after_last_figure = || {
        let i = tokens.iter().rposition(|w| is_figure(w)).map_or(0, |i| i + 1);
        tokens[i..].join(" ")
    };
    match t.kind {
        // "… 01 tuần/lớp … ít nhất 01 buổi trải nghiệm …" → "Lớp có buổi trải nghiệm … mỗi tuần".
        Some("rate_per_period") => {
            // "tuần/lớp", not a date such as "01/6".
            let letter = |s: &str| s.chars().next().is_some_and(char::is_alphabetic);
            if let Some((period, subject)) = tokens
                .iter()
                .find_map(|w| w.split_once('/').filter(|(a, b)| letter(a) && letter(b)))
            {
                return format!("{} có {} mỗi {period}", capitalize(subject), after_last_figure());
            }
        }
        // "Mỗi thôn hỗ trợ tối thiểu 200 lượt người dân …" → "Lượt người dân …"
        // (the figure's own text says "mỗi thôn").
        Some("min_per_unit") => return capitalize(&after_last_figure()),
        _ => {}
    }
    let mut keep: Vec<&str> = Vec::new();
    for w in &tokens {
        if is_figure(w) {
            // The comparator before the figure goes with it.
            let folded: Vec<String> = keep.iter().rev().take(2).map(|x| fold_key(x)).collect();
            if folded.first().is_some_and(|x| x == "tren" || x == "hon" || x == "dat") {
                keep.pop();
            } else if folded.len() == 2
                && matches!(
                    (folded[1].as_str(), folded[0].as_str()),
                    ("toi", "thieu") | ("it", "nhat")
                )
            {
                keep.pop();
                keep.pop();
            }
            continue;
        }
        keep.push(w);
    }
    let mut out = keep.join(" ");
    for lead in ["Thu hút ", "Bảo đảm ", "Đảm bảo ", "Phấn đấu "] {
        if let Some(r) = out.strip_prefix(lead) {
            out = r.to_string();
        }
    }
    if let Some(r) = out.strip_prefix("Tổ chức ")
        && ["lớp ", "buổi ", "cuộc ", "đợt "].iter().any(|n| r.starts_with(n))
    {
        out = r.to_string();
    }
    if let Some(r) = out.strip_prefix("các ").or_else(|| out.strip_prefix("Các ")) {
        out = r.to_string();
    }
    out = out.replace(known::OFFICIALS.0, known::OFFICIALS.1);
    capitalize(&out)
}

/// A measurable target from a draft's, or None (left as text in the draft).
/// Its lines are set afterwards (`lines_of`).
fn target_def(id: String, t: &TargetDraft) -> Option<TargetDef> {
    let pop = words(t.unit_or_population.as_deref().unwrap_or(""));
    let all = words(&t.text);
    let has = |w: &str| has_words(&pop, w);
    let comparator = if t.comparator == Some(">") {
        Comparator::Gt
    } else {
        Comparator::Ge
    };
    let threshold = t.threshold?;
    let smart = has_words(&all, "phong hoc thong minh");
    let mut def = TargetDef {
        id,
        text: t.text.clone(),
        label: label_of(t),
        source_line: None,
        measure: Measure::Count,
        records: vec![RecordKind::Session],
        lines: Vec::new(),
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
        unit_target: None,
    };
    // "ít nhất 01 hoạt động": how many each unit needs.
    let at_least = || {
        let m = words(t.measure.as_deref().unwrap_or(""));
        ["it nhat ", "toi thieu "].iter().find_map(|k| {
            let i = m.find(k)?;
            m[i + k.len()..].split(' ').next()?.parse::<u32>().ok()
        })
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
                def.per_unit = Some(at_least().unwrap_or(1));
            } else if has("truong") {
                def.measure = Measure::UnitCoverage;
                def.unit_kind = Some(UnitKind::School);
                def.only_smart_classroom = smart;
                def.per_unit = Some(at_least().unwrap_or(1));
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
            def.only_smart_classroom = smart;
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
    // Sessions of the kinds the sentence names; turns of help have no kind.
    if !def.records.contains(&RecordKind::SupportTurn) && def.roster != Some(Roster::Children) {
        def.session_kinds = kinds_named(&all);
    }
    Some(def)
}

/// A title without its opening verb: "Ra quân hỗ trợ chuyển đổi số cộng
/// đồng." → "ho tro chuyen doi so cong dong".
fn title_core(title: &str) -> String {
    let w = words(title);
    for verb in ["to chuc ", "ra quan ", "trien khai ", "thuc hien ", "mo ", "xay dung "] {
        if let Some(r) = w.strip_prefix(verb) {
            return r.to_string();
        }
    }
    w
}

fn quoted(s: &str) -> Option<String> {
    s.split_once('“')
        .and_then(|(_, r)| r.split_once('”'))
        .map(|(q, _)| words(q))
        .filter(|q| !q.is_empty())
}

/// The lines a target counts: the line that states it; else the lines it
/// names (by title or quoted name); else the lines whose records it counts.
fn lines_of(def: &TargetDef, lines: &[ActivityLine]) -> Vec<String> {
    if let Some(l) = &def.source_line {
        return vec![l.clone()];
    }
    let leaves: Vec<&ActivityLine> = lines
        .iter()
        .filter(|l| !lines.iter().any(|c| c.parent.as_deref() == Some(l.id.as_str())))
        .collect();
    let text = words(&def.text);
    let named: Vec<String> = leaves
        .iter()
        .filter(|l| {
            let core = title_core(&l.title);
            // By its title, or by the name it quotes ("Bình dân học vụ số"), quoted or not in the target.
            (core.split(' ').count() >= 3 && has_words(&text, &core))
                || quoted(&l.title).is_some_and(|lq| has_words(&text, &lq))
        })
        .map(|l| l.id.clone())
        .collect();
    if !named.is_empty() {
        return named;
    }
    let pick = |f: &dyn Fn(&ActivityLine) -> bool| -> Vec<String> {
        leaves.iter().filter(|l| f(l)).map(|l| l.id.clone()).collect()
    };
    if def.roster == Some(Roster::Children) {
        // Lines children attend: not the conferences, not propaganda, not the
        // turn-based help, not the officials' own training.
        return pick(&|l| {
            let t = words(&l.title);
            l.services.is_empty()
                && !has_words(&t, "can bo")
                && !has_words(&t, "cong chuc")
                && l.session_kinds.iter().any(|k| {
                    matches!(
                        k,
                        SessionKind::Guidance | SessionKind::Training | SessionKind::Experience | SessionKind::Contest
                    )
                })
        });
    }
    if !def.session_kinds.is_empty() {
        return pick(&|l| l.session_kinds.iter().any(|k| def.session_kinds.contains(k)));
    }
    if def.records.contains(&RecordKind::SupportTurn) {
        return pick(&|l| l.session_kinds.contains(&SessionKind::Guidance));
    }
    pick(&|l| !l.session_kinds.is_empty())
}

/// Two readings of the same figure (a line's "Chỉ tiêu" restating section IV's).
fn same_target(a: &TargetDraft, b: &TargetDraft) -> bool {
    let (pa, pb) = (
        words(a.unit_or_population.as_deref().unwrap_or("")),
        words(b.unit_or_population.as_deref().unwrap_or("")),
    );
    a.kind == b.kind
        && a.threshold == b.threshold
        && a.comparator == b.comparator
        && !pa.is_empty()
        && !pb.is_empty()
        && (pa.starts_with(&pb) || pb.starts_with(&pa))
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

/// The plan file a draft gives. Ids come from the catalogue or the names;
/// the plan's own id from `file_name` when that is an id already, else from
/// the commune and the title. Targets the model cannot measure stay out
/// (they remain in the draft).
pub fn to_plan(d: &Draft, text: &str, file_name: Option<&str>) -> Plan {
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
    let year = Some(period.end.0.year());
    let mut units = Units {
        list: Vec::new(),
        level: level.clone(),
    };
    if !issuer.is_empty() {
        units.resolve(&issuer);
    }
    let mut lines: Vec<ActivityLine> = Vec::new();
    for a in &d.activities {
        let title_text = if a.written.title.is_empty() {
            a.name.clone()
        } else {
            a.written.title.clone()
        };
        let id = format!("l{}-{}", a.number.replace('.', "-"), known::activity_key(&a.name));
        let from = day(&a.from);
        let to = day(&a.to);
        let time = words(a.written.time.as_deref().unwrap_or(""));
        let window = Window {
            start: from.or(to).unwrap_or(period.start).max(period.start).min(period.end),
            end: to.or(from).unwrap_or(period.end).min(period.end).max(period.start),
            part: if time.starts_with("sang ") {
                Some(DayPart::Morning)
            } else if time.starts_with("chieu ") {
                Some(DayPart::Afternoon)
            } else if time.starts_with("toi ") {
                Some(DayPart::Evening)
            } else {
                None
            },
            tentative: has_words(&time, "du kien"),
            deadline: from.is_none() && to.is_some(),
        };
        let lead = units.resolve_all(&a.lead);
        let partners = units.resolve_all(&a.partners);
        let smart = has_words(
            &words(&format!("{} {}", a.name, a.items.join(" "))),
            "phong hoc thong minh",
        );
        let venues = a
            .written
            .location
            .as_deref()
            .map(|l| venues(l, &mut units, smart))
            .unwrap_or_default();
        let has_children = d
            .activities
            .iter()
            .any(|x| x.number.starts_with(&format!("{}.", a.number)));
        // The line that records citizens helped, one turn at a time (or a
        // sub-line of it: "2.1. Tại nhà văn hóa các thôn"): the services its
        // content names, then those its own or its parent's title names.
        let parent_draft = a.number.rsplit_once('.').and_then(|(p, _)| {
            d.activities
                .iter()
                .take_while(|x| !std::ptr::eq(*x, a))
                .filter(|x| x.number == p)
                .last()
        });
        let support = known::activity_key(&a.name) == "support"
            || parent_draft.is_some_and(|p| known::activity_key(&p.name) == "support");
        let services: Vec<Item> = if support && !has_children {
            let mut out: Vec<Item> = Vec::new();
            let titles = std::iter::once(&a.name).chain(parent_draft.map(|p| &p.name));
            for (id, label) in a.items.iter().chain(titles).flat_map(|i| known::services(i)) {
                if !out.iter().any(|s| s.id == id) {
                    out.push(Item { id, label });
                }
            }
            out
        } else {
            Vec::new()
        };
        // "Chỉ tiêu" as written, and content items that set a figure per unit.
        let mut line_targets = a.written.targets.clone();
        line_targets.extend(
            a.items
                .iter()
                .filter(|i| {
                    fold_key(i).starts_with("moi ")
                        && crate::read::parse::target(i).is_some_and(|t| t.threshold.is_some())
                })
                .cloned(),
        );
        lines.push(ActivityLine {
            id,
            number: a.number.clone(),
            // Set below, once ids are unique.
            parent: None,
            title: title_text,
            time_text: a.written.time.clone(),
            milestones: milestones(a, year, &window),
            window,
            location_text: a.written.location.clone(),
            venues,
            lead_text: a.written.lead.clone().or_else(|| a.lead.clone()),
            lead,
            partners_text: a
                .written
                .partners
                .clone()
                .or_else(|| (!a.partners.is_empty()).then(|| a.partners.join(", "))),
            partners,
            content: a.items.clone(),
            forms: forms(&a.written.forms),
            services,
            requirements: a.written.requirements.clone(),
            line_targets,
            session_kinds: if has_children {
                Vec::new()
            } else {
                session_kinds(&a.name, &a.items)
            },
        });
    }
    // Duplicate line ids (two "6" of the same kind) get a suffix.
    for i in 1..lines.len() {
        let (before, rest) = lines.split_at_mut(i);
        rest[0].id = unique_id(&rest[0].id, |id| before.iter().any(|l| l.id == id));
    }
    // A sub-line's parent: the nearest line above it with the parent number.
    for i in 0..lines.len() {
        if let Some(p) = lines[i].number.rsplit_once('.').map(|(p, _)| p.to_string()) {
            lines[i].parent = lines[..i].iter().rev().find(|l| l.number == p).map(|l| l.id.clone());
        }
    }
    let targets = targets(d, &lines);
    let budget_texts = if d.written.budget.len() == d.budget_sources.len() {
        &d.written.budget
    } else {
        &d.budget_sources
    };
    let mut budget_sources: Vec<BudgetSource> = Vec::new();
    for b in budget_texts {
        let id = unique_id(&known::budget_id(b), |id| budget_sources.iter().any(|x| x.id == id));
        budget_sources.push(BudgetSource { id, text: b.clone() });
    }
    let duties = d
        .responsibilities
        .iter()
        .filter(|r| !r.duties.is_empty())
        .enumerate()
        .map(|(i, r)| UnitDuties {
            number: (i + 1).to_string(),
            heading: if r.heading.is_empty() {
                r.unit.clone()
            } else {
                r.heading.clone()
            },
            units: units.resolve(&r.unit),
            request_only: fold_key(&r.heading).starts_with("de nghi "),
            items: r.duties.clone(),
        })
        .collect::<Vec<_>>();
    let mut unit_list = units.list;
    unit_list.sort_by_key(|u| kind_rank(u.kind));
    let names_villages = lines
        .iter()
        .flat_map(|l| l.lead.iter().chain(&l.partners))
        .chain(duties.iter().flat_map(|x| &x.units))
        .any(|g| g == "@village")
        || targets.iter().any(|t| t.unit_kind == Some(UnitKind::Village));
    if names_villages && !unit_list.iter().any(|u| u.kind == UnitKind::Village) {
        // A ward's residential groups, a commune's villages.
        let (id, name) = if level == "phường" {
            ("to-dan-pho-mau", "Tổ dân phố mẫu")
        } else {
            ("thon-mau", "Thôn mẫu")
        };
        for k in 1..=SAMPLE_VILLAGES {
            unit_list.push(Unit {
                id: format!("{id}-{k}"),
                name: format!("{name} {k} (dữ liệu mẫu)"),
                short_name: None,
                kind: UnitKind::Village,
                has_smart_classroom: false,
                sample: true,
            });
        }
    }
    let short = short_title(&title);
    let id = file_name.and_then(id_from_file_name).unwrap_or_else(|| {
        let s = slug(&format!("{commune} {short}"), 12);
        if s.is_empty() { "ke-hoach".to_string() } else { s }
    });
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
            short_title: short,
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
        units: unit_list,
        lines,
        targets,
        budget_sources,
        duties,
        signer,
        recipients,
    }
}

/// A plan id from the name of the file it was read from, when that name is
/// already an id ("vinh-thinh-mua-he-so-2026.txt" → the seed plan's id).
pub fn id_from_file_name(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next()?;
    let stem = base.split('.').next()?;
    (stem.len() >= 3 && is_slug(stem)).then(|| stem.to_string())
}

/// What became of the thresholds a draft read: targets of the plan, a line's
/// restatement of one (it is that target's source line), or text the
/// model cannot count, left to the review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetFates {
    pub measured: usize,
    pub restated: usize,
    pub as_text: usize,
}

pub fn target_fates(d: &Draft, plan: &Plan) -> TargetFates {
    let restated = d
        .targets
        .iter()
        .filter(|t| !plan.targets.iter().any(|p| p.text == t.text))
        .filter(|t| {
            plan.lines.iter().any(|l| {
                l.line_targets.contains(&t.text)
                    && plan
                        .targets
                        .iter()
                        .any(|p| p.source_line.as_deref() == Some(l.id.as_str()))
            })
        })
        .count();
    TargetFates {
        measured: plan.targets.len(),
        restated,
        as_text: d.targets.len().saturating_sub(plan.targets.len() + restated),
    }
}

/// Section IV's targets (T1, T2, …), each with the line that states it when
/// a line's "Chỉ tiêu" restates it; then the figures only lines state: a
/// line's "Yêu cầu" (R6 for line 6), a line's "Chỉ tiêu" (C6).
fn targets(d: &Draft, lines: &[ActivityLine]) -> Vec<TargetDef> {
    let line_of = |t: &TargetDraft| {
        d.activities
            .iter()
            .position(|a| a.lines.from <= t.lines.from && t.lines.to <= a.lines.to)
    };
    let section: Vec<&TargetDraft> = d.targets.iter().filter(|t| line_of(t).is_none()).collect();
    let mut defs: Vec<(TargetDef, &TargetDraft)> = Vec::new();
    for t in &section {
        if let Some(def) = target_def(format!("T{}", defs.len() + 1), t) {
            defs.push((def, t));
        }
    }
    let mut own: Vec<TargetDef> = Vec::new();
    for t in d.targets.iter() {
        let Some(i) = line_of(t) else { continue };
        let (a, line) = (&d.activities[i], &lines[i]);
        if let Some((def, _)) = defs.iter_mut().find(|(_, s)| same_target(s, t)) {
            def.source_line.get_or_insert_with(|| line.id.clone());
            continue;
        }
        let tw = words(&t.text);
        let required = a.written.requirements.iter().any(|r| words(r).contains(&tw));
        let base = format!("{}{}", if required { "R" } else { "C" }, a.number.replace('.', "-"));
        let id = unique_id(&base, |id| own.iter().any(|x| x.id == id));
        if let Some(mut def) = target_def(id, t) {
            def.source_line = Some(line.id.clone());
            own.push(def);
        }
    }
    let mut out: Vec<TargetDef> = defs.into_iter().map(|(d, _)| d).chain(own).collect();
    for def in &mut out {
        def.lines = lines_of(def, lines);
        if def.roster == Some(Roster::Children)
            && def.lines.iter().any(|id| {
                lines
                    .iter()
                    .any(|l| &l.id == id && l.session_kinds.contains(&SessionKind::Contest))
            })
        {
            def.records.push(RecordKind::ContestEntry);
        }
    }
    out
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
        let doc_type = capitalize(&doc_type);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(text: &str, kind: &'static str, unit: &str) -> TargetDraft {
        TargetDraft {
            text: text.into(),
            kind: Some(kind),
            unit_or_population: Some(unit.into()),
            ..Default::default()
        }
    }

    #[test]
    fn labels_drop_figures_and_comparators() {
        for (text, kind, unit, want) in [
            (
                "Thu hút trên 80% thanh thiếu nhi tham gia các hoạt động hè gắn với chuyển đổi số.",
                "coverage_percent",
                "thanh thiếu nhi",
                "Thanh thiếu nhi tham gia các hoạt động hè gắn với chuyển đổi số",
            ),
            (
                "Tổ chức tối thiểu 02 lớp tập huấn kỹ năng số cho cán bộ, công chức, viên chức.",
                "count",
                "lớp",
                "Lớp tập huấn kỹ năng số cho CBCCVC",
            ),
            (
                "Từ ngày 01/6, bảo đảm tối thiểu 01 tuần/lớp được tham gia ít nhất 01 buổi trải nghiệm.",
                "rate_per_period",
                "lớp",
                "Lớp có buổi trải nghiệm mỗi tuần",
            ),
            (
                "Mỗi thôn hỗ trợ tối thiểu 200 lượt người dân tiếp cận các dịch vụ số.",
                "min_per_unit",
                "thôn",
                "Lượt người dân tiếp cận các dịch vụ số",
            ),
        ] {
            assert_eq!(label_of(&draft(text, kind, unit)), want, "{text}");
        }
    }
}
