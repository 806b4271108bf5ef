//! The article page's `a`: the map a template gets for one article, built as it is read.
//!
//! Serialising the whole [`ArticlePage`] into a template value (`ser`) was 7% of an uncached
//! article page's instructions (callgrind), and every `a.title` in the result hashed its key
//! in a map. [`ArticleValue`] answers a field when the template asks for it: the teaser's
//! text straight from the page, the nested parts (byline, section, image, tags, comments)
//! and the two times serialised once, on first use, the story's fields as a map of their own
//! that does the same ([`StoryValue`]). Themes see the
//! same map as before: the same keys, the same values (a test holds it to `ser`, key by
//! key).

use crate::site::story_value::StoryValue;
use masthead_render::{Enumerator, Object, ObjectRepr, Value, ser};
use masthead_store::ArticlePage;
use std::sync::{Arc, OnceLock};

/// The keys of `ser(&ArticlePage)`: the teaser's fields (flattened), then the page's own;
/// the body is not among them (the page hands it over once, as `body`).
const KEYS: &[&str] = &[
    "id",
    "kind",
    "label",
    "title",
    "slug",
    "summary",
    "excerpt",
    "byline",
    "section",
    "image",
    "published_at",
    "updated_at",
    "comment_count",
    "story",
    "tags",
    "comments",
    "comments_open",
];

/// An article page as a template map; see the module's comment.
#[derive(Debug)]
pub(crate) struct ArticleValue {
    page: Arc<ArticlePage>,
    byline: OnceLock<Value>,
    section: OnceLock<Value>,
    image: OnceLock<Value>,
    story: OnceLock<Value>,
    tags: OnceLock<Value>,
    comments: OnceLock<Value>,
    published_at: OnceLock<Value>,
    updated_at: OnceLock<Value>,
}

impl ArticleValue {
    /// `page` as the template value `a`.
    pub(crate) fn value(page: ArticlePage) -> Value {
        Value::from_object(ArticleValue {
            page: Arc::new(page),
            byline: OnceLock::new(),
            section: OnceLock::new(),
            image: OnceLock::new(),
            story: OnceLock::new(),
            tags: OnceLock::new(),
            comments: OnceLock::new(),
            published_at: OnceLock::new(),
            updated_at: OnceLock::new(),
        })
    }

    /// The field `key`, as `ser(&page)` has it; `None` for a key the page does not have.
    fn field(&self, key: &str) -> Option<Value> {
        let once =
            |cell: &OnceLock<Value>, make: &dyn Fn() -> Value| cell.get_or_init(make).clone();
        let (page, t) = (&*self.page, &self.page.teaser);
        Some(match key {
            "id" => ser(&t.id),
            "kind" => ser(&t.kind),
            "label" => ser(&t.label),
            "title" => Value::from(t.title.as_str()),
            "slug" => Value::from(t.slug.as_str()),
            "summary" => Value::from(t.summary.as_str()),
            "excerpt" => Value::from(t.excerpt.as_str()),
            "byline" => once(&self.byline, &|| ser(&t.byline)),
            "section" => once(&self.section, &|| ser(&t.section)),
            "image" => once(&self.image, &|| ser(&t.image)),
            "published_at" => once(&self.published_at, &|| ser(&t.published_at)),
            "updated_at" => once(&self.updated_at, &|| ser(&t.updated_at)),
            "comment_count" => Value::from(t.comment_count),
            "story" => once(&self.story, &|| StoryValue::value(Arc::clone(&self.page))),
            "tags" => once(&self.tags, &|| ser(&page.tags)),
            "comments" => once(&self.comments, &|| ser(&page.comments)),
            "comments_open" => Value::from(page.comments_open),
            _ => return None,
        })
    }
}

