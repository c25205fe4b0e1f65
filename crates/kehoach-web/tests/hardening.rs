//! What one careless or hostile user could do to others, through the
//! router: reuse another unit's record id, leave through a redirect, keep a
//! stolen session after a password change, page past the end of i64,
//! read the pool from /healthz, run inline script. On SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use kehoach_store::Role;
use serde_json::json;

fn session_json(id: &str, unit: &str, note: &str) -> serde_json::Value {
    json!({"id": id, "line_id": "l4-binh-dan-hoc-vu-so", "unit_id": unit, "kind": "guidance",
           "status": "held", "day": "2026-07-10", "headcount": 12, "note": note,
           "topics": ["Hỗ trợ người cao tuổi tiếp cận các dịch vụ số."]})
}

#[tokio::test]
async fn a_known_record_id_never_returns_or_changes_someone_elses_record() {
    for t in TestApp::all().await {
        let b = t.backend;
        let v1 = t.unit_by_slug("thon-mau-1").await;
        let v2 = t.unit_by_slug("thon-mau-2").await;
        let rep1 = t.user("bc.thon1", Role::UnitReporter, Some(&v1.id)).await;
        let rep2 = t.user("bc.thon2", Role::UnitReporter, Some(&v2.id)).await;
        let coord = t.coordinator().await;

        // Sessions: the id is known (it used to be the public calendar's UID).
        let id = uuid::Uuid::now_v7().to_string();
        let (s, j) = t
            .api(
                "POST",
                "/api/v1/sessions",
                Some(&rep1),
                session_json(&id, &v1.id, "ghi chú riêng của thôn 1"),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b} {j}");
        let (s, j) = t
            .api(
                "POST",
                "/api/v1/sessions",
                Some(&rep2),
                session_json(&id, &v2.id, "thử"),
            )
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{b} {j}");
        assert_eq!(j["error"]["code"], "id_taken", "{b} {j}");
        assert!(
            !j.to_string().contains("riêng"),
            "{b}: nothing of the stored session is told: {j}"
        );
        // Even the coordinator's own retry must be their own record.
        let (s, _) = t
            .api("POST", "/api/v1/sessions", Some(&coord), session_json(&id, &v1.id, "x"))
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{b}");
        // The author's retry is still a retry.
        let (s, j) = t
            .api(
                "POST",
                "/api/v1/sessions",
                Some(&rep1),
                session_json(&id, &v1.id, "ghi chú riêng của thôn 1"),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b} {j}");

        // Turns: the same id with other content is a conflict, not a duplicate.
        let turn = |id: &str, unit: &str, service: &str| json!({"id": id, "unit_id": unit, "service": service, "day": "2026-07-10"});
        let tid = uuid::Uuid::now_v7().to_string();
        let (s, _) = t
            .api("POST", "/api/v1/turns", Some(&rep1), turn(&tid, &v1.id, "asxh-vneid"))
            .await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let (s, _) = t
            .api("POST", "/api/v1/turns", Some(&rep1), turn(&tid, &v1.id, "asxh-vneid"))
            .await;
        assert_eq!(s, StatusCode::OK, "{b}: a retry");
        let (s, j) = t
            .api("POST", "/api/v1/turns", Some(&rep1), turn(&tid, &v1.id, "so-suc-khoe"))
            .await;
        assert_eq!(
            (s, j["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("id_taken")),
            "{b} {j}"
        );
        let (s, j) = t
            .api("POST", "/api/v1/turns", Some(&rep2), turn(&tid, &v2.id, "asxh-vneid"))
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{b} {j}");
        let (s, j) = t
            .api(
                "POST",
                "/api/v1/turns/batch",
                Some(&rep2),
                json!({"turns": [turn(&tid, &v2.id, "asxh-vneid")]}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b} {j}");
        assert_eq!(j["results"][0]["status"], "rejected", "{b} {j}");
        assert_eq!(j["results"][0]["error"]["code"], "id_taken", "{b} {j}");
        let turns = t.store.count_turns(&t.plan_id).await.unwrap();
        assert_eq!(turns, 1, "{b}: one turn stored");
    }
}

#[tokio::test]
async fn a_password_change_ends_the_users_other_sessions() {
    for t in TestApp::all().await {
        let b = t.backend;
        let v1 = t.unit_by_slug("thon-mau-1").await;
        let coord = t.coordinator().await;
        let stolen = t.user("bc.thon1", Role::UnitReporter, Some(&v1.id)).await;
        let (s, _) = t.get("/api/v1/me", Some(&stolen)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, j) = t
            .api(
                "PATCH",
                &format!("/api/v1/users/{}", stolen.user_id),
                Some(&coord),
                json!({"password": "mat-khau-moi-2026"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b} {j}");
        let (s, _) = t.get("/api/v1/me", Some(&stolen)).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{b}: the stolen session is over");
        // The coordinator changing their own password keeps their session.
        let (s, j) = t
            .api(
                "PATCH",
                &format!("/api/v1/users/{}", coord.user_id),
                Some(&coord),
                json!({"password": "mat-khau-moi-2027"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{b} {j}");
        let (s, _) = t.get("/api/v1/me", Some(&coord)).await;
        assert_eq!(s, StatusCode::OK, "{b}: the session that made the change stays");
    }
}

#[tokio::test]
async fn login_never_redirects_off_site() {
    let t = TestApp::all().await.remove(0);
    t.coordinator().await;
    for next in ["/\\evil.example/x", "//evil.example/x", "https://evil.example/"] {
        let (s, location, _) = t
            .form(
                "/dang-nhap",
                None,
                &[("username", "dieuphoi"), ("password", common::PASSWORD), ("next", next)],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{next}");
        assert_eq!(
            location.as_deref(),
            Some("/"),
            "{next}: home, which sends each role to its page"
        );
    }
}

#[tokio::test]
async fn paging_past_the_end_of_i64_is_an_empty_page_not_a_server_error() {
    for t in TestApp::all().await {
        let coord = t.coordinator().await;
        for page in [i64::MAX.to_string(), "-9223372036854775808".into(), "0".into()] {
            let (s, body) = t
                .get(
                    &format!("/theo-doi/ho-so?chi-tieu=T6&ngay=15/07/2026&trang={page}"),
                    Some(&coord),
                )
                .await;
            assert_eq!(s, StatusCode::OK, "{} trang={page}: {body}", t.backend);
        }
        let (s, j) = t
            .api(
                "GET",
                &format!("/api/v1/board/records?target=T6&as_of=15/07/2026&offset={}", i64::MAX),
                Some(&coord),
                json!(null),
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{}: {j}", t.backend);
        assert_eq!(j["rows"], json!([]), "{}: past the end, no rows", t.backend);
    }
}

#[tokio::test]
async fn pages_carry_a_content_security_policy_and_healthz_tells_the_public_only_ok() {
    let t = TestApp::all().await.remove(0);
    let (s, headers, body) = t
        .send(
            axum::http::Request::get("/cong-khai")
                .header("host", "kehoach.test")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let csp = headers
        .iter()
        .find(|(k, _)| k == "content-security-policy")
        .map(|(_, v)| v.clone())
        .expect("a CSP");
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("script-src 'self' 'unsafe-inline'"),
        "{csp}"
    );
    assert!(headers.iter().any(|(k, _)| k == "permissions-policy"));
    assert!(
        headers
            .iter()
            .any(|(k, v)| k == "referrer-policy" && v == "same-origin")
    );
    // No page carries inline script or inline event handlers the CSP would block.
    for src in [
        include_str!("../templates/base.html"),
        include_str!("../templates/public_base.html"),
    ] {
        assert!(!src.contains("<script>"));
    }
    let templates = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/templates")).unwrap();
    for entry in templates {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for bad in ["<script>", " onclick=", " onsubmit=", " onchange=", " onload="] {
            assert!(!text.contains(bad), "{}: {bad}", path.display());
        }
    }
    assert!(!body.contains("<script>"));

    // /healthz from the public: only whether it is up.
    let mut req = axum::http::Request::get("/healthz")
        .header("host", "kehoach.test")
        .body(axum::body::Body::empty())
        .unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(
        "203.0.113.9:4000".parse::<std::net::SocketAddr>().unwrap(),
    ));
    let (s, _, body) = t.send(req).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(body, r#"{"ok":true}"#);
}

#[tokio::test]
async fn every_error_is_the_json_body_on_the_api_and_a_vietnamese_page_elsewhere() {
    let t = TestApp::all().await.remove(0);
    let coord = t.coordinator().await;
    // A body over the route's limit.
    let (s, j) = t
        .raw(
            "/api/v1/rosters/youth_members/import",
            Some(&coord),
            vec![b'a'; 7 * 1024 * 1024],
        )
        .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{j}");
    assert_eq!(j["error"]["code"], "body_too_large", "{j}");
    let (s, j) = t
        .api(
            "POST",
            "/api/v1/units",
            Some(&coord),
            json!({"name": "x".repeat(2 * 1024 * 1024)}),
        )
        .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{j}");
    assert_eq!(j["error"]["code"], "body_too_large", "{j}");
    // A query value that does not parse names its field.
    let (s, j) = t
        .api(
            "GET",
            "/api/v1/board/records?target=T6&offset=mot-tram",
            Some(&coord),
            json!(null),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{j}");
    assert_eq!(j["error"]["code"], "bad_request", "{j}");
    assert_eq!(j["error"]["field"], "offset", "{j}");
    // A method the route does not take.
    let (s, j) = t.api("DELETE", "/api/v1/units", Some(&coord), json!(null)).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED, "{j}");
    assert_eq!(j["error"]["code"], "method_not_allowed", "{j}");
    // The same on a page: the normal page, in Vietnamese.
    let (s, body) = t.get("/theo-doi/ho-so?chi-tieu=T6&trang=mot", Some(&coord)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        body.contains("<html") && body.contains("Tham số “trang”: giá trị không hợp lệ."),
        "{body}"
    );

    // The OpenAPI document lists the error answers each operation gives.
    let (_, doc) = t.api("GET", "/api/openapi.json", None, json!(null)).await;
    let mut operations = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            operations += 1;
            let answers = op["responses"].as_object().unwrap();
            for code in ["400", "500"] {
                assert!(answers.contains_key(code), "{method} {path} lacks {code}");
            }
            if path.contains('{') {
                assert!(answers.contains_key("404"), "{method} {path} lacks 404");
            }
            if op.get("requestBody").is_some() {
                assert!(answers.contains_key("422"), "{method} {path} lacks 422");
            }
        }
    }
    assert!(operations > 40, "{operations}");
}
