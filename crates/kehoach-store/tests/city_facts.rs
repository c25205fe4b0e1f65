//! The city's roll-up reads every commune's facts at once (turns and reach
//! summed per span of days): each commune's board from them equals the
//! board its own page computes, on SQLite and PostgreSQL; another city's
//! communes are not read; a replaced plan text is read again.

use kehoach_core::engine::board;
use kehoach_core::{Day, SEED_PLAN_TOML, seed_plan};
use kehoach_store::testing::fresh_database_urls;
use kehoach_store::*;

const NOW: i64 = 1_781_000_000;

fn d(m: u8, dd: u8) -> Day {
    Day::from_ymd(2026, m, dd).unwrap()
}

/// A commune of the city with the seed plan (and its units), records at
/// its own pace: `k` spreads its turns, sessions and attendance.
async fn commune_with_records(store: &Store, city_id: &str, slug: &str, k: usize) -> String {
    let c = store
        .create_commune(
            NewCommune {
                name: format!("xã Thử {slug}"),
                province: "Hải Phòng".into(),
                host: Some(format!("{slug}.city.test")),
                city_id: Some(city_id.to_string()),
                ..Default::default()
            },
            NOW,
        )
        .await
        .unwrap();
    let mut plan = seed_plan();
    store
        .add_commune_plan(&c, &mut plan, SEED_PLAN_TOML, NOW)
        .await
        .unwrap();
    let pid = plan.plan.id.clone();
    let villages: Vec<UnitRow> = store
        .list_units(&pid)
        .await
        .unwrap()
        .into_iter()
        .filter(|u| u.kind == "village")
        .collect();
    let user = store
        .create_user(
            &pid,
            NewUser {
                username: format!("dieuphoi-{slug}"),
                full_name: "Điều Phối".into(),
                role: Role::Coordinator,
                unit_id: None,
                password: "mat-khau-dai-2026".into(),
            },
            NOW,
        )
        .await
        .unwrap();
    let children: Vec<_> = (0..8)
        .map(|i| testing::person(&format!("Nhi {slug} {i}"), 2014, &villages[i % villages.len()].id))
        .collect();
    store
        .import_roster(&pid, "children", &children, false, &user.id, NOW)
        .await
        .unwrap();
    let members: Vec<_> = (0..3)
        .map(|i| testing::person(&format!("Đoàn {slug} {i}"), 2004, &villages[0].id))
        .collect();
    store
        .import_roster(&pid, "youth_members", &members, false, &user.id, NOW)
        .await
        .unwrap();
    let member = store.roster_people(&pid, Some("youth_members"), None).await.unwrap();
    store
        .link_user_person(&pid, &user.id, Some(&member[0].id), NOW)
        .await
        .unwrap();
    let writer = IngestWriter::start(store.clone(), kehoach_core::Clock::fixed(NOW));
    for i in 0..(30 + 25 * k) {
        let t = NewTurn {
            id: new_id(),
            plan_id: pid.clone(),
            line_id: if i % 4 == 0 {
                "l4-binh-dan-hoc-vu-so"
            } else {
                "l3-support"
            }
            .into(),
            unit_id: villages[(i * (k + 1)) % villages.len()].id.clone(),
            service: if i % 3 == 0 { "asxh-vneid" } else { "so-suc-khoe" }.into(),
            elderly: false,
            day: d(6, 1).plus(((i * 7 + k * 3) % 92) as i64).iso(),
            recorded_at: NOW,
            created_by: user.id.clone(),
        };
        writer.write(vec![t]).await.unwrap();
    }
    let kids = store.roster_people(&pid, Some("children"), None).await.unwrap();
    for s in 0..(2 + k) {
        let id = new_id();
        let mut new = testing::session(
            &pid,
            "l5-children-skills",
            &villages[s % villages.len()].id,
            "training",
            &user.id,
        )
        .held()
        .on(d(6, 10).plus((s * 11 + k) as i64));
        new.id = id.clone();
        store.create_activity_session(new, NOW).await.unwrap();
        for kid in kids.iter().skip(s).step_by(2) {
            store
                .add_attendance(&pid, &id, &kid.id, "search", &user.id, NOW)
                .await
                .unwrap();
        }
    }
    pid
}

