//! masthead's one outbound HTTP client. Everything the program fetches by URL (wire
//! feeds first) goes through a [`Fetcher`], which:
//!
//! - fetches only `http:` and `https:` URLs;
//! - refuses hosts that are, or resolve to, loopback, private, carrier-grade NAT,
//!   link-local, multicast, broadcast, unspecified, documentation, benchmarking or
//!   reserved addresses, in IPv4, IPv6 and the IPv6 forms that carry an IPv4 address
//!   ([`address`]); `allow_local` (the operator's `--allow-local-fetch`) opens loopback,
//!   private and carrier-grade NAT only;
//! - connects to exactly the addresses it checked (its own resolver, `resolve.rs`) and
//!   ignores proxy settings in the environment;
//! - follows at most `max_redirects` redirects by hand, checking every hop;
//! - caps the decompressed body and the total time of the fetch, body included.
//!
//! Non-2xx statuses are responses, not errors, so the caller can tell 304, 404, 410 and
//! 5xx apart. See `docs/SECURITY.md` ("Outbound requests") for the tests behind each
//! claim.

pub mod address;
mod error;
mod fetcher;
mod resolve;

use std::time::Duration;

pub use address::{AddressClass, classify};
pub use bytes::Bytes;
pub use error::{FetchError, Refusal};
pub use fetcher::Fetcher;
pub use reqwest::StatusCode;
pub use url::Url;

/// Default cap on a decompressed body: 10 MB, far above any real feed.
pub const DEFAULT_MAX_BODY_BYTES: u64 = 10_000_000;
/// Default limit on a whole fetch, redirects and body included.
pub const DEFAULT_TOTAL_TIMEOUT: Duration = Duration::from_secs(30);
/// Default limit on opening one TCP connection.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default and recommended number of redirects followed.
pub const DEFAULT_MAX_REDIRECTS: usize = 5;

/// What a [`Fetcher`] may do. Built by the program from its operator settings; there is
/// deliberately no `Deserialize`, so no form or stored setting can fill it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchPolicy {
    /// Permit loopback, private and carrier-grade NAT addresses: the operator setting
    /// `--allow-local-fetch` / `MASTHEAD_ALLOW_LOCAL_FETCH=true`. Off by default; never
    /// settable from the web UI.
    pub allow_local: bool,
    /// Cap on the body after decompression, in bytes.
    pub max_body_bytes: u64,
    /// Limit on the whole fetch: connecting, every redirect and the body.
    pub total_timeout: Duration,
    /// Limit on opening one connection.
    pub connect_timeout: Duration,
    /// Redirects followed before giving up.
    pub max_redirects: usize,
    /// The `User-Agent` header, `masthead/<version> (+<site url>)`.
    pub user_agent: String,
}

impl FetchPolicy {
    /// The default policy for the site at `site_url`: no local addresses, 10 MB, 30 s
    /// in all, 10 s to connect, 5 redirects.
    pub fn new(site_url: &str) -> FetchPolicy {
        FetchPolicy {
            allow_local: false,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            total_timeout: DEFAULT_TOTAL_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            max_redirects: DEFAULT_MAX_REDIRECTS,
            user_agent: user_agent(site_url),
        }
    }
}

/// `masthead/<version> (+<site url>)`: tells a feed's owner who fetches it and where
/// to complain.
pub fn user_agent(site_url: &str) -> String {
    format!("masthead/{} (+{})", env!("CARGO_PKG_VERSION"), site_url)
}

/// Validators from the last fetch, sent back so an unchanged feed answers 304.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Conditional {
    /// Sent as `If-None-Match`: the last response's `ETag`.
    pub if_none_match: Option<String>,
    /// Sent as `If-Modified-Since`: the last response's `Last-Modified`.
    pub if_modified_since: Option<String>,
}

/// What the server answered, whatever the status.
#[derive(Debug, Clone)]
pub struct FetchResponse {
    /// The status: 200, 304 (not modified), 404, 410 (gone: stop fetching), 5xx, ...
    pub status: StatusCode,
    /// The URL that answered, after redirects.
    pub final_url: Url,
    /// How many redirects were followed.
    pub redirects: usize,
    /// The `ETag` header, for the next [`Conditional`].
    pub etag: Option<String>,
    /// The `Last-Modified` header, for the next [`Conditional`].
    pub last_modified: Option<String>,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The body, decompressed; empty for 304.
    pub body: Bytes,
}

impl FetchResponse {
    /// The validators to send with the next fetch of the same URL.
    pub fn conditional(&self) -> Conditional {
        Conditional {
            if_none_match: self.etag.clone(),
            if_modified_since: self.last_modified.clone(),
        }
    }
}
