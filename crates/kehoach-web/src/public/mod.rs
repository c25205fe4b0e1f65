//! Public pages (no login): the campaign's schedule by week, for the whole
//! commune and per village or school, its progress, the contests' windows,
//! and iCalendar feeds. They show units, places, times and counts — never a
//! person's name, account, note or photo — and may be cached a minute.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use kehoach_core::Day;
use kehoach_core::ErrorCode;
use kehoach_core::engine;
use kehoach_core::ical::{Event, calendar};
use kehoach_core::report::figure;
use kehoach_core::text::vn_int;
use kehoach_store::{ActivitySessionRow, SessionFilter, UnitRow};
use serde::Deserialize;

use crate::AppState;
use crate::http::errors::AppError;

const CACHE: &str = "public, max-age=60";

#[derive(Deserialize)]
pub struct WeekQuery {
    /// Any day of the week to show, dd/mm/yyyy or YYYY-MM-DD.
    pub tuan: Option<String>,
}

pub struct SessionView {
    pub day: String,
    pub time: String,
    pub status: &'static str,
    pub what: String,
    pub place: String,
    pub topics: String,
    pub bring: String,
}

pub struct TargetView {
    pub label: String,
    pub value: String,
    pub rule: String,
    /// A target every unit must reach, in the words every surface uses.
    pub reading: String,
    pub status: &'static str,
    pub pct: String,
}

#[derive(Template)]
#[template(path = "public.html")]
struct HomePage {
    title: String,
    commune: String,
    campaign: String,
    period: String,
    status: String,
    units: Vec<(String, String)>,
    week_title: String,
    prev_week: String,
    next_week: String,
    sessions: Vec<SessionView>,
    as_of: String,
    held: String,
    turns: String,
    targets: Vec<TargetView>,
    contests: Vec<crate::contests::public::PublicContest>,
    /// The campaign is over and no week was asked for: the page opens on
    /// its results; the weeks are a link away.
    ended: bool,
    first_week: String,
}

#[derive(Template)]
#[template(path = "public_unit.html")]
struct UnitPage {
    title: String,
    commune: String,
    campaign: String,
    period: String,
    slug: String,
    unit_name: String,
    as_of: String,
    turns: String,
    week_title: String,
    prev_week: String,
    next_week: String,
    sessions: Vec<SessionView>,
}

fn page<T: Template>(t: &T) -> Response {
    match t.render() {
        Ok(html) => (StatusCode::OK, [(header::CACHE_CONTROL, CACHE)], Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template error");
            AppError::new(ErrorCode::Internal, None).into_response()
        }
    }
}

/// Monday of the week shown: the asked day's, else this week's while the
/// campaign runs, else the campaign's first week.
fn week_start(st: &AppState, q: &WeekQuery) -> Day {
    let period = st.plan.plan.period;
    let today = st.clock.today();
    let day = q
        .tuan
        .as_deref()
        .and_then(Day::parse_any)
        // Before the campaign its first week, during it this week, after it
        // its last week (never an empty week long past).
        .unwrap_or(today.max(period.start).min(period.end));
    day.plus(-(day.0.weekday().number_days_from_monday() as i64))
}

/// Units a citizen looks for: villages and schools, active.
fn public_units(units: &[UnitRow]) -> Vec<&UnitRow> {
    units
        .iter()
        .filter(|u| u.active == 1 && matches!(u.kind.as_str(), "village" | "school"))
        .collect()
}

async fn week_sessions(st: &AppState, unit: Option<&str>, monday: Day) -> Result<Vec<ActivitySessionRow>, AppError> {
    let f = SessionFilter {
        unit_id: unit.map(str::to_string),
        line_id: None,
        from: Some(monday.iso()),
        to: Some(monday.plus(6).iso()),
        include_deleted: false,
    };
    let mut rows: Vec<ActivitySessionRow> = st
        .store
        .list_activity_sessions(&st.plan_id, &f)
        .await?
        .into_iter()
        .filter(|s| s.status != "cancelled")
        .collect();
    rows.sort_by(|a, b| (&a.day, &a.start_time).cmp(&(&b.day, &b.start_time)));
    Ok(rows)
}

