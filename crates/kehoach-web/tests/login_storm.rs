//! A login storm: many concurrent logins with unknown usernames queue for
//! password hashing instead of taking the server's memory, and one client
//! trying many usernames is limited. Its own binary, so the peak-memory
//! reading of this process is not shared with other tests.

mod common;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode, header};
use common::{PASSWORD, TestApp};
use serde_json::json;

fn rss_kb(field: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap()
}

fn login(peer: &str, username: &str, password: &str) -> Request<Body> {
    let mut r = Request::post("/api/v1/login")
        .header(header::HOST, "kehoach.test")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"username": username, "password": password}).to_string(),
        ))
        .unwrap();
    r.extensions_mut()
        .insert(ConnectInfo(peer.parse::<std::net::SocketAddr>().unwrap()));
    r
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixty_four_concurrent_logins_keep_memory_bounded_and_one_client_is_limited_across_usernames() {
    let t = TestApp::all().await.remove(0);
    t.coordinator().await;
    // Warm up: one login, so the allocator's arenas exist before the reading.
    let (s, _, _) = t.send(login("192.0.2.1:1000", "dieuphoi", PASSWORD)).await;
    assert_eq!(s, StatusCode::OK);
    let baseline = rss_kb("VmRSS:");
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    // 64 different clients, 64 different unknown usernames, all at once.
    let storm = (0..64).map(|i| {
        let t = &t;
        async move {
            let peer = format!("10.1.{}.{}:4000", i / 200, i % 200 + 1);
            t.send(login(&peer, &format!("khong-co-{i}"), "mat-khau-bat-ky-123"))
                .await
                .0
        }
    });
    let statuses = futures_join_all(storm).await;
    assert!(statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED), "{statuses:?}");
    let growth_mb = rss_kb("VmHWM:").saturating_sub(baseline) / 1024;
    println!("peak resident growth over 64 concurrent logins: {growth_mb} MB");
    assert!(growth_mb < 150, "resident memory grew {growth_mb} MB");

    // One client trying many usernames: after 20 failures it waits, even
    // with a username it has not tried and the right password.
    let peer = "198.51.100.7:5000";
    for i in 0..kehoach_web::http::auth::CLIENT_FAILURES {
        let (s, _, _) = t.send(login(peer, &format!("thu-{i}"), "sai-mat-khau-1")).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "attempt {i}");
    }
    let (s, _, body) = t.send(login(peer, "dieuphoi", PASSWORD)).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body.contains("login_rate_limited"));
    // Another client is not affected.
    let (s, _, _) = t.send(login("198.51.100.8:5000", "dieuphoi", PASSWORD)).await;
    assert_eq!(s, StatusCode::OK);
}

/// Runs the futures at once (each on its own task) and collects their outputs in order.
async fn futures_join_all<F: std::future::Future<Output = StatusCode>>(
    futs: impl Iterator<Item = F>,
) -> Vec<StatusCode> {
    let futs: Vec<_> = futs.map(Box::pin).collect();
    let mut out = Vec::new();
    // Poll them together: a simple join over pinned futures.
    let mut pending: Vec<_> = futs.into_iter().map(Some).collect();
    let mut results: Vec<Option<StatusCode>> = vec![None; pending.len()];
    std::future::poll_fn(|cx| {
        let mut all_done = true;
        for (i, slot) in pending.iter_mut().enumerate() {
            if let Some(f) = slot {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => {
                        results[i] = Some(v);
                        *slot = None;
                    }
                    std::task::Poll::Pending => all_done = false,
                }
            }
        }
        if all_done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
    out.extend(results.into_iter().map(|r| r.unwrap()));
    out
}
