//! The roster pages: the people of a unit's rosters, and file import (preview first, then save).

use std::time::{Duration, Instant};

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kehoach_core::ErrorCode;
use kehoach_store::{PersonInput, ROSTERS, Role, roster_label};
use serde::Deserialize;

use crate::AppState;
use crate::http::auth::{CurrentUser, PageUser};
use crate::http::errors::AppError;
use crate::http::form::field;
use crate::http::form::form_pairs;
use crate::http::policy::{Action, allowed};
use crate::ui::{Chrome, Notice, OkQuery, chrome, error_notice, forbidden_page, ok_notice, render, see_other};

/// A parsed file waiting for the "save" click.
pub struct StagedImport {
    user_id: String,
    roster: String,
    rows: Vec<PersonInput>,
    mark_missing_left: bool,
    at: Instant,
}

const STAGE_TTL: Duration = Duration::from_secs(30 * 60);

pub struct PreviewView {
    token: String,
    total: usize,
    accepted: usize,
    errors: Vec<crate::records::rosters::import::RowError>,
    error_count: usize,
    /// The first rows that will be saved: name, year of birth, unit, class.
    sample: Vec<(String, String, String, String)>,
}

pub struct PersonView {
    id: String,
    name: String,
    year: String,
    unit: String,
    class: String,
    card: String,
    active: bool,
    can_edit: bool,
}

pub struct RostersView {
    rosters: Vec<(&'static str, &'static str)>,
    roster: String,
    roster_label: &'static str,
    is_coordinator: bool,
    can_import: bool,
    units: Vec<(String, String)>,
    people: Vec<PersonView>,
    active_count: usize,
    preview: Option<PreviewView>,
}

#[derive(Template)]
#[template(path = "rosters.html")]
struct RostersPage {
    c: Chrome,
    v: RostersView,
}

#[derive(Deserialize, Default)]
pub struct RosterQuery {
    roster: Option<String>,
    #[serde(flatten)]
    ok: OkQuery,
}

async fn rosters_response(
    st: &AppState,
    cu: &CurrentUser,
    roster: &str,
    notice: Option<Notice>,
    status: StatusCode,
    preview: Option<PreviewView>,
) -> Response {
    let Some(label) = roster_label(roster) else {
        return AppError::not_found().into_response();
    };
    let own = cu.user.unit_id.clone();
    let scope = if allowed(&cu.user, Action::ReadUnitRecords { unit_id: None }) {
        None
    } else if own
        .as_deref()
        .is_some_and(|u| allowed(&cu.user, Action::ReadUnitRecords { unit_id: Some(u) }))
    {
        own.clone()
    } else {
        return forbidden_page(st, cu);
    };
    let people = st
        .store
        .roster_people(&st.plan_id, Some(roster), scope.as_deref())
        .await
        .unwrap_or_default();
    let units = st.store.list_units(&st.plan_id).await.unwrap_or_default();
    let classes = st.store.list_classes(&st.plan_id).await.unwrap_or_default();
    let importable: Vec<(String, String)> = units
        .iter()
        .filter(|u| u.active != 0 && allowed(&cu.user, Action::EditUnitData { unit_id: &u.id }))
        .map(|u| (u.id.clone(), u.name.clone()))
        .collect();
    let v = RostersView {
        rosters: ROSTERS.to_vec(),
        roster: roster.to_string(),
        roster_label: label,
        is_coordinator: cu.user.role() == Role::Coordinator,
        can_import: !importable.is_empty(),
        units: importable,
        active_count: people.iter().filter(|p| p.active != 0).count(),
        people: people
            .into_iter()
            .map(|p| PersonView {
                name: p.full_name.clone(),
                year: p.birth_year.map(|y| y.to_string()).unwrap_or_default(),
                unit: units
                    .iter()
                    .find(|u| u.id == p.unit_id)
                    .map(|u| u.name.clone())
                    .unwrap_or_default(),
                class: p
                    .class_id
                    .as_ref()
                    .and_then(|c| classes.iter().find(|x| &x.id == c))
                    .map(|c| c.name.clone())
                    .unwrap_or_default(),
                card: p.card_code.clone(),
                active: p.active != 0,
                can_edit: allowed(&cu.user, Action::EditUnitData { unit_id: &p.unit_id }),
                id: p.id,
            })
            .collect(),
        preview,
    };
    render(
        status,
        &RostersPage {
            c: chrome(st, Some(cu), "Danh sách người", "rosters", notice),
            v,
        },
    )
}

pub async fn rosters_page(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Query(q): Query<RosterQuery>,
) -> Response {
    let roster = q.roster.clone().unwrap_or_else(|| "youth_members".into());
    rosters_response(&st, &cu, &roster, ok_notice(&q.ok), StatusCode::OK, None).await
}

