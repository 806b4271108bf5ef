//! `GET /search`: the site's search as JSON. Public, like the site: it finds only what
//! readers can see, so it needs no token. The same rules as `/search` on the site (see
//! [`crate::search`]): words and quoted phrases only, at most 200 characters and 12 words,
//! the best 500 matches in pages of 10.

use super::ApiError;
use super::articles::schema::Kind;
use super::error::ErrorResponse;
use crate::AppState;
use crate::search::{PER_PAGE, SearchForm};
use axum::Json;
use axum::extract::{RawQuery, State};
use chrono::{DateTime, Utc};
use masthead_store::{Marked, SearchHit};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

const TAG: &str = "search";

/// What to search for. Documented here; read strictly from the query string by
/// [`SearchForm`] (invalid UTF-8 is a 400, not replacement characters).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code, reason = "documents the parameters that SearchForm reads")]
pub struct SearchParams {
    /// The words to find; stories with all of them match. Put words in double quotes to
    /// find them together. Operators of search languages (`AND`, `OR`, `-`, `*`, …) are
    /// read as plain words or spaces; very common words ("the", "of") are left out, and a
    /// search of only those is refused.
    #[param(min_length = 1, max_length = 200, example = "school board")]
    q: String,
    /// Only stories of this section (its slug, as `GET /sections` lists them).
    #[param(min_length = 1, example = "local-news")]
    section: Option<String>,
    /// Only stories of this kind.
    #[param(value_type = Option<Kind>)]
    kind: Option<String>,
    /// Only stories published on or after this day, in the site's time zone.
    #[param(value_type = Option<String>, format = Date, example = "2026-03-01")]
    from: Option<String>,
    /// Only stories published on or before this day, in the site's time zone.
    #[param(value_type = Option<String>, format = Date, example = "2026-03-31")]
    to: Option<String>,
    /// The page, from 1 to 50 (10 results each).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 50)]
    page: Option<String>,
}

/// A piece of highlighted text: the matched words have `mark` set. Plain text, not HTML.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Highlight {
    /// The text.
    pub text: String,
    /// Whether these are matched words.
    pub mark: bool,
}

/// A section, as a result names it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SectionName {
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
}

/// A story found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResult {
    /// Its id.
    pub id: i64,
    /// Its address on the site.
    pub url: String,
    /// Its slug.
    pub slug: String,
    /// The headline.
    pub title: String,
    /// The headline in pieces, the matched words marked.
    pub title_highlighted: Vec<Highlight>,
    /// A passage of the body (or the summary) around the matched words, in pieces.
    pub snippet: Vec<Highlight>,
    /// The kind of piece.
    pub kind: Kind,
    /// Its section.
    pub section: SectionName,
    /// When it was published.
    pub published_at: DateTime<Utc>,
}

/// One page of results, best match first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResponse {
    /// The words searched, as the search read them (operators dropped, common words left
    /// out, phrases in quotes).
    pub query: String,
    /// How many stories match, up to 500 (see `capped`).
    pub total: u32,
    /// Whether the search stopped at its limits: more, older stories may match. Only the
    /// 500 most recent matches are ranked, filters look among the 20,000 most recent, and
    /// a phrase of very common words may be looked for only in the 20,000 most recent
    /// stories; add words to reach older ones.
    pub capped: bool,
    /// This page's number.
    pub page: u32,
    /// Results per page.
    pub per_page: u32,
    /// Whether a next page exists.
    pub has_more: bool,
    /// The stories on this page.
    pub results: Vec<SearchResult>,
}

/// Searches the stories readers can see: published, or scheduled and due.
#[utoipa::path(
    get,
    path = "/search",
    operation_id = "search",
    tag = TAG,
    params(SearchParams),
    responses(
        (status = 200, description = "A page of results; past the last page, none", body = SearchResponse),
        (status = 400, description = "The search cannot run: no words to search for (or only very common ones), more than 200 characters or 12 words, a filter that is not one of its values or is sent empty, a page outside 1 to 50, or a query string that is not UTF-8; the message says which", body = ErrorResponse),
        (status = 414, description = "The address is over 2 KiB", body = ErrorResponse),
    )
)]
pub(crate) async fn search(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResponse>, ApiError> {
    let refused = |r: crate::search::Refusal| ApiError::bad_request(r.0);
    let form = SearchForm::from_query(raw.as_deref()).map_err(refused)?;
    let sections = state.reads().sections().await?;
    let search = form
        .parse(&sections, state.config().timezone, false)
        .map_err(refused)?;
    let results = search.run(&state, PER_PAGE).await?;
    let shown = (search.page - 1) * PER_PAGE + results.hits.len() as u32;
    let base = &state.config().base_url;
    Ok(Json(SearchResponse {
        query: search.query.to_string(),
        total: results.total,
        capped: results.capped,
        page: search.page,
        per_page: PER_PAGE,
        has_more: !results.hits.is_empty() && shown < results.total,
        results: results
            .hits
            .into_iter()
            .map(|hit| result(hit, base))
            .collect(),
    }))
}

fn result(hit: SearchHit, base: &str) -> SearchResult {
    let pieces = |marked: Vec<Marked>| {
        marked
            .into_iter()
            .map(|m| Highlight {
                text: m.text,
                mark: m.mark,
            })
            .collect()
    };
    let t = hit.teaser;
    SearchResult {
        id: t.id.0,
        url: format!("{base}/stories/{}", t.slug),
        slug: t.slug,
        title: t.title,
        title_highlighted: pieces(hit.title),
        snippet: pieces(hit.snippet),
        kind: t.kind.into(),
        section: SectionName {
            slug: t.section.slug,
            name: t.section.name,
        },
        published_at: t.published_at,
    }
}
