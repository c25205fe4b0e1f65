//! JSON API under `/api/v1`, one door per action calling `service`, and its
//! OpenAPI document (browsable offline at `/api/docs`).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kehoach_store::{ClassRow, PopulationRow, UnitRow, UserRow};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};

use crate::AppState;
use crate::auth::{ApiUser, clear_cookie, login, session_cookie, session_token};
use crate::errors::{AppError, ErrorBody};
use crate::policy::{Action, allowed};
use crate::service::{self, *};

type ApiResult<T> = Result<Json<T>, AppError>;

/// Rejections of malformed JSON become our error shape.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for Body<T> {
    type Rejection = AppError;
    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, AppError> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(e) => Err(match e.status() {
                StatusCode::PAYLOAD_TOO_LARGE => AppError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", None),
                StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                    AppError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", None)
                }
                _ => AppError::bad_request(e.body_text()),
            }),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, ToSchema)]
pub struct LoginReply {
    pub user_id: String,
    pub role: String,
    /// Send as `X-CSRF-Token` on every unsafe request of this session.
    pub csrf_token: String,
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: String,
    pub username: String,
    pub full_name: String,
    pub role: String,
    pub unit_id: Option<String>,
    pub csrf_token: String,
}

#[derive(Serialize, ToSchema)]
pub struct UnitsReply {
    #[schema(value_type = Vec<Object>)]
    pub units: Vec<UnitRow>,
    #[schema(value_type = Vec<Object>)]
    pub populations: Vec<PopulationRow>,
    #[schema(value_type = Vec<Object>)]
    pub classes: Vec<ClassRow>,
}

#[derive(Serialize, ToSchema)]
pub struct InviteReply {
    pub url: String,
}

