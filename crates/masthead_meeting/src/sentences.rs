//! Where a clause of minutes ends: at a full stop that ends a sentence (not the one in
//! "No. 12", "St.", "J. Ruiz" or "$1.5"), a semicolon, or a blank line. And where a
//! sentence of prose ends, for the summary (`summary.rs`): there a question or exclamation
//! mark and a closing quote count too.

/// Words whose full stop never ends a sentence.
const ABBREVIATIONS: &[&str] = &[
    "no", "nos", "st", "ave", "rd", "blvd", "inc", "co", "corp", "ltd", "mr", "mrs", "ms", "dr",
    "jr", "sr", "vs", "etc", "approx", "dept", "ord", "res", "sec", "hwy", "mt", "ft",
];

/// More words of news prose whose full stop never ends a sentence ("Sen. Ruiz", "Jan. 5"),
/// read only by [`prose_sentence_end`], so the extractor reads minutes as it always has.
const PROSE_ABBREVIATIONS: &[&str] = &[
    "sen", "rep", "gov", "lt", "gen", "sgt", "capt", "cmdr", "col", "prof", "supt", "twp", "rev",
    "hon", "atty", "jan", "feb", "aug", "sept", "oct", "nov", "dec", "u.s", "u.k",
];

/// Characters that open a quotation or an aside before a sentence's first word.
const OPENERS: &[char] = &['"', '\'', '(', '[', '\u{201C}', '\u{2018}', '\u{AB}'];

/// Characters that close a quotation or an aside right after a sentence's stop.
const CLOSERS: &[char] = &['"', '\'', ')', ']', '\u{201D}', '\u{2019}', '\u{BB}'];

/// The end (exclusive, after the stop) of the clause that starts at `from`, at most at `to`.
pub(crate) fn clause_end(text: &str, from: usize, to: usize) -> usize {
    end(text, from, to, true)
}

/// [`clause_end`] that reads on past semicolons: a list of names written "Mayor Salgado;
/// Council Members Tran, Amos".
pub(crate) fn sentence_end(text: &str, from: usize, to: usize) -> usize {
    end(text, from, to, false)
}

fn end(text: &str, from: usize, to: usize, at_semicolon: bool) -> usize {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < to {
        match bytes[i] {
            b';' if at_semicolon => return i + 1,
            b'\n' if blank_line_follows(text, i, to) => return i,
            b'.' if ends_sentence(text, i, i + 1, to, false) => return i + 1,
            _ => {}
        }
        i += 1;
    }
    to
}

/// The end (exclusive, after the stop and any closing quote or bracket) of the sentence of
/// prose that starts at `from`, at most at `to`: at a full stop that ends a sentence, a
/// question or exclamation mark, or a blank line. Semicolons do not end it.
pub(crate) fn prose_sentence_end(text: &str, from: usize, to: usize) -> usize {
    let bytes = text.as_bytes();
    let mut i = from;
    while i < to {
        match bytes[i] {
            b'\n' if blank_line_follows(text, i, to) => return i,
            stop @ (b'.' | b'?' | b'!') => {
                let rest = &text[i + 1..to];
                let after = to - rest.trim_start_matches(CLOSERS).len();
                let ends = if stop == b'.' {
                    ends_sentence(text, i, after, to, true)
                } else {
                    text[after..to]
                        .chars()
                        .next()
                        .is_none_or(char::is_whitespace)
                };
                if ends {
                    return after;
                }
            }
            _ => {}
        }
        i += 1;
    }
    to
}

/// Whether only spaces stand between the line break at `at` and the next.
fn blank_line_follows(text: &str, at: usize, to: usize) -> bool {
    text[at + 1..to]
        .trim_start_matches([' ', '\t', '\r'])
        .starts_with('\n')
}

/// Whether the full stop at `at` ends a sentence, the text after it starting at `after`
/// (past any closing quote or bracket, in `prose`).
fn ends_sentence(text: &str, at: usize, after: usize, to: usize, prose: bool) -> bool {
    let rest = &text[after..to];
    let mut next = rest.trim_start().chars().next();
    if prose {
        // The next sentence may open with a quotation or an aside: "N.J. (See the map.)".
        next = rest.trim_start().trim_start_matches(OPENERS).chars().next();
    }
    if !rest.is_empty() && !rest.starts_with(char::is_whitespace) {
        // "$1.5", "a.m", "U.S": inside a token.
        return false;
    }
    if after > at + 1 {
        // `."` or `.)`: the quotation or aside closes, and the sentence with it.
        return true;
    }
    let word: String = text[..at]
        .chars()
        .rev()
        .take_while(|c| c.is_alphanumeric() || *c == '.')
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let lower = word.to_lowercase();
    if ABBREVIATIONS.contains(&lower.as_str())
        || (prose && PROSE_ABBREVIATIONS.contains(&lower.as_str()))
    {
        return false;
    }
    // A lone initial ("J. Ruiz").
    if word.len() == 1 && word.chars().all(char::is_uppercase) {
        return false;
    }
    // "p.m." and "a.m.": a sentence ends there only before a capital.
    if lower == "p.m" || lower == "a.m" {
        return next.is_none_or(char::is_uppercase);
    }
    // "the N.J. line was", "in Trenton, N.J. The": in prose, an initialism ends a sentence
    // only before a capital.
    if prose && word.contains('.') {
        return next.is_none_or(char::is_uppercase);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clause(text: &str) -> &str {
        &text[..clause_end(text, 0, text.len())]
    }

    #[test]
    fn clauses_end_at_real_stops_only() {
        assert_eq!(
            clause("to adopt Ordinance No. 12 for $1.5 million. Motion carried."),
            "to adopt Ordinance No. 12 for $1.5 million."
        );
        assert_eq!(
            clause("to hire J. Ruiz at 8 p.m. on Main St. now. Next"),
            "to hire J. Ruiz at 8 p.m. on Main St. now."
        );
        assert_eq!(
            clause("to adjourn at 8:42 p.m. Motion carried."),
            "to adjourn at 8:42 p.m."
        );
        assert_eq!(clause("to approve; carried"), "to approve;");
        assert_eq!(clause("to approve\n\nAyes"), "to approve");
        assert_eq!(clause("to approve the bills"), "to approve the bills");
    }

    fn prose(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        let mut from = 0;
        while from < text.len() {
            let end = prose_sentence_end(text, from, text.len());
            out.push(text[from..end].trim());
            from = end.max(from + 1);
        }
        out.retain(|s| !s.is_empty());
        out
    }

    #[test]
    fn prose_sentences_end_at_questions_exclamations_and_closing_quotes() {
        assert_eq!(
            prose("Will it pass? \"It will,\" Sen. Ruiz said. \"We won.\" Then Jan. 5 came!"),
            [
                "Will it pass?",
                "\"It will,\" Sen. Ruiz said.",
                "\"We won.\"",
                "Then Jan. 5 came!"
            ]
        );
        assert_eq!(
            prose("U.S. officials met in Trenton, N.J. (See the map.) The talks ended; all left."),
            [
                "U.S. officials met in Trenton, N.J.",
                "(See the map.)",
                "The talks ended; all left."
            ]
        );
        assert_eq!(prose("One line\n\nNext one."), ["One line", "Next one."]);
    }
}
