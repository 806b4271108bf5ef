//! Wire copy through the newsroom's rules: the wire desk writes its stories with the same
//! validation, rendering, reference and publishing checks, slug rule, search indexing,
//! revisions and audit log as a person's save, inside a [`StoryWrite`] the wire worker
//! holds for a batch of items (one transaction a batch, so an item's story and its wire
//! record are written together).
//!
//! There is no logged-in person behind a pull, so the acting party is
//! [`wire_actor`]: `Actor::system("wire:<source name>")`, the same kind of actor the
//! scheduler and the command line use. It has no role: the wire may publish only because
//! an editor set the source to auto mode, and what it publishes must still pass
//! [`check_publishable`] — an item that does not (a lead image without alt text) is kept as
//! a draft with the reason, for the inbox.

use crate::DeskError;
use crate::rules::{check_publishable, check_references, render, validate};
use crate::stories::{Command, is_public};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleId, ArticleStatus, AuthorId, MediaId, SectionId, Slug};
use masthead_store::{
    Actor, ArticleFields, NewStory, Placement, References, RenderedText, Store, StoryWrite,
};
use std::collections::{HashMap, HashSet};

/// The audit log's actor for a wire source: `wire:<name>`.
pub fn wire_actor(source_name: &str) -> Actor {
    Actor::system(&format!("wire:{source_name}"))
}

/// What [`create_wire_stories`] stored of one story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireCreated {
    /// The new story.
    pub id: ArticleId,
    /// Its version (1).
    pub version: i64,
    /// Whether it was published.
    pub published: bool,
    /// Why it was kept as a draft although publishing was asked for (the publishing rule's
    /// message), for the inbox.
    pub held: Option<String>,
}

/// How many numbered slugs are tried (`slug-2` … ) before one with the story's id range.
const SLUG_TRIES: u32 = 50;

/// A wire story's fields validated and rendered, before any lock is taken (rendering a
/// body costs more than writing it; on SQLite every other writer waits while a write runs).
#[derive(Debug, Clone)]
pub struct Prepared {
    fields: ArticleFields,
    text: RenderedText,
}

/// Validates and renders `fields` for [`create_wire_stories`]; the error names the field.
pub fn prepare(mut fields: ArticleFields) -> Result<Prepared, DeskError> {
    validate(&mut fields)?;
    let text = render(&mut fields);
    Ok(Prepared { fields, text })
}

impl Prepared {
    /// The story with `image` as its lead image, captioned `caption` (a lead image is
    /// fetched after its story's text was prepared; the body is not rendered again). The
    /// fields are validated again, so a caption too long is refused like a person's.
    pub fn with_lead_image(mut self, image: MediaId, caption: &str) -> Result<Self, DeskError> {
        self.fields.image = Some(image);
        self.fields.image_caption = caption.to_owned();
        validate(&mut self.fields)?;
        Ok(self)
    }
}

/// A story the rules let through: its place among the batch, fields, text, placement and
/// why it is held back from publishing.
type Accepted = (
    usize,
    ArticleFields,
    RenderedText,
    Placement,
    Option<String>,
);

