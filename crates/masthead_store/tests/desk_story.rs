//! The desk's storage, on both backends: accounts and their sessions, tokens and reset
//! links; saves that never overwrite each other; revisions; the publish rules; the audit
//! log; and scheduled stories promoted exactly once.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::Duration;
use masthead_core::{ArticleStatus, MediaId, Role, Slug, UserId};
use masthead_desk::{Command, DeskError, SaveOutcome, Staff, create, save};
use masthead_store::{
    Actor, ArticleFields, NewMedia, NewSession, NewUser, SessionStage, Store, StoreError,
};
use masthead_testkit::{Desk, TestDb, db_tests, t0};

fn admin() -> Actor {
    Actor::system("test")
}

async fn user(store: &Store, email: &str, role: Role) -> UserId {
    store
        .create_user(
            &NewUser {
                email: email.into(),
                name: email.split('@').next().unwrap().into(),
                role,
                password_hash: "$argon2id$fake".into(),
            },
            &admin(),
            t0(),
        )
        .await
        .unwrap()
}

fn fields(desk: &Desk, title: &str) -> ArticleFields {
    ArticleFields {
        body_md: "First words.".into(),
        authors: vec![desk.reporter],
        tags: vec!["Budget".into()],
        ..ArticleFields::news(title, Slug::from_title(title), desk.news)
    }
}

/// A staff member with `role`, as the desk's rules see them.
async fn staff(store: &Store, email: &str, role: Role) -> Staff {
    user(store, email, role).await;
    let user = store.credentials(email).await.unwrap().unwrap().user;
    Staff { user, role }
}

async fn accounts_are_unique_and_changes_end_sessions(store: Store) {
    let ana = user(&store, "Ana@Example.org", Role::Author).await;
    let dup = store
        .create_user(
            &NewUser {
                email: " ana@example.org ".into(),
                name: "Other".into(),
                role: Role::Admin,
                password_hash: "x".into(),
            },
            &admin(),
            t0(),
        )
        .await;
    assert!(matches!(dup, Err(StoreError::Conflict(_))), "{dup:?}");
    // Issue 8: the CLI, the desk and the API checked addresses three ways; the store now
    // holds the one rule, whichever door an account comes through.
    let bad = store
        .create_user(
            &NewUser {
                email: "ana@localhost".into(),
                name: "Other".into(),
                role: Role::Author,
                password_hash: "x".into(),
            },
            &admin(),
            t0(),
        )
        .await;
    assert!(
        matches!(bad, Err(StoreError::Invalid(ref e)) if e.message.contains("jane@example.org")),
        "{bad:?}"
    );
    let creds = store.credentials("ANA@example.org").await.unwrap().unwrap();
    assert_eq!(creds.user.id, ana);
    assert_eq!(creds.user.email, "ana@example.org");

    let session = |hash: &'static str| NewSession {
        id_hash: hash,
        user: ana,
        csrf_token: "csrf",
        stage: SessionStage::Full,
        expires_at: t0() + Duration::hours(8),
    };
    store
        .create_session(&session("one"), None, t0())
        .await
        .unwrap();
    // Rotation: the next step of login replaces the old id.
    store
        .create_session(&session("two"), Some("one"), t0())
        .await
        .unwrap();
    assert!(store.session("one", t0()).await.unwrap().is_none());
    let live = store.session("two", t0()).await.unwrap().unwrap();
    assert_eq!(live.user.role, Role::Author);
    assert!(
        store
            .session("two", t0() + Duration::hours(9))
            .await
            .unwrap()
            .is_none(),
        "expired"
    );

    store
        .set_user_role(ana, Role::Editor, &admin(), t0())
        .await
        .unwrap();
    assert_eq!(
        store.session_count(ana).await.unwrap(),
        0,
        "role change ends sessions"
    );
    store
        .create_session(&session("three"), None, t0())
        .await
        .unwrap();
    store
        .set_user_password(ana, "new", &admin(), t0())
        .await
        .unwrap();
    assert_eq!(
        store.session_count(ana).await.unwrap(),
        0,
        "password change ends sessions"
    );
    store
        .create_session(&session("four"), None, t0())
        .await
        .unwrap();
    store
        .set_user_disabled(ana, true, &admin(), t0())
        .await
        .unwrap();
    assert_eq!(
        store.session_count(ana).await.unwrap(),
        0,
        "disabling ends sessions"
    );

    let log = store.audit_log(10, 0).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["user.disable", "user.password", "user.role", "user.create"]
    );
    assert!(
        log.iter().all(|e| !e.detail.contains("new")),
        "no hash in the log"
    );
}

