//! Two communes on one server (one database), each on its own host: a
//! coordinator of commune A, given every id of commune B, tries every route
//! of the router (pages and API, read from `src/router.rs`, so that a new
//! route is covered without editing this test) with those ids in the path,
//! the query and the body. No answer shows anything of B, an id of B answers
//! exactly as an id that does not exist, and not one row of B changes.
//! Sessions and logins do not cross from one commune to the other.
//! Runs on SQLite and PostgreSQL.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use common::{Session, TestApp, router_routes};
use kehoach_store::{Role, testing};
use serde_json::json;

/// What only commune B's records say: found in an answer to A, it is a leak.
const MARKERS: &[&str] = &["Bímật", "bimat", "BÍMẬT", "Bắc Sơn", "bac-son", "0987654321"];

/// Commune B's ids, by what they are.
struct Ids {
    village: String,
    school: String,
    class: String,
    session: String,
    person: String,
    youth: String,
    shift: String,
    team: String,
    reminder: String,
    propaganda: String,
    turn: String,
    user: String,
    invite: String,
    entry: String,
    receipt: String,
    plan: String,
}

impl Ids {
    fn all(&self) -> Vec<&str> {
        vec![
            &self.village,
            &self.school,
            &self.class,
            &self.session,
            &self.person,
            &self.youth,
            &self.shift,
            &self.team,
            &self.reminder,
            &self.propaganda,
            &self.turn,
            &self.user,
            &self.invite,
            &self.entry,
            &self.receipt,
        ]
    }
}

/// Fills commune B through its own host, as its coordinator would.
async fn fill_b(b: &TestApp) -> (Session, Ids) {
    let coord = b.coordinator().await;
    let post = |path: &'static str, body: serde_json::Value| {
        let coord = &coord;
        async move {
            let (s, j) = b.api("POST", path, Some(coord), body).await;
            assert!(s.is_success(), "B {path}: {s} {j}");
            j
        }
    };
    let village = post("/api/v1/units", json!({"name": "Thôn Bímật", "kind": "village"})).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let school = b.unit_by_slug("th-trung-lap").await.id;
    let class = b
        .store
        .add_class(&b.plan_id, &school, "Lớp Bímật", Some(20), 0)
        .await
        .unwrap()
        .id;
    let person = testing::add_person(
        &b.store,
        &b.plan_id,
        "children",
        testing::person("Hồ Thị Bímật", 2012, &village),
        &coord.user_id,
    )
    .await
    .id;
    let union = b.unit_by_slug("doan-tn").await.id;
    let youth = testing::add_person(
        &b.store,
        &b.plan_id,
        "youth_members",
        testing::person("Lê Văn Bímật", 2001, &union),
        &coord.user_id,
    )
    .await
    .id;
    let session = uuid::Uuid::now_v7().to_string();
    post(
        "/api/v1/sessions",
        json!({"id": session, "line_id": "l4-binh-dan-hoc-vu-so", "unit_id": village, "kind": "guidance",
               "status": "held", "day": "2026-07-10", "note": "Buổi Bímật"}),
    )
    .await;
    let (s, j) = b
        .api(
            "POST",
            &format!("/api/v1/sessions/{session}/attendance"),
            Some(&coord),
            json!({"person_id": person}),
        )
        .await;
    assert!(s.is_success(), "B attendance: {s} {j}");
    let turn = uuid::Uuid::now_v7().to_string();
    post(
        "/api/v1/turns",
        json!({"id": turn, "unit_id": village, "service": "asxh-vneid", "day": "2026-07-15"}),
    )
    .await;
    let propaganda = uuid::Uuid::now_v7().to_string();
    post(
        "/api/v1/propaganda",
        json!({"id": propaganda, "channel": "zalo", "day": "2026-07-05",
               "note": "Tin Bímật"}),
    )
    .await;
    let shift = b
        .store
        .create_shift(
            testing::shift(&b.plan_id, &village, b.clock.today().plus(30), &coord.user_id),
            0,
        )
        .await
        .unwrap()
        .id;
    let team = b
        .store
        .create_team(
            &b.plan_id,
            "Đội Bímật",
            None,
            std::slice::from_ref(&youth),
            std::slice::from_ref(&village),
            &coord.user_id,
            0,
        )
        .await
        .unwrap()
        .id;
    let reminder = post(
        "/api/v1/reminders",
        json!({"unit_id": village, "message": "Nhắc Bímật", "id": uuid::Uuid::now_v7().to_string()}),
    )
    .await["id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let user = b.user("bcv.bimat", Role::UnitReporter, Some(&village)).await.user_id;
    b.store
        .create_invite(
            &b.plan_id,
            kehoach_store::NewInvite {
                role: Role::Viewer,
                unit_id: None,
                note: Some("Lời mời Bímật".into()),
                created_by: Some(coord.user_id.clone()),
                ttl_secs: 3600,
            },
            b.clock.now(),
        )
        .await
        .unwrap();
    let invite = b.store.list_invites(&b.plan_id).await.unwrap().remove(0).id;
    // A contest open now, and an entry through B's public form.
    let today = b.clock.today();
    let (s, j) = b
        .api(
            "PUT",
            "/api/v1/contests/l7-1-ideas",
            Some(&coord),
            json!({"name": "Cuộc thi Bímật", "entries_from": today.plus(-3).vn(), "entries_to": today.plus(5).vn(),
                   "awards_by": today.plus(9).vn(), "categories": [], "eligibility": "", "prizes": ["Giải Nhất"]}),
        )
        .await;
    assert!(s.is_success(), "B contest: {s} {j}");
    let (entry, _) = kehoach_web::contests::submit(
        &b.state(),
        "l7-1-ideas",
        kehoach_web::contests::EntryInput {
            id: uuid::Uuid::now_v7().to_string(),
            title: "Ý tưởng Bímật".into(),
            description: "Mô tả Bímật".into(),
            entrant_kind: "individual".into(),
            entrant_name: "Người Bímật".into(),
            contact: "0987654321".into(),
            link: "https://example.vn/bimat".into(),
            consent: true,
            ..Default::default()
        },
        b.clock.now(),
        "b-client",
    )
    .await
    .unwrap();
    let ids = Ids {
        village,
        school,
        class,
        session,
        person,
        youth,
        shift,
        team,
        reminder,
        propaganda,
        turn,
        user,
        invite,
        receipt: entry.receipt,
        entry: entry.id,
        plan: b.plan_id.clone(),
    };
    (coord, ids)
}

