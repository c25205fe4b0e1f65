//! The report as a PDF of our own, laid out like the DOCX (Decree
//! 30/2020/NĐ-CP): A4, margins 20/20/30/15 mm, Liberation Serif (the metric
//! twin of Times New Roman, embedded and subset), the two-column header with
//! its rules, a justified body with first-line indents, ruled tables whose
//! header row repeats on a new page, page numbers centred in the top margin
//! from page 2, and "Nơi nhận" beside the signer block.
//!
//! Layout first (lines broken with the fonts' advance widths into drawing
//! operations per page), then drawing with krilla. Words are drawn one by
//! one, so a justified line keeps its words whole for text extraction.

use kehoach_core::report::{Block, Report, Table};
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

use crate::{ReportError, mm};

static REGULAR: &[u8] = include_bytes!("../fonts/LiberationSerif-Regular.ttf");
static BOLD: &[u8] = include_bytes!("../fonts/LiberationSerif-Bold.ttf");
static ITALIC: &[u8] = include_bytes!("../fonts/LiberationSerif-Italic.ttf");
static BOLD_ITALIC: &[u8] = include_bytes!("../fonts/LiberationSerif-BoldItalic.ttf");

const PAGE_W: f32 = 210.0;
const PAGE_H: f32 = 297.0;
const TOP: f32 = 20.0;
const BOTTOM: f32 = 20.0;
const LEFT: f32 = 30.0;
const RIGHT: f32 = 15.0;
const TEXT_W: f32 = PAGE_W - LEFT - RIGHT;
const BODY: f32 = 14.0;
const TABLE: f32 = 12.0;
const INDENT: f32 = 12.7;
/// Line height as a multiple of the size (the DOCX's 1,2 lines).
const LEADING: f32 = 1.2;

#[derive(Clone, Copy, PartialEq)]
enum Face {
    Regular,
    Bold,
    Italic,
    BoldItalic,
}

#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Center,
    Justify,
}

fn bytes(f: Face) -> &'static [u8] {
    match f {
        Face::Regular => REGULAR,
        Face::Bold => BOLD,
        Face::Italic => ITALIC,
        Face::BoldItalic => BOLD_ITALIC,
    }
}

/// Advance widths (points at size 1) per face.
struct Metrics {
    faces: Vec<(Face, FontRef<'static>)>,
}

impl Metrics {
    fn new() -> Result<Metrics, ReportError> {
        let mut faces = Vec::new();
        for f in [Face::Regular, Face::Bold, Face::Italic, Face::BoldItalic] {
            faces.push((f, FontRef::new(bytes(f)).map_err(|_| ReportError::Font)?));
        }
        Ok(Metrics { faces })
    }

    /// Width of `text` in points (no kerning: a hair wider than drawn).
    fn width(&self, f: Face, size: f32, text: &str) -> f32 {
        let Some((_, font)) = self.faces.iter().find(|(x, _)| *x == f) else {
            return 0.0;
        };
        let charmap = font.charmap();
        let gm = font.glyph_metrics(Size::new(size), LocationRef::default());
        text.chars()
            .map(|c| charmap.map(c).and_then(|g| gm.advance_width(g)).unwrap_or(size * 0.5))
            .sum()
    }
}

enum Op {
    Text {
        x: f32,
        y: f32,
        face: Face,
        size: f32,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
    },
    /// A QR code of `text`, `size` points square, top-left at (x, y).
    Qr { x: f32, y: f32, size: f32, text: String },
    /// A filled rectangle, top-left at (x, y), colour as "RRGGBB".
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: &'static str,
    },
}

/// Positions in points from the top-left corner of the page.
struct Layout<'m> {
    m: &'m Metrics,
    pages: Vec<Vec<Op>>,
    /// Top of the next line on the current page.
    y: f32,
}

