//! Hostile and unusual post bodies: whatever an export holds, the Markdown carries no active
//! content, and the rendered page none either; text in any script survives byte for byte.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use masthead_render::render_markdown;
use masthead_wordpress::body::{ConvertOptions, convert};
use regex::Regex;
use std::sync::LazyLock;

fn both(html: &str) -> (String, String) {
    let md = convert(html, &ConvertOptions::default()).markdown;
    let rendered = render_markdown(&md);
    (md, rendered)
}

/// Tags of the Markdown's raw HTML and of the rendered page.
static TAG: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"<[a-zA-Z][^>]*>").unwrap());
static HANDLER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)[\s/"']on[a-z]+\s*="#).unwrap());
static SCRIPT_URL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)(?:href|src|srcdoc|data)\s*=\s*"\s*(?:javascript|data|vbscript):"#).unwrap()
});

fn assert_inert(html: &str) {
    let (md, rendered) = both(html);
    assert!(
        !md.to_lowercase().contains("](javascript"),
        "{md:?} from {html:?}"
    );
    for out in [&md, &rendered] {
        for tag in TAG.find_iter(out) {
            let tag = tag.as_str().to_lowercase();
            for element in ["<script", "<style", "<object", "<embed", "<svg", "<math"] {
                assert!(!tag.starts_with(element), "{tag} in {out:?} from {html:?}");
            }
            assert!(
                !tag.starts_with("<iframe")
                    || tag.starts_with("<iframe src=\"https://www.youtube-nocookie.com/embed/"),
                "{tag} in {out:?} from {html:?}"
            );
            assert!(!HANDLER.is_match(&tag), "{tag} in {out:?} from {html:?}");
            assert!(!SCRIPT_URL.is_match(&tag), "{tag} in {out:?} from {html:?}");
            assert!(!tag.contains("style="), "{tag} in {out:?} from {html:?}");
        }
    }
}

/// The checks above catch what they look for.
#[test]
fn the_checks_catch_active_content() {
    for bad in [
        "<p onclick=\"x\">a</p>",
        "<a href=\" javascript:alert(1)\">a</a>",
        "<iframe src=\"https://evil.example\"></iframe>",
        "<SCRIPT>x</SCRIPT>",
    ] {
        let caught = std::panic::catch_unwind(|| {
            for tag in TAG.find_iter(bad) {
                let tag = tag.as_str().to_lowercase();
                assert!(!tag.starts_with("<script"));
                assert!(!tag.starts_with("<iframe src=\"https://evil"));
                assert!(!HANDLER.is_match(&tag) && !SCRIPT_URL.is_match(&tag));
            }
        });
        assert!(caught.is_err(), "{bad}");
    }
}

/// The words "javascript:" may stay as text (a shortcode naming a script address is kept as
/// the text it is); no address may hold them.
#[test]
fn scripts_handlers_and_script_links_are_gone() {
    for html in [
        "<p>Hi<script>alert(1)</script></p>",
        "<script>document.write('<p>x</p>')</script>",
        "<img src=\"x.jpg\" onerror=\"alert(1)\" alt=\"x\">",
        "<p onclick=\"alert(1)\" style=\"position:fixed\">text</p>",
        "<a href=\"javascript:alert(1)\">click</a>",
        "<a href=\" JaVaScRiPt:alert(1)\">click</a>",
        "<a href=\"&#106;avascript:alert(1)\">click</a>",
        "[caption]<img src=\"javascript:alert(1)\" onerror=\"alert(1)\"> Cap[/caption]",
        "<svg onload=\"alert(1)\"><script>alert(1)</script></svg>",
        "<object data=\"x.swf\"><embed src=\"x.swf\"></object>",
        "<style>body{display:none}</style><p>After</p>",
        "<!-- wp:html -->\n<div onmouseover=\"alert(1)\">x</div>\n<!-- /wp:html -->",
        "[embed]javascript:alert(1)[/embed]",
        "[video src=\"javascript:alert(1)\"]",
    ] {
        assert_inert(html);
    }
}

