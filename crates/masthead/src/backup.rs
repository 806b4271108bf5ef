//! `masthead backup DEST`: a consistent snapshot of a running site, the database and the
//! media files it names, into a new directory. The media files are read from wherever the
//! site keeps them (its media directory, or its S3 bucket when `media_url` is set) and
//! written as plain files under `DEST/media/` either way, so a backup restores into either
//! kind of storage.
//!
//! The database is copied first, as of one moment: `VACUUM INTO` on SQLite, `pg_dump` of an
//! exported snapshot on PostgreSQL (see `masthead_store::snapshot`). The media files are then
//! copied from the list the *copy* names, so the backup holds exactly the images its
//! database refers to; files are written before their row and never changed, so each one
//! exists while it is copied. Uploads and edits made after that moment are not in the
//! backup (the recovery point is the moment the backup started).
//!
//! The layout is `DEST/manifest.toml`, `DEST/masthead.db` or `DEST/database.pgdump`
//! (`pg_dump` custom format) and `DEST/media/`. The manifest, with every file's size and
//! SHA-256 (so `restore` finds a damaged backup before it writes anything), is written last, atomically:
//! a directory without one is an interrupted backup, and `masthead restore` refuses it.

use crate::config::Config;
use anyhow::{Context, anyhow, bail};
use chrono::{DateTime, Utc};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use masthead_core::{Clock, SystemClock};
use masthead_media::{FileStorage, MediaStorage, variant_name};
use masthead_store::snapshot::{self, PgSnapshot};
use masthead_store::{Backend, MediaFiles, Store};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The manifest's name in a backup directory.
pub const MANIFEST: &str = "manifest.toml";
/// The SQLite copy's name in a backup directory.
pub const SQLITE_FILE: &str = "masthead.db";
/// The PostgreSQL dump's name in a backup directory.
pub const PG_FILE: &str = "database.pgdump";
/// The version of the backup layout; `restore` refuses other versions.
const FORMAT: u32 = 1;

/// What a backup holds, written last.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    /// The layout version.
    pub format: u32,
    /// The masthead version that made it.
    pub masthead_version: String,
    /// `sqlite` or `postgres`.
    pub backend: String,
    /// When the database snapshot was taken: the recovery point.
    pub snapshot_at: DateTime<Utc>,
    /// The database file in the backup directory.
    pub database: String,
    /// Its size in bytes.
    pub database_bytes: u64,
    /// Its SHA-256, in hex.
    pub database_sha256: String,
    /// Media files the database names that were missing on the site when it was backed up.
    #[serde(default)]
    pub missing: Vec<String>,
    /// Every media file copied, with its size.
    #[serde(default)]
    pub media: Vec<ManifestFile>,
}

/// One media file in a backup.
#[derive(Debug, Serialize, Deserialize)]
pub struct ManifestFile {
    /// Its name under `media/`.
    pub name: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Its SHA-256, in hex.
    pub sha256: String,
}

/// The backend name used in manifests.
pub fn backend_name(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

/// The SQLite file the configuration points at, if it is SQLite.
pub fn sqlite_file(config: &Config) -> Option<PathBuf> {
    let url = config.database_url();
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    Some(PathBuf::from(rest.split('?').next().unwrap_or(rest)))
}

/// Opens the configured database for a maintenance command, refusing to create an SQLite
/// file that is not there.
pub async fn open_existing(config: &Config) -> anyhow::Result<Store> {
    if let Some(file) = sqlite_file(config)
        && !file.is_file()
    {
        bail!(
            "there is no database at {}: check --data-dir (or --database-url)",
            file.display()
        );
    }
    Store::connect(&config.database_url())
        .await
        .map_err(|e| anyhow!("{e}"))
}

/// Makes `dest` (which must not exist, or be an empty directory).
fn prepare_dest(dest: &Path) -> anyhow::Result<()> {
    if dest.exists() {
        let mut entries = std::fs::read_dir(dest)
            .with_context(|| format!("{} exists and is not a directory", dest.display()))?;
        if entries.next().is_some() {
            bail!(
                "{} is not empty: back up into a new directory (e.g. named after the date)",
                dest.display()
            );
        }
    }
    std::fs::create_dir_all(dest.join("media"))
        .with_context(|| format!("cannot create the backup directory {}", dest.display()))?;
    // A backup holds password hashes, two-factor secrets and every draft: only its owner
    // may read it.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(dest, std::fs::Permissions::from_mode(0o700))
            .with_context(|| format!("cannot make {} private", dest.display()))?;
    }
    Ok(())
}

