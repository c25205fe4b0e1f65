//! The JSON doors of the propaganda log: log an entry, withdraw one.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::http::auth::ApiUser;
use crate::propaganda::PropagandaBody;
use crate::propaganda::delete;
use crate::propaganda::log;

#[utoipa::path(delete, path = "/api/v1/propaganda/{id}", request_body = crate::records::turns::DeleteBody,
    responses((status = 200, body = Object), (status = 403, body = crate::http::errors::ErrorBody),
        (status = 404, body = crate::http::errors::ErrorBody), (status = 422, body = crate::http::errors::ErrorBody)))]
pub async fn api_delete(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    axum::extract::Path(id): axum::extract::Path<String>,
    crate::http::Body(b): crate::http::Body<crate::records::turns::DeleteBody>,
) -> Response {
    match delete(&st, &cu, &id, b.reason).await {
        Ok(row) => axum::Json(row).into_response(),
        Err(e) => e.into_response(),
    }
}

#[utoipa::path(post, path = "/api/v1/propaganda", request_body = PropagandaBody,
    responses((status = 201), (status = 200, description = "already stored"), (status = 403, body = crate::http::errors::ErrorBody),
        (status = 422, body = crate::http::errors::ErrorBody)))]
pub async fn api_log(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    crate::http::Body(b): crate::http::Body<PropagandaBody>,
) -> Response {
    match log(&st, &cu, b).await {
        Ok(true) => StatusCode::CREATED.into_response(),
        Ok(false) => StatusCode::OK.into_response(),
        Err(e) => e.into_response(),
    }
}
