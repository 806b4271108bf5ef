//! No module cycles in `masthead_web` (issue 8, item 4), checked from the source.
//!
//! **Modules.** Every file under `src/` is one module: `lib.rs` is the crate root,
//! `admin/mod.rs` is `admin`, `admin/session.rs` is `admin::session`. Inline modules
//! (`mod tests { … }`) belong to their file.
//!
//! **Dependencies.** A module depends on another when its code names an item of it: a
//! `use crate::…`, `use super::…`, `use self::…` or relative `use child::…` tree, or a
//! `crate::…`, `super::…` or `self::…` path anywhere in the code. Comments, doc links and
//! string literals do not count. A path through a re-export (`pub use state::AppState` in
//! `lib.rs`, `pub(crate) use error::ApiError` in `api/mod.rs`) counts against the module that
//! defines the item, so a re-export cannot hide a cycle. A method called on a value
//! (`state.config().site_value(…)`) names no module and is not seen: the scan reads paths,
//! not types.
//!
//! **The rule, at every level of the tree.** Among the children of one module (the crate's
//! top-level modules; the files of `admin`, of `api`, of `api::articles`, of `site`), each child
//! stands for its whole subtree, and the children's dependencies must form no cycle. So
//! `admin` and `api` may not depend on each other both ways through any of their files, and
//! inside `admin` the session code, the guard, the login pages and the page renderer are
//! layered. A module using its own parent or its own children is not a sibling dependency: a
//! `mod.rs` routes to its handlers, and they use its constants.
//!
//! This is what the issue names: the CSRF token type in its own module (`admin::csrf`, so
//! the pages that print it need not depend on the code that renders the login page), the
//! login page not rendered from the session module (the guard, `admin::guard`, sits above
//! both), the template's `site` value made by the site config (`config`, not `render`, which
//! uses the shared parts that use it), and the API error not importing the article schemas
//! (`api::error` builds any resource's 409 with `ApiError::conflict_with`). Putting any of
//! them back closes a cycle this test names. So does moving the error pages' middleware back
//! into `error` (it calls the API's JSON shape, which reads `error::ErrorInfo`).
//!
//! **One exemption: `AppState`.** It is the composition root: it owns a handle to each shared
//! service (the page cache, the shared parts, the fragment cache, the login throttle), and
//! every handler and each of those services takes it. Counting a use of the type itself
//! would make the crate's top level one cycle and hide every other; so a path naming
//! `AppState` is not counted. Everything else is: the state module's other items, and
//! `WebError`, which depends on no module of the crate.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

/// Items whose uses are not dependencies (see the module documentation).
const HUBS: &[&str] = &["AppState"];

/// A module's path from the crate root (`[]` is the root).
type ModPath = Vec<String>;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Ident(String),
    PathSep,
    Punct(char),
}

/// The code of `src`, as identifiers, `::` and punctuation: comments, string, char and
/// number literals dropped.
fn lex(src: &str) -> Vec<Tok> {
    let c: Vec<char> = src.chars().collect();
    let at = |i: usize| c.get(i).copied().unwrap_or('\0');
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if ch == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if (ch == 'r' || (ch == 'b' && at(i + 1) == 'r')) && raw_string_start(&c, i) {
            // r"…", r#"…"#, br"…"
            i += if ch == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while at(i) == '#' {
                hashes += 1;
                i += 1;
            }
            i += 1;
            loop {
                if i >= c.len() {
                    break;
                }
                if c[i] == '"' && (1..=hashes).all(|k| at(i + k) == '#') {
                    i += 1 + hashes;
                    break;
                }
                i += 1;
            }
        } else if ch == 'r' && at(i + 1) == '#' && is_ident_start(at(i + 2)) {
            i += 2; // a raw identifier: the identifier follows
        } else if ch == '\'' {
            if at(i + 1) == '\\' {
                // '\n', '\'', '\u{…}'
                i += 2;
                while i < c.len() && c[i] != '\'' {
                    i += 1;
                }
                i += 1;
            } else if at(i + 2) == '\'' {
                i += 3;
            } else {
                i += 1; // a lifetime: its name follows as an identifier
            }
        } else if is_ident_start(ch) {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            out.push(Tok::Ident(c[start..i].iter().collect()));
        } else if ch.is_ascii_digit() {
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_' || c[i] == '.') {
                i += 1;
            }
        } else if ch == ':' && at(i + 1) == ':' {
            out.push(Tok::PathSep);
            i += 2;
        } else {
            out.push(Tok::Punct(ch));
            i += 1;
        }
    }
    out
}

