//! The meeting desk in the API: public bodies (`/bodies`), their meetings (`/meetings`),
//! a meeting's documents (uploaded as `multipart/form-data`, read as the desk reads them)
//! with the text and extraction of each (`/documents/{id}`), briefs drafted from a document
//! (`/meetings/{id}/briefs`) and an editor's sign-off (`/articles/{id}/sign-off`). Every
//! write goes through `masthead_desk::meetings` and `meeting_brief`, the desk pages' rules.

mod schema;

use super::ApiError;
use super::auth::ApiStaff;
use super::error::ErrorResponse;
use super::extract::{ApiJson, ApiPath, ApiQuery};
use super::responses::{BadQuery, IdInPath, JsonBody, Token};
use crate::AppState;
use crate::desk::Staff;
use axum::Json;
use axum::extract::State;
use axum::extract::multipart::{Multipart, MultipartRejection};
use axum::http::StatusCode;
use masthead_core::{ArticleId, BodyId, DocumentId, MeetingId, SectionId, SiteAction};
use masthead_desk::meeting_brief::{BriefRequest, draft_brief, sign_off};
use masthead_desk::meetings::{
    DocumentUpload, MeetingDraft, create_body, create_meeting, update_body, update_meeting,
};
use masthead_store::BodyFields;
pub use schema::*;
use serde::Deserialize;
use utoipa::IntoParams;

const TAG: &str = "meetings";

/// The largest document the API takes, with its form.
pub(crate) const MAX_DOCUMENT_BODY: usize = crate::admin::MAX_DOCUMENT + 64 * 1024;

fn fields(input: BodyInput) -> BodyFields {
    BodyFields {
        name: input.name,
        kind: input.kind.as_str(),
        place: input.place,
        about: input.about,
        members: input.members.into_iter().map(Into::into).collect(),
    }
}

/// Lists the public bodies, by name.
#[utoipa::path(get, path = "/bodies", operation_id = "list_bodies", tag = TAG,
    security(("bearer" = [])),
    responses((status = 200, description = "Every body", body = Vec<BodyOut>), Token))]
pub(crate) async fn list_bodies(
    State(state): State<AppState>,
    ApiStaff(_staff): ApiStaff,
) -> Result<Json<Vec<BodyOut>>, ApiError> {
    let bodies = state.store.public_bodies().await?;
    Ok(Json(bodies.into_iter().map(BodyOut::from).collect()))
}

/// Adds a public body. Authors and up.
#[utoipa::path(post, path = "/bodies", operation_id = "create_body", tag = TAG,
    request_body = BodyInput, security(("bearer" = [])),
    responses(
        (status = 201, description = "Added", body = BodyOut),
        Token, JsonBody,
        (status = 403, description = "A contributor's token, or its owner has not set up the two-factor login the site requires", body = ErrorResponse),
        (status = 409, description = "The site already keeps 500 bodies", body = ErrorResponse),
        (status = 422, description = "The JSON does not fit the schema, or a field breaks a rule (a name of spaces, more than 60 members); the message names it", body = ErrorResponse),
    ))]
pub(crate) async fn create_body_api(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiJson(input): ApiJson<BodyInput>,
) -> Result<(StatusCode, Json<BodyOut>), ApiError> {
    let id = create_body(&state.store, &staff, fields(input), state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(body_out(&state, id).await?)))
}

async fn body_out(state: &AppState, id: BodyId) -> Result<BodyOut, ApiError> {
    let body = state.store.public_body(id).await?;
    Ok(body.map(BodyOut::from).ok_or(crate::WebError::NotFound)?)
}

/// Gets one public body.
#[utoipa::path(get, path = "/bodies/{id}", operation_id = "get_body", tag = TAG,
    params(("id" = i64, Path, description = "The body's id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The body", body = BodyOut), Token, IdInPath,
        (status = 404, description = "No such body", body = ErrorResponse),
    ))]
pub(crate) async fn show_body(
    State(state): State<AppState>,
    ApiStaff(_staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<BodyOut>, ApiError> {
    Ok(Json(body_out(&state, BodyId(id)).await?))
}

/// Replaces a body's fields (its address stays). Authors and up.
#[utoipa::path(put, path = "/bodies/{id}", operation_id = "update_body", tag = TAG,
    params(("id" = i64, Path, description = "The body's id")), request_body = BodyInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = BodyOut), Token, IdInPath, JsonBody,
        (status = 403, description = "A contributor's token, or its owner has not set up the two-factor login the site requires", body = ErrorResponse),
        (status = 404, description = "No such body", body = ErrorResponse),
        (status = 422, description = "The JSON does not fit the schema, or a field breaks a rule; the message names it", body = ErrorResponse),
    ))]
