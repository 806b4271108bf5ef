//! A reader's search, made safe at the edge. The text typed in a search box becomes words and
//! quoted phrases, and nothing else: no operator of either database's query language
//! survives (`AND`, `OR`, `NOT`, `NEAR`, `-`, `*`, `^`, `:`, parentheses are plain words or
//! separators), so the expressions built from a [`SearchQuery`] cannot fail to parse and
//! cannot mean more than "stories containing all of these".
//!
//! The same rules hold on SQLite and PostgreSQL: English stopwords (PostgreSQL's own list)
//! are left out of the search, as PostgreSQL's `english` configuration does by itself; a
//! search of nothing but stopwords is refused with a message rather than matching nearly
//! every story.

use std::fmt;

/// The longest search accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;
/// The most words a search may have (words of quoted phrases included).
pub const MAX_QUERY_WORDS: usize = 12;

/// Why a search cannot be run; each says what would be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueryProblem {
    /// Nothing to search for (an empty box, or only punctuation).
    Empty,
    /// Longer than [`MAX_QUERY_CHARS`]; holds the length.
    TooLong(usize),
    /// More words than [`MAX_QUERY_WORDS`]; holds the count.
    TooManyWords(usize),
    /// Only words so common that they are not indexed for search ("the", "of", …).
    OnlyCommonWords,
}

impl fmt::Display for QueryProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueryProblem::Empty => write!(f, "Type one or more words to search for."),
            QueryProblem::TooLong(n) => write!(
                f,
                "Searches are limited to {MAX_QUERY_CHARS} characters and {MAX_QUERY_WORDS} \
                 words; this one has {n} characters. Use a few distinctive words."
            ),
            QueryProblem::TooManyWords(n) => write!(
                f,
                "Searches are limited to {MAX_QUERY_CHARS} characters and {MAX_QUERY_WORDS} \
                 words; this one has {n} words. Use the few words that matter most."
            ),
            QueryProblem::OnlyCommonWords => write!(
                f,
                "Words as common as “the”, “of” or “and” are left out of searches, and this \
                 search has nothing else. Add a more specific word."
            ),
        }
    }
}

impl std::error::Error for QueryProblem {}

/// One thing to find: a word, or words that must appear in this order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchTerm {
    /// A word, lowercased. It may hold `.`, `,`, `-` or an apostrophe between letters or
    /// digits (`3.5`, `e-mail`, `o'brien`), which each database splits as it splits stories.
    Word(String),
    /// Two or more words, from a quoted part of the search.
    Phrase(Vec<String>),
}

/// A search the databases can run as it is: words and phrases, all of which a story must
/// contain. Build one with [`SearchQuery::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    terms: Vec<SearchTerm>,
}

impl SearchQuery {
    /// Reads what a reader typed. Quoted parts (`"school board"`) are phrases; a quote left
    /// open runs to the end. Everything that is not a letter or a digit separates words,
    /// except `.`, `,`, `-` and apostrophes between two of them. Stopwords outside phrases
    /// are dropped.
    pub fn parse(text: &str) -> Result<Self, QueryProblem> {
        let chars = text.chars().count();
        if chars > MAX_QUERY_CHARS {
            return Err(QueryProblem::TooLong(chars));
        }
        let mut terms = Vec::new();
        let mut words = 0;
        let mut dropped = false;
        for (i, part) in text.split('"').enumerate() {
            let found = split_words(part);
            words += found.len();
            let quoted = i % 2 == 1;
            if quoted && found.len() > 1 {
                if found.iter().all(|w| is_stopword(w)) {
                    dropped = true;
                } else {
                    terms.push(SearchTerm::Phrase(found));
                }
                continue;
            }
            for word in found {
                if is_stopword(&word) {
                    dropped = true;
                } else if !terms.contains(&SearchTerm::Word(word.clone())) {
                    terms.push(SearchTerm::Word(word));
                }
            }
        }
        if words > MAX_QUERY_WORDS {
            return Err(QueryProblem::TooManyWords(words));
        }
        if terms.is_empty() {
            return Err(if dropped {
                QueryProblem::OnlyCommonWords
            } else {
                QueryProblem::Empty
            });
        }
        Ok(SearchQuery { terms })
    }

    /// The words and phrases, in the order typed.
    pub fn terms(&self) -> &[SearchTerm] {
        &self.terms
    }

