//! `GET /thanh-pho/so-lieu.xlsx?ngay=`: the data workbook of every commune
//! of the city as of a day. First the communes (each with the standing of
//! its plan, as the city board ranks them) and the city plan's targets over
//! its communes, then each record kind's sheet of every commune, one after
//! another, a commune column in front. Sheets of the same kind have the
//! same columns whatever the commune's plan; figures of different plans
//! are listed side by side, never summed.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use kehoach_core::report::{Cell, Sheet};
use kehoach_core::{Day, ErrorCode};

use super::board::{CityBoardQuery, city_rollup};
use crate::AppState;
use crate::http::auth::PageUser;
use crate::http::errors::AppError;
use crate::ui::forbidden_page;

/// `GET /thanh-pho/so-lieu.xlsx`: the city's workbook as of `ngay` (default today).
pub async fn city_workbook(
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
    let as_of = match q.ngay.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => st.clock.today(),
        Some(s) => match Day::parse_any(s) {
            Some(d) => d,
            None => return AppError::invalid(ErrorCode::AsOfInvalid, "ngay").into_response(),
        },
    };
    let sheets = match sheets(&st, as_of).await {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    match kehoach_report::sheets::xlsx(&sheets) {
        Ok(bytes) => crate::reports::exports::download(
            bytes,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            &format!("so-lieu-{}-{}.xlsx", st.commune.slug, as_of.iso()),
        ),
        Err(e) => {
            tracing::error!(error = %e, "city workbook failed");
            AppError::new(ErrorCode::Internal, None).into_response()
        }
    }
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

/// The workbook's sheets as of `as_of`.
async fn sheets(st: &AppState, as_of: Day) -> Result<Vec<Sheet>, AppError> {
    let r = city_rollup(&st.store, &st.commune.id, as_of, Some(&st.plan)).await?;
    let mut out = vec![Sheet {
        id: "xa".into(),
        name: "Các xã, phường".into(),
        columns: [
            "Xã, phường",
            "Kế hoạch",
            "Đạt, đúng tiến độ (%)",
            "Đạt",
            "Đúng tiến độ",
            "Chậm",
            "Nguy cơ, không đạt",
            "Chưa đến thời gian",
            "Lượt hỗ trợ",
            "Buổi",
        ]
        .map(String::from)
        .to_vec(),
        rows: r
            .communes
            .iter()
            .map(|c| {
                vec![
                    text(&c.name),
                    text(&c.plan),
                    Cell::Num((c.score * 10.0).round() / 10.0),
                    Cell::Int(c.met as i64),
                    Cell::Int(c.on_track as i64),
                    Cell::Int(c.behind as i64),
                    Cell::Int(c.at_risk as i64),
                    Cell::Int(c.not_yet as i64),
                    Cell::Int(c.turns_n),
                    Cell::Int(c.sessions_n),
                ]
            })
            .collect(),
    }];
    if !r.targets.is_empty() {
        out.push(Sheet {
            id: "chi-tieu-thanh-pho".into(),
            name: "Chỉ tiêu thành phố".into(),
            columns: [
                "Chỉ tiêu",
                "Yêu cầu",
                "Kết quả",
                "Số xã",
                "Tình trạng",
                "Xã cần đôn đốc",
            ]
            .map(String::from)
            .to_vec(),
            rows: r
                .targets
                .iter()
                .map(|t| {
                    vec![
                        Cell::Text(format!("{} {}", t.id, t.label)),
                        text(&t.rule),
                        text(&t.value),
                        text(&t.detail),
                        text(t.status_label),
                        Cell::Text(t.holding_back.join(", ")),
                    ]
                })
                .collect(),
        });
    }
    // Each commune's records, in the order of the city's list.
    let mut kinds: Vec<Sheet> = Vec::new();
    for commune in st.store.city_communes(&st.commune.id).await? {
        let Some(plan_id) = st.store.commune_plan_id(&commune.id).await? else {
            continue;
        };
        let plan = st.store.load_plan(&plan_id).await?;
        let (_, standings) = crate::reports::standings(&st.store, &plan, as_of).await?;
        let f = kehoach_store::ExportFilter {
            unit_id: None,
            from: None,
            to: Some(as_of),
        };
        let name: Arc<str> = Arc::from(commune.name.as_str());
        for sheet in st.store.export_sheets(&plan, &f, &standings, as_of).await? {
            let rows = sheet.rows.into_iter().map(|row| {
                let mut r = Vec::with_capacity(row.len() + 1);
                r.push(Cell::Label(name.clone()));
                r.extend(row);
                r
            });
            match kinds.iter_mut().find(|k| k.id == sheet.id) {
                Some(k) => k.rows.extend(rows),
                None => {
                    let mut columns = vec!["Xã, phường".to_string()];
                    columns.extend(sheet.columns);
                    kinds.push(Sheet {
                        id: sheet.id,
                        // The targets sheet names its date: the same for every commune.
                        name: sheet.name,
                        columns,
                        rows: rows.collect(),
                    });
                }
            }
        }
    }
    out.extend(kinds);
    Ok(out)
}
