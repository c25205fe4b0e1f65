//! The report as a Word document (DOCX), laid out as Decree 30/2020/NĐ-CP
//! asks: A4 portrait, margins 20/20/30/15 mm, Times New Roman, the two-column
//! header with its rules, "BÁO CÁO" and the summary line, a justified body
//! with first-line indents, tables, page numbers centred in the top margin
//! from page 2, and "Nơi nhận" beside the signer block.
//!
//! The WordprocessingML is written directly (a handful of parts in a zip), so
//! every measure of the decree is set exactly and the output is the same
//! bytes for the same report.

use std::io::Write;

use kehoach_core::report::{Block, Chart, ChartKind, Report, Table};
use kehoach_core::text::vn_num;
use kehoach_core::text::xml_escape as esc;
use zip::write::SimpleFileOptions;

use crate::ReportError;

/// Twips (1/20 pt) in a millimetre.
fn tw(mm: f32) -> i64 {
    (mm * 1440.0 / 25.4).round() as i64
}

const PAGE_W_MM: f32 = 210.0;
const PAGE_H_MM: f32 = 297.0;
const TOP_MM: f32 = 20.0;
const BOTTOM_MM: f32 = 20.0;
const LEFT_MM: f32 = 30.0;
const RIGHT_MM: f32 = 15.0;
/// Width of the text area.
const TEXT_MM: f32 = PAGE_W_MM - LEFT_MM - RIGHT_MM;
/// Body size in half-points (14 pt).
const BODY: u32 = 28;
/// First-line indent of body paragraphs.
const INDENT_MM: f32 = 12.7;

/// Run properties: bold, italic, size in half-points.
fn run(text: &str, bold: bool, italic: bool, size: u32) -> String {
    let mut rpr = String::new();
    if bold {
        rpr.push_str("<w:b/><w:bCs/>");
    }
    if italic {
        rpr.push_str("<w:i/><w:iCs/>");
    }
    rpr.push_str(&format!("<w:sz w:val=\"{size}\"/><w:szCs w:val=\"{size}\"/>"));
    format!(
        "<w:r><w:rPr>{rpr}</w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>",
        esc(text)
    )
}

/// A paragraph: alignment ("center", "both", "left"), spacing before/after
/// in points, first-line indent in mm, and its runs.
fn para(align: &str, before_pt: u32, after_pt: u32, indent_mm: f32, runs: &str) -> String {
    let ind = if indent_mm > 0.0 {
        format!("<w:ind w:firstLine=\"{}\"/>", tw(indent_mm))
    } else {
        String::new()
    };
    format!(
        "<w:p><w:pPr><w:spacing w:before=\"{}\" w:after=\"{}\" w:line=\"288\" w:lineRule=\"auto\"/>{ind}<w:jc w:val=\"{align}\"/></w:pPr>{runs}</w:p>",
        before_pt * 20,
        after_pt * 20,
    )
}

/// A centred horizontal rule `len_mm` long in a column `width_mm` wide.
fn rule(width_mm: f32, len_mm: f32) -> String {
    let side = tw(((width_mm - len_mm) / 2.0).max(0.0));
    format!(
        "<w:p><w:pPr><w:pBdr><w:top w:val=\"single\" w:sz=\"6\" w:space=\"1\" w:color=\"000000\"/></w:pBdr>\
         <w:spacing w:before=\"40\" w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/>\
         <w:ind w:left=\"{side}\" w:right=\"{side}\"/><w:jc w:val=\"center\"/><w:rPr><w:sz w:val=\"4\"/></w:rPr></w:pPr></w:p>"
    )
}

