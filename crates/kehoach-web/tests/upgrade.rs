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
        // Row order is the database's (PostgreSQL returns rows in the order
        // the heap holds them, which an upgrade changes): compared sorted.
        fn sorted<T: std::fmt::Debug>(v: &[T]) -> Vec<String> {
            let mut v: Vec<String> = v.iter().map(|x| format!("{x:?}")).collect();
            v.sort();
            v
        }
        out.push(format!(
            "{day:?} facts {:?} {:?} {:?} {:?} {:?} {:?}",
            sorted(&facts.units),
            sorted(&facts.classes),
            sorted(&facts.roster_sizes),
            sorted(&facts.sessions),
            sorted(&facts.turns),
            sorted(&facts.reach)
        ));
        out.push(format!("{day:?} board {standings:?}"));
        let report = kehoach_web::reports::summary_report(store, plan, day, d(9, 5))
            .await
            .unwrap();
        out.push(format!("{day:?} report {report:?}"));
    }
    out
}

/// Fails at the first figure that differs, showing where.
fn same_figures(got: &[String], expected: &[String], backend: &str) {
    assert_eq!(got.len(), expected.len(), "{backend}");
    for (g, e) in got.iter().zip(expected) {
        if g != e {
            let at = g.chars().zip(e.chars()).take_while(|(a, b)| a == b).count();
            let around = |s: &str| s.chars().skip(at.saturating_sub(150)).take(300).collect::<String>();
            panic!(
                "{backend}: the upgraded database gives other figures than a new one\n upgraded: …{}…\n new:      …{}…",
                around(g),
                around(e)
            );
        }
    }
}

/// What both databases hold, with the same ids: the plan's units, a
/// coordinator linked to a youth-union member, six children, support turns
/// and sessions with attendance.
struct Fill {
    user: String,
    member: String,
    children: Vec<String>,
    hash: String,
}

/// The commune-level rows, written as SQL: into the old schema (`plan_id`)
/// or the new one (`commune_id`, after the commune's own row).
async fn write_commune_rows(store: &Store, f: &Fill, col: &str) -> Vec<String> {
    let plan = seed_plan();
    let pid = plan.plan.id.clone();
    let mut unit_ids = Vec::new();
    for (i, u) in plan.units.iter().enumerate() {
        let id = format!("00000000-0000-7000-8000-{i:012}");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO units (id, {col}, slug, name, name_key, short_name, kind, has_smart_classroom, sample, from_plan, active, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, 1, $10)"
        )))
        .bind(&id)
        .bind(&pid)
        .bind(&u.id)
        .bind(&u.name)
        .bind(kehoach_core::text::fold_key(&u.name))
        .bind(u.short_name.clone())
        .bind(u.kind.as_str())
        .bind(u.has_smart_classroom as i64)
        .bind(u.sample as i64)
        .bind(NOW)
        .execute(store.pool())
        .await
        .unwrap();
        unit_ids.push((u.id.clone(), id));
    }
    let unit = |slug: &str| unit_ids.iter().find(|(s, _)| s == slug).unwrap().1.clone();
    let person = |id: &str, roster: &str, name: &str, year: i64, unit: &str, card: &str| {
        let (id, roster, name, unit, card) = (
            id.to_string(),
            roster.to_string(),
            name.to_string(),
            unit.to_string(),
            card.to_string(),
        );
        let col = col.to_string();
        let pid = pid.clone();
        async move {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "INSERT INTO roster_people (id, {col}, roster, full_name, name_key, birth_year, unit_id, class_id, dedup_key, card_code, active, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9, 1, $10, $10)"
            )))
            .bind(&id)
            .bind(&pid)
            .bind(&roster)
            .bind(&name)
            .bind(kehoach_core::text::fold_key(&name))
            .bind(year)
            .bind(&unit)
            .bind(kehoach_store::dedup_key(&roster, &name, Some(year), &unit))
            .bind(&card)
            .bind(NOW)
            .execute(store.pool())
            .await
            .unwrap();
        }
    };
    person(
        &f.member,
        "youth_members",
        "Lê Văn Đoàn",
        2001,
        &unit("doan-tn"),
        "CARD-M",
    )
    .await;
    let villages: Vec<String> = plan
        .units
        .iter()
        .filter(|u| u.kind.as_str() == "village")
        .map(|u| unit(&u.id))
        .collect();
    for (i, c) in f.children.iter().enumerate() {
        person(
            c,
            "children",
            &format!("Nguyễn Văn Nhi {i}"),
            2014,
            &villages[1],
            &format!("CARD-{i}"),
        )
        .await;
    }
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "INSERT INTO users (id, {col}, username, full_name, role, unit_id, password_hash, active, created_at, updated_at, person_id) \
         VALUES ($1, $2, 'dieuphoi', 'Điều Phối', 'coordinator', NULL, $3, 1, $4, $4, $5)"
    )))
    .bind(&f.user)
    .bind(&pid)
    .bind(&f.hash)
    .bind(NOW)
    .bind(&f.member)
    .execute(store.pool())
    .await
    .unwrap();
    villages
}