async fn tokens_are_capped_by_the_owner_and_die_with_it(store: Store) {
    let bo = user(&store, "bo@example.org", Role::Editor).await;
    store
        .create_token(bo, "cms", "hash-1", Role::Editor, &admin(), t0())
        .await
        .unwrap();
    let owner = store.token_owner("hash-1", t0()).await.unwrap().unwrap();
    assert_eq!(owner.role, Role::Editor);
    store
        .set_user_role(bo, Role::Contributor, &admin(), t0())
        .await
        .unwrap();
    let owner = store.token_owner("hash-1", t0()).await.unwrap().unwrap();
    assert_eq!(
        owner.role,
        Role::Contributor,
        "never wider than the owner now"
    );
    store
        .set_user_disabled(bo, true, &admin(), t0())
        .await
        .unwrap();
    assert!(
        store.token_owner("hash-1", t0()).await.unwrap().is_none(),
        "disabled owner"
    );
    assert!(store.token_owner("nope", t0()).await.unwrap().is_none());
    let listed = store.list_tokens(bo).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert!(
        listed[0].last_used_at.is_none(),
        "checking a token only reads"
    );
    store.touch_token(listed[0].id, t0()).await.unwrap();
    let listed = store.list_tokens(bo).await.unwrap();
    assert!(listed[0].last_used_at.is_some());
    store
        .revoke_token(bo, listed[0].id, &admin(), t0())
        .await
        .unwrap();
    assert!(store.list_tokens(bo).await.unwrap().is_empty());
}

async fn reset_links_work_once(store: Store) {
    let cy = user(&store, "cy@example.org", Role::Contributor).await;
    store
        .create_reset(cy, "reset-1", t0() + Duration::hours(24), &admin(), t0())
        .await
        .unwrap();
    assert_eq!(
        store.reset_user("reset-1", t0()).await.unwrap().unwrap().id,
        cy
    );
    assert!(
        store
            .reset_user("reset-1", t0() + Duration::hours(25))
            .await
            .unwrap()
            .is_none()
    );
    store
        .consume_reset("reset-1", "hash-2", t0())
        .await
        .unwrap();
    let again = store.consume_reset("reset-1", "hash-3", t0()).await;
    assert!(matches!(again, Err(StoreError::NotFound)), "{again:?}");
    let creds = store.credentials("cy@example.org").await.unwrap().unwrap();
    assert_eq!(creds.password_hash, "hash-2");
}