/// A borderless table of one row with the given cells (width mm, content).
fn layout_row(cells: &[(f32, String)]) -> String {
    let grid: String = cells
        .iter()
        .map(|(w, _)| format!("<w:gridCol w:w=\"{}\"/>", tw(*w)))
        .collect();
    let tds: String = cells
        .iter()
        .map(|(w, c)| {
            format!(
                "<w:tc><w:tcPr><w:tcW w:w=\"{}\" w:type=\"dxa\"/></w:tcPr>{c}</w:tc>",
                tw(*w)
            )
        })
        .collect();
    let total: f32 = cells.iter().map(|(w, _)| w).sum();
    format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"{}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblLayout w:type=\"fixed\"/>\
         <w:tblBorders><w:top w:val=\"nil\"/><w:left w:val=\"nil\"/><w:bottom w:val=\"nil\"/><w:right w:val=\"nil\"/>\
         <w:insideH w:val=\"nil\"/><w:insideV w:val=\"nil\"/></w:tblBorders>\
         <w:tblCellMar><w:left w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"0\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr>\
         <w:tblGrid>{grid}</w:tblGrid><w:tr>{tds}</w:tr></w:tbl>",
        tw(total)
    )
}

/// Rough width of bold 13 pt Times text, to size the rule under the motto.
fn text_mm(text: &str, pt: f32) -> f32 {
    text.chars().count() as f32 * pt * 0.5 * 25.4 / 72.0
}

fn header(r: &Report) -> String {
    let left_w = 67.5;
    let right_w = TEXT_MM - left_w;
    let mut left = String::new();
    if let Some(p) = &r.issuer_parent {
        left.push_str(&para("center", 0, 0, 0.0, &run(p, false, false, 26)));
    }
    for l in &r.issuer_lines {
        left.push_str(&para("center", 0, 0, 0.0, &run(l, true, false, 26)));
    }
    left.push_str(&rule(left_w, left_w * 0.4));
    left.push_str(&para("center", 6, 0, 0.0, &run(&r.number, false, false, 26)));
    let motto = "Độc lập - Tự do - Hạnh phúc";
    let mut right = String::new();
    right.push_str(&para(
        "center",
        0,
        0,
        0.0,
        &run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", true, false, 24),
    ));
    right.push_str(&para("center", 0, 0, 0.0, &run(motto, true, false, 26)));
    right.push_str(&rule(right_w, text_mm(motto, 13.0).min(right_w)));
    right.push_str(&para("center", 6, 0, 0.0, &run(&r.place_date, false, true, 28)));
    layout_row(&[(left_w, left), (right_w, right)])
}

fn table(t: &Table) -> String {
    let mut x = String::new();
    x.push_str(&para("center", 6, 3, 0.0, &run(&t.caption, true, false, 26)));
    let total: f32 = t.columns.iter().map(|c| c.width_mm).sum();
    let scale = if total > TEXT_MM { TEXT_MM / total } else { 1.0 };
    let grid: String = t
        .columns
        .iter()
        .map(|c| format!("<w:gridCol w:w=\"{}\"/>", tw(c.width_mm * scale)))
        .collect();
    let cell = |w: f32, text: &str, bold: bool, align: &str| {
        format!(
            "<w:tc><w:tcPr><w:tcW w:w=\"{}\" w:type=\"dxa\"/><w:vAlign w:val=\"center\"/></w:tcPr>\
             <w:p><w:pPr><w:spacing w:before=\"40\" w:after=\"40\" w:line=\"240\" w:lineRule=\"auto\"/><w:jc w:val=\"{align}\"/></w:pPr>{}</w:p></w:tc>",
            tw(w * scale),
            run(text, bold, false, 24)
        )
    };
    let head: String = t
        .columns
        .iter()
        .map(|c| cell(c.width_mm, &c.header, true, "center"))
        .collect();
    let border = "<w:top w:val=\"single\" w:sz=\"4\" w:color=\"000000\"/><w:left w:val=\"single\" w:sz=\"4\" w:color=\"000000\"/>\
                  <w:bottom w:val=\"single\" w:sz=\"4\" w:color=\"000000\"/><w:right w:val=\"single\" w:sz=\"4\" w:color=\"000000\"/>\
                  <w:insideH w:val=\"single\" w:sz=\"4\" w:color=\"000000\"/><w:insideV w:val=\"single\" w:sz=\"4\" w:color=\"000000\"/>";
    x.push_str(&format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"{}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblLayout w:type=\"fixed\"/>\
         <w:tblBorders>{border}</w:tblBorders><w:tblCellMar><w:left w:w=\"80\" w:type=\"dxa\"/><w:right w:w=\"80\" w:type=\"dxa\"/></w:tblCellMar>\
         <w:tblCaption w:val=\"{}\"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>\
         <w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>{head}</w:tr>",
        tw(total * scale),
        esc(&t.id)
    ));
    for row in &t.rows {
        x.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
        for (c, v) in t.columns.iter().zip(row) {
            x.push_str(&cell(c.width_mm, v, false, if c.numeric { "center" } else { "left" }));
        }
        x.push_str("</w:tr>");
    }
    x.push_str("</w:tbl>");
    x.push_str(&para("both", 0, 6, 0.0, ""));
    x
}

