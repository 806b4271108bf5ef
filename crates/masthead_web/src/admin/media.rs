//! The media library at `/admin/media`: upload images and describe them (alt text and
//! credit), without JavaScript.
//!
//! The upload form is `multipart/form-data` whose first field is the CSRF token (the session
//! guard reads only that part, see `multipart_csrf`; never the address). A refused upload
//! shows the page again with the reason and what was typed; a stored one redirects back
//! (303) with a notice. The rules themselves live in [`crate::media_library`].
//!
//! The editor's script uploads through the same route and asks for JSON
//! (`Accept: application/json`): it gets the stored image's address and the Markdown to
//! insert (201), or `{"error": ...}` with the status the page would have had. Each image
//! also has a focal point (`POST /admin/media/{id}/focus`, percent fields `x` and `y`; the
//! library's script fills them from a click on the image).

use super::csrf::Csrf;
use super::desk_user::DeskUser;
use super::form::FormData;
use super::view;
use crate::desk::Staff;
use crate::media_library::{self, LIMITS, MAX_ALT, MAX_CAPTION, MAX_CREDIT};
use crate::{AppState, WebError};
use axum::Json;
use axum::body::Bytes;
use axum::extract::multipart::{Field, MultipartError, MultipartRejection};
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use masthead_core::{MediaId, SiteAction};
use masthead_media::{Focus, variant_name};
use masthead_render::{context, ser};
use masthead_store::{MediaItem, MediaText, StoreError};
use serde::{Deserialize, Serialize};

/// Images on one page of the library.
const PER_PAGE: u32 = 48;

/// The width of the variant used as a thumbnail, when the image has one.
const THUMB_WIDTH: u32 = 320;

/// The list's query: the page, and which image was just uploaded or saved (for the notice).
#[derive(Debug, Deserialize)]
pub struct ListQuery {
    page: Option<u32>,
    uploaded: Option<i64>,
    saved: Option<i64>,
    focused: Option<i64>,
}

/// What the page shows besides the library: a notice or error, and the forms' typed values.
#[derive(Debug, Default)]
struct PageState {
    page: u32,
    notice: Option<String>,
    error: Option<String>,
    upload: MediaText,
    /// An image's form that failed: its id, the typed text, and the reason.
    edit: Option<(MediaId, MediaText, String)>,
}

/// One image as the grid shows it.
#[derive(Debug, Serialize)]
struct Tile<'a> {
    #[serde(flatten)]
    item: &'a MediaItem,
    thumb: String,
    thumb_width: i64,
    thumb_height: i64,
    form: &'a MediaText,
    error: Option<&'a str>,
    /// Whether the viewer may change its alt text and credit (else they are shown only).
    can_edit: bool,
}

/// The file shown as an image's thumbnail (its 320-pixel copy when it has one) and that
/// copy's width and height.
pub(super) fn thumb_of(item: &MediaItem) -> (String, i64, i64) {
    if item.variants.contains(&THUMB_WIDTH) && item.width > 0 {
        let width = i64::from(THUMB_WIDTH);
        (
            variant_name(&item.storage_name, THUMB_WIDTH),
            width,
            // The pipeline keeps the aspect ratio; this only sizes the box.
            (item.height * width + item.width / 2) / item.width,
        )
    } else {
        (item.storage_name.clone(), item.width, item.height)
    }
}

impl<'a> Tile<'a> {
    fn new(
        item: &'a MediaItem,
        stored: &'a MediaText,
        edit: Option<&'a (MediaId, MediaText, String)>,
        can_edit: bool,
    ) -> Self {
        let (thumb, thumb_width, thumb_height) = thumb_of(item);
        let (form, error) = match edit {
            Some((id, text, error)) if *id == item.id => (text, Some(error.as_str())),
            _ => (stored, None),
        };
        Tile {
            item,
            thumb,
            thumb_width,
            thumb_height,
            form,
            error,
            can_edit,
        }
    }
}

/// An image's stored words, as its form starts.
fn stored_text(item: &MediaItem) -> MediaText {
    MediaText {
        alt: item.alt.clone(),
        credit: item.credit.clone(),
        caption: item.caption.clone(),
    }
}

