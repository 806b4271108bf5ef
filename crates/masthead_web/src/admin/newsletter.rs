//! The newsletter in the desk, for editors and admins: the overview (whether mail is set
//! up, the lists with their readers, the latest sends and their progress), the readers
//! (search by address or name, counts by status, delete), importing an old list from a
//! CSV file and exporting every reader as CSV. Sends are in `newsletter_send.rs`.

use super::csrf::Csrf;
use super::desk_user::DeskUser;
use super::media::{read_capped, text};
use super::view;
use crate::desk::Staff;
use crate::{AppState, WebError};
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use masthead_core::{EmailAddress, SiteAction, SubscriberId};
use masthead_render::{Value, context, ser};
use masthead_store::{ImportedReader, SubscriberStatus};
use serde::Deserialize;

/// The largest CSV file taken (some 100,000 readers).
pub(crate) const MAX_CSV: usize = 8 * 1024 * 1024;
/// The most readers one import takes.
const MAX_IMPORT_ROWS: usize = 100_000;
/// Sends on the overview.
const RECENT_SENDS: i64 = 20;

/// `GET /admin/newsletter`
pub async fn overview(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Query(query): Query<ReadersQuery>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::SendNewsletter)?;
    let notice = (query.done == "list").then_some("The list is saved; the signup forms show it.");
    overview_page(&state, &staff, &csrf, context! { notice }, StatusCode::OK).await
}

pub(crate) async fn overview_page(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    extra: Value,
    status: StatusCode,
) -> Result<Response, WebError> {
    let lists = state.store.newsletter_lists().await?;
    let sends = state.store.recent_sends(RECENT_SENDS).await?;
    let counts = state.store.subscriber_counts().await?;
    let mail = state.mail.as_ref().map(|m| {
        context! { server => m.smtp.to_string(), from => &m.from_address,
        dkim => m.dkim.as_ref().map(masthead_mail::Dkim::algorithm),
        per_minute => m.per_minute }
    });
    let ctx = context! {
        mail,
        lists => ser(&lists),
        sends => ser(&sends),
        counts => counts.iter().map(|(s, n)| context! { status => s.as_str(), n }).collect::<Vec<_>>(),
        ..extra
    };
    view::page_with_status(state, staff, csrf, "newsletter.html", ctx, status)
}

/// `POST /admin/newsletter/lists`: renames or describes a list (`id` set), or adds one
/// (`slug`, `kind`). Readers see the change on the signup forms at once.
pub async fn save_list(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    body: axum::body::Bytes,
) -> Result<Response, WebError> {
    staff.require(SiteAction::SendNewsletter)?;
    let form = super::form::FormData::parse(&body);
    let name = masthead_mail::clean_display_name(form.get("name"));
    let description: String = form.get("description").trim().chars().take(300).collect();
    let id = form
        .get("id")
        .parse::<i64>()
        .ok()
        .map(masthead_core::ListId);
    let refuse = |message: String| {
        let (state, staff, csrf) = (&state, &staff, &csrf);
        async move {
            overview_page(
                state,
                staff,
                csrf,
                context! { error => message },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    if name.is_empty() {
        return refuse("List name: write one; readers choose lists by it.".into()).await;
    }
    let slug = match id {
        Some(_) => String::new(),
        None => match masthead_core::Slug::parse(form.get("slug").trim()) {
            Ok(s) => s.as_str().to_owned(),
            Err(_) => {
                return refuse(
                    "List address: lowercase letters, digits and hyphens, like \"sports\".".into(),
                )
                .await;
            }
        },
    };
    let kind = if form.get("kind") == "alert" {
        masthead_store::ListKind::Alert
    } else {
        masthead_store::ListKind::Digest
    };
    let now = state.clock.now();
    match state
        .store
        .save_newsletter_list(
            id,
            &masthead_store::ListFields {
                slug: slug.clone(),
                name,
                description,
                kind,
            },
            &staff.actor(),
            now,
        )
        .await
    {
        Ok(_) => Ok(Redirect::to("/admin/newsletter?done=list").into_response()),
        Err(masthead_store::StoreError::Conflict(_)) => {
            refuse(format!(
                "There is already a list at {slug:?}; choose another address."
            ))
            .await
        }
        Err(e) => Err(e.into()),
    }
}

/// The readers page's query.
#[derive(Debug, Default, Deserialize)]
pub struct ReadersQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    before: Option<i64>,
    #[serde(default)]
    done: String,
}

/// `GET /admin/newsletter/readers`
pub async fn readers(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    Query(query): Query<ReadersQuery>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::SendNewsletter)?;
    readers_page(&state, &staff, &csrf, &query, context! {}, StatusCode::OK).await
}

async fn readers_page(
    state: &AppState,
    staff: &Staff,
    csrf: &Csrf,
    query: &ReadersQuery,
    extra: Value,
    status: StatusCode,
) -> Result<Response, WebError> {
    let q: String = query.q.trim().chars().take(200).collect();
    let only = SubscriberStatus::parse(&query.status);
    let found = state
        .store
        .find_subscribers(&q, only, query.before.map(SubscriberId))
        .await?;
    let older = (found.len() as i64 == masthead_store::SUBSCRIBERS_PAGE)
        .then(|| found.last().map(|r| r.id.0))
        .flatten();
    let counts = state.store.subscriber_counts().await?;
    let lists = state.store.newsletter_lists().await?;
    let ctx = context! {
        readers => ser(&found),
        q,
        status => only.map(SubscriberStatus::as_str).unwrap_or(""),
        statuses => SubscriberStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        counts => counts.iter().map(|(s, n)| context! { status => s.as_str(), n }).collect::<Vec<_>>(),
        lists => ser(&lists),
        older,
        done => &query.done,
        ..extra
    };
    view::page_with_status(state, staff, csrf, "newsletter_readers.html", ctx, status)
}

/// `POST /admin/newsletter/readers/{id}/delete`: erases a reader (their request by mail,
/// say) and everything stored about them.
pub async fn erase(
    State(state): State<AppState>,
    DeskUser { staff, csrf: _ }: DeskUser,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::SendNewsletter)?;
    let gone = state
        .store
        .erase_subscriber(SubscriberId(id), &staff.actor(), state.clock.now())
        .await?;
    if !gone {
        return Err(WebError::NotFound);
    }
    Ok(Redirect::to("/admin/newsletter/readers?done=deleted").into_response())
}

