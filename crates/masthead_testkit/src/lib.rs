//! Test support: a fresh database per test on either backend, fixture builders, and the real
//! router driven in-process.
//!
//! PostgreSQL tests need `MASTHEAD_TEST_POSTGRES_URL` (set by `scripts/test.sh`, which starts
//! a throwaway server). Without it they fail rather than skip: a missing dependency must
//! not pass for a green run.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

mod app;
mod binary;
mod browser;
mod consumers;
mod db;
mod desk_pages;
mod fixtures;
mod garage;
mod html;
mod http_client;
pub mod meetings;
pub mod pdf;
mod replica;
mod server;
pub mod smtp;
mod staff;
mod wait;

pub use app::{TestApp, TestResponse};
pub use binary::{RawResponse, RunningBinary, http, run_command, run_command_with, upload_image};
pub use browser::Browser;
pub use consumers::{
    FEEDPARSER_VERSION, ICALENDAR_VERSION, PROMETHEUS_CLIENT_VERSION, ReadMetrics, SitemapSchemas,
    read_calendars, read_feeds, read_metrics,
};
pub use db::{HeldLock, TestDb, empty_postgres_database};
pub use desk_pages::{DESK_PAGES, DeskPage, DeskPageFixture, NOT_PAGES, Viewer, get_routes};
pub use fixtures::{
    ArticleBuilder, Desk, change_story, fixture_editor, insert_all, insert_all_at, insert_image, t0,
};
pub use garage::{GARAGE_REGION, GARAGE_VERSION, Garage, garage_binary};
pub use html::assert_valid_html;
pub use http_client::{HttpClient, HttpResponse};
pub use replica::StreamingReplica;
pub use server::TestServer;
pub use smtp::{SmtpSink, SunkMessage};
pub use staff::{PASSWORD, StaffSession, csrf_in, form_body, multipart_body};
pub use wait::wait_until;

/// Declares each named `async fn(Store)` as two tests, `NAME::sqlite` and `NAME::postgres`,
/// each on its own fresh database.
#[macro_export]
macro_rules! db_tests {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let db = $crate::TestDb::sqlite().await;
                super::$name(db.store.clone()).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let db = $crate::TestDb::postgres().await;
                super::$name(db.store.clone()).await;
            }
        }
    )*};
}

/// Declares each named `async fn(TestApp)` as two tests over the real router, one per backend.
#[macro_export]
macro_rules! app_tests {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = $crate::TestApp::new($crate::TestDb::sqlite().await).await;
                super::$name(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let app = $crate::TestApp::new($crate::TestDb::postgres().await).await;
                super::$name(app).await;
            }
        }
    )*};
}
pub use fantoccini;
