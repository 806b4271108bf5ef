//! A parsed feed and a source's rules to [`Outcome`]s: one per item, a [`WireItem`] ready
//! to become a story, or the reason it was skipped.
//!
//! Pure: the worker supplies the bytes and stores the results. Nothing here reads a clock —
//! an item with no readable date has `published: None`, and the worker uses the time it
//! first saw the item.

use crate::body::{self, LeadImage};
use crate::html;
use crate::identity::{self, HashedParts, Identity, IdentityKind};
use crate::parse::{ParsedFeed, RawEntry};
use crate::rules::SourceRules;
use ammonia::Url;
use chrono::{DateTime, Duration, TimeZone, Utc};
use masthead_core::{Slug, excerpt};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Longest headline, in characters (the desk's limit).
pub const MAX_TITLE_CHARS: usize = 300;
/// Longest summary, in characters: a teaser's length.
pub const SUMMARY_CHARS: usize = 300;
/// The excerpt made from the body when the feed gives no summary (the site's teaser length).
pub const EXCERPT_CHARS: usize = 200;
/// Longest stored body, in bytes (the desk's limit).
pub const MAX_BODY_BYTES: usize = 200_000;
/// Most tags kept (the desk's limit).
pub const MAX_TAGS: usize = 30;
/// Longest author name or tag, in characters (the desk's limit on names).
pub const MAX_NAME_CHARS: usize = 100;

/// What became of one item of a feed.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// A story to create, or to update if its identity is known and its hash changed.
    Item(Box<WireItem>),
    /// Not taken; the reason is for the source's log in the admin.
    Skipped {
        /// Its position in the feed (0-based).
        index: usize,
        /// Its identity, when it had one.
        identity: Option<Identity>,
        /// Why.
        reason: SkipReason,
    },
}

/// Why an item was not taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", content = "detail", rename_all = "snake_case")]
pub enum SkipReason {
    /// Another item earlier in the same feed has the same identity; the first one is kept.
    #[error("same identity as item {first} earlier in the feed; the first one is kept")]
    Duplicate {
        /// The position of the item kept.
        first: usize,
    },
    /// The source's keyword filters said no.
    #[error("filtered: {0}")]
    Filtered(String),
    /// The item cannot become a story.
    #[error("unusable: {0}")]
    Invalid(String),
}

/// How the writer and the wire are credited.
///
/// The site prints a story's byline as "By {byline} | {source_name}" (the theme's
/// `parts/byline.html`), so storing the rendered template in `byline` would print the
/// credit twice. The template is rendered once as `display` (for the inbox and previews)
/// and stored split: `byline` is the rendered template without a leading "By " and without
/// the trailing " | {wire}" that the site adds itself; `source_name` is the wire. With the
/// default template, the page reads exactly as the template does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credit {
    /// For `ArticleFields::byline`: the writers' names (empty when the feed names none).
    pub byline: String,
    /// For `ArticleFields::source_name`: the wire's name.
    pub source_name: String,
    /// The whole credit as the template reads.
    pub display: String,
}

/// One item, normalised and licensed, ready to become a story.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WireItem {
    /// Its position in the feed (0-based).
    pub index: usize,
    /// Which story it is.
    pub identity: Identity,
    /// Whether it changed: compare with the hash stored at the last pull.
    pub content_hash: String,
    /// The headline, plain text, at most [`MAX_TITLE_CHARS`].
    pub title: String,
    /// A slug made from the headline.
    pub slug: Slug,
    /// The summary, plain text: the feed's, else an excerpt of the body.
    pub summary: String,
    /// The body as sanitized HTML, attribution first.
    pub body_html: String,
    /// The same body ready for `ArticleFields::body_md` (see [`crate::html::as_markdown_block`]).
    pub body_md: String,
    /// The credit.
    pub credit: Credit,
    /// The writers' names, plain text.
    pub authors: Vec<String>,
    /// When it was published: the feed's date, else its updated date; `None` when neither
    /// could be read (the worker then uses the time it first saw the item).
    pub published: Option<DateTime<Utc>>,
    /// When it was updated: the feed's date, else the published date.
    pub updated: Option<DateTime<Utc>>,
    /// The original's address, absolute, for `ArticleFields::source_url`.
    pub link: Option<String>,
    /// For `ArticleFields::source_canonical`: the licence asks and there is a link.
    pub source_canonical: bool,
    /// The picture to lead with, if any.
    pub lead_image: Option<LeadImage>,
    /// Addresses of pictures in the body with no alt text (the editor describes them).
    pub body_images_without_alt: Vec<String>,
    /// The feed's categories, plain text.
    pub categories: Vec<String>,
    /// The section the rules chose, if any.
    pub section: Option<Slug>,
    /// Tags: the categories, de-duplicated, when the rules ask.
    pub tags: Vec<String>,
    /// The licence does not allow a new headline.
    pub headline_locked: bool,
    /// The licence does not allow edits to the body (no derivatives).
    pub body_locked: bool,
    /// When to unpublish: `published` plus the licence's days (the worker computes it from
    /// the first-seen time when `published` is `None`; see [`SourceRules::expiry_from`]).
    pub expires_at: Option<DateTime<Utc>>,
}