pub(crate) async fn update_body_api(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<BodyInput>,
) -> Result<Json<BodyOut>, ApiError> {
    let id = BodyId(id);
    update_body(&state.store, &staff, id, fields(input), state.clock.now()).await?;
    Ok(Json(body_out(&state, id).await?))
}

/// The meetings list's query.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MeetingsQuery {
    /// Only this body's meetings.
    #[param(minimum = 1)]
    pub body: Option<i64>,
}

/// Lists meetings, newest first (at most 200).
#[utoipa::path(get, path = "/meetings", operation_id = "list_meetings", tag = TAG,
    params(MeetingsQuery), security(("bearer" = [])),
    responses((status = 200, description = "The meetings, without their documents and briefs", body = Vec<MeetingOut>), Token, BadQuery))]
pub(crate) async fn list_meetings(
    State(state): State<AppState>,
    ApiStaff(_staff): ApiStaff,
    ApiQuery(query): ApiQuery<MeetingsQuery>,
) -> Result<Json<Vec<MeetingOut>>, ApiError> {
    let meetings = match query.body {
        Some(body) => state.store.body_meetings(BodyId(body)).await?,
        None => state.store.recent_meetings().await?,
    };
    Ok(Json(
        meetings
            .into_iter()
            .map(|m| MeetingOut::of(m, Vec::new(), Vec::new()))
            .collect(),
    ))
}

fn draft(input: &MeetingInput) -> MeetingDraft {
    MeetingDraft {
        body: input.body.to_string(),
        date: input.date.to_string(),
        time: input.time.clone().unwrap_or_default(),
        place: input.place.clone(),
        status: input.status.as_str().to_owned(),
    }
}

async fn meeting_out(state: &AppState, id: MeetingId) -> Result<MeetingOut, ApiError> {
    let meeting = state
        .store
        .meeting(id)
        .await?
        .ok_or(crate::WebError::NotFound)?;
    let documents = state.store.meeting_documents(id).await?;
    let briefs = state.store.meeting_briefs(id).await?;
    Ok(MeetingOut::of(meeting, documents, briefs))
}

/// Adds a meeting; while it is upcoming (scheduled or cancelled), the events calendar
/// lists it. Authors and up.
#[utoipa::path(post, path = "/meetings", operation_id = "create_meeting", tag = TAG,
    request_body = MeetingInput, security(("bearer" = [])),
    responses(
        (status = 201, description = "Added", body = MeetingOut), Token, JsonBody,
        (status = 403, description = "A contributor's token, or its owner has not set up the two-factor login the site requires", body = ErrorResponse),
        (status = 422, description = "The JSON does not fit the schema, the body does not exist, or the time or place breaks a rule; the message names it", body = ErrorResponse),
    ))]
pub(crate) async fn create_meeting_api(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiJson(input): ApiJson<MeetingInput>,
) -> Result<(StatusCode, Json<MeetingOut>), ApiError> {
    let now = state.clock.now();
    let id = create_meeting(
        &state.store,
        &staff,
        &draft(&input),
        &crate::meeting_intake::calendar(&state),
        now,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(meeting_out(&state, id).await?)))
}

/// Gets one meeting with its documents and briefs.
#[utoipa::path(get, path = "/meetings/{id}", operation_id = "get_meeting", tag = TAG,
    params(("id" = i64, Path, description = "The meeting's id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The meeting", body = MeetingOut), Token, IdInPath,
        (status = 404, description = "No such meeting", body = ErrorResponse),
    ))]
pub(crate) async fn show_meeting(
    State(state): State<AppState>,
    ApiStaff(_staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<MeetingOut>, ApiError> {
    Ok(Json(meeting_out(&state, MeetingId(id)).await?))
}

/// Replaces a meeting's body, date, place and status, and its calendar entry. Authors and up.
#[utoipa::path(put, path = "/meetings/{id}", operation_id = "update_meeting", tag = TAG,
    params(("id" = i64, Path, description = "The meeting's id")), request_body = MeetingInput,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Saved", body = MeetingOut), Token, IdInPath, JsonBody,
        (status = 403, description = "A contributor's token, or its owner has not set up the two-factor login the site requires", body = ErrorResponse),
        (status = 404, description = "No such meeting", body = ErrorResponse),
        (status = 422, description = "The JSON does not fit the schema, the body does not exist, or the time or place breaks a rule; the message names it", body = ErrorResponse),
    ))]
