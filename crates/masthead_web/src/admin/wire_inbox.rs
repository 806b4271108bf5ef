//! The "Wire" inbox: stories the wire queued for an editor, and stories changed at the
//! source after an editor's edit here. Preview (the editor's own preview of the stored
//! story), Publish (through the desk's save and publishing rules), Edit (the normal
//! editor), Discard; for an item updated at the source, take the source's version or keep
//! the newsroom's.

use super::csrf::Csrf;
use super::desk_user::DeskUser;
use super::form::from_fields;
use super::view;
use super::wire::require_editor;
use crate::desk::{Command, Staff};
use crate::{AppState, WebError};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, Utc};
use masthead_core::WireItemId;
use masthead_desk::SaveOutcome;
use masthead_render::{Value, context, ser};
use masthead_store::{InboxCursor, StoredWireItem, WIRE_INBOX_PAGE, WireItemState};
use masthead_wire::WireItem;

/// Where a page of the inbox starts: `after=<micros>.<id>` of the last item shown.
#[derive(serde::Deserialize, Default)]
pub struct Page {
    after: Option<String>,
    done: Option<String>,
}

fn cursor(text: &str) -> Option<InboxCursor> {
    let (micros, id) = text.split_once('.')?;
    let at = DateTime::<Utc>::from_timestamp_micros(micros.parse().ok()?)?;
    Some(InboxCursor {
        updated_at: at,
        id: WireItemId(id.parse().ok()?),
    })
}

/// One item as the inbox shows it.
#[derive(serde::Serialize)]
struct Entry {
    id: i64,
    article_id: Option<i64>,
    title: String,
    source: String,
    credit: String,
    when: String,
    needs_alt: bool,
    note: String,
    updated_at_source: bool,
    /// For an item updated at the source: the source's headline and summary, and what the
    /// story reads here now.
    source_title: String,
    source_summary: String,
    ours_title: String,
    ours_summary: String,
    body_changed: bool,
}

