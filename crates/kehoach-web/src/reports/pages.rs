//! The report on screen (`/bao-cao`) with its downloads, the forms for texts and budget, and a unit's progress report.

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kehoach_core::ErrorCode;
use serde::Deserialize;

use crate::AppState;
use crate::http::auth::PageUser;
use crate::http::dates::{parse_as_of, parse_day_field};
use crate::http::errors::AppError;
use crate::http::policy::{Action, allowed};
use crate::reports::BudgetLineBody;
use crate::reports::exports::download;
use crate::reports::save_budget;
use crate::reports::save_texts;
use crate::reports::standings;
use crate::reports::summary_report;
use crate::ui::forbidden_page;

#[derive(Deserialize)]
pub struct SummaryQuery {
    /// As-of date, dd/mm/yyyy or YYYY-MM-DD (default: today within the plan).
    pub ngay: Option<String>,
    pub ok: Option<String>,
}

/// `GET /bao-cao/tong-ket.{docx,pdf}?ngay=dd/mm/yyyy`: for those who read every unit's records.
pub async fn summary(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    axum::extract::Path(file): axum::extract::Path<String>,
    Query(q): Query<SummaryQuery>,
) -> Response {
    let pdf = match file.as_str() {
        "tong-ket.docx" => false,
        "tong-ket.pdf" => true,
        _ => return AppError::not_found().into_response(),
    };
    if !allowed(&cu.user, Action::ReadUnitRecords { unit_id: None }) {
        return forbidden_page(&st, &cu);
    }
    let as_of = match parse_as_of(&st.plan, st.clock.today(), q.ngay.as_deref()) {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let report = match summary_report(&st.store, &st.plan, as_of, st.clock.today()).await {
        Ok(r) => r,
        Err(e) => return AppError::from(e).into_response(),
    };
    let (bytes, content_type, ext) = if pdf {
        (kehoach_report::pdf::pdf(&report), "application/pdf", "pdf")
    } else {
        (
            kehoach_report::docx::docx(&report),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "docx",
        )
    };
    match bytes {
        Ok(bytes) => download(bytes, content_type, &format!("bao-cao-tong-ket-{}.{ext}", as_of.iso())),
        Err(e) => {
            tracing::error!(error = %e, "report rendering failed");
            AppError::new(ErrorCode::Internal, None).into_response()
        }
    }
}

/// A block as the preview template reads it.
pub struct BlockView {
    /// 1 or 2 for headings, 0 otherwise.
    pub level: u8,
    pub text: String,
    pub table: Option<kehoach_core::report::Table>,
    /// A chart as SVG (built from escaped text).
    chart: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "report.html")]
struct PreviewPage {
    c: crate::ui::Chrome,
    as_of: String,
    r: kehoach_core::report::Report,
    blocks: Vec<BlockView>,
    /// The sections the coordinator may write: key, heading, hint, current text.
    sections: Vec<(String, String, String, String)>,
    /// Budget rows: line id, label, estimate, spent, contributions (as typed).
    budget: Vec<(String, String, String, String, String)>,
    can_edit: bool,
}

/// `GET /bao-cao?ngay=`: the summary report on screen, with its downloads.
pub async fn preview(State(st): State<AppState>, PageUser(cu): PageUser, Query(q): Query<SummaryQuery>) -> Response {
    preview_page(&st, &cu, &q, None, StatusCode::OK).await
}

