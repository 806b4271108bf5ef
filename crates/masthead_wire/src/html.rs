//! HTML from feeds: one allow-list sanitizer (stricter than the site's own), plain text
//! from sanitized HTML, the images a body holds, and the wrapping that lets sanitized HTML
//! sit in a Markdown body and come out verbatim.
//!
//! Functions that read HTML here ([`plain_text`], [`images`]) read only what [`sanitize`]
//! wrote: html5ever's serializer always quotes attributes with `"` and escapes only `&`,
//! `<`, `>`, `"` and no-break spaces, so a small scanner is exact on it.

use ammonia::{Builder, Url, UrlRelative};
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// Tags a wire body may keep. No `div`, `span`, `iframe`, `form`, `style` or `script`: a
/// story's text, its structure and its pictures, nothing that lays out or runs.
const TAGS: &[&str] = &[
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
];

/// Tags after which plain text gets a space, so "<p>a</p><p>b</p>" reads "a b".
const BLOCKS: &[&str] = &[
    "p",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "tr",
    "td",
    "th",
    "blockquote",
    "figure",
    "figcaption",
    "pre",
    "hr",
    "dd",
    "dt",
    "ul",
    "ol",
    "table",
    "caption",
    "div",
];

/// The sanitizer, with relative addresses made absolute against `base` (or dropped when
/// there is no base: a relative link in a republished story would point into our site).
fn builder(base: Option<Url>) -> Builder<'static> {
    let mut b = Builder::empty();
    b.tags(TAGS.iter().copied().collect());
    b.clean_content_tags(HashSet::from([
        "script", "style", "iframe", "noscript", "template",
    ]));
    let mut attrs: HashMap<&str, HashSet<&str>> = HashMap::new();
    attrs.insert("a", HashSet::from(["href", "title"]));
    attrs.insert(
        "img",
        HashSet::from(["src", "alt", "width", "height", "title"]),
    );
    attrs.insert("td", HashSet::from(["colspan", "rowspan"]));
    attrs.insert("th", HashSet::from(["colspan", "rowspan", "scope"]));
    attrs.insert("abbr", HashSet::from(["title"]));
    attrs.insert("blockquote", HashSet::from(["cite"]));
    attrs.insert("q", HashSet::from(["cite"]));
    b.tag_attributes(attrs);
    b.url_schemes(HashSet::from(["http", "https", "mailto"]));
    b.link_rel(Some("noopener noreferrer"));
    b.strip_comments(true);
    b.url_relative(match base {
        Some(base) => UrlRelative::RewriteWithBase(base),
        None => UrlRelative::Deny,
    });
    b
}

/// Sanitizes untrusted HTML: only [`TAGS`], no event handlers or styles, links and image
/// sources http(s) or mailto only, relative ones resolved against `base`.
pub fn sanitize(html: &str, base: Option<&Url>) -> String {
    builder(base.cloned()).clean(html).to_string()
}

/// Escapes text for HTML element content and attribute values.
pub use masthead_core::html_text::escape;

/// Plain text of untrusted markup (a headline, an author, a summary): tags removed,
/// entities decoded, whitespace collapsed.
pub fn to_plain(markup: &str) -> String {
    // Sanitized with the body's allow-list rather than none, so block tags survive long
    // enough for `plain_text` to put a space between "<p>a</p><p>b</p>".
    static PLAIN: LazyLock<Builder<'static>> = LazyLock::new(|| builder(None));
    collapse(&plain_text(&PLAIN.clean(markup).to_string()))
}

/// Collapses runs of whitespace to one space and trims.
pub fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The text of sanitized HTML, blocks separated by spaces (not collapsed).
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        decode_into(&rest[..lt], &mut out);
        let tag_end = tag_end(&rest[lt..]).map_or(rest.len(), |e| lt + e);
        let name = tag_name(&rest[lt..tag_end]);
        if BLOCKS.contains(&name.as_str()) {
            out.push(' ');
        }
        rest = &rest[tag_end..];
    }
    decode_into(rest, &mut out);
    out
}

/// An `<img>` in sanitized HTML.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImgTag {
    /// Its `src`, decoded.
    pub src: String,
    /// Its `alt`, decoded, if present.
    pub alt: Option<String>,
    /// Its `width` and `height` attributes as written.
    pub width: Option<String>,
    /// See `width`.
    pub height: Option<String>,
    /// Where the tag sits in the HTML, to cut it out.
    pub span: std::ops::Range<usize>,
}

