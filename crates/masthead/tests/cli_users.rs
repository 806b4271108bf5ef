//! `masthead user ...` and `masthead token create`, run as the real binary against a fresh
//! database: what an operator types, what they read, and what ends up stored.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_core::Clock;
use masthead_core::Role;
use masthead_core::secret::token_hash;
use masthead_store::Store;
use masthead_testkit::{TestDb, run_command};
use std::path::{Path, PathBuf};
use std::process::Output;

const BIN: &str = env!("CARGO_BIN_EXE_masthead");
const GOOD: &str = "correct horse battery staple";

/// A newsroom's data: a temporary directory, and the flags that point the binary at its
/// database (the SQLite file in the data directory, or a PostgreSQL URL).
struct Newsroom {
    dir: tempfile::TempDir,
    flags: Vec<String>,
}

/// What one run printed and how it ended.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Newsroom {
    fn sqlite() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data").to_str().unwrap().to_owned();
        Self {
            dir,
            flags: vec!["--data-dir".into(), data],
        }
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    fn sqlite_url(&self) -> String {
        format!("sqlite://{}", self.data_dir().join("masthead.db").display())
    }

    /// Runs `masthead ARGS --data flags`, feeding `stdin` when given (else no input, which
    /// is not a terminal).
    fn run(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let args: Vec<&str> = args
            .iter()
            .copied()
            .chain(self.flags.iter().map(String::as_str))
            .collect();
        let Output {
            status,
            stdout,
            stderr,
        } = run_command(BIN, &args, self.dir.path(), stdin);
        Run {
            code: status.code(),
            stdout: String::from_utf8(stdout).unwrap(),
            stderr: String::from_utf8(stderr).unwrap(),
        }
    }

    /// Runs a command that must succeed and returns its standard output.
    fn ok(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let run = self.run(args, stdin);
        assert_eq!(run.code, Some(0), "{args:?} failed: {}", run.stderr);
        run
    }

    /// Runs a command that must fail with exit code 1 and one line on standard error, and
    /// returns that line.
    fn fails(&self, args: &[&str], stdin: Option<&str>) -> String {
        let run = self.run(args, stdin);
        assert_eq!(
            run.code,
            Some(1),
            "{args:?} should fail with 1: {}",
            run.stderr
        );
        assert_eq!(
            run.stderr.trim().lines().count(),
            1,
            "one line: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        run.stderr
    }

    fn add(&self, email: &str, name: &str, role: &str) {
        let run = self.ok(
            &[
                "user",
                "add",
                "--email",
                email,
                "--name",
                name,
                "--role",
                role,
                "--password-stdin",
            ],
            Some(&format!("{GOOD}\n")),
        );
        assert_eq!(run.stdout, format!("created {role} account for {email}\n"));
    }
}

fn add_args<'a>(email: &'a str, role: &'a str) -> Vec<&'a str> {
    vec![
        "user",
        "add",
        "--email",
        email,
        "--name",
        "Pat Reyes",
        "--role",
        role,
        "--password-stdin",
    ]
}

