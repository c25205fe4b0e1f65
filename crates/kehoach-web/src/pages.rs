//! Vietnamese pages: login, invites, the plan overview, units and users.
//!
//! A form posts to its own route, which calls the same `service` function as
//! the API. Success redirects (303) back with a notice; a refusal re-renders
//! the page with the Vietnamese reason (field and why), status 422/403/409.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use kehoach_core::show::target_rule;
use kehoach_core::text::vn_int;
use kehoach_core::{Measure, Plan, RecordKind, UnitKind};
use kehoach_store::{POPULATIONS, Role, now_unix};
use serde::Deserialize;

use crate::auth::{CurrentUser, PageUser, clear_cookie, login, session_cookie, session_token};
use crate::errors::AppError;
use crate::policy::{Action, allowed};
use crate::service::{self, *};
use crate::{AppState, today_vn};

pub struct Notice {
    pub kind: &'static str,
    pub text: String,
}

pub struct NavUser {
    pub full_name: String,
    pub role_label: &'static str,
    pub is_coordinator: bool,
    pub can_record_turns: bool,
    pub can_read_records: bool,
    /// Reads every unit's records (coordinator, leaders): reports and exports of all units.
    pub can_read_all: bool,
    /// Organises volunteer teams (coordinator, youth-union secretary).
    pub manages_teams: bool,
    pub manages_contests: bool,
    pub is_judge: bool,
    /// The three or four things this role does, first; the rest behind
    /// "Thêm" (a phone's menu takes one line). Only links the user can open.
    pub primary: Vec<NavLink>,
    pub more: Vec<NavLink>,
}

pub struct NavLink {
    pub href: &'static str,
    pub label: &'static str,
    /// Matches `Chrome::active` on its own page.
    pub key: &'static str,
}

/// The menu of a user: every page they can open, in the order their work
/// needs them; the first few are shown, the rest go behind "Thêm".
fn menu(u: &NavUser, role: Role, has_unit: bool) -> (Vec<NavLink>, Vec<NavLink>) {
    let link = |href, label, key| NavLink { href, label, key };
    let mut all: Vec<NavLink> = Vec::new();
    let mut add = |cond: bool, l: NavLink| {
        if cond && !all.iter().any(|x| x.href == l.href) {
            all.push(l);
        }
    };
    match role {
        Role::UnitReporter => {
            add(has_unit, link("/don-vi-cua-toi", "Đơn vị của tôi", "unit_home"));
            add(u.can_record_turns, link("/ghi-luot", "Ghi lượt hỗ trợ", "turns"));
            add(u.can_read_records, link("/buoi", "Buổi", "sessions"));
            add(u.can_read_records, link("/danh-sach", "Danh sách", "rosters"));
        }
        Role::Volunteer => {
            add(true, link("/ca-cua-toi", "Ca của tôi", "shifts"));
            add(true, link("/ghi-luot", "Ghi lượt hỗ trợ", "turns"));
        }
        Role::Judge => add(true, link("/cham-thi", "Chấm thi", "judging")),
        Role::Coordinator | Role::Viewer => {
            add(true, link("/theo-doi", "Theo dõi", "board"));
            add(u.can_read_all, link("/bao-cao", "Báo cáo", "report"));
            add(u.is_coordinator, link("/nguoi-dung", "Người dùng", "users"));
            add(u.is_coordinator, link("/don-vi", "Đơn vị", "units"));
        }
    }
    add(role != Role::Judge, link("/theo-doi", "Theo dõi", "board"));
    add(true, link("/ke-hoach", "Kế hoạch", "plan"));
    add(
        u.can_record_turns && role != Role::Coordinator,
        link("/ca-cua-toi", "Ca của tôi", "shifts"),
    );
    add(u.manages_teams, link("/doi-hinh", "Đội hình", "teams"));
    add(u.is_coordinator, link("/tuyen-truyen", "Tuyên truyền", "propaganda"));
    add(u.manages_contests, link("/cuoc-thi", "Cuộc thi", "contests"));
    add(u.is_judge, link("/cham-thi", "Chấm thi", "judging"));
    add(u.can_read_records, link("/buoi", "Buổi", "sessions"));
    add(u.can_read_records, link("/danh-sach", "Danh sách", "rosters"));
    add(
        u.can_record_turns && role == Role::Coordinator,
        link("/ghi-luot", "Ghi lượt hỗ trợ", "turns"),
    );
    add(u.can_read_records, link("/don-vi", "Đơn vị", "units"));
    add(u.is_coordinator, link("/api/docs", "API", "api"));
    let more = all.split_off(all.len().min(4));
    (all, more)
}

