//! The CSRF token of a `multipart/form-data` form (the media library's upload), read from
//! the form's **first part**, so the token never has to travel in the address (where it would
//! reach access logs, browser history and `Referer` headers).
//!
//! The desk has no JavaScript, so an `X-CSRF-Token` header is impossible for a browser form,
//! and the guard must not read a 25 MB body to find a field. Browsers send a form's fields in
//! document order, so the upload form puts `<input type="hidden" name="csrf">` before the
//! file input. The guard reads at most [`MAX_PREFIX`] bytes, parses that first part, and
//! hands the handler a body that replays those bytes followed by the rest of the stream:
//! nothing is buffered beyond the prefix, and the route's body limit still counts every byte
//! (the handler's `Multipart` extractor wraps the replayed body in it). A form whose first
//! part is not a small `csrf` field (a file first, a token after the file) is refused.

use crate::WebError;
use axum::body::{Body, Bytes};
use futures_util::StreamExt;

/// The most the guard reads of a multipart body to find its first part.
pub const MAX_PREFIX: usize = 8 * 1024;

/// The longest token value accepted (ours are 43 characters).
const MAX_TOKEN: usize = 128;

/// Reads the first part of the multipart body whose `Content-Type` is `content_type`.
/// Returns the body to pass on (the bytes read, then the rest) and the token if the first
/// part is a `csrf` field.
pub async fn first_part_token(
    content_type: &str,
    body: Body,
) -> Result<(Body, Option<String>), WebError> {
    let Some(boundary) = boundary(content_type) else {
        return Ok((body, None));
    };
    let mut stream = body.into_data_stream();
    let mut prefix: Vec<u8> = Vec::new();
    let token = loop {
        match first_part(&prefix, &boundary) {
            Parse::Done(token) => break token,
            Parse::NeedMore if prefix.len() >= MAX_PREFIX => break None,
            Parse::NeedMore => {}
        }
        match stream.next().await {
            Some(Ok(chunk)) => prefix.extend_from_slice(&chunk),
            Some(Err(_)) => {
                return Err(WebError::BadRequest(
                    "The upload did not arrive complete. Choose the image and upload it again."
                        .into(),
                ));
            }
            None => break first_part_complete(&prefix, &boundary),
        }
    };
    let replay = futures_util::stream::once(async move { Ok(Bytes::from(prefix)) });
    Ok((Body::from_stream(replay.chain(stream)), token))
}

/// The `boundary` parameter of a `multipart/form-data` content type.
fn boundary(content_type: &str) -> Option<String> {
    content_type
        .split(';')
        .skip(1)
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim().trim_matches('"').to_owned())
        .filter(|b| !b.is_empty() && b.len() <= 70)
}

/// The state of parsing the first part from what has arrived so far.
#[derive(Debug, PartialEq, Eq)]
enum Parse {
    /// More bytes are needed to decide.
    NeedMore,
    /// Decided: the token, or `None` when the first part is not a `csrf` field.
    Done(Option<String>),
}

/// Parses the first part from `buf` (which may be incomplete).
fn first_part(buf: &[u8], boundary: &str) -> Parse {
    let opening = format!("--{boundary}\r\n");
    // Browsers send no preamble: the body starts with the first delimiter.
    if buf.len() < opening.len() {
        return if opening.as_bytes().starts_with(buf) {
            Parse::NeedMore
        } else {
            Parse::Done(None)
        };
    }
    if !buf.starts_with(opening.as_bytes()) {
        return Parse::Done(None);
    }
    let rest = &buf[opening.len()..];
    let Some(head_end) = find(rest, b"\r\n\r\n") else {
        return Parse::NeedMore;
    };
    if !is_csrf_field(&rest[..head_end]) {
        return Parse::Done(None);
    }
    let value = &rest[head_end + 4..];
    let closing = format!("\r\n--{boundary}");
    match find(value, closing.as_bytes()) {
        Some(end) if end <= MAX_TOKEN => Parse::Done(
            std::str::from_utf8(&value[..end])
                .ok()
                .map(|t| t.trim().to_owned()),
        ),
        Some(_) => Parse::Done(None),
        None if value.len() > MAX_TOKEN + closing.len() => Parse::Done(None),
        None => Parse::NeedMore,
    }
}

