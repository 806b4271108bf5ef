//! What a newsletter mail says: the automatic selection of stories for a digest, the
//! editor's items (a snapshot of each story's headline, summary, byline and link, so a
//! digest reads as the editor saw it), and the mails themselves, rendered from the theme's
//! `email/*` templates with the stylesheet moved into `style` attributes (mail clients drop
//! `<style>`; the dark-mode rules stay in one) and a plain-text alternative.
//!
//! A send is rendered once; each reader's links go where its placeholders are
//! ([`personalise`]), so ten thousand mails cost ten thousand string replacements, not ten
//! thousand renders.

use crate::{AppState, WebError};
use chrono::{DateTime, Duration, Utc};
use masthead_core::{ArticleId, PageNumber, SendId};
use masthead_render::context;
use masthead_store::{ArticleFilter, ListKind, NewsletterList, Teaser};
use serde::{Deserialize, Serialize};

/// Where each reader's "leave this list" address goes in a rendered send.
pub const UNSUBSCRIBE_MARK: &str = "%%MASTHEAD_UNSUBSCRIBE_URL%%";
/// Where each reader's preferences address goes.
pub const PREFERENCES_MARK: &str = "%%MASTHEAD_PREFERENCES_URL%%";
/// Where the send's id goes in counted links (`/newsletter/go/{send}/{story}`), replaced
/// by [`personalise`]'s caller once the send exists.
pub const SEND_MARK: &str = "%%MASTHEAD_SEND%%";
/// The most stories a digest carries.
pub const MAX_ITEMS: usize = 40;
/// The most characters of the editor's note.
pub const MAX_INTRO: usize = 2_000;
/// The most characters of a subject.
pub const MAX_SUBJECT: usize = masthead_mail::MAX_NAME_CHARS;

/// One story in a digest, as the editor left it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestItem {
    /// The story.
    pub id: ArticleId,
    /// Its headline.
    pub title: String,
    /// Its absolute address.
    pub url: String,
    /// Its summary (or excerpt).
    pub summary: String,
    /// "By Ann Lee", "By Sam Ortiz | Prairie State Wire": the wire credit kept.
    pub byline: String,
    /// Its section's name.
    pub section: String,
    /// "Opinion", "Video", … if its kind has a label.
    pub label: String,
}

