//! The city's board (`/thanh-pho`): every commune of the city with the
//! standing of the plan it works in (its newest running plan) as of a day:
//! how many targets are met, on pace, behind, at risk; its support turns
//! and held sessions; communes ranked, those holding the city back first
//! (lowest share of targets met or on pace, then least of its targets
//! reached, then most at risk);
//! a communes × targets grid coloured by status; support turns by service
//! summed over communes (service ids are the shared catalogue's, so they
//! mean the same everywhere). Targets are never summed across plans: the
//! grid shows each commune's status side by side, one column per target id
//! and name.

use std::collections::BTreeMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kehoach_core::engine::Status;
use kehoach_core::text::vn_int;
use kehoach_core::{Day, ErrorCode};
use serde::Deserialize;

use crate::AppState;
use crate::communes::url_on_host;
use crate::http::auth::PageUser;
use crate::http::errors::AppError;
use crate::ui::{Chrome, chrome, error_notice, forbidden_page, render};

/// One commune's line of the board.
pub struct CommuneStanding {
    pub name: String,
    pub url: String,
    pub plan: String,
    pub met: usize,
    pub on_track: usize,
    pub behind: usize,
    pub at_risk: usize,
    pub not_yet: usize,
    /// Met or on pace, of the targets whose window has opened: 0–100.
    pub score: f64,
    /// Mean share of each target reached (value ÷ threshold, at most 1):
    /// orders communes of the same score.
    pub progress: f64,
    pub score_text: String,
    pub turns: String,
    pub sessions: String,
    pub turns_n: i64,
    pub sessions_n: i64,
    /// Behind, at risk or failed on at least one target.
    pub holds_back: bool,
    /// Status (`as_str`) per grid column, empty where its plan has no such target.
    pub cells: Vec<(String, String)>,
}

/// A target of the city's own plan over its communes, as of the day.
pub struct CityTargetView {
    pub id: String,
    pub label: String,
    /// The rule: "> 80 % xã … (01/06/2026 – 31/08/2026)".
    pub rule: String,
    pub value: String,
    /// "3 / 12 xã" for shares of communes.
    pub detail: String,
    pub status: &'static str,
    pub status_label: &'static str,
    /// Communes behind what the day expects, furthest first.
    pub holding_back: Vec<String>,
}

/// A commune's (status, label) by grid column.
type Cells = BTreeMap<usize, (String, String)>;

#[derive(Template)]
#[template(path = "city_board.html")]
struct CityBoardPage {
    c: Chrome,
    city: String,
    as_of: String,
    communes: Vec<CommuneStanding>,
    /// (id, name) of each target column.
    columns: Vec<(String, String)>,
    /// (service label, turns) over every commune, most first.
    services: Vec<(String, String)>,
    total_turns: String,
    total_sessions: String,
    holding_back: Vec<String>,
    /// The city's own plan, if it has targets over its communes.
    city_plan: String,
    targets: Vec<CityTargetView>,
}

#[derive(Deserialize, Default)]
pub struct CityBoardQuery {
    pub ngay: Option<String>,
}

/// `GET /thanh-pho`: the city's board as of `ngay` (default: today).
pub async fn city_board(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    Query(q): Query<CityBoardQuery>,
) -> Response {
    if let Some(r) = super::city_only(&st, &cu) {
        return r;
    }
    if !super::may_read(&cu) {
        return forbidden_page(&st, &cu);
    }
    let today = st.clock.today();
    let (as_of, notice) = match q.ngay.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => (today, None),
        Some(s) => match Day::parse_any(s) {
            Some(d) => (d, None),
            None => (today, error_notice(&AppError::invalid(ErrorCode::AsOfInvalid, "ngay"))),
        },
    };
    match load(&st, as_of).await {
        Ok(mut page) => {
            let notice = crate::ui::replica_notice(&st, notice).await;
            page.c = chrome(&st, Some(&cu), "Theo dõi các xã, phường", "city_board", notice);
            render(StatusCode::OK, &page)
        }
        Err(e) => e.into_response(),
    }
}

