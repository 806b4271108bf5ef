//! The one error type of the fetcher, [`FetchError`], and [`Refusal`], the reason an
//! address was not fetched from.
//!
//! Messages are written for the editor who typed the feed's address: they name the
//! address, the rule and, where there is one, the setting that changes it. Statuses
//! such as 404 or 410 are not errors here: they come back in
//! [`FetchResponse`](crate::FetchResponse) so the caller can react (a wire source that
//! answers 410 is disabled).

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use crate::address::AddressClass;

/// Why a fetch did not produce a response.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The text is not a URL at all.
    #[error("{url:?} is not a web address: {reason} (write it as https://host/path)")]
    BadUrl {
        /// The text as given.
        url: String,
        /// What the URL parser said.
        reason: String,
    },
    /// A scheme other than http or https.
    #[error("{url} uses {scheme}:, and masthead fetches only http: and https: addresses")]
    Scheme {
        /// The URL.
        url: String,
        /// Its scheme.
        scheme: String,
    },
    /// The host is, or resolves to, an address the policy refuses.
    #[error("{0}")]
    Refused(Refusal),
    /// The host name did not resolve.
    #[error("{host} could not be looked up: {source} (check the address for typos)")]
    Lookup {
        /// The host name.
        host: String,
        /// The resolver's error.
        #[source]
        source: std::io::Error,
    },
    /// The host name resolved to no address at all.
    #[error("{host} has no address (check the address for typos)")]
    NoAddress {
        /// The host name.
        host: String,
    },
    /// A redirect was not followed; `cause` says why.
    #[error("{from} redirects to {to}, which masthead did not follow: {cause}")]
    Redirect {
        /// The URL that answered with the redirect.
        from: String,
        /// Where it pointed.
        to: String,
        /// Why the redirect was not followed.
        #[source]
        cause: Box<FetchError>,
    },
    /// More redirects than the policy allows.
    #[error(
        "{url} redirects more than {limit} times: masthead follows at most {limit} (use the final address instead)"
    )]
    TooManyRedirects {
        /// The first URL.
        url: String,
        /// The policy's maximum.
        limit: usize,
    },
    /// The (decompressed) body passed the size cap.
    #[error("the response from {url} is larger than {}: masthead reads at most that much", Bytes(*limit))]
    TooLarge {
        /// The URL whose body was too large.
        url: String,
        /// The cap in bytes.
        limit: u64,
    },
    /// The whole fetch, body included, took longer than the time limit.
    #[error("fetching {url} took longer than {}: the server is too slow or keeps the response open", Secs(*limit))]
    TimedOut {
        /// The URL first asked for.
        url: String,
        /// The time limit.
        limit: Duration,
    },
    /// The connection or the exchange failed (refused, reset, TLS, bad gzip, ...).
    #[error("fetching {url} failed: {}", chain(source))]
    Http {
        /// The URL being fetched.
        url: String,
        /// reqwest's error.
        #[source]
        source: reqwest::Error,
    },
    /// The HTTP client could not be built (TLS roots missing, ...).
    #[error("the HTTP client could not be set up: {}", chain(source))]
    Client {
        /// reqwest's error.
        #[source]
        source: reqwest::Error,
    },
}

impl FetchError {
    /// The refusal behind this error, through a redirect, if that is what it was.
    pub fn refusal(&self) -> Option<&Refusal> {
        match self {
            FetchError::Refused(r) => Some(r),
            FetchError::Redirect { cause, .. } => cause.refusal(),
            _ => None,
        }
    }
}

/// A host that is, or resolves to, an address the policy refuses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// The host as written in the URL (a name or an IP literal).
    pub host: String,
    /// The refused address.
    pub addr: IpAddr,
    /// Its class.
    pub class: AddressClass,
    /// Whether the URL named the address itself rather than a host name.
    pub literal: bool,
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.literal {
            write!(f, "{} is {}", self.host, self.class.article())?;
        } else {
            write!(
                f,
                "{} resolves to {}, {}",
                self.host,
                self.addr,
                self.class.article()
            )?;
        }
        write!(
            f,
            ": masthead does not fetch from {}",
            self.class.where_plural()
        )?;
        if self.class.opened_by_allow_local() {
            f.write_str(" (an operator can allow it with --allow-local-fetch)")
        } else {
            f.write_str(" (not even with --allow-local-fetch)")
        }
    }
}

