//! The plan model: what a commune's kế hoạch says, as data.
//!
//! These types are both the plan-file format (TOML, see `docs/plan-format.md`)
//! and the in-memory model. Every struct refuses unknown fields, so a typo in a
//! plan file is an error instead of a silently ignored line.

use serde::{Deserialize, Serialize};

use crate::day::Day;

/// A whole plan (kế hoạch).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    pub plan: Header,
    /// Units named by the plan (agencies, schools, unions, sample villages...).
    #[serde(default)]
    pub units: Vec<Unit>,
    /// Section III: activity lines, in printed order.
    pub lines: Vec<ActivityLine>,
    /// Section IV targets and rules stated inside lines.
    pub targets: Vec<TargetDef>,
    /// Section V: budget sources.
    pub budget_sources: Vec<BudgetSource>,
    /// Section VI: duties per unit, in printed order.
    pub duties: Vec<UnitDuties>,
    pub signer: Signer,
    /// "Nơi nhận" of the plan document.
    #[serde(default)]
    pub recipients: Vec<String>,
}

/// The document header and the texts of sections I and II.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Stable id of the plan, lower-case ASCII with dashes.
    pub id: String,
    /// Document type as printed: "Kế hoạch".
    pub doc_type: String,
    /// Document number such as "12/KH-UBND"; absent when the text has none.
    #[serde(default)]
    pub number: Option<String>,
    #[serde(default)]
    pub issued_on: Option<Day>,
    /// Issuing body in full: "Ủy ban nhân dân xã Vĩnh Thịnh".
    pub issuer: String,
    /// Commune name without its level: "Vĩnh Thịnh".
    pub commune: String,
    /// Level of the commune unit as printed: "xã" or "phường".
    pub commune_level: String,
    /// City or province: "Hải Phòng".
    pub province: String,
    pub title: String,
    /// A short name for pages: "Mùa hè sôi động cùng chuyển đổi số 2026".
    pub short_title: String,
    /// Chủ đề.
    #[serde(default)]
    pub theme: Option<String>,
    /// Documents this plan implements ("Thực hiện Kế hoạch số ...").
    #[serde(default)]
    pub implements: Vec<DocumentRef>,
    /// The opening paragraph as written.
    #[serde(default)]
    pub preamble: Option<String>,
    /// Thời gian of section II, as written.
    pub period_text: String,
    pub period: Window,
    /// Đối tượng.
    #[serde(default)]
    pub target_groups: Vec<String>,
    /// Mục đích.
    #[serde(default)]
    pub purposes: Vec<String>,
    /// Yêu cầu.
    #[serde(default)]
    pub requirements: Vec<String>,
    /// The closing paragraph ("Trên đây là Kế hoạch ...").
    #[serde(default)]
    pub closing: Option<String>,
}

/// A document referred to by the plan.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentRef {
    pub doc_type: String,
    pub number: String,
    pub date: Day,
    pub issuer: String,
    pub subject: String,
}

/// A time window with the nuances plans use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    pub start: Day,
    /// Inclusive last day.
    pub end: Day,
    /// Part of the day for a half-day event ("sáng 10/6").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<DayPart>,
    /// "dự kiến": the date may move.
    #[serde(default, skip_serializing_if = "is_false")]
    pub tentative: bool,
    /// "trước ngày X": `end` is the last day before the deadline X.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deadline: bool,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Window {
    pub fn contains(&self, d: Day) -> bool {
        self.start <= d && d <= self.end
    }
    /// As pages and summaries show it: "sáng 10/06/2026", "01/07/2026 – 31/07/2026",
    /// "dự kiến 30/08/2026", "trước 20/08/2026".
    pub fn vn(&self) -> String {
        if self.deadline {
            let by = self.end.0.next_day().map(Day).unwrap_or(self.end);
            return format!("trước {}", by.vn());
        }
        let mut s = if self.start == self.end {
            self.start.vn()
        } else {
            format!("{} – {}", self.start.vn(), self.end.vn())
        };
        if let Some(p) = self.part {
            s = format!("{} {s}", p.label());
        }
        if self.tentative {
            s = format!("dự kiến {s}");
        }
        s
    }

    /// Number of calendar days in the window, both ends included.
    pub fn days(&self) -> i64 {
        (self.end.0 - self.start.0).whole_days() + 1
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayPart {
    Morning,
    Afternoon,
    Evening,
}

impl DayPart {
    pub fn label(self) -> &'static str {
        match self {
            DayPart::Morning => "sáng",
            DayPart::Afternoon => "chiều",
            DayPart::Evening => "tối",
        }
    }
}

