//! The meeting desk's JSON shapes: bodies, meetings, documents (with the text read from
//! them and the extraction), and briefs.

use masthead_core::{ArticleId, BodyId, DocumentId, EventId, MeetingId};
use masthead_store::{BodyMember, MeetingBrief, MeetingDocument, MeetingRecord, PublicBody};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A member of a body.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberIo {
    /// Their name as the minutes write it, at most 200 characters.
    #[schema(
        example = "Dana Ortiz",
        min_length = 1,
        max_length = 200,
        pattern = "[^\\s\u{85}]"
    )]
    pub name: String,
    /// Their seat, at most 200 characters.
    #[serde(default)]
    #[schema(example = "President", max_length = 200)]
    pub title: String,
    /// When the term began.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub term_start: Option<chrono::NaiveDate>,
    /// When the term ends.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub term_end: Option<chrono::NaiveDate>,
}

impl From<MemberIo> for BodyMember {
    fn from(m: MemberIo) -> Self {
        BodyMember {
            name: m.name,
            title: m.title,
            term_start: m.term_start,
            term_end: m.term_end,
        }
    }
}

impl From<BodyMember> for MemberIo {
    fn from(m: BodyMember) -> Self {
        MemberIo {
            name: m.name,
            title: m.title,
            term_start: m.term_start,
            term_end: m.term_end,
        }
    }
}

/// A public body as written.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BodyInput {
    /// Its name, at most 200 characters.
    #[schema(
        example = "Cedar Hollow Village Board",
        min_length = 1,
        max_length = 200,
        pattern = "[^\\s\u{85}]"
    )]
    pub name: String,
    /// What kind of body it is.
    #[schema(example = "village board")]
    pub kind: BodyKind,
    /// Where it usually meets, at most 200 characters.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub place: String,
    /// A few words about it for its page, at most 4,000 bytes.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub about: String,
    /// Its members, at most 60.
    #[serde(default)]
    #[schema(max_items = 60)]
    pub members: Vec<MemberIo>,
}

/// The kinds of body.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum BodyKind {
    #[serde(rename = "village board")]
    VillageBoard,
    #[serde(rename = "city council")]
    CityCouncil,
    #[serde(rename = "town board")]
    TownBoard,
    #[serde(rename = "county commission")]
    CountyCommission,
    #[serde(rename = "school board")]
    SchoolBoard,
    #[serde(rename = "planning commission")]
    PlanningCommission,
    #[serde(rename = "zoning board")]
    ZoningBoard,
    #[serde(rename = "library board")]
    LibraryBoard,
    Other,
}

impl BodyKind {
    /// The name the desk stores.
    pub fn as_str(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

/// A public body.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BodyOut {
    /// Its id.
    #[schema(value_type = i64)]
    pub id: BodyId,
    /// Its page: `/bodies/{slug}`.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// Its kind.
    pub kind: String,
    /// Where it usually meets.
    pub place: String,
    /// About it.
    pub about: String,
    /// Its members.
    pub members: Vec<MemberIo>,
}

impl From<PublicBody> for BodyOut {
    fn from(b: PublicBody) -> Self {
        BodyOut {
            id: b.id,
            slug: b.slug,
            name: b.fields.name,
            kind: b.fields.kind,
            place: b.fields.place,
            about: b.fields.about,
            members: b.fields.members.into_iter().map(MemberIo::from).collect(),
        }
    }
}

/// A meeting as written; its date and time are the site's local time.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MeetingInput {
    /// The body that meets.
    #[schema(value_type = i64, minimum = 1)]
    pub body: i64,
    /// The day, `YYYY-MM-DD`.
    #[schema(value_type = String, format = Date, example = "2026-12-09")]
    pub date: chrono::NaiveDate,
    /// The time, `HH:MM` (24-hour); 19:00 when left out.
    #[serde(default)]
    #[schema(example = "19:00", pattern = "^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    pub time: Option<String>,
    /// Where; the body's usual place when left out. At most 200 characters.
    #[serde(default)]
    #[schema(max_length = 200)]
    pub place: String,
    /// Where it stands.
    pub status: MeetingStatusIo,
}

/// Where a meeting stands.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MeetingStatusIo {
    /// Announced, not yet held: on the events calendar.
    Scheduled,
    /// Held.
    Held,
    /// Called off: marked so on the calendar.
    Cancelled,
}

impl MeetingStatusIo {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Held => "held",
            Self::Cancelled => "cancelled",
        }
    }
}

