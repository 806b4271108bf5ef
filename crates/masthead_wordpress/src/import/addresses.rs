//! The addresses things had on the old site, each to answer with a 301 to its new home.
//! The export teaches them: an item's `<link>` (whatever permalink structure the site
//! used) and `<guid>`, and its id, from which the addresses of every other structure
//! WordPress offers are made too (`/?p=123`, `/archives/123`, `/2024/01/02/slug/`,
//! `/2024/01/slug/`, `/slug/`), so links written while the site used another structure
//! keep working. Categories, tags, authors and feeds have theirs.

use crate::wxr::{Item, Term};
use url::Url;

/// The path and query of `address` (an absolute URL, or a path), as a browser would send
/// them; `None` for what is neither.
pub fn path_of(address: &str) -> Option<String> {
    let address = address.trim();
    if address.is_empty() {
        return None;
    }
    let url = if address.starts_with('/') {
        Url::parse("http://old.invalid").ok()?.join(address).ok()?
    } else {
        Url::parse(address).ok()?
    };
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let mut path = url.path().to_owned();
    if let Some(query) = url.query().filter(|q| !q.is_empty()) {
        path.push('?');
        path.push_str(query);
    }
    Some(path)
}

/// Every old address of a post (`post_date` is its local `YYYY-MM-DD HH:MM:SS`).
pub fn of_post(item: &Item) -> Vec<String> {
    let mut out = of_item(item);
    let id = item.post_id;
    out.push(format!("/?p={id}"));
    out.push(format!("/archives/{id}"));
    let slug = item.post_name.trim();
    let date = item.post_date.get(..10).unwrap_or("");
    if !slug.is_empty() && date.len() == 10 && !date.starts_with("0000") {
        let (y, m, d) = (&date[..4], &date[5..7], &date[8..10]);
        out.push(format!("/{y}/{m}/{d}/{slug}/"));
        out.push(format!("/{y}/{m}/{slug}/"));
        out.push(format!("/{slug}/"));
    }
    dedup(out)
}

/// Every old address of a page.
pub fn of_page(item: &Item) -> Vec<String> {
    let mut out = of_item(item);
    out.push(format!("/?page_id={}", item.post_id));
    dedup(out)
}

/// Every old address of an attachment page (not its file's: that leads to the image).
pub fn of_attachment(item: &Item) -> Vec<String> {
    let mut out = of_item(item);
    out.retain(|a| !a.starts_with("/wp-content/"));
    out.push(format!("/?attachment_id={}", item.post_id));
    dedup(out)
}

/// The item's `<link>` and `<guid>` (when the guid is an address on the site).
fn of_item(item: &Item) -> Vec<String> {
    [&item.link, &item.guid]
        .into_iter()
        .filter_map(|a| path_of(a))
        .filter(|p| p != "/")
        .collect()
}

/// Every old address of a category whose path of slugs from the top is `path` (WordPress
/// nests a child's address under its parents': `/category/news/local/`).
pub fn of_category(term: &Term, path: &str) -> Vec<String> {
    let mut out = vec![
        format!("/category/{path}/"),
        format!("/category/{path}/feed/"),
    ];
    if term.id != 0 {
        out.push(format!("/?cat={}", term.id));
    }
    dedup(out)
}

/// Every old address of a tag.
pub fn of_tag(term: &Term) -> Vec<String> {
    let slug = &term.slug;
    dedup(vec![
        format!("/tag/{slug}/"),
        format!("/tag/{slug}/feed/"),
        format!("/?tag={slug}"),
    ])
}

/// Every old address of an author (`login` as WordPress makes its "nicename": the login,
/// lowercased with spaces as hyphens).
pub fn of_author(login: &str, id: u64) -> Vec<String> {
    let nicename = login.trim().to_lowercase().replace(' ', "-");
    let mut out = vec![
        format!("/author/{nicename}/"),
        format!("/author/{nicename}/feed/"),
    ];
    if id != 0 {
        out.push(format!("/?author={id}"));
    }
    dedup(out)
}

/// The site's own feeds, each with where it goes now: `(old, new)`.
pub fn of_site_feeds() -> Vec<(String, String)> {
    [
        ("/feed/", "/feed.xml"),
        ("/feed/rss2/", "/feed.xml"),
        ("/feed/rss/", "/feed.xml"),
        ("/feed/atom/", "/atom.xml"),
        ("/?feed=rss2", "/feed.xml"),
        ("/?feed=rss", "/feed.xml"),
        ("/?feed=atom", "/atom.xml"),
    ]
    .into_iter()
    .map(|(a, b)| (a.to_owned(), b.to_owned()))
    .collect()
}

fn dedup(mut v: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    v.retain(|a| seen.insert(a.clone()));
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post() -> Item {
        Item {
            post_id: 123,
            post_type: "post".into(),
            link: "https://old.example/2024/01/02/council-votes/".into(),
            guid: "https://old.example/?p=123".into(),
            post_name: "council-votes".into(),
            post_date: "2024-01-02 09:30:00".into(),
            ..Item::default()
        }
    }

    #[test]
    fn a_post_answers_at_every_permalink_structure() {
        let a = of_post(&post());
        for want in [
            "/2024/01/02/council-votes/",
            "/?p=123",
            "/archives/123",
            "/2024/01/council-votes/",
            "/council-votes/",
        ] {
            assert!(a.iter().any(|x| x == want), "{want} missing from {a:?}");
        }
        assert_eq!(a.len(), 5, "{a:?}");
    }

    #[test]
    fn a_draft_without_a_date_has_only_its_id_addresses() {
        let item = Item {
            post_date: "0000-00-00 00:00:00".into(),
            link: "https://old.example/?p=9".into(),
            guid: String::new(),
            post_id: 9,
            ..post()
        };
        assert_eq!(of_post(&item), ["/?p=9", "/archives/9"]);
    }

    #[test]
    fn addresses_keep_their_percent_encoding_and_queries() {
        assert_eq!(
            path_of("https://old.example/%d8%a7%d9%84/?utm=1").as_deref(),
            Some("/%d8%a7%d9%84/?utm=1")
        );
        assert_eq!(path_of("javascript:alert(1)"), None);
        assert_eq!(path_of(""), None);
        assert_eq!(path_of("/about/").as_deref(), Some("/about/"));
    }
}
