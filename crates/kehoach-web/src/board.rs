//! The board (bảng theo dõi): every target as of a date with status, pace,
//! forecasts and laggards; the T6 chart, the R6 class × week grid, the
//! timeline with sessions held, the units table; the records behind every
//! figure; and the same figures as JSON (`GET /api/v1/board`).
//!
//! Figures come from one place: `kehoach_core::engine::board` over the
//! store's aggregates. Pages and the API only format them.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::Arc;

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kehoach_core::engine::{self, Facts, Laggard, Standing, Status};
use kehoach_core::text::{truncate, vn_int, vn_num, xml_escape as esc};
use kehoach_core::{Day, Measure, Plan, TargetDef, ThresholdUnit, UnitKind};
use kehoach_store::{ClassRow, Trace, UnitRow};
use serde::{Deserialize, Serialize};

use crate::auth::{ApiUser, CurrentUser, PageUser};
use crate::errors::AppError;
use crate::pages::{Chrome, chrome, render};
use crate::policy::{Action, allowed};
use crate::{AppState, today_vn};

/// Records listed per page behind a figure.
pub const TRACE_PAGE: i64 = 500;

/// Today clamped to the plan period: the board's default date.
pub fn default_as_of(plan: &Plan) -> Day {
    today_vn().max(plan.plan.period.start).min(plan.plan.period.end)
}

/// Reads a date as pages send it (dd/mm/yyyy) or as the API does (YYYY-MM-DD).
pub fn parse_as_of(plan: &Plan, raw: Option<&str>) -> Result<Day, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(default_as_of(plan)),
        Some(s) => Day::parse_any(s).ok_or_else(|| AppError::invalid("as_of_invalid", "as_of")),
    }
}

/// An optional day field of a form or query (`tu`, `den`, …): absent or
/// blank is None, anything else must be a day (`day_invalid` on `field`).
pub fn parse_day_field(raw: Option<&str>, field: &'static str) -> Result<Option<Day>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => Day::parse_any(s)
            .map(Some)
            .ok_or_else(|| AppError::invalid("day_invalid", field)),
    }
}

/// Where the records behind a figure are listed.
pub fn records_url(target: &str, subject: Option<&str>, as_of: Day) -> String {
    let mut u = format!("/theo-doi/ho-so?chi-tieu={target}&ngay={}", as_of.vn());
    if let Some(s) = subject {
        let _ = write!(u, "&doi-tuong={s}");
    }
    u
}

fn api_records_url(target: &str, subject: Option<&str>, as_of: Day) -> String {
    let mut u = format!("/api/v1/board/records?target={target}&as_of={}", as_of.iso());
    if let Some(s) = subject {
        let _ = write!(u, "&subject={s}");
    }
    u
}

/// A figure with its unit, as the board writes it: "63,2 %", "150 lượt"
/// (counts whole, the same as the report).
pub use kehoach_core::report::figure;

/// One unit's share as the board writes it: unit coverage counts the unit's
/// records (sessions), the other kinds use the target's own unit.
pub fn unit_figure(t: &TargetDef, v: f64) -> String {
    match t.measure {
        Measure::UnitCoverage => format!("{} buổi", vn_num((v - 1e-9).ceil(), 0)),
        _ => figure(t, v),
    }
}

/// Everything the board shows as of one day, computed once.
pub struct BoardData {
    pub as_of: Day,
    pub facts: Facts,
    pub standings: Vec<Standing>,
    pub names: Names,
}

impl BoardData {
    pub async fn load(st: &AppState, as_of: Day) -> Result<BoardData, AppError> {
        let (facts, names) = tokio::try_join!(
            async { Ok::<_, AppError>(st.store.facts(&st.plan, as_of).await?) },
            Names::load(st)
        )?;
        let standings = engine::board(&st.plan, &facts, as_of);
        Ok(BoardData {
            as_of,
            standings,
            facts,
            names,
        })
    }

    pub fn subject_name(&self, id: &str) -> String {
        self.names.subject(id)
    }
}

/// The plan's units (from the shared cache) and classes, to name what a figure is about.
pub struct Names {
    pub units: Arc<Vec<UnitRow>>,
    pub classes: Vec<ClassRow>,
}

impl Names {
    pub async fn load(st: &AppState) -> Result<Names, AppError> {
        Ok(Names {
            units: st.units().await?,
            classes: st.store.list_classes(&st.plan_id).await?,
        })
    }

    fn unit(&self, id: &str) -> Option<&UnitRow> {
        self.units.iter().find(|u| u.id == id)
    }

