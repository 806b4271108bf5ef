//! `masthead meeting extract FILE`: the meeting desk's reading of a clerk's minutes, printed
//! as JSON, for scripts and for checking the extractor on real documents before a desk
//! relies on it. A PDF is read in a child process (`masthead meeting pdf-text`, hidden)
//! under memory, CPU and wall-clock limits: a crafted PDF can make a parser recurse until
//! its stack overflows or allocate without end, and then only that child dies. The server
//! reads the desk's uploaded PDFs the same way ([`ChildReader`]).

use anyhow::{Context, anyhow, bail};
use masthead_meeting::{Extraction, MAX_PDF, MAX_TEXT, extract as read_minutes, is_pdf, pdf_text};
use serde::Serialize;
use std::io::{Read, Write};
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// The address space the PDF reader's process may use.
const PDF_MEMORY: u64 = 1024 * 1024 * 1024;
/// The processor time it may use (seconds); then the kernel stops it.
const PDF_CPU_SECONDS: u64 = 30;
/// The time it may take, waiting included.
const PDF_WALL: Duration = Duration::from_secs(60);

/// What `extract` prints: the extraction, and for a PDF the text its spans index.
#[derive(Serialize)]
struct Printed<'a> {
    /// The text read from a PDF (for a text file, the spans index the file itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<&'a str>,
    #[serde(flatten)]
    extraction: &'a Extraction,
}

/// Reads the minutes at `file` (`-`: standard input) and prints what was found.
pub async fn extract(file: &Path) -> anyhow::Result<()> {
    let bytes = read_bounded(file, MAX_PDF)?;
    let named_pdf = file
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pdf"));
    if named_pdf && !is_pdf(&bytes) {
        bail!(
            "{} is named as a PDF but is not one (it does not begin as a PDF); save the minutes \
             as PDF or plain text and try again",
            file.display()
        );
    }
    let (text, from_pdf) = if is_pdf(&bytes) {
        (
            read_pdf(bytes)
                .await
                .with_context(|| format!("{}", file.display()))?,
            true,
        )
    } else {
        if bytes.len() > MAX_TEXT {
            bail!(
                "{} holds more than {MAX_TEXT} bytes, more than one extraction reads; split it \
                 into meetings and extract each",
                file.display()
            );
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            anyhow!(
                "{} is neither a PDF nor UTF-8 text (byte {} is not); save the minutes as PDF \
                 or UTF-8 text and try again",
                file.display(),
                e.utf8_error().valid_up_to()
            )
        })?;
        (text, false)
    };
    let extraction = read_minutes(&text)?;
    if extraction.motions.is_empty() && extraction.present.is_empty() {
        eprintln!(
            "note: no motions and no attendance recognised in {}: it may not be minutes, or \
             be written in a way the extractor does not know yet",
            file.display()
        );
    }
    let printed = Printed {
        text: from_pdf.then_some(text.as_str()),
        extraction: &extraction,
    };
    // Written, not printed: a closed pipe (`| head`) is an error to report, not a panic.
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &printed)?;
    writeln!(out)?;
    Ok(())
}

/// The server's PDF reader for the meeting desk: [`read_pdf`], a child process under limits.
pub struct ChildReader;

impl masthead_web::pdf_reader::PdfReader for ChildReader {
    fn text(&self, bytes: Vec<u8>) -> masthead_web::pdf_reader::PdfText {
        Box::pin(async move { read_pdf(bytes).await.map_err(|e| format!("{e:#}")) })
    }
}

/// The text of a PDF, read by a child process of this program under limits.
async fn read_pdf(bytes: Vec<u8>) -> anyhow::Result<String> {
    let exe = std::env::current_exe().context("cannot find this program to read the PDF")?;
    let mut child = tokio::process::Command::new(exe)
        .args(["meeting", "pdf-text"])
        // mimalloc (main.rs) reserves address space 1 GiB at a time by default, which the
        // child's limit of PDF_MEMORY leaves no room for: it then fails its first allocation.
        // Smaller reservations fit under the limit.
        .env("MIMALLOC_ARENA_RESERVE", "16MiB")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .context("cannot start the PDF reader")?;
    let mut stdin = child
        .stdin
        .take()
        .ok_or_else(|| anyhow!("the PDF reader has no input"))?;
    // A reader that dies early closes its input: that is its exit status's story, not ours.
    let feed = tokio::spawn(async move {
        let _ = stdin.write_all(&bytes).await;
    });
    let limits = format!(
        "the PDF could not be read within {} MB of memory, {PDF_CPU_SECONDS} s of processor \
         time and {} s: it may be damaged or built to exhaust a reader; open it and save it \
         again as PDF, or paste the minutes as text",
        PDF_MEMORY / 1024 / 1024,
        PDF_WALL.as_secs()
    );
    let output = match tokio::time::timeout(PDF_WALL, child.wait_with_output()).await {
        Ok(output) => output.context("the PDF reader failed")?,
        // Dropping the child kills it (`kill_on_drop`).
        Err(_) => bail!("{limits}"),
    };
    feed.abort();
    match output.status.code() {
        Some(0) => String::from_utf8(output.stdout).context("the PDF reader's text"),
        Some(1) => {
            // The reader's own message: its last "error:" line (the lines before it are the
            // PDF library's log).
            let said = String::from_utf8_lossy(&output.stderr);
            let said = said
                .lines()
                .rev()
                .find_map(|line| line.strip_prefix("error: "))
                .unwrap_or("the PDF reader stopped without saying why");
            bail!("{said}")
        }
        // Killed: past its processor time, out of memory or stack, or aborted.
        _ => bail!("{limits}"),
    }
}

/// `masthead meeting pdf-text`: the child `read_pdf` starts. Limits itself, reads the PDF
/// from standard input and prints its text.
pub fn pdf_text_child() -> anyhow::Result<()> {
    use rustix::process::{Resource, Rlimit, setrlimit};
    let limit = |resource, value| {
        setrlimit(
            resource,
            Rlimit {
                current: Some(value),
                maximum: Some(value),
            },
        )
        .context("cannot limit the PDF reader")
    };
    limit(Resource::As, PDF_MEMORY)?;
    limit(Resource::Cpu, PDF_CPU_SECONDS)?;
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(MAX_PDF as u64 + 1)
        .read_to_end(&mut bytes)
        .context("cannot read the PDF")?;
    let text = pdf_text(&bytes)?;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    Ok(())
}

/// The file's bytes, refusing more than `limit` before reading them all.
fn read_bounded(file: &Path, limit: usize) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let cap = limit as u64 + 1;
    let read = if file == Path::new("-") {
        std::io::stdin().take(cap).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(file)
            .map_err(|e| anyhow!("cannot open {}: {e}", file.display()))?
            .take(cap)
            .read_to_end(&mut bytes)
    };
    read.map_err(|e| anyhow!("cannot read {}: {e}", file.display()))?;
    if bytes.len() > limit {
        bail!(
            "{} holds more than {limit} bytes, more than one extraction reads; split it into \
             meetings and extract each",
            file.display()
        );
    }
    Ok(bytes)
}
