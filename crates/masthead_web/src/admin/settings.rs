//! Site settings, for admins: name, tagline, public address, time zone (from the list of
//! IANA zones), page size, the site's identity (logo and favicon from the media library,
//! accent colour, footer text and links, social profiles: see [`crate::identity`]), the
//! navigation order of sections, and whether editors and admins must use two-factor login.
//! A form with any bad field saves nothing and comes back as typed, naming the fix.
//!
//! Stored in the database so every app server shares them; they override the configuration
//! file. Saving bumps the content version, so every app server applies them (and empties its
//! caches) at its next poll, within a second: see `AppState::refresh`.

use super::csrf::Csrf;
use super::desk_user::DeskUser;
use super::form::FormData;
use super::media::{UploadForm, refused};
use super::view;
use crate::desk::Staff;
use crate::{AppState, WebError};
use crate::{identity, media_library};
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono_tz::Tz;
use masthead_core::{SectionId, SiteAction};
use masthead_render::{Value, context};

/// Checks a settings form; the error names the field.
pub fn validate(form: &FormData) -> Result<Vec<(&'static str, String)>, String> {
    let name = form.get("name").trim();
    if name.is_empty() || name.len() > 100 {
        return Err("Site name: give a name of up to 100 characters.".into());
    }
    let base_url = form.get("base_url").trim().trim_end_matches('/');
    if !(base_url.starts_with("https://") || base_url.starts_with("http://"))
        || base_url.contains(char::is_whitespace)
    {
        return Err(
            "Public address: give the full address readers use, e.g. https://news.example.org."
                .into(),
        );
    }
    let tz = form.get("timezone").trim();
    if tz.parse::<Tz>().is_err() {
        return Err(format!(
            "Time zone: \"{tz}\" is not a known zone; choose one from the list (zones are \
             named by region and city, like America/Chicago)."
        ));
    }
    let page_size: u32 = form
        .get("page_size")
        .trim()
        .parse()
        .ok()
        .filter(|n| (5..=100).contains(n))
        .ok_or("Page size: use a number from 5 to 100.")?;
    let logo = form.get("logo").trim();
    let logo_ok = logo.is_empty()
        || (logo.len() <= 500
            && !logo.contains(|c: char| c.is_whitespace() || c.is_control() || c == '"')
            && (media_name(logo).is_some() || logo.starts_with("https://")));
    if !logo_ok {
        return Err(
            "Logo: give the address of an image from the media library (it starts with /media/; \
             copy it from the Media page), a full https:// address, or leave it empty."
                .into(),
        );
    }
    let favicon = form.get("favicon").trim();
    if !favicon.is_empty() && media_name(favicon).is_none() {
        return Err(
            "Favicon: choose an image from the media library, or none for the default icon.".into(),
        );
    }
    let accent = identity::accent(form.get("accent"))?;
    let footer_text = identity::footer_text(form.get("footer_text"))?;
    let footer_links = identity::footer_links(form.get("footer_links"))?;
    let social = identity::social(form.get("social"))?;
    Ok(vec![
        ("logo", logo.to_owned()),
        ("favicon", favicon.to_owned()),
        ("accent", accent),
        ("footer_text", footer_text),
        ("footer_links", identity::links_text(&footer_links)),
        (
            "social",
            social
                .iter()
                .map(|l| l.url.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        ("name", name.to_owned()),
        ("tagline", form.get("tagline").trim().to_owned()),
        ("base_url", base_url.to_owned()),
        ("timezone", tz.to_owned()),
        ("page_size", page_size.to_string()),
        (
            "require_2fa",
            if form.get("require_2fa") == "1" {
                "1"
            } else {
                "0"
            }
            .to_owned(),
        ),
    ])
}

/// The file name in a media library address (`/media/NAME`, one path segment).
fn media_name(address: &str) -> Option<&str> {
    address
        .strip_prefix("/media/")
        .filter(|name| !name.is_empty() && !name.contains(['/', '?', '#']))
}

/// Checks that an image named from the media library (the logo, the favicon) is there and
/// is an image; `field` names it in the error.
async fn check_image(
    state: &AppState,
    field: &str,
    address: &str,
) -> Result<Result<(), String>, WebError> {
    let Some(name) = media_name(address) else {
        return Ok(Ok(()));
    };
    let found = state.store.media_content_type(name).await?;
    Ok(match found {
        Some(t) if t.starts_with("image/") => Ok(()),
        _ => Err(format!(
            "{field}: the media library has no image at {address}. Upload it on the Media \
             page, then choose it here."
        )),
    })
}

/// The sections' new navigation positions from the form's `position_ID` fields (a section
/// without one keeps its place).
fn section_order(
    form: &FormData,
    sections: &[masthead_store::Section],
) -> Result<Vec<(SectionId, i64)>, String> {
    let mut order = Vec::new();
    for section in sections {
        let typed = form.get(&format!("position_{}", section.id.0)).trim();
        if typed.is_empty() {
            continue;
        }
        let position = typed
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=999).contains(n))
            .ok_or_else(|| {
                format!(
                    "Navigation order: \"{typed}\" for {} is not a place in the menu; give \
                     each section a number from 1 to 999 (1 comes first).",
                    section.name
                )
            })?;
        order.push((section.id, position));
    }
    Ok(order)
}

