//! Shortcodes: the bracketed tags WordPress expands when it prints a post.
//!
//! Those a newsroom's posts hold and masthead can say are expanded the way WordPress does:
//! `[caption]` around an image becomes a figure with its caption, `[gallery ids="…"]` a figure
//! for each attachment the importer knows, `[embed]`, `[video]`, and Jetpack's `[youtube]` and
//! `[vimeo]` a video embed (see [`super::embeds`]). Every other shortcode is left as the
//! visible text it is (a plugin's output cannot be recreated without the plugin) and its name
//! is listed for the import report, so an editor can look at those stories. Text in brackets
//! is taken for a shortcode only when it looks like one (attributes with `=`, a closing tag,
//! `/]`, or a name with `_` or `-`), so "[sic]" and "[1]" are neither changed nor reported.
//! `[[name]]` is WordPress's escape: it prints `[name]` literally.

use super::embeds;
use super::{Attachment, ConvertOptions};
use masthead_core::html_text::escape;
use regex::Regex;
use std::sync::LazyLock;

/// The longest opening tag read; a `[` followed by more without `]` is text.
const MAX_TAG: usize = 4096;

/// One opening tag as written: `[name attrs]` or `[name attrs /]`.
struct Tag<'a> {
    name: &'a str,
    attrs: &'a str,
    self_closing: bool,
    /// Byte length of the opening tag, brackets included.
    len: usize,
}

/// Reads an opening tag at the start of `text` (which starts with `[`).
fn open_tag(text: &str) -> Option<Tag<'_>> {
    let inner = text.get(1..)?;
    let name_len = inner
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(inner.len());
    let name = &inner[..name_len];
    let first = name.chars().next()?;
    if !first.is_ascii_lowercase() || name.bytes().any(|b| b.is_ascii_uppercase()) {
        return None;
    }
    let after = &inner[name_len..];
    if !(after.starts_with(']')
        || after.starts_with('/')
        || after.starts_with('=')
        || after.starts_with(|c: char| c.is_whitespace()))
    {
        return None;
    }
    // The tag ends at the first `]`; a `[` before it means this was not a tag (and stopping
    // there keeps a post of many `[` linear).
    let window = after.get(..after.len().min(MAX_TAG)).unwrap_or(after);
    let close = window.find([']', '['])?;
    let raw = &after[..close];
    if after[close..].starts_with('[') || raw.contains("\n\n") {
        return None;
    }
    let (attrs, self_closing) = match raw.strip_suffix('/') {
        Some(a) => (a, true),
        None => (raw, false),
    };
    Some(Tag {
        name,
        attrs,
        self_closing,
        len: 1 + name_len + close + 1,
    })
}

/// Expands the shortcodes of a post's HTML, adding unknown names to `unknown` once each.
pub fn expand(html: &str, options: &ConvertOptions, unknown: &mut Vec<String>) -> String {
    if !html.contains('[') {
        return html.to_owned();
    }
    let closers = Closers::of(html);
    let mut out = String::with_capacity(html.len());
    let mut at = 0;
    while let Some(found) = html[at..].find('[') {
        out.push_str(&html[at..at + found]);
        at += found;
        let rest = &html[at..];

        // `[[name …]]`: the shortcode's own text, one bracket less on each side.
        if rest.starts_with("[[")
            && let Some(tag) = open_tag(&rest[1..])
        {
            let mut end = 1 + tag.len;
            if !tag.self_closing
                && ENCLOSING.contains(&tag.name)
                && let Some(close) = closers.after(tag.name, at + end)
            {
                end = close - at + tag.name.len() + 3;
            }
            if rest[end..].starts_with(']') {
                out.push_str(&rest[1..end]);
                at += end + 1;
                continue;
            }
        }

        let Some(tag) = open_tag(rest) else {
            out.push('[');
            at += 1;
            continue;
        };
        let after = at + tag.len;
        let content_end = closers
            .after(tag.name, after)
            .filter(|_| !tag.self_closing)
            .map(|close| close - after);
        if let Some((expanded, consumed)) = known(&tag, &html[after..], content_end, options) {
            if expanded.is_empty() {
                // Known but nothing to show (a gallery of unknown attachments): report it.
                note(unknown, tag.name);
                out.push_str(&rest[..tag.len]);
                at = after;
            } else {
                out.push_str(&expanded);
                at = after + consumed;
            }
            continue;
        }
        if looks_like_shortcode(&tag, content_end.is_some()) {
            note(unknown, tag.name);
        }
        // Unknown: the opening tag stays as text; what it encloses is read on.
        out.push_str(&rest[..tag.len]);
        at = after;
    }
    out.push_str(&html[at..]);
    out
}

