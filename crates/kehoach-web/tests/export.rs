//! Data exports: the XLSX workbook read back with calamine holds the
//! database's counts, with real dates; CSV per record kind; a unit reporter
//! exports only their own unit, and nobody else's. SQLite and PostgreSQL.

mod common;

use kehoach_core::Day;
use kehoach_store::testing;
use std::io::Cursor;

use axum::http::StatusCode;
use calamine::{Data, Reader, Xlsx};
use common::TestApp;
use kehoach_store::Role;
use serde_json::json;

fn sheet(book: &mut Xlsx<Cursor<Vec<u8>>>, name: &str) -> Vec<Vec<Data>> {
    let range = book.worksheet_range(name).unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

/// The targets sheet: the report's table, its STT and share of the goal as numbers.
fn targets_sheet_has_numbers(book: &mut Xlsx<Cursor<Vec<u8>>>, name: &str, b: &str) {
    let targets = sheet(book, name);
    assert_eq!(targets.len() - 1, kehoach_core::seed_plan().targets.len(), "{b}");
    for (i, r) in targets.iter().skip(1).enumerate() {
        assert_eq!(r[0], Data::Float(i as f64 + 1.0), "{b}: {r:?}");
        assert!(
            matches!(r[5], Data::Float(_) | Data::Empty),
            "{b}: a number, not text: {r:?}"
        );
    }
    assert!(
        targets
            .iter()
            .skip(1)
            .any(|r| matches!(r[5], Data::Float(x) if x > 0.0)),
        "{b}: some share of a goal: {targets:?}"
    );
}

#[tokio::test]
async fn exports_hold_the_database_counts_and_respect_the_unit() {
    for t in TestApp::all().await {
        let b = t.backend;
        let v1 = t.unit_by_slug("thon-mau-1").await;
        let v2 = t.unit_by_slug("thon-mau-2").await;
        let coord = t.coordinator().await;
        let rep2 = t.user("thon2", Role::UnitReporter, Some(&v2.id)).await;
        let union = t.unit_by_slug("doan-tn").await;
        let volunteer = t.user("tnv", Role::Volunteer, Some(&union.id)).await;
        for (unit, n, day) in [(&v1.id, 3, "2026-07-10"), (&v2.id, 2, "2026-07-11")] {
            for _ in 0..n {
                let turn = json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": unit, "service": "asxh-vneid", "day": day});
                let (st, r) = t.api("POST", "/api/v1/turns", Some(&coord), turn).await;
                assert!(st.is_success(), "{b}: {r}");
            }
        }
        // A turn recorded later for an earlier day: the sheet is in day order all the same.
        let turn = json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": v1.id, "service": "asxh-vneid", "day": "2026-07-09"});
        let (st, r) = t.api("POST", "/api/v1/turns", Some(&coord), turn).await;
        assert!(st.is_success(), "{b}: {r}");
        let session_id = uuid::Uuid::now_v7().to_string();
        let session = json!({"id": session_id, "line_id": "l4-binh-dan-hoc-vu-so", "unit_id": v1.id,
            "kind": "guidance", "status": "held", "day": "2026-07-12"});
        let (st, r) = t.api("POST", "/api/v1/sessions", Some(&coord), session).await;
        assert!(st.is_success(), "{b}: {r}");
        // Two attendees, one without a birth year (an empty cell, not “0”).
        let people = [("Ngô Thị Lan", Some(2012)), ("Đinh Văn Hùng", None)].map(|(n, y)| kehoach_store::PersonInput {
            full_name: n.into(),
            birth_year: y,
            unit_id: v1.id.clone(),
            class_id: None,
        });
        t.store
            .import_roster(&t.plan_id, "children", &people, false, &coord.user_id, 0)
            .await
            .unwrap();
        for p in t.store.roster_people(&t.plan_id, Some("children"), None).await.unwrap() {
            t.store
                .add_attendance(&t.plan_id, &session_id, &p.id, "search", &coord.user_id, 0)
                .await
                .unwrap();
        }

        // The coordinator's workbook: every record, real dates, the targets.
        let (st, headers, bytes) = t.get_bytes("/xuat/du-lieu.xlsx", Some(&coord)).await;
        assert_eq!(st, StatusCode::OK, "{b}");
        assert!(
            headers
                .iter()
                .any(|(k, v)| k == "content-type" && v.contains("spreadsheetml")),
            "{b}"
        );
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        let names = book.sheet_names();
        assert_eq!(
            names[..5],
            [
                "Buổi hoạt động",
                "Điểm danh",
                "Lượt hỗ trợ",
                "Bao phủ danh sách",
                "Bài dự thi"
            ],
            "{b}"
        );
        assert!(names[5].starts_with("Chỉ tiêu "), "{b}: {names:?}");
        // Roster coverage: village 1's children, both attended the held session.
        let coverage = sheet(&mut book, "Bao phủ danh sách");
        let row = coverage
            .iter()
            .find(|r| {
                r[0] == Data::String("Thanh thiếu nhi tham gia các hoạt động hè gắn với chuyển đổi số (T8)".into())
                    && r[1] == Data::String(v1.name.clone())
            })
            .unwrap_or_else(|| panic!("{b}: {coverage:?}"));
        assert_eq!(
            (&row[3], &row[5]),
            (&Data::Float(2.0), &Data::Float(2.0)),
            "{b}: {row:?}"
        );
        targets_sheet_has_numbers(&mut book, &names[5], b);
        let turns = sheet(&mut book, "Lượt hỗ trợ");
        assert_eq!(turns[0][2], Data::String("Thôn".into()), "{b}");
        assert_eq!(
            turns.len() - 1,
            t.store.count_turns(&t.plan_id).await.unwrap() as usize,
            "{b}"
        );
        assert!(
            matches!(turns[1][0], Data::DateTime(_)),
            "{b}: a real date, not text: {:?}",
            turns[1][0]
        );
        let days: Vec<f64> = turns[1..]
            .iter()
            .map(|r| match &r[0] {
                Data::DateTime(d) => d.as_f64(),
                other => panic!("{b}: {other:?}"),
            })
            .collect();
        assert!(
            days.windows(2).all(|w| w[0] <= w[1]),
            "{b}: turns in day order: {days:?}"
        );
        let attendance = sheet(&mut book, "Điểm danh");
        assert_eq!(attendance.len() - 1, 2, "{b}");
        let born: Vec<&Data> = attendance[1..].iter().map(|r| &r[4]).collect();
        assert!(
            born.contains(&&Data::Float(2012.0)) && born.contains(&&Data::Empty),
            "{b}: {born:?}"
        );
        let sessions = sheet(&mut book, "Buổi hoạt động");
        assert_eq!(sessions.len() - 1, 1, "{b}");
        assert_eq!(sessions[1][5], Data::String("Đã tổ chức".into()), "{b}");
        let targets = sheet(&mut book, &names[5]);
        assert_eq!(targets.len() - 1, kehoach_core::seed_plan().targets.len(), "{b}");

        // A period filter.
        let (_, _, bytes) = t
            .get_bytes("/xuat/du-lieu.xlsx?tu=11/07/2026&den=31/07/2026", Some(&coord))
            .await;
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        assert_eq!(
            sheet(&mut book, "Lượt hỗ trợ").len() - 1,
            2,
            "{b}: from 11/07 only village 2's turns"
        );

        // A unit reporter: their unit by default, never another's.
        let (st, _, bytes) = t.get_bytes("/xuat/du-lieu.xlsx", Some(&rep2)).await;
        assert_eq!(st, StatusCode::OK, "{b}");
        let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
        targets_sheet_has_numbers(&mut book, &names[5], b);
        let turns = sheet(&mut book, "Lượt hỗ trợ");
        assert_eq!(turns.len() - 1, 2, "{b}");
        assert!(turns[1..].iter().all(|r| r[2] == Data::String(v2.name.clone())), "{b}");
        assert_eq!(
            sheet(&mut book, "Buổi hoạt động").len() - 1,
            0,
            "{b}: the session is village 1's"
        );
        let (st, _, _) = t
            .get_bytes(&format!("/xuat/du-lieu.xlsx?don-vi={}", v1.id), Some(&rep2))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{b}");
        let (st, _, _) = t
            .get_bytes(&format!("/xuat/luot-ho-tro.csv?don-vi={}", v1.id), Some(&rep2))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{b}");
        let (st, _, _) = t.get_bytes("/xuat/du-lieu.xlsx", Some(&volunteer)).await;
        assert_eq!(
            st,
            StatusCode::FORBIDDEN,
            "{b}: a volunteer has no unit records to export"
        );

        // CSV: a byte-order mark, a header, a line per record.
        let (st, _, bytes) = t.get_bytes("/xuat/luot-ho-tro.csv", Some(&coord)).await;
        assert_eq!(st, StatusCode::OK, "{b}");
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with("\u{feff}Ngày,Hoạt động,Thôn,"), "{b}");
        assert_eq!(text.lines().count(), 1 + 6, "{b}");
        assert!(text.contains("10/07/2026"), "{b}");
        let (st, _, _) = t.get_bytes("/xuat/khong-co.csv", Some(&coord)).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{b}");
        let (st, body) = t.get("/xuat/du-lieu.xlsx?tu=32/13/2026", Some(&coord)).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}: {body}");

        // A unit's own progress report: its figures for the period, readable text.
        let (st, headers, pdf) = t
            .get_bytes(
                &format!("/bao-cao/don-vi/{}.pdf?tu=01/07/2026&den=31/07/2026", v2.id),
                Some(&rep2),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{b}");
        assert!(
            headers
                .iter()
                .any(|(k, v)| k == "content-type" && v == "application/pdf"),
            "{b}"
        );
        let path = std::env::temp_dir().join(format!("kehoach-unit-report-{}-{b}.pdf", std::process::id()));
        std::fs::write(&path, &pdf).unwrap();
        let out = std::process::Command::new("pdftotext")
            .arg(&path)
            .arg("-")
            .output()
            .expect("pdftotext (poppler-utils) is installed by scripts/test");
        let text = String::from_utf8(out.stdout).unwrap();
        for s in [
            v2.name.to_uppercase().as_str(),
            "Kết quả thực hiện từ ngày 01/07/2026 đến ngày 31/07/2026",
            "hỗ trợ 2 lượt người dân",
            "(T6)",
            "Chưa đạt",
        ] {
            assert!(text.contains(s), "{b}: unit report lacks “{s}”:\n{text}");
        }
        let (st, _, docx) = t
            .get_bytes(&format!("/bao-cao/don-vi/{}.docx", v2.id), Some(&coord))
            .await;
        assert_eq!(st, StatusCode::OK, "{b}");
        assert!(docx.starts_with(b"PK"), "{b}");
        let (st, _, _) = t
            .get_bytes(&format!("/bao-cao/don-vi/{}.pdf", v1.id), Some(&rep2))
            .await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{b}: not another unit's report");
        let (st, body) = t
            .get(
                &format!("/bao-cao/don-vi/{}.pdf?tu=31/07/2026&den=01/07/2026", v2.id),
                Some(&rep2),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert!(body.contains("period_reversed"), "{b}");
        t.store.close().await;
    }
}

/// Section VI proposes the most active volunteers (turns, then shifts) and
/// the schools that meet the class-per-week target, from the records.
#[tokio::test]
async fn the_report_proposes_volunteers_and_schools_from_the_records() {
    for t in TestApp::all().await {
        let b = t.backend;
        let coord = t.coordinator().await;
        let union = t.unit_by_slug("doan-tn").await;
        let village = t.unit_by_slug("thon-mau-1").await;
        let school = t.unit_by_slug("th-trung-lap").await;
        let members = ["Lê Văn Đoàn", "Trần Thị Thanh"].map(|n| testing::person(n, 2001, &union.id));
        t.store
            .import_roster(&t.plan_id, "youth_members", &members, false, &coord.user_id, 0)
            .await
            .unwrap();
        let people = t
            .store
            .roster_people(&t.plan_id, Some("youth_members"), None)
            .await
            .unwrap();
        let person = |n: &str| people.iter().find(|p| p.full_name == n).unwrap().id.clone();
        let doan = t.user("tnv.doan", Role::Volunteer, Some(&union.id)).await;
        let thanh = t.user("tnv.thanh", Role::Volunteer, Some(&union.id)).await;
        for (s, n) in [(&doan, "Lê Văn Đoàn"), (&thanh, "Trần Thị Thanh")] {
            t.store
                .link_user_person(&t.plan_id, &s.user_id, Some(&person(n)), 0)
                .await
                .unwrap();
        }
        // Đoàn: three turns; Thanh: one turn and two shifts.
        for (s, day) in [
            (&doan, "2026-07-01"),
            (&doan, "2026-07-02"),
            (&doan, "2026-07-03"),
            (&thanh, "2026-07-04"),
        ] {
            let turn = json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": village.id, "service": "asxh-vneid", "day": day});
            let (st, r) = t.api("POST", "/api/v1/turns", Some(s), turn).await;
            assert!(st.is_success(), "{b}: {r}");
        }
        for day in ["2026-07-10", "2026-07-17"] {
            let shift = t
                .store
                .create_shift(
                    kehoach_store::NewShift {
                        places: 3,
                        ..testing::shift(&t.plan_id, &village.id, Day::parse_iso(day).unwrap(), &coord.user_id)
                    },
                    0,
                )
                .await
                .unwrap();
            t.store
                .sign_up(&t.plan_id, &shift.id, &person("Trần Thị Thanh"), &thanh.user_id, 0)
                .await
                .unwrap();
        }
        // A team of both, launched on 10/06.
        let team = t
            .store
            .create_team(
                &t.plan_id,
                "Đội hình thử báo cáo",
                Some(&person("Lê Văn Đoàn")),
                &[person("Lê Văn Đoàn"), person("Trần Thị Thanh")],
                std::slice::from_ref(&village.id),
                &coord.user_id,
                0,
            )
            .await
            .unwrap();
        t.store
            .launch_teams(&t.plan_id, &[team.id], "2026-06-10")
            .await
            .unwrap();
        // One class of a school with a smart classroom, a session every week of the line.
        let class = t
            .store
            .add_class(&t.plan_id, &school.id, "5A", Some(30), 0)
            .await
            .unwrap();
        let mut day = kehoach_core::Day::from_ymd(2026, 6, 1).unwrap();
        while day.iso().as_str() <= "2026-08-31" {
            t.store
                .create_activity_session(
                    testing::session(
                        &t.plan_id,
                        "l6-smart-classroom",
                        &school.id,
                        "experience",
                        &coord.user_id,
                    )
                    .held()
                    .on(day)
                    .class(&class.id),
                    0,
                )
                .await
                .unwrap();
            day = day.plus(7);
        }
        let as_of = kehoach_core::Day::from_ymd(2026, 8, 31).unwrap();
        let report = t.summary_report(as_of, as_of).await;
        let text: Vec<String> = report
            .blocks
            .iter()
            .filter_map(|x| match x {
                kehoach_core::report::Block::Para(p) => Some(p.clone()),
                _ => None,
            })
            .collect();
        assert!(
            text.iter()
                .any(|p| p == "Thành lập 1 đội hình thanh niên tình nguyện với 2 đoàn viên tham gia; 1 đội hình đã ra quân (ngày 10/06/2026)."),
            "{b}: {text:#?}"
        );
        assert!(
            text.iter().any(|p| p.starts_with("6. Tổ chức các hoạt động trải nghiệm tại phòng học thông minh: đã tổ chức 14 buổi (theo trường: Trường Tiểu học Trung Lập 14 buổi)")),
            "{b}: {text:#?}"
        );
        assert!(
            text.iter().any(|p| p.starts_with("3.")
                && p.contains("hỗ trợ 4 lượt người dân (theo dịch vụ: Kích hoạt tài khoản ASXH trên VNeID 4)")),
            "{b}: {text:#?}"
        );
        let volunteers = text
            .iter()
            .find(|p| p.contains("đoàn viên thanh niên tình nguyện tích cực"))
            .unwrap_or_else(|| panic!("{b}: {text:#?}"));
        assert!(
            volunteers.contains("Lê Văn Đoàn (3 lượt hỗ trợ); Trần Thị Thanh (1 lượt hỗ trợ, 2 ca tình nguyện)"),
            "{b}: {volunteers}"
        );
        let schools = text
            .iter()
            .find(|p| p.contains("Đề xuất biểu dương các trường"))
            .unwrap_or_else(|| panic!("{b}: {text:#?}"));
        assert!(
            schools.contains("Trường Tiểu học Trung Lập (100 % tuần"),
            "{b}: {schools}"
        );
        // As of June, before any turn: no volunteer to propose yet.
        let early = kehoach_core::Day::from_ymd(2026, 6, 30).unwrap();
        let report = t.summary_report(early, early).await;
        assert!(
            !report
                .blocks
                .iter()
                .any(|x| matches!(x, kehoach_core::report::Block::Para(p) if p.contains("tình nguyện tích cực"))),
            "{b}"
        );
        // The per-account aggregate equals a rebuild.
        let kept = t.aggregates_equal_a_rebuild().await;
        assert!(!kept.turn_user_daily.is_empty(), "{b}");
        t.store.close().await;
    }
}
