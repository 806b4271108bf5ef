//! The test databases clean up after themselves (issue 8: PostgreSQL test databases used
//! to pile up in the cluster until the script deleted it).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use masthead_testkit::TestDb;
use sqlx::Connection;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_postgres_test_database_is_dropped_with_its_test_db() {
    let db = TestDb::postgres().await;
    let name = db.url.rsplit_once('/').unwrap().1.to_owned();
    // A connection the test forgot to close does not keep the database alive.
    let _left_open = db.store.clone();
    let exists = |name: String| async move {
        let admin = std::env::var("MASTHEAD_TEST_POSTGRES_URL").unwrap();
        let mut admin = sqlx::PgConnection::connect(&admin).await.unwrap();
        let found: Option<(String,)> =
            sqlx::query_as("SELECT datname::text FROM pg_database WHERE datname = $1")
                .bind(name)
                .fetch_optional(&mut admin)
                .await
                .unwrap();
        found.is_some()
    };
    assert!(exists(name.clone()).await);
    drop(db);
    assert!(!exists(name).await, "the database is gone");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_test_database_is_removed_with_its_test_db() {
    let db = TestDb::sqlite().await;
    let dir = db.dir.path().to_owned();
    assert!(dir.join("test.db").exists());
    db.store.close().await;
    drop(db);
    assert!(!dir.exists());
}
