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
        // PostgreSQL writes the turns and every aggregate they move in one
        // statement per slice; SQLite (in-process: no round trips to save)
        // in one statement per table.
        let (mut stored, reached) = match self.backend() {
            crate::Backend::Postgres => {
                let (stored, reached) = self.insert_turns_at_once(tx, turns, now).await?;
                (stored, Some(reached))
            }
            crate::Backend::Sqlite => (self.insert_turn_rows(tx, turns, now).await?, None),
        };
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
        if let Some(people) = reached {
            // Counts and first days moved with the rows: what the people
            // whose first day moved reach follows, in the same transaction.
            for person in people {
                facts::refresh_target_reach(tx, facts::Whose::Person(&person)).await?;
            }
            return Ok(out);
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

    /// The turns as multi-row INSERTs (256 a statement); the ids stored
    /// (every other id was there already: a retry, or taken).
    async fn insert_turn_rows(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        turns: &[NewTurn],
        now: i64,
    ) -> Result<std::collections::HashSet<String>> {
        let mut stored = std::collections::HashSet::new();
        for slice in turns.chunks(INSERT_ROWS) {
            let sql = format!(
                "INSERT INTO support_turns (id, plan_id, line_id, unit_id, service, elderly, day, recorded_at, created_by, created_at) \
                 VALUES {} ON CONFLICT (id) DO NOTHING RETURNING id",
                turn_placeholders(slice.len(), "")
            );
            let q = bind_turns(sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(sql)), slice, now);
            stored.extend(q.fetch_all(&mut **tx).await?.into_iter().map(|r| r.0));
        }
        Ok(stored)
    }

    /// PostgreSQL: each slice of turns and the aggregates it moves
    /// (`turn_daily`, `turn_user_daily`, `turn_service_daily`, and the
    /// first day of the people linked to the accounts that recorded them)
    /// in one statement, one round trip. Returns the ids stored and the
    /// people whose first day moved. A first day is added only where none
    /// is (no conflict target, as in `facts::reach_turn`); should another
    /// transaction add the same one meanwhile, the key refuses this one and
    /// the group is written again request by request.
    async fn insert_turns_at_once(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Any>,
        turns: &[NewTurn],
        now: i64,
    ) -> Result<(std::collections::HashSet<String>, std::collections::BTreeSet<String>)> {
        let mut stored = std::collections::HashSet::new();
        let mut reached = std::collections::BTreeSet::new();
        for slice in turns.chunks(INSERT_ROWS) {
            let sql = format!(
                "WITH v (id, plan_id, line_id, unit_id, service, elderly, day, recorded_at, created_by, created_at) AS (VALUES {}), \
                 ins AS (INSERT INTO support_turns (id, plan_id, line_id, unit_id, service, elderly, day, recorded_at, created_by, created_at) \
                   SELECT * FROM v ON CONFLICT (id) DO NOTHING RETURNING id, plan_id, line_id, unit_id, service, day, created_by), \
                 d AS (INSERT INTO turn_daily (plan_id, unit_id, line_id, day, n) \
                   SELECT plan_id, unit_id, line_id, day, COUNT(*) FROM ins GROUP BY plan_id, unit_id, line_id, day \
                   ON CONFLICT (plan_id, unit_id, line_id, day) DO UPDATE SET n = turn_daily.n + excluded.n), \
                 ud AS (INSERT INTO turn_user_daily (plan_id, user_id, day, n) \
                   SELECT plan_id, created_by, day, COUNT(*) FROM ins GROUP BY plan_id, created_by, day \
                   ON CONFLICT (plan_id, user_id, day) DO UPDATE SET n = turn_user_daily.n + excluded.n), \
                 sd AS (INSERT INTO turn_service_daily (plan_id, line_id, service, day, n) \
                   SELECT plan_id, line_id, service, day, COUNT(*) FROM ins GROUP BY plan_id, line_id, service, day \
                   ON CONFLICT (plan_id, line_id, service, day) DO UPDATE SET n = turn_service_daily.n + excluded.n), \
                 agg AS (SELECT ins.plan_id, u.person_id, ins.line_id, MIN(ins.day) AS day FROM ins JOIN users u ON u.id = ins.created_by \
                   WHERE u.person_id IS NOT NULL GROUP BY ins.plan_id, u.person_id, ins.line_id), \
                 pu AS (UPDATE person_first f SET first_day = agg.day FROM agg \
                   WHERE f.plan_id = agg.plan_id AND f.person_id = agg.person_id AND f.line_id = agg.line_id AND f.source = 'turn' \
                   AND agg.day < f.first_day RETURNING f.person_id), \
                 pi AS (INSERT INTO person_first (plan_id, person_id, line_id, source, first_day) \
                   SELECT agg.plan_id, agg.person_id, agg.line_id, 'turn', agg.day FROM agg WHERE NOT EXISTS (SELECT 1 FROM person_first f \
                   WHERE f.plan_id = agg.plan_id AND f.person_id = agg.person_id AND f.line_id = agg.line_id AND f.source = 'turn') \
                   RETURNING person_id) \
                 SELECT id, 0 FROM ins UNION ALL SELECT person_id, 1 FROM pu UNION ALL SELECT person_id, 1 FROM pi",
                turn_placeholders(slice.len(), "pg")
            );
            let q = bind_turns(sqlx::query_as::<_, (String, i32)>(sqlx::AssertSqlSafe(sql)), slice, now);
            for (id, person) in q.fetch_all(&mut **tx).await? {
                if person == 1 {
                    reached.insert(id);
                } else {
                    stored.insert(id);
                }
            }
        }
        Ok((stored, reached))
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

/// `($1, …, $10), ($11, …)` for `rows` turns; `pg`: typed for a VALUES
/// list that no INSERT types (PostgreSQL would take them all as text).
fn turn_placeholders(rows: usize, pg: &str) -> String {
    let types = [
        "text", "text", "text", "text", "text", "integer", "text", "bigint", "text", "bigint",
    ];
    (0..rows)
        .map(|i| {
            let cols: Vec<String> = (0..10)
                .map(|j| {
                    if pg.is_empty() {
                        format!("${}", i * 10 + j + 1)
                    } else {
                        format!("${}::{}", i * 10 + j + 1, types[j])
                    }
                })
                .collect();
            format!("({})", cols.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Binds each turn's ten values, in the order of `turn_placeholders`.
fn bind_turns<'q, O>(
    mut q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments>,
    turns: &'q [NewTurn],
    now: i64,
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments> {
    for t in turns {
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
    q
}
