//! Reading uploaded files under hard limits.
//!
//! A roster (XLSX, XLS, ODS, CSV) or a plan (.docx) comes from anyone with
//! an account, so nothing here trusts what a file declares: a zip's entry
//! sizes, a shared-strings count, a sheet's dimension or a cell at
//! XFD1048576. Every container is inflated once under caps on its parts,
//! each part and the whole (a zip bomb stops at the cap, having cost the cap
//! in time and nothing in memory), XML that declares a DOCTYPE (entity
//! expansion) is refused, and a table is read cell by cell into rows that
//! may not pass the row, column and cell limits. Long work checks a cancel
//! flag, so a request that is gone stops its parsing.
//!
//! Errors carry a stable code and a Vietnamese message that names the limit.

use std::io::{Cursor, Read};
use std::sync::atomic::{AtomicBool, Ordering};

use kehoach_core::ErrorCode;
use kehoach_core::text::{clean, vn_int};

/// Hard limits for one kind of upload.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes of the file as uploaded.
    pub max_file: usize,
    /// Parts (entries) of a zip container.
    pub max_parts: usize,
    /// Bytes one part may inflate to.
    pub max_part_inflated: u64,
    /// Bytes all parts together may inflate to.
    pub max_total_inflated: u64,
    /// Data rows of a table (the header included).
    pub max_rows: usize,
    /// Columns of a table that may hold data.
    pub max_cols: usize,
}

/// Rosters: 50.000 rows of at most 50 columns, 5 MB, 40 MB inflated.
pub const ROSTER: Limits = Limits {
    max_file: 5 * 1024 * 1024,
    max_parts: 500,
    max_part_inflated: 24 * 1024 * 1024,
    max_total_inflated: 40 * 1024 * 1024,
    max_rows: 50_000,
    max_cols: 50,
};

/// A plan's .docx: a long plan is a few hundred KB of XML; 10 MB is plenty.
pub const PLAN_DOCX: Limits = Limits {
    max_file: 10 * 1024 * 1024,
    max_parts: 1_000,
    max_part_inflated: 10 * 1024 * 1024,
    max_total_inflated: 40 * 1024 * 1024,
    max_rows: 0,
    max_cols: 0,
};

/// Why an uploaded file is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    #[error("file too large")]
    TooLarge { max: usize },
    #[error("file inflates past its limit")]
    Inflates { max: u64 },
    #[error("container has too many parts")]
    TooManyParts { max: usize },
    #[error("XML declares a DOCTYPE")]
    XmlDoctype,
    #[error("too many rows")]
    TooManyRows { max: usize },
    #[error("too many columns")]
    TooManyColumns { max: usize, cell: String },
    #[error("not a spreadsheet")]
    NotSpreadsheet,
    #[error("damaged file")]
    Damaged,
    #[error("empty file")]
    Empty,
    #[error("cancelled")]
    Cancelled,
}

impl UploadError {
    /// The stable code of the API's error body.
    pub fn code(&self) -> ErrorCode {
        match self {
            UploadError::TooLarge { .. } => ErrorCode::FileTooLarge,
            UploadError::Inflates { .. } => ErrorCode::FileInflatesTooMuch,
            UploadError::TooManyParts { .. } => ErrorCode::FileTooManyParts,
            UploadError::XmlDoctype => ErrorCode::FileXmlDoctype,
            UploadError::TooManyRows { .. } => ErrorCode::FileTooManyRows,
            UploadError::TooManyColumns { .. } => ErrorCode::FileTooManyColumns,
            UploadError::NotSpreadsheet => ErrorCode::FileNotSpreadsheet,
            UploadError::Damaged => ErrorCode::FileDamaged,
            UploadError::Empty => ErrorCode::FileEmpty,
            UploadError::Cancelled => ErrorCode::FileCancelled,
        }
    }

