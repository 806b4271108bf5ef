//! Uploaded media for masthead: turning an editor's upload into safe, web-ready files
//! and keeping those files somewhere.
//!
//! The crate owns four things, one module each:
//!
//! - [`pipeline`]: [`process_upload`] sniffs an upload by content, checks its size and
//!   dimensions *before* decoding, decodes under memory limits, and re-encodes it as
//!   JPEG or PNG with responsive variants. Re-encoding is the point: it drops EXIF
//!   (including GPS location), ICC and comment metadata, and anything appended to
//!   the file (polyglot payloads), so what we serve is only pixels.
//! - [`crop`]: the focal point ([`Focus`]) and the crops that keep it in view: the
//!   social card made with every upload and remade when the focal point moves.
//! - [`names`]: generated, unguessable storage names ([`storage_name`],
//!   [`variant_name`]) and the check that a name is one we could have generated.
//!   The uploader's original file name is metadata only and never touches storage.
//! - [`storage`]: the [`MediaStorage`] interface (usable as `Arc<dyn MediaStorage>`)
//!   and [`FileStorage`], which writes atomically under one directory.
//! - [`s3`]: [`S3Storage`], the same interface on an S3-compatible bucket, so several app
//!   servers share one set of files.
//!
//! Typical use in a handler:
//!
//! ```ignore
//! let processed = tokio::task::spawn_blocking(move || process_upload(&bytes, &limits)).await??;
//! let name = storage_name(processed.extension);
//! save_image(storage.as_ref(), &name, processed).await?;
//! ```

pub mod crop;
mod error;
pub mod names;
pub mod pipeline;
pub mod s3;
pub mod storage;

pub use crop::{CARD_HEIGHT, CARD_WIDTH, CropBox, Focus, card_name, crop_box, recrop_card};
pub use error::MediaError;
pub use names::{
    content_type_for_name, is_valid_name, split_variant_name, storage_name, variant_name,
};
pub use pipeline::{ProcessedImage, UploadLimits, VARIANT_WIDTHS, Variant, process_upload};
pub use s3::{S3Limits, S3Settings, S3Storage};
pub use storage::{FileStorage, MediaStorage, StorageFuture, StoredFile, save_image};
