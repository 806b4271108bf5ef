//! [`Fetcher`]: one GET, its redirects followed by hand, its body read as a stream under
//! the size cap, the whole inside the time limit.
//!
//! reqwest's own redirect following is off: it would re-resolve names through our
//! resolver, but it connects to IP-literal redirect targets without asking anyone, so
//! every hop goes through [`check_literal`] here, and following by hand also gives the
//! final URL and a clear error for the hop that was refused.

use std::net::SocketAddr;
use std::sync::Arc;

use bytes::{Bytes, BytesMut};
use reqwest::StatusCode;
use reqwest::header::{
    CONTENT_TYPE, ETAG, HeaderMap, HeaderName, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED,
    LOCATION,
};
use url::Url;

use crate::error::{FetchError, ResolveFailure};
use crate::resolve::{GuardedResolver, check_literal, check_resolved};
use crate::{Conditional, FetchPolicy, FetchResponse};

/// The program's one outbound HTTP client. Cheap to clone: clones share the connection
/// pool and the policy.
#[derive(Clone, Debug)]
pub struct Fetcher {
    client: reqwest::Client,
    policy: Arc<FetchPolicy>,
    /// Exact socket addresses exempt from the address check; empty outside tests.
    exempt: Arc<[SocketAddr]>,
}

impl Fetcher {
    /// A fetcher that follows `policy`.
    pub fn new(policy: FetchPolicy) -> Result<Fetcher, FetchError> {
        Self::build(policy, Vec::new())
    }

    /// A fetcher for tests that treats the exact socket addresses in `exempt` (IP and
    /// port, written as IP literals in the URL) as permitted, so a test can have one
    /// "allowed" local server while every other local address stays refused.
    ///
    /// Only in builds with the `test-exemptions` feature, which only this crate's own
    /// tests turn on: no configuration, environment variable or web form reaches it,
    /// and the program's binary does not contain it.
    #[cfg(feature = "test-exemptions")]
    #[doc(hidden)]
    pub fn with_test_exemptions(
        policy: FetchPolicy,
        exempt: &[SocketAddr],
    ) -> Result<Fetcher, FetchError> {
        Self::build(policy, exempt.to_vec())
    }

    fn build(policy: FetchPolicy, exempt: Vec<SocketAddr>) -> Result<Fetcher, FetchError> {
        let client = reqwest::Client::builder()
            .dns_resolver(GuardedResolver {
                allow_local: policy.allow_local,
            })
            // An HTTP_PROXY or ALL_PROXY in the environment would send every request to
            // the proxy, which connects wherever it likes: no check of ours would hold.
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .connect_timeout(policy.connect_timeout)
            .user_agent(policy.user_agent.as_str())
            .build()
            .map_err(|source| FetchError::Client { source })?;
        Ok(Fetcher {
            client,
            policy: Arc::new(policy),
            exempt: exempt.into(),
        })
    }

    /// The policy this fetcher follows.
    pub fn policy(&self) -> &FetchPolicy {
        &self.policy
    }

    /// Checks `url` as a fetch of it would be checked, without fetching: the scheme, and the
    /// host's addresses (an IP literal as it is, a name looked up now) against the policy.
    /// For refusing a feed's address when an editor adds it, with the same reason a fetch
    /// would give; a later fetch checks again (the name may resolve elsewhere by then).
    pub async fn check_address(&self, url: &str) -> Result<(), FetchError> {
        let url = parse(url)?;
        self.check(&url)?;
        let Some(url::Host::Domain(host)) = url.host() else {
            return Ok(());
        };
        let found =
            tokio::net::lookup_host((host, 0))
                .await
                .map_err(|source| FetchError::Lookup {
                    host: host.to_owned(),
                    source,
                })?;
        match check_resolved(host, found.collect(), self.policy.allow_local) {
            Ok(_) => Ok(()),
            Err(ResolveFailure::Refused(r)) => Err(FetchError::Refused(r)),
            Err(ResolveFailure::Lookup { host, source }) => {
                Err(FetchError::Lookup { host, source })
            }
            Err(ResolveFailure::NoAddress { host }) => Err(FetchError::NoAddress { host }),
        }
    }

