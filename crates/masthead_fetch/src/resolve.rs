//! The guarded resolver: reqwest asks it for a host name's addresses, it looks them up,
//! checks every one, and hands back only checked addresses, so the connection goes to
//! exactly what was checked (no second lookup an attacker's DNS could answer
//! differently: DNS rebinding).
//!
//! reqwest (through hyper-util's `HttpConnector::call_async`) skips the resolver when
//! the host is an IP literal, so [`check_literal`] covers those; the fetcher calls it
//! before every request and every redirect hop.

use std::net::{IpAddr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

use crate::address::classify;
use crate::error::{Refusal, ResolveFailure};

/// Looks a host name up with the system resolver (tokio's `lookup_host`, which runs
/// getaddrinfo on the blocking pool) and refuses it if any address is refused.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GuardedResolver {
    pub allow_local: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let allow_local = self.allow_local;
        Box::pin(async move {
            // Port 0: hyper-util puts the URL's port (or the scheme's) on each address.
            let found = tokio::net::lookup_host((host.as_str(), 0))
                .await
                .map_err(|source| ResolveFailure::Lookup {
                    host: host.clone(),
                    source,
                })?;
            let addrs: Vec<SocketAddr> = found.collect();
            let checked = check_resolved(&host, addrs, allow_local)?;
            Ok(Box::new(checked.into_iter()) as Addrs)
        })
    }
}

/// The addresses a host name resolved to, if every one is permitted.
///
/// One refused address refuses the host: a name that points at both a public and a
/// private address is either misconfigured or an attempt to reach the private one, and
/// picking the public one would make the result depend on which the connector tries.
pub(crate) fn check_resolved(
    host: &str,
    addrs: Vec<SocketAddr>,
    allow_local: bool,
) -> Result<Vec<SocketAddr>, ResolveFailure> {
    if addrs.is_empty() {
        return Err(ResolveFailure::NoAddress {
            host: host.to_owned(),
        });
    }
    for sa in &addrs {
        let class = classify(sa.ip());
        if !class.permitted(allow_local) {
            return Err(ResolveFailure::Refused(Refusal {
                host: host.to_owned(),
                addr: sa.ip(),
                class,
                literal: false,
            }));
        }
    }
    Ok(addrs)
}

