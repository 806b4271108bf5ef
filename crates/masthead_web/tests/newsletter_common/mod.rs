//! What the newsletter tests share: a reader's signup as a browser posts it, the links in
//! a mail the sink received, confirmed readers put in through the store, stories to send.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use masthead_core::{EmailAddress, ListId};
use masthead_store::{Actor, ImportedReader, Store};
use masthead_testkit::{ArticleBuilder as Story, Desk, SunkMessage, TestApp, TestResponse, t0};

pub const BASE: &str = "https://news.example.org";

/// POSTs the signup form as a browser on our site would (no token: the footer's form).
pub async fn sign_up(app: &TestApp, email: &str, lists: &[&str], name: &str) -> TestResponse {
    let mut pairs: Vec<(&str, &str)> = vec![("email", email), ("name", name)];
    for l in lists {
        pairs.push(("list", l));
    }
    app.post_raw("/newsletter", "", &masthead_testkit::form_body(&pairs))
        .await
}

/// The first address in `message`'s text part that starts with `BASE` + `prefix`, as a
/// path on the site.
pub fn link(message: &SunkMessage, prefix: &str) -> String {
    let text = message.text.as_deref().expect("a text part");
    let start = format!("{BASE}{prefix}");
    let at = text
        .find(&start)
        .unwrap_or_else(|| panic!("no {start} link in:\n{text}"));
    let url: String = text[at..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    url.trim_start_matches(BASE).to_owned()
}

/// The list called `slug`.
pub async fn list(store: &Store, slug: &str) -> ListId {
    let lists = store.newsletter_lists().await.unwrap();
    lists.iter().find(|l| l.slug == slug).unwrap().id
}

/// Confirmed readers of `list` (as an import of an already-confirmed list makes them).
pub async fn confirmed_readers(store: &Store, list: ListId, emails: &[&str]) {
    let rows: Vec<_> = emails
        .iter()
        .map(|e| ImportedReader {
            email: EmailAddress::parse(e).unwrap(),
            name: String::new(),
            confirmed: true,
        })
        .collect();
    store
        .import_subscribers(&rows, &[list], &Actor::system("test"), t0())
        .await
        .unwrap();
}

/// Three published stories: two local, one wire copy with its credit.
pub async fn stories(app: &TestApp) -> Desk {
    let desk = Desk::create(app.store()).await;
    Story::new("Village board approves the new library roof", desk.news)
        .author(desk.reporter)
        .summary("The roof will be replaced this summer for $412,000.")
        .insert(app.store())
        .await;
    Story::new("Tigers win the regional final", desk.sports)
        .author(desk.editor)
        .summary("A last-minute goal sends Test Town to state.")
        .insert(app.store())
        .await;
    Story::new("State budget adds money for rural roads", desk.news)
        .wire(
            "Sam Ortiz",
            "Prairie State Wire",
            "https://wire.example.org/roads",
            false,
        )
        .summary("Lawmakers added $40 million for county roads.")
        .insert(app.store())
        .await;
    app.refresh().await;
    desk
}

/// The path of the send the desk redirected to.
pub fn send_path(response: &TestResponse) -> String {
    let location = response.header("location").to_owned();
    assert!(
        location.starts_with("/admin/newsletter/sends/"),
        "{location}"
    );
    location
}