/// Every commune of a city as of a day: what the city board shows.
pub struct CityRollup {
    /// Ranked, furthest behind first.
    pub communes: Vec<CommuneStanding>,
    /// (target id, name) of each grid column.
    pub columns: Vec<(String, String)>,
    /// (service label, turns) over every commune, most first.
    pub services: Vec<(String, i64)>,
    pub total_turns: i64,
    pub total_sessions: i64,
    /// The targets of the city's own plan, evaluated over its communes.
    pub targets: Vec<CityTargetView>,
}

/// One commune's standing, its grid cells by (target id, name), its turns
/// by service (id, label, turns) and its totals.
struct OneCommune {
    standing: CommuneStanding,
    cells: Vec<((String, String), (String, String))>,
    services: Vec<(String, String, i64)>,
    turns: i64,
    sessions: i64,
}

/// The city's communes as of `as_of`, ranked: every commune's aggregates
/// read at once (`Store::city_facts`, a fixed number of queries), each
/// commune's board computed by the engine as its own board does.
pub async fn city_rollup(
    store: &kehoach_store::Store,
    city_id: &str,
    as_of: Day,
    city_plan: Option<&kehoach_core::Plan>,
) -> Result<CityRollup, AppError> {
    let city_plan = city_plan.filter(|p| !p.targets.is_empty());
    let facts = store.city_facts(city_id, as_of, city_plan).await?;
    let targets = city_plan.map(|p| city_targets(p, &facts, as_of)).unwrap_or_default();
    let read: Vec<OneCommune> = facts.into_iter().map(|c| one_commune(c, as_of)).collect();
    let mut columns: Vec<(String, String)> = Vec::new();
    let mut rows: Vec<(CommuneStanding, Cells)> = Vec::new();
    let mut services: BTreeMap<String, (String, i64)> = BTreeMap::new();
    let (mut total_turns, mut total_sessions) = (0i64, 0i64);
    for one in read {
        total_turns += one.turns;
        total_sessions += one.sessions;
        for (id, label, n) in one.services {
            services.entry(id).or_insert((label, 0)).1 += n;
        }
        let mut cells = BTreeMap::new();
        for (key, cell) in one.cells {
            let col = match columns.iter().position(|c| *c == key) {
                Some(i) => i,
                None => {
                    columns.push(key);
                    columns.len() - 1
                }
            };
            cells.insert(col, cell);
        }
        rows.push((one.standing, cells));
    }
    // Furthest behind first: lowest share met or on pace, then least of
    // its targets reached, then most at risk.
    rows.sort_by(|a, b| {
        a.0.score
            .total_cmp(&b.0.score)
            .then(a.0.progress.total_cmp(&b.0.progress))
            .then(b.0.at_risk.cmp(&a.0.at_risk))
            .then(a.0.name.cmp(&b.0.name))
    });
    let communes = rows
        .into_iter()
        .map(|(mut c, cells)| {
            c.cells = (0..columns.len())
                .map(|i| cells.get(&i).cloned().unwrap_or_default())
                .collect();
            c
        })
        .collect();
    let mut services: Vec<(String, i64)> = services.into_values().collect();
    services.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Ok(CityRollup {
        communes,
        columns,
        services,
        total_turns,
        total_sessions,
        targets,
    })
}

