//! Feeds: one [`Feed`] written as RSS 2.0 (`rss`), Atom 1.0 (`atom_syndication`) or JSON
//! Feed 1.1 (serde structs). The writers escape every value; nothing here builds XML by hand.
//!
//! The caller (the web layer) fills in absolute addresses from the configured base URL and the
//! entry's content from the theme's `feeds/entry.html`; this module only maps the one model to
//! each format's fields:
//!
//! | model | RSS 2.0 | Atom | JSON Feed |
//! |---|---|---|---|
//! | `id` (from the story id, never the slug) | `guid isPermaLink="false"` | `id` | `id` |
//! | `published` / `updated` | `pubDate` (+ `atom:updated`) | `published` / `updated` | `date_published` / `date_modified` |
//! | `credit` ("Ana Reyes and Bo Lindqvist", "Jo Writer \| Prairie Wire") | `dc:creator` | `author` per person | `authors` |
//! | `image` | `enclosure` + `media:content` | `link rel="enclosure"` + `media:content` | `image` + `attachments` |

use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::BTreeMap;

/// The Media RSS namespace, for `media:content`.
const MEDIA_NS: &str = "http://search.yahoo.com/mrss/";
/// What the JSON Feed's `version` says.
const JSON_FEED_VERSION: &str = "https://jsonfeed.org/version/1.1";
/// The program named as the feeds' generator.
const GENERATOR: &str = "masthead";

/// The three formats every feed is offered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeedFormat {
    /// RSS 2.0, at `…/feed.xml`.
    Rss,
    /// Atom 1.0, at `…/atom.xml`.
    Atom,
    /// JSON Feed 1.1, at `…/feed.json`.
    Json,
}

impl FeedFormat {
    /// Every format, in the order pages list them.
    pub const ALL: [FeedFormat; 3] = [FeedFormat::Rss, FeedFormat::Atom, FeedFormat::Json];

    /// The last segment of the feed's address.
    pub fn file_name(self) -> &'static str {
        match self {
            FeedFormat::Rss => "feed.xml",
            FeedFormat::Atom => "atom.xml",
            FeedFormat::Json => "feed.json",
        }
    }

    /// The media type it is served (and advertised in `<link rel="alternate">`) with.
    pub fn media_type(self) -> &'static str {
        match self {
            FeedFormat::Rss => "application/rss+xml",
            FeedFormat::Atom => "application/atom+xml",
            FeedFormat::Json => "application/feed+json",
        }
    }

    /// The `Content-Type` header value.
    pub fn content_type(self) -> &'static str {
        match self {
            FeedFormat::Rss => "application/rss+xml; charset=utf-8",
            FeedFormat::Atom => "application/atom+xml; charset=utf-8",
            FeedFormat::Json => "application/feed+json; charset=utf-8",
        }
    }

    /// Its name for people ("RSS", "Atom", "JSON Feed").
    pub fn label(self) -> &'static str {
        match self {
            FeedFormat::Rss => "RSS",
            FeedFormat::Atom => "Atom",
            FeedFormat::Json => "JSON Feed",
        }
    }
}

/// A feed: what it is about, where it lives, and its newest entries (newest first).
#[derive(Debug, Clone)]
pub struct Feed {
    /// E.g. "The Cedar Hollow Courier: Sports".
    pub title: String,
    /// One line about it.
    pub description: String,
    /// The HTML page it mirrors (absolute).
    pub home_url: String,
    /// Its own address in each format (absolute), in [`FeedFormat::ALL`] order.
    pub urls: [String; 3],
    /// A language tag, e.g. "en".
    pub language: String,
    /// Used as the feed's own date when it has no entries (Atom requires one).
    pub empty_updated: DateTime<Utc>,
    /// The entries.
    pub entries: Vec<Entry>,
}

