//! Reading roster files (XLSX, XLS, ODS, CSV) into checked rows.
//!
//! Nothing is saved here: `preview` returns the accepted rows and every bad
//! row with its row number, column and reason in Vietnamese; the caller saves
//! the accepted rows in one transaction. Every cell is NFC-normalised.

use std::collections::HashMap;

use kehoach_core::ErrorCode;
use kehoach_core::text::fold_key;
use kehoach_report::upload;
use kehoach_store::{ClassRow, PersonInput, UnitRow, dedup_key};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::errors::AppError;

/// Largest roster file accepted.
pub const MAX_FILE_BYTES: usize = upload::ROSTER.max_file;

/// Bad rows listed in a preview; the rest are counted ("và N dòng khác").
pub const MAX_LISTED_ERRORS: usize = 100;

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct RowError {
    /// Row number as the spreadsheet shows it (the header is row 1).
    pub row: usize,
    pub column: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Preview {
    pub total_rows: usize,
    #[schema(value_type = Vec<Object>)]
    #[serde(skip)]
    pub accepted: Vec<PersonInput>,
    pub accepted_count: usize,
    /// The first bad rows (at most `MAX_LISTED_ERRORS`).
    pub errors: Vec<RowError>,
    /// Every bad row, listed or not.
    pub error_count: usize,
}

const COL_NAME: &str = "Họ và tên";
const COL_YEAR: &str = "Năm sinh";
const COL_UNIT: &str = "Đơn vị";
const COL_CLASS: &str = "Lớp";

/// The columns of a roster's template.
pub fn template_columns(roster: &str) -> Vec<&'static str> {
    if roster == "pupils" {
        vec![COL_NAME, COL_YEAR, COL_UNIT, COL_CLASS]
    } else {
        vec![COL_NAME, COL_YEAR, COL_UNIT]
    }
}

/// Reads the first sheet (or the CSV) as rows of text cells, under the
/// roster limits, off the async workers and cancelled with its request
/// (see `kehoach_report::upload`).
pub async fn read_table(st: &crate::AppState, bytes: Vec<u8>) -> Result<Vec<Vec<String>>, AppError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(AppError::invalid(ErrorCode::FileTooLarge, "file"));
    }
    let table = crate::http::heavy::run(&st.gates.parse, move |cancel| {
        upload::read_table(&bytes, &upload::ROSTER, cancel)
    })
    .await??;
    Ok(table)
}

fn column_of(header: &str) -> Option<&'static str> {
    match fold_key(header).as_str() {
        "ho va ten" | "ho ten" | "ten" | "ho va ten day du" => Some(COL_NAME),
        "nam sinh" | "nam" => Some(COL_YEAR),
        "don vi" | "thon" | "truong" | "co quan" | "chi doan" | "don vi/thon" => Some(COL_UNIT),
        "lop" => Some(COL_CLASS),
        _ => None,
    }
}

