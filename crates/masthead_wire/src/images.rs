//! A wire item's lead image into the media library: fetched through the same guarded
//! [`Fetcher`] as the feed, then the upload pipeline every image goes through (sniffed by
//! content, size and dimensions checked before decoding, decoded under limits and
//! re-encoded, resized copies and the social card), stored under a generated name with the
//! feed's alt text and credit, in the three steps an upload takes (record, files, row) so a
//! crash leaves nothing the start-up sweep does not remove.

use chrono::{DateTime, Utc};
use masthead_core::MediaId;
use masthead_desk::media::{LIMITS, clean_original_name, clean_text};
use masthead_fetch::{Conditional, Fetcher};
use masthead_media::{Focus, MediaStorage, card_name, process_upload, save_image, storage_name};
use masthead_store::{NewMedia, Store};
use std::sync::Arc;
use tokio::sync::Semaphore;

use crate::LeadImage;

/// Images decoded at once in this process by the wire (each may take a few hundred MB).
static DECODING: Semaphore = Semaphore::const_new(1);

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
    if response.body.len() > LIMITS.max_bytes {
        return Err(format!("{} is larger than the upload limit", lead.url));
    }
    let (alt, credit) = clean_text(&lead.alt, &lead.credit).map_err(|e| e.to_string())?;
    let bytes = response.body.to_vec();
    let processed = {
        let _permit = DECODING
            .acquire()
            .await
            .map_err(|_| "the image queue is closed".to_owned())?;
        tokio::task::spawn_blocking(move || process_upload(&bytes, &LIMITS))
            .await
            .map_err(|e| format!("the image task failed: {e}"))?
            .map_err(|e| format!("{}: {e}", lead.url))?
    };
    let original = response
        .final_url
        .path_segments()
        .and_then(|mut s| s.next_back().map(str::to_owned))
        .unwrap_or_default();
    let new = NewMedia {
        storage_name: storage_name(processed.extension),
        original_name: clean_original_name(&original),
        content_type: processed.content_type.to_owned(),
        width: i64::from(processed.width),
        height: i64::from(processed.height),
        byte_size: processed.original.len() as i64,
        alt,
        credit,
        uploaded_by: None,
        variants: processed.variants.iter().map(|v| v.width).collect(),
    };
    store
        .begin_media_upload(&new.storage_name, &new.variants, now)
        .await
        .map_err(|e| e.to_string())?;
    if let Err(e) = save_image(media.as_ref(), &new.storage_name, processed).await {
        if let Err(drop) = store.abandon_media_upload(&new.storage_name).await {
            tracing::warn!(error = %drop, "could not drop the record of a failed wire image");
        }
        return Err(e.to_string());
    }
    let card = card_name(&new.storage_name, Focus::CENTER);
    // On failure the record stays and the upkeep's sweep deletes the files.
    store
        .finish_media_upload_with(&new, "", &card, now)
        .await
        .map_err(|e| e.to_string())
}
