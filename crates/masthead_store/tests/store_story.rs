//! The store's behaviour, each story run on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, NaiveDate};
use masthead_core::{
    ArticleKind, ArticleStatus, CommentStatus, Decision, EventStatus, ListCursor, NoteKind,
    Outcome, PageNumber, RoundupItem, Slug,
};
use masthead_desk::{Command, DeskError, Imported};
use masthead_store::{
    Actor, ArticleFilter, ListWindow, Meeting, NewEvent, NewMedia, Note, Store, StoreError,
    to_micros,
};
use masthead_testkit::{ArticleBuilder, Desk, TestDb, change_story, db_tests, t0};

/// Saves one story through the desk's rules, returning the refusal if any.
async fn import(store: &Store, story: Imported) -> Result<(), DeskError> {
    masthead_desk::import(store, vec![story], &Actor::system("test"), t0())
        .await
        .map(drop)
}

db_tests!(
    only_published_and_due_articles_are_visible,
    article_page_holds_every_part,
    an_article_s_authors_tags_and_comments_keep_their_order,
    lists_paginate_and_filter,
    list_keys_name_what_the_teaser_lists_show,
    renamed_articles_redirect_from_old_slugs,
    duplicate_slugs_are_a_conflict,
    upcoming_events_exclude_past_and_unapproved,
    content_state_tracks_writes_and_due_times,
    text_round_trips_unchanged,
    batch_insert_is_all_or_nothing,
    author_and_tag_lists_follow_status_changes,
    many_stories_written_at_once_are_each_whole,
    writers_creating_the_same_new_tags_at_once_all_succeed,
);

async fn only_published_and_due_articles_are_visible(store: Store) {
    let desk = Desk::create(&store).await;
    ArticleBuilder::new("Published story", desk.news)
        .insert(&store)
        .await;
    ArticleBuilder::new("Draft story", desk.news)
        .draft()
        .insert(&store)
        .await;
    ArticleBuilder::new("Scheduled later", desk.news)
        .status(ArticleStatus::Scheduled)
        .published(t0() + Duration::hours(2))
        .insert(&store)
        .await;
    ArticleBuilder::new("Scheduled earlier", desk.news)
        .status(ArticleStatus::Scheduled)
        .published(t0() - Duration::minutes(1))
        .insert(&store)
        .await;
    let pulled = ArticleBuilder::new("Pulled story", desk.news)
        .insert(&store)
        .await;
    change_story(&store, pulled, Command::Unpublish, t0(), |_| {}).await;

    let titles = |list: masthead_store::ListPage<masthead_store::Teaser>| -> Vec<String> {
        list.items.into_iter().map(|t| t.title).collect()
    };
    let now = store
        .list_articles(ArticleFilter::All, t0(), PageNumber::FIRST, 50)
        .await
        .unwrap();
    assert_eq!(titles(now), ["Scheduled earlier", "Published story"]);
    for hidden in ["draft-story", "scheduled-later", "pulled-story"] {
        assert!(
            store.article_page(hidden, t0()).await.unwrap().is_none(),
            "{hidden} must be hidden"
        );
    }
    // The scheduled story appears at its time, not a microsecond before.
    let due = t0() + Duration::hours(2);
    assert!(
        store
            .article_page("scheduled-later", due - Duration::microseconds(1))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .article_page("scheduled-later", due)
            .await
            .unwrap()
            .is_some()
    );
    let later = store
        .list_articles(
            ArticleFilter::Section(desk.news),
            due,
            PageNumber::FIRST,
            50,
        )
        .await
        .unwrap();
    assert_eq!(
        titles(later),
        ["Scheduled later", "Scheduled earlier", "Published story"]
    );
}

