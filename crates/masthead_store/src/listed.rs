//! A list page in two steps: which stories it shows ([`Store::list_window_keys`], a few
//! numbers each), then the teasers of only those whose rendered teaser the server does not
//! already keep ([`Store::teasers_by_id`]).
//!
//! Building a teaser's JSON is most of what a list query costs (SQLite's JSON functions
//! and the decoding were two thirds of a section page's instructions under callgrind, see
//! `docs/PERFORMANCE.md`, "Uncached pages at 100k and 1M stories"), and a list page whose
//! teasers are already rendered for this content generation needs none of it.

use crate::articles::{
    ArticleFilter, ListWindow, TeaserJson, fill_window, filtered, from_clause, list_query,
    page_window, teaser_json, trim_window, visible,
};
use crate::columns::first_text;
use crate::dialect::per_backend;
use crate::direct::Bind;
use crate::model::{ListPage, Teaser};
use crate::{Backend, Result, Store, StoreError, from_micros, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::ArticleId;
use serde::Deserialize;

/// A story as a list shows it, without its teaser: where it sorts, and what its rendered
/// teaser depends on besides the story (its approved comments' count, whether it has an image).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Listed {
    /// The story.
    pub id: ArticleId,
    /// When it was published (with the id, its place in the list).
    pub published_at: DateTime<Utc>,
    /// How many approved comments it has.
    pub comment_count: i64,
    /// Whether it has a lead image.
    pub has_image: bool,
}

/// A [`Listed`] as the database's JSON gives it.
#[derive(Debug, Deserialize)]
struct ListedJson {
    id: i64,
    at: i64,
    comments: i64,
    image: i64,
}

/// What a [`Listed`] is made of, as the columns `id`, `at`, `comments` and `image` of a
/// subquery over `articles ar` and `media m`, for [`listed_object!`] to make into JSON
/// outside it (a JSON value made inside a subquery would be parsed again outside it). Takes
/// `per_backend!`'s fragments, as `list_query!` passes them, and needs none.
macro_rules! listed_columns {
    ($arr:literal, $end:literal, $obj:literal, $js:literal, $je:literal) => {
        concat!(
            "ar.id AS id, ar.published_at AS at, ",
            "(SELECT COUNT(*) FROM comments cc WHERE cc.article_id = ar.id AND cc.status = 'approved') AS comments, ",
            "CASE WHEN m.storage_name IS NULL THEN 0 ELSE 1 END AS image"
        )
    };
}
pub(crate) use listed_columns;

/// A [`Listed`] JSON object (decoded by `ListedJson`) from the [`listed_columns!`] of `t`,
/// with the backend's object constructor `$obj` (see `per_backend!`).
macro_rules! listed_object {
    ($arr:literal, $end:literal, $obj:literal, $js:literal, $je:literal) => {
        concat!(
            $obj,
            "'id', t.id, 'at', t.at, 'comments', t.comments, 'image', t.image)"
        )
    };
}
pub(crate) use listed_object;

/// `json`, an array of [`listed_object!`] objects, decoded.
pub(crate) fn listed_from_json(json: &str) -> Result<Vec<Listed>> {
    let rows: Vec<ListedJson> = serde_json::from_str(json)?;
    Ok(rows
        .into_iter()
        .map(|r| Listed {
            id: ArticleId(r.id),
            published_at: from_micros(r.at),
            comment_count: r.comments,
            has_image: r.image != 0,
        })
        .collect())
}

/// The teasers of the visible stories among `$2` (a JSON array of ids), as one JSON array in
/// no particular order; `$ids` turns `$2` into rows of ids.
macro_rules! by_id_query {
    ($ids:literal, $arr:literal, $end:literal, $obj:literal, $js:literal, $je:literal) => {
        concat!(
            "SELECT COALESCE((SELECT ",
            $arr,
            teaser_json!($arr, $end, $obj, $js, $je),
            $end,
            from_clause!(),
            "WHERE ar.id IN (",
            $ids,
            ") AND",
            visible!(),
            "), '[]')"
        )
    };
}

/// The SQL of [`Store::teasers_by_id`] for `backend`.
fn by_id_sql(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => by_id_query!(
            "SELECT value FROM json_each($2)",
            "json_group_array(",
            ")",
            "json_object(",
            "json(",
            ")"
        ),
        Backend::Postgres => by_id_query!(
            "SELECT value::bigint FROM json_array_elements_text($2::json)",
            "json_agg(",
            ")::text",
            "json_build_object(",
            "(",
            ")::json"
        ),
    }
}

/// The statement of [`Store::list_window_keys`] and its values (see `window_statement`).
pub(crate) fn keys_statement(
    backend: Backend,
    filter: ArticleFilter,
    now: DateTime<Utc>,
    window: ListWindow,
    per_page: u32,
) -> (String, Vec<i64>) {
    let (sql, value) = filtered!(backend, filter, listed_object, listed_columns);
    fill_window(sql, value, filter, now, window, per_page)
}

impl Store {
    /// The visible stories of a list at `now`, newest first, at most `per_page` from
    /// `window`, as [`Listed`]: the same stories, in the same order, with the same
    /// `has_more`, as [`Store::list_window`] gives teasers of.
    pub async fn list_window_keys(
        &self,
        filter: ArticleFilter,
        now: DateTime<Utc>,
        window: ListWindow,
        per_page: u32,
    ) -> Result<ListPage<Listed>> {
        let statement = keys_statement(self.backend(), filter, now, window, per_page);
        let json = self.list_json(statement).await?;
        let items = listed_from_json(&json)?;
        Ok(trim_window(items, window, per_page))
    }

    /// The teasers of those of `ids` that are visible at `now`, in no particular order (a
    /// story unpublished since its id was listed is left out).
    pub async fn teasers_by_id(
        &self,
        ids: &[ArticleId],
        now: DateTime<Utc>,
    ) -> Result<Vec<Teaser>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
        let ids = serde_json::to_string(&ids)?;
        let sql = by_id_sql(self.backend());
        let binds = [Bind::Int(to_micros(now)), Bind::Text(&ids)];
        let json = match self.direct_row(sql, &binds, first_text) {
            Some(json) => json?.ok_or(StoreError::NotFound)?,
            None => {
                let mut lease = self.lease().await?;
                let (json,): (String,) = sqlx::query_as(sql)
                    .bind(to_micros(now))
                    .bind(ids)
                    .fetch_one(lease.conn())
                    .await?;
                lease.finished();
                json
            }
        };
        let rows: Vec<TeaserJson> = serde_json::from_str(&json)?;
        rows.into_iter().map(Teaser::try_from).collect()
    }
}
