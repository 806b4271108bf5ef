//! The article editor's form: turning its raw fields into [`ArticleFields`] and back.
//!
//! The editor always renders from the raw values, so a save that fails (a missing field, a
//! taken slug, a conflict, an ended session) shows exactly what was typed.
//!
//! Text formats, chosen to need no JavaScript:
//! - decisions: one per line, `outcome | vote | motion` (e.g. `passed | 5-1 | Approve the levy`);
//! - roundup items: each starts with a line `## Headline`, followed by its Markdown;
//! - tags: comma-separated.

use crate::desk::Command;
use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use masthead_core::{
    ArticleKind, AuthorId, Decision, MediaId, NoteKind, Outcome, RoundupItem, SectionId, Slug,
};
use masthead_render::{Value, context};
use masthead_store::{ArticleFields, Meeting, Note, TEXT_FIELDS};
use std::collections::BTreeMap;

/// Every field the editor shows besides the plain text ones ([`TEXT_FIELDS`]), so a form
/// missing some still renders.
const FIELDS: &[&str] = &[
    "version",
    "kind",
    "slug",
    "section",
    "tags",
    "image",
    "video_url",
    "source_canonical",
    "meeting_body",
    "meeting_date",
    "decisions",
    "items",
    "note_kind",
    "note_text",
    "publish_at",
];

/// A parsed urlencoded form that keeps repeated fields.
#[derive(Debug, Clone, Default)]
pub struct FormData(Vec<(String, String)>);

impl FormData {
    /// Parses a urlencoded body.
    pub fn parse(body: &[u8]) -> Self {
        Self(form_urlencoded::parse(body).into_owned().collect())
    }

    /// A form from name/value pairs.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }

    /// The form urlencoded again, as a browser posts it.
    pub fn encode(&self) -> String {
        form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&self.0)
            .finish()
    }

    /// The name/value pairs, owned.
    pub fn value_pairs(self) -> Vec<(String, String)> {
        self.0
    }

    /// The name/value pairs, in the order posted.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.0
    }

    /// The first value of `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }

    /// Every value of `name`.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The form as the editor template reads it: `form.title`, `form.authors` (a list)…
    pub fn value(&self) -> Value {
        let mut map: BTreeMap<&str, Value> = BTreeMap::new();
        for key in FIELDS.iter().chain(TEXT_FIELDS) {
            map.insert(key, Value::from(""));
        }
        for (k, v) in self.0.iter().rev() {
            if k == "authors" || k == "csrf" {
                continue;
            }
            map.insert(k.as_str(), Value::from(v.as_str()));
        }
        let authors: Vec<&str> = self.all("authors");
        map.insert("authors", masthead_render::ser(&authors));
        masthead_render::ser(&map)
    }
}

