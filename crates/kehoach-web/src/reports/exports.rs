//! The records as a workbook (XLSX, a sheet per kind) or CSV, for a unit and a period.

use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use kehoach_core::ErrorCode;
use serde::Deserialize;

use crate::AppState;
use crate::http::auth::PageUser;
use crate::http::dates::parse_day_field;
use crate::http::errors::AppError;
use crate::http::policy::{Action, allowed};
use crate::ui::forbidden_page;

#[derive(Deserialize)]
pub struct ExportQuery {
    #[serde(rename = "don-vi")]
    pub don_vi: Option<String>,
    /// First day, dd/mm/yyyy or YYYY-MM-DD.
    pub tu: Option<String>,
    /// Last day (also the date of the targets sheet).
    pub den: Option<String>,
}

/// What a user may export: a unit reporter only their unit (the default
/// for them); coordinators and leaders any unit or all.
async fn export_sheets(
    st: &AppState,
    cu: &crate::http::auth::CurrentUser,
    q: &ExportQuery,
) -> Result<Vec<kehoach_core::report::Sheet>, AppError> {
    let asked = q.don_vi.clone().filter(|u| !u.is_empty());
    let unit = match asked {
        Some(u) => Some(u),
        None if allowed(&cu.user, Action::ReadUnitRecords { unit_id: None }) => None,
        None => cu.user.unit_id.clone(),
    };
    if !allowed(
        &cu.user,
        Action::ReadUnitRecords {
            unit_id: unit.as_deref(),
        },
    ) {
        return Err(AppError::forbidden());
    }
    let from = parse_day_field(q.tu.as_deref(), "tu")?;
    let to = parse_day_field(q.den.as_deref(), "den")?;
    let period = st.plan.plan.period;
    let as_of = to.unwrap_or_else(|| st.clock.today().min(period.end).max(period.start));
    let f = kehoach_store::ExportFilter {
        unit_id: unit,
        from,
        to,
    };
    Ok(crate::reports::workbook(&st.store, &st.plan, &f, as_of).await?)
}

pub(crate) fn download(bytes: Vec<u8>, content_type: &str, filename: &str) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// `GET /xuat/du-lieu.xlsx?don-vi=&tu=&den=`: every record kind, a sheet each.
pub async fn export_xlsx(State(st): State<AppState>, PageUser(cu): PageUser, Query(q): Query<ExportQuery>) -> Response {
    let sheets = match export_sheets(&st, &cu, &q).await {
        Ok(s) => s,
        Err(e) if e.status == StatusCode::FORBIDDEN => return forbidden_page(&st, &cu),
        Err(e) => return e.into_response(),
    };
    match kehoach_report::sheets::xlsx(&sheets) {
        Ok(bytes) => download(
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "du-lieu-ke-hoach.xlsx",
        ),
        Err(e) => {
            tracing::error!(error = %e, "export failed");
            AppError::new(ErrorCode::Internal, None).into_response()
        }
    }
}

/// `GET /xuat/{kind}.csv`: one record kind (buoi, diem-danh, luot-ho-tro, bao-phu, bai-du-thi, chi-tieu).
pub async fn export_csv(
    State(st): State<AppState>,
    PageUser(cu): PageUser,
    axum::extract::Path(file): axum::extract::Path<String>,
    Query(q): Query<ExportQuery>,
) -> Response {
    let Some(kind) = file.strip_suffix(".csv") else {
        return AppError::not_found().into_response();
    };
    let sheets = match export_sheets(&st, &cu, &q).await {
        Ok(s) => s,
        Err(e) if e.status == StatusCode::FORBIDDEN => return forbidden_page(&st, &cu),
        Err(e) => return e.into_response(),
    };
    match sheets.iter().find(|s| s.id == kind) {
        Some(s) => download(kehoach_report::sheets::csv(s), "text/csv; charset=utf-8", &file),
        None => AppError::not_found().into_response(),
    }
}
