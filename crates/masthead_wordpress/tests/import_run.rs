//! A WordPress export imported end to end (issue 13), on a real SQLite file and a real
//! PostgreSQL database, images from an uploads folder on disk and from the old site over
//! real HTTP on loopback: what comes across (statuses, dates, sections and tags, bylines,
//! threads of comments, featured and body images, sticky posts, the report), that a second
//! run adds nothing and updates what changed, that a run stopped half-way resumes with no
//! story missing its comments, that a dry run and a broken file write nothing, and that an
//! import runs beside the desk's writers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod import_common;

use chrono::{TimeZone, Utc};
use import_common::{C, OldSite, P, SITE, export, jpeg};
use masthead_core::{ArticleId, ArticleKind, ArticleStatus, CommentStatus};
use masthead_fetch::{FetchPolicy, Fetcher};
use masthead_media::{FileStorage, MediaStorage};
use masthead_store::{DeskArticle, Store};
use masthead_testkit::{db_tests, t0};
use masthead_wordpress::import::report::reason;
use masthead_wordpress::import::{ImportError, Options, Progress, Report, import};
use masthead_wordpress::wxr::WxrLimits;
use std::sync::Arc;

db_tests!(
    an_export_comes_across_whole,
    a_second_run_adds_nothing_and_updates_what_changed,
    a_run_stopped_half_way_resumes_and_no_story_lacks_its_comments,
    a_dry_run_and_a_broken_export_write_nothing,
    an_import_runs_beside_the_desk_s_writers,
    images_on_private_addresses_are_refused_and_their_stories_kept,
    two_imports_of_one_file_at_once_create_each_story_once,
);

/// The source key of [`SITE`].
const SOURCE: &str = "ledger.example";

struct Quiet;

impl Progress for Quiet {
    fn phase(&self, _: &str, _: u64) {}
    fn at(&self, _: u64) {}
}

struct Run {
    dir: tempfile::TempDir,
    media: Arc<dyn MediaStorage>,
}

impl Run {
    fn new() -> Run {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("media")).unwrap();
        let media: Arc<dyn MediaStorage> =
            Arc::new(FileStorage::new(dir.path().join("media")).unwrap());
        Run { dir, media }
    }

    fn options(&self, xml: &str) -> Options {
        let file = self.dir.path().join("export.xml");
        std::fs::write(&file, xml).unwrap();
        Options {
            file,
            uploads: Some(self.dir.path().join("uploads")),
            dry_run: false,
            resume: false,
            sections: None,
            time_zone: chrono_tz::America::Chicago,
            limits: WxrLimits::default(),
        }
    }

    fn upload(&self, relative: &str, bytes: &[u8]) {
        let path = self.dir.path().join("uploads").join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    async fn go(&self, store: &Store, options: &Options) -> Result<Report, ImportError> {
        import(
            store,
            Some(&local_fetcher()),
            self.media.clone(),
            options,
            t0(),
            &Quiet,
        )
        .await
    }
}

fn local_fetcher() -> Fetcher {
    Fetcher::new(FetchPolicy {
        allow_local: true,
        ..FetchPolicy::new("https://news.example")
    })
    .unwrap()
}

async fn story(store: &Store, wordpress_id: u64) -> DeskArticle {
    let id = wordpress_id.to_string();
    let records = store.import_records(SOURCE, "post", &[&id]).await.unwrap();
    let record = records
        .get(&id)
        .unwrap_or_else(|| panic!("post {id} not imported"));
    store
        .desk_article(ArticleId(record.local_id))
        .await
        .unwrap()
}

