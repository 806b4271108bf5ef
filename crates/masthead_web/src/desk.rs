//! The desk's rules for articles, shared by the admin pages and the JSON API: who may do
//! what (checked here, on every path), what a valid article is, rendering its Markdown, and
//! the status change each command makes.

use crate::{AppState, WebError};
use chrono::{DateTime, Utc};
use masthead_core::InvalidInput;
use masthead_core::password::Password;
use masthead_core::{
    ArticleAction, ArticleId, ArticleKind, ArticleStatus, Role, SiteAction, Slug, VideoUrl, WebUrl,
};
use masthead_render::{article_text, images_without_alt, render_markdown};
use masthead_store::{
    Actor, ArticleFields, DeskArticle, MediaItem, RenderedText, SaveOutcome, Transition, User,
};

/// A logged-in staff member (or an API token's owner) and the role the request acts with.
#[derive(Debug, Clone)]
pub struct Staff {
    /// The account.
    pub user: User,
    /// The role in effect: the account's, or narrower for a scoped API token.
    pub role: Role,
}

impl Staff {
    /// The actor recorded in the audit log.
    pub fn actor(&self) -> Actor {
        Actor::user(self.user.id, &self.user.name)
    }

    /// Whether this staff member may do `action` to `article`.
    pub fn can(&self, action: ArticleAction, article: &DeskArticle) -> bool {
        let own = article.owner == Some(self.user.id);
        masthead_core::can(self.role, action, own, article.status)
    }

    /// Whether this staff member may change `item`'s alt text and credit.
    pub fn can_edit_media(&self, item: &MediaItem) -> bool {
        let own = item.uploaded_by == Some(self.user.id);
        masthead_core::can_edit_media(self.role, own)
    }

    /// Refuses unless the role allows the site-wide `action`.
    pub fn require(&self, action: SiteAction) -> Result<(), WebError> {
        if masthead_core::can_site(self.role, action) {
            Ok(())
        } else {
            Err(WebError::Forbidden(format!(
                "Your role ({}) does not allow this. Ask an admin if you need it.",
                self.role
            )))
        }
    }
}

/// What a save does besides storing the fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// Store the fields; the status stays.
    Save,
    /// Store and send to the editors for review.
    Submit,
    /// Store and publish now.
    Publish,
    /// Store and publish at the given time.
    Schedule(DateTime<Utc>),
    /// Store and take down from the site.
    Unpublish,
}

impl Command {
    fn action(self) -> ArticleAction {
        match self {
            Command::Save => ArticleAction::Edit,
            Command::Submit => ArticleAction::Submit,
            Command::Publish | Command::Schedule(_) => ArticleAction::Publish,
            Command::Unpublish => ArticleAction::Unpublish,
        }
    }
}

const MAX_TITLE: usize = 300;
const MAX_TEXT: usize = 200_000;

/// Trims the fields and checks them; the error names the field and the fix.
pub fn validate(fields: &mut ArticleFields) -> Result<(), WebError> {
    let bad = |m: &str| Err(WebError::Unprocessable(m.to_owned()));
    fields.title = fields.title.trim().to_owned();
    fields.summary = fields.summary.trim().to_owned();
    fields.byline = fields.byline.trim().to_owned();
    fields.video_url = fields.video_url.trim().to_owned();
    fields.source_url = fields.source_url.trim().to_owned();
    fields.tags.retain(|t| !t.trim().is_empty());
    if fields.title.is_empty() {
        return bad("Headline: write a headline before saving.");
    }
    if fields.title.chars().count() > MAX_TITLE {
        return bad("Headline: keep it under 300 characters.");
    }
    if fields.body_md.len() > MAX_TEXT || fields.summary.len() > 2_000 {
        return bad("Body: the story is too long to save (200,000 characters at most).");
    }
    if fields.tags.len() > 30 {
        return bad("Tags: use at most 30 tags.");
    }
    // A field the editor can fix: shown with the form (422), not as a bad request.
    let unfit = |e: InvalidInput| WebError::Unprocessable(format!("{e}."));
    fields.source_url = WebUrl::parse_optional("Source address", &fields.source_url)
        .map_err(unfit)?
        .map(|u| u.to_string())
        .unwrap_or_default();
    if !fields.video_url.is_empty() {
        // Any accepted page address becomes the host's privacy-enhanced player address.
        fields.video_url = VideoUrl::parse(&fields.video_url)
            .map_err(unfit)?
            .into_string();
    }
    match fields.kind {
        ArticleKind::Video if fields.video_url.is_empty() => {
            return bad("Video address: a video post needs the address of its player.");
        }
        ArticleKind::MeetingBrief => match &fields.meeting {
            Some(m) if !m.body.trim().is_empty() => {}
            _ => return bad("Meeting: a meeting brief needs the public body and the date it met."),
        },
        ArticleKind::Roundup if fields.items.is_empty() => {
            return bad("Roundup items: add at least one item with a headline.");
        }
        _ => {}
    }
    if fields.kind != ArticleKind::MeetingBrief {
        fields.meeting = None;
    }
    if fields.kind != ArticleKind::Roundup {
        fields.items.clear();
    }
    Ok(())
}

