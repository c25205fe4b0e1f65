//! `/ke-hoach/nhap`: a coordinator reads another commune's plan text into a
//! draft shown beside its source lines (missing fields marked), checks the
//! edited plan file with the validator and downloads it; bad input gets a
//! Vietnamese reason; nobody else may use it.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use kehoach_store::Role;

fn corpus(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../plans/corpus")
            .join(name),
    )
    .unwrap()
}

#[tokio::test]
async fn a_coordinator_reviews_checks_and_downloads_a_plan_read_from_text() {
    let t = TestApp::all().await.remove(0);
    let coord = t.coordinator().await;
    let text = corpus("an-hoa-2027.txt");
    let (st, _, html) = t
        .multipart(
            "/ke-hoach/nhap",
            Some(&coord),
            &[],
            Some(("an-hoa.txt", text.as_bytes())),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{html}");
    assert!(html.contains("id=\"L28\""), "source lines numbered");
    assert!(html.contains("Hoạt động 2.1") && html.contains("Đoàn Thanh niên xã"));
    assert!(
        html.contains("href=\"#L32\">dòng 32–39</a>"),
        "activity 2.1 linked to its lines: {html}"
    );
    assert!(html.contains("cần soát lại"), "heading 2 has no lead of its own");
    // The plan file's units, and the sample villages flagged for the review.
    assert!(
        html.contains("UBND xã; Văn phòng HĐND và UBND xã; Công an xã; Đoàn TN"),
        "{html}"
    );
    assert!(
        html.contains("Kế hoạch không nêu tên: 3 đơn vị mẫu (dữ liệu mẫu)"),
        "{html}"
    );
    // How each measurable target will be counted, to check before activating.
    assert!(
        html.contains("Đo chỉ tiêu C2-1")
            && html.contains("tối thiểu mỗi đơn vị: đếm lượt hỗ trợ người dân của hoạt động 2.1"),
        "{html}"
    );
    // A file named like an id names the plan.
    assert!(
        html.contains("id = &quot;an-hoa&quot;") || html.contains("id = &#34;an-hoa&#34;"),
        "{html}"
    );
    assert!(
        html.contains("issuer = &quot;Ủy ban nhân dân xã An Hòa&quot;")
            || html.contains("issuer = &#34;Ủy ban nhân dân xã An Hòa&#34;"),
        "the plan file"
    );
    // Pasted text reads the same.
    let (st, _, pasted) = t
        .multipart("/ke-hoach/nhap", Some(&coord), &[("text", &text)], None)
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(pasted.contains("Hoạt động 2.1"));

    // The plan file: checked, then downloaded; a broken edit is refused with the validator's reason.
    let plan = kehoach_core::read::draft::to_plan(&kehoach_core::read::parse::parse(&text).unwrap(), &text, None);
    let toml = kehoach_core::read::draft::to_toml(&plan).unwrap();
    let (st, _, html) = t
        .form(
            "/ke-hoach/nhap/kiem-tra",
            Some(&coord),
            &[("toml", &toml), ("source", &text)],
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert!(html.contains("Tệp kế hoạch hợp lệ"), "{html}");
    let broken = toml.replace("title = \"Triển khai", "title = \"\" # Triển khai");
    let (_, _, html) = t
        .form(
            "/ke-hoach/nhap/kiem-tra",
            Some(&coord),
            &[("toml", &broken), ("source", &text)],
        )
        .await;
    assert!(
        html.contains("còn 1 chỗ cần sửa") && html.contains("plan.title"),
        "{html}"
    );
    let (st, _, body) = t
        .form(
            "/ke-hoach/nhap/kiem-tra",
            Some(&coord),
            &[("toml", &toml), ("source", &text), ("tai", "1")],
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        kehoach_core::parse_plan(&body).unwrap().plan.issuer,
        "Ủy ban nhân dân xã An Hòa"
    );

    // Bad input: a reason in Vietnamese.
    for (text, reason) in [
        ("   ", "Tệp không có nội dung"),
        ("Thư mời họp.\nKính gửi.", "không phải một kế hoạch"),
    ] {
        let (st, _, html) = t
            .multipart("/ke-hoach/nhap", Some(&coord), &[("text", text)], None)
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains(reason), "{html}");
    }
    let (st, _, html) = t
        .multipart(
            "/ke-hoach/nhap",
            Some(&coord),
            &[],
            Some(("hong.docx", b"PK\x03\x04 hong")),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("Tệp Word: hỏng"));
    t.store.close().await;
}

#[tokio::test]
async fn only_coordinators_read_plans_from_text() {
    let t = TestApp::all().await.remove(0);
    let village = t.unit_by_slug("thon-mau-1").await;
    let union = t.unit_by_slug("doan-tn").await;
    let text = corpus("tan-lap-2026.txt");
    for (who, role, unit) in [
        ("thon", Role::UnitReporter, Some(village.id.as_str())),
        ("tnv", Role::Volunteer, Some(union.id.as_str())),
        ("xem", Role::Viewer, None),
        ("giamkhao", Role::Judge, None),
    ] {
        let s = t.user(who, role, unit).await;
        let (st, _) = t.get("/ke-hoach/nhap", Some(&s)).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{who}");
        let (st, _, _) = t.multipart("/ke-hoach/nhap", Some(&s), &[("text", &text)], None).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{who}");
        let (st, _, _) = t.form("/ke-hoach/nhap/kiem-tra", Some(&s), &[("toml", "x")]).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{who}");
        let (st, _, _) = t.form("/ke-hoach/nhap/kich-hoat", Some(&s), &[("toml", "x")]).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{who}");
        let (st, _, _) = t.form("/ke-hoach/nhap/them", Some(&s), &[("toml", "x")]).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{who}");
    }
    let (st, _) = t.get("/ke-hoach/nhap", None).await;
    assert_eq!(st, StatusCode::SEE_OTHER, "anonymous: to the login page");
    t.store.close().await;
}

#[tokio::test]
async fn a_checked_plan_replaces_one_that_recorded_nothing_and_never_one_with_records() {
    for t in TestApp::all().await {
        let b = t.backend;
        let coord = t.coordinator().await;
        let text = corpus("an-hoa-2027.txt");
        let plan = kehoach_core::read::draft::to_plan(&kehoach_core::read::parse::parse(&text).unwrap(), &text, None);
        let toml = kehoach_core::read::draft::to_toml(&plan).unwrap();
        // A broken file is refused.
        let (st, _, html) = t
            .form("/ke-hoach/nhap/kich-hoat", Some(&coord), &[("toml", "title = ")])
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(html.contains("Tệp kế hoạch: còn lỗi"), "{b}");
        // A plan with a record is never replaced.
        let village = t.unit_by_slug("thon-mau-1").await;
        let turn = serde_json::json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": village.id, "service": "asxh-vneid", "day": "2026-07-01"});
        let (st, _) = t.api("POST", "/api/v1/turns", Some(&coord), turn).await;
        assert!(st.is_success(), "{b}");
        let (st, _, html) = t
            .form("/ke-hoach/nhap/kich-hoat", Some(&coord), &[("toml", &toml)])
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(html.contains("đã có số liệu ghi nhận"), "{b}");
        assert!(
            t.store.plan_source(&t.plan_id).await.unwrap().contains("Vĩnh Thịnh"),
            "{b}: unchanged"
        );
        t.store.close().await;
    }
}

#[tokio::test]
async fn a_fresh_plan_is_replaced_and_keeps_its_coordinator() {
    for t in TestApp::all().await {
        let b = t.backend;
        let coord = t.coordinator().await;
        let text = corpus("an-hoa-2027.txt");
        let plan = kehoach_core::read::draft::to_plan(&kehoach_core::read::parse::parse(&text).unwrap(), &text, None);
        let toml = kehoach_core::read::draft::to_toml(&plan).unwrap();
        let (st, location, body) = t
            .form("/ke-hoach/nhap/kich-hoat", Some(&coord), &[("toml", &toml)])
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER, "{b}: {body}");
        assert_eq!(location.as_deref(), Some("/ke-hoach?ok=plan_activated"), "{b}");
        let stored = kehoach_core::parse_plan(&t.store.plan_source(&t.plan_id).await.unwrap()).unwrap();
        assert_eq!(stored.plan.id, t.plan_id, "{b}: the id the accounts belong to");
        assert_eq!(stored.plan.issuer, "Ủy ban nhân dân xã An Hòa", "{b}");
        let units = t.store.list_units(&t.plan_id).await.unwrap();
        assert!(units.iter().any(|u| u.name == "Đoàn Thanh niên xã"), "{b}");
        assert!(
            !units.iter().any(|u| u.name == "Trường Tiểu học Trung Lập"),
            "{b}: the old plan's units are gone"
        );
        // The plan names no village: the draft's sample villages stand in, marked sample.
        assert_eq!(
            units
                .iter()
                .filter(|u| u.name.contains("Thôn mẫu") && u.sample == 1)
                .count(),
            3,
            "{b}"
        );
        assert_eq!(
            t.store.user(&t.plan_id, &coord.user_id).await.unwrap().role,
            "coordinator",
            "{b}"
        );
        t.store.close().await;
    }
}

