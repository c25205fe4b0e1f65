//! Reading roster files (XLSX, XLS, ODS, CSV) into checked rows.
//!
//! Nothing is saved here: `preview` returns the accepted rows and every bad
//! row with its row number, column and reason in Vietnamese; the caller saves
//! the accepted rows in one transaction. Every cell is NFC-normalised.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader};
use kehoach_core::text::{clean, fold_key};
use kehoach_store::{ClassRow, PersonInput, UnitRow, dedup_key};
use serde::Serialize;
use utoipa::ToSchema;

use crate::errors::AppError;

/// Largest roster file accepted.
pub const MAX_FILE_BYTES: usize = 5 * 1024 * 1024;

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
    pub errors: Vec<RowError>,
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

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => clean(s),
        Data::Float(f) if f.fract() == 0.0 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => clean(s),
        Data::DateTime(dt) => dt.to_string(),
        Data::Error(e) => format!("{e:?}"),
    }
}

/// Reads the first sheet (or the CSV) as rows of text cells.
pub fn read_table(bytes: &[u8]) -> Result<Vec<Vec<String>>, AppError> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err(AppError::invalid("file_too_large", "file"));
    }
    let is_zip = bytes.starts_with(b"PK\x03\x04");
    let is_ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if is_zip || is_ole {
        let mut wb = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
            .map_err(|_| AppError::invalid("file_not_spreadsheet", "file"))?;
        let range = wb
            .worksheet_range_at(0)
            .ok_or_else(|| AppError::invalid("file_empty", "file"))?
            .map_err(|_| AppError::invalid("file_not_spreadsheet", "file"))?;
        return Ok(range.rows().map(|r| r.iter().map(cell_text).collect()).collect());
    }
    let text = std::str::from_utf8(bytes).map_err(|_| AppError::invalid("file_not_spreadsheet", "file"))?;
    let text = text.trim_start_matches('\u{feff}');
    if text.contains('\0') {
        return Err(AppError::invalid("file_not_spreadsheet", "file"));
    }
    let first = text.lines().next().unwrap_or("");
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|_| AppError::invalid("file_not_spreadsheet", "file"))?;
        rows.push(rec.iter().map(clean).collect());
    }
    Ok(rows)
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
        return Err(AppError::invalid("file_empty", "file"));
    };
    let mut cols: HashMap<&'static str, usize> = HashMap::new();
    for (i, h) in header.iter().enumerate() {
        if let Some(c) = column_of(h) {
            cols.entry(c).or_insert(i);
        }
    }
    if !cols.contains_key(COL_NAME) || (!cols.contains_key(COL_UNIT) && default_unit.is_none()) {
        return Err(AppError::invalid("file_columns_missing", "file"));
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
    };
    let mut first_row_of: HashMap<String, usize> = HashMap::new();
    for (i, row) in body.iter().enumerate() {
        let n = i + 2;
        if row.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        out.total_rows += 1;
        let mut bad = |column: &str, reason: String| {
            out.errors.push(RowError {
                row: n,
                column: column.into(),
                reason,
            })
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
    kehoach_report::sheets::xlsx(&[sheet])
        .map_err(|_| AppError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "internal", None))
}
