//! Rendering a page: the context every template gets (site, shared parts) plus the page's own.

use crate::parts::Parts;
use crate::{AppState, WebError};
use masthead_render::{Enumerator, Object, ObjectRepr, Value};
use std::collections::BTreeSet;
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
    Ok(Value::from_object(PageContext {
        site,
        parts: parts.value.clone(),
        page,
    }))
}

/// A page's root context: `site` and `parts`, then the page's own values, as
/// `context! { site, parts, ..page }` has them (the two shared names first), without its
/// merged map's generic lookup, about 440 instructions a name, read about fifty times an
/// article page.
#[derive(Debug)]
struct PageContext {
    site: Value,
    parts: Value,
    page: Value,
}

impl Object for PageContext {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.get_value_by_str(key.as_str()?)
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<Value> {
        match key {
            "site" => Some(self.site.clone()),
            "parts" => Some(self.parts.clone()),
            _ => self.page.get_attr(key).ok().filter(|v| !v.is_undefined()),
        }
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let mut keys: BTreeSet<Value> = self.page.try_iter().into_iter().flatten().collect();
        keys.extend([Value::from("site"), Value::from("parts")]);
        Enumerator::Iter(Box::new(keys.into_iter()))
    }
}

/// Renders `template` with the full page context: the HTML's bytes, for a response's body
/// (see [`masthead_render::Theme::render_page`]).
pub(crate) async fn render_page(
    state: &AppState,
    template: &str,
    page: Value,
) -> Result<Vec<u8>, WebError> {
    let ctx = page_context(state, page).await?;
    Ok(state.theme().render_page(template, ctx)?)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use masthead_render::context;

    #[test]
    fn the_page_context_reads_as_the_merged_map_it_replaces() {
        let site = context! { name => "The Gazette" };
        let parts = context! { nav => "<nav>" };
        let page =
            context! { a => context! { title => "Budget" }, site => "the page's own", empty => () };
        let merged = context! { site => site.clone(), parts => parts.clone(), ..page.clone() };
        let ours = Value::from_object(PageContext { site, parts, page });
        let keys = |v: &Value| v.try_iter().unwrap().collect::<Vec<_>>();
        assert_eq!(keys(&ours), keys(&merged));
        for key in ["site", "parts", "a", "empty", "missing"] {
            let (got, want) = (ours.get_attr(key).unwrap(), merged.get_attr(key).unwrap());
            assert_eq!(got, want, "{key}");
            assert_eq!(got.is_undefined(), want.is_undefined(), "{key}");
        }
        assert_eq!(
            ours.get_attr("site").unwrap().get_attr("name").unwrap(),
            Value::from("The Gazette")
        );
    }
}
