//! A summary suggested from a text's own words: whole sentences chosen from it, never a word
//! of ours. Extractive on purpose: an editor reads the suggestion before it is printed, and
//! every word of it can be found in the story (or the record) it came from.
//!
//! **Which sentences.** News writing puts the key facts first, so the lead is preferred; the
//! others are scored by how many of the text's frequent content words they carry (stopwords
//! aside), so a sentence about the story's subject beats an aside. Headings, list items,
//! lines that are only a quotation, fragments without a full stop and very short sentences
//! are never chosen, nor one that says again what a chosen one says. At most
//! [`MAX_SENTENCES`] are chosen, fewer once they make [`ENOUGH`] bytes, all within the length
//! the caller allows, and printed in the text's order with their spaces normalised.
//!
//! **Bounded.** Only the first [`MAX_READ`] bytes are read (a story's lead is at its start),
//! and each of those a fixed number of times, whatever the text holds.

use crate::Span;
use crate::sentences::prose_sentence_end;
use std::collections::{HashMap, HashSet};

/// The most text read for a summary (bytes): the first 64 KiB, about 10,000 words.
pub const MAX_READ: usize = 64 * 1024;

/// The most sentences in a suggestion: a summary box holds a few, not the story.
pub const MAX_SENTENCES: usize = 3;

/// A suggestion stops growing once it is this long (bytes), short of [`MAX_SENTENCES`]: a
/// summary is read at a glance, and shown cut to 160 characters under a teaser.
pub const ENOUGH: usize = 300;

/// The fewest words of a sentence worth suggesting: shorter ones are datelines, captions
/// and fragments ("Photo by staff.").
const MIN_WORDS: usize = 6;

/// The most: longer is a run-on or a list the sentence finder could not cut.
const MAX_WORDS: usize = 80;

/// How much the lead counts beside the content words: the first usable sentence gets this
/// much, the second half of it, the third a third, and so on; the content-word score is
/// between 0 and 1.
const LEAD_WEIGHT: f64 = 1.0;

/// Words that say nothing about a story's subject.
const STOPWORDS: &[&str] = &[
    "about", "above", "after", "again", "against", "all", "also", "among", "and", "any", "are",
    "around", "because", "been", "before", "being", "below", "between", "both", "but", "can",
    "could", "did", "does", "doing", "down", "during", "each", "even", "every", "few", "for",
    "from", "further", "had", "has", "have", "having", "her", "here", "hers", "herself", "him",
    "himself", "his", "how", "into", "its", "itself", "just", "last", "like", "many", "may",
    "more", "most", "much", "must", "new", "next", "nor", "not", "now", "off", "once", "one",
    "only", "other", "our", "ours", "out", "over", "own", "per", "said", "same", "say", "says",
    "she", "should", "since", "some", "such", "than", "that", "the", "their", "theirs", "them",
    "then", "there", "these", "they", "this", "those", "through", "told", "too", "two", "under",
    "until", "upon", "very", "was", "were", "what", "when", "where", "which", "while", "who",
    "whom", "whose", "why", "will", "with", "within", "without", "would", "year", "years", "yet",
    "you", "your", "yours",
];

/// How much a sentence holding a quotation counts on its subject, beside one without: a
/// summary says what happened in the newsroom's words; quotes are colour.
const QUOTED_WEIGHT: f64 = 0.5;

/// Opening quotation marks.
const OPENING_QUOTES: &[char] = &['"', '\'', '\u{201C}', '\u{2018}', '\u{AB}'];

/// Closing quotation marks.
const CLOSING_QUOTES: &[char] = &['"', '\'', '\u{201D}', '\u{2019}', '\u{BB}'];

