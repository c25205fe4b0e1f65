//! Judging, blind: a judge's contests, the entries to score, scores and declared conflicts.

use std::collections::BTreeMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::contests::view::field;
use crate::contests::view::score_text;
use crate::contests::{self};
use crate::http::auth::{CurrentUser, PageUser};
use crate::http::errors::AppError;
use crate::http::form::form_pairs;
use crate::ui::{Chrome, Notice, chrome, error_notice, forbidden_page, render, see_other};
use kehoach_core::ErrorCode;

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
    Query(q): Query<crate::ui::OkQuery>,
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
        Err(AppError::invalid(ErrorCode::ScoreOutOfRange, "scores"))
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
