//! Public page reads on SQLite straight from the calling thread, without sqlx's worker.
//!
//! sqlx runs each SQLite connection on a thread of its own and hands every query to it and
//! the rows back through channels: two thread wake-ups per query. For the article page's
//! one point lookup that hand-off cost more CPU than SQLite's own work (a quarter of the
//! page's CPU was the kernel waking threads, PERFORMANCE.md). The few reads behind every
//! public page (the article, the lists' keys, the teasers by id, the front) therefore run
//! here instead: on a connection of this module's own, on the thread that asks.
//!
//! The rules that keep that safe on an async runtime's thread:
//! - Only short reads come here: index lookups and bounded index scans, tens of
//!   microseconds from the OS's page cache. Nothing that writes, sorts a table or waits.
//! - A connection never waits for a lock: its busy timeout is zero. In WAL mode a reader
//!   is almost never refused; when it is (a checkpoint truncating the log, a crash
//!   recovery), or on any other driver error, the read answers `None` and the caller reads
//!   through the pool, which waits as every other read does and reports errors the usual
//!   way. Errors other than "busy" are logged.
//! - The connections are `query_only`: a bug that sent a write here fails, it cannot write.
//! - Idle connections are kept in a short list under a mutex held only to take or return
//!   one, never during a read; at most [`IDLE_KEPT`] are kept.
//!
//! A reader sees every transaction committed before its statement began, as a pool
//! connection does: an editor reads what they just saved.

use crate::columns::{DirectRow, StatementColumns};
use crate::{Result, Store};
use rusqlite::{Connection, ErrorCode, OpenFlags};
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// How many idle connections are kept for the next reads: more than the runtime's worker
/// threads, which are all that can read at once.
const IDLE_KEPT: usize = 8;

/// How many prepared statements each connection keeps (sqlx's own default).
const STATEMENTS_KEPT: usize = 100;

/// The names of the first parameters, as our SQL writes them (`$1`, `$2`, …).
const PARAMETER_NAMES: [&str; 8] = ["$1", "$2", "$3", "$4", "$5", "$6", "$7", "$8"];

/// A value bound to a statement's `$N`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Bind<'a> {
    Int(i64),
    Text(&'a str),
}

/// The SQLite database's file and the idle connections open on it.
#[derive(Debug)]
pub(crate) struct DirectReads {
    path: PathBuf,
    idle: Mutex<Vec<Reader>>,
    closed: AtomicBool,
    /// How many reads were answered here, and how many were passed on to the pool.
    answered: AtomicU64,
    passed_on: AtomicU64,
}

/// A direct connection, with the column names of the statements it has run.
#[derive(Debug)]
struct Reader {
    conn: Connection,
    columns: StatementColumns,
}

/// What the direct reads of a store have done since it opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirectReadCounts {
    /// Reads answered on a direct connection.
    pub answered: u64,
    /// Reads passed on to the pool: SQLite was busy, or the driver failed.
    pub passed_on: u64,
}

impl DirectReads {
    /// Direct reads of the database file at `path`, if it is a file that exists (an
    /// in-memory database is each connection's own, so it is read through the pool only).
    pub(crate) fn of_file(path: &str, url: &str) -> Option<Self> {
        if path.is_empty() || path.starts_with(':') || url.contains("mode=memory") {
            return None;
        }
        let path = PathBuf::from(path);
        path.is_file().then(|| Self {
            path,
            idle: Mutex::new(Vec::new()),
            closed: AtomicBool::new(false),
            answered: AtomicU64::new(0),
            passed_on: AtomicU64::new(0),
        })
    }

