//! The real binary under load, on SQLite and on PostgreSQL: SIGKILL during a
//! stream of support turns loses no acknowledged id; a thousand clients that
//! hang up mid-request leave no transaction or connection behind.

use std::io::Write;
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;
use common::{Server, http, start, start_with_env};

/// Sets up the first coordinator; returns (cookie, csrf, a village id).
fn login(s: &Server) -> (String, String, String) {
    let link = s.setup_link.clone().unwrap();
    let form = "full_name=Nguyen+Thi+Hoa&username=hoa.vhxh&password=mat-khau-dai-2026";
    let (_, head, _) = http(
        s.port,
        "POST",
        &link,
        &[("Content-Type", "application/x-www-form-urlencoded")],
        form,
    )
    .unwrap();
    let cookie = head
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: "))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let (_, _, me) = http(s.port, "GET", "/api/v1/me", &[("Cookie", &cookie)], "").unwrap();
    let me: serde_json::Value = serde_json::from_str(&me).unwrap();
    let csrf = me["csrf_token"].as_str().unwrap().to_string();
    // A fresh install has no sample villages: the commune adds its own.
    let (status, _, unit) = http(
        s.port,
        "POST",
        "/api/v1/units",
        &[
            ("Cookie", &cookie),
            ("X-CSRF-Token", &csrf),
            ("Content-Type", "application/json"),
        ],
        r#"{"name": "Thôn Đông", "kind": "village"}"#,
    )
    .unwrap();
    assert_eq!(status, 201, "{unit}");
    let unit: serde_json::Value = serde_json::from_str(&unit).unwrap();
    let village = unit["id"].as_str().unwrap().to_string();
    (cookie, csrf, village)
}

fn urls() -> Vec<(&'static str, String)> {
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(kehoach_store::testing::fresh_database_urls())
}

#[test]
fn sigkill_under_load_loses_no_acknowledged_turn() {
    for (backend, url) in urls() {
        let mut s = start(&url);
        let (cookie, csrf, village) = login(&s);
        let acked = Arc::new(Mutex::new(Vec::<String>::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let mut workers = Vec::new();
        for _ in 0..8 {
            let (acked, stop, cookie, csrf, village, port) = (
                acked.clone(),
                stop.clone(),
                cookie.clone(),
                csrf.clone(),
                village.clone(),
                s.port,
            );
            workers.push(std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let ids: Vec<String> = (0..20).map(|_| uuid::Uuid::now_v7().to_string()).collect();
                    let turns: Vec<_> = ids
                        .iter()
                        .map(|id| serde_json::json!({"id": id, "unit_id": village, "service": "asxh-vneid", "day": "2026-07-15"}))
                        .collect();
                    let body = serde_json::json!({ "turns": turns }).to_string();
                    let headers =
                        [("Cookie", cookie.as_str()), ("X-CSRF-Token", csrf.as_str()), ("Content-Type", "application/json")];
                    // A failed or cut request (the server died) is not acknowledged.
                    if let Ok((200, _, reply)) = http(port, "POST", "/api/v1/turns/batch", &headers, &body) {
                        let reply: serde_json::Value = serde_json::from_str(&reply).unwrap();
                        let mut a = acked.lock().unwrap();
                        for r in reply["results"].as_array().unwrap() {
                            if r["status"] == "stored" || r["status"] == "duplicate" {
                                a.push(r["id"].as_str().unwrap().to_string());
                            }
                        }
                    }
                }
            }));
        }
        std::thread::sleep(Duration::from_millis(1500));
        s.child.kill().unwrap(); // SIGKILL while batches are in flight
        s.child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        for w in workers {
            w.join().unwrap();
        }
        let acked = acked.lock().unwrap().clone();
        assert!(
            acked.len() >= 200,
            "{backend}: only {} turns acknowledged before the kill",
            acked.len()
        );

        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            let store = kehoach_store::Store::open(&url, false).await.unwrap();
            let plan = kehoach_core::seed_plan().plan.id;
            let stored = store.count_turns(&plan).await.unwrap() as usize;
            assert!(
                stored >= acked.len(),
                "{backend}: {stored} stored < {} acknowledged",
                acked.len()
            );
            for id in &acked {
                assert!(
                    store.turn(&plan, id).await.is_ok(),
                    "{backend}: acknowledged turn {id} lost"
                );
            }
            store.close().await;
        });
        // And the server starts again on the same database.
        let mut s2 = start(&url);
        let (status, _, _) = http(s2.port, "GET", "/healthz", &[], "").unwrap();
        assert_eq!(status, 200);
        s2.child.kill().unwrap();
        s2.child.wait().unwrap();
    }
}

