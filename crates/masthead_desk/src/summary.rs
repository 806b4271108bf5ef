//! A summary suggested for any story from its own words (the editor's "Suggest a summary"
//! button): the story's Markdown rendered to its running prose
//! ([`masthead_render::prose_text`]: paragraphs only, no headings, lists or quotations),
//! then whole sentences chosen from that by [`masthead_meeting::suggest_summary`] (the lead
//! first, then the sentences on the story's subject), within the length a saved summary may
//! have. Nothing is saved here: the editor reads the suggestion, edits it, and saves.

use crate::rules::{MAX_SUMMARY, MAX_TEXT};
use masthead_render::prose_text;

/// A summary of the story whose Markdown is `markdown` (its body, then a roundup's items),
/// in the story's own sentences and at most as long as a summary may be saved; empty when
/// the text has no sentence to choose (only headings, lists, fragments, or nothing yet).
pub fn suggest_summary(markdown: &str) -> String {
    // A story is at most MAX_TEXT long when saved; a posted form may hold more, and only the
    // start is read anyway.
    let markdown = &markdown[..markdown.floor_char_boundary(MAX_TEXT)];
    masthead_meeting::suggest_summary(&prose_text(markdown), MAX_SUMMARY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_is_sentences_of_the_body_without_its_markdown() {
        let body = "The village board **approved** a [new budget](https://example.org/budget) \
                    for the library on Monday night.\n\n## The vote\n\n\
                    - Trustees voted five to one for the library budget.\n\n\
                    The library budget pays for a new roof and longer hours.";
        assert_eq!(
            suggest_summary(body),
            "The village board approved a new budget for the library on Monday night. \
             The library budget pays for a new roof and longer hours."
        );
    }

    #[test]
    fn a_body_without_sentences_suggests_nothing() {
        assert_eq!(suggest_summary(""), "");
        assert_eq!(suggest_summary("## Heading\n\n- a list\n- of items"), "");
    }

    #[test]
    fn a_suggestion_always_fits_the_summary_field() {
        let long = format!(
            "{}.",
            "The board met again to talk about the budget".repeat(100)
        );
        assert_eq!(suggest_summary(&long), "");
        let body = "The board approved the library budget on Monday night. ".repeat(10_000);
        let summary = suggest_summary(&body);
        assert!(!summary.is_empty() && summary.len() <= MAX_SUMMARY);
    }
}
