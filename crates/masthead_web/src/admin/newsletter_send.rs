//! A newsletter send in the desk: a digest starts as the automatic selection (the stories
//! since the list's last send, by section), which the editor reorders (each story's
//! number), trims (its "leave out" box) and introduces with a note; a breaking alert
//! starts from a published story's "Send as breaking alert" button. Then: preview it as
//! readers will see it, send a test to oneself, schedule it for a time in the site's zone
//! or send it now; while it goes out, its progress, pause, resume, cancel, and — if a
//! server stopped mid-send — the readers whose mail may or may not have gone, to send
//! again by choice.

use super::csrf::Csrf;
use super::desk_user::DeskUser;
use super::form::{FormData, local_time};
use super::view;
use crate::desk::Staff;
use crate::newsletter::compose::{self, DigestItem, MAX_INTRO, MAX_ITEMS, MAX_SUBJECT};
use crate::{AppState, WebError};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use masthead_core::{ArticleId, SendId, SiteAction};
use masthead_render::{Value, context, ser};
use masthead_store::{ListKind, NewsletterList, Send, SendContent, SendState};

/// What the preview may load: the mail's own styles, images from anywhere (as a mail
/// client would), nothing else; never framed by another site.
const PREVIEW_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; \
     base-uri 'none'; form-action 'none'; frame-ancestors 'self'";

async fn list_of(state: &AppState, send: &Send) -> Result<NewsletterList, WebError> {
    state
        .store
        .newsletter_lists()
        .await?
        .into_iter()
        .find(|l| l.id == send.list_id)
        .ok_or(WebError::NotFound)
}

fn items_of(send: &Send) -> Vec<DigestItem> {
    serde_json::from_str(&send.items_json).unwrap_or_default()
}

/// Makes a draft for `list` with `subject` and `items`, rendered; returns its id.
async fn new_draft(
    state: &AppState,
    staff: &Staff,
    list: &NewsletterList,
    subject: &str,
    items: &[DigestItem],
    article: Option<ArticleId>,
) -> Result<SendId, WebError> {
    let (html, text) = compose::render_send(state, list, subject, "", items)?;
    let content = SendContent {
        subject: subject.to_owned(),
        intro: String::new(),
        items_json: serde_json::to_string(items).unwrap_or_else(|_| "[]".into()),
        article,
        html,
        text,
    };
    Ok(state
        .store
        .create_send(
            list.id,
            list.kind,
            &content,
            &staff.actor(),
            state.clock.now(),
        )
        .await?)
}

/// `POST /admin/newsletter/sends`: a new digest of `list`, from the automatic selection.
pub async fn create(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    body: Bytes,
) -> Result<Response, WebError> {
    staff.require(SiteAction::SendNewsletter)?;
    let form = FormData::parse(&body);
    let lists = state.store.newsletter_lists().await?;
    let Some(list) = lists.iter().find(|l| l.slug == form.get("list")) else {
        return super::newsletter::overview_page(
            &state,
            &staff,
            &csrf,
            context! { error => "Choose a newsletter list to write a send for." },
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    let now = state.clock.now();
    let items = compose::selection(&state, list, now).await?;
    let date = now
        .with_timezone(&state.config().timezone)
        .format("%B %-d, %Y");
    let subject = format!("{}: {}", list.name, date);
    let id = new_draft(&state, &staff, list, &subject, &items, None).await?;
    Ok(Redirect::to(&format!("/admin/newsletter/sends/{id}")).into_response())
}

/// `POST /admin/stories/{id}/alert`: a breaking alert about a published story, as a draft
/// to check and send.
pub async fn alert(
    State(state): State<AppState>,
    DeskUser { staff, csrf: _ }: DeskUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::SendNewsletter)?;
    let now = state.clock.now();
    let lists = state.store.newsletter_lists().await?;
    let Some(list) = lists.iter().find(|l| l.kind == ListKind::Alert) else {
        return Err(WebError::Unprocessable(
            "There is no breaking-news list to send to.".into(),
        ));
    };
    // The story as readers see it: only a published one has a teaser.
    let page = state
        .store
        .list_articles(
            masthead_store::ArticleFilter::All,
            now,
            masthead_core::PageNumber::FIRST,
            100,
        )
        .await?;
    let teaser = match page.items.iter().find(|t| t.id == ArticleId(id)) {
        Some(t) => t.clone(),
        None => {
            return Err(WebError::Unprocessable(
                "Only a story published in the last while can go out as a breaking alert: \
                 publish it first."
                    .into(),
            ));
        }
    };
    let item = DigestItem::from_teaser(&state.config().base_url, &teaser);
    let subject = format!("Breaking: {}", teaser.title);
    let send = new_draft(&state, &staff, list, &subject, &[item], Some(teaser.id)).await?;
    Ok(Redirect::to(&format!("/admin/newsletter/sends/{send}")).into_response())
}

/// The send page's query after an action: what to say (`done`, from [`act`]'s redirect).
#[derive(Debug, Default, serde::Deserialize)]
pub struct Said {
    #[serde(default)]
    done: String,
}

impl Said {
    fn notice(&self) -> Option<&'static str> {
        Some(match self.done.as_str() {
            "saved" => "Saved.",
            "sending" => "Saved, and on its way: it goes out in the next few seconds.",
            "scheduled" => "Saved and scheduled.",
            "unscheduled" => "Back to draft: it goes nowhere until you schedule or send it.",
            "paused" => "Paused: nothing more goes out until you resume.",
            "resumed" => "Resumed.",
            "cancelled" => "Cancelled.",
            "resent" => "The uncertain ones are queued again.",
            _ => return None,
        })
    }
}

