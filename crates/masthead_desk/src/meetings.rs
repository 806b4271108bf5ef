//! The meeting desk's rules for public bodies, their meetings and a meeting's documents,
//! below the desk's pages and the API: what a valid body, meeting and document is, who may
//! keep them ([`SiteAction::CoverMeetings`]: authors and up), and the one way each is
//! written. A meeting that is upcoming is announced on the events calendar, its event built
//! here in the site's time zone and written in the meeting's transaction. A document arrives
//! as bytes: a PDF (its text read by the caller, which may run the reader in a sandboxed
//! process) or UTF-8 text; anything else is refused with what to upload instead.
//! Drafting a brief from a document is `meeting_brief.rs`.

use crate::DeskError;
use crate::staff::Staff;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeDelta, Utc};
use chrono_tz::Tz;
use masthead_core::{BodyId, DocumentId, EventFields, InvalidInput, MeetingId, SiteAction, WebUrl};
use masthead_store::{BodyFields, BodyMember, MeetingFields, MeetingStatus, NewDocument, Store};
use sha2::{Digest, Sha256};

/// The kinds of body the desk offers.
pub const BODY_KINDS: &[&str] = &[
    "village board",
    "city council",
    "town board",
    "county commission",
    "school board",
    "planning commission",
    "zoning board",
    "library board",
    "other",
];

/// The kinds of document a meeting keeps.
pub const DOCUMENT_KINDS: &[&str] = &["minutes", "agenda", "other"];

/// The most members one body lists.
pub const MAX_MEMBERS: usize = 60;

/// The longest name, title or place.
const MAX_NAME: usize = 200;

/// The longest "about" text.
const MAX_ABOUT: usize = 4_000;

/// How long a meeting is announced as lasting on the calendar (the record says when it
/// ended; the calendar needs an end to place it).
const MEETING_HOURS: i64 = 2;

/// A body as typed into the desk's form (members one a line: `Name | Title | from | to`).
#[derive(Debug, Clone, Default)]
pub struct BodyDraft {
    /// Its name.
    pub name: String,
    /// One of [`BODY_KINDS`].
    pub kind: String,
    /// Where it usually meets.
    pub place: String,
    /// About it.
    pub about: String,
    /// Its members, one a line.
    pub members: String,
}

/// A body as typed, its members' lines read (the rules are checked when it is written).
pub fn body_fields(draft: &BodyDraft) -> Result<BodyFields, DeskError> {
    Ok(BodyFields {
        name: draft.name.clone(),
        kind: draft.kind.clone(),
        place: draft.place.clone(),
        about: draft.about.clone(),
        members: members(&draft.members)?,
    })
}

/// Checks a body, naming the first field that breaks a rule; returns it trimmed.
pub fn check_body(fields: BodyFields) -> Result<BodyFields, DeskError> {
    let name = one_line("Name", &fields.name, true)?;
    let kind = fields.kind.trim().to_lowercase();
    if !BODY_KINDS.contains(&kind.as_str()) {
        return Err(invalid(
            "Kind",
            format!("must be one of: {}", BODY_KINDS.join(", ")),
        ));
    }
    let place = one_line("Usual place", &fields.place, false)?;
    let about = fields.about.trim().to_owned();
    if about.len() > MAX_ABOUT || about.contains('\0') {
        return Err(invalid(
            "About",
            format!("must be at most {MAX_ABOUT} bytes of text"),
        ));
    }
    if fields.members.len() > MAX_MEMBERS {
        return Err(invalid(
            "Members",
            format!("list at most {MAX_MEMBERS} members"),
        ));
    }
    let mut members = Vec::with_capacity(fields.members.len());
    for m in fields.members {
        members.push(BodyMember {
            name: one_line("Members", &m.name, true)?,
            title: one_line("Members", &m.title, false)?,
            ..m
        });
    }
    Ok(BodyFields {
        name,
        kind,
        place,
        about,
        members,
    })
}

