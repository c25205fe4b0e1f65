//! Many communes behind one listener. Each request is served by the app of
//! the commune its host name names (`Host`, or the HTTP/2 authority); the
//! server's first commune answers every host no other commune claims, so a
//! single-commune install works on any address, as before.
//!
//! Why host names and not paths (`/xa/an-hoa/…`): the browser then seals
//! communes from each other by itself. Cookies, the offline queue in
//! `localStorage`, the service worker and its cache are per origin, so a
//! phone used in two communes keeps two apart, and every page, link, form
//! and script stays as it is (see `docs/operations.md`).
//!
//! A commune may run several plans (summer 2026, summer 2027…): units,
//! accounts and rosters are the commune's, records the plan's. A browser
//! works in the plan its `kh_plan` cookie names, when that plan is its
//! commune's (the commune's default plan otherwise).
//!
//! Each plan's app is built once, on its first request, from the same
//! store, writer and limits; its state names its plan, which every query
//! is scoped by (commune-level rows through the plan's commune), and the
//! session layer accepts only accounts of that commune.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::Request;
use axum::response::IntoResponse;
use kehoach_core::ErrorCode;

use crate::http::errors::AppError;
use crate::{AppState, Live};

/// How long a host that no commune claims is remembered as such (a commune
/// added meanwhile is found after this).
const MISS_TTL: Duration = Duration::from_secs(10);
/// Unclaimed hosts remembered at most (any client can send any Host).
const MISS_MAX: usize = 1024;

/// `base` (`http://kehoach.example:8080`) with another host name, same scheme and port.
pub fn url_on_host(base: &str, host: &str) -> String {
    let Ok(mut u) = url::Url::parse(base) else {
        return format!("http://{host}");
    };
    match u.set_host(Some(host)) {
        Ok(()) => u.as_str().trim_end_matches('/').to_string(),
        Err(_) => format!("http://{host}"),
    }
}

/// The host name a request is for, lower case and without port; None for
/// an address in brackets (IPv6) or anything that is not a host name.
pub fn request_host(req: &Request) -> Option<String> {
    let raw = req
        .headers()
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(str::to_string)
        .or_else(|| req.uri().host().map(str::to_string))?;
    if raw.starts_with('[') {
        return None;
    }
    let name = raw.rsplit_once(':').map(|(h, _)| h).unwrap_or(&raw);
    kehoach_store::normalize_host(name)
}

/// The cookie that names the plan a browser works in (one of its
/// commune's plans; the commune's default plan without it).
pub const PLAN_COOKIE: &str = "kh_plan";

/// The plan a request names in its cookie, if any.
pub fn plan_cookie(req: &Request) -> Option<String> {
    req.headers()
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            c.trim()
                .strip_prefix(PLAN_COOKIE)?
                .strip_prefix('=')
                .map(str::to_string)
        })
        .filter(|v| !v.is_empty() && v.len() <= 200)
}

/// The header by which a request names its plan outright (the offline
/// queue sends what was recorded in a plan to that plan, whichever plan
/// the browser works in by the time it is sent). Unlike the cookie, a plan
/// named here that is not the commune's is refused, never replaced.
pub const PLAN_HEADER: &str = "x-kehoach-plan";

/// The plan a request names in its header, if any.
pub fn plan_header(req: &Request) -> Option<String> {
    req.headers()
        .get(PLAN_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty() && v.len() <= 200)
}

/// `Set-Cookie` for the plan a browser works in.
pub fn plan_cookie_header(plan_id: &str, secure: bool) -> String {
    format!(
        "{PLAN_COOKIE}={plan_id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000{}",
        if secure { "; Secure" } else { "" }
    )
}

/// How long a commune's default plan is remembered (a plan added or
/// closed meanwhile becomes the default of other browsers after this).
const DEFAULT_TTL: Duration = Duration::from_secs(10);

struct Front {
    /// The server's first commune (the state `serve` built).
    primary: kehoach_store::CommuneRow,
    base: AppState,
    /// Builds a plan's router from its state (the router module's `app`).
    build: fn(AppState) -> Router,
    /// Communes found by host name.
    by_host: RwLock<HashMap<String, kehoach_store::CommuneRow>>,
    misses: Mutex<HashMap<String, Instant>>,
    /// Each plan's app, by plan id (a plan belongs to one commune).
    plans: RwLock<HashMap<String, (String, Live)>>,
    /// One app is built at a time (no two builds of the same one).
    building: tokio::sync::Mutex<()>,
}

impl Front {
    fn recent_miss(&self, host: &str) -> bool {
        let misses = self.misses.lock().unwrap_or_else(|e| e.into_inner());
        misses.get(host).is_some_and(|at| at.elapsed() < MISS_TTL)
    }

    fn remember_miss(&self, host: String) {
        let mut misses = self.misses.lock().unwrap_or_else(|e| e.into_inner());
        if misses.len() >= MISS_MAX {
            misses.retain(|_, at| at.elapsed() < MISS_TTL);
            if misses.len() >= MISS_MAX {
                misses.clear();
            }
        }
        misses.insert(host, Instant::now());
    }

