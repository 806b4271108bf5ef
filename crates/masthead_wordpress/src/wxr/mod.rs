//! A WordPress eXtended RSS export (WXR 1.0–1.2, as Tools → Export writes it) read as a
//! stream: [`WxrReader`] yields one [`Record`] at a time (the site, then authors, terms and
//! items in file order) and never holds more than one item in memory.
//!
//! Split by concern: [`model`](self) the records, `reader` the iterator, `records` which
//! element fills which field, `xml` the parser layer, `text` text joined from its pieces,
//! `names` the namespaces, `input` the byte source, `limits` and `error`.

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
