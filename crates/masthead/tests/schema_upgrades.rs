//! Upgrades, on SQLite and PostgreSQL, with the real binary: `masthead migrate --dry-run`
//! lists what would run and changes nothing, `masthead migrate` applies it; and this binary
//! on a database a newer release migrated (a real migration applied through the store's
//! migrator, as that release would) starts when the newer migrations are all expands and
//! refuses with a clear message when one is a contract.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_store::Store;
use masthead_store::migrate::{MigrationKind, apply_as_newer_release, apply_up_to, known, status};
use masthead_testkit::{RunningBinary, TestDb, empty_postgres_database};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_masthead");

/// A database URL of each backend with nothing in it yet, and the directory the commands
/// run in (the SQLite file lives there).
async fn empty_database(postgres: bool, dir: &tempfile::TempDir) -> String {
    if postgres {
        empty_postgres_database().await
    } else {
        format!("sqlite://{}", dir.path().join("site.db").display())
    }
}

/// Runs `masthead ARGS` in `dir` (none of the test's masthead settings, no input); a run
/// still going after a minute (a server that started when it should have refused) is
/// killed and fails the test.
fn masthead(dir: &tempfile::TempDir, args: &[&str]) -> (Option<i32>, String, String) {
    let child = std::process::Command::new(BIN)
        .args(args)
        .current_dir(dir.path())
        .env_remove("MASTHEAD_CONFIG")
        .env_remove("MASTHEAD_DATABASE_URL")
        .env_remove("MASTHEAD_DATA_DIR")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let pid = rustix::process::Pid::from_raw(child.id() as i32).unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
            panic!("masthead {args:?} was still running after a minute");
        }
    };
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn last_known() -> i64 {
    known().last().unwrap().version
}

