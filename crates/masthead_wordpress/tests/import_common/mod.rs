//! Exports built for the import tests, in the shape WordPress's Tools → Export writes (the
//! channel with the site's addresses, authors, categories and tags, then items with their
//! postmeta and comments, text in CDATA), and a real HTTP server on loopback standing in
//! for the old site's images.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use std::collections::HashMap;
use std::fmt::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// The old site's address in the exports.
pub const SITE: &str = "https://ledger.example";

/// `text` in CDATA, with `]]>` split as WordPress splits it.
pub fn cdata(text: &str) -> String {
    format!("<![CDATA[{}]]>", text.replace("]]>", "]]]]><![CDATA[>"))
}

/// A comment of a post.
#[derive(Debug, Clone)]
pub struct C {
    pub id: u64,
    pub parent: u64,
    pub approved: &'static str,
    pub kind: &'static str,
    pub author: String,
    pub content: String,
}

impl C {
    pub fn new(id: u64, parent: u64, content: &str) -> C {
        C {
            id,
            parent,
            approved: "1",
            kind: "",
            author: format!("Reader {id}"),
            content: content.to_owned(),
        }
    }
}

/// An item of the export.
#[derive(Debug, Clone)]
pub struct P {
    pub id: u64,
    pub kind: &'static str,
    pub title: String,
    pub slug: String,
    pub content: String,
    pub excerpt: String,
    pub status: &'static str,
    pub date: String,
    pub date_gmt: String,
    pub creator: String,
    pub parent: u64,
    pub menu_order: i64,
    pub password: String,
    pub sticky: bool,
    pub attachment_url: String,
    pub link: String,
    /// (domain, slug, name)
    pub terms: Vec<(String, String, String)>,
    pub meta: Vec<(String, String)>,
    pub comments: Vec<C>,
}

impl P {
    /// A published post, dated by its id.
    pub fn post(id: u64, title: &str, content: &str) -> P {
        let slug = title.to_lowercase().replace(' ', "-");
        let day = 1 + id % 28;
        P {
            id,
            kind: "post",
            title: title.to_owned(),
            link: format!("{SITE}/2024/03/{day:02}/{slug}/"),
            slug,
            content: content.to_owned(),
            excerpt: String::new(),
            status: "publish",
            date: format!("2024-03-{day:02} 09:30:00"),
            date_gmt: format!("2024-03-{day:02} 14:30:00"),
            creator: "jdoe".into(),
            parent: 0,
            menu_order: 0,
            password: String::new(),
            sticky: false,
            attachment_url: String::new(),
            terms: vec![("category".into(), "news".into(), "News".into())],
            meta: Vec::new(),
            comments: Vec::new(),
        }
    }

    /// A published page.
    pub fn page(id: u64, title: &str, slug: &str, parent: u64, content: &str) -> P {
        P {
            kind: "page",
            slug: slug.to_owned(),
            link: format!("{SITE}/{slug}/"),
            parent,
            terms: Vec::new(),
            ..P::post(id, title, content)
        }
    }

    /// An image attachment at `url`, with alt text.
    pub fn image(id: u64, url: &str, alt: &str, parent: u64) -> P {
        P {
            kind: "attachment",
            status: "inherit",
            attachment_url: url.to_owned(),
            link: format!("{SITE}/?attachment_id={id}"),
            parent,
            terms: Vec::new(),
            meta: vec![("_wp_attachment_image_alt".into(), alt.to_owned())],
            ..P::post(id, &format!("image {id}"), "")
        }
    }

