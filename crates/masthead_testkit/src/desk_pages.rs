//! Every page of the desk, as one list: the HTML checker's test (`admin_desk.rs`) and the
//! accessibility check's (`browser_accessibility.rs`) both walk it, and a test holds it to
//! the router, so a new desk page cannot be left out of either check.

use crate::{Desk, PASSWORD, StaffSession, TestApp, TestResponse};
use axum::body::Body;
use axum::http::Request;
use masthead_core::{Role, UserId, totp::TotpSecret};
use masthead_store::Actor;

/// Who opens a page: the desk looks different to each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    /// Nobody is signed in.
    SignedOut,
    /// Password given, two-factor code not yet.
    HalfSignedIn,
    /// A contributor: fewer buttons, and "not allowed" pages.
    Contributor,
    /// An administrator: every page and every button.
    Admin,
}

/// One desk page: the route it is served by, the address opened (with `{…}` filled in by
/// [`DeskPageFixture::path`]) and who opens it.
#[derive(Debug, Clone, Copy)]
pub struct DeskPage {
    pub route: &'static str,
    pub path: &'static str,
    pub viewer: Viewer,
}

const fn page(route: &'static str, path: &'static str, viewer: Viewer) -> DeskPage {
    DeskPage {
        route,
        path,
        viewer,
    }
}

/// The desk's pages, in the order a browser can walk them: signed out, half signed in,
/// as a contributor, as an administrator.
pub const DESK_PAGES: &[DeskPage] = &[
    page("/admin/login", "/admin/login", Viewer::SignedOut),
    page(
        "/admin/reset/{token}",
        "/admin/reset/{reset}",
        Viewer::SignedOut,
    ),
    page(
        "/admin/login/code",
        "/admin/login/code",
        Viewer::HalfSignedIn,
    ),
    page("/admin", "/admin", Viewer::Contributor),
    page(
        "/admin/articles/{id}",
        "/admin/articles/{own}",
        Viewer::Contributor,
    ),
    page("/admin/users", "/admin/users", Viewer::Contributor),
    page("/admin/meetings", "/admin/meetings", Viewer::Contributor),
    page(
        "/admin/newsletter",
        "/admin/newsletter",
        Viewer::Contributor,
    ),
    page(
        "/admin/articles/{id}",
        "/admin/articles/{live}",
        Viewer::Contributor,
    ),
    page("/admin", "/admin", Viewer::Admin),
    page("/admin/articles", "/admin/articles", Viewer::Admin),
    page(
        "/admin/articles",
        "/admin/articles?status=draft",
        Viewer::Admin,
    ),
    page("/admin/articles/new", "/admin/articles/new", Viewer::Admin),
    page(
        "/admin/articles/{id}",
        "/admin/articles/{draft}",
        Viewer::Admin,
    ),
    page(
        "/admin/articles/{id}",
        "/admin/articles/{live}",
        Viewer::Admin,
    ),
    page(
        "/admin/articles/{id}/revisions",
        "/admin/articles/{live}/revisions",
        Viewer::Admin,
    ),
    page(
        "/admin/articles/{id}/revisions/{version}",
        "/admin/articles/{live}/revisions/1",
        Viewer::Admin,
    ),
    page(
        "/admin/articles/{id}/share",
        "/admin/articles/{draft}/share",
        Viewer::Admin,
    ),
    page("/admin/media", "/admin/media", Viewer::Admin),
    page("/admin/comments", "/admin/comments", Viewer::Admin),
    page(
        "/admin/comments/settings",
        "/admin/comments/settings",
        Viewer::Admin,
    ),
    page("/admin/events", "/admin/events", Viewer::Admin),
    page("/admin/events/new", "/admin/events/new", Viewer::Admin),
    page("/admin/events/{id}", "/admin/events/{event}", Viewer::Admin),
    page("/admin/front", "/admin/front", Viewer::Admin),
    page("/admin/pages", "/admin/pages", Viewer::Contributor),
    page("/admin/pages", "/admin/pages", Viewer::Admin),
    page("/admin/pages/new", "/admin/pages/new", Viewer::Admin),
    page("/admin/pages/{id}", "/admin/pages/{page}", Viewer::Admin),
    page("/admin/redirects", "/admin/redirects", Viewer::Admin),
    page("/admin/sections", "/admin/sections", Viewer::Admin),
    page("/admin/users", "/admin/users", Viewer::Admin),
    page("/admin/settings", "/admin/settings", Viewer::Admin),
    page("/admin/audit", "/admin/audit", Viewer::Admin),
    page("/admin/account", "/admin/account", Viewer::Admin),
    page("/admin/wire", "/admin/wire", Viewer::Contributor),
    page("/admin/wire", "/admin/wire", Viewer::Admin),
    page("/admin/wire/{id}", "/admin/wire/{wire}", Viewer::Admin),
    page(
        "/admin/wire/{id}/remove",
        "/admin/wire/{wire}/remove",
        Viewer::Admin,
    ),
    page("/admin/wire/inbox", "/admin/wire/inbox", Viewer::Admin),
    page("/admin/imports", "/admin/imports", Viewer::Contributor),
    page("/admin/imports", "/admin/imports", Viewer::Admin),
    page(
        "/admin/wire/inbox/{id}/preview",
        "/admin/wire/inbox/{wire_item}/preview",
        Viewer::Admin,
    ),
    page("/admin/meetings", "/admin/meetings", Viewer::Admin),
    page("/admin/bodies/{id}", "/admin/bodies/{body}", Viewer::Admin),
    page(
        "/admin/meetings/{id}",
        "/admin/meetings/{meeting}",
        Viewer::Admin,
    ),
    page("/admin/briefs/{id}", "/admin/briefs/{brief}", Viewer::Admin),
    page("/admin/newsletter", "/admin/newsletter", Viewer::Admin),
    page(
        "/admin/newsletter/readers",
        "/admin/newsletter/readers",
        Viewer::Admin,
    ),
    page(
        "/admin/newsletter/sends/{id}",
        "/admin/newsletter/sends/{send}",
        Viewer::Admin,
    ),
    page("/admin/{*rest}", "/admin/no-such-page", Viewer::Admin),
];

