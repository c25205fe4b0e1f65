//! The propaganda log: a mobile trip in a village counts as a propaganda
//! session (T5 moves, the aggregates stay equal to a rebuild), a post does
//! not; the report counts entries per channel; bad input is refused with a
//! code; a retried entry is stored once. SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::TestApp;
use kehoach_store::Role;
use serde_json::json;

/// Thôn mẫu 1, the coordinator, the propaganda centre's staff (the line's
/// lead unit) and a village reporter.
struct Cast {
    village: kehoach_store::UnitRow,
    coord: common::Session,
    staff: common::Session,
    other: common::Session,
}

async fn cast(t: &TestApp) -> Cast {
    let village = t.unit_by_slug("thon-mau-1").await;
    let centre = t.unit_by_slug("ttdvsnc").await;
    Cast {
        coord: t.coordinator().await,
        staff: t.user("trungtam", Role::UnitReporter, Some(&centre.id)).await,
        other: t.user("thon1", Role::UnitReporter, Some(&village.id)).await,
        village,
    }
}

/// T5 (propaganda and guidance sessions) on a board.
fn t5(board: &serde_json::Value) -> f64 {
    board["targets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "T5")
        .unwrap()["value"]
        .as_f64()
        .unwrap()
}

#[tokio::test]
async fn mobile_propaganda_counts_as_a_session_and_posts_count_per_channel() {
    for t in TestApp::all().await {
        let b = t.backend;
        let Cast {
            village,
            coord,
            staff,
            other,
        } = cast(&t).await;
        let (_, before) = t
            .api("GET", "/api/v1/board?as_of=2026-07-31", Some(&coord), json!(null))
            .await;
        let trip_id = uuid::Uuid::now_v7().to_string();
        let trip = json!({"id": trip_id, "channel": "luu-dong", "day": "2026-07-10", "unit_id": village.id,
            "topic": "Tuyên truyền, nâng cao nhận thức về chuyển đổi số;"});
        // The centre's staff log it (the line's lead unit); a village reporter may not.
        let (st, _) = t.api("POST", "/api/v1/propaganda", Some(&other), trip.clone()).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{b}");
        let (st, _) = t.api("POST", "/api/v1/propaganda", Some(&staff), trip.clone()).await;
        assert_eq!(st, StatusCode::CREATED, "{b}");
        let (st, _) = t.api("POST", "/api/v1/propaganda", Some(&staff), trip).await;
        assert_eq!(st, StatusCode::OK, "{b}: a retry stores nothing new");
        let (st, _) = t
            .api(
                "POST",
                "/api/v1/propaganda",
                Some(&coord),
                json!({"id": uuid::Uuid::now_v7().to_string(), "channel": "fanpage", "day": "2026-07-11",
                    "link": "https://www.facebook.com/vinhthinh/posts/1"}),
            )
            .await;
        assert_eq!(st, StatusCode::CREATED, "{b}");
        let (_, after) = t
            .api("GET", "/api/v1/board?as_of=2026-07-31", Some(&coord), json!(null))
            .await;
        assert_eq!(
            t5(&after),
            t5(&before) + 1.0,
            "{b}: the mobile trip is one more propaganda session; the post is not"
        );
        t.aggregates_equal_a_rebuild().await;
        let (_, report) = t.get("/bao-cao?ngay=31/07/2026", Some(&coord)).await;
        assert!(
            report.contains(
                "Công tác tuyên truyền được ghi nhận theo từng kênh: Fanpage: 1; Tuyên truyền lưu động tại các thôn: 1."
            ),
            "{b}"
        );
        let (_, page) = t.get("/tuyen-truyen", Some(&staff)).await;
        assert!(page.contains("https://www.facebook.com/vinhthinh/posts/1"), "{b}");

        for (body, code, field) in [
            (
                json!({"channel": "luu-dong", "day": "2026-07-12"}),
                "unit_not_village",
                "unit_id",
            ),
            (
                json!({"channel": "tivi", "day": "2026-07-12"}),
                "channel_unknown",
                "channel",
            ),
            (
                json!({"channel": "fanpage", "day": "2026-07-12", "link": "facebook.com/x"}),
                "link_invalid",
                "link",
            ),
            (
                json!({"channel": "fanpage", "day": "2026-09-12"}),
                "day_outside_window",
                "day",
            ),
            (
                json!({"channel": "fanpage", "day": "2026-07-12", "topic": "Chủ đề khác"}),
                "topic_unknown",
                "topic",
            ),
        ] {
            let mut body = body;
            body["id"] = json!(uuid::Uuid::now_v7().to_string());
            let (st, err) = t.api("POST", "/api/v1/propaganda", Some(&coord), body).await;
            assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}: {code}");
            assert_eq!(
                (err["error"]["code"].as_str(), err["error"]["field"].as_str()),
                (Some(code), Some(field)),
                "{b}"
            );
        }
        assert_eq!(
            t.store.propaganda(&t.plan_id, 50).await.unwrap().len(),
            2,
            "{b}: refusals stored nothing"
        );
        t.store.close().await;
    }
}