fn is_ident_start(ch: char) -> bool {
    ch.is_alphabetic() || ch == '_'
}

fn raw_string_start(c: &[char], i: usize) -> bool {
    let mut j = if c[i] == 'b' { i + 2 } else { i + 1 };
    while c.get(j) == Some(&'#') {
        j += 1;
    }
    c.get(j) == Some(&'"')
}

/// One leaf of a `use` tree: its full path and the name it brings in.
#[derive(Debug, Clone)]
struct UseLeaf {
    path: Vec<String>,
    name: Option<String>,
}

/// Parses a `use` tree from `toks[*pos]`, with `prefix` before it.
fn use_tree(toks: &[Tok], pos: &mut usize, prefix: Vec<String>, out: &mut Vec<UseLeaf>) {
    let mut path = prefix;
    while let Some(tok) = toks.get(*pos) {
        match tok {
            Tok::PathSep => *pos += 1,
            Tok::Ident(seg) => {
                path.push(seg.clone());
                *pos += 1;
                if toks.get(*pos) == Some(&Tok::PathSep) {
                    *pos += 1;
                    continue;
                }
                let mut name = match seg.as_str() {
                    "self" => path.iter().rev().nth(1).cloned(),
                    _ => Some(seg.clone()),
                };
                if toks.get(*pos) == Some(&Tok::Ident("as".into())) {
                    if let Some(Tok::Ident(alias)) = toks.get(*pos + 1) {
                        name = Some(alias.clone());
                    }
                    *pos += 2;
                }
                out.push(UseLeaf { path, name });
                return;
            }
            Tok::Punct('{') => {
                *pos += 1;
                while let Some(tok) = toks.get(*pos) {
                    match tok {
                        Tok::Punct('}') => {
                            *pos += 1;
                            break;
                        }
                        Tok::Punct(',') => *pos += 1,
                        _ => use_tree(toks, pos, path.clone(), out),
                    }
                }
                return;
            }
            Tok::Punct('*') => {
                *pos += 1;
                out.push(UseLeaf { path, name: None });
                return;
            }
            Tok::Punct(_) => return,
        }
    }
}

/// A path as written in a module, and where: `inline` names the inline modules around it.
#[derive(Debug, Clone)]
struct PathRef {
    inline: Vec<String>,
    path: Vec<String>,
    in_use: bool,
}

/// What one file says: the paths it names and the items it re-exports.
#[derive(Debug, Default)]
struct FileScan {
    refs: Vec<PathRef>,
    reexports: Vec<(String, Vec<String>)>,
}

fn scan(src: &str) -> FileScan {
    let toks = lex(src);
    let mut scan = FileScan::default();
    let mut inline: Vec<(String, usize)> = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < toks.len() {
        match &toks[i] {
            Tok::Punct('{') => {
                depth += 1;
                i += 1;
            }
            Tok::Punct('}') => {
                depth = depth.saturating_sub(1);
                if inline.last().is_some_and(|(_, d)| *d > depth) {
                    inline.pop();
                }
                i += 1;
            }
            Tok::Ident(kw) if kw == "mod" => {
                if let (Some(Tok::Ident(name)), Some(Tok::Punct('{'))) =
                    (toks.get(i + 1), toks.get(i + 2))
                {
                    inline.push((name.clone(), depth + 1));
                }
                i += 1;
            }
            Tok::Ident(kw) if kw == "use" => {
                let public = is_pub_before(&toks, i);
                let mut pos = i + 1;
                let mut leaves = Vec::new();
                use_tree(&toks, &mut pos, Vec::new(), &mut leaves);
                for leaf in leaves {
                    if public
                        && inline.is_empty()
                        && let Some(name) = &leaf.name
                    {
                        scan.reexports.push((name.clone(), leaf.path.clone()));
                    }
                    scan.refs.push(PathRef {
                        inline: inline.iter().map(|(n, _)| n.clone()).collect(),
                        path: leaf.path,
                        in_use: true,
                    });
                }
                while pos < toks.len() && toks[pos] != Tok::Punct(';') {
                    pos += 1;
                }
                i = pos + 1;
            }
            Tok::Ident(first)
                if matches!(first.as_str(), "crate" | "super" | "self")
                    && toks.get(i + 1) == Some(&Tok::PathSep) =>
            {
                let mut path = vec![first.clone()];
                let mut j = i + 1;
                while toks.get(j) == Some(&Tok::PathSep) {
                    match toks.get(j + 1) {
                        Some(Tok::Ident(seg)) => {
                            path.push(seg.clone());
                            j += 2;
                        }
                        _ => break,
                    }
                }
                scan.refs.push(PathRef {
                    inline: inline.iter().map(|(n, _)| n.clone()).collect(),
                    path,
                    in_use: false,
                });
                i = j;
            }
            _ => i += 1,
        }
    }
    scan
}

