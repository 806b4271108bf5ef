//! A WordPress post's HTML turned into masthead Markdown.
//!
//! **Decision: imported bodies are stored as Markdown**, converted from sanitized HTML, so the
//! desk edits one body format whatever a story's origin, and every body is rendered by the
//! one renderer (`masthead_render::markdown`: pulldown-cmark, then ammonia). What Markdown
//! cannot say is kept as the raw HTML the renderer lets through its sanitizer (figures with
//! captions); what masthead cannot show (plugins' shortcodes) is kept as visible text and
//! reported. [`convert`] takes the HTML of a post's `<content:encoded>` through the steps
//! WordPress itself runs when it prints a post, in its order, then through the sanitizer:
//!
//! 1. `breaks.rs`: `<!--nextpage-->` pages joined with a rule and counted, the first
//!    `<!--more-->` marked (its place reported, the break dropped);
//! 2. `blocks.rs`: a block-editor post loses its block comments (embed blocks become video
//!    embeds or links); a classic post gets its paragraphs from [`autop`], WordPress's
//!    `wpautop`;
//! 3. `embeds.rs`: addresses alone on a line or in a paragraph, and pasted YouTube and Vimeo
//!    iframes, become video embeds (WordPress's auto-embed); self-hosted `<video>` and
//!    `<audio>` become links to their files;
//! 4. `shortcodes.rs`: `[caption]`, `[gallery]`, `[embed]`, `[video]`, `[youtube]`,
//!    `[vimeo]` expanded; others kept as text and listed;
//! 5. `sanitize.rs`: ammonia's allowlist, as for every body (a post nested deeper than any
//!    page needs is flattened first, `depth.rs`); then `dom.rs` reads the result as a tree
//!    and `markdown.rs` writes it (that module documents the dialect).
//!
//! The Markdown writer is our own walk over html5ever's tokens rather than a converter crate:
//! `htmd`, the maintained one, is built on html5ever 0.38 and would compile a second
//! html5ever beside ammonia's 0.40, and the dialect (figures, videos, escaping for
//! pulldown-cmark) would need most of its handlers replaced anyway.
//!
//! Cost: about 0.3 ms of CPU for a typical 5 KB post in a release build (a block-editor post
//! 0.27 ms, a classic one 0.35 ms, with ammonia about a third of it; the benchmark
//! `examples/body_speed.rs`), so 100,000 posts take well under a minute of converting.

mod autop;
mod blocks;
mod breaks;
mod depth;
mod dom;
mod embeds;
mod escape;
mod figure;
mod images;
mod markdown;
mod sanitize;
mod shortcodes;
mod table;

pub use autop::autop;
pub use blocks::{has_blocks, strip_blocks};
pub use embeds::video_address;
pub use images::rewrite_images;

use std::collections::HashMap;

/// What the importer knows that a post's HTML only refers to.
#[derive(Debug, Clone, Default)]
pub struct ConvertOptions {
    /// The export's attachments by post id, for `[gallery ids="…"]`.
    pub attachments: HashMap<u64, Attachment>,
}

/// An attachment (an uploaded image) of the export.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attachment {
    /// The file's address (`<wp:attachment_url>`).
    pub url: String,
    /// Its alt text (`_wp_attachment_image_alt`).
    pub alt: String,
    /// Its caption (the attachment's excerpt).
    pub caption: String,
}

/// An image a converted body shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyImage {
    /// The address as the post wrote it (after the sanitizer): what [`rewrite_images`]'s map
    /// is asked about.
    pub src: String,
    /// Its alt text, spaces collapsed; empty when the post gave none.
    pub alt: String,
    /// The caption's text, when the image is in a figure with one.
    pub caption: Option<String>,
}

/// A converted post body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Converted {
    /// The body as masthead Markdown, ending in a newline unless empty.
    pub markdown: String,
    /// Every image in the body, in order.
    pub images: Vec<BodyImage>,
    /// The names of shortcodes left as text, each once, in order of first use.
    pub unknown_shortcodes: Vec<String>,
    /// The YouTube and Vimeo addresses embedded, as written in the body, in order.
    pub videos: Vec<String>,
    /// How many pages the post had (`<!--nextpage-->` parts); 1 for most posts.
    pub pages: usize,
    /// Where the teaser break (`<!--more-->`) stood: a byte offset into `markdown` at the end
    /// of the block that held it, so `markdown[..more_at]` is the teaser.
    pub more_at: Option<usize>,
}

/// Converts a post's HTML (`<content:encoded>`) into masthead Markdown.
pub fn convert(html: &str, options: &ConvertOptions) -> Converted {
    // The steps mark places with private-use characters; none may come from the post.
    let html: String = html
        .chars()
        .filter(|c| !matches!(c, '\u{E000}'..='\u{E00F}' | '\0'))
        .collect();
    let html = html.replace("\r\n", "\n").replace('\r', "\n");

    let (html, pages) = breaks::mark_breaks(&html);
    let html = if blocks::has_blocks(&html) {
        embeds::autoembed(&blocks::strip_blocks(&html))
    } else {
        autop::autop(&embeds::autoembed(&html))
    };
    let mut unknown_shortcodes = Vec::new();
    let html = shortcodes::expand(&html, options, &mut unknown_shortcodes);
    let clean = sanitize::sanitize(&depth::cap_depth(&html));
    let written = markdown::write(&dom::parse(&clean));
    Converted {
        markdown: written.markdown,
        images: written.images,
        unknown_shortcodes,
        videos: written.videos,
        pages,
        more_at: written.more_at,
    }
}
