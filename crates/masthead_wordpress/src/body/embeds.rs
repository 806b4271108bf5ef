//! Video embeds: the addresses WordPress would turn into a player, turned into masthead's.
//!
//! WordPress embeds a YouTube or Vimeo video wherever its address stands alone: on a line of
//! its own or in a paragraph of its own (`WP_Embed::autoembed`), in an `[embed]` shortcode or
//! an embed block; writers also pasted the player's `<iframe>`. masthead's story body has one
//! way to say it: a paragraph holding nothing but the address, which the renderer shows as the
//! sandboxed player (`masthead_render::markdown`). Here every such place becomes a marked
//! paragraph, `<p>` + [`VIDEO_MARK`] + address + [`VIDEO_MARK`] + `</p>`, which survives the
//! sanitizer as text and which the Markdown writer prints as the address alone on its line.
//! Any other address alone on a line becomes a link, as WordPress's `maybe_make_link` does.

use masthead_core::html_text::escape;
use masthead_core::video::VideoUrl;
use regex::{Captures, Regex};
use std::sync::LazyLock;

/// Marks a video paragraph between the steps (a private-use character: the converter removes
/// any from its input first, so only these steps can write it).
pub const VIDEO_MARK: char = '\u{E000}';

/// The address written into the body for a YouTube or Vimeo address, or `None` for other hosts.
///
/// It is the host's plain page address rebuilt from the player address [`VideoUrl`] makes,
/// so the same video is written the same way whichever form the post used (`youtu.be`, an
/// embed iframe, a watch page with tracking parameters), and it holds no character Markdown
/// could read as markup.
pub fn video_address(url: &str) -> Option<String> {
    let player = VideoUrl::parse(url.trim()).ok()?;
    page_address(player.as_str())
}

/// The page address of one of our player addresses (the inverse of [`VideoUrl::parse`]).
fn page_address(player: &str) -> Option<String> {
    if let Some(rest) = player.strip_prefix("https://www.youtube-nocookie.com/embed/") {
        let (id, start) = match rest.split_once("?start=") {
            Some((id, start)) => (id, Some(start)),
            None => (rest, None),
        };
        let mut page = format!("https://www.youtube.com/watch?v={id}");
        if let Some(start) = start {
            page.push_str("&t=");
            page.push_str(start);
        }
        return Some(page);
    }
    let rest = player.strip_prefix("https://player.vimeo.com/video/")?;
    let (id, query) = rest.split_once('?').unwrap_or((rest, ""));
    let hash = query.split('&').find_map(|pair| pair.strip_prefix("h="));
    Some(match hash {
        Some(h) => format!("https://vimeo.com/{id}/{h}"),
        None => format!("https://vimeo.com/{id}"),
    })
}

/// The HTML an embedded address becomes: a marked video paragraph for YouTube and Vimeo, a
/// link in a paragraph of its own for any other http(s) address, nothing for anything else.
pub fn embed_html(url: &str) -> String {
    let url = url.trim();
    match video_address(url) {
        Some(video) => format!("\n\n<p>{VIDEO_MARK}{video}{VIDEO_MARK}</p>\n\n"),
        None if is_web_address(url) => {
            let url = escape(url);
            format!("\n\n<p><a href=\"{url}\">{url}</a></p>\n\n")
        }
        None => String::new(),
    }
}

