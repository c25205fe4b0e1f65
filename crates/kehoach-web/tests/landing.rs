//! Each person lands where their work is, sees a menu of the pages they can
//! open (the role's few first, the rest behind "Thêm"), and a unit's
//! reporter sees their own unit's figures, not other units'.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use kehoach_store::Role;

#[tokio::test]
async fn each_role_lands_on_its_own_page_with_only_the_links_it_can_open() {
    let t = TestApp::all().await.remove(0);
    let v1 = t.unit_by_slug("thon-mau-1").await;
    let v2 = t.unit_by_slug("thon-mau-2").await;
    let cases = [
        (t.coordinator().await, "/theo-doi"),
        (t.user("lanhdao", Role::Viewer, None).await, "/theo-doi"),
        (
            t.user("bc.thon1", Role::UnitReporter, Some(&v1.id)).await,
            "/don-vi-cua-toi",
        ),
        (t.user("tnv", Role::Volunteer, Some(&v1.id)).await, "/ca-cua-toi"),
        (t.user("giamkhao", Role::Judge, None).await, "/cham-thi"),
    ];
    for (who, home) in &cases {
        let (s, headers, _) = t
            .send(
                axum::http::Request::get("/")
                    .header("host", "kehoach.test")
                    .header("cookie", &who.cookie)
                    .body(axum::body::Body::empty())
                    .unwrap(),
            )
            .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{}", who.name);
        let location = headers.iter().find(|(k, _)| k == "location").map(|(_, v)| v.as_str());
        assert_eq!(location, Some(*home), "{} lands on {home}", who.name);
        // Their page, and its menu: the API only for the coordinator.
        let (_, page) = t.get("/ke-hoach", Some(who)).await;
        let nav = &page[page.find("<nav>").unwrap()..page.find("</nav>").unwrap()];
        assert_eq!(nav.contains("/api/docs"), who.name == "dieuphoi", "{}: {nav}", who.name);
        let primary = nav.split("<details").next().unwrap().matches("<a href").count();
        assert!(
            (1..=4).contains(&primary),
            "{}: {primary} links before “Thêm”: {nav}",
            who.name
        );
        assert!(
            !nav.contains("/doi-hinh") || who.name == "dieuphoi",
            "{}: {nav}",
            who.name
        );
    }
    // The reporter's unit page: what to record and their own figures only.
    let (s, page) = t.get("/don-vi-cua-toi", Some(&cases[2].0)).await;
    assert_eq!(s, StatusCode::OK);
    assert!(
        page.contains(&v1.name) && page.contains("Ghi lượt hỗ trợ người dân"),
        "{page}"
    );
    assert!(page.contains("(T6)"), "its share of T6: {page}");
    assert!(!page.contains(&v2.name), "no other village's figures: {page}");
}
