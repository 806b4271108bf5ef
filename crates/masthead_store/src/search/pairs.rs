//! Phrases on PostgreSQL, found from the index of adjacent word pairs
//! (`article_search_pairs`, migration `0017_search_phrases`).
//!
//! GIN finds the stories holding a phrase's words but cannot tell their order, so a phrase
//! of common words would mean reading the `tsvector` of most stories. A phrase's pairs
//! ("high school board": `'high school' & 'school board'`, stemmed as the index stems them)
//! name the stories that can hold it, from the index alone; the search then checks the
//! phrase on those only. A phrase with no pair (one word, or words parted by a stopword:
//! "city of london") and pairs held by many stories fall back to the words' rule
//! (`commonness.rs`).

use crate::Result;
use masthead_core::{SearchQuery, SearchTerm};
use sqlx::AnyConnection;

/// The pairs of the phrases (given separated by `|`, which no search word holds), as the
/// text of a `tsquery` of all of them (each lexeme quoted, quotes doubled), or NULL.
const PAIRS: &str = "SELECT string_agg('''' || replace(s.lexeme, '''', '''''') || '''', ' & ' \
     ORDER BY s.lexeme) FROM (SELECT DISTINCT u.lexeme FROM \
     unnest(string_to_array($1, '|')) AS phrase, \
     unnest(masthead_word_pairs(to_tsvector('masthead_english', phrase))) u) s";

/// The `tsquery` text of the pairs of `query`'s phrases, when it has any and fewer than
/// `common` stories hold them all (counted from the GIN index, at most `common` entries
/// read): the search then looks for the phrases among those stories only.
///
/// Run in the search's transaction, whose settings turn sequential scans off: like
/// `commonness::of`, the count reads the index.
pub(super) async fn of(
    conn: &mut AnyConnection,
    query: &SearchQuery,
    common: u32,
) -> Result<Option<String>> {
    let phrases: Vec<String> = query
        .terms()
        .iter()
        .filter(|term| matches!(term, SearchTerm::Phrase(_)))
        .map(SearchTerm::text)
        .collect();
    if phrases.is_empty() {
        return Ok(None);
    }
    let pairs: Option<String> = sqlx::query_scalar(PAIRS)
        .bind(phrases.join("|"))
        .fetch_one(&mut *conn)
        .await?;
    let Some(pairs) = pairs else {
        return Ok(None);
    };
    let stories: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
        "SELECT count(*) FROM (SELECT 1 FROM article_search_pairs \
         WHERE pairs @@ $1::tsquery LIMIT {common}) s"
    )))
    .bind(&pairs)
    .fetch_one(&mut *conn)
    .await?;
    Ok((stories < i64::from(common)).then_some(pairs))
}
