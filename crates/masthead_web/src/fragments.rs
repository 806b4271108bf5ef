//! Rendered teasers, kept for one content generation like the shared parts: a list page
//! still queries its stories on every request, but joins teasers it has already rendered
//! instead of rendering 10 or 20 of them again. A teaser is the same HTML wherever it is
//! listed at the same heading level, until the content changes. The list pages go further
//! ([`Fragments::listed`]): their query reads only which stories they show, and the teasers
//! of those not kept are read in a second query, so a list whose teasers are all kept builds
//! no teaser in the database at all.

use crate::{AppState, WebError};
use chrono::{DateTime, Utc};
use masthead_core::ArticleId;
use masthead_render::{Theme, Value, context, ser};
use masthead_store::{Listed, Teaser};
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
    /// The teasers of each group of `stories` at heading `level`, in their order, joined and
    /// marked safe: those kept for `generation` as kept, and the others' teasers read in one
    /// query (from the store this request reads, `AppState::reads`) and rendered; a story no
    /// longer visible at `now` is left out.
    pub async fn listed<const N: usize>(
        &self,
        state: &AppState,
        generation: u64,
        groups: [&[Listed]; N],
        now: DateTime<Utc>,
        level: u8,
        with_image: bool,
    ) -> Result<[Value; N], WebError> {
        let mut html: HashMap<ArticleId, Arc<str>> = HashMap::new();
        let mut missing = Vec::new();
        for s in groups.iter().flat_map(|g| g.iter()) {
            let key = (s.id, level, with_image && s.has_image, s.comment_count);
            match self.get(generation, &key) {
                Some(kept) => {
                    html.insert(s.id, kept);
                }
                None => missing.push(s.id),
            }
        }
        if !missing.is_empty() {
            for t in state.reads().teasers_by_id(&missing, now).await? {
                let rendered = self.render(state, generation, &t, level, with_image)?;
                html.insert(t.id, rendered);
            }
        }
        Ok(groups.map(|stories| {
            let mut joined = String::with_capacity(stories.len() * 1024);
            for s in stories {
                if let Some(teaser) = html.get(&s.id) {
                    joined.push_str(teaser);
                }
            }
            Theme::safe(joined)
        }))
    }

    /// Teaser `t` at heading `level`: as kept for `generation`, else rendered and kept.
    fn render(
        &self,
        state: &AppState,
        generation: u64,
        t: &Teaser,
        level: u8,
        with_image: bool,
    ) -> Result<Arc<str>, WebError> {
        let show_image = with_image && t.image.is_some();
        let key = (t.id, level, show_image, t.comment_count);
        if let Some(cached) = self.get(generation, &key) {
            return Ok(cached);
        }
        let rendered: Arc<str> = state
            .theme()
            .render(
                "parts/teaser.html",
                context! { t => ser(t), level, show_image, counts => true },
            )?
            .into();
        self.put(generation, key, rendered.clone());
        Ok(rendered)
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
