//! The public event submission form (`/events/submit`): a reader proposes an event, which
//! is held for an editor (nothing is published, and no cached page changes).
//!
//! Spam defence in layers, each answered with the form again, as typed, and a message that
//! says what to do:
//! - a honeypot field people do not see (filled in: a robot, told "thanks", nothing stored);
//! - a signed fill-time token (`masthead_core::form_token`): sent back sooner than a person
//!   could, altered, older than three hours, or already used once (its nonce is stored with
//!   the event, in one transaction), and the form is refused;
//! - a limit per address (`PER_ADDRESS` posts in `WINDOW`, counted in the database so app
//!   servers share it): past it, `429` with `Retry-After` and the form kept;
//! - the event rules (`masthead_core::event_fields`) on every field.
//!
//! The form page carries a fresh token, so it is never kept by the page cache (`no-store`).

use crate::client::client_ip;
use crate::event_form::{EventForm, errors_value, zones};
use crate::render::render_page;
use crate::site::events::views;
use crate::{AppState, WebError};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Extensions, HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::Duration;
use masthead_core::form_token::{self, TokenProblem};
use masthead_core::{DateWindow, InvalidInput};
use masthead_render::context;

/// Posts one address may make in [`WINDOW`].
const PER_ADDRESS: i64 = 8;
/// The window the limit counts in.
const WINDOW: Duration = Duration::minutes(10);
/// The largest form body taken (a description past its limit still comes back to its
/// writer, refused, rather than lost to a bare 413).
pub(crate) const MAX_FORM: usize = 256 * 1024;

/// The scope of the form's tokens (`form_token`): one form for the whole site.
const SCOPE: &str = "event";

/// Renders the form with `form`'s values, `errors` and a fresh token, with `status`.
async fn form_page(
    state: &AppState,
    form: &EventForm,
    errors: &[InvalidInput],
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let key = state.store.form_key().await?;
    let token = form_token::issue(key.as_bytes(), SCOPE, state.clock.now());
    let mut form = form.clone();
    if form.draft.timezone.is_empty() {
        form.draft.timezone = state.config().timezone.name().to_owned();
    }
    let html = render_page(
        state,
        "event_submit.html",
        context! {
            form => form.value(),
            errors => errors_value(errors),
            notice,
            token,
            zones => zones(),
            views => views(state),
            canonical => format!("{}/events/submit", state.config().base_url),
        },
    )
    .await?;
    Ok((status, Html(html)).into_response())
}

/// `GET /events/submit`
pub async fn show(State(state): State<AppState>) -> Result<Response, WebError> {
    form_page(&state, &EventForm::default(), &[], None, StatusCode::OK).await
}

/// `GET /events/submit/thanks`
pub async fn thanks(State(state): State<AppState>) -> Result<Response, WebError> {
    let html = render_page(
        &state,
        "event_thanks.html",
        context! { views => views(&state) },
    )
    .await?;
    Ok(Html(html).into_response())
}

/// `POST /events/submit`
pub async fn submit(
    State(state): State<AppState>,
    extensions: Extensions,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let now = state.clock.now();
    let (form, pairs) = EventForm::parse(&body);
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let address = client_ip(&state, &extensions, &headers);
    let (posts, window_start) = state
        .store
        .count_attempt(&format!("event-form:{address}"), WINDOW, now)
        .await?;
    if posts > PER_ADDRESS {
        let wait = (window_start + WINDOW - now).num_seconds().max(1);
        let minutes = (wait + 59) / 60;
        let mut response = form_page(
            &state,
            &form,
            &[],
            Some(format!(
                "You have sent this form many times in a few minutes. Wait {minutes} minute{} \
                 and send it again; your text is kept below.",
                if minutes == 1 { "" } else { "s" }
            )),
            StatusCode::TOO_MANY_REQUESTS,
        )
        .await?;
        if let Ok(v) = HeaderValue::from_str(&wait.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return Ok(response);
    }
    if !field("website").is_empty() {
        // The honeypot: only robots fill in a field people cannot see. Tell them nothing.
        return Ok(Redirect::to("/events/submit/thanks").into_response());
    }
    let key = state.store.form_key().await?;
    let token = form_token::check(key.as_bytes(), SCOPE, field("token"), now);
    let mut errors = match form.check(DateWindow::submission(now)) {
        Ok(_) => Vec::new(),
        Err(e) => e,
    };
    if form.draft.contact.trim().is_empty() {
        errors.push(InvalidInput::new(
            "Organiser contact",
            "required: an email address or phone number the editors can use to check the \
             event (it is never published)",
        ));
    }
    let token = match token {
        Ok(t) => t,
        Err(problem) => {
            let notice = match problem {
                TokenProblem::Invalid => {
                    "This form did not come from our page, or it was changed on the way. Check \
                     your event below and send it again."
                }
                TokenProblem::TooQuick => {
                    "That was sent faster than anyone could type it. Check your event below and \
                     send it again."
                }
                TokenProblem::Expired => {
                    "The form was open for more than three hours. Check your event below and \
                     send it again."
                }
            };
            return form_page(
                &state,
                &form,
                &errors,
                Some(notice.to_owned()),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let fields = match form.check(DateWindow::submission(now)) {
        Ok(f) if errors.is_empty() => f,
        _ => {
            return form_page(
                &state,
                &form,
                &errors,
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match state.store.submit_event(&fields, &token.nonce, now).await? {
        Some(_) => Ok(Redirect::to("/events/submit/thanks").into_response()),
        None => {
            form_page(
                &state,
                &form,
                &[],
                Some(
                    "This form was already sent once, and that event is with our editors. To \
                     submit another event, check the text below and send it again."
                        .to_owned(),
                ),
                StatusCode::CONFLICT,
            )
            .await
        }
    }
}
