//! TestApp: the real router over a real database (SQLite file, and
//! PostgreSQL when scripts/test provides one), driven with `oneshot`.

#![allow(dead_code, reason = "each test file uses a different part of the helper")]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use kehoach_core::{Clock, Day, SEED_PLAN_TOML, seed_plan};
use kehoach_store::{NewUser, Role, Store, UnitRow};
use kehoach_web::{AppState, app};
use tower::ServiceExt;

pub const PASSWORD: &str = "mat-khau-dai-2026";

/// The day the tests run on unless they set another: 03/12/2026, after the
/// summer campaign (a test that needs a day inside it sets its clock).
pub fn test_day() -> Day {
    Day::from_ymd(2026, 12, 3).expect("a real day")
}

/// 10:00 of [`test_day`], Vietnam time.
pub fn test_clock() -> Clock {
    Clock::at(test_day(), 10, 0)
}

/// A logged-in browser: its session cookie and CSRF token.
#[derive(Clone, Debug)]
pub struct Session {
    pub name: &'static str,
    pub cookie: String,
    pub csrf: String,
    pub user_id: String,
}

/// The usual people of an install, logged in: the coordinator, the
/// reporters of a village (thon-mau-1) and of a school (th-trung-lap), a
/// youth-union volunteer, a judge and a leader who reads.
pub struct Cast {
    pub coordinator: Session,
    pub village_reporter: Session,
    pub school_reporter: Session,
    pub volunteer: Session,
    pub judge: Session,
    pub leader: Session,
}

pub struct TestApp {
    pub backend: &'static str,
    pub url: String,
    pub store: Store,
    pub router: Router,
    pub plan_id: String,
    /// The server's first commune, which the app serves.
    pub commune: kehoach_store::CommuneRow,
    /// The host name requests are sent to (which commune a server with
    /// many answers for).
    pub host: String,
    /// The app's clock: fixed, shared with the router (moving it moves the app's "now").
    pub clock: Clock,
}

impl TestApp {
    pub async fn all() -> Vec<TestApp> {
        TestApp::all_at(test_clock()).await
    }

    /// A fresh app on each backend whose "now" is `clock`.
    pub async fn all_at(clock: Clock) -> Vec<TestApp> {
        let mut out = Vec::new();
        for (backend, url) in kehoach_store::testing::fresh_database_urls().await {
            out.push(TestApp::open_at(backend, &url, clock.clone()).await);
        }
        out
    }

    /// A fresh app on each backend on `day` (10:00, Vietnam time), a day of
    /// the campaign for tests that need one.
    pub async fn all_on(day: Day) -> Vec<TestApp> {
        TestApp::all_at(Clock::at(day, 10, 0)).await
    }

    pub async fn open(backend: &'static str, url: &str) -> TestApp {
        TestApp::open_at(backend, url, test_clock()).await
    }

    /// A fresh app whose "now" is `clock`.
    pub async fn open_at(backend: &'static str, url: &str, clock: Clock) -> TestApp {
        let store = Store::open(url, true).await.unwrap();
        TestApp::on_store(backend, url, store, clock).await
    }

    /// A fresh app on an opened store (one that reads from a replica, say).
    pub async fn on_store(backend: &'static str, url: &str, store: Store, clock: Clock) -> TestApp {
        store.migrate().await.unwrap();
        store
            .import_plan(&seed_plan(), SEED_PLAN_TOML, clock.now())
            .await
            .unwrap();
        let plan = seed_plan();
        let plan_id = plan.plan.id.clone();
        let commune = store.primary_commune().await.unwrap().expect("the first commune");
        let router = app(AppState::new(
            store.clone(),
            commune.clone(),
            plan,
            "http://kehoach.test".into(),
            clock.clone(),
        ));
        TestApp {
            commune,
            host: "kehoach.test".into(),
            backend,
            url: url.to_string(),
            store,
            router,
            plan_id,
            clock,
        }
    }

    /// Rebuilds the router with reminder emails going through `mailer`.
    pub fn use_mailer(&mut self, mailer: kehoach_web::mail::Mailer) {
        let state = self.state().with_mailer(mailer);
        self.router = app(state);
    }