pub(crate) async fn update_meeting_api(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<MeetingInput>,
) -> Result<Json<MeetingOut>, ApiError> {
    let id = MeetingId(id);
    let now = state.clock.now();
    update_meeting(
        &state.store,
        &staff,
        id,
        &draft(&input),
        &crate::meeting_intake::calendar(&state),
        now,
    )
    .await?;
    Ok(Json(meeting_out(&state, id).await?))
}

/// The form of a document upload (documentation only; the handler reads the parts one by
/// one).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub struct DocumentUploadForm {
    /// The agenda or minutes: a PDF with a text layer or UTF-8 text, at most 24 MiB.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// minutes (the default), agenda or other.
    pub kind: Option<String>,
    /// "false" keeps it from readers; public by default.
    pub public: Option<String>,
}

/// Keeps a document of a meeting: its text is read (a PDF's text layer, or the text) and
/// kept with the original. Authors and up.
#[utoipa::path(post, path = "/meetings/{id}/documents", operation_id = "add_meeting_document",
    tag = TAG, params(("id" = i64, Path, description = "The meeting's id")),
    request_body(content = DocumentUploadForm, content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Kept", body = DocumentOut), Token,
        (status = 400, description = "The id is not a whole number, or not a multipart form with a `file` part, or a part other than `file`, `kind` and `public`", body = ErrorResponse),
        (status = 403, description = "A contributor's token, or its owner has not set up the two-factor login the site requires", body = ErrorResponse),
        (status = 404, description = "No such meeting", body = ErrorResponse),
        (status = 413, description = "Over 24 MiB", body = ErrorResponse),
        (status = 415, description = "Not sent as multipart/form-data", body = ErrorResponse),
        (status = 422, description = "Not a PDF or text, a PDF with no text layer, locked or unreadable, or a kind other than minutes, agenda or other; the message says what to send instead", body = ErrorResponse),
    ))]
pub(crate) async fn add_document(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
    form: Result<Multipart, MultipartRejection>,
) -> Result<(StatusCode, Json<DocumentOut>), ApiError> {
    staff.require(SiteAction::CoverMeetings)?;
    let mut form = form.map_err(|_| {
        ApiError::Status(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Send the document as `multipart/form-data`, in a part named `file`.".into(),
        )
    })?;
    let mut upload = DocumentUpload {
        kind: "minutes".into(),
        public: true,
        ..DocumentUpload::default()
    };
    let mut has_file = false;
    while let Some(field) = form.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("file") => {
                upload.file_name = field.file_name().unwrap_or_default().to_owned();
                upload.bytes = field.bytes().await.map_err(multipart_error)?.into();
                has_file = true;
            }
            Some("kind") => upload.kind = field.text().await.map_err(multipart_error)?,
            Some("public") => {
                upload.public = field.text().await.map_err(multipart_error)?.trim() != "false";
            }
            other => {
                return Err(ApiError::bad_request(format!(
                    "Unexpected form part {:?}; a document has `file`, and optionally `kind` \
                     and `public`.",
                    other.unwrap_or_default()
                )));
            }
        }
    }
    if !has_file {
        return Err(ApiError::bad_request(
            "The form has no `file` part; put the document in a part named `file`.",
        ));
    }
    let meeting = MeetingId(id);
    let doc = crate::meeting_intake::keep(&state, &staff, meeting, upload).await?;
    let record = state
        .store
        .meeting(meeting)
        .await?
        .ok_or(crate::WebError::NotFound)?;
    let documents = state.store.meeting_documents(meeting).await?;
    let kept = documents
        .into_iter()
        .find(|d| d.id == doc)
        .map(|d| DocumentOut::of(d, &record.body_slug));
    Ok((
        StatusCode::CREATED,
        Json(kept.ok_or(crate::WebError::NotFound)?),
    ))
}

fn multipart_error(e: axum::extract::multipart::MultipartError) -> ApiError {
    super::error::multipart_refused(
        e,
        "The document is larger than 24 MiB; split it into meetings.",
    )
}

/// Gets a document with the text read from it and the facts read from that text.
#[utoipa::path(get, path = "/documents/{id}", operation_id = "get_document", tag = TAG,
    params(("id" = i64, Path, description = "The document's id")), security(("bearer" = [])),
    responses(
        (status = 200, description = "The document, its text and the extraction", body = DocumentRead),
        Token, IdInPath,
        (status = 404, description = "No such document", body = ErrorResponse),
    ))]
