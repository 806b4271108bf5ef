//! A meeting's record as a page shows it: its text cut into pieces, the passages the
//! extractor read facts from marked and anchored (`at-{byte}`), so a brief's "In the
//! record" link and the desk's fact list land on the very words. The pieces are plain text;
//! the templates escape them.

use masthead_meeting::{Extraction, Span};
use serde::Serialize;

/// A stretch of the record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Piece<'t> {
    /// Its text.
    pub text: &'t str,
    /// Its anchor's byte offset, for a marked passage.
    pub anchor: Option<usize>,
}

/// `text` in pieces, every passage a fact was read from marked, in order, overlaps merged
/// into the first.
pub(crate) fn pieces<'t>(text: &'t str, extraction: &Extraction) -> Vec<Piece<'t>> {
    let mut spans: Vec<Span> = extraction.motions.iter().map(|m| m.span).collect();
    let facts = extraction
        .present
        .iter()
        .chain(&extraction.absent)
        .chain(&extraction.speakers)
        .chain(&extraction.adjourned);
    spans.extend(facts.map(|f| f.span));
    spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut out = Vec::new();
    let mut at = 0;
    for span in spans {
        let valid = span.start >= at
            && span.end > span.start
            && text.is_char_boundary(span.start)
            && text.is_char_boundary(span.end.min(text.len()));
        if !valid {
            continue;
        }
        let end = span.end.min(text.len());
        if span.start > at {
            out.push(Piece {
                text: &text[at..span.start],
                anchor: None,
            });
        }
        out.push(Piece {
            text: &text[span.start..end],
            anchor: Some(span.start),
        });
        at = end;
    }
    if at < text.len() {
        out.push(Piece {
            text: &text[at..],
            anchor: None,
        });
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_pieces_are_the_whole_text_with_each_motion_marked_at_its_start() {
        let text = "Present: Ruiz, Hale.\n\nMotion by Ruiz, seconded by Hale, to approve the \
                    minutes. Motion carried 2-0.\n\nAdjourned at 8:42 p.m.";
        let extraction = masthead_meeting::extract(text).unwrap();
        let pieces = pieces(text, &extraction);
        let whole: String = pieces.iter().map(|p| p.text).collect();
        assert_eq!(whole, text);
        let motion = &extraction.motions[0];
        assert!(
            pieces.iter().any(
                |p| p.anchor == Some(motion.span.start) && p.text.starts_with("Motion by Ruiz")
            )
        );
    }
}
