//! Static pages and redirects, on both backends: nesting, order, a rename moving the pages
//! under it and leaving redirects, the site's own addresses refused, many writers making the
//! same page at once, the importer's bulk writes, and redirects added many at a time with
//! chains cut and loops refused.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::Duration;
use masthead_core::{PageStatus, RedirectId, Role};
use masthead_desk::pages::{
    ImportParent, PageImport, PageInput, create_page, delete_page, import_pages, save_page,
};
use masthead_desk::{DeskError, Staff};
use masthead_store::{Actor, NewRedirect, NewUser, RedirectOrigin, Store, StoreError};
use masthead_testkit::{db_tests, t0};

async fn staff(store: &Store, email: &str, role: Role) -> Staff {
    store
        .create_user(
            &NewUser {
                email: email.into(),
                name: "Pat Editor".into(),
                role,
                password_hash: "$argon2id$fake".into(),
            },
            &Actor::system("test"),
            t0(),
        )
        .await
        .unwrap();
    let user = store.credentials(email).await.unwrap().unwrap().user;
    Staff { user, role }
}

fn input(title: &str, slug: &str) -> PageInput {
    PageInput {
        title: title.into(),
        slug: slug.into(),
        body_md: format!("All about *{title}*."),
        status: PageStatus::Published,
        ..PageInput::default()
    }
}

async fn target(store: &Store, key: &str) -> Option<String> {
    store.redirect_for(key).await.unwrap().map(|r| r.target)
}

async fn pages_nest_order_and_move_with_redirects(store: Store) {
    let ed = staff(&store, "ed@example.org", Role::Editor).await;
    let about = create_page(&store, &ed, &input("About us", "about"), t0())
        .await
        .unwrap();
    assert_eq!(about.path, "about");
    assert!(about.body_html.contains("<em>About us</em>"));
    let ethics = create_page(
        &store,
        &ed,
        &PageInput {
            parent: Some(about.id),
            ..input("Ethics policy", "")
        },
        t0(),
    )
    .await
    .unwrap();
    assert_eq!(ethics.path, "about/ethics-policy");
    let staff_page = create_page(
        &store,
        &ed,
        &PageInput {
            parent: Some(about.id),
            status: PageStatus::Draft,
            ..input("Our staff", "staff")
        },
        t0(),
    )
    .await
    .unwrap();
    let contact = create_page(
        &store,
        &ed,
        &PageInput {
            menu_order: -1,
            ..input("Contact", "contact")
        },
        t0(),
    )
    .await
    .unwrap();

    // The footer: top-level published pages by menu order.
    let top: Vec<String> = store
        .top_pages()
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.path)
        .collect();
    assert_eq!(top, ["contact", "about"]);
    // Reorder.
    save_page(
        &store,
        &ed,
        contact.id,
        contact.version,
        &PageInput {
            menu_order: 5,
            ..input("Contact", "contact")
        },
        t0(),
    )
    .await
    .unwrap();
    let top: Vec<String> = store
        .top_pages()
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.path)
        .collect();
    assert_eq!(top, ["about", "contact"]);
    assert!(store.published_page("about/staff").await.unwrap().is_none());
    let sitemap: Vec<String> = store
        .sitemap_pages()
        .await
        .unwrap()
        .into_iter()
        .map(|l| l.path)
        .collect();
    assert_eq!(sitemap, ["about", "about/ethics-policy", "contact"]);

    // Rename: the pages under it move, published ones leave redirects.
    let renamed = save_page(
        &store,
        &ed,
        about.id,
        about.version,
        &input("Who we are", "who-we-are"),
        t0() + Duration::minutes(1),
    )
    .await
    .unwrap();
    assert_eq!(renamed.path, "who-we-are");
    assert_eq!(renamed.version, about.version + 1);
    assert_eq!(
        store.page(ethics.id).await.unwrap().path,
        "who-we-are/ethics-policy"
    );
    assert_eq!(
        store.page(staff_page.id).await.unwrap().path,
        "who-we-are/staff"
    );
    assert_eq!(
        target(&store, "/about").await.as_deref(),
        Some("/who-we-are")
    );
    assert_eq!(
        target(&store, "/about/ethics-policy").await.as_deref(),
        Some("/who-we-are/ethics-policy")
    );
    assert_eq!(target(&store, "/about/staff").await, None, "a draft moved");

    // A second move repoints the first redirect: one hop, never a chain.
    let renamed = save_page(
        &store,
        &ed,
        about.id,
        renamed.version,
        &input("About", "about-the-courier"),
        t0() + Duration::minutes(2),
    )
    .await
    .unwrap();
    assert_eq!(
        target(&store, "/about").await.as_deref(),
        Some("/about-the-courier")
    );
    assert_eq!(
        target(&store, "/who-we-are").await.as_deref(),
        Some("/about-the-courier")
    );
    // Moving back to an old address takes it back from its redirect, and no loop remains.
    let back = save_page(
        &store,
        &ed,
        about.id,
        renamed.version,
        &input("About", "about"),
        t0() + Duration::minutes(3),
    )
    .await
    .unwrap();
    assert_eq!(back.path, "about");
    assert_eq!(target(&store, "/about").await, None);
    assert_eq!(
        target(&store, "/about-the-courier").await.as_deref(),
        Some("/about")
    );
    assert_eq!(
        target(&store, "/who-we-are").await.as_deref(),
        Some("/about")
    );

    // A stale version is a conflict and writes nothing.
    let stale = save_page(
        &store,
        &ed,
        about.id,
        about.version,
        &input("Lost", "lost"),
        t0(),
    )
    .await;
    assert!(matches!(stale, Err(DeskError::Conflict(m)) if m.contains("open it again")));
    assert_eq!(store.page(about.id).await.unwrap().title, "About");

    // A page cannot sit under itself or its own pages.
    let e = save_page(
        &store,
        &ed,
        about.id,
        back.version,
        &PageInput {
            parent: Some(ethics.id),
            ..input("About", "about")
        },
        t0(),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(e, DeskError::Invalid(ref i) if i.field == "parent"),
        "{e}"
    );

    // Deleting a page with pages under it is refused; a leaf goes.
    let e = delete_page(&store, &ed, about.id, t0()).await.unwrap_err();
    assert!(matches!(e, DeskError::Conflict(ref m) if m.contains("move or delete")));
    delete_page(&store, &ed, staff_page.id, t0()).await.unwrap();
    assert!(matches!(
        store.page(staff_page.id).await,
        Err(StoreError::NotFound)
    ));
}

