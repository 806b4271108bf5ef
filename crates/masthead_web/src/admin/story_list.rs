//! The desk's story list at `/admin/articles`: search by headline and text, filters by
//! status, section, byline and kind, four sorts, numbered pages (at most
//! `DESK_FIND_PAGES`), a "view on site" link for live stories, and bulk actions on ticked
//! stories (publish, unpublish, move to a section, add a tag, feature on the front page) in
//! a form without script.
//! Each ticked story goes through `masthead_desk::save` on its own, so the same rules as
//! the editor's apply to each (role, publishable check, audit entry); the page then says
//! which were changed and why any was refused.

use super::csrf::Csrf;
use super::desk_user::DeskUser;
use super::form::{self, FormData};
use super::view;
use crate::desk::{Command, Staff};
use crate::{AppState, WebError};
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use masthead_core::{ArticleId, ArticleKind, ArticleStatus, AuthorId, Role, SectionId};
use masthead_desk::SaveOutcome;
use masthead_desk::front::{self, FrontCommand};
use masthead_render::{Value, context, ser};
use masthead_store::{DESK_FIND_PAGES, DeskFind, DeskSort};
use serde::Deserialize;

/// Stories on a page of the list (and the most one bulk action takes).
const PER_PAGE: u32 = 50;

/// The list's address parameters; empty means "any".
#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    section: String,
    #[serde(default)]
    author: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: Option<u32>,
}

impl ListQuery {
    /// The filters, or a 400 naming the parameter that is not one of the page's choices.
    fn find(&self, staff: &Staff) -> Result<DeskFind, WebError> {
        let bad = |what: &str| WebError::BadRequest(format!("{what}: choose one from the list."));
        let id = |text: &str, what: &str| match text.trim() {
            "" => Ok(None),
            t => t.parse::<i64>().map(Some).map_err(|_| bad(what)),
        };
        if self.q.chars().count() > 200 {
            return Err(WebError::BadRequest(
                "Search: 200 characters at most.".into(),
            ));
        }
        Ok(DeskFind {
            text: self.q.trim().to_owned(),
            status: match self.status.as_str() {
                "" => None,
                s => Some(ArticleStatus::parse(s).map_err(|_| bad("Status"))?),
            },
            section: id(&self.section, "Section")?.map(SectionId),
            author: id(&self.author, "Byline")?.map(AuthorId),
            kind: match self.kind.as_str() {
                "" => None,
                k => Some(ArticleKind::parse(k).map_err(|_| bad("Kind"))?),
            },
            owner: (!staff.role.at_least(Role::Editor)).then_some(staff.user.id),
            sort: DeskSort::parse(&self.sort).ok_or_else(|| bad("Sort"))?,
        })
    }

    /// The address's parameters without the page, to build page links from.
    fn without_page(&self) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("q", &self.q),
            ("status", &self.status),
            ("section", &self.section),
            ("author", &self.author),
            ("kind", &self.kind),
            ("sort", &self.sort),
        ] {
            if !value.is_empty() {
                out.append_pair(name, value);
            }
        }
        out.finish()
    }
}

/// `GET /admin/articles`
pub async fn list(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    page(&state, &staff, &csrf, &q, None, StatusCode::OK).await
}

async fn page(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    q: &ListQuery,
    report: Option<Value>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let find = q.find(staff)?;
    let page = q.page.unwrap_or(1).clamp(1, DESK_FIND_PAGES);
    let mut rows = state.store.desk_find(&find, page, PER_PAGE).await?;
    let more = rows.len() > PER_PAGE as usize;
    rows.truncate(PER_PAGE as usize);
    let now = state.clock.now();
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| {
            let live = r.status.as_of(r.published_at, now) == ArticleStatus::Published;
            context! { live, ..ser(r) }
        })
        .collect();
    let sections = state.store.sections().await?;
    let authors = state.store.authors().await?;
    let ctx = context! {
        rows,
        q => &q.q,
        status => &q.status,
        section => &q.section,
        author => &q.author,
        kind => &q.kind,
        sort => &q.sort,
        statuses => ser(&ArticleStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>()),
        sections => ser(&sections),
        authors => ser(&authors),
        kinds => form::kinds(),
        query => q.without_page(),
        page,
        more => more && page < DESK_FIND_PAGES,
        last_page => more && page == DESK_FIND_PAGES,
        max_pages => DESK_FIND_PAGES,
        can_publish => staff.role.at_least(Role::Author),
        report,
    };
    view::page_with_status(state, staff, csrf, "articles.html", ctx, status)
}

/// What a bulk action does to one story.
#[derive(Clone)]
enum Bulk {
    Publish,
    Unpublish,
    Section(SectionId),
    Tag(String),
    /// Add to the front page's featured stories (`masthead_desk::front`'s rules).
    Feature,
}

