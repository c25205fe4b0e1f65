//! The board (bảng theo dõi): every target as of a date with status, pace,
//! forecasts and laggards; the T6 chart, the R6 class × week grid, the
//! timeline with sessions held, the units table; the records behind every
//! figure; and the same figures as JSON (`GET /api/v1/board`).
//!
//! Figures come from one place: `kehoach_core::engine::board` over the
//! store's aggregates. Pages and the API only format them.

pub mod api;
pub mod page;
pub mod trace;
pub mod unit_home;

use std::fmt::Write;
use std::sync::Arc;

use kehoach_core::engine::{self, Facts, Standing};
use kehoach_core::text::vn_num;
use kehoach_core::{Day, Measure, TargetDef};
use kehoach_store::{ClassRow, UnitRow};

use crate::AppState;
use crate::http::errors::AppError;

/// Records listed per page behind a figure.
pub const TRACE_PAGE: i64 = 500;

/// Where the records behind a figure are listed.
pub fn records_url(target: &str, subject: Option<&str>, as_of: Day) -> String {
    let mut u = format!("/theo-doi/ho-so?chi-tieu={target}&ngay={}", as_of.vn());
    if let Some(s) = subject {
        let _ = write!(u, "&doi-tuong={s}");
    }
    u
}

fn api_records_url(target: &str, subject: Option<&str>, as_of: Day) -> String {
    let mut u = format!("/api/v1/board/records?target={target}&as_of={}", as_of.iso());
    if let Some(s) = subject {
        let _ = write!(u, "&subject={s}");
    }
    u
}

/// A figure with its unit, as the board writes it: "63,2 %", "150 lượt"
/// (counts whole, the same as the report).
pub use kehoach_core::report::figure;

/// One unit's share as the board writes it: unit coverage counts the unit's
/// records (sessions), the other kinds use the target's own unit.
pub fn unit_figure(t: &TargetDef, v: f64) -> String {
    match t.measure {
        Measure::UnitCoverage => format!("{} buổi", vn_num((v - 1e-9).ceil(), 0)),
        _ => figure(t, v),
    }
}

/// Everything the board shows as of one day, computed once.
pub struct BoardData {
    pub as_of: Day,
    pub facts: Facts,
    pub standings: Vec<Standing>,
    pub names: Names,
}

impl BoardData {
    pub async fn load(st: &AppState, as_of: Day) -> Result<BoardData, AppError> {
        let (facts, names) = tokio::try_join!(
            async { Ok::<_, AppError>(st.store.facts(&st.plan, as_of).await?) },
            Names::load(st)
        )?;
        let standings = engine::board(&st.plan, &facts, as_of);
        Ok(BoardData {
            as_of,
            standings,
            facts,
            names,
        })
    }

    pub fn subject_name(&self, id: &str) -> String {
        self.names.subject(id)
    }
}

/// The plan's units (from the shared cache) and classes, to name what a figure is about.
pub struct Names {
    pub units: Arc<Vec<UnitRow>>,
    pub classes: Vec<ClassRow>,
}

impl Names {
    pub async fn load(st: &AppState) -> Result<Names, AppError> {
        Ok(Names {
            units: st.units().await?,
            classes: st.store.list_classes(&st.plan_id).await?,
        })
    }

    fn unit(&self, id: &str) -> Option<&UnitRow> {
        self.units.iter().find(|u| u.id == id)
    }

    /// The unit a subject (a unit, or a class for rate targets) belongs to.
    pub fn unit_of(&self, subject: &str) -> Option<&str> {
        match self.classes.iter().find(|c| c.id == subject) {
            Some(c) => Some(&c.unit_id),
            None => self.unit(subject).map(|u| u.id.as_str()),
        }
    }

    /// Name of a unit or (for rate targets) "school · lớp 6A".
    pub fn subject(&self, id: &str) -> String {
        if let Some(u) = self.unit(id) {
            return u.display_name().to_string();
        }
        if let Some(c) = self.classes.iter().find(|c| c.id == id) {
            let school = self.unit(&c.unit_id).map(|u| u.display_name()).unwrap_or("");
            return format!("{school} · lớp {}", c.name);
        }
        id.to_string()
    }
}

// ------------------------------------------------------------ a unit's home
