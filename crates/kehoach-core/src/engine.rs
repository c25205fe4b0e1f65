//! The target engine: evaluates a plan's target definitions as of a date.
//! Pure: the caller loads the facts and passes `as_of`.
//!
//! Two shapes of input. [`Records`] are the raw records as the store keeps
//! them; [`Facts`] are their aggregates (live turns per unit, line and day;
//! held sessions per unit, class, kind and day; people first reached per
//! target, unit and day; roster sizes). The engine reads only [`Facts`], so a
//! board over a million turns reads a few thousand rows. [`Facts::from_records`]
//! builds the aggregates from raw records; the store keeps the same
//! aggregates up to date as records arrive, and a test compares the two.
//!
//! Counting rules (docs/product.md): a person counts once however many
//! records; a turn is a turn; deleted records, records dated after `as_of`
//! and records outside the target's window do not count; only held sessions
//! count. [`standing`] adds status, pace, forecasts and laggards.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::day::Day;
use crate::plan::model::*;

// ------------------------------------------------------------------ records

#[derive(Debug, Clone)]
pub struct FactUnit {
    pub id: String,
    pub kind: UnitKind,
    pub has_smart_classroom: bool,
    pub active: bool,
    /// Declared population figures by roster.
    pub populations: HashMap<Roster, i64>,
}

#[derive(Debug, Clone)]
pub struct FactClass {
    pub id: String,
    pub unit_id: String,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct FactPerson {
    pub id: String,
    pub roster: Roster,
    pub unit_id: String,
    pub active: bool,
}

#[derive(Debug, Clone)]
pub struct FactSession {
    pub id: String,
    pub line_id: String,
    pub unit_id: String,
    pub class_id: Option<String>,
    pub kind: SessionKind,
    pub held: bool,
    pub day: Day,
    pub deleted: bool,
}

#[derive(Debug, Clone)]
pub struct FactAttendance {
    pub session_id: String,
    pub person_id: String,
    pub deleted: bool,
}

#[derive(Debug, Clone)]
pub struct FactTurn {
    pub id: String,
    pub line_id: String,
    pub unit_id: String,
    pub day: Day,
    /// The roster person of the account that recorded it (T2).
    pub by_person: Option<String>,
    pub deleted: bool,
}

/// Raw records, as stored.
#[derive(Debug, Clone, Default)]
pub struct Records {
    pub units: Vec<FactUnit>,
    pub classes: Vec<FactClass>,
    pub people: Vec<FactPerson>,
    pub sessions: Vec<FactSession>,
    pub attendances: Vec<FactAttendance>,
    pub turns: Vec<FactTurn>,
    pub entries: Vec<FactEntry>,
}

/// A rostered person named on a contest entry (submitted on `day`, Vietnam time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactEntry {
    pub person_id: String,
    pub line_id: String,
    pub day: Day,
    pub withdrawn: bool,
}

// --------------------------------------------------------------- aggregates

/// Active rostered people of a unit.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct RosterSize {
    pub roster: Roster,
    pub unit_id: String,
    pub count: u32,
}

/// Held, not deleted sessions of one line, unit, class, kind and day.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SessionGroup {
    pub line_id: String,
    pub unit_id: String,
    pub class_id: Option<String>,
    pub kind: SessionKind,
    pub day: Day,
    pub n: u32,
}

/// Live support turns of one line, unit and day.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TurnGroup {
    pub line_id: String,
    pub unit_id: String,
    pub day: Day,
    pub n: u32,
}

/// Active people of a unit whose first qualifying record for a roster
/// target falls on `day`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ReachGroup {
    pub target_id: String,
    pub unit_id: String,
    pub day: Day,
    pub n: u32,
}

/// Everything the engine reads.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub units: Vec<FactUnit>,
    pub classes: Vec<FactClass>,
    pub roster_sizes: Vec<RosterSize>,
    pub sessions: Vec<SessionGroup>,
    pub turns: Vec<TurnGroup>,
    pub reach: Vec<ReachGroup>,
    /// For targets over units that have plans of their own (a city's
    /// communes): whether a unit's own target was met as of a day.
    pub unit_met: Vec<UnitMet>,
}

