//! Conditional GET (RFC 9110, section 13): a `200` that carries validators (`ETag`,
//! `Last-Modified`) answers `304 Not Modified` without a body when the client's copy is current.
//! It wraps the page cache, so hits and misses are answered alike.
//!
//! `If-None-Match` is checked first and, when present, alone (weak comparison, as for GET);
//! otherwise `If-Modified-Since` against `Last-Modified`, to the second.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use chrono::{DateTime, Utc};

/// The headers of a `200` that a `304` leaves out: they describe the body.
const BODY_HEADERS: [header::HeaderName; 4] = [
    header::CONTENT_TYPE,
    header::CONTENT_ENCODING,
    header::CONTENT_LENGTH,
    header::TRANSFER_ENCODING,
];

/// Answers `304` when the request's validators match the response's.
pub(crate) async fn not_modified(request: Request, next: Next) -> Response {
    let method_ok = matches!(*request.method(), Method::GET | Method::HEAD);
    let validators = Validators::of(request.headers());
    let response = next.run(request).await;
    if method_ok && response.status() == StatusCode::OK && validators.current(response.headers()) {
        not_modified_like(response.headers())
    } else {
        response
    }
}

/// The validators a request sent, if any.
#[derive(Debug, Default)]
pub(crate) struct Validators {
    if_none_match: Option<HeaderValue>,
    if_modified_since: Option<HeaderValue>,
}

impl Validators {
    /// The request's `If-None-Match` and `If-Modified-Since`.
    pub(crate) fn of(request: &HeaderMap) -> Self {
        Self {
            if_none_match: request.get(header::IF_NONE_MATCH).cloned(),
            if_modified_since: request.get(header::IF_MODIFIED_SINCE).cloned(),
        }
    }

    /// Whether the client's copy is the response's (a `200` with these headers).
    pub(crate) fn current(&self, response: &HeaderMap) -> bool {
        match (&self.if_none_match, &self.if_modified_since) {
            (Some(tags), _) => etag_matches(tags, response),
            (None, Some(since)) => not_modified_since(since, response),
            (None, None) => false,
        }
    }
}

/// The `304` standing for a `200` with `headers`: the same headers but those describing the
/// body it does not have (RFC 9110, section 15.4.5: it keeps `ETag`, `Cache-Control` and
/// `Vary`, and may keep the rest).
pub(crate) fn not_modified_like(headers: &HeaderMap) -> Response {
    let mut not_modified = Response::new(Body::empty());
    *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
    let h = not_modified.headers_mut();
    *h = headers.clone();
    for name in BODY_HEADERS {
        h.remove(name);
    }
    not_modified
}

/// Whether `If-None-Match` names the response's entity tag (or is `*`).
fn etag_matches(if_none_match: &HeaderValue, headers: &HeaderMap) -> bool {
    let Some(etag) = headers.get(header::ETAG).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Ok(list) = if_none_match.to_str() else {
        return false;
    };
    let opaque = |tag: &str| tag.trim().trim_start_matches("W/").to_owned();
    let ours = opaque(etag);
    list.split(',')
        .any(|tag| tag.trim() == "*" || opaque(tag) == ours)
}

/// Whether the response's `Last-Modified` is no later than `If-Modified-Since`.
fn not_modified_since(since: &HeaderValue, headers: &HeaderMap) -> bool {
    let parse = |v: &HeaderValue| {
        v.to_str()
            .ok()
            .and_then(|s| DateTime::parse_from_rfc2822(s).ok())
            .map(|t| t.with_timezone(&Utc))
    };
    match (
        parse(since),
        headers.get(header::LAST_MODIFIED).and_then(parse),
    ) {
        (Some(since), Some(modified)) => modified <= since,
        _ => false,
    }
}

/// An HTTP date (`Last-Modified`), e.g. `Fri, 27 Nov 2026 18:00:00 GMT`.
pub(crate) fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(etag: &str, modified: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ETAG,
            HeaderValue::from_str(etag).unwrap_or(HeaderValue::from_static("")),
        );
        h.insert(
            header::LAST_MODIFIED,
            HeaderValue::from_str(modified).unwrap_or(HeaderValue::from_static("")),
        );
        h
    }

    #[test]
    fn entity_tags_compare_weakly_and_in_lists() {
        let h = headers("\"abc\"", "Fri, 27 Nov 2026 18:00:00 GMT");
        for tags in ["\"abc\"", "W/\"abc\"", "\"x\", \"abc\"", "*"] {
            assert!(etag_matches(&HeaderValue::from_static(tags), &h), "{tags}");
        }
        for tags in ["\"abd\"", "abc", ""] {
            assert!(!etag_matches(&HeaderValue::from_static(tags), &h), "{tags}");
        }
    }

    #[test]
    fn dates_compare_to_the_second() {
        let h = headers("\"abc\"", "Fri, 27 Nov 2026 18:00:00 GMT");
        let check = |since: &'static str| not_modified_since(&HeaderValue::from_static(since), &h);
        assert!(check("Fri, 27 Nov 2026 18:00:00 GMT"));
        assert!(check("Fri, 27 Nov 2026 18:00:01 GMT"));
        assert!(!check("Fri, 27 Nov 2026 17:59:59 GMT"));
        assert!(!check("yesterday"));
    }

    #[test]
    fn http_dates_are_imf_fixdate() {
        let at = DateTime::parse_from_rfc3339("2026-11-27T18:00:00Z")
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default();
        assert_eq!(http_date(at), "Fri, 27 Nov 2026 18:00:00 GMT");
    }
}
