//! The session pages (buổi): the list, the form, the detail with attendance (search, QR check-in) and photos. Every form calls the same functions as the API.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kehoach_core::ErrorCode;
use kehoach_core::{Day, SessionKind};
use kehoach_store::{Role, roster_label};
use serde::Deserialize;

use crate::AppState;
use crate::http::auth::{CurrentUser, PageUser};
use crate::http::errors::AppError;
use crate::http::form::field;
use crate::http::form::form_pairs;
use crate::http::form::parse_count;
use crate::http::policy::{Action, allowed};
use crate::records::sessions::{STATUSES, SessionBody, needs_class, status_label};
use crate::ui::form_outcome;
use crate::ui::{Chrome, Notice, OkQuery, chrome, error_notice, forbidden_page, ok_notice, render};

pub(crate) fn kind_label(k: &str) -> String {
    SessionKind::parse(k)
        .map(|k| k.label().to_string())
        .unwrap_or_else(|| k.to_string())
}

pub struct SessionLine {
    id: String,
    day: String,
    time: Option<String>,
    line: String,
    unit: String,
    class: Option<String>,
    kind: String,
    status: String,
    status_label: &'static str,
    headcount: String,
    attendance: i64,
}

pub struct SessionsView {
    can_record: bool,
    lines: Vec<(String, String)>,
    line_filter: String,
    rows: Vec<SessionLine>,
}

#[derive(Template)]
#[template(path = "sessions.html")]
struct SessionsPage {
    c: Chrome,
    v: SessionsView,
}

#[derive(Deserialize, Default)]
pub struct SessionsQuery {
    line: Option<String>,
    #[serde(flatten)]
    ok: OkQuery,
}

fn recordable_lines(st: &AppState) -> Vec<(String, String)> {
    let parents: Vec<&str> = st.plan.lines.iter().filter_map(|l| l.parent.as_deref()).collect();
    st.plan
        .lines
        .iter()
        .filter(|l| !parents.contains(&l.id.as_str()) && !l.session_kinds.is_empty())
        .map(|l| (l.id.clone(), l.label()))
        .collect()
}

