//! The newsletter on the real binary, as separate processes, with a real SMTP server
//! (aiosmtpd) on loopback:
//! - a server killed (SIGKILL) while the SMTP server is taking one message: restarted, it
//!   sends every other reader their mail exactly once, and the one in flight is marked
//!   uncertain and never sent again on its own (SQLite);
//! - two servers on one PostgreSQL database working through one send at once (each logs
//!   its share): each reader gets it exactly once.
//!
//! - a reader who signs up while a long send goes out gets the confirmation at once, not
//!   after the send.
//!
//! The send is made the way cron would, with `masthead newsletter send --list daily`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_core::EmailAddress;
use masthead_store::{Actor, ImportedReader, SendState, Store};
use masthead_testkit::{RunningBinary, SmtpSink, run_command};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_masthead");

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// `n` confirmed readers of the daily list, `reader000@example.org` and on, through
/// the store on `database_url` (while the servers run).
fn readers(database_url: &str, n: usize) {
    runtime().block_on(async {
        let store = Store::connect(database_url).await.unwrap();
        let daily = store
            .newsletter_lists()
            .await
            .unwrap()
            .into_iter()
            .find(|l| l.slug == "daily")
            .unwrap()
            .id;
        let rows: Vec<_> = (0..n)
            .map(|i| ImportedReader {
                email: EmailAddress::parse(&format!("reader{i:03}@example.org")).unwrap(),
                name: format!("Reader {i}"),
                confirmed: true,
            })
            .collect();
        let now = masthead_core::Clock::now(&masthead_core::SystemClock);
        store
            .import_subscribers(&rows, &[daily], &Actor::system("test"), now)
            .await
            .unwrap();
        store.close().await;
    });
}

/// The send's state and counts once it is neither scheduled nor going (or after a minute).
fn wait_until_done(database_url: &str) -> masthead_store::Send {
    runtime().block_on(async {
        let store = Store::connect(database_url).await.unwrap();
        let started = Instant::now();
        loop {
            let sends = store.recent_sends(1).await.unwrap();
            if let Some(send) = sends.into_iter().next()
                && (send.state == SendState::Done || started.elapsed() > Duration::from_secs(60))
            {
                store.close().await;
                return send;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    })
}

/// What became of each reader's mail of the (one) send: address → item state.
fn reader_states(database_url: &str) -> BTreeMap<String, String> {
    runtime().block_on(async {
        let store = Store::connect(database_url).await.unwrap();
        let mut states = BTreeMap::new();
        let mut before = None;
        loop {
            let page = store.find_subscribers("", None, before).await.unwrap();
            let Some(last) = page.last() else { break };
            before = Some(last.id);
            for reader in &page {
                let mails = store.reader_mails(reader.id).await.unwrap();
                states.insert(reader.email.clone(), mails[0].state.clone());
            }
        }
        store.close().await;
        states
    })
}

/// How many messages the sink took for each address.
fn per_address(sink: &SmtpSink) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for m in sink.messages() {
        for to in m.rcpt_tos {
            *counts.entry(to).or_default() += 1;
        }
    }
    counts
}

/// `masthead newsletter send --list daily` with `config`, on `data` (and `database_url`),
/// as cron would run it; asserts it scheduled the send.
fn schedule_daily(dir: &std::path::Path, config: &str, data: &str, database_url: Option<&str>) {
    let mut args = vec!["--config", config, "newsletter", "send", "--list", "daily"];
    args.extend(["--data-dir", data]);
    if let Some(url) = database_url {
        args.extend(["--database-url", url]);
    }
    let out = run_command(BIN, &args, dir, None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("scheduled now"), "{said}");
}

/// Waits until `done()`, for at most `patience`, then fails with `server`'s log.
fn wait_for(server: &RunningBinary, patience: Duration, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < patience, "{}", server.log_so_far());
        #[allow(clippy::disallowed_methods, reason = "a plain test thread, no runtime")]
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A configuration file with the mail settings for `sink`.
fn config_file(dir: &std::path::Path, sink: &SmtpSink) -> String {
    let path = dir.join("masthead.toml");
    std::fs::write(
        &path,
        format!(
            "smtp_url = \"{}\"\nmail_from = \"news@example.org\"\nsmtp_connections = 2\n",
            sink.url()
        ),
    )
    .unwrap();
    path.display().to_string()
}

#[test]
fn a_server_killed_mid_send_sends_nobody_twice_after_a_restart() {
    let held = "reader030@example.org";
    let sink = SmtpSink::start(&["--hold", held]);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let config = config_file(dir.path(), &sink);
    let db = format!("sqlite://{data}/masthead.db");
    let args = ["--config", config.as_str()];
    let mut server = RunningBinary::start(
        BIN,
        &[&args[..], &["--demo", "--data-dir", data]].concat(),
        &[],
    );
    readers(&db, 60);
    schedule_daily(dir.path(), &config, data, None);

    // The SMTP server has the held reader's message and will never answer for it: the
    // moment to pull the plug.
    wait_for(&server, Duration::from_secs(60), || {
        sink.messages().iter().any(|m| m.rcpt_tos == [held])
    });
    server.kill();
    let before = per_address(&sink);
    assert!(
        before.len() < 60,
        "the kill came mid-send ({} sent)",
        before.len()
    );

    let restarted = RunningBinary::start(BIN, &[&args[..], &["--data-dir", data]].concat(), &[]);
    let send = wait_until_done(&db);
    let log = restarted.stop();
    assert_eq!(send.state, SendState::Done, "{log}");
    // At most one message per SMTP session (two) was in the server's hands when it died:
    // those are uncertain, never sent again; everyone else got the mail once.
    let c = send.counts;
    assert_eq!(c.sent + c.uncertain, 60, "{c:?}");
    assert!((1..=2).contains(&c.uncertain), "{c:?}");
    let states = reader_states(&db);
    assert_eq!(states[held], "uncertain");
    let after = per_address(&sink);
    let twice: Vec<_> = after.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "mailed twice: {twice:?}");
    for (address, state) in &states {
        match state.as_str() {
            "sent" => assert_eq!(after.get(address), Some(&1), "{address}"),
            "uncertain" => assert!(after.get(address).is_none_or(|n| *n == 1), "{address}"),
            other => panic!("{address} is {other}"),
        }
    }
    assert!(log.contains("marked uncertain"), "{log}");
}

