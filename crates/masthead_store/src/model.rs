//! What the store reads and writes: read models shaped for pages (serializable, so templates
//! can use them directly) and write models holding already-validated domain values.

use crate::story::ArticleFields;
use chrono::{DateTime, NaiveDate, Utc};
use masthead_core::{
    ArticleId, ArticleKind, AuthorId, Decision, EventId, EventStatus, NoteKind, SectionId, TagId,
    UserId,
};
use serde::{Deserialize, Serialize};

/// A section of the site, as shown in navigation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Section {
    /// Its id.
    pub id: SectionId,
    /// Its URL slug.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// One sentence about it.
    pub description: String,
}

/// A staff author, with the fields shown on their page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Author {
    /// Their id.
    pub id: AuthorId,
    /// Their URL slug.
    pub slug: String,
    /// Their name as printed in bylines.
    pub name: String,
    /// A short biography.
    pub bio: String,
    /// Their photo, if any.
    pub photo: Option<Image>,
}

/// A tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tag {
    /// Its id.
    pub id: TagId,
    /// Its URL slug.
    pub slug: String,
    /// Its name as written by the editor.
    pub name: String,
}

/// A name and slug, enough to link to an author or a tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameRef {
    /// The slug for the link.
    pub slug: String,
    /// The name to show.
    pub name: String,
}

/// A stored image as used on a page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Image {
    /// The generated file name under the media directory.
    pub storage_name: String,
    /// Text describing the image for people who cannot see it.
    pub alt: String,
    /// Who made it.
    pub credit: String,
    /// Width in pixels.
    pub width: i64,
    /// Height in pixels.
    pub height: i64,
    /// Widths, in pixels and ascending, of the resized copies stored next to it (for
    /// `srcset`); empty for images stored without them.
    pub variants: Vec<u32>,
    /// The focal point, in percent of the width (50 is the centre); crops keep it in view.
    pub focus_x: i64,
    /// The focal point, in percent of the height.
    pub focus_y: i64,
    /// The social-card copy cropped around the focal point (for `og:image`); empty for
    /// images stored before cards were made.
    pub card_name: String,
}

/// Who wrote a piece: staff authors, or a free-text byline (wire copy), and the source credit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Byline {
    /// Staff authors in byline order; empty for wire copy.
    pub authors: Vec<NameRef>,
    /// A free-text writer name, used when there are no staff authors.
    pub text: String,
    /// The wire service or partner credited, e.g. "Prairie State Wire"; empty for own copy.
    pub source: String,
}

/// An article as shown in lists: enough for a teaser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Teaser {
    /// Its id.
    pub id: ArticleId,
    /// Its kind.
    pub kind: ArticleKind,
    /// Its label ("Opinion", "Video", …), if the kind has one.
    pub label: Option<&'static str>,
    /// Its headline.
    pub title: String,
    /// Its permalink slug.
    pub slug: String,
    /// The "Article Summary" text; may be empty.
    pub summary: String,
    /// The teaser excerpt, already cut at a word boundary.
    pub excerpt: String,
    /// Who wrote it.
    pub byline: Byline,
    /// Its section.
    pub section: NameRef,
    /// Its lead image.
    pub image: Option<Image>,
    /// When it was (or will be) published.
    pub published_at: DateTime<Utc>,
    /// When it was last updated, if it was.
    pub updated_at: Option<DateTime<Utc>>,
    /// How many approved comments it has.
    pub comment_count: i64,
}

/// A correction or update note shown on a story.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// Correction or update.
    pub kind: NoteKind,
    /// The note's text.
    pub text: String,
    /// When it was added.
    pub at: DateTime<Utc>,
}

impl Note {
    /// The notes to store when `submitted` is saved over `stored`: every stored note, as it
    /// is, followed by each submitted note that is not one of them, stamped `now`. Notes
    /// cannot be edited, removed or back-dated; sending the stored ones back (as the API's
    /// read-modify-write does) changes nothing.
    pub fn append(stored: &[Note], submitted: &[Note], now: DateTime<Utc>) -> Vec<Note> {
        let mut notes = stored.to_vec();
        for note in submitted {
            if !stored.contains(note) && !note.text.trim().is_empty() {
                notes.push(Note {
                    kind: note.kind,
                    text: note.text.trim().to_owned(),
                    at: now,
                });
            }
        }
        notes
    }
}

/// A public body's meeting covered by a meeting brief.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meeting {
    /// The body, e.g. "Cedar Hollow Village Board".
    pub body: String,
    /// The day it met.
    pub date: NaiveDate,
    /// What it decided.
    pub decisions: Vec<Decision>,
}

