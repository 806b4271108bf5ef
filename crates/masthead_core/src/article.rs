//! Articles' kinds, statuses and kind-specific parts (meeting decisions, roundup items,
//! correction and update notes).

use serde::{Deserialize, Serialize};

/// Declares a closed set of names stored as text, with parsing that names the allowed values.
macro_rules! text_enum {
    ($(#[$doc:meta])* $name:ident, $field:literal { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stored and serialized name.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses a stored name; the error lists the accepted names.
            pub fn parse(s: &str) -> Result<Self, $crate::InvalidInput> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err($crate::InvalidInput::new(
                        $field,
                        format!("{other:?} is not one of: {}", [$($text),+].join(", ")),
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use text_enum;

text_enum!(
    /// Whether a static page (About, Contact, …) is on the site.
    PageStatus, "status" {
        /// On the site at its address.
        Published = "published",
        /// Only in the desk: its address answers 404.
        Draft = "draft",
    }
);

text_enum!(
    /// What kind of piece an article is; it decides the label and the kind-specific parts shown.
    ArticleKind, "kind" {
        /// A news story.
        News = "news",
        /// An opinion piece or op-ed, always labelled as opinion.
        Opinion = "opinion",
        /// A video post with an embedded player.
        Video = "video",
        /// A roundup of short items, each with its own headline.
        Roundup = "roundup",
        /// A brief on a public body's meeting: the body, the date and its decisions.
        MeetingBrief = "meeting_brief",
    }
);

impl ArticleKind {
    /// The label readers see above the headline, if the kind has one.
    pub fn label(self) -> Option<&'static str> {
        match self {
            ArticleKind::News => None,
            ArticleKind::Opinion => Some("Opinion"),
            ArticleKind::Video => Some("Video"),
            ArticleKind::Roundup => Some("Roundup"),
            ArticleKind::MeetingBrief => Some("Meeting brief"),
        }
    }
}

text_enum!(
    /// Where an article is in its life. Only `Published` articles, and `Scheduled` ones whose
    /// time has come, are shown to readers.
    ArticleStatus, "status" {
        /// Being written; never public.
        Draft = "draft",
        /// Submitted by its writer for an editor to check and publish; never public.
        Review = "review",
        /// Due to appear at its publication time.
        Scheduled = "scheduled",
        /// Public since its publication time.
        Published = "published",
        /// Taken down; never public.
        Unpublished = "unpublished",
    }
);

impl ArticleStatus {
    /// The status as readers see it at `now`: a scheduled story whose time has come is
    /// published, whether or not the scheduler has recorded it yet (the same rule the
    /// public pages apply in SQL), so every surface agrees from the minute it is due.
    pub fn as_of(
        self,
        published_at: Option<chrono::DateTime<chrono::Utc>>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> ArticleStatus {
        match (self, published_at) {
            (ArticleStatus::Scheduled, Some(at)) if at <= now => ArticleStatus::Published,
            (status, _) => status,
        }
    }
}

text_enum!(
    /// The result of a motion at a public meeting.
    Outcome, "outcome" {
        /// The motion carried.
        Passed = "passed",
        /// The motion was voted down.
        Failed = "failed",
        /// The motion was put off to a later meeting.
        Tabled = "tabled",
    }
);

text_enum!(
    /// Whether a note on a story corrects an error or adds news.
    NoteKind, "note kind" {
        /// Fixes something the story got wrong.
        Correction = "correction",
        /// Adds information that came after publication.
        Update = "update",
    }
);

/// One decision of a public body recorded in a meeting brief.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// What was moved, e.g. "Approve a $48,000 contract to repaint the water tower".
    pub motion: String,
    /// The tally as announced, e.g. "5-1" or "voice vote".
    pub vote: String,
    /// What happened to the motion.
    pub outcome: Outcome,
}

/// One short item of a roundup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundupItem {
    /// The item's own headline.
    pub headline: String,
    /// The item's text as sanitized HTML (rendered from Markdown when saved).
    pub body_html: String,
    /// The item's text as the editor wrote it, in Markdown.
    #[serde(default)]
    pub body_md: String,
}
