//! A real headless Chromium for end-to-end tests, driven over WebDriver with fantoccini.
//!
//! Each [`Browser`] owns its own `chromedriver` (on a free loopback port) and its own
//! Chromium with a fresh profile in a temporary directory, so tests can run in parallel.
//! The browser and driver come from Debian (`chromium`, `chromium-driver`); `scripts/test.sh`
//! installs them. A missing browser fails the test, never skips it.
//!
//! Cleanup: [`Browser::close`] ends the session and stops the driver; dropping a `Browser`
//! (also when a test panics) does the same synchronously. Either way any Chromium process
//! still using this browser's profile is killed last, so nothing outlives the test.

use fantoccini::elements::Element;
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::{ExitStatus, Stdio};
use std::time::{Duration, Instant};
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{Child, Command};

/// How long the helpers wait for an element or a page before failing the test.
const WAIT: Duration = Duration::from_secs(10);

/// How long `chromedriver` may take to answer `/status` with `ready`. Generous because
/// tests start it while cargo is still compiling other test binaries on a busy machine.
const DRIVER_START: Duration = Duration::from_secs(20);

/// Between two polls of a condition (driver readiness, current path).
const POLL: Duration = Duration::from_millis(25);

const INSTALL_HINT: &str =
    "install Debian's chromium and chromium-driver (scripts/test.sh does it)";

/// The flags every test browser starts with. The networking ones matter: without them
/// Chromium keeps calling Google's hosts, which a closed network refuses many at a time.
const CHROMIUM_ARGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
];

/// A headless Chromium session. Use [`Browser::client`] for the full fantoccini API and the
/// helpers for the common steps of a form-driven test; the helpers panic with the selector
/// and the current address when a step fails.
pub struct Browser {
    client: Client,
    session_id: String,
    driver: Child,
    port: u16,
    /// Holds the profile, the driver's log and Chromium's config/cache dirs.
    dir: TempDir,
    closed: bool,
}

impl Browser {
    /// Starts `chromedriver` and a fresh headless Chromium.
    ///
    /// Paths: `MASTHEAD_TEST_CHROMEDRIVER` (default `/usr/bin/chromedriver`) and
    /// `MASTHEAD_TEST_CHROMIUM` (default `/usr/bin/chromium`).
    pub async fn start() -> Self {
        let driver_bin = env_path("MASTHEAD_TEST_CHROMEDRIVER", "/usr/bin/chromedriver");
        let chromium = env_path("MASTHEAD_TEST_CHROMIUM", "/usr/bin/chromium");
        if !chromium.is_file() {
            panic!("no Chromium at {}: {INSTALL_HINT}", chromium.display());
        }
        let dir = tempfile::tempdir().expect("temporary directory for the browser");
        let profile = dir.path().join("profile");
        // The port is free when we look but could be taken before chromedriver binds it
        // (another test, another process). chromedriver then exits, so try again; a
        // foreign driver that answered in the meantime is caught below.
        for _ in 0..3 {
            let port = free_port();
            let mut driver = spawn_driver(&driver_bin, port, dir.path());
            if let Err(exit) = wait_ready(&mut driver, port, &driver_bin, dir.path()).await {
                eprintln!("chromedriver on port {port} exited ({exit}); trying another port");
                continue;
            }
            let client = connect(port, &chromium, &profile, dir.path()).await;
            if driver.try_wait().ok().flatten().is_some() {
                // Our driver lost the port: the session we just made is someone else's.
                let _ = client.close().await;
                continue;
            }
            let session_id = client
                .session_id()
                .await
                .ok()
                .flatten()
                .expect("a WebDriver session id");
            return Browser {
                client,
                session_id,
                driver,
                port,
                dir,
                closed: false,
            };
        }
        panic!(
            "chromedriver ({}) exited before it was ready, 3 times (ports taken, or a broken \
             install: {INSTALL_HINT}). Its log: {}",
            driver_bin.display(),
            log_tail(dir.path())
        );
    }

    /// The fantoccini client, for anything the helpers don't cover.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Signs `email` in (with [`crate::PASSWORD`]) through the desk's login form on
    /// `server`, and waits for the dashboard.
    pub async fn log_in(&self, server: &crate::TestServer, email: &str) {
        self.goto(&server.url("/admin/login")).await;
        self.fill("#email", email).await;
        self.fill("#password", crate::PASSWORD).await;
        self.submit("form[action='/admin/login']").await;
        self.wait_for_path("/admin").await;
    }

