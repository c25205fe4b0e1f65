//! Through the router: pages, CSRF, API errors, login limits, sessions
//! across a restart.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{PASSWORD, TestApp};
use kehoach_store::Role;
use serde_json::json;

#[tokio::test]
async fn plan_page_and_api_show_the_whole_seed_plan() {
    for t in TestApp::all().await {
        let c = t.coordinator().await;
        let (status, body) = t.get("/ke-hoach", Some(&c)).await;
        assert_eq!(status, StatusCode::OK, "{}", t.backend);
        for needle in [
            "Mùa hè sôi động cùng chuyển đổi số 2026",
            "Kế hoạch số 359/KH-UBND ngày 31/12/2025 của Ủy ban nhân dân thành phố Hải Phòng",
            "sáng 10/06/2026",
            "dự kiến 30/08/2026",
            "Trường THCS Vĩnh Long - Thắng Thủy",
            "&#62; 80%",
            "Đoàn Thị Nhung",
            "Nguồn xã hội hóa từ các tổ chức, cá nhân, doanh nghiệp.",
        ] {
            assert!(body.contains(needle), "{}: plan page lacks {needle}", t.backend);
        }
        let (status, plan) = t.api("GET", "/api/v1/plan", Some(&c), json!(null)).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(plan["lines"].as_array().unwrap().len(), 11);
        assert_eq!(plan["targets"][7]["comparator"], "gt");
        assert_eq!(plan["plan"]["period"]["start"], "2026-06-01");
        t.store.close().await;
    }
}

