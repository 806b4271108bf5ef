//! Embeds the migrations. Each pair of files `migrations/sqlite/NNNN_name.sql` and
//! `migrations/postgres/NNNN_name.sql` becomes one `(version, name, contract, sqlite,
//! postgres)` entry in `$OUT_DIR/migrations.rs`, which `src/migrate.rs` includes: a new
//! migration is its two files and nothing else, and a file missing on one side fails the
//! build with its name.
//!
//! A migration's kind is its first line: `-- masthead: contract` for one that drops, renames
//! or retypes what older releases use, `-- masthead: expand` (or no such line) for one that
//! only adds. The two files of a pair must agree, and an unknown kind fails the build.

use std::collections::BTreeSet;
use std::error::Error;
use std::fmt::Write as _;
use std::path::Path;

fn main() -> Result<(), Box<dyn Error>> {
    println!("cargo:rerun-if-changed=migrations");
    let sqlite = sql_files(Path::new("migrations/sqlite"))?;
    let postgres = sql_files(Path::new("migrations/postgres"))?;
    if let Some(alone) = sqlite.symmetric_difference(&postgres).next() {
        return Err(format!(
            "migration {alone} exists for only one database: write it for both \
             (migrations/sqlite and migrations/postgres), so the schemas stay the same"
        )
        .into());
    }
    let mut out = String::from("&[\n");
    for file in &sqlite {
        let stem = file.trim_end_matches(".sql");
        let (number, name) = stem
            .split_once('_')
            .ok_or_else(|| format!("migration {file}: name it NNNN_what_it_does.sql"))?;
        let version: i64 = number
            .parse()
            .map_err(|_| format!("migration {file}: it must start with its number, NNNN_"))?;
        let contract = kind(Path::new("migrations/sqlite").join(file).as_path())?;
        if contract != kind(Path::new("migrations/postgres").join(file).as_path())? {
            return Err(format!(
                "migration {file}: the SQLite and PostgreSQL files must both say \
                 `-- masthead: contract` on their first line, or neither"
            )
            .into());
        }
        writeln!(
            out,
            "    ({version}, {name:?}, {contract}, \
             include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/migrations/sqlite/{file}\")), \
             include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/migrations/postgres/{file}\"))),"
        )?;
    }
    out.push(']');
    let dest = Path::new(&std::env::var("OUT_DIR")?).join("migrations.rs");
    std::fs::write(dest, out)?;
    Ok(())
}

/// Whether the migration at `path` is a contract (its first line `-- masthead: contract`);
/// `-- masthead: expand` or no such line is an expand.
fn kind(path: &Path) -> Result<bool, Box<dyn Error>> {
    let text = std::fs::read_to_string(path)?;
    let first = text.lines().next().unwrap_or("");
    let Some(kind) = first.strip_prefix("-- masthead:") else {
        return Ok(false);
    };
    match kind.trim() {
        "contract" => Ok(true),
        "expand" => Ok(false),
        other => Err(format!(
            "{}: the first line says the migration is {other:?}; write \
             `-- masthead: expand` or `-- masthead: contract`",
            path.display()
        )
        .into()),
    }
}

/// The `.sql` file names in `dir`, in order.
fn sql_files(dir: &Path) -> Result<BTreeSet<String>, Box<dyn Error>> {
    let mut names = BTreeSet::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with(".sql") {
            names.insert(name);
        }
    }
    Ok(names)
}
