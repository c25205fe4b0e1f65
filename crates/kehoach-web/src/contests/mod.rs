//! Contests 7.1 and 7.2: the rules of every write (entries in their window,
//! blind judging against a weighted rubric, recusal, locking, prizes,
//! publication), shared by the public form, the staff pages and the API.
//!
//! Who: anyone submits an entry while its window is open (Vietnam time) and
//! keeps a receipt code to check, replace or withdraw it until the window
//! closes; the coordinator or the line's lead unit runs the contest; judges
//! (accounts with the judge role, named on the contest) score entries
//! without ever seeing who sent them.

pub mod api;
pub mod judges;
pub mod public;
pub mod staff;
pub mod view;

use std::collections::BTreeMap;

use kehoach_core::ErrorCode;
use kehoach_core::contest::{self, Criterion, JudgeTotal, Ranked, WindowState, WorkKind};
use kehoach_core::text::{clean, clean_multiline, fold_key};
use kehoach_core::{ActivityLine, Day};
use kehoach_store::{ContestRow, ContestSettings, EntryRow, EntryWork, NewEntry};

use crate::AppState;
use crate::http::auth::CurrentUser;
use crate::http::errors::AppError;
use crate::http::policy::{Action, allowed};

/// Largest uploaded file of an entry.
pub const ENTRY_FILE_MAX_BYTES: usize = 10 * 1024 * 1024;
/// Entries one address may send per hour.
pub const ENTRIES_PER_HOUR: u32 = 20;

/// A contest with its settings parsed.
#[derive(Debug, Clone)]
pub struct Contest {
    pub row: ContestRow,
    pub line: ActivityLine,
    pub criteria: Vec<Criterion>,
    pub categories: Vec<String>,
    pub prizes: Vec<String>,
    pub from: Day,
    pub to: Day,
    pub awards_by: Option<Day>,
    pub work: WorkKind,
}

impl Contest {
    pub fn id(&self) -> &str {
        &self.line.id
    }

    /// Where entries stand; locked scores or published results close them.
    pub fn state(&self, now: i64) -> WindowState {
        if self.row.locked_at.is_some() || self.row.published_at.is_some() {
            return WindowState::Closed;
        }
        contest::window_state(self.from, self.to, now)
    }

    /// "Nhận bài từ 00:00 ngày 01/08/2026 đến 23:59 ngày 15/08/2026".
    pub fn window_text(&self) -> String {
        format!(
            "Nhận bài từ 00:00 ngày {} đến 23:59 ngày {} (giờ Việt Nam)",
            self.from.vn(),
            self.to.vn()
        )
    }

    pub fn state_text(&self, now: i64) -> String {
        if self.row.published_at.is_some() {
            return "Đã công bố kết quả".into();
        }
        if self.row.locked_at.is_some() {
            return "Đã hết nhận bài, đang tổng hợp kết quả".into();
        }
        match self.state(now) {
            WindowState::NotYet => format!("Chưa mở: nhận bài từ 00:00 ngày {}", self.from.vn()),
            WindowState::Open => format!("Đang nhận bài đến 23:59 ngày {}", self.to.vn()),
            WindowState::Closed => format!("Đã hết hạn nhận bài (23:59 ngày {})", self.to.vn()),
        }
    }

    /// The refusal for an entry (or a change to one) at `now`, if any.
    pub fn window_refusal(&self, now: i64) -> Option<AppError> {
        let (code, text) = match self.state(now) {
            WindowState::Open => return None,
            WindowState::NotYet => (
                ErrorCode::EntriesNotOpen,
                format!(
                    "Cuộc thi chưa mở nhận bài: bắt đầu nhận từ 00:00 ngày {} (giờ Việt Nam).",
                    self.from.vn()
                ),
            ),
            WindowState::Closed if self.row.locked_at.is_some() || self.row.published_at.is_some() => (
                ErrorCode::EntriesClosed,
                "Cuộc thi đã kết thúc nhận bài: Ban tổ chức đã khóa điểm hoặc công bố kết quả.".to_string(),
            ),
            WindowState::Closed => (
                ErrorCode::EntriesClosed,
                format!(
                    "Cuộc thi đã hết hạn nhận bài lúc 23:59 ngày {} (giờ Việt Nam).",
                    self.to.vn()
                ),
            ),
        };
        let mut e = AppError::new(code, Some("window"));
        e.message = text;
        Some(e)
    }
}

