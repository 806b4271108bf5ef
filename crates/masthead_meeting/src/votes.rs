//! A motion's vote, read from the passage after its wording: roll calls as lists ("Ayes:
//! Ruiz, Hale. Nays: Lee. Absent: Okafor."; "voting aye were …") or member by member
//! ("Roll call: Ruiz, aye; Lee, nay"), the count ("carried 5-1", "(4-2)"), the outcome
//! ("motion carried", "failed", "tabled") and the words of a vote without a count
//! ("unanimously", "by voice vote"); and the amounts and ordinance or resolution numbers
//! a motion names.

use crate::names;
use crate::sentences::clause_end;
use crate::{Fact, MemberVote, Span, Tally, Vote};
use masthead_core::Outcome;
use regex::Regex;

/// What the passage says of the vote.
#[derive(Default)]
pub(crate) struct Read {
    pub votes: Vec<Fact<MemberVote>>,
    pub tally: Option<Fact<Tally>>,
    pub outcome: Option<Fact<Outcome>>,
    pub vote_words: Option<Fact<String>>,
}

// A roll call's label: the list of names follows it.
pattern!(
    LABEL,
    r"(?i)\b(?P<label>ayes?|yeas?|yes|voting\s+(?:aye|yes|yea|in\s+favor|nay|no|against)|in\s+favor|nays?|noes|no|opposed|abstain(?:ed|ing|ions?)?|absent|not\s+voting)(?:\s*:|\s+(?:were|was)\b|\s*[-–—]\s)"
);
// A member's vote in a roll call read member by member.
pattern!(
    ONE_BY_ONE,
    &format!(
        r"{}\s*(?:[,:\-–—]|\s)\s*(?P<vote>(?i:aye|yes|yea|nay|no|abstain(?:ed|ing)?|absent))\b",
        names::pattern("member")
    )
);
pattern!(ROLL_CALL, r"(?i)\broll[\s-]+call\b");
// A roll call set out a member a line: "Commissioner Fox – No".
pattern!(
    ONE_A_LINE,
    &format!(
        r"(?m)^[ \t]*{}[ \t]*[,:\-–—][ \t]*(?P<vote>(?i:aye|yes|yea|nay|no|abstain(?:ed|ing)?|absent))[ \t.]*$",
        names::pattern("member")
    )
);
// Members named before how they voted: "Kowalczyk, Mbeki and Sato voting no", "(Abbott
// opposed)".
pattern!(
    NAMED_BEFORE,
    r"(?P<list>(?:[A-Z][A-Za-z'’\-]+(?:\s+|,\s*|,?\s+and\s+)){0,12}?[A-Z][A-Za-z'’\-]+)\s+(?P<how>voting\s+(?i:no|nay|yes|aye|against|in\s+favor)|opposed|dissenting|abstaining|abstained)\b"
);
// A count given as numbers after the labels: "Ayes: 5. Nays: 0."
pattern!(
    LABELLED_COUNT,
    r"(?i)\b(?:ayes?|yeas?|yes)\s*:\s*(?P<a>\d{1,2})\b[.,;]?\s*(?:nays?|noes|no)\s*:\s*(?P<n>\d{1,2})\b"
);
// A count: "5-1", "4–2–1", "5 to 0".
pattern!(
    COUNT,
    r"(?:^|[^\w$.,/-])(?P<a>\d{1,2})\s*(?:-|–|—|\bto\b)\s*(?P<n>\d{1,2})(?:\s*(?:-|–|—)\s*(?P<x>\d{1,2}))?(?:[^\w/-]|$)"
);
// Words near a count that make it a vote's.
pattern!(
    VOTE_CONTEXT,
    r"(?i)\b(?:carried|carries|passed|passes|failed|fails|approved|adopted|defeated|denied|vote|voted|tally|motion)\b|\("
);
pattern!(
    OUTCOME,
    r"(?i)\b(?:(?:the\s+)?(?:motion|it|resolution|ordinance|item|request|matter)\s+(?:was\s+|is\s+|has\s+)?)?(?P<word>carried|carries|passed|passes|approved|adopted|failed|fails|defeated|denied|died|tabled|postponed)\b"
);
pattern!(
    VOTE_WORDS,
    r"(?i)\b(?:unanimously|unanimous(?:\s+vote)?|by\s+(?:a\s+)?voice\s+vote|all\s+ayes|all\s+in\s+favor|without\s+objection|by\s+consensus)\b"
);
pattern!(
    AMOUNT,
    r"\$\s?\d[\d,]*(?:\.\d{1,2})?(?:\s+(?:million|billion|thousand))?"
);
pattern!(
    REFERENCE,
    r"\b(?:Ordinance|Resolution|Ord\.|Res\.)\s+(?:No\.\s*|Number\s+|#\s*)?\d[\w\-]*"
);

