//! Markdown to safe HTML, the plain text used for excerpts and search, and the prose a
//! summary is suggested from.
//!
//! Markdown lets raw HTML through, so its output always goes through one allowlist sanitizer
//! (ammonia) before it is stored or shown. Links may only use http, https or mailto.
//!
//! One thing the sanitizer never lets through is ours to add: a **video embed**. A paragraph
//! of the body that holds nothing but a YouTube or Vimeo address (typed, or an autolink
//! `<…>`), at the top level of the body, is shown as the same sandboxed player frame a video
//! post shows (`article.html`), on the privacy-enhanced player address
//! ([`masthead_core::video::VideoUrl`]), so it passes the pages' `frame-src`, which lists
//! exactly [`masthead_core::video::PLAYER_ORIGINS`]; a link to the video follows it for
//! readers (and feed readers) without frames. WordPress embeds an address on a line of its
//! own the same way. The rest of the body is sanitized as before, in the pieces between the
//! players: the frame is never handed to ammonia, which removes every `iframe`.

use crate::headings::{self, OutlineHeading};
use masthead_core::excerpt;
use masthead_core::html_text::escape;
use masthead_core::video::VideoUrl;
use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd, html};
use std::collections::HashSet;
use std::sync::LazyLock;

/// The version of the rendering below: raise it whenever a change makes stored HTML
/// out of date (2: headings shifted under the headline; 3: a YouTube or Vimeo address alone
/// in a paragraph shown as the player), and the server's upkeep renders stored stories again
/// (`masthead_store::rerender`).
pub const RENDER_VERSION: i64 = 3;

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
    let mut out = String::with_capacity(md.len() * 5 / 4);
    let mut piece_start = 0;
    let mut depth = 0usize;
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Paragraph) if depth == 0 => {
                if let Some((video, end)) = video_paragraph(&events[i..]) {
                    push_sanitized(&mut out, &events[piece_start..i]);
                    push_player(&mut out, &video);
                    i += end + 1;
                    piece_start = i;
                    continue;
                }
                depth += 1;
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    push_sanitized(&mut out, &events[piece_start..]);
    out
}