async fn comments(store: &Store, article: ArticleId) -> Vec<(String, Option<i64>, CommentStatus)> {
    let slug = store.desk_article(article).await.unwrap().fields.slug;
    let mut all: Vec<(String, Option<i64>, CommentStatus)> =
        match store.public_comments(slug.as_str(), t0()).await.unwrap() {
            Some((_, shown)) => shown
                .into_iter()
                .map(|c| (c.body, c.parent.map(|p| p.0), CommentStatus::Approved))
                .collect(),
            None => Vec::new(),
        };
    for c in store
        .moderation_queue(CommentStatus::Pending, 1000)
        .await
        .unwrap()
    {
        if c.article == article {
            all.push((
                c.body.clone(),
                c.parent.map(|p| p.0),
                CommentStatus::Pending,
            ));
        }
    }
    all.sort_by(|a, b| (&a.0, a.1).cmp(&(&b.0, b.1)));
    all
}

/// The newsroom's export: posts of every status, a thread of comments with a pingback and
/// spam, a featured image in the uploads folder, a body image on the old site, a caption
/// shortcode, a video post, an opinion piece, a sticky post.
fn newsroom(old_site: &OldSite) -> Vec<P> {
    let body_image = old_site.put(
        "/wp-content/uploads/2024/03/bridge.jpg",
        jpeg("river-bridge"),
    );
    let mut council = P::post(
        101,
        "Council votes on budget",
        &format!(
            "<!-- wp:paragraph -->\n<p>The council met <strong>Tuesday</strong>.</p>\n<!-- /wp:paragraph -->\n\n\
             [caption id=\"attachment_7\" align=\"alignnone\" width=\"800\"]<img src=\"{body_image}\" alt=\"The river bridge\" /> The bridge at dusk[/caption]\n\n\
             [poll id=\"3\"]"
        ),
    );
    council
        .terms
        .push(("category".into(), "city-hall".into(), "City Hall".into()));
    council
        .terms
        .push(("post_tag".into(), "budget".into(), "budget".into()));
    council.meta.push(("_thumbnail_id".into(), "900".into()));
    council
        .meta
        .push(("reporter_phone".into(), "555-0100".into()));
    council.excerpt = "The council&#8217;s <em>budget</em> vote.".into();
    council.comments = vec![
        C::new(1, 0, "First!"),
        C::new(2, 1, "A reply"),
        C::new(3, 2, "A reply to the reply"),
        C {
            approved: "0",
            ..C::new(4, 0, "Held for moderation")
        },
        C {
            approved: "spam",
            ..C::new(5, 0, "Buy pills")
        },
        C {
            kind: "pingback",
            ..C::new(6, 0, "Linked from elsewhere")
        },
    ];
    council.sticky = true;
    let mut game = P::post(
        102,
        "Tigers win opener",
        "<p>Final score 3-1.</p>\n<!--more-->\n<p>The Tigers led from the first inning.</p>",
    );
    game.terms = vec![("category".into(), "sports".into(), "Sports".into())];
    let mut video = P::post(
        103,
        "Parade in pictures",
        "Watch the parade:\n\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n",
    );
    video.terms.push((
        "post_format".into(),
        "post-format-video".into(),
        "Video".into(),
    ));
    let mut opinion = P::post(104, "Fix the roads", "<p>We need better roads.</p>");
    opinion.terms = vec![("category".into(), "opinion".into(), "Opinion".into())];
    opinion.creator = "mhaddad".into();
    let draft = P {
        status: "draft",
        date_gmt: "0000-00-00 00:00:00".into(),
        ..P::post(105, "Draft story", "<p>Not yet.</p>")
    };
    let pending = P {
        status: "pending",
        ..P::post(106, "Pending story", "<p>Check me.</p>")
    };
    let future = P {
        status: "future",
        date: "2031-01-02 08:00:00".into(),
        date_gmt: "2031-01-02 14:00:00".into(),
        ..P::post(107, "Future story", "<p>Later.</p>")
    };
    let private = P {
        status: "private",
        ..P::post(108, "Private story", "<p>Staff only.</p>")
    };
    let locked = P {
        password: "s3cret".into(),
        ..P::post(109, "Locked story", "<p>Members.</p>")
    };
    let trash = P {
        status: "trash",
        ..P::post(110, "Trashed story", "<p>Gone.</p>")
    };
    let featured = P::image(
        900,
        &format!("{SITE}/wp-content/uploads/2024/03/council.jpg"),
        "Council chambers",
        101,
    );
    let ethics = P {
        link: format!("{SITE}/about/ethics-policy/"),
        menu_order: 2,
        ..P::page(
            201,
            "Ethics policy",
            "ethics-policy",
            200,
            "<p>We correct our errors.</p>",
        )
    };
    let about = P {
        menu_order: 1,
        ..P::page(200, "About us", "about", 0, "<p>Since 1887.</p>")
    };
    let events = P::page(202, "Events", "events", 0, "<p>Our calendar.</p>");
    let contact = P {
        status: "draft",
        ..P::page(203, "Contact", "contact", 0, "<p>Write to us.</p>")
    };
    vec![
        council, game, video, opinion, draft, pending, future, private, locked, trash, featured,
        ethics, about, events, contact,
    ]
}