fn json_list(s: &str) -> Vec<String> {
    serde_json::from_str(s).unwrap_or_default()
}

fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

/// The plan's contests as first stored: dates, categories, prizes and rubric from the plan.
pub fn default_rows(plan: &kehoach_core::Plan) -> Vec<ContestRow> {
    contest::contest_lines(plan)
        .map(contest::defaults)
        .map(|d| ContestRow {
            line_id: d.line_id.clone(),
            name: d.name.clone(),
            entries_from: d.entries_from.iso(),
            entries_to: d.entries_to.iso(),
            awards_by: d.awards_by.map(|x| x.iso()),
            categories: to_json(&d.categories),
            eligibility: String::new(),
            prizes: to_json(&d.prizes),
            criteria: to_json(&d.criteria),
            work: match d.work {
                WorkKind::VideoLink => "video_link".into(),
                WorkKind::FileOrLink => "file_or_link".into(),
            },
            locked_at: None,
            published_at: None,
            updated_at: 0,
        })
        .collect()
}

fn parse(st: &AppState, row: ContestRow) -> Option<Contest> {
    let line = st.plan.lines.iter().find(|l| l.id == row.line_id)?.clone();
    Some(Contest {
        criteria: serde_json::from_str(&row.criteria).unwrap_or_default(),
        categories: json_list(&row.categories),
        prizes: json_list(&row.prizes),
        from: Day::parse_iso(&row.entries_from)?,
        to: Day::parse_iso(&row.entries_to)?,
        awards_by: row.awards_by.as_deref().and_then(Day::parse_iso),
        work: if row.work == "video_link" {
            WorkKind::VideoLink
        } else {
            WorkKind::FileOrLink
        },
        line,
        row,
    })
}

/// The plan's contests, in plan order (made from the plan on first use).
pub async fn contests(st: &AppState) -> Result<Vec<Contest>, AppError> {
    let defaults = default_rows(&st.plan);
    let mut rows = st.store.contests(&st.plan_id).await?;
    if rows.len() < defaults.len() {
        st.store.ensure_contests(&st.plan_id, &defaults, st.clock.now()).await?;
        rows = st.store.contests(&st.plan_id).await?;
    }
    let mut out: Vec<Contest> = rows.into_iter().filter_map(|r| parse(st, r)).collect();
    let order = |id: &str| st.plan.lines.iter().position(|l| l.id == id).unwrap_or(usize::MAX);
    out.sort_by_key(|c| order(c.id()));
    Ok(out)
}

pub async fn contest(st: &AppState, line_id: &str) -> Result<Contest, AppError> {
    contests(st)
        .await?
        .into_iter()
        .find(|c| c.id() == line_id)
        .ok_or_else(AppError::not_found)
}

/// The coordinator, or a reporter of the contest line's lead unit.
pub fn may_manage(cu: &CurrentUser, c: &Contest) -> bool {
    let lead_unit = cu.unit_leads(&c.line.lead);
    allowed(&cu.user, Action::ManageContest { lead_unit })
}

/// A judge named on the contest.
pub async fn may_judge(st: &AppState, cu: &CurrentUser, c: &Contest) -> Result<bool, AppError> {
    let assigned = st
        .store
        .contest_judges(&st.plan_id, c.id())
        .await?
        .contains(&cu.user.id);
    Ok(allowed(&cu.user, Action::ScoreEntry { assigned }))
}

/// What the public form (or a replacement) sends.
#[derive(Debug, Clone, Default)]
pub struct EntryInput {
    /// A UUID made by the form: a retried submission stores nothing new.
    pub id: String,
    pub title: String,
    pub category: String,
    pub description: String,
    /// `individual` or `group`.
    pub entrant_kind: String,
    pub entrant_name: String,
    pub members: String,
    pub unit_id: String,
    pub affiliation: String,
    pub contact: String,
    /// Card codes of rostered pupils or members (optional), space or comma separated.
    pub card_codes: String,
    pub link: String,
    /// (file name, bytes); empty bytes means no file.
    pub file: Option<(String, Vec<u8>)>,
    pub consent: bool,
    /// A field people never see: bots fill it.
    pub honeypot: String,
}

