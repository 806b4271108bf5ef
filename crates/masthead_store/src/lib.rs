//! masthead's storage: one database handle over SQLite or PostgreSQL, chosen at run time from
//! the URL, with the migrations for each backend and the queries of every aggregate.
//!
//! One code path serves both backends: the SQL is written once with `$1..$N` placeholders
//! and the types both drivers carry (integers, text). The few places where the dialects
//! differ are `match` arms in [`dialect`].

mod columns;
mod db;
pub mod dialect;
mod direct;
mod error;
mod health;
mod integrity;
mod kept;
pub mod migrate;
pub mod model;
mod time;

mod articles;
mod attempts;
mod audit;
mod authors;
mod autosaves;
mod comment_moderation;
mod comments;
mod desk;
mod desk_find;
mod desk_notes;
mod devices;
mod events;
mod feeds;
mod front;
mod imports;
mod listed;
mod media;
mod media_uploads;
mod meeting_documents;
mod meetings;
mod newsletter;
mod newsletter_outbox;
mod newsletter_sends;
mod pages;
mod plans;
mod preview_links;
mod queues;
mod redirects;
mod replicas;
mod rerender;
mod search;
mod search_merge;
mod sections;
mod sessions;
mod settings;
mod site;
mod sitemaps;
pub mod snapshot;
mod story;
mod story_batch;
mod story_changes;
mod story_write;
mod tags;
mod tokens;
mod users;
mod wire;
mod wire_claims;
mod wire_items;

pub use articles::{ArticleFilter, ListWindow};
pub use audit::{Actor, AuditEntry};
pub use autosaves::{AUTOSAVE_RUN, Autosave};
pub use comment_moderation::{CommentBan, CommentCounts, ModerationComment};
pub use comments::{CommentPost, Posted, ShownComment};
pub use db::{Backend, PG_LOCK_TIMEOUT, PG_STATEMENT_TIMEOUT, PING_AFTER_IDLE, Store, redact_url};
pub use desk::{DeskArticle, DeskRow, RevisionInfo};
pub use desk_find::{DESK_FIND_PAGES, DeskFind, DeskSort};
pub use desk_notes::{DeskNote, NoteWaiting};
pub use direct::DirectReadCounts;
pub use error::StoreError;
pub use events::StatusMove;
pub use feeds::{FeedStory, MAX_FEED_STORIES};
pub use front::{Banner, DeskSlot, FrontArrangement, FrontPage, FrontSlot, FrontWrite};
pub use health::FULL_MEMORY;
pub use imports::{ImportRecord, ImportRun, ImportedComment, NewImportRecord};
pub use listed::Listed;
pub use media::{MediaItem, MediaText};
pub use media_uploads::{MediaFiles, UnfinishedUpload};
pub use meeting_documents::{MAX_DOCUMENTS, MeetingBrief, MeetingDocument, NewDocument};
pub use meetings::{
    BodyFields, BodyMember, MAX_BODIES, MEETINGS_PAGE, MeetingFields, MeetingRecord, MeetingStatus,
    PublicBody,
};
pub use migrate::{schema_columns, schema_indexes, search_index_parts};
pub use model::*;
pub use newsletter::{
    Confirmed, ImportCounts, ImportedReader, ListFields, ListKind, MAIL_WINDOW_SHORT,
    MAILS_PER_DAY, MAILS_PER_SHORT_WINDOW, NewsletterList, SUBSCRIBERS_PAGE, Signup, Subscriber,
    SubscriberStatus, email_key,
};
pub use newsletter_outbox::OutboxMail;
pub use newsletter_sends::{
    ClaimedItem, ItemOutcome, ReaderMail, Send, SendContent, SendCounts, SendState,
};
pub use pages::{MAX_PAGES, MovedPage, Page, PageFields, PageLink, PageWrite};
pub use preview_links::{PreviewLink, PreviewTarget};
pub use queues::{PoolUse, QueueLengths};
pub use redirects::{
    NewRedirect, REDIRECTS_PAGE, Redirect, RedirectHit, RedirectOrigin, RedirectsAdded,
    add_redirects_in,
};
pub use replicas::{MAX_BACKOFF, Pick, REPLICA_TIMEOUT, Replica, Replicas};
pub use rerender::{RenderState, Rerendered, StoredText};
pub use search::{
    COMMON_WORD_STORIES, MARK_END, MARK_START, Marked, SEARCH_CANDIDATES, SEARCH_SCAN,
    SearchFilter, SearchHit, SearchResults, SearchText, SearchTuning, marked,
};
pub use search_merge::{MERGE_PAGES, MERGED_SEGMENTS, MergeStep};
pub use sessions::{NewSession, Session, SessionStage};
pub use site::ContentState;
pub use sitemaps::{NewsRow, SitemapKind, SitemapRow};
pub use story::{ArticleFields, KindParts, Placement, References, RenderedText, TEXT_FIELDS};
pub use story_batch::NewStory;
pub use story_changes::MAX_STORY_STEPS;
pub use story_write::StoryWrite;
pub use time::{from_micros, to_micros};
pub use tokens::{ApiToken, TokenOwner};
pub use users::{Credentials, NewUser, User, normalize_email};
pub use wire::{
    DEFAULT_WIRE_INTERVAL, FetchOutcome, FetchRecord, MAX_WIRE_BACKOFF, MAX_WIRE_SOURCES,
    MIN_WIRE_INTERVAL, WireMode, WireSource, WireSourceSettings, next_wire_due,
};
pub use wire_claims::Settled;
pub use wire_items::{
    InboxCursor, MAX_IDENTITIES_PER_LOOKUP, StoredWireItem, WIRE_INBOX_PAGE, WireItemRecord,
    WireItemState, WireLocks,
};

/// The result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;
