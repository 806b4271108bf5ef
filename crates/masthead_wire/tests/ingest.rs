//! Pulling a source end to end (issue 12, items 2, 4, 5, 6, 7 and 9), each story on a real
//! SQLite file and a real PostgreSQL database, against a real HTTP server on loopback: stories
//! created correctly credited in auto mode and queued in review mode; a second pull is one
//! conditional request answered 304 with no writes; a changed item updates its story; a
//! local edit is kept and flagged; 410 disables, 500 and garbage mark the source failing and
//! keep its stories; a redirect to loopback is refused; eight pulls at once create each story
//! once; lead images are imported with their alt text or flagged; expired stories come down;
//! a removed source's stories stay under its licence, and adding it again takes nothing twice;
//! a lead image changed or dropped at the source is changed or dropped on the story.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use chrono::Duration;
use masthead_core::{ArticleStatus, ManualClock, WireSourceId};
use masthead_desk::Command;
use masthead_fetch::{FetchPolicy, Fetcher};
use masthead_media::{FileStorage, MediaStorage};
use masthead_store::{
    DeskArticle, Store, StoreError, StoredWireItem, WireItemState, WireMode, WireSource,
    WireSourceSettings,
};
use masthead_testkit::{Desk, change_story, db_tests, t0};
use masthead_wire::{Ingest, PullReport, SourceRules};
use std::sync::Arc;
use support::{FeedServer, Item, Served, fixture, jpeg, rss};

db_tests!(
    auto_mode_publishes_correctly_credited_stories,
    review_mode_queues_drafts_in_the_inbox,
    a_second_pull_is_one_conditional_request_and_writes_nothing,
    a_changed_item_updates_its_story,
    a_local_edit_is_kept_and_the_item_flagged_updated_at_source,
    gone_disables_and_failures_keep_the_last_good_items,
    a_redirect_to_loopback_is_refused_without_the_setting,
    eight_pulls_at_once_create_each_story_once,
    lead_images_are_imported_with_alt_text_or_flagged,
    expired_wire_stories_are_taken_down,
    a_removed_source_keeps_its_licence_and_comes_back_without_duplicates,
    a_lead_image_changed_at_the_source_replaces_the_story_s,
);

fn local_fetcher() -> Fetcher {
    Fetcher::new(FetchPolicy {
        allow_local: true,
        ..FetchPolicy::new("https://news.example")
    })
    .unwrap()
}

fn ingest(store: &Store, fetcher: Fetcher, media: Option<Arc<dyn MediaStorage>>) -> Ingest {
    Ingest {
        store: store.clone(),
        fetcher,
        media,
        clock: Arc::new(ManualClock::new(t0())),
    }
}

async fn add_source(store: &Store, url: &str, mode: WireMode, rules: SourceRules) -> WireSourceId {
    store
        .add_wire_source(
            &WireSourceSettings {
                name: "Prairie State".into(),
                url: url.into(),
                rules_json: serde_json::to_string(&rules).unwrap(),
                mode,
                interval: Duration::minutes(15),
                enabled: true,
            },
            t0(),
        )
        .await
        .unwrap()
}

async fn pull(ingest: &Ingest, id: WireSourceId) -> PullReport {
    let source = ingest.store.wire_source(id).await.unwrap();
    ingest.pull(&source, None).await.unwrap()
}

async fn source(store: &Store, id: WireSourceId) -> WireSource {
    store.wire_source(id).await.unwrap()
}

async fn items(store: &Store, id: WireSourceId) -> Vec<StoredWireItem> {
    let mut items = store.wire_source_items(id).await.unwrap();
    items.sort_by(|a, b| a.identity.cmp(&b.identity));
    items
}

async fn story(store: &Store, item: &StoredWireItem) -> DeskArticle {
    store
        .desk_article(item.article_id.expect("a story"))
        .await
        .unwrap()
}

fn rules() -> SourceRules {
    SourceRules {
        wire_name: "Prairie State News Service".into(),
        ..SourceRules::default()
    }
}

