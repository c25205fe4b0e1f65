//! The aggregates the board reads (`turn_daily`, `person_first`), kept up to
//! date inside the transaction of every write that changes them, their
//! rebuild from scratch, the engine's [`Facts`] loaded from them, and the
//! record lists behind each figure (traceability).
//!
//! `turn_daily` counts live turns per unit, line and day. `person_first`
//! holds a rostered person's first live record per line and source (`turn`
//! or a session kind); a person's reach for a target is the earliest of the
//! rows that target counts. Writers call [`bump_turn_counts`], [`reach_turn`] or
//! [`refresh_reach`]; `rebuild_aggregates` recomputes everything and a test
//! compares the two after a mixed history of writes.

use std::collections::{BTreeMap, HashMap};

use kehoach_core::engine::*;
use kehoach_core::{Day, Measure, Plan, RecordKind, Roster, SessionKind, TargetDef};
use serde::Serialize;
use sqlx::{Any, Row, Transaction};

use crate::{Result, Store};

pub mod city;

/// What a support turn counts in: its plan, unit, line, service, day and
/// the account that recorded it.
pub(crate) struct TurnKey<'a> {
    pub plan_id: &'a str,
    pub unit_id: &'a str,
    pub line_id: &'a str,
    pub service: &'a str,
    pub day: &'a str,
    pub created_by: &'a str,
}

/// Adds `delta` per turn to the three daily counts of live turns (per
/// unit and line, per account, per service), each in multi-row upserts:
/// a group commit's counts in a few statements, a deletion's in three.
pub(crate) async fn bump_turn_counts(tx: &mut Transaction<'_, Any>, turns: &[TurnKey<'_>], delta: i64) -> Result<()> {
    let mut per_unit: BTreeMap<[&str; 4], i64> = BTreeMap::new();
    let mut per_user: BTreeMap<[&str; 3], i64> = BTreeMap::new();
    let mut per_service: BTreeMap<[&str; 4], i64> = BTreeMap::new();
    for t in turns {
        *per_unit.entry([t.plan_id, t.unit_id, t.line_id, t.day]).or_default() += delta;
        *per_user.entry([t.plan_id, t.created_by, t.day]).or_default() += delta;
        *per_service.entry([t.plan_id, t.line_id, t.service, t.day]).or_default() += delta;
    }
    upsert_counts(tx, "turn_daily", &["plan_id", "unit_id", "line_id", "day"], per_unit).await?;
    upsert_counts(tx, "turn_user_daily", &["plan_id", "user_id", "day"], per_user).await?;
    upsert_counts(
        tx,
        "turn_service_daily",
        &["plan_id", "line_id", "service", "day"],
        per_service,
    )
    .await
}

