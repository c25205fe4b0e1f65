//! Contests (lines 7.1, 7.2): settings, entries, judges, recusals, scores,
//! prizes and publication. The rules that need a clock or the rubric (the
//! entry window, score ranges) are the caller's; here every change is one
//! transaction and the guards that must hold under concurrency (a locked
//! contest, a recused judge, a rubric already used) are checked inside it.

use kehoach_core::ErrorCode;
use serde::Serialize;
use sqlx::FromRow;

use kehoach_core::report::{ContestResult, ContestWinner};

use crate::facts::{Whose, refresh_reach};
use crate::records::audit;
use crate::{Result, Store, StoreError};

#[derive(Debug, Clone, FromRow, Serialize, PartialEq)]
pub struct ContestRow {
    pub line_id: String,
    pub name: String,
    pub entries_from: String,
    pub entries_to: String,
    pub awards_by: Option<String>,
    /// JSON array of strings.
    pub categories: String,
    pub eligibility: String,
    /// JSON array of strings.
    pub prizes: String,
    /// JSON array of `kehoach_core::contest::Criterion`.
    pub criteria: String,
    /// `video_link` or `file_or_link`.
    pub work: String,
    pub locked_at: Option<i64>,
    pub published_at: Option<i64>,
    pub updated_at: i64,
}

const CONTEST_COLS: &str = "line_id, name, entries_from, entries_to, awards_by, categories, eligibility, prizes, criteria, work, locked_at, published_at, updated_at";

/// What the coordinator may change of a contest (the rubric apart).
#[derive(Debug, Clone)]
pub struct ContestSettings {
    pub name: String,
    pub entries_from: String,
    pub entries_to: String,
    pub awards_by: Option<String>,
    pub categories: String,
    pub eligibility: String,
    pub prizes: String,
}

/// An entry without its file's bytes.
#[derive(Debug, Clone, Default, FromRow, Serialize, PartialEq)]
pub struct EntryRow {
    pub id: String,
    pub line_id: String,
    pub number: i64,
    pub receipt: String,
    pub title: String,
    pub category: Option<String>,
    pub description: String,
    /// `individual` or `group`.
    pub entrant_kind: String,
    pub entrant_name: String,
    pub members: Option<String>,
    pub unit_id: Option<String>,
    pub affiliation: Option<String>,
    pub contact: String,
    pub link: Option<String>,
    pub file_name: Option<String>,
    pub file_type: Option<String>,
    pub duplicate_of: Option<String>,
    /// `submitted` or `withdrawn`.
    pub status: String,
    pub prize: Option<String>,
    pub submitted_at: i64,
    pub submitted_day: String,
    pub updated_at: i64,
}

impl EntryRow {
    /// "Trường TH Trung Lập · lớp 5A": the unit's name and what the entrant wrote.
    pub fn affiliation(&self, unit_name: impl Fn(&str) -> Option<String>) -> Option<String> {
        let parts: Vec<String> = self
            .unit_id
            .as_deref()
            .and_then(unit_name)
            .into_iter()
            .chain(self.affiliation.clone())
            .collect();
        (!parts.is_empty()).then(|| parts.join(" · "))
    }
}

const ENTRY_COLS: &str = "id, line_id, number, receipt, title, category, description, entrant_kind, entrant_name, members, unit_id, affiliation, contact, link, file_name, file_type, duplicate_of, status, prize, submitted_at, submitted_day, updated_at";

/// The work of an entry: a link and/or an uploaded file.
#[derive(Debug, Clone, Default)]
pub struct EntryWork {
    pub title: String,
    pub title_key: String,
    pub category: Option<String>,
    pub description: String,
    pub link: Option<String>,
    /// (file name, content type, bytes).
    pub file: Option<(String, String, Vec<u8>)>,
}

#[derive(Debug, Clone)]
pub struct NewEntry {
    /// Made by the entrant's browser: the same id again stores nothing new.
    pub id: String,
    pub plan_id: String,
    pub line_id: String,
    pub receipt: String,
    pub work: EntryWork,
    pub entrant_kind: String,
    pub entrant_name: String,
    pub entrant_key: String,
    pub members: Option<String>,
    pub unit_id: Option<String>,
    pub affiliation: Option<String>,
    pub contact: String,
    /// Rostered people named on the entry (from their card codes).
    pub people: Vec<String>,
    /// The Vietnam day of `now`.
    pub day: String,
}

