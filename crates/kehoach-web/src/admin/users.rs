//! The users page: accounts, roles, invites (with QR code and Zalo text), revoking and re-issuing invites, linking a member.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kehoach_core::ErrorCode;
use kehoach_store::Role;
use serde::Deserialize;

use crate::AppState;
use crate::admin::rules::{self, *};
use crate::http::auth::{CurrentUser, PageUser};
use crate::http::errors::AppError;
use crate::http::form::checkbox;
use crate::http::policy::{Action, allowed};
use crate::ui::Chrome;
use crate::ui::Notice;
use crate::ui::OkQuery;
use crate::ui::chrome;
use crate::ui::error_notice;
use crate::ui::forbidden_page;
use crate::ui::form_outcome;
use crate::ui::ok_notice;
use crate::ui::render;

pub struct UserView {
    id: String,
    username: String,
    full_name: String,
    role: String,
    role_label: &'static str,
    unit_id: Option<String>,
    unit_name: String,
    active: bool,
    person_id: String,
    email: String,
}

pub struct InviteView {
    url: String,
    qr_svg: String,
    role_label: &'static str,
    unit_name: Option<String>,
    /// The invitation as a message to paste into Zalo.
    zalo: String,
}

/// An invite in the list: for whom, its state, and what can be done.
pub struct InviteLine {
    id: String,
    role_label: &'static str,
    unit_name: String,
    note: String,
    created: String,
    state: String,
    pending: bool,
}

pub struct UsersView {
    users: Vec<UserView>,
    roles: Vec<(&'static str, &'static str)>,
    units: Vec<(String, String)>,
    members: Vec<(String, String)>,
    invite: Option<InviteView>,
    invites: Vec<InviteLine>,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    c: Chrome,
    v: UsersView,
}

async fn users_response(
    st: &AppState,
    cu: &CurrentUser,
    notice: Option<Notice>,
    status: StatusCode,
    invite: Option<InviteView>,
) -> Response {
    if !allowed(&cu.user, Action::ManageUsers) {
        return forbidden_page(st, cu);
    }
    let load = async {
        Ok::<_, AppError>((
            st.store.list_users(&st.plan_id).await?,
            st.store.list_units(&st.plan_id).await?,
        ))
    };
    let invites = st.store.list_invites(&st.plan_id).await.unwrap_or_default();
    let (users, units) = match load.await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let links = st.store.user_people(&st.plan_id).await.unwrap_or_default();
    let members: Vec<(String, String)> = st
        .store
        .roster_people(&st.plan_id, Some("youth_members"), None)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|p| p.active != 0)
        .map(|p| {
            let unit = units
                .iter()
                .find(|u| u.id == p.unit_id)
                .map(|u| u.display_name().to_string())
                .unwrap_or_default();
            let year = p.birth_year.map(|y| format!(", {y}")).unwrap_or_default();
            (p.id, format!("{} ({unit}{year})", p.full_name))
        })
        .collect();
    let unit_name = |id: &Option<String>| {
        id.as_ref()
            .and_then(|i| units.iter().find(|u| &u.id == i))
            .map(|u| u.name.clone())
            .unwrap_or_default()
    };
    let v = UsersView {
        users: users
            .iter()
            .map(|u| UserView {
                id: u.id.clone(),
                username: u.username.clone(),
                full_name: u.full_name.clone(),
                role: u.role.clone(),
                role_label: u.role().label(),
                unit_id: u.unit_id.clone(),
                unit_name: unit_name(&u.unit_id),
                active: u.active != 0,
                email: u.email.clone().unwrap_or_default(),
                person_id: links
                    .iter()
                    .find(|(uid, _)| uid == &u.id)
                    .map(|(_, p)| p.clone())
                    .unwrap_or_default(),
            })
            .collect(),
        roles: Role::ALL.iter().map(|r| (r.as_str(), r.label())).collect(),
        units: units
            .iter()
            .filter(|u| u.active != 0)
            .map(|u| (u.id.clone(), u.name.clone()))
            .collect(),
        members,
        invite,
        invites: invites
            .into_iter()
            .map(|i| {
                let now = st.clock.now();
                let state = match (i.used_at, i.used_by_name) {
                    (Some(at), who) => format!(
                        "đã nhận{} lúc {}",
                        who.map(|w| format!(" ({w})")).unwrap_or_default(),
                        kehoach_core::text::vn_datetime(at)
                    ),
                    (None, _) if i.expires_at <= now => {
                        format!(
                            "hết hạn hoặc đã thu hồi ({})",
                            kehoach_core::text::vn_datetime(i.expires_at)
                        )
                    }
                    (None, _) => format!("chờ nhận, hết hạn {}", kehoach_core::text::vn_datetime(i.expires_at)),
                };
                InviteLine {
                    pending: i.used_at.is_none() && i.expires_at > now,
                    role_label: Role::parse(&i.role).map(Role::label).unwrap_or(""),
                    unit_name: unit_name(&i.unit_id),
                    note: i.note.unwrap_or_default(),
                    created: kehoach_core::text::vn_datetime(i.created_at),
                    state,
                    id: i.id,
                }
            })
            .collect(),
    };
    render(
        status,
        &UsersPage {
            c: chrome(st, Some(cu), "Người dùng", "users", notice),
            v,
        },
    )
}

