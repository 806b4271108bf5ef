//! The meeting desk's pages: public bodies and their meetings (`/admin/meetings`), one
//! meeting with its documents (`/admin/meetings/{id}`: upload a PDF or text file, paste the
//! text, or fetch it by address; then draft a brief from one), and a body's details. The
//! rules are `masthead_desk::meetings`; the review of a drafted brief beside its record is
//! `meeting_review.rs`.

use super::csrf::Csrf;
use super::desk_user::DeskUser;
use super::form::FormData;
use super::media::{read_capped, text};
use super::view;
use crate::desk::Staff;
use crate::{AppState, WebError};
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use masthead_core::{BodyId, DocumentId, MeetingId, SectionId, SiteAction};
use masthead_desk::meeting_brief::{BriefRequest, draft_brief};
use masthead_desk::meetings::{
    BODY_KINDS, BodyDraft, DOCUMENT_KINDS, DocumentUpload, MeetingDraft, body_fields, create_body,
    create_meeting, members_text, update_body, update_meeting,
};
use masthead_render::{Value, context, ser};
use masthead_store::{MeetingRecord, MeetingStatus};
use serde::Deserialize;

/// The most bytes of pasted text a document form takes (the extractor's own limit).
const MAX_PASTED: usize = masthead_meeting::MAX_TEXT;

/// The largest file a document form takes (also the route's body limit, less the form).
pub(crate) const MAX_DOCUMENT: usize = 24 * 1024 * 1024;

/// A page's query after a write: what to say.
#[derive(Debug, Default, Deserialize)]
pub struct Said {
    #[serde(default)]
    done: String,
}

impl Said {
    fn notice(&self) -> Option<&'static str> {
        match self.done.as_str() {
            "body" => Some("Body saved."),
            "meeting" => Some("Meeting saved. While it is upcoming, it is on the events calendar."),
            "document" => Some("Document kept. Draft a brief from it below."),
            _ => None,
        }
    }
}

/// `GET /admin/meetings`: the bodies, the meetings and the forms to add either.
pub async fn list(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Query(said): Query<Said>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::CoverMeetings)?;
    let notice = said.notice();
    list_page(&state, &staff, &csrf, context! { notice }, StatusCode::OK).await
}

async fn list_page(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    extra: Value,
    status: StatusCode,
) -> Result<Response, WebError> {
    let bodies = state.store.public_bodies().await?;
    let meetings = state.store.recent_meetings().await?;
    let tz = state.config().timezone;
    let ctx = context! {
        bodies => ser(&bodies),
        meetings => meetings.iter().map(|m| meeting_row(m, tz)).collect::<Vec<_>>(),
        kinds => ser(&BODY_KINDS),
        statuses => ser(&MeetingStatus::ALL.map(MeetingStatus::as_str)),
        ..extra
    };
    view::page_with_status(state, staff, csrf, "meetings.html", ctx, status)
}

fn meeting_row(m: &MeetingRecord, tz: chrono_tz::Tz) -> Value {
    let local = m.starts_at.with_timezone(&tz);
    context! {
        id => m.id.0,
        body => &m.body_name,
        body_slug => &m.body_slug,
        body_id => m.body_id.0,
        when => local.format("%A, %B %-d, %Y, %-I:%M %p").to_string(),
        date => local.format("%Y-%m-%d").to_string(),
        time => local.format("%H:%M").to_string(),
        place => &m.place,
        status => m.status.as_str(),
    }
}

fn body_draft(form: &FormData) -> BodyDraft {
    BodyDraft {
        name: form.get("name").to_owned(),
        kind: form.get("kind").to_owned(),
        place: form.get("place").to_owned(),
        about: form.get("about").to_owned(),
        members: form.get("members").to_owned(),
    }
}

fn typed_body(d: &BodyDraft) -> Value {
    context! { name => &d.name, kind => &d.kind, place => &d.place, about => &d.about, members => &d.members }
}

