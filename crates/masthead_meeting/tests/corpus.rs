//! The extractor against a corpus of minutes in the styles clerks write (`tests/corpus/`):
//! each `NN-name.txt` with its expected facts in `NN-name.facts`, one a line:
//!
//! ```text
//! present Ruiz
//! absent Novak
//! motion "water tower" mover Okafor
//! motion "water tower" vote Lee nay
//! motion "water tower" tally 5-1
//! speaker Jenna Ortiz
//! adjourned 7:48 p.m.
//! ```
//!
//! A motion is named by a phrase of its wording (found motions whose wording holds none of
//! the phrases count as wrong). Precision (the share of facts found that are expected) and
//! recall (the share expected that are found) over the whole corpus must reach the bars
//! below, recorded in docs/PERFORMANCE.md; every fact's span must hold its value.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_meeting::{Extraction, Fact, How, extract};
use std::collections::BTreeSet;
use std::path::Path;

/// The bars the corpus must clear.
const PRECISION: f64 = 0.95;
const RECALL: f64 = 0.90;

/// The facts of an extraction as the corpus writes them, keyed by the expected motions'
/// phrases.
fn facts(extraction: &Extraction, phrases: &[String]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for p in &extraction.present {
        out.insert(format!("present {}", p.value));
    }
    for a in &extraction.absent {
        out.insert(format!("absent {}", a.value));
    }
    for s in &extraction.speakers {
        out.insert(format!("speaker {}", s.value));
    }
    if let Some(t) = &extraction.adjourned {
        out.insert(format!("adjourned {}", t.value));
    }
    for motion in &extraction.motions {
        let wording = motion.text.value.to_lowercase();
        let key = phrases
            .iter()
            .find(|p| wording.contains(p.as_str()))
            .cloned()
            .unwrap_or_else(|| format!("? {}", motion.text.value));
        let mut add = |fact: String| out.insert(format!("motion \"{key}\" {fact}"));
        if let Some(m) = &motion.mover {
            add(format!("mover {}", m.value));
        }
        if let Some(s) = &motion.seconder {
            add(format!("seconder {}", s.value));
        }
        for v in &motion.votes {
            add(format!("vote {} {}", v.value.member, v.value.vote.as_str()));
        }
        if let Some(t) = &motion.tally {
            add(format!("tally {}", t.value.display()));
        }
        if let Some(o) = &motion.outcome {
            add(format!("outcome {}", o.value.as_str()));
        }
        if let Some(w) = &motion.vote_words {
            add(format!("words {}", w.value.to_lowercase()));
        }
        for a in &motion.amounts {
            add(format!("amount {}", a.value));
        }
        for r in &motion.references {
            add(format!("reference {}", r.value));
        }
    }
    out
}

/// Each recorded fact's span holds its value as written.
fn check_spans(name: &str, text: &str, extraction: &Extraction) {
    let same = |what: &str, fact: &Fact<String>| {
        if fact.how == How::Recorded {
            assert_eq!(
                fact.span.text(text),
                fact.value,
                "{name}: the span of {what}"
            );
        }
    };
    for f in extraction.present.iter().chain(&extraction.absent) {
        same("attendance", f);
    }
    for f in &extraction.speakers {
        same("a speaker", f);
    }
    if let Some(f) = &extraction.adjourned {
        same("adjournment", f);
    }
    for motion in &extraction.motions {
        same("a motion's wording", &motion.text);
        for f in motion.mover.iter().chain(&motion.seconder) {
            same("a mover or seconder", f);
        }
        for f in motion.amounts.iter().chain(&motion.references) {
            same("an amount or number", f);
        }
        for v in &motion.votes {
            assert_eq!(v.span.text(text), v.value.member, "{name}: a vote's span");
        }
        if let Some(t) = motion.tally.as_ref().filter(|t| t.how == How::Recorded) {
            let written = t.span.text(text);
            assert!(
                written.starts_with(&t.value.ayes.to_string()),
                "{name}: tally span {written:?}"
            );
        }
        assert!(motion.span.start <= motion.text.span.start);
        assert!(motion.span.end >= motion.text.span.end);
    }
}

#[test]
fn the_corpus_is_read_above_the_bars() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    names.sort();
    let (mut found_all, mut expected_all, mut right_all) = (0, 0, 0);
    let mut report = String::new();
    for path in &names {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        let expected: BTreeSet<String> = std::fs::read_to_string(path.with_extension("facts"))
            .unwrap()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(str::to_owned)
            .collect();
        let phrases: Vec<String> = expected
            .iter()
            .filter_map(|l| l.strip_prefix("motion \""))
            .filter_map(|l| l.split('"').next())
            .map(str::to_owned)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let extraction = extract(&text).unwrap();
        check_spans(&name, &text, &extraction);
        let found = facts(&extraction, &phrases);
        let right = found.intersection(&expected).count();
        for missed in expected.difference(&found) {
            report.push_str(&format!("{name}: missed  {missed}\n"));
        }
        for wrong in found.difference(&expected) {
            report.push_str(&format!("{name}: wrong   {wrong}\n"));
        }
        found_all += found.len();
        expected_all += expected.len();
        right_all += right;
    }
    let precision = right_all as f64 / found_all.max(1) as f64;
    let recall = right_all as f64 / expected_all.max(1) as f64;
    println!("{report}");
    println!(
        "{} documents, {expected_all} facts expected, {found_all} found, {right_all} right: \
         precision {precision:.3}, recall {recall:.3}",
        names.len()
    );
    assert!(
        names.len() >= 20,
        "the corpus holds {} documents",
        names.len()
    );
    assert!(
        precision >= PRECISION && recall >= RECALL,
        "precision {precision:.3} (bar {PRECISION}), recall {recall:.3} (bar {RECALL})\n{report}"
    );
}
