//! The article as the API sends and receives it, and its conversion to and from the desk's
//! [`ArticleFields`].
//!
//! These mirror the store's types rather than deriving the document on them, so the store
//! and core crates stay free of OpenAPI, and the mirrored enums are matched exhaustively
//! both ways: a new kind or status in core fails to compile here until the API knows it.

use chrono::{DateTime, NaiveDate, Utc};
use masthead_core::{
    ArticleId, ArticleKind, ArticleStatus, AuthorId, Decision as CoreDecision, MediaId, NoteKind,
    Outcome as CoreOutcome, RoundupItem, SectionId, Slug,
};
use masthead_store::{ArticleFields, DeskArticle, DeskRow, Meeting as StoreMeeting, Note};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::api::ApiError;

/// Declares an API enum that mirrors a core one, with conversions both ways.
macro_rules! mirror_enum {
    ($(#[$doc:meta])* $name:ident <-> $core:ident { $($(#[$vdoc:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vdoc])* $variant),+ }

        impl From<$name> for $core {
            fn from(v: $name) -> Self {
                match v { $($name::$variant => $core::$variant),+ }
            }
        }

        impl From<$core> for $name {
            fn from(v: $core) -> Self {
                match v { $($core::$variant => $name::$variant),+ }
            }
        }
    };
}

mirror_enum!(
    /// What kind of piece an article is.
    Kind <-> ArticleKind {
        /// A news story.
        News,
        /// An opinion piece, labelled as such.
        Opinion,
        /// A video post; needs `video_url`.
        Video,
        /// A roundup of short items; needs at least one of `items`.
        Roundup,
        /// A brief on a public meeting; needs `meeting`.
        MeetingBrief,
    }
);

mirror_enum!(
    /// Where an article is in its life. Only `published` ones, and `scheduled` ones whose
    /// time has come, are on the public site.
    Status <-> ArticleStatus {
        /// Being written.
        Draft,
        /// Submitted for an editor to publish.
        Review,
        /// Due to appear at `published_at`.
        Scheduled,
        /// Public.
        Published,
        /// Taken down.
        Unpublished,
    }
);

mirror_enum!(
    /// What happened to a motion.
    Outcome <-> CoreOutcome {
        /// It carried.
        Passed,
        /// It was voted down.
        Failed,
        /// It was put off.
        Tabled,
    }
);

mirror_enum!(
    /// Whether a note corrects the story or adds to it.
    NoteType <-> NoteKind {
        /// Fixes an error.
        Correction,
        /// Adds later news.
        Update,
    }
);

/// A public body's meeting, for meeting briefs.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingBody {
    /// The body that met, e.g. "Cedar Hollow Village Board".
    pub body: String,
    /// The day it met.
    pub date: NaiveDate,
    /// What it decided.
    #[serde(default)]
    pub decisions: Vec<DecisionBody>,
}

/// One decision at a meeting.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// What was moved.
    pub motion: String,
    /// The tally, e.g. "5-1" or "voice vote".
    #[serde(default)]
    pub vote: String,
    /// What happened to it.
    pub outcome: Outcome,
}

/// One item of a roundup.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemBody {
    /// The item's own headline.
    pub headline: String,
    /// The item's text in Markdown.
    #[serde(default)]
    pub body_md: String,
}

/// A correction or update note shown on the story.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    /// Correction or update.
    pub kind: NoteType,
    /// The note's text.
    pub text: String,
    /// When it was added. Set by the server: a new note is stamped with the time of the
    /// save, whatever is sent here.
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
}

fn news() -> Kind {
    Kind::News
}