    /// The Vietnamese message, with the limit that was passed.
    pub fn message_vn(&self) -> String {
        let mb = |b: u64| vn_int((b / (1024 * 1024)) as i64);
        match self {
            UploadError::TooLarge { max } => format!("Tệp: quá lớn (tối đa {} MB).", mb(*max as u64)),
            UploadError::Inflates { max } => format!(
                "Tệp: nội dung sau khi giải nén vượt quá {} MB, không đọc được; hãy lưu lại tệp hoặc chia nhỏ.",
                mb(*max)
            ),
            UploadError::TooManyParts { max } => {
                format!(
                    "Tệp: có quá nhiều thành phần (tối đa {}), không phải tệp văn phòng thông thường.",
                    vn_int(*max as i64)
                )
            }
            UploadError::XmlDoctype => {
                "Tệp: chứa khai báo DOCTYPE/ENTITY trong XML, tệp văn phòng thông thường không có; tệp bị từ chối."
                    .into()
            }
            UploadError::TooManyRows { max } => {
                format!("Tệp: có hơn {} dòng; hãy chia thành nhiều tệp.", vn_int(*max as i64))
            }
            UploadError::TooManyColumns { max, cell } => format!(
                "Tệp: có dữ liệu ở ô {cell}, ngoài {} cột đầu; hãy xóa các cột thừa rồi tải lên lại.",
                vn_int(*max as i64)
            ),
            UploadError::NotSpreadsheet => "Tệp: không phải bảng tính (XLSX, XLS, ODS hoặc CSV).".into(),
            UploadError::Damaged => {
                "Tệp: bị hỏng hoặc không đầy đủ (tải lên bị ngắt?); hãy lưu lại và tải lên lại.".into()
            }
            UploadError::Empty => "Tệp: không có dữ liệu.".into(),
            UploadError::Cancelled => "Tệp: việc đọc tệp đã dừng vì yêu cầu bị hủy.".into(),
        }
    }
}

fn check_cancel(cancel: &AtomicBool) -> Result<(), UploadError> {
    if cancel.load(Ordering::Relaxed) {
        Err(UploadError::Cancelled)
    } else {
        Ok(())
    }
}

/// Inflates every part of a zip once, under the limits, without keeping
/// anything: what a part declares is not trusted, what it inflates to is
/// counted. XML parts that declare a DOCTYPE are refused.
pub fn check_zip(bytes: &[u8], limits: &Limits, cancel: &AtomicBool) -> Result<(), UploadError> {
    if bytes.len() > limits.max_file {
        return Err(UploadError::TooLarge { max: limits.max_file });
    }
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| UploadError::Damaged)?;
    if zip.len() > limits.max_parts {
        return Err(UploadError::TooManyParts { max: limits.max_parts });
    }
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    for i in 0..zip.len() {
        check_cancel(cancel)?;
        let mut part = zip.by_index(i).map_err(|_| UploadError::Damaged)?;
        if part.size() > limits.max_part_inflated {
            return Err(UploadError::Inflates {
                max: limits.max_part_inflated,
            });
        }
        let lower = part.name().map(|n| n.to_ascii_lowercase()).unwrap_or_default();
        let is_xml = lower.ends_with(".xml") || lower.ends_with(".rels");
        let is_shared_strings = lower.ends_with("sharedstrings.xml");
        let mut inflated: u64 = 0;
        let mut head: Vec<u8> = Vec::new();
        loop {
            let n = part.read(&mut buf).map_err(|_| UploadError::Damaged)?;
            if n == 0 {
                break;
            }
            if is_xml && head.len() < 4096 {
                head.extend_from_slice(&buf[..n.min(4096 - head.len())]);
            }
            inflated += n as u64;
            total += n as u64;
            if inflated > limits.max_part_inflated {
                return Err(UploadError::Inflates {
                    max: limits.max_part_inflated,
                });
            }
            if total > limits.max_total_inflated {
                return Err(UploadError::Inflates {
                    max: limits.max_total_inflated,
                });
            }
            if inflated % (1024 * 1024) < n as u64 {
                check_cancel(cancel)?;
            }
        }
        if is_xml && declares_doctype(&head) {
            return Err(UploadError::XmlDoctype);
        }
        if is_shared_strings {
            check_string_count(&head, limits)?;
        }
    }
    Ok(())
}

/// A workbook's shared-strings part declares how many strings it holds,
/// and calamine reserves room for that many: refuse a count its (bounded)
/// text could not hold (`uniqueCount="100000000000"` in a 2 KB file).
fn check_string_count(head: &[u8], limits: &Limits) -> Result<(), UploadError> {
    let head = String::from_utf8_lossy(head);
    let max = (limits.max_part_inflated / 8) as u128;
    for key in ["uniqueCount=\"", "count=\""] {
        if let Some(i) = head.find(key) {
            let digits: String = head[i + key.len()..].chars().take_while(|c| *c != '"').collect();
            if digits.parse::<u128>().map_or(true, |n| n > max) {
                return Err(UploadError::Inflates {
                    max: limits.max_part_inflated,
                });
            }
        }
    }
    Ok(())
}

