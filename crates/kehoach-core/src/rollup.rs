//! A city's own plan, evaluated over its communes by the same engine: the
//! commune is the unit. "100% xã tổ chức ra quân" is a unit coverage of
//! communes (kind `commune`) by held sessions of a kind; "mỗi xã ít nhất 01
//! đội hình" a minimum per commune; "ít nhất 50.000 lượt người dân được hỗ
//! trợ" a count of every commune's turns; "trên 80% xã đạt chỉ tiêu T6" a
//! share of communes whose own plan's T6 is met ([`Measure::UnitTargetShare`]).
//! Status, pace, forecast and laggard communes follow as for a commune's
//! targets.
//!
//! A target over communes counts the records of any line of the communes'
//! plans, or, when it names lines, of the lines of those ids in each
//! commune's plan (the catalogue's shared ids); records are never matched by
//! their words.

use std::collections::BTreeMap;

use crate::engine::*;
use crate::plan::model::{Measure, Plan, UnitKind};
use crate::{Day, SessionKind};

/// One commune as its city reads it: its plan in use and its facts.
pub struct CommuneInput<'a> {
    pub id: &'a str,
    pub plan: &'a Plan,
    /// Exact at every span end of [`day_spans_of`] over the city's plan and
    /// this plan as of the day: facts day by day, or summed in those spans.
    pub facts: &'a Facts,
    /// A commune removed from the city's list counts nowhere.
    pub active: bool,
}

/// The facts of the city's plan as of `as_of`: its units are the communes,
/// each commune's live turns and held sessions are the commune's, and for
/// every target that counts communes meeting their own target, whether each
/// commune met it at each span end of the city's plan.
pub fn city_facts(city: &Plan, communes: &[CommuneInput<'_>], as_of: Day) -> Facts {
    let mut turns: BTreeMap<(&str, &str, Day), u32> = BTreeMap::new();
    let mut sessions: BTreeMap<(&str, &str, SessionKind, Day), u32> = BTreeMap::new();
    let mut unit_met = Vec::new();
    let ends: Vec<Day> = day_spans(city, as_of).into_iter().map(|s| s.1).collect();
    for c in communes {
        for x in &c.facts.turns {
            *turns.entry((&x.line_id, c.id, x.day)).or_default() += x.n;
        }
        for s in &c.facts.sessions {
            *sessions.entry((&s.line_id, c.id, s.kind, s.day)).or_default() += s.n;
        }
        for t in city.targets.iter().filter(|t| t.measure == Measure::UnitTargetShare) {
            let Some(own) = t
                .unit_target
                .as_deref()
                .and_then(|id| c.plan.targets.iter().find(|x| x.id == id))
            else {
                continue;
            };
            for day in &ends {
                unit_met.push(UnitMet {
                    target_id: t.id.clone(),
                    unit_id: c.id.to_string(),
                    day: *day,
                    met: evaluate(c.plan, own, c.facts, *day).met,
                });
            }
        }
    }
    Facts {
        units: communes
            .iter()
            .map(|c| FactUnit {
                id: c.id.to_string(),
                kind: UnitKind::Commune,
                has_smart_classroom: false,
                active: c.active,
                populations: Default::default(),
            })
            .collect(),
        turns: turns
            .into_iter()
            .map(|((l, u, day), n)| TurnGroup {
                line_id: l.to_string(),
                unit_id: u.to_string(),
                day,
                n,
            })
            .collect(),
        sessions: sessions
            .into_iter()
            .map(|((l, u, kind, day), n)| SessionGroup {
                line_id: l.to_string(),
                unit_id: u.to_string(),
                class_id: None,
                kind,
                day,
                n,
            })
            .collect(),
        unit_met,
        ..Default::default()
    }
}