async fn entry(
    state: &AppState,
    item: &StoredWireItem,
    tz: chrono_tz::Tz,
) -> Result<Entry, WebError> {
    let wire: Option<WireItem> = serde_json::from_str(&item.item_json).ok();
    let updated = item.state == WireItemState::UpdatedAtSource;
    let (mut ours_title, mut ours_summary, mut body_changed) =
        (String::new(), String::new(), false);
    if let (true, Some(id), Some(w)) = (updated, item.article_id, wire.as_ref()) {
        match state.store.desk_article(id).await {
            Ok(story) => {
                ours_title = story.fields.title.clone();
                ours_summary = story.fields.summary.clone();
                body_changed = story.fields.body_md != w.body_md;
            }
            // Deleted since: nothing of ours to compare.
            Err(masthead_store::StoreError::NotFound) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Entry {
        id: item.id.0,
        article_id: item.article_id.map(|a| a.0),
        title: item.title.clone(),
        source: item.source_name.clone(),
        credit: wire
            .as_ref()
            .map(|w| w.credit.display.clone())
            .unwrap_or_default(),
        when: item
            .updated_at
            .with_timezone(&tz)
            .format("%Y-%m-%d %H:%M")
            .to_string(),
        needs_alt: item.needs_alt,
        note: item.note.clone(),
        updated_at_source: updated,
        source_title: wire.as_ref().map(|w| w.title.clone()).unwrap_or_default(),
        source_summary: wire.as_ref().map(|w| w.summary.clone()).unwrap_or_default(),
        ours_title,
        ours_summary,
        body_changed,
    })
}

async fn render(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    after: Option<InboxCursor>,
    extra: Value,
    status: StatusCode,
) -> Result<Response, WebError> {
    let tz = state.config().timezone;
    let items = state.store.wire_inbox(after).await?;
    let mut entries = Vec::with_capacity(items.len());
    for item in &items {
        entries.push(entry(state, item, tz).await?);
    }
    let next = (items.len() >= WIRE_INBOX_PAGE)
        .then(|| items.last())
        .flatten()
        .map(|last| format!("{}.{}", last.updated_at.timestamp_micros(), last.id.0));
    let ctx = context! { items => ser(&entries), next, paged => after.is_some(), ..extra };
    view::page_with_status(state, staff, csrf, "wire_inbox.html", ctx, status)
}

/// `GET /admin/wire/inbox`
pub async fn list(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Query(page): Query<Page>,
) -> Result<Response, WebError> {
    require_editor(&staff)?;
    let after = page.after.as_deref().and_then(cursor);
    let notice = match page.done.as_deref() {
        Some("published") => Some("Published: the story is on the site."),
        Some("discarded") => {
            Some("Discarded: later pulls leave it alone; its draft stays in Stories.")
        }
        Some("taken") => Some("The source's version is in the story now."),
        Some("kept") => Some("Your version stays; the source's change is set aside."),
        _ => None,
    };
    render(
        &state,
        &staff,
        &csrf,
        after,
        context! { notice },
        StatusCode::OK,
    )
    .await
}

/// The item and its story, or "not found".
async fn item_and_story(
    state: &AppState,
    staff: &Staff,
    id: i64,
) -> Result<(StoredWireItem, masthead_store::DeskArticle), WebError> {
    let item = state.store.wire_item(WireItemId(id)).await?;
    let article = item.article_id.ok_or(WebError::NotFound)?;
    let story = crate::desk::load(state, staff, article).await?;
    Ok((item, story))
}

/// `GET /admin/wire/inbox/{id}/preview`: the stored story as readers will see it (the
/// editor's own preview page).
pub async fn preview(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    require_editor(&staff)?;
    let (_, story) = item_and_story(&state, &staff, id).await?;
    let tz = state.config().timezone;
    let form = from_fields(&story.fields, story.version, story.published_at, tz);
    super::preview::show(
        &state,
        &staff,
        &csrf,
        Some(&story),
        &form,
        story.fields.clone(),
    )
    .await
}

/// Shows the inbox again with a refusal (the publishing rule's message, someone's save).
async fn refused(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    e: WebError,
) -> Result<Response, WebError> {
    let (error, status) = match e {
        WebError::Unprocessable(m) => (m, StatusCode::UNPROCESSABLE_ENTITY),
        WebError::Conflict(m) => (m, StatusCode::CONFLICT),
        WebError::Forbidden(m) => (m, StatusCode::FORBIDDEN),
        other => return Err(other),
    };
    let error = format!("Nothing was changed: {error}");
    render(state, staff, csrf, None, context! { error }, status).await
}

fn conflict() -> WebError {
    WebError::Conflict(
        "someone saved this story since the inbox was shown. Look at it again, then choose.".into(),
    )
}

/// `POST /admin/wire/inbox/{id}/publish`: publishes the story as it stands, through the
/// desk's save (its role and publishing rules: a lead image without alt text is refused
/// with the fix).
pub async fn publish(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    require_editor(&staff)?;
    let (item, story) = item_and_story(&state, &staff, id).await?;
    let fields = story.fields.clone();
    let version = match save(&state, &staff, &csrf, &story, fields, Command::Publish).await? {
        Ok(version) => version,
        Err(page) => return Ok(page),
    };
    // Published as it came (or as an editor left it): the wire's record moves to that
    // version only if it was the wire's own text.
    let own = (item.state == WireItemState::Queued).then_some(version);
    mark(&state, item.id, WireItemState::Published, own, "published").await
}

/// Saves `fields` over `story` with `command` through the desk; the new version, or the
/// inbox again with why it was refused.
async fn save(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    story: &masthead_store::DeskArticle,
    fields: masthead_store::ArticleFields,
    command: Command,
) -> Result<Result<i64, Response>, WebError> {
    let saved = crate::desk::save(state, staff, story.id, story.version, fields, command).await;
    Ok(match saved {
        Ok(SaveOutcome::Saved { version }) => Ok(version),
        Ok(SaveOutcome::Conflict(_)) => Err(refused(state, staff, csrf, conflict()).await?),
        Err(e) => Err(refused(state, staff, csrf, e).await?),
    })
}

/// Records where item `id` now stands and goes back to the inbox saying what was `done`.
async fn mark(
    state: &AppState,
    id: WireItemId,
    to: WireItemState,
    version: Option<i64>,
    done: &str,
) -> Result<Response, WebError> {
    let now = state.clock.now();
    state
        .store
        .set_wire_item_state(id, to, version, now)
        .await?;
    Ok(Redirect::to(&format!("/admin/wire/inbox?done={done}")).into_response())
}

/// `POST /admin/wire/inbox/{id}/discard`: out of the inbox for good; a draft stays.
pub async fn discard(
    State(state): State<AppState>,
    DeskUser { staff, csrf: _ }: DeskUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    require_editor(&staff)?;
    let item = state.store.wire_item(WireItemId(id)).await?;
    let now = state.clock.now();
    state.store.discard_wire_item(item.id, now).await?;
    state
        .store
        .audit(
            &staff.actor(),
            "wire.discard",
            &item.id.0.to_string(),
            &item.title,
            now,
        )
        .await?;
    Ok(Redirect::to("/admin/wire/inbox?done=discarded").into_response())
}

/// The state an item settles in once an editor chose: on the site or not.
fn settled(story: &masthead_store::DeskArticle) -> WireItemState {
    use masthead_core::ArticleStatus;
    match story.status {
        ArticleStatus::Published | ArticleStatus::Scheduled => WireItemState::Published,
        _ => WireItemState::Queued,
    }
}

/// `POST /admin/wire/inbox/{id}/take`: an item updated at the source takes the source's
/// headline, summary, body, credit, link and tags over the newsroom's edit (one save, a
/// revision).
pub async fn take(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (item, story) = match updated_at_source(&state, &staff, &csrf, id).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let wire: WireItem = serde_json::from_str(&item.item_json)
        .map_err(|e| WebError::internal("the wire item", e))?;
    let mut fields = story.fields.clone();
    wire.write_text_to(&mut fields);
    let version = match save(&state, &staff, &csrf, &story, fields, Command::Save).await? {
        Ok(version) => version,
        Err(page) => return Ok(page),
    };
    mark(&state, item.id, settled(&story), Some(version), "taken").await
}

/// `POST /admin/wire/inbox/{id}/keep`: the newsroom's text stays; the item leaves the
/// inbox (a later change at the source shows it again).
pub async fn keep(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let (item, story) = match updated_at_source(&state, &staff, &csrf, id).await? {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    mark(&state, item.id, settled(&story), None, "kept").await
}

/// Item `id` and its story for an editor choosing between the source's version and the
/// newsroom's; the inbox again with why when the item is no longer updated at the source.
async fn updated_at_source(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    id: i64,
) -> Result<Result<(StoredWireItem, masthead_store::DeskArticle), Response>, WebError> {
    require_editor(staff)?;
    let (item, story) = item_and_story(state, staff, id).await?;
    if item.state != WireItemState::UpdatedAtSource {
        return Ok(Err(refused(state, staff, csrf, conflict()).await?));
    }
    Ok(Ok((item, story)))
}

/// How many items wait in the inbox (the dashboard's count).
pub async fn waiting(state: &AppState) -> Result<i64, WebError> {
    Ok(state
        .store
        .wire_sources()
        .await?
        .iter()
        .map(|s| s.waiting)
        .sum())
}
