//! Markdown to safe HTML, and the plain text used for excerpts.
//!
//! Markdown lets raw HTML through, so its output always goes through one allowlist sanitizer
//! (ammonia) before it is stored or shown. Links may only use http, https or mailto.

use crate::headings::{self, OutlineHeading};
use masthead_core::excerpt;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};
use std::collections::HashSet;
use std::sync::LazyLock;

/// The version of the rendering below: raise it whenever a change makes stored HTML
/// out of date (2: headings shifted under the headline), and the server's upkeep renders
/// stored stories again (`masthead_store::rerender`).
pub const RENDER_VERSION: i64 = 2;

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

/// Renders a story body's Markdown to HTML and sanitizes it: no scripts, no event handlers,
/// no `javascript:` or `data:` links, whatever the input holds. Its headings start at `<h2>`,
/// under the headline, and never skip a level (see [`crate::headings`]).
pub fn render_markdown(md: &str) -> String {
    render_markdown_under(md, 1)
}

/// Like [`render_markdown`], for text that sits under a heading of level `parent` (a
/// roundup item's text under the item's `<h2>`).
pub fn render_markdown_under(md: &str, parent: u8) -> String {
    let events = headings::shift(Parser::new_ext(md, options()).collect(), parent);
    let mut raw = String::with_capacity(md.len() * 5 / 4);
    html::push_html(&mut raw, events.into_iter());
    SANITIZER.clean(&raw).to_string()
}

/// The headings of a body as the page will show them under a heading of level `parent`.
pub fn outline(md: &str, parent: u8) -> Vec<OutlineHeading> {
    let events: Vec<Event<'_>> = Parser::new_ext(md, options()).collect();
    headings::outline_of(&events, parent)
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
    fn headings_start_under_the_headline_and_never_skip_a_level() {
        let html = render_markdown(
            "### Vote\n\ntext\n\n##### Detail\n\n# Top\n\n<h4 class=\"x\">Raw</h4>\n\n## Next",
        );
        let levels: Vec<&str> = html
            .match_indices("<h")
            .map(|(i, _)| &html[i..i + 3])
            .collect();
        // "# Top" is the shallowest level written: it shows as <h2>, and nothing before it may
        // go deeper than one level below the one before.
        assert_eq!(levels, ["<h2", "<h3", "<h2", "<h3", "<h3"], "{html}");
        assert!(
            html.contains("<h2>Vote</h2>") && html.contains("<h3>Raw</h3>"),
            "{html}"
        );
        // Closing tags match their opening ones.
        for n in 1..=6 {
            assert_eq!(
                html.matches(&format!("<h{n}")).count(),
                html.matches(&format!("</h{n}>")).count(),
                "{html}"
            );
        }
    }

    #[test]
    fn the_outline_shows_written_and_shown_levels() {
        let o = outline("### Vote\n\n#### Who voted `no`\n\n## Next", 1);
        let got: Vec<(u8, u8, &str)> = o
            .iter()
            .map(|h| (h.written, h.shown, h.text.as_str()))
            .collect();
        assert_eq!(
            got,
            [(3, 2, "Vote"), (4, 3, "Who voted no"), (2, 2, "Next")]
        );
        let under_item = outline("## Inside", 2);
        assert_eq!((under_item[0].written, under_item[0].shown), (2, 3));
        assert!(outline("No headings.", 1).is_empty());
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