/// Routes of the desk answered with GET that are not pages.
pub const NOT_PAGES: &[&str] = &[
    "/admin/admin.css",
    "/admin/assets/{name}",
    "/admin/meetings/{id}/documents/{doc}",
    // The export and the mail as readers get it (checked by the newsletter's own tests).
    "/admin/newsletter/readers.csv",
    "/admin/newsletter/sends/{id}/preview",
    "/admin/newsletter/sends/{id}/preview.txt",
];

/// The GET routes in the source of the desk's router (`admin/mod.rs`): each
/// `.route("…", …)` whose handlers include a `get(`.
pub fn get_routes(router_source: &str) -> Vec<String> {
    router_source
        .split(".route(")
        .skip(1)
        .filter(|call| call.contains("get("))
        .filter_map(|call| call.split('"').nth(1).map(str::to_owned))
        .collect()
}

/// What the pages show: stories in each state, a contributor's own draft, a reset link
/// and accounts for each viewer.
pub struct DeskPageFixture {
    pub desk: Desk,
    pub admin: StaffSession,
    pub contributor: StaffSession,
    pub two_factor_email: String,
    /// A draft of the administrator's.
    pub draft: i64,
    /// A published story with an older revision.
    pub live: i64,
    /// The contributor's own draft.
    pub own: i64,
    /// The token of a live password-reset link.
    pub reset: String,
    /// A reader's event waiting for review.
    pub event: i64,
    /// A wire source.
    pub wire: i64,
    /// A queued wire item of that source, with its draft.
    pub wire_item: i64,
    /// A published static page under another (made through the desk's form), with a
    /// redirect left by a rename.
    pub page: i64,
    /// A public body, a meeting of it with minutes, and a brief drafted from them.
    pub meetings: crate::meetings::MeetingDesk,
    /// A draft digest of the daily newsletter (with the published story), made through
    /// the desk, and a confirmed reader.
    pub send: i64,
}

