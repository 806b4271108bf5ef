//! Sitemaps for search engines and Google News, and `robots.txt` naming them:
//!
//! - `/sitemap.xml`: the sitemap index: `/sitemaps/pages.xml` (the home page, `/latest`,
//!   `/events`, `/events/past`), `/sitemaps/sections.xml`, and `/sitemaps/{stories,authors,tags,events}-N.xml`, one
//!   per range of [`SITEMAP_URLS`] ids that holds a visible page (so no file lists more than
//!   50,000 addresses, the protocol's limit).
//! - `/sitemaps/stories-N.xml` and the other ranges are streamed: [`BATCH`] rows at a time by
//!   keyset on the id, each batch written and sent before the next is read, in constant
//!   memory whatever the archive's size.
//! - `/news-sitemap.xml`: visible stories first published in the last 48 hours, newest first,
//!   at most 1,000, with the site's name and language (Google News).
//! - `/robots.txt`: keeps crawlers out of the desk and the API and names both sitemaps.
//!
//! Only pages readers may see are listed; addresses come from the configured base URL. The
//! index, the news sitemap, `robots.txt` and the two small sitemaps are cached per content
//! generation like pages; the range sitemaps are streamed on every request.

use crate::site::cached::document;
use crate::{AppState, WebError};
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::get;
use chrono::{DateTime, Duration, Utc};
use masthead_render::sitemaps::{UrlSet, news_language, sitemap_index};
use masthead_store::{SitemapKind, SitemapRow};

/// The most addresses one sitemap file lists (the protocol's limit).
pub(crate) const SITEMAP_URLS: i64 = 50_000;
/// Rows read and written per step of a streamed sitemap.
const BATCH: u32 = 1_000;
/// How far back the Google News sitemap reaches.
const NEWS_WINDOW_HOURS: i64 = 48;
/// The most stories the Google News sitemap lists.
const NEWS_MAX: u32 = 1_000;
const XML: &str = "application/xml; charset=utf-8";

/// The sitemap routes.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/sitemap.xml", get(index))
        .route("/sitemaps/{file}", get(sitemap))
        .route("/news-sitemap.xml", get(news))
        .route("/robots.txt", get(robots))
}

fn io_error(e: std::io::Error) -> WebError {
    WebError::internal("writing a sitemap", e)
}

/// `GET /robots.txt`
async fn robots(State(state): State<AppState>) -> Response {
    let base = &state.config().base_url;
    document(
        "text/plain; charset=utf-8",
        format!(
            "User-agent: *\nDisallow: /admin\nDisallow: /api/\n\n\
             Sitemap: {base}/sitemap.xml\nSitemap: {base}/news-sitemap.xml\n"
        ),
    )
}

/// `GET /sitemap.xml`
async fn index(State(state): State<AppState>) -> Result<Response, WebError> {
    let now = state.clock.now();
    let base = state.config().base_url.clone();
    let sections = state.reads().sitemap_sections(now).await?;
    let newest = sections.iter().map(|s| s.lastmod).max();
    let mut sitemaps = vec![(format!("{base}/sitemaps/pages.xml"), newest)];
    if !sections.is_empty() {
        sitemaps.push((format!("{base}/sitemaps/sections.xml"), newest));
    }
    for (name, kind) in KINDS {
        for n in state
            .reads()
            .sitemap_chunks(kind, now, SITEMAP_URLS)
            .await?
        {
            sitemaps.push((format!("{base}/sitemaps/{name}-{n}.xml"), None));
        }
    }
    let body = sitemap_index(&sitemaps).map_err(io_error)?;
    Ok(document(XML, body))
}

/// The kinds of range sitemap, by the name in their address.
const KINDS: [(&str, SitemapKind); 4] = [
    ("stories", SitemapKind::Stories),
    ("authors", SitemapKind::Authors),
    ("tags", SitemapKind::Tags),
    ("events", SitemapKind::Events),
];

