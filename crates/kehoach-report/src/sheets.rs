//! Data exports as files: an XLSX workbook (a sheet per record kind, bold
//! frozen header row, real dates and numbers, columns sized to their
//! content) and CSV (UTF-8 with a byte-order mark, so Excel reads the
//! Vietnamese text; dates dd/mm/yyyy).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;

use kehoach_core::report::{Cell, Sheet};
use zip::write::SimpleFileOptions;

use crate::ReportError;

fn err(e: impl std::fmt::Display) -> ReportError {
    ReportError::Xlsx(e.to_string())
}

/// Width in Excel characters of a cell's text, for sizing columns.
fn chars(c: &Cell) -> usize {
    match c {
        Cell::Text(s) => s.chars().count(),
        Cell::Label(s) => s.chars().count(),
        Cell::Int(n) => n.to_string().len(),
        Cell::Num(_) => 8,
        Cell::Date(_) => 10,
        Cell::Time(_) => 16,
        Cell::Empty => 0,
    }
}

/// Cell styles (indexes into `cellXfs` of [`STYLES`]).
const HEADER: u8 = 1;
const DATE: u8 = 2;
const TIME: u8 = 3;
const NUM: u8 = 4;

const STYLES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    r#"<numFmts count="3"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="dd/mm/yyyy hh:mm"/>"#,
    r##"<numFmt numFmtId="166" formatCode="#,##0.0"/></numFmts>"##,
    r#"<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>"#,
    r#"<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>"#,
    r#"<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>"#,
    r#"<fill><patternFill patternType="solid"><fgColor rgb="FFDDE7F0"/><bgColor indexed="64"/></patternFill></fill></fills>"#,
    r#"<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"#,
    r#"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#,
    r#"<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#,
    r#"<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1" applyAlignment="1"><alignment wrapText="1"/></xf>"#,
    r#"<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>"#,
    r#"<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>"#,
    r#"<xf numFmtId="166" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>"#,
    r#"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>"#
);

/// Text for XML: escaped, without the control characters XML 1.0 forbids.
fn escape_into(out: &mut String, s: &str) {
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' | '\n' | '\r' => out.push(ch),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
}

/// "A", "B", …, "Z", "AA", …
fn column_name(mut i: usize) -> String {
    let mut name = Vec::new();
    loop {
        name.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    name.reverse();
    String::from_utf8(name).unwrap_or_default()
}

/// Days from Excel's epoch (30/12/1899) to 01/01/1970.
const UNIX_EPOCH_SERIAL: i64 = 25_569;

fn date_serial(d: kehoach_core::Day) -> i64 {
    i64::from(d.0.to_julian_day()) - 2_440_588 + UNIX_EPOCH_SERIAL
}

/// A fast hash for the shared-strings table (FxHash's multiply-rotate): the
/// keys are our own cell texts, not an attacker's, and SipHash would be a
/// fifth of the time spent writing a large sheet.
#[derive(Default, Clone, Copy)]
struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let v = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
            self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(K);
        }
        for b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(*b)).wrapping_mul(K);
        }
    }
}

type FxBuild = std::hash::BuildHasherDefault<Fx>;

/// Strings shared by the cells of every sheet, in first-use order.
#[derive(Default)]
struct SharedStrings<'a> {
    index: HashMap<&'a str, u32, FxBuild>,
    list: Vec<&'a str>,
    uses: u64,
}

impl<'a> SharedStrings<'a> {
    fn get(&mut self, s: &'a str) -> u32 {
        self.uses += 1;
        if let Some(i) = self.index.get(s) {
            return *i;
        }
        let i = self.list.len() as u32;
        self.index.insert(s, i);
        self.list.push(s);
        i
    }
}