async fn auto_mode_publishes_correctly_credited_stories(store: Store) {
    Desk::create(&store).await;
    let server = FeedServer::start().await;
    server.set(Served {
        body: fixture("state_news_rss2.xml"),
        content_type: "application/rss+xml".into(),
        etag: Some("\"a\"".into()),
        ..Served::default()
    });
    let mut rules = rules();
    rules.licence.canonical_to_original = true;
    rules.licence.attribution = "This story was first published by {wire}.".into();
    let id = add_source(&store, &server.feed_url(), WireMode::Auto, rules).await;
    let report = pull(&ingest(&store, local_fetcher(), None), id).await;
    assert_eq!(report.failure, None);
    assert_eq!((report.seen, report.created), (3, 3), "{report:?}");

    let items = items(&store, id).await;
    assert_eq!(items.len(), 3);
    let school = items
        .iter()
        .find(|i| i.identity == "guid:psns-2026-0412")
        .expect("the GUID is the identity");
    let article = story(&store, school).await;
    assert_eq!(article.status, ArticleStatus::Published);
    assert_eq!(school.state, WireItemState::Published);
    let f = &article.fields;
    assert_eq!(
        f.title,
        "Legislature passes school funding bill & sends it to governor"
    );
    assert_eq!(f.byline, "Maria Alvarez");
    assert_eq!(f.source_name, "Prairie State News Service");
    assert_eq!(
        f.source_url,
        "https://prairienews.example/2026/03/04/school-funding/"
    );
    assert!(
        f.source_canonical,
        "the licence asks for the canonical link"
    );
    assert_eq!(
        f.summary,
        "The House voted 61-38 to send the bill to the governor."
    );
    assert!(
        f.body_md
            .contains("This story was first published by Prairie State News Service."),
        "attribution first: {}",
        f.body_md
    );
    assert!(!f.body_md.contains("<script"));
    // Published as of the feed's date, not the pull's.
    assert_eq!(
        article.published_at.unwrap().to_rfc3339(),
        "2026-03-04T20:30:00+00:00"
    );
    // The audit log names the wire as the actor.
    let log = store.audit_log(50, 0).await.unwrap();
    assert!(
        log.iter()
            .any(|e| e.actor == "wire:Prairie State" && e.action == "article.publish"),
        "{log:?}"
    );
    let s = source(&store, id).await;
    assert_eq!(
        (s.items_seen, s.items_created, s.last_status),
        (3, 3, Some(200))
    );
    assert_eq!(s.etag.as_deref(), Some("\"a\""));
    assert!(s.last_error.is_empty());
}

async fn review_mode_queues_drafts_in_the_inbox(store: Store) {
    Desk::create(&store).await;
    let server = FeedServer::start().await;
    server.serve_rss(&rss(&(0..5).map(Item::new).collect::<Vec<_>>()), 1);
    let id = add_source(&store, &server.feed_url(), WireMode::Review, rules()).await;
    let report = pull(&ingest(&store, local_fetcher(), None), id).await;
    assert_eq!((report.created, report.queued), (5, 5));
    for item in items(&store, id).await {
        assert_eq!(item.state, WireItemState::Queued);
        let article = story(&store, &item).await;
        assert_eq!(article.status, ArticleStatus::Draft);
        assert_eq!(article.fields.byline, "Maria Alvarez");
    }
    let inbox = store.wire_inbox(None).await.unwrap();
    assert_eq!(inbox.len(), 5);
    assert!(inbox.iter().all(|i| i.source_name == "Prairie State"));
    // The item as normalised is kept for the inbox's preview.
    let preview: masthead_wire::WireItem = serde_json::from_str(&inbox[0].item_json).unwrap();
    assert!(preview.title.starts_with("County story number"));
    assert_eq!(source(&store, id).await.waiting, 5);
}

/// Everything a pull could write, read back: versions of every story, revisions (through
/// the versions), the audit log, every wire record's update time and the source's counts.
async fn fingerprint(store: &Store, id: WireSourceId) -> String {
    let mut out = String::new();
    for item in items(store, id).await {
        let version = match item.article_id {
            Some(a) => store.desk_article(a).await.unwrap().version,
            None => 0,
        };
        out.push_str(&format!(
            "{} {} {} {:?} {version}\n",
            item.identity, item.content_hash, item.updated_at, item.state
        ));
    }
    out.push_str(&format!(
        "audit {}\n",
        store.audit_log(10_000, 0).await.unwrap().len()
    ));
    let s = source(store, id).await;
    out.push_str(&format!(
        "{} {} {} {:?}",
        s.items_seen, s.items_created, s.items_updated, s.etag
    ));
    out
}

