//! The records behind one figure of the board (`/theo-doi/ho-so`), paged.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use kehoach_core::Day;
use kehoach_core::text::vn_int;
use serde::Deserialize;

use crate::AppState;
use crate::board::Names;
use crate::board::TRACE_PAGE;
use crate::board::api::trace_query;
use crate::board::records_url;
use crate::http::auth::PageUser;
use crate::http::dates::parse_as_of;
use crate::http::errors::AppError;
use crate::ui::{Chrome, chrome, render};

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
        let as_of = parse_as_of(&st.plan, st.clock.today(), q.ngay.as_deref())?;
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
                    "session" => crate::records::sessions::pages::kind_label(&r.detail),
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
