//! How common a search's words are, read from the index itself: each word's stories are
//! counted up to a threshold ([`super::COMMON_WORD_STORIES`]), so a count reads at most that
//! many index entries whatever the archive's size.
//!
//! SQLite looks for a phrase of only common words in the [`super::SEARCH_SCAN`] most recent
//! stories (`recent_only`): FTS5 cannot find a phrase without reading the word positions of
//! each story holding its words, and common words are in most stories. PostgreSQL does the
//! same only when the phrase's word pairs cannot narrow it (`pairs.rs`: no pair, or pairs
//! in many stories), since otherwise it would read each such story's `tsvector`. SQLite
//! also leaves common words out of BM25 (`all_specific`).

use crate::{Backend, Result};
use masthead_core::{SearchQuery, SearchTerm};
use sqlx::{AnyConnection, Row};

/// How common a search's words are in the index.
pub(super) struct Commonness {
    /// Every word is in fewer than the threshold's stories (SQLite: BM25 is cheap). On
    /// PostgreSQL only a phrase's words are counted, so this says nothing there.
    pub all_specific: bool,
    /// A phrase has only common words: only the most recent stories are searched.
    pub common_phrase: bool,
}

/// Which of the words of `query` are in `common` stories or more. On SQLite every word is
/// counted; on PostgreSQL only the words of phrases (nothing else depends on it there), and
/// a stopword, which its index leaves out, counts as common: it does not narrow a phrase.
///
/// On PostgreSQL, run in the search's transaction, whose settings turn sequential scans off:
/// the count must read the GIN index. With most stories estimated to hold a common word, the
/// planner would otherwise read the table in order and check each story's words until it
/// had counted enough (120 ms for a word in 60% of 100k stories, against a few from the
/// index). It counts in `article_search_words`, where the index's matches are cheap to visit.
pub(super) async fn of(
    conn: &mut AnyConnection,
    backend: Backend,
    query: &SearchQuery,
    common: u32,
) -> Result<Commonness> {
    let mut words: Vec<&str> = Vec::new();
    for term in query.terms() {
        match term {
            SearchTerm::Word(w) if backend == Backend::Sqlite => words.push(w),
            SearchTerm::Word(_) => {}
            SearchTerm::Phrase(ws) => words.extend(ws.iter().map(String::as_str)),
        }
    }
    words.sort_unstable();
    words.dedup();
    if words.is_empty() {
        return Ok(Commonness {
            all_specific: true,
            common_phrase: false,
        });
    }
    let counts: Vec<String> = (1..=words.len())
        .map(|i| match backend {
            Backend::Sqlite => format!(
                "(SELECT count(*) FROM (SELECT 1 FROM article_search_index \
                 WHERE article_search_index MATCH ${i} LIMIT {common})) AS c{i}"
            ),
            Backend::Postgres => format!(
                "CASE WHEN numnode(websearch_to_tsquery('masthead_english', ${i})) = 0 \
                 THEN {common} ELSE (SELECT count(*) FROM (SELECT 1 FROM article_search_words \
                 WHERE words @@ websearch_to_tsquery('masthead_english', ${i}) \
                 LIMIT {common}) s) END AS c{i}"
            ),
        })
        .collect();
    let sql = format!("SELECT {}", counts.join(", "));
    let mut statement = sqlx::query(sqlx::AssertSqlSafe(sql));
    for word in &words {
        statement = match backend {
            Backend::Sqlite => statement.bind(SearchTerm::Word((*word).to_owned()).fts5()),
            Backend::Postgres => statement.bind((*word).to_owned()),
        };
    }
    let row = statement.fetch_one(&mut *conn).await?;
    let mut is_common = Vec::with_capacity(words.len());
    for i in 0..words.len() {
        is_common.push(row.try_get::<i64, _>(i)? >= i64::from(common));
    }
    let common_word = |w: &str| {
        words
            .iter()
            .position(|x| *x == w)
            .is_some_and(|i| is_common[i])
    };
    Ok(Commonness {
        all_specific: !is_common.contains(&true),
        common_phrase: query.terms().iter().any(|term| match term {
            SearchTerm::Phrase(ws) => ws.iter().all(|w| common_word(w)),
            SearchTerm::Word(_) => false,
        }),
    })
}
