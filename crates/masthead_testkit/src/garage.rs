//! A real S3-compatible object store for tests: one Garage node on loopback, in a temporary
//! directory, with its own ports, key and buckets. No mock: the media tests talk S3 to it
//! over TCP exactly as they would to Amazon S3, MinIO or R2.
//!
//! The binary is `MASTHEAD_TEST_GARAGE` when set, else the pinned one `scripts/test.sh`
//! installs under `~/.cache/masthead-tools/garage-GARAGE_VERSION/bin/garage`, else `garage`
//! on `PATH`. A missing binary fails the test (never skips): run `scripts/test.sh`.
//!
//! [`Garage::stop`] kills the node and [`Garage::start_again`] brings it back on the same
//! ports with the same data, so tests can take the store away from a running site.

use crate::wait_until;
use masthead_media::{S3Limits, S3Settings};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The Garage version `scripts/test.sh` installs.
pub const GARAGE_VERSION: &str = "2.5.0";

/// The secret the node's CLI and server share. Any will do: each node is on loopback for
/// one test, on ports of its own.
const RPC_SECRET: &str = "6d617374686561642d746573742d676172616765000000000000000000000000";

/// The region the node signs for (`s3_region`).
pub const GARAGE_REGION: &str = "garage";

/// A running single-node Garage; killed when dropped.
pub struct Garage {
    child: Option<Child>,
    dir: tempfile::TempDir,
    bin: PathBuf,
    /// The S3 API's address, `http://127.0.0.1:PORT`.
    pub endpoint: String,
    /// An access key allowed to read and write every bucket made with [`Garage::bucket`].
    pub key_id: String,
    /// Its secret.
    pub secret: String,
}

/// The Garage binary tests use; see the module documentation.
pub fn garage_binary() -> PathBuf {
    if let Some(bin) = std::env::var_os("MASTHEAD_TEST_GARAGE") {
        return PathBuf::from(bin);
    }
    if let Some(home) = std::env::var_os("HOME") {
        let cached = Path::new(&home)
            .join(".cache/masthead-tools")
            .join(format!("garage-{GARAGE_VERSION}"))
            .join("bin/garage");
        if cached.is_file() {
            return cached;
        }
    }
    let on_path = std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join("garage"))
        .find(|p| p.is_file());
    on_path.unwrap_or_else(|| {
        panic!(
            "Garage {GARAGE_VERSION} is needed for the object-storage tests and was not found \
             (MASTHEAD_TEST_GARAGE, ~/.cache/masthead-tools/garage-{GARAGE_VERSION}/bin/garage, \
             PATH): run the tests through scripts/test.sh, which installs it"
        )
    })
}

/// A port free on loopback now (the OS picks it; the listener is closed at once).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}

