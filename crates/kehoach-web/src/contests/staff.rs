//! Running a contest (coordinator, the line's lead unit): the list, entries, ranking, judges' progress, settings, rubric, jury, lock, prizes, publication.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kehoach_core::text::vn_datetime;

use crate::AppState;
use crate::contests::view::score_text;
use crate::contests::view::{field, lines};
use crate::contests::{self, CriterionBody, SettingsBody};
use crate::http::auth::{CurrentUser, PageUser};
use crate::http::errors::AppError;
use crate::http::form::form_pairs;
use crate::ui::{Chrome, Notice, chrome, forbidden_page, render};

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
    let n = st.clock.now();
    let mut managed = Vec::new();
    let mut judged = Vec::new();
    for c in &all {
        if contests::may_manage(&cu, c) {
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
    if !contests::may_manage(cu, &c) {
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
        state: c.state_text(st.clock.now()),
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
    Query(q): Query<crate::ui::OkQuery>,
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
    let done = |()| format!("/cuoc-thi/{id}?ok={ok}");
    crate::ui::form_outcome(st, cu, r, done, |n, s| manage_response(st, cu, id, n, s)).await
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
        let may = contests::may_manage(&cu, &c) || (contests::may_judge(&st, &cu, &c).await? && !recused);
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