async fn a_stale_save_is_a_conflict_and_writes_nothing(store: Store) {
    let desk = Desk::create(&store).await;
    let ana = staff(&store, "ana@example.org", Role::Author).await;
    let id = create(
        &store,
        &ana,
        fields(&desk, "Board meets"),
        Command::Save,
        t0(),
    )
    .await
    .unwrap();
    let first = store.desk_article(id).await.unwrap();
    assert_eq!(
        (first.version, first.status, first.owner),
        (1, ArticleStatus::Draft, Some(ana.user.id))
    );
    assert_eq!(first.fields.tags, ["Budget"]);

    let mut mine = first.fields.clone();
    mine.body_md = "Ana's words.".into();
    let saved = save(&store, &ana, id, 1, mine.clone(), Command::Save, t0())
        .await
        .unwrap();
    assert!(
        matches!(saved, SaveOutcome::Saved { version: 2 }),
        "{saved:?}"
    );

    let mut theirs = first.fields.clone();
    theirs.body_md = "Bo's words.".into();
    let stale = save(&store, &ana, id, 1, theirs.clone(), Command::Save, t0())
        .await
        .unwrap();
    let SaveOutcome::Conflict(current) = stale else {
        panic!("expected a conflict, got {stale:?}")
    };
    assert_eq!(
        (current.version, current.fields.body_md.as_str()),
        (2, "Ana's words.")
    );
    assert_eq!(
        store.desk_article(id).await.unwrap().fields.body_md,
        "Ana's words."
    );

    let revisions = store.revisions(id).await.unwrap();
    assert_eq!(
        revisions.iter().map(|r| r.version).collect::<Vec<_>>(),
        [2, 1]
    );
    assert_eq!(store.revision(id, 1).await.unwrap().body_md, "First words.");

    // Concurrent saves from one version: exactly one wins.
    let (a, b) = tokio::join!(
        save(&store, &ana, id, 2, mine, Command::Save, t0()),
        save(&store, &ana, id, 2, theirs, Command::Save, t0()),
    );
    let saved = [a.unwrap(), b.unwrap()]
        .iter()
        .filter(|o| matches!(o, SaveOutcome::Saved { .. }))
        .count();
    assert_eq!(saved, 1);
}

async fn publishing_needs_alt_text_and_a_free_slug(store: Store) {
    let desk = Desk::create(&store).await;
    let ana = staff(&store, "ana@example.org", Role::Author).await;
    let image: MediaId = store
        .insert_media(
            &NewMedia {
                storage_name: "abc.jpg".into(),
                original_name: "x.jpg".into(),
                content_type: "image/jpeg".into(),
                width: 10,
                height: 10,
                byte_size: 10,
                alt: String::new(),
                credit: String::new(),
                uploaded_by: None,
                variants: Vec::new(),
            },
            t0(),
        )
        .await
        .unwrap();
    let other = create(
        &store,
        &ana,
        fields(&desk, "Other story"),
        Command::Save,
        t0(),
    )
    .await
    .unwrap();
    let id = create(
        &store,
        &ana,
        fields(&desk, "Board meets"),
        Command::Save,
        t0(),
    )
    .await
    .unwrap();
    let mut f = store.desk_article(id).await.unwrap().fields;
    f.image = Some(image);
    let refused = save(&store, &ana, id, 1, f.clone(), Command::Publish, t0()).await;
    assert!(
        matches!(&refused, Err(DeskError::Invalid(e)) if e.message.contains("alt text")),
        "{refused:?}"
    );
    assert_eq!(
        store.desk_article(id).await.unwrap().version,
        1,
        "nothing half-saved"
    );

    let mut taken = f.clone();
    taken.image = None;
    taken.slug = store.desk_article(other).await.unwrap().fields.slug;
    let dup = save(&store, &ana, id, 1, taken, Command::Save, t0()).await;
    assert!(matches!(dup, Err(DeskError::Conflict(_))), "{dup:?}");
    assert_eq!(store.desk_article(id).await.unwrap().version, 1);

    f.image = None;
    let saved = save(&store, &ana, id, 1, f.clone(), Command::Publish, t0())
        .await
        .unwrap();
    assert!(matches!(saved, SaveOutcome::Saved { version: 2 }));
    let page = store
        .article_page(f.slug.as_str(), t0())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(page.teaser.title, "Board meets");
    // Renaming a published story keeps the old address answering.
    let old = f.slug.clone();
    f.slug = Slug::parse("board-meets-tuesday").unwrap();
    save(&store, &ana, id, 2, f, Command::Save, t0())
        .await
        .unwrap();
    assert_eq!(
        store
            .story_slug_redirect(old.as_str(), t0())
            .await
            .unwrap()
            .as_deref(),
        Some("board-meets-tuesday")
    );
    let log = store.audit_log(3, 0).await.unwrap();
    assert_eq!(log[0].action, "article.save");
    assert_eq!(log[1].action, "article.publish");
}

