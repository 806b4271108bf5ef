//! The server's limits over real TCP against the real binary (issue 7): header size and
//! time, idle keep-alive connections, the request deadline, the connection cap and the
//! shutdown deadline. None of these involve the database, so they run on SQLite only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_testkit::RunningBinary;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_masthead");
/// Far longer than any limit under test: a wait this long means the limit did not apply.
const PATIENCE: Duration = Duration::from_secs(20);

/// A running `masthead serve` on an empty SQLite database of its own, killed when dropped.
struct Server {
    bin: RunningBinary,
    _dir: tempfile::TempDir,
}

impl Server {
    /// Starts the binary with `envs` and waits for its "listening" line (not a sleep).
    fn start(envs: &[(&str, &str)]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        let bin = RunningBinary::start(BIN, &["--data-dir", data.to_str().unwrap()], envs);
        Server { bin, _dir: dir }
    }

    fn connect(&self) -> Conn {
        let stream = TcpStream::connect(&self.bin.addr).expect("connect");
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        Conn {
            reader: BufReader::new(stream.try_clone().unwrap()),
            stream,
        }
    }
}

/// One client connection, read through a buffer so responses can be taken one at a time.
struct Conn {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
}

impl Conn {
    fn send(&mut self, text: &str) {
        self.stream.write_all(text.as_bytes()).expect("send");
    }

    /// Reads one response (head, and a body of its `Content-Length`): status and head.
    fn response(&mut self) -> (u16, String) {
        let mut head = String::new();
        loop {
            let mut line = String::new();
            let n = self.reader.read_line(&mut line).expect("read a response");
            assert!(
                n > 0,
                "the connection closed before a response; got {head:?}"
            );
            head.push_str(&line);
            if line == "\r\n" {
                break;
            }
        }
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("status line");
        let length = head
            .lines()
            .find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse::<usize>().ok())?
            })
            .unwrap_or(0);
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).expect("read the body");
        (status, head)
    }

    /// Whether the server closes the connection (end of stream or reset) within [`PATIENCE`].
    fn closed_by_server(&mut self) -> bool {
        let mut rest = Vec::new();
        match self.reader.read_to_end(&mut rest) {
            Ok(_) => true,
            Err(e) if e.kind() == ErrorKind::ConnectionReset => true,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => false,
            Err(e) => panic!("reading: {e}"),
        }
    }
}

fn get(path: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: masthead.test\r\n\r\n")
}

/// A login form post whose body is announced as 1,000 bytes, of which 7 are sent. The
/// login handler reads the body, so the request is in flight until the rest arrives.
fn slow_login_post(addr: &str, expect_continue: bool) -> String {
    let expect = if expect_continue {
        "Expect: 100-continue\r\n"
    } else {
        ""
    };
    format!(
        "POST /admin/login HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\n\
         Sec-Fetch-Site: same-origin\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: 1000\r\n{expect}\r\n"
    )
}

#[test]
fn a_64_kb_header_line_is_refused_with_431() {
    let server = Server::start(&[]);
    let mut conn = server.connect();
    let big = "a".repeat(64 * 1024);
    conn.send(&format!(
        "GET /healthz HTTP/1.1\r\nHost: masthead.test\r\nX-Padding: {big}\r\n\r\n"
    ));
    let mut raw = Vec::new();
    let _ = conn.reader.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw);
    assert!(text.starts_with("HTTP/1.1 431"), "got {text:?}");

    // A browser's worth of cookies still passes.
    let mut conn = server.connect();
    let cookies = "c".repeat(8 * 1024);
    conn.send(&format!(
        "GET /healthz HTTP/1.1\r\nHost: masthead.test\r\nCookie: x={cookies}\r\n\r\n"
    ));
    assert_eq!(conn.response().0, 200);
}

#[test]
fn headers_that_do_not_arrive_in_time_close_the_connection() {
    let server = Server::start(&[("MASTHEAD_HEADER_TIMEOUT", "1")]);
    let mut conn = server.connect();
    conn.send("GET /healthz HTTP/1.1\r\nHost: masthead.test\r\n"); // and never the blank line
    let started = Instant::now();
    assert!(
        conn.closed_by_server(),
        "a client trickling headers kept its connection for {PATIENCE:?}"
    );
    assert!(started.elapsed() < PATIENCE);
}

#[test]
fn an_idle_keep_alive_connection_closes() {
    let server = Server::start(&[("MASTHEAD_HEADER_TIMEOUT", "1")]);
    let mut conn = server.connect();
    conn.send(&get("/healthz"));
    assert_eq!(conn.response().0, 200);
    assert!(
        conn.closed_by_server(),
        "an idle kept-alive connection stayed open for {PATIENCE:?}"
    );
}

