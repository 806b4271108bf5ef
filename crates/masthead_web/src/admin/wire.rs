//! The wire desk's sources page, for editors and admins (those who may publish anyone's
//! story: a source in auto mode publishes): each source's settings and what its fetches
//! came to, "Pull now" (the ingest's own pull through the server's one [`Fetcher`]), add,
//! change and remove. The address check at add is the fetcher's own, as at `wire add`.
//!
//! [`Fetcher`]: masthead_fetch::Fetcher

use super::csrf::Csrf;
use super::desk_user::DeskUser;
use super::form::FormData;
use super::view;
use crate::desk::Staff;
use crate::{AppState, WebError};
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Duration;
use masthead_core::{Role, Slug, WireSourceId};
use masthead_render::{Value, context, ser};
use masthead_store::{StoreError, WireMode, WireSource, WireSourceSettings};
use masthead_wire::{Ingest, SourceRules, rules_text};
use std::collections::BTreeMap;

/// Editors and admins only: who may publish anyone's story.
pub(super) fn require_editor(staff: &Staff) -> Result<(), WebError> {
    if staff.role.at_least(Role::Editor) {
        Ok(())
    } else {
        Err(WebError::Forbidden(format!(
            "Your role ({}) does not allow this: the wire desk is for editors and admins, who \
             may publish. Ask an editor if you need a wire story.",
            staff.role
        )))
    }
}

/// A source as the page lists it.
#[derive(serde::Serialize)]
struct Row {
    #[serde(flatten)]
    source: WireSource,
    interval_minutes: i64,
    section: String,
    last_fetch: Option<String>,
}

fn row(source: WireSource, tz: chrono_tz::Tz) -> Row {
    let rules: SourceRules = serde_json::from_str(&source.rules_json).unwrap_or_default();
    Row {
        interval_minutes: source.interval_secs / 60,
        section: rules
            .default_section
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        last_fetch: source
            .last_fetch_at
            .map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()),
        source,
    }
}

/// The errors of a source's form, by field.
type Errors = BTreeMap<&'static str, String>;

/// The form's fields (the templates are strict: each is there, empty if not typed).
const FIELDS: &[&str] = &[
    "url",
    "name",
    "section",
    "mode",
    "interval",
    "byline_template",
    "attribution",
    "expire_days",
    "canonical",
    "headline_editable",
    "no_derivatives",
    "pass_tracking_pixel",
    "section_rules",
    "include_keywords",
    "exclude_keywords",
    "categories_as_tags",
    "enabled",
];

/// Fields with an error message of their own, and "form" for the rest.
const ERROR_FIELDS: &[&str] = &[
    "url",
    "name",
    "section",
    "mode",
    "interval",
    "expire_days",
    "section_rules",
    "include_keywords",
    "exclude_keywords",
    "form",
];

/// The form as the template reads it: every field, as typed or empty.
fn form_value(form: &FormData) -> Value {
    let map: BTreeMap<&str, &str> = FIELDS.iter().map(|f| (*f, form.get(f))).collect();
    ser(&map)
}

/// The errors as the template reads them: every field, its message or empty.
fn errors_value(errors: &Errors) -> Value {
    let map: BTreeMap<&str, &str> = ERROR_FIELDS
        .iter()
        .map(|f| (*f, errors.get(f).map(String::as_str).unwrap_or("")))
        .collect();
    ser(&map)
}

async fn render(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    extra: Value,
    status: StatusCode,
) -> Result<Response, WebError> {
    let tz = state.config().timezone;
    let sources: Vec<Row> = state
        .store
        .wire_sources()
        .await?
        .into_iter()
        .map(|s| row(s, tz))
        .collect();
    let sections = state.store.sections().await?;
    let ctx = context! { sources => ser(&sources), sections => ser(&sections), ..extra };
    view::page_with_status(state, staff, csrf, "wire.html", ctx, status)
}