/// What the import form sent.
#[derive(Default)]
struct ImportForm {
    file: Vec<u8>,
    confirmed: bool,
    lists: Vec<String>,
}

impl ImportForm {
    async fn read(mut multipart: Multipart) -> Result<Self, (StatusCode, String)> {
        let mut form = ImportForm::default();
        while let Some(field) = multipart
            .next_field()
            .await
            .map_err(|e| (e.status(), format!("The form did not arrive whole: {e}")))?
        {
            match field.name().unwrap_or_default() {
                "file" => form.file = read_capped(field, MAX_CSV + 1).await?,
                "confirmed" => form.confirmed = !read_capped(field, 8).await?.is_empty(),
                "list" => form.lists.push(text(read_capped(field, 100).await?)),
                _ => {
                    read_capped(field, 0).await?;
                }
            }
        }
        Ok(form)
    }
}

/// An old list's rows: the column named like "email" (else the first), one named like
/// "name" if any. Rows whose address does not parse are reported by line, not imported.
fn read_csv(bytes: &[u8]) -> Result<(Vec<ImportedReader>, Vec<String>), String> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| format!("the file is not CSV: {e}"))?
        .clone();
    let find = |words: &[&str]| {
        headers
            .iter()
            .position(|h| words.iter().any(|w| h.to_lowercase().contains(w)))
    };
    let Some(email_at) = find(&["email", "e-mail", "address"]) else {
        return Err(
            "the first line must name the columns, one of them \"email\" (and perhaps \"name\")"
                .into(),
        );
    };
    let name_at = find(&["name"]);
    let mut rows = Vec::new();
    let mut problems = Vec::new();
    for (n, record) in reader.records().enumerate() {
        let line = n + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                problems.push(format!("line {line}: {e}"));
                continue;
            }
        };
        let raw = record.get(email_at).unwrap_or_default();
        if raw.is_empty() {
            continue;
        }
        match EmailAddress::parse(raw) {
            Ok(email) if !email.as_str().contains('[') => rows.push(ImportedReader {
                email,
                name: masthead_mail::clean_display_name(
                    name_at.and_then(|i| record.get(i)).unwrap_or_default(),
                ),
                confirmed: false,
            }),
            _ => problems.push(format!("line {line}: {raw:?} is not an email address")),
        }
        if rows.len() > MAX_IMPORT_ROWS {
            return Err(format!(
                "the file has more than {MAX_IMPORT_ROWS} readers; split it and import each part"
            ));
        }
    }
    Ok((rows, problems))
}