pub(super) fn is_web_address(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

fn re(pattern: &str) -> Regex {
    // Constant patterns, run by every test of this file.
    #[allow(clippy::unwrap_used)]
    Regex::new(pattern).unwrap()
}

/// An address alone on its line (WordPress: `|^(\s*)(https?://[^\s<>"]+)(\s*)$|im`).
static OWN_LINE: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(?im)^([ \t]*)(https?://[^\s<>"]+)([ \t]*)$"#));
/// An address alone in its paragraph (`|(<p(?: [^>]*)?>\s*)(https?://[^\s<>"]+)(\s*<\/p>)|i`).
static OWN_PARAGRAPH: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(?i)<p(?: [^>]*)?>\s*(https?://[^\s<>"]+)\s*</p>"#));
/// A pasted player: `<iframe … src="…" …>…</iframe>`.
static IFRAME: LazyLock<Regex> = LazyLock::new(|| {
    re(r#"(?is)<iframe\b[^>]*?\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))[^>]*>.*?</iframe>"#)
});

/// A self-hosted player: `<video …>…</video>` or `<audio …>…</audio>` (the video and audio
/// blocks, and what the `[video]` and `[audio]` shortcodes print).
static MEDIA: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(?is)<(video|audio)\b([^>]*)>(.*?)</(?:video|audio)>"#));
static SRC: LazyLock<Regex> =
    LazyLock::new(|| re(r#"(?is)\ssrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))"#));

/// A self-hosted video or audio file becomes a link to the file: the sanitizer removes the
/// player (masthead has no in-body player for files), and the link keeps the file in the
/// story for the desk (and the importer) to see.
fn media_links(html: &str) -> String {
    MEDIA
        .replace_all(html, |c: &Captures<'_>| {
            let src = SRC
                .captures(&c[2])
                .or_else(|| SRC.captures(&c[3]))
                .and_then(|s| s.get(1).or_else(|| s.get(2)).or_else(|| s.get(3)))
                .map(|m| m.as_str().replace("&amp;", "&"));
            match src {
                Some(src) if is_web_address(&src) || src.starts_with('/') => {
                    let what = if c[1].eq_ignore_ascii_case("audio") {
                        "Listen"
                    } else {
                        "Watch the video"
                    };
                    format!("\n\n<p><a href=\"{}\">{what}</a></p>\n\n", escape(&src))
                }
                _ => String::new(),
            }
        })
        .into_owned()
}

/// WordPress's auto-embed over a post's HTML, plus pasted YouTube and Vimeo iframes. Iframes
/// of other hosts are left for the sanitizer, which removes them; self-hosted video and audio
/// become links to their files.
pub fn autoembed(html: &str) -> String {
    let media;
    let html = if html.contains("</video>") || html.contains("</audio>") {
        media = media_links(html);
        media.as_str()
    } else {
        html
    };
    let html = if html.contains("<iframe") || html.contains("<IFRAME") {
        IFRAME.replace_all(html, |c: &Captures<'_>| {
            let src = c
                .get(1)
                .or_else(|| c.get(2))
                .or_else(|| c.get(3))
                .map_or("", |m| m.as_str());
            let src = src.replace("&amp;", "&");
            let src = match src.strip_prefix("//") {
                Some(rest) => format!("https://{rest}"),
                None => src,
            };
            match video_address(&src) {
                Some(_) => embed_html(&src),
                None => c[0].to_owned(),
            }
        })
    } else {
        html.into()
    };
    if !html.contains("http://") && !html.contains("https://") {
        return html.into_owned();
    }
    outside_pre(&html, |part| {
        let part = OWN_LINE.replace_all(part, |c: &Captures<'_>| embed_html(&c[2]));
        OWN_PARAGRAPH
            .replace_all(&part, |c: &Captures<'_>| embed_html(&c[1]))
            .into_owned()
    })
}

/// `f` applied to the HTML outside `<pre>` elements (an address on a line of code is code).
fn outside_pre(html: &str, f: impl Fn(&str) -> String) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find("<pre") {
        out.push_str(&f(&rest[..open]));
        let end = rest[open..]
            .find("</pre>")
            .map_or(rest.len(), |e| open + e + "</pre>".len());
        out.push_str(&rest[open..end]);
        rest = &rest[end..];
    }
    out.push_str(&f(rest));
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_youtube_and_vimeo_form_is_written_as_one_page_address() {
        for (url, page) in [
            (
                "https://youtu.be/dQw4w9WgXcQ",
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            ),
            (
                "https://www.youtube.com/embed/dQw4w9WgXcQ?feature=oembed",
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            ),
            (
                "https://m.youtube.com/watch?v=dQw4w9WgXcQ&t=1m30s",
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=90",
            ),
            ("https://vimeo.com/76979871", "https://vimeo.com/76979871"),
            (
                "https://player.vimeo.com/video/76979871?h=abc123",
                "https://vimeo.com/76979871/abc123",
            ),
        ] {
            let written = video_address(url).unwrap();
            assert_eq!(written, page, "{url}");
            // The written address is the same video to the renderer.
            assert_eq!(
                VideoUrl::parse(&written).unwrap(),
                VideoUrl::parse(url).unwrap()
            );
        }
        assert_eq!(
            video_address("https://evil.example/embed/dQw4w9WgXcQ"),
            None
        );
    }

    #[test]
    fn an_address_alone_on_its_line_is_embedded_and_others_are_linked() {
        let out = autoembed(
            "Watch:\nhttps://youtu.be/dQw4w9WgXcQ\nor read https://example.org/a inline\nhttps://example.org/story\n",
        );
        assert!(
            out.contains(&format!(
                "<p>{VIDEO_MARK}https://www.youtube.com/watch?v=dQw4w9WgXcQ{VIDEO_MARK}</p>"
            )),
            "{out}"
        );
        assert!(out.contains("read https://example.org/a inline"), "{out}");
        assert!(
            out.contains(
                "<p><a href=\"https://example.org/story\">https://example.org/story</a></p>"
            ),
            "{out}"
        );
    }

    #[test]
    fn an_address_alone_in_its_paragraph_is_embedded() {
        let out = autoembed(
            "<p class=\"x\"> https://vimeo.com/76979871 </p><p>Text https://vimeo.com/1</p>",
        );
        assert!(
            out.contains(&format!(
                "{VIDEO_MARK}https://vimeo.com/76979871{VIDEO_MARK}"
            )),
            "{out}"
        );
        assert!(out.contains("<p>Text https://vimeo.com/1</p>"), "{out}");
    }

    #[test]
    fn pasted_players_are_embedded_and_other_iframes_left_for_the_sanitizer() {
        let out = autoembed(
            "<iframe width=\"560\" height=\"315\" src=\"//www.youtube.com/embed/dQw4w9WgXcQ?rel=0&amp;controls=0\" frameborder=\"0\" allowfullscreen></iframe>\n<iframe src=\"https://evil.example/x\"></iframe>",
        );
        assert!(
            out.contains(&format!(
                "{VIDEO_MARK}https://www.youtube.com/watch?v=dQw4w9WgXcQ{VIDEO_MARK}"
            )),
            "{out}"
        );
        assert!(out.contains("<iframe src=\"https://evil.example/x\"></iframe>"));
    }

    #[test]
    fn self_hosted_video_and_audio_become_links_to_their_files() {
        let out = autoembed(
            "<figure class=\"wp-block-video\"><video controls src=\"https://old.example/wp-content/uploads/clip.mp4\"></video></figure>\n<audio controls><source src=\"/wp-content/uploads/pod.mp3?a=1&amp;b=2\" type=\"audio/mpeg\"></audio>\n<video src=\"javascript:alert(1)\"></video>",
        );
        assert!(
            out.contains("<p><a href=\"https://old.example/wp-content/uploads/clip.mp4\">Watch the video</a></p>"),
            "{out}"
        );
        assert!(
            out.contains("<p><a href=\"/wp-content/uploads/pod.mp3?a=1&amp;b=2\">Listen</a></p>"),
            "{out}"
        );
        assert!(
            !out.contains("javascript") && !out.contains("<video"),
            "{out}"
        );
    }

    #[test]
    fn an_address_on_a_line_of_code_stays_code() {
        let html = "<pre>curl\nhttps://youtu.be/dQw4w9WgXcQ\n</pre>\nhttps://youtu.be/dQw4w9WgXcQ";
        let out = autoembed(html);
        assert!(
            out.starts_with("<pre>curl\nhttps://youtu.be/dQw4w9WgXcQ\n</pre>"),
            "{out}"
        );
        assert_eq!(out.matches(VIDEO_MARK).count(), 2, "{out}");
    }

    #[test]
    fn addresses_that_are_not_web_addresses_embed_nothing() {
        assert_eq!(embed_html("javascript:alert(1)"), "");
        assert!(embed_html("https://a.example/?q=\"<x>").contains("&quot;&lt;x&gt;"));
    }
}
