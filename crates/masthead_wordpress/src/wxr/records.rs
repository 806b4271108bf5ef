//! The records: which element fills which field of an author, a term, an item, its meta
//! and its comments. Each parser starts just after the record's start tag and returns at
//! its end tag. Elements WordPress or a plugin adds that masthead does not read
//! (`wp:ping_status`, `wp:commentmeta`, `wp:termmeta`, …) are skipped whole.

use std::io::BufRead;

use super::WxrError;
use super::error::{ItemRef, LimitKind, Place};
use super::model::{Author, Comment, Item, ItemTerm, Meta, Term};
use super::names::Ns;
use super::xml::{Tok, Xml};

/// Which of the three term elements is being read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TermKind {
    /// `<wp:category>`.
    Category,
    /// `<wp:tag>`.
    Tag,
    /// `<wp:term>`.
    Term,
}

pub(crate) fn author<R: BufRead>(xml: &mut Xml<R>, index: u64) -> Result<Author, WxrError> {
    xml.place = Place::Author {
        index,
        login: String::new(),
    };
    let mut author = Author::default();
    while let Some(tag) = child(xml)? {
        if tag.ns != Ns::Wp {
            xml.skip()?;
            continue;
        }
        match tag.local.as_str() {
            "author_id" => author.id = number(xml, "wp:author_id")?,
            "author_login" => {
                author.login = xml.read_text()?;
                xml.place = Place::Author {
                    index,
                    login: author.login.clone(),
                };
            }
            "author_email" => author.email = xml.read_text()?,
            "author_display_name" => author.display_name = xml.read_text()?,
            "author_first_name" => author.first_name = xml.read_text()?,
            "author_last_name" => author.last_name = xml.read_text()?,
            _ => xml.skip()?,
        }
    }
    Ok(author)
}

pub(crate) fn term<R: BufRead>(
    xml: &mut Xml<R>,
    kind: TermKind,
    index: u64,
) -> Result<Term, WxrError> {
    xml.place = Place::Term {
        index,
        slug: String::new(),
    };
    let mut term = Term {
        taxonomy: match kind {
            TermKind::Category => "category".to_owned(),
            TermKind::Tag => "post_tag".to_owned(),
            TermKind::Term => String::new(),
        },
        ..Term::default()
    };
    while let Some(tag) = child(xml)? {
        if tag.ns != Ns::Wp {
            xml.skip()?;
            continue;
        }
        match (kind, tag.local.as_str()) {
            (_, "term_id") => term.id = number(xml, "wp:term_id")?,
            (TermKind::Term, "term_taxonomy") => term.taxonomy = xml.read_text()?,
            (TermKind::Category, "category_nicename")
            | (TermKind::Tag, "tag_slug")
            | (TermKind::Term, "term_slug") => {
                term.slug = xml.read_text()?;
                xml.place = Place::Term {
                    index,
                    slug: term.slug.clone(),
                };
            }
            (TermKind::Category, "cat_name")
            | (TermKind::Tag, "tag_name")
            | (TermKind::Term, "term_name") => term.name = xml.read_text()?,
            (TermKind::Category, "category_parent") | (TermKind::Term, "term_parent") => {
                term.parent = xml.read_text()?;
            }
            (TermKind::Category, "category_description")
            | (TermKind::Tag, "tag_description")
            | (TermKind::Term, "term_description") => term.description = xml.read_text()?,
            _ => xml.skip()?,
        }
    }
    Ok(term)
}

/// Reads an `<item>`; `index` counts items from 1.
pub(crate) fn item<R: BufRead>(xml: &mut Xml<R>, index: u64) -> Result<Item, WxrError> {
    let mut at = ItemRef {
        index,
        ..ItemRef::default()
    };
    xml.place = Place::Item(at.clone());
    let mut item = Item::default();
    let mut bytes = 0usize;
    while let Some(tag) = child(xml)? {
        let field = match (tag.ns, tag.local.as_str()) {
            (Ns::Rss, "title") => {
                item.title = xml.read_text()?;
                at.title.clone_from(&item.title);
                xml.place = Place::Item(at.clone());
                &item.title
            }
            (Ns::Rss, "link") => text(xml, &mut item.link)?,
            (Ns::Rss, "guid") => text(xml, &mut item.guid)?,
            (Ns::Rss, "pubDate") => text(xml, &mut item.pub_date)?,
            (Ns::Dc, "creator") => text(xml, &mut item.creator)?,
            (Ns::Content, "encoded") => text(xml, &mut item.content)?,
            (Ns::Excerpt, "encoded") => text(xml, &mut item.excerpt)?,
            (Ns::Rss, "category") => {
                if item.terms.len() >= xml.limits.max_terms_per_item {
                    return Err(xml.limit(LimitKind::Terms, xml.limits.max_terms_per_item));
                }
                let name = xml.read_text()?;
                bytes += tag.domain.len() + tag.nicename.len();
                item.terms.push(ItemTerm {
                    domain: tag.domain,
                    slug: tag.nicename,
                    name,
                });
                item.terms.last().map_or("", |t| t.name.as_str())
            }
            (Ns::Wp, local) => match local {
                "post_id" => {
                    item.post_id = number(xml, "wp:post_id")?;
                    at.post_id = Some(item.post_id);
                    xml.place = Place::Item(at.clone());
                    ""
                }
                "post_date" => text(xml, &mut item.post_date)?,
                "post_date_gmt" => text(xml, &mut item.post_date_gmt)?,
                "post_modified" => text(xml, &mut item.post_modified)?,
                "post_modified_gmt" => text(xml, &mut item.post_modified_gmt)?,
                "comment_status" => text(xml, &mut item.comment_status)?,
                "post_name" => text(xml, &mut item.post_name)?,
                "status" => text(xml, &mut item.status)?,
                "post_parent" => {
                    item.post_parent = number(xml, "wp:post_parent")?;
                    ""
                }
                "menu_order" => {
                    item.menu_order = signed(xml, "wp:menu_order")?;
                    ""
                }
                "post_type" => text(xml, &mut item.post_type)?,
                "post_password" => text(xml, &mut item.post_password)?,
                "is_sticky" => {
                    item.is_sticky = flag(xml, "wp:is_sticky")?;
                    ""
                }
                "attachment_url" => text(xml, &mut item.attachment_url)?,
                "postmeta" => {
                    if item.meta.len() >= xml.limits.max_meta_per_item {
                        return Err(xml.limit(LimitKind::Meta, xml.limits.max_meta_per_item));
                    }
                    let m = meta(xml)?;
                    bytes += m.key.len();
                    item.meta.push(m);
                    item.meta.last().map_or("", |m| m.value.as_str())
                }
                "comment" => {
                    if item.comments.len() >= xml.limits.max_comments_per_item {
                        let max = xml.limits.max_comments_per_item;
                        return Err(xml.limit(LimitKind::Comments, max));
                    }
                    let c = comment(xml)?;
                    bytes += comment_bytes(&c);
                    item.comments.push(c);
                    ""
                }
                _ => {
                    xml.skip()?;
                    ""
                }
            },
            _ => {
                xml.skip()?;
                ""
            }
        };
        bytes = bytes.saturating_add(field.len());
        if bytes > xml.limits.max_item_bytes {
            return Err(xml.limit(LimitKind::ItemBytes, xml.limits.max_item_bytes));
        }
    }
    Ok(item)
}

