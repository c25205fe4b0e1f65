//! Contests 7.1 and 7.2 on SQLite and PostgreSQL: the entry window in
//! Vietnam time, retries and duplicates, T8 from rostered entrants, blind
//! judging, recusal, score ranges, the rubric frozen once scored, ranking,
//! lock, prizes, publication, the certificate, and who may do what on
//! every contest write route.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Session, TestApp};
use kehoach_core::contest::vn_midnight;
use kehoach_core::{Day, seed_plan};
use kehoach_store::Role;
use kehoach_store::testing;
use kehoach_web::AppState;
use kehoach_web::contests::{EntryInput, submit};
use serde_json::json;

const IDEAS: &str = "l7-1-ideas";

fn state(t: &TestApp) -> AppState {
    t.state()
}

fn entry(title: &str, name: &str, contact: &str) -> EntryInput {
    EntryInput {
        id: uuid::Uuid::now_v7().to_string(),
        title: title.into(),
        description: "Ứng dụng nhắc lịch tiêm chủng cho người cao tuổi qua Zalo.".into(),
        entrant_kind: "individual".into(),
        entrant_name: name.into(),
        contact: contact.into(),
        link: "https://drive.google.com/file/d/abc/view".into(),
        consent: true,
        ..Default::default()
    }
}

fn vn(y: i32, m: u8, d: u8) -> Day {
    Day::from_ymd(y, m, d).unwrap()
}

#[tokio::test]
async fn entries_are_taken_until_23_59_vietnam_time_on_the_last_day() {
    for t in TestApp::all().await {
        let b = t.backend;
        let st = state(&t);
        // 15/08/2026 23:59 in Vietnam (16:59 UTC) is inside; 16/08 00:00 is not.
        let last_minute = vn_midnight(vn(2026, 8, 16)) - 60;
        let first = entry("Sổ tay số", "Phạm Minh Khôi", "0912 345 678");
        let form_key = first.id.clone();
        let (row, created) = submit(&st, IDEAS, first, last_minute, "a").await.unwrap();
        assert!(created, "{b}");
        assert_eq!(row.submitted_day, "2026-08-15", "{b}: the Vietnam day, not the UTC one");
        assert_eq!(row.number, 1);
        let late = submit(
            &st,
            IDEAS,
            entry("Bài nộp muộn", "Phạm Minh Khôi", "0912345678"),
            vn_midnight(vn(2026, 8, 16)),
            "a",
        )
        .await
        .unwrap_err();
        assert_eq!(late.code.as_str(), "entries_closed", "{b}");
        assert!(late.message.contains("23:59 ngày 15/08/2026"), "{b}: {}", late.message);
        let early = submit(
            &st,
            IDEAS,
            entry("Bài nộp sớm", "Phạm Minh Khôi", "0912345678"),
            vn_midnight(vn(2026, 8, 1)) - 1,
            "a",
        )
        .await
        .unwrap_err();
        assert_eq!(early.code.as_str(), "entries_not_open", "{b}");
        assert!(early.message.contains("00:00 ngày 01/08/2026"), "{b}");

        // A retry of the stored entry (the same form key), even after the
        // close, gets the same receipt and stores nothing.
        let mut again = entry("Sổ tay số", "Phạm Minh Khôi", "0912345678");
        again.id = form_key.clone();
        let (same, created) = submit(&st, IDEAS, again, vn_midnight(vn(2026, 8, 20)), "a")
            .await
            .unwrap();
        assert!(!created, "{b}");
        assert_eq!(same.receipt, row.receipt, "{b}");
        // The entry's public id (certificate links, the judges' page) is not
        // its form key: sent as one, it reaches nobody's receipt.
        assert_ne!(row.id, form_key, "{b}");
        let mut stranger = entry("Bài khác", "Người lạ", "0987654321");
        stranger.id = row.id.clone();
        let refused = submit(&st, IDEAS, stranger, vn_midnight(vn(2026, 8, 20)), "b")
            .await
            .unwrap_err();
        assert_eq!(
            refused.code.as_str(),
            "entries_closed",
            "{b}: treated as a new entry, not a retry"
        );

        // The same entrant (name and phone, however typed) with the same title: flagged as a duplicate.
        let noon = vn_midnight(vn(2026, 8, 10)) + 12 * 3600;
        let (dup, _) = submit(
            &st,
            IDEAS,
            entry("SỔ TAY SỐ", "pham minh khoi", "0912.345.678"),
            noon,
            "a",
        )
        .await
        .unwrap();
        assert_eq!(dup.duplicate_of.as_deref(), Some(row.id.as_str()), "{b}");
        assert_eq!(dup.number, 2, "{b}");
        let (other, _) = submit(&st, IDEAS, entry("Sổ tay số", "Lê Thu Hà", "0987654321"), noon, "a")
            .await
            .unwrap();
        assert_eq!(other.duplicate_of, None, "{b}: another entrant");

        // Bad input: each refused with its field; nothing stored.
        let before = t.store.entries(&t.plan_id, IDEAS).await.unwrap().len();
        let cases: Vec<(EntryInput, &str)> = vec![
            (
                EntryInput {
                    title: " ".into(),
                    ..entry("x", "A", "0912345678")
                },
                "entry_title_invalid",
            ),
            (
                EntryInput {
                    contact: "gọi tôi".into(),
                    ..entry("x", "A", "0912345678")
                },
                "contact_invalid",
            ),
            (
                EntryInput {
                    consent: false,
                    ..entry("x", "A", "0912345678")
                },
                "consent_required",
            ),
            (
                EntryInput {
                    link: String::new(),
                    ..entry("x", "A", "0912345678")
                },
                "entry_work_required",
            ),
            (
                EntryInput {
                    link: String::new(),
                    file: Some(("bai.exe".into(), b"MZ\x90\x00".to_vec())),
                    ..entry("x", "A", "0912345678")
                },
                "entry_file_unsupported",
            ),
            (
                EntryInput {
                    link: String::new(),
                    file: Some((
                        "bai.pdf".into(),
                        [b"%PDF-1.7".as_slice(), &vec![0u8; 10 * 1024 * 1024]].concat(),
                    )),
                    ..entry("x", "A", "0912345678")
                },
                "entry_file_too_large",
            ),
            (
                EntryInput {
                    card_codes: "KHONG-CO".into(),
                    ..entry("x", "A", "0912345678")
                },
                "card_unknown",
            ),
        ];
        for (input, code) in cases {
            let e = submit(&st, IDEAS, input, noon, "b").await.unwrap_err();
            assert_eq!(e.code.as_str(), code, "{b}");
        }
        // 7.2 takes videos by link only.
        let mut video = entry("Vĩnh Thịnh quê tôi", "Đoàn trường", "0912345678");
        video.category = "Sản phẩm OCOP".into();
        video.link = String::new();
        video.file = Some(("phim.pdf".into(), b"%PDF-1.7".to_vec()));
        let e = submit(&st, "l7-2-videos", video, noon, "b").await.unwrap_err();
        assert_eq!(e.code.as_str(), "video_link_required", "{b}");
        assert_eq!(t.store.entries(&t.plan_id, IDEAS).await.unwrap().len(), before, "{b}");

        // The abuse limit: an address sends at most ENTRIES_PER_HOUR entries an hour.
        for n in 0..kehoach_web::contests::ENTRIES_PER_HOUR {
            submit(
                &st,
                IDEAS,
                entry(&format!("Bài {n}"), "Nguyễn Văn B", "0911111111"),
                noon,
                "c",
            )
            .await
            .unwrap();
        }
        let e = submit(
            &st,
            IDEAS,
            entry("Một bài nữa", "Nguyễn Văn B", "0911111111"),
            noon,
            "c",
        )
        .await
        .unwrap_err();
        assert_eq!(e.code.as_str(), "entries_rate_limited", "{b}");
        assert_eq!(e.status, StatusCode::TOO_MANY_REQUESTS, "{b}");
        t.store.close().await;
    }
}

