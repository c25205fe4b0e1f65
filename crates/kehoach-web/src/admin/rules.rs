//! The writes, once: the API and the HTML forms both call these functions,
//! which check the policy first, then the input, then write.

use kehoach_core::ErrorCode;
use kehoach_core::UnitKind;
use kehoach_store::{ClassRow, NewInvite, NewUnit, NewUser, Role, UnitPatch, UnitRow, UserPatch, UserRow};
use serde::Deserialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::errors::AppError;
use crate::http::policy::{Action, allowed};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUnitBody {
    pub name: String,
    #[serde(default)]
    pub short_name: Option<String>,
    /// One of: agency, police, youth_union, mass_organisation, school, village, cooperative, digital_team, project06_team, community.
    pub kind: String,
    #[serde(default)]
    pub has_smart_classroom: bool,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitPatchBody {
    pub name: Option<String>,
    pub short_name: Option<String>,
    pub has_smart_classroom: Option<bool>,
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PopulationBody {
    /// Declared figure; null clears it.
    pub value: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewClassBody {
    pub name: String,
    #[serde(default)]
    pub pupils: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClassPatchBody {
    pub active: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    pub username: String,
    pub full_name: String,
    /// coordinator, unit_reporter, volunteer, judge or viewer.
    pub role: String,
    #[serde(default)]
    pub unit_id: Option<String>,
    pub password: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatchBody {
    pub full_name: Option<String>,
    pub role: Option<String>,
    /// A unit id; an empty string removes the unit.
    pub unit_id: Option<String>,
    pub active: Option<bool>,
    pub password: Option<String>,
    /// For reminders by email; an empty string removes it.
    #[serde(default)]
    pub email: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteBody {
    pub role: String,
    #[serde(default)]
    pub unit_id: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

pub const INVITE_TTL_SECS: i64 = 7 * 24 * 3600;

fn require(cu: &CurrentUser, action: Action) -> Result<(), AppError> {
    if allowed(&cu.user, action) {
        Ok(())
    } else {
        Err(AppError::forbidden())
    }
}

fn parse_role(s: &str) -> Result<Role, AppError> {
    Role::parse(s).ok_or_else(|| AppError::invalid(ErrorCode::RoleInvalid, "role"))
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.trim().is_empty())
}

pub async fn create_unit(st: &AppState, cu: &CurrentUser, b: NewUnitBody) -> Result<UnitRow, AppError> {
    require(cu, Action::ManageUnits)?;
    let kind = UnitKind::parse(&b.kind)
        .filter(|k| *k != UnitKind::Commune)
        .ok_or_else(|| AppError::invalid(ErrorCode::KindInvalid, "kind"))?;
    let u = NewUnit {
        name: b.name,
        short_name: non_empty(b.short_name),
        kind,
        has_smart_classroom: b.has_smart_classroom,
    };
    let row = st.store.create_unit(&st.plan_id, u, st.clock.now()).await;
    st.forget_units().await;
    Ok(row?)
}

pub async fn update_unit(st: &AppState, cu: &CurrentUser, id: &str, b: UnitPatchBody) -> Result<UnitRow, AppError> {
    require(cu, Action::ManageUnits)?;
    let p = UnitPatch {
        name: b.name,
        short_name: b.short_name.map(|s| non_empty(Some(s))),
        has_smart_classroom: b.has_smart_classroom,
        active: b.active,
    };
    let row = st.store.update_unit(&st.plan_id, id, p, st.clock.now()).await;
    st.forget_units().await;
    Ok(row?)
}

pub async fn set_population(
    st: &AppState,
    cu: &CurrentUser,
    unit_id: &str,
    population: &str,
    value: Option<i64>,
) -> Result<(), AppError> {
    require(cu, Action::EditUnitData { unit_id })?;
    Ok(st
        .store
        .set_population(&st.plan_id, unit_id, population, value, st.clock.now())
        .await?)
}

pub async fn add_class(st: &AppState, cu: &CurrentUser, unit_id: &str, b: NewClassBody) -> Result<ClassRow, AppError> {
    require(cu, Action::EditUnitData { unit_id })?;
    Ok(st
        .store
        .add_class(&st.plan_id, unit_id, &b.name, b.pupils, st.clock.now())
        .await?)
}

pub async fn set_class_active(
    st: &AppState,
    cu: &CurrentUser,
    class_id: &str,
    active: bool,
) -> Result<ClassRow, AppError> {
    let classes = st.store.list_classes(&st.plan_id).await?;
    let class = classes
        .iter()
        .find(|c| c.id == class_id)
        .ok_or_else(AppError::not_found)?;
    require(
        cu,
        Action::EditUnitData {
            unit_id: &class.unit_id,
        },
    )?;
    Ok(st
        .store
        .set_class_active(&st.plan_id, class_id, active, st.clock.now())
        .await?)
}

pub async fn create_user(st: &AppState, cu: &CurrentUser, b: NewUserBody) -> Result<UserRow, AppError> {
    require(cu, Action::ManageUsers)?;
    let u = NewUser {
        username: b.username,
        full_name: b.full_name,
        role: parse_role(&b.role)?,
        unit_id: non_empty(b.unit_id),
        password: b.password,
    };
    Ok(st.store.create_user(&st.plan_id, u, st.clock.now()).await?)
}

pub async fn update_user(st: &AppState, cu: &CurrentUser, id: &str, b: UserPatchBody) -> Result<UserRow, AppError> {
    require(cu, Action::ManageUsers)?;
    let p = UserPatch {
        full_name: b.full_name,
        role: b.role.as_deref().map(parse_role).transpose()?,
        unit_id: b.unit_id.map(|u| non_empty(Some(u))),
        active: b.active,
        password: non_empty(b.password),
        email: b.email.map(|e| non_empty(Some(e))),
        keep_session_csrf: Some(cu.csrf.clone()),
    };
    Ok(st.store.update_user(&st.plan_id, id, p, st.clock.now()).await?)
}

/// Creates a one-time invite; returns its link.
pub async fn create_invite(st: &AppState, cu: &CurrentUser, b: InviteBody) -> Result<String, AppError> {
    require(cu, Action::ManageUsers)?;
    let role = parse_role(&b.role)?;
    let token = st
        .store
        .create_invite(
            &st.plan_id,
            NewInvite {
                role,
                unit_id: non_empty(b.unit_id),
                note: b.note,
                created_by: Some(cu.user.id.clone()),
                ttl_secs: INVITE_TTL_SECS,
            },
            st.clock.now(),
        )
        .await?;
    Ok(format!("{}/moi/{token}", st.public_url))
}

/// Ends an unused invite (a link sent to the wrong person, or lost).
pub async fn revoke_invite(
    st: &AppState,
    cu: &CurrentUser,
    id: &str,
) -> Result<kehoach_store::InviteListRow, AppError> {
    require(cu, Action::ManageUsers)?;
    st.store
        .revoke_invite(&st.plan_id, id, st.clock.now())
        .await?
        .ok_or_else(AppError::not_found)
}

/// A new link for the same role, unit and note as an unused invite, which
/// ends: the way back to a link that was shown once and lost (tokens are
/// stored only as hashes).
pub async fn reissue_invite(st: &AppState, cu: &CurrentUser, id: &str) -> Result<(String, InviteBody), AppError> {
    let old = revoke_invite(st, cu, id).await?;
    let body = InviteBody {
        role: old.role,
        unit_id: old.unit_id,
        note: old.note,
    };
    let url = create_invite(
        st,
        cu,
        InviteBody {
            role: body.role.clone(),
            unit_id: body.unit_id.clone(),
            note: body.note.clone(),
        },
    )
    .await?;
    Ok((url, body))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonLinkBody {
    /// A youth-union roster entry, or null to unlink.
    pub person_id: Option<String>,
}

/// Links an account to its owner's youth-union roster entry (T2 counts their turns).
pub async fn link_person(st: &AppState, cu: &CurrentUser, user_id: &str, b: PersonLinkBody) -> Result<(), AppError> {
    require(cu, Action::ManageUsers)?;
    let person = b.person_id.filter(|p| !p.is_empty());
    Ok(st
        .store
        .link_user_person(&st.plan_id, user_id, person.as_deref(), st.clock.now())
        .await?)
}