async fn site_addresses_and_roles_are_refused(store: Store) {
    let ed = staff(&store, "ed@example.org", Role::Editor).await;
    for slug in [
        "admin", "stories", "search", "events", "api", "tags", "sitemaps",
    ] {
        let e = create_page(&store, &ed, &input("Mine", slug), t0())
            .await
            .unwrap_err();
        assert!(
            matches!(e, DeskError::Invalid(ref i) if i.field == "slug" && i.message.contains("site's own")),
            "{slug}: {e}"
        );
    }
    let author = staff(&store, "au@example.org", Role::Author).await;
    let e = create_page(&store, &author, &input("About", "about"), t0())
        .await
        .unwrap_err();
    assert!(matches!(e, DeskError::Forbidden(_)));
    create_page(&store, &ed, &input("About", "about"), t0())
        .await
        .unwrap();
    let e = create_page(&store, &ed, &input("About again", "about"), t0())
        .await
        .unwrap_err();
    assert!(matches!(e, DeskError::Conflict(ref m) if m.contains("/about")));
}

async fn many_writers_make_the_same_page_once(store: Store) {
    let ed = staff(&store, "ed@example.org", Role::Editor).await;
    let tasks: Vec<_> = (0..8)
        .map(|i| {
            let store = store.clone();
            let ed = ed.clone();
            tokio::spawn(async move {
                create_page(
                    &store,
                    &ed,
                    &input(&format!("Contact {i}"), "contact"),
                    t0(),
                )
                .await
            })
        })
        .collect();
    let mut made = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(_) => made += 1,
            Err(DeskError::Conflict(m)) => assert!(m.contains("/contact"), "{m}"),
            Err(e) => panic!("a writer got {e:?}, not a conflict"),
        }
    }
    assert_eq!(made, 1);
    assert_eq!(store.pages().await.unwrap().len(), 1);
}

async fn importer_creates_and_updates_pages_in_bulk(store: Store) {
    let actor = Actor::system("wordpress import");
    let created = t0() - Duration::days(400);
    let updated = t0() - Duration::days(3);
    let pages = vec![
        PageImport {
            parent: ImportParent::Top,
            slug: "about".into(),
            title: "About".into(),
            body_md: "We cover Cedar Hollow.".into(),
            menu_order: 1,
            status: PageStatus::Published,
            created_at: created,
            updated_at: updated,
        },
        PageImport {
            parent: ImportParent::Earlier(0),
            slug: "ethics".into(),
            title: "Ethics".into(),
            body_md: "We correct errors.".into(),
            menu_order: 0,
            status: PageStatus::Published,
            created_at: created,
            updated_at: updated,
        },
    ];
    let ids = import_pages(&store, &actor, &pages, t0()).await.unwrap();
    let ethics = store.page(ids[1]).await.unwrap();
    assert_eq!(ethics.path, "about/ethics");
    assert_eq!(ethics.parent, Some(ids[0]));
    assert_eq!(ethics.created_at, created);
    assert_eq!(ethics.updated_at, updated);
    // Again, changed: the same pages, updated.
    let mut again = pages.clone();
    again[1].title = "Ethics policy".into();
    let ids2 = import_pages(&store, &actor, &again, t0()).await.unwrap();
    assert_eq!(ids, ids2);
    assert_eq!(store.page(ids[1]).await.unwrap().title, "Ethics policy");
    assert_eq!(store.pages().await.unwrap().len(), 2);
    // One bad page refuses the lot, naming it.
    let mut bad = pages.clone();
    bad.push(PageImport {
        slug: "search".into(),
        ..pages[0].clone()
    });
    bad[0].title = "Changed".into();
    let e = import_pages(&store, &actor, &bad, t0()).await.unwrap_err();
    assert!(e.to_string().contains("page 2 (\"search\")"), "{e}");
    assert_eq!(store.page(ids[0]).await.unwrap().title, "About");
}