/// The vote in `passage`, looked for after the wording ends (`after`); `wording` tells a
/// motion to table from others.
pub(crate) fn read(text: &str, passage: Span, after: usize, wording: &str) -> Read {
    let tail = Span {
        start: after.min(passage.end),
        end: passage.end,
    };
    let mut read = Read {
        votes: lists(text, tail),
        ..Read::default()
    };
    if read.votes.is_empty() {
        read.votes = one_by_one(text, tail);
    }
    if read.votes.is_empty() {
        read.votes = named_before(text, tail);
    }
    read.tally = count(text, tail).or_else(|| labelled_count(text, tail));
    read.vote_words = VOTE_WORDS
        .find(tail.text(text))
        .map(|m| Fact::recorded(m.as_str().to_owned(), shift(tail, m.start(), m.end())));
    read.outcome = outcome(text, tail);
    if read.tally.is_none() && !read.votes.is_empty() {
        read.tally = counted(&read.votes);
    }
    if read.outcome.is_none()
        && let Some(tally) = &read.tally
    {
        let passed = tally.value.ayes > tally.value.nays;
        let value = if passed {
            Outcome::Passed
        } else {
            Outcome::Failed
        };
        read.outcome = Some(Fact::inferred(value, tally.span));
    }
    // A motion to table that carried tabled the matter.
    let lower = wording.trim_start().to_lowercase();
    let tabling = ["table", "postpone", "defer"]
        .iter()
        .any(|word| lower.starts_with(word));
    if tabling
        && let Some(outcome) = &mut read.outcome
        && outcome.value == Outcome::Passed
    {
        outcome.value = Outcome::Tabled;
        outcome.how = crate::How::Inferred;
    }
    read
}

/// A span inside `within`, from offsets into its text.
fn shift(within: Span, start: usize, end: usize) -> Span {
    Span {
        start: within.start + start,
        end: within.start + end,
    }
}

/// Roll calls written as labelled lists.
fn lists(text: &str, within: Span) -> Vec<Fact<MemberVote>> {
    let body = within.text(text);
    let labels: Vec<_> = LABEL.captures_iter(body).collect();
    let mut votes = Vec::new();
    for (i, caps) in labels.iter().enumerate() {
        let (Some(whole), Some(label)) = (caps.get(0), caps.name("label")) else {
            continue;
        };
        let vote = vote_of(label.as_str());
        let next = labels
            .get(i + 1)
            .and_then(|c| c.get(0))
            .map_or(body.len(), |m| m.start());
        let end = clause_end(body, whole.end(), next);
        let list = shift(within, whole.end(), end);
        for (member, span) in names::list(text, list) {
            votes.push(Fact::recorded(MemberVote { member, vote }, span));
        }
    }
    votes
}

/// A roll call read member by member, after the words "roll call".
fn one_by_one(text: &str, within: Span) -> Vec<Fact<MemberVote>> {
    let body = within.text(text);
    let Some(call) = ROLL_CALL.find(body) else {
        let lines: Vec<_> = ONE_A_LINE
            .captures_iter(body)
            .filter_map(|caps| member_vote(within, &caps))
            .collect();
        // One such line could be prose; a roll call has several.
        return if lines.len() >= 2 { lines } else { Vec::new() };
    };
    let end = clause_end(body, call.end(), body.len());
    let end = body[call.end()..]
        .find("\n\n")
        .map_or(body.len(), |i| call.end() + i)
        .max(end);
    ONE_BY_ONE
        .captures_iter(&body[..end])
        .filter(|caps| caps.get(0).is_some_and(|m| m.start() >= call.end()))
        .filter_map(|caps| member_vote(within, &caps))
        .collect()
}

/// The member and vote of one match of [`ONE_BY_ONE`] or [`ONE_A_LINE`].
fn member_vote(within: Span, caps: &regex::Captures<'_>) -> Option<Fact<MemberVote>> {
    let member = caps.name("member")?;
    let (name, skip) = names::clean(member.as_str())?;
    let vote = vote_of(caps.name("vote")?.as_str());
    let start = member.start() + skip;
    Some(Fact::recorded(
        MemberVote {
            member: name.to_owned(),
            vote,
        },
        shift(within, start, start + name.len()),
    ))
}

