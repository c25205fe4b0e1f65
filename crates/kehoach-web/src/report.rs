//! Report downloads: the summary report (báo cáo tổng kết) as DOCX, the
//! same model and figures as `kehoach report summary` and the board.

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::auth::PageUser;
use crate::board::parse_as_of;
use crate::errors::AppError;
use crate::pages::forbidden_page;
use crate::policy::{Action, allowed};
use crate::{AppState, today_vn};

#[derive(Deserialize)]
pub struct SummaryQuery {
    /// As-of date, dd/mm/yyyy or YYYY-MM-DD (default: today within the plan).
    pub ngay: Option<String>,
}

/// `GET /bao-cao/tong-ket.docx?ngay=dd/mm/yyyy`: for those who read every unit's records.
pub async fn summary_docx(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Query(q): Query<SummaryQuery>,
) -> Response {
    if !allowed(&cu.user, Action::ReadUnitRecords { unit_id: None }) {
        return forbidden_page(&st, &cu);
    }
    let as_of = match parse_as_of(&st.plan, q.ngay.as_deref()) {
        Ok(d) => d,
        Err(e) => return e.into_response(),
    };
    let report = match st.store.summary_report(&st.plan, as_of, today_vn()).await {
        Ok(r) => r,
        Err(e) => return AppError::from(e).into_response(),
    };
    match kehoach_report::docx::docx(&report) {
        Ok(bytes) => (
            StatusCode::OK,
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"bao-cao-tong-ket-{}.docx\"", as_of.iso()),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "report rendering failed");
            AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", None).into_response()
        }
    }
}
