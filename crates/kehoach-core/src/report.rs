//! The summary report (báo cáo tổng kết) as a model: the header of an
//! administrative document (Decree 30/2020/NĐ-CP), a body of headings,
//! paragraphs and tables, the recipients and the signer. Every figure comes
//! from the engine's standings and facts as of one date, so the report says
//! what the board says; renderers (DOCX, PDF, HTML) only lay it out.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::engine::{FactUnit, Facts, Standing, Status, sessions_per_line, unit_totals};
use crate::text::{vn_int, vn_num};
use crate::{Day, Measure, Plan, Roster, Signer, TargetDef, ThresholdUnit, UnitKind};

/// A report ready to lay out.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Report {
    /// The parent body above the issuer, upright and not bold (Decree 30,
    /// II.2a): "ỦY BAN NHÂN DÂN XÃ VĨNH THỊNH" above a village's name.
    pub issuer_parent: Option<String>,
    /// The issuing body, upper case, one line each: "ỦY BAN NHÂN DÂN", "XÃ VĨNH THỊNH".
    pub issuer_lines: Vec<String>,
    /// "Số:      /BC-UBND" (the number is written in by the office; the blank is no-break spaces).
    pub number: String,
    /// "Vĩnh Thịnh, ngày 25 tháng 8 năm 2026".
    pub place_date: String,
    /// "BÁO CÁO".
    pub kind: String,
    /// The summary line under the kind (trích yếu).
    pub title: String,
    pub blocks: Vec<Block>,
    pub recipients: Vec<String>,
    pub signer: Signer,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "type", content = "content", rename_all = "snake_case")]
pub enum Block {
    /// "I. KẾT QUẢ THỰC HIỆN" (level 1, upper case) or "1. Kết quả …" (level 2).
    Heading {
        level: u8,
        text: String,
    },
    Para(String),
    Table(Table),
    Chart(Chart),
}

/// A chart of the report, drawn by each renderer from the same figures.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Chart {
    pub id: String,
    pub caption: String,
    pub kind: ChartKind,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ChartKind {
    /// A horizontal bar per label against a goal: turns per village (T6).
    Bars {
        bars: Vec<(String, f64)>,
        goal: Option<f64>,
        /// "lượt".
        unit: String,
    },
    /// Counts per row and column, a cell met when it reaches `per`: classes × weeks (R6).
    Grid {
        columns: Vec<String>,
        rows: Vec<(String, Vec<u32>)>,
        per: u32,
    },
}

/// A table with its column headers and widths (millimetres of the text area).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Table {
    /// Stable id for readers and tests: "targets", "villages".
    pub id: String,
    pub caption: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<String>>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Column {
    pub header: String,
    pub width_mm: f32,
    pub numeric: bool,
}

fn col(header: &str, width_mm: f32, numeric: bool) -> Column {
    Column {
        header: header.into(),
        width_mm,
        numeric,
    }
}

/// What the summary needs besides the engine's results.
pub struct SummaryInput<'a> {
    pub plan: &'a Plan,
    pub facts: &'a Facts,
    /// `engine::board(plan, facts, as_of)`, in the plan's target order.
    pub standings: &'a [Standing],
    pub as_of: Day,
    /// The date printed in the header.
    pub signed_on: Day,
    /// Display name of a unit or class id.
    pub name: &'a dyn Fn(&str) -> String,
    /// Some units are sample data (not the commune's real ones): the report says so.
    pub has_sample_units: bool,
    /// Sections the coordinator wrote, by key of [`REPORT_SECTIONS`].
    pub texts: &'a BTreeMap<String, String>,
    /// Money per activity line, by line id.
    pub budget: &'a BTreeMap<String, BudgetLine>,
    /// Propaganda log entries per channel (a line's form id) up to `as_of`.
    pub propaganda: &'a BTreeMap<String, i64>,
    /// The contests' entries and published winners up to `as_of`.
    pub contests: &'a [ContestResult],
    /// Youth-union members' support turns and shifts up to `as_of`.
    pub volunteers: &'a [VolunteerTally],
    /// Attendance, planned sessions and volunteer teams up to `as_of`.
    pub activity: &'a ActivityCounts,
}

/// Counts the report states beside the facts of the board.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ActivityCounts {
    /// Attendances recorded at held sessions, per line.
    pub participants: BTreeMap<String, u64>,
    /// Sessions still planned (not held, not cancelled), per line.
    pub planned: BTreeMap<String, u64>,
    /// Volunteer teams: name, members, the day launched.
    pub teams: Vec<(String, u64, Option<Day>)>,
    /// Attendances at held sessions, per unit holding the session.
    pub participants_by_unit: BTreeMap<String, u64>,
    /// Live support turns per line and service.
    pub turns_by_service: BTreeMap<(String, String), u64>,
}

/// What one youth-union member did: turns recorded from their account and
/// volunteer shifts they took.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VolunteerTally {
    pub name: String,
    pub turns: u64,
    pub shifts: u64,
}

/// A contest's entries and, once published, its winners.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ContestResult {
    pub line_id: String,
    /// Live entries submitted up to the report's date.
    pub entries: u32,
    /// In the order of the contest's prizes.
    pub winners: Vec<ContestWinner>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ContestWinner {
    pub prize: String,
    /// The person's or group's name.
    pub name: String,
    /// School, village or unit, as shown on the certificate.
    pub affiliation: Option<String>,
    pub title: String,
}

impl ContestWinner {
    /// "Giải Nhất: Nguyễn Văn A (Thôn mẫu 1) với bài “…”".
    pub fn text(&self) -> String {
        let who = match &self.affiliation {
            Some(a) => format!("{} ({a})", self.name),
            None => self.name.clone(),
        };
        format!("{}: {who} với bài “{}”", self.prize, self.title)
    }
}

/// Money of one activity line, in đồng (None: not entered).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct BudgetLine {
    pub estimate: Option<i64>,
    pub spent: Option<i64>,
    pub contributions: Option<i64>,
}

