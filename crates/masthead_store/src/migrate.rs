//! Migrations, one folder per backend, embedded in the binary so it runs from anywhere.
//!
//! The two folders must describe the same schema; `schema_columns` lets a test compare them.

use crate::{Backend, Result, Store, StoreError};
use sqlx::Row;
use sqlx::migrate::{Migration, MigrationType, Migrator};
use std::borrow::Cow;

/// Each migration: version, description, SQLite text, PostgreSQL text.
const MIGRATIONS: &[(i64, &str, &str, &str)] = &[
    (
        1,
        "content",
        include_str!("../migrations/sqlite/0001_content.sql"),
        include_str!("../migrations/postgres/0001_content.sql"),
    ),
    (
        2,
        "desk",
        include_str!("../migrations/sqlite/0002_desk.sql"),
        include_str!("../migrations/postgres/0002_desk.sql"),
    ),
    (
        3,
        "login_devices",
        include_str!("../migrations/sqlite/0003_login_devices.sql"),
        include_str!("../migrations/postgres/0003_login_devices.sql"),
    ),
    (
        4,
        "media uploads",
        include_str!("../migrations/sqlite/0004_media_uploads.sql"),
        include_str!("../migrations/postgres/0004_media_uploads.sql"),
    ),
];

pub(crate) async fn run(store: &Store) -> Result<()> {
    let migrations = MIGRATIONS
        .iter()
        .map(|&(version, description, sqlite, postgres)| {
            let sql = match store.backend() {
                Backend::Sqlite => sqlite,
                Backend::Postgres => postgres,
            };
            Migration::new(
                version,
                Cow::Borrowed(description),
                MigrationType::Simple,
                sql.into_sql_str(),
                false,
            )
        })
        .collect();
    // A migration may rewrite a large table, and a second server starting at the same time
    // waits for the first one's migration lock: neither may be cut off by the request
    // deadlines, so this connection runs without them and is closed afterwards.
    let mut conn = store.pool.acquire().await?;
    if store.backend() == Backend::Postgres {
        sqlx::query("SET lock_timeout = 0")
            .execute(&mut *conn)
            .await?;
        sqlx::query("SET statement_timeout = 0")
            .execute(&mut *conn)
            .await?;
    }
    let done = Migrator::with_migrations(migrations)
        .run(&mut *conn)
        .await
        .map_err(StoreError::Migrate);
    conn.close_on_drop();
    done
}

use sqlx::SqlSafeStr as _;

/// Every column of every table as `(table, column, is_integer, not_null)`, sorted, so a test
/// can prove the SQLite and PostgreSQL schemas match.
pub async fn schema_columns(store: &Store) -> Result<Vec<(String, String, bool, bool)>> {
    let sql = match store.backend() {
        Backend::Sqlite => {
            "SELECT m.name AS table_name, p.name AS column_name, \
             CASE WHEN upper(p.type) IN ('INTEGER', 'BIGINT') THEN 1 ELSE 0 END AS is_integer, \
             CASE WHEN p.\"notnull\" = 1 OR p.pk = 1 THEN 1 ELSE 0 END AS not_null \
             FROM sqlite_schema m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '_sqlx%' \
             ORDER BY 1, 2"
        }
        Backend::Postgres => {
            "SELECT table_name::text AS table_name, column_name::text AS column_name, \
             CASE WHEN data_type IN ('bigint', 'integer') THEN 1 ELSE 0 END AS is_integer, \
             CASE WHEN is_nullable = 'NO' THEN 1 ELSE 0 END AS not_null \
             FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name NOT LIKE '_sqlx%' \
             ORDER BY 1, 2"
        }
    };
    let rows = sqlx::query(sql).fetch_all(&store.pool).await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("table_name")?,
                row.try_get("column_name")?,
                row.try_get::<i64, _>("is_integer")? == 1,
                row.try_get::<i64, _>("not_null")? == 1,
            ))
        })
        .collect()
}

/// Every index the migrations create by name, as `(table, index, unique)`, sorted; for the
/// test that both backends' schemas match. Indexes the databases make for primary keys
/// and `UNIQUE` constraints are left out (their names differ by backend).
pub async fn schema_indexes(store: &Store) -> Result<Vec<(String, String, bool)>> {
    let sql = match store.backend() {
        Backend::Sqlite => {
            "SELECT m.tbl_name AS table_name, m.name AS index_name, \
             CASE WHEN m.sql LIKE 'CREATE UNIQUE%' THEN 1 ELSE 0 END AS is_unique \
             FROM sqlite_schema m WHERE m.type = 'index' AND m.sql IS NOT NULL \
             AND m.tbl_name NOT LIKE '_sqlx%' ORDER BY 1, 2"
        }
        Backend::Postgres => {
            "SELECT i.tablename::text AS table_name, i.indexname::text AS index_name, \
             CASE WHEN i.indexdef LIKE 'CREATE UNIQUE%' THEN 1 ELSE 0 END AS is_unique \
             FROM pg_indexes i WHERE i.schemaname = current_schema() \
             AND i.tablename NOT LIKE '_sqlx%' \
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname) \
             ORDER BY 1, 2"
        }
    };
    let rows = sqlx::query(sql).fetch_all(&store.pool).await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("table_name")?,
                row.try_get("index_name")?,
                row.try_get::<i64, _>("is_unique")? == 1,
            ))
        })
        .collect()
}