/// Adds each key's count to a daily count table, 200 keys a statement
/// (the keys are distinct: a statement may not update one row twice).
async fn upsert_counts<const K: usize>(
    tx: &mut Transaction<'_, Any>,
    table: &'static str,
    keys: &'static [&'static str; K],
    counts: BTreeMap<[&str; K], i64>,
) -> Result<()> {
    let rows: Vec<([&str; K], i64)> = counts.into_iter().collect();
    for slice in rows.chunks(200) {
        let values: Vec<String> = (0..slice.len())
            .map(|i| {
                let ph: Vec<String> = (1..=K + 1).map(|j| format!("${}", i * (K + 1) + j)).collect();
                format!("({})", ph.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO {table} ({k}, n) VALUES {v} ON CONFLICT ({k}) DO UPDATE SET n = {table}.n + excluded.n",
            k = keys.join(", "),
            v = values.join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for (key, n) in slice {
            for part in key {
                q = q.bind(*part);
            }
            q = q.bind(*n);
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Adds `delta` to the count of the session's key if it is live and held:
/// called with -1 before a change and +1 after it.
pub(crate) async fn bump_sessions(tx: &mut Transaction<'_, Any>, session_id: &str, delta: i64) -> Result<()> {
    sqlx::query(
        "INSERT INTO session_daily (plan_id, line_id, unit_id, class_id, kind, day, n) \
         SELECT plan_id, line_id, unit_id, COALESCE(class_id, ''), kind, day, $2 FROM sessions \
         WHERE id = $1 AND status = 'held' AND deleted_at IS NULL \
         ON CONFLICT (plan_id, day, line_id, unit_id, class_id, kind) DO UPDATE SET n = session_daily.n + excluded.n",
    )
    .bind(session_id)
    .bind(delta)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A new live turn by `user_id`: if the account is linked to a roster person,
/// that person is reached on `day` at the latest.
pub(crate) async fn reach_turn(
    tx: &mut Transaction<'_, Any>,
    plan_id: &str,
    user_id: &str,
    line_id: &str,
    day: &str,
) -> Result<()> {
    let person: Option<(String,)> =
        sqlx::query_as("SELECT person_id FROM users WHERE id = $1 AND person_id IS NOT NULL")
            .bind(user_id)
            .fetch_optional(&mut **tx)
            .await?;
    let Some((person_id,)) = person else {
        return Ok(());
    };
    // An earlier day moves the row; a first turn adds it. (No conflict
    // target: the statements hold whatever the table's key, which gained
    // the plan in migration 0013.)
    let mut moved = 0;
    for sql in [
        "UPDATE person_first SET first_day = $4 \
         WHERE plan_id = $1 AND person_id = $2 AND line_id = $3 AND source = 'turn' AND first_day > $4",
        "INSERT INTO person_first (plan_id, person_id, line_id, source, first_day) SELECT $1, $2, $3, 'turn', $4 \
         WHERE NOT EXISTS (SELECT 1 FROM person_first WHERE plan_id = $1 AND person_id = $2 AND line_id = $3 AND source = 'turn')",
    ] {
        moved += sqlx::query(sql)
            .bind(plan_id)
            .bind(&person_id)
            .bind(line_id)
            .bind(day)
            .execute(&mut **tx)
            .await?
            .rows_affected();
    }
    if moved > 0 {
        refresh_target_reach(tx, Whose::Person(&person_id)).await?;
    }
    Ok(())
}

/// Whose reach rows to recompute.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Whose<'a> {
    /// Everyone who attended (or attends) this session.
    Session(&'a str),
    Person(&'a str),
    /// The roster person linked to this account, if any.
    User(&'a str),
}

impl Whose<'_> {
    /// A subquery selecting the people (parameter `$1`), and its parameter.
    fn people(&self) -> (&'static str, &str) {
        match *self {
            Whose::Session(id) => ("SELECT person_id FROM attendances WHERE session_id = $1", id),
            Whose::Person(id) => ("SELECT id FROM roster_people WHERE id = $1", id),
            Whose::User(id) => (
                "SELECT person_id FROM users WHERE id = $1 AND person_id IS NOT NULL",
                id,
            ),
        }
    }
}

/// `INSERT … SELECT` of `person_first` rows from attendance and from turns,
/// for the rows matching `filter_a` (on `a`, attendances) and `filter_t` (on
/// `t`, support turns).
fn person_first_inserts(filter_a: &str, filter_t: &str, filter_e: &str) -> [String; 3] {
    [
        format!(
            "INSERT INTO person_first (plan_id, person_id, line_id, source, first_day) \
             SELECT a.plan_id, a.person_id, s.line_id, s.kind, MIN(s.day) FROM attendances a JOIN sessions s ON s.id = a.session_id \
             WHERE {filter_a} AND a.deleted_at IS NULL AND s.deleted_at IS NULL AND s.status = 'held' \
             GROUP BY a.plan_id, a.person_id, s.line_id, s.kind"
        ),
        format!(
            "INSERT INTO person_first (plan_id, person_id, line_id, source, first_day) \
             SELECT t.plan_id, u.person_id, t.line_id, 'turn', MIN(t.day) FROM support_turns t JOIN users u ON u.id = t.created_by \
             WHERE {filter_t} AND t.deleted_at IS NULL AND u.person_id IS NOT NULL \
             GROUP BY t.plan_id, u.person_id, t.line_id"
        ),
        format!(
            "INSERT INTO person_first (plan_id, person_id, line_id, source, first_day) \
             SELECT e.plan_id, ep.person_id, e.line_id, 'entry', MIN(e.submitted_day) FROM contest_entry_people ep \
             JOIN contest_entries e ON e.id = ep.entry_id \
             WHERE {filter_e} AND e.status = 'submitted' \
             GROUP BY e.plan_id, ep.person_id, e.line_id"
        ),
    ]
}

/// `INSERT … SELECT` of `target_reach` rows for the people matching `filter`
/// (on `p`, roster_people): per target, the earliest `person_first` day that
/// one of the target's `reach_rules` accepts, for active people only.
fn target_reach_insert(filter: &str) -> String {
    format!(
        "INSERT INTO target_reach (plan_id, target_id, person_id, unit_id, first_day) \
         SELECT r.plan_id, r.target_id, p.id, p.unit_id, MIN(f.first_day) FROM person_first f \
         JOIN roster_people p ON p.id = f.person_id \
         JOIN reach_rules r ON r.plan_id = f.plan_id AND r.line_id = f.line_id AND r.source = f.source AND r.roster = p.roster \
         WHERE {filter} AND p.active = 1 AND f.first_day >= r.from_day AND f.first_day <= r.to_day \
         GROUP BY r.plan_id, r.target_id, p.id, p.unit_id"
    )
}

/// Recomputes `person_first` (and so `target_reach`) for some people from
/// their live records.
pub(crate) async fn refresh_reach(tx: &mut Transaction<'_, Any>, whose: Whose<'_>) -> Result<()> {
    let (people, key) = whose.people();
    let [from_attendance, from_turns, from_entries] = person_first_inserts(
        &format!("a.person_id IN ({people})"),
        &format!("u.person_id IN ({people})"),
        &format!("ep.person_id IN ({people})"),
    );
    for sql in [
        format!("DELETE FROM person_first WHERE person_id IN ({people})"),
        from_attendance,
        from_turns,
        from_entries,
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(key)
            .execute(&mut **tx)
            .await?;
    }
    refresh_target_reach(tx, whose).await
}

/// Recomputes `target_reach` for some people from `person_first`, their
/// roster entry (active, unit) and the plan's reach rules.
pub(crate) async fn refresh_target_reach(tx: &mut Transaction<'_, Any>, whose: Whose<'_>) -> Result<()> {
    let (people, key) = whose.people();
    for sql in [
        format!("DELETE FROM target_reach WHERE person_id IN ({people})"),
        target_reach_insert(&format!("p.id IN ({people})")),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(key)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The `reach_rules` rows a plan implies: for each roster-coverage target,
/// every (line, source) that `engine::reach_counts` accepts, with the
/// target's roster and window. Sorted, for comparing with the stored ones.
fn reach_rules(plan: &Plan) -> Vec<(String, String, String, String, String, String)> {
    let mut rows = Vec::new();
    for t in plan.targets.iter().filter(|t| t.measure == Measure::RosterCoverage) {
        let w = plan.target_window(t);
        let roster = t.roster.unwrap_or(Roster::Children).as_str();
        for line in &plan.lines {
            for src in ReachSource::all().filter(|src| reach_counts(t, &line.id, *src)) {
                rows.push((
                    t.id.clone(),
                    roster.to_string(),
                    line.id.clone(),
                    src.as_str().to_string(),
                    w.start.iso(),
                    w.end.iso(),
                ));
            }
        }
    }
    rows.sort();
    rows
}

/// Makes the stored reach rules those of `plan`; when they change (a new
/// plan, an edited plan file, or the first start after migration 0004),
/// `target_reach` is rebuilt for the plan in the same transaction.
pub(crate) async fn sync_reach_rules(tx: &mut Transaction<'_, Any>, plan: &Plan) -> Result<()> {
    let plan_id = plan.plan.id.as_str();
    let want = reach_rules(plan);
    let have: Vec<(String, String, String, String, String, String)> = sqlx::query_as(
        "SELECT target_id, roster, line_id, source, from_day, to_day FROM reach_rules WHERE plan_id = $1 \
         ORDER BY target_id, roster, line_id, source, from_day, to_day",
    )
    .bind(plan_id)
    .fetch_all(&mut **tx)
    .await?;
    if have == want {
        return Ok(());
    }
    sqlx::query("DELETE FROM reach_rules WHERE plan_id = $1")
        .bind(plan_id)
        .execute(&mut **tx)
        .await?;
    for (target, roster, line, source, from, to) in &want {
        sqlx::query(
            "INSERT INTO reach_rules (plan_id, target_id, roster, line_id, source, from_day, to_day) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(plan_id)
        .bind(target)
        .bind(roster)
        .bind(line)
        .bind(source)
        .bind(from)
        .bind(to)
        .execute(&mut **tx)
        .await?;
    }
    for sql in [
        "DELETE FROM target_reach WHERE plan_id = $1".to_string(),
        target_reach_insert("f.plan_id = $1"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(plan_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Rows of every aggregate table, sorted, for comparing with a rebuild.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AggregateSnapshot {
    pub turn_daily: Vec<(String, String, String, i64)>,
    pub turn_user_daily: Vec<(String, String, i64)>,
    pub turn_service_daily: Vec<(String, String, String, i64)>,
    pub session_daily: Vec<(String, String, String, String, String, i64)>,
    pub person_first: Vec<(String, String, String, String)>,
    pub target_reach: Vec<(String, String, String, String)>,
}

/// One record behind a figure.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TraceRow {
    /// `support_turn`, `session` or `person`.
    pub kind: &'static str,
    pub id: String,
    pub day: String,
    pub unit_id: String,
    pub line_id: Option<String>,
    /// Turn: the service; session: its kind; person: the name.
    pub detail: String,
    pub class_id: Option<String>,
}

/// The records behind a figure: how many, and one page of them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Trace {
    pub total: i64,
    pub rows: Vec<TraceRow>,
}

/// `$n, $n+1, …` for `count` parameters starting at `first`.
pub(crate) fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// SQL condition on `person_first f` for the rows that reach a person for `t`,
/// with its parameters (starting at `$first`): per line of the plan, the
/// sources that `engine::reach_counts` accepts, so the rule lives in one place.
fn reach_condition(plan: &Plan, t: &TargetDef, first: usize) -> (String, Vec<String>) {
    let mut parts = Vec::new();
    let mut binds: Vec<String> = Vec::new();
    for line in &plan.lines {
        let sources: Vec<&str> = ReachSource::all()
            .filter(|src| reach_counts(t, &line.id, *src))
            .map(ReachSource::as_str)
            .collect();
        if sources.is_empty() {
            continue;
        }
        let at = first + binds.len();
        parts.push(format!(
            "(f.line_id = ${at} AND f.source IN ({}))",
            placeholders(at + 1, sources.len())
        ));
        binds.push(line.id.clone());
        binds.extend(sources.iter().map(|x| x.to_string()));
    }
    if parts.is_empty() {
        return ("1 = 0".into(), binds);
    }
    (format!("({})", parts.join(" OR ")), binds)
}

impl Store {
    /// Recomputes every aggregate table of a plan from its records (the
    /// reach rules, written from the plan file, are kept).
    pub async fn rebuild_aggregates(&self, plan_id: &str) -> Result<()> {
        let mut tx = self.write_tx().await?;
        let [from_attendance, from_turns, from_entries] =
            person_first_inserts("a.plan_id = $1", "t.plan_id = $1", "e.plan_id = $1");
        for sql in [
            "DELETE FROM turn_daily WHERE plan_id = $1".to_string(),
            "DELETE FROM turn_user_daily WHERE plan_id = $1".to_string(),
            "DELETE FROM turn_service_daily WHERE plan_id = $1".to_string(),
            "DELETE FROM session_daily WHERE plan_id = $1".to_string(),
            "DELETE FROM target_reach WHERE plan_id = $1".to_string(),
            "DELETE FROM person_first WHERE plan_id = $1".to_string(),
            "INSERT INTO turn_daily (plan_id, unit_id, line_id, day, n) \
             SELECT plan_id, unit_id, line_id, day, COUNT(*) FROM support_turns WHERE plan_id = $1 AND deleted_at IS NULL \
             GROUP BY plan_id, unit_id, line_id, day"
                .to_string(),
            "INSERT INTO turn_user_daily (plan_id, user_id, day, n) \
             SELECT plan_id, created_by, day, COUNT(*) FROM support_turns WHERE plan_id = $1 AND deleted_at IS NULL \
             GROUP BY plan_id, created_by, day"
                .to_string(),
            "INSERT INTO turn_service_daily (plan_id, line_id, service, day, n) \
             SELECT plan_id, line_id, service, day, COUNT(*) FROM support_turns WHERE plan_id = $1 AND deleted_at IS NULL \
             GROUP BY plan_id, line_id, service, day"
                .to_string(),
            "INSERT INTO session_daily (plan_id, line_id, unit_id, class_id, kind, day, n) \
             SELECT plan_id, line_id, unit_id, COALESCE(class_id, ''), kind, day, COUNT(*) FROM sessions \
             WHERE plan_id = $1 AND status = 'held' AND deleted_at IS NULL \
             GROUP BY plan_id, line_id, unit_id, COALESCE(class_id, ''), kind, day"
                .to_string(),
            from_attendance,
            from_turns,
            from_entries,
            target_reach_insert("f.plan_id = $1"),
        ] {
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(plan_id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Every aggregate table of a plan (rows with a zero count left out).
    pub async fn aggregate_snapshot(&self, plan_id: &str) -> Result<AggregateSnapshot> {
        Ok(AggregateSnapshot {
            turn_daily: self.snapshot_rows(
                plan_id,
                "SELECT unit_id, line_id, day, n FROM turn_daily WHERE plan_id = $1 AND n <> 0 ORDER BY unit_id, line_id, day",
            )
            .await?,
            turn_user_daily: self
                .snapshot_rows(
                    plan_id,
                    "SELECT user_id, day, n FROM turn_user_daily WHERE plan_id = $1 AND n <> 0 ORDER BY user_id, day",
                )
                .await?,
            turn_service_daily: self
                .snapshot_rows(
                    plan_id,
                    "SELECT line_id, service, day, n FROM turn_service_daily WHERE plan_id = $1 AND n <> 0 ORDER BY line_id, service, day",
                )
                .await?,
            session_daily: self.snapshot_rows(
                plan_id,
                "SELECT line_id, unit_id, class_id, kind, day, n FROM session_daily WHERE plan_id = $1 AND n <> 0 \
                 ORDER BY line_id, unit_id, class_id, kind, day",
            )
            .await?,
            person_first: self.snapshot_rows(
                plan_id,
                "SELECT person_id, line_id, source, first_day FROM person_first WHERE plan_id = $1 ORDER BY person_id, line_id, source",
            )
            .await?,
            target_reach: self.snapshot_rows(
                plan_id,
                "SELECT target_id, person_id, unit_id, first_day FROM target_reach WHERE plan_id = $1 ORDER BY target_id, person_id",
            )
            .await?,
        })
    }

    async fn snapshot_rows<T>(&self, plan_id: &str, sql: &'static str) -> Result<Vec<T>>
    where
        T: Send + Unpin + for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow>,
    {
        Ok(sqlx::query_as(sql).bind(plan_id).fetch_all(self.pool()).await?)
    }

    async fn fact_units(&self, plan_id: &str) -> Result<(Vec<FactUnit>, Vec<FactClass>)> {
        let mut pops: HashMap<String, HashMap<Roster, i64>> = HashMap::new();
        for p in self.populations(plan_id).await? {
            if let Some(r) = Roster::parse(&p.population) {
                pops.entry(p.unit_id).or_default().insert(r, p.value);
            }
        }
        let units = self
            .list_units(plan_id)
            .await?
            .into_iter()
            .filter_map(|u| {
                Some(FactUnit {
                    kind: u.kind()?,
                    has_smart_classroom: u.has_smart_classroom == 1,
                    active: u.active == 1,
                    populations: pops.remove(&u.id).unwrap_or_default(),
                    id: u.id,
                })
            })
            .collect();
        let classes = self
            .list_classes(plan_id)
            .await?
            .into_iter()
            .map(|c| FactClass {
                id: c.id,
                unit_id: c.unit_id,
                active: c.active == 1,
            })
            .collect();
        Ok((units, classes))
    }

    /// The engine's input as of a day, read from the aggregates: a few
    /// thousand rows however many records there are, in five indexed reads
    /// that run side by side on the pool's connections.
    pub async fn facts(&self, plan: &Plan, as_of: Day) -> Result<Facts> {
        let plan_id = plan.plan.id.as_str();
        let to = as_of.iso();
        let ((units, classes), roster_sizes, sessions, turns, reach) = tokio::try_join!(
            self.fact_units(plan_id),
            self.fact_roster_sizes(plan_id),
            self.fact_sessions(plan_id, &to),
            self.fact_turns(plan_id, &to),
            self.fact_reach(plan_id, &to),
        )?;
        Ok(Facts {
            units,
            classes,
            roster_sizes,
            sessions,
            turns,
            reach,
            unit_met: Vec::new(),
        })
    }

    async fn fact_roster_sizes(&self, plan_id: &str) -> Result<Vec<RosterSize>> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT roster, unit_id, COUNT(*) FROM roster_people WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1) AND active = 1 GROUP BY roster, unit_id",
        )
        .bind(plan_id)
        .fetch_all(self.read_pool())
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(roster, unit_id, count)| {
                Some(RosterSize {
                    roster: Roster::parse(&roster)?,
                    unit_id,
                    count: count as u32,
                })
            })
            .collect())
    }

    /// Held live sessions per line, unit, class, kind and day up to `to`.
    async fn fact_sessions(&self, plan_id: &str, to: &str) -> Result<Vec<SessionGroup>> {
        let rows: Vec<(String, String, String, String, String, i64)> = sqlx::query_as(
            "SELECT line_id, unit_id, class_id, kind, day, n FROM session_daily WHERE plan_id = $1 AND day <= $2 AND n > 0",
        )
        .bind(plan_id)
        .bind(to)
        .fetch_all(self.read_pool())
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(line_id, unit_id, class_id, kind, day, n)| {
                Some(SessionGroup {
                    line_id,
                    unit_id,
                    class_id: Some(class_id).filter(|c| !c.is_empty()),
                    kind: SessionKind::parse(&kind)?,
                    day: Day::parse_iso(&day)?,
                    n: n as u32,
                })
            })
            .collect())
    }

    /// Live turns per line, unit and day up to `to`.
    async fn fact_turns(&self, plan_id: &str, to: &str) -> Result<Vec<TurnGroup>> {
        let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT line_id, unit_id, day, n FROM turn_daily WHERE plan_id = $1 AND day <= $2 AND n > 0",
        )
        .bind(plan_id)
        .bind(to)
        .fetch_all(self.read_pool())
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(line_id, unit_id, day, n)| {
                Some(TurnGroup {
                    line_id,
                    unit_id,
                    day: Day::parse_iso(&day)?,
                    n: n as u32,
                })
            })
            .collect())
    }

    /// People first reached per roster target, unit and day up to `to`
    /// (target windows were applied when `target_reach` was written).
    async fn fact_reach(&self, plan_id: &str, to: &str) -> Result<Vec<ReachGroup>> {
        let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT target_id, unit_id, first_day, COUNT(*) FROM target_reach WHERE plan_id = $1 AND first_day <= $2 \
             GROUP BY target_id, unit_id, first_day",
        )
        .bind(plan_id)
        .bind(to)
        .fetch_all(self.read_pool())
        .await?;
        Ok(rows
            .into_iter()
            .filter_map(|(target_id, unit_id, day, n)| {
                Some(ReachGroup {
                    target_id,
                    unit_id,
                    day: Day::parse_iso(&day)?,
                    n: n as u32,
                })
            })
            .collect())
    }

    /// Every raw record of a plan (the slow path: benchmarks' floor and tests).
    pub async fn records(&self, plan_id: &str) -> Result<Records> {
        let (units, classes) = self.fact_units(plan_id).await?;
        let people = sqlx::query_as::<_, (String, String, String, i64)>(
            "SELECT id, roster, unit_id, active FROM roster_people WHERE commune_id = (SELECT pc.commune_id FROM plans pc WHERE pc.id = $1)",
        )
        .bind(plan_id)
        .fetch_all(self.read_pool())
        .await?
        .into_iter()
        .filter_map(|(id, roster, unit_id, active)| {
            Some(FactPerson {
                id,
                roster: Roster::parse(&roster)?,
                unit_id,
                active: active == 1,
            })
        })
        .collect();
        type SessionRow = (
            String,
            String,
            String,
            Option<String>,
            String,
            String,
            String,
            Option<i64>,
        );
        let sessions = sqlx::query_as::<_, SessionRow>(
            "SELECT id, line_id, unit_id, class_id, kind, status, day, deleted_at FROM sessions WHERE plan_id = $1",
        )
        .bind(plan_id)
        .fetch_all(self.read_pool())
        .await?
        .into_iter()
        .filter_map(|(id, line_id, unit_id, class_id, kind, status, day, deleted_at)| {
            Some(FactSession {
                id,
                line_id,
                unit_id,
                class_id,
                kind: SessionKind::parse(&kind)?,
                held: status == "held",
                day: Day::parse_iso(&day)?,
                deleted: deleted_at.is_some(),
            })
        })
        .collect();
        let attendances = sqlx::query_as::<_, (String, String, Option<i64>)>(
            "SELECT session_id, person_id, deleted_at FROM attendances WHERE plan_id = $1",
        )
        .bind(plan_id)
        .fetch_all(self.read_pool())
        .await?
        .into_iter()
        .map(|(session_id, person_id, deleted_at)| FactAttendance {
            session_id,
            person_id,
            deleted: deleted_at.is_some(),
        })
        .collect();
        let turns = sqlx::query_as::<_, (String, String, String, String, Option<String>, Option<i64>)>(
            "SELECT t.id, t.line_id, t.unit_id, t.day, u.person_id, t.deleted_at FROM support_turns t \
             JOIN users u ON u.id = t.created_by WHERE t.plan_id = $1",
        )
        .bind(plan_id)
        .fetch_all(self.read_pool())
        .await?
        .into_iter()
        .filter_map(|(id, line_id, unit_id, day, by_person, deleted_at)| {
            Some(FactTurn {
                id,
                line_id,
                unit_id,
                day: Day::parse_iso(&day)?,
                by_person,
                deleted: deleted_at.is_some(),
            })
        })
        .collect();
        let entries = sqlx::query_as::<_, (String, String, String, String)>(
            "SELECT ep.person_id, e.line_id, e.submitted_day, e.status FROM contest_entry_people ep \
             JOIN contest_entries e ON e.id = ep.entry_id WHERE e.plan_id = $1",
        )
        .bind(plan_id)
        .fetch_all(self.read_pool())
        .await?
        .into_iter()
        .filter_map(|(person_id, line_id, day, status)| {
            Some(FactEntry {
                person_id,
                line_id,
                day: Day::parse_iso(&day)?,
                withdrawn: status != "submitted",
            })
        })
        .collect();
        Ok(Records {
            units,
            classes,
            people,
            sessions,
            attendances,
            turns,
            entries,
        })
    }

    /// The records behind a figure, `limit` at a time from `offset`, in day order.
    /// Paging is clamped here, the one paged query: `limit` to 1..=1.000,
    /// `offset` to 0..=100.000.000 (a page number of i64::MAX must not wrap
    /// to a negative OFFSET).
    pub async fn trace(&self, plan: &Plan, q: &RecordQuery, limit: i64, offset: i64) -> Result<Trace> {
        let (limit, offset) = (limit.clamp(1, 1_000), offset.clamp(0, 100_000_000));
        let plan_id = plan.plan.id.as_str();
        let Some(t) = plan.target(&q.target_id) else {
            return Ok(Trace { total: 0, rows: vec![] });
        };
        let (from, to) = (q.from.iso(), q.to.iso());
        let unit = q.unit_id.clone().unwrap_or_default();
        let mut binds: Vec<String> = vec![plan_id.into(), from, to, unit];
        let (select, count) = if let Some(roster) = q.roster {
            // Roster coverage: the people reached, each once, with their first day.
            binds.push(roster.as_str().into());
            let (cond, extra) = reach_condition(plan, t, 6);
            binds.extend(extra);
            let inner = format!(
                "SELECT p.id AS id, p.full_name AS name, p.name_key AS name_key, p.unit_id AS unit_id, MIN(f.first_day) AS d \
                 FROM person_first f JOIN roster_people p ON p.id = f.person_id \
                 WHERE f.plan_id = $1 AND p.active = 1 AND f.first_day >= $2 AND f.first_day <= $3 AND ($4 = '' OR p.unit_id = $4) \
                 AND p.roster = $5 AND {cond} GROUP BY p.id, p.full_name, p.name_key, p.unit_id"
            );
            (
                format!(
                    "SELECT 'person', id, d, unit_id, NULL, name, NULL FROM ({inner}) x ORDER BY name_key, id LIMIT {limit} OFFSET {offset}"
                ),
                format!("SELECT COUNT(*) FROM ({inner}) x"),
            )
        } else {
            let lines = if t.lines.is_empty() {
                "1 = 1".to_string()
            } else {
                let c = format!("line_id IN ({})", placeholders(binds.len() + 1, t.lines.len()));
                binds.extend(t.lines.iter().cloned());
                c
            };
            let mut parts = Vec::new();
            if t.records.contains(&RecordKind::SupportTurn) {
                parts.push(format!(
                    "SELECT 'support_turn' AS kind, id, day, unit_id, line_id, service AS detail, NULL AS class_id FROM support_turns \
                     WHERE plan_id = $1 AND deleted_at IS NULL AND day >= $2 AND day <= $3 AND ($4 = '' OR unit_id = $4) AND {lines}"
                ));
            }
            if t.records.contains(&RecordKind::Session) {
                let kinds = if t.session_kinds.is_empty() {
                    "1 = 1".to_string()
                } else {
                    let c = format!("kind IN ({})", placeholders(binds.len() + 1, t.session_kinds.len()));
                    binds.extend(t.session_kinds.iter().map(|k| k.as_str().to_string()));
                    c
                };
                binds.push(q.class_id.clone().unwrap_or_default());
                let class = binds.len();
                parts.push(format!(
                    "SELECT 'session' AS kind, id, day, unit_id, line_id, kind AS detail, class_id FROM sessions \
                     WHERE plan_id = $1 AND status = 'held' AND deleted_at IS NULL AND day >= $2 AND day <= $3 \
                     AND ($4 = '' OR unit_id = $4) AND (${class} = '' OR class_id = ${class}) AND {lines} AND {kinds}"
                ));
            }
            if parts.is_empty() {
                return Ok(Trace { total: 0, rows: vec![] });
            }
            let all = parts.join(" UNION ALL ");
            (
                format!("SELECT * FROM ({all}) x ORDER BY day, id LIMIT {limit} OFFSET {offset}"),
                format!("SELECT COUNT(*) FROM ({all}) x"),
            )
        };
        let mut cq = sqlx::query(sqlx::AssertSqlSafe(count));
        let mut sq = sqlx::query(sqlx::AssertSqlSafe(select));
        for b in &binds {
            cq = cq.bind(b);
            sq = sq.bind(b);
        }
        let total: i64 = cq.fetch_one(self.read_pool()).await?.try_get(0)?;
        let rows = sq
            .fetch_all(self.read_pool())
            .await?
            .iter()
            .filter_map(|r| {
                let kind = match r.try_get::<String, _>(0).ok()?.as_str() {
                    "person" => "person",
                    "session" => "session",
                    _ => "support_turn",
                };
                Some(TraceRow {
                    kind,
                    id: r.try_get(1).ok()?,
                    day: r.try_get(2).ok()?,
                    unit_id: r.try_get(3).ok()?,
                    line_id: r.try_get(4).ok()?,
                    detail: r.try_get(5).ok()?,
                    class_id: r.try_get(6).ok()?,
                })
            })
            .collect();
        Ok(Trace { total, rows })
    }
}
