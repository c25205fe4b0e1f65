//! Support turns: the one write path used by the phone page (single taps and
//! offline batches) and the API. Each turn is checked on its own; a bad one
//! is rejected with its reason while the rest are stored.

pub mod api;
pub mod page;

use std::collections::HashMap;

use kehoach_core::Day;
use kehoach_core::ErrorCode;
use kehoach_core::records::check_turn;
use kehoach_store::{NewTurn, Role, TurnFilter, TurnRow, UnitRow, WriteOutcome};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::auth::CurrentUser;

use crate::AppState;
use crate::http::errors::{AppError, ErrorDetail};
use crate::http::policy::{Action, allowed};

/// Largest batch one request may carry.
pub const BATCH_MAX: usize = 1000;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TurnBody {
    /// Client-made UUID (v7 preferred); the same id is stored once.
    pub id: String,
    /// The village where the citizen was helped.
    pub unit_id: String,
    /// A service id of the line (`asxh-vneid`, `so-suc-khoe`…).
    pub service: String,
    /// The citizen is elderly (line 4: help for the elderly).
    #[serde(default)]
    pub elderly: bool,
    /// YYYY-MM-DD; default: the day of `recorded_at` in Asia/Ho_Chi_Minh, else today.
    #[serde(default)]
    pub day: Option<String>,
    /// When the device recorded it, unix milliseconds.
    #[serde(default)]
    pub recorded_at: Option<i64>,
    /// Default: the plan's line offering services (line 3).
    #[serde(default)]
    pub line_id: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TurnBatch {
    pub turns: Vec<TurnBody>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TurnResult {
    pub id: String,
    /// stored, duplicate or rejected.
    pub status: &'static str,
    pub error: Option<ErrorDetail>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchReply {
    pub stored: usize,
    pub duplicate: usize,
    pub rejected: usize,
    pub results: Vec<TurnResult>,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeleteBody {
    #[serde(default)]
    pub reason: Option<String>,
}

/// The reason a deletion must give (sessions, propaganda entries), cleaned.
pub(crate) fn required_reason(reason: Option<String>) -> Result<String, AppError> {
    reason
        .map(|r| kehoach_core::text::clean(&r))
        .filter(|r| !r.is_empty())
        .ok_or_else(|| AppError::invalid(ErrorCode::ReasonRequired, "reason"))
}

fn day_of_ms(ms: i64) -> Option<Day> {
    Day::of_unix(ms.div_euclid(1000))
}

/// A turn refused before writing: its id (as sent) and why.
pub struct Rejected {
    pub id: String,
    pub error: AppError,
}

fn rejected(id: &str, code: ErrorCode, field: Option<&'static str>) -> Rejected {
    Rejected {
        id: id.to_string(),
        error: AppError::new(code, field),
    }
}

/// One result per turn, in order: stored or duplicate, or why not.
pub type Outcomes = Vec<Result<(String, WriteOutcome), Rejected>>;

impl From<Outcomes> for BatchReply {
    fn from(outcomes: Outcomes) -> BatchReply {
        let results: Vec<TurnResult> = outcomes
            .into_iter()
            .map(|o| match o {
                Ok((id, WriteOutcome::Stored)) => TurnResult {
                    id,
                    status: "stored",
                    error: None,
                },
                Ok((id, WriteOutcome::Duplicate)) => TurnResult {
                    id,
                    status: "duplicate",
                    error: None,
                },
                Ok((id, WriteOutcome::IdTaken)) => {
                    let e = AppError::new(ErrorCode::IdTaken, Some("id"));
                    TurnResult {
                        id,
                        status: "rejected",
                        error: Some(ErrorDetail {
                            code: e.code.as_str().into(),
                            field: e.field.map(str::to_string),
                            message: e.message,
                        }),
                    }
                }
                Err(r) => TurnResult {
                    id: r.id,
                    status: "rejected",
                    error: Some(ErrorDetail {
                        code: r.error.code.as_str().into(),
                        field: r.error.field.map(str::to_string),
                        message: r.error.message,
                    }),
                },
            })
            .collect();
        let count = |s: &str| results.iter().filter(|r| r.status == s).count();
        BatchReply {
            stored: count("stored"),
            duplicate: count("duplicate"),
            rejected: count("rejected"),
            results,
        }
    }
}

/// Checks one turn; Ok is ready to store.
fn check(
    st: &AppState,
    cu: &CurrentUser,
    units: &HashMap<&str, &UnitRow>,
    b: &TurnBody,
    now: i64,
) -> Result<NewTurn, Rejected> {
    let id = uuid::Uuid::parse_str(b.id.trim())
        .map_err(|_| rejected(&b.id, ErrorCode::IdInvalid, Some("id")))?
        .to_string();
    let unit = units
        .get(b.unit_id.as_str())
        .ok_or_else(|| rejected(&id, ErrorCode::UnitUnknown, Some("unit_id")))?;
    if unit.kind != "village" || unit.active == 0 {
        return Err(rejected(&id, ErrorCode::UnitNotVillage, Some("unit_id")));
    }
    if !allowed(&cu.user, Action::RecordTurn { unit_id: &unit.id }) {
        return Err(rejected(&id, ErrorCode::Forbidden, None));
    }
    let recorded_ms = b.recorded_at.unwrap_or(now * 1000);
    let day = match b.day.as_deref() {
        Some(s) => Day::parse_iso(s).ok_or_else(|| rejected(&id, ErrorCode::DayInvalid, Some("day")))?,
        None => day_of_ms(recorded_ms).ok_or_else(|| rejected(&id, ErrorCode::DayInvalid, Some("recorded_at")))?,
    };
    if day > st.clock.today() {
        return Err(rejected(&id, ErrorCode::DayInFuture, Some("day")));
    }
    let line = check_turn(&st.plan, b.line_id.as_deref(), &b.service, day)
        .map_err(|r| rejected(&id, r.code, Some(r.field)))?;
    Ok(NewTurn {
        id,
        plan_id: st.plan_id.clone(),
        line_id: line.id.clone(),
        unit_id: unit.id.clone(),
        service: b.service.clone(),
        elderly: b.elderly,
        day: day.iso(),
        recorded_at: recorded_ms.div_euclid(1000),
        created_by: cu.user.id.clone(),
    })
}

/// Records turns; one outcome per turn, in order.
pub async fn record(st: &AppState, cu: &CurrentUser, bodies: Vec<TurnBody>) -> Result<Outcomes, AppError> {
    if !matches!(cu.user.role(), Role::Coordinator | Role::UnitReporter | Role::Volunteer) {
        return Err(AppError::forbidden());
    }
    if bodies.len() > BATCH_MAX {
        return Err(AppError::invalid(ErrorCode::BatchTooLarge, "turns"));
    }
    let units = st.units().await?;
    let by_id: HashMap<&str, &UnitRow> = units.iter().map(|u| (u.id.as_str(), u)).collect();
    let now = st.clock.now();
    let mut results: Vec<Option<Result<(String, WriteOutcome), Rejected>>> = Vec::with_capacity(bodies.len());
    let mut to_write = Vec::new();
    let mut slots = Vec::new();
    for (i, b) in bodies.iter().enumerate() {
        match check(st, cu, &by_id, b, now) {
            Ok(t) => {
                slots.push((i, t.id.clone()));
                to_write.push(t);
                results.push(None);
            }
            Err(r) => results.push(Some(Err(r))),
        }
    }
    let outcomes = st.ingest.write(to_write).await?;
    for ((slot, id), o) in slots.into_iter().zip(outcomes) {
        results[slot] = Some(Ok((id, o)));
    }
    Ok(results.into_iter().flatten().collect())
}

/// Soft-deletes a turn: its maker within the undo time, or a coordinator.
pub async fn delete(st: &AppState, cu: &CurrentUser, id: &str, reason: Option<String>) -> Result<TurnRow, AppError> {
    let turn = st.store.turn(&st.plan_id, id).await?;
    let now = st.clock.now();
    if !allowed(
        &cu.user,
        Action::DeleteTurn {
            creator: &turn.created_by,
            created_at: turn.created_at,
            now,
        },
    ) {
        return Err(AppError::forbidden());
    }
    let reason = reason
        .map(|r| kehoach_core::text::clean(&r))
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "Hoàn tác".into());
    Ok(st.store.delete_turn(&st.plan_id, id, &cu.user.id, &reason, now).await?)
}

#[derive(Debug, Default, Deserialize)]
pub struct TurnQuery {
    pub unit_id: Option<String>,
    pub day: Option<String>,
    pub mine: Option<bool>,
    pub limit: Option<i64>,
}

/// Lists turns within the reader's scope.
pub async fn list(st: &AppState, cu: &CurrentUser, q: TurnQuery) -> Result<Vec<TurnRow>, AppError> {
    let mut f = TurnFilter {
        unit_id: q.unit_id.clone(),
        day: q.day.clone(),
        limit: q.limit.unwrap_or(200),
        ..Default::default()
    };
    let own = cu.user.role() == Role::Volunteer || q.mine == Some(true);
    if own {
        f.created_by = Some(cu.user.id.clone());
    } else if !allowed(
        &cu.user,
        Action::ReadUnitRecords {
            unit_id: q.unit_id.as_deref(),
        },
    ) {
        return Err(AppError::forbidden());
    }
    Ok(st.store.list_turns(&st.plan_id, &f).await?)
}