impl DeskPageFixture {
    /// Makes the accounts and stories, through the desk's own forms where a form does it.
    pub async fn create(app: &TestApp) -> Self {
        let desk = Desk::create(app.store()).await;
        let admin = app.staff("root@example.org", Role::Admin).await;
        let contributor = app.staff("cory@example.org", Role::Contributor).await;
        let section = desk.news.0.to_string();
        let draft = new_story(app, &admin, "Draft on the pool", &section).await;
        let live = new_story(app, &admin, "Pool opens in June", &section).await;
        let live_form = form_of(app, live).await;
        let mut publish: Vec<(&str, &str)> = live_form
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        publish.push(("action", "publish"));
        let r = app
            .post_as(&admin, &format!("/admin/articles/{live}"), &publish)
            .await;
        assert_eq!(r.status.as_u16(), 303, "publish: {}", r.body);
        let own = new_story(app, &contributor, "Library hours", &section).await;

        let two_factor_email = "tfa@example.org".to_owned();
        let tfa = app.create_staff(&two_factor_email, Role::Editor).await;
        set_two_factor(app, tfa).await;
        let reset = reset_token(app, &admin, contributor.user).await;
        let event = held_event(app).await;
        let wire_story = new_story(app, &admin, "Wire copy on the levy", &section).await;
        let (wire, wire_item) = wire_source_and_item(app, wire_story).await;
        imported(app, live).await;
        let page = static_pages(app, &admin).await;
        let meetings = crate::meetings::meeting_desk(app.store(), desk.news, crate::t0()).await;
        let send = newsletter_send(app, &admin).await;
        DeskPageFixture {
            send,
            meetings,
            page,
            wire,
            wire_item,
            desk,
            admin,
            contributor,
            two_factor_email,
            draft,
            live,
            own,
            reset,
            event,
        }
    }

    /// The address `page` opens.
    pub fn path(&self, page: &DeskPage) -> String {
        page.path
            .replace("{draft}", &self.draft.to_string())
            .replace("{live}", &self.live.to_string())
            .replace("{own}", &self.own.to_string())
            .replace("{reset}", &self.reset)
            .replace("{event}", &self.event.to_string())
            .replace("{wire_item}", &self.wire_item.to_string())
            .replace("{wire}", &self.wire.to_string())
            .replace("{page}", &self.page.to_string())
            .replace("{body}", &self.meetings.body.to_string())
            .replace("{meeting}", &self.meetings.meeting.to_string())
            .replace("{brief}", &self.meetings.brief.to_string())
            .replace("{send}", &self.send.to_string())
    }

    /// `page` fetched through the router as its viewer would.
    pub async fn fetch(&self, app: &TestApp, page: &DeskPage) -> TestResponse {
        let path = self.path(page);
        match page.viewer {
            Viewer::SignedOut => app.get(&path).await,
            Viewer::HalfSignedIn => {
                let r = app.login_form(&self.two_factor_email, PASSWORD).await;
                let cookie = r.header("set-cookie").split(';').next().unwrap_or("");
                app.request(
                    Request::get(path.as_str())
                        .header("cookie", cookie)
                        .body(Body::empty())
                        .expect("request"),
                )
                .await
            }
            Viewer::Contributor => app.get_as(&self.contributor, &path).await,
            Viewer::Admin => app.get_as(&self.admin, &path).await,
        }
    }
}

