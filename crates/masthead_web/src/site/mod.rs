//! The public site: one file per page, each a thin handler over the store and the theme.

pub mod article;
mod article_value;
pub mod assets;
pub mod author;
pub mod bodies;
pub mod cached;
pub mod conditional;
pub mod event;
pub mod event_submit;
pub mod events;
pub mod feeds;
pub mod health;
pub mod home;
pub mod identity;
mod json_ld;
pub mod latest;
pub mod lists;
pub mod media;
pub mod old_addresses;
pub mod search;
pub mod section;
pub mod sitemaps;
pub mod static_page;
mod story_value;
pub mod structured;
pub mod tag;
