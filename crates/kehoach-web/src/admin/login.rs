//! Login, logout, the landing that sends each role to its work, and accepting an invite.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use kehoach_store::Role;
use serde::Deserialize;

use crate::AppState;
use crate::http::auth::{CurrentUser, clear_cookie, login, session_cookie, session_token};
use crate::http::errors::AppError;
use crate::http::policy::{Action, allowed};
use crate::ui::Chrome;
use crate::ui::Notice;
use crate::ui::OkQuery;
use crate::ui::chrome;
use crate::ui::error_notice;
use crate::ui::render;
use crate::ui::see_other;

/// `/`: coordinators and leaders land on the board, others on the plan.
/// Each person lands where their work is: the coordinator and leaders on
/// the board, a unit's reporter on their unit, a volunteer on their
/// shifts, a judge on the contests to judge.
pub async fn home(State(st): State<AppState>, req: Request) -> Response {
    match req.extensions().get::<CurrentUser>() {
        // A city's readers start from its communes.
        Some(cu) if st.commune.is_city() && allowed(&cu.user, Action::ReadUnitRecords { unit_id: None }) => {
            see_other("/thanh-pho")
        }
        Some(cu) if allowed(&cu.user, Action::ReadUnitRecords { unit_id: None }) => see_other("/theo-doi"),
        Some(cu) => match cu.user.role() {
            Role::UnitReporter if cu.user.unit_id.is_some() => see_other("/don-vi-cua-toi"),
            Role::Volunteer => see_other("/ca-cua-toi"),
            Role::Judge => see_other("/cham-thi"),
            _ => see_other("/ke-hoach"),
        },
        None => see_other("/dang-nhap"),
    }
}

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    c: Chrome,
    next: String,
    username: String,
    setup_pending: bool,
}

fn safe_next(next: Option<&str>) -> String {
    // Without a page to go back to, "/" sends each role to its own home.
    next.and_then(crate::http::auth::local_path).unwrap_or("/").to_string()
}

pub async fn login_page(State(st): State<AppState>, Query(q): Query<OkQuery>) -> Response {
    let setup_pending = st.store.count_users(&st.plan_id).await.map(|n| n == 0).unwrap_or(false);
    let page = LoginPage {
        c: chrome(&st, None, "Đăng nhập", "", None),
        next: safe_next(q.next.as_deref()),
        username: String::new(),
        setup_pending,
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

pub async fn login_submit(State(st): State<AppState>, req: Request) -> Response {
    let client = crate::http::auth::client_key(&st.trusted_proxies, req.headers(), req.extensions());
    let f: LoginForm = match <Form<LoginForm> as axum::extract::FromRequest<()>>::from_request(req, &()).await {
        Ok(Form(f)) => f,
        Err(e) => return AppError::bad_request(e.body_text()).into_response(),
    };
    match login(&st, &client, &f.username, &f.password).await {
        Ok((_, token, _)) => (
            StatusCode::SEE_OTHER,
            [
                (header::SET_COOKIE, session_cookie(&token, st.secure_cookies)),
                (header::LOCATION, safe_next(f.next.as_deref())),
            ],
        )
            .into_response(),
        Err(e) => {
            let page = LoginPage {
                c: chrome(&st, None, "Đăng nhập", "", error_notice(&e)),
                next: safe_next(f.next.as_deref()),
                username: f.username,
                setup_pending: false,
            };
            render(e.status, &page)
        }
    }
}

pub async fn logout(State(st): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(t) = session_token(&headers)
        && let Err(e) = st.store.delete_session(&t).await
    {
        return AppError::from(e).into_response();
    }
    (
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, clear_cookie(st.secure_cookies)),
            (header::LOCATION, "/dang-nhap".to_string()),
        ],
    )
        .into_response()
}

#[derive(Template)]
#[template(path = "invite.html")]
struct InvitePage {
    c: Chrome,
    valid: bool,
    first: bool,
    token: String,
    role_label: &'static str,
    unit_name: Option<String>,
    full_name: String,
    username: String,
}

async fn invite_view(
    st: &AppState,
    token: &str,
    notice: Option<Notice>,
    full_name: String,
    username: String,
) -> InvitePage {
    let inv = st.store.invite(&st.plan_id, token, st.clock.now()).await.ok().flatten();
    let mut unit_name = None;
    if let Some(u) = inv.as_ref().and_then(|i| i.unit_id.clone()) {
        unit_name = st.store.unit(&st.plan_id, &u).await.ok().map(|u| u.name);
    }
    let role = inv.as_ref().and_then(|i| Role::parse(&i.role));
    let first =
        role == Some(Role::Coordinator) && st.store.count_users(&st.plan_id).await.map(|n| n == 0).unwrap_or(false);
    InvitePage {
        c: chrome(st, None, if first { "Thiết lập" } else { "Lời mời" }, "", notice),
        valid: role.is_some(),
        first,
        token: token.to_string(),
        role_label: role.map(Role::label).unwrap_or(""),
        unit_name,
        full_name,
        username,
    }
}

pub async fn invite_page(State(st): State<AppState>, Path(token): Path<String>) -> Response {
    let page = invite_view(&st, &token, None, String::new(), String::new()).await;
    let status = if page.valid {
        StatusCode::OK
    } else {
        StatusCode::NOT_FOUND
    };
    render(status, &page)
}

#[derive(Deserialize)]
pub struct InviteForm {
    full_name: String,
    username: String,
    password: String,
}

pub async fn invite_submit(
    State(st): State<AppState>,
    Path(token): Path<String>,
    Form(f): Form<InviteForm>,
) -> Response {
    let now = st.clock.now();
    match st
        .store
        .accept_invite(&st.plan_id, &token, &f.username, &f.full_name, &f.password, now)
        .await
    {
        Ok(user) => match st.store.create_session(&user.id, now).await {
            Ok((t, _)) => (
                StatusCode::SEE_OTHER,
                [
                    (header::SET_COOKIE, session_cookie(&t, st.secure_cookies)),
                    (header::LOCATION, "/ke-hoach?ok=welcome".to_string()),
                ],
            )
                .into_response(),
            Err(e) => AppError::from(e).into_response(),
        },
        Err(e) => {
            let e = AppError::from(e);
            let page = invite_view(&st, &token, error_notice(&e), f.full_name, f.username).await;
            render(e.status, &page)
        }
    }
}
