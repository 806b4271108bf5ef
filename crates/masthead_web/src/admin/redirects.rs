//! Redirects from old addresses in the desk, for editors and admins: the list (newest first,
//! paged, searched by old address), one added by hand (the old address as a full URL or a
//! path, normalised as requests are; the target a path here or an http(s) address
//! elsewhere), and deleting one.

use super::csrf::Csrf;
use super::desk_user::DeskUser;
use super::form::FormData;
use super::view;
use crate::desk::Staff;
use crate::{AppState, WebError};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use masthead_core::{RedirectId, SiteAction};
use masthead_render::{Value, context, ser};
use masthead_store::{NewRedirect, RedirectOrigin, StoreError};
use serde::Deserialize;

/// The longest search accepted.
const MAX_SEARCH: usize = 200;
/// The deepest page of the list.
const MAX_PAGE: u32 = 1_000;

/// The list's query: `?q=…&page=N` (from 1).
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: Option<u32>,
    /// Set after an add: the page says so.
    #[serde(default)]
    added: String,
}

async fn render(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    query: &ListQuery,
    extra: Value,
    status: StatusCode,
) -> Result<Response, WebError> {
    let search: String = query.q.trim().chars().take(MAX_SEARCH).collect();
    let page = query.page.unwrap_or(1).clamp(1, MAX_PAGE);
    let (rows, more) = state.store.redirects(&search, page - 1).await?;
    let ctx = context! {
        redirects => ser(&rows),
        q => &search,
        page,
        newer => (page > 1).then_some(page - 1),
        older => more.then_some(page + 1),
        added => !query.added.is_empty(),
        ..extra
    };
    view::page_with_status(state, staff, csrf, "redirects.html", ctx, status)
}

/// `GET /admin/redirects`
pub async fn list(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManageRedirects)?;
    render(&state, &staff, &csrf, &query, context! {}, StatusCode::OK).await
}

/// `POST /admin/redirects`: adds one; a refusal shows the list again with the form as typed.
pub async fn add(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    body: Bytes,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManageRedirects)?;
    let form = FormData::parse(&body);
    let (old, target) = (form.get("old_address"), form.get("target"));
    let typed = context! { old_address => old, target => target };
    let refused = |status, message: String| {
        let typed = typed.clone();
        let state = &state;
        let staff = &staff;
        let csrf = &csrf;
        async move {
            render(
                state,
                staff,
                csrf,
                &ListQuery::default(),
                context! { form => typed, error => message },
                status,
            )
            .await
        }
    };
    let redirect = match NewRedirect::from_address(old, target, RedirectOrigin::Desk) {
        Ok(r) => r,
        Err(e) => return refused(StatusCode::UNPROCESSABLE_ENTITY, e.to_string()).await,
    };
    let now = state.clock.now();
    match state.store.add_redirect(&redirect, now).await {
        Ok(()) => {
            state
                .store
                .audit(
                    &staff.actor(),
                    "redirect.create",
                    &redirect.key,
                    &redirect.target,
                    now,
                )
                .await?;
            Ok(Redirect::to("/admin/redirects?added=1").into_response())
        }
        Err(StoreError::Conflict(m)) => refused(StatusCode::CONFLICT, m).await,
        Err(StoreError::Invalid(i)) => {
            refused(StatusCode::UNPROCESSABLE_ENTITY, i.to_string()).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/redirects/{id}/delete`
pub async fn delete(
    State(state): State<AppState>,
    DeskUser { staff, csrf: _ }: DeskUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManageRedirects)?;
    let now = state.clock.now();
    let gone = state.store.delete_redirect(RedirectId(id)).await?;
    state
        .store
        .audit(
            &staff.actor(),
            "redirect.delete",
            &gone.key,
            &gone.target,
            now,
        )
        .await?;
    Ok(Redirect::to("/admin/redirects").into_response())
}
