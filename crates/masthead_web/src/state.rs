//! The state every handler shares, including the site settings in effect.

use crate::SiteConfig;
use crate::admin::throttle::Throttle;
use crate::cache::PageCache;
use crate::comments::limits::CommentLimits;
use crate::fragments::Fragments;
use crate::freshness::{ContentWatch, POLL_INTERVAL};
use crate::health_probe::HealthProbe;
use crate::metrics::Metrics;
use crate::parts::SharedParts;
use crate::turns::Turns;
use masthead_core::{Clock, CommentSettings};
use masthead_media::{FileStorage, MediaStorage};
use masthead_render::Theme;
use masthead_store::{Store, StoreError};
use std::sync::{Arc, RwLock};
use std::time::Duration;

/// The settings and theme in effect; replaced whole when an admin saves settings.
struct Live {
    config: Arc<SiteConfig>,
    theme: Arc<Theme>,
}

/// Handles to everything a request may need, behind one reference count: a clone is one
/// atomic increment, where cloning the [`Shared`] handles themselves is about thirty (axum
/// clones the state for every layer and extractor that asks for it; measured in
/// `docs/PERFORMANCE.md`, "Uncached pages at 100k and 1M stories").
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl AppState {
    /// The handles, to change one while the state is being built (copied first if the
    /// state was already cloned).
    fn shared_mut(&mut self) -> &mut Shared {
        Arc::make_mut(&mut self.0)
    }
}

/// What [`AppState`] shares: the handles themselves.
#[derive(Clone)]
pub struct Shared {
    /// The database.
    pub store: Store,
    /// The time source.
    pub clock: Arc<dyn Clock>,
    /// What the caches know about the content version.
    pub watch: Arc<ContentWatch>,
    /// Where uploaded images live: files under `media_dir` unless the program chose other
    /// storage, such as an S3-compatible bucket ([`AppState::with_media`]).
    pub media: Arc<dyn MediaStorage>,
    /// The program's one guarded outbound HTTP client, for the wire desk's "Pull now" and
    /// its address check. Built with the default policy (no local addresses); the program
    /// replaces it with the operator's ([`AppState::with_fetcher`]). `None` only if the
    /// client could not be built.
    pub fetcher: Option<masthead_fetch::Fetcher>,
    /// How a PDF's text is read for the meeting desk ([`AppState::with_pdf_reader`]).
    pub(crate) pdf: Arc<crate::pdf_reader::Limited>,
    /// Turns to read a meeting document's original (up to 24 MiB each) for a reader:
    /// [`ORIGINALS_AT_ONCE`] at a time, so strangers asking for many at once cannot hold
    /// that much memory each.
    pub(crate) originals: Turns,
    /// Turns to read an image whole from media storage that is not on local disk (an
    /// object store) for a reader: [`MEDIA_READS_AT_ONCE`] at a time, for the same reason.
    pub(crate) media_reads: Turns,
    /// The meeting desk's prose helper, when the operator configured one.
    pub(crate) prose: Option<Arc<crate::prose_helper::ProseHelper>>,
    /// The newsletter's mail settings, when the operator set up an SMTP server.
    pub mail: Option<Arc<crate::newsletter::Mail>>,
    /// Rung when there is newsletter mail to send now (a signup, the desk's "Send now").
    pub(crate) newsletter_bell: Arc<tokio::sync::Notify>,
    /// The operator's configuration (from start, or the last reload), before the desk's
    /// settings.
    base: Arc<RwLock<Arc<SiteConfig>>>,
    live: Arc<RwLock<Live>>,
    pub(crate) cache: Arc<PageCache>,
    pub(crate) parts: Arc<SharedParts>,
    pub(crate) fragments: Arc<Fragments>,
    pub(crate) throttle: Throttle,
    pub(crate) health: Arc<HealthProbe>,
    /// The comment settings in effect (read with the other settings).
    comment_settings: Arc<RwLock<Arc<CommentSettings>>>,
    /// The limits on comment posting, counted in this process.
    pub(crate) comment_limits: Arc<CommentLimits>,
    /// Hits on redirects, counted in this process until housekeeping writes them.
    pub(crate) redirect_hits: Arc<crate::site::old_addresses::RedirectHits>,
    /// What `/metrics` reports: requests, the background jobs' rounds (see [`Metrics`]).
    pub metrics: Arc<Metrics>,
    /// The bearer token `/metrics` asks for on the site's listener; `None`: no such route.
    pub(crate) metrics_token: Option<Arc<str>>,
    /// The store's commit count read just before the poll that read the content version in
    /// [`ContentWatch`]: a read replica may serve only while no commit came since (see
    /// `replica_reads.rs`).
    pub(crate) polled_commits: Arc<std::sync::atomic::AtomicU64>,
    /// The last comment change on the primary at the last poll: a read replica must have
    /// replayed it too.
    pub(crate) polled_comment_seq: Arc<std::sync::atomic::AtomicI64>,
}

