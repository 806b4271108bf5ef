//! The article page's `a.story`: the story's fields as a template map, each made when a
//! template asks for it. Serialising all of [`ArticleFields`] (sixteen fields, the kind's
//! parts flattened in, every key hashed into a map) was 4% of an uncached article page's
//! instructions (callgrind), for the four fields the built-in theme reads. Themes see the
//! same map as `ser(&page.story)`: the same keys in the same order, the same values (a test
//! holds it to `ser`, key by key, for every kind).

use masthead_render::{Enumerator, Object, ObjectRepr, Value, ser};
use masthead_store::{ArticlePage, KindParts};
use std::sync::{Arc, OnceLock};

/// The keys after the kind's own (`kind`, then `video_url`, `items` or `meeting`).
const FIELD_KEYS: &[&str] = &[
    "title",
    "slug",
    "summary",
    "body_md",
    "byline",
    "authors",
    "source_name",
    "source_url",
    "source_canonical",
    "section",
    "tags",
    "image",
    "image_caption",
    "notes",
];

/// A story's fields as a template map; see the module's comment.
#[derive(Debug)]
pub(crate) struct StoryValue {
    page: Arc<ArticlePage>,
    /// The kind's nested part (items or meeting) and the notes, serialised once.
    part: OnceLock<Value>,
    notes: OnceLock<Value>,
}

impl StoryValue {
    /// `page.story` as a template value.
    pub(crate) fn value(page: Arc<ArticlePage>) -> Value {
        Value::from_object(StoryValue {
            page,
            part: OnceLock::new(),
            notes: OnceLock::new(),
        })
    }

    /// The kind's own key after `kind`, if it has one.
    fn part_key(&self) -> Option<&'static str> {
        match self.page.story.parts {
            KindParts::News | KindParts::Opinion => None,
            KindParts::Video { .. } => Some("video_url"),
            KindParts::Roundup { .. } => Some("items"),
            KindParts::MeetingBrief { .. } => Some("meeting"),
        }
    }

    /// The field `key`, as `ser(&page.story)` has it; `None` for a key it does not have.
    fn field(&self, key: &str) -> Option<Value> {
        let s = &self.page.story;
        let text = |t: &str| Value::from(t);
        Some(match key {
            "kind" => text(s.parts.kind().as_str()),
            _ if Some(key) == self.part_key() => self
                .part
                .get_or_init(|| match &s.parts {
                    KindParts::Video { video_url } => text(video_url),
                    KindParts::Roundup { items } => ser(items),
                    KindParts::MeetingBrief { meeting } => ser(meeting),
                    KindParts::News | KindParts::Opinion => Value::UNDEFINED,
                })
                .clone(),
            "title" => text(&s.title),
            "slug" => text(s.slug.as_str()),
            "summary" => text(&s.summary),
            "body_md" => text(&s.body_md),
            "byline" => text(&s.byline),
            "authors" => ser(&s.authors),
            "source_name" => text(&s.source_name),
            "source_url" => text(&s.source_url),
            "source_canonical" => Value::from(s.source_canonical),
            "section" => ser(&s.section),
            "tags" => ser(&s.tags),
            "image" => ser(&s.image),
            "image_caption" => text(&s.image_caption),
            "notes" => self.notes.get_or_init(|| ser(&s.notes)).clone(),
            _ => return None,
        })
    }
}

impl Object for StoryValue {
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
        let keys = std::iter::once("kind")
            .chain(self.part_key())
            .chain(FIELD_KEYS.iter().copied());
        Enumerator::Iter(Box::new(keys.map(Value::from)))
    }

    fn enumerator_len(self: &Arc<Self>) -> Option<usize> {
        Some(1 + usize::from(self.part_key().is_some()) + FIELD_KEYS.len())
    }
}