/// The preview page, with an error from a form posted on it when there is one.
async fn preview_page(
    st: &AppState,
    cu: &crate::http::auth::CurrentUser,
    q: &SummaryQuery,
    error: Option<&AppError>,
    status: StatusCode,
) -> Response {
    if !allowed(&cu.user, Action::ReadUnitRecords { unit_id: None }) {
        return forbidden_page(st, cu);
    }
    let (as_of, notice) = match parse_as_of(&st.plan, st.clock.today(), q.ngay.as_deref()) {
        Ok(d) => (d, error.and_then(crate::ui::error_notice)),
        Err(e) => (
            crate::http::dates::default_as_of(&st.plan, st.clock.today()),
            crate::ui::error_notice(&e),
        ),
    };
    let r = match summary_report(&st.store, &st.plan, as_of, st.clock.today()).await {
        Ok(r) => r,
        Err(e) => return AppError::from(e).into_response(),
    };
    use kehoach_core::report::Block;
    let blocks = r
        .blocks
        .iter()
        .map(|b| match b {
            Block::Heading { level, text } => BlockView {
                level: *level,
                text: if *level == 1 { text.to_uppercase() } else { text.clone() },
                table: None,
                chart: None,
            },
            Block::Para(text) => BlockView {
                level: 0,
                text: text.clone(),
                table: None,
                chart: None,
            },
            Block::Table(t) => BlockView {
                level: 0,
                text: String::new(),
                table: Some(t.clone()),
                chart: None,
            },
            Block::Chart(c) => BlockView {
                level: 0,
                text: c.caption.clone(),
                table: None,
                chart: Some(kehoach_report::charts::svg(c)),
            },
        })
        .collect();
    let texts = st.store.report_texts(&st.plan_id).await.unwrap_or_default();
    let sections = kehoach_core::report::REPORT_SECTIONS
        .iter()
        .map(|(k, h, hint)| {
            (
                k.to_string(),
                h.to_string(),
                hint.to_string(),
                texts.get(*k).cloned().unwrap_or_default(),
            )
        })
        .collect();
    let saved = st.store.budget_lines(&st.plan_id).await.unwrap_or_default();
    let money = |v: Option<i64>| v.map(kehoach_core::text::vn_int).unwrap_or_default();
    let budget = st
        .plan
        .lines
        .iter()
        .map(|l| {
            let m = saved.get(&l.id).cloned().unwrap_or_default();
            (
                l.id.clone(),
                l.label(),
                money(m.estimate),
                money(m.spent),
                money(m.contributions),
            )
        })
        .collect();
    let notice = notice.or_else(|| match q.ok.as_deref() {
        Some("report_texts_saved") => Some(crate::ui::Notice {
            kind: "ok",
            text: "Đã lưu phần đánh giá của báo cáo.".into(),
        }),
        Some("budget_saved") => Some(crate::ui::Notice {
            kind: "ok",
            text: "Đã lưu kinh phí.".into(),
        }),
        _ => None,
    });
    let page = PreviewPage {
        sections,
        budget,
        can_edit: allowed(&cu.user, Action::EditReport),
        c: crate::ui::chrome(st, Some(cu), "Báo cáo tổng kết", "report", notice),
        as_of: as_of.vn(),
        r,
        blocks,
    };
    crate::ui::render(status, &page)
}

/// `POST /bao-cao/van-ban`: the form on the preview page (every section at once).
pub async fn texts_form(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    axum::Form(f): axum::Form<Vec<(String, String)>>,
) -> Response {
    let ngay = f
        .iter()
        .find(|(k, _)| k == "ngay")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let texts: Vec<(String, String)> = f.into_iter().filter(|(k, _)| k != "ngay" && k != "_csrf").collect();
    let r = save_texts(&st, &cu, &texts).await;
    after_form(&st, &cu, ngay, r, "report_texts_saved#van-ban").await
}

/// After a form on the preview page: back to it with `ok` (and its anchor),
/// or the page again with the Vietnamese reason.
async fn after_form(
    st: &AppState,
    cu: &crate::http::auth::CurrentUser,
    ngay: String,
    r: Result<(), AppError>,
    ok: &str,
) -> Response {
    match r {
        Ok(()) => crate::ui::see_other(&format!(
            "/bao-cao?ngay={}&ok={ok}",
            url::form_urlencoded::byte_serialize(ngay.as_bytes()).collect::<String>()
        )),
        Err(e) if e.status == StatusCode::FORBIDDEN => forbidden_page(st, cu),
        Err(e) => {
            let q = SummaryQuery {
                ngay: Some(ngay),
                ok: None,
            };
            preview_page(st, cu, &q, Some(&e), e.status).await
        }
    }
}