fn sniff(name: &str, bytes: &[u8]) -> Option<&'static str> {
    let lower = name.to_lowercase();
    if bytes.starts_with(b"%PDF-") {
        Some("application/pdf")
    } else if bytes.starts_with(b"PK\x03\x04") && lower.ends_with(".docx") {
        Some("application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some("image/jpeg")
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G']) {
        Some("image/png")
    } else {
        None
    }
}

fn valid_link(l: &str) -> bool {
    l.len() <= 500 && (l.starts_with("https://") || l.starts_with("http://")) && !l.contains(char::is_whitespace)
}

/// Checks the work part of an entry against the contest.
fn work(c: &Contest, i: &EntryInput) -> Result<EntryWork, AppError> {
    let title = clean(&i.title);
    if title.is_empty() || title.chars().count() > 200 {
        return Err(AppError::invalid(ErrorCode::EntryTitleInvalid, "title"));
    }
    let category = clean(&i.category);
    let category = if c.categories.is_empty() {
        None
    } else if c.categories.contains(&category) {
        Some(category)
    } else {
        return Err(AppError::invalid(ErrorCode::CategoryUnknown, "category"));
    };
    let description = clean_multiline(&i.description);
    if description.is_empty() || description.chars().count() > 5000 {
        return Err(AppError::invalid(ErrorCode::EntryDescriptionInvalid, "description"));
    }
    let link = Some(clean(&i.link)).filter(|l| !l.is_empty());
    if link.as_deref().is_some_and(|l| !valid_link(l)) {
        return Err(AppError::invalid(ErrorCode::LinkInvalid, "link"));
    }
    let file = match &i.file {
        Some((name, bytes)) if !bytes.is_empty() => {
            if c.work == WorkKind::VideoLink {
                return Err(AppError::invalid(ErrorCode::VideoLinkRequired, "link"));
            }
            if bytes.len() > ENTRY_FILE_MAX_BYTES {
                return Err(AppError::invalid(ErrorCode::EntryFileTooLarge, "file"));
            }
            let Some(kind) = sniff(name, bytes) else {
                return Err(AppError::invalid(ErrorCode::EntryFileUnsupported, "file"));
            };
            let name: String = clean(name)
                .chars()
                .filter(|ch| !matches!(ch, '/' | '\\' | '"'))
                .take(120)
                .collect();
            Some((name, kind.to_string(), bytes.clone()))
        }
        _ => None,
    };
    if c.work == WorkKind::VideoLink && link.is_none() {
        return Err(AppError::invalid(ErrorCode::VideoLinkRequired, "link"));
    }
    if link.is_none() && file.is_none() {
        return Err(AppError::invalid(ErrorCode::EntryWorkRequired, "file"));
    }
    Ok(EntryWork {
        title_key: fold_key(&title),
        title,
        category,
        description,
        link,
        file,
    })
}

/// A phone number (9–11 digits, spaces, dots and a leading + allowed) or an email.
fn contact_key(contact: &str) -> Option<String> {
    let c = clean(contact);
    if c.contains('@') {
        let ok = c.len() <= 120 && c.split_once('@').is_some_and(|(a, b)| !a.is_empty() && b.contains('.'));
        return ok.then(|| c.to_lowercase());
    }
    let digits: String = c.chars().filter(char::is_ascii_digit).collect();
    let only_phone = c.chars().all(|ch| ch.is_ascii_digit() || " .-+()".contains(ch));
    (only_phone && (9..=12).contains(&digits.len())).then_some(digits)
}