/// Text broken into lines of words for a width.
fn wrap(m: &Metrics, f: Face, size: f32, text: &str, width: f32, first_indent: f32) -> Vec<Vec<String>> {
    let mut lines: Vec<Vec<String>> = Vec::new();
    let space = m.width(f, size, " ");
    let mut line: Vec<String> = Vec::new();
    let mut used = 0.0;
    // Only ASCII spaces break: a no-break space (the blank for the number in
    // "Số:      /BC-UBND") keeps its width.
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let avail = if lines.is_empty() { width - first_indent } else { width };
        let w = m.width(f, size, word);
        let need = if line.is_empty() { w } else { used + space + w };
        if need > avail && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            used = w;
        } else {
            used = need;
        }
        line.push(word.to_string());
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

impl<'m> Layout<'m> {
    fn new(m: &'m Metrics) -> Layout<'m> {
        Layout {
            m,
            pages: vec![Vec::new()],
            y: mm(TOP),
        }
    }

    fn bottom() -> f32 {
        mm(PAGE_H - BOTTOM)
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = mm(TOP);
    }

    fn ensure(&mut self, h: f32) {
        if self.y + h > Self::bottom() {
            self.new_page();
        }
    }

    fn op(&mut self, op: Op) {
        if let Some(p) = self.pages.last_mut() {
            p.push(op);
        }
    }

    /// Lays out one paragraph in a column; returns nothing, moves `y`.
    #[expect(
        clippy::too_many_arguments,
        reason = "one paragraph's every setting, named at the call"
    )]
    fn para(
        &mut self,
        text: &str,
        f: Face,
        size: f32,
        align: Align,
        x0: f32,
        width: f32,
        indent: f32,
        before: f32,
        after: f32,
        breaks: bool,
    ) {
        self.y += before;
        let lh = size * LEADING;
        let lines = wrap(self.m, f, size, text, width, indent);
        let space = self.m.width(f, size, " ");
        let n = lines.len();
        for (i, words) in lines.into_iter().enumerate() {
            if breaks {
                self.ensure(lh);
            }
            let baseline = self.y + size * 0.9;
            let start = x0 + if i == 0 { indent } else { 0.0 };
            let avail = width - if i == 0 { indent } else { 0.0 };
            let widths: Vec<f32> = words.iter().map(|w| self.m.width(f, size, w)).collect();
            let natural: f32 = widths.iter().sum::<f32>() + space * (words.len().saturating_sub(1)) as f32;
            let (mut x, gap) = match align {
                Align::Left => (start, space),
                Align::Center => (start + (avail - natural).max(0.0) / 2.0, space),
                Align::Justify if i + 1 < n && words.len() > 1 => {
                    (start, (avail - widths.iter().sum::<f32>()) / (words.len() - 1) as f32)
                }
                Align::Justify => (start, space),
            };
            for (w, ww) in words.into_iter().zip(widths) {
                self.op(Op::Text {
                    x,
                    y: baseline,
                    face: f,
                    size,
                    text: w,
                });
                x += ww + gap;
            }
            self.y += lh;
        }
        self.y += after;
    }

    /// A chart: bars against a goal, or a grid of met and unmet cells.
    fn chart(&mut self, c: &kehoach_core::report::Chart) {
        use crate::charts::{GOAL, INK, MET, UNMET, scale_max};
        use kehoach_core::report::ChartKind;
        let m = self.m;
        let small = 10.0;
        let caption_h = 13.0 * LEADING + 9.0;
        match &c.kind {
            ChartKind::Bars { bars, goal, unit } => {
                let row = 16.0;
                self.ensure(caption_h + row * bars.len().min(6) as f32);
                self.para(
                    &c.caption,
                    Face::Bold,
                    13.0,
                    Align::Center,
                    mm(LEFT),
                    mm(TEXT_W),
                    0.0,
                    6.0,
                    3.0,
                    true,
                );
                let (label_w, area_w) = (mm(55.0), mm(85.0));
                let x0 = mm(LEFT);
                let max = scale_max(bars, *goal) as f32;
                let top = self.y;
                for (label, v) in bars {
                    self.ensure(row);
                    let y = self.y;
                    let lw = m.width(Face::Regular, small, label);
                    self.op(Op::Text {
                        x: x0 + label_w - 6.0 - lw,
                        y: y + small,
                        face: Face::Regular,
                        size: small,
                        text: label.clone(),
                    });
                    let w = area_w * (*v as f32) / max;
                    let met = goal.is_none_or(|g| *v >= g);
                    self.op(Op::Rect {
                        x: x0 + label_w,
                        y: y + 1.0,
                        w: w.max(0.5),
                        h: row - 5.0,
                        color: if met { MET } else { INK },
                    });
                    self.op(Op::Text {
                        x: x0 + label_w + w + 4.0,
                        y: y + small,
                        face: Face::Regular,
                        size: small,
                        text: format!("{} {unit}", kehoach_core::text::vn_num(*v, 0)),
                    });
                    self.y += row;
                }
                if let Some(g) = goal {
                    let x = x0 + label_w + area_w * (*g as f32) / max;
                    // The goal mark over the bars of this page.
                    let from = if self.y > top { top } else { mm(TOP) };
                    self.op(Op::Rect {
                        x: x - 0.75,
                        y: from - 2.0,
                        w: 1.5,
                        h: self.y - from,
                        color: GOAL,
                    });
                    let text = format!(
                        "Vạch đỏ: chỉ tiêu {} {unit} mỗi thôn.",
                        kehoach_core::text::vn_num(*g, 0)
                    );
                    self.para(
                        &text,
                        Face::Italic,
                        small,
                        Align::Center,
                        mm(LEFT),
                        mm(TEXT_W),
                        0.0,
                        2.0,
                        6.0,
                        true,
                    );
                }
            }
            ChartKind::Grid { columns, rows, per } => {
                let cell_h = 10.0;
                self.ensure(caption_h + cell_h * (rows.len().min(8) + 1) as f32);
                self.para(
                    &c.caption,
                    Face::Bold,
                    13.0,
                    Align::Center,
                    mm(LEFT),
                    mm(TEXT_W),
                    0.0,
                    6.0,
                    3.0,
                    true,
                );
                let label_w = mm(72.0);
                let cell_w = ((mm(TEXT_W) - label_w) / columns.len().max(1) as f32).min(mm(9.0));
                let x0 = mm(LEFT);
                let header = |l: &mut Layout| {
                    let tw = m.width(Face::Regular, 7.0, "Tuần");
                    l.op(Op::Text {
                        x: x0 + label_w - tw - 4.0,
                        y: l.y + 7.0,
                        face: Face::Regular,
                        size: 7.0,
                        text: "Tuần".into(),
                    });
                    for (j, col) in columns.iter().enumerate() {
                        let cw = m.width(Face::Regular, 7.0, col);
                        l.op(Op::Text {
                            x: x0 + label_w + cell_w * j as f32 + (cell_w - cw) / 2.0,
                            y: l.y + 7.0,
                            face: Face::Regular,
                            size: 7.0,
                            text: col.clone(),
                        });
                    }
                    l.y += cell_h;
                };
                header(self);
                for (label, cells) in rows {
                    if self.y + cell_h > Self::bottom() {
                        self.new_page();
                        header(self);
                    }
                    let y = self.y;
                    let size = 7.5;
                    let text = kehoach_core::text::truncate(label, 60);
                    let lw = m.width(Face::Regular, size, &text);
                    self.op(Op::Text {
                        x: x0 + label_w - 4.0 - lw,
                        y: y + size,
                        face: Face::Regular,
                        size,
                        text,
                    });
                    for (j, n) in cells.iter().enumerate() {
                        self.op(Op::Rect {
                            x: x0 + label_w + cell_w * j as f32 + 0.5,
                            y: y + 0.5,
                            w: cell_w - 1.0,
                            h: cell_h - 1.0,
                            color: if n >= per { MET } else { UNMET },
                        });
                    }
                    self.y += cell_h;
                }
                self.para(
                    "Ô xanh: tuần lớp có buổi; ô hồng: tuần chưa có buổi.",
                    Face::Italic,
                    small,
                    Align::Center,
                    mm(LEFT),
                    mm(TEXT_W),
                    0.0,
                    2.0,
                    6.0,
                    true,
                );
            }
        }
    }

    /// A centred rule `len` long in a column.
    fn rule(&mut self, x0: f32, width: f32, len: f32) {
        let x1 = x0 + (width - len) / 2.0;
        self.y += 5.0;
        self.op(Op::Line {
            x1,
            y1: self.y,
            x2: x1 + len,
            y2: self.y,
            width: 0.6,
        });
        self.y += 3.0;
    }

    fn table(&mut self, t: &Table) {
        let m = self.m;
        self.para(
            &t.caption,
            Face::Bold,
            13.0,
            Align::Center,
            mm(LEFT),
            mm(TEXT_W),
            0.0,
            6.0,
            3.0,
            true,
        );
        let total: f32 = t.columns.iter().map(|c| c.width_mm).sum();
        let scale = if total > TEXT_W { TEXT_W / total } else { 1.0 };
        let widths: Vec<f32> = t.columns.iter().map(|c| mm(c.width_mm * scale)).collect();
        let x0 = mm(LEFT) + (mm(TEXT_W) - widths.iter().sum::<f32>()) / 2.0;
        let pad = 2.5;
        let lh = TABLE * LEADING;
        let cells = |row: &[String], f: Face| -> Vec<Vec<Vec<String>>> {
            row.iter()
                .zip(&widths)
                .map(|(v, w)| wrap(m, f, TABLE, v, w - 2.0 * pad, 0.0))
                .collect()
        };
        let header: Vec<String> = t.columns.iter().map(|c| c.header.clone()).collect();
        let head = cells(&header, Face::Bold);
        let height = |c: &Vec<Vec<Vec<String>>>| c.iter().map(Vec::len).max().unwrap_or(1) as f32 * lh + 2.0 * pad;
        let draw_row = |l: &mut Layout, c: &Vec<Vec<Vec<String>>>, f: Face, center_all: bool| {
            let h = height(c);
            let top = l.y;
            let mut x = x0;
            for (j, (lines, w)) in c.iter().zip(&widths).enumerate() {
                let centred = center_all || t.columns[j].numeric;
                for (k, words) in lines.iter().enumerate() {
                    let s = words.join(" ");
                    let sw = m.width(f, TABLE, &s);
                    let tx = if centred { x + (w - sw) / 2.0 } else { x + pad };
                    l.op(Op::Text {
                        x: tx,
                        y: top + pad + k as f32 * lh + TABLE * 0.9,
                        face: f,
                        size: TABLE,
                        text: s,
                    });
                }
                l.op(Op::Line {
                    x1: x,
                    y1: top,
                    x2: x,
                    y2: top + h,
                    width: 0.5,
                });
                x += w;
            }
            l.op(Op::Line {
                x1: x,
                y1: top,
                x2: x,
                y2: top + h,
                width: 0.5,
            });
            for y in [top, top + h] {
                l.op(Op::Line {
                    x1: x0,
                    y1: y,
                    x2: x,
                    y2: y,
                    width: 0.5,
                });
            }
            l.y = top + h;
        };
        let head_h = height(&head);
        self.ensure(head_h + lh + 2.0 * pad);
        draw_row(self, &head, Face::Bold, true);
        for row in &t.rows {
            let c = cells(row, Face::Regular);
            if self.y + height(&c) > Self::bottom() {
                self.new_page();
                draw_row(self, &head, Face::Bold, true);
            }
            draw_row(self, &c, Face::Regular, false);
        }
        self.y += 6.0;
    }

    /// Height of lines in a column, without drawing (for keeping a block on one page).
    fn lines_height(&self, items: &[(&str, Face, f32)], width: f32) -> f32 {
        items
            .iter()
            .map(|(t, f, s)| wrap(self.m, *f, *s, t, width, 0.0).len() as f32 * s * LEADING)
            .sum()
    }
}