/// Whether the `use` at `toks[i]` is `pub`, `pub(crate)`, `pub(super)` or `pub(in …)`.
fn is_pub_before(toks: &[Tok], i: usize) -> bool {
    if i >= 1 && toks[i - 1] == Tok::Ident("pub".into()) {
        return true;
    }
    if i >= 1 && toks[i - 1] == Tok::Punct(')') {
        let mut j = i - 1;
        while j > 0 && toks[j] != Tok::Punct('(') {
            j -= 1;
        }
        return j >= 1 && toks[j - 1] == Tok::Ident("pub".into());
    }
    false
}

/// The module a file under `src/` is.
fn module_of(file: &str) -> ModPath {
    let stem = file.strip_suffix(".rs").unwrap_or(file);
    let mut parts: Vec<String> = stem.split('/').map(str::to_owned).collect();
    if matches!(parts.last().map(String::as_str), Some("lib" | "mod")) {
        parts.pop();
    }
    parts
}

/// One dependency between two modules, with the path that makes it.
#[derive(Debug, Clone)]
struct Edge {
    from: ModPath,
    to: ModPath,
    evidence: String,
}

/// The crate's modules and what each depends on.
struct Graph {
    edges: Vec<Edge>,
}

struct Crate {
    files: BTreeMap<ModPath, String>,
    scans: BTreeMap<ModPath, FileScan>,
}

impl Crate {
    fn new(sources: &BTreeMap<String, String>) -> Self {
        let mut files = BTreeMap::new();
        let mut scans = BTreeMap::new();
        for (file, src) in sources {
            let module = module_of(file);
            files.insert(module.clone(), file.clone());
            scans.insert(module, scan(src));
        }
        Crate { files, scans }
    }

    fn is_module(&self, m: &[String]) -> bool {
        self.files.contains_key(m)
    }

    /// The module that defines what `path` (written in `module`, inside `inline`) names, and
    /// the item's name; `None` for a path outside the crate.
    fn resolve(
        &self,
        module: &[String],
        inline: &[String],
        path: &[String],
        in_use: bool,
        hops: usize,
    ) -> Option<(ModPath, Option<String>)> {
        let mut cur: ModPath = module.iter().chain(inline).cloned().collect();
        let mut segs = path;
        match segs.first().map(String::as_str) {
            Some("crate") => {
                cur.clear();
                segs = &segs[1..];
            }
            Some("super") => {
                while segs.first().map(String::as_str) == Some("super") {
                    cur.pop();
                    segs = &segs[1..];
                }
            }
            Some("self") => segs = &segs[1..],
            Some(first) if in_use => {
                let mut child = cur.clone();
                child.push(first.to_owned());
                if !self.is_module(&child) {
                    return None; // another crate
                }
            }
            _ => return None,
        }
        while !self.is_module(&cur) {
            cur.pop(); // from inside an inline module to its file
        }
        for seg in segs {
            if seg == "self" {
                continue;
            }
            let mut next = cur.clone();
            next.push(seg.clone());
            if self.is_module(&next) {
                cur = next;
                continue;
            }
            if hops < 8 {
                let reexport = self
                    .scans
                    .get(&cur)
                    .and_then(|s| s.reexports.iter().find(|(name, _)| name == seg));
                if let Some((_, target)) = reexport
                    && let Some(found) = self.resolve(&cur, &[], target, true, hops + 1)
                {
                    return Some(found);
                }
            }
            return Some((cur, Some(seg.clone())));
        }
        Some((cur, None))
    }

    fn graph(&self) -> Graph {
        let mut edges = Vec::new();
        for (module, scan) in &self.scans {
            for r in &scan.refs {
                let Some((to, item)) = self.resolve(module, &r.inline, &r.path, r.in_use, 0) else {
                    continue;
                };
                if to == *module || item.as_deref().is_some_and(|i| HUBS.contains(&i)) {
                    continue;
                }
                edges.push(Edge {
                    from: module.clone(),
                    to,
                    evidence: format!(
                        "{} names {}",
                        self.files[module],
                        r.path.join("::").trim_end_matches("::self")
                    ),
                });
            }
        }
        Graph { edges }
    }
}

/// A cycle among the children of `parent`, with the path that makes each step.
#[derive(Debug)]
struct Cycle {
    parent: ModPath,
    steps: Vec<(String, String, String)>,
}

