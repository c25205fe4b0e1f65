//! The report sections the coordinator writes (assessment, directions,
//! proposals), kept per plan; an empty text removes it and the report goes
//! back to the text built from the figures.

use kehoach_core::ErrorCode;
use std::collections::BTreeMap;

use kehoach_core::report::REPORT_SECTIONS;

use crate::records::audit;
use crate::{Result, Store, StoreError};

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
                code: ErrorCode::SectionUnknown,
                field: "section",
            });
        }
        let body = kehoach_core::text::clean_multiline(body);
        if body.chars().count() > REPORT_TEXT_MAX_CHARS {
            return Err(StoreError::Conflict {
                code: ErrorCode::ReportTextTooLong,
                field: "body",
            });
        }
        let mut tx = self.write_tx().await?;
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

pub use kehoach_core::report::BudgetLine;

/// The largest amount accepted (a commune's campaign, in đồng).
pub const BUDGET_MAX: i64 = 1_000_000_000_000;

impl Store {
    pub async fn budget_lines(&self, plan_id: &str) -> Result<BTreeMap<String, BudgetLine>> {
        type Row = (String, Option<i64>, Option<i64>, Option<i64>);
        let rows: Vec<Row> =
            sqlx::query_as("SELECT line_id, estimate, spent, contributions FROM budget_lines WHERE plan_id = $1")
                .bind(plan_id)
                .fetch_all(self.pool())
                .await?;
        Ok(rows
            .into_iter()
            .map(|(l, estimate, spent, contributions)| {
                (
                    l,
                    BudgetLine {
                        estimate,
                        spent,
                        contributions,
                    },
                )
            })
            .collect())
    }

    /// Saves the money of several lines in one transaction (all or nothing);
    /// a line with no amount is removed. Logged.
    pub async fn set_budget_lines(
        &self,
        plan: &kehoach_core::Plan,
        lines: &[(String, BudgetLine)],
        user_id: &str,
        now: i64,
    ) -> Result<()> {
        for (line, b) in lines {
            if plan.line(line).is_none() {
                return Err(StoreError::Conflict {
                    code: ErrorCode::LineUnknown,
                    field: "line_id",
                });
            }
            if [b.estimate, b.spent, b.contributions]
                .iter()
                .flatten()
                .any(|v| *v < 0 || *v > BUDGET_MAX)
            {
                return Err(StoreError::Conflict {
                    code: ErrorCode::AmountOutOfRange,
                    field: "amount",
                });
            }
        }
        let plan_id = plan.plan.id.as_str();
        let mut tx = self.write_tx().await?;
        for (line, b) in lines {
            if b.estimate.is_none() && b.spent.is_none() && b.contributions.is_none() {
                sqlx::query("DELETE FROM budget_lines WHERE plan_id = $1 AND line_id = $2")
                    .bind(plan_id)
                    .bind(line)
                    .execute(&mut *tx)
                    .await?;
            } else {
                sqlx::query(
                    "INSERT INTO budget_lines (plan_id, line_id, estimate, spent, contributions, updated_by, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (plan_id, line_id) DO UPDATE SET \
                     estimate = excluded.estimate, spent = excluded.spent, contributions = excluded.contributions, \
                     updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                )
                .bind(plan_id)
                .bind(line)
                .bind(b.estimate)
                .bind(b.spent)
                .bind(b.contributions)
                .bind(user_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
        }
        audit::log(
            &mut tx,
            plan_id,
            "budget",
            plan_id,
            "update",
            None,
            Some(user_id),
            now,
            serde_json::json!({"lines": lines.len()}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
