//! Highlighted headlines and passages for PostgreSQL's search results, made by the app
//! server instead of the database.
//!
//! **Why not `ts_headline`.** It parses the whole text it is given with the database's
//! parser and dictionaries: about 0.6 ms for a 2.5 kB body at 100k stories, so the ten
//! passages of a results page cost the database 6 ms, more than finding and ranking the
//! matches together (measured in `docs/PERFORMANCE.md`, "Search"). The database is the one
//! part every app server shares, so that work moves here: the database names the
//! search's stemmed words (its lexemes, from its own `masthead_english` configuration), and
//! each word of the text is lowercased, stripped of accents and stemmed with the same
//! Snowball English algorithm PostgreSQL's `english_stem` uses, then compared with them.
//! A word the two stem differently is shown without its mark; which stories are found and
//! how they rank is the database's alone. SQLite keeps FTS5's `highlight()` and
//! `snippet()`, which are cheap there.
//!
//! The output carries the marks [`MARK_START`] and [`MARK_END`], like the database's, so
//! both backends end in [`super::marked`].

use super::{MARK_END, MARK_START};
use rust_stemmers::{Algorithm, Stemmer};
use std::collections::HashSet;
use std::ops::Range;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// How many words a passage holds: FTS5's `snippet()` is asked for as many tokens.
pub(super) const PASSAGE_WORDS: usize = 32;

/// Marks the words of a search in text.
pub(super) struct Highlighter {
    lexemes: HashSet<String>,
    /// The first character of each lexeme. Snowball English keeps a word's first letter
    /// (it changes endings, and "dying" to "die"), so a word that starts otherwise is not
    /// stemmed at all: most words of a passage.
    starts: HashSet<char>,
    stemmer: Stemmer,
}

impl Highlighter {
    /// For the lexemes the database gave, separated by spaces (a lexeme holds none).
    pub(super) fn new(lexemes: &str) -> Self {
        let lexemes: HashSet<String> = lexemes.split_whitespace().map(str::to_owned).collect();
        Highlighter {
            starts: lexemes.iter().filter_map(|l| l.chars().next()).collect(),
            lexemes,
            stemmer: Stemmer::create(Algorithm::English),
        }
    }

    /// The lexeme `word` (letters and digits only) matches, if it is one of the search's.
    fn lexeme(&self, word: &str) -> Option<&str> {
        let folded: String = if word.is_ascii() {
            word.to_ascii_lowercase()
        } else {
            word.nfd()
                .filter(|c| !is_combining_mark(*c))
                .flat_map(char::to_lowercase)
                .collect()
        };
        if !folded
            .chars()
            .next()
            .is_some_and(|c| self.starts.contains(&c))
        {
            return None;
        }
        if let Some(lexeme) = self.lexemes.get(folded.as_str()) {
            return Some(lexeme);
        }
        let stem = self.stemmer.stem(&folded);
        self.lexemes.get(stem.as_ref()).map(String::as_str)
    }

    /// The words of `text`, each with the lexeme it matches.
    fn spans<'a>(&'a self, text: &str) -> Vec<(Range<usize>, Option<&'a str>)> {
        words(text)
            .map(|range| {
                let hit = self.lexeme(&text[range.clone()]);
                (range, hit)
            })
            .collect()
    }

    /// `text` with every match marked (a headline).
    pub(super) fn all(&self, text: &str) -> String {
        marked_between(text, 0, text.len(), &self.spans(text))
    }

    /// The [`PASSAGE_WORDS`] words of `text` that hold the most of the search's different
    /// words (then the most matches, then the earliest), with the matches marked and `…`
    /// where the text goes on. Text without a match gives its beginning.
    pub(super) fn passage(&self, text: &str) -> String {
        let spans = self.spans(text);
        if spans.is_empty() {
            return String::new();
        }
        let window = PASSAGE_WORDS.min(spans.len());
        let mut best = (0usize, (0usize, 0usize));
        for start in 0..=spans.len() - window {
            let mut distinct: Vec<&str> = Vec::new();
            let mut hits = 0;
            for lexeme in spans[start..start + window].iter().filter_map(|s| s.1) {
                hits += 1;
                if !distinct.contains(&lexeme) {
                    distinct.push(lexeme);
                }
            }
            let score = (distinct.len(), hits);
            if score > best.1 {
                best = (start, score);
            }
        }
        // The earliest best window ends at its last match: centre it on its matches, which
        // keeps them all (they lie within one window) and shows what comes around them.
        let hits: Vec<usize> = (best.0..best.0 + window)
            .filter(|&i| spans[i].1.is_some())
            .collect();
        if let (Some(&first), Some(&last)) = (hits.first(), hits.last()) {
            let middle = (first + last) / 2;
            best.0 = middle.saturating_sub(window / 2).min(spans.len() - window);
        }
        let inside = &spans[best.0..best.0 + window];
        let (Some(first), Some(last)) = (inside.first(), inside.last()) else {
            return String::new();
        };
        let mut out = String::new();
        if best.0 > 0 {
            out.push('…');
        }
        out.push_str(&marked_between(text, first.0.start, last.0.end, inside));
        if best.0 + window < spans.len() {
            out.push('…');
        }
        out
    }
}

