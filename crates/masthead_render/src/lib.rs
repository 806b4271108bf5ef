//! masthead's output: themes (templates with autoescaping, embedded and overridable from a
//! directory), Markdown to sanitized HTML, and the date formats readers see.

pub mod markdown;
mod format;
mod theme;

pub use markdown::{ArticleText, article_text, render_markdown};
pub use theme::{Theme, ThemeError, STYLESHEET};