pub async fn users_page(State(st): State<AppState>, PageUser(cu): PageUser, Query(q): Query<OkQuery>) -> Response {
    users_response(&st, &cu, ok_notice(&q), StatusCode::OK, None).await
}

async fn users_after<T>(st: &AppState, cu: &CurrentUser, r: Result<T, AppError>, ok: &str) -> Response {
    let done = |_| format!("/nguoi-dung?ok={ok}");
    form_outcome(st, cu, r, done, |n, s| users_response(st, cu, n, s, None)).await
}

#[derive(Deserialize)]
pub struct UserForm {
    #[serde(default)]
    username: String,
    full_name: String,
    role: String,
    #[serde(default)]
    unit_id: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    active: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

pub async fn user_create(State(st): State<AppState>, PageUser(cu): PageUser, Form(f): Form<UserForm>) -> Response {
    let b = NewUserBody {
        username: f.username,
        full_name: f.full_name,
        role: f.role,
        unit_id: f.unit_id,
        password: f.password.unwrap_or_default(),
    };
    let r = rules::create_user(&st, &cu, b).await;
    users_after(&st, &cu, r, "user_created").await
}

pub async fn user_update(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    Form(f): Form<UserForm>,
) -> Response {
    let b = UserPatchBody {
        full_name: Some(f.full_name),
        role: Some(f.role),
        unit_id: Some(f.unit_id.unwrap_or_default()),
        active: Some(checkbox(&f.active)),
        password: f.password,
        email: f.email,
    };
    let r = rules::update_user(&st, &cu, &id, b).await;
    users_after(&st, &cu, r, "user_saved").await
}

#[derive(Deserialize)]
pub struct InviteCreateForm {
    role: String,
    #[serde(default)]
    unit_id: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

fn qr_svg(text: &str) -> String {
    match qrcode::QrCode::new(text.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

pub async fn invite_create(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Form(f): Form<InviteCreateForm>,
) -> Response {
    let body = InviteBody {
        role: f.role,
        unit_id: f.unit_id.filter(|u| !u.is_empty()),
        note: f.note,
    };
    let asked = InviteBody {
        role: body.role.clone(),
        unit_id: body.unit_id.clone(),
        note: body.note.clone(),
    };
    match rules::create_invite(&st, &cu, body).await {
        Ok(url) => invite_made(&st, &cu, url, &asked, "Đã tạo liên kết mời.").await,
        Err(e) if e.code == ErrorCode::Forbidden => forbidden_page(&st, &cu),
        Err(e) => users_response(&st, &cu, error_notice(&e), e.status, None).await,
    }
}

/// The users page with a link just made: shown once, with its QR code and
/// the text ready to paste into Zalo.
async fn invite_made(st: &AppState, cu: &CurrentUser, url: String, b: &InviteBody, text: &str) -> Response {
    let unit_name = match &b.unit_id {
        Some(u) => st.store.unit(&st.plan_id, u).await.ok().map(|u| u.name),
        None => None,
    };
    let role_label = Role::parse(&b.role).map(Role::label).unwrap_or("");
    let p = &st.plan.plan;
    let zalo = format!(
        "{} {} mời anh/chị dùng kehoach (theo dõi kế hoạch “{}”) với vai trò {}{}. Mở liên kết để tạo tài khoản (dùng một lần, hết hạn ngày {}): {url}",
        p.commune_level,
        p.commune,
        p.short_title,
        role_label.to_lowercase(),
        unit_name.as_ref().map(|u| format!(" của {u}")).unwrap_or_default(),
        st.clock.today().plus(rules::INVITE_TTL_SECS / 86_400).vn(),
    );
    let inv = InviteView {
        qr_svg: qr_svg(&url),
        url,
        role_label,
        unit_name,
        zalo,
    };
    users_response(
        st,
        cu,
        Some(Notice {
            kind: "ok",
            text: text.into(),
        }),
        StatusCode::CREATED,
        Some(inv),
    )
    .await
}

/// `POST /nguoi-dung/loi-moi/{id}/thu-hoi`: end an unused invite.
pub async fn invite_revoke(State(st): State<AppState>, PageUser(cu): PageUser, Path(id): Path<String>) -> Response {
    let r = rules::revoke_invite(&st, &cu, &id).await;
    users_after(&st, &cu, r, "invite_revoked").await
}

/// `POST /nguoi-dung/loi-moi/{id}/cap-lai`: a new link in place of an unused one.
pub async fn invite_reissue(State(st): State<AppState>, PageUser(cu): PageUser, Path(id): Path<String>) -> Response {
    match rules::reissue_invite(&st, &cu, &id).await {
        Ok((url, b)) => {
            invite_made(
                &st,
                &cu,
                url,
                &b,
                "Đã tạo liên kết mới; liên kết cũ không dùng được nữa.",
            )
            .await
        }
        Err(e) if e.code == ErrorCode::Forbidden => forbidden_page(&st, &cu),
        Err(e) => users_response(&st, &cu, error_notice(&e), e.status, None).await,
    }
}

/// Links an account to a youth-union roster entry (form on the users page).
pub async fn user_person(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    body: axum::body::Bytes,
) -> Response {
    let person_id = url::form_urlencoded::parse(&body)
        .find(|(k, _)| k == "person_id")
        .map(|(_, v)| v.into_owned());
    let r = rules::link_person(&st, &cu, &id, crate::admin::rules::PersonLinkBody { person_id }).await;
    users_after(&st, &cu, r, "user_saved").await
}