/// The city's own targets over its communes as of `as_of` (the engine with
/// the commune as the unit; `kehoach_core::rollup`).
fn city_targets(
    city: &kehoach_core::Plan,
    communes: &[kehoach_store::facts::city::CommuneFacts],
    as_of: Day,
) -> Vec<CityTargetView> {
    let inputs: Vec<kehoach_core::rollup::CommuneInput<'_>> = communes
        .iter()
        .map(|c| kehoach_core::rollup::CommuneInput {
            id: &c.commune.id,
            plan: &c.plan,
            facts: &c.facts,
            active: true,
        })
        .collect();
    let facts = kehoach_core::rollup::city_facts(city, &inputs, as_of);
    let name = |id: &str| {
        communes
            .iter()
            .find(|c| c.commune.id == id)
            .map(|c| c.commune.name.clone())
            .unwrap_or_default()
    };
    city.targets
        .iter()
        .map(|t| {
            let s = kehoach_core::engine::standing(city, t, &facts, as_of);
            let detail = match s.value.denominator {
                Some(d) if t.unit_kind.is_some() => {
                    format!("{} / {} xã", vn_int(s.value.numerator as i64), vn_int(d as i64))
                }
                _ => String::new(),
            };
            CityTargetView {
                id: t.id.clone(),
                label: t.label.clone(),
                rule: kehoach_core::plan::show::target_rule(city, t),
                value: kehoach_core::report::figure(t, s.value.value),
                detail,
                status: s.status.as_str(),
                status_label: s.status.label(),
                holding_back: s
                    .laggards
                    .iter()
                    .filter(|l| l.holds_back)
                    .map(|l| name(&l.id))
                    .collect(),
            }
        })
        .collect()
}

/// One commune's standing as of `as_of`, in the plan it works in.
fn one_commune(c: kehoach_store::facts::city::CommuneFacts, as_of: Day) -> OneCommune {
    let kehoach_store::facts::city::CommuneFacts {
        commune,
        plan,
        facts,
        services: by_service,
    } = c;
    let standings = kehoach_core::engine::board(&plan, &facts, as_of);
    let count = |s: Status| standings.iter().filter(|x| x.status == s).count();
    let (met, on_track, behind) = (count(Status::Met), count(Status::OnTrack), count(Status::Behind));
    let at_risk = count(Status::AtRisk) + count(Status::Failed);
    let not_yet = count(Status::NotYet) + count(Status::NotStarted);
    let started = standings.len() - count(Status::NotYet);
    let score = if started == 0 {
        100.0
    } else {
        100.0 * (met + on_track) as f64 / started as f64
    };
    let shares: Vec<f64> = standings
        .iter()
        .filter_map(|s| {
            let t = plan.targets.iter().find(|t| t.id == s.value.target_id)?;
            (t.threshold > 0.0).then(|| (s.value.value / t.threshold).clamp(0.0, 1.0))
        })
        .collect();
    let progress = if shares.is_empty() {
        1.0
    } else {
        shares.iter().sum::<f64>() / shares.len() as f64
    };
    let turns: i64 = facts.turns.iter().map(|g| i64::from(g.n)).sum();
    let sessions: i64 = facts.sessions.iter().map(|g| i64::from(g.n)).sum();
    let services = by_service
        .into_iter()
        .map(|(service, n)| {
            let label = plan
                .lines
                .iter()
                .flat_map(|l| l.services.iter())
                .find(|s| s.id == service)
                .map(|s| s.label.clone())
                .unwrap_or_else(|| service.clone());
            (service, label, n)
        })
        .collect();
    let cells = standings
        .iter()
        .map(|s| {
            let name = plan
                .targets
                .iter()
                .find(|t| t.id == s.value.target_id)
                .map(|t| t.label.clone())
                .unwrap_or_default();
            (
                (s.value.target_id.clone(), name),
                (s.status.as_str().to_string(), s.status.label().to_string()),
            )
        })
        .collect();
    OneCommune {
        standing: CommuneStanding {
            url: format!("/thanh-pho/xa/{}?ngay={}", commune.slug, as_of.vn()),
            name: commune.name,
            plan: plan.plan.short_title.clone(),
            met,
            on_track,
            behind,
            at_risk,
            not_yet,
            score,
            progress,
            score_text: format!("{}%", vn_int(score.round() as i64)),
            turns: vn_int(turns),
            sessions: vn_int(sessions),
            turns_n: turns,
            sessions_n: sessions,
            holds_back: behind + at_risk > 0,
            cells: Vec::new(),
        },
        cells,
        services,
        turns,
        sessions,
    }
}

