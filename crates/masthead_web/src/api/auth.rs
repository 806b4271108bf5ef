//! Who is calling: the API token in `Authorization: Bearer <token>`, looked up by its hash.
//!
//! Tokens are only ever read from this header, never from a cookie or the query string
//! (where they would end up in logs and browser history). A token acts with the narrower of
//! its scope and its owner's *current* role, and stops working when the owner is disabled;
//! the store applies both rules in [`masthead_store::Store::token_owner`]. A token whose
//! owner must use two-factor login (the site requires it for their role) but has not set it
//! up does not work (403) until they enrol: the token cannot be a way around the second
//! factor.
//!
//! A token's `last_used_at` is recorded at most once a minute, in a task of its own, so a
//! busy or full database never holds up a request that only reads.

use super::ApiError;
use crate::AppState;
use crate::desk::Staff;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use masthead_core::secret::token_hash;

/// Tokens we issue are a short prefix plus 43 characters; anything much longer is not one
/// of ours and is refused before hashing.
const MAX_TOKEN_LEN: usize = 200;

/// The staff member behind the request's API token. Extracting it answers 401 (with
/// `WWW-Authenticate: Bearer`) when the token is missing, malformed, unknown, revoked or
/// belongs to a disabled account.
#[derive(Debug, Clone)]
pub(crate) struct ApiStaff(pub Staff);

impl FromRequestParts<AppState> for ApiStaff {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(value) = parts.headers.get(header::AUTHORIZATION) else {
            return Err(ApiError::Unauthorized(
                "This endpoint needs an API token: send `Authorization: Bearer <token>`. An \
                 admin can issue one.",
            ));
        };
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token.trim())
            .filter(|t| !t.is_empty() && t.len() <= MAX_TOKEN_LEN)
            .ok_or(ApiError::Unauthorized(
                "The Authorization header must be `Bearer <token>`, with the token as issued.",
            ))?;
        let owner = state
            .store
            .token_owner(&token_hash(token), state.clock.now())
            .await?
            .ok_or(ApiError::Unauthorized(
                "This token is not valid: it may have been revoked, or its owner's account \
                 disabled. Ask an admin for a new one.",
            ))?;
        if owner.last_used_due {
            // Best effort and off the request path: the request never waits on this write.
            let (store, now, token) = (state.store.clone(), state.clock.now(), owner.token);
            tokio::spawn(async move {
                if let Err(e) = store.touch_token(token, now).await {
                    tracing::warn!(error = %e, token = %token, "could not record an API token's last use");
                }
            });
        }
        if !owner.user.totp_enabled
            && crate::admin::session::totp_required(state, owner.user.role).await?
        {
            return Err(ApiError::Status(
                StatusCode::FORBIDDEN,
                "This site requires two-factor login for your role: set it up on your account \
                 page in the desk, then this token works."
                    .into(),
            ));
        }
        Ok(ApiStaff(Staff {
            user: owner.user,
            role: owner.role,
        }))
    }
}
