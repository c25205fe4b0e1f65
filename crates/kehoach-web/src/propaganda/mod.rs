//! The propaganda log's rules (line 2; its doors: `api.rs`, `pages.rs`): the lead unit's staff (the
//! propaganda centre) or the coordinator log each broadcast, post and mobile
//! trip; a mobile trip names its village and counts as a propaganda session.

pub mod api;
pub mod pages;

use kehoach_core::ErrorCode;
use kehoach_core::text::{clean, fold_key};
use kehoach_core::{ActivityLine, Day, SessionKind};
use kehoach_store::NewPropaganda;
use serde::Deserialize;

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::errors::AppError;
use crate::http::policy::{Action, allowed};

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
