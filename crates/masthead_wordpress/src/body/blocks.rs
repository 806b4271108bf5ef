//! Gutenberg's block comments removed, the blocks' HTML kept.
//!
//! The block editor stores a post as HTML between delimiters such as
//! `<!-- wp:paragraph -->…<!-- /wp:paragraph -->` and self-closing ones such as
//! `<!-- wp:latest-posts {"postsToShow":3} /-->`, whose JSON attributes hold settings. The HTML
//! between them is what WordPress prints for static blocks, so it is kept and the delimiters go.
//! Embed blocks are the exception: their HTML is only the address on a line, which WordPress
//! replaces with the provider's player, so an embed block becomes a video embed when it is
//! YouTube or Vimeo, else a link, and its caption a paragraph. Dynamic blocks (latest posts,
//! reusable blocks) are rendered by WordPress from the database and leave nothing here.

use super::embeds;
use regex::Regex;
use std::sync::LazyLock;

/// One block delimiter: `<!-- wp:NAME {json} -->`, `<!-- /wp:NAME -->` or `<!-- wp:NAME /-->`,
/// with an optional namespace (`wp:core-embed/youtube`, `wp:jetpack/map`). The pattern is the
/// one WordPress's own block parser uses, without its possessive loops: the JSON is the
/// shortest text from `{` to a `}` followed by whitespace and the end of the comment
/// (WordPress escapes `--` inside attribute strings, so no string holds `-->`).
static DELIMITER: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern, run by every test of this file.
    #[allow(clippy::unwrap_used)]
    Regex::new(r"(?s)<!--\s+(/)?wp:((?:[a-z][a-z0-9_-]*/)?[a-z][a-z0-9_-]*)\s+(\{.*?\}\s+)?(/)?-->")
        .unwrap()
});

/// Whether a post was written in the block editor (WordPress's `has_blocks`).
pub fn has_blocks(html: &str) -> bool {
    html.contains("<!-- wp:")
}

/// The post's HTML without block delimiters; embed blocks replaced as described above.
pub fn strip_blocks(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(m) = DELIMITER.captures(rest) {
        let (Some(whole), Some(name)) = (m.get(0), m.get(2)) else {
            break;
        };
        out.push_str(&rest[..whole.start()]);
        let after = &rest[whole.end()..];
        let opening = m.get(1).is_none() && m.get(4).is_none();
        let name = name.as_str();
        if opening && is_embed(name) {
            let url = m.get(3).and_then(|json| embed_url(json.as_str()));
            // The block's inner HTML runs to its own closer; what is inside is only the
            // address and a caption.
            let closer = format!("<!-- /wp:{name} -->");
            let (inner, next) = match after.find(&closer) {
                Some(end) => (&after[..end], &after[end + closer.len()..]),
                None => (after, ""),
            };
            let url = url.or_else(|| first_address(inner));
            if let Some(url) = url {
                out.push_str(&embeds::embed_html(&url));
            }
            if let Some(caption) = figcaption(inner) {
                out.push_str("\n<p>");
                out.push_str(caption);
                out.push_str("</p>\n");
            }
            rest = next;
        } else {
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn is_embed(name: &str) -> bool {
    name == "embed" || name.starts_with("core-embed/")
}

/// The `url` attribute of an embed block's JSON.
fn embed_url(json: &str) -> Option<String> {
    let value: serde_json::Value = serde_json::from_str(json.trim()).ok()?;
    value.get("url")?.as_str().map(str::to_owned)
}

/// The first http(s) address in a block's HTML, for embed blocks saved without attributes.
fn first_address(html: &str) -> Option<String> {
    let start = html.find("https://").or_else(|| html.find("http://"))?;
    let url: String = html[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, '<' | '>' | '"'))
        .collect();
    Some(url)
}

/// The inner HTML of a block's `<figcaption>`, when it has one with text.
fn figcaption(html: &str) -> Option<&str> {
    let open = html.find("<figcaption")?;
    let body_start = open + html[open..].find('>')? + 1;
    let end = body_start + html[body_start..].find("</figcaption>")?;
    let caption = html[body_start..end].trim();
    (!caption.is_empty()).then_some(caption)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delimiters_go_and_the_html_stays() {
        let html = "<!-- wp:paragraph {\"align\":\"center\"} -->\n<p class=\"has-text-align-center\">Hello</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:separator /-->\n<!-- wp:latest-posts {\"postsToShow\":3,\"displayPostDate\":true} /-->\n<!-- wp:jetpack/markdown {\"source\":\"}\"} -->\n<div>x</div>\n<!-- /wp:jetpack/markdown -->";
        let out = strip_blocks(html);
        assert!(!out.contains("wp:"), "{out}");
        assert!(out.contains("<p class=\"has-text-align-center\">Hello</p>"));
        assert!(out.contains("<div>x</div>"));
        assert!(has_blocks(html) && !has_blocks("<p>Classic</p>"));
    }

    #[test]
    fn a_youtube_embed_block_becomes_a_video_and_its_caption_a_paragraph() {
        let html = r#"<!-- wp:embed {"url":"https://www.youtube.com/watch?v=dQw4w9WgXcQ","type":"video","providerNameSlug":"youtube","responsive":true,"className":"wp-embed-aspect-16-9 wp-has-aspect-ratio"} -->
<figure class="wp-block-embed is-type-video is-provider-youtube wp-block-embed-youtube wp-embed-aspect-16-9 wp-has-aspect-ratio"><div class="wp-block-embed__wrapper">
https://www.youtube.com/watch?v=dQw4w9WgXcQ
</div><figcaption class="wp-element-caption">The parade, from the bridge</figcaption></figure>
<!-- /wp:embed -->"#;
        let out = strip_blocks(html);
        assert!(
            out.contains(&embeds::embed_html(
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
            )),
            "{out}"
        );
        assert!(out.contains("<p>The parade, from the bridge</p>"), "{out}");
        assert!(!out.contains("wp-block-embed__wrapper"), "{out}");
    }

    #[test]
    fn an_old_core_embed_block_without_attributes_uses_its_address() {
        let html = "<!-- wp:core-embed/vimeo -->\n<figure class=\"wp-block-embed-vimeo\"><div class=\"wp-block-embed__wrapper\">\nhttps://vimeo.com/76979871\n</div></figure>\n<!-- /wp:core-embed/vimeo -->";
        let out = strip_blocks(html);
        assert_eq!(out, embeds::embed_html("https://vimeo.com/76979871"));
    }

    #[test]
    fn an_embed_of_another_provider_becomes_a_link() {
        let html = "<!-- wp:embed {\"url\":\"https://twitter.com/x/status/1\",\"type\":\"rich\",\"providerNameSlug\":\"twitter\"} -->\n<figure class=\"wp-block-embed\"><div class=\"wp-block-embed__wrapper\">\nhttps://twitter.com/x/status/1\n</div></figure>\n<!-- /wp:embed -->";
        let out = strip_blocks(html);
        assert!(
            out.contains("<a href=\"https://twitter.com/x/status/1\">"),
            "{out}"
        );
    }
}
