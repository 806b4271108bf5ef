//! The real `masthead` binary, started on port 0 and spoken to over real TCP: for smoke,
//! limit and crash tests. The test passes the binary's path (`env!("CARGO_BIN_EXE_masthead")`,
//! which only the binary's own tests know).
//!
//! Start-up waits for the "listening" line the binary prints, never on a sleep.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A running `masthead serve`; killed (SIGKILL) when dropped unless stopped first.
pub struct RunningBinary {
    child: Option<Child>,
    /// Where it listens, `127.0.0.1:PORT`.
    pub addr: String,
    stderr: mpsc::Receiver<String>,
    /// What it printed after the "listening" line.
    stdout: mpsc::Receiver<String>,
}

/// One HTTP response, read whole.
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    /// The header block, as sent.
    pub head: String,
    /// The body as text (invalid UTF-8 replaced).
    pub body: String,
    /// The body's exact bytes (for images).
    pub bytes: Vec<u8>,
}

impl RawResponse {
    /// The value of header `name` (any case), when it was sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

impl RunningBinary {
    /// Runs `BIN serve --addr 127.0.0.1:0 ARGS…` with `envs` (and no inherited database or
    /// data directory settings) and waits up to a minute for it to say it is listening.
    pub fn start(bin: &str, args: &[&str], envs: &[(&str, &str)]) -> Self {
        let mut all = vec!["serve", "--addr", "127.0.0.1:0"];
        all.extend_from_slice(args);
        Self::launch(bin, &all, envs, "masthead: listening on http://")
    }

    /// Runs `BIN serve ARGS…` with its addresses from the configuration and HTTPS on, and
    /// waits up to a minute for it to say it listens for HTTPS; [`Self::addr`] is that
    /// address.
    pub fn start_https(bin: &str, args: &[&str], envs: &[(&str, &str)]) -> Self {
        let mut all = vec!["serve"];
        all.extend_from_slice(args);
        Self::launch(bin, &all, envs, "masthead: listening on https://")
    }

    fn launch(bin: &str, args: &[&str], envs: &[(&str, &str)], ready: &str) -> Self {
        let mut cmd = Command::new(bin);
        cmd.args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .env_remove("MASTHEAD_DATABASE_URL")
            .env_remove("MASTHEAD_DATA_DIR")
            .env("MASTHEAD_LOG", "info");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("start masthead");
        let stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let stderr = BufReader::new(child.stderr.take().expect("stderr"));
        let (etx, erx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                let _ = etx.send(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(60);
        let addr = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = rx.recv_timeout(left).unwrap_or_else(|_| {
                let err: Vec<String> = erx.try_iter().collect();
                panic!("masthead did not report listening; stderr: {err:#?}")
            });
            if let Some(rest) = line.strip_prefix(ready) {
                break rest
                    .split_whitespace()
                    .next()
                    .unwrap_or_else(|| panic!("unexpected line {line:?}"))
                    .to_owned();
            }
            assert!(
                line.starts_with("masthead: listening on"),
                "unexpected line {line:?}"
            );
        };
        Self {
            child: Some(child),
            addr,
            stderr: erx,
            stdout: rx,
        }
    }

    /// Waits up to `patience` for a line it printed after "listening" that starts with
    /// `prefix`; returns the rest of that line.
    pub fn wait_for_output(&self, prefix: &str, patience: Duration) -> String {
        let deadline = Instant::now() + patience;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.stdout.recv_timeout(left) {
                Ok(line) => {
                    if let Some(rest) = line.strip_prefix(prefix) {
                        return rest.to_owned();
                    }
                }
                Err(_) => break,
            }
        }
        panic!("masthead printed no line starting {prefix:?} within {patience:?}")
    }

    /// A GET: the status and body.
    pub fn get(&self, path: &str) -> (u16, String) {
        let r = self
            .request("GET", path, &[], b"")
            .unwrap_or_else(|e| panic!("GET {path}: {e}"));
        (r.status, r.body)
    }

