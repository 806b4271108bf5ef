//! Request parameters parsed into domain types at the edge.

use crate::WebError;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use masthead_core::{PageNumber, Slug};

/// The `page` query parameter; absent means the first page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Page(pub PageNumber);

impl<S: Send + Sync> FromRequestParts<S> for Page {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let Some(query) = parts.uri.query() else {
            return Ok(Page(PageNumber::FIRST));
        };
        for pair in query.split('&') {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            if key == "page" {
                let value = percent_decode(value)?;
                return Ok(Page(PageNumber::parse(&value)?));
            }
        }
        Ok(Page(PageNumber::FIRST))
    }
}

fn percent_decode(s: &str) -> Result<String, WebError> {
    let bytes: Vec<u8> = percent_encoding::percent_decode_str(&s.replace('+', " ")).collect();
    String::from_utf8(bytes).map_err(|_| {
        WebError::BadRequest("The page number in this address is not valid text.".into())
    })
}

/// A slug from the path. Anything that cannot be a slug cannot name content: 404. A path
/// that is not valid UTF-8 after decoding is a 400.
#[derive(Debug, Clone)]
pub(crate) struct SlugParam(pub Slug);

impl<S: Send + Sync> FromRequestParts<S> for SlugParam {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| {
                WebError::BadRequest("This address is not valid. Check the link.".into())
            })?;
        Slug::parse(&raw)
            .map(SlugParam)
            .map_err(|_| WebError::NotFound)
    }
}
