//! Typed identifiers, so an article id can never be passed where a section id is meant.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),* $(,)?) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type!(
    /// Identifies an article (any kind: news, opinion, video, roundup, meeting brief).
    ArticleId,
    /// Identifies a section of the site.
    SectionId,
    /// Identifies a staff author.
    AuthorId,
    /// Identifies a tag.
    TagId,
    /// Identifies a stored image.
    MediaId,
    /// Identifies a community calendar event.
    EventId,
    /// Identifies a reader comment.
    CommentId,
    /// Identifies a staff account.
    UserId,
    /// Identifies an API token.
    TokenId,
    /// Identifies one saved revision of an article.
    RevisionId,
    /// Identifies a shared preview link of a story.
    PreviewLinkId,
    /// Identifies a wire source (a feed the wire desk pulls).
    WireSourceId,
    /// Identifies one item of a wire source, as the wire desk stored it.
    WireItemId,
    /// Identifies a static page of the site (About, Contact, …).
    PageId,
    /// Identifies a redirect from an old address.
    RedirectId,
    /// Identifies a public body (a village board, a school board, …).
    BodyId,
    /// Identifies one meeting of a public body.
    MeetingId,
    /// Identifies a document of a meeting (an agenda, minutes).
    DocumentId,
    /// Identifies a newsletter reader.
    SubscriberId,
    /// Identifies a newsletter list (a daily digest, breaking news, …).
    ListId,
    /// Identifies one send of a newsletter list (a digest, an alert).
    SendId,
);