/// A chart as a borderless table of shaded cells: Word and LibreOffice keep
/// it editable and it prints like the PDF's drawing.
fn chart(c: &Chart) -> String {
    use crate::charts::{GOAL, INK, MET, UNMET, scale_max};
    // The caption stays on the chart's page (keepNext here and on every row
    // but the last: Word and LibreOffice move them together).
    let mut x =
        para("center", 6, 3, 0.0, &run(&c.caption, true, false, 26)).replacen("<w:pPr>", "<w:pPr><w:keepNext/>", 1);
    let span_cell = |w_mm: f32, span: usize, fill: Option<&str>, text: &str, align: &str, size: u32, keep: bool| {
        let shade = fill
            .map(|f| format!("<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{f}\"/>"))
            .unwrap_or_default();
        let grid_span = if span > 1 {
            format!("<w:gridSpan w:val=\"{span}\"/>")
        } else {
            String::new()
        };
        let keep = if keep { "<w:keepNext/>" } else { "" };
        format!(
            "<w:tc><w:tcPr><w:tcW w:w=\"{}\" w:type=\"dxa\"/>{grid_span}{shade}<w:vAlign w:val=\"center\"/></w:tcPr>\
             <w:p><w:pPr>{keep}<w:spacing w:before=\"20\" w:after=\"20\" w:line=\"240\" w:lineRule=\"auto\"/><w:jc w:val=\"{align}\"/></w:pPr>{}</w:p></w:tc>",
            tw(w_mm),
            if text.is_empty() {
                String::new()
            } else {
                run(text, false, false, size)
            }
        )
    };
    let cell = |w_mm: f32, fill: Option<&str>, text: &str, align: &str, size: u32| {
        span_cell(w_mm, 1, fill, text, align, size, true)
    };
    let open = |widths: &[f32]| {
        let grid: String = widths
            .iter()
            .map(|w| format!("<w:gridCol w:w=\"{}\"/>", tw(*w)))
            .collect();
        format!(
            "<w:tbl><w:tblPr><w:tblW w:w=\"{}\" w:type=\"dxa\"/><w:jc w:val=\"center\"/><w:tblLayout w:type=\"fixed\"/>\
             <w:tblCellMar><w:left w:w=\"20\" w:type=\"dxa\"/><w:right w:w=\"20\" w:type=\"dxa\"/></w:tblCellMar>\
             <w:tblCaption w:val=\"{}\"/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>",
            tw(widths.iter().sum()),
            esc(&c.id)
        )
    };
    match &c.kind {
        ChartKind::Bars { bars, goal, unit } => {
            let (label_w, area_w, value_w) = (55.0_f32, 80.0_f32, 30.0_f32);
            let max = scale_max(bars, *goal);
            // The bar area is split in 40 steps: filled steps, then empty ones.
            let steps = 40usize;
            let step_w = area_w / steps as f32;
            let mut widths = vec![label_w];
            widths.extend(std::iter::repeat_n(step_w, steps));
            widths.push(value_w);
            x.push_str(&open(&widths));
            let goal_step = goal.map(|g| ((g / max) * steps as f64).round() as usize);
            // One merged cell per bar (a bar never breaks into segments),
            // the goal as a thin red cell, the value beside its bar.
            for (i, (label, v)) in bars.iter().enumerate() {
                let keep = i + 1 < bars.len();
                let filled = (((v / max) * steps as f64).round() as usize).min(steps);
                let met = goal.is_none_or(|g| *v >= g);
                x.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
                x.push_str(&span_cell(label_w, 1, None, label, "right", 22, keep));
                if filled > 0 {
                    let fill = if met { MET } else { INK };
                    x.push_str(&span_cell(
                        step_w * filled as f32,
                        filled,
                        Some(fill),
                        "",
                        "left",
                        22,
                        keep,
                    ));
                }
                let empty = |from: usize, to: usize, x: &mut String| {
                    if to > from {
                        x.push_str(&span_cell(
                            step_w * (to - from) as f32,
                            to - from,
                            None,
                            "",
                            "left",
                            22,
                            keep,
                        ));
                    }
                };
                match goal_step.filter(|g| *g > filled && *g >= 1 && *g <= steps) {
                    Some(g) => {
                        empty(filled, g - 1, &mut x);
                        x.push_str(&span_cell(step_w, 1, Some(GOAL), "", "left", 22, keep));
                        empty(g, steps, &mut x);
                    }
                    None => empty(filled, steps, &mut x),
                }
                x.push_str(&span_cell(
                    value_w,
                    1,
                    None,
                    &format!("{} {unit}", vn_num(*v, 0)),
                    "left",
                    22,
                    keep,
                ));
                x.push_str("</w:tr>");
            }
            x.push_str("</w:tbl>");
            if let Some(g) = goal {
                x.push_str(&para(
                    "center",
                    2,
                    6,
                    0.0,
                    &run(
                        &format!("Vạch đỏ: chỉ tiêu {} {unit} mỗi thôn.", vn_num(*g, 0)),
                        false,
                        true,
                        22,
                    ),
                ));
            }
        }
        ChartKind::Grid { columns, rows, per } => {
            let label_w = 50.0_f32;
            let cell_w = ((TEXT_MM - label_w) / columns.len().max(1) as f32).min(9.0);
            let mut widths = vec![label_w];
            widths.extend(std::iter::repeat_n(cell_w, columns.len()));
            x.push_str(&open(&widths));
            x.push_str("<w:tr><w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>");
            x.push_str(&cell(label_w, None, "Tuần", "right", 16));
            for col in columns {
                x.push_str(&cell(cell_w, None, col, "center", 16));
            }
            x.push_str("</w:tr>");
            for (label, cells) in rows {
                x.push_str("<w:tr><w:trPr><w:cantSplit/></w:trPr>");
                x.push_str(&cell(label_w, None, label, "right", 18));
                for n in cells {
                    let fill = if n >= per { MET } else { UNMET };
                    x.push_str(&cell(cell_w, Some(fill), "", "center", 16));
                }
                x.push_str("</w:tr>");
            }
            x.push_str("</w:tbl>");
            x.push_str(&para(
                "center",
                2,
                6,
                0.0,
                &run("Ô xanh: tuần lớp có buổi; ô hồng: tuần chưa có buổi.", false, true, 22),
            ));
        }
    }
    x
}