async fn article_page_holds_every_part(store: Store) {
    let desk = Desk::create(&store).await;
    let image = store
        .insert_media(
            &NewMedia {
                storage_name: "abc123.jpg".into(),
                original_name: "IMG_0001.JPG".into(),
                content_type: "image/jpeg".into(),
                width: 800,
                height: 450,
                byte_size: 12_345,
                alt: "Trustees seated at a long table".into(),
                credit: "Courier photo".into(),
                uploaded_by: None,
                variants: Vec::new(),
            },
            t0(),
        )
        .await
        .unwrap();
    let meeting = Meeting {
        body: "Test Town Village Board".into(),
        date: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
        decisions: vec![
            Decision {
                motion: "Approve the levy".into(),
                vote: "5-2".into(),
                outcome: Outcome::Passed,
            },
            Decision {
                motion: "Buy a plow".into(),
                vote: "3-4".into(),
                outcome: Outcome::Failed,
            },
        ],
    };
    let id = ArticleBuilder::new("Board approves levy", desk.news)
        .author(desk.reporter)
        .author(desk.editor)
        .summary("The board approved the levy.")
        .tag("Village Board")
        .tag("taxes")
        .image(image, "The board on Tuesday.")
        .meeting(meeting.clone())
        .note(Note {
            kind: NoteKind::Correction,
            text: "An earlier version misstated the vote.".into(),
            at: t0(),
        })
        .updated(t0() - Duration::minutes(5))
        .insert(&store)
        .await;
    store
        .insert_comment(
            id,
            "Pat",
            "pat@example.com",
            "Good.",
            CommentStatus::Approved,
            t0(),
        )
        .await
        .unwrap();
    store
        .insert_comment(
            id,
            "Spammer",
            "s@example.com",
            "Buy!",
            CommentStatus::Pending,
            t0(),
        )
        .await
        .unwrap();

    let page = store
        .article_page("board-approves-levy", t0())
        .await
        .unwrap()
        .expect("visible");
    assert_eq!(page.teaser.kind, ArticleKind::MeetingBrief);
    assert_eq!(page.teaser.summary, "The board approved the levy.");
    let names: Vec<_> = page
        .teaser
        .byline
        .authors
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["Ana Reyes", "Bo Lindqvist"], "byline order is kept");
    assert_eq!(page.teaser.section.slug, "news");
    let img = page.teaser.image.as_ref().expect("image");
    assert_eq!(
        (img.alt.as_str(), img.credit.as_str(), img.width),
        ("Trustees seated at a long table", "Courier photo", 800)
    );
    assert_eq!(page.story.image_caption, "The board on Tuesday.");
    assert_eq!(page.story.parts.meeting(), Some(&meeting));
    assert_eq!(page.story.notes.len(), 1);
    let tags: Vec<_> = page
        .tags
        .iter()
        .map(|t| (t.slug.as_str(), t.name.as_str()))
        .collect();
    assert_eq!(
        tags,
        [("taxes", "taxes"), ("village-board", "Village Board")]
    );
    assert_eq!(page.comments.len(), 1, "only approved comments are shown");
    assert_eq!(page.comments[0].name, "Pat");
    assert_eq!(page.teaser.updated_at, Some(t0() - Duration::minutes(5)));

    let roundup = ArticleBuilder::new("Quick hits", desk.news)
        .items(vec![RoundupItem {
            headline: "Leaf pickup".into(),
            body_html: String::new(),
            body_md: "Starts Monday.".into(),
        }])
        .wire(
            "Jo Writer",
            "State Wire",
            "https://wire.example.org/x",
            true,
        )
        .insert(&store)
        .await;
    let page = store
        .article_page("quick-hits", t0())
        .await
        .unwrap()
        .expect("visible");
    assert_eq!(page.teaser.id, roundup);
    assert_eq!(page.story.parts.items()[0].headline, "Leaf pickup");
    assert!(page.teaser.byline.authors.is_empty());
    assert_eq!(
        (
            page.teaser.byline.text.as_str(),
            page.teaser.byline.source.as_str()
        ),
        ("Jo Writer", "State Wire")
    );
    assert!(page.story.source_canonical);
    assert!(
        page.story.parts.meeting().is_none() && page.tags.is_empty() && page.comments.is_empty()
    );
}

