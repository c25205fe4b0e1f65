//! A database made by the schema before communes (one plan, its accounts
//! and records), upgraded in place: nothing lost, the same board and report
//! figures as of every date, its accounts log in as before, and the plan is
//! the server's first commune's. On SQLite and PostgreSQL.

use kehoach_core::{Day, SEED_PLAN_TOML, seed_plan};
use kehoach_store::testing::{self, fresh_database_urls};
use kehoach_store::*;

const NOW: i64 = 1_781_000_000;
/// The last migration before communes.
const BEFORE_COMMUNES: i64 = 10;

fn d(m: u8, dd: u8) -> Day {
    Day::from_ymd(2026, m, dd).unwrap()
}

/// The board's standings and the summary report as of each date, as text.
async fn figures(store: &Store, plan: &kehoach_core::Plan) -> Vec<String> {
    let mut out = Vec::new();
    for day in [d(6, 15), d(7, 10), d(7, 31), d(8, 31)] {
        let (facts, standings) = kehoach_web::reports::standings(store, plan, day).await.unwrap();
        out.push(format!("{day:?} facts {facts:?}"));
        out.push(format!("{day:?} board {standings:?}"));
        let report = kehoach_web::reports::summary_report(store, plan, day, d(9, 5))
            .await
            .unwrap();
        out.push(format!("{day:?} report {report:?}"));
    }
    out
}

#[tokio::test]
async fn a_database_from_before_communes_upgrades_with_the_same_figures() {
    for (backend, url) in fresh_database_urls().await {
        let store = Store::open(&url, true).await.unwrap();
        store.migrate_until(BEFORE_COMMUNES).await.unwrap();
        // The plan as the older kehoach stored it: a row, then its units.
        let plan = seed_plan();
        let pid = plan.plan.id.clone();
        sqlx::query(
            "INSERT INTO plans (id, commune, title, source_toml, active, created_at) VALUES ($1, $2, $3, $4, 1, $5)",
        )
        .bind(&pid)
        .bind(&plan.plan.commune)
        .bind(&plan.plan.title)
        .bind(SEED_PLAN_TOML)
        .bind(NOW)
        .execute(store.pool())
        .await
        .unwrap();
        store.replace_plan(&plan, SEED_PLAN_TOML, NOW).await.unwrap();
        let units = store.list_units(&pid).await.unwrap();
        let villages: Vec<&UnitRow> = units.iter().filter(|u| u.kind == "village").collect();
        let (va, vb) = (villages[0].id.clone(), villages[1].id.clone());
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
        let union = units.iter().find(|u| u.slug == "doan-tn").unwrap().id.clone();
        let member = testing::add_person(
            &store,
            &pid,
            "youth_members",
            testing::person("Lê Văn Đoàn", 2001, &union),
            &user.id,
        )
        .await;
        store
            .link_user_person(&pid, &user.id, Some(&member.id), NOW)
            .await
            .unwrap();
        let children: Vec<PersonRow> = {
            let people: Vec<PersonInput> = (0..6)
                .map(|i| testing::person(&format!("Nguyễn Văn Nhi {i}"), 2014, &vb))
                .collect();
            store
                .import_roster(&pid, "children", &people, false, &user.id, NOW)
                .await
                .unwrap();
            store.roster_people(&pid, Some("children"), None).await.unwrap()
        };
        let writer = IngestWriter::start(store.clone(), kehoach_core::Clock::fixed(NOW));
        for i in 0..60u8 {
            let line = if i % 4 == 0 {
                "l4-binh-dan-hoc-vu-so"
            } else {
                "l3-support"
            };
            let t = NewTurn {
                id: new_id(),
                plan_id: pid.clone(),
                line_id: line.into(),
                unit_id: if i % 3 == 0 { vb.clone() } else { va.clone() },
                service: "asxh-vneid".into(),
                elderly: i % 2 == 0,
                day: Day::from_ymd(2026, 6 + i % 3, 1 + i % 28).unwrap().iso(),
                recorded_at: NOW,
                created_by: user.id.clone(),
            };
            writer.write(vec![t]).await.unwrap();
        }
        for (k, day) in [d(6, 20), d(7, 10), d(8, 5)].into_iter().enumerate() {
            let s = testing::session(&pid, "l5-children-skills", &vb, "training", &user.id)
                .held()
                .on(day);
            let (s, _) = store.create_activity_session(s, NOW).await.unwrap();
            for c in &children[..2 + k] {
                store
                    .add_attendance(&pid, &s.id, &c.id, "search", &user.id, NOW)
                    .await
                    .unwrap();
            }
        }
        let before = figures(&store, &plan).await;
        let rows_before = testing::rows_holding(&store, &testing::ids_reached_from(&store, &[&pid]).await).await;

        // The upgrade: what `kehoach serve` does on start.
        store.migrate().await.unwrap();
        let commune = store.primary_commune().await.unwrap().expect("the first commune");
        assert_eq!(
            (
                commune.name.as_str(),
                commune.province.as_str(),
                commune.slug.as_str(),
                commune.host.as_deref()
            ),
            ("xã Vĩnh Thịnh", "Hải Phòng", "vinh-thinh", None),
            "{backend}"
        );
        assert_eq!(
            store.commune_plan_id(&commune.id).await.unwrap().as_deref(),
            Some(pid.as_str())
        );
        let served = store.load_plan(&pid).await.unwrap();
        assert_eq!(figures(&store, &served).await, before, "{backend}: the figures moved");
        // Every row kept, as it was (the plans row gains its commune only).
        let rows_after = testing::rows_holding(&store, &testing::ids_reached_from(&store, &[&pid]).await).await;
        let strip = |rows: &[String]| -> Vec<String> {
            rows.iter()
                .filter(|r| !r.starts_with("plans:") && !r.starts_with("communes:"))
                .cloned()
                .collect()
        };
        assert_eq!(strip(&rows_after), strip(&rows_before), "{backend}: rows changed");
        assert!(rows_before.len() > 100, "{backend}: {} rows", rows_before.len());
        // Its accounts log in as before; the same username is free in another commune.
        let again = store
            .check_login(&pid, "dieuphoi", "mat-khau-dai-2026")
            .await
            .unwrap()
            .expect("the coordinator logs in");
        assert_eq!(again.id, user.id);
        let other = store
            .create_commune(
                NewCommune {
                    name: "xã An Hòa".into(),
                    province: "Hải Phòng".into(),
                    host: Some("an-hoa.test".into()),
                },
                NOW,
            )
            .await
            .unwrap();
        let mut other_plan = seed_plan();
        store
            .add_commune_plan(&other, &mut other_plan, SEED_PLAN_TOML, NOW)
            .await
            .unwrap();
        assert_ne!(other_plan.plan.id, pid);
        store
            .create_user(
                &other_plan.plan.id,
                NewUser {
                    username: "dieuphoi".into(),
                    full_name: "Điều Phối An Hòa".into(),
                    role: Role::Coordinator,
                    unit_id: None,
                    password: "mat-khau-khac-2026".into(),
                },
                NOW,
            )
            .await
            .expect("usernames are per commune");
        assert!(
            store
                .create_user(
                    &pid,
                    NewUser {
                        username: "DieuPhoi".into(),
                        full_name: "Trùng".into(),
                        role: Role::Viewer,
                        unit_id: None,
                        password: "mat-khau-khac-2026".into(),
                    },
                    NOW,
                )
                .await
                .is_err(),
            "{backend}: still unique within a commune"
        );
        // Nothing the first commune reads moved with the second one.
        assert_eq!(figures(&store, &served).await, before, "{backend}");
        if backend == "sqlite" {
            let broken: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                .fetch_all(store.pool())
                .await
                .unwrap();
            assert!(broken.is_empty(), "foreign keys broken: {broken:?}");
        }
        store.close().await;
    }
}

