//! One run of an import, end to end: the survey, the source's guard against a second run
//! over an unfinished one, sections and bylines, then the items a batch at a time, pages,
//! old addresses, sticky posts, and the report.

use crate::body::ConvertOptions;
use crate::import::comments::{self, Kept};
use crate::import::images::Images;
use crate::import::post::{Planned, plan};
use crate::import::redirects;
use crate::import::report::{Report, reason};
use crate::import::survey::Survey;
use crate::import::taxonomy::Taxonomy;
use crate::wxr::{Item, Record, WxrError, WxrLimits, WxrReader};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use masthead_core::{ArticleId, CommentId};
use masthead_desk::DeskError;
use masthead_desk::batch::{Created, SourceUpdate, create_stories, prepare, update_from_source};
use masthead_fetch::Fetcher;
use masthead_media::MediaStorage;
use masthead_store::{
    Actor, FrontSlot, ImportRecord, ImportedComment, NewImportRecord, Store, StoreError, StoryWrite,
};
use std::collections::HashMap;
use std::fs::File;
use std::io::BufReader;
use std::path::PathBuf;
use std::sync::Arc;

/// Posts written a transaction.
pub const BATCH: usize = 200;

/// What to import, and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The export.
    pub file: PathBuf,
    /// A copy of the old site's `wp-content/uploads`, read instead of fetching.
    pub uploads: Option<PathBuf>,
    /// Report only; write nothing.
    pub dry_run: bool,
    /// Continue a run that stopped half-way.
    pub resume: bool,
    /// The category slugs that become sections (the others become tags); `None`: the
    /// top-level ones.
    pub sections: Option<Vec<String>>,
    /// The site's time zone, for WordPress's local times.
    pub time_zone: Tz,
    /// The reader's limits.
    pub limits: WxrLimits,
}

/// Where the run is, for a progress bar.
pub trait Progress: Send + Sync {
    /// A phase begins: `name`, counting to `total` (bytes or items).
    fn phase(&self, name: &str, total: u64);
    /// `done` of the phase's total are done.
    fn at(&self, done: u64);
}