/// Creates wire stories in `write`, each (prepared, publish time) in turn: with a publish
/// time, a story is published as of that time (at most `now`) if the desk's publishing rules
/// allow; otherwise, or without one, it is a draft. A slug already taken (by a stored story
/// or an earlier one of these) gets the first free `-2`, `-3`, … suffix: two wires' stories
/// with one headline are both kept. A story the rules refuse is that story's `Err`, and
/// nothing of it is written; the others are written together ([`StoryWrite::insert_many`]).
/// The outer `Err` is the database's, and then the caller rolls the write back.
pub async fn create_wire_stories(
    write: &mut StoryWrite<'_>,
    stories: Vec<(Prepared, Option<DateTime<Utc>>)>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<Result<WireCreated, DeskError>>, DeskError> {
    type RefKey = (SectionId, Vec<AuthorId>, Option<MediaId>);
    let mut references: HashMap<RefKey, References> = HashMap::new();
    let mut outcomes: Vec<Result<WireCreated, DeskError>> = Vec::with_capacity(stories.len());
    let mut accepted: Vec<Accepted> = Vec::new();
    for (n, (Prepared { fields, text }, publish_at)) in stories.into_iter().enumerate() {
        let key = (fields.section, fields.authors.clone(), fields.image);
        let refs = match references.get(&key) {
            Some(refs) => refs.clone(),
            None => {
                let refs = write.references(&fields).await?;
                references.insert(key, refs.clone());
                refs
            }
        };
        if let Err(e) = check_references(&fields, &refs) {
            outcomes.push(Err(e.into()));
            continue;
        }
        let mut held = None;
        let placement = match publish_at {
            Some(at) => match check_publishable(&fields, &refs) {
                Ok(()) => Placement {
                    status: ArticleStatus::Published,
                    published_at: Some(at.min(now)),
                    updated_at: None,
                },
                Err(e) => {
                    held = Some(e.to_string());
                    Placement::DRAFT
                }
            },
            None => Placement::DRAFT,
        };
        // Replaced by the outcome once the batch is written.
        outcomes.push(Err(DeskError::Conflict("not written".into())));
        accepted.push((n, fields, text, placement, held));
    }
    let wanted: Vec<&str> = accepted.iter().map(|a| a.1.slug.as_str()).collect();
    let taken = write.taken_slugs(&wanted).await?;
    let mut assigned: HashSet<String> = HashSet::new();
    let mut placed = Vec::with_capacity(accepted.len());
    for (n, mut fields, text, placement, held) in accepted {
        let slug = fields.slug.as_str();
        if taken.contains(slug) || assigned.contains(slug) {
            match free_slug(write, &fields.slug, &assigned).await {
                Ok(free) => fields.slug = free,
                Err(DeskError::Store(e)) => return Err(e.into()),
                Err(refused) => {
                    outcomes[n] = Err(refused);
                    continue;
                }
            }
        }
        assigned.insert(fields.slug.as_str().to_owned());
        placed.push((n, fields, text, placement, held));
    }
    let accepted = placed;
    let new: Vec<NewStory<'_>> = accepted
        .iter()
        .map(|(_, fields, text, placement, _)| NewStory {
            fields,
            text,
            placement: *placement,
            owner: None,
        })
        .collect();
    let ids = write.insert_many(&new, actor, now).await?;
    let published: Vec<(&str, ArticleId, &str)> = accepted
        .iter()
        .zip(&ids)
        .filter(|((.., placement, _), _)| placement.status == ArticleStatus::Published)
        .map(|((_, fields, ..), id)| (Command::Publish.audit_action(), *id, fields.title.as_str()))
        .collect();
    write.record_many(actor, &published, now).await?;
    for ((n, _, _, placement, held), id) in accepted.into_iter().zip(ids) {
        outcomes[n] = Ok(WireCreated {
            id,
            version: 1,
            published: placement.status == ArticleStatus::Published,
            held,
        });
    }
    Ok(outcomes)
}

/// The first of `slug-2`, `slug-3`, … no story answers at and `assigned` does not hold.
async fn free_slug(
    write: &mut StoryWrite<'_>,
    slug: &Slug,
    assigned: &HashSet<String>,
) -> Result<Slug, DeskError> {
    let base = slug.as_str();
    // Room for the suffix within the slug's length limit (slugs are ASCII).
    let room = masthead_core::slug::MAX_SLUG_LEN - 12;
    let stem = match base.get(..room) {
        Some(cut) if base.len() > room => cut.trim_end_matches('-'),
        _ => base,
    };
    for n in 2..=SLUG_TRIES + 1 {
        let candidate = Slug::parse(&format!("{stem}-{n}"))?;
        if !assigned.contains(candidate.as_str()) && write.slug_owner(&candidate).await?.is_none() {
            return Ok(candidate);
        }
    }
    Err(DeskError::Conflict(format!(
        "the slug \"{slug}\" and {SLUG_TRIES} numbered variants are all taken"
    )))
}

/// What came of [`update_wire_story`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WireUpdate {
    /// Written; the story's new version.
    Updated {
        /// The new version.
        version: i64,
    },
    /// The story was saved since version `base` (by an editor, or a concurrent pull):
    /// nothing was written.
    Changed,
    /// The story no longer exists.
    Gone,
}

