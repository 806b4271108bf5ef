//! The friendly error pages: the middleware that turns every error response into the themed
//! HTML page, under `/admin` into the desk's own page (its layout and navigation, never the
//! public theme), or under `/api/` into the API's JSON shape (`api::to_json`).
//!
//! A 5xx is logged here once, with its detail and a request id the page shows; the reader
//! sees only what [`ErrorInfo`] says they may. It sits above the error type (`error`), the
//! page renderer and the API's error shape, so none of those depends on another through it.

use crate::admin::csrf::Csrf;
use crate::desk::Staff;
use crate::error::ErrorInfo;
use crate::render::page_context;
use crate::request_id::RequestId;
use crate::{AppState, WebError};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;
use masthead_render::context;
use std::sync::atomic::{AtomicU64, Ordering};

/// How long the themed error page may take before the plain one is sent instead.
const ERROR_PAGE_BUDGET: std::time::Duration = std::time::Duration::from_millis(500);

static REQUEST_IDS: AtomicU64 = AtomicU64::new(1);

/// Renders the themed page for any response that carries an `ErrorInfo` or is a bare error
/// status from axum itself (an extractor rejection).
pub(crate) async fn error_pages(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path().to_owned();
    let id = request.extensions().get::<RequestId>().cloned();
    let response = next.run(request).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    // The API answers in JSON: its handlers do so themselves; anything else (a router 404,
    // a body-limit 413, the address-length 414) is put in the same shape here.
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if path.starts_with("/api/") {
        let mut response = if is_json {
            response
        } else {
            crate::api::to_json(response)
        };
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static(crate::headers::PRIVATE_NO_STORE),
        );
        return response;
    }
    // A desk script's call (the editor's autosave, an upload from the editor) answered in
    // JSON for the page to show.
    if is_json {
        return response;
    }
    let info = match response.extensions().get::<ErrorInfo>() {
        Some(info) => info.clone(),
        None if response.headers().contains_key(header::CONTENT_TYPE)
            && response.headers()[header::CONTENT_TYPE]
                .as_bytes()
                .starts_with(b"text/html") =>
        {
            return response;
        }
        // A rejection from axum (bad path encoding, bad query): keep the status, explain it.
        None => ErrorInfo {
            message:
                "This address is not valid. Check the link, or start again from the front page."
                    .to_owned(),
            detail: None,
        },
    };
    let request_id = if status.is_server_error() {
        // The request's own id (see `request_id`); a made-up one where no `App` ran.
        let id = id.map_or_else(
            || format!("{:08x}", REQUEST_IDS.fetch_add(1, Ordering::Relaxed)),
            |id| id.to_string(),
        );
        // Never the raw path: a reset link's secret is in it.
        let path = crate::admin::login::loggable_path(&path);
        tracing::error!(request_id = %id, %path, status = status.as_u16(), detail = ?info.detail, "request failed");
        Some(id)
    } else {
        None
    };
    let title = match status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::SERVICE_UNAVAILABLE => "Temporarily unavailable",
        StatusCode::INSUFFICIENT_STORAGE => "Could not save",
        StatusCode::FORBIDDEN => "Not allowed",
        StatusCode::TOO_MANY_REQUESTS => "Too many attempts",
        s if s.is_server_error() => "Something went wrong",
        _ => "That request did not work",
    };
    let desk = path == "/admin" || path.starts_with("/admin/");
    let mut out = if desk {
        desk_error_page(
            &state,
            &response,
            title,
            &info.message,
            request_id.as_deref(),
        )
    } else {
        let html = render_error_page(&state, title, &info.message, request_id.as_deref()).await;
        Response::new(Body::from(html))
    };
    *out.status_mut() = status;
    let headers = out.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static(crate::headers::PRIVATE_NO_STORE),
    );
    if let Some(retry) = response.headers().get(header::RETRY_AFTER) {
        headers.insert(header::RETRY_AFTER, retry.clone());
    }
    // The desk's stricter policy, where its router set one, stays on its error page.
    let csp = response.headers().get(header::CONTENT_SECURITY_POLICY);
    if let Some(csp) = csp.filter(|_| desk) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp.clone());
    }
    out
}

/// The desk's error page: in the desk's layout, with the navigation of the staff member the
/// guard let through (it leaves them on the error response); a plain page if even that fails.
/// It reads no database, so it needs no time budget.
fn desk_error_page(
    state: &AppState,
    response: &Response,
    title: &str,
    message: &str,
    request_id: Option<&str>,
) -> Response {
    let staff = response.extensions().get::<Staff>();
    let who = staff.zip(response.extensions().get::<Csrf>());
    let page = context! { title, message, request_id };
    match crate::admin::view::error(state, who, page, StatusCode::OK) {
        Ok(page) => page,
        Err(e) => {
            tracing::warn!(error = %e, "desk error page rendered without its layout");
            Response::new(Body::from(plain_page(title, message, "/admin", "The desk")))
        }
    }
}

/// The themed error page, or a plain one if even that fails (the database may be down).
async fn render_error_page(
    state: &AppState,
    title: &str,
    message: &str,
    request_id: Option<&str>,
) -> String {
    let themed = async {
        let ctx = page_context(state, context! { title, message, request_id }).await?;
        Ok::<_, WebError>(state.theme().render("error.html", ctx)?)
    };
    // The themed page reads the shared parts, which may need the database that just
    // failed: it gets a short budget, so a 503 is not held up by a second wait on a lock.
    let themed = async {
        tokio::time::timeout(ERROR_PAGE_BUDGET, themed)
            .await
            .unwrap_or_else(|_| {
                Err(WebError::Unavailable(
                    "the themed error page took too long".to_owned(),
                ))
            })
    };
    match themed.await {
        Ok(html) => html,
        Err(e) => {
            tracing::warn!(error = %e, "error page rendered without the theme");
            plain_page(title, message, "/", "Front page")
        }
    }
}

/// The minimal escaped page for when no template could be rendered, linking to `home`.
fn plain_page(title: &str, message: &str, home: &str, home_name: &str) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    format!(
        "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>{t}</title>\
         <h1>{t}</h1><p>{m}</p><p><a href=\"{home}\">{home_name}</a></p></html>",
        t = esc(title),
        m = esc(message)
    )
}