/// Why a run stopped.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The export could not be read; nothing was written.
    #[error("{0}")]
    Read(#[from] WxrError),
    /// The file could not be opened.
    #[error("could not open {file}: {error}")]
    Open {
        /// The file.
        file: String,
        /// Why.
        error: std::io::Error,
    },
    /// The operator must decide something first.
    #[error("{0}")]
    Refused(String),
    /// The database failed; what was committed stays, and `--resume` continues.
    #[error("the database failed: {0}; run the same command with --resume to continue")]
    Store(#[from] StoreError),
    /// The desk's rules failed on the database.
    #[error("{0}; run the same command with --resume to continue")]
    Desk(#[from] DeskError),
}

/// The old site's address as the key its records are kept under: scheme dropped, host
/// lowercased, no trailing slash.
pub fn source_key(address: &str) -> String {
    let address = address.trim();
    let without_scheme = address.split_once("://").map_or(address, |(_, rest)| rest);
    let (host, path) = without_scheme
        .split_once('/')
        .map_or((without_scheme, ""), |(h, p)| (h, p));
    let mut key = host.to_lowercase();
    let path = path.trim_end_matches('/');
    if !path.is_empty() {
        key.push('/');
        key.push_str(path);
    }
    key
}

/// Imports the export `options.file` into `store`: images through `fetcher` (none: only
/// from `options.uploads`) into `media`. The report says what was done; an error says
/// why the run stopped and what to do.
pub async fn import(
    store: &Store,
    fetcher: Option<&Fetcher>,
    media: Arc<dyn MediaStorage>,
    options: &Options,
    now: DateTime<Utc>,
    progress: &dyn Progress,
) -> Result<Report, ImportError> {
    let survey = survey(options, progress).await?;
    let site_address = [
        &survey.site.base_blog_url,
        &survey.site.link,
        &survey.site.base_site_url,
    ]
    .into_iter()
    .find(|a| !a.trim().is_empty())
    .ok_or_else(|| {
        ImportError::Refused(
            "the export does not say which site it came from (no <link> or \
                 <wp:base_blog_url>): export it again with WordPress's Tools → Export"
                .to_owned(),
        )
    })?;
    let source = source_key(site_address);
    let mut report = Report {
        source: source.clone(),
        dry_run: options.dry_run,
        ..Report::default()
    };
    let run_id = if options.dry_run {
        None
    } else {
        Some(begin(store, &source, options, now).await?)
    };
    let outcome = async {
        let taxonomy = Taxonomy::build(
            store,
            &survey,
            &source,
            options.sections.as_deref(),
            options.dry_run,
            &mut report,
        )
        .await?;
        let images = Images::new(
            store,
            &source,
            fetcher,
            media,
            options.uploads.clone(),
            options.dry_run,
        );
        let mut writer = Writer {
            store,
            source: &source,
            survey: &survey,
            taxonomy: &taxonomy,
            convert: convert_options(&survey),
            options,
            images,
            actor: Actor::system(&format!("import:{source}")),
            now,
            stories: HashMap::new(),
            sticky: Vec::new(),
            pages: Vec::new(),
        };
        writer.items(progress, &mut report).await?;
        let pages = std::mem::take(&mut writer.pages);
        writer.pages(pages, &mut report).await?;
        writer.links(&mut report).await?;
        writer.front(&mut report).await?;
        Ok::<_, ImportError>(())
    }
    .await;
    if let Some(id) = run_id {
        let state = if outcome.is_ok() {
            "finished"
        } else {
            "failed"
        };
        let json = serde_json::to_string(&report).unwrap_or_default();
        store.end_import_run(id, state, &json, now).await?;
    }
    outcome.map(|()| report)
}

/// Reads the whole export once on a blocking thread (see [`Survey`]).
async fn survey(options: &Options, progress: &dyn Progress) -> Result<Survey, ImportError> {
    let file = open(&options.file)?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    progress.phase("reading the export", size);
    let limits = options.limits;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<u64>();
    let reading = tokio::task::spawn_blocking(move || {
        Survey::read(BufReader::with_capacity(1 << 16, file), limits, |at| {
            let _ = tx.send(at);
        })
    });
    while let Some(at) = rx.recv().await {
        progress.at(at);
    }
    reading
        .await
        .map_err(|e| ImportError::Refused(format!("reading the export failed: {e}")))?
        .map_err(ImportError::Read)
}

fn open(path: &PathBuf) -> Result<File, ImportError> {
    File::open(path).map_err(|error| ImportError::Open {
        file: path.display().to_string(),
        error,
    })
}

/// Records the run's start, refusing to start over an unfinished run unless resuming.
async fn begin(
    store: &Store,
    source: &str,
    options: &Options,
    now: DateTime<Utc>,
) -> Result<i64, ImportError> {
    if let Some(unfinished) = store.unfinished_import_run(source).await? {
        if !options.resume {
            return Err(ImportError::Refused(format!(
                "an import of {source} started at {} did not finish: if it is still running, \
                 let it end; if it was stopped, run the same command with --resume to continue it",
                unfinished.started_at.format("%Y-%m-%d %H:%M UTC")
            )));
        }
        store
            .end_import_run(unfinished.id, "resumed", &unfinished.report, now)
            .await?;
    }
    let file_name = options
        .file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(store
        .start_import_run(source, &file_name, options.dry_run, now)
        .await?)
}

/// The converter's knowledge of the site's attachments (for `[gallery ids=…]`).
fn convert_options(survey: &Survey) -> ConvertOptions {
    let mut options = ConvertOptions::default();
    for (id, a) in &survey.attachments {
        options.attachments.insert(
            *id,
            crate::body::Attachment {
                url: a.url.clone(),
                alt: a.alt.clone(),
                caption: crate::import::text::plain(&a.caption),
            },
        );
    }
    options
}

/// The second read, and everything it writes.
pub(super) struct Writer<'a> {
    pub(super) store: &'a Store,
    pub(super) source: &'a str,
    pub(super) survey: &'a Survey,
    pub(super) taxonomy: &'a Taxonomy,
    pub(super) convert: ConvertOptions,
    pub(super) options: &'a Options,
    pub(super) images: Images<'a>,
    pub(super) actor: Actor,
    pub(super) now: DateTime<Utc>,
    /// Every post's story here, by WordPress id: (id, slug).
    pub(super) stories: HashMap<u64, (ArticleId, String)>,
    /// Sticky posts' stories, with their publication times.
    sticky: Vec<(ArticleId, DateTime<Utc>)>,
    /// The pages of the export, written after the posts.
    pages: Vec<Item>,
}

/// A planned post with its comments.
struct Pending {
    planned: Planned,
    comments: Vec<Kept>,
}

impl Writer<'_> {
    /// Reads the items again and writes them a batch at a time.
    async fn items(
        &mut self,
        progress: &dyn Progress,
        report: &mut Report,
    ) -> Result<(), ImportError> {
        progress.phase("importing posts", self.survey.stories);
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Box<Item>, WxrError>>(64);
        let file = open(&self.options.file)?;
        let limits = self.options.limits;
        let reading = tokio::task::spawn_blocking(move || {
            for record in WxrReader::new(BufReader::with_capacity(1 << 16, file), limits) {
                let item = match record {
                    Ok(Record::Item(item)) => Ok(item),
                    Ok(_) => continue,
                    Err(e) => Err(e),
                };
                if tx.blocking_send(item).is_err() {
                    break;
                }
            }
        });
        let mut batch: Vec<Pending> = Vec::with_capacity(BATCH);
        let mut done = 0u64;
        while let Some(item) = rx.recv().await {
            let item = item?;
            match item.post_type.as_str() {
                "post" => {
                    done += 1;
                    if let Some(pending) = self.plan(&item, report) {
                        batch.push(pending);
                    }
                    if batch.len() >= BATCH {
                        self.flush(std::mem::take(&mut batch), report).await?;
                        progress.at(done);
                    }
                }
                "page" => {
                    done += 1;
                    if self.pages.len() < masthead_store::MAX_PAGES as usize {
                        self.pages.push(*item);
                    } else {
                        report.note(
                            reason::REFUSED,
                            &item.link,
                            "over the site's limit of pages",
                        );
                    }
                }
                "attachment"
                | "nav_menu_item"
                | "revision"
                | "custom_css"
                | "wp_global_styles"
                | "wp_navigation"
                | "wp_template"
                | "wp_template_part"
                | "oembed_cache"
                | "customize_changeset"
                | "user_request" => {}
                other => report.note(
                    reason::OTHER_TYPE,
                    &item.link,
                    format!("a {other:?} item ({})", item.title),
                ),
            }
        }
        self.flush(batch, report).await?;
        progress.at(done);
        reading
            .await
            .map_err(|e| ImportError::Refused(format!("reading the export failed: {e}")))?;
        Ok(())
    }

    fn plan(&self, item: &Item, report: &mut Report) -> Option<Pending> {
        let planned = plan(
            item,
            self.taxonomy,
            &self.convert,
            self.survey,
            self.options.time_zone,
            report,
        )?;
        let fallback = match planned.wanted {
            masthead_desk::batch::Wanted::Keep(p) => p.published_at.unwrap_or(self.now),
            _ => self.now,
        };
        let comments = comments::keep(
            &item.comments,
            self.options.time_zone,
            fallback,
            &planned.old,
            report,
        );
        Some(Pending { planned, comments })
    }

    /// Brings in a batch's images, then writes its stories, comments and records in one
    /// transaction.
    async fn flush(
        &mut self,
        mut batch: Vec<Pending>,
        report: &mut Report,
    ) -> Result<(), ImportError> {
        if batch.is_empty() {
            return Ok(());
        }
        let addresses: Vec<String> = batch
            .iter()
            .flat_map(|p| {
                p.planned
                    .lead
                    .iter()
                    .map(|l| l.0.clone())
                    .chain(p.planned.images.iter().map(|i| i.0.clone()))
            })
            .collect();
        let wanted: Vec<&str> = addresses.iter().map(String::as_str).collect();
        self.images.recall(&wanted).await?;
        for p in &mut batch {
            self.place_images(&mut p.planned, report).await?;
        }
        if self.options.dry_run {
            return self.count(&batch, report).await;
        }
        let mut write = self.store.write_story().await?;
        match self.write(&mut write, batch, report).await {
            Ok(()) => {
                write.commit().await?;
                Ok(())
            }
            Err(e) => {
                if let Err(rollback) = write.rollback().await {
                    tracing::warn!(error = %rollback, "could not roll back an import batch");
                }
                Err(e)
            }
        }
    }

    /// The story's lead image and body images, in the library, the body pointing at them.
    pub(super) async fn place_images(
        &mut self,
        planned: &mut Planned,
        report: &mut Report,
    ) -> Result<(), ImportError> {
        if let Some((url, alt, caption)) = planned.lead.clone()
            && let Some(stored) = self
                .images
                .get(&url, &alt, &planned.old, report, self.now)
                .await?
            && !self.options.dry_run
        {
            planned.fields.image = Some(stored.id);
            planned.fields.image_caption = caption
                .chars()
                .take(masthead_desk::media::MAX_CAPTION)
                .collect();
        }
        planned.fields.body_md = self
            .rehome_images(
                &planned.fields.body_md,
                &planned.images,
                &planned.old,
                report,
            )
            .await?;
        Ok(())
    }

    /// `markdown` with its `images` (address, alt text) in the library and pointing there
    /// (an image that could not be brought in keeps its old address, and is noted).
    pub(super) async fn rehome_images(
        &mut self,
        markdown: &str,
        images: &[(String, String)],
        old: &str,
        report: &mut Report,
    ) -> Result<String, ImportError> {
        let mut moved: HashMap<String, String> = HashMap::new();
        for (url, alt) in images {
            if let Some(stored) = self.images.get(url, alt, old, report, self.now).await?
                && !stored.address.is_empty()
            {
                moved.insert(url.clone(), stored.address);
            }
        }
        if moved.is_empty() {
            return Ok(markdown.to_owned());
        }
        Ok(crate::body::rewrite_images(markdown, |old| {
            moved.get(old).cloned()
        }))
    }

    /// A dry run's counts: what would be created, updated or left.
    async fn count(&mut self, batch: &[Pending], report: &mut Report) -> Result<(), ImportError> {
        let ids: Vec<String> = batch
            .iter()
            .map(|p| p.planned.post_id.to_string())
            .collect();
        let wanted: Vec<&str> = ids.iter().map(String::as_str).collect();
        let known = self
            .store
            .import_records(self.source, "post", &wanted)
            .await?;
        for p in batch {
            if let Err(e) = prepare(p.planned.fields.clone()) {
                report.note(reason::REFUSED, &p.planned.old, e.to_string());
                continue;
            }
            match known.get(&p.planned.post_id.to_string()) {
                None => {
                    report.created("stories", 1);
                    report.created("comments", p.comments.len() as u64);
                }
                Some(r) if r.content_hash == p.planned.hash => report.unchanged("stories", 1),
                Some(_) => report.updated("stories", 1),
            }
        }
        Ok(())
    }

    /// Writes a batch in `write`.
    async fn write(
        &mut self,
        write: &mut StoryWrite<'_>,
        batch: Vec<Pending>,
        report: &mut Report,
    ) -> Result<(), ImportError> {
        let ids: Vec<String> = batch
            .iter()
            .map(|p| p.planned.post_id.to_string())
            .collect();
        let wanted: Vec<&str> = ids.iter().map(String::as_str).collect();
        let known = write.import_records(self.source, "post", &wanted).await?;
        let planned_addresses: Vec<(u64, Vec<String>, String)> = batch
            .iter()
            .map(|p| {
                (
                    p.planned.post_id,
                    p.planned.addresses.clone(),
                    p.planned.old.clone(),
                )
            })
            .collect();
        let mut records: Vec<NewImportRecord> = Vec::new();
        let mut fresh: Vec<(Pending, masthead_desk::batch::Prepared)> = Vec::new();
        for pending in batch {
            let prepared = match prepare(pending.planned.fields.clone()) {
                Ok(p) => p,
                Err(e) => {
                    report.note(reason::REFUSED, &pending.planned.old, e.to_string());
                    continue;
                }
            };
            match known.get(&pending.planned.post_id.to_string()) {
                None => fresh.push((pending, prepared)),
                Some(record) => {
                    self.revisit(write, pending, record, report, &mut records)
                        .await?;
                }
            }
        }
        let stories = fresh
            .iter()
            .map(|(p, prepared)| (prepared.clone(), p.planned.wanted))
            .collect();
        let outcomes = create_stories(write, stories, &self.actor, self.now).await?;
        for ((pending, prepared), outcome) in fresh.into_iter().zip(outcomes) {
            match outcome {
                Ok(Created {
                    id, version, held, ..
                }) => {
                    if let Some(why) = held {
                        report.note(reason::NEEDS_WORK, &pending.planned.old, why);
                    }
                    report.created("stories", 1);
                    self.remember(&pending.planned, id, prepared.fields().slug.as_str(), true);
                    records.push(record_of(&pending.planned, id, version));
                    self.comments(write, id, &pending, &HashMap::new(), report, &mut records)
                        .await?;
                }
                Err(e) => report.note(reason::REFUSED, &pending.planned.old, e.to_string()),
            }
        }
        write.put_import_records(self.source, &records).await?;
        let mut redirects = Vec::new();
        for p in &planned_addresses {
            if let Some((_, slug)) = self.stories.get(&p.0) {
                redirects::collect(
                    &mut redirects,
                    &p.1,
                    &format!("/stories/{slug}"),
                    &p.2,
                    report,
                );
            }
        }
        redirects::write(write, &redirects, self.now, report).await?;
        Ok(())
    }

    /// A post imported before: updated when it changed at the source (unless edited here
    /// since), its new comments added.
    async fn revisit(
        &mut self,
        write: &mut StoryWrite<'_>,
        pending: Pending,
        record: &ImportRecord,
        report: &mut Report,
        records: &mut Vec<NewImportRecord>,
    ) -> Result<(), ImportError> {
        let id = ArticleId(record.local_id);
        let planned = &pending.planned;
        if record.content_hash == planned.hash {
            report.unchanged("stories", 1);
        } else {
            let fields = planned.fields.clone();
            let outcome = update_from_source(
                write,
                id,
                record.version,
                |stored| {
                    let slug = stored.slug.clone();
                    *stored = fields;
                    stored.slug = slug;
                },
                &self.actor,
                self.now,
            )
            .await;
            match outcome {
                Ok(SourceUpdate::Updated { version }) => {
                    report.updated("stories", 1);
                    records.push(record_of(planned, id, version));
                }
                Ok(SourceUpdate::Changed) => {
                    report.note(
                        reason::EDITED_HERE,
                        &planned.old,
                        "changed at the source too",
                    );
                }
                Ok(SourceUpdate::Gone) => {
                    report.note(reason::REFUSED, &planned.old, "its story was deleted here");
                    return Ok(());
                }
                Err(DeskError::Store(e)) => return Err(e.into()),
                Err(e) => report.note(reason::REFUSED, &planned.old, e.to_string()),
            }
        }
        if let Some(story) = write.story(id).await? {
            self.remember(planned, id, story.fields.slug.as_str(), false);
        }
        let ids: Vec<String> = pending.comments.iter().map(|c| c.id.to_string()).collect();
        let wanted: Vec<&str> = ids.iter().map(String::as_str).collect();
        let known = write
            .import_records(self.source, "comment", &wanted)
            .await?;
        self.comments(write, id, &pending, &known, report, records)
            .await
    }

    /// Writes the comments of `pending` not among `known` on story `id`.
    async fn comments(
        &mut self,
        write: &mut StoryWrite<'_>,
        id: ArticleId,
        pending: &Pending,
        known: &HashMap<String, ImportRecord>,
        report: &mut Report,
        records: &mut Vec<NewImportRecord>,
    ) -> Result<(), ImportError> {
        let mut written: HashMap<u64, CommentId> = known
            .iter()
            .filter_map(|(old, r)| Some((old.parse().ok()?, CommentId(r.local_id))))
            .collect();
        let new: Vec<&Kept> = pending
            .comments
            .iter()
            .filter(|c| !known.contains_key(&c.id.to_string()))
            .collect();
        report.unchanged("comments", (pending.comments.len() - new.len()) as u64);
        // Top-level comments first, then replies, which name them.
        for replies in [false, true] {
            let group: Vec<&Kept> = new
                .iter()
                .copied()
                .filter(|c| c.thread.is_some() == replies)
                .collect();
            let rows: Vec<ImportedComment> = group
                .iter()
                .map(|c| ImportedComment {
                    article: id,
                    parent: c.thread.and_then(|t| written.get(&t).copied()),
                    name: c.name.clone(),
                    email: c.email.clone(),
                    website: c.website.clone(),
                    address: c.address.clone(),
                    body: c.body.clone(),
                    status: c.status,
                    at: c.at,
                })
                .collect();
            let ids = write.insert_imported_comments(&rows, self.now).await?;
            for (c, comment_id) in group.iter().zip(ids) {
                written.insert(c.id, comment_id);
                records.push(NewImportRecord {
                    kind: "comment",
                    old_id: c.id.to_string(),
                    local_id: comment_id.0,
                    content_hash: String::new(),
                    version: 0,
                    data: String::new(),
                });
            }
            report.created("comments", group.len() as u64);
        }
        Ok(())
    }

    /// Keeps story `id` (at `slug`) as post `planned`'s, and, if it is `new` and was sticky,
    /// for the front page (a story imported before keeps the place editors gave it since).
    fn remember(&mut self, planned: &Planned, id: ArticleId, slug: &str, new: bool) {
        self.stories.insert(planned.post_id, (id, slug.to_owned()));
        if new
            && planned.sticky
            && let masthead_desk::batch::Wanted::Keep(p) = planned.wanted
            && p.status == masthead_core::ArticleStatus::Published
        {
            self.sticky.push((id, p.published_at.unwrap_or(self.now)));
        }
    }

    /// Sticky posts lead the front page: the newest sticky post becomes the top story when
    /// the editors have not chosen one, the others are featured.
    async fn front(&mut self, report: &mut Report) -> Result<(), ImportError> {
        if self.sticky.is_empty() || self.options.dry_run {
            return Ok(());
        }
        self.sticky.sort_by_key(|(_, at)| std::cmp::Reverse(*at));
        let mut write = self.store.write_front().await?;
        let mut front = write.arrangement(self.now).await?;
        let mut placed = 0;
        for (id, _) in &self.sticky {
            if front.holds(*id) {
                continue;
            }
            placed += 1;
            let slot = FrontSlot {
                article: *id,
                expires_at: None,
            };
            if front.top.is_none() {
                front.top = Some(slot);
            } else {
                front.featured.push(slot);
            }
        }
        write.replace(&front).await?;
        write.commit().await?;
        report.created("front page places", placed);
        Ok(())
    }
}

/// The record of a post written as story `id` at `version`.
fn record_of(planned: &Planned, id: ArticleId, version: i64) -> NewImportRecord {
    NewImportRecord {
        kind: "post",
        old_id: planned.post_id.to_string(),
        local_id: id.0,
        content_hash: planned.hash.clone(),
        version,
        data: planned.data.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_are_keyed_by_host_and_path() {
        assert_eq!(source_key("https://News.Example.com/"), "news.example.com");
        assert_eq!(source_key("http://example.com/blog/"), "example.com/blog");
        assert_eq!(source_key("example.com"), "example.com");
    }
}
