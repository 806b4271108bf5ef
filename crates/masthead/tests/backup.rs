//! `masthead backup`, `restore` and `check`, and the start-up checks (issue 7, items 17 and
//! 18), run as the real binary over real HTTP on both databases: a backup taken while
//! writers race restores every write acknowledged before it began and serves the same
//! pages; damaged databases are refused with the real cause; interrupted uploads leave
//! nothing behind after a restart.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_core::Clock;
use masthead_testkit::{RunningBinary as Server, run_command};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_masthead");

/// A real photo from the demo, so uploads get resized copies.
const PHOTO: &[u8] = include_bytes!("../demo/images/gavel.jpg");
/// Every server in a comparison gets the same public address, so links match.
const BASE: &str = "http://news.example.test";
const PASSWORD: &str = "correct horse battery staple";

/// A site's data: a temporary directory and the flags pointing the binary at it.
struct Site {
    dir: tempfile::TempDir,
    flags: Vec<String>,
}

/// Runs `masthead ARGS` in `cwd` with `stdin` as input and no inherited settings.
fn run(args: &[&str], cwd: &Path, stdin: Option<&str>) -> Output {
    run_command(BIN, args, cwd, stdin)
}

/// One HTTP/1.1 request; the status and the body's exact bytes (images are compared).
fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, Vec<u8>) {
    try_http(addr, method, path, headers, body).expect("an HTTP exchange")
}

/// [`http`], with `Err` when the server is gone.
fn try_http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> std::io::Result<(u16, Vec<u8>)> {
    masthead_testkit::http(addr, method, path, headers, body).map(|r| (r.status, r.bytes))
}

impl Site {
    fn sqlite() -> Site {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data").to_str().unwrap().to_owned();
        Site {
            dir,
            flags: vec!["--data-dir".into(), data],
        }
    }