impl Object for ArticleValue {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Map
    }

    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        self.field(key.as_str()?)
    }

    fn get_value_by_str(self: &Arc<Self>, key: &str) -> Option<Value> {
        self.field(key)
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        Enumerator::Str(KEYS)
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(KEYS.len())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};
    use masthead_core::{
        ArticleId, ArticleKind, AuthorId, Decision, MediaId, NoteKind, Outcome, RoundupItem,
        SectionId, Slug,
    };
    use masthead_store::{
        ArticleFields, Byline, Image, KindParts, Meeting, NameRef, Note, PublicComment, Teaser,
    };

    fn name(slug: &str, name: &str) -> NameRef {
        NameRef {
            slug: slug.into(),
            name: name.into(),
        }
    }

    /// A page with every field set, one with every optional field empty, and a video and a
    /// meeting brief (the story's map has each kind's own key).
    fn pages() -> [ArticlePage; 4] {
        let at = Utc.with_ymd_and_hms(2026, 12, 5, 6, 30, 0).unwrap();
        let full = ArticlePage {
            teaser: Teaser {
                id: ArticleId(42),
                kind: ArticleKind::Roundup,
                label: ArticleKind::Roundup.label(),
                title: "Council <votes> & \"more\"".into(),
                slug: "council-votes".into(),
                summary: "The council voted.".into(),
                excerpt: "It voted twice.".into(),
                byline: Byline {
                    authors: vec![name("ann", "Ann"), name("bo", "Bo")],
                    text: String::new(),
                    source: "Prairie State Wire".into(),
                },
                section: name("news", "News"),
                image: Some(Image {
                    storage_name: "a.jpg".into(),
                    alt: "The hall".into(),
                    credit: "Ann".into(),
                    width: 1200,
                    height: 800,
                    variants: vec![480, 960],
                    focus_x: 40,
                    focus_y: 60,
                    card_name: "a-card.jpg".into(),
                }),
                published_at: at,
                updated_at: Some(at + chrono::Duration::hours(2)),
                comment_count: 2,
            },
            body_html: "<p>Body</p>".into(),
            story: ArticleFields {
                parts: KindParts::Roundup {
                    items: vec![RoundupItem {
                        headline: "One".into(),
                        body_html: "<p>One</p>".into(),
                        body_md: String::new(),
                    }],
                },
                image_caption: "The hall at night".into(),
                notes: vec![Note {
                    kind: NoteKind::Correction,
                    text: "Fixed a name.".into(),
                    at,
                }],
                source_url: "https://example.org/original".into(),
                ..ArticleFields::news(
                    "Council",
                    Slug::parse("council-votes").unwrap(),
                    SectionId(1),
                )
            },
            tags: vec![name("council", "Council"), name("budget", "Budget")],
            comments: vec![
                PublicComment {
                    id: 1,
                    parent: None,
                    name: "Cy".into(),
                    website: "https://cy.example".into(),
                    body: "Good.".into(),
                    at: 1,
                },
                PublicComment {
                    id: 2,
                    parent: Some(1),
                    name: "Di".into(),
                    website: String::new(),
                    body: "Agreed.".into(),
                    at: 2,
                },
            ],
            comments_open: true,
        };
        let mut empty = full.clone();
        empty.teaser.kind = ArticleKind::News;
        empty.teaser.label = None;
        empty.teaser.summary = String::new();
        empty.teaser.byline = Byline {
            authors: Vec::new(),
            text: "Jo Wire".into(),
            source: String::new(),
        };
        empty.teaser.image = None;
        empty.teaser.updated_at = None;
        empty.teaser.comment_count = 0;
        empty.story = ArticleFields::news(
            "Council",
            Slug::parse("council-votes").unwrap(),
            SectionId(1),
        );
        empty.tags.clear();
        empty.comments.clear();
        empty.comments_open = false;
        let mut video = full.clone();
        video.story.parts = KindParts::Video {
            video_url: "https://www.youtube-nocookie.com/embed/abc".into(),
        };
        let mut brief = empty.clone();
        brief.story.parts = KindParts::MeetingBrief {
            meeting: Meeting {
                body: "Village Board".into(),
                date: at.date_naive(),
                decisions: vec![Decision {
                    motion: "Pave Elm Street".into(),
                    vote: "5-2".into(),
                    outcome: Outcome::Passed,
                }],
            },
        };
        brief.story.authors = vec![AuthorId(3)];
        brief.story.tags = vec!["roads".into()];
        brief.story.image = Some(MediaId(9));
        brief.story.source_canonical = true;
        [full, empty, video, brief]
    }

    #[test]
    fn the_article_value_is_the_serialised_page_key_by_key() {
        for page in pages() {
            let whole = ser(&page);
            let lazy = ArticleValue::value(page);
            let keys = |v: &Value| -> Vec<String> {
                v.try_iter()
                    .unwrap()
                    .map(|k| k.as_str().unwrap().to_owned())
                    .collect()
            };
            assert_eq!(
                keys(&lazy),
                keys(&whole),
                "the same keys, in the same order"
            );
            for key in keys(&whole) {
                let want = whole.get_attr(&key).unwrap();
                // Twice: the second read of a nested part comes from its kept copy.
                for _ in 0..2 {
                    let got = lazy.get_attr(&key).unwrap();
                    assert_eq!(got, want, "a.{key}");
                    assert_eq!(got.to_string(), want.to_string(), "a.{key} as text");
                }
            }
            assert!(
                lazy.get_attr("body_html").unwrap().is_undefined(),
                "no second copy of the body"
            );
            assert!(lazy.get_attr("nothing").unwrap().is_undefined());
            assert_eq!(lazy.len(), whole.len());
            assert_eq!(
                lazy.to_string(),
                whole.to_string(),
                "printed whole, as a theme might"
            );
        }
    }
}