/// Makes "About" and "Ethics policy" under it through the desk's page form, renames
/// "About" (leaving redirects) and adds a redirect by hand; returns the child's id.
async fn static_pages(app: &TestApp, admin: &StaffSession) -> i64 {
    let made = |r: TestResponse| -> i64 {
        assert_eq!(r.status.as_u16(), 303, "page form: {}", r.body);
        let location = r.header("location").to_owned();
        location
            .trim_start_matches("/admin/pages/")
            .split('?')
            .next()
            .and_then(|id| id.parse().ok())
            .expect("the new page's id in the redirect")
    };
    let page = |title: &'static str, slug: &'static str, parent: String| {
        vec![
            ("title", title.to_owned()),
            ("slug", slug.to_owned()),
            ("parent", parent),
            ("menu_order", "1".to_owned()),
            ("status", "published".to_owned()),
            ("body_md", format!("What {title} says.")),
            ("version", String::new()),
        ]
    };
    let post = |uri: String, fields: Vec<(&'static str, String)>| async move {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        app.post_as(admin, &uri, &pairs).await
    };
    let about = made(
        post(
            "/admin/pages/new".into(),
            page("About", "about", String::new()),
        )
        .await,
    );
    let ethics = made(
        post(
            "/admin/pages/new".into(),
            page("Ethics policy", "ethics", about.to_string()),
        )
        .await,
    );
    let mut rename = page("About us", "about-us", String::new());
    rename.retain(|(k, _)| *k != "version");
    rename.push(("version", "1".to_owned()));
    made(post(format!("/admin/pages/{about}"), rename).await);
    let r = post(
        "/admin/redirects".into(),
        vec![
            (
                "old_address",
                "https://old.example.com/?page_id=2".to_owned(),
            ),
            ("target", "/about-us".to_owned()),
        ],
    )
    .await;
    assert_eq!(r.status.as_u16(), 303, "redirect form: {}", r.body);
    ethics
}

/// Creates a story through the editor as `who`; returns its id.
async fn new_story(app: &TestApp, who: &StaffSession, title: &str, section: &str) -> i64 {
    let r = app
        .post_as(
            who,
            "/admin/articles/new",
            &[
                ("kind", "news"),
                ("title", title),
                ("section", section),
                ("body_md", "First words.\n\n## Where\n\nAt the park."),
                ("version", "0"),
                ("action", "save"),
            ],
        )
        .await;
    assert_eq!(r.status.as_u16(), 303, "new story: {}", r.body);
    r.header("location")
        .trim_start_matches("/admin/articles/")
        .split('?')
        .next()
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("no story id in {}", r.header("location")))
}

/// The editor form of story `id` as stored, with its body changed (so there is a second
/// revision).
async fn form_of(app: &TestApp, id: i64) -> Vec<(String, String)> {
    let a = app
        .store()
        .desk_article(masthead_core::ArticleId(id))
        .await
        .expect("stored story");
    vec![
        ("version".into(), a.version.to_string()),
        ("kind".into(), a.fields.kind().as_str().into()),
        ("title".into(), a.fields.title.clone()),
        ("slug".into(), a.fields.slug.as_str().into()),
        ("section".into(), a.fields.section.0.to_string()),
        ("body_md".into(), format!("{}\n\nMore.", a.fields.body_md)),
    ]
}

/// A wire source (at a public address, never fetched) and a queued item of it whose draft is
/// story `article`: (source, item).
async fn wire_source_and_item(app: &TestApp, article: i64) -> (i64, i64) {
    use masthead_core::Clock as _;
    let store = app.store();
    let now = app.clock.now();
    let source = store
        .add_wire_source(
            &masthead_store::WireSourceSettings {
                name: "Prairie State".into(),
                url: "https://93.184.215.14/feed.xml".into(),
                rules_json: r#"{"wire_name":"Prairie State"}"#.into(),
                mode: masthead_store::WireMode::Review,
                interval: chrono::Duration::minutes(15),
                enabled: true,
            },
            now,
        )
        .await
        .expect("wire source");
    let mut write = store.write_story().await.expect("write");
    let item = write
        .claim_wire_identity(
            source,
            "guid:levy-1",
            &masthead_store::WireItemRecord {
                content_hash: "sha256:0".into(),
                article_id: Some(masthead_core::ArticleId(article)),
                state: masthead_store::WireItemState::Queued,
                ingested_version: 1,
                needs_alt: true,
                note: String::new(),
                title: "Wire copy on the levy".into(),
                item_json: "{}".into(),
                expires_at: None,
            },
            now,
        )
        .await
        .expect("wire item")
        .expect("a new identity");
    write.commit().await.expect("commit");
    (source.0, item.0)
}

