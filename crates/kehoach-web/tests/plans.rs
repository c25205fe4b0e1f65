//! A commune with two plans (the summer of 2026, then of 2027): the new
//! plan reuses the commune's units and accounts; a turn recorded in one
//! plan counts on its board only; a closed plan refuses every write to its
//! records and its report does not move when the other plan records; a
//! browser works in the plan its cookie names, only ever one of its own
//! commune's. On SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::{Session, TestApp};
use kehoach_core::{Day, SEED_PLAN_TOML};
use serde_json::json;

/// The seed plan moved one year on, under another id.
fn plan_2027() -> String {
    SEED_PLAN_TOML.replace("2026", "2027")
}

/// Adds the 2027 plan to the commune (from its file); returns its id.
async fn add_2027(t: &TestApp) -> String {
    let mut plan = kehoach_core::parse_plan(&plan_2027()).unwrap();
    t.store
        .add_commune_plan(&t.commune, &mut plan, &plan_2027(), t.clock.now())
        .await
        .unwrap();
    plan.plan.id
}

/// The same login, working in `plan`.
fn in_plan(s: &Session, plan: &str) -> Session {
    Session {
        name: s.name,
        cookie: format!("{}; kh_plan={plan}", s.cookie),
        csrf: s.csrf.clone(),
        user_id: s.user_id.clone(),
    }
}