#[derive(Debug, Clone, FromRow, Serialize, PartialEq)]
pub struct ScoreRow {
    pub entry_id: String,
    pub judge_id: String,
    /// JSON object {criterion id: value}.
    pub scores: String,
    pub comment: Option<String>,
    pub updated_at: i64,
}

fn conflict(code: ErrorCode, field: &'static str) -> StoreError {
    StoreError::Conflict { code, field }
}

impl Store {
    /// Makes a row for each of the plan's contests that has none yet
    /// (`rows`: the defaults, as they would be inserted).
    pub async fn ensure_contests(&self, plan_id: &str, rows: &[ContestRow], now: i64) -> Result<()> {
        for c in rows {
            sqlx::query(
                "INSERT INTO contests (plan_id, line_id, name, entries_from, entries_to, awards_by, categories, eligibility, prizes, criteria, work, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (plan_id, line_id) DO NOTHING",
            )
            .bind(plan_id)
            .bind(&c.line_id)
            .bind(&c.name)
            .bind(&c.entries_from)
            .bind(&c.entries_to)
            .bind(c.awards_by.clone())
            .bind(&c.categories)
            .bind(&c.eligibility)
            .bind(&c.prizes)
            .bind(&c.criteria)
            .bind(&c.work)
            .bind(now)
            .execute(self.pool())
            .await?;
        }
        Ok(())
    }

