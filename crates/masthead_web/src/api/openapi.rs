//! The OpenAPI document: its fixed parts here, the paths and schemas from each handler's
//! `#[utoipa::path]` as the router registers them. Served without a token (it describes
//! the API, it holds no content), built once per process.

use super::articles::schema::ArticleOut;
use super::error::ErrorDetail;
use super::{ApiError, PREFIX};
use crate::WebError;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use std::sync::OnceLock;
use utoipa::ToSchema;
use utoipa::openapi::path::Paths;
use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder, Ref, RefOr, Tag};

/// The document's fixed parts: what the API is, how to authenticate, the tags.
pub(crate) fn base() -> OpenApi {
    let bearer = HttpBuilder::new()
        .scheme(HttpAuthScheme::Bearer)
        .description(Some(
            "An API token, sent as `Authorization: Bearer <token>`. It acts with the narrower \
             of its scope and its owner's current role, and stops working when the owner is \
             disabled.",
        ))
        .build();
    let tag = |name: &str, description: &str| {
        let mut t = Tag::new(name);
        t.description = Some(description.to_owned());
        t
    };
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("masthead API")
                .version("1")
                .description(Some(
                    "The newsroom's JSON API. Every error has one shape, `ErrorResponse`, whose \
                     message says what to fix. Changes to an article name the `version` they \
                     started from; a newer save answers 409 with the stored article. JSON \
                     bodies are limited to 1 MiB; responses are never cached.",
                ))
                .build(),
        )
        .components(Some(
            ComponentsBuilder::new()
                .security_scheme("bearer", SecurityScheme::Http(bearer))
                .build(),
        ))
        .tags(Some([
            tag("articles", "Stories on the desk, drafts included."),
            tag("sections", "The site's sections."),
            tag("authors", "Staff byline profiles."),
            tag("media", "Image uploads."),
            tag("search", "The site's search, open without a token."),
            tag(
                "events",
                "The community calendar: what readers see, open without a token, and the \
                 moderation queue for editors and admins.",
            ),
            tag("comments", "Readers' comments: a story's shown comments for everyone; the queue and moderation with a token."),
            tag(
                "meetings",
                "The meeting desk: public bodies, their meetings and documents, what was read \
                 from a record, briefs drafted from it and an editor's sign-off.",
            ),
            tag("meta", "This document."),
        ]))
        .build()
}

/// Puts [`PREFIX`] in front of every path, so the document names the addresses clients call,
/// and documents the `current` article of a save's 409.
pub(crate) fn finish(mut doc: OpenApi) -> OpenApi {
    let mut paths = Paths::new();
    for (path, item) in std::mem::take(&mut doc.paths.paths) {
        paths.paths.insert(format!("{PREFIX}{path}"), item);
    }
    doc.paths = paths;
    document_current(&mut doc);
    doc
}

/// Adds `current` to the error shape's `ErrorDetail`: on a 409 from a save, the article as
/// stored now. The error module carries it for any resource (`ApiError::conflict_with`) and
/// knows no article schema; the document names it here, where both are known.
fn document_current(doc: &mut OpenApi) {
    let detail = doc.components.as_mut().and_then(|c| {
        c.schemas
            .get_mut(<ErrorDetail as ToSchema>::name().as_ref())
    });
    if let Some(RefOr::T(Schema::Object(detail))) = detail {
        let mut article = Ref::from_schema_name(<ArticleOut as ToSchema>::name());
        article.description = "On a 409 from a save only: the article as stored now.".to_owned();
        let current = OneOfBuilder::new()
            .item(article)
            .item(ObjectBuilder::new().schema_type(Type::Null));
        detail
            .properties
            .insert("current".to_owned(), Schema::OneOf(current.build()).into());
    }
}

/// This document, as JSON.
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "get_openapi",
    tag = "meta",
    responses((status = 200, description = "The OpenAPI 3.1 document", content_type = "application/json"))
)]
pub(crate) async fn document() -> Result<Response, ApiError> {
    static JSON: OnceLock<Result<String, String>> = OnceLock::new();
    let json = JSON.get_or_init(|| super::openapi().to_pretty_json().map_err(|e| e.to_string()));
    match json {
        Ok(json) => Ok((
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            json.clone(),
        )
            .into_response()),
        // Cached as text (the serializer's error is not `Clone`), so the cause is its message.
        Err(e) => Err(ApiError::Web(WebError::internal(
            "serializing the OpenAPI document",
            e.clone(),
        ))),
    }
}
