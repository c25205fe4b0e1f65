//! Support turns (lượt hỗ trợ) and the ingest writer.
//!
//! Every turn carries a client-made id; `INSERT … ON CONFLICT (id) DO NOTHING`
//! stores it once however often it is sent. The writer is one task that takes
//! whatever requests are waiting, writes them in one transaction and answers
//! each only after the commit (group commit): many turns per fsync, and no
//! acknowledgement before the data is durable.

use serde::Serialize;
use sqlx::FromRow;
use tokio::sync::{mpsc, oneshot};

use std::collections::BTreeMap;

use crate::facts;
use crate::{Result, Store, StoreError};

/// A checked support turn, ready to store.
#[derive(Debug, Clone)]
pub struct NewTurn {
    pub id: String,
    pub plan_id: String,
    pub line_id: String,
    pub unit_id: String,
    pub service: String,
    pub elderly: bool,
    /// YYYY-MM-DD in the commune's time zone.
    pub day: String,
    /// When the device recorded it (unix seconds).
    pub recorded_at: i64,
    pub created_by: String,
}

impl NewTurn {
    fn key(&self) -> facts::TurnKey<'_> {
        facts::TurnKey {
            plan_id: &self.plan_id,
            unit_id: &self.unit_id,
            line_id: &self.line_id,
            service: &self.service,
            day: &self.day,
            created_by: &self.created_by,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WriteOutcome {
    /// Newly stored.
    Stored,
    /// This id was already stored: nothing changed.
    Duplicate,
    /// This id is stored with other content or by someone else: refused
    /// (a conflict), nothing of the stored turn is told.
    IdTaken,
}

#[derive(Debug, Clone, FromRow, Serialize, PartialEq)]
pub struct TurnRow {
    pub id: String,
    pub line_id: String,
    pub unit_id: String,
    pub service: String,
    pub elderly: i64,
    pub day: String,
    pub recorded_at: i64,
    pub created_by: String,
    pub created_at: i64,
    pub deleted_at: Option<i64>,
    pub delete_reason: Option<String>,
}

/// Which turns to list.
#[derive(Debug, Clone, Default)]
pub struct TurnFilter {
    pub unit_id: Option<String>,
    pub created_by: Option<String>,
    pub day: Option<String>,
    pub include_deleted: bool,
    pub limit: i64,
}

type Reply = oneshot::Sender<Result<Vec<WriteOutcome>>>;

/// Handle to the group-commit writer task.
#[derive(Clone)]
pub struct IngestWriter {
    tx: mpsc::Sender<(Vec<NewTurn>, Reply)>,
}

/// Largest number of turns written in one transaction.
const GROUP_MAX: usize = 1024;
/// Turns per INSERT statement (10 parameters each: well under either
/// database's limit on parameters).
const INSERT_ROWS: usize = 256;

impl IngestWriter {
    /// Starts the writer task on the current tokio runtime; `clock` stamps
    /// each group's `created_at`.
    pub fn start(store: Store, clock: kehoach_core::Clock) -> IngestWriter {
        let (tx, mut rx) = mpsc::channel::<(Vec<NewTurn>, Reply)>(4096);
        tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut group = vec![first];
                let mut n = group[0].0.len();
                while n < GROUP_MAX {
                    match rx.try_recv() {
                        Ok(job) => {
                            n += job.0.len();
                            group.push(job);
                        }
                        Err(_) => break,
                    }
                }
                store.write_group(group, clock.now()).await;
            }
        });
        IngestWriter { tx }
    }

    /// Stores turns; returns once they are durable, one outcome per turn.
    pub async fn write(&self, turns: Vec<NewTurn>) -> Result<Vec<WriteOutcome>> {
        if turns.is_empty() {
            return Ok(Vec::new());
        }
        let (reply, rx) = oneshot::channel();
        self.tx
            .send((turns, reply))
            .await
            .map_err(|_| StoreError::Unsupported("the ingest writer has stopped"))?;
        rx.await
            .map_err(|_| StoreError::Unsupported("the ingest writer has stopped"))?
    }
}