#[tokio::test]
async fn a_rostered_childs_entry_counts_for_t8_and_leaves_it_when_withdrawn() {
    for t in TestApp::all().await {
        let b = t.backend;
        let st = state(&t);
        let village = t.unit_by_slug("thon-mau-1").await;
        let setup = t.user("thietlap", Role::Coordinator, None).await;
        let child = testing::add_person(
            &t.store,
            &t.plan_id,
            "children",
            testing::person("Vũ Gia Bảo", 2013, &village.id),
            &setup.user_id,
        )
        .await;
        let t8 = |board: &serde_json::Value| {
            board["targets"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["id"] == "T8")
                .unwrap()["value"]
                .as_f64()
                .unwrap()
        };
        let (_, before) = t
            .api("GET", "/api/v1/board?as_of=2026-08-31", Some(&setup), json!(null))
            .await;
        assert_eq!(t8(&before), 0.0, "{b}");
        let mut e = entry("Robot tưới rau", "Vũ Gia Bảo", "0912000111");
        e.card_codes = child.card_code.clone();
        let (row, _) = submit(&st, IDEAS, e, vn_midnight(vn(2026, 8, 5)) + 3600, "x")
            .await
            .unwrap();
        let (_, after) = t
            .api("GET", "/api/v1/board?as_of=2026-08-31", Some(&setup), json!(null))
            .await;
        assert_eq!(t8(&after), 100.0, "{b}: the only child on the roster took part");
        let (_, earlier) = t
            .api("GET", "/api/v1/board?as_of=2026-08-04", Some(&setup), json!(null))
            .await;
        assert_eq!(t8(&earlier), 0.0, "{b}: counted from the entry's day");
        // Maintained aggregates equal a rebuild, and the engine over raw records agrees.
        t.aggregates_equal_a_rebuild().await;
        let plan = seed_plan();
        let records = t.store.records(&t.plan_id).await.unwrap();
        let naive = kehoach_core::engine::Facts::from_records(&plan, &records);
        let fast = t.store.facts(&plan, vn(2026, 8, 31)).await.unwrap();
        assert_eq!(naive.reach, fast.reach, "{b}");
        // Withdrawn (inside the window): no longer counted.
        kehoach_web::contests::withdraw(&st, &row.receipt, vn_midnight(vn(2026, 8, 6)))
            .await
            .unwrap();
        let (_, gone) = t
            .api("GET", "/api/v1/board?as_of=2026-08-31", Some(&setup), json!(null))
            .await;
        assert_eq!(t8(&gone), 0.0, "{b}");
        t.aggregates_equal_a_rebuild().await;
        t.store.close().await;
    }
}

