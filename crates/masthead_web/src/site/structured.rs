//! Structured data for search engines and news aggregators: schema.org JSON-LD written field
//! by field through [`crate::site::json_ld`]'s writer, never templated text: every value is
//! escaped as serde_json escapes it, and the whole for its `<script>` element, so no field,
//! whatever a writer typed, can end the element or open another.
//!
//! An article page carries one graph: the story (`NewsArticle`, `OpinionNewsArticle` for
//! opinion, with a `VideoObject` for a video post; its correction notes as
//! `CorrectionComment`s) and its `BreadcrumbList` (home, section, story); a page of the
//! calendar and an event's own page carry one `Event` per event (its `url` the event's page
//! here, `sameAs` the organiser's link, `eventStatus` cancelled when it was called off). Every
//! address in them starts with the configured `base_url`.

use crate::config::SiteConfig;
use crate::site::json_ld::Ld;
use chrono::{DateTime, SecondsFormat, Utc};
use masthead_core::{ArticleKind, NoteKind};
use masthead_store::{ArticlePage, Event};

/// When a story last changed for readers: its update time (an edit of its text) or its
/// newest correction or update note, whichever is later, if after publication. JSON-LD's
/// `dateModified` and every feed's `updated` use this one rule.
pub(crate) fn last_update(
    published: DateTime<Utc>,
    updated_at: Option<DateTime<Utc>>,
    last_note: Option<DateTime<Utc>>,
) -> Option<DateTime<Utc>> {
    updated_at.max(last_note).filter(|at| *at > published)
}

/// The JSON-LD of an article page, ready to place inside `<script type="application/ld+json">`.
/// `video` is the video post's address as the page offers it (our player, or a plain web
/// link for one stored before the player rule); anything else is left out.
pub(crate) fn article(
    page: &ArticlePage,
    site: &SiteConfig,
    canonical: &str,
    video: Option<&str>,
) -> String {
    let t = &page.teaser;
    let base = site.base_url.as_str();
    let story_url = format!("{base}/stories/{}", t.slug);
    let image = t
        .image
        .as_ref()
        .map(|i| format!("{base}/media/{}", i.storage_name));
    let published = iso(t.published_at);
    graph(|ld| {
        news_article(
            ld,
            page,
            site,
            canonical,
            &story_url,
            image.as_deref(),
            &published,
        );
        if let Some(video) = video {
            video_object(ld, page, image.as_deref(), &published, video);
        }
        ld.boolean("isAccessibleForFree", true);
        ld.close();
        breadcrumbs(ld, page, site, &story_url);
    })
}

/// The story's `NewsArticle` (or `OpinionNewsArticle`), left open for the video post's
/// `VideoObject` and the last field.
fn news_article(
    ld: &mut Ld,
    page: &ArticlePage,
    site: &SiteConfig,
    canonical: &str,
    story_url: &str,
    image: Option<&str>,
    published: &str,
) {
    let t = &page.teaser;
    let base = site.base_url.as_str();
    ld.open(
        None,
        Some(match t.kind {
            ArticleKind::Opinion => "OpinionNewsArticle",
            _ => "NewsArticle",
        }),
    );
    ld.field("@id", &format!("{story_url}#article"));
    ld.field("headline", &t.title);
    let description = non_empty(if t.summary.is_empty() {
        &t.excerpt
    } else {
        &t.summary
    });
    ld.some("description", description);
    ld.field("url", story_url);
    ld.field("mainEntityOfPage", canonical);
    ld.strings("image", image.into_iter());
    ld.field("datePublished", published);
    let modified = last_update(
        t.published_at,
        t.updated_at,
        page.story.notes.last().map(|n| n.at),
    );
    ld.field("dateModified", &iso(modified.unwrap_or(t.published_at)));
    authors(ld, page, base);
    publisher(ld, "publisher", site);
    ld.field("articleSection", &t.section.name);
    ld.field("inLanguage", &site.language);
    ld.strings("keywords", page.tags.iter().map(|tag| tag.name.as_str()));
    ld.some("isBasedOn", non_empty(&page.story.source_url));
    corrections(ld, page);
}

/// The video post's `VideoObject`, `video` the address the page offers.
fn video_object(
    ld: &mut Ld,
    page: &ArticlePage,
    image: Option<&str>,
    published: &str,
    video: &str,
) {
    let t = &page.teaser;
    ld.open(Some("video"), Some("VideoObject"));
    ld.field("name", &t.title);
    let about = non_empty(&t.summary).or(non_empty(&t.excerpt));
    ld.field("description", about.unwrap_or(&t.title));
    ld.strings("thumbnailUrl", image.into_iter());
    ld.field("uploadDate", published);
    ld.field("embedUrl", video);
    ld.close();
}

