//! Tables, written as GFM tables: the first row is the header (GFM has no table without
//! one), cells are one line (`<br>` between what were lines or blocks), `|` escaped, and a
//! caption follows as a paragraph.

use super::dom::Element;
use super::escape::{BREAK, collapse};
use super::markdown::{Block, Inline, Kind, Writer};

impl Writer {
    pub(super) fn table(&mut self, e: &Element) -> Vec<Block> {
        let mut rows: Vec<Vec<String>> = Vec::new();
        let mut captions: Vec<String> = Vec::new();
        self.rows(e, &mut rows, &mut captions);
        let mut out = Vec::new();
        let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
        if columns > 0 {
            let mut text = String::new();
            for (n, row) in rows.iter().enumerate() {
                text.push('|');
                for c in 0..columns {
                    text.push(' ');
                    text.push_str(row.get(c).map_or("", String::as_str));
                    text.push_str(" |");
                }
                text.push('\n');
                if n == 0 {
                    text.push('|');
                    text.push_str(&" --- |".repeat(columns));
                    text.push('\n');
                }
            }
            text.pop();
            out.push(Block {
                text,
                kind: Kind::Other,
                more: false,
            });
        }
        for caption in captions.into_iter().filter(|c| !c.is_empty()) {
            out.push(Block {
                text: caption,
                kind: Kind::Paragraph,
                more: false,
            });
        }
        out
    }

    pub(super) fn rows(
        &mut self,
        e: &Element,
        rows: &mut Vec<Vec<String>>,
        captions: &mut Vec<String>,
    ) {
        for child in e.elements() {
            match child.name.as_str() {
                "thead" | "tbody" | "tfoot" => self.rows(child, rows, captions),
                "caption" => {
                    let text = self.paragraph(&child.children).unwrap_or_default();
                    captions.push(text);
                }
                "tr" => {
                    let cells: Vec<String> = child
                        .elements()
                        .filter(|c| c.name == "td" || c.name == "th")
                        .map(|c| {
                            let text = self.inline(
                                &c.children,
                                Inline {
                                    in_table: true,
                                    ..Inline::default()
                                },
                            );
                            let lines: Vec<String> = text
                                .split(BREAK)
                                .map(collapse)
                                .filter(|l| !l.is_empty())
                                .collect();
                            lines.join("<br>")
                        })
                        .collect();
                    if !cells.is_empty() {
                        rows.push(cells);
                    }
                }
                _ => {}
            }
        }
    }
}
