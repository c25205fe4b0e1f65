//! kehoach-web: the HTTP face of kehoach. `app(state)` builds the whole
//! router (pages, API, assets) so tests drive it without a socket.
//!
//! The crate is cut by feature (see `docs/ARCHITECTURE.md`): each feature
//! folder holds its rules, its JSON doors (`api.rs`) and its pages, both
//! calling the same rule functions. `http/` (errors, extractors, forms,
//! auth, policy) and `ui/` (the page chrome) depend on no feature; only
//! `router` and `openapi` name every feature.

pub mod admin;
pub mod board;
pub mod city;
pub mod communes;
pub mod contests;
pub mod http;
pub mod mail;
pub mod openapi;
pub mod plan;
pub mod propaganda;
pub mod public;
pub mod records;
pub mod reminders;
pub mod reports;
pub mod router;
pub mod serve;
pub mod ui;
pub mod volunteers;

pub use router::{app, server_app};

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use kehoach_core::Plan;
use kehoach_store::Store;

use crate::http::{auth, heavy};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    /// Where "now" comes from: the system clock in `serve`, a fixed one in tests.
    pub clock: kehoach_core::Clock,
    /// The commune this state serves: every request is for one commune
    /// (the one its host names), and reads and writes only its plan's rows.
    pub commune: Arc<kehoach_store::CommuneRow>,
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
    /// Each commune's units (by commune id), read once and dropped whenever
    /// a unit changes (every support turn checks its village against them);
    /// shared by the server's states, so that every plan of a commune sees
    /// a change made in one of them.
    pub units_cache: UnitsCache,
    /// Sends reminder emails; None when no SMTP server is configured.
    pub mailer: Option<Arc<mail::Mailer>>,
    /// Roster files previewed and waiting to be saved, by token.
    pub staged: Arc<std::sync::Mutex<std::collections::HashMap<String, records::rosters::pages::StagedImport>>>,
    /// Reverse proxies whose `X-Forwarded-For` names the client (loopback
    /// by default: a proxy on the same machine).
    pub trusted_proxies: Arc<Vec<auth::ProxyRange>>,
    /// The switch in front of the router, when served through [`server_app`]:
    /// activating another plan swaps the router behind it.
    pub live: Option<Live>,
    /// Bounds on parsing uploads and hashing passwords.
    pub gates: heavy::Gates,
    /// The closed plans of the server (read-only), shared by every
    /// commune's state and changed where a coordinator closes or opens one.
    pub closed_plans: Arc<std::sync::RwLock<std::collections::HashSet<String>>>,
    /// Each commune's default plan as last read (by commune id), shared by
    /// the server's states; forgotten where a plan is added, closed or opened.
    pub default_plans: Arc<std::sync::Mutex<std::collections::HashMap<String, (String, std::time::Instant)>>>,
}

/// Units by commune id.
pub type UnitsCache = Arc<tokio::sync::RwLock<std::collections::HashMap<String, Arc<Vec<kehoach_store::UnitRow>>>>>;

/// The router in use, swappable while serving: activating another plan
/// builds a new router for the new state with `build` (the router module's
/// `app`, handed in so that no feature names the router).
#[derive(Clone)]
pub struct Live {
    slot: Arc<std::sync::RwLock<Option<Router>>>,
    build: fn(AppState) -> Router,
}

impl Live {
    pub fn new(build: fn(AppState) -> Router) -> Live {
        Live {
            slot: Arc::default(),
            build,
        }
    }
    /// Serves `state` from now on (a fresh router built for it).
    pub fn swap(&self, state: AppState) {
        let r = (self.build)(state);
        *self.slot.write().unwrap_or_else(|e| e.into_inner()) = Some(r);
    }
    pub(crate) fn current(&self) -> Router {
        self.slot
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
            .unwrap_or_default()
    }
}

impl AppState {
    pub fn new(
        store: Store,
        commune: kehoach_store::CommuneRow,
        plan: Plan,
        public_url: String,
        clock: kehoach_core::Clock,
    ) -> AppState {
        let public_url = public_url.trim_end_matches('/').to_string();
        AppState {
            ingest: kehoach_store::IngestWriter::start(store.clone(), clock.clone()),
            clock,
            commune: Arc::new(commune),
            staged: Arc::default(),
            units_cache: Arc::default(),
            live: None,
            gates: heavy::Gates::default(),
            closed_plans: Arc::default(),
            default_plans: Arc::default(),
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
    /// The commune's units, from the cache when it is fresh.
    pub async fn units(&self) -> Result<Arc<Vec<kehoach_store::UnitRow>>, kehoach_store::StoreError> {
        if let Some(u) = self.units_cache.read().await.get(&self.commune.id) {
            return Ok(u.clone());
        }
        let mut w = self.units_cache.write().await;
        let fresh = Arc::new(self.store.list_units(&self.plan_id).await?);
        w.insert(self.commune.id.clone(), fresh.clone());
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

    /// The same state with another plan (after activation, or another plan
    /// of the server): fresh staged imports, the same store, writer, units
    /// cache (by commune), mailer and limits.
    pub fn with_plan(&self, plan: Plan) -> AppState {
        AppState {
            plan_id: plan.plan.id.clone(),
            plan: Arc::new(plan),
            staged: Arc::default(),
            ..self.clone()
        }
    }

    /// The state serving another commune of the same server: its plan, its
    /// links on its own host, fresh caches; the store, writer, mailer and
    /// limits are the server's.
    pub fn for_commune(&self, commune: kehoach_store::CommuneRow, plan: Plan) -> AppState {
        let public_url = match commune.host.as_deref() {
            Some(h) => communes::url_on_host(&self.public_url, h),
            None => self.public_url.clone(),
        };
        AppState {
            commune: Arc::new(commune),
            secure_cookies: public_url.starts_with("https://"),
            public_url,
            live: None,
            ..self.with_plan(plan)
        }
    }

    /// Whether the plan this state works in is closed (read-only).
    pub fn plan_is_closed(&self) -> bool {
        self.closed_plans
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&self.plan_id)
    }

    /// Forgets the commune's default plan (a plan was added, closed or opened).
    pub fn forget_default_plan(&self) {
        self.default_plans
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.commune.id);
    }

    /// Reads which plans of the server are closed (at start-up).
    pub async fn load_closed_plans(&self) -> Result<(), kehoach_store::StoreError> {
        let closed = self.store.closed_plan_ids().await?;
        *self.closed_plans.write().unwrap_or_else(|e| e.into_inner()) = closed.into_iter().collect();
        Ok(())
    }

    /// Call after any change to units.
    pub async fn forget_units(&self) {
        self.units_cache.write().await.remove(&self.commune.id);
    }
}
