//! masthead's HTTP surfaces, built on axum: today the public site (`site/`); the admin and the
//! JSON API join it later, each with its own router.
//!
//! Handlers are thin: they parse input into domain types, ask the store, and render a theme
//! template. Shared page parts and whole pages are cached in memory and invalidated by the
//! content version (see [`freshness`]).

pub mod admin;
mod api;
mod app;
mod cache;
mod client;
mod comments;
mod compress;
mod config;
pub mod desk;
mod error;
mod error_pages;
mod event_form;
mod fragments;
pub mod freshness;
mod headers;
mod health_probe;
pub mod housekeeping;
mod https_redirect;
pub mod identity;
pub mod listen;
pub mod media_library;
pub mod media_upkeep;
mod meeting_intake;
mod meeting_record;
pub mod metrics;
pub mod newsletter;
mod params;
mod parts;
pub mod pdf_reader;
mod preview;
pub mod prose_helper;
mod render;
mod replica_reads;
pub mod request_id;
mod router;
mod search;
mod site;
mod state;
mod turns;

pub use app::{App, app};
pub use cache::HttpCaching;
pub use config::SiteConfig;
pub use error::WebError;
pub use router::router;
pub use state::{AppState, MEDIA_READS_AT_ONCE};