fn signature(r: &Report) -> String {
    let left_w = 60.0;
    let right_w = TEXT_MM - left_w;
    let mut left = para("left", 0, 0, 0.0, &run("Nơi nhận:", true, true, 24));
    for rec in &r.recipients {
        left.push_str(&para("left", 0, 0, 0.0, &run(&format!("- {rec}"), false, false, 22)));
    }
    let s = &r.signer;
    let mut right = String::new();
    if !s.on_behalf.is_empty() {
        right.push_str(&para("center", 0, 0, 0.0, &run(&s.on_behalf, true, false, 28)));
    }
    if let Some(d) = &s.deputy_for {
        right.push_str(&para("center", 0, 0, 0.0, &run(d, true, false, 28)));
    }
    right.push_str(&para("center", 0, 0, 0.0, &run(&s.position, true, false, 28)));
    for _ in 0..4 {
        right.push_str(&para("center", 0, 0, 0.0, ""));
    }
    right.push_str(&para("center", 0, 0, 0.0, &run(&s.name, true, false, 28)));
    layout_row(&[(left_w, left), (right_w, right)])
}

/// The body part (word/document.xml).
pub fn document_xml(r: &Report) -> String {
    let mut body = String::new();
    body.push_str(&header(r));
    body.push_str(&para("center", 18, 0, 0.0, &run(&r.kind, true, false, 28)));
    body.push_str(&para("center", 0, 0, 0.0, &run(&r.title, true, false, 28)));
    body.push_str(&rule(TEXT_MM, TEXT_MM * 0.33));
    body.push_str(&para("both", 0, 6, 0.0, ""));
    for b in &r.blocks {
        match b {
            Block::Heading { level: 1, text } => body.push_str(&para(
                "both",
                6,
                6,
                INDENT_MM,
                &run(&text.to_uppercase(), true, false, BODY),
            )),
            Block::Heading { text, .. } => body.push_str(&para("both", 6, 6, INDENT_MM, &run(text, true, false, BODY))),
            Block::Para(text) => body.push_str(&para("both", 0, 6, INDENT_MM, &run(text, false, false, BODY))),
            Block::Table(t) => body.push_str(&table(t)),
            Block::Chart(c) => body.push_str(&chart(c)),
        }
    }
    body.push_str(&signature(r));
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
         xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:body>{body}\
         <w:sectPr><w:headerReference w:type=\"default\" r:id=\"rIdHeader\"/><w:headerReference w:type=\"first\" r:id=\"rIdFirst\"/>\
         <w:pgSz w:w=\"{}\" w:h=\"{}\"/>\
         <w:pgMar w:top=\"{}\" w:right=\"{}\" w:bottom=\"{}\" w:left=\"{}\" w:header=\"567\" w:footer=\"567\" w:gutter=\"0\"/>\
         <w:titlePg/></w:sectPr></w:body></w:document>",
        tw(PAGE_W_MM),
        tw(PAGE_H_MM),
        tw(TOP_MM),
        tw(RIGHT_MM),
        tw(BOTTOM_MM),
        tw(LEFT_MM),
    )
}

