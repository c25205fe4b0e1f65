//! Login sessions, CSRF protection and login rate limiting.
//!
//! The session cookie holds a random token (the database keeps its hash), so
//! sessions survive restarts. Every unsafe request from a logged-in browser
//! must carry the session's CSRF token, as the `_csrf` form field or the
//! `X-CSRF-Token` header (htmx sends it from `hx-headers`); cross-site
//! requests are refused by their `Origin`/`Sec-Fetch-Site` headers first.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use kehoach_core::ErrorCode;
use kehoach_store::UserRow;

use crate::AppState;
use crate::http::errors::AppError;

pub const COOKIE: &str = "kh_session";
const FORM_LIMIT: usize = 1024 * 1024;

/// The logged-in user of a request, with the session's CSRF token.
#[derive(Clone)]
pub struct CurrentUser {
    pub user: UserRow,
    pub csrf: String,
    /// For pages: reminders to the user's unit not yet read (empty for the API).
    pub unread: Vec<kehoach_store::ReminderRow>,
    /// For pages: the member's shifts tomorrow, as reminder lines.
    pub shifts_tomorrow: Vec<String>,
    /// The user's unit, read once per request from the units cache (its
    /// kind and slug decide what the policy allows: teams, contests).
    pub unit: Option<kehoach_store::UnitRow>,
    /// For pages: the requested path and query.
    pub path: String,
}

impl CurrentUser {
    /// The user's unit is the youth union (it organises volunteer teams).
    pub fn in_youth_union(&self) -> bool {
        self.unit.as_ref().is_some_and(|u| u.kind == "youth_union")
    }

    /// The user's unit is one of `lead` (a plan line's lead units, by slug).
    pub fn unit_leads(&self, lead: &[String]) -> bool {
        self.unit.as_ref().is_some_and(|u| lead.contains(&u.slug))
    }
}

pub fn session_token(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_string())
}

pub fn session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}",
        kehoach_store::SESSION_TTL_SECS
    )
}

pub fn clear_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

fn cross_site(headers: &HeaderMap) -> bool {
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()), host) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => origin.split_once("://").map(|(_, h)| h) != Some(host),
        _ => false,
    }
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Loads the session and enforces CSRF on unsafe methods.
pub async fn session_layer(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    // Assets and health checks need no session: no database round trip for them.
    let path = req.uri().path();
    // Public pages never look at the visitor's session either.
    if path.starts_with("/static/")
        || path == "/cong-khai"
        || path.starts_with("/cong-khai/")
        || matches!(path, "/sw.js" | "/manifest.webmanifest" | "/healthz")
    {
        // Anonymous public forms (contest entries) still refuse other sites' posts.
        let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
        if unsafe_method && cross_site(req.headers()) {
            return AppError::new(ErrorCode::CsrfFailed, None).into_response();
        }
        return next.run(req).await;
    }
    let now = state.clock.now();
    let current = match session_token(req.headers()) {
        Some(t) => match state.store.session_user(&state.plan_id, &t, now).await {
            Ok(Some((user, csrf))) => {
                // Pages show unread reminders and the menu; a form post may answer with a page
                // (its errors), so it gets them too. API calls never need them.
                let page = !path.starts_with("/api/");
                let unread = match (&user.unit_id, page) {
                    (Some(_), true) => state
                        .store
                        .unread_reminders(&state.plan_id, &user.id, 5)
                        .await
                        .unwrap_or_default(),
                    _ => Vec::new(),
                };
                let shifts_tomorrow = if page {
                    let tomorrow = state.clock.today().plus(1);
                    state
                        .store
                        .user_shifts_on(&state.plan_id, &user.id, &tomorrow.iso())
                        .await
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(s, village)| {
                            format!(
                                "Ngày mai ({}) bạn có ca {}–{} tại {village}.",
                                tomorrow.vn(),
                                s.start_time,
                                s.end_time
                            )
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                let unit = match &user.unit_id {
                    Some(id) => state
                        .units()
                        .await
                        .ok()
                        .and_then(|us| us.iter().find(|u| &u.id == id).cloned()),
                    _ => None,
                };
                let path = req
                    .uri()
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/")
                    .to_string();
                Some(CurrentUser {
                    user,
                    csrf,
                    unread,
                    shifts_tomorrow,
                    unit,
                    path,
                })
            }
            Ok(None) => None,
            Err(e) => return AppError::from(e).into_response(),
        },
        None => None,
    };
    let unsafe_method = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if unsafe_method {
        if cross_site(req.headers()) {
            return AppError::new(ErrorCode::CsrfFailed, None).into_response();
        }
        let path = req.uri().path();
        let exempt = path == "/dang-nhap" || path == "/api/v1/login" || path.starts_with("/moi/");
        if let (Some(cu), false) = (&current, exempt) {
            let header_ok = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()) == Some(cu.csrf.as_str());
            if !header_ok {
                let is_form = req
                    .headers()
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
                if !is_form {
                    // A file upload form carries its token in the action's query string.
                    let is_multipart = req
                        .headers()
                        .get(header::CONTENT_TYPE)
                        .and_then(|v| v.to_str().ok())
                        .is_some_and(|v| v.starts_with("multipart/form-data"));
                    let query_token = req.uri().query().and_then(|q| form_field(q.as_bytes(), "_csrf"));
                    if is_multipart && query_token.as_deref() == Some(cu.csrf.as_str()) {
                        req.extensions_mut().insert(cu.clone());
                        return next.run(req).await;
                    }
                    return AppError::new(ErrorCode::CsrfFailed, None).into_response();
                }
                let (parts, body) = req.into_parts();
                let bytes = match to_bytes(body, FORM_LIMIT).await {
                    Ok(b) => b,
                    Err(_) => {
                        return AppError::new(ErrorCode::BodyTooLarge, None).into_response();
                    }
                };
                if form_field(&bytes, "_csrf").as_deref() != Some(cu.csrf.as_str()) {
                    return AppError::new(ErrorCode::CsrfFailed, None).into_response();
                }
                req = Request::from_parts(parts, Body::from(bytes));
            }
        }
    }
    if let Some(cu) = current {
        req.extensions_mut().insert(cu);
    }
    next.run(req).await
}

/// A logged-in user for API routes: 401 JSON otherwise.
pub struct ApiUser(pub CurrentUser);

impl<S: Send + Sync> FromRequestParts<S> for ApiUser {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        parts
            .extensions
            .get::<CurrentUser>()
            .cloned()
            .map(ApiUser)
            .ok_or_else(AppError::unauthenticated)
    }
}

