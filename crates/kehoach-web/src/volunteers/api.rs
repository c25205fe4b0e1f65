//! The JSON doors of volunteers: open, cancel and sign up for shifts, withdraw one's own sign-up.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kehoach_store::{ShiftRow, SignUp};
use serde::Deserialize;

use crate::AppState;
use crate::http::auth::ApiUser;
use crate::http::errors::AppError;
use crate::volunteers::ShiftBody;
use crate::volunteers::cancel;
use crate::volunteers::create_shift;
use crate::volunteers::sign_up;
use crate::volunteers::withdraw;

#[utoipa::path(post, path = "/api/v1/shifts", request_body = ShiftBody,
    responses((status = 201, body = Object), (status = 403, body = crate::http::errors::ErrorBody), (status = 422, body = crate::http::errors::ErrorBody)))]
pub async fn api_create_shift(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    crate::http::Body(b): crate::http::Body<ShiftBody>,
) -> Result<(StatusCode, Json<ShiftRow>), AppError> {
    Ok((StatusCode::CREATED, Json(create_shift(&st, &cu, b).await?)))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignUpBody {
    /// A member to assign (those who manage teams); absent: the caller.
    #[serde(default)]
    pub person_id: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/shifts/{id}/signups", request_body = SignUpBody,
    responses((status = 201, body = Object), (status = 200, body = Object, description = "already signed up"),
        (status = 409, body = crate::http::errors::ErrorBody, description = "shift_full"), (status = 422, body = crate::http::errors::ErrorBody)))]
pub async fn api_sign_up(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    crate::http::Body(b): crate::http::Body<SignUpBody>,
) -> Result<(StatusCode, Json<serde_json::Value>), AppError> {
    let outcome = sign_up(&st, &cu, &id, b.person_id).await?;
    let status = if outcome == SignUp::Taken {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(serde_json::json!({"outcome": outcome}))))
}

/// `DELETE /api/v1/shifts/{id}/signups/mine`: take back one's sign-up
/// before the shift starts.
#[utoipa::path(delete, path = "/api/v1/shifts/{id}/signups/mine",
    responses((status = 204), (status = 403, body = crate::http::errors::ErrorBody), (status = 404, body = crate::http::errors::ErrorBody), (status = 422, body = crate::http::errors::ErrorBody)))]
pub async fn api_withdraw(State(st): State<AppState>, ApiUser(cu): ApiUser, Path(id): Path<String>) -> Response {
    use axum::response::IntoResponse;
    match withdraw(&st, &cu, &id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}

#[utoipa::path(delete, path = "/api/v1/shifts/{id}",
    responses((status = 204), (status = 403, body = crate::http::errors::ErrorBody), (status = 404, body = crate::http::errors::ErrorBody)))]
pub async fn api_cancel(State(st): State<AppState>, ApiUser(cu): ApiUser, Path(id): Path<String>) -> Response {
    use axum::response::IntoResponse;
    match cancel(&st, &cu, &id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}
