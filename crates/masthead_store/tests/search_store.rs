//! Full-text search in the store (issue 9, item 4), each story run on SQLite and on
//! PostgreSQL: ranking, stemming, accents, highlighting, filters, pages, who may find what,
//! re-indexing on every write, the backlog of stories older than search, and hostile input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Duration, Utc};
use masthead_core::{ArticleKind, ArticleStatus, QueryProblem, RoundupItem, SearchQuery};
use masthead_desk::Command;
use masthead_store::{
    Marked, SEARCH_CANDIDATES, SearchFilter, SearchResults, SearchText, Store, marked,
};
use masthead_testkit::{ArticleBuilder, Desk, change_story, db_tests, insert_all, t0};

db_tests!(
    headline_matches_rank_first,
    stems_and_accents_match_on_both_backends,
    phrases_need_their_words_in_order,
    highlights_mark_the_words_and_keep_stored_text_as_text,
    filters_narrow_by_section_kind_and_dates,
    pages_are_cut_from_the_ranked_candidates,
    only_stories_readers_may_see_are_found,
    a_text_edit_reindexes_in_the_same_save,
    kind_parts_are_searchable,
    stories_older_than_search_are_indexed_from_the_backlog,
    hostile_queries_run_as_plain_words,
    schema_has_the_index_on_each_backend,
    common_words_rank_by_headline_then_newest,
    phrases_of_common_words_search_the_most_recent_stories,
    phrases_of_common_words_in_a_rare_order_are_found_anywhere_on_postgres,
    an_end_date_finds_stories_written_out_of_date_order,
);

/// The plan SQLite runs: the candidates are read newest first by a co-routine that the join
/// can stop, starting from the newest story the filters allow; the ranking's reads of the
/// index are bounded by the candidates' id range, and the stories shown are looked up by id,
/// so a word in every story costs what a rare one does.
#[tokio::test]
async fn sqlite_reads_of_the_index_are_bounded() {
    let db = masthead_testkit::TestDb::sqlite().await;
    let query = SearchQuery::parse("council budget").unwrap();
    let plan = db.store.sqlite_search_plan(&query).await.unwrap();
    let text = plan.join("\n");
    assert!(text.contains("CO-ROUTINE c"), "{text}");
    let reads: Vec<&String> = plan
        .iter()
        .filter(|l| l.contains("VIRTUAL TABLE"))
        .collect();
    assert_eq!(reads.len(), 5, "{text}");
    assert!(
        reads[0].contains("INDEX 192:M") && reads[0].contains('<'),
        "candidates in rowid order, from the newest story the filters allow: {text}"
    );
    for read in &reads[1..4] {
        assert!(
            read.contains('>') && read.contains('<'),
            "a range: {read} in {text}"
        );
    }
    assert!(
        reads[4].contains(":=M"),
        "the stories shown looked up by id: {text}"
    );
}

async fn search(store: &Store, q: &str) -> SearchResults {
    search_with(store, q, SearchFilter::default(), 1).await
}

async fn search_with(store: &Store, q: &str, filter: SearchFilter, page: u32) -> SearchResults {
    let query = SearchQuery::parse(q).unwrap();
    store.search(&query, &filter, t0(), page, 10).await.unwrap()
}

fn titles(results: &SearchResults) -> Vec<String> {
    results
        .hits
        .iter()
        .map(|h| h.teaser.title.clone())
        .collect()
}

fn text(pieces: &[Marked]) -> String {
    pieces.iter().map(|p| p.text.as_str()).collect()
}

fn marks(pieces: &[Marked]) -> Vec<String> {
    pieces
        .iter()
        .filter(|p| p.mark)
        .map(|p| p.text.to_lowercase())
        .collect()
}

async fn headline_matches_rank_first(store: Store) {
    let desk = Desk::create(&store).await;
    let body = |n: usize| {
        format!(
            "The village board met on Tuesday. {}",
            "Residents asked about the levy and the roads. ".repeat(n)
        )
    };
    // Newest first in the index; the headline match is the oldest, so order alone would
    // put it last.
    insert_all(
        &store,
        vec![
            ArticleBuilder::new("Board approves water levy", desk.news)
                .body(&body(3))
                .published(t0() - Duration::days(3))
                .build(),
            ArticleBuilder::new("Village fair opens", desk.news)
                .summary("The levy question came up at the fair.")
                .body(&body(3))
                .published(t0() - Duration::days(2))
                .build(),
            ArticleBuilder::new("Roads crew starts work", desk.news)
                .body(&body(6))
                .published(t0() - Duration::days(1))
                .build(),
        ],
    )
    .await;
    let found = search(&store, "levy").await;
    assert_eq!(
        titles(&found),
        [
            "Board approves water levy",
            "Village fair opens",
            "Roads crew starts work"
        ],
        "headline, then summary, then body"
    );
    assert_eq!((found.total, found.capped), (3, false));
}

async fn stems_and_accents_match_on_both_backends(store: Store) {
    let desk = Desk::create(&store).await;
    ArticleBuilder::new("Council votes on budget", desk.news)
        .body("The councils of three villages voted to share a clerk.")
        .insert(&store)
        .await;
    ArticleBuilder::new("Café reopens on Main Street", desk.news)
        .body("The crème brûlée is back, said the owner of the Zürich-style café.")
        .insert(&store)
        .await;
    for q in ["councils", "council", "voting", "VOTES", "Villages"] {
        assert_eq!(
            titles(&search(&store, q).await),
            ["Council votes on budget"],
            "{q}"
        );
    }
    for q in ["cafe", "café", "CAFÉ", "creme brulee", "zurich", "Zürich"] {
        assert_eq!(
            titles(&search(&store, q).await),
            ["Café reopens on Main Street"],
            "{q}"
        );
    }
    assert!(search(&store, "councillors zzyzx").await.hits.is_empty());
}

