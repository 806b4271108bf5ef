//! A PDF as a word processor writes it, not by hand: fonts embedded as TrueType subsets
//! with their ToUnicode maps, a running header, page numbers, bold headings and a page in
//! two columns (`tests/pdfs/embedded_fonts.pdf`, made by `make_embedded_fonts.py` with
//! fpdf2). Its text is read in reading order and its facts come out whole.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_core::Outcome;
use masthead_meeting::{extract, pdf_text};

const PDF: &[u8] = include_bytes!("pdfs/embedded_fonts.pdf");

#[test]
fn embedded_fonts_and_two_columns_read_as_the_minutes_say() {
    let text = pdf_text(PDF).unwrap();
    assert!(text.contains("Motion by Council Member Whitaker"), "{text}");
    // The left column is read before the right one.
    let parks = text.find("3. Parks").unwrap();
    let adjournment = text.find("4. Adjournment").unwrap();
    assert!(parks < adjournment, "{text}");

    let facts = extract(&text).unwrap();
    let present: Vec<&str> = facts.present.iter().map(|f| f.value.as_str()).collect();
    assert_eq!(
        present,
        ["Olsen", "Whitaker", "Nguyen", "Delgado", "Brandt"],
        "{text}"
    );
    let read: Vec<(String, Option<Outcome>)> = facts
        .motions
        .iter()
        .map(|m| {
            (
                m.tally
                    .as_ref()
                    .map(|t| t.value.display())
                    .unwrap_or_default(),
                m.outcome.as_ref().map(|o| o.value),
            )
        })
        .collect();
    assert_eq!(
        read,
        [
            ("4-1".to_owned(), Some(Outcome::Passed)),
            ("5-0".to_owned(), Some(Outcome::Passed)),
            ("1-4".to_owned(), Some(Outcome::Failed)),
            (String::new(), Some(Outcome::Passed)),
        ],
        "{text}"
    );
    let plow = &facts.motions[0];
    assert_eq!(plow.mover.as_ref().unwrap().value, "Whitaker");
    assert_eq!(plow.amounts[0].value, "$187,500");
    assert_eq!(facts.motions[1].references[0].value, "Resolution 2026-31");
    assert_eq!(facts.adjourned.as_ref().unwrap().value, "7:48 p.m.");
}
