//! Contest pages and API: the public entry form, receipt and results pages
//! (under `/cong-khai`, no login), the coordinator's page `/cuoc-thi/{id}`,
//! the judges' page `/cham-thi/{id}`, and `/api/v1/contests/…`. The rules
//! are in `contests`.

use std::collections::BTreeMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use kehoach_core::contest::{WindowState, WorkKind};
use kehoach_core::text::{vn_datetime, vn_num};
use serde::Deserialize;

use crate::AppState;
use crate::auth::{ApiUser, CurrentUser, PageUser};
use crate::contests::{self, Contest, CriterionBody, EntryInput, SettingsBody};
use crate::errors::AppError;
use crate::pages::{Chrome, Notice, chrome, error_notice, forbidden_page, form_pairs, render, see_other};

fn now() -> i64 {
    kehoach_store::now_unix()
}

fn public_page<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template error");
            AppError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", None).into_response()
        }
    }
}

fn commune(st: &AppState) -> String {
    format!("{} {}", st.plan.plan.commune_level, st.plan.plan.commune)
}

fn score_text(x: Option<f64>, decimals: usize) -> String {
    x.map(|v| vn_num(v, decimals)).unwrap_or_else(|| "—".into())
}

// ---------------------------------------------------------------- public

pub struct PublicContest {
    pub id: String,
    pub name: String,
    pub state: String,
    pub open: bool,
    pub published: bool,
}

fn public_contest(c: &Contest, now: i64) -> PublicContest {
    PublicContest {
        id: c.id().to_string(),
        name: c.row.name.clone(),
        state: c.state_text(now),
        open: c.state(now) == WindowState::Open,
        published: c.row.published_at.is_some(),
    }
}

/// The contests for the public home page: (id, name, state).
pub async fn public_summaries(st: &AppState) -> Vec<PublicContest> {
    let n = now();
    contests::contests(st)
        .await
        .unwrap_or_default()
        .iter()
        .map(|c| public_contest(c, n))
        .collect()
}

#[derive(Template)]
#[template(path = "contests_public.html")]
struct PublicList {
    title: String,
    commune: String,
    campaign: String,
    contests: Vec<PublicContest>,
}

pub async fn public_list(State(st): State<AppState>) -> Response {
    public_page(
        StatusCode::OK,
        &PublicList {
            title: "Cuộc thi".into(),
            commune: commune(&st),
            campaign: st.plan.plan.short_title.clone(),
            contests: public_summaries(&st).await,
        },
    )
}

pub struct Winner {
    pub prize: String,
    pub title: String,
    pub name: String,
    pub affiliation: String,
    pub certificate: String,
}

#[derive(Template)]
#[template(path = "contest_public.html")]
struct PublicContestPage {
    title: String,
    commune: String,
    campaign: String,
    c: PublicContest,
    line: String,
    content: Vec<String>,
    window: String,
    awards_by: String,
    eligibility: String,
    categories: Vec<String>,
    prizes: Vec<String>,
    criteria: Vec<(String, String)>,
    video: bool,
    max_mb: usize,
    units: Vec<(String, String)>,
    id: String,
    error: Option<String>,
    /// What the form shows again after a refusal.
    f: EntryInput,
    winners: Vec<Winner>,
}

async fn contest_page(
    st: &AppState,
    c: &Contest,
    error: Option<AppError>,
    filled: EntryInput,
    status: StatusCode,
) -> Response {
    let units = st.units().await.unwrap_or_default();
    let winners = contests::winners(st, c)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|e| Winner {
            prize: e.prize.clone().unwrap_or_default(),
            title: e.title.clone(),
            name: e.entrant_name.clone(),
            affiliation: contests::affiliation(&units, &e).unwrap_or_default(),
            certificate: format!("/cong-khai/cuoc-thi/{}/giay-chung-nhan/{}.pdf", c.id(), e.id),
        })
        .collect();
    let weights: u32 = c.criteria.iter().map(|x| x.weight).sum::<u32>().max(1);
    let p = PublicContestPage {
        title: c.row.name.clone(),
        commune: commune(st),
        campaign: st.plan.plan.short_title.clone(),
        c: public_contest(c, now()),
        line: c.line.label(),
        content: c.line.content.clone(),
        window: c.window_text(),
        awards_by: c.awards_by.map(|d| d.vn()).unwrap_or_default(),
        eligibility: c.row.eligibility.clone(),
        categories: c.categories.clone(),
        prizes: c.prizes.clone(),
        criteria: c
            .criteria
            .iter()
            .map(|x| {
                (
                    x.label.clone(),
                    vn_num(f64::from(x.weight) * 100.0 / f64::from(weights), 0),
                )
            })
            .collect(),
        video: c.work == WorkKind::VideoLink,
        max_mb: contests::ENTRY_FILE_MAX_BYTES / 1024 / 1024,
        units: units
            .iter()
            .filter(|u| u.active == 1)
            .map(|u| (u.id.clone(), u.name.clone()))
            .collect(),
        id: uuid::Uuid::now_v7().to_string(),
        error: error.map(|e| e.message),
        f: filled,
        winners,
    };
    public_page(status, &p)
}

