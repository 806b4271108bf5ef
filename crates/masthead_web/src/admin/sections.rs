//! Sections and byline profiles, for admins: list and add.

use super::form::FormData;
use super::session::Csrf;
use super::view;
use crate::desk::Staff;
use crate::{AppState, WebError};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use masthead_core::{SiteAction, Slug};
use masthead_render::{Value, context, ser};
use masthead_store::StoreError;

async fn render(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    extra: Value,
    status: StatusCode,
) -> Result<Response, WebError> {
    let sections = state.store.sections().await?;
    let authors = state.store.authors().await?;
    let ctx = context! { sections => ser(&sections), authors => ser(&authors), ..extra };
    view::page_with_status(state, staff, csrf, "sections.html", ctx, status)
}

/// `GET /admin/sections`
pub async fn list(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Extension(csrf): Extension<Csrf>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManageSections)?;
    render(&state, &staff, &csrf, context! {}, StatusCode::OK).await
}

/// The name and slug from a form; the slug defaults to one made from the name.
fn name_and_slug(form: &FormData) -> Result<(String, Slug), String> {
    let name = form.get("name").trim();
    if name.is_empty() || name.len() > 100 {
        return Err("Name: give a name of up to 100 characters.".into());
    }
    let slug = match form.get("slug").trim() {
        "" => Slug::from_title(name),
        s => Slug::parse(s).map_err(|e| format!("Address (slug): {}", e.message))?,
    };
    Ok((name.to_owned(), slug))
}

async fn created(
    result: Result<(), StoreError>,
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
) -> Result<Response, WebError> {
    match result {
        Ok(()) => Ok(Redirect::to("/admin/sections").into_response()),
        Err(StoreError::Conflict(_)) => {
            let m = "That address is already used; choose another slug.";
            render(
                state,
                staff,
                csrf,
                context! { error => m },
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /admin/sections`
pub async fn create_section(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Extension(csrf): Extension<Csrf>,
    body: Bytes,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManageSections)?;
    let form = FormData::parse(&body);
    let (name, slug) = match name_and_slug(&form) {
        Ok(v) => v,
        Err(m) => {
            return render(
                &state,
                &staff,
                &csrf,
                context! { error => m },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let result = state
        .store
        .insert_section(&slug, &name, form.get("description").trim())
        .await
        .map(|_| ());
    created(result, &state, &staff, &csrf).await
}

/// `POST /admin/authors`
pub async fn create_author(
    State(state): State<AppState>,
    Extension(staff): Extension<Staff>,
    Extension(csrf): Extension<Csrf>,
    body: Bytes,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManageSections)?;
    let form = FormData::parse(&body);
    let (name, slug) = match name_and_slug(&form) {
        Ok(v) => v,
        Err(m) => {
            return render(
                &state,
                &staff,
                &csrf,
                context! { error => m },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let result = state
        .store
        .insert_author(&slug, &name, form.get("bio").trim(), None)
        .await
        .map(|_| ());
    created(result, &state, &staff, &csrf).await
}
