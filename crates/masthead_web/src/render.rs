//! Rendering a page: the context every template gets (site, shared parts) plus the page's own.

use crate::parts::Parts;
use crate::{AppState, WebError};
use masthead_render::{Value, context};
use std::sync::Arc;

/// The shared parts of the current generation.
pub(crate) async fn current_parts(state: &AppState) -> Result<Arc<Parts>, WebError> {
    let generation = state.watch.generation(state.clock.now());
    state.parts.get(state, generation).await
}

/// The full context for a page: `site`, `parts` and the page's own values.
pub(crate) async fn page_context(state: &AppState, page: Value) -> Result<Value, WebError> {
    let parts = current_parts(state).await?;
    let site = state.config().site_value(state.theme().stylesheet_url());
    Ok(context! { site, parts => parts.value.clone(), ..page })
}

/// Renders `template` with the full page context.
pub(crate) async fn render_page(
    state: &AppState,
    template: &str,
    page: Value,
) -> Result<String, WebError> {
    let ctx = page_context(state, page).await?;
    Ok(state.theme().render(template, ctx)?)
}
