//! The error answers that come from the request's shape rather than from what a handler
//! decides: the token, an id in the address, the query string and the JSON body. Every
//! operation lists the ones its extractors can give (`responses(Token, IdInPath, ...)` in its
//! `#[utoipa::path]`), so the document names each status a client can get; the
//! Schemathesis contract test (`crates/masthead/tests/api_contract.rs`) fails on any status
//! an operation answers that its entry does not list.
//!
//! An operation whose handler gives one of these statuses for a reason of its own (a 403 for
//! the role, a 422 for a rule on a field) lists it again after these with a description
//! that covers both: `utoipa` keeps the last entry for a status.

use std::collections::BTreeMap;
use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder, response::Response};

/// The answers of [`super::auth::ApiStaff`]: every operation that needs a token.
pub(crate) struct Token;

/// The answer of [`super::extract::ApiPath`] to an id that is not a whole number in range.
pub(crate) struct IdInPath;

/// The answer of [`super::extract::ApiQuery`] to a query string that does not parse.
pub(crate) struct BadQuery;

/// The answers of [`super::extract::ApiJson`] and the JSON body limit.
pub(crate) struct JsonBody;

/// An error answer in the API's one shape, `ErrorResponse`.
fn error(description: &str) -> RefOr<Response> {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("ErrorResponse")))
                .build(),
        )
        .build()
        .into()
}

fn map(entries: &[(&str, &str)]) -> BTreeMap<String, RefOr<Response>> {
    entries
        .iter()
        .map(|(status, description)| ((*status).to_owned(), error(description)))
        .collect()
}

impl utoipa::IntoResponses for Token {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        map(&[
            (
                "401",
                "No valid token: missing, malformed, revoked, or its owner disabled",
            ),
            (
                "403",
                "The site requires two-factor login for the token owner's role, and they have \
                 not set it up",
            ),
        ])
    }
}

impl utoipa::IntoResponses for IdInPath {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        map(&[(
            "400",
            "The id in the address is not a whole number from -2^63 to 2^63-1",
        )])
    }
}

impl utoipa::IntoResponses for BadQuery {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        map(&[(
            "400",
            "A query parameter is not valid, or is sent empty; the message names it",
        )])
    }
}

impl utoipa::IntoResponses for JsonBody {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        map(&[
            ("400", "The body is not JSON, or not UTF-8"),
            ("413", "The body is over 1 MiB"),
            (
                "415",
                "The body is not sent as `Content-Type: application/json`",
            ),
            (
                "422",
                "The JSON does not fit the schema (a missing or unknown field, a wrong type), or \
                 a text holds the NUL character; the message names the field",
            ),
        ])
    }
}