async fn a_second_pull_is_one_conditional_request_and_writes_nothing(store: Store) {
    Desk::create(&store).await;
    let server = FeedServer::start().await;
    server.serve_rss(&rss(&(0..20).map(Item::new).collect::<Vec<_>>()), 1);
    let id = add_source(&store, &server.feed_url(), WireMode::Auto, rules()).await;
    let ingest = ingest(&store, local_fetcher(), None);
    let first = pull(&ingest, id).await;
    assert_eq!(first.created, 20);
    assert_eq!(server.feed_requests(), 1);
    let before = fingerprint(&store, id).await;
    let articles = store.count_articles().await.unwrap();
    let version = store.content_state(t0()).await.unwrap();

    let second = pull(&ingest, id).await;
    assert!(second.not_modified, "{second:?}");
    assert_eq!(second.status, Some(304));
    assert_eq!(server.feed_requests(), 2, "one conditional request");
    assert_eq!(fingerprint(&store, id).await, before, "no writes");
    assert_eq!(store.count_articles().await.unwrap(), articles);
    assert_eq!(
        format!("{:?}", store.content_state(t0()).await.unwrap()),
        format!("{version:?}"),
        "the site's content version did not move"
    );
    let s = source(&store, id).await;
    assert_eq!(s.last_status, Some(304));

    // A server that ignores the validators: the same items, all unchanged, still no writes
    // to stories or their records.
    server.change(|s| s.etag = Some("\"v2\"".into()));
    let third = pull(&ingest, id).await;
    assert_eq!((third.created, third.unchanged), (0, 20), "{third:?}");
    assert_eq!(
        store.count_articles().await.unwrap(),
        articles,
        "no duplicates"
    );
}

async fn a_changed_item_updates_its_story(store: Store) {
    Desk::create(&store).await;
    let server = FeedServer::start().await;
    let mut feed: Vec<Item> = (0..3).map(Item::new).collect();
    server.serve_rss(&rss(&feed), 1);
    let id = add_source(&store, &server.feed_url(), WireMode::Auto, rules()).await;
    let ingest = ingest(&store, local_fetcher(), None);
    pull(&ingest, id).await;
    feed[1].title = "County story number 1, corrected".into();
    feed[1].body = "<p>The corrected text.</p>".into();
    server.serve_rss(&rss(&feed), 2);
    let report = pull(&ingest, id).await;
    assert_eq!(
        (report.updated, report.unchanged, report.created),
        (1, 2, 0),
        "{report:?}"
    );
    let items = items(&store, id).await;
    let changed = items.iter().find(|i| i.identity == "guid:item-1").unwrap();
    let article = story(&store, changed).await;
    assert_eq!(article.fields.title, "County story number 1, corrected");
    assert!(article.fields.body_md.contains("The corrected text."));
    assert_eq!(article.version, 2);
    assert_eq!(changed.ingested_version, 2);
    assert_eq!(changed.state, WireItemState::Published);
    assert_eq!(source(&store, id).await.items_updated, 1);
}

async fn a_local_edit_is_kept_and_the_item_flagged_updated_at_source(store: Store) {
    Desk::create(&store).await;
    let server = FeedServer::start().await;
    let mut feed: Vec<Item> = (0..2).map(Item::new).collect();
    server.serve_rss(&rss(&feed), 1);
    let id = add_source(&store, &server.feed_url(), WireMode::Auto, rules()).await;
    let ingest = ingest(&store, local_fetcher(), None);
    pull(&ingest, id).await;
    let before = items(&store, id).await;
    let (edited, moved) = (&before[0], &before[1]);
    change_story(
        &store,
        edited.article_id.unwrap(),
        Command::Save,
        t0(),
        |f| {
            f.body_md = "An editor's local version.".into();
        },
    )
    .await;
    // Moving a story to another section is not an edit of its text.
    let sports = store.sections().await.unwrap()[1].id;
    change_story(
        &store,
        moved.article_id.unwrap(),
        Command::Save,
        t0(),
        |f| {
            f.section = sports;
        },
    )
    .await;
    for item in &mut feed {
        item.body = format!("<p>{} changed at the source.</p>", item.guid);
    }
    server.serve_rss(&rss(&feed), 2);
    let report = pull(&ingest, id).await;
    assert_eq!((report.flagged, report.updated), (1, 1), "{report:?}");
    let after = items(&store, id).await;
    assert_eq!(after[0].state, WireItemState::UpdatedAtSource);
    assert!(!after[0].note.is_empty());
    let kept = story(&store, &after[0]).await;
    assert_eq!(kept.fields.body_md, "An editor's local version.");
    let updated = story(&store, &after[1]).await;
    assert!(updated.fields.body_md.contains("changed at the source"));
    assert_eq!(updated.fields.section, sports, "the editor's section stays");
    let inbox = store.wire_inbox(None).await.unwrap();
    assert_eq!(inbox.len(), 1);
    assert_eq!(inbox[0].id, after[0].id);
}