/// Renders a run of events and appends it sanitized.
fn push_sanitized(out: &mut String, events: &[Event<'_>]) {
    if events.is_empty() {
        return;
    }
    let mut raw = String::new();
    html::push_html(&mut raw, events.iter().cloned());
    out.push_str(&SANITIZER.clean(&raw).to_string());
}

/// A video paragraph at the start of `events` (which start with the paragraph's opening): the
/// video and the index of the paragraph's end. Its text must be one address and nothing else.
fn video_paragraph(events: &[Event<'_>]) -> Option<(Video, usize)> {
    let mut text = String::new();
    for (n, event) in events.iter().enumerate().skip(1) {
        match event {
            Event::Text(t) => text.push_str(t),
            Event::Start(Tag::Link {
                link_type: LinkType::Autolink,
                ..
            })
            | Event::End(TagEnd::Link) => {}
            Event::End(TagEnd::Paragraph) => {
                let address = text.trim();
                if address.is_empty() || address.contains(char::is_whitespace) {
                    return None;
                }
                let player = VideoUrl::parse(address).ok()?;
                return Some((
                    Video {
                        player: player.into_string(),
                        page: address.to_owned(),
                    },
                    n,
                ));
            }
            _ => return None,
        }
    }
    None
}

/// A video embedded in a body: the player address and the address as written.
struct Video {
    player: String,
    page: String,
}

/// The player as the video post shows it (`article.html`), then a link for readers without
/// frames.
fn push_player(out: &mut String, video: &Video) {
    let host = if video.player.starts_with("https://player.vimeo.com/") {
        "Vimeo"
    } else {
        "YouTube"
    };
    out.push_str(&format!(
        "<div class=\"video\"><iframe src=\"{player}\" title=\"Video on {host}\" \
         sandbox=\"allow-scripts allow-same-origin allow-presentation allow-popups\" \
         allow=\"fullscreen; picture-in-picture\" allowfullscreen \
         referrerpolicy=\"strict-origin-when-cross-origin\"></iframe></div>\n\
         <p class=\"video-link\"><a href=\"{page}\" rel=\"noopener noreferrer\">Watch the video on {host}</a></p>\n",
        player = escape(&video.player),
        page = escape(&video.page),
    ));
}

/// The headings of a body as the page will show them under a heading of level `parent`.
pub fn outline(md: &str, parent: u8) -> Vec<OutlineHeading> {
    let events: Vec<Event<'_>> = Parser::new_ext(md, options()).collect();
    headings::outline_of(&events, parent)
}

/// The plain text of a Markdown document: words only, blocks separated by spaces. A video
/// paragraph (an address the page shows as a player) has no words.
pub fn plain_text(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    let events: Vec<Event<'_>> = Parser::new_ext(md, options()).collect();
    let mut depth = 0usize;
    let mut i = 0;
    while i < events.len() {
        let event = &events[i];
        i += 1;
        match event {
            Event::Start(Tag::Paragraph) if depth == 0 => {
                if let Some((_, end)) = video_paragraph(&events[i - 1..]) {
                    i += end;
                    continue;
                }
                depth += 1;
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(t),
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

/// The running prose of a Markdown document as plain text: its top-level paragraphs, each
/// on one line, separated by a blank line. Headings, lists, quotations, tables, code, the
/// alt text of images and video paragraphs are left out, so no sentence of it runs into a
/// heading or a list the way [`plain_text`]'s words do. What a suggested summary is chosen
/// from (`masthead_desk::suggest_summary`).
pub fn prose_text(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    let events: Vec<Event<'_>> = Parser::new_ext(md, options()).collect();
    let mut depth = 0usize;
    // Inside a top-level paragraph, and inside how many images in it.
    let mut prose = false;
    let mut images = 0usize;
    let mut i = 0;
    while i < events.len() {
        let event = &events[i];
        i += 1;
        match event {
            Event::Start(Tag::Paragraph) if depth == 0 => {
                if let Some((_, end)) = video_paragraph(&events[i - 1..]) {
                    i += end;
                    continue;
                }
                prose = true;
                depth += 1;
            }
            Event::Start(Tag::Image { .. }) => {
                images += 1;
                depth += 1;
            }
            Event::End(TagEnd::Image) => {
                images = images.saturating_sub(1);
                depth = depth.saturating_sub(1);
            }
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        let words = prose && images == 0;
        match event {
            Event::Text(t) | Event::Code(t) if words => out.push_str(t),
            Event::SoftBreak | Event::HardBreak if words => out.push(' '),
            Event::End(TagEnd::Paragraph) if prose && depth == 0 => {
                prose = false;
                out.push_str("\n\n");
            }
            _ => {}
        }
    }
    out.truncate(out.trim_end().len());
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
    fn prose_text_is_the_top_level_paragraphs_alone() {
        let md = "## The vote\n\nThe board **approved** the [levy](https://x.example) on\nMonday.\n\n\
                  - Five for\n- Two against\n\n> A quoted line.\n\n![Crowd at the hall](/media/a.jpg) \
                  It took an hour &amp; ten minutes.\n\n```\ncode\n```\n\n\
                  https://youtu.be/dQw4w9WgXcQ\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\nThe end.";
        assert_eq!(
            super::prose_text(md),
            "The board approved the levy on Monday.\n\n It took an hour & ten minutes.\n\nThe end."
        );
        assert_eq!(super::prose_text(""), "");
    }

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

    const FRAME: &str = "<iframe src=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ\" title=\"Video on YouTube\" sandbox=\"allow-scripts allow-same-origin allow-presentation allow-popups\"";

    #[test]
    fn a_youtube_or_vimeo_address_alone_in_a_paragraph_renders_the_player() {
        for md in [
            "Before.\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n\nAfter.",
            "Before.\n\n<https://youtu.be/dQw4w9WgXcQ>\n\nAfter.",
            "Before.\n\n  https://www.youtube.com/watch?v=dQw4w9WgXcQ  \n\nAfter.",
        ] {
            let html = render_markdown(md);
            assert!(html.contains(FRAME), "{md:?}: {html}");
            assert!(
                html.starts_with("<p>Before.</p>\n<div class=\"video\">")
                    && html.ends_with("<p>After.</p>\n"),
                "{html}"
            );
            assert!(
                html.contains(">Watch the video on YouTube</a></p>"),
                "{html}"
            );
            assert_eq!(html.matches("<iframe").count(), 1, "{html}");
        }
        let vimeo = render_markdown("https://vimeo.com/76979871");
        assert!(
            vimeo.contains("<iframe src=\"https://player.vimeo.com/video/76979871?dnt=1\" title=\"Video on Vimeo\""),
            "{vimeo}"
        );
        // Every frame's address is on an origin the pages' frame-src allows.
        for html in [render_markdown("https://youtu.be/dQw4w9WgXcQ"), vimeo] {
            let src = html.split("<iframe src=\"").nth(1).unwrap_or_default();
            assert!(
                masthead_core::video::PLAYER_ORIGINS
                    .iter()
                    .any(|o| src.starts_with(&format!("{o}/"))),
                "{html}"
            );
        }
    }

    #[test]
    fn other_addresses_and_addresses_among_words_stay_text_or_links() {
        for md in [
            "https://videos.example.net/watch?v=dQw4w9WgXcQ",
            "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
            "Watch https://youtu.be/dQw4w9WgXcQ today",
            "[the parade](https://youtu.be/dQw4w9WgXcQ)",
            "https://youtu.be/dQw4w9WgXcQ\nhttps://youtu.be/dQw4w9WgXcQ",
            "> https://youtu.be/dQw4w9WgXcQ",
            "- https://youtu.be/dQw4w9WgXcQ",
            "`https://youtu.be/dQw4w9WgXcQ`",
        ] {
            let html = render_markdown(md);
            assert!(!html.contains("<iframe"), "{md:?}: {html}");
        }
        assert_eq!(
            render_markdown("<https://videos.example.net/clip/9>"),
            "<p><a href=\"https://videos.example.net/clip/9\" rel=\"noopener noreferrer\">https://videos.example.net/clip/9</a></p>\n"
        );
    }

    #[test]
    fn every_other_iframe_is_still_removed() {
        let html = render_markdown(
            "<iframe src=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ\"></iframe>\n\n\
             https://youtu.be/dQw4w9WgXcQ\n\n\
             <div><iframe src=\"https://evil.example/\"></iframe></div>\n\n\
             <iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
        );
        assert_eq!(html.matches("<iframe").count(), 1, "{html}");
        assert!(
            html.contains(FRAME) && !html.contains("evil.example") && !html.contains("<script")
        );
    }

    #[test]
    fn a_video_paragraph_has_no_words_for_the_excerpt() {
        let text = article_text("https://youtu.be/dQw4w9WgXcQ\n\nThe parade, from the bridge.");
        assert_eq!(text.excerpt, "The parade, from the bridge.");
        assert!(plain_text("Watch https://youtu.be/dQw4w9WgXcQ").contains("youtu.be"));
    }

    /// The body's player is the video post's: the same sandbox, permissions and referrer
    /// policy as `article.html` frames a player with.
    #[test]
    #[allow(clippy::expect_used)]
    fn the_body_player_is_framed_as_the_video_post_frames_it() {
        let template = include_str!("../../../themes/default/templates/article.html");
        let frame = template
            .split("<iframe ")
            .nth(1)
            .and_then(|f| f.split("></iframe>").next())
            .expect("article.html frames the player");
        let attributes = frame
            .split_once(" sandbox=")
            .map(|(_, rest)| format!(" sandbox={rest}"))
            .expect("the frame is sandboxed");
        let html = render_markdown("https://youtu.be/dQw4w9WgXcQ");
        assert!(
            html.contains(&format!("{attributes}></iframe>")),
            "{attributes}\n{html}"
        );
    }

    #[test]
    fn the_video_link_is_escaped() {
        let html = render_markdown("https://youtu.be/dQw4w9WgXcQ?x=\"'&y");
        assert!(html.contains(FRAME), "{html}");
        assert!(
            html.contains("<a href=\"https://youtu.be/dQw4w9WgXcQ?x=&quot;&#39;&amp;y\""),
            "{html}"
        );
    }

    #[test]
    fn raw_html_around_a_player_stays_balanced() {
        // A raw block open across the player is closed by the sanitizer before the frame.
        let html = render_markdown("<div>\n\nInside\n\nhttps://youtu.be/dQw4w9WgXcQ\n\n</div>");
        assert!(html.contains(FRAME), "{html}");
        assert_eq!(
            html.matches("<div").count(),
            html.matches("</div>").count(),
            "{html}"
        );
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
