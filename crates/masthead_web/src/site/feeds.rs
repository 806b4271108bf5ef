//! Feeds of the whole site and of every section, staff author and tag, each in RSS 2.0, Atom
//! and JSON Feed 1.1:
//!
//! | feed | RSS | Atom | JSON Feed |
//! |---|---|---|---|
//! | every story | `/feed.xml` | `/atom.xml` | `/feed.json` |
//! | a section | `/section/{slug}/feed.xml` | `/section/{slug}/atom.xml` | `/section/{slug}/feed.json` |
//! | an author | `/author/{slug}/feed.xml` | … | … |
//! | a tag | `/tag/{slug}/feed.xml` | … | … |
//!
//! Each holds the newest [`FEED_STORIES`] visible stories with their full content, read with
//! the list pages' own queries. Responses carry an `ETag` (a hash of the body) and a
//! `Last-Modified` (when this server rendered it), go through the page cache like pages, and
//! answer conditional requests with `304` (`conditional.rs`). Every address in them comes
//! from the configured base URL.

use crate::params::SlugParam;
use crate::render::current_parts;
use crate::site::cached::document;
use crate::site::conditional::http_date;
use crate::site::structured::last_update;
use crate::{AppState, SiteConfig, WebError};
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::get;
use masthead_core::{VideoUrl, WebUrl};
use masthead_render::feeds::{Entry, Feed, FeedFormat, FeedImage, Person};
use masthead_render::{Theme, context, ser};
use masthead_store::{ArticleFilter, Byline, FeedStory};
use sha2::{Digest, Sha256};

/// How many stories a feed holds: a day or two of a busy local newsroom, enough for a reader
/// that checks once a day, small enough (with full content) to fetch often.
pub(crate) const FEED_STORIES: u32 = 30;

/// The feed routes: every format of every kind of feed.
pub(crate) fn routes() -> Router<AppState> {
    let mut routes = Router::new();
    for format in FeedFormat::ALL {
        let file = format.file_name();
        routes = routes
            .route(
                &format!("/{file}"),
                get(move |State(state): State<AppState>| async move { site(&state, format).await }),
            )
            .route(
                &format!("/section/{{slug}}/{file}"),
                get(
                    move |State(state): State<AppState>, SlugParam(slug): SlugParam| async move {
                        section(&state, slug.as_str(), format).await
                    },
                ),
            )
            .route(
                &format!("/author/{{slug}}/{file}"),
                get(
                    move |State(state): State<AppState>, SlugParam(slug): SlugParam| async move {
                        author(&state, slug.as_str(), format).await
                    },
                ),
            )
            .route(
                &format!("/tag/{{slug}}/{file}"),
                get(
                    move |State(state): State<AppState>, SlugParam(slug): SlugParam| async move {
                        tag(&state, slug.as_str(), format).await
                    },
                ),
            );
    }
    routes
}

/// What one feed covers.
struct Scope {
    filter: ArticleFilter,
    /// The list page it mirrors, e.g. "/section/sports" ("" for the whole site).
    path: String,
    /// Its name after the site's, e.g. "Sports" (empty for the whole site).
    name: String,
    description: String,
}

async fn site(state: &AppState, format: FeedFormat) -> Result<Response, WebError> {
    let scope = Scope {
        filter: ArticleFilter::All,
        path: String::new(),
        name: String::new(),
        description: state.config().tagline.clone(),
    };
    respond(state, scope, format).await
}

async fn section(state: &AppState, slug: &str, format: FeedFormat) -> Result<Response, WebError> {
    let parts = current_parts(state).await?;
    let section = parts
        .sections
        .iter()
        .find(|s| s.slug == slug)
        .ok_or(WebError::NotFound)?;
    let scope = Scope {
        filter: ArticleFilter::Section(section.id),
        path: format!("/section/{slug}"),
        name: section.name.clone(),
        description: section.description.clone(),
    };
    respond(state, scope, format).await
}