pub(crate) async fn show_document(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<DocumentRead>, ApiError> {
    let (document, text) = state
        .store
        .meeting_document(DocumentId(id))
        .await?
        .ok_or(crate::WebError::NotFound)?;
    // The desk keeps some documents from readers; a contributor's token sees only public ones.
    if !document.public && staff.require(SiteAction::CoverMeetings).is_err() {
        return Err(crate::WebError::NotFound.into());
    }
    let meeting = state
        .store
        .meeting(document.meeting_id)
        .await?
        .ok_or(crate::WebError::NotFound)?;
    let extraction = masthead_desk::meeting_brief::read(text.clone()).await?;
    let extraction = serde_json::to_value(&extraction)
        .map_err(|e| crate::WebError::internal("writing an extraction as JSON", e))?;
    Ok(Json(DocumentRead {
        document: DocumentOut::of(document, &meeting.body_slug),
        text,
        extraction,
    }))
}

/// Drafts a meeting brief from one of the meeting's documents: a draft story with the
/// decisions table, a headline suggestion and a summary of the record's own sentences,
/// tied to the record. It cannot publish until an editor signs its facts off. Authors and up.
#[utoipa::path(post, path = "/meetings/{id}/briefs", operation_id = "draft_meeting_brief",
    tag = TAG, params(("id" = i64, Path, description = "The meeting's id")),
    request_body = BriefInput, security(("bearer" = [])),
    responses(
        (status = 201, description = "Drafted", body = BriefOut), Token, IdInPath, JsonBody,
        (status = 403, description = "A contributor's token, or its owner has not set up the two-factor login the site requires", body = ErrorResponse),
        (status = 404, description = "No such meeting, or the document is not one of its", body = ErrorResponse),
        (status = 409, description = "Twenty briefs of this meeting already take its address", body = ErrorResponse),
        (status = 422, description = "The JSON does not fit the schema, the section does not exist, nothing could be read from the document (the message says to write the brief by hand), or the prose helper was asked for and is not configured or wrote nothing", body = ErrorResponse),
    ))]
pub(crate) async fn draft_brief_api(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<BriefInput>,
) -> Result<(StatusCode, Json<BriefOut>), ApiError> {
    staff.require(SiteAction::CoverMeetings)?;
    let mut request = BriefRequest {
        meeting: MeetingId(id),
        document: DocumentId(input.document),
        section: SectionId(input.section),
        timezone: state.config().timezone,
        narrative: None,
    };
    if input.prose {
        let narrative = crate::prose_helper::narrate(&state, request.meeting, request.document)
            .await
            .map_err(|why| {
                ApiError::unprocessable(format!(
                    "Prose: {why}; nothing was drafted. Send `prose: false` to draft from the \
                     facts alone."
                ))
            })?;
        request.narrative = Some(narrative);
    }
    let article = draft_brief(&state.store, &staff, request, state.clock.now()).await?;
    Ok((StatusCode::CREATED, Json(brief_out(&state, article).await?)))
}

async fn brief_out(state: &AppState, article: ArticleId) -> Result<BriefOut, ApiError> {
    let brief = state.store.meeting_brief(article).await?;
    Ok(brief.map(BriefOut::from).ok_or(crate::WebError::NotFound)?)
}

/// Signs off a meeting brief's facts as checked against the record (recorded in the audit
/// log), so it may publish. An editor who may publish the story.
#[utoipa::path(post, path = "/articles/{id}/sign-off", operation_id = "sign_off_brief",
    tag = TAG, params(("id" = i64, Path, description = "The brief's article id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Signed off", body = BriefOut), Token, IdInPath,
        (status = 403, description = "Not an editor who may publish the story, or the token's owner has not set up the two-factor login the site requires", body = ErrorResponse),
        (status = 404, description = "No such story, not yours to see, or not a brief drafted from a record", body = ErrorResponse),
    ))]
pub(crate) async fn sign_off_api(
    State(state): State<AppState>,
    ApiStaff(staff): ApiStaff,
    ApiPath(id): ApiPath<i64>,
) -> Result<Json<BriefOut>, ApiError> {
    let article = ArticleId(id);
    signed(&state, &staff, article).await?;
    Ok(Json(brief_out(&state, article).await?))
}

async fn signed(state: &AppState, staff: &Staff, article: ArticleId) -> Result<(), ApiError> {
    Ok(sign_off(&state.store, staff, article, state.clock.now()).await?)
}
