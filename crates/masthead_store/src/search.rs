//! Full-text search over stories: one interface, [`Store::search`], over SQLite FTS5 and
//! PostgreSQL's text search, and the writes that keep the index in step with the stories.
//!
//! **What is indexed.** Each story's headline, summary and body as plain text (the desk
//! renders Markdown to words, with a roundup's items and a meeting's decisions) in
//! `article_search`, written by [`crate::StoryWrite`] in the story's own transaction
//! ([`index_story`]). The index proper differs by backend (see the `0005_search`
//! migrations): an FTS5 table kept by triggers on SQLite, a generated weighted `tsvector`
//! under GIN on PostgreSQL; both stem English and fold accents. Who may find a story is
//! decided at query time with the public pages' rule (published, or scheduled and due), so
//! publishing or taking a story down changes search results at once without touching the
//! index.
//!
//! **How a search runs, and what bounds its cost.** A search never reads more than a fixed
//! amount of the index, whatever it is asked:
//!
//! 1. The index is read newest story first (highest id) for stories containing every word.
//!    At most [`SEARCH_SCAN`] matches are looked at; those a reader may see and that pass the
//!    filters (section, kind, dates) are kept, at most [`SEARCH_CANDIDATES`]. PostgreSQL
//!    chooses how, by how many stories the words are expected in (its statistics,
//!    [`POSTGRES_PREPARE`], and [`reads_the_index`]): for few, every match the GIN index
//!    names is checked and filtered in a narrow table (then the filters apply before the
//!    limit); for many, the newest stories are walked until enough match, which for such
//!    words is soon (by id, or with a section filter that section's by date); a phrase
//!    whose word pairs are in few stories is looked for in those. That bound holds as far as
//!    the statistics are right: before the first `ANALYZE` of a large load a word in most
//!    stories is read from the index whole, so the importer and the generator analyze when
//!    they finish ([`Store::refresh_statistics`]), and autovacuum does within a minute or
//!    so of other writes.
//! 2. Only those candidates are ranked. On PostgreSQL by cover density (`ts_rank_cd`,
//!    weights headline 1.0, summary 0.4, body 0.1, divided by the log of the length). On
//!    SQLite first by where the words are (all in the headline: 10 points, all in the
//!    summary: 4, from FTS5 column filters over the candidates' id range), then by BM25
//!    (`bm25()`, headline ×10, summary ×4, body ×1) of the query's specific words: FTS5
//!    computes a word's weight by reading every story that holds it, tens of milliseconds
//!    for a word in most of a million stories, so words in [`COMMON_WORD_STORIES`] stories
//!    or more are left out of BM25 (found by counting each word's entries up to that
//!    number). A search of only common words is ranked by headline and summary, then newest
//!    first. Ties go to the newer story.
//! 3. One page of them is cut from the ranked list (so at most
//!    `SEARCH_CANDIDATES / per_page` pages exist), joined with what a teaser shows, and given
//!    a highlighted headline and a passage of the body around the words (FTS5's
//!    `highlight()` and `snippet()`; on PostgreSQL made by the app server,
//!    `search/highlight.rs`), with the matches between the control characters
//!    [`MARK_START`] and [`MARK_END`], which the stored text cannot hold (they are removed
//!    when it is written); [`marked`] turns that into plain pieces the theme escapes.
//!
//! A word in most stories therefore costs about what a rare one does: at a million stories
//! its first [`SEARCH_CANDIDATES`] matches are found within a few thousand index entries.
//! What this gives up: a very common set of words ranks only its most recent
//! [`SEARCH_CANDIDATES`] matches, filters look among its most recent [`SEARCH_SCAN`], and a
//! phrase of only common words is looked for in the [`SEARCH_SCAN`] most recent stories
//! (`search/commonness.rs`; on PostgreSQL only when its index of word pairs cannot narrow
//! the phrase, `search/pairs.rs`); older stories need more specific words. Each page says
//! so when it happens.
//!
//! On SQLite the cost of every read of the index grows with the number of FTS5 segments it
//! holds; the server's upkeep keeps them few (`search_merge.rs`).

use crate::articles::{TeaserJson, teaser_json, visible};
use crate::model::Teaser;
use crate::story::ArticleFields;
use crate::{Backend, Result, Store, to_micros};
use chrono::{DateTime, Utc};
use masthead_core::{ArticleId, ArticleKind, SearchQuery, SearchTerm, SectionId};
use serde::{Deserialize, Serialize};
use sqlx::{Any, Row, Transaction};

mod commonness;
mod highlight;
mod pairs;

/// The most matches of a search that are ranked; past them a search says "at least".
pub const SEARCH_CANDIDATES: u32 = 500;
/// The most index entries one search reads to find its candidates (it stops sooner when it
/// has them): the bound on a filtered search for common words.
pub const SEARCH_SCAN: u32 = 20_000;
/// Marks the start of a matched word in highlighted text.
pub const MARK_START: char = '\u{2}';
/// Marks the end of a matched word in highlighted text.
pub const MARK_END: char = '\u{3}';

/// What a search is narrowed to, besides its words.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SearchFilter {
    /// Only stories of this section.
    pub section: Option<SectionId>,
    /// Only stories of this kind.
    pub kind: Option<ArticleKind>,
    /// Only stories published at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only stories published before this time.
    pub until: Option<DateTime<Utc>>,
}

/// A piece of highlighted text: matched words have `mark` set. The text is as stored; the
/// theme escapes it like any other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Marked {
    /// The text.
    pub text: String,
    /// Whether it is a match.
    pub mark: bool,
}

/// One story found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchHit {
    /// The story as lists show it.
    pub teaser: Teaser,
    /// Its headline, with the matches marked.
    pub title: Vec<Marked>,
    /// A passage of its body (or summary) around the matches.
    pub snippet: Vec<Marked>,
}

/// One page of a search's results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchResults {
    /// The stories on this page, best first.
    pub hits: Vec<SearchHit>,
    /// How many stories were ranked: every match a reader may see, up to
    /// [`SEARCH_CANDIDATES`].
    pub total: u32,
    /// Whether the limits of the search were reached ([`SEARCH_CANDIDATES`] ranked, or
    /// only the most recent stories searched), so more (older) stories may match.
    pub capped: bool,
    /// Whether only the [`SEARCH_SCAN`] most recent stories were searched (a phrase of
    /// common words: see `search/commonness.rs`).
    pub recent_only: bool,
}

