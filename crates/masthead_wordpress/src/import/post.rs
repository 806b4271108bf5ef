//! One WordPress post as a masthead story: its text converted ([`crate::body`]), its
//! status and dates, section, tags and byline, its kind (a video post when it has the video
//! format and one embed; opinion when filed so), what the report must say of it, and a
//! hash of everything it was made from, so a second run knows whether it changed.

use crate::body::{self, ConvertOptions};
use crate::import::report::{Report, reason};
use crate::import::taxonomy::{Taxonomy, masthead_slug};
use crate::wxr::Item;
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;
use masthead_core::VideoUrl;
use masthead_core::{ArticleStatus, Slug, excerpt};
use masthead_desk::batch::Wanted;
use masthead_desk::{MAX_TAGS, MAX_TITLE};
use masthead_store::{ArticleFields, KindParts, Placement};
use sha2::{Digest, Sha256};

/// The longest summary kept from an excerpt, in characters.
const SUMMARY_CHARS: usize = 600;

/// A post ready to be written, its images still at their old addresses.
#[derive(Debug, Clone)]
pub struct Planned {
    /// Its WordPress id.
    pub post_id: u64,
    /// Its old address, for the report.
    pub old: String,
    /// The story.
    pub fields: ArticleFields,
    /// Where it stands.
    pub wanted: Wanted,
    /// The hash of what it was made from.
    pub hash: String,
    /// Its featured image: the attachment's address, alt text and caption.
    pub lead: Option<(String, String, String)>,
    /// Its body's images: address and alt text.
    pub images: Vec<(String, String)>,
    /// Whether WordPress had it sticky.
    pub sticky: bool,
    /// What the desk shows beside it: old address and custom fields (JSON).
    pub data: String,
    /// Its addresses on the old site, to lead to it here (none for a story not public).
    pub addresses: Vec<String>,
}

/// How the item is to stand here, or why it is left out.
fn placement(item: &Item, tz: Tz, report: &mut Report, old: &str) -> Option<Wanted> {
    let published = post_time(&item.post_date_gmt, &item.post_date, tz);
    let modified = post_time(&item.post_modified_gmt, &item.post_modified, tz)
        .filter(|m| published.is_none_or(|p| *m > p));
    let hidden = !item.post_password.is_empty() || item.status == "private";
    if hidden {
        report.note(
            reason::PRIVATE,
            old,
            if item.post_password.is_empty() {
                "private"
            } else {
                "password-protected"
            },
        );
        return Some(Wanted::Keep(Placement::DRAFT));
    }
    let keep = |status, published_at, updated_at| {
        Some(Wanted::Keep(Placement {
            status,
            published_at,
            updated_at,
        }))
    };
    match item.status.as_str() {
        "publish" => keep(ArticleStatus::Published, published.or(modified), modified),
        "future" => match published {
            Some(at) => keep(ArticleStatus::Scheduled, Some(at), None),
            None => keep(ArticleStatus::Draft, None, None),
        },
        "pending" => keep(ArticleStatus::Review, None, None),
        "draft" => keep(ArticleStatus::Draft, None, None),
        other => {
            report.note(reason::TRASH, old, format!("status {other:?}"));
            None
        }
    }
}