#[test]
fn frames_of_other_hosts_and_nested_frames_are_removed() {
    for html in [
        "<iframe src=\"https://evil.example/frame\"></iframe>",
        "<iframe src=\"https://evil.example/frame\"><iframe src=\"https://www.youtube.com/embed/dQw4w9WgXcQ\"></iframe></iframe>",
        "<div><iframe src=\"https://evil.example/frame\">fallback <a href=\"javascript:alert(1)\">x</a></iframe></div>",
        "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    ] {
        assert_inert(html);
        let (_, rendered) = both(html);
        assert!(!rendered.contains("evil"), "{rendered}");
    }
    // A YouTube player pasted inside another frame is not trusted either way: at most it is
    // the one player, on the privacy-enhanced address.
    let (_, rendered) = both("<iframe src=\"https://www.youtube.com/embed/dQw4w9WgXcQ\"></iframe>");
    assert!(
        rendered.contains("<iframe src=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ\"")
    );
}

#[test]
fn a_closing_script_tag_in_text_stays_text() {
    let (md, rendered) =
        both("<p>Type &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; to test.</p>");
    assert_eq!(
        md,
        "Type \\</script>\\<script>alert(1)\\</script> to test.\n"
    );
    assert_eq!(
        rendered,
        "<p>Type &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; to test.</p>\n"
    );
    let (md, _) = both("<pre><code>&lt;/script&gt;&lt;script&gt;x()</code></pre>");
    assert_eq!(md, "```\n</script><script>x()\n```\n");
    assert!(!render_markdown(&md).contains("<script"));
}

#[test]
fn marks_the_converter_uses_cannot_be_forged_by_a_post() {
    // The private-use characters the steps mark places with are removed from the input.
    let converted = convert(
        "<p>\u{E000}https://www.youtube.com/watch?v=dQw4w9WgXcQ\u{E000}</p><p>a\u{E001}b</p>",
        &ConvertOptions::default(),
    );
    assert_eq!(converted.more_at, None);
    assert_eq!(converted.videos.len(), 1, "{converted:?}"); // WordPress embeds it: alone in its paragraph
    assert!(!converted.markdown.contains(['\u{E000}', '\u{E001}']));
}

#[test]
fn right_to_left_text_and_emoji_survive_byte_for_byte() {
    let arabic = "صوّت المجلس البلدي لصالح الميزانية";
    let hebrew = "המועצה אישרה את התקציב\u{200F}!";
    let emoji = "Fireworks 🎆 and family 👩\u{200D}👩\u{200D}👧\u{200D}👦, flag 🇺🇦, skin 👍🏽";
    let html = format!(
        "<!-- wp:paragraph -->\n<p dir=\"rtl\">{arabic}</p>\n<!-- /wp:paragraph -->\n<!-- wp:heading -->\n<h2>{hebrew}</h2>\n<!-- /wp:heading -->\n<!-- wp:paragraph -->\n<p>{emoji}</p>\n<!-- /wp:paragraph -->"
    );
    let (md, rendered) = both(&html);
    assert_eq!(md, format!("{arabic}\n\n## {hebrew}\n\n{emoji}\n"));
    for text in [arabic, hebrew, emoji] {
        assert!(rendered.contains(text), "{rendered}");
    }
    // Classic text too, through wpautop.
    let (md, _) = both(&format!("{arabic}\n{emoji}"));
    assert_eq!(md, format!("{arabic}\\\n{emoji}\n"));
}

#[test]
fn empty_and_whitespace_posts_are_empty() {
    for html in [
        "",
        "   \n\n\t",
        "<!-- wp:paragraph -->\n<p></p>\n<!-- /wp:paragraph -->",
        "<p>&nbsp;</p>",
    ] {
        let converted = convert(html, &ConvertOptions::default());
        assert!(
            converted.markdown.trim_matches(['\n', '\u{a0}']).is_empty(),
            "{html:?} → {:?}",
            converted.markdown
        );
        assert!(converted.images.is_empty() && converted.videos.is_empty());
    }
}

#[test]
fn deep_nesting_and_many_brackets_neither_overflow_nor_crawl() {
    let started = std::time::Instant::now();
    for html in [
        "<div>".repeat(10_000),
        "<blockquote>".repeat(10_000) + "deep",
        "<ul><li>".repeat(5_000) + "deep",
        "<em>".repeat(20_000) + "deep",
        "<table><tr><td>".repeat(3_000),
        "[a ".repeat(100_000),
        "<!-- wp:embed {\"url\":\"x\"} -->".repeat(20_000),
        "<!--more-->".repeat(50_000),
    ] {
        let converted = convert(&html, &ConvertOptions::default());
        render_markdown(&converted.markdown);
    }
    // Debug build, shared machine: generous, but far below what quadratic work would take
    // (ten thousand nested divs took minutes before posts were flattened).
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
}
