//! The demo newsroom: a fictional town's site (`demo/demo.toml` and `demo/images/`, both
//! embedded in the binary), loaded into an empty database by `masthead serve --demo`.
//!
//! Times in the file are relative ("published 5 hours ago", "starts in 3 days") so the demo
//! always looks current.

use anyhow::{Context, anyhow, bail};
use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use masthead_core::{
    ArticleKind, ArticleStatus, CommentStatus, Decision, EventStatus, MediaId, NoteKind,
    PageStatus, RoundupItem, Slug,
};
use masthead_desk::Imported;
use masthead_desk::pages::{ImportParent, PageImport, import_pages};
use masthead_media::{MediaStorage, UploadLimits, variant_name};
use masthead_store::{
    Actor, ArticleFields, KindParts, Meeting, NewEvent, NewMedia, Note, Placement, Store,
};
use serde::Deserialize;
use std::collections::HashMap;

const DEMO_TOML: &str = include_str!("../demo/demo.toml");

/// The demo's images, by file name.
const IMAGES: &[(&str, &[u8])] = &[
    (
        "cornfield.jpg",
        include_bytes!("../demo/images/cornfield.jpg"),
    ),
    (
        "dale-lindqvist.jpg",
        include_bytes!("../demo/images/dale-lindqvist.jpg"),
    ),
    (
        "farmers-market.jpg",
        include_bytes!("../demo/images/farmers-market.jpg"),
    ),
    ("gavel.jpg", include_bytes!("../demo/images/gavel.jpg")),
    (
        "grain-elevator.jpg",
        include_bytes!("../demo/images/grain-elevator.jpg"),
    ),
    ("library.jpg", include_bytes!("../demo/images/library.jpg")),
    (
        "main-street.jpg",
        include_bytes!("../demo/images/main-street.jpg"),
    ),
    (
        "maria-okafor.jpg",
        include_bytes!("../demo/images/maria-okafor.jpg"),
    ),
    (
        "river-bridge.jpg",
        include_bytes!("../demo/images/river-bridge.jpg"),
    ),
    ("school.jpg", include_bytes!("../demo/images/school.jpg")),
    ("stadium.jpg", include_bytes!("../demo/images/stadium.jpg")),
    (
        "village-hall.jpg",
        include_bytes!("../demo/images/village-hall.jpg"),
    ),
    (
        "water-tower.jpg",
        include_bytes!("../demo/images/water-tower.jpg"),
    ),
    (
        "winter-storm.jpg",
        include_bytes!("../demo/images/winter-storm.jpg"),
    ),
    (
        "zoe-hartmann.jpg",
        include_bytes!("../demo/images/zoe-hartmann.jpg"),
    ),
];

/// The demo site's identity, used for the site name even when nothing is loaded.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DemoSite {
    pub name: String,
    pub tagline: String,
    pub timezone: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoFile {
    site: DemoSite,
    sections: Vec<DemoSection>,
    authors: Vec<DemoAuthor>,
    wire_sources: Vec<DemoWire>,
    articles: Vec<DemoArticle>,
    events: Vec<DemoEvent>,
    #[serde(default)]
    pages: Vec<DemoPage>,
}

