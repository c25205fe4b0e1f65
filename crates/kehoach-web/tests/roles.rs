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

fn api(
    name: &'static str,
    method: &'static str,
    path: impl Into<String>,
    body: fn(&Fixture, &str) -> serde_json::Value,
    allowed: &'static [Who],
) -> Route {
    let path = path.into();
    Route {
        name,
        door: Door::Api { method, path, body },
        allowed,
    }
}

fn form(
    name: &'static str,
    path: impl Into<String>,
    fields: fn(&Fixture, &str) -> Vec<(String, String)>,
    allowed: &'static [Who],
) -> Route {
    let path = path.into();
    Route {
        name,
        door: Door::Form { path, fields },
        allowed,
    }
}

fn raw(
    name: &'static str,
    path: impl Into<String>,
    body: fn(&Fixture, &str) -> Vec<u8>,
    allowed: &'static [Who],
) -> Route {
    let path = path.into();
    Route {
        name,
        door: Door::Raw { path, body },
        allowed,
    }
}

fn upload(
    name: &'static str,
    path: impl Into<String>,
    field: &'static str,
    file: fn(&Fixture, &str) -> Vec<u8>,
    allowed: &'static [Who],
) -> Route {
    let path = path.into();
    Route {
        name,
        door: Door::Upload { path, field, file },
        allowed,
    }
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
    ("POST", "/ke-hoach/nhap/them", "coordinator only (tests/plan_import.rs)"),
    (
        "POST",
        "/thanh-pho/xa",
        "a city's address only, its coordinator only (tests/city.rs)",
    ),
    (
        "POST",
        "/ke-hoach/chon",
        "picks the caller's own working plan among its commune's (tests/plans.rs)",
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
    common::router_routes()
        .into_iter()
        .filter(|(method, _)| method != "GET")
        .collect()
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
    /// The app's today.
    today: kehoach_core::Day,
    /// The plan worked in.
    plan_id: String,
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
            testing::shift(&t.plan_id, &village.id, t.clock.today().plus(30), &setup_user.user_id),
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
                testing::shift(&t.plan_id, &village.id, t.clock.today().plus(40), &setup_user.user_id),
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
        today: t.clock.today(),
        plan_id: t.plan_id.clone(),
    }
}