#[derive(Deserialize)]
pub struct UnitReportQuery {
    /// First and last day of the period, dd/mm/yyyy or YYYY-MM-DD
    /// (default: the plan's start, and today within the plan).
    pub tu: Option<String>,
    pub den: Option<String>,
}

/// `GET /bao-cao/don-vi/{unit}.{docx,pdf}?tu=&den=`: a unit's progress report,
/// for whoever may read that unit's records.
pub async fn unit_report(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    axum::extract::Path(file): axum::extract::Path<String>,
    Query(q): Query<UnitReportQuery>,
) -> Response {
    let Some((unit_id, ext)) = file.rsplit_once('.').filter(|(_, e)| matches!(*e, "docx" | "pdf")) else {
        return AppError::not_found().into_response();
    };
    if !allowed(&cu.user, Action::ReadUnitRecords { unit_id: Some(unit_id) }) {
        return forbidden_page(&st, &cu);
    }
    let period = st.plan.plan.period;
    let (from, to) = match (
        parse_day_field(q.tu.as_deref(), "tu"),
        parse_day_field(q.den.as_deref(), "den"),
    ) {
        (Ok(f), Ok(t)) => (
            f.unwrap_or(period.start),
            t.unwrap_or_else(|| st.clock.today().min(period.end).max(period.start)),
        ),
        (Err(e), _) | (_, Err(e)) => return e.into_response(),
    };
    if from > to {
        return AppError::invalid(ErrorCode::PeriodReversed, "tu").into_response();
    }
    let report = match async {
        let (facts, standings) = standings(&st.store, &st.plan, to).await?;
        st.store
            .unit_report(&st.plan, unit_id, &facts, &standings, from, to, st.clock.today())
            .await
    }
    .await
    {
        Ok(r) => r,
        Err(e) => return AppError::from(e).into_response(),
    };
    let (bytes, content_type) = if ext == "pdf" {
        (kehoach_report::pdf::pdf(&report), "application/pdf")
    } else {
        (
            kehoach_report::docx::docx(&report),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )
    };
    match bytes {
        Ok(bytes) => download(
            bytes,
            content_type,
            &format!("bao-cao-don-vi-{}-{}.{ext}", from.iso(), to.iso()),
        ),
        Err(e) => {
            tracing::error!(error = %e, "unit report failed");
            AppError::new(ErrorCode::Internal, None).into_response()
        }
    }
}

/// `POST /bao-cao/kinh-phi`: the budget form (fields `du-toan:LINE`, `da-chi:LINE`, `xhh:LINE`).
pub async fn budget_form(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    axum::Form(f): axum::Form<Vec<(String, String)>>,
) -> Response {
    let ngay = f
        .iter()
        .find(|(k, _)| k == "ngay")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let mut lines: Vec<BudgetLineBody> = Vec::new();
    for line in &st.plan.lines {
        let mut b = BudgetLineBody {
            line_id: line.id.clone(),
            estimate: None,
            spent: None,
            contributions: None,
        };
        for (prefix, slot) in [
            ("du-toan", &mut b.estimate),
            ("da-chi", &mut b.spent),
            ("xhh", &mut b.contributions),
        ] {
            let key = format!("{prefix}:{}", line.id);
            if let Some((_, v)) = f.iter().find(|(k, _)| *k == key) {
                match crate::http::form::parse_count(v) {
                    Ok(n) => *slot = n,
                    Err(_) => {
                        return after_form(
                            &st,
                            &cu,
                            ngay,
                            Err(AppError::invalid(ErrorCode::AmountInvalid, "amount")),
                            "",
                        )
                        .await;
                    }
                }
            }
        }
        lines.push(b);
    }
    let r = save_budget(&st, &cu, lines).await;
    after_form(&st, &cu, ngay, r, "budget_saved#kinh-phi").await
}