fn receipt(c: &Contest) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let bytes = uuid::Uuid::new_v4().into_bytes();
    let mut bits: u64 = 0;
    for b in &bytes[..5] {
        bits = (bits << 8) | u64::from(*b);
    }
    let code: String = (0..8)
        .map(|i| ALPHABET[((bits >> (35 - 5 * i)) & 31) as usize] as char)
        .collect();
    let prefix: String = c.line.number.chars().filter(char::is_ascii_digit).collect();
    format!("{prefix}-{}-{}", &code[..4], &code[4..])
}

/// The stored id of the entry sent with this form key: a hash of the key,
/// so the key (the retry's proof) cannot be read back from the id.
pub fn entry_id_of_key(key: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(format!("kehoach-bai-du-thi|{}", key.trim().to_lowercase()).as_bytes());
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid::Builder::from_custom_bytes(bytes).into_uuid().to_string()
}

/// Stores a public entry: the window (server clock, Vietnam time), the
/// abuse limits, every field. Returns the entry and whether it is new.
pub async fn submit(
    st: &AppState,
    line_id: &str,
    i: EntryInput,
    now: i64,
    client: &str,
) -> Result<(EntryRow, bool), AppError> {
    let c = contest(st, line_id).await?;
    if uuid::Uuid::parse_str(&i.id).is_err() {
        return Err(AppError::invalid(ErrorCode::IdInvalid, "id"));
    }
    // The form's `id` is a key only the sender's page holds; the entry is
    // stored under a hash of it. A retry (same key) finds its entry and gets
    // its receipt again, whatever the clock says now; an entry's public id
    // (on certificate links, the judges' page) sent as a key names nothing.
    let entry_id = entry_id_of_key(&i.id);
    if let Some(old) = st.store.entry(&st.plan_id, &entry_id).await? {
        return Ok((old, false));
    }
    if let Some(e) = c.window_refusal(now) {
        return Err(e);
    }
    if !i.honeypot.is_empty() {
        return Err(AppError::bad_request("biểu mẫu không hợp lệ".into()));
    }
    if st.entry_limiter.blocked(client) {
        return Err(AppError::new(ErrorCode::EntriesRateLimited, None));
    }
    let w = work(&c, &i)?;
    let kind = match i.entrant_kind.as_str() {
        "individual" | "" => "individual",
        "group" => "group",
        _ => return Err(AppError::invalid(ErrorCode::EntrantKindInvalid, "entrant_kind")),
    };
    let name = clean(&i.entrant_name);
    if name.is_empty() || name.chars().count() > 150 {
        return Err(AppError::invalid(ErrorCode::EntrantNameRequired, "entrant_name"));
    }
    let members = Some(clean(&i.members)).filter(|m| !m.is_empty());
    if members.as_ref().is_some_and(|m| m.chars().count() > 1000) {
        return Err(AppError::invalid(ErrorCode::MembersTooLong, "members"));
    }
    let units = st.units().await?;
    let unit_id = Some(i.unit_id.trim().to_string()).filter(|u| !u.is_empty());
    if unit_id
        .as_ref()
        .is_some_and(|u| !units.iter().any(|x| &x.id == u && x.active == 1))
    {
        return Err(AppError::invalid(ErrorCode::UnitUnknown, "unit_id"));
    }
    let affiliation = Some(clean(&i.affiliation)).filter(|a| !a.is_empty());
    if affiliation.as_ref().is_some_and(|a| a.chars().count() > 200) {
        return Err(AppError::invalid(ErrorCode::AffiliationTooLong, "affiliation"));
    }
    let Some(contact) = contact_key(&i.contact) else {
        return Err(AppError::invalid(ErrorCode::ContactInvalid, "contact"));
    };
    if !i.consent {
        return Err(AppError::invalid(ErrorCode::ConsentRequired, "consent"));
    }
    let mut people = Vec::new();
    for code in i
        .card_codes
        .split(|ch: char| ch == ',' || ch == ';' || ch.is_whitespace())
        .filter(|s| !s.is_empty())
        .take(20)
    {
        match st.store.person_by_card(&st.plan_id, code.trim()).await {
            Ok(p) if p.active == 1 => people.push(p.id),
            _ => return Err(AppError::invalid(ErrorCode::CardUnknown, "card_codes")),
        }
    }
    people.sort();
    people.dedup();
    let e = NewEntry {
        id: entry_id,
        plan_id: st.plan_id.clone(),
        line_id: c.id().to_string(),
        receipt: receipt(&c),
        entrant_key: format!("{}|{contact}", fold_key(&name)),
        work: w,
        entrant_kind: kind.into(),
        entrant_name: name,
        members,
        unit_id,
        affiliation,
        contact: clean(&i.contact),
        people,
        day: contest::vn_day(now).iso(),
    };
    let (row, created) = st.store.submit_entry(&e, now).await?;
    if created {
        st.entry_limiter.fail(client);
    }
    Ok((row, created))
}

