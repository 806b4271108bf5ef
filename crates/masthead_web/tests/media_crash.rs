//! Item 17 of issue 7: a crash during an upload must leave either a complete media row with
//! its files, or files that the start-up sweep removes. The crash is simulated at each point
//! the upload passes (record written, some or all files written, temporary file left), on
//! both backends, and the sweep is the one `masthead serve` runs.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use masthead_media::{storage_name, variant_name};
use masthead_store::NewMedia;
use masthead_testkit::{TestApp, app_tests, t0};
use masthead_web::media_upkeep::{self, Swept, UPLOAD_GRACE};
use std::time::{Duration, SystemTime};

app_tests!(
    files_of_an_upload_killed_before_its_row_are_removed_at_start,
    a_swept_upload_that_was_still_running_fails_instead_of_pointing_at_missing_files,
    files_no_record_names_are_left_alone_by_the_sweep,
);

fn stored_files(app: &TestApp) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(&app.state.config().media_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

fn new_media(name: &str, variants: Vec<u32>) -> NewMedia {
    NewMedia {
        storage_name: name.to_owned(),
        original_name: "board.jpg".into(),
        content_type: "image/jpeg".into(),
        width: 1200,
        height: 800,
        byte_size: 3,
        alt: "The board".into(),
        credit: String::new(),
        uploaded_by: None,
        variants,
    }
}

/// Leaves what a kill at some point of an upload leaves: the record, and `files` of the
/// image written.
async fn crash_after(app: &TestApp, files: &[&str], name: &str) {
    app.store()
        .begin_media_upload(name, &[320, 640], t0())
        .await
        .unwrap();
    for file in files {
        app.state.media.put(file, vec![1, 2, 3]).await.unwrap();
    }
}

/// On PostgreSQL (shared by app servers) the start-up sweep only takes records older than
/// the grace period; on SQLite it takes every one.
fn after_grace(app: &TestApp) {
    app.clock
        .advance(chrono::Duration::from_std(UPLOAD_GRACE).unwrap() + chrono::Duration::seconds(1));
}

async fn files_of_an_upload_killed_before_its_row_are_removed_at_start(app: TestApp) {
    // A finished upload, which the sweep must not touch.
    let kept = storage_name("jpg");
    crash_after(
        &app,
        &[&variant_name(&kept, 320), &variant_name(&kept, 640), &kept],
        &kept,
    )
    .await;
    app.store()
        .finish_media_upload(&new_media(&kept, vec![320, 640]), t0())
        .await
        .unwrap();

    // Killed with no file written, with only the resized copies, and with everything but
    // the row.
    let none = storage_name("jpg");
    crash_after(&app, &[], &none).await;
    let some = storage_name("jpg");
    crash_after(&app, &[&variant_name(&some, 320)], &some).await;
    let all = storage_name("png");
    crash_after(
        &app,
        &[&variant_name(&all, 320), &variant_name(&all, 640), &all],
        &all,
    )
    .await;
    // Killed between writing a temporary file and renaming it.
    let tmp = app
        .state
        .config()
        .media_dir
        .join(".tmp-0123456789abcdef.part");
    std::fs::write(&tmp, vec![0u8; 4096]).unwrap();
    let an_hour_ago = SystemTime::now() - Duration::from_secs(3600);
    std::fs::File::options()
        .write(true)
        .open(&tmp)
        .unwrap()
        .set_modified(an_hour_ago)
        .unwrap();
    assert_eq!(stored_files(&app).len(), 8);

    after_grace(&app);
    let swept = media_upkeep::sweep_at_start(&app.state).await.unwrap();
    assert_eq!(
        swept,
        Swept {
            uploads: 3,
            temporary: 1
        }
    );
    let mut expected = vec![
        kept.clone(),
        variant_name(&kept, 320),
        variant_name(&kept, 640),
    ];
    expected.sort();
    assert_eq!(stored_files(&app), expected);
    assert!(app.store().unfinished_uploads().await.unwrap().is_empty());
    assert!(
        app.store()
            .media_item_by_name(&kept)
            .await
            .unwrap()
            .is_some()
    );
    // Sweeping again finds nothing.
    let again = media_upkeep::sweep_at_start(&app.state).await.unwrap();
    assert_eq!(again, Swept::default());
}

async fn a_swept_upload_that_was_still_running_fails_instead_of_pointing_at_missing_files(
    app: TestApp,
) {
    let name = storage_name("jpg");
    crash_after(&app, &[&variant_name(&name, 320)], &name).await;
    after_grace(&app);
    media_upkeep::sweep_at_start(&app.state).await.unwrap();
    // The upload was not dead after all: it writes its last files and tries to finish.
    app.state.media.put(&name, vec![1, 2, 3]).await.unwrap();
    let finished = app
        .store()
        .finish_media_upload(&new_media(&name, vec![320]), t0())
        .await;
    assert!(
        matches!(finished, Err(masthead_store::StoreError::NotFound)),
        "{finished:?}"
    );
    assert!(
        app.store()
            .media_item_by_name(&name)
            .await
            .unwrap()
            .is_none()
    );
    // Each record is taken by exactly one sweeper.
    let name2 = storage_name("jpg");
    crash_after(&app, &[], &name2).await;
    let cutoff = app.state.clock.now() + chrono::Duration::seconds(1);
    let (a, b) = tokio::join!(
        app.store().claim_unfinished_uploads(cutoff),
        app.store().claim_unfinished_uploads(cutoff)
    );
    assert_eq!(a.unwrap().len() + b.unwrap().len(), 1);
}

async fn files_no_record_names_are_left_alone_by_the_sweep(app: TestApp) {
    // A file without a record could be a library file of a database the server was wrongly
    // pointed at; only `masthead check --remove-orphans` deletes it.
    let stray = storage_name("jpg");
    app.state.media.put(&stray, vec![1]).await.unwrap();
    after_grace(&app);
    let swept = media_upkeep::sweep_at_start(&app.state).await.unwrap();
    assert_eq!(swept, Swept::default());
    assert_eq!(stored_files(&app), vec![stray]);
}