/// What the list page says after an action.
#[derive(serde::Deserialize, Default)]
pub struct Done {
    pulled: Option<i64>,
    removed: Option<String>,
}

/// `GET /admin/wire`
pub async fn list(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Query(done): Query<Done>,
) -> Result<Response, WebError> {
    require_editor(&staff)?;
    let notice = match (done.pulled, done.removed) {
        (Some(id), _) => match state.store.wire_source(WireSourceId(id)).await {
            Ok(s) => Some(format!(
                "Pulled {}: its last fetch is below{}.",
                s.name,
                if s.last_error.is_empty() {
                    String::new()
                } else {
                    format!(" (it failed: {})", s.last_error)
                }
            )),
            Err(_) => None,
        },
        (None, Some(name)) => Some(format!(
            "Removed the source {name}. Its stories stay in the desk."
        )),
        _ => None,
    };
    let form = defaults();
    render(
        &state,
        &staff,
        &csrf,
        context! { notice, form => form_value(&form), errors => errors_value(&Errors::new()) },
        StatusCode::OK,
    )
    .await
}

/// The add form's starting values.
fn defaults() -> FormData {
    let rules = SourceRules::default();
    FormData::from_pairs(vec![
        ("mode".into(), "review".into()),
        ("interval".into(), "15".into()),
        ("byline_template".into(), rules.byline_template),
        ("headline_editable".into(), "on".into()),
        ("categories_as_tags".into(), "on".into()),
    ])
}

/// The form of an existing source.
fn form_of(source: &WireSource) -> FormData {
    let rules: SourceRules = serde_json::from_str(&source.rules_json).unwrap_or_default();
    let mut pairs: Vec<(String, String)> = vec![
        ("url".into(), source.url.clone()),
        ("name".into(), source.name.clone()),
        (
            "section".into(),
            rules
                .default_section
                .as_ref()
                .map(|s| s.as_str().to_owned())
                .unwrap_or_default(),
        ),
        ("mode".into(), source.mode.as_str().into()),
        ("interval".into(), (source.interval_secs / 60).to_string()),
        ("byline_template".into(), rules.byline_template.clone()),
        ("attribution".into(), rules.licence.attribution.clone()),
        (
            "expire_days".into(),
            rules
                .licence
                .expire_after_days
                .map(|d| d.to_string())
                .unwrap_or_default(),
        ),
        (
            "section_rules".into(),
            rules_text::section_rules_to_text(&rules.sections),
        ),
        (
            "include_keywords".into(),
            rules_text::keywords_to_text(&rules.include_keywords),
        ),
        (
            "exclude_keywords".into(),
            rules_text::keywords_to_text(&rules.exclude_keywords),
        ),
    ];
    let flag = |on: bool, name: &str, pairs: &mut Vec<(String, String)>| {
        if on {
            pairs.push((name.into(), "on".into()));
        }
    };
    flag(rules.licence.canonical_to_original, "canonical", &mut pairs);
    flag(
        rules.licence.headline_editable,
        "headline_editable",
        &mut pairs,
    );
    flag(rules.licence.no_derivatives, "no_derivatives", &mut pairs);
    flag(
        rules.licence.pass_tracking_pixel,
        "pass_tracking_pixel",
        &mut pairs,
    );
    flag(rules.categories_as_tags, "categories_as_tags", &mut pairs);
    flag(source.enabled, "enabled", &mut pairs);
    FormData::from_pairs(pairs)
}

