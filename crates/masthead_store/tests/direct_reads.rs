//! The public pages' direct reads on SQLite (`direct.rs`): they give what the pool gives,
//! they are really taken, and many readers at once beside a writer each read a whole story.
//! (That a locked database is passed on at once is tested in `direct.rs` itself: a lock
//! that stops a WAL reader cannot be taken while the store's pool is open.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, NaiveDate};
use masthead_core::{
    ArticleKind, CommentStatus, Decision, ListCursor, NoteKind, Outcome, PageNumber, RoundupItem,
};
use masthead_desk::Command;
use masthead_store::{
    ArticleFilter, DirectReadCounts, ListWindow, Meeting, Note, Store, to_micros,
};
use masthead_testkit::{ArticleBuilder, Desk, TestDb, change_story, insert_image, t0};

fn counts(store: &Store) -> DirectReadCounts {
    store
        .direct_read_counts()
        .expect("an SQLite file has direct reads")
}

/// One story of each kind, with every part a page shows.
async fn stories_of_every_kind(store: &Store) -> Vec<String> {
    let desk = Desk::create(store).await;
    let photo = insert_image(store, "a.jpg", "A photo", (800, 600)).await;
    let meeting = Meeting {
        body: "Village Board".into(),
        date: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        decisions: vec![Decision {
            motion: "Approve the levy".into(),
            vote: "5-2".into(),
            outcome: Outcome::Passed,
        }],
    };
    let brief = ArticleBuilder::new("Board approves levy", desk.news)
        .author(desk.reporter)
        .author(desk.editor)
        .summary("The board approved the levy — 5 to 2.")
        .tag("Village Board")
        .image(photo, "The board on Tuesday.")
        .meeting(meeting)
        .note(Note {
            kind: NoteKind::Correction,
            text: "An earlier version misstated the vote.".into(),
            at: t0(),
        })
        .updated(t0() - Duration::minutes(5))
        .published(t0() - Duration::hours(1))
        .insert(store)
        .await;
    store
        .insert_comment(
            brief,
            "Pat",
            "p@example.com",
            "Good.",
            CommentStatus::Approved,
            t0(),
        )
        .await
        .unwrap();
    ArticleBuilder::new("Fall roundup", desk.news)
        .items(vec![RoundupItem {
            headline: "Leaf pickup".into(),
            body_html: String::new(),
            body_md: "Starts *Monday*.".into(),
        }])
        .wire("Jo Writer", "State Wire", "https://wire.example/1", true)
        .published(t0() - Duration::hours(2))
        .insert(store)
        .await;
    ArticleBuilder::new("Parade video", desk.sports)
        .video("https://www.youtube.com/watch?v=dQw4w9WgXcQ")
        .published(t0() - Duration::hours(3))
        .insert(store)
        .await;
    ArticleBuilder::new("Why the levy matters", desk.news)
        .kind(ArticleKind::Opinion)
        .body("Plain *Markdown* with <b>markup</b> & an ampersand.")
        .tag("taxes")
        .published(t0() - Duration::hours(4))
        .insert(store)
        .await;
    vec![
        "board-approves-levy".into(),
        "fall-roundup".into(),
        "parade-video".into(),
        "why-the-levy-matters".into(),
    ]
}

/// Every read a public page makes answers the same through a direct read as through the
/// pool, for a story of each kind, and every one was answered directly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn direct_reads_answer_what_the_pool_answers() {
    let db = TestDb::sqlite().await;
    let direct = &db.store;
    let pool = direct.through_pool_only();
    assert_eq!(pool.direct_read_counts(), None);
    let slugs = stories_of_every_kind(direct).await;
    let before = counts(direct);
    let mut reads = 0;

    for slug in slugs.iter().map(String::as_str).chain(["no-such-story"]) {
        let page = direct.article_page(slug, t0()).await.unwrap();
        assert_eq!(page, pool.article_page(slug, t0()).await.unwrap(), "{slug}");
        assert_eq!(page.is_some(), slug != "no-such-story", "{slug}");
        reads += 1;
    }
    let front = direct.front_page(t0(), 10).await.unwrap();
    let front_by_pool = pool.front_page(t0(), 10).await.unwrap();
    assert_eq!(format!("{front:?}"), format!("{front_by_pool:?}"));
    assert_eq!(front.latest.items.len(), 4);
    reads += 1;

    let cursor = ListCursor {
        at: to_micros(t0() - Duration::hours(2)),
        id: i64::MAX,
    };
    for window in [
        ListWindow::Page(PageNumber::FIRST),
        ListWindow::Before(cursor),
        ListWindow::After(cursor),
    ] {
        let keys = direct
            .list_window_keys(ArticleFilter::All, t0(), window, 2)
            .await
            .unwrap();
        let by_pool = pool
            .list_window_keys(ArticleFilter::All, t0(), window, 2)
            .await
            .unwrap();
        assert_eq!(format!("{keys:?}"), format!("{by_pool:?}"), "{window:?}");
        assert!(!keys.items.is_empty(), "{window:?}");
        let ids: Vec<_> = keys.items.iter().map(|k| k.id).collect();
        let teasers = direct.teasers_by_id(&ids, t0()).await.unwrap();
        assert_eq!(teasers, pool.teasers_by_id(&ids, t0()).await.unwrap());
        assert_eq!(teasers.len(), ids.len());
        reads += 2;
    }

    let after = counts(direct);
    assert_eq!(after.answered - before.answered, reads);
    assert_eq!(after.passed_on, before.passed_on, "nothing was passed on");
}

/// Sixteen readers at once, on four threads, read a story and the lists while an editor
/// saves it again and again: every read is answered directly with a whole story, at one of
/// the titles it had, and the read after the last save shows that save.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_direct_readers_beside_a_writer_each_read_a_whole_story() {
    let db = TestDb::sqlite().await;
    let slugs = stories_of_every_kind(&db.store).await;
    let slug = slugs[3].clone();
    let id = db
        .store
        .article_page(&slug, t0())
        .await
        .unwrap()
        .unwrap()
        .teaser
        .id;
    let before = counts(&db.store);
    const SAVES: usize = 20;
    let titles: Vec<String> = (0..=SAVES)
        .map(|n| match n {
            0 => "Why the levy matters".to_owned(),
            n => format!("Why the levy matters, take {n}"),
        })
        .collect();

    let readers: Vec<_> = (0..16)
        .map(|_| {
            let store = db.store.clone();
            let slug = slug.clone();
            let titles = titles.clone();
            tokio::spawn(async move {
                for _ in 0..50 {
                    let page = store.article_page(&slug, t0()).await.unwrap().unwrap();
                    assert!(titles.contains(&page.teaser.title), "{}", page.teaser.title);
                    assert!(page.body_html.contains("<em>Markdown</em>"));
                    let keys = store
                        .list_window_keys(
                            ArticleFilter::All,
                            t0(),
                            ListWindow::Page(PageNumber::FIRST),
                            10,
                        )
                        .await
                        .unwrap();
                    assert_eq!(keys.items.len(), 4);
                }
            })
        })
        .collect();
    for title in &titles[1..] {
        change_story(&db.store, id, Command::Save, t0(), |f| {
            f.title = title.clone()
        })
        .await;
    }
    for reader in readers {
        reader.await.unwrap();
    }
    let last = db.store.article_page(&slug, t0()).await.unwrap().unwrap();
    assert_eq!(&last.teaser.title, titles.last().unwrap());

    let after = counts(&db.store);
    assert_eq!(after.passed_on, before.passed_on, "no reader was refused");
    assert!(after.answered - before.answered >= 16 * 50 * 2);
}
