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
//! Each commune's app is built once, on its first request, from the same
//! store, writer and limits; its state names its plan, which every query
//! is scoped by, and the session layer accepts only accounts of that plan.

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

struct Front {
    /// The server's first commune (the state `serve` built).
    primary: Live,
    /// Builds a commune's router from its state (the router module's `app`).
    build: fn(AppState) -> Router,
    base: AppState,
    by_host: RwLock<HashMap<String, Live>>,
    misses: Mutex<HashMap<String, Instant>>,
    /// One commune's app is built at a time (no two builds of the same one).
    building: tokio::sync::Mutex<()>,
}

impl Front {
    fn cached(&self, host: &str) -> Option<Router> {
        self.by_host
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(host)
            .map(Live::current)
    }

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

    /// The app for a request's host.
    async fn router_for(&self, host: Option<String>) -> Result<Router, AppError> {
        let Some(host) = host else {
            return Ok(self.primary.current());
        };
        if let Some(r) = self.cached(&host) {
            return Ok(r);
        }
        if self.recent_miss(&host) {
            return Ok(self.primary.current());
        }
        let _one = self.building.lock().await;
        if let Some(r) = self.cached(&host) {
            return Ok(r);
        }
        let Some(commune) = self.base.store.commune_for_host(&host).await? else {
            self.remember_miss(host);
            return Ok(self.primary.current());
        };
        let Some(plan_id) = self.base.store.commune_plan_id(&commune.id).await? else {
            tracing::error!(commune = %commune.slug, "commune without a plan");
            return Err(AppError::new(ErrorCode::Internal, None));
        };
        let plan = self.base.store.load_plan(&plan_id).await?;
        let live = Live::new(self.build);
        let state = AppState {
            live: Some(live.clone()),
            ..self.base.for_commune(commune, plan)
        };
        live.swap(state);
        let router = live.current();
        self.by_host
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(host, live);
        Ok(router)
    }
}

/// Every commune of the server behind one listener, `primary` (the
/// server's first commune) on every unclaimed host, each commune's router
/// made by `build`. Each sits behind its own [`Live`] switch, so that its
/// coordinator can activate another plan without a restart.
pub fn front(primary: AppState, build: fn(AppState) -> Router) -> Router {
    let live = Live::new(build);
    let state = AppState {
        live: Some(live.clone()),
        ..primary
    };
    live.swap(state.clone());
    let front = Arc::new(Front {
        primary: live,
        build,
        base: state,
        by_host: RwLock::default(),
        misses: Mutex::default(),
        building: tokio::sync::Mutex::new(()),
    });
    Router::new().fallback_service(tower::service_fn(move |req: Request| {
        let front = front.clone();
        async move {
            let host = request_host(&req);
            match front.router_for(host).await {
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
