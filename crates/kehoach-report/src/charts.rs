//! The report's charts as SVG, for the HTML preview. The DOCX draws the same
//! figures as shaded tables and the PDF as rectangles (same model, same data).

use kehoach_core::report::{Chart, ChartKind};
use kehoach_core::text::{vn_num, xml_escape};

/// Colours shared by the renderers: a met cell or a bar, an unmet cell, the goal.
pub const INK: &str = "1E3A5F";
pub const MET: &str = "2E7D32";
pub const UNMET: &str = "F4CCCC";
pub const GOAL: &str = "B91C1C";

/// Bars are this share of the largest of the values and the goal.
pub fn scale_max(bars: &[(String, f64)], goal: Option<f64>) -> f64 {
    bars.iter()
        .map(|(_, v)| *v)
        .chain(goal)
        .fold(0.0_f64, f64::max)
        .max(1.0)
}

pub fn svg(c: &Chart) -> String {
    match &c.kind {
        ChartKind::Bars { bars, goal, unit } => {
            let (label_w, bar_w, row_h) = (230.0, 330.0, 26.0);
            let max = scale_max(bars, *goal);
            let h = row_h * bars.len() as f64 + 30.0;
            let mut s = format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 680 {h}" role="img" aria-label="{}" class="report-chart">"#,
                xml_escape(&c.caption)
            );
            for (i, (label, v)) in bars.iter().enumerate() {
                let y = 10.0 + row_h * i as f64;
                let w = bar_w * v / max;
                let met = goal.is_none_or(|g| *v >= g);
                s.push_str(&format!(
                    "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{}</text>\
                     <rect x=\"{label_w}\" y=\"{}\" width=\"{w:.1}\" height=\"16\" fill=\"#{}\"/>\
                     <text x=\"{}\" y=\"{}\" font-size=\"12\">{} {}</text>",
                    label_w - 8.0,
                    y + 12.5,
                    xml_escape(label),
                    y + 1.0,
                    if met { MET } else { INK },
                    label_w + w + 6.0,
                    y + 12.5,
                    vn_num(*v, 0),
                    xml_escape(unit)
                ));
            }
            if let Some(g) = goal {
                let x = label_w + bar_w * g / max;
                s.push_str(&format!(
                    "<line x1=\"{x:.1}\" y1=\"4\" x2=\"{x:.1}\" y2=\"{}\" stroke=\"#{GOAL}\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>\
                     <text x=\"{x:.1}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" fill=\"#{GOAL}\">chỉ tiêu {} {}</text>",
                    h - 16.0,
                    h - 4.0,
                    vn_num(*g, 0),
                    xml_escape(unit)
                ));
            }
            s.push_str("</svg>");
            s
        }
        ChartKind::Grid { columns, rows, per } => {
            let (label_w, cell_w, cell_h) = (260.0, 26.0, 18.0);
            let w = label_w + cell_w * columns.len() as f64 + 10.0;
            let h = 24.0 + cell_h * rows.len() as f64 + 6.0;
            let mut s = format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" aria-label="{}" class="report-chart">"#,
                xml_escape(&c.caption)
            );
            s.push_str(&format!(
                "<text x=\"{}\" y=\"16\" text-anchor=\"end\" font-size=\"10\">Tuần</text>",
                label_w - 6.0
            ));
            for (j, col) in columns.iter().enumerate() {
                s.push_str(&format!(
                    "<text x=\"{:.1}\" y=\"16\" text-anchor=\"middle\" font-size=\"10\">{}</text>",
                    label_w + cell_w * (j as f64 + 0.5),
                    xml_escape(col)
                ));
            }
            for (i, (label, cells)) in rows.iter().enumerate() {
                let y = 24.0 + cell_h * i as f64;
                s.push_str(&format!(
                    "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"11\">{}</text>",
                    label_w - 6.0,
                    y + 13.0,
                    xml_escape(label)
                ));
                for (j, n) in cells.iter().enumerate() {
                    s.push_str(&format!(
                        "<rect x=\"{:.1}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"#{}\"><title>Tuần {}: {} buổi</title></rect>",
                        label_w + cell_w * j as f64 + 1.0,
                        cell_w - 2.0,
                        cell_h - 2.0,
                        if n >= per { MET } else { UNMET },
                        xml_escape(columns.get(j).map(String::as_str).unwrap_or("")),
                        n
                    ));
                }
            }
            s.push_str("</svg>");
            s
        }
    }
}