async fn scheduled_stories_are_promoted_once(store: Store) {
    let desk = Desk::create(&store).await;
    let ana = staff(&store, "ana@example.org", Role::Author).await;
    let at = t0() + Duration::hours(1);
    let id = create(
        &store,
        &ana,
        fields(&desk, "Later"),
        Command::Schedule(at),
        t0(),
    )
    .await
    .unwrap();
    let slug = store.desk_article(id).await.unwrap().fields.slug;
    assert!(
        store.promote_due(t0()).await.unwrap().is_empty(),
        "not early"
    );
    assert!(
        store
            .article_page(slug.as_str(), t0())
            .await
            .unwrap()
            .is_none()
    );
    let (a, b) = tokio::join!(store.promote_due(at), store.promote_due(at));
    let promoted: Vec<_> = a.unwrap().into_iter().chain(b.unwrap()).collect();
    assert_eq!(promoted, [id], "exactly once");
    assert_eq!(
        store.desk_article(id).await.unwrap().status,
        ArticleStatus::Published
    );
    let publishes = store
        .audit_log(50, 0)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "article.publish")
        .count();
    assert_eq!(publishes, 1);
}

async fn login_attempts_are_counted_in_windows(store: Store) {
    let window = Duration::minutes(1);
    let counts = futures_counts(&store, window).await;
    assert_eq!(
        counts,
        (1..=8).collect::<Vec<i64>>(),
        "concurrent attempts all count"
    );
    let (n, start) = store
        .count_attempt("address:1", window, t0() + Duration::seconds(59))
        .await
        .unwrap();
    assert_eq!((n, start), (9, t0()), "same window");
    let (n, start) = store
        .count_attempt("address:1", window, t0() + Duration::seconds(60))
        .await
        .unwrap();
    assert_eq!(
        (n, start),
        (1, t0() + Duration::seconds(60)),
        "a new window"
    );
    assert_eq!(
        store
            .count_attempt("address:2", window, t0())
            .await
            .unwrap()
            .0,
        1,
        "per key"
    );
    assert_eq!(
        store
            .purge_attempts(t0() + Duration::seconds(1))
            .await
            .unwrap(),
        1
    );
}

/// Eight attempts at once on one key; returns the counts they saw, sorted.
async fn futures_counts(store: &Store, window: Duration) -> Vec<i64> {
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .count_attempt("address:1", window, t0())
                .await
                .unwrap()
                .0
        }));
    }
    let mut counts = Vec::new();
    for t in tasks {
        counts.push(t.await.unwrap());
    }
    counts.sort();
    counts
}

db_tests!(
    login_attempts_are_counted_in_windows,
    accounts_are_unique_and_changes_end_sessions,
    tokens_are_capped_by_the_owner_and_die_with_it,
    reset_links_work_once,
    a_stale_save_is_a_conflict_and_writes_nothing,
    publishing_needs_alt_text_and_a_free_slug,
    scheduled_stories_are_promoted_once,
);

/// Two app servers on one PostgreSQL database promote a due story exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_promote_a_due_story_once() {
    let db = TestDb::postgres().await;
    let second = Store::connect(&db.url).await.unwrap();
    let store = db.store.clone();
    let desk = Desk::create(&store).await;
    let ana = staff(&store, "ana@example.org", Role::Author).await;
    let mut ids = Vec::new();
    for n in 0..20 {
        // Scheduled an hour ago, each due some minutes before now.
        let due = Command::Schedule(t0() - Duration::minutes(n));
        let title = format!("Story {n}");
        let id = create(
            &store,
            &ana,
            fields(&desk, &title),
            due,
            t0() - Duration::hours(1),
        )
        .await
        .unwrap();
        ids.push(id);
    }
    let (a, b) = tokio::join!(store.promote_due(t0()), second.promote_due(t0()));
    let mut promoted: Vec<_> = a.unwrap().into_iter().chain(b.unwrap()).collect();
    promoted.sort();
    assert_eq!(promoted, ids);
}