/// An article's editable fields, as sent to create (`POST /articles`) or replace
/// (`PUT /articles/{id}`) one. A replace sends every field: one left out takes its default.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleInput {
    /// For `PUT`: the version the change started from (as returned by `GET`). If someone
    /// saved since, the answer is a 409 holding the stored article. Ignored on `POST`.
    #[serde(default)]
    pub version: Option<i64>,
    /// The kind of piece; `news` when left out.
    #[serde(default = "news")]
    pub kind: Kind,
    /// The headline, at most 300 characters.
    #[serde(default)]
    #[schema(
        required = true,
        min_length = 1,
        max_length = 300,
        example = "Village board approves budget"
    )]
    pub title: String,
    /// The address on the site, `/stories/{slug}`: lowercase letters, digits and single
    /// hyphens. Made from the title on `POST` and kept as it is on `PUT` when left out.
    #[serde(default)]
    #[schema(example = "village-board-approves-budget")]
    pub slug: Option<String>,
    /// The short summary shown in lists.
    #[serde(default)]
    pub summary: String,
    /// The body in Markdown.
    #[serde(default)]
    pub body_md: String,
    /// A free-text byline, used when no staff author is chosen.
    #[serde(default)]
    pub byline: String,
    /// Staff author ids, in byline order (see `GET /authors`).
    #[serde(default)]
    #[schema(value_type = Vec<i64>)]
    pub authors: Vec<AuthorId>,
    /// The outlet a story came from.
    #[serde(default)]
    pub source_name: String,
    /// The original's address (https).
    #[serde(default)]
    pub source_url: String,
    /// Whether the page's canonical link points at the original (wire copy whose terms
    /// ask for it). `false` on `POST` and kept as it is on `PUT` when left out.
    #[serde(default)]
    pub source_canonical: Option<bool>,
    /// The section id (see `GET /sections`).
    #[schema(value_type = i64)]
    pub section: SectionId,
    /// Tag names.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The lead image's id (see `POST /media`). Publishing needs it to have alt text.
    #[serde(default)]
    #[schema(value_type = Option<i64>)]
    pub image: Option<MediaId>,
    /// The lead image's caption.
    #[serde(default)]
    pub image_caption: String,
    /// For videos: the address of a YouTube or Vimeo video (page or player address); it is
    /// stored as the host's privacy-enhanced player address. Other hosts are refused.
    #[serde(default)]
    pub video_url: String,
    /// For meeting briefs: the meeting.
    #[serde(default)]
    pub meeting: Option<MeetingBody>,
    /// For roundups: the items.
    #[serde(default)]
    pub items: Vec<ItemBody>,
    /// Correction and update notes, append-only: the stored notes stay as they are
    /// whatever is sent (leaving them out removes nothing), and each note sent that is not
    /// one of them is added, stamped with the time of the save.
    #[serde(default)]
    pub notes: Vec<NoteBody>,
}

impl ArticleInput {
    /// The desk's fields. The slug is the one given, else the stored one (`current`, for a
    /// replace), else made from the title; likewise `source_canonical`. Rules on the
    /// content itself (headline present, lengths, addresses) are checked by the desk.
    pub(crate) fn into_fields(
        self,
        current: Option<&ArticleFields>,
        now: DateTime<Utc>,
    ) -> Result<ArticleFields, ApiError> {
        let slug = match self.slug.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => Slug::parse(s)
                .map_err(|e| ApiError::unprocessable(format!("Slug: {}.", e.message)))?,
            _ => match current {
                Some(stored) => stored.slug.clone(),
                None => Slug::from_title(&self.title),
            },
        };
        let source_canonical = self
            .source_canonical
            .unwrap_or_else(|| current.is_some_and(|c| c.source_canonical));
        let meeting = self.meeting.map(|m| StoreMeeting {
            body: m.body,
            date: m.date,
            decisions: m
                .decisions
                .into_iter()
                .map(|d| CoreDecision {
                    motion: d.motion,
                    vote: d.vote,
                    outcome: d.outcome.into(),
                })
                .collect(),
        });
        let items = self
            .items
            .into_iter()
            .map(|i| RoundupItem {
                headline: i.headline,
                body_html: String::new(),
                body_md: i.body_md,
            })
            .collect();
        let parts = masthead_desk::kind_parts(self.kind.into(), self.video_url, meeting, items)
            .map_err(|e| ApiError::unprocessable(e.to_string()))?;
        Ok(ArticleFields {
            parts,
            source_canonical,
            title: self.title,
            slug,
            summary: self.summary,
            body_md: self.body_md,
            byline: self.byline,
            authors: self.authors,
            source_name: self.source_name,
            source_url: self.source_url,
            section: self.section,
            tags: self.tags,
            image: self.image,
            image_caption: self.image_caption,
            notes: self
                .notes
                .into_iter()
                .map(|n| Note {
                    kind: n.kind.into(),
                    text: n.text,
                    at: n.at.unwrap_or(now),
                })
                .collect(),
        })
    }
}

