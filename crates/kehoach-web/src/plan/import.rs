//! Reading another plan (`/ke-hoach/nhap`, coordinators): paste the text of
//! a kế hoạch or upload its .txt/.docx, see the draft beside the source —
//! each activity, target and duty linked to its lines, the fields the text
//! did not give marked — and the draft plan file, which the coordinator
//! corrects and checks with the plan validator, then downloads for
//! `kehoach serve --plan` or activates: it replaces the plan in use while
//! nothing is recorded, and the running server serves it at once.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kehoach_core::ErrorCode;
use kehoach_core::read::draft;
use kehoach_core::read::parse::{self, Draft, Lines};

use crate::AppState;
use crate::http::auth::{CurrentUser, PageUser};
use crate::http::policy::{Action, allowed};
use crate::ui::{Chrome, Notice, chrome, forbidden_page, render};

/// Largest plan file read.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

fn may(cu: &CurrentUser) -> bool {
    allowed(&cu.user, Action::ImportPlan)
}

pub struct FieldView {
    pub label: String,
    pub value: String,
    /// "dòng 12–20", with the anchor of the first line.
    pub lines: Option<(String, usize)>,
    pub missing: bool,
}

#[derive(Template)]
#[template(path = "plan_import.html")]
struct ImportPage {
    c: Chrome,
    source: Vec<(usize, String)>,
    fields: Vec<FieldView>,
    toml: String,
    problems: Vec<String>,
    checked: bool,
}

fn lines_ref(l: Lines) -> Option<(String, usize)> {
    (l.from > 0).then(|| {
        if l.to > l.from {
            (format!("dòng {}–{}", l.from, l.to), l.from)
        } else {
            (format!("dòng {}", l.from), l.from)
        }
    })
}

fn field(label: &str, value: Option<String>, lines: Lines) -> FieldView {
    FieldView {
        label: label.to_string(),
        missing: value.as_ref().is_none_or(|v| v.is_empty()),
        value: value.unwrap_or_else(|| "— văn bản không nêu —".into()),
        lines: lines_ref(lines),
    }
}

fn vn(d: &Option<String>) -> Option<String> {
    d.as_deref().and_then(kehoach_core::Day::parse_iso).map(|d| d.vn())
}

/// Every field of the draft, in reading order.
fn fields(d: &Draft) -> Vec<FieldView> {
    let none = Lines::default();
    let mut out = vec![
        field("Tên kế hoạch", d.title.clone(), none),
        field("Cơ quan ban hành", d.issuer.clone(), none),
        field(
            "Thời gian",
            match (vn(&d.period.from), vn(&d.period.to)) {
                (Some(a), Some(b)) => Some(format!("{a} – {b}")),
                _ => None,
            },
            none,
        ),
    ];
    for a in &d.activities {
        let when = match (vn(&a.from), vn(&a.to)) {
            (Some(x), Some(y)) if x == y => x,
            (Some(x), Some(y)) => format!("{x} – {y}"),
            (None, Some(y)) => format!("trước hoặc trong ngày {y}"),
            _ => "— không rõ thời gian —".into(),
        };
        let lead = a.lead.clone().unwrap_or_else(|| "— chưa rõ đơn vị chủ trì —".into());
        out.push(FieldView {
            label: format!("Hoạt động {}", a.number),
            value: format!(
                "{} · {when} · chủ trì: {lead}{}{}",
                a.name,
                if a.partners.is_empty() {
                    String::new()
                } else {
                    format!(" · phối hợp: {}", a.partners.join("; "))
                },
                if a.items.is_empty() {
                    String::new()
                } else {
                    format!(" · {} nội dung", a.items.len())
                }
            ),
            lines: lines_ref(a.lines),
            missing: a.lead.is_none() || a.to.is_none(),
        });
    }
    for t in &d.targets {
        let how = match (t.kind, t.threshold, t.comparator) {
            (Some(k), Some(v), Some(c)) => format!(
                "{} {}{} · {}",
                if c == ">" { "trên" } else { "ít nhất" },
                kehoach_core::text::vn_num(v, 1),
                if k == "coverage_percent" { " %" } else { "" },
                match k {
                    "coverage_percent" => "tỷ lệ",
                    "count" => "số lượng",
                    "min_per_unit" => "tối thiểu mỗi đơn vị",
                    _ => "theo kỳ",
                }
            ),
            _ => "— không đọc được ngưỡng —".into(),
        };
        out.push(FieldView {
            label: "Chỉ tiêu".into(),
            value: format!(
                "{} ({how}; đối tượng: {})",
                t.text,
                t.unit_or_population.clone().unwrap_or_else(|| "?".into())
            ),
            lines: lines_ref(t.lines),
            missing: t.kind.is_none() || t.unit_or_population.is_none(),
        });
    }
    for b in &d.budget_sources {
        out.push(field("Nguồn kinh phí", Some(b.clone()), none));
    }
    for r in &d.responsibilities {
        out.push(FieldView {
            label: "Nhiệm vụ".into(),
            value: format!("{}: {} nhiệm vụ", r.unit, r.duties.len()),
            lines: lines_ref(r.lines),
            missing: r.duties.is_empty(),
        });
    }
    out
}