    /// A site on a new, empty PostgreSQL database.
    fn postgres() -> Site {
        let url = tokio::runtime::Runtime::new()
            .unwrap()
            .block_on(masthead_testkit::empty_postgres_database());
        let mut site = Site::sqlite();
        site.flags.extend(["--database-url".into(), url]);
        site
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `masthead ARGS --data flags`.
    fn run(&self, args: &[&str]) -> Output {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(self.flags.iter().map(String::as_str));
        run(&all, self.dir.path(), None)
    }

    fn run_ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn serve(&self, extra: &[&str]) -> Server {
        let mut args: Vec<&str> = self.flags.iter().map(String::as_str).collect();
        args.extend(["--base-url", BASE]);
        args.extend(extra);
        let server = Server::start(BIN, &args, &[]);
        // It listens for SIGTERM once it serves; an answered request proves it does.
        assert_eq!(server.get("/healthz").0, 200);
        server
    }

    /// An admin account and an API token for it.
    fn token(&self) -> String {
        let mut args = vec![
            "user",
            "add",
            "--email",
            "ed@example.org",
            "--name",
            "Ed Itor",
            "--role",
            "admin",
            "--password-stdin",
        ];
        args.extend(self.flags.iter().map(String::as_str));
        let out = run(&args, self.dir.path(), Some(PASSWORD));
        assert!(out.status.success(), "{out:?}");
        self.run_ok(&["token", "create", "--user", "ed@example.org"])
            .trim()
            .to_owned()
    }
}

fn api(addr: &str, token: &str, method: &str, path: &str, body: &Value) -> (u16, Value) {
    let auth = format!("Bearer {token}");
    let body = body.to_string();
    let (status, answer) = http(
        addr,
        method,
        &format!("/api/v1{path}"),
        &[
            ("Authorization", &auth),
            ("Content-Type", "application/json"),
        ],
        body.as_bytes(),
    );
    (
        status,
        serde_json::from_slice(&answer).unwrap_or(Value::Null),
    )
}

/// Uploads the photo; its id once acknowledged (`None` if the server refused).
fn upload(addr: &str, token: &str, alt: &str) -> Option<i64> {
    let boundary = "masthead-backup-test";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"gavel.jpg\"\r\n\
             Content-Type: image/jpeg\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(PHOTO);
    body.extend_from_slice(
        format!(
            "\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"alt\"\r\n\r\n{alt}\r\n--{boundary}--\r\n"
        )
        .as_bytes(),
    );
    let auth = format!("Bearer {token}");
    let ctype = format!("multipart/form-data; boundary={boundary}");
    let Ok((status, answer)) = try_http(
        addr,
        "POST",
        "/api/v1/media",
        &[("Authorization", &auth), ("Content-Type", &ctype)],
        &body,
    ) else {
        return None;
    };
    if status != 201 {
        let answer = String::from_utf8_lossy(&answer);
        eprintln!("upload not acknowledged: {status} {answer}");
        return None;
    }
    let answer: Value = serde_json::from_slice(&answer).unwrap();
    answer["id"].as_i64()
}

/// Creates and publishes a story; its slug once both are acknowledged (`None` if the server
/// refused either: an unacknowledged write may or may not be in a backup).
fn publish(
    addr: &str,
    token: &str,
    section: i64,
    title: &str,
    image: Option<i64>,
) -> Option<String> {
    let (status, created) = api(
        addr,
        token,
        "POST",
        "/articles",
        &json!({"title": title, "section": section, "body_md": format!("The text of {title}."),
                "image": image}),
    );
    if status != 201 {
        eprintln!("create not acknowledged: {status} {created}");
        return None;
    }
    let id = created["id"].as_i64().unwrap();
    let (status, published) = api(
        addr,
        token,
        "POST",
        &format!("/articles/{id}/publish"),
        &json!({"version": created["version"]}),
    );
    if status != 200 {
        eprintln!("publish not acknowledged: {status} {published}");
        return None;
    }
    published["slug"].as_str().map(str::to_owned)
}

/// The paths a reader can reach from the front page and the latest list, with every image.
fn crawl(server: &Server) -> BTreeSet<String> {
    let mut paths = BTreeSet::from(["/".to_owned(), "/events".to_owned()]);
    let mut page = 1;
    loop {
        let path = format!("/latest?page={page}");
        let (status, _) = server.get(&path);
        if status != 200 {
            break;
        }
        paths.insert(path);
        page += 1;
    }
    let mut found = BTreeSet::new();
    for path in &paths {
        let (status, body) = server.get(path);
        assert_eq!(status, 200, "{path}");
        found.extend(links(&body));
    }
    for story in found.clone().iter().filter(|p| p.starts_with("/stories/")) {
        let (status, body) = server.get(story);
        assert_eq!(status, 200, "{story}");
        found.extend(
            links(&body)
                .into_iter()
                .filter(|l| l.starts_with("/media/")),
        );
    }
    paths.extend(found);
    paths
}

fn links(body: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\"", "srcset=\"", "content=\""] {
        for chunk in body.split(attr).skip(1) {
            let value = chunk.split('"').next().unwrap_or_default();
            // The social card (`og:image`) is named by its full address.
            let value = match value.find("/media/") {
                Some(at) if attr == "content=\"" => &value[at..],
                _ => value,
            };
            for part in value.split(", ") {
                let url = part.split(' ').next().unwrap_or_default();
                let wanted = ["/stories/", "/section/", "/media/"]
                    .iter()
                    .any(|p| url.starts_with(p));
                if wanted {
                    out.push(url.to_owned());
                }
            }
        }
    }
    out
}

fn get_bytes(server: &Server, path: &str) -> (u16, Vec<u8>) {
    http(&server.addr, "GET", path, &[], &[])
}

