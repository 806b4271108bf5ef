//! Motions: where each begins ("Motion by X, seconded by Y, to …", "X moved, seconded by
//! Y, that …", "It was moved by X and seconded by Y to …", "Motion to … by X, second by
//! Y", "MOTION: X  SECOND: Y"), what was moved, and the passage about it up to the next
//! motion or agenda item, in which its vote is read (`votes.rs`).

use crate::names;
use crate::sentences::clause_end;
use crate::{Fact, Motion, Span, votes};
use masthead_core::Outcome;
use regex::{Captures, Regex};
use std::sync::LazyLock;

/// The most text after a motion's wording in which its vote is looked for.
const MAX_PASSAGE: usize = 3_000;
/// The longest wording of a motion read (a clause that never ends stops here).
const MAX_WORDING: usize = 2_000;

/// Where a wording starting at `from` must end at the latest.
fn wording_limit(text: &str, from: usize) -> usize {
    floor_char(text, from + MAX_WORDING)
}

/// How one way of writing a motion gives its wording.
#[derive(Clone, Copy)]
enum Wording {
    /// After the match ("… to approve the bills").
    After,
    /// After the match, with the vote in it ("On motion of X, seconded by Y, the agenda was
    /// approved 4-0").
    AfterWithVote,
    /// In the group `text`.
    Group,
    /// The sentence or line before the match ("Approve the minutes. MOTION: Ruiz …").
    Before,
}

struct Form {
    pattern: Regex,
    wording: Wording,
}

static FORMS: LazyLock<Vec<Form>> = LazyLock::new(|| {
    let mover = names::pattern("mover");
    let seconder = names::pattern("seconder");
    let second_by = format!(
        r"(?:\s*,?\s*(?i:and\s+)?(?i:(?:was\s+)?(?:second(?:ed)?|support(?:ed)?)\s+by)\s+{seconder}\s*,?)?"
    );
    let to = r"\s*,?\s*(?i:to|that)\s+";
    let forms = [
        (
            format!(r"(?i:\b(?:a\s+)?motion\s+(?:was\s+)?(?:made\s+)?by)\s+{mover}{second_by}{to}"),
            Wording::After,
        ),
        (
            format!(r"(?i:\b(?:it\s+was\s+)?moved\s+by)\s+{mover}{second_by}{to}"),
            Wording::After,
        ),
        (
            format!(r"\b{mover}\s+(?i:moved)(?:,|\s+and)\s+{seconder}\s+(?i:seconded|supported){to}"),
            Wording::After,
        ),
        (
            format!(r"\b{mover}\s+(?i:moved|made\s+(?:a|the)\s+motion){second_by}{to}"),
            Wording::After,
        ),
        (
            format!(r"(?i:\bon\s+(?:a\s+)?motion\s+(?:of|by))\s+{mover}{second_by}\s*,?\s*"),
            Wording::AfterWithVote,
        ),
        (
            r"(?i:\bit\s+was\s+(?:duly\s+)?moved\s+and\s+(?:seconded|supported))\s*,?\s*(?i:to|that)\s+"
                .to_owned(),
            Wording::After,
        ),
        (
            format!(
                r"(?i:\bmotion\s+to)\s+(?P<text>(?:[^.;\n]|\.\d){{3,300}}?)\s*,?\s+(?i:(?:was\s+)?(?:made\s+)?by)\s+{mover}{second_by}"
            ),
            Wording::Group,
        ),
        (
            format!(
                r"(?i:\b(?:motion|moved)(?:\s+by)?)\s*:\s*{mover}[\s.,;/]*(?:(?i:second(?:ed)?(?:\s+by)?)\s*:\s*{seconder})?"
            ),
            Wording::Before,
        ),
        (
            format!(r"\(\s*{mover}\s*/\s*{seconder}\s*\)"),
            Wording::Before,
        ),
    ];
    forms
        .into_iter()
        .map(|(source, wording)| Form {
            #[allow(
                clippy::expect_used,
                reason = "constant patterns, checked by the tests"
            )]
            pattern: Regex::new(&source).expect("motion pattern"),
            wording,
        })
        .collect()
});

/// A seconder named after the motion ("Trustee Hale seconded.", "Second: Hale").
static SECONDED_LATER: LazyLock<Regex> = LazyLock::new(|| {
    let (one, two, three) = (
        names::pattern("s1"),
        names::pattern("s2"),
        names::pattern("s3"),
    );
    let source = format!(
        r"\b{one}\s+(?i:seconded|supported)\b|(?i:\b(?:seconded|supported)\s+by)\s+{two}|(?i:\bsecond(?:ed)?\s*:)\s*{three}"
    );
    #[allow(
        clippy::expect_used,
        reason = "a constant pattern, checked by the tests"
    )]
    Regex::new(&source).expect("seconder pattern")
});

