//! The site's static pages in the desk, for editors and admins: the tree in menu order,
//! a new page, editing one (its slug and parent move it, and the pages under it, leaving
//! redirects from their old addresses), deleting one. A refused save shows the form again
//! exactly as typed, with what to fix. The rules are `masthead_desk::pages`.

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
use masthead_core::{InvalidInput, PageId, PageStatus, SiteAction};
use masthead_desk::DeskError;
use masthead_desk::pages::{PageInput, create_page, delete_page, save_page};
use masthead_render::{Value, context, ser};
use masthead_store::Page;
use serde::Deserialize;
use std::collections::HashMap;

/// Every page with its depth, each parent followed by its children in menu order.
fn tree(pages: &[Page]) -> Vec<(usize, &Page)> {
    let mut children: HashMap<Option<PageId>, Vec<&Page>> = HashMap::new();
    for page in pages {
        children.entry(page.parent).or_default().push(page);
    }
    for list in children.values_mut() {
        list.sort_by_key(|p| (p.menu_order, p.id));
    }
    let mut out = Vec::with_capacity(pages.len());
    let mut stack: Vec<(usize, &Page)> = children
        .get(&None)
        .map(|l| l.iter().rev().map(|p| (0, *p)).collect())
        .unwrap_or_default();
    while let Some((depth, page)) = stack.pop() {
        out.push((depth, page));
        if let Some(list) = children.get(&Some(page.id)) {
            stack.extend(list.iter().rev().map(|p| (depth + 1, *p)));
        }
    }
    out
}

fn row(depth: usize, page: &Page) -> Value {
    context! {
        id => page.id.0,
        depth,
        indent => "\u{2014} ".repeat(depth),
        title => &page.title,
        path => &page.path,
        menu_order => page.menu_order,
        status => page.status.as_str(),
    }
}

/// `GET /admin/pages`
pub async fn list(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManagePages)?;
    let pages = state.store.pages().await?;
    let rows: Vec<Value> = tree(&pages).into_iter().map(|(d, p)| row(d, p)).collect();
    view::page(
        &state,
        &staff,
        &csrf,
        "pages.html",
        context! { pages => rows },
    )
}

/// The form's values as typed, for showing it again.
fn typed(form: &FormData) -> Value {
    context! {
        title => form.get("title"),
        slug => form.get("slug"),
        parent => form.get("parent"),
        menu_order => form.get("menu_order"),
        status => form.get("status"),
        body_md => form.get("body_md"),
        version => form.get("version"),
    }
}

/// The form's values from a stored page.
fn stored(page: &Page) -> Value {
    context! {
        title => &page.title,
        slug => &page.slug,
        parent => page.parent.map(|p| p.0.to_string()).unwrap_or_default(),
        menu_order => page.menu_order.to_string(),
        status => page.status.as_str(),
        body_md => &page.body_md,
        version => page.version.to_string(),
    }
}

/// What the editor page says above the form.
enum Said {
    /// Nothing: the page opened.
    Nothing,
    /// "Saved.", after a save.
    Saved,
    /// Why the form was refused, with the status it is sent with.
    Refused(String),
}

/// The editor page: `page` is the stored page (none for a new one), `form` the values.
async fn editor(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    page: Option<&Page>,
    form: Value,
    said: Said,
    status: StatusCode,
) -> Result<Response, WebError> {
    let saved = matches!(said, Said::Saved);
    let error = match said {
        Said::Refused(m) => Some(m),
        Said::Nothing | Said::Saved => None,
    };
    let pages = state.store.pages().await?;
    // A page cannot go under itself or its own pages.
    let parents: Vec<Value> = tree(&pages)
        .into_iter()
        .filter(|(_, p)| {
            page.is_none_or(|me| p.id != me.id && !p.path.starts_with(&format!("{}/", me.path)))
        })
        .map(|(d, p)| row(d, p))
        .collect();
    let ctx = context! {
        page => page.map(|p| context! { id => p.id.0, path => &p.path, status => p.status.as_str(), updated_at => ser(&p.updated_at) }),
        form,
        parents,
        error,
        saved,
        statuses => PageStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
    };
    view::page_with_status(state, staff, csrf, "page_edit.html", ctx, status)
}