/// Reads the form into settings over `rules` (a source's current ones, kept where the form
/// has no field); every field's error at once.
async fn settings_of(
    state: &AppState,
    form: &FormData,
    mut rules: SourceRules,
    enabled: bool,
) -> Result<WireSourceSettings, WebError> {
    let mut errors = Errors::new();
    let name = form.get("name").trim().to_owned();
    if name.is_empty() || name.chars().count() > 100 {
        errors.insert(
            "name",
            "Write a name of 1 to 100 characters, e.g. \"Prairie State News\".".into(),
        );
    }
    let url = form.get("url").trim().to_owned();
    if url.is_empty() {
        errors.insert(
            "url",
            "Write the feed's address, e.g. https://example.org/feed.xml.".into(),
        );
    } else {
        match &state.fetcher {
            Some(fetcher) => {
                if let Err(e) = fetcher.check_address(&url).await {
                    errors.insert("url", format!("This address is refused: {e}."));
                }
            }
            None => {
                errors.insert(
                    "url",
                    "This server has no outbound client to check the address with; ask the \
                     operator to look at its log."
                        .into(),
                );
            }
        }
    }
    let known: Vec<String> = state
        .store
        .sections()
        .await?
        .into_iter()
        .map(|s| s.slug)
        .collect();
    let section = form.get("section").trim();
    rules.default_section = None;
    if !section.is_empty() {
        match Slug::parse(section) {
            Ok(slug) if known.iter().any(|s| s == slug.as_str()) => {
                rules.default_section = Some(slug);
            }
            _ => {
                errors.insert(
                    "section",
                    format!(
                        "There is no section {section:?}: choose one of the list (or none, and \
                         rules by category decide)."
                    ),
                );
            }
        }
    }
    let mode = match WireMode::parse(form.get("mode")) {
        Ok(m) => m,
        Err(e) => {
            errors.insert("mode", format!("{}.", e.message));
            WireMode::Review
        }
    };
    let interval = match form.get("interval").trim().parse::<i64>() {
        Ok(m) if (1..=360).contains(&m) => Duration::minutes(m),
        _ => {
            errors.insert(
                "interval",
                format!(
                    "{:?} is not a number of minutes between 1 and 360 (six hours); 15 suits most wires.",
                    form.get("interval")
                ),
            );
            Duration::minutes(15)
        }
    };
    let template = form.get("byline_template").trim();
    rules.byline_template = if template.is_empty() {
        masthead_wire::DEFAULT_BYLINE_TEMPLATE.into()
    } else {
        template.to_owned()
    };
    rules.wire_name = name.clone();
    rules.licence.attribution = form.get("attribution").trim().to_owned();
    rules.licence.canonical_to_original = !form.get("canonical").is_empty();
    rules.licence.headline_editable = !form.get("headline_editable").is_empty();
    rules.licence.no_derivatives = !form.get("no_derivatives").is_empty();
    rules.licence.pass_tracking_pixel = !form.get("pass_tracking_pixel").is_empty();
    rules.categories_as_tags = !form.get("categories_as_tags").is_empty();
    match rules_text::section_rules_from_text(form.get("section_rules"), &known) {
        Ok(r) => rules.sections = r,
        Err(e) => {
            errors.insert("section_rules", format!("{}.", capitalised(&e)));
        }
    }
    for (field, list) in [
        ("include_keywords", &mut rules.include_keywords),
        ("exclude_keywords", &mut rules.exclude_keywords),
    ] {
        match rules_text::keywords_from_text(form.get(field)) {
            Ok(k) => *list = k,
            Err(e) => {
                errors.insert(field, format!("{}.", capitalised(&e)));
            }
        }
    }
    let days = form.get("expire_days").trim();
    rules.licence.expire_after_days = if days.is_empty() {
        None
    } else {
        match days.parse::<u32>() {
            Ok(d) if (1..=3650).contains(&d) => Some(d),
            _ => {
                errors.insert(
                    "expire_days",
                    format!("{days:?} is not a number of days from 1 to 3650; leave it empty to keep stories."),
                );
                None
            }
        }
    };
    if !errors.is_empty() {
        return Err(WebError::Unprocessable(
            serde_json::to_string(&errors).unwrap_or_default(),
        ));
    }
    let rules_json =
        serde_json::to_string(&rules).map_err(|e| WebError::internal("the source's rules", e))?;
    Ok(WireSourceSettings {
        name,
        url,
        rules_json,
        mode,
        interval,
        enabled,
    })
}

