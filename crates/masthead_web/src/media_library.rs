//! The media library's work, shared by the admin pages and the JSON API: an upload is
//! checked against the rules in `masthead_desk::media` (who may upload, the limits, alt
//! text and credit), decoded and re-encoded by `masthead_media::process_upload` (on the
//! blocking pool, a few at a time: a 40-megapixel image takes hundreds of megabytes while it
//! is decoded), stored under a generated name with its resized copies, and recorded in the
//! library. The uploader's file name is kept as metadata only.

use crate::desk::Staff;
use crate::{AppState, WebError};
use masthead_core::{MediaId, SiteAction};
use masthead_desk::{DeskError, media};
use masthead_media::{
    Focus, MediaError, ProcessedImage, card_name, process_upload, recrop_card, save_image,
    storage_name, variant_name,
};
use masthead_store::{MediaText, NewMedia, StoreError};
use tokio::sync::Semaphore;

pub use masthead_desk::media::{LIMITS, MAX_ALT, MAX_CAPTION, MAX_CREDIT, MAX_UPLOAD_BODY};

/// Images processed at once in this process. Each may hold a few hundred megabytes while it
/// is decoded, so a burst of uploads waits here instead of exhausting memory.
static PROCESSING: Semaphore = Semaphore::const_new(2);

/// Checks, re-encodes and stores an uploaded image with its responsive sizes and records it
/// in the library as uploaded by `staff`. `alt` may be empty (the image then can't lead a
/// published story until someone describes it). `caption` is the one offered wherever the
/// image is placed.
///
/// # Errors
///
/// `Forbidden` if the role may not upload; `Unprocessable`, with a message for the
/// uploader, if the file is not a JPEG, PNG, WebP or GIF, is too large (in bytes or pixels),
/// is damaged, or the alt text or credit is too long; `MediaUnavailable` (503) if the object
/// store is unreachable; `Internal` if storage fails otherwise. No media row is added on
/// error.
pub async fn upload(
    state: &AppState,
    staff: &Staff,
    original_name: &str,
    bytes: Vec<u8>,
    text: &MediaText,
) -> Result<MediaId, WebError> {
    media::check_upload(staff, bytes.len())?;
    let text = media::clean_media_text(text).map_err(DeskError::from)?;
    let (alt, credit) = (text.alt, text.credit);
    let original_name = media::clean_original_name(original_name);

    let processed = {
        let _permit = PROCESSING
            .acquire()
            .await
            .map_err(|e| WebError::internal("image processing queue closed", e))?;
        tokio::task::spawn_blocking(move || process_upload(&bytes, &LIMITS))
            .await
            .map_err(|e| WebError::internal("image processing task failed", e))?
            .map_err(media_error)?
    };

    let variants: Vec<u32> = processed.variants.iter().map(|v| v.width).collect();
    let new = NewMedia {
        storage_name: storage_name(processed.extension),
        original_name,
        content_type: processed.content_type.to_owned(),
        width: i64::from(processed.width),
        height: i64::from(processed.height),
        byte_size: processed.original.len() as i64,
        alt,
        credit,
        uploaded_by: Some(staff.user.id),
        variants,
    };
    store_image(state, processed, &new, &text.caption).await
}

/// Stores an image's files and its row so that a crash at any point leaves either both or
/// something the start-up sweep removes (see `media_upkeep.rs`): the upload is recorded as
/// begun, the files are written, then the row is added as the record ends.
async fn store_image(
    state: &AppState,
    processed: ProcessedImage,
    new: &NewMedia,
    caption: &str,
) -> Result<MediaId, WebError> {
    let card = card_name(&new.storage_name, Focus::CENTER);
    state
        .store
        .begin_media_upload(&new.storage_name, &new.variants, state.clock.now())
        .await?;
    if let Err(error) = save_image(state.media.as_ref(), &new.storage_name, processed).await {
        if error.is_unreachable() {
            // The object store is away, so `save_image` may not have deleted what it wrote
            // before it failed: the record stays, and the upkeep's sweep deletes those
            // objects once the store is back. No media row names them either way.
            tracing::warn!(
                storage_name = %new.storage_name,
                "an upload failed because media storage is unreachable; its record stays for the sweep"
            );
        } else {
            abandon(state, &new.storage_name).await;
        }
        return Err(media_error(error));
    }
    match state
        .store
        .finish_media_upload_with(new, caption, &card, state.clock.now())
        .await
    {
        Ok(id) => Ok(id),
        Err(StoreError::NotFound) => {
            // A sweep took the record and is deleting the files; make sure of it.
            remove_files(state, &new.storage_name, &new.variants).await;
            remove_file(state, &card).await;
            Err(WebError::bug(
                "the upload's record was removed by a sweep before it finished",
            ))
        }
        // Whether the transaction committed is unknown (the database may have dropped the
        // connection at COMMIT), so the files stay: if it did not, the record stays too and
        // the sweep deletes them; if it did, they belong to the row.
        Err(error) => Err(error.into()),
    }
}

