//! A city's (or province's) own pages, on the city's address: its
//! communes, and adding one. A city is a tenant like a commune (its own
//! host name, accounts and plan); its coordinator adds the city's communes
//! here and hands each its one-time setup link, its leaders read the list.
//! On a commune's address these pages do not exist (`not_a_city`, 404).

pub mod board;
pub mod workbook;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kehoach_core::ErrorCode;
use kehoach_core::text::vn_int;

use crate::AppState;
use crate::communes::url_on_host;
use crate::http::auth::{CurrentUser, PageUser};
use crate::http::errors::AppError;
use crate::http::form::{field, form_pairs};
use crate::http::policy::{Action, allowed};
use crate::ui::{Chrome, Notice, OkQuery, chrome, error_notice, error_page_with_code, forbidden_page, render};

/// How long the link for a new commune's first coordinator stays valid.
pub const SETUP_TTL_SECS: i64 = 7 * 24 * 3600;

pub struct CommuneLine {
    pub name: String,
    pub url: String,
    pub host: String,
    pub plans: Vec<String>,
    pub users: String,
    pub sessions: String,
    pub turns: String,
}

/// A commune just added: where it lives and its coordinator's link.
pub struct Added {
    pub name: String,
    pub url: String,
    pub link: String,
}

#[derive(Template)]
#[template(path = "city_communes.html")]
struct CommunesPage {
    c: Chrome,
    city: String,
    communes: Vec<CommuneLine>,
    manage: bool,
    added: Option<Added>,
    name: String,
    host: String,
    host_hint: String,
}

/// The city's address, or the page that says these pages live there.
pub(crate) fn city_only(st: &AppState, cu: &CurrentUser) -> Option<Response> {
    if st.commune.is_city() {
        return None;
    }
    let e = AppError::new(ErrorCode::NotACity, None);
    Some(error_page_with_code(
        st,
        Some(cu),
        e.status,
        e.message,
        ErrorCode::NotACity.as_str(),
    ))
}

pub(crate) fn may_read(cu: &CurrentUser) -> bool {
    allowed(&cu.user, Action::ReadUnitRecords { unit_id: None })
}

fn may_manage(cu: &CurrentUser) -> bool {
    allowed(&cu.user, Action::ManageCommunes)
}

async fn page(
    st: &AppState,
    cu: &CurrentUser,
    notice: Option<Notice>,
    status: StatusCode,
    added: Option<Added>,
    name: String,
    host: String,
) -> Response {
    let summaries = match st.store.city_summaries(&st.commune.id).await {
        Ok(s) => s,
        Err(e) => return AppError::from(e).into_response(),
    };
    let communes = summaries
        .into_iter()
        .map(|s| {
            let host = s.commune.host.clone().unwrap_or_default();
            CommuneLine {
                url: url_on_host(&st.public_url, &host),
                host,
                name: s.commune.name,
                plans: s.plans.into_iter().map(|(_, t)| t).collect(),
                users: vn_int(s.users),
                sessions: vn_int(s.sessions),
                turns: vn_int(s.turns),
            }
        })
        .collect();
    let suffix = st.commune.host.clone().unwrap_or_default();
    render(
        status,
        &CommunesPage {
            c: chrome(st, Some(cu), "Các xã, phường", "city_communes", notice),
            city: st.commune.name.clone(),
            communes,
            manage: may_manage(cu),
            added,
            name,
            host,
            host_hint: format!("ten-xa.{suffix}"),
        },
    )
}

/// `GET /thanh-pho/xa`: the city's communes, with a form to add one.
pub async fn communes_page(State(st): State<AppState>, PageUser(cu): PageUser, Query(q): Query<OkQuery>) -> Response {
    if let Some(r) = city_only(&st, &cu) {
        return r;
    }
    if !may_read(&cu) {
        return forbidden_page(&st, &cu);
    }
    page(
        &st,
        &cu,
        crate::ui::ok_notice(&q),
        StatusCode::OK,
        None,
        String::new(),
        String::new(),
    )
    .await
}

/// `POST /thanh-pho/xa`: add a commune of the city (coordinator). Its host
/// is under the city's own (default: its short name there); it gets a starter
/// plan of its name, no sample villages, and a one-time link for its first
/// coordinator, shown once on the page that answers.
pub async fn add_commune(State(st): State<AppState>, PageUser(cu): PageUser, body: Bytes) -> Response {
    if let Some(r) = city_only(&st, &cu) {
        return r;
    }
    if !may_manage(&cu) {
        return forbidden_page(&st, &cu);
    }
    let pairs = form_pairs(&body);
    let name = kehoach_core::text::clean(&field(&pairs, "name").unwrap_or_default());
    let host_in = field(&pairs, "host").unwrap_or_default().trim().to_string();
    // A city names hosts under its own only: a host outside it (another
    // city's, or one the server's first commune answers on) is the server
    // operator's to give (`kehoach commune add`).
    let suffix = st.commune.host.clone().unwrap_or_default();
    let host = if host_in.is_empty() && !name.is_empty() {
        format!("{}.{suffix}", kehoach_store::commune_slug(&name))
    } else {
        host_in.clone()
    };
    let under_city =
        kehoach_store::normalize_host(&host).is_none_or(|h| !suffix.is_empty() && h.ends_with(&format!(".{suffix}")));
    if !under_city {
        let e = AppError::new(ErrorCode::CommuneHostOutsideCity, Some("host"));
        return page(&st, &cu, error_notice(&e), e.status, None, name, host_in).await;
    }
    let new = kehoach_store::NewCommune {
        province: kehoach_core::plan::starter::split_level(&st.commune.name).1,
        name: name.clone(),
        host: Some(host),
        is_city: false,
        city_id: Some(st.commune.id.clone()),
    };
    let now = st.clock.now();
    let year = st.clock.today().0.year();
    match st.store.found_commune(new, None, year, SETUP_TTL_SECS, now).await {
        Ok((commune, _plan, token)) => {
            let url = url_on_host(&st.public_url, commune.host.as_deref().unwrap_or_default());
            tracing::info!(city = %st.commune.slug, commune = %commune.slug, by = %cu.user.id, "commune added");
            let added = Added {
                name: commune.name,
                link: format!("{url}/moi/{token}"),
                url,
            };
            page(
                &st,
                &cu,
                Some(Notice {
                    kind: "ok",
                    text: format!("Đã thêm {}.", added.name),
                }),
                StatusCode::OK,
                Some(added),
                String::new(),
                String::new(),
            )
            .await
        }
        Err(e) => {
            let e = AppError::from(e);
            page(&st, &cu, error_notice(&e), e.status, None, name, host_in).await
        }
    }
}