/// Kinds of units. Group references (`@village`) name every unit of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// The People's Committee itself.
    Commune,
    /// Offices, centres and agencies of the commune.
    Agency,
    Police,
    YouthUnion,
    /// Fatherland Front and the socio-political organisations.
    MassOrganisation,
    School,
    Village,
    Cooperative,
    /// Tổ công nghệ số cộng đồng (one per village).
    DigitalTeam,
    /// Tổ công tác Đề án 06 (one per village).
    Project06Team,
    /// Parents of pupils and other non-bodies the plan names as partners.
    Community,
}

impl UnitKind {
    pub const ALL: [UnitKind; 11] = [
        UnitKind::Commune,
        UnitKind::Agency,
        UnitKind::Police,
        UnitKind::YouthUnion,
        UnitKind::MassOrganisation,
        UnitKind::School,
        UnitKind::Village,
        UnitKind::Cooperative,
        UnitKind::DigitalTeam,
        UnitKind::Project06Team,
        UnitKind::Community,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Commune => "commune",
            UnitKind::Agency => "agency",
            UnitKind::Police => "police",
            UnitKind::YouthUnion => "youth_union",
            UnitKind::MassOrganisation => "mass_organisation",
            UnitKind::School => "school",
            UnitKind::Village => "village",
            UnitKind::Cooperative => "cooperative",
            UnitKind::DigitalTeam => "digital_team",
            UnitKind::Project06Team => "project06_team",
            UnitKind::Community => "community",
        }
    }

    pub fn parse(s: &str) -> Option<UnitKind> {
        UnitKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Vietnamese label of one unit of this kind.
    pub fn label(self) -> &'static str {
        match self {
            UnitKind::Commune => "Ủy ban nhân dân xã",
            UnitKind::Agency => "Cơ quan, phòng, ban",
            UnitKind::Police => "Công an",
            UnitKind::YouthUnion => "Đoàn Thanh niên",
            UnitKind::MassOrganisation => "Mặt trận, đoàn thể",
            UnitKind::School => "Trường học",
            UnitKind::Village => "Thôn",
            UnitKind::Cooperative => "Hợp tác xã",
            UnitKind::DigitalTeam => "Tổ công nghệ số cộng đồng",
            UnitKind::Project06Team => "Tổ công tác Đề án 06",
            UnitKind::Community => "Cộng đồng",
        }
    }

    /// Vietnamese label of all units of this kind (a group reference).
    pub fn group_label(self) -> &'static str {
        match self {
            UnitKind::Commune => "Ủy ban nhân dân xã",
            UnitKind::Agency => "Các cơ quan, phòng, ban",
            UnitKind::Police => "Công an xã",
            UnitKind::YouthUnion => "Đoàn Thanh niên",
            UnitKind::MassOrganisation => "Các đoàn thể",
            UnitKind::School => "Các trường",
            UnitKind::Village => "Các thôn",
            UnitKind::Cooperative => "Các hợp tác xã",
            UnitKind::DigitalTeam => "Tổ công nghệ số cộng đồng",
            UnitKind::Project06Team => "Tổ công tác Đề án 06 tại các thôn",
            UnitKind::Community => "Cộng đồng",
        }
    }
}

