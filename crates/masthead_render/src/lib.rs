//! masthead's output: themes (templates with autoescaping, embedded and overridable from a
//! directory), Markdown to sanitized HTML, the date formats readers see, feeds and sitemaps.

mod comment_text;
pub mod desk_assets;
pub mod feeds;
mod format;
pub mod headings;
pub mod ics;
pub mod markdown;
mod page_sizes;
pub mod sitemaps;
mod theme;

pub use comment_text::comment_html;
pub use format::long_date;
pub use headings::OutlineHeading;
pub use markdown::{
    ArticleText, RENDER_VERSION, article_text, images_without_alt, outline, prose_text,
    render_markdown, render_markdown_under,
};
pub use minijinja::value::{Enumerator, Object, ObjectRepr};
pub use minijinja::{Value, context};

/// Any serializable value as a template value.
pub fn ser<T: serde::Serialize>(value: &T) -> Value {
    Value::from(minijinja::value::Serde(value))
}
pub use theme::{ADMIN_STYLESHEET, STYLESHEET, Theme, ThemeError};
