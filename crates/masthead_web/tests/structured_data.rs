//! Issue 9, item 3: an article page's JSON-LD (the story and its breadcrumbs) parses, carries
//! what search engines require, names the right type for each kind, and stays inside its
//! `<script>` whatever a headline holds; Open Graph and Twitter card tags are there; the
//! pages stay valid HTML.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;
use masthead_core::{ArticleKind, EventStatus, NoteKind, Role};
use masthead_store::{NewEvent, Note};
use masthead_testkit::{
    ArticleBuilder, Desk, TestApp, app_tests, assert_valid_html, insert_image, t0,
};
use serde_json::Value;

app_tests!(
    a_news_story_describes_itself_with_authors_image_corrections_and_breadcrumbs,
    opinion_video_and_wire_copy_name_their_own_types_and_credits,
    no_headline_can_close_the_json_ld_script,
    calendar_events_are_schema_org_events,
    the_publisher_logo_is_set_in_the_desk_and_checked,
);

const BASE: &str = "https://news.example.org";

/// The one JSON-LD block of `html`, parsed.
fn json_ld(html: &str) -> Value {
    let open = r#"<script type="application/ld+json">"#;
    assert_eq!(html.matches(open).count(), 1, "one JSON-LD block");
    let start = html.find(open).unwrap() + open.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).expect("the JSON-LD parses")
}

/// The `@graph` entry of `@type` `kind`.
fn node<'a>(ld: &'a Value, kind: &str) -> &'a Value {
    ld["@graph"]
        .as_array()
        .expect("a graph")
        .iter()
        .find(|n| n["@type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {ld:#}"))
}

async fn a_news_story_describes_itself_with_authors_image_corrections_and_breadcrumbs(
    app: TestApp,
) {
    let desk = Desk::create(app.store()).await;
    let image = insert_image(app.store(), "hall.jpg", "The village hall", (1200, 675)).await;
    ArticleBuilder::new("Board passes the levy", desk.news)
        .author(desk.reporter)
        .author(desk.editor)
        .summary("The vote was close.")
        .image(image, "Trustees on Tuesday.")
        .tag("Village Board")
        .published(t0() - Duration::hours(3))
        .updated(t0() - Duration::minutes(30))
        .note(Note {
            kind: NoteKind::Correction,
            text: "The vote was 5-2, not 6-1.".into(),
            at: t0() - Duration::minutes(30),
        })
        .insert(app.store())
        .await;

    let page = app.get("/stories/board-passes-the-levy").await;
    assert_eq!(page.status, 200);
    let ld = json_ld(&page.body);
    assert_eq!(ld["@context"], "https://schema.org");
    let article = node(&ld, "NewsArticle");
    assert_eq!(article["headline"], "Board passes the levy");
    assert_eq!(article["description"], "The vote was close.");
    assert_eq!(
        article["url"],
        format!("{BASE}/stories/board-passes-the-levy")
    );
    assert_eq!(article["mainEntityOfPage"], article["url"]);
    assert_eq!(
        article["image"],
        serde_json::json!([format!("{BASE}/media/hall.jpg")])
    );
    assert_eq!(article["datePublished"], "2026-11-27T15:00:00Z");
    assert_eq!(article["dateModified"], "2026-11-27T17:30:00Z");
    let authors = article["author"].as_array().expect("authors as an array");
    assert_eq!(authors.len(), 2);
    for a in authors {
        assert_eq!(a["@type"], "Person");
        let url = a["url"].as_str().expect("a staff author's page");
        assert!(url.starts_with(&format!("{BASE}/author/")), "{url}");
        assert!(a["name"].as_str().is_some_and(|n| !n.is_empty()));
    }
    assert_eq!(article["publisher"]["@type"], "NewsMediaOrganization");
    assert_eq!(article["publisher"]["url"], BASE);
    assert!(
        article["publisher"]["name"]
            .as_str()
            .is_some_and(|n| !n.is_empty())
    );
    assert_eq!(article["articleSection"], "Local News");
    assert_eq!(article["inLanguage"], "en");
    assert_eq!(article["keywords"], serde_json::json!(["Village Board"]));
    assert_eq!(article["correction"][0]["@type"], "CorrectionComment");
    assert_eq!(
        article["correction"][0]["text"],
        "The vote was 5-2, not 6-1."
    );
    assert_eq!(
        article["correction"][0]["datePublished"],
        "2026-11-27T17:30:00Z"
    );
    assert!(article.get("video").is_none());

    let crumbs = node(&ld, "BreadcrumbList")["itemListElement"]
        .as_array()
        .unwrap();
    let trail: Vec<(&str, &str)> = crumbs
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["item"].as_str().unwrap()))
        .collect();
    assert_eq!(
        trail[1],
        ("Local News", "https://news.example.org/section/news")
    );
    assert_eq!(
        trail[2],
        (
            "Board passes the levy",
            "https://news.example.org/stories/board-passes-the-levy"
        )
    );
    assert_eq!(trail[0].1, BASE);
    assert_eq!(
        crumbs
            .iter()
            .map(|c| c["position"].as_u64().unwrap())
            .collect::<Vec<_>>(),
        [1, 2, 3]
    );

    // The card tags social sites read.
    for tag in [
        r#"<meta property="og:title" content="Board passes the levy">"#,
        r#"<meta property="og:description" content="The vote was close.">"#,
        r#"<meta name="twitter:card" content="summary_large_image">"#,
        r#"<meta name="twitter:image" content="https://news.example.org/media/hall.jpg">"#,
        r#"<meta name="twitter:image:alt" content="The village hall">"#,
    ] {
        assert!(page.body.contains(tag), "missing {tag}");
    }
    assert_valid_html(&[("news story", page.body)]);
}