fn header(l: &mut Layout, r: &Report) {
    let (lw, rw) = (mm(67.5), mm(TEXT_W - 67.5));
    let (lx, rx) = (mm(LEFT), mm(LEFT) + lw);
    let top = l.y;
    if let Some(p) = &r.issuer_parent {
        l.para(p, Face::Regular, 13.0, Align::Center, lx, lw, 0.0, 0.0, 0.0, false);
    }
    for line in &r.issuer_lines {
        l.para(line, Face::Bold, 13.0, Align::Center, lx, lw, 0.0, 0.0, 0.0, false);
    }
    l.rule(lx, lw, lw * 0.4);
    l.para(
        &r.number,
        Face::Regular,
        13.0,
        Align::Center,
        lx,
        lw,
        0.0,
        6.0,
        0.0,
        false,
    );
    let left_end = l.y;
    l.y = top;
    l.para(
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        Face::Bold,
        12.0,
        Align::Center,
        rx,
        rw,
        0.0,
        0.0,
        0.0,
        false,
    );
    let motto = "Độc lập - Tự do - Hạnh phúc";
    l.para(motto, Face::Bold, 13.0, Align::Center, rx, rw, 0.0, 0.0, 0.0, false);
    let motto_w = l.m.width(Face::Bold, 13.0, motto);
    l.rule(rx, rw, motto_w);
    l.para(
        &r.place_date,
        Face::Italic,
        14.0,
        Align::Center,
        rx,
        rw,
        0.0,
        6.0,
        0.0,
        false,
    );
    l.y = l.y.max(left_end);
}

