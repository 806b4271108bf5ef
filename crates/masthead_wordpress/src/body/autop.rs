//! Paragraphs of a classic-editor post, recovered as WordPress's `wpautop()` does.
//!
//! A post written in the classic editor is stored as the writer typed it: a blank line between
//! paragraphs, a single newline for a line break, and no `<p>` at all. WordPress adds the tags
//! on output (`wp-includes/formatting.php`, `wpautop`); we run the same rules, in the same order,
//! once at import: block tags are never wrapped, `<pre>` is left as it is, a double newline
//! makes a paragraph and a single one a `<br />`. Each step below names the rule it follows.
//! Block-editor posts never go through here: WordPress skips `wpautop` for them too.

use regex::{Captures, Regex};
use std::sync::LazyLock;

/// The block elements of `wpautop`'s `$allblocks` (WordPress 6.x; `math` left it when inline
/// math began to be wrapped like text, and joined the elements whose newlines are kept).
const ALL_BLOCKS: &str = "(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)";

/// Stands for a newline inside a tag while paragraphs are made (WordPress: `<!-- wpnl -->`).
const TAG_NEWLINE: char = '\u{E002}';
/// Stands for a newline that must not become `<br />` (WordPress: `<WPPreserveNewline />`).
const KEPT_NEWLINE: char = '\u{E003}';

fn re(pattern: &str) -> Regex {
    // The patterns are constants of this file, checked by every test that runs them.
    #[allow(clippy::unwrap_used)]
    Regex::new(pattern).unwrap()
}

