//! The propaganda log page and API (line 2): the lead unit's staff (the
//! propaganda centre) or the coordinator log each broadcast, post and mobile
//! trip; a mobile trip names its village and counts as a propaganda session.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kehoach_core::ErrorCode;
use kehoach_core::text::{clean, fold_key};
use kehoach_core::{ActivityLine, Day, SessionKind};
use kehoach_store::NewPropaganda;
use serde::Deserialize;

use crate::AppState;
use crate::http::auth::{ApiUser, CurrentUser, PageUser};
use crate::http::errors::AppError;
use crate::http::policy::{Action, allowed};
use crate::ui::{Chrome, OkQuery, chrome, forbidden_page, ok_notice, render};

/// The line the log belongs to: the one with channels (forms) and propaganda sessions.
fn line(st: &AppState) -> Option<&ActivityLine> {
    st.plan
        .lines
        .iter()
        .find(|l| !l.forms.is_empty() && l.session_kinds.contains(&SessionKind::Propaganda))
}

/// A channel that goes to the villages ("lưu động"): it needs a village and counts as a session.
fn is_mobile(label: &str) -> bool {
    fold_key(label).contains("luu dong")
}

async fn may_log(st: &AppState, cu: &CurrentUser) -> bool {
    let lead = match (&cu.user.unit_id, line(st)) {
        (Some(u), Some(l)) => st
            .units()
            .await
            .map(|us| us.iter().any(|x| &x.id == u && l.lead.contains(&x.slug)))
            .unwrap_or(false),
        _ => false,
    };
    allowed(&cu.user, Action::LogPropaganda { lead_unit: lead })
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PropagandaBody {
    /// A UUID made by the client: the same id again stores nothing new.
    pub id: String,
    /// One of the line's forms (channels), e.g. "truyen-thanh", "luu-dong".
    pub channel: String,
    /// YYYY-MM-DD or dd/mm/yyyy, within the line's window, not in the future.
    pub day: String,
    /// One of the line's content items.
    #[serde(default)]
    pub topic: Option<String>,
    /// Link to the post or article (http/https).
    #[serde(default)]
    pub link: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// The village (required for mobile propaganda).
    #[serde(default)]
    pub unit_id: Option<String>,
}

pub async fn log(st: &AppState, cu: &CurrentUser, b: PropagandaBody) -> Result<bool, AppError> {
    if !may_log(st, cu).await {
        return Err(AppError::forbidden());
    }
    let Some(line) = line(st) else {
        return Err(AppError::invalid(ErrorCode::LineUnknown, "line_id"));
    };
    if uuid::Uuid::parse_str(&b.id).is_err() {
        return Err(AppError::invalid(ErrorCode::IdInvalid, "id"));
    }
    let Some(form) = line.forms.iter().find(|f| f.id == b.channel) else {
        return Err(AppError::invalid(ErrorCode::ChannelUnknown, "channel"));
    };
    let day = Day::parse_any(&b.day).ok_or_else(|| AppError::invalid(ErrorCode::DayInvalid, "day"))?;
    if !line.window.contains(day) {
        return Err(AppError::invalid(ErrorCode::DayOutsideWindow, "day"));
    }
    if day > st.clock.today() {
        return Err(AppError::invalid(ErrorCode::DayInFuture, "day"));
    }
    let topic = b.topic.map(|t| clean(&t)).filter(|t| !t.is_empty());
    if topic.as_ref().is_some_and(|t| !line.content.contains(t)) {
        return Err(AppError::invalid(ErrorCode::TopicUnknown, "topic"));
    }
    let link = b.link.map(|l| clean(&l)).filter(|l| !l.is_empty());
    if link
        .as_ref()
        .is_some_and(|l| l.len() > 500 || !(l.starts_with("https://") || l.starts_with("http://")))
    {
        return Err(AppError::invalid(ErrorCode::LinkInvalid, "link"));
    }
    let note = b.note.map(|n| clean(&n)).filter(|n| !n.is_empty());
    if note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
        return Err(AppError::invalid(ErrorCode::NoteTooLong, "note"));
    }
    let mobile = is_mobile(&form.label);
    let unit = b.unit_id.filter(|u| !u.is_empty());
    if mobile {
        let units = st.units().await?;
        if !unit
            .as_ref()
            .is_some_and(|u| units.iter().any(|x| &x.id == u && x.kind == "village" && x.active == 1))
        {
            return Err(AppError::invalid(ErrorCode::UnitNotVillage, "unit_id"));
        }
    }
    Ok(st
        .store
        .create_propaganda(
            NewPropaganda {
                id: b.id,
                plan_id: st.plan_id.clone(),
                line_id: line.id.clone(),
                channel: form.id.clone(),
                day: day.iso(),
                topic,
                link,
                note,
                unit_id: if mobile { unit } else { None },
                as_session: mobile,
                created_by: cu.user.id.clone(),
            },
            st.clock.now(),
        )
        .await?)
}