/// The members' lines as the form shows them again.
pub fn members_text(members: &[BodyMember]) -> String {
    let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    members
        .iter()
        .map(|m| {
            let line = format!(
                "{} | {} | {} | {}",
                m.name,
                m.title,
                date(m.term_start),
                date(m.term_end)
            );
            line.trim_end_matches([' ', '|']).to_owned()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn members(text: &str) -> Result<Vec<BodyMember>, DeskError> {
    let mut out = Vec::new();
    for (n, line) in text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .enumerate()
    {
        if n == MAX_MEMBERS {
            return Err(invalid(
                "Members",
                format!("list at most {MAX_MEMBERS} members"),
            ));
        }
        let mut parts = line.split('|').map(str::trim);
        let name = parts.next().unwrap_or_default().to_owned();
        let title = parts.next().unwrap_or_default().to_owned();
        let date = |s: Option<&str>| -> Result<Option<NaiveDate>, DeskError> {
            match s.filter(|s| !s.is_empty()) {
                None => Ok(None),
                Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .map(Some)
                    .map_err(|_| {
                        invalid(
                            "Members",
                            format!(
                                "line {}: write a term's dates as 2025-05-01, not {s:?}",
                                n + 1
                            ),
                        )
                    }),
            }
        };
        let term_start = date(parts.next())?;
        let term_end = date(parts.next())?;
        if parts.next().is_some() {
            return Err(invalid(
                "Members",
                format!("line {}: write Name | Title | term start | term end", n + 1),
            ));
        }
        out.push(BodyMember {
            name,
            title,
            term_start,
            term_end,
        });
    }
    Ok(out)
}

/// Adds a body.
pub async fn create_body(
    store: &Store,
    staff: &Staff,
    fields: BodyFields,
    now: DateTime<Utc>,
) -> Result<BodyId, DeskError> {
    staff.require(SiteAction::CoverMeetings)?;
    let fields = check_body(fields)?;
    Ok(store
        .create_public_body(&fields, &staff.actor(), now)
        .await?
        .0)
}

/// Changes a body.
pub async fn update_body(
    store: &Store,
    staff: &Staff,
    id: BodyId,
    fields: BodyFields,
    now: DateTime<Utc>,
) -> Result<(), DeskError> {
    staff.require(SiteAction::CoverMeetings)?;
    let fields = check_body(fields)?;
    Ok(store
        .update_public_body(id, &fields, &staff.actor(), now)
        .await?)
}

/// A meeting as typed: the date and time are the site's local time.
#[derive(Debug, Clone, Default)]
pub struct MeetingDraft {
    /// The body's id, as the form's select sends it.
    pub body: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// `HH:MM`, 24-hour.
    pub time: String,
    /// Where; empty for the body's usual place.
    pub place: String,
    /// One of scheduled, held, cancelled.
    pub status: String,
}

/// Where a meeting's announcement links, and the zone its time is in.
#[derive(Debug, Clone)]
pub struct Calendar {
    /// The site's time zone.
    pub timezone: Tz,
    /// The site's address (the event links to the body's page).
    pub base_url: String,
}

/// Adds a meeting, announced on the calendar unless it has been held.
pub async fn create_meeting(
    store: &Store,
    staff: &Staff,
    draft: &MeetingDraft,
    calendar: &Calendar,
    now: DateTime<Utc>,
) -> Result<MeetingId, DeskError> {
    staff.require(SiteAction::CoverMeetings)?;
    let fields = meeting_fields(store, draft, calendar).await?;
    Ok(store.create_meeting(&fields, &staff.actor(), now).await?)
}

/// Changes a meeting and its announcement.
pub async fn update_meeting(
    store: &Store,
    staff: &Staff,
    id: MeetingId,
    draft: &MeetingDraft,
    calendar: &Calendar,
    now: DateTime<Utc>,
) -> Result<(), DeskError> {
    staff.require(SiteAction::CoverMeetings)?;
    let fields = meeting_fields(store, draft, calendar).await?;
    Ok(store
        .update_meeting(id, &fields, &staff.actor(), now)
        .await?)
}

/// A meeting as typed, checked against the body it names, with the calendar event that
/// announces it unless it has been held.
pub async fn meeting_fields(
    store: &Store,
    draft: &MeetingDraft,
    calendar: &Calendar,
) -> Result<MeetingFields, DeskError> {
    let body = draft
        .body
        .trim()
        .parse::<i64>()
        .ok()
        .map(BodyId)
        .ok_or_else(|| invalid("Body", "choose the body that meets".to_owned()))?;
    let body = store.public_body(body).await?.ok_or_else(|| {
        invalid(
            "Body",
            "is not a public body of this site; choose one from the list".to_owned(),
        )
    })?;
    let status = MeetingStatus::parse(draft.status.trim())?;
    let local = local_time(&draft.date, &draft.time)?;
    let starts_at = masthead_core::recurrence::place(local, calendar.timezone);
    let place = match one_line("Place", &draft.place, false)? {
        p if p.is_empty() => body.fields.place.clone(),
        p => p,
    };
    let event = (status != MeetingStatus::Held).then(|| EventFields {
        title: format!("{} meeting", body.fields.name),
        start: local,
        end: Some(local + TimeDelta::hours(MEETING_HOURS)),
        all_day: false,
        timezone: calendar.timezone,
        location: place.clone(),
        description: format!(
            "A public meeting of the {}. Agendas, minutes and our coverage are on its page.",
            body.fields.name
        ),
        link: WebUrl::parse_optional(
            "Link",
            &format!(
                "{}/bodies/{}",
                calendar.base_url.trim_end_matches('/'),
                body.slug
            ),
        )
        .ok()
        .flatten(),
        contact: String::new(),
        rule: None,
    });
    Ok(MeetingFields {
        body: body.id,
        starts_at,
        place,
        status,
        event,
    })
}

fn local_time(date: &str, time: &str) -> Result<NaiveDateTime, DeskError> {
    let day = NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d")
        .map_err(|_| invalid("Date", "write the day it meets as 2026-11-04".to_owned()))?;
    let time = match time.trim() {
        "" => chrono::NaiveTime::from_hms_opt(19, 0, 0).unwrap_or_default(),
        t => chrono::NaiveTime::parse_from_str(t, "%H:%M").map_err(|_| {
            invalid(
                "Time",
                "write the time as 19:00 (24-hour), or leave it empty for 7 p.m.".to_owned(),
            )
        })?,
    };
    Ok(day.and_time(time))
}

/// A document as it arrived: uploaded, pasted or fetched.
#[derive(Debug, Clone, Default)]
pub struct DocumentUpload {
    /// One of [`DOCUMENT_KINDS`].
    pub kind: String,
    /// The file's name ("" for pasted text).
    pub file_name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
    /// Where it was fetched from, if it was.
    pub source_url: String,
    /// Whether readers may see it.
    pub public: bool,
}

/// What a document's bytes are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentBytes {
    /// A PDF: its text must be read before [`add_document`].
    Pdf,
    /// Text, as it reads.
    Text(String),
}

/// Sorts a document's bytes into a PDF or text, refusing anything else with the fix: a file
/// named `.pdf` that is not one, a Word file, an image, text that is not UTF-8.
pub fn sort_bytes(upload: &DocumentUpload) -> Result<DocumentBytes, DeskError> {
    let bytes = &upload.bytes;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(invalid(
            "Document",
            "is empty: choose the file of the agenda or minutes, or paste their text".to_owned(),
        ));
    }
    if masthead_meeting::is_pdf(bytes) {
        return Ok(DocumentBytes::Pdf);
    }
    let named_pdf = upload.file_name.to_lowercase().ends_with(".pdf");
    let text = std::str::from_utf8(bytes)
        .ok()
        .filter(|t| !t.contains('\0'));
    match text {
        // Spaced as a PDF's text is: the extractor reads one space between words.
        Some(text) if !named_pdf => Ok(DocumentBytes::Text(masthead_meeting::single_spaced_lines(
            &text.replace("\r\n", "\n"),
        ))),
        _ if named_pdf => Err(invalid(
            "Document",
            format!(
                "{:?} is named as a PDF but is not one (it does not start with %PDF-); \
                 download the clerk's PDF again, or paste the minutes' text",
                upload.file_name
            ),
        )),
        _ => Err(invalid(
            "Document",
            "is neither a PDF nor plain text (a Word file or an image?); save it as PDF or \
             paste its text"
                .to_owned(),
        )),
    }
}

/// Keeps a document with the text read from it. A record whose text is empty (a scanned
/// PDF without a text layer) or longer than one extraction reads is refused with the fix;
/// nothing is kept.
pub async fn add_document(
    store: &Store,
    staff: &Staff,
    meeting: MeetingId,
    upload: DocumentUpload,
    text: String,
    now: DateTime<Utc>,
) -> Result<DocumentId, DeskError> {
    staff.require(SiteAction::CoverMeetings)?;
    let doc = new_document(upload, text)?;
    Ok(store
        .add_meeting_document(meeting, &doc, &staff.actor(), now)
        .await?)
}

/// A document as the store keeps it, from what arrived and the text read from it, checked.
pub fn new_document(upload: DocumentUpload, text: String) -> Result<NewDocument, DeskError> {
    let kind = upload.kind.trim().to_lowercase();
    if !DOCUMENT_KINDS.contains(&kind.as_str()) {
        return Err(invalid(
            "Kind",
            format!("must be one of: {}", DOCUMENT_KINDS.join(", ")),
        ));
    }
    if text.trim().is_empty() {
        return Err(invalid(
            "Document",
            "has no text to read: it looks scanned (pictures of pages). Ask the clerk for a \
             text PDF, or run it through OCR and paste the text"
                .to_owned(),
        ));
    }
    if text.len() > masthead_meeting::MAX_TEXT {
        return Err(invalid(
            "Document",
            format!(
                "holds {} bytes of text, more than the {} one reading takes; split it into meetings",
                text.len(),
                masthead_meeting::MAX_TEXT
            ),
        ));
    }
    let pdf = masthead_meeting::is_pdf(&upload.bytes);
    let file_name = match one_line("File name", &upload.file_name, false)? {
        n if n.is_empty() => format!("{kind}.{}", if pdf { "pdf" } else { "txt" }),
        n => n.replace(['/', '\\', '"'], "-"),
    };
    Ok(NewDocument {
        kind,
        file_name,
        content_type: if pdf {
            "application/pdf"
        } else {
            "text/plain; charset=utf-8"
        }
        .to_owned(),
        sha256: hex(&Sha256::digest(&upload.bytes)),
        bytes: upload.bytes,
        source_url: upload.source_url,
        text,
        public: upload.public,
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn one_line(field: &'static str, value: &str, required: bool) -> Result<String, DeskError> {
    let v = value.trim();
    if required && v.is_empty() {
        return Err(invalid(field, "is required".to_owned()));
    }
    if v.chars().count() > MAX_NAME || v.contains(['\0', '\n', '\r']) {
        return Err(invalid(
            field,
            format!("must be one line of at most {MAX_NAME} characters"),
        ));
    }
    Ok(v.to_owned())
}

fn invalid(field: &'static str, message: String) -> DeskError {
    DeskError::Invalid(InvalidInput::new(field, message))
}
