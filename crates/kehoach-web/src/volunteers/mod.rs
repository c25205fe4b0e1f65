//! Volunteer teams and shifts (issue 8, part 2): the youth-union secretary
//! (a reporter of the youth-union unit) or the coordinator forms teams from
//! the youth-union roster and opens shifts in the villages; a member whose
//! account is linked to the roster signs up from their phone on
//! `/ca-cua-toi`, which also lists their shifts and turns.

pub mod api;
pub mod pages;

use kehoach_core::Day;
use kehoach_core::ErrorCode;
use kehoach_store::{NewShift, ShiftRow, SignUp, StoreError};
use serde::Deserialize;

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::errors::AppError;
use crate::http::policy::{Action, allowed};

/// Whether the user manages teams: the coordinator, or a reporter of the
/// youth-union unit (the policy decides).
fn manages(cu: &CurrentUser) -> bool {
    allowed(
        &cu.user,
        Action::ManageTeams {
            youth_unit: cu.in_youth_union(),
        },
    )
}

fn now_hhmm(st: &AppState) -> String {
    let t = st.clock.now_vn();
    format!("{:02}:{:02}", t.hour(), t.minute())
}

fn started(st: &AppState, s: &ShiftRow) -> bool {
    let today = st.clock.today().iso();
    s.day < today || (s.day == today && s.start_time <= now_hhmm(st))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShiftBody {
    /// A UUID made by the client: the same id again stores nothing new.
    pub id: String,
    #[serde(default)]
    pub team_id: Option<String>,
    /// A village.
    pub unit_id: String,
    /// YYYY-MM-DD or dd/mm/yyyy, today or later, inside the plan's period.
    pub day: String,
    /// HH:MM.
    pub start_time: String,
    pub end_time: String,
    pub places: i64,
}

/// Opens a shift after checking it: a village, a day not past and inside the
/// plan's period (volunteers serve the campaign), times in order.
pub async fn create_shift(st: &AppState, cu: &CurrentUser, b: ShiftBody) -> Result<ShiftRow, AppError> {
    if !manages(cu) {
        return Err(AppError::forbidden());
    }
    if uuid::Uuid::parse_str(&b.id).is_err() {
        return Err(AppError::invalid(ErrorCode::IdInvalid, "id"));
    }
    let units = st.units().await?;
    if !units
        .iter()
        .any(|u| u.id == b.unit_id && u.kind == "village" && u.active == 1)
    {
        return Err(AppError::invalid(ErrorCode::UnitNotVillage, "unit_id"));
    }
    let day = Day::parse_any(&b.day).ok_or_else(|| AppError::invalid(ErrorCode::DayInvalid, "day"))?;
    if day < st.clock.today() {
        return Err(AppError::invalid(ErrorCode::DayInPast, "day"));
    }
    if !st.plan.plan.period.contains(day) {
        return Err(AppError::invalid(ErrorCode::DayOutsidePeriod, "day"));
    }
    if !crate::records::sessions::valid_time(&b.start_time) || !crate::records::sessions::valid_time(&b.end_time) {
        return Err(AppError::invalid(ErrorCode::TimeInvalid, "start_time"));
    }
    if b.end_time <= b.start_time {
        return Err(AppError::invalid(ErrorCode::TimeOrder, "end_time"));
    }
    Ok(st
        .store
        .create_shift(
            NewShift {
                id: b.id,
                plan_id: st.plan_id.clone(),
                team_id: b.team_id.filter(|t| !t.is_empty()),
                unit_id: b.unit_id,
                day: day.iso(),
                start_time: b.start_time,
                end_time: b.end_time,
                places: b.places,
                created_by: cu.user.id.clone(),
            },
            st.clock.now(),
        )
        .await?)
}

/// Signs up the user's own roster entry, or (for those who manage teams)
/// the member named.
pub async fn sign_up(
    st: &AppState,
    cu: &CurrentUser,
    shift_id: &str,
    person: Option<String>,
) -> Result<SignUp, AppError> {
    let person_id = match person.filter(|p| !p.is_empty()) {
        Some(p) => {
            if !manages(cu) {
                return Err(AppError::forbidden());
            }
            p
        }
        None => {
            let links = st.store.user_people(&st.plan_id).await?;
            match links.into_iter().find(|(u, _)| u == &cu.user.id) {
                Some((_, p)) => p,
                None => return Err(AppError::invalid(ErrorCode::AccountNotMember, "person_id")),
            }
        }
    };
    if !allowed(&cu.user, Action::SignUpShift) {
        return Err(AppError::forbidden());
    }
    let shift = st.store.shift(&st.plan_id, shift_id).await?;
    if started(st, &shift) {
        return Err(AppError::invalid(ErrorCode::ShiftStarted, "shift_id"));
    }
    st.store
        .sign_up(&st.plan_id, shift_id, &person_id, &cu.user.id, st.clock.now())
        .await
        .map_err(|e| match e {
            StoreError::Conflict {
                code: ErrorCode::ShiftFull,
                field,
            } => AppError::new(ErrorCode::ShiftFull, Some(field)),
            e => e.into(),
        })
}

/// The user's own member takes back a sign-up before the shift starts.
pub async fn withdraw(st: &AppState, cu: &CurrentUser, shift_id: &str) -> Result<(), AppError> {
    if !allowed(&cu.user, Action::SignUpShift) {
        return Err(AppError::forbidden());
    }
    let links = st.store.user_people(&st.plan_id).await?;
    let Some((_, person_id)) = links.into_iter().find(|(u, _)| u == &cu.user.id) else {
        return Err(AppError::invalid(ErrorCode::AccountNotMember, "person_id"));
    };
    let shift = st.store.shift(&st.plan_id, shift_id).await?;
    if started(st, &shift) {
        return Err(AppError::invalid(ErrorCode::ShiftStarted, "shift_id"));
    }
    if !st.store.withdraw_sign_up(&st.plan_id, shift_id, &person_id).await? {
        return Err(AppError::not_found());
    }
    Ok(())
}

/// Emails each member with a shift on `day` (tomorrow, when run by the
/// daily job) who has an address and was not reminded yet; returns how many
/// emails the SMTP server accepted. Without SMTP it sends nothing (members
/// still see the reminder in the app).
pub async fn email_shift_reminders(st: &AppState, day: Day) -> Result<usize, AppError> {
    let Some(mailer) = st.mailer.as_ref() else {
        return Ok(0);
    };
    let due = st.store.shift_reminders_due(&st.plan_id, &day.iso()).await?;
    let mut sent = 0;
    for r in due {
        // Claimed first: another server process running this job skips it.
        if !st
            .store
            .claim_shift_reminder(&r.shift.id, &r.person_id, st.clock.now())
            .await?
        {
            continue;
        }
        let body = format!(
            "Chào {},\n\nNgày {} bạn có ca tình nguyện {}–{} tại {}. Mang theo căn cước công dân và điện thoại để hướng dẫn người dân.\n\nXem ca của bạn: {}/ca-cua-toi\n\n(Thư gửi tự động từ hệ thống kehoach; xin đừng trả lời thư này.)",
            r.full_name,
            day.vn(),
            r.shift.start_time,
            r.shift.end_time,
            r.village,
            st.public_url
        );
        let subject = format!("Nhắc ca tình nguyện ngày {}", day.vn());
        let outcome = mailer.send_each(std::slice::from_ref(&r.email), &subject, &body).await;
        if outcome.accepted == 1 {
            sent += 1;
        } else {
            st.store.release_shift_reminder(&r.shift.id, &r.person_id).await?;
        }
    }
    Ok(sent)
}

/// The daily job: from 17:00 Vietnam time, tomorrow's shift reminders go
/// out (checked every half hour; each member once).
pub fn spawn_shift_reminder_job(st: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(30 * 60));
        loop {
            tick.tick().await;
            if now_hhmm(&st).as_str() >= "17:00" {
                let day = st.clock.today().plus(1);
                // Every commune of the server, each with its own plan and links.
                let communes = match st.store.communes().await {
                    Ok(c) => c,
                    Err(e) => {
                        tracing::warn!(error = %e, "shift reminders: communes not read");
                        continue;
                    }
                };
                for commune in communes {
                    let plan = match st.store.commune_plan_id(&commune.id).await {
                        Ok(Some(id)) => st.store.load_plan(&id).await,
                        Ok(None) => continue,
                        Err(e) => Err(e),
                    };
                    let slug = commune.slug.clone();
                    match plan {
                        Ok(plan) => {
                            if let Err(e) = email_shift_reminders(&st.for_commune(commune, plan), day).await {
                                tracing::warn!(commune = %slug, error = %e.message, "shift reminders not sent");
                            }
                        }
                        Err(e) => tracing::warn!(commune = %slug, error = %e, "shift reminders: plan not read"),
                    }
                }
            }
        }
    });
}

/// Cancels a shift (those who manage teams).
pub async fn cancel(st: &AppState, cu: &CurrentUser, id: &str) -> Result<(), AppError> {
    if !manages(cu) {
        return Err(AppError::forbidden());
    }
    st.store.cancel_shift(&st.plan_id, id, st.clock.now()).await?;
    Ok(())
}