/// How many meeting documents' originals are read for readers at once.
pub const ORIGINALS_AT_ONCE: usize = 4;

/// How long a reader waits for a turn to be sent a meeting document's original before a 503.
const ORIGINAL_TURN_WAIT: Duration = Duration::from_secs(10);

/// How many images are read whole from object storage for readers at once. Each is held in
/// memory until it has been sent. An original is the re-encoding of an upload of at most
/// 20 MiB (`masthead_desk::media::LIMITS`), and a re-encoded photo (JPEG at quality 85) is
/// about that size or smaller, so 8 turns hold about 160 MiB at the worst (a transparent PNG
/// can come out larger). Most reads are the resized copies and cards, tens of KiB each,
/// which give their turn back as soon as they are sent; a turn is held long only by a slow
/// reader of a large original.
pub const MEDIA_READS_AT_ONCE: usize = 8;

/// How long a reader waits for a turn to be sent an image from object storage before a 503:
/// a page's images are asked for together, and most turns are short, so a burst waits a
/// moment rather than being refused; past 5 s the reader is told to retry.
const MEDIA_TURN_WAIT: Duration = Duration::from_secs(5);

impl AppState {
    /// How many times `/healthz` has probed the store since start (a passed probe is
    /// reused for a second, so this grows by at most one a second however often it is asked).
    pub fn health_probes(&self) -> u64 {
        self.health.count()
    }

    /// The state with `media` as where uploaded images live (the operator's `media_url`),
    /// instead of files under `media_dir`.
    pub fn with_media(mut self, media: Arc<dyn MediaStorage>) -> Self {
        self.shared_mut().media = media;
        self
    }

    /// The state with `fetcher` (the operator's policy) as the one outbound client.
    pub fn with_fetcher(mut self, fetcher: masthead_fetch::Fetcher) -> Self {
        self.shared_mut().fetcher = Some(fetcher);
        self
    }

    /// Takes every turn to send a meeting document's original, for a test of what readers
    /// are told while they are all in use; dropping the permit gives them back.
    #[doc(hidden)]
    pub async fn take_every_original_turn(&self) -> tokio::sync::OwnedSemaphorePermit {
        self.originals.take_all().await
    }

    /// The state with `reader` reading the meeting desk's PDFs (the program's sandboxed one).
    pub fn with_pdf_reader(mut self, reader: Arc<dyn crate::pdf_reader::PdfReader>) -> Self {
        self.shared_mut().pdf = Arc::new(crate::pdf_reader::Limited::new(reader));
        self
    }

    /// This state with the newsletter's mail settings: the signup form shows, and
    /// [`crate::newsletter::worker::run`] sends.
    pub fn with_mail(mut self, mail: crate::newsletter::Mail) -> Self {
        self.shared_mut().mail = Some(Arc::new(mail));
        self
    }

    /// Wakes this server's newsletter worker's loops (there is mail to send now); a loop
    /// busy sending hears it at its next tick.
    pub fn newsletter_wake(&self) {
        self.newsletter_bell.notify_waiters();
    }

    /// The state with the operator's prose helper for the meeting desk.
    pub fn with_prose_helper(mut self, helper: crate::prose_helper::ProseHelper) -> Self {
        self.shared_mut().prose = Some(Arc::new(helper));
        self
    }

