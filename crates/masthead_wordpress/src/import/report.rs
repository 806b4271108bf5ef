//! What an import did, for the operator at the end of the run and for the desk: counts of
//! everything brought in, and each thing left out or needing a hand, with why and its old
//! address.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// At most this many things are listed for each reason (the counts stay exact): a report
/// of a million pingbacks must not be a million lines.
pub const MAX_LISTED: usize = 200;

/// The report of one run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The old site's address.
    pub source: String,
    /// Whether nothing was written (`--dry-run`).
    pub dry_run: bool,
    /// How many of each thing was newly created, by kind (`stories`, `pages`, `comments`,
    /// `images`, `bylines`, `sections`, `redirects`).
    pub created: BTreeMap<String, u64>,
    /// How many of each thing was updated because it changed at the source.
    pub updated: BTreeMap<String, u64>,
    /// How many of each thing was already here as imported before, unchanged.
    pub unchanged: BTreeMap<String, u64>,
    /// Things left out or needing a hand, by reason.
    pub notes: BTreeMap<String, Noted>,
}

/// The things noted for one reason.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Noted {
    /// How many.
    pub count: u64,
    /// The first [`MAX_LISTED`] of them: the old address and a detail.
    pub items: Vec<NotedItem>,
}

/// One thing noted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NotedItem {
    /// Its address on the old site (or its id when it had none).
    pub old: String,
    /// What about it.
    pub detail: String,
}

/// Why things are noted, as the report words them.
pub mod reason {
    /// Pingbacks and trackbacks are not comments.
    pub const PINGBACK: &str = "pingbacks and trackbacks left out";
    /// Comments WordPress had as spam or in its trash.
    pub const SPAM_COMMENT: &str = "spam and trashed comments left out";
    /// Posts and pages in WordPress's trash, and automatic drafts.
    pub const TRASH: &str = "trashed posts and automatic drafts left out";
    /// Private or password-protected posts, imported as drafts.
    pub const PRIVATE: &str = "private or password-protected: imported as drafts, not public";
    /// Items of types masthead does not have (menus, custom post types).
    pub const OTHER_TYPE: &str = "items of other types left out";
    /// Shortcodes masthead does not know, kept as text.
    pub const SHORTCODE: &str = "unknown shortcodes kept as text";
    /// Images that could not be fetched or read.
    pub const IMAGE: &str = "images that could not be brought in";
    /// Published without alt text on an image, or another rule a new story must pass.
    pub const NEEDS_WORK: &str = "public, but the desk must finish them";
    /// Things the rules refused.
    pub const REFUSED: &str = "refused";
    /// Changed both at the source and here since the last import: ours kept.
    pub const EDITED_HERE: &str = "changed here since the last import: kept as edited";
    /// Old addresses that could not point anywhere (taken by another redirect).
    pub const ADDRESS: &str = "old addresses not redirected";
}

impl Report {
    /// Counts `n` created things of `kind`.
    pub fn created(&mut self, kind: &str, n: u64) {
        if n > 0 {
            *self.created.entry(kind.to_owned()).or_default() += n;
        }
    }

    /// Counts `n` updated things of `kind`.
    pub fn updated(&mut self, kind: &str, n: u64) {
        if n > 0 {
            *self.updated.entry(kind.to_owned()).or_default() += n;
        }
    }

    /// Counts `n` unchanged things of `kind`.
    pub fn unchanged(&mut self, kind: &str, n: u64) {
        if n > 0 {
            *self.unchanged.entry(kind.to_owned()).or_default() += n;
        }
    }

    /// Notes `old` for `reason`, with `detail`.
    pub fn note(&mut self, reason: &str, old: &str, detail: impl Into<String>) {
        let noted = self.notes.entry(reason.to_owned()).or_default();
        noted.count += 1;
        if noted.items.len() < MAX_LISTED {
            noted.items.push(NotedItem {
                old: old.to_owned(),
                detail: detail.into(),
            });
        }
    }

    /// How many things were noted for `reason`.
    pub fn noted(&self, reason: &str) -> u64 {
        self.notes.get(reason).map_or(0, |n| n.count)
    }

    /// The count of `kind` in `counts`.
    pub fn count(counts: &BTreeMap<String, u64>, kind: &str) -> u64 {
        counts.get(kind).copied().unwrap_or(0)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.dry_run { "would be " } else { "" };
        writeln!(f, "Import of {}", self.source)?;
        for (title, counts) in [
            ("created", &self.created),
            ("updated", &self.updated),
            ("unchanged", &self.unchanged),
        ] {
            if counts.is_empty() {
                continue;
            }
            let parts: Vec<String> = counts.iter().map(|(k, n)| format!("{n} {k}")).collect();
            writeln!(f, "  {verb}{title}: {}", parts.join(", "))?;
        }
        for (reason, noted) in &self.notes {
            writeln!(f, "  {reason}: {}", noted.count)?;
            for item in &noted.items {
                writeln!(f, "    {} — {}", item.old, item.detail)?;
            }
            if noted.count > noted.items.len() as u64 {
                writeln!(
                    f,
                    "    … and {} more",
                    noted.count - noted.items.len() as u64
                )?;
            }
        }
        Ok(())
    }
}
