//! kehoach-web: the HTTP face of kehoach. `app(state)` builds the whole
//! router (pages, API, assets) so tests drive it without a socket.

pub mod api;
pub mod assets;
pub mod auth;
pub mod board;
pub mod contest_pages;
pub mod contests;
pub mod errors;
pub mod heavy;
pub mod mail;
pub mod pages;
pub mod pages_records;
pub mod people;
pub mod plan_import;
pub mod policy;
pub mod propaganda;
pub mod public;
pub mod reminders;
pub mod report;
pub mod roster_import;
pub mod serve;
pub mod service;
pub mod sessions;
pub mod shape;
pub mod turns;
pub mod volunteers;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::routing::{get, patch, post, put};
use kehoach_core::Plan;
use kehoach_store::Store;
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub plan: Arc<Plan>,
    pub plan_id: String,
    /// Base URL for links we hand out (invites), without a trailing slash.
    pub public_url: String,
    /// Mark cookies `Secure` (when served over HTTPS).
    pub secure_cookies: bool,
    pub limiter: Arc<auth::LoginLimiter>,
    /// Failed logins per client across usernames (trying many usernames
    /// from one address trips it).
    pub client_limiter: Arc<auth::LoginLimiter>,
    /// Contest entries per address and hour (abuse limit of the public form).
    pub entry_limiter: Arc<auth::LoginLimiter>,
    /// The group-commit writer of support turns.
    pub ingest: kehoach_store::IngestWriter,
    /// The plan's units, read once and dropped whenever a unit changes
    /// (every support turn checks its village against them).
    pub units_cache: Arc<tokio::sync::RwLock<Option<Arc<Vec<kehoach_store::UnitRow>>>>>,
    /// Sends reminder emails; None when no SMTP server is configured.
    pub mailer: Option<Arc<mail::Mailer>>,
    /// Roster files previewed and waiting to be saved, by token.
    pub staged: Arc<std::sync::Mutex<std::collections::HashMap<String, pages_records::StagedImport>>>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (loopback
    /// by default: a proxy on the same machine).
    pub trusted_proxies: Arc<Vec<auth::ProxyRange>>,
    /// The switch in front of the router, when served through [`live_app`]:
    /// activating another plan swaps the router behind it.
    pub live: Option<Live>,
    /// Bounds on parsing uploads and hashing passwords.
    pub gates: heavy::Gates,
}

/// The router in use, swappable while serving.
#[derive(Clone, Default)]
pub struct Live(Arc<std::sync::RwLock<Option<Router>>>);

impl Live {
    pub fn set(&self, r: Router) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Some(r);
    }
    fn current(&self) -> Router {
        self.0
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .unwrap_or_default()
    }
}

/// The app behind a [`Live`] switch: what `serve` runs, so that a coordinator
/// can activate another plan without a restart.
pub fn live_app(state: AppState) -> Router {
    let live = Live::default();
    let state = AppState {
        live: Some(live.clone()),
        ..state
    };
    live.set(app(state));
    Router::new().fallback_service(tower::service_fn(move |req: axum::extract::Request| {
        let router = live.current();
        async move { tower::ServiceExt::oneshot(router, req).await }
    }))
}

impl AppState {
    pub fn new(store: Store, plan: Plan, public_url: String) -> AppState {
        let public_url = public_url.trim_end_matches('/').to_string();
        AppState {
            ingest: kehoach_store::IngestWriter::start(store.clone()),
            staged: Arc::default(),
            units_cache: Arc::default(),
            live: None,
            gates: heavy::Gates::default(),
            mailer: None,
            trusted_proxies: Arc::new(vec![
                auth::ProxyRange::single(std::net::Ipv4Addr::LOCALHOST.into()),
                auth::ProxyRange::single(std::net::Ipv6Addr::LOCALHOST.into()),
            ]),
            store,
            plan_id: plan.plan.id.clone(),
            plan: Arc::new(plan),
            secure_cookies: public_url.starts_with("https://"),
            public_url,
            limiter: Arc::new(auth::LoginLimiter::new(5, Duration::from_secs(600))),
            client_limiter: Arc::new(auth::LoginLimiter::new(auth::CLIENT_FAILURES, Duration::from_secs(600))),
            entry_limiter: Arc::new(auth::LoginLimiter::new(
                contests::ENTRIES_PER_HOUR,
                Duration::from_secs(3600),
            )),
        }
    }
}

impl AppState {
    /// The plan's units, from the cache when it is fresh.
    pub async fn units(&self) -> Result<Arc<Vec<kehoach_store::UnitRow>>, kehoach_store::StoreError> {
        if let Some(u) = self.units_cache.read().await.as_ref() {
            return Ok(u.clone());
        }
        let mut w = self.units_cache.write().await;
        let fresh = Arc::new(self.store.list_units(&self.plan_id).await?);
        *w = Some(fresh.clone());
        Ok(fresh)
    }

