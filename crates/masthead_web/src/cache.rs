//! The page cache: rendered public pages in memory, keyed by path and the query parameters the
//! page reads (see [`crate::site::cached`]), valid for one content generation (see
//! [`crate::freshness`]).
//!
//! It is a `quick_cache` S3-FIFO cache bounded by bytes: a new page enters a small probation
//! queue and moves to the main one only if it is asked for again, so a crawler walking
//! thousands of URLs once each churns the probation queue and cannot push out the front page
//! or any other page readers keep asking for.

use crate::compress::{self, Accepted, Coding};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use bytes::Bytes;
use masthead_core::ArticleId;
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::OnceCell;

/// The most bytes kept (keys and bodies).
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;
/// About how many pages fit (sizes the cache's tables; the byte bound is what holds).
const ESTIMATED_PAGES: usize = 10_000;
/// Bytes counted for each entry beyond its key and body.
const ENTRY_OVERHEAD: u64 = 128;

/// One cached response, with its compressed copies, each ready to send.
#[derive(Debug)]
pub struct CachedPage {
    /// The HTTP status (200 pages and 301 redirects are cached).
    pub status: StatusCode,
    /// The body as rendered.
    pub identity: Copy,
    /// Its brotli copy, made when the page is kept, when smaller: every browser takes
    /// brotli over HTTPS.
    pub brotli: Option<Copy>,
    /// Its gzip copy, made the first time a client that takes gzip but not brotli asks for
    /// the page (few do), and kept for the next; `None` inside when it would not be smaller,
    /// would not fit the room counted for it ([`gzip_room`]) or the page has no brotli copy.
    /// Making it for every page cost a miss about as much CPU as rendering the page (see
    /// `docs/PERFORMANCE.md`).
    gzip: OnceCell<Option<Copy>>,
    /// The page's tag, without quotes or coding suffix; empty when it has none.
    tag: String,
    /// The bytes counted for every copy (see [`Self::weight`]), fixed when the page is made.
    weight: usize,
}

/// The body in one content coding, with every header a hit on it is sent with.
#[derive(Debug, Clone)]
pub struct Copy {
    /// The bytes sent.
    pub body: Bytes,
    /// The whole answer's headers but `Date` (the server adds it): the page's own, the
    /// security and caching headers, and this copy's `Content-Length`, strong `ETag` (RFC
    /// 9110, section 8.8.3: each coding is its own representation, so the page's tag gets
    /// `-gzip` or `-br` inside the quotes), `Content-Encoding` and `Vary`. Built once, so a
    /// hit only clones it.
    pub headers: HeaderMap,
}

impl CachedPage {
    /// A page to keep: `headers` those every copy is sent with (see [`Copy::headers`]), `etag`
    /// the page's own tag (a feed brings one) or `None` to tag it by a hash of its body. Text
    /// bodies get their brotli copy here, once; the gzip copy waits until a client needs it
    /// ([`Self::copy_for`]).
    pub fn new(status: StatusCode, headers: HeaderMap, etag: Option<&str>, body: Bytes) -> Self {
        let compress = status == StatusCode::OK
            && body.len() >= compress::MIN_BYTES
            && headers
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(compress::compressible);
        let tag = match etag {
            Some(tag) => tag
                .trim()
                .trim_start_matches("W/")
                .trim_matches('"')
                .to_owned(),
            None if status == StatusCode::OK => hex16(&Sha256::digest(&body)),
            None => String::new(),
        };
        let brotli = compress.then(|| compress::brotli(&body)).flatten();
        let identity = Copy::identity(body, headers, &tag, brotli.is_some());
        let brotli = brotli.map(|br| identity.coded(Coding::Brotli, br, &tag));
        // The page cache's byte bound counts the gzip copy before it is made, at the most it
        // may take ([`gzip_room`]): quick_cache asks for an entry's weight again when it drops
        // it, so the weight must not change once the gzip copy is made. A page brotli cannot
        // make smaller gets no gzip copy either.
        let weight = size(&identity)
            + brotli.as_ref().map_or(0, |br| {
                let headers = size(br) - br.body.len();
                size(br) + headers + "-gzip".len() + gzip_room(identity.body.len(), br.body.len())
            });
        Self {
            status,
            identity,
            gzip: if brotli.is_some() {
                OnceCell::new()
            } else {
                OnceCell::new_with(Some(None))
            },
            brotli,
            tag,
            weight,
        }
    }