    /// GETs `url`, following at most `max_redirects` redirects, within the total time
    /// limit and the body cap. Any status, 304, 404, 410 and 5xx included, is a
    /// response; an error means no response could be had.
    pub async fn get(
        &self,
        url: &str,
        conditional: &Conditional,
    ) -> Result<FetchResponse, FetchError> {
        let limit = self.policy.total_timeout;
        // One deadline for everything, the body included: a server that drips one
        // byte a second never trips a per-read timeout.
        match tokio::time::timeout(limit, self.get_within(url, conditional)).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::TimedOut {
                url: url.to_owned(),
                limit,
            }),
        }
    }

    /// POSTs `body` as JSON to `url`, with `bearer` as its `Authorization` when given, within
    /// the total time limit and the body cap, following no redirect (a POST is not sent on
    /// to another address). For a service the operator configured (the meeting desk's prose
    /// helper); the key travels only in the header, never in an error's text.
    pub async fn post_json(
        &self,
        url: &str,
        body: Vec<u8>,
        bearer: Option<&str>,
    ) -> Result<FetchResponse, FetchError> {
        let limit = self.policy.total_timeout;
        let sent = async {
            let url = parse(url)?;
            self.check(&url)?;
            let mut request = self
                .client
                .post(url.clone())
                .header(CONTENT_TYPE, "application/json")
                .body(body);
            if let Some(key) = bearer {
                request = request.bearer_auth(key);
            }
            let response = request.send().await.map_err(|e| from_reqwest(e, &url))?;
            self.read(url, response, 0).await
        };
        match tokio::time::timeout(limit, sent).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::TimedOut {
                url: url.to_owned(),
                limit,
            }),
        }
    }

    async fn get_within(
        &self,
        text: &str,
        conditional: &Conditional,
    ) -> Result<FetchResponse, FetchError> {
        let first = parse(text)?;
        let mut url = first.clone();
        let mut came_from: Option<Url> = None;
        let mut redirects = 0;
        loop {
            let sent = match self.check(&url) {
                Ok(()) => self.send(&url, conditional).await,
                Err(e) => Err(e),
            };
            let response = match (sent, came_from.take()) {
                (Ok(response), _) => response,
                (Err(cause), None) => return Err(cause),
                (Err(cause), Some(from)) => {
                    return Err(FetchError::Redirect {
                        from: from.into(),
                        to: url.into(),
                        cause: Box::new(cause),
                    });
                }
            };
            let Some(next) = redirect_target(&url, response.status(), response.headers()) else {
                return self.read(url, response, redirects).await;
            };
            let next = next.map_err(|cause| FetchError::Redirect {
                from: url.to_string(),
                to: location_text(response.headers()),
                cause: Box::new(cause),
            })?;
            if redirects >= self.policy.max_redirects {
                return Err(FetchError::TooManyRedirects {
                    url: first.into(),
                    limit: self.policy.max_redirects,
                });
            }
            tracing::debug!(from = %url, to = %next, "following a redirect");
            redirects += 1;
            came_from = Some(std::mem::replace(&mut url, next));
        }
    }

    /// The checks reqwest cannot do for us: the scheme, and IP-literal hosts (which
    /// never reach the resolver).
    fn check(&self, url: &Url) -> Result<(), FetchError> {
        if !matches!(url.scheme(), "http" | "https") {
            return Err(FetchError::Scheme {
                url: url.to_string(),
                scheme: url.scheme().to_owned(),
            });
        }
        check_literal(url, self.policy.allow_local, &self.exempt).map_err(FetchError::Refused)
    }

    async fn send(
        &self,
        url: &Url,
        conditional: &Conditional,
    ) -> Result<reqwest::Response, FetchError> {
        let mut request = self.client.get(url.clone());
        if let Some(etag) = &conditional.if_none_match {
            request = request.header(IF_NONE_MATCH, etag);
        }
        if let Some(date) = &conditional.if_modified_since {
            request = request.header(IF_MODIFIED_SINCE, date);
        }
        request.send().await.map_err(|e| from_reqwest(e, url))
    }

    /// Reads the body chunk by chunk, already decompressed by reqwest, and stops the
    /// moment it passes the cap: a gzip bomb costs at most the cap in memory.
    async fn read(
        &self,
        url: Url,
        mut response: reqwest::Response,
        redirects: usize,
    ) -> Result<FetchResponse, FetchError> {
        let limit = self.policy.max_body_bytes;
        let too_large = |url: &Url| FetchError::TooLarge {
            url: url.to_string(),
            limit,
        };
        // Known only for an uncompressed body; a compressed one is counted as it comes.
        if response.content_length().is_some_and(|n| n > limit) {
            return Err(too_large(&url));
        }
        let status = response.status();
        let headers = response.headers();
        let etag = header_text(headers, &ETAG);
        let last_modified = header_text(headers, &LAST_MODIFIED);
        let content_type = header_text(headers, &CONTENT_TYPE);
        let mut body = BytesMut::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| from_reqwest(e, &url))? {
            if (body.len() as u64).saturating_add(chunk.len() as u64) > limit {
                return Err(too_large(&url));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(FetchResponse {
            status,
            final_url: url,
            redirects,
            etag,
            last_modified,
            content_type,
            body: Bytes::from(body),
        })
    }
}

