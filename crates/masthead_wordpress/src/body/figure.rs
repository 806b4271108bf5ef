//! Figures: an image with its caption, a gallery of them, and figures that hold other things.
//! See [`super::markdown`] for the dialect: a captioned image is one line of raw HTML.

use super::BodyImage;
use super::dom::{Element, Node};
use super::escape::{collapse, collapse_spaces};
use super::markdown::{Block, Kind, Writer, plain_text};
use masthead_core::html_text::escape;

impl Writer {
    /// A figure: an image with a caption as one line of raw HTML, an image without one as a
    /// Markdown image; a figure of other things (a table, a quote, a gallery of figures) is
    /// read as what it holds.
    pub(super) fn figure(&mut self, e: &Element) -> Vec<Block> {
        let mut images = Vec::new();
        let mut nested_figure = false;
        find_images(e, &mut images, &mut nested_figure);
        if nested_figure || images.is_empty() {
            return self.blocks(&e.children);
        }
        let caption_el = e.elements().find(|c| c.name == "figcaption");
        let caption_html = caption_el.map(|c| self.caption_html(&c.children));
        let caption_text = caption_el
            .map(|c| collapse(&self.unmark(&plain_text(c))))
            .filter(|c| !c.is_empty());
        let last = images.len() - 1;
        let mut out = Vec::new();
        for (n, img) in images.into_iter().enumerate() {
            let caption = if n == last {
                caption_text.clone()
            } else {
                None
            };
            let text = match (&caption, &caption_html) {
                (Some(_), Some(html)) => {
                    let Some(src) = img.attr("src").map(str::trim).filter(|s| !s.is_empty()) else {
                        continue;
                    };
                    let alt = collapse(img.attr("alt").unwrap_or_default());
                    self.images.push(BodyImage {
                        src: src.to_owned(),
                        alt: alt.clone(),
                        caption: caption.clone(),
                    });
                    format!(
                        "<figure><img src=\"{}\" alt=\"{}\"><figcaption>{html}</figcaption></figure>",
                        escape(src),
                        escape(&alt)
                    )
                }
                _ => match self.image(img, None) {
                    Some(md) => md,
                    None => continue,
                },
            };
            out.push(Block {
                text,
                kind: Kind::Other,
                more: false,
            });
        }
        if caption_text.is_none()
            && let Some(c) = caption_el
            && let Some(text) = self.paragraph(&c.children)
        {
            out.push(Block {
                text,
                kind: Kind::Paragraph,
                more: false,
            });
        }
        out
    }

    /// A caption's inline content as HTML for the raw figure line: text escaped, a few
    /// inline elements kept, no newline (a blank line would end the HTML block).
    pub(super) fn caption_html(&mut self, nodes: &[Node]) -> String {
        let mut out = String::new();
        for node in nodes {
            match node {
                Node::Text(t) => out.push_str(&escape(&collapse_spaces(&self.unmark(t)))),
                Node::Element(e) => {
                    let tag = match e.name.as_str() {
                        "em" | "i" | "cite" => Some("em"),
                        "strong" | "b" => Some("strong"),
                        "code" | "sup" | "sub" | "small" => Some(e.name.as_str()),
                        "br" => {
                            out.push_str("<br>");
                            continue;
                        }
                        "a" => {
                            let inner = self.caption_html(&e.children);
                            match e.attr("href").filter(|h| !h.trim().is_empty()) {
                                Some(href) => out.push_str(&format!(
                                    "<a href=\"{}\">{inner}</a>",
                                    escape(href.trim())
                                )),
                                None => out.push_str(&inner),
                            }
                            continue;
                        }
                        _ => None,
                    };
                    let inner = self.caption_html(&e.children);
                    match tag {
                        Some(tag) => out.push_str(&format!("<{tag}>{inner}</{tag}>")),
                        None => out.push_str(&inner),
                    }
                }
            }
        }
        out.trim().to_owned()
    }
}

/// A list whose every item is one figure (WordPress 5's gallery block,
/// `<ul class="blocks-gallery-grid"><li><figure>…`): its figures, not a list of them.
pub(super) fn is_gallery_list(e: &Element) -> bool {
    let mut items = 0;
    for child in &e.children {
        match child {
            Node::Text(t) if t.trim().is_empty() => {}
            Node::Element(li)
                if li.name == "li"
                    && li.children.iter().all(|n| match n {
                        Node::Text(t) => t.trim().is_empty(),
                        Node::Element(f) => f.name == "figure",
                    })
                    && li.elements().count() == 1 =>
            {
                items += 1;
            }
            _ => return false,
        }
    }
    items > 0
}

/// The images of a figure (not inside a nested figure or its caption), and whether it holds
/// figures of its own (a gallery).
fn find_images<'a>(e: &'a Element, images: &mut Vec<&'a Element>, nested: &mut bool) {
    for child in e.elements() {
        match child.name.as_str() {
            "img" => images.push(child),
            "figure" => *nested = true,
            "figcaption" => {}
            _ => find_images(child, images, nested),
        }
    }
}