/// The story's `BreadcrumbList`: the site, its section, the story.
fn breadcrumbs(ld: &mut Ld, page: &ArticlePage, site: &SiteConfig, story_url: &str) {
    let t = &page.teaser;
    let base = site.base_url.as_str();
    ld.open(None, Some("BreadcrumbList"));
    ld.open_array("itemListElement");
    let section_url = format!("{base}/section/{}", t.section.slug);
    let crumbs = [
        (&site.name, base),
        (&t.section.name, section_url.as_str()),
        (&t.title, story_url),
    ];
    for (position, (name, item)) in (1..).zip(crumbs) {
        ld.open(None, Some("ListItem"));
        ld.number("position", position);
        ld.field("name", name);
        ld.field("item", item);
        ld.close();
    }
    ld.close_array();
    ld.close();
}

/// One schema.org graph: `@context` and the `@graph` array `write` fills, made safe for its
/// `<script>` element.
fn graph(write: impl FnOnce(&mut Ld)) -> String {
    let mut ld = Ld::new();
    ld.open(None, None);
    ld.field("@context", "https://schema.org");
    ld.open_array("@graph");
    write(&mut ld);
    ld.close_array();
    ld.close();
    ld.finish()
}

/// The JSON-LD of a page of calendar events: one schema.org `Event` each, at its place
/// (all-day events by date, in their own time zone).
pub(crate) fn events(events: &[Event], site: &SiteConfig) -> String {
    graph(|ld| events.iter().for_each(|e| event(ld, e, site)))
}

/// One calendar event's `Event`.
fn event(ld: &mut Ld, e: &Event, site: &SiteConfig) {
    let tz = e.timezone.parse::<chrono_tz::Tz>().unwrap_or(site.timezone);
    let when = |at: DateTime<Utc>| {
        let local = at.with_timezone(&tz);
        if e.all_day {
            local.format("%Y-%m-%d").to_string()
        } else {
            local.to_rfc3339_opts(SecondsFormat::Secs, false)
        }
    };
    ld.open(None, Some("Event"));
    ld.field("name", &e.title);
    ld.field("startDate", &when(e.starts_at));
    ld.some("endDate", e.ends_at.map(when).as_deref());
    ld.open(Some("location"), Some("Place"));
    ld.field("name", &e.location);
    ld.field("address", &e.location);
    ld.close();
    ld.some("description", non_empty(&e.description));
    ld.field("url", &format!("{}/events/{}", site.base_url, e.slug));
    // The organiser's own page about it.
    ld.some("sameAs", non_empty(&e.link));
    ld.field(
        "eventStatus",
        if e.cancelled {
            "https://schema.org/EventCancelled"
        } else {
            "https://schema.org/EventScheduled"
        },
    );
    ld.field(
        "eventAttendanceMode",
        "https://schema.org/OfflineEventAttendanceMode",
    );
    publisher(ld, "organizer", site);
    ld.close();
}

/// `author`: staff authors with their pages; else the free-text byline (wire copy) without
/// one; an empty list when there is neither.
fn authors(ld: &mut Ld, page: &ArticlePage, base: &str) {
    let byline = &page.teaser.byline;
    ld.open_array("author");
    let wire_byline = non_empty(&byline.text).filter(|_| byline.authors.is_empty());
    if let Some(name) = wire_byline {
        ld.open(None, Some("Person"));
        ld.field("name", name);
        ld.close();
    }
    for a in &byline.authors {
        ld.open(None, Some("Person"));
        ld.field("name", &a.name);
        ld.field("url", &format!("{base}/author/{}", a.slug));
        ld.close();
    }
    ld.close_array();
}

/// The newsroom as schema.org sees it, under `key`: its name, address, logo and social
/// profiles (the `logo` and `social` settings, when set).
fn publisher(ld: &mut Ld, key: &'static str, site: &SiteConfig) {
    ld.open(Some(key), Some("NewsMediaOrganization"));
    ld.field("name", &site.name);
    ld.field("url", &site.base_url);
    if let Some(url) = site.logo_url() {
        ld.open(Some("logo"), Some("ImageObject"));
        ld.field("url", &url);
        ld.close();
    }
    let social = &site.identity.social;
    ld.strings("sameAs", social.iter().map(|l| l.url.as_str()));
    ld.close();
}

/// `correction`: the story's correction notes (not its updates), left out when none.
fn corrections(ld: &mut Ld, page: &ArticlePage) {
    let mut notes = page
        .story
        .notes
        .iter()
        .filter(|n| n.kind == NoteKind::Correction)
        .peekable();
    if notes.peek().is_none() {
        return;
    }
    ld.open_array("correction");
    for note in notes {
        ld.open(None, Some("CorrectionComment"));
        ld.field("text", &note.text);
        ld.field("datePublished", &iso(note.at));
        ld.close();
    }
    ld.close_array();
}

fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn non_empty(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}
