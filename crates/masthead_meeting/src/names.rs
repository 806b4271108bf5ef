//! Members' names as minutes write them: with or without a title ("Trustee Ruiz",
//! "Commissioner Jane Okafor", "Mr. Hale"), alone or in lists ("Ruiz, Okafor and Hale";
//! "Trustees Ruiz, Okafor, and Hale"). A name keeps what the record wrote, less the title.

use crate::Span;
use regex::Regex;
use std::sync::LazyLock;

/// Titles a member may carry before their name (singular and plural), matched whole.
pub(crate) const TITLES: &str = r"(?:(?:Vice[- ])?(?:President|Chair(?:man|woman|person)?|Mayor)|Trustees?|Commissioners?|Council ?(?:[Mm]embers?|man|woman|lors?)|Aldermen|Alder(?:man|woman|person|persons)?|Supervisors?|Directors?|(?:Board )?Members?|Clerk|Treasurer|Secretary|Mr\.|Mrs\.|Ms\.|Dr\.)";

/// A name: one to three capitalised words (an initial allowed between) one space apart,
/// after an optional title. Used inside larger patterns; the name itself is the group `name`.
pub(crate) fn pattern(group: &str) -> String {
    format!(
        r"(?:{TITLES}\s+)?(?P<{group}>[A-Z][A-Za-z'’\-]+(?: [A-Z]\.)?(?: (?:[A-Z][A-Za-z'’\-]+|[A-Z]\.))?)"
    )
}

static TITLE_PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(
        clippy::expect_used,
        reason = "a constant pattern, checked by the tests"
    )]
    Regex::new(&format!(r"^(?:{TITLES}\s+)+")).expect("title pattern")
});

static TITLE_ALONE: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(
        clippy::expect_used,
        reason = "a constant pattern, checked by the tests"
    )]
    Regex::new(&format!(r"^{TITLES}$")).expect("title pattern")
});

/// Words that are never a name's first or last (compared in lower case).
const NOT_NAMES: &[&str] = &[
    "none",
    "no",
    "nobody",
    "all",
    "motion",
    "the",
    "vote",
    "roll",
    "also",
    "staff",
    "present",
    "absent",
    "ayes",
    "nays",
    "aye",
    "nay",
    "abstain",
    "abstaining",
    "excused",
    "yes",
    "unanimous",
    "second",
    "seconded",
    "carried",
    "approved",
    "it",
    "there",
    "public",
    "board",
];

/// The names in a list at `span` of `text`, each with its own span.
pub(crate) fn list(text: &str, span: Span) -> Vec<(String, Span)> {
    static SEPARATOR: LazyLock<Regex> = LazyLock::new(|| {
        #[allow(
            clippy::expect_used,
            reason = "a constant pattern, checked by the tests"
        )]
        Regex::new(r"\s*(?:[,;]\s*(?:and\s+|&\s*)?|\s+and\s+|\s*&\s*)").expect("separator")
    });
    let body = span.text(text);
    let mut bounds = Vec::new();
    let mut last = 0;
    for separator in SEPARATOR.find_iter(body) {
        bounds.push((last, separator.start()));
        last = separator.end();
    }
    bounds.push((last, body.len()));
    let mut names = Vec::new();
    for (from, to) in bounds {
        let piece = &body[from..to];
        let trimmed = piece.trim_start();
        let at = span.start + from + (piece.len() - trimmed.len());
        if let Some((name, skip)) = clean(trimmed) {
            let start = at + skip;
            names.push((
                name.to_owned(),
                Span {
                    start,
                    end: start + name.len(),
                },
            ));
        }
    }
    names
}

/// A name without its title or what follows it ("Ruiz (arrived 7:10)" → "Ruiz"), with the
/// bytes skipped before it; `None` when it is not a name.
pub(crate) fn clean(piece: &str) -> Option<(&str, usize)> {
    let skip = TITLE_PREFIX.find(piece).map_or(0, |m| m.end());
    let rest = &piece[skip..];
    let end = rest.find(['(', '\n']).unwrap_or(rest.len());
    let name = rest[..end].trim_end_matches(|c: char| c.is_whitespace() || ",;.:".contains(c));
    // "Nina Castro, President; Walter Grimes, Clerk": the office is not a member.
    if TITLE_ALONE.is_match(name) {
        return None;
    }
    let first = name.split_whitespace().next()?;
    let last = name.split_whitespace().last()?;
    let capital = first.chars().next().is_some_and(char::is_uppercase);
    let not_a_name = |word: &str| NOT_NAMES.contains(&word.to_lowercase().as_str());
    if !capital || not_a_name(first) || not_a_name(last) || name.split_whitespace().count() > 3 {
        return None;
    }
    Some((name, skip))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list_text: &str) -> Vec<String> {
        let span = Span {
            start: 0,
            end: list_text.len(),
        };
        list(list_text, span)
            .into_iter()
            .map(|(name, at)| {
                assert_eq!(at.text(list_text), name, "the span is the name");
                name
            })
            .collect()
    }

    #[test]
    fn lists_split_at_commas_and_and_without_titles() {
        assert_eq!(
            names("Trustees Ruiz, Okafor, and Hale"),
            ["Ruiz", "Okafor", "Hale"]
        );
        assert_eq!(
            names("Commissioner Jane Okafor; Mr. Hale & Dr. Lee"),
            ["Jane Okafor", "Hale", "Lee"]
        );
        assert_eq!(names("Ruiz (arrived 7:10 p.m.), Hale"), ["Ruiz", "Hale"]);
        assert!(names("None").is_empty());
    }
}
