//! The one way stories are written: [`create`] and [`save`] for staff (the desk's editor and
//! the JSON API), [`import`] for stories that arrive whole (the demo, the benchmark
//! generator, test fixtures, and the wire desk and importers to come). Each runs the rules
//! and the write in one transaction: a save that publishes a new story either stores it
//! published or stores nothing.

use crate::rules::{check_publishable, check_references, render, validate};
use crate::{DeskError, Staff};
use chrono::{DateTime, Utc};
use masthead_core::{
    ArticleAction, ArticleId, ArticleStatus, DocumentId, MeetingId, Role, SiteAction, UserId,
};
use masthead_store::{
    Actor, ArticleFields, DeskArticle, Note, Placement, RenderedText, Store, StoryWrite,
};

/// What a save does besides storing the fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Store the fields; the status stays.
    Save,
    /// Store and send to the editors for review.
    Submit,
    /// Store and publish now.
    Publish,
    /// Store and publish at the given time.
    Schedule(DateTime<Utc>),
    /// Store and take down from the site.
    Unpublish,
    /// Send a story in review back to its writer as a draft; given only by
    /// [`crate::send_back`], which stores the story as it is with the editor's note.
    SendBack,
}

impl Command {
    /// What the role must be allowed to do for this command.
    pub(crate) fn action(self) -> ArticleAction {
        match self {
            Command::Save => ArticleAction::Edit,
            Command::Submit => ArticleAction::Submit,
            Command::Publish | Command::Schedule(_) => ArticleAction::Publish,
            Command::Unpublish => ArticleAction::Unpublish,
            Command::SendBack => ArticleAction::SendBack,
        }
    }

    /// The audit log's name for this command.
    pub(crate) fn audit_action(self) -> &'static str {
        match self {
            Command::Save => "article.save",
            Command::Submit => "article.submit",
            Command::Publish => "article.publish",
            Command::Schedule(_) => "article.schedule",
            Command::Unpublish => "article.unpublish",
            Command::SendBack => "article.send_back",
        }
    }

    /// Where the story stands after this command, from where it stood (`None` for a new
    /// story): a story published before keeps its first publication time. Scheduling a
    /// story that is on the site is refused: it would take the story down until then.
    pub(crate) fn placement(
        self,
        current: Option<&DeskArticle>,
        now: DateTime<Utc>,
    ) -> Result<Placement, DeskError> {
        let (status, published_at) = current
            .map(|c| (c.status, c.published_at))
            .unwrap_or((ArticleStatus::Draft, None));
        if matches!(self, Command::Schedule(_)) && on_site(status, published_at, now) {
            return Err(masthead_core::InvalidInput::new(
                "Publish time",
                "this story is already on the site, and scheduling it would take it down \
                 until that time. Press Save to change what readers see now; to take it down \
                 and publish it again later, press Unpublish first, then Schedule.",
            )
            .into());
        }
        let (status, published_at) = match self {
            Command::Save => (status, published_at),
            Command::Submit => (ArticleStatus::Review, published_at),
            Command::Publish => (
                ArticleStatus::Published,
                Some(match (status, published_at) {
                    (ArticleStatus::Published | ArticleStatus::Unpublished, Some(at))
                        if at <= now =>
                    {
                        at
                    }
                    _ => now,
                }),
            ),
            Command::Schedule(at) => {
                if at <= now {
                    return Err(masthead_core::InvalidInput::new(
                        "Publish time",
                        "choose a time in the future, or use Publish now.",
                    )
                    .into());
                }
                (ArticleStatus::Scheduled, Some(at))
            }
            Command::Unpublish => (ArticleStatus::Unpublished, published_at),
            Command::SendBack => {
                if status != ArticleStatus::Review {
                    return Err(masthead_core::InvalidInput::new(
                        "Status",
                        format!(
                            "only a story in review can be sent back to its writer; this one \
                             is {status}. Write a note on it instead."
                        ),
                    )
                    .into());
                }
                (ArticleStatus::Draft, published_at)
            }
        };
        Ok(Placement {
            status,
            published_at,
            updated_at: None,
        })
    }
}

