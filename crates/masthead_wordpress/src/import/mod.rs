//! The importer's other half: a WordPress export read twice ([`survey`], then the items),
//! and written through the store and the desk's rules. Stories go through
//! [`masthead_desk::batch::create_stories`] (the wire desk's way: validation, references, a free slug, search,
//! revisions, the audit log) a batch at a time, each batch one transaction with its
//! comments and its import records, so a run killed half-way leaves no story without its
//! comments and resumes where it stopped. See "A WordPress site moves in" in
//! `docs/ARCHITECTURE.md`.

pub mod addresses;
mod comments;
mod images;
mod links;
mod pages;
mod post;
mod redirects;
pub mod report;
mod run;
mod survey;
mod taxonomy;
mod text;

pub use images::uploads_path;
pub use post::post_time;
pub use report::{Noted, NotedItem, Report};
pub use run::{ImportError, Options, Progress, import};
pub use survey::Survey;
pub use taxonomy::masthead_slug;