pub async fn public_contest_page(State(st): State<AppState>, Path(id): Path<String>) -> Response {
    match contests::contest(&st, &id).await {
        Ok(c) => contest_page(&st, &c, None, EntryInput::default(), StatusCode::OK).await,
        Err(e) => public_error(&st, e),
    }
}

#[derive(Template)]
#[template(path = "contest_receipt.html")]
struct ReceiptPage {
    title: String,
    commune: String,
    campaign: String,
    code: String,
    fresh: bool,
    error: Option<String>,
    /// `error` is a confirmation, not a refusal.
    confirmed: bool,
    entry: Option<ReceiptView>,
}

pub struct ReceiptView {
    pub contest_id: String,
    pub contest: String,
    pub number: i64,
    pub title: String,
    pub category: String,
    pub description: String,
    pub link: String,
    pub file_name: String,
    pub status: String,
    pub submitted: String,
    pub updated: String,
    pub editable: bool,
    pub video: bool,
    pub categories: Vec<String>,
    pub window: String,
}

fn public_error(st: &AppState, e: AppError) -> Response {
    let p = ReceiptPage {
        title: "Không tìm thấy".into(),
        commune: commune(st),
        campaign: st.plan.plan.short_title.clone(),
        code: String::new(),
        fresh: false,
        confirmed: false,
        error: Some(e.message.clone()),
        entry: None,
    };
    public_page(e.status, &p)
}

/// Reads the public form (or a replacement): text fields and the file.
async fn read_entry_form(mut mp: Multipart) -> Result<EntryInput, AppError> {
    let mut i = EntryInput::default();
    loop {
        let field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => return Err(AppError::invalid("entry_file_too_large", "file")),
        };
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let data = field
            .bytes()
            .await
            .map_err(|_| AppError::invalid("entry_file_too_large", "file"))?;
        let text = || String::from_utf8_lossy(&data).to_string();
        match name.as_str() {
            "id" => i.id = text(),
            "title" => i.title = text(),
            "category" => i.category = text(),
            "description" => i.description = text(),
            "entrant_kind" => i.entrant_kind = text(),
            "entrant_name" => i.entrant_name = text(),
            "members" => i.members = text(),
            "unit_id" => i.unit_id = text(),
            "affiliation" => i.affiliation = text(),
            "contact" => i.contact = text(),
            "card_codes" => i.card_codes = text(),
            "link" => i.link = text(),
            "consent" => i.consent = true,
            "website" => i.honeypot = text(),
            "file" => i.file = Some((file_name.unwrap_or_default(), data.to_vec())),
            _ => {}
        }
    }
    Ok(i)
}

pub async fn public_submit(
    State(st): State<AppState>,
    Path(id): Path<String>,
    req_parts: axum::http::Extensions,
    headers: axum::http::HeaderMap,
    mp: Multipart,
) -> Response {
    let c = match contests::contest(&st, &id).await {
        Ok(c) => c,
        Err(e) => return public_error(&st, e),
    };
    let mut input = match read_entry_form(mp).await {
        Ok(i) => i,
        Err(e) => return contest_page(&st, &c, Some(e.clone()), EntryInput::default(), e.status).await,
    };
    // What the form shows again if refused: the typed fields, not the file.
    let file = input.file.take();
    let kept = input.clone();
    input.file = file;
    let client = crate::auth::client_key(&st.trusted_proxies, &headers, &req_parts);
    match contests::submit(&st, &id, input, now(), &client).await {
        Ok((entry, _)) => see_other(&format!("/cong-khai/bien-nhan/{}?moi=1", entry.receipt)),
        Err(e) => contest_page(&st, &c, Some(e.clone()), kept, e.status).await,
    }
}

#[derive(Deserialize)]
pub struct ReceiptQuery {
    pub ma: Option<String>,
    pub moi: Option<String>,
    pub ok: Option<String>,
}

async fn receipt_page(st: &AppState, code: &str, fresh: bool, error: Option<AppError>) -> Response {
    let found = if code.is_empty() {
        None
    } else {
        match contests::by_receipt(st, code).await {
            Ok(x) => Some(x),
            Err(e) if error.is_none() => return receipt_response(st, code, false, Some(e), None),
            Err(_) => None,
        }
    };
    let view = found.map(|(e, c)| {
        let open = c.state(now()) == WindowState::Open;
        ReceiptView {
            contest_id: c.id().to_string(),
            contest: c.row.name.clone(),
            number: e.number,
            title: e.title,
            category: e.category.unwrap_or_default(),
            description: e.description,
            link: e.link.unwrap_or_default(),
            file_name: e.file_name.unwrap_or_default(),
            status: match (e.status.as_str(), &e.prize, c.row.published_at) {
                ("withdrawn", _, _) => "Đã rút".into(),
                (_, Some(p), Some(_)) => format!("Đạt {p}"),
                (_, _, Some(_)) => "Đã công bố kết quả".into(),
                _ if open => "Đã nhận, đang trong thời gian nhận bài".into(),
                _ => "Đã nhận, đang chấm".into(),
            },
            submitted: vn_datetime(e.submitted_at),
            updated: vn_datetime(e.updated_at),
            editable: open && e.status == "submitted",
            video: c.work == WorkKind::VideoLink,
            categories: c.categories.clone(),
            window: c.window_text(),
        }
    });
    receipt_response(st, code, fresh, error, view)
}

