//! What the reports read from the stored records: the same facts as the
//! board, with the units' and classes' names. The caller runs the engine.

use std::collections::{BTreeMap, HashMap};

use kehoach_core::engine::{Facts, Standing};
use kehoach_core::report::{ActivityCounts, BudgetLine, ContestResult, Report, SummaryInput, VolunteerTally, summary};
use kehoach_core::{Day, Plan};

use crate::{Result, Store};

/// What the summary report reads from the database as of a day. The
/// standings come from the caller, who runs the engine over `facts`: the
/// store reads, the engine computes.
pub struct ReportData {
    pub facts: Facts,
    /// Display names of units and classes ("Trường TH Trung Lập, lớp 1A").
    pub names: HashMap<String, String>,
    pub has_sample_units: bool,
    pub texts: BTreeMap<String, String>,
    pub budget: BTreeMap<String, BudgetLine>,
    pub propaganda: BTreeMap<String, i64>,
    pub contests: Vec<ContestResult>,
    pub volunteers: Vec<VolunteerTally>,
    pub activity: ActivityCounts,
}

impl ReportData {
    /// The summary report over these data, with `standings` (the engine's
    /// board over `self.facts` as of `as_of`), dated `signed_on`.
    pub fn summary(&self, plan: &Plan, standings: &[Standing], as_of: Day, signed_on: Day) -> Report {
        let name = |id: &str| self.names.get(id).cloned().unwrap_or_else(|| id.to_string());
        summary(&SummaryInput {
            plan,
            facts: &self.facts,
            standings,
            as_of,
            signed_on,
            name: &name,
            has_sample_units: self.has_sample_units,
            texts: &self.texts,
            budget: &self.budget,
            propaganda: &self.propaganda,
            contests: &self.contests,
            volunteers: &self.volunteers,
            activity: &self.activity,
        })
    }
}

impl Store {
    /// A plan's live support turns per service up to `to` (YYYY-MM-DD).
    pub async fn service_turns(&self, plan_id: &str, to: &str) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT service, CAST(SUM(n) AS BIGINT) FROM turn_service_daily WHERE plan_id = $1 AND day <= $2 \
             GROUP BY service ORDER BY service",
        )
        .bind(plan_id)
        .bind(to)
        .fetch_all(self.read_pool())
        .await?)
    }

    /// What the summary report of a plan reads, as of a day.
    pub async fn report_data(&self, plan: &Plan, as_of: Day) -> Result<ReportData> {
        let plan_id = plan.plan.id.as_str();
        let day = as_of.iso();
        // The reads do not depend on one another: all at once.
        let (facts, units, classes, texts, budget, propaganda, volunteers, activity) = tokio::try_join!(
            self.facts(plan, as_of),
            self.list_units(plan_id),
            self.list_classes(plan_id),
            self.report_texts(plan_id),
            self.budget_lines(plan_id),
            self.propaganda_counts(plan_id, &day),
            self.volunteer_tallies(plan_id, as_of),
            self.activity_counts(plan_id, as_of),
        )?;
        let mut names: HashMap<String, String> = units.iter().map(|u| (u.id.clone(), u.name.clone())).collect();
        for c in classes {
            let school = units
                .iter()
                .find(|u| u.id == c.unit_id)
                .map(|u| u.name.as_str())
                .unwrap_or("");
            names.insert(c.id.clone(), format!("{school}, lớp {}", c.name));
        }
        let unit_name = |id: &str| names.get(id).cloned();
        let contests = self.contest_results(plan_id, as_of, &unit_name).await?;
        Ok(ReportData {
            facts,
            has_sample_units: units.iter().any(|u| u.sample == 1 && u.active == 1),
            names,
            texts,
            budget,
            propaganda,
            contests,
            volunteers,
            activity,
        })
    }
}

impl Store {
    /// A unit's progress report for a period: `standings` are the engine's
    /// board over `facts` as of `to`.
    #[allow(clippy::too_many_arguments, reason = "the report's inputs, each named")]
    pub async fn unit_report(
        &self,
        plan: &Plan,
        unit_id: &str,
        facts: &Facts,
        standings: &[Standing],
        from: Day,
        to: Day,
        signed_on: Day,
    ) -> Result<Report> {
        let unit = self.unit(&plan.plan.id, unit_id).await?;
        Ok(kehoach_core::report::unit_progress(&kehoach_core::report::UnitInput {
            plan,
            facts,
            standings,
            unit_id,
            unit_name: &unit.name,
            from,
            to,
            signed_on,
        }))
    }