impl std::error::Error for Refusal {}

/// Why the guarded resolver gave no address; travels through reqwest as the source of
/// its connect error and is taken back out by [`crate::fetcher`].
#[derive(Debug, thiserror::Error)]
pub(crate) enum ResolveFailure {
    #[error("{0}")]
    Refused(Refusal),
    #[error("{host} could not be looked up: {source}")]
    Lookup {
        host: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{host} has no address")]
    NoAddress { host: String },
}

/// An error and its sources on one line: reqwest's own message ("error sending
/// request") says nothing an editor can act on; the cause ("connection refused") does.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(s) = next {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        next = s.source();
    }
    out
}

/// A byte count for people: "10 MB", "512 KB", "100 bytes" (decimal units).
pub(crate) struct Bytes(pub u64);

impl fmt::Display for Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0;
        if n >= 1_000_000 && n.is_multiple_of(100_000) {
            write!(f, "{} MB", n as f64 / 1e6)
        } else if n >= 1_000 && n.is_multiple_of(100) {
            write!(f, "{} KB", n as f64 / 1e3)
        } else {
            write!(f, "{n} bytes")
        }
    }
}

/// A duration for people: "30 s", "1.5 s", "250 ms".
pub(crate) struct Secs(pub Duration);

impl fmt::Display for Secs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        if ms < 1000 {
            write!(f, "{ms} ms")
        } else {
            write!(f, "{} s", ms as f64 / 1000.0)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_private_host_names_the_address_and_the_setting() {
        let r = Refusal {
            host: "feed.example.org".into(),
            addr: IpAddr::from([10, 0, 0, 5]),
            class: AddressClass::Private,
            literal: false,
        };
        assert_eq!(
            r.to_string(),
            "feed.example.org resolves to 10.0.0.5, a private address: masthead does not fetch \
             from private networks (an operator can allow it with --allow-local-fetch)"
        );
    }

    #[test]
    fn a_literal_is_not_said_to_resolve_and_link_local_has_no_setting() {
        let r = Refusal {
            host: "169.254.169.254".into(),
            addr: IpAddr::from([169, 254, 169, 254]),
            class: AddressClass::LinkLocal,
            literal: true,
        };
        let text = r.to_string();
        assert!(
            text.starts_with("169.254.169.254 is a link-local address"),
            "{text}"
        );
        assert!(
            text.ends_with("(not even with --allow-local-fetch)"),
            "{text}"
        );
        let r = Refusal {
            host: "[::1]".into(),
            addr: IpAddr::from(std::net::Ipv6Addr::LOCALHOST),
            class: AddressClass::Loopback,
            literal: true,
        };
        assert!(
            r.to_string().starts_with(
                "[::1] is a loopback address: masthead does not fetch from this machine"
            )
        );
    }

    #[test]
    fn sizes_and_times_read_as_people_write_them() {
        let too_large = FetchError::TooLarge {
            url: "https://feed.example.org/rss".into(),
            limit: 10_000_000,
        };
        assert_eq!(
            too_large.to_string(),
            "the response from https://feed.example.org/rss is larger than 10 MB: masthead reads at most that much"
        );
        let slow = FetchError::TimedOut {
            url: "https://feed.example.org/rss".into(),
            limit: Duration::from_secs(30),
        };
        assert!(slow.to_string().contains("took longer than 30 s"));
        assert_eq!(Bytes(1_500_000).to_string(), "1.5 MB");
        assert_eq!(Bytes(65_536).to_string(), "65536 bytes");
        assert_eq!(Bytes(64_000).to_string(), "64 KB");
        assert_eq!(Secs(Duration::from_millis(1500)).to_string(), "1.5 s");
        assert_eq!(Secs(Duration::from_millis(250)).to_string(), "250 ms");
    }
}
