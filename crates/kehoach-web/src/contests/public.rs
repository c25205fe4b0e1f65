//! A contest in public, no login: the list, the rules and entry form while the window is open, receipts (check, replace, withdraw), results and certificates.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use kehoach_core::ErrorCode;
use kehoach_core::contest::{WindowState, WorkKind};
use kehoach_core::text::{vn_datetime, vn_num};
use serde::Deserialize;

use crate::AppState;
use crate::contests::{self, Contest, EntryInput};
use crate::http::errors::AppError;
use crate::ui::see_other;

fn public_page<T: Template>(status: StatusCode, t: &T) -> Response {
    match t.render() {
        Ok(html) => (status, [(header::CACHE_CONTROL, "no-store")], Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template error");
            AppError::new(ErrorCode::Internal, None).into_response()
        }
    }
}

fn commune(st: &AppState) -> String {
    format!("{} {}", st.plan.plan.commune_level, st.plan.plan.commune)
}

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
    let n = st.clock.now();
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
        c: public_contest(c, st.clock.now()),
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
            Err(_) => return Err(AppError::invalid(ErrorCode::EntryFileTooLarge, "file")),
        };
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let data = field
            .bytes()
            .await
            .map_err(|_| AppError::invalid(ErrorCode::EntryFileTooLarge, "file"))?;
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
    let client = crate::http::auth::client_key(&st.trusted_proxies, &headers, &req_parts);
    match contests::submit(&st, &id, input, st.clock.now(), &client).await {
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

/// What the receipt page says above the entry: a refusal, or a change made.
enum Note {
    Refused(AppError),
    Done(String),
}

async fn receipt_page(st: &AppState, code: &str, fresh: bool, note: Option<Note>) -> Response {
    let found = if code.is_empty() {
        None
    } else {
        match contests::by_receipt(st, code).await {
            Ok(x) => Some(x),
            Err(e) if note.is_none() => return receipt_response(st, code, false, Some(Note::Refused(e)), None),
            Err(_) => None,
        }
    };
    let view = found.map(|(e, c)| {
        let open = c.state(st.clock.now()) == WindowState::Open;
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
    receipt_response(st, code, fresh, note, view)
}

fn receipt_response(
    st: &AppState,
    code: &str,
    fresh: bool,
    note: Option<Note>,
    entry: Option<ReceiptView>,
) -> Response {
    let status = match &note {
        Some(Note::Refused(e)) => e.status,
        _ => StatusCode::OK,
    };
    let p = ReceiptPage {
        title: "Tra cứu bài dự thi".into(),
        commune: commune(st),
        campaign: st.plan.plan.short_title.clone(),
        code: code.to_string(),
        fresh,
        confirmed: matches!(note, Some(Note::Done(_))),
        error: note.map(|n| match n {
            Note::Refused(e) => e.message,
            Note::Done(text) => text,
        }),
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
    receipt_page(st, code, false, Some(Note::Done(text.to_string()))).await
}

pub async fn receipt_withdraw(State(st): State<AppState>, Path(code): Path<String>) -> Response {
    match contests::withdraw(&st, &code, st.clock.now()).await {
        Ok(()) => receipt_page_notice(&st, &code, "Đã rút bài dự thi.").await,
        Err(e) => receipt_page(&st, &code, false, Some(Note::Refused(e))).await,
    }
}

pub async fn receipt_replace(State(st): State<AppState>, Path(code): Path<String>, mp: Multipart) -> Response {
    let input = match read_entry_form(mp).await {
        Ok(i) => i,
        Err(e) => return receipt_page(&st, &code, false, Some(Note::Refused(e))).await,
    };
    match contests::replace(&st, &code, input, st.clock.now()).await {
        Ok(()) => see_other(&format!("/cong-khai/bien-nhan/{code}?ok=thay")),
        Err(e) => receipt_page(&st, &code, false, Some(Note::Refused(e))).await,
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
