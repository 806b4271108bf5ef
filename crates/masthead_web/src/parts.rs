//! Shared page parts: navigation, footer, the breaking-news banner, the latest-stories and events widgets and the home
//! page's section blocks. Each is rendered once per content generation and reused by every
//! page until something it shows changes, which saves most of a page's render time.

use crate::{AppState, WebError};
use chrono::Datelike;
use masthead_core::PageNumber;
use masthead_render::{Theme, Value, context, ser};
use masthead_store::{ArticleFilter, Section};
use std::sync::{Arc, RwLock};
use tokio::sync::Mutex;

/// How many stories the latest-stories widget lists.
const LATEST_WIDGET: u32 = 5;
/// How many upcoming events the events widget lists.
const EVENTS_WIDGET: u32 = 5;
/// How many stories each section block on the home page shows.
const SECTION_BLOCK: u32 = 3;

/// The parts every page shows (all but the home page's section blocks).
const SHOWN_EVERYWHERE: [&str; 5] = ["nav", "footer", "latest", "events", "banner"];

/// The parts for one generation.
#[derive(Debug)]
pub(crate) struct Parts {
    pub generation: u64,
    pub sections: Vec<Section>,
    /// The rendered parts as one template value (`parts.nav`, `parts.footer`, `parts.latest`,
    /// `parts.events`, `parts.sections`, `parts.banner`: the breaking-news banner while
    /// one is up), marked safe; cloning it is cheap.
    pub value: Value,
}

/// The current parts, rebuilt on demand when the generation moves on.
#[derive(Debug, Default)]
pub(crate) struct SharedParts {
    current: RwLock<Option<Arc<Parts>>>,
    rebuild: Mutex<()>,
}

impl SharedParts {
    pub fn new() -> Self {
        Self::default()
    }

    /// The parts for `generation`, rendering them if needed (one request renders; others wait
    /// for it rather than all querying at once).
    pub async fn get(&self, state: &AppState, generation: u64) -> Result<Arc<Parts>, WebError> {
        if let Some(parts) = self.fresh(generation) {
            return Ok(parts);
        }
        let _guard = self.rebuild.lock().await;
        if let Some(parts) = self.fresh(generation) {
            return Ok(parts);
        }
        let parts = Arc::new(build(state, generation).await?);
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Some(parts.clone());
        Ok(parts)
    }

    /// Renders the parts for `generation` now (the generation a story change is about to
    /// move to), keeps them, and says whether a part that pages other than the home page
    /// show differs from the parts kept before (the home page's section blocks are left
    /// out: the home page is rendered again after any story change anyway). With no parts
    /// kept before, that is not known, so `true`.
    pub async fn renew(&self, state: &AppState, generation: u64) -> Result<bool, WebError> {
        let _guard = self.rebuild.lock().await;
        let parts = Arc::new(build(state, generation).await?);
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        let changed = current.as_ref().is_none_or(|old| {
            SHOWN_EVERYWHERE
                .iter()
                .any(|name| old.value.get_attr(name).ok() != parts.value.get_attr(name).ok())
        });
        *current = Some(parts);
        Ok(changed)
    }

    fn fresh(&self, generation: u64) -> Option<Arc<Parts>> {
        let current = self.current.read().unwrap_or_else(|e| e.into_inner());
        current
            .as_ref()
            .filter(|p| p.generation == generation)
            .cloned()
    }
}

async fn build(state: &AppState, generation: u64) -> Result<Parts, WebError> {
    let now = state.clock.now();
    let store = &state.reads();
    let site = state.config().site_value(state.theme().stylesheet_url());
    let sections = store.sections().await?;
    let banner = store.banner(now).await?;
    let pages = store.top_pages().await?;
    let latest = store
        .list_articles(ArticleFilter::All, now, PageNumber::FIRST, LATEST_WIDGET)
        .await?;
    let events = store
        .upcoming_events(now, PageNumber::FIRST, EVENTS_WIDGET)
        .await?;
    // The footer's signup form, only when the newsletter can send.
    let newsletters = match state.mail {
        Some(_) => store.newsletter_lists().await?,
        None => Vec::new(),
    };
    let mut blocks = Vec::with_capacity(sections.len());
    for section in &sections {
        let teasers = store
            .list_articles(
                ArticleFilter::Section(section.id),
                now,
                PageNumber::FIRST,
                SECTION_BLOCK,
            )
            .await?;
        blocks.push(context! { section => ser(section), teasers => ser(&teasers.items) });
    }
    let theme = &state.theme();
    let render = |name: &str, ctx: Value| theme.render(name, ctx).map(Theme::safe);
    let value = context! {
        nav => render("parts/nav.html", context! { site => site.clone(), sections => ser(&sections) })?,
        footer => render(
            "parts/footer.html",
            context! { site => site.clone(), sections => ser(&sections), pages => ser(&pages), newsletters => ser(&newsletters), year => now.with_timezone(&state.config().timezone).year() },
        )?,
        latest => render("parts/latest.html", context! { site => site.clone(), teasers => ser(&latest.items) })?,
        events => render("parts/events.html", context! { site => site.clone(), events => ser(&events.items) })?,
        sections => render("parts/sections.html", context! { site => site.clone(), blocks })?,
        // Nothing at all without a banner, so pages are byte for byte as before.
        banner => match &banner {
            Some(b) => render("parts/banner.html", context! { site, banner => ser(b) })?,
            None => Theme::safe(String::new()),
        },
    };
    Ok(Parts {
        generation,
        sections,
        value,
    })
}