impl DigestItem {
    /// The item for `teaser`, linking under `base_url`.
    pub fn from_teaser(base_url: &str, teaser: &Teaser) -> Self {
        let names: Vec<&str> = teaser
            .byline
            .authors
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        let who = match names.as_slice() {
            [] => teaser.byline.text.clone(),
            [one] => (*one).to_owned(),
            [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
        };
        let byline = match (who.is_empty(), teaser.byline.source.is_empty()) {
            (false, false) => format!("By {who} | {}", teaser.byline.source),
            (false, true) => format!("By {who}"),
            (true, false) => teaser.byline.source.clone(),
            (true, true) => String::new(),
        };
        let summary = if teaser.summary.trim().is_empty() {
            teaser.excerpt.clone()
        } else {
            teaser.summary.clone()
        };
        Self {
            id: teaser.id,
            title: teaser.title.clone(),
            url: format!("{base_url}/stories/{}", teaser.slug),
            summary,
            byline,
            section: teaser.section.name.clone(),
            label: teaser.label.unwrap_or_default().to_owned(),
        }
    }
}

/// The automatic selection for a digest of `list`: the stories published since it was
/// last sent (the last day for a list never sent, the last week for a weekly one),
/// newest first within each section, sections in the order of their newest story.
pub async fn selection(
    state: &AppState,
    list: &NewsletterList,
    now: DateTime<Utc>,
) -> Result<Vec<DigestItem>, WebError> {
    let span = if list.slug.contains("week") {
        Duration::days(7)
    } else {
        Duration::days(1)
    };
    let since = list.last_sent_at.unwrap_or(now - span);
    let page = state
        .store
        .list_articles(ArticleFilter::All, now, PageNumber::FIRST, 100)
        .await?;
    let base = state.config().base_url.clone();
    let mut sections: Vec<(String, Vec<DigestItem>)> = Vec::new();
    for teaser in page.items.iter().filter(|t| t.published_at > since) {
        let item = DigestItem::from_teaser(&base, teaser);
        match sections.iter_mut().find(|(s, _)| *s == item.section) {
            Some((_, items)) => items.push(item),
            None => sections.push((item.section.clone(), vec![item])),
        }
    }
    Ok(sections
        .into_iter()
        .flat_map(|(_, items)| items)
        .take(MAX_ITEMS)
        .collect())
}

/// The send's mail, rendered once: (HTML with the stylesheet inlined, plain text), each
/// with [`UNSUBSCRIBE_MARK`] and [`PREFERENCES_MARK`] where the reader's links go.
pub fn render_send(
    state: &AppState,
    list: &NewsletterList,
    subject: &str,
    intro: &str,
    items: &[DigestItem],
) -> Result<(String, String), WebError> {
    let config = state.config();
    // With click counting on, each story's link goes through the counter.
    let counted: Vec<DigestItem>;
    let items = if state.mail.as_ref().is_some_and(|m| m.click_counts) {
        counted = items
            .iter()
            .map(|i| DigestItem {
                url: format!("{}/newsletter/go/{SEND_MARK}/{}", config.base_url, i.id),
                ..i.clone()
            })
            .collect();
        &counted[..]
    } else {
        items
    };
    let ctx = context! {
        site => context! { name => &config.name, tagline => &config.tagline, base_url => &config.base_url },
        list => context! { name => &list.name, alert => list.kind == ListKind::Alert },
        subject,
        intro_paragraphs => paragraphs(intro),
        items => masthead_render::ser(&items),
        unsubscribe_url => UNSUBSCRIBE_MARK,
        preferences_url => PREFERENCES_MARK,
    };
    let theme = state.theme();
    let html = theme.render("email/digest.html", ctx.clone())?;
    let text = theme.render("email/digest.txt", ctx)?;
    Ok((inline_css(&html), text))
}

/// A one-off mail to one reader: `kind` `confirm` (the link confirms the signup) or
/// `manage` (a link to their preferences). Returns (subject, HTML, text).
pub fn render_reader_mail(
    state: &AppState,
    kind: &str,
    link: &str,
) -> Result<(String, String, String), WebError> {
    let config = state.config();
    let confirm = kind == "confirm";
    let subject = if confirm {
        format!("Confirm your subscription to {}", config.name)
    } else {
        format!("Your {} newsletter preferences", config.name)
    };
    let ctx = context! {
        site => context! { name => &config.name, base_url => &config.base_url },
        subject => &subject,
        confirm,
        link,
    };
    let theme = state.theme();
    let html = theme.render("email/reader.html", ctx.clone())?;
    let text = theme.render("email/reader.txt", ctx)?;
    Ok((subject, inline_css(&html), text))
}

/// `rendered` (of send `send`) with one reader's links in place of the marks.
pub fn personalise(
    rendered: &str,
    send: SendId,
    unsubscribe_url: &str,
    preferences_url: &str,
) -> String {
    rendered
        .replace(UNSUBSCRIBE_MARK, unsubscribe_url)
        .replace(PREFERENCES_MARK, preferences_url)
        .replace(SEND_MARK, &send.to_string())
}

/// The editor's note as paragraphs (blank lines between them).
fn paragraphs(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n")
        .split("\n\n")
        .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|p| !p.is_empty())
        .collect()
}

/// `html` with its `<style>` rules moved onto the elements they match; `@media` rules (dark
/// mode, narrow screens) stay in a `<style>`. Should inlining fail, the mail goes as it is:
/// it still reads, with the clients that keep `<style>`.
fn inline_css(html: &str) -> String {
    let inliner = css_inline::CSSInliner::options()
        .keep_at_rules(true)
        .load_remote_stylesheets(false)
        .build();
    match inliner.inline(html) {
        Ok(inlined) => inlined,
        Err(e) => {
            tracing::warn!(error = %e, "could not inline the newsletter's stylesheet");
            html.to_owned()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_editors_note_becomes_paragraphs() {
        assert_eq!(
            paragraphs("One\nline.\r\n\r\nTwo.\n\n\n"),
            ["One line.", "Two."]
        );
    }

    #[test]
    fn each_reader_gets_their_own_links() {
        let t = format!("<a href=\"{UNSUBSCRIBE_MARK}\">x</a>{PREFERENCES_MARK}/{SEND_MARK}");
        assert_eq!(
            personalise(&t, SendId(7), "U", "P"),
            "<a href=\"U\">x</a>P/7"
        );
    }
}