    pub async fn contests(&self, plan_id: &str) -> Result<Vec<ContestRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CONTEST_COLS} FROM contests WHERE plan_id = $1 ORDER BY line_id"
        )))
        .bind(plan_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn contest(&self, plan_id: &str, line_id: &str) -> Result<ContestRow> {
        sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {CONTEST_COLS} FROM contests WHERE plan_id = $1 AND line_id = $2"
        )))
        .bind(plan_id)
        .bind(line_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("contest"))
    }

    pub async fn update_contest(
        &self,
        plan_id: &str,
        line_id: &str,
        s: &ContestSettings,
        by: &str,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let r = sqlx::query(
            "UPDATE contests SET name = $1, entries_from = $2, entries_to = $3, awards_by = $4, categories = $5, eligibility = $6, \
             prizes = $7, updated_by = $8, updated_at = $9 WHERE plan_id = $10 AND line_id = $11",
        )
        .bind(&s.name)
        .bind(&s.entries_from)
        .bind(&s.entries_to)
        .bind(s.awards_by.clone())
        .bind(&s.categories)
        .bind(&s.eligibility)
        .bind(&s.prizes)
        .bind(by)
        .bind(now)
        .bind(plan_id)
        .bind(line_id)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound("contest"));
        }
        let detail = serde_json::json!({"entries_from": s.entries_from, "entries_to": s.entries_to, "name": s.name});
        audit::log(
            &mut tx,
            plan_id,
            "contest",
            line_id,
            "settings",
            None,
            Some(by),
            now,
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces the rubric; refused once any entry of the contest is scored.
    pub async fn set_rubric(&self, plan_id: &str, line_id: &str, criteria: &str, by: &str, now: i64) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let scored: (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM contest_scores s JOIN contest_entries e ON e.id = s.entry_id WHERE e.plan_id = $1 AND e.line_id = $2",
        )
        .bind(plan_id)
        .bind(line_id)
        .fetch_one(&mut *tx)
        .await?;
        if scored.0 > 0 {
            return Err(conflict(ErrorCode::RubricLocked, "criteria"));
        }
        let r = sqlx::query(
            "UPDATE contests SET criteria = $1, updated_by = $2, updated_at = $3 WHERE plan_id = $4 AND line_id = $5",
        )
        .bind(criteria)
        .bind(by)
        .bind(now)
        .bind(plan_id)
        .bind(line_id)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound("contest"));
        }
        let detail = serde_json::json!({"criteria": criteria});
        audit::log(
            &mut tx,
            plan_id,
            "contest",
            line_id,
            "rubric",
            None,
            Some(by),
            now,
            detail,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Makes `judges` (accounts with the judge role) the contest's jury.
    pub async fn set_judges(&self, plan_id: &str, line_id: &str, judges: &[String], by: &str, now: i64) -> Result<()> {
        let mut tx = self.write_tx().await?;
        for j in judges {
            let ok: Option<(String,)> =
                sqlx::query_as("SELECT id FROM users WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND id = $2 AND role = 'judge' AND active = 1")
                    .bind(plan_id)
                    .bind(j)
                    .fetch_optional(&mut *tx)
                    .await?;
            if ok.is_none() {
                return Err(conflict(ErrorCode::JudgeUnknown, "judges"));
            }
        }
        sqlx::query("DELETE FROM contest_judges WHERE plan_id = $1 AND line_id = $2")
            .bind(plan_id)
            .bind(line_id)
            .execute(&mut *tx)
            .await?;
        for j in judges {
            sqlx::query(
                "INSERT INTO contest_judges (plan_id, line_id, user_id) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
            )
            .bind(plan_id)
            .bind(line_id)
            .bind(j)
            .execute(&mut *tx)
            .await?;
        }
        audit::log(
            &mut tx,
            plan_id,
            "contest",
            line_id,
            "judges",
            None,
            Some(by),
            now,
            serde_json::json!({ "judges": judges }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The contest's judges (user ids).
    pub async fn contest_judges(&self, plan_id: &str, line_id: &str) -> Result<Vec<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT user_id FROM contest_judges WHERE plan_id = $1 AND line_id = $2 ORDER BY user_id")
                .bind(plan_id)
                .bind(line_id)
                .fetch_all(self.pool())
                .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Stores an entry with the next number of its contest. The same id again
    /// returns the stored entry and `false`.
    pub async fn submit_entry(&self, e: &NewEntry, now: i64) -> Result<(EntryRow, bool)> {
        for _ in 0..8 {
            if let Some(old) = self.entry(&e.plan_id, &e.id).await? {
                return Ok((old, false));
            }
            match self.try_submit(e, now).await {
                Ok(()) => break,
                Err(StoreError::Db(sqlx::Error::Database(db))) if db.is_unique_violation() => continue,
                Err(other) => return Err(other),
            }
        }
        let row = self
            .entry(&e.plan_id, &e.id)
            .await?
            .ok_or(StoreError::NotFound("entry"))?;
        Ok((row, true))
    }

    async fn try_submit(&self, e: &NewEntry, now: i64) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let (number,): (i64,) = sqlx::query_as(
            "SELECT COALESCE(MAX(number), 0) + 1 FROM contest_entries WHERE plan_id = $1 AND line_id = $2",
        )
        .bind(&e.plan_id)
        .bind(&e.line_id)
        .fetch_one(&mut *tx)
        .await?;
        let duplicate: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM contest_entries WHERE plan_id = $1 AND line_id = $2 AND entrant_key = $3 AND title_key = $4 \
             AND status = 'submitted' ORDER BY number LIMIT 1",
        )
        .bind(&e.plan_id)
        .bind(&e.line_id)
        .bind(&e.entrant_key)
        .bind(&e.work.title_key)
        .fetch_optional(&mut *tx)
        .await?;
        let (file_name, file_type, file_bytes) = match &e.work.file {
            Some((n, t, b)) => (Some(n.clone()), Some(t.clone()), Some(b.clone())),
            None => (None, None, None),
        };
        sqlx::query(
            "INSERT INTO contest_entries (id, plan_id, line_id, number, receipt, title, title_key, category, description, entrant_kind, \
             entrant_name, entrant_key, members, unit_id, affiliation, contact, link, file_name, file_type, file_bytes, duplicate_of, \
             status, submitted_at, submitted_day, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, 'submitted', $22, $23, $22)",
        )
        .bind(&e.id)
        .bind(&e.plan_id)
        .bind(&e.line_id)
        .bind(number)
        .bind(&e.receipt)
        .bind(&e.work.title)
        .bind(&e.work.title_key)
        .bind(e.work.category.clone())
        .bind(&e.work.description)
        .bind(&e.entrant_kind)
        .bind(&e.entrant_name)
        .bind(&e.entrant_key)
        .bind(e.members.clone())
        .bind(e.unit_id.clone())
        .bind(e.affiliation.clone())
        .bind(&e.contact)
        .bind(e.work.link.clone())
        .bind(file_name)
        .bind(file_type)
        .bind(file_bytes)
        .bind(duplicate.map(|d| d.0))
        .bind(now)
        .bind(&e.day)
        .execute(&mut *tx)
        .await?;
        for p in &e.people {
            sqlx::query(
                "INSERT INTO contest_entry_people (entry_id, person_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            )
            .bind(&e.id)
            .bind(p)
            .execute(&mut *tx)
            .await?;
            refresh_reach(&mut tx, Whose::Person(p)).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn entry(&self, plan_id: &str, id: &str) -> Result<Option<EntryRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ENTRY_COLS} FROM contest_entries WHERE plan_id = $1 AND id = $2"
        )))
        .bind(plan_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    pub async fn entry_by_receipt(&self, plan_id: &str, receipt: &str) -> Result<Option<EntryRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ENTRY_COLS} FROM contest_entries WHERE plan_id = $1 AND receipt = $2"
        )))
        .bind(plan_id)
        .bind(receipt)
        .fetch_optional(self.pool())
        .await?)
    }

    /// A contest's entries by number (withdrawn ones included).
    pub async fn entries(&self, plan_id: &str, line_id: &str) -> Result<Vec<EntryRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ENTRY_COLS} FROM contest_entries WHERE plan_id = $1 AND line_id = $2 ORDER BY number"
        )))
        .bind(plan_id)
        .bind(line_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// An entry's file: (name, content type, bytes).
    pub async fn entry_file(&self, plan_id: &str, id: &str) -> Result<Option<(String, String, Vec<u8>)>> {
        type FileRow = (Option<String>, Option<String>, Option<Vec<u8>>);
        let row: Option<FileRow> = sqlx::query_as(
            "SELECT file_name, file_type, file_bytes FROM contest_entries WHERE plan_id = $1 AND id = $2",
        )
        .bind(plan_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        Ok(match row {
            Some((Some(n), Some(t), Some(b))) => Some((n, t, b)),
            _ => None,
        })
    }

    /// Replaces a live entry's work (title, category, description, link,
    /// file: `None` keeps the stored file).
    pub async fn replace_entry(&self, plan_id: &str, receipt: &str, w: &EntryWork, now: i64) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let r = sqlx::query(
            "UPDATE contest_entries SET title = $1, title_key = $2, category = $3, description = $4, link = $5, updated_at = $6 \
             WHERE plan_id = $7 AND receipt = $8 AND status = 'submitted'",
        )
        .bind(&w.title)
        .bind(&w.title_key)
        .bind(w.category.clone())
        .bind(&w.description)
        .bind(w.link.clone())
        .bind(now)
        .bind(plan_id)
        .bind(receipt)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(conflict(ErrorCode::EntryWithdrawn, "receipt"));
        }
        if let Some((name, kind, bytes)) = &w.file {
            sqlx::query(
                "UPDATE contest_entries SET file_name = $1, file_type = $2, file_bytes = $3 WHERE plan_id = $4 AND receipt = $5",
            )
            .bind(name)
            .bind(kind)
            .bind(bytes.clone())
            .bind(plan_id)
            .bind(receipt)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Withdraws an entry: it leaves judging and stops counting for T8.
    pub async fn withdraw_entry(&self, plan_id: &str, receipt: &str, now: i64) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM contest_entries WHERE plan_id = $1 AND receipt = $2 AND status = 'submitted'",
        )
        .bind(plan_id)
        .bind(receipt)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((id,)) = row else {
            return Err(conflict(ErrorCode::EntryWithdrawn, "receipt"));
        };
        sqlx::query("UPDATE contest_entries SET status = 'withdrawn', updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        let people: Vec<(String,)> = sqlx::query_as("SELECT person_id FROM contest_entry_people WHERE entry_id = $1")
            .bind(&id)
            .fetch_all(&mut *tx)
            .await?;
        for (p,) in &people {
            refresh_reach(&mut tx, Whose::Person(p)).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// A judge declares a conflict of interest with an entry: recused, and
    /// any score they gave it is dropped.
    pub async fn recuse(&self, plan_id: &str, entry_id: &str, judge_id: &str, reason: &str, now: i64) -> Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO contest_recusals (entry_id, judge_id, reason, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(entry_id)
        .bind(judge_id)
        .bind(reason)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM contest_scores WHERE entry_id = $1 AND judge_id = $2")
            .bind(entry_id)
            .bind(judge_id)
            .execute(&mut *tx)
            .await?;
        audit::log(
            &mut tx,
            plan_id,
            "contest_entry",
            entry_id,
            "recusal",
            None,
            Some(judge_id),
            now,
            serde_json::json!({ "reason": reason }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// (entry id, judge id) of every recusal in a contest.
    pub async fn recusals(&self, plan_id: &str, line_id: &str) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT r.entry_id, r.judge_id FROM contest_recusals r JOIN contest_entries e ON e.id = r.entry_id \
             WHERE e.plan_id = $1 AND e.line_id = $2 ORDER BY r.entry_id, r.judge_id",
        )
        .bind(plan_id)
        .bind(line_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Saves a judge's scores for an entry (replacing earlier ones). Refused
    /// when the judge is recused from it or the contest's scores are locked.
    pub async fn save_score(
        &self,
        plan_id: &str,
        entry_id: &str,
        judge_id: &str,
        scores: &str,
        comment: Option<&str>,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let state: Option<(Option<i64>, String)> = sqlx::query_as(
            "SELECT c.locked_at, e.status FROM contest_entries e JOIN contests c ON c.plan_id = e.plan_id AND c.line_id = e.line_id \
             WHERE e.plan_id = $1 AND e.id = $2",
        )
        .bind(plan_id)
        .bind(entry_id)
        .fetch_optional(&mut *tx)
        .await?;
        match state {
            None => return Err(StoreError::NotFound("entry")),
            Some((Some(_), _)) => return Err(conflict(ErrorCode::ScoresLocked, "scores")),
            Some((None, status)) if status != "submitted" => {
                return Err(conflict(ErrorCode::EntryWithdrawn, "entry_id"));
            }
            _ => {}
        }
        let recused: Option<(String,)> =
            sqlx::query_as("SELECT entry_id FROM contest_recusals WHERE entry_id = $1 AND judge_id = $2")
                .bind(entry_id)
                .bind(judge_id)
                .fetch_optional(&mut *tx)
                .await?;
        if recused.is_some() {
            return Err(conflict(ErrorCode::JudgeRecused, "entry_id"));
        }
        sqlx::query(
            "INSERT INTO contest_scores (entry_id, judge_id, scores, comment, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (entry_id, judge_id) DO UPDATE SET scores = excluded.scores, comment = excluded.comment, updated_at = excluded.updated_at",
        )
        .bind(entry_id)
        .bind(judge_id)
        .bind(scores)
        .bind(comment.map(str::to_string))
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every score of a contest's live entries.
    pub async fn scores(&self, plan_id: &str, line_id: &str) -> Result<Vec<ScoreRow>> {
        Ok(sqlx::query_as(
            "SELECT s.entry_id, s.judge_id, s.scores, s.comment, s.updated_at FROM contest_scores s \
             JOIN contest_entries e ON e.id = s.entry_id \
             WHERE e.plan_id = $1 AND e.line_id = $2 AND e.status = 'submitted' ORDER BY e.number, s.judge_id",
        )
        .bind(plan_id)
        .bind(line_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Locks (or unlocks, before publication) a contest's scores.
    pub async fn lock_scores(&self, plan_id: &str, line_id: &str, lock: bool, by: &str, now: i64) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let c: Option<(Option<i64>,)> =
            sqlx::query_as("SELECT published_at FROM contests WHERE plan_id = $1 AND line_id = $2")
                .bind(plan_id)
                .bind(line_id)
                .fetch_optional(&mut *tx)
                .await?;
        match c {
            None => return Err(StoreError::NotFound("contest")),
            Some((Some(_),)) if !lock => return Err(conflict(ErrorCode::ResultsPublished, "lock")),
            _ => {}
        }
        sqlx::query(
            "UPDATE contests SET locked_at = $1, updated_by = $2, updated_at = $3 WHERE plan_id = $4 AND line_id = $5",
        )
        .bind(lock.then_some(now))
        .bind(by)
        .bind(now)
        .bind(plan_id)
        .bind(line_id)
        .execute(&mut *tx)
        .await?;
        let action = if lock { "lock" } else { "unlock" };
        audit::log(
            &mut tx,
            plan_id,
            "contest",
            line_id,
            action,
            None,
            Some(by),
            now,
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Gives (or takes back, `None`) a prize; only once scores are locked and
    /// before the results are published.
    pub async fn set_prize(
        &self,
        plan_id: &str,
        line_id: &str,
        entry_id: &str,
        prize: Option<&str>,
        by: &str,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.write_tx().await?;
        self.require_locked(&mut tx, plan_id, line_id, false).await?;
        let r = sqlx::query(
            "UPDATE contest_entries SET prize = $1, updated_at = $2 WHERE plan_id = $3 AND line_id = $4 AND id = $5 AND status = 'submitted'",
        )
        .bind(prize.map(str::to_string))
        .bind(now)
        .bind(plan_id)
        .bind(line_id)
        .bind(entry_id)
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 0 {
            return Err(StoreError::NotFound("entry"));
        }
        audit::log(
            &mut tx,
            plan_id,
            "contest_entry",
            entry_id,
            "prize",
            None,
            Some(by),
            now,
            serde_json::json!({ "prize": prize }),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Publishes the results (scores must be locked).
    pub async fn publish_results(&self, plan_id: &str, line_id: &str, by: &str, now: i64) -> Result<()> {
        let mut tx = self.write_tx().await?;
        self.require_locked(&mut tx, plan_id, line_id, true).await?;
        sqlx::query("UPDATE contests SET published_at = $1, updated_by = $2, updated_at = $1 WHERE plan_id = $3 AND line_id = $4")
            .bind(now)
            .bind(by)
            .bind(plan_id)
            .bind(line_id)
            .execute(&mut *tx)
            .await?;
        audit::log(
            &mut tx,
            plan_id,
            "contest",
            line_id,
            "publish",
            None,
            Some(by),
            now,
            serde_json::json!({}),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn require_locked(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        plan_id: &str,
        line_id: &str,
        publishing: bool,
    ) -> Result<()> {
        let c: Option<(Option<i64>, Option<i64>)> =
            sqlx::query_as("SELECT locked_at, published_at FROM contests WHERE plan_id = $1 AND line_id = $2")
                .bind(plan_id)
                .bind(line_id)
                .fetch_optional(&mut **tx)
                .await?;
        match c {
            None => Err(StoreError::NotFound("contest")),
            Some((None, _)) => Err(conflict(ErrorCode::ScoresNotLocked, "lock")),
            Some((_, Some(_))) if !publishing => Err(conflict(ErrorCode::ResultsPublished, "prize")),
            _ => Ok(()),
        }
    }

    /// Each contest's live entries up to `as_of` and, when published by
    /// then, its winners in prize order: for the summary report.
    pub async fn contest_results(
        &self,
        plan_id: &str,
        as_of: kehoach_core::Day,
        unit_name: &(dyn Fn(&str) -> Option<String> + Sync),
    ) -> Result<Vec<ContestResult>> {
        let mut out = Vec::new();
        let day = as_of.iso();
        for c in self.contests(plan_id).await? {
            let entries = self.entries(plan_id, &c.line_id).await?;
            let live: Vec<&EntryRow> = entries
                .iter()
                .filter(|e| e.status == "submitted" && e.submitted_day <= day)
                .collect();
            let published = c
                .published_at
                .is_some_and(|t| kehoach_core::contest::vn_day(t) <= as_of);
            let prizes: Vec<String> = serde_json::from_str(&c.prizes).unwrap_or_default();
            let winners = if published {
                winners_in_prize_order(&prizes, live.iter().copied())
                    .into_iter()
                    .map(|e| ContestWinner {
                        prize: e.prize.clone().unwrap_or_default(),
                        name: e.entrant_name.clone(),
                        affiliation: e.affiliation(unit_name),
                        title: e.title.clone(),
                    })
                    .collect()
            } else {
                Vec::new()
            };
            out.push(ContestResult {
                line_id: c.line_id,
                entries: live.len() as u32,
                winners,
            });
        }
        Ok(out)
    }
}

/// The live entries that won a prize, in the order of the contest's prizes
/// (first prize first), then by entry number: the public results page, the
/// certificates and the summary report all list them so.
pub fn winners_in_prize_order<'a>(
    prizes: &[String],
    entries: impl IntoIterator<Item = &'a EntryRow>,
) -> Vec<&'a EntryRow> {
    let mut w: Vec<&EntryRow> = entries
        .into_iter()
        .filter(|e| e.status == "submitted" && e.prize.is_some())
        .collect();
    let pos = |p: &Option<String>| {
        p.as_ref()
            .and_then(|p| prizes.iter().position(|x| x == p))
            .unwrap_or(usize::MAX)
    };
    w.sort_by_key(|e| (pos(&e.prize), e.number));
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn winners_follow_the_prizes_then_the_entry_numbers() {
        let e = |number: i64, status: &str, prize: Option<&str>| EntryRow {
            number,
            status: status.into(),
            prize: prize.map(str::to_string),
            ..Default::default()
        };
        let prizes = ["Giải Nhất".to_string(), "Giải Nhì".to_string()];
        let entries = [
            e(3, "submitted", Some("Giải Nhì")),
            e(5, "submitted", Some("Giải Nhất")),
            e(1, "submitted", Some("Giải Nhì")),
            e(2, "withdrawn", Some("Giải Nhất")),
            e(4, "submitted", Some("Giải phụ")),
            e(6, "submitted", None),
        ];
        let order: Vec<i64> = winners_in_prize_order(&prizes, &entries)
            .iter()
            .map(|e| e.number)
            .collect();
        assert_eq!(
            order,
            [5, 1, 3, 4],
            "first prize first, ties by number, a withdrawn entry never"
        );
    }
}