/// A summary of `text` in its own sentences, at most `max_len` bytes long (so at most that
/// many characters too); empty when no sentence of it is usable or fits.
pub fn suggest_summary(text: &str, max_len: usize) -> String {
    summary_spans(text, max_len)
        .iter()
        .map(|span| normalise(span.text(text)))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The sentences [`suggest_summary`] prints, as spans of `text` in its order, so a caller can
/// show where each came from. Printed with their runs of whitespace made one space and
/// joined by a space, they take at most `max_len` bytes.
pub fn summary_spans(text: &str, max_len: usize) -> Vec<Span> {
    let read = &text[..text.floor_char_boundary(MAX_READ)];
    let sentences: Vec<Sentence> = paragraphs(read)
        .into_iter()
        .flat_map(|(start, end)| sentences_of(read, start, end))
        .collect();
    // In how many sentences each content word appears.
    let mut counts: HashMap<&str, u32> = HashMap::new();
    for sentence in &sentences {
        for word in &sentence.words {
            *counts.entry(word.as_str()).or_default() += 1;
        }
    }
    let usable: Vec<&Sentence> = sentences.iter().filter(|s| s.usable).collect();
    // How much of the text's subject each sentence carries: the repeats of its content
    // words elsewhere, over the root of how many it has (a long sentence carries more words,
    // not more subject).
    let topical: Vec<f64> = usable
        .iter()
        .map(|s| {
            let repeats: u32 = s
                .words
                .iter()
                .map(|w| counts.get(w.as_str()).map_or(0, |n| n - 1))
                .sum();
            let weight = if s.quoted { QUOTED_WEIGHT } else { 1.0 };
            weight * f64::from(repeats) / (s.words.len().max(1) as f64).sqrt()
        })
        .collect();
    let top = topical.iter().copied().fold(0.0, f64::max);
    let mut ranked: Vec<(f64, usize)> = topical
        .iter()
        .enumerate()
        .map(|(rank, t)| {
            let subject = if top > 0.0 { t / top } else { 0.0 };
            (LEAD_WEIGHT / (rank as f64 + 1.0) + subject, rank)
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut chosen: Vec<usize> = Vec::new();
    let mut len = 0;
    for (_, rank) in ranked {
        if chosen.len() == MAX_SENTENCES || len >= ENOUGH {
            break;
        }
        let sentence = usable[rank];
        let joined = if chosen.is_empty() { 0 } else { len + 1 };
        if joined + sentence.len > max_len || chosen.iter().any(|&c| repeats(usable[c], sentence)) {
            continue;
        }
        len = joined + sentence.len;
        chosen.push(rank);
    }
    chosen.sort_unstable();
    chosen.into_iter().map(|rank| usable[rank].span).collect()
}

/// One sentence of the text.
struct Sentence {
    span: Span,
    /// Its length printed, with its spaces normalised.
    len: usize,
    /// Its content words, each once, lower case.
    words: HashSet<String>,
    /// Whether it may be suggested (see [`usable`]).
    usable: bool,
    /// Whether it holds a quotation.
    quoted: bool,
}

/// Whether `b` says again much of what `a` says: half their content words shared.
fn repeats(a: &Sentence, b: &Sentence) -> bool {
    let shared = a.words.intersection(&b.words).count();
    let all = a.words.union(&b.words).count();
    all > 0 && shared * 2 >= all
}

/// The stretches of `text` that read as running prose, as byte ranges: lines between blank
/// lines, headings and list items, a paragraph's wrapped lines together.
fn paragraphs(text: &str) -> Vec<(usize, usize)> {
    let mut lines: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        lines.push((start, start + line.len()));
        start += line.len();
    }
    let mut out = Vec::new();
    let mut current: Option<(usize, usize)> = None;
    for (n, &(start, end)) in lines.iter().enumerate() {
        let line = text[start..end].trim();
        let next = lines.get(n + 1).map_or("", |&(s, e)| text[s..e].trim());
        if line.is_empty() || is_list_item(line) || is_heading(line, next) {
            out.extend(current.take());
        } else {
            current = Some((current.map_or(start, |(s, _)| s), end));
        }
    }
    out.extend(current);
    out
}

/// A bulleted or numbered list's item, or a quoted block: "- Main Street", "• Elm",
/// "1. Open", "b) Close", "A. Call to order", "> As the chair said".
fn is_list_item(line: &str) -> bool {
    let bullet = [
        "- ",
        "* ",
        "+ ",
        "\u{2022}",
        "\u{B7}",
        "\u{2013} ",
        "\u{2014} ",
        "> ",
    ];
    if bullet.iter().any(|b| line.starts_with(b)) {
        return true;
    }
    let marker = line
        .split_once(' ')
        .map_or(line, |(first, _)| first)
        .trim_end_matches(['.', ')']);
    let numbered = !marker.is_empty()
        && marker.len() < 4
        && (marker.bytes().all(|b| b.is_ascii_digit())
            || (marker.len() == 1 && marker.bytes().all(|b| b.is_ascii_alphabetic())));
    numbered && line.len() > marker.len() && [b'.', b')'].contains(&line.as_bytes()[marker.len()])
}

/// A heading on its own line, with prose after it on the next line (a blank line after a
/// heading ends its paragraph anyway): "## Budget", "PUBLIC COMMENT", "Old Business:", or a
/// line without a stop much shorter than the next. A wrapped line of a paragraph is as long
/// as the next, or the next starts in lower case.
fn is_heading(line: &str, next: &str) -> bool {
    if line.starts_with('#') || line.ends_with(':') {
        return true;
    }
    if ends_with_stop(line) || !next.starts_with(|c: char| c.is_uppercase() || c.is_numeric()) {
        return false;
    }
    let letters = line.chars().filter(|c| c.is_alphabetic());
    let shouting = line.chars().any(char::is_alphabetic) && letters.clone().all(char::is_uppercase);
    shouting || line.len() * 2 < next.len()
}

/// Whether `text` ends as a sentence does: a full stop, question or exclamation mark, maybe
/// inside a closing quote or bracket.
fn ends_with_stop(text: &str) -> bool {
    text.trim_end_matches(CLOSING_QUOTES)
        .trim_end_matches([')', ']'])
        .ends_with(['.', '?', '!'])
}

/// The sentences of the paragraph `start..end` of `text`.
fn sentences_of(text: &str, start: usize, end: usize) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut from = start;
    while from < end {
        let mut stop = prose_sentence_end(text, from, end);
        if stop <= from {
            // A line break before a blank line: step over it (a paragraph has none, but the
            // loop must advance whatever it is given).
            stop = text.ceil_char_boundary(from + 1);
        }
        let raw = &text[from..stop];
        let trimmed = raw.trim();
        if !trimmed.is_empty() {
            let lead = raw.len() - raw.trim_start().len();
            let span = Span {
                start: from + lead,
                end: from + lead + trimmed.len(),
            };
            out.push(sentence(span, trimmed));
        }
        from = stop;
    }
    out
}

fn sentence(span: Span, text: &str) -> Sentence {
    let count = text.split_whitespace().count();
    Sentence {
        span,
        len: text
            .split_whitespace()
            .map(|w| w.len() + 1)
            .sum::<usize>()
            .saturating_sub(1),
        words: content_words(text).collect(),
        usable: usable(text, count),
        quoted: text.contains(['"', '\u{201C}', '\u{201D}']),
    }
}

/// Whether a sentence may be suggested: it starts as a sentence does and ends with a stop,
/// has a sensible number of words, and is not only a quotation.
fn usable(text: &str, words: usize) -> bool {
    let first = text
        .trim_start_matches(OPENING_QUOTES)
        .trim_start_matches(['(', '[']);
    let starts = first.starts_with(|c: char| c.is_uppercase() || c.is_numeric());
    let quote_only = text.starts_with(OPENING_QUOTES)
        && text
            .trim_end_matches(['.', '?', '!', ',', ')'])
            .ends_with(CLOSING_QUOTES);
    starts && ends_with_stop(text) && (MIN_WORDS..=MAX_WORDS).contains(&words) && !quote_only
}

/// The words of `text` that can tell what it is about: three letters or more, not
/// stopwords, lower case; "Council's" is "council".
fn content_words(text: &str) -> impl Iterator<Item = String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '\u{2019}')
        .map(|w| {
            let w = w.trim_matches(['\'', '\u{2019}']);
            let w = w
                .strip_suffix("'s")
                .or_else(|| w.strip_suffix("\u{2019}s"))
                .unwrap_or(w);
            w.to_lowercase()
        })
        .filter(|w| w.chars().count() >= 3 && w.chars().any(char::is_alphabetic))
        .filter(|w| !STOPWORDS.contains(&w.as_str()))
}