async fn an_export_comes_across_whole(store: Store) {
    let old_site = OldSite::start().await;
    let run = Run::new();
    run.upload("2024/03/council.jpg", &jpeg("village-hall"));
    let options = run.options(&export(&newsroom(&old_site)));
    let report = run.go(&store, &options).await.unwrap();

    assert_eq!(Report::count(&report.created, "stories"), 9, "{report}");
    assert_eq!(Report::count(&report.created, "images"), 2, "{report}");
    assert_eq!(report.noted(reason::TRASH), 1, "{report}");
    assert_eq!(report.noted(reason::PRIVATE), 2, "{report}");
    assert_eq!(report.noted(reason::PINGBACK), 1, "{report}");
    assert_eq!(report.noted(reason::SPAM_COMMENT), 1, "{report}");
    assert_eq!(report.noted(reason::SHORTCODE), 1, "{report}");
    assert!(report.to_string().contains("[poll]"), "{report}");

    let council = story(&store, 101).await;
    assert_eq!(council.status, ArticleStatus::Published);
    assert_eq!(
        council.published_at,
        Some(Utc.with_ymd_and_hms(2024, 3, 18, 14, 30, 0).unwrap())
    );
    let f = &council.fields;
    assert_eq!(f.title, "Council votes on budget");
    assert_eq!(f.slug.as_str(), "council-votes-on-budget");
    assert_eq!(f.summary, "The council’s budget vote.");
    assert!(
        f.tags.contains(&"City Hall".to_owned()) && f.tags.contains(&"budget".to_owned()),
        "{:?}",
        f.tags
    );
    let sections = store.sections().await.unwrap();
    let news = sections
        .iter()
        .find(|s| s.slug == "news")
        .expect("news became a section");
    assert_eq!(
        f.section, news.id,
        "a subcategory's post is filed under its top category"
    );
    let authors = store.authors().await.unwrap();
    let jane = authors
        .iter()
        .find(|a| a.name == "Jane Doe")
        .expect("byline");
    assert_eq!(f.authors, [jane.id]);
    assert!(
        f.body_md.contains("The council met **Tuesday**."),
        "{}",
        f.body_md
    );
    assert!(f.body_md.contains("The bridge at dusk"), "{}", f.body_md);
    assert!(
        !f.body_md.contains(&old_site.addr.to_string()),
        "the body image points here now: {}",
        f.body_md
    );
    assert!(f.body_md.contains("/media/"), "{}", f.body_md);
    let lead = store
        .media_item(f.image.expect("the featured image is the lead"))
        .await
        .unwrap();
    assert_eq!(lead.alt, "Council chambers");
    assert!(
        old_site.requests() >= 1,
        "the body image was fetched from the old site"
    );

    let thread = comments(&store, council.id).await;
    let first = thread.iter().find(|c| c.0 == "First!").unwrap();
    assert_eq!(first.1, None);
    let reply = thread.iter().find(|c| c.0 == "A reply").unwrap();
    let deep = thread
        .iter()
        .find(|c| c.0 == "A reply to the reply")
        .unwrap();
    assert!(
        reply.1.is_some() && deep.1 == reply.1,
        "both replies answer the top comment: {thread:?}"
    );
    assert!(
        thread
            .iter()
            .any(|c| c.0 == "Held for moderation" && c.2 == CommentStatus::Pending)
    );
    assert_eq!(thread.len(), 4, "{thread:?}");

    assert_eq!(
        story(&store, 102).await.fields.section,
        sections.iter().find(|s| s.slug == "sports").unwrap().id
    );
    let video = story(&store, 103).await;
    assert_eq!(video.fields.kind(), ArticleKind::Video);
    assert!(
        video
            .fields
            .parts
            .video_url()
            .contains("youtube-nocookie.com/embed/dQw4w9WgXcQ")
    );
    assert_eq!(story(&store, 104).await.fields.kind(), ArticleKind::Opinion);
    assert_eq!(story(&store, 105).await.status, ArticleStatus::Draft);
    assert_eq!(story(&store, 106).await.status, ArticleStatus::Review);
    assert_eq!(story(&store, 107).await.status, ArticleStatus::Scheduled);
    assert_eq!(
        story(&store, 108).await.status,
        ArticleStatus::Draft,
        "private stays out of view"
    );
    assert_eq!(
        story(&store, 109).await.status,
        ArticleStatus::Draft,
        "so does password-protected"
    );

    let front = store.front_slots().await.unwrap();
    assert_eq!(
        front.first().map(|s| (s.id, s.position)),
        Some((council.id, 0)),
        "the sticky post leads"
    );
    let data = store.imported_data(council.id).await.unwrap().unwrap();
    assert!(
        data.contains("reporter_phone") && data.contains("555-0100"),
        "{data}"
    );

    // Pages, with their tree; one at an address of the site's own is moved and noted.
    assert_eq!(Report::count(&report.created, "pages"), 4, "{report}");
    let ethics = store
        .published_page("about/ethics-policy")
        .await
        .unwrap()
        .expect("child page");
    assert!(ethics.body_md.contains("We correct our errors."));
    assert!(store.published_page("about").await.unwrap().is_some());
    assert!(
        store.published_page("events-page").await.unwrap().is_some(),
        "{report}"
    );
    assert!(
        store.published_page("contact").await.unwrap().is_none(),
        "a draft stays out of view"
    );

    // Every old address leads to the new one.
    let leads = |path: &'static str| {
        let store = store.clone();
        async move {
            let key = masthead_core::address_key(path).unwrap();
            store
                .redirect_for(&key)
                .await
                .unwrap()
                .map(|hit| hit.target)
        }
    };
    let story_path = "/stories/council-votes-on-budget";
    for old in [
        "/2024/03/18/council-votes-on-budget/",
        "/?p=101",
        "/archives/101",
        "/2024/03/council-votes-on-budget/",
        "/council-votes-on-budget/",
        "/?attachment_id=900",
    ] {
        assert_eq!(leads(old).await.as_deref(), Some(story_path), "{old}");
    }
    assert_eq!(
        leads("/?p=108").await,
        None,
        "a private post's id leads nowhere"
    );
    assert_eq!(
        leads("/?page_id=201").await.as_deref(),
        Some("/about/ethics-policy")
    );
    assert_eq!(
        leads("/category/news/").await.as_deref(),
        Some("/section/news")
    );
    assert_eq!(
        leads("/category/news/city-hall/").await.as_deref(),
        Some("/tag/city-hall")
    );
    assert_eq!(
        leads("/category/sports/feed/").await.as_deref(),
        Some("/section/sports/feed.xml")
    );
    assert_eq!(
        leads("/tag/budget/feed/").await.as_deref(),
        Some("/tag/budget/feed.xml")
    );
    assert_eq!(
        leads("/author/jdoe/").await.as_deref(),
        Some(&*format!("/author/{}", jane.slug))
    );
    assert_eq!(leads("/feed/").await.as_deref(), Some("/feed.xml"));
    let lead_file = leads("/wp-content/uploads/2024/03/council.jpg")
        .await
        .unwrap();
    assert!(lead_file.starts_with("/media/"), "{lead_file}");
}