/// An article as the desk holds it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleOut {
    /// Its id.
    #[schema(value_type = i64)]
    pub id: ArticleId,
    /// Where it is in its life.
    pub status: Status,
    /// Increases with every save; send it back with the next change.
    pub version: i64,
    /// The id of the staff account that started it.
    #[schema(value_type = Option<i64>)]
    pub owner: Option<masthead_core::UserId>,
    /// When it is (or was) published or scheduled for.
    pub published_at: Option<DateTime<Utc>>,
    /// When it was last saved.
    pub modified_at: DateTime<Utc>,
    /// Its public address, while it is published.
    pub public_url: Option<String>,
    /// The kind of piece.
    pub kind: Kind,
    /// The headline.
    pub title: String,
    /// The address on the site: `/stories/{slug}`.
    pub slug: String,
    /// The short summary.
    pub summary: String,
    /// The body in Markdown.
    pub body_md: String,
    /// The free-text byline.
    pub byline: String,
    /// Staff author ids, in byline order.
    #[schema(value_type = Vec<i64>)]
    pub authors: Vec<AuthorId>,
    /// The outlet a story came from.
    pub source_name: String,
    /// The original's address.
    pub source_url: String,
    /// Whether the page's canonical link points at the original.
    pub source_canonical: bool,
    /// The section id.
    #[schema(value_type = i64)]
    pub section: SectionId,
    /// Tag names.
    pub tags: Vec<String>,
    /// The lead image's id.
    #[schema(value_type = Option<i64>)]
    pub image: Option<MediaId>,
    /// The lead image's caption.
    pub image_caption: String,
    /// For videos: the player's address.
    pub video_url: String,
    /// For meeting briefs: the meeting.
    pub meeting: Option<MeetingBody>,
    /// For roundups: the items.
    pub items: Vec<ItemBody>,
    /// Correction and update notes.
    pub notes: Vec<NoteBody>,
}

impl ArticleOut {
    /// The API's view of a desk article at `now` (a scheduled story whose time has come is
    /// published); `base_url` makes the public address absolute.
    pub(crate) fn new(article: DeskArticle, base_url: &str, now: DateTime<Utc>) -> Self {
        let f = article.fields;
        let status = article.status.as_of(article.published_at, now);
        let public_url = (status == ArticleStatus::Published)
            .then(|| format!("{}/stories/{}", base_url.trim_end_matches('/'), f.slug));
        ArticleOut {
            id: article.id,
            status: status.into(),
            version: article.version,
            owner: article.owner,
            published_at: article.published_at,
            modified_at: article.modified_at,
            public_url,
            kind: f.kind().into(),
            title: f.title,
            slug: f.slug.to_string(),
            summary: f.summary,
            body_md: f.body_md,
            byline: f.byline,
            authors: f.authors,
            source_name: f.source_name,
            source_url: f.source_url,
            source_canonical: f.source_canonical,
            section: f.section,
            tags: f.tags,
            image: f.image,
            image_caption: f.image_caption,
            video_url: f.parts.video_url().to_owned(),
            meeting: f.parts.meeting().cloned().map(|m| MeetingBody {
                body: m.body,
                date: m.date,
                decisions: m
                    .decisions
                    .into_iter()
                    .map(|d| DecisionBody {
                        motion: d.motion,
                        vote: d.vote,
                        outcome: d.outcome.into(),
                    })
                    .collect(),
            }),
            items: f
                .parts
                .items()
                .iter()
                .cloned()
                .map(|i| ItemBody {
                    headline: i.headline,
                    body_md: i.body_md,
                })
                .collect(),
            notes: f
                .notes
                .into_iter()
                .map(|n| NoteBody {
                    kind: n.kind.into(),
                    text: n.text,
                    at: Some(n.at),
                })
                .collect(),
        }
    }
}

/// An article in a list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleRow {
    /// Its id; `GET /articles/{id}` has the rest.
    #[schema(value_type = i64)]
    pub id: ArticleId,
    /// The headline.
    pub title: String,
    /// The kind of piece.
    pub kind: Kind,
    /// Where it is in its life.
    pub status: Status,
    /// The name of the staff member who started it.
    pub owner: String,
    /// When it is (or was) published.
    pub published_at: Option<DateTime<Utc>>,
    /// When it was last saved.
    pub modified_at: DateTime<Utc>,
}

impl ArticleRow {
    /// A list row as of `now` (a scheduled story whose time has come is published).
    pub(crate) fn new(r: DeskRow, now: DateTime<Utc>) -> Self {
        ArticleRow {
            id: r.id,
            title: r.title,
            kind: r.kind.into(),
            status: r.status.as_of(r.published_at, now).into(),
            owner: r.owner,
            published_at: r.published_at,
            modified_at: r.modified_at,
        }
    }
}

/// One page of articles, most recently saved first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ArticleList {
    /// The articles on this page.
    pub items: Vec<ArticleRow>,
    /// This page's number, from 1; 0 for a page asked for with `before`.
    pub page: u32,
    /// Whether a next page exists.
    pub has_more: bool,
    /// When a next page exists, the value to send as `before` to get it.
    pub next: Option<String>,
}

/// The body of a status change: the version it starts from.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionInput {
    /// The version the change started from (as returned by `GET`).
    pub version: i64,
}

/// The body of a schedule: the version it starts from and when to publish.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleInput {
    /// The version the change started from (as returned by `GET`).
    pub version: i64,
    /// When to publish: RFC 3339 with any offset (answered in UTC), in the future; a time
    /// that is not is a 422.
    #[schema(example = "2099-12-01T06:00:00-06:00")]
    pub publish_at: DateTime<Utc>,
}