async fn phrases_need_their_words_in_order(store: Store) {
    let desk = Desk::create(&store).await;
    ArticleBuilder::new("School board meets", desk.news)
        .body("The school board set the calendar.")
        .insert(&store)
        .await;
    ArticleBuilder::new("Board game night", desk.news)
        .body("A board of the school library runs a game night.")
        .insert(&store)
        .await;
    assert_eq!(search(&store, "school board").await.total, 2);
    assert_eq!(
        titles(&search(&store, "\"school board\"").await),
        ["School board meets"]
    );
    assert_eq!(
        titles(&search(&store, "\"board game\" night").await),
        ["Board game night"]
    );
}

async fn highlights_mark_the_words_and_keep_stored_text_as_text(store: Store) {
    let desk = Desk::create(&store).await;
    let filler = "Nothing of note happened at first. ".repeat(20);
    ArticleBuilder::new(
        "<b>Levy</b> & the <script>alert(1)</script> vote",
        desk.news,
    )
    .body(&format!(
        "{filler}Then the trustees debated the levy until midnight. {filler}"
    ))
    .insert(&store)
    .await;
    let found = search(&store, "levies").await;
    let hit = &found.hits[0];
    assert_eq!(
        text(&hit.title),
        "<b>Levy</b> & the <script>alert(1)</script> vote"
    );
    assert_eq!(marks(&hit.title), ["levy"]);
    assert_eq!(marks(&hit.snippet), ["levy"], "{:?}", hit.snippet);
    let snippet = text(&hit.snippet);
    assert!(
        snippet.contains("debated the levy until") && snippet.len() < 400,
        "a passage around the match: {snippet}"
    );
    // Control characters in stored text cannot pass for marks.
    assert_eq!(
        SearchText::new(
            &masthead_store::ArticleFields::news(
                "a\u{2}b\u{3}",
                masthead_core::Slug::parse("a").unwrap(),
                desk.news
            ),
            "x"
        )
        .title,
        "ab"
    );
    assert_eq!(text(&marked("a\u{2}b")), "ab");
}

async fn filters_narrow_by_section_kind_and_dates(store: Store) {
    let desk = Desk::create(&store).await;
    let day = |d: i64| t0() - Duration::days(d);
    insert_all(
        &store,
        vec![
            ArticleBuilder::new("Harvest news today", desk.news)
                .published(day(1))
                .build(),
            ArticleBuilder::new("Harvest game tonight", desk.sports)
                .published(day(10))
                .build(),
            ArticleBuilder::new("Harvest opinion", desk.news)
                .kind(ArticleKind::Opinion)
                .published(day(20))
                .build(),
        ],
    )
    .await;
    let with = |filter: SearchFilter| {
        let store = store.clone();
        async move { titles(&search_with(&store, "harvest", filter, 1).await) }
    };
    assert_eq!(with(SearchFilter::default()).await.len(), 3);
    assert_eq!(
        with(SearchFilter {
            section: Some(desk.sports),
            ..Default::default()
        })
        .await,
        ["Harvest game tonight"]
    );
    assert_eq!(
        with(SearchFilter {
            kind: Some(ArticleKind::Opinion),
            ..Default::default()
        })
        .await,
        ["Harvest opinion"]
    );
    assert_eq!(
        with(SearchFilter {
            from: Some(day(15)),
            until: Some(day(5)),
            ..Default::default()
        })
        .await,
        ["Harvest game tonight"]
    );
    // `until` is exclusive, `from` inclusive.
    assert_eq!(
        with(SearchFilter {
            from: Some(day(1)),
            until: Some(day(1) + Duration::microseconds(1)),
            ..Default::default()
        })
        .await,
        ["Harvest news today"]
    );
    assert!(
        with(SearchFilter {
            section: Some(desk.sports),
            kind: Some(ArticleKind::Opinion),
            ..Default::default()
        })
        .await
        .is_empty()
    );
}

async fn pages_are_cut_from_the_ranked_candidates(store: Store) {
    let desk = Desk::create(&store).await;
    let stories = (0..25)
        .map(|i| {
            ArticleBuilder::new(&format!("Parade story {i:02}"), desk.news)
                .published(t0() - Duration::hours(i + 1))
                .build()
        })
        .collect();
    insert_all(&store, stories).await;
    let mut seen = Vec::new();
    for page in 1..=3 {
        let found = search_with(&store, "parade", SearchFilter::default(), page).await;
        assert_eq!(found.total, 25);
        seen.extend(titles(&found));
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 25, "every story once over three pages");
    assert!(
        search_with(&store, "parade", SearchFilter::default(), 4)
            .await
            .hits
            .is_empty()
    );
    let far = SEARCH_CANDIDATES / 10 + 1;
    assert!(
        search_with(&store, "parade", SearchFilter::default(), far)
            .await
            .hits
            .is_empty()
    );
}