/// The database builds these arrays unordered (an ordered aggregate cost SQLite a temporary
/// table per row); the order readers see comes from the byline, the tags' slugs and the
/// comments' times, whatever order the rows were written in.
async fn an_article_s_authors_tags_and_comments_keep_their_order(store: Store) {
    let desk = Desk::create(&store).await;
    // The editor was created after the reporter, and is named first; the tags are written
    // in reverse order of their slugs.
    let id = ArticleBuilder::new("Order of things", desk.news)
        .author(desk.editor)
        .author(desk.reporter)
        .tag("Zoning")
        .tag("Budget")
        .tag("Main Street")
        .insert(&store)
        .await;
    // Comments written out of time order, two of them at the same time.
    for (name, minutes) in [
        ("Third", 30),
        ("First", 10),
        ("Second a", 20),
        ("Second b", 20),
    ] {
        store
            .insert_comment(
                id,
                name,
                "reader@example.com",
                "A comment.",
                CommentStatus::Approved,
                t0() - Duration::minutes(60 - minutes),
            )
            .await
            .unwrap();
    }
    let page = store
        .article_page("order-of-things", t0())
        .await
        .unwrap()
        .expect("visible");
    let names = |t: &masthead_store::Teaser| -> Vec<String> {
        t.byline.authors.iter().map(|a| a.slug.clone()).collect()
    };
    let editor_first = names(&page.teaser);
    assert_eq!(editor_first.len(), 2);
    let listed = store
        .list_articles(ArticleFilter::All, t0(), PageNumber::FIRST, 10)
        .await
        .unwrap();
    assert_eq!(
        names(&listed.items[0]),
        editor_first,
        "lists keep the byline too"
    );
    let authors = store.authors().await.unwrap();
    let slug_of = |id| {
        authors
            .iter()
            .find(|a| a.id == id)
            .map(|a| a.slug.clone())
            .unwrap()
    };
    assert_eq!(editor_first, [slug_of(desk.editor), slug_of(desk.reporter)]);
    let tags: Vec<_> = page.tags.iter().map(|t| t.slug.as_str()).collect();
    assert_eq!(tags, ["budget", "main-street", "zoning"]);
    let comments: Vec<_> = page.comments.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(comments, ["First", "Second a", "Second b", "Third"]);
}

async fn lists_paginate_and_filter(store: Store) {
    let desk = Desk::create(&store).await;
    for i in 0..25 {
        let section = if i % 5 == 0 { desk.sports } else { desk.news };
        let mut b = ArticleBuilder::new(&format!("Story {i:02}"), section)
            .published(t0() - Duration::hours(100 - i));
        if i % 2 == 0 {
            b = b.author(desk.reporter).tag("roads");
        }
        b.insert(&store).await;
    }
    let page = |n: &str| PageNumber::parse(n).unwrap();
    let first = store
        .list_articles(ArticleFilter::All, t0(), page("1"), 10)
        .await
        .unwrap();
    assert_eq!(first.items.len(), 10);
    assert!(first.has_more);
    assert_eq!(first.items[0].title, "Story 24", "newest first");
    let third = store
        .list_articles(ArticleFilter::All, t0(), page("3"), 10)
        .await
        .unwrap();
    assert_eq!((third.items.len(), third.has_more), (5, false));
    let past = store
        .list_articles(ArticleFilter::All, t0(), page("4"), 10)
        .await
        .unwrap();
    assert!(past.items.is_empty());

    let sports = store
        .list_articles(ArticleFilter::Section(desk.sports), t0(), page("1"), 10)
        .await
        .unwrap();
    assert_eq!(sports.items.len(), 5);
    assert!(sports.items.iter().all(|t| t.section.slug == "sports"));
    let by_reporter = store
        .list_articles(ArticleFilter::Author(desk.reporter), t0(), page("1"), 20)
        .await
        .unwrap();
    assert_eq!(by_reporter.items.len(), 13);
    let tag = store.tag_by_slug("roads").await.unwrap().expect("tag");
    let tagged = store
        .list_articles(ArticleFilter::Tag(tag.id), t0(), page("2"), 10)
        .await
        .unwrap();
    assert_eq!((tagged.items.len(), tagged.has_more), (3, false));
    assert!(store.tag_by_slug("nope").await.unwrap().is_none());
}