/// The raw form for stored fields.
pub fn from_fields(
    fields: &ArticleFields,
    version: i64,
    publish_at: Option<DateTime<Utc>>,
    tz: Tz,
) -> FormData {
    let mut v: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, val: String| v.push((k.to_owned(), val));
    put("version", version.to_string());
    put("kind", fields.kind().as_str().into());
    for (name, _, text) in fields.texts() {
        put(name, text.to_owned());
    }
    put("slug", fields.slug.as_str().into());
    put("section", fields.section.0.to_string());
    put("tags", fields.tags.join(", "));
    put(
        "image",
        fields.image.map(|m| m.0.to_string()).unwrap_or_default(),
    );
    put("video_url", fields.parts.video_url().to_owned());
    if fields.source_canonical {
        put("source_canonical", "on".into());
    }
    let (body, date, decisions) = match fields.parts.meeting() {
        Some(m) => (
            m.body.clone(),
            m.date.to_string(),
            m.decisions
                .iter()
                .map(|d| format!("{} | {} | {}", d.outcome, d.vote, d.motion))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        None => Default::default(),
    };
    put("meeting_body", body);
    put("meeting_date", date);
    put("decisions", decisions);
    put(
        "items",
        fields
            .parts
            .items()
            .iter()
            .map(|i| format!("## {}\n{}", i.headline, i.body_md.trim_end()))
            .collect::<Vec<_>>()
            .join("\n\n"),
    );
    put(
        "publish_at",
        publish_at
            .map(|t| t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default(),
    );
    for a in &fields.authors {
        v.push(("authors".into(), a.0.to_string()));
    }
    FormData(v)
}

/// What the editor's buttons ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Intent {
    /// Save (and maybe change status).
    Save(Command),
    /// Show the story's page as readers would see it, without saving.
    Preview,
    /// Show the editor again with the posted text, without saving (back from a preview).
    Edit,
    /// Show the editor again with the posted text and a summary suggested from the story's
    /// own sentences in the summary box, without saving.
    SuggestSummary,
}

/// The button pressed, with the schedule time when scheduling.
pub fn intent(form: &FormData, tz: Tz) -> Result<Intent, String> {
    Ok(match form.get("action") {
        "preview" => Intent::Preview,
        "edit" => Intent::Edit,
        "suggest_summary" => Intent::SuggestSummary,
        "submit" => Intent::Save(Command::Submit),
        "publish" => Intent::Save(Command::Publish),
        "unpublish" => Intent::Save(Command::Unpublish),
        "schedule" => Intent::Save(Command::Schedule(local_time(form.get("publish_at"), tz)?)),
        _ => Intent::Save(Command::Save),
    })
}

/// Parses a `datetime-local` value in the site's zone.
pub fn local_time(value: &str, tz: Tz) -> Result<DateTime<Utc>, String> {
    let naive = NaiveDateTime::parse_from_str(value.trim(), "%Y-%m-%dT%H:%M").map_err(|_| {
        "Publish time: choose a date and time to schedule the story for.".to_owned()
    })?;
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .ok_or_else(|| {
            "Publish time: that time does not exist here (the clocks skip it); choose another."
                .to_owned()
        })
}

/// The fields a submitted form describes; `now` stamps a new note.
pub fn to_fields(form: &FormData, now: DateTime<Utc>) -> Result<ArticleFields, String> {
    let kind = ArticleKind::parse(form.get("kind")).map_err(|e| e.to_string())?;
    let slug = match form.get("slug").trim() {
        "" => Slug::from_title(form.get("title").trim()),
        s => Slug::parse(s).map_err(|e| format!("Address (slug): {}", e.message))?,
    };
    let section = form
        .get("section")
        .parse()
        .map(SectionId)
        .map_err(|_| "Section: choose a section.".to_owned())?;
    let mut authors = Vec::new();
    for a in form.all("authors") {
        authors
            .push(AuthorId(a.parse().map_err(|_| {
                "Byline: choose authors from the list.".to_owned()
            })?));
    }
    let image = match form.get("image") {
        "" => None,
        s => Some(MediaId(s.parse().map_err(|_| {
            "Lead image: choose an image from the list.".to_owned()
        })?)),
    };
    let meeting = if kind == ArticleKind::MeetingBrief {
        let date = NaiveDate::parse_from_str(form.get("meeting_date").trim(), "%Y-%m-%d")
            .map_err(|_| "Meeting date: give the date the body met.".to_owned())?;
        Some(Meeting {
            body: form.get("meeting_body").trim().to_owned(),
            date,
            decisions: decisions(form.get("decisions"))?,
        })
    } else {
        None
    };
    let items = if kind == ArticleKind::Roundup {
        items(form.get("items"))
    } else {
        Vec::new()
    };
    let parts = masthead_desk::kind_parts(kind, form.get("video_url").to_owned(), meeting, items)
        .map_err(|e| e.to_string())?;
    // The form adds at most one note; the stored ones never pass through it, since the
    // store keeps them (append-only) whatever a save sends.
    let mut notes: Vec<Note> = Vec::new();
    let note_text = form.get("note_text").trim();
    if !note_text.is_empty() {
        notes.push(Note {
            kind: NoteKind::parse(form.get("note_kind")).map_err(|e| e.to_string())?,
            text: note_text.to_owned(),
            at: now,
        });
    }
    let mut fields = ArticleFields::news("", slug, section);
    fields.parts = parts;
    fields.authors = authors;
    fields.tags = form
        .get("tags")
        .split(',')
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .collect();
    fields.image = image;
    fields.notes = notes;
    fields.source_canonical = form.get("source_canonical") == "on";
    // Plain text fields by name, as typed (the desk's rules trim them); browsers send
    // line breaks as CRLF.
    for (name, text) in fields.texts_mut() {
        *text = form.get(name).replace("\r\n", "\n");
    }
    Ok(fields)
}

fn decisions(text: &str) -> Result<Vec<Decision>, String> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let parts: Vec<&str> = line.splitn(3, '|').map(str::trim).collect();
            match parts.as_slice() {
                [outcome, vote, motion] => Ok(Decision {
                    outcome: Outcome::parse(&outcome.to_lowercase())
                        .map_err(|e| format!("Decisions: {e} (in \"{line}\")"))?,
                    vote: (*vote).to_owned(),
                    motion: (*motion).to_owned(),
                }),
                _ => Err(format!(
                    "Decisions: write each as \"outcome | vote | motion\", e.g. \"passed | 5-1 | Approve the levy\" (in \"{line}\")."
                )),
            }
        })
        .collect()
}

