//! The desk's story pages: the dashboard, the editor (new, edit, save with
//! any status change, the way to a preview and back, a summary suggested from the story's
//! own sentences), conflicts, and a draft restored after a new login.

use super::csrf::Csrf;
use super::desk_user::DeskUser;
use super::form::{self, FormData, Intent};
use super::view;
use crate::desk::{self, Command, Staff};
use crate::{AppState, WebError};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use masthead_core::{ArticleAction, ArticleId, ArticleKind, ArticleStatus, Role};
use masthead_desk::SaveOutcome;
use masthead_render::{Value, context, ser};
use masthead_store::{DeskArticle, MediaItem};
use serde::{Deserialize, Serialize};

/// `GET /admin`: drafts, stories in review, scheduled and recently published.
pub async fn dashboard(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
) -> Result<Response, WebError> {
    let owner = (!staff.role.at_least(Role::Editor)).then_some(staff.user.id);
    let list = |status| state.store.desk_list(Some(status), owner, 10, 0);
    let ctx = context! {
        drafts => ser(&list(ArticleStatus::Draft).await?),
        review => ser(&list(ArticleStatus::Review).await?),
        scheduled => ser(&list(ArticleStatus::Scheduled).await?),
        published => ser(&list(ArticleStatus::Published).await?),
        waiting => super::review::waiting(&state, &staff).await?,
        wire_waiting => match super::wire::require_editor(&staff) {
            Ok(()) => Some(super::wire_inbox::waiting(&state).await?),
            Err(_) => None,
        },
        comment_counts => match staff.require(masthead_core::SiteAction::ModerateComments) {
            Ok(()) => Some(ser(&state.store.comment_counts().await?)),
            Err(_) => None,
        },
    };
    view::page(&state, &staff, &csrf, "dashboard.html", ctx)
}

/// What the editor page shows besides the form.
#[derive(Default)]
struct Extras {
    article: Option<DeskArticle>,
    error: Option<String>,
    notice: Option<String>,
    conflict: Option<Value>,
    /// Publishing was held because the headings will not show as typed.
    headings_held: bool,
    /// Text this staff member autosaved beside the story on the site, offered back.
    kept: Option<Value>,
    /// The summary box holds a suggestion, not saved yet.
    summary_suggested: bool,
}

async fn editor(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    form: &FormData,
    extras: Extras,
    status: StatusCode,
) -> Result<Response, WebError> {
    let sections = state.store.sections().await?;
    let authors = state.store.authors().await?;
    let media = state.store.list_media(200, 0).await?;
    let article = extras.article.as_ref();
    // The buttons ask the rule the save itself asks (`Staff::may`), so a role is offered
    // only what its press would be allowed to do.
    let may = |action| staff.may(action, article);
    let live = article.is_some_and(|a| {
        matches!(
            a.status,
            ArticleStatus::Published | ArticleStatus::Scheduled
        )
    });
    let outline = masthead_render::outline(form.get("body_md"), 1);
    // A wire story's licence may lock its headline or body: shown read-only here, and
    // refused by the desk's save whatever is posted.
    let locks = match article {
        Some(a) => state.store.wire_locks(a.id).await?.filter(|l| l.any()),
        None => None,
    };
    // A meeting brief drafted from a record: the way to check it, and whether it may publish.
    let brief = match article {
        Some(a) => state.store.meeting_brief(a.id).await?,
        None => None,
    };
    let ctx = context! {
        brief_signed => brief.map(|b| b.signed_off_at.is_some()),
        outline_moved => outline.iter().any(|h| h.written != h.shown),
        locks => locks.as_ref().map(ser),
        outline => ser(&outline),
        headings_held => extras.headings_held,
        form => form.value(),
        id => article.map(|a| a.id.0),
        article_status => article.map(|a| a.status.as_str()).unwrap_or("draft"),
        slug => article.map(|a| a.fields.slug.as_str().to_owned()),
        live,
        notes => article.map(|a| ser(&a.fields.notes)),
        review => super::review::panel(state, staff, article).await?,
        kinds => form::kinds(),
        sections => ser(&sections),
        authors => ser(&authors),
        media => ser(&media.iter().map(LeadTile::from).collect::<Vec<_>>()),
        max_alt => crate::media_library::MAX_ALT,
        max_caption => crate::media_library::MAX_CAPTION,
        can_save => may(ArticleAction::Edit),
        can_publish => may(ArticleAction::Publish),
        // Not for a story on the site: the rule refuses it (it would take the story down).
        can_schedule => may(ArticleAction::Publish)
            && masthead_desk::may_schedule(article, state.clock.now()),
        can_unpublish => live && may(ArticleAction::Unpublish),
        can_submit => may(ArticleAction::Submit),
        error => extras.error,
        notice => extras.notice,
        conflict => extras.conflict,
        kept => extras.kept,
        summary_suggested => extras.summary_suggested,
        timezone => state.config().timezone.name(),
        comments_open => match article {
            Some(a) if live => Some(state.store.comments_open(a.id).await?),
            _ => None,
        },
        imported => match article {
            Some(a) => super::imports::imported(state, a.id).await?,
            None => None,
        },
    };
    view::page_with_status(state, staff, csrf, "edit.html", ctx, status)
}