    /// The unit a subject (a unit, or a class for rate targets) belongs to.
    pub fn unit_of(&self, subject: &str) -> Option<&str> {
        match self.classes.iter().find(|c| c.id == subject) {
            Some(c) => Some(&c.unit_id),
            None => self.unit(subject).map(|u| u.id.as_str()),
        }
    }

    /// Name of a unit or (for rate targets) "school · lớp 6A".
    pub fn subject(&self, id: &str) -> String {
        if let Some(u) = self.unit(id) {
            return u.display_name().to_string();
        }
        if let Some(c) = self.classes.iter().find(|c| c.id == id) {
            let school = self.unit(&c.unit_id).map(|u| u.display_name()).unwrap_or("");
            return format!("{school} · lớp {}", c.name);
        }
        id.to_string()
    }
}

// ------------------------------------------------------------------- JSON

#[derive(Serialize, utoipa::ToSchema)]
pub struct BoardSubject {
    pub id: String,
    pub name: String,
    pub value: f64,
    pub met: bool,
    /// Roster coverage: the denominator is the unit's declared population.
    pub declared: bool,
    pub records_url: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BoardLaggard {
    pub id: String,
    pub name: String,
    pub value: f64,
    pub expected: f64,
    pub goal: f64,
    pub gap: f64,
    pub holds_back: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BoardTarget {
    pub id: String,
    pub label: String,
    pub text: String,
    /// not_yet, not_started, met, on_track, behind, at_risk or failed.
    pub status: String,
    pub status_label: String,
    pub comparator: String,
    pub threshold: f64,
    pub threshold_unit: String,
    pub value: f64,
    pub numerator: f64,
    pub denominator: Option<f64>,
    /// roster, declared_population or mixed.
    pub denominator_source: Option<String>,
    pub met: bool,
    pub window_start: String,
    pub window_end: String,
    pub elapsed_days: i64,
    pub window_days: i64,
    pub expected: f64,
    pub forecast_pace: Option<f64>,
    pub forecast_recent: Option<f64>,
    pub records_url: String,
    pub per_unit: Vec<BoardSubject>,
    pub laggards: Vec<BoardLaggard>,
    /// Rate targets: qualifying sessions per subject (as in `per_unit`) and week.
    pub grid: Vec<Vec<u32>>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BoardUnit {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub turns: u64,
    pub sessions: u64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BoardJson {
    pub plan_id: String,
    pub as_of: String,
    pub targets: Vec<BoardTarget>,
    /// Held sessions per activity line up to `as_of`.
    pub sessions_per_line: BTreeMap<String, u32>,
    pub units: Vec<BoardUnit>,
}

fn laggard_json(b: &BoardData, l: &Laggard) -> BoardLaggard {
    BoardLaggard {
        id: l.id.clone(),
        name: b.subject_name(&l.id),
        value: l.value,
        expected: l.expected,
        goal: l.goal,
        gap: l.gap,
        holds_back: l.holds_back,
    }
}

pub fn board_json(plan: &Plan, b: &BoardData) -> BoardJson {
    let targets = plan
        .targets
        .iter()
        .zip(&b.standings)
        .map(|(t, s)| {
            let w = plan.target_window(t);
            BoardTarget {
                id: t.id.clone(),
                label: t.label.clone(),
                text: t.text.clone(),
                status: s.status.as_str().into(),
                status_label: s.status.label().into(),
                comparator: t.comparator.symbol().into(),
                threshold: t.threshold,
                threshold_unit: t.threshold_unit.label().into(),
                value: s.value.value,
                numerator: s.value.numerator,
                denominator: s.value.denominator,
                denominator_source: s.value.denominator_source.map(|d| d.as_str().to_string()),
                met: s.value.met,
                window_start: w.start.iso(),
                window_end: w.end.iso(),
                elapsed_days: s.elapsed_days,
                window_days: s.window_days,
                expected: s.expected,
                forecast_pace: s.forecast_pace,
                forecast_recent: s.forecast_recent,
                records_url: api_records_url(&t.id, None, b.as_of),
                per_unit: s
                    .value
                    .per_unit
                    .iter()
                    .map(|u| BoardSubject {
                        id: u.id.clone(),
                        name: b.subject_name(&u.id),
                        value: u.value,
                        met: u.met,
                        declared: u.declared,
                        records_url: api_records_url(&t.id, Some(&u.id), b.as_of),
                    })
                    .collect(),
                laggards: s.laggards.iter().map(|l| laggard_json(b, l)).collect(),
                grid: s.value.grid.clone(),
            }
        })
        .collect();
    let totals = engine::unit_totals(&b.facts, b.as_of);
    BoardJson {
        plan_id: plan.plan.id.clone(),
        as_of: b.as_of.iso(),
        targets,
        sessions_per_line: engine::sessions_per_line(&b.facts, b.as_of),
        units: b
            .names
            .units
            .iter()
            .filter(|u| u.active == 1)
            .map(|u| {
                let (turns, sessions) = totals.get(&u.id).copied().unwrap_or_default();
                BoardUnit {
                    id: u.id.clone(),
                    name: u.display_name().to_string(),
                    kind: u.kind.clone(),
                    turns,
                    sessions,
                }
            })
            .collect(),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct BoardParams {
    /// YYYY-MM-DD (default: today, within the plan period).
    pub as_of: Option<String>,
}

/// Every target of the plan as of a date.
#[utoipa::path(get, path = "/api/v1/board", params(BoardParams),
    responses((status = 200, body = BoardJson), (status = 422, description = "as_of_invalid")))]
pub async fn api_board(
    State(st): State<AppState>,
    ApiUser(_cu): ApiUser,
    Query(q): Query<BoardParams>,
) -> Result<Json<BoardJson>, AppError> {
    let as_of = parse_as_of(&st.plan, q.as_of.as_deref())?;
    let b = BoardData::load(&st, as_of).await?;
    Ok(Json(board_json(&st.plan, &b)))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct TraceParams {
    /// Target id: T1…T8, R6.
    pub target: String,
    /// A unit id (a class id for rate targets); none for the whole target.
    pub subject: Option<String>,
    pub as_of: Option<String>,
    pub offset: Option<i64>,
}

/// Checks who may list the records of a subject; returns the query.
fn trace_query(
    st: &AppState,
    names: &Names,
    cu: &CurrentUser,
    target: &str,
    subject: Option<&str>,
    as_of: Day,
) -> Result<engine::RecordQuery, AppError> {
    let t = st
        .plan
        .target(target)
        .ok_or_else(|| AppError::invalid("target_unknown", "target"))?;
    let unit = match subject {
        None => None,
        Some(s) => Some(
            names
                .unit_of(s)
                .ok_or_else(|| AppError::invalid("unit_unknown", "subject"))?,
        ),
    };
    if !allowed(&cu.user, Action::ReadUnitRecords { unit_id: unit }) {
        return Err(AppError::forbidden());
    }
    Ok(engine::record_query(&st.plan, t, as_of, subject))
}

/// The records behind a figure of the board, in day order.
#[utoipa::path(get, path = "/api/v1/board/records", params(TraceParams),
    responses((status = 200, description = "{total, rows}"), (status = 403), (status = 422)))]
pub async fn api_trace(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Query(q): Query<TraceParams>,
) -> Result<Json<Trace>, AppError> {
    let as_of = parse_as_of(&st.plan, q.as_of.as_deref())?;
    let names = Names::load(&st).await?;
    let rq = trace_query(&st, &names, &cu, &q.target, q.subject.as_deref(), as_of)?;
    Ok(Json(
        st.store
            .trace(&st.plan, &rq, TRACE_PAGE, q.offset.unwrap_or(0).max(0))
            .await?,
    ))
}

// ------------------------------------------------------------------- page

pub struct MarkView {
    pub name: String,
    pub value: String,
    pub expected: String,
    pub url: String,
    /// Where the coordinator writes a reminder to the unit (empty: not offered).
    pub remind_url: String,
}

pub struct CardView {
    pub id: String,
    pub label: String,
    pub text: String,
    pub status: &'static str,
    pub status_label: &'static str,
    pub value: String,
    pub rule: String,
    pub detail: String,
    pub bar_pct: String,
    pub goal_pct: String,
    pub pace_pct: String,
    pub expected: String,
    pub forecast: String,
    pub url: String,
    pub holding_back: Vec<MarkView>,
    pub more_behind: usize,
}

pub struct UnitRowView {
    pub name: String,
    pub kind: &'static str,
    pub turns: u64,
    pub turns_text: String,
    pub sessions: u64,
    pub coverage: String,
    pub sample: bool,
}

#[derive(Template)]
#[template(path = "board.html")]
struct BoardPage {
    c: Chrome,
    as_of: String,
    prev_week: String,
    next_week: String,
    first: String,
    last: String,
    cards: Vec<CardView>,
    t6_svg: String,
    r6_table: String,
    timeline_svg: String,
    units: Vec<UnitRowView>,
    sort: String,
    print: bool,
    /// Offer the summary report download (who reads every unit's records).
    can_report: bool,
    /// Offer the data export (their own unit for a unit reporter).
    can_export: bool,
    /// A new commune's first steps not done yet (coordinator only).
    setup: Vec<SetupStep>,
}

/// One step of a new commune's first run, done or not.
pub struct SetupStep {
    pub done: bool,
    pub text: String,
    pub href: &'static str,
    pub action: &'static str,
}

/// A new commune's first run: its villages and schools, its rosters, its
/// reporters. Until the villages are in, the board says so instead of
/// counting units that are not the commune's.
async fn setup_steps(st: &AppState, b: &BoardData) -> Vec<SetupStep> {
    let active = |k: &str| b.names.units.iter().filter(|u| u.active == 1 && u.kind == k).count();
    let (villages, schools) = (active("village"), active("school"));
    let people: u64 = b.facts.roster_sizes.iter().map(|r| u64::from(r.count)).sum();
    let users = st.store.count_users(&st.plan_id).await.unwrap_or(0);
    let steps = vec![
        SetupStep {
            done: villages > 0,
            text: if villages > 0 {
                format!("Đã có {villages} thôn và {schools} trường.")
            } else {
                "Chưa có thôn nào: các chỉ tiêu tính theo thôn chưa tính được. Thêm các thôn (dán cả danh sách một lần) và kiểm tra các trường.".into()
            },
            href: "/don-vi#them-nhieu",
            action: "Thêm thôn, trường",
        },
        SetupStep {
            done: people > 0,
            text: if people > 0 {
                format!("Đã có {} người trong các danh sách.", vn_int(people as i64))
            } else {
                "Chưa có danh sách nào (đoàn viên, thiếu nhi, học sinh, cán bộ): các chỉ tiêu tỷ lệ dùng số khai báo hoặc chưa tính được.".into()
            },
            href: "/danh-sach",
            action: "Nhập danh sách",
        },
        SetupStep {
            done: users > 1,
            text: if users > 1 {
                format!("Đã có {users} tài khoản.")
            } else {
                "Chưa mời ai: tạo liên kết mời cho người báo cáo của từng thôn, trường và cho tình nguyện viên.".into()
            },
            href: "/nguoi-dung",
            action: "Mời người báo cáo",
        },
    ];
    if steps.iter().all(|x| x.done) {
        Vec::new()
    } else {
        steps
    }
}

fn pct_of(v: f64, scale: f64) -> String {
    let p = if scale > 0.0 {
        (100.0 * v / scale).clamp(0.0, 100.0)
    } else {
        0.0
    };
    format!("{p:.1}")
}

/// `remind`: offer a reminder link beside each unit that holds the target back.
/// `only_unit`: the records a unit's reporter may open are their own
/// unit's; links to the rest are not shown (a link that would refuse).
fn card(plan: &Plan, t: &TargetDef, s: &Standing, b: &BoardData, remind: bool, only_unit: Option<&str>) -> CardView {
    let may_open = |id: Option<&str>| match only_unit {
        None => true,
        Some(u) => id == Some(u),
    };
    let scale = match (t.threshold_unit, t.measure) {
        (ThresholdUnit::Percent, _) => 100.0,
        _ => t.threshold.max(s.value.value) * 1.2,
    };
    let detail = match (s.value.denominator, t.measure) {
        (None | Some(0.0), Measure::RosterCoverage) => {
            "chưa có danh sách: nhập danh sách hoặc khai báo số lượng ở mục Đơn vị".to_string()
        }
        (Some(d), Measure::RosterCoverage) => format!(
            "{} / {} người{}",
            vn_num(s.value.numerator, 0),
            vn_num(d, 0),
            s.value
                .denominator_source
                .map(|x| format!(" · mẫu số {}", x.label()))
                .unwrap_or_default()
        ),
        (Some(d), Measure::UnitCoverage) => format!("{} / {} đơn vị", vn_num(s.value.numerator, 0), vn_num(d, 0)),
        (Some(d), Measure::RatePerUnitPeriod) => {
            format!("{} / {} lớp × tuần", vn_num(s.value.numerator, 0), vn_num(d, 0))
        }
        _ => String::new(),
    };
    // A target every unit must reach reads as how many units reached it,
    // then the lowest unit by name and the commune's total (the same words
    // as the report and the public page).
    let (value, detail) = if t.measure == Measure::MinPerUnit {
        let reading = kehoach_core::report::min_per_unit_reading(t, s, &|id| b.subject_name(id));
        let mut parts = reading.split("; ");
        let head = parts.next().unwrap_or_default().to_string();
        (head, parts.collect::<Vec<_>>().join(" · "))
    } else {
        (figure(t, s.value.value), detail)
    };
    let forecast = match (s.forecast_pace, s.forecast_recent) {
        _ if s.status == Status::NotYet => format!("Bắt đầu {}", plan.target_window(t).start.vn()),
        (Some(p), Some(r)) => format!(
            "Dự báo cuối kỳ: {} theo nhịp từ đầu, {} theo nhịp 2 tuần gần nhất",
            figure(t, p),
            figure(t, r)
        ),
        (Some(p), None) => format!("Dự báo cuối kỳ: {}", figure(t, p)),
        _ => String::new(),
    };
    let behind: Vec<&Laggard> = s.laggards.iter().filter(|l| l.holds_back).collect();
    CardView {
        id: t.id.clone(),
        label: t.label.clone(),
        text: t.text.clone(),
        status: s.status.as_str(),
        status_label: s.status.label(),
        value,
        rule: format!("{} {}", t.comparator.symbol(), figure(t, t.threshold)),
        detail,
        bar_pct: pct_of(s.value.value, scale),
        goal_pct: pct_of(t.threshold, scale),
        pace_pct: pct_of(s.expected, scale),
        expected: figure(t, s.expected),
        forecast,
        url: if may_open(None) {
            records_url(&t.id, None, b.as_of)
        } else {
            String::new()
        },
        holding_back: behind
            .iter()
            .take(6)
            .map(|l| MarkView {
                name: b.subject_name(&l.id),
                value: unit_figure(t, l.value),
                expected: unit_figure(t, l.expected),
                url: if may_open(Some(&l.id)) {
                    records_url(&t.id, Some(&l.id), b.as_of)
                } else {
                    String::new()
                },
                remind_url: b
                    .names
                    .unit_of(&l.id)
                    .filter(|_| remind)
                    .map(|u| format!("/nhac-nho/moi?don-vi={u}&chi-tieu={}&ngay={}", t.id, b.as_of.vn()))
                    .unwrap_or_default(),
            })
            .collect(),
        more_behind: behind.len().saturating_sub(6),
    }
}

/// T6-style chart: one bar per unit against the per-unit threshold and pace.
fn per_unit_chart(t: &TargetDef, s: &Standing, b: &BoardData) -> String {
    let rows = &s.value.per_unit;
    if rows.is_empty() {
        return String::new();
    }
    let max = rows.iter().map(|u| u.value).fold(t.threshold, f64::max) * 1.1;
    let (label_w, chart_w, row_h, top) = (190.0, 520.0, 26.0, 24.0);
    let height = top + row_h * rows.len() as f64 + 10.0;
    let x = |v: f64| label_w + chart_w * v / max;
    let mut o = String::new();
    let _ = write!(
        o,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {height}" class="chart" role="img" aria-label="{} theo đơn vị">"#,
        label_w + chart_w + 70.0,
        esc(&t.label)
    );
    let unit_expected = s.unit_expected;
    for (i, u) in rows.iter().enumerate() {
        let y = top + row_h * i as f64;
        let fill = if u.met {
            "#2f855a"
        } else if u.value < unit_expected {
            "#c53030"
        } else {
            "#2b6cb0"
        };
        let name = b.subject_name(&u.id);
        let _ = write!(
            o,
            r##"<a href="{}" class="bar" data-unit="{}"><title>{}: {}</title><text x="4" y="{:.1}" font-size="12" fill="#223">{}</text><rect x="{label_w}" y="{:.1}" width="{:.1}" height="16" rx="2" fill="{fill}"/><text x="{:.1}" y="{:.1}" font-size="12" fill="#223" class="v">{}</text></a>"##,
            esc(&records_url(&t.id, Some(&u.id), b.as_of)),
            esc(&u.id),
            esc(&name),
            vn_int(u.value as i64),
            y + 16.0,
            esc(&truncate(&name, 26)),
            y + 4.0,
            (x(u.value) - label_w).max(0.5),
            x(u.value) + 4.0,
            y + 16.0,
            vn_int(u.value as i64)
        );
    }
    let (gx, px) = (x(t.threshold), x(unit_expected));
    let _ = write!(
        o,
        r##"<line x1="{gx:.1}" y1="{}" x2="{gx:.1}" y2="{height}" stroke="#1a202c" stroke-width="2"/><text x="{:.1}" y="14" font-size="11" fill="#1a202c">chỉ tiêu {}</text>"##,
        top - 6.0,
        gx - 30.0,
        vn_int(t.threshold as i64)
    );
    if s.status != Status::NotYet && unit_expected < t.threshold {
        let _ = write!(
            o,
            r##"<line x1="{px:.1}" y1="{}" x2="{px:.1}" y2="{height}" stroke="#b7791f" stroke-width="2" stroke-dasharray="4 3"/><text x="{:.1}" y="{}" font-size="11" fill="#b7791f">nhịp đều {}</text>"##,
            top - 6.0,
            px + 3.0,
            top - 2.0,
            vn_num(unit_expected, 0)
        );
    }
    o.push_str("</svg>");
    o
}

/// R6 heatmap: classes × weeks, each cell the sessions held that week.
fn rate_grid(plan: &Plan, t: &TargetDef, s: &Standing, b: &BoardData) -> String {
    if s.value.per_unit.is_empty() {
        return "<p class=\"hint\">Chưa có lớp nào của trường có phòng học thông minh: thêm lớp ở trang Đơn vị.</p>"
            .into();
    }
    let w = plan.target_window(t);
    let weeks = s.value.grid.first().map(|r| r.len()).unwrap_or(0);
    let mut o = String::from("<table class=\"heat\"><thead><tr><th>Lớp</th>");
    for k in 0..weeks {
        let _ = write!(
            o,
            "<th title=\"từ {}\">T{}<br><small>{}</small></th>",
            w.start.plus(7 * k as i64).vn(),
            k + 1,
            w.start.plus(7 * k as i64).vn_short()
        );
    }
    o.push_str("<th>Tỷ lệ</th></tr></thead><tbody>");
    for (u, row) in s.value.per_unit.iter().zip(&s.value.grid) {
        let _ = write!(
            o,
            "<tr><th><a href=\"{}\">{}</a></th>",
            esc(&records_url(&t.id, Some(&u.id), b.as_of)),
            esc(&b.subject_name(&u.id))
        );
        for n in row {
            let cls = match n {
                0 => "h0",
                1 => "h1",
                _ => "h2",
            };
            let _ = write!(
                o,
                "<td class=\"{cls}\" title=\"{n} buổi\">{}</td>",
                if *n > 0 { n.to_string() } else { String::new() }
            );
        }
        let _ = write!(o, "<td class=\"num\">{} %</td></tr>", vn_num(u.value, 1));
    }
    o.push_str("</tbody></table>");
    o
}

#[derive(Deserialize, Default)]
pub struct BoardPageQuery {
    pub ngay: Option<String>,
    #[serde(rename = "sap-xep")]
    pub sap_xep: Option<String>,
    pub ban: Option<String>,
}

pub async fn board_page(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Query(q): Query<BoardPageQuery>,
) -> Response {
    let plan = &st.plan;
    let (as_of, notice) = match parse_as_of(plan, q.ngay.as_deref()) {
        Ok(d) => (d, None),
        Err(e) => (default_as_of(plan), crate::pages::error_notice(&e)),
    };
    let b = match BoardData::load(&st, as_of).await {
        Ok(b) => b,
        Err(e) => return axum::response::IntoResponse::into_response(e),
    };
    let print = q.ban.as_deref() == Some("in");
    let remind = !print && allowed(&cu.user, Action::SendReminder);
    let setup = if !print && allowed(&cu.user, Action::ManageUnits) {
        setup_steps(&st, &b).await
    } else {
        Vec::new()
    };
    let cards = plan
        .targets
        .iter()
        .zip(&b.standings)
        .map(|(t, s)| {
            let only_unit = (!allowed(&cu.user, Action::ReadUnitRecords { unit_id: None }))
                .then(|| cu.user.unit_id.as_deref().unwrap_or("—"));
            card(plan, t, s, &b, remind, only_unit)
        })
        .collect();
    let find = |m: Measure| plan.targets.iter().zip(&b.standings).find(|(t, _)| t.measure == m);
    let t6_svg = find(Measure::MinPerUnit)
        .map(|(t, s)| per_unit_chart(t, s, &b))
        .unwrap_or_default();
    let r6_table = find(Measure::RatePerUnitPeriod)
        .map(|(t, s)| rate_grid(plan, t, s, &b))
        .unwrap_or_default();
    let held = engine::sessions_per_line(&b.facts, as_of);
    let totals = engine::unit_totals(&b.facts, as_of);
    let roster_targets: Vec<(&TargetDef, &Standing)> = plan
        .targets
        .iter()
        .zip(&b.standings)
        .filter(|(t, _)| t.measure == Measure::RosterCoverage)
        .collect();
    let mut units: Vec<UnitRowView> = b
        .names
        .units
        .iter()
        .filter(|u| u.active == 1)
        .map(|u| {
            let (turns, sessions) = totals.get(&u.id).copied().unwrap_or_default();
            let coverage = roster_targets
                .iter()
                .filter_map(|(t, s)| {
                    s.value
                        .per_unit
                        .iter()
                        .find(|x| x.id == u.id)
                        .map(|x| format!("{} {} %", t.id, vn_num(x.value, 1)))
                })
                .collect::<Vec<_>>()
                .join(" · ");
            UnitRowView {
                name: u.display_name().to_string(),
                kind: u.kind().map(UnitKind::label).unwrap_or(""),
                turns,
                turns_text: vn_int(turns as i64),
                sessions,
                coverage,
                sample: u.sample == 1,
            }
        })
        .collect();
    let sort = q.sap_xep.clone().unwrap_or_else(|| "luot".into());
    match sort.as_str() {
        "ten" => units.sort_by_key(|u| kehoach_core::text::fold_key(&u.name)),
        "buoi" => units.sort_by(|a, b| a.sessions.cmp(&b.sessions).then(a.turns.cmp(&b.turns))),
        "buoi-giam" => units.sort_by_key(|u| std::cmp::Reverse(u.sessions)),
        "luot-giam" => units.sort_by_key(|u| std::cmp::Reverse(u.turns)),
        _ => units.sort_by(|a, b| a.turns.cmp(&b.turns).then(a.sessions.cmp(&b.sessions))),
    }
    let period = plan.plan.period;
    let page = BoardPage {
        c: chrome(&st, Some(&cu), "Bảng theo dõi chỉ tiêu", "board", notice),
        as_of: as_of.vn(),
        prev_week: as_of.plus(-7).max(period.start).vn(),
        next_week: as_of.plus(7).min(period.end).vn(),
        first: period.start.vn(),
        last: period.end.vn(),
        cards,
        t6_svg,
        r6_table,
        timeline_svg: kehoach_core::timeline::timeline_svg_with_counts(plan, Some(as_of), Some(&held)),
        units,
        sort,
        print,
        can_report: allowed(&cu.user, Action::ReadUnitRecords { unit_id: None }),
        can_export: allowed(&cu.user, Action::ReadUnitRecords { unit_id: None })
            || cu
                .user
                .unit_id
                .as_deref()
                .is_some_and(|u| allowed(&cu.user, Action::ReadUnitRecords { unit_id: Some(u) })),
        setup,
    };
    render(StatusCode::OK, &page)
}

// ------------------------------------------------------------ records page

pub struct TraceRowView {
    pub n: i64,
    pub day: String,
    pub kind: &'static str,
    pub unit: String,
    pub line: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "trace.html")]
struct TracePage {
    c: Chrome,
    target: String,
    target_label: String,
    subject: String,
    period: String,
    total: i64,
    total_text: String,
    rows: Vec<TraceRowView>,
    back: String,
    prev: Option<String>,
    next: Option<String>,
}

#[derive(Deserialize, Default)]
pub struct TracePageQuery {
    #[serde(rename = "chi-tieu")]
    pub chi_tieu: String,
    #[serde(rename = "doi-tuong")]
    pub doi_tuong: Option<String>,
    pub ngay: Option<String>,
    pub trang: Option<i64>,
}

pub async fn trace_page(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Query(q): Query<TracePageQuery>,
) -> Response {
    use axum::response::IntoResponse;
    let result = async {
        let as_of = parse_as_of(&st.plan, q.ngay.as_deref())?;
        let subject = q.doi_tuong.as_deref().filter(|s| !s.is_empty());
        let names = Names::load(&st).await?;
        let rq = trace_query(&st, &names, &cu, &q.chi_tieu, subject, as_of)?;
        let page = q.trang.unwrap_or(1).clamp(1, 1_000_000);
        let trace = st
            .store
            .trace(&st.plan, &rq, TRACE_PAGE, (page - 1).saturating_mul(TRACE_PAGE))
            .await?;
        let t = st.plan.target(&q.chi_tieu).ok_or_else(AppError::not_found)?;
        let subject_name = subject.map_or_else(|| "Toàn xã".to_string(), |s| names.subject(s));
        let line_label = |id: &Option<String>| {
            id.as_deref()
                .and_then(|l| st.plan.line(l))
                .map(|l| l.label())
                .unwrap_or_default()
        };
        let services: HashMap<&str, &str> = st
            .plan
            .lines
            .iter()
            .flat_map(|l| l.services.iter())
            .map(|s| (s.id.as_str(), s.label.as_str()))
            .collect();
        let rows = trace
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| TraceRowView {
                n: (page - 1) * TRACE_PAGE + i as i64 + 1,
                day: Day::parse_iso(&r.day).map(|d| d.vn()).unwrap_or_else(|| r.day.clone()),
                kind: match r.kind {
                    "person" => "người tham gia",
                    "session" => "buổi",
                    _ => "lượt hỗ trợ",
                },
                unit: names.subject(&r.unit_id),
                line: line_label(&r.line_id),
                detail: match r.kind {
                    "support_turn" => services
                        .get(r.detail.as_str())
                        .copied()
                        .unwrap_or(&r.detail)
                        .to_string(),
                    "session" => crate::pages_records::kind_label(&r.detail),
                    _ => r.detail.clone(),
                },
            })
            .collect();
        let here = |p: i64| format!("{}&trang={p}", records_url(&q.chi_tieu, subject, as_of));
        Ok::<_, AppError>(TracePage {
            c: chrome(&st, Some(&cu), &format!("Hồ sơ {}", t.id), "board", None),
            target: t.id.clone(),
            target_label: t.label.clone(),
            subject: subject_name,
            period: format!("{} – {}", rq.from.vn(), rq.to.vn()),
            total: trace.total,
            total_text: vn_int(trace.total),
            rows,
            back: format!("/theo-doi?ngay={}", as_of.vn()),
            prev: (page > 1).then(|| here(page - 1)),
            next: (page * TRACE_PAGE < trace.total).then(|| here(page + 1)),
        })
    }
    .await;
    match result {
        Ok(p) => render(StatusCode::OK, &p),
        Err(e) => e.into_response(),
    }
}

// ------------------------------------------------------------ a unit's home

/// One target as a unit's reporter sees it: only their unit's share.
pub struct UnitTargetRow {
    pub id: String,
    pub label: String,
    pub value: String,
    pub goal: String,
    pub expected: String,
    /// "đạt", "đúng nhịp", "chậm so với nhịp đều", "chưa đến thời gian".
    pub state: &'static str,
    pub class: &'static str,
    pub url: String,
}

#[derive(Template)]
#[template(path = "unit_home.html")]
struct UnitHomePage {
    c: Chrome,
    name: String,
    as_of: String,
    can_turns: bool,
    rows: Vec<UnitTargetRow>,
}

/// `GET /don-vi-cua-toi`: where a unit's reporter lands: what to record
/// (turns, sessions, rosters) and their own unit's targets against a
/// steady pace, never other units' figures.
pub async fn unit_home(State(st): State<AppState>, PageUser(cu): PageUser) -> Response {
    let Some(unit_id) = cu.user.unit_id.clone() else {
        return crate::pages::see_other("/");
    };
    let as_of = default_as_of(&st.plan);
    let b = match BoardData::load(&st, as_of).await {
        Ok(b) => b,
        Err(e) => return axum::response::IntoResponse::into_response(e),
    };
    let units = match st.units().await {
        Ok(u) => u,
        Err(e) => return axum::response::IntoResponse::into_response(AppError::from(e)),
    };
    let unit = units.iter().find(|u| u.id == unit_id);
    let rows = st
        .plan
        .targets
        .iter()
        .zip(&b.standings)
        .filter_map(|(t, s)| {
            let l = s.laggards.iter().find(|l| l.id == unit_id)?;
            let w = st.plan.target_window(t);
            let (state, class) = if as_of < w.start {
                ("chưa đến thời gian", "not_yet")
            } else if l.value >= l.goal {
                ("đạt", "met")
            } else if as_of >= w.end {
                ("không đạt", "failed")
            } else if l.holds_back {
                ("chậm so với nhịp đều", "at_risk")
            } else {
                ("đúng nhịp", "on_track")
            };
            Some(UnitTargetRow {
                id: t.id.clone(),
                label: t.label.clone(),
                value: unit_figure(t, l.value),
                goal: unit_figure(t, l.goal),
                expected: unit_figure(t, l.expected),
                state,
                class,
                url: records_url(&t.id, Some(&unit_id), as_of),
            })
        })
        .collect();
    let page = UnitHomePage {
        c: chrome(
            &st,
            Some(&cu),
            unit.map_or("Đơn vị của tôi", |u| u.name.as_str()),
            "unit_home",
            None,
        ),
        name: unit.map(|u| u.name.clone()).unwrap_or_default(),
        as_of: as_of.vn(),
        can_turns: unit.is_some_and(|u| u.kind == "village") && st.plan.lines.iter().any(|l| !l.services.is_empty()),
        rows,
    };
    render(StatusCode::OK, &page)
}
