//! A small tree of sanitized HTML, read with html5ever's tokenizer.
//!
//! The sanitizer parsed the post with html5ever's tree builder (which mends unclosed and
//! misnested tags as a browser does) and wrote it back out, so its output is balanced: every
//! element but the void ones is closed, in order. Reading that needs only the tokenizer and
//! a stack, with no second tree builder and no reference-counted DOM. The tree is at most
//! [`MAX_DEPTH`] elements deep (the writer walks it by recursion).

use super::depth::{MAX_DEPTH, is_void};
use html5ever::tendril::StrTendril;
use html5ever::tokenizer::{
    BufferQueue, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use std::cell::RefCell;

/// A node of the tree: an element with its attributes and children, or text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// An element; its name is lowercase.
    Element(Element),
    /// Text, with character references decoded.
    Text(String),
}

/// An element of the tree.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// The tag name, lowercase.
    pub name: String,
    /// The attributes in order.
    pub attrs: Vec<(String, String)>,
    /// The children in order.
    pub children: Vec<Node>,
}

impl Element {
    /// The value of an attribute.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The child elements, skipping text.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }
}

#[derive(Default)]
struct Builder {
    /// The open elements; the first is the root.
    stack: RefCell<Vec<Element>>,
    /// Elements left out below the deepest level kept, to skip their closing tags.
    skipped: RefCell<Vec<String>>,
}

impl Builder {
    fn close_top(stack: &mut Vec<Element>) {
        if stack.len() > 1
            && let Some(done) = stack.pop()
            && let Some(parent) = stack.last_mut()
        {
            parent.children.push(Node::Element(done));
        }
    }
}

impl TokenSink for Builder {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let mut stack = self.stack.borrow_mut();
        match token {
            Token::TagToken(tag) => {
                let name = tag.name.to_string();
                match tag.kind {
                    TagKind::StartTag => {
                        let element = Element {
                            attrs: tag
                                .attrs
                                .iter()
                                .map(|a| (a.name.local.to_string(), a.value.to_string()))
                                .collect(),
                            name,
                            children: Vec::new(),
                        };
                        if is_void(&element.name) || tag.self_closing {
                            if let Some(parent) = stack.last_mut() {
                                parent.children.push(Node::Element(element));
                            }
                        } else if stack.len() > MAX_DEPTH {
                            // Deeper than any post needs: its children join the parent.
                            self.skipped.borrow_mut().push(element.name);
                        } else {
                            stack.push(element);
                        }
                    }
                    TagKind::EndTag => {
                        let mut skipped = self.skipped.borrow_mut();
                        if skipped.last() == Some(&name) {
                            skipped.pop();
                            return TokenSinkResult::Continue;
                        }
                        // Balanced input: the element closed is the top one. Anything else
                        // closes up to its match, or is ignored when nothing matches.
                        if let Some(depth) = stack.iter().skip(1).rposition(|e| e.name == name) {
                            while stack.len() > depth + 1 {
                                Self::close_top(&mut stack);
                            }
                        }
                    }
                }
            }
            Token::CharacterTokens(text) => {
                if let Some(parent) = stack.last_mut() {
                    match parent.children.last_mut() {
                        Some(Node::Text(t)) => t.push_str(&text),
                        _ => parent.children.push(Node::Text(text.to_string())),
                    }
                }
            }
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// Reads balanced HTML (the sanitizer's output) into a tree under a root element named "".
pub fn parse(html: &str) -> Element {
    let builder = Builder::default();
    builder.stack.borrow_mut().push(Element::default());
    let tokenizer = Tokenizer::new(builder, TokenizerOpts::default());
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(html));
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    let mut stack = tokenizer.sink.stack.take();
    while stack.len() > 1 {
        Builder::close_top(&mut stack);
    }
    stack.pop().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balanced_html_becomes_its_tree() {
        let root = parse("<p>a &amp; <em>b</em><br>c</p><img src=\"x&amp;y\" alt=\"\">");
        assert_eq!(root.children.len(), 2);
        let Node::Element(p) = &root.children[0] else {
            panic!("{root:?}")
        };
        assert_eq!(p.name, "p");
        assert_eq!(p.children[0], Node::Text("a & ".into()));
        assert_eq!(p.children.len(), 4);
        let Node::Element(img) = &root.children[1] else {
            panic!("{root:?}")
        };
        assert_eq!(img.attr("src"), Some("x&y"));
    }

    #[test]
    fn the_tree_is_never_deeper_than_the_limit() {
        let html = format!(
            "{}text{}",
            "<blockquote>".repeat(500),
            "</blockquote>".repeat(500)
        );
        let mut depth = 0;
        let mut e = &parse(&html);
        while let Some(child) = e.elements().next() {
            depth += 1;
            e = child;
        }
        assert_eq!(depth, MAX_DEPTH);
        assert_eq!(e.children, [Node::Text("text".into())]);
    }

    #[test]
    fn unclosed_elements_are_closed_at_the_end() {
        let root = parse("<ul><li>one");
        let ul = root.elements().next().map(|e| e.name.as_str());
        assert_eq!(ul, Some("ul"));
    }
}
