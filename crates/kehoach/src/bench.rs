//! `kehoach bench ingest`: support turns through the real HTTP API on
//! loopback, at several concurrencies, next to a floor measured in the same
//! run on the same database: a bare loop of one-row-per-commit inserts.
//!
//! Absolute numbers move ±20 % on shared 2-core machines; the ratio to the
//! floor is the figure to compare between runs.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::Context;
use kehoach_core::{SEED_PLAN_TOML, seed_plan};
use kehoach_store::{NewUser, Role, Store};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

struct Fixture {
    store: Store,
    plan_id: String,
    village: String,
    cookie: String,
    csrf: String,
}

async fn fixture(url: &str) -> anyhow::Result<Fixture> {
    let store = Store::open(url, true).await?;
    store.migrate().await?;
    let plan = seed_plan();
    store
        .import_plan(&plan, SEED_PLAN_TOML, kehoach_core::Clock::system().now())
        .await?;
    let user = format!("bench{}", &uuid::Uuid::now_v7().simple().to_string()[20..]);
    let u = store
        .create_user(
            &plan.plan.id,
            NewUser {
                username: user,
                full_name: "Đo hiệu năng".into(),
                role: Role::Coordinator,
                unit_id: None,
                password: "mat-khau-do-hieu-nang".into(),
            },
            kehoach_core::Clock::system().now(),
        )
        .await?;
    let (token, csrf) = store.create_session(&u.id, kehoach_core::Clock::system().now()).await?;
    let village = store
        .list_units(&plan.plan.id)
        .await?
        .into_iter()
        .find(|u| u.kind == "village")
        .context("a village")?
        .id;
    Ok(Fixture {
        store,
        plan_id: plan.plan.id,
        village,
        cookie: format!("kh_session={token}"),
        csrf,
    })
}

/// The floor: one INSERT per transaction, one after the other, same durability settings.
async fn floor(f: &Fixture, user_id: &str, seconds: f64) -> anyhow::Result<f64> {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed().as_secs_f64() < seconds {
        sqlx::query(
            "INSERT INTO support_turns (id, plan_id, line_id, unit_id, service, elderly, day, recorded_at, created_by, created_at) \
             VALUES ($1, $2, 'l3-support', $3, 'asxh-vneid', 0, '2026-07-15', $4, $5, $4)",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(&f.plan_id)
        .bind(&f.village)
        .bind(kehoach_core::Clock::system().now())
        .bind(user_id)
        .execute(f.store.pool())
        .await?;
        n += 1;
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

/// One keep-alive connection posting single turns until the deadline; returns latencies.
async fn worker(
    addr: SocketAddr,
    cookie: String,
    csrf: String,
    village: String,
    deadline: Instant,
) -> anyhow::Result<Vec<Duration>> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let mut conn = BufReader::new(stream);
    let mut lat = Vec::new();
    while Instant::now() < deadline {
        let body = format!(
            r#"{{"id":"{}","unit_id":"{village}","service":"asxh-vneid","day":"2026-07-15"}}"#,
            uuid::Uuid::now_v7()
        );
        let req = format!(
            "POST /api/v1/turns HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        let t0 = Instant::now();
        conn.get_mut().write_all(req.as_bytes()).await?;
        let (status, buf) = read_response(&mut conn).await?;
        anyhow::ensure!(
            status.contains(" 201 "),
            "unexpected answer: {status} {}",
            String::from_utf8_lossy(&buf)
        );
        lat.push(t0.elapsed());
    }
    Ok(lat)
}

/// Reads one HTTP/1.1 response with a Content-Length: its status line and body.
pub(crate) async fn read_response(conn: &mut BufReader<TcpStream>) -> anyhow::Result<(String, Vec<u8>)> {
    let mut status = String::new();
    conn.read_line(&mut status).await?;
    let mut len = 0usize;
    loop {
        let mut line = String::new();
        conn.read_line(&mut line).await?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            len = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; len];
    conn.read_exact(&mut body).await?;
    Ok((status, body))
}

/// The `p` quantile of sorted durations, in milliseconds.
pub(crate) fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

/// A scratch directory for a benchmark's SQLite file, removed when dropped
/// (the board's database is half a gigabyte).
pub struct Scratch(std::path::PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The database to measure: the one given, or a new SQLite file in a scratch directory.
pub fn database(url: Option<String>) -> anyhow::Result<(String, Option<Scratch>)> {
    Ok(match url {
        Some(u) => (u, None),
        None => {
            let dir = std::env::temp_dir().join(format!("kehoach-bench-{}", uuid::Uuid::now_v7()));
            std::fs::create_dir_all(&dir)?;
            (
                format!("sqlite:{}", dir.join("bench.sqlite").display()),
                Some(Scratch(dir)),
            )
        }
    })
}

pub async fn ingest(url: Option<String>, seconds: f64, levels: &[usize]) -> anyhow::Result<()> {
    let (url, _scratch) = database(url)?;
    let backend = if url.starts_with("postgres") {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let f = fixture(&url).await?;
    let user_id = f
        .store
        .list_users(&f.plan_id)
        .await?
        .into_iter()
        .last()
        .context("bench user")?
        .id;
    let floor_rate = floor(&f, &user_id, seconds).await?;
    let commune = f.store.primary_commune().await?.context("bench commune")?;
    let state = kehoach_web::AppState::new(
        f.store.clone(),
        commune,
        seed_plan(),
        "http://127.0.0.1".into(),
        kehoach_core::Clock::system(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    tokio::spawn(async move {
        let _ = axum::serve(
            listener,
            kehoach_web::app(state).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await;
    });
    println!(
        "kehoach bench ingest — {backend}, {seconds} s per level, machine: {} cores",
        std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0)
    );
    println!("floor (bare one-row-per-commit INSERT loop, same database): {floor_rate:.0} rows/s");
    println!(
        "{:>11} {:>14} {:>9} {:>9} {:>15}",
        "in flight", "turns/s", "p50 ms", "p99 ms", "× floor"
    );
    for &c in levels {
        let deadline = Instant::now() + Duration::from_secs_f64(seconds);
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..c {
            tasks.push(tokio::spawn(worker(
                addr,
                f.cookie.clone(),
                f.csrf.clone(),
                f.village.clone(),
                deadline,
            )));
        }
        let mut lat = Vec::new();
        for t in tasks {
            lat.extend(t.await??);
        }
        let elapsed = start.elapsed().as_secs_f64();
        lat.sort();
        let rate = lat.len() as f64 / elapsed;
        println!(
            "{c:>11} {rate:>14.0} {:>9.2} {:>9.2} {:>15.2}",
            percentile(&lat, 0.5),
            percentile(&lat, 0.99),
            rate / floor_rate
        );
    }
    let stored = f.store.count_turns(&f.plan_id).await?;
    println!("turns stored in the run: {stored} (every 201 is a durable commit)");
    Ok(())
}
