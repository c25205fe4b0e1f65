//! Data exports as files: an XLSX workbook (a sheet per record kind, bold
//! frozen header row, real dates and numbers, columns sized to their
//! content) and CSV (UTF-8 with a byte-order mark, so Excel reads the
//! Vietnamese text; dates dd/mm/yyyy).

use kehoach_core::report::{Cell, Sheet};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, XlsxError};

use crate::ReportError;

fn err(e: XlsxError) -> ReportError {
    ReportError::Xlsx(e.to_string())
}

/// Width in Excel characters of a cell's text, for sizing columns.
fn chars(c: &Cell) -> usize {
    match c {
        Cell::Text(s) => s.chars().count(),
        Cell::Int(n) => n.to_string().len(),
        Cell::Num(_) => 8,
        Cell::Date(_) => 10,
        Cell::Time(_) => 16,
        Cell::Empty => 0,
    }
}

/// The sheets as one XLSX workbook.
pub fn xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, ReportError> {
    let mut wb = Workbook::new();
    let head = Format::new().set_bold().set_background_color("#DDE7F0").set_text_wrap();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let time = Format::new().set_num_format("dd/mm/yyyy hh:mm");
    let num = Format::new().set_num_format("#,##0.0");
    for s in sheets {
        let ws = wb.add_worksheet();
        let name: String = s.name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
        ws.set_name(name).map_err(err)?;
        let mut widths: Vec<usize> = s.columns.iter().map(|c| c.chars().count().min(30)).collect();
        for (j, c) in s.columns.iter().enumerate() {
            ws.write_string_with_format(0, j as u16, c, &head).map_err(err)?;
        }
        for (i, row) in s.rows.iter().enumerate() {
            let r = i as u32 + 1;
            for (j, cell) in row.iter().enumerate() {
                let c = j as u16;
                if i < 2000
                    && let Some(w) = widths.get_mut(j)
                {
                    *w = (*w).max(chars(cell).min(60));
                }
                match cell {
                    Cell::Text(t) => {
                        ws.write_string(r, c, t).map_err(err)?;
                    }
                    Cell::Int(n) => {
                        ws.write_number(r, c, *n as f64).map_err(err)?;
                    }
                    Cell::Num(x) => {
                        ws.write_number_with_format(r, c, *x, &num).map_err(err)?;
                    }
                    Cell::Date(d) => {
                        let x = ExcelDateTime::from_ymd(d.0.year() as u16, u8::from(d.0.month()), d.0.day())
                            .map_err(err)?;
                        ws.write_datetime_with_format(r, c, &x, &date).map_err(err)?;
                    }
                    Cell::Time(t) => {
                        // Shown in Vietnam time (UTC+7 all year).
                        let x = ExcelDateTime::from_timestamp(t + 7 * 3600).map_err(err)?;
                        ws.write_datetime_with_format(r, c, &x, &time).map_err(err)?;
                    }
                    Cell::Empty => {}
                }
            }
        }
        for (j, w) in widths.iter().enumerate() {
            ws.set_column_width(j as u16, (*w as f64 + 2.0).max(6.0)).map_err(err)?;
        }
        ws.set_freeze_panes(1, 0).map_err(err)?;
    }
    wb.save_to_buffer().map_err(err)
}

/// One sheet as CSV.
pub fn csv(sheet: &Sheet) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 * (sheet.rows.len() + 1));
    out.extend_from_slice("\u{feff}".as_bytes());
    let mut line = |cells: &mut dyn Iterator<Item = String>| {
        let mut first = true;
        for c in cells {
            if !first {
                out.push(b',');
            }
            first = false;
            if c.contains([',', '"', '\n', '\r']) {
                out.push(b'"');
                out.extend_from_slice(c.replace('"', "\"\"").as_bytes());
                out.push(b'"');
            } else {
                out.extend_from_slice(c.as_bytes());
            }
        }
        out.extend_from_slice(b"\r\n");
    };
    line(&mut sheet.columns.iter().cloned());
    for row in &sheet.rows {
        line(&mut row.iter().map(Cell::text));
    }
    out
}
