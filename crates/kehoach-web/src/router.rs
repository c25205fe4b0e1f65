//! Every route of the app, pages and API, and the layers in front of them
//! (session and CSRF, one error shape, security headers, compression).
//! Only this module and `openapi` name every feature; nothing names them.

use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::routing::{get, patch, post, put};
use tower_http::compression::CompressionLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_swagger_ui::SwaggerUi;

use crate::AppState;
use crate::http::auth;

/// What `serve` runs: every commune of the server behind one listener,
/// each served by `app` on its own host (see `communes`).
pub fn server_app(primary: AppState) -> Router {
    crate::communes::front(primary, app)
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
    let routes = Router::new()
        .merge(page_routes())
        .nest("/api/v1", api_routes())
        .route("/static/{*path}", get(crate::ui::assets::serve))
        .fallback(crate::ui::not_found);
    with_layers(routes, state)
}

/// Every JSON door, under `/api/v1`.
fn api_routes() -> Router<AppState> {
    Router::new()
        .route("/login", post(crate::admin::api::api_login))
        .route("/logout", post(crate::admin::api::api_logout))
        .route("/me", get(crate::admin::api::me))
        .route("/plan", get(crate::plan::api::plan))
        .route("/board", get(crate::board::api::api_board))
        .route("/board/records", get(crate::board::api::api_trace))
        .route(
            "/reminders",
            get(crate::reminders::api::api_list).post(crate::reminders::api::api_send),
        )
        .route("/reminders/{id}/read", post(crate::reminders::api::api_read))
        .route("/report/texts/{section}", put(crate::reports::api::api_put_text))
        .route("/report/budget", put(crate::reports::api::api_put_budget))
        .route("/shifts", post(crate::volunteers::api::api_create_shift))
        .route(
            "/shifts/{id}",
            axum::routing::delete(crate::volunteers::api::api_cancel),
        )
        .route("/propaganda", post(crate::propaganda::api::api_log))
        .route(
            "/propaganda/{id}",
            axum::routing::delete(crate::propaganda::api::api_delete),
        )
        .route("/contests/{id}", put(crate::contests::api::api_settings))
        .route("/contests/{id}/rubric", put(crate::contests::api::api_rubric))
        .route("/contests/{id}/judges", put(crate::contests::api::api_judges))
        .route("/contests/{id}/lock", post(crate::contests::api::api_lock))
        .route("/contests/{id}/publish", post(crate::contests::api::api_publish))
        .route("/contests/{id}/ranking", get(crate::contests::api::api_ranking))
        .route(
            "/contests/{id}/entries/{entry}/score",
            put(crate::contests::api::api_score),
        )
        .route(
            "/contests/{id}/entries/{entry}/recusal",
            post(crate::contests::api::api_recuse),
        )
        .route(
            "/contests/{id}/entries/{entry}/prize",
            put(crate::contests::api::api_prize),
        )
        .route("/shifts/{id}/signups", post(crate::volunteers::api::api_sign_up))
        .route(
            "/shifts/{id}/signups/mine",
            axum::routing::delete(crate::volunteers::api::api_withdraw),
        )
        .route(
            "/units",
            get(crate::admin::api::units).post(crate::admin::api::create_unit),
        )
        .route("/units/{id}", patch(crate::admin::api::update_unit))
        .route(
            "/units/{id}/populations/{population}",
            put(crate::admin::api::set_population),
        )
        .route("/units/{id}/classes", post(crate::admin::api::add_class))
        .route("/units/{id}/history", get(crate::records::history::api::unit_history))
        .route("/classes/{id}", patch(crate::admin::api::update_class))
        .route(
            "/users",
            get(crate::admin::api::users).post(crate::admin::api::create_user),
        )
        .route("/users/{id}", patch(crate::admin::api::update_user))
        .route("/users/{id}/person", put(crate::admin::api::link_person))
        .route("/invites", post(crate::admin::api::create_invite))
        .route(
            "/turns",
            get(crate::records::turns::api::list_turns).post(crate::records::turns::api::record_turn),
        )
        .route("/turns/batch", post(crate::records::turns::api::record_turn_batch))
        .route(
            "/turns/{id}",
            axum::routing::delete(crate::records::turns::api::delete_turn),
        )
        .route(
            "/sessions",
            get(crate::records::sessions::api::list_sessions).post(crate::records::sessions::api::create_session),
        )
        .route(
            "/sessions/{id}",
            put(crate::records::sessions::api::update_session).delete(crate::records::sessions::api::delete_session),
        )
        .route(
            "/sessions/{id}/status",
            post(crate::records::sessions::api::session_status),
        )
        .route(
            "/sessions/{id}/photos",
            post(crate::records::sessions::api::add_photo)
                .layer(DefaultBodyLimit::max(crate::records::sessions::PHOTO_MAX_BYTES + 1024)),
        )
        .route(
            "/sessions/{id}/photos/{photo_id}",
            get(crate::records::sessions::api::photo),
        )
        .route(
            "/sessions/{id}/attendance",
            get(crate::records::sessions::api::attendance).post(crate::records::sessions::api::check_in),
        )
        .route(
            "/sessions/{id}/attendance/{person_id}",
            axum::routing::delete(crate::records::sessions::api::remove_attendance),
        )
        .route("/people", get(crate::records::rosters::api::people))
        .route("/people/{id}", patch(crate::records::rosters::api::update_person))
        .route(
            "/rosters/{roster}/import",
            post(crate::records::rosters::api::import_roster).layer(DefaultBodyLimit::max(
                crate::records::rosters::import::MAX_FILE_BYTES + 1024,
            )),
        )
        .route(
            "/rosters/{roster}/template",
            get(crate::records::rosters::api::roster_template),
        )
        .route(
            "/rosters/{roster}/cards.pdf",
            get(crate::records::rosters::api::roster_cards),
        )
}

