//! Activity sessions (buổi): one write path for the API and the forms.
//! A unit reporter records for its own unit; the coordinator for any.

pub mod api;
pub mod pages;

use kehoach_core::ErrorCode;
use kehoach_core::records::check_session;
use kehoach_core::text::clean;
use kehoach_core::{Day, Plan, SessionKind, TargetSubject};
use kehoach_store::{ActivitySessionRow, NewActivitySession, SessionFilter};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::errors::AppError;
use crate::http::policy::{Action, allowed};

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionBody {
    /// Client-made UUID; the same id is stored once.
    pub id: String,
    pub line_id: String,
    pub unit_id: String,
    #[serde(default)]
    pub class_id: Option<String>,
    /// propaganda, guidance, training, experience, contest or conference.
    pub kind: String,
    /// planned, held or cancelled.
    pub status: String,
    /// YYYY-MM-DD.
    pub day: String,
    /// HH:MM.
    #[serde(default)]
    pub start_time: Option<String>,
    #[serde(default)]
    pub end_time: Option<String>,
    #[serde(default)]
    pub venue: Option<String>,
    /// Content items of the line, as written in the plan.
    #[serde(default)]
    pub topics: Vec<String>,
    /// People present, walk-ins included.
    #[serde(default)]
    pub headcount: Option<i64>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusBody {
    /// planned, held or cancelled.
    pub status: String,
    #[serde(default)]
    pub headcount: Option<i64>,
}

pub use kehoach_core::records::{SESSION_STATUSES as STATUSES, session_status_label as status_label};

/// Lines whose sessions must name a class (a target counts them per class).
pub fn needs_class(plan: &Plan, line_id: &str) -> bool {
    plan.targets
        .iter()
        .any(|t| t.subject == Some(TargetSubject::Class) && t.lines.iter().any(|l| l == line_id))
}

pub(crate) fn valid_time(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 5
        && b[2] == b':'
        && t[..2].parse::<u8>().is_ok_and(|h| h < 24)
        && t[3..].parse::<u8>().is_ok_and(|m| m < 60)
}

fn opt_text(s: Option<String>, max: usize, code: ErrorCode, field: &'static str) -> Result<Option<String>, AppError> {
    match s.map(|s| clean(&s)).filter(|s| !s.is_empty()) {
        Some(s) if s.chars().count() > max => Err(AppError::invalid(code, field)),
        other => Ok(other),
    }
}

/// Checks a session body and turns it into a storable record.
async fn check(st: &AppState, cu: &CurrentUser, b: SessionBody) -> Result<NewActivitySession, AppError> {
    let id = uuid::Uuid::parse_str(b.id.trim())
        .map_err(|_| AppError::invalid(ErrorCode::IdInvalid, "id"))?
        .to_string();
    let unit = st
        .store
        .unit(&st.plan_id, &b.unit_id)
        .await
        .map_err(|_| AppError::invalid(ErrorCode::UnitUnknown, "unit_id"))?;
    if unit.active == 0 {
        return Err(AppError::invalid(ErrorCode::UnitUnknown, "unit_id"));
    }
    if !allowed(&cu.user, Action::RecordSession { unit_id: &unit.id }) {
        return Err(AppError::forbidden());
    }
    let kind = SessionKind::parse(&b.kind).ok_or_else(|| AppError::invalid(ErrorCode::KindInvalid, "kind"))?;
    let day = Day::parse_iso(&b.day).ok_or_else(|| AppError::invalid(ErrorCode::DayInvalid, "day"))?;
    let line = check_session(&st.plan, &b.line_id, kind, day).map_err(|r| AppError::invalid(r.code, r.field))?;
    let status = STATUSES
        .iter()
        .find(|(k, _)| *k == b.status)
        .map(|(k, _)| *k)
        .ok_or_else(|| AppError::invalid(ErrorCode::StatusInvalid, "status"))?;
    if status == "held" && day > st.clock.today() {
        return Err(AppError::invalid(ErrorCode::HeldInFuture, "status"));
    }
    let class_id = b.class_id.filter(|c| !c.is_empty());
    match &class_id {
        Some(c) => {
            let classes = st.store.list_classes(&st.plan_id).await?;
            if !classes
                .iter()
                .any(|x| &x.id == c && x.unit_id == unit.id && x.active != 0)
            {
                return Err(AppError::invalid(ErrorCode::ClassUnknown, "class_id"));
            }
        }
        None if needs_class(&st.plan, &line.id) => return Err(AppError::invalid(ErrorCode::ClassRequired, "class_id")),
        None => {}
    }
    for t in [&b.start_time, &b.end_time].into_iter().flatten() {
        if !t.is_empty() && !valid_time(t) {
            return Err(AppError::invalid(ErrorCode::TimeInvalid, "start_time"));
        }
    }
    let start = b.start_time.filter(|t| !t.is_empty());
    let end = b.end_time.filter(|t| !t.is_empty());
    if let (Some(s), Some(e)) = (&start, &end)
        && e < s
    {
        return Err(AppError::invalid(ErrorCode::TimeOrder, "end_time"));
    }
    let mut topics = Vec::new();
    for t in b.topics {
        let t = clean(&t);
        if !line.content.contains(&t) {
            return Err(AppError::invalid(ErrorCode::TopicUnknown, "topics"));
        }
        if !topics.contains(&t) {
            topics.push(t);
        }
    }
    if let Some(h) = b.headcount
        && !(0..=100_000).contains(&h)
    {
        return Err(AppError::invalid(ErrorCode::HeadcountOutOfRange, "headcount"));
    }
    Ok(NewActivitySession {
        id,
        plan_id: st.plan_id.clone(),
        line_id: line.id.clone(),
        unit_id: unit.id,
        class_id,
        kind: kind.as_str().to_string(),
        status: status.to_string(),
        day: day.iso(),
        start_time: start,
        end_time: end,
        venue: opt_text(b.venue, 200, ErrorCode::VenueTooLong, "venue")?,
        topics: serde_json::to_string(&topics).unwrap_or_else(|_| "[]".into()),
        headcount: b.headcount,
        note: opt_text(b.note, 2000, ErrorCode::NoteTooLong, "note")?,
        created_by: cu.user.id.clone(),
    })
}

/// Creates a session; returns it and whether it is new (false: this id existed).
pub async fn create(st: &AppState, cu: &CurrentUser, b: SessionBody) -> Result<(ActivitySessionRow, bool), AppError> {
    let s = check(st, cu, b).await?;
    Ok(st.store.create_activity_session(s, st.clock.now()).await?)
}

async fn existing(st: &AppState, cu: &CurrentUser, id: &str) -> Result<ActivitySessionRow, AppError> {
    let cur = st.store.activity_session(&st.plan_id, id).await?;
    if !allowed(&cu.user, Action::RecordSession { unit_id: &cur.unit_id }) {
        return Err(AppError::forbidden());
    }
    if cur.deleted_at.is_some() {
        return Err(AppError::not_found());
    }
    Ok(cur)
}

pub async fn update(
    st: &AppState,
    cu: &CurrentUser,
    id: &str,
    mut b: SessionBody,
) -> Result<ActivitySessionRow, AppError> {
    existing(st, cu, id).await?;
    b.id = id.to_string();
    let s = check(st, cu, b).await?;
    Ok(st.store.update_activity_session(s, &cu.user.id, st.clock.now()).await?)
}

/// Marks a session held or cancelled (or back to planned).
pub async fn set_status(
    st: &AppState,
    cu: &CurrentUser,
    id: &str,
    b: StatusBody,
) -> Result<ActivitySessionRow, AppError> {
    let cur = existing(st, cu, id).await?;
    let topics: Vec<String> = serde_json::from_str(&cur.topics).unwrap_or_default();
    let body = SessionBody {
        id: cur.id.clone(),
        line_id: cur.line_id.clone(),
        unit_id: cur.unit_id.clone(),
        class_id: cur.class_id.clone(),
        kind: cur.kind.clone(),
        status: b.status,
        day: cur.day.clone(),
        start_time: cur.start_time.clone(),
        end_time: cur.end_time.clone(),
        venue: cur.venue.clone(),
        topics,
        headcount: b.headcount.or(cur.headcount),
        note: cur.note.clone(),
    };
    update(st, cu, id, body).await
}

pub async fn delete(
    st: &AppState,
    cu: &CurrentUser,
    id: &str,
    reason: Option<String>,
) -> Result<ActivitySessionRow, AppError> {
    // Deleting again returns the deleted session unchanged.
    let cur = st.store.activity_session(&st.plan_id, id).await?;
    if !allowed(&cu.user, Action::RecordSession { unit_id: &cur.unit_id }) {
        return Err(AppError::forbidden());
    }
    if cur.deleted_at.is_some() {
        return Ok(cur);
    }
    let reason = crate::records::turns::required_reason(reason)?;
    Ok(st
        .store
        .delete_activity_session(&st.plan_id, id, &cu.user.id, &reason, st.clock.now())
        .await?)
}

#[derive(Debug, Default, Deserialize)]
pub struct SessionQuery {
    pub unit_id: Option<String>,
    pub line_id: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Sessions in the reader's scope: a reporter sees its unit's, leaders all.
pub async fn list(st: &AppState, cu: &CurrentUser, q: SessionQuery) -> Result<Vec<ActivitySessionRow>, AppError> {
    let mut f = SessionFilter {
        unit_id: q.unit_id,
        line_id: q.line_id,
        from: q.from,
        to: q.to,
        include_deleted: false,
    };
    if !allowed(
        &cu.user,
        Action::ReadUnitRecords {
            unit_id: f.unit_id.as_deref(),
        },
    ) {
        match (&cu.user.unit_id, &f.unit_id) {
            (Some(own), None) if allowed(&cu.user, Action::ReadUnitRecords { unit_id: Some(own) }) => {
                f.unit_id = Some(own.clone())
            }
            _ => return Err(AppError::forbidden()),
        }
    }
    Ok(st.store.list_activity_sessions(&st.plan_id, &f).await?)
}

/// Largest photo accepted, and photos per session.
pub const PHOTO_MAX_BYTES: usize = 2 * 1024 * 1024;
pub const PHOTOS_PER_SESSION: i64 = 5;

/// The image type from the file's first bytes (never from its name).
fn image_type(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Some("image/png")
    } else if bytes.len() > 12 && &bytes[0..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        Some("image/webp")
    } else {
        None
    }
}

/// Adds a photo (JPEG, PNG or WebP, at most 2 MB, 5 per session).
pub async fn add_photo(st: &AppState, cu: &CurrentUser, id: &str, bytes: Vec<u8>) -> Result<String, AppError> {
    existing(st, cu, id).await?;
    if bytes.len() > PHOTO_MAX_BYTES {
        return Err(AppError::invalid(ErrorCode::PhotoTooLarge, "photo"));
    }
    let ct = image_type(&bytes).ok_or_else(|| AppError::invalid(ErrorCode::PhotoNotImage, "photo"))?;
    Ok(st
        .store
        .add_session_photo(id, ct, bytes, PHOTOS_PER_SESSION, &cu.user.id, st.clock.now())
        .await?)
}
