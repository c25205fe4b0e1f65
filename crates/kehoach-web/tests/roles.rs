//! Every write route, tried by every role and unit: only the allowed ones
//! succeed, and refused attempts change nothing. Runs on SQLite and PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::{Session, TestApp};
use kehoach_store::testing;
use kehoach_store::{ActivitySessionRow, ClassRow, PersonRow, ReminderRow, Role, ShiftRow, TeamRow, UnitRow};
use serde_json::json;

fn turn(unit: &str) -> serde_json::Value {
    json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": unit, "service": "asxh-vneid", "day": "2026-07-15"})
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Who {
    Anonymous,
    Coordinator,
    VillageReporter,
    SchoolReporter,
    Volunteer,
    Judge,
    Viewer,
}

/// A 1×1 PNG.
const TINY_PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3A, 0x7E, 0x9B, 0x55, 0x00, 0x00, 0x00, 0x0A, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0xE5, 0x27, 0xDE, 0xFC, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

fn session_body(f: &Fixture, id: &str) -> serde_json::Value {
    json!({"id": id, "line_id": "l4-binh-dan-hoc-vu-so", "unit_id": f.village.id, "kind": "guidance", "status": "held", "day": "2026-07-10"})
}

enum Door {
    Raw {
        path: String,
        body: fn(&Fixture, &str) -> Vec<u8>,
    },
    Api {
        method: &'static str,
        path: String,
        body: fn(&Fixture, &str) -> serde_json::Value,
    },
    Form {
        path: String,
        fields: fn(&Fixture, &str) -> Vec<(String, String)>,
    },
    /// A page's file upload: one multipart field.
    Upload {
        path: String,
        field: &'static str,
        file: fn(&Fixture, &str) -> Vec<u8>,
    },
}

struct Route {
    name: &'static str,
    door: Door,
    allowed: &'static [Who],
}

/// Writes that answer to something other than a role, and why.
const NOT_BY_ROLE: &[(&str, &str, &str)] = &[
    ("POST", "/api/v1/login", "anyone may try to log in"),
    ("POST", "/dang-nhap", "anyone may try to log in"),
    ("POST", "/api/v1/logout", "ends the caller's own session"),
    ("POST", "/dang-xuat", "ends the caller's own session"),
    ("POST", "/moi/{token}", "an invite is its own key (tests/http.rs)"),
    (
        "POST",
        "/cong-khai/cuoc-thi/{id}",
        "the public entry form (tests/contests.rs)",
    ),
    (
        "POST",
        "/cong-khai/bien-nhan/{code}/rut",
        "a receipt code is its own key (tests/contests.rs)",
    ),
    (
        "POST",
        "/cong-khai/bien-nhan/{code}/thay",
        "a receipt code is its own key (tests/contests.rs)",
    ),
    (
        "POST",
        "/ke-hoach/nhap",
        "reads a plan, writes nothing (tests/plan_import.rs)",
    ),
    (
        "POST",
        "/ke-hoach/nhap/kiem-tra",
        "checks a plan, writes nothing (tests/plan_import.rs)",
    ),
    (
        "POST",
        "/ke-hoach/nhap/kich-hoat",
        "coordinator only (tests/plan_import.rs)",
    ),
    (
        "POST",
        "/danh-sach/nhap",
        "a preview: writes nothing, refuses each row outside the caller's units, and saving re-checks",
    ),
    (
        "POST",
        "/danh-sach/luu",
        "saves only the caller's own preview, bound to the account and re-checked per row",
    ),
    (
        "POST",
        "/ca/{id}/dang-ky",
        "signs up the caller's own linked member; no one else can be named",
    ),
    (
        "POST",
        "/ca/{id}/huy-dang-ky",
        "withdraws the caller's own linked member; no one else can be named",
    ),
    (
        "DELETE",
        "/api/v1/shifts/{id}/signups/mine",
        "withdraws the caller's own linked member; no one else can be named",
    ),
];

/// Contest routes: `tests/contests.rs` tries each with every role (the
/// organisers, the jury, the others), since who may act depends on the
/// contest's lead unit and jury.
const CONTEST_ROUTES: &[&str] = &["/api/v1/contests/", "/cuoc-thi/", "/cham-thi/"];

/// The router's write routes (read from `src/router.rs`, so that a new
/// route cannot escape this test): method and path pattern.
fn router_writes() -> Vec<(String, String)> {
    let src = include_str!("../src/router.rs");
    let api_at = src.find("fn api_routes()").expect("the API router");
    let pages_at = src.find("fn page_routes()").expect("the pages router");
    let mut out = Vec::new();
    for (section, prefix) in [(&src[api_at..pages_at], "/api/v1"), (&src[pages_at..], "")] {
        for piece in section.split(".route(").skip(1) {
            let Some(path) = piece.split('"').nth(1) else { continue };
            for method in ["post", "put", "patch", "delete"] {
                if piece.contains(&format!("{method}(")) {
                    out.push((method.to_uppercase(), format!("{prefix}{path}")));
                }
            }
        }
    }
    out
}

/// Whether `path` (without its query) fits the router's `pattern`.
fn fits(pattern: &str, path: &str) -> bool {
    let path = path.split('?').next().unwrap_or(path);
    let (p, q): (Vec<&str>, Vec<&str>) = (pattern.split('/').collect(), path.split('/').collect());
    p.len() == q.len()
        && p.iter()
            .zip(&q)
            .all(|(a, b)| a == b || (a.starts_with('{') && !b.is_empty()))
}

/// Every write route of the router is tried by every role here, or is named
/// in [`NOT_BY_ROLE`] with its reason.
fn covers_every_write_route(routes: &[Route]) {
    let writes = router_writes();
    assert!(
        writes.len() > 60,
        "only {} write routes read: the scan is broken",
        writes.len()
    );
    let tried: Vec<(&str, &str)> = routes
        .iter()
        .map(|r| match &r.door {
            Door::Api { method, path, .. } => (*method, path.as_str()),
            Door::Raw { path, .. } | Door::Form { path, .. } | Door::Upload { path, .. } => ("POST", path.as_str()),
        })
        .collect();
    let missing: Vec<String> = writes
        .iter()
        .filter(|(m, p)| !NOT_BY_ROLE.iter().any(|(em, ep, _)| em == m && ep == p))
        .filter(|(_, p)| !CONTEST_ROUTES.iter().any(|c| p.starts_with(c)))
        .filter(|(m, p)| !tried.iter().any(|(tm, tp)| tm == m && fits(p, tp)))
        .map(|(m, p)| format!("{m} {p}"))
        .collect();
    assert!(
        missing.is_empty(),
        "write routes no role test tries:\n{}",
        missing.join("\n")
    );
}

/// What the routes act on, made before any role tries them.
struct Fixture {
    village: UnitRow,
    other_village: UnitRow,
    school: UnitRow,
    union: UnitRow,
    class: ClassRow,
    held: ActivitySessionRow,
    person: PersonRow,
    youth: PersonRow,
    shift: ShiftRow,
    set_up_team: TeamRow,
    to_cancel: Vec<String>,
    to_withdraw: Vec<String>,
    to_revoke: String,
    to_reissue: String,
    reminder: ReminderRow,
    victim: Session,
    /// A second held session, deleted through the form.
    to_delete: ActivitySessionRow,
    /// A support turn recorded by another coordinator.
    turn_id: String,
}

async fn set_up(t: &TestApp) -> Fixture {
    let village = t.unit_by_slug("thon-mau-1").await;
    let setup_user = t.user("thietlap", Role::Coordinator, None).await;
    let session = || {
        testing::session(
            &t.plan_id,
            "l4-binh-dan-hoc-vu-so",
            &village.id,
            "guidance",
            &setup_user.user_id,
        )
        .held()
    };
    let (held, _) = t.store.create_activity_session(session(), 0).await.unwrap();
    let (to_delete, _) = t.store.create_activity_session(session(), 0).await.unwrap();
    let turn_id = uuid::Uuid::now_v7().to_string();
    let mut one = turn(&village.id);
    one["id"] = json!(turn_id);
    let (s, j) = t.api("POST", "/api/v1/turns", Some(&setup_user), one).await;
    assert!(s.is_success(), "{j}");
    let person = testing::add_person(
        &t.store,
        &t.plan_id,
        "children",
        testing::person("Đỗ Thị Hạnh", 2010, &village.id),
        &setup_user.user_id,
    )
    .await;
    // Two pending invites: one to revoke, one to re-issue.
    for note in ["thu hồi", "cấp lại"] {
        t.store
            .create_invite(
                &t.plan_id,
                kehoach_store::NewInvite {
                    role: Role::Viewer,
                    unit_id: None,
                    note: Some(note.into()),
                    created_by: Some(setup_user.user_id.clone()),
                    ttl_secs: 3600,
                },
                t.clock.now(),
            )
            .await
            .unwrap();
    }
    let invites = t.store.list_invites(&t.plan_id).await.unwrap();
    let invite_id = |note: &str| {
        invites
            .iter()
            .find(|i| i.note.as_deref() == Some(note))
            .map(|i| i.id.clone())
            .unwrap()
    };
    let (to_revoke, to_reissue) = (invite_id("thu hồi"), invite_id("cấp lại"));
    let other_village = t.unit_by_slug("thon-mau-2").await;
    let school = t.unit_by_slug("th-trung-lap").await;
    let union = t.unit_by_slug("doan-tn").await;
    let class = t
        .store
        .add_class(&t.plan_id, &school.id, "1A", Some(30), 0)
        .await
        .unwrap();

    // A youth-union member and a shift a month from now (sign-ups need a future shift).
    let youth = testing::add_person(
        &t.store,
        &t.plan_id,
        "youth_members",
        testing::person("Lê Văn Đoàn", 2001, &union.id),
        &setup_user.user_id,
    )
    .await;
    let shift = t
        .store
        .create_shift(
            testing::shift(
                &t.plan_id,
                &village.id,
                common::test_day().plus(30),
                &setup_user.user_id,
            ),
            0,
        )
        .await
        .unwrap();
    let set_up_team = t
        .store
        .create_team(&t.plan_id, "Đội hình thiết lập", None, &[], &[], &setup_user.user_id, 0)
        .await
        .unwrap();
    let mut to_cancel = Vec::new();
    for _ in 0..2 {
        let s = t
            .store
            .create_shift(
                testing::shift(
                    &t.plan_id,
                    &village.id,
                    common::test_day().plus(40),
                    &setup_user.user_id,
                ),
                0,
            )
            .await
            .unwrap();
        to_cancel.push(s.id);
    }
    // Two log entries to withdraw (one by API, one by form).
    let mut to_withdraw = Vec::new();
    for _ in 0..2 {
        let id = uuid::Uuid::now_v7().to_string();
        t.store
            .create_propaganda(
                kehoach_store::NewPropaganda {
                    id: id.clone(),
                    plan_id: t.plan_id.clone(),
                    line_id: "l2-propaganda".into(),
                    channel: "zalo".into(),
                    day: "2026-07-05".into(),
                    topic: None,
                    link: None,
                    note: None,
                    unit_id: None,
                    as_session: false,
                    created_by: setup_user.user_id.clone(),
                },
                0,
            )
            .await
            .unwrap();
        to_withdraw.push(id);
    }
    let victim = t.user("nannhan", Role::Viewer, None).await;
    let (reminder, _) = t
        .store
        .create_reminder(
            kehoach_store::NewReminder {
                id: uuid::Uuid::now_v7().to_string(),
                plan_id: t.plan_id.clone(),
                unit_id: village.id.clone(),
                target_id: Some("T6".into()),
                as_of: None,
                message: "Đề nghị thôn đẩy nhanh tiến độ.".into(),
                sent_by: setup_user.user_id.clone(),
            },
            0,
        )
        .await
        .unwrap();
    Fixture {
        village,
        other_village,
        school,
        union,
        class,
        held,
        person,
        youth,
        shift,
        set_up_team,
        to_cancel,
        to_withdraw,
        to_revoke,
        to_reissue,
        reminder,
        victim,
        to_delete,
        turn_id,
    }
}

/// Every write route with the roles it admits.
fn routes(f: &Fixture) -> Vec<Route> {
    let Fixture {
        village,
        other_village,
        school,
        class,
        held,
        person,
        shift,
        set_up_team,
        to_cancel,
        to_withdraw,
        to_revoke,
        to_reissue,
        reminder,
        victim,
        to_delete,
        turn_id,
        ..
    } = f;
    use Who::*;
    vec![
        Route {
            name: "api create unit",
            door: Door::Api {
                method: "POST",
                path: "/api/v1/units".into(),
                body: |_, k| json!({"name": format!("Thôn API {k}"), "kind": "village"}),
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "api update unit",
            door: Door::Api {
                method: "PATCH",
                path: format!("/api/v1/units/{}", other_village.id),
                body: |_, k| json!({"short_name": format!("T2 {k}")}),
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "api set population",
            door: Door::Api {
                method: "PUT",
                path: format!("/api/v1/units/{}/populations/children", village.id),
                body: |_, k| json!({"value": k.len() as i64 * 10}),
            },
            allowed: &[Coordinator, VillageReporter],
        },
        Route {
            name: "api add class",
            door: Door::Api {
                method: "POST",
                path: format!("/api/v1/units/{}/classes", school.id),
                body: |_, k| json!({"name": format!("2{k}")}),
            },
            allowed: &[Coordinator, SchoolReporter],
        },
        Route {
            name: "api update class",
            door: Door::Api {
                method: "PATCH",
                path: format!("/api/v1/classes/{}", class.id),
                body: |_, _| json!({"active": true}),
            },
            allowed: &[Coordinator, SchoolReporter],
        },
        Route {
            name: "api create user",
            door: Door::Api {
                method: "POST",
                path: "/api/v1/users".into(),
                body: |_, k| json!({"username": format!("api.{}", k.to_lowercase()), "full_name": "Lê Văn An", "role": "viewer", "password": "mat-khau-dai-2026"}),
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "api update user",
            door: Door::Api {
                method: "PATCH",
                path: format!("/api/v1/users/{}", victim.user_id),
                body: |_, k| json!({"full_name": format!("Nạn nhân {k}")}),
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "api create invite",
            door: Door::Api {
                method: "POST",
                path: "/api/v1/invites".into(),
                body: |_, _| json!({"role": "viewer"}),
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "api record turn",
            door: Door::Api {
                method: "POST",
                path: "/api/v1/turns".into(),
                body: |f, _| turn(&f.village.id.clone()),
            },
            allowed: &[Coordinator, VillageReporter, Volunteer],
        },
        Route {
            name: "api record turn batch",
            door: Door::Api {
                method: "POST",
                path: "/api/v1/turns/batch".into(),
                body: |f, _| json!({"turns": [turn(&f.village.id.clone())]}),
            },
            allowed: &[Coordinator, VillageReporter, Volunteer],
        },
        Route {
            name: "api create session",
            door: Door::Api {
                method: "POST",
                path: "/api/v1/sessions".into(),
                body: |f, _| session_body(f, &uuid::Uuid::now_v7().to_string()),
            },
            allowed: &[Coordinator, VillageReporter],
        },
        Route {
            name: "api update session",
            door: Door::Api {
                method: "PUT",
                path: format!("/api/v1/sessions/{}", held.id),
                body: |f, k| {
                    let mut b = session_body(f, &f.held.id);
                    b["note"] = json!(format!("Ghi chú {k}"));
                    b
                },
            },
            allowed: &[Coordinator, VillageReporter],
        },
        Route {
            name: "api session status",
            door: Door::Api {
                method: "POST",
                path: format!("/api/v1/sessions/{}/status", held.id),
                body: |_, _| json!({"status": "held"}),
            },
            allowed: &[Coordinator, VillageReporter],
        },
        Route {
            name: "api check in",
            door: Door::Api {
                method: "POST",
                path: format!("/api/v1/sessions/{}/attendance", held.id),
                body: |f, _| json!({"person_id": f.person.id.clone()}),
            },
            allowed: &[Coordinator, VillageReporter],
        },
        Route {
            name: "api remove attendance",
            door: Door::Api {
                method: "DELETE",
                path: format!("/api/v1/sessions/{}/attendance/{}", held.id, person.id),
                body: |_, _| json!(null),
            },
            allowed: &[Coordinator, VillageReporter],
        },
        Route {
            name: "api update person",
            door: Door::Api {
                method: "PATCH",
                path: format!("/api/v1/people/{}", person.id),
                body: |_, _| json!({"active": true}),
            },
            allowed: &[Coordinator, VillageReporter],
        },
        Route {
            name: "api import roster",
            door: Door::Raw {
                path: format!("/api/v1/rosters/children/import?save=true&unit_id={}", village.id),
                body: |_, k| format!("Họ và tên,Năm sinh\nNgười {k},2011\n").into_bytes(),
            },
            allowed: &[Coordinator, VillageReporter],
        },
        Route {
            name: "form create unit",
            door: Door::Form {
                path: "/don-vi".into(),
                fields: |_, k| {
                    vec![
                        ("name".into(), format!("Thôn Form {k}")),
                        ("kind".into(), "village".into()),
                    ]
                },
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "form update unit",
            door: Door::Form {
                path: format!("/don-vi/{}", other_village.id),
                fields: |_, k| {
                    vec![
                        ("name".into(), "Thôn mẫu 2 (dữ liệu mẫu)".into()),
                        ("short_name".into(), format!("F {k}")),
                        ("active".into(), "on".into()),
                    ]
                },
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "form set population",
            door: Door::Form {
                path: format!("/don-vi/{}/dan-so", village.id),
                fields: |_, k| vec![("children".into(), format!("{}", k.len() * 10))],
            },
            allowed: &[Coordinator, VillageReporter],
        },
        Route {
            name: "form add class",
            door: Door::Form {
                path: format!("/don-vi/{}/lop", school.id),
                fields: |_, k| vec![("name".into(), format!("3{k}"))],
            },
            allowed: &[Coordinator, SchoolReporter],
        },
        Route {
            name: "form update class",
            door: Door::Form {
                path: format!("/lop/{}", class.id),
                fields: |_, _| vec![("active".into(), "1".into())],
            },
            allowed: &[Coordinator, SchoolReporter],
        },
        Route {
            name: "form create user",
            door: Door::Form {
                path: "/nguoi-dung".into(),
                fields: |_, k| {
                    vec![
                        ("username".into(), format!("form.{}", k.to_lowercase())),
                        ("full_name".into(), "Phạm Thị Lan".into()),
                        ("role".into(), "viewer".into()),
                        ("password".into(), "mat-khau-dai-2026".into()),
                    ]
                },
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "form update user",
            door: Door::Form {
                path: format!("/nguoi-dung/{}", victim.user_id),
                fields: |_, k| {
                    vec![
                        ("full_name".into(), format!("Nạn nhân {k}")),
                        ("role".into(), "viewer".into()),
                        ("active".into(), "on".into()),
                    ]
                },
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "form create invite",
            door: Door::Form {
                path: "/loi-moi".into(),
                fields: |_, _| vec![("role".into(), "viewer".into())],
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "form revoke invite",
            door: Door::Form {
                path: format!("/nguoi-dung/loi-moi/{to_revoke}/thu-hoi"),
                fields: |_, _| vec![],
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "form re-issue invite",
            door: Door::Form {
                path: format!("/nguoi-dung/loi-moi/{to_reissue}/cap-lai"),
                fields: |_, _| vec![],
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "form paste a list to create unit",
            door: Door::Form {
                path: "/don-vi/nhieu".into(),
                fields: |_, k| {
                    vec![
                        ("names".into(), format!("1. Thôn Danh Sách {k}\n")),
                        ("kind".into(), "village".into()),
                    ]
                },
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "api add photo",
            door: Door::Raw {
                path: format!("/api/v1/sessions/{}/photos", held.id),
                body: |_, _| TINY_PNG.to_vec(),
            },
            allowed: &[Coordinator, VillageReporter],
        },
        Route {
            name: "form create session",
            door: Door::Form {
                path: "/buoi".into(),
                fields: |f, _| {
                    vec![
                        ("id".into(), uuid::Uuid::now_v7().to_string()),
                        ("line_id".into(), "l4-binh-dan-hoc-vu-so".into()),
                        ("unit_id".into(), f.village.id.clone()),
                        ("kind".into(), "guidance".into()),
                        ("status".into(), "held".into()),
                        ("day".into(), "2026-07-11".into()),
                        ("topics".into(), "Hỗ trợ người cao tuổi tiếp cận các dịch vụ số.".into()),
                    ]
                },
            },
            allowed: &[Coordinator, VillageReporter],
        },
        Route {
            name: "form update session",
            door: Door::Form {
                path: format!("/buoi/{}", held.id),
                fields: |f, k| {
                    vec![
                        ("id".into(), f.held.id.clone()),
                        ("line_id".into(), "l4-binh-dan-hoc-vu-so".into()),
                        ("unit_id".into(), f.village.id.clone()),
                        ("kind".into(), "guidance".into()),
                        ("status".into(), "held".into()),
                        ("day".into(), "2026-07-10".into()),
                        ("note".into(), format!("Sửa bởi {k}")),
                    ]
                },
            },
            allowed: &[Coordinator, VillageReporter],
        },
        Route {
            name: "form session status",
            door: Door::Form {
                path: format!("/buoi/{}/trang-thai", held.id),
                fields: |_, _| vec![("status".into(), "held".into())],
            },
            allowed: &[Coordinator, VillageReporter],
        },
        Route {
            name: "form check in",
            door: Door::Form {
                path: format!("/buoi/{}/diem-danh", held.id),
                fields: |f, _| vec![("person_id".into(), f.person.id.clone())],
            },
            allowed: &[Coordinator, VillageReporter],
        },
        Route {
            name: "form remove attendance",
            door: Door::Form {
                path: format!("/buoi/{}/bo-diem-danh", held.id),
                fields: |f, _| vec![("person_id".into(), f.person.id.clone())],
            },
            allowed: &[Coordinator, VillageReporter],
        },
        Route {
            name: "form person leaves",
            door: Door::Form {
                path: format!("/danh-sach/{}", person.id),
                fields: |_, _| vec![("active".into(), "1".into())],
            },
            allowed: &[Coordinator, VillageReporter],
        },
        Route {
            name: "api link person",
            door: Door::Api {
                method: "PUT",
                path: format!("/api/v1/users/{}/person", victim.user_id),
                body: |_, _| json!({"person_id": null}),
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "form link person",
            door: Door::Form {
                path: format!("/nguoi-dung/{}/doan-vien", victim.user_id),
                fields: |_, _| vec![("person_id".into(), String::new())],
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "api send reminder",
            door: Door::Api {
                method: "POST",
                path: "/api/v1/reminders".into(),
                body: |f, _| json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": f.village.id.clone(), "target_id": "T6"}),
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "form send reminder",
            door: Door::Form {
                path: "/nhac-nho".into(),
                fields: |f, key| {
                    vec![
                        ("id".into(), uuid::Uuid::now_v7().to_string()),
                        ("unit_id".into(), f.village.id.clone()),
                        ("message".into(), format!("Nhắc nhở thử quyền {key}")),
                    ]
                },
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "api mark reminder read",
            door: Door::Api {
                method: "POST",
                path: format!("/api/v1/reminders/{}/read", reminder.id),
                body: |_, _| json!(null),
            },
            allowed: &[VillageReporter],
        },
        Route {
            name: "form mark reminder read",
            door: Door::Form {
                path: format!("/nhac-nho/{}/da-doc", reminder.id),
                fields: |_, _| vec![("next".into(), "/theo-doi".into())],
            },
            allowed: &[VillageReporter],
        },
        Route {
            name: "api write report text",
            door: Door::Api {
                method: "PUT",
                path: "/api/v1/report/texts/bai-hoc".into(),
                body: |_, key| json!({"body": format!("Bài học thử quyền {key}")}),
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "form write report texts",
            door: Door::Form {
                path: "/bao-cao/van-ban".into(),
                fields: |_, key| {
                    vec![
                        ("nguyen-nhan".into(), format!("Nguyên nhân thử quyền {key}")),
                        ("ngay".into(), "15/07/2026".into()),
                    ]
                },
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "api budget",
            door: Door::Api {
                method: "PUT",
                path: "/api/v1/report/budget".into(),
                body: |_, _| json!({"lines": [{"line_id": "l3-support", "estimate": 5_000_000}]}),
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "form budget",
            door: Door::Form {
                path: "/bao-cao/kinh-phi".into(),
                fields: |_, _| vec![("da-chi:l3-support".into(), "1.200.000".into())],
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "api create shift",
            door: Door::Api {
                method: "POST",
                path: "/api/v1/shifts".into(),
                body: |f, _| {
                    json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": f.village.id.clone(),
                        "day": common::test_day().plus(20).iso(), "start_time": "14:00", "end_time": "16:00", "places": 4})
                },
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "form create shift",
            door: Door::Form {
                path: "/doi-hinh/ca".into(),
                fields: |f, _| {
                    vec![
                        ("id".into(), uuid::Uuid::now_v7().to_string()),
                        ("unit_id".into(), f.village.id.clone()),
                        ("day".into(), common::test_day().plus(21).vn()),
                        ("start_time".into(), "14:00".into()),
                        ("end_time".into(), "16:00".into()),
                        ("places".into(), "4".into()),
                    ]
                },
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "form create team",
            door: Door::Form {
                path: "/doi-hinh".into(),
                fields: |f, key| {
                    vec![
                        ("name".into(), format!("Đội {key}")),
                        ("members".into(), f.youth.id.clone()),
                    ]
                },
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "api assign a member to a shift",
            door: Door::Api {
                method: "POST",
                path: format!("/api/v1/shifts/{}/signups", shift.id),
                body: |f, _| json!({"person_id": f.youth.id.clone()}),
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "form launch teams",
            door: Door::Form {
                path: "/doi-hinh/ra-quan".into(),
                fields: |_, _| vec![("day".into(), "10/06/2026".into())],
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "form assign a member",
            door: Door::Form {
                path: format!("/doi-hinh/ca/{}/phan-cong", shift.id),
                fields: |f, _| vec![("person_id".into(), f.youth.id.clone())],
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "form edit team",
            door: Door::Form {
                path: format!("/doi-hinh/{}/sua", set_up_team.id),
                fields: |f, _| {
                    vec![
                        ("villages".into(), f.village.id.clone()),
                        ("members".into(), f.youth.id.clone()),
                    ]
                },
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "api cancel shift",
            door: Door::Api {
                method: "DELETE",
                path: format!("/api/v1/shifts/{}", to_cancel[0]),
                body: |_, _| json!(null),
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "form cancel shift",
            door: Door::Form {
                path: format!("/doi-hinh/ca/{}/huy", to_cancel[1]),
                fields: |_, _| vec![],
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "api log propaganda",
            door: Door::Api {
                method: "POST",
                path: "/api/v1/propaganda".into(),
                body: |_, _| json!({"id": uuid::Uuid::now_v7().to_string(), "channel": "zalo", "day": "2026-07-10"}),
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "form log propaganda",
            door: Door::Form {
                path: "/tuyen-truyen".into(),
                fields: |f, _| {
                    vec![
                        ("id".into(), uuid::Uuid::now_v7().to_string()),
                        ("channel".into(), "luu-dong".into()),
                        ("day".into(), "10/07/2026".into()),
                        ("unit_id".into(), f.village.id.clone()),
                    ]
                },
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "api withdraw propaganda",
            door: Door::Api {
                method: "DELETE",
                path: format!("/api/v1/propaganda/{}", to_withdraw[0]),
                body: |_, _| json!({"reason": "Thử quyền"}),
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "form withdraw propaganda",
            door: Door::Form {
                path: format!("/tuyen-truyen/{}/xoa", to_withdraw[1]),
                fields: |_, _| vec![("reason".into(), "Thử quyền".into())],
            },
            allowed: &[Coordinator],
        },
        Route {
            name: "form add photo",
            door: Door::Upload {
                path: format!("/buoi/{}/anh", held.id),
                field: "photo",
                file: |_, _| TINY_PNG.to_vec(),
            },
            allowed: &[Coordinator, VillageReporter],
        },
        Route {
            name: "api delete session",
            door: Door::Api {
                method: "DELETE",
                path: format!("/api/v1/sessions/{}", held.id),
                body: |_, _| json!({"reason": "Thử quyền"}),
            },
            allowed: &[Coordinator, VillageReporter],
        },
        Route {
            name: "form delete session",
            door: Door::Form {
                path: format!("/buoi/{}/xoa", to_delete.id),
                fields: |_, _| vec![("reason".into(), "Thử quyền".into())],
            },
            allowed: &[Coordinator, VillageReporter],
        },
        Route {
            name: "api undo another's turn",
            door: Door::Api {
                method: "DELETE",
                path: format!("/api/v1/turns/{turn_id}"),
                body: |_, _| json!({"reason": "Thử quyền"}),
            },
            allowed: &[Coordinator],
        },
    ]
}

#[tokio::test]
async fn every_write_route_admits_only_its_roles() {
    for t in TestApp::all().await {
        let f = set_up(&t).await;
        let Fixture {
            village,
            school,
            union,
            reminder,
            shift,
            set_up_team,
            victim,
            ..
        } = &f;
        let coordinator = t.user("dieuphoi", Role::Coordinator, None).await;
        let sessions: Vec<(Who, Option<Session>)> = vec![
            (Who::Anonymous, None),
            (Who::Coordinator, Some(coordinator.clone())),
            (
                Who::VillageReporter,
                Some(t.user("bcv.thon", Role::UnitReporter, Some(&village.id)).await),
            ),
            (
                Who::SchoolReporter,
                Some(t.user("bcv.truong", Role::UnitReporter, Some(&school.id)).await),
            ),
            (
                Who::Volunteer,
                Some(t.user("tnv", Role::Volunteer, Some(&union.id)).await),
            ),
            (Who::Judge, Some(t.user("giamkhao", Role::Judge, None).await)),
            (Who::Viewer, Some(t.user("lanhdao", Role::Viewer, None).await)),
        ];
        let units_before = t.store.list_units(&t.plan_id).await.unwrap().len();
        let users_before = t.store.list_users(&t.plan_id).await.unwrap().len();
        let routes = routes(&f);
        covers_every_write_route(&routes);

        let mut creations = 0;
        let mut user_creations = 0;
        for r in &routes {
            for (who, session) in &sessions {
                let key = format!("{who:?}");
                let allowed = r.allowed.contains(who);
                let ctx = format!("{} · {} · {:?}", t.backend, r.name, who);
                match &r.door {
                    Door::Api { method, path, body } => {
                        let (status, json) = t.api(method, path, session.as_ref(), body(&f, &key)).await;
                        if allowed {
                            assert!(status.is_success(), "{ctx}: {status} {json}");
                            if r.name.ends_with("batch") {
                                assert_eq!(json["stored"], 1, "{ctx}: {json}");
                            }
                        } else if *who == Who::Anonymous {
                            assert_eq!(status, StatusCode::UNAUTHORIZED, "{ctx}");
                            assert_eq!(json["error"]["code"], "unauthenticated", "{ctx}");
                        } else if status == StatusCode::OK && r.name.ends_with("batch") {
                            // A batch answers per record: each refused as forbidden, none stored.
                            assert_eq!(json["stored"], 0, "{ctx}: {json}");
                            let results = json["results"].as_array().unwrap();
                            assert!(
                                results.iter().all(|x| x["error"]["code"] == "forbidden"),
                                "{ctx}: {json}"
                            );
                        } else {
                            assert_eq!(status, StatusCode::FORBIDDEN, "{ctx}: {json}");
                            assert_eq!(json["error"]["code"], "forbidden", "{ctx}");
                        }
                    }
                    Door::Raw { path, body } => {
                        let (status, json) = t.raw(path, session.as_ref(), body(&f, &key)).await;
                        if allowed {
                            assert!(status.is_success(), "{ctx}: {status} {json}");
                            if r.name.ends_with("import roster") {
                                assert_eq!(json["saved"]["created"], 1, "{ctx}: {json}");
                            }
                        } else if *who == Who::Anonymous {
                            assert_eq!(status, StatusCode::UNAUTHORIZED, "{ctx}");
                        } else {
                            assert_eq!(status, StatusCode::FORBIDDEN, "{ctx}: {json}");
                        }
                    }
                    Door::Upload { path, field, file } => {
                        let (status, headers, body) =
                            t.upload(path, session.as_ref(), field, "tep", &file(&f, &key)).await;
                        let location = headers.iter().find(|(k, _)| k == "location").map(|(_, v)| v.as_str());
                        if allowed {
                            let ok = status == StatusCode::OK
                                || (status == StatusCode::SEE_OTHER && location.is_some_and(|l| l.contains("ok=")));
                            assert!(ok, "{ctx}: {status} {location:?} {}", &body[..body.len().min(400)]);
                        } else if *who == Who::Anonymous {
                            assert_eq!(status, StatusCode::SEE_OTHER, "{ctx}");
                            assert!(location.is_some_and(|l| l.starts_with("/dang-nhap")), "{ctx}");
                        } else {
                            assert_eq!(status, StatusCode::FORBIDDEN, "{ctx}: {}", &body[..body.len().min(400)]);
                        }
                    }
                    Door::Form { path, fields } => {
                        let owned = fields(&f, &key);
                        let pairs: Vec<(&str, &str)> = owned.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
                        let (status, location, body) = t.form(path, session.as_ref(), &pairs).await;
                        if allowed {
                            let ok = (status == StatusCode::SEE_OTHER
                                && location.as_deref().is_some_and(|l| l.contains("ok=")))
                                || status == StatusCode::CREATED;
                            assert!(ok, "{ctx}: {status} {location:?} {}", &body[..body.len().min(400)]);
                        } else if *who == Who::Anonymous {
                            assert_eq!(status, StatusCode::SEE_OTHER, "{ctx}");
                            assert!(location.unwrap().starts_with("/dang-nhap"), "{ctx}");
                        } else {
                            assert_eq!(status, StatusCode::FORBIDDEN, "{ctx}");
                            assert!(body.contains("không được phép"), "{ctx}");
                        }
                    }
                }
                if allowed && r.name.ends_with("create unit") {
                    creations += 1;
                }
                if allowed && r.name.ends_with("create user") {
                    user_creations += 1;
                }
            }
        }
        // Three roles may record: a single turn and a batch of one each; nobody else wrote one.
        assert_eq!(t.store.count_turns(&t.plan_id).await.unwrap(), 6, "{}", t.backend);
        // Two roles imported one child each (plus the one set up); two created a session each.
        assert_eq!(
            t.store
                .roster_people(&t.plan_id, Some("children"), None)
                .await
                .unwrap()
                .len(),
            3,
            "{}",
            t.backend
        );
        let sessions = t
            .store
            .list_activity_sessions(&t.plan_id, &Default::default())
            .await
            .unwrap();
        assert_eq!(
            sessions.len(),
            5,
            "two by API, two by form, one mobile propaganda trip; the held one was deleted ({})",
            t.backend
        );
        // Refused attempts wrote nothing.
        assert_eq!(
            t.store.list_units(&t.plan_id).await.unwrap().len(),
            units_before + creations,
            "{}",
            t.backend
        );
        assert_eq!(
            t.store.list_users(&t.plan_id).await.unwrap().len(),
            users_before + user_creations,
            "{}",
            t.backend
        );
        let classes = t.store.list_classes(&t.plan_id).await.unwrap();
        assert_eq!(
            classes.len(),
            1 + 4,
            "1A plus two API and two form classes ({})",
            t.backend
        );
        assert!(
            !classes.iter().any(|c| c.name.contains("Volunteer")
                || c.name.contains("Viewer")
                || c.name.contains("VillageReporter"))
        );
        // One reminder set up, one by API and one by form from the coordinator; read by the village only.
        let sent = t.store.unit_reminders(&t.plan_id, &village.id, 50).await.unwrap();
        assert_eq!(sent.len(), 3, "{}", t.backend);
        assert!(sent.iter().all(|r| !r.sent_by.is_empty() && r.read_by <= 1));
        assert!(
            !sent
                .iter()
                .any(|r| r.message.contains("Viewer") || r.message.contains("VillageReporter"))
        );
        assert_eq!(
            t.store.reminder(&t.plan_id, &reminder.id).await.unwrap().read_by,
            1,
            "{}",
            t.backend
        );
        // Only the coordinator's report texts were saved.
        let texts = t.store.report_texts(&t.plan_id).await.unwrap();
        assert_eq!(
            texts.get("bai-hoc").map(String::as_str),
            Some("Bài học thử quyền Coordinator"),
            "{}",
            t.backend
        );
        assert_eq!(
            texts.get("nguyen-nhan").map(String::as_str),
            Some("Nguyên nhân thử quyền Coordinator"),
            "{}",
            t.backend
        );
        let budget = t.store.budget_lines(&t.plan_id).await.unwrap();
        assert_eq!(budget.len(), 1, "{}", t.backend);
        assert_eq!(budget["l3-support"].spent, Some(1_200_000), "{}", t.backend);
        // Two shifts opened by the coordinator (plus the one set up; the two cancelled are gone), one team,
        // one member signed up once.
        assert_eq!(
            t.store.shifts(&t.plan_id, "0000-00-00").await.unwrap().len(),
            3,
            "{}",
            t.backend
        );
        assert_eq!(t.store.teams(&t.plan_id).await.unwrap().len(), 2, "{}", t.backend);
        assert_eq!(
            t.store
                .team_members(&t.plan_id)
                .await
                .unwrap()
                .iter()
                .filter(|(team, _)| team == &set_up_team.id)
                .count(),
            1,
            "{}: the coordinator's edit only",
            t.backend
        );
        assert_eq!(
            t.store.shift(&t.plan_id, &shift.id).await.unwrap().taken,
            1,
            "{}",
            t.backend
        );
        assert_eq!(
            t.store.propaganda(&t.plan_id, 50).await.unwrap().len(),
            2,
            "{}: the two logged, the two set up withdrawn",
            t.backend
        );
        let victim_row = t.store.user(&t.plan_id, &victim.user_id).await.unwrap();
        assert_eq!(victim_row.full_name, "Nạn nhân Coordinator");
        t.store.close().await;
    }
}

#[tokio::test]
async fn a_reporter_cannot_read_the_users_list_or_its_page() {
    let t = TestApp::all().await.remove(0);
    let village = t.unit_by_slug("thon-mau-1").await;
    let rep = t.user("bcv.thon", Role::UnitReporter, Some(&village.id)).await;
    let (status, json) = t.api("GET", "/api/v1/users", Some(&rep), json!(null)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{json}");
    let (status, body) = t.get("/nguoi-dung", Some(&rep)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body.contains("Không có quyền"));
    // It can read the plan and units, and sees edit forms only for its own unit.
    let (status, body) = t.get("/don-vi", Some(&rep)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body.matches("/dan-so\"").count(),
        1,
        "one population form: its own village"
    );
    assert!(!body.contains("action=\"/don-vi\""), "no add-unit form");
}
