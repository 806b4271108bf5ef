//! The records of a WordPress export, as the file states them: text is kept as written
//! (entities and CDATA resolved), dates as WordPress's local `YYYY-MM-DD HH:MM:SS` strings
//! parsed later, because drafts carry `0000-00-00 00:00:00`.

/// One record of the export, in file order.
#[derive(Debug, Clone, PartialEq)]
pub enum Record {
    /// The channel's own fields; comes before any other record.
    Site(Site),
    /// A `<wp:author>`.
    Author(Author),
    /// A `<wp:category>`.
    Category(Term),
    /// A `<wp:tag>`.
    Tag(Term),
    /// A `<wp:term>` of another taxonomy (nav menus, post formats, custom taxonomies).
    Term(Term),
    /// An `<item>`: a post, page, attachment, or anything else with a `post_type`.
    Item(Box<Item>),
}

/// The channel: the site the export came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Site {
    /// `<title>`.
    pub title: String,
    /// `<link>`: the site's address (the blog's, when it differs from the install's).
    pub link: String,
    /// `<language>`, such as `en-US`.
    pub language: String,
    /// `<wp:wxr_version>`: `1.0`, `1.1` or `1.2`.
    pub wxr_version: String,
    /// `<wp:base_site_url>`: where WordPress is installed.
    pub base_site_url: String,
    /// `<wp:base_blog_url>`: the blog's address, which permalinks start with.
    pub base_blog_url: String,
}

/// A `<wp:author>`: a WordPress user who wrote something in the export.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Author {
    /// `<wp:author_id>` (0 when absent, as in WXR 1.0).
    pub id: u64,
    /// `<wp:author_login>`: what items name in `<dc:creator>`.
    pub login: String,
    /// `<wp:author_email>`.
    pub email: String,
    /// `<wp:author_display_name>`.
    pub display_name: String,
    /// `<wp:author_first_name>`.
    pub first_name: String,
    /// `<wp:author_last_name>`.
    pub last_name: String,
}

/// A category, tag or other term.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Term {
    /// `<wp:term_id>` (0 when absent).
    pub id: u64,
    /// The taxonomy: `category`, `post_tag`, or what `<wp:term_taxonomy>` says.
    pub taxonomy: String,
    /// The slug (`<wp:category_nicename>`, `<wp:tag_slug>`, `<wp:term_slug>`), as written:
    /// it may be percent-encoded.
    pub slug: String,
    /// The display name (`<wp:cat_name>`, `<wp:tag_name>`, `<wp:term_name>`).
    pub name: String,
    /// The parent's slug (`<wp:category_parent>`, `<wp:term_parent>`); empty at the top.
    /// WXR 1.0 exports (WordPress before 3.1) write the parent's name here instead.
    pub parent: String,
    /// `<wp:category_description>`, `<wp:tag_description>`, `<wp:term_description>`.
    pub description: String,
}

/// An `<item>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Item {
    /// `<wp:post_id>`.
    pub post_id: u64,
    /// `<wp:post_type>`: `post`, `page`, `attachment`, `nav_menu_item`, custom types.
    pub post_type: String,
    /// `<title>`; may be empty.
    pub title: String,
    /// `<link>`: the item's permalink on the old site.
    pub link: String,
    /// `<guid>`: often `https://site/?p=123`.
    pub guid: String,
    /// `<pubDate>` (RFC 2822), when present.
    pub pub_date: String,
    /// `<dc:creator>`: the author's login (WXR 1.0 exports, which list no authors, write
    /// the author's display name).
    pub creator: String,
    /// `<content:encoded>`: the body as HTML (Gutenberg or classic).
    pub content: String,
    /// `<excerpt:encoded>`: the hand-written excerpt.
    pub excerpt: String,
    /// `<wp:post_date>`: local time, `YYYY-MM-DD HH:MM:SS`; `0000-00-00 00:00:00` for
    /// drafts never published.
    pub post_date: String,
    /// `<wp:post_date_gmt>`, the same in UTC.
    pub post_date_gmt: String,
    /// `<wp:post_modified>`: local time (WXR 1.2 and later).
    pub post_modified: String,
    /// `<wp:post_modified_gmt>`.
    pub post_modified_gmt: String,
    /// `<wp:comment_status>`: `open` or `closed`.
    pub comment_status: String,
    /// `<wp:post_name>`: the slug, as written (percent-encoded for non-ASCII).
    pub post_name: String,
    /// `<wp:status>`: `publish`, `draft`, `pending`, `future`, `private`, `trash`,
    /// `inherit` (attachments), `auto-draft`.
    pub status: String,
    /// `<wp:post_parent>`: the parent page, or the post an attachment belongs to (0: none).
    pub post_parent: u64,
    /// `<wp:menu_order>`.
    pub menu_order: i64,
    /// `<wp:post_password>`: non-empty when the post is password-protected.
    pub post_password: String,
    /// `<wp:is_sticky>` was `1`.
    pub is_sticky: bool,
    /// `<wp:attachment_url>`: an attachment's file address.
    pub attachment_url: String,
    /// Every `<category>` of the item: categories, tags, post formats, other taxonomies.
    pub terms: Vec<ItemTerm>,
    /// Every `<wp:postmeta>`, in file order (values as written: serialized PHP stays text).
    pub meta: Vec<Meta>,
    /// Every `<wp:comment>`, in file order.
    pub comments: Vec<Comment>,
}

/// A `<category domain="…" nicename="…">Name</category>` on an item.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemTerm {
    /// The `domain` attribute: `category`, `post_tag`, `post_format`, …
    pub domain: String,
    /// The `nicename` attribute: the term's slug.
    pub slug: String,
    /// The element's text: the term's name.
    pub name: String,
}

/// A `<wp:postmeta>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Meta {
    /// `<wp:meta_key>`, such as `_thumbnail_id` or `_wp_attachment_image_alt`.
    pub key: String,
    /// `<wp:meta_value>`.
    pub value: String,
}

/// A `<wp:comment>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comment {
    /// `<wp:comment_id>`.
    pub id: u64,
    /// `<wp:comment_author>`.
    pub author: String,
    /// `<wp:comment_author_email>`.
    pub author_email: String,
    /// `<wp:comment_author_url>`.
    pub author_url: String,
    /// `<wp:comment_author_IP>`.
    pub author_ip: String,
    /// `<wp:comment_date>`: local time.
    pub date: String,
    /// `<wp:comment_date_gmt>`.
    pub date_gmt: String,
    /// `<wp:comment_content>`.
    pub content: String,
    /// `<wp:comment_approved>`: `1`, `0` (pending), `spam`, `trash`.
    pub approved: String,
    /// `<wp:comment_type>`: empty or `comment` for a reader's comment, `pingback`,
    /// `trackback`.
    pub kind: String,
    /// `<wp:comment_parent>`: the comment this one answers (0: none).
    pub parent: u64,
    /// `<wp:comment_user_id>`: the WordPress user who wrote it (0: a reader).
    pub user_id: u64,
}

impl Item {
    /// The value of the first meta field named `key`.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.meta
            .iter()
            .find(|m| m.key == key)
            .map(|m| m.value.as_str())
    }

    /// The item's terms of `domain`.
    pub fn terms_of<'a>(&'a self, domain: &'a str) -> impl Iterator<Item = &'a ItemTerm> + 'a {
        self.terms.iter().filter(move |t| t.domain == domain)
    }
}