/// Whether the start of an XML text (before its root element) declares a
/// DOCTYPE or an entity. Office formats never do; entity expansion ("a
/// billion laughs") needs one.
fn declares_doctype(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head).to_ascii_uppercase();
    text.contains("<!DOCTYPE") || text.contains("<!ENTITY")
}

/// Reads one part of a zip already passed by `check_zip` (its size is
/// bounded), as text. `None` when the part is absent.
pub fn zip_part(bytes: &[u8], name: &str, limits: &Limits) -> Result<Option<String>, UploadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| UploadError::Damaged)?;
    let Ok(part) = zip.by_name(name) else {
        return Ok(None);
    };
    let mut s = String::new();
    part.take(limits.max_part_inflated + 1)
        .read_to_string(&mut s)
        .map_err(|_| UploadError::Damaged)?;
    if s.len() as u64 > limits.max_part_inflated {
        return Err(UploadError::Inflates {
            max: limits.max_part_inflated,
        });
    }
    Ok(Some(s))
}

/// The first sheet of a spreadsheet (or a CSV) as rows of cleaned text
/// cells, under `limits`. Trailing empty cells and rows are dropped.
pub fn read_table(bytes: &[u8], limits: &Limits, cancel: &AtomicBool) -> Result<Vec<Vec<String>>, UploadError> {
    if bytes.len() > limits.max_file {
        return Err(UploadError::TooLarge { max: limits.max_file });
    }
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(UploadError::Empty);
    }
    let mut table = Table::new(limits);
    if bytes.starts_with(b"PK\x03\x04") {
        check_zip(bytes, limits, cancel)?;
        if zip_part(bytes, "mimetype", limits)?.is_some_and(|m| m.contains("opendocument.spreadsheet")) {
            read_ods(bytes, limits, &mut table, cancel)?;
        } else {
            read_xlsx(bytes, &mut table, cancel)?;
        }
    } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        read_xls(bytes, limits, &mut table, cancel)?;
    } else {
        read_csv(bytes, &mut table, cancel)?;
    }
    let rows = table.finish();
    if rows.is_empty() {
        return Err(UploadError::Empty);
    }
    Ok(rows)
}

/// Rows collected cell by cell under the limits.
struct Table {
    rows: Vec<Vec<String>>,
    max_rows: usize,
    max_cols: usize,
}

impl Table {
    fn new(limits: &Limits) -> Table {
        Table {
            rows: Vec::new(),
            max_rows: limits.max_rows,
            max_cols: limits.max_cols,
        }
    }

    /// Puts a non-empty cell at (row, col), both from 0.
    fn put(&mut self, row: usize, col: usize, text: String) -> Result<(), UploadError> {
        if text.is_empty() {
            return Ok(());
        }
        if col >= self.max_cols {
            return Err(UploadError::TooManyColumns {
                max: self.max_cols,
                cell: cell_name(row, col),
            });
        }
        if row >= self.max_rows {
            return Err(UploadError::TooManyRows { max: self.max_rows });
        }
        if self.rows.len() <= row {
            self.rows.resize_with(row + 1, Vec::new);
        }
        let r = &mut self.rows[row];
        if r.len() <= col {
            r.resize(col + 1, String::new());
        }
        r[col] = text;
        Ok(())
    }

    fn finish(mut self) -> Vec<Vec<String>> {
        while self.rows.last().is_some_and(|r| r.is_empty()) {
            self.rows.pop();
        }
        self.rows
    }
}

/// "A1" for (0, 0), "XFD1048576" for the last cell of a sheet.
fn cell_name(row: usize, col: usize) -> String {
    let mut letters = Vec::new();
    let mut c = col + 1;
    while c > 0 {
        let r = (c - 1) % 26;
        letters.push(b'A' + r as u8);
        c = (c - 1) / 26;
    }
    letters.reverse();
    format!("{}{}", String::from_utf8_lossy(&letters), row + 1)
}

fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