    /// Writes the item as WordPress does.
    pub fn write(&self, out: &mut String) {
        let _ = write!(
            out,
            "\t<item>\n\t\t<title>{}</title>\n\t\t<link>{}</link>\n\t\t<pubDate>Mon, 04 Mar 2024 14:30:00 +0000</pubDate>\n\
             \t\t<dc:creator>{}</dc:creator>\n\t\t<guid isPermaLink=\"false\">{SITE}/?p={}</guid>\n\t\t<description></description>\n\
             \t\t<content:encoded>{}</content:encoded>\n\t\t<excerpt:encoded>{}</excerpt:encoded>\n\
             \t\t<wp:post_id>{}</wp:post_id>\n\t\t<wp:post_date>{}</wp:post_date>\n\t\t<wp:post_date_gmt>{}</wp:post_date_gmt>\n\
             \t\t<wp:post_modified>{}</wp:post_modified>\n\t\t<wp:post_modified_gmt>{}</wp:post_modified_gmt>\n\
             \t\t<wp:comment_status>open</wp:comment_status>\n\t\t<wp:ping_status>open</wp:ping_status>\n\
             \t\t<wp:post_name>{}</wp:post_name>\n\t\t<wp:status>{}</wp:status>\n\t\t<wp:post_parent>{}</wp:post_parent>\n\
             \t\t<wp:menu_order>{}</wp:menu_order>\n\t\t<wp:post_type>{}</wp:post_type>\n\t\t<wp:post_password>{}</wp:post_password>\n\
             \t\t<wp:is_sticky>{}</wp:is_sticky>\n",
            cdata(&self.title),
            self.link,
            cdata(&self.creator),
            self.id,
            cdata(&self.content),
            cdata(&self.excerpt),
            self.id,
            cdata(&self.date),
            cdata(&self.date_gmt),
            cdata(&self.date),
            cdata(&self.date_gmt),
            cdata(&self.slug),
            cdata(self.status),
            self.parent,
            self.menu_order,
            cdata(self.kind),
            cdata(&self.password),
            u8::from(self.sticky),
        );
        if !self.attachment_url.is_empty() {
            let _ = writeln!(
                out,
                "\t\t<wp:attachment_url>{}</wp:attachment_url>",
                cdata(&self.attachment_url)
            );
        }
        for (domain, slug, name) in &self.terms {
            let _ = writeln!(
                out,
                "\t\t<category domain=\"{domain}\" nicename=\"{slug}\">{}</category>",
                cdata(name)
            );
        }
        for (key, value) in &self.meta {
            let _ = writeln!(
                out,
                "\t\t<wp:postmeta>\n\t\t\t<wp:meta_key>{}</wp:meta_key>\n\t\t\t<wp:meta_value>{}</wp:meta_value>\n\t\t</wp:postmeta>",
                cdata(key),
                cdata(value)
            );
        }
        for c in &self.comments {
            let _ = writeln!(
                out,
                "\t\t<wp:comment>\n\t\t\t<wp:comment_id>{}</wp:comment_id>\n\t\t\t<wp:comment_author>{}</wp:comment_author>\n\
                 \t\t\t<wp:comment_author_email>{}</wp:comment_author_email>\n\t\t\t<wp:comment_author_url>https://reader.example/</wp:comment_author_url>\n\
                 \t\t\t<wp:comment_author_IP>203.0.113.{}</wp:comment_author_IP>\n\t\t\t<wp:comment_date>2024-03-05 10:{:02}:00</wp:comment_date>\n\
                 \t\t\t<wp:comment_date_gmt>2024-03-05 15:{:02}:00</wp:comment_date_gmt>\n\t\t\t<wp:comment_content>{}</wp:comment_content>\n\
                 \t\t\t<wp:comment_approved>{}</wp:comment_approved>\n\t\t\t<wp:comment_type>{}</wp:comment_type>\n\
                 \t\t\t<wp:comment_parent>{}</wp:comment_parent>\n\t\t\t<wp:comment_user_id>0</wp:comment_user_id>\n\t\t</wp:comment>",
                c.id,
                cdata(&c.author),
                cdata(&format!("reader{}@example.com", c.id)),
                c.id % 250,
                c.id % 60,
                c.id % 60,
                cdata(&c.content),
                cdata(c.approved),
                cdata(c.kind),
                c.parent,
            );
        }
        out.push_str("\t</item>\n");
    }
}

