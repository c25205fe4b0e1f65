//! The plan's activity lines drawn as an SVG timeline over the plan period.
//!
//! Pure: the caller passes `today` (in Asia/Ho_Chi_Minh); nothing reads a clock.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::day::Day;
use crate::plan::model::Plan;
use crate::text::{truncate, xml_escape as esc};

const LABEL_W: f64 = 250.0;
const CHART_W: f64 = 620.0;
const ROW_H: f64 = 26.0;
const TOP: f64 = 30.0;

/// Renders the timeline; `today` is marked when it falls inside the period.
pub fn timeline_svg(plan: &Plan, today: Option<Day>) -> String {
    timeline_svg_with_counts(plan, today, None)
}

/// The timeline with, at the end of each row, the sessions held on the line.
pub fn timeline_svg_with_counts(plan: &Plan, today: Option<Day>, held: Option<&BTreeMap<String, u32>>) -> String {
    let period = plan.plan.period;
    let extra = if held.is_some() { 80.0 } else { 0.0 };
    let days = period.days() as f64;
    let x = |d: Day| LABEL_W + CHART_W * ((d.0 - period.start.0).whole_days() as f64) / days;
    let day_w = CHART_W / days;
    let height = TOP + ROW_H * plan.lines.len() as f64 + 10.0;
    let width = LABEL_W + CHART_W + 10.0 + extra;
    let mut s = String::new();
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" class="timeline" role="img" aria-label="Tiến độ các hoạt động từ {} đến {}">"#,
        period.start.vn(),
        period.end.vn()
    );
    // Month grid.
    let mut d = period.start;
    while d <= period.end {
        if d.0.day() == 1 || d == period.start {
            let xx = x(d);
            let _ = write!(
                s,
                r##"<line x1="{xx:.1}" y1="{}" x2="{xx:.1}" y2="{height}" stroke="#ccd" stroke-width="1"/><text x="{:.1}" y="16" font-size="12" fill="#445">tháng {}</text>"##,
                TOP - 8.0,
                xx + 4.0,
                u8::from(d.0.month())
            );
        }
        match d.0.next_day() {
            Some(n) => d = Day(n),
            None => break,
        }
    }
    for (i, l) in plan.lines.iter().enumerate() {
        let y = TOP + ROW_H * i as f64;
        let indent = if l.parent.is_some() { 14.0 } else { 4.0 };
        let label = l.label();
        let _ = write!(
            s,
            r##"<g class="tl-row" data-line="{}"><title>{}</title><text x="{indent}" y="{:.1}" font-size="12" fill="#223">{}</text>"##,
            esc(&l.id),
            esc(&format!("{label}: {}", l.time_text.as_deref().unwrap_or(""))),
            y + 17.0,
            esc(&truncate(&label, 38))
        );
        let w = l.window;
        let x0 = x(w.start);
        let bw = ((w.end.0 - w.start.0).whole_days() as f64 + 1.0) * day_w;
        let fill = if l.parent.is_some() || l.milestones.is_empty() {
            "#2b6cb0"
        } else {
            "#90cdf4"
        };
        if w.start == w.end {
            let cx = x0 + day_w / 2.0;
            let cy = y + 13.0;
            let _ = write!(
                s,
                r##"<path d="M{cx:.1} {:.1} L{:.1} {cy:.1} L{cx:.1} {:.1} L{:.1} {cy:.1} Z" fill="{}"/>"##,
                cy - 8.0,
                cx + 8.0,
                cy + 8.0,
                cx - 8.0,
                if w.tentative { "#ed8936" } else { "#c53030" }
            );
        } else {
            let _ = write!(
                s,
                r#"<rect x="{x0:.1}" y="{:.1}" width="{bw:.1}" height="14" rx="3" fill="{fill}"/>"#,
                y + 6.0
            );
        }
        for m in &l.milestones {
            let mx = x(m.window.start);
            let mw = ((m.window.end.0 - m.window.start.0).whole_days() as f64 + 1.0) * day_w;
            let _ = write!(
                s,
                r##"<rect x="{mx:.1}" y="{:.1}" width="{mw:.1}" height="14" rx="3" fill="#2b6cb0" opacity="0.85"><title>{}: {}</title></rect>"##,
                y + 6.0,
                esc(&m.name),
                esc(&m.text)
            );
        }
        if let Some(h) = held {
            let n = h.get(&l.id).copied().unwrap_or(0);
            let _ = write!(
                s,
                r##"<text x="{:.1}" y="{:.1}" font-size="12" fill="{}" class="held">{n} buổi</text>"##,
                LABEL_W + CHART_W + 16.0,
                y + 17.0,
                if n > 0 { "#22543d" } else { "#8a94a6" }
            );
        }
        s.push_str("</g>");
    }
    if let Some(t) = today
        && period.contains(t)
    {
        let tx = x(t) + day_w / 2.0;
        let _ = write!(
            s,
            r##"<line x1="{tx:.1}" y1="{}" x2="{tx:.1}" y2="{height}" stroke="#e53e3e" stroke-width="2" class="today"/><text x="{:.1}" y="{}" font-size="11" fill="#e53e3e">hôm nay {}</text>"##,
            TOP - 6.0,
            tx + 3.0,
            TOP - 4.0,
            t.vn_short()
        );
    }
    s.push_str("</svg>");
    s
}