/// A WordPress time: the UTC one when set, else the local one in the site's zone; `None`
/// for `0000-00-00 00:00:00` (a draft never published) and anything unreadable.
pub fn post_time(gmt: &str, local: &str, tz: Tz) -> Option<DateTime<Utc>> {
    let parse = |s: &str| NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%d %H:%M:%S").ok();
    if let Some(t) = parse(gmt) {
        return Some(Utc.from_utc_datetime(&t));
    }
    let t = parse(local)?;
    tz.from_local_datetime(&t)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

/// The hash of everything a story is made from.
pub fn content_hash(item: &Item) -> String {
    let mut h = Sha256::new();
    for part in [
        &item.title,
        &item.content,
        &item.excerpt,
        &item.status,
        &item.post_name,
        &item.post_date_gmt,
        &item.post_date,
        &item.post_password,
        &item.creator,
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.update([u8::from(item.is_sticky)]);
    for t in &item.terms {
        for part in [&t.domain, &t.slug, &t.name] {
            h.update(part.as_bytes());
            h.update([0]);
        }
    }
    for m in &item.meta {
        h.update(m.key.as_bytes());
        h.update([0]);
        h.update(m.value.as_bytes());
        h.update([0]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The story `item` (a post) becomes, or `None` when it is left out (noted in `report`).
pub fn plan(
    item: &Item,
    taxonomy: &Taxonomy,
    options: &ConvertOptions,
    attachments: &crate::import::survey::Survey,
    tz: Tz,
    report: &mut Report,
) -> Option<Planned> {
    let old = if item.link.is_empty() {
        format!("post {}", item.post_id)
    } else {
        item.link.clone()
    };
    let wanted = placement(item, tz, report, &old)?;
    let converted = body::convert(&item.content, options);
    for name in &converted.unknown_shortcodes {
        report.note(reason::SHORTCODE, &old, format!("[{name}]"));
    }
    let filed = taxonomy.file(item);
    let mut title = crate::import::text::plain(&item.title);
    if title.chars().count() > MAX_TITLE {
        report.note(
            reason::NEEDS_WORK,
            &old,
            format!("headline shortened from: {title}"),
        );
        title = excerpt(&title, MAX_TITLE - 1);
    }
    if title.trim().is_empty() {
        let from_body = excerpt(
            &masthead_render::markdown::plain_text(&converted.markdown),
            80,
        );
        title = if from_body.trim().is_empty() {
            format!("Untitled ({})", item.post_id)
        } else {
            from_body
        };
        report.note(
            reason::NEEDS_WORK,
            &old,
            "had no headline: one was made from its first words",
        );
    }
    // A slug of letters masthead's addresses do not take (Arabic, Chinese, …) and a title
    // of the same leave only "untitled": the post's id keeps addresses apart (the old
    // address still leads to it).
    let slug = match masthead_slug(&item.post_name, &title) {
        s if s.as_str() == "untitled" => {
            Slug::parse(&format!("post-{}", item.post_id)).unwrap_or(s)
        }
        s => s,
    };
    let mut tags = filed.tags;
    if tags.len() > MAX_TAGS {
        report.note(
            reason::NEEDS_WORK,
            &old,
            format!("{} tags: the first {MAX_TAGS} kept", tags.len()),
        );
        tags.truncate(MAX_TAGS);
    }
    let mut markdown = converted.markdown;
    // The hand-written excerpt, else the teaser above `<!--more-->`, as WordPress shows it.
    let teaser = converted
        .more_at
        .and_then(|at| markdown.get(..at))
        .map(masthead_render::markdown::plain_text)
        .unwrap_or_default();
    let video_format = item
        .terms_of("post_format")
        .any(|t| t.slug == "post-format-video");
    let parts = match (video_format, converted.videos.as_slice()) {
        (true, [one]) => match VideoUrl::parse(one) {
            Ok(url) => {
                markdown = remove_line(&markdown, one);
                KindParts::Video {
                    video_url: url.as_str().to_owned(),
                }
            }
            Err(_) => KindParts::News,
        },
        _ if filed.opinion => KindParts::Opinion,
        _ => KindParts::News,
    };
    let summary = match crate::import::text::plain(&item.excerpt) {
        written if written.is_empty() => excerpt(teaser.trim(), SUMMARY_CHARS),
        written => excerpt(&written, SUMMARY_CHARS),
    };
    let fields = ArticleFields {
        parts,
        summary,
        body_md: markdown,
        authors: taxonomy.author(&item.creator).into_iter().collect(),
        tags,
        ..ArticleFields::news(&title, slug, filed.section)
    };
    let lead = item
        .meta("_thumbnail_id")
        .and_then(|id| id.trim().parse::<u64>().ok())
        .and_then(|id| attachments.attachments.get(&id))
        .map(|a| {
            (
                a.url.clone(),
                a.alt.clone(),
                crate::import::text::plain(&a.caption),
            )
        });
    let custom: Vec<(&str, &str)> = item
        .meta
        .iter()
        .filter(|m| !m.key.starts_with('_'))
        .map(|m| (m.key.as_str(), m.value.as_str()))
        .collect();
    let data = serde_json::json!({
        "old_address": item.link,
        "wordpress_id": item.post_id,
        "custom_fields": custom,
    })
    .to_string();
    let public = matches!(
        wanted,
        Wanted::Keep(Placement {
            status: ArticleStatus::Published | ArticleStatus::Scheduled,
            ..
        })
    );
    Some(Planned {
        addresses: if public {
            crate::import::addresses::of_post(item)
        } else {
            Vec::new()
        },
        post_id: item.post_id,
        old,
        fields,
        wanted,
        hash: content_hash(item),
        lead,
        images: converted
            .images
            .iter()
            .map(|i| (i.src.clone(), i.alt.clone()))
            .collect(),
        sticky: item.is_sticky,
        data,
    })
}

/// `markdown` without the line that is only `line`.
fn remove_line(markdown: &str, line: &str) -> String {
    let kept: Vec<&str> = markdown.lines().filter(|l| l.trim() != line).collect();
    kept.join("\n").trim().to_owned()
}
