//! Public pages and calendar feeds: no login, every page fetched, no
//! personal data from the fixtures anywhere in them; the village page lists
//! its planned session; the feed parses back with a real iCalendar parser.
//! SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use kehoach_store::testing;
use kehoach_store::{NewActivitySession, Role, UserPatch};
use serde_json::json;

#[tokio::test]
async fn public_pages_show_the_schedule_and_progress_and_no_personal_data() {
    for t in TestApp::all().await {
        let b = t.backend;
        let village = t.unit_by_slug("thon-mau-1").await;
        let coord = t.user("dieuphoi.rieng", Role::Coordinator, None).await;
        let rep = t.user("baocaovien.rieng", Role::UnitReporter, Some(&village.id)).await;
        t.store
            .update_user(
                &t.plan_id,
                &rep.user_id,
                UserPatch {
                    full_name: Some("Trần Văn Riêngtư".into()),
                    email: Some(Some("rieng.tu@vinhthinh.test".into())),
                    ..Default::default()
                },
                t.clock.now(),
            )
            .await
            .unwrap();
        let child = testing::add_person(
            &t.store,
            &t.plan_id,
            "children",
            testing::person("Nguyễn Thị Bímật", 2013, &village.id),
            &coord.user_id,
        )
        .await;
        // Line 3 (support in the villages) helps with services: the page says to bring papers and a phone.
        let session = |id: &str, status: &str, day: &str| NewActivitySession {
            id: id.into(),
            status: status.into(),
            day: day.into(),
            start_time: Some("08:00".into()),
            end_time: Some("10:00".into()),
            venue: Some("Nhà văn hóa thôn".into()),
            note: Some("Liên hệ chị Hoa 0912345678".into()),
            ..testing::session(&t.plan_id, "l3-support", &village.id, "guidance", &rep.user_id)
        };
        let planned = uuid::Uuid::now_v7().to_string();
        t.store
            .create_activity_session(session(&planned, "planned", "2026-07-10"), 0)
            .await
            .unwrap();
        let held = uuid::Uuid::now_v7().to_string();
        t.store
            .create_activity_session(session(&held, "held", "2026-07-08"), 0)
            .await
            .unwrap();
        t.store
            .add_attendance(&t.plan_id, &held, &child.id, "search", &rep.user_id, 0)
            .await
            .unwrap();
        let turn = json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": village.id, "service": "asxh-vneid", "day": "2026-07-09"});
        let (st, _) = t.api("POST", "/api/v1/turns", Some(&rep), turn).await;
        assert!(st.is_success(), "{b}");

        let secrets = [
            "Bímật",
            "Riêngtư",
            "rieng.tu@",
            "baocaovien.rieng",
            "dieuphoi.rieng",
            "0912345678",
            "Liên hệ chị Hoa",
            &child.card_code,
        ];
        // A contest entry (not yet judged): its entrant, contact and card code stay private.
        let st = t.state();
        let entry = kehoach_web::contests::EntryInput {
            id: uuid::Uuid::now_v7().to_string(),
            title: "Ý tưởng công khai".into(),
            description: "Mô tả".into(),
            entrant_name: "Lê Bímật".into(),
            contact: "0912345678".into(),
            card_codes: child.card_code.clone(),
            link: "https://example.vn/y-tuong".into(),
            consent: true,
            ..Default::default()
        };
        let at = kehoach_core::contest::vn_midnight(kehoach_core::Day::from_ymd(2026, 8, 3).unwrap());
        kehoach_web::contests::submit(&st, "l7-1-ideas", entry, at, "t")
            .await
            .unwrap();
        let pages = [
            "/cong-khai/cuoc-thi".to_string(),
            "/cong-khai/cuoc-thi/l7-1-ideas".to_string(),
            "/cong-khai/cuoc-thi/l7-2-videos".to_string(),
            "/cong-khai".to_string(),
            "/cong-khai?tuan=10/07/2026".to_string(),
            "/cong-khai/thon-mau-1".to_string(),
            "/cong-khai/thon-mau-1?tuan=2026-07-06".to_string(),
            "/cong-khai/lich.ics".to_string(),
            "/cong-khai/thon-mau-1/lich.ics".to_string(),
        ];
        // The poster: its text (pdftotext) holds the unit and no personal data; its QR code is the page's address.
        let (st, _, pdf) = t.get_bytes("/cong-khai/thon-mau-1/ap-phich.pdf", None).await;
        assert_eq!(st, StatusCode::OK, "{b}");
        let path = std::env::temp_dir().join(format!("kehoach-poster-{}-{b}.pdf", std::process::id()));
        std::fs::write(&path, &pdf).unwrap();
        let out = std::process::Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output()
            .expect("pdftotext (poppler-utils) is installed by scripts/test");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains(&village.name) && text.contains("http://kehoach.test/cong-khai/thon-mau-1"),
            "{b}: {text}"
        );
        for s in &secrets {
            assert!(!text.contains(s), "{b}: the poster shows personal data “{s}”");
        }
        for path in &pages {
            let (st, body) = t.get(path, None).await;
            assert_eq!(st, StatusCode::OK, "{b}: {path} needs no login");
            for s in &secrets {
                assert!(!body.contains(s), "{b}: {path} shows personal data “{s}”");
            }
        }

        // The village page lists the sessions of that week, with what to bring; one
        // planned for a day now past, never reported, is not shown as coming.
        let (_, page) = t.get("/cong-khai/thon-mau-1?tuan=10/07/2026", None).await;
        assert!(!page.contains("Dự kiến"), "{b}: a past day is not “Dự kiến”");
        for s in [
            "10/07/2026",
            "08:00–10:00",
            "Đã qua, chưa cập nhật kết quả",
            "Nhà văn hóa thôn",
            "căn cước công dân",
            "08/07/2026",
            "Đã tổ chức",
        ] {
            assert!(page.contains(s), "{b}: village page lacks “{s}”");
        }
        let (_, home) = t.get("/cong-khai", None).await;
        assert!(
            home.contains("/cong-khai/thon-mau-1") && home.contains("Cuộc thi"),
            "{b}"
        );
        let (st, _) = t.get("/cong-khai/khong-co", None).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{b}");
        let (st, _) = t.get("/cong-khai/doan-tn", None).await;
        assert_eq!(
            st,
            StatusCode::NOT_FOUND,
            "{b}: only villages and schools have public pages"
        );

        // The feed, parsed back by a real iCalendar parser.
        let (_, ics) = t.get("/cong-khai/thon-mau-1/lich.ics", None).await;
        let mut parser = ical::IcalParser::new(std::io::BufReader::new(ics.as_bytes()));
        let cal = parser.next().expect("one calendar").expect("valid iCalendar");
        assert!(parser.next().is_none());
        assert_eq!(cal.events.len(), 2, "{b}: the planned and the held session");
        let prop = |e: &ical::parser::ical::component::IcalEvent, name: &str| {
            e.properties.iter().find(|p| p.name == name).cloned()
        };
        // The feed names sessions by a stable hash, never by the internal
        // id (which the API would take as a record id).
        assert!(
            !ics.contains(&planned) && !ics.contains(&held),
            "{b}: no internal id in the feed"
        );
        let public_uid = {
            use sha2::Digest;
            let d = sha2::Sha256::digest(format!("kehoach-lich|{planned}").as_bytes());
            d[..16].iter().map(|b| format!("{b:02x}")).collect::<String>()
        };
        let ev = cal
            .events
            .iter()
            .find(|e| prop(e, "UID").and_then(|p| p.value).as_deref() == Some(format!("{public_uid}@kehoach").as_str()))
            .expect("the planned session");
        let start = prop(ev, "DTSTART").unwrap();
        assert_eq!(start.value.as_deref(), Some("20260710T080000"), "{b}");
        let tz = start.params.unwrap_or_default();
        assert!(
            tz.iter()
                .any(|(k, v)| k == "TZID" && v == &vec!["Asia/Ho_Chi_Minh".to_string()]),
            "{b}"
        );
        assert_eq!(
            prop(ev, "DTEND").unwrap().value.as_deref(),
            Some("20260710T100000"),
            "{b}"
        );
        assert!(
            prop(ev, "SUMMARY")
                .unwrap()
                .value
                .unwrap()
                .contains("Ra quân hỗ trợ chuyển đổi số"),
            "{b}"
        );
        assert!(
            prop(ev, "DESCRIPTION")
                .unwrap()
                .value
                .unwrap()
                .contains("Mang theo: căn cước công dân"),
            "{b}"
        );
        assert!(
            prop(ev, "LOCATION")
                .unwrap()
                .value
                .unwrap()
                .contains("Nhà văn hóa thôn"),
            "{b}"
        );
        // A session planned for next week is “Dự kiến”.
        let next_week = t.clock.today().plus(7);
        t.store
            .create_activity_session(
                session(&uuid::Uuid::now_v7().to_string(), "planned", &next_week.iso()),
                0,
            )
            .await
            .unwrap();
        let (_, page) = t
            .get(&format!("/cong-khai/thon-mau-1?tuan={}", next_week.iso()), None)
            .await;
        assert!(page.contains("Dự kiến") && page.contains(&next_week.vn()), "{b}");
        t.store.close().await;
    }
}