/// An approved reader comment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicComment {
    /// Its id.
    #[serde(default)]
    pub id: i64,
    /// The comment it answers, for a reply.
    #[serde(default)]
    pub parent: Option<i64>,
    /// The name the reader gave.
    pub name: String,
    /// The reader's website, if given (checked http(s) when posted; checked again on output).
    #[serde(default)]
    pub website: String,
    /// The comment text (plain text; escaped on output).
    pub body: String,
    /// When it was posted, as Unix microseconds.
    pub at: i64,
}

/// Everything the article page shows about one article.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArticlePage {
    /// The teaser fields.
    #[serde(flatten)]
    pub teaser: Teaser,
    /// The body as sanitized HTML. Left out of the template's `a` (the page hands it over
    /// once, as `body`): serialising a copy of every story's body was wasted work.
    #[serde(skip_serializing)]
    pub body_html: String,
    /// Every field its writers set, read through the one column mapping (`story.rs`), so a
    /// new field reaches the page's template without touching this query: the source, the
    /// caption, a video's player, a meeting, a roundup's items (their `body_html` rendered),
    /// the correction notes. Its `body_md` is empty (the page shows `body_html`), and its
    /// `authors` and `tags` too: the page shows the teaser's byline and
    /// [`ArticlePage::tags`], with names and addresses.
    pub story: ArticleFields,
    /// Its tags.
    pub tags: Vec<NameRef>,
    /// Approved comments, oldest first.
    pub comments: Vec<PublicComment>,
    /// Whether its comments are open (before the site's auto-close rule).
    pub comments_open: bool,
}

/// A community calendar event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Event {
    /// Its id.
    pub id: EventId,
    /// Its title.
    pub title: String,
    /// When it starts.
    pub starts_at: DateTime<Utc>,
    /// When it ends, if known.
    pub ends_at: Option<DateTime<Utc>>,
    /// Whether it lasts all day (times are then not shown).
    pub all_day: bool,
    /// The IANA time zone its times are shown in.
    pub timezone: String,
    /// Where it happens.
    pub location: String,
    /// What it is.
    pub description: String,
    /// A link for more information; may be empty.
    pub link: String,
    /// Its address on the calendar, `/events/{slug}`.
    pub slug: String,
    /// Approved or cancelled on public pages; any status in the desk.
    pub status: EventStatus,
    /// Whether it was called off (shown, marked cancelled).
    pub cancelled: bool,
    /// Its recurrence rule (canonical `RRULE` value), or empty for one date.
    pub rrule: String,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// An event as the desk sees it: with the organiser's contact, which no public page, feed
/// or API answer for readers carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeskEvent {
    /// The event (its first date).
    pub event: Event,
    /// How to reach the organiser.
    pub contact: String,
}

/// A new calendar event.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// Its title.
    pub title: String,
    /// When it starts.
    pub starts_at: DateTime<Utc>,
    /// When it ends.
    pub ends_at: Option<DateTime<Utc>>,
    /// Whether it lasts all day.
    pub all_day: bool,
    /// Its IANA time zone.
    pub timezone: String,
    /// Where.
    pub location: String,
    /// What.
    pub description: String,
    /// More information.
    pub link: String,
    /// Moderation status.
    pub status: EventStatus,
}

/// A new stored image's metadata (the bytes are stored by the caller under `storage_name`).
#[derive(Debug, Clone)]
pub struct NewMedia {
    /// The generated file name.
    pub storage_name: String,
    /// The uploader's file name, kept as metadata only.
    pub original_name: String,
    /// The exact content type to serve it with.
    pub content_type: String,
    /// Width in pixels.
    pub width: i64,
    /// Height in pixels.
    pub height: i64,
    /// Size in bytes.
    pub byte_size: i64,
    /// Alt text.
    pub alt: String,
    /// Credit line.
    pub credit: String,
    /// The staff account that uploaded it; `None` for demo and imported images.
    pub uploaded_by: Option<UserId>,
    /// Widths, in pixels, of the resized copies stored next to it.
    pub variants: Vec<u32>,
}

/// One page of a list, with whether an older page exists.
#[derive(Debug, Clone, Serialize)]
pub struct ListPage<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// Whether there are more items after these.
    pub has_more: bool,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn note(text: &str, at: DateTime<Utc>) -> Note {
        Note {
            kind: NoteKind::Correction,
            text: text.into(),
            at,
        }
    }

    #[test]
    fn notes_are_append_only_and_new_ones_are_stamped_now() {
        let then = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let now = Utc.with_ymd_and_hms(2026, 2, 1, 0, 0, 0).unwrap();
        let stored = vec![note("First", then)];
        assert_eq!(Note::append(&stored, &[], now), stored);
        assert_eq!(Note::append(&stored, &stored, now), stored);
        let forged = note(
            "Back-dated",
            Utc.with_ymd_and_hms(2000, 1, 1, 0, 0, 0).unwrap(),
        );
        let merged = Note::append(&stored, &[forged, note("  ", now)], now);
        assert_eq!(merged, vec![note("First", then), note("Back-dated", now)]);
    }
}