/// What came of a save.
#[derive(Debug, Clone)]
pub enum SaveOutcome {
    /// Saved; the story's new version.
    Saved {
        /// The new version.
        version: i64,
    },
    /// Someone else saved first; nothing was written. Holds what is stored now.
    Conflict(Box<DeskArticle>),
}

/// A story that arrives whole, with where it stands: demo content, generated benchmark
/// stories, fixtures, and (next) wire copy and imported archives.
#[derive(Debug, Clone)]
pub struct Imported {
    /// Its fields; notes are kept with their own times.
    pub fields: ArticleFields,
    /// Its status and times.
    pub placement: Placement,
}

/// The story, if this staff member may see it; otherwise "not found", so an id reveals
/// nothing.
pub async fn load(store: &Store, staff: &Staff, id: ArticleId) -> Result<DeskArticle, DeskError> {
    let article = store.desk_article(id).await?;
    if staff.can(ArticleAction::View, &article) {
        Ok(article)
    } else {
        Err(DeskError::NotFound)
    }
}

/// Starts a new story owned by `staff` and applies `command` to it, in one transaction.
///
/// A refused command saves nothing at all: not a draft behind the editor's back (a
/// contributor's publish, an image without alt text, a taken slug, a past schedule all
/// leave the database as it was). The caller shows the form again as typed, still a new
/// story at version 0, so the writer's next press of a button creates the story once and
/// no later save finds a version it does not know ("Someone else saved this story" about
/// the same person). Chosen over saving a draft and handing its id and version back to the
/// form: a newsroom expects a refused action to change nothing.
pub async fn create(
    store: &Store,
    staff: &Staff,
    fields: ArticleFields,
    command: Command,
    now: DateTime<Utc>,
) -> Result<ArticleId, DeskError> {
    create_tied(store, staff, fields, command, None, now).await
}

/// A meeting brief's tie to the record, written with the new story (`meeting_brief.rs`).
pub(crate) struct BriefTie<'a> {
    pub(crate) meeting: MeetingId,
    pub(crate) document: DocumentId,
    pub(crate) facts: &'a str,
}

/// [`create`], tying the new story to a meeting's record in the same transaction when
/// `brief` is given.
pub(crate) async fn create_tied(
    store: &Store,
    staff: &Staff,
    mut fields: ArticleFields,
    command: Command,
    brief: Option<BriefTie<'_>>,
    now: DateTime<Utc>,
) -> Result<ArticleId, DeskError> {
    staff.require(SiteAction::CreateArticle)?;
    let action = command.action();
    if !staff.may(action, None) {
        return Err(forbidden(staff.role, action, ArticleStatus::Draft));
    }
    let placement = command.placement(None, now)?;
    validate(&mut fields)?;
    fields.notes = Note::append(&[], &fields.notes, now);
    let text = render(&mut fields);
    let mut write = store.write_story().await?;
    let actor = staff.actor();
    let owner = Some(staff.user.id);
    let written = async {
        let id = insert(&mut write, &fields, &text, placement, owner, &actor, now).await?;
        if let Some(tie) = brief {
            write
                .add_meeting_brief(id, tie.meeting, Some(tie.document), tie.facts)
                .await?;
        }
        if command != Command::Save {
            record(&mut write, &actor, command, id, &fields, now).await?;
        }
        Ok(id)
    }
    .await;
    settle(write, written).await
}

/// Saves `fields` over version `base` of story `id` and applies `command`, if this staff
/// member may; the version claim, the rules and the write run in one transaction. If
/// someone saved since `base`, nothing is written and the outcome holds what is stored.
pub async fn save(
    store: &Store,
    staff: &Staff,
    id: ArticleId,
    base: i64,
    fields: ArticleFields,
    command: Command,
    now: DateTime<Utc>,
) -> Result<SaveOutcome, DeskError> {
    save_as(store, staff, id, base, fields, command, Via::Desk, now).await
}