/// The entry behind a receipt code, with its contest.
pub async fn by_receipt(st: &AppState, code: &str) -> Result<(EntryRow, Contest), AppError> {
    let code = code.trim().to_uppercase();
    let entry = st
        .store
        .entry_by_receipt(&st.plan_id, &code)
        .await?
        .ok_or_else(|| AppError::invalid(ErrorCode::ReceiptUnknown, "receipt"))?;
    let c = contest(st, &entry.line_id).await?;
    Ok((entry, c))
}

/// Replaces an entry's work while the window is open.
pub async fn replace(st: &AppState, code: &str, i: EntryInput, now: i64) -> Result<(), AppError> {
    let (entry, c) = by_receipt(st, code).await?;
    if let Some(e) = c.window_refusal(now) {
        return Err(e);
    }
    let w = work(&c, &i)?;
    Ok(st.store.replace_entry(&st.plan_id, &entry.receipt, &w, now).await?)
}

/// Withdraws an entry while the window is open.
pub async fn withdraw(st: &AppState, code: &str, now: i64) -> Result<(), AppError> {
    let (entry, c) = by_receipt(st, code).await?;
    if let Some(e) = c.window_refusal(now) {
        return Err(e);
    }
    Ok(st.store.withdraw_entry(&st.plan_id, &entry.receipt, now).await?)
}

async fn live_entry(st: &AppState, c: &Contest, entry_id: &str) -> Result<EntryRow, AppError> {
    match st.store.entry(&st.plan_id, entry_id).await? {
        Some(e) if e.line_id == c.id() && e.status == "submitted" => Ok(e),
        _ => Err(AppError::not_found()),
    }
}

/// A judge's scores for an entry: every criterion, each within 0..=max.
pub async fn score(
    st: &AppState,
    cu: &CurrentUser,
    line_id: &str,
    entry_id: &str,
    values: &BTreeMap<String, f64>,
    comment: Option<String>,
) -> Result<(), AppError> {
    let c = contest(st, line_id).await?;
    if !may_judge(st, cu, &c).await? {
        return Err(AppError::forbidden());
    }
    live_entry(st, &c, entry_id).await?;
    if let Some(k) = values.keys().find(|k| !c.criteria.iter().any(|x| &x.id == *k)) {
        tracing::debug!(criterion = %k, "unknown criterion");
        return Err(AppError::invalid(ErrorCode::CriterionUnknown, "scores"));
    }
    if contest::weighted_total(&c.criteria, values).is_none() {
        return Err(AppError::invalid(ErrorCode::ScoreOutOfRange, "scores"));
    }
    let comment = comment.map(|x| clean_multiline(&x)).filter(|x| !x.is_empty());
    if comment.as_ref().is_some_and(|x| x.chars().count() > 2000) {
        return Err(AppError::invalid(ErrorCode::NoteTooLong, "comment"));
    }
    st.store
        .save_score(
            &st.plan_id,
            entry_id,
            &cu.user.id,
            &to_json(values),
            comment.as_deref(),
            st.clock.now(),
        )
        .await?;
    Ok(())
}