/// A list page's two steps (`list_window_keys`, then `teasers_by_id` for the teasers it does
/// not keep) show what the one-step `list_window` shows: the same stories in the same order,
/// the same `has_more`, comment counts and images, for every filter and window; a story not
/// visible is never read by id.
async fn list_keys_name_what_the_teaser_lists_show(store: Store) {
    let desk = Desk::create(&store).await;
    let photo = masthead_testkit::insert_image(&store, "a.jpg", "A photo", (800, 600)).await;
    let mut ids = Vec::new();
    for i in 0..25 {
        let section = if i % 5 == 0 { desk.sports } else { desk.news };
        let mut b = ArticleBuilder::new(&format!("Story {i:02}"), section)
            .published(t0() - Duration::hours(100 - i));
        if i % 2 == 0 {
            b = b.author(desk.reporter).tag("roads");
        }
        if i % 3 == 0 {
            b = b.image(photo, "A caption");
        }
        ids.push(b.insert(&store).await);
    }
    for (n, id) in ids.iter().step_by(4).enumerate() {
        for k in 0..=n {
            let status = if k % 2 == 0 {
                CommentStatus::Approved
            } else {
                CommentStatus::Pending
            };
            store
                .insert_comment(*id, "Pat", "pat@example.com", "Yes.", status, t0())
                .await
                .unwrap();
        }
    }
    let draft = ArticleBuilder::new("Draft", desk.news)
        .draft()
        .insert(&store)
        .await;
    let later = ArticleBuilder::new("Later", desk.news)
        .status(ArticleStatus::Scheduled)
        .published(t0() + Duration::hours(1))
        .insert(&store)
        .await;
    let tag = store.tag_by_slug("roads").await.unwrap().expect("tag");
    let filters = [
        ArticleFilter::All,
        ArticleFilter::Section(desk.news),
        ArticleFilter::Author(desk.reporter),
        ArticleFilter::Tag(tag.id),
    ];
    let middle = store
        .list_window(
            ArticleFilter::All,
            t0(),
            ListWindow::Page(PageNumber::FIRST),
            10,
        )
        .await
        .unwrap()
        .items[9]
        .clone();
    let cursor = ListCursor {
        at: to_micros(middle.published_at),
        id: middle.id.0,
    };
    let windows = [
        ListWindow::Page(PageNumber::FIRST),
        ListWindow::Page(PageNumber::parse("2").unwrap()),
        ListWindow::Before(cursor),
        ListWindow::After(cursor),
    ];
    let mut compared = 0;
    for filter in filters {
        for window in windows {
            let teasers = store.list_window(filter, t0(), window, 6).await.unwrap();
            let keys = store
                .list_window_keys(filter, t0(), window, 6)
                .await
                .unwrap();
            let ids: Vec<_> = keys.items.iter().map(|k| k.id).collect();
            assert_eq!(
                ids,
                teasers.items.iter().map(|t| t.id).collect::<Vec<_>>(),
                "{filter:?} {window:?}"
            );
            assert_eq!(keys.has_more, teasers.has_more, "{filter:?} {window:?}");
            for (key, teaser) in keys.items.iter().zip(&teasers.items) {
                assert_eq!(key.published_at, teaser.published_at);
                assert_eq!(key.comment_count, teaser.comment_count);
                assert_eq!(key.has_image, teaser.image.is_some());
            }
            let mut by_id = store.teasers_by_id(&ids, t0()).await.unwrap();
            by_id.sort_by_key(|t| std::cmp::Reverse((t.published_at, t.id)));
            assert_eq!(by_id, teasers.items, "{filter:?} {window:?}");
            compared += teasers.items.len();
        }
    }
    assert!(compared > 50, "the windows held stories ({compared})");
    assert!(
        store
            .teasers_by_id(&ids, t0())
            .await
            .unwrap()
            .iter()
            .any(|t| t.comment_count > 0)
            && store
                .teasers_by_id(&ids, t0())
                .await
                .unwrap()
                .iter()
                .any(|t| t.image.is_some()),
        "some stories have comments and images"
    );
    let hidden = store
        .teasers_by_id(&[draft, later, ids[0]], t0())
        .await
        .unwrap();
    assert_eq!(
        hidden.iter().map(|t| t.id).collect::<Vec<_>>(),
        vec![ids[0]],
        "a draft and a story not yet due are left out"
    );
    assert!(store.teasers_by_id(&[], t0()).await.unwrap().is_empty());
}