fn read_xlsx(bytes: &[u8], table: &mut Table, cancel: &AtomicBool) -> Result<(), UploadError> {
    use calamine::{DataRef, Reader, Xlsx};
    // `check_zip` has checked the shared-strings count calamine reserves for.
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| UploadError::NotSpreadsheet)?;
    let Some(name) = wb.sheet_names().first().cloned() else {
        return Err(UploadError::Empty);
    };
    let mut cells = wb
        .worksheet_cells_reader(&name)
        .map_err(|_| UploadError::NotSpreadsheet)?;
    let mut n = 0u64;
    while let Some(cell) = cells.next_cell().map_err(|_| UploadError::Damaged)? {
        n += 1;
        if n.is_multiple_of(4096) {
            check_cancel(cancel)?;
        }
        let (row, col) = cell.get_position();
        let text = match cell.get_value() {
            DataRef::Empty => continue,
            DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => clean(s),
            DataRef::SharedString(s) => clean(s),
            DataRef::Float(f) => number_text(*f),
            DataRef::Int(i) => i.to_string(),
            DataRef::Bool(b) => b.to_string(),
            DataRef::DateTime(d) => d.to_string(),
            DataRef::Error(e) => format!("{e:?}"),
        };
        table.put(row as usize, col as usize, text)?;
    }
    Ok(())
}

/// ODS `content.xml`, first table: rows and cells with their repeat counts
/// (a repeated empty cell or row costs nothing; a repeated one with text is
/// expanded only up to the limits).
fn read_ods(bytes: &[u8], limits: &Limits, table: &mut Table, cancel: &AtomicBool) -> Result<(), UploadError> {
    use crate::xml::{attr, name, tags};
    let xml = zip_part(bytes, "content.xml", limits)?.ok_or(UploadError::NotSpreadsheet)?;
    let repeat =
        |tag: &str, key: &str| -> usize { attr(tag, key).and_then(|v| v.parse::<usize>().ok()).unwrap_or(1).max(1) };
    let is_cell = |n: &str| matches!(n, "table:table-cell" | "table:covered-table-cell");
    let (mut row, mut col) = (0usize, 0usize);
    let mut row_repeat = 1usize;
    let mut row_has_text = false;
    let mut in_table = false;
    // The open cell: its columns repeated and its text so far.
    let mut cell: Option<(usize, String)> = None;
    let put_cell = |table: &mut Table, row: usize, col: usize, times: usize, text: &str| {
        let text = clean(text);
        if text.is_empty() {
            return Ok(false);
        }
        for k in 0..times {
            table.put(row, col.saturating_add(k), text.clone())?;
        }
        Ok::<bool, UploadError>(true)
    };
    for (i, (tag, after)) in tags(&xml).enumerate() {
        if i.is_multiple_of(8192) {
            check_cancel(cancel)?;
        }
        let n = name(tag);
        let empty = tag.ends_with('/');
        match n {
            "table:table" if !in_table => in_table = true,
            "/table:table" if in_table => break,
            "table:table-row" if in_table => {
                let times = repeat(tag, "table:number-rows-repeated");
                if empty {
                    row = row.saturating_add(times);
                } else {
                    row_repeat = times;
                    row_has_text = false;
                    col = 0;
                }
            }
            "/table:table-row" if in_table => {
                // A repeated row with text is that many rows of data.
                if row_has_text && row_repeat > 1 {
                    let copy = table.rows.get(row).cloned().unwrap_or_default();
                    for k in 1..row_repeat {
                        for (c, t) in copy.iter().enumerate() {
                            table.put(row + k, c, t.clone())?;
                        }
                    }
                }
                row = row.saturating_add(row_repeat);
            }
            n if in_table && is_cell(n) => {
                let times = repeat(tag, "table:number-columns-repeated");
                if empty {
                    let value = attr(tag, "office:value").map(kehoach_core::text::xml_unescape);
                    if put_cell(table, row, col, times, value.as_deref().unwrap_or(""))? {
                        row_has_text = true;
                    }
                    col = col.saturating_add(times);
                } else {
                    cell = Some((times, String::new()));
                }
            }
            n if cell.is_some() && n.starts_with('/') && is_cell(&n[1..]) => {
                let (times, text) = cell.take().unwrap_or_default();
                if put_cell(table, row, col, times, &text)? {
                    row_has_text = true;
                }
                col = col.saturating_add(times);
            }
            "text:p" if !empty => {
                if let Some((_, t)) = cell.as_mut()
                    && !t.is_empty()
                {
                    t.push(' ');
                }
            }
            "text:s" => {
                if let Some((_, t)) = cell.as_mut() {
                    t.push(' ');
                }
            }
            _ => {}
        }
        if let Some((_, t)) = cell.as_mut()
            && !after.is_empty()
        {
            t.push_str(&kehoach_core::text::xml_unescape(after));
        }
    }
    if !in_table {
        return Err(UploadError::NotSpreadsheet);
    }
    Ok(())
}