/// What the plan file adds to the draft: its units, and the sample villages
/// that stand in when the text names none (to be renamed after activation).
fn plan_fields(plan: &kehoach_core::Plan) -> Vec<FieldView> {
    let named: Vec<&str> = plan
        .units
        .iter()
        .filter(|u| !u.sample)
        .map(|u| u.display_name())
        .collect();
    let mut out = vec![FieldView {
        label: "Đơn vị".into(),
        value: format!("{} đơn vị: {}", named.len(), named.join("; ")),
        lines: None,
        missing: named.is_empty(),
    }];
    // How the board will count each target: the importer's reading, to check.
    for t in &plan.targets {
        out.push(FieldView {
            label: format!("Đo chỉ tiêu {}", t.id),
            value: format!(
                "{}: {} — {}",
                t.label,
                kehoach_core::plan::show::target_rule(plan, t),
                crate::plan::how(plan, t)
            ),
            lines: None,
            missing: t.lines.is_empty(),
        });
    }
    let samples = plan.units.iter().filter(|u| u.sample).count();
    if samples > 0 {
        out.push(FieldView {
            label: "Thôn, tổ dân phố".into(),
            value: format!(
                "Kế hoạch không nêu tên: {samples} đơn vị mẫu (dữ liệu mẫu) thay tạm; sau khi kích hoạt, đổi tên và thêm các thôn thật ở trang Đơn vị."
            ),
            lines: None,
            missing: true,
        });
    }
    out
}

/// Plan-validator problems of a plan file, as lines of text.
fn problems(toml: &str) -> Vec<String> {
    match kehoach_core::parse_plan(toml) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.iter().map(|e| e.to_string()).collect(),
    }
}

fn page(
    st: &AppState,
    cu: &CurrentUser,
    source: &str,
    toml: String,
    fields: Vec<FieldView>,
    notice: Option<Notice>,
    checked: bool,
) -> Response {
    let p = ImportPage {
        c: chrome(st, Some(cu), "Đọc kế hoạch từ văn bản", "plan", notice),
        source: source
            .lines()
            .enumerate()
            .map(|(i, l)| (i + 1, l.to_string()))
            .collect(),
        fields,
        problems: if checked || !toml.is_empty() {
            problems(&toml)
        } else {
            Vec::new()
        },
        toml,
        checked,
    };
    render(StatusCode::OK, &p)
}

pub async fn form(State(st): State<AppState>, PageUser(cu): PageUser) -> Response {
    if !may(&cu) {
        return forbidden_page(&st, &cu);
    }
    page(&st, &cu, "", String::new(), Vec::new(), None, false)
}

