//! The database handle: an sqlx `AnyPool` over SQLite or PostgreSQL, chosen from the URL.
//!
//! SQLite connections are set up for durability and concurrency on every connect: WAL
//! journal, `synchronous=FULL` (an acknowledged write survives power loss), a busy timeout
//! so writers queue instead of failing, and foreign keys on. PostgreSQL sessions use generic
//! plans for prepared statements (see `connect`) and carry deadlines: a statement that
//! waits [`PG_LOCK_TIMEOUT`] for a lock, or runs [`PG_STATEMENT_TIMEOUT`] in all, is
//! cancelled and answers `StoreError::Busy` (a 503), so a held table lock cannot pile
//! requests up until the pool is exhausted.
//!
//! Every transaction that writes starts with [`Store::write_tx`]. On SQLite, writes run on
//! a pool of their own with one connection: writers queue for it in the order they came,
//! holding no connection while they wait, for up to the acquire timeout (then `Busy`, a 503
//! with `Retry-After`). Left to SQLite's busy handler, each waiting writer held one of the
//! four read connections while it polled for the lock with growing sleeps, so under 20
//! writers the readers and the writers queued behind them and some gave up after 5 s. The
//! transaction is `BEGIN IMMEDIATE`, which takes the write lock up front (another process,
//! such as a backup or the command line, may hold it; then the busy timeout applies). A
//! plain (deferred) `BEGIN` reads first and upgrades to a writer at its first write; if
//! another writer committed in between, SQLite cannot wait (the snapshot is stale) and
//! fails at once with `database is locked` (`SQLITE_BUSY_SNAPSHOT`, 517), which under 20
//! concurrent writers failed 40% of the story creates. Single write statements outside a
//! transaction run on the writer pool too. `clippy.toml` forbids `Pool::begin`.

use crate::tokens::TokenTouches;
use crate::{Result, StoreError, integrity, migrate};
use sqlx::any::AnyPoolOptions;
use sqlx::{Any, AnyPool, Connection, Executor, Transaction};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Which database server is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The embedded database, in a file under the data directory.
    Sqlite,
    /// A PostgreSQL server, for several app servers sharing one database.
    Postgres,
}

/// The shared database handle. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    /// Where writes run: on SQLite a pool of one connection, so writers wait their turn in
    /// order (the pool's queue is first come, first served) holding nothing, instead of
    /// each holding a reader's connection while SQLite's busy handler polls for the lock;
    /// on PostgreSQL the same pool as reads.
    pub(crate) writer: AnyPool,
    backend: Backend,
    /// Which tokens' `last_used_at` this process is writing (see `tokens.rs`).
    pub(crate) token_touches: Arc<TokenTouches>,
    /// When a commit last failed for lack of space, until one succeeds (see `health.rs`).
    pub(crate) full_since: Arc<std::sync::Mutex<Option<std::time::Instant>>>,
    /// The SQLite page cap set by [`Store::limit_sqlite_size`] (0: never set).
    size_limit: Arc<AtomicU64>,
    /// The PostgreSQL read replicas public reads may use (see `replicas.rs`); `None`
    /// without any, and on a store that reads from a replica itself.
    pub(crate) replicas: Option<Arc<crate::replicas::Replicas>>,
    /// How many write transactions this process has committed (shared by every clone):
    /// a reader compares it with the count at the last poll to know whether a write of its
    /// own may be missing from a replica (see `replicas.rs`).
    pub(crate) commits: Arc<AtomicU64>,
    /// On SQLite, the public pages' few reads without sqlx's worker thread (`direct.rs`).
    pub(crate) direct: Option<Arc<crate::direct::DirectReads>>,
    /// On PostgreSQL, the connections kept between the public pages' reads (`kept.rs`),
    /// for `pool`.
    pub(crate) kept: Option<Arc<crate::kept::KeptConnections>>,
}

/// SQLite's own default for `max_page_count`: no cap below the format's limit.
const SQLITE_NO_PAGE_CAP: u64 = 4_294_967_294;

/// How long a request waits for a database connection before giving up with a 503.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// A PostgreSQL connection idle at least this long is pinged before it is handed out (one
/// that comes back sooner was pinged as it came back).
pub const PING_AFTER_IDLE: Duration = Duration::from_secs(1);
/// How long an SQLite writer waits for another writer before failing.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;
/// How long a PostgreSQL statement waits for a lock before it is cancelled (503).
pub const PG_LOCK_TIMEOUT: Duration = Duration::from_secs(3);
/// How long a PostgreSQL statement may run in all before it is cancelled (503). Request
/// queries take milliseconds; this bounds the ones that meet trouble.
pub const PG_STATEMENT_TIMEOUT: Duration = Duration::from_secs(15);