async fn renamed_articles_redirect_from_old_slugs(store: Store) {
    let desk = Desk::create(&store).await;
    let id = ArticleBuilder::new("Old headline", desk.news)
        .insert(&store)
        .await;
    change_story(&store, id, Command::Save, t0(), |f| {
        f.slug = Slug::parse("new-headline").unwrap()
    })
    .await;
    change_story(&store, id, Command::Save, t0(), |f| {
        f.slug = Slug::parse("newest-headline").unwrap()
    })
    .await;
    assert!(
        store
            .article_page("old-headline", t0())
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        store
            .story_slug_redirect("old-headline", t0())
            .await
            .unwrap()
            .as_deref(),
        Some("newest-headline")
    );
    assert_eq!(
        store
            .story_slug_redirect("new-headline", t0())
            .await
            .unwrap()
            .as_deref(),
        Some("newest-headline")
    );
    // Renaming back onto an old slug takes it over instead of redirecting in a loop.
    change_story(&store, id, Command::Save, t0(), |f| {
        f.slug = Slug::parse("old-headline").unwrap()
    })
    .await;
    assert!(
        store
            .article_page("old-headline", t0())
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(
        store
            .story_slug_redirect("old-headline", t0())
            .await
            .unwrap(),
        None
    );
    // A new story may claim a slug that only redirects.
    ArticleBuilder::new("New headline", desk.news)
        .insert(&store)
        .await;
    assert_eq!(
        store
            .story_slug_redirect("new-headline", t0())
            .await
            .unwrap(),
        None
    );
    // Unpublished stories do not leak through redirects.
    change_story(&store, id, Command::Unpublish, t0(), |_| {}).await;
    assert_eq!(
        store
            .story_slug_redirect("newest-headline", t0())
            .await
            .unwrap(),
        None
    );
}

async fn duplicate_slugs_are_a_conflict(store: Store) {
    let desk = Desk::create(&store).await;
    ArticleBuilder::new("Same title", desk.news)
        .insert(&store)
        .await;
    let again = import(&store, ArticleBuilder::new("Same title", desk.news).build()).await;
    match again {
        Err(DeskError::Story { source, .. }) if matches!(*source, DeskError::Conflict(_)) => {
            let msg = source.to_string();
            assert!(
                msg.contains("same-title") && msg.contains("choose another"),
                "{msg}"
            );
        }
        other => panic!("expected a conflict, got {other:?}"),
    }
    assert_eq!(
        store.count_articles().await.unwrap(),
        1,
        "nothing half-written"
    );
    let dup_section = store
        .insert_section(&Slug::parse("news").unwrap(), "News again", "")
        .await;
    assert!(
        matches!(dup_section, Err(StoreError::Conflict(_))),
        "{dup_section:?}"
    );
}

fn event(title: &str, start_hours: i64, end_hours: Option<i64>, status: EventStatus) -> NewEvent {
    NewEvent {
        title: title.into(),
        starts_at: t0() + Duration::hours(start_hours),
        ends_at: end_hours.map(|h| t0() + Duration::hours(h)),
        all_day: false,
        timezone: "America/Chicago".into(),
        location: "Village Green".into(),
        description: "Bring a chair.".into(),
        link: String::new(),
        status,
    }
}

async fn upcoming_events_exclude_past_and_unapproved(store: Store) {
    for e in [
        event("Finished yesterday", -30, Some(-28), EventStatus::Approved),
        event("Happening now", -1, Some(1), EventStatus::Approved),
        event("Next week", 24 * 7, None, EventStatus::Approved),
        event("Tomorrow", 24, Some(26), EventStatus::Approved),
        event("Awaiting moderation", 5, None, EventStatus::Pending),
        event("Called off", 6, None, EventStatus::Cancelled),
    ] {
        store.insert_event(&e, t0()).await.unwrap();
    }
    let list = store
        .upcoming_events(t0(), PageNumber::FIRST, 10)
        .await
        .unwrap();
    let titles: Vec<_> = list.items.iter().map(|e| e.title.as_str()).collect();
    // Cancelled events stay on the calendar (marked); held ones and past dates do not.
    assert_eq!(
        titles,
        ["Happening now", "Called off", "Tomorrow", "Next week"]
    );
    assert!(list.items[1].cancelled);
    let paged = store
        .upcoming_events(t0(), PageNumber::FIRST, 2)
        .await
        .unwrap();
    assert!(paged.has_more);
}

async fn content_state_tracks_writes_and_due_times(store: Store) {
    let desk = Desk::create(&store).await;
    let before = store.content_state(t0()).await.unwrap();
    assert_eq!(before.next_change, None);
    ArticleBuilder::new("Later", desk.news)
        .status(ArticleStatus::Scheduled)
        .published(t0() + Duration::hours(3))
        .insert(&store)
        .await;
    store
        .insert_event(&event("Soon", 2, Some(4), EventStatus::Approved), t0())
        .await
        .unwrap();
    let after = store.content_state(t0()).await.unwrap();
    assert!(after.version > before.version, "writes move the version on");
    assert_eq!(
        after.next_change,
        Some(t0() + Duration::hours(2)),
        "the event start comes first"
    );
    let later = store
        .content_state(t0() + Duration::hours(2))
        .await
        .unwrap();
    assert_eq!(
        later.next_change,
        Some(t0() + Duration::hours(3)),
        "then the scheduled story"
    );
    let last = store
        .content_state(t0() + Duration::hours(3))
        .await
        .unwrap();
    assert_eq!(
        last.next_change,
        Some(t0() + Duration::hours(4)),
        "then the event's end"
    );
}

async fn text_round_trips_unchanged(store: Store) {
    let desk = Desk::create(&store).await;
    let title = "Zoë’s “café” & <b>bakery</b> — 日本 \u{1F4F0} ' \" \\ %";
    ArticleBuilder::new(title, desk.news)
        .slug("unicode")
        .summary(title)
        .insert(&store)
        .await;
    let page = store
        .article_page("unicode", t0())
        .await
        .unwrap()
        .expect("visible");
    assert_eq!(page.teaser.title, title);
    assert_eq!(page.teaser.summary, title);
}

async fn batch_insert_is_all_or_nothing(store: Store) {
    let desk = Desk::create(&store).await;
    let batch = vec![
        ArticleBuilder::new("One", desk.news).build(),
        ArticleBuilder::new("Two", desk.news).build(),
        ArticleBuilder::new("One", desk.news).build(),
    ];
    let actor = Actor::system("test");
    let refused = masthead_desk::import(&store, batch.clone(), &actor, t0()).await;
    assert!(
        matches!(&refused, Err(DeskError::Story { slug, source })
            if slug == "one" && matches!(**source, DeskError::Conflict(_))),
        "{refused:?}"
    );
    assert_eq!(store.count_articles().await.unwrap(), 0);
    let saved = masthead_desk::import(&store, batch[..2].to_vec(), &actor, t0())
        .await
        .unwrap();
    assert_eq!(saved.len(), 2);
}

/// The two migration folders describe the same tables, columns, integer-ness and nullability.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_and_postgres_schemas_match() {
    let sqlite = TestDb::sqlite().await;
    let postgres = TestDb::postgres().await;
    let mut a = masthead_store::schema_columns(&sqlite.store).await.unwrap();
    let mut b = masthead_store::schema_columns(&postgres.store)
        .await
        .unwrap();
    a.sort();
    b.sort();
    assert!(a.len() > 40, "schema read: {a:?}");
    assert_eq!(a, b);
    // Issue 8: the same indexes, by name, table and uniqueness (a missing index on one
    // backend is a slow page there only).
    let a = masthead_store::schema_indexes(&sqlite.store).await.unwrap();
    let b = masthead_store::schema_indexes(&postgres.store)
        .await
        .unwrap();
    assert!(a.len() > 10, "indexes read: {a:?}");
    assert_eq!(a, b);
}

