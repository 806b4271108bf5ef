//! A meeting's document coming in, for the desk's pages and the API alike: bytes sorted
//! into a PDF or text (`masthead_desk::meetings::sort_bytes`), a PDF's text read by the
//! state's [`crate::pdf_reader`], then kept through the desk's rules; or first fetched by
//! address through the program's one guarded client (`masthead_fetch`: no local
//! addresses unless the operator allows them, a size cap and a time limit).

use crate::desk::Staff;
use crate::{AppState, WebError};
use masthead_core::{DocumentId, MeetingId};
use masthead_desk::meetings::{DocumentBytes, DocumentUpload, add_document, sort_bytes};

/// Reads and keeps `upload` for `meeting`.
pub(crate) async fn keep(
    state: &AppState,
    staff: &Staff,
    meeting: MeetingId,
    upload: DocumentUpload,
) -> Result<DocumentId, WebError> {
    // The meeting is looked up first: nobody waits for a PDF to be read to learn that.
    if state.store.meeting(meeting).await?.is_none() {
        return Err(WebError::NotFound);
    }
    let text = match sort_bytes(&upload)? {
        DocumentBytes::Text(text) => text,
        DocumentBytes::Pdf => state
            .pdf
            .text(upload.bytes.clone())
            .await
            .map_err(|m| WebError::Unprocessable(format!("Document: {m}")))?,
    };
    let now = state.clock.now();
    Ok(add_document(&state.store, staff, meeting, upload, text, now).await?)
}

/// Fetches the document at `url` into an upload of `kind`.
pub(crate) async fn fetch(
    state: &AppState,
    url: &str,
    kind: &str,
    public: bool,
) -> Result<DocumentUpload, WebError> {
    let url = url.trim();
    if url.is_empty() {
        return Err(WebError::Unprocessable(
            "Address: paste the address of the clerk's PDF or text file".into(),
        ));
    }
    let Some(fetcher) = state.fetcher.clone() else {
        return Err(WebError::Unavailable(
            "This server has no outbound client, so it cannot fetch; upload the file instead."
                .into(),
        ));
    };
    let response = fetcher
        .get(url, &masthead_fetch::Conditional::default())
        .await
        .map_err(|e| WebError::Unprocessable(format!("Address: {e}")))?;
    if !response.status.is_success() {
        return Err(WebError::Unprocessable(format!(
            "Address: the server answered {} for {url}; check the address, or download the file \
             and upload it",
            response.status
        )));
    }
    let file_name = response
        .final_url
        .path_segments()
        .and_then(|mut s| s.next_back().map(str::to_owned))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| format!("{kind}.pdf"));
    let file_name = percent_decoded(&file_name);
    Ok(DocumentUpload {
        kind: kind.to_owned(),
        file_name,
        bytes: response.body.to_vec(),
        source_url: response.final_url.to_string(),
        public,
    })
}

fn percent_decoded(name: &str) -> String {
    percent_encoding::percent_decode_str(name)
        .decode_utf8_lossy()
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect()
}

/// Where a meeting's calendar entry is placed and links: the site's time zone and address.
pub(crate) fn calendar(state: &AppState) -> masthead_desk::meetings::Calendar {
    let config = state.config();
    masthead_desk::meetings::Calendar {
        timezone: config.timezone,
        base_url: config.base_url.clone(),
    }
}
