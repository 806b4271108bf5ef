//! The database handle: an sqlx `AnyPool` over SQLite or PostgreSQL, chosen from the URL.
//!
//! SQLite connections are set up for durability and concurrency on every connect: WAL
//! journal, `synchronous=FULL` (an acknowledged write survives power loss), a busy timeout
//! so writers queue instead of failing, and foreign keys on. PostgreSQL sessions use generic
//! plans for prepared statements (see `connect`).

use crate::{Result, StoreError, migrate};
use sqlx::AnyPool;
use sqlx::Executor;
use sqlx::any::AnyPoolOptions;
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
    backend: Backend,
}

/// How long a request waits for a database connection before giving up with a 503.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long an SQLite writer waits for another writer before failing.
const SQLITE_BUSY_TIMEOUT_MS: u32 = 5_000;

impl Store {
    /// Connects to `url` (`sqlite://path` or `postgres://…`), creating an SQLite file if
    /// missing, and applies the migrations. Errors name the URL with its password hidden.
    pub async fn connect(url: &str) -> Result<Self> {
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
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .min_connections(1)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    match backend {
                        Backend::Sqlite => {
                            conn.execute(sqlx::AssertSqlSafe(format!(
                                "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; \
                                 PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}; PRAGMA foreign_keys = ON;"
                            )))
                            .await?;
                        }
                        Backend::Postgres => {
                            // Our queries have one good plan whatever the parameters (index
                            // order plus LIMIT). Left to choose, PostgreSQL re-plans each
                            // execution, which cost more than running the query (about 0.3 ms
                            // of planning against 0.2 ms of execution for the front page).
                            conn.execute("SET plan_cache_mode = force_generic_plan").await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(|e| {
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
            })?;
        let store = Self { pool, backend };
        migrate::run(&store).await?;
        if backend == Backend::Sqlite {
            store.clear_sqlite_stat4().await?;
        }
        Ok(store)
    }

    /// Which backend this store talks to.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes every connection, waiting for those in use to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
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

fn backend_of(url: &str) -> Result<Backend> {
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