    /// The copy to send to a client accepting `accepted`: brotli, then gzip, then the body as
    /// it is. `None` when that is the gzip copy and it is not made yet: [`Self::copy_for`]
    /// makes it.
    pub fn pick(&self, accepted: Accepted) -> Option<&Copy> {
        if accepted.brotli
            && let Some(br) = &self.brotli
        {
            return Some(br);
        }
        if accepted.gzip {
            match self.gzip.get() {
                None => return None,
                Some(Some(gz)) => return Some(gz),
                Some(None) => {}
            }
        }
        Some(&self.identity)
    }

    /// The copy to send to a client accepting `accepted`, as [`Self::pick`], making the
    /// gzip copy first if it is the one and not made yet (once: a second client asking
    /// meanwhile waits for the same copy).
    pub async fn copy_for(&self, accepted: Accepted) -> &Copy {
        if let Some(copy) = self.pick(accepted) {
            return copy;
        }
        let gzip = self
            .gzip
            .get_or_init(|| async {
                let body = self.identity.body.clone();
                // Compressing is CPU work: off the async workers.
                let gz = tokio::task::spawn_blocking(move || compress::gzip(&body)).await;
                self.gzip_copy(gz.ok().flatten())
            })
            .await;
        gzip.as_ref().unwrap_or(&self.identity)
    }

    /// The gzip copy to keep of `gz`, the body in gzip: none when it is larger than the room
    /// the page's weight counted for it ([`gzip_room`]).
    fn gzip_copy(&self, gz: Option<Bytes>) -> Option<Copy> {
        let room = self
            .brotli
            .as_ref()
            .map_or(0, |br| gzip_room(self.identity.body.len(), br.body.len()));
        gz.filter(|gz| gz.len() <= room)
            .map(|gz| self.identity.coded(Coding::Gzip, gz, &self.tag))
    }

    /// The bytes the page cache counts for this page: every copy with its headers, the
    /// gzip copy's room counted before it is made (see [`Self::new`]).
    pub fn weight(&self) -> usize {
        self.weight
    }
}

/// The most bytes a page's gzip copy may take, from the page's size and its brotli copy's:
/// the larger of a quarter more than brotli's (and 64 bytes) and a third of the page. gzip at
/// level 6 made every page and document in our snapshots 10–17% larger than brotli at
/// quality 5 (the third covers small, very compressible documents, where gzip's fixed costs
/// weigh more). A larger gzip copy is not kept: clients that take only gzip get the page as
/// rendered.
fn gzip_room(page: usize, brotli: usize) -> usize {
    (brotli + brotli / 4 + 64).max(page / 3)
}

/// A copy's bytes with its headers'.
fn size(copy: &Copy) -> usize {
    let headers: usize = copy
        .headers
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    copy.body.len() + headers
}

impl Copy {
    /// The body as rendered, with `headers` and its own (`tag` in quotes; `Vary` when the
    /// page `varies` by coding).
    fn identity(body: Bytes, mut headers: HeaderMap, tag: &str, varies: bool) -> Self {
        if !tag.is_empty()
            && let Ok(etag) = HeaderValue::from_str(&format!("\"{tag}\""))
        {
            headers.insert(header::ETAG, etag);
        }
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        if varies {
            headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        }
        Self { body, headers }
    }

    /// `body`, this page in `coding`, with this copy's headers and its own: the page's
    /// `tag` with the coding's suffix, its length and `Content-Encoding`.
    fn coded(&self, coding: Coding, body: Bytes, tag: &str) -> Self {
        let mut headers = self.headers.clone();
        let token = coding.token();
        if !tag.is_empty()
            && let Ok(etag) = HeaderValue::from_str(&format!("\"{tag}-{token}\""))
        {
            headers.insert(header::ETAG, etag);
        }
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(token));
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from(body.len()));
        Self { body, headers }
    }
}

