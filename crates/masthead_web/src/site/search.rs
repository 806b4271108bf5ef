//! The search page: `GET /search?q=…`, with the filters and pages of [`crate::search`].
//!
//! It works without JavaScript (a plain GET form, in every page's header too). A search that
//! cannot run shows the form again, as typed, with the reason (400); one with no results
//! says what to try. Results show the headline and a passage with the words marked
//! (`<mark>`): the theme receives the text in pieces and escapes every one of them, so
//! nothing stored is ever taken for markup.

use crate::render::{current_parts, render_page};
use crate::search::{PER_PAGE, Refusal, SearchForm};
use crate::{AppState, WebError};
use axum::extract::{RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use masthead_core::ArticleKind;
use masthead_render::{Value, context, ser};
use masthead_store::{SEARCH_CANDIDATES, SEARCH_SCAN};

/// `GET /search?q=WORDS&section=SLUG&kind=KIND&from=DATE&to=DATE&page=N`
pub async fn show(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, WebError> {
    let form = match SearchForm::from_query(raw.as_deref()) {
        Ok(form) => form,
        Err(refusal) => return refused(&state, &SearchForm::default(), refusal).await,
    };
    if form.q.is_none() {
        let html = render_page(&state, "search.html", page_values(&state, &form).await?).await?;
        return Ok(answer(StatusCode::OK, html));
    }
    let parts = current_parts(&state).await?;
    let search = match form.parse(&parts.sections, state.config().timezone, true) {
        Ok(search) => search,
        Err(refusal) => return refused(&state, &form, refusal).await,
    };
    let results = search.run(&state, PER_PAGE).await?;
    if results.hits.is_empty() && search.page > 1 {
        return Err(WebError::NotFound);
    }
    let shown = (search.page - 1) * PER_PAGE;
    let has_more = shown + (results.hits.len() as u32) < results.total;
    let values = context! {
        query => search.query.to_string(),
        results => ser(&results.hits),
        total => results.total,
        total_text => thousands(results.total),
        capped => results.total >= SEARCH_CANDIDATES,
        recent_only => results.recent_only,
        candidates => thousands(SEARCH_CANDIDATES),
        scanned => thousands(SEARCH_SCAN),
        filtered => search.filter != Default::default(),
        unfiltered_url => SearchForm { q: form.q.clone(), ..Default::default() }.page_url(1),
        first => shown + 1,
        last => shown + results.hits.len() as u32,
        page_num => search.page,
        prev_url => (search.page > 1).then(|| form.page_url(search.page - 1)),
        next_url => has_more.then(|| form.page_url(search.page + 1)),
        canonical => format!("{}{}", state.config().base_url, form.page_url(search.page)),
        ..page_values(&state, &form).await?
    };
    Ok(answer(
        StatusCode::OK,
        render_page(&state, "search.html", values).await?,
    ))
}

/// The form again, as typed, with why the search cannot run (400, not kept in the cache).
async fn refused(
    state: &AppState,
    form: &SearchForm,
    refusal: Refusal,
) -> Result<Response, WebError> {
    let values = context! { problem => refusal.0, ..page_values(state, form).await? };
    let html = render_page(state, "search.html", values).await?;
    Ok(answer(StatusCode::BAD_REQUEST, html))
}

/// A search page. Not kept by the page cache, and `no-cache` for browsers and CDNs: a story
/// taken down must leave results at once.
fn answer(status: StatusCode, html: Vec<u8>) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        html,
    )
        .into_response()
}

/// What every state of the page shows: the form as sent, and the choices of its filters.
async fn page_values(state: &AppState, form: &SearchForm) -> Result<Value, WebError> {
    let parts = current_parts(state).await?;
    let kinds: Vec<Value> = ArticleKind::ALL
        .iter()
        .map(|k| context! { value => k.as_str(), name => k.label().unwrap_or("News") })
        .collect();
    Ok(context! {
        form => ser(form),
        sections => ser(&parts.sections),
        kinds,
        query => "",
        problem => (),
        results => (),
        canonical => format!("{}/search", state.config().base_url),
        prev_url => (),
        next_url => (),
    })
}

/// `n` with a comma between thousands: 1,000.
fn thousands(n: u32) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_separated() {
        assert_eq!(super::thousands(7), "7");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(20000), "20,000");
        assert_eq!(super::thousands(1234567), "1,234,567");
    }
}