/// Values tried for a path parameter: B's ids, or (for parameters that
/// name no record: a file, a roster, a section) the usual values.
fn values_for(param: &str, ids: &Ids) -> Vec<String> {
    match param {
        "{roster}" => vec!["children".into(), "youth_members".into()],
        "{population}" => vec!["children".into()],
        "{section}" => vec!["bai-hoc".into()],
        "{*path}" => vec!["app.css".into()],
        "{file}" => {
            let mut v: Vec<String> = ["tong-ket.docx", "tong-ket.pdf", "du-lieu.xlsx"]
                .iter()
                .map(|s| s.to_string())
                .collect();
            for kind in ["luot-ho-tro", "chi-tieu", "bao-phu", "buoi", "diem-danh", "bai-du-thi"] {
                v.push(format!("{kind}.csv"));
            }
            for ext in ["docx", "pdf"] {
                v.push(format!("{}.{ext}", ids.village));
                v.push(format!("{}.{ext}", ids.entry));
            }
            v
        }
        _ => ids.all().into_iter().map(str::to_string).collect(),
    }
}

/// Whether a parameter names a record (so B's id must answer as a missing one).
fn names_a_record(param: &str) -> bool {
    !matches!(param, "{roster}" | "{population}" | "{section}" | "{*path}" | "{file}")
}

