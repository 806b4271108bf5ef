//! The comment settings, for admins (`/admin/comments/settings`): the moderation policy
//! (hold every comment, hold first-time commenters, or publish at once), closing comments a
//! number of days after a story is published, the blocklist of words that send a comment to
//! spam, and the posting limits. Stored with the site's settings, so every app server uses
//! the same ones from its next poll.

use super::desk_user::DeskUser;
use super::form::FormData;
use super::view;
use crate::{AppState, WebError};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use masthead_core::comment::blocklist;
use masthead_core::{CommentSettings, ModerationPolicy, SiteAction};
use masthead_render::context;

/// The longest blocklist accepted, in characters.
const MAX_BLOCKLIST: usize = 10_000;

/// `GET /admin/comments/settings`
pub async fn show(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManageSettings)?;
    let stored = state.store.settings().await?;
    let s = CommentSettings::from_settings(&stored);
    let form = FormData::from_pairs(vec![
        ("policy".into(), s.policy.as_str().into()),
        ("close_days".into(), s.close_after_days.to_string()),
        (
            "blocklist".into(),
            stored
                .get("comments_blocklist")
                .cloned()
                .unwrap_or_default(),
        ),
        ("per_address".into(), s.per_address.to_string()),
        ("per_email".into(), s.per_email.to_string()),
        ("site_per_minute".into(), s.site_per_minute.to_string()),
    ]);
    render(&state, &staff, &csrf, &form, None, StatusCode::OK)
}

/// `POST /admin/comments/settings`
pub async fn save(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    body: Bytes,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManageSettings)?;
    let form = FormData::parse(&body);
    match validate(&form) {
        Ok(values) => {
            let values: Vec<(&str, String)> = values.iter().map(|(k, v)| (*k, v.clone())).collect();
            state
                .store
                .save_settings(&values, &staff.actor(), state.clock.now())
                .await?;
            if let Err(e) = state.refresh().await {
                tracing::warn!(error = %e, "could not refresh after saving comment settings");
            }
            Ok(Redirect::to("/admin/comments/settings").into_response())
        }
        Err(message) => render(
            &state,
            &staff,
            &csrf.clone(),
            &form,
            Some(message),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    }
}

/// The settings to store, or what to fix.
fn validate(form: &FormData) -> Result<Vec<(&'static str, String)>, String> {
    let policy = ModerationPolicy::parse(form.get("policy"))
        .map_err(|_| "Choose one of the three moderation policies.".to_owned())?;
    let number = |name: &str, label: &str, min: u32, max: u32| {
        form.get(name)
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (min..=max).contains(n))
            .ok_or_else(|| format!("{label}: write a whole number from {min} to {max}."))
    };
    let close = number("close_days", "Close comments after", 0, 3650)?;
    let per_address = number("per_address", "Comments per address", 1, 1000)?;
    let per_email = number("per_email", "Comments per email", 1, 1000)?;
    let site = number(
        "site_per_minute",
        "Comments a minute on the whole site",
        1,
        100_000,
    )?;
    let words = form.get("blocklist");
    if words.chars().count() > MAX_BLOCKLIST {
        return Err(format!(
            "Blocked words: shorten the list to {MAX_BLOCKLIST} characters."
        ));
    }
    Ok(vec![
        ("comments_policy", policy.as_str().to_owned()),
        ("comments_close_days", close.to_string()),
        ("comments_blocklist", blocklist(words).join("\n")),
        ("comments_per_address", per_address.to_string()),
        ("comments_per_email", per_email.to_string()),
        ("comments_site_per_minute", site.to_string()),
    ])
}

fn render(
    state: &AppState,
    staff: &crate::desk::Staff,
    csrf: &super::csrf::Csrf,
    form: &FormData,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let policies = [
        (
            "hold_first",
            "Hold comments from first-time commenters (their first comment waits; later ones appear at once)",
        ),
        (
            "hold_all",
            "Hold every comment until a moderator approves it",
        ),
        (
            "publish",
            "Publish every comment at once (spam checks still apply)",
        ),
    ];
    // Every field, present or not in what was posted (the theme refuses undefined values).
    let form = context! {
        policy => form.get("policy"),
        close_days => form.get("close_days"),
        blocklist => form.get("blocklist"),
        per_address => form.get("per_address"),
        per_email => form.get("per_email"),
        site_per_minute => form.get("site_per_minute"),
    };
    let ctx = context! { form, error, policies };
    view::page_with_status(state, staff, csrf, "comment_settings.html", ctx, status)
}