async fn gone_disables_and_failures_keep_the_last_good_items(store: Store) {
    Desk::create(&store).await;
    let server = FeedServer::start().await;
    server.serve_rss(&rss(&(0..4).map(Item::new).collect::<Vec<_>>()), 1);
    let id = add_source(&store, &server.feed_url(), WireMode::Auto, rules()).await;
    let ingest = ingest(&store, local_fetcher(), None);
    pull(&ingest, id).await;
    let stories = store.count_articles().await.unwrap();

    server.change(|s| s.status = Some(500));
    let report = pull(&ingest, id).await;
    let reason = report.failure.expect("a failure");
    assert!(reason.contains("500"), "{reason}");
    let s = source(&store, id).await;
    assert_eq!((s.failures, s.last_status), (1, Some(500)));
    assert!(
        s.last_error.contains("500 Internal Server Error"),
        "{}",
        s.last_error
    );
    assert!(s.next_due_at > t0(), "backs off");
    assert!(s.enabled);

    server.change(|s| {
        s.status = None;
        s.body = b"<html><body>Maintenance</body></html>".to_vec();
        s.etag = Some("\"garbage\"".into());
        s.content_type = "text/html".into();
    });
    let report = pull(&ingest, id).await;
    let reason = report.failure.expect("a failure");
    assert!(reason.contains("not a feed"), "{reason}");
    let s = source(&store, id).await;
    assert_eq!(s.failures, 2);
    assert_eq!(
        s.etag.as_deref(),
        Some("\"v1\""),
        "the last good validators stay"
    );
    assert_eq!(
        store.count_articles().await.unwrap(),
        stories,
        "the stories stay"
    );
    assert_eq!(items(&store, id).await.len(), 4);

    server.change(|s| s.status = Some(410));
    let report = pull(&ingest, id).await;
    assert!(report.disabled);
    let s = source(&store, id).await;
    assert!(!s.enabled);
    assert!(s.disabled_reason.contains("410"), "{}", s.disabled_reason);
    assert_eq!(store.count_articles().await.unwrap(), stories);
}

async fn a_redirect_to_loopback_is_refused_without_the_setting(store: Store) {
    Desk::create(&store).await;
    // The first server is reachable only through the fetcher's test exemption for its exact
    // socket address; it redirects to a second loopback server, which must see no request.
    let first = FeedServer::start().await;
    let second = FeedServer::start().await;
    second.serve_rss(&rss(&[Item::new(0)]), 1);
    first.change(|s| s.redirect = Some(second.feed_url()));
    let fetcher =
        Fetcher::with_test_exemptions(FetchPolicy::new("https://news.example"), &[first.addr])
            .unwrap();
    let id = add_source(&store, &first.feed_url(), WireMode::Auto, rules()).await;
    let report = pull(&ingest(&store, fetcher, None), id).await;
    let reason = report.failure.expect("refused");
    assert!(reason.contains("redirects to"), "{reason}");
    assert!(reason.contains("loopback"), "{reason}");
    assert_eq!(first.feed_requests(), 1);
    assert_eq!(
        second.feed_requests(),
        0,
        "nothing reached the loopback target"
    );
    assert_eq!(store.count_articles().await.unwrap(), 0);
    let s = source(&store, id).await;
    assert!(s.last_error.contains("loopback"), "{}", s.last_error);
}