fn signature(l: &mut Layout, r: &Report) {
    let (lw, rw) = (mm(60.0), mm(TEXT_W - 60.0));
    let (lx, rx) = (mm(LEFT), mm(LEFT) + lw);
    let s = &r.signer;
    let mut right: Vec<(&str, Face, f32)> = Vec::new();
    if !s.on_behalf.is_empty() {
        right.push((s.on_behalf.as_str(), Face::Bold, 14.0));
    }
    if let Some(d) = &s.deputy_for {
        right.push((d.as_str(), Face::Bold, 14.0));
    }
    right.push((s.position.as_str(), Face::Bold, 14.0));
    let recipients: Vec<String> = r.recipients.iter().map(|x| format!("- {x}")).collect();
    let mut left: Vec<(&str, Face, f32)> = vec![("Nơi nhận:", Face::BoldItalic, 12.0)];
    left.extend(recipients.iter().map(|x| (x.as_str(), Face::Regular, 11.0)));
    let signer_h = l.lines_height(&right, rw) + 4.0 * 14.0 * LEADING + 14.0 * LEADING;
    let h = l.lines_height(&left, lw).max(signer_h);
    l.ensure(h + 12.0);
    l.y += 12.0;
    let top = l.y;
    for (t, f, size) in &left {
        l.para(t, *f, *size, Align::Left, lx, lw, 0.0, 0.0, 0.0, false);
    }
    let left_end = l.y;
    l.y = top;
    for (t, f, size) in &right {
        l.para(t, *f, *size, Align::Center, rx, rw, 0.0, 0.0, 0.0, false);
    }
    l.y += 4.0 * 14.0 * LEADING;
    l.para(&s.name, Face::Bold, 14.0, Align::Center, rx, rw, 0.0, 0.0, 0.0, false);
    l.y = l.y.max(left_end);
}

