//! A meeting brief drafted from the record, and the editor's sign-off that lets it publish.
//!
//! [`draft_brief`] reads a meeting's document with `masthead_meeting::extract` and writes a
//! meeting-brief story, a draft, through the one story writer (`stories::create_tied`), tied
//! in the same transaction to the meeting, the document and the facts it was made from:
//! the decisions table (the `meeting` part) from the motions, a headline suggestion, a
//! summary made of the record's own sentences (never written anew), and a body that says
//! each decision with who moved and seconded it and links to its spot in the record, an
//! inferred fact marked as such. The facts are the editor's to check: the desk shows them
//! beside the record, and the story refuses to publish until an editor signs them off
//! ([`sign_off`], audit-logged).

use crate::DeskError;
use crate::staff::Staff;
use crate::stories::{BriefTie, Command, create_tied, load};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use masthead_core::{
    ArticleAction, ArticleId, Decision, DocumentId, InvalidInput, MeetingId, Outcome, SectionId,
    SiteAction, Slug,
};
use masthead_meeting::{CheckedSentence, Extraction, Fact, How, Motion};
use masthead_store::{
    ArticleFields, KindParts, Meeting, MeetingDocument, MeetingRecord, Store, StoreError,
};
use std::fmt::Write as _;

/// The longest suggested headline, in characters.
const HEADLINE_CHARS: usize = 110;

/// The longest suggested summary, in bytes.
const SUMMARY_BYTES: usize = 500;

/// What the desk asks for when it drafts a brief.
#[derive(Debug, Clone)]
pub struct BriefRequest {
    /// The meeting.
    pub meeting: MeetingId,
    /// The document to read (its minutes, usually).
    pub document: DocumentId,
    /// The section the brief goes in.
    pub section: SectionId,
    /// The site's time zone (the meeting's date as readers know it).
    pub timezone: Tz,
    /// Paragraphs the prose helper wrote from the facts, checked against the record
    /// (`masthead_meeting::check_prose`), when the editor asked for them.
    pub narrative: Option<Vec<Vec<CheckedSentence>>>,
}

/// The line a brief carries when the prose helper wrote part of it.
pub const PROSE_DISCLOSURE: &str = "*A language model drafted the opening paragraphs from the \
    facts in the record; an editor checked them against the record before publication.*";

/// Reads the document and writes the draft brief; returns the new story.
pub async fn draft_brief(
    store: &Store,
    staff: &Staff,
    request: BriefRequest,
    now: DateTime<Utc>,
) -> Result<ArticleId, DeskError> {
    staff.require(SiteAction::CoverMeetings)?;
    let meeting = store
        .meeting(request.meeting)
        .await?
        .ok_or(DeskError::NotFound)?;
    let (document, text) = store
        .meeting_document(request.document)
        .await?
        .filter(|(d, _)| d.meeting_id == meeting.id)
        .ok_or(DeskError::NotFound)?;
    let extraction = read(text.clone()).await?;
    if extraction.motions.is_empty() && extraction.present.is_empty() {
        return Err(DeskError::Invalid(InvalidInput::new(
            "Document",
            "no motions or attendance could be read from it: these may not be minutes, or they \
             are in a form the reader does not know. Write the brief by hand from the record \
             (New story, kind Meeting brief); the document stays kept and linked",
        )));
    }
    let facts = serde_json::to_string(&extraction)
        .map_err(|e| StoreError::Corrupt(format!("the facts could not be written: {e}")))?;
    let mut fields = compose(&meeting, &document, &extraction, &text, &request);
    fields.byline = staff.user.name.clone();
    // A second brief of one meeting gets the next free address.
    let base = fields.slug.as_str().to_owned();
    for n in 1..=20 {
        if n > 1 {
            fields.slug = Slug::parse(&format!("{base}-{n}"))?;
        }
        let tie = BriefTie {
            meeting: meeting.id,
            document: document.id,
            facts: &facts,
        };
        match create_tied(store, staff, fields.clone(), Command::Save, Some(tie), now).await {
            Err(DeskError::Conflict(m)) if m.contains("slug") => continue,
            done => return done,
        }
    }
    Err(DeskError::Conflict(format!(
        "twenty briefs of this meeting already use the address {base}; edit one of them"
    )))
}

