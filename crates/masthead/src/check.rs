//! Integrity checks: the quick one `masthead serve` runs before it listens, and
//! `masthead check`, which checks the whole database and compares the media files with the
//! media rows (files referenced but missing, files no row names).
//!
//! The report is plain text on standard output, one finding a line, and the exit status is
//! non-zero when anything is wrong, so a cron job can mail it.

use crate::config::Config;
use anyhow::{anyhow, bail};
use masthead_media::{Focus, MediaStorage, StoredFile, card_name, is_valid_name, variant_name};
use masthead_store::{Backend, Store};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

/// SQLite files larger than this are quick-checked in the background once the server
/// listens, instead of before: `PRAGMA quick_check` reads the whole file, which took 1.1 s
/// (warm cache) to 5.2 s (cold) for 100k stories (860 MB), so about ten times that at 1M.
pub const START_CHECK_MAX_BYTES: u64 = 1 << 30;

/// The start-up check of the database a server is about to serve from: the quick check
/// before serving when the SQLite file is at most [`START_CHECK_MAX_BYTES`] (or the
/// database is PostgreSQL); `Ok(false)` when it is larger and the caller should run
/// [`in_background`] once it listens. The header was already read by `Store::connect`.
pub async fn at_start(store: &Store, sqlite_file: Option<&Path>) -> anyhow::Result<bool> {
    let size = sqlite_file
        .and_then(|f| std::fs::metadata(f).ok())
        .map_or(0, |m| m.len());
    if size > START_CHECK_MAX_BYTES {
        tracing::info!(
            bytes = size,
            "the database is large: its quick check runs once the server listens"
        );
        return Ok(false);
    }
    quick(store).await?;
    Ok(true)
}

/// Runs the quick check and refuses a damaged database with what to do.
pub async fn quick(store: &Store) -> anyhow::Result<()> {
    let started = Instant::now();
    let problems = store
        .quick_check()
        .await
        .map_err(|e| anyhow!("masthead will not serve from a damaged database: {e}"))?;
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "database quick check done"
    );
    if problems.is_empty() {
        return Ok(());
    }
    bail!(
        "the database is damaged, so masthead will not serve from it. SQLite's quick check \
         found: {}. Stop every masthead process, move the database aside, and restore the \
         latest backup with `masthead restore BACKUP`; `masthead check` shows the full report",
        summary(&problems)
    )
}

/// The quick check of a large database, run while the server already serves: a damaged
/// database is logged as an error with the fix (readers of damaged pages get errors).
pub async fn in_background(store: Store) {
    if let Err(e) = quick(&store).await {
        tracing::error!("{e:#}");
    }
}

fn summary(problems: &[String]) -> String {
    let shown: Vec<&str> = problems.iter().take(3).map(String::as_str).collect();
    let more = problems.len().saturating_sub(shown.len());
    if more == 0 {
        shown.join("; ")
    } else {
        format!("{} (and {more} more)", shown.join("; "))
    }
}

/// What `masthead check` found in the media files.
#[derive(Debug, Default)]
pub struct MediaReport {
    /// Files a media row names, with the row's original.
    pub referenced: usize,
    /// Files a media row names that are not there: `(file, original)`.
    pub missing: Vec<(String, String)>,
    /// Originals whose size differs from the one recorded: `(file, recorded, found)`.
    pub wrong_size: Vec<(String, i64, u64)>,
    /// Files no media row or unfinished upload names.
    pub orphaned: Vec<StoredFile>,
    /// Files of uploads a crash interrupted (removed at the next start).
    pub unfinished: Vec<String>,
    /// Files with names masthead never generates (put there by something else).
    pub foreign: Vec<String>,
    /// Temporary files of interrupted writes (removed at the next start).
    pub temporary: Vec<String>,
}

impl MediaReport {
    fn problems(&self) -> usize {
        self.missing.len() + self.wrong_size.len() + self.orphaned.len()
    }
}

