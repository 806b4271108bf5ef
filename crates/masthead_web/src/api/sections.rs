//! `/sections`: the site's sections, listed for any token and added by admins.

use super::ApiError;
use super::auth::ApiStaff;
use super::error::ErrorResponse;
use super::extract::ApiJson;
use super::responses::{JsonBody, Token};
use crate::AppState;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use masthead_core::{SectionId, SiteAction, Slug};
use masthead_store::Section;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

const TAG: &str = "sections";

/// A section of the site.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SectionOut {
    /// Its id, as articles name it.
    #[schema(value_type = i64)]
    pub id: SectionId,
    /// Its address on the site: `/section/{slug}`.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// One sentence about it.
    pub description: String,
}

impl From<Section> for SectionOut {
    fn from(s: Section) -> Self {
        SectionOut {
            id: s.id,
            slug: s.slug,
            name: s.name,
            description: s.description,
        }
    }
}

/// A new section.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SectionInput {
    /// Its name: at most 100 characters, not only spaces.
    #[schema(
        example = "Schools",
        min_length = 1,
        max_length = 100,
        pattern = "[^\\s\u{85}]"
    )]
    pub name: String,
    /// Its address on the site, `/section/{slug}`; made from the name when left out. Lowercase letters, digits and
    /// single hyphens, at most 120 characters.
    #[serde(default)]
    #[schema(
        pattern = "^[a-z0-9]+(-[a-z0-9]+)*$",
        max_length = 120,
        example = "schools"
    )]
    pub slug: Option<String>,
    /// One sentence about it, at most 500 characters.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub description: String,
}

/// Lists the sections in navigation order.
#[utoipa::path(
    get,
    path = "/sections",
    operation_id = "list_sections",
    tag = TAG,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every section", body = Vec<SectionOut>),
        Token,
    )
)]
pub(crate) async fn list(
    State(state): State<AppState>,
    ApiStaff(_staff): ApiStaff,
) -> Result<Json<Vec<SectionOut>>, ApiError> {
    let sections = state.store.sections().await?;
    Ok(Json(sections.into_iter().map(SectionOut::from).collect()))
}

/// Adds a section at the end of the navigation. Admins only.
#[utoipa::path(
    post,
    path = "/sections",
    operation_id = "create_section",
    tag = TAG,
    request_body = SectionInput,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Added", body = SectionOut),
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
    ApiJson(input): ApiJson<SectionInput>,
) -> Result<(StatusCode, Json<SectionOut>), ApiError> {
    staff.require(SiteAction::ManageSections)?;
    let (name, slug) =
        crate::desk::name_and_slug(&input.name, input.slug.as_deref(), "Section name")?;
    let description = input.description.trim();
    if description.chars().count() > 500 {
        return Err(ApiError::unprocessable(
            "Description: keep it under 500 characters.",
        ));
    }
    if state
        .store
        .sections()
        .await?
        .iter()
        .any(|s| s.slug == slug.as_str())
    {
        return Err(taken(&slug, "section"));
    }
    let id = state
        .store
        .insert_section(&slug, &name, description)
        .await?;
    let section = SectionOut {
        id,
        slug: slug.to_string(),
        name,
        description: description.to_owned(),
    };
    Ok((StatusCode::CREATED, Json(section)))
}

/// The 409 for a slug already in use.
pub(crate) fn taken(slug: &Slug, what: &str) -> ApiError {
    ApiError::Web(crate::WebError::Conflict(format!(
        "Slug: another {what} already uses \"{slug}\"; choose another slug."
    )))
}
