//! The board through the router: JSON figures as of a date, the records
//! behind a figure and who may list them, bad dates, the page.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use kehoach_store::{NewTurn, Role, new_id};

#[tokio::test]
async fn board_json_and_records_behind_a_village_figure() {
    for app in TestApp::all().await {
        let b = app.backend;
        let coord = app.user("dieuphoi", Role::Coordinator, None).await;
        let v1 = app.unit_by_slug("thon-mau-1").await;
        let v2 = app.unit_by_slug("thon-mau-2").await;
        let rep2 = app.user("thon2", Role::UnitReporter, Some(&v2.id)).await;
        let viewer = app.user("lanhdao", Role::Viewer, None).await;
        let writer = kehoach_store::IngestWriter::start(app.store.clone(), app.clock.clone());
        // 30 turns in village 1 on 01/07, 5 more on 20/07; one deleted.
        let mut ids = Vec::new();
        for i in 0..35 {
            let id = new_id();
            ids.push(id.clone());
            writer
                .write(vec![NewTurn {
                    id,
                    plan_id: app.plan_id.clone(),
                    line_id: "l3-support".into(),
                    unit_id: v1.id.clone(),
                    service: "asxh-vneid".into(),
                    elderly: false,
                    day: if i < 30 { "2026-07-01" } else { "2026-07-20" }.into(),
                    recorded_at: 0,
                    created_by: coord.user_id.clone(),
                }])
                .await
                .unwrap();
        }
        app.store
            .delete_turn(&app.plan_id, &ids[0], &coord.user_id, "Ghi nhầm", 0)
            .await
            .unwrap();

        let (st, j) = app
            .api(
                "GET",
                "/api/v1/board?as_of=2026-07-15",
                Some(&viewer),
                serde_json::json!(null),
            )
            .await;
        assert_eq!(st, 200, "{b}: {j}");
        assert_eq!(j["as_of"], "2026-07-15");
        let t6 = j["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == "T6")
            .unwrap();
        let per: Vec<(&str, f64)> = t6["per_unit"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| (u["id"].as_str().unwrap(), u["value"].as_f64().unwrap()))
            .collect();
        assert!(per.contains(&(v1.id.as_str(), 29.0)), "{b}: {per:?}");
        assert!(per.contains(&(v2.id.as_str(), 0.0)));
        assert_eq!(t6["value"], 0.0, "the lowest village decides");
        assert!(matches!(t6["status"].as_str(), Some("at_risk" | "behind")));
        let lag = &t6["laggards"].as_array().unwrap()[0];
        assert_eq!(
            (lag["holds_back"].as_bool(), lag["value"].as_f64()),
            (Some(true), Some(0.0))
        );
        let t4 = j["targets"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == "T4")
            .unwrap();
        assert_eq!(t4["status"], "not_started");

        // Village 1's figure opens exactly its 29 live turns up to 15/07.
        let url = t6["per_unit"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["id"] == v1.id.as_str())
            .unwrap()["records_url"]
            .as_str()
            .unwrap()
            .to_string();
        let (st, tr) = app.api("GET", &url, Some(&coord), serde_json::json!(null)).await;
        assert_eq!(st, 200, "{b}: {tr}");
        assert_eq!(tr["total"], 29);
        assert_eq!(tr["rows"].as_array().unwrap().len(), 29);
        assert!(
            tr["rows"]
                .as_array()
                .unwrap()
                .iter()
                .all(|r| r["id"] != ids[0].as_str())
        );
        // The reporter of village 2 may not list village 1's records, but may list its own.
        let (st, _) = app.api("GET", &url, Some(&rep2), serde_json::json!(null)).await;
        assert_eq!(st, 403, "{b}");
        let own = format!("/api/v1/board/records?target=T6&as_of=2026-07-15&subject={}", v2.id);
        let (st, tr) = app.api("GET", &own, Some(&rep2), serde_json::json!(null)).await;
        assert_eq!((st.as_u16(), tr["total"].as_i64()), (200, Some(0)));

        // Bad input: a clear code and field.
        let (st, e) = app
            .api(
                "GET",
                "/api/v1/board?as_of=2026-02-31",
                Some(&viewer),
                serde_json::json!(null),
            )
            .await;
        assert_eq!((st.as_u16(), e["error"]["code"].as_str()), (422, Some("as_of_invalid")));
        let (st, e) = app
            .api(
                "GET",
                "/api/v1/board/records?target=T99",
                Some(&coord),
                serde_json::json!(null),
            )
            .await;
        assert_eq!(
            (st.as_u16(), e["error"]["code"].as_str()),
            (422, Some("target_unknown"))
        );
        let (st, _) = app.api("GET", "/api/v1/board", None, serde_json::json!(null)).await;
        assert_eq!(st, 401);

        // The page shows the same figure and links to the same records.
        let (st, html) = app.get("/theo-doi?ngay=15/07/2026", Some(&viewer)).await;
        assert_eq!(st, 200);
        assert!(
            html.contains("tính đến ngày <span id=\"as-of\">15/07/2026</span>"),
            "{b}"
        );
        assert!(html.contains(&format!("doi-tuong={}", v1.id)));
        let (st, html) = app
            .get(
                &format!("/theo-doi/ho-so?chi-tieu=T6&doi-tuong={}&ngay=15/07/2026", v1.id),
                Some(&coord),
            )
            .await;
        assert_eq!(st, 200);
        assert!(html.contains("data-total=\"29\""), "{b}");
        assert_eq!(html.matches("<tr class=\"rec\">").count(), 29);
    }
}

#[tokio::test]
async fn the_summary_report_downloads_for_readers_of_every_unit_only() {
    for t in TestApp::all().await {
        let b = t.backend;
        let coord = t.coordinator().await;
        let viewer = t.user("lanhdao", Role::Viewer, None).await;
        let village = t.unit_by_slug("thon-mau-1").await;
        let rep = t.user("thon1", Role::UnitReporter, Some(&village.id)).await;
        for s in [&coord, &viewer] {
            let req = axum::http::Request::get("/bao-cao/tong-ket.docx?ngay=15/07/2026")
                .header("host", "kehoach.test")
                .header("cookie", &s.cookie)
                .body(axum::body::Body::empty())
                .unwrap();
            let (status, headers, body) = t.send(req).await;
            assert_eq!(status, StatusCode::OK, "{b}");
            let get = |k: &str| {
                headers
                    .iter()
                    .find(|(h, _)| h == k)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            };
            assert!(get("content-type").contains("wordprocessingml"), "{b}");
            assert!(
                get("content-disposition").contains("bao-cao-tong-ket-2026-07-15.docx"),
                "{b}"
            );
            assert!(body.starts_with("PK"), "{b}: a zip (DOCX)");
        }
        let (status, _, pdf) = t
            .get_bytes("/bao-cao/tong-ket.pdf?ngay=15/07/2026", Some(&viewer))
            .await;
        assert_eq!(status, StatusCode::OK, "{b}");
        assert!(pdf.starts_with(b"%PDF-"), "{b}");
        let (status, _) = t.get("/bao-cao/tong-ket.pdf?ngay=15/07/2026", Some(&rep)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{b}");
        let (status, _) = t.get("/bao-cao/tong-ket.odt", Some(&coord)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{b}");
        let (status, _) = t.get("/bao-cao/tong-ket.docx?ngay=15/07/2026", Some(&rep)).await;
        assert_eq!(
            status,
            StatusCode::FORBIDDEN,
            "{b}: a unit reporter cannot export every unit"
        );
        let (status, body) = t.get("/bao-cao/tong-ket.docx?ngay=31/02/2026", Some(&coord)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(body.contains("as_of_invalid"), "{b}");
        let (_, page) = t.get("/theo-doi?ngay=15/07/2026", Some(&coord)).await;
        assert!(page.contains("/bao-cao?ngay=15/07/2026"), "{b}");
        // No roster yet: the card says what to do rather than "0 / 0".
        assert!(
            page.contains("chưa có danh sách: nhập danh sách hoặc khai báo số lượng"),
            "{b}"
        );
        let req = axum::http::Request::get("/")
            .header("host", "kehoach.test")
            .header("cookie", &coord.cookie)
            .body(axum::body::Body::empty())
            .unwrap();
        let (status, headers, _) = t.send(req).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{b}");
        assert!(
            headers.iter().any(|(k, v)| k == "location" && v == "/theo-doi"),
            "{b}: the coordinator lands on the board"
        );
        let (_, page) = t.get("/theo-doi?ngay=15/07/2026", Some(&rep)).await;
        assert!(!page.contains("/bao-cao?"), "{b}");
        // The preview: the same model on screen, with its downloads.
        let (status, page) = t.get("/bao-cao?ngay=15/07/2026", Some(&coord)).await;
        assert_eq!(status, StatusCode::OK, "{b}");
        for s in [
            "/bao-cao/tong-ket.docx?ngay=15/07/2026",
            "/bao-cao/tong-ket.pdf?ngay=15/07/2026",
            "Bảng 1. Kết quả thực hiện chỉ tiêu",
            "TM. ỦY BAN NHÂN DÂN",
        ] {
            assert!(page.contains(s), "{b}: preview lacks {s}");
        }
        let (status, _) = t.get("/bao-cao?ngay=15/07/2026", Some(&rep)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{b}");

        // The coordinator writes the lessons (two paragraphs) and replaces the strengths; the report shows them.
        let (status, location, _) = t
            .form(
                "/bao-cao/van-ban",
                Some(&coord),
                &[
                    ("ngay", "15/07/2026"),
                    ("uu-diem", "Các thôn vào cuộc sớm."),
                    (
                        "bai-hoc",
                        "Phân công rõ người, rõ việc.\r\n\r\nGhi nhận số liệu ngay tại chỗ.",
                    ),
                    ("han-che", ""),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{b}");
        assert!(location.unwrap().contains("ok=report_texts_saved"), "{b}");
        let (_, page) = t.get("/bao-cao?ngay=15/07/2026", Some(&coord)).await;
        assert!(page.contains("<p>Các thôn vào cuộc sớm.</p>"), "{b}");
        assert!(
            page.contains("3. Bài học kinh nghiệm") && page.contains("<p>Ghi nhận số liệu ngay tại chỗ.</p>"),
            "{b}"
        );
        assert!(!page.contains("Nguyên nhân</h4>"), "{b}: section 3 only when written");
        assert!(
            page.contains("2. Tồn tại, hạn chế"),
            "{b}: an empty text keeps the text from the figures"
        );
        // Bad input: a clear code, nothing saved.
        let (status, err) = t
            .api(
                "PUT",
                "/api/v1/report/texts/khong-co",
                Some(&coord),
                serde_json::json!({"body": "x"}),
            )
            .await;
        assert_eq!(
            (status, err["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("section_unknown")),
            "{b}"
        );
        let (status, err) = t
            .api(
                "PUT",
                "/api/v1/report/texts/bai-hoc",
                Some(&coord),
                serde_json::json!({"body": "x".repeat(10_001)}),
            )
            .await;
        assert_eq!(
            (status, err["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("report_text_too_long")),
            "{b}"
        );
        assert!(
            t.store.report_texts(&t.plan_id).await.unwrap()["bai-hoc"].starts_with("Phân công"),
            "{b}"
        );
        // Money per line: typed with Vietnamese dots, shown in the report's table 3.
        let (status, location, _) = t
            .form(
                "/bao-cao/kinh-phi",
                Some(&coord),
                &[
                    ("ngay", "15/07/2026"),
                    ("du-toan:l3-support", "15.000.000"),
                    ("da-chi:l3-support", "12.500.000"),
                    ("xhh:l3-support", "2000000"),
                ],
            )
            .await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{b}");
        assert!(location.unwrap().contains("ok=budget_saved"), "{b}");
        let (_, page) = t.get("/bao-cao?ngay=15/07/2026", Some(&coord)).await;
        assert!(page.contains("Bảng 3. Kinh phí thực hiện (đồng)"), "{b}");
        assert!(
            page.contains(
                "Tổng kinh phí đã chi 12.500.000 đồng trên dự toán 15.000.000 đồng; nguồn xã hội hóa 2.000.000 đồng."
            ),
            "{b}"
        );
        let (status, _, body) = t
            .form(
                "/bao-cao/kinh-phi",
                Some(&coord),
                &[("da-chi:l3-support", "mười triệu")],
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{b}: {body}");
        assert!(
            body.contains("Số tiền: viết số nguyên đồng"),
            "{b}: the page says why, in Vietnamese"
        );
        let (status, err) = t
            .api(
                "PUT",
                "/api/v1/report/budget",
                Some(&coord),
                serde_json::json!({"lines": [{"line_id": "l3-support", "spent": -5}]}),
            )
            .await;
        assert_eq!(
            (status, err["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("amount_out_of_range")),
            "{b}"
        );
        let (status, err) = t
            .api(
                "PUT",
                "/api/v1/report/budget",
                Some(&coord),
                serde_json::json!({"lines": [{"line_id": "l99", "spent": 5}]}),
            )
            .await;
        assert_eq!(
            (status, err["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("line_unknown")),
            "{b}"
        );
        assert_eq!(
            t.store.budget_lines(&t.plan_id).await.unwrap()["l3-support"].spent,
            Some(12_500_000),
            "{b}: refusals changed nothing"
        );

        // Emptied: back to the figures.
        let (status, _) = t
            .api(
                "PUT",
                "/api/v1/report/texts/uu-diem",
                Some(&coord),
                serde_json::json!({"body": "  "}),
            )
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{b}");
        let (_, page) = t.get("/bao-cao?ngay=15/07/2026", Some(&coord)).await;
        assert!(
            !page.contains("Các thôn vào cuộc sớm.") && page.contains("1. Ưu điểm"),
            "{b}"
        );
        t.store.close().await;
    }
}
