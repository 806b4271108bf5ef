//! The plans of the list queries and the home page's, so tests can prove that every list
//! reads an index in order rather than sorting the archive: SQLite's, and PostgreSQL's on a
//! loaded, analyzed database (the desk's lists' SQLite plans are in `desk.rs`).
//!
//! The plans are the generic ones, made without the bound values, because those are what the
//! server runs: its sessions set `plan_cache_mode = force_generic_plan` (see `db.rs`). An
//! `EXPLAIN` with values bound would show a custom plan no session uses.

use crate::articles::{ArticleFilter, ListWindow, Statement, window_statement};
use crate::desk::desk_list_sql;
use crate::{Backend, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleStatus, AuthorId, ListCursor, PageNumber, SectionId, TagId, UserId};
use sqlx::Connection;
use sqlx::Row;

impl Store {
    /// SQLite's query plan for each kind of list (and the home page's), so a test can prove that none of them sorts
    /// the whole archive (which is what makes a page slow at a million stories).
    #[doc(hidden)]
    pub async fn sqlite_list_plans(&self) -> Result<Vec<(String, Vec<String>)>> {
        let filters = [
            ("all", ArticleFilter::All),
            ("section", ArticleFilter::Section(SectionId(1))),
            ("author", ArticleFilter::Author(AuthorId(1))),
            ("tag", ArticleFilter::Tag(TagId(1))),
        ];
        let cursor = ListCursor { at: 0, id: 0 };
        let mut plans = Vec::new();
        for (name, (sql, binds)) in
            list_statements(Backend::Sqlite, &filters, DateTime::UNIX_EPOCH, cursor, 20)
        {
            let explain = format!("EXPLAIN QUERY PLAN {sql}");
            let mut query = sqlx::query(sqlx::AssertSqlSafe(explain));
            for value in binds {
                query = query.bind(value);
            }
            let rows = query.fetch_all(&self.pool).await?;
            plans.push((
                name,
                rows.iter()
                    .map(|r| r.try_get::<String, _>("detail"))
                    .collect::<Result<_, _>>()?,
            ));
        }
        // The home page's statement: its latest stories are a list like the others.
        let front = crate::front::front_statement(Backend::Sqlite, 20);
        let explain = format!("EXPLAIN QUERY PLAN {}", front.0);
        let rows = sqlx::query(sqlx::AssertSqlSafe(explain))
            .bind(0_i64)
            .fetch_all(&self.pool)
            .await?;
        plans.push((
            "front".to_owned(),
            rows.iter()
                .map(|r| r.try_get::<String, _>("detail"))
                .collect::<Result<_, _>>()?,
        ));
        Ok(plans)
    }

    /// The generic plan (EXPLAIN text) of the home page's statement
    /// ([`Store::front_page`]) at `now`, with `latest` stories besides the front's.
    #[doc(hidden)]
    pub async fn postgres_front_plan(&self, now: DateTime<Utc>, latest: u32) -> Result<String> {
        let sql = crate::front::front_statement(Backend::Postgres, latest);
        self.postgres_generic_plan(&sql.0, &[crate::to_micros(now)])
            .await
    }

    /// The generic plan (EXPLAIN text) of each public list: each of `filters`
    /// (named) by a numbered page, before and after `cursor`, `per_page` stories at a time,
    /// as teasers (feeds, the newsletter) and as keys (the list pages; named `… keys`).
    #[doc(hidden)]
    pub async fn postgres_list_plans(
        &self,
        filters: &[(&str, ArticleFilter)],
        now: DateTime<Utc>,
        cursor: ListCursor,
        per_page: u32,
    ) -> Result<Vec<(String, String)>> {
        let mut plans = Vec::new();
        for (name, (sql, binds)) in
            list_statements(Backend::Postgres, filters, now, cursor, per_page)
        {
            plans.push((name, self.postgres_generic_plan(&sql, &binds).await?));
        }
        Ok(plans)
    }

    /// The generic plan (EXPLAIN text) of each desk list: every status filter
    /// (none, each status), everyone's or `owner`'s, from the top or before `cursor`.
    #[doc(hidden)]
    pub async fn postgres_desk_plans(
        &self,
        owner: UserId,
        cursor: ListCursor,
    ) -> Result<Vec<(String, String)>> {
        let statuses = [
            None,
            Some(ArticleStatus::Draft),
            Some(ArticleStatus::Review),
            Some(ArticleStatus::Scheduled),
            Some(ArticleStatus::Published),
        ];
        let mut plans = Vec::new();
        for status in statuses {
            for (own, before) in [(false, false), (true, false), (false, true), (true, true)] {
                let sql = desk_list_sql(status, own, before, 20, 0);
                let mut binds = Vec::new();
                if own {
                    binds.push(owner.0);
                }
                if before {
                    binds.extend([cursor.at, cursor.id]);
                }
                let plan = self.postgres_generic_plan(&sql, &binds).await?;
                plans.push((format!("{status:?} own={own} before={before}"), plan));
            }
        }
        Ok(plans)
    }

