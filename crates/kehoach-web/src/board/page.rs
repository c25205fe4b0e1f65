//! The board page: every target's card (status, steady-pace mark, forecasts, the units that hold it back), the per-village chart, the class × week grid, the first-run steps and the units table.

use std::fmt::Write;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kehoach_core::engine::{self, Laggard, Standing, Status};
use kehoach_core::text::{truncate, vn_int, vn_num, xml_escape as esc};
use kehoach_core::{Measure, Plan, TargetDef, ThresholdUnit, UnitKind};
use serde::Deserialize;

use crate::AppState;
use crate::board::BoardData;
use crate::board::figure;
use crate::board::records_url;
use crate::board::unit_figure;
use crate::http::auth::PageUser;
use crate::http::dates::default_as_of;
use crate::http::dates::parse_as_of;
use crate::http::policy::{Action, allowed};
use crate::ui::{Chrome, chrome, render};

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
pub(crate) fn card(
    plan: &Plan,
    t: &TargetDef,
    s: &Standing,
    b: &BoardData,
    remind: bool,
    only_unit: Option<&str>,
) -> CardView {
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
    let (as_of, notice) = match parse_as_of(plan, st.clock.today(), q.ngay.as_deref()) {
        Ok(d) => (d, None),
        Err(e) => (default_as_of(plan, st.clock.today()), crate::ui::error_notice(&e)),
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
    let notice = crate::ui::replica_notice(&st, notice).await;
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
        timeline_svg: kehoach_core::plan::timeline::timeline_svg_with_counts(plan, Some(as_of), Some(&held)),
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