/// An unread reminder as the layout shows it.
pub struct ReminderNotice {
    pub id: String,
    pub sent_by_name: String,
    pub sent_at: String,
    pub message: String,
}

/// What the layout needs on every page.
pub struct Chrome {
    pub title: String,
    pub commune: String,
    pub active: &'static str,
    pub csrf: String,
    pub user: Option<NavUser>,
    pub notice: Option<Notice>,
    pub today: String,
    /// Reminders to the user's unit not yet marked read.
    pub reminders: Vec<ReminderNotice>,
    /// The page's path and query, to come back to after "Đã đọc".
    pub path: String,
    /// The member's shifts tomorrow.
    pub shifts_tomorrow: Vec<String>,
}

pub(crate) fn chrome(
    st: &AppState,
    cu: Option<&CurrentUser>,
    title: &str,
    active: &'static str,
    notice: Option<Notice>,
) -> Chrome {
    let p = &st.plan.plan;
    Chrome {
        title: title.to_string(),
        commune: format!("{} {}", p.commune_level, p.commune),
        active,
        csrf: cu.map(|c| c.csrf.clone()).unwrap_or_default(),
        user: cu.map(|c| {
            let mut u = nav_user(c);
            let (primary, more) = menu(&u, c.user.role(), c.user.unit_id.is_some());
            u.primary = primary;
            u.more = more;
            u
        }),
        notice,
        today: today_vn().vn(),
        reminders: cu
            .map(|c| {
                c.unread
                    .iter()
                    .map(|r| ReminderNotice {
                        id: r.id.clone(),
                        sent_by_name: r.sent_by_name.clone(),
                        sent_at: kehoach_core::text::vn_datetime(r.sent_at),
                        message: r.message.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        path: cu.map(|c| c.path.clone()).unwrap_or_default(),
        shifts_tomorrow: cu.map(|c| c.shifts_tomorrow.clone()).unwrap_or_default(),
    }
}

fn nav_user(c: &CurrentUser) -> NavUser {
    NavUser {
        full_name: c.user.full_name.clone(),
        role_label: c.user.role().label(),
        is_coordinator: c.user.role() == Role::Coordinator,
        is_judge: c.user.role() == Role::Judge,
        can_read_records: match c.user.role() {
            Role::Coordinator | Role::Viewer => true,
            Role::UnitReporter => c.user.unit_id.is_some(),
            Role::Judge | Role::Volunteer => false,
        },
        can_read_all: matches!(c.user.role(), Role::Coordinator | Role::Viewer),
        manages_teams: c.manages_teams,
        manages_contests: c.manages_contests,
        can_record_turns: match c.user.role() {
            Role::Coordinator | Role::Volunteer => true,
            Role::UnitReporter => c.user.unit_id.is_some(),
            Role::Judge | Role::Viewer => false,
        },
        primary: Vec::new(),
        more: Vec::new(),
    }
}

pub(crate) fn render<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template error");
            AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", None).into_response()
        }
    }
}

pub(crate) fn error_notice(e: &AppError) -> Option<Notice> {
    Some(Notice {
        kind: "error",
        text: e.message.clone(),
    })
}

#[derive(Deserialize, Default)]
pub struct OkQuery {
    pub ok: Option<String>,
    pub next: Option<String>,
}

pub(crate) fn ok_notice(q: &OkQuery) -> Option<Notice> {
    let text = match q.ok.as_deref()? {
        "unit_created" => "Đã thêm đơn vị.",
        "plan_activated" => "Đã kích hoạt kế hoạch mới: hãy khai báo các thôn, trường và tài khoản trước khi ghi nhận.",
        "shift_taken" => "Đã đăng ký ca.",
        "shift_withdrawn" => "Đã hủy đăng ký ca; chỗ đã được trả lại cho người khác.",
        "shift_assigned" => "Đã phân công đoàn viên vào ca.",
        "shift_cancelled" => "Đã hủy ca.",
        "team_saved" => "Đã lưu đội hình.",
        "teams_launched" => "Đã ghi nhận ra quân.",
        "propaganda_logged" => "Đã ghi nhật ký tuyên truyền.",
        "propaganda_deleted" => "Đã xóa mục khỏi nhật ký tuyên truyền (vẫn lưu kèm lý do).",
        "team_created" => "Đã lập đội hình.",
        "shift_created" => "Đã mở ca.",
        "reminder_sent" => "Đã gửi nhắc nhở.",
        "reminder_read" => "Đã đánh dấu nhắc nhở là đã đọc.",
        "unit_saved" => "Đã lưu đơn vị.",
        "population_saved" => "Đã lưu số liệu dân số khai báo.",
        "class_added" => "Đã thêm lớp.",
        "class_saved" => "Đã cập nhật lớp.",
        "user_created" => "Đã tạo tài khoản.",
        "user_saved" => "Đã lưu người dùng.",
        "invite_revoked" => "Đã thu hồi liên kết mời: liên kết đó không dùng được nữa.",
        "welcome" => "Chào mừng! Tài khoản đã được tạo.",
        "session_saved" => "Đã lưu buổi.",
        "session_deleted" => "Đã xóa buổi.",
        "checked_in" => "Đã điểm danh.",
        "already_checked_in" => "Người này đã được điểm danh ở buổi này (không tính hai lần).",
        "attendance_removed" => "Đã bỏ điểm danh.",
        "photo_added" => "Đã thêm ảnh.",
        "roster_saved" => "Đã lưu danh sách.",
        "person_saved" => "Đã cập nhật người trong danh sách.",
        _ => return None,
    };
    Some(Notice {
        kind: "ok",
        text: text.into(),
    })
}

/// Form fields, repeated keys kept (checkbox lists).
pub(crate) fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// A form field's value; None when absent or empty.
pub(crate) fn field(pairs: &[(String, String)], name: &str) -> Option<String> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty())
}

pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

pub(crate) fn checkbox(v: &Option<String>) -> bool {
    matches!(v.as_deref(), Some("on" | "1" | "true"))
}

// ---------------------------------------------------------------- simple pages

#[derive(Template)]
#[template(path = "plain.html")]
pub(crate) struct PlainPage {
    pub(crate) c: Chrome,
    pub(crate) heading: String,
    pub(crate) text: String,
    /// A refusal's stable code, or empty.
    pub(crate) code: String,
}

pub async fn not_found(State(st): State<AppState>, req: Request) -> Response {
    if req.uri().path().starts_with("/api/") {
        return AppError::not_found().into_response();
    }
    let cu = req.extensions().get::<CurrentUser>().cloned();
    let page = PlainPage {
        c: chrome(&st, cu.as_ref(), "Không tìm thấy", "", None),
        heading: "Không tìm thấy trang".into(),
        text: "Địa chỉ này không có trong kehoach.".into(),
        code: String::new(),
    };
    render(StatusCode::NOT_FOUND, &page)
}

/// A page for an error a layer made (a timeout, a form over its size…).
pub(crate) fn error_page(st: &AppState, cu: Option<&CurrentUser>, status: StatusCode, text: String) -> Response {
    error_page_with_code(st, cu, status, text, "")
}

/// `error_page`, with the refusal's stable code printed small (what a
/// person quotes to whoever supports them).
pub(crate) fn error_page_with_code(
    st: &AppState,
    cu: Option<&CurrentUser>,
    status: StatusCode,
    text: String,
    code: &str,
) -> Response {
    let heading = if status.is_server_error() {
        "Lỗi hệ thống"
    } else {
        "Không thực hiện được"
    };
    let page = PlainPage {
        c: chrome(st, cu, heading, "", None),
        heading: heading.into(),
        text,
        code: code.to_string(),
    };
    render(status, &page)
}

pub(crate) fn forbidden_page(st: &AppState, cu: &CurrentUser) -> Response {
    let page = PlainPage {
        c: chrome(st, Some(cu), "Không có quyền", "", None),
        heading: "Không có quyền".into(),
        text: crate::errors::message_vn("forbidden").into(),
        code: String::new(),
    };
    render(StatusCode::FORBIDDEN, &page)
}

