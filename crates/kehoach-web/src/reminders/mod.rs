//! Reminders (nhắc nhở): from a lagging unit on the board, the coordinator
//! sends its users a message. They see it as a notice on their next page
//! (until they mark it read), by email when SMTP is configured, and the
//! coordinator gets the same text ready to paste into Zalo. Every reminder
//! is stored on the unit (its history page lists them) and in the audit log.

pub mod api;
pub mod pages;

use kehoach_core::ErrorCode;
use kehoach_core::{Day, TargetDef};
use kehoach_store::{NewReminder, Recipient, ReminderRow};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::AppState;
use crate::board::{BoardData, unit_figure};
use crate::http::auth::CurrentUser;
use crate::http::dates::{default_as_of, parse_as_of};
use crate::http::errors::AppError;
use crate::http::policy::{Action, allowed};

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