async fn render(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    page: PageState,
    status: StatusCode,
) -> Result<Response, WebError> {
    let page_num = page.page.max(1);
    let offset = u64::from(page_num - 1) * u64::from(PER_PAGE);
    let mut items = state.store.list_media(PER_PAGE + 1, offset).await?;
    if page_num > 1 && items.is_empty() {
        return Err(WebError::NotFound);
    }
    let has_more = items.len() > PER_PAGE as usize;
    items.truncate(PER_PAGE as usize);
    let stored: Vec<MediaText> = items.iter().map(stored_text).collect();
    let tiles: Vec<Tile<'_>> = items
        .iter()
        .zip(&stored)
        .map(|(item, text)| Tile::new(item, text, page.edit.as_ref(), staff.can_edit_media(item)))
        .collect();
    let prev_url = match page_num {
        1 => None,
        2 => Some("/admin/media".to_owned()),
        n => Some(format!("/admin/media?page={}", n - 1)),
    };
    let next_url = has_more.then(|| format!("/admin/media?page={}", page_num + 1));
    let ctx = context! {
        items => ser(&tiles),
        page_num,
        prev_url,
        next_url,
        max_alt => MAX_ALT,
        max_credit => MAX_CREDIT,
        max_caption => MAX_CAPTION,
        notice => page.notice,
        error => page.error,
        upload => context! {
            alt => page.upload.alt,
            credit => page.upload.credit,
            caption => page.upload.caption,
        },
    };
    view::page_with_status(state, staff, csrf, "media.html", ctx, status)
}

/// `GET /admin/media`: the upload form and the library, newest first.
pub async fn list(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::UploadMedia)?;
    // The notice is chosen here, never taken from the address.
    let notice = if let Some(id) = query.uploaded {
        let item = match state.store.media_item(MediaId(id)).await {
            Ok(item) => Some(item),
            Err(StoreError::NotFound) => None,
            Err(e) => return Err(e.into()),
        };
        Some(match item {
            Some(item) if item.alt.is_empty() => {
                "Image uploaded. Write its alt text below before using it as a lead image."
            }
            _ => "Image uploaded.",
        })
    } else if query.focused.is_some() {
        Some("Focal point saved. The cropped copies follow it now.")
    } else {
        query.saved.map(|_| "Alt text, credit and caption saved.")
    };
    let page = PageState {
        page: query.page.unwrap_or(1),
        notice: notice.map(str::to_owned),
        ..PageState::default()
    };
    render(&state, &staff, &csrf, page, StatusCode::OK).await
}

/// `POST /admin/media`: a `multipart/form-data` upload with parts `csrf` (first), `file`,
/// `alt`, `credit` and `caption`. Answers JSON when the request accepts only that.
pub async fn upload(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    if wants_json(&headers) {
        return Ok(upload_json(&state, &staff, multipart).await);
    }
    staff.require(SiteAction::UploadMedia)?;
    let mut form = UploadForm::default();
    let read = match multipart {
        Ok(multipart) => form.read(multipart).await,
        Err(_) => Err((
            StatusCode::BAD_REQUEST,
            "The upload did not arrive as a file form. Use the form below to choose an image."
                .to_owned(),
        )),
    };
    let result = match read {
        Ok(()) => {
            media_library::upload(&state, &staff, &form.file_name, form.bytes, &form.text).await
        }
        Err((status, message)) => Err(refused(status, message)),
    };
    match result {
        Ok(id) => Ok(
            Redirect::to(&format!("/admin/media?uploaded={}#media-{}", id.0, id.0)).into_response(),
        ),
        Err(error) => {
            let Some((status, message)) = shown_on_page(&error) else {
                return Err(error);
            };
            let page = PageState {
                page: 1,
                error: Some(message),
                upload: form.text,
                ..PageState::default()
            };
            render(&state, &staff, &csrf, page, status).await
        }
    }
}

