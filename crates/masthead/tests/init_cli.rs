//! `masthead init`, run as the real binary: on an empty directory it makes a site that
//! `masthead serve --config` serves and whose admin can log in over HTTP; on a directory
//! that already has a site, or with a missing flag off a terminal, a bad time zone or a bad
//! password, it refuses and leaves nothing behind.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_testkit::{RunningBinary, TestDb, empty_postgres_database, form_body, run_command};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const BIN: &str = env!("CARGO_BIN_EXE_masthead");
const PASSWORD: &str = "correct horse battery staple";
const EMAIL: &str = "jane@example.org";
const SITE: &str = "https://news.example.org";

/// A working directory with the password file in it.
fn workdir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("password"), format!("{PASSWORD}\n")).unwrap();
    dir
}

/// `masthead init DIR` with every flag, the ones in `changes` replaced or added; returns
/// (exit code, stdout, stderr).
fn init(cwd: &Path, dir: &str, changes: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let mut flags = vec![
        ("--name", "Riverside Ledger"),
        ("--url", SITE),
        ("--timezone", "Europe/Berlin"),
        ("--admin-email", EMAIL),
        ("--admin-password-file", "password"),
    ];
    for &(flag, value) in changes {
        match flags.iter_mut().find(|(f, _)| *f == flag) {
            Some(given) => given.1 = value,
            None => flags.push((flag, value)),
        }
    }
    let mut args = vec!["init", dir];
    for (flag, value) in flags {
        args.extend([flag, value]);
    }
    let out = run_command(BIN, &args, cwd, None);
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Every file under `dir` with its bytes, for "nothing changed".
fn tree(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.insert(path.clone(), Vec::new());
            out.extend(tree(&path));
        } else {
            out.insert(path.clone(), std::fs::read(&path).unwrap());
        }
    }
    out
}

/// Logs `EMAIL` in through the login form of a server whose base URL is [`SITE`]; returns
/// the session cookie.
fn log_in(server: &RunningBinary, password: &str) -> Result<String, u16> {
    let form = form_body(&[("email", EMAIL), ("password", password), ("next", "/admin")]);
    let r = server
        .request(
            "POST",
            "/admin/login",
            &[
                ("Origin", SITE),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            form.as_bytes(),
        )
        .unwrap();
    if r.status != 303 {
        return Err(r.status);
    }
    Ok(r.head
        .lines()
        .find_map(|l| {
            let (name, value) = l.split_once(':')?;
            let value = value.trim();
            (name.eq_ignore_ascii_case("set-cookie") && value.contains("masthead_session="))
                .then(|| value.split(';').next().unwrap_or(value).to_owned())
        })
        .unwrap_or_else(|| panic!("no session cookie in {}", r.head)))
}

/// Serves the site made in `dir`, checks its name on the home page and that the admin logs
/// in (and a wrong password does not), then stops it.
fn serve_and_log_in(config: &Path) {
    let server = RunningBinary::start(BIN, &["--config", config.to_str().unwrap()], &[]);
    let (status, home) = server.get("/");
    assert_eq!(status, 200);
    assert!(home.contains("Riverside Ledger"), "{home}");
    assert!(log_in(&server, "not the password at all").is_err());
    let cookie = log_in(&server, PASSWORD).expect("the admin logs in");
    let desk = server
        .request("GET", "/admin", &[("Cookie", &cookie)], b"")
        .unwrap();
    assert_eq!(desk.status, 200, "{}", desk.body);
    server.stop();
}

#[test]
fn init_on_an_empty_directory_makes_a_site_that_serves_and_lets_the_admin_in() {
    let cwd = workdir();
    let (code, stdout, stderr) = init(cwd.path(), "site", &[]);
    assert_eq!(code, Some(0), "{stderr}");
    let site = cwd.path().join("site");
    let config = site.join("masthead.toml");
    assert!(
        stdout.contains(&format!("masthead serve --config {}", config.display())),
        "{stdout}"
    );
    let text = std::fs::read_to_string(&config).unwrap();
    for line in [
        "site_name = \"Riverside Ledger\"",
        "base_url = \"https://news.example.org\"",
        "timezone = \"Europe/Berlin\"",
        &format!("data_dir = \"{}\"", site.join("masthead-data").display()),
        "# tls = \"acme\"",
        "# tls_domains = [\"news.example.org\"]",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&config).unwrap().permissions().mode();
    assert_eq!(
        mode & 0o777,
        0o600,
        "only its owner reads the configuration"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&site)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert!(site.join("masthead-data/masthead.db").is_file());
    serve_and_log_in(&config);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_on_an_empty_postgres_database_serves_and_refuses_it_a_second_time() {
    let url = empty_postgres_database().await;
    let cwd = workdir();
    let (code, _, stderr) = init(cwd.path(), "site", &[("--database", &url)]);
    assert_eq!(code, Some(0), "{stderr}");
    let config = cwd.path().join("site/masthead.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.contains(&format!("database_url = \"{url}\"")),
        "{text}"
    );
    let run = tokio::task::spawn_blocking(move || serve_and_log_in(&config));
    run.await.unwrap();

    // The same database for another site: refused, and the second directory stays empty.
    let (code, _, stderr) = init(cwd.path(), "other", &[("--database", &url)]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("already holds a masthead site"), "{stderr}");
    assert!(!cwd.path().join("other").exists());
}