/// Checks every row of a roster table.
///
/// `default_unit` stands in when the file has no unit column (an import for one unit).
pub fn preview(
    roster: &str,
    table: &[Vec<String>],
    units: &[UnitRow],
    classes: &[ClassRow],
    default_unit: Option<&UnitRow>,
    this_year: i32,
) -> Result<Preview, AppError> {
    let Some((header, body)) = table.split_first() else {
        return Err(AppError::invalid(ErrorCode::FileEmpty, "file"));
    };
    let mut cols: HashMap<&'static str, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        if let Some(c) = column_of(h) {
            cols.entry(c).or_insert(i);
        }
    }
    if !cols.contains_key(COL_NAME) || (!cols.contains_key(COL_UNIT) && default_unit.is_none()) {
        return Err(AppError::invalid(ErrorCode::FileColumnsMissing, "file"));
    }
    let unit_by_key: HashMap<String, &UnitRow> = units
        .iter()
        .filter(|u| u.active != 0)
        .flat_map(|u| {
            let mut keys = vec![(fold_key(&u.name), u), (u.slug.clone(), u)];
            if let Some(s) = &u.short_name {
                keys.push((fold_key(s), u));
            }
            keys
        })
        .collect();
    let get = |row: &Vec<String>, c: &str| {
        cols.get(c)
            .and_then(|i| row.get(*i))
            .map(|s| s.trim().to_string())
            .unwrap_or_default()
    };
    let mut out = Preview {
        total_rows: 0,
        accepted: Vec::new(),
        accepted_count: 0,
        errors: Vec::new(),
        error_count: 0,
    };
    let mut first_row_of: HashMap<String, usize> = HashMap::new();
    for (i, row) in body.iter().enumerate() {
        let n = i + 2;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        out.total_rows += 1;
        let mut bad = |column: &str, reason: String| {
            out.error_count += 1;
            if out.errors.len() < MAX_LISTED_ERRORS {
                out.errors.push(RowError {
                    row: n,
                    column: column.into(),
                    reason,
                })
            }
        };
        let name = get(row, COL_NAME);
        if name.is_empty() || name.chars().count() > 100 {
            bad(COL_NAME, "không được để trống (tối đa 100 ký tự)".into());
            continue;
        }
        let year_text = get(row, COL_YEAR);
        let birth_year = if year_text.is_empty() {
            None
        } else {
            match year_text.parse::<i64>() {
                Ok(y) if (1900..=this_year as i64).contains(&y) => Some(y),
                _ => {
                    bad(
                        COL_YEAR,
                        format!("“{year_text}” không phải năm sinh từ 1900 đến {this_year}"),
                    );
                    continue;
                }
            }
        };
        let unit_text = get(row, COL_UNIT);
        let unit = if unit_text.is_empty() {
            default_unit
        } else {
            unit_by_key
                .get(&fold_key(&unit_text))
                .copied()
                .or_else(|| unit_by_key.get(unit_text.as_str()).copied())
        };
        let Some(unit) = unit else {
            let reason = if unit_text.is_empty() {
                "không được để trống".to_string()
            } else {
                format!("không có đơn vị “{unit_text}” trong danh sách đơn vị")
            };
            bad(COL_UNIT, reason);
            continue;
        };
        if let Some(d) = default_unit
            && d.id != unit.id
        {
            bad(COL_UNIT, format!("tệp này chỉ nhập cho {}", d.name));
            continue;
        }
        let class_text = get(row, COL_CLASS);
        let class_id = if class_text.is_empty() {
            if roster == "pupils" {
                bad(COL_CLASS, "học sinh phải có lớp".into());
                continue;
            }
            None
        } else {
            match classes
                .iter()
                .find(|c| c.unit_id == unit.id && c.active != 0 && fold_key(&c.name) == fold_key(&class_text))
            {
                Some(c) => Some(c.id.clone()),
                None => {
                    bad(COL_CLASS, format!("{} không có lớp “{class_text}”", unit.name));
                    continue;
                }
            }
        };
        if roster == "pupils" && unit.kind != "school" {
            bad(COL_UNIT, "học sinh phải thuộc một trường".into());
            continue;
        }
        let key = dedup_key(roster, &name, birth_year, &unit.id);
        if let Some(first) = first_row_of.get(&key) {
            bad(
                COL_NAME,
                format!("trùng với dòng {first} (cùng họ tên, năm sinh, đơn vị)"),
            );
            continue;
        }
        first_row_of.insert(key, n);
        out.accepted.push(PersonInput {
            full_name: name,
            birth_year,
            unit_id: unit.id.clone(),
            class_id,
        });
    }
    out.accepted_count = out.accepted.len();
    Ok(out)
}

/// A CSV template for a roster (UTF-8 with BOM so Excel shows Vietnamese).
pub fn template_csv(roster: &str) -> String {
    format!("\u{feff}{}\r\n", template_columns(roster).join(","))
}

/// An XLSX template for a roster: the header row only.
pub fn template_xlsx(roster: &str) -> Result<Vec<u8>, AppError> {
    let sheet = kehoach_core::report::Sheet {
        id: "danh-sach".into(),
        name: "Danh sách".into(),
        columns: template_columns(roster).iter().map(|c| c.to_string()).collect(),
        rows: Vec::new(),
    };
    kehoach_report::sheets::xlsx(&[sheet]).map_err(|_| AppError::new(ErrorCode::Internal, None))
}