/// One story in a feed.
#[derive(Debug, Clone)]
pub struct Entry {
    /// A permanent identifier that no edit changes.
    pub id: String,
    /// The story's address (absolute).
    pub url: String,
    /// The headline.
    pub title: String,
    /// A plain-text summary (the article summary, else the excerpt).
    pub summary: String,
    /// The full content as HTML (sanitized body and what the page adds around it).
    pub content_html: String,
    /// The byline as the site shows it, without "By ".
    pub credit: String,
    /// The people to name as authors (staff with their page; a wire writer with its credit).
    pub authors: Vec<Person>,
    /// The section's name.
    pub category: String,
    /// First published.
    pub published: DateTime<Utc>,
    /// Last corrected or updated, if after publication.
    pub updated: Option<DateTime<Utc>>,
    /// The lead image.
    pub image: Option<FeedImage>,
}

/// A person credited on an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The name as printed.
    pub name: String,
    /// Their page on the site (absolute), for staff.
    pub url: Option<String>,
}

/// An entry's lead image.
#[derive(Debug, Clone)]
pub struct FeedImage {
    /// Its address (absolute).
    pub url: String,
    /// Its media type, e.g. "image/jpeg".
    pub mime_type: String,
    /// Its size in bytes.
    pub length: i64,
    /// Width in pixels.
    pub width: i64,
    /// Height in pixels.
    pub height: i64,
    /// Alt text.
    pub alt: String,
    /// Who made it.
    pub credit: String,
}

/// An error while writing a feed (from the XML writer).
#[derive(Debug, thiserror::Error)]
#[error("could not write the {format} feed: {message}")]
pub struct FeedError {
    format: &'static str,
    message: String,
}

impl Entry {
    /// When the entry last changed: the update, else publication.
    pub fn last_changed(&self) -> DateTime<Utc> {
        self.updated.unwrap_or(self.published)
    }
}

impl Feed {
    /// The newest change among the entries (the feed's own date).
    pub fn updated(&self) -> DateTime<Utc> {
        self.entries
            .iter()
            .map(Entry::last_changed)
            .max()
            .unwrap_or(self.empty_updated)
    }

    /// The feed in `format`.
    pub fn write(&self, format: FeedFormat) -> Result<String, FeedError> {
        match format {
            FeedFormat::Rss => self.rss(),
            FeedFormat::Atom => self.atom(),
            FeedFormat::Json => self.json(),
        }
    }

    fn url(&self, format: FeedFormat) -> &str {
        let i = FeedFormat::ALL.iter().position(|f| *f == format);
        i.and_then(|i| self.urls.get(i)).map_or("", String::as_str)
    }

    fn rss(&self) -> Result<String, FeedError> {
        use rss::extension::Extension;
        use rss::extension::dublincore::DublinCoreExtension;
        let items = self
            .entries
            .iter()
            .map(|e| {
                let mut item = rss::Item {
                    title: Some(e.title.clone()),
                    link: Some(e.url.clone()),
                    description: Some(e.summary.clone()),
                    content: Some(e.content_html.clone()),
                    guid: Some(rss::Guid {
                        value: e.id.clone(),
                        permalink: false,
                    }),
                    pub_date: Some(e.published.to_rfc2822()),
                    categories: vec![rss::Category {
                        name: e.category.clone(),
                        domain: None,
                    }],
                    dublin_core_ext: (!e.credit.is_empty()).then(|| DublinCoreExtension {
                        creators: vec![e.credit.clone()],
                        ..Default::default()
                    }),
                    ..Default::default()
                };
                if let Some(updated) = e.updated {
                    // RSS 2.0 has no "updated"; Atom's element is the common extension.
                    item.extensions.insert(
                        "atom".into(),
                        BTreeMap::from([(
                            "updated".to_owned(),
                            vec![Extension {
                                name: "atom:updated".into(),
                                value: Some(updated.to_rfc3339()),
                                ..Default::default()
                            }],
                        )]),
                    );
                }
                if let Some(image) = &e.image {
                    item.enclosure = Some(rss::Enclosure {
                        url: image.url.clone(),
                        length: image.length.to_string(),
                        mime_type: image.mime_type.clone(),
                    });
                    item.extensions.insert(
                        "media".into(),
                        BTreeMap::from([("content".to_owned(), vec![rss_media(image)])]),
                    );
                }
                item
            })
            .collect();
        let channel = rss::Channel {
            title: self.title.clone(),
            link: self.home_url.clone(),
            description: self.description.clone(),
            language: Some(self.language.clone()),
            last_build_date: Some(self.updated().to_rfc2822()),
            generator: Some(GENERATOR.into()),
            items,
            // `atom:link rel="self"`, through the generic extensions: rss's own `atom` feature
            // would bring atom_syndication's builder macros back.
            extensions: BTreeMap::from([(
                "atom".to_owned(),
                BTreeMap::from([(
                    "link".to_owned(),
                    vec![Extension {
                        name: "atom:link".into(),
                        attrs: BTreeMap::from([
                            ("href".to_owned(), self.url(FeedFormat::Rss).to_owned()),
                            ("rel".to_owned(), "self".to_owned()),
                            ("type".to_owned(), FeedFormat::Rss.media_type().to_owned()),
                        ]),
                        ..Default::default()
                    }],
                )]),
            )]),
            namespaces: BTreeMap::from([
                ("media".to_owned(), MEDIA_NS.to_owned()),
                ("atom".to_owned(), "http://www.w3.org/2005/Atom".to_owned()),
            ]),
            ..Default::default()
        };
        let bytes = channel.write_to(Vec::new()).map_err(|e| FeedError {
            format: "RSS",
            message: e.to_string(),
        })?;
        String::from_utf8(bytes).map_err(|e| FeedError {
            format: "RSS",
            message: e.to_string(),
        })
    }