impl ImgTag {
    /// A 1×1 image: a tracking pixel, not a picture.
    pub fn is_pixel(&self) -> bool {
        let one = |v: &Option<String>| v.as_deref().is_some_and(|v| v.trim() == "1");
        one(&self.width) && one(&self.height)
    }
}

/// The images in sanitized HTML, in order.
pub fn images(html: &str) -> Vec<ImgTag> {
    let mut found = Vec::new();
    let mut pos = 0;
    while let Some(off) = html[pos..].find("<img") {
        let start = pos + off;
        let end = tag_end(&html[start..]).map_or(html.len(), |e| start + e);
        let attrs = attributes(&html[start..end]);
        let get = |n: &str| attrs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        if let Some(src) = get("src") {
            found.push(ImgTag {
                src,
                alt: get("alt"),
                width: get("width"),
                height: get("height"),
                span: start..end,
            });
        }
        pos = end;
    }
    found
}

/// Wraps sanitized HTML so a CommonMark renderer passes it through untouched.
///
/// Why this shape: CommonMark ends a raw HTML block at the first blank line and reads
/// Markdown after it (so `*`, `_` or `#` in a later paragraph would turn into markup). The
/// HTML is put on one line by writing each line break as `&#10;` — the same character to an
/// HTML parser, inside `<pre>` too — and opened with `<div>`, a tag that starts an HTML block.
/// Proved through pulldown-cmark by `markdown_passes_the_body_through_verbatim`.
pub fn as_markdown_block(html: &str) -> String {
    let one_line = html.replace("\r\n", "&#10;").replace(['\r', '\n'], "&#10;");
    format!("<div>{one_line}</div>\n")
}

/// The byte length of the tag starting at `s[0] == '<'`, quotes respected.
fn tag_end(s: &str) -> Option<usize> {
    let mut quoted = false;
    for (i, c) in s.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '>' if !quoted => return Some(i + 1),
            _ => {}
        }
    }
    None
}

fn tag_name(tag: &str) -> String {
    tag.trim_start_matches('<')
        .trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// `name="value"` pairs of one serialized tag, values decoded.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = tag;
    while let Some(eq) = rest.find("=\"") {
        let name = rest[..eq]
            .rsplit(|c: char| c.is_whitespace())
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let value_start = eq + 2;
        let Some(len) = rest[value_start..].find('"') else {
            break;
        };
        let mut value = String::new();
        decode_into(&rest[value_start..value_start + len], &mut value);
        out.push((name, value));
        rest = &rest[value_start + len + 1..];
    }
    out
}

/// Appends `text` with the entities html5ever writes (and numeric ones) decoded.
fn decode_into(text: &str, out: &mut String) {
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let semi = after.find(';').filter(|&i| i <= 10);
        let decoded = semi.and_then(|i| entity(&after[1..i]).map(|c| (c, i + 1)));
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &after[len..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
}

fn entity(name: &str) -> Option<char> {
    match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        "nbsp" => Some('\u{a0}'),
        _ => {
            let num = name.strip_prefix('#')?;
            let code = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_separates_blocks_and_decodes() {
        let html = sanitize("<p>Fish &amp; chips</p><p>a <b>bold</b> 1 &lt; 2</p>", None);
        assert_eq!(collapse(&plain_text(&html)), "Fish & chips a bold 1 < 2");
    }

    #[test]
    fn images_are_found_with_their_attributes() {
        let html = sanitize(
            r#"<p>x</p><img src="/a.jpg" alt="A &quot;cat&quot; > dog"><img src="https://t.example/p.gif" width="1" height="1">"#,
            Url::parse("https://news.example/story/1").ok().as_ref(),
        );
        let imgs = images(&html);
        assert_eq!(imgs.len(), 2, "{html}");
        assert_eq!(imgs[0].src, "https://news.example/a.jpg");
        assert_eq!(imgs[0].alt.as_deref(), Some("A \"cat\" > dog"));
        assert!(imgs[1].is_pixel());
        assert_eq!(&html[imgs[1].span.clone()][..4], "<img");
    }

    #[test]
    fn titles_lose_markup_and_entities() {
        assert_eq!(
            to_plain("  <b>Budget</b>   &amp;amp; taxes &lt; $1M<script>x</script> "),
            "Budget &amp; taxes < $1M"
        );
    }
}
