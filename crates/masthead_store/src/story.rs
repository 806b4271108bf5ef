//! The one write model of a story: every field an editor, the API, the demo loader, the
//! benchmark generator and the importers set, with the parts only one kind of piece has
//! held by that kind. A revision stores exactly [`ArticleFields`], as JSON.
//!
//! This file is also the one place that maps the fields to the `articles` table's columns:
//! [`FIELD_COLUMNS`] names them, [`bind_fields`] binds them in that order for the one insert
//! and the one update (`story_write.rs`), and [`ArticleFields::from_row`] reads them back by
//! name. A new field is a migration pair and a line in each of those three places; a plain
//! text field is also named in [`TEXT_FIELDS`], which the editor's form, the revision diff
//! and the desk's rules read.

use crate::columns::Columns;
use crate::model::{Meeting, Note};
use crate::{Result, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use masthead_core::{ArticleKind, ArticleStatus, AuthorId, MediaId, RoundupItem, SectionId, Slug};
use serde::{Deserialize, Serialize};
use sqlx::Any;
use sqlx::any::AnyArguments;
use sqlx::query::Query;

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

/// Declares the story's plain text fields once, with the label people see: the editor's
/// form, the revision diff and the desk's rules go through [`ArticleFields::texts`] and
/// [`ArticleFields::texts_mut`], so a new text field reaches them by being named here.
macro_rules! text_fields {
    ($($field:ident: $label:literal),* $(,)?) => {
        /// The names of the plain text fields, as forms and the API call them.
        pub const TEXT_FIELDS: &[&str] = &[$(stringify!($field)),*];

        impl ArticleFields {
            /// Each plain text field: its name, the label people see, and its value.
            pub fn texts(&self) -> impl Iterator<Item = (&'static str, &'static str, &str)> {
                [$((stringify!($field), $label, self.$field.as_str())),*].into_iter()
            }

            /// Each plain text field by name, to fill in.
            pub fn texts_mut(&mut self) -> impl Iterator<Item = (&'static str, &mut String)> {
                [$((stringify!($field), &mut self.$field)),*].into_iter()
            }
        }
    };
}

text_fields!(
    title: "Headline",
    summary: "Summary",
    body_md: "Body",
    byline: "Byline",
    source_name: "Source",
    source_url: "Source address",
    image_caption: "Caption",
);

/// The `articles` columns a story's fields (and their rendering) are stored in, in the order
/// [`bind_fields`] binds them. Authors and tags live in their own tables.
pub(crate) const FIELD_COLUMNS: &[&str] = &[
    "kind",
    "slug",
    "title",
    "summary",
    "excerpt",
    "body_md",
    "body_html",
    "byline",
    "source_name",
    "source_url",
    "source_canonical",
    "section_id",
    "image_id",
    "image_caption",
    "video_url",
    "meeting_body",
    "meeting_date",
    "decisions_json",
    "items_json",
    "notes_json",
];

/// Binds the values of [`FIELD_COLUMNS`], in order, to `query`.
pub(crate) fn bind_fields<'q>(
    query: Query<'q, Any, AnyArguments>,
    fields: &ArticleFields,
    text: &RenderedText,
) -> Result<Query<'q, Any, AnyArguments>> {
    let parts = &fields.parts;
    let (meeting_body, meeting_date, decisions) = match parts.meeting() {
        Some(m) => (
            m.body.clone(),
            m.date.to_string(),
            serde_json::to_string(&m.decisions)?,
        ),
        None => (String::new(), String::new(), "[]".to_owned()),
    };
    Ok(query
        .bind(fields.kind().as_str())
        .bind(fields.slug.as_str().to_owned())
        .bind(fields.title.clone())
        .bind(fields.summary.clone())
        .bind(text.excerpt.clone())
        .bind(fields.body_md.clone())
        .bind(text.body_html.clone())
        .bind(fields.byline.clone())
        .bind(fields.source_name.clone())
        .bind(fields.source_url.clone())
        .bind(i64::from(fields.source_canonical))
        .bind(fields.section.0)
        .bind(fields.image.map(|m| m.0))
        .bind(fields.image_caption.clone())
        .bind(parts.video_url().to_owned())
        .bind(meeting_body)
        .bind(meeting_date)
        .bind(decisions)
        .bind(serde_json::to_string(parts.items())?)
        .bind(serde_json::to_string(&fields.notes)?))
}

impl ArticleFields {
    /// The fields stored in `row` (which selected [`FIELD_COLUMNS`]), with the story's
    /// authors and tags from their tables.
    pub(crate) fn from_row(
        row: &impl Columns,
        authors: Vec<AuthorId>,
        tags: Vec<String>,
    ) -> Result<Self> {
        Ok(ArticleFields {
            parts: kind_parts(row)?,
            title: row.text("title")?,
            slug: Slug::parse(&row.text("slug")?)?,
            summary: row.text("summary")?,
            body_md: row.text("body_md")?,
            byline: row.text("byline")?,
            authors,
            source_name: row.text("source_name")?,
            source_url: row.text("source_url")?,
            source_canonical: row.int("source_canonical")? != 0,
            section: SectionId(row.int("section_id")?),
            tags,
            image: row.opt_int("image_id")?.map(MediaId),
            image_caption: row.text("image_caption")?,
            notes: serde_json::from_str(&row.text("notes_json")?)?,
        })
    }
}

/// A story's kind and kind-specific parts from its row's `kind`, `video_url`,
/// `meeting_body`, `meeting_date`, `decisions_json` and `items_json` columns.
fn kind_parts(row: &impl Columns) -> Result<KindParts> {
    Ok(match ArticleKind::parse(&row.text("kind")?)? {
        ArticleKind::News => KindParts::News,
        ArticleKind::Opinion => KindParts::Opinion,
        ArticleKind::Video => KindParts::Video {
            video_url: row.text("video_url")?,
        },
        ArticleKind::Roundup => KindParts::Roundup {
            items: serde_json::from_str(&row.text("items_json")?)?,
        },
        ArticleKind::MeetingBrief => KindParts::MeetingBrief {
            meeting: meeting(row)?
                .ok_or_else(|| StoreError::Corrupt("a meeting brief without its meeting".into()))?,
        },
    })
}

/// The meeting stored in a row's `meeting_*` and `decisions_json` columns, if any.
pub(crate) fn meeting(row: &impl Columns) -> Result<Option<Meeting>> {
    let body = row.text("meeting_body")?;
    if body.is_empty() {
        return Ok(None);
    }
    let date = row.text("meeting_date")?;
    Ok(Some(Meeting {
        body,
        date: NaiveDate::parse_from_str(&date, "%Y-%m-%d")
            .map_err(|e| StoreError::Corrupt(format!("meeting date {date:?}: {e}")))?,
        decisions: serde_json::from_str(&row.text("decisions_json")?)?,
    }))
}

/// What the desk rendered from the fields' Markdown when saving.
#[derive(Debug, Clone, Default)]
pub struct RenderedText {
    /// The body as sanitized HTML.
    pub body_html: String,
    /// The plain-text excerpt.
    pub excerpt: String,
    /// The body's words as plain text, with a roundup's items and a meeting's decisions:
    /// what search indexes besides the headline and the summary.
    pub search_body: String,
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