/// One worksheet's XML: frozen header row, column widths, typed cells.
fn sheet_xml<'a>(s: &'a Sheet, sst: &mut SharedStrings<'a>) -> String {
    let cols: Vec<String> = (0..s.columns.len().max(s.rows.iter().map(Vec::len).max().unwrap_or(0)))
        .map(column_name)
        .collect();
    let mut widths: Vec<usize> = s.columns.iter().map(|c| c.chars().count().min(30)).collect();
    widths.resize(cols.len(), 0);
    for row in s.rows.iter().take(2000) {
        for (j, cell) in row.iter().enumerate() {
            widths[j] = widths[j].max(chars(cell).min(60));
        }
    }
    let mut x = String::with_capacity(200 + s.rows.len() * row_guess(s));
    x.push_str(r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#);
    let last = format!("{}{}", cols.last().map(String::as_str).unwrap_or("A"), s.rows.len() + 1);
    let _ = write!(x, r#"<dimension ref="A1:{last}"/>"#);
    x.push_str(r#"<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>"#);
    if !widths.is_empty() {
        x.push_str("<cols>");
        for (j, w) in widths.iter().enumerate() {
            let width = (*w as f64 + 2.0).max(6.0);
            let _ = write!(
                x,
                r#"<col min="{n}" max="{n}" width="{width:.1}" customWidth="1"/>"#,
                n = j + 1
            );
        }
        x.push_str("</cols>");
    }
    x.push_str("<sheetData>");
    x.push_str(r#"<row r="1">"#);
    for (j, c) in s.columns.iter().enumerate() {
        let _ = write!(x, r#"<c r="{}1" s="{HEADER}" t="s"><v>{}</v></c>"#, cols[j], sst.get(c));
    }
    x.push_str("</row>");
    for (i, row) in s.rows.iter().enumerate() {
        let r = i + 2;
        let _ = write!(x, r#"<row r="{r}">"#);
        for (j, cell) in row.iter().enumerate() {
            let at = &cols[j];
            match cell {
                Cell::Text(t) if t.is_empty() => {}
                Cell::Label(t) if t.is_empty() => {}
                Cell::Text(t) => {
                    let _ = write!(x, r#"<c r="{at}{r}" t="s"><v>{}</v></c>"#, sst.get(t));
                }
                Cell::Label(t) => {
                    let _ = write!(x, r#"<c r="{at}{r}" t="s"><v>{}</v></c>"#, sst.get(t));
                }
                Cell::Int(n) => {
                    let _ = write!(x, r#"<c r="{at}{r}"><v>{n}</v></c>"#);
                }
                Cell::Num(v) if v.is_finite() => {
                    let _ = write!(x, r#"<c r="{at}{r}" s="{NUM}"><v>{v}</v></c>"#);
                }
                Cell::Num(_) | Cell::Empty => {}
                Cell::Date(d) => {
                    let _ = write!(x, r#"<c r="{at}{r}" s="{DATE}"><v>{}</v></c>"#, date_serial(*d));
                }
                Cell::Time(t) => {
                    // Shown in Vietnam time (UTC+7 all year), to the minute.
                    let local = t + i64::from(kehoach_core::day::VN_OFFSET.whole_seconds());
                    let serial = local.div_euclid(86_400) + UNIX_EPOCH_SERIAL;
                    let frac = local.rem_euclid(86_400) as f64 / 86_400.0;
                    let _ = write!(x, r#"<c r="{at}{r}" s="{TIME}"><v>{}</v></c>"#, serial as f64 + frac);
                }
            }
        }
        x.push_str("</row>");
    }
    x.push_str("</sheetData></worksheet>");
    x
}

/// Bytes a row takes, roughly, to size the buffer once.
fn row_guess(s: &Sheet) -> usize {
    24 + 30 * s.columns.len()
}

fn sheet_name(s: &Sheet, taken: &[String]) -> String {
    let base: String = s.name.chars().filter(|c| !"[]:*?/\\".contains(*c)).take(31).collect();
    let mut name = if base.is_empty() { "Sheet".to_string() } else { base };
    let mut n = 2;
    while taken.iter().any(|t| t.to_lowercase() == name.to_lowercase()) {
        let suffix = format!(" ({n})");
        name = name.chars().take(31 - suffix.len()).collect::<String>() + &suffix;
        n += 1;
    }
    name
}

/// The sheets as one XLSX workbook: WorkbookML written directly (a sheet
/// per record kind, bold frozen header row, columns sized to their content,
/// real dates and numbers, one shared-strings table), compressed fast.
pub fn xlsx(sheets: &[Sheet]) -> Result<Vec<u8>, ReportError> {
    // A workbook needs at least one sheet.
    let blank = [Sheet {
        id: String::new(),
        name: "Sheet".into(),
        columns: Vec::new(),
        rows: Vec::new(),
    }];
    let sheets = if sheets.is_empty() { &blank[..] } else { sheets };
    let mut sst = SharedStrings::default();
    let mut names: Vec<String> = Vec::new();
    let mut parts: Vec<String> = Vec::new();
    for s in sheets {
        names.push(sheet_name(s, &names));
        parts.push(sheet_xml(s, &mut sst));
    }
    let n = sheets.len();
    let mut content_types = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>"#,
    );
    let mut workbook = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><bookViews><workbookView/></bookViews><sheets>"#,
    );
    let mut rels = String::from(
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    );
    for (i, name) in names.iter().enumerate() {
        let k = i + 1;
        let _ = write!(
            content_types,
            r#"<Override PartName="/xl/worksheets/sheet{k}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        );
        workbook.push_str(r#"<sheet name=""#);
        escape_into(&mut workbook, name);
        let _ = write!(workbook, r#"" sheetId="{k}" r:id="rId{k}"/>"#);
        let _ = write!(
            rels,
            r#"<Relationship Id="rId{k}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet{k}.xml"/>"#
        );
    }
    content_types.push_str("</Types>");
    workbook.push_str("</sheets></workbook>");
    let _ = write!(
        rels,
        r#"<Relationship Id="rId{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId{}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
        n + 1,
        n + 2
    );
    let mut strings = String::with_capacity(64 + sst.list.iter().map(|s| s.len() + 40).sum::<usize>());
    let _ = write!(
        strings,
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{}" uniqueCount="{}">"#,
        sst.uses,
        sst.list.len()
    );
    for s in &sst.list {
        strings.push_str(r#"<si><t xml:space="preserve">"#);
        escape_into(&mut strings, s);
        strings.push_str("</t></si>");
    }
    strings.push_str("</sst>");

    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        // Level 3: the sheets are large and repetitive; within 12 % of the best size at half the time.
        let opts = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(3));
        let fixed: [(&str, &str); 5] = [
            ("[Content_Types].xml", &content_types),
            (
                "_rels/.rels",
                concat!(
                    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
                    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>"#,
                    r#"<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/></Relationships>"#
                ),
            ),
            (
                "docProps/app.xml",
                r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"><Application>kehoach</Application></Properties>"#,
            ),
            ("xl/workbook.xml", &workbook),
            ("xl/_rels/workbook.xml.rels", &rels),
        ];
        for (name, body) in fixed {
            z.start_file(name, opts).map_err(err)?;
            z.write_all(body.as_bytes()).map_err(err)?;
        }
        z.start_file("xl/styles.xml", opts).map_err(err)?;
        z.write_all(STYLES.as_bytes()).map_err(err)?;
        z.start_file("xl/sharedStrings.xml", opts).map_err(err)?;
        z.write_all(strings.as_bytes()).map_err(err)?;
        for (i, part) in parts.iter().enumerate() {
            z.start_file(format!("xl/worksheets/sheet{}.xml", i + 1), opts)
                .map_err(err)?;
            z.write_all(part.as_bytes()).map_err(err)?;
        }
        z.finish().map_err(err)?;
    }
    Ok(buf.into_inner())
}

/// One sheet as CSV. A text that a spreadsheet would take for a formula
/// (starting with = + - @, a tab or a carriage return: a public entry titled
/// `=HYPERLINK(…)`) is written with a leading apostrophe, so it opens as
/// text; numbers are written as they are.
pub fn csv(sheet: &Sheet) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 * (sheet.rows.len() + 1));
    out.extend_from_slice("\u{feff}".as_bytes());
    let mut line = |cells: &mut dyn Iterator<Item = (String, bool)>| {
        let mut first = true;
        for (c, is_text) in cells {
            if !first {
                out.push(b',');
            }
            first = false;
            let c = if is_text && c.starts_with(['=', '+', '-', '@', '\t', '\r']) {
                format!("'{c}")
            } else {
                c
            };
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
    line(&mut sheet.columns.iter().map(|c| (c.clone(), true)));
    for row in &sheet.rows {
        line(
            &mut row
                .iter()
                .map(|c| (c.text(), matches!(c, Cell::Text(_) | Cell::Label(_)))),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_that_look_like_formulas_open_as_text() {
        let sheet = Sheet {
            id: "bai-du-thi".into(),
            name: "Bài dự thi".into(),
            columns: vec!["Tên bài".into(), "Điểm".into()],
            rows: vec![
                vec![Cell::Text("=HYPERLINK(\"http://x\",\"bấm\")".into()), Cell::Int(-3)],
                vec![Cell::Text("@SUM(A1)".into()), Cell::Num(-1.5)],
                vec![Cell::Text("+84 912".into()), Cell::Empty],
                vec![Cell::Text("Bình thường".into()), Cell::Int(7)],
            ],
        };
        let text = String::from_utf8(csv(&sheet)).unwrap();
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(lines[1], "\"'=HYPERLINK(\"\"http://x\"\",\"\"bấm\"\")\",-3");
        assert_eq!(lines[2], "'@SUM(A1),-1.5");
        assert_eq!(lines[3], "'+84 912,");
        assert_eq!(lines[4], "Bình thường,7");
    }
}
