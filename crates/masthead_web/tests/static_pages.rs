//! Static pages and old addresses on the public site, on both databases through the real
//! router: a page at its address with the theme's layout, breadcrumbs and canonical link;
//! drafts 404; the page cache turned over by an edit; the footer and the sitemap; redirects
//! from WordPress-style addresses (dated paths, `?p=`, `/archives/N`, categories, encoded
//! and Unicode paths, tracking parameters dropped); and a redirect added after a 404 was
//! served taking effect at once.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use axum::http::StatusCode;
use chrono::Duration;
use masthead_core::{PageStatus, Role};
use masthead_desk::Staff;
use masthead_desk::pages::{PageInput, create_page, save_page};
use masthead_store::{Actor, NewRedirect, NewUser, Page, RedirectOrigin};
use masthead_testkit::{HttpClient, SitemapSchemas, TestApp, TestServer, app_tests, t0};

const BASE: &str = "https://news.example.org";

async fn editor(app: &TestApp) -> Staff {
    let store = app.store();
    store
        .create_user(
            &NewUser {
                email: "ed@example.org".into(),
                name: "Pat Editor".into(),
                role: Role::Editor,
                password_hash: "$argon2id$fake".into(),
            },
            &Actor::system("test"),
            t0(),
        )
        .await
        .unwrap();
    let user = store
        .credentials("ed@example.org")
        .await
        .unwrap()
        .unwrap()
        .user;
    Staff {
        user,
        role: Role::Editor,
    }
}

async fn page(
    app: &TestApp,
    ed: &Staff,
    parent: Option<&Page>,
    title: &str,
    slug: &str,
    status: PageStatus,
    order: i64,
) -> Page {
    create_page(
        app.store(),
        ed,
        &PageInput {
            parent: parent.map(|p| p.id),
            slug: slug.into(),
            title: title.into(),
            body_md: format!("What **{title}** says & more."),
            menu_order: order,
            status,
        },
        t0(),
    )
    .await
    .unwrap()
}

async fn published_pages_answer_at_their_address(app: TestApp) {
    let ed = editor(&app).await;
    let about = page(
        &app,
        &ed,
        None,
        "About us",
        "about",
        PageStatus::Published,
        2,
    )
    .await;
    page(
        &app,
        &ed,
        Some(&about),
        "Ethics policy",
        "ethics",
        PageStatus::Published,
        0,
    )
    .await;
    page(
        &app,
        &ed,
        None,
        "Contact",
        "contact",
        PageStatus::Published,
        1,
    )
    .await;
    let plans = page(
        &app,
        &ed,
        None,
        "Secret plans",
        "plans",
        PageStatus::Draft,
        0,
    )
    .await;
    page(
        &app,
        &ed,
        Some(&plans),
        "Under a draft",
        "budget",
        PageStatus::Published,
        0,
    )
    .await;
    app.refresh().await;

    let r = app.get("/about").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.header("content-type"), "text/html; charset=utf-8");
    assert!(r.body.contains("<title>About us | "), "{}", r.body);
    assert!(
        r.body
            .contains(&format!("<link rel=\"canonical\" href=\"{BASE}/about\">"))
    );
    assert!(r.body.contains("<h1>About us</h1>"));
    assert!(
        r.body
            .contains("What <strong>About us</strong> says &amp; more.")
    );
    assert!(
        !r.body.contains("aria-label=\"Breadcrumb\""),
        "a top page has none"
    );

    let r = app.get("/about/ethics").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(&format!("href=\"{BASE}/about/ethics\"")));
    assert!(r.body.contains("aria-label=\"Breadcrumb\""));
    assert!(r.body.contains("<a href=\"/about\">About us</a>"));
    assert!(r.body.contains("aria-current=\"page\">Ethics policy</a>"));

    let r = app.get("/about/").await;
    assert_eq!(r.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(r.header("location"), "/about");

    for missing in [
        "/plans",
        "/plans/budget",
        "/nothing-here",
        "/about/nothing",
        "/About",
    ] {
        assert_eq!(
            app.get(missing).await.status,
            StatusCode::NOT_FOUND,
            "{missing}"
        );
    }

    // The footer lists the top-level published pages by menu order, on every page.
    let home = app.get("/").await.body;
    let contact = home
        .find("<a href=\"/contact\">Contact</a>")
        .expect("contact");
    let about_at = home.find("<a href=\"/about\">About us</a>").expect("about");
    assert!(contact < about_at, "menu order");
    assert!(!home.contains("/about/ethics"), "only top-level pages");
    assert!(!home.contains("/plans"), "no drafts");

    // The sitemap lists published pages, and the schema accepts it.
    let schemas = SitemapSchemas::new();
    let r = app.get("/sitemaps/pages.xml").await;
    assert_eq!(r.status, StatusCode::OK);
    schemas.validate("sitemap.xsd", "/sitemaps/pages.xml", &r.body);
    for path in ["/about", "/about/ethics", "/contact"] {
        assert!(
            r.body.contains(&format!("<loc>{BASE}{path}</loc>")),
            "{path}: {}",
            r.body
        );
    }
    assert!(!r.body.contains("/plans"));
}

