//! The teaser break (`<!--more-->`) and page breaks (`<!--nextpage-->`).
//!
//! WordPress shows a post's text up to `<!--more-->` on list pages, and splits a post at each
//! `<!--nextpage-->` into pages of its own (`?page=2`). masthead has neither: a story is one
//! page with its own summary. The teaser break is dropped, and where it stood is reported
//! ([`super::Converted::more_at`]) so the importer may take the teaser as a summary; the pages
//! are joined in one body, a horizontal rule between two pages, and counted.

use regex::Regex;
use std::sync::LazyLock;

/// Marks where the teaser break stood between the steps (private-use; removed from input).
pub const MORE_MARK: char = '\u{E001}';

/// What stands between two pages of one post.
const PAGE_BREAK: &str = "\n\n<hr />\n\n";

static MORE: LazyLock<Regex> = LazyLock::new(|| {
    // A constant pattern, run by this file's tests.
    #[allow(clippy::unwrap_used)]
    Regex::new(r"<!--more(?s:.*?)-->").unwrap()
});

/// The post's HTML with its pages joined and its first teaser break marked, and the number of
/// pages (WordPress's count: a leading `<!--nextpage-->` opens no page).
pub fn mark_breaks(html: &str) -> (String, usize) {
    let html = html.replace("<!--noteaser-->", "");
    let mut first = true;
    let html = MORE.replace_all(&html, |_: &regex::Captures<'_>| {
        if std::mem::take(&mut first) {
            MORE_MARK.to_string()
        } else {
            String::new()
        }
    });
    if !html.contains("<!--nextpage-->") {
        return (html.into_owned(), 1);
    }
    let html = html
        .replace("\n<!--nextpage-->\n", "<!--nextpage-->")
        .replace("\n<!--nextpage-->", "<!--nextpage-->")
        .replace("<!--nextpage-->\n", "<!--nextpage-->");
    let html = html.strip_prefix("<!--nextpage-->").unwrap_or(&html);
    let pages: Vec<&str> = html.split("<!--nextpage-->").collect();
    (pages.join(PAGE_BREAK), pages.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_joined_with_a_rule_and_counted() {
        let (html, pages) =
            mark_breaks("<!--nextpage-->One\n<!--nextpage-->\nTwo<!--nextpage-->Three");
        assert_eq!(pages, 3);
        assert_eq!(html, "One\n\n<hr />\n\nTwo\n\n<hr />\n\nThree");
        assert_eq!(mark_breaks("Single").1, 1);
    }

    #[test]
    fn the_first_teaser_break_is_marked_and_others_dropped() {
        let (html, _) = mark_breaks("Lead<!--more Keep reading-->Rest<!--more--><!--noteaser-->");
        assert_eq!(html, format!("Lead{MORE_MARK}Rest"));
    }
}