/// Compares the media rows and unfinished uploads with the files in `media`.
pub async fn media(store: &Store, media: &dyn MediaStorage) -> anyhow::Result<MediaReport> {
    let rows = store.media_files().await.map_err(|e| anyhow!("{e}"))?;
    let unfinished = store
        .unfinished_uploads()
        .await
        .map_err(|e| anyhow!("{e}"))?;
    let files = media
        .list()
        .await
        .map_err(|e| anyhow!("cannot list the media files: {e}"))?;
    let present: BTreeMap<&str, u64> = files.iter().map(|f| (f.name.as_str(), f.size)).collect();

    let mut report = MediaReport::default();
    let mut named: BTreeSet<String> = BTreeSet::new();
    for row in &rows {
        for name in crate::backup::image_file_names(row) {
            report.referenced += 1;
            match present.get(name.as_str()) {
                None => report
                    .missing
                    .push((name.clone(), row.storage_name.clone())),
                Some(&size) if name == row.storage_name && size as i64 != row.byte_size => {
                    report.wrong_size.push((name.clone(), row.byte_size, size))
                }
                Some(_) => {}
            }
            named.insert(name);
        }
    }
    for upload in &unfinished {
        let mut names = vec![upload.storage_name.clone()];
        names.extend(
            upload
                .variants
                .iter()
                .map(|w| variant_name(&upload.storage_name, *w)),
        );
        // An upload writes its card (cropped around the centre) with its other files.
        names.push(card_name(&upload.storage_name, Focus::CENTER));
        for name in names {
            if present.contains_key(name.as_str()) {
                report.unfinished.push(name.clone());
            }
            named.insert(name);
        }
    }
    for file in files {
        if file.temporary {
            report.temporary.push(file.name);
        } else if !is_valid_name(&file.name) {
            report.foreign.push(file.name);
        } else if !named.contains(&file.name) {
            report.orphaned.push(file);
        }
    }
    Ok(report)
}

/// `masthead check`: the full database check and the media comparison, printed; with
/// `remove_orphans`, files no row names are deleted. Fails (non-zero exit) on any problem.
pub async fn run(config: &Config, remove_orphans: bool) -> anyhow::Result<()> {
    let store = crate::backup::open_existing(config).await?;
    let mut problems = 0;

    let started = Instant::now();
    let what = match store.backend() {
        Backend::Sqlite => "SQLite integrity_check",
        Backend::Postgres => {
            "PostgreSQL: every row read, B-tree indexes checked with amcheck if installed"
        }
    };
    match store.integrity_check().await {
        Ok(found) if found.is_empty() => println!(
            "database: ok ({what}, {:.1} s)",
            started.elapsed().as_secs_f64()
        ),
        Ok(found) => {
            println!("database: {} problems ({what}):", found.len());
            for line in &found {
                println!("  {line}");
            }
            problems += found.len();
        }
        Err(e) => {
            println!("database: {e}");
            problems += 1;
        }
    }

    let storage = crate::media_store::open(config)?;
    let report = media(&store, storage.as_ref()).await?;
    println!(
        "media: {} files named by the library (in {})",
        report.referenced,
        crate::media_store::describe(config)
    );
    for (name, original) in &report.missing {
        println!("  missing: {name} (of image {original}); restore it from a backup");
    }
    for (name, recorded, found) in &report.wrong_size {
        println!("  damaged: {name} is {found} bytes, the library recorded {recorded}");
    }
    let orphan_bytes: u64 = report.orphaned.iter().map(|f| f.size).sum();
    for file in &report.orphaned {
        println!(
            "  orphaned: {} ({} bytes): no image names it",
            file.name, file.size
        );
    }
    for name in &report.unfinished {
        println!("  unfinished upload: {name} (removed when masthead serve next starts)");
    }
    for name in &report.temporary {
        println!("  temporary file: {name} (removed when masthead serve next starts)");
    }
    for name in &report.foreign {
        println!("  not masthead's: {name} (left alone)");
    }
    problems += report.problems();

    if remove_orphans && !report.orphaned.is_empty() {
        if report.referenced == 0 {
            bail!(
                "the database names no images at all, so every media file looks orphaned; \
                 nothing was removed. Check --database-url and --data-dir"
            );
        }
        for file in &report.orphaned {
            storage
                .delete(&file.name)
                .await
                .map_err(|e| anyhow!("cannot remove {}: {e}", file.name))?;
        }
        println!(
            "removed {} orphaned files ({orphan_bytes} bytes)",
            report.orphaned.len()
        );
        problems -= report.orphaned.len();
    } else if !report.orphaned.is_empty() {
        println!(
            "  {} orphaned files ({orphan_bytes} bytes): `masthead check --remove-orphans` deletes them",
            report.orphaned.len()
        );
    }
    store.close().await;
    if problems > 0 {
        bail!("{problems} problems found");
    }
    println!("everything checked is whole");
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[tokio::test]
    async fn a_database_over_the_start_limit_is_checked_after_listening_not_before() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("masthead.db");
        let store = Store::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        assert!(
            at_start(&store, Some(&db)).await.unwrap(),
            "checked before serving"
        );
        // A sparse file stands for a database past the limit (the check only reads its size).
        let large = dir.path().join("large.db");
        std::fs::File::create(&large)
            .unwrap()
            .set_len(START_CHECK_MAX_BYTES + 1)
            .unwrap();
        assert!(
            !at_start(&store, Some(&large)).await.unwrap(),
            "left for later"
        );
        store.close().await;
    }
}