fn items(text: &str) -> Vec<RoundupItem> {
    let mut items: Vec<RoundupItem> = Vec::new();
    for line in text.replace("\r\n", "\n").lines() {
        if let Some(headline) = line.strip_prefix("## ") {
            items.push(RoundupItem {
                headline: headline.trim().to_owned(),
                body_html: String::new(),
                body_md: String::new(),
            });
        } else if let Some(item) = items.last_mut() {
            item.body_md.push_str(line);
            item.body_md.push('\n');
        }
    }
    for item in &mut items {
        item.body_md = item.body_md.trim().to_owned();
    }
    items
}

/// The choices the editor offers, as template values.
pub fn kinds() -> Value {
    let kinds: Vec<Value> = ArticleKind::ALL
        .iter()
        .map(|k| context! { value => k.as_str(), label => k.label().unwrap_or("News") })
        .collect();
    Value::from(kinds)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use proptest::prelude::*;

    /// Field names the editor posts, so generated forms reach every parser, not only the
    /// "unknown field" path.
    const NAMES: &[&str] = &[
        "kind",
        "title",
        "slug",
        "section",
        "authors",
        "image",
        "meeting_date",
        "meeting_body",
        "decisions",
        "items",
        "note_kind",
        "note_text",
        "tags",
        "action",
        "publish_at",
        "version",
        "body_md",
    ];

    fn pairs() -> impl Strategy<Value = Vec<u8>> {
        let value = prop_oneof![
            any::<String>(),
            "[a-z0-9|#%&=+ \n-]{0,20}",
            Just("meeting_brief".to_owned()),
            Just("roundup".to_owned()),
            Just("schedule".to_owned()),
            Just("passed | 5-1 | x\nnope".to_owned()),
        ];
        prop::collection::vec((prop::sample::select(NAMES), value), 0..20).prop_map(|pairs| {
            form_urlencoded::Serializer::new(String::new())
                .extend_pairs(pairs)
                .finish()
                .into_bytes()
        })
    }

    /// The editor shows the canonical-link choice and a save keeps what it shows.
    #[test]
    fn the_canonical_link_choice_round_trips_through_the_form() {
        let now = Utc
            .with_ymd_and_hms(2026, 11, 27, 18, 0, 0)
            .single()
            .unwrap_or_default();
        let mut fields =
            ArticleFields::news("Wire story", Slug::from_title("Wire story"), SectionId(1));
        fields.source_canonical = true;
        let tz = chrono_tz::America::Chicago;
        let form = from_fields(&fields, 1, None, tz);
        assert_eq!(form.get("source_canonical"), "on");
        let parsed = to_fields(&form, now);
        assert!(matches!(&parsed, Ok(f) if f.source_canonical), "{parsed:?}");
        fields.source_canonical = false;
        let form = from_fields(&fields, 1, None, tz);
        assert!(matches!(to_fields(&form, now), Ok(f) if !f.source_canonical));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whatever is posted, parsing the editor's form answers with fields or a message,
        /// never a panic.
        #[test]
        fn form_parsing_never_panics(body in prop_oneof![pairs(), any::<Vec<u8>>()]) {
            let form = FormData::parse(&body);
            let now = Utc.with_ymd_and_hms(2026, 11, 27, 18, 0, 0).single().unwrap_or_default();
            let _ = to_fields(&form, now);
            let _ = intent(&form, chrono_tz::America::Chicago);
            let _ = form.value();
        }
    }
}
