//! A city on the server: its coordinator adds its communes in the browser,
//! each commune's first coordinator sets it up from a one-time link; its
//! leaders read the list; a commune's address has no city pages; another
//! city sees none of it. On SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::{PASSWORD, TestApp};
use kehoach_store::Role;

/// The one-time link on the page that answered an added commune.
fn setup_token(body: &str) -> String {
    let at = body.find("/moi/").expect("the page shows the setup link") + "/moi/".len();
    body[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

#[tokio::test]
async fn a_city_coordinator_adds_a_commune_that_its_own_coordinator_then_sets_up() {
    for mut t in TestApp::all().await {
        let b = t.backend;
        t.serve_all_communes();
        let hp = t.add_city("thành phố Hải Phòng", "hai-phong.test").await;
        let qn = t.add_city("tỉnh Quảng Ninh", "quang-ninh.test").await;
        assert!(hp.commune.is_city(), "{b}");
        assert_eq!(hp.commune.slug, "hai-phong", "{b}");
        let coord = hp.coordinator().await;
        let leader = hp.user("lanhdao", Role::Viewer, None).await;

        // The city's readers land on its communes; none yet.
        let (s, body) = hp.get("/", Some(&coord)).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{b}: {body}");
        let (s, body) = hp.get("/thanh-pho/xa", Some(&coord)).await;
        assert_eq!(s, StatusCode::OK, "{b}: {body}");
        assert!(body.contains("Thành phố chưa có xã, phường nào"), "{b}");
        assert!(body.contains("Thêm xã"), "{b}: the coordinator is offered the form");
        assert!(body.contains("href=\"/thanh-pho/xa\""), "{b}: the menu names the page");
        let menu = &body[body.find("<nav").expect("the menu")..body.find("</nav>").expect("the menu's end")];
        assert!(
            !menu.contains("href=\"/theo-doi\"") && !menu.contains("href=\"/don-vi\""),
            "{b}: a city has no villages or records of its own: {menu}"
        );

        // Added with the host left empty: its short name under the city's domain.
        let (s, _, body) = hp
            .form("/thanh-pho/xa", Some(&coord), &[("name", "xã An Hòa"), ("host", "")])
            .await;
        assert_eq!(s, StatusCode::OK, "{b}: {body}");
        assert!(body.contains("http://an-hoa.hai-phong.test/moi/"), "{b}: {body}");
        let token = setup_token(&body);
        let an_hoa = t
            .store
            .commune_for_host("an-hoa.hai-phong.test")
            .await
            .unwrap()
            .expect("added");
        assert_eq!(an_hoa.city_id.as_deref(), Some(hp.commune.id.as_str()), "{b}");
        assert_eq!(an_hoa.province, "Hải Phòng", "{b}");
        assert!(!an_hoa.is_city(), "{b}");

        // Refusals say which field and why, and add nothing.
        for (name, host, code_words, status) in [
            (
                "xã An Hòa",
                "an-hoa-2.hai-phong.test",
                "đã có xã cùng tên",
                StatusCode::CONFLICT,
            ),
            (
                "xã Tân Lập",
                "an-hoa.hai-phong.test",
                "đã có xã khác dùng tên miền này",
                StatusCode::CONFLICT,
            ),
            (
                "xã Tân Lập",
                "tan lap",
                "Tên miền: chỉ gồm chữ không dấu",
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
            ("   ", "", "Tên xã", StatusCode::UNPROCESSABLE_ENTITY),
        ] {
            let (s, _, body) = hp
                .form("/thanh-pho/xa", Some(&coord), &[("name", name), ("host", host)])
                .await;
            assert_eq!(s, status, "{b}: {name} {host}: {body}");
            assert!(body.contains(code_words), "{b}: {name} {host}: {body}");
            assert!(
                body.contains(&format!("value=\"{host}\"")),
                "{b}: the form keeps what was typed"
            );
        }
        // A leader reads the list, adds nothing.
        let (s, _, _) = hp
            .form("/thanh-pho/xa", Some(&leader), &[("name", "xã Tân Lập"), ("host", "")])
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
        let (s, body) = hp.get("/thanh-pho/xa", Some(&leader)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert!(
            body.contains("xã An Hòa") && body.contains("an-hoa.hai-phong.test"),
            "{b}"
        );
        assert!(!body.contains("Thêm xã"), "{b}: no form for a leader");
        assert!(
            !body.contains("/moi/"),
            "{b}: the setup link is shown once, to who added it"
        );
        assert_eq!(t.store.city_communes(&hp.commune.id).await.unwrap().len(), 1, "{b}");

        // Another city sees none of it; a commune's address has no city pages.
        let qn_coord = qn.coordinator().await;
        let (s, body) = qn.get("/thanh-pho/xa", Some(&qn_coord)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert!(!body.contains("an-hoa.hai-phong.test"), "{b}: {body}");
        let vt = t.coordinator().await;
        let (s, body) = t.get("/thanh-pho/xa", Some(&vt)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
        assert!(body.contains("not_a_city"), "{b}");
        let (s, _, _) = t
            .form(
                "/thanh-pho/xa",
                Some(&vt),
                &[("name", "xã Tân Lập"), ("host", "tan-lap.test")],
            )
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
        assert!(t.store.commune_for_host("tan-lap.test").await.unwrap().is_none(), "{b}");
        // The city's session is not a session of the commune it added.
        let an = t.seen_from("an-hoa.hai-phong.test").await;
        let (s, body) = an.get("/theo-doi", Some(&coord)).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{b}: {body}");

        // The commune's first coordinator sets it up from the link, on its host.
        let (s, body) = an.get(&format!("/moi/{token}"), None).await;
        assert_eq!(s, StatusCode::OK, "{b}: {body}");
        let (s, loc, body) = an
            .form(
                &format!("/moi/{token}"),
                None,
                &[
                    ("full_name", "Nguyễn Văn An"),
                    ("username", "dieuphoi.anhoa"),
                    ("password", PASSWORD),
                ],
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{b}: {body}");
        assert!(loc.is_some(), "{b}");
        let user = t
            .store
            .check_login(&an.plan_id, "dieuphoi.anhoa", PASSWORD)
            .await
            .unwrap()
            .expect("the commune's coordinator logs in on its own address");
        assert_eq!(user.commune_id, an_hoa.id, "{b}");
        assert!(
            t.store
                .check_login(&hp.plan_id, "dieuphoi.anhoa", PASSWORD)
                .await
                .unwrap()
                .is_none(),
            "{b}: not on the city's"
        );
        // Its starter plan has no sample villages.
        assert!(t.store.list_units(&an.plan_id).await.unwrap().is_empty(), "{b}");
    }
}

/// How the city board orders communes: the share of targets met or on pace
/// among those whose window has opened, then the mean share of each target
/// reached.
fn rank_key(plan: &kehoach_core::Plan, standings: &[kehoach_core::engine::Standing]) -> (f64, f64) {
    use kehoach_core::engine::Status;
    let started = standings.iter().filter(|s| s.status != Status::NotYet).count();
    let good = standings
        .iter()
        .filter(|s| matches!(s.status, Status::Met | Status::OnTrack))
        .count();
    let score = if started == 0 {
        100.0
    } else {
        100.0 * good as f64 / started as f64
    };
    let shares: Vec<f64> = standings
        .iter()
        .filter_map(|s| {
            let t = plan.targets.iter().find(|t| t.id == s.value.target_id)?;
            (t.threshold > 0.0).then(|| (s.value.value / t.threshold).clamp(0.0, 1.0))
        })
        .collect();
    (score, shares.iter().sum::<f64>() / shares.len().max(1) as f64)
}

#[tokio::test]
async fn the_city_board_ranks_its_communes_and_sums_turns_by_service_only() {
    for mut t in TestApp::all_on(kehoach_core::Day::from_ymd(2026, 7, 20).unwrap()).await {
        let b = t.backend;
        t.serve_all_communes();
        let hp = t.add_city("thành phố Hải Phòng", "hai-phong.test").await;
        let qn = t.add_city("tỉnh Quảng Ninh", "quang-ninh.test").await;
        let a = t.add_commune_of(Some(&hp.commune.id), "xã An Hòa", "an-hoa.test").await;
        let c = t.add_commune_of(Some(&hp.commune.id), "xã Cát Bi", "cat-bi.test").await;
        let other = t
            .add_commune_of(Some(&qn.commune.id), "xã Hạ Long", "ha-long.test")
            .await;
        // An Hòa records 5 turns over its three villages, Cát Bi 3 in one
        // village, the other city's commune 7.
        for (x, n, spread) in [(&a, 5, 3), (&c, 3, 1), (&other, 7, 1)] {
            let coord = x.coordinator().await;
            let mut villages = Vec::new();
            for v in ["thon-mau-1", "thon-mau-2", "thon-mau-3"].iter().take(spread) {
                villages.push(x.unit_by_slug(v).await.id);
            }
            for i in 0..n {
                let turn = serde_json::json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": villages[i % spread], "service": "asxh-vneid", "day": format!("2026-07-{:02}", 10 + i)});
                let (s, j) = x.api("POST", "/api/v1/turns", Some(&coord), turn).await;
                assert!(s.is_success(), "{b}: {j}");
            }
        }
        let coord = hp.coordinator().await;
        let (s, body) = hp.get("/", Some(&coord)).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{b}: {body}");
        let (s, body) = hp.get("/thanh-pho?ngay=20/07/2026", Some(&coord)).await;
        assert_eq!(s, StatusCode::OK, "{b}: {body}");
        assert!(body.contains("tính đến ngày 20/07/2026"), "{b}");
        assert!(body.contains("xã An Hòa") && body.contains("xã Cát Bi"), "{b}");
        assert!(!body.contains("Hạ Long"), "{b}: another city's commune");
        // Turns by service: 5 + 3 of the city's communes, not the other city's 7.
        let services = &body[body.find("city-services").expect("the services table")..];
        assert!(services.contains(">8</td>"), "{b}: {services}");
        assert!(body.contains("<b>8</b> lượt người dân được hỗ trợ"), "{b}");
        // One column per target of the seed plan, each commune's status side by side.
        assert!(body.contains("T6<br>") && body.contains("T8<br>"), "{b}");
        // Ranked as the engine's standings say: lowest share first.
        let day = kehoach_core::Day::from_ymd(2026, 7, 20).unwrap();
        let mut by_score = Vec::new();
        for (x, name) in [(&a, "xã An Hòa"), (&c, "xã Cát Bi")] {
            let plan = t.store.load_plan(&x.plan_id).await.unwrap();
            let (_, st) = kehoach_web::reports::standings(&t.store, &plan, day).await.unwrap();
            by_score.push((rank_key(&plan, &st), name));
        }
        by_score.sort_by(|p, q| p.0.0.total_cmp(&q.0.0).then(p.0.1.total_cmp(&q.0.1)));
        assert!(
            by_score[0].0 != by_score[1].0,
            "{b}: the test needs communes that differ"
        );
        let rank = &body[body.find("city-rank").unwrap()..];
        assert!(
            rank.find(by_score[0].1).unwrap() < rank.find(by_score[1].1).unwrap(),
            "{b}: {by_score:?}"
        );
        // A click opens the commune's own targets, read only; only communes of the city.
        assert!(rank.contains("href=\"/thanh-pho/xa/an-hoa?ngay=20/07/2026\""), "{b}");
        let (s, page) = hp.get("/thanh-pho/xa/an-hoa?ngay=20/07/2026", Some(&coord)).await;
        assert_eq!(s, StatusCode::OK, "{b}: {page}");
        assert!(page.contains("xã An Hòa") && page.contains("id=\"target-T6\""), "{b}");
        let plan = t.store.load_plan(&a.plan_id).await.unwrap();
        let (_, st) = kehoach_web::reports::standings(&t.store, &plan, day).await.unwrap();
        let t6 = st.iter().find(|s| s.value.target_id == "T6").unwrap();
        assert!(
            page.contains(&format!("data-status=\"{}\"", t6.status.as_str())),
            "{b}: T6 as the commune's board has it"
        );
        assert!(
            !page.contains("/theo-doi/ho-so") && !page.contains("/nhac-nho/moi"),
            "{b}: no way into the commune's records from the city"
        );
        for path in ["/thanh-pho/xa/ha-long", "/thanh-pho/xa/khong-co"] {
            let (s, _) = hp.get(path, Some(&coord)).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{b}: {path}");
        }
        // A wrong day says so and shows today.
        let (s, body) = hp.get("/thanh-pho?ngay=32/13/2026", Some(&coord)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert!(body.contains("notice error"), "{b}");
        // Leaders read it; a commune's address has none.
        let leader = hp.user("lanhdao", Role::Viewer, None).await;
        let (s, _) = hp.get("/thanh-pho", Some(&leader)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let reporter = hp.user("giamkhao", Role::Judge, None).await;
        let (s, _) = hp.get("/thanh-pho", Some(&reporter)).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{b}");
        let qn_coord = qn.coordinator().await;
        let (s, body) = qn.get("/thanh-pho?ngay=20/07/2026", Some(&qn_coord)).await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert!(
            body.contains("Hạ Long") && !body.contains("An Hòa") && !body.contains("Cát Bi"),
            "{b}"
        );
        assert!(body.contains("<b>7</b> lượt người dân được hỗ trợ"), "{b}");
        let (s, _) = qn.get("/thanh-pho/xa/an-hoa", Some(&qn_coord)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{b}: a commune of another city");
        let (s, _) = a
            .get("/thanh-pho", Some(&a.user("dieuphoi2", Role::Coordinator, None).await))
            .await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{b}");
    }
}

#[tokio::test]
async fn the_city_board_shows_the_city_plans_targets_over_its_communes() {
    for mut t in TestApp::all_on(kehoach_core::Day::from_ymd(2026, 7, 20).unwrap()).await {
        let b = t.backend;
        t.serve_all_communes();
        let hp = t
            .add_city_with(
                "thành phố Hải Phòng",
                "hai-phong.test",
                Some(kehoach_core::plan::starter::sample_city_plan()),
            )
            .await;
        let an_hoa = t
            .add_commune_of(Some(&hp.commune.id), "xã An Hòa", "an-hoa.hai-phong.test")
            .await;
        let tan_lap = t
            .add_commune_of(Some(&hp.commune.id), "xã Tân Lập", "tan-lap.hai-phong.test")
            .await;
        // An Hòa holds a "Bình dân học vụ số" class; Tân Lập none yet.
        let coord = an_hoa.coordinator().await;
        let village = an_hoa.unit_by_slug("thon-mau-1").await;
        let (s, j) = an_hoa
            .api(
                "POST",
                "/api/v1/sessions",
                Some(&coord),
                serde_json::json!({"id": uuid::Uuid::now_v7().to_string(), "line_id": "l4-binh-dan-hoc-vu-so",
                    "unit_id": village.id, "kind": "guidance", "status": "held", "day": "2026-07-10"}),
            )
            .await;
        assert!(s.is_success(), "{b}: {j}");
        assert!(!tan_lap.commune.is_city(), "{b}");
        let reader = hp.coordinator().await;
        let (s, body) = hp.get("/thanh-pho?ngay=20/07/2026", Some(&reader)).await;
        assert_eq!(s, StatusCode::OK, "{b}: {body}");
        assert!(body.contains("Chỉ tiêu của thành phố"), "{b}: {body}");
        let table = &body[body.find("city-targets").expect("the city's targets")..];
        let table = &table[..table.find("</table>").unwrap()];
        let row = |id: &str| {
            let at = table
                .find(&format!("<b>{id}</b>"))
                .unwrap_or_else(|| panic!("{b}: {id} in {table}"));
            let rest = &table[at..];
            rest[..rest.find("</tr>").unwrap()].to_string()
        };
        let tp3 = row("TP3");
        assert!(tp3.contains("xã Tân Lập") && !tp3.contains("xã An Hòa"), "{b}: {tp3}");
        let tp1 = row("TP1");
        assert!(tp1.contains("0 / 2 xã"), "{b}: no commune has propaganda yet: {tp1}");
        let tp4 = row("TP4");
        assert!(tp4.contains("0 / 2 xã"), "{b}: no commune meets T6 yet: {tp4}");

        // The workbook of all communes: the communes, the city's targets,
        // and each record kind with a commune column.
        let (s, headers, bytes) = hp
            .get_bytes("/thanh-pho/so-lieu.xlsx?ngay=20/07/2026", Some(&reader))
            .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        assert!(
            headers
                .iter()
                .any(|(k, v)| k == "content-type" && v.contains("spreadsheetml")),
            "{b}"
        );
        use calamine::{Data, Reader, Xlsx};
        let mut book: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let names = book.sheet_names();
        assert_eq!(
            names[..3],
            ["Các xã, phường", "Chỉ tiêu thành phố", "Buổi hoạt động"],
            "{b}: {names:?}"
        );
        let communes: Vec<Vec<Data>> = book
            .worksheet_range("Các xã, phường")
            .unwrap()
            .rows()
            .map(|r| r.to_vec())
            .collect();
        assert_eq!(communes.len(), 3, "{b}: a header and two communes");
        let sessions: Vec<Vec<Data>> = book
            .worksheet_range("Buổi hoạt động")
            .unwrap()
            .rows()
            .map(|r| r.to_vec())
            .collect();
        assert_eq!(sessions[0][0], Data::String("Xã, phường".into()), "{b}");
        assert_eq!(sessions.len(), 2, "{b}: An Hòa's one session: {sessions:?}");
        assert_eq!(sessions[1][0], Data::String("xã An Hòa".into()), "{b}");
        // Not a city's address, not a reader: refused.
        let (s, _, _) = an_hoa.get_bytes("/thanh-pho/so-lieu.xlsx", Some(&coord)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{b}: a commune's address has no city pages");
        let (s, _, _) = hp
            .get_bytes("/thanh-pho/so-lieu.xlsx?ngay=32/13/2026", Some(&reader))
            .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    }
}
