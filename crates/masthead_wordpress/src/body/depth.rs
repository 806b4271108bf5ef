//! Posts nested deeper than any page needs, flattened before the sanitizer.
//!
//! html5ever's tree builder checks the open elements for many start tags, so a post of tens
//! of thousands of unclosed `<div>`s costs time in the square of its depth, and a tree that
//! deep would take the writer's recursion (and its drop) past the stack. No real post
//! nests a hundred elements; one that does is flattened here: tags opened below
//! [`MAX_DEPTH`] open elements are left out with their closing tags, their text kept. Most
//! posts are never read here: only one with more than [`TAGS_BEFORE_CHECK`] tags could be
//! that deep.

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use masthead_core::html_text::escape;
use std::borrow::Cow;
use std::cell::RefCell;

/// The most elements open at once that a post keeps.
pub const MAX_DEPTH: usize = 100;

/// Posts with fewer `<` than this cannot be deeper than [`MAX_DEPTH`] in a way that costs.
const TAGS_BEFORE_CHECK: usize = 2_000;

/// The open element a start tag `name` implicitly closes, as HTML's tree builder does for
/// the end tags a writer may leave out (`<li>` after `<li>` in the same list, `<p>` before a
/// block): the index in `open` to close from, if any.
fn implied_close(open: &[String], name: &str) -> Option<usize> {
    let (target, boundaries): (&[&str], &[&str]) = match name {
        "li" => (&["li"], &["ul", "ol", "menu"]),
        "dt" | "dd" => (&["dt", "dd"], &["dl"]),
        "tr" => (&["tr"], &["table", "thead", "tbody", "tfoot"]),
        "td" | "th" => (&["td", "th"], &["tr", "table"]),
        "thead" | "tbody" | "tfoot" => (&["thead", "tbody", "tfoot"], &["table"]),
        "option" => (&["option"], &["select", "datalist"]),
        "p" | "div" | "ul" | "ol" | "dl" | "blockquote" | "table" | "pre" | "h1" | "h2" | "h3"
        | "h4" | "h5" | "h6" | "figure" | "figcaption" | "section" | "article" | "aside"
        | "header" | "footer" | "nav" | "main" | "address" | "details" | "hr" | "menu"
        | "fieldset" | "form" => (&["p"], &["table", "td", "th", "button", "caption"]),
        _ => return None,
    };
    for (at, open_name) in open.iter().enumerate().rev() {
        if target.contains(&open_name.as_str()) {
            return Some(at);
        }
        if boundaries.contains(&open_name.as_str()) {
            return None;
        }
    }
    None
}

pub(super) fn is_void(name: &str) -> bool {
    matches!(
        name,
        "area"
            | "base"
            | "br"
            | "col"
            | "embed"
            | "hr"
            | "img"
            | "input"
            | "link"
            | "meta"
            | "source"
            | "track"
            | "wbr"
            | "param"
    )
}

#[derive(Default)]
struct Flattener {
    out: RefCell<String>,
    open: RefCell<Vec<String>>,
    skipped: RefCell<Vec<String>>,
    flattened: RefCell<bool>,
}

impl TokenSink for Flattener {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut out = self.out.borrow_mut();
        let mut open = self.open.borrow_mut();
        let mut skipped = self.skipped.borrow_mut();
        match token {
            Token::TagToken(tag) => {
                let name = tag.name.to_string();
                match tag.kind {
                    TagKind::StartTag => {
                        if let Some(at) = implied_close(&open, &name) {
                            open.truncate(at);
                        }
                        if !is_void(&name) && !tag.self_closing {
                            if open.len() >= MAX_DEPTH {
                                skipped.push(name);
                                *self.flattened.borrow_mut() = true;
                                return TokenSinkResult::Continue;
                            }
                            open.push(name.clone());
                        }
                        out.push('<');
                        out.push_str(&name);
                        for a in &tag.attrs {
                            out.push(' ');
                            out.push_str(&a.name.local);
                            out.push_str("=\"");
                            out.push_str(&escape(&a.value));
                            out.push('"');
                        }
                        out.push('>');
                    }
                    TagKind::EndTag => {
                        if skipped.last() == Some(&name) {
                            skipped.pop();
                            return TokenSinkResult::Continue;
                        }
                        if let Some(at) = open.iter().rposition(|n| *n == name) {
                            open.truncate(at);
                        }
                        out.push_str("</");
                        out.push_str(&name);
                        out.push('>');
                    }
                }
            }
            Token::CharacterTokens(text) => out.push_str(&escape(&text)),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// The post as it is, or flattened below [`MAX_DEPTH`] when it nests deeper.
pub fn cap_depth(html: &str) -> Cow<'_, str> {
    if html.bytes().filter(|&b| b == b'<').count() < TAGS_BEFORE_CHECK {
        return Cow::Borrowed(html);
    }
    let tokenizer = Tokenizer::new(Flattener::default(), TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    if tokenizer.sink.flattened.take() {
        Cow::Owned(tokenizer.sink.out.take())
    } else {
        Cow::Borrowed(html)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_post_nested_past_the_limit_is_flattened_and_keeps_its_text() {
        let deep = format!(
            "{}deep text{}",
            "<div>".repeat(3_000),
            "</div>".repeat(3_000)
        );
        let out = cap_depth(&deep);
        assert_eq!(out.matches("<div>").count(), MAX_DEPTH);
        assert_eq!(out.matches("</div>").count(), MAX_DEPTH);
        assert!(out.contains("deep text"));
    }

    #[test]
    fn long_posts_of_ordinary_depth_are_left_as_they_are() {
        // Paragraphs and list items without their end tags are not nesting.
        let long = "<p>One <em>two</em><br>three &amp; four".repeat(1_000);
        assert!(matches!(cap_depth(&long), Cow::Borrowed(_)));
        let long = format!("<ul>{}</ul>", "<li>item <ul><li>sub</ul>".repeat(1_000));
        assert!(matches!(cap_depth(&long), Cow::Borrowed(_)));
        let long = format!("<table>{}</table>", "<tr><td>a<td>b".repeat(1_000));
        assert!(matches!(cap_depth(&long), Cow::Borrowed(_)));
        let short = "<div>".repeat(500);
        assert!(matches!(cap_depth(&short), Cow::Borrowed(_)));
    }
}