    /// The commune a host names (the first commune for any other host).
    async fn commune_for(&self, host: Option<String>) -> Result<kehoach_store::CommuneRow, AppError> {
        let Some(host) = host else {
            return Ok(self.primary.clone());
        };
        if let Some(c) = self.by_host.read().unwrap_or_else(|e| e.into_inner()).get(&host) {
            return Ok(c.clone());
        }
        if self.recent_miss(&host) {
            return Ok(self.primary.clone());
        }
        match self.base.store.commune_for_host(&host).await? {
            Some(c) => {
                self.by_host
                    .write()
                    .unwrap_or_else(|e| e.into_inner())
                    .insert(host, c.clone());
                Ok(c)
            }
            None => {
                self.remember_miss(host);
                Ok(self.primary.clone())
            }
        }
    }

    /// The commune's default plan (cached a few seconds).
    async fn default_plan(&self, commune: &kehoach_store::CommuneRow) -> Result<String, AppError> {
        if let Some((id, at)) = self
            .base
            .default_plans
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&commune.id)
            && at.elapsed() < DEFAULT_TTL
        {
            return Ok(id.clone());
        }
        let Some(id) = self.base.store.commune_plan_id(&commune.id).await? else {
            tracing::error!(commune = %commune.slug, "commune without a plan");
            return Err(AppError::new(ErrorCode::Internal, None));
        };
        self.base
            .default_plans
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(commune.id.clone(), (id.clone(), Instant::now()));
        Ok(id)
    }

    fn cached(&self, plan_id: &str, commune_id: &str) -> Option<Router> {
        self.plans
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(plan_id)
            .filter(|(c, _)| c == commune_id)
            .map(|(_, live)| live.current())
    }

    /// The app for a request: its host's commune, the plan its cookie
    /// names when that plan is the commune's, else the commune's default.
    async fn router_for(
        &self,
        host: Option<String>,
        wanted: Option<String>,
        named: Option<String>,
    ) -> Result<Router, AppError> {
        let commune = self.commune_for(host).await?;
        // The plan the header names outright, else the cookie's; either is
        // served only when it is the commune's (read once, unless built).
        let asked = named.as_ref().or(wanted.as_ref());
        if let Some(plan_id) = asked
            && let Some(r) = self.cached(plan_id, &commune.id)
        {
            return Ok(r);
        }
        let own = match asked {
            Some(p) => self.base.store.plan_commune(p).await?.as_deref() == Some(commune.id.as_str()),
            None => false,
        };
        let plan_id = match (named, wanted) {
            (Some(p), _) if own => p,
            // A plan named outright is refused, never replaced.
            (Some(_), _) => return Err(AppError::new(ErrorCode::PlanNotOfCommune, Some("X-Kehoach-Plan"))),
            (None, Some(p)) if own => p,
            // The cookie's plan is not the commune's: its default answers.
            _ => self.default_plan(&commune).await?,
        };
        if let Some(r) = self.cached(&plan_id, &commune.id) {
            return Ok(r);
        }
        let _one = self.building.lock().await;
        if let Some(r) = self.cached(&plan_id, &commune.id) {
            return Ok(r);
        }
        let plan = self.base.store.load_plan(&plan_id).await?;
        let live = Live::new(self.build);
        let commune_id = commune.id.clone();
        let state = AppState {
            live: Some(live.clone()),
            ..self.base.for_commune(commune, plan)
        };
        live.swap(state);
        let router = live.current();
        self.plans
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(plan_id, (commune_id, live));
        Ok(router)
    }
}

/// Every commune of the server behind one listener, `primary` (the
/// server's first commune, in its default plan) on every unclaimed host,
/// each plan's router made by `build`. Each sits behind its own [`Live`]
/// switch, so that a coordinator can activate another plan file without a
/// restart.
pub fn front(primary: AppState, build: fn(AppState) -> Router) -> Router {
    let live = Live::new(build);
    let state = AppState {
        live: Some(live.clone()),
        ..primary
    };
    live.swap(state.clone());
    let mut plans = HashMap::new();
    plans.insert(state.plan_id.clone(), (state.commune.id.clone(), live));
    let front = Arc::new(Front {
        primary: (*state.commune).clone(),
        build,
        base: state,
        by_host: RwLock::default(),
        misses: Mutex::default(),
        plans: RwLock::new(plans),
        building: tokio::sync::Mutex::new(()),
    });
    Router::new().fallback_service(tower::service_fn(move |req: Request| {
        let front = front.clone();
        async move {
            let host = request_host(&req);
            let wanted = plan_cookie(&req);
            let named = plan_header(&req);
            match front.router_for(host, wanted, named).await {
                Ok(router) => tower::ServiceExt::oneshot(router, req).await,
                Err(e) => Ok(e.into_response()),
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_keep_scheme_and_port() {
        assert_eq!(
            url_on_host("http://127.0.0.1:8080", "an-hoa.localhost"),
            "http://an-hoa.localhost:8080"
        );
        assert_eq!(
            url_on_host("https://kehoach.haiphong.gov.vn/", "an-hoa.kehoach.haiphong.gov.vn"),
            "https://an-hoa.kehoach.haiphong.gov.vn"
        );
    }

    #[test]
    fn hosts_are_read_without_port() {
        let req = |h: &str| {
            Request::builder()
                .uri("/")
                .header("host", h)
                .body(axum::body::Body::empty())
                .unwrap()
        };
        assert_eq!(
            request_host(&req("An-Hoa.localhost:8080")).as_deref(),
            Some("an-hoa.localhost")
        );
        assert_eq!(request_host(&req("127.0.0.1:8080")).as_deref(), Some("127.0.0.1"));
        assert_eq!(request_host(&req("[::1]:8080")), None);
        assert_eq!(request_host(&req("bad host")), None);
    }
}
