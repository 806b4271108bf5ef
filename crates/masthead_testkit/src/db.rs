//! A fresh database per test: a temporary SQLite file, or a new PostgreSQL database created
//! on the server named by `MASTHEAD_TEST_POSTGRES_URL`.

use masthead_core::Clock;
use masthead_store::Store;
use sqlx::Connection;
use std::sync::atomic::{AtomicU32, Ordering};
use tempfile::TempDir;

/// A test database, removed when dropped: the SQLite file with its temporary directory, the
/// PostgreSQL database with `DROP DATABASE … WITH (FORCE)` (which also ends connections a
/// test left open).
pub struct TestDb {
    pub store: Store,
    /// The database URL, for starting the real binary on the same database.
    pub url: String,
    /// Holds the temporary directory (SQLite file, media files) alive.
    pub dir: TempDir,
}

impl TestDb {
    /// A fresh SQLite database in a temporary directory.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let url = format!("sqlite://{}", dir.path().join("test.db").display());
        let store = Store::connect(&url)
            .await
            .expect("open SQLite test database");
        Self { store, url, dir }
    }

    /// A fresh PostgreSQL database. Panics with instructions when no server is configured.
    pub async fn postgres() -> Self {
        let url = empty_postgres_database().await;
        let store = Store::connect(&url)
            .await
            .expect("open PostgreSQL test database");
        Self {
            store,
            url,
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if !self.url.starts_with("postgres") {
            return;
        }
        let (Ok(admin_url), Some((_, name))) = (
            std::env::var("MASTHEAD_TEST_POSTGRES_URL"),
            self.url.rsplit_once('/'),
        ) else {
            return;
        };
        let name = name.to_owned();
        // Drop runs inside the test's runtime, which cannot be blocked on: use a thread with
        // a small runtime of its own.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime
                .block_on(async {
                    let mut admin = sqlx::PgConnection::connect(&admin_url).await?;
                    sqlx::query(sqlx::AssertSqlSafe(format!(
                        "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                    )))
                    .execute(&mut admin)
                    .await?;
                    admin.close().await?;
                    Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
                })
                .map_err(std::io::Error::other)
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop the test database {}: {dropped:?}", self.url);
        }
    }
}

/// Another client holding a lock on the test database, as a long transaction or a
/// maintenance job would: on SQLite the write lock (`BEGIN IMMEDIATE`), on PostgreSQL
/// `LOCK TABLE <table> IN <mode> MODE`. Released by [`HeldLock::release`] (or on drop,
/// when the connection closes).
pub struct HeldLock {
    conn: sqlx::AnyConnection,
}

impl TestDb {
    /// Takes the lock described on [`HeldLock`] in a connection of its own. `pg_lock` is the
    /// PostgreSQL statement, e.g. `LOCK TABLE articles IN ACCESS EXCLUSIVE MODE`; SQLite
    /// has one lock for the whole database and ignores it.
    pub async fn hold_lock(&self, pg_lock: &str) -> HeldLock {
        let mut conn = sqlx::AnyConnection::connect(&self.url)
            .await
            .expect("second connection to the test database");
        if self.url.starts_with("sqlite:") {
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut conn)
                .await
                .expect("take the SQLite write lock");
        } else {
            sqlx::query("BEGIN")
                .execute(&mut conn)
                .await
                .expect("begin");
            sqlx::query(sqlx::AssertSqlSafe(pg_lock.to_owned()))
                .execute(&mut conn)
                .await
                .expect("take the PostgreSQL lock");
        }
        HeldLock { conn }
    }

    /// Runs `sql` on a connection of its own: how a test leaves rows as an older version of
    /// masthead (before a rule existed) might have left them, which the desk would now
    /// refuse to write.
    pub async fn execute_legacy_sql(&self, sql: &str) {
        let mut conn = sqlx::AnyConnection::connect(&self.url)
            .await
            .expect("second connection to the test database");
        sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut conn)
            .await
            .expect("legacy SQL");
        conn.close().await.expect("close");
    }
}

impl HeldLock {
    /// Ends the transaction, releasing the lock.
    pub async fn release(mut self) {
        sqlx::query("ROLLBACK")
            .execute(&mut self.conn)
            .await
            .expect("release the lock");
        self.conn.close().await.expect("close");
    }
}

/// The URL of a new, empty PostgreSQL database (no migrations applied) on the server named
/// by `MASTHEAD_TEST_POSTGRES_URL`, e.g. for restoring a backup into. Panics with
/// instructions when no server is configured.
pub async fn empty_postgres_database() -> String {
    let admin_url = std::env::var("MASTHEAD_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!(
            "MASTHEAD_TEST_POSTGRES_URL is not set. Run the suite with scripts/test.sh, which starts a \
             throwaway PostgreSQL server, or point the variable at a server where this user may create databases."
        )
    });
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let name = format!(
        "mh_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        masthead_core::SystemClock.now().timestamp_micros() % 1_000_000
    );
    let mut admin = sqlx::PgConnection::connect(&admin_url)
        .await
        .unwrap_or_else(|e| panic!("cannot reach the test PostgreSQL server at {admin_url}: {e}"));
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .expect("create test database");
    admin.close().await.ok();
    let (base, _) = admin_url
        .rsplit_once('/')
        .expect("database URL with a database name");
    format!("{base}/{name}")
}
