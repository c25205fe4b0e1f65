//! The JSON doors of sessions (buổi): create, list, edit, status, delete, attendance and photos.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kehoach_core::ErrorCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::http::ApiResult;
use crate::http::Body;
use crate::http::auth::ApiUser;
use crate::http::errors::{AppError, ErrorBody};
use crate::http::policy::{Action, allowed};

/// Creates a session (planned or held). 201 when new, 200 when this id existed.
#[utoipa::path(post, path = "/api/v1/sessions", request_body = crate::records::sessions::SessionBody,
    responses((status = 201, body = Object), (status = 200, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_session(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Body(b): Body<crate::records::sessions::SessionBody>,
) -> Result<Response, AppError> {
    let (row, new) = crate::records::sessions::create(&st, &cu, b).await?;
    Ok((if new { StatusCode::CREATED } else { StatusCode::OK }, Json(row)).into_response())
}

#[utoipa::path(get, path = "/api/v1/sessions", params(("unit_id" = Option<String>, Query), ("line_id" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query)),
    responses((status = 200, body = Vec<Object>), (status = 403, body = ErrorBody)))]
pub async fn list_sessions(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    axum::extract::Query(q): axum::extract::Query<crate::records::sessions::SessionQuery>,
) -> ApiResult<Vec<kehoach_store::ActivitySessionRow>> {
    Ok(Json(crate::records::sessions::list(&st, &cu, q).await?))
}

#[utoipa::path(put, path = "/api/v1/sessions/{id}", request_body = crate::records::sessions::SessionBody,
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_session(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    Body(b): Body<crate::records::sessions::SessionBody>,
) -> ApiResult<kehoach_store::ActivitySessionRow> {
    Ok(Json(crate::records::sessions::update(&st, &cu, &id, b).await?))
}

/// Marks a session held or cancelled.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/status", request_body = crate::records::sessions::StatusBody,
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn session_status(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    Body(b): Body<crate::records::sessions::StatusBody>,
) -> ApiResult<kehoach_store::ActivitySessionRow> {
    Ok(Json(crate::records::sessions::set_status(&st, &cu, &id, b).await?))
}

/// Soft-deletes a session; a reason is required.
#[utoipa::path(delete, path = "/api/v1/sessions/{id}", request_body = crate::records::turns::DeleteBody,
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn delete_session(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    Body(b): Body<crate::records::turns::DeleteBody>,
) -> ApiResult<kehoach_store::ActivitySessionRow> {
    Ok(Json(crate::records::sessions::delete(&st, &cu, &id, b.reason).await?))
}

#[utoipa::path(get, path = "/api/v1/sessions/{id}/attendance", responses((status = 200, body = Vec<Object>), (status = 403, body = ErrorBody)))]
pub async fn attendance(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Vec<kehoach_store::AttendanceRow>> {
    let s = st.store.activity_session(&st.plan_id, &id).await?;
    if !allowed(
        &cu.user,
        Action::ReadUnitRecords {
            unit_id: Some(&s.unit_id),
        },
    ) {
        return Err(AppError::forbidden());
    }
    Ok(Json(st.store.attendances(&st.plan_id, &id).await?))
}

/// Checks a rostered person in (by id from the search, or by the code of their QR card).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/attendance", request_body = crate::records::rosters::CheckInBody,
    responses((status = 200, body = crate::records::rosters::CheckInReply), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn check_in(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    Body(b): Body<crate::records::rosters::CheckInBody>,
) -> ApiResult<crate::records::rosters::CheckInReply> {
    Ok(Json(crate::records::rosters::check_in(&st, &cu, &id, b).await?))
}

#[utoipa::path(delete, path = "/api/v1/sessions/{id}/attendance/{person_id}", responses((status = 204), (status = 403, body = ErrorBody)))]
pub async fn remove_attendance(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path((id, person_id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    crate::records::rosters::remove_attendance(&st, &cu, &id, &person_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct PhotoReply {
    pub id: String,
}

/// Adds a photo to a session: the image as the raw body (JPEG, PNG or WebP, ≤ 2 MB; 5 a session).
#[utoipa::path(post, path = "/api/v1/sessions/{id}/photos", request_body(content = Vec<u8>, content_type = "image/jpeg"),
    responses((status = 201, body = PhotoReply), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn add_photo(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Result<(StatusCode, Json<PhotoReply>), AppError> {
    // A body over the limit is refused with our code, not a bare 413.
    let body = body.map_err(|_| AppError::invalid(ErrorCode::PhotoTooLarge, "photo"))?;
    let photo = crate::records::sessions::add_photo(&st, &cu, &id, body.to_vec()).await?;
    Ok((StatusCode::CREATED, Json(PhotoReply { id: photo })))
}

#[utoipa::path(get, path = "/api/v1/sessions/{id}/photos/{photo_id}", responses((status = 200, content_type = "image/jpeg"), (status = 403, body = ErrorBody)))]
pub async fn photo(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path((id, photo_id)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let s = st.store.activity_session(&st.plan_id, &id).await?;
    if !allowed(
        &cu.user,
        Action::ReadUnitRecords {
            unit_id: Some(&s.unit_id),
        },
    ) {
        return Err(AppError::forbidden());
    }
    let (ct, bytes) = st.store.session_photo(&id, &photo_id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, ct),
            (header::CACHE_CONTROL, "private, max-age=86400".to_string()),
        ],
        bytes,
    )
        .into_response())
}