async fn only_stories_readers_may_see_are_found(store: Store) {
    let desk = Desk::create(&store).await;
    let story = |title: &str| ArticleBuilder::new(title, desk.news).body("Lighthouse keeper.");
    let published = story("Published lighthouse").insert(&store).await;
    story("Draft lighthouse").draft().insert(&store).await;
    story("Review lighthouse")
        .status(ArticleStatus::Review)
        .insert(&store)
        .await;
    story("Later lighthouse")
        .status(ArticleStatus::Scheduled)
        .published(t0() + Duration::hours(1))
        .insert(&store)
        .await;
    story("Due lighthouse")
        .status(ArticleStatus::Scheduled)
        .published(t0() - Duration::minutes(1))
        .insert(&store)
        .await;
    let mut found = titles(&search(&store, "lighthouse").await);
    found.sort();
    assert_eq!(found, ["Due lighthouse", "Published lighthouse"]);
    let at = |now: DateTime<Utc>| {
        let store = store.clone();
        async move {
            let query = SearchQuery::parse("lighthouse").unwrap();
            let results = store
                .search(&query, &SearchFilter::default(), now, 1, 10)
                .await
                .unwrap();
            results.total
        }
    };
    assert_eq!(
        at(t0() + Duration::hours(1)).await,
        3,
        "the scheduled one comes due"
    );

    // Taking a story down hides it from the very next search; publishing it again brings
    // it back.
    change_story(&store, published, Command::Unpublish, t0(), |_| {}).await;
    assert_eq!(
        titles(&search(&store, "lighthouse").await),
        ["Due lighthouse"]
    );
    change_story(&store, published, Command::Publish, t0(), |_| {}).await;
    assert_eq!(search(&store, "lighthouse").await.total, 2);
}

async fn a_text_edit_reindexes_in_the_same_save(store: Store) {
    let desk = Desk::create(&store).await;
    let id = ArticleBuilder::new("Bridge closes for repairs", desk.news)
        .summary("Detour signs go up.")
        .body("The county bridge closes Monday.")
        .insert(&store)
        .await;
    assert_eq!(search(&store, "bridge").await.total, 1);
    change_story(&store, id, Command::Save, t0(), |f| {
        f.title = "Culvert closes for repairs".into();
        f.summary = "Ferry service starts.".into();
        f.body_md = "The county **culvert** closes Monday.".into();
    })
    .await;
    assert_eq!(
        search(&store, "bridge").await.total,
        0,
        "old words are gone"
    );
    for q in ["culvert", "ferry", "county"] {
        assert_eq!(search(&store, q).await.total, 1, "{q}");
    }
    // Markdown is indexed as its words: no markup, no link addresses.
    change_story(&store, id, Command::Save, t0(), |f| {
        f.body_md =
            "See [the notice](https://example.org/zebrafish) and <span>okapi</span>.".into();
    })
    .await;
    assert_eq!(search(&store, "notice okapi").await.total, 1);
    assert_eq!(search(&store, "zebrafish").await.total, 0);
    assert_eq!(search(&store, "span").await.total, 0);
}

async fn kind_parts_are_searchable(store: Store) {
    let desk = Desk::create(&store).await;
    ArticleBuilder::new("Weekend roundup", desk.news)
        .body("")
        .items(vec![RoundupItem {
            headline: "Pancake breakfast".into(),
            body_html: String::new(),
            body_md: "The firefighters serve *blueberry* pancakes.".into(),
        }])
        .insert(&store)
        .await;
    assert_eq!(
        titles(&search(&store, "blueberry pancakes").await),
        ["Weekend roundup"]
    );
    let found = search(&store, "firefighters").await;
    assert!(
        marks(&found.hits[0].snippet).contains(&"firefighters".to_owned()),
        "{:?}",
        found.hits[0].snippet
    );
}

async fn stories_older_than_search_are_indexed_from_the_backlog(store: Store) {
    let desk = Desk::create(&store).await;
    let stories = (0..450)
        .map(|i| {
            ArticleBuilder::new(&format!("Archive story {i}"), desk.news)
                .body(&format!("Marker word quokka{i}."))
                .build()
        })
        .collect();
    let ids = insert_all(&store, stories).await;
    // As a database from before the search migration: nothing indexed, the backlog set.
    let top = ids.iter().map(|id| id.0).max().unwrap();
    store.forget_search_index_for_tests(top).await.unwrap();
    assert_eq!(search(&store, "archive").await.total, 0);
    assert_eq!(
        store.search_backlog().await.unwrap().map(|id| id.0),
        Some(top)
    );
    // A story saved meanwhile is indexed by its save, and the backlog leaves it so.
    change_story(&store, ids[5], Command::Save, t0(), |f| {
        f.body_md = "Edited after the upgrade: wombat.".into();
    })
    .await;
    assert_eq!(masthead_desk::index_backlog(&store).await.unwrap(), 449);
    assert_eq!(store.search_backlog().await.unwrap(), None);
    assert_eq!(search(&store, "archive").await.total, 450);
    assert_eq!(search(&store, "quokka0").await.total, 1);
    assert_eq!(search(&store, "quokka449").await.total, 1);
    assert_eq!(search(&store, "quokka5").await.total, 0);
    assert_eq!(search(&store, "wombat").await.total, 1);
    assert!(store.search_index_is_consistent().await.unwrap());
    // Nothing left: a second run does nothing.
    assert_eq!(masthead_desk::index_backlog(&store).await.unwrap(), 0);
}