    /// Opens `url` and waits for the page to load.
    pub async fn goto(&self, url: &str) {
        if let Err(e) = self.client.goto(url).await {
            panic!("goto {url}: {e}");
        }
    }

    /// Waits (at most 10 s) for an element matching `css` and returns it.
    pub async fn wait_for(&self, css: &str) -> Element {
        match self
            .client
            .wait()
            .at_most(WAIT)
            .every(POLL)
            .for_element(Locator::Css(css))
            .await
        {
            Ok(element) => element,
            Err(e) => panic!(
                "no element matches {css:?} within {WAIT:?} on {}: {e}",
                self.current_url().await
            ),
        }
    }

    /// Clears the field matching `css`, then types `text` into it.
    pub async fn fill(&self, css: &str, text: &str) {
        let field = self.wait_for(css).await;
        if let Err(e) = field.clear().await {
            panic!("clear {css:?}: {e}");
        }
        if let Err(e) = field.send_keys(text).await {
            panic!("type into {css:?}: {e}");
        }
    }

    /// Clicks the element matching `css`.
    pub async fn click(&self, css: &str) {
        if let Err(e) = self.wait_for(css).await.click().await {
            panic!("click {css:?} on {}: {e}", self.current_url().await);
        }
    }

    /// Submits the form matching `form_css` by clicking its submit button, as a person would
    /// (so the button's own `name`/`value` and `formaction` count).
    pub async fn submit(&self, form_css: &str) {
        let form = self.wait_for(form_css).await;
        let button = form
            .find(Locator::Css(
                "button:not([type]), button[type=submit], input[type=submit]",
            ))
            .await
            .unwrap_or_else(|e| panic!("form {form_css:?} has no submit button: {e}"));
        if let Err(e) = button.click().await {
            panic!("submit {form_css:?}: {e}");
        }
    }

    /// The rendered text of the element matching `css`.
    pub async fn text(&self, css: &str) -> String {
        let element = self.wait_for(css).await;
        element
            .text()
            .await
            .unwrap_or_else(|e| panic!("text of {css:?}: {e}"))
    }

    /// The path of the current page, e.g. `/stories/budget`.
    pub async fn current_path(&self) -> String {
        match self.client.current_url().await {
            Ok(url) => url.path().to_owned(),
            Err(e) => panic!("current URL: {e}"),
        }
    }