fn receipt_response(
    st: &AppState,
    code: &str,
    fresh: bool,
    error: Option<AppError>,
    entry: Option<ReceiptView>,
) -> Response {
    let status = error.as_ref().map(|e| e.status).unwrap_or(StatusCode::OK);
    let p = ReceiptPage {
        title: "Tra cứu bài dự thi".into(),
        commune: commune(st),
        campaign: st.plan.plan.short_title.clone(),
        code: code.to_string(),
        fresh,
        confirmed: error.as_ref().is_some_and(|e| e.status == StatusCode::OK),
        error: error.map(|e| e.message),
        entry,
    };
    public_page(status, &p)
}

pub async fn receipt_lookup(State(st): State<AppState>, Query(q): Query<ReceiptQuery>) -> Response {
    let code = q.ma.unwrap_or_default().trim().to_uppercase();
    if code.is_empty() {
        return receipt_response(&st, "", false, None, None);
    }
    see_other(&format!(
        "/cong-khai/bien-nhan/{}",
        url::form_urlencoded::byte_serialize(code.as_bytes()).collect::<String>()
    ))
}

pub async fn receipt_show(
    State(st): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<ReceiptQuery>,
) -> Response {
    if q.ok.as_deref() == Some("thay") {
        // The replacement was stored: say so above the entry.
        return receipt_page_notice(&st, &code, "Đã thay bài dự thi.").await;
    }
    receipt_page(&st, &code, q.moi.is_some(), None).await
}

async fn receipt_page_notice(st: &AppState, code: &str, text: &str) -> Response {
    let mut e = AppError::new(StatusCode::OK, "ok", None);
    e.message = text.to_string();
    receipt_page(st, code, false, Some(e)).await
}

pub async fn receipt_withdraw(State(st): State<AppState>, Path(code): Path<String>) -> Response {
    match contests::withdraw(&st, &code, now()).await {
        Ok(()) => receipt_page_notice(&st, &code, "Đã rút bài dự thi.").await,
        Err(e) => receipt_page(&st, &code, false, Some(e)).await,
    }
}

pub async fn receipt_replace(State(st): State<AppState>, Path(code): Path<String>, mp: Multipart) -> Response {
    let input = match read_entry_form(mp).await {
        Ok(i) => i,
        Err(e) => return receipt_page(&st, &code, false, Some(e)).await,
    };
    match contests::replace(&st, &code, input, now()).await {
        Ok(()) => see_other(&format!("/cong-khai/bien-nhan/{code}?ok=thay")),
        Err(e) => receipt_page(&st, &code, false, Some(e)).await,
    }
}

/// A published winner's certificate.
pub async fn certificate_pdf(State(st): State<AppState>, Path((id, file)): Path<(String, String)>) -> Response {
    let Some(entry_id) = file.strip_suffix(".pdf") else {
        return AppError::not_found().into_response();
    };
    let result = async {
        let c = contests::contest(&st, &id).await?;
        let w = contests::winners(&st, &c).await?;
        let e = w
            .into_iter()
            .find(|e| e.id == entry_id)
            .ok_or_else(AppError::not_found)?;
        let pdf = contests::certificate(&st, &c, &e).await?;
        Ok::<_, AppError>((e.number, pdf))
    }
    .await;
    match result {
        Ok((number, pdf)) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("inline; filename=\"giay-chung-nhan-{id}-bai-{number}.pdf\""),
                ),
            ],
            pdf,
        )
            .into_response(),
        Err(e) => e.into_response(),
    }
}

// ---------------------------------------------------------------- staff: list

#[derive(Template)]
#[template(path = "contests.html")]
struct StaffList {
    c: Chrome,
    managed: Vec<(String, String, String, usize)>,
    judged: Vec<(String, String, String)>,
}

pub async fn staff_list(State(st): State<AppState>, PageUser(cu): PageUser) -> Response {
    let all = match contests::contests(&st).await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let n = now();
    let mut managed = Vec::new();
    let mut judged = Vec::new();
    for c in &all {
        if contests::may_manage(&st, &cu, c).await {
            let count = st
                .store
                .entries(&st.plan_id, c.id())
                .await
                .map(|e| e.iter().filter(|x| x.status == "submitted").count())
                .unwrap_or(0);
            managed.push((c.id().to_string(), c.row.name.clone(), c.state_text(n), count));
        }
        if contests::may_judge(&st, &cu, c).await.unwrap_or(false) {
            judged.push((c.id().to_string(), c.row.name.clone(), c.state_text(n)));
        }
    }
    if managed.is_empty() && judged.is_empty() {
        return forbidden_page(&st, &cu);
    }
    render(
        StatusCode::OK,
        &StaffList {
            c: chrome(&st, Some(&cu), "Cuộc thi", "contests", None),
            managed,
            judged,
        },
    )
}

