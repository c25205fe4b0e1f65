//! Reminders (nhắc nhở) from the coordinator to a lagging unit's users: the
//! stored message, who has read it (the in-app notice), and the email
//! outcome. Each send is logged on the unit in the audit log too.

use kehoach_core::ErrorCode;
use serde::Serialize;
use sqlx::FromRow;

use crate::records::audit;
use crate::{Result, Store, StoreError};

/// A reminder to store. `id` comes from the client, so a retried send is
/// stored once.
#[derive(Debug, Clone)]
pub struct NewReminder {
    pub id: String,
    pub plan_id: String,
    pub unit_id: String,
    pub target_id: Option<String>,
    /// The board date the reminder was written from (ISO).
    pub as_of: Option<String>,
    pub message: String,
    pub sent_by: String,
}

#[derive(Debug, Clone, FromRow, Serialize, PartialEq)]
pub struct ReminderRow {
    pub id: String,
    pub unit_id: String,
    pub target_id: Option<String>,
    pub as_of: Option<String>,
    pub message: String,
    pub sent_by: String,
    pub sent_by_name: String,
    pub sent_at: i64,
    /// Active accounts of the unit when it was sent.
    pub recipients: i64,
    /// Emails the SMTP server accepted.
    pub emailed: i64,
    /// Why some or all emails were not sent (no SMTP, no address, an error).
    pub email_note: Option<String>,
    /// How many of the recipients have opened it.
    pub read_by: i64,
}

/// An account a reminder goes to.
#[derive(Debug, Clone, FromRow, Serialize, PartialEq)]
pub struct Recipient {
    pub id: String,
    pub full_name: String,
    pub email: Option<String>,
}

const REMINDER_COLS: &str = "r.id, r.unit_id, r.target_id, r.as_of, r.message, r.sent_by, u.full_name AS sent_by_name, \
     r.sent_at, r.recipients, r.emailed, r.email_note, \
     (SELECT COUNT(*) FROM reminder_reads rr WHERE rr.reminder_id = r.id) AS read_by";

/// Within this many seconds, the same text to the same unit from the same
/// sender is taken as a repeat, not a new reminder.
pub const TWIN_SECS: i64 = 600;

/// The longest message kept (a Zalo message, not a letter).
pub const REMINDER_MAX_CHARS: usize = 2000;

