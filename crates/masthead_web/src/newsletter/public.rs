//! The reader's newsletter pages, each reached from the footer form or a mailed link:
//! - `/newsletter`: the signup form (lists, address, optional name). A signup answers the
//!   same whatever the address's state, so the page tells nobody who is subscribed; only
//!   the confirmation mail goes to an address until its owner follows the link.
//! - `/newsletter/confirm/{token}`: a button that confirms (links are fetched by mail
//!   scanners, so nothing changes on GET).
//! - `/newsletter/preferences/{token}`: choose lists, leave them all, download the stored
//!   data as JSON, or delete it all; an expired link offers a fresh one by mail.
//! - `/newsletter/unsubscribe/{list}/{token}`: RFC 8058's one-click door. A `POST` (the
//!   mail provider's, with `List-Unsubscribe=One-Click`, or the page's button) leaves the
//!   list at once and answers `200` with a page, never a redirect; it needs no cookie and
//!   is exempt from the same-origin check, the signed link being the authority.
//!
//! Floods are bounded in layers: a honeypot field; a signed fill-time token on the signup
//! page's form (the footer's form is served in a cached page part, so it has none and is
//! bounded by the rest); [`PER_ADDRESS`] signups per client address in [`WINDOW`]; at
//! most [`SITE_PER_HOUR`] across the site (past it, `503` with `Retry-After`); and the
//! store's limit of mails to one mailbox (`masthead_store::MAILS_PER_DAY`).

use crate::client::{client_ip, same_origin};
use crate::newsletter::links::{self, Purpose, Refused};
use crate::render::render_page;
use crate::{AppState, WebError};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Duration;
use masthead_core::form_token::{self, TokenProblem};
use masthead_core::{EmailAddress, ListId};
use masthead_render::{Value, context};
use masthead_store::{Actor, Confirmed, NewsletterList, Subscriber};

/// Signups one client address may make in [`WINDOW`].
const PER_ADDRESS: i64 = 10;
/// The window the per-address limit counts in.
const WINDOW: Duration = Duration::minutes(10);
/// Signups the whole site takes in an hour (a flood from many addresses).
const SITE_PER_HOUR: i64 = 600;
/// The form token's scope.
const SCOPE: &str = "newsletter";

/// The reader's routes (none of them in the page cache: each page is someone's).
pub(crate) fn routes() -> axum::Router<AppState> {
    use axum::routing::get;
    axum::Router::new()
        .route("/newsletter", get(show).post(sign_up))
        .route("/newsletter/check", get(check_inbox))
        .route(
            "/newsletter/confirm/{token}",
            get(confirm_page).post(confirm),
        )
        .route(
            "/newsletter/preferences/{token}",
            get(preferences).post(change_preferences),
        )
        .route("/newsletter/preferences/{token}/data.json", get(data))
        .route(
            "/newsletter/unsubscribe/{list}/{token}",
            get(leave_page).post(leave),
        )
        .route("/newsletter/go/{send}/{story}", get(go))
}