/// The whole test, on the site `new_site` makes: writers race a backup; the backup holds
/// every write acknowledged before it began, and nothing that points at a missing file;
/// a backup taken at rest serves byte-identical pages.
fn backup_while_writers_race(new_site: fn() -> Site) {
    const WRITERS: usize = 4;
    let site = new_site();
    let token = site.token();
    let server = site.serve(&[]);
    let addr = server.addr.clone();
    let (status, section) = api(&addr, &token, "POST", "/sections", &json!({"name": "News"}));
    assert_eq!(status, 201, "{section}");
    let section = section["id"].as_i64().unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let start = Arc::new(Barrier::new(WRITERS + 1));
    let (acked, acks) = mpsc::channel::<String>();
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (addr, token, stop, start, acked) = (
                addr.clone(),
                token.clone(),
                stop.clone(),
                start.clone(),
                acked.clone(),
            );
            std::thread::spawn(move || {
                start.wait();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    // One writer also uploads an image for each of its stories.
                    let image = if w == 0 {
                        match upload(&addr, &token, &format!("Photo {n}")) {
                            Some(image) => Some(image),
                            // Its stories always have one.
                            None => continue,
                        }
                    } else {
                        None
                    };
                    let title = format!("Writer {w} story {n}");
                    if let Some(slug) = publish(&addr, &token, section, &title, image) {
                        acked.send(slug).unwrap();
                    }
                }
            })
        })
        .collect();
    drop(acked);
    start.wait();

    // The backup starts once eight stories are acknowledged, one of them writer 0's, with an
    // image (that writer is the slowest), so the copy's images are checked too.
    let mut all: Vec<String> = Vec::new();
    while all.len() < 8 || !all.iter().any(|slug| slug.starts_with("writer-0-")) {
        all.push(
            acks.recv_timeout(Duration::from_secs(60))
                .expect("the writers stopped acknowledging"),
        );
    }
    all.extend(acks.try_iter());
    let before = all.clone();
    let during = site.dir.path().join("backup-during");
    site.run_ok(&["backup", during.to_str().unwrap()]);
    let mut after: Vec<String> = acks.iter().take(4).collect();
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    after.extend(acks.iter());
    all.extend(after);

    // At rest: a second backup.
    let at_rest = site.dir.path().join("backup-at-rest");
    site.run_ok(&["backup", at_rest.to_str().unwrap()]);

    // The backup taken under load has every write acknowledged before it began, and every
    // page and image it serves is whole.
    let restored = new_site();
    restored.run_ok(&["restore", during.to_str().unwrap()]);
    let check = restored.run_ok(&["check"]);
    assert!(check.contains("everything checked is whole"), "{check}");
    let copy = restored.serve(&[]);
    for slug in &before {
        let (status, _) = copy.get(&format!("/stories/{slug}"));
        assert_eq!(
            status, 200,
            "{slug} was acknowledged before the backup began"
        );
    }
    let copied = crawl(&copy);
    for kind in ["/stories/", "/section/", "/media/"] {
        assert!(
            copied.iter().any(|p| p.starts_with(kind)),
            "the restored site links to no {kind} page: {copied:?}"
        );
    }
    assert!(
        copied
            .iter()
            .any(|p| p.starts_with("/media/") && p.contains("-c50-50.")),
        "the restored site names no social card: {copied:?}"
    );
    for path in copied {
        let (status, body) = get_bytes(&copy, &path);
        assert_eq!(status, 200, "{path}");
        if path.starts_with("/media/") {
            assert_eq!(get_bytes(&server, &path).1, body, "{path}");
        }
    }
    drop(copy);

    // The backup at rest serves exactly the same pages and images as the site.
    let restored = new_site();
    restored.run_ok(&["restore", at_rest.to_str().unwrap()]);
    let copy = restored.serve(&[]);
    let paths = crawl(&server);
    for slug in &all {
        assert!(paths.contains(&format!("/stories/{slug}")), "{slug}");
    }
    for path in &paths {
        let original = get_bytes(&server, path);
        assert_eq!(original.0, 200, "{path}");
        assert!(
            get_bytes(&copy, path) == original,
            "{path} differs after backup and restore"
        );
    }
    copy.stop();
    server.stop();
}

#[test]
fn backup_under_concurrent_writes_restores_every_acknowledged_write_on_sqlite() {
    backup_while_writers_race(Site::sqlite);
}

#[test]
fn backup_under_concurrent_writes_restores_every_acknowledged_write_on_postgres() {
    backup_while_writers_race(Site::postgres);
}

/// A data directory with a small site: generated stories and no images.
fn generated() -> Site {
    let site = Site::sqlite();
    site.run_ok(&["generate", "--stories", "300"]);
    site
}

/// Starts `serve`, which must exit with an error before listening; everything it logged.
fn serve_fails(site: &Site) -> String {
    let mut child = Command::new(BIN)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(&site.flags)
        .env_remove("MASTHEAD_DATABASE_URL")
        .env_remove("MASTHEAD_DATA_DIR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start masthead");
    // The first line on standard output is "listening"; none (end of output) means it exited.
    let stdout = BufReader::new(child.stdout.take().unwrap());
    if let Some(Ok(line)) = stdout.lines().next() {
        child.kill().unwrap();
        panic!("masthead served from a damaged database: {line}");
    }
    let out = child.wait_with_output().unwrap();
    assert!(!out.status.success());
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn a_database_with_a_garbage_header_is_refused_naming_the_cause_not_permissions() {
    let site = generated();
    let db = site.data_dir().join("masthead.db");
    let mut bytes = std::fs::read(&db).unwrap();
    bytes[..100].copy_from_slice(&[b'x'; 100]);
    std::fs::write(&db, bytes).unwrap();

    let log = serve_fails(&site);
    assert!(
        log.contains("is not an SQLite database") && log.contains("masthead restore"),
        "{log}"
    );
    assert!(!log.contains("writable"), "blames permissions: {log}");
    let out = site.run(&["check"]);
    assert!(!out.status.success());
    let report = String::from_utf8_lossy(&out.stderr);
    assert!(report.contains("is not an SQLite database"), "{report}");
}

#[test]
fn flipped_bytes_in_a_page_are_found_at_start_and_by_check() {
    let site = generated();
    let db = site.data_dir().join("masthead.db");
    let mut bytes = std::fs::read(&db).unwrap();
    let pages = bytes.len() / 4096;
    // The page-type byte of a few pages in the middle of the stories' tables.
    for page in pages / 2..pages / 2 + 4 {
        bytes[page * 4096] ^= 0xff;
    }
    std::fs::write(&db, bytes).unwrap();

    let log = serve_fails(&site);
    assert!(
        log.contains("damaged") && log.contains("masthead restore"),
        "{log}"
    );
    let out = site.run(&["check"]);
    assert!(!out.status.success());
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        report.contains("database:") && report.contains("damaged"),
        "{report}"
    );
}