#[tokio::test]
async fn bad_database_urls_name_the_fix_and_hide_the_password() {
    let err = Store::connect("mysql://ed:hunter2@db/news")
        .await
        .expect_err("refused")
        .to_string();
    assert!(
        err.contains("ed:***@db") && !err.contains("hunter2") && err.contains("postgres://"),
        "{err}"
    );
    let err = Store::connect("postgres://ed:hunter2@127.0.0.1:1/news")
        .await
        .expect_err("refused")
        .to_string();
    assert!(
        err.contains("127.0.0.1:1")
            && !err.contains("hunter2")
            && err.contains("Check that the server"),
        "{err}"
    );
    let err = Store::connect("sqlite:///nonexistent-dir/sub/x.db")
        .await
        .expect_err("refused")
        .to_string();
    assert!(err.contains("writable"), "{err}");
}

/// Author and tag pages sort by a copy of `published_at` in their relation tables; a status
/// change must move the copy too, or a republished story would vanish from them.
async fn author_and_tag_lists_follow_status_changes(store: Store) {
    let desk = Desk::create(&store).await;
    let id = ArticleBuilder::new("Moving story", desk.news)
        .author(desk.reporter)
        .tag("roads")
        .draft()
        .insert(&store)
        .await;
    let tag = store.tag_by_slug("roads").await.unwrap().expect("tag");
    let count = |filter| {
        let store = store.clone();
        async move {
            store
                .list_articles(filter, t0(), PageNumber::FIRST, 10)
                .await
                .unwrap()
                .items
                .len()
        }
    };
    assert_eq!(
        count(ArticleFilter::Author(desk.reporter)).await,
        0,
        "drafts are hidden"
    );
    let a_minute_ago = t0() - Duration::minutes(1);
    change_story(&store, id, Command::Publish, a_minute_ago, |_| {}).await;
    assert_eq!(count(ArticleFilter::Author(desk.reporter)).await, 1);
    assert_eq!(count(ArticleFilter::Tag(tag.id)).await, 1);
    // A story on the site is taken down before it is scheduled again (scheduling it as it
    // is would be refused); its copies of the old time stay until the schedule moves them.
    change_story(&store, id, Command::Unpublish, t0(), |_| {}).await;
    let later = Command::Schedule(t0() + Duration::hours(1));
    change_story(&store, id, later, t0(), |_| {}).await;
    assert_eq!(
        count(ArticleFilter::Author(desk.reporter)).await,
        0,
        "rescheduled into the future"
    );
    assert_eq!(count(ArticleFilter::Tag(tag.id)).await, 0);
}

