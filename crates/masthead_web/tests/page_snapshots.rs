//! Snapshots of every page type, rendered from fixed fixture data at a fixed time, and proof
//! that SQLite and PostgreSQL produce byte-identical pages. A template change shows up here as
//! a reviewed diff (`cargo insta review`); a stale snapshot fails CI.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::{Duration, NaiveDate};
use masthead_core::PageStatus;
use masthead_core::{
    ArticleKind, CommentStatus, Decision, EventStatus, NoteKind, Outcome, RoundupItem,
};
use masthead_desk::pages::{ImportParent, PageImport, import_pages};
use masthead_store::{Actor, Meeting, NewEvent, NewMedia, Note};
use masthead_testkit::{ArticleBuilder, Desk, TestApp, TestDb, t0};

const PAGES: &[(&str, &str)] = &[
    ("home", "/"),
    (
        "article_meeting_brief",
        "/stories/village-board-approves-levy",
    ),
    ("article_wire", "/stories/state-budget-passes"),
    ("article_roundup", "/stories/test-town-quick-hits"),
    ("article_video", "/stories/watch-homecoming-parade"),
    ("article_opinion", "/stories/op-ed-fix-the-sidewalks"),
    ("section", "/section/news"),
    ("author", "/author/ana-reyes"),
    ("tag", "/tag/village-board"),
    ("events", "/events"),
    ("page", "/about/ethics-policy"),
    ("not_found", "/no/such/page"),
];

