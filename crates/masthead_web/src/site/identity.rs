//! The site's identity files: `/favicon.ico` (the image chosen in the desk's settings, or
//! the icon that ships in the binary) and `/static/accent.css` (the accent colour as a tiny
//! stylesheet, so the public CSP keeps `style-src 'self'` with no inline style).

use crate::AppState;
use crate::site::media;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

/// The icon served when the site chose none: a 32-pixel "M" in the theme's red.
const DEFAULT_FAVICON: &[u8] = include_bytes!("../../../../themes/default/static/favicon.ico");

/// How long browsers may keep `/favicon.ico`: a day, since its address never changes when
/// the site chooses another image (pages link the chosen image by its own address).
const FAVICON_CACHE_CONTROL: &str = "public, max-age=86400";

/// `GET /favicon.ico`: the chosen image from the media library, or the default icon.
pub async fn favicon(State(state): State<AppState>, request: Request) -> Response {
    let chosen = state.config().identity.favicon.clone();
    let mut response = match chosen.strip_prefix("/media/") {
        Some(name) => {
            match media::show(State(state), Ok(Path(name.to_owned())), request).await {
                Ok(response) if response.status() == StatusCode::OK => response,
                // The image was removed from storage: the default, not a broken icon.
                _ => default_favicon(),
            }
        }
        None => default_favicon(),
    };
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(FAVICON_CACHE_CONTROL),
    );
    response
}

fn default_favicon() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("image/x-icon"),
        )],
        Body::from(DEFAULT_FAVICON),
    )
        .into_response()
}

/// `GET /static/accent.css?v=HEX`: `:root { --accent: #HEX }` for the colour in effect;
/// immutable at the current colour's address.
pub async fn accent_css(State(state): State<AppState>, uri: Uri) -> Response {
    let config = state.config();
    let accent = &config.identity.accent;
    let current = config
        .identity
        .accent_css_url()
        .and_then(|url| url.split_once('?').map(|(_, q)| q.to_owned()))
        .as_deref()
        == uri.query();
    let cache = if current && !accent.is_empty() {
        "public, max-age=31536000, immutable"
    } else {
        "public, max-age=60"
    };
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/css; charset=utf-8"),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static(cache)),
        ],
        crate::identity::accent_css(accent),
    )
        .into_response()
}
