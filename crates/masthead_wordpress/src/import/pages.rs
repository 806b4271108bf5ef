//! The old site's static pages (About, Contact, Ethics policy) as masthead's pages, with
//! their tree and order: parents before children, each written by the desk's own
//! `import_pages` one at a time, so a page a rule refuses (its address is one of the site's
//! own) is left out alone, noted, and its children go to the top. A page imported before
//! and unchanged at the source is left as it is here; one changed at the source is written
//! again, unless an editor saved it here since the import (then ours is kept, and noted). Old addresses (`<link>`, `?page_id=`) lead
//! to the new ones.

use crate::body;
use crate::import::post::{content_hash, post_time};
use crate::import::redirects;
use crate::import::report::{Report, reason};
use crate::import::run::{ImportError, Writer};
use crate::import::taxonomy::masthead_slug;
use crate::import::text;
use crate::wxr::Item;
use masthead_core::{PageId, PageStatus, Slug};
use masthead_desk::pages::{ImportParent, MAX_PAGE_DEPTH, PageImport, import_pages, is_reserved};
use masthead_store::NewImportRecord;
use std::collections::HashMap;

impl Writer<'_> {
    /// Writes `pages` (in file order), parents first.
    pub(super) async fn pages(
        &mut self,
        mut pages: Vec<Item>,
        report: &mut Report,
    ) -> Result<(), ImportError> {
        pages.sort_by_key(|p| (self.survey.page_depth(p.post_id), p.menu_order, p.post_id));
        let ids: Vec<String> = pages.iter().map(|p| p.post_id.to_string()).collect();
        let wanted: Vec<&str> = ids.iter().map(String::as_str).collect();
        let known = self
            .store
            .import_records(self.source, "page", &wanted)
            .await?;
        // Each page written (or known): its id, address and depth.
        let mut placed: HashMap<u64, (PageId, String, usize)> = HashMap::new();
        for item in pages {
            let old = if item.link.is_empty() {
                format!("page {}", item.post_id)
            } else {
                item.link.clone()
            };
            let status = match item.status.as_str() {
                "publish" if item.post_password.is_empty() => PageStatus::Published,
                "publish" | "private" => {
                    report.note(reason::PRIVATE, &old, "a page: imported as a draft");
                    PageStatus::Draft
                }
                "draft" | "pending" | "future" => PageStatus::Draft,
                other => {
                    report.note(reason::TRASH, &old, format!("a page, status {other:?}"));
                    continue;
                }
            };
            if !item.comments.is_empty() {
                report.note(
                    reason::REFUSED,
                    &old,
                    format!(
                        "{} comments on a page: masthead's pages take no comments",
                        item.comments.len()
                    ),
                );
            }
            let hash = content_hash(&item);
            if let Some(record) = known.get(&item.post_id.to_string())
                && let Ok(page) = self.store.page(PageId(record.local_id)).await
            {
                // Unchanged at the source, or changed there and here (an editor's save since
                // the import wins): left as it is here.
                let edited_here = page.version != record.version;
                if record.content_hash == hash || edited_here {
                    if record.content_hash == hash {
                        report.unchanged("pages", 1);
                    } else {
                        report.note(
                            reason::EDITED_HERE,
                            &old,
                            "a page changed at the source too",
                        );
                    }
                    let depth = page.path.matches('/').count();
                    placed.insert(item.post_id, (page.id, page.path, depth));
                    continue;
                }
            }
            // Under its parent when that was written and leaves room; else as high as fits.
            let mut parent = None;
            let mut at = item.post_parent;
            for _ in 0..=self.survey.pages.len() {
                if at == 0 {
                    break;
                }
                match placed.get(&at) {
                    Some(p) if p.2 + 1 < MAX_PAGE_DEPTH => {
                        parent = Some(p.clone());
                        break;
                    }
                    _ => at = self.survey.pages.get(&at).map_or(0, |p| p.parent),
                }
            }
            if item.post_parent != 0
                && parent
                    .as_ref()
                    .is_none_or(|p| Some(&p.0) != placed.get(&item.post_parent).map(|q| &q.0))
            {
                report.note(
                    reason::NEEDS_WORK,
                    &old,
                    "a page whose parent could not hold it: placed higher in the tree",
                );
            }
            let title = text::plain(&item.title);
            let title = if title.is_empty() {
                format!("Page {}", item.post_id)
            } else {
                title
            };
            let mut slug = match masthead_slug(&item.post_name, &title) {
                s if s.as_str() == "untitled" => {
                    Slug::parse(&format!("page-{}", item.post_id)).unwrap_or(s)
                }
                s => s,
            };
            let path_of = |slug: &Slug| match &parent {
                Some(p) => format!("{}/{slug}", p.1),
                None => slug.to_string(),
            };
            if is_reserved(&path_of(&slug)) {
                let renamed = Slug::parse(&format!("{slug}-page")).unwrap_or_else(|_| slug.clone());
                report.note(
                    reason::NEEDS_WORK,
                    &old,
                    format!("a page at /{slug}, an address of the site's own: moved to /{renamed}"),
                );
                slug = renamed;
            }
            let converted = body::convert(&item.content, &self.convert);
            let images: Vec<(String, String)> = converted
                .images
                .iter()
                .map(|i| (i.src.clone(), i.alt.clone()))
                .collect();
            let body_md = self
                .rehome_images(&converted.markdown, &images, &old, report)
                .await?;
            let depth = parent.as_ref().map_or(0, |p| p.2 + 1);
            if self.options.dry_run {
                report.created("pages", 1);
                placed.insert(item.post_id, (PageId(0), path_of(&slug), depth));
                continue;
            }
            let created = post_time(&item.post_date_gmt, &item.post_date, self.options.time_zone)
                .unwrap_or(self.now);
            let updated = post_time(
                &item.post_modified_gmt,
                &item.post_modified,
                self.options.time_zone,
            )
            .filter(|m| *m > created)
            .unwrap_or(created);
            let page = PageImport {
                parent: parent
                    .as_ref()
                    .map_or(ImportParent::Top, |p| ImportParent::Existing(p.0)),
                slug: slug.to_string(),
                title,
                body_md,
                menu_order: item.menu_order,
                status,
                created_at: created,
                updated_at: updated,
            };
            let id = match import_pages(
                self.store,
                &self.actor,
                std::slice::from_ref(&page),
                self.now,
            )
            .await
            {
                Ok(ids) => match ids.first() {
                    Some(id) => *id,
                    None => continue,
                },
                Err(masthead_desk::DeskError::Store(e)) => return Err(e.into()),
                Err(e) => {
                    report.note(reason::REFUSED, &old, e.to_string());
                    continue;
                }
            };
            if known.contains_key(&item.post_id.to_string()) {
                report.updated("pages", 1);
            } else {
                report.created("pages", 1);
            }
            let path = path_of(&slug);
            // The version the import wrote: a later save here is an editor's.
            let version = self.store.page(id).await.map_or(0, |p| p.version);
            self.store
                .put_import_records(
                    self.source,
                    &[NewImportRecord {
                        kind: "page",
                        old_id: item.post_id.to_string(),
                        local_id: id.0,
                        content_hash: hash,
                        version,
                        data: String::new(),
                    }],
                )
                .await?;
            placed.insert(item.post_id, (id, path, depth));
        }
        // Old addresses of every public page placed.
        let mut all = Vec::new();
        for (post_id, (_, path, _)) in &placed {
            if let Some(place) = self.survey.pages.get(post_id) {
                redirects::collect(
                    &mut all,
                    &place.addresses,
                    &format!("/{path}"),
                    path,
                    report,
                );
            }
        }
        if !all.is_empty() && !self.options.dry_run {
            let mut write = self.store.write_story().await?;
            redirects::write(&mut write, &all, self.now, report).await?;
            write.commit().await?;
        }
        Ok(())
    }
}