async fn an_edit_turns_the_cached_page_over(app: TestApp) {
    let ed = editor(&app).await;
    let about = page(
        &app,
        &ed,
        None,
        "About us",
        "about",
        PageStatus::Published,
        0,
    )
    .await;
    app.refresh().await;
    assert_eq!(app.get("/about").await.status, StatusCode::OK);
    let hit = app.get("/about").await;
    assert_eq!(hit.header("x-cache"), "hit", "kept by the page cache");
    save_page(
        app.store(),
        &ed,
        about.id,
        about.version,
        &PageInput {
            slug: "about".into(),
            title: "About the Courier".into(),
            body_md: "New words.".into(),
            status: PageStatus::Published,
            ..PageInput::default()
        },
        t0() + Duration::minutes(1),
    )
    .await
    .unwrap();
    app.refresh().await;
    let r = app.get("/about").await;
    assert!(r.body.contains("<h1>About the Courier</h1>"), "{}", r.body);
    assert!(app.get("/").await.body.contains(">About the Courier</a>"));
    // Unpublished: gone at once, footer included.
    let current = app.store().page(about.id).await.unwrap();
    save_page(
        app.store(),
        &ed,
        about.id,
        current.version,
        &PageInput {
            slug: "about".into(),
            title: "About the Courier".into(),
            status: PageStatus::Draft,
            ..PageInput::default()
        },
        t0() + Duration::minutes(2),
    )
    .await
    .unwrap();
    app.refresh().await;
    assert_eq!(app.get("/about").await.status, StatusCode::NOT_FOUND);
    assert!(!app.get("/").await.body.contains("About the Courier"));
}

fn redirect(key: &str, target: &str) -> NewRedirect {
    NewRedirect {
        key: key.into(),
        target: target.into(),
        origin: RedirectOrigin::Import,
    }
}

async fn old_addresses_answer_301(app: TestApp) {
    app.store()
        .add_redirects(
            &[
                redirect("/2024/01/02/slug", "/stories/board-meets"),
                redirect("/?p=123", "/stories/levy-passes"),
                redirect("/?cat=4", "/section/news"),
                redirect("/archives/123", "/stories/levy-passes"),
                redirect("/category/news", "/section/news"),
                redirect("/café-menu", "/stories/fish-fry"),
                redirect("/a%20b", "https://partner.example.org/x"),
                redirect("/?name=josé&year=2024", "/stories/jose"),
            ],
            t0(),
        )
        .await
        .unwrap();
    for (asked, location) in [
        ("/2024/01/02/slug/", "/stories/board-meets"),
        ("/2024//01/02/slug", "/stories/board-meets"),
        ("/?p=123", "/stories/levy-passes"),
        (
            "/?utm_source=newsletter&p=123&fbclid=abc",
            "/stories/levy-passes",
        ),
        ("/?cat=4", "/section/news"),
        ("/archives/123", "/stories/levy-passes"),
        ("/archives/123/?replytocom=5", "/stories/levy-passes"),
        ("/category/news/", "/section/news"),
        ("/caf%C3%A9-menu/", "/stories/fish-fry"),
        ("/a%20b", "https://partner.example.org/x"),
        ("/?year=2024&name=jos%C3%A9", "/stories/jose"),
        ("/?year=2024&name=jos%c3%a9", "/stories/jose"),
    ] {
        let r = app.get(asked).await;
        assert_eq!(
            r.status,
            StatusCode::MOVED_PERMANENTLY,
            "{asked}: {}",
            r.body
        );
        assert_eq!(r.header("location"), location, "{asked}");
    }
    // The front page with noise, or content keys without a redirect, is the front page.
    for asked in ["/?utm_source=x", "/?p=999", "/"] {
        assert_eq!(app.get(asked).await.status, StatusCode::OK, "{asked}");
    }
    // Invalid UTF-8 and unknown addresses stay 404; the API keeps its own 404.
    assert_eq!(app.get("/caf%FF").await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get("/archives/124").await.status, StatusCode::NOT_FOUND);
    // A target that is not ASCII goes out percent-encoded.
    app.store()
        .add_redirects(&[redirect("/menu", "/café")], t0())
        .await
        .unwrap();
    assert_eq!(app.get("/menu").await.header("location"), "/caf%C3%A9");
    // Hits are counted in memory and written by the upkeep, not by the requests.
    let (rows, _) = app.store().redirects("/?p=123", 0).await.unwrap();
    assert_eq!(rows[0].hits, 0);
    masthead_web::housekeeping::write_redirect_hits(&app.state).await;
    let (rows, _) = app.store().redirects("/?p=123", 0).await.unwrap();
    assert_eq!((rows.len(), rows[0].hits), (1, 2));
    masthead_web::housekeeping::write_redirect_hits(&app.state).await;
    let (rows, _) = app.store().redirects("/?p=123", 0).await.unwrap();
    assert_eq!(rows[0].hits, 2, "counted once");
}

