//! PostgreSQL connections kept between the public pages' reads, past sqlx's ping.
//!
//! sqlx tests every connection that goes back into its pool with a ping (a `Sync` and the
//! server's `ReadyForQuery`), from a task it spawns for that: one more round trip and one
//! more task after every statement, paid by both the app and the database server. The few
//! reads behind every public page (the article, the front, the lists, the teasers by id;
//! the same ones `direct.rs` serves on SQLite) therefore lease a connection from here
//! instead, and hand it back here when their statement is done.
//!
//! The rules that keep that as safe as the ping:
//! - A connection comes back here only through [`Lease::finished`], called after its
//!   statement returned without an error: the whole answer was read and the server is
//!   waiting for the next statement. A lease dropped any other way (an error, a reader
//!   who went away half-way through) drops its connection into sqlx's pool, which pings it
//!   and closes it if it is not clean.
//! - At most [`KEPT`] are kept. A connection kept longer than [`KEEP_FOR`] since it left
//!   the pool, or idle here longer than [`PING_AFTER_IDLE`], goes back to the pool (and is
//!   pinged there), so the pool's lifetime, idle and health rules still apply within
//!   seconds.
//! - None is kept while the pool has no connection to spare (every one open and in use):
//!   a caller may be waiting in the pool for one, and must not wait while connections lie
//!   idle here.
//! - Closing the store empties the list before it closes the pool, which waits for every
//!   connection to come back.
//!
//! SQLite stores keep none: their public reads are `direct.rs`'s, and a pool of one
//! connection (an in-memory database) must never have it kept out.

use crate::db::PING_AFTER_IDLE;
use crate::{Result, Store};
use sqlx::pool::PoolConnection;
use sqlx::{Any, AnyConnection, AnyPool};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How many idle connections are kept: a few, for the reads a small server has in flight
/// at once; a read that finds none takes one from the pool.
pub(crate) const KEPT: usize = 4;

/// How long a connection may go without being handed back to the pool.
pub(crate) const KEEP_FOR: Duration = Duration::from_secs(30);

/// The idle connections kept for the next public reads, newest last.
#[derive(Debug, Default)]
pub(crate) struct KeptConnections {
    idle: Mutex<Vec<Kept>>,
    closed: AtomicBool,
}

#[derive(Debug)]
struct Kept {
    conn: PoolConnection<Any>,
    left_pool: Instant,
    idle_since: Instant,
}

/// A connection lent to one read. [`Lease::finished`] hands it back for the next read;
/// dropping the lease returns it to sqlx's pool instead.
#[derive(Debug)]
pub(crate) struct Lease<'a> {
    kept: Option<&'a KeptConnections>,
    pool: &'a AnyPool,
    conn: PoolConnection<Any>,
    left_pool: Instant,
}

impl KeptConnections {
    /// Empties the list (its connections go back to the pool) and keeps none from now on.
    pub(crate) fn close(&self) {
        self.closed.store(true, Ordering::Release);
        drop(std::mem::take(&mut *self.lock()));
    }

    /// How many connections are kept idle now.
    pub(crate) fn len(&self) -> usize {
        self.lock().len()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Kept>> {
        // A panic while the list is held cannot leave it inconsistent: take it as it is.
        self.idle
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The newest kept connection that may still be used; the stale ones it finds are
    /// dropped into the pool.
    fn take(&self) -> Option<Kept> {
        let mut stale = Vec::new();
        let found = {
            let mut idle = self.lock();
            let mut found = None;
            while let Some(kept) = idle.pop() {
                if kept.idle_since.elapsed() < PING_AFTER_IDLE
                    && kept.left_pool.elapsed() < KEEP_FOR
                {
                    found = Some(kept);
                    break;
                }
                stale.push(kept);
            }
            found
        };
        // Dropped outside the lock: each starts sqlx's return to the pool.
        drop(stale);
        found
    }

    fn put_back(&self, conn: PoolConnection<Any>, left_pool: Instant) {
        if self.closed.load(Ordering::Acquire) || left_pool.elapsed() >= KEEP_FOR {
            return;
        }
        let mut idle = self.lock();
        if idle.len() < KEPT {
            idle.push(Kept {
                conn,
                left_pool,
                idle_since: Instant::now(),
            });
        }
    }
}

impl Lease<'_> {
    /// The connection, to run one statement on.
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.conn
    }

    /// The statement is done and read to its end without an error: the connection goes
    /// back to the kept list for the next read, unless the pool has no connection to spare
    /// (an idle one, or room to open one): then a caller may be waiting in the pool for
    /// one, and it goes there.
    pub(crate) fn finished(self) {
        let pool = self.pool;
        let pool_has_room =
            pool.num_idle() > 0 || pool.size() < pool.options().get_max_connections();
        match self.kept {
            Some(kept) if pool_has_room => kept.put_back(self.conn, self.left_pool),
            _ => drop(self.conn),
        }
    }
}

impl Store {
    /// A connection for one of the public pages' reads: a kept one if there is one, else one
    /// from the pool. Call [`Lease::finished`] after a statement that succeeded.
    pub(crate) async fn lease(&self) -> Result<Lease<'_>> {
        let kept = self.kept.as_deref();
        if let Some(found) = kept.and_then(KeptConnections::take) {
            return Ok(Lease {
                kept,
                pool: &self.pool,
                conn: found.conn,
                left_pool: found.left_pool,
            });
        }
        let conn = self.pool.acquire().await?;
        Ok(Lease {
            kept,
            pool: &self.pool,
            conn,
            left_pool: Instant::now(),
        })
    }
}
