//! The sanitized tree written as masthead Markdown.
//!
//! The dialect is the desk's own: CommonMark with GFM tables and strikethrough, as
//! `masthead_render::markdown` reads it. Headings, paragraphs, lists (nested, tight or loose),
//! block quotes, fenced code, tables, links, emphasis and images are Markdown. Three things
//! are not:
//!
//! - a **figure with a caption** is one line of raw HTML,
//!   `<figure><img src="…" alt="…"><figcaption>…</figcaption></figure>`, with a blank line
//!   before and after, which CommonMark passes through as an HTML block and the renderer
//!   sanitizes again; a figure without a caption is a Markdown image, `![alt](src)`;
//! - a **video** is its address alone in a paragraph (see [`super::embeds`]), which the
//!   renderer shows as the player;
//! - emphasis whose text starts or ends with punctuation or a space, and `<sup>`/`<sub>`, are
//!   inline HTML (`<strong>"Yes"</strong>`), because `**"Yes"**` followed by a letter is not
//!   emphasis in CommonMark.
//!
//! Text is escaped so that it stays text: `\ * _ [ ] < ~ |` and backticks always (`_` only
//! where it could open or close emphasis), `&` before what looks like a character reference,
//! and `# > - + =` or `1.` at the start of a line.

use super::BodyImage;
use super::breaks::MORE_MARK;
use super::dom::{Element, Node};
use super::embeds::VIDEO_MARK;
use super::escape::{
    BREAK, code_span, collapse, collapse_spaces, destination, escape_line_start, longest_run,
    push_escaped, split_spaces,
};

/// What the writer found besides the Markdown.
#[derive(Debug, Default)]
pub struct Written {
    /// The Markdown body.
    pub markdown: String,
    /// Every image, in order.
    pub images: Vec<BodyImage>,
    /// Every video address, in order.
    pub videos: Vec<String>,
    /// Where the teaser break stood: the byte offset of the end of the block holding it.
    pub more_at: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Paragraph,
    List { ordered: bool, alt: bool },
    Other,
}

pub(super) struct Block {
    pub(super) text: String,
    pub(super) kind: Kind,
    /// Whether the teaser break was met while writing this block.
    pub(super) more: bool,
}

#[derive(Clone, Copy, Default)]
pub(super) struct Inline {
    pub(super) in_link: bool,
    pub(super) in_table: bool,
}

#[derive(Default)]
pub(super) struct Writer {
    pub(super) images: Vec<BodyImage>,
    pub(super) videos: Vec<String>,
    more_seen: bool,
}

/// Writes the tree as Markdown.
pub fn write(root: &Element) -> Written {
    let mut w = Writer::default();
    let blocks = w.blocks(&root.children);
    let mut markdown = String::new();
    let mut more_at = None;
    for block in blocks {
        if !block.text.is_empty() {
            if !markdown.is_empty() {
                markdown.push_str("\n\n");
            }
            markdown.push_str(&block.text);
        }
        if block.more && more_at.is_none() {
            more_at = Some(markdown.len());
        }
    }
    if !markdown.is_empty() {
        markdown.push('\n');
    }
    Written {
        markdown,
        images: w.images,
        videos: w.videos,
        more_at,
    }
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "section"
            | "article"
            | "aside"
            | "header"
            | "footer"
            | "nav"
            | "main"
            | "address"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "li"
            | "dl"
            | "dt"
            | "dd"
            | "blockquote"
            | "pre"
            | "table"
            | "thead"
            | "tbody"
            | "tfoot"
            | "tr"
            | "td"
            | "th"
            | "caption"
            | "figure"
            | "figcaption"
            | "hr"
            | "details"
            | "summary"
            | "hgroup"
            | "center"
            | "fieldset"
            | "legend"
            | "form"
            | "menu"
    )
}

fn is_block_node(node: &Node) -> bool {
    matches!(node, Node::Element(e) if is_block(&e.name))
}