/// Every page and form, the public pages and the app's own files.
fn page_routes() -> Router<AppState> {
    Router::new()
        .route("/", get(crate::admin::login::home))
        .route(
            "/dang-nhap",
            get(crate::admin::login::login_page).post(crate::admin::login::login_submit),
        )
        .route("/dang-xuat", post(crate::admin::login::logout))
        .route(
            "/moi/{token}",
            get(crate::admin::login::invite_page).post(crate::admin::login::invite_submit),
        )
        .route("/ke-hoach", get(crate::plan::plan_page))
        .route(
            "/ke-hoach/nhap",
            get(crate::plan::import::form)
                .post(crate::plan::import::read)
                .layer(DefaultBodyLimit::max(crate::plan::import::MAX_BYTES + 64 * 1024)),
        )
        .route("/ke-hoach/nhap/kiem-tra", post(crate::plan::import::check))
        .route("/ke-hoach/nhap/kich-hoat", post(crate::plan::import::activate))
        .route("/ke-hoach/nhap/them", post(crate::plan::import::add))
        .route("/ke-hoach/danh-sach", get(crate::plan::plans::list))
        .route("/thanh-pho", get(crate::city::board::city_board))
        .route("/thanh-pho/so-lieu.xlsx", get(crate::city::workbook::city_workbook))
        .route("/thanh-pho/xa/{slug}", get(crate::city::board::commune_board))
        .route(
            "/thanh-pho/xa",
            get(crate::city::communes_page).post(crate::city::add_commune),
        )
        .route("/ke-hoach/chon", post(crate::plan::plans::choose))
        .route("/ke-hoach/trang-thai", post(crate::plan::plans::set_state))
        .route("/theo-doi", get(crate::board::page::board_page))
        .route("/theo-doi/ho-so", get(crate::board::trace::trace_page))
        .route("/bao-cao", get(crate::reports::pages::preview))
        .route("/bao-cao/van-ban", post(crate::reports::pages::texts_form))
        .route("/bao-cao/kinh-phi", post(crate::reports::pages::budget_form))
        .route("/bao-cao/don-vi/{file}", get(crate::reports::pages::unit_report))
        .route("/bao-cao/{file}", get(crate::reports::pages::summary))
        .route("/xuat/du-lieu.xlsx", get(crate::reports::exports::export_xlsx))
        .route("/xuat/{file}", get(crate::reports::exports::export_csv))
        .route("/nhac-nho", post(crate::reminders::pages::send_form))
        .route("/nhac-nho/moi", get(crate::reminders::pages::new_page))
        .route("/nhac-nho/{id}", get(crate::reminders::pages::show_page))
        .route("/nhac-nho/{id}/da-doc", post(crate::reminders::pages::read_form))
        .route(
            "/don-vi",
            get(crate::admin::units::units_page).post(crate::admin::units::unit_create),
        )
        .route("/don-vi/nhieu", post(crate::admin::units::unit_create_many))
        .route("/don-vi/{id}", post(crate::admin::units::unit_update))
        .route("/don-vi/{id}/dan-so", post(crate::admin::units::unit_population))
        .route("/don-vi/{id}/lop", post(crate::admin::units::class_add))
        .route("/don-vi/{id}/lich-su", get(crate::records::history::unit_history))
        .route("/lop/{id}", post(crate::admin::units::class_update))
        .route(
            "/nguoi-dung",
            get(crate::admin::users::users_page).post(crate::admin::users::user_create),
        )
        .route("/nguoi-dung/{id}", post(crate::admin::users::user_update))
        .route("/nguoi-dung/{id}/doan-vien", post(crate::admin::users::user_person))
        .route("/loi-moi", post(crate::admin::users::invite_create))
        .route(
            "/nguoi-dung/loi-moi/{id}/thu-hoi",
            post(crate::admin::users::invite_revoke),
        )
        .route(
            "/nguoi-dung/loi-moi/{id}/cap-lai",
            post(crate::admin::users::invite_reissue),
        )
        .route(
            "/buoi",
            get(crate::records::sessions::pages::sessions_page).post(crate::records::sessions::pages::session_create),
        )
        .route("/buoi/moi", get(crate::records::sessions::pages::session_new))
        .route(
            "/buoi/{id}",
            get(crate::records::sessions::pages::session_page).post(crate::records::sessions::pages::session_update),
        )
        .route("/buoi/{id}/sua", get(crate::records::sessions::pages::session_edit))
        .route(
            "/buoi/{id}/trang-thai",
            post(crate::records::sessions::pages::session_status),
        )
        .route("/buoi/{id}/xoa", post(crate::records::sessions::pages::session_delete))
        .route("/buoi/{id}/tim", get(crate::records::sessions::pages::people_search))
        .route("/buoi/{id}/diem-danh", post(crate::records::sessions::pages::check_in))
        .route(
            "/buoi/{id}/bo-diem-danh",
            post(crate::records::sessions::pages::uncheck),
        )
        .route(
            "/buoi/{id}/anh",
            post(crate::records::sessions::pages::photo_upload).layer(DefaultBodyLimit::max(
                crate::records::sessions::PHOTO_MAX_BYTES + 64 * 1024,
            )),
        )
        .route("/danh-sach", get(crate::records::rosters::pages::rosters_page))
        .route(
            "/danh-sach/nhap",
            post(crate::records::rosters::pages::roster_upload).layer(DefaultBodyLimit::max(
                crate::records::rosters::import::MAX_FILE_BYTES + 64 * 1024,
            )),
        )
        .route("/danh-sach/luu", post(crate::records::rosters::pages::roster_save))
        .route("/danh-sach/{id}", post(crate::records::rosters::pages::person_update))
        .route("/ghi-luot", get(crate::records::turns::page::turns_page))
        .route("/ca-cua-toi", get(crate::volunteers::pages::mine_page))
        .route("/don-vi-cua-toi", get(crate::board::unit_home::unit_home))
        .route("/ca/{id}/dang-ky", post(crate::volunteers::pages::sign_up_form))
        .route("/ca/{id}/huy-dang-ky", post(crate::volunteers::pages::withdraw_form))
        .route(
            "/doi-hinh",
            get(crate::volunteers::pages::teams_page).post(crate::volunteers::pages::team_form),
        )
        .route("/doi-hinh/ca", post(crate::volunteers::pages::shift_form))
        .route(
            "/doi-hinh/ca/{id}/phan-cong",
            post(crate::volunteers::pages::assign_form),
        )
        .route("/doi-hinh/ra-quan", post(crate::volunteers::pages::launch_form))
        .route("/doi-hinh/{id}/sua", post(crate::volunteers::pages::team_edit_form))
        .route("/doi-hinh/ca/{id}/huy", post(crate::volunteers::pages::cancel_form))
        .route(
            "/tuyen-truyen",
            get(crate::propaganda::pages::log_page).post(crate::propaganda::pages::log_form),
        )
        .route("/tuyen-truyen/{id}/xoa", post(crate::propaganda::pages::delete_form))
        .route("/cuoc-thi", get(crate::contests::staff::staff_list))
        .route("/cuoc-thi/{id}", get(crate::contests::staff::manage_page))
        .route("/cuoc-thi/{id}/cai-dat", post(crate::contests::staff::settings_form))
        .route("/cuoc-thi/{id}/tieu-chi", post(crate::contests::staff::rubric_form))
        .route("/cuoc-thi/{id}/giam-khao", post(crate::contests::staff::judges_form))
        .route("/cuoc-thi/{id}/khoa", post(crate::contests::staff::lock_form))
        .route("/cuoc-thi/{id}/giai", post(crate::contests::staff::prize_form))
        .route("/cuoc-thi/{id}/cong-bo", post(crate::contests::staff::publish_form))
        .route("/cuoc-thi/bai/{entry}/tep", get(crate::contests::staff::entry_file))
        .route("/cham-thi", get(crate::contests::judges::judge_list))
        .route("/cham-thi/{id}", get(crate::contests::judges::judge_page))
        .route("/cham-thi/{id}/{entry}", post(crate::contests::judges::score_form))
        .route(
            "/cham-thi/{id}/{entry}/xung-dot",
            post(crate::contests::judges::recuse_form),
        )
        .route("/cong-khai/cuoc-thi", get(crate::contests::public::public_list))
        .route(
            "/cong-khai/cuoc-thi/{id}",
            get(crate::contests::public::public_contest_page)
                .post(crate::contests::public::public_submit)
                .layer(DefaultBodyLimit::max(
                    crate::contests::ENTRY_FILE_MAX_BYTES + 256 * 1024,
                )),
        )
        .route(
            "/cong-khai/cuoc-thi/{id}/giay-chung-nhan/{file}",
            get(crate::contests::public::certificate_pdf),
        )
        .route("/cong-khai/bien-nhan", get(crate::contests::public::receipt_lookup))
        .route(
            "/cong-khai/bien-nhan/{code}",
            get(crate::contests::public::receipt_show),
        )
        .route(
            "/cong-khai/bien-nhan/{code}/rut",
            post(crate::contests::public::receipt_withdraw),
        )
        .route(
            "/cong-khai/bien-nhan/{code}/thay",
            post(crate::contests::public::receipt_replace).layer(DefaultBodyLimit::max(
                crate::contests::ENTRY_FILE_MAX_BYTES + 256 * 1024,
            )),
        )
        .route("/cong-khai", get(crate::public::home))
        .route("/cong-khai/lich.ics", get(crate::public::plan_feed))
        .route("/cong-khai/{slug}", get(crate::public::unit))
        .route("/cong-khai/{slug}/lich.ics", get(crate::public::unit_feed))
        .route("/cong-khai/{slug}/ap-phich.pdf", get(crate::public::poster))
        .route("/sw.js", get(crate::ui::assets::service_worker))
        .route("/manifest.webmanifest", get(crate::ui::assets::manifest))
        .route("/healthz", get(healthz))
}

/// The layers every request passes: security headers, the time limit, one
/// error shape, the session and CSRF check, the body limit, compression.
fn with_layers(routes: Router<AppState>, state: AppState) -> Router {
    routes
        // Scripts from this site only (no inline script: behaviours live in
        // /static/page-1.js); inline style attributes stay (bars' widths).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        // The API explorer (Swagger UI) carries its own inline script.
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", crate::openapi::ApiDoc::openapi()))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::plan::plans::closed_guard,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            crate::ui::shape::one_shape,
        ))
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