/// Withdraws an entry logged by mistake (a reason is required); a mobile
/// trip's session goes with it. Deleting again returns the entry unchanged.
pub async fn delete(
    st: &AppState,
    cu: &CurrentUser,
    id: &str,
    reason: Option<String>,
) -> Result<kehoach_store::PropagandaRow, AppError> {
    if !may_log(st, cu).await {
        return Err(AppError::forbidden());
    }
    let reason = crate::records::turns::required_reason(reason)?;
    if reason.chars().count() > 500 {
        return Err(AppError::invalid(ErrorCode::ReasonTooLong, "reason"));
    }
    st.store
        .delete_propaganda(&st.plan_id, id, &cu.user.id, &reason, st.clock.now())
        .await?
        .ok_or_else(AppError::not_found)
}

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

pub async fn delete_form(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    axum::extract::Path(id): axum::extract::Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let pairs = crate::http::form::form_pairs(&body);
    let r = delete(&st, &cu, &id, crate::http::form::field(&pairs, "reason")).await;
    let done = |_| "/tuyen-truyen?ok=propaganda_deleted".to_string();
    crate::ui::form_outcome(&st, &cu, r, done, |n, s| page(&st, &cu, n, s)).await
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

#[derive(Template)]
#[template(path = "propaganda.html")]
struct LogPage {
    c: Chrome,
    id: String,
    channels: Vec<(String, String, bool)>,
    topics: Vec<String>,
    villages: Vec<(String, String)>,
    counts: Vec<(String, i64)>,
    /// (id, day, channel, topic, village, link).
    rows: Vec<(String, String, String, String, String, String)>,
    /// May withdraw entries (the same people who log them).
    may_delete: bool,
    today: String,
}

async fn page(st: &AppState, cu: &CurrentUser, notice: Option<crate::ui::Notice>, status: StatusCode) -> Response {
    if !may_log(st, cu).await {
        return forbidden_page(st, cu);
    }
    let Some(line) = line(st) else {
        return AppError::not_found().into_response();
    };
    let units = st.units().await.unwrap_or_default();
    let counts = st
        .store
        .propaganda_counts(&st.plan_id, "9999-12-31")
        .await
        .unwrap_or_default();
    let label = |id: &str| {
        line.forms
            .iter()
            .find(|f| f.id == id)
            .map(|f| f.label.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let rows = st
        .store
        .propaganda(&st.plan_id, 200)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            (
                r.id.clone(),
                Day::parse_iso(&r.day).map(|d| d.vn()).unwrap_or_default(),
                label(&r.channel),
                r.topic.unwrap_or_default(),
                r.unit_id
                    .and_then(|u| units.iter().find(|x| x.id == u).map(|x| x.name.clone()))
                    .unwrap_or_default(),
                r.link.unwrap_or_default(),
            )
        })
        .collect();
    let p = LogPage {
        c: chrome(st, Some(cu), "Nhật ký tuyên truyền", "propaganda", notice),
        id: uuid::Uuid::now_v7().to_string(),
        channels: line
            .forms
            .iter()
            .map(|f| (f.id.clone(), f.label.clone(), is_mobile(&f.label)))
            .collect(),
        topics: line.content.clone(),
        villages: units
            .iter()
            .filter(|u| u.kind == "village" && u.active == 1)
            .map(|u| (u.id.clone(), u.name.clone()))
            .collect(),
        counts: line
            .forms
            .iter()
            .map(|f| (f.label.clone(), counts.get(&f.id).copied().unwrap_or(0)))
            .collect(),
        rows,
        may_delete: may_log(st, cu).await,
        today: st.clock.today().min(line.window.end).vn(),
    };
    render(status, &p)
}

pub async fn log_page(State(st): State<AppState>, PageUser(cu): PageUser, Query(q): Query<OkQuery>) -> Response {
    page(&st, &cu, ok_notice(&q), StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct LogForm {
    pub id: String,
    pub channel: String,
    pub day: String,
    #[serde(default)]
    pub topic: String,
    #[serde(default)]
    pub link: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub unit_id: String,
}

pub async fn log_form(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    axum::Form(f): axum::Form<LogForm>,
) -> Response {
    let b = PropagandaBody {
        id: f.id,
        channel: f.channel,
        day: f.day,
        topic: Some(f.topic),
        link: Some(f.link),
        note: Some(f.note),
        unit_id: Some(f.unit_id),
    };
    let r = log(&st, &cu, b).await;
    let done = |_| "/tuyen-truyen?ok=propaganda_logged".to_string();
    crate::ui::form_outcome(&st, &cu, r, done, |n, s| page(&st, &cu, n, s)).await
}