    /// Builds the state. Call [`AppState::refresh`] (or spawn [`AppState::poll`]) to learn
    /// the content version and the desk's settings.
    pub fn new(store: Store, theme: Theme, config: SiteConfig, clock: Arc<dyn Clock>) -> Self {
        let cache = Arc::new(PageCache::new(config.page_cache, config.http_caching));
        let media: Arc<dyn MediaStorage> = Arc::new(FileStorage::at(config.media_dir.clone()));
        let fetcher =
            masthead_fetch::Fetcher::new(masthead_fetch::FetchPolicy::new(&config.base_url)).ok();
        let config = Arc::new(config);
        Self(Arc::new(Shared {
            fetcher,
            prose: None,
            mail: None,
            newsletter_bell: Arc::new(tokio::sync::Notify::new()),
            originals: Turns::new(
                ORIGINALS_AT_ONCE,
                ORIGINAL_TURN_WAIT,
                "Many documents are being sent right now; try again in a moment.",
            ),
            media_reads: Turns::new(
                MEDIA_READS_AT_ONCE,
                MEDIA_TURN_WAIT,
                "Many images are being sent right now; try again in a moment.",
            ),
            pdf: Arc::new(crate::pdf_reader::Limited::new(Arc::new(
                crate::pdf_reader::InProcess,
            ))),
            store,
            watch: Arc::new(ContentWatch::new()),
            media,
            base: Arc::new(RwLock::new(config.clone())),
            live: Arc::new(RwLock::new(Live {
                config,
                theme: Arc::new(theme),
            })),
            cache,
            parts: Arc::new(SharedParts::new()),
            fragments: Arc::new(Fragments::default()),
            throttle: Throttle::default(),
            health: Arc::default(),
            comment_settings: Arc::default(),
            comment_limits: Arc::default(),
            redirect_hits: Arc::default(),
            metrics: Arc::new(Metrics::new(clock.now())),
            metrics_token: None,
            polled_commits: Arc::default(),
            polled_comment_seq: Arc::default(),
            clock,
        }))
    }

    /// The state with `/metrics` on the site's listener for requests bearing `token` (the
    /// operator's `metrics_token`, at least [`crate::metrics::endpoint::MIN_TOKEN_LEN`]
    /// characters; the configuration checks it).
    pub fn with_metrics_token(mut self, token: &str) -> Self {
        self.shared_mut().metrics_token = Some(Arc::from(token));
        self
    }

    /// The cap on password hashing (login and password changes), shared by every request.
    pub fn password_work(&self) -> &crate::admin::throttle::PasswordWork {
        &self.throttle.work
    }