/// The form as the desk's rules take it, or what to fix.
fn input(form: &FormData) -> Result<PageInput, InvalidInput> {
    let parent = match form.get("parent").trim() {
        "" => None,
        id => Some(PageId(id.parse().map_err(|_| {
            InvalidInput::new("parent", "choose the parent from the list")
        })?)),
    };
    let menu_order = match form.get("menu_order").trim() {
        "" => 0,
        n => n.parse().map_err(|_| {
            InvalidInput::new(
                "menu_order",
                "give the menu order as a whole number, like 1 or 10",
            )
        })?,
    };
    Ok(PageInput {
        parent,
        slug: form.get("slug").trim().to_owned(),
        title: form.get("title").to_owned(),
        body_md: form.get("body_md").replace("\r\n", "\n"),
        menu_order,
        status: PageStatus::parse(form.get("status"))?,
    })
}

/// The status and message a refusal is shown with; other errors go up.
fn refusal(e: DeskError) -> Result<(StatusCode, String), WebError> {
    match e {
        DeskError::Invalid(i) => Ok((StatusCode::UNPROCESSABLE_ENTITY, i.to_string())),
        DeskError::Conflict(m) => Ok((StatusCode::CONFLICT, m)),
        other => Err(other.into()),
    }
}

/// The answer to a page's form: to the saved page's editor, or the form again as typed
/// with the reason it was refused (a rule's or a conflict's; other errors are the site's).
async fn answer(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    page: Option<&Page>,
    form: &FormData,
    result: Result<Page, DeskError>,
) -> Result<Response, WebError> {
    match result {
        Ok(saved) => {
            Ok(Redirect::to(&format!("/admin/pages/{}?saved=1", saved.id)).into_response())
        }
        Err(e) => {
            let (status, message) = refusal(e)?;
            editor(
                state,
                staff,
                csrf,
                page,
                typed(form),
                Said::Refused(message),
                status,
            )
            .await
        }
    }
}

/// `GET /admin/pages/new`
pub async fn new(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManagePages)?;
    let form = context! {
        title => "",
        slug => "",
        parent => "",
        menu_order => "0",
        status => "draft",
        body_md => "",
        version => "",
    };
    editor(
        &state,
        &staff,
        &csrf,
        None,
        form,
        Said::Nothing,
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/pages/new`
pub async fn create(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    body: Bytes,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManagePages)?;
    let form = FormData::parse(&body);
    let result = match input(&form) {
        Ok(input) => create_page(&state.store, &staff, &input, state.clock.now()).await,
        Err(e) => Err(e.into()),
    };
    answer(&state, &staff, &csrf, None, &form, result).await
}

/// `?saved=1` after a save.
#[derive(Debug, Deserialize)]
pub struct SavedQuery {
    #[serde(default)]
    saved: String,
}

/// `GET /admin/pages/{id}` (`?saved=1` after a save says so).
pub async fn edit(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
    Query(q): Query<SavedQuery>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManagePages)?;
    let page = state.store.page(PageId(id)).await?;
    editor(
        &state,
        &staff,
        &csrf,
        Some(&page),
        stored(&page),
        if q.saved.is_empty() {
            Said::Nothing
        } else {
            Said::Saved
        },
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/pages/{id}`
pub async fn save(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManagePages)?;
    let page = state.store.page(PageId(id)).await?;
    let form = FormData::parse(&body);
    // A form without its version cannot prove it saw the latest save: a conflict.
    let base = form.get("version").trim().parse::<i64>().unwrap_or(0);
    let result = match input(&form) {
        Ok(input) => {
            save_page(
                &state.store,
                &staff,
                page.id,
                base,
                &input,
                state.clock.now(),
            )
            .await
        }
        Err(e) => Err(e.into()),
    };
    answer(&state, &staff, &csrf, Some(&page), &form, result).await
}

/// `POST /admin/pages/{id}/delete`
pub async fn delete(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManagePages)?;
    match delete_page(&state.store, &staff, PageId(id), state.clock.now()).await {
        Ok(_) => Ok(Redirect::to("/admin/pages").into_response()),
        Err(e) => {
            let (status, message) = refusal(e)?;
            let page = state.store.page(PageId(id)).await?;
            editor(
                &state,
                &staff,
                &csrf,
                Some(&page),
                stored(&page),
                Said::Refused(message),
                status,
            )
            .await
        }
    }
}