/// A line that begins an agenda item or a section: numbered ("7.", "B)", "IV."), or in
/// capitals, or a short heading ending in a colon.
static HEADING: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(clippy::expect_used, reason = "a constant pattern, checked by the tests")]
    Regex::new(
        r"(?m)^[ \t]*(?:(?:\d{1,2}|[A-Z]|[IVX]{1,4})[.)][ \t]+\S|[A-Z][A-Z &/,'\-]{3,}[ \t]*:?[ \t]*$)",
    )
    .expect("heading pattern")
});

/// The motions of `text`, in order.
pub(crate) fn find(text: &str) -> Vec<Motion> {
    // Every match of every form, by where it starts (the earlier form first); one that
    // overlaps a match kept before it, or lies inside a kept motion's wording ("… moved to
    // amend the motion to restore $62,000, seconded by …" holds "motion to … by"), is part
    // of that motion. One pass: the cost grows with the text, not with its square.
    let mut all: Vec<(usize, usize, Captures<'_>, Wording)> = Vec::new();
    for (index, form) in FORMS.iter().enumerate() {
        for caps in form.pattern.captures_iter(text) {
            if let Some(whole) = caps.get(0) {
                all.push((whole.start(), index, caps, form.wording));
            }
        }
    }
    all.sort_by_key(|(start, index, ..)| (*start, *index));
    let mut kept: Vec<(usize, Captures<'_>, Wording)> = Vec::new();
    let mut taken_to = 0;
    for (at, _, caps, wording) in all {
        let Some(whole) = caps.get(0) else { continue };
        if at < taken_to {
            continue;
        }
        let wording_end = match wording {
            Wording::After | Wording::AfterWithVote => {
                clause_end(text, whole.end(), wording_limit(text, whole.end()))
            }
            Wording::Group => caps.name("text").map_or(whole.end(), |m| m.end()),
            Wording::Before => whole.end(),
        };
        taken_to = wording_end.max(whole.end());
        kept.push((at, caps, wording));
    }
    let mut motions = Vec::new();
    for (i, (_, caps, wording)) in kept.iter().enumerate() {
        let next = kept.get(i + 1).map_or(text.len(), |(at, ..)| *at);
        if let Some(motion) = read(text, caps, *wording, next) {
            motions.push(motion);
        }
    }
    settle_amendments(text, &mut motions);
    settle_tabling(&mut motions);
    motions
}

/// "Vote on the main motion as amended" after an amendment's own vote: that vote is the
/// main motion's, the one before the amendment.
fn settle_amendments(text: &str, motions: &mut [Motion]) {
    static MAIN_MOTION: LazyLock<Regex> = LazyLock::new(|| {
        #[allow(
            clippy::expect_used,
            reason = "a constant pattern, checked by the tests"
        )]
        Regex::new(r"(?i)\b(?:vote\s+on\s+)?(?:the\s+)?(?:main|original)\s+motion\b")
            .expect("main motion pattern")
    });
    for i in 1..motions.len() {
        let amendment = &motions[i];
        if !amendment.text.value.to_lowercase().starts_with("amend") {
            continue;
        }
        let (from, end) = (amendment.text.span.end, amendment.span.end);
        let Some(split) = MAIN_MOTION.find_at(&text[..end], from).map(|m| m.start()) else {
            continue;
        };
        let own = Span {
            start: amendment.span.start,
            end: split,
        };
        vote_over(text, &mut motions[i], own, from);
        let main = &mut motions[i - 1];
        let later = Span { start: split, end };
        vote_over(text, main, later, split);
    }
}

/// A motion to table that carried tabled the motion before it, when that one has no vote
/// of its own.
fn settle_tabling(motions: &mut [Motion]) {
    for i in 1..motions.len() {
        let tabling = motions[i].text.value.to_lowercase();
        let Some(outcome) = motions[i].outcome.clone() else {
            continue;
        };
        let pending = motions[i - 1].outcome.is_none();
        if pending && outcome.value == Outcome::Tabled && tabling.starts_with("table") {
            motions[i - 1].outcome = Some(Fact::inferred(Outcome::Tabled, outcome.span));
        }
    }
}

/// Reads `motion`'s vote again, from `passage` after `after`.
fn vote_over(text: &str, motion: &mut Motion, passage: Span, after: usize) {
    let read = votes::read(text, passage, after, &motion.text.value);
    motion.votes = read.votes;
    motion.tally = read.tally;
    motion.outcome = read.outcome;
    motion.vote_words = read.vote_words;
    motion.span.end = passage.end.max(motion.text.span.end);
}

