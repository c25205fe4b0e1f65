//! The audit log: who changed what, when. A record's own `created_by` and
//! `created_at` are its creation entry; edits and deletions are logged here,
//! in the same transaction as the change.

use serde::Serialize;
use sqlx::FromRow;

use crate::{Result, Store, new_id};

#[derive(Debug, Clone, FromRow, Serialize, PartialEq)]
pub struct AuditRow {
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub unit_id: Option<String>,
    pub user_id: Option<String>,
    pub at: i64,
    pub detail: String,
}

#[expect(clippy::too_many_arguments, reason = "one row of the log, each column named")]
pub(crate) async fn log(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    plan_id: &str,
    entity: &str,
    entity_id: &str,
    action: &str,
    unit_id: Option<&str>,
    user_id: Option<&str>,
    at: i64,
    detail: serde_json::Value,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (id, plan_id, entity, entity_id, action, unit_id, user_id, at, detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_id())
    .bind(plan_id)
    .bind(entity)
    .bind(entity_id)
    .bind(action)
    .bind(unit_id.map(str::to_string))
    .bind(user_id.map(str::to_string))
    .bind(at)
    .bind(detail.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// History of a unit (or of the whole plan), newest first.
    pub async fn audit(&self, plan_id: &str, unit_id: Option<&str>, limit: i64) -> Result<Vec<AuditRow>> {
        Ok(sqlx::query_as::<_, AuditRow>(
            "SELECT entity, entity_id, action, unit_id, user_id, at, detail FROM audit_log \
             WHERE plan_id = $1 AND ($2 = '' OR unit_id = $2) ORDER BY at DESC, id DESC LIMIT $3",
        )
        .bind(plan_id)
        .bind(unit_id.unwrap_or_default().to_string())
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }
}