/// Legacy Excel (BIFF in an OLE container). calamine lays every sheet out
/// as a dense grid from its cells' extent, so the cell records of the
/// workbook stream are checked first: a cell beyond the limits refuses the
/// file before any grid is made.
fn read_xls(bytes: &[u8], limits: &Limits, table: &mut Table, cancel: &AtomicBool) -> Result<(), UploadError> {
    use calamine::{Data, Reader, Xls};
    let mut ole = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|_| UploadError::Damaged)?;
    let stream_name = ["/Workbook", "/Book"]
        .into_iter()
        .find(|n| ole.is_stream(n))
        .ok_or(UploadError::NotSpreadsheet)?;
    let mut stream = Vec::new();
    ole.open_stream(stream_name)
        .map_err(|_| UploadError::Damaged)?
        .take(limits.max_part_inflated + 1)
        .read_to_end(&mut stream)
        .map_err(|_| UploadError::Damaged)?;
    if stream.len() as u64 > limits.max_part_inflated {
        return Err(UploadError::Inflates {
            max: limits.max_part_inflated,
        });
    }
    check_cancel(cancel)?;
    check_biff_cells(&stream, limits)?;
    let mut wb: Xls<_> = Xls::new(Cursor::new(bytes)).map_err(|_| UploadError::NotSpreadsheet)?;
    let range = wb
        .worksheet_range_at(0)
        .ok_or(UploadError::Empty)?
        .map_err(|_| UploadError::NotSpreadsheet)?;
    let (r0, c0) = range.start().unwrap_or((0, 0));
    for (r, row) in range.rows().enumerate() {
        for (c, d) in row.iter().enumerate() {
            let text = match d {
                Data::Empty => continue,
                Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => clean(s),
                Data::Float(f) => number_text(*f),
                Data::Int(i) => i.to_string(),
                Data::Bool(b) => b.to_string(),
                Data::DateTime(d) => d.to_string(),
                Data::Error(e) => format!("{e:?}"),
            };
            table.put(r0 as usize + r, c0 as usize + c, text)?;
        }
    }
    Ok(())
}

/// Walks the BIFF records of a workbook stream and refuses a cell record
/// (of any sheet) beyond the row or column limit.
fn check_biff_cells(stream: &[u8], limits: &Limits) -> Result<(), UploadError> {
    let u16_at = |b: &[u8], i: usize| b.get(i..i + 2).map(|s| u16::from_le_bytes([s[0], s[1]]) as usize);
    let mut i = 0usize;
    while i + 4 <= stream.len() {
        let kind = u16_at(stream, i).unwrap_or(0);
        let len = u16_at(stream, i + 2).unwrap_or(0);
        let body = stream.get(i + 4..i + 4 + len).ok_or(UploadError::Damaged)?;
        // Cell records: FORMULA, BLANK, NUMBER, LABEL, BOOLERR, RK,
        // LABELSST, RSTRING, MULRK, MULBLANK; row at 0, column at 2.
        if matches!(
            kind,
            0x0006 | 0x0201 | 0x0203 | 0x0204 | 0x0205 | 0x027E | 0x00FD | 0x00D6 | 0x00BD | 0x00BE
        ) {
            let row = u16_at(body, 0).unwrap_or(0);
            let mut col = u16_at(body, 2).unwrap_or(0);
            if matches!(kind, 0x00BD | 0x00BE) && len >= 2 {
                col = col.max(u16_at(body, len - 2).unwrap_or(0));
            }
            // Blank cells carry formatting only: a far one is harmless to
            // us but not to the grid, so every kind is checked.
            if col >= limits.max_cols.max(256) {
                return Err(UploadError::TooManyColumns {
                    max: limits.max_cols,
                    cell: cell_name(row, col),
                });
            }
            if row >= limits.max_rows {
                return Err(UploadError::TooManyRows { max: limits.max_rows });
            }
        }
        i += 4 + len;
    }
    Ok(())
}