/// `/`: coordinators and leaders land on the board, others on the plan.
/// Each person lands where their work is: the coordinator and leaders on
/// the board, a unit's reporter on their unit, a volunteer on their
/// shifts, a judge on the contests to judge.
pub async fn home(req: Request) -> Response {
    match req.extensions().get::<CurrentUser>() {
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

// ---------------------------------------------------------------- login, invites

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
    next.and_then(crate::auth::local_path).unwrap_or("/").to_string()
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
    let client = crate::auth::client_key(&st.trusted_proxies, req.headers(), req.extensions());
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
    let inv = st.store.invite(token, now_unix()).await.ok().flatten();
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
    let now = now_unix();
    match st
        .store
        .accept_invite(&token, &f.username, &f.full_name, &f.password, now)
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

// ---------------------------------------------------------------- plan overview

pub struct LineView {
    id: String,
    number: String,
    title: String,
    is_sub: bool,
    time_text: Option<String>,
    window: String,
    lead: String,
    partners: String,
    location: Option<String>,
    milestones: Vec<(String, String)>,
    content: Vec<String>,
    forms: Vec<String>,
    services: Vec<String>,
    venues: Vec<String>,
    requirements: Vec<String>,
    line_targets: Vec<String>,
    targets: Vec<String>,
}

pub struct TargetView {
    id: String,
    label: String,
    text: String,
    rule: String,
    how: String,
}

pub struct DutyView {
    number: String,
    heading: String,
    request_only: bool,
    items: Vec<String>,
}

pub struct PlanView {
    issuer: String,
    number: Option<String>,
    short_title: String,
    title: String,
    theme: Option<String>,
    period: String,
    implements: Vec<String>,
    preamble: Option<String>,
    purposes: Vec<String>,
    requirements: Vec<String>,
    target_groups: Vec<String>,
    signer: String,
    timeline_svg: String,
    lines: Vec<LineView>,
    targets: Vec<TargetView>,
    budget: Vec<String>,
    duties: Vec<DutyView>,
    recipients: Vec<String>,
}

fn refs(plan: &Plan, r: &[String]) -> String {
    r.iter().map(|x| plan.unit_ref_label(x)).collect::<Vec<_>>().join(", ")
}

pub(crate) fn how(plan: &Plan, t: &kehoach_core::TargetDef) -> String {
    let records: Vec<&str> = t
        .records
        .iter()
        .map(|r| match r {
            RecordKind::Session => "buổi đã tổ chức",
            RecordKind::Attendance => "lượt tham dự của người trong danh sách",
            RecordKind::SupportTurn => "lượt hỗ trợ người dân",
            RecordKind::ContestEntry => "bài dự thi",
        })
        .collect();
    let lines: Vec<String> = t
        .lines
        .iter()
        .filter_map(|l| plan.line(l))
        .map(|l| format!("hoạt động {}", l.number))
        .collect();
    let mut s = format!("{}: đếm {}", t.measure.label(), records.join(" hoặc "));
    if !lines.is_empty() {
        s.push_str(&format!(" của {}", lines.join(", ")));
    }
    if !t.session_kinds.is_empty() {
        let k: Vec<_> = t.session_kinds.iter().map(|k| k.label()).collect();
        s.push_str(&format!(" (loại buổi: {})", k.join(", ")));
    }
    match t.measure {
        Measure::RosterCoverage => s.push_str("; mỗi người tính một lần; mẫu số là danh sách hoặc số khai báo"),
        Measure::MinPerUnit => s.push_str("; đạt khi mọi đơn vị đều đạt"),
        Measure::RatePerUnitPeriod => s.push_str("; tỷ lệ ô lớp × tuần có buổi"),
        Measure::UnitCoverage | Measure::Count => {}
    }
    s
}

fn plan_view(plan: &Plan) -> PlanView {
    let h = &plan.plan;
    let lines = plan
        .lines
        .iter()
        .map(|l| LineView {
            id: l.id.clone(),
            number: l.number.clone(),
            title: l.title.clone(),
            is_sub: l.parent.is_some(),
            time_text: l.time_text.clone(),
            window: l.window.vn(),
            lead: if l.lead.is_empty() {
                String::new()
            } else {
                refs(plan, &l.lead)
            },
            partners: refs(plan, &l.partners),
            location: l.location_text.clone(),
            milestones: l.milestones.iter().map(|m| (m.name.clone(), m.window.vn())).collect(),
            content: l.content.clone(),
            forms: l.forms.iter().map(|f| f.label.clone()).collect(),
            services: l.services.iter().map(|f| f.label.clone()).collect(),
            venues: l.venues.iter().map(|v| plan.unit_ref_label(v)).collect(),
            requirements: l.requirements.clone(),
            line_targets: l.line_targets.clone(),
            targets: plan
                .targets
                .iter()
                .filter(|t| t.lines.contains(&l.id))
                .map(|t| t.id.clone())
                .collect(),
        })
        .collect();
    PlanView {
        issuer: h.issuer.clone(),
        number: h.number.clone(),
        short_title: h.short_title.clone(),
        title: h.title.clone(),
        theme: h.theme.clone(),
        period: h.period.vn(),
        implements: h
            .implements
            .iter()
            .map(|r| {
                format!(
                    "{} số {} ngày {} của {} về {}",
                    r.doc_type,
                    r.number,
                    r.date.vn(),
                    r.issuer,
                    r.subject
                )
            })
            .collect(),
        preamble: h.preamble.clone(),
        purposes: h.purposes.clone(),
        requirements: h.requirements.clone(),
        target_groups: h.target_groups.clone(),
        signer: {
            let s = &plan.signer;
            [
                Some(s.on_behalf.clone()),
                s.deputy_for.clone(),
                Some(s.position.clone()),
                Some(s.name.clone()),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · ")
        },
        timeline_svg: kehoach_core::timeline::timeline_svg(plan, Some(today_vn())),
        lines,
        targets: plan
            .targets
            .iter()
            .map(|t| TargetView {
                id: t.id.clone(),
                label: t.label.clone(),
                text: t.text.clone(),
                rule: target_rule(plan, t),
                how: how(plan, t),
            })
            .collect(),
        budget: plan.budget_sources.iter().map(|b| b.text.clone()).collect(),
        duties: plan
            .duties
            .iter()
            .map(|d| DutyView {
                number: d.number.clone(),
                heading: d.heading.clone(),
                request_only: d.request_only,
                items: d.items.clone(),
            })
            .collect(),
        recipients: plan.recipients.clone(),
    }
}

#[derive(Template)]
#[template(path = "plan.html")]
struct PlanPage {
    c: Chrome,
    v: PlanView,
}

pub async fn plan_page(State(st): State<AppState>, PageUser(cu): PageUser, Query(q): Query<OkQuery>) -> Response {
    let page = PlanPage {
        c: chrome(&st, Some(&cu), &st.plan.plan.short_title, "plan", ok_notice(&q)),
        v: plan_view(&st.plan),
    };
    render(StatusCode::OK, &page)
}

// ---------------------------------------------------------------- units

pub struct PopView {
    key: &'static str,
    label: &'static str,
    value: String,
}

pub struct ClassView {
    id: String,
    name: String,
    pupils: Option<i64>,
    active: bool,
}

pub struct UnitView {
    id: String,
    name: String,
    short_name: String,
    is_school: bool,
    smart: bool,
    sample: bool,
    active: bool,
    pops: Vec<PopView>,
    pop_inputs: Vec<PopView>,
    classes: Vec<ClassView>,
    can_edit_data: bool,
}

pub struct GroupView {
    kind: &'static str,
    label: &'static str,
    units: Vec<UnitView>,
}

pub struct UnitsView {
    can_manage: bool,
    kinds: Vec<(&'static str, &'static str)>,
    groups: Vec<GroupView>,
    /// A first run: the commune has not entered its villages yet.
    no_villages: bool,
}

#[derive(Template)]
#[template(path = "units.html")]
struct UnitsPage {
    c: Chrome,
    v: UnitsView,
}

async fn units_response(st: &AppState, cu: &CurrentUser, notice: Option<Notice>, status: StatusCode) -> Response {
    let load = async {
        Ok::<_, AppError>((
            st.store.list_units(&st.plan_id).await?,
            st.store.populations(&st.plan_id).await?,
            st.store.list_classes(&st.plan_id).await?,
        ))
    };
    let (units, pops, classes) = match load.await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let order = [
        UnitKind::Village,
        UnitKind::School,
        UnitKind::Agency,
        UnitKind::YouthUnion,
        UnitKind::MassOrganisation,
        UnitKind::Police,
        UnitKind::Cooperative,
        UnitKind::DigitalTeam,
        UnitKind::Project06Team,
        UnitKind::Community,
        UnitKind::Commune,
    ];
    let groups: Vec<GroupView> = order
        .iter()
        .map(|k| GroupView {
            kind: k.as_str(),
            label: k.group_label(),
            units: units
                .iter()
                .filter(|u| u.kind == k.as_str())
                .map(|u| {
                    let value_of = |key: &str| {
                        pops.iter()
                            .find(|p| p.unit_id == u.id && p.population == key)
                            .map(|p| p.value)
                    };
                    UnitView {
                        id: u.id.clone(),
                        name: u.name.clone(),
                        short_name: u.short_name.clone().unwrap_or_default(),
                        is_school: *k == UnitKind::School,
                        smart: u.has_smart_classroom != 0,
                        sample: u.sample != 0,
                        active: u.active != 0,
                        pops: POPULATIONS
                            .iter()
                            .filter_map(|(key, label)| {
                                value_of(key).map(|v| PopView {
                                    key,
                                    label,
                                    value: vn_int(v),
                                })
                            })
                            .collect(),
                        pop_inputs: POPULATIONS
                            .iter()
                            .map(|(key, label)| PopView {
                                key,
                                label,
                                value: value_of(key).map(|v| v.to_string()).unwrap_or_default(),
                            })
                            .collect(),
                        classes: classes
                            .iter()
                            .filter(|c| c.unit_id == u.id)
                            .map(|c| ClassView {
                                id: c.id.clone(),
                                name: c.name.clone(),
                                pupils: c.pupils,
                                active: c.active != 0,
                            })
                            .collect(),
                        can_edit_data: allowed(&cu.user, Action::EditUnitData { unit_id: &u.id }),
                    }
                })
                .collect(),
        })
        .filter(|g| !g.units.is_empty())
        .collect();
    let v = UnitsView {
        no_villages: !groups.iter().any(|g: &GroupView| g.kind == "village"),
        can_manage: allowed(&cu.user, Action::ManageUnits),
        kinds: UnitKind::ALL
            .iter()
            .filter(|k| **k != UnitKind::Commune)
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        groups,
    };
    render(
        status,
        &UnitsPage {
            c: chrome(st, Some(cu), "Đơn vị", "units", notice),
            v,
        },
    )
}

pub async fn units_page(State(st): State<AppState>, PageUser(cu): PageUser, Query(q): Query<OkQuery>) -> Response {
    units_response(&st, &cu, ok_notice(&q), StatusCode::OK).await
}

/// After a units form: back to the page on success, the page with the reason otherwise.
async fn units_after<T>(st: &AppState, cu: &CurrentUser, r: Result<T, AppError>, ok: &str, anchor: &str) -> Response {
    match r {
        Ok(_) => see_other(&format!("/don-vi?ok={ok}{anchor}")),
        Err(e) if e.code == "forbidden" => forbidden_page(st, cu),
        Err(e) => units_response(st, cu, error_notice(&e), e.status).await,
    }
}

#[derive(Deserialize)]
pub struct UnitForm {
    name: String,
    #[serde(default)]
    short_name: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    has_smart_classroom: Option<String>,
    #[serde(default)]
    active: Option<String>,
}

pub async fn unit_create(State(st): State<AppState>, PageUser(cu): PageUser, Form(f): Form<UnitForm>) -> Response {
    let b = NewUnitBody {
        name: f.name,
        short_name: f.short_name,
        kind: f.kind.unwrap_or_default(),
        has_smart_classroom: checkbox(&f.has_smart_classroom),
    };
    let r = service::create_unit(&st, &cu, b).await;
    let anchor = r.as_ref().map(|u| format!("#unit-{}", u.id)).unwrap_or_default();
    units_after(&st, &cu, r, "unit_created", &anchor).await
}

#[derive(Deserialize)]
pub struct UnitListForm {
    names: String,
    #[serde(default)]
    kind: Option<String>,
}

/// `POST /don-vi/nhieu`: a list pasted from anywhere, one unit a line
/// (numbers and bullets in front are dropped): what a new commune does
/// first with its villages or schools.
pub async fn unit_create_many(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Form(f): Form<UnitListForm>,
) -> Response {
    let kind = f.kind.unwrap_or_else(|| "village".into());
    let mut made = 0;
    let mut refused = Vec::new();
    for (i, line) in f.names.lines().enumerate().take(500) {
        let name = line
            .trim()
            .trim_start_matches(|c: char| c.is_ascii_digit() || matches!(c, '.' | ')' | '-' | '•' | '*' | '+' | '–'))
            .trim();
        if name.is_empty() {
            continue;
        }
        let b = NewUnitBody {
            name: name.to_string(),
            short_name: None,
            kind: kind.clone(),
            has_smart_classroom: false,
        };
        match service::create_unit(&st, &cu, b).await {
            Ok(_) => made += 1,
            Err(e) if e.code == "forbidden" => return forbidden_page(&st, &cu),
            Err(e) => refused.push(format!("dòng {} “{name}”: {}", i + 1, e.message)),
        }
    }
    let text = if refused.is_empty() {
        format!("Đã thêm {made} đơn vị.")
    } else {
        format!("Đã thêm {made} đơn vị; chưa thêm: {}", refused.join("; "))
    };
    let kind_notice = if refused.is_empty() { "ok" } else { "error" };
    units_response(
        &st,
        &cu,
        Some(Notice {
            kind: kind_notice,
            text,
        }),
        if !refused.is_empty() {
            StatusCode::UNPROCESSABLE_ENTITY
        } else if made > 0 {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        },
    )
    .await
}

pub async fn unit_update(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    Form(f): Form<UnitForm>,
) -> Response {
    let is_school = st
        .store
        .unit(&st.plan_id, &id)
        .await
        .map(|u| u.kind == "school")
        .unwrap_or(false);
    let b = UnitPatchBody {
        name: Some(f.name),
        short_name: Some(f.short_name.unwrap_or_default()),
        has_smart_classroom: is_school.then(|| checkbox(&f.has_smart_classroom)),
        active: Some(checkbox(&f.active)),
    };
    let r = service::update_unit(&st, &cu, &id, b).await;
    units_after(&st, &cu, r, "unit_saved", &format!("#unit-{id}")).await
}

/// Parses a count typed with or without Vietnamese thousands dots.
pub(crate) fn parse_count(s: &str) -> Result<Option<i64>, AppError> {
    let t: String = s.trim().chars().filter(|c| *c != '.' && *c != ' ').collect();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<i64>()
        .map(Some)
        .map_err(|_| AppError::invalid("number_invalid", "value"))
}

pub async fn unit_population(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    Form(f): Form<std::collections::HashMap<String, String>>,
) -> Response {
    let r = async {
        // Check every figure before writing any, so a bad one changes nothing.
        let mut values = Vec::new();
        for (key, _) in POPULATIONS {
            if let Some(raw) = f.get(key) {
                values.push((key, parse_count(raw)?));
            }
        }
        for (key, v) in values {
            service::set_population(&st, &cu, &id, key, v).await?;
        }
        Ok::<_, AppError>(())
    }
    .await;
    units_after(&st, &cu, r, "population_saved", &format!("#unit-{id}")).await
}

#[derive(Deserialize)]
pub struct ClassForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    pupils: Option<String>,
    #[serde(default)]
    active: Option<String>,
}

pub async fn class_add(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    Form(f): Form<ClassForm>,
) -> Response {
    let r = async {
        let pupils = parse_count(f.pupils.as_deref().unwrap_or(""))?;
        service::add_class(&st, &cu, &id, NewClassBody { name: f.name, pupils }).await
    }
    .await;
    units_after(&st, &cu, r, "class_added", &format!("#unit-{id}")).await
}

pub async fn class_update(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    Form(f): Form<ClassForm>,
) -> Response {
    let r = service::set_class_active(&st, &cu, &id, checkbox(&f.active)).await;
    let anchor = r.as_ref().map(|c| format!("#unit-{}", c.unit_id)).unwrap_or_default();
    units_after(&st, &cu, r, "class_saved", &anchor).await
}

// ---------------------------------------------------------------- users

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
                let now = kehoach_store::now_unix();
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
    match r {
        Ok(_) => see_other(&format!("/nguoi-dung?ok={ok}")),
        Err(e) if e.code == "forbidden" => forbidden_page(st, cu),
        Err(e) => users_response(st, cu, error_notice(&e), e.status, None).await,
    }
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
    let r = service::create_user(&st, &cu, b).await;
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
    let r = service::update_user(&st, &cu, &id, b).await;
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
    match service::create_invite(&st, &cu, body).await {
        Ok(url) => invite_made(&st, &cu, url, &asked, "Đã tạo liên kết mời.").await,
        Err(e) if e.code == "forbidden" => forbidden_page(&st, &cu),
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
        crate::today_vn().plus(service::INVITE_TTL_SECS / 86_400).vn(),
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
    let r = service::revoke_invite(&st, &cu, &id).await;
    users_after(&st, &cu, r, "invite_revoked").await
}

/// `POST /nguoi-dung/loi-moi/{id}/cap-lai`: a new link in place of an unused one.
pub async fn invite_reissue(State(st): State<AppState>, PageUser(cu): PageUser, Path(id): Path<String>) -> Response {
    match service::reissue_invite(&st, &cu, &id).await {
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
        Err(e) if e.code == "forbidden" => forbidden_page(&st, &cu),
        Err(e) => users_response(&st, &cu, error_notice(&e), e.status, None).await,
    }
}

// ---------------------------------------------------------------- support turns (phone)

pub struct TurnsView {
    line_label: String,
    villages: Vec<(String, String)>,
    services: Vec<(String, String)>,
    min_day: String,
    max_day: String,
    default_day: String,
}

#[derive(Template)]
#[template(path = "turns.html")]
struct TurnsPage {
    c: Chrome,
    v: TurnsView,
}

pub async fn turns_page(State(st): State<AppState>, PageUser(cu): PageUser) -> Response {
    let Some(line) = kehoach_core::records::default_turn_line(&st.plan) else {
        return not_found_page(&st, &cu);
    };
    let role = cu.user.role();
    if !matches!(role, Role::Coordinator | Role::Volunteer | Role::UnitReporter) {
        return forbidden_page(&st, &cu);
    }
    let units = match st.store.list_units(&st.plan_id).await {
        Ok(u) => u,
        Err(e) => return AppError::from(e).into_response(),
    };
    let villages: Vec<(String, String)> = units
        .iter()
        .filter(|u| u.kind == "village" && u.active != 0)
        .filter(|u| allowed(&cu.user, Action::RecordTurn { unit_id: &u.id }))
        .map(|u| (u.id.clone(), u.name.clone()))
        .collect();
    let today = today_vn();
    let max = line.window.end.min(today).max(line.window.start);
    let default = today.max(line.window.start).min(max);
    let v = TurnsView {
        line_label: format!("Hoạt động {}: {}", line.number, line.title.trim_end_matches('.')),
        villages,
        services: line.services.iter().map(|s| (s.id.clone(), s.label.clone())).collect(),
        min_day: line.window.start.iso(),
        max_day: max.iso(),
        default_day: default.iso(),
    };
    render(
        StatusCode::OK,
        &TurnsPage {
            c: chrome(&st, Some(&cu), "Ghi lượt hỗ trợ", "turns", None),
            v,
        },
    )
}

fn not_found_page(st: &AppState, cu: &CurrentUser) -> Response {
    let page = PlainPage {
        c: chrome(st, Some(cu), "Không tìm thấy", "", None),
        heading: "Không tìm thấy trang".into(),
        text: "Kế hoạch không có hoạt động hỗ trợ người dân.".into(),
        code: String::new(),
    };
    render(StatusCode::NOT_FOUND, &page)
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
    let r = service::link_person(&st, &cu, &id, crate::service::PersonLinkBody { person_id }).await;
    users_after(&st, &cu, r, "user_saved").await
}
