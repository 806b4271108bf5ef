//! The old site's other addresses, once the stories are in: categories to their sections or
//! tags, tags, authors to bylines, attachment pages to the story they belonged to, and the
//! site's feeds, each with its feed (`/category/news/feed/` → `/section/news/feed.xml`).

use crate::import::addresses;
use crate::import::redirects;
use crate::import::report::Report;
use crate::import::run::{ImportError, Writer};
use crate::import::taxonomy::term_name;
use masthead_core::Slug;
use masthead_store::NewRedirect;

impl Writer<'_> {
    /// Writes the redirects of categories, tags, authors, attachment pages and feeds.
    pub(super) async fn links(&mut self, report: &mut Report) -> Result<(), ImportError> {
        if self.options.dry_run {
            return Ok(());
        }
        let mut all: Vec<NewRedirect> = Vec::new();
        let sections = self.store.sections().await?;
        for term in &self.survey.categories {
            let path = self
                .taxonomy
                .category_paths
                .get(&term.slug)
                .cloned()
                .unwrap_or_else(|| term.slug.clone());
            let target = match self.taxonomy.section_of(&term.slug) {
                Some(id) => match sections.iter().find(|s| s.id == id) {
                    Some(s) => format!("/section/{}", s.slug),
                    None => continue,
                },
                None if term.slug == "uncategorized" => continue,
                None => format!("/tag/{}", Slug::from_title(&term_name(term))),
            };
            let (pages, feeds): (Vec<String>, Vec<String>) = addresses::of_category(term, &path)
                .into_iter()
                .partition(|a| !a.ends_with("/feed/"));
            redirects::collect(&mut all, &pages, &target, &term.slug, report);
            redirects::collect(
                &mut all,
                &feeds,
                &format!("{target}/feed.xml"),
                &term.slug,
                report,
            );
        }
        for term in &self.survey.tags {
            let target = format!("/tag/{}", Slug::from_title(&term_name(term)));
            let (pages, feeds): (Vec<String>, Vec<String>) = addresses::of_tag(term)
                .into_iter()
                .partition(|a| !a.ends_with("/feed/"));
            redirects::collect(&mut all, &pages, &target, &term.slug, report);
            redirects::collect(
                &mut all,
                &feeds,
                &format!("{target}/feed.xml"),
                &term.slug,
                report,
            );
        }
        let bylines = self.store.authors().await?;
        for (login, author) in &self.survey.authors {
            let Some(id) = self.taxonomy.author(login) else {
                continue;
            };
            let Some(byline) = bylines.iter().find(|a| a.id == id) else {
                continue;
            };
            let target = format!("/author/{}", byline.slug);
            let (pages, feeds): (Vec<String>, Vec<String>) = addresses::of_author(login, author.id)
                .into_iter()
                .partition(|a| !a.ends_with("/feed/"));
            redirects::collect(&mut all, &pages, &target, login, report);
            redirects::collect(
                &mut all,
                &feeds,
                &format!("{target}/feed.xml"),
                login,
                report,
            );
        }
        for attachment in self.survey.attachments.values() {
            if let Some((_, slug)) = self.stories.get(&attachment.parent) {
                redirects::collect(
                    &mut all,
                    &attachment.addresses,
                    &format!("/stories/{slug}"),
                    &attachment.url,
                    report,
                );
            }
        }
        // The old files' addresses (linked from other sites, or hot-linked) lead to the
        // images in the library.
        let files: Vec<(String, String)> = self
            .images
            .moved()
            .map(|(old, new)| (old.to_owned(), new.to_owned()))
            .collect();
        for (old, new) in files {
            redirects::collect(
                &mut all,
                std::slice::from_ref(&old),
                &new,
                "an image",
                report,
            );
        }
        for (old, new) in addresses::of_site_feeds() {
            redirects::collect(&mut all, &[old], &new, "the site's feeds", report);
        }
        let mut write = self.store.write_story().await?;
        redirects::write(&mut write, &all, self.now, report).await?;
        write.commit().await?;
        Ok(())
    }
}
