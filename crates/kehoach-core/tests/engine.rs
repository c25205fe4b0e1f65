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

fn value(records: &Records, id: &str, as_of: Day) -> TargetValue {
    let p = seed_plan();
    evaluate(&p, p.target(id).unwrap(), &Facts::from_records(&p, records), as_of)
}

fn villages() -> Records {
    Records {
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
                met: true,
                declared: false,
                of: None
            },
            UnitValue {
                id: "b".into(),
                value: 0.0,
                met: false,
                declared: false,
                of: None
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
    let mut f = Records {
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
    let mut f = Records {
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
    assert_eq!(
        evaluate_all(&seed_plan(), &Facts::from_records(&seed_plan(), &f), d(8, 31)).len(),
        9
    );
}

fn standing_of(records: &Records, id: &str, as_of: Day) -> Standing {
    let p = seed_plan();
    standing(&p, p.target(id).unwrap(), &Facts::from_records(&p, records), as_of)
}

#[test]
fn t6_pace_forecast_and_laggards_name_the_slow_village() {
    // Line 3 runs 10/6–31/8 (83 days). As of 20/7 (41 days in) a steady pace
    // would be 200 × 41/83 ≈ 98,8 turns per village.
    let mut f = villages();
    for i in 0..120 {
        f.turns.push(turn(&format!("a{i}"), "a", d(6, 10 + (i % 20) as u8)));
    }
    for i in 0..30 {
        f.turns.push(turn(&format!("b{i}"), "b", d(7, 10 + (i % 10) as u8)));
    }
    let s = standing_of(&f, "T6", d(7, 20));
    assert_eq!(s.elapsed_days, 41);
    assert_eq!(s.window_days, 83);
    assert!((s.expected - 200.0 * 41.0 / 83.0).abs() < 1e-9);
    assert_eq!(s.value.value, 30.0);
    assert_eq!(s.laggards[0].id, "b", "the furthest behind comes first");
    assert!(s.laggards[0].holds_back);
    assert!(!s.laggards[1].holds_back, "a is ahead of its share");
    // b's pace so far: 30 / 41 days × 83 ≈ 60,7 < 200; recent: 30 in the last
    // 14 days → 30 + 30/14 × 42 = 120 < 200: at risk.
    assert!((s.forecast_pace.unwrap() - 30.0 / 41.0 * 83.0).abs() < 1e-9);
    assert!((s.forecast_recent.unwrap() - 120.0).abs() < 1e-9);
    assert_eq!(s.status, Status::AtRisk);
    // With a fast last fortnight in b the recent forecast reaches 200 in b,
    // but a recorded nothing since June: its recent forecast stays at 120.
    for i in 0..60 {
        f.turns.push(turn(&format!("c{i}"), "b", d(7, 7 + (i % 14) as u8)));
    }
    assert_eq!(standing_of(&f, "T6", d(7, 20)).forecast_recent, Some(120.0));
    for i in 0..40 {
        f.turns.push(turn(&format!("e{i}"), "a", d(7, 7 + (i % 14) as u8)));
    }
    let s = standing_of(&f, "T6", d(7, 20));
    assert_eq!(s.status, Status::Behind, "{s:?}");
}

#[test]
fn a_closed_window_gives_a_final_status_at_any_as_of_date_after_it() {
    let p = seed_plan();
    let mut f = villages();
    for i in 0..30 {
        f.turns.push(turn(&format!("t{i}"), "a", d(7, 1 + (i % 20) as u8)));
    }
    let facts = Facts::from_records(&p, &f);
    for t in &p.targets {
        let end = p.target_window(t).end;
        for as_of in [end, end.plus(1), end.plus(94), Day::from_ymd(2027, 6, 1).unwrap()] {
            let s = standing(&p, t, &facts, as_of);
            assert!(
                matches!(s.status, Status::Met | Status::Failed),
                "{} as of {}: {:?} after its window closed on {}",
                t.id,
                as_of.vn(),
                s.status,
                end.vn()
            );
        }
        // The day before the last, the window is still open.
        let s = standing(&p, t, &facts, end.plus(-1));
        assert_ne!(s.status, Status::Failed, "{}: not final before the end", t.id);
    }
}

#[test]
fn statuses_over_the_life_of_a_target() {
    let mut f = villages();
    assert_eq!(standing_of(&f, "T1", d(6, 30)).status, Status::NotYet);
    assert_eq!(standing_of(&f, "T1", d(7, 5)).status, Status::NotStarted);
    for (i, u) in ["a", "b"].iter().enumerate() {
        f.sessions.push(session(
            &format!("s{i}"),
            "l4-binh-dan-hoc-vu-so",
            u,
            SessionKind::Guidance,
            d(7, 2 + i as u8),
        ));
    }
    assert_eq!(standing_of(&f, "T1", d(7, 5)).status, Status::Met);
    f.sessions[1].deleted = true;
    let s = standing_of(&f, "T1", d(7, 5));
    // Half the villages by 5/7 (5 of 31 days): ahead of a steady pace.
    assert_eq!((s.value.value, s.status), (50.0, Status::OnTrack));
    assert_eq!(standing_of(&f, "T1", d(8, 5)).status, Status::Failed);
    let after = standing_of(&f, "T1", d(8, 5));
    let named: Vec<&str> = after
        .laggards
        .iter()
        .filter(|l| l.holds_back)
        .map(|l| l.id.as_str())
        .collect();
    assert_eq!(named, ["b"]);
}

#[test]
fn record_query_covers_the_window_up_to_as_of_for_one_unit() {
    let p = seed_plan();
    let q = record_query(&p, p.target("T6").unwrap(), d(7, 15), Some("a"));
    assert_eq!((q.from, q.to), (d(6, 10), d(7, 15)));
    assert_eq!(q.unit_id.as_deref(), Some("a"));
    let q = record_query(&p, p.target("R6").unwrap(), d(9, 15), Some("5a"));
    assert_eq!((q.to, q.class_id.as_deref()), (d(8, 31), Some("5a")));
}

// ------------------------------------------------------------ property test

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

fn random_records(rng: &mut Rng) -> Records {
    let mut r = Records::default();
    let kinds = [
        (UnitKind::Village, "v"),
        (UnitKind::Village, "w"),
        (UnitKind::Village, "x"),
        (UnitKind::School, "s"),
        (UnitKind::School, "t"),
        (UnitKind::Agency, "g"),
    ];
    for (k, id) in kinds {
        let mut u = unit(id, k);
        u.has_smart_classroom = k == UnitKind::School && rng.chance(70);
        u.active = rng.chance(90);
        if rng.chance(30) {
            u.populations.insert(
                *rng.pick(&[Roster::Children, Roster::YouthMembers]),
                rng.below(12) as i64,
            );
        }
        r.units.push(u);
    }
    for i in 0..4 {
        r.classes.push(FactClass {
            id: format!("c{i}"),
            unit_id: rng.pick(&["s", "t"]).to_string(),
            active: rng.chance(90),
        });
    }
    let unit_ids = ["v", "w", "x", "s", "t", "g"];
    for i in 0..30 {
        r.people.push(FactPerson {
            id: format!("p{i}"),
            roster: *rng.pick(&[Roster::Children, Roster::YouthMembers, Roster::Officials]),
            unit_id: rng.pick(&unit_ids).to_string(),
            active: rng.chance(85),
        });
    }
    let p = seed_plan();
    let day0 = d(5, 25);
    for i in 0..40 {
        let line = rng.pick(&p.lines);
        r.sessions.push(FactSession {
            id: format!("s{i}"),
            line_id: line.id.clone(),
            unit_id: rng.pick(&unit_ids).to_string(),
            class_id: rng.chance(40).then(|| format!("c{}", rng.below(4))),
            kind: *rng.pick(&[
                SessionKind::Guidance,
                SessionKind::Training,
                SessionKind::Experience,
                SessionKind::Propaganda,
            ]),
            held: rng.chance(80),
            day: day0.plus(rng.below(105) as i64),
            deleted: rng.chance(10),
        });
    }
    for _ in 0..80 {
        r.attendances.push(FactAttendance {
            session_id: format!("s{}", rng.below(40)),
            person_id: format!("p{}", rng.below(30)),
            deleted: rng.chance(10),
        });
    }
    for i in 0..150 {
        r.turns.push(FactTurn {
            id: format!("t{i}"),
            line_id: rng
                .pick(&["l3-support", "l4-binh-dan-hoc-vu-so", "l2-propaganda"])
                .to_string(),
            unit_id: rng.pick(&unit_ids).to_string(),
            day: day0.plus(rng.below(105) as i64),
            by_person: rng.chance(30).then(|| format!("p{}", rng.below(30))),
            deleted: rng.chance(10),
        });
    }
    r
}

/// The rules read straight off docs/product.md, scanning every record: no
/// aggregates, no shared code with the engine beyond the plan model.
fn naive(plan: &Plan, t: &TargetDef, r: &Records, as_of: Day) -> (f64, f64, Option<f64>, Vec<(String, f64)>) {
    let w = plan.target_window(t);
    let ok_day = |day: Day| day <= as_of && w.start <= day && day <= w.end;
    let ok_line = |l: &str| t.lines.is_empty() || t.lines.iter().any(|x| x == l);
    let ok_session = |s: &FactSession| {
        s.held
            && !s.deleted
            && ok_day(s.day)
            && ok_line(&s.line_id)
            && (t.session_kinds.is_empty() || t.session_kinds.contains(&s.kind))
    };
    let ok_turn = |x: &FactTurn| !x.deleted && ok_day(x.day) && ok_line(&x.line_id);
    let counts_sessions = t.records.contains(&RecordKind::Session);
    let counts_turns = t.records.contains(&RecordKind::SupportTurn);
    let records_of = |unit: &str| -> f64 {
        let s = r
            .sessions
            .iter()
            .filter(|s| counts_sessions && s.unit_id == unit && ok_session(s))
            .count();
        let x = r
            .turns
            .iter()
            .filter(|x| counts_turns && x.unit_id == unit && ok_turn(x))
            .count();
        (s + x) as f64
    };
    let scope: Vec<&FactUnit> = r
        .units
        .iter()
        .filter(|u| u.active && Some(u.kind) == t.unit_kind && (!t.only_smart_classroom || u.has_smart_classroom))
        .collect();
    let pct = |a: f64, b: f64| if b > 0.0 { 100.0 * a / b } else { 0.0 };
    match t.measure {
        Measure::Count => {
            let n = r.sessions.iter().filter(|s| counts_sessions && ok_session(s)).count()
                + r.turns.iter().filter(|x| counts_turns && ok_turn(x)).count();
            (n as f64, n as f64, None, vec![])
        }
        Measure::UnitCoverage => {
            let per: Vec<(String, f64)> = scope.iter().map(|u| (u.id.clone(), records_of(&u.id))).collect();
            let covered = per.iter().filter(|(_, v)| *v >= t.per_unit.unwrap_or(1) as f64).count() as f64;
            (pct(covered, per.len() as f64), covered, Some(per.len() as f64), per)
        }
        Measure::MinPerUnit => {
            let per: Vec<(String, f64)> = scope.iter().map(|u| (u.id.clone(), records_of(&u.id))).collect();
            let min = per.iter().map(|(_, v)| *v).fold(f64::INFINITY, f64::min);
            let sum = per.iter().map(|(_, v)| *v).sum();
            (if min.is_finite() { min } else { 0.0 }, sum, None, per)
        }
        Measure::RosterCoverage => {
            let roster = t.roster.unwrap();
            let reached = |p: &FactPerson| {
                let by_attendance = t.records.contains(&RecordKind::Attendance)
                    && r.attendances.iter().any(|a| {
                        !a.deleted
                            && a.person_id == p.id
                            && r.sessions.iter().any(|s| s.id == a.session_id && ok_session(s))
                    });
                let by_turn = counts_turns
                    && r.turns
                        .iter()
                        .any(|x| x.by_person.as_deref() == Some(&p.id) && ok_turn(x));
                by_attendance || by_turn
            };
            let (mut num, mut den, mut per) = (0.0, 0.0, vec![]);
            for u in r.units.iter().filter(|u| u.active) {
                let members: Vec<&FactPerson> = r
                    .people
                    .iter()
                    .filter(|p| p.active && p.roster == roster && p.unit_id == u.id)
                    .collect();
                let declared = u.populations.get(&roster).copied().unwrap_or(0) as f64;
                let d = (members.len() as f64).max(declared);
                if d == 0.0 {
                    continue;
                }
                let got = members.iter().filter(|p| reached(p)).count() as f64;
                num += got;
                den += d;
                per.push((u.id.clone(), pct(got, d)));
            }
            (pct(num, den), num, Some(den), per)
        }
        Measure::UnitTargetShare => panic!("the seed plan has no target over communes"),
        Measure::RatePerUnitPeriod => {
            let mut weeks = 0usize;
            let mut day = w.start;
            while day <= as_of.min(w.end) {
                weeks += 1;
                day = day.plus(7);
            }
            let (mut covered, mut cells, mut per) = (0.0, 0.0, vec![]);
            for c in r
                .classes
                .iter()
                .filter(|c| c.active && scope.iter().any(|u| u.id == c.unit_id))
            {
                let mut got = 0.0;
                for k in 0..weeks {
                    let (a, b) = (w.start.plus(7 * k as i64), w.start.plus(7 * k as i64 + 6));
                    let n = r
                        .sessions
                        .iter()
                        .filter(|s| ok_session(s) && s.class_id.as_deref() == Some(&c.id) && a <= s.day && s.day <= b)
                        .count();
                    if n >= t.per_unit.unwrap_or(1) as usize {
                        got += 1.0;
                    }
                }
                covered += got;
                cells += weeks as f64;
                per.push((c.id.clone(), pct(got, weeks as f64)));
            }
            (pct(covered, cells), covered, Some(cells), per)
        }
    }
}

#[test]
fn engine_on_aggregates_equals_a_naive_scan_of_all_records() {
    let plan = seed_plan();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..300 {
        let records = random_records(&mut rng);
        let facts = Facts::from_records(&plan, &records);
        for _ in 0..4 {
            let as_of = d(5, 20).plus(rng.below(115) as i64);
            for t in &plan.targets {
                let got = evaluate(&plan, t, &facts, as_of);
                let (value, numerator, denominator, per) = naive(&plan, t, &records, as_of);
                let ctx = format!("round {round}, {} as of {as_of}", t.id);
                assert!(
                    (got.value - value).abs() < 1e-9,
                    "{ctx}: value {} vs {value}",
                    got.value
                );
                assert!((got.numerator - numerator).abs() < 1e-9, "{ctx}: numerator");
                assert_eq!(got.denominator, denominator, "{ctx}: denominator");
                let got_per: Vec<(String, f64)> = got.per_unit.iter().map(|u| (u.id.clone(), u.value)).collect();
                let mut want = per.clone();
                want.sort_by(|a, b| a.0.cmp(&b.0));
                let mut have = got_per;
                have.sort_by(|a, b| a.0.cmp(&b.0));
                assert_eq!(have.len(), want.len(), "{ctx}: units");
                for (h, w) in have.iter().zip(&want) {
                    assert!(h.0 == w.0 && (h.1 - w.1).abs() < 1e-9, "{ctx}: unit {h:?} vs {w:?}");
                }
            }
        }
    }
}

#[test]
fn facts_summed_per_span_give_the_same_board_as_day_by_day() {
    let plan = seed_plan();
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut fewer = 0usize;
    for round in 0..200 {
        let records = random_records(&mut rng);
        let facts = Facts::from_records(&plan, &records);
        for _ in 0..4 {
            let as_of = d(5, 20).plus(rng.below(115) as i64);
            let spans = day_spans(&plan, as_of);
            assert_eq!(spans.last().map(|s| s.1), Some(as_of), "the last span ends on as_of");
            for pair in spans.windows(2) {
                assert_eq!(pair[1].0, Some(pair[0].1.plus(1)), "spans follow one another");
            }
            let summed = facts.in_spans(&plan, as_of);
            assert!(summed.turns.iter().all(|t| spans.iter().any(|s| s.1 == t.day)));
            fewer += facts.turns.len() - summed.turns.len().min(facts.turns.len());
            assert_eq!(
                board(&plan, &summed, as_of),
                board(&plan, &facts, as_of),
                "round {round}, as of {as_of}"
            );
        }
    }
    assert!(fewer > 0, "summing per span must drop rows");
}

// ------------------------------------------------- a city's plan over communes

/// A city's plan over its communes: launch sessions in every commune, a
/// sum of turns, a minimum per commune on a line the communes' plans share,
/// and a share of communes meeting their own T4.
fn city_plan() -> Plan {
    let mut p = seed_plan();
    let base = p.targets[0].clone();
    let target = |id: &str, measure: Measure, threshold: f64, unit: ThresholdUnit| TargetDef {
        id: id.into(),
        label: id.into(),
        measure,
        threshold,
        threshold_unit: unit,
        lines: Vec::new(),
        session_kinds: Vec::new(),
        unit_kind: Some(UnitKind::Commune),
        per_unit: None,
        roster: None,
        subject: None,
        only_smart_classroom: false,
        window: None,
        unit_target: None,
        comparator: Comparator::Ge,
        ..base.clone()
    };
    let mut c1 = target("C1", Measure::UnitCoverage, 100.0, ThresholdUnit::Percent);
    c1.records = vec![RecordKind::Session];
    c1.session_kinds = vec![SessionKind::Training];
    c1.per_unit = Some(2);
    let mut c2 = target("C2", Measure::Count, 200.0, ThresholdUnit::Turns);
    c2.records = vec![RecordKind::SupportTurn];
    c2.unit_kind = None;
    let mut c3 = target("C3", Measure::MinPerUnit, 5.0, ThresholdUnit::Turns);
    c3.records = vec![RecordKind::SupportTurn, RecordKind::Session];
    c3.lines = vec!["l3-support".into()];
    let mut c4 = target("C4", Measure::UnitTargetShare, 50.0, ThresholdUnit::Percent);
    c4.comparator = Comparator::Gt;
    c4.unit_target = Some("T4".into());
    c4.records = vec![RecordKind::SupportTurn];
    p.targets = vec![c1, c2, c3, c4];
    p
}

/// The city's targets straight off the communes' raw records (the inner
/// level, each commune's T6, by the engine on its own raw records).
fn naive_city(city: &Plan, t: &TargetDef, communes: &[(String, Records, bool)], as_of: Day) -> (f64, f64) {
    let seed = seed_plan();
    let w = city.target_window(t);
    let ok_day = |day: Day| day <= as_of && w.contains(day);
    let ok_line = |l: &str| t.lines.is_empty() || t.lines.iter().any(|x| x == l);
    let count = |r: &Records| {
        let s = r
            .sessions
            .iter()
            .filter(|s| {
                t.records.contains(&RecordKind::Session)
                    && s.held
                    && !s.deleted
                    && ok_day(s.day)
                    && ok_line(&s.line_id)
                    && (t.session_kinds.is_empty() || t.session_kinds.contains(&s.kind))
            })
            .count();
        let x = r
            .turns
            .iter()
            .filter(|x| {
                t.records.contains(&RecordKind::SupportTurn) && !x.deleted && ok_day(x.day) && ok_line(&x.line_id)
            })
            .count();
        (s + x) as f64
    };
    let active: Vec<&(String, Records, bool)> = communes.iter().filter(|c| c.2).collect();
    let pct = |a: f64, b: f64| if b > 0.0 { 100.0 * a / b } else { 0.0 };
    match t.measure {
        Measure::Count => {
            let n: f64 = communes.iter().map(|c| count(&c.1)).sum();
            (n, n)
        }
        Measure::UnitCoverage => {
            let covered = active
                .iter()
                .filter(|c| count(&c.1) >= t.per_unit.unwrap_or(1) as f64)
                .count() as f64;
            (pct(covered, active.len() as f64), covered)
        }
        Measure::MinPerUnit => {
            let per: Vec<f64> = active.iter().map(|c| count(&c.1)).collect();
            let min = per.iter().copied().fold(f64::INFINITY, f64::min);
            (if min.is_finite() { min } else { 0.0 }, per.iter().sum())
        }
        Measure::UnitTargetShare => {
            let own = seed
                .targets
                .iter()
                .find(|x| Some(&x.id) == t.unit_target.as_ref())
                .unwrap();
            let met = active
                .iter()
                .filter(|c| evaluate(&seed, own, &Facts::from_records(&seed, &c.1), as_of).met)
                .count() as f64;
            (pct(met, active.len() as f64), met)
        }
        _ => unreachable!("not a target of the test city"),
    }
}

#[test]
fn a_city_plan_over_communes_equals_a_naive_scan_of_every_communes_records() {
    let city = city_plan();
    let seed = seed_plan();
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let mut seen_met = [false; 2];
    for round in 0..80 {
        let communes: Vec<(String, Records, bool)> = (0..4)
            .map(|i| (format!("xa-{i}"), random_records(&mut rng), i == 0 || rng.chance(85)))
            .collect();
        let daily: Vec<Facts> = communes.iter().map(|c| Facts::from_records(&seed, &c.1)).collect();
        for _ in 0..3 {
            let as_of = d(5, 20).plus(rng.below(115) as i64);
            let inputs = |facts: &[Facts]| -> Facts {
                let list: Vec<kehoach_core::rollup::CommuneInput<'_>> = communes
                    .iter()
                    .zip(facts)
                    .map(|(c, f)| kehoach_core::rollup::CommuneInput {
                        id: &c.0,
                        plan: &seed,
                        facts: f,
                        active: c.2,
                    })
                    .collect();
                kehoach_core::rollup::city_facts(&city, &list, as_of)
            };
            let by_day = inputs(&daily);
            // What the store reads: each commune's facts summed in the spans
            // of the city's plan and its own.
            let spans = day_spans_of(&[&city, &seed], as_of);
            let summed: Vec<Facts> = daily.iter().map(|f| f.summed_in(&spans)).collect();
            let by_span = inputs(&summed);
            assert_eq!(
                board(&city, &by_span, as_of),
                board(&city, &by_day, as_of),
                "round {round}, as of {as_of}: spans change nothing"
            );
            for t in &city.targets {
                let got = evaluate(&city, t, &by_day, as_of);
                let (value, numerator) = naive_city(&city, t, &communes, as_of);
                let ctx = format!("round {round}, {} as of {as_of}", t.id);
                assert!(
                    (got.value - value).abs() < 1e-9,
                    "{ctx}: value {} vs {value}",
                    got.value
                );
                assert!((got.numerator - numerator).abs() < 1e-9, "{ctx}: numerator");
                if t.measure == Measure::UnitTargetShare {
                    seen_met[usize::from(got.numerator > 0.0)] = true;
                }
            }
        }
    }
    assert_eq!(
        seen_met,
        [true, true],
        "communes both meeting and missing their T4 were drawn"
    );
}

#[test]
fn a_city_target_names_the_communes_that_hold_it_back() {
    let city = city_plan();
    let seed = seed_plan();
    let day = |m, dd| d(m, dd);
    // Two communes: one launches two trainings, the other none.
    let training = |id: &str, unit: &str, on: Day| FactSession {
        id: id.into(),
        line_id: "l5-children-skills".into(),
        unit_id: unit.into(),
        class_id: None,
        kind: SessionKind::Training,
        held: true,
        day: on,
        deleted: false,
    };
    let busy = Records {
        units: vec![unit("v", UnitKind::Village)],
        sessions: vec![training("a", "v", day(6, 5)), training("b", "v", day(6, 12))],
        ..Default::default()
    };
    let idle = Records {
        units: vec![unit("v", UnitKind::Village)],
        ..Default::default()
    };
    let (fb, fi) = (Facts::from_records(&seed, &busy), Facts::from_records(&seed, &idle));
    let list = [
        kehoach_core::rollup::CommuneInput {
            id: "xa-ban-ron",
            plan: &seed,
            facts: &fb,
            active: true,
        },
        kehoach_core::rollup::CommuneInput {
            id: "xa-cham",
            plan: &seed,
            facts: &fi,
            active: true,
        },
    ];
    let as_of = day(7, 1);
    let facts = kehoach_core::rollup::city_facts(&city, &list, as_of);
    let c1 = standing(&city, &city.targets[0], &facts, as_of);
    assert_eq!(c1.value.numerator, 1.0, "one commune of two launched");
    assert_eq!(c1.value.value, 50.0);
    assert!(!c1.value.met);
    let back: Vec<&str> = c1
        .laggards
        .iter()
        .filter(|l| l.holds_back)
        .map(|l| l.id.as_str())
        .collect();
    assert_eq!(
        back,
        vec!["xa-cham"],
        "the commune without a launch holds the city back"
    );
}