/// The decision once the body has ended: still incomplete means no token.
fn first_part_complete(buf: &[u8], boundary: &str) -> Option<String> {
    match first_part(buf, boundary) {
        Parse::Done(token) => token,
        Parse::NeedMore => None,
    }
}

/// Whether a part's headers describe the plain form field `csrf` (not a file).
fn is_csrf_field(head: &[u8]) -> bool {
    let Ok(head) = std::str::from_utf8(head) else {
        return false;
    };
    let mut disposition = None;
    for line in head.split("\r\n") {
        let Some((name, value)) = line.split_once(':') else {
            return false;
        };
        if name.trim().eq_ignore_ascii_case("content-disposition") {
            if disposition.is_some() {
                return false;
            }
            disposition = Some(value.trim());
        }
    }
    let Some(disposition) = disposition else {
        return false;
    };
    let mut params = disposition.split(';').map(str::trim);
    if !params
        .next()
        .is_some_and(|kind| kind.eq_ignore_ascii_case("form-data"))
    {
        return false;
    }
    let mut named_csrf = false;
    for param in params {
        let Some((key, value)) = param.split_once('=') else {
            return false;
        };
        match key.trim().to_ascii_lowercase().as_str() {
            "name" => named_csrf = value.trim() == "\"csrf\"" || value.trim() == "csrf",
            // A file is never a token.
            _ => return false,
        }
    }
    named_csrf
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const B: &str = "----formboundary7MA4YWxk";

    fn form(parts: &[(&str, Option<&str>, &str)]) -> Vec<u8> {
        let mut out = String::new();
        for (name, file, value) in parts {
            out.push_str(&format!("--{B}\r\n"));
            match file {
                Some(f) => out.push_str(&format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: image/png\r\n\r\n"
                )),
                None => out.push_str(&format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n")),
            }
            out.push_str(value);
            out.push_str("\r\n");
        }
        out.push_str(&format!("--{B}--\r\n"));
        out.into_bytes()
    }

    #[test]
    fn the_first_part_gives_the_token_at_any_split() {
        let body = form(&[("csrf", None, "tok123"), ("file", Some("a.png"), "PNGDATA")]);
        for cut in 0..body.len() {
            match first_part(&body[..cut], B) {
                Parse::NeedMore => {}
                Parse::Done(t) => assert_eq!(t.as_deref(), Some("tok123"), "cut {cut}"),
            }
        }
        assert_eq!(first_part(&body, B), Parse::Done(Some("tok123".into())));
    }

    #[test]
    fn a_token_after_the_file_or_in_a_file_is_refused() {
        let later = form(&[("file", Some("a.png"), "PNG"), ("csrf", None, "tok")]);
        assert_eq!(first_part(&later, B), Parse::Done(None));
        let as_file = form(&[("csrf", Some("t.txt"), "tok")]);
        assert_eq!(first_part(&as_file, B), Parse::Done(None));
        let other = form(&[("alt", None, "tok")]);
        assert_eq!(first_part(&other, B), Parse::Done(None));
    }

    #[test]
    fn an_oversized_first_part_is_decided_without_the_rest() {
        let long = "x".repeat(MAX_PREFIX);
        let body = form(&[("csrf", None, &long)]);
        assert_eq!(first_part(&body[..600], B), Parse::Done(None));
    }

    #[test]
    fn the_boundary_is_read_quoted_or_not() {
        assert_eq!(
            boundary("multipart/form-data; boundary=\"abc\"").as_deref(),
            Some("abc")
        );
        assert_eq!(
            boundary("multipart/form-data;boundary=abc").as_deref(),
            Some("abc")
        );
        assert_eq!(boundary("multipart/form-data"), None);
    }
}
