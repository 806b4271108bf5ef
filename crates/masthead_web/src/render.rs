//! Rendering a page: the context every template gets (site, shared parts) plus the page's own.

use crate::parts::Parts;
use crate::{AppState, WebError};
use masthead_render::{Value, context};
use std::sync::{Arc, OnceLock};

/// The `site` value templates see.
pub(crate) fn site_value(state: &AppState) -> Value {
    let c = &state.config;
    context! {
        name => &c.name,
        tagline => &c.tagline,
        base_url => &c.base_url,
        css_url => css_url(state),
    }
}

/// The stylesheet's URL, versioned by its content so browsers may cache it for a year.
pub(crate) fn css_url(state: &AppState) -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        format!(
            "/static/site.css?v={:016x}",
            fnv1a(state.theme.stylesheet().as_bytes())
        )
    })
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The shared parts of the current generation.
pub(crate) async fn current_parts(state: &AppState) -> Result<Arc<Parts>, WebError> {
    let generation = state.watch.generation(state.clock.now());
    state.parts.get(state, generation).await
}

/// The full context for a page: `site`, `parts` and the page's own values.
pub(crate) async fn page_context(state: &AppState, page: Value) -> Result<Value, WebError> {
    let parts = current_parts(state).await?;
    Ok(context! { site => site_value(state), parts => parts.value.clone(), ..page })
}

/// Renders `template` with the full page context.
pub(crate) async fn render_page(
    state: &AppState,
    template: &str,
    page: Value,
) -> Result<String, WebError> {
    let ctx = page_context(state, page).await?;
    Ok(state.theme.render(template, ctx)?)
}