static DOUBLE_BR: LazyLock<Regex> = LazyLock::new(|| re(r"<br\s*/?>\s*<br\s*/?>"));
static BLOCK_OPEN: LazyLock<Regex> = LazyLock::new(|| re(&format!(r"(<{ALL_BLOCKS}[\s/>])")));
static BLOCK_CLOSE: LazyLock<Regex> = LazyLock::new(|| re(&format!(r"(</{ALL_BLOCKS}>)")));
static HR: LazyLock<Regex> = LazyLock::new(|| re(r"(<hr\s*?/?>)"));
static OPTION_BEFORE: LazyLock<Regex> = LazyLock::new(|| re(r"\s*<option"));
static OPTION_AFTER: LazyLock<Regex> = LazyLock::new(|| re(r"</option>\s*"));
static OBJECT_OPEN: LazyLock<Regex> = LazyLock::new(|| re(r"(<object[^>]*>)\s*"));
static OBJECT_CLOSE: LazyLock<Regex> = LazyLock::new(|| re(r"\s*</object>"));
static PARAM: LazyLock<Regex> = LazyLock::new(|| re(r"\s*(</?(?:param|embed)[^>]*>)\s*"));
static MEDIA_OPEN: LazyLock<Regex> = LazyLock::new(|| re(r"([<\[](?:audio|video)[^>\]]*[>\]])\s*"));
static MEDIA_CLOSE: LazyLock<Regex> = LazyLock::new(|| re(r"\s*([<\[]/(?:audio|video)[>\]])"));
static SOURCE: LazyLock<Regex> = LazyLock::new(|| re(r"\s*(<(?:source|track)[^>]*>)\s*"));
static FIGCAPTION_OPEN: LazyLock<Regex> = LazyLock::new(|| re(r"\s*(<figcaption[^>]*>)"));
static FIGCAPTION_CLOSE: LazyLock<Regex> = LazyLock::new(|| re(r"</figcaption>\s*"));
static MANY_NEWLINES: LazyLock<Regex> = LazyLock::new(|| re("\n\n+"));
static PARAGRAPH_SPLIT: LazyLock<Regex> = LazyLock::new(|| re(r"\n\s*\n"));
static EMPTY_P: LazyLock<Regex> = LazyLock::new(|| re(r"<p>\s*</p>"));
static P_IN_DIV: LazyLock<Regex> = LazyLock::new(|| re(r"<p>([^<]+)</(div|address|form)>"));
static P_AROUND_BLOCK: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"<p>\s*(</?{ALL_BLOCKS}[^>]*>)\s*</p>")));
static P_AROUND_LI: LazyLock<Regex> = LazyLock::new(|| re(r"<p>(<li.+?)</p>"));
static P_BLOCKQUOTE: LazyLock<Regex> = LazyLock::new(|| re(r"(?i)<p><blockquote([^>]*)>"));
static P_BEFORE_BLOCK: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"<p>\s*(</?{ALL_BLOCKS}[^>]*>)")));
static P_AFTER_BLOCK: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"(</?{ALL_BLOCKS}[^>]*>)\s*</p>")));
static PRESERVED: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?s)<(?:script|style|svg|math)\b.*?</(?:script|style|svg|math)>"));
static BR_AFTER_BLOCK: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"(</?{ALL_BLOCKS}[^>]*>)\s*<br />")));
static BR_BEFORE_BLOCK: LazyLock<Regex> =
    LazyLock::new(|| re(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)"));

/// `wpautop($text, true)`: the HTML WordPress shows for a classic post's stored text.
pub fn autop(text: &str) -> String {
    if text.trim().is_empty() {
        return String::new();
    }
    let mut text = format!("{text}\n");

    // <pre> elements are set aside and put back untouched at the end.
    let mut pre_tags: Vec<(String, String)> = Vec::new();
    if text.contains("<pre") {
        let mut parts: Vec<&str> = text.split("</pre>").collect();
        let last = parts.pop().unwrap_or_default().to_owned();
        let mut rebuilt = String::with_capacity(text.len());
        for part in parts {
            match part.find("<pre") {
                None => rebuilt.push_str(part),
                Some(start) => {
                    let name = format!("<pre wp-pre-tag-{}></pre>", pre_tags.len());
                    pre_tags.push((name.clone(), format!("{}</pre>", &part[start..])));
                    rebuilt.push_str(&part[..start]);
                    rebuilt.push_str(&name);
                }
            }
        }
        rebuilt.push_str(&last);
        text = rebuilt;
    }

    // Two <br>s in a row make a paragraph break.
    let text = DOUBLE_BR.replace_all(&text, "\n\n");
    // A blank line above every block opening tag and below every closing one, and after <hr>.
    let text = BLOCK_OPEN.replace_all(&text, "\n\n$1");
    let text = BLOCK_CLOSE.replace_all(&text, "$1\n\n");
    let text = HR.replace_all(&text, "$1\n\n");
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    // Newlines inside tags are not paragraph breaks.
    let mut text = replace_newlines_in_tags(&text);

    if text.contains("<option") {
        text = OPTION_BEFORE.replace_all(&text, "<option").into_owned();
        text = OPTION_AFTER.replace_all(&text, "</option>").into_owned();
    }
    if text.contains("</object>") {
        text = OBJECT_OPEN.replace_all(&text, "$1").into_owned();
        text = OBJECT_CLOSE.replace_all(&text, "</object>").into_owned();
        text = PARAM.replace_all(&text, "$1").into_owned();
    }
    if text.contains("<source") || text.contains("<track") {
        text = MEDIA_OPEN.replace_all(&text, "$1").into_owned();
        text = MEDIA_CLOSE.replace_all(&text, "$1").into_owned();
        text = SOURCE.replace_all(&text, "$1").into_owned();
    }
    if text.contains("<figcaption") {
        text = FIGCAPTION_OPEN.replace_all(&text, "$1").into_owned();
        text = FIGCAPTION_CLOSE
            .replace_all(&text, "</figcaption>")
            .into_owned();
    }

    let text = MANY_NEWLINES.replace_all(&text, "\n\n");
    // Every part between blank lines is wrapped in <p>.
    let mut wrapped = String::with_capacity(text.len() + 64);
    for paragraph in PARAGRAPH_SPLIT.split(&text).filter(|p| !p.is_empty()) {
        wrapped.push_str("<p>");
        wrapped.push_str(paragraph.trim_matches('\n'));
        wrapped.push_str("</p>\n");
    }

    let text = EMPTY_P.replace_all(&wrapped, "");
    let text = P_IN_DIV.replace_all(&text, "<p>$1</p></$2>");
    // A block tag alone in a paragraph, or opening or closing one, is not wrapped.
    let text = P_AROUND_BLOCK.replace_all(&text, "$1");
    let text = P_AROUND_LI.replace_all(&text, "$1");
    let text = P_BLOCKQUOTE.replace_all(&text, "<blockquote$1><p>");
    let text = text.replace("</blockquote></p>", "</p></blockquote>");
    let text = P_BEFORE_BLOCK.replace_all(&text, "$1");
    let text = P_AFTER_BLOCK.replace_all(&text, "$1");

    // Single newlines become <br />, except inside script, style, svg and math.
    let text = PRESERVED.replace_all(&text, |c: &Captures<'_>| {
        c[0].replace('\n', &KEPT_NEWLINE.to_string())
    });
    let text = text.replace("<br>", "<br />").replace("<br/>", "<br />");
    let text = newlines_to_br(&text);
    let text = text.replace(KEPT_NEWLINE, "\n");

    let text = BR_AFTER_BLOCK.replace_all(&text, "$1");
    let text = BR_BEFORE_BLOCK.replace_all(&text, "$1");
    let mut text = match text.strip_suffix("\n</p>") {
        Some(head) => format!("{head}</p>"),
        None => text.into_owned(),
    };

    for (name, pre) in &pre_tags {
        text = text.replace(name, pre);
    }
    text.replace(TAG_NEWLINE, "\n")
}

