//! The target engine on hand-made facts: the counting rules and their edges.

use std::collections::HashMap;

use kehoach_core::engine::*;
use kehoach_core::*;

fn d(m: u8, dd: u8) -> Day {
    Day::from_ymd(2026, m, dd).unwrap()
}

fn unit(id: &str, kind: UnitKind) -> FactUnit {
    FactUnit {
        id: id.into(),
        kind,
        has_smart_classroom: kind == UnitKind::School,
        active: true,
        populations: HashMap::new(),
    }
}

fn session(id: &str, line: &str, unit: &str, kind: SessionKind, day: Day) -> FactSession {
    FactSession {
        id: id.into(),
        line_id: line.into(),
        unit_id: unit.into(),
        class_id: None,
        kind,
        held: true,
        day,
        deleted: false,
    }
}

fn turn(id: &str, unit: &str, day: Day) -> FactTurn {
    FactTurn {
        id: id.into(),
        line_id: "l3-support".into(),
        unit_id: unit.into(),
        day,
        by_person: None,
        deleted: false,
    }
}

fn value(facts: &Facts, id: &str, as_of: Day) -> TargetValue {
    let p = seed_plan();
    evaluate(&p, p.target(id).unwrap(), facts, as_of)
}

fn villages() -> Facts {
    Facts {
        units: vec![unit("a", UnitKind::Village), unit("b", UnitKind::Village)],
        ..Default::default()
    }
}

#[test]
fn t1_village_coverage_counts_held_line4_sessions_in_the_window_up_to_as_of() {
    let mut f = villages();
    f.sessions.push(session(
        "s1",
        "l4-binh-dan-hoc-vu-so",
        "a",
        SessionKind::Guidance,
        d(7, 3),
    ));
    let mut planned = session("s2", "l4-binh-dan-hoc-vu-so", "b", SessionKind::Guidance, d(7, 20));
    planned.held = false;
    f.sessions.push(planned);
    let v = value(&f, "T1", d(7, 31));
    assert_eq!(
        (v.numerator, v.denominator, v.value, v.met),
        (1.0, Some(2.0), 50.0, false)
    );
    assert!(
        !v.per_unit.iter().find(|u| u.id == "b").unwrap().met,
        "village b is named as lagging"
    );
    // A window not yet open.
    let early = value(&f, "T1", d(6, 20));
    assert!(early.not_started && !early.met);
    // A record dated after as-of does not count; a deleted one neither.
    f.sessions.push(session(
        "s3",
        "l4-binh-dan-hoc-vu-so",
        "b",
        SessionKind::Guidance,
        d(7, 25),
    ));
    assert_eq!(value(&f, "T1", d(7, 24)).value, 50.0);
    assert_eq!(value(&f, "T1", d(7, 25)).value, 100.0);
    f.sessions.last_mut().unwrap().deleted = true;
    assert_eq!(value(&f, "T1", d(7, 31)).value, 50.0);
}

#[test]
fn t6_every_village_needs_200_turns_and_a_village_without_turns_holds_it_back() {
    let mut f = villages();
    for i in 0..250 {
        f.turns.push(turn(&format!("t{i}"), "a", d(7, 1 + (i % 28) as u8)));
    }
    let v = value(&f, "T6", d(8, 31));
    assert_eq!(v.value, 0.0, "the lowest village is b with no turns");
    assert!(!v.met);
    assert_eq!(
        v.per_unit,
        vec![
            UnitValue {
                id: "a".into(),
                value: 250.0,
                met: true
            },
            UnitValue {
                id: "b".into(),
                value: 0.0,
                met: false
            }
        ]
    );
    for i in 0..200 {
        f.turns.push(turn(&format!("u{i}"), "b", d(8, 1)));
    }
    assert!(value(&f, "T6", d(8, 31)).met);
    // Turns before line 3's window (10/6) do not count.
    f.turns.push(turn("early", "b", d(6, 5)));
    assert_eq!(value(&f, "T6", d(8, 31)).per_unit[1].value, 200.0);
}

