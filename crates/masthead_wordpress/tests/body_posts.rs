//! Whole posts through `body::convert`: a WordPress 6 block-editor post holding every common
//! block, and a classic-editor post with `wpautop` text and shortcodes; what they become and
//! what the renderer makes of that.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use masthead_render::render_markdown;
use masthead_wordpress::body::{Attachment, ConvertOptions, convert, rewrite_images};

const GUTENBERG: &str = include_str!("fixtures/gutenberg.html");
const CLASSIC: &str = include_str!("fixtures/classic.html");

/// The structural tags of rendered HTML, in order (what a reader's page is made of).
fn structure(html: &str) -> Vec<String> {
    const KEPT: &[&str] = &[
        "h2",
        "h3",
        "h4",
        "p",
        "ul",
        "ol",
        "li",
        "a",
        "blockquote",
        "table",
        "th",
        "td",
        "figure",
        "figcaption",
        "img",
        "iframe",
        "hr",
        "pre",
        "code",
        "strong",
        "em",
    ];
    html.split('<')
        .skip(1)
        .filter_map(|tag| {
            let name: String = tag
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
                .collect();
            KEPT.contains(&name.trim_start_matches('/')).then_some(name)
        })
        .collect()
}

#[test]
fn a_block_editor_post_becomes_the_expected_markdown() {
    let converted = convert(GUTENBERG, &ConvertOptions::default());
    assert_eq!(converted.markdown, include_str!("fixtures/gutenberg.md"));
    assert!(!converted.markdown.contains("wp:") && !converted.markdown.contains("class="));
    assert_eq!(converted.pages, 2);
    assert_eq!(
        converted.videos,
        ["https://www.youtube.com/watch?v=dQw4w9WgXcQ"]
    );
    assert!(converted.unknown_shortcodes.is_empty());
    let teaser = &converted.markdown[..converted.more_at.expect("a teaser break")];
    assert!(
        teaser.starts_with("The city council voted") && teaser.ends_with("budget)."),
        "{teaser:?}"
    );
    let images: Vec<(&str, &str, Option<&str>)> = converted
        .images
        .iter()
        .map(|i| (i.src.as_str(), i.alt.as_str(), i.caption.as_deref()))
        .collect();
    assert_eq!(
        images,
        [
            (
                "https://old.example/wp-content/uploads/2024/05/council-1024x683.jpg",
                "Council members at the dais",
                Some("Council members vote on Tuesday. Photo: J. Doe")
            ),
            (
                "https://old.example/wp-content/uploads/2024/05/a.jpg",
                "Crowd",
                None
            ),
            (
                "https://old.example/wp-content/uploads/2024/05/b.jpg",
                "Mayor",
                Some("The mayor")
            ),
        ]
    );
}

#[test]
fn the_rendered_block_post_keeps_headings_lists_links_quotes_tables_figures_and_the_video() {
    let html = render_markdown(&convert(GUTENBERG, &ConvertOptions::default()).markdown);
    let expected = "p strong /strong a /a /p \
        h2 /h2 \
        ul li /li li ul li /li /ul /li /ul \
        figure img figcaption em /em /figcaption /figure \
        p img /p \
        figure img figcaption /figcaption /figure \
        blockquote p /p p em /em /p /blockquote \
        table th /th th /th td /td td /td td /td td /td /table \
        p /p \
        iframe /iframe p a /a /p \
        hr \
        p /p p /p \
        hr \
        p /p pre code /code /pre";
    assert_eq!(structure(&html).join(" "), expected, "{html}");
    assert!(html.contains("<h2>What changes</h2>"), "{html}");
    assert!(
        html.contains(
            "<a href=\"https://example.org/budget\" rel=\"noopener noreferrer\">2025 budget</a>"
        ),
        "{html}"
    );
    assert!(html.contains("<iframe src=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ\""));
}

fn attachments() -> ConvertOptions {
    let mut options = ConvertOptions::default();
    for (id, file, alt, caption) in [
        (7, "fair-1.jpg", "Ferris wheel", "The fair opens Friday."),
        (8, "fair-2.jpg", "", ""),
    ] {
        options.attachments.insert(
            id,
            Attachment {
                url: format!("https://old.example/wp-content/uploads/2015/03/{file}"),
                alt: alt.into(),
                caption: caption.into(),
            },
        );
    }
    options
}

