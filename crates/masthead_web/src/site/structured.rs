//! Structured data for search engines and news aggregators: schema.org JSON-LD built from
//! typed values and serialised by serde_json, never templated text. The serialised text is
//! then escaped for its `<script>` element (see [`script_safe`]), so no field, whatever a
//! writer typed, can end the element or open another.
//!
//! An article page carries one graph: the story (`NewsArticle`, `OpinionNewsArticle` for
//! opinion, with a `VideoObject` for a video post; its correction notes as
//! `CorrectionComment`s) and its `BreadcrumbList` (home, section, story); a page of the
//! calendar and an event's own page carry one `Event` per event (its `url` the event's page
//! here, `sameAs` the organiser's link, `eventStatus` cancelled when it was called off). Every
//! address in them starts with the configured `base_url`.

use crate::config::SiteConfig;
use chrono::{DateTime, SecondsFormat, Utc};
use masthead_core::{ArticleKind, NoteKind};
use masthead_store::{ArticlePage, Event, Image};
use serde::Serialize;

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
    let image: Vec<String> = t.image.iter().map(|i| image_url(base, i)).collect();
    let published = iso(t.published_at);
    let graph = Graph {
        context: "https://schema.org",
        graph: (
            Article {
                kind: match t.kind {
                    ArticleKind::Opinion => "OpinionNewsArticle",
                    _ => "NewsArticle",
                },
                id: format!("{story_url}#article"),
                headline: &t.title,
                description: non_empty(if t.summary.is_empty() {
                    &t.excerpt
                } else {
                    &t.summary
                }),
                url: &story_url,
                main_entity_of_page: canonical,
                image: image.clone(),
                date_published: published.clone(),
                date_modified: iso(last_update(
                    t.published_at,
                    t.updated_at,
                    page.story.notes.last().map(|n| n.at),
                )
                .unwrap_or(t.published_at)),
                author: authors(page, base),
                publisher: Publisher::of(site),
                article_section: &t.section.name,
                in_language: &site.language,
                keywords: page.tags.iter().map(|tag| tag.name.as_str()).collect(),
                is_based_on: non_empty(&page.story.source_url),
                correction: page
                    .story
                    .notes
                    .iter()
                    .filter(|n| n.kind == NoteKind::Correction)
                    .map(|n| Correction {
                        kind: "CorrectionComment",
                        text: &n.text,
                        date_published: iso(n.at),
                    })
                    .collect(),
                video: video.map(|video| Video {
                    kind: "VideoObject",
                    name: &t.title,
                    description: non_empty(&t.summary)
                        .or(non_empty(&t.excerpt))
                        .unwrap_or(&t.title),
                    thumbnail_url: image.clone(),
                    upload_date: published.clone(),
                    embed_url: video,
                }),
                is_accessible_for_free: true,
            },
            Breadcrumbs {
                kind: "BreadcrumbList",
                item_list_element: vec![
                    Crumb::new(1, &site.name, base.to_owned()),
                    Crumb::new(
                        2,
                        &t.section.name,
                        format!("{base}/section/{}", t.section.slug),
                    ),
                    Crumb::new(3, &t.title, story_url.clone()),
                ],
            },
        ),
    };
    script_safe(&graph)
}

/// The JSON-LD of a page of calendar events: one schema.org `Event` each, at its place
/// (all-day events by date, in their own time zone).
pub(crate) fn events(events: &[Event], site: &SiteConfig) -> String {
    let graph: Vec<EventLd<'_>> = events
        .iter()
        .map(|e| {
            let tz = e.timezone.parse::<chrono_tz::Tz>().unwrap_or(site.timezone);
            let when = |at: DateTime<Utc>| {
                let local = at.with_timezone(&tz);
                if e.all_day {
                    local.format("%Y-%m-%d").to_string()
                } else {
                    local.to_rfc3339_opts(SecondsFormat::Secs, false)
                }
            };
            EventLd {
                kind: "Event",
                name: &e.title,
                start_date: when(e.starts_at),
                end_date: e.ends_at.map(when),
                location: Place {
                    kind: "Place",
                    name: &e.location,
                    address: &e.location,
                },
                description: non_empty(&e.description),
                url: format!("{}/events/{}", site.base_url, e.slug),
                same_as: non_empty(&e.link),
                event_status: if e.cancelled {
                    "https://schema.org/EventCancelled"
                } else {
                    "https://schema.org/EventScheduled"
                },
                event_attendance_mode: "https://schema.org/OfflineEventAttendanceMode",
                organizer: Publisher::of(site),
            }
        })
        .collect();
    script_safe(&EventGraph {
        context: "https://schema.org",
        graph,
    })
}