async fn a_redirect_added_after_a_404_takes_effect(app: TestApp) {
    app.refresh().await;
    for _ in 0..3 {
        let r = app.get("/2019/05/06/old-story/").await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
    }
    app.store()
        .add_redirect(
            &NewRedirect::from_address(
                "https://old.example.com/2019/05/06/old-story/",
                "/stories/old-story",
                RedirectOrigin::Desk,
            )
            .unwrap(),
            t0(),
        )
        .await
        .unwrap();
    let r = app.get("/2019/05/06/old-story/").await;
    assert_eq!(r.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(r.header("location"), "/stories/old-story");
    // The front page was cached before `/?p=5` had a redirect; the redirect still wins.
    assert_eq!(app.get("/").await.status, StatusCode::OK);
    assert_eq!(app.get("/?p=5").await.status, StatusCode::OK);
    app.store()
        .add_redirects(&[redirect("/?p=5", "/stories/five")], t0())
        .await
        .unwrap();
    let r = app.get("/?p=5").await;
    assert_eq!(r.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(r.header("location"), "/stories/five");
    // A page moved in the desk leaves a redirect that answers.
    let ed = editor(&app).await;
    let about = page(&app, &ed, None, "About", "about", PageStatus::Published, 0).await;
    save_page(
        app.store(),
        &ed,
        about.id,
        about.version,
        &PageInput {
            slug: "about-us".into(),
            title: "About".into(),
            status: PageStatus::Published,
            ..PageInput::default()
        },
        t0(),
    )
    .await
    .unwrap();
    app.refresh().await;
    let r = app.get("/about").await;
    assert_eq!(r.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(r.header("location"), "/about-us");
    assert_eq!(app.get("/about-us").await.status, StatusCode::OK);
}

/// Over a real socket through the server loop the binary runs: a page twice (the second
/// answered before routing), its HEAD, WordPress addresses with encoded and Unicode paths and
/// tracking noise, and a 404 that stays one.
async fn pages_and_redirects_over_real_http(app: TestApp) {
    let ed = editor(&app).await;
    page(
        &app,
        &ed,
        None,
        "About us",
        "about",
        PageStatus::Published,
        0,
    )
    .await;
    app.store()
        .add_redirects(
            &[
                redirect("/2024/01/02/slug", "/about"),
                redirect("/?p=123", "/about"),
                redirect("/?cat=4", "/section/news"),
                redirect("/archives/123", "/about"),
                redirect("/category/news", "/section/news"),
                redirect("/nouvelles/café", "/about"),
            ],
            t0(),
        )
        .await
        .unwrap();
    app.refresh().await;
    let server = TestServer::app(&app).await;
    let mut client = HttpClient::connect(&server).await;
    let first = client.send("GET", "/about", &[], "").await;
    assert_eq!(first.status, StatusCode::OK);
    let again = client.send("GET", "/about", &[], "").await;
    assert_eq!(again.headers["x-cache"], "hit");
    assert_eq!(again.body, first.body);
    let head = client.send("HEAD", "/about", &[], "").await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.body.is_empty());
    for (asked, location) in [
        ("/2024/01/02/slug/", "/about"),
        ("/?p=123&utm_source=newsletter&utm_medium=email", "/about"),
        ("/?cat=4", "/section/news"),
        ("/archives/123", "/about"),
        ("/category/news/", "/section/news"),
        ("/nouvelles/caf%C3%A9/", "/about"),
        ("/nouvelles//caf%c3%a9", "/about"),
    ] {
        for method in ["GET", "HEAD"] {
            let r = client.send(method, asked, &[], "").await;
            assert_eq!(r.status, StatusCode::MOVED_PERMANENTLY, "{method} {asked}");
            assert_eq!(r.headers["location"], location, "{method} {asked}");
        }
    }
    let r = client.send("GET", "/archives/124", &[], "").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.contains("<main"), "the site's own 404 page");
    let r = client.send("POST", "/archives/123", &[], "").await;
    assert_ne!(
        r.status,
        StatusCode::MOVED_PERMANENTLY,
        "no redirect for a POST"
    );
}

app_tests!(
    pages_and_redirects_over_real_http,
    published_pages_answer_at_their_address,
    an_edit_turns_the_cached_page_over,
    old_addresses_answer_301,
    a_redirect_added_after_a_404_takes_effect,
);
