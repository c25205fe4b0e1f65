//! The volunteers' pages: a member's shifts ("Ca của tôi") with sign-up and withdrawal, and the teams page of those who organise them (teams, shifts, assignments, the launch).

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use kehoach_core::Day;
use kehoach_core::ErrorCode;
use kehoach_store::ShiftRow;

use crate::AppState;
use crate::http::auth::{CurrentUser, PageUser};
use crate::http::errors::AppError;
use crate::ui::{Chrome, Notice, chrome, forbidden_page, render, see_other};
use crate::volunteers::ShiftBody;
use crate::volunteers::cancel;
use crate::volunteers::create_shift;
use crate::volunteers::manages;
use crate::volunteers::sign_up;
use crate::volunteers::started;
use crate::volunteers::withdraw;

pub struct ShiftView {
    pub id: String,
    pub day: String,
    pub time: String,
    pub village: String,
    pub team: String,
    pub places: String,
    pub full: bool,
    pub mine: bool,
    pub open: bool,
    /// For the secretary: the shift's message for the team's Zalo group.
    pub zalo: String,
}

fn shift_views(
    st: &AppState,
    rows: &[ShiftRow],
    units: &[kehoach_store::UnitRow],
    teams: &[kehoach_store::TeamRow],
    mine: &[String],
) -> Vec<ShiftView> {
    rows.iter()
        .map(|s| ShiftView {
            id: s.id.clone(),
            day: Day::parse_iso(&s.day).map(|d| d.vn()).unwrap_or_default(),
            time: format!("{}–{}", s.start_time, s.end_time),
            village: units
                .iter()
                .find(|u| u.id == s.unit_id)
                .map(|u| u.name.clone())
                .unwrap_or_default(),
            team: s
                .team_id
                .as_ref()
                .and_then(|t| teams.iter().find(|x| &x.id == t))
                .map(|t| t.name.clone())
                .unwrap_or_default(),
            places: format!("{}/{}", s.taken, s.places),
            full: s.taken >= s.places,
            mine: mine.contains(&s.id),
            open: !started(st, s),
            zalo: String::new(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "shifts_mine.html")]
struct MinePage {
    c: Chrome,
    linked: bool,
    /// Coming shifts of mine that were cancelled.
    cancelled: Vec<ShiftView>,
    name: String,
    mine: Vec<ShiftView>,
    open: Vec<ShiftView>,
    turns: i64,
}

/// `/ca-cua-toi`: my shifts, the open shifts to sign up for, my turns.
pub async fn mine_page(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    axum::extract::Query(q): axum::extract::Query<crate::ui::OkQuery>,
) -> Response {
    mine_response(&st, &cu, crate::ui::ok_notice(&q), StatusCode::OK).await
}

async fn mine_response(st: &AppState, cu: &CurrentUser, notice: Option<Notice>, status: StatusCode) -> Response {
    let links = st.store.user_people(&st.plan_id).await.unwrap_or_default();
    let person = links.into_iter().find(|(u, _)| u == &cu.user.id).map(|(_, p)| p);
    let units = st.units().await.unwrap_or_default();
    let teams = st.store.teams(&st.plan_id).await.unwrap_or_default();
    let (mine_rows, name) = match &person {
        Some(p) => (
            st.store.person_shifts(&st.plan_id, p).await.unwrap_or_default(),
            st.store
                .person(&st.plan_id, p)
                .await
                .map(|x| x.full_name)
                .unwrap_or_default(),
        ),
        None => (Vec::new(), String::new()),
    };
    let mine_ids: Vec<String> = mine_rows.iter().map(|s| s.id.clone()).collect();
    let cancelled_rows = match &person {
        Some(p) => st
            .store
            .person_cancelled_shifts(&st.plan_id, p, &st.clock.today().iso())
            .await
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let open_rows: Vec<ShiftRow> = st
        .store
        .shifts(&st.plan_id, &st.clock.today().iso())
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|s| !mine_ids.contains(&s.id))
        .collect();
    let turns = st
        .store
        .count_user_turns(&st.plan_id, &cu.user.id)
        .await
        .unwrap_or_default();
    let page = MinePage {
        cancelled: shift_views(st, &cancelled_rows, &units, &teams, &[]),
        c: chrome(st, Some(cu), "Ca của tôi", "shifts", notice),
        linked: person.is_some(),
        name,
        mine: shift_views(st, &mine_rows, &units, &teams, &mine_ids),
        open: shift_views(st, &open_rows, &units, &teams, &mine_ids),
        turns,
    };
    render(status, &page)
}

/// `POST /ca/{id}/huy-dang-ky`: take back a sign-up from the phone.
pub async fn withdraw_form(State(st): State<AppState>, PageUser(cu): PageUser, Path(id): Path<String>) -> Response {
    match withdraw(&st, &cu, &id).await {
        Ok(()) => see_other("/ca-cua-toi?ok=shift_withdrawn"),
        Err(e) if e.status == StatusCode::FORBIDDEN => forbidden_page(&st, &cu),
        Err(e) => {
            let n = crate::ui::error_notice(&e);
            mine_response(&st, &cu, n, e.status).await
        }
    }
}

/// `POST /ca/{id}/dang-ky`: sign up for a shift from the phone.
pub async fn sign_up_form(State(st): State<AppState>, PageUser(cu): PageUser, Path(id): Path<String>) -> Response {
    match sign_up(&st, &cu, &id, None).await {
        Ok(_) => see_other("/ca-cua-toi?ok=shift_taken"),
        Err(e) if e.status == StatusCode::FORBIDDEN => forbidden_page(&st, &cu),
        Err(e) => {
            let n = crate::ui::error_notice(&e);
            mine_response(&st, &cu, n, e.status).await
        }
    }
}

pub struct TeamEdit {
    pub id: String,
    pub name: String,
    pub members: Vec<(String, String, bool)>,
    pub villages: Vec<(String, String, bool)>,
}

#[derive(Template)]
#[template(path = "teams.html")]
struct TeamsPage {
    c: Chrome,
    teams: Vec<kehoach_store::TeamRow>,
    /// Each team with its villages and its launch day, as shown.
    team_info: Vec<(String, i64, String, String)>,
    /// Each team's edit form: id, name, members (id, name, in it), villages (id, name, assigned).
    team_edit: Vec<TeamEdit>,
    members: Vec<(String, String)>,
    villages: Vec<(String, String)>,
    shifts: Vec<ShiftView>,
    not_yet: Vec<String>,
    new_id: String,
    today: String,
}

/// `/doi-hinh`: teams, shifts, and the members who have not taken part yet (T2).
pub async fn teams_page(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    axum::extract::Query(q): axum::extract::Query<crate::ui::OkQuery>,
) -> Response {
    teams_response(&st, &cu, crate::ui::ok_notice(&q), StatusCode::OK).await
}

async fn teams_response(st: &AppState, cu: &CurrentUser, notice: Option<Notice>, status: StatusCode) -> Response {
    if !manages(cu) {
        return forbidden_page(st, cu);
    }
    let units = st.units().await.unwrap_or_default();
    let teams = st.store.teams(&st.plan_id).await.unwrap_or_default();
    let members = st
        .store
        .roster_people(&st.plan_id, Some("youth_members"), None)
        .await
        .unwrap_or_default();
    let rows = st.store.shifts(&st.plan_id, "0000-00-00").await.unwrap_or_default();
    let not_yet = st.store.members_not_yet_active(&st.plan_id).await.unwrap_or_default();
    let mut shifts = shift_views(st, &rows, &units, &teams, &[]);
    for (v, s) in shifts.iter_mut().zip(&rows) {
        let names = st.store.shift_member_names(&s.id).await.unwrap_or_default();
        let slug = units
            .iter()
            .find(|u| u.id == s.unit_id)
            .map(|u| u.slug.as_str())
            .unwrap_or("");
        v.zalo = format!(
            "[Ca tình nguyện] {} {} tại {}: {}. Mang theo căn cước công dân và điện thoại. Lịch: {}/cong-khai/{slug}",
            v.day,
            v.time,
            v.village,
            if names.is_empty() {
                "chưa có người đăng ký".to_string()
            } else {
                names.join(", ")
            },
            st.public_url
        );
    }
    let tv = st.store.team_villages(&st.plan_id).await.unwrap_or_default();
    let team_info = teams
        .iter()
        .map(|t| {
            let names: Vec<String> = tv
                .iter()
                .filter(|(team, _)| team == &t.id)
                .filter_map(|(_, u)| units.iter().find(|x| &x.id == u).map(|x| x.name.clone()))
                .collect();
            (
                t.name.clone(),
                t.members,
                names.join(", "),
                t.launched_on
                    .as_deref()
                    .and_then(Day::parse_iso)
                    .map(|d| format!("ra quân ngày {}", d.vn()))
                    .unwrap_or_else(|| "chưa ra quân".into()),
            )
        })
        .collect();
    let tm = st.store.team_members(&st.plan_id).await.unwrap_or_default();
    let youth = st
        .store
        .roster_people(&st.plan_id, Some("youth_members"), None)
        .await
        .unwrap_or_default();
    let team_edit = teams
        .iter()
        .map(|t| TeamEdit {
            id: t.id.clone(),
            name: t.name.clone(),
            members: youth
                .iter()
                .filter(|p| p.active == 1)
                .map(|p| {
                    let inside = tm.iter().any(|(team, person)| team == &t.id && person == &p.id);
                    (p.id.clone(), p.full_name.clone(), inside)
                })
                .collect(),
            villages: units
                .iter()
                .filter(|u| u.kind == "village" && u.active == 1)
                .map(|u| {
                    let inside = tv.iter().any(|(team, unit)| team == &t.id && unit == &u.id);
                    (u.id.clone(), u.name.clone(), inside)
                })
                .collect(),
        })
        .collect();
    let page = TeamsPage {
        team_edit,
        team_info,
        c: chrome(st, Some(cu), "Đội hình tình nguyện", "teams", notice),
        shifts,
        teams,
        members: members
            .into_iter()
            .filter(|p| p.active == 1)
            .map(|p| (p.id, p.full_name))
            .collect(),
        villages: units
            .iter()
            .filter(|u| u.kind == "village" && u.active == 1)
            .map(|u| (u.id.clone(), u.name.clone()))
            .collect(),
        not_yet,
        new_id: uuid::Uuid::now_v7().to_string(),
        today: st.clock.today().vn(),
    };
    render(status, &page)
}

/// `POST /doi-hinh`: a new team (name, leader, members).
pub async fn team_form(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    axum::Form(f): axum::Form<Vec<(String, String)>>,
) -> Response {
    if !manages(&cu) {
        return forbidden_page(&st, &cu);
    }
    let get = |k: &str| {
        f.iter()
            .find(|(x, _)| x == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let members: Vec<String> = f
        .iter()
        .filter(|(k, _)| k == "members")
        .map(|(_, v)| v.clone())
        .collect();
    let villages: Vec<String> = f
        .iter()
        .filter(|(k, _)| k == "villages")
        .map(|(_, v)| v.clone())
        .collect();
    let leader = get("leader");
    match st
        .store
        .create_team(
            &st.plan_id,
            &get("name"),
            Some(leader.as_str()).filter(|l| !l.is_empty()),
            &members,
            &villages,
            &cu.user.id,
            st.clock.now(),
        )
        .await
    {
        Ok(_) => see_other("/doi-hinh?ok=team_created"),
        Err(e) => {
            let e = AppError::from(e);
            teams_response(&st, &cu, crate::ui::error_notice(&e), e.status).await
        }
    }
}

/// `POST /doi-hinh/ca`: a new shift.
pub async fn shift_form(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    axum::Form(f): axum::Form<Vec<(String, String)>>,
) -> Response {
    let get = |k: &str| {
        f.iter()
            .find(|(x, _)| x == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let body = ShiftBody {
        id: get("id"),
        team_id: Some(get("team_id")),
        unit_id: get("unit_id"),
        day: get("day"),
        start_time: get("start_time"),
        end_time: get("end_time"),
        places: crate::http::form::parse_count(&get("places"))
            .ok()
            .flatten()
            .unwrap_or(0),
    };
    match create_shift(&st, &cu, body).await {
        Ok(_) => see_other("/doi-hinh?ok=shift_created"),
        Err(e) if e.status == StatusCode::FORBIDDEN => forbidden_page(&st, &cu),
        Err(e) => teams_response(&st, &cu, crate::ui::error_notice(&e), e.status).await,
    }
}

/// `POST /doi-hinh/ra-quan`: the teams launched at the launch event (line 1), and the day.
pub async fn launch_form(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    axum::Form(f): axum::Form<Vec<(String, String)>>,
) -> Response {
    if !manages(&cu) {
        return forbidden_page(&st, &cu);
    }
    let teams: Vec<String> = f.iter().filter(|(k, _)| k == "teams").map(|(_, v)| v.clone()).collect();
    let raw = f
        .iter()
        .find(|(k, _)| k == "day")
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_default();
    let Some(day) = Day::parse_any(&raw) else {
        let e = AppError::invalid(ErrorCode::DayInvalid, "day");
        return teams_response(&st, &cu, crate::ui::error_notice(&e), e.status).await;
    };
    // The launch is line 1's event: its day lies in that line's window, not in the future.
    let window_ok = st.plan.lines.first().is_some_and(|l| l.window.contains(day));
    if !window_ok || day > st.clock.today() {
        let e = AppError::invalid(ErrorCode::DayOutsideWindow, "day");
        return teams_response(&st, &cu, crate::ui::error_notice(&e), e.status).await;
    }
    match st.store.launch_teams(&st.plan_id, &teams, &day.iso()).await {
        Ok(_) => see_other("/doi-hinh?ok=teams_launched"),
        Err(e) => {
            let e = AppError::from(e);
            teams_response(&st, &cu, crate::ui::error_notice(&e), e.status).await
        }
    }
}

/// `POST /doi-hinh/ca/{id}/phan-cong`: the secretary assigns a member to a shift.
pub async fn assign_form(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<Vec<(String, String)>>,
) -> Response {
    let person = f.iter().find(|(k, _)| k == "person_id").map(|(_, v)| v.clone());
    if person.as_deref().is_none_or(str::is_empty) {
        let e = AppError::invalid(ErrorCode::PersonUnknown, "person_id");
        return teams_response(&st, &cu, crate::ui::error_notice(&e), e.status).await;
    }
    match sign_up(&st, &cu, &id, person).await {
        Ok(_) => see_other("/doi-hinh?ok=shift_assigned"),
        Err(e) if e.status == StatusCode::FORBIDDEN => forbidden_page(&st, &cu),
        Err(e) => teams_response(&st, &cu, crate::ui::error_notice(&e), e.status).await,
    }
}

/// `POST /doi-hinh/ca/{id}/huy`.
pub async fn cancel_form(State(st): State<AppState>, PageUser(cu): PageUser, Path(id): Path<String>) -> Response {
    use axum::response::IntoResponse;
    match cancel(&st, &cu, &id).await {
        Ok(()) => see_other("/doi-hinh?ok=shift_cancelled"),
        Err(e) if e.status == StatusCode::FORBIDDEN => forbidden_page(&st, &cu),
        Err(e) => e.into_response(),
    }
}

/// `POST /doi-hinh/{id}/sua`: replaces a team's members and villages.
pub async fn team_edit_form(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    axum::Form(f): axum::Form<Vec<(String, String)>>,
) -> Response {
    if !manages(&cu) {
        return forbidden_page(&st, &cu);
    }
    let pick = |k: &str| -> Vec<String> { f.iter().filter(|(x, _)| x == k).map(|(_, v)| v.clone()).collect() };
    match st
        .store
        .set_team(&st.plan_id, &id, &pick("members"), &pick("villages"))
        .await
    {
        Ok(()) => see_other("/doi-hinh?ok=team_saved"),
        Err(e) => {
            let e = AppError::from(e);
            teams_response(&st, &cu, crate::ui::error_notice(&e), e.status).await
        }
    }
}