/// The first 16 bytes of a digest in hex.
fn hex16(digest: &[u8]) -> String {
    digest.iter().take(16).map(|b| format!("{b:02x}")).collect()
}

/// A page as the cache keeps it: the page, what it shows (for purges) and its stamp.
#[derive(Debug)]
pub struct Kept {
    /// The generation it is current for, times two, plus one when it is *stale*: its own
    /// content is current but a shared part it shows (the latest-stories widget, say) is
    /// not, so it may be served while it is rendered again (see [`PageCache::restamp`]).
    /// Atomic so a restamp updates pages in place, without a copy.
    stamp: AtomicU64,
    /// The story whose page this is, for a story's own page; `None` for every other page
    /// (lists, feeds, the calendar, …), which a story change turns over.
    story: Option<ArticleId>,
    /// The stories whose comments (or comment count) the page shows.
    shows: Arc<[ArticleId]>,
    page: CachedPage,
}

impl std::ops::Deref for Kept {
    type Target = CachedPage;

    fn deref(&self) -> &CachedPage {
        &self.page
    }
}

impl Kept {
    fn stamp(&self) -> (u64, bool) {
        let stamp = self.stamp.load(Ordering::Acquire);
        (stamp >> 1, stamp & 1 == 1)
    }
}

/// What a kept page shows, beyond the shared parts: see [`Kept`].
#[derive(Debug, Clone, Default)]
pub struct Shows {
    /// The story whose own page it is.
    pub story: Option<ArticleId>,
    /// The stories whose comments or comment counts it shows.
    pub comments: Arc<[ArticleId]>,
}

/// Whether a page needs rendering again in the background ([`PageCache::revalidate`]).
#[derive(Debug)]
pub enum Revalidation {
    /// This caller renders it; the guard ends the turn when dropped.
    Start(RevalidationGuard),
    /// Another request is rendering it already: serve the stale page.
    Underway,
    /// Too many pages are being rendered in the background: render this one now.
    Busy,
}

/// A page being rendered again in the background; dropping it lets the next stale hit try.
#[derive(Debug)]
pub struct RevalidationGuard {
    cache: Arc<PageCache>,
    /// The same key the set of pages being rendered holds (one allocation for both).
    key: Arc<str>,
}

impl Drop for RevalidationGuard {
    fn drop(&mut self) {
        self.cache
            .revalidating
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&*self.key);
    }
}

/// The most pages rendered again in the background at once; a stale page asked for past it
/// is rendered while its reader waits, as a miss would be.
const MAX_REVALIDATING: usize = 4;

type Entry = Arc<Kept>;

#[derive(Debug, Clone, Copy)]
struct BySize;

impl Weighter<String, Entry> for BySize {
    fn weight(&self, key: &String, entry: &Entry) -> u64 {
        (key.len() + entry.page.weight()) as u64 + ENTRY_OVERHEAD
    }
}

/// How long browsers and shared caches (a CDN in front) may keep a public page or document,
/// as configured (`cache_max_age`, `cache_s_maxage`, `cache_stale_while_revalidate`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpCaching {
    /// Seconds a browser may use its copy without asking again.
    pub max_age: u32,
    /// Seconds a shared cache may; `None` leaves it to `max_age`.
    pub s_maxage: Option<u32>,
    /// Seconds a cache may keep serving a stale copy while it fetches a new one; 0 for none.
    pub stale_while_revalidate: u32,
}

impl Default for HttpCaching {
    fn default() -> Self {
        Self {
            max_age: 60,
            s_maxage: None,
            stale_while_revalidate: 0,
        }
    }
}

