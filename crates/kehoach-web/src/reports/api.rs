//! The JSON doors of the report: the coordinator's texts and the budget.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::reports::BudgetBody;
use crate::reports::ReportTextBody;
use crate::reports::save_budget;
use crate::reports::save_texts;

#[utoipa::path(put, path = "/api/v1/report/texts/{section}", request_body = ReportTextBody,
    responses((status = 204), (status = 403, body = crate::http::errors::ErrorBody), (status = 422, body = crate::http::errors::ErrorBody)))]
pub async fn api_put_text(
    State(st): State<AppState>,
    crate::http::auth::ApiUser(cu): crate::http::auth::ApiUser,
    axum::extract::Path(section): axum::extract::Path<String>,
    crate::http::Body(b): crate::http::Body<ReportTextBody>,
) -> Response {
    match save_texts(&st, &cu, &[(section, b.body)]).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}

#[utoipa::path(put, path = "/api/v1/report/budget", request_body = BudgetBody,
    responses((status = 204), (status = 403, body = crate::http::errors::ErrorBody), (status = 422, body = crate::http::errors::ErrorBody)))]
pub async fn api_put_budget(
    State(st): State<AppState>,
    crate::http::auth::ApiUser(cu): crate::http::auth::ApiUser,
    crate::http::Body(b): crate::http::Body<BudgetBody>,
) -> Response {
    match save_budget(&st, &cu, b.lines).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}