/// Records that `staff`, who may publish the story, checked its facts against the record.
pub async fn sign_off(
    store: &Store,
    staff: &Staff,
    article: ArticleId,
    now: DateTime<Utc>,
) -> Result<(), DeskError> {
    let story = load(store, staff, article).await?;
    if !may_sign_off(staff, &story) {
        return Err(DeskError::Forbidden(
            "only an editor who may publish this story signs off its facts; ask one to check it"
                .to_owned(),
        ));
    }
    Ok(store.sign_off_brief(article, &staff.actor(), now).await?)
}

/// Whether `staff` may sign off `story`'s facts: an editor (or an administrator) who may
/// publish it. An author who may publish their own story still needs an editor's check.
pub fn may_sign_off(staff: &Staff, story: &masthead_store::DeskArticle) -> bool {
    staff.role.at_least(masthead_core::Role::Editor)
        && staff.may(ArticleAction::Publish, Some(story))
}

/// Reads the facts off the record, on a blocking thread (a long record takes a while).
pub async fn read(text: String) -> Result<Extraction, DeskError> {
    tokio::task::spawn_blocking(move || masthead_meeting::extract(&text))
        .await
        .map_err(|e| DeskError::Store(StoreError::Corrupt(format!("the reader failed: {e}"))))?
        .map_err(|e| DeskError::Invalid(InvalidInput::new("Document", e.to_string())))
}

/// The draft's fields, from the facts.
fn compose(
    meeting: &MeetingRecord,
    document: &MeetingDocument,
    extraction: &Extraction,
    text: &str,
    request: &BriefRequest,
) -> ArticleFields {
    let day = meeting
        .starts_at
        .with_timezone(&request.timezone)
        .date_naive();
    let title = headline(&meeting.body_name, extraction);
    let slug = Slug::from_title(&format!(
        "{} {}",
        meeting.body_name,
        day.format("%B %-d %Y")
    ));
    let place = if document.public {
        Some(format!(
            "/bodies/{}/documents/{}",
            meeting.body_slug, document.id
        ))
    } else {
        None
    };
    let mut fields = ArticleFields::news(&title, slug, request.section);
    fields.parts = KindParts::MeetingBrief {
        meeting: Meeting {
            body: meeting.body_name.clone(),
            date: day,
            decisions: extraction.motions.iter().filter_map(decision).collect(),
        },
    };
    fields.summary = summary(extraction, text);
    fields.body_md = body(meeting, document, extraction, place.as_deref(), day);
    if let Some(narrative) = &request.narrative {
        fields.body_md = with_narrative(&fields.body_md, narrative);
    }
    fields
}

/// The body with the helper's paragraphs after its first line, each sentence whose names
/// or numbers the record lacks flagged for the editor, and the disclosure at the end.
fn with_narrative(body: &str, narrative: &[Vec<CheckedSentence>]) -> String {
    let (first, rest) = body.split_once("\n\n").unwrap_or((body, ""));
    let mut md = format!("{first}\n\n");
    for paragraph in narrative {
        let sentences: Vec<String> = paragraph
            .iter()
            .map(|s| {
                if s.unsupported.is_empty() {
                    s.text.clone()
                } else {
                    format!(
                        "{} **[Check: not in the record: {}]**",
                        s.text,
                        s.unsupported.join(", ")
                    )
                }
            })
            .collect();
        if !sentences.is_empty() {
            let _ = writeln!(md, "{}\n", sentences.join(" "));
        }
    }
    let _ = write!(md, "{rest}\n{PROSE_DISCLOSURE}\n");
    md
}

/// A motion as a row of the decisions table; one with no recorded outcome is left to the
/// body text.
fn decision(motion: &Motion) -> Option<Decision> {
    let outcome = motion.outcome.as_ref()?.value;
    let vote = match (&motion.tally, &motion.vote_words) {
        (Some(t), _) => t.value.display(),
        (None, Some(w)) => w.value.clone(),
        (None, None) => String::new(),
    };
    Some(Decision {
        // One line: the decisions box holds one decision a line, and a PDF's text breaks
        // lines where the page did.
        motion: capitalised(&single_spaced(&motion.text.value)),
        vote,
        outcome,
    })
}

/// The motion the headline leads with: a passed one naming money, then one naming an
/// ordinance or resolution, then any passed one, then the first.
fn lead_motion(extraction: &Extraction) -> Option<&Motion> {
    let passed = |m: &&Motion| matches!(m.outcome.as_ref().map(|o| o.value), Some(Outcome::Passed));
    let motions = &extraction.motions;
    motions
        .iter()
        .filter(passed)
        .find(|m| !m.amounts.is_empty())
        .or_else(|| {
            motions
                .iter()
                .filter(passed)
                .find(|m| !m.references.is_empty())
        })
        .or_else(|| motions.iter().find(passed))
        .or_else(|| motions.first())
}