/// One image in the editor's lead-image grid.
#[derive(Serialize)]
struct LeadTile<'a> {
    id: i64,
    thumb: String,
    alt: &'a str,
    caption: &'a str,
    name: &'a str,
    /// The focal point rounded to the tenths the stylesheet has classes for.
    focus: String,
    /// Lower-case words the search box matches.
    words: String,
}

impl<'a> From<&'a MediaItem> for LeadTile<'a> {
    fn from(item: &'a MediaItem) -> Self {
        let name = if item.original_name.is_empty() {
            &item.storage_name
        } else {
            &item.original_name
        };
        LeadTile {
            id: item.id.0,
            thumb: super::media::thumb_of(item).0,
            alt: &item.alt,
            caption: &item.caption,
            name,
            focus: focus_classes(item.focus_x, item.focus_y),
            words: format!("{} {} {}", item.alt, item.caption, name).to_lowercase(),
        }
    }
}

/// The classes that crop an image with CSS around its focal point (`object-position` by
/// class, as the CSP allows no inline styles), in steps of ten percent.
pub(super) fn focus_classes(x: i64, y: i64) -> String {
    let step = |v: i64| (v.clamp(0, 100) + 5) / 10 * 10;
    format!("fx-{} fy-{}", step(x), step(y))
}

/// `GET /admin/articles/new`
pub async fn new(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
) -> Result<Response, WebError> {
    let mut form = FormData::parse(b"kind=news&version=0");
    if let Some(author) = staff.user.author {
        form = FormData::parse(format!("kind=news&version=0&authors={}", author.0).as_bytes());
    }
    editor(
        &state,
        &staff,
        &csrf,
        &form,
        Extras::default(),
        StatusCode::OK,
    )
    .await
}