/// `POST /admin/bodies`: adds a body.
pub async fn add_body(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    body: Bytes,
) -> Result<Response, WebError> {
    let draft = body_draft(&FormData::parse(&body));
    let made = match body_fields(&draft) {
        Ok(fields) => create_body(&state.store, &staff, fields, state.clock.now()).await,
        Err(e) => Err(e),
    };
    match made {
        Ok(_) => Ok(Redirect::to("/admin/meetings?done=body").into_response()),
        Err(e) => {
            let (status, message) = refusal(e.into())?;
            let extra = context! { body_form => typed_body(&draft), body_error => message };
            list_page(&state, &staff, &csrf, extra, status).await
        }
    }
}

/// `GET /admin/bodies/{id}`: a body's details to edit.
pub async fn edit_body(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
    Query(said): Query<Said>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::CoverMeetings)?;
    let body = state
        .store
        .public_body(BodyId(id))
        .await?
        .ok_or(WebError::NotFound)?;
    let draft = BodyDraft {
        name: body.fields.name.clone(),
        kind: body.fields.kind.clone(),
        place: body.fields.place.clone(),
        about: body.fields.about.clone(),
        members: members_text(&body.fields.members),
    };
    let ctx = context! {
        id, slug => &body.slug, form => typed_body(&draft), kinds => ser(&BODY_KINDS),
        notice => said.notice(),
    };
    view::page(&state, &staff, &csrf, "body_edit.html", ctx)
}

/// `POST /admin/bodies/{id}`: saves a body.
pub async fn save_body(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let draft = body_draft(&FormData::parse(&body));
    let saved = match body_fields(&draft) {
        Ok(fields) => {
            update_body(&state.store, &staff, BodyId(id), fields, state.clock.now()).await
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(()) => Ok(Redirect::to(&format!("/admin/bodies/{id}?done=body")).into_response()),
        Err(e) => {
            let (status, message) = refusal(e.into())?;
            let ctx = context! { id, form => typed_body(&draft), kinds => ser(&BODY_KINDS), error => message };
            view::page_with_status(&state, &staff, &csrf, "body_edit.html", ctx, status)
        }
    }
}

fn meeting_draft(form: &FormData) -> MeetingDraft {
    MeetingDraft {
        body: form.get("body").to_owned(),
        date: form.get("date").to_owned(),
        time: form.get("time").to_owned(),
        place: form.get("place").to_owned(),
        status: form.get("status").to_owned(),
    }
}

fn typed_meeting(d: &MeetingDraft) -> Value {
    context! { body_id => &d.body, date => &d.date, time => &d.time, place => &d.place, status => &d.status }
}

/// `POST /admin/meetings`: adds a meeting.
pub async fn add_meeting(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    body: Bytes,
) -> Result<Response, WebError> {
    let draft = meeting_draft(&FormData::parse(&body));
    let now = state.clock.now();
    match create_meeting(
        &state.store,
        &staff,
        &draft,
        &crate::meeting_intake::calendar(&state),
        now,
    )
    .await
    {
        Ok(id) => {
            Ok(Redirect::to(&format!("/admin/meetings/{}?done=meeting", id.0)).into_response())
        }
        Err(e) => {
            let (status, message) = refusal(e.into())?;
            let extra =
                context! { meeting_form => typed_meeting(&draft), meeting_error => message };
            list_page(&state, &staff, &csrf, extra, status).await
        }
    }
}

/// `GET /admin/meetings/{id}`: one meeting, its documents and briefs.
pub async fn show(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
    Query(said): Query<Said>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::CoverMeetings)?;
    let notice = said.notice();
    meeting_page(
        &state,
        &staff,
        &csrf,
        MeetingId(id),
        context! { notice },
        StatusCode::OK,
    )
    .await
}

async fn meeting_page(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    id: MeetingId,
    extra: Value,
    status: StatusCode,
) -> Result<Response, WebError> {
    let meeting = state.store.meeting(id).await?.ok_or(WebError::NotFound)?;
    let documents = state.store.meeting_documents(id).await?;
    let mut briefs = Vec::new();
    for brief in state.store.meeting_briefs(id).await? {
        let title = state
            .store
            .desk_article(brief.article_id)
            .await
            .map(|a| a.fields.title)
            .unwrap_or_default();
        briefs.push(context! {
            id => brief.article_id.0, title, signed => brief.signed_off_at.is_some(),
        });
    }
    let row = meeting_row(&meeting, state.config().timezone);
    let ctx = context! {
        meeting => row.clone(),
        form => row,
        bodies => ser(&state.store.public_bodies().await?),
        statuses => ser(&MeetingStatus::ALL.map(MeetingStatus::as_str)),
        documents => ser(&documents),
        document_kinds => ser(&DOCUMENT_KINDS),
        sections => ser(&state.store.sections().await?),
        briefs,
        max_document_mb => MAX_DOCUMENT / 1024 / 1024,
        prose_helper => state.prose.is_some(),
        ..extra
    };
    view::page_with_status(state, staff, csrf, "meeting.html", ctx, status)
}