async fn a_second_run_adds_nothing_and_updates_what_changed(store: Store) {
    let old_site = OldSite::start().await;
    let run = Run::new();
    run.upload("2024/03/council.jpg", &jpeg("village-hall"));
    let mut items = newsroom(&old_site);
    run.go(&store, &run.options(&export(&items))).await.unwrap();
    let stories = store.count_articles().await.unwrap();
    let fetched = old_site.requests();

    let again = run.go(&store, &run.options(&export(&items))).await.unwrap();
    assert!(again.created.values().all(|n| *n == 0), "{again}");
    assert_eq!(Report::count(&again.unchanged, "stories"), 9, "{again}");
    assert_eq!(store.count_articles().await.unwrap(), stories);
    assert_eq!(old_site.requests(), fetched, "no image fetched twice");

    // Changed at the source: the game's score, a new comment on the council story; edited
    // here: the opinion piece, also changed at the source.
    let opinion = story(&store, 104).await;
    masthead_testkit::change_story(
        &store,
        opinion.id,
        masthead_desk::Command::Save,
        t0(),
        |f| {
            f.title = "Fix the roads now".into();
        },
    )
    .await;
    items[1].content = "<p>Final score 4-1.</p>".into();
    items[0].comments.push(C::new(7, 0, "Late comment"));
    items[3].content = "<p>We need much better roads.</p>".into();
    // Pages: About edited here and at the source (ours kept); Ethics changed at the source.
    let about = store.published_page("about").await.unwrap().unwrap();
    let editor = masthead_testkit::fixture_editor(&store).await;
    let input = masthead_desk::pages::PageInput {
        parent: None,
        slug: "about".into(),
        title: "About the Ledger".into(),
        body_md: about.body_md.clone(),
        menu_order: about.menu_order,
        status: masthead_core::PageStatus::Published,
    };
    masthead_desk::pages::save_page(&store, &editor, about.id, about.version, &input, t0())
        .await
        .unwrap();
    for item in &mut items {
        match item.id {
            200 => item.content = "<p>Since 1887, and online since 1997.</p>".into(),
            201 => item.content = "<p>We correct our errors promptly.</p>".into(),
            _ => {}
        }
    }
    let third = run.go(&store, &run.options(&export(&items))).await.unwrap();
    assert_eq!(Report::count(&third.updated, "pages"), 1, "{third}");
    assert_eq!(
        store.published_page("about").await.unwrap().unwrap().title,
        "About the Ledger"
    );
    let ethics = store
        .published_page("about/ethics-policy")
        .await
        .unwrap()
        .unwrap();
    assert!(ethics.body_md.contains("promptly"), "{}", ethics.body_md);
    assert_eq!(Report::count(&third.updated, "stories"), 1, "{third}");
    assert_eq!(Report::count(&third.created, "comments"), 1, "{third}");
    assert_eq!(
        third.noted(reason::EDITED_HERE),
        2,
        "the opinion piece and About: {third}"
    );
    assert!(story(&store, 102).await.fields.body_md.contains("4-1"));
    assert_eq!(
        story(&store, 104).await.fields.title,
        "Fix the roads now",
        "ours kept"
    );
    assert_eq!(store.count_articles().await.unwrap(), stories);
    let council = story(&store, 101).await;
    assert!(
        comments(&store, council.id)
            .await
            .iter()
            .any(|c| c.0 == "Late comment")
    );
}

