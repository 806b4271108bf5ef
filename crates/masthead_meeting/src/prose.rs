//! The optional prose helper's two pure halves: the request a language model gets (the
//! facts read from the record, and nothing else: not the record's text, so it cannot quote
//! what was not extracted), and the check of what it wrote against the record. Every
//! number and every name in a sentence must appear in the record; a sentence with one that
//! does not is flagged with what is missing, for the editor to fix or drop. The call
//! itself is the web layer's; this module has no I/O.

use crate::{Extraction, Motion};
use serde::Serialize;

/// The most prose a model's answer may hold (bytes); the rest is cut.
pub const MAX_PROSE: usize = 8 * 1024;

/// What the model is asked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ProsePrompt {
    /// The instructions.
    pub system: String,
    /// The facts.
    pub user: String,
}

/// A sentence of the model's answer and the names and numbers in it the record lacks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckedSentence {
    /// The sentence, whitespace made single.
    pub text: String,
    /// Numbers and names not found in the record; empty when every one is there.
    pub unsupported: Vec<String>,
}

/// The request for two or three paragraphs about the meeting of `body` on `date`, from the
/// facts alone.
pub fn prose_prompt(body: &str, date: &str, facts: &Extraction) -> ProsePrompt {
    let system = "You write the opening paragraphs of a local news brief about a public \
        meeting, in plain AP style, from the facts given and nothing else. Use only names, \
        numbers, amounts and outcomes that appear in the facts. Do not guess motives, \
        reactions or background. Write two or three short paragraphs, no headings, no lists."
        .to_owned();
    let mut user = format!("Body: {body}\nDate: {date}\n");
    if !facts.present.is_empty() {
        user.push_str(&format!("Present: {}\n", list(&facts.present)));
    }
    if !facts.absent.is_empty() {
        user.push_str(&format!("Absent: {}\n", list(&facts.absent)));
    }
    for (n, motion) in facts.motions.iter().enumerate() {
        user.push_str(&format!("Motion {}: {}\n", n + 1, describe(motion)));
    }
    if !facts.speakers.is_empty() {
        user.push_str(&format!("Public comment: {}\n", list(&facts.speakers)));
    }
    if let Some(time) = &facts.adjourned {
        user.push_str(&format!("Adjourned: {}\n", time.value));
    }
    ProsePrompt { system, user }
}

