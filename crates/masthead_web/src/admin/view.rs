//! Rendering admin pages: every page gets the staff member, the CSRF token for its forms,
//! the navigation their role allows, and the site's name; and the desk's error page.

use super::csrf::Csrf;
use crate::desk::Staff;
use crate::{AppState, WebError};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use masthead_core::{SiteAction, can_site};
use masthead_render::{Value, context};

/// Renders admin template `name` (under `admin/`) with `page` for a logged-in staff member.
pub fn page(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    name: &str,
    page: Value,
) -> Result<Response, WebError> {
    page_with_status(state, staff, csrf, name, page, StatusCode::OK)
}

/// Like [`page`], with a status other than 200 (a form shown again with its error).
pub fn page_with_status(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    name: &str,
    page: Value,
    status: StatusCode,
) -> Result<Response, WebError> {
    let role = staff.role;
    let me = context! {
        id => staff.user.id.0,
        name => &staff.user.name,
        email => &staff.user.email,
        role => role.as_str(),
        can_users => can_site(role, SiteAction::ManageUsers),
        can_moderate => can_site(role, SiteAction::ModerateComments),
        can_front => can_site(role, SiteAction::ArrangeFront),
        can_events => can_site(role, SiteAction::ModerateEvents),
        can_sections => can_site(role, SiteAction::ManageSections),
        can_pages => can_site(role, SiteAction::ManagePages),
        can_meetings => can_site(role, SiteAction::CoverMeetings),
        can_redirects => can_site(role, SiteAction::ManageRedirects),
        can_newsletter => can_site(role, SiteAction::SendNewsletter),
        can_settings => can_site(role, SiteAction::ManageSettings),
        can_audit => can_site(role, SiteAction::ViewAudit),
        can_wire => role.at_least(masthead_core::Role::Editor),
    };
    let ctx = context! { me, csrf => &csrf.0, ..page };
    bare(state, name, ctx, status)
}

/// Renders an admin template for someone not logged in (login, reset).
pub fn bare(
    state: &AppState,
    name: &str,
    ctx: Value,
    status: StatusCode,
) -> Result<Response, WebError> {
    let config = state.config();
    let site = context! {
        name => &config.name,
        base_url => &config.base_url,
        favicon_url => config.identity.favicon_url(),
    };
    let html = state
        .theme()
        .render(&format!("admin/{name}"), context! { site, ..ctx })?;
    let mut response = (status, Html(html)).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(crate::headers::PRIVATE_NO_STORE),
    );
    Ok(response)
}

/// The desk's error page (`admin/error.html`, in the desk's layout): with the navigation of
/// the staff member the guard let through, or without it (not logged in, an address no desk
/// route matched), and always a way back into the desk.
pub fn error(
    state: &AppState,
    who: Option<(&Staff, &Csrf)>,
    page: Value,
    status: StatusCode,
) -> Result<Response, WebError> {
    match who {
        Some((staff, csrf)) => page_with_status(state, staff, csrf, "error.html", page, status),
        None => bare(state, "error.html", page, status),
    }
}
