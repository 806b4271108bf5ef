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
pub use crate::batch::{
    Created, Prepared, SourceUpdate as WireUpdate, Wanted, create_stories, prepare,
    update_from_source as update_wire_story,
};
use crate::rules::render;
use crate::stories::{Command, is_public};
use chrono::{DateTime, Utc};
use masthead_core::ArticleId;
use masthead_store::{Actor, Store, StoryWrite};

/// The audit log's actor for a wire source: `wire:<name>`.
pub fn wire_actor(source_name: &str) -> Actor {
    Actor::system(&format!("wire:{source_name}"))
}

/// What [`create_wire_stories`] stored of one story.
pub type WireCreated = Created;

/// Creates wire stories in `write`, each (prepared, publish time) in turn: with a publish
/// time, a story is published as of that time (at most `now`) if the desk's publishing rules
/// allow; otherwise, or without one, it is a draft (see [`create_stories`]).
pub async fn create_wire_stories(
    write: &mut StoryWrite<'_>,
    stories: Vec<(Prepared, Option<DateTime<Utc>>)>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<Result<WireCreated, DeskError>>, DeskError> {
    let stories = stories
        .into_iter()
        .map(|(prepared, at)| (prepared, at.map_or(Wanted::Draft, Wanted::Publish)))
        .collect();
    create_stories(write, stories, actor, now).await
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