/// The public form, posted without a session: status, redirect, page.
async fn post_entry(
    t: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &[u8])>,
) -> (StatusCode, String, String) {
    let (st, headers, body) = t.multipart(path, None, fields, file).await;
    let location = headers
        .into_iter()
        .find(|(k, _)| k == "location")
        .map(|(_, v)| v)
        .unwrap_or_default();
    (st, location, body)
}

/// Opens 7.1's window around today so the public form takes entries.
async fn open_window(t: &TestApp, coord: &Session) {
    let today = t.clock.today();
    let (st, body) = t
        .api(
            "PUT",
            "/api/v1/contests/l7-1-ideas",
            Some(coord),
            json!({"name": "Cuộc thi “Ý tưởng sáng tạo cùng chuyển đổi số”", "entries_from": today.plus(-3).vn(),
                "entries_to": today.plus(5).vn(), "awards_by": today.plus(9).vn(), "categories": [],
                "eligibility": "Thanh thiếu nhi, đoàn viên và Nhân dân trên địa bàn xã.",
                "prizes": ["Giải Nhất", "Giải Nhì", "Giải Ba"]}),
        )
        .await;
    assert_eq!(st, StatusCode::NO_CONTENT, "{body}");
}

#[tokio::test]
async fn judging_is_blind_fair_and_ends_in_published_results() {
    for t in TestApp::all().await {
        let b = t.backend;
        let school = t.unit_by_slug("th-trung-lap").await;
        let coord = t.coordinator().await;
        let j1 = t.user("giamkhao1", Role::Judge, None).await;
        let j2 = t.user("giamkhao2", Role::Judge, None).await;
        let j3 = t.user("giamkhao3", Role::Judge, None).await;
        open_window(&t, &coord).await;
        let page = "/cong-khai/cuoc-thi/l7-1-ideas";
        let (st, html) = t.get(page, None).await;
        assert_eq!(st, StatusCode::OK, "{b}");
        assert!(
            html.contains("Gửi bài dự thi") && html.contains("Tính sáng tạo (30%)"),
            "{b}"
        );
        // Three entries from the public form; one with a PDF.
        let people = [
            ("Hệ thống tưới thông minh", "Nguyễn Thị Mai Anh", "0912345001", "lớp 5A"),
            ("Bản đồ số di tích", "Trần Quốc Việt", "viet.tran@example.vn", "lớp 9B"),
            ("Chợ quê trực tuyến", "Nhóm Ong Vàng", "0912345003", "chi đoàn thôn"),
        ];
        let mut receipts = Vec::new();
        for (n, (title, name, contact, aff)) in people.iter().enumerate() {
            let id = uuid::Uuid::now_v7().to_string();
            let fields = [
                ("id", id.as_str()),
                ("title", title),
                ("description", "Mô tả ý tưởng ứng dụng công nghệ số."),
                ("entrant_kind", if n == 2 { "group" } else { "individual" }),
                ("entrant_name", name),
                ("members", if n == 2 { "Lê An, Phạm Bình" } else { "" }),
                ("unit_id", school.id.as_str()),
                ("affiliation", aff),
                ("contact", contact),
                ("link", if n == 0 { "" } else { "https://drive.google.com/x" }),
                ("consent", "on"),
                ("website", ""),
            ];
            let file = (n == 0).then_some(("Y tuong cua Mai Anh.pdf", b"%PDF-1.4 test".as_slice()));
            let (st, location, body) = post_entry(&t, page, &fields, file).await;
            assert_eq!(st, StatusCode::SEE_OTHER, "{b}: {body}");
            assert!(location.starts_with("/cong-khai/bien-nhan/71-"), "{b}: {location}");
            // The retried post (same id) leads to the same receipt.
            let (_, again, _) = post_entry(&t, page, &fields, file).await;
            assert_eq!(again, location, "{b}");
            let (st, html) = t.get(&location, None).await;
            assert_eq!(st, StatusCode::OK, "{b}");
            assert!(html.contains(title) && html.contains("Đã nhận"), "{b}");
            receipts.push(location);
        }
        let entries = t.store.entries(&t.plan_id, IDEAS).await.unwrap();
        assert_eq!(entries.len(), 3, "{b}: retries stored nothing");
        let id = |n: usize| entries[n].id.clone();
        // A post from another site is refused.
        let req = Request::post(page)
            .header(header::HOST, "kehoach.test")
            .header(header::ORIGIN, "https://evil.example")
            .header(header::CONTENT_TYPE, "multipart/form-data; boundary=x")
            .body(Body::from("--x--\r\n"))
            .unwrap();
        assert_eq!(t.send(req).await.0, StatusCode::FORBIDDEN, "{b}");

        let (st, _) = t
            .api(
                "PUT",
                "/api/v1/contests/l7-1-ideas/judges",
                Some(&coord),
                json!({"judges": [j1.user_id, j2.user_id]}),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
        let (st, err) = t
            .api(
                "PUT",
                "/api/v1/contests/l7-1-ideas/judges",
                Some(&coord),
                json!({"judges": [coord.user_id]}),
            )
            .await;
        assert_eq!(err["error"]["code"], "judge_unknown", "{b}: {st}");

        // The judge's page: titles and descriptions, never who sent them.
        let (st, html) = t.get("/cham-thi/l7-1-ideas", Some(&j1)).await;
        assert_eq!(st, StatusCode::OK, "{b}");
        assert!(html.contains("Bản đồ số di tích") && html.contains("Bài số 3"), "{b}");
        for secret in [
            "Nguyễn Thị Mai Anh",
            "Trần Quốc Việt",
            "Nhóm Ong Vàng",
            "Lê An",
            "0912345001",
            "viet.tran@example.vn",
            "lớp 5A",
            "Trung Lập",
            "Mai Anh",
        ] {
            assert!(!html.contains(secret), "{b}: the judge's page shows “{secret}”");
        }
        let (st, headers, bytes) = t.get_bytes(&format!("/cuoc-thi/bai/{}/tep", id(0)), Some(&j1)).await;
        assert_eq!(st, StatusCode::OK, "{b}");
        assert!(bytes.starts_with(b"%PDF"), "{b}");
        let disposition = headers
            .iter()
            .find(|(k, _)| k == "content-disposition")
            .unwrap()
            .1
            .clone();
        assert_eq!(
            disposition, "attachment; filename=\"bai-1.pdf\"",
            "{b}: no entrant name in the file name"
        );
        let (st, _) = t.get("/cham-thi/l7-1-ideas", Some(&j3)).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{b}: not on this jury");

        let score = |a: f64, b2: f64, c: f64, d: f64| json!({"scores": {"sang-tao": a, "kha-thi": b2, "hieu-qua": c, "trinh-bay": d}, "comment": "Tốt"});
        let tr = &t;
        let put = |who: &Session, n: usize, body: serde_json::Value| {
            let path = format!("/api/v1/contests/l7-1-ideas/entries/{}/score", id(n));
            let who = who.clone();
            async move { tr.api("PUT", &path, Some(&who), body).await }
        };
        // j2 knows the first entrant: recused, cannot score it.
        let (st, _) = t
            .api(
                "POST",
                &format!("/api/v1/contests/l7-1-ideas/entries/{}/recusal", id(0)),
                Some(&j2),
                json!({"reason": "Là cô giáo chủ nhiệm của người dự thi"}),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
        let (st, err) = put(&j2, 0, score(5.0, 5.0, 5.0, 5.0)).await;
        assert_eq!(
            (st, err["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("judge_recused")),
            "{b}"
        );
        // Out of range, missing or unknown criteria: refused.
        for bad in [
            score(11.0, 5.0, 5.0, 5.0),
            score(-1.0, 5.0, 5.0, 5.0),
            json!({"scores": {"sang-tao": 5}}),
            json!({"scores": {"sang-tao": 5, "kha-thi": 5, "hieu-qua": 5, "trinh-bay": 5, "khac": 1}}),
        ] {
            let (st, _) = put(&j1, 1, bad).await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        }
        let (st, _) = put(&j3, 1, score(5.0, 5.0, 5.0, 5.0)).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{b}: a judge of no jury");
        let (st, _) = put(&coord, 1, score(5.0, 5.0, 5.0, 5.0)).await;
        assert_eq!(
            st,
            StatusCode::FORBIDDEN,
            "{b}: the coordinator sees entrants and does not score"
        );
        // j1 lenient (90, 80, 70), j2 harsh (recused from 1; 40, 60): entry 3 passes entry 2.
        for (who, n, v) in [
            (&j1, 0, 9.0),
            (&j1, 1, 8.0),
            (&j1, 2, 7.0),
            (&j2, 1, 4.0),
            (&j2, 2, 6.0),
        ] {
            let (st, body) = put(who, n, score(v, v, v, v)).await;
            assert_eq!(st, StatusCode::NO_CONTENT, "{b}: {body}");
        }
        // The rubric is frozen once scored; the scores stay.
        let (st, err) = t
            .api(
                "PUT",
                "/api/v1/contests/l7-1-ideas/rubric",
                Some(&coord),
                json!({"criteria": [{"label": "Tính mới", "weight": 100, "max": 10}]}),
            )
            .await;
        assert_eq!(
            (st, err["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("rubric_locked")),
            "{b}"
        );
        assert_eq!(t.store.scores(&t.plan_id, IDEAS).await.unwrap().len(), 5, "{b}");

        let (st, ranking) = t
            .api("GET", "/api/v1/contests/l7-1-ideas/ranking", Some(&coord), json!(null))
            .await;
        assert_eq!(st, StatusCode::OK, "{b}");
        let view: Vec<(i64, Option<i64>, f64, f64)> = ranking
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["number"].as_i64().unwrap(),
                    r["rank"].as_i64(),
                    r["raw_mean"].as_f64().unwrap(),
                    r["normalised"].as_f64().unwrap(),
                )
            })
            .collect();
        // j1: mean 80, sd 8,164966; j2: mean 50, sd 10.
        // Entry 1: z 1,224745 (j1 only), raw 90. Entry 3: (−1,224745 + 1)/2 = −0,112372, raw 65.
        // Entry 2: (0 − 1)/2 = −0,5, raw 60.
        assert_eq!(
            view,
            vec![
                (1, Some(1), 90.0, 1.224745),
                (3, Some(2), 65.0, -0.112372),
                (2, Some(3), 60.0, -0.5)
            ],
            "{b}"
        );
        let (_, manage) = t.get("/cuoc-thi/l7-1-ideas", Some(&coord)).await;
        // Progress per judge: j1 scored all three, j2 the two it is not recused from.
        assert!(
            manage.contains("Người dùng giamkhao1 3/3; Người dùng giamkhao2 2/2"),
            "{b}: {manage}"
        );
        assert!(
            manage.contains("Nguyễn Thị Mai Anh") && manage.contains("0912345001"),
            "{b}: the organiser sees entrants"
        );

        // Prizes need locked scores; locked scores refuse new scores; publish; public results.
        let prize = |n: usize, p: &str| {
            let path = format!("/api/v1/contests/l7-1-ideas/entries/{}/prize", id(n));
            let p = p.to_string();
            let coord = coord.clone();
            async move { tr.api("PUT", &path, Some(&coord), json!({"prize": p})).await }
        };
        let (st, err) = prize(0, "Giải Nhất").await;
        assert_eq!(
            (st, err["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("scores_not_locked")),
            "{b}"
        );
        let (st, _) = t
            .api(
                "POST",
                "/api/v1/contests/l7-1-ideas/lock",
                Some(&coord),
                json!({"locked": true}),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
        let (st, err) = put(&j1, 2, score(1.0, 1.0, 1.0, 1.0)).await;
        assert_eq!(
            (st, err["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("scores_locked")),
            "{b}"
        );
        let (st, err) = prize(0, "Giải Đặc biệt").await;
        assert_eq!(
            (st, err["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("prize_unknown")),
            "{b}"
        );
        assert_eq!(prize(0, "Giải Nhất").await.0, StatusCode::NO_CONTENT, "{b}");
        assert_eq!(prize(2, "Giải Nhì").await.0, StatusCode::NO_CONTENT, "{b}");
        let (_, public_before) = t.get(page, None).await;
        assert!(
            !public_before.contains("Nguyễn Thị Mai Anh"),
            "{b}: no names before publication"
        );
        let (st, _) = t
            .api("POST", "/api/v1/contests/l7-1-ideas/publish", Some(&coord), json!(null))
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
        let (_, results) = t.get(page, None).await;
        assert!(
            results.contains("Nguyễn Thị Mai Anh") && results.contains("Giải Nhất"),
            "{b}"
        );
        assert!(results.contains("Nhóm Ong Vàng") && results.contains("Giải Nhì"), "{b}");
        assert!(!results.contains("Trần Quốc Việt"), "{b}: only winners are named");
        for private in ["0912345001", "viet.tran@example.vn", "0912345003"] {
            assert!(!results.contains(private), "{b}: contact {private} on the results page");
        }
        let (st, headers, pdf) = t
            .get_bytes(
                &format!("/cong-khai/cuoc-thi/l7-1-ideas/giay-chung-nhan/{}.pdf", id(0)),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{b}");
        assert!(pdf.starts_with(b"%PDF"), "{b}");
        assert!(
            headers
                .iter()
                .any(|(k, v)| k == "content-type" && v == "application/pdf"),
            "{b}"
        );
        let (st, _, _) = t
            .get_bytes(
                &format!("/cong-khai/cuoc-thi/l7-1-ideas/giay-chung-nhan/{}.pdf", id(1)),
                None,
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{b}: no certificate without a prize");
        let (_, receipt) = t.get(&receipts[0], None).await;
        assert!(receipt.contains("Đạt Giải Nhất"), "{b}");
        // The summary report names the winners in III.1 and proposes them in VI; the workbook has the entries.
        let today = t.clock.today();
        let report = t.summary_report(today, today).await;
        let paras: Vec<String> = report
            .blocks
            .iter()
            .filter_map(|x| match x {
                kehoach_core::report::Block::Para(p) => Some(p.clone()),
                _ => None,
            })
            .collect();
        assert!(
            paras.iter().any(|p| p.starts_with("7.1.")
                && p.contains("nhận 3 bài dự thi")
                && p.contains("Giải Nhất: Nguyễn Thị Mai Anh (Trường Tiểu học Trung Lập · lớp 5A)")),
            "{b}: {paras:#?}"
        );
        assert!(
            paras
                .iter()
                .any(|p| p.contains("Đề xuất khen thưởng các cá nhân, tập thể đạt giải 7.1.")
                    && p.contains("Giải Nhì: Nhóm Ong Vàng")),
            "{b}"
        );
        let sheets = t.export_sheets(today).await;
        let sheet = sheets.iter().find(|x| x.id == "bai-du-thi").unwrap();
        assert_eq!(sheet.rows.len(), 3, "{b}");
        let all: String = sheet
            .rows
            .iter()
            .flatten()
            .map(|c| c.text())
            .collect::<Vec<_>>()
            .join("|");
        assert!(all.contains("Nguyễn Thị Mai Anh") && all.contains("Giải Nhất"), "{b}");
        assert!(
            !all.contains("0912345001") && !all.contains("viet.tran@example.vn"),
            "{b}: no contacts exported"
        );
        // Published results are final.
        assert_eq!(prize(1, "Giải Ba").await.0, StatusCode::CONFLICT, "{b}");
        let (st, _) = t
            .api(
                "POST",
                "/api/v1/contests/l7-1-ideas/lock",
                Some(&coord),
                json!({"locked": false}),
            )
            .await;
        assert_eq!(st, StatusCode::CONFLICT, "{b}");
        t.store.close().await;
    }
}

#[tokio::test]
async fn entrants_replace_and_withdraw_with_their_receipt_while_the_window_is_open() {
    for t in TestApp::all().await {
        let b = t.backend;
        let coord = t.coordinator().await;
        open_window(&t, &coord).await;
        let page = "/cong-khai/cuoc-thi/l7-1-ideas";
        let id = uuid::Uuid::now_v7().to_string();
        let (st, location, _) = post_entry(
            &t,
            page,
            &[
                ("id", &id),
                ("title", "Ý tưởng ban đầu"),
                ("description", "Bản nháp"),
                ("entrant_name", "Đặng Thu Trang"),
                ("contact", "0933222111"),
                ("link", "https://example.vn/a"),
                ("consent", "on"),
            ],
            None,
        )
        .await;
        assert_eq!(st, StatusCode::SEE_OTHER, "{b}");
        let code = location
            .trim_start_matches("/cong-khai/bien-nhan/")
            .trim_end_matches("?moi=1")
            .to_string();
        // A form with a field missing is shown again with the reason, what was typed kept.
        let (st, _, html) = post_entry(
            &t,
            page,
            &[
                ("id", &uuid::Uuid::now_v7().to_string()),
                ("title", "Thiếu liên hệ"),
                ("description", "x"),
                ("entrant_name", "Đặng Thu Trang"),
                ("link", "https://example.vn/a"),
                ("consent", "on"),
            ],
            None,
        )
        .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(
            html.contains("Liên hệ: ghi số điện thoại") && html.contains("value=\"Thiếu liên hệ\""),
            "{b}"
        );
        let (st, _, _) = post_entry(
            &t,
            &format!("/cong-khai/bien-nhan/{code}/thay"),
            &[
                ("title", "Ý tưởng hoàn chỉnh"),
                ("description", "Bản cuối"),
                ("link", "https://example.vn/b"),
            ],
            None,
        )
        .await;
        assert_eq!(st, StatusCode::SEE_OTHER, "{b}");
        let e = t.store.entry_by_receipt(&t.plan_id, &code).await.unwrap().unwrap();
        assert_eq!(
            (e.title.as_str(), e.link.as_deref()),
            ("Ý tưởng hoàn chỉnh", Some("https://example.vn/b")),
            "{b}"
        );
        assert_eq!(e.number, 1, "{b}: replaced in place");
        let (st, _, html) = t.form(&format!("/cong-khai/bien-nhan/{code}/rut"), None, &[]).await;
        assert_eq!(st, StatusCode::OK, "{b}");
        assert!(html.contains("Đã rút"), "{b}");
        let (st, _, html) = t.form(&format!("/cong-khai/bien-nhan/{code}/rut"), None, &[]).await;
        assert_eq!(st, StatusCode::CONFLICT, "{b}: {html}");
        let (st, html) = t.get("/cong-khai/bien-nhan/71-KHONG-COMA", None).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(html.contains("không tìm thấy bài dự thi"), "{b}");
        t.store.close().await;
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Who {
    Anonymous,
    Coordinator,
    LeadReporter,
    OtherReporter,
    Volunteer,
    Judge,
    OtherJudge,
    Viewer,
}

/// Every contest write route (API and form), by every role: only the
/// contest's organisers run it, only its judges score, and a refusal
/// changes nothing.
#[tokio::test]
async fn every_contest_write_route_admits_only_its_roles() {
    for t in TestApp::all().await {
        let b = t.backend;
        let coord = t.coordinator().await;
        let vhxh = t.unit_by_slug("vhxh").await;
        let village = t.unit_by_slug("thon-mau-1").await;
        let union = t.unit_by_slug("doan-tn").await;
        let judge = t.user("giamkhao", Role::Judge, None).await;
        let sessions = vec![
            (Who::Anonymous, None),
            (Who::Coordinator, Some(coord.clone())),
            (
                Who::LeadReporter,
                Some(t.user("vhxh", Role::UnitReporter, Some(&vhxh.id)).await),
            ),
            (
                Who::OtherReporter,
                Some(t.user("thon", Role::UnitReporter, Some(&village.id)).await),
            ),
            (
                Who::Volunteer,
                Some(t.user("tnv", Role::Volunteer, Some(&union.id)).await),
            ),
            (Who::Judge, Some(judge.clone())),
            (Who::OtherJudge, Some(t.user("giamkhaokhac", Role::Judge, None).await)),
            (Who::Viewer, Some(t.user("xem", Role::Viewer, None).await)),
        ];
        open_window(&t, &coord).await;
        let st = state(&t);
        let mut with_file = entry("Bài thử quyền", "Hồ Văn Tâm", "0900000001");
        with_file.file = Some(("bai.pdf".into(), b"%PDF-1.4 thu".to_vec()));
        let (entry, _) = submit(&st, IDEAS, with_file, t.clock.now(), "r").await.unwrap();
        let (s, _) = t
            .api(
                "PUT",
                "/api/v1/contests/l7-1-ideas/judges",
                Some(&coord),
                json!({"judges": [judge.user_id]}),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let e = entry.id.clone();
        let organisers: &[Who] = &[Who::Coordinator, Who::LeadReporter];
        let jury: &[Who] = &[Who::Judge];
        let scores = json!({"scores": {"sang-tao": 5, "kha-thi": 5, "hieu-qua": 5, "trinh-bay": 5}});
        let settings = json!({"name": "Cuộc thi “Ý tưởng sáng tạo cùng chuyển đổi số”",
            "entries_from": t.clock.today().plus(-3).vn(), "entries_to": t.clock.today().plus(5).vn(),
            "categories": [], "eligibility": "", "prizes": ["Giải Nhất", "Giải Nhì"]});
        let base = "/api/v1/contests/l7-1-ideas".to_string();
        // (name, method, path, JSON body or form fields, allowed)
        type Case = (
            &'static str,
            &'static str,
            String,
            Option<serde_json::Value>,
            Vec<(String, String)>,
            &'static [Who],
        );
        let cases: Vec<Case> = vec![
            (
                "api settings",
                "PUT",
                base.clone(),
                Some(settings.clone()),
                vec![],
                organisers,
            ),
            (
                "api rubric",
                "PUT",
                format!("{base}/rubric"),
                Some(
                    json!({"criteria": [{"label": "Tính sáng tạo", "weight": 30, "max": 10}, {"label": "Tính khả thi", "weight": 25, "max": 10},
                    {"label": "Hiệu quả, khả năng ứng dụng", "weight": 30, "max": 10}, {"label": "Hình thức trình bày", "weight": 15, "max": 10}]}),
                ),
                vec![],
                organisers,
            ),
            (
                "api judges",
                "PUT",
                format!("{base}/judges"),
                Some(json!({"judges": [judge.user_id]})),
                vec![],
                organisers,
            ),
            (
                "api score",
                "PUT",
                format!("{base}/entries/{e}/score"),
                Some(scores.clone()),
                vec![],
                jury,
            ),
            (
                "api lock",
                "POST",
                format!("{base}/lock"),
                Some(json!({"locked": false})),
                vec![],
                organisers,
            ),
            (
                "api prize",
                "PUT",
                format!("{base}/entries/{e}/prize"),
                Some(json!({"prize": null})),
                vec![],
                organisers,
            ),
            (
                "api publish",
                "POST",
                format!("{base}/publish"),
                Some(json!(null)),
                vec![],
                organisers,
            ),
            (
                "api ranking",
                "GET",
                format!("{base}/ranking"),
                Some(json!(null)),
                vec![],
                organisers,
            ),
            (
                "form settings",
                "POST",
                "/cuoc-thi/l7-1-ideas/cai-dat".into(),
                None,
                vec![
                    ("name".into(), "Cuộc thi “Ý tưởng sáng tạo cùng chuyển đổi số”".into()),
                    ("entries_from".into(), t.clock.today().plus(-3).vn()),
                    ("entries_to".into(), t.clock.today().plus(5).vn()),
                    ("prizes".into(), "Giải Nhất\nGiải Nhì".into()),
                ],
                organisers,
            ),
            (
                "form rubric",
                "POST",
                "/cuoc-thi/l7-1-ideas/tieu-chi".into(),
                None,
                vec![
                    ("label_1".into(), "Tính sáng tạo".into()),
                    ("weight_1".into(), "30".into()),
                    ("max_1".into(), "10".into()),
                ],
                organisers,
            ),
            (
                "form judges",
                "POST",
                "/cuoc-thi/l7-1-ideas/giam-khao".into(),
                None,
                vec![("judge".into(), judge.user_id.clone())],
                organisers,
            ),
            (
                "form score",
                "POST",
                format!("/cham-thi/l7-1-ideas/{e}"),
                None,
                vec![
                    ("c_sang-tao".into(), "6".into()),
                    ("c_kha-thi".into(), "6".into()),
                    ("c_hieu-qua".into(), "6".into()),
                    ("c_trinh-bay".into(), "6".into()),
                ],
                jury,
            ),
            (
                "form lock",
                "POST",
                "/cuoc-thi/l7-1-ideas/khoa".into(),
                None,
                vec![("locked".into(), "0".into())],
                organisers,
            ),
            (
                "form prize",
                "POST",
                "/cuoc-thi/l7-1-ideas/giai".into(),
                None,
                vec![("entry_id".into(), e.clone()), ("prize".into(), String::new())],
                organisers,
            ),
            (
                "form publish",
                "POST",
                "/cuoc-thi/l7-1-ideas/cong-bo".into(),
                None,
                vec![],
                organisers,
            ),
            (
                "page manage",
                "GET",
                "/cuoc-thi/l7-1-ideas".into(),
                None,
                vec![],
                organisers,
            ),
            ("page judging", "GET", "/cham-thi/l7-1-ideas".into(), None, vec![], jury),
            (
                "file",
                "GET",
                format!("/cuoc-thi/bai/{e}/tep"),
                None,
                vec![],
                &[Who::Coordinator, Who::LeadReporter, Who::Judge],
            ),
            // Recusal last: it takes the judge off the entry.
            (
                "form recusal",
                "POST",
                format!("/cham-thi/l7-1-ideas/{e}/xung-dot"),
                None,
                vec![("reason".into(), "thử".into())],
                jury,
            ),
            (
                "api recusal",
                "POST",
                format!("{base}/entries/{e}/recusal"),
                Some(json!({"reason": "thử"})),
                vec![],
                jury,
            ),
        ];
        for (name, method, path, json_body, fields, allowed) in &cases {
            for (who, session) in &sessions {
                let before = t.store.contest(&t.plan_id, IDEAS).await.unwrap();
                let scores_before = t.store.scores(&t.plan_id, IDEAS).await.unwrap();
                let status = if let Some(body) = json_body {
                    t.api(method, path, session.as_ref(), body.clone()).await.0
                } else if *method == "GET" {
                    t.get(path, session.as_ref()).await.0
                } else {
                    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                    t.form(path, session.as_ref(), &f).await.0
                };
                let ctx = format!("{b} {name} as {who:?}: {status}");
                let ok = allowed.contains(who);
                if ok {
                    assert!(
                        !matches!(status, StatusCode::FORBIDDEN | StatusCode::UNAUTHORIZED),
                        "{ctx}"
                    );
                    assert!(
                        status.is_success() || status.is_redirection() || status == StatusCode::CONFLICT,
                        "{ctx}"
                    );
                } else {
                    match who {
                        Who::Anonymous if path.starts_with("/api/") => {
                            assert_eq!(status, StatusCode::UNAUTHORIZED, "{ctx}")
                        }
                        // Pages send the anonymous visitor to the login page.
                        Who::Anonymous => assert_eq!(status, StatusCode::SEE_OTHER, "{ctx}"),
                        _ => assert_eq!(status, StatusCode::FORBIDDEN, "{ctx}"),
                    }
                    assert_eq!(
                        t.store.contest(&t.plan_id, IDEAS).await.unwrap(),
                        before,
                        "{ctx}: contest changed"
                    );
                    assert_eq!(
                        t.store.scores(&t.plan_id, IDEAS).await.unwrap(),
                        scores_before,
                        "{ctx}: scores changed"
                    );
                }
            }
        }
        assert_eq!(
            t.store.recusals(&t.plan_id, IDEAS).await.unwrap().len(),
            1,
            "{b}: the judge's own recusal only"
        );
        t.store.close().await;
    }
}

#[tokio::test]
async fn the_menu_shows_contests_to_their_organisers_and_judging_to_judges() {
    let t = TestApp::all().await.remove(0);
    let vhxh = t.unit_by_slug("vhxh").await;
    let village = t.unit_by_slug("thon-mau-1").await;
    let lead = t.user("vhxh", Role::UnitReporter, Some(&vhxh.id)).await;
    let other = t.user("thon", Role::UnitReporter, Some(&village.id)).await;
    let judge = t.user("giamkhao", Role::Judge, None).await;
    let (_, html) = t.get("/ke-hoach", Some(&lead)).await;
    assert!(html.contains("href=\"/cuoc-thi\""));
    let (_, html) = t.get("/ke-hoach", Some(&other)).await;
    assert!(!html.contains("href=\"/cuoc-thi\""));
    let (_, html) = t.get("/ke-hoach", Some(&judge)).await;
    assert!(html.contains("href=\"/cham-thi\"") && !html.contains("href=\"/cuoc-thi\""));
    let (st, html) = t.get("/cuoc-thi", Some(&lead)).await;
    assert_eq!(st, StatusCode::OK);
    assert!(
        html.contains("Ý tưởng sáng tạo") && !html.contains("videos quảng bá"),
        "7.1 only: vhxh leads it"
    );
    t.store.close().await;
}

#[tokio::test]
async fn a_page_answering_a_form_keeps_the_full_menu() {
    let t = TestApp::all().await.remove(0);
    let coord = t.coordinator().await;
    // A refused form answers with the page and its reason: the menu is the same as on a GET.
    let (st, _, html) = t
        .form(
            "/cuoc-thi/l7-1-ideas/cai-dat",
            Some(&coord),
            &[("name", ""), ("entries_from", "x")],
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        html.contains("href=\"/cuoc-thi\"") && html.contains("href=\"/doi-hinh\""),
        "{html}"
    );
    t.store.close().await;
}
