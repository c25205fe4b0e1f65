//! Every commune of a city as of a day, read at once for the city's board:
//! each aggregate is one query over all the city's plans (`plan_id IN (…)`),
//! split in memory, instead of a commune's handful of queries 114 times.
//! Turns and reach come summed per span of [`day_spans`] (a few rows per
//! unit and line instead of one per day), which leaves every standing as
//! the days give it; parsed plans are kept between requests, keyed by their
//! revision.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use kehoach_core::engine::*;
use kehoach_core::{Day, Plan, Roster, SessionKind, UnitKind};
use sqlx::any::AnyRow;

use super::placeholders;
use crate::CommuneRow;
use crate::{Result, Store, StoreError};

/// Spans of days, oldest first, as `day_spans` gives them.
type Spans = Vec<(Option<Day>, Day)>;

/// Plans parsed, by plan id, with the revision they were parsed at.
#[derive(Default)]
pub(crate) struct PlanCache(Mutex<HashMap<String, (i64, Arc<Plan>)>>);

/// More plans than a province holds: past it the cache starts over.
const PLANS_KEPT: usize = 4096;

/// Ids a statement names at most (SQLite allows 32.766 parameters).
const IDS_AT_ONCE: usize = 2000;

/// One commune of a city as of a day: the plan it works in (its newest
/// running plan), the engine's facts with turns and reach summed per span
/// of [`day_spans`] (each dated on its span's last day), and its live
/// turns per service.
pub struct CommuneFacts {
    pub commune: CommuneRow,
    pub plan: Arc<Plan>,
    pub facts: Facts,
    pub services: Vec<(String, i64)>,
}