/// A spinner for a step of unknown length, on standard error (hidden when not a terminal).
pub fn spinner(message: &'static str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4));
    bar.set_message(message);
    bar.enable_steady_tick(Duration::from_millis(250));
    bar
}

/// A bar over `total` bytes of media files.
pub fn byte_bar(total: u64) -> anyhow::Result<ProgressBar> {
    let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr_with_hz(4));
    bar.set_style(
        ProgressStyle::with_template(
            "media {bar:40} {bytes}/{total_bytes} {bytes_per_sec}, eta {eta}",
        )
        .map_err(|e| anyhow!("progress template: {e}"))?,
    );
    Ok(bar)
}

/// Writes a consistent backup of the configured site into `dest`.
pub async fn run(config: &Config, dest: &Path) -> anyhow::Result<()> {
    let store = open_existing(config).await?;
    prepare_dest(dest)?;
    let backend = store.backend();

    let step = spinner("copying the database");
    let snapshot_at = SystemClock.now();
    let (database, files) = match backend {
        Backend::Sqlite => {
            let copy = dest.join(SQLITE_FILE);
            store
                .vacuum_into(&copy)
                .await
                .map_err(|e| anyhow!("cannot copy the database: {e}"))?;
            sync_file(&copy)?;
            let files = snapshot::media_files_in_copy(&copy)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            (SQLITE_FILE, files)
        }
        Backend::Postgres => {
            let mut snap = store.export_snapshot().await.map_err(|e| anyhow!("{e}"))?;
            let files = snap.media_files().await.map_err(|e| anyhow!("{e}"))?;
            let dumped = pg_dump(&config.database_url(), &snap, &dest.join(PG_FILE)).await;
            snap.release().await.map_err(|e| anyhow!("{e}"))?;
            dumped?;
            sync_file(&dest.join(PG_FILE))?;
            (PG_FILE, files)
        }
    };
    step.finish_and_clear();
    store.close().await;

    let source = crate::media_store::open(config)?;
    let target = FileStorage::new(dest.join("media")).map_err(|e| anyhow!("{e}"))?;
    let (copied, missing) = copy_media(source.as_ref(), &target, &files).await?;
    for name in &missing {
        eprintln!(
            "warning: {name} is named by the database but missing on the site; `masthead check` reports it"
        );
    }

    let manifest = Manifest {
        format: FORMAT,
        masthead_version: env!("CARGO_PKG_VERSION").to_owned(),
        backend: backend_name(backend).to_owned(),
        snapshot_at,
        database: database.to_owned(),
        database_bytes: std::fs::metadata(dest.join(database))?.len(),
        database_sha256: sha256_file(&dest.join(database))?,
        missing,
        media: copied,
    };
    write_manifest(dest, &manifest)?;
    let media_bytes: u64 = manifest.media.iter().map(|f| f.bytes).sum();
    println!(
        "backup of {} written to {}: database {} bytes, {} media files ({media_bytes} bytes), as of {}",
        backend_name(backend),
        dest.display(),
        manifest.database_bytes,
        manifest.media.len(),
        manifest.snapshot_at.to_rfc3339(),
    );
    Ok(())
}

/// Every file the rows name: originals, resized copies and social cards.
pub fn file_names(files: &[MediaFiles]) -> Vec<String> {
    files.iter().flat_map(image_file_names).collect()
}

/// The names of one image's files: the original first, then its resized copies and its
/// social card (images stored before cards were made have none).
pub fn image_file_names(image: &MediaFiles) -> Vec<String> {
    let mut names = vec![image.storage_name.clone()];
    names.extend(
        image
            .variants
            .iter()
            .map(|w| variant_name(&image.storage_name, *w)),
    );
    if !image.card_name.is_empty() {
        names.push(image.card_name.clone());
    }
    names
}

/// Copies the named files from `source` to `target` with a progress bar; returns what was
/// copied and what was missing.
async fn copy_media(
    source: &dyn MediaStorage,
    target: &FileStorage,
    files: &[MediaFiles],
) -> anyhow::Result<(Vec<ManifestFile>, Vec<String>)> {
    let names = file_names(files);
    let listed = source
        .list()
        .await
        .map_err(|e| anyhow!("cannot list the site's media files: {e:#}"))?;
    let sizes: std::collections::HashMap<&str, u64> =
        listed.iter().map(|f| (f.name.as_str(), f.size)).collect();
    let total = names
        .iter()
        .filter_map(|n| sizes.get(n.as_str()))
        .sum::<u64>();
    let bar = byte_bar(total)?;
    let mut copied = Vec::new();
    let mut missing = Vec::new();
    for name in names {
        match source
            .get(&name)
            .await
            .map_err(|e| anyhow!("cannot read the site's {name}: {e}"))?
        {
            Some(bytes) => {
                let len = bytes.len() as u64;
                let sha256 = sha256_hex(&bytes);
                target.put(&name, bytes).await.map_err(|e| anyhow!("{e}"))?;
                bar.inc(len);
                copied.push(ManifestFile {
                    name,
                    bytes: len,
                    sha256,
                });
            }
            None => missing.push(name),
        }
    }
    bar.finish_and_clear();
    Ok((copied, missing))
}

