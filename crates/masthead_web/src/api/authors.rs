//! `/authors`: the staff byline profiles, listed for any token and added by admins.

use super::ApiError;
use super::auth::ApiStaff;
use super::error::ErrorResponse;
use super::extract::ApiJson;
use super::responses::{JsonBody, Token};
use super::sections::taken;
use crate::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use masthead_core::{AuthorId, SiteAction};
use masthead_store::Author;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

const TAG: &str = "authors";

/// A staff byline profile.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuthorOut {
    /// Its id, as articles' `authors` name it.
    #[schema(value_type = i64)]
    pub id: AuthorId,
    /// Its page on the site: `/author/{slug}`.
    pub slug: String,
    /// The name printed in bylines.
    pub name: String,
    /// A short biography.
    pub bio: String,
}

impl From<Author> for AuthorOut {
    fn from(a: Author) -> Self {
        AuthorOut {
            id: a.id,
            slug: a.slug,
            name: a.name,
            bio: a.bio,
        }
    }
}

/// A new byline profile.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorInput {
    /// The name printed in bylines: at most 100 characters, not only spaces.
    #[schema(
        example = "Ana Reyes",
        min_length = 1,
        max_length = 100,
        pattern = "[^\\s\u{85}]"
    )]
    pub name: String,
    /// Its page's address, `/author/{slug}`; made from the name when left out. Lowercase letters, digits and
    /// single hyphens, at most 120 characters.
    #[serde(default)]
    #[schema(
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$",
        max_length = 120,
        example = "ana-reyes"
    )]
    pub slug: Option<String>,
    /// A short biography, at most 2,000 characters.
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub bio: String,
}

/// Lists the byline profiles by name.
#[utoipa::path(
    get,
    path = "/authors",
    operation_id = "list_authors",
    tag = TAG,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every byline profile", body = Vec<AuthorOut>),
        Token,
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    ApiStaff(_staff): ApiStaff,
) -> Result<Json<Vec<AuthorOut>>, ApiError> {
    let authors = state.store.authors().await?;
    Ok(Json(authors.into_iter().map(AuthorOut::from).collect()))
}

/// Adds a byline profile. Admins only.
#[utoipa::path(
    post,
    path = "/authors",
    operation_id = "create_author",
    tag = TAG,
    request_body = AuthorInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Added", body = AuthorOut),
        Token,
        JsonBody,
        (status = 403, description = "Not an admin token, or its owner has not set up the two-factor login the site requires", body = ErrorResponse),
        (status = 409, description = "The slug is taken", body = ErrorResponse),
        (status = 422, description = "The JSON does not fit the schema, or a text holds the NUL character; the message names the field", body = ErrorResponse),
    )
)]
pub(crate) async fn create(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiJson(input): ApiJson<AuthorInput>,
) -> Result<(StatusCode, Json<AuthorOut>), ApiError> {
    staff.require(SiteAction::ManageSections)?;
    let (name, slug) = crate::desk::name_and_slug(&input.name, input.slug.as_deref(), "Name")?;
    let bio = input.bio.trim();
    if bio.chars().count() > 2_000 {
        return Err(ApiError::unprocessable(
            "Bio: keep it under 2,000 characters.",
        ));
    }
    if state.store.author_by_slug(slug.as_str()).await?.is_some() {
        return Err(taken(&slug, "author"));
    }
    let id = state.store.insert_author(&slug, &name, bio, None).await?;
    let author = AuthorOut {
        id,
        slug: slug.to_string(),
        name,
        bio: bio.to_owned(),
    };
    Ok((StatusCode::CREATED, Json(author)))
}