/// A logged-in user for pages: a redirect to the login page otherwise.
pub struct PageUser(pub CurrentUser);

impl<S: Send + Sync> FromRequestParts<S> for PageUser {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        match parts.extensions.get::<CurrentUser>().cloned() {
            Some(cu) => Ok(PageUser(cu)),
            None => {
                let back = parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or("/");
                let next = url::form_urlencoded::byte_serialize(back.as_bytes()).collect::<String>();
                Err(Redirect::to(&format!("/dang-nhap?next={next}")).into_response())
            }
        }
    }
}

/// Failed logins per key (IP and username) in a sliding window.
pub struct LoginLimiter {
    window: Duration,
    max_failures: u32,
    failures: Mutex<HashMap<String, (u32, Instant)>>,
}

impl LoginLimiter {
    pub fn new(max_failures: u32, window: Duration) -> LoginLimiter {
        LoginLimiter {
            window,
            max_failures,
            failures: Mutex::new(HashMap::new()),
        }
    }
    pub fn blocked(&self, key: &str) -> bool {
        let map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        map.get(key)
            .is_some_and(|(n, since)| *n >= self.max_failures && since.elapsed() < self.window)
    }
    pub fn fail(&self, key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() > 100_000 {
            map.retain(|_, (_, since)| since.elapsed() < self.window);
        }
        let e = map.entry(key.to_string()).or_insert((0, Instant::now()));
        if e.1.elapsed() >= self.window {
            *e = (0, Instant::now());
        }
        e.0 += 1;
    }
    pub fn clear(&self, key: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(key);
    }
}

/// Failed logins one client may make in ten minutes, whatever usernames it
/// tries (per username the limit is five).
pub const CLIENT_FAILURES: u32 = 20;

/// Logs in: checks the limiter and the password, opens a session.
/// Returns (user, session token, csrf).
pub async fn login(
    state: &AppState,
    client: &str,
    username: &str,
    password: &str,
) -> Result<(UserRow, String, String), AppError> {
    // Per commune (accounts are the commune's, whichever plan it works in):
    // the same username in another commune is another account.
    let key = format!("{client}|{}|{}", state.commune.id, username.trim().to_lowercase());
    if state.limiter.blocked(&key) || state.client_limiter.blocked(client) {
        return Err(AppError::new(ErrorCode::LoginRateLimited, None));
    }
    match state.store.check_login(&state.plan_id, username, password).await? {
        Some(user) => {
            state.limiter.clear(&key);
            let (token, csrf) = state.store.create_session(&user.id, state.clock.now()).await?;
            Ok((user, token, csrf))
        }
        None => {
            state.limiter.fail(&key);
            state.client_limiter.fail(client);
            Err(AppError::new(ErrorCode::LoginFailed, Some("password")))
        }
    }
}