/// Every write route with the roles it admits: one line a route.
#[rustfmt::skip]
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
        api("api create unit", "POST", "/api/v1/units", |_, k| json!({"name": format!("Thôn API {k}"), "kind": "village"}), &[Coordinator]),
        api("api update unit", "PATCH", format!("/api/v1/units/{}", other_village.id), |_, k| json!({"short_name": format!("T2 {k}")}), &[Coordinator]),
        api("api set population", "PUT", format!("/api/v1/units/{}/populations/children", village.id), |_, k| json!({"value": k.len() as i64 * 10}), &[Coordinator, VillageReporter]),
        api("api add class", "POST", format!("/api/v1/units/{}/classes", school.id), |_, k| json!({"name": format!("2{k}")}), &[Coordinator, SchoolReporter]),
        api("api update class", "PATCH", format!("/api/v1/classes/{}", class.id), |_, _| json!({"active": true}), &[Coordinator, SchoolReporter]),
        api("api create user", "POST", "/api/v1/users", |_, k| json!({"username": format!("api.{}", k.to_lowercase()), "full_name": "Lê Văn An", "role": "viewer", "password": "mat-khau-dai-2026"}), &[Coordinator]),
        api("api update user", "PATCH", format!("/api/v1/users/{}", victim.user_id), |_, k| json!({"full_name": format!("Nạn nhân {k}")}), &[Coordinator]),
        api("api create invite", "POST", "/api/v1/invites", |_, _| json!({"role": "viewer"}), &[Coordinator]),
        api("api record turn", "POST", "/api/v1/turns", |f, _| turn(&f.village.id.clone()), &[Coordinator, VillageReporter, Volunteer]),
        api("api record turn batch", "POST", "/api/v1/turns/batch", |f, _| json!({"turns": [turn(&f.village.id.clone())]}), &[Coordinator, VillageReporter, Volunteer]),
        api("api create session", "POST", "/api/v1/sessions", |f, _| session_body(f, &uuid::Uuid::now_v7().to_string()), &[Coordinator, VillageReporter]),
        api("api update session", "PUT", format!("/api/v1/sessions/{}", held.id), |f, k| {let mut b = session_body(f, &f.held.id); b["note"] = json!(format!("Ghi chú {k}")); b}, &[Coordinator, VillageReporter]),
        api("api session status", "POST", format!("/api/v1/sessions/{}/status", held.id), |_, _| json!({"status": "held"}), &[Coordinator, VillageReporter]),
        api("api check in", "POST", format!("/api/v1/sessions/{}/attendance", held.id), |f, _| json!({"person_id": f.person.id.clone()}), &[Coordinator, VillageReporter]),
        api("api remove attendance", "DELETE", format!("/api/v1/sessions/{}/attendance/{}", held.id, person.id), |_, _| json!(null), &[Coordinator, VillageReporter]),
        api("api update person", "PATCH", format!("/api/v1/people/{}", person.id), |_, _| json!({"active": true}), &[Coordinator, VillageReporter]),
        raw("api import roster", format!("/api/v1/rosters/children/import?save=true&unit_id={}", village.id), |_, k| format!("Họ và tên,Năm sinh\nNgười {k},2011\n").into_bytes(), &[Coordinator, VillageReporter]),
        // Opening the plan in use again: a write that changes nothing, so the others go on.
        form("form plan state", "/ke-hoach/trang-thai", |f, _| vec![("plan_id".into(), f.plan_id.clone())], &[Coordinator]),
        form("form create unit", "/don-vi", |_, k| {vec![("name".into(), format!("Thôn Form {k}")), ("kind".into(), "village".into())]}, &[Coordinator]),
        form("form update unit", format!("/don-vi/{}", other_village.id), |_, k| {vec![("name".into(), "Thôn mẫu 2 (dữ liệu mẫu)".into()), ("short_name".into(), format!("F {k}")), ("active".into(), "on".into())]}, &[Coordinator]),
        form("form set population", format!("/don-vi/{}/dan-so", village.id), |_, k| vec![("children".into(), format!("{}", k.len() * 10))], &[Coordinator, VillageReporter]),
        form("form add class", format!("/don-vi/{}/lop", school.id), |_, k| vec![("name".into(), format!("3{k}"))], &[Coordinator, SchoolReporter]),
        form("form update class", format!("/lop/{}", class.id), |_, _| vec![("active".into(), "1".into())], &[Coordinator, SchoolReporter]),
        form("form create user", "/nguoi-dung", |_, k| {vec![("username".into(), format!("form.{}", k.to_lowercase())), ("full_name".into(), "Phạm Thị Lan".into()), ("role".into(), "viewer".into()), ("password".into(), "mat-khau-dai-2026".into())]}, &[Coordinator]),
        form("form update user", format!("/nguoi-dung/{}", victim.user_id), |_, k| {vec![("full_name".into(), format!("Nạn nhân {k}")), ("role".into(), "viewer".into()), ("active".into(), "on".into())]}, &[Coordinator]),
        form("form create invite", "/loi-moi", |_, _| vec![("role".into(), "viewer".into())], &[Coordinator]),
        form("form revoke invite", format!("/nguoi-dung/loi-moi/{to_revoke}/thu-hoi"), |_, _| vec![], &[Coordinator]),
        form("form re-issue invite", format!("/nguoi-dung/loi-moi/{to_reissue}/cap-lai"), |_, _| vec![], &[Coordinator]),
        form("form paste a list to create unit", "/don-vi/nhieu", |_, k| {vec![("names".into(), format!("1. Thôn Danh Sách {k}\n")), ("kind".into(), "village".into())]}, &[Coordinator]),
        raw("api add photo", format!("/api/v1/sessions/{}/photos", held.id), |_, _| TINY_PNG.to_vec(), &[Coordinator, VillageReporter]),
        form("form create session", "/buoi", |f, _| {vec![("id".into(), uuid::Uuid::now_v7().to_string()), ("line_id".into(), "l4-binh-dan-hoc-vu-so".into()), ("unit_id".into(), f.village.id.clone()), ("kind".into(), "guidance".into()), ("status".into(), "held".into()), ("day".into(), "2026-07-11".into()), ("topics".into(), "Hỗ trợ người cao tuổi tiếp cận các dịch vụ số.".into())]}, &[Coordinator, VillageReporter]),
        form("form update session", format!("/buoi/{}", held.id), |f, k| {vec![("id".into(), f.held.id.clone()), ("line_id".into(), "l4-binh-dan-hoc-vu-so".into()), ("unit_id".into(), f.village.id.clone()), ("kind".into(), "guidance".into()), ("status".into(), "held".into()), ("day".into(), "2026-07-10".into()), ("note".into(), format!("Sửa bởi {k}"))]}, &[Coordinator, VillageReporter]),
        form("form session status", format!("/buoi/{}/trang-thai", held.id), |_, _| vec![("status".into(), "held".into())], &[Coordinator, VillageReporter]),
        form("form check in", format!("/buoi/{}/diem-danh", held.id), |f, _| vec![("person_id".into(), f.person.id.clone())], &[Coordinator, VillageReporter]),
        form("form remove attendance", format!("/buoi/{}/bo-diem-danh", held.id), |f, _| vec![("person_id".into(), f.person.id.clone())], &[Coordinator, VillageReporter]),
        form("form person leaves", format!("/danh-sach/{}", person.id), |_, _| vec![("active".into(), "1".into())], &[Coordinator, VillageReporter]),
        api("api link person", "PUT", format!("/api/v1/users/{}/person", victim.user_id), |_, _| json!({"person_id": null}), &[Coordinator]),
        form("form link person", format!("/nguoi-dung/{}/doan-vien", victim.user_id), |_, _| vec![("person_id".into(), String::new())], &[Coordinator]),
        api("api send reminder", "POST", "/api/v1/reminders", |f, _| json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": f.village.id.clone(), "target_id": "T6"}), &[Coordinator]),
        form("form send reminder", "/nhac-nho", |f, key| {vec![("id".into(), uuid::Uuid::now_v7().to_string()), ("unit_id".into(), f.village.id.clone()), ("message".into(), format!("Nhắc nhở thử quyền {key}"))]}, &[Coordinator]),
        api("api mark reminder read", "POST", format!("/api/v1/reminders/{}/read", reminder.id), |_, _| json!(null), &[VillageReporter]),
        form("form mark reminder read", format!("/nhac-nho/{}/da-doc", reminder.id), |_, _| vec![("next".into(), "/theo-doi".into())], &[VillageReporter]),
        api("api write report text", "PUT", "/api/v1/report/texts/bai-hoc", |_, key| json!({"body": format!("Bài học thử quyền {key}")}), &[Coordinator]),
        form("form write report texts", "/bao-cao/van-ban", |_, key| {vec![("nguyen-nhan".into(), format!("Nguyên nhân thử quyền {key}")), ("ngay".into(), "15/07/2026".into())]}, &[Coordinator]),
        api("api budget", "PUT", "/api/v1/report/budget", |_, _| json!({"lines": [{"line_id": "l3-support", "estimate": 5_000_000}]}), &[Coordinator]),
        form("form budget", "/bao-cao/kinh-phi", |_, _| vec![("da-chi:l3-support".into(), "1.200.000".into())], &[Coordinator]),
        api("api create shift", "POST", "/api/v1/shifts", |f, _| {json!({"id": uuid::Uuid::now_v7().to_string(), "unit_id": f.village.id.clone(), "day": f.today.plus(20).iso(), "start_time": "14:00", "end_time": "16:00", "places": 4})}, &[Coordinator]),
        form("form create shift", "/doi-hinh/ca", |f, _| {vec![("id".into(), uuid::Uuid::now_v7().to_string()), ("unit_id".into(), f.village.id.clone()), ("day".into(), f.today.plus(21).vn()), ("start_time".into(), "14:00".into()), ("end_time".into(), "16:00".into()), ("places".into(), "4".into())]}, &[Coordinator]),
        form("form create team", "/doi-hinh", |f, key| {vec![("name".into(), format!("Đội {key}")), ("members".into(), f.youth.id.clone())]}, &[Coordinator]),
        api("api assign a member to a shift", "POST", format!("/api/v1/shifts/{}/signups", shift.id), |f, _| json!({"person_id": f.youth.id.clone()}), &[Coordinator]),
        form("form launch teams", "/doi-hinh/ra-quan", |_, _| vec![("day".into(), "10/06/2026".into())], &[Coordinator]),
        form("form assign a member", format!("/doi-hinh/ca/{}/phan-cong", shift.id), |f, _| vec![("person_id".into(), f.youth.id.clone())], &[Coordinator]),
        form("form edit team", format!("/doi-hinh/{}/sua", set_up_team.id), |f, _| {vec![("villages".into(), f.village.id.clone()), ("members".into(), f.youth.id.clone())]}, &[Coordinator]),
        api("api cancel shift", "DELETE", format!("/api/v1/shifts/{}", to_cancel[0]), |_, _| json!(null), &[Coordinator]),
        form("form cancel shift", format!("/doi-hinh/ca/{}/huy", to_cancel[1]), |_, _| vec![], &[Coordinator]),
        api("api log propaganda", "POST", "/api/v1/propaganda", |_, _| json!({"id": uuid::Uuid::now_v7().to_string(), "channel": "zalo", "day": "2026-07-10"}), &[Coordinator]),
        form("form log propaganda", "/tuyen-truyen", |f, _| {vec![("id".into(), uuid::Uuid::now_v7().to_string()), ("channel".into(), "luu-dong".into()), ("day".into(), "10/07/2026".into()), ("unit_id".into(), f.village.id.clone())]}, &[Coordinator]),
        api("api withdraw propaganda", "DELETE", format!("/api/v1/propaganda/{}", to_withdraw[0]), |_, _| json!({"reason": "Thử quyền"}), &[Coordinator]),
        form("form withdraw propaganda", format!("/tuyen-truyen/{}/xoa", to_withdraw[1]), |_, _| vec![("reason".into(), "Thử quyền".into())], &[Coordinator]),
        upload("form add photo", format!("/buoi/{}/anh", held.id), "photo", |_, _| TINY_PNG.to_vec(), &[Coordinator, VillageReporter]),
        api("api delete session", "DELETE", format!("/api/v1/sessions/{}", held.id), |_, _| json!({"reason": "Thử quyền"}), &[Coordinator, VillageReporter]),
        form("form delete session", format!("/buoi/{}/xoa", to_delete.id), |_, _| vec![("reason".into(), "Thử quyền".into())], &[Coordinator, VillageReporter]),
        api("api undo another's turn", "DELETE", format!("/api/v1/turns/{turn_id}"), |_, _| json!({"reason": "Thử quyền"}), &[Coordinator]),
    ]
}

#[tokio::test]
async fn every_write_route_admits_only_its_roles() {
    // A day of the campaign: shifts open only inside the plan's period.
    for t in TestApp::all_on(kehoach_core::Day::from_ymd(2026, 8, 1).unwrap()).await {
        let f = set_up(&t).await;
        let Fixture {
            village,
            reminder,
            shift,
            set_up_team,
            victim,
            ..
        } = &f;
        let cast = t.cast().await;
        let sessions: Vec<(Who, Option<Session>)> = vec![
            (Who::Anonymous, None),
            (Who::Coordinator, Some(cast.coordinator)),
            (Who::VillageReporter, Some(cast.village_reporter)),
            (Who::SchoolReporter, Some(cast.school_reporter)),
            (Who::Volunteer, Some(cast.volunteer)),
            (Who::Judge, Some(cast.judge)),
            (Who::Viewer, Some(cast.leader)),
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
