//! The media library's rules, shared by the admin pages and the JSON API: who may upload,
//! what an upload goes through before it is stored, and editing an image's alt text and
//! credit.
//!
//! An upload is checked, decoded and re-encoded by `masthead_media::process_upload` (on the
//! blocking pool, a few at a time: a 40-megapixel image takes hundreds of megabytes while it
//! is decoded), stored under a generated name with its resized copies, and recorded in the
//! library. The uploader's file name is kept as metadata only.

use crate::desk::Staff;
use crate::{AppState, WebError};
use masthead_core::{MediaId, SiteAction};
use masthead_media::{
    MediaError, ProcessedImage, UploadLimits, process_upload, save_image, storage_name,
    variant_name,
};
use masthead_store::{NewMedia, StoreError};
use tokio::sync::Semaphore;

/// The limits every upload is held to.
pub const LIMITS: UploadLimits = UploadLimits {
    max_bytes: 20 * 1024 * 1024,
    max_side: 12_000,
    max_pixels: 40_000_000,
};

/// The largest request body an upload route should accept: the largest file plus room for
/// the form's other fields and the multipart framing.
pub const MAX_UPLOAD_BODY: usize = LIMITS.max_bytes + 1024 * 1024;

/// Longest alt text accepted, in characters. Alt text is a sentence or two; a longer
/// description belongs in the caption or the story.
pub const MAX_ALT: usize = 1_000;

/// Longest credit line accepted, in characters.
pub const MAX_CREDIT: usize = 200;

/// Longest original file name kept, in characters.
const MAX_ORIGINAL_NAME: usize = 200;

/// Images processed at once in this process. Each may hold a few hundred megabytes while it
/// is decoded, so a burst of uploads waits here instead of exhausting memory.
static PROCESSING: Semaphore = Semaphore::const_new(2);

/// Checks, re-encodes and stores an uploaded image with its responsive sizes and records it
/// in the library as uploaded by `staff`. `alt` may be empty (the image then can't lead a
/// published story until someone describes it).
///
/// # Errors
///
/// `Forbidden` if the role may not upload; `Unprocessable`, with a message for the
/// uploader, if the file is not a JPEG, PNG, WebP or GIF, is too large (in bytes or pixels),
/// is damaged, or the alt text or credit is too long; `Internal` if storage fails. Nothing
/// is stored on error.
pub async fn upload(
    state: &AppState,
    staff: &Staff,
    original_name: &str,
    bytes: Vec<u8>,
    alt: &str,
    credit: &str,
) -> Result<MediaId, WebError> {
    staff.require(SiteAction::UploadMedia)?;
    let (alt, credit) = clean_text(alt, credit)?;
    let original_name = clean_original_name(original_name);
    if bytes.is_empty() {
        return Err(WebError::Unprocessable(
            "File: choose an image to upload (JPEG, PNG, WebP or GIF).".into(),
        ));
    }

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
    store_image(state, processed, &new).await
}

/// Stores an image's files and its row so that a crash at any point leaves either both or
/// something the start-up sweep removes (see `media_upkeep.rs`): the upload is recorded as
/// begun, the files are written, then the row is added as the record ends.
async fn store_image(
    state: &AppState,
    processed: ProcessedImage,
    new: &NewMedia,
) -> Result<MediaId, WebError> {
    state
        .store
        .begin_media_upload(&new.storage_name, &new.variants, state.clock.now())
        .await?;
    if let Err(error) = save_image(state.media.as_ref(), &new.storage_name, processed).await {
        abandon(state, &new.storage_name).await;
        return Err(media_error(error));
    }
    match state
        .store
        .finish_media_upload(new, state.clock.now())
        .await
    {
        Ok(id) => Ok(id),
        Err(StoreError::NotFound) => {
            // A sweep took the record and is deleting the files; make sure of it.
            remove_files(state, &new.storage_name, &new.variants).await;
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

/// Sets an image's alt text and credit (both trimmed; empty alt text is allowed and marks
/// the image as needing a description).
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
    alt: &str,
    credit: &str,
) -> Result<(), WebError> {
    staff.require(SiteAction::UploadMedia)?;
    let item = state.store.media_item(id).await?;
    if !staff.can_edit_media(&item) {
        return Err(WebError::Forbidden(
            "Only the person who uploaded this image, or an editor, can change its alt text \
             and credit. Ask an editor if it needs fixing."
                .into(),
        ));
    }
    let (alt, credit) = clean_text(alt, credit)?;
    state
        .store
        .update_media_text(id, &alt, &credit, &staff.actor(), state.clock.now())
        .await?;
    Ok(())
}

/// Alt text and credit, trimmed and checked.
fn clean_text(alt: &str, credit: &str) -> Result<(String, String), WebError> {
    let alt = alt.trim();
    let credit = credit.trim();
    // PostgreSQL cannot store NUL in text; refused on both databases alike.
    if alt.contains('\0') {
        return Err(WebError::Unprocessable(
            "Alt text: remove the NUL character; text may not contain it.".into(),
        ));
    }
    if credit.contains('\0') {
        return Err(WebError::Unprocessable(
            "Credit: remove the NUL character; text may not contain it.".into(),
        ));
    }
    if alt.chars().count() > MAX_ALT {
        return Err(WebError::Unprocessable(format!(
            "Alt text: keep it under {MAX_ALT} characters; describe what the image shows \
             and put longer explanations in the caption."
        )));
    }
    if credit.chars().count() > MAX_CREDIT {
        return Err(WebError::Unprocessable(format!(
            "Credit: keep it under {MAX_CREDIT} characters."
        )));
    }
    Ok((alt.to_owned(), credit.to_owned()))
}

/// The uploader's file name as kept for reference: the last path part (browsers on some
/// systems send a whole path), without control characters, trimmed, at most 200 characters.
/// It is never used to name or find a file.
pub fn clean_original_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    last.chars()
        .filter(|c| !c.is_control())
        .collect::<String>()
        .trim()
        .chars()
        .take(MAX_ORIGINAL_NAME)
        .collect()
}

/// The web error for a media error: the uploader's mistakes are 422 with the pipeline's
/// message, everything else is ours (500, with its cause for the log).
fn media_error(error: MediaError) -> WebError {
    match error {
        MediaError::UnsupportedType | MediaError::TooLarge { .. } | MediaError::Corrupt(_) => {
            WebError::Unprocessable(format!("File: {error}."))
        }
        other => WebError::internal("processing an image", other),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn original_names_lose_paths_and_control_characters() {
        assert_eq!(
            clean_original_name("C:\\Users\\ana\\IMG_0001.JPG"),
            "IMG_0001.JPG"
        );
        assert_eq!(clean_original_name("../../etc/passwd"), "passwd");
        assert_eq!(
            clean_original_name("  board\u{0}\n meeting.png "),
            "board meeting.png"
        );
        assert_eq!(clean_original_name(&"a".repeat(500)).len(), 200);
        assert_eq!(clean_original_name("dir/"), "");
    }

    #[test]
    fn long_alt_text_and_credits_are_refused() {
        assert!(clean_text(&"a".repeat(MAX_ALT), "").is_ok());
        assert!(matches!(
            clean_text(&"a".repeat(MAX_ALT + 1), ""),
            Err(WebError::Unprocessable(m)) if m.starts_with("Alt text")
        ));
        assert!(matches!(
            clean_text("", &"c".repeat(MAX_CREDIT + 1)),
            Err(WebError::Unprocessable(m)) if m.starts_with("Credit")
        ));
        assert_eq!(
            clean_text("  A dog  ", " Ana ").ok(),
            Some(("A dog".into(), "Ana".into()))
        );
    }
}
