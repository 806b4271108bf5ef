//! The rules of the site's static pages (About, Contact, Ethics policy, …) and the only
//! writers of them: [`create_page`], [`save_page`] and [`delete_page`] for the desk, and
//! [`import_pages`] for an importer (many pages, with their own times and parents).
//!
//! A page answers at `/` + its path (its parent's path, `/`, its slug), so a path must not
//! shadow one of the site's own addresses: [`RESERVED_PATHS`] lists the first segment of
//! every route the site answers (a test in `masthead_web` holds the router to it). Changing a
//! published page's slug or parent moves the pages under it too, and each published page
//! that moved leaves a redirect from its old address, in the same transaction.

use crate::DeskError;
use crate::staff::Staff;
use chrono::{DateTime, Utc};
use masthead_core::{InvalidInput, PageId, PageStatus, SiteAction, Slug};
use masthead_render::render_markdown;
use masthead_store::{
    Actor, MAX_PAGES, NewRedirect, Page, PageFields, PageWrite, RedirectOrigin, Store, StoreError,
};

/// The first segments of every address the site itself answers (and a few it may answer
/// soon, or that readers expect to mean the site's own thing): a page's path may not start
/// with one. `masthead_web`'s `reserved_paths` test fails when a route's first segment is
/// missing here. Names with a dot (`feed.xml`, `robots.txt`) cannot be slugs anyway; they
/// are listed so the list is the router's.
pub const RESERVED_PATHS: &[&str] = &[
    "admin",
    "api",
    "atom.xml",
    "author",
    "authors",
    "bodies",
    "category",
    "comments",
    "events",
    "events.ics",
    "favicon.ico",
    "feed",
    "feed.json",
    "feed.xml",
    "feeds",
    "healthz",
    "latest",
    "login",
    "media",
    "metrics",
    "news-sitemap.xml",
    "newsletter",
    "page",
    "pages",
    "preview",
    "robots.txt",
    "search",
    "section",
    "sections",
    "sitemap.xml",
    "sitemaps",
    "static",
    "stories",
    "tag",
    "tags",
];

/// The longest page title, in characters.
pub const MAX_PAGE_TITLE: usize = 200;
/// The longest page text, in bytes.
pub const MAX_PAGE_TEXT: usize = 200_000;
/// How deep pages may nest (`a/b/c/d/e`).
pub const MAX_PAGE_DEPTH: usize = 5;

/// A page as typed in the desk's form (or given by an importer), before the rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageInput {
    /// The page it sits under.
    pub parent: Option<PageId>,
    /// The last part of its address; empty makes one from the title.
    pub slug: String,
    /// Its title.
    pub title: String,
    /// Its text (Markdown).
    pub body_md: String,
    /// Its place among its siblings (lower first).
    pub menu_order: i64,
    /// Published or draft.
    pub status: PageStatus,
}

impl Default for PageInput {
    /// An empty draft at the top.
    fn default() -> Self {
        Self {
            parent: None,
            slug: String::new(),
            title: String::new(),
            body_md: String::new(),
            menu_order: 0,
            status: PageStatus::Draft,
        }
    }
}

/// Whether `path` (no leading `/`) starts with an address the site answers itself.
pub fn is_reserved(path: &str) -> bool {
    let first = path.split('/').next().unwrap_or("");
    RESERVED_PATHS.contains(&first)
}

