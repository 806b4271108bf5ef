//! Media on S3-compatible object storage (issue 17, part 5), against a real Garage node on
//! loopback (`masthead_testkit::Garage`), never a mock: the storage itself; two real
//! `masthead serve` processes sharing one PostgreSQL database and one bucket, one taking an
//! upload and the other serving it; a store that goes away (uploads fail cleanly with no
//! media row, images answer 503, both recover); many uploads at once; and `masthead
//! backup` / `restore` with the bucket.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_media::{MediaError, MediaStorage, S3Storage};
use masthead_testkit::{Garage, RunningBinary as Server, run_command_with, upload_image};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Output;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_masthead");
/// A real photo from the demo (800×450), so uploads get resized copies (320 and 640 wide).
const PHOTO: &[u8] = include_bytes!("../demo/images/gavel.jpg");
const PASSWORD: &str = "correct horse battery staple";

/// A site: a data directory, the flags pointing the binary at it and its database, and the
/// media settings.
struct Site {
    dir: tempfile::TempDir,
    flags: Vec<String>,
    env: Vec<(String, String)>,
}

impl Site {
    fn new(database_url: Option<&str>, env: Vec<(String, String)>) -> Site {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data").to_str().unwrap().to_owned();
        let mut flags = vec!["--data-dir".to_owned(), data];
        if let Some(url) = database_url {
            flags.extend(["--database-url".to_owned(), url.to_owned()]);
        }
        Site { dir, flags, env }
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// `masthead ARGS FLAGS` with the site's environment, `stdin` as input.
    fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let flags: Vec<&str> = self.flags.iter().map(String::as_str).collect();
        run_command_with(
            BIN,
            &[args, &flags].concat(),
            self.dir.path(),
            stdin,
            &self.env,
        )
    }