/// The parts of the report the coordinator may write: key, heading, and
/// what goes there. Without a text, sections 1, 2, V and VI are built from
/// the figures; 3 and 4 appear only when written.
pub const REPORT_SECTIONS: [(&str, &str, &str); 6] = [
    ("uu-diem", "Ưu điểm", "Những kết quả nổi bật, cách làm hay."),
    ("han-che", "Tồn tại, hạn chế", "Những việc chưa đạt, đơn vị còn chậm."),
    (
        "nguyen-nhan",
        "Nguyên nhân",
        "Nguyên nhân khách quan và chủ quan của hạn chế.",
    ),
    ("bai-hoc", "Bài học kinh nghiệm", "Những điều rút ra cho các năm sau."),
    (
        "phuong-huong",
        "Phương hướng, nhiệm vụ thời gian tới",
        "Việc cần làm tiếp (mục V).",
    ),
    (
        "de-xuat",
        "Đề xuất, kiến nghị",
        "Đề xuất khen thưởng, kiến nghị cấp trên (mục VI).",
    ),
];

/// A written text as paragraphs: one per non-empty line, spaces tidied.
pub fn paragraphs(text: &str) -> Vec<String> {
    text.lines()
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

/// "ngày 05 tháng 8 năm 2026" as Decree 30 writes it: days under 10 and
/// months 1–2 with a leading zero.
pub fn long_date(d: Day) -> String {
    let day = d.0.day();
    let month = u8::from(d.0.month());
    let month = if month <= 2 {
        format!("{month:02}")
    } else {
        month.to_string()
    };
    format!("ngày {day:02} tháng {month} năm {}", d.0.year())
}

/// A figure with its unit as reports write it: "63,2 %", "150 lượt".
/// Counts of turns, sessions and classes are whole numbers in every text
/// (a pace of 185,5 turns is written 186: what must be reached); shares
/// keep one decimal.
pub fn figure(t: &TargetDef, v: f64) -> String {
    match t.threshold_unit {
        ThresholdUnit::Percent => format!("{} %", vn_num(v, 1)),
        u => format!("{} {}", vn_num((v - 1e-9).ceil(), 0), u.label()),
    }
}

/// The result against the threshold, in per cent of the threshold.
pub fn share_of_goal(t: &TargetDef, value: f64) -> Option<f64> {
    (t.threshold > 0.0).then(|| value / t.threshold * 100.0)
}

/// "Đạt" / "Chưa đạt" and the like for the targets table.
pub fn verdict(s: &Standing) -> &'static str {
    match s.status {
        Status::Met => "Đạt",
        Status::NotYet => "Chưa đến thời gian",
        Status::NotStarted => "Chưa thực hiện",
        Status::Failed => "Không đạt",
        Status::OnTrack => "Đang thực hiện, đúng tiến độ",
        Status::Behind => "Đang thực hiện, chậm tiến độ",
        Status::AtRisk => "Có nguy cơ không đạt",
    }
}

/// How a target that every unit must reach (T6: "mỗi thôn ≥ 200 lượt")
/// reads on every surface (board, public page, report, unit reports): how
/// many units reached it, the lowest unit by name, and the commune's total:
/// "1/3 thôn đạt 200 lượt; thấp nhất Thôn A 28 lượt; toàn xã 422 lượt".
/// One number can no longer mean two things.
pub fn min_per_unit_reading(t: &TargetDef, s: &Standing, name: &dyn Fn(&str) -> String) -> String {
    let units = &s.value.per_unit;
    let reached = units.iter().filter(|u| u.met).count();
    let word = match t.unit_kind {
        Some(crate::UnitKind::Village) => "thôn",
        Some(crate::UnitKind::School) => "trường",
        _ => "đơn vị",
    };
    let op = match t.comparator {
        crate::Comparator::Gt => "trên ",
        crate::Comparator::Ge => "",
    };
    let mut out = format!("{reached}/{} {word} đạt {op}{}", units.len(), figure(t, t.threshold));
    if let Some(low) = units
        .iter()
        .min_by(|a, b| a.value.total_cmp(&b.value).then_with(|| a.id.cmp(&b.id)))
    {
        out.push_str(&format!("; thấp nhất {} {}", name(&low.id), figure(t, low.value)));
    }
    out.push_str(&format!("; toàn xã {}", figure(t, s.value.numerator)));
    out
}

fn threshold_text(t: &TargetDef) -> String {
    let op = match t.comparator {
        crate::Comparator::Gt => "trên ",
        crate::Comparator::Ge => "",
    };
    let per = match t.measure {
        Measure::MinPerUnit => " mỗi đơn vị",
        _ => "",
    };
    format!("{op}{}{per}", figure(t, t.threshold))
}

/// The summary report as of `input.as_of`.
pub fn summary(input: &SummaryInput) -> Report {
    let plan = input.plan;
    let h = &plan.plan;
    let s = Shared::new(input);
    let mut b = opening(&s);
    b.extend(situation(&s));
    b.extend(direction(&s));
    b.extend(results(&s));
    b.extend(charts(&s));
    b.extend(assessment_to_proposals(&s));
    Report {
        issuer_parent: None,
        issuer_lines: vec![
            "ỦY BAN NHÂN DÂN".into(),
            format!("{} {}", h.commune_level, h.commune).to_uppercase(),
        ],
        // No-break spaces: the blank where the office writes the number.
        number: format!("Số:{}/BC-UBND", "\u{a0}".repeat(12)),
        place_date: format!("{}, {}", h.commune, long_date(input.signed_on)),
        kind: "BÁO CÁO".into(),
        title: format!("Kết quả thực hiện Kế hoạch {}", h.title),
        blocks: b,
        recipients: plan.recipients.iter().map(|r| tidy_punctuation(r)).collect(),
        signer: plan.signer.clone(),
    }
}