/// The records, through the store as the app writes them (same ids).
async fn write_records(store: &Store, f: &Fill, villages: &[String]) {
    let pid = seed_plan().plan.id;
    let writer = IngestWriter::start(store.clone(), kehoach_core::Clock::fixed(NOW));
    for i in 0..60u8 {
        let t = NewTurn {
            id: format!("00000000-0000-7000-9000-{i:012}"),
            plan_id: pid.clone(),
            line_id: if i % 4 == 0 {
                "l4-binh-dan-hoc-vu-so"
            } else {
                "l3-support"
            }
            .into(),
            unit_id: villages[(i % 3) as usize % villages.len()].clone(),
            service: "asxh-vneid".into(),
            elderly: i % 2 == 0,
            day: Day::from_ymd(2026, 6 + i % 3, 1 + i % 28).unwrap().iso(),
            recorded_at: NOW,
            created_by: f.user.clone(),
        };
        writer.write(vec![t]).await.unwrap();
    }
    for (k, day) in [d(6, 20), d(7, 10), d(8, 5)].into_iter().enumerate() {
        let s = NewActivitySession {
            id: format!("00000000-0000-7000-a000-{k:012}"),
            ..testing::session(&pid, "l5-children-skills", &villages[1], "training", &f.user)
                .held()
                .on(day)
        };
        store.create_activity_session(s, NOW).await.unwrap();
        for c in &f.children[..2 + k] {
            store
                .add_attendance(
                    &pid,
                    &format!("00000000-0000-7000-a000-{k:012}"),
                    c,
                    "search",
                    &f.user,
                    NOW,
                )
                .await
                .unwrap();
        }
    }
}

#[tokio::test]
async fn a_database_from_before_communes_upgrades_with_the_same_figures() {
    let f = Fill {
        user: "00000000-0000-7000-b000-000000000001".into(),
        member: "00000000-0000-7000-b000-000000000002".into(),
        children: (0..6).map(|i| format!("00000000-0000-7000-c000-{i:012}")).collect(),
        hash: testing::password_hash("mat-khau-dai-2026").await,
    };
    let urls = fresh_database_urls().await;
    let twins = fresh_database_urls().await;
    for ((backend, url), (_, twin_url)) in urls.into_iter().zip(twins) {
        let plan = seed_plan();
        let pid = plan.plan.id.clone();
        // The database as the older kehoach left it: the schema before
        // communes, the plan's row, its units, accounts and rosters, records.
        let store = Store::open(&url, true).await.unwrap();
        store.migrate_until(BEFORE_COMMUNES).await.unwrap();
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
        let villages = write_commune_rows(&store, &f, "plan_id").await;
        // The plan's reach rules, as the older kehoach wrote them on start.
        assert!(!store.import_plan(&plan, SEED_PLAN_TOML, NOW).await.unwrap());
        write_records(&store, &f, &villages).await;
        let rows_before = testing::rows_holding(&store, &testing::ids_reached_from(&store, &[&pid]).await).await;
        assert!(rows_before.len() > 100, "{backend}: {} rows", rows_before.len());

        // The same commune made today: the new schema, the same rows and records.
        let twin = Store::open(&twin_url, true).await.unwrap();
        twin.migrate().await.unwrap();
        sqlx::query(
            "INSERT INTO communes (id, slug, name, province, host, created_at) VALUES ($1, 'vinh-thinh', 'xã Vĩnh Thịnh', 'Hải Phòng', NULL, $2)",
        )
        .bind(&pid)
        .bind(NOW)
        .execute(twin.pool())
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO plans (id, commune, title, source_toml, active, created_at, commune_id) VALUES ($1, $2, $3, $4, 1, $5, $1)",
        )
        .bind(&pid)
        .bind(&plan.plan.commune)
        .bind(&plan.plan.title)
        .bind(SEED_PLAN_TOML)
        .bind(NOW)
        .execute(twin.pool())
        .await
        .unwrap();
        let twin_villages = write_commune_rows(&twin, &f, "commune_id").await;
        assert_eq!(twin_villages, villages);
        twin.import_plan(&plan, SEED_PLAN_TOML, NOW).await.unwrap();
        write_records(&twin, &f, &villages).await;
        let expected = figures(&twin, &plan).await;

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
        let got = figures(&store, &served).await;
        assert!(got.iter().any(|l| l.contains("T6")), "{backend}: figures read");
        same_figures(&got, &expected, backend);
        // Every row kept, with its values (units, accounts, invites and
        // rosters now name the commune, whose id is the plan's).
        let rows_after = testing::rows_holding(&store, &testing::ids_reached_from(&store, &[&pid]).await).await;
        let same = |rows: &[String]| -> Vec<String> {
            rows.iter()
                .filter(|r| !r.starts_with("plans:") && !r.starts_with("communes:"))
                .map(|r| {
                    if ["units:", "users:", "invites:", "roster_people:"]
                        .iter()
                        .any(|t| r.starts_with(t))
                    {
                        r.replace("plan_id=", "commune_id=")
                    } else {
                        r.clone()
                    }
                })
                .collect()
        };
        let (before, after) = (same(&rows_before), same(&rows_after));
        let lost: Vec<_> = before.iter().filter(|r| !after.contains(r)).collect();
        assert!(lost.is_empty(), "{backend}: rows changed or lost: {lost:#?}");
        assert_eq!(before.len(), after.len(), "{backend}");
        // Its accounts log in as before; the same username is free in another commune.
        let again = store
            .check_login(&pid, "dieuphoi", "mat-khau-dai-2026")
            .await
            .unwrap()
            .expect("the coordinator logs in");
        assert_eq!(again.id, f.user);
        let other = store
            .create_commune(
                NewCommune {
                    name: "xã An Hòa".into(),
                    province: "Hải Phòng".into(),
                    host: Some("an-hoa.test".into()),
                    ..Default::default()
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
        same_figures(&figures(&store, &served).await, &expected, backend);
        if backend == "sqlite" {
            let broken: Vec<(String,)> = sqlx::query_as("SELECT \"table\" FROM pragma_foreign_key_check")
                .fetch_all(store.pool())
                .await
                .unwrap();
            assert!(broken.is_empty(), "foreign keys broken: {broken:?}");
        }
        store.close().await;
        twin.close().await;
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
            ..Default::default()
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
                    ..Default::default()
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