/// A unit named by the plan, or a sample village of the default configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unit {
    /// Stable id, lower-case ASCII with dashes.
    pub id: String,
    /// Name exactly as the plan prints it.
    pub name: String,
    #[serde(default)]
    pub short_name: Option<String>,
    pub kind: UnitKind,
    /// Schools only: has a smart classroom (phòng học thông minh).
    #[serde(default)]
    pub has_smart_classroom: bool,
    /// Sample data, not a fact about the commune: shown as such everywhere.
    #[serde(default)]
    pub sample: bool,
}

impl Unit {
    pub fn display_name(&self) -> &str {
        self.short_name.as_deref().unwrap_or(&self.name)
    }
}

/// One activity line of section III.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActivityLine {
    /// Stable id, lower-case ASCII with dashes ("l6-smart-classroom").
    pub id: String,
    /// Number as printed: "6" appears twice in the seed, "7.1" is a sub-line.
    pub number: String,
    /// Id of the parent line for sub-lines (7.1 and 7.2 under 7).
    #[serde(default)]
    pub parent: Option<String>,
    pub title: String,
    /// "Thời gian" exactly as written; absent when the text gives none.
    #[serde(default)]
    pub time_text: Option<String>,
    pub window: Window,
    #[serde(default)]
    pub milestones: Vec<Milestone>,
    /// "Địa điểm" as written.
    #[serde(default)]
    pub location_text: Option<String>,
    /// Units where the line takes place (the four schools of line 6).
    #[serde(default)]
    pub venues: Vec<String>,
    /// "Đơn vị chủ trì" as written.
    #[serde(default)]
    pub lead_text: Option<String>,
    /// Lead units: unit ids or `@kind` groups.
    #[serde(default)]
    pub lead: Vec<String>,
    #[serde(default)]
    pub partners_text: Option<String>,
    #[serde(default)]
    pub partners: Vec<String>,
    /// "Nội dung" items.
    #[serde(default)]
    pub content: Vec<String>,
    /// "Hình thức" (forms, channels) with stable ids.
    #[serde(default)]
    pub forms: Vec<Item>,
    /// Services offered to citizens (line 3), with stable ids.
    #[serde(default)]
    pub services: Vec<Item>,
    /// "Yêu cầu" items.
    #[serde(default)]
    pub requirements: Vec<String>,
    /// "Chỉ tiêu" stated inside the line, as written; their measurable form
    /// is in `targets` with `source_line` pointing here.
    #[serde(default)]
    pub line_targets: Vec<String>,
    /// Kinds of sessions this line holds.
    #[serde(default)]
    pub session_kinds: Vec<SessionKind>,
}

impl ActivityLine {
    /// "6. Tổ chức các hoạt động trải nghiệm tại phòng học thông minh", without the trailing "." or ":".
    pub fn label(&self) -> String {
        format!("{}. {}", self.number, self.title.trim_end_matches(['.', ':']))
    }
}

/// A dated step of a line (7.1: phát động, nhận bài, trao giải).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Milestone {
    pub id: String,
    pub name: String,
    pub text: String,
    pub window: Window,
}

/// A labelled choice with a stable id (a channel, a service).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    pub id: String,
    pub label: String,
}

/// What kind of gathering a session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionKind {
    /// Tuyên truyền.
    Propaganda,
    /// Hướng dẫn.
    Guidance,
    /// Tập huấn.
    Training,
    /// Trải nghiệm.
    Experience,
    /// Thi.
    Contest,
    /// Hội nghị, lễ ra quân.
    Conference,
}

impl SessionKind {
    pub const ALL: [SessionKind; 6] = [
        SessionKind::Propaganda,
        SessionKind::Guidance,
        SessionKind::Training,
        SessionKind::Experience,
        SessionKind::Contest,
        SessionKind::Conference,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SessionKind::Propaganda => "propaganda",
            SessionKind::Guidance => "guidance",
            SessionKind::Training => "training",
            SessionKind::Experience => "experience",
            SessionKind::Contest => "contest",
            SessionKind::Conference => "conference",
        }
    }

    pub fn parse(s: &str) -> Option<SessionKind> {
        SessionKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            SessionKind::Propaganda => "tuyên truyền",
            SessionKind::Guidance => "hướng dẫn",
            SessionKind::Training => "tập huấn",
            SessionKind::Experience => "trải nghiệm",
            SessionKind::Contest => "thi",
            SessionKind::Conference => "hội nghị",
        }
    }
}