impl HttpCaching {
    /// The `Cache-Control` value, e.g. `public, max-age=60, s-maxage=300,
    /// stale-while-revalidate=30`.
    pub fn header(&self) -> HeaderValue {
        let mut value = format!("public, max-age={}", self.max_age);
        if let Some(s) = self.s_maxage {
            value.push_str(&format!(", s-maxage={s}"));
        }
        if self.stale_while_revalidate > 0 {
            let swr = self.stale_while_revalidate;
            value.push_str(&format!(", stale-while-revalidate={swr}"));
        }
        HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("public, max-age=60"))
    }
}

/// What the page cache has done and holds, for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct CacheStats {
    /// Requests the middleware answered from the cache; add those answered before routing.
    pub routed_hits: u64,
    /// Cacheable requests rendered because no current page was kept.
    pub misses: u64,
    /// Pages held.
    pub pages: u64,
    /// Their size in bytes, compressed copies included.
    pub bytes: u64,
}

/// The in-memory page cache.
pub struct PageCache {
    enabled: bool,
    /// The `Cache-Control` of every public page and document (see [`HttpCaching`]).
    cache_control: HeaderValue,
    /// The newest generation stored so far; entries of older ones are never served.
    generation: AtomicU64,
    /// How many times pages were purged for stories' comments (see [`PageCache::purge`]).
    purges: AtomicU64,
    pages: Cache<String, Entry, BySize>,
    /// The keys of stale pages being rendered again in the background.
    revalidating: std::sync::Mutex<std::collections::HashSet<Arc<str>>>,
    /// Requests the middleware answered from the cache (those answered before routing are
    /// counted as the metrics' `cache` route).
    routed_hits: AtomicU64,
    /// Cacheable requests that found no current page, so rendered one.
    misses: AtomicU64,
}

impl std::fmt::Debug for PageCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageCache")
            .field("enabled", &self.enabled)
            .field("pages", &self.pages.len())
            .field("bytes", &self.pages.weight())
            .finish()
    }
}

impl PageCache {
    /// A cache of [`MAX_BYTES`], or a no-op one when `enabled` is false (for measuring the
    /// uncached path).
    pub fn new(enabled: bool, caching: HttpCaching) -> Self {
        let mut cache = Self::with_capacity(enabled, ESTIMATED_PAGES, MAX_BYTES);
        cache.cache_control = caching.header();
        cache
    }

