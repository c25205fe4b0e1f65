//! Reminders (nhắc nhở): from a lagging unit on the board, the coordinator
//! sends its users a message. They see it as a notice on their next page
//! (until they mark it read), by email when SMTP is configured, and the
//! coordinator gets the same text ready to paste into Zalo. Every reminder
//! is stored on the unit (its history page lists them) and in the audit log.

use askama::Template;
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kehoach_core::ErrorCode;
use kehoach_core::engine::Status;
use kehoach_core::{Day, TargetDef};
use kehoach_store::{NewReminder, Recipient, ReminderRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::board::{BoardData, default_as_of, parse_as_of, unit_figure};
use crate::http::auth::{ApiUser, CurrentUser, PageUser};
use crate::http::errors::{AppError, ErrorBody};
use crate::http::policy::{Action, allowed};
use crate::ui::{Chrome, OkQuery, chrome, error_notice, forbidden_page, ok_notice, render, see_other};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReminderBody {
    /// A UUID made by the client: sending the same id again stores nothing new.
    pub id: String,
    pub unit_id: String,
    /// The target the unit lags on (T1…T8, R6), if any.
    #[serde(default)]
    pub target_id: Option<String>,
    /// The board date it was written from, YYYY-MM-DD (default: today within the plan).
    #[serde(default)]
    pub as_of: Option<String>,
    /// The text; empty or absent: the standard text built from the board.
    #[serde(default)]
    pub message: Option<String>,
}

/// A stored reminder with the text to paste into Zalo.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReminderOut {
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub reminder: ReminderRow,
    pub zalo_text: String,
}

/// The standard reminder text: who, as of when, which figure against what
/// the steady pace needs, and what to do.
fn standard_message(st: &AppState, b: &BoardData, unit_id: &str, target: Option<&TargetDef>, sender: &str) -> String {
    let unit = b.names.subject(unit_id);
    let plan = &st.plan.plan;
    let when = b.as_of.vn();
    let lag = target.and_then(|t| {
        let i = st.plan.targets.iter().position(|x| x.id == t.id)?;
        let s = &b.standings[i];
        let mine: Vec<_> = s
            .laggards
            .iter()
            .filter(|l| b.names.unit_of(&l.id) == Some(unit_id))
            .collect();
        let own = mine.iter().find(|l| l.id == unit_id);
        Some(match own {
            Some(l) => format!(
                "chỉ tiêu {} ({}) của đơn vị đạt {}, trong khi theo tiến độ đều cần {}",
                t.id,
                t.label,
                unit_figure(t, l.value),
                unit_figure(t, l.expected)
            ),
            None => {
                let behind: Vec<String> = mine
                    .iter()
                    .filter(|l| l.holds_back)
                    .map(|l| b.names.subject(&l.id))
                    .collect();
                if behind.is_empty() {
                    format!("chỉ tiêu {} ({}) cần được đẩy nhanh", t.id, t.label)
                } else {
                    format!("chỉ tiêu {} ({}) còn chậm ở: {}", t.id, t.label, behind.join("; "))
                }
            }
        })
    });
    let lag = lag.unwrap_or_else(|| "một số chỉ tiêu của đơn vị còn chậm so với tiến độ".into());
    format!(
        "Kính gửi {unit}: theo bảng theo dõi kế hoạch “{title}”, tính đến ngày {when}, {lag}. \
         Đề nghị đơn vị khẩn trương tổ chức thực hiện và cập nhật số liệu kịp thời trên hệ thống kehoach.\n\
         {sender}, {level} {commune}",
        title = plan.short_title,
        level = plan.commune_level,
        commune = plan.commune,
    )
}

/// The text to paste into the unit's Zalo group: the message and a link.
pub fn zalo_text(st: &AppState, r: &ReminderRow) -> String {
    let day = r
        .as_of
        .as_deref()
        .and_then(Day::parse_iso)
        .map(|d| format!("?ngay={}", d.vn()))
        .unwrap_or_default();
    format!(
        "[Nhắc nhở] {}\nXem bảng theo dõi: {}/theo-doi{day}",
        r.message, st.public_url
    )
}

fn check_target(st: &AppState, id: Option<&str>) -> Result<Option<TargetDef>, AppError> {
    match id.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(id) => st
            .plan
            .target(id)
            .cloned()
            .map(Some)
            .ok_or_else(|| AppError::invalid(ErrorCode::TargetUnknown, "target_id")),
    }
}