fn parse(text: &str) -> Result<Url, FetchError> {
    Url::parse(text.trim()).map_err(|e| FetchError::BadUrl {
        url: text.to_owned(),
        reason: e.to_string(),
    })
}

/// Where a redirect points, resolved against the current URL (relative `Location`
/// values are common), or `None` when the response is not a redirect to follow.
fn redirect_target(
    url: &Url,
    status: StatusCode,
    headers: &HeaderMap,
) -> Option<Result<Url, FetchError>> {
    let follows = matches!(
        status,
        StatusCode::MOVED_PERMANENTLY
            | StatusCode::FOUND
            | StatusCode::SEE_OTHER
            | StatusCode::TEMPORARY_REDIRECT
            | StatusCode::PERMANENT_REDIRECT
    );
    if !follows {
        return None;
    }
    let location = headers.get(LOCATION)?;
    let text = String::from_utf8_lossy(location.as_bytes());
    Some(url.join(&text).map_err(|e| FetchError::BadUrl {
        url: text.into_owned(),
        reason: e.to_string(),
    }))
}

fn location_text(headers: &HeaderMap) -> String {
    headers
        .get(LOCATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default()
}

fn header_text(headers: &HeaderMap, name: &HeaderName) -> Option<String> {
    let value = headers.get(name)?;
    Some(String::from_utf8_lossy(value.as_bytes()).into_owned())
}

/// reqwest's error, unless its cause is our resolver's refusal or lookup failure, which
/// travels inside reqwest's connect error and is taken back out to keep its message.
fn from_reqwest(e: reqwest::Error, url: &Url) -> FetchError {
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(err) = next {
        if let Some(failure) = err.downcast_ref::<ResolveFailure>() {
            return match failure {
                ResolveFailure::Refused(r) => FetchError::Refused(r.clone()),
                ResolveFailure::Lookup { host, source } => FetchError::Lookup {
                    host: host.clone(),
                    source: std::io::Error::new(source.kind(), source.to_string()),
                },
                ResolveFailure::NoAddress { host } => FetchError::NoAddress { host: host.clone() },
            };
        }
        next = err.source();
    }
    FetchError::Http {
        url: url.to_string(),
        source: e,
    }
}
