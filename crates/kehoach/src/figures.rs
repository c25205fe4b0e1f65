//! The figures the binary prints and writes: the store reads, the engine
//! computes the standings, the report lays them out.

use kehoach_core::report::{Report, Sheet};
use kehoach_core::{Day, Plan, engine};
use kehoach_store::{ExportFilter, Store, StoreError};

/// The summary report as of `as_of`, dated `signed_on`.
pub async fn summary_report(store: &Store, plan: &Plan, as_of: Day, signed_on: Day) -> Result<Report, StoreError> {
    let data = store.report_data(plan, as_of).await?;
    let standings = engine::board(plan, &data.facts, as_of);
    Ok(data.summary(plan, &standings, as_of, signed_on))
}

/// The export workbook's sheets, with the targets as of `as_of`.
pub async fn export_sheets(store: &Store, plan: &Plan, f: &ExportFilter, as_of: Day) -> Result<Vec<Sheet>, StoreError> {
    let facts = store.facts(plan, as_of).await?;
    let standings = engine::board(plan, &facts, as_of);
    store.export_sheets(plan, f, &standings, as_of).await
}
