//! `POST /media`: an image upload, as `multipart/form-data`. The image itself is handled by
//! the media library (sniffed, size-checked, re-encoded, stored under a generated name);
//! this handler only reads the form and answers in JSON. Any role may upload.

use super::ApiError;
use super::auth::ApiStaff;
use super::error::ErrorResponse;
use super::responses::Token;
use crate::AppState;
use crate::media_library;
use axum::Json;
use axum::extract::State;
use axum::extract::multipart::{Field, Multipart, MultipartRejection};
use axum::http::StatusCode;
use bytes::Bytes;
use masthead_core::MediaId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

const TAG: &str = "media";

/// The form of an upload (documentation only; the handler reads the parts one by one and
/// refuses any other part). `Deserialize` is derived only for `deny_unknown_fields`, which
/// tells the document so.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct MediaUpload {
    /// The image: JPEG, PNG, WebP or GIF, at most 20 MiB. It is re-encoded, which drops its
    /// metadata (including location).
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// Text describing the image for people who cannot see it, at most 1,000 characters.
    /// Needed before a story with this lead image can be published.
    #[schema(max_length = 1000)]
    pub alt: Option<String>,
    /// Who made it, at most 200 characters.
    #[schema(max_length = 200)]
    pub credit: Option<String>,
}

/// A stored image.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MediaOut {
    /// Its id, as an article's `image` names it.
    #[schema(value_type = i64)]
    pub id: MediaId,
    /// Where the site serves it.
    #[schema(example = "/media/3f9c2a7b1e.jpg")]
    pub url: String,
    /// The type it is served with.
    pub content_type: String,
    /// Width in pixels.
    pub width: i64,
    /// Height in pixels.
    pub height: i64,
    /// Its alt text.
    pub alt: String,
    /// Its credit line.
    pub credit: String,
}

/// Uploads an image. Any role may.
#[utoipa::path(
    post,
    path = "/media",
    operation_id = "upload_media",
    tag = TAG,
    request_body(content = MediaUpload, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored", body = MediaOut),
        Token,
        (status = 400, description = "Not a multipart form with a `file` part, or a part other than `file`, `alt` and `credit`", body = ErrorResponse),
        (status = 413, description = "Over 20 MiB", body = ErrorResponse),
        (status = 415, description = "Not sent as multipart/form-data", body = ErrorResponse),
        (status = 422, description = "Not an image we take, too many pixels, or alt text or credit too long or holding the NUL character", body = ErrorResponse),
        (status = 503, description = "The media storage (an object store) cannot be reached: nothing was stored; try again after `Retry-After` seconds", body = ErrorResponse),
    )
)]
pub(crate) async fn upload(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    form: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<MediaOut>), ApiError> {
    let mut form = form.map_err(|_| {
        ApiError::Status(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the upload as `multipart/form-data`, with the image in a part named `file`."
                .into(),
        )
    })?;
    let mut file: Option<(Bytes, String)> = None;
    let mut alt = String::new();
    let mut credit = String::new();
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("file") => {
                let name = field.file_name().unwrap_or_default().to_owned();
                let bytes = field.bytes().await.map_err(multipart_error)?;
                file = Some((bytes, name));
            }
            Some("alt") => alt = text(field).await?,
            Some("credit") => credit = text(field).await?,
            other => {
                return Err(ApiError::bad_request(format!(
                    "Unexpected form part {:?}; an upload has `file`, and optionally `alt` and \
                     `credit`.",
                    other.unwrap_or_default()
                )));
            }
        }
    }
    let Some((bytes, original_name)) = file else {
        return Err(ApiError::bad_request(
            "The form has no `file` part; put the image in a part named `file`.",
        ));
    };
    let text = masthead_store::MediaText {
        alt,
        credit,
        caption: String::new(),
    };
    let id = media_library::upload(&state, &staff, &original_name, bytes.into(), &text).await?;
    let item = state.store.media_item(id).await?;
    Ok((
        StatusCode::CREATED,
        Json(MediaOut {
            id: item.id,
            url: format!("/media/{}", item.storage_name),
            content_type: item.content_type,
            width: item.width,
            height: item.height,
            alt: item.alt,
            credit: item.credit,
        }),
    ))
}

/// A text part (the media library trims and checks it).
async fn text(field: Field<'_>) -> Result<String, ApiError> {
    field.text().await.map_err(multipart_error)
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    super::error::multipart_refused(e, "The upload is larger than 20 MiB; send a smaller image.")
}