/// Every one of these runs as a plain-words search or is refused with a reason; none
/// reaches the database's query parser as syntax.
async fn hostile_queries_run_as_plain_words(store: Store) {
    let desk = Desk::create(&store).await;
    ArticleBuilder::new("Near the water tower", desk.news)
        .body("Title: the tower's paint (blue) costs $48,000 -- or more.")
        .insert(&store)
        .await;
    let long = "tower ".repeat(2000);
    let cases: &[(&str, Option<u32>)] = &[
        ("\"", None),
        ("\"\"\"", None),
        ("tower\"", Some(1)),
        ("\"water tower", Some(1)),
        ("water AND tower", Some(1)),
        ("water OR zebra", Some(0)),
        ("NOT tower", Some(1)),
        ("NEAR(water tower)", Some(1)),
        ("-tower", Some(1)),
        ("tow*", Some(0)),
        ("^water", Some(1)),
        ("title:tower", Some(1)),
        ("body:tower", Some(0)),
        ("{title}: tower", Some(1)),
        ("(((tower", Some(1)),
        ("tower)))", Some(1)),
        ("'; DROP TABLE articles; --", Some(0)),
        ("tower' OR '1'='1", Some(0)),
        ("water & tower | paint", Some(1)),
        ("water <-> tower", Some(1)),
        ("!tower", Some(1)),
        ("tower:*", Some(1)),
        ("48,000", Some(1)),
        ("$48,000", Some(1)),
        ("tower's", Some(1)),
        ("\u{0}tower\u{7}", Some(1)),
        ("\u{2}tower\u{3}", Some(1)),
        ("टावर 水塔 🗼", Some(0)),
        (&long, None),
    ];
    for (q, expect) in cases {
        match (SearchQuery::parse(q), expect) {
            (Ok(query), Some(n)) => {
                let found = store
                    .search(&query, &SearchFilter::default(), t0(), 1, 10)
                    .await
                    .unwrap_or_else(|e| panic!("{q:?} failed: {e}"));
                assert_eq!(found.total, *n, "{q:?} as {query}");
            }
            (Err(problem), None) => assert!(
                matches!(
                    problem,
                    QueryProblem::Empty | QueryProblem::TooLong(_) | QueryProblem::TooManyWords(_)
                ),
                "{q:?}: {problem:?}"
            ),
            (outcome, expect) => panic!("{q:?}: {outcome:?}, expected {expect:?}"),
        }
    }
}

async fn schema_has_the_index_on_each_backend(store: Store) {
    let parts = masthead_store::search_index_parts(&store).await.unwrap();
    let names: Vec<&str> = parts.iter().map(|(n, _)| n.as_str()).collect();
    match store.backend() {
        masthead_store::Backend::Sqlite => {
            assert_eq!(names, ["article_search_index"]);
            assert!(
                parts[0]
                    .1
                    .contains("tokenize = 'porter unicode61 remove_diacritics 2'"),
                "{parts:?}"
            );
        }
        masthead_store::Backend::Postgres => {
            assert_eq!(
                names,
                [
                    "article_search.document",
                    "article_search_pairs.pairs",
                    "article_search_pairs_gin",
                    "article_search_words.words",
                    "article_search_words_gin"
                ]
            );
        }
    }
}

/// With every word common (the threshold lowered, as for a word in thousands of stories),
/// SQLite computes no BM25: headline matches still come first, then summary, then the
/// newest.
async fn common_words_rank_by_headline_then_newest(store: Store) {
    let desk = Desk::create(&store).await;
    let day = |d: i64| t0() - Duration::days(d);
    insert_all(
        &store,
        vec![
            ArticleBuilder::new("Old orchard levy story", desk.news)
                .published(day(9))
                .build(),
            ArticleBuilder::new("Summary story", desk.news)
                .summary("The orchard levy, explained.")
                .published(day(8))
                .build(),
            ArticleBuilder::new("Body story one", desk.news)
                .body("An orchard and a levy. Levy levy levy orchard orchard.")
                .published(day(7))
                .build(),
            ArticleBuilder::new("Body story two", desk.news)
                .body("The orchard levy passed.")
                .published(day(6))
                .build(),
        ],
    )
    .await;
    let query = SearchQuery::parse("orchard levy").unwrap();
    let every_word_common = masthead_store::SearchTuning {
        common_word_stories: 1,
        ..Default::default()
    };
    let common = store
        .search_tuned(
            &query,
            &SearchFilter::default(),
            t0(),
            1,
            10,
            every_word_common,
        )
        .await
        .unwrap();
    assert_eq!(
        titles(&common)[..2],
        ["Old orchard levy story", "Summary story"]
    );
    // SQLite ranks the rest newest first; PostgreSQL, which has no such threshold, by how
    // densely the words occur.
    let rest = match store.backend() {
        masthead_store::Backend::Sqlite => ["Body story two", "Body story one"],
        masthead_store::Backend::Postgres => ["Body story one", "Body story two"],
    };
    assert_eq!(titles(&common)[2..], rest);
    let specific = search(&store, "orchard levy").await;
    assert_eq!(
        titles(&specific)[..2],
        ["Old orchard levy story", "Summary story"]
    );
}