/// Members named before how they voted, when the record names only some (the others voted
/// with the majority).
fn named_before(text: &str, within: Span) -> Vec<Fact<MemberVote>> {
    let body = within.text(text);
    let mut votes = Vec::new();
    for caps in NAMED_BEFORE.captures_iter(body) {
        let (Some(list), Some(how)) = (caps.name("list"), caps.name("how")) else {
            continue;
        };
        let how = how.as_str().to_lowercase();
        let vote = if how.starts_with("voting") {
            vote_of(&how)
        } else if how.starts_with("abstain") {
            Vote::Abstain
        } else {
            Vote::Nay
        };
        for (member, span) in names::list(text, shift(within, list.start(), list.end())) {
            votes.push(Fact::recorded(MemberVote { member, vote }, span));
        }
    }
    votes
}

/// A count written as numbers after roll-call labels.
fn labelled_count(text: &str, within: Span) -> Option<Fact<Tally>> {
    let caps = LABELLED_COUNT.captures(within.text(text))?;
    let (a, n) = (caps.name("a")?, caps.name("n")?);
    Some(Fact::recorded(
        Tally {
            ayes: a.as_str().parse().ok()?,
            nays: n.as_str().parse().ok()?,
            abstentions: 0,
        },
        shift(within, a.start(), n.end()),
    ))
}

fn vote_of(label: &str) -> Vote {
    let label = label.to_lowercase();
    if label.starts_with("abstain") || label == "not voting" {
        Vote::Abstain
    } else if label == "absent" {
        Vote::Absent
    } else if label.starts_with("nay")
        || label == "no"
        || label == "noes"
        || label == "opposed"
        || label.ends_with("nay")
        || label.ends_with(" no")
        || label.ends_with("against")
    {
        Vote::Nay
    } else {
        Vote::Aye
    }
}

/// A count the record states, near a word about the vote.
fn count(text: &str, within: Span) -> Option<Fact<Tally>> {
    let body = within.text(text);
    COUNT.captures_iter(body).find_map(|caps| {
        let (a, n) = (caps.name("a")?, caps.name("n")?);
        let context_start = a.start().saturating_sub(40);
        let context = body.get(context_start..a.start()).unwrap_or_default();
        if !VOTE_CONTEXT.is_match(context) {
            return None;
        }
        let end = caps.name("x").map_or(n.end(), |x| x.end());
        let tally = Tally {
            ayes: a.as_str().parse().ok()?,
            nays: n.as_str().parse().ok()?,
            abstentions: caps
                .name("x")
                .and_then(|x| x.as_str().parse().ok())
                .unwrap_or(0),
        };
        Some(Fact::recorded(tally, shift(within, a.start(), end)))
    })
}

/// The count of a roll call, worked out.
fn counted(votes: &[Fact<MemberVote>]) -> Option<Fact<Tally>> {
    let of = |v: Vote| votes.iter().filter(|f| f.value.vote == v).count() as u32;
    let first = votes.first()?.span.start;
    let last = votes.last()?.span.end;
    Some(Fact::inferred(
        Tally {
            ayes: of(Vote::Aye),
            nays: of(Vote::Nay),
            abstentions: of(Vote::Abstain),
        },
        Span {
            start: first,
            end: last,
        },
    ))
}

/// The outcome the record states.
fn outcome(text: &str, within: Span) -> Option<Fact<Outcome>> {
    let body = within.text(text);
    OUTCOME.captures_iter(body).find_map(|caps| {
        let whole = caps.get(0)?;
        let value = match caps.name("word")?.as_str().to_lowercase().as_str() {
            "carried" | "carries" | "passed" | "passes" | "approved" | "adopted" => Outcome::Passed,
            "tabled" | "postponed" => Outcome::Tabled,
            _ => Outcome::Failed,
        };
        Some(Fact::recorded(
            value,
            shift(within, whole.start(), whole.end()),
        ))
    })
}

/// Dollar amounts within `within`.
pub(crate) fn amounts(text: &str, within: Span) -> Vec<Fact<String>> {
    found(&AMOUNT, text, within)
}

/// Ordinance and resolution numbers within `within`.
pub(crate) fn references(text: &str, within: Span) -> Vec<Fact<String>> {
    found(&REFERENCE, text, within)
}

fn found(pattern: &Regex, text: &str, within: Span) -> Vec<Fact<String>> {
    pattern
        .find_iter(within.text(text))
        .map(|m| {
            let value = m.as_str().trim_end_matches([',', '.']);
            Fact::recorded(
                value.to_owned(),
                shift(within, m.start(), m.start() + value.len()),
            )
        })
        .collect()
}