/// What a session is, where, and what to bring: nothing about people.
fn session_view(st: &AppState, units: &[UnitRow], s: &ActivitySessionRow) -> SessionView {
    let line = st.plan.line(&s.line_id);
    let unit = units
        .iter()
        .find(|u| u.id == s.unit_id)
        .map(|u| u.name.as_str())
        .unwrap_or("");
    let kind = kehoach_core::SessionKind::parse(&s.kind)
        .map(|k| k.label())
        .unwrap_or("");
    let topics: Vec<String> = serde_json::from_str(&s.topics).unwrap_or_default();
    let time = match (&s.start_time, &s.end_time) {
        (Some(a), Some(b)) => format!("{a}–{b}"),
        (Some(a), None) => format!("từ {a}"),
        _ => String::new(),
    };
    // Lines that help people with services (VNeID, public services) need their papers and phone.
    let bring = if line.is_some_and(|l| !l.services.is_empty()) {
        "căn cước công dân (CCCD) và điện thoại di động".to_string()
    } else {
        String::new()
    };
    SessionView {
        day: Day::parse_iso(&s.day).map(|d| d.vn()).unwrap_or_else(|| s.day.clone()),
        time,
        // A planned session whose day has passed without a report is not "coming".
        status: if s.status == "planned" && Day::parse_iso(&s.day).is_some_and(|d| d < st.clock.today()) {
            "Đã qua, chưa cập nhật kết quả"
        } else {
            kehoach_core::records::session_status_label(&s.status)
        },
        what: format!(
            "{}{}",
            line.map(|l| l.label()).unwrap_or_default(),
            if kind.is_empty() {
                String::new()
            } else {
                format!(" ({kind})")
            }
        ),
        place: [s.venue.clone().unwrap_or_default(), unit.to_string()]
            .into_iter()
            .filter(|x| !x.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        topics: topics.join("; "),
        bring,
    }
}

fn week_title(monday: Day) -> String {
    format!("Lịch tuần {} – {}", monday.vn(), monday.plus(6).vn())
}

/// `GET /cong-khai`: the whole commune.
pub async fn home(State(st): State<AppState>, Query(q): Query<WeekQuery>) -> Response {
    match home_inner(&st, &q).await {
        Ok(r) => r,
        Err(e) => e.into_response(),
    }
}

async fn home_inner(st: &AppState, q: &WeekQuery) -> Result<Response, AppError> {
    let plan = &st.plan;
    let p = &plan.plan;
    let units = st.units().await?;
    let monday = week_start(st, q);
    let sessions = week_sessions(st, None, monday).await?;
    let today = st.clock.today();
    let as_of = today.min(p.period.end).max(p.period.start);
    let facts = st.store.facts(plan, as_of).await?;
    let standings = engine::board(plan, &facts, as_of);
    let held = engine::sessions_per_line(&facts, as_of).values().sum::<u32>();
    let turns: u64 = facts.turns.iter().filter(|t| t.day <= as_of).map(|t| t.n as u64).sum();
    let targets = plan
        .targets
        .iter()
        .zip(&standings)
        .map(|(t, s)| TargetView {
            label: t.label.clone(),
            value: figure(t, s.value.value),
            rule: figure(t, t.threshold),
            reading: if t.measure == kehoach_core::Measure::MinPerUnit {
                let name = |id: &str| {
                    units
                        .iter()
                        .find(|u| u.id == id)
                        .map_or_else(|| id.to_string(), |u| u.name.clone())
                };
                kehoach_core::report::min_per_unit_reading(t, s, &name)
            } else {
                String::new()
            },
            status: s.status.label(),
            pct: format!(
                "{:.0}",
                (s.value.value / t.threshold.max(1e-9) * 100.0).clamp(0.0, 100.0)
            ),
        })
        .collect();
    let status = if today < p.period.start {
        format!("bắt đầu ngày {}", p.period.start.vn())
    } else if today > p.period.end {
        format!("đã kết thúc ngày {}", p.period.end.vn())
    } else {
        "đang diễn ra".to_string()
    };
    let contests = crate::contests::public::public_summaries(st).await;
    Ok(page(&HomePage {
        title: p.short_title.clone(),
        commune: format!("{} {}", p.commune_level, p.commune),
        campaign: p.short_title.clone(),
        period: p.period.vn(),
        status,
        units: public_units(&units)
            .into_iter()
            .map(|u| (u.slug.clone(), u.name.clone()))
            .collect(),
        week_title: week_title(monday),
        prev_week: monday.plus(-7).vn(),
        next_week: monday.plus(7).vn(),
        sessions: sessions.iter().map(|s| session_view(st, &units, s)).collect(),
        as_of: as_of.vn(),
        held: vn_int(held as i64),
        turns: vn_int(turns as i64),
        targets,
        contests,
        ended: today > p.period.end && q.tuan.is_none(),
        first_week: p.period.start.vn(),
    }))
}

fn find_unit<'a>(units: &'a [UnitRow], slug: &str) -> Option<&'a UnitRow> {
    public_units(units).into_iter().find(|u| u.slug == slug)
}