    fn atom(&self) -> Result<String, FeedError> {
        use atom_syndication::{Content, Link, Text};
        let entries = self
            .entries
            .iter()
            .map(|e| {
                let mut links = vec![Link {
                    href: e.url.clone(),
                    mime_type: Some("text/html".into()),
                    ..Default::default()
                }];
                let mut extensions = atom_syndication::extension::ExtensionMap::new();
                if let Some(image) = &e.image {
                    links.push(Link {
                        href: image.url.clone(),
                        rel: "enclosure".into(),
                        mime_type: Some(image.mime_type.clone()),
                        length: Some(image.length.to_string()),
                        ..Default::default()
                    });
                    extensions.insert(
                        "media".into(),
                        BTreeMap::from([("content".to_owned(), vec![atom_media(image)])]),
                    );
                }
                atom_syndication::Entry {
                    title: Text::plain(e.title.clone()),
                    id: e.id.clone(),
                    updated: e.last_changed().fixed_offset(),
                    published: Some(e.published.fixed_offset()),
                    authors: e
                        .authors
                        .iter()
                        .map(|p| atom_syndication::Person {
                            name: p.name.clone(),
                            email: None,
                            uri: p.url.clone(),
                            extensions: Default::default(),
                        })
                        .collect(),
                    categories: vec![atom_syndication::Category {
                        term: e.category.clone(),
                        scheme: None,
                        label: None,
                    }],
                    links,
                    summary: (!e.summary.is_empty()).then(|| Text::plain(e.summary.clone())),
                    content: Some(Content {
                        value: Some(e.content_html.clone()),
                        content_type: Some("html".into()),
                        ..Default::default()
                    }),
                    extensions,
                    ..Default::default()
                }
            })
            .collect();
        let feed = atom_syndication::Feed {
            title: Text::plain(self.title.clone()),
            id: self.url(FeedFormat::Atom).to_owned(),
            updated: self.updated().fixed_offset(),
            subtitle: (!self.description.is_empty()).then(|| Text::plain(self.description.clone())),
            links: vec![
                Link {
                    href: self.home_url.clone(),
                    mime_type: Some("text/html".into()),
                    ..Default::default()
                },
                Link {
                    href: self.url(FeedFormat::Atom).to_owned(),
                    rel: "self".into(),
                    mime_type: Some(FeedFormat::Atom.media_type().into()),
                    ..Default::default()
                },
            ],
            generator: Some(atom_syndication::Generator {
                value: GENERATOR.into(),
                uri: None,
                version: None,
            }),
            lang: Some(self.language.clone()),
            entries,
            namespaces: BTreeMap::from([("media".to_owned(), MEDIA_NS.to_owned())]),
            ..Default::default()
        };
        let bytes = feed.write_to(Vec::new()).map_err(|e| FeedError {
            format: "Atom",
            message: e.to_string(),
        })?;
        String::from_utf8(bytes).map_err(|e| FeedError {
            format: "Atom",
            message: e.to_string(),
        })
    }

