//! The few places where SQLite and PostgreSQL need different SQL, as plain `match` arms.
//!
//! Today that is JSON aggregation, used to fetch an article with its authors, tags and
//! comments in one query: the article page is on the hot path, and each extra query costs
//! about 80–90 µs through sqlx's SQLite worker thread. A query that aggregates is written
//! once as a `macro_rules!` taking the three fragments below, and [`per_backend!`] picks the
//! fragments; the result is still one `&'static str` per backend, built at compile time.

/// Expands the query macro `$query` with any leading literal arguments, then the backend's
/// JSON fragments: array aggregate opening and closing (the closing one yields text), object
/// constructor opening, and opening and closing of "this text is JSON" (SQLite forgets that a
/// value is JSON once it passes through a subquery; PostgreSQL needs the type cast).
macro_rules! per_backend {
    ($backend:expr, $query:ident $(, $arg:tt)*) => {
        match $backend {
            $crate::Backend::Sqlite => {
                $query!($($arg,)* "json_group_array(", ")", "json_object(", "json(", ")")
            }
            $crate::Backend::Postgres => {
                $query!($($arg,)* "json_agg(", ")::text", "json_build_object(", "(", ")::json")
            }
        }
    };
}
pub(crate) use per_backend;
