//! The newsroom's rules, below any web page or API: who may do what to a story, what a
//! valid story is, what a publishable one is, how each command changes a story's status,
//! what a name and slug may be, what an upload may be, what an autosave may write, and the one way every writer of
//! stories (the desk's editor, the JSON API, the demo loader, the benchmark generator, the
//! test fixtures, and the wire desk and importers to come) saves one.
//!
//! Every function returns a [`DeskError`]; the web layer turns it into an HTML page or a
//! JSON answer. Storage is `masthead_store`'s: a story is written inside one
//! [`masthead_store::StoryWrite`], so the version check, the rules that read the database
//! (references, lead image alt text, a free slug) and the write happen in one transaction.

mod autosave;
pub mod batch;
mod error;
pub mod front;
pub mod library;
pub mod media;
pub mod meeting_brief;
pub mod meetings;
pub mod pages;
mod review;
mod rules;
mod search;
mod staff;
mod stories;
mod summary;
pub mod wire;

pub use autosave::{Autosaved, Typed, autosave, discard_autosave};
pub use error::DeskError;
pub use review::{MAX_NOTE, add_note, send_back};
pub use rules::{
    MAX_TAGS, MAX_TEXT, MAX_TITLE, check_publishable, check_references, kind_parts, name_and_slug,
    render, rerender, validate,
};
pub use search::{index_backlog, search_body};
pub use staff::Staff;
pub use stories::{Command, Imported, SaveOutcome, create, import, load, may_schedule, save};
pub use summary::suggest_summary;