/// A CSV as Vietnamese offices save it: UTF-8 (with or without BOM),
/// Excel's "Unicode Text" (UTF-16 with BOM, tab-separated) or windows-1258;
/// comma, semicolon or tab separated.
fn read_csv(bytes: &[u8], table: &mut Table, cancel: &AtomicBool) -> Result<(), UploadError> {
    let text = decode_text(bytes)?;
    let text = text.trim_start_matches('\u{feff}');
    if text.contains('\0') {
        return Err(UploadError::NotSpreadsheet);
    }
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b'\t', b';', b',']
        .into_iter()
        .max_by_key(|d| (first.matches(*d as char).count(), *d == b','))
        .unwrap_or(b',');
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut row = 0usize;
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(_) => return Err(UploadError::NotSpreadsheet),
        }
        if row.is_multiple_of(4096) {
            check_cancel(cancel)?;
        }
        for (col, field) in record.iter().enumerate() {
            table.put(row, col, clean(field))?;
        }
        row += 1;
    }
    Ok(())
}

/// The text of a CSV in the encodings Vietnamese offices save: a BOM says
/// UTF-8 or UTF-16; UTF-16 without BOM shows as NULs beside ASCII; valid
/// UTF-8 is UTF-8; anything else is windows-1258 (Vietnamese Windows), whose
/// decomposed tone marks `clean` composes (NFC).
fn decode_text(bytes: &[u8]) -> Result<String, UploadError> {
    use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1258};
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return std::str::from_utf8(rest)
            .map(str::to_string)
            .map_err(|_| UploadError::NotSpreadsheet);
    }
    let utf16 = |enc: &'static encoding_rs::Encoding, b: &[u8]| {
        let (s, _, bad) = enc.decode(b);
        if bad {
            Err(UploadError::NotSpreadsheet)
        } else {
            Ok(s.into_owned())
        }
    };
    if bytes.starts_with(&[0xFF, 0xFE]) {
        return utf16(UTF_16LE, bytes);
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        return utf16(UTF_16BE, bytes);
    }
    let sample = &bytes[..bytes.len().min(4096)];
    let nul_odd = sample.iter().skip(1).step_by(2).filter(|b| **b == 0).count();
    let nul_even = sample.iter().step_by(2).filter(|b| **b == 0).count();
    if sample.len() >= 4 && nul_odd * 3 > sample.len() / 2 && nul_even == 0 {
        return utf16(UTF_16LE, bytes);
    }
    if sample.len() >= 4 && nul_even * 3 > sample.len() / 2 && nul_odd == 0 {
        return utf16(UTF_16BE, bytes);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Ok(s.to_string());
    }
    let (s, _, bad) = WINDOWS_1258.decode(bytes);
    if bad || s.contains('\0') {
        return Err(UploadError::NotSpreadsheet);
    }
    Ok(s.into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cell_names_as_spreadsheets_print_them() {
        assert_eq!(cell_name(0, 0), "A1");
        assert_eq!(cell_name(9, 27), "AB10");
        assert_eq!(cell_name(1_048_575, 16_383), "XFD1048576");
    }

    #[test]
    fn windows_1258_and_utf16_csv_read_as_nfc_vietnamese() {
        let never = AtomicBool::new(false);
        // "Nguyễn" in windows-1258: "Nguy" + ê (0xEA) + combining tilde (0xDE) + "n".
        let cp1258 = b"Ho va ten,Nam sinh\r\nNguy\xEA\xDEn V\xE3n A,1950\r\n".to_vec();
        let rows = read_table(&cp1258, &ROSTER, &never).unwrap();
        assert_eq!(rows[1][0], "Nguyễn Văn A");
        let mut utf16 = vec![0xFF, 0xFE];
        for u in "Họ và tên\tNăm sinh\r\nTrần Thị Bình\t1948\r\n".encode_utf16() {
            utf16.extend_from_slice(&u.to_le_bytes());
        }
        let rows = read_table(&utf16, &ROSTER, &never).unwrap();
        assert_eq!(rows, vec![vec!["Họ và tên", "Năm sinh"], vec!["Trần Thị Bình", "1948"]]);
    }

    #[test]
    fn a_wide_csv_is_refused_naming_the_cell() {
        let never = AtomicBool::new(false);
        let csv = format!("{}\n", vec!["x"; 10_000].join(","));
        let err = read_table(csv.as_bytes(), &ROSTER, &never).unwrap_err();
        assert_eq!(
            err,
            UploadError::TooManyColumns {
                max: 50,
                cell: "AY1".into()
            }
        );
        assert!(err.message_vn().contains("AY1"), "{}", err.message_vn());
    }
}