async fn a_run_stopped_half_way_resumes_and_no_story_lacks_its_comments(store: Store) {
    let run = Run::new();
    let items: Vec<P> = (1..=900)
        .map(|n| P {
            comments: vec![
                C::new(n * 10, 0, &format!("Comment on {n}")),
                C::new(n * 10 + 1, n * 10, "Reply"),
            ],
            ..P::post(
                n,
                &format!("Story number {n}"),
                &format!("<p>Body {n}.</p>"),
            )
        })
        .collect();
    let options = run.options(&export(&items));
    let task = {
        let store = store.clone();
        let media = run.media.clone();
        let options = options.clone();
        tokio::spawn(async move { import(&store, None, media, &options, t0(), &Quiet).await })
    };
    // Stop it once the first batches are in, as a kill would.
    let started = std::time::Instant::now();
    while store.count_articles().await.unwrap() < 200 {
        assert!(started.elapsed().as_secs() < 60, "the import did not start");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    task.abort();
    let _ = task.await;
    let part = store.count_articles().await.unwrap();
    assert!(part < 900, "stopped before the end ({part})");

    let refused = run.go(&store, &options).await.unwrap_err();
    assert!(refused.to_string().contains("--resume"), "{refused}");
    let resumed = run
        .go(
            &store,
            &Options {
                resume: true,
                ..options.clone()
            },
        )
        .await
        .unwrap();
    assert_eq!(store.count_articles().await.unwrap(), 900, "{resumed}");
    assert_eq!(
        Report::count(&resumed.created, "stories"),
        (900 - part) as u64,
        "{resumed}"
    );
    for n in [1, 450, 900] {
        let s = story(&store, n).await;
        assert_eq!(comments(&store, s.id).await.len(), 2, "story {n}");
    }
    let approved = store
        .moderation_queue(CommentStatus::Approved, 5000)
        .await
        .unwrap();
    assert_eq!(approved.len(), 1800, "every comment once");
}

async fn a_dry_run_and_a_broken_export_write_nothing(store: Store) {
    let old_site = OldSite::start().await;
    let run = Run::new();
    run.upload("2024/03/council.jpg", &jpeg("village-hall"));
    let xml = export(&newsroom(&old_site));
    let dry = run
        .go(
            &store,
            &Options {
                dry_run: true,
                ..run.options(&xml)
            },
        )
        .await
        .unwrap();
    assert_eq!(Report::count(&dry.created, "stories"), 9, "{dry}");
    assert_eq!(Report::count(&dry.created, "pages"), 4, "{dry}");
    assert!(
        !dry.to_string().contains("placed higher"),
        "a dry run keeps the page tree: {dry}"
    );
    assert_eq!(store.count_articles().await.unwrap(), 0);
    assert!(store.sections().await.unwrap().is_empty());
    assert!(store.import_runs(10).await.unwrap().is_empty());
    assert_eq!(old_site.requests(), 0, "a dry run fetches nothing");

    let cut = &xml[..xml.len() * 2 / 3];
    let error = run.go(&store, &run.options(cut)).await.unwrap_err();
    assert!(matches!(error, ImportError::Read(_)), "{error}");
    assert_eq!(store.count_articles().await.unwrap(), 0);
    assert!(
        store.sections().await.unwrap().is_empty(),
        "nothing written before the file was read whole"
    );
    assert!(store.authors().await.unwrap().is_empty());
}

async fn an_import_runs_beside_the_desk_s_writers(store: Store) {
    let desk = masthead_testkit::Desk::create(&store).await;
    let editor = masthead_testkit::fixture_editor(&store).await;
    let run = Run::new();
    let items: Vec<P> = (1..=600)
        .map(|n| P::post(n, &format!("Archive story {n}"), "<p>Old news.</p>"))
        .collect();
    let options = run.options(&export(&items));
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let store = store.clone();
            let editor = editor.clone();
            tokio::spawn(async move {
                for n in 0..10 {
                    let title = format!("Desk story {w}-{n}");
                    let fields = masthead_store::ArticleFields::news(
                        &title,
                        masthead_core::Slug::from_title(&title),
                        desk.news,
                    );
                    masthead_desk::create(
                        &store,
                        &editor,
                        fields,
                        masthead_desk::Command::Save,
                        t0(),
                    )
                    .await
                    .unwrap();
                }
            })
        })
        .collect();
    let report = run.go(&store, &options).await.unwrap();
    for w in writers {
        w.await.unwrap();
    }
    assert_eq!(Report::count(&report.created, "stories"), 600, "{report}");
    assert_eq!(store.count_articles().await.unwrap(), 680);
}

