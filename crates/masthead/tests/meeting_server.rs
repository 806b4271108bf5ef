//! The meeting desk on the real binary: `masthead serve --demo` reads an uploaded PDF
//! through its sandboxed child process (`masthead meeting pdf-text`, the `ChildReader` the
//! server installs), over real HTTP, with a token made by `masthead token create`. The
//! in-process tests use the library's reader; this is the one the program runs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_testkit::pdf::pdf;
use masthead_testkit::{RunningBinary, multipart_body, run_command};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_masthead");

#[test]
fn the_server_reads_an_uploaded_pdf_in_its_child_process() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let server = RunningBinary::start(BIN, &["--demo", "--data-dir", data], &[]);
    let add = [
        "user",
        "add",
        "--data-dir",
        data,
        "--email",
        "ed@example.org",
        "--name",
        "Ed",
        "--role",
        "editor",
        "--password-stdin",
    ];
    let out = run_command(
        BIN,
        &add,
        dir.path(),
        Some("correct horse battery staple\n"),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let create = [
        "token",
        "create",
        "--data-dir",
        data,
        "--user",
        "ed@example.org",
    ];
    let out = run_command(BIN, &create, dir.path(), None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    let bearer = format!("Bearer {token}");

    let r = server
        .request(
            "GET",
            "/api/v1/meetings",
            &[("Authorization", &bearer)],
            b"",
        )
        .unwrap();
    let meetings: Value = serde_json::from_str(&r.body).unwrap();
    let held = meetings
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["status"] == "held")
        .expect("the demo's last meeting")["id"]
        .as_i64()
        .unwrap();
    let upload = |name: &str, bytes: &[u8]| {
        let (ctype, body) = multipart_body(&[("file", Some(name), bytes)]);
        let path = format!("/api/v1/meetings/{held}/documents");
        let headers = [
            ("Authorization", bearer.as_str()),
            ("Content-Type", ctype.as_str()),
        ];
        server.request("POST", &path, &headers, &body).unwrap()
    };

    let page = vec![
        (72, 700, "Present: Trustees Ruiz, Hale and Lee."),
        (
            72,
            680,
            "Motion by Trustee Ruiz, seconded by Trustee Hale, to approve the claims.",
        ),
        (72, 666, "Motion carried 3-0."),
    ];
    let r = upload("minutes.pdf", &pdf(&[page], "", ""));
    assert_eq!(r.status, 201, "{}", r.body);
    let doc: Value = serde_json::from_str(&r.body).unwrap();
    let path = format!("/api/v1/documents/{}", doc["id"]);
    let r = server
        .request("GET", &path, &[("Authorization", &bearer)], b"")
        .unwrap();
    let read: Value = serde_json::from_str(&r.body).unwrap();
    assert!(
        read["text"]
            .as_str()
            .unwrap()
            .contains("Motion carried 3-0"),
        "{}",
        r.body
    );
    assert_eq!(
        read["extraction"]["motions"][0]["tally"]["value"]["ayes"],
        3
    );

    // A PDF built to make a parser recurse: the child reports it, the server carries on.
    let nested = format!("/Junk {}{} ", "[".repeat(300_000), "]".repeat(300_000));
    let r = upload("nested.pdf", &pdf(&[], &nested, ""));
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("could not be read"), "{}", r.body);
    let (status, _) = server.get("/bodies/cedar-hollow-village-board");
    assert_eq!(status, 200);
    let log = server.stop();
    assert!(!log.contains("panicked"), "{log}");
}