    /// The search for SQLite FTS5's `MATCH`: every term as a quoted string (a word of
    /// several tokens, or a phrase, is matched as a phrase), joined by `AND`. Only letters,
    /// digits, spaces and the joining punctuation of [`SearchTerm::Word`] appear inside the
    /// quotes, so the expression always parses.
    pub fn fts5_expression(&self) -> String {
        fts5_all(self.terms.iter())
    }

    /// The search for PostgreSQL's `websearch_to_tsquery`: words separated by spaces and
    /// phrases in double quotes, with no `or` and no leading `-`, so it means exactly "all of
    /// these" (that function never fails, whatever it is given).
    pub fn websearch_text(&self) -> String {
        let parts: Vec<String> = self
            .terms
            .iter()
            .map(|term| match term {
                SearchTerm::Word(w) => w.clone(),
                SearchTerm::Phrase(_) => format!("\"{}\"", term.text()),
            })
            .collect();
        parts.join(" ")
    }
}

impl SearchQuery {
    /// Every word of the search, phrases' words included, separated by spaces: the same
    /// search without word order, for an index that cannot check it.
    pub fn words_text(&self) -> String {
        let words: Vec<String> = self.terms.iter().map(SearchTerm::text).collect();
        words.join(" ")
    }
}

impl SearchTerm {
    /// The term as text: the word, or the phrase's words separated by spaces.
    pub fn text(&self) -> String {
        match self {
            SearchTerm::Word(w) => w.clone(),
            SearchTerm::Phrase(words) => words.join(" "),
        }
    }

    /// The term as an FTS5 string (in double quotes, which FTS5 reads as one word or, for
    /// several, a phrase).
    pub fn fts5(&self) -> String {
        format!("\"{}\"", self.text().replace('"', "\"\""))
    }
}

/// An FTS5 expression matching stories with all of `terms`: [`SearchTerm::fts5`] joined by
/// `AND`. Wrapped in parentheses it may follow a column filter (`{title} : (…)`).
fn fts5_all<'a>(terms: impl Iterator<Item = &'a SearchTerm>) -> String {
    terms
        .map(SearchTerm::fts5)
        .collect::<Vec<_>>()
        .join(" AND ")
}

impl fmt::Display for SearchQuery {
    /// The search as it is run: `council "school board"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.websearch_text())
    }
}

/// Punctuation kept inside a word when it stands between two letters or digits.
fn is_joiner(c: char) -> bool {
    matches!(c, '.' | ',' | '-' | '\'' | '’')
}

