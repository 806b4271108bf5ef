//! The expand/contract rule of the migrations (see `masthead_store::migrate`): a migration
//! that drops, renames or changes the type of anything is marked `-- masthead: contract` on
//! its first line, so a release that does not know it refuses to run after it instead of
//! failing on a missing column. Also: the kind is kept in the database, where an older
//! release reads it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_store::Store;
use masthead_store::migrate::{MigrationKind, apply_as_newer_release, known, texts};

/// What in `sql` makes a migration a contract, if anything: `DROP TABLE`, `DROP COLUMN`,
/// `RENAME`, or `ALTER COLUMN … TYPE`. Comments are left out; case and spacing do not
/// matter.
fn contract_reason(sql: &str) -> Option<&'static str> {
    let code: String = sql
        .lines()
        .map(|l| l.split("--").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ");
    for statement in code.split(';') {
        let words: Vec<String> = statement
            .split_whitespace()
            .map(str::to_uppercase)
            .collect();
        let has = |a: &str, b: &str| words.windows(2).any(|w| w[0] == a && w[1] == b);
        if has("DROP", "TABLE") {
            return Some("DROP TABLE");
        }
        if has("DROP", "COLUMN") {
            return Some("DROP COLUMN");
        }
        if words.iter().any(|w| w == "RENAME") {
            return Some("RENAME");
        }
        if has("ALTER", "COLUMN") && words.iter().any(|w| w == "TYPE") {
            return Some("ALTER COLUMN … TYPE");
        }
    }
    None
}

#[test]
fn the_lint_finds_what_breaks_an_older_release() {
    for sql in [
        "DROP TABLE old_things;",
        "alter table articles\n  drop column reading_minutes",
        "ALTER TABLE a RENAME TO b",
        "ALTER TABLE a RENAME COLUMN x TO y",
        "ALTER TABLE a ALTER COLUMN x TYPE TEXT",
        "ALTER TABLE a ALTER COLUMN x SET DATA TYPE BIGINT",
    ] {
        assert!(contract_reason(sql).is_some(), "{sql}");
    }
    for sql in [
        "CREATE TABLE a (id BIGINT);",
        "ALTER TABLE a ADD COLUMN b TEXT",
        "ALTER TABLE article_search ALTER COLUMN document SET STORAGE MAIN;",
        "DROP INDEX IF EXISTS a_idx; -- rename it later",
        "CREATE INDEX a_type ON a (type)",
    ] {
        assert_eq!(contract_reason(sql), None, "{sql}");
    }
}

#[test]
fn every_migration_that_drops_renames_or_retypes_is_marked_contract() {
    let mut unmarked = Vec::new();
    for (info, sqlite, postgres) in texts() {
        for (backend, sql) in [("sqlite", sqlite), ("postgres", postgres)] {
            if let Some(reason) = contract_reason(sql)
                && info.kind != MigrationKind::Contract
            {
                unmarked.push(format!(
                    "migrations/{backend}/{:04}_{}.sql has {reason}: make its first line \
                     `-- masthead: contract` (and release the code that stops using what it \
                     removes one release earlier)",
                    info.version, info.name
                ));
            }
        }
    }
    assert!(unmarked.is_empty(), "{}", unmarked.join("\n"));
}

#[test]
fn versions_are_unique_and_increasing() {
    let versions: Vec<i64> = known().iter().map(|m| m.version).collect();
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
}

/// A newer release's migrations, applied; this binary (which does not know them) reads
/// their kinds back from `_sqlx_migrations` alone.
async fn the_kind_is_kept_in_the_database(store: Store) {
    let next = known().last().unwrap().version + 1;
    apply_as_newer_release(
        &store,
        &[
            (
                next,
                "add_x",
                MigrationKind::Expand,
                "CREATE TABLE x_things (id BIGINT)",
            ),
            (
                next + 1,
                "drop_x",
                MigrationKind::Contract,
                "DROP TABLE x_things",
            ),
        ],
    )
    .await
    .unwrap();
    let status = masthead_store::migrate::status(&store).await.unwrap();
    let newer: Vec<(i64, &str, MigrationKind)> = status
        .newer
        .iter()
        .map(|m| (m.version, m.name.as_str(), m.kind))
        .collect();
    assert_eq!(
        newer,
        [
            (next, "add_x", MigrationKind::Expand),
            (next + 1, "drop_x", MigrationKind::Contract),
        ]
    );
    assert!(status.pending.is_empty());
    assert_eq!(status.applied.len(), known().len());
    let refusal = status.refusal().unwrap();
    assert!(
        refusal.contains(&format!("{} drop_x", next + 1)),
        "{refusal}"
    );
}

masthead_testkit::db_tests!(the_kind_is_kept_in_the_database);
