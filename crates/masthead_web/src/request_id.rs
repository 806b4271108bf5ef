//! Every request's id: the one a proxy in front sent in `X-Request-Id` when it is short and
//! made of safe characters (so it can be logged and sent back as it is), else a new one of
//! 16 hex digits. [`crate::App`] gives it to every request, cached pages included, and sends
//! it back in the response's `X-Request-Id`; the router's trace span carries it, so every
//! log line of the request names it, and an error page shows it.

use axum::http::{HeaderName, HeaderValue, Request};
use std::fmt;

/// The header the id comes in and goes back in.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest id accepted from a client.
const MAX_LEN: usize = 64;

tokio::task_local! {
    /// The id of the request the router is serving on this task ([`crate::App`] sets it).
    static CURRENT: RequestId;
}

/// Runs `future` (the router serving a request) with `id` as the [`current`] request id.
pub(crate) fn scope<F: Future>(
    id: RequestId,
    future: F,
) -> tokio::task::futures::TaskLocalFuture<RequestId, F> {
    CURRENT.scope(id, future)
}

/// The id of the request being served, for code that has no request at hand (an API error
/// turned into its JSON body); `None` outside a request.
pub(crate) fn current() -> Option<RequestId> {
    CURRENT.try_with(RequestId::clone).ok()
}

/// A request's id; in the request's extensions from [`crate::App`] on.
#[derive(Debug, Clone)]
pub struct RequestId(HeaderValue);

impl RequestId {
    /// The id `request` came with, if acceptable, else a new one.
    pub fn of<B>(request: &Request<B>) -> Self {
        match request.headers().get(&X_REQUEST_ID) {
            Some(given) if acceptable(given.as_bytes()) => Self(given.clone()),
            _ => Self::new(),
        }
    }

    /// A new id: 64 random bits in hex (ids need to tell requests apart, not be secret).
    pub fn new() -> Self {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut n: u64 = rand::random();
        let mut digits = [0u8; 16];
        for d in digits.iter_mut().rev() {
            *d = HEX[(n & 0xf) as usize];
            n >>= 4;
        }
        // Hex digits are always a valid header value.
        Self(HeaderValue::from_bytes(&digits).unwrap_or(HeaderValue::from_static("0")))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        // Only ASCII is ever accepted or made.
        self.0.to_str().unwrap_or("")
    }

    /// The id as the response header's value.
    pub fn into_header_value(self) -> HeaderValue {
        self.0
    }
}

impl Default for RequestId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An incoming id is kept when it is 1 to [`MAX_LEN`] letters, digits, `-`, `_` or `.`:
/// enough for UUIDs and the ids proxies make, nothing that could forge a log line.
fn acceptable(id: &[u8]) -> bool {
    (1..=MAX_LEN).contains(&id.len())
        && id
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn id_for(given: Option<&str>) -> String {
        let mut request = Request::new(());
        if let Some(given) = given {
            request
                .headers_mut()
                .insert(X_REQUEST_ID, HeaderValue::from_str(given).unwrap());
        }
        RequestId::of(&request).to_string()
    }

    #[test]
    fn a_short_safe_incoming_id_is_kept_and_anything_else_replaced() {
        let uuid = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
        assert_eq!(id_for(Some(uuid)), uuid);
        assert_eq!(id_for(Some("edge.42_a")), "edge.42_a");
        for bad in [
            "",
            "has space",
            "line\tbreak",
            "quote\"d",
            "{\"json\":1}",
            &"a".repeat(65),
        ] {
            let made = id_for(Some(bad));
            assert_ne!(made, bad);
            assert_eq!(made.len(), 16, "{bad:?} replaced by a new id");
        }
        let made = id_for(None);
        assert_eq!(made.len(), 16);
        assert!(made.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(id_for(None), made, "new ids differ");
    }
}