#[test]
fn two_servers_on_one_postgresql_database_send_each_reader_once() {
    // A server that takes 20 ms a message, so the send lasts long enough for both to join.
    let sink = SmtpSink::start(&["--data-delay", "0.02"]);
    let dir = tempfile::tempdir().unwrap();
    let config = config_file(dir.path(), &sink);
    let db = runtime().block_on(masthead_testkit::empty_postgres_database());
    let data_a = dir.path().join("a");
    let data_b = dir.path().join("b");
    let (a, b) = (data_a.to_str().unwrap(), data_b.to_str().unwrap());
    let common = ["--config", config.as_str(), "--database-url", db.as_str()];
    let first = RunningBinary::start(
        BIN,
        &[&common[..], &["--demo", "--data-dir", a]].concat(),
        &[],
    );
    let second = RunningBinary::start(BIN, &[&common[..], &["--data-dir", b]].concat(), &[]);
    readers(&db, 300);
    schedule_daily(dir.path(), &config, a, Some(&db));
    let send = wait_until_done(&db);
    let (log_a, log_b) = (first.stop(), second.stop());
    assert_eq!(send.state, SendState::Done, "{log_a}\n{log_b}");
    assert_eq!(send.counts.sent, 300);
    let counts = per_address(&sink);
    assert_eq!(counts.len(), 300);
    assert!(counts.values().all(|n| *n == 1), "someone was mailed twice");
    // Both servers took part.
    for log in [&log_a, &log_b] {
        assert!(
            log.contains("a session's share of a send is handled"),
            "{log}"
        );
    }
}

#[test]
fn a_confirmation_does_not_wait_for_a_long_send() {
    // 50 ms a message: 200 readers on two sessions take some five seconds.
    let sink = SmtpSink::start(&["--data-delay", "0.05"]);
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let config = config_file(dir.path(), &sink);
    let db = format!("sqlite://{data}/masthead.db");
    let args = ["--config", config.as_str(), "--demo", "--data-dir", data];
    let server = RunningBinary::start(BIN, &args, &[]);
    readers(&db, 200);
    schedule_daily(dir.path(), &config, data, None);
    wait_for(&server, Duration::from_secs(30), || {
        !sink.rcpt_log().is_empty()
    });
    let body = b"email=late%40example.org&list=daily";
    let form = [("Content-Type", "application/x-www-form-urlencoded")];
    let r = server.request("POST", "/newsletter", &form, body).unwrap();
    assert_eq!(r.status, 303, "{}", r.body);
    wait_for(&server, Duration::from_secs(60), || {
        sink.rcpt_log()
            .iter()
            .any(|r| r.contains("late@example.org"))
    });
    let digests = sink
        .rcpt_log()
        .iter()
        .filter(|r| r.contains("reader"))
        .count();
    assert!(
        digests < 200,
        "the confirmation came before the send ended ({digests} digests)"
    );
    let send = wait_until_done(&db);
    assert_eq!(send.counts.sent, 200);
    server.stop();
}