#[test]
fn a_thousand_clients_hanging_up_leave_nothing_open() {
    for (backend, url) in urls() {
        let mut s = start(&url);
        let (cookie, csrf, village) = login(&s);
        let port = s.port;
        let mut threads = Vec::new();
        for t in 0..10 {
            let (cookie, csrf, village) = (cookie.clone(), csrf.clone(), village.clone());
            threads.push(std::thread::spawn(move || {
                for i in 0..100 {
                    let Ok(mut c) = TcpStream::connect(("127.0.0.1", port)) else { continue };
                    let body = serde_json::json!({"turns": [{"id": uuid::Uuid::now_v7().to_string(), "unit_id": village, "service": "asxh-vneid", "day": "2026-07-15"}]}).to_string();
                    let head = format!(
                        "POST /api/v1/turns/batch HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\nX-CSRF-Token: {csrf}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                        body.len()
                    );
                    let _ = c.write_all(head.as_bytes());
                    if (t + i) % 2 == 0 {
                        // Half the body, then hang up.
                        let _ = c.write_all(&body.as_bytes()[..body.len() / 2]);
                    } else {
                        // The whole request, then hang up before the answer.
                        let _ = c.write_all(body.as_bytes());
                    }
                    drop(c);
                }
            }));
        }
        for t in threads {
            t.join().unwrap();
        }
        // The server still answers, writes still go through, and the pool is idle again.
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let (status, _, body) = http(port, "GET", "/healthz", &[], "").unwrap();
            assert_eq!(status, 200, "{backend}: {body}");
            let h: serde_json::Value = serde_json::from_str(&body).unwrap();
            if h["db_connections"] == h["db_idle"] {
                break;
            }
            assert!(Instant::now() < deadline, "{backend}: connections still busy: {h}");
            std::thread::sleep(Duration::from_millis(100));
        }
        let body = serde_json::json!({"turns": [{"id": uuid::Uuid::now_v7().to_string(), "unit_id": village, "service": "so-suc-khoe", "day": "2026-07-16"}]}).to_string();
        let (status, _, reply) = http(
            port,
            "POST",
            "/api/v1/turns/batch",
            &[
                ("Cookie", &cookie),
                ("X-CSRF-Token", &csrf),
                ("Content-Type", "application/json"),
            ],
            &body,
        )
        .unwrap();
        assert_eq!(status, 200, "{backend}: {reply}");
        assert!(reply.contains("\"stored\":1"), "{backend}: {reply}");
        s.child.kill().unwrap();
        s.child.wait().unwrap();
    }
}

/// A client that sends its headers a byte at a time is cut off once the
/// header deadline passes (here 1 s), while other clients are served.
#[test]
fn a_connection_that_trickles_its_headers_is_closed() {
    use std::io::Read;
    let (_, url) = urls().remove(0);
    let mut s = start_with_env(&url, &[("KEHOACH_HEADER_TIMEOUT_SECS", "1")]);
    let mut slow = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    slow.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let started = Instant::now();
    let request = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let mut closed_after = None;
    for b in request.iter() {
        if slow.write_all(&[*b]).is_err() {
            closed_after = Some(started.elapsed());
            break;
        }
        let mut buf = [0u8; 512];
        match slow.read(&mut buf) {
            Ok(0) => {
                closed_after = Some(started.elapsed());
                break;
            }
            Ok(_) => {
                // hyper answers 408 before closing.
                closed_after = Some(started.elapsed());
                break;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock || e.kind() == std::io::ErrorKind::TimedOut => {}
            Err(_) => {
                closed_after = Some(started.elapsed());
                break;
            }
        }
        // Meanwhile the server answers others.
        if started.elapsed() > Duration::from_millis(500) && started.elapsed() < Duration::from_millis(800) {
            let (status, _, _) = http(s.port, "GET", "/healthz", &[], "").unwrap();
            assert_eq!(status, 200);
        }
    }
    let closed_after = closed_after.expect("the trickling connection was never closed");
    assert!(closed_after < Duration::from_secs(5), "closed after {closed_after:?}");
    let (status, _, _) = http(s.port, "GET", "/healthz", &[], "").unwrap();
    assert_eq!(status, 200);
    s.child.kill().unwrap();
    s.child.wait().unwrap();
}
