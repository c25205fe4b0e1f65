//! Printable QR check-in cards: an A4 sheet of 2 × 5 cards (85 × 54 mm, the
//! size of a bank card), each with the person's QR code, name, unit or class,
//! and the code in letters for typing when no camera is at hand.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};

use crate::fonts::{bold, regular};
use crate::{ReportError, mm};

/// One card.
#[derive(Debug, Clone)]
pub struct Card {
    pub name: String,
    /// Unit (and class): the line under the name.
    pub detail: String,
    /// A second line: birth year, roster.
    pub extra: String,
    /// The check-in code; the QR encodes exactly this text.
    pub code: String,
}

const CARD_W: f32 = 85.0;
const CARD_H: f32 = 54.0;
const COLS: usize = 2;
const ROWS: usize = 5;

fn black() -> Fill {
    Fill {
        paint: rgb::Color::new(0, 0, 0).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

fn text(surface: &mut Surface, font: &Font, size: f32, x: f32, y: f32, s: &str) {
    surface.set_fill(Some(black()));
    surface.draw_text(Point::from_xy(x, y), font.clone(), size, s, false, TextDirection::Auto);
}

/// Shortens a line to fit `max` characters (names are short; units can be long).
fn fit(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(max - 1).collect::<String>())
    }
}

pub(crate) fn draw_qr(surface: &mut Surface, code: &str, x: f32, y: f32, size: f32) -> Result<(), ReportError> {
    let qr = qrcode::QrCode::with_error_correction_level(code.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| ReportError::Qr(e.to_string()))?;
    let n = qr.width();
    let quiet = 2.0;
    let module = size / (n as f32 + 2.0 * quiet);
    let mut pb = PathBuilder::new();
    for (i, c) in qr.to_colors().iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (cx, cy) = ((i % n) as f32, (i / n) as f32);
            if let Some(r) = Rect::from_xywh(x + (cx + quiet) * module, y + (cy + quiet) * module, module, module) {
                pb.push_rect(r);
            }
        }
    }
    if let Some(path) = pb.finish() {
        surface.set_fill(Some(black()));
        surface.draw_path(&path);
    }
    Ok(())
}

/// The sheet(s) of cards as a PDF.
pub fn cards_pdf(title: &str, cards: &[Card]) -> Result<Vec<u8>, ReportError> {
    let (regular, bold) = (regular()?, bold()?);
    let mut doc = Document::new();
    let (page_w, page_h) = (mm(210.0), mm(297.0));
    let (left, top) = (mm((210.0 - COLS as f32 * CARD_W) / 2.0), mm(15.0));
    let per_page = COLS * ROWS;
    let pages: Vec<&[Card]> = if cards.is_empty() {
        vec![&[][..]]
    } else {
        cards.chunks(per_page).collect()
    };
    let total = pages.len();
    for (pi, chunk) in pages.into_iter().enumerate() {
        let mut page = doc.start_page_with(PageSettings::from_wh(page_w, page_h).ok_or(ReportError::Layout)?);
        let mut s = page.surface();
        text(
            &mut s,
            &regular,
            9.0,
            left,
            mm(10.0),
            &format!("{} · trang {}/{}", fit(title, 90), pi + 1, total),
        );
        for (i, card) in chunk.iter().enumerate() {
            let (col, row) = (i % COLS, i / COLS);
            let x = left + mm(col as f32 * CARD_W);
            let y = top + mm(row as f32 * CARD_H);
            // Cut line.
            if let Some(r) = Rect::from_xywh(x, y, mm(CARD_W), mm(CARD_H)) {
                let mut pb = PathBuilder::new();
                pb.push_rect(r);
                if let Some(p) = pb.finish() {
                    s.set_fill(None);
                    s.set_stroke(Some(Stroke {
                        paint: rgb::Color::new(160, 160, 160).into(),
                        width: 0.5,
                        ..Default::default()
                    }));
                    s.draw_path(&p);
                    s.set_stroke(None);
                }
            }
            let qr_size = mm(40.0);
            draw_qr(&mut s, &card.code, x + mm(2.0), y + mm(7.0), qr_size)?;
            let tx = x + mm(44.0);
            text(&mut s, &regular, 7.0, tx, y + mm(8.0), "THẺ ĐIỂM DANH");
            text(&mut s, &bold, 10.5, tx, y + mm(16.0), &fit(&card.name, 22));
            text(&mut s, &regular, 8.0, tx, y + mm(22.0), &fit(&card.detail, 30));
            text(&mut s, &regular, 8.0, tx, y + mm(26.5), &fit(&card.extra, 30));
            text(&mut s, &regular, 7.0, tx, y + mm(40.0), "Mã thẻ:");
            text(&mut s, &bold, 10.0, tx, y + mm(45.0), &card.code);
        }
        drop(s);
        page.finish();
    }
    doc.finish().map_err(|e| ReportError::Pdf(format!("{e:?}")))
}