/// Where each `[/name]` closing tag stands, so finding a tag's closer costs a lookup, not a
/// scan of the rest of the post (a post of many bracketed words stays linear).
struct Closers<'a>(std::collections::HashMap<&'a str, Vec<usize>>);

impl<'a> Closers<'a> {
    fn of(html: &'a str) -> Self {
        let mut map: std::collections::HashMap<&'a str, Vec<usize>> = Default::default();
        for (i, _) in html.match_indices("[/") {
            let rest = &html[i + 2..];
            if let Some(end) = rest.find(']').filter(|&e| e <= 64)
                && !rest[..end].is_empty()
            {
                map.entry(&rest[..end]).or_default().push(i);
            }
        }
        Self(map)
    }

    /// The first `[/name]` at or after byte `from`.
    fn after(&self, name: &str, from: usize) -> Option<usize> {
        let positions = self.0.get(name)?;
        let i = positions.partition_point(|&p| p < from);
        positions.get(i).copied()
    }
}

fn note(unknown: &mut Vec<String>, name: &str) {
    if !unknown.iter().any(|n| n == name) {
        unknown.push(name.to_owned());
    }
}

fn looks_like_shortcode(tag: &Tag<'_>, closed: bool) -> bool {
    tag.attrs.contains('=') || tag.self_closing || closed || tag.name.contains(['_', '-'])
}

/// The known shortcodes that take content.
const ENCLOSING: &[&str] = &[
    "caption",
    "wp_caption",
    "embed",
    "video",
    "youtube",
    "vimeo",
];

/// Expands a known shortcode: its HTML and how many bytes after the opening tag it consumed
/// (content and closing tag). `None` for unknown names.
fn known(
    tag: &Tag<'_>,
    after: &str,
    content_end: Option<usize>,
    options: &ConvertOptions,
) -> Option<(String, usize)> {
    let closer_len = tag.name.len() + 3;
    let (content, consumed) = match content_end {
        Some(end) if ENCLOSING.contains(&tag.name) => (&after[..end], end + closer_len),
        _ => ("", 0),
    };
    let attrs = attributes(tag.attrs);
    let html = match tag.name {
        "caption" | "wp_caption" => caption(&attrs, content),
        "gallery" => gallery(&attrs, options),
        "embed" => {
            let url = if content.trim().is_empty() {
                attr(&attrs, "src").unwrap_or_default()
            } else {
                content.trim()
            };
            embeds::embed_html(&url.replace("&amp;", "&"))
        }
        "video" => {
            let url = ["src", "mp4", "m4v", "webm", "ogv", "flv"]
                .iter()
                .find_map(|k| attr(&attrs, k))
                .unwrap_or(content.trim());
            let url = url.replace("&amp;", "&");
            match embeds::video_address(&url) {
                Some(_) => embeds::embed_html(&url),
                None if embeds::is_web_address(&url) => {
                    let url = escape(&url);
                    format!("\n\n<p><a href=\"{url}\">Watch the video</a></p>\n\n")
                }
                None => String::new(),
            }
        }
        "youtube" | "vimeo" => {
            let raw = if content.trim().is_empty() {
                positional_or(tag.attrs, &attrs, &["id", "url"])
            } else {
                content.trim().to_owned()
            };
            let raw = raw.replace("&amp;", "&");
            let url = if raw.starts_with("http") {
                raw
            } else if tag.name == "youtube" {
                format!("https://youtu.be/{raw}")
            } else {
                format!("https://vimeo.com/{raw}")
            };
            match embeds::video_address(&url) {
                Some(_) => embeds::embed_html(&url),
                None => String::new(),
            }
        }
        _ => return None,
    };
    Some((html, consumed))
}

/// `[caption]<a><img …></a> Caption[/caption]` → `<figure><img …><figcaption>…` (WordPress's
/// `img_caption_shortcode`: the image, optionally in a link, then the caption text; older
/// posts put the caption in a `caption` attribute).
fn caption(attrs: &[(String, String)], content: &str) -> String {
    static IMAGE: LazyLock<Regex> = LazyLock::new(|| {
        // A constant pattern, run by the caption tests.
        #[allow(clippy::unwrap_used)]
        Regex::new(r"(?is)^\s*((?:<a [^>]+>\s*)?<img [^>]+>(?:\s*</a>)?)(.*)$").unwrap()
    });
    let Some(m) = IMAGE.captures(content) else {
        return content.to_owned();
    };
    let image = m.get(1).map_or("", |g| g.as_str());
    let text = m.get(2).map_or("", |g| g.as_str()).trim();
    let text = match attr(attrs, "caption") {
        Some(c) if text.is_empty() => c,
        _ => text,
    };
    let mut out = String::from("\n\n<figure>");
    out.push_str(image);
    if !text.is_empty() {
        out.push_str("<figcaption>");
        out.push_str(text);
        out.push_str("</figcaption>");
    }
    out.push_str("</figure>\n\n");
    out
}

