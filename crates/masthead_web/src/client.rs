//! Who is asking: the client's address as rate limits count it (the desk's login throttle,
//! the public event form), from the connection's peer or, behind a trusted reverse proxy,
//! the address that proxy appended to `X-Forwarded-For`.

use crate::AppState;
use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap};
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
