//! Stored images and their resized copies, served from media storage with the exact content
//! type of their extension (and `nosniff`, set for every response).
//!
//! Only the library's files are served: an original must have a row in the library, and a
//! variant (`{stem}-{width}w.{ext}`) must belong to one that lists its width. A name that is
//! not one masthead generates is refused before storage is asked, which is also the guard
//! against path traversal.
//!
//! Files on local disk are streamed by tower-http's `ServeFile` (64 KiB at a time, never
//! whole in memory), which also answers `Range` (206, or 416), `If-Modified-Since` (304) and
//! HEAD, and sets `Last-Modified`. Names are never reused for other bytes, so the response
//! may be kept for a year (`immutable`); the `ETag` (size and modification time) is checked
//! here against `If-None-Match`, which takes precedence over `If-Modified-Since`.
//!
//! Files on object storage (`media_url = "s3://…"`) are read whole from the store and sent
//! with the same content type, `nosniff` and year-long `immutable` caching. What differs:
//! no `Range` (a range request gets the whole file, 200, as RFC 9110 allows) and no
//! `Last-Modified`; the `ETag` is made from the name alone (a name is never reused for
//! other bytes), so a revalidation with `If-None-Match` is answered 304 without asking the
//! store. A store that is down is a 503 with `Retry-After`, never a 500. Since each file is
//! held whole in memory until it has been sent, only `MEDIA_READS_AT_ONCE` are read at a
//! time (a turn is given back when the body has been sent); a reader who finds every turn
//! taken waits up to five seconds, then is answered 503 with `Retry-After`.

use crate::turns::held_until_sent;
use crate::{AppState, WebError};
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use masthead_media::{content_type_for_name, split_variant_name};
use std::time::UNIX_EPOCH;
use tower::ServiceExt;
use tower_http::services::ServeFile;

/// How long browsers and CDNs may keep a media file.
const MEDIA_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";

/// `GET /media/{name}`
pub async fn show(
    State(state): State<AppState>,
    name: Result<Path<String>, axum::extract::rejection::PathRejection>,
    mut request: Request,
) -> Result<Response, WebError> {
    let Ok(Path(name)) = name else {
        return Err(WebError::NotFound);
    };
    let content_type = content_type_for_name(&name).ok_or(WebError::NotFound)?;
    if !in_library(&state, &name).await? {
        return Err(WebError::NotFound);
    }
    let Some(path) = state.media.local_path(&name) else {
        return buffered(&state, &name, content_type, request.headers()).await;
    };
    let meta = match tokio::fs::metadata(&path).await {
        Ok(meta) if meta.is_file() => meta,
        Ok(_) => return Err(WebError::NotFound),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(WebError::NotFound),
        Err(e) => {
            return Err(WebError::internal(format!("reading media file {name}"), e));
        }
    };
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_secs());
    let etag = format!("\"{:x}-{:x}\"", meta.len(), modified);
    let etag = HeaderValue::from_str(&etag)
        .map_err(|e| WebError::internal(format!("media ETag {etag}"), e))?;
    let headers = request.headers_mut();
    if let Some(wanted) = headers.get(header::IF_NONE_MATCH) {
        if etag_matches(wanted, &etag) {
            let mut response = StatusCode::NOT_MODIFIED.into_response();
            finish(response.headers_mut(), etag, None);
            return Ok(response);
        }
        // A failed If-None-Match means If-Modified-Since must be ignored (RFC 9110 13.2.2).
        headers.remove(header::IF_MODIFIED_SINCE);
    }
    let response = match ServeFile::new(&path).oneshot(request).await {
        Ok(response) => response.map(Body::new),
        Err(never) => match never {},
    };
    let (mut parts, body) = response.into_parts();
    let served = matches!(
        parts.status,
        StatusCode::OK | StatusCode::PARTIAL_CONTENT | StatusCode::NOT_MODIFIED
    );
    if !served {
        // 416 for a range past the end: ServeFile's answer, without our validators.
        return Ok(Response::from_parts(parts, body));
    }
    let whole_type = (parts.status != StatusCode::NOT_MODIFIED).then_some(content_type);
    finish(&mut parts.headers, etag, whole_type);
    Ok(Response::from_parts(parts, body))
}

/// Sets the validators, the cache lifetime and the exact content type.
fn finish(headers: &mut HeaderMap, etag: HeaderValue, content_type: Option<&'static str>) {
    headers.insert(header::ETAG, etag);
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(MEDIA_CACHE_CONTROL),
    );
    if let Some(content_type) = content_type {
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
}

/// Whether an `If-None-Match` value names `etag` (weak comparison, or `*`).
fn etag_matches(wanted: &HeaderValue, etag: &HeaderValue) -> bool {
    let (Ok(wanted), Ok(etag)) = (wanted.to_str(), etag.to_str()) else {
        return false;
    };
    wanted
        .split(',')
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == "*" || tag == etag)
}

/// The whole file from storage that is not on local disk (an object store).
async fn buffered(
    state: &AppState,
    name: &str,
    content_type: &'static str,
    headers: &HeaderMap,
) -> Result<Response, WebError> {
    // The name is the validator: names are never reused for other bytes.
    let etag = HeaderValue::from_str(&format!("\"{name}\""))
        .map_err(|e| WebError::internal(format!("media ETag for {name}"), e))?;
    if let Some(wanted) = headers.get(header::IF_NONE_MATCH)
        && etag_matches(wanted, &etag)
    {
        let mut response = StatusCode::NOT_MODIFIED.into_response();
        finish(response.headers_mut(), etag, None);
        return Ok(response);
    }
    // A few at a time: each is held whole in memory until it has been sent.
    let turn = state.media_reads.take().await?;
    let bytes = state
        .media
        .get(name)
        .await
        .map_err(|e| WebError::media_storage(&format!("reading media file {name}"), e))?
        .ok_or(WebError::NotFound)?;
    let mut response = bytes.into_response();
    finish(response.headers_mut(), etag, Some(content_type));
    Ok(held_until_sent(response, turn))
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
    if state.store.media_content_type(name).await?.is_some() {
        return Ok(true);
    }
    // A social card, while it is the image's current one.
    Ok(name.contains("-c") && state.store.media_item_by_card(name).await?.is_some())
}