fn write_manifest(dest: &Path, manifest: &Manifest) -> anyhow::Result<()> {
    let text = toml::to_string(manifest).map_err(|e| anyhow!("manifest: {e}"))?;
    let tmp = dest.join(".manifest.toml.tmp");
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    sync_file(&tmp)?;
    std::fs::rename(&tmp, dest.join(MANIFEST))
        .with_context(|| format!("cannot write the manifest in {}", dest.display()))?;
    sync_file(dest)
}

/// The SHA-256 of `bytes`, in lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// The SHA-256 of a file, read in chunks (a database may be gigabytes).
pub fn sha256_file(path: &Path) -> anyhow::Result<String> {
    use std::io::Read as _;
    let mut file =
        std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file
            .read(&mut buf)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

fn hex(digest: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(digest.len() * 2);
    for byte in digest {
        // Writing to a String cannot fail.
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// Flushes a file (or directory) to disk.
pub fn sync_file(path: &Path) -> anyhow::Result<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("cannot flush {} to disk", path.display()))
}

/// A PostgreSQL client program (`pg_dump`, `pg_restore`): the newest under
/// `/usr/lib/postgresql/*/bin` (Debian), else the first on `PATH`.
pub fn pg_tool(name: &str) -> anyhow::Result<PathBuf> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let path = e.path().join("bin").join(name);
            path.is_file().then_some((version, path))
        })
        .collect();
    versions.sort();
    if let Some((_, path)) = versions.pop() {
        return Ok(path);
    }
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            anyhow!(
                "{name} was not found (looked in /usr/lib/postgresql/*/bin and PATH): install \
                 PostgreSQL's client programs, e.g. `apt-get install postgresql-client`, at a \
                 version at least the server's"
            )
        })
}

/// The URL without its password, and the password, so the password reaches the client
/// program through `PGPASSWORD` instead of its command line (which `ps` shows).
pub fn split_password(url: &str) -> (String, Option<String>) {
    let Some((scheme, rest)) = url.split_once("://") else {
        return (url.to_owned(), None);
    };
    let (authority, tail) = match rest.find('/') {
        Some(i) => rest.split_at(i),
        None => (rest, ""),
    };
    let Some((userinfo, host)) = authority.rsplit_once('@') else {
        return (url.to_owned(), None);
    };
    let Some((user, password)) = userinfo.split_once(':') else {
        return (url.to_owned(), None);
    };
    let password = percent_encoding::percent_decode_str(password)
        .decode_utf8_lossy()
        .into_owned();
    (format!("{scheme}://{user}@{host}{tail}"), Some(password))
}

/// Runs a PostgreSQL client program with the database URL, the password passed in the
/// environment; fails with its error output.
pub async fn run_pg_tool(name: &str, url: &str, args: Vec<String>) -> anyhow::Result<()> {
    let tool = pg_tool(name)?;
    let (url, password) = split_password(url);
    let output = tokio::task::spawn_blocking(move || {
        let mut cmd = std::process::Command::new(&tool);
        cmd.args(&args).arg(format!("--dbname={url}"));
        if let Some(password) = password {
            cmd.env("PGPASSWORD", password);
        }
        cmd.output()
            .with_context(|| format!("cannot run {}", tool.display()))
    })
    .await
    .map_err(|e| anyhow!("{name} did not finish: {e}"))??;
    if !output.status.success() {
        bail!(
            "{name} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

async fn pg_dump(url: &str, snapshot: &PgSnapshot, file: &Path) -> anyhow::Result<()> {
    run_pg_tool(
        "pg_dump",
        url,
        vec![
            "--format=custom".into(),
            format!("--snapshot={}", snapshot.id),
            format!("--file={}", file.display()),
        ],
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_leave_the_url_for_the_environment() {
        assert_eq!(
            split_password("postgres://ed:s3%40cret@db:5432/news?sslmode=require"),
            (
                "postgres://ed@db:5432/news?sslmode=require".to_owned(),
                Some("s3@cret".to_owned())
            )
        );
        assert_eq!(
            split_password("postgres://ed@db/news"),
            ("postgres://ed@db/news".to_owned(), None)
        );
    }
}