impl Store {
    /// Every commune of the city that has a plan, oldest first, as of
    /// `as_of`, in a fixed number of queries whatever the number of communes.
    /// With `city_plan`, turns and reach are summed in the spans of both
    /// plans, so the city's own targets over communes read them as exactly
    /// (`kehoach_core::rollup`).
    pub async fn city_facts(&self, city_id: &str, as_of: Day, city_plan: Option<&Plan>) -> Result<Vec<CommuneFacts>> {
        let communes = self.city_communes(city_id).await?;
        let commune_ids: Vec<String> = communes.iter().map(|c| c.id.clone()).collect();
        let chosen = self.working_plans(&commune_ids).await?;
        let plans = self.parsed_plans(chosen.values().cloned().collect()).await?;
        let plan_ids: Vec<String> = plans.keys().cloned().collect();
        let to = as_of.iso();
        let spans: Vec<(String, Spans)> = plans
            .iter()
            .map(|(id, p)| {
                let both: Vec<&Plan> = std::iter::once(p.as_ref()).chain(city_plan).collect();
                (id.clone(), day_spans_of(&both, as_of))
            })
            .collect();
        let (mut units, mut classes, mut sizes, mut sessions, mut turns, mut reach, mut services) = tokio::try_join!(
            self.city_units(&commune_ids),
            self.city_classes(&commune_ids),
            self.city_roster_sizes(&commune_ids),
            self.city_sessions(&plan_ids, &to),
            self.in_spans("turns", &spans),
            self.in_spans("reach", &spans),
            self.city_services(&plan_ids, &to),
        )?;
        let mut out = Vec::new();
        for commune in communes {
            let Some(plan) = chosen.get(&commune.id).and_then(|(id, _)| plans.get(id)).cloned() else {
                continue;
            };
            let pid = plan.plan.id.as_str();
            let facts = Facts {
                units: units.remove(&commune.id).unwrap_or_default(),
                classes: classes.remove(&commune.id).unwrap_or_default(),
                roster_sizes: sizes.remove(&commune.id).unwrap_or_default(),
                sessions: sessions.remove(pid).unwrap_or_default(),
                turns: turns
                    .remove(pid)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(line_id, unit_id, day, n)| TurnGroup {
                        line_id,
                        unit_id,
                        day,
                        n,
                    })
                    .collect(),
                reach: reach
                    .remove(pid)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|(target_id, unit_id, day, n)| ReachGroup {
                        target_id,
                        unit_id,
                        day,
                        n,
                    })
                    .collect(),
                unit_met: Vec::new(),
            };
            out.push(CommuneFacts {
                services: services.remove(pid).unwrap_or_default(),
                commune,
                plan,
                facts,
            });
        }
        Ok(out)
    }

    /// Each commune's working plan (newest running, else newest), with its
    /// revision, by commune id: what `commune_plan_id` picks, for many.
    async fn working_plans(&self, commune_ids: &[String]) -> Result<HashMap<String, (String, i64)>> {
        let mut rows: Vec<(String, String, String, i64, i64)> = Vec::new();
        for ids in commune_ids.chunks(IDS_AT_ONCE) {
            let sql = format!(
                "SELECT commune_id, id, status, created_at, revision FROM plans WHERE active = 1 AND commune_id IN ({})",
                placeholders(1, ids.len())
            );
            let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
            for id in ids {
                q = q.bind(id);
            }
            rows.extend(q.fetch_all(self.read_pool()).await?);
        }
        // Running first, then newest, then the greatest id.
        rows.sort_by(|a, b| {
            (a.2 != "running")
                .cmp(&(b.2 != "running"))
                .then(b.3.cmp(&a.3))
                .then(b.1.cmp(&a.1))
        });
        let mut out = HashMap::new();
        for (commune_id, id, _, _, revision) in rows {
            out.entry(commune_id).or_insert((id, revision));
        }
        Ok(out)
    }

    /// Plans by id at the given revisions: parsed ones from the cache, the
    /// others read (one query) and parsed once.
    async fn parsed_plans(&self, wanted: Vec<(String, i64)>) -> Result<HashMap<String, Arc<Plan>>> {
        let mut out = HashMap::new();
        let mut missing = Vec::new();
        {
            let cache = self.plans.0.lock().unwrap_or_else(|e| e.into_inner());
            for (id, revision) in wanted {
                match cache.get(&id) {
                    Some((r, p)) if *r == revision => {
                        out.insert(id, p.clone());
                    }
                    _ => missing.push(id),
                }
            }
        }
        for ids in missing.chunks(IDS_AT_ONCE) {
            let sql = format!(
                "SELECT id, revision, source_toml FROM plans WHERE id IN ({})",
                placeholders(1, ids.len())
            );
            let mut q = sqlx::query_as::<_, (String, i64, String)>(sqlx::AssertSqlSafe(sql));
            for id in ids {
                q = q.bind(id);
            }
            for (id, revision, source) in q.fetch_all(self.read_pool()).await? {
                let mut plan = kehoach_core::parse_plan(&source).map_err(|errors| {
                    StoreError::BadPlan(errors.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))
                })?;
                plan.plan.id = id.clone();
                let plan = Arc::new(plan);
                let mut cache = self.plans.0.lock().unwrap_or_else(|e| e.into_inner());
                if cache.len() >= PLANS_KEPT {
                    cache.clear();
                }
                cache.insert(id.clone(), (revision, plan.clone()));
                out.insert(id, plan);
            }
        }
        Ok(out)
    }

    /// Rows of `sql` whose parameters are `ids`, a chunk at a time, with
    /// `extra` bound after them.
    async fn rows_for_ids(&self, sql: &str, ids: &[String], extra: Option<&str>) -> Result<Vec<AnyRow>> {
        let mut rows = Vec::new();
        for chunk in ids.chunks(IDS_AT_ONCE) {
            let mut text = sql.replace("{ids}", &placeholders(1, chunk.len()));
            text = text.replace("{extra}", &format!("${}", chunk.len() + 1));
            let mut q = sqlx::query(sqlx::AssertSqlSafe(text));
            for id in chunk {
                q = q.bind(id);
            }
            if let Some(e) = extra {
                q = q.bind(e);
            }
            rows.extend(q.fetch_all(self.read_pool()).await?);
        }
        Ok(rows)
    }

    /// Units of the communes (in the order a commune's board reads them)
    /// with their declared populations, by commune id.
    async fn city_units(&self, commune_ids: &[String]) -> Result<HashMap<String, Vec<FactUnit>>> {
        use sqlx::Row;
        let pops = self
            .rows_for_ids(
                "SELECT p.unit_id, p.population, p.value FROM unit_populations p JOIN units u ON u.id = p.unit_id \
                 WHERE u.commune_id IN ({ids})",
                commune_ids,
                None,
            )
            .await?;
        let mut by_unit: HashMap<String, HashMap<Roster, i64>> = HashMap::new();
        for r in pops {
            if let Some(roster) = Roster::parse(&r.try_get::<String, _>(1)?) {
                by_unit.entry(r.try_get(0)?).or_default().insert(roster, r.try_get(2)?);
            }
        }
        let rows = self
            .rows_for_ids(
                "SELECT commune_id, id, kind, has_smart_classroom, active FROM units WHERE commune_id IN ({ids}) \
                 ORDER BY commune_id, from_plan DESC, kind, name_key, id",
                commune_ids,
                None,
            )
            .await?;
        let mut out: HashMap<String, Vec<FactUnit>> = HashMap::new();
        for r in rows {
            let id: String = r.try_get(1)?;
            let Some(kind) = UnitKind::parse(&r.try_get::<String, _>(2)?) else {
                continue;
            };
            out.entry(r.try_get(0)?).or_default().push(FactUnit {
                kind,
                has_smart_classroom: r.try_get::<i64, _>(3)? == 1,
                active: r.try_get::<i64, _>(4)? == 1,
                populations: by_unit.remove(&id).unwrap_or_default(),
                id,
            });
        }
        Ok(out)
    }

    /// School classes of the communes, by commune id.
    async fn city_classes(&self, commune_ids: &[String]) -> Result<HashMap<String, Vec<FactClass>>> {
        use sqlx::Row;
        let rows = self
            .rows_for_ids(
                "SELECT u.commune_id, c.id, c.unit_id, c.active FROM school_classes c JOIN units u ON u.id = c.unit_id \
                 WHERE u.commune_id IN ({ids}) ORDER BY u.commune_id, c.unit_id, c.name_key",
                commune_ids,
                None,
            )
            .await?;
        let mut out: HashMap<String, Vec<FactClass>> = HashMap::new();
        for r in rows {
            out.entry(r.try_get(0)?).or_default().push(FactClass {
                id: r.try_get(1)?,
                unit_id: r.try_get(2)?,
                active: r.try_get::<i64, _>(3)? == 1,
            });
        }
        Ok(out)
    }

    /// Active rostered people per roster and unit, by commune id.
    async fn city_roster_sizes(&self, commune_ids: &[String]) -> Result<HashMap<String, Vec<RosterSize>>> {
        use sqlx::Row;
        let rows = self
            .rows_for_ids(
                "SELECT commune_id, roster, unit_id, COUNT(*) FROM roster_people WHERE commune_id IN ({ids}) AND active = 1 \
                 GROUP BY commune_id, roster, unit_id",
                commune_ids,
                None,
            )
            .await?;
        let mut out: HashMap<String, Vec<RosterSize>> = HashMap::new();
        for r in rows {
            let Some(roster) = Roster::parse(&r.try_get::<String, _>(1)?) else {
                continue;
            };
            out.entry(r.try_get(0)?).or_default().push(RosterSize {
                roster,
                unit_id: r.try_get(2)?,
                count: r.try_get::<i64, _>(3)? as u32,
            });
        }
        Ok(out)
    }

    /// Held live sessions per line, unit, class, kind and day up to `to`, by plan id.
    async fn city_sessions(&self, plan_ids: &[String], to: &str) -> Result<HashMap<String, Vec<SessionGroup>>> {
        use sqlx::Row;
        let rows = self
            .rows_for_ids(
                "SELECT plan_id, line_id, unit_id, class_id, kind, day, n FROM session_daily \
                 WHERE plan_id IN ({ids}) AND day <= {extra} AND n > 0",
                plan_ids,
                Some(to),
            )
            .await?;
        let mut out: HashMap<String, Vec<SessionGroup>> = HashMap::new();
        for r in rows {
            let class_id: String = r.try_get(3)?;
            let (Some(kind), Some(day)) = (
                SessionKind::parse(&r.try_get::<String, _>(4)?),
                Day::parse_iso(&r.try_get::<String, _>(5)?),
            ) else {
                continue;
            };
            out.entry(r.try_get(0)?).or_default().push(SessionGroup {
                line_id: r.try_get(1)?,
                unit_id: r.try_get(2)?,
                class_id: Some(class_id).filter(|c| !c.is_empty()),
                kind,
                day,
                n: r.try_get::<i64, _>(6)? as u32,
            });
        }
        Ok(out)
    }

    /// Live turns per service up to `to`, by plan id.
    async fn city_services(&self, plan_ids: &[String], to: &str) -> Result<HashMap<String, Vec<(String, i64)>>> {
        use sqlx::Row;
        let rows = self
            .rows_for_ids(
                "SELECT plan_id, service, CAST(SUM(n) AS BIGINT) FROM turn_service_daily \
                 WHERE plan_id IN ({ids}) AND day <= {extra} GROUP BY plan_id, service ORDER BY plan_id, service",
                plan_ids,
                Some(to),
            )
            .await?;
        let mut out: HashMap<String, Vec<(String, i64)>> = HashMap::new();
        for r in rows {
            out.entry(r.try_get(0)?)
                .or_default()
                .push((r.try_get(1)?, r.try_get(2)?));
        }
        Ok(out)
    }

    /// Live turns per line and unit (`what` = "turns"), or people first
    /// reached per target and unit ("reach"), summed per span of each
    /// plan, dated on the span's last day: by plan id, (line or target,
    /// unit, day, count).
    async fn in_spans(
        &self,
        what: &str,
        spans: &[(String, Spans)],
    ) -> Result<HashMap<String, Vec<(String, String, Day, u32)>>> {
        use sqlx::Row;
        let (key, sum, table, day) = match what {
            "turns" => ("t.line_id", "SUM(t.n)", "turn_daily", "t.day"),
            _ => ("t.target_id", "COUNT(*)", "target_reach", "t.first_day"),
        };
        let filter = if what == "turns" { " AND t.n > 0" } else { "" };
        // Plans of the same windows (a city's communes mostly implement
        // one plan) share their spans: one statement for them, each day
        // mapped to its span's last day by a CASE, no join.
        let mut groups: Vec<(&Spans, Vec<&str>)> = Vec::new();
        for (plan_id, list) in spans {
            match groups.iter_mut().find(|g| g.0 == list) {
                Some(g) => g.1.push(plan_id),
                None => groups.push((list, vec![plan_id])),
            }
        }
        let mut out: HashMap<String, Vec<(String, String, Day, u32)>> = HashMap::new();
        for (list, plan_ids) in groups {
            if list.is_empty() {
                continue;
            }
            for chunk in plan_ids.chunks(IDS_AT_ONCE) {
                let n = chunk.len();
                let case: Vec<String> = (0..list.len())
                    .map(|i| format!("WHEN {day} <= ${p} THEN ${p}", p = n + 1 + i))
                    .collect();
                let sql = format!(
                    "SELECT t.plan_id, {key}, t.unit_id, CASE {case} END AS hi, CAST({sum} AS BIGINT) FROM {table} t \
                     WHERE t.plan_id IN ({ids}) AND {day} <= ${last}{filter} GROUP BY t.plan_id, {key}, t.unit_id, hi",
                    case = case.join(" "),
                    ids = placeholders(1, n),
                    last = n + list.len(),
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for id in chunk {
                    q = q.bind(*id);
                }
                for (_, last) in list {
                    q = q.bind(last.iso());
                }
                for r in q.fetch_all(self.read_pool()).await? {
                    let Some(d) = Day::parse_iso(&r.try_get::<String, _>(3)?) else {
                        continue;
                    };
                    out.entry(r.try_get(0)?).or_default().push((
                        r.try_get(1)?,
                        r.try_get(2)?,
                        d,
                        r.try_get::<i64, _>(4)? as u32,
                    ));
                }
            }
        }
        Ok(out)
    }
}
