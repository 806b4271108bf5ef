//! `masthead restore BACKUP`: brings a backup made by `masthead backup` back into an empty
//! data directory (and, on PostgreSQL, an empty database).
//!
//! Everything is checked before anything is written: the manifest (a backup without one was
//! interrupted), the backend, every file's size and SHA-256, and on SQLite the copy's
//! `PRAGMA integrity_check`. Media files go in first and the database last, so an
//! interrupted restore never leaves a database that names missing images; the database file
//! is copied under a temporary name and renamed into place. Afterwards the restored
//! database is opened (applying newer migrations if the backup is older than this binary)
//! and quick-checked.
//!
//! Media goes back to wherever the configuration keeps it: the data directory's `media/`, or
//! the bucket and prefix of `media_url`, which must then hold no objects yet.

use crate::backup::{
    MANIFEST, Manifest, PG_FILE, SQLITE_FILE, byte_bar, run_pg_tool, sha256_file, spinner,
    sqlite_file, sync_file,
};
use crate::config::Config;
use anyhow::{Context, anyhow, bail};
use masthead_media::{FileStorage, MediaStorage};
use masthead_store::Store;
use std::path::Path;

/// Restores the backup in `from` into the configured data directory and database.
pub async fn run(config: &Config, from: &Path) -> anyhow::Result<()> {
    let manifest = read_manifest(from)?;
    let sqlite = sqlite_file(config);
    let target = if sqlite.is_some() {
        "sqlite"
    } else {
        "postgres"
    };
    if manifest.backend != target {
        bail!(
            "this is a {} backup and the configured database is {target}: restore it with a \
             {} --database-url (a backup restores into the same kind of database)",
            manifest.backend,
            manifest.backend
        );
    }
    check_files(from, &manifest)?;
    let media_dir = crate::media_store::local_dir(config);
    check_empty(&media_dir, sqlite.as_deref())?;
    let media = crate::media_store::open(config)?;
    if crate::media_store::is_s3(config) {
        let objects = media
            .list()
            .await
            .map_err(|e| anyhow!("cannot list {}: {e}", config.media_url))?;
        if !objects.is_empty() {
            bail!(
                "{} already holds {} objects: restore only into an empty bucket or prefix. \
                 Point media_url at a new prefix (e.g. s3://bucket/restored) and run restore again",
                config.media_url,
                objects.len()
            );
        }
    }
    if sqlite.is_none() {
        let url = config.database_url();
        let empty = masthead_store::snapshot::postgres_is_empty(&url)
            .await
            .map_err(|e| anyhow!("{e}"))?;
        if !empty {
            bail!(
                "the database {} is not empty: restore only into an empty database. Create \
                 one (createdb) and point --database-url at it",
                masthead_store::redact_url(&url)
            );
        }
    }

    if sqlite.is_some() {
        let step = spinner("checking the backup's database");
        let problems = masthead_store::snapshot::check_copy(&from.join(&manifest.database))
            .await
            .map_err(|e| anyhow!("{e}"))?;
        step.finish_and_clear();
        if !problems.is_empty() {
            bail!(
                "the backup's database is damaged ({}); use another backup",
                problems.join("; ")
            );
        }
    }

    if !crate::media_store::is_s3(config) {
        std::fs::create_dir_all(&media_dir)
            .with_context(|| format!("cannot create {}", media_dir.display()))?;
    }
    copy_media(from, media.as_ref(), &manifest).await?;

    let step = spinner("restoring the database");
    match &sqlite {
        Some(db) => copy_database(&from.join(&manifest.database), db)?,
        None => {
            run_pg_tool(
                "pg_restore",
                &config.database_url(),
                vec![
                    "--no-owner".into(),
                    "--no-privileges".into(),
                    "--exit-on-error".into(),
                    "--single-transaction".into(),
                    from.join(PG_FILE).display().to_string(),
                ],
            )
            .await?;
        }
    }
    let store = Store::connect(&config.database_url())
        .await
        .map_err(|e| anyhow!("{e}"))?;
    crate::check::quick(&store).await?;
    store.close().await;
    step.finish_and_clear();
    println!(
        "restored the {} backup of {} ({} media files, in {}) into {}",
        manifest.backend,
        manifest.snapshot_at.to_rfc3339(),
        manifest.media.len(),
        crate::media_store::describe(config),
        config.data_dir.display()
    );
    Ok(())
}

