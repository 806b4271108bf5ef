//! `masthead meeting extract FILE`, run as the real binary: the JSON a script reads from a
//! clerk's minutes, and the messages for what it cannot read.
#![allow(clippy::unwrap_used, clippy::expect_used)]

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

#[test]
fn what_cannot_be_read_is_refused_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("minutes.pdf");
    std::fs::write(&pdf, b"%PDF-1.7\n%binary\n").unwrap();
    let latin1 = dir.path().join("minutes.txt");
    std::fs::write(&latin1, b"Motion by Pe\xf1a, seconded by Ruiz, to approve.").unwrap();
    let huge = dir.path().join("huge.txt");
    std::fs::write(&huge, "a".repeat(masthead_meeting::MAX_TEXT + 1)).unwrap();
    for (file, says) in [
        (&pdf, "pdftotext"),
        (&latin1, "save the minutes as UTF-8"),
        (&huge, "split it into meetings"),
        (&dir.path().join("missing.txt"), "cannot open"),
    ] {
        let out = run_command(
            BIN,
            &["meeting", "extract", file.to_str().unwrap()],
            dir.path(),
            None,
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains(says), "{file:?}: {stderr}");
        assert!(out.stdout.is_empty());
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
