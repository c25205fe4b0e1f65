//! The JSON doors of rosters: people, imports, templates and QR cards.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use kehoach_core::ErrorCode;
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::http::ApiResult;
use crate::http::Body;
use crate::http::auth::ApiUser;
use crate::http::errors::{AppError, ErrorBody};

/// People: `q` searches names without diacritics ("nguyen van anh").
#[utoipa::path(get, path = "/api/v1/people", params(("q" = Option<String>, Query), ("unit_id" = Option<String>, Query), ("roster" = Option<String>, Query)),
    responses((status = 200, body = Vec<Object>), (status = 403, body = ErrorBody)))]
pub async fn people(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    axum::extract::Query(q): axum::extract::Query<crate::records::rosters::PeopleQuery>,
) -> ApiResult<Vec<kehoach_store::PersonRow>> {
    Ok(Json(crate::records::rosters::find(&st, &cu, q).await?))
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
    Ok(Json(
        crate::records::rosters::set_active(&st, &cu, &id, b.active).await?,
    ))
}

/// Imports a roster file (XLSX, XLS, ODS or CSV, as the raw body). Without
/// `save=true` nothing is stored: the reply lists every bad row.
#[utoipa::path(post, path = "/api/v1/rosters/{roster}/import", params(("roster" = String, Path, description = "officials, youth_members, children or pupils"), ("unit_id" = Option<String>, Query), ("save" = Option<bool>, Query), ("mark_missing_left" = Option<bool>, Query)),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = crate::records::rosters::ImportReply), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn import_roster(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(roster): Path<String>,
    axum::extract::Query(q): axum::extract::Query<crate::records::rosters::ImportQuery>,
    body: axum::body::Bytes,
) -> ApiResult<crate::records::rosters::ImportReply> {
    Ok(Json(
        crate::records::rosters::import(&st, &cu, &roster, body.to_vec(), q).await?,
    ))
}

/// A printable PDF of QR check-in cards (A4, 10 cards a page) for a roster's people of a unit or class.
#[utoipa::path(get, path = "/api/v1/rosters/{roster}/cards.pdf", params(("unit_id" = Option<String>, Query), ("class_id" = Option<String>, Query)),
    responses((status = 200, content_type = "application/pdf"), (status = 403, body = ErrorBody)))]
pub async fn roster_cards(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(roster): Path<String>,
    axum::extract::Query(q): axum::extract::Query<crate::records::rosters::CardsQuery>,
) -> Result<Response, AppError> {
    let pdf = crate::records::rosters::cards_pdf(&st, &cu, &roster, q).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf"),
            (header::CONTENT_DISPOSITION, "inline; filename=\"the-diem-danh.pdf\""),
        ],
        pdf,
    )
        .into_response())
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
    let label =
        kehoach_store::roster_label(&roster).ok_or_else(|| AppError::invalid(ErrorCode::RosterUnknown, "roster"))?;
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
            crate::records::rosters::import::template_csv(&roster),
        )
            .into_response());
    }
    let bytes = crate::records::rosters::import::template_xlsx(&roster)?;
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