/// What a `/sitemaps/{file}` address names.
enum File {
    Pages,
    Sections,
    Range(SitemapKind, &'static str, i64),
}

/// `pages.xml`, `sections.xml` or `{kind}-{n}.xml` with `n` a positive whole number written
/// without leading zeros (one address per file); anything else names nothing.
fn parse_file(file: &str) -> Option<File> {
    match file {
        "pages.xml" => return Some(File::Pages),
        "sections.xml" => return Some(File::Sections),
        _ => {}
    }
    let stem = file.strip_suffix(".xml")?;
    let (name, n) = stem.rsplit_once('-')?;
    let (prefix, kind) = KINDS.into_iter().find(|(k, _)| *k == name)?;
    if n.is_empty() || n.starts_with('0') || n.len() > 12 || !n.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    Some(File::Range(kind, prefix, n.parse().ok()?))
}

/// `GET /sitemaps/{file}`
async fn sitemap(
    State(state): State<AppState>,
    path: Result<Path<String>, axum::extract::rejection::PathRejection>,
) -> Result<Response, WebError> {
    let Path(file) = path
        .map_err(|_| WebError::BadRequest("This address is not valid. Check the link.".into()))?;
    match parse_file(&file).ok_or(WebError::NotFound)? {
        File::Pages => pages(&state).await,
        File::Sections => sections(&state).await,
        File::Range(kind, prefix, n) => range(state, kind, prefix, n).await,
    }
}

/// The site's own pages that are not stories, sections, authors or tags: the home page, the
/// lists of stories and events, and every published static page (About, Contact, …) whose
/// parents are published too.
async fn pages(state: &AppState) -> Result<Response, WebError> {
    let now = state.clock.now();
    let base = state.config().base_url.clone();
    let newest = state
        .reads()
        .sitemap_sections(now)
        .await?
        .iter()
        .map(|s| s.lastmod)
        .max();
    let mut set = UrlSet::start(false).map_err(io_error)?;
    for (path, lastmod) in [
        ("/", newest),
        ("/latest", newest),
        ("/events", None),
        ("/events/past", None),
    ] {
        set.url(&format!("{base}{path}"), lastmod)
            .map_err(io_error)?;
    }
    for page in state.reads().sitemap_pages().await? {
        set.url(&format!("{base}/{}", page.path), Some(page.updated_at))
            .map_err(io_error)?;
    }
    let mut body = set.take();
    body.extend(set.finish().map_err(io_error)?);
    Ok(document(XML, body))
}

/// Every section with a visible story.
async fn sections(state: &AppState) -> Result<Response, WebError> {
    let now = state.clock.now();
    let base = state.config().base_url.clone();
    let rows = state.reads().sitemap_sections(now).await?;
    if rows.is_empty() {
        return Err(WebError::NotFound);
    }
    let mut set = UrlSet::start(false).map_err(io_error)?;
    for row in &rows {
        set.url(&format!("{base}/section/{}", row.slug), Some(row.lastmod))
            .map_err(io_error)?;
    }
    let mut body = set.take();
    body.extend(set.finish().map_err(io_error)?);
    Ok(document(XML, body))
}

/// One range of stories, authors or tags, streamed.
async fn range(
    state: AppState,
    kind: SitemapKind,
    prefix: &'static str,
    n: i64,
) -> Result<Response, WebError> {
    let now = state.clock.now();
    let (after, through) = (
        (n - 1).saturating_mul(SITEMAP_URLS),
        n.saturating_mul(SITEMAP_URLS),
    );
    // The first batch is read before answering, so an empty range is a 404 and a database
    // that does not answer is the usual 503, not a cut-off body.
    let first = state
        .reads()
        .sitemap_batch(kind, now, after, through, BATCH)
        .await?;
    if first.is_empty() {
        return Err(WebError::NotFound);
    }
    let set = UrlSet::start(false).map_err(io_error)?;
    let page = match kind {
        SitemapKind::Stories => "stories",
        SitemapKind::Authors => "author",
        SitemapKind::Tags => "tag",
        SitemapKind::Events => "events",
    };
    // Streamed past the page cache, so it gets the public pages' `Cache-Control` here.
    let cache_control = state.cache.cache_control().clone();
    let stream = Stream {
        base: format!("{}/{page}/", state.config().base_url),
        state,
        kind,
        now,
        through,
        set: Some(set),
        rows: Some(first),
    };
    let body = Body::from_stream(futures_util::stream::unfold(stream, Stream::next));
    let mut response = Response::new(body);
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(XML));
    h.insert(header::CACHE_CONTROL, cache_control);
    tracing::debug!(sitemap = %format!("{prefix}-{n}"), "streaming a sitemap");
    Ok(response)
}