/// Whether unit `unit_id`'s own target, the one the city's target
/// `target_id` names (`unit_target`), was met as of `day` ([`crate::rollup`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnitMet {
    pub target_id: String,
    pub unit_id: String,
    pub day: Day,
    pub met: bool,
}

/// Where a person was reached: a support turn, or attendance at a session of a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReachSource {
    Turn,
    Attendance(SessionKind),
    /// Named on a contest entry.
    Entry,
}

impl ReachSource {
    /// Every source there is.
    pub fn all() -> impl Iterator<Item = ReachSource> {
        [ReachSource::Turn, ReachSource::Entry]
            .into_iter()
            .chain(SessionKind::ALL.into_iter().map(ReachSource::Attendance))
    }
    /// As stored: `turn`, or the session kind.
    pub fn as_str(self) -> &'static str {
        match self {
            ReachSource::Turn => "turn",
            ReachSource::Attendance(k) => k.as_str(),
            ReachSource::Entry => "entry",
        }
    }
}

fn qualifies_line(t: &TargetDef, line: &str) -> bool {
    t.lines.is_empty() || t.lines.iter().any(|l| l == line)
}

fn qualifies_kind(t: &TargetDef, kind: SessionKind) -> bool {
    t.session_kinds.is_empty() || t.session_kinds.contains(&kind)
}

/// Whether a record of `line` from `source` reaches a person for roster target `t`.
pub fn reach_counts(t: &TargetDef, line: &str, source: ReachSource) -> bool {
    t.measure == Measure::RosterCoverage
        && qualifies_line(t, line)
        && match source {
            ReachSource::Turn => t.records.contains(&RecordKind::SupportTurn),
            ReachSource::Attendance(k) => t.records.contains(&RecordKind::Attendance) && qualifies_kind(t, k),
            ReachSource::Entry => t.records.contains(&RecordKind::ContestEntry),
        }
}

impl Facts {
    /// Aggregates raw records, following the counting rules.
    pub fn from_records(plan: &Plan, r: &Records) -> Facts {
        let mut sizes: BTreeMap<(Roster, &str), u32> = BTreeMap::new();
        for p in r.people.iter().filter(|p| p.active) {
            *sizes.entry((p.roster, p.unit_id.as_str())).or_default() += 1;
        }
        let mut sessions: BTreeMap<(&str, &str, Option<&str>, SessionKind, Day), u32> = BTreeMap::new();
        let live: HashMap<&str, &FactSession> = r
            .sessions
            .iter()
            .filter(|s| s.held && !s.deleted)
            .map(|s| (s.id.as_str(), s))
            .collect();
        for s in live.values() {
            *sessions
                .entry((&s.line_id, &s.unit_id, s.class_id.as_deref(), s.kind, s.day))
                .or_default() += 1;
        }
        let mut turns: BTreeMap<(&str, &str, Day), u32> = BTreeMap::new();
        for x in r.turns.iter().filter(|x| !x.deleted) {
            *turns.entry((&x.line_id, &x.unit_id, x.day)).or_default() += 1;
        }
        let mut reach = Vec::new();
        for t in plan.targets.iter().filter(|t| t.measure == Measure::RosterCoverage) {
            let w = plan.target_window(t);
            let mut seen: Vec<(&str, Day)> = Vec::new();
            for a in r.attendances.iter().filter(|a| !a.deleted) {
                if let Some(s) = live.get(a.session_id.as_str())
                    && reach_counts(t, &s.line_id, ReachSource::Attendance(s.kind))
                {
                    seen.push((a.person_id.as_str(), s.day));
                }
            }
            for x in r.turns.iter().filter(|x| !x.deleted) {
                if let Some(p) = x.by_person.as_deref()
                    && reach_counts(t, &x.line_id, ReachSource::Turn)
                {
                    seen.push((p, x.day));
                }
            }
            for e in r.entries.iter().filter(|e| !e.withdrawn) {
                if reach_counts(t, &e.line_id, ReachSource::Entry) {
                    seen.push((e.person_id.as_str(), e.day));
                }
            }
            let mut first: HashMap<&str, Day> = HashMap::new();
            for (p, d) in seen.into_iter().filter(|(_, d)| w.contains(*d)) {
                first.entry(p).and_modify(|f| *f = (*f).min(d)).or_insert(d);
            }
            let mut groups: BTreeMap<(&str, Day), u32> = BTreeMap::new();
            for p in r.people.iter().filter(|p| p.active && Some(p.roster) == t.roster) {
                if let Some(d) = first.get(p.id.as_str()) {
                    *groups.entry((&p.unit_id, *d)).or_default() += 1;
                }
            }
            reach.extend(groups.into_iter().map(|((u, d), n)| ReachGroup {
                target_id: t.id.clone(),
                unit_id: u.to_string(),
                day: d,
                n,
            }));
        }
        Facts {
            units: r.units.clone(),
            classes: r.classes.clone(),
            roster_sizes: sizes
                .into_iter()
                .map(|((roster, u), count)| RosterSize {
                    roster,
                    unit_id: u.to_string(),
                    count,
                })
                .collect(),
            sessions: sessions
                .into_iter()
                .map(|((l, u, c, k, d), n)| SessionGroup {
                    line_id: l.to_string(),
                    unit_id: u.to_string(),
                    class_id: c.map(str::to_string),
                    kind: k,
                    day: d,
                    n,
                })
                .collect(),
            turns: turns
                .into_iter()
                .map(|((l, u, d), n)| TurnGroup {
                    line_id: l.to_string(),
                    unit_id: u.to_string(),
                    day: d,
                    n,
                })
                .collect(),
            reach,
            unit_met: Vec::new(),
        }
    }
}

