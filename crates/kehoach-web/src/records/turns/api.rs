//! The JSON doors of support turns: record one or a batch, list, undo.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::http::ApiResult;
use crate::http::Body;
use crate::http::auth::ApiUser;
use crate::http::errors::{AppError, ErrorBody};
use kehoach_core::ErrorCode;

/// Records one support turn. 201 when stored, 200 when this id was already stored.
#[utoipa::path(post, path = "/api/v1/turns", request_body = crate::records::turns::TurnBody,
    responses((status = 201, body = crate::records::turns::TurnResult), (status = 200, body = crate::records::turns::TurnResult), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_turn(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Body(b): Body<crate::records::turns::TurnBody>,
) -> Result<Response, AppError> {
    let outcome = crate::records::turns::record(&st, &cu, vec![b]).await?.pop();
    match outcome {
        Some(Ok((id, kehoach_store::WriteOutcome::Stored))) => Ok((
            StatusCode::CREATED,
            Json(crate::records::turns::TurnResult {
                id,
                status: "stored",
                error: None,
            }),
        )
            .into_response()),
        Some(Ok((id, kehoach_store::WriteOutcome::Duplicate))) => Ok((
            StatusCode::OK,
            Json(crate::records::turns::TurnResult {
                id,
                status: "duplicate",
                error: None,
            }),
        )
            .into_response()),
        Some(Ok((_, kehoach_store::WriteOutcome::IdTaken))) => Err(AppError::new(ErrorCode::IdTaken, Some("id"))),
        Some(Err(r)) => Err(r.error),
        None => Err(AppError::new(ErrorCode::Internal, None)),
    }
}

/// Records many turns at once (an offline queue). Each turn gets its own
/// result; bad ones are rejected with their reason, the rest are stored.
#[utoipa::path(post, path = "/api/v1/turns/batch", request_body = crate::records::turns::TurnBatch,
    responses((status = 200, body = crate::records::turns::BatchReply), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_turn_batch(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Body(b): Body<crate::records::turns::TurnBatch>,
) -> ApiResult<crate::records::turns::BatchReply> {
    Ok(Json(crate::records::turns::record(&st, &cu, b.turns).await?.into()))
}

/// Soft-deletes a turn: its maker within 10 minutes (undo), or a coordinator.
#[utoipa::path(delete, path = "/api/v1/turns/{id}", request_body = crate::records::turns::DeleteBody,
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_turn(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<kehoach_store::TurnRow> {
    let b: crate::records::turns::DeleteBody = if body.is_empty() {
        Default::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| AppError::bad_request(e.to_string()))?
    };
    Ok(Json(crate::records::turns::delete(&st, &cu, &id, b.reason).await?))
}

/// Support turns in the reader's scope (a volunteer sees its own).
#[utoipa::path(get, path = "/api/v1/turns", params(("unit_id" = Option<String>, Query), ("day" = Option<String>, Query), ("mine" = Option<bool>, Query)),
    responses((status = 200, body = Vec<Object>), (status = 403, body = ErrorBody)))]
pub async fn list_turns(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    axum::extract::Query(q): axum::extract::Query<crate::records::turns::TurnQuery>,
) -> ApiResult<Vec<kehoach_store::TurnRow>> {
    Ok(Json(crate::records::turns::list(&st, &cu, q).await?))
}
