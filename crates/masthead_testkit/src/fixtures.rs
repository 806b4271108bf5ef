//! Fixture builders: a small newsroom desk and articles built field by field.

use chrono::{DateTime, Duration, TimeZone, Utc};
use masthead_core::{ArticleKind, ArticleStatus, AuthorId, MediaId, SectionId, Slug};
use masthead_render::article_text;
use masthead_store::{Meeting, NewArticle, Note, Store};

/// The fixed "now" of fixture data: 2026-11-27 18:00 UTC (noon in Chicago).
pub fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 18, 0, 0)
        .single()
        .expect("valid time")
}

/// A section and two staff authors to hang articles on.
pub struct Desk {
    pub news: SectionId,
    pub sports: SectionId,
    pub reporter: AuthorId,
    pub editor: AuthorId,
}

impl Desk {
    pub async fn create(store: &Store) -> Self {
        let slug = |s: &str| Slug::parse(s).expect("slug");
        Desk {
            news: store
                .insert_section(&slug("news"), "Local News", "News from town.")
                .await
                .expect("section"),
            sports: store
                .insert_section(&slug("sports"), "Sports", "Scores and stories.")
                .await
                .expect("section"),
            reporter: store
                .insert_author(
                    &slug("ana-reyes"),
                    "Ana Reyes",
                    "Covers village government.",
                    None,
                )
                .await
                .expect("author"),
            editor: store
                .insert_author(
                    &slug("bo-lindqvist"),
                    "Bo Lindqvist",
                    "Edits the paper.",
                    None,
                )
                .await
                .expect("author"),
        }
    }
}

/// Builds a `NewArticle`, published an hour before [`t0`] unless told otherwise.
pub struct ArticleBuilder(NewArticle);

impl ArticleBuilder {
    pub fn new(title: &str, section: SectionId) -> Self {
        let body =
            format!("{title}. The village board met on Tuesday and talked at length about it.");
        let text = article_text(&body);
        ArticleBuilder(NewArticle {
            excerpt: text.excerpt,
            body_md: body,
            body_html: text.html,
            ..NewArticle::news(
                title,
                Slug::from_title(title),
                section,
                t0() - Duration::hours(1),
            )
        })
    }

    pub fn slug(mut self, slug: &str) -> Self {
        self.0.slug = Slug::parse(slug).expect("slug");
        self
    }
    pub fn kind(mut self, kind: ArticleKind) -> Self {
        self.0.kind = kind;
        self
    }
    pub fn status(mut self, status: ArticleStatus) -> Self {
        self.0.status = status;
        self
    }
    pub fn published(mut self, at: DateTime<Utc>) -> Self {
        self.0.published_at = Some(at);
        self
    }
    pub fn draft(mut self) -> Self {
        self.0.status = ArticleStatus::Draft;
        self.0.published_at = None;
        self
    }
    pub fn updated(mut self, at: DateTime<Utc>) -> Self {
        self.0.updated_at = Some(at);
        self
    }
    pub fn author(mut self, author: AuthorId) -> Self {
        self.0.authors.push(author);
        self
    }
    pub fn wire(mut self, writer: &str, wire: &str, original: &str, canonical: bool) -> Self {
        self.0.byline = writer.to_owned();
        self.0.source_name = wire.to_owned();
        self.0.source_url = original.to_owned();
        self.0.source_canonical = canonical;
        self
    }
    pub fn summary(mut self, summary: &str) -> Self {
        self.0.summary = summary.to_owned();
        self
    }
    pub fn body(mut self, md: &str) -> Self {
        let text = article_text(md);
        self.0.body_md = md.to_owned();
        self.0.body_html = text.html;
        self.0.excerpt = text.excerpt;
        self
    }
    pub fn tag(mut self, tag: &str) -> Self {
        self.0.tags.push(tag.to_owned());
        self
    }
    pub fn image(mut self, image: MediaId, caption: &str) -> Self {
        self.0.image = Some(image);
        self.0.image_caption = caption.to_owned();
        self
    }
    pub fn video(mut self, url: &str) -> Self {
        self.0.kind = ArticleKind::Video;
        self.0.video_url = url.to_owned();
        self
    }
    pub fn meeting(mut self, meeting: Meeting) -> Self {
        self.0.kind = ArticleKind::MeetingBrief;
        self.0.meeting = Some(meeting);
        self
    }
    pub fn items(mut self, items: Vec<masthead_core::RoundupItem>) -> Self {
        self.0.kind = ArticleKind::Roundup;
        self.0.items = items;
        self
    }
    pub fn note(mut self, note: Note) -> Self {
        self.0.notes.push(note);
        self
    }
    pub fn build(self) -> NewArticle {
        self.0
    }
    /// Saves it, returning its id.
    pub async fn insert(self, store: &Store) -> masthead_core::ArticleId {
        store
            .insert_article(&self.0, t0() - Duration::days(2))
            .await
            .expect("insert article")
    }
}