/// A phrase of common words is looked for only in the most recent stories (FTS5 would check
/// word positions, PostgreSQL each story's `tsvector`, in every story holding both words),
/// and says so, on both databases; a phrase with a specific word is looked for everywhere.
async fn phrases_of_common_words_search_the_most_recent_stories(store: Store) {
    town_stories(
        &store,
        "The high school band played. Walrus sightings went on.",
        "The high school band played.",
    )
    .await;
    let run = |q: &'static str| in_town(&store, q);
    // The same window on both databases.
    let phrase = run("\"high school\"").await;
    assert_eq!(titles(&phrase), ["Town story 5", "Town story 4"]);
    assert!(phrase.recent_only && phrase.capped, "{phrase:?}");
    // A stopword (left out of PostgreSQL's index; in every story here) does not make a
    // phrase specific.
    let with_stopword = run("\"the high school\"").await;
    assert_eq!(titles(&with_stopword), ["Town story 5", "Town story 4"]);
    assert!(with_stopword.recent_only, "{with_stopword:?}");
    // The oldest story, outside the window: found, since "walrus" is a specific word.
    let specific = run("\"walrus sightings\"").await;
    assert!(!specific.recent_only, "{specific:?}");
    assert_eq!(titles(&specific), ["Town story 0"]);
}

/// "High" and "school" are in every story, but side by side only in the oldest: PostgreSQL
/// finds it from the index of word pairs, whatever its age (`search/pairs.rs`); SQLite
/// looks for a phrase of common words among the most recent stories only, and says so.
async fn phrases_of_common_words_in_a_rare_order_are_found_anywhere_on_postgres(store: Store) {
    let desk = town_stories(
        &store,
        "The high school band played.",
        "High marks went to the school band.",
    )
    .await;
    let found = in_town(&store, "\"high school\"").await;
    match store.backend() {
        masthead_store::Backend::Postgres => {
            assert_eq!(titles(&found), ["Town story 0"]);
            assert!(!found.recent_only && !found.capped, "{found:?}");
        }
        masthead_store::Backend::Sqlite => {
            assert!(titles(&found).is_empty(), "{found:?}");
            assert!(found.recent_only, "{found:?}");
        }
    }
    // A story saved later is in the pairs at once (the index's trigger, same transaction).
    ArticleBuilder::new("Town story 6", desk.news)
        .body("A high school play.")
        .published(t0() - Duration::days(1))
        .insert(&store)
        .await;
    let found = in_town(&store, "\"high school\"").await;
    assert_eq!(titles(&found)[0], "Town story 6");
}

/// Six stories, one a day from ten days ago: the oldest with `oldest` as its body, the
/// others with `rest`.
async fn town_stories(store: &Store, oldest: &str, rest: &str) -> Desk {
    let desk = Desk::create(store).await;
    let stories = (0..6)
        .map(|i| {
            ArticleBuilder::new(&format!("Town story {i}"), desk.news)
                .body(if i == 0 { oldest } else { rest })
                .published(t0() - Duration::days(10 - i))
                .build()
        })
        .collect();
    insert_all(store, stories).await;
    desk
}

/// Searches [`town_stories`] as if it were a large archive: a word in all six stories is
/// common, and the most recent window is two stories.
async fn in_town(store: &Store, q: &str) -> SearchResults {
    let tuning = masthead_store::SearchTuning {
        common_word_stories: 6,
        scan: 2,
        ..Default::default()
    };
    let query = SearchQuery::parse(q).unwrap();
    store
        .search_tuned(&query, &SearchFilter::default(), t0(), 1, 10, tuning)
        .await
        .unwrap()
}

/// A search with an end date starts reading the index at the newest story published before
/// it (SQLite), found by walking ids down: a story written after newer ones but dated earlier
/// (a backdated or imported story) is still found, and so is one below every id walked.
async fn an_end_date_finds_stories_written_out_of_date_order(store: Store) {
    let desk = Desk::create(&store).await;
    let day = |d: i64| t0() - Duration::days(d);
    for (title, age) in [
        ("Harvest ancient", 60),
        ("Harvest early", 40),
        ("Harvest recent", 2),
        ("Harvest backdated", 25),
        ("Harvest latest", 1),
    ] {
        ArticleBuilder::new(title, desk.news)
            .published(day(age))
            .insert(&store)
            .await;
    }
    let query = SearchQuery::parse("harvest").unwrap();
    let before = SearchFilter {
        until: Some(day(20)),
        ..Default::default()
    };
    let found = search_with(&store, "harvest", before, 1).await;
    assert_eq!(
        titles(&found),
        ["Harvest backdated", "Harvest early", "Harvest ancient"]
    );
    // Only the three newest ids walked: none of them qualifies, so the read starts below
    // them all.
    let tuning = masthead_store::SearchTuning {
        common_word_stories: 5_000,
        scan: 3,
        ..Default::default()
    };
    let before_early = SearchFilter {
        until: Some(day(50)),
        ..Default::default()
    };
    let found = store
        .search_tuned(&query, &before_early, t0(), 1, 10, tuning)
        .await
        .unwrap();
    assert_eq!(titles(&found), ["Harvest ancient"]);
    let none_before = SearchFilter {
        until: Some(day(70)),
        ..Default::default()
    };
    let found = store
        .search_tuned(&query, &none_before, t0(), 1, 10, tuning)
        .await
        .unwrap();
    assert!(found.hits.is_empty() && found.total == 0, "{found:?}");
}