    /// The first row `sql` gives with `binds` as `$1`, `$2`, …, passed to `map`: `Some(None)`
    /// when there is no row, and `None` when SQLite could not answer at once (see the
    /// module's notes), so the caller reads through the pool instead.
    pub(crate) fn first_row<T>(
        &self,
        sql: &str,
        binds: &[Bind<'_>],
        map: impl FnOnce(&DirectRow<'_>) -> T,
    ) -> Option<Option<T>> {
        if self.closed.load(Ordering::Acquire) {
            return None;
        }
        let found = self.try_first_row(sql, binds, map);
        let counter = match found {
            Some(_) => &self.answered,
            None => &self.passed_on,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    fn try_first_row<T>(
        &self,
        sql: &str,
        binds: &[Bind<'_>],
        map: impl FnOnce(&DirectRow<'_>) -> T,
    ) -> Option<Option<T>> {
        let mut reader = match self.take() {
            Ok(reader) => reader,
            Err(e) => {
                tracing::warn!(error = %e, path = %self.path.display(),
                    "cannot open a direct read connection; reading through the pool");
                return None;
            }
        };
        match first_row(&mut reader, sql, binds, map) {
            Ok(found) => {
                self.give_back(reader);
                Some(found)
            }
            Err(e) => {
                let busy = matches!(
                    e.sqlite_error_code(),
                    Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
                );
                if !busy {
                    tracing::warn!(error = %e, "direct SQLite read failed; reading through the pool");
                }
                // The connection is dropped: the next read opens a fresh one.
                None
            }
        }
    }

    /// Closes the idle connections; from now on every read goes through the pool (which
    /// is closed too, so they fail as they did before).
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.lock().clear();
    }

    fn take(&self) -> rusqlite::Result<Reader> {
        match self.lock().pop() {
            Some(reader) => Ok(reader),
            None => Ok(Reader {
                conn: self.open()?,
                columns: StatementColumns::default(),
            }),
        }
    }

    fn give_back(&self, reader: Reader) {
        let mut idle = self.lock();
        if idle.len() < IDLE_KEPT && !self.closed.load(Ordering::Acquire) {
            idle.push(reader);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Reader>> {
        // A panic while the list was held cannot leave it inconsistent: take it anyway.
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A connection to the existing file (never creating one), read-only by pragma, that
    /// never waits for a lock.
    fn open(&self) -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.execute_batch("PRAGMA query_only = ON; PRAGMA busy_timeout = 0;")?;
        // A list's SQL differs by filter, window and offset: keep as many as sqlx does.
        conn.set_prepared_statement_cache_capacity(STATEMENTS_KEPT);
        Ok(conn)
    }
}

impl Store {
    /// What this store's direct reads have done, if it has them (SQLite in a file).
    pub fn direct_read_counts(&self) -> Option<DirectReadCounts> {
        let direct = self.direct.as_ref()?;
        Some(DirectReadCounts {
            answered: direct.answered.load(Ordering::Relaxed),
            passed_on: direct.passed_on.load(Ordering::Relaxed),
        })
    }

    /// The first row of `sql` with `binds`, decoded by `map`, through a direct read: `None`
    /// when this store has none (PostgreSQL, an in-memory database) or SQLite could not
    /// answer at once, and then the caller reads through the pool.
    pub(crate) fn direct_row<T>(
        &self,
        sql: &str,
        binds: &[Bind<'_>],
        map: impl FnOnce(&DirectRow<'_>) -> Result<T>,
    ) -> Option<Result<Option<T>>> {
        let found = self.direct.as_ref()?.first_row(sql, binds, map)?;
        Some(found.transpose())
    }
}

fn first_row<T>(
    reader: &mut Reader,
    sql: &str,
    binds: &[Bind<'_>],
    map: impl FnOnce(&DirectRow<'_>) -> T,
) -> rusqlite::Result<Option<T>> {
    let mut statement = reader.conn.prepare_cached(sql)?;
    let names = reader.columns.of(sql, &statement);
    for (i, bind) in binds.iter().enumerate() {
        let named;
        let name = match PARAMETER_NAMES.get(i) {
            Some(name) => *name,
            None => {
                named = format!("${}", i + 1);
                &named
            }
        };
        // A value the statement does not name has nowhere to go.
        let Some(index) = statement.parameter_index(name)? else {
            continue;
        };
        match *bind {
            Bind::Int(value) => statement.raw_bind_parameter(index, value)?,
            Bind::Text(value) => statement.raw_bind_parameter(index, value)?,
        }
    }
    let mut rows = statement.raw_query();
    Ok(rows.next()?.map(|row| map(&DirectRow::new(row, names))))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    fn read(reads: &DirectReads, sql: &str) -> Option<Option<String>> {
        reads.first_row(sql, &[Bind::Text("a")], |row| {
            crate::columns::first_text(row).unwrap()
        })
    }

    /// While another connection holds the database locked, a direct read does not wait on
    /// the thread that asked: it answers `None` at once (the store then reads through its
    /// pool, which waits). So does a read the driver fails. Once the lock is let go, reads
    /// are direct again.
    #[test]
    fn a_locked_database_or_a_failed_read_is_passed_on_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("site.db");
        let setup = Connection::open(&path).unwrap();
        setup
            .execute_batch(
                "PRAGMA journal_mode = WAL; CREATE TABLE t (x TEXT); INSERT INTO t VALUES ('a');",
            )
            .unwrap();
        drop(setup);
        let path = path.to_str().unwrap();
        let reads = DirectReads::of_file(path, &format!("sqlite://{path}")).unwrap();
        let sql = "SELECT x FROM t WHERE x = $1";

        // Exclusive locking mode keeps the lock its write takes until the connection closes;
        // the first connection to a WAL database can take it.
        let locker = Connection::open(path).unwrap();
        locker
            .execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN IMMEDIATE; INSERT INTO t VALUES ('b'); COMMIT;")
            .unwrap();
        let started = Instant::now();
        assert_eq!(read(&reads, sql), None);
        assert!(
            started.elapsed() < Duration::from_millis(500),
            "{:?}",
            started.elapsed()
        );
        drop(locker);

        assert_eq!(read(&reads, sql), Some(Some("a".to_owned())));
        assert_eq!(
            read(&reads, "SELECT x FROM t WHERE x = $1 AND 0"),
            Some(None)
        );
        assert_eq!(read(&reads, "SELECT no_such_column FROM t"), None);
        assert_eq!(
            (
                reads.answered.load(Ordering::Relaxed),
                reads.passed_on.load(Ordering::Relaxed)
            ),
            (2, 2)
        );

        reads.close();
        assert_eq!(
            read(&reads, sql),
            None,
            "a closed store reads nothing directly"
        );
    }
}
