//! The aggregates the board reads stay equal to a rebuild from the records
//! after a mixed history of writes, and the engine gives the same figures
//! from them as from every raw record: on SQLite and PostgreSQL.

use kehoach_core::engine::{Facts, evaluate, record_query};
use kehoach_core::{Day, SEED_PLAN_TOML, seed_plan};
use kehoach_store::testing::fresh_database_urls;
use kehoach_store::*;

const NOW: i64 = 1_781_000_000;

fn d(m: u8, dd: u8) -> Day {
    Day::from_ymd(2026, m, dd).unwrap()
}

#[expect(
    clippy::too_many_arguments,
    reason = "a test helper that names every field of a session"
)]
fn session(
    id: &str,
    plan: &str,
    line: &str,
    unit: &str,
    kind: &str,
    status: &str,
    day: &str,
    by: &str,
) -> NewActivitySession {
    NewActivitySession {
        id: id.into(),
        status: status.into(),
        day: day.into(),
        ..testing::session(plan, line, unit, kind, by)
    }
}

#[tokio::test]
async fn aggregates_equal_a_rebuild_and_give_the_figures_of_the_raw_records() {
    for (backend, url) in fresh_database_urls().await {
        let store = Store::open(&url, true).await.unwrap();
        store.migrate().await.unwrap();
        let plan = seed_plan();
        store.import_plan(&plan, SEED_PLAN_TOML, NOW).await.unwrap();
        let pid = plan.plan.id.clone();
        let units = store.list_units(&pid).await.unwrap();
        let villages: Vec<&UnitRow> = units.iter().filter(|u| u.kind == "village").collect();
        let (va, vb) = (&villages[0].id, &villages[1].id);
        let user = store
            .create_user(
                &pid,
                NewUser {
                    username: "dieuphoi".into(),
                    full_name: "Điều Phối".into(),
                    role: Role::Coordinator,
                    unit_id: None,
                    password: "mat-khau-dai-2026".into(),
                },
                NOW,
            )
            .await
            .unwrap();
        let people = |prefix: &str, unit: &str, n: usize| {
            (0..n)
                .map(|i| testing::person(&format!("{prefix} Văn {i}"), 2010, unit))
                .collect::<Vec<_>>()
        };
        store
            .import_roster(&pid, "youth_members", &people("Đoàn", va, 5), false, &user.id, NOW)
            .await
            .unwrap();
        store
            .import_roster(&pid, "children", &people("Nhi", vb, 6), false, &user.id, NOW)
            .await
            .unwrap();
        let members = store.roster_people(&pid, Some("youth_members"), None).await.unwrap();
        let children = store.roster_people(&pid, Some("children"), None).await.unwrap();
        store
            .link_user_person(&pid, &user.id, Some(&members[0].id), NOW)
            .await
            .unwrap();

        // Turns on several days in two villages, some sent twice, two deleted.
        let writer = IngestWriter::start(store.clone(), kehoach_core::Clock::fixed(NOW));
        let mut ids = Vec::new();
        for i in 0..40u8 {
            let id = new_id();
            ids.push(id.clone());
            let t = NewTurn {
                id,
                plan_id: pid.clone(),
                line_id: if i % 5 == 0 {
                    "l4-binh-dan-hoc-vu-so"
                } else {
                    "l3-support"
                }
                .into(),
                unit_id: if i % 3 == 0 { vb.clone() } else { va.clone() },
                service: "asxh-vneid".into(),
                elderly: false,
                day: d(7, 1 + i % 28).iso(),
                recorded_at: NOW,
                created_by: user.id.clone(),
            };
            writer.write(vec![t.clone(), t]).await.unwrap();
        }
        store
            .delete_turn(&pid, &ids[3], &user.id, "Ghi nhầm", NOW)
            .await
            .unwrap();
        store
            .delete_turn(&pid, &ids[0], &user.id, "Ghi nhầm", NOW)
            .await
            .unwrap();

        // Sessions: attendance, a planned session held later, a removal, a deletion.
        let s1 = new_id();
        let s2 = new_id();
        store
            .create_activity_session(
                session(
                    &s1,
                    &pid,
                    "l5-children-skills",
                    vb,
                    "training",
                    "held",
                    "2026-07-10",
                    &user.id,
                ),
                NOW,
            )
            .await
            .unwrap();
        store
            .create_activity_session(
                session(
                    &s2,
                    &pid,
                    "l5-children-skills",
                    vb,
                    "training",
                    "planned",
                    "2026-07-05",
                    &user.id,
                ),
                NOW,
            )
            .await
            .unwrap();
        for c in &children[..4] {
            store
                .add_attendance(&pid, &s1, &c.id, "search", &user.id, NOW)
                .await
                .unwrap();
        }
        store
            .add_attendance(&pid, &s2, &children[0].id, "search", &user.id, NOW)
            .await
            .unwrap();
        store
            .add_attendance(&pid, &s2, &children[5].id, "search", &user.id, NOW)
            .await
            .unwrap();
        store
            .update_activity_session(
                session(
                    &s2,
                    &pid,
                    "l5-children-skills",
                    vb,
                    "training",
                    "held",
                    "2026-07-05",
                    &user.id,
                ),
                &user.id,
                NOW,
            )
            .await
            .unwrap();
        store
            .remove_attendance(&pid, &s1, &children[1].id, &user.id, NOW)
            .await
            .unwrap();
        let mid = store.aggregate_snapshot(&pid).await.unwrap();
        assert!(
            mid.person_first
                .iter()
                .any(|r| r.0 == children[0].id && r.3 == "2026-07-05"),
            "{backend}: the first day follows the session held earlier"
        );
        store
            .delete_activity_session(&pid, &s2, &user.id, "Trùng", NOW)
            .await
            .unwrap();
        // The account moves to another member: its turns now reach that member.
        store
            .link_user_person(&pid, &user.id, Some(&members[1].id), NOW)
            .await
            .unwrap();

        // A child leaves the roster: no longer reached for any target.
        assert!(
            store
                .aggregate_snapshot(&pid)
                .await
                .unwrap()
                .target_reach
                .iter()
                .any(|r| r.1 == children[2].id),
            "{backend}"
        );
        store
            .set_person_active(&pid, &children[2].id, false, &user.id, NOW)
            .await
            .unwrap();

        let kept = store.aggregate_snapshot(&pid).await.unwrap();
        assert!(!kept.target_reach.iter().any(|r| r.1 == children[2].id), "{backend}");
        assert!(kept.target_reach.iter().any(|r| r.1 == members[1].id), "{backend}");
        assert!(!kept.session_daily.is_empty(), "{backend}");
        assert_eq!(kept.turn_daily.iter().map(|r| r.3).sum::<i64>(), 38, "{backend}");
        assert!(kept.person_first.iter().any(|r| r.0 == members[1].id && r.2 == "turn"));
        assert!(!kept.person_first.iter().any(|r| r.0 == members[0].id));
        store.rebuild_aggregates(&pid).await.unwrap();
        assert_eq!(
            store.aggregate_snapshot(&pid).await.unwrap(),
            kept,
            "{backend}: maintained = rebuilt"
        );

        // The engine on the aggregates equals the engine on every raw record.
        let raw = Facts::from_records(&plan, &store.records(&pid).await.unwrap());
        for as_of in [d(6, 20), d(7, 4), d(7, 10), d(7, 15), d(8, 31)] {
            let facts = store.facts(&plan, as_of).await.unwrap();
            for t in &plan.targets {
                assert_eq!(
                    evaluate(&plan, t, &facts, as_of),
                    evaluate(&plan, t, &raw, as_of),
                    "{backend}: {} as of {as_of}",
                    t.id
                );
            }
        }
        let t6 = plan.target("T6").unwrap();
        let v = evaluate(&plan, t6, &store.facts(&plan, d(8, 31)).await.unwrap(), d(8, 31));
        let a = v.per_unit.iter().find(|u| &u.id == va).unwrap();
        // Every figure opens to exactly the records that make it.
        let trace = store
            .trace(&plan, &record_query(&plan, t6, d(8, 31), Some(va)), 1000, 0)
            .await
            .unwrap();
        assert_eq!(trace.total as f64, a.value, "{backend}");
        assert_eq!(trace.rows.len() as i64, trace.total);
        assert!(trace.rows.iter().all(|r| &r.unit_id == va && r.kind == "support_turn"));
        let t8 = plan.target("T8").unwrap();
        let v8 = evaluate(&plan, t8, &store.facts(&plan, d(8, 31)).await.unwrap(), d(8, 31));
        let people8 = store
            .trace(&plan, &record_query(&plan, t8, d(8, 31), None), 1000, 0)
            .await
            .unwrap();
        assert_eq!(
            (people8.total as f64, v8.numerator),
            (2.0, 2.0),
            "{backend}: children 0 and 3 (2 left the roster)"
        );
        let t1 = plan.target("T1").unwrap();
        assert_eq!(
            store
                .trace(&plan, &record_query(&plan, t1, d(8, 31), None), 10, 0)
                .await
                .unwrap()
                .total,
            0
        );
        store.close().await;
    }
}