/// What the sections of the summary share, computed once.
struct Shared<'a> {
    input: &'a SummaryInput<'a>,
    /// Active units.
    active: Vec<&'a FactUnit>,
    /// Active villages.
    villages: Vec<&'a FactUnit>,
    /// Turns and sessions per unit up to the day.
    totals: BTreeMap<String, (u64, u64)>,
    /// The per-unit minimum target (T6) and its standing, when the plan has one.
    per_unit: Option<(&'a TargetDef, &'a Standing)>,
}

impl<'a> Shared<'a> {
    fn new(input: &'a SummaryInput<'a>) -> Shared<'a> {
        let active: Vec<&FactUnit> = input.facts.units.iter().filter(|u| u.active).collect();
        let villages = active.iter().copied().filter(|u| u.kind == UnitKind::Village).collect();
        Shared {
            input,
            villages,
            active,
            totals: unit_totals(input.facts, input.as_of),
            per_unit: input
                .plan
                .targets
                .iter()
                .zip(input.standings)
                .find(|(t, _)| t.measure == Measure::MinPerUnit),
        }
    }
}

/// The sample-data note and the opening: the plan this report answers.
fn opening(s: &Shared) -> Vec<Block> {
    let input = s.input;
    let plan = input.plan;
    let h = &plan.plan;
    let as_of = input.as_of;
    let mut b: Vec<Block> = Vec::new();
    let para = |s: String| Block::Para(s);
    if input.has_sample_units {
        b.push(para(
            "(Lưu ý: báo cáo có đơn vị và số liệu mẫu, dùng để thử hệ thống, không phải số liệu thật của xã.)".into(),
        ));
    }

    // Opening: the plan this report answers.
    let plan_ref = match (&h.number, h.issued_on) {
        (Some(n), Some(d)) => format!("Kế hoạch số {n} ngày {} của {}", d.vn(), h.issuer),
        (Some(n), None) => format!("Kế hoạch số {n} của {}", h.issuer),
        _ => format!("Kế hoạch của {}", h.issuer),
    };
    b.push(para(format!(
        "Thực hiện {plan_ref} về {}, {} báo cáo kết quả thực hiện từ ngày {} đến ngày {} như sau:",
        h.title,
        h.issuer,
        h.period.start.vn(),
        as_of.min(h.period.end).vn()
    )));

    b
}

/// I. Situation: units and rosters.
fn situation(s: &Shared) -> Vec<Block> {
    let input = s.input;
    let plan = input.plan;
    let h = &plan.plan;
    let active = &s.active;
    let mut b: Vec<Block> = Vec::new();
    let heading = |level: u8, text: &str| Block::Heading {
        level,
        text: text.to_string(),
    };
    let para = |s: String| Block::Para(s);
    // I. Situation: units and rosters.
    b.push(heading(1, "I. ĐẶC ĐIỂM TÌNH HÌNH"));
    let count = |k: UnitKind| active.iter().filter(|u| u.kind == k).count();
    let smart = active
        .iter()
        .filter(|u| u.kind == UnitKind::School && u.has_smart_classroom)
        .count();
    b.push(para(format!(
        "Kế hoạch được triển khai trong thời gian {}, gồm {} nhóm hoạt động và {} chỉ tiêu, với sự tham gia của {} đơn vị: {} thôn, {} trường học ({} trường có phòng học thông minh) và {} cơ quan, đoàn thể, tổ công tác.",
        h.period.vn(),
        plan.lines.iter().filter(|l| l.parent.is_none()).count(),
        plan.targets.len(),
        active.len(),
        count(UnitKind::Village),
        count(UnitKind::School),
        smart,
        active.len() - count(UnitKind::Village) - count(UnitKind::School),
    )));
    let mut rosters: BTreeMap<Roster, u32> = BTreeMap::new();
    for r in &input.facts.roster_sizes {
        *rosters.entry(r.roster).or_default() += r.count;
    }
    let roster_text: Vec<String> = Roster::ALL
        .iter()
        .filter_map(|r| {
            rosters
                .get(r)
                .filter(|n| **n > 0)
                .map(|n| format!("{} {}", vn_int(*n as i64), r.label()))
        })
        .collect();
    if !roster_text.is_empty() {
        b.push(para(format!(
            "Danh sách đối tượng đã cập nhật trên hệ thống: {}.",
            roster_text.join("; ")
        )));
    }

    b
}

/// II. Direction: the plan issued, sessions by line.
fn direction(s: &Shared) -> Vec<Block> {
    let input = s.input;
    let plan = input.plan;
    let h = &plan.plan;
    let as_of = input.as_of;
    let mut b: Vec<Block> = Vec::new();
    let heading = |level: u8, text: &str| Block::Heading {
        level,
        text: text.to_string(),
    };
    let para = |s: String| Block::Para(s);
    // II. Direction: the plan issued, sessions by line.
    b.push(heading(1, "II. CÔNG TÁC CHỈ ĐẠO, TRIỂN KHAI"));
    b.push(para(format!(
        "{} đã ban hành Kế hoạch {}, phân công nhiệm vụ cụ thể cho {} nhóm cơ quan, đơn vị; các đơn vị ghi nhận kết quả trực tiếp trên hệ thống theo dõi kế hoạch, làm cơ sở tổng hợp báo cáo này.",
        h.issuer,
        h.title,
        plan.duties.len()
    )));

    let channels: Vec<String> = plan
        .lines
        .iter()
        .flat_map(|l| l.forms.iter())
        .filter_map(|f| {
            input
                .propaganda
                .get(&f.id)
                .filter(|n| **n > 0)
                .map(|n| format!("{}: {}", f.label, vn_int(*n)))
        })
        .collect();
    if !channels.is_empty() {
        b.push(para(format!(
            "Công tác tuyên truyền được ghi nhận theo từng kênh: {}.",
            channels.join("; ")
        )));
    }
    let teams = &input.activity.teams;
    if !teams.is_empty() {
        let members: u64 = teams.iter().map(|t| t.1).sum();
        let mut launched: Vec<Day> = teams.iter().filter_map(|t| t.2).filter(|d| *d <= as_of).collect();
        launched.sort();
        launched.dedup();
        let launch = if launched.is_empty() {
            String::new()
        } else {
            format!(
                "; {} đội hình đã ra quân (ngày {})",
                vn_int(teams.iter().filter(|t| t.2.is_some_and(|d| d <= as_of)).count() as i64),
                launched.iter().map(|d| d.vn()).collect::<Vec<_>>().join(", ")
            )
        };
        b.push(para(format!(
            "Thành lập {} đội hình thanh niên tình nguyện với {} đoàn viên tham gia{launch}.",
            vn_int(teams.len() as i64),
            vn_int(members as i64)
        )));
    }

    b
}