async fn images_on_private_addresses_are_refused_and_their_stories_kept(store: Store) {
    let old_site = OldSite::start().await;
    let inside = old_site.put("/wp-content/uploads/2024/03/secret.jpg", jpeg("library"));
    let run = Run::new();
    let post = P {
        meta: vec![("_thumbnail_id".into(), "900".into())],
        ..P::post(
            1,
            "Library reopens",
            &format!("<p>Open again.</p><p><img src=\"{inside}\" alt=\"Shelves\"></p>"),
        )
    };
    let items = [
        post,
        P::image(
            900,
            "http://10.0.0.1/wp-content/uploads/2024/03/lead.jpg",
            "Lead",
            1,
        ),
    ];
    let options = Options {
        uploads: None,
        ..run.options(&export(&items))
    };
    let strict = Fetcher::new(FetchPolicy::new("https://news.example")).unwrap();
    let report = import(
        &store,
        Some(&strict),
        run.media.clone(),
        &options,
        t0(),
        &Quiet,
    )
    .await
    .unwrap();
    assert_eq!(Report::count(&report.created, "stories"), 1, "{report}");
    assert_eq!(report.noted(reason::IMAGE), 2, "{report}");
    let text = report.to_string();
    assert!(
        text.contains("10.0.0.1") && text.contains(&old_site.addr.to_string()),
        "{text}"
    );
    assert_eq!(
        old_site.requests(),
        0,
        "nothing was fetched from a loopback address"
    );
    let story = story(&store, 1).await;
    assert_eq!(story.fields.image, None);
    assert!(
        story.fields.body_md.contains(&inside),
        "the body keeps the old address: {}",
        story.fields.body_md
    );
}

