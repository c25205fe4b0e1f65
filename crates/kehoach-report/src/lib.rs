//! kehoach-report: documents rendered from data the other crates computed:
//! printable QR check-in cards (PDF) and the summary report (DOCX). Fonts are embedded (Liberation Serif,
//! SIL OFL, metric twin of Times New Roman) so no system font is needed.

pub mod cards;
pub mod charts;
pub mod docx;
pub mod docx_read;
pub mod pdf;
pub mod sheets;
pub mod upload;
mod xml;

mod fonts {
    use krilla::text::Font;

    use crate::ReportError;

    static REGULAR: &[u8] = include_bytes!("../fonts/LiberationSerif-Regular.ttf");
    static BOLD: &[u8] = include_bytes!("../fonts/LiberationSerif-Bold.ttf");

    pub fn regular() -> Result<Font, ReportError> {
        Font::new(REGULAR.to_vec().into(), 0).ok_or(ReportError::Font)
    }
    pub fn bold() -> Result<Font, ReportError> {
        Font::new(BOLD.to_vec().into(), 0).ok_or(ReportError::Font)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("the embedded font could not be read")]
    Font,
    #[error("page layout error")]
    Layout,
    #[error("QR code: {0}")]
    Qr(String),
    #[error("PDF: {0}")]
    Pdf(String),
    #[error("DOCX: {0}")]
    Docx(String),
    #[error("XLSX: {0}")]
    Xlsx(String),
    /// An uploaded file refused by the limits of `upload`.
    #[error("{}", .0.message_vn())]
    Upload(#[from] upload::UploadError),
}

/// Millimetres to PDF points.
pub fn mm(v: f32) -> f32 {
    v * 72.0 / 25.4
}
