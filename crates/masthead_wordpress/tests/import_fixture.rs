//! A realistic WordPress 6.x newsroom export (the reader's fixture: split CDATA, drafts'
//! zero dates, RTL and emoji, a 540-character title, an empty title and body, serialized
//! PHP, nav menus, every status) imported on both databases, with everything accounted for
//! in the report, and then every public post's and page's old address, read back from the
//! export by the reader, asked of the real router: each answers 301 to a page that answers
//! 200.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_media::{FileStorage, MediaStorage};
use masthead_testkit::{TestApp, app_tests, t0};
use masthead_wordpress::import::report::reason;
use masthead_wordpress::import::{Options, Progress, Report, import};
use masthead_wordpress::wxr::{Record, WxrLimits, WxrReader};
use std::sync::Arc;

app_tests!(the_newsroom_export_is_accounted_for_and_its_addresses_answer);

struct Quiet;

impl Progress for Quiet {
    fn phase(&self, _: &str, _: u64) {}
    fn at(&self, _: u64) {}
}

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/wxr/newsroom_6x.xml"
);

async fn the_newsroom_export_is_accounted_for_and_its_addresses_answer(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let media_dir = dir.path().join("media");
    std::fs::create_dir_all(&media_dir).unwrap();
    let uploads = dir.path().join("uploads");
    std::fs::create_dir_all(uploads.join("2026/03")).unwrap();
    let photo = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../masthead/demo/images/village-hall.jpg"
    );
    std::fs::copy(photo, uploads.join("2026/03/council.jpg")).unwrap();
    let media: Arc<dyn MediaStorage> = Arc::new(FileStorage::new(&media_dir).unwrap());
    let options = Options {
        file: FIXTURE.into(),
        uploads: Some(uploads),
        dry_run: false,
        resume: false,
        sections: None,
        time_zone: chrono_tz::America::Los_Angeles,
        limits: WxrLimits::default(),
    };
    let report = import(app.store(), None, media, &options, t0(), &Quiet)
        .await
        .unwrap();

    // Every item is accounted for: each post a story or left out with its reason, each
    // page a page, each comment shown, held or left out.
    let items: Vec<_> = WxrReader::new(
        std::io::BufReader::new(std::fs::File::open(FIXTURE).unwrap()),
        WxrLimits::default(),
    )
    .filter_map(|r| match r.unwrap() {
        Record::Item(item) => Some(item),
        _ => None,
    })
    .collect();
    let posts = items.iter().filter(|i| i.post_type == "post").count() as u64;
    let pages = items.iter().filter(|i| i.post_type == "page").count() as u64;
    let comments: u64 = items.iter().map(|i| i.comments.len() as u64).sum();
    let stories = Report::count(&report.created, "stories");
    assert_eq!(
        stories + report.noted(reason::TRASH) + report.noted(reason::REFUSED),
        posts,
        "{report}"
    );
    assert_eq!(Report::count(&report.created, "pages"), pages, "{report}");
    assert_eq!(
        Report::count(&report.created, "comments")
            + report.noted(reason::PINGBACK)
            + report.noted(reason::SPAM_COMMENT),
        comments,
        "{report}"
    );
    assert_eq!(app.store().count_articles().await.unwrap() as u64, stories);
    assert!(
        report.noted(reason::NEEDS_WORK) >= 2,
        "the long and the empty headline: {report}"
    );
    assert!(Report::count(&report.created, "redirects") > 20, "{report}");

    // Every public post's and page's old address answers 301 to a page that answers 200.
    let mut checked = 0;
    for item in items.iter().filter(|i| {
        matches!(i.post_type.as_str(), "post" | "page")
            && i.status == "publish"
            && i.post_password.is_empty()
    }) {
        let path = item
            .link
            .trim_start_matches("https://riversideledger.example");
        let r = app.get(path).await;
        assert_eq!(r.status.as_u16(), 301, "{path}: {}", r.body);
        let to = r.header("location").to_owned();
        let page = app.get(&to).await;
        assert_eq!(page.status.as_u16(), 200, "{path} → {to}");
        let id = app
            .get(&format!(
                "/?{}={}",
                if item.post_type == "page" {
                    "page_id"
                } else {
                    "p"
                },
                item.post_id
            ))
            .await;
        assert_eq!(
            (id.status.as_u16(), id.header("location")),
            (301, to.as_str()),
            "{path} by id"
        );
        checked += 1;
    }
    assert!(checked >= 4, "{checked} addresses checked");
}