/// `text` with its first letter upper-case.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The errors of [`settings_of`] back from their message (a JSON map by field), or a
/// store's refusal as one message.
fn errors_of(message: &str) -> Errors {
    serde_json::from_str::<BTreeMap<String, String>>(message)
        .map(|m| m.into_iter().map(|(k, v)| (field_name(&k), v)).collect())
        .unwrap_or_else(|_| Errors::from([("form", message.to_owned())]))
}

fn field_name(k: &str) -> &'static str {
    match k {
        "name" => "name",
        "url" => "url",
        "section" => "section",
        "mode" => "mode",
        "interval" => "interval",
        "expire_days" => "expire_days",
        "section_rules" => "section_rules",
        "include_keywords" => "include_keywords",
        "exclude_keywords" => "exclude_keywords",
        _ => "form",
    }
}

/// `POST /admin/wire`: adds a source; a refused field shows the form again, as typed, with
/// the message beside the field.
pub async fn add(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    body: Bytes,
) -> Result<Response, WebError> {
    require_editor(&staff)?;
    let form = FormData::parse(&body);
    let now = state.clock.now();
    let settings = match settings_of(&state, &form, SourceRules::default(), true).await {
        Ok(settings) => settings,
        Err(WebError::Unprocessable(m)) => {
            return again(&state, &staff, &csrf, &form, errors_of(&m), None).await;
        }
        Err(e) => return Err(e),
    };
    match state.store.add_wire_source(&settings, now).await {
        Ok(id) => saved(&state, &staff, "wire.add", id, &settings.name).await,
        Err(e) => {
            let errors = refusal(e)?;
            again(&state, &staff, &csrf, &form, errors, None).await
        }
    }
}

/// A store's refusal of a source (its address taken, a field out of bounds) as the form's
/// error beside the address; any other failure stays an error.
fn refusal(e: StoreError) -> Result<Errors, WebError> {
    match e {
        StoreError::Conflict(m)
        | StoreError::Invalid(masthead_core::InvalidInput { message: m, .. }) => {
            Ok(Errors::from([("url", format!("{m}."))]))
        }
        other => Err(other.into()),
    }
}

/// Records `action` on source `id` in the audit log and goes back to the list at it.
async fn saved(
    state: &AppState,
    staff: &Staff,
    action: &str,
    id: WireSourceId,
    name: &str,
) -> Result<Response, WebError> {
    let now = state.clock.now();
    state
        .store
        .audit(&staff.actor(), action, &id.0.to_string(), name, now)
        .await?;
    Ok(Redirect::to(&format!("/admin/wire#source-{}", id.0)).into_response())
}

/// The add form (or a source's edit page, `editing`) again with `errors` and what was typed.
async fn again(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    form: &FormData,
    errors: Errors,
    editing: Option<&WireSource>,
) -> Result<Response, WebError> {
    let error = "The source was not saved: fix the fields marked below.";
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let errors = errors_value(&errors);
    match editing {
        None => {
            let ctx = context! { error, errors, form => form_value(form) };
            render(state, staff, csrf, ctx, status).await
        }
        Some(source) => {
            let sections = state.store.sections().await?;
            let ctx = context! {
                error, errors, form => form_value(form), source => ser(source),
                sections => ser(&sections),
            };
            view::page_with_status(state, staff, csrf, "wire_source.html", ctx, status)
        }
    }
}

/// `GET /admin/wire/{id}`: a source's settings, to change.
pub async fn edit(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    require_editor(&staff)?;
    let source = state.store.wire_source(WireSourceId(id)).await?;
    let sections = state.store.sections().await?;
    let form = form_of(&source);
    let ctx = context! {
        form => form_value(&form),
        errors => errors_value(&Errors::new()),
        source => ser(&source),
        sections => ser(&sections),
    };
    view::page(&state, &staff, &csrf, "wire_source.html", ctx)
}