impl Writer {
    /// The blocks of a container's children: each block element one or more blocks, each run
    /// of inline content between them a paragraph.
    pub(super) fn blocks(&mut self, nodes: &[Node]) -> Vec<Block> {
        let mut out: Vec<Block> = Vec::new();
        let mut i = 0;
        while i < nodes.len() {
            let before = self.more_seen;
            if let Node::Element(e) = &nodes[i]
                && is_block(&e.name)
            {
                let last = out.last().map(|b| b.kind);
                let mut produced = self.block(e, last);
                if !before && self.more_seen {
                    match produced.first_mut() {
                        Some(b) => b.more = true,
                        None => produced.push(Block {
                            text: String::new(),
                            kind: Kind::Other,
                            more: true,
                        }),
                    }
                }
                out.extend(produced);
                i += 1;
                continue;
            }
            let start = i;
            while i < nodes.len() && !is_block_node(&nodes[i]) {
                i += 1;
            }
            let block = self.paragraph(&nodes[start..i]);
            if block.is_some() || (!before && self.more_seen) {
                out.push(Block {
                    text: block.unwrap_or_default(),
                    kind: Kind::Paragraph,
                    more: !before && self.more_seen,
                });
            }
        }
        out
    }

    /// One block element as zero or more blocks.
    fn block(&mut self, e: &Element, last: Option<Kind>) -> Vec<Block> {
        let one = |text: String, kind: Kind| {
            if text.is_empty() {
                Vec::new()
            } else {
                vec![Block {
                    text,
                    kind,
                    more: false,
                }]
            }
        };
        match e.name.as_str() {
            "p" | "dt" | "summary" | "legend" => {
                let text = self.paragraph(&e.children).unwrap_or_default();
                one(text, Kind::Paragraph)
            }
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = e.name[1..].parse::<usize>().unwrap_or(2);
                let text = self.inline(&e.children, Inline::default());
                let text = collapse(&text.replace(BREAK, " "));
                if text.is_empty() {
                    return Vec::new();
                }
                let mut text = escape_line_start(&text);
                if text.ends_with('#') {
                    text.insert(text.len() - 1, '\\');
                }
                one(format!("{} {text}", "#".repeat(level)), Kind::Other)
            }
            "ul" | "ol" if super::figure::is_gallery_list(e) => e
                .elements()
                .flat_map(|li| li.elements().collect::<Vec<_>>())
                .flat_map(|figure| self.figure(figure))
                .collect(),
            "ul" | "ol" => {
                let ordered = e.name == "ol";
                let alt =
                    matches!(last, Some(Kind::List { ordered: o, alt: false }) if o == ordered);
                let text = self.list(e, ordered, alt);
                one(text, Kind::List { ordered, alt })
            }
            "blockquote" => {
                let inner = join(&self.blocks(&e.children));
                one(prefix_lines(&inner, "> ", ">"), Kind::Other)
            }
            "pre" => one(code_block(e), Kind::Other),
            "table" => self.table(e),
            "figure" => self.figure(e),
            "hr" => one("---".to_owned(), Kind::Other),
            _ => self.blocks(&e.children),
        }
    }

    /// A run of inline content as a paragraph, or `None` when it holds no text. A video
    /// paragraph is written as its address alone.
    pub(super) fn paragraph(&mut self, nodes: &[Node]) -> Option<String> {
        if let Some(video) = video_of(nodes) {
            self.videos.push(video.clone());
            return Some(video);
        }
        let text = self.inline(nodes, Inline::default());
        let lines: Vec<String> = text
            .split(BREAK)
            .map(|line| escape_line_start(collapse(line).as_str()))
            .filter(|line| !line.is_empty())
            .collect();
        if lines.is_empty() {
            None
        } else {
            Some(lines.join("\\\n"))
        }
    }

    pub(super) fn inline(&mut self, nodes: &[Node], ctx: Inline) -> String {
        let mut out = String::new();
        for node in nodes {
            match node {
                Node::Text(t) => {
                    let t = self.unmark(t);
                    push_escaped(&mut out, &t);
                }
                Node::Element(e) => self.inline_element(e, ctx, &mut out),
            }
        }
        out
    }

    fn inline_element(&mut self, e: &Element, ctx: Inline, out: &mut String) {
        match e.name.as_str() {
            "br" => out.push(BREAK),
            "img" => {
                if let Some(md) = self.image(e, None) {
                    out.push_str(&md);
                }
            }
            "em" | "i" | "cite" | "dfn" | "var" => self.emphasis(e, ctx, "*", "em", out),
            "strong" | "b" => self.emphasis(e, ctx, "**", "strong", out),
            "del" | "s" | "strike" => self.emphasis(e, ctx, "~~", "del", out),
            "code" | "kbd" | "samp" | "tt" => {
                let text = collapse_spaces(&self.unmark(&plain_text(e)));
                out.push_str(&code_span(&text, ctx.in_table));
            }
            "sup" | "sub" => {
                let inner = self.inline(&e.children, ctx);
                if !inner.trim().is_empty() {
                    out.push_str(&format!("<{0}>{inner}</{0}>", e.name));
                }
            }
            "a" if !ctx.in_link => {
                let inner = self.inline(
                    &e.children,
                    Inline {
                        in_link: true,
                        ..ctx
                    },
                );
                let href = e.attr("href").map(str::trim).unwrap_or_default();
                if href.is_empty() || inner.trim().is_empty() {
                    out.push_str(&inner);
                    return;
                }
                let (lead, body, trail) = split_spaces(&inner);
                out.push_str(lead);
                out.push_str(&format!("[{body}]({})", destination(href, ctx.in_table)));
                out.push_str(trail);
            }
            name if is_block(name) => {
                // Block content inside inline content (a table cell's paragraphs): a break.
                let inner = self.inline(&e.children, ctx);
                if !inner.trim().is_empty() {
                    if !out.is_empty() {
                        out.push(BREAK);
                    }
                    out.push_str(&inner);
                }
            }
            _ => {
                let inner = self.inline(&e.children, ctx);
                out.push_str(&inner);
            }
        }
    }

    /// `*text*`, or `<em>text</em>` where CommonMark would not read the delimiters as
    /// emphasis (text starting or ending with punctuation or a break).
    fn emphasis(&mut self, e: &Element, ctx: Inline, delim: &str, tag: &str, out: &mut String) {
        let inner = self.inline(&e.children, ctx);
        let (lead, body, trail) = split_spaces(&inner);
        out.push_str(lead);
        if !body.is_empty() {
            let plain = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric());
            if plain(body.chars().next()) && plain(body.chars().last()) {
                out.push_str(&format!("{delim}{body}{delim}"));
            } else {
                out.push_str(&format!("<{tag}>{body}</{tag}>"));
            }
        }
        out.push_str(trail);
    }

    /// An image as `![alt](src)`, recorded with its caption.
    pub(super) fn image(&mut self, e: &Element, caption: Option<String>) -> Option<String> {
        let src = e.attr("src").map(str::trim).filter(|s| !s.is_empty())?;
        let alt = collapse(e.attr("alt").unwrap_or_default());
        self.images.push(BodyImage {
            src: src.to_owned(),
            alt: alt.clone(),
            caption,
        });
        let mut escaped_alt = String::with_capacity(alt.len());
        for c in alt.chars() {
            if matches!(c, '\\' | '[' | ']') {
                escaped_alt.push('\\');
            }
            escaped_alt.push(c);
        }
        Some(format!("![{escaped_alt}]({})", destination(src, false)))
    }

    fn list(&mut self, e: &Element, ordered: bool, alt: bool) -> String {
        let start = e
            .attr("start")
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or(1)
            .min(999_999_999);
        let mut items: Vec<(String, bool)> = Vec::new();
        let mut stray: Vec<Node> = Vec::new();
        let flush = |w: &mut Self, stray: &mut Vec<Node>, items: &mut Vec<(String, bool)>| {
            if stray
                .iter()
                .any(|n| !matches!(n, Node::Text(t) if t.trim().is_empty()))
            {
                items.push(w.item(stray));
            }
            stray.clear();
        };
        for child in &e.children {
            match child {
                Node::Element(li) if li.name == "li" => {
                    flush(self, &mut stray, &mut items);
                    items.push(self.item(&li.children));
                }
                other => stray.push(other.clone()),
            }
        }
        flush(self, &mut stray, &mut items);
        let loose = items.iter().any(|(_, loose)| *loose);
        let mut out = String::new();
        for (n, (text, _)) in items.iter().enumerate() {
            if n > 0 {
                out.push_str(if loose { "\n\n" } else { "\n" });
            }
            let marker = match (ordered, alt) {
                (true, false) => format!("{}.", start + n as u64),
                (true, true) => format!("{})", start + n as u64),
                (false, false) => "-".to_owned(),
                (false, true) => "*".to_owned(),
            };
            let indent = " ".repeat(marker.len() + 1);
            out.push_str(&marker);
            if !text.is_empty() {
                out.push(' ');
                out.push_str(&prefix_rest(text, &indent));
            }
        }
        out
    }

    /// A list item's text and whether it needs a loose list (blocks other than one paragraph
    /// followed by lists).
    fn item(&mut self, nodes: &[Node]) -> (String, bool) {
        let blocks = self.blocks(nodes);
        let blocks: Vec<Block> = blocks.into_iter().filter(|b| !b.text.is_empty()).collect();
        let tight = blocks.iter().enumerate().all(|(i, b)| match b.kind {
            Kind::Paragraph => i == 0,
            Kind::List { .. } => true,
            Kind::Other => blocks.len() == 1,
        });
        let sep = if tight { "\n" } else { "\n\n" };
        let text = blocks
            .iter()
            .map(|b| b.text.as_str())
            .collect::<Vec<_>>()
            .join(sep);
        (text, !tight)
    }

    /// Text without the step markers; meeting the teaser mark is recorded.
    pub(super) fn unmark(&mut self, text: &str) -> String {
        if text.contains(MORE_MARK) {
            self.more_seen = true;
        }
        if text.contains([MORE_MARK, VIDEO_MARK]) {
            text.replace([MORE_MARK, VIDEO_MARK], "")
        } else {
            text.to_owned()
        }
    }
}

