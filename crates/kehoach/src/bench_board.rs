//! `kehoach bench board`: the board as of random dates of the campaign over
//! a city-sized synthetic data set (1,000,000 support turns, 200,000
//! attendances, 50 villages, 10,000 rostered people, 100 classes), next to
//! the naive floor measured in the same run: read every raw record and
//! evaluate. Then `serve` in a child process answers `/api/v1/board` over
//! loopback, and its peak resident memory is read from /proc.
//!
//! Bench data only: it goes into a fresh database, never a real one.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::Context;
use kehoach_core::engine::{self, Facts};
use kehoach_core::{Day, SEED_PLAN_TOML, UnitKind, seed_plan};
use kehoach_store::{NewUnit, NewUser, Role, Store, new_id};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::bench::{percentile, read_response};
use crate::rng::Rng;

#[derive(Clone)]
enum V {
    S(String),
    I(i64),
    /// NULL in a text column.
    Null,
    /// NULL in an integer column (PostgreSQL types parameters by value).
    NullI,
}

/// Multi-row INSERTs of `rows` in one transaction, 400 rows a statement.
async fn bulk(store: &Store, table: &str, cols: &[&str], rows: Vec<Vec<V>>) -> anyhow::Result<()> {
    let mut tx = store.write_tx().await?;
    for chunk in rows.chunks(400) {
        let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
        let mut k = 1;
        for (i, _) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            let ph: Vec<String> = (0..cols.len()).map(|j| format!("${}", k + j)).collect();
            k += cols.len();
            sql.push('(');
            sql.push_str(&ph.join(", "));
            sql.push(')');
        }
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for row in chunk {
            for v in row {
                q = match v {
                    V::S(s) => q.bind(s.clone()),
                    V::I(i) => q.bind(*i),
                    V::Null => q.bind(None::<String>),
                    V::NullI => q.bind(None::<i64>),
                };
            }
        }
        q.execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn http_get(conn: &mut BufReader<TcpStream>, addr: SocketAddr, path: &str, cookie: &str) -> anyhow::Result<()> {
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\n\r\n");
    conn.get_mut().write_all(req.as_bytes()).await?;
    let (status, _) = read_response(conn).await?;
    anyhow::ensure!(status.contains(" 200 "), "unexpected answer: {status}");
    Ok(())
}

/// What one commune holds in a bench.
#[derive(Clone, Copy)]
pub struct Scale {
    pub villages: usize,
    pub people: usize,
    pub sessions: usize,
    pub turns: usize,
    pub classes: usize,
}

/// A city's commune: 10 villages, 300 people, 100 sessions, 10 classes.
pub const COMMUNE: Scale = Scale {
    villages: 10,
    people: 300,
    sessions: 100,
    turns: 10_000,
    classes: 10,
};

/// Fills one plan of one commune with synthetic records (units, people,
/// accounts, held sessions with attendance, support turns, 1 % deleted) and
/// rebuilds its aggregates. Returns its coordinator's account id.
async fn fill(
    store: &Store,
    pid: &str,
    commune_id: &str,
    scale: Scale,
    rng: &mut Rng,
    now: i64,
) -> anyhow::Result<String> {
    let coord = store
        .create_user(
            pid,
            NewUser {
                username: "bench".into(),
                full_name: "Đo hiệu năng".into(),
                role: Role::Coordinator,
                unit_id: None,
                password: "mat-khau-do-hieu-nang".into(),
            },
            now,
        )
        .await?;
    let mut villages = Vec::new();
    for i in 1..=scale.villages {
        let u = store
            .create_unit(
                pid,
                NewUnit {
                    name: format!("Thôn đo hiệu năng {i:02}"),
                    short_name: None,
                    kind: UnitKind::Village,
                    has_smart_classroom: false,
                },
                now,
            )
            .await?;
        villages.push(u.id);
    }
    let nv = villages.len();
    let units = store.list_units(pid).await?;
    let by_slug = |s: &str| units.iter().find(|u| u.slug == s).map(|u| u.id.clone()).context("unit");
    let schools: Vec<String> = units
        .iter()
        .filter(|u| u.kind == "school")
        .map(|u| u.id.clone())
        .collect();
    let mut classes = Vec::new();
    for i in 0..scale.classes {
        let school = &schools[i % schools.len()];
        classes.push((
            school.clone(),
            store
                .add_class(pid, school, &format!("Lớp {i:03}"), Some(30), now)
                .await?
                .id,
        ));
    }
    let (youth, vhxh) = (by_slug("doan-tn")?, by_slug("vhxh")?);

    // People: a fifth youth members, a twentieth officials, the rest children.
    let (n_youth, n_officials) = (scale.people / 5, scale.people / 20);
    let youth_range = 0..n_youth;
    let officials_range = n_youth..n_youth + n_officials;
    let children_range = n_youth + n_officials..scale.people;
    let mut people: Vec<(String, &str, String)> = Vec::new();
    for i in 0..scale.people {
        let (roster, unit) = if youth_range.contains(&i) {
            ("youth_members", youth.clone())
        } else if officials_range.contains(&i) {
            ("officials", vhxh.clone())
        } else {
            ("children", villages[i % nv].clone())
        };
        people.push((new_id(), roster, unit));
    }
    bulk(
        store,
        "roster_people",
        &[
            "id",
            "commune_id",
            "roster",
            "full_name",
            "name_key",
            "birth_year",
            "unit_id",
            "class_id",
            "dedup_key",
            "card_code",
            "active",
            "created_at",
            "updated_at",
        ],
        people
            .iter()
            .enumerate()
            .map(|(i, (id, roster, unit))| {
                vec![
                    V::S(id.clone()),
                    V::S(commune_id.to_string()),
                    V::S(roster.to_string()),
                    V::S(format!("Người đo {i:05}")),
                    V::S(format!("nguoi do {i:05}")),
                    V::I(2000),
                    V::S(unit.clone()),
                    V::Null,
                    V::S(format!("bench-{i}")),
                    V::S(format!("B{}", id.replace('-', ""))),
                    V::I(1),
                    V::I(now),
                    V::I(now),
                ]
            })
            .collect(),
    )
    .await?;
    // Volunteer accounts, linked to the first members (200 at most).
    let mut users = vec![coord.id.clone()];
    let mut rows = Vec::new();
    for (i, person) in people.iter().take(n_youth.min(200)).enumerate() {
        let id = new_id();
        users.push(id.clone());
        rows.push(vec![
            V::S(id),
            V::S(commune_id.to_string()),
            V::S(format!("tnv{i:03}")),
            V::S(format!("Tình nguyện viên {i:03}")),
            V::S("volunteer".into()),
            V::S(youth.clone()),
            V::S("!".into()),
            V::I(1),
            V::I(now),
            V::I(now),
            V::S(person.0.clone()),
        ]);
    }
    bulk(
        store,
        "users",
        &[
            "id",
            "commune_id",
            "username",
            "full_name",
            "role",
            "unit_id",
            "password_hash",
            "active",
            "created_at",
            "updated_at",
            "person_id",
        ],
        rows,
    )
    .await?;

    // Held sessions over the lines, 20 attendances each.
    let d = |m, dd| Day::from_ymd(2026, m, dd).expect("date");
    let mut sessions = Vec::new();
    let mut attendances = Vec::new();
    for i in 0..scale.sessions {
        let (line, kind, unit, class, from, to, roster) = match i % 20 {
            0..=5 => (
                "l5-children-skills",
                "training",
                villages[i % nv].clone(),
                None,
                d(7, 1),
                d(8, 31),
                children_range.clone(),
            ),
            6..=13 => {
                let (s, c) = classes[i % classes.len()].clone();
                (
                    "l6-smart-classroom",
                    "experience",
                    s,
                    Some(c),
                    d(6, 1),
                    d(8, 31),
                    children_range.clone(),
                )
            }
            14..=16 => (
                "l3-support",
                "guidance",
                villages[i % nv].clone(),
                None,
                d(6, 10),
                d(8, 31),
                youth_range.clone(),
            ),
            17 => (
                "l4-binh-dan-hoc-vu-so",
                "guidance",
                villages[i % nv].clone(),
                None,
                d(7, 1),
                d(7, 31),
                children_range.clone(),
            ),
            18 => (
                "l6-officials-training",
                "training",
                vhxh.clone(),
                None,
                d(7, 1),
                d(8, 31),
                officials_range.clone(),
            ),
            _ => (
                "l2-propaganda",
                "propaganda",
                by_slug("ttdvsnc")?,
                None,
                d(6, 1),
                d(8, 31),
                children_range.clone(),
            ),
        };
        let id = new_id();
        let count = 20.min(roster.len());
        let start = roster.start + rng.below((roster.len() - count + 1) as u64) as usize;
        for p in &people[start..start + count] {
            attendances.push(vec![
                V::S(new_id()),
                V::S(pid.to_string()),
                V::S(id.clone()),
                V::S(p.0.clone()),
                V::S("card".into()),
                V::S(coord.id.clone()),
                V::I(now),
            ]);
        }
        sessions.push(vec![
            V::S(id),
            V::S(pid.to_string()),
            V::S(line.into()),
            V::S(unit),
            class.map(V::S).unwrap_or(V::Null),
            V::S(kind.into()),
            V::S("held".into()),
            V::S(rng.day(from, to).iso()),
            V::S("[]".into()),
            V::S(coord.id.clone()),
            V::I(now),
            V::I(now),
        ]);
    }
    bulk(
        store,
        "sessions",
        &[
            "id",
            "plan_id",
            "line_id",
            "unit_id",
            "class_id",
            "kind",
            "status",
            "day",
            "topics",
            "created_by",
            "created_at",
            "updated_at",
        ],
        sessions,
    )
    .await?;
    bulk(
        store,
        "attendances",
        &[
            "id",
            "plan_id",
            "session_id",
            "person_id",
            "method",
            "created_by",
            "created_at",
        ],
        attendances,
    )
    .await?;
    // The turns, in slices so memory stays small; 1 % deleted.
    let services = [
        "so-suc-khoe",
        "asxh-vneid",
        "smart-hai-phong",
        "khong-tien-mat",
        "dich-vu-cong",
    ];
    let mut left = scale.turns;
    while left > 0 {
        let n = left.min(100_000);
        left -= n;
        let rows = (0..n)
            .map(|_| {
                let dd = rng.day(d(6, 10), d(8, 31));
                let line = if (d(7, 1)..=d(7, 31)).contains(&dd) && rng.below(5) == 0 {
                    "l4-binh-dan-hoc-vu-so"
                } else {
                    "l3-support"
                };
                let deleted = rng.below(100) == 0;
                vec![
                    V::S(new_id()),
                    V::S(pid.to_string()),
                    V::S(line.into()),
                    V::S(villages[rng.below(nv as u64) as usize].clone()),
                    V::S(services[rng.below(5) as usize].into()),
                    V::I(0),
                    V::S(dd.iso()),
                    V::I(now),
                    V::S(users[rng.below(users.len() as u64) as usize].clone()),
                    V::I(now),
                    if deleted { V::I(now) } else { V::NullI },
                ]
            })
            .collect();
        bulk(
            store,
            "support_turns",
            &[
                "id",
                "plan_id",
                "line_id",
                "unit_id",
                "service",
                "elderly",
                "day",
                "recorded_at",
                "created_by",
                "created_at",
                "deleted_at",
            ],
            rows,
        )
        .await?;
    }
    store.rebuild_aggregates(pid).await?;
    Ok(coord.id)
}

/// p50 of the board (aggregates + engine) over `days`, and the naive floor
/// (every raw record of the plan read and evaluated) on three of them, the
/// figures of both checked equal. In milliseconds.
async fn measure(store: &Store, plan: &kehoach_core::Plan, days: &[Day]) -> anyhow::Result<(f64, f64)> {
    let mut fast = Vec::new();
    for as_of in days {
        let t = Instant::now();
        let facts = store.facts(plan, *as_of).await?;
        std::hint::black_box(engine::board(plan, &facts, *as_of));
        fast.push(t.elapsed());
    }
    fast.sort();
    let mut naive = Vec::new();
    for as_of in days.iter().take(3) {
        let t = Instant::now();
        let records = store.records(&plan.plan.id).await?;
        let b = engine::board(plan, &Facts::from_records(plan, &records), *as_of);
        naive.push(t.elapsed());
        let ours = engine::board(plan, &store.facts(plan, *as_of).await?, *as_of);
        anyhow::ensure!(
            ours.iter().zip(&b).all(|(a, b)| a.value == b.value),
            "the aggregates disagree with the raw records"
        );
    }
    naive.sort();
    Ok((percentile(&fast, 0.5), percentile(&naive, 0.5)))
}

/// `kehoach bench board --communes N`: one commune's board alone in its
/// database, then the same commune's board once N − 1 other communes of the
/// same size share the database (a city on one server): p50 before and
/// after, and against the naive floor of that commune's records.
pub async fn board_communes(
    url: Option<String>,
    communes: usize,
    turns: usize,
    iterations: usize,
) -> anyhow::Result<()> {
    let (url, _scratch) = crate::bench::database(url)?;
    let backend = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let store = Store::open(&url, true).await?;
    store.migrate().await?;
    let now = kehoach_core::Clock::system().now();
    let scale = Scale { turns, ..COMMUNE };
    let mut rng = Rng::new(0xC0FFEE);
    let plan = seed_plan();
    store.import_plan(&plan, SEED_PLAN_TOML, now).await?;
    let first = store.primary_commune().await?.context("the first commune")?;
    fill(&store, &plan.plan.id, &first.id, scale, &mut rng, now).await?;
    let d = |m, dd| Day::from_ymd(2026, m, dd).expect("date");
    let days: Vec<Day> = (0..iterations).map(|_| rng.day(d(6, 1), d(8, 31))).collect();
    // Table statistics as a running database keeps them (autovacuum, or `ANALYZE`).
    sqlx::query("ANALYZE").execute(store.pool()).await?;
    let (alone, alone_floor) = measure(&store, &plan, &days).await?;

    let t0 = Instant::now();
    for i in 1..communes {
        let c = store
            .create_commune(
                kehoach_store::NewCommune {
                    name: format!("xã Đo Hiệu Năng {i:03}"),
                    province: "Hải Phòng".into(),
                    host: Some(format!("xa-{i:03}.bench.test")),
                    ..Default::default()
                },
                now,
            )
            .await?;
        let mut p = seed_plan();
        store.add_commune_plan(&c, &mut p, SEED_PLAN_TOML, now).await?;
        store.drop_sample_units(&p.plan.id).await?;
        fill(&store, &p.plan.id, &c.id, scale, &mut rng, now).await?;
    }
    let loaded = t0.elapsed();
    sqlx::query("ANALYZE").execute(store.pool()).await?;
    let (among, among_floor) = measure(&store, &plan, &days).await?;
    println!(
        "kehoach bench board --communes — {backend}, machine: {} cores",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    );
    println!(
        "data: {communes} communes × ({turns} turns, {} sessions with up to {} attendances, {} people, {} villages) = {} turns in one database (the other communes loaded in {:.0} s)",
        scale.sessions,
        scale.sessions * 20,
        scale.people,
        scale.villages,
        communes * turns,
        loaded.as_secs_f64()
    );
    println!(
        "{:<52} {:>9} {:>13}",
        "one commune's board, as of a random date", "p50 ms", "naive floor"
    );
    println!("{:<52} {:>9.2} {:>13.2}", "alone in its database", alone, alone_floor);
    println!(
        "{:<52} {:>9.2} {:>13.2}",
        format!("among {communes} communes"),
        among,
        among_floor
    );
    println!(
        "ratios: among {communes} communes / alone = {:.2}; ours is {:.0}× faster than the naive floor",
        among / alone.max(1e-9),
        among_floor / among.max(1e-9)
    );

    // The city's board: every commune of the city as of a date, ranked
    // (what /thanh-pho shows), against reading one commune's board after
    // another in the same run.
    let (city, _, _) = store
        .found_commune(
            kehoach_store::NewCommune {
                name: "thành phố Đo Hiệu Năng".into(),
                host: Some("thanh-pho.bench.test".into()),
                is_city: true,
                ..Default::default()
            },
            None,
            2026,
            3600,
            now,
        )
        .await?;
    sqlx::query("UPDATE communes SET city_id = $1 WHERE kind = 'commune'")
        .bind(&city.id)
        .execute(store.pool())
        .await?;
    let mut rollups = Vec::new();
    let mut one_by_one = Vec::new();
    for as_of in days.iter().take(iterations.min(20)) {
        let t = Instant::now();
        let r = kehoach_web::city::board::city_rollup(&store, &city.id, *as_of, None)
            .await
            .map_err(|e| anyhow::anyhow!("{}", e.message))?;
        rollups.push(t.elapsed());
        anyhow::ensure!(r.communes.len() == communes, "{} communes rolled up", r.communes.len());
        let t = Instant::now();
        for c in store.city_communes(&city.id).await? {
            let pid = store.commune_plan_id(&c.id).await?.context("a plan")?;
            let p = store.load_plan(&pid).await?;
            std::hint::black_box(kehoach_web::reports::standings(&store, &p, *as_of).await?);
        }
        one_by_one.push(t.elapsed());
    }
    rollups.sort();
    one_by_one.sort();
    // The naive evaluation: every raw record of every commune's plan read
    // and evaluated, on two dates; every commune's board checked equal to
    // the roll-up's.
    let mut naive = Vec::new();
    for as_of in days.iter().take(2) {
        let t = Instant::now();
        let mut boards = Vec::new();
        for c in store.city_communes(&city.id).await? {
            let pid = store.commune_plan_id(&c.id).await?.context("a plan")?;
            let p = store.load_plan(&pid).await?;
            let records = store.records(&pid).await?;
            boards.push(engine::board(&p, &Facts::from_records(&p, &records), *as_of));
        }
        naive.push(t.elapsed());
        let rolled = store.city_facts(&city.id, *as_of, None).await?;
        anyhow::ensure!(rolled.len() == boards.len(), "communes rolled up");
        for (c, b) in rolled.iter().zip(&boards) {
            anyhow::ensure!(
                engine::board(&c.plan, &c.facts, *as_of) == *b,
                "the city roll-up disagrees with the raw records of {}",
                c.commune.name
            );
        }
    }
    naive.sort();
    let p50 = crate::bench::percentile(&rollups, 0.5);
    println!(
        "the city's board ({communes} communes, ranked), as of a random date: p50 {:.1} ms, p99 {:.1} ms; one commune after another: p50 {:.1} ms ({:.2}×); naive evaluation of the raw records: p50 {:.0} ms ({:.0}×, equal results)",
        p50,
        crate::bench::percentile(&rollups, 0.99),
        crate::bench::percentile(&one_by_one, 0.5),
        crate::bench::percentile(&one_by_one, 0.5) / p50.max(1e-9),
        crate::bench::percentile(&naive, 0.5),
        crate::bench::percentile(&naive, 0.5) / p50.max(1e-9)
    );
    store.close().await;
    Ok(())
}

pub async fn board(url: Option<String>, turns: usize, iterations: usize) -> anyhow::Result<()> {
    let (url, _scratch) = crate::bench::database(url)?;
    let backend = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let store = Store::open(&url, true).await?;
    store.migrate().await?;
    let plan = seed_plan();
    let pid = plan.plan.id.clone();
    let now = kehoach_core::Clock::system().now();
    store.import_plan(&plan, SEED_PLAN_TOML, now).await?;
    let commune = store.primary_commune().await?.context("the first commune")?;
    let t0 = Instant::now();
    let mut rng = Rng::new(0xB0A2D);
    let coord_id = fill(
        &store,
        &pid,
        &commune.id,
        Scale {
            villages: 50,
            people: 10_000,
            sessions: 10_000,
            turns,
            classes: 100,
        },
        &mut rng,
        now,
    )
    .await?;
    let d = |m, dd| Day::from_ymd(2026, m, dd).expect("date");
    let loaded = t0.elapsed();

    println!(
        "kehoach bench board — {backend}, machine: {} cores",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    );
    println!(
        "data: {turns} turns, 200.000 attendances over 10.000 sessions, 50 villages, 10.000 people, 100 classes (loaded and aggregates rebuilt in {:.1} s)",
        loaded.as_secs_f64()
    );
    let days: Vec<Day> = (0..iterations).map(|_| rng.day(d(6, 1), d(8, 31))).collect();

    // Ours: aggregates as of the date, then the engine.
    let mut fast = Vec::new();
    let (mut reads, mut evals) = (Vec::new(), Vec::new());
    for as_of in &days {
        let t = Instant::now();
        let facts = store.facts(&plan, *as_of).await?;
        let read = t.elapsed();
        std::hint::black_box(engine::board(&plan, &facts, *as_of));
        fast.push(t.elapsed());
        reads.push(read);
        evals.push(t.elapsed() - read);
    }
    fast.sort();
    reads.sort();
    evals.sort();
    // Floor: every raw record read, then aggregated and evaluated.
    let mut naive = Vec::new();
    let mut check = None;
    for as_of in days.iter().take(3) {
        let t = Instant::now();
        let records = store.records(&pid).await?;
        let facts = Facts::from_records(&plan, &records);
        let b = engine::board(&plan, &facts, *as_of);
        naive.push(t.elapsed());
        check.get_or_insert((b, *as_of));
    }
    naive.sort();
    if let Some((b, as_of)) = check {
        let ours = engine::board(&plan, &store.facts(&plan, as_of).await?, as_of);
        anyhow::ensure!(
            ours.iter().zip(&b).all(|(a, b)| a.value == b.value),
            "the aggregates disagree with the raw records"
        );
    }
    let p50 = percentile(&fast, 0.5);
    let naive_ms = percentile(&naive, 0.5);
    println!(
        "{:<44} {:>9} {:>9}",
        "board, all targets, as of a random date", "p50 ms", "p99 ms"
    );
    println!(
        "{:<44} {:>9.1} {:>9.1}",
        "ours (aggregates + engine, in process)",
        p50,
        percentile(&fast, 0.99)
    );
    println!(
        "{:<44} {:>9.1} {:>9.1}",
        "  of which reading the aggregates",
        percentile(&reads, 0.5),
        percentile(&reads, 0.99)
    );
    println!(
        "{:<44} {:>9.1} {:>9.1}",
        "  of which the engine",
        percentile(&evals, 0.5),
        percentile(&evals, 0.99)
    );
    println!(
        "{:<44} {:>9.1} {:>9}",
        "naive floor (scan all records + engine)", naive_ms, ""
    );
    println!(
        "ratio: ours is {:.0}× faster than the naive floor (same figures checked)",
        naive_ms / p50.max(1e-9)
    );

    report_and_export(&store, &plan).await?;

    // The same through `serve`, with its peak resident memory.
    let (token, _) = store
        .create_session(&coord_id, kehoach_core::Clock::system().now())
        .await?;
    store.close().await;
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    drop(listener);
    let mut child = tokio::process::Command::new(std::env::current_exe()?)
        .args(["serve", "--database-url", &url, "--listen", &addr.to_string()])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let mut conn = None;
    for _ in 0..100 {
        if let Ok(s) = TcpStream::connect(addr).await {
            conn = Some(BufReader::new(s));
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut conn = conn.context("serve did not start")?;
    let cookie = format!("kh_session={token}");
    let mut http = Vec::new();
    for as_of in &days {
        let t = Instant::now();
        http_get(
            &mut conn,
            addr,
            &format!("/api/v1/board?as_of={}", as_of.iso()),
            &cookie,
        )
        .await?;
        http.push(t.elapsed());
    }
    http.sort();
    let status = std::fs::read_to_string(format!("/proc/{}/status", child.id().context("pid")?)).unwrap_or_default();
    let field = |k: &str| {
        status
            .lines()
            .find(|l| l.starts_with(k))
            .map(|l| l[k.len()..].trim().to_string())
            .unwrap_or_else(|| "?".into())
    };
    println!(
        "serve, GET /api/v1/board over loopback: p50 {:.1} ms, p99 {:.1} ms; resident memory now {}, peak {}",
        percentile(&http, 0.5),
        percentile(&http, 0.99),
        field("VmRSS:"),
        field("VmHWM:")
    );
    let _ = child.kill().await;
    Ok(())
}

/// The summary report (DOCX + PDF) as of late August, and an export of about
/// 100.000 records (XLSX and CSV) against a floor: the same rows read raw and
/// written as plain CSV, no labels, no formatting.
async fn report_and_export(store: &Store, plan: &kehoach_core::Plan) -> anyhow::Result<()> {
    let d = |m, dd| Day::from_ymd(2026, m, dd).expect("date");
    let as_of = d(8, 25);
    let mut reports = Vec::new();
    let mut sizes = (0, 0);
    for _ in 0..10 {
        let t = Instant::now();
        let r = kehoach_web::reports::summary_report(store, plan, as_of, as_of).await?;
        let docx = kehoach_report::docx::docx(&r)?;
        let pdf = kehoach_report::pdf::pdf(&r)?;
        reports.push(t.elapsed());
        sizes = (docx.len(), pdf.len());
    }
    reports.sort();
    println!(
        "summary report as of 25/08, DOCX + PDF: p50 {:.1} ms, max {:.1} ms (DOCX {} KB, PDF {} KB)",
        percentile(&reports, 0.5),
        percentile(&reports, 1.0),
        sizes.0 / 1024,
        sizes.1 / 1024
    );

    // About 100.000 records: nine days of turns (the sessions and attendance of those days too).
    let f = kehoach_store::ExportFilter {
        unit_id: None,
        from: Some(d(7, 1)),
        to: Some(d(7, 9)),
    };
    let (mut xlsx, mut csv, mut floor, mut reading) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut rows = 0;
    for _ in 0..5 {
        let t = Instant::now();
        let sheets = kehoach_web::reports::workbook(store, plan, &f, as_of).await?;
        reading.push(t.elapsed());
        rows = sheets.iter().map(|s| s.rows.len()).sum::<usize>();
        std::hint::black_box(kehoach_report::sheets::xlsx(&sheets)?);
        xlsx.push(t.elapsed());

        let t = Instant::now();
        let sheets = kehoach_web::reports::workbook(store, plan, &f, as_of).await?;
        for s in &sheets {
            std::hint::black_box(kehoach_report::sheets::csv(s));
        }
        csv.push(t.elapsed());

        let t = Instant::now();
        let raw: Vec<(String, String, String, String, i64, String, i64)> = sqlx::query_as(
            "SELECT day, line_id, unit_id, service, elderly, created_by, recorded_at FROM support_turns \
             WHERE plan_id = $1 AND deleted_at IS NULL AND day >= $2 AND day <= $3",
        )
        .bind(&plan.plan.id)
        .bind(d(7, 1).iso())
        .bind(d(7, 9).iso())
        .fetch_all(store.pool())
        .await?;
        let raw_att: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT a.session_id, a.person_id, a.method FROM attendances a JOIN sessions s ON s.id = a.session_id \
             WHERE a.plan_id = $1 AND a.deleted_at IS NULL AND s.day >= $2 AND s.day <= $3",
        )
        .bind(&plan.plan.id)
        .bind(d(7, 1).iso())
        .bind(d(7, 9).iso())
        .fetch_all(store.pool())
        .await?;
        let mut out = Vec::with_capacity(64 * (raw.len() + raw_att.len()));
        for r in &raw {
            use std::io::Write;
            writeln!(out, "{},{},{},{},{},{},{}", r.0, r.1, r.2, r.3, r.4, r.5, r.6)?;
        }
        for r in &raw_att {
            use std::io::Write;
            writeln!(out, "{},{},{}", r.0, r.1, r.2)?;
        }
        std::hint::black_box(out);
        floor.push(t.elapsed());
    }
    xlsx.sort();
    csv.sort();
    floor.sort();
    reading.sort();
    let (x, c, fl) = (percentile(&xlsx, 0.5), percentile(&csv, 0.5), percentile(&floor, 0.5));
    println!(
        "export of {rows} records (01/07–09/07): XLSX p50 {x:.1} ms, CSV p50 {c:.1} ms; floor (raw rows as plain CSV) {fl:.1} ms"
    );
    println!(
        "  of which reading the records into typed rows p50 {:.1} ms (the rest: writing the file)",
        percentile(&reading, 0.5)
    );
    println!(
        "ratios: XLSX {:.1}× the floor, CSV {:.1}× the floor; ODK Central's 4,9 s for 100.000 submissions is {:.0}× our XLSX",
        x / fl.max(1e-9),
        c / fl.max(1e-9),
        4900.0 / x.max(1e-9)
    );
    Ok(())
}