/// III. Results: activities, the targets table, the per-village table.
fn results(s: &Shared) -> Vec<Block> {
    let input = s.input;
    let plan = input.plan;
    let as_of = input.as_of;
    let name = input.name;
    let (villages, totals, per_unit) = (&s.villages, &s.totals, s.per_unit);
    let mut b: Vec<Block> = Vec::new();
    let heading = |level: u8, text: &str| Block::Heading {
        level,
        text: text.to_string(),
    };
    let para = |s: String| Block::Para(s);
    // III. Results.
    b.push(heading(1, "III. KẾT QUẢ THỰC HIỆN"));
    b.push(heading(2, "1. Kết quả thực hiện các hoạt động"));
    let held = sessions_per_line(input.facts, as_of);
    let mut turns_by_line: BTreeMap<&str, u64> = BTreeMap::new();
    for t in input.facts.turns.iter().filter(|t| t.day <= as_of) {
        *turns_by_line.entry(t.line_id.as_str()).or_default() += t.n as u64;
    }
    for line in &plan.lines {
        let n = held.get(&line.id).copied().unwrap_or(0);
        let turns = turns_by_line.get(line.id.as_str()).copied().unwrap_or(0);
        let mut parts = Vec::new();
        if n > 0 {
            let mut held_text = format!("đã tổ chức {} buổi", vn_int(n as i64));
            // Class sessions (smart classrooms): by school.
            let mut by_school: BTreeMap<&str, u64> = BTreeMap::new();
            for s in input
                .facts
                .sessions
                .iter()
                .filter(|s| s.line_id == line.id && s.class_id.is_some() && s.day <= as_of)
            {
                *by_school.entry(s.unit_id.as_str()).or_default() += s.n as u64;
            }
            if !by_school.is_empty() {
                held_text.push_str(&format!(
                    " (theo trường: {})",
                    by_school
                        .iter()
                        .map(|(u, k)| format!("{} {} buổi", name(u), vn_int(*k as i64)))
                        .collect::<Vec<_>>()
                        .join("; ")
                ));
            }
            parts.push(held_text);
        }
        if let Some(p) = input.activity.participants.get(&line.id).filter(|p| **p > 0) {
            parts.push(format!("{} lượt người tham dự được điểm danh", vn_int(*p as i64)));
        }
        if let Some(p) = input.activity.planned.get(&line.id).filter(|p| **p > 0) {
            parts.push(format!("{} buổi đang dự kiến", vn_int(*p as i64)));
        }
        if turns > 0 {
            let by_service: Vec<String> = line
                .services
                .iter()
                .filter_map(|sv| {
                    let n = *input.activity.turns_by_service.get(&(line.id.clone(), sv.id.clone()))?;
                    (n > 0).then(|| format!("{} {}", sv.label, vn_int(n as i64)))
                })
                .collect();
            if by_service.is_empty() {
                parts.push(format!("hỗ trợ {} lượt người dân", vn_int(turns as i64)));
            } else {
                parts.push(format!(
                    "hỗ trợ {} lượt người dân (theo dịch vụ: {})",
                    vn_int(turns as i64),
                    by_service.join("; ")
                ));
            }
        }
        if let Some(c) = input.contests.iter().find(|c| c.line_id == line.id) {
            if c.entries > 0 {
                parts.push(format!("nhận {} bài dự thi", vn_int(c.entries as i64)));
            }
            if !c.winners.is_empty() {
                parts.push(format!(
                    "đã trao {} giải ({})",
                    vn_int(c.winners.len() as i64),
                    c.winners.iter().map(ContestWinner::text).collect::<Vec<_>>().join("; ")
                ));
            }
        }
        if parts.is_empty() {
            if line.window.start > as_of {
                parts.push(format!("chưa đến thời gian thực hiện ({})", line.window.vn()));
            } else if !plan.lines.iter().any(|x| x.parent.as_deref() == Some(line.id.as_str())) {
                parts.push("chưa có kết quả được ghi nhận trên hệ thống".into());
            } else {
                continue;
            }
        }
        b.push(para(format!("{}: {}.", line.label(), parts.join(", "))));
    }

    b.push(heading(2, "2. Kết quả thực hiện các chỉ tiêu"));
    b.push(para(format!(
        "Kết quả tính đến ngày {} so với các chỉ tiêu của Kế hoạch:",
        as_of.vn()
    )));
    b.push(Block::Table(targets_table(plan, input.standings, as_of, name)));

    // Per-village table against the per-unit minimum (T6), when the plan has one.
    if !villages.is_empty() {
        let mut rows: Vec<Vec<String>> = Vec::new();
        for (i, v) in villages.iter().enumerate() {
            let (turns, sessions) = totals.get(&v.id).copied().unwrap_or_default();
            let verdict = per_unit
                .map(|(t, s)| {
                    let met = s.value.per_unit.iter().find(|x| x.id == v.id).is_some_and(|x| x.met);
                    if met {
                        "Đạt".to_string()
                    } else {
                        format!("Chưa đạt ({} lượt)", vn_num(t.threshold, 0))
                    }
                })
                .unwrap_or_default();
            let attended = input.activity.participants_by_unit.get(&v.id).copied().unwrap_or(0);
            rows.push(vec![
                (i + 1).to_string(),
                name(&v.id),
                vn_int(sessions as i64),
                vn_int(attended as i64),
                vn_int(turns as i64),
                verdict,
            ]);
        }
        b.push(Block::Table(Table {
            id: "villages".into(),
            caption: "Bảng 2. Kết quả theo thôn".into(),
            columns: vec![
                col("STT", 11.0, true),
                col("Thôn", 44.0, false),
                col("Số buổi", 20.0, true),
                col("Lượt tham dự", 24.0, true),
                col("Lượt người dân được hỗ trợ", 32.0, true),
                col("Đánh giá", 34.0, false),
            ],
            rows,
        }));
    }

    b
}