impl WireItem {
    /// Writes the item's text, credit, link and tags over a story's `fields`: what a new
    /// story starts from, and what a change at the source changes (never the story's
    /// address, section, status or lead image).
    pub fn write_text_to(&self, fields: &mut masthead_store::ArticleFields) {
        fields.title = self.title.clone();
        fields.summary = self.summary.clone();
        fields.body_md = self.body_md.clone();
        fields.byline = self.credit.byline.clone();
        fields.source_name = self.credit.source_name.clone();
        fields.source_url = self.link.clone().unwrap_or_default();
        fields.source_canonical = self.source_canonical;
        fields.tags = self.tags.clone();
    }
}

impl SourceRules {
    /// When a story published at `t` expires under these terms.
    pub fn expiry_from(&self, t: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.licence
            .expire_after_days
            .and_then(|d| t.checked_add_signed(Duration::days(i64::from(d))))
    }
}

/// Normalises every item of `feed` under `rules`. `feed_url` is where the feed was
/// fetched from: relative links resolve against it when an item has no absolute link.
pub fn normalise(feed: &ParsedFeed, rules: &SourceRules, feed_url: &str) -> Vec<Outcome> {
    Normaliser::new(feed, rules, feed_url).collect()
}

/// [`normalise`] an item at a time, for a pull that writes batches as they come.
pub struct Normaliser<'a> {
    entries: std::iter::Enumerate<std::slice::Iter<'a, RawEntry>>,
    rules: &'a SourceRules,
    feed_base: Option<Url>,
    wire: String,
    seen: HashMap<String, usize>,
}

impl<'a> Normaliser<'a> {
    /// The outcomes of `feed`'s entries, in order, under `rules`.
    pub fn new(feed: &'a ParsedFeed, rules: &'a SourceRules, feed_url: &str) -> Self {
        let feed_base = Url::parse(feed_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"));
        let wire = if rules.wire_name.trim().is_empty() {
            html::to_plain(&feed.title)
        } else {
            rules.wire_name.trim().to_owned()
        };
        Normaliser {
            entries: feed.entries.iter().enumerate(),
            rules,
            feed_base,
            wire,
            seen: HashMap::with_capacity(feed.entries.len()),
        }
    }
}

impl Iterator for Normaliser<'_> {
    type Item = Outcome;

    fn next(&mut self) -> Option<Outcome> {
        let (index, entry) = self.entries.next()?;
        Some(
            match item(
                index,
                entry,
                self.rules,
                self.feed_base.as_ref(),
                &self.wire,
            ) {
                Ok(item) => {
                    let key = item.identity.key();
                    match self.seen.get(&key) {
                        Some(&first) => Outcome::Skipped {
                            index,
                            identity: Some(item.identity),
                            reason: SkipReason::Duplicate { first },
                        },
                        None => {
                            self.seen.insert(key, index);
                            Outcome::Item(Box::new(item))
                        }
                    }
                }
                Err((identity, reason)) => Outcome::Skipped {
                    index,
                    identity,
                    reason,
                },
            },
        )
    }
}

type Refusal = (Option<Identity>, SkipReason);