/// The words of `text`, lowercased.
fn split_words(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut words = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_alphanumeric() {
            // Some capitals lowercase to a letter and a combining mark ("İ" to "i" and U+0307);
            // only the letters are kept, as the indexes' diacritic folding would.
            word.extend(c.to_lowercase().filter(|l| l.is_alphanumeric()));
        } else if is_joiner(c)
            && !word.is_empty()
            && chars.get(i + 1).is_some_and(|n| n.is_alphanumeric())
        {
            word.push(c);
        } else if !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Whether every letter-or-digit run of `word` is an English stopword (`don't` is `don` and
/// `t`, both of them).
fn is_stopword(word: &str) -> bool {
    word.split(|c: char| !c.is_alphanumeric())
        .filter(|run| !run.is_empty())
        .all(|run| STOPWORDS.binary_search(&run).is_ok())
}

/// PostgreSQL's English stopword list (`tsearch_data/english.stop`), sorted.
const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "did",
    "do",
    "does",
    "doing",
    "don",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "s",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "t",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn words(q: &str) -> Vec<String> {
        SearchQuery::parse(q)
            .unwrap()
            .terms()
            .iter()
            .map(SearchTerm::text)
            .collect()
    }

    #[test]
    fn the_stopword_list_is_sorted_and_complete() {
        let mut sorted = STOPWORDS.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted, STOPWORDS);
        assert_eq!(STOPWORDS.len(), 127);
    }

    #[test]
    fn operators_are_words_or_separators() {
        assert_eq!(words("council AND budget"), ["council", "budget"]);
        assert_eq!(
            words("council OR budget NOT levy"),
            ["council", "budget", "levy"]
        );
        assert_eq!(
            words("NEAR(council budget, 3)"),
            ["near", "council", "budget", "3"]
        );
        assert_eq!(
            words("-council +budget* ^levy title:water"),
            ["council", "budget", "levy", "title", "water"]
        );
        assert_eq!(words("(((council"), ["council"]);
        assert_eq!(
            words("'; DROP TABLE articles; --"),
            ["drop", "table", "articles"]
        );
    }

    #[test]
    fn joined_words_keep_their_inner_punctuation() {
        assert_eq!(
            words("3.5 e-mail O'Brien 1,000"),
            ["3.5", "e-mail", "o'brien", "1,000"]
        );
        assert_eq!(
            words("end. -start trailing- 'quoted'"),
            ["end", "start", "trailing", "quoted"]
        );
    }

    #[test]
    fn quotes_make_phrases_and_an_open_quote_runs_to_the_end() {
        let q = SearchQuery::parse(r#"levy "school board" "water tower"#).unwrap();
        assert_eq!(
            q.terms(),
            [
                SearchTerm::Word("levy".into()),
                SearchTerm::Phrase(vec!["school".into(), "board".into()]),
                SearchTerm::Phrase(vec!["water".into(), "tower".into()]),
            ]
        );
        assert_eq!(
            q.fts5_expression(),
            r#""levy" AND "school board" AND "water tower""#
        );
        assert_eq!(q.websearch_text(), r#"levy "school board" "water tower""#);
        assert_eq!(words(r#""budget""#), ["budget"]);
        assert_eq!(words(r#""board of education""#), ["board of education"]);
    }

    #[test]
    fn stopwords_are_left_out_and_a_search_of_only_them_is_refused() {
        assert_eq!(words("the council of the village"), ["council", "village"]);
        assert_eq!(
            SearchQuery::parse("the of and").unwrap_err(),
            QueryProblem::OnlyCommonWords
        );
        assert_eq!(
            SearchQuery::parse(r#""to be or not to be""#).unwrap_err(),
            QueryProblem::OnlyCommonWords
        );
        assert_eq!(
            SearchQuery::parse("  --- ** ").unwrap_err(),
            QueryProblem::Empty
        );
        assert_eq!(SearchQuery::parse("").unwrap_err(), QueryProblem::Empty);
    }

    #[test]
    fn length_and_word_caps() {
        let long = "a".repeat(MAX_QUERY_CHARS + 1);
        assert_eq!(
            SearchQuery::parse(&long).unwrap_err(),
            QueryProblem::TooLong(MAX_QUERY_CHARS + 1)
        );
        assert!(SearchQuery::parse(&"é".repeat(MAX_QUERY_CHARS)).is_ok());
        let many = vec!["word"; MAX_QUERY_WORDS + 1].join(" ");
        assert_eq!(
            SearchQuery::parse(&many).unwrap_err(),
            QueryProblem::TooManyWords(MAX_QUERY_WORDS + 1)
        );
        let message = QueryProblem::TooManyWords(13).to_string();
        assert!(message.contains("200 characters and 12 words"), "{message}");
    }

    #[test]
    fn repeated_words_are_searched_once_and_case_is_folded() {
        assert_eq!(words("Council council COUNCIL"), ["council"]);
        assert_eq!(words("Café Zürich"), ["café", "zürich"]);
        // Found by the property below: a capital whose lowercase carries a combining mark.
        assert_eq!(words("İANDAND"), ["iandand"]);
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        /// Whatever is typed, a search either is refused with a reason or yields expressions
        /// made only of quoted words: no operator, bracket or column filter of FTS5, and
        /// nothing `websearch_to_tsquery` reads as `or` or `-`.
        #[test]
        fn any_text_gives_only_quoted_words(text in "(\\PC|[\"()*^:+-]|AND|OR|NOT|NEAR| ){0,80}") {
            let Ok(query) = SearchQuery::parse(&text) else { return Ok(()); };
            let fts = query.fts5_expression();
            for (i, part) in fts.split(" AND ").enumerate() {
                prop_assert!(part.len() >= 3 && part.starts_with('"') && part.ends_with('"'), "{i}: {fts}");
                let inner = &part[1..part.len() - 1];
                prop_assert!(!inner.is_empty() && !inner.contains('"'), "{fts}");
                prop_assert!(inner.chars().all(|c| c.is_alphanumeric() || c == ' ' || is_joiner(c)), "{fts}");
            }
            // Outside quotes, `or` and a leading `-` are operators; inside, plain words.
            let web = query.websearch_text();
            for (i, part) in web.split('"').enumerate() {
                if i % 2 == 0 {
                    prop_assert!(!part.split_whitespace().any(|w| w == "or" || w.starts_with('-')), "{web}");
                }
            }
            prop_assert!(web.matches('"').count() % 2 == 0, "{web}");
            prop_assert!(query.terms().len() <= MAX_QUERY_WORDS);
        }
    }
}
