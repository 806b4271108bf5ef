//! Previews: a story's page as readers will get it, before it is on the site.
//!
//! [`page_of`] turns a story's fields (the editor's unsaved form, or the latest saved
//! version) into the same [`ArticlePage`] the live page reads from the database, rendering
//! the Markdown as a save would (`masthead_desk::render`) and looking up the section,
//! bylines and lead image; `site::article::render` then renders it with the public theme's
//! own template. Nothing here writes: a preview saves nothing.
//!
//! Two ways in: the editor's Preview button (the desk's page `admin::preview`, which shows
//! the page at phone and desktop widths), and a shared link, [`link`], for people without a
//! desk account.

pub(crate) mod link;

use crate::{AppState, WebError};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleId, Slug};
use masthead_store::{
    ArticleFields, ArticlePage, Byline, DeskArticle, Image, NameRef, Note, StoreError, Teaser,
};

/// The article page `fields` would make. `stored` is the story as saved, if it was: its
/// correction notes stay (a form only adds one) and its publication time is shown; a story
/// never published shows `now`.
pub(crate) async fn page_of(
    state: &AppState,
    mut fields: ArticleFields,
    stored: Option<&DeskArticle>,
    now: DateTime<Utc>,
) -> Result<ArticlePage, WebError> {
    let text = masthead_desk::render(&mut fields);
    let store = &state.store;
    let section = store
        .sections()
        .await?
        .into_iter()
        .find(|s| s.id == fields.section)
        .map(|s| NameRef {
            slug: s.slug,
            name: s.name,
        })
        .unwrap_or_else(|| NameRef {
            slug: String::new(),
            name: "(no section chosen)".into(),
        });
    let everyone = store.authors().await?;
    let authors = fields
        .authors
        .iter()
        .filter_map(|id| everyone.iter().find(|a| a.id == *id))
        .map(|a| NameRef {
            slug: a.slug.clone(),
            name: a.name.clone(),
        })
        .collect();
    let image = match fields.image {
        None => None,
        Some(id) => match store.media_item(id).await {
            Ok(m) => Some(Image {
                storage_name: m.storage_name,
                alt: m.alt,
                credit: m.credit,
                width: m.width,
                height: m.height,
                variants: m.variants,
                focus_x: m.focus_x,
                focus_y: m.focus_y,
                card_name: m.card_name,
            }),
            // Deleted since the form was loaded: the save would refuse it; show none.
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        },
    };
    if let Some(stored) = stored {
        fields.notes = Note::append(&stored.fields.notes, &fields.notes, now);
    }
    let tags = fields
        .tags
        .iter()
        .map(|name| NameRef {
            slug: Slug::from_title(name).as_str().to_owned(),
            name: name.trim().to_owned(),
        })
        .collect();
    let kind = fields.kind();
    let teaser = Teaser {
        id: stored.map(|s| s.id).unwrap_or(ArticleId(0)),
        kind,
        label: kind.label(),
        title: fields.title.trim().to_owned(),
        slug: fields.slug.as_str().to_owned(),
        summary: fields.summary.trim().to_owned(),
        excerpt: text.excerpt,
        byline: Byline {
            authors,
            text: fields.byline.trim().to_owned(),
            source: fields.source_name.trim().to_owned(),
        },
        section,
        image,
        published_at: stored.and_then(|s| s.published_at).unwrap_or(now),
        updated_at: None,
        comment_count: 0,
    };
    fields.body_md = String::new();
    Ok(ArticlePage {
        teaser,
        body_html: text.body_html,
        story: fields,
        tags,
        comments: Vec::new(),
        comments_open: false,
    })
}