const NS_W: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";

fn styles_xml() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <w:styles {NS_W}><w:docDefaults><w:rPrDefault><w:rPr>\
         <w:rFonts w:ascii=\"Times New Roman\" w:hAnsi=\"Times New Roman\" w:eastAsia=\"Times New Roman\" w:cs=\"Times New Roman\"/>\
         <w:sz w:val=\"{BODY}\"/><w:szCs w:val=\"{BODY}\"/><w:lang w:val=\"vi-VN\" w:eastAsia=\"vi-VN\" w:bidi=\"ar-SA\"/>\
         </w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after=\"0\" w:line=\"240\" w:lineRule=\"auto\"/></w:pPr></w:pPrDefault></w:docDefaults>\
         <w:style w:type=\"paragraph\" w:default=\"1\" w:styleId=\"Normal\"><w:name w:val=\"Normal\"/><w:qFormat/></w:style>\
         <w:style w:type=\"table\" w:default=\"1\" w:styleId=\"TableNormal\"><w:name w:val=\"Normal Table\"/>\
         <w:tblPr><w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblCellMar><w:top w:w=\"0\" w:type=\"dxa\"/><w:left w:w=\"108\" w:type=\"dxa\"/>\
         <w:bottom w:w=\"0\" w:type=\"dxa\"/><w:right w:w=\"108\" w:type=\"dxa\"/></w:tblCellMar></w:tblPr></w:style>\
         </w:styles>"
    )
}