/// The session settings that put deadlines on PostgreSQL statements.
fn pg_deadlines(lock: Duration, statement: Duration) -> String {
    format!(
        "SET lock_timeout = {}; SET statement_timeout = {}",
        lock.as_millis(),
        statement.as_millis()
    )
}

impl Store {
    /// Connects to `url` (`sqlite://path` or `postgres://…`), creating an SQLite file if
    /// missing, and applies the migrations. Errors name the URL with its password hidden.
    pub async fn connect(url: &str) -> Result<Self> {
        let store = Self::connect_unmigrated(url).await?;
        migrate::run(&store).await.map_err(|e| match &e {
            StoreError::Migrate(
                sqlx::migrate::MigrateError::Execute(source)
                | sqlx::migrate::MigrateError::ExecuteMigration(source, _),
            ) => integrity::damaged(source, &sqlite_path(url)).unwrap_or(e),
            _ => e,
        })?;
        if store.backend == Backend::Sqlite {
            store.clear_sqlite_stat4().await?;
        }
        Ok(store)
    }

    /// Connects like [`Store::connect`] but applies no migration: for reading where the
    /// schema stands (`masthead migrate --dry-run`, `masthead init`'s check of a database).
    pub async fn connect_unmigrated(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = backend_of(url)?;
        let url = match backend {
            // `mode=rwc` creates the file on first run.
            Backend::Sqlite if !url.contains('?') => format!("{url}?mode=rwc"),
            _ => url.to_owned(),
        };
        let max = match backend {
            // A small pool is fastest for SQLite: reads run in parallel under WAL, writes queue.
            Backend::Sqlite => 4,
            Backend::Postgres => 16,
        };
        let size_limit = Arc::new(AtomicU64::new(0));
        if backend == Backend::Sqlite {
            integrity::probe_sqlite(&url, &sqlite_path(&url)).await?;
        }
        let open_error = |e: sqlx::Error| {
            if let Some(damaged) = integrity::damaged(&e, &sqlite_path(&url)) {
                return damaged;
            }
            StoreError::Config(format!(
                "cannot open the database at {}: {e}. {}",
                redact_url(&url),
                match backend {
                    Backend::Sqlite => "Check that the data directory exists and is writable.",
                    Backend::Postgres => {
                        "Check that the server is running, the host, port, user, password \
                         and database name are right, and that it accepts connections from here."
                    }
                }
            ))
        };
        let pool = pool_options(backend, max, &size_limit)
            .connect(&url)
            .await
            .map_err(open_error)?;
        let writer = match backend {
            Backend::Sqlite => pool_options(backend, 1, &size_limit)
                .connect(&url)
                .await
                .map_err(open_error)?,
            Backend::Postgres => pool.clone(),
        };
        let direct = match backend {
            Backend::Sqlite => crate::direct::DirectReads::of_file(&sqlite_path(&url), &url),
            Backend::Postgres => None,
        };
        Ok(Self {
            pool,
            writer,
            backend,
            token_touches: Arc::default(),
            full_since: Arc::default(),
            size_limit,
            replicas: None,
            commits: Arc::default(),
            direct: direct.map(Arc::new),
            kept: (backend == Backend::Postgres).then(Arc::default),
        })
    }

    /// This store with its reads from `pool` (a read replica's) and its writes still on
    /// this store's writer (see `replicas.rs`).
    pub(crate) fn reading_from(&self, pool: AnyPool) -> Self {
        Self {
            pool,
            replicas: None,
            direct: None,
            kept: Some(Arc::default()),
            ..self.clone()
        }
    }

    /// This store without direct reads: every read through the pool, so a test can hold
    /// the two ways of reading to the same answers.
    #[doc(hidden)]
    pub fn through_pool_only(&self) -> Self {
        Self {
            direct: None,
            ..self.clone()
        }
    }