    /// Waits (at most 10 s) until the current page's path is `path`: after a click or a
    /// submit, before reading the next page.
    pub async fn wait_for_path(&self, path: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            let now = self.current_path().await;
            if now == path {
                return;
            }
            if Instant::now() > deadline {
                panic!("still on {now} after {WAIT:?}, waiting for {path}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits (at most 10 s) until the current page's path is no longer `from` (a submit that
    /// redirects) and returns the new path.
    pub async fn wait_for_path_change(&self, from: &str) -> String {
        let deadline = Instant::now() + WAIT;
        loop {
            let now = self.current_path().await;
            if now != from {
                return now;
            }
            if Instant::now() > deadline {
                panic!(
                    "still on {from} after {WAIT:?}: {}",
                    self.text("main").await
                );
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Waits (at most 10 s) until an element matching `css` contains `needle` and returns its
    /// text. Tolerates the page being replaced meanwhile (a submit still loading).
    pub async fn wait_for_text(&self, css: &str, needle: &str) -> String {
        let deadline = Instant::now() + WAIT;
        let mut last = String::new();
        loop {
            if let Ok(element) = self.client.find(Locator::Css(css)).await
                && let Ok(text) = element.text().await
            {
                if text.contains(needle) {
                    return text;
                }
                last = text;
            }
            if Instant::now() > deadline {
                panic!("{css:?} never said {needle:?} within {WAIT:?}; last: {last:?}");
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Runs axe-core (the accessibility engine browsers' audits use) on the current page
    /// and returns its violations of impact "serious" or "critical" under WCAG 2.1 A and AA,
    /// one line each: rule, help text, and the elements. The script comes from
    /// `MASTHEAD_TEST_AXE` (`axe.min.js`, which `scripts/test.sh` fetches from npm); without
    /// it the test fails. WebDriver runs it in the page, not as a page script, so the
    /// page's Content-Security-Policy does not apply to it.
    pub async fn accessibility_violations(&self) -> Vec<String> {
        let path = std::env::var_os("MASTHEAD_TEST_AXE").unwrap_or_else(|| {
            panic!("MASTHEAD_TEST_AXE is not set: run the tests through scripts/test.sh, which fetches axe-core")
        });
        let source = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading axe-core at {}: {e}", Path::new(&path).display()));
        let loaded = format!("{source}\n;return typeof window.axe === 'object';");
        match self.client.execute(&loaded, vec![]).await {
            Ok(serde_json::Value::Bool(true)) => {}
            other => panic!(
                "axe-core did not load on {}: {other:?}",
                self.current_url().await
            ),
        }
        let run = r"
            const done = arguments[arguments.length - 1];
            axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
              .then(r => done(r.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => v.impact + ' ' + v.id + ': ' + v.help + ' at ' +
                  v.nodes.map(n => n.target.join(' ')).join(', '))))
              .catch(e => done(['axe failed: ' + e]));
        ";
        match self.client.execute_async(run, vec![]).await {
            Ok(serde_json::Value::Array(items)) => items
                .into_iter()
                .map(|v| v.as_str().unwrap_or_default().to_owned())
                .collect(),
            other => panic!(
                "running axe-core on {}: {other:?}",
                self.current_url().await
            ),
        }
    }

    /// Ends the session and stops the driver, reporting failures. Dropping a `Browser` does
    /// the same without reporting; call this at the end of a test to see shutdown errors.
    pub async fn close(mut self) {
        self.closed = true;
        if let Err(e) = self.client.clone().close().await {
            panic!("closing the browser session: {e}");
        }
        if let Err(e) = self.driver.kill().await {
            panic!("stopping chromedriver: {e}");
        }
        // Drop runs next: it finds the driver gone and sweeps for leftover Chromium.
    }

    async fn current_url(&self) -> String {
        match self.client.current_url().await {
            Ok(url) => url.to_string(),
            Err(e) => format!("(unknown page: {e})"),
        }
    }
}

impl Drop for Browser {
    /// Synchronous, so it also runs on panic and needs no runtime: ask chromedriver to end
    /// the session (it quits Chromium and waits for it), kill the driver, then kill any
    /// Chromium process still on this profile. Killing only the driver would leave
    /// Chromium running: chromedriver does not take it down when it dies.
    fn drop(&mut self) {
        if !self.closed {
            let path = format!("/session/{}", self.session_id);
            if let Err(e) = http_blocking(self.port, "DELETE", &path) {
                eprintln!("browser: ending WebDriver session failed ({e}); killing Chromium");
            }
        }
        let _ = self.driver.start_kill();
        kill_chromium_using(&self.dir.path().join("profile"));
    }
}

fn env_path(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var).map_or_else(|| PathBuf::from(default), PathBuf::from)
}

fn free_port() -> u16 {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

fn spawn_driver(bin: &Path, port: u16, dir: &Path) -> Child {
    Command::new(bin)
        .arg(format!("--port={port}"))
        .arg("--allowed-ips=127.0.0.1")
        .arg(format!(
            "--log-path={}",
            dir.join("chromedriver.log").display()
        ))
        // Chromium inherits these: its crash database and caches stay in the temp dir.
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {}: {e}; {INSTALL_HINT}", bin.display()))
}

/// Polls the driver's `/status` until it says ready. `Err` when the driver exited (the port
/// was taken); panics when it neither exits nor gets ready in time.
async fn wait_ready(
    driver: &mut Child,
    port: u16,
    bin: &Path,
    dir: &Path,
) -> Result<(), ExitStatus> {
    let deadline = Instant::now() + DRIVER_START;
    loop {
        if let Ok(Some(exit)) = driver.try_wait() {
            return Err(exit);
        }
        if status_ready(port).await {
            return Ok(());
        }
        if Instant::now() > deadline {
            panic!(
                "chromedriver ({}) was not ready on 127.0.0.1:{port} after {DRIVER_START:?}; \
                 {INSTALL_HINT}. Its log: {}",
                bin.display(),
                log_tail(dir)
            );
        }
        tokio::time::sleep(POLL).await;
    }
}

async fn status_ready(port: u16) -> bool {
    let ask = async {
        let mut stream = tokio::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port)).await?;
        stream.write_all(&request("GET", "/status", port)).await?;
        let mut buf = Vec::new();
        loop {
            if let Some(body) = response_body(&buf) {
                return Ok::<_, std::io::Error>(body.to_vec());
            }
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            buf.extend_from_slice(&chunk[..n]);
        }
    };
    match tokio::time::timeout(Duration::from_secs(2), ask).await {
        Ok(Ok(body)) => serde_json::from_slice::<serde_json::Value>(&body)
            .is_ok_and(|v| v["value"]["ready"] == json!(true)),
        _ => false,
    }
}

async fn connect(port: u16, chromium: &Path, profile: &Path, dir: &Path) -> Client {
    let mut args: Vec<String> = CHROMIUM_ARGS.iter().map(|a| a.to_string()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    let mut caps = Capabilities::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({ "binary": chromium.to_string_lossy(), "args": args }),
    );
    ClientBuilder::rustls()
        .expect("a TLS setup for the WebDriver client")
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .unwrap_or_else(|e| {
            panic!(
                "Chromium ({}) did not start under chromedriver: {e}; {INSTALL_HINT}. \
                 chromedriver's log: {}",
                chromium.display(),
                log_tail(dir)
            )
        })
}

/// One HTTP/1.1 request to chromedriver on loopback, blocking, with short timeouts.
/// chromedriver says `Connection: close` but keeps the socket open, so read by length.
fn http_blocking(port: u16, method: &str, path: &str) -> std::io::Result<()> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = std::net::TcpStream::connect_timeout(&addr, Duration::from_secs(2))?;
    stream.set_read_timeout(Some(Duration::from_secs(15)))?;
    stream.write_all(&request(method, path, port))?;
    let mut buf = Vec::new();
    while response_body(&buf).is_none() {
        let mut chunk = [0u8; 4096];
        let n = stream.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    Ok(())
}

fn request(method: &str, path: &str, port: u16) -> Vec<u8> {
    format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\n\
         Connection: close\r\n\r\n"
    )
    .into_bytes()
}

/// The body of a complete response in `buf` (framed by `Content-Length`), or `None` while
/// more is to come.
fn response_body(buf: &[u8]) -> Option<&[u8]> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let head = std::str::from_utf8(&buf[..end]).ok()?;
    let length = head
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, value)| value.trim().parse::<usize>().ok())
        .unwrap_or(0);
    buf.get(end..end + length)
}

/// Kills every process whose command line names `profile` as its user data dir: the
/// Chromium of one `Browser`, should it have outlived its session.
fn kill_chromium_using(profile: &Path) {
    let flag = format!("--user-data-dir={}", profile.display());
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return;
    };
    for entry in procs.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<i32>().ok())
        else {
            continue;
        };
        let Ok(cmdline) = std::fs::read(entry.path().join("cmdline")) else {
            continue;
        };
        if cmdline.split(|&b| b == 0).any(|arg| arg == flag.as_bytes())
            && let Some(pid) = rustix::process::Pid::from_raw(pid)
        {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
        }
    }
}

fn log_tail(dir: &Path) -> String {
    let log = std::fs::read_to_string(dir.join("chromedriver.log")).unwrap_or_default();
    let lines: Vec<&str> = log.lines().collect();
    let tail = lines[lines.len().saturating_sub(20)..].join("\n");
    if tail.is_empty() {
        "(empty)".into()
    } else {
        format!("\n{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::response_body;

    #[test]
    fn responses_are_framed_by_content_length() {
        let full = b"HTTP/1.1 200 OK\r\nContent-Length:4\r\nConnection:close\r\n\r\nbody";
        assert_eq!(response_body(full), Some(&b"body"[..]));
        assert_eq!(response_body(&full[..full.len() - 1]), None);
        assert_eq!(response_body(b"HTTP/1.1 200 OK\r\nContent-"), None);
        assert_eq!(
            response_body(b"HTTP/1.1 204 No Content\r\n\r\n"),
            Some(&b""[..])
        );
    }
}
