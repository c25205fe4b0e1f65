//! The board as JSON (`/api/v1/board`) and the records behind a figure (`/api/v1/board/records`).

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Query, State};
use kehoach_core::ErrorCode;
use kehoach_core::engine::{self, Laggard};
use kehoach_core::{Day, Plan};
use kehoach_store::Trace;
use serde::{Deserialize, Serialize};

use crate::AppState;
use crate::board::BoardData;
use crate::board::Names;
use crate::board::TRACE_PAGE;
use crate::board::api_records_url;
use crate::http::auth::{ApiUser, CurrentUser};
use crate::http::dates::parse_as_of;
use crate::http::errors::AppError;
use crate::http::policy::{Action, allowed};

#[derive(Serialize, utoipa::ToSchema)]
pub struct BoardSubject {
    pub id: String,
    pub name: String,
    pub value: f64,
    pub met: bool,
    /// Roster coverage: the denominator is the unit's declared population.
    pub declared: bool,
    pub records_url: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BoardLaggard {
    pub id: String,
    pub name: String,
    pub value: f64,
    pub expected: f64,
    pub goal: f64,
    pub gap: f64,
    pub holds_back: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BoardTarget {
    pub id: String,
    pub label: String,
    pub text: String,
    /// not_yet, not_started, met, on_track, behind, at_risk or failed.
    pub status: String,
    pub status_label: String,
    pub comparator: String,
    pub threshold: f64,
    pub threshold_unit: String,
    pub value: f64,
    pub numerator: f64,
    pub denominator: Option<f64>,
    /// roster, declared_population or mixed.
    pub denominator_source: Option<String>,
    pub met: bool,
    pub window_start: String,
    pub window_end: String,
    pub elapsed_days: i64,
    pub window_days: i64,
    pub expected: f64,
    pub forecast_pace: Option<f64>,
    pub forecast_recent: Option<f64>,
    pub records_url: String,
    pub per_unit: Vec<BoardSubject>,
    pub laggards: Vec<BoardLaggard>,
    /// Rate targets: qualifying sessions per subject (as in `per_unit`) and week.
    pub grid: Vec<Vec<u32>>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BoardUnit {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub turns: u64,
    pub sessions: u64,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct BoardJson {
    pub plan_id: String,
    pub as_of: String,
    pub targets: Vec<BoardTarget>,
    /// Held sessions per activity line up to `as_of`.
    pub sessions_per_line: BTreeMap<String, u32>,
    pub units: Vec<BoardUnit>,
}

fn laggard_json(b: &BoardData, l: &Laggard) -> BoardLaggard {
    BoardLaggard {
        id: l.id.clone(),
        name: b.subject_name(&l.id),
        value: l.value,
        expected: l.expected,
        goal: l.goal,
        gap: l.gap,
        holds_back: l.holds_back,
    }
}

pub fn board_json(plan: &Plan, b: &BoardData) -> BoardJson {
    let targets = plan
        .targets
        .iter()
        .zip(&b.standings)
        .map(|(t, s)| {
            let w = plan.target_window(t);
            BoardTarget {
                id: t.id.clone(),
                label: t.label.clone(),
                text: t.text.clone(),
                status: s.status.as_str().into(),
                status_label: s.status.label().into(),
                comparator: t.comparator.symbol().into(),
                threshold: t.threshold,
                threshold_unit: t.threshold_unit.label().into(),
                value: s.value.value,
                numerator: s.value.numerator,
                denominator: s.value.denominator,
                denominator_source: s.value.denominator_source.map(|d| d.as_str().to_string()),
                met: s.value.met,
                window_start: w.start.iso(),
                window_end: w.end.iso(),
                elapsed_days: s.elapsed_days,
                window_days: s.window_days,
                expected: s.expected,
                forecast_pace: s.forecast_pace,
                forecast_recent: s.forecast_recent,
                records_url: api_records_url(&t.id, None, b.as_of),
                per_unit: s
                    .value
                    .per_unit
                    .iter()
                    .map(|u| BoardSubject {
                        id: u.id.clone(),
                        name: b.subject_name(&u.id),
                        value: u.value,
                        met: u.met,
                        declared: u.declared,
                        records_url: api_records_url(&t.id, Some(&u.id), b.as_of),
                    })
                    .collect(),
                laggards: s.laggards.iter().map(|l| laggard_json(b, l)).collect(),
                grid: s.value.grid.clone(),
            }
        })
        .collect();
    let totals = engine::unit_totals(&b.facts, b.as_of);
    BoardJson {
        plan_id: plan.plan.id.clone(),
        as_of: b.as_of.iso(),
        targets,
        sessions_per_line: engine::sessions_per_line(&b.facts, b.as_of),
        units: b
            .names
            .units
            .iter()
            .filter(|u| u.active == 1)
            .map(|u| {
                let (turns, sessions) = totals.get(&u.id).copied().unwrap_or_default();
                BoardUnit {
                    id: u.id.clone(),
                    name: u.display_name().to_string(),
                    kind: u.kind.clone(),
                    turns,
                    sessions,
                }
            })
            .collect(),
    }
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct BoardParams {
    /// YYYY-MM-DD (default: today, within the plan period).
    pub as_of: Option<String>,
}

/// Every target of the plan as of a date.
#[utoipa::path(get, path = "/api/v1/board", params(BoardParams),
    responses((status = 200, body = BoardJson), (status = 422, description = "as_of_invalid")))]
pub async fn api_board(
    State(st): State<AppState>,
    ApiUser(_cu): ApiUser,
    Query(q): Query<BoardParams>,
) -> Result<Json<BoardJson>, AppError> {
    let as_of = parse_as_of(&st.plan, st.clock.today(), q.as_of.as_deref())?;
    let b = BoardData::load(&st, as_of).await?;
    Ok(Json(board_json(&st.plan, &b)))
}

#[derive(Deserialize, utoipa::IntoParams)]
pub struct TraceParams {
    /// Target id: T1…T8, R6.
    pub target: String,
    /// A unit id (a class id for rate targets); none for the whole target.
    pub subject: Option<String>,
    pub as_of: Option<String>,
    pub offset: Option<i64>,
}

/// Checks who may list the records of a subject; returns the query.
pub(crate) fn trace_query(
    st: &AppState,
    names: &Names,
    cu: &CurrentUser,
    target: &str,
    subject: Option<&str>,
    as_of: Day,
) -> Result<engine::RecordQuery, AppError> {
    let t = st
        .plan
        .target(target)
        .ok_or_else(|| AppError::invalid(ErrorCode::TargetUnknown, "target"))?;
    let unit = match subject {
        None => None,
        Some(s) => Some(
            names
                .unit_of(s)
                .ok_or_else(|| AppError::invalid(ErrorCode::UnitUnknown, "subject"))?,
        ),
    };
    if !allowed(&cu.user, Action::ReadUnitRecords { unit_id: unit }) {
        return Err(AppError::forbidden());
    }
    Ok(engine::record_query(&st.plan, t, as_of, subject))
}

/// The records behind a figure of the board, in day order.
#[utoipa::path(get, path = "/api/v1/board/records", params(TraceParams),
    responses((status = 200, description = "{total, rows}"), (status = 403), (status = 422)))]
pub async fn api_trace(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Query(q): Query<TraceParams>,
) -> Result<Json<Trace>, AppError> {
    let as_of = parse_as_of(&st.plan, st.clock.today(), q.as_of.as_deref())?;
    let names = Names::load(&st).await?;
    let rq = trace_query(&st, &names, &cu, &q.target, q.subject.as_deref(), as_of)?;
    Ok(Json(
        st.store
            .trace(&st.plan, &rq, TRACE_PAGE, q.offset.unwrap_or(0).max(0))
            .await?,
    ))
}