async fn opinion_video_and_wire_copy_name_their_own_types_and_credits(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    ArticleBuilder::new("Keep the library open", desk.news)
        .kind(ArticleKind::Opinion)
        .author(desk.editor)
        .insert(app.store())
        .await;
    ArticleBuilder::new("Watch the parade", desk.news)
        .video("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
        .summary("Floats on Main Street.")
        .insert(app.store())
        .await;
    let original = "https://wire.example.com/2026/11/state-budget";
    ArticleBuilder::new("State budget passes", desk.news)
        .wire("Jane Doe", "Prairie State Wire", original, true)
        .insert(app.store())
        .await;

    let opinion = app.get("/stories/keep-the-library-open").await;
    let ld = json_ld(&opinion.body);
    assert_eq!(
        node(&ld, "OpinionNewsArticle")["headline"],
        "Keep the library open"
    );

    let video = app.get("/stories/watch-the-parade").await;
    let ld = json_ld(&video.body);
    let clip = &node(&ld, "NewsArticle")["video"];
    assert_eq!(clip["@type"], "VideoObject");
    assert_eq!(
        clip["embedUrl"],
        "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"
    );
    assert_eq!(clip["name"], "Watch the parade");
    assert_eq!(clip["description"], "Floats on Main Street.");
    assert!(clip["uploadDate"].as_str().is_some());

    let wire = app.get("/stories/state-budget-passes").await;
    let ld = json_ld(&wire.body);
    let article = node(&ld, "NewsArticle");
    assert_eq!(
        article["author"],
        serde_json::json!([{"@type": "Person", "name": "Jane Doe"}])
    );
    assert_eq!(article["isBasedOn"], original);
    // The source asked for the canonical link to point at its original.
    assert_eq!(article["mainEntityOfPage"], original);
    assert!(
        wire.body
            .contains(&format!(r#"<link rel="canonical" href="{original}">"#))
    );
    assert_valid_html(&[
        ("opinion", opinion.body),
        ("video", video.body),
        ("wire copy", wire.body),
    ]);
}

async fn no_headline_can_close_the_json_ld_script(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    let title = r#"Budget </script><script>alert(1)</script> & "quotes" <!-- too"#;
    ArticleBuilder::new(title, desk.news)
        .slug("budget-script")
        .summary("</SCRIPT><img src=x onerror=alert(2)>")
        .tag("</script>")
        .insert(app.store())
        .await;
    let page = app.get("/stories/budget-script").await;
    assert_eq!(page.status, 200);
    assert!(
        !page.body.contains("<script>alert"),
        "a script escaped its element"
    );
    assert!(
        !page.body.contains("<img src=x"),
        "markup escaped its element"
    );
    let ld = json_ld(&page.body);
    let article = node(&ld, "NewsArticle");
    assert_eq!(article["headline"], title, "the JSON reads back exactly");
    assert_eq!(
        article["description"],
        "</SCRIPT><img src=x onerror=alert(2)>"
    );
    assert_eq!(article["keywords"], serde_json::json!(["</script>"]));
    assert_valid_html(&[("hostile headline", page.body)]);
}

async fn calendar_events_are_schema_org_events(app: TestApp) {
    let event = |title: &str, hours: i64, all_day: bool| NewEvent {
        title: title.into(),
        starts_at: t0() + Duration::hours(hours),
        ends_at: Some(t0() + Duration::hours(hours + 2)),
        all_day,
        timezone: "America/Chicago".into(),
        location: "Village Green, 1 Main St.".into(),
        description: "Bring a chair </script>.".into(),
        link: "https://library.example.org/concert".into(),
        status: EventStatus::Approved,
    };
    for e in [
        event("Band concert", 48, false),
        event("Harvest fair", 72, true),
    ] {
        app.store().insert_event(&e, t0()).await.unwrap();
    }
    app.refresh().await;
    let page = app.get("/events").await;
    assert_eq!(page.status, 200);
    let ld = json_ld(&page.body);
    let events = ld["@graph"].as_array().expect("a graph of events");
    assert_eq!(events.len(), 2);
    let concert = &events[0];
    assert_eq!(concert["@type"], "Event");
    assert_eq!(concert["name"], "Band concert");
    // 18:00 UTC on Nov. 29 is noon in Chicago.
    assert_eq!(concert["startDate"], "2026-11-29T12:00:00-06:00");
    assert_eq!(concert["endDate"], "2026-11-29T14:00:00-06:00");
    assert_eq!(concert["location"]["@type"], "Place");
    assert_eq!(concert["location"]["name"], "Village Green, 1 Main St.");
    assert_eq!(concert["description"], "Bring a chair </script>.");
    assert_eq!(concert["url"], format!("{BASE}/events/band-concert"));
    assert_eq!(concert["sameAs"], "https://library.example.org/concert");
    assert_eq!(concert["eventStatus"], "https://schema.org/EventScheduled");
    assert_eq!(
        events[1]["startDate"], "2026-11-30",
        "an all-day event is a date"
    );
    assert_valid_html(&[("events", page.body)]);
}

async fn the_publisher_logo_is_set_in_the_desk_and_checked(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    ArticleBuilder::new("Logo story", desk.news)
        .slug("logo-story")
        .insert(app.store())
        .await;
    insert_image(app.store(), "courier-logo.png", "The Courier", (600, 60)).await;
    app.refresh().await;
    let publisher = |html: &str| node(&json_ld(html), "NewsArticle")["publisher"].clone();
    // No logo until one is set: no empty or made-up address.
    let before = publisher(&app.get("/stories/logo-story").await.body);
    assert!(before.get("logo").is_none(), "{before:#}");

    let root = app.staff("root@example.org", Role::Admin).await;
    let form = |logo: &'static str| {
        [
            ("name", "The Test Town Times"),
            ("tagline", ""),
            ("base_url", BASE),
            ("timezone", "America/Chicago"),
            ("page_size", "10"),
            ("logo", logo),
        ]
    };
    for (wrong, says) in [
        (
            "/media/no-such-logo.png",
            "no image at /media/no-such-logo.png",
        ),
        ("logo.png", "starts with /media/"),
        ("http://insecure.example/logo.png", "https://"),
        ("/media/a/../../etc/passwd", "starts with /media/"),
        ("https://cdn.example.org/a logo.png", "https://"),
    ] {
        let r = app.post_as(&root, "/admin/settings", &form(wrong)).await;
        assert_eq!(r.status.as_u16(), 422, "{wrong}");
        assert!(r.body.contains(says), "{wrong}: {}", r.body);
        assert!(
            r.body.contains(&wrong.replace('&', "&amp;")),
            "the form keeps {wrong}"
        );
    }
    let r = app
        .post_as(&root, "/admin/settings", &form("/media/courier-logo.png"))
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    app.refresh().await;
    let page = app.get("/stories/logo-story").await.body;
    let logo = &publisher(&page)["logo"];
    assert_eq!(logo["@type"], "ImageObject");
    assert_eq!(logo["url"], format!("{BASE}/media/courier-logo.png"));
    let events = app.get("/events").await;
    assert_eq!(events.status.as_u16(), 200);

    // A full address elsewhere is taken as it is; an empty field removes the logo.
    let r = app
        .post_as(
            &root,
            "/admin/settings",
            &form("https://cdn.example.org/logo.png"),
        )
        .await;
    assert_eq!(r.status.as_u16(), 200, "{}", r.body);
    app.refresh().await;
    let page = app.get("/stories/logo-story").await.body;
    assert_eq!(
        publisher(&page)["logo"]["url"],
        "https://cdn.example.org/logo.png"
    );
    app.post_as(&root, "/admin/settings", &form("")).await;
    app.refresh().await;
    let page = app.get("/stories/logo-story").await.body;
    assert!(publisher(&page).get("logo").is_none());
}
