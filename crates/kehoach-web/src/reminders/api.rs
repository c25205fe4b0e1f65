//! The JSON doors of reminders: send one, list a unit's, mark one read.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kehoach_core::ErrorCode;
use serde::Deserialize;

use crate::AppState;
use crate::http::auth::ApiUser;
use crate::http::errors::{AppError, ErrorBody};
use crate::reminders::ReminderBody;
use crate::reminders::ReminderOut;
use crate::reminders::acknowledge;
use crate::reminders::may_see;
use crate::reminders::send;
use crate::reminders::zalo_text;

#[utoipa::path(post, path = "/api/v1/reminders", request_body = ReminderBody,
    responses((status = 201, body = ReminderOut), (status = 200, body = ReminderOut, description = "already stored with this id"),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api_send(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    crate::http::Body(b): crate::http::Body<ReminderBody>,
) -> Result<(StatusCode, Json<ReminderOut>), AppError> {
    let (reminder, created) = send(&st, &cu, b).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    let zalo_text = zalo_text(&st, &reminder);
    Ok((status, Json(ReminderOut { reminder, zalo_text })))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ReminderListParams {
    /// The unit; absent: the caller's own unit.
    pub unit_id: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/reminders", params(ReminderListParams),
    responses((status = 200, body = Vec<ReminderOut>), (status = 403, body = ErrorBody)))]
pub async fn api_list(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Query(q): Query<ReminderListParams>,
) -> Result<Json<Vec<ReminderOut>>, AppError> {
    let Some(unit) = q.unit_id.filter(|u| !u.is_empty()).or_else(|| cu.user.unit_id.clone()) else {
        return Err(AppError::invalid(ErrorCode::UnitUnknown, "unit_id"));
    };
    if !may_see(&cu, &unit) {
        return Err(AppError::forbidden());
    }
    let rows = st.store.unit_reminders(&st.plan_id, &unit, 200).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| ReminderOut {
                zalo_text: zalo_text(&st, &r),
                reminder: r,
            })
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/reminders/{id}/read",
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn api_read(State(st): State<AppState>, ApiUser(cu): ApiUser, Path(id): Path<String>) -> Response {
    match acknowledge(&st, &cu, &id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}