/// Drops the record of an upload whose files are gone. If that fails too, the sweep drops
/// it later.
async fn abandon(state: &AppState, storage_name: &str) {
    if let Err(e) = state.store.abandon_media_upload(storage_name).await {
        tracing::warn!(error = %e, "could not drop the record of a failed upload");
    }
}

/// Sets an image's alt text, credit and caption (trimmed; empty alt text is allowed and
/// marks the image as needing a description).
///
/// # Errors
///
/// `Forbidden` if the role may not edit this image (contributors and authors describe
/// only their own uploads), `NotFound` if there is no such image,
/// `Unprocessable` if a field is too long.
pub async fn update_text(
    state: &AppState,
    staff: &Staff,
    id: MediaId,
    text: &MediaText,
) -> Result<(), WebError> {
    staff.require(SiteAction::UploadMedia)?;
    let item = state.store.media_item(id).await?;
    media::check_edit(staff, &item)?;
    let text = media::clean_media_text(text).map_err(DeskError::from)?;
    state
        .store
        .update_media_text(id, &text, &staff.actor(), state.clock.now())
        .await?;
    Ok(())
}

/// Moves an image's focal point: makes its social card cropped around `focus` from the
/// stored original, records the point and the new card together (which bumps the content
/// version, so cached pages that show the image are made again), then deletes the old
/// card. The responsive copies keep the whole picture and stay as they are.
///
/// # Errors
///
/// `Forbidden` if the role may not edit this image, `NotFound` if there is none or its
/// file is missing, `Internal` if the file cannot be read, cropped or stored.
pub async fn set_focus(
    state: &AppState,
    staff: &Staff,
    id: MediaId,
    focus: Focus,
) -> Result<(), WebError> {
    staff.require(SiteAction::UploadMedia)?;
    let item = state.store.media_item(id).await?;
    media::check_edit(staff, &item)?;
    let new_card = card_name(&item.storage_name, focus);
    if item.card_name == new_card {
        return Ok(());
    }
    let original = state
        .media
        .get(&item.storage_name)
        .await
        .map_err(|e| WebError::media_storage("reading an image to crop it", e))?
        .ok_or(WebError::NotFound)?;
    let card = {
        let _permit = PROCESSING
            .acquire()
            .await
            .map_err(|e| WebError::internal("image processing queue closed", e))?;
        tokio::task::spawn_blocking(move || recrop_card(&original, focus))
            .await
            .map_err(|e| WebError::internal("image cropping task failed", e))?
            .map_err(|e| WebError::internal("cropping an image", e))?
    };
    state
        .media
        .put(&new_card, card.bytes)
        .await
        .map_err(|e| WebError::media_storage("storing an image's card", e))?;
    let point = (i64::from(focus.x), i64::from(focus.y));
    let now = state.clock.now();
    let actor = staff.actor();
    match state
        .store
        .update_media_focus(id, point, &item.card_name, &new_card, &actor, now)
        .await
    {
        Ok(true) => {
            if !item.card_name.is_empty() {
                remove_file(state, &item.card_name).await;
            }
            Ok(())
        }
        // Someone moved it meanwhile: theirs stands, and our card goes unless it is theirs.
        Ok(false) => {
            let current = state.store.media_item(id).await?;
            if current.card_name != new_card {
                remove_file(state, &new_card).await;
            }
            Err(WebError::Conflict(
                "Someone else moved this image's focal point at the same moment; theirs is \
                 kept. Look at the image again and set it once more if needed."
                    .into(),
            ))
        }
        // Whether it committed is unknown, so the new card stays (an orphan at worst).
        Err(error) => Err(error.into()),
    }
}

/// Deletes one stored file, best effort (an orphaned card under a random name is
/// harmless and never served: only a library row's current card is).
async fn remove_file(state: &AppState, name: &str) {
    if let Err(e) = state.media.delete(name).await {
        tracing::warn!(error = %e, "could not remove an unused image file");
    }
}

/// The web error for a media error: the uploader's mistakes are 422 with the pipeline's
/// message, an unreachable object store is 503, everything else is ours (500, with its
/// cause for the log).
fn media_error(error: MediaError) -> WebError {
    match media::upload_mistake(&error) {
        Some(mistake) => WebError::Unprocessable(mistake.to_string()),
        None => WebError::media_storage("storing an image", error),
    }
}

/// Deletes the files of an upload whose record a sweep took. Best effort: the sweep that
/// took it deletes them too.
async fn remove_files(state: &AppState, storage_name: &str, variants: &[u32]) {
    for width in variants {
        if let Err(e) = state
            .media
            .delete(&variant_name(storage_name, *width))
            .await
        {
            tracing::warn!(error = %e, "could not remove an unrecorded image variant");
        }
    }
    if let Err(e) = state.media.delete(storage_name).await {
        tracing::warn!(error = %e, "could not remove an unrecorded image");
    }
}
