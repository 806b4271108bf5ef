//! Markdown to safe HTML, and the plain text used for excerpts.
//!
//! Markdown lets raw HTML through, so its output always goes through one allowlist sanitizer
//! (ammonia) before it is stored or shown. Links may only use http, https or mailto.

use masthead_core::excerpt;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};
use std::collections::HashSet;
use std::sync::LazyLock;

/// How long a teaser excerpt may be, in characters.
pub const EXCERPT_CHARS: usize = 200;

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES
}

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.url_schemes(HashSet::from(["http", "https", "mailto"]));
    b.link_rel(Some("noopener noreferrer"));
    b
});

/// Renders Markdown to HTML and sanitizes it: no scripts, no event handlers, no `javascript:`
/// or `data:` links, whatever the input holds.
pub fn render_markdown(md: &str) -> String {
    let mut raw = String::with_capacity(md.len() * 5 / 4);
    html::push_html(&mut raw, Parser::new_ext(md, options()));
    SANITIZER.clean(&raw).to_string()
}

/// The plain text of a Markdown document: words only, blocks separated by spaces.
pub fn plain_text(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    for event in Parser::new_ext(md, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item) => {
                out.push(' ');
            }
            _ => {}
        }
    }
    out
}

/// The addresses of the images in a Markdown document that have no alt text
/// (`![](photo.jpg)`), in order: readers who cannot see them would get nothing.
pub fn images_without_alt(md: &str) -> Vec<String> {
    let mut missing = Vec::new();
    let mut current: Option<(String, String)> = None;
    for event in Parser::new_ext(md, options()) {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                current = Some((dest_url.to_string(), String::new()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, alt)) = current.as_mut() {
                    alt.push_str(&t);
                }
            }
            Event::End(TagEnd::Image) => {
                if let Some((url, alt)) = current.take()
                    && alt.trim().is_empty()
                {
                    missing.push(url);
                }
            }
            _ => {}
        }
    }
    missing
}

/// An article body ready to store: sanitized HTML and the teaser excerpt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleText {
    /// The sanitized HTML.
    pub html: String,
    /// The excerpt, cut at a word boundary.
    pub excerpt: String,
}

/// Renders an article body and derives its excerpt.
pub fn article_text(md: &str) -> ArticleText {
    ArticleText {
        html: render_markdown(md),
        excerpt: excerpt(&plain_text(md), EXCERPT_CHARS),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn images_without_alt_text_are_found() {
        let md = "![A crowd at the depot](/media/a.jpg)\n\n![](/media/b.jpg) and ![ ](/media/c.jpg)\n\n![`code` alt](/media/d.jpg)";
        assert_eq!(
            super::images_without_alt(md),
            ["/media/b.jpg", "/media/c.jpg"]
        );
        assert!(super::images_without_alt("No images, [a link](https://x.example).").is_empty());
    }

    use super::*;

    #[test]
    fn scripts_handlers_and_bad_schemes_are_removed() {
        let html = render_markdown(
            "<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[a](javascript:alert(1)) \
             [b](data:text/html,hi) [c](https://example.org) <a href=\" JaVaScRiPt:alert(1)\">d</a>",
        );
        let lower = html.to_lowercase();
        assert!(
            !lower.contains("<script")
                && !lower.contains("onerror")
                && !lower.contains("javascript:"),
            "{html}"
        );
        assert!(!lower.contains("data:text"), "{html}");
        assert!(html.contains("href=\"https://example.org\""), "{html}");
    }

    #[test]
    fn tables_and_emphasis_survive() {
        let html = render_markdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n**bold** ~~old~~");
        assert!(
            html.contains("<table>")
                && html.contains("<strong>bold</strong>")
                && html.contains("<del>old</del>")
        );
    }

    #[test]
    fn excerpt_is_plain_text_cut_at_a_word() {
        let text = article_text(&format!(
            "## Heading\n\nThe **board** met. {}",
            "word ".repeat(100)
        ));
        assert!(
            text.excerpt.starts_with("Heading The board met. word"),
            "{}",
            text.excerpt
        );
        assert!(text.excerpt.ends_with('…') && !text.excerpt.contains('*'));
    }
}