    /// The comment settings in effect (policy, auto-close, blocklist, limits).
    pub fn comment_settings(&self) -> Arc<CommentSettings> {
        match self.comment_settings.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The site settings in effect.
    pub fn config(&self) -> Arc<SiteConfig> {
        match self.live.read() {
            Ok(live) => live.config.clone(),
            Err(poisoned) => poisoned.into_inner().config.clone(),
        }
    }

    /// The operator's configuration in effect, before the desk's settings are laid over it.
    pub fn base_config(&self) -> Arc<SiteConfig> {
        match self.base.read() {
            Ok(base) => base.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replaces the operator's configuration (a reload of the configuration file): the
    /// desk's stored settings are laid over the new one at once, and every cached page and
    /// part made with the old settings turns over.
    pub async fn reconfigure(&self, base: SiteConfig) -> Result<(), StoreError> {
        let settings = self.store.settings().await?;
        let site = base.with_settings(&settings);
        match self.base.write() {
            Ok(mut guard) => *guard = Arc::new(base),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(base),
        }
        self.apply(site);
        self.watch.bump();
        Ok(())
    }

    /// The theme in effect (its dates follow the site's time zone).
    pub fn theme(&self) -> Arc<Theme> {
        match self.live.read() {
            Ok(live) => live.theme.clone(),
            Err(poisoned) => poisoned.into_inner().theme.clone(),
        }
    }

    /// Learns the content version; when it changed, first re-reads the desk's settings, so
    /// no page of the new generation is made with the old ones.
    pub async fn refresh(&self) -> Result<(), StoreError> {
        let now = self.clock.now();
        // Read before the version: every write this server committed before it is in it.
        let commits = self.store.commits();
        let content = self.store.content_state(now).await?;
        let seen = self.watch.version();
        if seen != Some(content.version) {
            let settings = self.store.settings().await?;
            self.apply(self.base_config().with_settings(&settings));
            let comments = Arc::new(CommentSettings::from_settings(&settings));
            match self.comment_settings.write() {
                Ok(mut guard) => *guard = comments,
                Err(poisoned) => *poisoned.into_inner() = comments,
            }
            // Last before the generation moves on: pages carried over to it are not found
            // under the old one meanwhile.
            if let Some(seen) = seen {
                self.carry_over(seen, content.version).await?;
            }
        }
        self.watch.apply(content, now);
        self.note_poll(commits, content.comment_seq);
        self.apply_comment_changes(content.comment_seq).await
    }

    /// When every write that moved the content version from `seen` to `version` was a story
    /// write, carries the page cache over to the generation the move starts, keeping every
    /// page but those that may show the changed stories (see `PageCache::restamp`); the
    /// shared parts are rendered for it first, and when a part every page shows changed
    /// (a new story in the latest-stories widget), the pages kept are served stale while
    /// each is rendered again. Any other write turns the whole cache over, as the new
    /// generation does by itself.
    async fn carry_over(&self, seen: i64, version: i64) -> Result<(), StoreError> {
        let Some(stories) = self.store.story_changes_between(seen, version).await? else {
            return Ok(());
        };
        if !self.cache.enabled() {
            return Ok(());
        }
        let from = self.watch.current();
        let to = from + 1;
        let parts_changed = match self.parts.renew(self, to).await {
            Ok(changed) => changed,
            Err(e) => {
                tracing::warn!(error = %e, "could not render the shared parts; every cached page turns over");
                return Ok(());
            }
        };
        self.cache.restamp(from, to, &stories, parts_changed);
        Ok(())
    }

    /// Drops the cached pages showing the comments of stories whose shown comments changed
    /// since the last poll (see `PageCache::purge`); with more than a batch of changes, or on
    /// a log that no longer holds the last entry seen, the whole cache turns over.
    async fn apply_comment_changes(&self, seq: i64) -> Result<(), StoreError> {
        const BATCH: u32 = 500;
        let Some(seen) = self.watch.comment_seq() else {
            self.watch.set_comment_seq(seq);
            return Ok(());
        };
        if seq <= seen {
            return Ok(());
        }
        let (articles, last) = self.store.comment_changes_since(seen, BATCH).await?;
        if articles.len() >= BATCH as usize || last < seq && articles.is_empty() {
            self.watch.bump();
            self.watch.set_comment_seq(seq);
            return Ok(());
        }
        self.cache.purge(&articles);
        self.watch.set_comment_seq(last);
        Ok(())
    }

    /// Refreshes every [`POLL_INTERVAL`] until the task is dropped; errors are logged and
    /// retried (a database restart must not need a restart of masthead).
    pub async fn poll(self) {
        let mut ticker = tokio::time::interval(POLL_INTERVAL);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            if let Err(e) = self.refresh().await {
                tracing::warn!(error = %e, "could not read the content version; pages may be stale until it answers");
            }
        }
    }

    fn apply(&self, config: SiteConfig) {
        let current = self.config();
        if *current == config {
            return;
        }
        let theme = if current.timezone == config.timezone {
            self.theme()
        } else {
            match self.theme().for_timezone(config.timezone) {
                Ok(theme) => Arc::new(theme),
                Err(e) => {
                    tracing::error!(error = %e, "cannot reload the theme for the new time zone; keeping the old settings");
                    return;
                }
            }
        };
        tracing::info!(site = %config.name, base_url = %config.base_url, "site settings applied");
        let live = Live {
            config: Arc::new(config),
            theme,
        };
        match self.live.write() {
            Ok(mut guard) => *guard = live,
            Err(poisoned) => *poisoned.into_inner() = live,
        }
    }
}