/// A range sitemap being streamed: the rows read but not yet written, and the writer.
struct Stream {
    state: AppState,
    kind: SitemapKind,
    now: DateTime<Utc>,
    through: i64,
    /// The address every row's slug is appended to.
    base: String,
    /// `None` once the closing tag is sent.
    set: Option<UrlSet>,
    /// The next batch to write; `None` when it must be read first.
    rows: Option<Vec<SitemapRow>>,
}

impl Stream {
    /// Writes the next batch (reading it first when needed) and yields its bytes; after the
    /// last batch, yields the closing tag, then ends.
    async fn next(mut self) -> Option<(Result<Bytes, std::io::Error>, Self)> {
        let mut set = self.set.take()?;
        let rows = self.rows.take().unwrap_or_default();
        let full = rows.len() == BATCH as usize;
        let last = rows.last().map(|r| r.id);
        for row in &rows {
            let loc = format!("{}{}", self.base, row.slug);
            if let Err(e) = set.url(&loc, Some(row.lastmod)) {
                return Some((Err(e), self));
            }
        }
        let mut bytes = set.take();
        match (full, last) {
            (true, Some(after)) => {
                match self
                    .state
                    .reads()
                    .sitemap_batch(self.kind, self.now, after, self.through, BATCH)
                    .await
                {
                    Ok(next) => self.rows = Some(next),
                    Err(e) => {
                        // The status is sent; cutting the body short is all that is left.
                        tracing::error!(error = %e, "a sitemap's next batch failed; ending the response early");
                        return Some((Err(std::io::Error::other(e)), self));
                    }
                }
                self.set = Some(set);
            }
            _ => match set.finish() {
                Ok(tail) => bytes.extend(tail),
                Err(e) => return Some((Err(e), self)),
            },
        }
        Some((Ok(Bytes::from(bytes)), self))
    }
}

/// `GET /news-sitemap.xml`
async fn news(State(state): State<AppState>) -> Result<Response, WebError> {
    let now = state.clock.now();
    let config = state.config();
    let stories = state
        .reads()
        .news_stories(now, now - Duration::hours(NEWS_WINDOW_HOURS), NEWS_MAX)
        .await?;
    let language = news_language(&config.language);
    let mut set = UrlSet::start(true).map_err(io_error)?;
    for story in &stories {
        set.news_url(
            &format!("{}/stories/{}", config.base_url, story.slug),
            &config.name,
            &language,
            story.published_at,
            &story.title,
        )
        .map_err(io_error)?;
    }
    let mut body = set.take();
    body.extend(set.finish().map_err(io_error)?);
    Ok(document(XML, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_real_sitemap_files_are_named() {
        for ok in [
            "pages.xml",
            "sections.xml",
            "stories-1.xml",
            "authors-20.xml",
            "tags-3.xml",
            "events-1.xml",
        ] {
            assert!(parse_file(ok).is_some(), "{ok}");
        }
        for bad in [
            "stories-0.xml",
            "stories-01.xml",
            "stories-.xml",
            "stories-1.xml.gz",
            "stories-1",
            "stories--1.xml",
            "stories-+1.xml",
            "stories-99999999999999999999.xml",
            "events-0.xml",
            "Stories-1.xml",
            "pages-1.xml",
            "",
        ] {
            assert!(parse_file(bad).is_none(), "{bad}");
        }
    }
}
