//! `DeskUser`: what every desk handler takes from the session guard, in one extractor (the
//! staff member and the session's CSRF token for the page's forms).

use super::csrf::Csrf;
use crate::WebError;
use crate::desk::Staff;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// The logged-in staff member and the token the page's forms must carry. Only routes
/// behind the session guard have them; anywhere else the extractor answers 401.
#[derive(Debug, Clone)]
pub struct DeskUser {
    /// Who is asking, with the role in effect.
    pub staff: Staff,
    /// The session's CSRF token.
    pub csrf: Csrf,
}

impl<S: Send + Sync> FromRequestParts<S> for DeskUser {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        match (
            parts.extensions.get::<Staff>(),
            parts.extensions.get::<Csrf>(),
        ) {
            (Some(staff), Some(csrf)) => Ok(DeskUser {
                staff: staff.clone(),
                csrf: csrf.clone(),
            }),
            _ => Err(WebError::Unauthorized),
        }
    }
}