    /// Trusts these reverse proxies' `X-Forwarded-For` (none: the peer is the client).
    pub fn with_trusted_proxies(mut self, proxies: Vec<auth::ProxyRange>) -> AppState {
        self.trusted_proxies = Arc::new(proxies);
        self
    }

    /// Emails reminders through this SMTP setting.
    pub fn with_mailer(mut self, mailer: mail::Mailer) -> AppState {
        self.mailer = Some(Arc::new(mailer));
        self
    }

    /// The same state with another plan (after activation): fresh caches,
    /// the same store, writer, mailer and limits.
    pub fn with_plan(&self, plan: Plan) -> AppState {
        AppState {
            plan_id: plan.plan.id.clone(),
            plan: Arc::new(plan),
            units_cache: Arc::default(),
            staged: Arc::default(),
            ..self.clone()
        }
    }

    /// Call after any change to units.
    pub async fn forget_units(&self) {
        *self.units_cache.write().await = None;
    }
}

/// Today in the commune's time zone (Asia/Ho_Chi_Minh, UTC+7 all year).
pub fn today_vn() -> kehoach_core::Day {
    let offset = time::UtcOffset::from_hms(7, 0, 0).expect("valid offset");
    kehoach_core::Day(time::OffsetDateTime::now_utc().to_offset(offset).date())
}

/// Liveness: `{"ok": true}` when the database answers (503 otherwise). The
/// pool's figures (`db_connections`, `db_idle`) are added only for a client
/// on this machine (monitoring), never for the public.
async fn healthz(
    axum::extract::State(st): axum::extract::State<AppState>,
    req: axum::extract::Request,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let client = auth::client_key(&st.trusted_proxies, req.headers(), req.extensions());
    let local = client == "local" || client.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
    // Read the pool before our own query borrows a connection from it.
    let (size, idle) = st.store.pool_stats();
    let ok = st.store.ping().await.is_ok();
    let status = if ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = if local {
        serde_json::json!({"ok": ok, "db_connections": size, "db_idle": idle})
    } else {
        serde_json::json!({ "ok": ok })
    };
    (status, axum::Json(body)).into_response()
}