/// Verbs a motion's wording starts with, and how a headline says them.
const VERBS: &[(&str, &str)] = &[
    ("approve", "approves"),
    ("adopt", "adopts"),
    ("authorize", "authorizes"),
    ("accept", "accepts"),
    ("award", "awards"),
    ("deny", "denies"),
    ("grant", "grants"),
    ("hire", "hires"),
    ("appoint", "appoints"),
    ("amend", "amends"),
    ("purchase", "buys"),
    ("renew", "renews"),
    ("extend", "extends"),
    ("set", "sets"),
    ("waive", "waives"),
    ("enter", "enters"),
    ("establish", "establishes"),
    ("rezone", "rezones"),
    ("increase", "raises"),
];

/// "Cedar Hollow Village Board approves a $48,000 contract to repaint the water tower".
fn headline(body: &str, extraction: &Extraction) -> String {
    let Some(motion) = lead_motion(extraction) else {
        return format!("{body}: what the meeting decided");
    };
    let wording = single_spaced(&motion.text.value);
    let wording = wording.trim_start_matches("to ");
    let (first, rest) = wording.split_once(' ').unwrap_or((wording, ""));
    let said = VERBS
        .iter()
        .find(|(verb, _)| first.eq_ignore_ascii_case(verb))
        .map(|(_, says)| format!("{says} {rest}"));
    let outcome = motion.outcome.as_ref().map(|o| o.value);
    let line = match (outcome, said) {
        (Some(Outcome::Passed), Some(said)) => format!("{body} {said}"),
        (Some(Outcome::Passed), None) => format!("{body} votes to {wording}"),
        (Some(Outcome::Failed), _) => format!("{body} turns down motion to {wording}"),
        (Some(Outcome::Tabled), _) => format!("{body} puts off vote on {wording}"),
        (None, _) => format!("{body} takes up motion to {wording}"),
    };
    shortened(&line, HEADLINE_CHARS)
}

/// The record's own words about the lead decision, whitespace made single.
fn summary(extraction: &Extraction, text: &str) -> String {
    let Some(motion) = lead_motion(extraction) else {
        return String::new();
    };
    let passage = single_spaced(motion.span.text(text));
    if passage.len() <= SUMMARY_BYTES {
        return passage;
    }
    shortened(&single_spaced(motion.text.span.text(text)), SUMMARY_BYTES)
}

fn body(
    meeting: &MeetingRecord,
    document: &MeetingDocument,
    extraction: &Extraction,
    record: Option<&str>,
    day: chrono::NaiveDate,
) -> String {
    let mut md = String::new();
    let place = if meeting.place.is_empty() {
        String::new()
    } else {
        format!(" at {}", meeting.place.trim_end_matches('.'))
    };
    // The body's name links to its page: members, other meetings, the record.
    let _ = writeln!(
        md,
        "The [{}](/bodies/{}) met {}{place}.\n",
        meeting.body_name,
        meeting.body_slug,
        day.format("%A, %B %-d, %Y")
    );
    if !extraction.motions.is_empty() {
        md.push_str("## Decisions\n\n");
    }
    for motion in &extraction.motions {
        md.push_str(&motion_line(motion, record));
    }
    if !extraction.present.is_empty() || !extraction.absent.is_empty() {
        let _ = writeln!(
            md,
            "\n**Attendance.** Present: {}. Absent: {}.",
            names(&extraction.present),
            names(&extraction.absent)
        );
    }
    if !extraction.speakers.is_empty() {
        let _ = writeln!(
            md,
            "\n**Public comment.** {} spoke.",
            names(&extraction.speakers)
        );
    }
    if let Some(adjourned) = &extraction.adjourned {
        let time = adjourned.value.trim_end_matches('.');
        let _ = writeln!(md, "\nThe meeting adjourned at {time}.");
    }
    if let Some(record) = record {
        let _ = writeln!(
            md,
            "\n*From the [{} of the meeting]({record}) ([as text]({record}/text)).*",
            document.kind
        );
    }
    md
}

