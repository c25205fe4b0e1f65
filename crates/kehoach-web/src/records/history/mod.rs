//! A unit's history: every change to its records, and the reminders it was sent, newest first.

pub mod api;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kehoach_store::Role;

use crate::AppState;
use crate::http::auth::PageUser;
use crate::http::errors::AppError;
use crate::http::policy::{Action, allowed};
use crate::ui::{Chrome, chrome, forbidden_page, render};

pub struct HistoryRow {
    at: String,
    who: String,
    what: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "history.html")]
struct HistoryPage {
    c: Chrome,
    unit: String,
    rows: Vec<HistoryRow>,
    reminders: Vec<ReminderLine>,
}

/// A reminder sent to the unit, as its history lists it.
struct ReminderLine {
    id: String,
    sent_at: String,
    sender: String,
    target: String,
    message: String,
    recipients: i64,
    read_by: i64,
    emailed: i64,
}

fn action_label(entity: &str, action: &str) -> String {
    let e = match entity {
        "support_turn" => "Lượt hỗ trợ",
        "session" => "Buổi",
        "attendance" => "Điểm danh",
        "roster_person" => "Người trong danh sách",
        "reminder" => "Nhắc nhở",
        other => other,
    };
    let a = match action {
        "update" => "sửa",
        "delete" => "xóa",
        "leave" => "rời danh sách",
        "rejoin" => "trở lại danh sách",
        "send" => "gửi",
        other => other,
    };
    format!("{e}: {a}")
}

pub async fn unit_history(State(st): State<AppState>, PageUser(cu): PageUser, Path(id): Path<String>) -> Response {
    if !allowed(&cu.user, Action::ReadUnitRecords { unit_id: Some(&id) }) {
        return forbidden_page(&st, &cu);
    }
    let Ok(unit) = st.store.unit(&st.plan_id, &id).await else {
        return AppError::not_found().into_response();
    };
    let users = if cu.user.role() == Role::Coordinator {
        st.store.list_users(&st.plan_id).await.unwrap_or_default()
    } else {
        Vec::new()
    };
    let rows = st
        .store
        .audit(&st.plan_id, Some(&id), 500)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|a| HistoryRow {
            at: kehoach_core::text::vn_datetime(a.at),
            who: a
                .user_id
                .as_ref()
                .and_then(|u| users.iter().find(|x| &x.id == u).map(|x| x.full_name.clone()))
                .unwrap_or_else(|| {
                    if a.user_id.as_deref() == Some(cu.user.id.as_str()) {
                        cu.user.full_name.clone()
                    } else {
                        "—".into()
                    }
                }),
            what: action_label(&a.entity, &a.action),
            detail: a.detail,
        })
        .collect();
    let reminders = st
        .store
        .unit_reminders(&st.plan_id, &id, 100)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|r| ReminderLine {
            sent_at: kehoach_core::text::vn_datetime(r.sent_at),
            sender: r.sent_by_name,
            target: r.target_id.unwrap_or_default(),
            message: kehoach_core::text::truncate(&r.message, 160),
            recipients: r.recipients,
            read_by: r.read_by,
            emailed: r.emailed,
            id: r.id,
        })
        .collect();
    render(
        StatusCode::OK,
        &HistoryPage {
            c: chrome(&st, Some(&cu), "Lịch sử", "units", None),
            unit: unit.name,
            rows,
            reminders,
        },
    )
}