fn read_manifest(from: &Path) -> anyhow::Result<Manifest> {
    let path = from.join(MANIFEST);
    if !from.is_dir() {
        bail!("{} is not a backup directory", from.display());
    }
    let text = std::fs::read_to_string(&path).map_err(|_| {
        anyhow!(
            "{} has no {MANIFEST}: it is not a backup, or the backup was interrupted before \
             it finished; use a complete one",
            from.display()
        )
    })?;
    let manifest: Manifest =
        toml::from_str(&text).with_context(|| format!("{} is damaged", path.display()))?;
    if manifest.format != 1 {
        bail!(
            "{} is in backup format {}, which this masthead does not read: use the masthead \
             version that made it ({})",
            from.display(),
            manifest.format,
            manifest.masthead_version
        );
    }
    let db = manifest.database.as_str();
    if db != SQLITE_FILE && db != PG_FILE {
        bail!("{} names an unknown database file {db:?}", path.display());
    }
    Ok(manifest)
}

/// Every file the manifest lists is there with its size and checksum.
fn check_files(from: &Path, manifest: &Manifest) -> anyhow::Result<()> {
    let size = |path: &Path| std::fs::metadata(path).map(|m| m.len()).ok();
    let db = from.join(&manifest.database);
    if size(&db) != Some(manifest.database_bytes) {
        bail!(
            "the backup's {} is missing or not {} bytes: the backup is damaged; use another",
            manifest.database,
            manifest.database_bytes
        );
    }
    if sha256_file(&db)? != manifest.database_sha256 {
        bail!(
            "the backup's {} is damaged (its SHA-256 differs from the manifest's); use another backup",
            manifest.database
        );
    }
    for file in &manifest.media {
        if !masthead_media::is_valid_name(&file.name) {
            bail!("the backup lists an odd media name {:?}", file.name);
        }
        let path = from.join("media").join(&file.name);
        if size(&path) != Some(file.bytes) || sha256_file(&path)? != file.sha256 {
            bail!(
                "the backup's media/{} is missing, not {} bytes, or damaged (its SHA-256 differs \
                 from the manifest's); use another backup",
                file.name,
                file.bytes
            );
        }
    }
    Ok(())
}

/// The data directory must hold no database and no media files.
fn check_empty(media_dir: &Path, sqlite: Option<&Path>) -> anyhow::Result<()> {
    if let Some(db) = sqlite {
        for suffix in ["", "-wal", "-shm"] {
            let file = format!("{}{suffix}", db.display());
            if Path::new(&file).exists() {
                bail!(
                    "{file} exists: restore only into an empty data directory. Move the old \
                     one aside (or choose another with --data-dir) and run restore again"
                );
            }
        }
    }
    if let Ok(mut entries) = std::fs::read_dir(media_dir)
        && entries.next().is_some()
    {
        bail!(
            "{} is not empty: restore only into an empty data directory. Move the old one \
             aside (or choose another with --data-dir) and run restore again",
            media_dir.display()
        );
    }
    Ok(())
}

async fn copy_media(
    from: &Path,
    target: &dyn MediaStorage,
    manifest: &Manifest,
) -> anyhow::Result<()> {
    let source = FileStorage::at(from.join("media"));
    let bar = byte_bar(manifest.media.iter().map(|f| f.bytes).sum())?;
    for file in &manifest.media {
        let bytes = source
            .get(&file.name)
            .await
            .map_err(|e| anyhow!("{e}"))?
            .ok_or_else(|| anyhow!("the backup's media/{} disappeared", file.name))?;
        if bytes.len() as u64 != file.bytes {
            bail!("the backup's media/{} changed while it was read", file.name);
        }
        target
            .put(&file.name, bytes)
            .await
            .map_err(|e| anyhow!("cannot write {}: {e}", file.name))?;
        bar.inc(file.bytes);
    }
    bar.finish_and_clear();
    Ok(())
}

/// Copies the SQLite file under a temporary name, flushes it, and renames it into place.
fn copy_database(from: &Path, to: &Path) -> anyhow::Result<()> {
    let dir = to
        .parent()
        .ok_or_else(|| anyhow!("{} has no directory", to.display()))?;
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let tmp = dir.join(".masthead.db.restoring");
    std::fs::copy(from, &tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
    sync_file(&tmp)?;
    std::fs::rename(&tmp, to).with_context(|| format!("cannot write {}", to.display()))?;
    sync_file(dir)
}