/// Every concrete path of a pattern: each parameter filled with each of its
/// values (the same index across parameters, and every value of the last).
fn paths(pattern: &str, ids: &Ids) -> Vec<(String, bool)> {
    let parts: Vec<&str> = pattern.split('/').collect();
    let params: Vec<usize> = (0..parts.len()).filter(|&i| parts[i].starts_with('{')).collect();
    if params.is_empty() {
        return vec![(pattern.to_string(), false)];
    }
    let mut out = Vec::new();
    // Every combination (at most two parameters in a route).
    let mut combos: Vec<Vec<String>> = vec![vec![]];
    for &i in &params {
        let mut next = Vec::new();
        for c in &combos {
            for v in values_for(parts[i], ids) {
                let mut c = c.clone();
                c.push(v);
                next.push(c);
            }
        }
        combos = next;
    }
    let records = params.iter().any(|&i| names_a_record(parts[i]));
    for combo in combos {
        let mut p = parts.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        for (k, &i) in params.iter().enumerate() {
            p[i] = combo[k].clone();
        }
        out.push((p.join("/"), records));
    }
    out
}

/// The same path with every record parameter replaced by a fresh id (one
/// that exists nowhere): what B's ids must answer like.
fn with_unknown_ids(pattern: &str, concrete: &str) -> String {
    let unknown = uuid::Uuid::now_v7().to_string();
    pattern
        .split('/')
        .zip(concrete.split('/'))
        .map(|(p, c)| {
            if p.starts_with('{') && names_a_record(p) {
                unknown.clone()
            } else {
                c.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// A body that names B's records in every field the API and the forms read.
fn body_naming(ids: &Ids) -> serde_json::Value {
    json!({
        "id": uuid::Uuid::now_v7().to_string(),
        "unit_id": ids.village, "unit": ids.village, "don_vi": ids.village,
        "session_id": ids.session, "person_id": ids.person, "class_id": ids.class,
        "user_id": ids.user, "team_id": ids.team, "shift_id": ids.shift,
        "person_ids": [ids.person, ids.youth], "unit_ids": [ids.village, ids.school],
        "members": [ids.youth], "units": [ids.village], "judges": [ids.user],
        "line_id": "l4-binh-dan-hoc-vu-so", "kind": "guidance", "status": "held",
        "day": "2026-07-12", "service": "asxh-vneid", "channel": "zalo",
        "name": "Tên thử", "message": "Thử", "role": "viewer", "value": 5,
        "turns": [{"id": uuid::Uuid::now_v7().to_string(), "unit_id": ids.village, "service": "asxh-vneid", "day": "2026-07-12"}],
        "card_code": ids.person, "code": ids.receipt, "q": "Bímật",
        "plan_id": ids.plan, "dong": "1",
    })
}

/// B's id for a field, by its name ("unit_id", "members", …).
fn id_for(name: &str, ids: &Ids) -> String {
    let n = name.trim_end_matches('s');
    let id = if n.contains("session") {
        &ids.session
    } else if n.contains("person") || n.contains("people") {
        &ids.person
    } else if n.contains("member") || n.contains("leader") {
        &ids.youth
    } else if n.contains("class") {
        &ids.class
    } else if n.contains("user") || n.contains("judge") {
        &ids.user
    } else if n.contains("team") {
        &ids.team
    } else if n.contains("shift") {
        &ids.shift
    } else if n.contains("entry") {
        &ids.entry
    } else if n.contains("school") {
        &ids.school
    } else {
        &ids.village
    };
    id.clone()
}

/// A value of `schema` (from the OpenAPI document) for the field `name`:
/// every field that names a record names one of B's, the rest plausible.
fn fill(doc: &serde_json::Value, schema: &serde_json::Value, name: &str, ids: &Ids, depth: usize) -> serde_json::Value {
    let schema = match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => schema,
    };
    if depth > 4 {
        return serde_json::Value::Null;
    }
    if let Some(one) = schema["oneOf"].as_array().or(schema["anyOf"].as_array()) {
        let first = one
            .iter()
            .find(|s| s["type"] != "null")
            .unwrap_or(&serde_json::Value::Null);
        return fill(doc, first, name, ids, depth + 1);
    }
    if let Some(values) = schema["enum"].as_array() {
        return values.iter().find(|v| !v.is_null()).cloned().unwrap_or_default();
    }
    let ty = match &schema["type"] {
        serde_json::Value::Array(t) => t.iter().find(|t| *t != "null").and_then(|t| t.as_str()).unwrap_or(""),
        t => t.as_str().unwrap_or(""),
    };
    match ty {
        "object" => {
            let mut out = serde_json::Map::new();
            if let Some(props) = schema["properties"].as_object() {
                for (k, s) in props {
                    out.insert(k.clone(), fill(doc, s, k, ids, depth + 1));
                }
            }
            serde_json::Value::Object(out)
        }
        "array" => json!([fill(doc, &schema["items"], name, ids, depth + 1)]),
        "integer" | "number" => json!(1),
        "boolean" => json!(true),
        _ => json!(match name {
            "id" => uuid::Uuid::now_v7().to_string(),
            "line_id" => "l4-binh-dan-hoc-vu-so".into(),
            "service" => "asxh-vneid".into(),
            "kind" => "guidance".into(),
            "status" => "held".into(),
            "channel" => "zalo".into(),
            "role" => "viewer".into(),
            "password" => "mat-khau-dai-2026".into(),
            n if n == "day"
                || n.ends_with("_from")
                || n.ends_with("_to")
                || n.ends_with("_by")
                || n.ends_with("_on") =>
            {
                "12/07/2026".to_string()
            }
            n if n.ends_with("_id") || n.ends_with("_ids") || n.ends_with('s') && !n.ends_with("ss") => id_for(n, ids),
            n if n == "leader" || n == "person" || n == "unit" => id_for(n, ids),
            _ => "Thử".to_string(),
        }),
    }
}

/// The JSON body of an API write, from the OpenAPI document, naming B's records.
fn api_body(doc: &serde_json::Value, method: &str, pattern: &str, ids: &Ids) -> Option<serde_json::Value> {
    let schema = &doc["paths"][pattern][method.to_lowercase()]["requestBody"]["content"]["application/json"]["schema"];
    (!schema.is_null()).then(|| fill(doc, schema, "", ids, 0))
}

fn as_form(body: &serde_json::Value) -> Vec<(String, String)> {
    body.as_object()
        .unwrap()
        .iter()
        .flat_map(|(k, v)| match v {
            serde_json::Value::Array(items) => items
                .iter()
                .map(|i| (k.clone(), i.as_str().unwrap_or_default().to_string()))
                .collect::<Vec<_>>(),
            serde_json::Value::String(s) => vec![(k.clone(), s.clone())],
            other => vec![(k.clone(), other.to_string())],
        })
        .collect()
}

/// The text of an answer, with the parts of a DOCX or XLSX unzipped.
fn readable(bytes: &[u8]) -> String {
    if bytes.starts_with(b"PK\x03\x04") {
        let mut out = String::new();
        if let Ok(mut z) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) {
            for i in 0..z.len() {
                if let Ok(mut f) = z.by_index(i) {
                    let mut s = String::new();
                    let _ = std::io::Read::read_to_string(&mut f, &mut s);
                    out.push_str(&s);
                }
            }
        }
        return out;
    }
    String::from_utf8_lossy(bytes).into_owned()
}

/// One request as A's coordinator, on A's host, its browser naming B's
/// plan as the plan to work in: (status, error code, text).
async fn send(
    a: &TestApp,
    s: &Session,
    b_plan: &str,
    method: &str,
    path: &str,
    body: Option<&serde_json::Value>,
) -> (StatusCode, String, String) {
    let is_api = path.starts_with("/api/");
    let mut b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::HOST, a.host.as_str())
        .header(header::COOKIE, format!("{}; kh_plan={b_plan}", s.cookie))
        .header("x-csrf-token", &s.csrf);
    let body = match (body, is_api) {
        (None, _) => Body::empty(),
        (Some(j), true) => {
            b = b.header(header::CONTENT_TYPE, "application/json");
            Body::from(j.to_string())
        }
        (Some(j), false) => {
            b = b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            let mut fields = as_form(j);
            fields.push(("_csrf".into(), s.csrf.clone()));
            Body::from(
                url::form_urlencoded::Serializer::new(String::new())
                    .extend_pairs(fields)
                    .finish(),
            )
        }
    };
    let resp = tower::ServiceExt::oneshot(a.router.clone(), b.body(body).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let bytes = http_body_util::BodyExt::collect(resp.into_body())
        .await
        .unwrap()
        .to_bytes();
    let text = readable(&bytes);
    let code = serde_json::from_str::<serde_json::Value>(&text)
        .ok()
        .and_then(|j| j["error"]["code"].as_str().map(str::to_string))
        .unwrap_or_default();
    (status, code, text)
}

#[tokio::test]
async fn a_commune_sees_and_changes_nothing_of_another_through_any_route() {
    for mut a in TestApp::all().await {
        a.serve_all_communes();
        let b = a.add_commune("xã Bắc Sơn", "bac-son.test").await;
        let (b_coord, ids) = fill_b(&b).await;
        let a_coord = a.coordinator().await;
        let b_ids = testing::ids_reached_from(&a.store, &[&b.plan_id, &b.commune.id]).await;
        let before = testing::rows_holding(&a.store, &b_ids).await;
        assert!(before.len() > 20, "{}: B's rows found: {}", a.backend, before.len());

        let (s, doc) = a.api("GET", "/api/openapi.json", None, json!(null)).await;
        assert_eq!(s, StatusCode::OK);
        let routes = router_routes();
        assert!(
            routes.len() > 120,
            "only {} routes read: the scan is broken",
            routes.len()
        );
        let mut tried = 0;
        let mut by_status = std::collections::BTreeMap::<u16, usize>::new();
        let mut leaks = Vec::new();
        let mut oracles = Vec::new();
        for (method, pattern) in &routes {
            // Logging out ends the caller's own session (and names nothing).
            if pattern.ends_with("/logout") || pattern == "/dang-xuat" {
                continue;
            }
            for (path, records) in paths(pattern, &ids) {
                let unsafe_method = method != "GET";
                let body = if pattern.starts_with("/api/") {
                    api_body(&doc, method, pattern, &ids).unwrap_or_else(|| json!({}))
                } else {
                    body_naming(&ids)
                };
                let queries = if unsafe_method {
                    vec![String::new()]
                } else {
                    vec![
                        String::new(),
                        format!(
                            "?don-vi={v}&unit_id={v}&unit={v}&session_id={s}&person_id={p}&q=B%C3%ADm%E1%BA%ADt&tu=01/06/2026&den=31/08/2026",
                            v = ids.village,
                            s = ids.session,
                            p = ids.person
                        ),
                    ]
                };
                for q in queries {
                    let full = format!("{path}{q}");
                    let (status, code, text) =
                        send(&a, &a_coord, &b.plan_id, method, &full, unsafe_method.then_some(&body)).await;
                    tried += 1;
                    *by_status.entry(status.as_u16()).or_default() += 1;
                    // A stays logged in throughout, or the rest would prove nothing.
                    if !pattern.ends_with("/login") {
                        assert_ne!(status, StatusCode::UNAUTHORIZED, "{method} {full}: A's session ended");
                    }
                    if let Some(m) = MARKERS.iter().find(|m| text.contains(*m)) {
                        leaks.push(format!("{method} {full}: {status} shows “{m}”"));
                    }
                    for id in ids.all() {
                        if text.contains(id) && !full.contains(id) {
                            leaks.push(format!("{method} {full}: {status} shows B's id {id}"));
                        }
                    }
                    if records && q.is_empty() {
                        let unknown = with_unknown_ids(pattern, &path);
                        let (s2, code2, _) = send(
                            &a,
                            &a_coord,
                            &b.plan_id,
                            method,
                            &unknown,
                            unsafe_method.then_some(&body),
                        )
                        .await;
                        if (status, &code) != (s2, &code2) {
                            oracles.push(format!(
                                "{method} {path}: {status} {code} where an unknown id gets {s2} {code2}"
                            ));
                        }
                    }
                }
            }
        }
        assert!(
            leaks.is_empty(),
            "{}: answers to A that show B:\n{}",
            a.backend,
            leaks.join("\n")
        );
        assert!(
            oracles.is_empty(),
            "{}: B's ids answer unlike unknown ids:\n{}",
            a.backend,
            oracles.join("\n")
        );
        let after = testing::rows_holding(&a.store, &b_ids).await;
        let (gone, new): (Vec<_>, Vec<_>) = (
            before.iter().filter(|r| !after.contains(r)).collect(),
            after.iter().filter(|r| !before.contains(r)).collect(),
        );
        assert!(
            gone.is_empty() && new.is_empty(),
            "{}: B's rows changed by A's {tried} requests.\nbefore:\n{gone:#?}\nafter:\n{new:#?}",
            a.backend
        );
        println!(
            "{}: {} routes, {tried} requests by A with B's ids (answers by status: {by_status:?}): nothing of B shown or changed",
            a.backend,
            routes.len()
        );

        // B's own coordinator still sees B's records, through B's host.
        let (s, j) = b.api("GET", "/api/v1/turns", Some(&b_coord), json!(null)).await;
        assert_eq!(s, StatusCode::OK, "{j}");
        assert!(j.to_string().contains(&ids.turn), "{}: {j}", a.backend);
        a.store.close().await;
    }
}

#[tokio::test]
async fn sessions_logins_and_invites_stay_in_their_commune() {
    for mut a in TestApp::all().await {
        a.serve_all_communes();
        let b = a.add_commune("xã Bắc Sơn", "bac-son.test").await;
        // The same username in both communes: two accounts, two passwords.
        let a_coord = a.coordinator().await;
        let b_coord = b.coordinator().await;
        assert_ne!(a_coord.user_id, b_coord.user_id);
        b.store
            .update_user(
                &b.plan_id,
                &b_coord.user_id,
                kehoach_store::UserPatch {
                    password: Some("mat-khau-rieng-cua-b".into()),
                    keep_session_csrf: Some(b_coord.csrf.clone()),
                    ..Default::default()
                },
                b.clock.now(),
            )
            .await
            .unwrap();
        let body = json!({"username": "dieuphoi", "password": "mat-khau-rieng-cua-b"});
        let (s, j) = b.api("POST", "/api/v1/login", None, body.clone()).await;
        assert_eq!(s, StatusCode::OK, "{}: {j}", a.backend);
        let (s, j) = a.api("POST", "/api/v1/login", None, body).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{}: {j}", a.backend);

        // A session of one commune is no session on the other's host.
        let (s, _) = a.api("GET", "/api/v1/me", Some(&b_coord), json!(null)).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{}: B's cookie on A", a.backend);
        let (s, _) = b.api("GET", "/api/v1/me", Some(&a_coord), json!(null)).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{}: A's cookie on B", a.backend);
        let (s, j) = b.api("GET", "/api/v1/me", Some(&b_coord), json!(null)).await;
        assert_eq!(s, StatusCode::OK, "{j}");
        let (s, body) = b.get("/ke-hoach", Some(&a_coord)).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{}: {body}", a.backend);

        // B's invite link opens on B's host only.
        let token = b
            .store
            .create_invite(
                &b.plan_id,
                kehoach_store::NewInvite {
                    role: Role::Viewer,
                    unit_id: None,
                    note: None,
                    created_by: Some(b_coord.user_id.clone()),
                    ttl_secs: 3600,
                },
                b.clock.now(),
            )
            .await
            .unwrap();
        let (s, _) = a.get(&format!("/moi/{token}"), None).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{}", a.backend);
        let (s, _, _) = a
            .form(
                &format!("/moi/{token}"),
                None,
                &[
                    ("full_name", "Kẻ Lạ"),
                    ("username", "kela"),
                    ("password", "mat-khau-dai-2026"),
                ],
            )
            .await;
        assert!(!s.is_success() && s != StatusCode::SEE_OTHER, "{}: {s}", a.backend);
        let (s, body) = b.get(&format!("/moi/{token}"), None).await;
        assert_eq!(s, StatusCode::OK, "{}: {body}", a.backend);
        assert_eq!(a.store.count_users(&a.plan_id).await.unwrap(), 1, "{}", a.backend);

        a.store.close().await;
    }
}
