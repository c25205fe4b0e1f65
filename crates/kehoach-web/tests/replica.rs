//! A city on a PostgreSQL primary and its hot standby (`serve
//! --read-database-url`): writes go to the primary, the boards read the
//! standby; while the standby has not replayed the last writes the city's
//! board says so and shows the figures it has; once it has caught up the
//! figures are the primary's. `scripts/test` starts the pair
//! (`KEHOACH_TEST_PG_STANDBY_URL`).

mod common;

use std::time::Duration;

use axum::http::StatusCode;
use common::TestApp;
use kehoach_core::{Clock, Day};
use kehoach_store::Store;
use serde_json::json;
use sqlx::Connection;

/// The standby's URL for the database `name`, once the standby has it.
async fn on_standby(name: &str) -> Option<String> {
    let standby = match std::env::var("KEHOACH_TEST_PG_STANDBY_URL") {
        Ok(u) if !u.is_empty() => u,
        _ => {
            assert_ne!(
                std::env::var("KEHOACH_REQUIRE_PG").as_deref(),
                Ok("1"),
                "KEHOACH_REQUIRE_PG=1 but KEHOACH_TEST_PG_STANDBY_URL is not set (scripts/test starts a standby)"
            );
            return None;
        }
    };
    // A run that failed while the standby's replay was paused left it so.
    let mut admin = sqlx::AnyConnection::connect(&standby)
        .await
        .expect("the standby answers");
    sqlx::query("SELECT pg_wal_replay_resume()")
        .execute(&mut admin)
        .await
        .expect("resume replay");
    let url = format!("{}/{name}", standby.rsplit_once('/').expect("a URL").0);
    for _ in 0..500 {
        if sqlx::AnyConnection::connect(&url).await.is_ok() {
            return Some(url);
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the standby never had the database {name}");
}

async fn city_turns(store: &Store, city_id: &str, as_of: Day) -> i64 {
    kehoach_web::city::board::city_rollup(store, city_id, as_of, None)
        .await
        .map_err(|e| e.message)
        .unwrap()
        .total_turns
}

/// The city's turns once they read `want` (the standby may show the last
/// commits a moment after its replay position says it has them), or what
/// they read after 10 s.
async fn settled_turns(store: &Store, city_id: &str, as_of: Day, want: i64) -> i64 {
    let mut n = 0;
    for _ in 0..500 {
        n = city_turns(store, city_id, as_of).await;
        if n == want {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    n
}

#[tokio::test]
async fn the_city_board_reads_the_standby_and_says_when_it_lags() {
    sqlx::any::install_default_drivers();
    let urls = kehoach_store::testing::fresh_database_urls().await;
    let Some((_, primary)) = urls.into_iter().find(|(b, _)| *b == "postgres") else {
        return;
    };
    let name = primary.rsplit_once('/').expect("a URL").1.to_string();
    let Some(standby) = on_standby(&name).await else {
        return;
    };
    let day = Day::from_ymd(2026, 7, 20).unwrap();
    let store = Store::open(&primary, false)
        .await
        .unwrap()
        .with_read_replica(&standby)
        .await
        .unwrap();
    assert!(store.has_read_replica());
    assert!(store.reads_from_standby().await.unwrap(), "the reads go to a standby");
    let mut t = TestApp::on_store("postgres", &primary, store.clone(), Clock::at(day, 9, 0)).await;
    t.serve_all_communes();
    let city = t.add_city("thành phố Hải Phòng", "hai-phong.test").await;
    let an_hoa = t
        .add_commune_of(Some(&city.commune.id), "xã An Hòa", "an-hoa.hai-phong.test")
        .await;
    let coord = an_hoa.coordinator().await;
    let village = an_hoa.unit_by_slug("thon-mau-1").await;
    let record = |n: usize| {
        let an_hoa = &an_hoa;
        let coord = &coord;
        let village = village.id.clone();
        async move {
            for _ in 0..n {
                let turn = json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": village, "service": "asxh-vneid", "day": "2026-07-15"});
                let (s, j) = an_hoa.api("POST", "/api/v1/turns", Some(coord), turn).await;
                assert!(s.is_success(), "{j}");
            }
        }
    };
    record(3).await;
    let primary_only = Store::open(&primary, false).await.unwrap();
    assert!(
        store.wait_for_replica(Duration::from_secs(10)).await.unwrap(),
        "the standby catches up"
    );
    assert_eq!(settled_turns(&store, &city.commune.id, day, 3).await, 3);
    let reader = city.coordinator().await;
    let (s, body) = city.get("/thanh-pho?ngay=20/07/2026", Some(&reader)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body.contains("xã An Hòa"), "{body}");
    assert!(!body.contains("máy chủ bản sao"), "no lag, no notice");

    // The standby stops replaying: writes still land on the primary, the
    // board shows what the standby has and says it lags.
    let mut admin = sqlx::AnyConnection::connect(&standby).await.unwrap();
    sqlx::query("SELECT pg_wal_replay_pause()")
        .execute(&mut admin)
        .await
        .unwrap();
    record(2).await;
    // (The primary commits asynchronously in tests: its WAL is flushed a moment later.)
    let mut lag = None;
    for _ in 0..100 {
        lag = store.replica_lag().await.unwrap();
        if lag.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let lag = lag.expect("the standby lags");
    assert!(lag.bytes > 0);
    assert_eq!(
        city_turns(&store, &city.commune.id, day).await,
        3,
        "the standby's figures"
    );
    assert_eq!(
        city_turns(&primary_only, &city.commune.id, day).await,
        5,
        "the primary's"
    );
    let (s, body) = city.get("/thanh-pho?ngay=20/07/2026", Some(&reader)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(
        body.contains("Số liệu được đọc từ máy chủ bản sao, đang chậm"),
        "the page says the figures may miss the last records: {body}"
    );
    let (s, body) = an_hoa.get("/theo-doi", Some(&coord)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    assert!(body.contains("máy chủ bản sao"), "the commune's board says it too");

    // Replay resumes: the figures are the primary's, the notice goes.
    sqlx::query("SELECT pg_wal_replay_resume()")
        .execute(&mut admin)
        .await
        .unwrap();
    assert!(store.wait_for_replica(Duration::from_secs(10)).await.unwrap());
    assert_eq!(settled_turns(&store, &city.commune.id, day, 5).await, 5);
    let (_, body) = city.get("/thanh-pho?ngay=20/07/2026", Some(&reader)).await;
    assert!(!body.contains("máy chủ bản sao"), "caught up, no notice");

    // A SQLite store has no replica to read from.
    let sqlite = std::env::temp_dir().join(format!("kehoach-replica-{}.sqlite", uuid::Uuid::now_v7()));
    let local = Store::open(&format!("sqlite:{}", sqlite.display()), true)
        .await
        .unwrap();
    let refused = local.with_read_replica(&standby).await.err().expect("refused");
    assert!(refused.to_string().contains("PostgreSQL"), "{refused}");
    assert!(!refused.to_string().contains("127.0.0.1"), "the URL is not repeated");
    primary_only.close().await;
    store.close().await;
}
