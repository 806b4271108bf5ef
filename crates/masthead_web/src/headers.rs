//! Response headers every answer carries, and the limit on address length.

use crate::{AppState, WebError};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The longest path and query accepted, in bytes.
pub const MAX_URI_LEN: usize = 2048;

/// The Content-Security-Policy of public pages: no script at all, frames only from the
/// video players we embed (`masthead_core::video::PLAYER_ORIGINS`, checked by a test),
/// never framed by other sites.
const PUBLIC_CSP: &str = "default-src 'self'; script-src 'none'; object-src 'none'; img-src 'self' https: data:; \
     style-src 'self'; frame-src https://www.youtube-nocookie.com https://player.vimeo.com; base-uri 'self'; \
     form-action 'self'; frame-ancestors 'self'";

/// The `Cache-Control` of every answer that is not a public page, document or asset.
pub(crate) const PRIVATE_NO_STORE: &str = "private, no-store";

/// Refuses over-long addresses before any routing or decoding work.
pub(crate) async fn limit_uri(request: Request, next: Next) -> Response {
    let too_long = request
        .uri()
        .path_and_query()
        .is_some_and(|pq| pq.as_str().len() > MAX_URI_LEN);
    if too_long {
        WebError::UriTooLong.into_response()
    } else {
        next.run(request).await
    }
}

/// Adds the security headers to every response; HSTS when the site's address is https (it
/// is then served behind TLS); `Cache-Control: private, no-store` where no route set one.
pub(crate) async fn security_headers(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    add_security_headers(
        response.headers_mut(),
        state.config().base_url.starts_with("https://"),
    );
    response
}

/// The security headers of [`security_headers`], added to `h`: also used by the page cache,
/// which builds a cached page's headers once, for every later hit.
pub(crate) fn add_security_headers(h: &mut HeaderMap, https: bool) {
    if https {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(PUBLIC_CSP));
    // What no route said may be cached is kept by no one: the desk, previews, the API, forms.
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static(PRIVATE_NO_STORE));
}

#[cfg(test)]
mod tests {
    use super::PUBLIC_CSP;
    use masthead_core::video::PLAYER_ORIGINS;

    #[test]
    fn public_csp_frames_exactly_the_accepted_video_players() {
        let frame_src = PUBLIC_CSP
            .split(';')
            .map(str::trim)
            .find_map(|d| d.strip_prefix("frame-src "))
            .unwrap_or_default();
        let mut listed: Vec<&str> = frame_src.split_whitespace().collect();
        let mut players = PLAYER_ORIGINS.to_vec();
        listed.sort_unstable();
        players.sort_unstable();
        assert_eq!(listed, players);
    }
}