/// `GET /newsletter/go/{send}/{story}`: a story's link in a mail, when the operator counts
/// clicks. One more click on that story in that send (nothing about who), then to the
/// story; the target comes from our own database, so this never sends anyone elsewhere.
pub async fn go(
    State(state): State<AppState>,
    Path((send, story)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let counting = state.mail.as_ref().is_some_and(|m| m.click_counts);
    let now = state.clock.now();
    let slug = if counting {
        state
            .store
            .count_click(
                masthead_core::SendId(send),
                masthead_core::ArticleId(story),
                now,
            )
            .await?
    } else {
        state
            .store
            .published_slug(masthead_core::ArticleId(story), now)
            .await?
    };
    let target = slug.map_or_else(|| "/".to_owned(), |s| format!("/stories/{s}"));
    let mut response = Redirect::to(&target).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// A page of `stage` with `heading` and the stage's values, answered with `status`.
async fn page(
    state: &AppState,
    status: StatusCode,
    stage: &str,
    heading: &str,
    values: Value,
) -> Result<Response, WebError> {
    let html = render_page(
        state,
        "newsletter.html",
        context! { stage, heading, ..values },
    )
    .await?;
    let mut response = (status, Html(html)).into_response();
    // Pages with a reader's address or a fresh token: never kept by anyone.
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

fn pairs(body: &[u8]) -> Vec<(String, String)> {
    form_urlencoded::parse(body).into_owned().collect()
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// The public lists named in the form's `list` fields.
fn chosen(lists: &[NewsletterList], pairs: &[(String, String)]) -> Vec<ListId> {
    lists
        .iter()
        .filter(|l| pairs.iter().any(|(k, v)| k == "list" && *v == l.slug))
        .map(|l| l.id)
        .collect()
}

fn slugs(lists: &[NewsletterList], ids: &[ListId]) -> Vec<String> {
    lists
        .iter()
        .filter(|l| ids.contains(&l.id))
        .map(|l| l.slug.clone())
        .collect()
}

fn require_mail(state: &AppState) -> Result<(), WebError> {
    if state.mail.is_some() {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

/// The signup form with `email`, `name` and `chosen` filled in.
async fn signup_page(
    state: &AppState,
    status: StatusCode,
    notice: Option<String>,
    email: &str,
    name: &str,
    chosen: &[String],
) -> Result<Response, WebError> {
    let key = state.store.form_key().await?;
    let token = form_token::issue(key.as_bytes(), SCOPE, state.clock.now());
    let lists = state.store.newsletter_lists().await?;
    let chosen: Vec<String> = if chosen.is_empty() {
        lists.first().map(|l| l.slug.clone()).into_iter().collect()
    } else {
        chosen.to_vec()
    };
    page(
        state,
        status,
        "signup",
        "Newsletters",
        context! { token, lists => masthead_render::ser(&lists), chosen, email, name, notice },
    )
    .await
}

/// `GET /newsletter`
pub async fn show(State(state): State<AppState>) -> Result<Response, WebError> {
    require_mail(&state)?;
    signup_page(&state, StatusCode::OK, None, "", "", &[]).await
}

/// `GET /newsletter/check`
pub async fn check_inbox(State(state): State<AppState>) -> Result<Response, WebError> {
    require_mail(&state)?;
    page(
        &state,
        StatusCode::OK,
        "check",
        "Check your inbox",
        context! {},
    )
    .await
}

/// `POST /newsletter`: a signup, from this page or the footer of any page.
pub async fn sign_up(
    State(state): State<AppState>,
    extensions: Extensions,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    require_mail(&state)?;
    if !same_origin(&state, &headers) {
        return Err(WebError::Forbidden(
            "This form was sent from another site. Open the page on our site and send it from there.".into(),
        ));
    }
    let now = state.clock.now();
    let form = pairs(&body);
    let (email_text, name) = (field(&form, "email").trim(), field(&form, "name"));
    let name = masthead_mail::clean_display_name(name);
    let lists = state.store.newsletter_lists().await?;
    let picked = chosen(&lists, &form);
    let picked_slugs = slugs(&lists, &picked);
    let again = |status, notice: String| {
        let state = state.clone();
        let (email, name, picked) = (email_text.to_owned(), name.clone(), picked_slugs.clone());
        async move { signup_page(&state, status, Some(notice), &email, &name, &picked).await }
    };
    let ip = client_ip(&state, &extensions, &headers);
    let (tries, window_start) = state
        .store
        .count_attempt(&format!("newsletter:{ip}"), WINDOW, now)
        .await?;
    if tries > PER_ADDRESS {
        let wait = (window_start + WINDOW - now).num_seconds().max(1);
        let mut response = again(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "Many signups came from your connection in a few minutes. Wait {} minutes and \
                 try again.",
                (wait + 59) / 60
            ),
        )
        .await?;
        retry_after(&mut response, wait);
        return Ok(response);
    }
    if !field(&form, "website").is_empty() {
        // The honeypot: a robot. Tell it what a person is told; store and send nothing.
        return Ok(Redirect::to("/newsletter/check").into_response());
    }
    let token = field(&form, "token");
    if !token.is_empty() {
        let key = state.store.form_key().await?;
        match form_token::check(key.as_bytes(), SCOPE, token, now) {
            Ok(_) => {}
            Err(TokenProblem::TooQuick) => {
                return again(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "That was quicker than a person types. Check the form and send it again."
                        .into(),
                )
                .await;
            }
            Err(_) => {
                return again(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "This form is too old or was changed. It has been refreshed: send it again."
                        .into(),
                )
                .await;
            }
        }
    }
    let email = match EmailAddress::parse(email_text) {
        Ok(e) if !e.as_str().contains('[') => e,
        _ => {
            return again(
                StatusCode::UNPROCESSABLE_ENTITY,
                "That does not look like an email address. Write it like jane@example.org.".into(),
            )
            .await;
        }
    };
    if picked.is_empty() {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Choose at least one newsletter.".into(),
        )
        .await;
    }
    let (site_tries, site_start) = state
        .store
        .count_attempt("newsletter:all", Duration::hours(1), now)
        .await?;
    if site_tries > SITE_PER_HOUR {
        let wait = (site_start + Duration::hours(1) - now).num_seconds().max(1);
        tracing::warn!(
            "newsletter signups past the site's hourly limit; refusing until the hour ends"
        );
        let mut response = again(
            StatusCode::SERVICE_UNAVAILABLE,
            "We are taking a great many signups just now. Try again in a while.".into(),
        )
        .await?;
        retry_after(&mut response, wait);
        return Ok(response);
    }
    state.store.sign_up(&email, &name, &picked, now).await?;
    state.newsletter_wake();
    Ok(Redirect::to("/newsletter/check").into_response())
}

fn retry_after(response: &mut Response, seconds: i64) {
    if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
        response.headers_mut().insert(header::RETRY_AFTER, v);
    }
}

/// The page for a link that leads nowhere, or an expired one offering a fresh link.
async fn refused(state: &AppState, why: Refused, action: &str) -> Result<Response, WebError> {
    match why {
        Refused::Invalid => {
            page(
                state,
                StatusCode::NOT_FOUND,
                "invalid",
                "This link does not work",
                context! {},
            )
            .await
        }
        Refused::Expired(_) => {
            page(
                state,
                StatusCode::GONE,
                "expired",
                "This link has expired",
                context! { action },
            )
            .await
        }
    }
}

/// A fresh preferences link for the reader `id`.
async fn preferences_url(state: &AppState, reader: &Subscriber) -> Result<String, WebError> {
    let key = state.store.newsletter_key().await?;
    Ok(links::url(
        &state.config().base_url,
        &key,
        Purpose::Preferences,
        reader.id,
        reader.link_epoch,
        state.clock.now(),
    ))
}

/// `GET /newsletter/confirm/{token}`
pub async fn confirm_page(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let action = format!("/newsletter/confirm/{token}");
    match links::reader(&state, Purpose::Confirm, &token).await? {
        Ok(reader) => {
            page(
                &state,
                StatusCode::OK,
                "confirm",
                "Confirm your subscription",
                context! {
                    reader => masthead_render::ser(&reader), action,
                },
            )
            .await
        }
        Err(why) => refused(&state, why, "/newsletter").await,
    }
}

/// `POST /newsletter/confirm/{token}`
pub async fn confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    if !same_origin(&state, &headers) {
        return Err(WebError::Forbidden(
            "This form was sent from another site. Open the page on our site and send it from there.".into(),
        ));
    }
    let reader = match links::reader(&state, Purpose::Confirm, &token).await? {
        Ok(r) => r,
        Err(Refused::Expired(_)) => {
            // A confirmation is not renewed by mail from here: signing up again sends one.
            return page(
                &state,
                StatusCode::GONE,
                "invalid",
                "This link has expired",
                context! {},
            )
            .await;
        }
        Err(why) => return refused(&state, why, "").await,
    };
    let now = state.clock.now();
    match state
        .store
        .confirm_subscriber(reader.id, reader.link_epoch, now)
        .await?
    {
        Confirmed::Now | Confirmed::Already => {
            let preferences = preferences_url(&state, &reader).await?;
            page(
                &state,
                StatusCode::OK,
                "confirmed",
                "You are subscribed",
                context! {
                    reader => masthead_render::ser(&reader), preferences,
                },
            )
            .await
        }
        Confirmed::Gone => refused(&state, Refused::Invalid, "").await,
    }
}

/// `GET /newsletter/preferences/{token}`
pub async fn preferences(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let action = format!("/newsletter/preferences/{token}");
    match links::reader(&state, Purpose::Preferences, &token).await? {
        Ok(reader) => preferences_page(&state, &reader, &action, None).await,
        Err(why) => refused(&state, why, &action).await,
    }
}

async fn preferences_page(
    state: &AppState,
    reader: &Subscriber,
    action: &str,
    notice: Option<&str>,
) -> Result<Response, WebError> {
    let lists = state.store.newsletter_lists().await?;
    let chosen = slugs(&lists, &reader.lists);
    page(
        state,
        StatusCode::OK,
        "preferences",
        "Your newsletters",
        context! {
            reader => masthead_render::ser(reader),
            lists => masthead_render::ser(&lists),
            chosen,
            action,
            data_url => format!("{action}/data.json"),
            notice,
        },
    )
    .await
}

/// `POST /newsletter/preferences/{token}`: save, leave everything, erase, or (on an expired
/// link) mail a fresh one.
pub async fn change_preferences(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(token): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    if !same_origin(&state, &headers) {
        return Err(WebError::Forbidden(
            "This form was sent from another site. Open the page on our site and send it from there.".into(),
        ));
    }
    let action = format!("/newsletter/preferences/{token}");
    let form = pairs(&body);
    let now = state.clock.now();
    let reader = match links::reader(&state, Purpose::Preferences, &token).await? {
        Ok(r) => r,
        Err(Refused::Expired(id)) if field(&form, "do") == "fresh" => {
            state.store.queue_preferences_mail(id, now).await?;
            state.newsletter_wake();
            return page(
                &state,
                StatusCode::OK,
                "sent",
                "Check your inbox",
                context! {},
            )
            .await;
        }
        Err(why) => return refused(&state, why, &action).await,
    };
    match field(&form, "do") {
        "erase" => {
            let actor = Actor::system("newsletter reader");
            state.store.erase_subscriber(reader.id, &actor, now).await?;
            page(&state, StatusCode::OK, "erased", "Deleted", context! {}).await
        }
        "leave" => {
            state.store.set_reader_lists(reader.id, &[], now).await?;
            let reader = state
                .store
                .subscriber(reader.id)
                .await?
                .ok_or(WebError::NotFound)?;
            preferences_page(
                &state,
                &reader,
                &action,
                Some("You are unsubscribed from everything."),
            )
            .await
        }
        _ => {
            let lists = state.store.newsletter_lists().await?;
            let picked = chosen(&lists, &form);
            state
                .store
                .set_reader_lists(reader.id, &picked, now)
                .await?;
            let reader = state
                .store
                .subscriber(reader.id)
                .await?
                .ok_or(WebError::NotFound)?;
            preferences_page(&state, &reader, &action, Some("Your choices are saved.")).await
        }
    }
}

/// `GET /newsletter/preferences/{token}/data.json`: everything stored about the reader.
pub async fn data(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let reader = match links::reader(&state, Purpose::Preferences, &token).await? {
        Ok(r) => r,
        Err(_) => return Err(WebError::NotFound),
    };
    let lists = state.store.newsletter_lists().await?;
    let mails = state.store.reader_mails(reader.id).await?;
    let mut response = Json(serde_json::json!({
        "email": reader.email,
        "name": reader.name,
        "status": reader.status,
        "source": reader.source,
        "signed_up_at": reader.created_at,
        "confirmed_at": reader.confirmed_at,
        "newsletters": slugs(&lists, &reader.lists),
        "mails": mails,
    }))
    .into_response();
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"newsletter-data.json\""),
    );
    Ok(response)
}