/// Who asked for a save: a press of a button (or the API), or the editor's autosave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Via {
    /// A deliberate save: recorded in the audit log.
    Desk,
    /// An autosave: only a story off the site is saved over, and the audit log is spared
    /// an entry every few seconds of typing (the revision records it).
    Autosave,
}

/// [`save`], for a deliberate save or an autosave.
#[allow(clippy::too_many_arguments)] // the parts of one save
pub(crate) async fn save_as(
    store: &Store,
    staff: &Staff,
    id: ArticleId,
    base: i64,
    mut fields: ArticleFields,
    command: Command,
    via: Via,
    now: DateTime<Utc>,
) -> Result<SaveOutcome, DeskError> {
    // What needs no stored row runs before the write lock is taken: every other writer
    // waits while it is held.
    validate(&mut fields)?;
    let text = render(&mut fields);
    let mut write = store.write_story().await?;
    let written = save_in(
        &mut write, staff, id, base, fields, &text, command, via, now,
    )
    .await;
    finish(store, staff, id, write, written).await
}

/// Ends a write over a claimed version: commits it (`Some` version), or rolls it back and
/// returns what is stored now (`None`: someone saved since) or the refusal.
pub(crate) async fn finish(
    store: &Store,
    staff: &Staff,
    id: ArticleId,
    write: StoryWrite<'_>,
    written: Result<Option<i64>, DeskError>,
) -> Result<SaveOutcome, DeskError> {
    match written {
        Ok(None) => {
            write.rollback().await?;
            let current = load(store, staff, id).await?;
            Ok(SaveOutcome::Conflict(Box::new(current)))
        }
        Ok(Some(version)) => {
            write.commit().await?;
            Ok(SaveOutcome::Saved { version })
        }
        Err(e) => Err(abandon(write, e).await),
    }
}

/// The rules and the write of [`save`] inside its transaction, for fields already validated
/// and rendered; `None` when someone saved since `base`.
#[allow(clippy::too_many_arguments)] // the parts of one save, passed on from `save`
async fn save_in(
    write: &mut StoryWrite<'_>,
    staff: &Staff,
    id: ArticleId,
    base: i64,
    mut fields: ArticleFields,
    text: &RenderedText,
    command: Command,
    via: Via,
    now: DateTime<Utc>,
) -> Result<Option<i64>, DeskError> {
    let Some(current) = write.claim(id, base).await? else {
        return Ok(None);
    };
    if !staff.can(ArticleAction::View, &current) {
        return Err(DeskError::NotFound);
    }
    if via == Via::Autosave && is_public(current.status) {
        // It went on the site since the autosave looked: never written over by one.
        return Err(DeskError::Conflict(
            "the story was published while you typed; your text is kept in this browser. \
             Reload the page, or press Save to put your text on the site."
                .into(),
        ));
    }
    let action = command.action();
    if !staff.may(action, Some(&current)) {
        return Err(forbidden(staff.role, action, current.status));
    }
    check_wire_locks(write, &current, &fields).await?;
    let mut placement = command.placement(Some(&current), now)?;
    // Correction and update notes are append-only: the stored ones stay as they are
    // whatever the form or the API sent, and so whatever a restored revision holds.
    fields.notes = Note::append(&current.fields.notes, &fields.notes, now);
    // Readers are told when a story they can read changed under them (the page's
    // "updated", feeds, `dateModified`, sitemaps); a note stamps its own time.
    if on_site(current.status, current.published_at, now)
        && on_site(placement.status, placement.published_at, now)
        && changes_the_text(&current.fields, &fields)
    {
        placement.updated_at = Some(now);
    }
    let refs = write.references(&fields).await?;
    check_references(&fields, &refs)?;
    if is_public(placement.status) {
        check_publishable(&fields, &refs)?;
        if !write.brief_signed_off(id).await? {
            return Err(DeskError::Conflict(
                "this meeting brief was drafted from the record and no editor has signed off \
                 its facts yet: open \"Check against the record\", compare each fact with the \
                 minutes, then sign off and publish"
                    .into(),
            ));
        }
    }
    if fields.slug != current.fields.slug && write.slug_owner(&fields.slug).await?.is_some() {
        return Err(slug_taken(&fields));
    }
    let version = write
        .update(&current, &fields, text, placement, &staff.actor(), now)
        .await?;
    // Whatever this person autosaved beside the story is in it now, or superseded.
    write.drop_autosave(id, staff.user.id).await?;
    match via {
        Via::Desk => record(write, &staff.actor(), command, id, &fields, now).await?,
        Via::Autosave => write.fold_autosave(id, version, staff.user.id, now).await?,
    }
    Ok(Some(version))
}