fn t6(board: &serde_json::Value) -> f64 {
    board["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "T6")
        .unwrap()["numerator"]
        .as_f64()
        .unwrap()
}

async fn board(t: &TestApp, coord: &Session, plan: &str, day: &str) -> serde_json::Value {
    let (st, j) = t
        .api(
            "GET",
            &format!("/api/v1/board?as_of={day}"),
            Some(&in_plan(coord, plan)),
            json!(null),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{j}");
    j
}

#[tokio::test]
async fn two_plans_of_a_commune_count_apart_and_a_closed_one_stays_as_it_was() {
    for mut t in TestApp::all_on(Day::from_ymd(2027, 7, 20).unwrap()).await {
        let b = t.backend;
        t.serve_all_communes();
        let coord = t.coordinator().await;
        let old = t.plan_id.clone();
        let village = t.unit_by_slug("thon-mau-1").await;
        let turn = |day: &str| json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": village.id, "service": "asxh-vneid", "day": day});
        let (s, j) = t.api("POST", "/api/v1/turns", Some(&coord), turn("2026-07-15")).await;
        assert!(s.is_success(), "{b}: {j}");

        // The coordinator adds the 2027 plan from its file; the browser now works in it.
        let (s, headers, body) = t
            .send(
                axum::http::Request::post("/ke-hoach/nhap/them")
                    .header("host", "kehoach.test")
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header("cookie", &coord.cookie)
                    .body(axum::body::Body::from(
                        url::form_urlencoded::Serializer::new(String::new())
                            .extend_pairs([("toml", plan_2027().as_str()), ("_csrf", coord.csrf.as_str())])
                            .finish(),
                    ))
                    .unwrap(),
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{b}: {body}");
        let cookie = headers
            .iter()
            .find(|(k, v)| k == "set-cookie" && v.starts_with("kh_plan="))
            .map(|(_, v)| v.clone())
            .expect("the plan cookie");
        let new = cookie["kh_plan=".len()..].split(';').next().unwrap().to_string();
        assert_ne!(new, old, "{b}");
        let plans = t.store.commune_plans(&t.commune.id).await.unwrap();
        assert_eq!(plans.len(), 2, "{b}");

        // Both plans see the same commune: its units and its accounts.
        let (_, units_old) = t
            .api("GET", "/api/v1/units", Some(&in_plan(&coord, &old)), json!(null))
            .await;
        let (_, units_new) = t
            .api("GET", "/api/v1/units", Some(&in_plan(&coord, &new)), json!(null))
            .await;
        assert_eq!(units_old, units_new, "{b}");
        let (s, me) = t
            .api("GET", "/api/v1/me", Some(&in_plan(&coord, &new)), json!(null))
            .await;
        assert_eq!(s, StatusCode::OK, "{b}: the same account works in the new plan: {me}");
        let (_, p) = t
            .api("GET", "/api/v1/plan", Some(&in_plan(&coord, &new)), json!(null))
            .await;
        assert!(p.to_string().contains("2027"), "{b}");

        // A turn in 2027 counts on the 2027 board only.
        let (s, j) = t
            .api(
                "POST",
                "/api/v1/turns",
                Some(&in_plan(&coord, &new)),
                turn("2027-07-15"),
            )
            .await;
        assert!(s.is_success(), "{b}: {j}");
        assert_eq!(t6(&board(&t, &coord, &new, "2027-07-20").await), 1.0, "{b}");
        assert_eq!(
            t6(&board(&t, &coord, &old, "2026-08-31").await),
            1.0,
            "{b}: the 2026 turn only"
        );

        // The coordinator closes the 2026 plan: its records no longer change.
        let before = t
            .summary_report(Day::from_ymd(2026, 8, 31).unwrap(), Day::from_ymd(2026, 9, 5).unwrap())
            .await;
        let (s, loc, body) = t
            .form(
                "/ke-hoach/trang-thai",
                Some(&in_plan(&coord, &new)),
                &[("plan_id", old.as_str()), ("dong", "1")],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{b}: {body}");
        assert_eq!(loc.as_deref(), Some("/ke-hoach/danh-sach?ok=plan_closed"));
        let (s, j) = t
            .api(
                "POST",
                "/api/v1/turns",
                Some(&in_plan(&coord, &old)),
                turn("2026-07-16"),
            )
            .await;
        assert_eq!(
            (s, j["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("plan_closed")),
            "{b}"
        );
        let (s, body) = t.get("/theo-doi", Some(&in_plan(&coord, &old))).await;
        assert_eq!(s, StatusCode::OK, "{b}: its board is still read");
        assert!(body.contains("đã đóng"), "{b}");
        // The 2027 plan goes on; the 2026 report does not move.
        for day in ["2027-07-16", "2027-07-17"] {
            let (s, _) = t
                .api("POST", "/api/v1/turns", Some(&in_plan(&coord, &new)), turn(day))
                .await;
            assert!(s.is_success(), "{b}");
        }
        let after = t
            .summary_report(Day::from_ymd(2026, 8, 31).unwrap(), Day::from_ymd(2026, 9, 5).unwrap())
            .await;
        assert_eq!(format!("{before:?}"), format!("{after:?}"), "{b}");
        assert_eq!(t6(&board(&t, &coord, &new, "2027-07-20").await), 3.0, "{b}");
        let (s, _, bytes) = t
            .get_bytes("/bao-cao/tong-ket.docx?ngay=31/08/2026", Some(&in_plan(&coord, &old)))
            .await;
        assert_eq!(s, StatusCode::OK, "{b}: the closed plan's report is still there");
        assert!(bytes.starts_with(b"PK"), "{b}");

        // Only the commune's own plans can be picked.
        let other = t.add_commune("xã Bắc Sơn", "bac-son.test").await;
        let (s, _, _) = t
            .form("/ke-hoach/chon", Some(&coord), &[("plan_id", other.plan_id.as_str())])
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
        let (s, _, _) = t
            .form("/ke-hoach/chon", Some(&coord), &[("plan_id", old.as_str())])
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{b}");
        // A cookie naming another commune's plan is ignored: the commune's default plan answers.
        let (s, p) = t
            .api(
                "GET",
                "/api/v1/plan",
                Some(&in_plan(&coord, &other.plan_id)),
                json!(null),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert!(p.to_string().contains("2027"), "{b}: the newest running plan");
        let (_, page) = t.get("/ke-hoach/danh-sach", Some(&coord)).await;
        assert!(page.contains("Đã đóng") && page.contains("2027"), "{b}");
        t.store.close().await;
    }
}

/// A batch of turns sent as the offline queue sends it: to the plan named
/// in `X-Kehoach-Plan`, whatever plan the cookie names.
async fn batch_to(t: &TestApp, s: &Session, plan: &str, turns: serde_json::Value) -> (StatusCode, serde_json::Value) {
    let (st, _, body) = t
        .send(
            axum::http::Request::post("/api/v1/turns/batch")
                .header("host", t.host.as_str())
                .header("content-type", "application/json")
                .header("cookie", &s.cookie)
                .header("x-csrf-token", &s.csrf)
                .header("x-kehoach-plan", plan)
                .body(axum::body::Body::from(json!({ "turns": turns }).to_string()))
                .unwrap(),
        )
        .await;
    (st, serde_json::from_str(&body).unwrap_or(json!(null)))
}

#[tokio::test]
async fn recording_pages_offer_the_running_plans_and_queued_turns_go_to_the_plan_they_were_made_in() {
    for mut t in TestApp::all_on(Day::from_ymd(2027, 7, 20).unwrap()).await {
        let b = t.backend;
        t.serve_all_communes();
        let coord = t.coordinator().await;
        let old = t.plan_id.clone();
        let village = t.unit_by_slug("thon-mau-1").await;
        let turn = |day: &str| json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": village.id, "service": "asxh-vneid", "day": day});

        // One running plan: no switch on the recording pages.
        let (s, body) = t.get("/ghi-luot", Some(&coord)).await;
        assert_eq!(s, StatusCode::OK, "{b}: {body}");
        assert!(!body.contains("Ghi vào kế hoạch"), "{b}");
        assert!(
            body.contains(&format!("data-plan=\"{old}\"")),
            "{b}: the page names its plan"
        );

        let new = add_2027(&t).await;

        // Two: each recording page says where records go and offers the other.
        for page in ["/ghi-luot", "/buoi", "/buoi/moi?line=l4-binh-dan-hoc-vu-so"] {
            let (s, body) = t.get(page, Some(&in_plan(&coord, &new))).await;
            assert_eq!(s, StatusCode::OK, "{b}: {page}: {body}");
            assert!(body.contains("Ghi vào kế hoạch"), "{b}: {page}");
            assert!(body.contains(&format!("<option value=\"{old}\">")), "{b}: {page}");
        }
        let (s, loc, _) = t
            .form(
                "/ke-hoach/chon",
                Some(&in_plan(&coord, &new)),
                &[("plan_id", old.as_str()), ("next", "/ghi-luot")],
            )
            .await;
        assert_eq!((s, loc.as_deref()), (StatusCode::SEE_OTHER, Some("/ghi-luot")), "{b}");
        let (s, loc, _) = t
            .form(
                "/ke-hoach/chon",
                Some(&coord),
                &[("plan_id", old.as_str()), ("next", "https://evil.test/")],
            )
            .await;
        assert_eq!(
            (s, loc.as_deref()),
            (StatusCode::SEE_OTHER, Some("/ke-hoach?ok=plan_chosen")),
            "{b}: only a page of this site"
        );

        // Turns queued in 2026 and sent after the phone moved to 2027 go to 2026.
        let (s, j) = batch_to(&t, &in_plan(&coord, &new), &old, json!([turn("2026-07-15")])).await;
        assert_eq!(s, StatusCode::OK, "{b}: {j}");
        assert_eq!(j["results"][0]["status"], "stored", "{b}: {j}");
        assert_eq!(t6(&board(&t, &coord, &old, "2026-08-31").await), 1.0, "{b}");
        assert_eq!(t6(&board(&t, &coord, &new, "2027-07-20").await), 0.0, "{b}");

        // A plan of another commune, or none, is refused outright (never sent elsewhere).
        let other = t.add_commune("xã Bắc Sơn", "bac-son.test").await;
        for plan in [other.plan_id.as_str(), "khong-co"] {
            let (s, j) = batch_to(&t, &coord, plan, json!([turn("2027-07-15")])).await;
            assert_eq!(
                (s, j["error"]["code"].as_str()),
                (StatusCode::NOT_FOUND, Some("plan_not_of_commune")),
                "{b}: {plan}"
            );
        }
        assert_eq!(t6(&board(&t, &coord, &new, "2027-07-20").await), 0.0, "{b}");
        assert_eq!(
            t.store.count_turns(&other.plan_id).await.unwrap(),
            0,
            "{b}: nothing reached the other commune"
        );
        t.store.close().await;
    }
}

/// Session in `plan` on line 4, held on `day`, with `person` checked in.
async fn held_with(t: &TestApp, coord: &Session, plan: &str, unit: &str, day: &str, person: &str) {
    let b = t.backend;
    let id = uuid::Uuid::now_v7().to_string();
    let body = json!({"id": id, "line_id": "l4-binh-dan-hoc-vu-so", "unit_id": unit, "kind": "guidance", "status": "held", "day": day});
    let (s, j) = t
        .api("POST", "/api/v1/sessions", Some(&in_plan(coord, plan)), body)
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}: {j}");
    let (s, j) = t
        .api(
            "POST",
            &format!("/api/v1/sessions/{id}/attendance"),
            Some(&in_plan(coord, plan)),
            json!({"person_id": person}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}: {j}");
}

#[tokio::test]
async fn a_person_reached_in_two_plans_on_lines_of_the_same_id_counts_in_each() {
    for mut t in TestApp::all_on(Day::from_ymd(2027, 7, 20).unwrap()).await {
        let b = t.backend;
        t.serve_all_communes();
        let coord = t.coordinator().await;
        let old = t.plan_id.clone();
        let new = add_2027(&t).await;
        let village = t.unit_by_slug("thon-mau-1").await;
        let person = kehoach_store::testing::add_person(
            &t.store,
            &old,
            "children",
            kehoach_store::testing::person("Trần Thị Bình", 2012, &village.id),
            &coord.user_id,
        )
        .await;
        // The same person, the same line id (l4) in both summers: each
        // plan keeps its own first day, and a change in one leaves the other.
        held_with(&t, &coord, &old, &village.id, "2026-07-10", &person.id).await;
        held_with(&t, &coord, &new, &village.id, "2027-07-10", &person.id).await;
        for plan in [&old, &new] {
            let kept = t.store.aggregate_snapshot(plan).await.unwrap();
            assert!(
                kept.person_first.iter().any(|r| r.0 == person.id || r.1 == person.id),
                "{b}: {plan}: {kept:?}"
            );
            t.store.rebuild_aggregates(plan).await.unwrap();
            assert_eq!(t.store.aggregate_snapshot(plan).await.unwrap(), kept, "{b}: {plan}");
        }
        t.store.close().await;
    }
}