fn redirect(key: &str, target: &str) -> NewRedirect {
    NewRedirect {
        key: key.into(),
        target: target.into(),
        origin: RedirectOrigin::Import,
    }
}

async fn redirects_in_bulk_with_chains_and_loops(store: Store) {
    // Past one statement's rows.
    let many: Vec<NewRedirect> = (0..2_600)
        .map(|i| redirect(&format!("/?p={i}"), &format!("/stories/story-{i}")))
        .collect();
    let added = store.add_redirects(&many, t0()).await.unwrap();
    assert_eq!(added.written, 2_600);
    assert!(added.loops.is_empty());
    assert_eq!(
        target(&store, "/?p=2599").await.as_deref(),
        Some("/stories/story-2599")
    );
    // A re-import changes a target.
    store
        .add_redirects(&[redirect("/?p=7", "/stories/moved")], t0())
        .await
        .unwrap();
    assert_eq!(
        target(&store, "/?p=7").await.as_deref(),
        Some("/stories/moved")
    );
    // A target that is an old address is followed once, in the batch or stored.
    let added = store
        .add_redirects(
            &[
                redirect("/2024/01/02/board-meets", "/?p=7"),
                redirect("/archives/7", "/2024/01/02/board-meets"),
                redirect("/a", "/b"),
                redirect("/b", "/a"),
            ],
            t0(),
        )
        .await
        .unwrap();
    assert_eq!(
        target(&store, "/2024/01/02/board-meets").await.as_deref(),
        Some("/stories/moved")
    );
    assert_eq!(
        target(&store, "/archives/7").await.as_deref(),
        Some("/?p=7")
    );
    assert_eq!(added.loops.len(), 2, "{added:?}");
    // By hand: a loop with a stored one is a conflict; the ones leading here are repointed.
    let e = store
        .add_redirect(
            &NewRedirect::from_address(
                "https://old.example.com/?p=7&utm_source=x",
                "/?p=3",
                RedirectOrigin::Desk,
            )
            .unwrap(),
            t0(),
        )
        .await;
    assert!(e.is_ok(), "{e:?}");
    assert_eq!(
        target(&store, "/?p=7").await.as_deref(),
        Some("/stories/story-3")
    );
    store
        .add_redirect(&redirect("/x", "/y"), t0())
        .await
        .unwrap();
    let e = store
        .add_redirect(&redirect("/y", "/x"), t0())
        .await
        .unwrap_err();
    assert!(
        matches!(e, StoreError::Conflict(ref m) if m.contains("loop")),
        "{e}"
    );
    // Keys and targets are checked.
    for bad in [
        redirect("/trailing/", "/x"),
        redirect("/x", "javascript:alert(1)"),
        redirect("no-slash", "/x"),
    ] {
        assert!(matches!(
            store.add_redirects(&[bad], t0()).await,
            Err(StoreError::Invalid(_))
        ));
    }
    // The desk's list: newest first, paged, searched.
    let (page, more) = store.redirects("", 0).await.unwrap();
    assert_eq!(page.len(), 50);
    assert!(more);
    let (found, more) = store.redirects("ARCHIVES", 0).await.unwrap();
    assert!(!more);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].key, "/archives/7");
    let (found, _) = store.redirects("p=259", 0).await.unwrap();
    assert_eq!(found.len(), 11);
    let (none, _) = store.redirects("100%", 0).await.unwrap();
    assert!(none.is_empty(), "% is not a wildcard");
    // Hits, and delete.
    store
        .add_redirect_hits(&[(found[0].id, 3), (RedirectId(-1), 1)])
        .await
        .unwrap();
    let gone = store.delete_redirect(found[0].id).await.unwrap();
    assert_eq!(gone.hits, 3);
    assert!(store.redirect_for(&gone.key).await.unwrap().is_none());
    assert!(matches!(
        store.delete_redirect(found[0].id).await,
        Err(StoreError::NotFound)
    ));
}

db_tests!(
    pages_nest_order_and_move_with_redirects,
    site_addresses_and_roles_are_refused,
    many_writers_make_the_same_page_once,
    importer_creates_and_updates_pages_in_bulk,
    redirects_in_bulk_with_chains_and_loops,
);