impl Garage {
    /// Starts a node in a fresh directory, gives it a layout, and makes an access key.
    pub fn start() -> Garage {
        let bin = garage_binary();
        let dir = tempfile::tempdir().expect("temp dir");
        let (s3, rpc) = (free_port(), free_port());
        let config = format!(
            r#"metadata_dir = "{dir}/meta"
data_dir = "{dir}/data"
db_engine = "sqlite"
replication_factor = 1
rpc_bind_addr = "127.0.0.1:{rpc}"
rpc_public_addr = "127.0.0.1:{rpc}"
rpc_secret = "{RPC_SECRET}"

[s3_api]
s3_region = "{GARAGE_REGION}"
api_bind_addr = "127.0.0.1:{s3}"
root_domain = ".s3.garage.localhost"
"#,
            dir = dir.path().display(),
        );
        std::fs::write(dir.path().join("garage.toml"), config).expect("write garage.toml");
        let mut garage = Garage {
            child: None,
            dir,
            bin,
            endpoint: format!("http://127.0.0.1:{s3}"),
            key_id: String::new(),
            secret: String::new(),
        };
        garage.start_again();
        let node = garage.cli_ok(&["node", "id", "-q"]);
        let node = node.trim().split('@').next().unwrap_or_default().to_owned();
        garage.cli_ok(&["layout", "assign", "-z", "dc1", "-c", "1G", &node]);
        garage.cli_ok(&["layout", "apply", "--version", "1"]);
        let key = garage.cli_ok(&["json-api", "CreateKey", r#"{"name":"masthead-test"}"#]);
        let key: serde_json::Value = serde_json::from_str(&key).expect("CreateKey JSON");
        garage.key_id = key["accessKeyId"].as_str().expect("key id").to_owned();
        garage.secret = key["secretAccessKey"].as_str().expect("secret").to_owned();
        garage
    }

    /// [`Garage::start`] with bucket `name` made, from async code: the node starts on a
    /// blocking thread, so the test's runtime is not held up meanwhile.
    pub async fn with_bucket(name: &str) -> Garage {
        let name = name.to_owned();
        tokio::task::spawn_blocking(move || {
            let garage = Garage::start();
            garage.bucket(&name);
            garage
        })
        .await
        .expect("starting Garage")
    }

    /// Creates bucket `name`, readable and writable with [`Self::key_id`].
    pub fn bucket(&self, name: &str) {
        self.cli_ok(&["bucket", "create", name]);
        self.cli_ok(&[
            "bucket",
            "allow",
            "--read",
            "--write",
            "--owner",
            name,
            "--key",
            &self.key_id,
        ]);
    }

    /// The settings of an [`S3Storage`](masthead_media::S3Storage) on `bucket/prefix` of
    /// this node, with the default time limits.
    pub fn s3_settings(&self, bucket: &str, prefix: &str) -> S3Settings {
        S3Settings {
            bucket: bucket.into(),
            prefix: prefix.into(),
            endpoint: self.endpoint.clone(),
            region: GARAGE_REGION.into(),
            access_key_id: self.key_id.clone(),
            secret_access_key: self.secret.clone(),
            limits: S3Limits::default(),
        }
    }

    /// The environment that points `masthead` at `bucket/prefix` on this node.
    pub fn media_env(&self, bucket: &str, prefix: &str) -> Vec<(String, String)> {
        [
            ("MASTHEAD_MEDIA_URL", format!("s3://{bucket}/{prefix}")),
            ("MASTHEAD_MEDIA_S3_ENDPOINT", self.endpoint.clone()),
            ("MASTHEAD_MEDIA_S3_REGION", GARAGE_REGION.to_owned()),
            ("MASTHEAD_MEDIA_S3_ACCESS_KEY_ID", self.key_id.clone()),
            ("MASTHEAD_MEDIA_S3_SECRET_ACCESS_KEY", self.secret.clone()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    /// Kills the node (as a crash or a network cut would look to its clients).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the node (again) on its ports and data, and waits until its S3 API answers.
    pub fn start_again(&mut self) {
        assert!(self.child.is_none(), "Garage is already running");
        let mut child = Command::new(&self.bin)
            .arg("-c")
            .arg(self.config())
            .arg("server")
            .env("RUST_LOG", "garage=info,garage_api_common=info")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.bin.display()));
        let stderr = BufReader::new(child.stderr.take().expect("stderr"));
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut log = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(line) => {
                    let ready = line.contains("S3 API server listening");
                    log.push(line);
                    if ready {
                        break;
                    }
                }
                Err(_) => panic!(
                    "Garage did not start its S3 API; its log:\n{}",
                    log.join("\n")
                ),
            }
        }
        // Keep draining its log so the pipe never fills and blocks it.
        std::thread::spawn(move || while rx.recv().is_ok() {});
        // The RPC side (which the CLI uses) is up before the S3 API; wait until it answers.
        wait_until(Duration::from_secs(60), || self.cli(&["status"]).0)
            .expect("Garage's CLI got no answer within a minute");
    }

    fn config(&self) -> PathBuf {
        self.dir.path().join("garage.toml")
    }

    /// Runs `garage -c CONFIG ARGS` once.
    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::new(&self.bin)
            .arg("-c")
            .arg(self.config())
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.bin.display()))
    }

    /// Runs `garage -c CONFIG ARGS`: whether it succeeded, and its output.
    pub fn cli(&self, args: &[&str]) -> (bool, String) {
        let out = self.run(args);
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }

    /// [`Self::cli`], retried for up to a minute while the node settles (a fresh layout
    /// takes a moment to apply); returns standard output.
    fn cli_ok(&self, args: &[&str]) -> String {
        let mut last = None;
        let done = wait_until(Duration::from_secs(60), || {
            let out = self.run(args);
            let ok = out.status.success();
            last = Some(out);
            ok
        });
        let out = last.expect("the command ran at least once");
        assert!(
            done.is_some(),
            "garage {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

impl Drop for Garage {
    fn drop(&mut self) {
        self.stop();
    }
}