    fn json(&self) -> Result<String, FeedError> {
        let feed = JsonFeed {
            version: JSON_FEED_VERSION,
            title: &self.title,
            home_page_url: &self.home_url,
            feed_url: self.url(FeedFormat::Json),
            description: &self.description,
            language: &self.language,
            items: self
                .entries
                .iter()
                .map(|e| JsonItem {
                    id: &e.id,
                    url: &e.url,
                    title: &e.title,
                    content_html: &e.content_html,
                    summary: (!e.summary.is_empty()).then_some(e.summary.as_str()),
                    image: e.image.as_ref().map(|i| i.url.as_str()),
                    date_published: e.published.to_rfc3339(),
                    date_modified: e.updated.map(|u| u.to_rfc3339()),
                    authors: e
                        .authors
                        .iter()
                        .map(|p| JsonAuthor {
                            name: &p.name,
                            url: p.url.as_deref(),
                        })
                        .collect(),
                    tags: vec![&e.category],
                    language: &self.language,
                    attachments: e
                        .image
                        .iter()
                        .map(|i| JsonAttachment {
                            url: &i.url,
                            mime_type: &i.mime_type,
                            title: (!i.alt.is_empty()).then_some(i.alt.as_str()),
                            size_in_bytes: i.length,
                        })
                        .collect(),
                })
                .collect(),
        };
        serde_json::to_string_pretty(&feed).map_err(|e| FeedError {
            format: "JSON",
            message: e.to_string(),
        })
    }
}

/// `media:content` for RSS, with the alt text and credit.
fn rss_media(image: &FeedImage) -> rss::extension::Extension {
    use rss::extension::Extension;
    let child = |name: &str, value: &str| Extension {
        name: format!("media:{name}"),
        value: Some(value.to_owned()),
        ..Default::default()
    };
    let mut children = BTreeMap::new();
    if !image.alt.is_empty() {
        children.insert(
            "description".to_owned(),
            vec![child("description", &image.alt)],
        );
    }
    if !image.credit.is_empty() {
        children.insert("credit".to_owned(), vec![child("credit", &image.credit)]);
    }
    Extension {
        name: "media:content".into(),
        value: None,
        attrs: media_attrs(image),
        children,
    }
}

/// `media:content` for Atom: the same element through the other crate's extension type.
fn atom_media(image: &FeedImage) -> atom_syndication::extension::Extension {
    let rss = rss_media(image);
    let convert = |e: rss::extension::Extension| atom_syndication::extension::Extension {
        name: e.name,
        value: e.value,
        attrs: e.attrs,
        children: BTreeMap::new(),
    };
    let children = rss
        .children
        .into_iter()
        .map(|(k, v)| (k, v.into_iter().map(convert).collect()))
        .collect();
    atom_syndication::extension::Extension {
        name: rss.name,
        value: None,
        attrs: rss.attrs,
        children,
    }
}

fn media_attrs(image: &FeedImage) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("url".to_owned(), image.url.clone()),
        ("type".to_owned(), image.mime_type.clone()),
        ("medium".to_owned(), "image".to_owned()),
        ("fileSize".to_owned(), image.length.to_string()),
        ("width".to_owned(), image.width.to_string()),
        ("height".to_owned(), image.height.to_string()),
    ])
}

/// JSON Feed 1.1's top level (<https://jsonfeed.org/version/1.1>).
#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    feed_url: &'a str,
    description: &'a str,
    language: &'a str,
    items: Vec<JsonItem<'a>>,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    id: &'a str,
    url: &'a str,
    title: &'a str,
    content_html: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
    date_published: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    date_modified: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    authors: Vec<JsonAuthor<'a>>,
    tags: Vec<&'a String>,
    language: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<JsonAttachment<'a>>,
}

#[derive(Serialize)]
struct JsonAuthor<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonAttachment<'a> {
    url: &'a str,
    mime_type: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<&'a str>,
    size_in_bytes: i64,
}
