//! The plan in use: its overview page (lines, targets and how each is counted, duties), its JSON door, and reading another plan in (`import`).

pub mod api;
pub mod import;
pub mod plans;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kehoach_core::plan::show::target_rule;
use kehoach_core::{Day, Measure, Plan, RecordKind};

use crate::AppState;
use crate::http::auth::PageUser;
use crate::ui::Chrome;
use crate::ui::OkQuery;
use crate::ui::chrome;
use crate::ui::ok_notice;
use crate::ui::render;

pub struct LineView {
    id: String,
    number: String,
    title: String,
    is_sub: bool,
    time_text: Option<String>,
    window: String,
    lead: String,
    partners: String,
    location: Option<String>,
    milestones: Vec<(String, String)>,
    content: Vec<String>,
    forms: Vec<String>,
    services: Vec<String>,
    venues: Vec<String>,
    requirements: Vec<String>,
    line_targets: Vec<String>,
    targets: Vec<String>,
}

pub struct TargetView {
    id: String,
    label: String,
    text: String,
    rule: String,
    how: String,
}

pub struct DutyView {
    number: String,
    heading: String,
    request_only: bool,
    items: Vec<String>,
}

pub struct PlanView {
    issuer: String,
    number: Option<String>,
    short_title: String,
    title: String,
    theme: Option<String>,
    period: String,
    implements: Vec<String>,
    preamble: Option<String>,
    purposes: Vec<String>,
    requirements: Vec<String>,
    target_groups: Vec<String>,
    signer: String,
    timeline_svg: String,
    lines: Vec<LineView>,
    targets: Vec<TargetView>,
    budget: Vec<String>,
    duties: Vec<DutyView>,
    recipients: Vec<String>,
}

fn refs(plan: &Plan, r: &[String]) -> String {
    r.iter().map(|x| plan.unit_ref_label(x)).collect::<Vec<_>>().join(", ")
}

pub(crate) fn how(plan: &Plan, t: &kehoach_core::TargetDef) -> String {
    let records: Vec<&str> = t
        .records
        .iter()
        .map(|r| match r {
            RecordKind::Session => "buổi đã tổ chức",
            RecordKind::Attendance => "lượt tham dự của người trong danh sách",
            RecordKind::SupportTurn => "lượt hỗ trợ người dân",
            RecordKind::ContestEntry => "bài dự thi",
        })
        .collect();
    let lines: Vec<String> = t
        .lines
        .iter()
        .filter_map(|l| plan.line(l))
        .map(|l| format!("hoạt động {}", l.number))
        .collect();
    let mut s = format!("{}: đếm {}", t.measure.label(), records.join(" hoặc "));
    if !lines.is_empty() {
        s.push_str(&format!(" của {}", lines.join(", ")));
    }
    if !t.session_kinds.is_empty() {
        let k: Vec<_> = t.session_kinds.iter().map(|k| k.label()).collect();
        s.push_str(&format!(" (loại buổi: {})", k.join(", ")));
    }
    match t.measure {
        Measure::RosterCoverage => s.push_str("; mỗi người tính một lần; mẫu số là danh sách hoặc số khai báo"),
        Measure::MinPerUnit => s.push_str("; đạt khi mọi đơn vị đều đạt"),
        Measure::RatePerUnitPeriod => s.push_str("; tỷ lệ ô lớp × tuần có buổi"),
        Measure::UnitTargetShare => s.push_str(&format!(
            "; tỷ lệ đơn vị đạt chỉ tiêu {} của kế hoạch của mình",
            t.unit_target.as_deref().unwrap_or("")
        )),
        Measure::UnitCoverage | Measure::Count => {}
    }
    s
}

fn plan_view(plan: &Plan, today: Day) -> PlanView {
    let h = &plan.plan;
    let lines = plan
        .lines
        .iter()
        .map(|l| LineView {
            id: l.id.clone(),
            number: l.number.clone(),
            title: l.title.clone(),
            is_sub: l.parent.is_some(),
            time_text: l.time_text.clone(),
            window: l.window.vn(),
            lead: if l.lead.is_empty() {
                String::new()
            } else {
                refs(plan, &l.lead)
            },
            partners: refs(plan, &l.partners),
            location: l.location_text.clone(),
            milestones: l.milestones.iter().map(|m| (m.name.clone(), m.window.vn())).collect(),
            content: l.content.clone(),
            forms: l.forms.iter().map(|f| f.label.clone()).collect(),
            services: l.services.iter().map(|f| f.label.clone()).collect(),
            venues: l.venues.iter().map(|v| plan.unit_ref_label(v)).collect(),
            requirements: l.requirements.clone(),
            line_targets: l.line_targets.clone(),
            targets: plan
                .targets
                .iter()
                .filter(|t| t.lines.contains(&l.id))
                .map(|t| t.id.clone())
                .collect(),
        })
        .collect();
    PlanView {
        issuer: h.issuer.clone(),
        number: h.number.clone(),
        short_title: h.short_title.clone(),
        title: h.title.clone(),
        theme: h.theme.clone(),
        period: h.period.vn(),
        implements: h
            .implements
            .iter()
            .map(|r| {
                format!(
                    "{} số {} ngày {} của {} về {}",
                    r.doc_type,
                    r.number,
                    r.date.vn(),
                    r.issuer,
                    r.subject
                )
            })
            .collect(),
        preamble: h.preamble.clone(),
        purposes: h.purposes.clone(),
        requirements: h.requirements.clone(),
        target_groups: h.target_groups.clone(),
        signer: {
            let s = &plan.signer;
            [
                Some(s.on_behalf.clone()),
                s.deputy_for.clone(),
                Some(s.position.clone()),
                Some(s.name.clone()),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ")
        },
        timeline_svg: kehoach_core::plan::timeline::timeline_svg(plan, Some(today)),
        lines,
        targets: plan
            .targets
            .iter()
            .map(|t| TargetView {
                id: t.id.clone(),
                label: t.label.clone(),
                text: t.text.clone(),
                rule: target_rule(plan, t),
                how: how(plan, t),
            })
            .collect(),
        budget: plan.budget_sources.iter().map(|b| b.text.clone()).collect(),
        duties: plan
            .duties
            .iter()
            .map(|d| DutyView {
                number: d.number.clone(),
                heading: d.heading.clone(),
                request_only: d.request_only,
                items: d.items.clone(),
            })
            .collect(),
        recipients: plan.recipients.clone(),
    }
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    c: Chrome,
    v: PlanView,
}

pub async fn plan_page(State(st): State<AppState>, PageUser(cu): PageUser, Query(q): Query<OkQuery>) -> Response {
    let page = PlanPage {
        c: chrome(&st, Some(&cu), &st.plan.plan.short_title, "plan", ok_notice(&q)),
        v: plan_view(&st.plan, st.clock.today()),
    };
    render(StatusCode::OK, &page)
}