/// An export of `items` from [`SITE`], with two authors and the categories and tags the
/// items name.
pub fn export(items: &[P]) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n\
         <!-- generator=\"WordPress/6.7.1\" created=\"2026-11-28 14:05\" -->\n\
         <rss version=\"2.0\"\n\txmlns:excerpt=\"http://wordpress.org/export/1.2/excerpt/\"\n\
         \txmlns:content=\"http://purl.org/rss/1.0/modules/content/\"\n\
         \txmlns:wfw=\"http://wellformedweb.org/CommentAPI/\"\n\
         \txmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n\
         \txmlns:wp=\"http://wordpress.org/export/1.2/\"\n>\n<channel>\n",
    );
    let _ = write!(
        out,
        "\t<title>The Ledger</title>\n\t<link>{SITE}</link>\n\t<description>News</description>\n\
         \t<language>en-US</language>\n\t<wp:wxr_version>1.2</wp:wxr_version>\n\
         \t<wp:base_site_url>{SITE}</wp:base_site_url>\n\t<wp:base_blog_url>{SITE}</wp:base_blog_url>\n"
    );
    for (id, login, name) in [(2, "jdoe", "Jane Doe"), (3, "mhaddad", "منى حداد")] {
        let _ = writeln!(
            out,
            "\t<wp:author><wp:author_id>{id}</wp:author_id><wp:author_login>{}</wp:author_login>\
             <wp:author_email>{}</wp:author_email><wp:author_display_name>{}</wp:author_display_name>\
             <wp:author_first_name>{}</wp:author_first_name><wp:author_last_name>{}</wp:author_last_name></wp:author>",
            cdata(login),
            cdata(&format!("{login}@ledger.example")),
            cdata(name),
            cdata(""),
            cdata(""),
        );
    }
    let mut categories: Vec<(String, String)> = Vec::new();
    let mut tags: Vec<(String, String)> = Vec::new();
    for item in items {
        for (domain, slug, name) in &item.terms {
            let list = match domain.as_str() {
                "category" => &mut categories,
                "post_tag" => &mut tags,
                _ => continue,
            };
            if !list.iter().any(|(s, _)| s == slug) {
                list.push((slug.clone(), name.clone()));
            }
        }
    }
    for (n, (slug, name)) in categories.iter().enumerate() {
        let parent = if slug == "city-hall" { "news" } else { "" };
        let _ = writeln!(
            out,
            "\t<wp:category>\n\t\t<wp:term_id>{}</wp:term_id>\n\t\t<wp:category_nicename>{}</wp:category_nicename>\n\
             \t\t<wp:category_parent>{}</wp:category_parent>\n\t\t<wp:cat_name>{}</wp:cat_name>\n\t</wp:category>",
            n + 10,
            cdata(slug),
            cdata(parent),
            cdata(name)
        );
    }
    for (n, (slug, name)) in tags.iter().enumerate() {
        let _ = writeln!(
            out,
            "\t<wp:tag>\n\t\t<wp:term_id>{}</wp:term_id>\n\t\t<wp:tag_slug>{}</wp:tag_slug>\n\t\t<wp:tag_name>{}</wp:tag_name>\n\t</wp:tag>",
            n + 100,
            cdata(slug),
            cdata(name)
        );
    }
    for item in items {
        item.write(&mut out);
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

/// A real JPEG from the demo newsroom (`library`, `council`, …).
pub fn jpeg(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../masthead/demo/images/{name}.jpg",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

#[derive(Default)]
struct Shared {
    files: Mutex<HashMap<String, Vec<u8>>>,
    requests: AtomicUsize,
}

/// The old site on loopback: answers the files it was given, 404 for the rest, and counts
/// requests.
pub struct OldSite {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl OldSite {
    pub async fn start() -> OldSite {
        let shared = Arc::new(Shared::default());
        let app = Router::new().fallback(serve).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        OldSite { addr, shared }
    }

    /// Serves `bytes` at `path`; its full address.
    pub fn put(&self, path: &str, bytes: Vec<u8>) -> String {
        self.shared
            .files
            .lock()
            .unwrap()
            .insert(path.to_owned(), bytes);
        format!("http://{}{path}", self.addr)
    }

    /// How many requests it answered.
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }
}

async fn serve(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let found = shared.files.lock().unwrap().get(uri.path()).cloned();
    match found {
        Some(bytes) => ([(header::CONTENT_TYPE, "image/jpeg")], bytes).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