/// The spans of days a board as of `as_of` cannot tell apart, oldest
/// first, each as (first day, last day); the first has no first day (it
/// runs from the beginning) and the last ends on `as_of`. Inside a span
/// every day is alike for every target: inside or outside its window, on
/// or before the day its recent pace looks back to, on or before `as_of`.
/// So turns and reach summed per span and dated on the span's last day
/// give every standing exactly as the days themselves do
/// ([`Facts::in_spans`]); the city's roll-up reads them so, a few rows per
/// unit and line instead of one per day.
pub fn day_spans(plan: &Plan, as_of: Day) -> Vec<(Option<Day>, Day)> {
    day_spans_of(&[plan], as_of)
}

/// [`day_spans`] for several plans at once (a city's plan and a commune's):
/// a board of any of them cannot tell the days of a span apart.
pub fn day_spans_of(plans: &[&Plan], as_of: Day) -> Vec<(Option<Day>, Day)> {
    // Days on which a span begins: where a window opens or has closed,
    // and the day after each look-back day and after `as_of`.
    let mut starts: Vec<Day> = Vec::new();
    for plan in plans {
        for t in &plan.targets {
            let w = plan.target_window(t);
            let then_day = as_of.min(w.end).plus(-14).max(w.start.plus(-1));
            starts.extend([w.start, w.end.plus(1), then_day.plus(1)]);
        }
    }
    let end = as_of.plus(1);
    starts.retain(|d| *d < end);
    starts.sort();
    starts.dedup();
    let mut spans = Vec::with_capacity(starts.len() + 1);
    let mut first = None;
    for s in starts.into_iter().chain([end]) {
        spans.push((first, s.plus(-1)));
        first = Some(s);
    }
    spans
}

impl Facts {
    /// These facts with turns and reach summed per span of
    /// [`day_spans`] and dated on each span's last day (what the store's
    /// city roll-up reads): the board as of `as_of` is the same.
    pub fn in_spans(&self, plan: &Plan, as_of: Day) -> Facts {
        self.summed_in(&day_spans(plan, as_of))
    }