async fn dry_run_lists_and_changes_nothing_then_migrate_applies(postgres: bool) {
    let dir = tempfile::tempdir().unwrap();
    let url = empty_database(postgres, &dir).await;
    // The database as the release before left it: all but the last three migrations.
    let upto = last_known() - 3;
    let store = Store::connect_unmigrated(&url).await.unwrap();
    apply_up_to(&store, upto).await.unwrap();
    let before = status(&store).await.unwrap();
    assert_eq!(before.pending.len(), 3);
    store.close().await;

    let (code, stdout, stderr) = masthead(&dir, &["migrate", "--dry-run", "--database-url", &url]);
    assert_eq!(code, Some(0), "{stderr}");
    for m in known() {
        let state = if m.version <= upto {
            "applied"
        } else {
            "pending"
        };
        let line = format!("{state:<8} {:04}  {:<32} {}", m.version, m.name, m.kind);
        assert!(stdout.lines().any(|l| l == line), "{line:?} in\n{stdout}");
    }
    assert!(
        stdout.contains("dry run: would apply 3 migrations (0 contract); nothing was changed"),
        "{stdout}"
    );
    let store = Store::connect_unmigrated(&url).await.unwrap();
    let after = status(&store).await.unwrap();
    assert_eq!(after.applied, before.applied, "the dry run changed nothing");
    store.close().await;

    let (code, stdout, stderr) = masthead(&dir, &["migrate", "--database-url", &url]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains(&format!(
            "applied 3 migrations; the schema is at {}",
            last_known()
        )),
        "{stdout}"
    );
    let store = Store::connect_unmigrated(&url).await.unwrap();
    assert!(status(&store).await.unwrap().pending.is_empty());
    store.close().await;
    let (_, stdout, _) = masthead(&dir, &["migrate", "--dry-run", "--database-url", &url]);
    assert!(stdout.contains("dry run: nothing to apply"), "{stdout}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_dry_run_then_apply_sqlite() {
    dry_run_lists_and_changes_nothing_then_migrate_applies(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migrate_dry_run_then_apply_postgres() {
    dry_run_lists_and_changes_nothing_then_migrate_applies(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_on_a_missing_sqlite_file_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let (code, stdout, stderr) = masthead(
        &dir,
        &["migrate", "--dry-run", "--data-dir", data.to_str().unwrap()],
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("there is no database at"), "{stderr}");
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("pending")).count(),
        known().len()
    );
    assert!(!data.exists());
}

/// The migrations a newer release brings: an expand (a new column older releases do not
/// read), and optionally a contract after it (dropping that column again stands for any
/// drop or rename).
fn newer(contract: bool) -> Vec<(i64, &'static str, MigrationKind, &'static str)> {
    let next = last_known() + 1;
    let mut extra = vec![(
        next,
        "story_reading_time",
        MigrationKind::Expand,
        "ALTER TABLE articles ADD COLUMN reading_minutes BIGINT",
    )];
    if contract {
        extra.push((
            next + 1,
            "drop_story_reading_time",
            MigrationKind::Contract,
            "ALTER TABLE articles DROP COLUMN reading_minutes",
        ));
    }
    extra
}

async fn test_db(postgres: bool) -> TestDb {
    if postgres {
        TestDb::postgres().await
    } else {
        TestDb::sqlite().await
    }
}

async fn an_older_binary_starts_on_newer_expands(postgres: bool) {
    let db = test_db(postgres).await;
    apply_as_newer_release(&db.store, &newer(false))
        .await
        .unwrap();
    db.store.close().await;
    let data = db.dir.path().join("data");
    let server = RunningBinary::start(
        BIN,
        &[
            "--database-url",
            &db.url,
            "--data-dir",
            data.to_str().unwrap(),
        ],
        &[],
    );
    let next = last_known() + 1;
    let log = server.wait_for_log("does not know", Duration::from_secs(10));
    assert!(
        log.contains(&format!("{next} story_reading_time (expand)")),
        "{log}"
    );
    let (status, _) = server.get("/");
    assert_eq!(status, 200);
    server.stop();

    // `migrate` lists the newer one and has nothing to do.
    let dir = tempfile::tempdir().unwrap();
    let (code, stdout, stderr) = masthead(&dir, &["migrate", "--database-url", &db.url]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stdout.contains(&format!("newer    {next:04}  story_reading_time")),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_binary_starts_on_newer_expands_sqlite() {
    an_older_binary_starts_on_newer_expands(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_binary_starts_on_newer_expands_postgres() {
    an_older_binary_starts_on_newer_expands(true).await;
}

async fn an_older_binary_refuses_a_newer_contract(postgres: bool) {
    let db = test_db(postgres).await;
    apply_as_newer_release(&db.store, &newer(true))
        .await
        .unwrap();
    db.store.close().await;
    let data = db.dir.path().join("data");
    let dir = tempfile::tempdir().unwrap();
    let expected = format!(
        "this database was upgraded to schema {} by a newer masthead; this binary knows up to \
         {}, and the newer release's migration {} drop_story_reading_time changed what this one \
         uses; run the newer release, or restore the backup taken before the upgrade",
        last_known() + 2,
        last_known(),
        last_known() + 2,
    );
    for command in [
        &["serve", "--addr", "127.0.0.1:0"][..],
        &["migrate"],
        &["migrate", "--dry-run"],
    ] {
        let mut args = command.to_vec();
        args.extend([
            "--database-url",
            &db.url,
            "--data-dir",
            data.to_str().unwrap(),
        ]);
        let (code, stdout, stderr) = masthead(&dir, &args);
        assert_eq!(code, Some(1), "{command:?} must refuse: {stdout}{stderr}");
        assert!(!stdout.contains("listening"), "{stdout}");
        assert!(stderr.contains(&expected), "{command:?}: {stderr}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_binary_refuses_a_newer_contract_sqlite() {
    an_older_binary_refuses_a_newer_contract(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_older_binary_refuses_a_newer_contract_postgres() {
    an_older_binary_refuses_a_newer_contract(true).await;
}
