//! A real streaming replica of the test PostgreSQL server (`MASTHEAD_TEST_POSTGRES_URL`):
//! `pg_basebackup -R` into a temporary directory, started with Debian's binaries on another
//! loopback port, the way `scripts/test.sh` finds and runs the primary. For the read-replica
//! tests: pause its replay (a lagging replica), stop it (one that goes away), start it again.
//!
//! The primary needs replication access from loopback (initdb's default `pg_hba.conf` with
//! `--auth=trust` grants it) and `wal_level = replica` (the default). When the tests run as
//! root, the server runs as the `postgres` user, as `scripts/test.sh` runs the primary.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};
use tempfile::TempDir;

/// A running hot-standby replica; stopped (immediate mode) and removed when dropped.
pub struct StreamingReplica {
    dir: TempDir,
    bin: PathBuf,
    /// The replica's port on 127.0.0.1.
    pub port: u16,
    /// `max_connections` of the primary: a hot standby must allow at least as many.
    max_connections: String,
    /// The replication slot on the primary that keeps the WAL this replica still needs
    /// (other tests' backups force checkpoints that would otherwise recycle it).
    slot: String,
    primary_port: String,
}

impl StreamingReplica {
    /// Copies the test server with `pg_basebackup -R` and starts the copy as a replica that
    /// streams from it. Panics with what to fix when something is missing.
    pub async fn start() -> Self {
        let admin = primary_url();
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
            .await
            .expect("the test PostgreSQL server");
        let (max_connections,): (String,) = sqlx::query_as("SHOW max_connections")
            .fetch_one(&mut conn)
            .await
            .expect("max_connections");
        let (host_port, _) = split_url(&admin);
        let (_, primary_port) = host_port.rsplit_once(':').expect("a port in the URL");
        let bin = pg_bin();
        let dir = tempfile::tempdir().expect("temporary directory");
        if is_root() {
            run(Command::new("chown").arg("postgres:").arg(dir.path()));
        }
        let data = dir.path().join("data");
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let slot = format!(
            "mh_replica_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        // One backup at a time: each forces a checkpoint, which could recycle WAL another
        // backup running beside it still has to stream.
        static BACKUPS: std::sync::Mutex<()> = std::sync::Mutex::new(());
        {
            let _one = BACKUPS.lock().unwrap_or_else(|e| e.into_inner());
            run(as_pg(&bin.join("pg_basebackup"))
                .args(["-h", "127.0.0.1", "-p", primary_port, "-U", "postgres"])
                .arg("-D")
                .arg(&data)
                .args(["-R", "-X", "stream", "-c", "fast", "-C", "-S", &slot]));
        }
        let replica = Self {
            dir,
            bin,
            port: free_port(),
            max_connections,
            slot,
            primary_port: primary_port.to_owned(),
        };
        replica.start_again();
        replica
    }

    /// Starts the stopped replica (it resumes streaming and replaying where it was).
    pub fn start_again(&self) {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -c unix_socket_directories={} \
             -c max_connections={} -c hot_standby=on -c fsync=off",
            self.port,
            self.dir.path().display(),
            self.max_connections
        );
        let log = self.dir.path().join("log");
        let started = as_pg(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.data())
            .arg("-l")
            .arg(&log)
            .args(["-w", "-t", "60", "-o", &options, "start"])
            .output()
            .expect("run pg_ctl");
        assert!(
            started.status.success(),
            "the replica did not start: {}\n{}",
            String::from_utf8_lossy(&started.stderr),
            std::fs::read_to_string(&log).unwrap_or_default()
        );
    }

    /// Stops the replica (`pg_ctl -m fast`): its connections are cut and new ones refused,
    /// as when its host goes away. Not `-m immediate`: a standby stopped that way after it
    /// replayed a truncation can fail to start again ("WAL contains references to invalid
    /// pages"), which made the test that starts it again fail now and then.
    pub fn stop(&self) {
        run(as_pg(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.data())
            .args(["-m", "fast", "stop"]));
    }

    /// The replica's URL for the database the primary URL `url` names.
    pub fn url_for(&self, url: &str) -> String {
        let (host_port, database) = split_url(url);
        let (host, _) = host_port.rsplit_once(':').expect("a port in the URL");
        let scheme = url.split_once("://").map_or("postgres", |(s, _)| s);
        let user = url
            .split_once("://")
            .and_then(|(_, rest)| rest.split_once('@'))
            .map_or(String::new(), |(user, _)| format!("{user}@"));
        let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
        format!("{scheme}://{user}{host}:{}/{database}", self.port)
    }