async fn two_imports_of_one_file_at_once_create_each_story_once(store: Store) {
    let run = Run::new();
    let items: Vec<P> = (1..=500)
        .map(|n| P {
            comments: vec![C::new(n * 10, 0, "A comment")],
            ..P::post(n, &format!("Story {n}"), "<p>Text.</p>")
        })
        .collect();
    let options = run.options(&export(&items));
    let (a, b) = tokio::join!(run.go(&store, &options), run.go(&store, &options));
    // Whichever started second either found the first's stories (one writer at a time on
    // SQLite), was refused because the first had not finished, or met the first's rows and
    // stopped; never a duplicate.
    for outcome in [&a, &b] {
        if let Err(e) = outcome {
            assert!(e.to_string().contains("--resume"), "{e}");
        }
    }
    assert!(a.is_ok() || b.is_ok(), "{a:?} {b:?}");
    let resumed = run
        .go(
            &store,
            &Options {
                resume: true,
                ..options.clone()
            },
        )
        .await
        .unwrap();
    assert!(
        !resumed.created.contains_key("stories") || a.is_err() || b.is_err(),
        "{resumed}"
    );
    assert_eq!(store.count_articles().await.unwrap(), 500);
    let comments = store
        .moderation_queue(CommentStatus::Approved, 5000)
        .await
        .unwrap();
    assert_eq!(comments.len(), 500, "every comment once");
}
