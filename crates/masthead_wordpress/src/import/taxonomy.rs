//! Categories, tags and authors of the old site mapped to masthead's sections, tags and
//! bylines. The operator's rule decides which categories become sections
//! (`--sections news,sports`); without one, every top-level category but WordPress's
//! "Uncategorized" becomes a section and every subcategory a tag, its posts filed under
//! the section at the top of its tree. Authors become bylines (never login accounts), by
//! display name. A section or byline with the same address already here is used as it is:
//! the newsroom may have made "news" or "jane-doe" before importing.

use crate::import::report::Report;
use crate::import::survey::Survey;
use crate::wxr::{Item, Term};
use masthead_core::{AuthorId, SectionId, Slug};
use masthead_store::{NewImportRecord, Store, StoreError};
use percent_encoding::percent_decode_str;
use std::collections::{HashMap, HashSet};

/// Category slugs that make a post an opinion piece.
const OPINION: &[&str] = &[
    "opinion",
    "op-ed",
    "oped",
    "opinions",
    "editorial",
    "editorials",
    "letters",
    "letters-to-the-editor",
    "columns",
];

/// What a category becomes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Use {
    /// A section.
    Section(SectionId),
    /// A tag, by name, filed under the section of its tree's top if that is one.
    Tag(String, Option<SectionId>),
}

/// The old site's taxonomy and authors as masthead's.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    categories: HashMap<String, Use>,
    default_section: SectionId,
    authors: HashMap<String, AuthorId>,
    /// Each category's path of slugs from the top (for its old address).
    pub category_paths: HashMap<String, String>,
}

/// What one post's terms come to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filed {
    /// Its section.
    pub section: SectionId,
    /// Its tags, by name, without repeats.
    pub tags: Vec<String>,
    /// Whether a category marks it as opinion.
    pub opinion: bool,
}

/// A slug as WordPress wrote it, decoded, turned into one masthead accepts.
pub fn masthead_slug(wordpress: &str, fallback: &str) -> Slug {
    let decoded = percent_decode_str(wordpress).decode_utf8_lossy();
    let slug = Slug::from_title(&decoded);
    if slug.as_str() != "untitled" {
        return slug;
    }
    Slug::from_title(fallback)
}

impl Taxonomy {
    /// Maps the survey's categories and authors, creating the sections and bylines that do
    /// not exist yet (none on a dry run: then ids are placeholders) and recording them
    /// under `source`.
    pub async fn build(
        store: &Store,
        survey: &Survey,
        source: &str,
        sections_rule: Option<&[String]>,
        dry_run: bool,
        report: &mut Report,
    ) -> Result<Taxonomy, StoreError> {
        let by_slug: HashMap<&str, &Term> = survey
            .categories
            .iter()
            .map(|t| (t.slug.as_str(), t))
            .collect();
        let top_of = |slug: &str| -> (String, String) {
            // (top slug, path from the top), following parents at most as far as there are
            // categories (a loop in the parents stops there).
            let mut path = vec![slug.to_owned()];
            let mut at = slug;
            for _ in 0..by_slug.len() {
                match by_slug.get(at).map(|t| t.parent.as_str()) {
                    Some(parent) if !parent.is_empty() && by_slug.contains_key(parent) => {
                        path.push(parent.to_owned());
                        at = parent;
                    }
                    _ => break,
                }
            }
            path.reverse();
            (path[0].clone(), path.join("/"))
        };
        let wanted: HashSet<String> = match sections_rule {
            Some(rule) => rule.iter().map(|s| s.trim().to_lowercase()).collect(),
            None => survey
                .categories
                .iter()
                .filter(|t| t.parent.is_empty() && t.slug != "uncategorized")
                .map(|t| t.slug.clone())
                .collect(),
        };
        let existing = store.sections().await?;
        let mut sections: HashMap<String, SectionId> = HashMap::new();
        let known = store
            .import_records(
                source,
                "section",
                &wanted.iter().map(String::as_str).collect::<Vec<_>>(),
            )
            .await?;
        let mut records = Vec::new();
        let mut placeholder = -1;
        for term in survey
            .categories
            .iter()
            .filter(|t| wanted.contains(&t.slug))
        {
            if let Some(record) = known.get(&term.slug) {
                sections.insert(term.slug.clone(), SectionId(record.local_id));
                report.unchanged("sections", 1);
                continue;
            }
            let slug = masthead_slug(&term.slug, &term.name);
            let id = match existing.iter().find(|s| s.slug == slug.as_str()) {
                Some(section) => section.id,
                None if dry_run => {
                    placeholder -= 1;
                    SectionId(placeholder)
                }
                None => {
                    let name = if term.name.trim().is_empty() {
                        slug.as_str()
                    } else {
                        term.name.trim()
                    };
                    store
                        .insert_section(&slug, name, term.description.trim())
                        .await?
                }
            };
            report.created("sections", 1);
            records.push(NewImportRecord {
                kind: "section",
                old_id: term.slug.clone(),
                local_id: id.0,
                content_hash: String::new(),
                version: 0,
                data: String::new(),
            });
            sections.insert(term.slug.clone(), id);
        }
        let default_section = match existing.first() {
            Some(s) => s.id,
            None => match sections.values().next() {
                Some(id) => *id,
                None if dry_run => SectionId(-1),
                None => {
                    report.created("sections", 1);
                    store
                        .insert_section(
                            &Slug::parse("news")
                                .map_err(|e| StoreError::Conflict(e.to_string()))?,
                            "News",
                            "",
                        )
                        .await?
                }
            },
        };
        let mut categories = HashMap::new();
        let mut category_paths = HashMap::new();
        for term in &survey.categories {
            let (top, path) = top_of(&term.slug);
            category_paths.insert(term.slug.clone(), path);
            let use_ = match sections.get(&term.slug) {
                Some(id) => Use::Section(*id),
                None => Use::Tag(term_name(term), sections.get(&top).copied()),
            };
            categories.insert(term.slug.clone(), use_);
        }
        let authors = Self::bylines(store, survey, source, dry_run, report, &mut records).await?;
        if !dry_run {
            store.put_import_records(source, &records).await?;
        }
        Ok(Taxonomy {
            categories,
            default_section,
            authors,
            category_paths,
        })
    }