/// `POST /admin/meetings/{id}`: saves a meeting's date, place and status.
pub async fn save_meeting(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let draft = meeting_draft(&FormData::parse(&body));
    let now = state.clock.now();
    let id = MeetingId(id);
    match update_meeting(
        &state.store,
        &staff,
        id,
        &draft,
        &crate::meeting_intake::calendar(&state),
        now,
    )
    .await
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("/admin/meetings/{}?done=meeting", id.0)).into_response())
        }
        Err(e) => {
            let (status, message) = refusal(e.into())?;
            let extra = context! { form => typed_meeting(&draft), meeting_error => message };
            meeting_page(&state, &staff, &csrf, id, extra, status).await
        }
    }
}

/// The document form's fields.
#[derive(Default)]
struct DocumentForm {
    kind: String,
    public: bool,
    file_name: String,
    file: Vec<u8>,
    pasted: String,
}

impl DocumentForm {
    async fn read(multipart: Multipart) -> Result<Self, (StatusCode, String)> {
        let mut multipart = multipart;
        let mut form = DocumentForm::default();
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| (e.status(), format!("The form did not arrive whole: {e}")))?
        {
            match field.name().unwrap_or_default() {
                "file" => {
                    form.file_name = field.file_name().unwrap_or_default().to_owned();
                    form.file = read_capped(field, MAX_DOCUMENT + 1).await?;
                }
                "kind" => form.kind = text(read_capped(field, 32).await?),
                "public" => form.public = !read_capped(field, 8).await?.is_empty(),
                "text" => form.pasted = text(read_capped(field, MAX_PASTED + 1).await?),
                _ => {
                    read_capped(field, 0).await?;
                }
            }
        }
        Ok(form)
    }
}

/// `POST /admin/meetings/{id}/documents`: keeps an uploaded file or pasted text.
pub async fn add_document(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::CoverMeetings)?;
    let id = MeetingId(id);
    let form = match multipart {
        Ok(m) => DocumentForm::read(m).await,
        Err(_) => Err((
            StatusCode::BAD_REQUEST,
            "The document did not arrive as a file form; use the form on the meeting's page."
                .to_owned(),
        )),
    };
    let form = match form {
        Ok(form) => form,
        Err((status, message)) => {
            let extra = context! { document_error => message };
            return meeting_page(&state, &staff, &csrf, id, extra, status).await;
        }
    };
    let pasted = form.pasted.trim().to_owned();
    let too_big = form.file.len() > MAX_DOCUMENT || form.pasted.len() > MAX_PASTED;
    // The file when one was chosen, else the pasted text.
    let (file_name, bytes) = if form.file.is_empty() {
        (String::new(), pasted.clone().into_bytes())
    } else {
        (form.file_name.clone(), form.file)
    };
    let upload = DocumentUpload {
        kind: form.kind.clone(),
        file_name,
        bytes,
        source_url: String::new(),
        public: form.public,
    };
    let kept = if too_big {
        Err(WebError::PayloadTooLarge(format!(
            "Document: a file may be at most {} MB and pasted text {} MB; split the record into \
             meetings",
            MAX_DOCUMENT / 1024 / 1024,
            MAX_PASTED / 1024 / 1024
        )))
    } else {
        crate::meeting_intake::keep(&state, &staff, id, upload).await
    };
    document_kept(&state, &staff, &csrf, id, kept, &pasted, &form.kind).await
}