/// `POST /admin/media/{id}`: saves an image's alt text, credit and caption (urlencoded
/// `alt`, `credit`, `caption`, and the `page` to return to).
pub async fn update(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let form = FormData::parse(&body);
    let id = MediaId(id);
    let page: u32 = form.get("page").parse().unwrap_or(1).max(1);
    let text = MediaText {
        alt: form.get("alt").to_owned(),
        credit: form.get("credit").to_owned(),
        caption: form.get("caption").to_owned(),
    };
    match media_library::update_text(&state, &staff, id, &text).await {
        Ok(()) => {
            let page_query = if page > 1 {
                format!("page={page}&")
            } else {
                String::new()
            };
            Ok(Redirect::to(&format!(
                "/admin/media?{page_query}saved={}#media-{}",
                id.0, id.0
            ))
            .into_response())
        }
        Err(WebError::Unprocessable(message)) => {
            let page = PageState {
                page,
                error: Some(format!("The image's text was not saved: {message}")),
                edit: Some((id, text, message)),
                ..PageState::default()
            };
            render(
                &state,
                &staff,
                &csrf,
                page,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(error) => Err(error),
    }
}

/// `POST /admin/media/{id}/focus`: sets an image's focal point (urlencoded `x` and `y`, in
/// percent, and the `page` to return to). The library's script fills them from a click.
pub async fn focus(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    let form = FormData::parse(&body);
    let id = MediaId(id);
    let page: u32 = form.get("page").parse().unwrap_or(1).max(1);
    let percent = |name| {
        form.get(name)
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
    };
    let point = match (percent("x"), percent("y")) {
        // Rounded to whole percent; a click lands between them.
        (Some(x), Some(y)) => Focus::new(x.round() as i64, y.round() as i64),
        _ => None,
    };
    let Some(point) = point else {
        let message = "Focal point: give two numbers from 0 to 100, the percent of the width \
                       from the left edge and of the height from the top (50 and 50 is the centre)."
            .to_owned();
        let item = state.store.media_item(id).await?;
        let page = PageState {
            page,
            error: Some(message.clone()),
            edit: Some((id, stored_text(&item), message)),
            ..PageState::default()
        };
        return render(
            &state,
            &staff,
            &csrf,
            page,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    };
    media_library::set_focus(&state, &staff, id, point).await?;
    let page_query = if page > 1 {
        format!("page={page}&")
    } else {
        String::new()
    };
    Ok(Redirect::to(&format!(
        "/admin/media?{page_query}focused={}#media-{}",
        id.0, id.0
    ))
    .into_response())
}

/// Whether the request asks for JSON only (the editor's script), not a page.
fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// The editor's upload: the same form and rules, answered with JSON.
async fn upload_json(
    state: &AppState,
    staff: &Staff,
    multipart: Result<Multipart, MultipartRejection>,
) -> Response {
    let mut form = UploadForm::default();
    let read = match multipart {
        Ok(multipart) => form.read(multipart).await,
        Err(_) => Err((
            StatusCode::BAD_REQUEST,
            "The upload did not arrive as a file form. Choose the image again.".to_owned(),
        )),
    };
    let stored = match read {
        Ok(()) => {
            media_library::upload(state, staff, &form.file_name, form.bytes, &form.text).await
        }
        Err((status, message)) => Err(refused(status, message)),
    };
    let item = match stored {
        Ok(id) => state.store.media_item(id).await.map_err(WebError::from),
        Err(error) => Err(error),
    };
    match item {
        Ok(item) => (StatusCode::CREATED, Json(Uploaded::from(&item))).into_response(),
        Err(error) => {
            let (status, message) = shown_on_page(&error).unwrap_or_else(|| match &error {
                WebError::Forbidden(m) => (StatusCode::FORBIDDEN, m.clone()),
                _ => {
                    // Logged once, as the error page would.
                    tracing::error!(error = %error, "an upload from the editor failed");
                    (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "The image could not be stored because of a problem on the server. \
                         Your text is untouched; try the upload again in a moment."
                            .to_owned(),
                    )
                }
            });
            (status, Json(serde_json::json!({ "error": message }))).into_response()
        }
    }
}

/// A stored image as the editor's script receives it.
#[derive(Debug, Serialize)]
struct Uploaded {
    id: i64,
    url: String,
    thumb: String,
    width: i64,
    height: i64,
    alt: String,
    caption: String,
    /// The Markdown that places the image in a story.
    markdown: String,
}

impl From<&MediaItem> for Uploaded {
    fn from(item: &MediaItem) -> Self {
        let url = format!("/media/{}", item.storage_name);
        Uploaded {
            id: item.id.0,
            thumb: format!("/media/{}", thumb_of(item).0),
            width: item.width,
            height: item.height,
            markdown: masthead_desk::media::image_markdown(&item.alt, &url, &item.caption),
            alt: item.alt.clone(),
            caption: item.caption.clone(),
            url,
        }
    }
}

/// The parts of an upload form, as read.
#[derive(Debug, Default)]
pub(crate) struct UploadForm {
    pub(crate) file_name: String,
    pub(crate) bytes: Vec<u8>,
    pub(crate) text: MediaText,
}

impl UploadForm {
    /// Reads every part. The file is kept up to one byte over the size limit (so the
    /// pipeline can say it is too large) and the rest of it is read and dropped, so that the
    /// alt text and credit after it are still kept for the page shown again.
    pub(crate) async fn read(
        &mut self,
        mut multipart: Multipart,
    ) -> Result<(), (StatusCode, String)> {
        while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
            match field.name().unwrap_or_default() {
                "file" => {
                    self.file_name = field.file_name().unwrap_or_default().to_owned();
                    self.bytes = read_capped(field, LIMITS.max_bytes + 1).await?;
                }
                // Any text over four bytes a character past the limit is over the limit.
                "alt" => self.text.alt = text(read_capped(field, MAX_ALT * 4 + 4).await?),
                "credit" => {
                    self.text.credit = text(read_capped(field, MAX_CREDIT * 4 + 4).await?);
                }
                "caption" => {
                    self.text.caption = text(read_capped(field, MAX_CAPTION * 4 + 4).await?);
                }
                // The CSRF token (checked by the guard) and anything else.
                _ => {
                    read_capped(field, 0).await?;
                }
            }
        }
        Ok(())
    }
}

/// A part's bytes, at most `cap` of them; the rest is read and dropped.
pub(crate) async fn read_capped(
    mut field: Field<'_>,
    cap: usize,
) -> Result<Vec<u8>, (StatusCode, String)> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        let room = cap.saturating_sub(bytes.len());
        bytes.extend_from_slice(&chunk[..chunk.len().min(room)]);
    }
    Ok(bytes)
}

