//! A unit's history as JSON.

use axum::Json;
use axum::extract::{Path, State};

use crate::AppState;
use crate::http::ApiResult;
use crate::http::auth::ApiUser;
use crate::http::errors::{AppError, ErrorBody};
use crate::http::policy::{Action, allowed};

/// A unit's history: who changed or deleted which of its records, when and why.
#[utoipa::path(get, path = "/api/v1/units/{id}/history", responses((status = 200, body = Vec<Object>), (status = 403, body = ErrorBody)))]
pub async fn unit_history(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
) -> ApiResult<Vec<kehoach_store::AuditRow>> {
    if !allowed(&cu.user, Action::ReadUnitRecords { unit_id: Some(&id) }) {
        return Err(AppError::forbidden());
    }
    st.store.unit(&st.plan_id, &id).await?;
    Ok(Json(st.store.audit(&st.plan_id, Some(&id), 500).await?))
}