    /// These facts up to the last span's end, turns and reach summed per
    /// span and dated on each span's last day.
    pub fn summed_in(&self, spans: &[(Option<Day>, Day)]) -> Facts {
        let as_of = spans.last().map_or(Day::from_ymd(1, 1, 1).expect("a day"), |s| s.1);
        let last_of = |d: Day| spans.iter().find(|(_, last)| d <= *last).map(|(_, last)| *last);
        let mut turns: BTreeMap<(&str, &str, Day), u32> = BTreeMap::new();
        for x in &self.turns {
            if let Some(d) = last_of(x.day) {
                *turns.entry((&x.line_id, &x.unit_id, d)).or_default() += x.n;
            }
        }
        let mut reach: BTreeMap<(&str, &str, Day), u32> = BTreeMap::new();
        for r in &self.reach {
            if let Some(d) = last_of(r.day) {
                *reach.entry((&r.target_id, &r.unit_id, d)).or_default() += r.n;
            }
        }
        Facts {
            units: self.units.clone(),
            classes: self.classes.clone(),
            roster_sizes: self.roster_sizes.clone(),
            sessions: self.sessions.iter().filter(|s| s.day <= as_of).cloned().collect(),
            turns: turns
                .into_iter()
                .map(|((l, u, day), n)| TurnGroup {
                    line_id: l.to_string(),
                    unit_id: u.to_string(),
                    day,
                    n,
                })
                .collect(),
            reach: reach
                .into_iter()
                .map(|((t, u, day), n)| ReachGroup {
                    target_id: t.to_string(),
                    unit_id: u.to_string(),
                    day,
                    n,
                })
                .collect(),
            unit_met: self.unit_met.iter().filter(|m| m.day <= as_of).cloned().collect(),
        }
    }
}

// ------------------------------------------------------------------ values

/// Where a coverage denominator came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DenominatorSource {
    Roster,
    /// A unit's declared population stood in for an incomplete roster.
    DeclaredPopulation,
    Mixed,
}

impl DenominatorSource {
    pub fn as_str(self) -> &'static str {
        match self {
            DenominatorSource::Roster => "roster",
            DenominatorSource::DeclaredPopulation => "declared_population",
            DenominatorSource::Mixed => "mixed",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            DenominatorSource::Roster => "theo danh sách",
            DenominatorSource::DeclaredPopulation => "theo số liệu khai báo",
            DenominatorSource::Mixed => "theo danh sách và số liệu khai báo",
        }
    }
}

/// One unit's (or class's) share of a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnitValue {
    pub id: String,
    pub value: f64,
    /// The unit (cell) meets its own part of the target.
    pub met: bool,
    /// Roster coverage: this unit's denominator came from its declared population.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub declared: bool,
    /// Roster coverage: people reached and the unit's denominator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub of: Option<(u64, u64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TargetValue {
    pub target_id: String,
    /// The figure compared with the threshold (a percentage, a count, or the
    /// lowest per-unit count for `min_per_unit`).
    pub value: f64,
    pub numerator: f64,
    pub denominator: Option<f64>,
    pub denominator_source: Option<DenominatorSource>,
    pub met: bool,
    /// The window has not opened by `as_of`.
    pub not_started: bool,
    pub per_unit: Vec<UnitValue>,
    /// Rate targets: qualifying sessions per subject (aligned with
    /// `per_unit`) and week of the window up to `as_of`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub grid: Vec<Vec<u32>>,
}

fn units_in_scope<'a>(t: &TargetDef, facts: &'a Facts) -> Vec<&'a FactUnit> {
    facts
        .units
        .iter()
        .filter(|u| u.active && Some(u.kind) == t.unit_kind && (!t.only_smart_classroom || u.has_smart_classroom))
        .collect()
}

fn pct(num: f64, den: f64) -> f64 {
    if den <= 0.0 { 0.0 } else { 100.0 * num / den }
}