impl std::fmt::Display for Cycle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parent = if self.parent.is_empty() {
            "crate".to_owned()
        } else {
            format!("crate::{}", self.parent.join("::"))
        };
        let names: Vec<&str> = self.steps.iter().map(|(a, _, _)| a.as_str()).collect();
        writeln!(
            f,
            "a cycle among the modules of {parent}: {} -> {}",
            names.join(" -> "),
            names.first().copied().unwrap_or_default()
        )?;
        for (a, b, evidence) in &self.steps {
            writeln!(f, "    {a} -> {b}: {evidence}")?;
        }
        Ok(())
    }
}

impl Graph {
    /// For each module, its children's dependencies on each other (a child standing for its
    /// subtree), with one path as evidence for each.
    fn sibling_graphs(&self) -> BTreeMap<ModPath, BTreeMap<String, BTreeMap<String, String>>> {
        let mut graphs: BTreeMap<ModPath, BTreeMap<String, BTreeMap<String, String>>> =
            BTreeMap::new();
        for e in &self.edges {
            let k = e.from.iter().zip(&e.to).take_while(|(a, b)| a == b).count();
            if k < e.from.len() && k < e.to.len() {
                graphs
                    .entry(e.from[..k].to_vec())
                    .or_default()
                    .entry(e.from[k].clone())
                    .or_default()
                    .entry(e.to[k].clone())
                    .or_insert_with(|| e.evidence.clone());
            }
        }
        graphs
    }

    /// One cycle for each group of sibling modules that depend on each other in a circle.
    fn cycles(&self) -> Vec<Cycle> {
        let mut found = Vec::new();
        for (parent, graph) in self.sibling_graphs() {
            let mut seen: BTreeSet<String> = BTreeSet::new();
            for start in graph.keys() {
                if seen.contains(start) {
                    continue;
                }
                // The shortest way from `start` back to itself, if any.
                let mut prev: BTreeMap<String, String> = BTreeMap::new();
                let mut queue = VecDeque::from([start.clone()]);
                let mut closing = None;
                while let Some(node) = queue.pop_front() {
                    for next in graph.get(&node).into_iter().flat_map(|n| n.keys()) {
                        if next == start {
                            closing = Some(node.clone());
                            break;
                        }
                        if !prev.contains_key(next) {
                            prev.insert(next.clone(), node.clone());
                            queue.push_back(next.clone());
                        }
                    }
                    if closing.is_some() {
                        break;
                    }
                }
                let Some(last) = closing else { continue };
                let mut nodes = vec![last.clone()];
                while let Some(p) = prev.get(nodes.last().unwrap_or(start)) {
                    if p == start {
                        break;
                    }
                    nodes.push(p.clone());
                }
                nodes.push(start.clone());
                nodes.reverse();
                let steps = (0..nodes.len())
                    .map(|i| {
                        let (a, b) = (&nodes[i], &nodes[(i + 1) % nodes.len()]);
                        (a.clone(), b.clone(), graph[a][b].clone())
                    })
                    .collect();
                seen.extend(nodes);
                found.push(Cycle {
                    parent: parent.clone(),
                    steps,
                });
            }
        }
        found
    }

    fn depends(&self, from: &str, to: &str) -> bool {
        let split = |m: &str| -> ModPath { m.split("::").map(str::to_owned).collect() };
        self.edges
            .iter()
            .any(|e| e.from == split(from) && e.to == split(to))
    }
}

/// Every `.rs` file under `dir`, by its path relative to `dir` with `/` separators.
fn read_sources(dir: &Path) -> BTreeMap<String, String> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        let entries =
            std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else if path.extension().is_some_and(|x| x == "rs") {
                let rel = path.strip_prefix(root).expect("under the root");
                let rel = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                let src = std::fs::read_to_string(&path)
                    .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                out.insert(rel, src);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn masthead_web_has_no_module_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let krate = Crate::new(&read_sources(&src));
    let graph = krate.graph();
    let cycles = graph.cycles();
    assert!(
        cycles.is_empty(),
        "masthead_web has module cycles; move the item each one needs to the module it belongs \
         in, so dependencies point one way (see this test's documentation):\n\n{}",
        cycles
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n")
    );
    // The scan reads the real code: it sees these dependencies, the layering the test holds.
    for (from, to) in [
        ("admin::guard", "admin::login"),
        ("admin::guard", "admin::session"),
        ("admin::login", "admin::session"),
        ("admin::view", "admin::csrf"),
        ("api::articles", "api::error"),
        ("api::openapi", "api::articles::schema"),
        ("error_pages", "api::error"),
        ("render", "parts"),
        ("state", "config"),
        ("state", "parts"),
    ] {
        assert!(
            graph.depends(from, to),
            "the scan no longer sees that {from} uses {to}: if the code moved, update this list; \
             if not, the scanner is broken"
        );
    }
}

