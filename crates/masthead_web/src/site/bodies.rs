//! The public bodies' pages: the index (`/bodies`), one body (`/bodies/{slug}`: who sits
//! on it and until when, where it meets, its upcoming meetings with their calendar entries,
//! and each past meeting with its public documents and published briefs), a document's
//! original (`/bodies/{slug}/documents/{id}`, never in the page cache: a PDF may be
//! megabytes, and it never changes, so it is sent with a long lifetime and its hash as
//! `ETag`; at most `ORIGINALS_AT_ONCE` read at a time, the rest waiting up to ten seconds,
//! then a 503), and its text with the passages briefs cite anchored
//! (`/bodies/{slug}/documents/{id}/text`). A document the desk keeps to itself is a 404.

use crate::meeting_record::pieces;
use crate::render::render_page;
use crate::site::cached::page;
use crate::turns::held_until_sent;
use crate::{AppState, WebError};
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use masthead_core::{DocumentId, MeetingId};
use masthead_render::{Value, context, ser};
use masthead_store::{MeetingDocument, MeetingStatus, PublicBody};
use std::collections::HashMap;

/// `GET /bodies`
pub async fn index(State(state): State<AppState>) -> Result<Response, WebError> {
    let bodies = state.reads().public_bodies().await?;
    let config = state.config();
    let html = render_page(
        &state,
        "bodies.html",
        context! { bodies => ser(&bodies), canonical => format!("{}/bodies", config.base_url) },
    )
    .await?;
    Ok(page(html))
}

async fn body(state: &AppState, slug: &str) -> Result<PublicBody, WebError> {
    if slug.len() > 120 {
        return Err(WebError::NotFound);
    }
    state
        .reads()
        .public_body_by_slug(slug)
        .await?
        .ok_or(WebError::NotFound)
}

/// `GET /bodies/{slug}`
pub async fn show(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let body = body(&state, &slug).await?;
    let now = state.clock.now();
    let meetings = state.reads().body_meetings(body.id).await?;
    let documents = state.reads().body_documents(body.id).await?;
    let briefs = state.reads().body_briefs(body.id, now).await?;
    let tz = state.config().timezone;
    let mut docs_of: HashMap<MeetingId, Vec<Value>> = HashMap::new();
    for d in &documents {
        docs_of.entry(d.meeting_id).or_default().push(context! {
            id => d.id.0, kind => &d.kind, file_name => &d.file_name,
            pdf => d.content_type == "application/pdf",
        });
    }
    let mut briefs_of: HashMap<MeetingId, Vec<Value>> = HashMap::new();
    for (meeting, title, slug) in &briefs {
        briefs_of
            .entry(*meeting)
            .or_default()
            .push(context! { title, slug });
    }
    let row = |m: &masthead_store::MeetingRecord| {
        let docs = docs_of.get(&m.id).cloned().unwrap_or_default();
        let stories = briefs_of.get(&m.id).cloned().unwrap_or_default();
        context! {
            starts_at => ser(&m.starts_at),
            when => m.starts_at.with_timezone(&tz).format("%A, %B %-d, %Y, %-I:%M %p").to_string(),
            place => &m.place,
            cancelled => m.status == MeetingStatus::Cancelled,
            documents => docs,
            briefs => stories,
        }
    };
    let upcoming: Vec<_> = meetings
        .iter()
        .rev()
        .filter(|m| m.starts_at >= now)
        .map(row)
        .collect();
    let past: Vec<_> = meetings
        .iter()
        .filter(|m| m.starts_at < now)
        .map(row)
        .collect();
    let config = state.config();
    let about: Vec<String> = body
        .fields
        .about
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    let html = render_page(
        &state,
        "body.html",
        context! {
            about,
            body => ser(&body),
            upcoming,
            past,
            canonical => format!("{}/bodies/{}", config.base_url, body.slug),
        },
    )
    .await?;
    Ok(page(html))
}

async fn public_document(
    state: &AppState,
    slug: &str,
    id: &str,
) -> Result<(PublicBody, MeetingDocument, String), WebError> {
    let body = body(state, slug).await?;
    let id = id.parse::<i64>().map_err(|_| WebError::NotFound)?;
    let (document, text) = state
        .reads()
        .meeting_document(DocumentId(id))
        .await?
        .ok_or(WebError::NotFound)?;
    let meeting = state
        .reads()
        .meeting(document.meeting_id)
        .await?
        .ok_or(WebError::NotFound)?;
    if !document.public || meeting.body_id != body.id {
        return Err(WebError::NotFound);
    }
    Ok((body, document, text))
}

/// `GET /bodies/{slug}/documents/{id}`: the original, as the clerk wrote it.
pub async fn original(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let (_, document, _) = public_document(&state, &slug, &id).await?;
    let etag = format!("\"{}\"", document.sha256);
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return Ok(StatusCode::NOT_MODIFIED.into_response());
    }
    // A few at a time: each may be megabytes held in memory until it is sent.
    let turn = state.originals.take().await?;
    let bytes = state
        .reads()
        .meeting_document_bytes(document.id)
        .await?
        .ok_or(WebError::NotFound)?;
    let response = original_response(&document, bytes, Some(&etag));
    Ok(held_until_sent(response, turn))
}

/// A document's original bytes as a response: its own type, shown in the browser, never
/// sniffed as anything else; `etag` for the public copy.
pub(crate) fn original_response(
    document: &MeetingDocument,
    bytes: Vec<u8>,
    etag: Option<&str>,
) -> Response {
    let content_type = if document.content_type == "application/pdf" {
        "application/pdf"
    } else {
        "text/plain; charset=utf-8"
    };
    let name: String = document
        .file_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let length = bytes.len();
    let mut response = bytes.into_response();
    let h = response.headers_mut();
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{name}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    if let Some(v) = etag.and_then(|e| HeaderValue::from_str(e).ok()) {
        h.insert(header::ETAG, v);
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=86400"),
        );
    }
    response
}

/// `GET /bodies/{slug}/documents/{id}/text`: the text the briefs cite, passages anchored.
pub async fn text(
    State(state): State<AppState>,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (body, document, text) = public_document(&state, &slug, &id).await?;
    let extraction = masthead_desk::meeting_brief::read(text.clone()).await?;
    let config = state.config();
    let html = render_page(
        &state,
        "body_document.html",
        context! {
            body => ser(&body),
            document => ser(&document),
            record => ser(&pieces(&text, &extraction)),
            canonical => format!("{}/bodies/{}/documents/{}/text", config.base_url, body.slug, document.id),
        },
    )
    .await?;
    Ok(page(html))
}