// ---------------------------------------------------------------- staff: manage

pub struct EntryLine {
    pub id: String,
    pub number: i64,
    pub title: String,
    pub category: String,
    pub entrant: String,
    pub contact: String,
    pub work: String,
    pub file: bool,
    pub duplicate_of: Option<i64>,
    pub withdrawn: bool,
    pub submitted: String,
}

pub struct RankLine {
    pub id: String,
    pub rank: String,
    pub number: i64,
    pub title: String,
    pub entrant: String,
    pub raw: String,
    pub normalised: String,
    pub judges: usize,
    pub prize: String,
}

#[derive(Template)]
#[template(path = "contest_manage.html")]
struct ManagePage {
    c: Chrome,
    id: String,
    name: String,
    state: String,
    entries_from: String,
    entries_to: String,
    awards_by: String,
    categories: String,
    eligibility: String,
    prizes_text: String,
    prizes: Vec<String>,
    criteria: Vec<(String, u32, u32)>,
    rubric_locked: bool,
    judges: Vec<(String, String, bool)>,
    progress: Vec<(String, usize, usize)>,
    entries: Vec<EntryLine>,
    ranking: Vec<RankLine>,
    locked: bool,
    published: bool,
    public_url: String,
}

async fn manage_response(
    st: &AppState,
    cu: &CurrentUser,
    id: &str,
    notice: Option<Notice>,
    status: StatusCode,
) -> Response {
    let c = match contests::contest(st, id).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    if !contests::may_manage(st, cu, &c).await {
        return forbidden_page(st, cu);
    }
    // A failed read is an error page, never an empty contest.
    let read = async {
        let all = st.store.entries(&st.plan_id, c.id()).await?;
        let standings = contests::standings(st, &c, &all).await?;
        let users = st.store.list_users(&st.plan_id).await?;
        Ok::<_, AppError>((all, standings, users))
    };
    let (all, standings, users) = match read.await {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let on_jury = |uid: &str| standings.progress.iter().any(|(j, _, _)| j == uid);
    let name_of = |uid: &str| {
        users
            .iter()
            .find(|u| u.id == uid)
            .map(|u| u.full_name.clone())
            .unwrap_or_default()
    };
    let number_of = |eid: &str| all.iter().find(|e| e.id == eid).map(|e| e.number);
    let units = st.units().await.unwrap_or_default();
    let entrant = |e: &kehoach_store::EntryRow| {
        let mut s = e.entrant_name.clone();
        if let Some(m) = &e.members {
            s.push_str(&format!(" ({m})"));
        }
        if let Some(a) = contests::affiliation(&units, e) {
            s.push_str(&format!(" · {a}"));
        }
        s
    };
    let p = ManagePage {
        c: chrome(st, Some(cu), &c.row.name, "contests", notice),
        id: c.id().to_string(),
        name: c.row.name.clone(),
        state: c.state_text(now()),
        entries_from: c.from.vn(),
        entries_to: c.to.vn(),
        awards_by: c.awards_by.map(|d| d.vn()).unwrap_or_default(),
        categories: c.categories.join("\n"),
        eligibility: c.row.eligibility.clone(),
        prizes_text: c.prizes.join("\n"),
        prizes: c.prizes.clone(),
        criteria: c.criteria.iter().map(|x| (x.label.clone(), x.weight, x.max)).collect(),
        rubric_locked: standings.any_score,
        judges: users
            .iter()
            .filter(|u| u.role == "judge" && u.active == 1)
            .map(|u| (u.id.clone(), u.full_name.clone(), on_jury(&u.id)))
            .collect(),
        progress: standings
            .progress
            .iter()
            .map(|(j, s, d)| (name_of(j), *s, *d))
            .collect(),
        entries: all
            .iter()
            .map(|e| EntryLine {
                id: e.id.clone(),
                number: e.number,
                title: e.title.clone(),
                category: e.category.clone().unwrap_or_default(),
                entrant: entrant(e),
                contact: e.contact.clone(),
                work: e.link.clone().unwrap_or_default(),
                file: e.file_name.is_some(),
                duplicate_of: e.duplicate_of.as_deref().and_then(number_of),
                withdrawn: e.status != "submitted",
                submitted: vn_datetime(e.submitted_at),
            })
            .collect(),
        ranking: standings
            .rows
            .iter()
            .map(|s| RankLine {
                id: s.entry.id.clone(),
                rank: match s.ranked.rank {
                    Some(r) if s.ranked.tied => format!("{r} (đồng hạng)"),
                    Some(r) => r.to_string(),
                    None => "—".into(),
                },
                number: s.entry.number,
                title: s.entry.title.clone(),
                entrant: entrant(&s.entry),
                raw: score_text(s.ranked.raw_mean, 2),
                normalised: score_text(s.ranked.normalised, 3),
                judges: s.ranked.judges,
                prize: s.entry.prize.clone().unwrap_or_default(),
            })
            .collect(),
        locked: c.row.locked_at.is_some(),
        published: c.row.published_at.is_some(),
        public_url: format!("/cong-khai/cuoc-thi/{}", c.id()),
    };
    render(status, &p)
}

pub async fn manage_page(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    Query(q): Query<crate::pages::OkQuery>,
) -> Response {
    let notice = q.ok.as_deref().map(|k| Notice {
        kind: "ok",
        text: match k {
            "settings" => "Đã lưu thể lệ cuộc thi.",
            "rubric" => "Đã lưu tiêu chí chấm.",
            "judges" => "Đã lưu ban giám khảo.",
            "locked" => "Đã khóa điểm.",
            "unlocked" => "Đã mở khóa điểm.",
            "prize" => "Đã lưu giải.",
            "published" => "Đã công bố kết quả.",
            _ => "Đã lưu.",
        }
        .into(),
    });
    manage_response(&st, &cu, &id, notice, StatusCode::OK).await
}

/// After a form: back to the page with a notice, or the page with the reason.
async fn after(st: &AppState, cu: &CurrentUser, id: &str, r: Result<(), AppError>, ok: &str) -> Response {
    match r {
        Ok(()) => see_other(&format!("/cuoc-thi/{id}?ok={ok}")),
        Err(e) if e.status == StatusCode::FORBIDDEN => forbidden_page(st, cu),
        Err(e) => manage_response(st, cu, id, error_notice(&e), e.status).await,
    }
}

/// A form field's value, empty when absent.
fn field(pairs: &[(String, String)], name: &str) -> String {
    crate::pages::field(pairs, name).unwrap_or_default()
}

fn lines(s: &str) -> Vec<String> {
    s.lines().map(str::to_string).collect()
}

pub async fn settings_form(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let f = form_pairs(&body);
    let b = SettingsBody {
        name: field(&f, "name"),
        entries_from: field(&f, "entries_from"),
        entries_to: field(&f, "entries_to"),
        awards_by: Some(field(&f, "awards_by")),
        categories: lines(&field(&f, "categories")),
        eligibility: field(&f, "eligibility"),
        prizes: lines(&field(&f, "prizes")),
    };
    let r = contests::update_settings(&st, &cu, &id, b).await;
    after(&st, &cu, &id, r, "settings").await
}

pub async fn rubric_form(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let f = form_pairs(&body);
    let mut rows = Vec::new();
    for n in 1..=10 {
        let label = field(&f, &format!("label_{n}"));
        if label.trim().is_empty() {
            continue;
        }
        let num = |k: &str| field(&f, &format!("{k}_{n}")).trim().parse::<u32>().unwrap_or(0);
        rows.push(CriterionBody {
            label,
            weight: num("weight"),
            max: num("max"),
        });
    }
    let r = contests::set_rubric(&st, &cu, &id, rows).await;
    after(&st, &cu, &id, r, "rubric").await
}

pub async fn judges_form(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let judges = form_pairs(&body)
        .into_iter()
        .filter(|(k, _)| k == "judge")
        .map(|(_, v)| v)
        .collect();
    let r = contests::set_judges(&st, &cu, &id, judges).await;
    after(&st, &cu, &id, r, "judges").await
}

pub async fn lock_form(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let lock = field(&form_pairs(&body), "locked") != "0";
    let r = contests::lock(&st, &cu, &id, lock).await;
    after(&st, &cu, &id, r, if lock { "locked" } else { "unlocked" }).await
}

pub async fn prize_form(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    let f = form_pairs(&body);
    let r = contests::set_prize(&st, &cu, &id, &field(&f, "entry_id"), Some(field(&f, "prize"))).await;
    after(&st, &cu, &id, r, "prize").await
}

pub async fn publish_form(State(st): State<AppState>, PageUser(cu): PageUser, Path(id): Path<String>) -> Response {
    let r = contests::publish(&st, &cu, &id).await;
    after(&st, &cu, &id, r, "published").await
}

/// An entry's uploaded file, for the contest's managers and its judges who
/// are not recused from it. The name sent is neutral ("bai-3.pdf").
pub async fn entry_file(State(st): State<AppState>, PageUser(cu): PageUser, Path(entry_id): Path<String>) -> Response {
    let result = async {
        let e = st
            .store
            .entry(&st.plan_id, &entry_id)
            .await?
            .ok_or_else(AppError::not_found)?;
        let c = contests::contest(&st, &e.line_id).await?;
        let recused = st
            .store
            .recusals(&st.plan_id, c.id())
            .await?
            .contains(&(e.id.clone(), cu.user.id.clone()));
        let may = contests::may_manage(&st, &cu, &c).await || (contests::may_judge(&st, &cu, &c).await? && !recused);
        if !may {
            return Err(AppError::forbidden());
        }
        let (name, kind, bytes) = st
            .store
            .entry_file(&st.plan_id, &e.id)
            .await?
            .ok_or_else(AppError::not_found)?;
        let ext = name.rsplit_once('.').map(|(_, x)| x.to_lowercase()).unwrap_or_default();
        Ok::<_, AppError>((format!("bai-{}.{ext}", e.number), kind, bytes))
    }
    .await;
    match result {
        Ok((name, kind, bytes)) => (
            [
                (header::CONTENT_TYPE, kind),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
                (header::CACHE_CONTROL, "private, no-store".into()),
            ],
            bytes,
        )
            .into_response(),
        Err(e) if e.status == StatusCode::FORBIDDEN => forbidden_page(&st, &cu),
        Err(e) => e.into_response(),
    }
}

// ---------------------------------------------------------------- judges

pub struct JudgeEntry {
    pub id: String,
    pub number: i64,
    pub title: String,
    pub category: String,
    pub description: String,
    pub link: String,
    pub file: bool,
    pub recused: bool,
    pub scored: bool,
    /// (criterion id, label, max, value as shown, wrong): a refused form
    /// keeps what the judge typed and marks the wrong fields.
    pub values: Vec<(String, String, u32, String, bool)>,
    pub comment: String,
    pub total: String,
}

/// What a judge typed for one entry, kept when the form is refused.
pub struct Typed {
    pub entry_id: String,
    pub values: BTreeMap<String, String>,
    pub comment: String,
    pub wrong: Vec<String>,
}

#[derive(Template)]
#[template(path = "contest_judge.html")]
struct JudgePage {
    c: Chrome,
    id: String,
    name: String,
    criteria: Vec<(String, u32, u32)>,
    entries: Vec<JudgeEntry>,
    done: usize,
    due: usize,
    locked: bool,
}

async fn judge_response(
    st: &AppState,
    cu: &CurrentUser,
    id: &str,
    notice: Option<Notice>,
    status: StatusCode,
) -> Response {
    judge_response_typed(st, cu, id, notice, status, None).await
}

async fn judge_response_typed(
    st: &AppState,
    cu: &CurrentUser,
    id: &str,
    notice: Option<Notice>,
    status: StatusCode,
    typed: Option<Typed>,
) -> Response {
    let c = match contests::contest(st, id).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    match contests::may_judge(st, cu, &c).await {
        Ok(true) => {}
        Ok(false) => return forbidden_page(st, cu),
        Err(e) => return e.into_response(),
    }
    // A failed read is an error page, never an empty list to judge.
    let read = tokio::try_join!(
        st.store.entries(&st.plan_id, c.id()),
        st.store.scores(&st.plan_id, c.id()),
        st.store.recusals(&st.plan_id, c.id()),
    );
    let (entries, scores, recusals) = match read {
        Ok(x) => x,
        Err(e) => return AppError::from(e).into_response(),
    };
    let mut list = Vec::new();
    for e in entries.into_iter().filter(|e| e.status == "submitted") {
        let mine = scores.iter().find(|s| s.entry_id == e.id && s.judge_id == cu.user.id);
        let values: BTreeMap<String, f64> = mine
            .and_then(|s| serde_json::from_str(&s.scores).ok())
            .unwrap_or_default();
        let typed_here = typed.as_ref().filter(|t| t.entry_id == e.id);
        // Only what the work says: never the entrant's name, group, school or contact.
        list.push(JudgeEntry {
            recused: recusals.contains(&(e.id.clone(), cu.user.id.clone())),
            scored: mine.is_some(),
            values: c
                .criteria
                .iter()
                .map(|x| match typed_here {
                    Some(t) => (
                        x.id.clone(),
                        x.label.clone(),
                        x.max,
                        t.values.get(&x.id).cloned().unwrap_or_default(),
                        t.wrong.contains(&x.id),
                    ),
                    None => (
                        x.id.clone(),
                        x.label.clone(),
                        x.max,
                        values.get(&x.id).map(|v| v.to_string()).unwrap_or_default(),
                        false,
                    ),
                })
                .collect(),
            comment: match typed_here {
                Some(t) => t.comment.clone(),
                None => mine.and_then(|s| s.comment.clone()).unwrap_or_default(),
            },
            total: score_text(kehoach_core::contest::weighted_total(&c.criteria, &values), 2),
            id: e.id,
            number: e.number,
            title: e.title,
            category: e.category.unwrap_or_default(),
            description: e.description,
            link: e.link.unwrap_or_default(),
            file: e.file_name.is_some(),
        });
    }
    let mut notice = notice;
    if let (Some(t), Some(n)) = (&typed, notice.as_mut())
        && let Some(e) = list.iter().find(|e| e.id == t.entry_id)
    {
        n.text = format!("Bài số {}: {}", e.number, n.text);
    }
    let due = list.iter().filter(|e| !e.recused).count();
    let done = list.iter().filter(|e| e.scored && !e.recused).count();
    let p = JudgePage {
        c: chrome(st, Some(cu), &format!("Chấm thi: {}", c.row.name), "judging", notice),
        id: c.id().to_string(),
        name: c.row.name.clone(),
        criteria: c.criteria.iter().map(|x| (x.label.clone(), x.weight, x.max)).collect(),
        entries: list,
        done,
        due,
        locked: c.row.locked_at.is_some(),
    };
    render(status, &p)
}

pub async fn judge_list(State(st): State<AppState>, PageUser(cu): PageUser) -> Response {
    let all = contests::contests(&st).await.unwrap_or_default();
    for c in &all {
        if contests::may_judge(&st, &cu, c).await.unwrap_or(false) {
            return see_other(&format!("/cham-thi/{}", c.id()));
        }
    }
    forbidden_page(&st, &cu)
}

pub async fn judge_page(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path(id): Path<String>,
    Query(q): Query<crate::pages::OkQuery>,
) -> Response {
    let notice = match q.ok.as_deref() {
        Some("scored") => Some("Đã lưu điểm."),
        Some("recused") => Some("Đã ghi nhận xung đột lợi ích: bạn không chấm bài này."),
        _ => None,
    }
    .map(|t| Notice {
        kind: "ok",
        text: t.into(),
    });
    judge_response(&st, &cu, &id, notice, StatusCode::OK).await
}

pub async fn score_form(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path((id, entry)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let f = form_pairs(&body);
    let typed: BTreeMap<String, String> = f
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("c_").map(|cid| (cid.to_string(), v.trim().to_string())))
        .collect();
    let comment = field(&f, "comment");
    // Each criterion checked on its own, so the page can say which one is
    // wrong and why, and keep everything the judge typed.
    let c = match contests::contest(&st, &id).await {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let mut values = BTreeMap::new();
    let mut wrong = Vec::new();
    let mut reasons = Vec::new();
    for x in &c.criteria {
        let raw = typed.get(&x.id).map(String::as_str).unwrap_or("");
        match raw.replace(',', ".").parse::<f64>() {
            Ok(v) if (0.0..=f64::from(x.max)).contains(&v) => {
                values.insert(x.id.clone(), v);
            }
            Ok(_) => {
                wrong.push(x.id.clone());
                reasons.push(format!("“{}”: {raw} ngoài khoảng cho phép 0–{}", x.label, x.max));
            }
            Err(_) => {
                wrong.push(x.id.clone());
                reasons.push(if raw.is_empty() {
                    format!("“{}”: chưa chấm (0–{})", x.label, x.max)
                } else {
                    format!("“{}”: “{raw}” không phải một số (0–{})", x.label, x.max)
                });
            }
        }
    }
    let r = if wrong.is_empty() {
        contests::score(&st, &cu, &id, &entry, &values, Some(comment.clone())).await
    } else {
        Err(AppError::invalid("score_out_of_range", "scores"))
    };
    match r {
        Ok(()) => see_other(&format!("/cham-thi/{id}?ok=scored#bai-{entry}")),
        Err(e) if e.status == StatusCode::FORBIDDEN => forbidden_page(&st, &cu),
        Err(e) => {
            // The page names the entry ("Bài số N: …") from the list it reads.
            let mut notice = error_notice(&e);
            if let Some(n) = notice.as_mut()
                && !reasons.is_empty()
            {
                n.text = format!(
                    "điểm chưa được lưu; {}. Các ô đã nhập vẫn được giữ.",
                    reasons.join("; ")
                );
            }
            let typed = Typed {
                entry_id: entry,
                values: typed,
                comment,
                wrong,
            };
            judge_response_typed(&st, &cu, &id, notice, e.status, Some(typed)).await
        }
    }
}

pub async fn recuse_form(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Path((id, entry)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let reason = field(&form_pairs(&body), "reason");
    match contests::recuse(&st, &cu, &id, &entry, &reason).await {
        Ok(()) => see_other(&format!("/cham-thi/{id}?ok=recused")),
        Err(e) if e.status == StatusCode::FORBIDDEN => forbidden_page(&st, &cu),
        Err(e) => judge_response(&st, &cu, &id, error_notice(&e), e.status).await,
    }
}

// ---------------------------------------------------------------- API

fn done(r: Result<(), AppError>) -> Response {
    match r {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => e.into_response(),
    }
}

#[utoipa::path(put, path = "/api/v1/contests/{id}", params(("id" = String, Path, description = "the contest's line id, e.g. l7-1-ideas")), request_body = SettingsBody,
    responses((status = 204), (status = 403, body = crate::errors::ErrorBody), (status = 422, body = crate::errors::ErrorBody)))]
pub async fn api_settings(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    crate::api::Body(b): crate::api::Body<SettingsBody>,
) -> Response {
    done(contests::update_settings(&st, &cu, &id, b).await)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RubricBody {
    pub criteria: Vec<CriterionBody>,
}

#[utoipa::path(put, path = "/api/v1/contests/{id}/rubric", params(("id" = String, Path, description = "the contest's line id, e.g. l7-1-ideas")), request_body = RubricBody,
    responses((status = 204), (status = 409, description = "rubric_locked: judging has started", body = crate::errors::ErrorBody),
        (status = 422, body = crate::errors::ErrorBody)))]