/// The searchable text of a story, as the index stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText {
    /// The headline.
    pub title: String,
    /// The summary.
    pub summary: String,
    /// The body's words, with a roundup's items and a meeting's decisions.
    pub body: String,
}

impl SearchText {
    /// The text of a story with `fields`, whose body the desk rendered to `body`.
    pub fn new(fields: &ArticleFields, body: &str) -> Self {
        SearchText {
            title: clean(&fields.title),
            summary: clean(&fields.summary),
            body: clean(body),
        }
    }
}

/// `text` without control characters (the highlight marks among them), which readers never
/// see; line breaks and tabs become spaces.
fn clean(text: &str) -> String {
    let text: String = text
        .chars()
        .map(|c| if c.is_whitespace() { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect();
    text.trim().to_owned()
}

/// Splits highlighted text into pieces, marked between [`MARK_START`] and [`MARK_END`]. A
/// stray mark is dropped; a mark left open ends with the text.
pub fn marked(text: &str) -> Vec<Marked> {
    let mut pieces: Vec<Marked> = Vec::new();
    let mut current = String::new();
    let mut mark = false;
    let flush = |current: &mut String, mark: bool, pieces: &mut Vec<Marked>| {
        if current.is_empty() {
            return;
        }
        match pieces.last_mut() {
            Some(last) if last.mark == mark => last.text.push_str(current),
            _ => pieces.push(Marked {
                text: current.clone(),
                mark,
            }),
        }
        current.clear();
    };
    for c in text.chars() {
        match c {
            MARK_START if !mark => {
                flush(&mut current, mark, &mut pieces);
                mark = true;
            }
            MARK_END if mark => {
                flush(&mut current, mark, &mut pieces);
                mark = false;
            }
            MARK_START | MARK_END => {}
            c => current.push(c),
        }
    }
    flush(&mut current, mark, &mut pieces);
    pieces
}

/// Writes the searchable text of story `id`, in the story's transaction. Rewriting a row
/// with the same text is skipped, so a save that changes only the status costs nothing here.
pub(crate) async fn index_story(
    tx: &mut Transaction<'static, Any>,
    id: ArticleId,
    text: &SearchText,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO article_search (article_id, title, summary, body) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (article_id) DO UPDATE SET title = excluded.title, \
         summary = excluded.summary, body = excluded.body \
         WHERE article_search.title <> excluded.title \
         OR article_search.summary <> excluded.summary OR article_search.body <> excluded.body",
    )
    .bind(id.0)
    .bind(&text.title)
    .bind(&text.summary)
    .bind(&text.body)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The visibility rule ([`visible!`]) for SQLite's candidates, each column read from the
/// row of `articles_search_filter` found by id: the `+` keeps SQLite from seeking the index
/// once per status (two seeks a candidate instead of one).
macro_rules! visible_in_row {
    () => {
        " +ar.status IN ('published', 'scheduled') AND +ar.published_at <= $1 "
    };
}

/// The visibility rule ([`visible!`]) for PostgreSQL's candidates from the GIN index, read
/// from the copy of the story's columns in `article_search_words` (`x`).
macro_rules! visible_in_words {
    () => {
        " x.status IN ('published', 'scheduled') AND x.published_at <= $1 "
    };
}

/// The end of PostgreSQL's candidates read through `article_search_words` (`x`): the id
/// range, who may see them and the filters, from the copy of the story's columns, then the
/// newest `__SCAN__` by id. `+ 0` keeps the planner from walking that table by id instead,
/// which would read each story's words from TOAST.
macro_rules! in_words_newest {
    () => {
        concat!(
            "AND x.article_id <= $8 AND x.article_id > $9 AND",
            visible_in_words!(),
            "AND (x.section_id = $3 OR $3 = 0) AND (x.kind = $4 OR $4 = '') ",
            "AND x.published_at >= $5 AND x.published_at < $6 ",
            "ORDER BY x.article_id + 0 DESC LIMIT __SCAN__) c "
        )
    };
}

/// The highest id a search's candidates can have: that of the newest story (by id) a reader
/// may see published before the end date (`$6`), looked for among the `__SCAN__` highest
/// ids, walking down the index by id; when none of them qualifies, the id below them all.
/// Exact however the stories' ids and dates are ordered, and at most `__SCAN__` index
/// entries read. The arguments name the index (SQLite), the prefix that keeps the
/// columns from being used to seek it, and the placeholders of now and of the end date.
macro_rules! newest_allowed {
    ($index:literal, $plus:literal, $now:literal, $until:literal) => {
        concat!(
            "COALESCE((SELECT id FROM articles ",
            $index,
            " WHERE ",
            "id > (SELECT max(id) FROM articles) - __SCAN__ ",
            "AND ",
            $plus,
            "published_at < ",
            $until,
            " AND ",
            $plus,
            "published_at <= ",
            $now,
            " ORDER BY id DESC LIMIT 1), (SELECT max(id) FROM articles) - __SCAN__) "
        )
    };
}

/// The SQLite search. `$1` now, `$2` the FTS5 expression, `$3` section (0: any), `$4` kind
/// ('': any), `$5`/`$6` the publication time range, `$7`/`$8` the expression limited to the
/// headline and to the summary; `__SCORED__` is [`SQLITE_BM25`] or [`SQLITE_NO_BM25`],
/// `__WINDOW__` nothing or [`SQLITE_RECENT`].
///
/// - `hits`: the candidates. The matches are read newest first by a co-routine (the `CROSS
///   JOIN` keeps it the outer loop), so the join stops as soon as it has its candidates;
///   each is checked in the covering index `articles_search_filter` (one seek by id), not
///   the story's row. The read starts at [`newest_allowed!`]: a date filter then skips the
///   newer stories' matches instead of checking each one.
/// - `span`: the ids they lie between. Every later read of the index is limited to that
///   range, which FTS5 seeks to: cheap however common the words.
/// - `in_title`, `in_summary`: the candidates with every word in the headline, or in the
///   summary (column filters). They give the first ranking key, 10 and 4 points.
/// - `scored`: BM25, the second key, when every word is specific.
/// - `page`, `shown`: one page of the ranked list, with its highlights. Each story shown is
///   looked up in the index by its id (page first, so FTS5 seeks to that row), not by
///   reading every match between the page's lowest and highest ids: a filtered page's
///   stories lie far apart.
const SQLITE_SEARCH: &str = concat!(
    "WITH hits AS MATERIALIZED (SELECT c.id FROM ",
    "(SELECT f.rowid AS id FROM article_search_index f WHERE article_search_index MATCH $2 ",
    "AND f.rowid <= ",
    newest_allowed!("INDEXED BY articles_search_filter", "+", "$1", "$6"),
    "__WINDOW__ ORDER BY f.rowid DESC LIMIT __SCAN__) c ",
    "CROSS JOIN articles ar INDEXED BY articles_search_filter ON ar.id = c.id WHERE",
    visible_in_row!(),
    "AND (+ar.section_id = $3 OR $3 = 0) AND (+ar.kind = $4 OR $4 = '') ",
    "AND +ar.published_at >= $5 AND +ar.published_at < $6 LIMIT __CANDIDATES__), ",
    "span AS MATERIALIZED (SELECT min(id) AS lo, max(id) AS hi FROM hits), ",
    "in_title AS MATERIALIZED (SELECT rowid AS id FROM article_search_index ",
    "WHERE article_search_index MATCH $7 ",
    "AND rowid BETWEEN (SELECT lo FROM span) AND (SELECT hi FROM span)), ",
    "in_summary AS MATERIALIZED (SELECT rowid AS id FROM article_search_index ",
    "WHERE article_search_index MATCH $8 ",
    "AND rowid BETWEEN (SELECT lo FROM span) AND (SELECT hi FROM span)), ",
    "scored AS MATERIALIZED (__SCORED__), ",
    "ranked AS MATERIALIZED (SELECT h.id, ",
    "(CASE WHEN t.id IS NULL THEN 0 ELSE 10 END) + (CASE WHEN s.id IS NULL THEN 0 ELSE 4 END) ",
    "AS tier, COALESCE(b.score, 0.0) AS score FROM hits h ",
    "LEFT JOIN in_title t ON t.id = h.id LEFT JOIN in_summary s ON s.id = h.id ",
    "LEFT JOIN scored b ON b.id = h.id), ",
    "page AS MATERIALIZED (SELECT id, tier, score FROM ranked ",
    "ORDER BY tier DESC, score DESC, id DESC LIMIT __LIMIT__ OFFSET __OFFSET__), ",
    // Materialized: folded into the aggregate below, highlight() and snippet() would run
    // where FTS5 refuses them ("unable to use function in the requested context").
    "shown AS MATERIALIZED (SELECT p.id, p.tier, p.score, ",
    teaser_json!("json_group_array(", ")", "json_object(", "json(", ")"),
    " AS j, highlight(article_search_index, 0, char(2), char(3)) AS title, ",
    "COALESCE(NULLIF(snippet(article_search_index, 2, char(2), char(3), '…', 32), ''), ",
    "snippet(article_search_index, 1, char(2), char(3), '…', 32)) AS snippet ",
    "FROM page p CROSS JOIN article_search_index f ON f.rowid = p.id ",
    "JOIN articles ar ON ar.id = p.id JOIN sections s ON s.id = ar.section_id ",
    "LEFT JOIN media m ON m.id = ar.image_id ",
    "WHERE article_search_index MATCH $2) ",
    "SELECT (SELECT count(*) FROM hits) AS total, COALESCE((SELECT json_group_array(",
    "json_object('teaser', json(t.j), 'title', t.title, 'snippet', t.snippet) ",
    "ORDER BY t.tier DESC, t.score DESC, t.id DESC) FROM shown t), '[]') AS hits"
);

/// BM25 (headline ×10, summary ×4, body ×1) of the stories in the candidates' span. FTS5
/// weighs each word by how few stories hold it, and finds that by reading every story that
/// holds it, and the span holds every story with all the words: both cost little only when
/// every word is specific (in fewer than [`COMMON_WORD_STORIES`] stories).
const SQLITE_BM25: &str = "SELECT rowid AS id, -bm25(article_search_index, 10.0, 4.0, 1.0) AS score \
     FROM article_search_index WHERE article_search_index MATCH $2 \
     AND rowid BETWEEN (SELECT lo FROM span) AND (SELECT hi FROM span)";

/// No BM25: a word is common, so the candidates are ranked by headline and summary, then
/// newest first.
const SQLITE_NO_BM25: &str = "SELECT 0 AS id, 0.0 AS score WHERE 0";

/// Only the most recent stories: for a phrase of common words, whose matches FTS5 can only
/// find by checking word positions in every story that has them all.
const SQLITE_RECENT: &str = "AND f.rowid > (SELECT max(id) FROM articles) - __SCAN__";

/// A word in at least this many stories is common: with one, SQLite ranks without BM25 (see
/// [`SQLITE_BM25`]); a phrase of only such words is looked for in the most recent
/// [`SEARCH_SCAN`] stories.
pub const COMMON_WORD_STORIES: u32 = 5_000;

/// A PostgreSQL search read from the GIN index whose words are expected in more stories
/// than this reads only the newest stories that should hold about this many of them (ids
/// from the newest down, [`index_window`]); when they hold fewer than
/// [`SEARCH_CANDIDATES`] that pass the filters, the window grows fourfold and the search
/// runs again, at last over every story. The index still names every story holding the
/// words (its lists of them are compact), but only those in the window are read from the
/// table: a bitmap of the window's ids ANDed with the index's ("budget", 36,000 of a
/// million stories: 9 ms against 28 for all of them).
pub const WINDOW_MATCHES: u32 = 2_000;

/// The limits of a search, for tests that need a large archive's behaviour from a few
/// stories.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct SearchTuning {
    /// See [`COMMON_WORD_STORIES`].
    pub common_word_stories: u32,
    /// See [`SEARCH_SCAN`].
    pub scan: u32,
    /// A filtered PostgreSQL search reads the GIN index for words expected in at most this
    /// many stories (or when nothing is known of them yet), and otherwise walks the newest
    /// stories; an unfiltered one up to the crossover of [`reads_the_index`]: see
    /// [`POSTGRES_FROM_INDEX`]. 0: always walk; `u32::MAX`: always the index. Default:
    /// [`SEARCH_SCAN`].
    pub index_matches: u32,
    /// See [`WINDOW_MATCHES`]. 0: never a window.
    pub window_matches: u32,
}

impl Default for SearchTuning {
    fn default() -> Self {
        SearchTuning {
            common_word_stories: COMMON_WORD_STORIES,
            scan: SEARCH_SCAN,
            index_matches: SEARCH_SCAN,
            window_matches: WINDOW_MATCHES,
        }
    }
}

/// The PostgreSQL search, with the same binds as [`SQLITE_SEARCH`] (`$2` the text for
/// `websearch_to_tsquery`) and `$7`, the same words with no phrase. The candidates are the
/// stories with all the words (`$7`), newest first from `$8` (with an end date,
/// [`POSTGRES_NEWEST`], run first and bound: as a subquery here the planner's estimate of
/// it once turned a rare phrase's 40 ms into 500) down to above `$9` (for a phrase of
/// common words [`POSTGRES_RECENT`], else no bound), at most `__SCAN__`, found one of
/// five ways (`__MATCHES__`, chosen by [`Store::search`] from how many stories the words
/// are expected in and the filters): [`POSTGRES_FROM_INDEX`], [`POSTGRES_WALK`],
/// [`POSTGRES_SECTION_WALK`], [`POSTGRES_KIND_WALK`] or, for phrases, [`POSTGRES_FROM_PAIRS`]; `__ORDER__` is the
/// order they come in. The phrases (`$2`) are checked
/// on those only (`__PHRASES__`), since GIN cannot check word order and would recheck every
/// story holding the words; when the phrases' word pairs are in few stories, the candidates
/// are those stories only. Only the candidates are
/// ranked, by cover density from each story's weighted `tsvector`: a rank in the
/// candidates' own query would be computed for every match before the limit.
const POSTGRES_SEARCH: &str = concat!(
    "WITH q AS MATERIALIZED (SELECT websearch_to_tsquery('masthead_english', $2) AS query), ",
    "hits AS MATERIALIZED (SELECT c.id FROM __MATCHES__",
    "__PHRASES__ORDER BY __ORDER__ LIMIT __CANDIDATES__), ",
    "ranked AS MATERIALIZED (SELECT h.id, ",
    "ts_rank_cd('{0.1, 0.2, 0.4, 1.0}', x.document, q.query, 1) AS score ",
    "FROM hits h JOIN article_search x ON x.article_id = h.id, q), ",
    "page AS MATERIALIZED (SELECT id, score FROM ranked ORDER BY score DESC, id DESC ",
    "LIMIT __LIMIT__ OFFSET __OFFSET__) ",
    "SELECT (SELECT count(*) FROM hits) AS total, COALESCE((SELECT json_agg(",
    "json_build_object('teaser', t.j, 'title', t.title, 'snippet', t.snippet) ",
    "ORDER BY t.score DESC, t.id DESC) FROM (SELECT p.id, p.score, ",
    teaser_json!("json_agg(", ")::text", "json_build_object(", "(", ")::json"),
    " AS j, x.title, ",
    "CASE WHEN x.body <> '' THEN x.body ELSE x.summary END AS snippet ",
    "FROM page p JOIN article_search x ON x.article_id = p.id ",
    "JOIN articles ar ON ar.id = p.id JOIN sections s ON s.id = ar.section_id ",
    "LEFT JOIN media m ON m.id = ar.image_id) t), '[]')::text AS hits, ",
    "array_to_string(tsvector_to_array(to_tsvector('masthead_english', $7)), ' ') AS lexemes"
);

/// The candidates from the GIN index, for words expected in few stories: the index names
/// every story holding them, and each is checked and filtered in `article_search_words`
/// (migration `0023_search_words`), a narrow copy of the words with the filter columns,
/// some 130 stories to a page, then sorted by id ([`in_words_newest!`]).
const POSTGRES_FROM_INDEX: &str = concat!(
    "(SELECT x.article_id AS id FROM article_search_words x ",
    "WHERE x.words @@ websearch_to_tsquery('masthead_english', $7) ",
    in_words_newest!()
);

/// The phrases' check of [`POSTGRES_FROM_INDEX`]'s candidates, on each one's `tsvector`.
const POSTGRES_FROM_INDEX_PHRASES: &str = "JOIN article_search d ON d.article_id = c.id \
     WHERE d.document @@ websearch_to_tsquery('masthead_english', $2) ";

/// The candidates by walking the stories newest first, for words expected in many: the
/// walk checks each story's `tsvector` in `article_search` (in the row, migration 0017)
/// and stops at its candidates, which for common words lie close together, where the GIN
/// index would name tens of thousands of stories. Visibility and filters are a lateral
/// lookup per candidate in `articles_search_filter` (an index-only scan).
const POSTGRES_WALK: &str = concat!(
    "(SELECT x.article_id AS id, x.document FROM article_search x ",
    "WHERE x.document @@ websearch_to_tsquery('masthead_english', $7) ",
    "AND x.article_id <= $8 AND x.article_id > $9 ",
    "ORDER BY x.article_id DESC LIMIT __SCAN__) c ",
    "CROSS JOIN LATERAL (SELECT 1 FROM articles ar WHERE ar.id = c.id AND",
    visible!(),
    "AND (ar.section_id = $3 OR $3 = 0) AND (ar.kind = $4 OR $4 = '') ",
    "AND ar.published_at >= $5 AND ar.published_at < $6) v "
);

/// The candidates by walking the stories one filter selects newest first, by date: `$lead`
/// is that filter's condition (its index, `(column, published_at DESC, id DESC)`, gives the
/// order), `$other` the other one's. At most `__SCAN__` stories are read, each checked for
/// the words in its row of `article_search`. The candidates are the newest by date, not by
/// id.
macro_rules! filter_walk {
    ($lead:literal, $other:literal) => {
        concat!(
            "(SELECT s.id, s.published_at, x.document FROM ",
            "(SELECT ar.id, ar.published_at FROM articles ar WHERE ",
            $lead,
            " AND",
            visible!(),
            "AND ",
            $other,
            " AND ar.published_at >= $5 AND ar.published_at < $6 ",
            "AND ar.id <= $8 AND ar.id > $9 ",
            "ORDER BY ar.published_at DESC, ar.id DESC LIMIT __SCAN__) s ",
            "JOIN article_search x ON x.article_id = s.id ",
            "WHERE x.document @@ websearch_to_tsquery('masthead_english', $7)) c "
        )
    };
}

/// [`filter_walk!`] over one section's stories (`articles_section_published`), for words
/// expected in many stories and a section filter. The walk by id ([`POSTGRES_WALK`]) would
/// read every section's stories to find one section's ("school" in sports: 4,300 stories
/// for 500, against 700 here).
const POSTGRES_SECTION_WALK: &str = filter_walk!("ar.section_id = $3", "(ar.kind = $4 OR $4 = '')");

/// [`filter_walk!`] over one kind's stories (`articles_kind_published`, migration 0024), for
/// words expected in many stories and a kind filter without a section: "council" among
/// opinion pieces, a tenth of a million stories, walked by id read 28,000 stories (106 ms).
const POSTGRES_KIND_WALK: &str = filter_walk!("ar.kind = $4", "(ar.section_id = $3 OR $3 = 0)");

/// The phrases' check of [`POSTGRES_WALK`]'s candidates, on the `tsvector` already read.
const POSTGRES_WALK_PHRASES: &str =
    "WHERE c.document @@ websearch_to_tsquery('masthead_english', $2) ";

/// The search's settings, for its transaction only (`set_config(…, true)` is `SET LOCAL`),
/// and what [`Store::search`] chooses its way by: how many stories the table holds, and how
/// many hold all of the search's words (`$1`), expected from the statistics `ANALYZE` keeps
/// of `article_search_words` (the share of stories each word is in, for the commonest
/// thousand; a rarer word gets the planner's own guess, half the least common share listed,
/// at most 0.5%), NULL before the first `ANALYZE`. The same estimate the planner makes,
/// read without planning anything (about 0.3 ms).
///
/// The settings: custom plans, since sessions plan every statement generically (see
/// `db.rs`), and with parameters a generic plan takes the filters for very selective (a
/// phrase's generic plan walked every story's filter columns to join them with its few word
/// pairs: 400 ms against 5); no sequential scans, which would read every story's words (the
/// counts of `commonness.rs` and `pairs.rs` and the candidates are all meant to read an
/// index); and no parallel workers, which on a busy server cost more to start than these
/// reads take.
const POSTGRES_PREPARE: &str = "SELECT set_config('plan_cache_mode', 'force_custom_plan', true), \
     set_config('enable_seqscan', 'off', true), \
     set_config('max_parallel_workers_per_gather', '0', true), \
     (SELECT reltuples FROM pg_class WHERE oid = 'article_search_words'::regclass)::float8 \
     AS stories, (SELECT max(id) FROM articles) AS top, \
     (WITH s AS (SELECT most_common_elems::text::text[] AS elems, \
     most_common_elem_freqs AS freqs FROM pg_stats WHERE schemaname = current_schema() \
     AND tablename = 'article_search_words' AND attname = 'words'), \
     l AS (SELECT DISTINCT u.lexeme FROM unnest(to_tsvector('masthead_english', $1)) u) \
     SELECT exp(sum(ln(greatest(COALESCE(s.freqs[array_position(s.elems, l.lexeme)], \
     least(s.freqs[array_length(s.elems, 1) + 1] / 2, 0.005)), 1e-12)))) FROM l, s) AS share";

/// Whether PostgreSQL finds the candidates from the GIN index ([`POSTGRES_FROM_INDEX`])
/// rather than by walking the newest stories ([`POSTGRES_WALK`]), given the table's size and
/// the share of stories expected to hold every word (unknown before the first `ANALYZE`:
/// the index, right for the small or new archive that has no statistics yet).
///
/// The costs, measured at 100k stories under load (docs/PERFORMANCE.md): the index visits
/// every match, about 0.4 µs each; the walk reads stories newest first, about 4 µs each
/// (each its own page, with a 3 kB `tsvector` to check), until [`SEARCH_CANDIDATES`] pass:
/// `SEARCH_CANDIDATES / share` of them unfiltered, and many times more with a filter.
/// Unfiltered, the index is cheaper while `share × stories × 0.4 < 4 × SEARCH_CANDIDATES /
/// share`, that is up to about `sqrt(10 × SEARCH_CANDIDATES × stories)` matches (22,000 at
/// 100k, 71,000 at 1M), of which only a window's are read from the table
/// ([`WINDOW_MATCHES`]); filtered, whatever the walk would cost, up to
/// `tuning.index_matches` (default [`SEARCH_SCAN`]) matches. A word in most stories
/// ("school": 70%) is always walked, and soon found.
fn reads_the_index(
    stories: f64,
    share: Option<f64>,
    filtered: bool,
    tuning: &SearchTuning,
) -> bool {
    if tuning.index_matches == 0 {
        return false;
    }
    let limit = f64::from(tuning.index_matches);
    let Some(share) = share else {
        return true;
    };
    let stories = stories.max(0.0);
    let matches = share * stories;
    if filtered {
        matches <= limit
    } else {
        matches <= (10.0 * f64::from(SEARCH_CANDIDATES) * stories).sqrt()
    }
}

/// How many of the newest ids an index read first looks among ([`WINDOW_MATCHES`]): enough
/// to hold about `tuning.window_matches` of the stories expected to have the words, or
/// none (every story) when the words are expected in fewer, or nothing is known of them.
fn index_window(stories: f64, share: Option<f64>, tuning: &SearchTuning) -> Option<i64> {
    let wanted = f64::from(tuning.window_matches);
    let matches = share? * stories.max(0.0);
    if tuning.window_matches == 0 || matches <= wanted {
        return None;
    }
    Some((stories * wanted / matches).ceil().max(1.0) as i64)
}

/// For a windowed index read ([`WINDOW_MATCHES`]), in the search's transaction: no plain
/// index scans. Given the window's id range, the planner otherwise walks the id index of
/// `article_search_words` and reads every story's words from TOAST to check them (900 ms at
/// a million stories), where a bitmap of the range ANDed with the GIN index's reads only
/// the stories in both (20 ms). The other lookups of the search become bitmap scans, about
/// 1 ms more for the ranking's 500.
const POSTGRES_BITMAPS_ONLY: &str = "SELECT set_config('enable_indexscan', 'off', true)";

/// The candidates of a search with phrases whose word pairs (`$10`, see `search/pairs.rs`)
/// are in few stories: those stories from the pairs' GIN index, filtered in
/// `article_search_words` (looked up by id), then sorted by id; the phrase check
/// ([`POSTGRES_FROM_INDEX_PHRASES`]) reads every word of the search, so the words are not
/// checked here.
const POSTGRES_FROM_PAIRS: &str = concat!(
    "(SELECT x.article_id AS id FROM article_search_pairs p ",
    "JOIN article_search_words x ON x.article_id = p.article_id ",
    "WHERE p.pairs @@ $10::tsquery ",
    in_words_newest!()
);

/// The lowest id a phrase of common words is looked for from on PostgreSQL (the window of
/// [`SQLITE_RECENT`]), run first and bound as `$9`, so the planner sees the value. It reads
/// the window by id and checks each of its stories' `tsvector` for the words, about 150 ms
/// at 100k stories whatever the phrase: less than the 550–750 ms of "high school" without
/// the window, more than the 30–60 ms of a phrase whose words GIN finds together in few
/// stories ("water park"). Hiding the id from the planner (`article_id + 0`) to make it use
/// GIN made the first kind 850–940 ms (it rechecked every story holding the words).
const POSTGRES_RECENT: &str = "SELECT max(id) - __SCAN__ FROM articles";

/// [`newest_allowed!`] on PostgreSQL, by itself: `$1` now, `$2` the end date.
const POSTGRES_NEWEST: &str = concat!("SELECT ", newest_allowed!("", "", "$1", "$2"), "AS id");

/// A found story as the search's JSON gives it.
#[derive(Debug, Deserialize)]
struct HitJson {
    teaser: TeaserJson,
    title: Option<String>,
    snippet: Option<String>,
}

/// A search statement with the binds both backends share: `$1` now, `$2` the expression,
/// `$3`..`$6` the filter, then `extra` in order.
fn statement<const N: usize>(
    sql: String,
    now: DateTime<Utc>,
    expression: String,
    filter: &SearchFilter,
    extra: [String; N],
) -> sqlx::query::Query<'static, Any, sqlx::any::AnyArguments> {
    let mut statement = sqlx::query(sqlx::AssertSqlSafe(sql))
        .bind(to_micros(now))
        .bind(expression)
        .bind(filter.section.map_or(0, |s| s.0))
        .bind(filter.kind.map_or("", ArticleKind::as_str))
        .bind(filter.from.map_or(i64::MIN, to_micros))
        .bind(filter.until.map_or(i64::MAX, to_micros));
    for value in extra {
        statement = statement.bind(value);
    }
    statement
}