    /// Serves every commune of the database, each on its host, as `serve`
    /// does (this app's commune on every unclaimed host).
    pub fn serve_all_communes(&mut self) {
        self.router = kehoach_web::server_app(self.state());
    }

    /// Adds a commune on `host` with the seed plan file (stored under
    /// another id) and its units, and returns the same server seen from
    /// that host: requests, users and records of the new commune.
    pub async fn add_commune(&self, name: &str, host: &str) -> TestApp {
        self.add_commune_of(None, name, host).await
    }

    /// `add_commune`, the commune reporting to the city `city_id`.
    pub async fn add_commune_of(&self, city_id: Option<&str>, name: &str, host: &str) -> TestApp {
        let commune = self
            .store
            .create_commune(
                kehoach_store::NewCommune {
                    name: name.into(),
                    province: "Hải Phòng".into(),
                    host: Some(host.into()),
                    city_id: city_id.map(str::to_string),
                    ..Default::default()
                },
                self.clock.now(),
            )
            .await
            .unwrap();
        let mut plan = seed_plan();
        self.store
            .add_commune_plan(&commune, &mut plan, SEED_PLAN_TOML, self.clock.now())
            .await
            .unwrap();
        self.on(commune, plan.plan.id, host)
    }

    /// The same server seen from `host`, the commune's, working in `plan_id`.
    fn on(&self, commune: kehoach_store::CommuneRow, plan_id: String, host: &str) -> TestApp {
        TestApp {
            backend: self.backend,
            url: self.url.clone(),
            store: self.store.clone(),
            router: self.router.clone(),
            plan_id,
            commune,
            host: host.into(),
            clock: self.clock.clone(),
        }
    }

    /// The same server seen from `host`, a commune's (its default plan).
    pub async fn seen_from(&self, host: &str) -> TestApp {
        let commune = self
            .store
            .commune_for_host(host)
            .await
            .unwrap()
            .expect("a commune's host");
        let plan_id = self.store.commune_plan_id(&commune.id).await.unwrap().unwrap();
        self.on(commune, plan_id, host)
    }

    /// Adds a city on `host` (a starter plan of its name, no units) and
    /// returns the same server seen from that host.
    pub async fn add_city(&self, name: &str, host: &str) -> TestApp {
        self.add_city_with(name, host, None).await
    }

    /// `add_city` with its own plan (plan and file).
    pub async fn add_city_with(&self, name: &str, host: &str, plan: Option<(kehoach_core::Plan, String)>) -> TestApp {
        let (commune, plan_id, _token) = self
            .store
            .found_commune(
                kehoach_store::NewCommune {
                    name: name.into(),
                    host: Some(host.into()),
                    is_city: true,
                    ..Default::default()
                },
                plan,
                2026,
                3600,
                self.clock.now(),
            )
            .await
            .unwrap();
        self.on(commune, plan_id, host)
    }

    /// The app's state (for calling a feature's rules directly).
    pub fn state(&self) -> AppState {
        let mut plan = seed_plan();
        plan.plan.id = self.plan_id.clone();
        AppState::new(
            self.store.clone(),
            self.commune.clone(),
            plan,
            "http://kehoach.test".into(),
            self.clock.clone(),
        )
    }

    /// The summary report as of `as_of`, dated `signed_on`.
    pub async fn summary_report(&self, as_of: Day, signed_on: Day) -> kehoach_core::report::Report {
        kehoach_web::reports::summary_report(&self.store, &seed_plan(), as_of, signed_on)
            .await
            .unwrap()
    }

    /// The export workbook's sheets (every record), with the targets as of `as_of`.
    pub async fn export_sheets(&self, as_of: Day) -> Vec<kehoach_core::report::Sheet> {
        kehoach_web::reports::workbook(&self.store, &seed_plan(), &Default::default(), as_of)
            .await
            .unwrap()
    }