/// PostgreSQL keeps each story's `tsvector` in the story's own row (migration
/// `0017_search_phrases`), where a search reads it without a TOAST lookup: a story whose
/// vector is past the 2 kB at which PostgreSQL would otherwise move it out leaves the TOAST
/// table empty.
#[tokio::test]
async fn postgres_keeps_the_search_vector_in_the_row() {
    let db = masthead_testkit::TestDb::postgres().await;
    let desk = Desk::create(&db.store).await;
    let body: Vec<String> = (0..300).map(|i| format!("word{i}x")).collect();
    ArticleBuilder::new("A long story", desk.news)
        .body(&body.join(" "))
        .insert(&db.store)
        .await;
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    let (vector, toast): (i32, i64) = sqlx::query_as(
        "SELECT pg_column_size(document), pg_relation_size(c.reltoastrelid) \
         FROM article_search, pg_class c WHERE c.relname = 'article_search'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(
        vector > 2500,
        "a vector PostgreSQL would move out: {vector} bytes"
    );
    assert_eq!(toast, 0, "nothing was moved to the TOAST table");
}

/// PostgreSQL's GIN indexes of the search take a story's entries as the story is written
/// (migration `0028_search_gin_without_pending_list`): none waits in a pending list for a
/// later write, or autovacuum, to merge, which at 130,000 stories held saves for seconds
/// and at 280,000 past the statement deadline. Every GIN index of the schema is checked,
/// so one added later without the setting fails here.
#[tokio::test]
async fn postgres_search_indexes_keep_no_pending_list() {
    let db = masthead_testkit::TestDb::postgres().await;
    let desk = Desk::create(&db.store).await;
    for i in 0..30 {
        ArticleBuilder::new(&format!("Levy vote {i} at the county board"), desk.news)
            .body(&format!(
                "The board met on the levy, item {i}, and voted for the road plan."
            ))
            .insert(&db.store)
            .await;
    }
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    sqlx::query("CREATE EXTENSION IF NOT EXISTS pgstattuple")
        .execute(&pool)
        .await
        .unwrap();
    let indexes: Vec<(String,)> = sqlx::query_as(
        "SELECT c.relname::text FROM pg_index i \
         JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam \
         JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE a.amname = 'gin' AND n.nspname = current_schema() ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let names: Vec<&str> = indexes.iter().map(|(n,)| n.as_str()).collect();
    assert_eq!(
        names,
        ["article_search_pairs_gin", "article_search_words_gin"],
        "the search's GIN indexes"
    );
    for name in names {
        let (pages, tuples): (i64, i64) = sqlx::query_as(
            "SELECT pending_pages::bigint, pending_tuples FROM pgstatginindex($1::regclass)",
        )
        .bind(name)
        .fetch_one(&pool)
        .await
        .unwrap();
        assert_eq!(
            (pages, tuples),
            (0, 0),
            "{name} holds entries in its pending list after 30 saves"
        );
    }
}

/// A search with `tuning`, on page 1.
async fn search_tuned(
    store: &Store,
    q: &str,
    filter: SearchFilter,
    tuning: masthead_store::SearchTuning,
) -> SearchResults {
    let query = SearchQuery::parse(q).unwrap();
    store
        .search_tuned(&query, &filter, t0(), 1, 10, tuning)
        .await
        .unwrap()
}

/// PostgreSQL finds a search's candidates one of two ways (`src/search.rs`): from the GIN
/// index over `article_search_words`, whose copy of each story's filter columns triggers
/// keep in step with `articles`, or by walking the newest stories' own rows. Both give the
/// same page for every kind of search, and still do after stories are taken down, moved to
/// another section and come due.
#[tokio::test]
async fn postgres_finds_the_same_from_the_index_and_by_walking() {
    let db = masthead_testkit::TestDb::postgres().await;
    let store = &db.store;
    let desk = Desk::create(store).await;
    let day = |d: i64| t0() - Duration::days(d);
    let mut ids = Vec::new();
    for i in 0..12_i64 {
        let section = if i % 3 == 0 { desk.sports } else { desk.news };
        let mut story = ArticleBuilder::new(&format!("Harvest story {i}"), section)
            .body(if i % 2 == 0 {
                "The high school harvest fair drew 48,000 visitors."
            } else {
                "A harvest of school budgets: the board met."
            })
            .published(day(30 - 2 * i));
        if i == 5 {
            story = story.kind(ArticleKind::Opinion);
        }
        if i == 7 {
            story = story.draft();
        }
        if i == 11 {
            story = story
                .status(ArticleStatus::Scheduled)
                .published(t0() + Duration::hours(1));
        }
        ids.push(story.insert(store).await);
    }
    let searches = || {
        [
            ("harvest", SearchFilter::default()),
            ("school board", SearchFilter::default()),
            ("\"high school\"", SearchFilter::default()),
            ("48,000", SearchFilter::default()),
            ("\"school harvest\"", SearchFilter::default()),
            (
                "harvest",
                SearchFilter {
                    section: Some(desk.sports),
                    ..Default::default()
                },
            ),
            (
                "harvest",
                SearchFilter {
                    kind: Some(ArticleKind::Opinion),
                    ..Default::default()
                },
            ),
            (
                "school",
                SearchFilter {
                    from: Some(day(20)),
                    until: Some(day(8)),
                    ..Default::default()
                },
            ),
        ]
    };
    let index = masthead_store::SearchTuning {
        index_matches: u32::MAX,
        ..Default::default()
    };
    let walk = masthead_store::SearchTuning {
        index_matches: 0,
        ..Default::default()
    };
    let compare = |when: &'static str| async move {
        let mut pages = Vec::new();
        for (q, filter) in searches() {
            let from_index = search_tuned(store, q, filter, index).await;
            let walked = search_tuned(store, q, filter, walk).await;
            assert_eq!(from_index, walked, "{q:?} {filter:?}, {when}");
            pages.push((titles(&from_index), from_index.total));
        }
        pages
    };
    let before = compare("as written").await;
    assert_eq!(before[0].1, 10, "no draft, nothing not yet due: {before:?}");
    assert_eq!(before[3].1, 6, "\"48,000\" in order: {before:?}");
    assert_eq!(before[5].1, 4, "sports: {before:?}");
    assert_eq!(before[6].0, ["Harvest story 5"], "{before:?}");

    change_story(store, ids[0], Command::Unpublish, t0(), |_| {}).await;
    change_story(store, ids[1], Command::Save, t0(), |f| {
        f.section = desk.sports
    })
    .await;
    let after = compare("after a take-down and a move").await;
    assert_eq!(after[0].1, 9, "{after:?}");
    assert_eq!(after[5].1, 4, "one left sports, one joined: {after:?}");
    assert!(
        after[5].0.contains(&"Harvest story 1".to_owned()),
        "{after:?}"
    );

    let due = SearchQuery::parse("harvest").unwrap();
    let later = t0() + Duration::hours(2);
    for tuning in [index, walk] {
        let found = store
            .search_tuned(&due, &SearchFilter::default(), later, 1, 10, tuning)
            .await
            .unwrap();
        assert_eq!(found.total, 10, "the scheduled story came due");
    }
}