fn error_page(st: &AppState, cu: &CurrentUser, message: String) -> Response {
    let notice = Notice {
        kind: "error",
        text: message,
    };
    let mut r = page(st, cu, "", String::new(), Vec::new(), Some(notice), false);
    *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    r
}

/// The pasted text or the uploaded file, read into a draft and shown.
pub async fn read(State(st): State<AppState>, PageUser(cu): PageUser, mut mp: Multipart) -> Response {
    if !may(&cu) {
        return forbidden_page(&st, &cu);
    }
    let mut pasted = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match mp.next_field().await {
            Ok(Some(f)) => {
                let name = f.name().unwrap_or_default().to_string();
                let file_name = f.file_name().map(str::to_string);
                let Ok(data) = f.bytes().await else {
                    return error_page(&st, &cu, "Tệp: quá lớn (tối đa 2 MB).".into());
                };
                match name.as_str() {
                    "text" => pasted = String::from_utf8_lossy(&data).to_string(),
                    "file" if !data.is_empty() => file = Some((file_name.unwrap_or_default(), data.to_vec())),
                    _ => {}
                }
            }
            Ok(None) => break,
            Err(_) => return error_page(&st, &cu, "Tệp: quá lớn (tối đa 2 MB).".into()),
        }
    }
    let file_name = file.as_ref().map(|(name, _)| name.clone());
    let text = match file {
        Some((name, bytes)) if name.to_lowercase().ends_with(".docx") => {
            let read = crate::http::heavy::run(&st.gates.parse, move |cancel| {
                kehoach_report::docx_read::text_with(&bytes, cancel)
            })
            .await;
            match read {
                Ok(Ok(t)) => t,
                Ok(Err(kehoach_report::ReportError::Upload(e)))
                    if e != kehoach_report::upload::UploadError::Damaged =>
                {
                    return error_page(&st, &cu, e.message_vn());
                }
                Ok(Err(_)) => return error_page(&st, &cu, "Tệp Word: hỏng hoặc không đọc được.".into()),
                Err(e) => return error_page(&st, &cu, e.message),
            }
        }
        Some((_, bytes)) => match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(_) => {
                return error_page(
                    &st,
                    &cu,
                    "Tệp: không phải văn bản UTF-8 (.txt) hay Word (.docx).".into(),
                );
            }
        },
        None => pasted,
    };
    let draft = match parse::parse(&text) {
        Ok(d) => d,
        Err(e) => {
            let mut m = e.to_string();
            if let Some(first) = m.get(..1) {
                m = first.to_uppercase() + &m[1..];
            }
            return error_page(&st, &cu, format!("{m}."));
        }
    };
    let plan = draft::to_plan(&draft, &text, file_name.as_deref());
    let toml = draft::to_toml(&plan).unwrap_or_default();
    let mut shown = fields(&draft);
    shown.extend(plan_fields(&plan));
    page(&st, &cu, &text, toml, shown, None, false)
}

/// Checks an edited plan file; with `tai=1`, downloads it when valid.
pub async fn check(State(st): State<AppState>, PageUser(cu): PageUser, body: Bytes) -> Response {
    if !may(&cu) {
        return forbidden_page(&st, &cu);
    }
    let pairs = crate::http::form::form_pairs(&body);
    let get = |k: &str| crate::http::form::field(&pairs, k).unwrap_or_default();
    let toml = get("toml").replace("\r\n", "\n");
    let source = get("source");
    let found = problems(&toml);
    if get("tai") == "1" && found.is_empty() {
        let id = kehoach_core::parse_plan(&toml)
            .map(|p| p.plan.id)
            .unwrap_or_else(|_| "ke-hoach".into());
        return (
            [
                (header::CONTENT_TYPE, "application/toml; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{id}.toml\""),
                ),
            ],
            toml,
        )
            .into_response();
    }
    let draft = parse::parse(&source).ok();
    let notice = Some(if found.is_empty() {
        Notice {
            kind: "ok",
            text: "Tệp kế hoạch hợp lệ: tải về để chạy với kehoach serve --plan.".into(),
        }
    } else {
        Notice {
            kind: "error",
            text: format!("Tệp kế hoạch còn {} chỗ cần sửa (xem danh sách dưới).", found.len()),
        }
    });
    page(
        &st,
        &cu,
        &source,
        toml,
        draft.as_ref().map(fields).unwrap_or_default(),
        notice,
        true,
    )
}