/// Evaluates one target as of a day.
pub fn evaluate(plan: &Plan, t: &TargetDef, facts: &Facts, as_of: Day) -> TargetValue {
    let w = plan.target_window(t);
    let in_range = |d: Day| d <= as_of && w.contains(d);
    let sessions = facts.sessions.iter().filter(|s| {
        t.records.contains(&RecordKind::Session)
            && in_range(s.day)
            && qualifies_line(t, &s.line_id)
            && qualifies_kind(t, s.kind)
    });
    let turns = facts
        .turns
        .iter()
        .filter(|x| t.records.contains(&RecordKind::SupportTurn) && in_range(x.day) && qualifies_line(t, &x.line_id));
    let mut out = TargetValue {
        target_id: t.id.clone(),
        value: 0.0,
        numerator: 0.0,
        denominator: None,
        denominator_source: None,
        met: false,
        not_started: as_of < w.start,
        per_unit: Vec::new(),
        grid: Vec::new(),
    };
    match t.measure {
        Measure::Count => {
            let n: u64 = sessions.map(|s| s.n as u64).sum::<u64>() + turns.map(|x| x.n as u64).sum::<u64>();
            out.numerator = n as f64;
            out.value = n as f64;
        }
        Measure::UnitCoverage | Measure::MinPerUnit => {
            let mut counts: BTreeMap<&str, f64> =
                units_in_scope(t, facts).iter().map(|u| (u.id.as_str(), 0.0)).collect();
            for (u, n) in sessions
                .map(|s| (s.unit_id.as_str(), s.n))
                .chain(turns.map(|x| (x.unit_id.as_str(), x.n)))
            {
                if let Some(c) = counts.get_mut(u) {
                    *c += n as f64;
                }
            }
            let unit_goal = unit_goal(t);
            out.per_unit = counts
                .iter()
                .map(|(id, v)| UnitValue {
                    id: id.to_string(),
                    value: *v,
                    met: *v >= unit_goal,
                    declared: false,
                    of: None,
                })
                .collect();
            if t.measure == Measure::UnitCoverage {
                let covered = out.per_unit.iter().filter(|u| u.met).count() as f64;
                out.numerator = covered;
                out.denominator = Some(counts.len() as f64);
                out.value = pct(covered, counts.len() as f64);
            } else {
                out.value = out.per_unit.iter().map(|u| u.value).fold(f64::INFINITY, f64::min);
                if !out.value.is_finite() {
                    out.value = 0.0;
                }
                out.numerator = out.per_unit.iter().map(|u| u.value).sum();
            }
        }
        Measure::RosterCoverage => {
            let roster = t.roster.unwrap_or(Roster::Children);
            let mut reached: HashMap<&str, u32> = HashMap::new();
            for r in facts.reach.iter().filter(|r| r.target_id == t.id && in_range(r.day)) {
                *reached.entry(r.unit_id.as_str()).or_default() += r.n;
            }
            let rostered: HashMap<&str, u32> = facts
                .roster_sizes
                .iter()
                .filter(|s| s.roster == roster)
                .map(|s| (s.unit_id.as_str(), s.count))
                .collect();
            // Denominator per unit: the roster's active people, or the declared
            // population where it is larger (the roster is then incomplete).
            let (mut num, mut den) = (0.0, 0.0);
            let (mut from_roster, mut from_population) = (false, false);
            for u in facts.units.iter().filter(|u| u.active) {
                let on_roster = rostered.get(u.id.as_str()).copied().unwrap_or(0) as i64;
                let declared = u.populations.get(&roster).copied().unwrap_or(0);
                if on_roster == 0 && declared == 0 {
                    continue;
                }
                let pop = declared > on_roster;
                let d = if pop { declared } else { on_roster };
                from_population |= pop;
                from_roster |= !pop;
                let got = reached.get(u.id.as_str()).copied().unwrap_or(0) as f64;
                num += got;
                den += d as f64;
                let v = pct(got, d as f64);
                out.per_unit.push(UnitValue {
                    id: u.id.clone(),
                    value: v,
                    met: t.comparator.holds(v, t.threshold),
                    declared: pop,
                    of: Some((got as u64, d.max(0) as u64)),
                });
            }
            out.numerator = num;
            out.denominator = Some(den);
            out.denominator_source = match (from_roster, from_population) {
                (true, true) => Some(DenominatorSource::Mixed),
                (false, true) => Some(DenominatorSource::DeclaredPopulation),
                (true, false) => Some(DenominatorSource::Roster),
                (false, false) => None,
            };
            out.value = pct(num, den);
        }
        Measure::UnitTargetShare => {
            // Each unit's own target as of the day: the last word on it up to then.
            let mut met = 0usize;
            let units = units_in_scope(t, facts);
            for u in &units {
                let ok = facts
                    .unit_met
                    .iter()
                    .filter(|m| m.target_id == t.id && m.unit_id == u.id && m.day <= as_of)
                    .max_by_key(|m| m.day)
                    .is_some_and(|m| m.met);
                met += usize::from(ok);
                out.per_unit.push(UnitValue {
                    id: u.id.clone(),
                    value: if ok { 1.0 } else { 0.0 },
                    met: ok,
                    declared: false,
                    of: None,
                });
            }
            out.numerator = met as f64;
            out.denominator = Some(units.len() as f64);
            out.value = pct(met as f64, units.len() as f64);
        }
        Measure::RatePerUnitPeriod => {
            // Cells: every active class of a unit in scope × every week of the window up to as_of.
            let units: Vec<&str> = units_in_scope(t, facts).iter().map(|u| u.id.as_str()).collect();
            let classes: Vec<&FactClass> = facts
                .classes
                .iter()
                .filter(|c| c.active && units.contains(&c.unit_id.as_str()))
                .collect();
            let weeks = weeks_until(&w, as_of);
            let week_of = |d: Day| (d.since(w.start) / 7) as usize;
            let mut hits: HashMap<(&str, usize), u32> = HashMap::new();
            for s in sessions {
                if let Some(c) = s.class_id.as_deref() {
                    *hits.entry((c, week_of(s.day))).or_default() += s.n;
                }
            }
            let per = t.per_unit.unwrap_or(1);
            let mut covered = 0usize;
            for c in &classes {
                let row: Vec<u32> = (0..weeks)
                    .map(|wk| hits.get(&(c.id.as_str(), wk)).copied().unwrap_or(0))
                    .collect();
                let got = row.iter().filter(|h| **h >= per).count();
                covered += got;
                let v = pct(got as f64, weeks as f64);
                out.per_unit.push(UnitValue {
                    id: c.id.clone(),
                    value: v,
                    met: t.comparator.holds(v, t.threshold),
                    declared: false,
                    of: None,
                });
                out.grid.push(row);
            }
            out.numerator = covered as f64;
            out.denominator = Some((classes.len() * weeks) as f64);
            out.value = pct(covered as f64, (classes.len() * weeks) as f64);
        }
    }
    out.met = !out.not_started && t.comparator.holds(out.value, t.threshold) && out.denominator.is_none_or(|d| d > 0.0);
    if t.measure == Measure::MinPerUnit && out.per_unit.is_empty() {
        out.met = false;
    }
    out
}

