//! Cleaning up after uploads that a crash interrupted.
//!
//! An upload records itself in the database before writing any file and becomes a media
//! row in the same transaction that ends that record (`masthead_store`'s
//! `media_uploads.rs`). So after a crash, every file without a media row is named by an
//! unfinished record, or is a temporary file of a write that never completed. The sweep
//! takes those records (each by exactly one server), deletes the files they name, and
//! deletes old temporary files.
//!
//! At start on SQLite nothing else can be uploading (one server owns the data directory),
//! so every record is taken at once. Where app servers share a database (PostgreSQL), a
//! record is taken only once it is older than [`UPLOAD_GRACE`], far longer than an upload
//! takes; the upkeep task repeats the sweep, so leftovers go within the hour. Taking a
//! record whose upload is in fact still running is safe: that upload then fails and
//! deletes its own files, and no row ever points to missing files.
//!
//! Files that no record names (left by versions before this, or put there by hand) are not
//! deleted here: a server started against the wrong or an empty database would otherwise
//! delete every image. `masthead check` reports them.

use crate::AppState;
use masthead_media::{Focus, MediaStorage, card_name, variant_name};
use masthead_store::{Backend, Store, StoreError};
use std::time::Duration;

/// How old an unfinished upload, or a temporary file, must be before a running site's
/// sweep removes it.
pub const UPLOAD_GRACE: Duration = Duration::from_secs(15 * 60);

/// What a sweep removed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Swept {
    /// Unfinished uploads whose files were deleted.
    pub uploads: usize,
    /// Temporary files deleted.
    pub temporary: usize,
}

/// The sweep `masthead serve` runs before it listens: everything unfinished on SQLite,
/// unfinished work older than [`UPLOAD_GRACE`] on PostgreSQL.
///
/// # Errors
///
/// A database or storage error; the server should not start on a data directory it
/// cannot read.
pub async fn sweep_at_start(state: &AppState) -> Result<Swept, String> {
    let grace = match state.store.backend() {
        Backend::Sqlite => Duration::ZERO,
        Backend::Postgres => UPLOAD_GRACE,
    };
    sweep(&state.store, state.media.as_ref(), grace, state.clock.now()).await
}

/// Deletes the files of uploads begun more than `grace` before `now` and never finished,
/// and temporary files older than `grace`.
///
/// # Errors
///
/// The first database or storage error, as a message naming what failed.
pub async fn sweep(
    store: &Store,
    media: &dyn MediaStorage,
    grace: Duration,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Swept, String> {
    let cutoff = now - chrono::Duration::from_std(grace).unwrap_or(chrono::Duration::zero());
    let claimed = store
        .claim_unfinished_uploads(cutoff)
        .await
        .map_err(|e: StoreError| format!("cannot read unfinished uploads: {e}"))?;
    for (done, upload) in claimed.iter().enumerate() {
        if let Err(error) = delete_files(media, upload).await {
            // The store is away (an object store that is down): put back the records not
            // yet done, so a later sweep deletes their files instead of leaving orphans.
            for left in &claimed[done..] {
                if let Err(e) = store
                    .begin_media_upload(&left.storage_name, &left.variants, left.started_at)
                    .await
                {
                    tracing::warn!(error = %e, storage_name = %left.storage_name,
                        "could not keep the record of an unfinished upload; `masthead check` reports its files");
                }
            }
            return Err(error);
        }
    }
    let temporary = media
        .sweep_temporary(grace)
        .await
        .map_err(|e| format!("cannot delete old temporary media files: {e}"))?;
    let swept = Swept {
        uploads: claimed.len(),
        temporary,
    };
    if swept != Swept::default() {
        tracing::info!(
            uploads = swept.uploads,
            temporary_files = swept.temporary,
            "removed what interrupted uploads left behind"
        );
    }
    Ok(swept)
}

/// Deletes the files an unfinished upload names.
async fn delete_files(
    media: &dyn MediaStorage,
    upload: &masthead_store::UnfinishedUpload,
) -> Result<(), String> {
    let mut names: Vec<String> = upload
        .variants
        .iter()
        .map(|width| variant_name(&upload.storage_name, *width))
        .collect();
    names.push(card_name(&upload.storage_name, Focus::CENTER));
    names.push(upload.storage_name.clone());
    for name in names {
        media
            .delete(&name)
            .await
            .map_err(|e| format!("cannot delete {name} of an unfinished upload: {e}"))?;
    }
    Ok(())
}