/// On many dates, the roll-up reads the city's communes (not `other`), and
/// each one's board from it equals its own page's.
async fn same_boards(store: &Store, city_id: &str, plans: &[String], other: &str, backend: &str) {
    for as_of in [d(5, 25), d(6, 14), d(7, 1), d(7, 20), d(8, 15), d(8, 31), d(9, 30)] {
        let rolled = store.city_facts(city_id, as_of, None).await.unwrap();
        let ids: Vec<&str> = rolled.iter().map(|c| c.plan.plan.id.as_str()).collect();
        assert_eq!(ids, plans.iter().map(String::as_str).collect::<Vec<_>>(), "{backend}");
        assert!(!ids.contains(&other), "{backend}: another city's commune");
        for c in &rolled {
            let plan = store.load_plan(&c.plan.plan.id).await.unwrap();
            let own = store.facts(&plan, as_of).await.unwrap();
            let fewer = if as_of == d(9, 30) {
                c.facts.turns.len() < own.turns.len()
            } else {
                c.facts.turns.len() <= own.turns.len()
            };
            assert!(
                fewer,
                "{backend}: spans hold fewer rows than days ({} vs {})",
                c.facts.turns.len(),
                own.turns.len()
            );
            let sum = |f: &kehoach_core::engine::Facts| f.turns.iter().map(|t| t.n).sum::<u32>();
            assert_eq!(sum(&c.facts), sum(&own), "{backend}: turns up to {as_of}");
            assert_eq!(
                board(&c.plan, &c.facts, as_of),
                board(&plan, &own, as_of),
                "{backend}: {} as of {as_of}",
                c.commune.name
            );
            let services = store.service_turns(&plan.plan.id, &as_of.iso()).await.unwrap();
            assert_eq!(c.services, services, "{backend}: turns by service");
        }
    }
}

#[tokio::test]
async fn the_city_roll_up_gives_each_commune_the_board_of_its_own_page() {
    for (backend, url) in fresh_database_urls().await {
        let store = Store::open(&url, true).await.unwrap();
        store.migrate().await.unwrap();
        store.import_plan(&seed_plan(), SEED_PLAN_TOML, NOW).await.unwrap();
        let city = |name: &str, host: &str| NewCommune {
            name: name.into(),
            host: Some(host.into()),
            is_city: true,
            ..Default::default()
        };
        let (city_a, _, _) = store
            .found_commune(city("thành phố A", "a.city.test"), None, 2026, 3600, NOW)
            .await
            .unwrap();
        let (city_b, _, _) = store
            .found_commune(city("thành phố B", "b.city.test"), None, 2026, 3600, NOW)
            .await
            .unwrap();
        let mut plans = Vec::new();
        for (i, slug) in ["mot", "hai", "ba"].iter().enumerate() {
            plans.push(commune_with_records(&store, &city_a.id, slug, i).await);
        }
        let other = commune_with_records(&store, &city_b.id, "khac", 4).await;

        same_boards(&store, &city_a.id, &plans, &other, backend).await;
        let total: u32 = store.city_facts(&city_a.id, d(9, 30), None).await.unwrap()[2]
            .facts
            .turns
            .iter()
            .map(|t| t.n)
            .sum();
        assert_eq!(total, 80, "{backend}: the third commune's turns");

        // A plan text replaced (a new revision) is read again, not served from memory.
        // (Its support line also opens ten days later: its spans differ
        // from the other communes'.)
        let changed = SEED_PLAN_TOML
            .replacen("threshold = 200", "threshold = 300", 1)
            .replacen(
                "window = { start = 2026-06-10, end = 2026-08-31 }",
                "window = { start = 2026-06-20, end = 2026-08-31 }",
                1,
            );
        assert_eq!(changed.len(), SEED_PLAN_TOML.len(), "the seed has both texts to change");
        let before = store.city_facts(&city_a.id, d(8, 1), None).await.unwrap();
        sqlx::query("UPDATE plans SET source_toml = $1, revision = revision + 1 WHERE id = $2")
            .bind(&changed)
            .bind(&plans[0])
            .execute(store.pool())
            .await
            .unwrap();
        let after = store.city_facts(&city_a.id, d(8, 1), None).await.unwrap();
        let thresholds = |r: &[kehoach_store::facts::city::CommuneFacts]| {
            r[0].plan.targets.iter().map(|t| t.threshold).collect::<Vec<_>>()
        };
        assert_ne!(
            thresholds(&before),
            thresholds(&after),
            "{backend}: the new text is read"
        );
        same_boards(&store, &city_a.id, &plans, &other, backend).await;
        store.close().await;
    }
}