/// The list a leave link names, and the reader, if both are good.
async fn leave_target(
    state: &AppState,
    list: i64,
    token: &str,
) -> Result<Result<(Subscriber, NewsletterList), Refused>, WebError> {
    let lists = state.store.newsletter_lists().await?;
    let Some(list) = lists.into_iter().find(|l| l.id == ListId(list)) else {
        return Ok(Err(Refused::Invalid));
    };
    Ok(links::reader(state, Purpose::Leave(list.id), token)
        .await?
        .map(|reader| (reader, list)))
}

/// `GET /newsletter/unsubscribe/{list}/{token}`: the page with the button.
pub async fn leave_page(
    State(state): State<AppState>,
    Path((list, token)): Path<(i64, String)>,
) -> Result<Response, WebError> {
    match leave_target(&state, list, &token).await? {
        Ok((reader, list)) => {
            page(
                &state,
                StatusCode::OK,
                "leave",
                "Unsubscribe",
                context! {
                    reader => masthead_render::ser(&reader),
                    list_name => list.name,
                    action => format!("/newsletter/unsubscribe/{}/{token}", list.id),
                },
            )
            .await
        }
        Err(why) => refused(&state, why, "").await,
    }
}

/// `POST /newsletter/unsubscribe/{list}/{token}`: RFC 8058 one-click, or the page's button.
/// No cookie, no same-origin check, `200` and never a redirect.
pub async fn leave(
    State(state): State<AppState>,
    Path((list, token)): Path<(i64, String)>,
) -> Result<Response, WebError> {
    let (reader, list) = match leave_target(&state, list, &token).await? {
        Ok(target) => target,
        Err(why) => return refused(&state, why, "").await,
    };
    state
        .store
        .unsubscribe(reader.id, Some(list.id), state.clock.now())
        .await?;
    let preferences = preferences_url(&state, &reader).await?;
    page(
        &state,
        StatusCode::OK,
        "left",
        "You are unsubscribed",
        context! {
            reader => masthead_render::ser(&reader),
            list_name => list.name,
            preferences,
        },
    )
    .await
}