    /// The aggregates the writers maintain equal a rebuild from the records;
    /// returns them.
    pub async fn aggregates_equal_a_rebuild(&self) -> kehoach_store::AggregateSnapshot {
        let kept = self.store.aggregate_snapshot(&self.plan_id).await.unwrap();
        self.store.rebuild_aggregates(&self.plan_id).await.unwrap();
        assert_eq!(
            self.store.aggregate_snapshot(&self.plan_id).await.unwrap(),
            kept,
            "{}: maintained = rebuilt",
            self.backend
        );
        kept
    }

    pub async fn unit_by_slug(&self, slug: &str) -> UnitRow {
        self.store
            .list_units(&self.plan_id)
            .await
            .unwrap()
            .into_iter()
            .find(|u| u.slug == slug)
            .unwrap()
    }

    /// The coordinator (`dieuphoi`), logged in.
    pub async fn coordinator(&self) -> Session {
        self.user("dieuphoi", Role::Coordinator, None).await
    }

    /// The usual cast, logged in.
    pub async fn cast(&self) -> Cast {
        let village = self.unit_by_slug("thon-mau-1").await;
        let school = self.unit_by_slug("th-trung-lap").await;
        let union = self.unit_by_slug("doan-tn").await;
        Cast {
            coordinator: self.coordinator().await,
            village_reporter: self.user("bcv.thon", Role::UnitReporter, Some(&village.id)).await,
            school_reporter: self.user("bcv.truong", Role::UnitReporter, Some(&school.id)).await,
            volunteer: self.user("tnv", Role::Volunteer, Some(&union.id)).await,
            judge: self.user("giamkhao", Role::Judge, None).await,
            leader: self.user("lanhdao", Role::Viewer, None).await,
        }
    }

    /// Creates a user directly in the store and opens a session for it.
    pub async fn user(&self, name: &'static str, role: Role, unit: Option<&str>) -> Session {
        let u = self
            .store
            .create_user(
                &self.plan_id,
                NewUser {
                    username: name.into(),
                    full_name: format!("Người dùng {name}"),
                    role,
                    unit_id: unit.map(str::to_string),
                    password: PASSWORD.into(),
                },
                self.clock.now(),
            )
            .await
            .unwrap();
        let (token, csrf) = self.store.create_session(&u.id, self.clock.now()).await.unwrap();
        Session {
            name,
            cookie: format!("kh_session={token}"),
            csrf,
            user_id: u.id,
        }
    }

    pub async fn send(&self, req: Request<Body>) -> (StatusCode, Vec<(String, String)>, String) {
        let resp: Response<Body> = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        (status, headers, String::from_utf8_lossy(&body).into_owned())
    }

