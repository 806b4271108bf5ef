//! Request parameters parsed into domain types at the edge.

use crate::WebError;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use masthead_core::{ListCursor, PageNumber, Slug};
use masthead_store::ListWindow;

/// The query parameters list pages read (the page cache keys on these alone).
pub(crate) const LIST_PARAMS: &[&str] = &["page", "before", "after"];

/// Numbered list pages go this deep; further back, the "Older" link carries a cursor
/// (`?before=`), so every page costs one index seek rather than an `OFFSET` walk.
pub(crate) const MAX_NUMBERED_PAGE: u32 = 10;

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

/// Where a list page starts: `?page=N` (1 to [`MAX_NUMBERED_PAGE`]), `?before=CURSOR` or
/// `?after=CURSOR`; none means the first page. The first value of each counts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ListAt(pub ListWindow);

impl<S: Send + Sync> FromRequestParts<S> for ListAt {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let first = |name: &str| {
            query.split('&').find_map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (key == name).then_some(value)
            })
        };
        let window = match (first("page"), first("before"), first("after")) {
            (None, None, None) => ListWindow::Page(PageNumber::FIRST),
            (Some(page), None, None) => {
                let page = PageNumber::parse(&percent_decode(page)?)?;
                if page.get() > MAX_NUMBERED_PAGE {
                    return Err(WebError::BadRequest(format!(
                        "Numbered pages stop at {MAX_NUMBERED_PAGE}. To read further back, \
                         follow the “Older” link at the foot of page {MAX_NUMBERED_PAGE}."
                    )));
                }
                ListWindow::Page(page)
            }
            (None, Some(cursor), None) => ListWindow::Before(ListCursor::parse(cursor)?),
            (None, None, Some(cursor)) => ListWindow::After(ListCursor::parse(cursor)?),
            _ => {
                return Err(WebError::BadRequest(
                    "This address mixes page, before and after; use the links on the page.".into(),
                ));
            }
        };
        Ok(ListAt(window))
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