pub(crate) fn text(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).into_owned()
}

fn multipart_error(error: MultipartError) -> (StatusCode, String) {
    let status = error.status();
    let message = if status == StatusCode::PAYLOAD_TOO_LARGE {
        format!(
            "File: the upload is larger than {} MB; make the image smaller and upload it again.",
            LIMITS.max_bytes / (1024 * 1024)
        )
    } else {
        "The upload did not arrive complete. Choose the image and upload it again.".to_owned()
    };
    (status, message)
}

/// A refusal while reading the form, as the error the page shows.
pub(crate) fn refused(status: StatusCode, message: String) -> WebError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        WebError::PayloadTooLarge(message)
    } else {
        WebError::BadRequest(message)
    }
}

/// The status and message for errors the upload form shows above itself (including an
/// unreachable object store, 503); others (no permission, other storage failures) get the
/// usual error page.
fn shown_on_page(error: &WebError) -> Option<(StatusCode, String)> {
    match error {
        WebError::Unprocessable(m) => Some((StatusCode::UNPROCESSABLE_ENTITY, m.clone())),
        WebError::PayloadTooLarge(m) => Some((StatusCode::PAYLOAD_TOO_LARGE, m.clone())),
        WebError::BadRequest(m) => Some((StatusCode::BAD_REQUEST, m.clone())),
        // The object store is down: the form comes back with what was typed (the detail
        // goes to the log).
        WebError::MediaUnavailable(detail) => {
            tracing::warn!(error = %detail, "an upload failed: media storage is unreachable");
            Some((
                StatusCode::SERVICE_UNAVAILABLE,
                "The image storage cannot be reached right now, so nothing was saved. Your \
                 text is kept; try the upload again in a minute."
                    .to_owned(),
            ))
        }
        _ => None,
    }
}