/// Refuses to publish a body or roundup item with an image that has no alt text.
fn check_body_images(fields: &ArticleFields) -> Result<(), WebError> {
    let texts = std::iter::once(&fields.body_md).chain(fields.items.iter().map(|i| &i.body_md));
    for md in texts {
        if let Some(url) = images_without_alt(md).first() {
            return Err(WebError::Unprocessable(format!(
                "Body: the image {url} has no alt text; describe it between the brackets, \
                 as in ![Shoppers at the market]({url}), before publishing."
            )));
        }
    }
    Ok(())
}

/// Renders the fields' Markdown: the body (with its excerpt) and each roundup item.
pub fn render(fields: &mut ArticleFields) -> RenderedText {
    for item in &mut fields.items {
        item.body_html = render_markdown(&item.body_md);
    }
    let text = article_text(&fields.body_md);
    RenderedText {
        body_html: text.html,
        excerpt: text.excerpt,
    }
}

/// The article, if this staff member may see it; otherwise "not found", so an id reveals
/// nothing.
pub async fn load(state: &AppState, staff: &Staff, id: ArticleId) -> Result<DeskArticle, WebError> {
    let article = state.store.desk_article(id).await?;
    if staff.can(ArticleAction::View, &article) {
        Ok(article)
    } else {
        Err(WebError::NotFound)
    }
}

/// Starts a new draft owned by `staff`.
pub async fn create(
    state: &AppState,
    staff: &Staff,
    mut fields: ArticleFields,
) -> Result<ArticleId, WebError> {
    staff.require(SiteAction::CreateArticle)?;
    validate(&mut fields)?;
    let text = render(&mut fields);
    let now = state.clock.now();
    Ok(state
        .store
        .create_article(&fields, &text, staff.user.id, &staff.actor(), now)
        .await?)
}

/// Saves `fields` over version `base_version` and applies `command`, after checking that
/// this staff member may.
pub async fn save(
    state: &AppState,
    staff: &Staff,
    id: ArticleId,
    base_version: i64,
    mut fields: ArticleFields,
    command: Command,
) -> Result<SaveOutcome, WebError> {
    let current = load(state, staff, id).await?;
    let action = command.action();
    if !staff.can(ArticleAction::Edit, &current) || !staff.can(action, &current) {
        return Err(WebError::Forbidden(forbidden_message(
            staff.role,
            action,
            current.status,
        )));
    }
    validate(&mut fields)?;
    if matches!(command, Command::Publish | Command::Schedule(_)) {
        check_body_images(&fields)?;
    }
    let text = render(&mut fields);
    let now = state.clock.now();
    let transition = match command {
        Command::Save => None,
        Command::Submit => Some(Transition {
            status: ArticleStatus::Review,
            published_at: None,
        }),
        Command::Publish => Some(Transition {
            status: ArticleStatus::Published,
            // A story published before keeps its first publication time.
            published_at: Some(match (current.status, current.published_at) {
                (ArticleStatus::Published | ArticleStatus::Unpublished, Some(at)) if at <= now => {
                    at
                }
                _ => now,
            }),
        }),
        Command::Schedule(at) => {
            if at <= now {
                return Err(WebError::Unprocessable(
                    "Publish time: choose a time in the future, or use Publish now.".into(),
                ));
            }
            Some(Transition {
                status: ArticleStatus::Scheduled,
                published_at: Some(at),
            })
        }
        Command::Unpublish => Some(Transition {
            status: ArticleStatus::Unpublished,
            published_at: None,
        }),
    };
    Ok(state
        .store
        .save_article(
            id,
            base_version,
            &fields,
            &text,
            transition,
            &staff.actor(),
            now,
        )
        .await?)
}

fn forbidden_message(role: Role, action: ArticleAction, status: ArticleStatus) -> String {
    match (role, action) {
        (Role::Contributor, ArticleAction::Publish | ArticleAction::Unpublish) => {
            "Contributors cannot publish. Submit the story for review and an editor will publish it.".into()
        }
        (Role::Contributor, _) if !matches!(status, ArticleStatus::Draft | ArticleStatus::Review) => {
            "This story has been published; ask an editor to change it.".into()
        }
        _ => format!("Your role ({role}) does not allow this on a {status} story."),
    }
}

/// The name and slug of a new section or byline profile: the name trimmed and at most 100
/// characters, the slug as given or made from the name. `field` names the name's field in
/// the error.
pub fn name_and_slug(
    name: &str,
    slug: Option<&str>,
    field: &str,
) -> Result<(String, Slug), WebError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(WebError::Unprocessable(format!("{field}: write a name.")));
    }
    if name.chars().count() > 100 {
        return Err(WebError::Unprocessable(format!(
            "{field}: keep it under 100 characters."
        )));
    }
    let slug = match slug.map(str::trim) {
        Some(s) if !s.is_empty() => {
            Slug::parse(s).map_err(|e| WebError::Unprocessable(format!("Slug: {}.", e.message)))?
        }
        _ => Slug::from_title(name),
    };
    Ok((name.to_owned(), slug))
}

/// Hashes a password on the blocking pool, within the cap on password work (Argon2id takes
/// tens of milliseconds of CPU and 19 MiB).
pub async fn hash_password(state: &AppState, password: Password) -> Result<String, WebError> {
    state
        .password_work()
        .run(move |_| masthead_core::password::hash_password(&password))
        .await?
        .map_err(|e| WebError::internal("hashing a password", e))
}
