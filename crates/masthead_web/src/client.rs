//! Who is asking: the client's address as rate limits count it (the desk's login throttle,
//! the public event form), from the connection's peer or, behind a trusted reverse proxy,
//! the address that proxy appended to `X-Forwarded-For`; and whether a request comes from
//! our own pages ([`same_origin`]), for the desk's forms and the newsletter reader's.

use crate::AppState;
use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap, header};
use std::net::{IpAddr, SocketAddr};

/// The key an address is counted under: IPv4 (and IPv4-mapped IPv6) addresses alone, other
/// IPv6 addresses by their /64.
pub fn address_key(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// The client's address as the throttle keys it: the peer's, or behind a trusted reverse
/// proxy the last address in `X-Forwarded-For` (the one that proxy appended); IPv6 by /64.
pub(crate) fn client_ip(state: &AppState, extensions: &Extensions, headers: &HeaderMap) -> String {
    if state.config().trust_forwarded_for {
        let forwarded = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .rev()
            .find_map(|a| a.trim().parse::<IpAddr>().ok());
        if let Some(address) = forwarded {
            return address_key(address);
        }
    }
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| address_key(c.0.ip()))
        .unwrap_or_else(|| "local".into())
}

/// Whether the request comes from our own pages: a browser's `Sec-Fetch-Site` must be
/// same-origin (or none, for a typed address), and an `Origin`, when sent, must be ours.
pub fn same_origin(state: &AppState, headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site")
        && !matches!(site.as_bytes(), b"same-origin" | b"none")
    {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return true;
    };
    // Ours if it is the configured address, or the host this request was sent to (a
    // browser never lets a page on another site set either to our value).
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, h)| h);
    origin == state.config().base_url.trim_end_matches('/')
        || (origin_host.is_some() && origin_host == host)
}