/// A site with the demo's images, served once and stopped.
fn demo_site() -> Site {
    let site = Site::sqlite();
    site.serve(&["--demo"]).stop();
    site
}

fn media_files(site: &Site) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(site.data_dir().join("media"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn files_left_by_an_upload_killed_before_its_row_are_removed_at_start() {
    let site = demo_site();
    let before = media_files(&site);
    // What a kill -9 between writing the files and adding the row leaves.
    let url = format!("sqlite://{}", site.data_dir().join("masthead.db").display());
    let name = "0123456789abcdef0123456789abcdef.jpg";
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let store = masthead_store::Store::connect(&url).await.unwrap();
        store
            .begin_media_upload(name, &[320, 640], masthead_core::SystemClock.now())
            .await
            .unwrap();
        store.close().await;
    });
    let media = site.data_dir().join("media");
    for file in [
        "0123456789abcdef0123456789abcdef-320w.jpg",
        "0123456789abcdef0123456789abcdef-640w.jpg",
        name,
        ".tmp-fedcba9876543210.part",
    ] {
        std::fs::write(media.join(file), vec![0u8; 1 << 20]).unwrap();
    }
    let out = site.run(&["check"]);
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("unfinished upload"), "{report}");

    let log = site.serve(&[]).stop();
    assert!(log.contains("interrupted uploads"), "{log}");
    assert_eq!(media_files(&site), before);
    let report = site.run_ok(&["check"]);
    assert!(report.contains("everything checked is whole"), "{report}");
}

#[test]
fn check_reports_missing_and_orphaned_media_and_removes_orphans_on_request() {
    let site = demo_site();
    let report = site.run_ok(&["check"]);
    assert!(report.contains("everything checked is whole"), "{report}");

    let media = site.data_dir().join("media");
    let victim = media_files(&site)
        .into_iter()
        .find(|n| n.ends_with("-320w.jpg"))
        .unwrap();
    let saved = std::fs::read(media.join(&victim)).unwrap();
    std::fs::remove_file(media.join(&victim)).unwrap();
    let orphan = "ffffffffffffffffffffffffffffffff.jpg";
    std::fs::write(media.join(orphan), b"left by an old crash").unwrap();

    let out = site.run(&["check"]);
    assert!(!out.status.success());
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains(&format!("missing: {victim}")), "{report}");
    assert!(report.contains(&format!("orphaned: {orphan}")), "{report}");
    assert!(report.contains("--remove-orphans"), "{report}");

    let out = site.run(&["check", "--remove-orphans"]);
    assert!(!out.status.success(), "the missing file is still a problem");
    assert!(!media.join(orphan).exists());
    std::fs::write(media.join(&victim), saved).unwrap();
    site.run_ok(&["check"]);
}

