//! The page cache: rendered public pages in memory, keyed by path and the query parameters the
//! page reads (see [`crate::site::cached`]), valid for one content generation (see
//! [`crate::freshness`]).
//!
//! It is a `quick_cache` S3-FIFO cache bounded by bytes: a new page enters a small probation
//! queue and moves to the main one only if it is asked for again, so a crawler walking
//! thousands of URLs once each churns the probation queue and cannot push out the front page
//! or any other page readers keep asking for.

use axum::http::{HeaderName, HeaderValue};
use bytes::Bytes;
use quick_cache::Weighter;
use quick_cache::sync::Cache;
use std::sync::atomic::{AtomicU64, Ordering};

/// The most bytes kept (keys and bodies).
pub const MAX_BYTES: u64 = 64 * 1024 * 1024;
/// About how many pages fit (sizes the cache's tables; the byte bound is what holds).
const ESTIMATED_PAGES: usize = 10_000;
/// Bytes counted for each entry beyond its key and body.
const ENTRY_OVERHEAD: u64 = 128;

/// One cached response.
#[derive(Debug, Clone)]
pub struct CachedPage {
    /// The HTTP status (200 pages and 301 redirects are cached).
    pub status: u16,
    /// The response's own headers that are kept with it and sent again on every hit (those
    /// the middleware names in `KEPT_HEADERS`: its type, a redirect's target, validators).
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// The body.
    pub body: Bytes,
}

#[derive(Debug, Clone)]
struct Entry {
    generation: u64,
    page: CachedPage,
}

#[derive(Debug, Clone, Copy)]
struct BySize;

impl Weighter<String, Entry> for BySize {
    fn weight(&self, key: &String, entry: &Entry) -> u64 {
        let headers: usize = entry
            .page
            .headers
            .iter()
            .map(|(name, value)| name.as_str().len() + value.len())
            .sum();
        (key.len() + headers + entry.page.body.len()) as u64 + ENTRY_OVERHEAD
    }
}

/// The in-memory page cache.
pub struct PageCache {
    enabled: bool,
    /// The newest generation stored so far; entries of older ones are never served.
    generation: AtomicU64,
    pages: Cache<String, Entry, BySize>,
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
    pub fn new(enabled: bool) -> Self {
        Self::with_capacity(enabled, ESTIMATED_PAGES, MAX_BYTES)
    }

    /// A cache holding at most `bytes`, sized for about `pages` entries.
    pub fn with_capacity(enabled: bool, pages: usize, bytes: u64) -> Self {
        Self {
            enabled,
            generation: AtomicU64::new(0),
            pages: Cache::with_weighter(pages, bytes, BySize),
        }
    }

    /// Whether pages are kept at all.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The page stored under `key` for `generation`, if any.
    pub fn get(&self, key: &str, generation: u64) -> Option<CachedPage> {
        if !self.enabled {
            return None;
        }
        self.pages
            .get(key)
            .filter(|e| e.generation == generation)
            .map(|e| e.page)
    }

    /// Stores `page` under `key` for `generation`. The first page of a newer generation
    /// empties the cache; a page rendered for an older one is dropped.
    pub fn put(&self, key: String, generation: u64, page: CachedPage) {
        if !self.enabled {
            return;
        }
        let newest = self.generation.fetch_max(generation, Ordering::AcqRel);
        if generation < newest {
            return; // rendered from older content; never store it over newer
        }
        if generation > newest {
            self.pages.clear();
        }
        self.pages.insert(key, Entry { generation, page });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &'static str) -> CachedPage {
        CachedPage {
            status: 200,
            headers: Vec::new(),
            body: Bytes::from_static(body.as_bytes()),
        }
    }

    #[test]
    fn entries_live_for_one_generation() {
        let cache = PageCache::new(true);
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
    fn a_disabled_cache_keeps_nothing() {
        let cache = PageCache::new(false);
        cache.put("/".into(), 1, page("a"));
        assert!(cache.get("/", 1).is_none());
    }

    /// Issue 7: random URLs filled the cache, after which it stopped storing real pages.
    #[test]
    fn a_scan_of_random_urls_does_not_displace_the_front_page_or_block_new_pages() {
        let body = Bytes::from(vec![b'x'; 1000]);
        let sized = || CachedPage {
            status: 200,
            headers: Vec::new(),
            body: body.clone(),
        };
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