/// One motion from its match, its passage ending by `next` (the next motion's start).
fn read(text: &str, caps: &Captures<'_>, wording: Wording, next: usize) -> Option<Motion> {
    let whole = caps.get(0)?;
    // A motion "moved and seconded" names nobody; one that names someone must name a member.
    let mover = match caps.name("mover") {
        Some(_) => Some(name_fact(caps, "mover")?),
        None => None,
    };
    let wording_span = match wording {
        Wording::After | Wording::AfterWithVote => {
            let end = clause_end(
                text,
                whole.end(),
                next.min(wording_limit(text, whole.end())),
            );
            span_trimmed(text, whole.end(), end)
        }
        Wording::Group => {
            let group = caps.name("text")?;
            span_trimmed(text, group.start(), group.end())
        }
        Wording::Before => before(text, whole.start())?,
    };
    let start = whole.start().min(wording_span.start);
    let wording_end = wording_span.end.max(whole.end());
    let end = passage_end(text, wording_end, next);
    let passage = Span { start, end };
    let mut seconder = name_fact(caps, "seconder");
    if seconder.is_none() {
        seconder = seconded_later(
            text,
            Span {
                start: whole.end(),
                end,
            },
        );
    }
    let words = wording_span.text(text).trim_end_matches(['.', ';', ',']);
    let wording_span = Span {
        start: wording_span.start,
        end: wording_span.start + words.len(),
    };
    let votes_from = match wording {
        Wording::AfterWithVote => whole.end(),
        _ => wording_end,
    };
    let read = votes::read(text, passage, votes_from, words);
    Some(Motion {
        text: Fact::recorded(words.to_owned(), wording_span),
        mover,
        seconder,
        votes: read.votes,
        tally: read.tally,
        outcome: read.outcome,
        vote_words: read.vote_words,
        amounts: votes::amounts(text, wording_span),
        references: votes::references(text, wording_span),
        span: passage,
    })
}

/// The name in group `group`, if it is one, as a recorded fact.
fn name_fact(caps: &Captures<'_>, group: &str) -> Option<Fact<String>> {
    let m = caps.name(group)?;
    let (name, skip) = names::clean(m.as_str())?;
    let start = m.start() + skip;
    Some(Fact::recorded(
        name.to_owned(),
        Span {
            start,
            end: start + name.len(),
        },
    ))
}

/// A seconder named after the motion's wording, within `within`.
fn seconded_later(text: &str, within: Span) -> Option<Fact<String>> {
    let caps = SECONDED_LATER.captures(within.text(text))?;
    let m = ["s1", "s2", "s3"].iter().find_map(|g| caps.name(g))?;
    let (name, skip) = names::clean(m.as_str())?;
    let start = within.start + m.start() + skip;
    Some(Fact::recorded(
        name.to_owned(),
        Span {
            start,
            end: start + name.len(),
        },
    ))
}

/// The sentence or line just before `at`: a motion's wording in "Approve the minutes.
/// MOTION: Ruiz; SECOND: Hale".
fn before(text: &str, at: usize) -> Option<Span> {
    let head = text[..at].trim_end();
    let head = head.trim_end_matches(['.', ';', ':', '-', '—']).trim_end();
    let line_start = head.rfind('\n').map_or(0, |i| i + 1);
    let sentence_start = head[line_start..]
        .rfind(". ")
        .map_or(line_start, |i| line_start + i + 2);
    let span = span_trimmed(text, sentence_start, head.len());
    // An agenda number or a heading's colon is not part of the wording.
    let words = span.text(text);
    let skip = LEAD_NUMBER.find(words).map_or(0, |m| m.end());
    let span = Span {
        start: span.start + skip,
        end: span.end,
    };
    (span.end > span.start + 2).then_some(span)
}

static LEAD_NUMBER: LazyLock<Regex> = LazyLock::new(|| {
    #[allow(
        clippy::expect_used,
        reason = "a constant pattern, checked by the tests"
    )]
    Regex::new(r"^(?:(?:\d{1,2}|[A-Z]|[IVX]{1,4})[.)]\s+)?(?:[A-Za-z ]{1,40}:\s+)?")
        .expect("lead pattern")
});

/// Where a motion's passage ends: at the next motion, at the next heading after its
/// wording, or [`MAX_PASSAGE`] bytes on.
fn passage_end(text: &str, wording_end: usize, next: usize) -> usize {
    let limit = next.min(floor_char(text, wording_end + MAX_PASSAGE));
    HEADING
        .find_at(&text[..limit], wording_end)
        .map_or(limit, |m| m.start())
}

fn floor_char(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// `start..end` without the whitespace at either end.
fn span_trimmed(text: &str, start: usize, end: usize) -> Span {
    let piece = &text[start..end];
    let lead = piece.len() - piece.trim_start().len();
    let trail = piece.len() - piece.trim_end().len();
    Span {
        start: start + lead,
        end: (end - trail).max(start + lead),
    }
}
