//! A real HTTP server on loopback serving feeds for the ingest tests: it counts the feed's
//! requests, answers conditional GETs with 304 when the validators match, and can be told
//! to answer a status, garbage, or a redirect.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::Response;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// What the server answers at `/feed`.
#[derive(Debug, Clone, Default)]
pub struct Served {
    pub body: Vec<u8>,
    pub content_type: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    /// Answer this status (with a short body) instead of the feed.
    pub status: Option<u16>,
    /// Answer `302 Location: …` instead of the feed.
    pub redirect: Option<String>,
}

#[derive(Default)]
struct Shared {
    served: Mutex<Served>,
    images: Mutex<HashMap<String, Vec<u8>>>,
    feed_requests: AtomicUsize,
    other_requests: AtomicUsize,
}

/// The running server.
pub struct FeedServer {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl FeedServer {
    pub async fn start() -> Self {
        let shared = Arc::new(Shared::default());
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        FeedServer { addr, shared }
    }

    pub fn feed_url(&self) -> String {
        format!("http://{}/feed", self.addr)
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Serves `rss` at `/feed` with the validators `version` makes.
    pub fn serve_rss(&self, rss: &str, version: u32) {
        self.set(Served {
            body: rss.as_bytes().to_vec(),
            content_type: "application/rss+xml".into(),
            etag: Some(format!("\"v{version}\"")),
            last_modified: Some(format!("Fri, 27 Nov 2026 1{}:00:00 GMT", version % 10)),
            status: None,
            redirect: None,
        });
    }

    pub fn set(&self, served: Served) {
        *self.shared.served.lock().unwrap() = served;
    }

    pub fn change(&self, f: impl FnOnce(&mut Served)) {
        f(&mut self.shared.served.lock().unwrap());
    }

    pub fn image(&self, path: &str, bytes: Vec<u8>) {
        self.shared
            .images
            .lock()
            .unwrap()
            .insert(path.to_owned(), bytes);
    }

    /// Requests for `/feed` so far.
    pub fn feed_requests(&self) -> usize {
        self.shared.feed_requests.load(Ordering::SeqCst)
    }

    /// Requests for anything else so far.
    pub fn other_requests(&self) -> usize {
        self.shared.other_requests.load(Ordering::SeqCst)
    }
}

async fn handle(State(shared): State<Arc<Shared>>, uri: Uri, headers: HeaderMap) -> Response {
    if uri.path() != "/feed" {
        shared.other_requests.fetch_add(1, Ordering::SeqCst);
        let image = shared.images.lock().unwrap().get(uri.path()).cloned();
        return match image {
            Some(bytes) => Response::builder()
                .header(header::CONTENT_TYPE, "image/jpeg")
                .body(Body::from(bytes))
                .unwrap(),
            None => Response::builder()
                .status(StatusCode::NOT_FOUND)
                .body(Body::from("no such file"))
                .unwrap(),
        };
    }
    shared.feed_requests.fetch_add(1, Ordering::SeqCst);
    let served = shared.served.lock().unwrap().clone();
    if let Some(to) = served.redirect {
        return Response::builder()
            .status(StatusCode::FOUND)
            .header(header::LOCATION, to)
            .body(Body::empty())
            .unwrap();
    }
    if let Some(status) = served.status {
        return Response::builder()
            .status(status)
            .body(Body::from("not the feed"))
            .unwrap();
    }
    let matches = |name: header::HeaderName, value: &Option<String>| {
        value.is_some() && headers.get(name).and_then(|v| v.to_str().ok()) == value.as_deref()
    };
    if matches(header::IF_NONE_MATCH, &served.etag)
        || (served.etag.is_none() && matches(header::IF_MODIFIED_SINCE, &served.last_modified))
    {
        return Response::builder()
            .status(StatusCode::NOT_MODIFIED)
            .body(Body::empty())
            .unwrap();
    }
    let mut response = Response::builder().header(header::CONTENT_TYPE, served.content_type);
    if let Some(etag) = &served.etag {
        response = response.header(header::ETAG, etag);
    }
    if let Some(lm) = &served.last_modified {
        response = response.header(header::LAST_MODIFIED, lm);
    }
    response.body(Body::from(served.body)).unwrap()
}

/// One item of a generated feed.
#[derive(Debug, Clone)]
pub struct Item {
    pub guid: String,
    pub title: String,
    pub body: String,
    pub author: String,
    pub category: String,
    /// `(url, alt)`; no alt gives a `media:content` without a description.
    pub image: Option<(String, Option<String>)>,
    pub published: String,
}

impl Item {
    pub fn new(n: usize) -> Self {
        Item {
            guid: format!("item-{n}"),
            title: format!("County story number {n}"),
            body: format!("<p>Paragraph one of story {n}.</p><p>Paragraph two.</p>"),
            author: "Maria Alvarez".into(),
            category: "Statehouse".into(),
            image: None,
            published: "Wed, 25 Nov 2026 10:00:00 GMT".into(),
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// An RSS 2.0 feed of `items`.
pub fn rss(items: &[Item]) -> String {
    let mut out = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:media="http://search.yahoo.com/mrss/">
<channel><title>Prairie State News Service</title><link>https://prairienews.example/</link><description>Statehouse news</description>
"#,
    );
    for item in items {
        out.push_str(&format!(
            "<item><title>{}</title><link>https://prairienews.example/{}/</link><guid isPermaLink=\"false\">{}</guid>\
             <dc:creator>{}</dc:creator><pubDate>{}</pubDate><category>{}</category>\
             <description>{}</description>",
            escape(&item.title),
            item.guid,
            item.guid,
            escape(&item.author),
            item.published,
            escape(&item.category),
            escape(&item.body),
        ));
        if let Some((url, alt)) = &item.image {
            out.push_str(&format!(
                "<media:content url=\"{}\" type=\"image/jpeg\" medium=\"image\">",
                escape(url)
            ));
            if let Some(alt) = alt {
                out.push_str(&format!(
                    "<media:description>{}</media:description>",
                    escape(alt)
                ));
            }
            out.push_str("<media:credit>Jo Park</media:credit></media:content>");
        }
        out.push_str("</item>\n");
    }
    out.push_str("</channel></rss>\n");
    out
}

/// A fixture of masthead_wire's tests.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A real JPEG from the demo newsroom.
pub fn jpeg() -> Vec<u8> {
    let path = format!(
        "{}/../masthead/demo/images/library.jpg",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}
