//! A unit's home (`/don-vi-cua-toi`): its own share of each target against a steady pace, and its record pages.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

use crate::AppState;
use crate::board::BoardData;
use crate::board::records_url;
use crate::board::unit_figure;
use crate::http::auth::PageUser;
use crate::http::dates::default_as_of;
use crate::http::errors::AppError;
use crate::ui::{Chrome, chrome, render};

/// One target as a unit's reporter sees it: only their unit's share.
pub struct UnitTargetRow {
    pub id: String,
    pub label: String,
    pub value: String,
    pub goal: String,
    pub expected: String,
    /// "đạt", "đúng nhịp", "chậm so với nhịp đều", "chưa đến thời gian".
    pub state: &'static str,
    pub class: &'static str,
    pub url: String,
}

#[derive(Template)]
#[template(path = "unit_home.html")]
struct UnitHomePage {
    c: Chrome,
    name: String,
    as_of: String,
    can_turns: bool,
    rows: Vec<UnitTargetRow>,
}

/// `GET /don-vi-cua-toi`: where a unit's reporter lands: what to record
/// (turns, sessions, rosters) and their own unit's targets against a
/// steady pace, never other units' figures.
pub async fn unit_home(State(st): State<AppState>, PageUser(cu): PageUser) -> Response {
    let Some(unit_id) = cu.user.unit_id.clone() else {
        return crate::ui::see_other("/");
    };
    let as_of = default_as_of(&st.plan, st.clock.today());
    let b = match BoardData::load(&st, as_of).await {
        Ok(b) => b,
        Err(e) => return axum::response::IntoResponse::into_response(e),
    };
    let units = match st.units().await {
        Ok(u) => u,
        Err(e) => return axum::response::IntoResponse::into_response(AppError::from(e)),
    };
    let unit = units.iter().find(|u| u.id == unit_id);
    let rows = st
        .plan
        .targets
        .iter()
        .zip(&b.standings)
        .filter_map(|(t, s)| {
            let l = s.laggards.iter().find(|l| l.id == unit_id)?;
            let w = st.plan.target_window(t);
            let (state, class) = if as_of < w.start {
                ("chưa đến thời gian", "not_yet")
            } else if l.value >= l.goal {
                ("đạt", "met")
            } else if as_of >= w.end {
                ("không đạt", "failed")
            } else if l.holds_back {
                ("chậm so với nhịp đều", "at_risk")
            } else {
                ("đúng nhịp", "on_track")
            };
            Some(UnitTargetRow {
                id: t.id.clone(),
                label: t.label.clone(),
                value: unit_figure(t, l.value),
                goal: unit_figure(t, l.goal),
                expected: unit_figure(t, l.expected),
                state,
                class,
                url: records_url(&t.id, Some(&unit_id), as_of),
            })
        })
        .collect();
    let page = UnitHomePage {
        c: chrome(
            &st,
            Some(&cu),
            unit.map_or("Đơn vị của tôi", |u| u.name.as_str()),
            "unit_home",
            None,
        ),
        name: unit.map(|u| u.name.clone()).unwrap_or_default(),
        as_of: as_of.vn(),
        can_turns: unit.is_some_and(|u| u.kind == "village") && st.plan.lines.iter().any(|l| !l.services.is_empty()),
        rows,
    };
    render(StatusCode::OK, &page)
}