/// One decision as a list item: outcome and vote, the motion's words, who moved and
/// seconded it, each vote where recorded, and the link to its passage.
fn motion_line(motion: &Motion, record: Option<&str>) -> String {
    let outcome = match motion.outcome.as_ref().map(|o| o.value) {
        Some(Outcome::Passed) => "Passed",
        Some(Outcome::Failed) => "Failed",
        Some(Outcome::Tabled) => "Tabled",
        None => "Outcome not recorded",
    };
    let vote = match (&motion.tally, &motion.vote_words) {
        (Some(t), _) => format!(
            " {}{}",
            t.value.display(),
            inferred(t, " (counted from the roll call)")
        ),
        (None, Some(w)) => format!(", {}", w.value),
        (None, None) => String::new(),
    };
    let mut line = format!(
        "- **{outcome}{vote}:** {}.",
        capitalised(single_spaced(&motion.text.value).trim_end_matches('.'))
    );
    if let Some(mover) = &motion.mover {
        let _ = write!(line, " Moved by {}", mover.value);
        if let Some(seconder) = &motion.seconder {
            let _ = write!(line, ", seconded by {}", seconder.value);
        }
        line.push('.');
    }
    let against: Vec<&str> = motion
        .votes
        .iter()
        .filter(|v| v.value.vote == masthead_meeting::Vote::Nay)
        .map(|v| v.value.member.as_str())
        .collect();
    if !against.is_empty() {
        let _ = write!(line, " Voting no: {}.", against.join(", "));
    }
    if let Some(record) = record {
        let _ = write!(
            line,
            " ([In the record]({record}/text#at-{}))",
            motion.span.start
        );
    }
    line.push('\n');
    line
}

fn inferred<T>(fact: &Fact<T>, note: &'static str) -> &'static str {
    if fact.how == How::Inferred { note } else { "" }
}

fn names(facts: &[Fact<String>]) -> String {
    if facts.is_empty() {
        return "none recorded".to_owned();
    }
    facts
        .iter()
        .map(|f| f.value.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn capitalised(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn single_spaced(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `text` cut at a word to at most `max` bytes, with an ellipsis when cut.
fn shortened(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_owned();
    }
    let mut end = max.saturating_sub(3);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let cut = text[..end]
        .rsplit_once(' ')
        .map_or(&text[..end], |(head, _)| head);
    format!("{}…", cut.trim_end_matches([',', ';', ' ']))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const MINUTES: &str = "Present: Trustees Ruiz, Hale and Lee. Absent: Trustee Moss.\n\n\
        Motion by Trustee Ruiz, seconded by Trustee Hale, to approve a $48,000 contract with \
        Acme Painting to repaint the water tower. Ayes: Ruiz, Hale. Nays: Lee. Motion carried 2-1.\n\n\
        Motion by Trustee Lee, seconded by Trustee Hale, to table the sidewalk plan. Motion carried.\n\n\
        The meeting adjourned at 8:42 p.m.";

    #[test]
    fn the_headline_leads_with_the_decision_that_names_money() {
        let extraction = masthead_meeting::extract(MINUTES).unwrap();
        let line = headline("Cedar Hollow Village Board", &extraction);
        assert_eq!(
            line,
            "Cedar Hollow Village Board approves a $48,000 contract with Acme Painting to repaint the water tower"
        );
        assert!(line.chars().count() <= HEADLINE_CHARS);
    }

    #[test]
    fn the_summary_is_the_records_own_words() {
        let extraction = masthead_meeting::extract(MINUTES).unwrap();
        let summary = summary(&extraction, MINUTES);
        assert!(summary.starts_with("Motion by Trustee Ruiz"), "{summary}");
        assert!(single_spaced(MINUTES).contains(&summary), "{summary}");
    }

    #[test]
    fn decisions_keep_the_tally_and_leave_out_what_has_no_outcome() {
        let extraction = masthead_meeting::extract(MINUTES).unwrap();
        let rows: Vec<Decision> = extraction.motions.iter().filter_map(decision).collect();
        assert_eq!(rows[0].vote, "2-1");
        assert_eq!(rows[0].outcome, Outcome::Passed);
        assert!(rows[0].motion.starts_with("Approve a $48,000"));
    }

    #[test]
    fn a_long_headline_is_cut_at_a_word() {
        let cut = shortened(&"word ".repeat(60), 40);
        assert!(cut.len() <= 40 && cut.ends_with("word…"), "{cut}");
    }
}