/// Serialises `value` as JSON that can sit inside a `<script>` element: `<`, `>` and `&`
/// become `\u003c`, `\u003e` and `\u0026` (still the same JSON string to every parser), so
/// `</script>` or `<!--` in any field cannot end the element, and the line separators
/// U+2028 and U+2029 are escaped for older JavaScript parsers.
pub(crate) fn script_safe(value: &impl Serialize) -> String {
    // Serialising these plain structs cannot fail; an empty object is the safe fallback.
    let json = serde_json::to_string(value).unwrap_or_else(|_| "{}".to_owned());
    // Most pages hold none of them, and then the text is already safe: looked for with
    // memchr's vectorised searches. A test of every byte, which took the slow path below on
    // any dash (0xE2), was half the JSON-LD's cost.
    let bytes = json.as_bytes();
    let separator = |s: char| memchr::memmem::find(bytes, s.encode_utf8(&mut [0; 3]).as_bytes());
    if memchr::memchr3(b'<', b'>', b'&', bytes).is_none()
        && separator('\u{2028}').is_none()
        && separator('\u{2029}').is_none()
    {
        return json;
    }
    // Copy the safe runs whole, escaping between them.
    let mut out = String::with_capacity(json.len() + 16);
    let mut copied = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let separator = |last: u8| b == 0xE2 && bytes.get(i + 1..i + 3) == Some(&[0x80, last]);
        let (escape, len) = match b {
            b'<' => ("\\u003c", 1),
            b'>' => ("\\u003e", 1),
            b'&' => ("\\u0026", 1),
            _ if separator(0xA8) => ("\\u2028", 3),
            _ if separator(0xA9) => ("\\u2029", 3),
            _ => continue,
        };
        // `i` and `i + len` are character boundaries: the escaped characters are whole.
        out.push_str(&json[copied..i]);
        out.push_str(escape);
        copied = i + len;
    }
    out.push_str(&json[copied..]);
    out
}

/// Staff authors with their pages; else the free-text byline (wire copy) without one.
fn authors(page: &ArticlePage, base: &str) -> Vec<Person> {
    let byline = &page.teaser.byline;
    if byline.authors.is_empty() {
        return non_empty(&byline.text)
            .map(|name| Person {
                kind: "Person",
                name: name.to_owned(),
                url: None,
            })
            .into_iter()
            .collect();
    }
    byline
        .authors
        .iter()
        .map(|a| Person {
            kind: "Person",
            name: a.name.clone(),
            url: Some(format!("{base}/author/{}", a.slug)),
        })
        .collect()
}

fn image_url(base: &str, image: &Image) -> String {
    format!("{base}/media/{}", image.storage_name)
}

fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn non_empty(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

#[derive(Serialize)]
struct Graph<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@graph")]
    graph: (Article<'a>, Breadcrumbs<'a>),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Article<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "@id")]
    id: String,
    headline: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    url: &'a str,
    main_entity_of_page: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    image: Vec<String>,
    date_published: String,
    date_modified: String,
    author: Vec<Person>,
    publisher: Publisher<'a>,
    article_section: &'a str,
    in_language: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    keywords: Vec<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    is_based_on: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    correction: Vec<Correction<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    video: Option<Video<'a>>,
    is_accessible_for_free: bool,
}

#[derive(Serialize)]
struct EventGraph<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@graph")]
    graph: Vec<EventLd<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventLd<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    start_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_date: Option<String>,
    location: Place<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    url: String,
    /// The organiser's own page about it.
    #[serde(skip_serializing_if = "Option::is_none")]
    same_as: Option<&'a str>,
    event_status: &'static str,
    event_attendance_mode: &'static str,
    organizer: Publisher<'a>,
}

#[derive(Serialize)]
struct Place<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    address: &'a str,
}

#[derive(Serialize)]
struct Person {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

#[derive(Serialize)]
struct Publisher<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    logo: Option<Logo>,
    /// The newsroom's social profiles, from the `social` setting.
    #[serde(rename = "sameAs", skip_serializing_if = "Vec::is_empty")]
    same_as: Vec<&'a str>,
}

/// The publisher's logo, from the `logo` setting.
#[derive(Serialize)]
struct Logo {
    #[serde(rename = "@type")]
    kind: &'static str,
    url: String,
}

impl<'a> Publisher<'a> {
    /// The newsroom as schema.org sees it: its name, address, logo and social profiles (when
    /// set).
    fn of(site: &'a SiteConfig) -> Self {
        Publisher {
            kind: "NewsMediaOrganization",
            name: &site.name,
            url: &site.base_url,
            logo: site.logo_url().map(|url| Logo {
                kind: "ImageObject",
                url,
            }),
            same_as: site
                .identity
                .social
                .iter()
                .map(|l| l.url.as_str())
                .collect(),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Correction<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    text: &'a str,
    date_published: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Video<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    description: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    thumbnail_url: Vec<String>,
    upload_date: String,
    embed_url: &'a str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Breadcrumbs<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    item_list_element: Vec<Crumb<'a>>,
}

#[derive(Serialize)]
struct Crumb<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    position: u32,
    name: &'a str,
    item: String,
}

impl<'a> Crumb<'a> {
    fn new(position: u32, name: &'a str, item: String) -> Self {
        Crumb {
            kind: "ListItem",
            position,
            name,
            item,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_in_a_field_can_close_the_script_element() {
        let text = "</script><script>alert(1)</script><!-- & \u{2028} a \u{2029}\u{2028}— café ‘x’";
        let out = script_safe(&serde_json::json!({ "headline": text }));
        assert!(!out.contains('<') && !out.contains('>') && !out.contains('&'));
        assert!(!out.contains('\u{2028}') && !out.contains('\u{2029}'));
        // Other characters that start with the same byte as the separators are kept as they are.
        assert!(out.contains("— café ‘x’"), "{out}");
        let back: serde_json::Value = serde_json::from_str(&out).unwrap_or_default();
        assert_eq!(back["headline"], text);
    }
}
