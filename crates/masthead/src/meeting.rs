//! `masthead meeting extract FILE`: the meeting desk's reading of a clerk's minutes, printed
//! as JSON, for scripts and for checking the extractor on real documents before a desk
//! relies on it.

use anyhow::{anyhow, bail};
use masthead_meeting::{MAX_TEXT, extract as read_minutes};
use std::io::{Read, Write};
use std::path::Path;

/// Reads the minutes at `file` (`-`: standard input) and prints what was found.
pub fn extract(file: &Path) -> anyhow::Result<()> {
    let bytes = read_bounded(file)?;
    if bytes.starts_with(b"%PDF-") {
        bail!(
            "{} is a PDF; masthead reads minutes as plain text so far. Convert it first \
             (pdftotext -layout {} minutes.txt) and extract the text file",
            file.display(),
            file.display()
        );
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow!(
            "{} is not UTF-8 text (byte {} is not); save the minutes as UTF-8 text and try again",
            file.display(),
            e.utf8_error().valid_up_to()
        )
    })?;
    let extraction = read_minutes(&text)?;
    // Written, not printed: a closed pipe (`| head`) is an error to report, not a panic.
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, &extraction)?;
    writeln!(out)?;
    Ok(())
}

/// The file's bytes, refusing more than one extraction reads before reading them all.
fn read_bounded(file: &Path) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let limit = MAX_TEXT as u64 + 1;
    let read = if file == Path::new("-") {
        std::io::stdin().take(limit).read_to_end(&mut bytes)
    } else {
        std::fs::File::open(file)
            .map_err(|e| anyhow!("cannot open {}: {e}", file.display()))?
            .take(limit)
            .read_to_end(&mut bytes)
    };
    read.map_err(|e| anyhow!("cannot read {}: {e}", file.display()))?;
    if bytes.len() > MAX_TEXT {
        bail!(
            "{} holds more than {MAX_TEXT} bytes, more than one extraction reads; split it into \
             meetings and extract each",
            file.display()
        );
    }
    Ok(bytes)
}
