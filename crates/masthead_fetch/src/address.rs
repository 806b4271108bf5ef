//! Which IP addresses masthead may fetch from: [`classify`] puts every IPv4 and IPv6
//! address in one [`AddressClass`], and [`AddressClass::permitted`] says whether a policy
//! lets the fetcher connect there.
//!
//! This is a pure function on purpose: it is the whole of the "where may we connect"
//! decision, so it is tested exhaustively (`address/tests.rs`) apart from any network.
//! The tables follow the IANA special-purpose address registries (RFC 6890 and later).
//! IPv6 forms that carry an IPv4 address (mapped `::ffff:a.b.c.d`, compatible
//! `::a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are judged by the IPv4 address
//! they carry, because that is where the packets end up.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What kind of address an IP is, as far as fetching from it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressClass {
    /// A globally routable address: the only kind fetched by default.
    Public,
    /// `127.0.0.0/8`, `::1`: this machine.
    Loopback,
    /// RFC 1918 (`10/8`, `172.16/12`, `192.168/16`), IPv6 unique-local `fc00::/7` and
    /// the deprecated site-local `fec0::/10`.
    Private,
    /// Carrier-grade NAT, `100.64.0.0/10` (RFC 6598).
    SharedNat,
    /// `169.254.0.0/16`, `fe80::/10`. Cloud metadata services live here.
    LinkLocal,
    /// `0.0.0.0/8` ("this network"; `0.0.0.0` reaches this machine on Linux) and `::`.
    Unspecified,
    /// `224.0.0.0/4`, `ff00::/8`.
    Multicast,
    /// `255.255.255.255`.
    Broadcast,
    /// `192.0.2/24`, `198.51.100/24`, `203.0.113/24`, `2001:db8::/32`, `3fff::/20`.
    Documentation,
    /// `198.18.0.0/15` (RFC 2544).
    Benchmarking,
    /// Everything else that is not globally routable: `192.0.0/24`, `192.88.99/24`,
    /// `240/4`, `100::/64`, `2001::/23`, `64:ff9b:1::/48`, `5f00::/16`, and all IPv6
    /// outside `2000::/3`.
    Reserved,
}

impl AddressClass {
    /// Whether a fetch may connect to an address of this class.
    ///
    /// `allow_local` (the operator's `--allow-local-fetch`) opens loopback, private and
    /// carrier-grade NAT addresses, where an intranet feed server can be. It never opens
    /// link-local (the cloud metadata service at 169.254.169.254 is the classic target of
    /// a forged request) nor the addresses no server should have.
    pub fn permitted(self, allow_local: bool) -> bool {
        match self {
            AddressClass::Public => true,
            AddressClass::Loopback | AddressClass::Private | AddressClass::SharedNat => allow_local,
            AddressClass::LinkLocal
            | AddressClass::Unspecified
            | AddressClass::Multicast
            | AddressClass::Broadcast
            | AddressClass::Documentation
            | AddressClass::Benchmarking
            | AddressClass::Reserved => false,
        }
    }

    /// Whether `--allow-local-fetch` would permit this class (for the error's advice).
    pub fn opened_by_allow_local(self) -> bool {
        self.permitted(true) && !self.permitted(false)
    }

    /// "a private address", for error messages.
    pub fn article(self) -> &'static str {
        match self {
            AddressClass::Public => "a public address",
            AddressClass::Loopback => "a loopback address",
            AddressClass::Private => "a private address",
            AddressClass::SharedNat => "a carrier-grade NAT address",
            AddressClass::LinkLocal => "a link-local address",
            AddressClass::Unspecified => "an unspecified address",
            AddressClass::Multicast => "a multicast address",
            AddressClass::Broadcast => "the broadcast address",
            AddressClass::Documentation => "a documentation address",
            AddressClass::Benchmarking => "a benchmarking address",
            AddressClass::Reserved => "a reserved address",
        }
    }

    /// "private networks", for error messages: where masthead does not fetch from.
    pub fn where_plural(self) -> &'static str {
        match self {
            AddressClass::Public => "public addresses",
            AddressClass::Loopback => "this machine",
            AddressClass::Private => "private networks",
            AddressClass::SharedNat => "carrier-grade NAT networks",
            AddressClass::LinkLocal => "link-local networks (where cloud metadata services live)",
            AddressClass::Unspecified => "unspecified addresses",
            AddressClass::Multicast => "multicast addresses",
            AddressClass::Broadcast => "broadcast addresses",
            AddressClass::Documentation => "documentation addresses",
            AddressClass::Benchmarking => "benchmarking networks",
            AddressClass::Reserved => "reserved addresses",
        }
    }
}