fn header_xml(page_number: bool) -> String {
    let content = if page_number {
        format!(
            "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>\
             <w:r><w:rPr><w:sz w:val=\"{BODY}\"/></w:rPr><w:fldChar w:fldCharType=\"begin\"/></w:r>\
             <w:r><w:rPr><w:sz w:val=\"{BODY}\"/></w:rPr><w:instrText xml:space=\"preserve\"> PAGE </w:instrText></w:r>\
             <w:r><w:rPr><w:sz w:val=\"{BODY}\"/></w:rPr><w:fldChar w:fldCharType=\"separate\"/></w:r>\
             <w:r><w:rPr><w:sz w:val=\"{BODY}\"/></w:rPr><w:t>2</w:t></w:r>\
             <w:r><w:rPr><w:sz w:val=\"{BODY}\"/></w:rPr><w:fldChar w:fldCharType=\"end\"/></w:r></w:p>"
        )
    } else {
        "<w:p/>".to_string()
    };
    format!("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<w:hdr {NS_W}>{content}</w:hdr>")
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
<Override PartName=\"/word/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.styles+xml\"/>\
<Override PartName=\"/word/settings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml\"/>\
<Override PartName=\"/word/header1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml\"/>\
<Override PartName=\"/word/header2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml\"/>\
<Override PartName=\"/docProps/core.xml\" ContentType=\"application/vnd.openxmlformats-package.core-properties+xml\"/>\
<Override PartName=\"/docProps/app.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>\
</Types>";

const ROOT_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties\" Target=\"docProps/core.xml\"/>\
<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties\" Target=\"docProps/app.xml\"/>\
</Relationships>";

const DOC_RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rIdStyles\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>\
<Relationship Id=\"rIdSettings\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/settings\" Target=\"settings.xml\"/>\
<Relationship Id=\"rIdHeader\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/header\" Target=\"header1.xml\"/>\
<Relationship Id=\"rIdFirst\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/header\" Target=\"header2.xml\"/>\
</Relationships>";

const SETTINGS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:settings xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\">\
<w:defaultTabStop w:val=\"720\"/><w:characterSpacingControl w:val=\"doNotCompress\"/>\
<w:compat><w:compatSetting w:name=\"compatibilityMode\" w:uri=\"http://schemas.microsoft.com/office/word\" w:val=\"15\"/></w:compat>\
</w:settings>";

const APP: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\"><Application>kehoach</Application></Properties>";

fn core_xml(r: &Report) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/2006/metadata/core-properties\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><dc:title>{} {}</dc:title><dc:creator>kehoach</dc:creator>\
         <dc:language>vi-VN</dc:language></cp:coreProperties>",
        esc(&r.kind),
        esc(&r.title)
    )
}

/// The report as DOCX bytes.
pub fn docx(r: &Report) -> Result<Vec<u8>, ReportError> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        let parts: [(&str, String); 9] = [
            ("[Content_Types].xml", CONTENT_TYPES.into()),
            ("_rels/.rels", ROOT_RELS.into()),
            ("word/_rels/document.xml.rels", DOC_RELS.into()),
            ("word/document.xml", document_xml(r)),
            ("word/styles.xml", styles_xml()),
            ("word/settings.xml", SETTINGS.into()),
            ("word/header1.xml", header_xml(true)),
            ("word/header2.xml", header_xml(false)),
            ("docProps/core.xml", core_xml(r)),
        ];
        for (name, body) in parts {
            z.start_file(name, opts).map_err(|e| ReportError::Docx(e.to_string()))?;
            z.write_all(body.as_bytes())
                .map_err(|e| ReportError::Docx(e.to_string()))?;
        }
        z.start_file("docProps/app.xml", opts)
            .map_err(|e| ReportError::Docx(e.to_string()))?;
        z.write_all(APP.as_bytes())
            .map_err(|e| ReportError::Docx(e.to_string()))?;
        z.finish().map_err(|e| ReportError::Docx(e.to_string()))?;
    }
    Ok(buf.into_inner())
}

/// The text of a DOCX, list numbers written out (see `docx_read`).
pub use crate::docx_read::text;