    /// Which backend this store talks to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Starts a transaction that writes. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), waiting for another writer up to the busy timeout; on PostgreSQL
    /// it is a plain `BEGIN` (row locks and the deadlines handle concurrency there). Use it
    /// for every transaction that may write; a read-only transaction has no need of one.
    pub async fn write_tx(&self) -> Result<Transaction<'static, Any>> {
        match self.backend {
            Backend::Sqlite => {
                self.writer
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err(|e| match e {
                        // Waiting for the one writer's connection is waiting for the write lock.
                        sqlx::Error::PoolTimedOut => StoreError::Busy(e),
                        e => e.into(),
                    })
            }
            // On the writer: a store reading from a replica writes to the primary still.
            #[allow(clippy::disallowed_methods)] // this is the helper the rule points to
            Backend::Postgres => Ok(self.writer.begin().await?),
        }
    }

    /// Commits a transaction from [`Store::write_tx`], remembering for the health check
    /// whether it failed for lack of space (on a real disk that shows at commit, when
    /// SQLite writes the log) or went through.
    pub(crate) async fn commit(&self, tx: Transaction<'static, Any>) -> Result<()> {
        let done = tx.commit().await.map_err(StoreError::from);
        self.note_commit(&done);
        done
    }

    /// Caps an SQLite database at `max_pages` pages (`None` lifts the cap), so a write that
    /// needs more space fails with `SQLITE_FULL` exactly as on a full disk. For fault drills
    /// and tests; a no-op on PostgreSQL. The cap applies to every connection from its next
    /// use.
    pub fn limit_sqlite_size(&self, max_pages: Option<u64>) {
        if self.backend == Backend::Sqlite {
            let pages = max_pages.unwrap_or(SQLITE_NO_PAGE_CAP).max(1);
            self.size_limit.store(pages, Ordering::Release);
        }
    }

    /// How many pages the SQLite database file has (0 on PostgreSQL); with
    /// [`Store::limit_sqlite_size`], lets a drill leave a known amount of room.
    pub async fn sqlite_page_count(&self) -> Result<u64> {
        if self.backend != Backend::Sqlite {
            return Ok(0);
        }
        let (pages,): (i64,) = sqlx::query_as("PRAGMA page_count")
            .fetch_one(&self.pool)
            .await?;
        Ok(u64::try_from(pages).unwrap_or(0))
    }

    /// Closes every connection, waiting for those in use to be returned. On SQLite it first
    /// copies the write-ahead log into the database file and empties it, so a cleanly
    /// stopped site leaves a database file that holds everything: SQLite does that itself
    /// only when the last connection closes alone, and the pool's connections close
    /// together.
    pub async fn close(&self) {
        if let Some(direct) = &self.direct {
            direct.close();
        }
        if let Some(kept) = &self.kept {
            kept.close();
        }
        self.pool.close().await;
        if self.backend == Backend::Sqlite {
            // Best effort: a checkpoint that cannot finish leaves the log for the next start.
            let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.writer)
                .await;
        }
        self.writer.close().await;
    }

    /// Checks that the database answers a trivial query.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Empties `sqlite_stat4` if `ANALYZE` ever filled it. With STAT4 data, SQLite re-plans a
    /// cached prepared statement each time a parameter compared with an indexed column
    /// changes, which doubled the cost of the article query in our measurements.
    async fn clear_sqlite_stat4(&self) -> Result<()> {
        let exists: Option<(String,)> =
            sqlx::query_as("SELECT name FROM sqlite_schema WHERE name = 'sqlite_stat4'")
                .fetch_optional(&self.pool)
                .await?;
        if exists.is_some() {
            sqlx::query("DELETE FROM sqlite_stat4")
                .execute(&self.pool)
                .await?;
            sqlx::query("ANALYZE sqlite_schema")
                .execute(&self.pool)
                .await?;
        }
        Ok(())
    }
}

/// [`pool_options`] for a read replica: connections opened when first needed (a replica
/// that is down at start must not stop the site), and a short wait for one, so a replica
/// that stops answering costs a request [`crate::replicas::REPLICA_TIMEOUT`], not the
/// primary's five seconds.
pub(crate) fn replica_pool(url: &str) -> Result<AnyPool> {
    let size_limit = Arc::new(AtomicU64::new(0));
    pool_options(Backend::Postgres, 16, &size_limit)
        .min_connections(0)
        .acquire_timeout(crate::replicas::REPLICA_TIMEOUT)
        .connect_lazy(url)
        .map_err(|e| {
            StoreError::Config(format!(
                "database_read_url {} is not a usable PostgreSQL URL: {e}",
                redact_url(url)
            ))
        })
}

