//! "A scheduled story appears at its minute on every surface", proved as written (issue 8):
//! two stories, one scheduled through the desk and one through the API, due a minute apart;
//! after each minute every list page, the latest-stories widget on another story's page and
//! the API show exactly the stories that are due, with no job run and no cache cleared
//! (only the content poller's tick, which every running server has).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

mod api_support;

use api_support::{call, staff};
use chrono::Duration;
use masthead_core::{Clock, Role};
use masthead_testkit::{ArticleBuilder, Desk, TestApp, app_tests, t0};
use serde_json::{Value, json};

app_tests!(a_scheduled_story_appears_at_its_minute_on_every_surface);

/// Every public place a story is listed, plus another story's page (its widget).
const SURFACES: [&str; 6] = [
    "/",
    "/latest",
    "/section/news",
    "/author/ana-reyes",
    "/tag/levy",
    "/stories/older-story",
];

async fn visible_on(app: &TestApp, title: &str) -> Vec<&'static str> {
    let mut on = Vec::new();
    for path in SURFACES {
        let page = app.get(path).await;
        assert_eq!(page.status.as_u16(), 200, "{path}");
        if page.body.contains(title) {
            on.push(path);
        }
    }
    on
}

async fn api_view(app: &TestApp, token: &str, id: i64) -> (Value, Value, Value) {
    let one = call(
        app,
        "GET",
        &format!("/api/v1/articles/{id}"),
        Some(token),
        None,
    )
    .await;
    let list = call(app, "GET", "/api/v1/articles", Some(token), None).await;
    let row = list.json["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .cloned()
        .unwrap();
    (
        one.json["status"].clone(),
        one.json["public_url"].clone(),
        row["status"].clone(),
    )
}

async fn a_scheduled_story_appears_at_its_minute_on_every_surface(app: TestApp) {
    let desk = Desk::create(app.store()).await;
    ArticleBuilder::new("Older story", desk.news)
        .slug("older-story")
        .author(desk.reporter)
        .tag("levy")
        .insert(app.store())
        .await;
    let editor = app.staff("ed@example.org", Role::Editor).await;
    let (_, token) = staff(&app, "api@example.org", Role::Editor).await;
    let (section, reporter) = (desk.news.0.to_string(), desk.reporter.0.to_string());

    // Through the desk, for 12:10 Chicago time (t0 is 12:00 there).
    let r = app
        .post_as(
            &editor,
            "/admin/articles/new",
            &[
                ("kind", "news"),
                ("title", "Desk story on the levy"),
                ("section", &section),
                ("authors", &reporter),
                ("tags", "levy"),
                ("body_md", "Words."),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);
    let desk_id: i64 = r
        .header("location")
        .trim_start_matches("/admin/articles/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let r = app
        .post_as(
            &editor,
            &format!("/admin/articles/{desk_id}"),
            &[
                ("kind", "news"),
                ("title", "Desk story on the levy"),
                ("section", &section),
                ("authors", &reporter),
                ("tags", "levy"),
                ("body_md", "Words."),
                ("version", "1"),
                ("action", "schedule"),
                ("publish_at", "2026-11-27T12:10"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "{}", r.body);

    // Through the API, a minute later.
    let created = call(
        &app,
        "POST",
        "/api/v1/articles",
        Some(&token),
        Some(
            json!({"title": "API story on the levy", "section": desk.news.0,
                    "authors": [desk.reporter.0], "tags": ["levy"], "body_md": "Words."}),
        ),
    )
    .await;
    assert_eq!(created.status(), 201, "{}", created.response.body);
    let api_id = created.json["id"].as_i64().unwrap();
    let scheduled = call(
        &app,
        "POST",
        &format!("/api/v1/articles/{api_id}/schedule"),
        Some(&token),
        Some(json!({"version": 1, "publish_at": "2026-11-27T12:11:00-06:00"})),
    )
    .await;
    assert_eq!(scheduled.status(), 200, "{}", scheduled.response.body);
    // The writes are seen as the poller would see them; from here on only the clock moves.
    app.refresh().await;
    assert_eq!(app.clock.now(), t0(), "the story times below count from t0");

    app.clock
        .advance(Duration::minutes(9) + Duration::seconds(59));
    for title in ["Desk story on the levy", "API story on the levy"] {
        assert_eq!(
            visible_on(&app, title).await,
            Vec::<&str>::new(),
            "{title} early"
        );
    }
    assert_eq!(
        api_view(&app, &token, desk_id).await,
        (json!("scheduled"), Value::Null, json!("scheduled"))
    );

    app.clock.advance(Duration::seconds(1));
    assert_eq!(
        visible_on(&app, "Desk story on the levy").await,
        SURFACES.to_vec()
    );
    assert_eq!(
        visible_on(&app, "API story on the levy").await,
        Vec::<&str>::new()
    );
    let (status, url, row) = api_view(&app, &token, desk_id).await;
    assert_eq!((status, row), (json!("published"), json!("published")));
    assert!(
        url.as_str()
            .unwrap()
            .ends_with("/stories/desk-story-on-the-levy"),
        "{url}"
    );
    assert_eq!(api_view(&app, &token, api_id).await.0, json!("scheduled"));

    // The poller's next tick (every 250 ms on a running server; TestApp runs none) learns
    // of the following change.
    app.refresh().await;

    app.clock.advance(Duration::minutes(1));
    assert_eq!(
        visible_on(&app, "API story on the levy").await,
        SURFACES.to_vec()
    );
    let (status, url, row) = api_view(&app, &token, api_id).await;
    assert_eq!((status, row), (json!("published"), json!("published")));
    assert!(
        url.as_str()
            .unwrap()
            .ends_with("/stories/api-story-on-the-levy"),
        "{url}"
    );
}
