//! The report's rules: its figures (the engine's standings over the stored
//! facts, the same as `kehoach report summary` and the board), the texts and
//! budget the coordinator writes. Doors: `pages.rs` (the report on screen
//! and its downloads), `exports.rs` (the workbook), `api.rs`.

pub mod api;
pub mod exports;
pub mod pages;

use kehoach_core::engine::{self, Facts, Standing};
use kehoach_core::report::{Report, Sheet};
use kehoach_core::{Day, ErrorCode, Plan};
use kehoach_store::{ExportFilter, Store, StoreError};
use serde::Deserialize;

use crate::AppState;
use crate::http::errors::AppError;
use crate::http::policy::{Action, allowed};

/// The engine's board as of a day over the stored facts (the store reads,
/// the engine computes). Pages, the binary and the tests all read the
/// figures through these three functions.
pub async fn standings(store: &Store, plan: &Plan, as_of: Day) -> Result<(Facts, Vec<Standing>), StoreError> {
    let facts = store.facts(plan, as_of).await?;
    let standings = engine::board(plan, &facts, as_of);
    Ok((facts, standings))
}

/// The summary report as of `as_of`, dated `signed_on`.
pub async fn summary_report(store: &Store, plan: &Plan, as_of: Day, signed_on: Day) -> Result<Report, StoreError> {
    let data = store.report_data(plan, as_of).await?;
    let standings = engine::board(plan, &data.facts, as_of);
    Ok(data.summary(plan, &standings, as_of, signed_on))
}

/// The workbook's sheets for the filter, with the targets as of `as_of`.
pub async fn workbook(store: &Store, plan: &Plan, f: &ExportFilter, as_of: Day) -> Result<Vec<Sheet>, StoreError> {
    let (_, standings) = standings(store, plan, as_of).await?;
    store.export_sheets(plan, f, &standings, as_of).await
}

/// Saves the sections the coordinator writes; an empty text goes back to the
/// text built from the figures.
pub async fn save_texts(
    st: &AppState,
    cu: &crate::http::auth::CurrentUser,
    texts: &[(String, String)],
) -> Result<(), AppError> {
    if !allowed(&cu.user, Action::EditReport) {
        return Err(AppError::forbidden());
    }
    // Check every section first: nothing is saved when one is refused.
    for (section, body) in texts {
        if !kehoach_core::report::REPORT_SECTIONS
            .iter()
            .any(|(k, _, _)| k == section)
        {
            return Err(AppError::invalid(ErrorCode::SectionUnknown, "section"));
        }
        if body.chars().count() > kehoach_store::REPORT_TEXT_MAX_CHARS {
            return Err(AppError::invalid(ErrorCode::ReportTextTooLong, "body"));
        }
    }
    for (section, body) in texts {
        st.store
            .set_report_text(&st.plan_id, section, body, &cu.user.id, st.clock.now())
            .await?;
    }
    Ok(())
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportTextBody {
    /// The text, one paragraph per line; empty: back to the text built from the figures.
    pub body: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetLineBody {
    pub line_id: String,
    /// Đồng; null: not entered.
    #[serde(default)]
    pub estimate: Option<i64>,
    #[serde(default)]
    pub spent: Option<i64>,
    #[serde(default)]
    pub contributions: Option<i64>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BudgetBody {
    pub lines: Vec<BudgetLineBody>,
}

async fn save_budget(
    st: &AppState,
    cu: &crate::http::auth::CurrentUser,
    lines: Vec<BudgetLineBody>,
) -> Result<(), AppError> {
    if !allowed(&cu.user, Action::EditReport) {
        return Err(AppError::forbidden());
    }
    let lines: Vec<(String, kehoach_store::BudgetLine)> = lines
        .into_iter()
        .map(|l| {
            (
                l.line_id,
                kehoach_store::BudgetLine {
                    estimate: l.estimate,
                    spent: l.spent,
                    contributions: l.contributions,
                },
            )
        })
        .collect();
    st.store
        .set_budget_lines(&st.plan, &lines, &cu.user.id, st.clock.now())
        .await?;
    Ok(())
}
