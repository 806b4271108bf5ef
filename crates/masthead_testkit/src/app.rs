//! The real application (page cache fast path, then the router) driven in-process, with a
//! manual clock.

use crate::{TestDb, t0};
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use masthead_core::{Clock, ManualClock};
use masthead_render::Theme;
use masthead_store::Store;
use masthead_web::{AppState, HttpCaching, SiteConfig, app};
use std::sync::Arc;
use tower::ServiceExt;

/// The app under test.
pub struct TestApp {
    pub db: TestDb,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
}

/// A response, read whole.
#[derive(Debug)]
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    /// The body as text (invalid UTF-8 replaced).
    pub body: String,
    /// The body's bytes as sent (a compressed body is only readable here).
    pub bytes: Vec<u8>,
}

impl TestResponse {
    /// A header's value, or "" when absent.
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
}

impl TestApp {
    /// The app with an outbound client that may reach loopback (the operator setting
    /// `--allow-local-fetch`), for tests that serve feeds or images on 127.0.0.1.
    pub fn allowing_local_fetch(mut self) -> Self {
        let policy = masthead_fetch::FetchPolicy {
            allow_local: true,
            ..masthead_fetch::FetchPolicy::new(&self.state.config().base_url)
        };
        let fetcher = masthead_fetch::Fetcher::new(policy).expect("an outbound client");
        self.state = self.state.clone().with_fetcher(fetcher);
        self
    }

    /// The app with the meeting desk's prose helper at `endpoint` (a model served on
    /// loopback by the test), with `key` as its bearer token.
    pub fn with_prose_helper(mut self, endpoint: &str, key: &str) -> Self {
        let helper = masthead_web::prose_helper::ProseHelper::new(
            endpoint,
            "test-model",
            Some(key.to_owned()),
        )
        .expect("a prose helper");
        self.state = self.state.clone().with_prose_helper(helper);
        self
    }

    /// The app sending newsletter mail to `smtp_url` (a [`crate::SmtpSink`]'s, say) from
    /// `news@example.org`, with a budget no test reaches and two sessions per send.
    pub fn with_mail(mut self, smtp_url: &str) -> Self {
        let smtp = masthead_mail::SmtpSettings::parse(smtp_url)
            .expect("the test SMTP URL")
            .with_timeouts(masthead_mail::Timeouts {
                connect: std::time::Duration::from_secs(5),
                command: std::time::Duration::from_secs(5),
                data: std::time::Duration::from_secs(5),
            });
        self.state = self
            .state
            .clone()
            .with_mail(masthead_web::newsletter::Mail {
                smtp,
                from_address: "news@example.org".into(),
                dkim: None,
                per_minute: 1_000_000,
                connections: 2,
                click_counts: false,
            });
        self
    }

    /// Like [`TestApp::with_mail`], with the operator's click counting turned on.
    pub fn with_counted_mail(self, smtp_url: &str) -> Self {
        self.with_mail(smtp_url).remail(|m| m.click_counts = true)
    }

    /// The app's mail settings with `per_minute` messages a minute (all servers together).
    pub fn with_mail_budget(self, per_minute: i64) -> Self {
        self.remail(|m| m.per_minute = per_minute)
    }

    /// The app with its mail settings changed by `change`.
    fn remail(mut self, change: impl FnOnce(&mut masthead_web::newsletter::Mail)) -> Self {
        let old = self
            .state
            .mail
            .clone()
            .expect("mail settings (with_mail first)");
        let mut mail = masthead_web::newsletter::Mail {
            smtp: old.smtp.clone(),
            from_address: old.from_address.clone(),
            dkim: None,
            per_minute: old.per_minute,
            connections: old.connections,
            click_counts: old.click_counts,
        };
        change(&mut mail);
        self.state = self.state.clone().with_mail(mail);
        self
    }

    /// One round of the newsletter worker as `worker`: what a server's background loop does
    /// each second (start due sends, mail confirmations, work through going sends).
    pub async fn newsletter_round(&self, worker: &str) {
        let mail = self
            .state
            .mail
            .clone()
            .expect("the app has mail settings (with_mail)");
        masthead_web::newsletter::worker::round(&self.state, &mail, worker)
            .await
            .expect("a round of the newsletter worker");
    }

    /// An app over `db`, with the page cache on, the clock at [`t0`].
    pub async fn new(db: TestDb) -> Self {
        Self::with_cache(db, true).await
    }

    pub async fn with_cache(db: TestDb, page_cache: bool) -> Self {
        Self::configured(db, |c| c.page_cache = page_cache).await
    }

    /// An app over `db` with the test configuration changed by `change`.
    pub async fn configured(db: TestDb, change: impl FnOnce(&mut SiteConfig)) -> Self {
        let clock = Arc::new(ManualClock::new(t0()));
        let media_dir = db.dir.path().join("media");
        std::fs::create_dir_all(&media_dir).expect("media dir");
        let mut config = SiteConfig {
            name: "The Test Town Times".into(),
            tagline: "News & notes from Test Town".into(),
            base_url: "https://news.example.org".into(),
            timezone: chrono_tz::America::Chicago,
            language: "en".into(),
            page_size: 10,
            logo: String::new(),
            identity: Default::default(),
            page_cache: true,
            http_caching: HttpCaching::default(),
            trust_forwarded_for: false,
            media_dir,
        };
        change(&mut config);
        let theme = Theme::load(None, config.timezone).expect("theme");
        let state = AppState::new(
            db.store.clone(),
            theme,
            config,
            clock.clone() as Arc<dyn Clock>,
        );
        let app = TestApp { db, state, clock };
        app.refresh().await;
        app
    }

    pub fn store(&self) -> &Store {
        &self.db.store
    }

    /// What the background poller does: learn the content version and settings (call after
    /// writes).
    pub async fn refresh(&self) {
        self.state.refresh().await.expect("refresh content state");
    }

    /// Sends a GET for `uri` (which may hold raw, even invalid, percent-escapes).
    pub async fn get(&self, uri: &str) -> TestResponse {
        self.request(Request::get(uri).body(Body::empty()).expect("request"))
            .await
    }

    pub async fn request(&self, request: Request<Body>) -> TestResponse {
        let response = app(self.state.clone())
            .oneshot(request)
            .await
            .expect("router never fails");
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        TestResponse {
            status,
            headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }
}