/// Checks a page's fields and renders its text: title, length, no NUL, a slug.
pub fn check_page(input: &PageInput) -> Result<PageFields, InvalidInput> {
    let title = input.title.trim();
    if title.is_empty() {
        return Err(InvalidInput::new("title", "give the page a title"));
    }
    if title.chars().count() > MAX_PAGE_TITLE {
        return Err(InvalidInput::new(
            "title",
            format!("shorten the title to {MAX_PAGE_TITLE} characters or fewer"),
        ));
    }
    if input.body_md.len() > MAX_PAGE_TEXT {
        return Err(InvalidInput::new(
            "body",
            format!("shorten the text to {MAX_PAGE_TEXT} bytes or fewer, or split the page"),
        ));
    }
    for (field, text) in [
        ("title", title),
        ("body", input.body_md.as_str()),
        ("slug", &input.slug),
    ] {
        if text.contains('\0') {
            return Err(InvalidInput::new(
                field,
                "remove the invisible NUL character (U+0000) pasted into it.",
            ));
        }
    }
    let slug = match input.slug.trim() {
        "" => Slug::from_title(title),
        typed => Slug::parse(typed)?,
    };
    Ok(PageFields {
        parent: input.parent,
        slug,
        title: title.to_owned(),
        body_html: render_markdown(&input.body_md),
        body_md: input.body_md.clone(),
        menu_order: input.menu_order,
        status: input.status,
    })
}

/// The path of a page with `fields` under `parent`, checked: not reserved, not too deep.
fn path_under(parent: Option<&Page>, fields: &PageFields) -> Result<String, InvalidInput> {
    let path = match parent {
        Some(p) => format!("{}/{}", p.path, fields.slug.as_str()),
        None => fields.slug.as_str().to_owned(),
    };
    if is_reserved(&path) {
        return Err(InvalidInput::new(
            "slug",
            format!(
                "/{path} is one of the site's own addresses: choose another slug \
                 (like \"about-{}\") or put the page under another page",
                fields.slug.as_str()
            ),
        ));
    }
    if path.split('/').count() > MAX_PAGE_DEPTH {
        return Err(InvalidInput::new(
            "parent",
            format!("pages nest at most {MAX_PAGE_DEPTH} deep: choose a parent higher up"),
        ));
    }
    Ok(path)
}

/// The parent named by `fields`, read in the transaction; refuses a missing one, and for a
/// page being saved (`moving`), the page itself or one of its own pages.
async fn parent_of(
    tx: &mut PageWrite<'_>,
    fields: &PageFields,
    moving: Option<&Page>,
) -> Result<Option<Page>, DeskError> {
    let Some(id) = fields.parent else {
        return Ok(None);
    };
    let parent = tx.page(id).await?.ok_or_else(|| {
        InvalidInput::new(
            "parent",
            "the chosen parent page no longer exists: choose another",
        )
    })?;
    if let Some(page) = moving
        && (parent.id == page.id || parent.path.starts_with(&format!("{}/", page.path)))
    {
        return Err(InvalidInput::new(
            "parent",
            "a page cannot sit under itself or one of its own pages: choose another parent",
        )
        .into());
    }
    Ok(Some(parent))
}

/// A path taken, in the editor's words.
fn taken(path: &str) -> DeskError {
    DeskError::Conflict(format!(
        "another page already has the address /{path}: choose another slug or parent"
    ))
}

/// Inserts a checked page in `tx`: the path free, not reserved, the site under its limit;
/// a redirect from its address (one the page now answers) is dropped.
async fn insert_in(
    tx: &mut PageWrite<'_>,
    fields: &PageFields,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
) -> Result<PageId, DeskError> {
    let parent = parent_of(tx, fields, None).await?;
    let path = path_under(parent.as_ref(), fields)?;
    if tx.page_at(&path).await?.is_some() {
        return Err(taken(&path));
    }
    if tx.count().await? >= MAX_PAGES {
        return Err(DeskError::Conflict(format!(
            "the site has {MAX_PAGES} pages, the most it may have: delete one first"
        )));
    }
    let id = tx.insert(fields, &path, created_at, updated_at).await?;
    tx.clear_redirect(&format!("/{path}")).await?;
    Ok(id)
}