/// The pool settings for `backend`: `max` connections, each set up on connect (see
/// `Store::connect`) and checked before it is handed out.
fn pool_options(backend: Backend, max: u32, size_limit: &Arc<AtomicU64>) -> AnyPoolOptions {
    let (limit_on_connect, limit_on_acquire) = (size_limit.clone(), size_limit.clone());
    AnyPoolOptions::new()
            .max_connections(max)
            .min_connections(1)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            // sqlx pings every connection it takes back (`Sync`, one round trip), so one
            // handed out again soon after was alive a moment ago; only one left idle for
            // longer is pinged before it is handed out (below). Pinging each one, sqlx's
            // default, was a third round trip per query to PostgreSQL. A local file cannot
            // drop a connection as a network server can: SQLite's are never pinged.
            .test_before_acquire(false)
            .before_acquire(move |conn, meta| {
                let pages = limit_on_acquire.load(Ordering::Acquire);
                Box::pin(async move {
                    // An error closes this connection; the pool takes or opens another.
                    if backend == Backend::Postgres && meta.idle_for >= PING_AFTER_IDLE {
                        conn.ping().await?;
                    }
                    // A connection handed out must not think it is inside a transaction.
                    // When SQLite rolls a transaction back by itself (it does on
                    // `SQLITE_FULL`), sqlx's own `ROLLBACK` then fails and it keeps counting
                    // the transaction as open: its next `begin` would be a `SAVEPOINT`
                    // that opens a transaction nobody ever commits, holding the write lock
                    // so every other writer got `database is locked` until a restart.
                    // Such a connection is closed and replaced instead.
                    if conn.is_in_transaction() {
                        return Ok(false);
                    }
                    if pages != 0 {
                        conn.execute(sqlx::AssertSqlSafe(format!(
                            "PRAGMA max_page_count = {pages}"
                        )))
                        .await?;
                    }
                    Ok(true)
                })
            })
            .after_connect(move |conn, _meta| {
                let pages = limit_on_connect.load(Ordering::Acquire);
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => {
                            conn.execute(sqlx::AssertSqlSafe(format!(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; PRAGMA foreign_keys = ON;"
                            )))
                            .await?;
                            if pages != 0 {
                                conn.execute(sqlx::AssertSqlSafe(format!(
                                    "PRAGMA max_page_count = {pages}"
                                )))
                                .await?;
                            }
                        }
                        Backend::Postgres => {
                            // Our queries have one good plan whatever the parameters (index
                            // order plus LIMIT). Left to choose, PostgreSQL re-plans each
                            // execution, which cost more than running the query (about 0.3 ms
                            // of planning against 0.2 ms of execution for the front page).
                            conn.execute("SET plan_cache_mode = force_generic_plan").await?;
                            conn.execute(sqlx::AssertSqlSafe(pg_deadlines(
                                PG_LOCK_TIMEOUT,
                                PG_STATEMENT_TIMEOUT,
                            )))
                            .await?;
                        }
                    }
                    Ok(())
                })
            })
}

pub(crate) fn backend_of(url: &str) -> Result<Backend> {
    if url.starts_with("sqlite:") {
        Ok(Backend::Sqlite)
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Backend::Postgres)
    } else {
        Err(StoreError::Config(format!(
            "unsupported database URL {}: use sqlite://PATH for the embedded database or \
             postgres://USER:PASSWORD@HOST:PORT/DB for PostgreSQL",
            redact_url(url)
        )))
    }
}

/// The file an `sqlite://` URL names (without its query), for messages; empty otherwise.
fn sqlite_path(url: &str) -> String {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(|rest| rest.split('?').next().unwrap_or(rest).to_owned())
        .unwrap_or_default()
}

/// The URL with any password replaced by `***`, for messages and logs.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    match authority.rsplit_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split_once(':').map_or(userinfo, |(u, _)| u);
            let hidden = if userinfo.contains(':') { ":***" } else { "" };
            format!("{scheme}://{user}{hidden}@{host}{tail}")
        }
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_url_hides_only_the_password() {
        assert_eq!(
            redact_url("postgres://ed:s3cret@db:5432/news"),
            "postgres://ed:***@db:5432/news"
        );
        assert_eq!(redact_url("postgres://ed@db/news"), "postgres://ed@db/news");
        assert_eq!(
            redact_url("sqlite://data/masthead.db"),
            "sqlite://data/masthead.db"
        );
        assert_eq!(redact_url("postgres://a:b@c@h/d"), "postgres://a:***@h/d");
    }

    #[test]
    fn unknown_schemes_are_refused_with_the_accepted_forms() {
        let err = backend_of("mysql://root:pw@h/db")
            .map(|_| ())
            .err()
            .map(|e| e.to_string());
        let msg = err.unwrap_or_default();
        assert!(
            msg.contains("mysql://root:***@h/db") && msg.contains("sqlite://"),
            "{msg}"
        );
    }
}
