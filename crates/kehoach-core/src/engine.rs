//! The target engine: evaluates a plan's target definitions from records as
//! of a date. Pure: the caller loads the facts and passes `as_of`.
//!
//! Counting rules (docs/product.md): a person counts once however many
//! records; a turn is a turn; deleted records, records dated after `as_of`
//! and records outside the target's window do not count; only held sessions
//! count. Status, pace and forecast build on these values (issue 4, next).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::day::Day;
use crate::model::*;

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

/// Everything the engine reads.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub units: Vec<FactUnit>,
    pub classes: Vec<FactClass>,
    pub people: Vec<FactPerson>,
    pub sessions: Vec<FactSession>,
    pub attendances: Vec<FactAttendance>,
    pub turns: Vec<FactTurn>,
}

/// Where a coverage denominator came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenominatorSource {
    Roster,
    /// A unit's declared population stood in for an incomplete roster.
    DeclaredPopulation,
    Mixed,
}

/// One unit's (or class's) share of a target.
#[derive(Debug, Clone, PartialEq)]
pub struct UnitValue {
    pub id: String,
    pub value: f64,
    /// The unit (cell) meets its own part of the target.
    pub met: bool,
}

#[derive(Debug, Clone, PartialEq)]
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
}

fn qualifies_line(t: &TargetDef, line: &str) -> bool {
    t.lines.is_empty() || t.lines.iter().any(|l| l == line)
}