/// A meeting, with its documents and briefs.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingOut {
    /// Its id.
    #[schema(value_type = i64)]
    pub id: MeetingId,
    /// The body that meets.
    #[schema(value_type = i64)]
    pub body: BodyId,
    /// That body's name.
    pub body_name: String,
    /// When it starts (RFC 3339, UTC).
    #[schema(value_type = String, format = DateTime)]
    pub starts_at: chrono::DateTime<chrono::Utc>,
    /// Where.
    pub place: String,
    /// Where it stands: scheduled, held or cancelled.
    pub status: String,
    /// The calendar event announcing it.
    #[schema(value_type = Option<i64>)]
    pub event: Option<EventId>,
    /// Its documents.
    pub documents: Vec<DocumentOut>,
    /// The briefs drafted from them.
    pub briefs: Vec<BriefOut>,
}

impl MeetingOut {
    /// The meeting with its documents and briefs.
    pub fn of(
        m: MeetingRecord,
        documents: Vec<MeetingDocument>,
        briefs: Vec<MeetingBrief>,
    ) -> Self {
        let slug = m.body_slug.clone();
        MeetingOut {
            id: m.id,
            body: m.body_id,
            body_name: m.body_name,
            starts_at: m.starts_at,
            place: m.place,
            status: m.status.as_str().to_owned(),
            event: m.event_id,
            documents: documents
                .into_iter()
                .map(|d| DocumentOut::of(d, &slug))
                .collect(),
            briefs: briefs.into_iter().map(BriefOut::from).collect(),
        }
    }
}

/// A document of a meeting.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentOut {
    /// Its id.
    #[schema(value_type = i64)]
    pub id: DocumentId,
    /// Its meeting.
    #[schema(value_type = i64)]
    pub meeting: MeetingId,
    /// minutes, agenda or other.
    pub kind: String,
    /// The file's name.
    pub file_name: String,
    /// `application/pdf` or `text/plain; charset=utf-8`.
    pub content_type: String,
    /// Its size in bytes.
    pub byte_size: i64,
    /// Its SHA-256, hex.
    pub sha256: String,
    /// Where it was fetched from, if it was.
    pub source_url: String,
    /// Whether readers may see it.
    pub public: bool,
    /// Where readers find the original, when public.
    pub url: Option<String>,
}

impl DocumentOut {
    /// The document, its public address under the body's page `slug`.
    pub fn of(d: MeetingDocument, slug: &str) -> Self {
        DocumentOut {
            url: d
                .public
                .then(|| format!("/bodies/{slug}/documents/{}", d.id)),
            id: d.id,
            meeting: d.meeting_id,
            kind: d.kind,
            file_name: d.file_name,
            content_type: d.content_type,
            byte_size: d.byte_size,
            sha256: d.sha256,
            source_url: d.source_url,
            public: d.public,
        }
    }
}

/// A document with its text and what was read from it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentRead {
    /// The document.
    pub document: DocumentOut,
    /// The text read from it; every span in `extraction` is a byte range of this text.
    pub text: String,
    /// What was read: `present`, `absent`, `motions` (each with `text`, `mover`, `seconder`,
    /// `votes`, `tally`, `outcome`, `vote_words`, `amounts`, `references` and `span`),
    /// `speakers` and `adjourned`; every fact as `{value, span: {start, end}, how}` with
    /// `how` "recorded" or "inferred". The same shape as `masthead meeting extract`.
    #[schema(value_type = Object)]
    pub extraction: serde_json::Value,
}

/// What to draft a brief from.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BriefInput {
    /// The meeting's document to read.
    #[schema(value_type = i64, minimum = 1)]
    pub document: i64,
    /// The section the brief goes in.
    #[schema(value_type = i64, minimum = 1)]
    pub section: i64,
    /// Have the site's prose helper write the opening paragraphs from the facts (checked
    /// against the record, with a disclosure line). Refused when none is configured.
    #[serde(default)]
    pub prose: bool,
}

/// A brief's tie to the record.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BriefOut {
    /// The story (see `/articles/{id}`).
    #[schema(value_type = i64)]
    pub article: ArticleId,
    /// Its meeting.
    #[schema(value_type = i64)]
    pub meeting: MeetingId,
    /// The document it was drafted from, while it is kept.
    #[schema(value_type = Option<i64>)]
    pub document: Option<DocumentId>,
    /// When an editor signed its facts off; it cannot publish before.
    #[schema(value_type = Option<String>, format = DateTime)]
    pub signed_off_at: Option<chrono::DateTime<chrono::Utc>>,
    /// Where the desk shows it beside the record.
    pub review_url: String,
}

impl From<MeetingBrief> for BriefOut {
    fn from(b: MeetingBrief) -> Self {
        BriefOut {
            review_url: format!("/admin/briefs/{}", b.article_id),
            article: b.article_id,
            meeting: b.meeting_id,
            document: b.document_id,
            signed_off_at: b.signed_off_at,
        }
    }
}