/// `POST /admin/articles/bulk` with the ticked `id`s and the button pressed (`bulk`:
/// `publish`, `unpublish`, `section` with `to_section`, `tag` with `tag`).
pub async fn bulk(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    body: Bytes,
) -> Result<Response, WebError> {
    let form = FormData::parse(&body);
    let (state, staff, csrf) = (&state, &staff, &csrf);
    let again = |message: String| async move {
        let report = context! { error => message };
        let q = ListQuery::default();
        page(
            state,
            staff,
            csrf,
            &q,
            Some(report),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await
    };
    let ids: Vec<i64> = form
        .all("id")
        .iter()
        .filter_map(|id| id.trim().parse().ok())
        .collect();
    if ids.is_empty() {
        return again("Tick at least one story, then press the action's button.".into()).await;
    }
    if ids.len() > PER_PAGE as usize {
        return again(format!("At most {PER_PAGE} stories at a time.")).await;
    }
    let action = match form.get("bulk") {
        "publish" => Bulk::Publish,
        "unpublish" => Bulk::Unpublish,
        "feature" => Bulk::Feature,
        "section" => match form.get("to_section").trim().parse::<i64>() {
            Ok(id) => Bulk::Section(SectionId(id)),
            Err(_) => return again("Move to section: choose a section.".into()).await,
        },
        "tag" => {
            let tag = form
                .get("tag")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if tag.is_empty() {
                return again("Add tag: write the tag to add.".into()).await;
            }
            Bulk::Tag(tag)
        }
        _ => return again("Choose an action: use one of the buttons below the list.".into()).await,
    };
    let mut done = Vec::new();
    let mut unchanged = Vec::new();
    let mut refused = Vec::new();
    for id in ids {
        match apply(state, staff, ArticleId(id), &action).await {
            Ok(Applied::Done(title)) => done.push(title),
            Ok(Applied::Unchanged(title)) => unchanged.push(title),
            Err((title, reason)) => refused.push(context! { title, reason }),
        }
    }
    let what = match &action {
        Bulk::Publish => "Published".to_owned(),
        Bulk::Unpublish => "Taken down".to_owned(),
        Bulk::Section(_) => "Moved".to_owned(),
        Bulk::Tag(tag) => format!("Tagged \"{tag}\""),
        Bulk::Feature => "Featured on the front page".to_owned(),
    };
    let status = if refused.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let report = context! { what, done, unchanged, refused };
    page(
        state,
        staff,
        csrf,
        &ListQuery::default(),
        Some(report),
        status,
    )
    .await
}

enum Applied {
    Done(String),
    Unchanged(String),
}

/// Applies `action` to story `id` through the desk's one save, as the editor's buttons do.
async fn apply(
    state: &AppState,
    staff: &Staff,
    id: ArticleId,
    action: &Bulk,
) -> Result<Applied, (String, String)> {
    let article = masthead_desk::load(&state.store, staff, id)
        .await
        .map_err(|e| (format!("Story {}", id.0), e.to_string()))?;
    let title = article.fields.title.clone();
    let mut fields = article.fields.clone();
    let now = state.clock.now();
    let on_site = matches!(
        article.status,
        ArticleStatus::Published | ArticleStatus::Scheduled
    );
    let command = match action {
        Bulk::Feature => {
            let feature = FrontCommand::Feature(id, None);
            return match front::arrange(&state.store, staff, feature, now).await {
                Ok(_) => Ok(Applied::Done(title)),
                Err(e) => Err((title, e.to_string())),
            };
        }
        Bulk::Publish if article.status == ArticleStatus::Published => {
            return Ok(Applied::Unchanged(title));
        }
        Bulk::Publish => Command::Publish,
        Bulk::Unpublish if !on_site => return Ok(Applied::Unchanged(title)),
        Bulk::Unpublish => Command::Unpublish,
        Bulk::Section(section) if fields.section == *section => {
            return Ok(Applied::Unchanged(title));
        }
        Bulk::Section(section) => {
            fields.section = *section;
            Command::Save
        }
        Bulk::Tag(tag) if fields.tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) => {
            return Ok(Applied::Unchanged(title));
        }
        Bulk::Tag(tag) => {
            fields.tags.push(tag.clone());
            Command::Save
        }
    };
    match masthead_desk::save(
        &state.store,
        staff,
        id,
        article.version,
        fields,
        command,
        now,
    )
    .await
    {
        Ok(SaveOutcome::Saved { .. }) => Ok(Applied::Done(title)),
        Ok(SaveOutcome::Conflict(_)) => Err((
            title,
            "someone saved it at the same moment; nothing was changed, try again.".into(),
        )),
        Err(e) => Err((title, e.to_string())),
    }
}