    /// One request on its own connection (`Connection: close`); `Err` when the server is
    /// gone or the connection breaks.
    /// Creates a story through the API with `token` (an editor's) in `section` and
    /// publishes it; returns the published story's JSON and when the publish was answered.
    pub fn publish_story(
        &self,
        token: &str,
        section: i64,
        title: &str,
    ) -> (serde_json::Value, std::time::Instant) {
        let auth = format!("Bearer {token}");
        let headers = [
            ("Authorization", auth.as_str()),
            ("Content-Type", "application/json"),
        ];
        let body = serde_json::json!({
            "title": title, "section": section,
            "body_md": format!("{title}, in a paragraph of its own."),
        });
        let created = self
            .request(
                "POST",
                "/api/v1/articles",
                &headers,
                body.to_string().as_bytes(),
            )
            .expect("create the story");
        assert_eq!(created.status, 201, "{}", created.body);
        let created: serde_json::Value =
            serde_json::from_str(&created.body).expect("the API answers JSON");
        let id = created["id"].as_i64().expect("an id");
        let version = serde_json::json!({ "version": created["version"] });
        let published = self
            .request(
                "POST",
                &format!("/api/v1/articles/{id}/publish"),
                &headers,
                version.to_string().as_bytes(),
            )
            .expect("publish the story");
        let at = std::time::Instant::now();
        assert_eq!(published.status, 200, "{}", published.body);
        let published = serde_json::from_str(&published.body).expect("the API answers JSON");
        (published, at)
    }

    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> std::io::Result<RawResponse> {
        http(&self.addr, method, path, headers, body)
    }

    /// The process id, for signals.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Kills the process at once (SIGKILL), as a power cut or the OOM killer would.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.kill().expect("SIGKILL");
            child.wait().expect("wait");
        }
    }

    /// Sends SIGTERM, asserts a clean exit, and returns everything it logged.
    pub fn stop(mut self) -> String {
        let mut child = self.child.take().expect("running");
        let pid = rustix::process::Pid::from_raw(child.id() as i32).expect("pid");
        rustix::process::kill_process(pid, rustix::process::Signal::TERM).expect("SIGTERM");
        let exit = child.wait().expect("wait");
        assert!(
            exit.success(),
            "masthead exited with {exit:?} after SIGTERM"
        );
        let mut log = String::new();
        while let Ok(line) = self.stderr.recv_timeout(Duration::from_secs(5)) {
            log.push_str(&line);
            log.push('\n');
        }
        log
    }

    /// What it has logged so far (standard error).
    pub fn log_so_far(&self) -> String {
        self.stderr.try_iter().collect::<Vec<_>>().join("\n")
    }

    /// Sends SIGTERM and returns at once.
    pub fn terminate(&self) {
        let pid = rustix::process::Pid::from_raw(self.pid() as i32).expect("running");
        rustix::process::kill_process(pid, rustix::process::Signal::TERM).expect("SIGTERM");
    }

    /// Waits up to `patience` for a log line containing `text`, returning everything read
    /// until then; panics with the log when none comes.
    pub fn wait_for_log(&self, text: &str, patience: Duration) -> String {
        let mut log = String::new();
        let deadline = Instant::now() + patience;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.stderr.recv_timeout(left) {
                Ok(line) => {
                    log.push_str(&line);
                    log.push('\n');
                    if line.contains(text) {
                        return log;
                    }
                }
                Err(_) => break,
            }
        }
        panic!("no log line with {text:?} within {patience:?}; log:\n{log}")
    }

    /// Waits up to `patience` for the process to exit (killing it and panicking after);
    /// returns how long that took and whether it exited cleanly.
    pub fn wait_exit(mut self, patience: Duration) -> (Duration, bool) {
        let started = Instant::now();
        let mut child = self.child.take().expect("running");
        let pid = child.id();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let _ = tx.send(child.wait().map(|s| s.success()).unwrap_or(false));
        });
        match rx.recv_timeout(patience) {
            Ok(clean) => (started.elapsed(), clean),
            Err(_) => {
                if let Some(pid) = rustix::process::Pid::from_raw(pid as i32) {
                    let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
                }
                panic!("masthead was still running {patience:?} after SIGTERM")
            }
        }
    }
}