/// The Content-Security-Policy of every page.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; object-src 'none'; \
    base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/login", post(api::api_login))
        .route("/logout", post(api::api_logout))
        .route("/me", get(api::me))
        .route("/plan", get(api::plan))
        .route("/board", get(board::api_board))
        .route("/board/records", get(board::api_trace))
        .route("/reminders", get(reminders::api_list).post(reminders::api_send))
        .route("/reminders/{id}/read", post(reminders::api_read))
        .route("/report/texts/{section}", put(report::api_put_text))
        .route("/report/budget", put(report::api_put_budget))
        .route("/shifts", post(volunteers::api_create_shift))
        .route("/shifts/{id}", axum::routing::delete(volunteers::api_cancel))
        .route("/propaganda", post(propaganda::api_log))
        .route("/propaganda/{id}", axum::routing::delete(propaganda::api_delete))
        .route("/contests/{id}", put(contest_pages::api_settings))
        .route("/contests/{id}/rubric", put(contest_pages::api_rubric))
        .route("/contests/{id}/judges", put(contest_pages::api_judges))
        .route("/contests/{id}/lock", post(contest_pages::api_lock))
        .route("/contests/{id}/publish", post(contest_pages::api_publish))
        .route("/contests/{id}/ranking", get(contest_pages::api_ranking))
        .route("/contests/{id}/entries/{entry}/score", put(contest_pages::api_score))
        .route(
            "/contests/{id}/entries/{entry}/recusal",
            post(contest_pages::api_recuse),
        )
        .route("/contests/{id}/entries/{entry}/prize", put(contest_pages::api_prize))
        .route("/shifts/{id}/signups", post(volunteers::api_sign_up))
        .route(
            "/shifts/{id}/signups/mine",
            axum::routing::delete(volunteers::api_withdraw),
        )
        .route("/units", get(api::units).post(api::create_unit))
        .route("/units/{id}", patch(api::update_unit))
        .route("/units/{id}/populations/{population}", put(api::set_population))
        .route("/units/{id}/classes", post(api::add_class))
        .route("/units/{id}/history", get(api::unit_history))
        .route("/classes/{id}", patch(api::update_class))
        .route("/users", get(api::users).post(api::create_user))
        .route("/users/{id}", patch(api::update_user))
        .route("/users/{id}/person", put(api::link_person))
        .route("/invites", post(api::create_invite))
        .route("/turns", get(api::list_turns).post(api::record_turn))
        .route("/turns/batch", post(api::record_turn_batch))
        .route("/turns/{id}", axum::routing::delete(api::delete_turn))
        .route("/sessions", get(api::list_sessions).post(api::create_session))
        .route("/sessions/{id}", put(api::update_session).delete(api::delete_session))
        .route("/sessions/{id}/status", post(api::session_status))
        .route(
            "/sessions/{id}/photos",
            post(api::add_photo).layer(DefaultBodyLimit::max(sessions::PHOTO_MAX_BYTES + 1024)),
        )
        .route("/sessions/{id}/photos/{photo_id}", get(api::photo))
        .route("/sessions/{id}/attendance", get(api::attendance).post(api::check_in))
        .route(
            "/sessions/{id}/attendance/{person_id}",
            axum::routing::delete(api::remove_attendance),
        )
        .route("/people", get(api::people))
        .route("/people/{id}", patch(api::update_person))
        .route(
            "/rosters/{roster}/import",
            post(api::import_roster).layer(DefaultBodyLimit::max(roster_import::MAX_FILE_BYTES + 1024)),
        )
        .route("/rosters/{roster}/template", get(api::roster_template))
        .route("/rosters/{roster}/cards.pdf", get(api::roster_cards));

    let pages = Router::new()
        .route("/", get(pages::home))
        .route("/dang-nhap", get(pages::login_page).post(pages::login_submit))
        .route("/dang-xuat", post(pages::logout))
        .route("/moi/{token}", get(pages::invite_page).post(pages::invite_submit))
        .route("/ke-hoach", get(pages::plan_page))
        .route(
            "/ke-hoach/nhap",
            get(plan_import::form)
                .post(plan_import::read)
                .layer(DefaultBodyLimit::max(plan_import::MAX_BYTES + 64 * 1024)),
        )
        .route("/ke-hoach/nhap/kiem-tra", post(plan_import::check))
        .route("/ke-hoach/nhap/kich-hoat", post(plan_import::activate))
        .route("/theo-doi", get(board::board_page))
        .route("/theo-doi/ho-so", get(board::trace_page))
        .route("/bao-cao", get(report::preview))
        .route("/bao-cao/van-ban", post(report::texts_form))
        .route("/bao-cao/kinh-phi", post(report::budget_form))
        .route("/bao-cao/don-vi/{file}", get(report::unit_report))
        .route("/bao-cao/{file}", get(report::summary))
        .route("/xuat/du-lieu.xlsx", get(report::export_xlsx))
        .route("/xuat/{file}", get(report::export_csv))
        .route("/nhac-nho", post(reminders::send_form))
        .route("/nhac-nho/moi", get(reminders::new_page))
        .route("/nhac-nho/{id}", get(reminders::show_page))
        .route("/nhac-nho/{id}/da-doc", post(reminders::read_form))
        .route("/don-vi", get(pages::units_page).post(pages::unit_create))
        .route("/don-vi/nhieu", post(pages::unit_create_many))
        .route("/don-vi/{id}", post(pages::unit_update))
        .route("/don-vi/{id}/dan-so", post(pages::unit_population))
        .route("/don-vi/{id}/lop", post(pages::class_add))
        .route("/don-vi/{id}/lich-su", get(pages_records::unit_history))
        .route("/lop/{id}", post(pages::class_update))
        .route("/nguoi-dung", get(pages::users_page).post(pages::user_create))
        .route("/nguoi-dung/{id}", post(pages::user_update))
        .route("/nguoi-dung/{id}/doan-vien", post(pages::user_person))
        .route("/loi-moi", post(pages::invite_create))
        .route("/nguoi-dung/loi-moi/{id}/thu-hoi", post(pages::invite_revoke))
        .route("/nguoi-dung/loi-moi/{id}/cap-lai", post(pages::invite_reissue))
        .route(
            "/buoi",
            get(pages_records::sessions_page).post(pages_records::session_create),
        )
        .route("/buoi/moi", get(pages_records::session_new))
        .route(
            "/buoi/{id}",
            get(pages_records::session_page).post(pages_records::session_update),
        )
        .route("/buoi/{id}/sua", get(pages_records::session_edit))
        .route("/buoi/{id}/trang-thai", post(pages_records::session_status))
        .route("/buoi/{id}/xoa", post(pages_records::session_delete))
        .route("/buoi/{id}/tim", get(pages_records::people_search))
        .route("/buoi/{id}/diem-danh", post(pages_records::check_in))
        .route("/buoi/{id}/bo-diem-danh", post(pages_records::uncheck))
        .route(
            "/buoi/{id}/anh",
            post(pages_records::photo_upload).layer(DefaultBodyLimit::max(sessions::PHOTO_MAX_BYTES + 64 * 1024)),
        )
        .route("/danh-sach", get(pages_records::rosters_page))
        .route(
            "/danh-sach/nhap",
            post(pages_records::roster_upload).layer(DefaultBodyLimit::max(roster_import::MAX_FILE_BYTES + 64 * 1024)),
        )
        .route("/danh-sach/luu", post(pages_records::roster_save))
        .route("/danh-sach/{id}", post(pages_records::person_update))
        .route("/ghi-luot", get(pages::turns_page))
        .route("/ca-cua-toi", get(volunteers::mine_page))
        .route("/don-vi-cua-toi", get(board::unit_home))
        .route("/ca/{id}/dang-ky", post(volunteers::sign_up_form))
        .route("/ca/{id}/huy-dang-ky", post(volunteers::withdraw_form))
        .route("/doi-hinh", get(volunteers::teams_page).post(volunteers::team_form))
        .route("/doi-hinh/ca", post(volunteers::shift_form))
        .route("/doi-hinh/ca/{id}/phan-cong", post(volunteers::assign_form))
        .route("/doi-hinh/ra-quan", post(volunteers::launch_form))
        .route("/doi-hinh/{id}/sua", post(volunteers::team_edit_form))
        .route("/doi-hinh/ca/{id}/huy", post(volunteers::cancel_form))
        .route("/tuyen-truyen", get(propaganda::log_page).post(propaganda::log_form))
        .route("/tuyen-truyen/{id}/xoa", post(propaganda::delete_form))
        .route("/cuoc-thi", get(contest_pages::staff_list))
        .route("/cuoc-thi/{id}", get(contest_pages::manage_page))
        .route("/cuoc-thi/{id}/cai-dat", post(contest_pages::settings_form))
        .route("/cuoc-thi/{id}/tieu-chi", post(contest_pages::rubric_form))
        .route("/cuoc-thi/{id}/giam-khao", post(contest_pages::judges_form))
        .route("/cuoc-thi/{id}/khoa", post(contest_pages::lock_form))
        .route("/cuoc-thi/{id}/giai", post(contest_pages::prize_form))
        .route("/cuoc-thi/{id}/cong-bo", post(contest_pages::publish_form))
        .route("/cuoc-thi/bai/{entry}/tep", get(contest_pages::entry_file))
        .route("/cham-thi", get(contest_pages::judge_list))
        .route("/cham-thi/{id}", get(contest_pages::judge_page))
        .route("/cham-thi/{id}/{entry}", post(contest_pages::score_form))
        .route("/cham-thi/{id}/{entry}/xung-dot", post(contest_pages::recuse_form))
        .route("/cong-khai/cuoc-thi", get(contest_pages::public_list))
        .route(
            "/cong-khai/cuoc-thi/{id}",
            get(contest_pages::public_contest_page)
                .post(contest_pages::public_submit)
                .layer(DefaultBodyLimit::max(contests::ENTRY_FILE_MAX_BYTES + 256 * 1024)),
        )
        .route(
            "/cong-khai/cuoc-thi/{id}/giay-chung-nhan/{file}",
            get(contest_pages::certificate_pdf),
        )
        .route("/cong-khai/bien-nhan", get(contest_pages::receipt_lookup))
        .route("/cong-khai/bien-nhan/{code}", get(contest_pages::receipt_show))
        .route("/cong-khai/bien-nhan/{code}/rut", post(contest_pages::receipt_withdraw))
        .route(
            "/cong-khai/bien-nhan/{code}/thay",
            post(contest_pages::receipt_replace)
                .layer(DefaultBodyLimit::max(contests::ENTRY_FILE_MAX_BYTES + 256 * 1024)),
        )
        .route("/cong-khai", get(public::home))
        .route("/cong-khai/lich.ics", get(public::plan_feed))
        .route("/cong-khai/{slug}", get(public::unit))
        .route("/cong-khai/{slug}/lich.ics", get(public::unit_feed))
        .route("/cong-khai/{slug}/ap-phich.pdf", get(public::poster))
        .route("/sw.js", get(assets::service_worker))
        .route("/manifest.webmanifest", get(assets::manifest))
        .route("/healthz", get(healthz));

    Router::new()
        .merge(pages)
        .nest("/api/v1", api)
        .route("/static/{*path}", get(assets::serve))
        .fallback(pages::not_found)
        // Scripts from this site only (no inline script: behaviours live in
        // /static/page-1.js); inline style attributes stay (bars' widths).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        // The API explorer (Swagger UI) carries its own inline script.
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", api::ApiDoc::openapi()))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(axum::middleware::from_fn_with_state(state.clone(), shape::one_shape))
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::session_layer))
        .layer(DefaultBodyLimit::max(1024 * 1024))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("permissions-policy"),
            // The camera scans QR cards on the check-in page; nothing else.
            HeaderValue::from_static("camera=(self), microphone=(), geolocation=(), payment=(), usb=()"),
        ))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}