pub async fn roster_upload(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Query(q): Query<RosterQuery>,
    mut mp: Multipart,
) -> Response {
    let roster = q.roster.clone().unwrap_or_default();
    let mut file = Vec::new();
    let mut unit_id = None;
    let mut mark = false;
    loop {
        match mp.next_field().await {
            Ok(Some(f)) => {
                let name = f.name().unwrap_or_default().to_string();
                let Ok(data) = f.bytes().await else {
                    let e = AppError::invalid(ErrorCode::FileTooLarge, "file");
                    return rosters_response(&st, &cu, &roster, error_notice(&e), e.status, None).await;
                };
                match name.as_str() {
                    "file" => file = data.to_vec(),
                    "unit_id" => unit_id = Some(String::from_utf8_lossy(&data).to_string()),
                    "mark_missing_left" => mark = true,
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => {
                let e = AppError::invalid(ErrorCode::FileTooLarge, "file");
                return rosters_response(&st, &cu, &roster, error_notice(&e), e.status, None).await;
            }
        }
    }
    let query = crate::records::rosters::ImportQuery {
        unit_id,
        save: false,
        mark_missing_left: mark,
    };
    match crate::records::rosters::import(&st, &cu, &roster, file, query).await {
        Ok(reply) => {
            let token = kehoach_store::random_token();
            let p = reply.preview;
            let units = st.units().await.unwrap_or_default();
            let classes = st.store.list_classes(&st.plan_id).await.unwrap_or_default();
            let sample = p
                .accepted
                .iter()
                .take(10)
                .map(|r| {
                    (
                        r.full_name.clone(),
                        r.birth_year.map(|y| y.to_string()).unwrap_or_default(),
                        units
                            .iter()
                            .find(|u| u.id == r.unit_id)
                            .map(|u| u.name.clone())
                            .unwrap_or_default(),
                        r.class_id
                            .as_ref()
                            .and_then(|c| classes.iter().find(|x| &x.id == c))
                            .map(|c| c.name.clone())
                            .unwrap_or_default(),
                    )
                })
                .collect();
            let view = PreviewView {
                token: token.clone(),
                total: p.total_rows,
                accepted: p.accepted_count,
                errors: p.errors,
                error_count: p.error_count,
                sample,
            };
            {
                let mut staged = st.staged.lock().unwrap_or_else(|e| e.into_inner());
                staged.retain(|_, s| s.at.elapsed() < STAGE_TTL);
                staged.insert(
                    token,
                    StagedImport {
                        user_id: cu.user.id.clone(),
                        roster: roster.clone(),
                        rows: p.accepted,
                        mark_missing_left: mark,
                        at: Instant::now(),
                    },
                );
            }
            rosters_response(&st, &cu, &roster, None, StatusCode::OK, Some(view)).await
        }
        Err(e) if e.code == ErrorCode::Forbidden => forbidden_page(&st, &cu),
        Err(e) => rosters_response(&st, &cu, &roster, error_notice(&e), e.status, None).await,
    }
}

pub async fn roster_save(State(st): State<AppState>, PageUser(cu): PageUser, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let token = field(&pairs, "token").unwrap_or_default();
    let staged = st.staged.lock().unwrap_or_else(|e| e.into_inner()).remove(&token);
    let Some(s) = staged.filter(|s| s.user_id == cu.user.id && s.at.elapsed() < STAGE_TTL) else {
        let e = AppError::invalid(ErrorCode::ImportExpired, "token");
        return rosters_response(&st, &cu, "youth_members", error_notice(&e), e.status, None).await;
    };
    // The rows were checked against this user's scope when previewed; check again before writing.
    for r in &s.rows {
        if !allowed(&cu.user, Action::EditUnitData { unit_id: &r.unit_id }) {
            return forbidden_page(&st, &cu);
        }
    }
    match st
        .store
        .import_roster(
            &st.plan_id,
            &s.roster,
            &s.rows,
            s.mark_missing_left,
            &cu.user.id,
            st.clock.now(),
        )
        .await
    {
        Ok(sum) => {
            // What happened to each row, in numbers people can check.
            let mut parts = vec![format!("{} người mới", sum.created)];
            if sum.updated > 0 {
                parts.push(format!("{} người cập nhật", sum.updated));
            }
            if sum.unchanged > 0 {
                parts.push(format!("{} người không đổi", sum.unchanged));
            }
            if sum.left > 0 {
                parts.push(format!(
                    "{} người không còn trong tệp được ghi là đã rời danh sách",
                    sum.left
                ));
            }
            let notice = Notice {
                kind: "ok",
                text: format!("Đã lưu {} người: {}.", s.rows.len(), parts.join(", ")),
            };
            rosters_response(&st, &cu, &s.roster, Some(notice), StatusCode::OK, None).await
        }
        Err(e) => {
            let e = AppError::from(e);
            rosters_response(&st, &cu, &s.roster, error_notice(&e), e.status, None).await
        }
    }
}

pub async fn person_update(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let active = field(&pairs, "active").as_deref() == Some("1");
    match crate::records::rosters::set_active(&st, &cu, &id, active).await {
        Ok(p) => see_other(&format!("/danh-sach?roster={}&ok=person_saved", p.roster)),
        Err(e) if e.code == ErrorCode::Forbidden => forbidden_page(&st, &cu),
        Err(e) => e.into_response(),
    }
}
