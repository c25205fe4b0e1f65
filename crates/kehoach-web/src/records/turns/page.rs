//! The phone page that records support turns (it works offline: see `static/turns-*.js`).

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use kehoach_store::Role;

use crate::AppState;
use crate::http::auth::PageUser;
use crate::http::errors::AppError;
use crate::http::policy::{Action, allowed};
use crate::ui::Chrome;
use crate::ui::chrome;
use crate::ui::forbidden_page;
use crate::ui::not_found_page;
use crate::ui::render;

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
    /// The plan the turns are recorded in (each queued turn keeps it).
    plan_id: String,
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
    let today = st.clock.today();
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
    let mut c = chrome(&st, Some(&cu), "Ghi lượt hỗ trợ", "turns", None);
    c.plan_switch = crate::plan::plans::plan_switch(&st, "/ghi-luot").await;
    render(
        StatusCode::OK,
        &TurnsPage {
            c,
            v,
            plan_id: st.plan_id.clone(),
        },
    )
}