#[test]
fn restore_refuses_a_used_data_directory_an_interrupted_or_damaged_backup_and_another_backend() {
    let site = generated();
    let backup = site.dir.path().join("backup");
    site.run_ok(&["backup", backup.to_str().unwrap()]);
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&backup).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o700,
            "a backup is readable by its owner only"
        );
    }
    let out = site.run(&["backup", backup.to_str().unwrap()]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is not empty"),
        "a backup never overwrites another"
    );

    let out = site.run(&["restore", backup.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("empty data directory"),
        "{err}"
    );

    let interrupted = site.dir.path().join("interrupted");
    std::fs::create_dir_all(&interrupted).unwrap();
    std::fs::copy(backup.join("masthead.db"), interrupted.join("masthead.db")).unwrap();
    let fresh = Site::sqlite();
    let out = fresh.run(&["restore", interrupted.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("interrupted"), "{err}");
    assert!(!fresh.data_dir().join("masthead.db").exists());

    let out = run(
        &[
            "restore",
            backup.to_str().unwrap(),
            "--database-url",
            "postgres://nobody@127.0.0.1:1/none",
        ],
        fresh.dir.path(),
        None,
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("sqlite backup") && err.contains("postgres"),
        "{err}"
    );
    assert!(!Path::new(&fresh.data_dir()).join("media").exists() || media_is_empty(&fresh));

    // A flipped byte in the backup (same size) is found before anything is written.
    let db = backup.join("masthead.db");
    let good = std::fs::read(&db).unwrap();
    let mut bad = good.clone();
    let middle = bad.len() / 2;
    bad[middle] ^= 0x01;
    std::fs::write(&db, &bad).unwrap();
    let out = fresh.run(&["restore", backup.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success() && err.contains("SHA-256"), "{err}");
    assert!(!fresh.data_dir().join("masthead.db").exists());
    std::fs::write(&db, &good).unwrap();

    fresh.run_ok(&["restore", backup.to_str().unwrap()]);
    let report = fresh.run_ok(&["check"]);
    assert!(report.contains("everything checked is whole"), "{report}");
}

fn media_is_empty(site: &Site) -> bool {
    media_files(site).is_empty()
}

/// `kill -9` while images are being uploaded: after a restart, every image is whole (row and
/// files) and no file is left that no image or upload record names. Before uploads were
/// recorded, files written before the kill stayed forever with no row.
fn killed_during_uploads(new_site: fn() -> Site) -> String {
    const UPLOADERS: usize = 3;
    let site = new_site();
    let token = site.token();
    let mut server = site.serve(&[]);
    let stop = Arc::new(AtomicBool::new(false));
    let start = Arc::new(Barrier::new(UPLOADERS + 1));
    let (acked, acks) = mpsc::channel::<i64>();
    let uploaders: Vec<_> = (0..UPLOADERS)
        .map(|u| {
            let (addr, token, stop, start, acked) = (
                server.addr.clone(),
                token.clone(),
                stop.clone(),
                start.clone(),
                acked.clone(),
            );
            std::thread::spawn(move || {
                start.wait();
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    if let Some(id) = upload(&addr, &token, &format!("Photo {u}-{n}")) {
                        let _ = acked.send(id);
                    }
                }
            })
        })
        .collect();
    drop(acked);
    start.wait();
    // Kill once a few uploads are through, at a moment when an upload is writing its files
    // (a temporary file exists): the case that used to leave files without a row.
    let before_kill: Vec<i64> = acks.iter().take(4).collect();
    let media = site.data_dir().join("media");
    let writing = || {
        std::fs::read_dir(&media)
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with(".tmp-"))
    };
    let mut caught = false;
    for _ in 0..1_000_000 {
        if writing() {
            caught = true;
            break;
        }
    }
    server.kill();
    eprintln!("killed while an upload was writing its files: {caught}");
    stop.store(true, Ordering::Relaxed);
    for u in uploaders {
        u.join().unwrap();
    }
    assert_eq!(before_kill.len(), 4);

    let restarted = site.serve(&[]);
    restarted.stop();
    let report = site.run_ok(&["check"]);
    assert!(report.contains("everything checked is whole"), "{report}");
    assert!(!report.contains("orphaned"), "{report}");
    report
}

#[test]
fn files_of_uploads_killed_mid_way_are_removed_at_restart_on_sqlite() {
    let report = killed_during_uploads(Site::sqlite);
    // On SQLite every interrupted upload is swept at start.
    assert!(
        !report.contains("unfinished upload") && !report.contains("temporary file"),
        "{report}"
    );
}

#[test]
fn files_of_uploads_killed_mid_way_are_never_orphaned_on_postgres() {
    // Other app servers may share a PostgreSQL database, so a fresh record waits out the
    // grace period; until then `check` lists it as an unfinished upload, not an orphan.
    killed_during_uploads(Site::postgres);
}

#[test]
fn restore_refuses_a_postgres_database_that_is_not_empty_before_writing_anything() {
    let site = Site::postgres();
    site.serve(&[]).stop();
    let backup = site.dir.path().join("backup");
    site.run_ok(&["backup", backup.to_str().unwrap()]);
    // The same database, which has tables, with a new data directory.
    let mut other = Site::sqlite();
    other.flags.extend(site.flags[2..].iter().cloned());
    let out = other.run(&["restore", backup.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("is not empty"),
        "{err}"
    );
    assert!(!other.data_dir().exists(), "nothing was written");
}