/// III. Charts: turns per village against the per-village minimum; the class × week grid; the budget.
fn charts(s: &Shared) -> Vec<Block> {
    let input = s.input;
    let plan = input.plan;
    let name = input.name;
    let (villages, totals, per_unit) = (&s.villages, &s.totals, s.per_unit);
    let mut b: Vec<Block> = Vec::new();
    let heading = |level: u8, text: &str| Block::Heading {
        level,
        text: text.to_string(),
    };
    let para = |s: String| Block::Para(s);
    // Charts: turns per village against the per-village minimum; the class × week grid.
    if !villages.is_empty() {
        b.push(Block::Chart(Chart {
            id: "village-turns".into(),
            caption: "Biểu đồ 1. Lượt người dân được hỗ trợ theo thôn".into(),
            kind: ChartKind::Bars {
                bars: villages
                    .iter()
                    .map(|v| (name(&v.id), totals.get(&v.id).map(|x| x.0).unwrap_or(0) as f64))
                    .collect(),
                goal: per_unit.map(|(t, _)| t.threshold),
                unit: "lượt".into(),
            },
        }));
    }
    for (t, st) in plan
        .targets
        .iter()
        .zip(input.standings)
        .filter(|(t, s)| t.measure == Measure::RatePerUnitPeriod && !s.value.grid.is_empty())
    {
        let weeks = st.value.grid.iter().map(Vec::len).max().unwrap_or(0);
        b.push(Block::Chart(Chart {
            id: format!("grid-{}", t.id.to_lowercase()),
            caption: format!("Biểu đồ 2. {} ({}): các tuần có buổi của từng lớp", t.label, t.id),
            kind: ChartKind::Grid {
                // Week numbers under a "Tuần" heading: "T1…" read as target codes.
                columns: (1..=weeks).map(|w| w.to_string()).collect(),
                rows: st
                    .value
                    .per_unit
                    .iter()
                    .zip(&st.value.grid)
                    .map(|(c, row)| (name(&c.id), row.clone()))
                    .collect(),
                per: t.per_unit.unwrap_or(1),
            },
        }));
    }

    b.push(heading(2, "3. Kinh phí thực hiện"));
    if !input.budget.is_empty() {
        let money = |v: Option<i64>| v.map(vn_int).unwrap_or_default();
        let mut rows: Vec<Vec<String>> = Vec::new();
        let (mut e, mut s, mut c) = (0i64, 0i64, 0i64);
        for line in plan.lines.iter().filter(|l| input.budget.contains_key(&l.id)) {
            let m = &input.budget[&line.id];
            e += m.estimate.unwrap_or(0);
            s += m.spent.unwrap_or(0);
            c += m.contributions.unwrap_or(0);
            rows.push(vec![
                (rows.len() + 1).to_string(),
                line.label(),
                money(m.estimate),
                money(m.spent),
                money(m.contributions),
            ]);
        }
        rows.push(vec![String::new(), "Tổng cộng".into(), vn_int(e), vn_int(s), vn_int(c)]);
        b.push(para(format!(
            "Tổng kinh phí đã chi {} đồng trên dự toán {} đồng; nguồn xã hội hóa {} đồng.",
            vn_int(s),
            vn_int(e),
            vn_int(c)
        )));
        b.push(Block::Table(Table {
            id: "budget".into(),
            caption: "Bảng 3. Kinh phí thực hiện (đồng)".into(),
            columns: vec![
                col("STT", 11.0, true),
                col("Hoạt động", 64.0, false),
                col("Dự toán", 30.0, true),
                col("Đã chi", 30.0, true),
                col("Xã hội hóa", 30.0, true),
            ],
            rows,
        }));
    }
    if plan.budget_sources.is_empty() {
        b.push(para("Kế hoạch không quy định nguồn kinh phí riêng.".into()));
    } else {
        b.push(para(format!(
            "Kinh phí thực hiện từ các nguồn theo Kế hoạch: {}.",
            plan.budget_sources
                .iter()
                .map(|s| s.text.trim_end_matches(['.', ';']).to_string())
                .collect::<Vec<_>>()
                .join("; ")
        )));
    }

    b
}