    /// A cache holding at most `bytes`, sized for about `pages` entries.
    pub fn with_capacity(enabled: bool, pages: usize, bytes: u64) -> Self {
        Self {
            enabled,
            cache_control: HttpCaching::default().header(),
            generation: AtomicU64::new(0),
            purges: AtomicU64::new(0),
            pages: Cache::with_weighter(pages, bytes, BySize),
            revalidating: std::sync::Mutex::default(),
            routed_hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// Whether pages are kept at all.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Counts a request the middleware answered from the cache (for `/metrics`).
    pub fn count_hit(&self) {
        self.routed_hits.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a cacheable request that had to be rendered (for `/metrics`).
    pub fn count_miss(&self) {
        self.misses.fetch_add(1, Ordering::Relaxed);
    }

    /// Hits and misses so far, and the pages and bytes held now.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            routed_hits: self.routed_hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            pages: self.pages.len() as u64,
            bytes: self.pages.weight(),
        }
    }

    /// The `Cache-Control` of public pages, as configured.
    pub fn cache_control(&self) -> &HeaderValue {
        &self.cache_control
    }

    /// The page stored under `key` for `generation`, if any and not stale.
    pub fn get(&self, key: &str, generation: u64) -> Option<Arc<Kept>> {
        self.lookup(key, generation)
            .and_then(|(page, stale)| (!stale).then_some(page))
    }

    /// The page stored under `key` for `generation`, if any, and whether it is stale (its
    /// own content current, a shared part it shows not: see [`PageCache::restamp`]).
    pub fn lookup(&self, key: &str, generation: u64) -> Option<(Arc<Kept>, bool)> {
        if !self.enabled {
            return None;
        }
        let kept = self.pages.get(key)?;
        let (stamped, stale) = kept.stamp();
        (stamped == generation).then_some((kept, stale))
    }

    /// Stores `page` under `key` for `generation`, as a page showing nothing a purge
    /// concerns (tests).
    #[cfg(test)]
    pub fn put(&self, key: String, generation: u64, page: CachedPage) {
        self.keep(key, generation, page, Shows::default(), self.purge_epoch());
    }

    /// How many purges have run: read before rendering a page, and handed to
    /// [`PageCache::keep`] with it.
    pub fn purge_epoch(&self) -> u64 {
        self.purges.load(Ordering::SeqCst)
    }

    /// Keeps `page`, rendered for `generation` after [`PageCache::purge_epoch`] read
    /// `epoch`, under `key`, and returns it to answer with. The first page of a newer
    /// generation empties the cache (unless [`PageCache::restamp`] carried pages over to
    /// it); a page rendered for an older one is not kept. If a purge ran since `epoch`, the
    /// page may hold what it purged, so it is not kept (or dropped again at once, when the
    /// purge ran while it was stored).
    pub fn keep(
        &self,
        key: String,
        generation: u64,
        page: CachedPage,
        shows: Shows,
        epoch: u64,
    ) -> Arc<Kept> {
        let kept = Arc::new(Kept {
            stamp: AtomicU64::new(generation << 1),
            story: shows.story,
            shows: shows.comments,
            page,
        });
        if !self.enabled {
            return kept;
        }
        let newest = self.generation.fetch_max(generation, Ordering::AcqRel);
        if generation < newest {
            return kept; // rendered from older content; never store it over newer
        }
        if generation > newest {
            self.pages.clear();
        }
        if self.purge_epoch() != epoch {
            return kept;
        }
        self.pages.insert(key.clone(), kept.clone());
        // A purge that began after the check above either saw this entry (and removed it)
        // or moved the epoch before this second look.
        if self.purge_epoch() != epoch {
            self.pages.remove(&key);
        }
        kept
    }

    /// Drops every page that shows the comments or comment count of one of `articles`
    /// (their article pages, comment feeds and the lists with their teasers), and nothing
    /// else: a comment shown or hidden turns over only those pages.
    pub fn purge(&self, articles: &[ArticleId]) {
        if !self.enabled || articles.is_empty() {
            return;
        }
        self.purges.fetch_add(1, Ordering::SeqCst);
        self.pages
            .retain(|_, e| !e.shows.iter().any(|a| articles.contains(a)));
    }

    /// Carries the cache from generation `from` to `to` after writes that changed only
    /// `stories` (see `masthead_store`'s `story_changes`): drops those stories' own pages and
    /// every page that is not a story's own (the lists, feeds, sitemaps, the calendar: any
    /// of them may list a changed story), and keeps every other story's page for `to`,
    /// marked stale when `parts_changed` (the latest-stories widget every page shows moved
    /// on), so it is served while it is rendered again in the background. Call it before
    /// the generation moves on to `to`; pages of other generations are dropped.
    pub fn restamp(&self, from: u64, to: u64, stories: &[ArticleId], parts_changed: bool) {
        if !self.enabled {
            return;
        }
        // Renders under way may have read what changed: none of them is kept.
        self.purges.fetch_add(1, Ordering::SeqCst);
        // Pages rendered for `from` from now on are not kept, and the first page kept for
        // `to` does not empty the cache.
        self.generation.fetch_max(to, Ordering::AcqRel);
        let stamp = (to << 1) | u64::from(parts_changed);
        self.pages.retain(|_, e| {
            let (generation, stale) = e.stamp();
            let keep = generation == from && e.story.is_some_and(|s| !stories.contains(&s));
            if keep {
                e.stamp.store(stamp | u64::from(stale), Ordering::Release);
            }
            keep
        });
    }

    /// Whether the caller should render the stale page under `key` again in the
    /// background: only one request at a time does, and only [`MAX_REVALIDATING`] pages are
    /// rendered so at once.
    pub fn revalidate(self: &Arc<Self>, key: &str) -> Revalidation {
        let mut underway = self
            .revalidating
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if underway.contains(key) {
            return Revalidation::Underway;
        }
        if underway.len() >= MAX_REVALIDATING {
            return Revalidation::Busy;
        }
        let key: Arc<str> = Arc::from(key);
        underway.insert(key.clone());
        Revalidation::Start(RevalidationGuard {
            cache: self.clone(),
            key,
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn page(body: &'static str) -> CachedPage {
        CachedPage::new(
            StatusCode::OK,
            HeaderMap::new(),
            None,
            Bytes::from_static(body.as_bytes()),
        )
    }

    fn story(id: i64) -> Shows {
        Shows {
            story: Some(ArticleId(id)),
            comments: Arc::from([ArticleId(id)]),
        }
    }

    /// A story change keeps every other story's page, for the next generation; drops the
    /// changed story's page and every page that is not a story's; and marks the kept pages
    /// stale only when the shared parts changed.
    #[test]
    fn a_story_change_keeps_the_other_stories_pages() {
        let cache = PageCache::new(true, HttpCaching::default());
        let epoch = cache.purge_epoch();
        cache.keep("/stories/a".into(), 1, page("a"), story(1), epoch);
        cache.keep("/stories/b".into(), 1, page("b"), story(2), epoch);
        cache.put("/".into(), 1, page("home"));
        cache.restamp(1, 2, &[ArticleId(1)], false);
        assert!(cache.get("/stories/b", 2).is_some(), "kept, fresh");
        assert!(cache.get("/stories/a", 2).is_none(), "its own page goes");
        assert!(cache.get("/", 2).is_none(), "lists go");
        assert!(
            cache.get("/stories/b", 1).is_none(),
            "for the new generation only"
        );
        cache.put("/x".into(), 2, page("x"));
        assert!(
            cache.get("/stories/b", 2).is_some(),
            "the first page of the new generation keeps what was carried over"
        );
        cache.keep("/stories/a".into(), 1, page("old"), story(1), epoch);
        assert!(
            cache.get("/stories/a", 2).is_none() && cache.get("/stories/a", 1).is_none(),
            "a page rendered before the change is not kept after it"
        );
        cache.restamp(2, 3, &[ArticleId(9)], true);
        let stale = cache.lookup("/stories/b", 3).map(|(_, stale)| stale);
        assert_eq!(
            stale,
            Some(true),
            "the widget moved on: served stale, rendered again"
        );
        assert!(cache.get("/stories/b", 3).is_none(), "not a fresh hit");
        cache.restamp(3, 4, &[ArticleId(9)], false);
        assert!(
            cache
                .lookup("/stories/b", 4)
                .is_some_and(|(_, stale)| stale),
            "stays stale until rendered"
        );
    }

    #[test]
    fn one_background_render_per_page_and_a_bound_on_all() {
        let cache = Arc::new(PageCache::new(true, HttpCaching::default()));
        let first = cache.revalidate("/a");
        assert!(matches!(first, Revalidation::Start(_)));
        assert!(matches!(cache.revalidate("/a"), Revalidation::Underway));
        let others: Vec<_> = (1..MAX_REVALIDATING)
            .map(|i| cache.revalidate(&format!("/{i}")))
            .collect();
        assert!(others.iter().all(|r| matches!(r, Revalidation::Start(_))));
        assert!(matches!(cache.revalidate("/z"), Revalidation::Busy));
        drop(first);
        assert!(matches!(cache.revalidate("/a"), Revalidation::Start(_)));
    }

    #[test]
    fn entries_live_for_one_generation() {
        let cache = PageCache::new(true, HttpCaching::default());
        cache.put("/".into(), 3, page("a"));
        assert!(cache.get("/", 3).is_some());
        assert!(cache.get("/", 4).is_none());
        cache.put("/x".into(), 4, page("b"));
        assert!(
            cache.get("/", 4).is_none(),
            "a new generation drops older pages"
        );
        cache.put("/".into(), 3, page("old"));
        assert!(
            cache.get("/", 3).is_none(),
            "older renders never replace newer content"
        );
    }

    #[test]
    fn a_purge_drops_only_the_pages_showing_its_stories() {
        let cache = PageCache::new(true, HttpCaching::default());
        let shows = |ids: &[i64]| Shows {
            story: None,
            comments: ids.iter().map(|&i| ArticleId(i)).collect(),
        };
        let epoch = cache.purge_epoch();
        cache.keep("/stories/a".into(), 1, page("a"), shows(&[1]), epoch);
        cache.keep("/latest".into(), 1, page("l"), shows(&[1, 2]), epoch);
        cache.keep("/stories/b".into(), 1, page("b"), shows(&[2]), epoch);
        cache.put("/events".into(), 1, page("e"));
        cache.purge(&[ArticleId(1)]);
        assert!(cache.get("/stories/a", 1).is_none());
        assert!(cache.get("/latest", 1).is_none());
        assert!(cache.get("/stories/b", 1).is_some());
        assert!(cache.get("/events", 1).is_some());
        cache.keep("/stories/a".into(), 1, page("stale"), shows(&[1]), epoch);
        assert!(
            cache.get("/stories/a", 1).is_none(),
            "a page rendered before the purge is not kept after it"
        );
    }

    #[test]
    fn a_disabled_cache_keeps_nothing() {
        let cache = PageCache::new(false, HttpCaching::default());
        cache.put("/".into(), 1, page("a"));
        assert!(cache.get("/", 1).is_none());
    }

    /// Only brotli is made when a page is kept; the gzip copy is made for the first client
    /// that takes only gzip, once for many asking at the same time, and the page's weight
    /// (which quick_cache asks for again when it drops the page) does not change with it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn the_gzip_copy_is_made_once_for_the_first_clients_that_need_it() {
        use std::io::Read;
        let mut headers = HeaderMap::new();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/html; charset=utf-8"),
        );
        // A rendered article page, as the snapshot tests keep it.
        let body = include_str!("../tests/snapshots/page_snapshots__article_opinion.snap");
        let page = Arc::new(CachedPage::new(
            StatusCode::OK,
            headers,
            None,
            Bytes::from_static(body.as_bytes()),
        ));
        let weight = page.weight();
        let both = Accepted {
            brotli: true,
            gzip: true,
        };
        let gzip_only = Accepted {
            brotli: false,
            gzip: true,
        };
        let encoding = |c: &Copy| c.headers[header::CONTENT_ENCODING].clone();
        assert_eq!(page.pick(both).map(encoding).unwrap(), "br");
        assert!(
            page.pick(gzip_only).is_none(),
            "not made before it is asked for"
        );
        assert_eq!(page.pick(Accepted::default()).unwrap().body, body);

        let askers: Vec<_> = (0..16)
            .map(|_| {
                let page = page.clone();
                tokio::spawn(async move {
                    let copy = page.copy_for(gzip_only).await;
                    (copy.body.as_ptr() as usize, copy.headers.clone())
                })
            })
            .collect();
        let mut answers = Vec::new();
        for asker in askers {
            answers.push(asker.await.unwrap());
        }
        assert!(
            answers.iter().all(|(at, _)| *at == answers[0].0),
            "every asker got the one copy"
        );
        let gz = page.pick(gzip_only).unwrap();
        assert_eq!(answers[0].1, gz.headers);
        assert_eq!(encoding(gz), "gzip");
        let tag = page.identity.headers[header::ETAG].to_str().unwrap();
        assert_eq!(
            gz.headers[header::ETAG],
            format!("{}-gzip\"", tag.trim_end_matches('"'))
        );
        assert_eq!(
            gz.headers[header::CONTENT_LENGTH],
            gz.body.len().to_string()
        );
        assert_eq!(gz.headers[header::VARY], "accept-encoding");
        let mut unzipped = String::new();
        flate2::read::GzDecoder::new(&gz.body[..])
            .read_to_string(&mut unzipped)
            .unwrap();
        assert_eq!(unzipped, body);
        assert_eq!(page.weight(), weight, "the weight is fixed");
        let brotli = page.brotli.as_ref().unwrap();
        assert!(
            weight >= size(&page.identity) + size(brotli) + size(gz),
            "the room counted covers the copy made"
        );
        assert_eq!(page.copy_for(both).await.body, brotli.body);
    }

    /// A gzip copy larger than the room the page's weight counted for it is not kept:
    /// gzip-only clients get the page as rendered, and the weight stays what it was. (No
    /// page we render comes near it; the copy here is made up.)
    #[tokio::test]
    async fn a_gzip_copy_too_large_for_its_room_is_not_kept() {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
        let body = include_str!("../tests/snapshots/page_snapshots__article_opinion.snap");
        let page = CachedPage::new(
            StatusCode::OK,
            headers,
            None,
            Bytes::from_static(body.as_bytes()),
        );
        let weight = page.weight();
        let room = gzip_room(body.len(), page.brotli.as_ref().unwrap().body.len());
        assert!(page.gzip_copy(Some(Bytes::from(vec![0; room]))).is_some());
        assert!(
            page.gzip_copy(Some(Bytes::from(vec![0; room + 1])))
                .is_none()
        );
        let real = compress::gzip(body.as_bytes()).unwrap();
        assert!(
            real.len() <= room,
            "a real page fits: {} of {room}",
            real.len()
        );
        page.gzip
            .set(page.gzip_copy(Some(Bytes::from(vec![0; room + 1]))))
            .unwrap();
        let gzip_only = Accepted {
            brotli: false,
            gzip: true,
        };
        let copy = page.copy_for(gzip_only).await;
        assert_eq!(copy.body, body);
        assert!(!copy.headers.contains_key(header::CONTENT_ENCODING));
        assert_eq!(page.weight(), weight);
    }

    /// A page too small, or not text, is kept as it is: nothing to make for any client.
    #[tokio::test]
    async fn a_page_not_worth_compressing_has_one_copy_for_every_client() {
        for (content_type, body) in [
            ("text/html", "<p>short</p>".repeat(10)),
            ("image/png", "x".repeat(5000)),
        ] {
            let mut headers = HeaderMap::new();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            let page = CachedPage::new(StatusCode::OK, headers, None, Bytes::from(body.clone()));
            for accepted in [
                Accepted {
                    brotli: true,
                    gzip: true,
                },
                Accepted {
                    brotli: false,
                    gzip: true,
                },
                Accepted::default(),
            ] {
                let copy = page.pick(accepted).unwrap();
                assert_eq!(copy.body, body, "{content_type}");
                assert!(!copy.headers.contains_key(header::CONTENT_ENCODING));
                assert!(!copy.headers.contains_key(header::VARY));
            }
            assert_eq!(page.weight(), size(&page.identity));
        }
    }

    /// Issue 7: random URLs filled the cache, after which it stopped storing real pages.
    #[test]
    fn a_scan_of_random_urls_does_not_displace_the_front_page_or_block_new_pages() {
        let body = Bytes::from(vec![b'x'; 1000]);
        let sized = || CachedPage::new(StatusCode::OK, HeaderMap::new(), None, body.clone());
        // Room for about 200 pages.
        let cache = PageCache::with_capacity(true, 200, 200 * 1200);
        cache.put("/".into(), 1, sized());
        for _ in 0..3 {
            assert!(cache.get("/", 1).is_some());
        }
        for i in 0..20_000 {
            // What the middleware does for a URL never seen: look it up, miss, store it.
            let key = format!("/?x={i}");
            assert!(cache.get(&key, 1).is_none());
            cache.put(key, 1, sized());
            if i % 100 == 0 {
                assert!(cache.get("/", 1).is_some(), "front page gone after {i}");
            }
        }
        assert!(
            cache.get("/", 1).is_some(),
            "the scan displaced the front page"
        );
        assert!(
            cache.pages.weight() <= 200 * 1200,
            "bounded: {} bytes",
            cache.pages.weight()
        );
        cache.put("/latest".into(), 1, sized());
        assert!(
            cache.get("/latest", 1).is_some(),
            "a full cache still stores a new page"
        );
    }
}
