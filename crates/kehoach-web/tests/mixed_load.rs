//! Every kind of write at once on SQLite: 16 support-turn writers and, at
//! the same time, 30 roster imports, 30 session creations with check-ins
//! and 30 contest scores. Every write waits its turn for SQLite's write
//! lock (`BEGIN IMMEDIATE`) instead of failing with "database is locked".

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::http::StatusCode;
use common::TestApp;
use kehoach_store::Role;
use kehoach_web::contests::EntryInput;
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sixteen_turn_writers_and_every_other_write_at_once_never_fail() {
    let t = Arc::new(TestApp::all().await.remove(0));
    assert_eq!(t.backend, "sqlite");
    let village = t.unit_by_slug("thon-mau-1").await;
    let coord = t.coordinator().await;
    let rep = t.user("bc.thon", Role::UnitReporter, Some(&village.id)).await;
    let judge = t.user("giamkhao", Role::Judge, None).await;

    // A roster to check people in from, a contest open with 30 entries and a jury.
    let roster: String = std::iter::once("Họ và tên,Năm sinh\n".to_string())
        .chain((0..40).map(|i| format!("Người dự {i},19{:02}\n", 40 + i)))
        .collect();
    let (s, j) = t
        .raw(
            &format!("/api/v1/rosters/children/import?save=true&unit_id={}", village.id),
            Some(&coord),
            roster.into_bytes(),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{j}");
    let people: Vec<String> = t
        .store
        .roster_people(&t.plan_id, Some("children"), None)
        .await
        .unwrap()
        .into_iter()
        .map(|p| p.id)
        .collect();
    let today = t.clock.today();
    let (s, j) = t
        .api(
            "PUT",
            "/api/v1/contests/l7-1-ideas",
            Some(&coord),
            json!({"name": "Cuộc thi ý tưởng", "entries_from": today.plus(-3).vn(), "entries_to": today.plus(5).vn(),
                   "awards_by": today.plus(9).vn(), "categories": [], "eligibility": "", "prizes": ["Giải Nhất"]}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{j}");
    let st = t.state();
    let mut entries = Vec::new();
    for i in 0..30 {
        let input = EntryInput {
            id: uuid::Uuid::now_v7().to_string(),
            title: format!("Ý tưởng số {i}"),
            description: "Một ý tưởng chuyển đổi số.".into(),
            entrant_kind: "individual".into(),
            entrant_name: format!("Người dự thi {i}"),
            contact: format!("09{:08}", i),
            link: "https://drive.google.com/file/d/abc/view".into(),
            consent: true,
            ..Default::default()
        };
        let (e, _) = kehoach_web::contests::submit(&st, "l7-1-ideas", input, t.clock.now(), &format!("c{i}"))
            .await
            .unwrap();
        entries.push(e.id);
    }
    let (s, j) = t
        .api(
            "PUT",
            "/api/v1/contests/l7-1-ideas/judges",
            Some(&coord),
            json!({"judges": [judge.user_id]}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT, "{j}");

    let failures = Arc::new(AtomicUsize::new(0));
    let failed = |what: String| {
        let failures = failures.clone();
        move |ok: bool| {
            if !ok {
                eprintln!("failed: {what}");
                failures.fetch_add(1, Ordering::Relaxed);
            }
        }
    };
    let mut tasks = Vec::new();
    for w in 0..16 {
        let (t, rep, village) = (t.clone(), rep.clone(), village.id.clone());
        let report = failed(format!("turn writer {w}"));
        tasks.push(tokio::spawn(async move {
            for _ in 0..15 {
                let turns: Vec<_> = (0..10)
                    .map(|_| json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": village, "service": "asxh-vneid", "day": "2026-07-15"}))
                    .collect();
                let (s, j) = t.api("POST", "/api/v1/turns/batch", Some(&rep), json!({"turns": turns})).await;
                report(s == StatusCode::OK && j["stored"] == 10);
            }
        }));
    }
    for i in 0..30 {
        let (t, coord, village) = (t.clone(), coord.clone(), village.id.clone());
        let report = failed(format!("roster import {i}"));
        tasks.push(tokio::spawn(async move {
            let csv = format!("Họ và tên,Năm sinh\nĐoàn viên {i} A,2001\nĐoàn viên {i} B,2002\n");
            let (s, j) = t
                .raw(
                    &format!("/api/v1/rosters/youth_members/import?save=true&unit_id={village}"),
                    Some(&coord),
                    csv.into_bytes(),
                )
                .await;
            report(s == StatusCode::OK && j["saved"].is_object());
        }));
    }
    for i in 0..30 {
        let (t, rep, village, people) = (t.clone(), rep.clone(), village.id.clone(), people.clone());
        let report = failed(format!("session and check-ins {i}"));
        tasks.push(tokio::spawn(async move {
            let id = uuid::Uuid::now_v7().to_string();
            let body = json!({"id": id, "line_id": "l4-binh-dan-hoc-vu-so", "unit_id": village, "kind": "guidance",
                              "status": "held", "day": "2026-07-10", "topics": ["Hỗ trợ người cao tuổi tiếp cận các dịch vụ số."]});
            let (s, _) = t.api("POST", "/api/v1/sessions", Some(&rep), body).await;
            let mut ok = s == StatusCode::CREATED;
            for p in people.iter().skip(i).take(3) {
                let (s, _) = t
                    .api(
                        "POST",
                        &format!("/api/v1/sessions/{id}/attendance"),
                        Some(&rep),
                        json!({"person_id": p}),
                    )
                    .await;
                ok &= s.is_success();
            }
            report(ok);
        }));
    }
    for (i, e) in entries.into_iter().enumerate() {
        let (t, judge) = (t.clone(), judge.clone());
        let report = failed(format!("score {i}"));
        tasks.push(tokio::spawn(async move {
            let (s, _) = t
                .api(
                    "PUT",
                    &format!("/api/v1/contests/l7-1-ideas/entries/{e}/score"),
                    Some(&judge),
                    json!({"scores": {"sang-tao": 5, "kha-thi": 6, "hieu-qua": 7, "trinh-bay": 8}}),
                )
                .await;
            report(s.is_success());
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    assert_eq!(failures.load(Ordering::Relaxed), 0, "writes that failed under load");
    assert_eq!(t.store.count_turns(&t.plan_id).await.unwrap(), 16 * 15 * 10);
    assert_eq!(t.store.scores(&t.plan_id, "l7-1-ideas").await.unwrap().len(), 30);
    t.aggregates_equal_a_rebuild().await;
}