#[utoipa::path(post, path = "/api/v1/login", request_body = LoginBody,
    responses((status = 200, body = LoginReply), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
pub async fn api_login(State(st): State<AppState>, req: axum::extract::Request) -> Response {
    let client = crate::auth::client_key(&st.trusted_proxies, req.headers(), req.extensions());
    let b: LoginBody = match <Body<LoginBody> as axum::extract::FromRequest<()>>::from_request(req, &()).await {
        Ok(Body(b)) => b,
        Err(e) => return e.into_response(),
    };
    match login(&st, &client, &b.username, &b.password).await {
        Ok((user, token, csrf)) => (
            [(header::SET_COOKIE, session_cookie(&token, st.secure_cookies))],
            Json(LoginReply {
                user_id: user.id,
                role: user.role,
                csrf_token: csrf,
            }),
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

#[utoipa::path(post, path = "/api/v1/logout", responses((status = 204)))]
pub async fn api_logout(State(st): State<AppState>, headers: axum::http::HeaderMap) -> Result<Response, AppError> {
    if let Some(t) = session_token(&headers) {
        st.store.delete_session(&t).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        [(header::SET_COOKIE, clear_cookie(st.secure_cookies))],
    )
        .into_response())
}

#[utoipa::path(get, path = "/api/v1/me", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
pub async fn me(ApiUser(cu): ApiUser) -> Json<Me> {
    let u = cu.user;
    Json(Me {
        id: u.id,
        username: u.username,
        full_name: u.full_name,
        role: u.role,
        unit_id: u.unit_id,
        csrf_token: cu.csrf,
    })
}

/// The whole plan as data: header, units named by the plan, activity lines, targets, budget, duties.
#[utoipa::path(get, path = "/api/v1/plan", responses((status = 200, body = Object), (status = 401, body = ErrorBody)))]
pub async fn plan(State(st): State<AppState>, _user: ApiUser) -> Json<kehoach_core::Plan> {
    Json((*st.plan).clone())
}

#[utoipa::path(get, path = "/api/v1/units", responses((status = 200, body = UnitsReply), (status = 401, body = ErrorBody)))]
pub async fn units(State(st): State<AppState>, _user: ApiUser) -> ApiResult<UnitsReply> {
    Ok(Json(UnitsReply {
        units: st.store.list_units(&st.plan_id).await?,
        populations: st.store.populations(&st.plan_id).await?,
        classes: st.store.list_classes(&st.plan_id).await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/units", request_body = NewUnitBody,
    responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_unit(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Body(b): Body<NewUnitBody>,
) -> Result<(StatusCode, Json<UnitRow>), AppError> {
    Ok((StatusCode::CREATED, Json(service::create_unit(&st, &cu, b).await?)))
}

#[utoipa::path(patch, path = "/api/v1/units/{id}", request_body = UnitPatchBody,
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_unit(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    Body(b): Body<UnitPatchBody>,
) -> ApiResult<UnitRow> {
    Ok(Json(service::update_unit(&st, &cu, &id, b).await?))
}

#[utoipa::path(put, path = "/api/v1/units/{id}/populations/{population}", request_body = PopulationBody,
    params(("population" = String, Path, description = "children, youth_members, officials or pupils")),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_population(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path((id, population)): Path<(String, String)>,
    Body(b): Body<PopulationBody>,
) -> Result<StatusCode, AppError> {
    service::set_population(&st, &cu, &id, &population, b.value).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/units/{id}/classes", request_body = NewClassBody,
    responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn add_class(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    Body(b): Body<NewClassBody>,
) -> Result<(StatusCode, Json<ClassRow>), AppError> {
    Ok((StatusCode::CREATED, Json(service::add_class(&st, &cu, &id, b).await?)))
}

#[utoipa::path(patch, path = "/api/v1/classes/{id}", request_body = ClassPatchBody,
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_class(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    Body(b): Body<ClassPatchBody>,
) -> ApiResult<ClassRow> {
    Ok(Json(service::set_class_active(&st, &cu, &id, b.active).await?))
}

#[utoipa::path(get, path = "/api/v1/users", responses((status = 200, body = Vec<Object>), (status = 403, body = ErrorBody)))]
pub async fn users(State(st): State<AppState>, ApiUser(cu): ApiUser) -> ApiResult<Vec<UserRow>> {
    if !allowed(&cu.user, Action::ManageUsers) {
        return Err(AppError::forbidden());
    }
    Ok(Json(st.store.list_users(&st.plan_id).await?))
}

#[utoipa::path(post, path = "/api/v1/users", request_body = NewUserBody,
    responses((status = 201, body = Object), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_user(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Body(b): Body<NewUserBody>,
) -> Result<(StatusCode, Json<UserRow>), AppError> {
    Ok((StatusCode::CREATED, Json(service::create_user(&st, &cu, b).await?)))
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", request_body = UserPatchBody,
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update_user(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    Body(b): Body<UserPatchBody>,
) -> ApiResult<UserRow> {
    Ok(Json(service::update_user(&st, &cu, &id, b).await?))
}

#[utoipa::path(post, path = "/api/v1/invites", request_body = InviteBody,
    responses((status = 201, body = InviteReply), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_invite(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Body(b): Body<InviteBody>,
) -> Result<(StatusCode, Json<InviteReply>), AppError> {
    Ok((
        StatusCode::CREATED,
        Json(InviteReply {
            url: service::create_invite(&st, &cu, b).await?,
        }),
    ))
}

/// Records one support turn. 201 when stored, 200 when this id was already stored.
#[utoipa::path(post, path = "/api/v1/turns", request_body = crate::turns::TurnBody,
    responses((status = 201, body = crate::turns::TurnResult), (status = 200, body = crate::turns::TurnResult), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_turn(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Body(b): Body<crate::turns::TurnBody>,
) -> Result<Response, AppError> {
    let outcome = crate::turns::record(&st, &cu, vec![b]).await?.pop();
    match outcome {
        Some(Ok((id, kehoach_store::WriteOutcome::Stored))) => Ok((
            StatusCode::CREATED,
            Json(crate::turns::TurnResult {
                id,
                status: "stored",
                error: None,
            }),
        )
            .into_response()),
        Some(Ok((id, kehoach_store::WriteOutcome::Duplicate))) => Ok((
            StatusCode::OK,
            Json(crate::turns::TurnResult {
                id,
                status: "duplicate",
                error: None,
            }),
        )
            .into_response()),
        Some(Ok((_, kehoach_store::WriteOutcome::IdTaken))) => {
            Err(AppError::new(StatusCode::CONFLICT, "id_taken", Some("id")))
        }
        Some(Err(r)) => Err(r.error),
        None => Err(AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", None)),
    }
}

/// Records many turns at once (an offline queue). Each turn gets its own
/// result; bad ones are rejected with their reason, the rest are stored.
#[utoipa::path(post, path = "/api/v1/turns/batch", request_body = crate::turns::TurnBatch,
    responses((status = 200, body = crate::turns::BatchReply), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn record_turn_batch(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Body(b): Body<crate::turns::TurnBatch>,
) -> ApiResult<crate::turns::BatchReply> {
    Ok(Json(crate::turns::record(&st, &cu, b.turns).await?.into()))
}

/// Soft-deletes a turn: its maker within 10 minutes (undo), or a coordinator.
#[utoipa::path(delete, path = "/api/v1/turns/{id}", request_body = crate::turns::DeleteBody,
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_turn(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> ApiResult<kehoach_store::TurnRow> {
    let b: crate::turns::DeleteBody = if body.is_empty() {
        Default::default()
    } else {
        serde_json::from_slice(&body).map_err(|e| AppError::bad_request(e.to_string()))?
    };
    Ok(Json(crate::turns::delete(&st, &cu, &id, b.reason).await?))
}

/// Support turns in the reader's scope (a volunteer sees its own).
#[utoipa::path(get, path = "/api/v1/turns", params(("unit_id" = Option<String>, Query), ("day" = Option<String>, Query), ("mine" = Option<bool>, Query)),
    responses((status = 200, body = Vec<Object>), (status = 403, body = ErrorBody)))]
pub async fn list_turns(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    axum::extract::Query(q): axum::extract::Query<crate::turns::TurnQuery>,
) -> ApiResult<Vec<kehoach_store::TurnRow>> {
    Ok(Json(crate::turns::list(&st, &cu, q).await?))
}

// ---------------------------------------------------------------- sessions, rosters, attendance

/// Creates a session (planned or held). 201 when new, 200 when this id existed.
#[utoipa::path(post, path = "/api/v1/sessions", request_body = crate::sessions::SessionBody,
    responses((status = 201, body = Object), (status = 200, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn create_session(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Body(b): Body<crate::sessions::SessionBody>,
) -> Result<Response, AppError> {
    let (row, new) = crate::sessions::create(&st, &cu, b).await?;
    Ok((if new { StatusCode::CREATED } else { StatusCode::OK }, Json(row)).into_response())
}

#[utoipa::path(get, path = "/api/v1/sessions", params(("unit_id" = Option<String>, Query), ("line_id" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query)),
    responses((status = 200, body = Vec<Object>), (status = 403, body = ErrorBody)))]
pub async fn list_sessions(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    axum::extract::Query(q): axum::extract::Query<crate::sessions::SessionQuery>,
) -> ApiResult<Vec<kehoach_store::ActivitySessionRow>> {
    Ok(Json(crate::sessions::list(&st, &cu, q).await?))
}

#[utoipa::path(put, path = "/api/v1/sessions/{id}", request_body = crate::sessions::SessionBody,
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update_session(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    Body(b): Body<crate::sessions::SessionBody>,
) -> ApiResult<kehoach_store::ActivitySessionRow> {
    Ok(Json(crate::sessions::update(&st, &cu, &id, b).await?))
}

/// Marks a session held or cancelled.
#[utoipa::path(post, path = "/api/v1/sessions/{id}/status", request_body = crate::sessions::StatusBody,
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn session_status(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    Body(b): Body<crate::sessions::StatusBody>,
) -> ApiResult<kehoach_store::ActivitySessionRow> {
    Ok(Json(crate::sessions::set_status(&st, &cu, &id, b).await?))
}

/// Soft-deletes a session; a reason is required.
#[utoipa::path(delete, path = "/api/v1/sessions/{id}", request_body = crate::turns::DeleteBody,
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn delete_session(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    Body(b): Body<crate::turns::DeleteBody>,
) -> ApiResult<kehoach_store::ActivitySessionRow> {
    Ok(Json(crate::sessions::delete(&st, &cu, &id, b.reason).await?))
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
#[utoipa::path(post, path = "/api/v1/sessions/{id}/attendance", request_body = crate::people::CheckInBody,
    responses((status = 200, body = crate::people::CheckInReply), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn check_in(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    Body(b): Body<crate::people::CheckInBody>,
) -> ApiResult<crate::people::CheckInReply> {
    Ok(Json(crate::people::check_in(&st, &cu, &id, b).await?))
}

#[utoipa::path(delete, path = "/api/v1/sessions/{id}/attendance/{person_id}", responses((status = 204), (status = 403, body = ErrorBody)))]
pub async fn remove_attendance(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path((id, person_id)): Path<(String, String)>,
) -> Result<StatusCode, AppError> {
    crate::people::remove_attendance(&st, &cu, &id, &person_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// People: `q` searches names without diacritics ("nguyen van anh").
#[utoipa::path(get, path = "/api/v1/people", params(("q" = Option<String>, Query), ("unit_id" = Option<String>, Query), ("roster" = Option<String>, Query)),
    responses((status = 200, body = Vec<Object>), (status = 403, body = ErrorBody)))]
pub async fn people(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    axum::extract::Query(q): axum::extract::Query<crate::people::PeopleQuery>,
) -> ApiResult<Vec<kehoach_store::PersonRow>> {
    Ok(Json(crate::people::find(&st, &cu, q).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonPatch {
    pub active: bool,
}

/// A person leaves (active=false) or rejoins a roster; attendance is kept.
#[utoipa::path(patch, path = "/api/v1/people/{id}", request_body = PersonPatch, responses((status = 200, body = Object), (status = 403, body = ErrorBody)))]
pub async fn update_person(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    Body(b): Body<PersonPatch>,
) -> ApiResult<kehoach_store::PersonRow> {
    Ok(Json(crate::people::set_active(&st, &cu, &id, b.active).await?))
}

/// Imports a roster file (XLSX, XLS, ODS or CSV, as the raw body). Without
/// `save=true` nothing is stored: the reply lists every bad row.
#[utoipa::path(post, path = "/api/v1/rosters/{roster}/import", params(("roster" = String, Path, description = "officials, youth_members, children or pupils"), ("unit_id" = Option<String>, Query), ("save" = Option<bool>, Query), ("mark_missing_left" = Option<bool>, Query)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = crate::people::ImportReply), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import_roster(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(roster): Path<String>,
    axum::extract::Query(q): axum::extract::Query<crate::people::ImportQuery>,
    body: axum::body::Bytes,
) -> ApiResult<crate::people::ImportReply> {
    Ok(Json(crate::people::import(&st, &cu, &roster, body.to_vec(), q).await?))
}

/// A printable PDF of QR check-in cards (A4, 10 cards a page) for a roster's people of a unit or class.
#[utoipa::path(get, path = "/api/v1/rosters/{roster}/cards.pdf", params(("unit_id" = Option<String>, Query), ("class_id" = Option<String>, Query)),
    responses((status = 200, content_type = "application/pdf"), (status = 403, body = ErrorBody)))]
pub async fn roster_cards(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(roster): Path<String>,
    axum::extract::Query(q): axum::extract::Query<crate::people::CardsQuery>,
) -> Result<Response, AppError> {
    let pdf = crate::people::cards_pdf(&st, &cu, &roster, q).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf"),
            (header::CONTENT_DISPOSITION, "inline; filename=\"the-diem-danh.pdf\""),
        ],
        pdf,
    )
        .into_response())
}

/// A unit's history: who changed or deleted which of its records, when and why.
#[utoipa::path(get, path = "/api/v1/units/{id}/history", responses((status = 200, body = Vec<Object>), (status = 403, body = ErrorBody)))]
pub async fn unit_history(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Vec<kehoach_store::AuditRow>> {
    if !allowed(&cu.user, Action::ReadUnitRecords { unit_id: Some(&id) }) {
        return Err(AppError::forbidden());
    }
    st.store.unit(&st.plan_id, &id).await?;
    Ok(Json(st.store.audit(&st.plan_id, Some(&id), 500).await?))
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
    let body = body.map_err(|_| AppError::invalid("photo_too_large", "photo"))?;
    let photo = crate::sessions::add_photo(&st, &cu, &id, body.to_vec()).await?;
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

/// Links an account to its owner's youth-union roster entry (their turns then count toward T2).
#[utoipa::path(put, path = "/api/v1/users/{id}/person", request_body = PersonLinkBody,
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn link_person(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    Body(b): Body<PersonLinkBody>,
) -> Result<StatusCode, AppError> {
    service::link_person(&st, &cu, &id, b).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub struct TemplateQuery {
    pub format: Option<String>,
}

/// A blank template of a roster file (`format=xlsx` or `csv`).
#[utoipa::path(get, path = "/api/v1/rosters/{roster}/template", params(("format" = Option<String>, Query)), responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub async fn roster_template(
    Path(roster): Path<String>,
    axum::extract::Query(q): axum::extract::Query<TemplateQuery>,
) -> Result<Response, AppError> {
    let label = kehoach_store::roster_label(&roster).ok_or_else(|| AppError::invalid("roster_unknown", "roster"))?;
    let slug = kehoach_core::text::fold_key(label)
        .replace([' ', ','], "-")
        .replace("--", "-");
    if q.format.as_deref() == Some("csv") {
        return Ok((
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"mau-{slug}.csv\""),
                ),
            ],
            crate::roster_import::template_csv(&roster),
        )
            .into_response());
    }
    let bytes = crate::roster_import::template_xlsx(&roster)?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"mau-{slug}.xlsx\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "kehoach API",
        description = "Kế hoạch, đơn vị, người dùng, lượt hỗ trợ, buổi, điểm danh và danh sách. Lỗi có mã ổn định (error.code) và thông báo tiếng Việt (error.message). Yêu cầu ghi cần tiêu đề X-CSRF-Token của phiên."
    ),
    paths(
        api_login,
        api_logout,
        me,
        plan,
        crate::board::api_board,
        crate::board::api_trace,
        units,
        create_unit,
        update_unit,
        set_population,
        add_class,
        update_class,
        users,
        create_user,
        update_user,
        create_invite,
        record_turn,
        record_turn_batch,
        delete_turn,
        list_turns,
        create_session,
        list_sessions,
        update_session,
        session_status,
        delete_session,
        attendance,
        check_in,
        remove_attendance,
        people,
        update_person,
        import_roster,
        roster_template,
        roster_cards,
        unit_history,
        add_photo,
        photo,
        link_person,
        crate::reminders::api_send,
        crate::reminders::api_list,
        crate::reminders::api_read,
        crate::report::api_put_text,
        crate::report::api_put_budget,
        crate::volunteers::api_create_shift,
        crate::volunteers::api_sign_up,
        crate::volunteers::api_cancel,
        crate::volunteers::api_withdraw,
        crate::propaganda::api_log,
        crate::propaganda::api_delete,
        crate::contest_pages::api_settings,
        crate::contest_pages::api_rubric,
        crate::contest_pages::api_judges,
        crate::contest_pages::api_score,
        crate::contest_pages::api_recuse,
        crate::contest_pages::api_lock,
        crate::contest_pages::api_prize,
        crate::contest_pages::api_publish,
        crate::contest_pages::api_ranking
    ),
    components(schemas(ErrorBody, crate::errors::ErrorDetail)),
    modifiers(&ErrorAnswers)
)]
pub struct ApiDoc;

/// The error answers every operation can really give, in the one error
/// body, added by rule so that a new route cannot forget them: 400 (a
/// value that does not parse), 401 and 403 (all but login), 404 (a path
/// with an id), 409 (a client-made id taken by another record), 413 and
/// 422 (a request body), 429 (login), 500, 503 (uploads when busy).
struct ErrorAnswers;

impl utoipa::Modify for ErrorAnswers {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
        let answer = |code: &str| {
            ResponseBuilder::new()
                .description(format!(
                    "Lỗi (mã ổn định trong error.code), ví dụ: {}",
                    crate::errors::message_vn(code)
                ))
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("ErrorBody")))
                        .build(),
                )
                .build()
        };
        for (path, item) in doc.paths.paths.iter_mut() {
            let idempotent = [
                "/api/v1/sessions",
                "/api/v1/turns",
                "/api/v1/turns/batch",
                "/api/v1/propaganda",
                "/api/v1/reminders",
            ]
            .contains(&path.as_str())
                || path.ends_with("/shifts");
            let ops = [
                (&mut item.get, false),
                (&mut item.post, true),
                (&mut item.put, true),
                (&mut item.patch, true),
                (&mut item.delete, false),
            ];
            for (op, writes) in ops {
                let Some(op) = op.as_mut() else { continue };
                let writes = writes || op.request_body.is_some();
                let mut add = |status: &str, code: &str| {
                    op.responses
                        .responses
                        .entry(status.to_string())
                        .or_insert_with(|| answer(code).into());
                };
                add("400", "bad_request");
                add("500", "internal");
                if path == "/api/v1/login" {
                    add("429", "login_rate_limited");
                } else {
                    add("401", "unauthenticated");
                    add("403", "forbidden");
                }
                if path.contains('{') {
                    add("404", "not_found");
                }
                if writes {
                    add("413", "body_too_large");
                    add("422", "bad_request");
                    if idempotent {
                        add("409", "id_taken");
                    }
                }
                if path.ends_with("/import") {
                    add("503", "server_busy");
                }
            }
        }
    }
}