/// `GET /admin/newsletter/sends/{id}`
pub async fn show(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
    Query(said): Query<Said>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::SendNewsletter)?;
    let extra = match said.notice() {
        Some(notice) => context! { notice },
        None => context! {},
    };
    send_page(&state, &staff, &csrf, SendId(id), extra, StatusCode::OK).await
}

async fn send_page(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    id: SendId,
    extra: Value,
    status: StatusCode,
) -> Result<Response, WebError> {
    let send = state.store.send(id).await?.ok_or(WebError::NotFound)?;
    let list = list_of(state, &send).await?;
    let tz = state.config().timezone;
    let editable = matches!(send.state, SendState::Draft | SendState::Scheduled);
    let clicks: Vec<Value> = if state.mail.as_ref().is_some_and(|m| m.click_counts) {
        let counted = state.store.send_clicks(id).await?;
        items_of(&send)
            .iter()
            .map(|i| {
                let n = counted.iter().find(|(a, _)| *a == i.id).map_or(0, |c| c.1);
                context! { title => &i.title, clicks => n }
            })
            .collect()
    } else {
        Vec::new()
    };
    let ctx = context! {
        send => ser(&send),
        items => ser(&items_of(&send)),
        list => ser(&list),
        editable,
        going => matches!(send.state, SendState::Sending),
        clicks,
        scheduled_local => send.scheduled_at.map(|t| t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string()),
        zone => tz.name(),
        mail_ready => state.mail.is_some(),
        max_subject => MAX_SUBJECT,
        max_intro => MAX_INTRO,
        ..extra
    };
    view::page_with_status(state, staff, csrf, "newsletter_send.html", ctx, status)
}

/// The editor's subject, note and stories from the form: stories in the order of their
/// numbers, those marked "leave out" dropped. A story given the number another one keeps
/// takes that place: moved up, it goes before that story; moved down, after it (so the
/// third story numbered 1 comes first). Other ties keep their place.
fn edited(send: &Send, form: &FormData) -> Result<(String, String, Vec<DigestItem>), String> {
    let subject = masthead_mail::clean_display_name(form.get("subject"));
    if subject.is_empty() {
        return Err("Subject: write one; it is what readers see in their inbox.".into());
    }
    if form.get("subject").chars().count() > MAX_SUBJECT {
        return Err(format!("Subject: at most {MAX_SUBJECT} characters."));
    }
    let intro = form.get("intro").trim().to_owned();
    if intro.chars().count() > MAX_INTRO {
        return Err(format!("Note: at most {MAX_INTRO} characters."));
    }
    let mut items: Vec<(f64, i8, usize, DigestItem)> = Vec::new();
    for (at, item) in items_of(send).into_iter().enumerate() {
        if form.all("drop").contains(&item.id.0.to_string().as_str()) {
            continue;
        }
        let position = form
            .get(&format!("position_{}", item.id.0))
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|p| p.is_finite())
            .unwrap_or(at as f64 + 1.0);
        let moved = position.total_cmp(&(at as f64 + 1.0)) as i8;
        items.push((position, moved, at, item));
    }
    items.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    Ok((
        subject,
        intro,
        items
            .into_iter()
            .map(|(_, _, _, i)| i)
            .take(MAX_ITEMS)
            .collect(),
    ))
}