/// An entry logged by mistake is withdrawn with a reason: a mobile trip's
/// session stops counting (T5 back, aggregates equal to a rebuild), the
/// entry leaves the list and the per-channel counts, the audit keeps it. A
/// second withdrawal changes nothing; no reason, an unknown id or a village
/// reporter are refused. Deleting the trip's session from the sessions page
/// withdraws its log entry too.
#[tokio::test]
async fn an_entry_logged_by_mistake_is_withdrawn_with_its_session() {
    for t in TestApp::all().await {
        let b = t.backend;
        let Cast {
            village,
            coord,
            staff,
            other,
        } = cast(&t).await;
        let board = || t.api("GET", "/api/v1/board?as_of=2026-07-31", Some(&coord), json!(null));
        let (_, before) = board().await;
        let trip = |id: &str| json!({"id": id, "channel": "luu-dong", "day": "2026-07-10", "unit_id": village.id});
        let (first, second) = (uuid::Uuid::now_v7().to_string(), uuid::Uuid::now_v7().to_string());
        for id in [&first, &second] {
            let (st, _) = t.api("POST", "/api/v1/propaganda", Some(&staff), trip(id)).await;
            assert_eq!(st, StatusCode::CREATED, "{b}");
        }
        let (_, logged) = board().await;
        assert_eq!(t5(&logged), t5(&before) + 2.0, "{b}");

        let path = format!("/api/v1/propaganda/{first}");
        let (st, err) = t.api("DELETE", &path, Some(&staff), json!({})).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
        assert_eq!(err["error"]["code"], "reason_required", "{b}");
        let (st, _) = t.api("DELETE", &path, Some(&other), json!({"reason": "Nhầm"})).await;
        assert_eq!(st, StatusCode::FORBIDDEN, "{b}");
        let (st, _) = t
            .api(
                "DELETE",
                &format!("/api/v1/propaganda/{}", uuid::Uuid::now_v7()),
                Some(&staff),
                json!({"reason": "Nhầm"}),
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{b}");
        let (st, row) = t
            .api("DELETE", &path, Some(&staff), json!({"reason": "Ghi trùng"}))
            .await;
        assert_eq!(st, StatusCode::OK, "{b}: {row}");
        let (st, _) = t
            .api("DELETE", &path, Some(&staff), json!({"reason": "Ghi trùng"}))
            .await;
        assert_eq!(st, StatusCode::OK, "{b}: again, nothing changes");
        let (_, after) = board().await;
        assert_eq!(
            t5(&after),
            t5(&before) + 1.0,
            "{b}: the withdrawn trip no longer counts"
        );
        let session = t.store.activity_session(&t.plan_id, &first).await.unwrap();
        assert!(session.deleted_at.is_some(), "{b}: its session is deleted too");
        let counts = t.store.propaganda_counts(&t.plan_id, "2026-07-31").await.unwrap();
        assert_eq!(
            counts.get("luu-dong"),
            Some(&1),
            "{b}: per channel, the withdrawn one is gone"
        );
        let audit = t.store.audit(&t.plan_id, Some(&village.id), 50).await.unwrap();
        assert!(
            audit.iter().any(|a| a.entity == "propaganda"
                && a.entity_id == first
                && a.action == "delete"
                && a.detail.contains("Ghi trùng")),
            "{b}: the audit keeps it: {audit:?}"
        );
        let left = t.store.propaganda(&t.plan_id, 50).await.unwrap();
        assert_eq!(
            left.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            [second.as_str()],
            "{b}"
        );
        t.aggregates_equal_a_rebuild().await;

        // The page offers it, with a reason; the form withdraws the other one.
        let (_, page) = t.get("/tuyen-truyen", Some(&staff)).await;
        assert!(page.contains(&format!("/tuyen-truyen/{second}/xoa")), "{b}");
        let (st, location, body) = t
            .form(&format!("/tuyen-truyen/{second}/xoa"), Some(&staff), &[("reason", "")])
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}: {location:?}");
        assert!(body.contains("Lý do: cần ghi lý do khi xóa."), "{b}");
        // Deleting the trip's session from the sessions page withdraws the entry too.
        let (st, _) = t
            .api(
                "DELETE",
                &format!("/api/v1/sessions/{second}"),
                Some(&coord),
                json!({"reason": "Không tổ chức"}),
            )
            .await;
        assert_eq!(st, StatusCode::OK, "{b}");
        assert!(t.store.propaganda(&t.plan_id, 50).await.unwrap().is_empty(), "{b}");
        let (_, page) = t.get("/tuyen-truyen", Some(&staff)).await;
        assert!(page.contains("Chưa ghi mục nào."), "{b}: an empty log says so");
        let (_, end) = board().await;
        assert_eq!(t5(&end), t5(&before), "{b}");
        t.store.close().await;
    }
}