/// The list's row for `email`, split into its columns.
fn row(list: &str, email: &str) -> Vec<String> {
    list.lines()
        .find(|l| l.starts_with(email))
        .unwrap_or_else(|| panic!("{email} is not listed:\n{list}"))
        .split("  ")
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Every file under `dir` (the database, its WAL) as bytes, concatenated.
fn all_bytes(dir: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            out.extend(std::fs::read(&path).unwrap());
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn add_refuses_duplicates_weak_passwords_and_unknown_roles() {
    let room = Newsroom::sqlite();
    room.add("jane@example.org", "Jane Doe", "editor");

    let err = room.fails(
        &add_args("Jane@Example.org", "author"),
        Some(&format!("{GOOD}\n")),
    );
    assert!(
        err.contains("an account for jane@example.org already exists")
            && err.contains("masthead user list"),
        "{err}"
    );

    let err = room.fails(
        &add_args("pat@example.org", "author"),
        Some("password1234\n"),
    );
    assert!(err.contains("This password is too easy to guess."), "{err}");
    let err = room.fails(&add_args("pat@example.org", "author"), Some("short\n"));
    assert!(err.contains("at least 12 characters"), "{err}");
    // Made of the account's own name and address.
    let err = room.fails(
        &add_args("pat@example.org", "author"),
        Some("PatReyes2024!\n"),
    );
    assert!(err.contains("your name, email address"), "{err}");

    let err = room.fails(
        &add_args("pat@example.org", "boss"),
        Some(&format!("{GOOD}\n")),
    );
    assert!(
        err.contains("\"boss\"") && err.contains("contributor, author, editor, admin"),
        "{err}"
    );

    let err = room.fails(
        &add_args("not-an-address", "author"),
        Some(&format!("{GOOD}\n")),
    );
    assert!(err.contains("jane@example.org"), "shows an example: {err}");

    // No terminal and no --password-stdin: told which flag to use, never prompted.
    let mut no_flag = add_args("pat@example.org", "author");
    no_flag.pop();
    let err = room.fails(&no_flag, None);
    assert!(err.contains("--password-stdin"), "{err}");
    let err = room.fails(&add_args("pat@example.org", "author"), Some(""));
    assert!(err.contains("standard input is empty"), "{err}");

    // None of the refusals created an account.
    let list = room.ok(&["user", "list"], None).stdout;
    assert_eq!(list.lines().count(), 2, "{list}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn password_from_stdin_keeps_spaces_and_drops_only_the_newline() {
    let room = Newsroom::sqlite();
    let password = "  a tabled\tpassphrase for winter  ";
    room.ok(
        &add_args("pat@example.org", "author"),
        Some(&format!("{password}\r\nsecond line is ignored\n")),
    );
    let store = Store::connect(&room.sqlite_url()).await.unwrap();
    let creds = store.credentials("pat@example.org").await.unwrap().unwrap();
    assert!(masthead_core::password::verify_password(
        password,
        &creds.password_hash
    ));
    assert!(!masthead_core::password::verify_password(
        password.trim(),
        &creds.password_hash
    ));
    store.close().await;
}

#[test]
fn list_set_role_disable_and_enable() {
    let room = Newsroom::sqlite();
    let empty = room.ok(&["user", "list"], None);
    assert!(
        empty.stderr.contains("masthead user add"),
        "{}",
        empty.stderr
    );

    room.add("jane@example.org", "Jane Doe", "editor");
    room.add("sam@example.org", "Sam Okafor", "contributor");
    let list = room.ok(&["user", "list"], None).stdout;
    let header = list.lines().next().unwrap();
    for column in ["EMAIL", "NAME", "ROLE", "2FA", "DISABLED"] {
        assert!(header.contains(column), "{list}");
    }
    assert_eq!(
        row(&list, "jane@example.org"),
        ["jane@example.org", "Jane Doe", "editor", "off", "no"]
    );

    let out = room
        .ok(
            &[
                "user",
                "set-role",
                "--email",
                "sam@example.org",
                "--role",
                "author",
            ],
            None,
        )
        .stdout;
    assert!(out.contains("sam@example.org is now an author"), "{out}");
    let err = room.fails(
        &[
            "user",
            "set-role",
            "--email",
            "sam@example.org",
            "--role",
            "chief",
        ],
        None,
    );
    assert!(err.contains("contributor, author, editor, admin"), "{err}");
    let err = room.fails(
        &[
            "user",
            "set-role",
            "--email",
            "nobody@example.org",
            "--role",
            "admin",
        ],
        None,
    );
    assert!(
        err.contains("no account for nobody@example.org") && err.contains("masthead user list"),
        "{err}"
    );

    room.ok(&["user", "disable", "--email", "sam@example.org"], None);
    let list = room.ok(&["user", "list"], None).stdout;
    assert_eq!(
        row(&list, "sam@example.org"),
        ["sam@example.org", "Sam Okafor", "author", "off", "yes"]
    );

    // A disabled account gets no token, and the refusal says how to enable it.
    let err = room.fails(&["token", "create", "--user", "sam@example.org"], None);
    assert!(
        err.contains("disabled") && err.contains("masthead user enable --email sam@example.org"),
        "{err}"
    );
    room.ok(&["user", "enable", "--email", "sam@example.org"], None);
    let list = room.ok(&["user", "list"], None).stdout;
    assert_eq!(row(&list, "sam@example.org")[4], "no");
    room.ok(&["token", "create", "--user", "sam@example.org"], None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_is_printed_once_and_only_its_hash_is_stored() {
    let room = Newsroom::sqlite();
    room.add("jane@example.org", "Jane Doe", "editor");

    let err = room.fails(
        &[
            "token",
            "create",
            "--user",
            "jane@example.org",
            "--scope",
            "admin",
        ],
        None,
    );
    assert!(
        err.contains("--scope admin is wider") && err.contains("an editor"),
        "{err}"
    );
    let err = room.fails(
        &[
            "token",
            "create",
            "--user",
            "jane@example.org",
            "--scope",
            "root",
        ],
        None,
    );
    assert!(err.contains("contributor, author, editor, admin"), "{err}");
    let err = room.fails(&["token", "create", "--user", "nobody@example.org"], None);
    assert!(err.contains("no account for nobody@example.org"), "{err}");

    // The default scope is the owner's role.
    let run = room.ok(
        &[
            "token",
            "create",
            "--user",
            "jane@example.org",
            "--name",
            "wire script",
        ],
        None,
    );
    let token = run.stdout.trim().to_owned();
    assert_eq!(
        run.stdout.lines().count(),
        1,
        "the token alone: {}",
        run.stdout
    );
    assert!(token.starts_with("mh_") && token.len() > 40, "{token}");
    assert!(
        run.stderr.contains("cannot be shown again")
            && run.stderr.contains("Authorization: Bearer"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(&token), "printed once: {}", run.stderr);

    let narrow = room.ok(
        &[
            "token",
            "create",
            "--user",
            "jane@example.org",
            "--scope",
            "contributor",
        ],
        None,
    );
    let narrow = narrow.stdout.trim().to_owned();

    let store = Store::connect(&room.sqlite_url()).await.unwrap();
    let now = masthead_core::SystemClock.now();
    let owner = store
        .token_owner(&token_hash(&token), now)
        .await
        .unwrap()
        .expect("the token's hash finds its owner");
    assert_eq!(owner.user.email, "jane@example.org");
    assert_eq!(owner.role, Role::Editor);
    let owner = store
        .token_owner(&token_hash(&narrow), now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(owner.role, Role::Contributor);
    assert!(store.token_owner(&token, now).await.unwrap().is_none());
    store.close().await;

    // The database files hold the hash, never the token itself.
    let bytes = all_bytes(&room.data_dir());
    assert!(
        contains(&bytes, &token_hash(&token)),
        "the scan sees the hash"
    );
    assert!(!contains(&bytes, &token), "the token is stored in clear");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reset_password_prints_a_one_time_link() {
    let room = Newsroom::sqlite();
    room.add("jane@example.org", "Jane Doe", "admin");
    let run = room.ok(
        &[
            "user",
            "reset-password",
            "--email",
            "jane@example.org",
            "--base-url",
            "https://news.example.org/",
            "--expires-hours",
            "2",
        ],
        None,
    );
    let link = run.stdout.trim();
    let token = link
        .strip_prefix("https://news.example.org/admin/reset/")
        .unwrap_or_else(|| panic!("{link}"));
    assert!(token.len() >= 43, "{token}");
    assert!(run.stderr.contains("works once, until"), "{}", run.stderr);

    let store = Store::connect(&room.sqlite_url()).await.unwrap();
    let now = masthead_core::SystemClock.now();
    let user = store.reset_user(&token_hash(token), now).await.unwrap();
    assert_eq!(user.map(|u| u.email).as_deref(), Some("jane@example.org"));
    let later = now + chrono::Duration::hours(3);
    assert!(
        store
            .reset_user(&token_hash(token), later)
            .await
            .unwrap()
            .is_none()
    );
    store.close().await;
    assert!(!contains(&all_bytes(&room.data_dir()), token));

    // Without a configured base URL the link still works locally, with a note saying so.
    let run = room.ok(
        &["user", "reset-password", "--email", "jane@example.org"],
        None,
    );
    assert!(run.stdout.contains("/admin/reset/"), "{}", run.stdout);
    assert!(run.stderr.contains("base_url is not set"), "{}", run.stderr);
    // A new link cancels the older one.
    let store = Store::connect(&room.sqlite_url()).await.unwrap();
    let newer = run.stdout.trim().rsplit('/').next().unwrap().to_owned();
    assert!(
        store
            .reset_user(&token_hash(token), now)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .reset_user(&token_hash(&newer), now)
            .await
            .unwrap()
            .is_some()
    );
    store.close().await;

    let err = room.fails(
        &["user", "reset-password", "--email", "nobody@example.org"],
        None,
    );
    assert!(err.contains("no account for nobody@example.org"), "{err}");
    room.ok(&["user", "disable", "--email", "jane@example.org"], None);
    let err = room.fails(
        &["user", "reset-password", "--email", "jane@example.org"],
        None,
    );
    assert!(err.contains("masthead user enable"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accounts_and_tokens_on_postgres() {
    let db = TestDb::postgres().await;
    let room = Newsroom {
        dir: tempfile::tempdir().unwrap(),
        flags: vec!["--database-url".into(), db.url.clone()],
    };
    let token = tokio::task::spawn_blocking(move || {
        room.add("jane@example.org", "Jane Doe", "editor");
        let err = room.fails(
            &add_args("jane@example.org", "author"),
            Some(&format!("{GOOD}\n")),
        );
        assert!(err.contains("already exists"), "{err}");
        let list = room.ok(&["user", "list"], None).stdout;
        assert_eq!(
            row(&list, "jane@example.org"),
            ["jane@example.org", "Jane Doe", "editor", "off", "no"]
        );
        room.ok(&["user", "disable", "--email", "jane@example.org"], None);
        room.fails(&["token", "create", "--user", "jane@example.org"], None);
        room.ok(&["user", "enable", "--email", "jane@example.org"], None);
        room.ok(
            &[
                "user",
                "set-role",
                "--email",
                "jane@example.org",
                "--role",
                "admin",
            ],
            None,
        );
        room.ok(
            &["user", "reset-password", "--email", "jane@example.org"],
            None,
        );
        // Nothing was written to a data directory: the database is elsewhere.
        assert!(!room.data_dir().exists() && !room.dir.path().join("masthead-data").exists());
        room.ok(&["token", "create", "--user", "jane@example.org"], None)
            .stdout
            .trim()
            .to_owned()
    })
    .await
    .unwrap();
    let owner = db
        .store
        .token_owner(&token_hash(&token), masthead_core::SystemClock.now())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (owner.user.email.as_str(), owner.role),
        ("jane@example.org", Role::Admin)
    );
}

/// Makes two-factor login required (as an admin's settings page would) in `store`.
async fn require_two_factor(store: &Store) {
    store
        .save_settings(
            &[("require_2fa", "1".into())],
            &masthead_store::Actor::system("test"),
            masthead_core::SystemClock.now(),
        )
        .await
        .unwrap();
}

/// Until an editor who must use two-factor login has set it up, the command line makes them
/// no token (it would not work on the API), and the refusal says what to do.
fn token_create_refuses_staff_who_must_enrol_first(room: &Newsroom) {
    let err = room.fails(&["token", "create", "--user", "ed@example.org"], None);
    assert!(
        err.contains("two-factor") && err.contains("account page"),
        "{err}"
    );
    room.ok(&["token", "create", "--user", "au@example.org"], None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_create_refuses_staff_who_must_enrol_first_on_sqlite() {
    let room = Newsroom::sqlite();
    room.add("ed@example.org", "Ed Editor", "editor");
    room.add("au@example.org", "Au Author", "author");
    let store = Store::connect(&room.sqlite_url()).await.unwrap();
    require_two_factor(&store).await;
    store.close().await;
    token_create_refuses_staff_who_must_enrol_first(&room);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_create_refuses_staff_who_must_enrol_first_on_postgres() {
    let db = TestDb::postgres().await;
    let room = Newsroom {
        dir: tempfile::tempdir().unwrap(),
        flags: vec!["--database-url".into(), db.url.clone()],
    };
    let room = tokio::task::spawn_blocking(move || {
        room.add("ed@example.org", "Ed Editor", "editor");
        room.add("au@example.org", "Au Author", "author");
        room
    })
    .await
    .unwrap();
    require_two_factor(&db.store).await;
    tokio::task::spawn_blocking(move || token_create_refuses_staff_who_must_enrol_first(&room))
        .await
        .unwrap();
}