    /// The shared buffers PostgreSQL touched to answer one list window with the generic
    /// plan (the first `Buffers:` line of `EXPLAIN (ANALYZE, BUFFERS)`, which counts the whole
    /// query), and the plan, so a test can prove that a page deep in the archive reads what
    /// the first page reads.
    #[doc(hidden)]
    pub async fn postgres_list_buffers(
        &self,
        filter: ArticleFilter,
        now: DateTime<Utc>,
        window: ListWindow,
        per_page: u32,
    ) -> Result<(i64, String)> {
        let (sql, binds) = window_statement(Backend::Postgres, filter, now, window, per_page);
        let plan = self
            .postgres_generic_plan_with(&sql, &binds, "ANALYZE, BUFFERS, TIMING OFF")
            .await?;
        let buffers = plan
            .lines()
            .map(str::trim)
            .find_map(|line| line.strip_prefix("Buffers: shared "))
            .ok_or_else(|| StoreError::Corrupt("EXPLAIN printed no buffer counts".into()))?;
        let count = buffers
            .split_whitespace()
            .filter_map(|part| part.split_once('='))
            .filter(|(kind, _)| matches!(*kind, "hit" | "read"))
            .filter_map(|(_, n)| n.parse::<i64>().ok())
            .sum();
        Ok((count, plan))
    }

    /// The generic plan of `sql` for `binds` (all BIGINT), prepared and explained on a
    /// connection taken out of the pool (the prepared statement stays on it) and closed after.
    async fn postgres_generic_plan(&self, sql: &str, binds: &[i64]) -> Result<String> {
        self.postgres_generic_plan_with(sql, binds, "COSTS").await
    }

    /// Like [`Store::postgres_generic_plan`], with `EXPLAIN (OPTIONS)`; with `ANALYZE` the
    /// statement runs.
    async fn postgres_generic_plan_with(
        &self,
        sql: &str,
        binds: &[i64],
        options: &str,
    ) -> Result<String> {
        let mut conn = self.pool.acquire().await?.detach();
        for statement in [
            "SET plan_cache_mode = force_generic_plan".to_owned(),
            format!("PREPARE masthead_plan AS {sql}"),
        ] {
            sqlx::query(sqlx::AssertSqlSafe(statement))
                .persistent(false)
                .execute(&mut conn)
                .await?;
        }
        let values = binds
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let execute = if binds.is_empty() {
            format!("EXPLAIN ({options}) EXECUTE masthead_plan")
        } else {
            format!("EXPLAIN ({options}) EXECUTE masthead_plan({values})")
        };
        let lines = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(execute))
            .persistent(false)
            .fetch_all(&mut conn)
            .await?;
        conn.close().await?;
        Ok(lines
            .into_iter()
            .map(|(line,)| line)
            .collect::<Vec<_>>()
            .join("\n"))
    }
}

/// Every public list's statement on `backend`, named for messages: as teasers (feeds, the
/// newsletter) and as keys (the list pages; named `… keys`), for each of `filters`, by a
/// numbered page and before and after `cursor`, `per_page` stories at a time.
fn list_statements(
    backend: Backend,
    filters: &[(&str, ArticleFilter)],
    now: DateTime<Utc>,
    cursor: ListCursor,
    per_page: u32,
) -> Vec<(String, (String, Vec<i64>))> {
    let windows = [
        ("page", ListWindow::Page(PageNumber::FIRST)),
        ("before", ListWindow::Before(cursor)),
        ("after", ListWindow::After(cursor)),
    ];
    let statements: [(&str, Statement); 2] = [
        ("", window_statement),
        (" keys", crate::listed::keys_statement),
    ];
    let mut all = Vec::new();
    for (kind, statement) in statements {
        for (name, filter) in filters {
            for (window_name, window) in windows {
                all.push((
                    format!("{name} {window_name}{kind}"),
                    statement(backend, *filter, now, window, per_page),
                ));
            }
        }
    }
    all
}