impl Store {
    /// Active accounts attached to a unit: who a reminder to it reaches.
    pub async fn unit_recipients(&self, plan_id: &str, unit_id: &str) -> Result<Vec<Recipient>> {
        Ok(sqlx::query_as(
            "SELECT id, full_name, email FROM users WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND unit_id = $2 AND active = 1 ORDER BY full_name, id",
        )
        .bind(plan_id)
        .bind(unit_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Stores a reminder and logs it on its unit, in one transaction. The
    /// same id again, or the same text to the same unit from the same sender
    /// within [`TWIN_SECS`], returns the stored reminder and false.
    pub async fn create_reminder(&self, r: NewReminder, now: i64) -> Result<(ReminderRow, bool)> {
        let message = kehoach_core::text::clean_multiline(&r.message);
        if message.is_empty() || message.chars().count() > REMINDER_MAX_CHARS {
            return Err(StoreError::Conflict {
                code: ErrorCode::MessageInvalid,
                field: "message",
            });
        }
        let mut tx = self.write_tx().await?;
        // The same text to the same unit from the same sender within ten
        // minutes is the same reminder sent twice (a form reloaded and sent
        // again gets a new id): keep the first.
        let twin: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM reminders WHERE plan_id = $1 AND unit_id = $2 AND sent_by = $3 AND message = $4 AND sent_at >= $5 \
             ORDER BY sent_at LIMIT 1",
        )
        .bind(&r.plan_id)
        .bind(&r.unit_id)
        .bind(&r.sent_by)
        .bind(&message)
        .bind(now - TWIN_SECS)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((id,)) = twin {
            tx.commit().await?;
            return Ok((self.reminder(&r.plan_id, &id).await?, false));
        }
        let (recipients,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM users WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND unit_id = $2 AND active = 1")
                .bind(&r.plan_id)
                .bind(&r.unit_id)
                .fetch_one(&mut *tx)
                .await?;
        let done = sqlx::query(
            "INSERT INTO reminders (id, plan_id, unit_id, target_id, as_of, message, sent_by, sent_at, recipients) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING",
        )
        .bind(&r.id)
        .bind(&r.plan_id)
        .bind(&r.unit_id)
        .bind(r.target_id.clone())
        .bind(r.as_of.clone())
        .bind(&message)
        .bind(&r.sent_by)
        .bind(now)
        .bind(recipients)
        .execute(&mut *tx)
        .await?;
        let created = done.rows_affected() == 1;
        if !created {
            crate::own_retry(&mut *tx, "reminders", "sent_by", &r.id, &r.plan_id, &r.sent_by).await?;
        }
        if created {
            audit::log(
                &mut tx,
                &r.plan_id,
                "reminder",
                &r.id,
                "send",
                Some(&r.unit_id),
                Some(&r.sent_by),
                now,
                serde_json::json!({"target_id": r.target_id, "as_of": r.as_of, "recipients": recipients}),
            )
            .await?;
        }
        tx.commit().await?;
        Ok((self.reminder(&r.plan_id, &r.id).await?, created))
    }

    pub async fn reminder(&self, plan_id: &str, id: &str) -> Result<ReminderRow> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {REMINDER_COLS} FROM reminders r JOIN users u ON u.id = r.sent_by WHERE r.plan_id = $1 AND r.id = $2"
        )))
        .bind(plan_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("reminder"))
    }

    /// Records how the emails of a reminder went.
    pub async fn set_reminder_email(&self, id: &str, emailed: i64, note: Option<&str>) -> Result<()> {
        sqlx::query("UPDATE reminders SET emailed = $1, email_note = $2 WHERE id = $3")
            .bind(emailed)
            .bind(note.map(str::to_string))
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Reminders sent to a unit, newest first.
    pub async fn unit_reminders(&self, plan_id: &str, unit_id: &str, limit: i64) -> Result<Vec<ReminderRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {REMINDER_COLS} FROM reminders r JOIN users u ON u.id = r.sent_by \
             WHERE r.plan_id = $1 AND r.unit_id = $2 ORDER BY r.sent_at DESC, r.id DESC LIMIT $3"
        )))
        .bind(plan_id)
        .bind(unit_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Reminders to the user's unit that they have not marked read, newest
    /// first (only those sent while the account existed).
    pub async fn unread_reminders(&self, plan_id: &str, user_id: &str, limit: i64) -> Result<Vec<ReminderRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {REMINDER_COLS} FROM reminders r JOIN users u ON u.id = r.sent_by \
             JOIN users me ON me.id = $2 AND me.unit_id = r.unit_id \
             WHERE r.plan_id = $1 AND r.sent_at >= me.created_at \
             AND NOT EXISTS (SELECT 1 FROM reminder_reads rr WHERE rr.reminder_id = r.id AND rr.user_id = $2) \
             ORDER BY r.sent_at DESC, r.id DESC LIMIT $3"
        )))
        .bind(plan_id)
        .bind(user_id)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Marks a reminder read by a user of its unit (again: no change).
    pub async fn mark_reminder_read(&self, plan_id: &str, id: &str, user_id: &str, now: i64) -> Result<()> {
        let r = self.reminder(plan_id, id).await?;
        let user = self.user(plan_id, user_id).await?;
        if user.unit_id.as_deref() != Some(r.unit_id.as_str()) {
            return Err(StoreError::NotFound("reminder"));
        }
        sqlx::query(
            "INSERT INTO reminder_reads (reminder_id, user_id, read_at) VALUES ($1, $2, $3) \
             ON CONFLICT (reminder_id, user_id) DO NOTHING",
        )
        .bind(id)
        .bind(user_id)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }
}
