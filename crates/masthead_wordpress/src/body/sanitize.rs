//! The allowlist an imported body passes before it is read as a tree.
//!
//! The same sanitizer (ammonia) and link schemes as every body masthead renders
//! (`masthead_render::markdown`), so nothing the converter reads could not also have been
//! typed by a writer. Elements that carry active or foreign content (`iframe`, `object`,
//! `svg`, `noscript`, form controls, `audio`, `video`) are removed with what they hold;
//! YouTube and Vimeo players were taken out before this step (see [`super::embeds`]).
//! Classes, styles, ids and `data-` attributes go: the desk's Markdown has no use for them.

use std::collections::HashSet;
use std::sync::LazyLock;

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    b.url_schemes(HashSet::from(["http", "https", "mailto"]));
    b.link_rel(None);
    b.add_clean_content_tags([
        "iframe", "object", "embed", "applet", "noscript", "svg", "math", "template", "audio",
        "video", "canvas", "select", "textarea", "button", "title", "frameset", "noembed",
        "noframes",
    ]);
    b
});

/// The post's HTML with only the allowed elements, attributes and link schemes.
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn active_content_goes_with_what_it_holds() {
        let out = sanitize(
            "<p onclick=\"x()\" style=\"color:red\" class=\"c\">Hi<script>alert(1)</script></p>\
             <iframe src=\"https://evil.example\">fallback <b>text</b></iframe>\
             <a href=\"javascript:alert(1)\">j</a><img src=\"x.jpg\" onerror=\"alert(1)\">\
             <svg><script>alert(2)</script></svg><style>p{}</style>",
        );
        assert_eq!(out, "<p>Hi</p><a>j</a><img src=\"x.jpg\">");
    }
}