/// Regression: the front page's list once sorted every visible story (SQLite chose the
/// status index, then a temporary B-tree for ORDER BY), 300 ms at 100k stories. Every list
/// must read its stories in order from an index, whatever the archive's size.
/// The desk's lists too: the dashboard must not sort the archive to find five drafts.
#[tokio::test]
async fn desk_lists_read_in_index_order_without_sorting() {
    let db = TestDb::sqlite().await;
    let plans = db.store.sqlite_desk_plans().await.unwrap();
    assert_eq!(plans.len(), 16, "four status filters × owner × cursor");
    for (name, plan) in plans {
        assert!(
            !plan
                .iter()
                .any(|step| step.contains("TEMP B-TREE FOR ORDER BY")),
            "{name} sorts: {plan:#?}"
        );
    }
}

#[tokio::test]
async fn list_queries_read_in_index_order_without_sorting() {
    let db = TestDb::sqlite().await;
    let plans = db.store.sqlite_list_plans().await.unwrap();
    assert_eq!(
        plans.len(),
        25,
        "(teasers, keys) × four filters × (page, before, after), and the front"
    );
    for (name, plan) in plans {
        // Ordering the rows of one page inside json_group_array is fine; sorting the archive
        // ("USE TEMP B-TREE FOR ORDER BY") is not.
        assert!(
            !plan
                .iter()
                .any(|step| step.contains("TEMP B-TREE FOR ORDER BY")),
            "{name} sorts: {plan:#?}"
        );
        assert!(
            plan.iter()
                .any(|step| step.contains("USING INDEX") || step.contains("USING COVERING INDEX")),
            "{name} scans without an index: {plan:#?}"
        );
    }
}

/// `insert_many` past one statement's worth of rows (40 stories a statement): every story
/// has its tags (shared ones created once), authors, revision, audit entry and searchable
/// text; one taking over an address that redirected drops the redirect; a batch with two
/// stories at one address writes nothing.
async fn many_stories_written_at_once_are_each_whole(store: Store) {
    use masthead_core::SearchQuery;
    use masthead_store::SearchFilter;
    use masthead_store::{ArticleFields, Placement, RenderedText};
    let desk = Desk::create(&store).await;
    let old = ArticleBuilder::new("Old headline", desk.news)
        .insert(&store)
        .await;
    change_story(&store, old, Command::Save, t0(), |f| {
        f.slug = Slug::parse("renamed").unwrap()
    })
    .await;
    assert!(
        store
            .story_slug_redirect("old-headline", t0())
            .await
            .unwrap()
            .is_some()
    );
    let before = store.count_articles().await.unwrap();

    const N: usize = 700;
    let mut all: Vec<(ArticleFields, RenderedText)> = (0..N)
        .map(|n| {
            let title = format!("Batch story {n}");
            let mut fields = ArticleFields::news(&title, Slug::from_title(&title), desk.news);
            fields.tags = vec![
                format!("Ward {}", n % 3),
                "Council".into(),
                "council".into(),
            ];
            fields.authors = vec![desk.reporter, desk.editor];
            let word = format!("quokka{n}");
            let text = RenderedText {
                body_html: format!("<p>{word}</p>"),
                excerpt: word.clone(),
                search_body: word,
            };
            (fields, text)
        })
        .collect();
    all[N - 1].0.slug = Slug::parse("old-headline").unwrap();
    let published = Placement {
        status: ArticleStatus::Published,
        published_at: Some(t0()),
        updated_at: None,
    };
    let actor = Actor::system("batch");
    // Two stories at one address: refused before anything is written.
    let mut twins = all[..2].to_vec();
    twins[1].0.slug = twins[0].0.slug.clone();
    let mut write = store.write_story().await.unwrap();
    let refused = write
        .insert_many(&new_stories(&twins, published), &actor, t0())
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(_))),
        "{refused:?}"
    );
    write.rollback().await.unwrap();

    let mut write = store.write_story().await.unwrap();
    let ids = write
        .insert_many(&new_stories(&all, published), &actor, t0())
        .await
        .unwrap();
    write.commit().await.unwrap();
    assert_eq!(ids.len(), N);
    assert_eq!(store.count_articles().await.unwrap(), before + N as i64);
    for (n, id) in ids.iter().enumerate() {
        let story = store.desk_article(*id).await.unwrap();
        assert_eq!(story.fields.slug, all[n].0.slug, "ids in order");
        assert_eq!(story.version, 1);
        let mut tags = story.fields.tags.clone();
        tags.sort();
        assert_eq!(tags, vec!["Council".to_owned(), format!("Ward {}", n % 3)]);
        assert_eq!(story.fields.authors, vec![desk.reporter, desk.editor]);
    }
    for n in [0, 39, 40, 639, 640, N - 1] {
        let revisions = store.revisions(ids[n]).await.unwrap();
        assert_eq!(revisions.len(), 1, "story {n}");
        let query = SearchQuery::parse(&format!("quokka{n}")).unwrap();
        let found = store
            .search(&query, &SearchFilter::default(), t0(), 1, 10)
            .await
            .unwrap();
        assert_eq!(found.hits.len(), 1, "story {n} is searchable");
    }
    let log = store.audit_log(2000, 0).await.unwrap();
    let created = log
        .iter()
        .filter(|e| e.action == "article.create" && e.actor == "batch")
        .count();
    assert_eq!(created, N);
    // The last story took over the old address: it answers there, with no redirect.
    assert_eq!(
        store
            .story_slug_redirect("old-headline", t0())
            .await
            .unwrap(),
        None
    );
    let page = store
        .article_page("old-headline", t0())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(page.teaser.title, format!("Batch story {}", N - 1));
}

