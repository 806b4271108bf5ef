//! The one write model of a story: every field an editor, the API, the demo loader, the
//! benchmark generator and the importers set, with the parts only one kind of piece has
//! held by that kind. A revision stores exactly [`ArticleFields`], as JSON.

use crate::model::{Meeting, Note};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleKind, ArticleStatus, AuthorId, MediaId, RoundupItem, SectionId, Slug};
use serde::{Deserialize, Serialize};

/// What kind of piece a story is, with the parts only that kind has. Serialized as a
/// `kind` name beside those parts, which is also how revisions written before this type
/// existed read back (their extra empty parts are ignored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum KindParts {
    /// A news story.
    News,
    /// An opinion piece.
    Opinion,
    /// A video post.
    Video {
        /// The player's address (a privacy-enhanced YouTube or Vimeo player once checked).
        video_url: String,
    },
    /// A roundup of short items.
    Roundup {
        /// The items, in order.
        items: Vec<RoundupItem>,
    },
    /// A brief on a public body's meeting.
    MeetingBrief {
        /// The body, the date and what it decided.
        meeting: Meeting,
    },
}

impl KindParts {
    /// The kind these parts belong to.
    pub fn kind(&self) -> ArticleKind {
        match self {
            KindParts::News => ArticleKind::News,
            KindParts::Opinion => ArticleKind::Opinion,
            KindParts::Video { .. } => ArticleKind::Video,
            KindParts::Roundup { .. } => ArticleKind::Roundup,
            KindParts::MeetingBrief { .. } => ArticleKind::MeetingBrief,
        }
    }

    /// A kind with no parts, or with empty ones, for a form or a builder to fill in.
    pub fn empty(kind: ArticleKind) -> Self {
        match kind {
            ArticleKind::News => KindParts::News,
            ArticleKind::Opinion => KindParts::Opinion,
            ArticleKind::Video => KindParts::Video {
                video_url: String::new(),
            },
            ArticleKind::Roundup => KindParts::Roundup { items: Vec::new() },
            ArticleKind::MeetingBrief => KindParts::MeetingBrief {
                meeting: Meeting {
                    body: String::new(),
                    date: chrono::NaiveDate::default(),
                    decisions: Vec::new(),
                },
            },
        }
    }

    /// A video's player address; empty for other kinds.
    pub fn video_url(&self) -> &str {
        match self {
            KindParts::Video { video_url } => video_url,
            _ => "",
        }
    }

    /// A meeting brief's meeting.
    pub fn meeting(&self) -> Option<&Meeting> {
        match self {
            KindParts::MeetingBrief { meeting } => Some(meeting),
            _ => None,
        }
    }

    /// A roundup's items; empty for other kinds.
    pub fn items(&self) -> &[RoundupItem] {
        match self {
            KindParts::Roundup { items } => items,
            _ => &[],
        }
    }
}

/// Every field of a story that its writers set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArticleFields {
    /// The kind of piece and the parts only it has.
    #[serde(flatten)]
    pub parts: KindParts,
    /// The headline.
    pub title: String,
    /// The address: `/stories/{slug}`.
    pub slug: Slug,
    /// The short summary shown in lists.
    pub summary: String,
    /// The body in Markdown.
    pub body_md: String,
    /// A free-text writer's name for wire copy, e.g. "Jane Doe", used when no staff
    /// author is chosen.
    pub byline: String,
    /// Staff authors, in byline order.
    pub authors: Vec<AuthorId>,
    /// The wire service or outlet a story came from.
    pub source_name: String,
    /// The original's address.
    pub source_url: String,
    /// Whether the page's canonical link points at the original (wire copy whose licence
    /// asks for it). Kept as it is by the desk's editor, which does not show it.
    #[serde(default)]
    pub source_canonical: bool,
    /// The section.
    pub section: SectionId,
    /// Tag names.
    pub tags: Vec<String>,
    /// The lead image.
    pub image: Option<MediaId>,
    /// The lead image's caption.
    pub image_caption: String,
    /// Correction and update notes, oldest first.
    pub notes: Vec<Note>,
}

impl ArticleFields {
    /// A news story with only a headline, slug and section; set the rest with struct
    /// update syntax.
    pub fn news(title: &str, slug: Slug, section: SectionId) -> Self {
        ArticleFields {
            parts: KindParts::News,
            title: title.to_owned(),
            slug,
            summary: String::new(),
            body_md: String::new(),
            byline: String::new(),
            authors: Vec::new(),
            source_name: String::new(),
            source_url: String::new(),
            source_canonical: false,
            section,
            tags: Vec::new(),
            image: None,
            image_caption: String::new(),
            notes: Vec::new(),
        }
    }

    /// The kind of piece.
    pub fn kind(&self) -> ArticleKind {
        self.parts.kind()
    }
}

/// What the desk rendered from the fields' Markdown when saving.
#[derive(Debug, Clone, Default)]
pub struct RenderedText {
    /// The body as sanitized HTML.
    pub body_html: String,
    /// The plain-text excerpt.
    pub excerpt: String,
}

/// Where a story stands in its life when it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placement {
    /// Its status.
    pub status: ArticleStatus,
    /// When it is (or was) published; `None` while it never was.
    pub published_at: Option<DateTime<Utc>>,
    /// When it was last updated, if it was; a save with `None` keeps the stored time.
    pub updated_at: Option<DateTime<Utc>>,
}

impl Placement {
    /// A draft, never published.
    pub const DRAFT: Placement = Placement {
        status: ArticleStatus::Draft,
        published_at: None,
        updated_at: None,
    };
}

/// What the records a story names look like at the moment of writing, for the desk's
/// reference and publishing rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct References {
    /// Whether the section exists.
    pub section_exists: bool,
    /// The staff authors named that do not exist.
    pub missing_authors: Vec<AuthorId>,
    /// The lead image: `None` when none is chosen, `Some(None)` when it does not exist,
    /// `Some(Some(alt))` with its alt text otherwise.
    pub image_alt: Option<Option<String>>,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn revisions_saved_before_kinds_were_typed_read_back() {
        let old = r#"{"kind":"video","title":"T","slug":"t","summary":"","body_md":"",
            "byline":"","authors":[1],"source_name":"","source_url":"","section":2,"tags":[],
            "image":null,"image_caption":"","video_url":"https://www.youtube-nocookie.com/embed/x",
            "meeting":null,"items":[],"notes":[]}"#;
        let fields: ArticleFields = serde_json::from_str(old).unwrap();
        assert_eq!(fields.kind(), ArticleKind::Video);
        assert_eq!(
            fields.parts.video_url(),
            "https://www.youtube-nocookie.com/embed/x"
        );
        assert!(!fields.source_canonical);
        let news = old.replace(r#""kind":"video""#, r#""kind":"news""#);
        let fields: ArticleFields = serde_json::from_str(&news).unwrap();
        assert_eq!(fields.parts, KindParts::News);
        let again: ArticleFields =
            serde_json::from_str(&serde_json::to_string(&fields).unwrap()).unwrap();
        assert_eq!(again, fields);
    }
}
