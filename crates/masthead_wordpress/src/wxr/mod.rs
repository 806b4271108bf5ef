//! A WordPress eXtended RSS export (WXR 1.0–1.2, as Tools → Export writes it) read as a
//! stream: [`WxrReader`] yields one [`Record`] at a time (the site, then authors, terms and
//! items in file order) and never holds more than one item in memory.
//!
//! One file per concern: `model` (the records), `reader` (the iterator), `records` (which
//! element fills which field), `xml` (the parser layer), `text` (an element's text joined
//! from its pieces), `names` (namespaces), `input` (the byte source: progress, the per-event
//! cap, transcoding), `limits` and `error`.

mod error;
mod input;
mod limits;
mod model;
mod names;
mod reader;
mod records;
mod text;
mod xml;

pub use error::{ItemRef, LimitKind, Place, WxrError};
pub use limits::WxrLimits;
pub use model::*;
pub use reader::WxrReader;
