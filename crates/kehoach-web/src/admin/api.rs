//! The JSON doors of administration: login, the current user, units, classes, populations, users and invites.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kehoach_store::{ClassRow, PopulationRow, UnitRow, UserRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::admin::rules::{self, *};
use crate::http::ApiResult;
use crate::http::Body;
use crate::http::auth::{ApiUser, clear_cookie, login, session_cookie, session_token};
use crate::http::errors::{AppError, ErrorBody};
use crate::http::policy::{Action, allowed};

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
    let client = crate::http::auth::client_key(&st.trusted_proxies, req.headers(), req.extensions());
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
    Ok((StatusCode::CREATED, Json(rules::create_unit(&st, &cu, b).await?)))
}

#[utoipa::path(patch, path = "/api/v1/units/{id}", request_body = UnitPatchBody,
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_unit(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    Body(b): Body<UnitPatchBody>,
) -> ApiResult<UnitRow> {
    Ok(Json(rules::update_unit(&st, &cu, &id, b).await?))
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
    rules::set_population(&st, &cu, &id, &population, b.value).await?;
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
    Ok((StatusCode::CREATED, Json(rules::add_class(&st, &cu, &id, b).await?)))
}

#[utoipa::path(patch, path = "/api/v1/classes/{id}", request_body = ClassPatchBody,
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn update_class(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    Body(b): Body<ClassPatchBody>,
) -> ApiResult<ClassRow> {
    Ok(Json(rules::set_class_active(&st, &cu, &id, b.active).await?))
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
    Ok((StatusCode::CREATED, Json(rules::create_user(&st, &cu, b).await?)))
}

#[utoipa::path(patch, path = "/api/v1/users/{id}", request_body = UserPatchBody,
    responses((status = 200, body = Object), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
pub async fn update_user(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    Body(b): Body<UserPatchBody>,
) -> ApiResult<UserRow> {
    Ok(Json(rules::update_user(&st, &cu, &id, b).await?))
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
            url: rules::create_invite(&st, &cu, b).await?,
        }),
    ))
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
    rules::link_person(&st, &cu, &id, b).await?;
    Ok(StatusCode::NO_CONTENT)
}