pub async fn api_rubric(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    crate::api::Body(b): crate::api::Body<RubricBody>,
) -> Response {
    done(contests::set_rubric(&st, &cu, &id, b.criteria).await)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct JudgesBody {
    /// User ids of accounts with the judge role.
    pub judges: Vec<String>,
}

#[utoipa::path(put, path = "/api/v1/contests/{id}/judges", params(("id" = String, Path, description = "the contest's line id, e.g. l7-1-ideas")), request_body = JudgesBody, responses((status = 204)))]
pub async fn api_judges(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    crate::api::Body(b): crate::api::Body<JudgesBody>,
) -> Response {
    done(contests::set_judges(&st, &cu, &id, b.judges).await)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreBody {
    /// {criterion id: score within 0..=max}, every criterion.
    pub scores: BTreeMap<String, f64>,
    #[serde(default)]
    pub comment: Option<String>,
}

#[utoipa::path(put, path = "/api/v1/contests/{id}/entries/{entry}/score", params(("id" = String, Path, description = "the contest's line id, e.g. l7-1-ideas"), ("entry" = String, Path, description = "the entry's id")), request_body = ScoreBody,
    responses((status = 204), (status = 403, body = crate::errors::ErrorBody),
        (status = 409, description = "judge_recused or scores_locked", body = crate::errors::ErrorBody),
        (status = 422, body = crate::errors::ErrorBody)))]