/// How a target turns records into a figure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Share of units (of `unit_kind`) with at least `per_unit` qualifying records.
    UnitCoverage,
    /// Share of a roster's people who appear in at least one qualifying record;
    /// each person counts once.
    RosterCoverage,
    /// Number of qualifying records.
    Count,
    /// Every unit of `unit_kind` must reach the threshold; the figure is per unit.
    MinPerUnit,
    /// Share of (unit, period) cells with at least `per_unit` qualifying records.
    RatePerUnitPeriod,
    /// Share of units (of `unit_kind`: a city's communes) whose own plan's
    /// target `unit_target` is met ("trên 80% xã đạt chỉ tiêu T6").
    UnitTargetShare,
}

impl Measure {
    pub fn label(self) -> &'static str {
        match self {
            Measure::UnitCoverage => "tỷ lệ đơn vị",
            Measure::RosterCoverage => "tỷ lệ người trong danh sách",
            Measure::Count => "số lượng",
            Measure::MinPerUnit => "tối thiểu mỗi đơn vị",
            Measure::RatePerUnitPeriod => "tỷ lệ đơn vị × kỳ",
            Measure::UnitTargetShare => "tỷ lệ đơn vị đạt chỉ tiêu",
        }
    }
}

/// Which records a target counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A held session (buổi).
    Session,
    /// A rostered person's attendance at a held session.
    Attendance,
    /// One act of help to a citizen (lượt hỗ trợ).
    SupportTurn,
    /// A contest entry.
    ContestEntry,
}

/// People lists that give coverage targets their denominators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Roster {
    /// Đoàn viên, thanh niên.
    YouthMembers,
    /// Cán bộ, công chức, viên chức.
    Officials,
    /// Thanh thiếu nhi.
    Children,
    /// Pupils by school and class.
    Pupils,
}

impl Roster {
    pub const ALL: [Roster; 4] = [
        Roster::YouthMembers,
        Roster::Officials,
        Roster::Children,
        Roster::Pupils,
    ];

    pub fn parse(s: &str) -> Option<Roster> {
        Roster::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            Roster::YouthMembers => "đoàn viên thanh niên",
            Roster::Officials => "cán bộ, công chức, viên chức",
            Roster::Children => "thanh thiếu nhi",
            Roster::Pupils => "học sinh",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Roster::YouthMembers => "youth_members",
            Roster::Officials => "officials",
            Roster::Children => "children",
            Roster::Pupils => "pupils",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Comparator {
    /// At least (≥): "tối thiểu", "ít nhất", a bare figure.
    Ge,
    /// Strictly more (>): "trên", "hơn".
    Gt,
}

impl Comparator {
    pub fn symbol(self) -> &'static str {
        match self {
            Comparator::Ge => "≥",
            Comparator::Gt => ">",
        }
    }
    pub fn holds(self, value: f64, threshold: f64) -> bool {
        match self {
            Comparator::Ge => value >= threshold,
            Comparator::Gt => value > threshold,
        }
    }
}

/// Unit of a threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ThresholdUnit {
    Percent,
    Sessions,
    Classes,
    Turns,
}

impl ThresholdUnit {
    pub fn label(self) -> &'static str {
        match self {
            ThresholdUnit::Percent => "%",
            ThresholdUnit::Sessions => "buổi",
            ThresholdUnit::Classes => "lớp",
            ThresholdUnit::Turns => "lượt",
        }
    }
}

/// Period of a rate target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    Week,
    Month,
}

/// The smallest unit a target is evaluated over: a unit of the plan or a class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetSubject {
    Unit,
    Class,
}

