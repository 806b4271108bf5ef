//! A static page may not take an address the site answers itself: every route's first
//! segment, in every router of this crate's source, must be in
//! `masthead_desk::pages::RESERVED_PATHS`. A new route that is not fails here, naming it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use masthead_desk::pages::{RESERVED_PATHS, is_reserved};
use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The first string literal after each `.route(` and `.nest(` in `source`.
fn route_literals(source: &str) -> Vec<String> {
    let mut found = Vec::new();
    for call in [".route(", ".nest("] {
        for piece in source.split(call).skip(1) {
            if let Some(literal) = piece.split('"').nth(1) {
                found.push(literal.to_owned());
            }
        }
    }
    found
}

#[test]
fn every_route_of_the_site_is_a_reserved_path() {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut checked = 0;
    let mut missing = Vec::new();
    for file in &files {
        let source = std::fs::read_to_string(file).unwrap();
        for route in route_literals(&source) {
            let Some(rest) = route.strip_prefix('/') else {
                continue;
            };
            let first = rest.split('/').next().unwrap_or("");
            // The front page, the pages' own catch-all, and routes built with format!
            // (the feeds: `/{file}` is `feed.xml`, `atom.xml`, `feed.json`, checked below).
            if first.is_empty() || first.starts_with('{') {
                continue;
            }
            checked += 1;
            if !RESERVED_PATHS.contains(&first) {
                missing.push(format!("{first} (route {route} in {})", file.display()));
            }
        }
    }
    assert!(
        checked > 40,
        "found only {checked} routes: is the scan still right?"
    );
    assert!(
        missing.is_empty(),
        "add these to masthead_desk::pages::RESERVED_PATHS: {missing:#?}"
    );
    for feed in ["feed.xml", "atom.xml", "feed.json"] {
        assert!(RESERVED_PATHS.contains(&feed), "{feed}");
    }
    assert!(is_reserved("api/v1"));
}