impl Store {
    async fn insert_turns(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        turns: &[NewTurn],
        now: i64,
    ) -> Result<Vec<WriteOutcome>> {
        // One multi-row statement per slice of the group: the ids it stored
        // come back; every other id was there already (a retry, or taken).
        let mut stored: std::collections::HashSet<String> = std::collections::HashSet::new();
        for slice in turns.chunks(INSERT_ROWS) {
            let mut sql = String::from(
                "INSERT INTO support_turns (id, plan_id, line_id, unit_id, service, elderly, day, recorded_at, created_by, created_at) VALUES ",
            );
            for i in 0..slice.len() {
                if i > 0 {
                    sql.push_str(", ");
                }
                let k = i * 10;
                sql.push_str(&format!(
                    "(${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    k + 1,
                    k + 2,
                    k + 3,
                    k + 4,
                    k + 5,
                    k + 6,
                    k + 7,
                    k + 8,
                    k + 9,
                    k + 10
                ));
            }
            sql.push_str(" ON CONFLICT (id) DO NOTHING RETURNING id");
            let mut q = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(sql));
            for t in slice {
                q = q
                    .bind(&t.id)
                    .bind(&t.plan_id)
                    .bind(&t.line_id)
                    .bind(&t.unit_id)
                    .bind(&t.service)
                    .bind(t.elderly as i64)
                    .bind(&t.day)
                    .bind(t.recorded_at)
                    .bind(&t.created_by)
                    .bind(now);
            }
            stored.extend(q.fetch_all(&mut **tx).await?.into_iter().map(|r| r.0));
        }
        let mut out = Vec::with_capacity(turns.len());
        for t in turns {
            // The first of a group's copies of an id is the one stored.
            out.push(if stored.remove(&t.id) {
                WriteOutcome::Stored
            } else {
                // A retry carries the same content from the same author.
                let same: Option<(i64,)> = sqlx::query_as(
                    "SELECT 1 FROM support_turns WHERE id = $1 AND plan_id = $2 AND line_id = $3 AND unit_id = $4 \
                     AND service = $5 AND elderly = $6 AND day = $7 AND created_by = $8",
                )
                .bind(&t.id)
                .bind(&t.plan_id)
                .bind(&t.line_id)
                .bind(&t.unit_id)
                .bind(&t.service)
                .bind(t.elderly as i64)
                .bind(&t.day)
                .bind(&t.created_by)
                .fetch_optional(&mut **tx)
                .await?;
                if same.is_some() {
                    WriteOutcome::Duplicate
                } else {
                    WriteOutcome::IdTaken
                }
            });
        }
        // The aggregates move in the same transaction. Groups may mix plans
        // (communes), so the plan is part of every key.
        let stored: Vec<&NewTurn> = turns
            .iter()
            .zip(&out)
            .filter(|(_, o)| **o == WriteOutcome::Stored)
            .map(|(t, _)| t)
            .collect();
        let keys: Vec<facts::TurnKey> = stored.iter().map(|t| t.key()).collect();
        facts::bump_turn_counts(tx, &keys, 1).await?;
        // Each account's earliest day per line, for the people it is linked to.
        let mut by: BTreeMap<(&str, &str, &str), &str> = BTreeMap::new();
        for t in &stored {
            let d = by.entry((&t.plan_id, &t.created_by, &t.line_id)).or_insert(&t.day);
            if t.day.as_str() < *d {
                *d = &t.day;
            }
        }
        for ((plan_id, user, line), day) in by {
            facts::reach_turn(tx, plan_id, user, line, day).await?;
        }
        Ok(out)
    }

    /// Writes a group of requests in one transaction; if that fails, each
    /// request alone, so one bad request cannot fail the others.
    async fn write_group(&self, group: Vec<(Vec<NewTurn>, Reply)>, now: i64) {
        let all: Vec<NewTurn> = group.iter().flat_map(|(t, _)| t.iter().cloned()).collect();
        let together = async {
            let mut tx = self.write_tx().await?;
            let outcomes = self.insert_turns(&mut tx, &all, now).await?;
            tx.commit().await?;
            Ok::<_, StoreError>(outcomes)
        }
        .await;
        match together {
            Ok(outcomes) => {
                let mut it = outcomes.into_iter();
                for (turns, reply) in group {
                    let mine: Vec<WriteOutcome> = it.by_ref().take(turns.len()).collect();
                    let _ = reply.send(Ok(mine));
                }
            }
            Err(_) if group.len() > 1 => {
                for (turns, reply) in group {
                    let alone = async {
                        let mut tx = self.write_tx().await?;
                        let o = self.insert_turns(&mut tx, &turns, now).await?;
                        tx.commit().await?;
                        Ok(o)
                    }
                    .await;
                    let _ = reply.send(alone);
                }
            }
            Err(e) => {
                if let Some((_, reply)) = group.into_iter().next() {
                    let _ = reply.send(Err(e));
                }
            }
        }
    }

    pub async fn turn(&self, plan_id: &str, id: &str) -> Result<TurnRow> {
        sqlx::query_as::<_, TurnRow>(
            "SELECT id, line_id, unit_id, service, elderly, day, recorded_at, created_by, created_at, deleted_at, delete_reason \
             FROM support_turns WHERE plan_id = $1 AND id = $2",
        )
        .bind(plan_id)
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or(StoreError::NotFound("turn"))
    }

    pub async fn list_turns(&self, plan_id: &str, f: &TurnFilter) -> Result<Vec<TurnRow>> {
        let limit = if f.limit <= 0 { 500 } else { f.limit.min(5000) };
        Ok(sqlx::query_as::<_, TurnRow>(
            "SELECT id, line_id, unit_id, service, elderly, day, recorded_at, created_by, created_at, deleted_at, delete_reason \
             FROM support_turns WHERE plan_id = $1 \
             AND ($2 = '' OR unit_id = $2) AND ($3 = '' OR created_by = $3) AND ($4 = '' OR day = $4) \
             AND ($5 = 1 OR deleted_at IS NULL) \
             ORDER BY created_at DESC, id DESC LIMIT $6",
        )
        .bind(plan_id)
        .bind(f.unit_id.clone().unwrap_or_default())
        .bind(f.created_by.clone().unwrap_or_default())
        .bind(f.day.clone().unwrap_or_default())
        .bind(f.include_deleted as i64)
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// Live turns of a plan (for counts and tests).
    pub async fn count_turns(&self, plan_id: &str) -> Result<i64> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM support_turns WHERE plan_id = $1 AND deleted_at IS NULL")
                .bind(plan_id)
                .fetch_one(self.pool())
                .await?;
        Ok(n)
    }

    /// Soft-deletes a turn with a reason, and logs it. Deleting twice is a no-op.
    pub async fn delete_turn(&self, plan_id: &str, id: &str, user_id: &str, reason: &str, now: i64) -> Result<TurnRow> {
        let cur = self.turn(plan_id, id).await?;
        if cur.deleted_at.is_some() {
            return Ok(cur);
        }
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE support_turns SET deleted_at = $1, deleted_by = $2, delete_reason = $3 WHERE id = $4 AND deleted_at IS NULL")
            .bind(now)
            .bind(user_id)
            .bind(reason)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let key = facts::TurnKey {
            plan_id,
            unit_id: &cur.unit_id,
            line_id: &cur.line_id,
            service: &cur.service,
            day: &cur.day,
            created_by: &cur.created_by,
        };
        facts::bump_turn_counts(&mut tx, &[key], -1).await?;
        facts::refresh_reach(&mut tx, facts::Whose::User(&cur.created_by)).await?;
        crate::records::audit::log(
            &mut tx,
            plan_id,
            "support_turn",
            id,
            "delete",
            Some(&cur.unit_id),
            Some(user_id),
            now,
            serde_json::json!({"reason": reason}),
        )
        .await?;
        tx.commit().await?;
        self.turn(plan_id, id).await
    }
}