#[test]
fn a_request_whose_body_never_ends_gets_408_at_the_deadline() {
    let server = Server::start(&[("MASTHEAD_REQUEST_TIMEOUT", "1")]);
    let mut conn = server.connect();
    conn.send(&slow_login_post(&server.bin.addr, false));
    conn.send("email=a");
    let (status, head) = conn.response();
    assert_eq!(status, 408, "{head}");
}

#[test]
fn connections_past_the_cap_wait_until_one_closes() {
    let server = Server::start(&[
        ("MASTHEAD_MAX_CONNECTIONS", "2"),
        ("MASTHEAD_HEADER_TIMEOUT", "60"),
    ]);
    let mut first = server.connect();
    let mut second = server.connect();
    for conn in [&mut first, &mut second] {
        conn.send(&get("/healthz"));
        assert_eq!(conn.response().0, 200);
    }
    // Both stay open (keep-alive), so a third is not served...
    let mut third = server.connect();
    third.send(&get("/healthz"));
    third
        .stream
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let mut byte = [0; 1];
    let early = third.reader.read(&mut byte);
    assert!(
        matches!(&early, Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)),
        "a third connection was served past a cap of two: {early:?}"
    );
    // ...until one of the first two closes.
    drop(first);
    third.stream.set_read_timeout(Some(PATIENCE)).unwrap();
    assert_eq!(third.response().0, 200);
    // The second is still served.
    second.send(&get("/healthz"));
    assert_eq!(second.response().0, 200);
}

#[test]
fn shutdown_closes_a_slow_upload_after_the_deadline() {
    let server = Server::start(&[
        ("MASTHEAD_SHUTDOWN_TIMEOUT", "1"),
        ("MASTHEAD_REQUEST_TIMEOUT", "600"),
    ]);
    let mut conn = server.connect();
    conn.send(&slow_login_post(&server.bin.addr, true));
    // 100 Continue: the handler is reading the body, so the request is in flight.
    assert_eq!(conn.response().0, 100);
    conn.send("email=a");
    server.bin.terminate();
    let log = server
        .bin
        .wait_for_log("closing their connections", PATIENCE);
    assert!(log.contains("shutting down"), "{log}");
    let (took, clean) = server.bin.wait_exit(PATIENCE);
    assert!(clean, "masthead did not exit cleanly");
    assert!(took < PATIENCE);
    assert!(conn.closed_by_server());
}

#[test]
fn shutdown_lets_a_request_in_flight_finish_within_the_deadline() {
    let server = Server::start(&[("MASTHEAD_SHUTDOWN_TIMEOUT", "30")]);
    let mut conn = server.connect();
    conn.send(&slow_login_post(&server.bin.addr, true));
    assert_eq!(conn.response().0, 100);
    server.bin.terminate();
    server.bin.wait_for_log("shutting down", PATIENCE);
    let mut rest = "email=a".to_owned();
    rest.push_str(&"&x=1".repeat(1000));
    rest.truncate(1000);
    conn.send(&rest);
    let (status, head) = conn.response();
    // Its own answer (the address and password are wrong), not a cut-off or a timeout.
    assert_eq!(status, 401, "the in-flight request was cut off: {head}");
    let (took, clean) = server.bin.wait_exit(PATIENCE);
    assert!(clean);
    assert!(
        took < Duration::from_secs(10),
        "with nothing in flight, masthead should not wait out the deadline ({took:?})"
    );
}

#[test]
fn limits_out_of_range_are_refused_with_the_allowed_range() {
    let dir = tempfile::tempdir().unwrap();
    for (var, value, says) in [
        (
            "MASTHEAD_MAX_CONNECTIONS",
            "0",
            "max_connections must be a whole number from 1",
        ),
        (
            "MASTHEAD_SHUTDOWN_TIMEOUT",
            "0",
            "shutdown_timeout must be a whole number from 1",
        ),
        (
            "MASTHEAD_HEADER_TIMEOUT",
            "soon",
            "expected u64 for key \"HEADER_TIMEOUT\"",
        ),
    ] {
        let out = Command::new(BIN)
            .args(["serve", "--addr", "127.0.0.1:0", "--data-dir"])
            .arg(dir.path().join("data"))
            .env_remove("MASTHEAD_DATABASE_URL")
            .env(var, value)
            .output()
            .expect("run masthead");
        assert!(!out.status.success(), "{var}={value} was accepted");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(says), "{var}={value}: {stderr}");
    }
}
