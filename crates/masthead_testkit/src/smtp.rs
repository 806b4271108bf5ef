//! A real SMTP server on loopback for the newsletter's tests: `scripts/smtp_sink.py`
//! (aiosmtpd, installed pinned by `scripts/test.sh` into `MASTHEAD_TEST_MAIL_TOOLS`), one
//! process per test on a free port, killed on drop. What it accepted is read back as Python's
//! email parser saw it, and DKIM signatures are checked by dkimpy, a verifier that is not ours.

use serde_json::Value;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn tools() -> String {
    std::env::var("MASTHEAD_TEST_MAIL_TOOLS").unwrap_or_else(|_| {
        panic!(
            "MASTHEAD_TEST_MAIL_TOOLS is not set. Run the suite with scripts/test.sh, which \
             installs aiosmtpd and dkimpy (a missing tool fails the run; it never skips)."
        )
    })
}

/// One message the sink accepted.
#[derive(Clone, Debug)]
pub struct SunkMessage {
    /// The file's name without extension (`<pid>-NNNNNN`), in the order received.
    pub id: String,
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    /// MAIL FROM parameters, e.g. `SMTPUTF8`, `BODY=8BITMIME`.
    pub mail_options: Vec<String>,
    /// Every header as Python decoded it (RFC 2047 words decoded); the last one of a name wins.
    pub headers: BTreeMap<String, String>,
    /// Header names in order, repeats included.
    pub header_names: Vec<String>,
    pub text: Option<String>,
    pub html: Option<String>,
    /// The session was encrypted (STARTTLS or implicit TLS).
    pub tls: bool,
    pub authenticated: bool,
    /// The message as received.
    pub raw: Vec<u8>,
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

impl SunkMessage {
    fn read(json: &Path) -> Self {
        let meta: Value =
            serde_json::from_slice(&std::fs::read(json).expect("read the sink's .json"))
                .expect("the sink's JSON");
        let headers = meta["headers"]
            .as_object()
            .expect("headers")
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_owned()))
            .collect();
        SunkMessage {
            id: json
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_owned(),
            mail_from: meta["mail_from"].as_str().unwrap_or_default().to_owned(),
            rcpt_tos: strings(&meta["rcpt_tos"]),
            mail_options: strings(&meta["mail_options"]),
            headers,
            header_names: strings(&meta["header_names"]),
            text: meta["text"].as_str().map(str::to_owned),
            html: meta["html"].as_str().map(str::to_owned),
            tls: meta["tls"].as_bool().unwrap_or(false),
            authenticated: meta["authenticated"].as_bool().unwrap_or(false),
            raw: std::fs::read(json.with_extension("eml")).expect("read the sink's .eml"),
        }
    }
}

/// A running `scripts/smtp_sink.py`.
pub struct SmtpSink {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    /// Starts the sink with `args` (see the script's docstring: `--reject a@x.test=550`,
    /// `--data-delay 5`, `--auth user:pass`, `--cert C --key K [--implicit-tls]`, …) and
    /// returns once it printed `READY <port>`.
    pub fn start(args: &[&str]) -> SmtpSink {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/smtp_sink.py");
        let dir = tempfile::tempdir().expect("temporary directory");
        let mut child = Command::new("python3")
            .env("PYTHONPATH", tools())
            .arg(script)
            .arg("--out")
            .arg(dir.path())
            .args(["--port", "0"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("run python3 scripts/smtp_sink.py");
        let stdout = child.stdout.take().expect("the sink's stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(Duration::from_secs(30)).unwrap_or_default();
        let port = line
            .trim()
            .strip_prefix("READY ")
            .and_then(|p| p.parse().ok());
        let Some(port) = port else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("smtp_sink.py did not start (its first line was {line:?}); its error is above");
        };
        SmtpSink { child, port, dir }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `smtp://127.0.0.1:PORT?tls=none`: plaintext, allowed because the host is loopback.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}?tls=none", self.port)
    }

    /// The directory the sink writes into.
    pub fn dir(&self) -> PathBuf {
        self.dir.path().to_owned()
    }

    /// Every message accepted so far, in the order received.
    pub fn messages(&self) -> Vec<SunkMessage> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("read the sink's directory")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        files.iter().map(|p| SunkMessage::read(p)).collect()
    }

    /// Waits (polling every 20 ms) until at least `n` messages arrived; panics with what did
    /// arrive after `timeout`.
    pub async fn wait_for_messages(&self, n: usize, timeout: Duration) -> Vec<SunkMessage> {
        let start = Instant::now();
        loop {
            let got = self.messages();
            if got.len() >= n {
                return got;
            }
            if start.elapsed() > timeout {
                let seen: Vec<(&String, &Vec<String>)> =
                    got.iter().map(|m| (&m.id, &m.rcpt_tos)).collect();
                panic!(
                    "waited {timeout:?} for {n} messages; the sink has {}: {seen:?}",
                    got.len()
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Every address given at RCPT TO, accepted or not, in order.
    pub fn rcpt_log(&self) -> Vec<String> {
        let log = std::fs::read_to_string(self.dir.path().join("rcpt.log")).unwrap_or_default();
        log.lines()
            .filter_map(|l| l.split_once(' ').map(|(_, a)| a.to_owned()))
            .collect()
    }

    /// Kills the sink now (its files stay readable until drop).
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Checks `raw`'s DKIM signature with dkimpy, answering the key lookup with
    /// `public_key_dns_txt` (e.g. `v=DKIM1; k=rsa; p=MIIB…`). dkimpy's reasons for a failure
    /// go to stderr.
    pub fn verify_dkim(raw: &[u8], public_key_dns_txt: &str) -> bool {
        const VERIFY: &str = r#"
import logging, sys, dkim
logging.basicConfig(stream=sys.stderr, level=logging.DEBUG)
txt = sys.argv[1].encode()
ok = dkim.verify(sys.stdin.buffer.read(), logger=logging.getLogger("dkim"),
                 dnsfunc=lambda name, timeout=5: txt)
print("PASS" if ok else "FAIL")
"#;
        let mut child = Command::new("python3")
            .env("PYTHONPATH", tools())
            .args(["-c", VERIFY, public_key_dns_txt.trim()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run python3 with dkimpy");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(raw)
            .expect("write the message to dkimpy");
        let out = child.wait_with_output().expect("dkimpy's answer");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "dkimpy failed to run: {stderr}");
        if stdout.trim() != "PASS" {
            eprintln!("dkimpy: {stderr}");
        }
        stdout.trim() == "PASS"
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.kill();
    }
}