fn list(facts: &[crate::Fact<String>]) -> String {
    facts
        .iter()
        .map(|f| f.value.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe(m: &Motion) -> String {
    let mut out = single(&m.text.value);
    if let Some(mover) = &m.mover {
        out.push_str(&format!("; moved by {}", mover.value));
    }
    if let Some(seconder) = &m.seconder {
        out.push_str(&format!("; seconded by {}", seconder.value));
    }
    if let Some(tally) = &m.tally {
        out.push_str(&format!("; vote {}", tally.value.display()));
    } else if let Some(words) = &m.vote_words {
        out.push_str(&format!("; vote {}", words.value));
    }
    if let Some(outcome) = &m.outcome {
        out.push_str(&format!("; {}", outcome.value.as_str()));
    }
    let against: Vec<&str> = m
        .votes
        .iter()
        .filter(|v| v.value.vote == crate::Vote::Nay)
        .map(|v| v.value.member.as_str())
        .collect();
    if !against.is_empty() {
        out.push_str(&format!("; voting no: {}", against.join(", ")));
    }
    out
}

fn single(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

pattern!(NUMBER, r"\$?\d[\d,]*(?:\.\d+)?");
pattern!(NAME, r"\b[A-Z][a-z]+(?:[-'][A-Z]?[a-z]+)*\b");

/// Capitalised words a news sentence uses that need not be in the record.
const COMMON: &[&str] = &[
    "The",
    "A",
    "An",
    "In",
    "On",
    "At",
    "It",
    "Its",
    "They",
    "He",
    "She",
    "Board",
    "Council",
    "Commission",
    "Village",
    "City",
    "Town",
    "County",
    "School",
    "Trustee",
    "Trustees",
    "President",
    "Mayor",
    "Member",
    "Members",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
    "Ordinance",
    "Resolution",
    "Motion",
];

/// Splits `prose` (at most [`MAX_PROSE`] bytes of it) into sentences and lists, for each,
/// the numbers and names that `record` does not hold (a number by its digits, "$48,000" as
/// "48000"; a name in any case). A capitalised word that starts a sentence, and the few in
/// [`COMMON`], are not taken for names.
pub fn check_prose(prose: &str, record: &str) -> Vec<Vec<CheckedSentence>> {
    let mut end = prose.len().min(MAX_PROSE);
    while !prose.is_char_boundary(end) {
        end -= 1;
    }
    let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
    let record_digits: std::collections::HashSet<String> = NUMBER
        .find_iter(record)
        .map(|m| digits(m.as_str()))
        .collect();
    // Names are looked for whatever their case: clerks write headings in capitals.
    let record_lower = record.to_lowercase();
    prose[..end]
        .split("\n\n")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|paragraph| {
            sentences(paragraph)
                .into_iter()
                .map(|text| {
                    let mut unsupported = Vec::new();
                    for number in NUMBER.find_iter(&text) {
                        let n = digits(number.as_str());
                        if !record_digits.contains(&n) {
                            unsupported
                                .push(number.as_str().trim_end_matches([',', '.']).to_owned());
                        }
                    }
                    for name in NAME.find_iter(&text) {
                        let word = name.as_str();
                        let known = record_lower.contains(&word.to_lowercase());
                        if name.start() > 0 && !COMMON.contains(&word) && !known {
                            unsupported.push(word.to_owned());
                        }
                    }
                    unsupported.dedup();
                    CheckedSentence { text, unsupported }
                })
                .collect()
        })
        .collect()
}

/// A paragraph's sentences: ends at ". ", "? " or "! " before a capital letter, so "$1.5
/// million" and "8:42 p.m. on" stay whole.
fn sentences(paragraph: &str) -> Vec<String> {
    let text = single(paragraph);
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    for i in 0..bytes.len() {
        let ends = matches!(bytes[i], b'.' | b'?' | b'!')
            && bytes.get(i + 1) == Some(&b' ')
            && bytes.get(i + 2).is_some_and(u8::is_ascii_uppercase)
            && !text[..i].ends_with("p.m")
            && !text[..i].ends_with("a.m");
        if ends {
            out.push(text[start..=i].to_owned());
            start = i + 2;
        }
    }
    if start < text.len() {
        out.push(text[start..].to_owned());
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const RECORD: &str = "Present: Trustees Ruiz, Hale and Lee. Motion by Trustee Ruiz, \
        seconded by Trustee Hale, to approve a $48,000 contract with Acme Painting. Ayes: \
        Ruiz, Hale. Nays: Lee. Motion carried 2-1. The meeting adjourned at 8:42 p.m.";

    #[test]
    fn the_prompt_holds_the_facts_and_not_the_record() {
        let facts = crate::extract(RECORD).unwrap();
        let prompt = prose_prompt("Cedar Hollow Village Board", "November 4, 2026", &facts);
        assert!(prompt.user.contains("Motion 1: approve a $48,000 contract with Acme Painting; moved by Ruiz; seconded by Hale; vote 2-1; passed; voting no: Lee"), "{}", prompt.user);
        assert!(!prompt.user.contains("Ayes:"));
    }

    #[test]
    fn names_and_numbers_not_in_the_record_are_flagged() {
        let prose = "The board approved a $48,000 contract with Acme Painting on a 2-1 vote. \
            Trustee Lee voted no.\n\nMayor Smith praised the $50,000 savings. The meeting \
            ended at 8:42 p.m.";
        let checked = check_prose(prose, RECORD);
        assert_eq!(checked.len(), 2);
        assert!(
            checked[0].iter().all(|s| s.unsupported.is_empty()),
            "{checked:?}"
        );
        assert_eq!(checked[1][0].unsupported, ["$50,000", "Smith"]);
        assert_eq!(checked[1][1].text, "The meeting ended at 8:42 p.m.");
        assert!(checked[1][1].unsupported.is_empty());
    }

    #[test]
    fn a_long_answer_is_read_only_up_to_the_cap() {
        let prose = "Ruiz spoke. ".repeat(MAX_PROSE);
        let checked = check_prose(&prose, RECORD);
        let kept: usize = checked.iter().flatten().map(|s| s.text.len() + 1).sum();
        assert!(kept <= MAX_PROSE + 1, "{kept}");
    }
}