fn new_stories(
    all: &[(masthead_store::ArticleFields, masthead_store::RenderedText)],
    placement: masthead_store::Placement,
) -> Vec<masthead_store::NewStory<'_>> {
    all.iter()
        .map(|(fields, text)| masthead_store::NewStory {
            fields,
            text,
            placement,
            owner: None,
        })
        .collect()
}

/// Eight writers at once, each creating the same twelve new tags in its own order: four
/// write one story with all twelve, four a batch of twelve stories with one tag each (as
/// the importer and the generator do), half in the opposite order; six rounds, each with
/// new tags. Every write succeeds: on PostgreSQL two transactions inserting the same new
/// keys crosswise deadlock, and one was refused as "busy" (in about one round of three),
/// until each transaction created its tags in one order.
async fn writers_creating_the_same_new_tags_at_once_all_succeed(store: Store) {
    let desk = Desk::create(&store).await;
    let mut written = 0;
    for round in 0..6 {
        let names: Vec<String> = (0..12)
            .map(|n| format!("Round {round} ward {n:02}"))
            .collect();
        let mut writers = tokio::task::JoinSet::new();
        // Every writer holds a connection before any writes, so their transactions overlap
        // rather than queue behind the opening of connections.
        let ready = std::sync::Arc::new(tokio::sync::Barrier::new(8));
        for writer in 0..8 {
            let (store, mut names, ready) = (store.clone(), names.clone(), ready.clone());
            if writer % 2 == 1 {
                names.reverse();
            }
            let story = move |n: usize, tags: &[String]| {
                let title = format!("Round {round} writer {writer} story {n}");
                let mut story = ArticleBuilder::new(&title, desk.news);
                for tag in tags {
                    story = story.tag(tag);
                }
                story.build()
            };
            let stories: Vec<Imported> = if writer < 4 {
                vec![story(0, &names)]
            } else {
                names
                    .iter()
                    .enumerate()
                    .map(|(n, tag)| story(n, std::slice::from_ref(tag)))
                    .collect()
            };
            writers.spawn(async move {
                let count = stories.len();
                store.count_articles().await.unwrap();
                ready.wait().await;
                masthead_desk::import(&store, stories, &Actor::system("test"), t0())
                    .await
                    .map(|ids| (ids.len(), count))
            });
        }
        while let Some(joined) = writers.join_next().await {
            let (ids, count) = joined.unwrap().expect("every writer succeeds");
            assert_eq!(ids, count);
            written += count;
        }
        for name in &names {
            let tag = store
                .tag_by_slug(Slug::from_title(name).as_str())
                .await
                .unwrap()
                .expect("the tag exists once");
            assert_eq!(tag.name, *name);
            let tagged = store
                .list_articles(ArticleFilter::Tag(tag.id), t0(), PageNumber::FIRST, 50)
                .await
                .unwrap();
            assert_eq!(
                tagged.items.len(),
                4 + 4,
                "{name}: four whole stories, four of a batch"
            );
        }
    }
    assert_eq!(written, 6 * (4 + 4 * 12));
    assert_eq!(store.count_articles().await.unwrap(), written as i64);
}
