//! Keeping the full-text index merged (issue 9), on a real SQLite file: stories saved one at
//! a time leave FTS5 with many segments; the merge steps fold them without changing what any
//! search finds, and a whole merge leaves one. On PostgreSQL every step is a no-op.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;
use masthead_core::SearchQuery;
use masthead_store::{Backend, MergeStep, SearchFilter, SearchResults, Store};
use masthead_testkit::{ArticleBuilder, Desk, db_tests, t0};

db_tests!(
    merging_folds_the_segments_of_single_saves_and_keeps_results,
    a_whole_merge_leaves_one_segment,
);

/// Stories saved one per transaction, each its own segment until FTS5 merges them: enough
/// for several levels of FTS5's automatic merges (four segments of a level become one).
const STORIES: u64 = 150;

/// `n` words picked by a fixed sequence, so every run writes the same text: a few real words
/// in most stories, then a long tail of made-up ones (`w123`) in few, as in real text.
fn words(seed: u64, n: usize) -> String {
    const COMMON: &[&str] = &[
        "school", "board", "council", "budget", "high", "team", "river", "walrus", "harbor",
        "levy", "market", "library", "bridge", "festival", "mayor", "vote",
    ];
    let mut x = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            // Skewed towards low ranks: rank = 3000 u³ for u uniform in [0, 1).
            let u = (x >> 33) % 1_000;
            let rank = (u * u * u * 3 / 1_000_000) as usize;
            COMMON
                .get(rank)
                .map_or_else(|| format!("w{rank}"), |w| (*w).to_owned())
        })
        .collect::<Vec<_>>()
        .join(" ")
}

async fn save_stories_one_by_one(store: &Store) -> Desk {
    let desk = Desk::create(store).await;
    for i in 0..STORIES {
        ArticleBuilder::new(&format!("Story {i}: {}", words(i, 4)), desk.news)
            .body(&format!("{}.", words(i + 1_000, 200)))
            .published(t0() - Duration::hours(i64::try_from(STORIES - i).unwrap()))
            .insert(store)
            .await;
    }
    desk
}

const SEARCHES: &[&str] = &[
    "school",
    "walrus",
    "council budget",
    "\"high school\"",
    "harbor -river",
    "w500",
    "nothingmatchesthis",
];

async fn every_search(store: &Store) -> Vec<SearchResults> {
    let mut found = Vec::new();
    for q in SEARCHES {
        let query = SearchQuery::parse(q).unwrap();
        for page in [1, 2] {
            found.push(
                store
                    .search(&query, &SearchFilter::default(), t0(), page, 10)
                    .await
                    .unwrap(),
            );
        }
    }
    found
}

async fn merging_folds_the_segments_of_single_saves_and_keeps_results(store: Store) {
    save_stories_one_by_one(&store).await;
    let before = store.search_index_segments().await.unwrap();
    let results = every_search(&store).await;
    assert!(results.iter().any(|r| r.total > 10), "{results:?}");
    let mut steps = 0;
    while store.merge_search_index_step(2).await.unwrap() == MergeStep::Worked {
        steps += 1;
        assert!(steps < 10_000, "the merge never ends");
    }
    let after = store.search_index_segments().await.unwrap();
    match store.backend() {
        Backend::Sqlite => {
            assert!(before >= 6, "{before} segments before merging");
            assert!(
                steps > 1,
                "a budget of 2 pages takes several steps: {steps}"
            );
            assert!(after <= 3, "{before} segments before, {after} after");
        }
        Backend::Postgres => assert_eq!((before, steps, after), (0, 0, 0)),
    }
    assert_eq!(every_search(&store).await, results);
    assert!(store.search_index_is_consistent().await.unwrap());
    // Nothing left to merge until the next write.
    assert_eq!(
        store.merge_search_index_step(2).await.unwrap(),
        MergeStep::Done
    );
}

async fn a_whole_merge_leaves_one_segment(store: Store) {
    let desk = save_stories_one_by_one(&store).await;
    let results = every_search(&store).await;
    let mut steps = 0;
    while store.optimize_search_index_step(2).await.unwrap() == MergeStep::Worked {
        steps += 1;
        assert!(steps < 10_000, "the merge never ends");
    }
    let expected = match store.backend() {
        Backend::Sqlite => 1,
        Backend::Postgres => 0,
    };
    assert_eq!(store.search_index_segments().await.unwrap(), expected);
    assert_eq!(every_search(&store).await, results);
    assert!(store.search_index_is_consistent().await.unwrap());
    // A story saved after it adds a segment, which the next steps fold in again.
    ArticleBuilder::new("Narwhal seen at the harbor", desk.news)
        .published(t0() - Duration::minutes(1))
        .insert(&store)
        .await;
    let narwhal = SearchQuery::parse("narwhal").unwrap();
    let found = store
        .search(&narwhal, &SearchFilter::default(), t0(), 1, 10)
        .await
        .unwrap();
    assert_eq!(found.hits[0].teaser.title, "Narwhal seen at the harbor");
    while store.optimize_search_index_step(2).await.unwrap() == MergeStep::Worked {}
    assert_eq!(store.search_index_segments().await.unwrap(), expected);
    assert_eq!(
        store
            .search(&narwhal, &SearchFilter::default(), t0(), 1, 10)
            .await
            .unwrap(),
        found
    );
}
