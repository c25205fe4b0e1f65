//! The reminder pages: the form from the board, a reminder with its Zalo text, marking it read.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kehoach_core::Day;
use kehoach_core::engine::Status;
use kehoach_store::{Recipient, ReminderRow};
use serde::Deserialize;

use crate::AppState;
use crate::board::BoardData;
use crate::http::auth::PageUser;
use crate::http::dates::{default_as_of, parse_as_of};
use crate::http::errors::AppError;
use crate::http::policy::{Action, allowed};
use crate::reminders::ReminderBody;
use crate::reminders::acknowledge;
use crate::reminders::check_target;
use crate::reminders::may_see;
use crate::reminders::send;
use crate::reminders::standard_message;
use crate::reminders::zalo_text;
use crate::ui::{Chrome, OkQuery, chrome, error_notice, forbidden_page, ok_notice, render, see_other};

#[derive(Template)]
#[template(path = "reminder_form.html")]
struct FormPage {
    c: Chrome,
    id: String,
    unit_id: String,
    unit_name: String,
    target_id: String,
    target_label: String,
    as_of: String,
    as_of_iso: String,
    message: String,
    recipients: Vec<Recipient>,
    smtp: bool,
    status_label: String,
}

#[derive(Deserialize)]
pub struct NewQuery {
    #[serde(rename = "don-vi")]
    pub don_vi: Option<String>,
    #[serde(rename = "chi-tieu")]
    pub chi_tieu: Option<String>,
    pub ngay: Option<String>,
}

/// The form, filled with the standard text for the unit and target.
pub async fn new_page(State(st): State<AppState>, PageUser(cu): PageUser, Query(q): Query<NewQuery>) -> Response {
    if !allowed(&cu.user, Action::SendReminder) {
        return forbidden_page(&st, &cu);
    }
    let unit_id = q.don_vi.unwrap_or_default();
    let units = match st.units().await {
        Ok(u) => u,
        Err(e) => return AppError::from(e).into_response(),
    };
    let Some(unit) = units.iter().find(|u| u.id == unit_id && u.active == 1) else {
        return AppError::not_found().into_response();
    };
    let target = check_target(&st, q.chi_tieu.as_deref()).ok().flatten();
    let as_of = parse_as_of(&st.plan, st.clock.today(), q.ngay.as_deref())
        .unwrap_or_else(|_| default_as_of(&st.plan, st.clock.today()));
    let board = match BoardData::load(&st, as_of).await {
        Ok(b) => b,
        Err(e) => return e.into_response(),
    };
    let status_label = target
        .as_ref()
        .and_then(|t| st.plan.targets.iter().position(|x| x.id == t.id))
        .map(|i| board.standings[i].status)
        .filter(|s| *s != Status::NotYet)
        .map(|s| s.label().to_string())
        .unwrap_or_default();
    let recipients = st
        .store
        .unit_recipients(&st.plan_id, &unit.id)
        .await
        .unwrap_or_default();
    let page = FormPage {
        c: chrome(&st, Some(&cu), "Gửi nhắc nhở", "board", None),
        id: uuid::Uuid::now_v7().to_string(),
        unit_id: unit.id.clone(),
        unit_name: unit.display_name().to_string(),
        target_id: target.as_ref().map(|t| t.id.clone()).unwrap_or_default(),
        target_label: target
            .as_ref()
            .map(|t| format!("{} · {}", t.id, t.label))
            .unwrap_or_default(),
        as_of: as_of.vn(),
        as_of_iso: as_of.iso(),
        message: standard_message(&st, &board, &unit.id, target.as_ref(), &cu.user.full_name),
        recipients,
        smtp: st.mailer.is_some(),
        status_label,
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct SendForm {
    pub id: String,
    pub unit_id: String,
    #[serde(default)]
    pub target_id: String,
    #[serde(default)]
    pub as_of: String,
    #[serde(default)]
    pub message: String,
}

pub async fn send_form(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    axum::Form(f): axum::Form<SendForm>,
) -> Response {
    let body = ReminderBody {
        id: f.id,
        unit_id: f.unit_id,
        target_id: Some(f.target_id).filter(|s| !s.is_empty()),
        as_of: Some(f.as_of).filter(|s| !s.is_empty()),
        message: Some(f.message),
    };
    match send(&st, &cu, body).await {
        Ok((r, _)) => see_other(&format!("/nhac-nho/{}?ok=reminder_sent", r.id)),
        Err(e) if e.status == StatusCode::FORBIDDEN => forbidden_page(&st, &cu),
        Err(e) => {
            let page = crate::ui::PlainPage {
                c: chrome(&st, Some(&cu), "Gửi nhắc nhở", "board", error_notice(&e)),
                heading: "Chưa gửi được nhắc nhở".into(),
                text: "Hãy quay lại, sửa nội dung theo thông báo trên và gửi lại.".into(),
                code: String::new(),
            };
            render(e.status, &page)
        }
    }
}

#[derive(Template)]
#[template(path = "reminder.html")]
struct ReminderPage {
    c: Chrome,
    r: ReminderRow,
    unit_name: String,
    sent_at: String,
    zalo: String,
    board_url: String,
    is_coordinator: bool,
    unread: bool,
}

/// One reminder: what was sent, to whom, how the emails went, the Zalo text.
pub async fn show_page(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    Query(q): Query<OkQuery>,
) -> Response {
    let r = match st.store.reminder(&st.plan_id, &id).await {
        Ok(r) => r,
        Err(e) => return AppError::from(e).into_response(),
    };
    if !may_see(&cu, &r.unit_id) {
        return forbidden_page(&st, &cu);
    }
    let units = st.units().await.unwrap_or_default();
    let unit_name = units
        .iter()
        .find(|u| u.id == r.unit_id)
        .map(|u| u.display_name().to_string())
        .unwrap_or_default();
    let day = r.as_of.as_deref().and_then(Day::parse_iso);
    let page = ReminderPage {
        c: chrome(&st, Some(&cu), "Nhắc nhở", "board", ok_notice(&q)),
        unit_name,
        sent_at: kehoach_core::text::vn_datetime(r.sent_at),
        zalo: zalo_text(&st, &r),
        board_url: day
            .map(|d| format!("/theo-doi?ngay={}", d.vn()))
            .unwrap_or("/theo-doi".into()),
        is_coordinator: allowed(&cu.user, Action::SendReminder),
        unread: cu.unread.iter().any(|x| x.id == r.id),
        r,
    };
    render(StatusCode::OK, &page)
}

#[derive(Deserialize)]
pub struct ReadForm {
    #[serde(default)]
    pub next: String,
}

pub async fn read_form(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<ReadForm>,
) -> Response {
    match acknowledge(&st, &cu, &id).await {
        Ok(()) => {
            // Back to the page the notice was on (a local path only).
            let next = crate::http::auth::local_path(&f.next).unwrap_or("/");
            let sep = if next.contains('?') { '&' } else { '?' };
            see_other(&format!("{next}{sep}ok=reminder_read"))
        }
        Err(e) if e.status == StatusCode::FORBIDDEN => forbidden_page(&st, &cu),
        Err(e) => e.into_response(),
    }
}