/// `POST /admin/newsletter/readers/import`: a CSV of an old list, onto the chosen lists.
/// Readers the file marks as confirmed (the importer says so for the whole file) get no
/// confirmation mail; the others get one. Nothing is imported if the file cannot be read.
pub async fn import(
    State(state): State<AppState>,
    DeskUser { staff, csrf }: DeskUser,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    staff.require(SiteAction::SendNewsletter)?;
    let refuse = |status, message: String| {
        let (state, staff, csrf) = (&state, &staff, &csrf);
        async move {
            readers_page(
                state,
                staff,
                csrf,
                &ReadersQuery::default(),
                context! { import_error => message },
                status,
            )
            .await
        }
    };
    let form = match multipart {
        Ok(m) => ImportForm::read(m).await,
        Err(_) => Err((
            StatusCode::BAD_REQUEST,
            "The file did not arrive as a file form; use the import form below.".to_owned(),
        )),
    };
    let form = match form {
        Ok(f) => f,
        Err((status, message)) => return refuse(status, message).await,
    };
    if form.file.len() > MAX_CSV {
        return refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "The file is larger than {} MB; split it.",
                MAX_CSV / 1024 / 1024
            ),
        )
        .await;
    }
    let all = state.store.newsletter_lists().await?;
    let lists: Vec<_> = all
        .iter()
        .filter(|l| form.lists.contains(&l.slug))
        .map(|l| l.id)
        .collect();
    if lists.is_empty() {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Choose the newsletters the imported readers get.".into(),
        )
        .await;
    }
    let (mut rows, problems) = match read_csv(&form.file) {
        Ok(r) => r,
        Err(e) => {
            return refuse(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("Nothing imported: {e}."),
            )
            .await;
        }
    };
    if rows.is_empty() {
        return refuse(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Nothing imported: the file has no email addresses.".into(),
        )
        .await;
    }
    for row in &mut rows {
        row.confirmed = form.confirmed;
    }
    let counts = state
        .store
        .import_subscribers(&rows, &lists, &staff.actor(), state.clock.now())
        .await?;
    state.newsletter_wake();
    readers_page(
        &state,
        &staff,
        &csrf,
        &ReadersQuery::default(),
        context! { imported => ser(&counts), problems },
        StatusCode::OK,
    )
    .await
}

/// `GET /admin/newsletter/readers.csv`: every reader, for the newsroom's own records.
pub async fn export(
    State(state): State<AppState>,
    DeskUser { staff, csrf: _ }: DeskUser,
) -> Result<Response, WebError> {
    staff.require(SiteAction::SendNewsletter)?;
    let readers = state.store.export_subscribers().await?;
    let mut out = csv::Writer::from_writer(Vec::new());
    let write = |out: &mut csv::Writer<Vec<u8>>, row: &[&str]| {
        out.write_record(row)
            .map_err(|e| WebError::internal("writing the readers' CSV", e))
    };
    write(
        &mut out,
        &[
            "email",
            "name",
            "status",
            "newsletters",
            "signed_up",
            "confirmed",
        ],
    )?;
    for (r, lists) in &readers {
        let confirmed = r.confirmed_at.map(|t| t.to_rfc3339()).unwrap_or_default();
        write(
            &mut out,
            &[
                &r.email,
                &spreadsheet_safe(&r.name),
                r.status.as_str(),
                &lists.join(" "),
                &r.created_at.to_rfc3339(),
                &confirmed,
            ],
        )?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| WebError::internal("writing the readers' CSV", e.into_error()))?;
    let mut response = Bytes::from(bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"newsletter-readers.csv\""),
    );
    audit_export(&state, &staff, readers.len()).await?;
    Ok(response)
}

async fn audit_export(state: &AppState, staff: &Staff, n: usize) -> Result<(), WebError> {
    state
        .store
        .audit(
            &staff.actor(),
            "newsletter.export",
            "subscribers",
            &format!("{n} readers"),
            state.clock.now(),
        )
        .await?;
    Ok(())
}

/// A reader's name as a spreadsheet cell that cannot be a formula (`=`, `+`, `-`, `@`).
fn spreadsheet_safe(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_owned()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn an_old_list_is_read_by_its_column_names() {
        let csv = "Name,Email Address,Joined\nAnn Lee,ann@example.org,2020\n\"Lee, Bo\",BO@Example.org,2021\n,not-an-address,\n";
        let (rows, problems) = read_csv(csv.as_bytes()).unwrap();
        let emails: Vec<&str> = rows.iter().map(|r| r.email.as_str()).collect();
        assert_eq!(emails, ["ann@example.org", "bo@example.org"]);
        assert_eq!(rows[1].name, "Lee, Bo");
        assert_eq!(
            problems,
            ["line 4: \"not-an-address\" is not an email address"]
        );
        assert!(read_csv(b"a,b\n1,2\n").is_err());
    }

    #[test]
    fn names_never_become_spreadsheet_formulas() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("Ann"), "Ann");
    }
}