#[test]
fn a_classic_post_gets_its_paragraphs_and_shortcodes() {
    let converted = convert(CLASSIC, &attachments());
    assert_eq!(
        converted.markdown,
        "The school board met Monday night.\\\n\
         Members heard from *parents* and teachers.\n\n\
         <figure><img src=\"https://old.example/wp-content/uploads/2015/03/board-640x427.jpg\" alt=\"Board members\"><figcaption>The board listens to public comment.</figcaption></figure>\n\n\
         ### Budget\n\n\
         The district faces a shortfall of $1.2 million:\n\n\
         - Staff cuts\n\
         - Larger classes\n\n\
         > We have no good options.\n\n\
         https://www.youtube.com/watch?v=dQw4w9WgXcQ\n\n\
         <figure><img src=\"https://old.example/wp-content/uploads/2015/03/fair-1.jpg\" alt=\"Ferris wheel\"><figcaption>The fair opens Friday.</figcaption></figure>\n\n\
         ![](https://old.example/wp-content/uploads/2015/03/fair-2.jpg)\n\n\
         \\[contact-form-7 id=\"12\" title=\"Tips\"\\]\n\n\
         ```\n  indented   code\n\n  kept\n```\n\n\
         Thanks to \\[gallery\\] users.\n"
    );
    assert_eq!(converted.unknown_shortcodes, ["contact-form-7"]);
    assert_eq!(converted.images.len(), 3);
    assert_eq!(converted.pages, 1);
    let teaser = &converted.markdown[..converted.more_at.unwrap()];
    assert!(teaser.ends_with("</figure>"), "{teaser}");

    let html = render_markdown(&converted.markdown);
    assert!(
        html.contains("<p>The school board met Monday night.<br>\nMembers heard"),
        "{html}"
    );
    assert_eq!(html.matches("<figure>").count(), 2, "{html}");
    assert!(html.contains("<iframe src=\"https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ\""));
    assert!(
        html.contains("[contact-form-7 id=\"12\" title=\"Tips\"]"),
        "{html}"
    );
}

#[test]
fn stored_images_replace_the_old_addresses_everywhere_in_the_body() {
    let converted = convert(CLASSIC, &attachments());
    let stored = |old: &str| {
        old.strip_prefix("https://old.example/wp-content/uploads/2015/03/")
            .map(|file| format!("/media/{file}"))
    };
    let body = rewrite_images(&converted.markdown, stored);
    assert!(!body.contains("old.example/wp-content"), "{body}");
    assert!(body.contains("<img src=\"/media/board-640x427.jpg\" alt=\"Board members\">"));
    assert!(body.contains("![](/media/fair-2.jpg)"));
    // Unmapped addresses stay.
    let same = rewrite_images(&converted.markdown, |_| None);
    assert_eq!(same, converted.markdown);
}

#[test]
fn block_posts_of_older_shapes_convert_too() {
    // WordPress 5's gallery (a list of figures), a shortcode block, a classic block and a
    // pull quote.
    let html = "<!-- wp:gallery {\"ids\":[7,8]} -->\n<figure class=\"wp-block-gallery columns-2 is-cropped\"><ul class=\"blocks-gallery-grid\"><li class=\"blocks-gallery-item\"><figure><img src=\"https://old.example/a.jpg\" alt=\"A\" data-id=\"7\" class=\"wp-image-7\"/><figcaption class=\"blocks-gallery-item__caption\">First</figcaption></figure></li><li class=\"blocks-gallery-item\"><figure><img src=\"https://old.example/b.jpg\" alt=\"B\" data-id=\"8\"/></figure></li></ul></figure>\n<!-- /wp:gallery -->\n\n<!-- wp:shortcode -->\n[gallery ids=\"7\"]\n<!-- /wp:shortcode -->\n\n<!-- wp:freeform -->\nClassic text inside a block post.\n<!-- /wp:freeform -->\n\n<!-- wp:pullquote -->\n<figure class=\"wp-block-pullquote\"><blockquote><p>Quoted.</p><cite>Someone</cite></blockquote></figure>\n<!-- /wp:pullquote -->";
    let converted = convert(html, &attachments());
    assert_eq!(
        converted.markdown,
        "<figure><img src=\"https://old.example/a.jpg\" alt=\"A\"><figcaption>First</figcaption></figure>\n\n\
         ![B](https://old.example/b.jpg)\n\n\
         <figure><img src=\"https://old.example/wp-content/uploads/2015/03/fair-1.jpg\" alt=\"Ferris wheel\"><figcaption>The fair opens Friday.</figcaption></figure>\n\n\
         Classic text inside a block post.\n\n\
         > Quoted.\n>\n> *Someone*\n"
    );
    assert_eq!(converted.images.len(), 3);
}
