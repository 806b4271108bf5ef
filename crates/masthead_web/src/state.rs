//! The state every handler shares.

use crate::SiteConfig;
use crate::cache::PageCache;
use crate::fragments::Fragments;
use crate::freshness::ContentWatch;
use crate::parts::SharedParts;
use masthead_core::Clock;
use masthead_media::{FileStorage, MediaStorage};
use masthead_render::Theme;
use masthead_store::Store;
use std::sync::Arc;

/// Handles to everything a request may need. Cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The database.
    pub store: Store,
    /// The theme.
    pub theme: Arc<Theme>,
    /// The site's settings.
    pub config: Arc<SiteConfig>,
    /// The time source.
    pub clock: Arc<dyn Clock>,
    /// What the caches know about the content version.
    pub watch: Arc<ContentWatch>,
    /// Where uploaded images live: files under `config.media_dir` (an object store can
    /// implement the same trait later).
    pub media: Arc<dyn MediaStorage>,
    pub(crate) cache: Arc<PageCache>,
    pub(crate) parts: Arc<SharedParts>,
    pub(crate) fragments: Arc<Fragments>,
    pub(crate) throttle: Arc<crate::admin::throttle::Throttle>,
}

impl AppState {
    /// Builds the state. Call [`ContentWatch::refresh`] (or spawn [`ContentWatch::poll`]) to keep
    /// caches fresh.
    pub fn new(store: Store, theme: Theme, config: SiteConfig, clock: Arc<dyn Clock>) -> Self {
        let cache = Arc::new(PageCache::new(config.page_cache));
        let media = Arc::new(FileStorage::at(&config.media_dir));
        Self {
            store,
            theme: Arc::new(theme),
            config: Arc::new(config),
            clock,
            watch: Arc::new(ContentWatch::new()),
            media,
            cache,
            parts: Arc::new(SharedParts::new()),
            fragments: Arc::new(Fragments::default()),
            throttle: Arc::new(crate::admin::throttle::Throttle::default()),
        }
    }
}
