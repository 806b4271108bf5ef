//! `masthead meeting extract FILE`, run as the real binary: the JSON a script reads from a
//! clerk's minutes, and the messages for what it cannot read.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_testkit::pdf::pdf;
use masthead_testkit::run_command;
use serde_json::Value;
use std::path::Path;

const BIN: &str = env!("CARGO_BIN_EXE_masthead");

fn corpus(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../masthead_meeting/tests/corpus")
        .join(name)
        .to_str()
        .unwrap()
        .to_owned()
}

#[test]
fn minutes_become_json_with_every_fact_traced_to_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let file = corpus("01-village-board-numbered.txt");
    let out = run_command(BIN, &["meeting", "extract", &file], dir.path(), None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = std::fs::read_to_string(&file).unwrap();
    let at = |fact: &Value| {
        let (start, end) = (
            fact["span"]["start"].as_u64().unwrap(),
            fact["span"]["end"].as_u64().unwrap(),
        );
        text[start as usize..end as usize].to_owned()
    };
    let tower = &json["motions"][1];
    assert!(
        tower["text"]["value"]
            .as_str()
            .unwrap()
            .contains("repaint the north water tower")
    );
    assert_eq!(tower["mover"]["value"], "Okafor");
    assert_eq!(at(&tower["mover"]), "Okafor");
    assert_eq!(tower["seconder"]["value"], "Brandt");
    assert_eq!(
        tower["tally"]["value"],
        serde_json::json!({"ayes": 5, "nays": 1, "abstentions": 0})
    );
    assert_eq!(tower["tally"]["how"], "recorded");
    assert_eq!(tower["outcome"]["value"], "passed");
    assert_eq!(tower["amounts"][0]["value"], "$48,000");
    assert_eq!(at(&tower["amounts"][0]), "$48,000");
    let lee = tower["votes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"]["member"] == "Lee")
        .unwrap();
    assert_eq!(lee["value"]["vote"], "nay");
    assert_eq!(json["absent"][0]["value"], "Novak");
    assert_eq!(json["adjourned"]["value"], "7:48 p.m.");

    // The same from standard input.
    let piped = run_command(BIN, &["meeting", "extract", "-"], dir.path(), Some(&text));
    assert!(piped.status.success());
    assert_eq!(piped.stdout, out.stdout);
}

/// Runs `masthead meeting extract file` and checks it failed saying `says`, printing nothing
/// and panicking nowhere.
fn refused(dir: &Path, file: &Path, says: &str) {
    let out = run_command(
        BIN,
        &["meeting", "extract", file.to_str().unwrap()],
        dir,
        None,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{file:?}: {stderr}");
    assert!(stderr.contains(says), "{file:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{file:?}");
    assert!(!stderr.contains("panicked"), "{file:?}: {stderr}");
}

#[test]
fn what_cannot_be_read_is_refused_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("minutes.pdf");
    std::fs::write(&pdf, b"%PDF-1.7\n%binary, and nothing else\n").unwrap();
    let latin1 = dir.path().join("minutes.txt");
    std::fs::write(&latin1, b"Motion by Pe\xf1a, seconded by Ruiz, to approve.").unwrap();
    let huge = dir.path().join("huge.txt");
    std::fs::write(&huge, "a".repeat(masthead_meeting::MAX_TEXT + 1)).unwrap();
    for (file, says) in [
        (&pdf, "the PDF could not be read"),
        (&latin1, "UTF-8 text"),
        (&huge, "split it into meetings"),
        (&dir.path().join("missing.txt"), "cannot open"),
    ] {
        refused(dir.path(), file, says);
    }
}

/// Two columns of minutes on one page: the left column read whole, then the right.
fn two_columns() -> Vec<(u32, u32, &'static str)> {
    let left = [
        "Present: Trustees Ruiz, Hale and Okafor.",
        "Motion by Trustee Ruiz, seconded by",
        "Trustee Hale, to approve the bills of",
        "$4,210. Motion carried 3-0.",
    ];
    let right = [
        "PUBLIC COMMENT",
        "Jenna Ortiz asked about the park.",
        "Meeting adjourned at 8:15 p.m.",
    ];
    let line = |x: u32, i: usize| (x, 700 - 14 * i as u32);
    let mut page: Vec<_> = left
        .iter()
        .enumerate()
        .map(|(i, t)| (line(72, i).0, line(72, i).1, *t))
        .collect();
    page.extend(
        right
            .iter()
            .enumerate()
            .map(|(i, t)| (320, line(320, i).1, *t)),
    );
    page
}

#[test]
fn a_pdf_of_minutes_is_read_in_a_child_process_and_its_text_printed() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("minutes.pdf");
    std::fs::write(&file, pdf(&[two_columns()], "", "")).unwrap();
    let out = run_command(
        BIN,
        &["meeting", "extract", file.to_str().unwrap()],
        dir.path(),
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let text = json["text"].as_str().expect("the PDF's text is printed");
    assert!(
        text.find("$4,210").unwrap() < text.find("PUBLIC COMMENT").unwrap(),
        "the left column before the right: {text}"
    );
    let motion = &json["motions"][0];
    assert_eq!(motion["mover"]["value"], "Ruiz");
    assert_eq!(motion["seconder"]["value"], "Hale");
    assert_eq!(motion["tally"]["value"]["ayes"], 3);
    let span = &motion["amounts"][0]["span"];
    let (start, end) = (
        span["start"].as_u64().unwrap() as usize,
        span["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[start..end], "$4,210", "spans index the printed text");
    assert_eq!(json["present"].as_array().unwrap().len(), 3);
    assert_eq!(json["speakers"][0]["value"], "Jenna Ortiz");
    assert_eq!(json["adjourned"]["value"], "8:15 p.m.");
}

#[test]
fn pdfs_that_cannot_be_read_are_refused_with_the_fix_and_nothing_printed() {
    let dir = tempfile::tempdir().unwrap();
    let encrypt = "/Encrypt << /Filter /Standard /V 1 /R 2 \
        /O (0123456789abcdef0123456789abcdef) /U (0123456789abcdef0123456789abcdef) /P -4 >> \
        /ID [<00112233445566778899aabbccddeeff> <00112233445566778899aabbccddeeff>] ";
    let nested = format!("/Junk {}{} ", "[".repeat(300_000), "]".repeat(300_000));
    let many: Vec<_> = (0..600).map(|_| vec![(72, 700, "Roll call.")]).collect();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("scan.pdf", pdf(&[vec![]], "", ""), "no text to read"),
        (
            "locked.pdf",
            pdf(&[two_columns()], "", encrypt),
            "locked with a password",
        ),
        ("nested.pdf", pdf(&[], &nested, ""), "could not be read"),
        (
            "long.pdf",
            pdf(&many, "", ""),
            "600 pages, more than the 500",
        ),
        (
            "minutes.pdf",
            b"PK\x03\x04 a zip archive".to_vec(),
            "not one",
        ),
    ];
    for (name, bytes, says) in cases {
        let file = dir.path().join(name);
        std::fs::write(&file, bytes).unwrap();
        refused(dir.path(), &file, says);
    }
}
