//! masthead's storage: one database handle over SQLite or PostgreSQL, chosen at run time from
//! the URL, with the migrations for each backend and the queries of every aggregate.
//!
//! One code path serves both backends: the SQL is written once with `$1..$N` placeholders
//! and the types both drivers carry (integers, text). The few places where the dialects
//! differ are `match` arms in [`dialect`].

mod db;
pub mod dialect;
mod error;
mod migrate;
pub mod model;
mod time;

mod articles;
mod authors;
mod comments;
mod events;
mod media;
mod sections;
mod site;
mod tags;

pub use articles::ArticleFilter;
pub use db::{Backend, Store, redact_url};
pub use error::StoreError;
pub use migrate::schema_columns;
pub use model::*;
pub use site::ContentState;
pub use time::{from_micros, to_micros};

/// The result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