pub async fn api_score(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path((id, entry)): Path<(String, String)>,
    crate::api::Body(b): crate::api::Body<ScoreBody>,
) -> Response {
    done(contests::score(&st, &cu, &id, &entry, &b.scores, b.comment).await)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecusalBody {
    #[serde(default)]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/contests/{id}/entries/{entry}/recusal", params(("id" = String, Path, description = "the contest's line id, e.g. l7-1-ideas"), ("entry" = String, Path, description = "the entry's id")), request_body = RecusalBody, responses((status = 204)))]
pub async fn api_recuse(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path((id, entry)): Path<(String, String)>,
    crate::api::Body(b): crate::api::Body<RecusalBody>,
) -> Response {
    done(contests::recuse(&st, &cu, &id, &entry, &b.reason).await)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LockBody {
    pub locked: bool,
}

#[utoipa::path(post, path = "/api/v1/contests/{id}/lock", params(("id" = String, Path, description = "the contest's line id, e.g. l7-1-ideas")), request_body = LockBody, responses((status = 204)))]
pub async fn api_lock(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path(id): Path<String>,
    crate::api::Body(b): crate::api::Body<LockBody>,
) -> Response {
    done(contests::lock(&st, &cu, &id, b.locked).await)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PrizeBody {
    /// One of the contest's prizes; null takes the prize back.
    pub prize: Option<String>,
}

#[utoipa::path(put, path = "/api/v1/contests/{id}/entries/{entry}/prize", params(("id" = String, Path, description = "the contest's line id, e.g. l7-1-ideas"), ("entry" = String, Path, description = "the entry's id")), request_body = PrizeBody,
    responses((status = 204), (status = 409, description = "scores_not_locked", body = crate::errors::ErrorBody)))]
pub async fn api_prize(
    State(st): State<AppState>,
    ApiUser(cu): ApiUser,
    Path((id, entry)): Path<(String, String)>,
    crate::api::Body(b): crate::api::Body<PrizeBody>,
) -> Response {
    done(contests::set_prize(&st, &cu, &id, &entry, b.prize).await)
}

#[utoipa::path(post, path = "/api/v1/contests/{id}/publish", params(("id" = String, Path, description = "the contest's line id, e.g. l7-1-ideas")), responses((status = 204)))]
pub async fn api_publish(State(st): State<AppState>, ApiUser(cu): ApiUser, Path(id): Path<String>) -> Response {
    done(contests::publish(&st, &cu, &id).await)
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct RankingRow {
    pub entry_id: String,
    pub number: i64,
    pub title: String,
    pub entrant_name: String,
    pub rank: Option<usize>,
    pub tied: bool,
    /// Mean of the judges' weighted totals, 0..100.
    pub raw_mean: Option<f64>,
    /// Mean of the judges' z-scores.
    pub normalised: Option<f64>,
    pub judges: usize,
    pub prize: Option<String>,
    pub duplicate_of: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/contests/{id}/ranking", params(("id" = String, Path, description = "the contest's line id, e.g. l7-1-ideas")), responses((status = 200, body = [RankingRow])))]
pub async fn api_ranking(State(st): State<AppState>, ApiUser(cu): ApiUser, Path(id): Path<String>) -> Response {
    let r = async {
        let c = contests::contest(&st, &id).await?;
        if !contests::may_manage(&st, &cu, &c).await {
            return Err(AppError::forbidden());
        }
        let entries = st.store.entries(&st.plan_id, c.id()).await?;
        let rows = contests::standings(&st, &c, &entries).await?.rows;
        Ok::<_, AppError>(
            rows.into_iter()
                .map(|s| RankingRow {
                    entry_id: s.entry.id,
                    number: s.entry.number,
                    title: s.entry.title,
                    entrant_name: s.entry.entrant_name,
                    rank: s.ranked.rank,
                    tied: s.ranked.tied,
                    raw_mean: s.ranked.raw_mean,
                    normalised: s.ranked.normalised,
                    judges: s.ranked.judges,
                    prize: s.entry.prize,
                    duplicate_of: s.entry.duplicate_of,
                })
                .collect::<Vec<_>>(),
        )
    }
    .await;
    match r {
        Ok(rows) => axum::Json(rows).into_response(),
        Err(e) => e.into_response(),
    }
}
