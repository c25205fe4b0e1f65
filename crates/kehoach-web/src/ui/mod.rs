//! Vietnamese pages: login, invites, the plan overview, units and users.
//!
//! A form posts to its own route, which calls the same `service` function as
//! the API. Success redirects (303) back with a notice; a refusal re-renders
//! the page with the Vietnamese reason (field and why), status 422/403/409.

pub mod assets;
pub mod shape;

use askama::Template;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use kehoach_core::ErrorCode;
use kehoach_store::Role;
use serde::Deserialize;

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::errors::AppError;
use crate::http::policy::{Action, allowed};

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
fn menu(u: &NavUser, role: Role, has_unit: bool, city: bool) -> (Vec<NavLink>, Vec<NavLink>) {
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
        // A city's readers follow its communes; the city has no villages
        // or records of its own (its plan's targets over communes are to come).
        Role::Coordinator | Role::Viewer if city => {
            add(u.can_read_all, link("/thanh-pho", "Theo dõi các xã", "city_board"));
            add(u.can_read_all, link("/thanh-pho/xa", "Các xã", "city_communes"));
            add(true, link("/ke-hoach", "Kế hoạch", "plan"));
            add(u.is_coordinator, link("/nguoi-dung", "Người dùng", "users"));
            let more = all.split_off(all.len().min(4));
            return (all, more);
        }
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

/// Which plan a recording page's records go to, with the commune's other
/// running plans to switch to (shown only when there are several).
pub struct PlanSwitch {
    pub current: String,
    pub others: Vec<(String, String)>,
    /// The page to come back to after switching.
    pub next: String,
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
    /// The plan worked in, when it is closed (read-only): its short title.
    pub closed_plan: Option<String>,
    /// On recording pages of a commune with several running plans: which
    /// plan the records go to, and the others to switch to.
    pub plan_switch: Option<PlanSwitch>,
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
            let mut u = nav_user(st, c);
            let (primary, more) = menu(&u, c.user.role(), c.user.unit_id.is_some(), st.commune.is_city());
            u.primary = primary;
            u.more = more;
            u
        }),
        notice,
        today: st.clock.today().vn(),
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
        closed_plan: st.plan_is_closed().then(|| p.short_title.clone()),
        plan_switch: None,
    }
}

/// What the menu may show, each flag asked of the policy (the one place
/// that says who may do what).
fn nav_user(st: &AppState, c: &CurrentUser) -> NavUser {
    let u = &c.user;
    let youth_unit = c.in_youth_union();
    let lead_unit = kehoach_core::contest::contest_lines(&st.plan).any(|l| c.unit_leads(&l.lead));
    NavUser {
        full_name: u.full_name.clone(),
        role_label: u.role().label(),
        is_coordinator: allowed(u, Action::ManageUsers),
        is_judge: allowed(u, Action::ScoreEntry { assigned: true }),
        can_read_records: allowed(
            u,
            Action::ReadUnitRecords {
                unit_id: u.unit_id.as_deref(),
            },
        ),
        can_read_all: allowed(u, Action::ReadUnitRecords { unit_id: None }),
        manages_teams: allowed(u, Action::ManageTeams { youth_unit }),
        manages_contests: allowed(u, Action::ManageContest { lead_unit }),
        can_record_turns: allowed(
            u,
            Action::RecordTurn {
                unit_id: u.unit_id.as_deref().unwrap_or(""),
            },
        ),
        primary: Vec::new(),
        more: Vec::new(),
    }
}

pub(crate) fn render<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template error");
            AppError::new(ErrorCode::Internal, None).into_response()
        }
    }
}

/// How long a page of figures lets the replica replay what was just
/// written before it says the replica lags.
const REPLICA_GRACE: std::time::Duration = std::time::Duration::from_millis(300);

/// Where figures are read from a replica that has not yet replayed the
/// last writes (`serve --read-database-url`): a page of figures says so,
/// with the delay, unless it already has something to say.
pub(crate) async fn replica_notice(st: &AppState, notice: Option<Notice>) -> Option<Notice> {
    if notice.is_some() {
        return notice;
    }
    let lag = st.store.lag_after(REPLICA_GRACE).await.ok().flatten()?;
    let delay = if lag.seconds < 1.0 {
        "chưa đến 1 giây".to_string()
    } else {
        format!("khoảng {} giây", kehoach_core::text::vn_int(lag.seconds.ceil() as i64))
    };
    Some(Notice {
        kind: "warn",
        text: format!(
            "Số liệu được đọc từ máy chủ bản sao, đang chậm {delay} so với máy chủ chính: những bản ghi vừa nhập có thể chưa được tính. Tải lại trang sau ít giây."
        ),
    })
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
        "plan_added" => "Đã thêm kế hoạch mới của xã; bạn đang làm việc với kế hoạch này (đổi ở trang Các kế hoạch).",
        "plan_chosen" => "Bạn đang làm việc với kế hoạch này.",
        "plan_closed" => {
            "Đã đóng kế hoạch: số liệu của kế hoạch không còn thay đổi được; bảng theo dõi và báo cáo vẫn xem, tải được."
        }
        "plan_opened" => "Đã mở lại kế hoạch.",
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

pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

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

/// What a form post answers, the one way every form does: done, back to
/// `done` (303, with its `ok` notice key in the URL); refused by the
/// policy, the forbidden page; refused for its input, the form's page
/// again (`again`, given the reason and the status) with the reason beside
/// the fields and nothing written.
pub(crate) async fn form_outcome<T, Fut>(
    st: &AppState,
    cu: &CurrentUser,
    r: Result<T, AppError>,
    done: impl FnOnce(T) -> String,
    again: impl FnOnce(Option<Notice>, StatusCode) -> Fut,
) -> Response
where
    Fut: std::future::Future<Output = Response>,
{
    match r {
        Ok(v) => see_other(&done(v)),
        Err(e) if e.code == ErrorCode::Forbidden => forbidden_page(st, cu),
        Err(e) => again(error_notice(&e), e.status).await,
    }
}

pub(crate) fn forbidden_page(st: &AppState, cu: &CurrentUser) -> Response {
    let page = PlainPage {
        c: chrome(st, Some(cu), "Không có quyền", "", None),
        heading: "Không có quyền".into(),
        text: ErrorCode::Forbidden.message_vn().into(),
        code: String::new(),
    };
    render(StatusCode::FORBIDDEN, &page)
}

pub(crate) fn not_found_page(st: &AppState, cu: &CurrentUser) -> Response {
    let page = PlainPage {
        c: chrome(st, Some(cu), "Không tìm thấy", "", None),
        heading: "Không tìm thấy trang".into(),
        text: "Kế hoạch không có hoạt động hỗ trợ người dân.".into(),
        code: String::new(),
    };
    render(StatusCode::NOT_FOUND, &page)
}
