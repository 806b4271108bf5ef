//! A WordPress eXtended RSS export (WXR 1.0–1.2, as Tools → Export writes it) read as a
//! stream: [`WxrReader`] yields one [`Record`] at a time (the site, then authors, terms and
//! items in file order) and never holds more than one item in memory.

mod model;

pub use model::*;
