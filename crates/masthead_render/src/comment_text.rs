//! A reader's comment as HTML: plain text, escaped, with blank lines as paragraphs, line
//! breaks kept, and web addresses (`http://`, `https://`, checked as [`WebUrl`]s) as links
//! marked `rel="nofollow ugc"` (search engines give them no weight, so spam gains nothing).
//! The result goes through ammonia with an allowlist of `p`, `br` and `a href` (http and
//! https only) as a second line of defence: no markup a reader types ever reaches a page.

use ammonia::Builder;
use masthead_core::WebUrl;
use std::collections::HashSet;
use std::sync::LazyLock;

static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut b = Builder::empty();
    b.add_tags(["p", "br", "a"]);
    b.add_tag_attributes("a", ["href"]);
    b.url_schemes(HashSet::from(["http", "https"]));
    b.link_rel(Some("nofollow ugc"));
    b
});

/// `text` (a comment as the reader wrote it) as safe HTML.
pub fn comment_html(text: &str) -> String {
    let mut html = String::with_capacity(text.len() + 32);
    let normal = text.replace("\r\n", "\n");
    for para in normal
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        html.push_str("<p>");
        for (i, line) in para.lines().enumerate() {
            if i > 0 {
                html.push_str("<br>");
            }
            push_line(&mut html, line);
        }
        html.push_str("</p>");
    }
    SANITIZER.clean(&html).to_string()
}

/// One line, its words escaped and its web addresses linked.
fn push_line(html: &mut String, line: &str) {
    let mut first = true;
    for word in line.split(' ') {
        if !first {
            html.push(' ');
        }
        first = false;
        let lower = word.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            // A sentence's closing punctuation is not part of the address.
            let trimmed = word.trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
            if let Ok(url) = WebUrl::parse("link", trimmed)
                && plain_host(&url)
            {
                html.push_str("<a href=\"");
                html.push_str(&escape(url.as_str()));
                html.push_str("\">");
                html.push_str(&escape(trimmed));
                html.push_str("</a>");
                html.push_str(&escape(&word[trimmed.len()..]));
                continue;
            }
        }
        html.push_str(&escape(word));
    }
}

/// Whether the address's host is a plain name or address (letters, digits, `-`, `.`, and an
/// IPv6 literal's `[`, `:` and `]`): anything else is left as text.
fn plain_host(url: &WebUrl) -> bool {
    url.url().host_str().is_some_and(|h| {
        h.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '[' | ']' | ':'))
    })
}

use masthead_core::html_text::escape;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_links_are_nofollow() {
        let html = comment_html(
            "<script>alert(1)</script> see https://example.org/a?b=1&c=2.\n\nnext <b>para</b>",
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(
            html.contains(r#"<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow ugc">"#),
            "{html}"
        );
        assert!(html.contains("</a>.</p><p>next &lt;b&gt;para"), "{html}");
    }

    #[test]
    fn other_schemes_stay_text() {
        let html = comment_html("javascript:alert(1) http://\"onmouseover=alert(1)");
        assert!(!html.contains("<a"), "{html}");
        assert!(!html.contains(" onmouseover"), "{html}");
    }

    #[test]
    fn lines_break_and_blank_lines_make_paragraphs() {
        assert_eq!(comment_html("a\nb\n\n\nc"), "<p>a<br>b</p><p>c</p>");
    }
}