fn live_session<'a>(t: &TargetDef, w: &Window, as_of: Day, s: &'a FactSession) -> Option<&'a FactSession> {
    let kind_ok = t.session_kinds.is_empty() || t.session_kinds.contains(&s.kind);
    (s.held && !s.deleted && s.day <= as_of && w.contains(s.day) && qualifies_line(t, &s.line_id) && kind_ok)
        .then_some(s)
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
    let sessions: Vec<&FactSession> = facts
        .sessions
        .iter()
        .filter_map(|s| live_session(t, &w, as_of, s))
        .collect();
    let turns: Vec<&FactTurn> = if t.records.contains(&RecordKind::SupportTurn) {
        facts
            .turns
            .iter()
            .filter(|x| !x.deleted && x.day <= as_of && w.contains(x.day) && qualifies_line(t, &x.line_id))
            .collect()
    } else {
        Vec::new()
    };
    let count_sessions = t.records.contains(&RecordKind::Session);
    let mut out = TargetValue {
        target_id: t.id.clone(),
        value: 0.0,
        numerator: 0.0,
        denominator: None,
        denominator_source: None,
        met: false,
        not_started: as_of < w.start,
        per_unit: Vec::new(),
    };
    match t.measure {
        Measure::Count => {
            let n = if count_sessions { sessions.len() } else { 0 } + turns.len();
            out.numerator = n as f64;
            out.value = n as f64;
        }
        Measure::UnitCoverage | Measure::MinPerUnit => {
            let per = t.per_unit.unwrap_or(1) as f64;
            let mut counts: BTreeMap<&str, f64> =
                units_in_scope(t, facts).iter().map(|u| (u.id.as_str(), 0.0)).collect();
            if count_sessions {
                for s in &sessions {
                    if let Some(c) = counts.get_mut(s.unit_id.as_str()) {
                        *c += 1.0;
                    }
                }
            }
            for x in &turns {
                if let Some(c) = counts.get_mut(x.unit_id.as_str()) {
                    *c += 1.0;
                }
            }
            let unit_goal = if t.measure == Measure::MinPerUnit {
                t.threshold
            } else {
                per
            };
            out.per_unit = counts
                .iter()
                .map(|(id, v)| UnitValue {
                    id: id.to_string(),
                    value: *v,
                    met: *v >= unit_goal,
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
            let people: HashMap<&str, &FactPerson> = facts
                .people
                .iter()
                .filter(|p| p.roster == roster)
                .map(|p| (p.id.as_str(), p))
                .collect();
            let mut reached: BTreeSet<&str> = BTreeSet::new();
            if t.records.contains(&RecordKind::Attendance) {
                let held: BTreeSet<&str> = sessions.iter().map(|s| s.id.as_str()).collect();
                for a in facts
                    .attendances
                    .iter()
                    .filter(|a| !a.deleted && held.contains(a.session_id.as_str()))
                {
                    if people.contains_key(a.person_id.as_str()) {
                        reached.insert(a.person_id.as_str());
                    }
                }
            }
            for x in &turns {
                if let Some(p) = x.by_person.as_deref()
                    && people.contains_key(p)
                {
                    reached.insert(p);
                }
            }
            // Denominator per unit: the roster's active people, or the declared
            // population where it is larger (the roster is then incomplete).
            let mut den = 0.0;
            let (mut from_roster, mut from_population) = (false, false);
            let mut per_unit = Vec::new();
            for u in facts.units.iter().filter(|u| u.active) {
                let rostered = people.values().filter(|p| p.unit_id == u.id && p.active).count() as i64;
                let declared = u.populations.get(&roster).copied().unwrap_or(0);
                if rostered == 0 && declared == 0 {
                    continue;
                }
                let (d, pop) = if declared > rostered {
                    (declared, true)
                } else {
                    (rostered, false)
                };
                from_population |= pop;
                from_roster |= !pop;
                den += d as f64;
                let got = reached
                    .iter()
                    .filter(|p| people.get(*p).is_some_and(|x| x.unit_id == u.id))
                    .count() as f64;
                let v = pct(got, d as f64);
                per_unit.push(UnitValue {
                    id: u.id.clone(),
                    value: v,
                    met: t.comparator.holds(v, t.threshold),
                });
            }
            out.numerator = reached.len() as f64;
            out.denominator = Some(den);
            out.denominator_source = match (from_roster, from_population) {
                (true, true) => Some(DenominatorSource::Mixed),
                (false, true) => Some(DenominatorSource::DeclaredPopulation),
                (true, false) => Some(DenominatorSource::Roster),
                (false, false) => None,
            };
            out.value = pct(out.numerator, den);
            out.per_unit = per_unit;
        }
        Measure::RatePerUnitPeriod => {
            // Cells: every active class of a unit in scope × every week of the window up to as_of.
            let units: BTreeSet<&str> = units_in_scope(t, facts).iter().map(|u| u.id.as_str()).collect();
            let classes: Vec<&FactClass> = facts
                .classes
                .iter()
                .filter(|c| c.active && units.contains(c.unit_id.as_str()))
                .collect();
            let last = if as_of < w.end { as_of } else { w.end };
            let weeks = if last < w.start {
                0
            } else {
                ((last.0 - w.start.0).whole_days() / 7 + 1) as usize
            };
            let week_of = |d: Day| ((d.0 - w.start.0).whole_days() / 7) as usize;
            let mut hits: HashMap<(&str, usize), u32> = HashMap::new();
            for s in &sessions {
                if let Some(c) = s.class_id.as_deref() {
                    *hits.entry((c, week_of(s.day))).or_default() += 1;
                }
            }
            let per = t.per_unit.unwrap_or(1);
            let cells = classes.len() * weeks;
            let mut covered = 0usize;
            for c in &classes {
                let got = (0..weeks)
                    .filter(|wk| hits.get(&(c.id.as_str(), *wk)).copied().unwrap_or(0) >= per)
                    .count();
                covered += got;
                let v = pct(got as f64, weeks as f64);
                out.per_unit.push(UnitValue {
                    id: c.id.clone(),
                    value: v,
                    met: t.comparator.holds(v, t.threshold),
                });
            }
            out.numerator = covered as f64;
            out.denominator = Some(cells as f64);
            out.value = pct(covered as f64, cells as f64);
        }
    }
    out.met = !out.not_started && t.comparator.holds(out.value, t.threshold) && out.denominator.is_none_or(|d| d > 0.0);
    if t.measure == Measure::MinPerUnit && out.per_unit.is_empty() {
        out.met = false;
    }
    out
}

/// Evaluates every target of the plan.
pub fn evaluate_all(plan: &Plan, facts: &Facts, as_of: Day) -> Vec<TargetValue> {
    plan.targets.iter().map(|t| evaluate(plan, t, facts, as_of)).collect()
}
