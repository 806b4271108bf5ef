//! Shared by the test files: fixtures and helpers.
#![allow(dead_code)]

use masthead_wire::{Outcome, SkipReason, WireItem};

/// A fixture's bytes.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The items taken.
pub fn items(outcomes: &[Outcome]) -> Vec<&WireItem> {
    outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Item(i) => Some(i.as_ref()),
            Outcome::Skipped { .. } => None,
        })
        .collect()
}

/// The reasons items were skipped, by position.
pub fn skipped(outcomes: &[Outcome]) -> Vec<(usize, SkipReason)> {
    outcomes
        .iter()
        .filter_map(|o| match o {
            Outcome::Skipped { index, reason, .. } => Some((*index, reason.clone())),
            Outcome::Item(_) => None,
        })
        .collect()
}