/// `POST /admin/newsletter/sends/{id}`: `do` is `save`, `test`, `schedule`, `now`,
/// `unschedule`, `pause`, `resume`, `cancel` or `resend`.
pub async fn act(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    staff.require(SiteAction::SendNewsletter)?;
    let id = SendId(id);
    let send = state.store.send(id).await?.ok_or(WebError::NotFound)?;
    let form = FormData::parse(&body);
    let action = form.get("do").to_owned();
    let now = state.clock.now();
    let actor = staff.actor();
    let again = |status, message: String| {
        let (state, staff, csrf) = (&state, &staff, &csrf);
        let typed = context! { subject => form.get("subject"), intro => form.get("intro") };
        async move {
            send_page(
                state,
                staff,
                csrf,
                id,
                context! { error => message, typed },
                status,
            )
            .await
        }
    };
    // Every action on a draft or scheduled send saves the editor's text first.
    if matches!(send.state, SendState::Draft | SendState::Scheduled)
        && matches!(action.as_str(), "save" | "test" | "schedule" | "now")
    {
        let (subject, intro, items) = match edited(&send, &form) {
            Ok(e) => e,
            Err(message) => return again(StatusCode::UNPROCESSABLE_ENTITY, message).await,
        };
        let list = list_of(&state, &send).await?;
        let (html, text) = compose::render_send(&state, &list, &subject, &intro, &items)?;
        let content = SendContent {
            subject,
            intro,
            items_json: serde_json::to_string(&items).unwrap_or_else(|_| "[]".into()),
            article: None,
            html,
            text,
        };
        state.store.update_send(id, &content, now).await?;
    }
    let moved = |from: &'static [SendState], to: SendState, at| {
        let (state, actor) = (&state, &actor);
        async move { state.store.move_send(id, from, to, at, actor, now).await }
    };
    let done = match action.as_str() {
        "save" => "saved",
        "test" => {
            let to = staff.user.email.clone();
            return match crate::newsletter::worker::test_send(&state, id, &to).await? {
                Ok(reply) => {
                    send_page(
                        &state,
                        &staff,
                        &csrf,
                        id,
                        context! {
                            notice => format!("A test went to {to}. The server said: {reply}"),
                        },
                        StatusCode::OK,
                    )
                    .await
                }
                Err(problem) => {
                    again(
                        StatusCode::BAD_GATEWAY,
                        format!("The test did not go: {problem}"),
                    )
                    .await
                }
            };
        }
        "schedule" | "now" => {
            if state.mail.is_none() {
                return again(
                    StatusCode::CONFLICT,
                    "No SMTP server is set up, so nothing can be sent: set smtp_url and \
                     mail_from (see the README), restart, and send again."
                        .into(),
                )
                .await;
            }
            let at = if action == "now" {
                now
            } else {
                match local_time(form.get("at"), state.config().timezone) {
                    Ok(at) if at > now => at,
                    Ok(_) => {
                        return again(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            "Send time: that is in the past; choose a later time or Send now."
                                .into(),
                        )
                        .await;
                    }
                    Err(e) => {
                        return again(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            e.replace("Publish time", "Send time")
                                .replace("schedule the story", "schedule the send"),
                        )
                        .await;
                    }
                }
            };
            if items_of(&state.store.send(id).await?.ok_or(WebError::NotFound)?).is_empty() {
                return again(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "There are no stories in this send; it would be an empty mail.".into(),
                )
                .await;
            }
            let from = &[SendState::Draft, SendState::Scheduled];
            if !moved(from, SendState::Scheduled, Some(at)).await? {
                return again(
                    StatusCode::CONFLICT,
                    "This send has already started.".into(),
                )
                .await;
            }
            state.newsletter_wake();
            if action == "now" {
                "sending"
            } else {
                "scheduled"
            }
        }
        "unschedule" => {
            moved(&[SendState::Scheduled], SendState::Draft, None).await?;
            "unscheduled"
        }
        "pause" => {
            moved(&[SendState::Sending], SendState::Paused, None).await?;
            "paused"
        }
        "resume" => {
            moved(&[SendState::Paused], SendState::Sending, None).await?;
            state.newsletter_wake();
            "resumed"
        }
        "cancel" => {
            let from = &[SendState::Draft, SendState::Scheduled, SendState::Paused];
            moved(from, SendState::Cancelled, None).await?;
            "cancelled"
        }
        "resend" => {
            state.store.resend_uncertain(id, &actor, now).await?;
            state.newsletter_wake();
            "resent"
        }
        _ => return again(StatusCode::BAD_REQUEST, "Choose one of the buttons.".into()).await,
    };
    Ok(Redirect::to(&format!("/admin/newsletter/sends/{id}?done={done}")).into_response())
}

/// `GET /admin/newsletter/sends/{id}/preview`: the mail as readers get it (their links
/// replaced by the site's newsletter page).
pub async fn preview(
    State(state): State<AppState>,
    DeskUser { staff, csrf: _ }: DeskUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::SendNewsletter)?;
    let (html, _) = state
        .store
        .send_body(SendId(id))
        .await?
        .ok_or(WebError::NotFound)?;
    let here = format!("{}/newsletter", state.config().base_url);
    let mut response = Html(compose::personalise(&html, SendId(id), &here, &here)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PREVIEW_CSP),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(crate::headers::PRIVATE_NO_STORE),
    );
    Ok(response)
}

/// `GET /admin/newsletter/sends/{id}/preview.txt`: the plain-text part.
pub async fn preview_text(
    State(state): State<AppState>,
    DeskUser { staff, csrf: _ }: DeskUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::SendNewsletter)?;
    let (_, text) = state
        .store
        .send_body(SendId(id))
        .await?
        .ok_or(WebError::NotFound)?;
    let here = format!("{}/newsletter", state.config().base_url);
    let mut response = compose::personalise(&text, SendId(id), &here, &here).into_response();
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(crate::headers::PRIVATE_NO_STORE),
    );
    Ok(response)
}