/// Eight pulls of one source at once (the command line beside several servers, each
/// without a claim): every story exists once, and no pull fails ("database is locked" or a
/// unique violation would be an `Err` here).
async fn eight_pulls_at_once_create_each_story_once(store: Store) {
    Desk::create(&store).await;
    let server = FeedServer::start().await;
    // Two items share a headline: both are kept, under two slugs.
    let mut feed: Vec<Item> = (0..60).map(Item::new).collect();
    feed[59].title = feed[58].title.clone();
    server.serve_rss(&rss(&feed), 1);
    let id = add_source(&store, &server.feed_url(), WireMode::Auto, rules()).await;
    let source = source(&store, id).await;
    let ingest = ingest(&store, local_fetcher(), None);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let ingest = ingest.clone();
        let source = source.clone();
        tasks.push(tokio::spawn(
            async move { ingest.pull(&source, None).await },
        ));
    }
    let mut created = 0;
    for task in tasks {
        let report = task.await.unwrap().expect("no pull fails");
        assert_eq!(report.failure, None);
        created += report.created;
    }
    assert_eq!(created, 60, "each story created by exactly one pull");
    assert_eq!(store.count_articles().await.unwrap(), 60);
    let items = items(&store, id).await;
    assert_eq!(items.len(), 60);
    let mut slugs = Vec::new();
    for item in &items {
        slugs.push(story(&store, item).await.fields.slug.to_string());
    }
    slugs.sort();
    slugs.dedup();
    assert_eq!(slugs.len(), 60);
    assert!(
        slugs.iter().any(|s| s == "county-story-number-58-2"),
        "{slugs:?}"
    );
}

async fn lead_images_are_imported_with_alt_text_or_flagged(store: Store) {
    Desk::create(&store).await;
    let server = FeedServer::start().await;
    server.image("/img/vote.jpg", jpeg());
    server.image("/img/bare.jpg", jpeg());
    let mut feed: Vec<Item> = (0..3).map(Item::new).collect();
    feed[0].image = Some((server.url("/img/vote.jpg"), Some("Lawmakers vote".into())));
    feed[1].image = Some((server.url("/img/bare.jpg"), None));
    feed[2].image = Some((server.url("/img/missing.jpg"), Some("Gone".into())));
    server.serve_rss(&rss(&feed), 1);
    let dir = tempfile::tempdir().unwrap();
    let media: Arc<dyn MediaStorage> = Arc::new(FileStorage::new(dir.path()).unwrap());
    let id = add_source(&store, &server.feed_url(), WireMode::Auto, rules()).await;
    let report = pull(&ingest(&store, local_fetcher(), Some(media)), id).await;
    assert_eq!(
        report.created, 3,
        "a failed image does not fail its item: {report:?}"
    );
    assert_eq!(report.image_failures, 1);
    let items = items(&store, id).await;

    let with_alt = story(&store, &items[0]).await;
    assert_eq!(with_alt.status, ArticleStatus::Published);
    let image = store
        .media_item(with_alt.fields.image.expect("imported"))
        .await
        .unwrap();
    assert_eq!(image.alt, "Lawmakers vote");
    assert_eq!(image.credit, "Jo Park");
    assert!(
        dir.path().join(&image.storage_name).exists(),
        "the file is stored"
    );
    assert_ne!(image.storage_name, "vote.jpg", "a generated name");

    // No alt text: the image is kept, the story waits for a description.
    let bare = story(&store, &items[1]).await;
    assert!(bare.fields.image.is_some());
    assert_eq!(bare.status, ArticleStatus::Draft);
    assert!(items[1].needs_alt);
    assert_eq!(items[1].state, WireItemState::Queued);
    assert!(items[1].note.contains("alt"), "{}", items[1].note);
    let inbox = store.wire_inbox(None).await.unwrap();
    assert!(inbox.iter().any(|i| i.id == items[1].id && i.needs_alt));

    let missing = story(&store, &items[2]).await;
    assert_eq!(missing.fields.image, None);
    assert_eq!(missing.status, ArticleStatus::Published);
}

async fn expired_wire_stories_are_taken_down(store: Store) {
    Desk::create(&store).await;
    let server = FeedServer::start().await;
    let mut feed: Vec<Item> = (0..2).map(Item::new).collect();
    feed[0].published = "Mon, 23 Nov 2026 10:00:00 GMT".into();
    feed[1].published = "Fri, 27 Nov 2026 10:00:00 GMT".into();
    server.serve_rss(&rss(&feed), 1);
    let mut rules = rules();
    rules.licence.expire_after_days = Some(3);
    let id = add_source(&store, &server.feed_url(), WireMode::Auto, rules).await;
    let ingest = ingest(&store, local_fetcher(), None);
    pull(&ingest, id).await;
    let taken = masthead_wire::worker::expire_due(&ingest).await;
    assert_eq!(taken, 1, "only the story published more than 3 days ago");
    let items = items(&store, id).await;
    assert_eq!(items[0].state, WireItemState::Expired);
    assert_eq!(
        story(&store, &items[0]).await.status,
        ArticleStatus::Unpublished
    );
    assert_eq!(items[1].state, WireItemState::Published);
    assert_eq!(
        story(&store, &items[1]).await.status,
        ArticleStatus::Published
    );
    assert_eq!(masthead_wire::worker::expire_due(&ingest).await, 0, "once");
}

