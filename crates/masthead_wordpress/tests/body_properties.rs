//! Property tests of `body::convert`: any text an export may hold converts without a panic,
//! its Markdown renders without one, and neither carries active content.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use masthead_render::render_markdown;
use masthead_wordpress::body::{ConvertOptions, convert, rewrite_images};
use proptest::prelude::*;
use regex::Regex;
use std::sync::LazyLock;

static TAGS: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[^>]*>").unwrap());
static HANDLER: LazyLock<Regex> = LazyLock::new(|| Regex::new(r#"[\s/"']on[a-z]+\s*="#).unwrap());

/// Pieces of WordPress markup in all their shapes, strung together with arbitrary text so
/// each step meets them in every context.
const PIECES: &[&str] = &[
    "<!-- wp:paragraph -->",
    "<!-- /wp:paragraph -->",
    "<!-- wp:embed {\"url\":\"https://youtu.be/dQw4w9WgXcQ\"} -->",
    "<!-- /wp:embed -->",
    "<!-- wp:image {\"id\":1} /-->",
    "<!-- wp:",
    "<!--more-->",
    "<!--nextpage-->",
    "[caption id=\"a\" width=\"3\"]",
    "[/caption]",
    "[gallery ids=\"1,2\"]",
    "[embed]",
    "[/embed]",
    "[youtube=",
    "[[",
    "]]",
    "[audio src=\"x\"]",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://vimeo.com/76979871",
    "\n",
    "\n\n",
    "<p>",
    "</p>",
    "<pre>",
    "</pre>",
    "<ul><li>",
    "</li></ul>",
    "<ol start=\"9\"><li>",
    "<table><tr><td>",
    "</td></tr></table>",
    "<figure><img src=\"a.jpg\" alt=\"a\"><figcaption>",
    "</figcaption></figure>",
    "<blockquote>",
    "</blockquote>",
    "<h2>",
    "</h2>",
    "<em>",
    "</em>",
    "<strong>",
    "<a href=\"https://x.example/(a)\">",
    "<a href=\"javascript:alert(1)\">",
    "</a>",
    "<br>",
    "<code>",
    "<script>alert(1)</script>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<img src=x onerror=alert(1)>",
    "*_`|~#>-+=1.",
    "&amp;&lt;&#106;",
    "\u{E000}",
    "\u{E001}",
    "مرحبا",
    "👩\u{200D}👩\u{200D}👧",
];

fn post() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            prop::sample::select(PIECES).prop_map(str::to_owned),
            "[a-zA-Z0-9 <>=\"'/:;&#()\\[\\]!*_`|\\n.-]{0,12}",
            any::<String>().prop_map(|s| s.chars().take(6).collect()),
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]

    #[test]
    fn any_post_converts_and_renders_without_active_content(html in post()) {
        let converted = convert(&html, &ConvertOptions::default());
        if let Some(at) = converted.more_at {
            prop_assert!(converted.markdown.is_char_boundary(at) && at <= converted.markdown.len());
        }
        prop_assert!(converted.pages >= 1);
        let rendered = render_markdown(&converted.markdown);
        let lower = rendered.to_lowercase();
        // Text may say anything ("onerror=" in a sentence is escaped text); tags may not.
        for tag in TAGS.find_iter(&lower) {
            let tag = tag.as_str();
            prop_assert!(!tag.starts_with("<script") && !tag.starts_with("<style"), "{rendered}");
            prop_assert!(!HANDLER.is_match(tag), "{tag} in {rendered}");
            prop_assert!(!tag.contains("javascript:"), "{tag} in {rendered}");
        }
        for frame in lower.split("<iframe").skip(1) {
            prop_assert!(
                frame.starts_with(" src=\"https://www.youtube-nocookie.com/embed/")
                    || frame.starts_with(" src=\"https://player.vimeo.com/video/"),
                "{rendered}"
            );
        }
        // Every image reported is in the body, and rewriting with no map changes nothing.
        prop_assert_eq!(rewrite_images(&converted.markdown, |_| None), converted.markdown.clone());
    }

    /// Text that looks like Markdown stays text: the words a classic post holds are the
    /// words the reader sees, in order, whatever punctuation they carry.
    #[test]
    fn words_survive_as_written(
        words in prop::collection::vec("[a-zA-Z0-9*_`|~#>+=.!\\[\\]()-]{1,8}", 1..30),
        seps in prop::collection::vec(prop::sample::select(&[" ", "\n", "\n\n"][..]), 30),
    ) {
        let mut html = String::new();
        for (n, word) in words.iter().enumerate() {
            if n > 0 {
                html.push_str(seps[n]);
            }
            html.push_str(word);
        }
        let rendered = render_markdown(&convert(&html, &ConvertOptions::default()).markdown);
        let text = TAGS.replace_all(&rendered, " ")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&amp;", "&");
        let seen: Vec<&str> = text.split_whitespace().collect();
        prop_assert_eq!(seen, words.iter().map(String::as_str).collect::<Vec<_>>(), "{}", rendered);
    }
}