async fn author(state: &AppState, slug: &str, format: FeedFormat) -> Result<Response, WebError> {
    let author = state
        .reads()
        .author_by_slug(slug)
        .await?
        .ok_or(WebError::NotFound)?;
    let scope = Scope {
        filter: ArticleFilter::Author(author.id),
        path: format!("/author/{slug}"),
        description: format!("Stories by {}", author.name),
        name: author.name,
    };
    respond(state, scope, format).await
}

async fn tag(state: &AppState, slug: &str, format: FeedFormat) -> Result<Response, WebError> {
    let tag = state
        .reads()
        .tag_by_slug(slug)
        .await?
        .ok_or(WebError::NotFound)?;
    let scope = Scope {
        filter: ArticleFilter::Tag(tag.id),
        path: format!("/tag/{slug}"),
        description: format!("Stories tagged “{}”", tag.name),
        name: tag.name,
    };
    respond(state, scope, format).await
}

/// The `<link rel="alternate">` values for the feeds of the list page at `path` ("" for the
/// whole site), for the page's head.
pub(crate) fn alternates(config: &SiteConfig, path: &str, name: &str) -> masthead_render::Value {
    let links: Vec<Alternate> = FeedFormat::ALL
        .iter()
        .map(|format| Alternate {
            r#type: format.media_type(),
            title: format!("{} ({})", feed_title(config, name), format.label()),
            href: feed_url(&config.base_url, path, *format),
        })
        .collect();
    ser(&links)
}

/// One `<link rel="alternate">` of a page's head.
#[derive(serde::Serialize)]
struct Alternate {
    r#type: &'static str,
    title: String,
    href: String,
}

fn feed_title(config: &SiteConfig, name: &str) -> String {
    if name.is_empty() {
        config.name.clone()
    } else {
        format!("{}: {name}", config.name)
    }
}

fn feed_url(base: &str, path: &str, format: FeedFormat) -> String {
    format!("{base}{path}/{}", format.file_name())
}

async fn respond(state: &AppState, scope: Scope, format: FeedFormat) -> Result<Response, WebError> {
    let now = state.clock.now();
    let config = state.config();
    let theme = state.theme();
    let stories = state
        .reads()
        .feed_stories(scope.filter, now, FEED_STORIES)
        .await?;
    let entries = stories
        .iter()
        .map(|story| entry(&config, &theme, story))
        .collect::<Result<Vec<_>, _>>()?;
    let base = &config.base_url;
    let feed = Feed {
        title: feed_title(&config, &scope.name),
        description: scope.description,
        home_url: if scope.path.is_empty() {
            format!("{base}/")
        } else {
            format!("{base}{}", scope.path)
        },
        urls: FeedFormat::ALL.map(|f| feed_url(base, &scope.path, f)),
        language: config.language.clone(),
        empty_updated: now,
        entries,
    };
    let body = feed
        .write(format)
        .map_err(|e| WebError::internal("writing a feed", e))?;
    let etag = format!("\"{}\"", hex(&Sha256::digest(body.as_bytes())[..16]));
    let mut response = document(format.content_type(), body);
    let headers = response.headers_mut();
    for (name, value) in [
        (header::ETAG, etag),
        (header::LAST_MODIFIED, http_date(now)),
    ] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    Ok(response)
}

