//! A commune's plans (`/ke-hoach/danh-sach`): the summer campaign of 2026,
//! then of 2027, a digital-transformation plan of the year… Each is
//! listed with its period, state and records; anyone logged in picks the
//! one they work in (a cookie, one of the commune's plans only); the
//! coordinator closes a finished plan (read-only, its board and report
//! still there) or opens it again, and adds a plan read from its text
//! (`import`). Units, accounts and rosters are the commune's: a new plan
//! reuses them.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kehoach_core::ErrorCode;

use crate::AppState;
use crate::communes::plan_cookie_header;
use crate::http::auth::{CurrentUser, PageUser};
use crate::http::errors::AppError;
use crate::http::form::{field, form_pairs};
use crate::http::policy::{Action, allowed};
use crate::ui::{Chrome, OkQuery, PlanSwitch, chrome, forbidden_page, ok_notice, render};

pub struct PlanRow {
    pub id: String,
    pub title: String,
    pub period: String,
    pub state: &'static str,
    pub closed: bool,
    pub current: bool,
    pub sessions: String,
    pub turns: String,
}

#[derive(Template)]
#[template(path = "plans.html")]
struct PlansPage {
    c: Chrome,
    plans: Vec<PlanRow>,
    manage: bool,
}

fn may_manage(cu: &CurrentUser) -> bool {
    allowed(&cu.user, Action::ImportPlan)
}

/// `GET /ke-hoach/danh-sach`.
pub async fn list(State(st): State<AppState>, PageUser(cu): PageUser, Query(q): Query<OkQuery>) -> Response {
    let plans = match st.store.commune_plans(&st.commune.id).await {
        Ok(p) => p,
        Err(e) => return AppError::from(e).into_response(),
    };
    let today = st.clock.today();
    let rows = plans
        .into_iter()
        .map(|p| PlanRow {
            current: p.id == st.plan_id,
            state: if p.closed {
                "Đã đóng"
            } else if today < p.period.start {
                "Sắp triển khai"
            } else if today > p.period.end {
                "Đã hết thời gian"
            } else {
                "Đang thực hiện"
            },
            closed: p.closed,
            period: format!("{} – {}", p.period.start.vn(), p.period.end.vn()),
            sessions: kehoach_core::text::vn_int(p.sessions),
            turns: kehoach_core::text::vn_int(p.turns),
            title: p.title,
            id: p.id,
        })
        .collect();
    render(
        StatusCode::OK,
        &PlansPage {
            c: chrome(&st, Some(&cu), "Các kế hoạch", "plan", ok_notice(&q)),
            plans: rows,
            manage: may_manage(&cu),
        },
    )
}

/// The plan a form names, when it is one of this commune's.
async fn own_plan(st: &AppState, body: &Bytes) -> Result<String, AppError> {
    let id = field(&form_pairs(body), "plan_id").unwrap_or_default();
    match st.store.plan_commune(&id).await? {
        Some(c) if c == st.commune.id => Ok(id),
        _ => Err(AppError::new(ErrorCode::PlanNotOfCommune, Some("plan_id"))),
    }
}

/// The switch for a recording page at `next`, when the commune runs more
/// than one plan (None otherwise, or if the plans cannot be read).
pub async fn plan_switch(st: &AppState, next: &str) -> Option<PlanSwitch> {
    let plans = st.store.plans_to_record_in(&st.commune.id, &st.plan_id).await.ok()?;
    if plans.len() < 2 {
        return None;
    }
    let (current, others): (Vec<_>, Vec<_>) = plans.into_iter().partition(|(id, _)| *id == st.plan_id);
    Some(PlanSwitch {
        current: current.into_iter().next().map(|p| p.1).unwrap_or_default(),
        others,
        next: next.to_string(),
    })
}

/// `POST /ke-hoach/chon`: work in another of the commune's plans; back to
/// `next` (a page of this site) when the form names one.
pub async fn choose(State(st): State<AppState>, PageUser(_cu): PageUser, body: Bytes) -> Response {
    let next = field(&form_pairs(&body), "next")
        .as_deref()
        .and_then(crate::http::auth::local_path)
        .map(str::to_string)
        .unwrap_or_else(|| "/ke-hoach?ok=plan_chosen".to_string());
    match own_plan(&st, &body).await {
        Ok(id) => (
            StatusCode::SEE_OTHER,
            [
                (header::SET_COOKIE, plan_cookie_header(&id, st.secure_cookies)),
                (header::LOCATION, next),
            ],
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

/// `POST /ke-hoach/trang-thai`: close a plan (`dong=1`) or open it again.
pub async fn set_state(State(st): State<AppState>, PageUser(cu): PageUser, body: Bytes) -> Response {
    if !may_manage(&cu) {
        return forbidden_page(&st, &cu);
    }
    let id = match own_plan(&st, &body).await {
        Ok(id) => id,
        Err(e) => return e.into_response(),
    };
    let close = field(&form_pairs(&body), "dong").as_deref() == Some("1");
    if let Err(e) = st.store.set_plan_closed(&id, close).await {
        return AppError::from(e).into_response();
    }
    {
        let mut closed = st.closed_plans.write().unwrap_or_else(|e| e.into_inner());
        if close {
            closed.insert(id.clone());
        } else {
            closed.remove(&id);
        }
    }
    st.forget_default_plan();
    tracing::info!(plan = %id, closed = close, "plan state changed");
    crate::ui::see_other(if close {
        "/ke-hoach/danh-sach?ok=plan_closed"
    } else {
        "/ke-hoach/danh-sach?ok=plan_opened"
    })
}

/// Routes that still write while the plan worked in is closed: logging in
/// and out, invites, and the plans themselves (choosing, closing, opening,
/// adding). Accounts, units and rosters belong to the commune (its other
/// plans go on) and take their writes as usual.
const OPEN_WHEN_CLOSED: &[&str] = &[
    "/ke-hoach",
    "/dang-nhap",
    "/dang-xuat",
    "/moi/",
    "/api/v1/login",
    "/api/v1/logout",
    "/nguoi-dung",
    "/loi-moi",
    "/api/v1/users",
    "/api/v1/invites",
    "/don-vi",
    "/lop/",
    "/api/v1/units",
    "/api/v1/classes",
    "/danh-sach",
    "/api/v1/people",
    "/api/v1/rosters",
    "/nhac-nho/",
    "/api/v1/reminders/",
];

/// Refuses every write to a closed plan's records (`plan_closed`), in one
/// place in front of every route: its board, records and report stay as
/// they were when it closed.
pub async fn closed_guard(
    State(st): State<AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let write = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if write && st.plan_is_closed() {
        let path = req.uri().path();
        let open = OPEN_WHEN_CLOSED.iter().any(|p| path == *p || path.starts_with(p));
        if !open {
            return AppError::new(ErrorCode::PlanClosed, None).into_response();
        }
    }
    next.run(req).await
}
