//! Sections and byline profiles, for admins: list, add, rename and describe, and a byline's
//! photo, uploaded here into the media library. Addresses (slugs) never change here, so
//! links to section and author pages keep working.

use super::csrf::Csrf;
use super::desk_user::DeskUser;
use super::form::FormData;
use super::media::{UploadForm, refused};
use super::view;
use crate::desk::Staff;
use crate::{AppState, WebError};
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use masthead_core::{AuthorId, SiteAction};
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
    DeskUser { staff, csrf }: DeskUser,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManageSections)?;
    render(&state, &staff, &csrf, context! {}, StatusCode::OK).await
}

/// What a form on this page adds.
enum Kind {
    Section,
    Author,
}

/// Adds a section or byline profile from its form; a bad field or a taken slug shows the
/// page again with the message.
async fn add(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    body: &[u8],
    kind: Kind,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManageSections)?;
    let form = FormData::parse(body);
    let (name, slug) =
        match crate::desk::name_and_slug(form.get("name"), Some(form.get("slug")), "Name") {
            Ok(v) => v,
            Err(WebError::Unprocessable(m)) => {
                return render(
                    state,
                    staff,
                    csrf,
                    context! { error => m },
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
            Err(e) => return Err(e),
        };
    let now = state.clock.now();
    let result = match kind {
        Kind::Section => state
            .store
            .insert_section(&slug, &name, form.get("description").trim())
            .await
            .map(|_| ()),
        Kind::Author => state
            .store
            .insert_author(&slug, &name, form.get("bio").trim(), None)
            .await
            .map(|_| ()),
    };
    match result {
        Ok(()) => {
            let action = match kind {
                Kind::Section => "section.create",
                Kind::Author => "author.create",
            };
            state
                .store
                .audit(&staff.actor(), action, slug.as_str(), &name, now)
                .await?;
            Ok(Redirect::to("/admin/sections").into_response())
        }
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
    DeskUser { staff, csrf }: DeskUser,
    body: Bytes,
) -> Result<Response, WebError> {
    add(&state, &staff, &csrf, &body, Kind::Section).await
}

/// `POST /admin/authors`
pub async fn create_author(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    body: Bytes,
) -> Result<Response, WebError> {
    add(&state, &staff, &csrf, &body, Kind::Author).await
}

/// Renames a section or byline profile and changes its description or bio; addresses stay.
async fn change(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    id: i64,
    body: &[u8],
    kind: Kind,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManageSections)?;
    let form = FormData::parse(body);
    let (name, _) = match crate::desk::name_and_slug(form.get("name"), None, "Name") {
        Ok(v) => v,
        Err(WebError::Unprocessable(m)) => {
            let ctx = context! { error => m };
            return render(state, staff, csrf, ctx, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        Err(e) => return Err(e),
    };
    let now = state.clock.now();
    let actor = staff.actor();
    match kind {
        Kind::Section => {
            let text = form.get("description").trim();
            let id = masthead_core::SectionId(id);
            state
                .store
                .update_section(id, &name, text, &actor, now)
                .await?;
        }
        Kind::Author => {
            let id = masthead_core::AuthorId(id);
            state
                .store
                .update_author(id, &name, form.get("bio").trim(), &actor, now)
                .await?;
        }
    }
    Ok(Redirect::to("/admin/sections").into_response())
}

/// `POST /admin/sections/{id}`
pub async fn update_section(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    change(&state, &staff, &csrf, id, &body, Kind::Section).await
}

/// `POST /admin/authors/{id}`
pub async fn update_author(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    change(&state, &staff, &csrf, id, &body, Kind::Author).await
}

/// `POST /admin/authors/{id}/photo`: a `multipart/form-data` upload with parts `csrf`
/// (first), `file` and `alt`; the image goes into the media library (the same checks as any
/// upload) and onto the byline. A refusal shows the page again naming the fix, and keeps
/// nothing.
pub async fn author_photo(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManageSections)?;
    let author = AuthorId(id);
    if !state.store.authors().await?.iter().any(|a| a.id == author) {
        return Err(WebError::NotFound);
    }
    let mut form = UploadForm::default();
    let read = match multipart {
        Ok(multipart) => form.read(multipart).await,
        Err(_) => Err((
            StatusCode::BAD_REQUEST,
            "The photo did not arrive as a file form. Use the byline's photo form to choose an image."
                .to_owned(),
        )),
    };
    let uploaded = match read {
        Err((status, message)) => Err(refused(status, message)),
        Ok(()) if form.bytes.is_empty() => Err(WebError::Unprocessable(
            "Photo: choose an image file to upload.".into(),
        )),
        Ok(()) if form.text.alt.trim().is_empty() => Err(WebError::Unprocessable(
            "Photo: describe it for readers who cannot see it (alt text), e.g. \"Ana Reyes\"."
                .into(),
        )),
        Ok(()) => {
            crate::media_library::upload(&state, &staff, &form.file_name, form.bytes, &form.text)
                .await
        }
    };
    let status = match uploaded {
        Ok(photo) => {
            let now = state.clock.now();
            state
                .store
                .set_author_photo(author, photo, &staff.actor(), now)
                .await?;
            return Ok(Redirect::to(&format!("/admin/sections#author-{id}")).into_response());
        }
        Err(WebError::Unprocessable(m)) => (m, StatusCode::UNPROCESSABLE_ENTITY),
        Err(WebError::BadRequest(m)) => (m, StatusCode::BAD_REQUEST),
        Err(WebError::PayloadTooLarge(m)) => (m, StatusCode::PAYLOAD_TOO_LARGE),
        Err(e) => return Err(e),
    };
    let error = format!("The photo was not saved: {}", status.0);
    render(&state, &staff, &csrf, context! { error }, status.1).await
}