/// A judge declares a conflict of interest: recused from the entry.
pub async fn recuse(
    st: &AppState,
    cu: &CurrentUser,
    line_id: &str,
    entry_id: &str,
    reason: &str,
) -> Result<(), AppError> {
    let c = contest(st, line_id).await?;
    if !may_judge(st, cu, &c).await? {
        return Err(AppError::forbidden());
    }
    live_entry(st, &c, entry_id).await?;
    if c.row.locked_at.is_some() {
        return Err(AppError::new(ErrorCode::ScoresLocked, Some("scores")));
    }
    let reason = clean(reason);
    let reason = if reason.is_empty() {
        "Tự khai xung đột lợi ích".to_string()
    } else {
        reason.chars().take(500).collect()
    };
    st.store
        .recuse(&st.plan_id, entry_id, &cu.user.id, &reason, st.clock.now())
        .await?;
    Ok(())
}

/// One line of the ranking: the entry, its standing, and its prize.
pub struct Standing {
    pub entry: EntryRow,
    pub ranked: Ranked,
}

/// Each judge's progress: (judge id, scored, to score).
pub type Progress = Vec<(String, usize, usize)>;

/// A contest's live entries ranked, each judge's progress (in the order of
/// the jury), and whether anything is scored yet.
pub struct Standings {
    pub rows: Vec<Standing>,
    pub progress: Progress,
    pub any_score: bool,
}

/// Ranks `entries` (the contest's, withdrawn ones left out here).
pub async fn standings(st: &AppState, c: &Contest, entries: &[EntryRow]) -> Result<Standings, AppError> {
    let live: Vec<&EntryRow> = entries.iter().filter(|e| e.status == "submitted").collect();
    let (scores, recusals, judges) = tokio::try_join!(
        st.store.scores(&st.plan_id, c.id()),
        st.store.recusals(&st.plan_id, c.id()),
        st.store.contest_judges(&st.plan_id, c.id()),
    )?;
    let totals: Vec<JudgeTotal> = scores
        .iter()
        .filter_map(|s| {
            let v: BTreeMap<String, f64> = serde_json::from_str(&s.scores).ok()?;
            Some(JudgeTotal {
                entry: s.entry_id.clone(),
                judge: s.judge_id.clone(),
                total: contest::weighted_total(&c.criteria, &v)?,
            })
        })
        .collect();
    let ids: Vec<String> = live.iter().map(|e| e.id.clone()).collect();
    let by_id: BTreeMap<&str, &EntryRow> = live.iter().map(|e| (e.id.as_str(), *e)).collect();
    let rows = contest::rank(&ids, &totals)
        .into_iter()
        .filter_map(|r| {
            by_id.get(r.entry.as_str()).map(|e| Standing {
                entry: (*e).clone(),
                ranked: r,
            })
        })
        .collect();
    let progress = judges
        .into_iter()
        .map(|j| {
            let scored = totals.iter().filter(|t| t.judge == j).count();
            let recused = recusals.iter().filter(|(e, jj)| jj == &j && ids.contains(e)).count();
            (j, scored, ids.len().saturating_sub(recused))
        })
        .collect();
    Ok(Standings {
        rows,
        progress,
        any_score: !scores.is_empty(),
    })
}

/// The settings the coordinator may change.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    pub name: String,
    /// First day of entries, dd/mm/yyyy or YYYY-MM-DD.
    pub entries_from: String,
    /// Last day of entries (accepted until 23:59 Vietnam time).
    pub entries_to: String,
    /// Results announced by this day (optional).
    #[serde(default)]
    pub awards_by: Option<String>,
    #[serde(default)]
    pub categories: Vec<String>,
    #[serde(default)]
    pub eligibility: String,
    pub prizes: Vec<String>,
}

fn clean_list(v: &[String], max: usize) -> Result<Vec<String>, ()> {
    let mut out: Vec<String> = Vec::new();
    for x in v.iter().map(|x| clean(x)).filter(|x| !x.is_empty()) {
        if x.chars().count() > 100 {
            return Err(());
        }
        if !out.contains(&x) {
            out.push(x);
        }
    }
    if out.len() > max {
        return Err(());
    }
    Ok(out)
}

