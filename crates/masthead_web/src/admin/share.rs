//! "Share preview": links at which people without a desk account (a source checking a
//! quote, an editor on the road) read a story before it is published.
//!
//! `GET /admin/articles/{id}/share` lists the story's live links; a POST makes one, valid
//! for the chosen time (48 hours unless another is chosen), and shows its address once;
//! `…/share/{link}/revoke` ends one at once. Whoever may see the story in the desk may
//! share it (`desk::load`: a contributor or author only their own). The secret is 256
//! random bits; only its SHA-256 is stored (`masthead_core::secret`, as for reset links).
//! What the link shows is `preview::link`.

use super::csrf::Csrf;
use super::desk_user::DeskUser;
use super::form::FormData;
use super::view;
use crate::desk::{self, Staff};
use crate::{AppState, WebError};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use masthead_core::secret::{new_token, token_hash};
use masthead_core::{ArticleId, ArticleStatus, PreviewLinkId};
use masthead_render::{Value, context, ser};
use masthead_store::DeskArticle;
use serde::Deserialize;

/// The times a link may be valid for, in hours, with their labels; the default is 48.
pub const LIFETIMES: &[(i64, &str)] = &[
    (1, "1 hour"),
    (24, "1 day"),
    (48, "2 days"),
    (168, "1 week"),
    (720, "30 days"),
];

/// The lifetime chosen when none is.
pub const DEFAULT_HOURS: i64 = 48;

/// The prefix of a preview link's secret, so one found in a log says what it is.
const TOKEN_PREFIX: &str = "pv_";

#[derive(Deserialize)]
pub struct ShareQuery {
    #[serde(default)]
    revoked: String,
}

/// `GET /admin/articles/{id}/share`
pub async fn show(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
    Query(q): Query<ShareQuery>,
) -> Result<Response, WebError> {
    let article = desk::load(&state, &staff, ArticleId(id)).await?;
    let notice = (!q.revoked.is_empty()).then_some("Link revoked: it no longer works.");
    render(
        &state,
        &staff,
        &csrf,
        &article,
        context! { notice },
        StatusCode::OK,
    )
    .await
}

/// `POST /admin/articles/{id}/share`: makes a link and shows its address, once.
pub async fn create(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let article = desk::load(&state, &staff, ArticleId(id)).await?;
    let form = FormData::parse(&body);
    let hours = match form.get("hours") {
        "" => DEFAULT_HOURS,
        h => match h.parse::<i64>() {
            Ok(h) if LIFETIMES.iter().any(|(l, _)| *l == h) => h,
            _ => {
                let error = "Valid for: choose one of the times offered (1 hour to 30 days).";
                return render(
                    &state,
                    &staff,
                    &csrf,
                    &article,
                    context! { error },
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await;
            }
        },
    };
    let token = new_token(TOKEN_PREFIX);
    let now = state.clock.now();
    let expires_at = now + Duration::hours(hours);
    state
        .store
        .create_preview_link(
            article.id,
            &token_hash(&token),
            expires_at,
            &staff.actor(),
            now,
        )
        .await?;
    let new_link = format!("{}/preview/{token}", state.config().base_url);
    let ctx = context! { new_link, new_expires => ser(&expires_at) };
    render(&state, &staff, &csrf, &article, ctx, StatusCode::OK).await
}

/// `POST /admin/articles/{id}/share/{link}/revoke`
pub async fn revoke(
    State(state): State<AppState>,
    DeskUser { staff, .. }: DeskUser,
    Path((id, link)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    let article = desk::load(&state, &staff, ArticleId(id)).await?;
    let now = state.clock.now();
    state
        .store
        .revoke_preview_link(article.id, PreviewLinkId(link), &staff.actor(), now)
        .await?;
    Ok(Redirect::to(&format!("/admin/articles/{}/share?revoked=1", article.id.0)).into_response())
}

async fn render(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    article: &DeskArticle,
    page: Value,
    status: StatusCode,
) -> Result<Response, WebError> {
    let now = state.clock.now();
    let links = state.store.preview_links(article.id, now).await?;
    let on_site = matches!(
        article.status,
        ArticleStatus::Published | ArticleStatus::Scheduled
    ) && article.published_at.is_some_and(|at| at <= now);
    let lifetimes: Vec<Value> = LIFETIMES
        .iter()
        .map(|(h, label)| context! { hours => h, label => *label, default => *h == DEFAULT_HOURS })
        .collect();
    let ctx = context! {
        id => article.id.0,
        title => &article.fields.title,
        slug => article.fields.slug.as_str(),
        on_site,
        links => ser(&links),
        lifetimes,
        ..page
    };
    view::page_with_status(state, staff, csrf, "share.html", ctx, status)
}