/// The address of a video paragraph: text that is nothing but a marked address.
fn video_of(nodes: &[Node]) -> Option<String> {
    let mut text = String::new();
    for node in nodes {
        match node {
            Node::Text(t) => text.push_str(t),
            Node::Element(e) if e.name == "br" => {}
            Node::Element(e) => text.push_str(&plain_text(e)),
        }
    }
    let inner = text
        .trim()
        .strip_prefix(VIDEO_MARK)?
        .strip_suffix(VIDEO_MARK)?;
    super::embeds::video_address(inner)
}

/// The text of an element and its descendants, `<br>` as a newline.
pub(super) fn plain_text(e: &Element) -> String {
    let mut out = String::new();
    fn walk(e: &Element, out: &mut String) {
        for node in &e.children {
            match node {
                Node::Text(t) => out.push_str(t),
                Node::Element(c) if c.name == "br" => out.push('\n'),
                Node::Element(c) => walk(c, out),
            }
        }
    }
    walk(e, &mut out);
    out
}

/// Blocks joined by blank lines.
fn join(blocks: &[Block]) -> String {
    blocks
        .iter()
        .map(|b| b.text.as_str())
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Every line prefixed (`> ` for a quote), empty lines with `empty`.
fn prefix_lines(text: &str, prefix: &str, empty: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                empty.to_owned()
            } else {
                format!("{prefix}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every line but the first indented (a list item's continuation).
fn prefix_rest(text: &str, indent: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (n, line) in text.split('\n').enumerate() {
        if n > 0 {
            out.push('\n');
            if !line.is_empty() {
                out.push_str(indent);
            }
        }
        out.push_str(line);
    }
    out
}

/// `<pre>` as a fenced code block, the fence longer than any run of backticks inside.
fn code_block(e: &Element) -> String {
    let text = plain_text(e).replace([MORE_MARK, VIDEO_MARK], "");
    let text = text.strip_prefix('\n').unwrap_or(&text).trim_end();
    if text.trim().is_empty() {
        return String::new();
    }
    let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
    format!("{fence}\n{text}\n{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::dom::parse;

    fn md(html: &str) -> String {
        write(&parse(html)).markdown
    }

    #[test]
    fn headings_paragraphs_and_emphasis() {
        assert_eq!(
            md("<h2>Board <em>votes</em></h2><p>The <strong>board</strong> met.<br>Then left.</p>"),
            "## Board *votes*\n\nThe **board** met.\\\nThen left.\n"
        );
        assert_eq!(
            md("<p><strong>\"Yes,\"</strong> she said <em> here </em>.</p>"),
            "<strong>\"Yes,\"</strong> she said *here* .\n"
        );
    }

    #[test]
    fn text_that_looks_like_markdown_stays_text() {
        assert_eq!(
            md(
                "<p>1. Not a list *or* _emph_ [link](x) &lt;b&gt; &amp;copy; snake_case a|b ~~</p><p># Not a heading</p><p>- dash</p>"
            ),
            "1\\. Not a list \\*or\\* \\_emph\\_ \\[link\\](x) \\<b> \\&copy; snake_case a\\|b \\~\\~\n\n\\# Not a heading\n\n\\- dash\n"
        );
    }

    #[test]
    fn nested_lists_tight_and_loose() {
        assert_eq!(
            md(
                "<ul><li>One<ul><li>One a</li></ul></li><li>Two</li></ul><ol start=\"3\"><li><p>Para</p><p>More</p></li><li>Next</li></ol>"
            ),
            "- One\n  - One a\n- Two\n\n3. Para\n\n   More\n\n4. Next\n"
        );
        // Two lists in a row stay two lists.
        assert_eq!(md("<ul><li>a</li></ul><ul><li>b</li></ul>"), "- a\n\n* b\n");
    }

    #[test]
    fn quotes_code_and_rules() {
        assert_eq!(
            md(
                "<blockquote><p>Quoted</p><p>Two</p></blockquote><pre><code>let x = `1`;\n\nend</code></pre><hr>"
            ),
            "> Quoted\n>\n> Two\n\n```\nlet x = `1`;\n\nend\n```\n\n---\n"
        );
    }

    #[test]
    fn tables_become_gfm_tables() {
        assert_eq!(
            md(
                "<table><thead><tr><th>Name</th><th>Votes</th></tr></thead><tbody><tr><td>A|B</td><td><code>x|y</code></td></tr><tr><td>C</td></tr></tbody></table>"
            ),
            "| Name | Votes |\n| --- | --- |\n| A\\|B | `x\\|y` |\n| C |  |\n"
        );
    }

    #[test]
    fn figures_with_captions_are_raw_html_lines() {
        let out = write(&parse(
            "<figure><a href=\"big.jpg\"><img src=\"a.jpg?x=1&amp;y=2\" alt=\"A &quot;b&quot;\"></a><figcaption>Photo by <a href=\"https://x.example\">X</a>\n<em>2019</em></figcaption></figure><figure><img src=\"b.jpg\" alt=\"\"></figure>",
        ));
        assert_eq!(
            out.markdown,
            "<figure><img src=\"a.jpg?x=1&amp;y=2\" alt=\"A &quot;b&quot;\"><figcaption>Photo by <a href=\"https://x.example\">X</a> <em>2019</em></figcaption></figure>\n\n![](b.jpg)\n"
        );
        assert_eq!(out.images.len(), 2);
        assert_eq!(out.images[0].caption.as_deref(), Some("Photo by X 2019"));
        assert_eq!(out.images[0].src, "a.jpg?x=1&y=2");
    }

    #[test]
    fn a_wordpress_5_gallery_is_figures_not_a_list() {
        let out = write(&parse(
            "<figure class=\"wp-block-gallery\"><ul class=\"blocks-gallery-grid\"><li class=\"blocks-gallery-item\"><figure><img src=\"a.jpg\" alt=\"A\"><figcaption>Cap A</figcaption></figure></li>\n<li><figure><img src=\"b.jpg\" alt=\"B\"></figure></li></ul><figcaption>The fair</figcaption></figure>",
        ));
        assert_eq!(
            out.markdown,
            "<figure><img src=\"a.jpg\" alt=\"A\"><figcaption>Cap A</figcaption></figure>\n\n![B](b.jpg)\n\nThe fair\n"
        );
        // A list with words in it stays a list.
        assert_eq!(
            md("<ul><li><figure><img src=\"a.jpg\" alt=\"A\"></figure></li><li>Words</li></ul>"),
            "- ![A](a.jpg)\n- Words\n"
        );
    }

    #[test]
    fn links_and_images_escape_their_addresses() {
        assert_eq!(
            md("<p><a href=\"https://x.example/a b(c)\">the [site]</a> ![x]</p>"),
            "[the \\[site\\]](<https://x.example/a%20b(c)>) !\\[x\\]\n"
        );
    }
}