#[tokio::test]
async fn communes_need_a_name_and_their_own_host() {
    for (backend, url) in fresh_database_urls().await {
        let store = Store::open(&url, true).await.unwrap();
        store.migrate().await.unwrap();
        store.import_plan(&seed_plan(), SEED_PLAN_TOML, NOW).await.unwrap();
        let refused = |r: Result<CommuneRow, StoreError>| match r {
            Err(StoreError::Conflict { code, .. }) => code.as_str(),
            other => panic!("{backend}: expected a refusal, got {other:?}"),
        };
        let new = |name: &str, host: Option<&str>| NewCommune {
            name: name.into(),
            province: "Hải Phòng".into(),
            host: host.map(str::to_string),
        };
        assert_eq!(
            refused(store.create_commune(new("  ", Some("a.test")), NOW).await),
            "commune_name_invalid"
        );
        assert_eq!(
            refused(store.create_commune(new("xã An Hòa", None), NOW).await),
            "commune_host_required"
        );
        assert_eq!(
            refused(store.create_commune(new("xã An Hòa", Some("an hoa.test")), NOW).await),
            "commune_host_invalid"
        );
        let an_hoa = store
            .create_commune(new("xã An Hòa", Some("An-Hoa.Test")), NOW)
            .await
            .unwrap();
        assert_eq!(
            (an_hoa.slug.as_str(), an_hoa.host.as_deref()),
            ("an-hoa", Some("an-hoa.test"))
        );
        assert_eq!(
            refused(
                store
                    .create_commune(new("xã An Hòa mới", Some("an-hoa.test")), NOW)
                    .await
            ),
            "commune_host_taken"
        );
        assert_eq!(
            refused(store.create_commune(new("xã An Hòa", Some("an-hoa-2.test")), NOW).await),
            "commune_taken"
        );
        // The same name in another province is another commune, with its own slug.
        let other = store
            .create_commune(
                NewCommune {
                    name: "xã An Hòa".into(),
                    province: "Quảng Ninh".into(),
                    host: Some("an-hoa.quangninh.test".into()),
                },
                NOW,
            )
            .await
            .unwrap();
        assert_eq!(other.slug, "an-hoa-2");
        assert_eq!(
            store.commune_for_host("an-hoa.test").await.unwrap().map(|c| c.id),
            Some(an_hoa.id.clone())
        );
        assert!(store.commune_for_host("khong-co.test").await.unwrap().is_none());
        let summaries = store.commune_summaries().await.unwrap();
        assert_eq!(summaries.len(), 3, "{backend}");
        assert_eq!(summaries[0].commune.name, "xã Vĩnh Thịnh");
        assert_eq!(summaries[0].plans.len(), 1);
        store.close().await;
    }
}
