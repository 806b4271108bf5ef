//! The crate's one error type. Each variant's message is written for the editor who
//! uploaded the file (or the admin who runs the site) and says what to do next.

use std::io;

/// Everything that can go wrong while processing or storing media.
///
/// A web layer maps [`UnsupportedType`](Self::UnsupportedType),
/// [`TooLarge`](Self::TooLarge) and [`Corrupt`](Self::Corrupt) to 422 (the upload
/// was refused), [`InvalidName`](Self::InvalidName) to 404,
/// [`Unreachable`](Self::Unreachable) to 503 (the object store is down; try again later), and
/// the rest to 500.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    /// The content is not a JPEG, PNG, WebP or GIF image, whatever its file name says.
    #[error(
        "this file is not a supported image; upload a JPEG, PNG, WebP or GIF \
         (SVG and other formats are not accepted)"
    )]
    UnsupportedType,

    /// The file is over one of the [`UploadLimits`](crate::UploadLimits).
    #[error("the image is too large: {reason}; make it smaller and upload it again")]
    TooLarge {
        /// What is too large and what the limit is, in words.
        reason: String,
    },

    /// The file looks like a supported image but could not be decoded.
    #[error("could not read the image; is the file damaged? Try exporting it again")]
    Corrupt(#[source] image::ImageError),

    /// Re-encoding or resizing failed on an image that decoded fine. This is a bug in
    /// masthead, not in the upload.
    #[error("could not convert the image ({step}); this is a bug in masthead, please report it")]
    Processing {
        /// The step that failed, e.g. "encode JPEG".
        step: &'static str,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    /// A name given to storage is not one masthead generates (path traversal,
    /// an unknown extension, ...).
    #[error("{name:?} is not a media file name masthead generates")]
    InvalidName {
        /// The refused name.
        name: String,
    },

    /// Reading or writing media storage failed.
    #[error(
        "media storage could not {action}; check that the media directory exists, \
         is writable by masthead and has free space"
    )]
    Storage {
        /// What was being done, e.g. "write /srv/media/ab12….jpg".
        action: String,
        /// The underlying I/O error.
        #[source]
        source: io::Error,
    },

    /// The object store did not answer, answered with an error, or took longer than its
    /// time limit (see [`S3Storage`](crate::S3Storage)). Nothing half-written is kept.
    #[error(
        "the media store could not {action}; check that the object store is running and \
         reachable from this server, and that media_url, media_s3_endpoint and the \
         credentials are right"
    )]
    Unreachable {
        /// What was being done, e.g. "put ab12….jpg in s3://news/media".
        action: String,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

impl MediaError {
    /// Whether this is the media store being unreachable (a 503, worth retrying), as
    /// opposed to a mistake in the upload or a bug.
    pub fn is_unreachable(&self) -> bool {
        matches!(self, Self::Unreachable { .. })
    }

    pub(crate) fn too_large(reason: impl Into<String>) -> Self {
        Self::TooLarge {
            reason: reason.into(),
        }
    }

    pub(crate) fn processing(
        step: &'static str,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        Self::Processing {
            step,
            source: Box::new(source),
        }
    }

    pub(crate) fn storage(action: impl Into<String>, source: io::Error) -> Self {
        Self::Storage {
            action: action.into(),
            source,
        }
    }
}