#[test]
fn init_refuses_a_directory_with_a_site_and_changes_nothing() {
    let cwd = workdir();
    assert_eq!(init(cwd.path(), "site", &[]).0, Some(0));
    let before = tree(cwd.path());
    let (code, stdout, stderr) = init(cwd.path(), "site", &[]);
    assert_eq!(code, Some(1), "{stdout}");
    let config = cwd.path().join("site/masthead.toml");
    assert_eq!(
        stderr.trim(),
        format!(
            "error: {} already exists, and masthead init never overwrites it: to change a \
             setting, edit that file; to set up another site, run masthead init in another \
             directory",
            config.display()
        )
    );
    assert_eq!(tree(cwd.path()), before);

    // Without the configuration, the data directory still stops it.
    std::fs::remove_file(&config).unwrap();
    let before = tree(cwd.path());
    let (code, _, stderr) = init(cwd.path(), "site", &[]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("masthead-data already has files in it"),
        "{stderr}"
    );
    assert_eq!(tree(cwd.path()), before);
}

#[test]
fn init_off_a_terminal_names_the_missing_flags() {
    let cwd = workdir();
    let out = run_command(
        BIN,
        &["init", "site", "--name", "Riverside Ledger", "--url", SITE],
        cwd.path(),
        None,
    );
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr.trim(),
        "error: standard input is not a terminal, so masthead init cannot ask; give \
         --timezone, --admin-email, --admin-password-file (see masthead init --help)"
    );
    assert!(!cwd.path().join("site").exists());
}

#[test]
fn init_with_a_bad_time_zone_or_password_writes_nothing() {
    let cwd = workdir();
    let before = tree(cwd.path());
    let (code, _, stderr) = init(cwd.path(), "site", &[("--timezone", "Mars/Olympus_Mons")]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("--timezone: \"Mars/Olympus_Mons\" is not an IANA time zone name"),
        "{stderr}"
    );
    assert_eq!(tree(cwd.path()), before);

    std::fs::write(cwd.path().join("short"), "hunter2\n").unwrap();
    let before = tree(cwd.path());
    let (code, _, stderr) = init(cwd.path(), "site", &[("--admin-password-file", "short")]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("--admin-password-file"), "{stderr}");
    assert_eq!(tree(cwd.path()), before);

    // A failure after the writing began (the database cannot be created) takes back what
    // was made: the site's directory, its data directory and the configuration.
    let missing = cwd.path().join("no-such-dir/x.db");
    let url = format!("sqlite://{}", missing.display());
    let (code, _, stderr) = init(cwd.path(), "site", &[("--database", &url)]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("nothing was kept"), "{stderr}");
    assert_eq!(tree(cwd.path()), before);

    // An existing empty directory stays, and stays empty.
    std::fs::create_dir_all(cwd.path().join("empty/masthead-data")).unwrap();
    let before = tree(cwd.path());
    let (code, _, stderr) = init(cwd.path(), "empty", &[("--database", "mysql://x/y")]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("--database must be"), "{stderr}");
    assert_eq!(tree(cwd.path()), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_refuses_an_existing_sqlite_file() {
    let db = TestDb::sqlite().await;
    db.store.close().await;
    let cwd = workdir();
    let (code, _, stderr) = init(cwd.path(), "site", &[("--database", &db.url)]);
    assert_eq!(code, Some(1));
    assert!(stderr.contains("already exists"), "{stderr}");
    assert!(!cwd.path().join("site").exists());
}

/// On a terminal (a pseudo-terminal from util-linux's `script`), init asks each question,
/// asks again after a bad answer, offers the default time zone, and reads the password
/// twice from the terminal.
#[test]
fn init_on_a_terminal_asks_and_asks_again_after_a_bad_answer() {
    let script = Path::new("/usr/bin/script");
    assert!(
        script.is_file(),
        "/usr/bin/script is missing: install Debian's util-linux package"
    );
    let cwd = workdir();
    let answers = format!(
        "Riverside Ledger\nnews.example.org\n{SITE}\nMars/Olympus_Mons\n\n{EMAIL}\n{PASSWORD}\n{PASSWORD}\n"
    );
    let out = std::process::Command::new(script)
        .args(["-qec", &format!("{BIN} init site"), "/dev/null"])
        .current_dir(cwd.path())
        .env_remove("MASTHEAD_CONFIG")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write as _;
            child.stdin.take().unwrap().write_all(answers.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    let shown = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(
        shown.contains("must be https:// and a host name"),
        "{shown}"
    );
    assert!(shown.contains("is not an IANA time zone name"), "{shown}");
    assert!(shown.contains("Time zone [America/Chicago]"), "{shown}");
    let text = std::fs::read_to_string(cwd.path().join("site/masthead.toml")).unwrap();
    for line in [
        "site_name = \"Riverside Ledger\"",
        "base_url = \"https://news.example.org\"",
        "timezone = \"America/Chicago\"",
    ] {
        assert!(text.lines().any(|l| l == line), "{line} in\n{text}");
    }
    let config = cwd.path().join("site/masthead.toml");
    let list = run_command(
        BIN,
        &["user", "list", "--config", config.to_str().unwrap()],
        cwd.path(),
        None,
    );
    let list = String::from_utf8(list.stdout).unwrap();
    assert!(
        list.lines()
            .any(|l| l.starts_with(EMAIL) && l.contains("admin")),
        "{list}"
    );
}
