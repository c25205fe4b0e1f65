//! Rosters, sessions and attendance through the router, on SQLite and PostgreSQL.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Session, TestApp};
use kehoach_store::Role;
use kehoach_store::testing;
use serde_json::{Value, json};

async fn upload(t: &TestApp, s: &Session, roster: &str, query: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
    let req = Request::post(format!("/api/v1/rosters/{roster}/import?{query}"))
        .header(header::HOST, "kehoach.test")
        .header(header::COOKIE, &s.cookie)
        .header("x-csrf-token", &s.csrf)
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(bytes))
        .unwrap();
    let (status, _, body) = t.send(req).await;
    (status, serde_json::from_str(&body).unwrap_or(Value::Null))
}

#[tokio::test]
async fn roster_import_previews_saves_updates_and_searches() {
    for t in TestApp::all().await {
        let c = t.coordinator().await;
        let csv = "\u{feff}Họ và tên,Năm sinh,Đơn vị\n\
                   Nguyễn Văn Ánh,2001,Thôn mẫu 1 (dữ liệu mẫu)\n\
                   Trần Thị Bích,2003,thon-mau-2\n\
                   ,2002,Thôn mẫu 1 (dữ liệu mẫu)\n\
                   Lê Văn Cường,19x9,Thôn mẫu 1 (dữ liệu mẫu)\n\
                   Phạm Văn Dũng,2000,Thôn Không Có\n\
                   NGUYEN VAN ANH,2001,Thôn mẫu 1 (dữ liệu mẫu)\n\
                   Vu\u{0303} Thi\u{0323} Em,2004,Thôn mẫu 3 (dữ liệu mẫu)\n";
        let (s, j) = upload(&t, &c, "youth_members", "", csv.as_bytes().to_vec()).await;
        assert_eq!(s, StatusCode::OK, "{} {j}", t.backend);
        assert_eq!(j["preview"]["accepted_count"], 3, "{j}");
        assert!(j["saved"].is_null(), "a preview saves nothing");
        let errors: Vec<(u64, &str)> = j["preview"]["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (e["row"].as_u64().unwrap(), e["column"].as_str().unwrap()))
            .collect();
        assert_eq!(
            errors,
            [(4, "Họ và tên"), (5, "Năm sinh"), (6, "Đơn vị"), (7, "Họ và tên")]
        );
        assert!(
            j["preview"]["errors"][3]["reason"]
                .as_str()
                .unwrap()
                .contains("trùng với dòng 2")
        );
        assert!(t.store.roster_people(&t.plan_id, None, None).await.unwrap().is_empty());

        let (_, j) = upload(&t, &c, "youth_members", "save=true", csv.as_bytes().to_vec()).await;
        assert_eq!(j["saved"]["created"], 3, "{j}");
        let people = t
            .store
            .roster_people(&t.plan_id, Some("youth_members"), None)
            .await
            .unwrap();
        assert!(people.iter().any(|p| p.full_name == "Vũ Thị Em"), "NFC on every cell");
        // Re-import an updated file: same people updated, none duplicated; the missing one leaves.
        let csv2 =
            "Họ và tên;Năm sinh;Đơn vị\nNguyễn Văn Ánh;2001;Thôn mẫu 1 (dữ liệu mẫu)\nTrần thị Bích;2003;thon-mau-2\n";
        let (_, j) = upload(
            &t,
            &c,
            "youth_members",
            "save=true&mark_missing_left=true",
            csv2.as_bytes().to_vec(),
        )
        .await;
        assert_eq!(
            (
                j["saved"]["created"].as_u64(),
                j["saved"]["updated"].as_u64(),
                j["saved"]["unchanged"].as_u64(),
                j["saved"]["left"].as_u64()
            ),
            (Some(0), Some(1), Some(1), Some(0)),
            "{j}"
        );
        let people = t
            .store
            .roster_people(&t.plan_id, Some("youth_members"), None)
            .await
            .unwrap();
        assert_eq!(people.len(), 3, "{}: no duplicates", t.backend);
        assert!(
            people.iter().any(|p| p.full_name == "Trần thị Bích"),
            "the new spelling is kept"
        );
        // Diacritic-insensitive search.
        let (s, found) = t
            .api("GET", "/api/v1/people?q=nguyen%20van%20anh", Some(&c), json!(null))
            .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(found.as_array().unwrap().len(), 1);
        assert_eq!(found[0]["full_name"], "Nguyễn Văn Ánh");
        let (_, found) = t.api("GET", "/api/v1/people?q=BICH", Some(&c), json!(null)).await;
        assert_eq!(found[0]["full_name"], "Trần thị Bích");
        t.store.close().await;
    }
}

#[tokio::test]
async fn xlsx_rosters_templates_and_bad_files() {
    let t = TestApp::all().await.remove(0);
    let c = t.coordinator().await;
    let school = t.unit_by_slug("th-trung-lap").await;
    t.store
        .add_class(&t.plan_id, &school.id, "5A", Some(30), 0)
        .await
        .unwrap();
    // The template downloads and has the pupils' columns.
    let req = Request::get("/api/v1/rosters/pupils/template?format=xlsx")
        .header(header::HOST, "kehoach.test")
        .header(header::COOKIE, &c.cookie)
        .body(Body::empty())
        .unwrap();
    let resp = tower::ServiceExt::oneshot(t.router.clone(), req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert!(bytes.starts_with(b"PK"));
    // Fill a workbook as a school would.
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (i, h) in ["Họ và tên", "Năm sinh", "Đơn vị", "Lớp"].iter().enumerate() {
        ws.write_string(0, i as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "Đặng Minh Khôi").unwrap();
    ws.write_number(1, 1, 2015.0).unwrap();
    ws.write_string(1, 2, "Trường Tiểu học Trung Lập").unwrap();
    ws.write_string(1, 3, "5a").unwrap();
    ws.write_string(2, 0, "Hoàng Gia Linh").unwrap();
    ws.write_number(2, 1, 2015.0).unwrap();
    ws.write_string(2, 2, "Trường Tiểu học Trung Lập").unwrap();
    ws.write_string(2, 3, "9Z").unwrap();
    let (s, j) = upload(&t, &c, "pupils", "save=true", wb.save_to_buffer().unwrap()).await;
    assert_eq!(s, StatusCode::OK, "{j}");
    assert_eq!(j["saved"]["created"], 1);
    assert_eq!(j["preview"]["errors"][0]["column"], "Lớp");
    assert!(
        j["preview"]["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("không có lớp “9Z”")
    );
    // Not a spreadsheet; an empty file; columns missing.
    let (s, j) = upload(&t, &c, "pupils", "", b"\x89PNG\r\n\x1a\n\0\0\0binary".to_vec()).await;
    assert_eq!(
        (s, j["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("file_not_spreadsheet"))
    );
    let (s, j) = upload(&t, &c, "pupils", "", b"Ten lop,Si so\n5A,30\n".to_vec()).await;
    assert_eq!(
        (s, j["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("file_columns_missing"))
    );
    let (s, _) = upload(&t, &c, "cats", "", b"x".to_vec()).await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    // A reporter imports for its own unit only.
    let village = t.unit_by_slug("thon-mau-1").await;
    let rep = t.user("bcv.thon", Role::UnitReporter, Some(&village.id)).await;
    let (s, j) = upload(
        &t,
        &rep,
        "children",
        "save=true",
        "Họ và tên,Năm sinh\nMai Anh Thư,2012\n".as_bytes().to_vec(),
    )
    .await;
    assert_eq!((s, j["saved"]["created"].as_u64()), (StatusCode::OK, Some(1)), "{j}");
    let (s, j) = upload(
        &t,
        &rep,
        "children",
        "save=true",
        "Họ và tên,Năm sinh,Đơn vị\nBùi Văn Tâm,2012,thon-mau-2\n"
            .as_bytes()
            .to_vec(),
    )
    .await;
    assert_eq!((s, j["saved"]["created"].as_u64()), (StatusCode::OK, Some(0)), "{j}");
    assert!(
        j["preview"]["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("chỉ nhập cho")
    );
    let (s, _) = upload(
        &t,
        &rep,
        "children",
        "save=true&unit_id=".to_string().as_str(),
        b"x".to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let other = t.unit_by_slug("thon-mau-2").await;
    let (s, _) = upload(
        &t,
        &rep,
        "children",
        &format!("save=true&unit_id={}", other.id),
        "Họ và tên\nA B\n".as_bytes().to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

fn session_json(id: &str, line: &str, unit: &str, kind: &str, status: &str, day: &str) -> Value {
    json!({"id": id, "line_id": line, "unit_id": unit, "kind": kind, "status": status, "day": day})
}

#[tokio::test]
async fn sessions_and_attendance_count_each_person_once() {
    for t in TestApp::all().await {
        let c = t.coordinator().await;
        let village = t.unit_by_slug("thon-mau-1").await;
        let school = t.unit_by_slug("th-trung-lap").await;
        let rep = t.user("bcv.thon", Role::UnitReporter, Some(&village.id)).await;
        let vol = t.user("tnv", Role::Volunteer, Some(&village.id)).await;
        let id = uuid::Uuid::now_v7().to_string();
        let mut body = session_json(
            &id,
            "l4-binh-dan-hoc-vu-so",
            &village.id,
            "guidance",
            "held",
            "2026-07-10",
        );
        body["topics"] = json!(["Hỗ trợ người cao tuổi tiếp cận các dịch vụ số."]);
        body["start_time"] = json!("08:00");
        body["end_time"] = json!("10:30");
        body["headcount"] = json!(42);
        let (s, j) = t.api("POST", "/api/v1/sessions", Some(&rep), body.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{} {j}", t.backend);
        let (s, _) = t.api("POST", "/api/v1/sessions", Some(&rep), body.clone()).await;
        assert_eq!(s, StatusCode::OK, "the same id again: stored once");
        // Refusals, each naming its field.
        let cases = [
            (
                session_json(
                    &uuid::Uuid::now_v7().to_string(),
                    "l4-binh-dan-hoc-vu-so",
                    &village.id,
                    "guidance",
                    "held",
                    "2026-08-10",
                ),
                "day_outside_window",
            ),
            (
                session_json(
                    &uuid::Uuid::now_v7().to_string(),
                    "l6-smart-classroom",
                    &school.id,
                    "experience",
                    "planned",
                    "2026-07-10",
                ),
                "class_required",
            ),
            (
                session_json(
                    &uuid::Uuid::now_v7().to_string(),
                    "l4-binh-dan-hoc-vu-so",
                    &village.id,
                    "training",
                    "held",
                    "2026-07-10",
                ),
                "kind_not_in_line",
            ),
            (
                json!({"id": uuid::Uuid::now_v7().to_string(), "line_id": "l4-binh-dan-hoc-vu-so", "unit_id": village.id, "kind": "guidance", "status": "held", "day": "2026-07-10", "topics": ["Nhảy dây"]}),
                "topic_unknown",
            ),
            (
                json!({"id": uuid::Uuid::now_v7().to_string(), "line_id": "l4-binh-dan-hoc-vu-so", "unit_id": village.id, "kind": "guidance", "status": "held", "day": "2026-07-10", "start_time": "9h"}),
                "time_invalid",
            ),
        ];
        for (b, code) in cases {
            let (s, j) = t.api("POST", "/api/v1/sessions", Some(&c), b).await;
            assert_eq!(
                (s, j["error"]["code"].as_str()),
                (StatusCode::UNPROCESSABLE_ENTITY, Some(code)),
                "{}",
                t.backend
            );
        }
        let (s, _) = t
            .api(
                "POST",
                "/api/v1/sessions",
                Some(&vol),
                session_json(
                    &uuid::Uuid::now_v7().to_string(),
                    "l4-binh-dan-hoc-vu-so",
                    &village.id,
                    "guidance",
                    "held",
                    "2026-07-11",
                ),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "a volunteer records turns and nothing else");
        let other = t.unit_by_slug("thon-mau-2").await;
        let (s, _) = t
            .api(
                "POST",
                "/api/v1/sessions",
                Some(&rep),
                session_json(
                    &uuid::Uuid::now_v7().to_string(),
                    "l4-binh-dan-hoc-vu-so",
                    &other.id,
                    "guidance",
                    "held",
                    "2026-07-11",
                ),
            )
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "a reporter records for its own unit only");

        // Attendance: by search result and by card; twice is once.
        let anh = testing::person("Nguyễn Văn Ánh", 2012, &village.id);
        let person = testing::add_person(&t.store, &t.plan_id, "children", anh, &c.user_id).await;
        let (s, j) = t
            .api(
                "POST",
                &format!("/api/v1/sessions/{id}/attendance"),
                Some(&rep),
                json!({"person_id": person.id}),
            )
            .await;
        assert_eq!((s, j["new"].as_bool()), (StatusCode::OK, Some(true)), "{j}");
        let (_, j) = t
            .api(
                "POST",
                &format!("/api/v1/sessions/{id}/attendance"),
                Some(&rep),
                json!({"card_code": person.card_code.to_lowercase()}),
            )
            .await;
        assert_eq!(j["new"], false, "the same person by QR card: still one attendance");
        let (_, list) = t
            .api(
                "GET",
                &format!("/api/v1/sessions/{id}/attendance"),
                Some(&rep),
                json!(null),
            )
            .await;
        assert_eq!(list.as_array().unwrap().len(), 1);
        let (_, page) = t.get("/buoi", Some(&rep)).await;
        assert!(
            page.contains(&format!("<a href=\"/buoi/{id}\">1</a>")),
            "the list shows one attendance"
        );
        let (s, j) = t
            .api(
                "POST",
                &format!("/api/v1/sessions/{id}/attendance"),
                Some(&rep),
                json!({"card_code": "KHONGCO"}),
            )
            .await;
        assert_eq!(
            (s, j["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("card_unknown"))
        );
        // A planned session takes no attendance until it is held.
        let planned = uuid::Uuid::now_v7().to_string();
        t.api(
            "POST",
            "/api/v1/sessions",
            Some(&rep),
            session_json(
                &planned,
                "l4-binh-dan-hoc-vu-so",
                &village.id,
                "guidance",
                "planned",
                "2026-07-20",
            ),
        )
        .await;
        let (s, j) = t
            .api(
                "POST",
                &format!("/api/v1/sessions/{planned}/attendance"),
                Some(&rep),
                json!({"person_id": person.id}),
            )
            .await;
        assert_eq!(
            (s, j["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("session_not_held"))
        );
        let (s, j) = t
            .api(
                "POST",
                &format!("/api/v1/sessions/{planned}/status"),
                Some(&rep),
                json!({"status": "held", "headcount": 15}),
            )
            .await;
        assert_eq!(
            (s, j["status"].as_str(), j["headcount"].as_i64()),
            (StatusCode::OK, Some("held"), Some(15)),
            "{j}"
        );
        // Leaving the roster keeps the history.
        let (s, _) = t
            .api(
                "PATCH",
                &format!("/api/v1/people/{}", person.id),
                Some(&rep),
                json!({"active": false}),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let (_, list) = t
            .api(
                "GET",
                &format!("/api/v1/sessions/{id}/attendance"),
                Some(&rep),
                json!(null),
            )
            .await;
        assert_eq!(list.as_array().unwrap().len(), 1, "history kept");
        // Delete needs a reason; a deleted session leaves the list; the change is logged.
        let (s, _) = t
            .api("DELETE", &format!("/api/v1/sessions/{planned}"), Some(&rep), json!({}))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let (s, _) = t
            .api(
                "DELETE",
                &format!("/api/v1/sessions/{planned}"),
                Some(&rep),
                json!({"reason": "Ghi trùng"}),
            )
            .await;
        assert_eq!(s, StatusCode::OK);
        let (_, list) = t.api("GET", "/api/v1/sessions", Some(&rep), json!(null)).await;
        assert_eq!(list.as_array().unwrap().len(), 1, "{}", t.backend);
        let log = t.store.audit(&t.plan_id, Some(&village.id), 20).await.unwrap();
        let actions: Vec<(&str, &str)> = log.iter().map(|a| (a.entity.as_str(), a.action.as_str())).collect();
        assert!(
            actions.contains(&("session", "delete"))
                && actions.contains(&("session", "update"))
                && actions.contains(&("roster_person", "leave")),
            "{actions:?}"
        );
        t.store.close().await;
    }
}

/// Renders page 1 of a PDF with poppler's pdftoppm and decodes every QR code on it.
fn qr_codes_in_pdf(pdf: &[u8]) -> Vec<String> {
    let dir = std::env::temp_dir().join(format!("kh-cards-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    let pdf_path = dir.join("cards.pdf");
    std::fs::write(&pdf_path, pdf).unwrap();
    let out = std::process::Command::new("pdftoppm")
        .args(["-png", "-gray", "-r", "150", "-f", "1", "-l", "1"])
        .arg(&pdf_path)
        .arg(dir.join("page"))
        .output()
        .expect("pdftoppm (poppler-utils) is installed by scripts/test");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let png_path = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "png"))
        .unwrap();
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(png_path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let (w, h) = (info.width as usize, info.height as usize);
    let channels = info.line_size / w;
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w, h, |x, y| buf[y * info.line_size + x * channels]);
    img.detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect()
}

#[tokio::test]
async fn qr_card_round_trip_counts_one_attendance() {
    let t = TestApp::all().await.remove(0);
    let c = t.coordinator().await;
    let village = t.unit_by_slug("thon-mau-1").await;
    let names = ["Nguyễn Văn Ánh", "Trần Thị Bích Ngọc", "Đặng Văn Ứng"];
    let rows: Vec<_> = names.iter().map(|n| testing::person(n, 2011, &village.id)).collect();
    t.store
        .import_roster(&t.plan_id, "children", &rows, false, &c.user_id, 0)
        .await
        .unwrap();
    let people = t.store.roster_people(&t.plan_id, Some("children"), None).await.unwrap();

    let req = Request::get(format!("/api/v1/rosters/children/cards.pdf?unit_id={}", village.id))
        .header(header::HOST, "kehoach.test")
        .header(header::COOKIE, &c.cookie)
        .body(Body::empty())
        .unwrap();
    let resp = tower::ServiceExt::oneshot(t.router.clone(), req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let pdf = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert!(pdf.starts_with(b"%PDF"));
    let mut codes = qr_codes_in_pdf(&pdf);
    codes.sort();
    let mut expected: Vec<String> = people.iter().map(|p| p.card_code.clone()).collect();
    expected.sort();
    assert_eq!(codes, expected, "every card's QR decodes to its person's code");
    // The names are real text in the PDF (embedded font with Vietnamese).
    let dir = std::env::temp_dir().join(format!("kh-cards-text-{}", uuid::Uuid::now_v7()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("c.pdf"), &pdf).unwrap();
    let text = std::process::Command::new("pdftotext")
        .arg(dir.join("c.pdf"))
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    for n in names {
        assert!(text.contains(n), "{n} missing from the PDF text: {text}");
    }

    // Scan: the decoded code checks the person in; a second scan does not count twice.
    let id = uuid::Uuid::now_v7().to_string();
    let (s, _) = t
        .api(
            "POST",
            "/api/v1/sessions",
            Some(&c),
            session_json(
                &id,
                "l4-binh-dan-hoc-vu-so",
                &village.id,
                "guidance",
                "held",
                "2026-07-10",
            ),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (_, first) = t
        .api(
            "POST",
            &format!("/api/v1/sessions/{id}/attendance"),
            Some(&c),
            json!({"card_code": codes[0]}),
        )
        .await;
    assert_eq!(first["new"], true, "{first}");
    let (_, second) = t
        .api(
            "POST",
            &format!("/api/v1/sessions/{id}/attendance"),
            Some(&c),
            json!({"card_code": codes[0]}),
        )
        .await;
    assert_eq!(second["new"], false);
    let (_, list) = t
        .api(
            "GET",
            &format!("/api/v1/sessions/{id}/attendance"),
            Some(&c),
            json!(null),
        )
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["method"], "qr");
}

fn tiny_png() -> Vec<u8> {
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, 2, 2);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        enc.write_header().unwrap().write_image_data(&[0, 255, 255, 0]).unwrap();
    }
    out
}

#[tokio::test]
async fn session_photos_are_checked_and_limited() {
    let t = TestApp::all().await.remove(0);
    let village = t.unit_by_slug("thon-mau-1").await;
    let rep = t.user("bcv.thon", Role::UnitReporter, Some(&village.id)).await;
    let other = t
        .user(
            "bcv.khac",
            Role::UnitReporter,
            Some(&t.unit_by_slug("thon-mau-2").await.id),
        )
        .await;
    let id = uuid::Uuid::now_v7().to_string();
    t.api(
        "POST",
        "/api/v1/sessions",
        Some(&rep),
        session_json(
            &id,
            "l4-binh-dan-hoc-vu-so",
            &village.id,
            "guidance",
            "held",
            "2026-07-10",
        ),
    )
    .await;
    let path = format!("/api/v1/sessions/{id}/photos");
    let (s, j) = t.raw(&path, Some(&rep), b"GIF89a not really".to_vec()).await;
    assert_eq!(
        (s, j["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("photo_not_image"))
    );
    let mut big = tiny_png();
    big.resize(3 * 1024 * 1024, 0);
    let (s, j) = t.raw(&path, Some(&rep), big).await;
    assert_eq!(
        (s, j["error"]["code"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("photo_too_large")),
        "{j}"
    );
    let (s, _) = t.raw(&path, Some(&other), tiny_png()).await;
    assert_eq!(s, StatusCode::FORBIDDEN, "another unit's reporter");
    for _ in 0..5 {
        let (s, j) = t.raw(&path, Some(&rep), tiny_png()).await;
        assert_eq!(s, StatusCode::CREATED, "{j}");
    }
    let (s, j) = t.raw(&path, Some(&rep), tiny_png()).await;
    assert_eq!(
        (s, j["error"]["code"].as_str()),
        (StatusCode::CONFLICT, Some("too_many_photos"))
    );
    let photos = t.store.session_photos(&id).await.unwrap();
    assert_eq!(photos.len(), 5);
    let (s, body) = t
        .get(&format!("/api/v1/sessions/{id}/photos/{}", photos[0].id), Some(&rep))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert!(!body.is_empty());
}

#[tokio::test]
async fn an_account_links_to_one_youth_member() {
    for t in TestApp::all().await {
        let c = t.coordinator().await;
        let village = t.unit_by_slug("thon-mau-1").await;
        let union = t.unit_by_slug("doan-tn").await;
        let v1 = t.user("tnv1", Role::Volunteer, Some(&union.id)).await;
        let v2 = t.user("tnv2", Role::Volunteer, Some(&union.id)).await;
        let row = |n: &str| testing::person(n, 2000, &village.id);
        let member = testing::add_person(&t.store, &t.plan_id, "youth_members", row("Trần Văn An"), &c.user_id).await;
        let child = testing::add_person(&t.store, &t.plan_id, "children", row("Lê Bé Na"), &c.user_id).await;
        let path = |u: &str| format!("/api/v1/users/{u}/person");
        let (s, _) = t
            .api("PUT", &path(&v1.user_id), Some(&c), json!({"person_id": member.id}))
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT, "{}", t.backend);
        let (s, j) = t
            .api("PUT", &path(&v2.user_id), Some(&c), json!({"person_id": member.id}))
            .await;
        assert_eq!(
            (s, j["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("person_already_linked")),
            "{}",
            t.backend
        );
        let (s, j) = t
            .api("PUT", &path(&v2.user_id), Some(&c), json!({"person_id": child.id}))
            .await;
        assert_eq!(
            (s, j["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("person_not_member"))
        );
        let (s, _) = t
            .api("PUT", &path(&v2.user_id), Some(&v1), json!({"person_id": null}))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN);
        assert_eq!(
            t.store.user_people(&t.plan_id).await.unwrap(),
            vec![(v1.user_id.clone(), member.id.clone())]
        );
        t.store.close().await;
    }
}
