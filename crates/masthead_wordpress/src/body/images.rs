//! Image addresses in a converted body pointed at where the importer stored the images.
//!
//! A converted body names images in two ways (see [`super::markdown`]): Markdown images,
//! `![alt](address)`, and the `<img src="…">` of a captioned figure's HTML line. Both are
//! rewritten through the importer's map, which is handed the address as
//! [`super::BodyImage::src`] reported it; an address the map does not know stays as it is.
//! This reads the converter's own output: an address inside a code block that happens to be
//! written as an image is rewritten too, if the map knows it.

use super::escape::destination;
use masthead_core::html_text::escape;
use regex::{Captures, Regex};
use std::sync::LazyLock;

static MARKDOWN_IMAGE: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern, run by this file's tests.
    #[allow(clippy::unwrap_used)]
    Regex::new(r"(!\[(?:[^\]\\]|\\.)*\]\()(<[^>\n]*>|[^\s)]+)\)").unwrap()
});

static HTML_IMAGE: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern, run by this file's tests.
    #[allow(clippy::unwrap_used)]
    Regex::new(r#"(<img\s[^>]*?\bsrc=")([^"]*)""#).unwrap()
});

/// The body with every image address `new_address` maps replaced by the new one.
pub fn rewrite_images(markdown: &str, new_address: impl Fn(&str) -> Option<String>) -> String {
    let markdown = MARKDOWN_IMAGE.replace_all(markdown, |c: &Captures<'_>| {
        let written = &c[2];
        let bare = written
            .strip_prefix('<')
            .and_then(|w| w.strip_suffix('>'))
            .unwrap_or(written);
        let original = bare
            .replace("%20", " ")
            .replace("%3C", "<")
            .replace("%3E", ">")
            .replace("%5C", "\\");
        match new_address(&original).or_else(|| new_address(bare)) {
            Some(new) => format!("{}{})", &c[1], destination(&new, false)),
            None => c[0].to_owned(),
        }
    });
    HTML_IMAGE
        .replace_all(&markdown, |c: &Captures<'_>| {
            let original = unescape(&c[2]);
            match new_address(&original) {
                Some(new) => format!("{}{}\"", &c[1], escape(&new)),
                None => c[0].to_owned(),
            }
        })
        .into_owned()
}

/// The references [`escape`] writes, read back.
fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_and_figure_images_point_at_the_new_addresses() {
        let body = "![A](https://old.example/a.jpg)\n\n<figure><img src=\"https://old.example/b.jpg?w=1&amp;h=2\" alt=\"B\"><figcaption>Cap</figcaption></figure>\n\n![C](<https://old.example/c (1).jpg>) ![D](https://old.example/unmapped.jpg)\n";
        let out = rewrite_images(body, |old| match old {
            "https://old.example/a.jpg" => Some("/media/1.jpg".into()),
            "https://old.example/b.jpg?w=1&h=2" => Some("/media/2 \"x\".jpg".into()),
            "https://old.example/c (1).jpg" => Some("/media/3.jpg".into()),
            _ => None,
        });
        assert_eq!(
            out,
            "![A](/media/1.jpg)\n\n<figure><img src=\"/media/2 &quot;x&quot;.jpg\" alt=\"B\"><figcaption>Cap</figcaption></figure>\n\n![C](/media/3.jpg) ![D](https://old.example/unmapped.jpg)\n"
        );
    }

    #[test]
    fn links_that_are_not_images_are_left_alone() {
        // The writer escapes text that looks like an image as `!\[b\](…)`.
        let body = "[a](https://old.example/a.jpg) !\\[b\\](https://old.example/a.jpg)";
        let out = rewrite_images(body, |_| Some("/media/x.jpg".into()));
        assert_eq!(out, body);
    }
}
