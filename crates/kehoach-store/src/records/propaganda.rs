//! The propaganda log (line 2): broadcasts, posts and mobile propaganda
//! trips by channel. A mobile trip in a village is stored as a held
//! propaganda session too, in the same transaction, so the targets that
//! count sessions count it.

use std::collections::BTreeMap;

use serde::Serialize;
use sqlx::FromRow;

use crate::facts::bump_sessions;
use crate::records::activity::delete_session_in;
use crate::records::audit;
use crate::{Result, Store};

#[derive(Debug, Clone)]
pub struct NewPropaganda {
    /// Made by the client; the same id again stores nothing new.
    pub id: String,
    pub plan_id: String,
    pub line_id: String,
    pub channel: String,
    pub day: String,
    pub topic: Option<String>,
    pub link: Option<String>,
    pub note: Option<String>,
    /// The village of a mobile trip.
    pub unit_id: Option<String>,
    /// A mobile trip: also a held propaganda session of `unit_id`.
    pub as_session: bool,
    pub created_by: String,
}

#[derive(Debug, Clone, FromRow, Serialize, PartialEq)]
pub struct PropagandaRow {
    pub id: String,
    pub channel: String,
    pub day: String,
    pub topic: Option<String>,
    pub link: Option<String>,
    pub unit_id: Option<String>,
    pub session_id: Option<String>,
}

impl Store {
    /// Stores an entry (and, for a mobile trip, its session); returns false
    /// when the id was stored before.
    pub async fn create_propaganda(&self, e: NewPropaganda, now: i64) -> Result<bool> {
        let mut tx = self.write_tx().await?;
        let session_id = e.as_session.then(|| e.id.clone());
        let r = sqlx::query(
            "INSERT INTO propaganda_entries (id, plan_id, line_id, channel, day, topic, link, note, unit_id, session_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&e.id)
        .bind(&e.plan_id)
        .bind(&e.line_id)
        .bind(&e.channel)
        .bind(&e.day)
        .bind(e.topic.clone())
        .bind(e.link.clone())
        .bind(e.note.clone())
        .bind(e.unit_id.clone())
        .bind(None::<String>)
        .bind(&e.created_by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            crate::own_retry(
                &mut *tx,
                "propaganda_entries",
                "created_by",
                &e.id,
                &e.plan_id,
                &e.created_by,
            )
            .await?;
            tx.rollback().await?;
            return Ok(false);
        }
        if let (Some(sid), Some(unit)) = (&session_id, &e.unit_id) {
            let topics = serde_json::to_string(&e.topic.iter().collect::<Vec<_>>()).unwrap_or_else(|_| "[]".into());
            sqlx::query(
                "INSERT INTO sessions (id, plan_id, line_id, unit_id, class_id, kind, status, day, start_time, end_time, venue, topics, headcount, note, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, NULL, 'propaganda', 'held', $5, NULL, NULL, NULL, $6, NULL, $7, $8, $9, $9)",
            )
            .bind(sid)
            .bind(&e.plan_id)
            .bind(&e.line_id)
            .bind(unit)
            .bind(&e.day)
            .bind(topics)
            .bind("Tuyên truyền lưu động (nhật ký tuyên truyền)")
            .bind(&e.created_by)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            sqlx::query("UPDATE propaganda_entries SET session_id = $1 WHERE id = $2")
                .bind(sid)
                .bind(&e.id)
                .execute(&mut *tx)
                .await?;
            bump_sessions(&mut tx, sid, 1).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Withdraws an entry logged by mistake and, for a mobile trip, its
    /// session too, in one transaction (the session stops counting at once).
    /// Kept in the database, marked deleted, with an audit line. None when
    /// the plan has no such entry; a second call changes nothing.
    pub async fn delete_propaganda(
        &self,
        plan_id: &str,
        id: &str,
        user_id: &str,
        reason: &str,
        now: i64,
    ) -> Result<Option<PropagandaRow>> {
        let mut tx = self.write_tx().await?;
        let row: Option<PropagandaRow> = sqlx::query_as(
            "SELECT id, channel, day, topic, link, unit_id, session_id FROM propaganda_entries WHERE plan_id = $1 AND id = $2",
        )
        .bind(plan_id)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let withdrawn =
            sqlx::query("UPDATE propaganda_entries SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL")
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        if withdrawn == 0 {
            return Ok(Some(row));
        }
        if let (Some(sid), Some(unit)) = (&row.session_id, &row.unit_id) {
            delete_session_in(&mut tx, plan_id, sid, unit, user_id, reason, now).await?;
        }
        audit::log(
            &mut tx,
            plan_id,
            "propaganda",
            id,
            "delete",
            row.unit_id.as_deref(),
            Some(user_id),
            now,
            serde_json::json!({"reason": reason, "session_id": row.session_id}),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(row))
    }

    /// The latest entries, newest first.
    pub async fn propaganda(&self, plan_id: &str, limit: i64) -> Result<Vec<PropagandaRow>> {
        Ok(sqlx::query_as(
            "SELECT id, channel, day, topic, link, unit_id, session_id FROM propaganda_entries \
             WHERE plan_id = $1 AND deleted_at IS NULL ORDER BY day DESC, created_at DESC, id DESC LIMIT $2",
        )
        .bind(plan_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Live entries per channel up to a day (ISO).
    pub async fn propaganda_counts(&self, plan_id: &str, to: &str) -> Result<BTreeMap<String, i64>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT channel, COUNT(*) FROM propaganda_entries WHERE plan_id = $1 AND deleted_at IS NULL AND day <= $2 GROUP BY channel",
        )
        .bind(plan_id)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().collect())
    }
}