/// WordPress's `wp_replace_in_html_tags($text, ["\n" => placeholder])`: newlines inside a tag
/// or a comment are set aside so they do not split paragraphs.
fn replace_newlines_in_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end = if tail.starts_with("<!--") {
            tail.find("-->").map_or(tail.len(), |e| e + 3)
        } else {
            tail.find('>').map_or(tail.len(), |e| e + 1)
        };
        out.extend(
            tail[..end]
                .chars()
                .map(|c| if c == '\n' { TAG_NEWLINE } else { c }),
        );
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

/// `preg_replace('|(?<!<br />)\s*\n|', "<br />\n", $text)`: every newline not right after a
/// `<br />` becomes one, taking the white space before it. As PCRE matches it: a run of white
/// space after `<br />` is matched from its second character on, so `<br /> \n` gets a
/// second `<br />` and only `<br />\n` is left as it is. (Paragraphs hold no blank lines
/// here, so a run never spans two newlines.)
fn newlines_to_br(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    let mut line_start = 0;
    for (i, c) in text.char_indices() {
        if c != '\n' {
            continue;
        }
        let line = &text[line_start..i];
        let trimmed = line.trim_end_matches(|c: char| c.is_ascii_whitespace());
        let space = &line[trimmed.len()..];
        if !trimmed.ends_with("<br />") {
            out.push_str(trimmed);
            out.push_str("<br />");
        } else if let Some(first) = space.chars().next() {
            out.push_str(trimmed);
            out.push(first);
            out.push_str("<br />");
        } else {
            out.push_str(line);
        }
        out.push('\n');
        line_start = i + 1;
    }
    out.push_str(&text[line_start..]);
    out
}

#[cfg(test)]
mod tests {
    use super::autop;

    /// Pairs of stored text and what WordPress 6's `wpautop` prints for it.
    #[test]
    fn classic_text_gets_the_paragraphs_wordpress_prints() {
        for (input, expected) in [
            (
                "First paragraph.\n\nSecond paragraph.",
                "<p>First paragraph.</p>\n<p>Second paragraph.</p>\n",
            ),
            (
                "Line one\nline two\n\nNext",
                "<p>Line one<br />\nline two</p>\n<p>Next</p>\n",
            ),
            (
                "Intro\n<ul>\n<li>One</li>\n<li>Two</li>\n</ul>\nAfter",
                "<p>Intro</p>\n<ul>\n<li>One</li>\n<li>Two</li>\n</ul>\n<p>After</p>\n",
            ),
            (
                "<h2>Title</h2>\nText under it.",
                "<h2>Title</h2>\n<p>Text under it.</p>\n",
            ),
            (
                "<blockquote>Quoted words.</blockquote>",
                "<blockquote><p>Quoted words.</p></blockquote>\n",
            ),
            ("a<br><br>b", "<p>a</p>\n<p>b</p>\n"),
            ("<div>Text in a div</div>", "<div>Text in a div</div>\n"),
            ("Before<hr>After", "<p>Before</p>\n<hr>\n<p>After</p>\n"),
            (
                "<a href=\"x\"\ntitle=\"t\">link</a> text",
                "<p><a href=\"x\"\ntitle=\"t\">link</a> text</p>\n",
            ),
        ] {
            assert_eq!(autop(input), expected, "{input:?}");
        }
    }