/// The plan file a form posts (`toml`), with Unix line ends.
fn posted_toml(body: &Bytes) -> String {
    crate::http::form::field(&crate::http::form::form_pairs(body), "toml")
        .unwrap_or_default()
        .replace("\r\n", "\n")
}

/// The import page again, with the plan file as posted and why it was refused.
fn refused(st: &AppState, cu: &CurrentUser, toml: &str, code: ErrorCode) -> Response {
    let e = crate::http::errors::AppError::invalid(code, "toml");
    let notice = Notice {
        kind: "error",
        text: e.message.clone(),
    };
    let mut r = page(st, cu, "", toml.to_string(), Vec::new(), Some(notice), true);
    *r.status_mut() = e.status;
    r
}

/// Adds a checked plan file as a new plan of the commune (the summer of
/// next year beside this one): the commune's units, accounts and rosters
/// serve it too; the browser works in it from now on.
pub async fn add(State(st): State<AppState>, PageUser(cu): PageUser, body: Bytes) -> Response {
    if !may(&cu) {
        return forbidden_page(&st, &cu);
    }
    let toml = posted_toml(&body);
    let Ok(mut plan) = kehoach_core::parse_plan(&toml) else {
        return refused(&st, &cu, &toml, ErrorCode::PlanFileInvalid);
    };
    let now = st.clock.now();
    if let Err(e) = st.store.add_commune_plan(&st.commune, &mut plan, &toml, now).await {
        return crate::http::errors::AppError::from(e).into_response();
    }
    // A plan that names no village brings sample ones: the commune's own stay.
    let _ = st.store.drop_sample_units(&plan.plan.id).await;
    st.forget_units().await;
    st.forget_default_plan();
    tracing::info!(plan = %plan.plan.id, title = %plan.plan.title, "plan added to the commune");
    (
        StatusCode::SEE_OTHER,
        [
            (
                header::SET_COOKIE,
                crate::communes::plan_cookie_header(&plan.plan.id, st.secure_cookies),
            ),
            (header::LOCATION, "/ke-hoach?ok=plan_added".to_string()),
        ],
    )
        .into_response()
}

/// Activates a checked plan file: it replaces the plan in use (which must
/// have recorded nothing yet), keeping the plan's id and its accounts, and
/// the server serves it at once.
pub async fn activate(State(st): State<AppState>, PageUser(cu): PageUser, body: Bytes) -> Response {
    if !may(&cu) {
        return forbidden_page(&st, &cu);
    }
    let toml = posted_toml(&body);
    let refuse = |code: ErrorCode| refused(&st, &cu, &toml, code);
    let Ok(mut plan) = kehoach_core::parse_plan(&toml) else {
        return refuse(ErrorCode::PlanFileInvalid);
    };
    // The plan keeps the id its accounts belong to.
    plan.plan.id = st.plan_id.clone();
    let Ok(source) = draft::to_toml(&plan) else {
        return refuse(ErrorCode::PlanFileInvalid);
    };
    if let Err(e) = st.store.replace_plan(&plan, &source, st.clock.now()).await {
        let e = crate::http::errors::AppError::from(e);
        if e.status.is_server_error() {
            return e.into_response();
        }
        return refuse(e.code);
    }
    tracing::info!(plan = %plan.plan.id, title = %plan.plan.title, "plan replaced from an imported text");
    st.forget_units().await;
    if let Some(live) = &st.live {
        live.swap(st.with_plan(plan));
    }
    crate::ui::see_other("/ke-hoach?ok=plan_activated")
}