/// Builds a crate from `(file, source)` pairs and returns its cycles, as text.
fn cycles_in(files: &[(&str, &str)]) -> Vec<String> {
    let sources = files
        .iter()
        .map(|(f, s)| ((*f).to_owned(), (*s).to_owned()))
        .collect();
    Crate::new(&sources)
        .graph()
        .cycles()
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn a_cycle_between_sibling_files_is_named_with_the_paths_that_make_it() {
    let cycles = cycles_in(&[
        ("lib.rs", "mod admin;"),
        ("admin/mod.rs", "mod session; mod login;"),
        (
            "admin/session.rs",
            "pub struct Csrf; fn guard() { super::login::login_page(); }",
        ),
        (
            "admin/login.rs",
            "use super::session::{self, Csrf}; pub fn login_page() {}",
        ),
    ]);
    assert_eq!(cycles.len(), 1, "{cycles:?}");
    assert!(
        cycles[0].contains("crate::admin: login -> session -> login"),
        "{}",
        cycles[0]
    );
    assert!(
        cycles[0].contains("admin/session.rs names super::login::login_page"),
        "{}",
        cycles[0]
    );
}

#[test]
fn a_cycle_through_a_reexport_counts_against_the_defining_module() {
    // `api::articles` names `super::ApiError`, which `api/mod.rs` re-exports from `error`.
    let cycles = cycles_in(&[
        ("lib.rs", "mod api;"),
        (
            "api/mod.rs",
            "mod articles; mod error; pub(crate) use error::{ApiError, to_json};",
        ),
        (
            "api/articles/mod.rs",
            "pub(crate) mod schema; use super::ApiError;",
        ),
        ("api/articles/schema.rs", "pub struct ArticleOut;"),
        (
            "api/error.rs",
            "use super::articles::schema::ArticleOut; pub enum ApiError {}",
        ),
    ]);
    assert_eq!(cycles.len(), 1, "{cycles:?}");
    assert!(
        cycles[0].contains("crate::api: articles -> error -> articles"),
        "{}",
        cycles[0]
    );
}

#[test]
fn a_cycle_between_subtrees_is_found_at_their_common_parent() {
    let cycles = cycles_in(&[
        ("lib.rs", "mod admin; mod api;"),
        ("admin/mod.rs", "mod users;"),
        ("admin/users.rs", "fn f() { crate::api::auth::check(); }"),
        ("api/mod.rs", "mod auth;"),
        ("api/auth.rs", "use crate::admin::users::User;"),
    ]);
    assert_eq!(cycles.len(), 1, "{cycles:?}");
    assert!(
        cycles[0].contains("crate: admin -> api -> admin"),
        "{}",
        cycles[0]
    );
}

#[test]
fn comments_strings_parents_children_and_the_state_hub_are_not_dependencies() {
    let cycles = cycles_in(&[
        (
            "lib.rs",
            "mod state; mod parts; mod render; pub use state::AppState;",
        ),
        (
            "state.rs",
            "use crate::parts::SharedParts; pub struct AppState { p: SharedParts }",
        ),
        // The hub: `parts` takes the state that holds it.
        (
            "parts.rs",
            "use crate::AppState; pub struct SharedParts; \
             /// Made with [`crate::render::page`], see `crate::render`.\n\
             fn f(s: &AppState) { let _ = \"crate::render::page\"; let _ = 'c'; }\n\
             /* crate::render::page */\n\
             #[cfg(test)] mod tests { use super::*; fn g() { super::SharedParts; } }",
        ),
        (
            "render.rs",
            "use crate::parts::SharedParts; use crate::state; fn h() { super::state::x(); }",
        ),
    ]);
    assert!(cycles.is_empty(), "{cycles:?}");
}

#[test]
fn the_state_modules_other_items_still_count() {
    let cycles = cycles_in(&[
        ("lib.rs", "mod state; mod parts; pub use state::AppState;"),
        (
            "state.rs",
            "use crate::parts::SharedParts; pub const POLL: u32 = 1;",
        ),
        ("parts.rs", "use crate::{AppState, state::POLL};"),
    ]);
    assert_eq!(cycles.len(), 1, "{cycles:?}");
    assert!(
        cycles[0].contains("crate: parts -> state -> parts"),
        "{}",
        cycles[0]
    );
}