impl fmt::Display for AddressClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.article())
    }
}

/// The class of any IP address.
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => classify_v6(v6),
    }
}

/// The class of an IPv4 address.
pub fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    let [a, b, c, _] = ip.octets();
    match (a, b, c) {
        (0, _, _) => AddressClass::Unspecified,
        (10, _, _) => AddressClass::Private,
        (100, 64..=127, _) => AddressClass::SharedNat,
        (127, _, _) => AddressClass::Loopback,
        (169, 254, _) => AddressClass::LinkLocal,
        (172, 16..=31, _) => AddressClass::Private,
        // IETF protocol assignments (DS-Lite, NAT64 discovery, PCP/TURN anycast): none is
        // a feed server, so the whole /24 is refused.
        (192, 0, 0) => AddressClass::Reserved,
        (192, 0, 2) => AddressClass::Documentation,
        // The deprecated 6to4 relay anycast.
        (192, 88, 99) => AddressClass::Reserved,
        (192, 168, _) => AddressClass::Private,
        (198, 18..=19, _) => AddressClass::Benchmarking,
        (198, 51, 100) => AddressClass::Documentation,
        (203, 0, 113) => AddressClass::Documentation,
        (224..=239, _, _) => AddressClass::Multicast,
        _ if ip == Ipv4Addr::BROADCAST => AddressClass::Broadcast,
        (240..=255, _, _) => AddressClass::Reserved,
        _ => AddressClass::Public,
    }
}

/// The class of an IPv6 address, judging IPv6 forms that carry an IPv4 address by it.
pub fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    if ip.is_unspecified() {
        return AddressClass::Unspecified;
    }
    if ip.is_loopback() {
        return AddressClass::Loopback;
    }
    if let Some(v4) = embedded_v4(ip) {
        return classify_v4(v4);
    }
    let s = ip.segments();
    match s[0] {
        0x0100 if s[1..4] == [0, 0, 0] => AddressClass::Reserved,
        // 64:ff9b:1::/48, the local-use NAT64 prefix (RFC 8215); its embedding depends
        // on a local prefix length, so the address is refused whole.
        0x0064 if s[1] == 0xff9b && s[2] == 0x0001 => AddressClass::Reserved,
        0x2001 if s[1] == 0x0db8 => AddressClass::Documentation,
        // 2001::/23, IETF protocol assignments, Teredo (2001::/32) included: Teredo hides
        // an obfuscated IPv4 address, so it is refused rather than decoded.
        0x2001 if s[1] < 0x0200 => AddressClass::Reserved,
        0x3fff if s[1] < 0x1000 => AddressClass::Documentation,
        0x5f00 => AddressClass::Reserved,
        0xfc00..=0xfdff => AddressClass::Private,
        0xfe80..=0xfebf => AddressClass::LinkLocal,
        0xfec0..=0xfeff => AddressClass::Private,
        0xff00..=0xffff => AddressClass::Multicast,
        // Only 2000::/3 is allocated for global unicast; all else is unassigned.
        0x2000..=0x3fff => AddressClass::Public,
        _ => AddressClass::Reserved,
    }
}

/// The IPv4 address an IPv6 address carries, for the forms whose packets reach it:
/// IPv4-mapped `::ffff:0:0/96`, IPv4-compatible `::/96` (deprecated, but still routed by
/// some stacks), NAT64 `64:ff9b::/96` and 6to4 `2002::/16`.
pub fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let low = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        [0, 0, 0, 0, 0, 0xffff, _, _] => Some(low),
        [0, 0, 0, 0, 0, 0, _, _] => Some(low),
        [0x0064, 0xff9b, 0, 0, 0, 0, _, _] => Some(low),
        [0x2002, hi, lo, ..] => Some(Ipv4Addr::new(
            (hi >> 8) as u8,
            hi as u8,
            (lo >> 8) as u8,
            lo as u8,
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