    fn run_ok(&self, args: &[&str]) -> String {
        let out = self.run(args, None);
        assert!(
            out.status.success(),
            "{args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn serve(&self) -> Server {
        let mut args: Vec<&str> = self.flags.iter().map(String::as_str).collect();
        args.extend(["--base-url", "http://news.example.test"]);
        let env: Vec<(&str, &str)> = self
            .env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let server = Server::start(BIN, &args, &env);
        assert_eq!(server.get("/healthz").0, 200);
        server
    }

    /// An admin account and an API token for it.
    fn token(&self) -> String {
        let out = self.run(
            &[
                "user",
                "add",
                "--email",
                "ed@example.org",
                "--name",
                "Ed Itor",
                "--role",
                "admin",
                "--password-stdin",
            ],
            Some(PASSWORD),
        );
        assert!(out.status.success(), "{out:?}");
        self.run_ok(&["token", "create", "--user", "ed@example.org"])
            .trim()
            .to_owned()
    }
}

/// Uploads the photo through the API: the status and the JSON answer.
fn upload(server: &Server, token: &str, alt: &str) -> (u16, Value) {
    upload_to(&server.addr, token, alt)
}

/// [`upload`] to the server at `addr` (a server handle cannot cross threads).
fn upload_to(addr: &str, token: &str, alt: &str) -> (u16, Value) {
    let r = upload_image(addr, token, "gavel.jpg", PHOTO, alt);
    (
        r.status,
        serde_json::from_slice(&r.bytes).unwrap_or(Value::Null),
    )
}

/// The stored name from an upload's answer (`/media/NAME`).
fn stored_name(answer: &Value) -> String {
    answer["url"]
        .as_str()
        .unwrap()
        .strip_prefix("/media/")
        .unwrap()
        .to_owned()
}

/// The names of an upload's files: the original, its 320 and 640 copies, its card.
fn files_of(name: &str) -> Vec<String> {
    let (stem, ext) = name.rsplit_once('.').unwrap();
    vec![
        name.to_owned(),
        format!("{stem}-320w.{ext}"),
        format!("{stem}-640w.{ext}"),
        format!("{stem}-c50-50.{ext}"),
    ]
}

/// Every object in `bucket/prefix`, by name, with its bytes.
async fn objects(storage: &S3Storage) -> BTreeMap<String, Vec<u8>> {
    let mut all = BTreeMap::new();
    for file in storage.list().await.unwrap() {
        assert!(!file.temporary);
        let bytes = storage.get(&file.name).await.unwrap().unwrap();
        assert_eq!(bytes.len() as u64, file.size, "{}", file.name);
        all.insert(file.name, bytes);
    }
    all
}

/// The media rows' file names and the unfinished upload records of a database.
async fn rows(database_url: &str) -> (BTreeSet<String>, usize) {
    let store = masthead_store::Store::connect(database_url).await.unwrap();
    let names = store
        .media_files()
        .await
        .unwrap()
        .iter()
        .flat_map(|m| {
            let mut names = vec![m.storage_name.clone(), m.card_name.clone()];
            names.extend(
                m.variants
                    .iter()
                    .map(|w| masthead_media::variant_name(&m.storage_name, *w)),
            );
            names
        })
        .collect();
    let unfinished = store.unfinished_uploads().await.unwrap().len();
    store.close().await;
    (names, unfinished)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_storage_stores_reads_lists_and_deletes_objects_and_refuses_names_it_never_makes() {
    let garage = Garage::with_bucket("media").await;
    let storage = S3Storage::new(&garage.s3_settings("media", "site/a")).unwrap();
    let other = S3Storage::new(&garage.s3_settings("media", "site/b")).unwrap();
    assert_eq!(storage.url(), "s3://media/site/a");
    assert!(storage.list().await.unwrap().is_empty());
    assert_eq!(
        storage.get("a1b2.jpg").await.unwrap(),
        None,
        "missing is None"
    );

    storage.put("a1b2.jpg", PHOTO.to_vec()).await.unwrap();
    storage
        .put("a1b2-320w.jpg", b"small".to_vec())
        .await
        .unwrap();
    other
        .put("c3d4.png", b"other prefix".to_vec())
        .await
        .unwrap();
    assert_eq!(storage.get("a1b2.jpg").await.unwrap().unwrap(), PHOTO);
    assert_eq!(storage.local_path("a1b2.jpg"), None, "readers use get");
    let listed = storage.list().await.unwrap();
    let listed: Vec<(String, u64, bool)> = listed
        .into_iter()
        .map(|f| (f.name, f.size, f.temporary))
        .collect();
    assert_eq!(
        listed,
        vec![
            ("a1b2-320w.jpg".to_owned(), 5, false),
            ("a1b2.jpg".to_owned(), PHOTO.len() as u64, false),
        ],
        "only this prefix, with sizes, nothing temporary"
    );
    // A name replaced is replaced whole.
    storage
        .put("a1b2-320w.jpg", b"smaller".to_vec())
        .await
        .unwrap();
    assert_eq!(
        storage.get("a1b2-320w.jpg").await.unwrap().unwrap(),
        b"smaller"
    );

    for bad in ["../a1b2.jpg", "a/b.jpg", "x.exe", ".tmp-a.jpg", ""] {
        assert!(
            matches!(
                storage.put(bad, b"x".to_vec()).await,
                Err(MediaError::InvalidName { .. })
            ),
            "{bad:?} stored"
        );
        assert_eq!(storage.get(bad).await.unwrap(), None, "{bad:?} read");
        assert!(storage.delete(bad).await.is_err(), "{bad:?} deleted");
    }

    storage.delete("a1b2.jpg").await.unwrap();
    storage.delete("a1b2.jpg").await.unwrap(); // missing is fine
    assert_eq!(storage.get("a1b2.jpg").await.unwrap(), None);
    assert_eq!(storage.sweep_temporary(Duration::ZERO).await.unwrap(), 0);

    // Many writers at once: every object lands whole.
    let mut writers = Vec::new();
    for i in 0..24u32 {
        let storage = storage.clone();
        writers.push(tokio::spawn(async move {
            let name = format!("{i:04x}.png");
            storage
                .put(&name, vec![i as u8; 1000 + i as usize])
                .await
                .unwrap();
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    let all = objects(&storage).await;
    assert_eq!(all.len(), 25);
    for i in 0..24u32 {
        assert_eq!(
            all[&format!("{i:04x}.png")],
            vec![i as u8; 1000 + i as usize]
        );
    }

    // A wrong secret is refused by the store: an error naming the bucket, never a panic.
    let mut wrong = garage.s3_settings("media", "site/a");
    wrong.secret_access_key = "0".repeat(64);
    let wrong = S3Storage::new(&wrong).unwrap();
    let error = wrong.put("e5f6.jpg", b"x".to_vec()).await.unwrap_err();
    assert!(error.is_unreachable(), "{error:?}");
    assert!(
        error.to_string().contains("media_s3_endpoint"),
        "says what to check: {error}"
    );
    assert!(format!("{:?}", garage.s3_settings("m", "")).contains("<hidden>"));
    assert!(!format!("{:?}", garage.s3_settings("m", "")).contains(&garage.secret));
}

/// Issue 17's case: an image uploaded through one app server is served by another that
/// shares the database and the bucket, with the same headers local files get.
#[test]
fn an_image_uploaded_through_one_server_is_served_by_another_sharing_postgres_and_a_bucket() {
    let garage = Garage::start();
    garage.bucket("shared");
    let url = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(masthead_testkit::empty_postgres_database());
    let a = Site::new(Some(&url), garage.media_env("shared", "news"));
    let b = Site::new(Some(&url), garage.media_env("shared", "news"));
    let token = a.token();
    let server_a = a.serve();
    let server_b = b.serve();

    let (status, answer) = upload(&server_a, &token, "A gavel");
    assert_eq!(status, 201, "{answer}");
    let name = stored_name(&answer);
    for file in files_of(&name) {
        let r = server_b
            .request("GET", &format!("/media/{file}"), &[], b"")
            .unwrap();
        assert_eq!(r.status, 200, "{file} through B: {}", r.body);
        assert_eq!(r.header("content-type"), Some("image/jpeg"));
        assert_eq!(
            r.header("cache-control"),
            Some("public, max-age=31536000, immutable")
        );
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
        let etag = r.header("etag").unwrap().to_owned();
        let via_a = server_a
            .request("GET", &format!("/media/{file}"), &[], b"")
            .unwrap();
        assert_eq!(via_a.bytes, r.bytes, "{file}: A and B serve the same bytes");
        assert!(image_size(&r.bytes).0 > 0, "{file} is an image");
        // Revalidation: 304 without the body.
        let again = server_b
            .request(
                "GET",
                &format!("/media/{file}"),
                &[("If-None-Match", &etag)],
                b"",
            )
            .unwrap();
        assert_eq!(again.status, 304, "{file}");
        assert!(again.bytes.is_empty());
    }
    let original = server_b
        .request("GET", &format!("/media/{name}"), &[], b"")
        .unwrap();
    assert_eq!(original.bytes.len(), image_len(&garage, &name));
    // Nothing is on either server's disk.
    for site in [&a, &b] {
        let local = std::fs::read_dir(site.data_dir().join("media"))
            .map(|d| d.count())
            .unwrap_or(0);
        assert_eq!(local, 0, "no media files on local disk");
    }
    // Names the library does not hold are 404 through either server, as with local files.
    assert_eq!(server_b.get("/media/ffff0000.jpg").0, 404);
    assert_eq!(server_b.get("/media/..%2Fsecret.jpg").0, 404);
    // `masthead check` on B compares the rows with the bucket.
    let report = b.run_ok(&["check"]);
    assert!(report.contains("in s3://shared/news"), "{report}");
    assert!(report.contains("everything checked is whole"), "{report}");
    server_a.stop();
    server_b.stop();
}

/// The size of an object in the `shared/news` bucket, read with the S3 client itself.
fn image_len(garage: &Garage, name: &str) -> usize {
    let storage = S3Storage::new(&garage.s3_settings("shared", "news")).unwrap();
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(storage.get(name))
        .unwrap()
        .unwrap()
        .len()
}

/// Width and height of a JPEG (its SOF marker), enough to see an image came back.
fn image_size(bytes: &[u8]) -> (u32, u32) {
    let mut i = 2;
    while i + 9 < bytes.len() {
        if bytes[i] != 0xFF {
            return (0, 0);
        }
        let marker = bytes[i + 1];
        let len = usize::from(bytes[i + 2]) << 8 | usize::from(bytes[i + 3]);
        if (0xC0..=0xC3).contains(&marker) {
            let h = u32::from(bytes[i + 5]) << 8 | u32::from(bytes[i + 6]);
            let w = u32::from(bytes[i + 7]) << 8 | u32::from(bytes[i + 8]);
            return (w, h);
        }
        i += 2 + len;
    }
    (0, 0)
}

/// Issue 17: a store that is down answers 503, never 500 and never a hang; an upload fails
/// with a clear error and leaves no media row and no object; once the store is back both
/// work again, and the sweep removes the failed upload's record.
#[test]
fn a_store_that_is_down_fails_uploads_cleanly_and_images_answer_503_until_it_is_back() {
    let mut garage = Garage::start();
    garage.bucket("media");
    let url = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(masthead_testkit::empty_postgres_database());
    let site = Site::new(Some(&url), garage.media_env("media", ""));
    let token = site.token();
    let server = site.serve();
    let (status, answer) = upload(&server, &token, "Before");
    assert_eq!(status, 201, "{answer}");
    let before = stored_name(&answer);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let storage = S3Storage::new(&garage.s3_settings("media", "")).unwrap();
    let objects_before = rt.block_on(objects(&storage));
    let (rows_before, _) = rt.block_on(rows(&url));

    garage.stop();
    let started = Instant::now();
    let r = server
        .request("GET", &format!("/media/{before}"), &[], b"")
        .unwrap();
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(r.header("retry-after"), Some("30"));
    assert!(
        r.body.contains("image storage"),
        "says what is wrong: {}",
        r.body
    );
    let (status, answer) = upload(&server, &token, "During");
    assert_eq!(status, 503, "{answer}");
    let message = answer.to_string();
    assert!(
        message.contains("nothing was saved"),
        "the uploader is told: {message}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "a dead store is answered within its time limits, took {:?}",
        started.elapsed()
    );
    // The pages that do not need the store still work.
    assert_eq!(server.get("/healthz").0, 200);
    let (rows_during, unfinished) = rt.block_on(rows(&url));
    assert_eq!(
        rows_during, rows_before,
        "no media row for the failed upload"
    );
    assert_eq!(unfinished, 1, "its record stays for the sweep");

    // A sweep while the store is still away keeps the record (no orphans later).
    let store = rt.block_on(masthead_store::Store::connect(&url)).unwrap();
    let now = masthead_core::Clock::now(&masthead_core::SystemClock);
    let swept = rt.block_on(masthead_web::media_upkeep::sweep(
        &store,
        &storage,
        Duration::ZERO,
        now,
    ));
    assert!(swept.is_err(), "{swept:?}");
    assert_eq!(rt.block_on(store.unfinished_uploads()).unwrap().len(), 1);

    garage.start_again();
    let r = server
        .request("GET", &format!("/media/{before}"), &[], b"")
        .unwrap();
    assert_eq!(r.status, 200, "served again once the store is back");
    assert_eq!(
        rt.block_on(objects(&storage)),
        objects_before,
        "nothing half-written in the bucket"
    );
    let swept = rt
        .block_on(masthead_web::media_upkeep::sweep(
            &store,
            &storage,
            Duration::ZERO,
            now,
        ))
        .unwrap();
    assert_eq!(swept.uploads, 1);
    rt.block_on(store.close());
    let (status, answer) = upload(&server, &token, "After");
    assert_eq!(status, 201, "{answer}");
    let after = stored_name(&answer);
    assert_eq!(server.get(&format!("/media/{after}")).0, 200);
    server.stop();
}

/// Many uploads at once, through two servers: every one lands, and the rows and the objects
/// match exactly (no object without a row, no row without its objects).
#[test]
fn many_uploads_at_once_through_two_servers_all_land_with_rows_and_objects_matching() {
    let garage = Garage::start();
    garage.bucket("busy");
    let url = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(masthead_testkit::empty_postgres_database());
    let a = Site::new(Some(&url), garage.media_env("busy", "m"));
    let b = Site::new(Some(&url), garage.media_env("busy", "m"));
    let token = a.token();
    let servers = [a.serve(), b.serve()];
    let names: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..12)
            .map(|i| {
                let addr = servers[i % 2].addr.as_str();
                let token = &token;
                scope.spawn(move || {
                    let (status, answer) = upload_to(addr, token, &format!("Photo {i}"));
                    assert_eq!(status, 201, "upload {i}: {answer}");
                    stored_name(&answer)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(names.iter().collect::<BTreeSet<_>>().len(), 12);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let storage = S3Storage::new(&garage.s3_settings("busy", "m")).unwrap();
    let stored: BTreeSet<String> = rt.block_on(objects(&storage)).into_keys().collect();
    let (named, unfinished) = rt.block_on(rows(&url));
    assert_eq!(unfinished, 0);
    assert_eq!(stored, named, "objects and rows match");
    assert_eq!(stored.len(), 12 * 4);
    for name in &names {
        for file in files_of(name) {
            assert!(stored.contains(&file), "{file}");
        }
    }
    for server in servers {
        server.stop();
    }
}

/// `masthead backup` copies every object the database names into the backup; `restore`
/// puts them into an empty prefix and refuses one that holds objects; a backup moves
/// images between local files and a bucket either way. On SQLite, the one-server case.
#[test]
fn backup_copies_the_buckets_images_and_restore_puts_them_back_into_an_empty_prefix() {
    let garage = Garage::start();
    garage.bucket("keep");
    let site = Site::new(None, garage.media_env("keep", "live"));
    let token = site.token();
    let server = site.serve();
    let names: Vec<String> = (0..2)
        .map(|i| {
            let (status, answer) = upload(&server, &token, &format!("Photo {i}"));
            assert_eq!(status, 201, "{answer}");
            stored_name(&answer)
        })
        .collect();
    let served: Vec<Vec<u8>> = names
        .iter()
        .map(|n| {
            server
                .request("GET", &format!("/media/{n}"), &[], b"")
                .unwrap()
                .bytes
        })
        .collect();

    let backup = site.dir.path().join("backup");
    let out = site.run_ok(&["backup", backup.to_str().unwrap()]);
    assert!(out.contains("8 media files"), "{out}");
    for name in &names {
        for file in files_of(name) {
            assert!(
                backup.join("media").join(&file).is_file(),
                "{file} in the backup"
            );
        }
    }
    server.stop();

    // Restoring over the live prefix is refused before anything is written.
    let clash = Site::new(None, garage.media_env("keep", "live"));
    let out = clash.run(&["restore", backup.to_str().unwrap()], None);
    assert!(!out.status.success());
    let error = String::from_utf8_lossy(&out.stderr);
    assert!(error.contains("already holds 8 objects"), "{error}");
    assert!(!clash.data_dir().join("masthead.db").exists());

    let restored = Site::new(None, garage.media_env("keep", "restored"));
    let out = restored.run_ok(&["restore", backup.to_str().unwrap()]);
    assert!(
        out.contains("8 media files, in s3://keep/restored"),
        "{out}"
    );
    let storage = S3Storage::new(&garage.s3_settings("keep", "restored")).unwrap();
    let rt = tokio::runtime::Runtime::new().unwrap();
    assert_eq!(rt.block_on(objects(&storage)).len(), 8);
    let check = restored.run_ok(&["check"]);
    assert!(check.contains("everything checked is whole"), "{check}");
    let server = restored.serve();
    for (name, bytes) in names.iter().zip(&served) {
        let r = server
            .request("GET", &format!("/media/{name}"), &[], b"")
            .unwrap();
        assert_eq!(r.status, 200);
        assert_eq!(&r.bytes, bytes, "{name} restored byte for byte");
    }
    server.stop();

    // The same backup restores into local files, and a backup of local files restores into
    // a bucket (how a site moves its images onto object storage).
    let local = Site::new(None, Vec::new());
    let out = local.run_ok(&["restore", backup.to_str().unwrap()]);
    assert!(out.contains("8 media files"), "{out}");
    let local_backup = local.dir.path().join("backup");
    local.run_ok(&["backup", local_backup.to_str().unwrap()]);
    let moved = Site::new(None, garage.media_env("keep", "moved"));
    moved.run_ok(&["restore", local_backup.to_str().unwrap()]);
    let server = moved.serve();
    for (name, bytes) in names.iter().zip(&served) {
        let r = server
            .request("GET", &format!("/media/{name}"), &[], b"")
            .unwrap();
        assert_eq!(
            &r.bytes, bytes,
            "{name} moved into the bucket byte for byte"
        );
    }
    server.stop();
    drop(garage);
}