/// `GET /cong-khai/{slug}`: one village or school.
pub async fn unit(State(st): State<AppState>, Path(slug): Path<String>, Query(q): Query<WeekQuery>) -> Response {
    let units = match st.units().await {
        Ok(u) => u,
        Err(e) => return AppError::from(e).into_response(),
    };
    let Some(u) = find_unit(&units, &slug) else {
        return AppError::not_found().into_response();
    };
    let monday = week_start(&st, &q);
    let sessions = match week_sessions(&st, Some(&u.id), monday).await {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    let p = &st.plan.plan;
    let as_of = st.clock.today().min(p.period.end).max(p.period.start);
    let turns = match st.store.facts(&st.plan, as_of).await {
        Ok(f) => f
            .turns
            .iter()
            .filter(|t| t.unit_id == u.id && t.day <= as_of)
            .map(|t| t.n as u64)
            .sum::<u64>(),
        Err(e) => return AppError::from(e).into_response(),
    };
    page(&UnitPage {
        title: u.name.clone(),
        commune: format!("{} {}", p.commune_level, p.commune),
        campaign: p.short_title.clone(),
        period: p.period.vn(),
        slug: u.slug.clone(),
        unit_name: u.name.clone(),
        as_of: as_of.vn(),
        turns: if turns > 0 {
            format!("{} lượt người dân được hỗ trợ", vn_int(turns as i64))
        } else {
            String::new()
        },
        week_title: week_title(monday),
        prev_week: monday.plus(-7).vn(),
        next_week: monday.plus(7).vn(),
        sessions: sessions.iter().map(|s| session_view(&st, &units, s)).collect(),
    })
}

/// Every planned or held session of the plan (or of one unit) as iCalendar.
async fn feed(st: &AppState, unit: Option<&UnitRow>) -> Result<Response, AppError> {
    let units = st.units().await?;
    let f = SessionFilter {
        unit_id: unit.map(|u| u.id.clone()),
        ..Default::default()
    };
    let rows = st.store.list_activity_sessions(&st.plan_id, &f).await?;
    let events: Vec<Event> = rows
        .iter()
        .filter(|s| s.status != "cancelled")
        .filter_map(|s| {
            let v = session_view(st, &units, s);
            Some(Event {
                uid: public_uid(&s.id),
                day: Day::parse_iso(&s.day)?,
                start: s.start_time.clone(),
                end: s.end_time.clone(),
                summary: v.what,
                location: v.place,
                description: [
                    (!v.topics.is_empty()).then(|| format!("Nội dung: {}", v.topics)),
                    (!v.bring.is_empty()).then(|| format!("Mang theo: {}", v.bring)),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join("\n"),
                url: Some(format!(
                    "{}/cong-khai/{}",
                    st.public_url,
                    units
                        .iter()
                        .find(|u| u.id == s.unit_id)
                        .map(|u| u.slug.as_str())
                        .unwrap_or("")
                )),
            })
        })
        .collect();
    let p = &st.plan.plan;
    let name = match unit {
        Some(u) => format!("{} – {}", p.short_title, u.name),
        None => format!("{} – {} {}", p.short_title, p.commune_level, p.commune),
    };
    let now = time::OffsetDateTime::from_unix_timestamp(st.clock.now()).unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let stamp = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "text/calendar; charset=utf-8"),
            (header::CACHE_CONTROL, CACHE),
        ],
        calendar(&name, &events, &stamp),
    )
        .into_response())
}

