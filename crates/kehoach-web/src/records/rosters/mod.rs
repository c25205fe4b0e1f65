//! Rosters and attendance: import (preview, then save all accepted rows in
//! one transaction), search by name without diacritics, leaving a roster,
//! and checking people in at held sessions (by search or by QR card).

pub mod api;
pub mod import;
pub mod pages;

use kehoach_core::ErrorCode;
use kehoach_store::{ImportSummary, PersonRow, Role, UnitRow, roster_label};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::errors::AppError;
use crate::http::policy::{Action, allowed};
use crate::records::rosters::import::{Preview, preview, read_table};

#[derive(Debug, Default, Deserialize)]
pub struct ImportQuery {
    /// Import for one unit: rows without a unit get it, rows of another unit are refused.
    pub unit_id: Option<String>,
    /// Save the accepted rows (default: preview only).
    #[serde(default)]
    pub save: bool,
    /// People of the file's units missing from the file leave the roster.
    #[serde(default)]
    pub mark_missing_left: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReply {
    pub preview: Preview,
    #[schema(value_type = Option<Object>)]
    pub saved: Option<ImportSummary>,
}

fn roster_ok(roster: &str) -> Result<(), AppError> {
    roster_label(roster)
        .map(|_| ())
        .ok_or_else(|| AppError::invalid(ErrorCode::RosterUnknown, "roster"))
}

/// Previews (and with `save`, stores) a roster file.
pub async fn import(
    st: &AppState,
    cu: &CurrentUser,
    roster: &str,
    bytes: Vec<u8>,
    q: ImportQuery,
) -> Result<ImportReply, AppError> {
    roster_ok(roster)?;
    // A reporter imports for its own unit only; the coordinator for any.
    let unit_id = match (cu.user.role(), q.unit_id.filter(|u| !u.is_empty())) {
        (Role::Coordinator, u) => u,
        (Role::UnitReporter, None) => cu.user.unit_id.clone(),
        (_, u) => u,
    };
    let allowed_here = match &unit_id {
        Some(u) => allowed(&cu.user, Action::EditUnitData { unit_id: u }),
        None => allowed(&cu.user, Action::ManageUnits),
    };
    if !allowed_here {
        return Err(AppError::forbidden());
    }
    let units = st.store.list_units(&st.plan_id).await?;
    let default_unit: Option<&UnitRow> = match &unit_id {
        Some(u) => Some(
            units
                .iter()
                .find(|x| &x.id == u)
                .ok_or_else(|| AppError::invalid(ErrorCode::UnitUnknown, "unit_id"))?,
        ),
        None => None,
    };
    let classes = st.store.list_classes(&st.plan_id).await?;
    let table = read_table(st, bytes).await?;
    let p = preview(
        roster,
        &table,
        &units,
        &classes,
        default_unit,
        st.clock.today().0.year(),
    )?;
    let saved = if q.save {
        Some(
            st.store
                .import_roster(
                    &st.plan_id,
                    roster,
                    &p.accepted,
                    q.mark_missing_left,
                    &cu.user.id,
                    st.clock.now(),
                )
                .await?,
        )
    } else {
        None
    };
    Ok(ImportReply { preview: p, saved })
}

#[derive(Debug, Default, Deserialize)]
pub struct PeopleQuery {
    pub q: Option<String>,
    pub unit_id: Option<String>,
    pub roster: Option<String>,
}

/// People in the reader's scope: searched by name, or listed by roster/unit.
pub async fn find(st: &AppState, cu: &CurrentUser, q: PeopleQuery) -> Result<Vec<PersonRow>, AppError> {
    let unit = q.unit_id.filter(|u| !u.is_empty());
    let scope_ok = allowed(&cu.user, Action::ReadUnitRecords { unit_id: unit.as_deref() })
        // Reporters check in people of any unit at their own sessions (a training gathers several agencies).
        || (cu.user.role() == Role::UnitReporter && q.q.as_deref().is_some_and(|s| s.trim().chars().count() >= 2));
    if !scope_ok {
        return Err(AppError::forbidden());
    }
    match q.q.filter(|s| !s.trim().is_empty()) {
        Some(text) => Ok(st.store.search_people(&st.plan_id, &text, unit.as_deref(), 20).await?),
        None => Ok(st
            .store
            .roster_people(&st.plan_id, q.roster.as_deref(), unit.as_deref())
            .await?),
    }
}

pub async fn set_active(st: &AppState, cu: &CurrentUser, id: &str, active: bool) -> Result<PersonRow, AppError> {
    let p = st.store.person(&st.plan_id, id).await?;
    if !allowed(&cu.user, Action::EditUnitData { unit_id: &p.unit_id }) {
        return Err(AppError::forbidden());
    }
    Ok(st
        .store
        .set_person_active(&st.plan_id, id, active, &cu.user.id, st.clock.now())
        .await?)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckInBody {
    #[serde(default)]
    pub person_id: Option<String>,
    /// The code printed on (and encoded in the QR of) a person's card.
    #[serde(default)]
    pub card_code: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckInReply {
    pub person_id: String,
    pub full_name: String,
    /// false when this person was already checked in: one attendance.
    pub new: bool,
}

/// Checks a rostered person in at a held session; twice is once.
pub async fn check_in(
    st: &AppState,
    cu: &CurrentUser,
    session_id: &str,
    b: CheckInBody,
) -> Result<CheckInReply, AppError> {
    let s = st.store.activity_session(&st.plan_id, session_id).await?;
    if !allowed(&cu.user, Action::RecordSession { unit_id: &s.unit_id }) {
        return Err(AppError::forbidden());
    }
    if s.deleted_at.is_some() {
        return Err(AppError::not_found());
    }
    if s.status != "held" {
        return Err(AppError::invalid(ErrorCode::SessionNotHeld, "session_id"));
    }
    let (person, method) = match (b.person_id, b.card_code) {
        (Some(id), _) => (
            st.store
                .person(&st.plan_id, &id)
                .await
                .map_err(|_| AppError::invalid(ErrorCode::PersonUnknown, "person_id"))?,
            "search",
        ),
        (None, Some(code)) => (
            st.store
                .person_by_card(&st.plan_id, &code)
                .await
                .map_err(|_| AppError::invalid(ErrorCode::CardUnknown, "card_code"))?,
            "qr",
        ),
        (None, None) => return Err(AppError::invalid(ErrorCode::PersonUnknown, "person_id")),
    };
    if person.active == 0 {
        return Err(AppError::invalid(ErrorCode::PersonUnknown, "person_id"));
    }
    let new = st
        .store
        .add_attendance(&st.plan_id, session_id, &person.id, method, &cu.user.id, st.clock.now())
        .await?;
    Ok(CheckInReply {
        person_id: person.id,
        full_name: person.full_name,
        new,
    })
}

pub async fn remove_attendance(
    st: &AppState,
    cu: &CurrentUser,
    session_id: &str,
    person_id: &str,
) -> Result<(), AppError> {
    let s = st.store.activity_session(&st.plan_id, session_id).await?;
    if !allowed(&cu.user, Action::RecordSession { unit_id: &s.unit_id }) {
        return Err(AppError::forbidden());
    }
    Ok(st
        .store
        .remove_attendance(&st.plan_id, session_id, person_id, &cu.user.id, st.clock.now())
        .await?)
}

#[derive(Debug, Default, Deserialize)]
pub struct CardsQuery {
    pub unit_id: Option<String>,
    pub class_id: Option<String>,
}

/// A printable PDF sheet of QR check-in cards for a roster's active people
/// of one unit (or class); the coordinator may print every unit's.
pub async fn cards_pdf(st: &AppState, cu: &CurrentUser, roster: &str, q: CardsQuery) -> Result<Vec<u8>, AppError> {
    roster_ok(roster)?;
    let unit = q.unit_id.filter(|u| !u.is_empty()).or_else(|| {
        if cu.user.role() == Role::Coordinator {
            None
        } else {
            cu.user.unit_id.clone()
        }
    });
    let ok = match &unit {
        Some(u) => allowed(&cu.user, Action::EditUnitData { unit_id: u }),
        None => allowed(&cu.user, Action::ManageUnits),
    };
    if !ok {
        return Err(AppError::forbidden());
    }
    let units = st.store.list_units(&st.plan_id).await?;
    let classes = st.store.list_classes(&st.plan_id).await?;
    let class = q.class_id.filter(|c| !c.is_empty());
    let people: Vec<PersonRow> = st
        .store
        .roster_people(&st.plan_id, Some(roster), unit.as_deref())
        .await?
        .into_iter()
        .filter(|p| p.active != 0 && (class.is_none() || p.class_id == class))
        .collect();
    let cards: Vec<kehoach_report::cards::Card> = people
        .iter()
        .map(|p| {
            let unit = units
                .iter()
                .find(|u| u.id == p.unit_id)
                .map(|u| u.display_name().to_string())
                .unwrap_or_default();
            let class = p
                .class_id
                .as_ref()
                .and_then(|c| classes.iter().find(|x| &x.id == c))
                .map(|c| format!("Lớp {} · ", c.name))
                .unwrap_or_default();
            kehoach_report::cards::Card {
                name: p.full_name.clone(),
                detail: format!("{class}{unit}"),
                extra: p.birth_year.map(|y| format!("Năm sinh {y}")).unwrap_or_default(),
                code: p.card_code.clone(),
            }
        })
        .collect();
    let title = format!(
        "Thẻ điểm danh — {} — {}",
        roster_label(roster).unwrap_or(""),
        st.plan.plan.short_title
    );
    kehoach_report::cards::cards_pdf(&title, &cards).map_err(|e| {
        tracing::error!(error = %e, "cards PDF");
        AppError::new(ErrorCode::Internal, None)
    })
}