/// A trusted proxy: one address, or a range ("10.0.0.0/8", "fd00::/8").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProxyRange {
    addr: std::net::IpAddr,
    prefix: u8,
}

impl ProxyRange {
    /// "127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"; None when not that.
    pub fn parse(s: &str) -> Option<ProxyRange> {
        let (a, p) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().ok()?)),
            None => (s.trim(), None),
        };
        let addr: std::net::IpAddr = a.parse().ok()?;
        let prefix = p.unwrap_or(Self::full(addr));
        (prefix <= Self::full(addr)).then_some(ProxyRange { addr, prefix })
    }

    pub fn single(addr: std::net::IpAddr) -> ProxyRange {
        ProxyRange {
            addr,
            prefix: Self::full(addr),
        }
    }

    /// The prefix of one address: 32 bits, or 128.
    fn full(addr: std::net::IpAddr) -> u8 {
        if addr.is_ipv4() { 32 } else { 128 }
    }

    pub fn contains(&self, ip: &std::net::IpAddr) -> bool {
        let bits = |ip: &std::net::IpAddr| -> Option<u128> {
            match (ip, self.addr) {
                (std::net::IpAddr::V4(a), std::net::IpAddr::V4(_)) => Some(u128::from(u32::from(*a)) << 96),
                (std::net::IpAddr::V6(a), std::net::IpAddr::V6(_)) => Some(u128::from(*a)),
                _ => None,
            }
        };
        let (Some(a), Some(b)) = (bits(ip), bits(&self.addr)) else {
            return false;
        };
        // IPv4 sits in the top 32 bits, so the prefix counts from the top either way.
        let keep = u32::from(self.prefix);
        let mask = if keep == 0 { 0 } else { u128::MAX << (128 - keep) };
        a & mask == b & mask
    }
}

/// The client's address for rate limiting: the peer, or, when the peer is
/// a trusted reverse proxy, the nearest address in `X-Forwarded-For` that
/// no trusted proxy added (so citizens behind one proxy are not one client,
/// and a client cannot name itself another address).
pub fn client_key(trusted: &[ProxyRange], headers: &axum::http::HeaderMap, ext: &axum::http::Extensions) -> String {
    let Some(peer) = ext
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip())
    else {
        return "local".into();
    };
    let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|r| r.contains(ip));
    if !is_trusted(&peer) {
        return peer.to_string();
    }
    let chain: Vec<std::net::IpAddr> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map_while(|a| a.trim().parse().ok())
        .collect();
    chain
        .iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .copied()
        .unwrap_or(peer)
        .to_string()
}

/// A path on this site to go to after a form (login, reading a reminder):
/// it must start with one "/" and hold no backslash or control character
/// (browsers read "/\\evil.example" as "//evil.example", off-site).
pub fn local_path(next: &str) -> Option<&str> {
    let ok = next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.chars().any(|c| c.is_control());
    ok.then_some(next)
}

#[cfg(test)]
mod redirect_tests {
    use super::local_path;

    #[test]
    fn only_paths_of_this_site_are_followed() {
        assert_eq!(
            local_path("/theo-doi?ngay=15/07/2026"),
            Some("/theo-doi?ngay=15/07/2026")
        );
        for off_site in [
            "//evil.example/x",
            "/\\evil.example/x",
            "/\\/evil",
            "https://evil.example",
            "/\t/evil",
            "",
        ] {
            assert_eq!(local_path(off_site), None, "{off_site:?}");
        }
    }
}

#[cfg(test)]
mod proxy_tests {
    use super::ProxyRange;

    #[test]
    fn ranges_hold_their_addresses() {
        let r = ProxyRange::parse("10.0.0.0/8").unwrap();
        assert!(r.contains(&"10.200.3.4".parse().unwrap()));
        assert!(!r.contains(&"11.0.0.1".parse().unwrap()));
        assert!(!r.contains(&"::1".parse().unwrap()));
        let one = ProxyRange::parse("192.0.2.7").unwrap();
        assert!(one.contains(&"192.0.2.7".parse().unwrap()));
        assert!(!one.contains(&"192.0.2.8".parse().unwrap()));
        let v6 = ProxyRange::parse("fd00::/8").unwrap();
        assert!(v6.contains(&"fd12::1".parse().unwrap()));
        assert!(
            ProxyRange::parse("0.0.0.0/0")
                .unwrap()
                .contains(&"8.8.8.8".parse().unwrap())
        );
        for bad in ["10.0.0.0/33", "proxy.local", "10.0.0.0/x", "::/129"] {
            assert_eq!(ProxyRange::parse(bad), None, "{bad}");
        }
    }
}