#[test]
fn t8_counts_a_person_once_strictly_above_80_percent_with_population_fallback() {
    let mut f = villages();
    for i in 0..10 {
        f.people.push(FactPerson {
            id: format!("c{i}"),
            roster: Roster::Children,
            unit_id: "a".into(),
            active: true,
        });
    }
    f.sessions.push(session(
        "s1",
        "l5-children-skills",
        "a",
        SessionKind::Training,
        d(7, 10),
    ));
    f.sessions.push(session(
        "s2",
        "l5-children-skills",
        "a",
        SessionKind::Training,
        d(7, 17),
    ));
    for i in 0..8 {
        for s in ["s1", "s2"] {
            f.attendances.push(FactAttendance {
                session_id: s.into(),
                person_id: format!("c{i}"),
                deleted: false,
            });
        }
    }
    let v = value(&f, "T8", d(8, 31));
    assert_eq!(
        (v.numerator, v.denominator, v.value),
        (8.0, Some(10.0), 80.0),
        "each child once though present twice"
    );
    assert!(!v.met, "exactly 80 % is not more than 80 %");
    f.attendances.push(FactAttendance {
        session_id: "s1".into(),
        person_id: "c8".into(),
        deleted: false,
    });
    assert!(value(&f, "T8", d(8, 31)).met);
    assert_eq!(
        value(&f, "T8", d(8, 31)).denominator_source,
        Some(DenominatorSource::Roster)
    );
    // Village b has no roster but declares 40 children: it stands in, flagged.
    f.units[1].populations.insert(Roster::Children, 40);
    let v = value(&f, "T8", d(8, 31));
    assert_eq!(
        (v.denominator, v.denominator_source),
        (Some(50.0), Some(DenominatorSource::Mixed))
    );
    assert!(!v.met);
}

#[test]
fn t2_counts_members_by_their_turns_or_line3_attendance() {
    let mut f = villages();
    for i in 0..4 {
        f.people.push(FactPerson {
            id: format!("m{i}"),
            roster: Roster::YouthMembers,
            unit_id: "a".into(),
            active: true,
        });
    }
    let mut t = turn("t1", "a", d(7, 1));
    t.by_person = Some("m0".into());
    f.turns.push(t.clone());
    t.id = "t2".into();
    f.turns.push(t);
    f.sessions
        .push(session("s1", "l3-support", "a", SessionKind::Guidance, d(7, 2)));
    f.attendances.push(FactAttendance {
        session_id: "s1".into(),
        person_id: "m1".into(),
        deleted: false,
    });
    f.attendances.push(FactAttendance {
        session_id: "s1".into(),
        person_id: "m2".into(),
        deleted: true,
    });
    let v = value(&f, "T2", d(8, 31));
    assert_eq!((v.numerator, v.value), (2.0, 50.0));
}

#[test]
fn t7_only_schools_with_a_smart_classroom_and_r6_class_weeks() {
    let mut f = Facts {
        units: vec![unit("s1", UnitKind::School), unit("s2", UnitKind::School)],
        ..Default::default()
    };
    f.units[1].has_smart_classroom = false;
    f.classes.push(FactClass {
        id: "5a".into(),
        unit_id: "s1".into(),
        active: true,
    });
    f.classes.push(FactClass {
        id: "x".into(),
        unit_id: "s2".into(),
        active: true,
    });
    let mut s = session("e1", "l6-smart-classroom", "s1", SessionKind::Experience, d(6, 2));
    s.class_id = Some("5a".into());
    f.sessions.push(s.clone());
    let t7 = value(&f, "T7", d(8, 31));
    assert_eq!(
        (t7.denominator, t7.value, t7.met),
        (Some(1.0), 100.0, true),
        "the school without a smart classroom is outside"
    );
    // 01/6–14/6 is two weeks; one of them has a session for 5A.
    let r6 = value(&f, "R6", d(6, 14));
    assert_eq!((r6.numerator, r6.denominator, r6.value), (1.0, Some(2.0), 50.0));
    s.id = "e2".into();
    s.day = d(6, 9);
    f.sessions.push(s);
    assert_eq!(value(&f, "R6", d(6, 14)).value, 100.0);
}

#[test]
fn t4_t5_count_sessions_of_their_lines_and_kinds() {
    let mut f = Facts {
        units: vec![unit("vh", UnitKind::Agency), unit("a", UnitKind::Village)],
        ..Default::default()
    };
    f.sessions.push(session(
        "k1",
        "l6-officials-training",
        "vh",
        SessionKind::Training,
        d(7, 5),
    ));
    f.sessions.push(session(
        "k2",
        "l6-officials-training",
        "vh",
        SessionKind::Training,
        d(8, 5),
    ));
    f.sessions
        .push(session("p1", "l2-propaganda", "vh", SessionKind::Propaganda, d(6, 5)));
    f.sessions.push(session(
        "g1",
        "l4-binh-dan-hoc-vu-so",
        "a",
        SessionKind::Guidance,
        d(7, 5),
    ));
    f.sessions
        .push(session("x1", "l1-launch", "vh", SessionKind::Conference, d(6, 10)));
    assert!(value(&f, "T4", d(8, 31)).met);
    assert!(!value(&f, "T4", d(7, 31)).met);
    let t5 = value(&f, "T5", d(8, 31));
    assert_eq!((t5.value, t5.met), (2.0, false));
    assert_eq!(evaluate_all(&seed_plan(), &f, d(8, 31)).len(), 9);
}