/// The settings page: the stored values, or `submitted` as typed when they were refused.
async fn render(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    extra: Value,
    status: StatusCode,
    submitted: Option<&FormData>,
) -> Result<Response, WebError> {
    let stored = state.store.settings().await?;
    let c = &state.config();
    let get = |k: &str, default: String| match submitted {
        Some(form) => form.get(k).to_owned(),
        None => stored.get(k).cloned().unwrap_or(default),
    };
    let values = context! {
        name => get("name", c.name.clone()),
        tagline => get("tagline", c.tagline.clone()),
        base_url => get("base_url", c.base_url.clone()),
        timezone => get("timezone", c.timezone.name().to_owned()),
        page_size => get("page_size", c.page_size.to_string()),
        logo => get("logo", c.logo.clone()),
        favicon => get("favicon", String::new()),
        accent => get("accent", String::new()),
        footer_text => get("footer_text", String::new()),
        footer_links => get("footer_links", String::new()),
        social => get("social", String::new()),
        require_2fa => get("require_2fa", "0".into()) == "1",
    };
    let sections: Vec<Value> = state
        .store
        .sections()
        .await?
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let field = format!("position_{}", s.id.0);
            let position =
                submitted.map_or_else(|| (i + 1).to_string(), |f| f.get(&field).to_owned());
            context! { id => s.id.0, name => &s.name, field, position }
        })
        .collect();
    let media: Vec<Value> = state
        .store
        .list_media(200, 0)
        .await?
        .iter()
        .map(|m| {
            let address = format!("/media/{}", m.storage_name);
            let label = if m.alt.is_empty() {
                m.original_name.clone()
            } else {
                m.alt.clone()
            };
            context! { address, label }
        })
        .collect();
    let timezones: Vec<&str> = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name()).collect();
    view::page_with_status(
        state,
        staff,
        csrf,
        "settings.html",
        context! { values, sections, media, timezones, ..extra },
        status,
    )
}

/// `GET /admin/settings`
pub async fn show(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManageSettings)?;
    render(&state, &staff, &csrf, context! {}, StatusCode::OK, None).await
}

/// `POST /admin/settings`
pub async fn save(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    body: Bytes,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManageSettings)?;
    let form = FormData::parse(&body);
    let sections = state.store.sections().await?;
    let checked = match (validate(&form), section_order(&form, &sections)) {
        (Ok(values), Ok(order)) => {
            let logo = check_image(&state, "Logo", form.get("logo").trim()).await?;
            let favicon = check_image(&state, "Favicon", form.get("favicon").trim()).await?;
            logo.and(favicon).map(|()| (values, order))
        }
        (Err(m), _) | (_, Err(m)) => Err(m),
    };
    match checked {
        Ok((values, order)) => {
            let now = state.clock.now();
            state
                .store
                .save_settings_and_order(&values, &order, &staff.actor(), now)
                .await?;
            let m = "Saved. Every app server uses the new settings within a second.";
            render(
                &state,
                &staff,
                &csrf,
                context! { notice => m },
                StatusCode::OK,
                None,
            )
            .await
        }
        Err(m) => {
            render(
                &state,
                &staff,
                &csrf,
                context! { error => m },
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(&form),
            )
            .await
        }
    }
}

/// `POST /admin/settings/logo` and `/admin/settings/favicon`: a `multipart/form-data`
/// upload (parts `csrf` first, `file`, `alt`) into the media library, then used as the
/// site's logo or favicon at once; the other settings stay as they are. A refusal shows the
/// settings page with the upload's error and keeps nothing.
async fn upload_image(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    setting: &'static str,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::ManageSettings)?;
    let mut form = UploadForm::default();
    let read = match multipart {
        Ok(multipart) => form.read(multipart).await,
        Err(_) => Err((
            StatusCode::BAD_REQUEST,
            "The image did not arrive as a file form. Use the upload form on the settings page."
                .to_owned(),
        )),
    };
    let label = if setting == "logo" { "Logo" } else { "Favicon" };
    let uploaded = match read {
        Err((status, message)) => Err(refused(status, message)),
        Ok(()) if form.bytes.is_empty() => Err(WebError::Unprocessable(format!(
            "{label}: choose an image file to upload."
        ))),
        Ok(()) => {
            let alt = match form.text.alt.trim() {
                "" => format!("{} {}", state.config().name, label.to_lowercase()),
                alt => alt.to_owned(),
            };
            let text = masthead_store::MediaText {
                alt,
                ..masthead_store::MediaText::default()
            };
            media_library::upload(state, staff, &form.file_name, form.bytes, &text).await
        }
    };
    let (error, status) = match uploaded {
        Ok(id) => {
            let item = state.store.media_item(id).await?;
            let address = format!("/media/{}", item.storage_name);
            let now = state.clock.now();
            state
                .store
                .save_settings(&[(setting, address)], &staff.actor(), now)
                .await?;
            let m =
                format!("{label} uploaded and in use. Every app server shows it within a second.");
            return render(
                state,
                staff,
                csrf,
                context! { notice => m },
                StatusCode::OK,
                None,
            )
            .await;
        }
        Err(WebError::Unprocessable(m)) => (m, StatusCode::UNPROCESSABLE_ENTITY),
        Err(WebError::BadRequest(m)) => (m, StatusCode::BAD_REQUEST),
        Err(WebError::PayloadTooLarge(m)) => (m, StatusCode::PAYLOAD_TOO_LARGE),
        Err(e) => return Err(e),
    };
    let error = format!("The {} was not changed: {error}", label.to_lowercase());
    render(state, staff, csrf, context! { error }, status, None).await
}

/// `POST /admin/settings/logo`
pub async fn upload_logo(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    upload_image(&state, &staff, &csrf, "logo", multipart).await
}

/// `POST /admin/settings/favicon`
pub async fn upload_favicon(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    upload_image(&state, &staff, &csrf, "favicon", multipart).await
}
