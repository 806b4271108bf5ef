//! Text from a PDF of minutes: lopdf reads the file's structure (encryption, pages),
//! pdf-extract the text of each page in the order the page draws it (a two-column page
//! gives its left column, then its right), pages a blank line apart. PDFs are hostile input:
//! this bounds the bytes, the pages and the text, and its caller runs it in a child process
//! under memory and CPU limits (`masthead meeting extract`), since a parser can still recurse
//! or allocate without end on a crafted file.

use crate::MAX_TEXT;

/// The largest PDF read (bytes).
pub const MAX_PDF: usize = 64 * 1024 * 1024;
/// The most pages read: about a year of a busy council's minutes.
pub const MAX_PAGES: usize = 500;
/// Fewer letters and digits than this in the whole text: no text layer.
const MIN_TEXT: usize = 20;

/// Why a PDF gives no text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfError {
    /// Larger than [`MAX_PDF`].
    TooLarge(usize),
    /// Not a PDF at all (whatever its name).
    NotPdf,
    /// A PDF the reader could not make sense of.
    Unreadable(String),
    /// Opening it takes a password.
    Encrypted,
    /// More than [`MAX_PAGES`].
    TooManyPages(usize),
    /// No text layer: a scan, or pages of pictures.
    NoText,
    /// More text than one extraction reads.
    TooLong(usize),
}

impl std::fmt::Display for PdfError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PdfError::TooLarge(len) => write!(
                f,
                "the PDF is {len} bytes, more than the {MAX_PDF} read; split it into meetings"
            ),
            PdfError::NotPdf => write!(
                f,
                "the file is not a PDF (it does not begin as one); save the minutes as PDF or \
                 plain text and try again"
            ),
            PdfError::Unreadable(why) => write!(
                f,
                "the PDF could not be read ({why}); open it and save it again as PDF, or paste \
                 the minutes as text"
            ),
            PdfError::Encrypted => write!(
                f,
                "the PDF is locked with a password; ask the clerk for an unlocked copy, or \
                 paste the minutes as text"
            ),
            PdfError::TooManyPages(pages) => write!(
                f,
                "the PDF has {pages} pages, more than the {MAX_PAGES} read; split it into meetings"
            ),
            PdfError::NoText => write!(
                f,
                "the PDF has no text to read, only pictures of pages (a scan); run it through OCR \
                 or paste the minutes as text"
            ),
            PdfError::TooLong(len) => write!(
                f,
                "the PDF holds {len} bytes of text, more than the {MAX_TEXT} one extraction \
                 reads; split it into meetings"
            ),
        }
    }
}

impl std::error::Error for PdfError {}

/// The text of the PDF `bytes`, pages a blank line apart.
pub fn pdf_text(bytes: &[u8]) -> Result<String, PdfError> {
    if bytes.len() > MAX_PDF {
        return Err(PdfError::TooLarge(bytes.len()));
    }
    if !is_pdf(bytes) {
        return Err(PdfError::NotPdf);
    }
    let document =
        lopdf::Document::load_mem(bytes).map_err(|e| PdfError::Unreadable(e.to_string()))?;
    // A PDF locked only against printing or copying opens with an empty password, as every
    // viewer opens it; one that stays encrypted needs a password we do not have (and reads
    // as no text at all).
    if document.is_encrypted() {
        return Err(PdfError::Encrypted);
    }
    let locked = document.trailer.get(b"Encrypt").is_ok();
    let pages = document.get_pages().len();
    if pages == 0 {
        return Err(if locked {
            PdfError::Encrypted
        } else {
            PdfError::Unreadable("no pages were found in it".into())
        });
    }
    if pages > MAX_PAGES {
        return Err(PdfError::TooManyPages(pages));
    }
    let pages = pdf_extract::extract_text_from_mem_by_pages(bytes)
        .map_err(|e| PdfError::Unreadable(e.to_string()))?;
    let text = pages
        .iter()
        .map(|page| single_spaced_lines(page.trim()))
        .collect::<Vec<_>>()
        .join("\n\n");
    if text.len() > MAX_TEXT {
        return Err(PdfError::TooLong(text.len()));
    }
    if text.chars().filter(|c| c.is_alphanumeric()).count() < MIN_TEXT {
        return Err(if locked {
            PdfError::Encrypted
        } else {
            PdfError::NoText
        });
    }
    Ok(text)
}

/// `page` with each line's runs of spaces and tabs made one space and its ends trimmed:
/// justified text (a column set flush both sides) comes out of a PDF with the gaps between
/// words widened into runs of spaces, where the record has one.
pub fn single_spaced_lines(page: &str) -> String {
    page.lines()
        .map(|line| {
            line.split([' ', '\t'])
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `bytes` begin as a PDF: `%PDF-` within the first kilobyte, as readers allow.
pub fn is_pdf(bytes: &[u8]) -> bool {
    bytes
        .get(..bytes.len().min(1024))
        .is_some_and(|head| head.windows(5).any(|w| w == b"%PDF-"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_is_known_by_its_first_kilobyte_not_its_name() {
        assert!(is_pdf(b"%PDF-1.7\n"));
        assert!(is_pdf(b"\xef\xbb\xbf junk a mailer added\n%PDF-1.4\n"));
        assert!(!is_pdf(b"PK\x03\x04 a zip archive"));
        let mut late = vec![b' '; 2000];
        late.extend_from_slice(b"%PDF-1.4");
        assert!(!is_pdf(&late), "past the first kilobyte");
        assert_eq!(pdf_text(b"plain text"), Err(PdfError::NotPdf));
        assert!(matches!(
            pdf_text(b"%PDF-1.4\nnothing more"),
            Err(PdfError::Unreadable(_))
        ));
    }
}
