//! Many new stories written at once through the newsroom's rules: the wire desk's pulls
//! and the importers hand [`create_stories`] prepared stories ([`prepare`]: validated and
//! rendered before any lock is taken) with where each is to stand ([`Wanted`]); it checks
//! their references and the publishing rule, gives a taken slug the first free numbered
//! variant, and writes them together in the caller's [`StoryWrite`].

use crate::DeskError;
use crate::rules::{check_publishable, check_references, render, validate};
use crate::stories::{Command, is_public};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleId, ArticleStatus, AuthorId, MediaId, SectionId, Slug};
use masthead_store::{
    Actor, ArticleFields, NewStory, Placement, References, RenderedText, StoryWrite,
};
use std::collections::{HashMap, HashSet};

/// What [`create_stories`] stored of one story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// The new story.
    pub id: ArticleId,
    /// Its version (1).
    pub version: i64,
    /// Whether it was published.
    pub published: bool,
    /// What the publishing rule said of it (its message), when it did not pass: a story
    /// asked to be published was kept as a draft for it; an archive story kept its place
    /// and is listed for the desk to finish (an image without alt text).
    pub held: Option<String>,
}

/// How many numbered slugs are tried (`slug-2` … ) before one with the story's id range.
const SLUG_TRIES: u32 = 50;

/// A story's fields validated and rendered, before any lock is taken (rendering a body
/// costs more than writing it; on SQLite every other writer waits while a write runs).
#[derive(Debug, Clone)]
pub struct Prepared {
    fields: ArticleFields,
    text: RenderedText,
}

/// Validates and renders `fields` for [`create_stories`]; the error names the field.
pub fn prepare(mut fields: ArticleFields) -> Result<Prepared, DeskError> {
    validate(&mut fields)?;
    let text = render(&mut fields);
    Ok(Prepared { fields, text })
}

impl Prepared {
    /// The story's fields.
    pub fn fields(&self) -> &ArticleFields {
        &self.fields
    }

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

/// Where a story of [`create_stories`] is to stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wanted {
    /// A draft.
    Draft,
    /// Published as of this time (at most `now`) if the desk's publishing rules allow;
    /// otherwise a draft, with the rule's message in [`Created::held`] (the wire's auto mode).
    Publish(DateTime<Utc>),
    /// Exactly this placement: a story that already stood there on another site (an
    /// archive moving in keeps what readers could read, and its addresses keep working).
    /// A public story that does not pass the publishing rules is kept public all the same,
    /// with the rule's message in [`Created::held`] for the desk to finish.
    Keep(Placement),
}

/// Creates stories in `write`, each (prepared, where it is to stand) in turn (see
/// [`Wanted`]). A slug already taken (by a stored story or an earlier one of these) gets the
/// first free `-2`, `-3`, … suffix: two wires' stories with one headline are both kept. A
/// story the rules refuse is that story's `Err`, and nothing of it is written; the others
/// are written together ([`StoryWrite::insert_many`]). The outer `Err` is the database's,
/// and then the caller rolls the write back.
pub async fn create_stories(
    write: &mut StoryWrite<'_>,
    stories: Vec<(Prepared, Wanted)>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<Result<Created, DeskError>>, DeskError> {
    type RefKey = (SectionId, Vec<AuthorId>, Option<MediaId>);
    let mut references: HashMap<RefKey, References> = HashMap::new();
    let mut outcomes: Vec<Result<Created, DeskError>> = Vec::with_capacity(stories.len());
    let mut accepted: Vec<Accepted> = Vec::new();
    for (n, (Prepared { fields, text }, wanted)) in stories.into_iter().enumerate() {
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
        let placement = match wanted {
            Wanted::Publish(at) => match check_publishable(&fields, &refs) {
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
            Wanted::Draft => Placement::DRAFT,
            Wanted::Keep(placement) => {
                if is_public(placement.status) {
                    held = check_publishable(&fields, &refs)
                        .err()
                        .map(|e| e.to_string());
                }
                placement
            }
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
        .filter(|((.., placement, _), _)| is_public(placement.status))
        .map(|((_, fields, ..), id)| (Command::Publish.audit_action(), *id, fields.title.as_str()))
        .collect();
    write.record_many(actor, &published, now).await?;
    for ((n, _, _, placement, held), id) in accepted.into_iter().zip(ids) {
        outcomes[n] = Ok(Created {
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

/// What came of [`update_from_source`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceUpdate {
    /// Written; the story's new version.
    Updated {
        /// The new version.
        version: i64,
    },
    /// The story was saved since version `base` (by an editor, or a concurrent pull or
    /// import): nothing was written.
    Changed,
    /// The story no longer exists.
    Gone,
}

/// Writes a source's new text over story `id` (a wire item or an imported post changed at
/// its source) if it is still at version `base` (the version the source last wrote: an
/// editor's save since makes it [`SourceUpdate::Changed`] and nothing is written). `change`
/// sets the new fields on the stored ones; the story's address and status stay. Readers see "updated" when a story
/// on the site changes its text, as after an editor's save. Refused fields write nothing.
pub async fn update_from_source(
    write: &mut StoryWrite<'_>,
    id: ArticleId,
    base: i64,
    change: impl FnOnce(&mut ArticleFields),
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<SourceUpdate, DeskError> {
    let Some(current) = write.story(id).await? else {
        return Ok(SourceUpdate::Gone);
    };
    if current.version != base {
        return Ok(SourceUpdate::Changed);
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
        return Ok(SourceUpdate::Changed);
    };
    let version = write
        .update(&claimed, &fields, &text, placement, actor, now)
        .await?;
    write
        .record(actor, Command::Save.audit_action(), id, &fields.title, now)
        .await?;
    Ok(SourceUpdate::Updated { version })
}
