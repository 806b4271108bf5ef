//! A wire item's lead image into the media library: fetched through the same guarded
//! [`Fetcher`] as the feed, then stored with the feed's alt text and credit by
//! [`add_image`], through the pipeline every upload goes through.

use chrono::{DateTime, Utc};
use masthead_core::MediaId;
use masthead_desk::library::add_image;
use masthead_fetch::{Conditional, Fetcher};
use masthead_media::MediaStorage;
use masthead_store::Store;
use std::sync::Arc;

use crate::LeadImage;

/// Fetches `lead` and stores it in the library; the error is a sentence for the editor.
/// A failure here never fails the item: the caller keeps the story without the image.
pub async fn import_lead_image(
    store: &Store,
    fetcher: &Fetcher,
    media: &Arc<dyn MediaStorage>,
    lead: &LeadImage,
    now: DateTime<Utc>,
) -> Result<MediaId, String> {
    let response = fetcher
        .get(&lead.url, &Conditional::default())
        .await
        .map_err(|e| e.to_string())?;
    if !response.status.is_success() {
        return Err(format!("{} answered {}", lead.url, response.status));
    }
    let original = response
        .final_url
        .path_segments()
        .and_then(|mut s| s.next_back().map(str::to_owned))
        .unwrap_or_default();
    let added = add_image(
        store,
        media.as_ref(),
        response.body.to_vec(),
        &original,
        &lead.alt,
        &lead.credit,
        now,
    )
    .await
    .map_err(|e| format!("{}: {e}", lead.url))?;
    Ok(added.id)
}
