//! Images that arrive without a person's upload (a wire item's lead image, an imported
//! site's media) into the media library: the upload pipeline every image goes through
//! (sniffed by content, size and dimensions checked before decoding, decoded under limits
//! and re-encoded, resized copies and the social card), stored under a generated name with
//! the given alt text and credit, in the three steps an upload takes (record, files, row)
//! so a crash leaves nothing the start-up sweep does not remove.

use crate::media::{LIMITS, clean_original_name, clean_text};
use chrono::{DateTime, Utc};
use masthead_core::MediaId;
use masthead_media::{Focus, MediaStorage, card_name, process_upload, save_image, storage_name};
use masthead_store::{NewMedia, Store};
use tokio::sync::Semaphore;

/// Images decoded at once in this process by background work (each may take a few hundred
/// MB while decoding).
static DECODING: Semaphore = Semaphore::const_new(1);

/// An image stored in the library.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    /// Its id.
    pub id: MediaId,
    /// Its file's name (its address is `/media/{storage_name}`).
    pub storage_name: String,
}

/// Stores `bytes` (an image file once named `original`) in the library with `alt` and
/// `credit`. The error is a sentence for the editor; nothing is left behind by a failure.
pub async fn add_image(
    store: &Store,
    media: &dyn MediaStorage,
    bytes: Vec<u8>,
    original: &str,
    alt: &str,
    credit: &str,
    now: DateTime<Utc>,
) -> Result<Added, String> {
    if bytes.len() > LIMITS.max_bytes {
        return Err("it is larger than the upload limit (20 MB)".to_owned());
    }
    let (alt, credit) = clean_text(alt, credit).map_err(|e| e.to_string())?;
    let processed = {
        let _permit = DECODING
            .acquire()
            .await
            .map_err(|_| "the image queue is closed".to_owned())?;
        tokio::task::spawn_blocking(move || process_upload(&bytes, &LIMITS))
            .await
            .map_err(|e| format!("the image task failed: {e}"))?
            .map_err(|e| e.to_string())?
    };
    let new = NewMedia {
        storage_name: storage_name(processed.extension),
        original_name: clean_original_name(original),
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
    if let Err(e) = save_image(media, &new.storage_name, processed).await {
        if let Err(drop) = store.abandon_media_upload(&new.storage_name).await {
            tracing::warn!(error = %drop, "could not drop the record of a failed image");
        }
        return Err(e.to_string());
    }
    let card = card_name(&new.storage_name, Focus::CENTER);
    // On failure the record stays and the upkeep's sweep deletes the files.
    let id = store
        .finish_media_upload_with(&new, "", &card, now)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Added {
        id,
        storage_name: new.storage_name,
    })
}
