//! What reports and exports read: the summary and unit reports' figures with
//! names, the texts and budget the coordinator writes, the typed export sheets.

pub mod export;
pub mod report;
pub mod report_texts;