/// Weeks of a window (counted from its first day) that have begun by `as_of`.
pub fn weeks_until(w: &Window, as_of: Day) -> usize {
    let last = as_of.min(w.end);
    if last < w.start {
        0
    } else {
        (last.since(w.start) / 7 + 1) as usize
    }
}

/// What one unit (or class) must reach by the end of the window.
fn unit_goal(t: &TargetDef) -> f64 {
    match t.measure {
        Measure::MinPerUnit | Measure::RosterCoverage | Measure::RatePerUnitPeriod => t.threshold,
        _ => t.per_unit.unwrap_or(1) as f64,
    }
}

/// Evaluates every target of the plan.
pub fn evaluate_all(plan: &Plan, facts: &Facts, as_of: Day) -> Vec<TargetValue> {
    plan.targets.iter().map(|t| evaluate(plan, t, facts, as_of)).collect()
}

// ---------------------------------------------------- status, pace, forecast

/// Where a target stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The window has not opened.
    NotYet,
    /// The window is open and nothing counts yet.
    NotStarted,
    Met,
    OnTrack,
    /// Below a steady pace, but a forecast still reaches the target.
    Behind,
    /// Below pace and no forecast reaches the target.
    AtRisk,
    /// The window has closed (as of its last day or later) short of the target.
    Failed,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::NotYet => "chưa đến thời gian",
            Status::NotStarted => "chưa bắt đầu",
            Status::Met => "đạt",
            Status::OnTrack => "đúng tiến độ",
            Status::Behind => "chậm",
            Status::AtRisk => "có nguy cơ không đạt",
            Status::Failed => "không đạt",
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotYet => "not_yet",
            Status::NotStarted => "not_started",
            Status::Met => "met",
            Status::OnTrack => "on_track",
            Status::Behind => "behind",
            Status::AtRisk => "at_risk",
            Status::Failed => "failed",
        }
    }
}