impl Store {
    /// One page (1-based, `per_page` stories) of the visible stories matching `query` and
    /// `filter` at `now`, best first. A page past the ranked candidates is empty.
    pub async fn search(
        &self,
        query: &SearchQuery,
        filter: &SearchFilter,
        now: DateTime<Utc>,
        page: u32,
        per_page: u32,
    ) -> Result<SearchResults> {
        self.search_tuned(query, filter, now, page, per_page, SearchTuning::default())
            .await
    }

    /// [`Store::search`] with other limits, so a test can search as in a large archive.
    #[doc(hidden)]
    pub async fn search_tuned(
        &self,
        query: &SearchQuery,
        filter: &SearchFilter,
        now: DateTime<Utc>,
        page: u32,
        per_page: u32,
        tuning: SearchTuning,
    ) -> Result<SearchResults> {
        let offset = u64::from(page.saturating_sub(1)) * u64::from(per_page);
        // Only SQL we wrote and integers we chose go into the statement; the few variants
        // keep the prepared statements few.
        let window = |sql: &str| {
            sql.replace("__SCAN__", &tuning.scan.to_string())
                .replacen("__CANDIDATES__", &SEARCH_CANDIDATES.to_string(), 1)
                .replacen("__LIMIT__", &per_page.to_string(), 1)
                .replacen("__OFFSET__", &offset.to_string(), 1)
        };
        let (row, recent_only) = match self.backend() {
            Backend::Sqlite => {
                let mut conn = self.pool.acquire().await?;
                let words =
                    commonness::of(&mut conn, self.backend(), query, tuning.common_word_stories)
                        .await?;
                let recent_only = words.common_phrase;
                let all = query.fts5_expression();
                let extra = [
                    format!("{{title}} : ({all})"),
                    format!("{{summary}} : ({all})"),
                ];
                let scored = if words.all_specific {
                    SQLITE_BM25
                } else {
                    SQLITE_NO_BM25
                };
                let sql = SQLITE_SEARCH.replacen("__SCORED__", scored, 1).replacen(
                    "__WINDOW__",
                    if recent_only { SQLITE_RECENT } else { "" },
                    1,
                );
                let row = statement(window(&sql), now, all, filter, extra)
                    .fetch_one(&mut *conn)
                    .await?;
                (row, recent_only)
            }
            Backend::Postgres => {
                // A read-only PostgreSQL transaction: the SQLite lock `write_tx` avoids does not
                // apply here. Its settings last until it ends, so a search cancelled half-way
                // (rolled back) leaves the connection as it was.
                #[allow(clippy::disallowed_methods)]
                let mut tx = self.pool.begin().await?;
                let counts = sqlx::query(POSTGRES_PREPARE)
                    .bind(query.words_text())
                    .fetch_one(&mut *tx)
                    .await?;
                let stories: f64 = counts.try_get("stories")?;
                let share: Option<f64> = counts.try_get("share")?;
                let from_index =
                    reads_the_index(stories, share, *filter != SearchFilter::default(), &tuning);
                let has_phrase = query
                    .terms()
                    .iter()
                    .any(|term| matches!(term, SearchTerm::Phrase(_)));
                let pairs = if has_phrase {
                    pairs::of(&mut tx, query, tuning.common_word_stories).await?
                } else {
                    None
                };
                let recent_only = pairs.is_none()
                    && commonness::of(&mut tx, self.backend(), query, tuning.common_word_stories)
                        .await?
                        .common_phrase;
                let newest = match filter.until {
                    // NULL (no story at all) finds nothing, as it should.
                    Some(until) => {
                        sqlx::query_scalar::<_, Option<i64>>(sqlx::AssertSqlSafe(window(
                            POSTGRES_NEWEST,
                        )))
                        .bind(to_micros(now))
                        .bind(to_micros(until))
                        .fetch_one(&mut *tx)
                        .await?
                    }
                    None => Some(i64::MAX),
                };
                let oldest = if recent_only {
                    sqlx::query_scalar::<_, Option<i64>>(sqlx::AssertSqlSafe(window(
                        POSTGRES_RECENT,
                    )))
                    .fetch_one(&mut *tx)
                    .await?
                    .unwrap_or(i64::MIN)
                } else {
                    i64::MIN
                };
                // Without a phrase, the words' check is the whole search: each candidate's
                // `tsvector` is not read a second time.
                let by_id = "c.id DESC";
                let by_date = "c.published_at DESC, c.id DESC";
                let (matches, phrases, order) = if pairs.is_some() {
                    (POSTGRES_FROM_PAIRS, POSTGRES_FROM_INDEX_PHRASES, by_id)
                } else if from_index {
                    (POSTGRES_FROM_INDEX, POSTGRES_FROM_INDEX_PHRASES, by_id)
                } else if filter.section.is_some() {
                    (POSTGRES_SECTION_WALK, POSTGRES_WALK_PHRASES, by_date)
                } else if filter.kind.is_some() {
                    (POSTGRES_KIND_WALK, POSTGRES_WALK_PHRASES, by_date)
                } else {
                    (POSTGRES_WALK, POSTGRES_WALK_PHRASES, by_id)
                };
                let sql = window(
                    &POSTGRES_SEARCH
                        .replacen("__MATCHES__", matches, 1)
                        .replacen("__PHRASES__", if has_phrase { phrases } else { "" }, 1)
                        .replacen("__ORDER__", order, 1),
                );
                let top: Option<i64> = counts.try_get("top")?;
                let mut width = match (from_index && pairs.is_none(), top, newest) {
                    (true, Some(_), Some(_)) => index_window(stories, share, &tuning),
                    _ => None,
                };
                if width.is_some() {
                    sqlx::query(POSTGRES_BITMAPS_ONLY).execute(&mut *tx).await?;
                }
                let row = loop {
                    // The window: the `width` ids below the newest a candidate may have.
                    // Ids are positive: a window reaching below 1 is every story.
                    let floor = match (width, top, newest) {
                        (Some(width), Some(top), Some(newest)) => {
                            match top.min(newest).saturating_sub(width) {
                                floor if floor > 0 => floor.max(oldest),
                                _ => oldest,
                            }
                        }
                        _ => oldest,
                    };
                    let mut search = statement(
                        sql.clone(),
                        now,
                        query.websearch_text(),
                        filter,
                        [query.words_text()],
                    )
                    .bind(newest)
                    .bind(floor);
                    if let Some(pairs) = &pairs {
                        search = search.bind(pairs.clone());
                    }
                    let row = search.fetch_one(&mut *tx).await?;
                    let total: i64 = row.try_get("total")?;
                    if floor == oldest || total >= i64::from(SEARCH_CANDIDATES) {
                        break row;
                    }
                    width = width.map(|w| w.saturating_mul(4));
                };
                tx.commit().await?;
                (row, recent_only)
            }
        };
        let total: i64 = row.try_get("total")?;
        let found: Vec<HitJson> = serde_json::from_str(&row.try_get::<String, _>("hits")?)?;
        // PostgreSQL gives the plain text and the search's lexemes; the marks are made here.
        let highlighter = match self.backend() {
            Backend::Sqlite => None,
            Backend::Postgres => Some(highlight::Highlighter::new(
                &row.try_get::<String, _>("lexemes")?,
            )),
        };
        let hits = found
            .into_iter()
            .map(|hit| {
                let teaser = Teaser::try_from(hit.teaser)?;
                let title = hit.title.as_deref().unwrap_or(&teaser.title);
                let snippet = hit.snippet.as_deref().unwrap_or_default();
                let (title, snippet) = match &highlighter {
                    None => (marked(title), marked(snippet)),
                    Some(h) => (marked(&h.all(title)), marked(&h.passage(snippet))),
                };
                Ok(SearchHit {
                    title,
                    snippet,
                    teaser,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let total = u32::try_from(total).unwrap_or(SEARCH_CANDIDATES);
        Ok(SearchResults {
            hits,
            total,
            capped: total >= SEARCH_CANDIDATES || recent_only,
            recent_only,
        })
    }

    /// Empties the search index and records every story up to `top` as written before
    /// search existed: the state a database is in right after the search migration.
    #[doc(hidden)]
    pub async fn forget_search_index_for_tests(&self, top: i64) -> Result<()> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM article_search")
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM search_backlog")
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO search_backlog (id, next_id) VALUES (1, $1)")
            .bind(top)
            .execute(&mut *tx)
            .await?;
        self.commit(tx).await
    }

    /// Whether the index agrees with the stories: one searchable text per story and, on
    /// SQLite, an FTS5 index that matches its text (FTS5's own `integrity-check`; a
    /// mismatch is an error). PostgreSQL computes its index column from the text itself.
    #[doc(hidden)]
    pub async fn search_index_is_consistent(&self) -> Result<bool> {
        if self.backend() == Backend::Sqlite {
            sqlx::query(
                "INSERT INTO article_search_index (article_search_index, rank) \
                 VALUES ('integrity-check', 1)",
            )
            .execute(&self.writer)
            .await?;
        }
        let (missing, orphans): (i64, i64) = sqlx::query_as(
            "SELECT (SELECT count(*) FROM articles ar WHERE NOT EXISTS \
             (SELECT 1 FROM article_search x WHERE x.article_id = ar.id)), \
             (SELECT count(*) FROM article_search x WHERE NOT EXISTS \
             (SELECT 1 FROM articles ar WHERE ar.id = x.article_id))",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(missing == 0 && orphans == 0)
    }

    /// SQLite's plan for a search (with BM25), one line per step, so a test can hold every
    /// read of the index to the bounds the module documentation states.
    #[doc(hidden)]
    pub async fn sqlite_search_plan(&self, query: &SearchQuery) -> Result<Vec<String>> {
        let sql = format!(
            "EXPLAIN QUERY PLAN {}",
            SQLITE_SEARCH
                .replacen("__SCORED__", SQLITE_BM25, 1)
                .replacen("__WINDOW__", SQLITE_RECENT, 1)
                .replace("__SCAN__", &SEARCH_SCAN.to_string())
                .replacen("__CANDIDATES__", &SEARCH_CANDIDATES.to_string(), 1)
                .replacen("__LIMIT__", "10", 1)
                .replacen("__OFFSET__", "0", 1)
        );
        let all = query.fts5_expression();
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(0_i64)
            .bind(&all)
            .bind(0_i64)
            .bind("")
            .bind(i64::MIN)
            .bind(i64::MAX)
            .bind(format!("{{title}} : ({all})"))
            .bind(format!("{{summary}} : ({all})"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok(r.try_get::<String, _>("detail")?))
            .collect()
    }

    /// The highest id of a story written before search existed that is not indexed yet, if
    /// any (see `masthead_desk::index_backlog`).
    pub async fn search_backlog(&self) -> Result<Option<ArticleId>> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT next_id FROM search_backlog")
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|(id,)| ArticleId(id)))
    }

    /// Up to `limit` stories with ids from `upto` down, highest first, as stored (without
    /// authors and tags, which search does not read).
    pub async fn backlog_stories(
        &self,
        upto: ArticleId,
        limit: u32,
    ) -> Result<Vec<(ArticleId, ArticleFields)>> {
        let sql = format!(
            "SELECT id, {} FROM articles WHERE id <= $1 ORDER BY id DESC LIMIT {limit}",
            crate::story::FIELD_COLUMNS.join(", ")
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(upto.0)
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|row| {
                Ok((
                    ArticleId(row.try_get("id")?),
                    ArticleFields::from_row(row, Vec::new(), Vec::new())?,
                ))
            })
            .collect()
    }

    /// Indexes stories of the backlog, and records `next` as the highest id left (`None`:
    /// the backlog is done), in one transaction; returns how many were indexed. A story
    /// saved since it was read already has its current text indexed, and keeps it.
    pub async fn index_backlog(
        &self,
        stories: &[(ArticleId, SearchText)],
        next: Option<ArticleId>,
    ) -> Result<u64> {
        let mut tx = self.write_tx().await?;
        let mut indexed = 0;
        for (id, text) in stories {
            indexed += sqlx::query(
                "INSERT INTO article_search (article_id, title, summary, body) \
                 SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM articles WHERE id = $1) \
                 ON CONFLICT (article_id) DO NOTHING",
            )
            .bind(id.0)
            .bind(&text.title)
            .bind(&text.summary)
            .bind(&text.body)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        }
        match next {
            Some(next) => {
                sqlx::query("UPDATE search_backlog SET next_id = $1")
                    .bind(next.0)
                    .execute(&mut *tx)
                    .await?
            }
            None => {
                sqlx::query("DELETE FROM search_backlog")
                    .execute(&mut *tx)
                    .await?
            }
        };
        self.commit(tx).await?;
        Ok(indexed)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn m(text: &str, mark: bool) -> Marked {
        Marked {
            text: text.into(),
            mark,
        }
    }

    #[test]
    fn marks_split_text_and_strays_are_dropped() {
        assert_eq!(
            marked("The \u{2}council\u{3} met \u{2}Tuesday\u{3}."),
            [
                m("The ", false),
                m("council", true),
                m(" met ", false),
                m("Tuesday", true),
                m(".", false)
            ]
        );
        assert_eq!(marked("a\u{3}b\u{2}c"), [m("ab", false), m("c", true)]);
        assert_eq!(marked("\u{2}\u{3}"), []);
        assert_eq!(marked("<b>&amp;</b>"), [m("<b>&amp;</b>", false)]);
    }

    #[test]
    fn the_candidates_check_the_public_visibility_rule() {
        assert_eq!(visible_in_row!().replace('+', ""), visible!());
        assert_eq!(visible_in_words!().replace(" x.", " ar."), visible!());
    }

    #[test]
    fn postgres_reads_the_index_for_words_in_few_stories() {
        let tuning = SearchTuning::default();
        let index = |stories: f64, share: Option<f64>, filtered: bool| {
            reads_the_index(stories, share, filtered, &tuning)
        };
        assert!(index(100_000.0, None, false), "no statistics yet");
        assert!(
            index(100_000.0, Some(0.039), false),
            "\"water park\": 3,900"
        );
        assert!(index(100_000.0, Some(0.18), false), "\"council\": 18,000");
        assert!(
            !index(10_000.0, Some(0.8), false),
            "8,000 of 10,000: soon walked"
        );
        assert!(
            index(10_000.0, Some(0.8), true),
            "filtered, the walk is dearer"
        );
        assert!(
            !index(100_000.0, Some(0.7), true),
            "\"school\": the walk is soon done"
        );
        assert!(index(1_000_000.0, Some(0.018), false), "18,000 of 1M");
        assert!(
            index(1_000_000.0, Some(0.039), false),
            "\"water park\", 39,000 of 1M: read in a window"
        );
        assert!(
            !index(1_000_000.0, Some(0.31), false),
            "\"high school\", 310,000 of 1M: walked"
        );
        assert!(
            !index(1_000_000.0, Some(0.039), true),
            "39,000 of 1M, filtered: over the limit"
        );
        let never = SearchTuning {
            index_matches: 0,
            ..SearchTuning::default()
        };
        assert!(!reads_the_index(10.0, None, false, &never));
        assert!(!reads_the_index(10.0, Some(0.0), true, &never));
    }

    #[test]
    fn postgres_reads_a_window_of_the_newest_stories_for_words_in_many() {
        let tuning = SearchTuning::default();
        let window = |stories: f64, share: Option<f64>| index_window(stories, share, &tuning);
        assert_eq!(
            window(1_000_000.0, None),
            None,
            "nothing known: every story"
        );
        assert_eq!(
            window(1_000_000.0, Some(0.001)),
            None,
            "1,000 matches: all read"
        );
        assert_eq!(
            window(1_000_000.0, Some(0.036)),
            Some(55_556),
            "\"budget\", 36,000 of 1M: the newest 55,556 should hold 2,000"
        );
        assert_eq!(window(100_000.0, Some(0.039)), Some(51_283));
        let none = SearchTuning {
            window_matches: 0,
            ..SearchTuning::default()
        };
        assert_eq!(index_window(1_000_000.0, Some(0.5), &none), None);
    }

    #[test]
    fn control_characters_never_reach_the_index() {
        assert_eq!(clean("a\u{2}b\u{3}c\u{0}d\te\nf"), "abcd e f");
    }
}