/// `POST /admin/wire/{id}`: changes a source's settings. Enabling a disabled source clears masthead's reason.
pub async fn save(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
    body: Bytes,
) -> Result<Response, WebError> {
    require_editor(&staff)?;
    let id = WireSourceId(id);
    let source = state.store.wire_source(id).await?;
    let form = FormData::parse(&body);
    let rules: SourceRules = serde_json::from_str(&source.rules_json).unwrap_or_default();
    let enabled = !form.get("enabled").is_empty();
    let settings = match settings_of(&state, &form, rules, enabled).await {
        Ok(s) => s,
        Err(WebError::Unprocessable(m)) => {
            return again(&state, &staff, &csrf, &form, errors_of(&m), Some(&source)).await;
        }
        Err(e) => return Err(e),
    };
    let now = state.clock.now();
    match state.store.update_wire_source(id, &settings, now).await {
        Ok(()) => saved(&state, &staff, "wire.update", id, &settings.name).await,
        Err(e) => {
            let errors = refusal(e)?;
            again(&state, &staff, &csrf, &form, errors, Some(&source)).await
        }
    }
}

/// `POST /admin/wire/{id}/pull`: pulls the source now, as the worker would, unless a worker
/// is pulling it at this moment.
pub async fn pull(
    State(state): State<AppState>,
    DeskUser { staff, csrf: _ }: DeskUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    require_editor(&staff)?;
    let id = WireSourceId(id);
    state.store.wire_source(id).await?;
    let Some(fetcher) = state.fetcher.clone() else {
        return Err(WebError::Unavailable(
            "This server has no outbound client, so it cannot pull; ask the operator to look \
             at its log."
                .into(),
        ));
    };
    let now = state.clock.now();
    let Some(source) = state
        .store
        .claim_wire_source(id, now, masthead_wire::worker::LEASE)
        .await?
    else {
        return Err(WebError::Conflict(
            "The worker is pulling this source right now; look again in a minute.".into(),
        ));
    };
    let ingest = Ingest {
        store: state.store.clone(),
        fetcher,
        media: Some(state.media.clone()),
        clock: state.clock.clone(),
    };
    // The pull runs as a task of its own: an editor who closes the tab (or a request timer
    // that gives up) does not cut it off half-way, leaving the source claimed for the
    // lease's ten minutes with its fetch unrecorded.
    let pulled = tokio::spawn(async move { ingest.pull(&source, None).await }).await;
    match pulled {
        Ok(Ok(_)) => {}
        // The claim runs out by itself; the database failed.
        Ok(Err(masthead_wire::IngestError::Store(e))) => return Err(e.into()),
        Err(e) => return Err(WebError::internal("the pull", e)),
    }
    Ok(Redirect::to(&format!("/admin/wire?pulled={}#source-{}", id.0, id.0)).into_response())
}

/// `GET /admin/wire/{id}/remove`: asks before removing.
pub async fn confirm_remove(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    require_editor(&staff)?;
    let source = state.store.wire_source(WireSourceId(id)).await?;
    let ctx = context! { source => ser(&source) };
    view::page(&state, &staff, &csrf, "wire_remove.html", ctx)
}

/// `POST /admin/wire/{id}/remove`: removes the source; its stories stay.
pub async fn remove(
    State(state): State<AppState>,
    DeskUser { staff, csrf: _ }: DeskUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    require_editor(&staff)?;
    let id = WireSourceId(id);
    let source = state.store.wire_source(id).await?;
    let now = state.clock.now();
    state.store.remove_wire_source(id, now).await?;
    state
        .store
        .audit(
            &staff.actor(),
            "wire.remove",
            &id.0.to_string(),
            &source.name,
            now,
        )
        .await?;
    let name: String =
        percent_encoding::utf8_percent_encode(&source.name, percent_encoding::NON_ALPHANUMERIC)
            .to_string();
    Ok(Redirect::to(&format!("/admin/wire?removed={name}")).into_response())
}