async fn newsroom(app: &TestApp) {
    let s = app.store();
    let desk = Desk::create(s).await;
    let media = |name: &str, alt: &str| NewMedia {
        storage_name: format!("{name}.jpg"),
        original_name: format!("{name}.jpg"),
        content_type: "image/jpeg".into(),
        width: 800,
        height: 450,
        byte_size: 1000,
        alt: alt.into(),
        credit: "Times photo".into(),
        uploaded_by: None,
        variants: Vec::new(),
    };
    let hall = s
        .insert_media(&media("hall", "The village hall at dusk"), t0())
        .await
        .unwrap();
    let id = ArticleBuilder::new("Village board approves levy", desk.news)
        .author(desk.reporter)
        .summary("Trustees approved a 2% levy increase after a long hearing.")
        .body("Trustees voted **5-2** on Tuesday.\n\n> We had no choice, the mayor said.\n\nThe levy takes effect in May.")
        .image(hall, "Trustees at Tuesday's meeting.")
        .tag("Village Board")
        .tag("taxes")
        .updated(t0() - Duration::minutes(20))
        .note(Note { kind: NoteKind::Correction, text: "An earlier version misstated the vote.".into(), at: t0() - Duration::minutes(20) })
        .meeting(Meeting {
            body: "Test Town Village Board".into(),
            date: NaiveDate::from_ymd_opt(2026, 11, 24).unwrap(),
            decisions: vec![
                Decision { motion: "Approve a 2% levy increase".into(), vote: "5-2".into(), outcome: Outcome::Passed },
                Decision { motion: "Buy a second plow truck".into(), vote: "3-4".into(), outcome: Outcome::Failed },
                Decision { motion: "Rename Elm Park".into(), vote: "voice vote".into(), outcome: Outcome::Tabled },
            ],
        })
        .published(t0() - Duration::hours(2))
        .insert(s)
        .await;
    s.insert_comment(
        id,
        "Pat Q.",
        "pat@example.com",
        "Thanks for covering this.",
        CommentStatus::Approved,
        t0(),
    )
    .await
    .unwrap();
    ArticleBuilder::new("State budget passes", desk.news)
        .wire(
            "Jo Writer",
            "Prairie Wire",
            "https://wire.example.org/budget",
            true,
        )
        .published(t0() - Duration::hours(3))
        .insert(s)
        .await;
    ArticleBuilder::new("Test Town quick hits", desk.news)
        .items(vec![
            RoundupItem {
                headline: "Leaf pickup starts".into(),
                body_html: String::new(),
                body_md: "Crews begin Monday.".into(),
            },
            RoundupItem {
                headline: "Library extends hours".into(),
                body_html: String::new(),
                body_md: "Open until 8 p.m.".into(),
            },
        ])
        .author(desk.editor)
        .published(t0() - Duration::hours(4))
        .insert(s)
        .await;
    ArticleBuilder::new("WATCH: Homecoming parade", desk.sports)
        .video("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
        .author(desk.editor)
        .published(t0() - Duration::hours(5))
        .insert(s)
        .await;
    ArticleBuilder::new("Op-Ed: Fix the sidewalks", desk.news)
        .kind(ArticleKind::Opinion)
        .wire("Lee Resident", "", "", false)
        .tag("Village Board")
        .published(t0() - Duration::hours(6))
        .insert(s)
        .await;
    s.insert_event(
        &NewEvent {
            title: "Holiday tree lighting".into(),
            starts_at: t0() + Duration::hours(30),
            ends_at: Some(t0() + Duration::hours(32)),
            all_day: false,
            timezone: "America/Chicago".into(),
            location: "Village Green".into(),
            description: "Cocoa & carols.".into(),
            link: "https://example.org/tree".into(),
            status: EventStatus::Approved,
        },
        t0(),
    )
    .await
    .unwrap();
    // Static pages, as an import would make them: "About" in the footer, a page under it.
    let page = |parent, slug: &str, title: &str, body: &str| PageImport {
        parent,
        slug: slug.into(),
        title: title.into(),
        body_md: body.into(),
        menu_order: 0,
        status: PageStatus::Published,
        created_at: t0() - Duration::days(30),
        updated_at: t0() - Duration::days(2),
    };
    import_pages(
        s,
        &Actor::system("test"),
        &[
            page(ImportParent::Top, "about", "About the Times", "Since 1901."),
            page(
                ImportParent::Earlier(0),
                "ethics-policy",
                "Ethics policy",
                "We **correct** errors promptly.\n\n## Corrections\n\nWrite to the editor & we reply.",
            ),
        ],
        t0(),
    )
    .await
    .unwrap();
    app.refresh().await;
}

async fn render_all(app: &TestApp) -> Vec<(&'static str, String)> {
    newsroom(app).await;
    let mut out = Vec::new();
    for (name, path) in PAGES {
        let r = app.get(path).await;
        let expected = if *name == "not_found" { 404 } else { 200 };
        assert_eq!(r.status.as_u16(), expected, "{path}");
        out.push((*name, r.body));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_match_snapshots_and_are_identical_on_both_backends() {
    let sqlite = render_all(&TestApp::new(TestDb::sqlite().await).await).await;
    let postgres = render_all(&TestApp::new(TestDb::postgres().await).await).await;
    assert_eq!((sqlite.len(), postgres.len()), (PAGES.len(), PAGES.len()));
    for ((name, a), (_, b)) in sqlite.iter().zip(&postgres) {
        assert_eq!(a, b, "{name} differs between SQLite and PostgreSQL");
        // The stylesheet hash changes with every CSS edit; keep it out of the snapshots.
        let stable = a
            .split("site.css?v=")
            .enumerate()
            .map(|(i, part)| {
                if i == 0 {
                    part.to_owned()
                } else {
                    format!("site.css?v=HASH{}", &part[16..])
                }
            })
            .collect::<String>();
        insta::assert_snapshot!(*name, stable);
    }
}

/// Every page type, rendered on each database, passes the Nu HTML Checker (one run of the
/// checker for both, as starting Java is most of its cost).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_valid_html_on_both_backends() {
    let sqlite = render_all(&TestApp::new(TestDb::sqlite().await).await).await;
    let postgres = render_all(&TestApp::new(TestDb::postgres().await).await).await;
    let names: Vec<String> = PAGES
        .iter()
        .flat_map(|(name, _)| [format!("sqlite_{name}"), format!("postgres_{name}")])
        .collect();
    let pages: Vec<(&str, String)> = sqlite
        .into_iter()
        .zip(postgres)
        .flat_map(|((_, a), (_, b))| [a, b])
        .enumerate()
        .map(|(i, html)| (names[i].as_str(), html))
        .collect();
    assert_eq!(pages.len(), 2 * PAGES.len());
    masthead_testkit::assert_valid_html(&pages);
}

/// Headings never skip a level (h2 to h4), and every page has exactly one h1, on each
/// database.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headings_are_in_order_on_both_backends() {
    let mut pages = render_all(&TestApp::new(TestDb::sqlite().await).await).await;
    pages.extend(render_all(&TestApp::new(TestDb::postgres().await).await).await);
    assert_eq!(pages.len(), 2 * PAGES.len());
    for (name, html) in &pages {
        let levels: Vec<u32> = html
            .match_indices("<h")
            .filter_map(|(i, _)| html[i + 2..].chars().next().and_then(|c| c.to_digit(10)))
            .collect();
        assert_eq!(
            levels.iter().filter(|l| **l == 1).count(),
            1,
            "{name}: one h1 in {levels:?}"
        );
        for pair in levels.windows(2) {
            assert!(
                pair[1] <= pair[0] + 1,
                "{name}: heading jumps from h{} to h{} in {levels:?}",
                pair[0],
                pair[1]
            );
        }
    }
}