/// Writes the wire's new text over story `id` if it is still at version `base` (the version
/// the wire last wrote: an editor's save since makes it [`WireUpdate::Changed`] and nothing is
/// written). `change` sets the new fields on the stored ones: the wire changes its text and
/// credit, never the story's address, section or status. Readers see "updated" when a story
/// on the site changes its text, as after an editor's save. Refused fields write nothing.
pub async fn update_wire_story(
    write: &mut StoryWrite<'_>,
    id: ArticleId,
    base: i64,
    change: impl FnOnce(&mut ArticleFields),
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<WireUpdate, DeskError> {
    let Some(current) = write.story(id).await? else {
        return Ok(WireUpdate::Gone);
    };
    if current.version != base {
        return Ok(WireUpdate::Changed);
    }
    let mut fields = current.fields.clone();
    change(&mut fields);
    fields.slug = current.fields.slug.clone();
    validate(&mut fields)?;
    let text = render(&mut fields);
    let mut placement = Command::Save.placement(Some(&current), now)?;
    let on_site =
        |s: ArticleStatus, at: Option<DateTime<Utc>>| s.as_of(at, now) == ArticleStatus::Published;
    if on_site(current.status, current.published_at)
        && (current.fields.title != fields.title
            || current.fields.summary != fields.summary
            || current.fields.body_md != fields.body_md
            || current.fields.image != fields.image)
    {
        placement.updated_at = Some(now);
    }
    let refs = write.references(&fields).await?;
    check_references(&fields, &refs)?;
    if is_public(placement.status) {
        check_publishable(&fields, &refs)?;
    }
    // Checked, now claimed: the claim is the first write, so a refusal above wrote nothing.
    let Some(claimed) = write.claim(id, base).await? else {
        return Ok(WireUpdate::Changed);
    };
    let version = write
        .update(&claimed, &fields, &text, placement, actor, now)
        .await?;
    write
        .record(actor, Command::Save.audit_action(), id, &fields.title, now)
        .await?;
    Ok(WireUpdate::Updated { version })
}

/// Whether story `id` was edited here since the wire wrote version `base`: its headline,
/// summary, body, lead image or caption differ from what the wire stored. A save that
/// changed none of them (an editor publishing a queued item, moving it to a section) is not
/// an edit. `None` when the story is gone.
pub async fn edited_since(
    write: &mut StoryWrite<'_>,
    id: ArticleId,
    base: i64,
) -> Result<Option<(bool, i64)>, DeskError> {
    let Some(current) = write.story(id).await? else {
        return Ok(None);
    };
    if current.version == base {
        return Ok(Some((false, current.version)));
    }
    let Some(wrote) = write.revision_fields(id, base).await? else {
        return Ok(Some((true, current.version)));
    };
    let now = &current.fields;
    let edited = now.title != wrote.title
        || now.summary != wrote.summary
        || now.body_md != wrote.body_md
        || now.image != wrote.image
        || now.image_caption != wrote.image_caption;
    Ok(Some((edited, current.version)))
}

/// Takes story `id` off the site because its wire licence's time ran out (unpublished, as
/// an editor's Unpublish does, recorded as `article.unpublish` by `actor` with the reason).
/// `false` when it was not on the site (an editor took it down already) or is gone.
pub async fn expire_wire_story(
    store: &Store,
    id: ArticleId,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<bool, DeskError> {
    let mut write = store.write_story().await?;
    let done = async {
        let Some(current) = write.story(id).await? else {
            return Ok(false);
        };
        if !is_public(current.status) {
            return Ok(false);
        }
        let mut fields = current.fields.clone();
        let text = render(&mut fields);
        let placement = Command::Unpublish.placement(Some(&current), now)?;
        let Some(claimed) = write.claim(id, current.version).await? else {
            return Ok(false);
        };
        write
            .update(&claimed, &fields, &text, placement, actor, now)
            .await?;
        write
            .record(
                actor,
                Command::Unpublish.audit_action(),
                id,
                "the wire licence's time ran out",
                now,
            )
            .await?;
        Ok::<_, DeskError>(true)
    }
    .await;
    match done {
        Ok(true) => {
            write.commit().await?;
            Ok(true)
        }
        Ok(false) => {
            write.rollback().await?;
            Ok(false)
        }
        Err(e) => Err(crate::stories::abandon(write, e).await),
    }
}