fn meta<R: BufRead>(xml: &mut Xml<R>) -> Result<Meta, WxrError> {
    let mut meta = Meta::default();
    while let Some(tag) = child(xml)? {
        match (tag.ns, tag.local.as_str()) {
            (Ns::Wp, "meta_key") => meta.key = xml.read_text()?,
            (Ns::Wp, "meta_value") => meta.value = xml.read_text()?,
            _ => xml.skip()?,
        }
    }
    Ok(meta)
}

fn comment<R: BufRead>(xml: &mut Xml<R>) -> Result<Comment, WxrError> {
    let mut c = Comment::default();
    while let Some(tag) = child(xml)? {
        if tag.ns != Ns::Wp {
            xml.skip()?;
            continue;
        }
        match tag.local.as_str() {
            "comment_id" => c.id = number(xml, "wp:comment_id")?,
            "comment_author" => c.author = xml.read_text()?,
            "comment_author_email" => c.author_email = xml.read_text()?,
            "comment_author_url" => c.author_url = xml.read_text()?,
            "comment_author_IP" => c.author_ip = xml.read_text()?,
            "comment_date" => c.date = xml.read_text()?,
            "comment_date_gmt" => c.date_gmt = xml.read_text()?,
            "comment_content" => c.content = xml.read_text()?,
            "comment_approved" => c.approved = xml.read_text()?,
            "comment_type" => c.kind = xml.read_text()?,
            "comment_parent" => c.parent = number(xml, "wp:comment_parent")?,
            "comment_user_id" => c.user_id = number(xml, "wp:comment_user_id")?,
            _ => xml.skip()?,
        }
    }
    Ok(c)
}

fn comment_bytes(c: &Comment) -> usize {
    [
        &c.author,
        &c.author_email,
        &c.author_url,
        &c.author_ip,
        &c.date,
        &c.date_gmt,
        &c.content,
        &c.approved,
        &c.kind,
    ]
    .iter()
    .map(|s| s.len())
    .sum()
}

/// The next child element of the open one, or `None` at its end tag.
fn child<R: BufRead>(xml: &mut Xml<R>) -> Result<Option<super::xml::Tag>, WxrError> {
    match xml.next(None)? {
        Tok::Start(tag) => Ok(Some(tag)),
        Tok::End => Ok(None),
        Tok::Eof => Err(xml.truncated()),
    }
}

/// Reads a text field into `slot` and returns it, so its size can be counted.
fn text<'a, R: BufRead>(xml: &mut Xml<R>, slot: &'a mut String) -> Result<&'a str, WxrError> {
    *slot = xml.read_text()?;
    Ok(slot)
}

/// A field holding an id: a whole number, with empty as 0 (WordPress writes `0` for none,
/// some tools nothing).
fn number<R: BufRead>(xml: &mut Xml<R>, element: &'static str) -> Result<u64, WxrError> {
    whole(xml, element, "a whole number (0 or more)")
}

/// `wp:menu_order`: a whole number that may be negative.
fn signed<R: BufRead>(xml: &mut Xml<R>, element: &'static str) -> Result<i64, WxrError> {
    whole(xml, element, "a whole number")
}

/// A field holding a whole number of type `T`, empty as 0; `expected` says what it must be.
fn whole<R: BufRead, T: std::str::FromStr + Default>(
    xml: &mut Xml<R>,
    element: &'static str,
    expected: &'static str,
) -> Result<T, WxrError> {
    let text = xml.read_text()?;
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Ok(T::default());
    }
    trimmed
        .parse()
        .map_err(|_| xml.number(element, &text, expected))
}

/// `wp:is_sticky`: `1` or `0` (empty is `0`).
fn flag<R: BufRead>(xml: &mut Xml<R>, element: &'static str) -> Result<bool, WxrError> {
    let text = xml.read_text()?;
    match text.trim() {
        "1" => Ok(true),
        "0" | "" => Ok(false),
        _ => Err(xml.number(element, &text, "1 or 0")),
    }
}