/// A target definition (chỉ tiêu): what it counts, how, and against what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetDef {
    /// Stable id: "T1".."T8", "R6".
    pub id: String,
    /// The sentence as written in the plan.
    pub text: String,
    /// A short Vietnamese name for boards.
    pub label: String,
    /// The activity line whose own "Chỉ tiêu"/"Yêu cầu" states it, if any.
    #[serde(default)]
    pub source_line: Option<String>,
    pub measure: Measure,
    /// Records that qualify (any of them).
    pub records: Vec<RecordKind>,
    /// Activity lines whose records qualify; empty means every line.
    #[serde(default)]
    pub lines: Vec<String>,
    /// Only sessions of these kinds qualify; empty means any kind.
    #[serde(default)]
    pub session_kinds: Vec<SessionKind>,
    /// For unit measures: which units are counted.
    #[serde(default)]
    pub unit_kind: Option<UnitKind>,
    /// Evaluate over classes of those units rather than the units (R6).
    #[serde(default)]
    pub subject: Option<TargetSubject>,
    /// Only schools with a smart classroom (T7, R6).
    #[serde(default)]
    pub only_smart_classroom: bool,
    /// For roster coverage: which roster gives the denominator.
    #[serde(default)]
    pub roster: Option<Roster>,
    /// Records a unit (or cell) needs to be covered.
    #[serde(default)]
    pub per_unit: Option<u32>,
    /// For rate targets.
    #[serde(default)]
    pub period: Option<Period>,
    pub comparator: Comparator,
    pub threshold: f64,
    pub threshold_unit: ThresholdUnit,
    /// When the target is measured; defaults to the union of its lines' windows.
    #[serde(default)]
    pub window: Option<Window>,
    /// For a share of units meeting a target: the id of that target in
    /// each unit's own plan ("T6").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit_target: Option<String>,
}

/// Section V.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetSource {
    pub id: String,
    pub text: String,
}

/// Section VI: what one unit (or group) must do.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UnitDuties {
    pub number: String,
    /// The heading as printed ("Phòng Văn hóa - Xã hội xã").
    pub heading: String,
    /// Unit ids or `@kind` groups the heading names.
    pub units: Vec<String>,
    /// "Đề nghị" headings address bodies the committee cannot order.
    #[serde(default)]
    pub request_only: bool,
    pub items: Vec<String>,
}

/// Signature block.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signer {
    /// "TM. ỦY BAN NHÂN DÂN".
    pub on_behalf: String,
    /// "KT. CHỦ TỊCH"; absent when the head signs.
    #[serde(default)]
    pub deputy_for: Option<String>,
    /// "PHÓ CHỦ TỊCH".
    pub position: String,
    pub name: String,
}

impl Plan {
    pub fn unit(&self, id: &str) -> Option<&Unit> {
        self.units.iter().find(|u| u.id == id)
    }
    pub fn line(&self, id: &str) -> Option<&ActivityLine> {
        self.lines.iter().find(|l| l.id == id)
    }
    pub fn target(&self, id: &str) -> Option<&TargetDef> {
        self.targets.iter().find(|t| t.id == id)
    }

    /// Human name of a unit reference (`id` or `@kind`).
    pub fn unit_ref_label(&self, r: &str) -> String {
        if let Some(kind) = r.strip_prefix('@') {
            return UnitKind::parse(kind)
                .map(|k| k.group_label().to_string())
                .unwrap_or_else(|| r.to_string());
        }
        self.unit(r)
            .map(|u| u.display_name().to_string())
            .unwrap_or_else(|| r.to_string())
    }

    /// The window a target is measured over.
    pub fn target_window(&self, t: &TargetDef) -> Window {
        if let Some(w) = t.window {
            return w;
        }
        let mut windows = t.lines.iter().filter_map(|id| self.line(id)).map(|l| l.window);
        match windows.next() {
            None => self.plan.period,
            Some(first) => windows.fold(first, |acc, w| Window {
                start: acc.start.min(w.start),
                end: acc.end.max(w.end),
                part: None,
                tentative: acc.tentative || w.tentative,
                deadline: false,
            }),
        }
    }
}
