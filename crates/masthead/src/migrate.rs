//! `masthead migrate [--dry-run]`: where the database's schema stands, and applying the
//! pending migrations before the servers are restarted (an upgrade step an operator can see
//! and time, instead of the first server's start doing it).
//!
//! Every line names a migration's version, name and kind (expand or contract; see
//! `masthead_store::migrate`). With `--dry-run` nothing is changed, not even an SQLite file
//! created.

use crate::config::Config;
use anyhow::{anyhow, bail};
use masthead_store::Store;
use masthead_store::migrate::{MigrationInfo, MigrationKind, SchemaStatus, known, status};

/// Runs `masthead migrate`: prints the applied, pending and newer migrations; applies the
/// pending ones unless `dry_run`.
pub async fn run(config: &Config, dry_run: bool) -> anyhow::Result<()> {
    let missing_file = crate::backup::sqlite_file(config).filter(|file| !file.is_file());
    let before = match &missing_file {
        Some(file) => {
            eprintln!(
                "there is no database at {} yet; every migration is pending",
                file.display()
            );
            SchemaStatus {
                pending: known(),
                ..SchemaStatus::default()
            }
        }
        None => {
            let store = Store::connect_unmigrated(&config.database_url())
                .await
                .map_err(|e| anyhow!("{e}"))?;
            let status = status(&store).await.map_err(|e| anyhow!("{e}"));
            store.close().await;
            status?
        }
    };
    print!("{}", listing(&before));
    if let Some(refusal) = before.refusal() {
        bail!("{refusal}");
    }
    let contracts = before
        .pending
        .iter()
        .filter(|m| m.kind == MigrationKind::Contract)
        .count();
    if dry_run {
        match before.pending.len() {
            0 => println!("dry run: nothing to apply; the schema is up to date"),
            n => println!(
                "dry run: would apply {n} migration{} ({contracts} contract); nothing was changed",
                if n == 1 { "" } else { "s" }
            ),
        }
        return Ok(());
    }
    if before.pending.is_empty() {
        println!("nothing to apply; the schema is up to date");
        return Ok(());
    }
    if contracts > 0 {
        eprintln!(
            "note: {contracts} of these migrations are contracts: the release before this one \
             will refuse to start on the database afterwards (take a backup first with \
             `masthead backup`)"
        );
    }
    let store = crate::user::open_store(config).await?;
    let after = status(&store).await.map_err(|e| anyhow!("{e}"));
    store.close().await;
    let after = after?;
    println!(
        "applied {} migration{}; the schema is at {}",
        before.pending.len(),
        if before.pending.len() == 1 { "" } else { "s" },
        after.known_up_to()
    );
    Ok(())
}

/// One line per migration: `applied`, `pending` or `newer` (applied by a newer release),
/// the version, the name and the kind.
fn listing(status: &SchemaStatus) -> String {
    let mut out = String::new();
    let mut push = |state: &str, m: &MigrationInfo, note: &str| {
        out.push_str(&format!(
            "{state:<8} {:04}  {:<32} {}{note}\n",
            m.version, m.name, m.kind
        ));
    };
    for m in &status.applied {
        push("applied", m, "");
    }
    for m in &status.pending {
        push("pending", m, "");
    }
    for m in &status.newer {
        push(
            "newer",
            m,
            "  (applied by a newer masthead; unknown to this one)",
        );
    }
    out
}
