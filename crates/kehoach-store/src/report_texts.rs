//! The report sections the coordinator writes (assessment, directions,
//! proposals), kept per plan; an empty text removes it and the report goes
//! back to the text built from the figures.

use std::collections::BTreeMap;

use kehoach_core::report::REPORT_SECTIONS;

use crate::{Result, Store, StoreError, audit};

/// The longest text kept for one section.
pub const REPORT_TEXT_MAX_CHARS: usize = 10_000;

impl Store {
    pub async fn report_texts(&self, plan_id: &str) -> Result<BTreeMap<String, String>> {
        let rows: Vec<(String, String)> = sqlx::query_as("SELECT section, body FROM report_texts WHERE plan_id = $1")
            .bind(plan_id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.into_iter().collect())
    }

    /// Saves (or, when empty, removes) one section's text; logged.
    pub async fn set_report_text(
        &self,
        plan_id: &str,
        section: &str,
        body: &str,
        user_id: &str,
        now: i64,
    ) -> Result<()> {
        if !REPORT_SECTIONS.iter().any(|(k, _, _)| *k == section) {
            return Err(StoreError::Conflict {
                code: "section_unknown",
                field: "section",
            });
        }
        let body = kehoach_core::text::clean_multiline(body);
        if body.chars().count() > REPORT_TEXT_MAX_CHARS {
            return Err(StoreError::Conflict {
                code: "report_text_too_long",
                field: "body",
            });
        }
        let mut tx = self.pool().begin().await?;
        if body.is_empty() {
            sqlx::query("DELETE FROM report_texts WHERE plan_id = $1 AND section = $2")
                .bind(plan_id)
                .bind(section)
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query(
                "INSERT INTO report_texts (plan_id, section, body, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (plan_id, section) DO UPDATE SET body = excluded.body, updated_by = excluded.updated_by, \
                 updated_at = excluded.updated_at",
            )
            .bind(plan_id)
            .bind(section)
            .bind(&body)
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        audit::log(
            &mut tx,
            plan_id,
            "report_text",
            section,
            if body.is_empty() { "delete" } else { "update" },
            None,
            Some(user_id),
            now,
            serde_json::json!({"chars": body.chars().count()}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