    /// Youth-union members' turns (from accounts linked to them) and shifts
    /// taken (not cancelled) up to `as_of`.
    pub async fn volunteer_tallies(&self, plan_id: &str, as_of: Day) -> Result<Vec<VolunteerTally>> {
        let day = as_of.iso();
        let turns: Vec<(String, i64)> = sqlx::query_as(
            "SELECT u.person_id, CAST(SUM(t.n) AS BIGINT) FROM turn_user_daily t JOIN users u ON u.id = t.user_id \
             WHERE t.plan_id = $1 AND t.day <= $2 AND u.person_id IS NOT NULL GROUP BY u.person_id",
        )
        .bind(plan_id)
        .bind(&day)
        .fetch_all(self.read_pool())
        .await?;
        let shifts: Vec<(String, i64)> = sqlx::query_as(
            "SELECT ss.person_id, COUNT(*) FROM shift_signups ss JOIN shifts s ON s.id = ss.shift_id \
             WHERE s.plan_id = $1 AND s.deleted_at IS NULL AND s.day <= $2 GROUP BY ss.person_id",
        )
        .bind(plan_id)
        .bind(&day)
        .fetch_all(self.read_pool())
        .await?;
        let mut by: HashMap<String, (u64, u64)> = HashMap::new();
        for (p, n) in turns {
            by.entry(p).or_default().0 += n.max(0) as u64;
        }
        for (p, n) in shifts {
            by.entry(p).or_default().1 += n.max(0) as u64;
        }
        let names: HashMap<String, String> = self
            .roster_people(plan_id, Some("youth_members"), None)
            .await?
            .into_iter()
            .map(|p| (p.id, p.full_name))
            .collect();
        let mut out: Vec<VolunteerTally> = by
            .into_iter()
            .filter_map(|(p, (turns, shifts))| {
                Some(VolunteerTally {
                    name: names.get(&p)?.clone(),
                    turns,
                    shifts,
                })
            })
            .collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// Attendance at held sessions and sessions still planned, per line, up
    /// to `as_of`; the volunteer teams.
    pub async fn activity_counts(&self, plan_id: &str, as_of: Day) -> Result<ActivityCounts> {
        let day = as_of.iso();
        let attended: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT s.line_id, s.unit_id, COUNT(*) FROM attendances a JOIN sessions s ON s.id = a.session_id \
             WHERE s.plan_id = $1 AND a.deleted_at IS NULL AND s.deleted_at IS NULL AND s.status = 'held' AND s.day <= $2 \
             GROUP BY s.line_id, s.unit_id",
        )
        .bind(plan_id)
        .bind(&day)
        .fetch_all(self.read_pool())
        .await?;
        let by_service: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT line_id, service, CAST(SUM(n) AS BIGINT) FROM turn_service_daily WHERE plan_id = $1 AND day <= $2 \
             GROUP BY line_id, service",
        )
        .bind(plan_id)
        .bind(&day)
        .fetch_all(self.read_pool())
        .await?;
        let mut participants: std::collections::BTreeMap<String, u64> = Default::default();
        let mut participants_by_unit: std::collections::BTreeMap<String, u64> = Default::default();
        for (line, unit, n) in attended {
            *participants.entry(line).or_default() += n.max(0) as u64;
            *participants_by_unit.entry(unit).or_default() += n.max(0) as u64;
        }
        let planned: Vec<(String, i64)> = sqlx::query_as(
            "SELECT line_id, COUNT(*) FROM sessions WHERE plan_id = $1 AND deleted_at IS NULL AND status = 'planned' \
             GROUP BY line_id",
        )
        .bind(plan_id)
        .fetch_all(self.read_pool())
        .await?;
        let teams = self
            .teams(plan_id)
            .await?
            .into_iter()
            .map(|t| {
                (
                    t.name,
                    t.members.max(0) as u64,
                    t.launched_on.as_deref().and_then(Day::parse_iso),
                )
            })
            .collect();
        let count = |rows: Vec<(String, i64)>| rows.into_iter().map(|(k, n)| (k, n.max(0) as u64)).collect();
        Ok(ActivityCounts {
            participants,
            planned: count(planned),
            teams,
            participants_by_unit,
            turns_by_service: by_service
                .into_iter()
                .map(|(l, s, n)| ((l, s), n.max(0) as u64))
                .collect(),
        })
    }
}