pub async fn update_settings(st: &AppState, cu: &CurrentUser, line_id: &str, b: SettingsBody) -> Result<(), AppError> {
    let c = contest(st, line_id).await?;
    if !may_manage(cu, &c) {
        return Err(AppError::forbidden());
    }
    let name = clean(&b.name);
    if name.is_empty() || name.chars().count() > 200 {
        return Err(AppError::invalid(ErrorCode::NameRequired, "name"));
    }
    let from =
        Day::parse_any(&b.entries_from).ok_or_else(|| AppError::invalid(ErrorCode::DayInvalid, "entries_from"))?;
    let to = Day::parse_any(&b.entries_to).ok_or_else(|| AppError::invalid(ErrorCode::DayInvalid, "entries_to"))?;
    if to < from {
        return Err(AppError::invalid(ErrorCode::PeriodReversed, "entries_to"));
    }
    let awards_by = match b.awards_by.as_deref().map(str::trim).filter(|x| !x.is_empty()) {
        None => None,
        Some(x) => {
            let d = Day::parse_any(x).ok_or_else(|| AppError::invalid(ErrorCode::DayInvalid, "awards_by"))?;
            if d < to {
                return Err(AppError::invalid(ErrorCode::AwardsBeforeClose, "awards_by"));
            }
            Some(d)
        }
    };
    let categories =
        clean_list(&b.categories, 20).map_err(|_| AppError::invalid(ErrorCode::CategoriesInvalid, "categories"))?;
    let prizes = clean_list(&b.prizes, 20).map_err(|_| AppError::invalid(ErrorCode::PrizesInvalid, "prizes"))?;
    if prizes.is_empty() {
        return Err(AppError::invalid(ErrorCode::PrizesInvalid, "prizes"));
    }
    let eligibility = clean_multiline(&b.eligibility);
    if eligibility.chars().count() > 2000 {
        return Err(AppError::invalid(ErrorCode::NoteTooLong, "eligibility"));
    }
    let s = ContestSettings {
        name,
        entries_from: from.iso(),
        entries_to: to.iso(),
        awards_by: awards_by.map(|d| d.iso()),
        categories: to_json(&categories),
        eligibility,
        prizes: to_json(&prizes),
    };
    st.store
        .update_contest(&st.plan_id, c.id(), &s, &cu.user.id, st.clock.now())
        .await?;
    Ok(())
}

/// A rubric as sent: labels, weights and maxima; ids are kept for labels
/// that stay, made for new ones.
#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CriterionBody {
    pub label: String,
    pub weight: u32,
    #[serde(default = "ten")]
    pub max: u32,
}

fn ten() -> u32 {
    10
}

pub async fn set_rubric(
    st: &AppState,
    cu: &CurrentUser,
    line_id: &str,
    body: Vec<CriterionBody>,
) -> Result<(), AppError> {
    let c = contest(st, line_id).await?;
    if !may_manage(cu, &c) {
        return Err(AppError::forbidden());
    }
    let mut criteria: Vec<Criterion> = Vec::new();
    for (n, b) in body.into_iter().enumerate() {
        let label = clean(&b.label);
        let id = c
            .criteria
            .iter()
            .find(|x| x.label == label)
            .map(|x| x.id.clone())
            .unwrap_or_else(|| format!("tieu-chi-{}", n + 1));
        let id = if criteria.iter().any(|x| x.id == id) {
            format!("tieu-chi-{}", n + 1)
        } else {
            id
        };
        criteria.push(Criterion {
            id,
            label,
            weight: b.weight,
            max: b.max,
        });
    }
    if let Err(e) = contest::check_rubric(&criteria) {
        let code = match e {
            contest::RubricError::Empty | contest::RubricError::TooMany => ErrorCode::RubricSize,
            contest::RubricError::Label | contest::RubricError::Duplicate => ErrorCode::CriterionLabelInvalid,
            contest::RubricError::Weight => ErrorCode::CriterionWeightInvalid,
            contest::RubricError::Max => ErrorCode::CriterionMaxInvalid,
        };
        return Err(AppError::invalid(code, "criteria"));
    }
    st.store
        .set_rubric(&st.plan_id, c.id(), &to_json(&criteria), &cu.user.id, st.clock.now())
        .await?;
    Ok(())
}