/// The byte ranges of the words of `text`: runs of letters, digits and combining marks.
fn words(text: &str) -> impl Iterator<Item = Range<usize>> + '_ {
    let is_word = |c: char| c.is_alphanumeric() || is_combining_mark(c);
    let mut chars = text.char_indices().peekable();
    std::iter::from_fn(move || {
        let (start, _) = chars.by_ref().find(|(_, c)| is_word(*c))?;
        let mut end = text.len();
        while let Some(&(i, c)) = chars.peek() {
            if !is_word(c) {
                end = i;
                break;
            }
            chars.next();
        }
        Some(start..end)
    })
}

/// `text[from..to]` with the matched spans among `spans` wrapped in marks.
fn marked_between(
    text: &str,
    from: usize,
    to: usize,
    spans: &[(Range<usize>, Option<&str>)],
) -> String {
    let mut out = String::with_capacity(to - from + 8);
    let mut at = from;
    for (range, hit) in spans {
        if hit.is_none() || range.start < from || range.end > to {
            continue;
        }
        out.push_str(&text[at..range.start]);
        out.push(MARK_START);
        out.push_str(&text[range.clone()]);
        out.push(MARK_END);
        at = range.end;
    }
    out.push_str(&text[at..to]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(s: &str) -> String {
        s.replace(MARK_START, "[").replace(MARK_END, "]")
    }

    #[test]
    fn words_are_matched_by_stem_and_without_accents() {
        // The lexemes PostgreSQL's masthead_english gives for "schools", "café", "cities".
        let h = Highlighter::new("school cafe citi");
        assert_eq!(
            shown(&h.all("Schooling near the Café, in two cities and a city-school")),
            "[Schooling] near the [Café], in two [cities] and a [city]-[school]"
        );
        assert_eq!(shown(&h.all("No match here.")), "No match here.");
        assert_eq!(shown(&Highlighter::new("").all("school")), "school");
    }

    #[test]
    fn a_passage_is_the_window_with_the_most_different_words() {
        let h = Highlighter::new("budget ferri");
        let mut text: Vec<String> = (0..100).map(|i| format!("w{i}")).collect();
        text[10] = "budget".into();
        text[60] = "budget".into();
        text[70] = "ferries".into();
        let text = text.join(" ");
        let p = shown(&h.passage(&text));
        assert!(p.starts_with('…') && p.ends_with('…'), "{p}");
        assert!(p.contains("[budget]") && p.contains("[ferries]"), "{p}");
        assert!(!p.contains("w10 "), "{p}");
        assert_eq!(p.trim_matches('…').split(' ').count(), PASSAGE_WORDS);
    }

    #[test]
    fn a_passage_without_a_match_is_the_beginning_and_a_short_text_is_whole() {
        let h = Highlighter::new("zeppelin");
        let text: Vec<String> = (0..40).map(|i| format!("w{i}")).collect();
        let p = h.passage(&text.join(" "));
        assert!(p.starts_with("w0 ") && p.ends_with("w31…"), "{p}");
        assert_eq!(
            shown(&h.passage("A zeppelin, over town.")),
            "A [zeppelin], over town"
        );
        assert_eq!(h.passage("  … "), "");
    }

    /// The prefilter's premise, on words whose stems change most: irregular forms, `y` to
    /// `i`, and short words.
    #[test]
    fn stems_keep_the_first_letter() {
        let stemmer = Stemmer::create(Algorithm::English);
        for word in [
            "dying",
            "lying",
            "skies",
            "ugly",
            "early",
            "only",
            "news",
            "cities",
            "generously",
            "ties",
            "a",
            "is",
            "ox",
            "feet",
            "ran",
            "went",
            "mice",
            "abilities",
            "communism",
        ] {
            let stem = stemmer.stem(word);
            assert_eq!(stem.chars().next(), word.chars().next(), "{word} -> {stem}");
        }
    }

    #[test]
    fn marks_never_split_a_character() {
        let h = Highlighter::new("naiv");
        assert_eq!(shown(&h.all("Ünïcode naïve — ok")), "Ünïcode [naïve] — ok");
    }
}
