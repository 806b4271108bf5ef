//! Short HTML of an export (titles, excerpts, captions, comments) as plain text: tags
//! dropped, every named and numbered entity decoded (WordPress writes `&#8217;` and
//! `&nbsp;` in titles), by the same HTML parser the sanitizer uses.

/// The text of `html`, its runs of white space made one space.
pub fn plain(html: &str) -> String {
    if !html.contains(['<', '&']) {
        return squeeze(html);
    }
    let text = ammonia::Builder::empty().clean(html).to_string();
    squeeze(&unescape(&text))
}

/// Comment text: tags dropped, entities decoded, paragraphs (blank lines, `<p>`, `<br>`)
/// kept as line breaks.
pub fn comment(html: &str) -> String {
    let marked = html
        .replace("</p>", "\n\n")
        .replace("<br>", "\n")
        .replace("<br />", "\n")
        .replace("<br/>", "\n");
    let text = if marked.contains(['<', '&']) {
        unescape(&ammonia::Builder::empty().clean(&marked).to_string())
    } else {
        marked
    };
    let paragraphs: Vec<String> = text
        .split("\n\n")
        .map(|p| {
            p.lines()
                .map(squeeze)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .filter(|p| !p.is_empty())
        .collect();
    paragraphs.join("\n\n")
}

/// Undoes the escaping ammonia's serializer applies to text.
fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace('\u{a0}', " ")
        .replace("&amp;", "&")
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_are_decoded_and_tags_dropped() {
        assert_eq!(
            plain("Council&#8217;s <em>vote</em> &amp; more&nbsp;news"),
            "Council’s vote & more news"
        );
        assert_eq!(plain("a &lt;b&gt; c"), "a <b> c");
        assert_eq!(plain("<script>alert(1)</script>Hi"), "Hi");
        assert_eq!(plain("  plain   text "), "plain text");
    }

    #[test]
    fn comments_keep_their_paragraphs() {
        assert_eq!(
            comment("First line<br />second\n\nNew <a href=\"x\">para</a>"),
            "First line\nsecond\n\nNew para"
        );
    }
}