/// A reader's event submission, held for review; its id.
async fn held_event(app: &TestApp) -> i64 {
    let draft = masthead_core::EventDraft {
        title: "Choir concert".into(),
        start_date: "2026-12-19".into(),
        start_time: "18:00".into(),
        end_time: "20:00".into(),
        timezone: "America/Chicago".into(),
        location: "First Church".into(),
        description: "Carols.".into(),
        contact: "choir@example.org".into(),
        rrule: "FREQ=WEEKLY;COUNT=2".into(),
        ..Default::default()
    };
    let fields = draft
        .check(masthead_core::DateWindow::submission(crate::t0()))
        .expect("a good event");
    app.store()
        .submit_event(&fields, "desk-pages", crate::t0())
        .await
        .expect("stored")
        .expect("a new form")
        .0
}

/// Turns on two-factor login for `user`.
async fn set_two_factor(app: &TestApp, user: UserId) {
    let secret = TotpSecret::generate().to_base32();
    app.store()
        .set_user_totp(user, Some(&secret), &Actor::system("test"), crate::t0())
        .await
        .expect("two-factor login on");
}

/// Makes a reset link for `user` through the users page; returns its token.
async fn reset_token(app: &TestApp, admin: &StaffSession, user: UserId) -> String {
    let r = app
        .post_as(admin, &format!("/admin/users/{}/reset", user.0), &[])
        .await;
    assert_eq!(r.status.as_u16(), 200, "reset link: {}", r.body);
    let link = r
        .body
        .split("id=\"reset-link\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or_else(|| panic!("no reset link in {}", r.body))
        .replace("&#x2f;", "/");
    let token = link.rsplit('/').next().unwrap_or_default().to_owned();
    assert!(!token.is_empty(), "{link}");
    token
}

/// Story `live` as if a WordPress import had brought it, with the run's report, so the
/// imports page and the story's "From the old site" panel show what they show.
async fn imported(app: &TestApp, live: i64) {
    let store = app.store();
    let at = crate::t0();
    let run = store
        .start_import_run("ledger.example", "ledger.xml", false, at)
        .await
        .expect("import run");
    let report = r#"{"source":"ledger.example","dry_run":false,
        "created":{"stories":1,"comments":2},"updated":{},"unchanged":{"bylines":1},
        "notes":{"pingbacks and trackbacks left out":{"count":3,
        "items":[{"old":"https://ledger.example/2024/03/18/pool/","detail":"https://elsewhere.example/"}]}}}"#;
    store
        .end_import_run(run, "finished", report, at)
        .await
        .expect("report");
    store
        .put_import_records(
            "ledger.example",
            &[masthead_store::NewImportRecord {
                kind: "post",
                old_id: "101".into(),
                local_id: live,
                content_hash: String::new(),
                version: 1,
                data: r#"{"old_address":"https://ledger.example/2024/03/18/pool/","wordpress_id":101,"custom_fields":[["reporter_phone","555-0100"]]}"#.into(),
            }],
        )
        .await
        .expect("record");
}

/// A confirmed reader of the daily newsletter, and a draft digest made through the desk.
async fn newsletter_send(app: &TestApp, admin: &StaffSession) -> i64 {
    let lists = app.store().newsletter_lists().await.expect("lists");
    let daily = lists
        .iter()
        .find(|l| l.slug == "daily")
        .expect("the daily list")
        .id;
    let reader = masthead_store::ImportedReader {
        email: masthead_core::EmailAddress::parse("reader@example.org").expect("address"),
        name: "A Reader".into(),
        confirmed: true,
    };
    app.store()
        .import_subscribers(&[reader], &[daily], &Actor::system("test"), crate::t0())
        .await
        .expect("a reader");
    let made = app
        .post_as(admin, "/admin/newsletter/sends", &[("list", "daily")])
        .await;
    assert_eq!(made.status.as_u16(), 303, "a digest: {}", made.body);
    made.header("location")
        .rsplit('/')
        .next()
        .and_then(|id| id.parse().ok())
        .expect("the send's address")
}
