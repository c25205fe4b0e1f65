//! The plan in use, as JSON.

use axum::Json;
use axum::extract::State;

use crate::AppState;
use crate::http::auth::ApiUser;
use crate::http::errors::ErrorBody;

/// The whole plan as data: header, units named by the plan, activity lines, targets, budget, duties.
#[utoipa::path(get, path = "/api/v1/plan", responses((status = 200, body = Object), (status = 401, body = ErrorBody)))]
pub async fn plan(State(st): State<AppState>, _user: ApiUser) -> Json<kehoach_core::Plan> {
    Json((*st.plan).clone())
}
