//! The page cache: rendered public pages in memory, keyed by path and query, valid for one
//! content generation (see [`crate::freshness`]).
//!
//! It holds at most [`MAX_ENTRIES`] pages and [`MAX_BYTES`] bytes; when full it stops adding
//! until the next generation empties it, so a crawler walking random URLs cannot push out
//! the front page.

use bytes::Bytes;
use std::collections::HashMap;
use std::sync::RwLock;

/// The most pages kept.
pub const MAX_ENTRIES: usize = 10_000;
/// The most bytes kept.
pub const MAX_BYTES: usize = 64 * 1024 * 1024;

/// One cached response.
#[derive(Debug, Clone)]
pub struct CachedPage {
    /// The HTTP status (200 pages and 301 redirects are cached).
    pub status: u16,
    /// The `Location` of a redirect.
    pub location: Option<String>,
    /// The body.
    pub body: Bytes,
}

#[derive(Debug, Default)]
struct Entries {
    generation: u64,
    bytes: usize,
    pages: HashMap<String, CachedPage>,
}

/// The in-memory page cache.
#[derive(Debug)]
pub struct PageCache {
    enabled: bool,
    entries: RwLock<Entries>,
}

impl PageCache {
    /// A cache, or a no-op one when `enabled` is false (for measuring the uncached path).
    pub fn new(enabled: bool) -> Self {
        Self {
            enabled,
            entries: RwLock::new(Entries::default()),
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
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        if entries.generation != generation {
            return None;
        }
        entries.pages.get(key).cloned()
    }

    /// Stores `page` under `key` for `generation`, dropping everything older.
    pub fn put(&self, key: String, generation: u64, page: CachedPage) {
        if !self.enabled {
            return;
        }
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.generation != generation {
            if entries.generation > generation {
                return; // rendered from older content; never store it over newer
            }
            *entries = Entries {
                generation,
                ..Entries::default()
            };
        }
        let size = key.len() + page.body.len();
        if entries.pages.len() >= MAX_ENTRIES || entries.bytes + size > MAX_BYTES {
            return;
        }
        entries.bytes += size;
        if let Some(old) = entries.pages.insert(key, page) {
            entries.bytes -= old.body.len();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &'static str) -> CachedPage {
        CachedPage {
            status: 200,
            location: None,
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
}