    /// Cases of WordPress's own `wpautop` tests (`tests/phpunit/tests/formatting/autop.php`).
    #[test]
    fn wordpress_own_cases() {
        // Breaks written by hand inside <pre> stay; the text around is wrapped.
        assert_eq!(
            autop("Look at this code\n\n<pre>Line1<br />Line2<br>Line3<br/>Line4\nActual Line 2\nActual Line 3</pre>\n\nCool, huh?").trim(),
            "<p>Look at this code</p>\n<pre>Line1<br />Line2<br>Line3<br/>Line4\nActual Line 2\nActual Line 3</pre>\n<p>Cool, huh?</p>"
        );
        // No <br /> added around inline inputs.
        let inputs = "Username: <input type=\"text\" id=\"username\" name=\"username\" /><br />Password: <input type=\"password\" id=\"password1\" name=\"password1\" />";
        assert_eq!(autop(inputs).trim(), format!("<p>{inputs}</p>"));
        // Inline math is wrapped like text.
        let math = "<math><mrow><mi>a</mi><mo>+</mo><mi>b</mi></mrow></math>";
        assert_eq!(autop(math).trim(), format!("<p>{math}</p>"));
        let block_math = "<math display=\"block\">\n\t<mtable>\n\t\t<mtr><mtd><mi>a</mi></mtd></mtr>\n\t</mtable>\n</math>";
        assert_eq!(autop(block_math).trim(), format!("<p>{block_math}</p>"));
        // Line breaks around <source> and <track> in a video collapse, in HTML or shortcode form.
        let video = "Paragraph one.\n\n<video controls=\"controls\">\n\t<source type=\"video/mp4\" src=\"a.mp4\" />\n\t<track kind=\"subtitles\" src=\"s.srt\" />\n</video>\n\nParagraph two.";
        assert_eq!(
            autop(video).trim(),
            "<p>Paragraph one.</p>\n<p><video controls=\"controls\"><source type=\"video/mp4\" src=\"a.mp4\" /><track kind=\"subtitles\" src=\"s.srt\" /></video></p>\n<p>Paragraph two.</p>"
        );
        let shortcode =
            "[video mp4=\"a.mp4\"]\n<source type=\"video/webm\" src=\"b.webm\" />\n[/video]";
        assert_eq!(
            autop(shortcode).trim(),
            "<p>[video mp4=\"a.mp4\"]<source type=\"video/webm\" src=\"b.webm\" />[/video]</p>"
        );
        // The first lines of WordPress's "first post" test.
        assert_eq!(
            autop(
                "\nWelcome to WordPress!  This post contains important information.\n\nFirst things first:\n<ul>\n<li><a href=\"x\">Subscribe</a></li>\n</ul>\nAs a subscriber, you will receive an email.\nWhen a new version is released, log in.\nUpgrading is a couple of clicks!\n\nThen you can start."
            ),
            "<p>Welcome to WordPress!  This post contains important information.</p>\n<p>First things first:</p>\n<ul>\n<li><a href=\"x\">Subscribe</a></li>\n</ul>\n<p>As a subscriber, you will receive an email.<br />\nWhen a new version is released, log in.<br />\nUpgrading is a couple of clicks!</p>\n<p>Then you can start.</p>\n"
        );
    }

    #[test]
    fn a_break_before_a_newline_is_not_doubled() {
        assert_eq!(autop("a<br />\nb"), "<p>a<br />\nb</p>\n");
        assert_eq!(autop("a<br>\nb"), "<p>a<br />\nb</p>\n");
    }

    #[test]
    fn preformatted_text_is_left_as_written() {
        let input = "Code:\n\n<pre>line 1\n\nline 2\n</pre>\n\nDone";
        assert_eq!(
            autop(input),
            "<p>Code:</p>\n<pre>line 1\n\nline 2\n</pre>\n<p>Done</p>\n"
        );
    }

    #[test]
    fn newlines_inside_script_and_style_are_not_breaks() {
        let out = autop("<style>\na{}\nb{}\n</style>\nText");
        assert!(out.contains("<style>\na{}\nb{}\n</style>"), "{out}");
    }

    #[test]
    fn whitespace_only_text_is_empty() {
        assert_eq!(autop(" \n\n \t"), "");
    }
}