/// A unit (or class) measured against its share of a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Laggard {
    pub id: String,
    pub value: f64,
    /// Where a steady pace would have it by `as_of`.
    pub expected: f64,
    /// What it must reach by the end.
    pub goal: f64,
    /// (value − expected) / goal: negative is behind its share.
    pub gap: f64,
    /// Short of its goal and behind its share: it holds the target back.
    pub holds_back: bool,
}

/// A target on the board: value, status, pace, forecasts and laggards.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Standing {
    #[serde(flatten)]
    pub value: TargetValue,
    pub status: Status,
    /// Days of the window elapsed by `as_of` and in all.
    pub elapsed_days: i64,
    pub window_days: i64,
    /// The value a steady pace from the window's start would reach by `as_of`.
    pub expected: f64,
    /// End value if the pace so far continues.
    pub forecast_pace: Option<f64>,
    /// End value if the pace of the last two weeks continues.
    pub forecast_recent: Option<f64>,
    /// Where a steady pace would have each unit (or class) by `as_of`.
    pub unit_expected: f64,
    /// Units (or classes) ranked from furthest behind their share.
    pub laggards: Vec<Laggard>,
}

fn is_rate(t: &TargetDef) -> bool {
    t.measure == Measure::RatePerUnitPeriod
}

fn cap(t: &TargetDef, v: f64) -> f64 {
    if t.threshold_unit == ThresholdUnit::Percent {
        v.min(100.0)
    } else {
        v
    }
}

/// Linear extrapolations of a cumulative figure to the window's end.
fn extrapolate(now: f64, then: f64, elapsed: i64, span: i64, remaining: i64) -> (Option<f64>, Option<f64>) {
    let pace = (elapsed > 0).then(|| now / elapsed as f64 * (elapsed + remaining) as f64);
    let recent = (span > 0).then(|| now + (now - then) / span as f64 * remaining as f64);
    (pace, recent)
}

/// Status, pace, forecasts and laggards of one target as of a day.
pub fn standing(plan: &Plan, t: &TargetDef, facts: &Facts, as_of: Day) -> Standing {
    let w = plan.target_window(t);
    let value = evaluate(plan, t, facts, as_of);
    let window_days = w.days();
    let elapsed = (as_of.since(w.start) + 1).clamp(0, window_days);
    let remaining = window_days - elapsed;
    let f = elapsed as f64 / window_days as f64;
    // Two weeks back, or the window's start if it opened more recently.
    let then_day = as_of.min(w.end).plus(-14).max(w.start.plus(-1));
    let span = as_of.min(w.end).since(then_day).max(0);
    let then = evaluate(plan, t, facts, then_day);
    let goal = unit_goal(t);

    let (expected, forecast_pace, forecast_recent) = if is_rate(t) {
        // A rate is judged week by week: the pace is the target itself.
        let cells_now = value.denominator.unwrap_or(0.0);
        let cells_then = then.denominator.unwrap_or(0.0);
        let recent = (cells_now > cells_then).then(|| pct(value.numerator - then.numerator, cells_now - cells_then));
        (t.threshold, (elapsed > 0).then_some(value.value), recent)
    } else if t.measure == Measure::MinPerUnit {
        // The lowest unit decides: forecast each unit, then take the lowest.
        let mut lows = (f64::INFINITY, f64::INFINITY);
        for u in &value.per_unit {
            let before = then.per_unit.iter().find(|x| x.id == u.id).map_or(0.0, |x| x.value);
            let (p, r) = extrapolate(u.value, before, elapsed, span, remaining);
            lows.0 = lows.0.min(p.unwrap_or(0.0));
            lows.1 = lows.1.min(r.unwrap_or(0.0));
        }
        let ok = !value.per_unit.is_empty() && elapsed > 0;
        (
            t.threshold * f,
            ok.then_some(lows.0),
            (ok && span > 0).then_some(lows.1),
        )
    } else {
        let (p, r) = extrapolate(value.value, then.value, elapsed, span, remaining);
        (t.threshold * f, p.map(|v| cap(t, v)), r.map(|v| cap(t, v)))
    };

    // Figures "as of" a day count that whole day, so once `as_of` reaches
    // the window's last day the window is closed and the status is final:
    // đạt or không đạt, never a forecast (a report signed after the end
    // says what was achieved).
    let status = if as_of < w.start {
        Status::NotYet
    } else if as_of >= w.end {
        if value.met { Status::Met } else { Status::Failed }
    } else if is_rate(t) && value.met {
        // A rate is only "đạt" once its window has closed.
        Status::OnTrack
    } else if value.met {
        Status::Met
    } else if value.numerator <= 0.0 {
        Status::NotStarted
    } else if !is_rate(t) && value.value >= expected {
        Status::OnTrack
    } else {
        let best = forecast_pace.unwrap_or(0.0).max(forecast_recent.unwrap_or(0.0));
        if t.comparator.holds(best, t.threshold) {
            Status::Behind
        } else {
            Status::AtRisk
        }
    };

    let unit_expected = if is_rate(t) { goal } else { goal * f };
    let mut laggards: Vec<Laggard> = value
        .per_unit
        .iter()
        .map(|u| Laggard {
            id: u.id.clone(),
            value: u.value,
            expected: unit_expected,
            goal,
            gap: if goal > 0.0 {
                (u.value - unit_expected) / goal
            } else {
                0.0
            },
            holds_back: as_of >= w.start && !u.met && u.value < unit_expected,
        })
        .collect();
    laggards.sort_by(|a, b| a.gap.total_cmp(&b.gap).then_with(|| a.id.cmp(&b.id)));

    Standing {
        value,
        status,
        elapsed_days: elapsed,
        window_days,
        expected,
        forecast_pace,
        forecast_recent,
        unit_expected,
        laggards,
    }
}