/// `text` with each run of whitespace made one space, none at either end.
fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const STORY: &str = "\
CEDAR HOLLOW — The village board approved a $4.2 million budget for the library on Monday, \
raising the tax levy by 3 percent.

Trustees voted 5-1 after a two-hour hearing. The library budget pays for a new roof and \
longer weekend hours.

## What the levy means

- A home worth $200,000 pays $38 more
- Seniors keep their exemption

\"We heard you.\"

\"It is a fair budget for the library,\" Trustee Ana Ruiz said at the hearing.

Residents who spoke at the hearing asked the board to keep the library open on Sundays. \
The board meets again Dec. 14.
";

    #[test]
    fn empty_text_suggests_nothing() {
        assert_eq!(suggest_summary("", 2_000), "");
        assert_eq!(suggest_summary("  \n\n \t", 2_000), "");
        assert!(summary_spans("", 2_000).is_empty());
    }

    #[test]
    fn the_lead_comes_first_then_the_sentences_on_the_subject_in_order() {
        let summary = suggest_summary(STORY, 2_000);
        assert_eq!(
            summary,
            "CEDAR HOLLOW — The village board approved a $4.2 million budget for the library on \
             Monday, raising the tax levy by 3 percent. The library budget pays for a new roof \
             and longer weekend hours. Residents who spoke at the hearing asked the board to \
             keep the library open on Sundays."
        );
    }

    #[test]
    fn headings_list_items_quotations_and_fragments_are_never_chosen() {
        let text = "## The vote\n\n- Five members voted for the budget today.\n\n\
                    1. The first item on the agenda was the budget.\n\n\
                    \"We will fix the roof of the library this year.\"\n\n\
                    Photo by staff.\n\nThe budget passed without";
        assert_eq!(suggest_summary(text, 2_000), "");
    }

    #[test]
    fn the_result_is_made_of_the_texts_sentences() {
        let normal_text = normalise(STORY);
        let spans = summary_spans(STORY, 2_000);
        assert!(!spans.is_empty());
        let printed: Vec<String> = spans.iter().map(|s| normalise(s.text(STORY))).collect();
        for sentence in &printed {
            assert!(normal_text.contains(sentence.as_str()), "{sentence}");
            assert!(ends_with_stop(sentence), "{sentence}");
        }
        assert_eq!(suggest_summary(STORY, 2_000), printed.join(" "));
        assert!(spans.windows(2).all(|w| w[0].end <= w[1].start), "in order");
    }

    #[test]
    fn the_length_limit_drops_sentences_that_do_not_fit() {
        let lead_only = suggest_summary(STORY, 140);
        assert!(lead_only.len() <= 140, "{lead_only}");
        assert!(lead_only.starts_with("CEDAR HOLLOW"), "{lead_only}");
        let short = suggest_summary(STORY, 70);
        assert_eq!(
            short,
            "The library budget pays for a new roof and longer weekend hours."
        );
        assert_eq!(suggest_summary(STORY, 20), "");
    }

    #[test]
    fn a_records_wrapped_lines_are_read_as_one_paragraph_and_its_headings_skipped() {
        let minutes = "PUBLIC HEARING\nThe board held a public hearing on the proposed\n\
                       budget for the village library and the roof repairs.\nOld Business:\n\
                       The board tabled the request to pave Elm Street until spring.\n";
        let summary = suggest_summary(minutes, 2_000);
        assert_eq!(
            summary,
            "The board held a public hearing on the proposed budget for the village library \
             and the roof repairs. The board tabled the request to pave Elm Street until spring."
        );
    }

    #[test]
    fn a_sentence_saying_again_what_a_chosen_one_says_is_left_out() {
        let text = "The council approved the new park budget on Tuesday night. \
                    The council approved the new park budget on Tuesday evening. \
                    Crews will plant forty trees along the river trail in spring.";
        assert_eq!(
            suggest_summary(text, 2_000),
            "The council approved the new park budget on Tuesday night. Crews will plant \
             forty trees along the river trail in spring."
        );
    }

    #[test]
    fn only_the_first_64_kib_are_read() {
        let filler = "Words without a stop ".repeat(MAX_READ / 20);
        let text = format!("{filler}\n\nThe board approved the budget for the village library.");
        assert_eq!(suggest_summary(&text, 2_000), "");
        // Four megabytes of story cost what its first 64 KiB do.
        let story = STORY.repeat(4 * 1024 * 1024 / STORY.len());
        let spans = summary_spans(&story, 2_000);
        assert!(!spans.is_empty());
        assert!(spans.iter().all(|s| s.end <= MAX_READ));
    }

    #[test]
    fn pathological_texts_cost_one_read() {
        let many_sentences = "Every word here is the same word again. ".repeat(MAX_READ / 40);
        for text in [
            "a.".repeat(MAX_READ),
            "A. ".repeat(MAX_READ),
            "\n \n".repeat(MAX_READ),
            "- Item one is a list item.\n".repeat(MAX_READ / 20),
            "Word".repeat(MAX_READ),
            "\u{201C}".repeat(MAX_READ),
            many_sentences.clone(),
        ] {
            assert!(suggest_summary(&text, 2_000).len() <= 2_000);
        }
        // Sentences that all say the same: one is enough.
        assert_eq!(
            suggest_summary(&many_sentences, 2_000),
            "Every word here is the same word again."
        );
    }

    /// Text shaped like prose and records: words, stops, quotes, bullets, headings, lines.
    fn prose_like() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            "[A-Za-z]{1,9}",
            Just(" ".to_owned()),
            Just(". ".to_owned()),
            Just("? ".to_owned()),
            Just(".\" ".to_owned()),
            Just("\n".to_owned()),
            Just("\n\n".to_owned()),
            Just("\n- ".to_owned()),
            Just("\n## ".to_owned()),
            Just("\n1. ".to_owned()),
            Just("“".to_owned()),
            Just("”".to_owned()),
            Just("U.S. ".to_owned()),
            Just("Sen. ".to_owned()),
            Just("é".to_owned()),
        ];
        prop::collection::vec(piece, 0..200).prop_map(|p| p.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(500))]

        /// Whatever the text, the suggestion never panics, never goes over the limit, and
        /// is the chosen sentences of the text, printed in order.
        #[test]
        fn any_text_gives_its_own_sentences_within_the_limit(
            text in prop_oneof![any::<String>(), prose_like()],
            max_len in 0usize..400,
        ) {
            let summary = suggest_summary(&text, max_len);
            prop_assert!(summary.len() <= max_len);
            prop_assert!(summary.chars().count() <= max_len);
            let spans = summary_spans(&text, max_len);
            prop_assert!(spans.len() <= MAX_SENTENCES);
            let normal_text = normalise(&text);
            let mut printed = Vec::new();
            for span in &spans {
                prop_assert!(span.start < span.end && span.end <= text.len());
                let sentence = normalise(span.text(&text));
                prop_assert!(normal_text.contains(&sentence));
                printed.push(sentence);
            }
            prop_assert_eq!(summary, printed.join(" "));
        }
    }
}