/// A static page of the demo: `parent` names an earlier page's slug.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoPage {
    slug: String,
    title: String,
    #[serde(default)]
    parent: Option<String>,
    #[serde(default)]
    menu_order: i64,
    body: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoSection {
    slug: Slug,
    name: String,
    description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoAuthor {
    slug: Slug,
    name: String,
    bio: String,
    photo: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoWire {
    slug: String,
    name: String,
    #[allow(dead_code)] // documented in the file; the original's own URL is what stories link to
    url: String,
    canonical: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoArticle {
    slug: Slug,
    title: String,
    kind: String,
    section: String,
    #[serde(default)]
    authors: Vec<String>,
    byline: Option<String>,
    wire: Option<String>,
    original_url: Option<String>,
    summary: Option<String>,
    body: String,
    #[serde(default)]
    tags: Vec<String>,
    hours_ago: f64,
    updated_hours_ago: Option<f64>,
    status: Option<String>,
    video_url: Option<String>,
    image: Option<DemoImage>,
    meeting: Option<DemoMeeting>,
    #[serde(default)]
    items: Vec<DemoItem>,
    #[serde(default)]
    notes: Vec<DemoNote>,
    #[serde(default)]
    comments: Vec<DemoComment>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoImage {
    file: String,
    alt: String,
    caption: Option<String>,
    credit: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoMeeting {
    body: String,
    days_ago: i64,
    decisions: Vec<DemoDecision>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoDecision {
    motion: String,
    vote: String,
    outcome: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoItem {
    headline: String,
    body: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoNote {
    kind: String,
    text: String,
    hours_ago: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoComment {
    author: String,
    email: String,
    body: String,
    hours_ago: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DemoEvent {
    title: String,
    starts_in_days: i64,
    start_time: Option<String>,
    duration_minutes: Option<i64>,
    #[serde(default)]
    all_day: bool,
    location: String,
    description: String,
    link: Option<String>,
}

fn parse() -> anyhow::Result<DemoFile> {
    toml::from_str(DEMO_TOML).context("the embedded demo file is invalid")
}

/// The demo site's name, tagline and time zone.
pub fn site() -> anyhow::Result<DemoSite> {
    Ok(parse()?.site)
}

/// What `load` did.
#[derive(Debug, PartialEq, Eq)]
pub enum Loaded {
    /// The demo was loaded: this many stories.
    Stories(usize),
    /// The database already had content; nothing was loaded.
    Skipped,
}

fn hours_before(now: DateTime<Utc>, hours: f64) -> DateTime<Utc> {
    now - Duration::seconds((hours * 3600.0) as i64)
}

/// Stores a demo image's files and row the way uploads do (recorded as begun, files written
/// atomically, row added as the record ends), so an interrupted load leaves nothing the
/// start-up sweep does not remove.
async fn store_media(
    store: &Store,
    storage: &dyn MediaStorage,
    (new, files): (NewMedia, Vec<(String, Vec<u8>)>),
    now: DateTime<Utc>,
) -> anyhow::Result<MediaId> {
    store
        .begin_media_upload(&new.storage_name, &new.variants, now)
        .await?;
    for (name, bytes) in files {
        storage.put(&name, bytes).await?;
    }
    Ok(store.finish_media_upload(&new, now).await?)
}

/// Loads the demo into `store` if it holds no articles, copying images into `storage`.
pub async fn load(
    store: &Store,
    storage: &dyn MediaStorage,
    now: DateTime<Utc>,
) -> anyhow::Result<Loaded> {
    if store.has_articles().await? {
        return Ok(Loaded::Skipped);
    }
    let demo = parse()?;
    let tz: Tz = demo
        .site
        .timezone
        .parse()
        .map_err(|e| anyhow!("demo time zone: {e}"))?;

    // Every use of an image is its own media item (with its own alt text and credit), as if
    // uploaded once per story. The resized copies pages offer in `srcset` are made once per
    // file by the upload pipeline and written beside each use.
    let mut uses = 0;
    let mut resized: HashMap<&str, Vec<(u32, Vec<u8>)>> = HashMap::new();
    type Files = Vec<(String, Vec<u8>)>;
    let mut media = |file: &str, alt: &str, credit: &str| -> anyhow::Result<(NewMedia, Files)> {
        let (name, bytes) = IMAGES
            .iter()
            .find(|(name, _)| *name == file)
            .copied()
            .ok_or_else(|| anyhow!("demo image {file} is not embedded"))?;
        let size = imagesize::blob_size(bytes).with_context(|| format!("demo image {file}"))?;
        if !resized.contains_key(name) {
            let processed = masthead_media::process_upload(bytes, &UploadLimits::default())
                .with_context(|| format!("demo image {file}"))?;
            let copies = processed
                .variants
                .into_iter()
                .map(|v| (v.width, v.bytes))
                .collect();
            resized.insert(name, copies);
        }
        uses += 1;
        let storage_name = format!("demo-{uses:03}-{file}");
        let copies = resized.get(name).map(Vec::as_slice).unwrap_or_default();
        let mut files: Vec<(String, Vec<u8>)> = copies
            .iter()
            .map(|(width, bytes)| (variant_name(&storage_name, *width), bytes.clone()))
            .collect();
        files.push((storage_name.clone(), bytes.to_vec()));
        let new = NewMedia {
            storage_name,
            original_name: file.to_owned(),
            content_type: "image/jpeg".into(),
            width: size.width as i64,
            height: size.height as i64,
            byte_size: bytes.len() as i64,
            alt: alt.to_owned(),
            credit: credit.to_owned(),
            uploaded_by: None,
            variants: copies.iter().map(|(w, _)| *w).collect(),
        };
        Ok((new, files))
    };

    let mut sections = HashMap::new();
    for s in &demo.sections {
        sections.insert(
            s.slug.as_str().to_owned(),
            store
                .insert_section(&s.slug, &s.name, &s.description)
                .await?,
        );
    }
    let mut authors = HashMap::new();
    for a in &demo.authors {
        let photo = match a.photo.as_deref() {
            Some(file) => Some(store_media(store, storage, media(file, &a.name, "")?, now).await?),
            None => None,
        };
        authors.insert(
            a.slug.as_str().to_owned(),
            store.insert_author(&a.slug, &a.name, &a.bio, photo).await?,
        );
    }
    let wires: HashMap<&str, &DemoWire> = demo
        .wire_sources
        .iter()
        .map(|w| (w.slug.as_str(), w))
        .collect();

    for a in &demo.articles {
        let image = match &a.image {
            Some(img) => Some(
                store_media(
                    store,
                    storage,
                    media(&img.file, &img.alt, img.credit.as_deref().unwrap_or(""))?,
                    now,
                )
                .await?,
            ),
            None => None,
        };
        let new = article(a, &sections, &authors, &wires, image, now, tz)
            .with_context(|| format!("demo story {}", a.slug))?;
        let ids = masthead_desk::import(store, vec![new], &Actor::system("demo"), now).await?;
        let id = *ids
            .first()
            .ok_or_else(|| anyhow!("demo story {} was not saved", a.slug))?;
        for c in &a.comments {
            store
                .insert_comment(
                    id,
                    &c.author,
                    &c.email,
                    &c.body,
                    CommentStatus::Approved,
                    hours_before(now, c.hours_ago),
                )
                .await?;
        }
    }
    for e in &demo.events {
        store.insert_event(&event(e, now, tz)?, now).await?;
    }
    let mut pages = Vec::with_capacity(demo.pages.len());
    for (i, p) in demo.pages.iter().enumerate() {
        let parent = match &p.parent {
            None => ImportParent::Top,
            Some(slug) => ImportParent::Earlier(
                demo.pages[..i]
                    .iter()
                    .position(|q| &q.slug == slug)
                    .ok_or_else(|| anyhow!("demo page {}: no earlier page {slug}", p.slug))?,
            ),
        };
        pages.push(PageImport {
            parent,
            slug: p.slug.clone(),
            title: p.title.clone(),
            body_md: p.body.clone(),
            menu_order: p.menu_order,
            status: PageStatus::Published,
            created_at: now,
            updated_at: now,
        });
    }
    import_pages(store, &Actor::system("demo"), &pages, now).await?;
    // The demo does not know the site's address, so its meetings' calendar entries link nowhere.
    meetings(store, tz, "", now).await?;
    Ok(Loaded::Stories(demo.articles.len()))
}

/// The demo's minutes: the Village Board's last meeting.
const MINUTES: &str = include_str!("../demo/minutes-village-board.txt");

/// The meeting desk's demo: the Village Board with its members, its last meeting with the
/// minutes (ready to draft a brief from), and its next one, on the calendar.
async fn meetings(store: &Store, tz: Tz, base_url: &str, now: DateTime<Utc>) -> anyhow::Result<()> {
    use masthead_desk::meetings::{
        Calendar, DocumentUpload, MeetingDraft, check_body, meeting_fields, new_document,
    };
    let actor = Actor::system("demo");
    let body = check_body(masthead_store::BodyFields {
        name: "Cedar Hollow Village Board".into(),
        kind: "village board".into(),
        place: "Village Hall, 100 Main St.".into(),
        about: "Six trustees and a president, elected village-wide for four-year terms. It \
                meets the first and third Monday of each month at 7 p.m."
            .into(),
        members: [
            ("Dana Ortiz", "President"),
            ("Luis Ruiz", "Trustee"),
            ("Ann Hale", "Trustee"),
            ("Greg Lee", "Trustee"),
            ("Mina Park", "Trustee"),
            ("Paul Novak", "Trustee"),
        ]
        .into_iter()
        .map(|(name, title)| masthead_store::BodyMember {
            name: name.into(),
            title: title.into(),
            term_start: None,
            term_end: None,
        })
        .collect(),
    })?;
    let (body, _) = store.create_public_body(&body, &actor, now).await?;
    let calendar = Calendar {
        timezone: tz,
        base_url: base_url.to_owned(),
    };
    let local = now.with_timezone(&tz).date_naive();
    let draft = |days: i64, status: &str| MeetingDraft {
        body: body.0.to_string(),
        date: (local + chrono::Duration::days(days)).to_string(),
        time: "19:00".into(),
        place: String::new(),
        status: status.into(),
    };
    let held = meeting_fields(store, &draft(-10, "held"), &calendar).await?;
    let held = store.create_meeting(&held, &actor, now).await?;
    let next = meeting_fields(store, &draft(11, "scheduled"), &calendar).await?;
    store.create_meeting(&next, &actor, now).await?;
    let upload = DocumentUpload {
        kind: "minutes".into(),
        file_name: "village-board-minutes.txt".into(),
        bytes: MINUTES.as_bytes().to_vec(),
        source_url: String::new(),
        public: true,
    };
    let document = new_document(upload, MINUTES.to_owned())?;
    store
        .add_meeting_document(held, &document, &actor, now)
        .await?;
    Ok(())
}

fn article(
    a: &DemoArticle,
    sections: &HashMap<String, masthead_core::SectionId>,
    authors: &HashMap<String, masthead_core::AuthorId>,
    wires: &HashMap<&str, &DemoWire>,
    image: Option<masthead_core::MediaId>,
    now: DateTime<Utc>,
    tz: Tz,
) -> anyhow::Result<Imported> {
    let kind = ArticleKind::parse(&a.kind)?;
    let status = ArticleStatus::parse(a.status.as_deref().unwrap_or("published"))?;
    let section = *sections
        .get(&a.section)
        .ok_or_else(|| anyhow!("unknown section {}", a.section))?;
    let author_ids = a
        .authors
        .iter()
        .map(|s| {
            authors
                .get(s)
                .copied()
                .ok_or_else(|| anyhow!("unknown author {s}"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let wire = a
        .wire
        .as_deref()
        .map(|w| {
            wires
                .get(w)
                .copied()
                .ok_or_else(|| anyhow!("unknown wire {w}"))
        })
        .transpose()?;
    if author_ids.is_empty() && a.byline.is_none() {
        bail!("a story needs staff authors or a byline");
    }
    let meeting = a
        .meeting
        .as_ref()
        .map(|m| {
            let decisions = m
                .decisions
                .iter()
                .map(|d| {
                    Ok(Decision {
                        motion: d.motion.clone(),
                        vote: d.vote.clone(),
                        outcome: masthead_core::Outcome::parse(&d.outcome)?,
                    })
                })
                .collect::<anyhow::Result<Vec<_>>>()?;
            let date = (now - Duration::days(m.days_ago))
                .with_timezone(&tz)
                .date_naive();
            Ok::<_, anyhow::Error>(Meeting {
                body: m.body.clone(),
                date,
                decisions,
            })
        })
        .transpose()?;
    let notes = a
        .notes
        .iter()
        .map(|n| {
            Ok(Note {
                kind: NoteKind::parse(&n.kind)?,
                text: n.text.clone(),
                at: hours_before(now, n.hours_ago),
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let image_caption = a
        .image
        .as_ref()
        .and_then(|i| i.caption.clone())
        .unwrap_or_default();
    let parts = match kind {
        ArticleKind::Video => KindParts::Video {
            video_url: a.video_url.clone().unwrap_or_default(),
        },
        ArticleKind::Roundup => KindParts::Roundup {
            items: a
                .items
                .iter()
                .map(|i| RoundupItem {
                    headline: i.headline.clone(),
                    body_html: String::new(),
                    body_md: i.body.clone(),
                })
                .collect(),
        },
        ArticleKind::MeetingBrief => KindParts::MeetingBrief {
            meeting: meeting.ok_or_else(|| anyhow!("a meeting brief needs its meeting"))?,
        },
        ArticleKind::News | ArticleKind::Opinion => KindParts::empty(kind),
    };
    let fields = ArticleFields {
        parts,
        summary: a.summary.clone().unwrap_or_default(),
        body_md: a.body.clone(),
        authors: author_ids,
        byline: a.byline.clone().unwrap_or_default(),
        source_name: wire.map(|w| w.name.clone()).unwrap_or_default(),
        source_url: a.original_url.clone().unwrap_or_default(),
        source_canonical: wire.is_some_and(|w| w.canonical),
        tags: a.tags.clone(),
        image,
        image_caption,
        notes,
        ..ArticleFields::news(&a.title, a.slug.clone(), section)
    };
    // Through the desk's rules, like any other story: the video player is framed the same,
    // and a published story's images need their alt text.
    Ok(Imported {
        fields,
        placement: Placement {
            status,
            published_at: (status != ArticleStatus::Draft).then(|| hours_before(now, a.hours_ago)),
            updated_at: a.updated_hours_ago.map(|h| hours_before(now, h)),
        },
    })
}

fn event(e: &DemoEvent, now: DateTime<Utc>, tz: Tz) -> anyhow::Result<NewEvent> {
    let day = (now.with_timezone(&tz) + Duration::days(e.starts_in_days)).date_naive();
    let time = match (&e.start_time, e.all_day) {
        (_, true) | (None, _) => NaiveTime::MIN,
        (Some(t), false) => {
            NaiveTime::parse_from_str(t, "%H:%M").with_context(|| format!("event time {t:?}"))?
        }
    };
    let starts_at = tz
        .from_local_datetime(&day.and_time(time))
        .earliest()
        .ok_or_else(|| {
            anyhow!(
                "event {:?} starts at a time that does not exist in {tz}",
                e.title
            )
        })?
        .with_timezone(&Utc);
    let ends_at = match (e.duration_minutes, e.all_day) {
        (_, true) => Some(starts_at + Duration::days(1)),
        (Some(m), false) => Some(starts_at + Duration::minutes(m)),
        (None, false) => None,
    };
    Ok(NewEvent {
        title: e.title.clone(),
        starts_at,
        ends_at,
        all_day: e.all_day,
        timezone: tz.name().to_owned(),
        location: e.location.clone(),
        description: e.description.clone(),
        link: e.link.clone().unwrap_or_default(),
        status: EventStatus::Approved,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_image_the_demo_names_is_embedded() {
        let demo = parse().unwrap_or_else(|e| panic!("{e:#}"));
        let embedded: Vec<&str> = IMAGES.iter().map(|(n, _)| *n).collect();
        let named: Vec<&str> = demo
            .articles
            .iter()
            .filter_map(|a| a.image.as_ref().map(|i| i.file.as_str()))
            .chain(demo.authors.iter().filter_map(|a| a.photo.as_deref()))
            .collect();
        assert!(!named.is_empty(), "the demo names no images");
        for file in named {
            assert!(
                embedded.contains(&file),
                "{file} is used by the demo but not listed in IMAGES"
            );
        }
    }
}
