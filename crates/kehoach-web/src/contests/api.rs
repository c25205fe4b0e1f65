//! The JSON doors of contests: settings, rubric, jury, scores, recusals, lock, prizes, publication, ranking.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use crate::AppState;
use crate::contests::{self, CriterionBody, SettingsBody};
use crate::http::auth::ApiUser;
use crate::http::errors::AppError;

fn done(r: Result<(), AppError>) -> Response {
    match r {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}

#[utoipa::path(put, path = "/api/v1/contests/{id}", params(("id" = String, Path, description = "the contest's line id, e.g. l7-1-ideas")), request_body = SettingsBody,
    responses((status = 204), (status = 403, body = crate::http::errors::ErrorBody), (status = 422, body = crate::http::errors::ErrorBody)))]
pub async fn api_settings(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    crate::http::Body(b): crate::http::Body<SettingsBody>,
) -> Response {
    done(contests::update_settings(&st, &cu, &id, b).await)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RubricBody {
    pub criteria: Vec<CriterionBody>,
}

#[utoipa::path(put, path = "/api/v1/contests/{id}/rubric", params(("id" = String, Path, description = "the contest's line id, e.g. l7-1-ideas")), request_body = RubricBody,
    responses((status = 204), (status = 409, description = "rubric_locked: judging has started", body = crate::http::errors::ErrorBody),
        (status = 422, body = crate::http::errors::ErrorBody)))]
pub async fn api_rubric(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    crate::http::Body(b): crate::http::Body<RubricBody>,
) -> Response {
    done(contests::set_rubric(&st, &cu, &id, b.criteria).await)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JudgesBody {
    /// User ids of accounts with the judge role.
    pub judges: Vec<String>,
}

#[utoipa::path(put, path = "/api/v1/contests/{id}/judges", params(("id" = String, Path, description = "the contest's line id, e.g. l7-1-ideas")), request_body = JudgesBody, responses((status = 204)))]
pub async fn api_judges(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    crate::http::Body(b): crate::http::Body<JudgesBody>,
) -> Response {
    done(contests::set_judges(&st, &cu, &id, b.judges).await)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreBody {
    /// {criterion id: score within 0..=max}, every criterion.
    pub scores: BTreeMap<String, f64>,
    #[serde(default)]
    pub comment: Option<String>,
}

#[utoipa::path(put, path = "/api/v1/contests/{id}/entries/{entry}/score", params(("id" = String, Path, description = "the contest's line id, e.g. l7-1-ideas"), ("entry" = String, Path, description = "the entry's id")), request_body = ScoreBody,
    responses((status = 204), (status = 403, body = crate::http::errors::ErrorBody),
        (status = 409, description = "judge_recused or scores_locked", body = crate::http::errors::ErrorBody),
        (status = 422, body = crate::http::errors::ErrorBody)))]
pub async fn api_score(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path((id, entry)): Path<(String, String)>,
    crate::http::Body(b): crate::http::Body<ScoreBody>,
) -> Response {
    done(contests::score(&st, &cu, &id, &entry, &b.scores, b.comment).await)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecusalBody {
    #[serde(default)]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/contests/{id}/entries/{entry}/recusal", params(("id" = String, Path, description = "the contest's line id, e.g. l7-1-ideas"), ("entry" = String, Path, description = "the entry's id")), request_body = RecusalBody, responses((status = 204)))]
pub async fn api_recuse(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path((id, entry)): Path<(String, String)>,
    crate::http::Body(b): crate::http::Body<RecusalBody>,
) -> Response {
    done(contests::recuse(&st, &cu, &id, &entry, &b.reason).await)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LockBody {
    pub locked: bool,
}

#[utoipa::path(post, path = "/api/v1/contests/{id}/lock", params(("id" = String, Path, description = "the contest's line id, e.g. l7-1-ideas")), request_body = LockBody, responses((status = 204)))]
pub async fn api_lock(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    crate::http::Body(b): crate::http::Body<LockBody>,
) -> Response {
    done(contests::lock(&st, &cu, &id, b.locked).await)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrizeBody {
    /// One of the contest's prizes; null takes the prize back.
    pub prize: Option<String>,
}

#[utoipa::path(put, path = "/api/v1/contests/{id}/entries/{entry}/prize", params(("id" = String, Path, description = "the contest's line id, e.g. l7-1-ideas"), ("entry" = String, Path, description = "the entry's id")), request_body = PrizeBody,
    responses((status = 204), (status = 409, description = "scores_not_locked", body = crate::http::errors::ErrorBody)))]
pub async fn api_prize(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path((id, entry)): Path<(String, String)>,
    crate::http::Body(b): crate::http::Body<PrizeBody>,
) -> Response {
    done(contests::set_prize(&st, &cu, &id, &entry, b.prize).await)
}

#[utoipa::path(post, path = "/api/v1/contests/{id}/publish", params(("id" = String, Path, description = "the contest's line id, e.g. l7-1-ideas")), responses((status = 204)))]
pub async fn api_publish(State(st): State<AppState>, ApiUser(cu): ApiUser, Path(id): Path<String>) -> Response {
    done(contests::publish(&st, &cu, &id).await)
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RankingRow {
    pub entry_id: String,
    pub number: i64,
    pub title: String,
    pub entrant_name: String,
    pub rank: Option<usize>,
    pub tied: bool,
    /// Mean of the judges' weighted totals, 0..100.
    pub raw_mean: Option<f64>,
    /// Mean of the judges' z-scores.
    pub normalised: Option<f64>,
    pub judges: usize,
    pub prize: Option<String>,
    pub duplicate_of: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/contests/{id}/ranking", params(("id" = String, Path, description = "the contest's line id, e.g. l7-1-ideas")), responses((status = 200, body = [RankingRow])))]
pub async fn api_ranking(State(st): State<AppState>, ApiUser(cu): ApiUser, Path(id): Path<String>) -> Response {
    let r = async {
        let c = contests::contest(&st, &id).await?;
        if !contests::may_manage(&cu, &c) {
            return Err(AppError::forbidden());
        }
        let entries = st.store.entries(&st.plan_id, c.id()).await?;
        let rows = contests::standings(&st, &c, &entries).await?.rows;
        Ok::<_, AppError>(
            rows.into_iter()
                .map(|s| RankingRow {
                    entry_id: s.entry.id,
                    number: s.entry.number,
                    title: s.entry.title,
                    entrant_name: s.entry.entrant_name,
                    rank: s.ranked.rank,
                    tied: s.ranked.tied,
                    raw_mean: s.ranked.raw_mean,
                    normalised: s.ranked.normalised,
                    judges: s.ranked.judges,
                    prize: s.entry.prize,
                    duplicate_of: s.entry.duplicate_of,
                })
                .collect::<Vec<_>>(),
        )
    }
    .await;
    match r {
        Ok(rows) => axum::Json(rows).into_response(),
        Err(e) => e.into_response(),
    }
}