impl Drop for RunningBinary {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A minimal HTTP/1.1 exchange over a real socket.
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<RawResponse> {
    let mut stream = TcpStream::connect(addr)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no whole response"))?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status line in {head:?}")))?;
    let mut bytes = raw[split + 4..].to_vec();
    let chunked = head.lines().any(|line| {
        let line = line.to_ascii_lowercase();
        line.starts_with("transfer-encoding:") && line.contains("chunked")
    });
    if chunked {
        // A streamed body (a sitemap) comes in chunks: join them.
        bytes = dechunk(&bytes)?;
    }
    Ok(RawResponse {
        status,
        head,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
    })
}

/// Uploads `bytes` as an image named `file_name` with `alt` through the API of the server
/// at `addr` (`POST /api/v1/media` with `token`); the answer is JSON (the image's `url`).
/// Takes the address, not a [`RunningBinary`], so threads can upload at once.
pub fn upload_image(
    addr: &str,
    token: &str,
    file_name: &str,
    bytes: &[u8],
    alt: &str,
) -> RawResponse {
    let (content_type, body) = crate::multipart_body(&[
        ("file", Some(file_name), bytes),
        ("alt", None, alt.as_bytes()),
    ]);
    let auth = format!("Bearer {token}");
    http(
        addr,
        "POST",
        "/api/v1/media",
        &[("Authorization", &auth), ("Content-Type", &content_type)],
        &body,
    )
    .expect("an answer to the upload")
}

/// The data of a `Transfer-Encoding: chunked` body (RFC 9112, section 7.1).
fn dechunk(mut body: &[u8]) -> std::io::Result<Vec<u8>> {
    let bad = || std::io::Error::other("a malformed chunked body");
    let mut data = Vec::new();
    loop {
        let line_end = body.windows(2).position(|w| w == b"\r\n").ok_or_else(bad)?;
        let size = std::str::from_utf8(&body[..line_end]).map_err(|_| bad())?;
        let size = size.split(';').next().unwrap_or("").trim();
        let size = usize::from_str_radix(size, 16).map_err(|_| bad())?;
        body = &body[line_end + 2..];
        if size == 0 {
            return Ok(data);
        }
        if body.len() < size + 2 {
            return Err(bad());
        }
        data.extend_from_slice(&body[..size]);
        body = &body[size + 2..];
    }
}

/// Runs a one-shot `BIN ARGS` (not `serve`) in `cwd` with none of the masthead settings of
/// the test's own environment, feeding `stdin` when given (else no input, which is not a
/// terminal), and returns its exit status and output.
pub fn run_command(bin: &str, args: &[&str], cwd: &Path, stdin: Option<&str>) -> Output {
    run_command_with(bin, args, cwd, stdin, &[])
}

/// As [`run_command`], with `env` set for the command (after the test's own masthead
/// settings are taken out).
pub fn run_command_with(
    bin: &str,
    args: &[&str],
    cwd: &Path,
    stdin: Option<&str>,
    env: &[(String, String)],
) -> Output {
    let mut cmd = Command::new(bin);
    cmd.args(args)
        .current_dir(cwd)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for var in [
        "MASTHEAD_CONFIG",
        "MASTHEAD_DATABASE_URL",
        "MASTHEAD_DATA_DIR",
        "MASTHEAD_BASE_URL",
        "MASTHEAD_SITE_NAME",
    ] {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().map(|(k, v)| (k, v)));
    let mut child = cmd.spawn().expect("start masthead");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(input.as_bytes())
            .expect("write stdin");
    }
    child.wait_with_output().expect("wait for masthead")
}