/// Refuses a URL whose host is an IP literal the policy does not permit. Host names
/// pass here: the resolver checks them when reqwest connects.
///
/// `exempt` lists exact socket addresses (IP and port) that pass anyway; only tests set
/// it (see `Fetcher::with_test_exemptions`).
pub(crate) fn check_literal(
    url: &Url,
    allow_local: bool,
    exempt: &[SocketAddr],
) -> Result<(), Refusal> {
    let ip: IpAddr = match url.host() {
        Some(Host::Ipv4(ip)) => ip.into(),
        Some(Host::Ipv6(ip)) => ip.into(),
        Some(Host::Domain(_)) | None => return Ok(()),
    };
    if let Some(port) = url.port_or_known_default()
        && exempt.contains(&SocketAddr::new(ip, port))
    {
        return Ok(());
    }
    let class = classify(ip);
    if class.permitted(allow_local) {
        return Ok(());
    }
    Err(Refusal {
        host: url.host_str().unwrap_or_default().to_owned(),
        addr: ip,
        class,
        literal: true,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::address::AddressClass;

    fn refused(url: &str) -> Option<AddressClass> {
        let url = Url::parse(url).unwrap();
        check_literal(&url, false, &[]).err().map(|r| r.class)
    }

    /// The url crate turns every IPv4 spelling into a dotted quad, so the numeric,
    /// hex, octal and short forms of 127.0.0.1 are all caught as the literal they are.
    #[test]
    fn every_spelling_of_loopback_is_a_refused_literal() {
        for (text, host) in [
            ("http://127.0.0.1/", "127.0.0.1"),
            ("http://2130706433/", "127.0.0.1"),
            ("http://0x7f.1/", "127.0.0.1"),
            ("http://0x7f000001/", "127.0.0.1"),
            ("http://0177.0.0.1/", "127.0.0.1"),
            ("http://127.1/", "127.0.0.1"),
            ("http://[::1]/", "[::1]"),
            ("http://[::ffff:127.0.0.1]/", "[::ffff:7f00:1]"),
            ("http://[0:0:0:0:0:0:0:1]:8080/", "[::1]"),
        ] {
            let url = Url::parse(text).unwrap();
            assert_eq!(url.host_str(), Some(host), "{text}");
            assert_eq!(refused(text), Some(AddressClass::Loopback), "{text}");
        }
        assert_eq!(refused("http://0.0.0.0/"), Some(AddressClass::Unspecified));
        assert_eq!(refused("http://0/"), Some(AddressClass::Unspecified));
        assert_eq!(refused("http://[::]/"), Some(AddressClass::Unspecified));
        assert_eq!(
            refused("http://169.254.169.254/latest/meta-data/"),
            Some(AddressClass::LinkLocal)
        );
        assert_eq!(
            refused("http://[64:ff9b::a00:1]/"),
            Some(AddressClass::Private)
        );
        assert_eq!(
            refused("http://[2002:c0a8:101::]/"),
            Some(AddressClass::Private)
        );
    }

    #[test]
    fn names_and_public_literals_pass_the_literal_check() {
        assert_eq!(refused("https://feed.example.org/rss"), None);
        assert_eq!(
            refused("https://localhost/rss"),
            None,
            "names are the resolver's job"
        );
        assert_eq!(refused("http://8.8.8.8/"), None);
        assert_eq!(refused("http://[2606:4700:4700::1111]/"), None);
    }

    #[test]
    fn allow_local_opens_loopback_literals_but_not_link_local() {
        let url = Url::parse("http://127.0.0.1:8080/").unwrap();
        assert!(check_literal(&url, true, &[]).is_ok());
        let url = Url::parse("http://169.254.169.254/").unwrap();
        assert!(check_literal(&url, true, &[]).is_err());
    }

    /// The test exemption is an exact socket address: the same IP on another port, or
    /// the default port, is still refused.
    #[test]
    fn the_test_exemption_is_one_exact_socket_address() {
        let exempt = [SocketAddr::from(([127, 0, 0, 1], 4000))];
        let ok = Url::parse("http://127.0.0.1:4000/feed").unwrap();
        assert!(check_literal(&ok, false, &exempt).is_ok());
        for other in [
            "http://127.0.0.1:4001/",
            "http://127.0.0.1/",
            "http://127.0.0.2:4000/",
            "http://[::1]:4000/",
        ] {
            let url = Url::parse(other).unwrap();
            assert!(check_literal(&url, false, &exempt).is_err(), "{other}");
        }
    }

    #[test]
    fn one_refused_address_refuses_the_name() {
        let public = SocketAddr::from(([93, 184, 215, 14], 0));
        let private = SocketAddr::from(([10, 0, 0, 5], 0));
        let got = check_resolved("feed.example.org", vec![public, private], false);
        match got {
            Err(ResolveFailure::Refused(r)) => {
                assert_eq!(r.addr, private.ip());
                assert_eq!(r.class, AddressClass::Private);
                assert!(!r.literal);
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert_eq!(
            check_resolved("feed.example.org", vec![public], false).unwrap(),
            vec![public]
        );
        assert!(check_resolved("intranet", vec![private], true).is_ok());
        assert!(matches!(
            check_resolved("nowhere", vec![], false),
            Err(ResolveFailure::NoAddress { .. })
        ));
    }

    /// DNS answers with an IPv4-mapped AAAA record are judged by the IPv4 address.
    #[test]
    fn a_mapped_aaaa_answer_is_refused() {
        let mapped = SocketAddr::new(
            IpAddr::V6(std::net::Ipv4Addr::new(10, 1, 2, 3).to_ipv6_mapped()),
            0,
        );
        assert!(check_resolved("feed.example.org", vec![mapped], false).is_err());
    }
}