/// One story as a feed entry.
fn entry(config: &SiteConfig, theme: &Theme, story: &FeedStory) -> Result<Entry, WebError> {
    let base = &config.base_url;
    let t = &story.teaser;
    let fields = &story.story;
    let byline = byline_text(&t.byline);
    let video = fields.parts.video_url();
    let video_link = (VideoUrl::is_player(video) || WebUrl::is_web_url(video)).then_some(video);
    let source_link = WebUrl::is_web_url(&fields.source_url).then_some(&fields.source_url);
    let items: Vec<_> = fields
        .parts
        .items()
        .iter()
        .map(|item| context! { headline => &item.headline, body => Theme::safe(item.body_html.clone()) })
        .collect();
    let content_html = theme.render(
        "feeds/entry.html",
        context! {
            a => ser(t),
            story => ser(fields),
            body => Theme::safe(story.body_html.clone()),
            byline => &byline,
            items, video_link, source_link,
        },
    )?;
    let credit = byline.strip_prefix("By ").unwrap_or(&byline).to_owned();
    let authors = if t.byline.source.is_empty() && !t.byline.authors.is_empty() {
        t.byline
            .authors
            .iter()
            .map(|a| Person {
                name: a.name.clone(),
                url: Some(format!("{base}/author/{}", a.slug)),
            })
            .collect()
    } else if credit.is_empty() {
        Vec::new()
    } else {
        // Wire and partner copy: one author, credited as the site prints it.
        vec![Person {
            name: credit.clone(),
            url: None,
        }]
    };
    Ok(Entry {
        id: guid(base, t.id.0),
        url: format!("{base}/stories/{}", t.slug),
        title: t.title.clone(),
        summary: if t.summary.is_empty() {
            t.excerpt.clone()
        } else {
            t.summary.clone()
        },
        content_html,
        credit,
        authors,
        category: t.section.name.clone(),
        published: t.published_at,
        updated: last_update(
            t.published_at,
            t.updated_at,
            fields.notes.last().map(|n| n.at),
        ),
        image: t.image.as_ref().map(|image| FeedImage {
            url: format!("{base}/media/{}", image.storage_name),
            mime_type: if story.image_type.is_empty() {
                "image/jpeg".into()
            } else {
                story.image_type.clone()
            },
            length: story.image_bytes,
            width: image.width,
            height: image.height,
            alt: image.alt.clone(),
            credit: image.credit.clone(),
        }),
    })
}

/// The byline as the site prints it (`parts/byline.html`): "By A and B", "By A, B and C",
/// "By Name | Wire", or just the wire.
pub(crate) fn byline_text(b: &Byline) -> String {
    let names: Vec<&str> = b.authors.iter().map(|a| a.name.as_str()).collect();
    let mut text = match names.as_slice() {
        [] if b.text.is_empty() => String::new(),
        [] => format!("By {}", b.text),
        [one] => format!("By {one}"),
        [rest @ .., last] => format!("By {} and {last}", rest.join(", ")),
    };
    if !b.source.is_empty() {
        if !text.is_empty() {
            text.push_str(" | ");
        }
        text.push_str(&b.source);
    }
    text
}

/// A story's permanent id in every feed: a `tag:` URI (RFC 4151) of the site's host and the
/// story's database id, so a new headline or slug never makes it a new entry.
fn guid(base_url: &str, id: i64) -> String {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = host.split(':').next().unwrap_or(host);
    let path = path.trim_matches('/');
    if path.is_empty() {
        format!("tag:{host},2026:story:{id}")
    } else {
        format!("tag:{host},2026:{path}/story:{id}")
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use masthead_store::NameRef;

    #[test]
    fn bylines_read_as_on_the_page() {
        let person = |n: &str| NameRef {
            slug: n.to_lowercase(),
            name: n.into(),
        };
        let b = |authors: Vec<NameRef>, text: &str, source: &str| Byline {
            authors,
            text: text.into(),
            source: source.into(),
        };
        assert_eq!(byline_text(&b(vec![person("Ana")], "", "")), "By Ana");
        assert_eq!(
            byline_text(&b(vec![person("Ana"), person("Bo"), person("Cy")], "", "")),
            "By Ana, Bo and Cy"
        );
        assert_eq!(
            byline_text(&b(vec![], "Jo Writer", "Prairie Wire")),
            "By Jo Writer | Prairie Wire"
        );
        assert_eq!(byline_text(&b(vec![], "", "Prairie Wire")), "Prairie Wire");
        assert_eq!(byline_text(&b(vec![], "", "")), "");
    }

    #[test]
    fn guids_name_the_host_and_the_story_id() {
        assert_eq!(
            guid("https://news.example.org", 7),
            "tag:news.example.org,2026:story:7"
        );
        assert_eq!(
            guid("http://127.0.0.1:8080", 7),
            "tag:127.0.0.1,2026:story:7"
        );
        assert_eq!(
            guid("https://example.org/courier/", 7),
            "tag:example.org,2026:courier/story:7"
        );
    }
}
