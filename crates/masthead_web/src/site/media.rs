//! Stored images and their resized copies, served from media storage with the exact content
//! type of their extension (and `nosniff`, set for every response).
//!
//! Only the library's files are served: an original must have a row in the library, and a
//! variant (`{stem}-{width}w.{ext}`) must belong to one that lists its width. A name that is
//! not one masthead generates is refused before storage is asked, which is also the guard
//! against path traversal.

use crate::{AppState, WebError};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use masthead_media::{content_type_for_name, split_variant_name};

/// `GET /media/{name}`
pub async fn show(
    State(state): State<AppState>,
    name: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<Response, WebError> {
    let Ok(Path(name)) = name else {
        return Err(WebError::NotFound);
    };
    let content_type = content_type_for_name(&name).ok_or(WebError::NotFound)?;
    if !in_library(&state, &name).await? {
        return Err(WebError::NotFound);
    }
    let bytes = state
        .media
        .get(&name)
        .await
        .map_err(|e| WebError::Internal(format!("reading media file {name}: {e:?}")))?
        .ok_or(WebError::NotFound)?;
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Whether `name` is an image of the library or one of its variants. A generated variant
/// name is looked up as a variant first, so serving one costs one query.
async fn in_library(state: &AppState, name: &str) -> Result<bool, WebError> {
    if let Some((original, width)) = split_variant_name(name)
        && let Some(item) = state.store.media_item_by_name(&original).await?
        && item.variants.contains(&width)
    {
        return Ok(true);
    }
    Ok(state.store.media_content_type(name).await?.is_some())
}