/// A windowed read of the GIN index (`WINDOW_MATCHES`, here a window for every word known
/// to be in more than one story) finds what reading every match finds, filtered or not:
/// when the newest stories hold too few candidates, the window grows until it holds
/// enough or every story.
#[tokio::test]
async fn postgres_finds_the_same_in_a_window_as_in_every_story() {
    let db = masthead_testkit::TestDb::postgres().await;
    let store = &db.store;
    let desk = Desk::create(store).await;
    let stories = (0..40_i64)
        .map(|i| {
            let section = if i % 4 == 0 { desk.sports } else { desk.news };
            let body = match i % 5 {
                0 => "The orchard harvest fair.",
                1 => "A harvest of school budgets.",
                _ => "The board met.",
            };
            let mut story = ArticleBuilder::new(&format!("Story {i}"), section)
                .body(body)
                .published(t0() - Duration::days(60 - i));
            if i == 3 || i == 10 {
                story = story.kind(ArticleKind::Opinion);
            }
            story.build()
        })
        .collect();
    insert_all(store, stories).await;
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    sqlx::query("ANALYZE article_search_words")
        .execute(&pool)
        .await
        .unwrap();
    // The statistics know "harvest" (16 of 40 stories), so its searches are windowed.
    let known: bool = sqlx::query_scalar(
        "SELECT 'harvest' = ANY(most_common_elems::text::text[]) FROM pg_stats \
         WHERE tablename = 'article_search_words' AND attname = 'words'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(known, "ANALYZE lists the word");
    let every = masthead_store::SearchTuning {
        index_matches: u32::MAX,
        window_matches: 0,
        ..Default::default()
    };
    let windowed = masthead_store::SearchTuning {
        index_matches: u32::MAX,
        window_matches: 1,
        ..Default::default()
    };
    let day = |d: i64| t0() - Duration::days(d);
    for (q, filter) in [
        ("harvest", SearchFilter::default()),
        (
            "harvest",
            SearchFilter {
                section: Some(desk.sports),
                ..Default::default()
            },
        ),
        (
            "harvest",
            SearchFilter {
                kind: Some(ArticleKind::Opinion),
                ..Default::default()
            },
        ),
        (
            "harvest",
            SearchFilter {
                from: Some(day(50)),
                until: Some(day(30)),
                ..Default::default()
            },
        ),
        ("board", SearchFilter::default()),
    ] {
        let all = search_tuned(store, q, filter, every).await;
        let window = search_tuned(store, q, filter, windowed).await;
        assert_eq!(window, all, "{q:?} {filter:?}");
        assert!(all.total > 0, "{q:?} {filter:?} finds something");
    }
    let opinion = search_tuned(
        store,
        "harvest",
        SearchFilter {
            kind: Some(ArticleKind::Opinion),
            ..Default::default()
        },
        windowed,
    )
    .await;
    assert_eq!(
        titles(&opinion),
        ["Story 10"],
        "the oldest match, found as the window grew"
    );
}

/// After a bulk load the importer and the generator refresh PostgreSQL's statistics, so a
/// search knows each word's share at once, not at autovacuum's next pass.
#[tokio::test]
async fn refreshing_statistics_tells_postgres_each_words_share() {
    let db = masthead_testkit::TestDb::postgres().await;
    let store = &db.store;
    let desk = Desk::create(store).await;
    let stories = (0..20)
        .map(|i| {
            ArticleBuilder::new(&format!("Quarry story {i}"), desk.news)
                .body("The quarry reopened.")
                .build()
        })
        .collect();
    insert_all(store, stories).await;
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    let known = || async {
        sqlx::query_scalar::<_, bool>(
            "SELECT COALESCE(bool_or('quarri' = ANY(most_common_elems::text::text[])), false) \
             FROM pg_stats WHERE tablename = 'article_search_words' AND attname = 'words'",
        )
        .fetch_one(&pool)
        .await
        .unwrap()
    };
    assert!(!known().await, "nothing analyzed yet");
    store.refresh_statistics().await.unwrap();
    assert!(known().await, "the word's share is known");
}

/// Which way PostgreSQL finds the candidates follows how many stories the words are
/// expected in, from the statistics `ANALYZE` keeps: with none yet, the index, which takes
/// the highest ids (here a story written last but dated long ago); once a word is known to
/// be in many stories, the walk of that kind's stories by date, which leaves it out; words
/// known to be in few, the index again.
#[tokio::test]
async fn postgres_chooses_the_index_or_the_walk_by_the_words_statistics() {
    let db = masthead_testkit::TestDb::postgres().await;
    let store = &db.store;
    let desk = Desk::create(store).await;
    let mut stories: Vec<_> = (0..30_i64)
        .map(|i| {
            let body = if i < 2 {
                "An orchard harvest."
            } else {
                "A harvest."
            };
            ArticleBuilder::new(&format!("Harvest story {i}"), desk.news)
                .body(body)
                .kind(ArticleKind::Opinion)
                .published(t0() - Duration::days(40 - i))
                .build()
        })
        .collect();
    stories.push(
        ArticleBuilder::new("Harvest backdated", desk.news)
            .body("A harvest.")
            .kind(ArticleKind::Opinion)
            .published(t0() - Duration::days(400))
            .build(),
    );
    insert_all(store, stories).await;
    let tuning = masthead_store::SearchTuning {
        scan: 3,
        index_matches: 10,
        ..Default::default()
    };
    let opinion = SearchFilter {
        kind: Some(ArticleKind::Opinion),
        ..Default::default()
    };
    let mut found = titles(&search_tuned(store, "harvest", opinion, tuning).await);
    found.sort();
    assert_eq!(
        found,
        ["Harvest backdated", "Harvest story 28", "Harvest story 29"],
        "no statistics yet: from the index, the highest ids"
    );

    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    sqlx::query("ANALYZE article_search_words")
        .execute(&pool)
        .await
        .unwrap();
    let mut found = titles(&search_tuned(store, "harvest", opinion, tuning).await);
    found.sort();
    assert_eq!(
        found,
        ["Harvest story 27", "Harvest story 28", "Harvest story 29"],
        "in 31 stories: the kind's newest by date, walked"
    );
    let found = search_tuned(store, "harvest orchard", opinion, tuning).await;
    assert_eq!(found.total, 2, "in 2 stories: from the index, {found:?}");
}

/// With a section (or a kind) filter, words in many stories are looked for by walking that
/// section's (kind's) stories newest first (`POSTGRES_SECTION_WALK`, `POSTGRES_KIND_WALK`), at most `scan` of them: the newest by
/// date, whatever their ids, as a date-ordered archive (an import, a backdated story) has
/// them.
#[tokio::test]
async fn postgres_walks_a_section_or_a_kind_by_date_for_common_words() {
    let db = masthead_testkit::TestDb::postgres().await;
    let store = &db.store;
    let desk = Desk::create(store).await;
    for (title, section, age) in [
        ("Harvest sports old", desk.sports, 30),
        ("Harvest sports backdated", desk.sports, 1),
        ("Harvest news", desk.news, 3),
        ("Harvest sports new", desk.sports, 2),
        ("Harvest sports newest", desk.sports, 0),
    ] {
        ArticleBuilder::new(title, section)
            .published(t0() - Duration::days(age) - Duration::hours(1))
            .insert(store)
            .await;
    }
    let walk = masthead_store::SearchTuning {
        scan: 3,
        index_matches: 0,
        ..Default::default()
    };
    let sports = SearchFilter {
        section: Some(desk.sports),
        ..Default::default()
    };
    let found = search_tuned(store, "harvest", sports, walk).await;
    let mut got = titles(&found);
    got.sort();
    assert_eq!(
        got,
        [
            "Harvest sports backdated",
            "Harvest sports new",
            "Harvest sports newest"
        ],
        "the three newest sports stories by date"
    );

    // A kind filter walks that kind's stories by date the same way (`POSTGRES_KIND_WALK`).
    for (title, age) in [
        ("Harvest opinion old", 40),
        ("Harvest opinion backdated", 1),
        ("Harvest opinion new", 2),
        ("Harvest opinion newest", 0),
    ] {
        ArticleBuilder::new(title, desk.news)
            .kind(ArticleKind::Opinion)
            .published(t0() - Duration::days(age) - Duration::hours(2))
            .insert(store)
            .await;
    }
    ArticleBuilder::new("Harvest news newest", desk.news)
        .published(t0() - Duration::minutes(10))
        .insert(store)
        .await;
    let opinion = SearchFilter {
        kind: Some(ArticleKind::Opinion),
        ..Default::default()
    };
    let mut got = titles(&search_tuned(store, "harvest", opinion, walk).await);
    got.sort();
    assert_eq!(
        got,
        [
            "Harvest opinion backdated",
            "Harvest opinion new",
            "Harvest opinion newest"
        ],
        "the three newest opinion pieces by date, none of another kind"
    );
}