    /// Stops replaying WAL: the replica keeps answering, from an older state.
    pub async fn pause_replay(&self) {
        self.admin("SELECT pg_wal_replay_pause()::text").await;
        // Pausing takes effect at the next record; wait until it says so.
        let deadline = Instant::now() + Duration::from_secs(10);
        while self
            .admin("SELECT pg_get_wal_replay_pause_state()")
            .await
            .as_deref()
            != Some("paused")
        {
            assert!(Instant::now() < deadline, "replay did not pause");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Replays WAL again.
    pub async fn resume_replay(&self) {
        self.admin("SELECT pg_wal_replay_resume()::text").await;
    }

    /// Waits until the replica has replayed everything the primary has written so far.
    pub async fn catch_up(&self) {
        let mut primary = <sqlx::PgConnection as sqlx::Connection>::connect(&primary_url())
            .await
            .expect("the test PostgreSQL server");
        // A record of its own: the primary's current position may sit just past a page
        // header that no record ends at while nothing else is written.
        let (target,): (String,) = sqlx::query_as(
            "SELECT pg_logical_emit_message(false, 'masthead-test', 'catch up')::text",
        )
        .fetch_one(&mut primary)
        .await
        .expect("a WAL record on the primary");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let caught_up = self
                .admin(&format!(
                    "SELECT (pg_last_wal_replay_lsn() > '{target}'::pg_lsn)::text"
                ))
                .await;
            if caught_up.as_deref() == Some("true") {
                return;
            }
            assert!(Instant::now() < deadline, "the replica did not catch up");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `site_state.content_version` of the database `url` names, on the primary and on the
    /// replica.
    pub async fn content_versions(&self, url: &str) -> (i64, i64) {
        let read = |url: String| async move {
            let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
                .await
                .expect("connect");
            let (v,): (i64,) =
                sqlx::query_as("SELECT content_version FROM site_state WHERE id = 1")
                    .fetch_one(&mut conn)
                    .await
                    .expect("the content version");
            v
        };
        (read(url.to_owned()).await, read(self.url_for(url)).await)
    }

    /// Runs a one-value query on the replica's `postgres` database.
    async fn admin(&self, sql: &str) -> Option<String> {
        let url = format!("postgres://postgres@127.0.0.1:{}/postgres", self.port);
        let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&url)
            .await
            .expect("connect to the replica");
        sqlx::query_scalar::<_, Option<String>>(sqlx::AssertSqlSafe(sql.to_owned()))
            .fetch_one(&mut conn)
            .await
            .expect("a query on the replica")
    }

    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }
}

impl Drop for StreamingReplica {
    fn drop(&mut self) {
        let _ = as_pg(&self.bin.join("pg_ctl"))
            .arg("-D")
            .arg(self.data())
            .args(["-m", "immediate", "stop"])
            .output();
        // The slot would keep WAL on the primary for ever.
        let _ = Command::new(self.bin.join("psql"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.primary_port,
                "-U",
                "postgres",
                "-qc",
            ])
            .arg(format!("SELECT pg_drop_replication_slot('{}')", self.slot))
            .arg("postgres")
            .output();
    }
}

fn primary_url() -> String {
    std::env::var("MASTHEAD_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!(
            "MASTHEAD_TEST_POSTGRES_URL is not set. Run the suite with scripts/test.sh, which \
             starts a throwaway PostgreSQL server the replica tests copy"
        )
    })
}

/// `host:port` (with any user) and the database name of a `postgres://` URL.
fn split_url(url: &str) -> (&str, &str) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let (authority, database) = rest.split_once('/').expect("a database name in the URL");
    (authority, database.split('?').next().unwrap_or(database))
}

/// The newest PostgreSQL's binaries, as `scripts/test.sh` finds them.
fn pg_bin() -> PathBuf {
    let mut found: Vec<(Vec<u32>, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e
                .file_name()
                .to_string_lossy()
                .split('.')
                .map(str::parse)
                .collect::<Result<Vec<u32>, _>>()
                .ok()?;
            let bin = e.path().join("bin");
            bin.join("pg_basebackup").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin).unwrap_or_else(|| {
        panic!(
            "no PostgreSQL binaries under /usr/lib/postgresql/*/bin: install Debian's postgresql \
             package (scripts/test.sh does)"
        )
    })
}

fn is_root() -> bool {
    rustix::process::getuid().is_root()
}

/// `program`, run as the `postgres` user when we are root (PostgreSQL refuses root).
fn as_pg(program: &Path) -> Command {
    if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(program);
        cmd
    } else {
        Command::new(program)
    }
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port()
}
