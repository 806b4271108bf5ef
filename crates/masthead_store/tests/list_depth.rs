//! Issue 7: a list page deep in the archive must cost what the first page costs. SQLite's
//! plans show the seek; PostgreSQL's buffer counts show the work.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;
use masthead_core::{ListCursor, PageNumber};
use masthead_store::{ArticleFilter, ListWindow, to_micros};
use masthead_testkit::{ArticleBuilder, Desk, TestDb, insert_all, t0};

/// Every cursor query seeks to its cursor in the index (a range on `published_at` in the
/// SEARCH step) rather than walking the index from the newest story and skipping.
#[tokio::test]
async fn cursor_pages_seek_to_their_cursor_in_the_index() {
    let db = TestDb::sqlite().await;
    let mut checked = 0;
    for (name, plan) in db.store.sqlite_list_plans().await.unwrap() {
        // Named "filter window" or "filter window keys".
        let window = name.split(' ').nth(1).unwrap_or_default();
        let want = if window == "before" {
            "published_at<"
        } else if window == "after" {
            "published_at>"
        } else {
            continue;
        };
        assert!(
            plan.iter()
                .any(|step| step.starts_with("SEARCH") && step.contains(want)),
            "{name} does not seek to its cursor: {plan:#?}"
        );
        checked += 1;
    }
    assert_eq!(
        checked, 16,
        "four filters, before and after a cursor, for teasers and for keys"
    );
}

/// The API's article list by cursor seeks too (a range on `modified_at`), for every status
/// filter, with and without an owner.
#[tokio::test]
async fn desk_lists_by_cursor_seek_to_their_cursor_in_the_index() {
    let db = TestDb::sqlite().await;
    let plans = db.store.sqlite_desk_plans().await.unwrap();
    let by_cursor: Vec<_> = plans
        .iter()
        .filter(|(name, _)| name.ends_with("before=true"))
        .collect();
    assert_eq!(
        by_cursor.len(),
        8,
        "four status filters, with and without an owner"
    );
    for (name, plan) in by_cursor {
        assert!(
            plan.iter()
                .any(|step| step.starts_with("SEARCH") && step.contains("modified_at<")),
            "{name} does not seek to its cursor: {plan:#?}"
        );
    }
}

/// With 3,000 stories, the oldest page by cursor reads about as many buffers as the first
/// page, while the old `OFFSET` page at the same depth reads many times more.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deep_cursor_page_reads_what_the_first_page_reads_on_postgres() {
    let db = TestDb::postgres().await;
    let store = &db.store;
    let desk = Desk::create(store).await;
    let per_page = 20;
    let total = 3000_i64;
    for chunk in 0..(total / 500) {
        let batch: Vec<_> = (chunk * 500..(chunk + 1) * 500)
            .map(|i| {
                ArticleBuilder::new(&format!("Story {i}"), desk.news)
                    .published(t0() - Duration::minutes(total - i))
                    .author(desk.reporter)
                    .tag("Village")
                    .build()
            })
            .collect();
        insert_all(store, batch).await;
    }
    store.postgres_analyze().await.unwrap();
    let tag = store.tag_by_slug("village").await.unwrap().expect("tag");
    // Just before story 20 (id 0 sorts before any real id at its time): stories 19 to 0,
    // the last page.
    let cursor = ListCursor {
        at: to_micros(t0() - Duration::minutes(total - 20)),
        id: 0,
    };
    let deepest_page = PageNumber::parse(&(total / per_page).to_string()).unwrap();
    for filter in [
        ArticleFilter::All,
        ArticleFilter::Section(desk.news),
        ArticleFilter::Author(desk.reporter),
        ArticleFilter::Tag(tag.id),
    ] {
        let buffers = |window| async move {
            store
                .postgres_list_buffers(filter, t0(), window, per_page as u32)
                .await
                .unwrap()
        };
        let (first, first_plan) = buffers(ListWindow::Page(PageNumber::FIRST)).await;
        let (deep, deep_plan) = buffers(ListWindow::Before(cursor)).await;
        let (offset, _) = buffers(ListWindow::Page(deepest_page)).await;
        eprintln!(
            "{filter:?}: first page {first} buffers, last page by cursor {deep}, \
             the same page by OFFSET {offset}"
        );
        assert!(
            deep <= first * 3 / 2 + 10,
            "{filter:?}: the deepest page read {deep} buffers, the first {first}:\n\
             {deep_plan}\n\n{first_plan}"
        );
        assert!(
            offset > first * 5,
            "{filter:?}: the OFFSET page read {offset} buffers, the first {first}: \
             the measure cannot tell them apart\n{first_plan}"
        );
        let last = store
            .list_window(filter, t0(), ListWindow::Before(cursor), per_page as u32)
            .await
            .unwrap();
        assert_eq!(last.items.len(), per_page as usize, "{filter:?}");
        assert!(!last.has_more, "{filter:?}: this is the last page");
    }
}
