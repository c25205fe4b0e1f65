//! Activity sessions (buổi) of the plan's lines — planned, held or
//! cancelled — and attendance of rostered people at them.
//!
//! Named "activity sessions" in code to keep them apart from login sessions.
//! Ids are client-made: creating the same id twice returns the first record.

use kehoach_core::ErrorCode;
use serde::Serialize;
use sqlx::FromRow;

use crate::facts::{Whose, bump_sessions, refresh_reach};
use crate::records::audit;
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone)]
pub struct NewActivitySession {
    pub id: String,
    pub plan_id: String,
    pub line_id: String,
    pub unit_id: String,
    pub class_id: Option<String>,
    pub kind: String,
    pub status: String,
    pub day: String,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub venue: Option<String>,
    /// JSON array of the line's content items chosen as topics.
    pub topics: String,
    pub headcount: Option<i64>,
    pub note: Option<String>,
    pub created_by: String,
}

#[derive(Debug, Clone, FromRow, Serialize, PartialEq)]
pub struct ActivitySessionRow {
    pub id: String,
    pub line_id: String,
    pub unit_id: String,
    pub class_id: Option<String>,
    pub kind: String,
    pub status: String,
    pub day: String,
    pub start_time: Option<String>,
    pub end_time: Option<String>,
    pub venue: Option<String>,
    pub topics: String,
    pub headcount: Option<i64>,
    pub note: Option<String>,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
    pub delete_reason: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct SessionFilter {
    pub unit_id: Option<String>,
    pub line_id: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub include_deleted: bool,
}

const COLS: &str = "id, line_id, unit_id, class_id, kind, status, day, start_time, end_time, venue, topics, headcount, note, created_by, created_at, updated_at, deleted_at, delete_reason";

#[derive(Debug, Clone, FromRow, Serialize, PartialEq)]
pub struct AttendanceRow {
    pub id: String,
    pub session_id: String,
    pub person_id: String,
    pub full_name: String,
    pub method: String,
    pub created_at: i64,
}

impl Store {
    pub async fn activity_session(&self, plan_id: &str, id: &str) -> Result<ActivitySessionRow> {
        sqlx::query_as::<_, ActivitySessionRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM sessions WHERE plan_id = $1 AND id = $2"
        )))
        .bind(plan_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("session"))
    }

    /// Stores a session once; the same id again returns the stored one and false.
    pub async fn create_activity_session(&self, s: NewActivitySession, now: i64) -> Result<(ActivitySessionRow, bool)> {
        let mut tx = self.write_tx().await?;
        let r = sqlx::query(
            "INSERT INTO sessions (id, plan_id, line_id, unit_id, class_id, kind, status, day, start_time, end_time, venue, topics, headcount, note, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&s.id)
        .bind(&s.plan_id)
        .bind(&s.line_id)
        .bind(&s.unit_id)
        .bind(s.class_id.clone())
        .bind(&s.kind)
        .bind(&s.status)
        .bind(&s.day)
        .bind(s.start_time.clone())
        .bind(s.end_time.clone())
        .bind(s.venue.clone())
        .bind(&s.topics)
        .bind(s.headcount)
        .bind(s.note.clone())
        .bind(&s.created_by)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let created = r.rows_affected() == 1;
        if created {
            bump_sessions(&mut tx, &s.id, 1).await?;
        } else {
            crate::own_retry(&mut *tx, "sessions", "created_by", &s.id, &s.plan_id, &s.created_by).await?;
        }
        tx.commit().await?;
        let row = self.activity_session(&s.plan_id, &s.id).await?;
        Ok((row, created))
    }

    /// Replaces a session's editable fields; logs what changed.
    pub async fn update_activity_session(
        &self,
        s: NewActivitySession,
        user_id: &str,
        now: i64,
    ) -> Result<ActivitySessionRow> {
        let cur = self.activity_session(&s.plan_id, &s.id).await?;
        if cur.deleted_at.is_some() {
            return Err(StoreError::Conflict {
                code: ErrorCode::SessionDeleted,
                field: "id",
            });
        }
        let mut changed = serde_json::Map::new();
        let mut diff = |k: &str, a: serde_json::Value, b: serde_json::Value| {
            if a != b {
                changed.insert(k.into(), serde_json::json!([a, b]));
            }
        };
        use serde_json::json;
        diff("unit_id", json!(cur.unit_id), json!(s.unit_id));
        diff("class_id", json!(cur.class_id), json!(s.class_id));
        diff("kind", json!(cur.kind), json!(s.kind));
        diff("status", json!(cur.status), json!(s.status));
        diff("day", json!(cur.day), json!(s.day));
        diff("start_time", json!(cur.start_time), json!(s.start_time));
        diff("end_time", json!(cur.end_time), json!(s.end_time));
        diff("venue", json!(cur.venue), json!(s.venue));
        diff("topics", json!(cur.topics), json!(s.topics));
        diff("headcount", json!(cur.headcount), json!(s.headcount));
        diff("note", json!(cur.note), json!(s.note));
        if changed.is_empty() {
            return Ok(cur);
        }
        let mut tx = self.write_tx().await?;
        bump_sessions(&mut tx, &s.id, -1).await?;
        sqlx::query(
            "UPDATE sessions SET unit_id = $1, class_id = $2, kind = $3, status = $4, day = $5, start_time = $6, end_time = $7, venue = $8, \
             topics = $9, headcount = $10, note = $11, updated_at = $12 WHERE id = $13 AND plan_id = $14",
        )
        .bind(&s.unit_id)
        .bind(s.class_id.clone())
        .bind(&s.kind)
        .bind(&s.status)
        .bind(&s.day)
        .bind(s.start_time.clone())
        .bind(s.end_time.clone())
        .bind(s.venue.clone())
        .bind(&s.topics)
        .bind(s.headcount)
        .bind(s.note.clone())
        .bind(now)
        .bind(&s.id)
        .bind(&s.plan_id)
        .execute(&mut *tx)
        .await?;
        audit::log(
            &mut tx,
            &s.plan_id,
            "session",
            &s.id,
            "update",
            Some(&s.unit_id),
            Some(user_id),
            now,
            serde_json::Value::Object(changed),
        )
        .await?;
        bump_sessions(&mut tx, &s.id, 1).await?;
        refresh_reach(&mut tx, Whose::Session(&s.id)).await?;
        tx.commit().await?;
        self.activity_session(&s.plan_id, &s.id).await
    }

    pub async fn delete_activity_session(
        &self,
        plan_id: &str,
        id: &str,
        user_id: &str,
        reason: &str,
        now: i64,
    ) -> Result<ActivitySessionRow> {
        let cur = self.activity_session(plan_id, id).await?;
        if cur.deleted_at.is_some() {
            return Ok(cur);
        }
        let mut tx = self.write_tx().await?;
        delete_session_in(&mut tx, plan_id, id, &cur.unit_id, user_id, reason, now).await?;
        tx.commit().await?;
        self.activity_session(plan_id, id).await
    }

    pub async fn list_activity_sessions(&self, plan_id: &str, f: &SessionFilter) -> Result<Vec<ActivitySessionRow>> {
        Ok(sqlx::query_as::<_, ActivitySessionRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {COLS} FROM sessions WHERE plan_id = $1 AND ($2 = '' OR unit_id = $2) AND ($3 = '' OR line_id = $3) \
             AND ($4 = '' OR day >= $4) AND ($5 = '' OR day <= $5) AND ($6 = 1 OR deleted_at IS NULL) \
             ORDER BY day DESC, start_time DESC, id DESC LIMIT 2000"
        )))
        .bind(plan_id)
        .bind(f.unit_id.clone().unwrap_or_default())
        .bind(f.line_id.clone().unwrap_or_default())
        .bind(f.from.clone().unwrap_or_default())
        .bind(f.to.clone().unwrap_or_default())
        .bind(f.include_deleted as i64)
        .fetch_all(self.pool())
        .await?)
    }

    /// Records a rostered person at a held session; the same person twice is
    /// one attendance (returns false the second time).
    pub async fn add_attendance(
        &self,
        plan_id: &str,
        session_id: &str,
        person_id: &str,
        method: &str,
        user_id: &str,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.write_tx().await?;
        let r = sqlx::query(
            "INSERT INTO attendances (id, plan_id, session_id, person_id, method, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (session_id, person_id) DO NOTHING",
        )
        .bind(crate::new_id())
        .bind(plan_id)
        .bind(session_id)
        .bind(person_id)
        .bind(method)
        .bind(user_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let added = if r.rows_affected() == 0 {
            // A removed attendance comes back when the person is checked in again.
            let back = sqlx::query(
                "UPDATE attendances SET deleted_at = NULL, deleted_by = NULL, delete_reason = NULL, method = $1 \
                 WHERE session_id = $2 AND person_id = $3 AND deleted_at IS NOT NULL",
            )
            .bind(method)
            .bind(session_id)
            .bind(person_id)
            .execute(&mut *tx)
            .await?;
            back.rows_affected() == 1
        } else {
            true
        };
        if added {
            refresh_reach(&mut tx, Whose::Person(person_id)).await?;
        }
        tx.commit().await?;
        Ok(added)
    }

    pub async fn remove_attendance(
        &self,
        plan_id: &str,
        session_id: &str,
        person_id: &str,
        user_id: &str,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let r = sqlx::query(
            "UPDATE attendances SET deleted_at = $1, deleted_by = $2, delete_reason = 'removed' WHERE plan_id = $3 AND session_id = $4 AND person_id = $5 AND deleted_at IS NULL",
        )
        .bind(now)
        .bind(user_id)
        .bind(plan_id)
        .bind(session_id)
        .bind(person_id)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 1 {
            audit::log(
                &mut tx,
                plan_id,
                "attendance",
                &format!("{session_id}/{person_id}"),
                "delete",
                None,
                Some(user_id),
                now,
                serde_json::json!({}),
            )
            .await?;
        }
        refresh_reach(&mut tx, Whose::Person(person_id)).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn attendances(&self, plan_id: &str, session_id: &str) -> Result<Vec<AttendanceRow>> {
        Ok(sqlx::query_as::<_, AttendanceRow>(
            "SELECT a.id, a.session_id, a.person_id, p.full_name, a.method, a.created_at FROM attendances a JOIN roster_people p ON p.id = a.person_id \
             WHERE a.plan_id = $1 AND a.session_id = $2 AND a.deleted_at IS NULL ORDER BY p.name_key, p.id",
        )
        .bind(plan_id)
        .bind(session_id)
        .fetch_all(self.pool())
        .await?)
    }
}

#[derive(Debug, Clone, FromRow, Serialize, PartialEq)]
pub struct PhotoRow {
    pub id: String,
    pub session_id: String,
    pub content_type: String,
    pub created_at: i64,
}

impl Store {
    /// Adds a photo to a session unless it already has `max`; returns its id.
    pub async fn add_session_photo(
        &self,
        session_id: &str,
        content_type: &str,
        bytes: Vec<u8>,
        max: i64,
        user_id: &str,
        now: i64,
    ) -> Result<String> {
        let mut tx = self.write_tx().await?;
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM session_photos WHERE session_id = $1 AND deleted_at IS NULL")
                .bind(session_id)
                .fetch_one(&mut *tx)
                .await?;
        if n >= max {
            return Err(StoreError::Conflict {
                code: ErrorCode::TooManyPhotos,
                field: "photo",
            });
        }
        let id = crate::new_id();
        sqlx::query("INSERT INTO session_photos (id, session_id, content_type, bytes, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(&id)
            .bind(session_id)
            .bind(content_type)
            .bind(bytes)
            .bind(user_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(id)
    }

    pub async fn session_photos(&self, session_id: &str) -> Result<Vec<PhotoRow>> {
        Ok(sqlx::query_as::<_, PhotoRow>(
            "SELECT id, session_id, content_type, created_at FROM session_photos WHERE session_id = $1 AND deleted_at IS NULL ORDER BY created_at, id",
        )
        .bind(session_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// A photo's type and bytes.
    pub async fn session_photo(&self, session_id: &str, photo_id: &str) -> Result<(String, Vec<u8>)> {
        let row: Option<(String, Vec<u8>)> = sqlx::query_as(
            "SELECT content_type, bytes FROM session_photos WHERE session_id = $1 AND id = $2 AND deleted_at IS NULL",
        )
        .bind(session_id)
        .bind(photo_id)
        .fetch_optional(self.pool())
        .await?;
        row.ok_or(StoreError::NotFound("photo"))
    }
}

impl Store {
    /// Live attendances per session of a plan, in one query (for lists).
    pub async fn attendance_counts(&self, plan_id: &str) -> Result<std::collections::HashMap<String, i64>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT session_id, COUNT(*) FROM attendances WHERE plan_id = $1 AND deleted_at IS NULL GROUP BY session_id",
        )
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().collect())
    }
}

/// Deletes a live session inside a transaction: uncounted from the daily
/// counts while still live, marked deleted with its reason, its propaganda
/// log entry (a mobile trip is both) withdrawn, audited, reach recomputed.
/// A session already deleted is left as it is.
pub(crate) async fn delete_session_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    plan_id: &str,
    id: &str,
    unit_id: &str,
    user_id: &str,
    reason: &str,
    now: i64,
) -> Result<()> {
    let live = sqlx::query("SELECT 1 FROM sessions WHERE id = $1 AND deleted_at IS NULL")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .is_some();
    if !live {
        return Ok(());
    }
    bump_sessions(tx, id, -1).await?;
    sqlx::query(
        "UPDATE sessions SET deleted_at = $1, deleted_by = $2, delete_reason = $3 WHERE id = $4 AND deleted_at IS NULL",
    )
    .bind(now)
    .bind(user_id)
    .bind(reason)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    sqlx::query("UPDATE propaganda_entries SET deleted_at = $1 WHERE session_id = $2 AND deleted_at IS NULL")
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    audit::log(
        tx,
        plan_id,
        "session",
        id,
        "delete",
        Some(unit_id),
        Some(user_id),
        now,
        serde_json::json!({"reason": reason}),
    )
    .await?;
    refresh_reach(tx, Whose::Session(id)).await
}