#[tokio::test]
async fn pages_need_login_and_api_says_unauthenticated() {
    let t = TestApp::all().await.remove(0);
    let (status, _) = t.get("/ke-hoach", None).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let (status, json) = t.api("GET", "/api/v1/plan", None, json!(null)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(json["error"]["code"], "unauthenticated");
    let (status, body) = t.get("/khong-co", None).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("Không tìm thấy trang"));
    let (status, body) = t.get("/api/openapi.json", None).await;
    assert_eq!(status, StatusCode::OK);
    let doc: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert!(doc["paths"]["/api/v1/units/{id}/populations/{population}"]["put"].is_object());
    assert!(doc["paths"]["/api/v1/contests/{id}/entries/{entry}/score"]["put"]["parameters"].is_array());
    let (status, _) = t.get("/api/docs/", None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = t.get("/static/htmx-2.0.11.min.js", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.len() > 40_000);
}

#[tokio::test]
async fn writes_without_the_csrf_token_or_from_another_site_are_refused() {
    let t = TestApp::all().await.remove(0);
    let c = t.coordinator().await;
    let post = |body: &str, csrf: Option<&str>, origin: Option<&str>| {
        let mut b = Request::post("/don-vi")
            .header(header::HOST, "kehoach.test")
            .header(header::COOKIE, &c.cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(v) = csrf {
            b = b.header("x-csrf-token", v);
        }
        if let Some(o) = origin {
            b = b.header(header::ORIGIN, o);
        }
        b.body(Body::from(body.to_string())).unwrap()
    };
    let before = t.store.list_units(&t.plan_id).await.unwrap().len();
    let (s, _, _) = t.send(post("name=Th%C3%B4n+A&kind=village", None, None)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no token");
    let (s, _, _) = t
        .send(post("name=Th%C3%B4n+A&kind=village&_csrf=wrong", None, None))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "wrong token");
    let (s, _, _) = t.send(post("name=Th%C3%B4n+A&kind=village", Some("wrong"), None)).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "wrong header");
    let good = format!("name=Th%C3%B4n+A&kind=village&_csrf={}", c.csrf);
    let (s, _, _) = t.send(post(&good, None, Some("https://evil.example"))).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "cross-site origin");
    assert_eq!(
        t.store.list_units(&t.plan_id).await.unwrap().len(),
        before,
        "nothing written"
    );
    let (s, _, _) = t.send(post(&good, None, Some("http://kehoach.test"))).await;
    assert_eq!(s, StatusCode::SEE_OTHER, "same-origin form with its token");
    // JSON needs the header; a token in the body is not read for JSON.
    let req = Request::post("/api/v1/units")
        .header(header::HOST, "kehoach.test")
        .header(header::COOKIE, &c.cookie)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"name": "Thôn B", "kind": "village", "_csrf": c.csrf}).to_string(),
        ))
        .unwrap();
    let (s, _, _) = t.send(req).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bad_api_input_gets_a_stable_code_and_changes_nothing() {
    for t in TestApp::all().await {
        let c = t.coordinator().await;
        let before = t.store.list_units(&t.plan_id).await.unwrap();
        let (s, j) = t
            .api(
                "POST",
                "/api/v1/units",
                Some(&c),
                json!({"name": "Thôn C", "kind": "village", "colour": "red"}),
            )
            .await;
        assert_eq!(
            (s, j["error"]["code"].as_str()),
            (StatusCode::BAD_REQUEST, Some("bad_request")),
            "{} {j}",
            t.backend
        );
        let (s, j) = t
            .api(
                "POST",
                "/api/v1/units",
                Some(&c),
                json!({"name": "  ", "kind": "village"}),
            )
            .await;
        assert_eq!(
            (s, j["error"]["code"].as_str(), j["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("name_required"), Some("name"))
        );
        assert!(j["error"]["message"].as_str().unwrap().starts_with("Tên:"));
        let (s, j) = t
            .api(
                "POST",
                "/api/v1/units",
                Some(&c),
                json!({"name": "Thôn C", "kind": "planet"}),
            )
            .await;
        assert_eq!(
            (s, j["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("kind_invalid"))
        );
        let (s, j) = t
            .api(
                "POST",
                "/api/v1/units",
                Some(&c),
                json!({"name": "thôn mẫu 1 (dữ liệu mẫu)", "kind": "village"}),
            )
            .await;
        assert_eq!(
            (s, j["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("unit_name_taken"))
        );
        let (s, j) = t
            .api(
                "POST",
                "/api/v1/users",
                Some(&c),
                json!({"username": "Ab", "full_name": "X", "role": "viewer", "password": "mat-khau-dai-2026"}),
            )
            .await;
        assert_eq!(
            (s, j["error"]["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("username"))
        );
        let (s, j) = t
            .api(
                "POST",
                "/api/v1/users",
                Some(&c),
                json!({"username": "bcv2", "full_name": "X", "role": "unit_reporter", "password": "mat-khau-dai-2026"}),
            )
            .await;
        assert_eq!(
            (s, j["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("unit_required"))
        );
        let (s, j) = t
            .api(
                "PATCH",
                &format!("/api/v1/users/{}", c.user_id),
                Some(&c),
                json!({"role": "viewer"}),
            )
            .await;
        assert_eq!(
            (s, j["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("last_coordinator"))
        );
        let (s, _) = t
            .api("PATCH", "/api/v1/units/no-such-unit", Some(&c), json!({"name": "X"}))
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert_eq!(t.store.list_units(&t.plan_id).await.unwrap(), before, "{}", t.backend);
        // The same refusal on a page: Vietnamese, with the field and the reason.
        let (s, _, body) = t
            .form(
                "/don-vi",
                Some(&c),
                &[("name", "thon mau 1 (du lieu mau)"), ("kind", "village")],
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT);
        assert!(body.contains("Tên: đã có đơn vị cùng loại mang tên này"));
        let village = t.unit_by_slug("thon-mau-1").await;
        let (s, _, body) = t
            .form(
                &format!("/don-vi/{}/dan-so", village.id),
                Some(&c),
                &[("children", "12"), ("officials", "abc")],
            )
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(body.contains("Số lượng: phải là số nguyên"));
        assert!(
            t.store.populations(&t.plan_id).await.unwrap().is_empty(),
            "a bad figure saves none of the form"
        );
        let (s, _, _) = t
            .form(
                &format!("/don-vi/{}/dan-so", village.id),
                Some(&c),
                &[("children", "1.234"), ("officials", "")],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER);
        assert_eq!(
            t.store.populations(&t.plan_id).await.unwrap()[0].value,
            1234,
            "Vietnamese thousands separator"
        );
        t.store.close().await;
    }
}

#[tokio::test]
async fn login_sets_a_hardened_cookie_and_repeated_failures_are_limited() {
    let t = TestApp::all().await.remove(0);
    t.coordinator().await;
    let login = |pw: &str| {
        Request::post("/api/v1/login")
            .header(header::HOST, "kehoach.test")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"username": "dieuphoi", "password": pw}).to_string()))
            .unwrap()
    };
    let (s, headers, body) = t.send(login(PASSWORD)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    let cookie = headers.iter().find(|(k, _)| k == "set-cookie").unwrap().1.clone();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    for _ in 0..5 {
        let (s, _, body) = t.send(login("sai-mat-khau-nhe")).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{body}");
    }
    let (s, _, body) = t.send(login(PASSWORD)).await;
    assert_eq!(
        s,
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits: {body}"
    );
    assert!(body.contains("login_rate_limited"));
    // Through the page: a Vietnamese message.
    let (s, _, body) = t
        .form("/dang-nhap", None, &[("username", "dieuphoi"), ("password", "x")])
        .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    assert!(body.contains("Đăng nhập sai quá nhiều lần"));
}

#[tokio::test]
async fn a_session_survives_a_restart_and_logout_ends_it() {
    for t in TestApp::all().await {
        let c = t.coordinator().await;
        let (s, _) = t
            .api(
                "POST",
                "/api/v1/units",
                Some(&c),
                json!({"name": "Thôn Bắc", "kind": "village"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
        let url = t.url.clone();
        t.store.close().await;
        drop(t);
        // A new process would open the same database: same cookie, same data.
        let t2 = TestApp::open("restarted", &url).await;
        let (s, me) = t2.api("GET", "/api/v1/me", Some(&c), json!(null)).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(me["username"], "dieuphoi");
        assert_eq!(me["csrf_token"], c.csrf.as_str());
        let (_, units) = t2.api("GET", "/api/v1/units", Some(&c), json!(null)).await;
        assert!(
            units["units"]
                .as_array()
                .unwrap()
                .iter()
                .any(|u| u["name"] == "Thôn Bắc")
        );
        let (s, _) = t2.api("POST", "/api/v1/logout", Some(&c), json!(null)).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = t2.api("GET", "/api/v1/me", Some(&c), json!(null)).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
        t2.store.close().await;
    }
}

#[tokio::test]
async fn an_invite_creates_one_account_bound_to_its_unit() {
    let t = TestApp::all().await.remove(0);
    let c = t.coordinator().await;
    let village = t.unit_by_slug("thon-mau-2").await;
    let (s, j) = t
        .api(
            "POST",
            "/api/v1/invites",
            Some(&c),
            json!({"role": "unit_reporter", "unit_id": village.id, "note": "Trưởng thôn"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let url = j["url"].as_str().unwrap();
    assert!(url.starts_with("http://kehoach.test/moi/"));
    let path = url.trim_start_matches("http://kehoach.test");
    let (s, body) = t.get(path, None).await;
    assert_eq!(s, StatusCode::OK);
    assert!(body.contains("Báo cáo viên đơn vị") && body.contains("Thôn mẫu 2"));
    let (s, _, body) = t
        .form(
            path,
            None,
            &[
                ("full_name", "Vũ Văn Nam"),
                ("username", "nam.thon2"),
                ("password", "ngan"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        body.contains("Mật khẩu: cần ít nhất 10 ký tự."),
        "the form says why, and the link still works"
    );
    let (s, location, _) = t
        .form(
            path,
            None,
            &[
                ("full_name", "Vũ Văn Nam"),
                ("username", "nam.thon2"),
                ("password", "mat-khau-dai-2026"),
            ],
        )
        .await;
    assert_eq!(
        (s, location.as_deref()),
        (StatusCode::SEE_OTHER, Some("/ke-hoach?ok=welcome"))
    );
    let (s, _, _) = t
        .form(
            path,
            None,
            &[
                ("full_name", "Kẻ khác"),
                ("username", "khac"),
                ("password", "mat-khau-dai-2026"),
            ],
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "used once");
    let users = t.store.list_users(&t.plan_id).await.unwrap();
    let nam = users.iter().find(|u| u.username == "nam.thon2").unwrap();
    assert_eq!(
        (nam.role.as_str(), nam.unit_id.as_deref()),
        ("unit_reporter", Some(village.id.as_str()))
    );
    assert!(!users.iter().any(|u| u.username == "khac"));
}

fn turn_json(id: &str, unit: &str, service: &str, day: &str) -> serde_json::Value {
    json!({"id": id, "unit_id": unit, "service": service, "day": day})
}

#[tokio::test]
async fn support_turns_single_batch_duplicates_and_reasons() {
    for t in TestApp::all().await {
        let village = t.unit_by_slug("thon-mau-1").await;
        let school = t.unit_by_slug("th-trung-lap").await;
        let union = t.unit_by_slug("doan-tn").await;
        let v = t.user("tnv", Role::Volunteer, Some(&union.id)).await;
        let id = uuid::Uuid::now_v7().to_string();
        let (s, j) = t
            .api(
                "POST",
                "/api/v1/turns",
                Some(&v),
                turn_json(&id, &village.id, "asxh-vneid", "2026-07-15"),
            )
            .await;
        assert_eq!(
            (s, j["status"].as_str()),
            (StatusCode::CREATED, Some("stored")),
            "{} {j}",
            t.backend
        );
        let (s, j) = t
            .api(
                "POST",
                "/api/v1/turns",
                Some(&v),
                turn_json(&id, &village.id, "asxh-vneid", "2026-07-15"),
            )
            .await;
        assert_eq!(
            (s, j["status"].as_str()),
            (StatusCode::OK, Some("duplicate")),
            "a retried request stores nothing new"
        );
        let (s, j) = t
            .api(
                "POST",
                "/api/v1/turns",
                Some(&v),
                turn_json(
                    &uuid::Uuid::now_v7().to_string(),
                    &village.id,
                    "asxh-vneid",
                    "2026-06-05",
                ),
            )
            .await;
        assert_eq!(
            (s, j["error"]["code"].as_str(), j["error"]["field"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("day_outside_window"),
                Some("day")
            )
        );
        assert_eq!(j["error"]["message"], "Ngày: nằm ngoài thời gian của hoạt động này.");

        let ok = |d: &str| turn_json(&uuid::Uuid::now_v7().to_string(), &village.id, "so-suc-khoe", d);
        let batch = json!({"turns": [
            ok("2026-07-01"),
            turn_json(&id, &village.id, "asxh-vneid", "2026-07-15"),
            turn_json("not-a-uuid", &village.id, "asxh-vneid", "2026-07-15"),
            turn_json(&uuid::Uuid::now_v7().to_string(), &village.id, "cat-toc", "2026-07-15"),
            turn_json(&uuid::Uuid::now_v7().to_string(), &school.id, "asxh-vneid", "2026-07-15"),
            turn_json(&uuid::Uuid::now_v7().to_string(), &village.id, "asxh-vneid", "2026-09-02"),
            turn_json(&uuid::Uuid::now_v7().to_string(), &village.id, "asxh-vneid", "2099-07-15"),
            ok("2026-08-31"),
        ]});
        let (s, j) = t.api("POST", "/api/v1/turns/batch", Some(&v), batch).await;
        assert_eq!(s, StatusCode::OK, "{j}");
        assert_eq!(
            (j["stored"].as_u64(), j["duplicate"].as_u64(), j["rejected"].as_u64()),
            (Some(2), Some(1), Some(5)),
            "{j}"
        );
        let codes: Vec<&str> = j["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["error"]["code"].as_str().unwrap_or(r["status"].as_str().unwrap()))
            .collect();
        assert_eq!(
            codes,
            [
                "stored",
                "duplicate",
                "id_invalid",
                "service_unknown",
                "unit_not_village",
                "day_outside_period",
                "day_in_future",
                "stored"
            ]
        );
        assert_eq!(t.store.count_turns(&t.plan_id).await.unwrap(), 3, "{}", t.backend);
        // A batch beyond the limit is refused whole.
        let big: Vec<_> = (0..1001).map(|_| ok("2026-07-02")).collect();
        let (s, j) = t
            .api("POST", "/api/v1/turns/batch", Some(&v), json!({"turns": big}))
            .await;
        assert_eq!(
            (s, j["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("batch_too_large"))
        );
        assert_eq!(t.store.count_turns(&t.plan_id).await.unwrap(), 3);
        t.store.close().await;
    }
}

#[tokio::test]
async fn turn_scope_and_undo() {
    let t = TestApp::all().await.remove(0);
    let village = t.unit_by_slug("thon-mau-1").await;
    let other = t.unit_by_slug("thon-mau-2").await;
    let union = t.unit_by_slug("doan-tn").await;
    let coord = t.coordinator().await;
    let rep = t.user("bcv.thon", Role::UnitReporter, Some(&village.id)).await;
    let v1 = t.user("tnv1", Role::Volunteer, Some(&union.id)).await;
    let v2 = t.user("tnv2", Role::Volunteer, Some(&union.id)).await;
    let viewer = t.user("lanhdao", Role::Viewer, None).await;
    let new = || uuid::Uuid::now_v7().to_string();
    // A reporter records for its own village only.
    let (s, _) = t
        .api(
            "POST",
            "/api/v1/turns",
            Some(&rep),
            turn_json(&new(), &village.id, "asxh-vneid", "2026-07-15"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, j) = t
        .api(
            "POST",
            "/api/v1/turns",
            Some(&rep),
            turn_json(&new(), &other.id, "asxh-vneid", "2026-07-15"),
        )
        .await;
    assert_eq!(
        (s, j["error"]["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden"))
    );
    // A volunteer records anywhere; a viewer nowhere.
    let mine = new();
    let (s, _) = t
        .api(
            "POST",
            "/api/v1/turns",
            Some(&v1),
            turn_json(&mine, &other.id, "zalo-khong-co", "2026-07-15"),
        )
        .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let (s, _) = t
        .api(
            "POST",
            "/api/v1/turns",
            Some(&v1),
            turn_json(&mine, &other.id, "dich-vu-cong", "2026-07-15"),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = t
        .api(
            "POST",
            "/api/v1/turns",
            Some(&viewer),
            turn_json(&new(), &other.id, "dich-vu-cong", "2026-07-15"),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Reading: a volunteer sees its own; a reporter its unit; not another's unit.
    let (_, j) = t.api("GET", "/api/v1/turns", Some(&v2), json!(null)).await;
    assert_eq!(j.as_array().unwrap().len(), 0);
    let (_, j) = t.api("GET", "/api/v1/turns", Some(&v1), json!(null)).await;
    assert_eq!(j.as_array().unwrap().len(), 1);
    let (s, _) = t
        .api(
            "GET",
            &format!("/api/v1/turns?unit_id={}", other.id),
            Some(&rep),
            json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, j) = t
        .api(
            "GET",
            &format!("/api/v1/turns?unit_id={}", village.id),
            Some(&rep),
            json!(null),
        )
        .await;
    assert_eq!((s, j.as_array().unwrap().len()), (StatusCode::OK, 1));
    // Undo: another volunteer, a reporter, a judge, a viewer cannot; the maker can; the coordinator can.
    let judge = t.user("giamkhao", Role::Judge, None).await;
    for who in [&v2, &rep, &judge, &viewer] {
        let (s, _) = t
            .api(
                "DELETE",
                &format!("/api/v1/turns/{mine}"),
                Some(who),
                json!({"reason": "x"}),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{}", who.name);
    }
    let (s, _) = t
        .api("DELETE", &format!("/api/v1/turns/{mine}"), None, json!({"reason": "x"}))
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, j) = t
        .api("DELETE", &format!("/api/v1/turns/{mine}"), Some(&v1), json!({}))
        .await;
    assert_eq!((s, j["delete_reason"].as_str()), (StatusCode::OK, Some("Hoàn tác")));
    assert_eq!(t.store.count_turns(&t.plan_id).await.unwrap(), 1);
    let (_, all) = t.api("GET", "/api/v1/turns", Some(&coord), json!(null)).await;
    let first = all[0]["id"].as_str().unwrap().to_string();
    let (s, _) = t
        .api(
            "DELETE",
            &format!("/api/v1/turns/{first}"),
            Some(&coord),
            json!({"reason": "Trùng với sổ giấy"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(t.store.count_turns(&t.plan_id).await.unwrap(), 0);
    let log = t.store.audit(&t.plan_id, None, 10).await.unwrap();
    assert_eq!(log.len(), 2);
    assert!(log[0].detail.contains("Trùng với sổ giấy"));
}

#[test]
fn undo_expires_after_ten_minutes() {
    use kehoach_web::http::policy::{Action, UNDO_SECS, allowed};
    let user = kehoach_store::UserRow {
        id: "u1".into(),
        commune_id: "c".into(),
        username: "tnv".into(),
        full_name: "T".into(),
        role: "volunteer".into(),
        unit_id: None,
        active: 1,
        email: None,
    };
    assert!(allowed(
        &user,
        Action::DeleteTurn {
            creator: "u1",
            created_at: 1000,
            now: 1000 + UNDO_SECS
        }
    ));
    assert!(!allowed(
        &user,
        Action::DeleteTurn {
            creator: "u1",
            created_at: 1000,
            now: 1001 + UNDO_SECS
        }
    ));
    assert!(!allowed(
        &user,
        Action::DeleteTurn {
            creator: "u2",
            created_at: 1000,
            now: 1000
        }
    ));
}

/// Behind a reverse proxy on the same machine (the recommended HTTPS setup),
/// the login limit counts each citizen's address from X-Forwarded-For: a
/// stranger guessing the coordinator's password locks out only their own
/// address. A client that is not a trusted proxy cannot pick its address.
#[tokio::test]
async fn login_limits_count_clients_behind_a_trusted_proxy_not_the_proxy() {
    use axum::extract::ConnectInfo;
    use std::net::SocketAddr;
    let t = TestApp::all().await.remove(0);
    t.coordinator().await;
    let login = |peer: &str, forwarded: Option<&str>, pw: &str| {
        let mut r = Request::post("/api/v1/login")
            .header(header::HOST, "kehoach.test")
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(f) = forwarded {
            r = r.header("x-forwarded-for", f);
        }
        let mut r = r
            .body(Body::from(json!({"username": "dieuphoi", "password": pw}).to_string()))
            .unwrap();
        r.extensions_mut()
            .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
        r
    };
    let proxy = "127.0.0.1:40000";
    for _ in 0..5 {
        let (s, _, _) = t.send(login(proxy, Some("203.0.113.5"), "sai")).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (s, _, _) = t.send(login(proxy, Some("203.0.113.5"), PASSWORD)).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "the guessing address waits");
    // The coordinator, through the same proxy from another address, logs in.
    let (s, _, body) = t.send(login(proxy, Some("198.51.100.20"), PASSWORD)).await;
    assert_eq!(s, StatusCode::OK, "{body}");
    // A chain: the client is the nearest address a trusted proxy did not add.
    let (s, _, _) = t.send(login(proxy, Some("203.0.113.5, 127.0.0.1"), PASSWORD)).await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS, "same client behind two proxies");

    // Not a trusted proxy: its X-Forwarded-For is ignored, rotating it does not help.
    let direct = "192.0.2.9:5555";
    for i in 0..5 {
        let (s, _, _) = t.send(login(direct, Some(&format!("10.0.0.{i}")), "sai")).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let (s, _, _) = t.send(login(direct, Some("10.0.0.99"), PASSWORD)).await;
    assert_eq!(
        s,
        StatusCode::TOO_MANY_REQUESTS,
        "the direct client waits whatever it claims"
    );
}

/// Sessions are kept in memory between requests; a change of the account
/// still ends them at once (the cache is emptied by every change).
#[tokio::test]
async fn a_deactivated_account_or_a_changed_role_ends_its_sessions_at_once() {
    for t in TestApp::all().await {
        let b = t.backend;
        let c = t.coordinator().await;
        let village = t.unit_by_slug("thon-mau-1").await;
        for (name, change) in [
            ("bcv.vaitro", json!({"role": "viewer", "unit_id": null})),
            ("bcv.khoa", json!({"active": false})),
        ] {
            let rep = t.user(name, Role::UnitReporter, Some(&village.id)).await;
            for _ in 0..2 {
                let (s, me) = t.api("GET", "/api/v1/me", Some(&rep), json!(null)).await;
                assert_eq!(s, StatusCode::OK, "{b}: {me}");
            }
            let (s, j) = t
                .api("PATCH", &format!("/api/v1/users/{}", rep.user_id), Some(&c), change)
                .await;
            assert_eq!(s, StatusCode::OK, "{b}: {j}");
            let (s, _) = t.api("GET", "/api/v1/me", Some(&rep), json!(null)).await;
            assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}: {name}");
        }
        // The coordinator's own session, read and kept meanwhile, still works.
        let (s, _) = t.api("GET", "/api/v1/me", Some(&c), json!(null)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
    }
}