    async fn bylines(
        store: &Store,
        survey: &Survey,
        source: &str,
        dry_run: bool,
        report: &mut Report,
        records: &mut Vec<NewImportRecord>,
    ) -> Result<HashMap<String, AuthorId>, StoreError> {
        let logins: Vec<&str> = survey.authors.keys().map(String::as_str).collect();
        let known = store.import_records(source, "author", &logins).await?;
        let existing = store.authors().await?;
        let mut authors = HashMap::new();
        let mut placeholder = -1;
        for (login, author) in &survey.authors {
            if let Some(record) = known.get(login) {
                authors.insert(login.clone(), AuthorId(record.local_id));
                report.unchanged("bylines", 1);
                continue;
            }
            let name = display_name(author);
            let slug = masthead_slug(&name, login);
            let id = match existing.iter().find(|a| a.slug == slug.as_str()) {
                Some(a) => a.id,
                None if dry_run => {
                    placeholder -= 1;
                    AuthorId(placeholder)
                }
                None => store.insert_author(&slug, &name, "", None).await?,
            };
            report.created("bylines", 1);
            records.push(NewImportRecord {
                kind: "author",
                old_id: login.clone(),
                local_id: id.0,
                content_hash: String::new(),
                version: 0,
                data: String::new(),
            });
            authors.insert(login.clone(), id);
        }
        Ok(authors)
    }

    /// Where `item` is filed: its section, tags and whether it is opinion.
    pub fn file(&self, item: &Item) -> Filed {
        let mut section = None;
        let mut tags: Vec<String> = Vec::new();
        let mut opinion = false;
        for term in &item.terms {
            match term.domain.as_str() {
                "category" => {
                    opinion |= OPINION.contains(&term.slug.as_str());
                    match self.categories.get(&term.slug) {
                        Some(Use::Section(id)) => {
                            section.get_or_insert(*id);
                        }
                        Some(Use::Tag(name, top)) => {
                            if let Some(top) = top {
                                section.get_or_insert(*top);
                            }
                            if term.slug != "uncategorized" {
                                push_tag(&mut tags, name);
                            }
                        }
                        None if term.slug != "uncategorized" => {
                            push_tag(&mut tags, &term.name);
                        }
                        None => {}
                    }
                }
                "post_tag" => push_tag(&mut tags, &term.name),
                _ => {}
            }
        }
        Filed {
            section: section.unwrap_or(self.default_section),
            tags,
            opinion,
        }
    }

    /// The byline of the author with `login`, if the export named them.
    pub fn author(&self, login: &str) -> Option<AuthorId> {
        self.authors.get(login).copied()
    }

    /// The section a category became, if it became one.
    pub fn section_of(&self, category: &str) -> Option<SectionId> {
        match self.categories.get(category) {
            Some(Use::Section(id)) => Some(*id),
            _ => None,
        }
    }
}

fn push_tag(tags: &mut Vec<String>, name: &str) {
    let name = name.trim();
    if !name.is_empty() && !tags.iter().any(|t| t.eq_ignore_ascii_case(name)) {
        tags.push(name.to_owned());
    }
}

/// A term's name as masthead stores it as a tag: the name, else the decoded slug.
pub(super) fn term_name(term: &Term) -> String {
    if term.name.trim().is_empty() {
        percent_decode_str(&term.slug)
            .decode_utf8_lossy()
            .into_owned()
    } else {
        term.name.trim().to_owned()
    }
}

/// How an author is named in bylines: the display name, else first and last name, else the
/// login.
fn display_name(author: &crate::wxr::Author) -> String {
    let full = format!("{} {}", author.first_name.trim(), author.last_name.trim());
    [author.display_name.trim(), full.trim(), author.login.trim()]
        .into_iter()
        .find(|n| !n.is_empty())
        .unwrap_or("Staff")
        .chars()
        .take(100)
        .collect()
}
