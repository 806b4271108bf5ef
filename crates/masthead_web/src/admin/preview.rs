//! The editor's Preview button: the story as readers will see it, from the text in the
//! form, saved or not. The button posts the whole form (to a new tab, `formtarget`), so the
//! editor's own tab keeps the text as typed; this page is also a way back on its own, a
//! form that posts the same fields to the editor again ("Back to the editor").
//!
//! The page is the public theme's article page (`site::article::render`, the live page's
//! own code and template), shown twice in same-origin frames, one 390 pixels wide (a phone)
//! and one 1200 (a desktop), inside the desk's layout. The frames are `srcdoc` documents:
//! the page exists only in this answer, nothing is stored and nothing is cached. Their CSP
//! is this page's ([`PREVIEW_CSP`]), the desk's but with frames of our own origin and the
//! video players allowed, and images from https as on the public site.

use super::csrf::Csrf;
use super::form::FormData;
use super::view;
use crate::desk::Staff;
use crate::{AppState, WebError};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use masthead_render::context;
use masthead_store::{ArticleFields, DeskArticle};

/// The preview page's Content-Security-Policy: the desk's, except that it frames its own
/// `srcdoc` documents and the video players, and shows images from https like the public
/// pages (the frames inherit this policy). Never framed itself.
pub const PREVIEW_CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; \
     img-src 'self' https: data:; frame-src 'self' https://www.youtube-nocookie.com https://player.vimeo.com; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The preview of `fields` as posted in `form`, for `article` when it was saved before.
/// Nothing is written. A story the save would refuse (no headline, a video address of
/// another host) gets the save's own message, and the way back.
pub(super) async fn show(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    article: Option<&DeskArticle>,
    form: &FormData,
    mut fields: ArticleFields,
) -> Result<Response, WebError> {
    let back = match article {
        Some(a) => format!("/admin/articles/{}", a.id.0),
        None => "/admin/articles/new".to_owned(),
    };
    let kept: Vec<&(String, String)> = form
        .pairs()
        .iter()
        .filter(|(k, _)| k != "csrf" && k != "action")
        .collect();
    let (html, error, status) = match masthead_desk::validate(&mut fields) {
        Ok(()) => {
            let now = state.clock.now();
            let page = crate::preview::page_of(state, fields, article, now).await?;
            let banner = context! { unsaved => true };
            let html = crate::site::article::render(state, page, Some(banner)).await?;
            (
                Some(String::from_utf8_lossy(&html).into_owned()),
                None,
                StatusCode::OK,
            )
        }
        Err(e) => (
            None,
            Some(format!(
                "No preview: a save would refuse this story. {e} Go back to the editor to fix it."
            )),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    };
    let ctx = context! { html, error, back, kept => masthead_render::ser(&kept), title => form.get("title") };
    let mut response = view::page_with_status(state, staff, csrf, "preview.html", ctx, status)?;
    response.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PREVIEW_CSP),
    );
    Ok(response)
}
