//! Site settings, for admins: name, tagline, public address, time zone, page size, the logo
//! search engines show, and whether editors and admins must use two-factor login.
//!
//! Stored in the database so every app server shares them; they override the configuration
//! file. Saving bumps the content version, so every app server applies them (and empties its
//! caches) at its next poll, within a second: see `AppState::refresh`.

use super::csrf::Csrf;
use super::desk_user::DeskUser;
use super::form::FormData;
use super::view;
use crate::desk::Staff;
use crate::{AppState, WebError};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use chrono_tz::Tz;
use masthead_core::SiteAction;
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
            "Time zone: \"{tz}\" is not a known zone; use a name like America/Chicago."
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
    Ok(vec![
        ("logo", logo.to_owned()),
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

/// Checks that a logo in the media library is there and is an image.
async fn check_logo(state: &AppState, logo: &str) -> Result<Result<(), String>, WebError> {
    let Some(name) = media_name(logo) else {
        return Ok(Ok(()));
    };
    let found = state.store.media_content_type(name).await?;
    Ok(match found {
        Some(t) if t.starts_with("image/") => Ok(()),
        _ => Err(format!(
            "Logo: the media library has no image at {logo}. Upload it on the Media page \
             and copy its address from there."
        )),
    })
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
        require_2fa => get("require_2fa", "0".into()) == "1",
    };
    view::page_with_status(
        state,
        staff,
        csrf,
        "settings.html",
        context! { values, ..extra },
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
    let checked = match validate(&form) {
        Ok(values) => match check_logo(&state, form.get("logo").trim()).await? {
            Ok(()) => Ok(values),
            Err(m) => Err(m),
        },
        Err(m) => Err(m),
    };
    match checked {
        Ok(values) => {
            let now = state.clock.now();
            state
                .store
                .save_settings(&values, &staff.actor(), now)
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