fn item(
    index: usize,
    entry: &RawEntry,
    rules: &SourceRules,
    feed_base: Option<&Url>,
    wire: &str,
) -> Result<WireItem, Refusal> {
    let link = entry
        .links
        .iter()
        .find_map(|l| body::absolute(l, feed_base));
    let base = link
        .as_deref()
        .and_then(|l| Url::parse(l).ok())
        .or_else(|| feed_base.cloned());
    let own_hosts: Vec<String> = [
        link.as_deref().and_then(|l| Url::parse(l).ok()),
        feed_base.cloned(),
    ]
    .into_iter()
    .flatten()
    .filter_map(|u| u.host_str().map(str::to_ascii_lowercase))
    .collect();

    let raw_body = entry
        .content
        .as_deref()
        .or(entry.summary.as_deref())
        .unwrap_or_default();
    let body = body::clean(raw_body, base.as_ref(), &own_hosts);
    let feed_summary = entry
        .summary
        .as_deref()
        .map(html::to_plain)
        .unwrap_or_default();
    let title = entry
        .title
        .as_deref()
        .map(html::to_plain)
        .unwrap_or_default();
    let authors = names(&entry.authors);
    let categories = names(&entry.categories);
    let lead_image = body::lead_image(entry, base.as_ref(), &body);

    let content_hash = identity::content_hash(&HashedParts {
        title: &title,
        summary: &feed_summary,
        body_html: &body.html,
        link: link.as_deref().unwrap_or_default(),
        authors: &authors,
        image: lead_image.as_ref().map_or("", |i| i.url.as_str()),
        image_alt: lead_image.as_ref().map_or("", |i| i.alt.as_str()),
        categories: &categories,
    });
    let identity = match (&entry.guid, &link) {
        (Some(guid), _) => Identity::new(IdentityKind::Guid, guid),
        (None, Some(link)) => Identity::new(IdentityKind::Link, link),
        (None, None) => Identity::new(IdentityKind::ContentHash, &content_hash),
    };
    let refuse = |reason: SkipReason| (Some(identity.clone()), reason);

    let title = if title.is_empty() {
        // A headline-less item (RSS allows one) is headed by the start of its text.
        excerpt(
            if feed_summary.is_empty() {
                &body.text
            } else {
                &feed_summary
            },
            80,
        )
    } else if title.chars().count() > MAX_TITLE_CHARS {
        excerpt(&title, MAX_TITLE_CHARS - 1)
    } else {
        title
    };
    if title.is_empty() {
        return Err(refuse(SkipReason::Invalid(
            "it has no headline and no text".into(),
        )));
    }
    let filter_text = format!("{title} {feed_summary} {}", body.text);
    if let Some(why) = rules.filter_out(&filter_text) {
        return Err(refuse(SkipReason::Filtered(why)));
    }

    let body_html = body::compose(&body, &rules.licence, wire, link.as_deref());
    let body_md = if body_html.is_empty() {
        String::new()
    } else {
        html::as_markdown_block(&body_html)
    };
    if body_md.len() > MAX_BODY_BYTES {
        return Err(refuse(SkipReason::Invalid(format!(
            "its body is {} bytes, over the {MAX_BODY_BYTES} a story may hold",
            body_md.len()
        ))));
    }
    let summary = if feed_summary.is_empty() {
        excerpt(&body.text, EXCERPT_CHARS)
    } else {
        excerpt(&feed_summary, SUMMARY_CHARS)
    };
    let published = plausible(entry.published).or(plausible(entry.updated));
    let updated = plausible(entry.updated).or(published);
    let tags = if rules.categories_as_tags {
        dedupe(&categories)
    } else {
        Vec::new()
    };
    Ok(WireItem {
        index,
        content_hash,
        slug: Slug::from_title(&title),
        title,
        summary,
        body_md,
        body_html,
        credit: credit(&rules.byline_template, &authors, wire),
        authors,
        published,
        updated,
        source_canonical: rules.licence.canonical_to_original && link.is_some(),
        link,
        lead_image,
        body_images_without_alt: body.images_without_alt,
        section: rules.section_for(&categories),
        categories,
        tags,
        headline_locked: !rules.licence.headline_editable,
        body_locked: rules.licence.no_derivatives,
        expires_at: published.and_then(|p| rules.expiry_from(p)),
        identity,
    })
}

/// A date before syndication existed is a parser's placeholder or a typo, not a date.
fn plausible(t: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    let floor = Utc.with_ymd_and_hms(1995, 1, 1, 0, 0, 0).single()?;
    t.filter(|t| *t >= floor)
}

/// Plain-text names, "By " removed, capped, empties dropped.
fn names(raw: &[String]) -> Vec<String> {
    raw.iter()
        .map(|n| {
            let plain = html::to_plain(n);
            let name = strip_by(&plain).trim().to_owned();
            if name.chars().count() > MAX_NAME_CHARS {
                name.chars().take(MAX_NAME_CHARS).collect()
            } else {
                name
            }
        })
        .filter(|n| !n.is_empty())
        .collect()
}

fn strip_by(s: &str) -> &str {
    let mut s = s.trim();
    while s.len() >= 3 && s.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("by ")) {
        s = s[3..].trim_start();
    }
    s
}

fn dedupe(names: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for n in names {
        if !out.iter().any(|o| o.to_lowercase() == n.to_lowercase()) && out.len() < MAX_TAGS {
            out.push(n.clone());
        }
    }
    out
}

/// "A", "A and B", "A, B and C".
fn join_names(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Renders the byline template and splits it for the story (see [`Credit`]).
pub fn credit(template: &str, authors: &[String], wire: &str) -> Credit {
    if authors.is_empty() {
        return Credit {
            byline: String::new(),
            source_name: wire.to_owned(),
            display: wire.to_owned(),
        };
    }
    let display = html::collapse(
        &template
            .replace("{author}", &join_names(authors))
            .replace("{wire}", wire),
    );
    let mut byline = strip_by(&display);
    if !wire.is_empty() {
        for sep in ["|", "-", "–", "—", "/", ","] {
            if let Some(rest) = byline.strip_suffix(wire)
                && let Some(rest) = rest.trim_end().strip_suffix(sep)
            {
                byline = rest.trim_end();
                break;
            }
        }
    }
    Credit {
        byline: byline.to_owned(),
        source_name: wire.to_owned(),
        display,
    }
}