pub async fn set_judges(st: &AppState, cu: &CurrentUser, line_id: &str, judges: Vec<String>) -> Result<(), AppError> {
    let c = contest(st, line_id).await?;
    if !may_manage(cu, &c) {
        return Err(AppError::forbidden());
    }
    if judges.len() > 30 {
        return Err(AppError::invalid(ErrorCode::JudgeUnknown, "judges"));
    }
    st.store
        .set_judges(&st.plan_id, c.id(), &judges, &cu.user.id, st.clock.now())
        .await?;
    Ok(())
}

pub async fn lock(st: &AppState, cu: &CurrentUser, line_id: &str, locked: bool) -> Result<(), AppError> {
    let c = contest(st, line_id).await?;
    if !may_manage(cu, &c) {
        return Err(AppError::forbidden());
    }
    st.store
        .lock_scores(&st.plan_id, c.id(), locked, &cu.user.id, st.clock.now())
        .await?;
    Ok(())
}

pub async fn set_prize(
    st: &AppState,
    cu: &CurrentUser,
    line_id: &str,
    entry_id: &str,
    prize: Option<String>,
) -> Result<(), AppError> {
    let c = contest(st, line_id).await?;
    if !may_manage(cu, &c) {
        return Err(AppError::forbidden());
    }
    let prize = prize.map(|p| clean(&p)).filter(|p| !p.is_empty());
    if prize.as_ref().is_some_and(|p| !c.prizes.contains(p)) {
        return Err(AppError::invalid(ErrorCode::PrizeUnknown, "prize"));
    }
    st.store
        .set_prize(
            &st.plan_id,
            c.id(),
            entry_id,
            prize.as_deref(),
            &cu.user.id,
            st.clock.now(),
        )
        .await?;
    Ok(())
}

pub async fn publish(st: &AppState, cu: &CurrentUser, line_id: &str) -> Result<(), AppError> {
    let c = contest(st, line_id).await?;
    if !may_manage(cu, &c) {
        return Err(AppError::forbidden());
    }
    st.store
        .publish_results(&st.plan_id, c.id(), &cu.user.id, st.clock.now())
        .await?;
    Ok(())
}

/// Prize winners of a published contest, in the order of the prize list.
pub async fn winners(st: &AppState, c: &Contest) -> Result<Vec<EntryRow>, AppError> {
    if c.row.published_at.is_none() {
        return Ok(Vec::new());
    }
    let entries = st.store.entries(&st.plan_id, c.id()).await?;
    Ok(kehoach_store::winners_in_prize_order(&c.prizes, &entries)
        .into_iter()
        .cloned()
        .collect())
}

/// "Trường TH Trung Lập · lớp 5A": the unit and what the entrant wrote.
pub fn affiliation(units: &[kehoach_store::UnitRow], e: &EntryRow) -> Option<String> {
    e.affiliation(|u| units.iter().find(|x| x.id == u).map(|x| x.name.clone()))
}

/// The winner's certificate as PDF.
pub async fn certificate(st: &AppState, c: &Contest, e: &EntryRow) -> Result<Vec<u8>, AppError> {
    let p = &st.plan;
    let units = st.units().await?;
    let day = c
        .row
        .published_at
        .map(contest::vn_day)
        .unwrap_or_else(|| st.clock.today());
    let cert = kehoach_report::pdf::Certificate {
        issuer: p.plan.issuer.clone(),
        place_date: format!("{}, {}", p.plan.commune, kehoach_core::report::long_date(day)),
        name: e.entrant_name.clone(),
        affiliation: affiliation(&units, e),
        prize: e.prize.clone().unwrap_or_default(),
        contest: c
            .row
            .name
            .trim_start_matches("Cuộc thi")
            .trim()
            .trim_matches(['“', '”', '"'])
            .to_string(),
        title: e.title.clone(),
        signer_lines: [p.signer.on_behalf.clone()]
            .into_iter()
            .chain(p.signer.deputy_for.clone())
            .chain([p.signer.position.clone()])
            .filter(|x| !x.is_empty())
            .collect(),
        signer_name: p.signer.name.clone(),
    };
    kehoach_report::pdf::certificate(&cert).map_err(|e| {
        tracing::error!(error = %e, "certificate");
        AppError::new(ErrorCode::Internal, None)
    })
}
