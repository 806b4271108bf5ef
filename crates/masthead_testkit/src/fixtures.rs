//! Fixture builders: a small newsroom desk and articles built field by field.

use chrono::{DateTime, Duration, TimeZone, Utc};
use masthead_core::Role;
use masthead_core::{ArticleKind, ArticleStatus, AuthorId, MediaId, SectionId, Slug};
use masthead_desk::{Command, Imported, SaveOutcome, Staff};
use masthead_store::{
    Actor, ArticleFields, KindParts, Meeting, NewMedia, NewUser, Note, Placement, Store,
};

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

/// Builds a story for `masthead_desk::import`, published an hour before [`t0`] unless
/// told otherwise: fixtures go through the same rules as every other writer of stories.
pub struct ArticleBuilder(Imported);

impl ArticleBuilder {
    pub fn new(title: &str, section: SectionId) -> Self {
        let body =
            format!("{title}. The village board met on Tuesday and talked at length about it.");
        ArticleBuilder(Imported {
            fields: ArticleFields {
                body_md: body,
                ..ArticleFields::news(title, Slug::from_title(title), section)
            },
            placement: Placement {
                status: ArticleStatus::Published,
                published_at: Some(t0() - Duration::hours(1)),
                updated_at: None,
            },
        })
    }

    pub fn slug(mut self, slug: &str) -> Self {
        self.0.fields.slug = Slug::parse(slug).expect("slug");
        self
    }
    /// Sets the kind, with empty kind-specific parts (see `video`, `meeting`, `items`).
    pub fn kind(mut self, kind: ArticleKind) -> Self {
        self.0.fields.parts = KindParts::empty(kind);
        self
    }
    pub fn status(mut self, status: ArticleStatus) -> Self {
        self.0.placement.status = status;
        self
    }
    pub fn published(mut self, at: DateTime<Utc>) -> Self {
        self.0.placement.published_at = Some(at);
        self
    }
    pub fn draft(mut self) -> Self {
        self.0.placement.status = ArticleStatus::Draft;
        self.0.placement.published_at = None;
        self
    }
    pub fn updated(mut self, at: DateTime<Utc>) -> Self {
        self.0.placement.updated_at = Some(at);
        self
    }
    pub fn author(mut self, author: AuthorId) -> Self {
        self.0.fields.authors.push(author);
        self
    }
    pub fn wire(mut self, writer: &str, wire: &str, original: &str, canonical: bool) -> Self {
        self.0.fields.byline = writer.to_owned();
        self.0.fields.source_name = wire.to_owned();
        self.0.fields.source_url = original.to_owned();
        self.0.fields.source_canonical = canonical;
        self
    }
    pub fn summary(mut self, summary: &str) -> Self {
        self.0.fields.summary = summary.to_owned();
        self
    }
    pub fn body(mut self, md: &str) -> Self {
        self.0.fields.body_md = md.to_owned();
        self
    }
    pub fn tag(mut self, tag: &str) -> Self {
        self.0.fields.tags.push(tag.to_owned());
        self
    }
    pub fn image(mut self, image: MediaId, caption: &str) -> Self {
        self.0.fields.image = Some(image);
        self.0.fields.image_caption = caption.to_owned();
        self
    }
    pub fn video(mut self, url: &str) -> Self {
        self.0.fields.parts = KindParts::Video {
            video_url: url.to_owned(),
        };
        self
    }
    pub fn meeting(mut self, meeting: Meeting) -> Self {
        self.0.fields.parts = KindParts::MeetingBrief { meeting };
        self
    }
    pub fn items(mut self, items: Vec<masthead_core::RoundupItem>) -> Self {
        self.0.fields.parts = KindParts::Roundup { items };
        self
    }
    pub fn note(mut self, note: Note) -> Self {
        self.0.fields.notes.push(note);
        self
    }
    pub fn build(self) -> Imported {
        self.0
    }
    /// Saves it through the desk's rules, returning its id.
    pub async fn insert(self, store: &Store) -> masthead_core::ArticleId {
        insert_all(store, vec![self.0]).await.remove(0)
    }
}

/// Records a library image `storage_name` (a JPEG, `width`×`height`, no resized copies)
/// described by `alt`, credited to the Courier, as an upload would; the file itself is not
/// written.
pub async fn insert_image(
    store: &Store,
    storage_name: &str,
    alt: &str,
    (width, height): (i64, i64),
) -> MediaId {
    let media = NewMedia {
        storage_name: storage_name.into(),
        original_name: storage_name.into(),
        content_type: "image/jpeg".into(),
        width,
        height,
        byte_size: 10,
        alt: alt.into(),
        credit: "Courier photo".into(),
        uploaded_by: None,
        variants: Vec::new(),
    };
    store
        .insert_media(&media, t0())
        .await
        .expect("insert media")
}

/// Saves stories through the desk's rules in one transaction, two days before [`t0`],
/// returning their ids.
pub async fn insert_all(store: &Store, stories: Vec<Imported>) -> Vec<masthead_core::ArticleId> {
    insert_all_at(store, stories, t0() - Duration::days(2)).await
}

/// Like [`insert_all`], saved at `now` (the desk lists sort by the time of the last save).
pub async fn insert_all_at(
    store: &Store,
    stories: Vec<Imported>,
    now: DateTime<Utc>,
) -> Vec<masthead_core::ArticleId> {
    masthead_desk::import(store, stories, &Actor::system("fixtures"), now)
        .await
        .expect("insert stories")
}

/// An editor account for fixtures that change stories through the desk (created once per
/// database).
pub async fn fixture_editor(store: &Store) -> Staff {
    let email = "fixtures@example.org";
    let user = match store.credentials(email).await.expect("credentials") {
        Some(found) => found.user,
        None => {
            let new = NewUser {
                email: email.into(),
                name: "Fixture Editor".into(),
                role: Role::Editor,
                password_hash: "$argon2id$fixture".into(),
            };
            let actor = Actor::system("fixtures");
            let id = store
                .create_user(&new, &actor, t0() - Duration::days(3))
                .await
                .expect("fixture editor");
            store.user(id).await.expect("fixture editor")
        }
    };
    Staff {
        user,
        role: Role::Editor,
    }
}

/// Changes story `id` with `edit` and applies `command`, at `now`, through the desk's
/// rules as an editor: how tests publish, unpublish, schedule, rename and edit stories.
pub async fn change_story(
    store: &Store,
    id: masthead_core::ArticleId,
    command: Command,
    now: DateTime<Utc>,
    edit: impl FnOnce(&mut ArticleFields),
) {
    let editor = fixture_editor(store).await;
    let current = store.desk_article(id).await.expect("story");
    let mut fields = current.fields;
    edit(&mut fields);
    let outcome = masthead_desk::save(store, &editor, id, current.version, fields, command, now)
        .await
        .expect("change story");
    assert!(matches!(outcome, SaveOutcome::Saved { .. }), "{outcome:?}");
}
