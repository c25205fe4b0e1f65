//! The propaganda log page: the entries by channel and the form to log one.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kehoach_core::Day;
use serde::Deserialize;

use crate::AppState;
use crate::http::auth::{CurrentUser, PageUser};
use crate::http::errors::AppError;
use crate::propaganda::PropagandaBody;
use crate::propaganda::delete;
use crate::propaganda::is_mobile;
use crate::propaganda::log;
use crate::propaganda::{line, may_log};
use crate::ui::{Chrome, OkQuery, chrome, forbidden_page, ok_notice, render};

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