/// Writes a checked page over `current` in `tx` (the version already claimed): moves the
/// pages under it with its path, and leaves redirects from every published page's old
/// address.
async fn update_in(
    tx: &mut PageWrite<'_>,
    current: &Page,
    fields: &PageFields,
    created_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<(), DeskError> {
    let parent = parent_of(tx, fields, Some(current)).await?;
    let path = path_under(parent.as_ref(), fields)?;
    let mut redirects = Vec::new();
    if path != current.path {
        if tx.page_at(&path).await?.is_some() {
            return Err(taken(&path));
        }
        let moved = tx.move_descendants(&current.path, &path).await?;
        if current.status == PageStatus::Published {
            redirects.push((current.path.clone(), path.clone()));
        }
        redirects.extend(
            moved
                .into_iter()
                .filter(|m| m.status == PageStatus::Published)
                .map(|m| (m.old_path, m.new_path)),
        );
    }
    tx.update(current.id, fields, &path, created_at, now)
        .await?;
    for (old, new) in &redirects {
        tx.clear_redirect(&format!("/{new}")).await?;
        tx.repoint_redirects(&format!("/{old}"), &format!("/{new}"))
            .await?;
    }
    let new: Vec<NewRedirect> = redirects
        .iter()
        .map(|(old, new)| NewRedirect {
            key: format!("/{old}"),
            target: format!("/{new}"),
            origin: RedirectOrigin::Page,
        })
        .collect();
    tx.add_redirects(&new, now).await?;
    Ok(())
}

/// Makes a new page from the desk's form. Editors and admins.
pub async fn create_page(
    store: &Store,
    staff: &Staff,
    input: &PageInput,
    now: DateTime<Utc>,
) -> Result<Page, DeskError> {
    staff.require(SiteAction::ManagePages)?;
    let fields = check_page(input)?;
    let mut tx = store.page_write().await?;
    let id = insert_in(&mut tx, &fields, now, now).await?;
    tx.commit(&staff.actor(), "page.create", &format!("page {id}"), now)
        .await?;
    Ok(store.page(id).await?)
}

/// Saves page `id` from the desk's form, which started from version `base`: someone else's
/// save since is a conflict (nothing written). A new slug or parent moves the page and the
/// pages under it, each published one leaving a redirect. Editors and admins.
pub async fn save_page(
    store: &Store,
    staff: &Staff,
    id: PageId,
    base: i64,
    input: &PageInput,
    now: DateTime<Utc>,
) -> Result<Page, DeskError> {
    staff.require(SiteAction::ManagePages)?;
    let fields = check_page(input)?;
    let mut tx = store.page_write().await?;
    let current = tx.page(id).await?.ok_or(DeskError::NotFound)?;
    if !tx.claim(id, base).await? {
        return Err(DeskError::Conflict(
            "someone saved this page after you opened it: open it again to see their \
             changes, then make yours"
                .into(),
        ));
    }
    update_in(&mut tx, &current, &fields, None, now).await?;
    tx.commit(&staff.actor(), "page.update", &format!("page {id}"), now)
        .await?;
    Ok(store.page(id).await?)
}

/// Deletes page `id`, which must have no pages under it. Its address then answers 404 (add a
/// redirect by hand if it should lead elsewhere). Editors and admins.
pub async fn delete_page(
    store: &Store,
    staff: &Staff,
    id: PageId,
    now: DateTime<Utc>,
) -> Result<Page, DeskError> {
    staff.require(SiteAction::ManagePages)?;
    let mut tx = store.page_write().await?;
    let page = tx.page(id).await?.ok_or(DeskError::NotFound)?;
    if tx.has_children(id).await? {
        return Err(DeskError::Conflict(format!(
            "pages sit under \"{}\": move or delete them first",
            page.title
        )));
    }
    tx.delete(id).await?;
    tx.commit(&staff.actor(), "page.delete", &format!("page {id}"), now)
        .await?;
    Ok(page)
}

/// Where an imported page sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportParent {
    /// At the top.
    Top,
    /// Under a page already on the site.
    Existing(PageId),
    /// Under the page at this index of the same import (which must come earlier).
    Earlier(usize),
}

/// One page of an import, with its own times.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageImport {
    /// Where it sits.
    pub parent: ImportParent,
    /// The last part of its address (a valid slug: lowercase letters, digits, hyphens).
    pub slug: String,
    /// Its title.
    pub title: String,
    /// Its text, as Markdown (rendered here).
    pub body_md: String,
    /// Its place among its siblings.
    pub menu_order: i64,
    /// Published or draft.
    pub status: PageStatus,
    /// When it was first published or made on the old site.
    pub created_at: DateTime<Utc>,
    /// When it was last changed there.
    pub updated_at: DateTime<Utc>,
}

