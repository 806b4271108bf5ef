//! Domain types and rules of masthead, with no I/O: identifiers, slugs, article kinds and
//! statuses, bylines, excerpts, pagination and the clock.
//!
//! Everything that comes from outside (a form, a URL, a demo file) becomes one of these types
//! at the edge, so the layers above can trust what they hold.

pub mod article;
pub mod clock;
pub mod comment;
pub mod email;
pub mod event;
pub mod event_fields;
pub mod excerpt;
pub mod form_token;
pub mod html_text;
pub mod ids;
pub mod jobs;
pub mod link_token;
pub mod old_address;
pub mod page;
pub mod password;
pub mod recurrence;
pub mod role;
pub mod search;
pub mod secret;
pub mod slug;
pub mod totp;
pub mod video;
pub mod web_url;

pub use article::{
    ArticleKind, ArticleStatus, Decision, NoteKind, Outcome, PageStatus, RoundupItem,
};
pub use clock::{Clock, ManualClock, SystemClock};
pub use comment::{CommentSettings, ModerationPolicy, NewComment};
pub use email::EmailAddress;
pub use event::{CommentStatus, EventStatus};
pub use event_fields::{DateWindow, EventDraft, EventFields, Occurrence};
pub use excerpt::excerpt;
pub use ids::{
    ArticleId, AuthorId, BodyId, CommentId, DocumentId, EventId, ListId, MediaId, MeetingId,
    PageId, PreviewLinkId, RedirectId, RevisionId, SectionId, SendId, SubscriberId, TagId, TokenId,
    UserId, WireItemId, WireSourceId,
};
pub use old_address::{address_key, redirect_key, redirect_target};
pub use page::{ListCursor, PageNumber};
pub use role::{ArticleAction, Role, SiteAction, can, can_edit_media, can_site};
pub use search::{QueryProblem, SearchQuery, SearchTerm};
pub use slug::Slug;
pub use video::VideoUrl;
pub use web_url::WebUrl;

/// A value from outside did not satisfy a domain rule. The message says what is allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InvalidInput {
    /// The field or parameter that was rejected.
    pub field: &'static str,
    /// What was wrong and what would be accepted.
    pub message: String,
}

impl InvalidInput {
    /// Builds the error for `field` with a message saying what is allowed.
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}