/// Stores a reminder (once per id) and, the first time, emails it.
pub async fn send(st: &AppState, cu: &CurrentUser, b: ReminderBody) -> Result<(ReminderRow, bool), AppError> {
    if !allowed(&cu.user, Action::SendReminder) {
        return Err(AppError::forbidden());
    }
    if uuid::Uuid::parse_str(&b.id).is_err() {
        return Err(AppError::invalid(ErrorCode::IdInvalid, "id"));
    }
    let units = st.units().await?;
    if !units.iter().any(|u| u.id == b.unit_id && u.active == 1) {
        return Err(AppError::invalid(ErrorCode::UnitUnknown, "unit_id"));
    }
    let target = check_target(st, b.target_id.as_deref())?;
    let as_of = match b.as_of.as_deref() {
        Some(s) => parse_as_of(&st.plan, st.clock.today(), Some(s))?,
        None => default_as_of(&st.plan, st.clock.today()),
    };
    let message = match b.message.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => m.to_string(),
        None => {
            let board = BoardData::load(st, as_of).await?;
            standard_message(st, &board, &b.unit_id, target.as_ref(), &cu.user.full_name)
        }
    };
    let (row, created) = st
        .store
        .create_reminder(
            NewReminder {
                id: b.id,
                plan_id: st.plan_id.clone(),
                unit_id: b.unit_id,
                target_id: target.map(|t| t.id),
                as_of: Some(as_of.iso()),
                message,
                sent_by: cu.user.id.clone(),
            },
            st.clock.now(),
        )
        .await?;
    if !created {
        return Ok((row, false));
    }
    // The reminder is stored (durable) before any email leaves; how the
    // emails went is recorded on it afterwards.
    let recipients = st.store.unit_recipients(&st.plan_id, &row.unit_id).await?;
    let (emailed, note) = email(st, &row, &recipients).await;
    st.store.set_reminder_email(&row.id, emailed, note.as_deref()).await?;
    Ok((st.store.reminder(&st.plan_id, &row.id).await?, true))
}

async fn email(st: &AppState, r: &ReminderRow, recipients: &[Recipient]) -> (i64, Option<String>) {
    let addresses: Vec<String> = recipients.iter().filter_map(|x| x.email.clone()).collect();
    let without = recipients.len() - addresses.len();
    let Some(mailer) = st.mailer.as_ref() else {
        return (
            0,
            Some("Chưa cấu hình máy chủ thư (SMTP): chỉ có thông báo trong hệ thống và tin nhắn Zalo.".into()),
        );
    };
    let subject = match &r.target_id {
        Some(t) => format!("Nhắc nhở tiến độ chỉ tiêu {t}"),
        None => "Nhắc nhở tiến độ kế hoạch".to_string(),
    };
    let body = format!(
        "{}\n\n{}\n\n(Thư gửi tự động từ hệ thống kehoach; xin đừng trả lời thư này.)",
        r.message,
        zalo_text(st, r).lines().last().unwrap_or_default()
    );
    let sent = mailer.send_each(&addresses, &subject, &body).await;
    let mut notes = Vec::new();
    if without > 0 {
        notes.push(format!("{without} tài khoản chưa có địa chỉ email."));
    }
    if !sent.failed.is_empty() {
        notes.push(format!("Không gửi được tới: {}.", sent.failed.join(", ")));
    }
    (sent.accepted, (!notes.is_empty()).then(|| notes.join(" ")))
}

/// Marks a reminder read by the current user (a user of its unit).
pub async fn acknowledge(st: &AppState, cu: &CurrentUser, id: &str) -> Result<(), AppError> {
    let r = st.store.reminder(&st.plan_id, id).await?;
    if !allowed(&cu.user, Action::AcknowledgeReminder { unit_id: &r.unit_id }) {
        return Err(AppError::forbidden());
    }
    st.store
        .mark_reminder_read(&st.plan_id, id, &cu.user.id, st.clock.now())
        .await?;
    Ok(())
}

/// Who may see a reminder: the coordinator and readers of its unit's records.
fn may_see(cu: &CurrentUser, unit_id: &str) -> bool {
    allowed(&cu.user, Action::SendReminder)
        || allowed(&cu.user, Action::ReadUnitRecords { unit_id: Some(unit_id) })
        || cu.user.unit_id.as_deref() == Some(unit_id)
}

#[utoipa::path(post, path = "/api/v1/reminders", request_body = ReminderBody,
    responses((status = 201, body = ReminderOut), (status = 200, body = ReminderOut, description = "already stored with this id"),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn api_send(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    crate::http::Body(b): crate::http::Body<ReminderBody>,
) -> Result<(StatusCode, Json<ReminderOut>), AppError> {
    let (reminder, created) = send(&st, &cu, b).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    let zalo_text = zalo_text(&st, &reminder);
    Ok((status, Json(ReminderOut { reminder, zalo_text })))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ReminderListParams {
    /// The unit; absent: the caller's own unit.
    pub unit_id: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/reminders", params(ReminderListParams),
    responses((status = 200, body = Vec<ReminderOut>), (status = 403, body = ErrorBody)))]
pub async fn api_list(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Query(q): Query<ReminderListParams>,
) -> Result<Json<Vec<ReminderOut>>, AppError> {
    let Some(unit) = q.unit_id.filter(|u| !u.is_empty()).or_else(|| cu.user.unit_id.clone()) else {
        return Err(AppError::invalid(ErrorCode::UnitUnknown, "unit_id"));
    };
    if !may_see(&cu, &unit) {
        return Err(AppError::forbidden());
    }
    let rows = st.store.unit_reminders(&st.plan_id, &unit, 200).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| ReminderOut {
                zalo_text: zalo_text(&st, &r),
                reminder: r,
            })
            .collect(),
    ))
}

#[utoipa::path(post, path = "/api/v1/reminders/{id}/read",
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn api_read(State(st): State<AppState>, ApiUser(cu): ApiUser, Path(id): Path<String>) -> Response {
    match acknowledge(&st, &cu, &id).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}

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