async fn load(st: &AppState, as_of: Day) -> Result<CityBoardPage, AppError> {
    let r = city_rollup(&st.store, &st.commune.id, as_of, Some(&st.plan)).await?;
    Ok(CityBoardPage {
        c: chrome(st, None, "", "", None),
        city: st.commune.name.clone(),
        as_of: as_of.vn(),
        holding_back: r
            .communes
            .iter()
            .filter(|c| c.at_risk > 0)
            .map(|c| c.name.clone())
            .collect(),
        communes: r.communes,
        columns: r.columns,
        services: r.services.into_iter().map(|(l, n)| (l, vn_int(n))).collect(),
        total_turns: vn_int(r.total_turns),
        total_sessions: vn_int(r.total_sessions),
        city_plan: st.plan.plan.short_title.clone(),
        targets: r.targets,
    })
}

#[derive(Template)]
#[template(path = "city_commune.html")]
struct CityCommunePage {
    c: Chrome,
    city: String,
    commune: String,
    slug: String,
    url: String,
    plan: String,
    as_of: String,
    cards: Vec<crate::board::page::CardView>,
}

/// `GET /thanh-pho/xa/{slug}`: one commune of the city, its targets as of
/// `ngay` as its own board shows them, read only (no link into records, no
/// reminder). A commune of another city, or none, is not found.
pub async fn commune_board(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    axum::extract::Path(slug): axum::extract::Path<String>,
    Query(q): Query<CityBoardQuery>,
) -> Response {
    if let Some(r) = super::city_only(&st, &cu) {
        return r;
    }
    if !super::may_read(&cu) {
        return forbidden_page(&st, &cu);
    }
    let (as_of, notice) = parse_day(&st, q.ngay.as_deref());
    let found = match st.store.city_communes(&st.commune.id).await {
        Ok(list) => list.into_iter().find(|c| c.slug == slug),
        Err(e) => return AppError::from(e).into_response(),
    };
    let Some(commune) = found else {
        return crate::ui::not_found_page(&st, &cu);
    };
    let page = async {
        let plan_id = st
            .store
            .commune_plan_id(&commune.id)
            .await?
            .ok_or_else(AppError::not_found)?;
        let plan = st.store.load_plan(&plan_id).await?;
        let url = url_on_host(&st.public_url, commune.host.as_deref().unwrap_or_default());
        let name = commune.name.clone();
        let cst = st.for_commune(commune, plan.clone());
        let b = crate::board::BoardData::load(&cst, as_of).await?;
        let notice = crate::ui::replica_notice(&st, notice).await;
        // No unit matches "—": no link into the commune's records.
        let cards = plan
            .targets
            .iter()
            .zip(&b.standings)
            .map(|(t, s)| crate::board::page::card(&plan, t, s, &b, false, Some("—")))
            .collect();
        Ok::<_, AppError>(CityCommunePage {
            c: chrome(&st, Some(&cu), &name, "city_board", notice),
            city: st.commune.name.clone(),
            commune: name,
            slug,
            url,
            plan: plan.plan.short_title.clone(),
            as_of: as_of.vn(),
            cards,
        })
    }
    .await;
    match page {
        Ok(p) => render(StatusCode::OK, &p),
        Err(e) => e.into_response(),
    }
}

/// `ngay` as a day (today when absent), or today with the reason it was refused.
fn parse_day(st: &AppState, raw: Option<&str>) -> (Day, Option<crate::ui::Notice>) {
    let today = st.clock.today();
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => (today, None),
        Some(s) => match Day::parse_any(s) {
            Some(d) => (d, None),
            None => (today, error_notice(&AppError::invalid(ErrorCode::AsOfInvalid, "ngay"))),
        },
    }
}