fn black() -> Fill {
    Fill {
        paint: rgb::Color::new(0, 0, 0).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

/// The report as PDF bytes.
pub fn pdf(r: &Report) -> Result<Vec<u8>, ReportError> {
    let metrics = Metrics::new()?;
    let mut l = Layout::new(&metrics);
    header(&mut l, r);
    l.para(
        &r.kind,
        Face::Bold,
        14.0,
        Align::Center,
        mm(LEFT),
        mm(TEXT_W),
        0.0,
        18.0,
        0.0,
        true,
    );
    l.para(
        &r.title,
        Face::Bold,
        14.0,
        Align::Center,
        mm(LEFT),
        mm(TEXT_W),
        0.0,
        0.0,
        0.0,
        true,
    );
    l.rule(mm(LEFT), mm(TEXT_W), mm(TEXT_W) * 0.33);
    l.y += 12.0;
    for b in &r.blocks {
        match b {
            Block::Heading { level, text } => {
                let t = if *level == 1 { text.to_uppercase() } else { text.clone() };
                // A heading never ends a page alone.
                l.ensure(2.0 * BODY * LEADING + 12.0);
                l.para(
                    &t,
                    Face::Bold,
                    BODY,
                    Align::Justify,
                    mm(LEFT),
                    mm(TEXT_W),
                    mm(INDENT),
                    6.0,
                    6.0,
                    true,
                );
            }
            Block::Para(text) => l.para(
                text,
                Face::Regular,
                BODY,
                Align::Justify,
                mm(LEFT),
                mm(TEXT_W),
                mm(INDENT),
                0.0,
                6.0,
                true,
            ),
            Block::Table(t) => l.table(t),
            Block::Chart(c) => l.chart(c),
        }
    }
    signature(&mut l, r);
    render(&metrics, &l.pages, true)
}

/// Draws laid-out pages; `numbered`: page numbers from page 2.
fn render(metrics: &Metrics, pages: &[Vec<Op>], numbered: bool) -> Result<Vec<u8>, ReportError> {
    let fonts: Vec<(Face, Font)> = [Face::Regular, Face::Bold, Face::Italic, Face::BoldItalic]
        .into_iter()
        .map(|f| Font::new(bytes(f).to_vec().into(), 0).map(|font| (f, font)))
        .collect::<Option<_>>()
        .ok_or(ReportError::Font)?;
    let font = |f: Face| fonts.iter().find(|(x, _)| *x == f).map(|(_, font)| font.clone());
    let mut doc = Document::new();
    for (i, ops) in pages.iter().enumerate() {
        let mut page = doc.start_page_with(PageSettings::from_wh(mm(PAGE_W), mm(PAGE_H)).ok_or(ReportError::Layout)?);
        let mut s = page.surface();
        s.set_fill(Some(black()));
        if numbered && i > 0 {
            // Page numbers from page 2, centred in the top margin.
            let n = (i + 1).to_string();
            let w = metrics.width(Face::Regular, BODY, &n);
            if let Some(f) = font(Face::Regular) {
                s.draw_text(
                    Point::from_xy(mm(LEFT) + (mm(TEXT_W) - w) / 2.0, mm(13.0)),
                    f,
                    BODY,
                    &n,
                    false,
                    TextDirection::Auto,
                );
            }
        }
        for op in ops {
            match op {
                Op::Text { x, y, face, size, text } => {
                    if let Some(f) = font(*face) {
                        s.draw_text(Point::from_xy(*x, *y), f, *size, text, false, TextDirection::Auto);
                    }
                }
                Op::Qr { x, y, size, text } => crate::cards::draw_qr(&mut s, text, *x, *y, *size)?,
                Op::Rect { x, y, w, h, color } => {
                    let mut pb = PathBuilder::new();
                    if let Some(r) = krilla::geom::Rect::from_xywh(*x, *y, *w, *h) {
                        pb.push_rect(r);
                    }
                    if let Some(p) = pb.finish() {
                        let c = u32::from_str_radix(color, 16).unwrap_or(0);
                        s.set_fill(Some(Fill {
                            paint: rgb::Color::new((c >> 16) as u8, (c >> 8) as u8, c as u8).into(),
                            opacity: NormalizedF32::ONE,
                            rule: Default::default(),
                        }));
                        s.draw_path(&p);
                        s.set_fill(Some(black()));
                    }
                }
                Op::Line { x1, y1, x2, y2, width } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(*x1, *y1);
                    pb.line_to(*x2, *y2);
                    if let Some(p) = pb.finish() {
                        s.set_fill(None);
                        s.set_stroke(Some(Stroke {
                            paint: rgb::Color::new(0, 0, 0).into(),
                            width: *width,
                            ..Default::default()
                        }));
                        s.draw_path(&p);
                        s.set_stroke(None);
                        s.set_fill(Some(black()));
                    }
                }
            }
        }
        drop(s);
        page.finish();
    }
    doc.finish().map_err(|e| ReportError::Pdf(format!("{e:?}")))
}

/// A village's or school's poster for the hall: the campaign, the unit, its
/// sessions, and a QR code to its public page.
pub struct Poster {
    pub commune: String,
    pub campaign: String,
    pub unit_name: String,
    pub period: String,
    /// The public page the QR code opens.
    pub url: String,
    /// Sessions: day, time, what, where.
    pub rows: Vec<Vec<String>>,
}

/// The poster as an A4 PDF (more pages for a long schedule).
pub fn poster(p: &Poster) -> Result<Vec<u8>, ReportError> {
    let metrics = Metrics::new()?;
    let mut l = Layout::new(&metrics);
    let (x0, w) = (mm(LEFT), mm(TEXT_W));
    l.para(
        &p.commune.to_uppercase(),
        Face::Bold,
        14.0,
        Align::Center,
        x0,
        w,
        0.0,
        0.0,
        0.0,
        true,
    );
    l.para(
        &p.campaign,
        Face::Bold,
        22.0,
        Align::Center,
        x0,
        w,
        0.0,
        10.0,
        0.0,
        true,
    );
    l.para(&p.period, Face::Italic, 14.0, Align::Center, x0, w, 0.0, 4.0, 0.0, true);
    l.rule(x0, w, w * 0.33);
    l.para(
        &p.unit_name,
        Face::Bold,
        26.0,
        Align::Center,
        x0,
        w,
        0.0,
        10.0,
        6.0,
        true,
    );
    let qr = mm(45.0);
    let top = l.y;
    l.op(Op::Qr {
        x: x0 + (w - qr) / 2.0,
        y: top,
        size: qr,
        text: p.url.clone(),
    });
    l.y = top + qr + 2.0;
    l.para(
        "Quét mã để xem lịch các buổi hỗ trợ, hướng dẫn tại đây và thêm vào lịch điện thoại",
        Face::Regular,
        13.0,
        Align::Center,
        x0,
        w,
        0.0,
        0.0,
        0.0,
        true,
    );
    l.para(&p.url, Face::Regular, 11.0, Align::Center, x0, w, 0.0, 2.0, 8.0, true);
    if p.rows.is_empty() {
        l.para(
            "Chưa có buổi nào được lên lịch: xem lịch mới nhất qua mã QR.",
            Face::Italic,
            14.0,
            Align::Center,
            x0,
            w,
            0.0,
            6.0,
            0.0,
            true,
        );
    } else {
        let t = Table {
            id: "schedule".into(),
            caption: "Lịch các buổi".into(),
            columns: ["Ngày", "Giờ", "Nội dung", "Địa điểm"]
                .iter()
                .zip([25.0, 25.0, 65.0, 50.0])
                .map(|(h, w)| kehoach_core::report::Column {
                    header: h.to_string(),
                    width_mm: w,
                    numeric: false,
                })
                .collect(),
            rows: p.rows.clone(),
        };
        l.table(&t);
    }
    render(&metrics, &l.pages, false)
}

/// A winner's certificate (giấy chứng nhận) of a contest.
pub struct Certificate {
    /// "ỦY BAN NHÂN DÂN XÃ VĨNH THỊNH".
    pub issuer: String,
    /// "Vĩnh Thịnh, ngày 19 tháng 8 năm 2026".
    pub place_date: String,
    /// The winner: a person's or a group's name.
    pub name: String,
    /// School, village or unit, when known.
    pub affiliation: Option<String>,
    /// "Giải Nhất".
    pub prize: String,
    /// The contest's name.
    pub contest: String,
    /// The entry's title.
    pub title: String,
    /// Signer block lines ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH") and name.
    pub signer_lines: Vec<String>,
    pub signer_name: String,
}

/// One certificate on an A4 page inside a double frame.
pub fn certificate(c: &Certificate) -> Result<Vec<u8>, ReportError> {
    let metrics = Metrics::new()?;
    let mut l = Layout::new(&metrics);
    for (inset, width) in [(12.0, 2.0), (15.0, 0.6)] {
        let (x1, y1, x2, y2) = (mm(inset), mm(inset), mm(PAGE_W - inset), mm(PAGE_H - inset));
        for (a, b, c2, d) in [(x1, y1, x2, y1), (x2, y1, x2, y2), (x2, y2, x1, y2), (x1, y2, x1, y1)] {
            l.op(Op::Line {
                x1: a,
                y1: b,
                x2: c2,
                y2: d,
                width,
            });
        }
    }
    let (x0, w) = (mm(25.0), mm(PAGE_W - 50.0));
    let centred = |l: &mut Layout, text: &str, f: Face, size: f32, before: f32| {
        l.para(text, f, size, Align::Center, x0, w, 0.0, before, 0.0, false);
    };
    l.y = mm(28.0);
    centred(&mut l, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", Face::Bold, 14.0, 0.0);
    centred(&mut l, "Độc lập - Tự do - Hạnh phúc", Face::Bold, 14.0, 0.0);
    let motto = metrics.width(Face::Bold, 14.0, "Độc lập - Tự do - Hạnh phúc");
    l.rule(x0, w, motto);
    centred(&mut l, &c.issuer.to_uppercase(), Face::Bold, 15.0, mm(14.0));
    centred(&mut l, "GIẤY CHỨNG NHẬN", Face::Bold, 34.0, mm(12.0));
    centred(&mut l, "Chứng nhận", Face::Italic, 16.0, mm(12.0));
    centred(&mut l, &c.name, Face::Bold, 26.0, mm(6.0));
    if let Some(a) = &c.affiliation {
        centred(&mut l, a, Face::Regular, 16.0, mm(3.0));
    }
    centred(&mut l, "Đã đạt", Face::Italic, 16.0, mm(10.0));
    centred(&mut l, &c.prize.to_uppercase(), Face::Bold, 24.0, mm(4.0));
    centred(&mut l, &format!("Cuộc thi “{}”", c.contest), Face::Bold, 16.0, mm(8.0));
    centred(
        &mut l,
        &format!("với bài dự thi “{}”", c.title),
        Face::Italic,
        16.0,
        mm(4.0),
    );
    l.y = l.y.max(mm(200.0));
    let (rx, rw) = (mm(PAGE_W / 2.0 - 5.0), mm(PAGE_W / 2.0 - 20.0));
    l.para(
        &c.place_date,
        Face::Italic,
        14.0,
        Align::Center,
        rx,
        rw,
        0.0,
        0.0,
        4.0,
        false,
    );
    for s in &c.signer_lines {
        l.para(s, Face::Bold, 14.0, Align::Center, rx, rw, 0.0, 0.0, 0.0, false);
    }
    l.y += 4.0 * 14.0 * LEADING;
    l.para(
        &c.signer_name,
        Face::Bold,
        14.0,
        Align::Center,
        rx,
        rw,
        0.0,
        0.0,
        0.0,
        false,
    );
    render(&metrics, &l.pages, false)
}