/// `GET /admin/articles/{id}`
pub async fn edit(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let article = desk::load(&state, &staff, ArticleId(id)).await?;
    let tz = state.config().timezone;
    let mut form = form::from_fields(&article.fields, article.version, article.published_at, tz);
    let mut notice = q.notice();
    let mut kept = None;
    if let Some(autosave) = state.store.autosave(article.id, staff.user.id).await? {
        let at = autosave.saved_at.with_timezone(&tz).format("%-d %b %H:%M");
        if q.autosave == "restore" {
            // Into the form only: nothing is saved until a button is pressed. The form keeps
            // the version it was typed over, so a save after someone else's shows both.
            form = FormData::parse(autosave.form.as_bytes());
            notice = Some(format!(
                "Your text autosaved at {at} is in the form below. It is not on the site until you press Save."
            ));
        } else {
            kept = Some(context! {
                at => at.to_string(),
                stale => autosave.base_version != article.version,
            });
        }
    }
    let extras = Extras {
        article: Some(article),
        notice,
        kept,
        ..Extras::default()
    };
    editor(&state, &staff, &csrf, &form, extras, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    #[serde(default)]
    saved: String,
    /// `restore`: fill the form with the text autosaved beside the story.
    #[serde(default)]
    autosave: String,
}

impl NoticeQuery {
    fn notice(&self) -> Option<String> {
        match self.saved.as_str() {
            "" => None,
            "draft" | "save" => Some("Saved.".into()),
            "review" => Some("Submitted for review. An editor will take it from here.".into()),
            "published" => Some("Published. It is on the site now.".into()),
            "scheduled" => Some("Scheduled. It will appear at its publish time.".into()),
            "unpublished" => Some("Taken down from the site.".into()),
            "sent_back" => Some("Sent back to the writer with your note.".into()),
            _ => Some("Saved.".into()),
        }
    }
}

/// `POST /admin/articles/new`
pub async fn create(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    body: Bytes,
) -> Result<Response, WebError> {
    let form = FormData::parse(&body);
    submit(&state, &staff, &csrf, None, form).await
}

/// `POST /admin/articles/{id}`
pub async fn save(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let article = desk::load(&state, &staff, ArticleId(id)).await?;
    let form = FormData::parse(&body);
    submit(&state, &staff, &csrf, Some(article), form).await
}

/// Handles the editor's buttons; any failure shows the form again exactly as typed.
async fn submit(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    article: Option<DeskArticle>,
    form: FormData,
) -> Result<Response, WebError> {
    let tz = state.config().timezone;
    let now = state.clock.now();
    let again = |article, error: String, status| {
        let extras = Extras {
            article,
            error: Some(error),
            ..Extras::default()
        };
        editor(state, staff, csrf, &form, extras, status)
    };
    let intent = match form::intent(&form, tz) {
        Ok(i) => i,
        Err(e) => return again(article, e, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let command = match intent {
        Intent::Save(command) => command,
        // Back from a preview: the editor again with the posted text, nothing saved.
        Intent::Edit => {
            let extras = Extras {
                article,
                notice: Some("Back from the preview. Nothing has been saved yet.".into()),
                ..Extras::default()
            };
            return editor(state, staff, csrf, &form, extras, StatusCode::OK).await;
        }
        // Nothing is saved: the form again with a summary chosen from the story's sentences.
        Intent::SuggestSummary => {
            let (form, extras, status) = with_suggested_summary(form, article);
            return editor(state, staff, csrf, &form, extras, status).await;
        }
        // Nothing is saved: the page as readers would see it (see `admin::preview`).
        Intent::Preview => {
            return match form::to_fields(&form, now) {
                Ok(fields) => {
                    super::preview::show(state, staff, csrf, article.as_ref(), &form, fields).await
                }
                Err(e) => again(article, e, StatusCode::UNPROCESSABLE_ENTITY).await,
            };
        }
    };
    let fields = match form::to_fields(&form, now) {
        Ok(f) => f,
        Err(e) => return again(article, e, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let publishing = matches!(command, Command::Publish | Command::Schedule(_));
    if publishing
        && form.get("headings_ok") != "on"
        && let Some(error) = headings_moved(&fields)
    {
        let extras = Extras {
            article,
            error: Some(error),
            headings_held: true,
            ..Extras::default()
        };
        return editor(
            state,
            staff,
            csrf,
            &form,
            extras,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let Some(article) = article else {
        // A new story and its status change are saved together, or not at all.
        return match desk::create(state, staff, fields, command).await {
            Ok(id) => Ok(saved_redirect(id, command)),
            Err(e) => failed(e, |m, s| again(None, m, s)).await,
        };
    };
    let base: i64 = form.get("version").parse().unwrap_or(0);
    apply(state, staff, csrf, article, base, fields, command, &form).await
}

#[allow(clippy::too_many_arguments, reason = "the editor's whole state")]
async fn apply(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    article: DeskArticle,
    base: i64,
    fields: masthead_store::ArticleFields,
    command: Command,
    form: &FormData,
) -> Result<Response, WebError> {
    let id = article.id;
    match desk::save(state, staff, id, base, fields, command).await {
        Ok(SaveOutcome::Saved { .. }) => Ok(saved_redirect(id, command)),
        Ok(SaveOutcome::Conflict(current)) => {
            // Keep the editor's text, show the stored version beside it, and move the form
            // to the stored version so a deliberate second save goes through.
            let mut pairs = form.clone().value_pairs();
            for pair in &mut pairs {
                if pair.0 == "version" {
                    pair.1 = current.version.to_string();
                }
            }
            let mine = FormData::from_pairs(pairs);
            let conflict = context! {
                version => current.version,
                title => &current.fields.title,
                body_md => &current.fields.body_md,
                summary => &current.fields.summary,
                saved_at => current.modified_at.to_rfc3339(),
            };
            let extras = Extras {
                article: Some(*current),
                error: Some(
                    "Someone else saved this story while you were editing. Nothing was overwritten: \
                     their version is shown beside yours. Merge what you need into the form and save again."
                        .into(),
                ),
                conflict: Some(conflict),
                ..Extras::default()
            };
            editor(state, staff, csrf, &mine, extras, StatusCode::CONFLICT).await
        }
        Err(e) => {
            failed(e, |m, s| {
                let extras = Extras {
                    article: Some(article.clone()),
                    error: Some(m),
                    ..Extras::default()
                };
                editor(state, staff, csrf, form, extras, s)
            })
            .await
        }
    }
}

/// The form with a summary suggested from the story's own text in its summary box, everything
/// else as typed, and a notice to read it before saving; or, when the text has no sentence
/// to choose, the form as typed and a message saying what to do.
fn with_suggested_summary(
    form: FormData,
    article: Option<DeskArticle>,
) -> (FormData, Extras, StatusCode) {
    let mut markdown = form.get("body_md").replace("\r\n", "\n");
    // A roundup's text is in its items (Markdown under "## Headline" lines) as well.
    if form.get("kind") == ArticleKind::Roundup.as_str() {
        markdown.push_str("\n\n");
        markdown.push_str(&form.get("items").replace("\r\n", "\n"));
    }
    let summary = masthead_desk::suggest_summary(&markdown);
    if summary.is_empty() {
        let extras = Extras {
            article,
            error: Some(
                "No summary to suggest: the story has no full sentences to choose from yet \
                 (headings, lists and quotations are left out). Write its first paragraph, then \
                 press \"Suggest a summary\" again, or write the summary yourself."
                    .into(),
            ),
            ..Extras::default()
        };
        return (form, extras, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let mut pairs = form.value_pairs();
    pairs.retain(|(name, _)| name != "summary");
    pairs.push(("summary".into(), summary));
    let extras = Extras {
        article,
        notice: Some("Suggested from the story's text; edit it, then save.".into()),
        summary_suggested: true,
        ..Extras::default()
    };
    (FormData::from_pairs(pairs), extras, StatusCode::OK)
}

/// Why publishing waits for the writer: the body's (or a roundup item's) headings skip a
/// level or start above `##`, so the page will show them at other levels than typed (see
/// `masthead_render::headings`). Nothing is saved; the writer fixes them or confirms.
fn headings_moved(fields: &masthead_store::ArticleFields) -> Option<String> {
    let texts = std::iter::once((&fields.body_md, 1))
        .chain(fields.parts.items().iter().map(|i| (&i.body_md, 2)));
    let moved: Vec<String> = texts
        .flat_map(|(md, parent)| masthead_render::outline(md, parent))
        .filter(|h| h.written != h.shown)
        .map(|h| {
            let text = if h.text.is_empty() {
                "(an HTML heading)".to_owned()
            } else {
                format!("\"{}\"", h.text)
            };
            format!(
                "{} {text} will show as a level-{} heading",
                "#".repeat(usize::from(h.written)),
                h.shown
            )
        })
        .collect();
    (!moved.is_empty()).then(|| {
        format!(
            "Not published yet: the headings skip a level, so the page cannot show them as typed: {}. \
             A story's top headings are ## (the headline is the only #), and each heading goes one level \
             deeper at most. Fix them in the story, or tick \"Publish with the headings as the outline \
             shows them\" and press the button again.",
            moved.join("; ")
        )
    })
}

/// The editor's address after `command` was saved, with the notice to show.
fn saved_redirect(id: ArticleId, command: Command) -> Response {
    let saved = match command {
        Command::Save => "save",
        Command::Submit => "review",
        Command::Publish => "published",
        Command::Schedule(_) => "scheduled",
        Command::Unpublish => "unpublished",
        Command::SendBack => "sent_back",
    };
    Redirect::to(&format!("/admin/articles/{}?saved={saved}", id.0)).into_response()
}

/// Shows the form again, keeping what was typed, for errors the editor can fix or wait
/// out (a busy or full database); other errors propagate.
async fn failed<F, Fut>(e: WebError, again: F) -> Result<Response, WebError>
where
    F: FnOnce(String, StatusCode) -> Fut,
    Fut: std::future::Future<Output = Result<Response, WebError>>,
{
    match e {
        WebError::Unprocessable(m) => again(m, StatusCode::UNPROCESSABLE_ENTITY).await,
        WebError::Conflict(m) => again(m, StatusCode::CONFLICT).await,
        WebError::Forbidden(m) => again(m, StatusCode::FORBIDDEN).await,
        // The database could not take the save: keep the words in the form, say why.
        WebError::DatabaseBusy(_) => {
            again(
                "The database was busy, so nothing was saved. Your text is still here: press \
                 Save again in a moment."
                    .into(),
                StatusCode::SERVICE_UNAVAILABLE,
            )
            .await
        }
        WebError::InsufficientStorage(_) => {
            again(
                "Nothing was saved: the server's disk is full. Your text is still here; copy \
                 it somewhere safe, ask the site's operator to free disk space, then save again."
                    .into(),
                StatusCode::INSUFFICIENT_STORAGE,
            )
            .await
        }
        other => Err(other),
    }
}

/// After a new login, shows the editor filled with what was posted when the session had
/// ended. Nothing is saved until the editor presses a button again.
pub async fn restore_draft(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    next: &str,
    draft: &str,
) -> Result<Response, WebError> {
    let form = FormData::parse(draft.as_bytes());
    let article = match next
        .strip_prefix("/admin/articles/")
        .and_then(|rest| rest.parse::<i64>().ok())
    {
        Some(id) => Some(desk::load(state, staff, ArticleId(id)).await?),
        None => None,
    };
    let extras = Extras {
        article,
        notice: Some(
            "You are logged in again. Your unsaved work is below; review it and save.".into(),
        ),
        ..Extras::default()
    };
    editor(state, staff, csrf, &form, extras, StatusCode::OK).await
}