/// IV–VI: assessment, directions and proposals, pre-filled from the figures unless the coordinator wrote them.
fn assessment_to_proposals(s: &Shared) -> Vec<Block> {
    let input = s.input;
    let plan = input.plan;
    let h = &plan.plan;
    let name = input.name;
    let (villages, totals, per_unit) = (&s.villages, &s.totals, s.per_unit);
    let mut b: Vec<Block> = Vec::new();
    let heading = |level: u8, text: &str| Block::Heading {
        level,
        text: text.to_string(),
    };
    let para = |s: String| Block::Para(s);
    // IV. Assessment, pre-filled from the figures.
    b.push(heading(1, "IV. ĐÁNH GIÁ CHUNG"));
    let met: Vec<&TargetDef> = plan
        .targets
        .iter()
        .zip(input.standings)
        .filter(|(_, s)| s.status == Status::Met)
        .map(|(t, _)| t)
        .collect();
    let short: Vec<(&TargetDef, &Standing)> = plan
        .targets
        .iter()
        .zip(input.standings)
        .filter(|(_, s)| !matches!(s.status, Status::Met | Status::NotYet))
        .collect();
    let mut auto: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    auto.insert(
        "uu-diem",
        vec![if met.is_empty() {
            "Chưa có chỉ tiêu nào đạt tính đến ngày báo cáo.".to_string()
        } else {
            format!(
                "Đạt {}/{} chỉ tiêu: {}.",
                met.len(),
                plan.targets.len(),
                met.iter()
                    .map(|t| format!("{} ({})", t.label, t.id))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        }],
    );
    let mut limits = Vec::new();
    if short.is_empty() {
        limits.push("Không có chỉ tiêu nào chưa đạt tính đến ngày báo cáo.".to_string());
    }
    for (t, s) in &short {
        let behind: Vec<String> = s
            .laggards
            .iter()
            .filter(|l| l.holds_back)
            .map(|l| name(&l.id))
            .collect();
        let who = if behind.is_empty() {
            String::new()
        } else {
            format!("; còn chậm ở: {}", behind.join(", "))
        };
        let reached = if t.measure == Measure::MinPerUnit {
            min_per_unit_reading(t, s, name)
        } else {
            format!("đạt {}, chỉ tiêu {}", figure(t, s.value.value), threshold_text(t))
        };
        limits.push(format!("- {} ({}): {reached}{who}.", t.label, t.id));
    }
    auto.insert("han-che", limits);
    auto.insert(
        "phuong-huong",
        vec![if short.is_empty() {
            "Duy trì kết quả đạt được; tiếp tục hướng dẫn, hỗ trợ người dân sử dụng các nền tảng số, dịch vụ công trực tuyến tại các thôn.".to_string()
        } else {
            format!(
                "Tập trung chỉ đạo các đơn vị còn chậm hoàn thành các chỉ tiêu: {}.",
                short.iter().map(|(t, _)| t.id.clone()).collect::<Vec<_>>().join(", ")
            )
        }],
    );
    // VI. Proposals: commendations ranked from the records.
    let mut ranked: Vec<(&str, u64)> = villages
        .iter()
        .map(|v| (v.id.as_str(), totals.get(&v.id).map(|x| x.0).unwrap_or(0)))
        .filter(|(id, _)| per_unit.is_none_or(|(_, s)| s.value.per_unit.iter().any(|x| x.id == *id && x.met)))
        .filter(|(_, n)| *n > 0)
        .collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut proposals = vec![if ranked.is_empty() {
        "Chưa có tập thể đủ điều kiện đề xuất khen thưởng theo số liệu ghi nhận.".to_string()
    } else {
        format!(
            "Đề xuất biểu dương các thôn hoàn thành chỉ tiêu với số lượt hỗ trợ người dân cao nhất: {}.",
            ranked
                .iter()
                .take(3)
                .map(|(id, n)| with_note(&name(id), &format!("{} lượt", vn_int(*n as i64))))
                .collect::<Vec<_>>()
                .join("; ")
        )
    }];
    // Volunteers: the most turns, then the most shifts.
    let mut volunteers: Vec<&VolunteerTally> = input.volunteers.iter().filter(|v| v.turns + v.shifts > 0).collect();
    volunteers.sort_by(|a, b| (b.turns, b.shifts, &a.name).cmp(&(a.turns, a.shifts, &b.name)));
    if !volunteers.is_empty() {
        proposals.push(format!(
            "Đề xuất biểu dương các đoàn viên thanh niên tình nguyện tích cực nhất: {}.",
            volunteers
                .iter()
                .take(5)
                .map(|v| {
                    // Only what the volunteer did: never "0 ca".
                    let mut did = Vec::new();
                    if v.turns > 0 {
                        did.push(format!("{} lượt hỗ trợ", vn_int(v.turns as i64)));
                    }
                    if v.shifts > 0 {
                        did.push(format!("{} ca tình nguyện", vn_int(v.shifts as i64)));
                    }
                    with_note(&v.name, &did.join(", "))
                })
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    // Schools: the share of their classes' weeks with a session, for each
    // class-per-period target (R6), those that meet it, best first.
    for (t, st) in plan
        .targets
        .iter()
        .zip(input.standings)
        .filter(|(t, _)| t.measure == Measure::RatePerUnitPeriod)
    {
        let mut per_school: BTreeMap<&str, (f64, u32)> = BTreeMap::new();
        for cv in &st.value.per_unit {
            if let Some(c) = input.facts.classes.iter().find(|c| c.id == cv.id) {
                let e = per_school.entry(c.unit_id.as_str()).or_default();
                e.0 += cv.value;
                e.1 += 1;
            }
        }
        let mut schools: Vec<(&str, f64)> = per_school
            .into_iter()
            .map(|(id, (sum, n))| (id, sum / f64::from(n.max(1))))
            .filter(|(_, v)| t.comparator.holds(*v, t.threshold))
            .collect();
        schools.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        if !schools.is_empty() {
            proposals.push(format!(
                "Đề xuất biểu dương các trường thực hiện tốt {} ({}): {}.",
                t.label.to_lowercase(),
                t.id,
                schools
                    .iter()
                    .take(3)
                    .map(|(id, v)| with_note(&name(id), &format!("{} % tuần của các lớp có buổi", vn_num(*v, 1))))
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
    }
    for c in input.contests.iter().filter(|c| !c.winners.is_empty()) {
        let label = plan
            .line(&c.line_id)
            .map(|l| l.label())
            .unwrap_or_else(|| c.line_id.clone());
        proposals.push(format!(
            "Đề xuất khen thưởng các cá nhân, tập thể đạt giải {}: {}.",
            label,
            c.winners.iter().map(ContestWinner::text).collect::<Vec<_>>().join("; ")
        ));
    }
    auto.insert("de-xuat", proposals);
    // The coordinator's own words replace the text built from the figures.
    let written =
        |key: &str| -> Option<Vec<String>> { input.texts.get(key).map(|t| paragraphs(t)).filter(|p| !p.is_empty()) };
    let mut n = 0;
    for (key, title, _) in REPORT_SECTIONS
        .iter()
        .filter(|(k, _, _)| !matches!(*k, "phuong-huong" | "de-xuat"))
    {
        let body = written(key).or_else(|| auto.get(key).cloned());
        if let Some(body) = body {
            n += 1;
            b.push(heading(2, &format!("{n}. {title}")));
            b.extend(body.into_iter().map(Block::Para));
        }
    }
    b.push(heading(1, "V. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI"));
    b.extend(
        written("phuong-huong")
            .or_else(|| auto.get("phuong-huong").cloned())
            .unwrap_or_default()
            .into_iter()
            .map(Block::Para),
    );
    b.push(heading(1, "VI. ĐỀ XUẤT, KIẾN NGHỊ"));
    b.extend(
        written("de-xuat")
            .or_else(|| auto.get("de-xuat").cloned())
            .unwrap_or_default()
            .into_iter()
            .map(Block::Para),
    );
    b.push(para(format!(
        "Trên đây là báo cáo kết quả thực hiện Kế hoạch {} của {}./.",
        h.title, h.issuer
    )));

    b
}

/// "Thôn A (8 lượt)", but "Thôn mẫu 1 (dữ liệu mẫu), 8 lượt": never a
/// parenthesis inside another.
fn with_note(name: &str, note: &str) -> String {
    if name.trim_end().ends_with(')') {
        format!("{name}, {note}")
    } else {
        format!("{name} ({note})")
    }
}

/// A line copied from a plan as an official would print it: no space
/// before `; , . :` ("HĐND xã ;" → "HĐND xã;") and none inside an
/// abbreviation's hyphen ("VH -XH" → "VH-XH").
pub fn tidy_punctuation(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let next = chars.get(i + 1).copied();
            let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
            let after_next = chars.get(i + 2).copied();
            let before_punct = matches!(next, Some(';' | ',' | '.' | ':'));
            let in_abbrev = (next == Some('-')
                && prev.is_some_and(char::is_uppercase)
                && after_next.is_some_and(char::is_uppercase))
                || (prev == Some('-')
                    && next.is_some_and(char::is_uppercase)
                    && i >= 2
                    && chars.get(i - 2).is_some_and(|c| c.is_uppercase()));
            if before_punct || in_abbrev {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// One cell of a data export: typed, so a spreadsheet gets real dates and numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Cell {
    Text(String),
    /// Text repeated down a column (a village's or a line's name): shared,
    /// not copied per row.
    #[serde(serialize_with = "shared_text")]
    Label(std::sync::Arc<str>),
    Int(i64),
    Num(f64),
    Date(Day),
    /// Unix seconds, shown in Vietnam time.
    Time(i64),
    Empty,
}

fn shared_text<S: serde::Serializer>(s: &std::sync::Arc<str>, ser: S) -> Result<S::Ok, S::Error> {
    ser.serialize_str(s)
}

impl Cell {
    /// The cell as text (CSV): dates dd/mm/yyyy, numbers with a dot for decimals.
    pub fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Label(s) => s.to_string(),
            Cell::Int(n) => n.to_string(),
            Cell::Num(x) => format!("{x}"),
            Cell::Date(d) => d.vn(),
            Cell::Time(t) => crate::text::vn_datetime(*t),
            Cell::Empty => String::new(),
        }
    }
}

/// A sheet of a data export: one record kind, a header row, typed rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sheet {
    /// Stable file-name part: "buoi", "diem-danh", "luot-ho-tro", "bao-phu", "bai-du-thi", "chi-tieu".
    pub id: String,
    /// Sheet title (at most 31 characters).
    pub name: String,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// What a unit's progress report needs.
pub struct UnitInput<'a> {
    pub plan: &'a Plan,
    /// Facts as of `to`.
    pub facts: &'a Facts,
    /// `engine::board(plan, facts, to)`.
    pub standings: &'a [Standing],
    pub unit_id: &'a str,
    /// The unit's name as printed ("Thôn Đông").
    pub unit_name: &'a str,
    pub from: Day,
    pub to: Day,
    pub signed_on: Day,
}

/// Bảng 1: every target's figure, share of its goal and verdict as of a day
/// (the board's standings, in the plan's target order).
pub fn targets_table(plan: &Plan, standings: &[Standing], as_of: Day, name: &dyn Fn(&str) -> String) -> Table {
    let rows = plan
        .targets
        .iter()
        .zip(standings)
        .enumerate()
        .map(|(i, (t, s))| {
            let result = match (t.measure, s.value.denominator) {
                (Measure::RosterCoverage | Measure::UnitCoverage, Some(d)) => format!(
                    "{} ({}/{})",
                    figure(t, s.value.value),
                    vn_num(s.value.numerator, 0),
                    vn_num(d, 0)
                ),
                (Measure::MinPerUnit, _) => min_per_unit_reading(t, s, name),
                _ => figure(t, s.value.value),
            };
            vec![
                (i + 1).to_string(),
                format!("{} ({})", t.label, t.id),
                t.threshold_unit.label().to_string(),
                threshold_text(t),
                result,
                share_of_goal(t, s.value.value)
                    .map(|p| vn_num(p, 1))
                    .unwrap_or_default(),
                verdict(s).to_string(),
            ]
        })
        .collect();
    Table {
        id: "targets".into(),
        caption: format!("Bảng 1. Kết quả thực hiện chỉ tiêu (tính đến ngày {})", as_of.vn()),
        columns: vec![
            col("STT", 11.0, true),
            col("Nội dung chỉ tiêu", 47.0, false),
            col("ĐVT", 12.0, false),
            col("Chỉ tiêu giao", 22.0, false),
            col("Kết quả", 28.0, false),
            col("Tỷ lệ (%)", 17.0, true),
            col("Đánh giá", 28.0, false),
        ],
        rows,
    }
}

/// A unit's progress report for a period: what it held and recorded in the
/// period, and where it stands on each target that counts it as of the end.
pub fn unit_progress(input: &UnitInput) -> Report {
    let plan = input.plan;
    let h = &plan.plan;
    let (from, to) = (input.from, input.to);
    let unit = input.unit_id;
    let mut b: Vec<Block> = Vec::new();
    b.push(Block::Para(format!(
        "Thực hiện Kế hoạch {} của {}, {} báo cáo kết quả thực hiện từ ngày {} đến ngày {} như sau:",
        h.title,
        h.issuer,
        input.unit_name,
        from.vn(),
        to.vn()
    )));
    b.push(Block::Heading {
        level: 1,
        text: "I. KẾT QUẢ CÁC HOẠT ĐỘNG".into(),
    });
    let in_period = |d: Day| d >= from && d <= to;
    let mut any = false;
    for line in &plan.lines {
        let sessions: u32 = input
            .facts
            .sessions
            .iter()
            .filter(|s| s.unit_id == unit && s.line_id == line.id && in_period(s.day))
            .map(|s| s.n)
            .sum();
        let turns: u64 = input
            .facts
            .turns
            .iter()
            .filter(|t| t.unit_id == unit && t.line_id == line.id && in_period(t.day))
            .map(|t| t.n as u64)
            .sum();
        let mut parts = Vec::new();
        if sessions > 0 {
            parts.push(format!("tổ chức {} buổi", vn_int(sessions as i64)));
        }
        if turns > 0 {
            parts.push(format!("hỗ trợ {} lượt người dân", vn_int(turns as i64)));
        }
        if !parts.is_empty() {
            any = true;
            b.push(Block::Para(format!("{}: {}.", line.label(), parts.join(", "))));
        }
    }
    if !any {
        b.push(Block::Para(
            "Trong kỳ, đơn vị chưa ghi nhận hoạt động nào trên hệ thống.".into(),
        ));
    }
    b.push(Block::Heading {
        level: 1,
        text: "II. KẾT QUẢ THỰC HIỆN CHỈ TIÊU CỦA ĐƠN VỊ".into(),
    });
    let mut rows = Vec::new();
    for (t, s) in plan.targets.iter().zip(input.standings) {
        // The unit itself, or its classes for per-class targets.
        let mine: Vec<_> = s
            .value
            .per_unit
            .iter()
            .filter(|u| u.id == unit || input.facts.classes.iter().any(|c| c.id == u.id && c.unit_id == unit))
            .collect();
        if mine.is_empty() {
            continue;
        }
        let met = mine.iter().filter(|u| u.met).count();
        let value = if mine.len() == 1 && mine[0].id == unit {
            match t.measure {
                Measure::UnitCoverage => format!("{} buổi", vn_num(mine[0].value, 0)),
                _ => figure(t, mine[0].value),
            }
        } else {
            format!("{met}/{} lớp đạt", mine.len())
        };
        let need = match (t.measure, t.per_unit) {
            (Measure::MinPerUnit, _) => threshold_text(t).replace(" mỗi đơn vị", ""),
            (Measure::UnitCoverage, Some(n)) => format!("ít nhất {n} buổi"),
            (Measure::UnitCoverage, None) => "có tổ chức".into(),
            _ => threshold_text(t),
        };
        rows.push(vec![
            (rows.len() + 1).to_string(),
            format!("{} ({})", t.label, t.id),
            need,
            value,
            if met == mine.len() { "Đạt" } else { "Chưa đạt" }.to_string(),
        ]);
    }
    if rows.is_empty() {
        b.push(Block::Para("Không có chỉ tiêu nào tính riêng cho đơn vị.".into()));
    } else {
        b.push(Block::Table(Table {
            id: "unit-targets".into(),
            caption: format!("Kết quả của đơn vị tính đến ngày {}", to.vn()),
            columns: vec![
                col("STT", 11.0, true),
                col("Chỉ tiêu", 60.0, false),
                col("Mức cần đạt", 32.0, false),
                col("Kết quả của đơn vị", 36.0, false),
                col("Đánh giá", 26.0, false),
            ],
            rows,
        }));
    }
    b.push(Block::Para(format!(
        "Trên đây là báo cáo kết quả thực hiện của {}./.",
        input.unit_name
    )));
    Report {
        issuer_parent: Some(format!("Ủy ban nhân dân {} {}", h.commune_level, h.commune).to_uppercase()),
        issuer_lines: vec![input.unit_name.to_uppercase()],
        number: format!("Số:{}/BC", "\u{a0}".repeat(12)),
        place_date: format!("{}, {}", h.commune, long_date(input.signed_on)),
        kind: "BÁO CÁO".into(),
        title: format!("Kết quả thực hiện từ ngày {} đến ngày {}", from.vn(), to.vn()),
        blocks: b,
        recipients: vec!["Ủy ban nhân dân xã (để báo cáo);".into(), "Lưu.".into()],
        signer: Signer {
            on_behalf: String::new(),
            deputy_for: None,
            position: "NGƯỜI BÁO CÁO".into(),
            name: String::new(),
        },
    }
}

#[cfg(test)]
mod wording_tests {
    use super::*;

    #[test]
    fn recipients_print_as_an_official_would_write_them() {
        assert_eq!(tidy_punctuation("Thường trực HĐND xã ;"), "Thường trực HĐND xã;");
        assert_eq!(tidy_punctuation("Lưu: VT, VH -XH."), "Lưu: VT, VH-XH.");
        assert_eq!(tidy_punctuation("Lưu: VT, VH- XH."), "Lưu: VT, VH-XH.");
        assert_eq!(
            tidy_punctuation("Các cơ quan, phòng, ban - đơn vị;"),
            "Các cơ quan, phòng, ban - đơn vị;"
        );
    }

    #[test]
    fn a_note_never_nests_parentheses() {
        assert_eq!(with_note("Thôn Trung", "8 lượt"), "Thôn Trung (8 lượt)");
        assert_eq!(
            with_note("Thôn mẫu 1 (dữ liệu mẫu)", "8 lượt"),
            "Thôn mẫu 1 (dữ liệu mẫu), 8 lượt"
        );
    }
}