/// After activating a plan that names no village, the coordinator names the
/// sample villages: a named village is the commune's own, no longer marked
/// sample (a change of case only keeps the mark).
#[tokio::test]
async fn naming_a_sample_village_makes_it_the_communes_own() {
    for t in TestApp::all().await {
        let b = t.backend;
        let coord = t.coordinator().await;
        let village = t.unit_by_slug("thon-mau-1").await;
        assert_eq!(village.sample, 1, "{b}");
        let path = format!("/api/v1/units/{}", village.id);
        let (st, _) = t
            .api(
                "PATCH",
                &path,
                Some(&coord),
                serde_json::json!({"name": "THÔN MẪU 1 (DỮ LIỆU MẪU)"}),
            )
            .await;
        assert!(st.is_success(), "{b}");
        assert_eq!(t.unit_by_slug("thon-mau-1").await.sample, 1, "{b}: same name");
        let (st, _) = t
            .api("PATCH", &path, Some(&coord), serde_json::json!({"name": "Thôn Đông"}))
            .await;
        assert!(st.is_success(), "{b}");
        let named = t.unit_by_slug("thon-mau-1").await;
        assert_eq!((named.name.as_str(), named.sample), ("Thôn Đông", 0), "{b}");
        let (_, page) = t.get("/don-vi", Some(&coord)).await;
        let card = page.split(&format!("id=\"unit-{}\"", village.id)).nth(1).unwrap();
        let card = card.split("</h3>").next().unwrap();
        assert!(!card.contains("dữ liệu mẫu"), "{b}: {card}");
        t.store.close().await;
    }
}