/// Every target of the plan as of a day.
pub fn board(plan: &Plan, facts: &Facts, as_of: Day) -> Vec<Standing> {
    plan.targets.iter().map(|t| standing(plan, t, facts, as_of)).collect()
}

/// Held sessions per activity line up to `as_of` (for the timeline).
pub fn sessions_per_line(facts: &Facts, as_of: Day) -> BTreeMap<String, u32> {
    let mut out = BTreeMap::new();
    for s in facts.sessions.iter().filter(|s| s.day <= as_of) {
        *out.entry(s.line_id.clone()).or_default() += s.n;
    }
    out
}

/// Turns and held sessions per unit up to `as_of` (for the units table).
pub fn unit_totals(facts: &Facts, as_of: Day) -> BTreeMap<String, (u64, u64)> {
    let mut out: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for x in facts.turns.iter().filter(|x| x.day <= as_of) {
        out.entry(x.unit_id.clone()).or_default().0 += x.n as u64;
    }
    for s in facts.sessions.iter().filter(|s| s.day <= as_of) {
        out.entry(s.unit_id.clone()).or_default().1 += s.n as u64;
    }
    out
}

// ---------------------------------------------------------- traceability

/// The records behind a figure: which kinds, lines, session kinds and days,
/// and optionally one unit or class. Pages and the API list exactly these.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordQuery {
    pub target_id: String,
    pub records: Vec<RecordKind>,
    pub lines: Vec<String>,
    pub session_kinds: Vec<SessionKind>,
    pub from: Day,
    /// Last day included: the earlier of `as_of` and the window's end.
    pub to: Day,
    pub unit_id: Option<String>,
    pub class_id: Option<String>,
    pub roster: Option<Roster>,
}

/// The records behind target `t` as of a day, for the whole target or one unit
/// (a class for rate targets).
pub fn record_query(plan: &Plan, t: &TargetDef, as_of: Day, subject: Option<&str>) -> RecordQuery {
    let w = plan.target_window(t);
    let (unit_id, class_id) = match subject {
        Some(s) if is_rate(t) => (None, Some(s.to_string())),
        Some(s) => (Some(s.to_string()), None),
        None => (None, None),
    };
    RecordQuery {
        target_id: t.id.clone(),
        records: t.records.clone(),
        lines: t.lines.clone(),
        session_kinds: t.session_kinds.clone(),
        from: w.start,
        to: as_of.min(w.end),
        unit_id,
        class_id,
        roster: (t.measure == Measure::RosterCoverage).then(|| t.roster.unwrap_or(Roster::Children)),
    }
}
