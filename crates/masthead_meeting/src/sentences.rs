//! Where a clause of minutes ends: at a full stop that ends a sentence (not the one in
//! "No. 12", "St.", "J. Ruiz" or "$1.5"), a semicolon, or a blank line.

/// Words whose full stop never ends a sentence.
const ABBREVIATIONS: &[&str] = &[
    "no", "nos", "st", "ave", "rd", "blvd", "inc", "co", "corp", "ltd", "mr", "mrs", "ms", "dr",
    "jr", "sr", "vs", "etc", "approx", "dept", "ord", "res", "sec", "hwy", "mt", "ft",
];

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
            b'\n'
                if text[i + 1..to]
                    .trim_start_matches([' ', '\t', '\r'])
                    .starts_with('\n') =>
            {
                return i;
            }
            b'.' if ends_sentence(text, i, to) => return i + 1,
            _ => {}
        }
        i += 1;
    }
    to
}

/// Whether the full stop at `at` ends a sentence.
fn ends_sentence(text: &str, at: usize, to: usize) -> bool {
    let after = &text[at + 1..to];
    let next = after.trim_start().chars().next();
    if !after.is_empty() && !after.starts_with(char::is_whitespace) {
        // "$1.5", "a.m", "U.S": inside a token.
        return false;
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
    if ABBREVIATIONS.contains(&lower.as_str()) {
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
}