/// Creates or updates many pages in one transaction, as an importer needs: each page is
/// matched by its path (its parent's path and its slug); an existing page there is updated
/// in place (same id, its version moved on, no redirect), otherwise a new one is made. Times
/// are the ones given. A page refused by a rule refuses the whole import (nothing written),
/// with an error naming the page by index and slug. The ids, in the order given.
pub async fn import_pages(
    store: &Store,
    actor: &Actor,
    pages: &[PageImport],
    now: DateTime<Utc>,
) -> Result<Vec<PageId>, DeskError> {
    let mut tx = store.page_write().await?;
    let mut ids: Vec<PageId> = Vec::with_capacity(pages.len());
    for (i, page) in pages.iter().enumerate() {
        let named = |e: DeskError| name_page(i, &page.slug, e);
        let parent = match page.parent {
            ImportParent::Top => None,
            ImportParent::Existing(id) => Some(id),
            ImportParent::Earlier(j) if j < i => Some(ids[j]),
            ImportParent::Earlier(_) => {
                return Err(named(
                    InvalidInput::new("parent", "a parent must come before its pages").into(),
                ));
            }
        };
        let input = PageInput {
            parent,
            slug: page.slug.clone(),
            title: page.title.clone(),
            body_md: page.body_md.clone(),
            menu_order: page.menu_order,
            status: page.status,
        };
        let fields = check_page(&input).map_err(|e| named(e.into()))?;
        let parent_page = parent_of(&mut tx, &fields, None).await.map_err(named)?;
        let path = path_under(parent_page.as_ref(), &fields).map_err(|e| named(e.into()))?;
        let id = match tx.page_at(&path).await? {
            Some(existing) => {
                if !tx.claim(existing.id, existing.version).await? {
                    return Err(named(DeskError::Store(StoreError::NotFound)));
                }
                update_in(
                    &mut tx,
                    &existing,
                    &fields,
                    Some(page.created_at),
                    page.updated_at,
                )
                .await
                .map_err(named)?;
                existing.id
            }
            None => insert_in(&mut tx, &fields, page.created_at, page.updated_at)
                .await
                .map_err(named)?,
        };
        ids.push(id);
    }
    tx.commit(actor, "page.import", &format!("{} pages", ids.len()), now)
        .await?;
    Ok(ids)
}

/// An import's error, naming the page it is about.
fn name_page(index: usize, slug: &str, e: DeskError) -> DeskError {
    match e {
        DeskError::Invalid(i) => DeskError::Invalid(InvalidInput::new(
            i.field,
            format!("page {index} (\"{slug}\"): {}", i.message),
        )),
        DeskError::Conflict(m) => DeskError::Conflict(format!("page {index} (\"{slug}\"): {m}")),
        other => other,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn reserved_paths_are_refused_by_first_segment() {
        assert!(is_reserved("admin"));
        assert!(is_reserved("stories/x"));
        assert!(!is_reserved("about"));
        assert!(!is_reserved("about/admin"));
        let mut sorted = RESERVED_PATHS.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, RESERVED_PATHS, "keep the list sorted");
    }

    #[test]
    fn a_page_needs_a_title_and_gets_a_slug_from_it() {
        let input = PageInput {
            title: "  Ethics Policy ".into(),
            body_md: "We *correct* errors.".into(),
            ..PageInput::default()
        };
        let fields = check_page(&input).unwrap();
        assert_eq!(fields.slug.as_str(), "ethics-policy");
        assert_eq!(fields.title, "Ethics Policy");
        assert!(fields.body_html.contains("<em>correct</em>"));
        let e = check_page(&PageInput::default()).unwrap_err();
        assert_eq!(e.field, "title");
        let e = check_page(&PageInput {
            title: "About".into(),
            slug: "About Us".into(),
            ..PageInput::default()
        })
        .unwrap_err();
        assert_eq!(e.field, "slug");
    }
}