/// `POST /admin/meetings/{id}/documents/fetch`: fetches a document by its address.
pub async fn fetch_document(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    staff.require(SiteAction::CoverMeetings)?;
    let id = MeetingId(id);
    let form = FormData::parse(&body);
    let kind = form.get("kind");
    let kept = match crate::meeting_intake::fetch(
        &state,
        form.get("url"),
        kind,
        !form.get("public").is_empty(),
    )
    .await
    {
        Ok(upload) => crate::meeting_intake::keep(&state, &staff, id, upload).await,
        Err(e) => Err(e),
    };
    let extra_url = form.get("url").to_owned();
    match kept {
        Ok(_) => {
            Ok(Redirect::to(&format!("/admin/meetings/{}?done=document", id.0)).into_response())
        }
        Err(e) => {
            let (status, message) = refusal(e)?;
            let extra = context! { fetch_error => message, fetch_url => extra_url };
            meeting_page(&state, &staff, &csrf, id, extra, status).await
        }
    }
}

async fn document_kept(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    id: MeetingId,
    kept: Result<DocumentId, WebError>,
    pasted: &str,
    kind: &str,
) -> Result<Response, WebError> {
    match kept {
        Ok(_) => {
            Ok(Redirect::to(&format!("/admin/meetings/{}?done=document", id.0)).into_response())
        }
        Err(e) => {
            let (status, message) = refusal(e)?;
            let extra = context! { document_error => message, pasted, document_kind => kind };
            meeting_page(state, staff, csrf, id, extra, status).await
        }
    }
}

/// `POST /admin/meetings/{id}/documents/{doc}/brief`: reads the document and drafts a brief,
/// with the prose helper's paragraphs when asked for and configured (a helper that fails
/// leaves the brief drafted without them, and the review page says so).
pub async fn draft(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path((id, doc)): Path<(i64, i64)>,
    body: Bytes,
) -> Result<Response, WebError> {
    staff.require(SiteAction::CoverMeetings)?;
    let form = FormData::parse(&body);
    let id = MeetingId(id);
    let mut request = BriefRequest {
        meeting: id,
        document: DocumentId(doc),
        section: SectionId(form.get("section").parse().unwrap_or(0)),
        timezone: state.config().timezone,
        narrative: None,
    };
    let mut prose_failed = false;
    if !form.get("prose").is_empty() {
        match crate::prose_helper::narrate(&state, id, request.document).await {
            Ok(narrative) => request.narrative = Some(narrative),
            Err(why) => {
                tracing::warn!(%why, "the prose helper wrote nothing; drafting without it");
                prose_failed = true;
            }
        }
    }
    match draft_brief(&state.store, &staff, request, state.clock.now()).await {
        Ok(article) => {
            let said = if prose_failed { "?prose=failed" } else { "" };
            Ok(Redirect::to(&format!("/admin/briefs/{}{said}", article.0)).into_response())
        }
        Err(e) => {
            let (status, message) = refusal(e.into())?;
            let extra = context! { brief_error => message };
            meeting_page(&state, &staff, &csrf, id, extra, status).await
        }
    }
}

/// The status and message of a refusal to show on the form; anything else is the error page.
pub(crate) fn refusal(e: WebError) -> Result<(StatusCode, String), WebError> {
    match e {
        WebError::Unprocessable(m) => Ok((StatusCode::UNPROCESSABLE_ENTITY, m)),
        WebError::Conflict(m) => Ok((StatusCode::CONFLICT, m)),
        WebError::PayloadTooLarge(m) => Ok((StatusCode::PAYLOAD_TOO_LARGE, m)),
        WebError::BadRequest(m) => Ok((StatusCode::BAD_REQUEST, m)),
        WebError::Unavailable(m) => Ok((StatusCode::SERVICE_UNAVAILABLE, m)),
        other => Err(other),
    }
}

/// `GET /admin/meetings/{id}/documents/{doc}`: a document's original, public or not.
pub async fn original(
    State(state): State<AppState>,
    DeskUser { staff, csrf: _ }: DeskUser,
    Path((id, doc)): Path<(i64, i64)>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::CoverMeetings)?;
    let (document, _) = state
        .store
        .meeting_document(DocumentId(doc))
        .await?
        .filter(|(d, _)| d.meeting_id == MeetingId(id))
        .ok_or(WebError::NotFound)?;
    let bytes = state
        .store
        .meeting_document_bytes(document.id)
        .await?
        .ok_or(WebError::NotFound)?;
    Ok(crate::site::bodies::original_response(
        &document, bytes, None,
    ))
}
