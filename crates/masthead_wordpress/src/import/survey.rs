//! The first of an import's two reads of the export: the whole file is read once before
//! anything is written, so a truncated or malformed file is refused with nothing imported,
//! and what items refer to across the file is known before the second read writes them
//! (an attachment listed after the post whose lead image it is, a page before its
//! parent). Only the small things are kept: the site, authors, terms, attachments' files
//! and texts, pages' places in the tree; never a body.

use crate::wxr::{Author, Item, Record, Site, Term, WxrError, WxrLimits, WxrReader};
use std::collections::HashMap;
use std::io::BufRead;

/// An attachment: an image (or other file) in the old site's media library.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attachment {
    /// The file's address (`<wp:attachment_url>`).
    pub url: String,
    /// Its alt text (`_wp_attachment_image_alt`).
    pub alt: String,
    /// Its caption (the attachment's excerpt).
    pub caption: String,
    /// Its title.
    pub title: String,
    /// The post it was uploaded to (0: none).
    pub parent: u64,
    /// The addresses of its attachment page on the old site.
    pub addresses: Vec<String>,
}

/// A page's place in the tree.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PagePlace {
    /// Its parent page (0: at the top).
    pub parent: u64,
    /// Its slug as WordPress wrote it.
    pub slug: String,
    /// Its addresses on the old site, when it was public there.
    pub addresses: Vec<String>,
}

/// What the first read learned.
#[derive(Debug, Clone, Default)]
pub struct Survey {
    /// The site.
    pub site: Site,
    /// Authors, by login.
    pub authors: HashMap<String, Author>,
    /// Categories, in file order.
    pub categories: Vec<Term>,
    /// Tags, in file order.
    pub tags: Vec<Term>,
    /// Attachments, by id.
    pub attachments: HashMap<u64, Attachment>,
    /// Pages, by id.
    pub pages: HashMap<u64, PagePlace>,
    /// How many posts and pages the file holds (for the progress of the second read).
    pub stories: u64,
}

impl Survey {
    /// Reads the whole export from `input`, calling `progress` with the bytes read so far
    /// every few items. The first error ends it.
    pub fn read<R: BufRead>(
        input: R,
        limits: WxrLimits,
        mut progress: impl FnMut(u64),
    ) -> Result<Survey, WxrError> {
        let mut survey = Survey::default();
        let mut reader = WxrReader::new(input, limits);
        let mut seen = 0u64;
        while let Some(record) = reader.next() {
            match record? {
                Record::Site(site) => survey.site = site,
                Record::Author(author) => {
                    survey.authors.insert(author.login.clone(), author);
                }
                Record::Category(term) => survey.categories.push(term),
                Record::Tag(term) => survey.tags.push(term),
                Record::Term(_) => {}
                Record::Item(item) => survey.learn(&item),
            }
            seen += 1;
            if seen.is_multiple_of(256) {
                progress(reader.bytes_read());
            }
        }
        progress(reader.bytes_read());
        Ok(survey)
    }

    fn learn(&mut self, item: &Item) {
        match item.post_type.as_str() {
            "attachment" => {
                self.attachments.insert(
                    item.post_id,
                    Attachment {
                        url: item.attachment_url.clone(),
                        alt: item
                            .meta("_wp_attachment_image_alt")
                            .unwrap_or("")
                            .to_owned(),
                        caption: item.excerpt.clone(),
                        title: item.title.clone(),
                        parent: item.post_parent,
                        addresses: crate::import::addresses::of_attachment(item),
                    },
                );
            }
            "page" => {
                self.pages.insert(
                    item.post_id,
                    PagePlace {
                        parent: item.post_parent,
                        slug: item.post_name.clone(),
                        addresses: if item.status == "publish" && item.post_password.is_empty() {
                            crate::import::addresses::of_page(item)
                        } else {
                            Vec::new()
                        },
                    },
                );
                self.stories += 1;
            }
            "post" => self.stories += 1,
            _ => {}
        }
    }

    /// How deep page `id` sits (0 at the top); a loop in the parents counts as the top.
    pub fn page_depth(&self, id: u64) -> usize {
        let mut depth = 0;
        let mut at = id;
        while let Some(place) = self.pages.get(&at) {
            if place.parent == 0 || depth > self.pages.len() {
                break;
            }
            at = place.parent;
            depth += 1;
        }
        depth
    }
}
