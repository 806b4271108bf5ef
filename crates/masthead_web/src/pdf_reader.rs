//! How the server reads a PDF's text for the meeting desk: a [`PdfReader`] held in
//! [`crate::AppState`]. The default reads in this process on a blocking thread, bounded by
//! `masthead_meeting`'s own limits (size, pages) and a wall-clock limit; the `masthead`
//! program replaces it with one that runs the reader in a child process under memory and
//! CPU limits (`masthead meeting pdf-text`), so a PDF built to exhaust a parser ends only
//! that child. At most [`READERS`] PDFs are read at once, whoever asks.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;

/// The most PDFs read at once.
pub const READERS: usize = 2;

/// The longest the in-process reader may take.
const IN_PROCESS_WALL: Duration = Duration::from_secs(60);

/// The text of a PDF, or a message for the editor saying what to do.
pub type PdfText = Pin<Box<dyn Future<Output = Result<String, String>> + Send>>;

/// Reads a PDF's text layer.
pub trait PdfReader: Send + Sync {
    /// The text of the PDF `bytes`.
    fn text(&self, bytes: Vec<u8>) -> PdfText;
}

/// Reads in this process, on the blocking pool.
#[derive(Debug, Default)]
pub struct InProcess;

impl PdfReader for InProcess {
    fn text(&self, bytes: Vec<u8>) -> PdfText {
        Box::pin(async move {
            let read = tokio::task::spawn_blocking(move || masthead_meeting::pdf_text(&bytes));
            match tokio::time::timeout(IN_PROCESS_WALL, read).await {
                Ok(Ok(Ok(text))) => Ok(text),
                Ok(Ok(Err(e))) => Err(e.to_string()),
                Ok(Err(_)) | Err(_) => Err(format!(
                    "the PDF could not be read within {} s: it may be damaged; open it and save \
                     it again as PDF, or paste the minutes as text",
                    IN_PROCESS_WALL.as_secs()
                )),
            }
        })
    }
}

/// A reader that lets at most [`READERS`] reads run at once.
pub(crate) struct Limited {
    reader: Arc<dyn PdfReader>,
    turns: Arc<Semaphore>,
}

impl Limited {
    pub(crate) fn new(reader: Arc<dyn PdfReader>) -> Self {
        Self {
            reader,
            turns: Arc::new(Semaphore::new(READERS)),
        }
    }

    /// The PDF's text, waiting for a turn first.
    pub(crate) async fn text(&self, bytes: Vec<u8>) -> Result<String, String> {
        let _turn = self
            .turns
            .acquire()
            .await
            .map_err(|_| "the server is shutting down; try again".to_owned())?;
        self.reader.text(bytes).await
    }
}