    /// A GET whose body is kept as bytes (downloads).
    pub async fn get_bytes(&self, path: &str, s: Option<&Session>) -> (StatusCode, Vec<(String, String)>, Vec<u8>) {
        let mut b = Request::get(path).header(header::HOST, self.host.as_str());
        if let Some(s) = s {
            b = b.header(header::COOKIE, &s.cookie);
        }
        let resp: Response<Body> = self
            .router
            .clone()
            .oneshot(b.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = resp.status();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let body = resp.into_body().collect().await.unwrap().to_bytes().to_vec();
        (status, headers, body)
    }

    pub async fn get(&self, path: &str, s: Option<&Session>) -> (StatusCode, String) {
        let mut b = Request::get(path).header(header::HOST, self.host.as_str());
        if let Some(s) = s {
            b = b.header(header::COOKIE, &s.cookie);
        }
        let (st, _, body) = self.send(b.body(Body::empty()).unwrap()).await;
        (st, body)
    }

    /// A JSON API call with the session's cookie and CSRF header.
    pub async fn api(
        &self,
        method: &str,
        path: &str,
        s: Option<&Session>,
        json: serde_json::Value,
    ) -> (StatusCode, serde_json::Value) {
        let mut b = Request::builder()
            .method(method)
            .uri(path)
            .header(header::HOST, self.host.as_str())
            .header(header::CONTENT_TYPE, "application/json");
        if let Some(s) = s {
            b = b.header(header::COOKIE, &s.cookie).header("x-csrf-token", &s.csrf);
        }
        let (st, _, body) = self.send(b.body(Body::from(json.to_string())).unwrap()).await;
        (st, serde_json::from_str(&body).unwrap_or(serde_json::Value::Null))
    }

    /// A raw body (a file upload) with the session's cookie and CSRF header.
    pub async fn raw(&self, path: &str, s: Option<&Session>, bytes: Vec<u8>) -> (StatusCode, serde_json::Value) {
        let mut b = Request::post(path)
            .header(header::HOST, self.host.as_str())
            .header(header::CONTENT_TYPE, "application/octet-stream");
        if let Some(s) = s {
            b = b.header(header::COOKIE, &s.cookie).header("x-csrf-token", &s.csrf);
        }
        let (st, _, body) = self.send(b.body(Body::from(bytes)).unwrap()).await;
        (st, serde_json::from_str(&body).unwrap_or(serde_json::Value::Null))
    }

    /// A form post as the browser sends it, with the session's `_csrf` field.
    pub async fn form(
        &self,
        path: &str,
        s: Option<&Session>,
        fields: &[(&str, &str)],
    ) -> (StatusCode, Option<String>, String) {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        if let Some(s) = s {
            all.push(("_csrf", &s.csrf));
        }
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(all)
            .finish();
        let mut b = Request::post(path)
            .header(header::HOST, self.host.as_str())
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(s) = s {
            b = b.header(header::COOKIE, &s.cookie);
        }
        let (st, headers, body) = self.send(b.body(Body::from(body)).unwrap()).await;
        let location = headers.into_iter().find(|(k, _)| k == "location").map(|(_, v)| v);
        (st, location, body)
    }

    /// A file sent as the one field `field` of a multipart form (a photo, a
    /// roster), with the session's CSRF token in the query string.
    pub async fn upload(
        &self,
        path: &str,
        s: Option<&Session>,
        field: &str,
        filename: &str,
        bytes: &[u8],
    ) -> (StatusCode, Vec<(String, String)>, String) {
        self.multipart_parts(path, s, &[], Some((field, filename, bytes))).await
    }

    /// A multipart form as a browser sends it (a file upload), with the
    /// session's cookie and CSRF token in the query string, as our forms do.
    pub async fn multipart(
        &self,
        path: &str,
        s: Option<&Session>,
        fields: &[(&str, &str)],
        file: Option<(&str, &[u8])>,
    ) -> (StatusCode, Vec<(String, String)>, String) {
        let file = file.map(|(name, bytes)| ("file", name, bytes));
        self.multipart_parts(path, s, fields, file).await
    }

    async fn multipart_parts(
        &self,
        path: &str,
        s: Option<&Session>,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
    ) -> (StatusCode, Vec<(String, String)>, String) {
        let boundary = "----kehoach-test-boundary";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
            );
        }
        if let Some((field, name, bytes)) = file {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(bytes);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let uri = match s {
            Some(s) => format!("{path}{}_csrf={}", if path.contains('?') { '&' } else { '?' }, s.csrf),
            None => path.to_string(),
        };
        let mut b = Request::post(uri).header(header::HOST, self.host.as_str()).header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        );
        if let Some(s) = s {
            b = b.header(header::COOKIE, &s.cookie);
        }
        self.send(b.body(Body::from(body)).unwrap()).await
    }
}

/// Every route of the router, read from its source (`fn api_routes()` and
/// `fn page_routes()` in `src/router.rs`), so that tests covering every
/// route cover a new one without being edited: (method, path pattern).
pub fn router_routes() -> Vec<(String, String)> {
    let src = include_str!("../../src/router.rs");
    let api_at = src.find("fn api_routes()").expect("the API router");
    let pages_at = src.find("fn page_routes()").expect("the pages router");
    let mut out = Vec::new();
    for (section, prefix) in [(&src[api_at..pages_at], "/api/v1"), (&src[pages_at..], "")] {
        for piece in section.split(".route(").skip(1) {
            let Some(path) = piece.split('"').nth(1) else { continue };
            for method in ["get", "post", "put", "patch", "delete"] {
                if piece.contains(&format!("{method}(")) {
                    out.push((method.to_uppercase(), format!("{prefix}{path}")));
                }
            }
        }
    }
    out
}