/// Removing a source hides it from the desk and the worker, but its stories stay under its
/// licence (the no-derivatives lock, the take-down date); adding the same feed again brings
/// the source back with its items known, so no story is taken twice.
async fn a_removed_source_keeps_its_licence_and_comes_back_without_duplicates(store: Store) {
    Desk::create(&store).await;
    let server = FeedServer::start().await;
    let mut feed: Vec<Item> = (0..2).map(Item::new).collect();
    feed[0].published = "Mon, 23 Nov 2026 10:00:00 GMT".into();
    feed[1].published = "Fri, 27 Nov 2026 10:00:00 GMT".into();
    server.serve_rss(&rss(&feed), 1);
    let mut rules = rules();
    rules.licence.expire_after_days = Some(3);
    rules.licence.no_derivatives = true;
    let id = add_source(&store, &server.feed_url(), WireMode::Auto, rules.clone()).await;
    let ingest = ingest(&store, local_fetcher(), None);
    assert_eq!(pull(&ingest, id).await.created, 2);

    store.remove_wire_source(id, t0()).await.unwrap();
    assert!(store.wire_sources().await.unwrap().is_empty());
    assert!(matches!(
        store.wire_source(id).await,
        Err(StoreError::NotFound)
    ));
    let later = t0() + Duration::days(1);
    assert!(
        store
            .claim_due_wire_source(later, Duration::minutes(10))
            .await
            .unwrap()
            .is_none(),
        "the worker leaves a removed source alone"
    );
    for item in items(&store, id).await {
        let locks = store.wire_locks(item.article_id.unwrap()).await.unwrap();
        assert!(locks.expect("still wire copy").body, "no derivatives still");
    }
    assert_eq!(
        masthead_wire::worker::expire_due(&ingest).await,
        1,
        "the take-down date still holds"
    );

    let again = add_source(&store, &server.feed_url(), WireMode::Auto, rules).await;
    assert_eq!(again, id, "the same source, back");
    let report = pull(&ingest, again).await;
    assert_eq!((report.created, report.unchanged), (0, 2), "{report:?}");
    assert_eq!(store.count_articles().await.unwrap(), 2);
}

/// An item whose lead image changes at the source (its story not edited here): the new
/// image is fetched into the media library with its alt text and replaces the old one on
/// the story; dropped from the feed, the story's image goes too.
async fn a_lead_image_changed_at_the_source_replaces_the_story_s(store: Store) {
    Desk::create(&store).await;
    let server = FeedServer::start().await;
    server.image("/img/first.jpg", jpeg());
    server.image("/img/second.jpg", jpeg());
    let mut feed: Vec<Item> = vec![Item::new(0)];
    feed[0].image = Some((server.url("/img/first.jpg"), Some("First photo".into())));
    server.serve_rss(&rss(&feed), 1);
    let dir = tempfile::tempdir().unwrap();
    let media: Arc<dyn MediaStorage> = Arc::new(FileStorage::new(dir.path()).unwrap());
    let id = add_source(&store, &server.feed_url(), WireMode::Auto, rules()).await;
    let ingest = ingest(&store, local_fetcher(), Some(media));
    assert_eq!(pull(&ingest, id).await.created, 1);
    let item = items(&store, id).await.remove(0);
    let first = story(&store, &item).await.fields.image.expect("imported");

    feed[0].image = Some((server.url("/img/second.jpg"), Some("Second photo".into())));
    server.serve_rss(&rss(&feed), 2);
    let report = pull(&ingest, id).await;
    assert_eq!(report.updated, 1, "{report:?}");
    let changed = story(&store, &item).await;
    let second = changed.fields.image.expect("the new image");
    assert_ne!(second, first);
    assert_eq!(store.media_item(second).await.unwrap().alt, "Second photo");
    assert_eq!(changed.status, ArticleStatus::Published);

    feed[0].image = None;
    server.serve_rss(&rss(&feed), 3);
    assert_eq!(pull(&ingest, id).await.updated, 1);
    assert_eq!(story(&store, &item).await.fields.image, None);
}
