//! Rendered teasers, kept for one content generation like the shared parts: a list page
//! still queries its stories on every request, but joins teasers it has already rendered
//! instead of rendering 10 or 20 of them again. A teaser is the same HTML wherever it is
//! listed at the same heading level, until the content changes.

use crate::{AppState, WebError};
use masthead_core::ArticleId;
use masthead_render::{Theme, Value, context, ser};
use masthead_store::Teaser;
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

/// The most teasers kept; past it, teasers are rendered but not kept until the next generation.
const MAX_FRAGMENTS: usize = 20_000;

/// Which rendering of a teaser: the article, its heading level, whether it shows its image,
/// and its comment count (a comment shown does not start a new generation, so the count is
/// part of the key: a teaser with an old count is never reused).
type Key = (ArticleId, u8, bool, i64);

#[derive(Debug, Default)]
pub(crate) struct Fragments {
    current: RwLock<(u64, HashMap<Key, Arc<str>>)>,
}

impl Fragments {
    /// `teasers` rendered with `parts/teaser.html` at heading `level`, joined and marked safe.
    pub fn teasers(
        &self,
        state: &AppState,
        generation: u64,
        teasers: &[Teaser],
        level: u8,
        with_image: bool,
    ) -> Result<Value, WebError> {
        let mut html = String::with_capacity(teasers.len() * 1024);
        for t in teasers {
            let show_image = with_image && t.image.is_some();
            let key = (t.id, level, show_image, t.comment_count);
            if let Some(cached) = self.get(generation, &key) {
                html.push_str(&cached);
                continue;
            }
            let rendered: Arc<str> = state
                .theme()
                .render(
                    "parts/teaser.html",
                    context! { t => ser(t), level, show_image, counts => true },
                )?
                .into();
            html.push_str(&rendered);
            self.put(generation, key, rendered);
        }
        Ok(Theme::safe(html))
    }

    fn get(&self, generation: u64, key: &Key) -> Option<Arc<str>> {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        (current.0 == generation)
            .then(|| current.1.get(key).cloned())
            .flatten()
    }

    fn put(&self, generation: u64, key: Key, html: Arc<str>) {
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        if current.0 < generation {
            *current = (generation, HashMap::new());
        }
        if current.0 == generation && current.1.len() < MAX_FRAGMENTS {
            current.1.insert(key, html);
        }
    }
}