pub async fn sessions_page(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Query(q): Query<SessionsQuery>,
) -> Response {
    let line = q.line.clone().filter(|l| !l.is_empty());
    let query = crate::records::sessions::SessionQuery {
        line_id: line.clone(),
        ..Default::default()
    };
    let rows = match crate::records::sessions::list(&st, &cu, query).await {
        Ok(r) => r,
        Err(e) if e.code == ErrorCode::Forbidden => return forbidden_page(&st, &cu),
        Err(e) => return e.into_response(),
    };
    let units = st.store.list_units(&st.plan_id).await.unwrap_or_default();
    let classes = st.store.list_classes(&st.plan_id).await.unwrap_or_default();
    let counts = st.store.attendance_counts(&st.plan_id).await.unwrap_or_default();
    let mut view_rows = Vec::new();
    for r in rows {
        let attendance = counts.get(&r.id).copied().unwrap_or(0);
        view_rows.push(SessionLine {
            day: Day::parse_iso(&r.day).map(|d| d.vn()).unwrap_or(r.day.clone()),
            time: r.start_time.as_ref().map(|s| {
                format!(
                    "{s}{}",
                    r.end_time.as_ref().map(|e| format!("–{e}")).unwrap_or_default()
                )
            }),
            line: st.plan.line(&r.line_id).map(|l| l.label()).unwrap_or(r.line_id.clone()),
            unit: units
                .iter()
                .find(|u| u.id == r.unit_id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            class: r
                .class_id
                .as_ref()
                .and_then(|c| classes.iter().find(|x| &x.id == c))
                .map(|c| c.name.clone()),
            kind: kind_label(&r.kind),
            status_label: status_label(&r.status),
            status: r.status,
            headcount: r.headcount.map(kehoach_core::text::vn_int).unwrap_or_default(),
            attendance,
            id: r.id,
        });
    }
    let can_record = matches!(cu.user.role(), Role::Coordinator)
        || (cu.user.role() == Role::UnitReporter && cu.user.unit_id.is_some());
    let v = SessionsView {
        can_record,
        lines: recordable_lines(&st),
        line_filter: line.unwrap_or_default(),
        rows: view_rows,
    };
    let mut c = chrome(&st, Some(&cu), "Buổi hoạt động", "sessions", ok_notice(&q.ok));
    c.plan_switch = crate::plan::plans::plan_switch(&st, "/buoi").await;
    render(StatusCode::OK, &SessionsPage { c, v })
}

pub struct SessionFormView {
    editing: bool,
    action: String,
    id: String,
    line_id: String,
    line_number: String,
    line_title: String,
    window: String,
    min_day: String,
    max_day: String,
    units: Vec<(String, String)>,
    unit_id: String,
    classes: Vec<(String, String)>,
    class_id: String,
    needs_class: bool,
    kinds: Vec<(String, &'static str)>,
    kind: String,
    statuses: Vec<(&'static str, &'static str)>,
    status: String,
    day: String,
    start_time: String,
    end_time: String,
    headcount: String,
    venue: String,
    topics: Vec<(String, bool)>,
    note: String,
}

#[derive(Template)]
#[template(path = "session_form.html")]
struct SessionFormPage {
    c: Chrome,
    v: SessionFormView,
}

async fn session_form(
    st: &AppState,
    cu: &CurrentUser,
    editing: Option<String>,
    b: SessionBody,
    notice: Option<Notice>,
    status: StatusCode,
) -> Response {
    let Some(line) = st.plan.line(&b.line_id) else {
        return AppError::not_found().into_response();
    };
    let new_session = editing.is_none();
    let units = st.store.list_units(&st.plan_id).await.unwrap_or_default();
    let my_units: Vec<(String, String)> = units
        .iter()
        .filter(|u| u.active != 0 && allowed(&cu.user, Action::RecordSession { unit_id: &u.id }))
        .map(|u| (u.id.clone(), u.name.clone()))
        .collect();
    if my_units.is_empty() {
        return forbidden_page(st, cu);
    }
    let classes = st.store.list_classes(&st.plan_id).await.unwrap_or_default();
    let unit_names: HashMap<&str, &str> = units.iter().map(|u| (u.id.as_str(), u.name.as_str())).collect();
    let class_opts = classes
        .iter()
        .filter(|c| c.active != 0 && my_units.iter().any(|(u, _)| u == &c.unit_id))
        .map(|c| {
            (
                c.id.clone(),
                format!("{} — {}", c.name, unit_names.get(c.unit_id.as_str()).unwrap_or(&"")),
            )
        })
        .collect();
    let kinds: Vec<SessionKind> = if line.session_kinds.is_empty() {
        SessionKind::ALL.to_vec()
    } else {
        line.session_kinds.clone()
    };
    let today = st.clock.today();
    let v = SessionFormView {
        editing: editing.is_some(),
        action: editing
            .map(|id| format!("/buoi/{id}"))
            .unwrap_or_else(|| "/buoi".into()),
        id: b.id.clone(),
        line_id: line.id.clone(),
        line_number: line.number.clone(),
        line_title: line.title.clone(),
        window: line.window.vn(),
        min_day: line.window.start.iso(),
        max_day: line.window.end.iso(),
        unit_id: if b.unit_id.is_empty() {
            cu.user.unit_id.clone().unwrap_or_default()
        } else {
            b.unit_id.clone()
        },
        units: my_units,
        classes: class_opts,
        class_id: b.class_id.clone().unwrap_or_default(),
        needs_class: needs_class(&st.plan, &line.id),
        kinds: kinds.iter().map(|k| (k.as_str().to_string(), k.label())).collect(),
        kind: b.kind.clone(),
        statuses: STATUSES.to_vec(),
        status: b.status.clone(),
        day: if b.day.is_empty() {
            today.max(line.window.start).min(line.window.end).iso()
        } else {
            b.day.clone()
        },
        start_time: b.start_time.clone().unwrap_or_default(),
        end_time: b.end_time.clone().unwrap_or_default(),
        headcount: b.headcount.map(|h| h.to_string()).unwrap_or_default(),
        venue: b.venue.clone().unwrap_or_default(),
        topics: line.content.iter().map(|t| (t.clone(), b.topics.contains(t))).collect(),
        note: b.note.clone().unwrap_or_default(),
    };
    let mut c = chrome(st, Some(cu), "Buổi hoạt động", "sessions", notice);
    if new_session {
        c.plan_switch = crate::plan::plans::plan_switch(st, "/buoi").await;
    }
    render(status, &SessionFormPage { c, v })
}

#[derive(Deserialize)]
pub struct NewSessionQuery {
    line: String,
}

pub async fn session_new(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Query(q): Query<NewSessionQuery>,
) -> Response {
    let b = SessionBody {
        id: uuid::Uuid::now_v7().to_string(),
        line_id: q.line,
        unit_id: String::new(),
        class_id: None,
        kind: String::new(),
        status: "held".into(),
        day: String::new(),
        start_time: None,
        end_time: None,
        venue: None,
        topics: Vec::new(),
        headcount: None,
        note: None,
    };
    session_form(&st, &cu, None, b, None, StatusCode::OK).await
}

/// The session fields of a form, and the error of a field that could not be read.
fn body_from_form(pairs: &[(String, String)]) -> (SessionBody, Option<AppError>) {
    let b = SessionBody {
        id: field(pairs, "id").unwrap_or_default(),
        line_id: field(pairs, "line_id").unwrap_or_default(),
        unit_id: field(pairs, "unit_id").unwrap_or_default(),
        class_id: field(pairs, "class_id"),
        kind: field(pairs, "kind").unwrap_or_default(),
        status: field(pairs, "status").unwrap_or_default(),
        day: field(pairs, "day").unwrap_or_default(),
        start_time: field(pairs, "start_time"),
        end_time: field(pairs, "end_time"),
        venue: field(pairs, "venue"),
        topics: pairs
            .iter()
            .filter(|(k, _)| k == "topics")
            .map(|(_, v)| v.clone())
            .collect(),
        headcount: None,
        note: field(pairs, "note"),
    };
    match parse_count(&field(pairs, "headcount").unwrap_or_default()) {
        Ok(h) => (SessionBody { headcount: h, ..b }, None),
        Err(_) => (b, Some(AppError::invalid(ErrorCode::HeadcountOutOfRange, "headcount"))),
    }
}

pub async fn session_create(State(st): State<AppState>, PageUser(cu): PageUser, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let (b, bad) = body_from_form(&pairs);
    if let Some(e) = bad {
        return session_form(&st, &cu, None, b, error_notice(&e), e.status).await;
    }
    let r = crate::records::sessions::create(&st, &cu, b.clone()).await;
    let done = |(row, _): (kehoach_store::ActivitySessionRow, bool)| format!("/buoi/{}?ok=session_saved", row.id);
    form_outcome(&st, &cu, r, done, |n, s| session_form(&st, &cu, None, b, n, s)).await
}

pub async fn session_edit(State(st): State<AppState>, PageUser(cu): PageUser, Path(id): Path<String>) -> Response {
    let Ok(r) = st.store.activity_session(&st.plan_id, &id).await else {
        return AppError::not_found().into_response();
    };
    if !allowed(&cu.user, Action::RecordSession { unit_id: &r.unit_id }) {
        return forbidden_page(&st, &cu);
    }
    let b = SessionBody {
        id: r.id.clone(),
        line_id: r.line_id,
        unit_id: r.unit_id,
        class_id: r.class_id,
        kind: r.kind,
        status: r.status,
        day: r.day,
        start_time: r.start_time,
        end_time: r.end_time,
        venue: r.venue,
        topics: serde_json::from_str(&r.topics).unwrap_or_default(),
        headcount: r.headcount,
        note: r.note,
    };
    session_form(&st, &cu, Some(id), b, None, StatusCode::OK).await
}

pub async fn session_update(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let (b, bad) = body_from_form(&pairs);
    if let Some(e) = bad {
        return session_form(&st, &cu, Some(id), b, error_notice(&e), e.status).await;
    }
    let r = crate::records::sessions::update(&st, &cu, &id, b.clone()).await;
    let done = |_| format!("/buoi/{id}?ok=session_saved");
    form_outcome(&st, &cu, r, done, |n, s| {
        session_form(&st, &cu, Some(id.clone()), b, n, s)
    })
    .await
}

pub struct SessionDetailView {
    id: String,
    line: String,
    day: String,
    time: Option<String>,
    unit: String,
    class: Option<String>,
    kind: String,
    status: String,
    status_label: &'static str,
    headcount: String,
    venue: Option<String>,
    topics: Vec<String>,
    note: Option<String>,
    can_edit: bool,
    attendance: Vec<(String, String, &'static str)>,
    photos: Vec<String>,
}

#[derive(Template)]
#[template(path = "session_detail.html")]
struct SessionDetailPage {
    c: Chrome,
    v: SessionDetailView,
}

async fn detail(st: &AppState, cu: &CurrentUser, id: &str, notice: Option<Notice>, status: StatusCode) -> Response {
    let r = match st.store.activity_session(&st.plan_id, id).await {
        Ok(r) if r.deleted_at.is_none() => r,
        _ => return AppError::not_found().into_response(),
    };
    if !allowed(
        &cu.user,
        Action::ReadUnitRecords {
            unit_id: Some(&r.unit_id),
        },
    ) {
        return forbidden_page(st, cu);
    }
    let unit = st
        .store
        .unit(&st.plan_id, &r.unit_id)
        .await
        .map(|u| u.name)
        .unwrap_or_default();
    let classes = st.store.list_classes(&st.plan_id).await.unwrap_or_default();
    let attendance = st.store.attendances(&st.plan_id, id).await.unwrap_or_default();
    let v = SessionDetailView {
        id: r.id.clone(),
        line: st.plan.line(&r.line_id).map(|l| l.label()).unwrap_or_default(),
        day: Day::parse_iso(&r.day).map(|d| d.vn()).unwrap_or_default(),
        time: r.start_time.as_ref().map(|s| {
            format!(
                "{s}{}",
                r.end_time.as_ref().map(|e| format!("–{e}")).unwrap_or_default()
            )
        }),
        unit,
        class: r
            .class_id
            .as_ref()
            .and_then(|c| classes.iter().find(|x| &x.id == c))
            .map(|c| c.name.clone()),
        kind: kind_label(&r.kind),
        status_label: status_label(&r.status),
        status: r.status.clone(),
        headcount: r
            .headcount
            .map(kehoach_core::text::vn_int)
            .unwrap_or_else(|| "—".into()),
        venue: r.venue.clone(),
        topics: serde_json::from_str(&r.topics).unwrap_or_default(),
        note: r.note.clone(),
        can_edit: allowed(&cu.user, Action::RecordSession { unit_id: &r.unit_id }),
        attendance: attendance
            .into_iter()
            .map(|a| {
                (
                    a.person_id,
                    a.full_name,
                    if a.method == "qr" { "thẻ QR" } else { "tìm tên" },
                )
            })
            .collect(),
        photos: st
            .store
            .session_photos(id)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|p| p.id)
            .collect(),
    };
    render(
        status,
        &SessionDetailPage {
            c: chrome(st, Some(cu), "Buổi hoạt động", "sessions", notice),
            v,
        },
    )
}

pub async fn session_page(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    Query(q): Query<OkQuery>,
) -> Response {
    detail(&st, &cu, &id, ok_notice(&q), StatusCode::OK).await
}

async fn after_detail<T>(st: &AppState, cu: &CurrentUser, id: &str, r: Result<T, AppError>, ok: &str) -> Response {
    let done = |_| format!("/buoi/{id}?ok={ok}#diem-danh");
    form_outcome(st, cu, r, done, |n, s| detail(st, cu, id, n, s)).await
}

pub async fn session_status(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let b = crate::records::sessions::StatusBody {
        status: field(&pairs, "status").unwrap_or_default(),
        headcount: None,
    };
    let r = crate::records::sessions::set_status(&st, &cu, &id, b).await;
    after_detail(&st, &cu, &id, r, "session_saved").await
}

pub async fn session_delete(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let r = crate::records::sessions::delete(&st, &cu, &id, field(&pairs, "reason")).await;
    let done = |_| "/buoi?ok=session_deleted".to_string();
    form_outcome(&st, &cu, r, done, |n, s| detail(&st, &cu, &id, n, s)).await
}

pub async fn check_in(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let b = crate::records::rosters::CheckInBody {
        person_id: field(&pairs, "person_id"),
        card_code: field(&pairs, "card_code"),
    };
    let r = crate::records::rosters::check_in(&st, &cu, &id, b).await;
    let done = |r: crate::records::rosters::CheckInReply| {
        let ok = if r.new { "checked_in" } else { "already_checked_in" };
        format!("/buoi/{id}?ok={ok}#diem-danh")
    };
    form_outcome(&st, &cu, r, done, |n, s| detail(&st, &cu, &id, n, s)).await
}

pub async fn uncheck(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let pairs = form_pairs(&body);
    let r = crate::records::rosters::remove_attendance(&st, &cu, &id, &field(&pairs, "person_id").unwrap_or_default())
        .await;
    after_detail(&st, &cu, &id, r, "attendance_removed").await
}

#[derive(Template)]
#[template(path = "people_results.html")]
struct PeopleResults {
    session_id: String,
    csrf: String,
    people: Vec<(String, String, Option<i64>, String)>,
}

#[derive(Deserialize)]
pub struct SearchQuery {
    q: Option<String>,
}

/// htmx fragment: people matching the typed name, each with a check-in button.
pub async fn people_search(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    Query(q): Query<SearchQuery>,
) -> Response {
    let Ok(s) = st.store.activity_session(&st.plan_id, &id).await else {
        return AppError::not_found().into_response();
    };
    if !allowed(&cu.user, Action::RecordSession { unit_id: &s.unit_id }) {
        return forbidden_page(&st, &cu);
    }
    let text = q.q.unwrap_or_default();
    let found = if text.trim().chars().count() < 2 {
        Vec::new()
    } else {
        st.store
            .search_people(&st.plan_id, &text, None, 20)
            .await
            .unwrap_or_default()
    };
    let units = st.store.list_units(&st.plan_id).await.unwrap_or_default();
    let people = found
        .into_iter()
        .map(|p| {
            let unit = units
                .iter()
                .find(|u| u.id == p.unit_id)
                .map(|u| u.name.clone())
                .unwrap_or_default();
            (
                p.id,
                p.full_name,
                p.birth_year,
                format!("{} · {}", roster_label(&p.roster).unwrap_or(""), unit),
            )
        })
        .collect();
    render(
        StatusCode::OK,
        &PeopleResults {
            session_id: id,
            csrf: cu.csrf,
            people,
        },
    )
}

pub async fn photo_upload(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    mut mp: Multipart,
) -> Response {
    let mut bytes = None;
    while let Ok(Some(f)) = mp.next_field().await {
        if f.name() == Some("photo") {
            bytes = f.bytes().await.ok().map(|b| b.to_vec());
        }
    }
    let r = match bytes {
        Some(b) => crate::records::sessions::add_photo(&st, &cu, &id, b).await,
        None => Err(AppError::invalid(ErrorCode::PhotoTooLarge, "photo")),
    };
    after_detail(&st, &cu, &id, r, "photo_added").await
}