#[tokio::test]
async fn a_member_is_reminded_of_tomorrows_shift_and_the_secretary_gets_the_team_message() {
    // A day of the campaign: shifts open only inside the plan's period.
    for t in TestApp::all_on(kehoach_core::Day::from_ymd(2026, 7, 20).unwrap()).await {
        let b = t.backend;
        let village = t.unit_by_slug("thon-mau-2").await;
        let union = t.unit_by_slug("doan-tn").await;
        let coord = t.coordinator().await;
        let secretary = t.user("bithu", Role::UnitReporter, Some(&union.id)).await;
        let vol = t.user("tnv01", Role::Volunteer, Some(&union.id)).await;
        let person = testing::add_person(
            &t.store,
            &t.plan_id,
            "youth_members",
            testing::person("Phạm Thị Tình Nguyện", 2003, &union.id),
            &coord.user_id,
        )
        .await;
        t.store
            .link_user_person(&t.plan_id, &vol.user_id, Some(&person.id), 0)
            .await
            .unwrap();
        let tomorrow = t.clock.today().plus(1);
        // The youth-union secretary opens the shift (through the API); the volunteer signs up.
        let (st, shift) = t
            .api(
                "POST",
                "/api/v1/shifts",
                Some(&secretary),
                json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": village.id, "day": tomorrow.iso(),
                    "start_time": "08:00", "end_time": "11:00", "places": 3}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{b}: {shift}");
        let id = shift["id"].as_str().unwrap().to_string();
        // After the campaign's last day no shift opens.
        let (st, err) = t
            .api(
                "POST",
                "/api/v1/shifts",
                Some(&secretary),
                json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": village.id, "day": "2026-09-01",
                    "start_time": "08:00", "end_time": "11:00", "places": 3}),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}: {err}");
        assert_eq!(err["error"]["code"], "day_outside_period", "{b}");
        let (st, r) = t
            .api("POST", &format!("/api/v1/shifts/{id}/signups"), Some(&vol), json!({}))
            .await;
        assert_eq!((st, r["outcome"].as_str()), (StatusCode::CREATED, Some("taken")), "{b}");
        let (st, r) = t
            .api("POST", &format!("/api/v1/shifts/{id}/signups"), Some(&vol), json!({}))
            .await;
        assert_eq!(
            (st, r["outcome"].as_str()),
            (StatusCode::OK, Some("already")),
            "{b}: a retry takes no second place"
        );
        // The secretary's menu leads to the teams; a full shift tells the next member so, in Vietnamese.
        let (_, page) = t.get("/ke-hoach", Some(&secretary)).await;
        assert!(page.contains("href=\"/doi-hinh\""), "{b}");
        let (_, tiny) = t
            .api(
                "POST",
                "/api/v1/shifts",
                Some(&secretary),
                json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": village.id, "day": tomorrow.iso(),
                    "start_time": "14:00", "end_time": "16:00", "places": 1}),
            )
            .await;
        let tiny = tiny["id"].as_str().unwrap().to_string();
        let (st, _) = t
            .api("POST", &format!("/api/v1/shifts/{tiny}/signups"), Some(&vol), json!({}))
            .await;
        assert_eq!(st, StatusCode::CREATED, "{b}");
        testing::add_person(
            &t.store,
            &t.plan_id,
            "youth_members",
            testing::person("Đỗ Văn Đến Sau", 2004, &union.id),
            &coord.user_id,
        )
        .await;
        let late = t
            .store
            .roster_people(&t.plan_id, Some("youth_members"), None)
            .await
            .unwrap()
            .into_iter()
            .find(|p| p.full_name == "Đỗ Văn Đến Sau")
            .unwrap();
        let (st, err) = t
            .api(
                "POST",
                &format!("/api/v1/shifts/{tiny}/signups"),
                Some(&secretary),
                json!({"person_id": late.id}),
            )
            .await;
        assert_eq!(
            (st, err["error"]["code"].as_str()),
            (StatusCode::CONFLICT, Some("shift_full")),
            "{b}"
        );
        assert_eq!(err["error"]["message"], "Ca: đã đủ người, hãy chọn ca khác.", "{b}");
        // The tiny shift is cancelled: the member's page says so.
        let (st, _) = t
            .api(
                "DELETE",
                &format!("/api/v1/shifts/{tiny}"),
                Some(&secretary),
                json!(null),
            )
            .await;
        assert_eq!(st, StatusCode::NO_CONTENT, "{b}");
        let (_, page) = t.get("/ca-cua-toi", Some(&vol)).await;
        assert!(
            page.contains("Ca đã bị hủy") && page.contains(&format!("data-shift=\"{tiny}\"")),
            "{b}"
        );
        // A shift already started (yesterday's) takes no sign-up, with a reason.
        let past = t
            .store
            .create_shift(
                kehoach_store::NewShift {
                    places: 3,
                    ..testing::shift(&t.plan_id, &village.id, t.clock.today().plus(-1), &coord.user_id)
                },
                0,
            )
            .await
            .unwrap();
        let (st, err) = t
            .api(
                "POST",
                &format!("/api/v1/shifts/{}/signups", past.id),
                Some(&vol),
                json!({}),
            )
            .await;
        assert_eq!(
            (st, err["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("shift_started")),
            "{b}"
        );
        assert_eq!(t.store.shift(&t.plan_id, &past.id).await.unwrap().taken, 0, "{b}");
        // A shift in the past cannot be opened.
        let (st, err) = t
            .api(
                "POST",
                "/api/v1/shifts",
                Some(&secretary),
                json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": village.id, "day": "2026-07-01",
                    "start_time": "08:00", "end_time": "11:00", "places": 3}),
            )
            .await;
        assert_eq!(
            (st, err["error"]["code"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("day_in_past")),
            "{b}"
        );

        // The secretary forms a team for the village and records its launch (line 1, 10/06/2026).
        let (st, location, _) = t
            .form(
                "/doi-hinh",
                Some(&secretary),
                &[
                    ("name", "Đội hình thôn mẫu 2"),
                    ("leader", &person.id),
                    ("villages", &village.id),
                ],
            )
            .await;
        assert_eq!(
            (st, location.as_deref()),
            (StatusCode::SEE_OTHER, Some("/doi-hinh?ok=team_created")),
            "{b}"
        );
        let team = t.store.teams(&t.plan_id).await.unwrap().remove(0);
        // It takes a second village, then is corrected back; a non-village is refused, nothing changed.
        let other_village = t.unit_by_slug("thon-mau-1").await;
        let (st, location, _) = t
            .form(
                &format!("/doi-hinh/{}/sua", team.id),
                Some(&secretary),
                &[("villages", &village.id), ("villages", &other_village.id)],
            )
            .await;
        assert_eq!(
            (st, location.as_deref()),
            (StatusCode::SEE_OTHER, Some("/doi-hinh?ok=team_saved")),
            "{b}"
        );
        assert_eq!(t.store.team_villages(&t.plan_id).await.unwrap().len(), 2, "{b}");
        let (st, _, _) = t
            .form(
                &format!("/doi-hinh/{}/sua", team.id),
                Some(&secretary),
                &[("villages", &union.id)],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(
            t.store.team_villages(&t.plan_id).await.unwrap().len(),
            2,
            "{b}: refused, nothing changed"
        );
        let (st, _, _) = t
            .form(
                &format!("/doi-hinh/{}/sua", team.id),
                Some(&secretary),
                &[("villages", &village.id)],
            )
            .await;
        assert_eq!(st, StatusCode::SEE_OTHER, "{b}");
        assert_eq!(
            t.store.team_members(&t.plan_id).await.unwrap().len(),
            1,
            "{b}: the leader stays a member"
        );
        let (st, location, _) = t
            .form(
                "/doi-hinh/ra-quan",
                Some(&secretary),
                &[("day", "10/06/2026"), ("teams", &team.id)],
            )
            .await;
        assert_eq!(
            (st, location.as_deref()),
            (StatusCode::SEE_OTHER, Some("/doi-hinh?ok=teams_launched")),
            "{b}"
        );
        let (st, _, body) = t
            .form(
                "/doi-hinh/ra-quan",
                Some(&secretary),
                &[("day", "15/07/2026"), ("teams", &team.id)],
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}: the launch is line 1's day");
        assert!(body.contains("Ngày: nằm ngoài thời gian của hoạt động này."), "{b}");

        // The member sees tomorrow's shift on every page; others do not.
        let (_, page) = t.get("/ke-hoach", Some(&vol)).await;
        assert!(
            page.contains(&format!(
                "Ngày mai ({}) bạn có ca 08:00–11:00 tại {}",
                tomorrow.vn(),
                village.name
            )),
            "{b}"
        );
        let (_, page) = t.get("/ke-hoach", Some(&coord)).await;
        assert!(!page.contains("Nhắc ca"), "{b}");
        // The secretary's page: the team message to paste into Zalo, with who signed up.
        let (st, page) = t.get("/doi-hinh", Some(&secretary)).await;
        assert_eq!(st, StatusCode::OK, "{b}");
        assert!(
            page.contains("[Ca tình nguyện]") && page.contains("Phạm Thị Tình Nguyện"),
            "{b}"
        );
        assert!(
            page.contains("phụ trách Thôn mẫu 2") && page.contains("ra quân ngày 10/06/2026"),
            "{b}"
        );
        let (st, _) = t.get("/doi-hinh", Some(&vol)).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{b}");
        t.store.close().await;
    }
}