/// `[gallery ids="1,2,3"]` → one figure per attachment the importer knows, in order.
fn gallery(attrs: &[(String, String)], options: &ConvertOptions) -> String {
    let ids = attr(attrs, "ids").or_else(|| attr(attrs, "include"));
    let mut out = String::new();
    for id in ids.unwrap_or_default().split(',') {
        let Some(a) = id
            .trim()
            .parse::<u64>()
            .ok()
            .and_then(|id| options.attachments.get(&id))
        else {
            continue;
        };
        out.push_str(&figure(a));
    }
    out
}

fn figure(a: &Attachment) -> String {
    let mut out = format!(
        "\n\n<figure><img src=\"{}\" alt=\"{}\">",
        escape(&a.url),
        escape(&a.alt)
    );
    if !a.caption.trim().is_empty() {
        out.push_str("<figcaption>");
        out.push_str(&escape(a.caption.trim()));
        out.push_str("</figcaption>");
    }
    out.push_str("</figure>\n\n");
    out
}

fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Jetpack's forms: `[youtube URL]`, `[youtube=URL]`, `[vimeo 123]`, `[vimeo id=123]`.
fn positional_or(raw: &str, attrs: &[(String, String)], names: &[&str]) -> String {
    if let Some(v) = names.iter().find_map(|n| attr(attrs, n)) {
        return v.to_owned();
    }
    let raw = raw.trim_start_matches('=').trim();
    raw.trim_matches(|c| c == '"' || c == '\'')
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// WordPress's `shortcode_parse_atts`: `name="v"`, `name='v'`, `name=v`, and positional
/// values (kept under their index, "0", "1", …). Names are lowercased.
fn attributes(text: &str) -> Vec<(String, String)> {
    static ATTR: LazyLock<Regex> = LazyLock::new(|| {
        // A constant pattern, run by the shortcode tests.
        #[allow(clippy::unwrap_used)]
        Regex::new(
            r#"([\w-]+)\s*=\s*"([^"]*)"(?:\s|$)|([\w-]+)\s*=\s*'([^']*)'(?:\s|$)|([\w-]+)\s*=\s*([^\s'"]+)(?:\s|$)|"([^"]*)"(?:\s|$)|'([^']*)'(?:\s|$)|(\S+)(?:\s|$)"#,
        )
        .unwrap()
    });
    let text = text.replace(['\u{a0}', '\u{200b}'], " ");
    let mut out = Vec::new();
    let mut position = 0;
    for c in ATTR.captures_iter(&text) {
        let named = [(1, 2), (3, 4), (5, 6)]
            .iter()
            .find_map(|&(k, v)| Some((c.get(k)?.as_str(), c.get(v)?.as_str())));
        match named {
            Some((k, v)) => out.push((k.to_ascii_lowercase(), v.to_owned())),
            None => {
                if let Some(v) = c.get(7).or_else(|| c.get(8)).or_else(|| c.get(9)) {
                    out.push((position.to_string(), v.as_str().to_owned()));
                    position += 1;
                }
            }
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::body::embeds::VIDEO_MARK;

    fn run(html: &str) -> (String, Vec<String>) {
        let mut options = ConvertOptions::default();
        for (id, url, alt, caption) in [
            (
                11,
                "https://old.example/wp-content/uploads/a.jpg",
                "Alpha",
                "First",
            ),
            (
                12,
                "https://old.example/wp-content/uploads/b.jpg",
                "Beta",
                "",
            ),
        ] {
            options.attachments.insert(
                id,
                Attachment {
                    url: url.into(),
                    alt: alt.into(),
                    caption: caption.into(),
                },
            );
        }
        let mut unknown = Vec::new();
        let out = expand(html, &options, &mut unknown);
        (out, unknown)
    }

    #[test]
    fn a_caption_around_an_image_becomes_a_figure() {
        let (out, unknown) = run(
            "[caption id=\"attachment_5\" align=\"alignleft\" width=\"300\"]<a href=\"https://old.example/a.jpg\"><img class=\"size-medium\" src=\"https://old.example/a-300x200.jpg\" alt=\"Mayor\" width=\"300\" height=\"200\" /></a> The mayor, <em>smiling</em>[/caption]",
        );
        assert_eq!(
            out.trim(),
            "<figure><a href=\"https://old.example/a.jpg\"><img class=\"size-medium\" src=\"https://old.example/a-300x200.jpg\" alt=\"Mayor\" width=\"300\" height=\"200\" /></a><figcaption>The mayor, <em>smiling</em></figcaption></figure>"
        );
        assert!(unknown.is_empty());
        let (old, _) = run("[caption caption=\"In an attribute\"]<img src=\"x.jpg\">[/caption]");
        assert!(
            old.contains("<figcaption>In an attribute</figcaption>"),
            "{old}"
        );
    }

    #[test]
    fn a_gallery_becomes_figures_of_the_known_attachments() {
        let (out, unknown) = run("[gallery columns=\"2\" ids=\"11, 99,12\"]");
        let figures: Vec<&str> = out.split("\n\n").filter(|s| !s.is_empty()).collect();
        assert_eq!(
            figures,
            [
                "<figure><img src=\"https://old.example/wp-content/uploads/a.jpg\" alt=\"Alpha\"><figcaption>First</figcaption></figure>",
                "<figure><img src=\"https://old.example/wp-content/uploads/b.jpg\" alt=\"Beta\"></figure>",
            ]
        );
        assert!(unknown.is_empty());
        let (none, unknown) = run("[gallery]");
        assert_eq!(none, "[gallery]");
        assert_eq!(unknown, ["gallery"]);
    }

    #[test]
    fn embed_video_youtube_and_vimeo_shortcodes_become_video_embeds() {
        let yt = format!("{VIDEO_MARK}https://www.youtube.com/watch?v=dQw4w9WgXcQ{VIDEO_MARK}");
        let vimeo = format!("{VIDEO_MARK}https://vimeo.com/76979871{VIDEO_MARK}");
        for (input, expected) in [
            (
                "[embed width=\"640\"]https://youtu.be/dQw4w9WgXcQ[/embed]",
                &yt,
            ),
            (
                "[video src=\"https://www.youtube.com/watch?v=dQw4w9WgXcQ\"]",
                &yt,
            ),
            ("[youtube https://www.youtube.com/watch?v=dQw4w9WgXcQ]", &yt),
            (
                "[youtube=http://www.youtube.com/watch?v=dQw4w9WgXcQ&amp;w=320&amp;h=240]",
                &yt,
            ),
            ("[youtube dQw4w9WgXcQ]", &yt),
            ("[vimeo 76979871]", &vimeo),
            ("[vimeo https://vimeo.com/76979871]", &vimeo),
            ("[embed]https://vimeo.com/76979871[/embed]", &vimeo),
        ] {
            let (out, unknown) = run(input);
            assert!(out.contains(expected.as_str()), "{input}: {out}");
            assert!(unknown.is_empty(), "{input}");
        }
        let (file, _) = run("[video mp4=\"https://old.example/clip.mp4\"][/video]");
        assert!(
            file.contains("<a href=\"https://old.example/clip.mp4\">")
                && !file.contains("[/video]"),
            "{file}"
        );
    }

    #[test]
    fn unknown_shortcodes_stay_as_text_and_are_listed_once() {
        let input = "Listen: [audio mp3=\"https://old.example/a.mp3\"][/audio] then [contact-form-7 id=\"9\" title=\"Tips\"] and [audio src=\"b.mp3\"] [pullquote]Words[/pullquote]";
        let (out, unknown) = run(input);
        assert_eq!(out, input);
        assert_eq!(unknown, ["audio", "contact-form-7", "pullquote"]);
    }

    #[test]
    fn bracketed_words_are_not_shortcodes() {
        let input = "He said [sic] that [1] and [Editor's note: corrected] [a b] [";
        let (out, unknown) = run(input);
        assert_eq!(out, input);
        assert!(unknown.is_empty(), "{unknown:?}");
    }

    #[test]
    fn double_brackets_print_the_shortcode_literally() {
        let (out, unknown) =
            run("Type [[gallery ids=\"11\"]] or [[caption]x[/caption]] or [[audio]].");
        assert_eq!(
            out,
            "Type [gallery ids=\"11\"] or [caption]x[/caption] or [audio]."
        );
        assert!(unknown.is_empty());
    }

    #[test]
    fn attributes_are_read_as_wordpress_reads_them() {
        assert_eq!(
            attributes(" id=\"a\" Align='b' width=300 \"pos\" last"),
            [
                ("id".to_owned(), "a".to_owned()),
                ("align".to_owned(), "b".to_owned()),
                ("width".to_owned(), "300".to_owned()),
                ("0".to_owned(), "pos".to_owned()),
                ("1".to_owned(), "last".to_owned()),
            ]
        );
    }
}
