//! The WordPress importer. Its pure half (no I/O but the reader it is handed, no database):
//! [`wxr`] reads a WordPress eXtended RSS export as a stream of typed records in bounded
//! memory, [`body`] turns a post's HTML (Gutenberg blocks, classic `wpautop` text,
//! shortcodes, embeds) into masthead Markdown. See "A WordPress site moves in" in
//! `docs/ARCHITECTURE.md`.

pub mod body;
pub mod import;
pub mod wxr;