/// `GET /cong-khai/lich.ics`: the whole plan's calendar.
pub async fn plan_feed(State(st): State<AppState>) -> Response {
    feed(&st, None).await.unwrap_or_else(|e| e.into_response())
}

/// `GET /cong-khai/{slug}/lich.ics`: one village's or school's calendar.
pub async fn unit_feed(State(st): State<AppState>, Path(slug): Path<String>) -> Response {
    let units = match st.units().await {
        Ok(u) => u,
        Err(e) => return AppError::from(e).into_response(),
    };
    match find_unit(&units, &slug) {
        Some(u) => feed(&st, Some(u)).await.unwrap_or_else(|e| e.into_response()),
        None => AppError::not_found().into_response(),
    }
}

/// `GET /cong-khai/{slug}/ap-phich.pdf`: an A4 poster for the village hall,
/// with the coming planned sessions and a QR code to the unit's public page.
pub async fn poster(State(st): State<AppState>, Path(slug): Path<String>) -> Response {
    let units = match st.units().await {
        Ok(u) => u,
        Err(e) => return AppError::from(e).into_response(),
    };
    let Some(u) = find_unit(&units, &slug) else {
        return AppError::not_found().into_response();
    };
    let p = &st.plan.plan;
    let from = st.clock.today().max(p.period.start);
    let f = SessionFilter {
        unit_id: Some(u.id.clone()),
        from: Some(from.iso()),
        ..Default::default()
    };
    let mut rows = match st.store.list_activity_sessions(&st.plan_id, &f).await {
        Ok(r) => r,
        Err(e) => return AppError::from(e).into_response(),
    };
    rows.retain(|s| s.status == "planned");
    rows.sort_by(|a, b| (&a.day, &a.start_time).cmp(&(&b.day, &b.start_time)));
    let rows = rows
        .iter()
        .take(30)
        .map(|s| {
            let v = session_view(&st, &units, s);
            vec![v.day, v.time, v.what, v.place]
        })
        .collect();
    let doc = kehoach_report::pdf::Poster {
        commune: format!("{} {}", p.commune_level, p.commune),
        campaign: p.short_title.clone(),
        unit_name: u.name.clone(),
        period: p.period.vn(),
        url: format!("{}/cong-khai/{}", st.public_url, u.slug),
        rows,
    };
    match kehoach_report::pdf::poster(&doc) {
        Ok(bytes) => (
            StatusCode::OK,
            [
                (header::CONTENT_TYPE, "application/pdf".to_string()),
                (header::CACHE_CONTROL, CACHE.to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"ap-phich-{}.pdf\"", u.slug),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "poster failed");
            AppError::new(ErrorCode::Internal, None).into_response()
        }
    }
}

/// A session's UID in the public calendar: stable (a calendar updates the
/// event, never doubles it) but not the internal id, which the API would
/// accept as a record id (a hash of it, not reversible).
fn public_uid(id: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("kehoach-lich|{id}").as_bytes());
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}