/// Saves stories that arrive whole, all or none, through the same rules as the desk's
/// (validation, references, alt text before publishing, a free slug); `actor` is recorded
/// as their first revision's author.
pub async fn import(
    store: &Store,
    stories: Vec<Imported>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<ArticleId>, DeskError> {
    let mut write = store.write_story().await?;
    let written = import_in(&mut write, stories, actor, now).await;
    settle(write, written).await
}

/// The rules and the writes of [`import`] inside its transaction.
async fn import_in(
    write: &mut StoryWrite<'_>,
    stories: Vec<Imported>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<Vec<ArticleId>, DeskError> {
    let mut checked = Vec::with_capacity(stories.len());
    for Imported {
        mut fields,
        placement,
    } in stories
    {
        validate(&mut fields).map_err(|e| DeskError::Story {
            slug: fields.slug.to_string(),
            source: Box::new(e.into()),
        })?;
        let text = render(&mut fields);
        checked.push((fields, text, placement));
    }
    // Every new tag first, in one order, so two imports at once cannot deadlock on them.
    write
        .create_tags(
            checked
                .iter()
                .flat_map(|(fields, ..)| fields.tags.iter().map(String::as_str)),
        )
        .await?;
    let mut ids = Vec::with_capacity(checked.len());
    for (fields, text, placement) in &checked {
        let id = insert(write, fields, text, *placement, None, actor, now)
            .await
            .map_err(|source| DeskError::Story {
                slug: fields.slug.to_string(),
                source: Box::new(source),
            })?;
        ids.push(id);
    }
    Ok(ids)
}

/// Commits `write` if `written` succeeded. Otherwise rolls it back at once: a write refused
/// or failed half-way must not keep its row locks on a connection resting in the pool,
/// where every later writer would queue behind them until their lock deadlines.
async fn settle<T>(write: StoryWrite<'_>, written: Result<T, DeskError>) -> Result<T, DeskError> {
    match written {
        Ok(value) => {
            write.commit().await?;
            Ok(value)
        }
        Err(e) => Err(abandon(write, e).await),
    }
}

/// Rolls `write` back and returns `e`, the reason (a failed rollback means the connection
/// is gone, and the server ends the transaction with it).
pub(crate) async fn abandon(write: StoryWrite<'_>, e: DeskError) -> DeskError {
    if let Err(rollback) = write.rollback().await {
        tracing::warn!(error = %rollback, "could not roll back a refused story write");
    }
    e
}

/// Checks what a new story names and inserts it, owned by `owner` (none for imports).
async fn insert(
    write: &mut StoryWrite<'_>,
    fields: &ArticleFields,
    text: &RenderedText,
    placement: Placement,
    owner: Option<UserId>,
    actor: &Actor,
    now: DateTime<Utc>,
) -> Result<ArticleId, DeskError> {
    check_insert(write, fields, placement).await?;
    Ok(write
        .insert(fields, text, placement, owner, actor, now)
        .await?)
}

/// The rules that read the database before a new story is written.
async fn check_insert(
    write: &mut StoryWrite<'_>,
    fields: &ArticleFields,
    placement: Placement,
) -> Result<(), DeskError> {
    let refs = write.references(fields).await?;
    check_references(fields, &refs)?;
    if is_public(placement.status) {
        check_publishable(fields, &refs)?;
    }
    if write.slug_owner(&fields.slug).await?.is_some() {
        return Err(slug_taken(fields));
    }
    Ok(())
}

/// Whether a story in `status`, published at `published_at`, is on the public site at
/// `now` (a scheduled story whose time has come is, before the scheduler records it).
/// Whether `Command::Schedule` may be given for `article` at `now`: not for a story on the
/// site (the rule of [`Command`]'s placement; the editor shows the button by it).
pub fn may_schedule(article: Option<&DeskArticle>, now: DateTime<Utc>) -> bool {
    article.is_none_or(|a| !on_site(a.status, a.published_at, now))
}

fn on_site(status: ArticleStatus, published_at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    status.as_of(published_at, now) == ArticleStatus::Published
}

/// Whether `fields` change what a reader of the story reads in `stored`: the headline, the
/// summary, the body, the kind's parts (a roundup's items, a meeting's decisions, a
/// video), the lead image or its caption. A new section, tag, address or note is not an
/// update of the story itself.
fn changes_the_text(stored: &ArticleFields, fields: &ArticleFields) -> bool {
    stored.title != fields.title
        || stored.summary != fields.summary
        || stored.body_md != fields.body_md
        || stored.parts != fields.parts
        || stored.image != fields.image
        || stored.image_caption != fields.image_caption
}

/// Whether a story in `status` is (or will be, by itself) on the public site.
pub(crate) fn is_public(status: ArticleStatus) -> bool {
    matches!(status, ArticleStatus::Published | ArticleStatus::Scheduled)
}

fn slug_taken(fields: &ArticleFields) -> DeskError {
    DeskError::Conflict(format!(
        "the slug \"{}\" is already used by another story; choose another one",
        fields.slug
    ))
}

/// Records `command` on story `id` in the audit log, in the write's transaction: with the
/// time for a schedule, else the headline.
async fn record(
    write: &mut StoryWrite<'_>,
    actor: &Actor,
    command: Command,
    id: ArticleId,
    fields: &ArticleFields,
    now: DateTime<Utc>,
) -> Result<(), DeskError> {
    let detail = match command {
        Command::Schedule(at) => at.to_rfc3339(),
        _ => fields.title.clone(),
    };
    write
        .record(actor, command.audit_action(), id, &detail, now)
        .await?;
    Ok(())
}

pub(crate) fn forbidden(role: Role, action: ArticleAction, status: ArticleStatus) -> DeskError {
    DeskError::Forbidden(match (role, action) {
        (Role::Contributor, ArticleAction::Publish | ArticleAction::Unpublish) => {
            "Contributors cannot publish. Submit the story for review and an editor will publish it.".into()
        }
        (Role::Contributor, _) if !matches!(status, ArticleStatus::Draft | ArticleStatus::Review) => {
            "This story has been published; ask an editor to change it.".into()
        }
        _ => format!("Your role ({role}) does not allow this on a {status} story."),
    })
}

/// A wire story's licence may forbid changing its headline or (no derivatives) its body:
/// a save that changes a locked field is refused, whatever the form showed.
async fn check_wire_locks(
    write: &mut StoryWrite<'_>,
    current: &DeskArticle,
    fields: &ArticleFields,
) -> Result<(), DeskError> {
    let Some(locks) = write.wire_locks(current.id).await? else {
        return Ok(());
    };
    if locks.headline && fields.title != current.fields.title && fields.title != locks.source_title
    {
        return Err(masthead_core::InvalidInput::new(
            "Headline",
            format!(
                "the licence of {} does not allow changing the headline: keep \"{}\"",
                locks.source, current.fields.title
            ),
        )
        .into());
    }
    if locks.body && fields.body_md != current.fields.body_md && fields.body_md != locks.source_body
    {
        return Err(masthead_core::InvalidInput::new(
            "Story",
            format!(
                "the licence of {} forbids derivatives, so the story's text cannot be \
                 changed: undo your changes to it (the other fields can be saved)",
                locks.source
            ),
        )
        .into());
    }
    Ok(())
}
