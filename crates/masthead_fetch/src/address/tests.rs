//! Every address class, in every form that can reach it, against [`classify`]; and
//! properties: mapped, compatible, NAT64 and 6to4 forms agree with their IPv4 address.

use super::*;
use AddressClass::*;
use proptest::prelude::*;
use std::net::{Ipv4Addr, Ipv6Addr};

fn v4(s: &str) -> AddressClass {
    match s.parse::<Ipv4Addr>() {
        Ok(ip) => classify(IpAddr::V4(ip)),
        Err(e) => panic!("test address {s}: {e}"),
    }
}

fn v6(s: &str) -> AddressClass {
    match s.parse::<Ipv6Addr>() {
        Ok(ip) => classify(IpAddr::V6(ip)),
        Err(e) => panic!("test address {s}: {e}"),
    }
}

/// Each class's first, a middle and last address, and the neighbours just outside.
#[test]
fn ipv4_ranges_and_their_edges() {
    let cases: &[(&str, AddressClass)] = &[
        ("0.0.0.0", Unspecified),
        ("0.1.2.3", Unspecified),
        ("0.255.255.255", Unspecified),
        ("1.0.0.0", Public),
        ("9.255.255.255", Public),
        ("10.0.0.0", Private),
        ("10.0.0.5", Private),
        ("10.255.255.255", Private),
        ("11.0.0.0", Public),
        ("100.63.255.255", Public),
        ("100.64.0.0", SharedNat),
        ("100.100.100.100", SharedNat),
        ("100.127.255.255", SharedNat),
        ("100.128.0.0", Public),
        ("126.255.255.255", Public),
        ("127.0.0.0", Loopback),
        ("127.0.0.1", Loopback),
        ("127.255.255.254", Loopback),
        ("128.0.0.0", Public),
        ("169.253.255.255", Public),
        ("169.254.0.0", LinkLocal),
        ("169.254.169.254", LinkLocal),
        ("169.254.255.255", LinkLocal),
        ("169.255.0.0", Public),
        ("172.15.255.255", Public),
        ("172.16.0.0", Private),
        ("172.20.1.1", Private),
        ("172.31.255.255", Private),
        ("172.32.0.0", Public),
        ("191.255.255.255", Public),
        ("192.0.0.0", Reserved),
        ("192.0.0.9", Reserved),
        ("192.0.0.255", Reserved),
        ("192.0.1.0", Public),
        ("192.0.2.0", Documentation),
        ("192.0.2.255", Documentation),
        ("192.0.3.0", Public),
        ("192.88.98.255", Public),
        ("192.88.99.1", Reserved),
        ("192.88.100.0", Public),
        ("192.167.255.255", Public),
        ("192.168.0.0", Private),
        ("192.168.1.1", Private),
        ("192.168.255.255", Private),
        ("192.169.0.0", Public),
        ("198.17.255.255", Public),
        ("198.18.0.0", Benchmarking),
        ("198.19.255.255", Benchmarking),
        ("198.20.0.0", Public),
        ("198.51.99.255", Public),
        ("198.51.100.0", Documentation),
        ("198.51.100.255", Documentation),
        ("198.51.101.0", Public),
        ("203.0.112.255", Public),
        ("203.0.113.0", Documentation),
        ("203.0.113.255", Documentation),
        ("203.0.114.0", Public),
        ("223.255.255.255", Public),
        ("224.0.0.0", Multicast),
        ("224.0.0.251", Multicast),
        ("239.255.255.255", Multicast),
        ("240.0.0.0", Reserved),
        ("250.1.2.3", Reserved),
        ("255.255.255.254", Reserved),
        ("255.255.255.255", Broadcast),
        ("8.8.8.8", Public),
        ("93.184.215.14", Public),
    ];
    for (addr, want) in cases {
        assert_eq!(v4(addr), *want, "{addr}");
    }
}

#[test]
fn ipv6_ranges_and_their_edges() {
    let cases: &[(&str, AddressClass)] = &[
        ("::", Unspecified),
        ("::1", Loopback),
        ("100::", Reserved),
        ("100::ffff:ffff:ffff:ffff", Reserved),
        ("100:0:0:1::", Reserved),
        ("2000::", Public),
        ("2001::", Reserved),
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", Reserved),
        ("2001:1ff:ffff::", Reserved),
        ("2001:200::", Public),
        ("2001:db7:ffff::", Public),
        ("2001:db8::", Documentation),
        ("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", Documentation),
        ("2001:db9::", Public),
        ("2606:4700:4700::1111", Public),
        ("2a00:1450:4001:80b::200e", Public),
        ("3ffe::", Public),
        ("3fff::", Documentation),
        ("3fff:fff::", Documentation),
        ("3fff:1000::", Public),
        ("4000::", Reserved),
        ("5f00::1", Reserved),
        ("64:ff9b:1::1", Reserved),
        ("fbff:ffff::", Reserved),
        ("fc00::", Private),
        ("fd12:3456:789a::1", Private),
        ("fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Private),
        ("fe00::", Reserved),
        ("fe7f:ffff::", Reserved),
        ("fe80::", LinkLocal),
        ("fe80::1", LinkLocal),
        ("febf:ffff::", LinkLocal),
        ("fec0::1", Private),
        ("feff:ffff::", Private),
        ("ff00::", Multicast),
        ("ff02::1", Multicast),
        ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", Multicast),
        ("1::", Reserved),
        ("1fff:ffff::", Reserved),
    ];
    for (addr, want) in cases {
        assert_eq!(v6(addr), *want, "{addr}");
    }
}

/// The forms of one IPv4 address inside IPv6 are each judged by that IPv4 address.
#[test]
fn ipv4_inside_ipv6_is_judged_by_the_ipv4_address() {
    let cases: &[(&str, AddressClass)] = &[
        // IPv4-mapped
        ("::ffff:127.0.0.1", Loopback),
        ("::ffff:7f00:1", Loopback),
        ("::ffff:10.0.0.5", Private),
        ("::ffff:192.168.1.1", Private),
        ("::ffff:169.254.169.254", LinkLocal),
        ("::ffff:100.64.0.1", SharedNat),
        ("::ffff:0.0.0.0", Unspecified),
        ("::ffff:255.255.255.255", Broadcast),
        ("::ffff:224.0.0.1", Multicast),
        ("::ffff:192.0.2.1", Documentation),
        ("::ffff:8.8.8.8", Public),
        // IPv4-compatible (deprecated)
        ("::127.0.0.1", Loopback),
        ("::10.1.2.3", Private),
        ("::0.0.0.2", Unspecified),
        ("::8.8.8.8", Public),
        // NAT64 well-known prefix
        ("64:ff9b::127.0.0.1", Loopback),
        ("64:ff9b::10.0.0.1", Private),
        ("64:ff9b::a9fe:a9fe", LinkLocal),
        ("64:ff9b::8.8.8.8", Public),
        // 6to4
        ("2002:7f00:1::", Loopback),
        ("2002:a00:5::1", Private),
        ("2002:c0a8:101::1", Private),
        ("2002:a9fe:a9fe::", LinkLocal),
        ("2002:808:808::1", Public),
    ];
    for (addr, want) in cases {
        assert_eq!(v6(addr), *want, "{addr}");
    }
}

#[test]
fn only_public_is_permitted_by_default() {
    for class in [
        Loopback,
        Private,
        SharedNat,
        LinkLocal,
        Unspecified,
        Multicast,
        Broadcast,
        Documentation,
        Benchmarking,
        Reserved,
    ] {
        assert!(!class.permitted(false), "{class:?}");
    }
    assert!(Public.permitted(false));
}

/// `--allow-local-fetch` opens intranet addresses, never link-local (cloud metadata)
/// nor addresses no server has.
#[test]
fn allow_local_opens_loopback_private_and_shared_nat_only() {
    for class in [Public, Loopback, Private, SharedNat] {
        assert!(class.permitted(true), "{class:?}");
    }
    for class in [
        LinkLocal,
        Unspecified,
        Multicast,
        Broadcast,
        Documentation,
        Benchmarking,
        Reserved,
    ] {
        assert!(!class.permitted(true), "{class:?}");
        assert!(!class.opened_by_allow_local(), "{class:?}");
    }
    assert!(Private.opened_by_allow_local());
    assert!(!Public.opened_by_allow_local());
}

fn nat64(ip: Ipv4Addr) -> Ipv6Addr {
    let [a, b, c, d] = ip.octets();
    Ipv6Addr::new(
        0x64,
        0xff9b,
        0,
        0,
        0,
        0,
        u16::from_be_bytes([a, b]),
        u16::from_be_bytes([c, d]),
    )
}

fn six_to_four(ip: Ipv4Addr, tail: u64) -> Ipv6Addr {
    let [a, b, c, d] = ip.octets();
    let t = tail.to_be_bytes();
    Ipv6Addr::new(
        0x2002,
        u16::from_be_bytes([a, b]),
        u16::from_be_bytes([c, d]),
        u16::from_be_bytes([t[0], t[1]]),
        u16::from_be_bytes([t[2], t[3]]),
        u16::from_be_bytes([t[4], t[5]]),
        u16::from_be_bytes([t[6], t[7]]),
        0,
    )
}

proptest! {
    /// Every way of writing an IPv4 address as IPv6 gets the IPv4 address's class, so
    /// no wrapping sneaks a private address past the check.
    #[test]
    fn every_ipv6_wrapping_gets_the_ipv4_class(bits in any::<u32>(), tail in any::<u64>()) {
        let ip = Ipv4Addr::from(bits);
        let want = classify_v4(ip);
        prop_assert_eq!(classify_v6(ip.to_ipv6_mapped()), want);
        prop_assert_eq!(classify_v6(nat64(ip)), want);
        prop_assert_eq!(classify_v6(six_to_four(ip, tail)), want);
        // The IPv4-compatible form of 0.0.0.0 and 0.0.0.1 are `::` and `::1`.
        if bits > 1 {
            prop_assert_eq!(classify_v6(ip.to_ipv6_compatible()), want);
        }
    }

    /// Whatever std calls loopback, private, link-local, multicast, unspecified,
    /// broadcast or documentation is never permitted by default.
    #[test]
    fn nothing_std_calls_special_is_public_v4(bits in any::<u32>()) {
        let ip = Ipv4Addr::from(bits);
        let special = ip.is_loopback() || ip.is_private() || ip.is_link_local()
            || ip.is_multicast() || ip.is_unspecified() || ip.is_broadcast()
            || ip.is_documentation();
        if special {
            prop_assert!(!classify_v4(ip).permitted(false), "{}", ip);
        }
    }

    #[test]
    fn nothing_std_calls_special_is_public_v6(bits in any::<u128>()) {
        let ip = Ipv6Addr::from(bits);
        let special = ip.is_loopback() || ip.is_multicast() || ip.is_unspecified()
            || ip.is_unique_local() || ip.is_unicast_link_local();
        if special {
            prop_assert!(!classify_v6(ip).permitted(false), "{}", ip);
        }
    }

    /// Outside 2000::/3 and the IPv4 wrappings, nothing IPv6 is public.
    #[test]
    fn public_ipv6_is_global_unicast_or_a_wrapped_public_ipv4(bits in any::<u128>()) {
        let ip = Ipv6Addr::from(bits);
        if classify_v6(ip) == Public {
            let global_unicast = ip.segments()[0] & 0xe000 == 0x2000;
            prop_assert!(global_unicast || embedded_v4(ip).is_some(), "{}", ip);
        }
    }

    /// Unwrapped, every public IPv4 really is outside the refused ranges (cross-checked
    /// against std's own predicates plus the ranges std lacks on stable).
    #[test]
    fn public_v4_is_outside_every_listed_range(bits in any::<u32>()) {
        let ip = Ipv4Addr::from(bits);
        if classify_v4(ip) == Public {
            let [a, b, c, _] = ip.octets();
            prop_assert!(a != 0 && a != 10 && a != 127 && a < 224);
            prop_assert!(!(a == 100 && (64..128).contains(&b)));
            prop_assert!(!(a == 169 && b == 254));
            prop_assert!(!(a == 172 && (16..32).contains(&b)));
            prop_assert!(!(a == 192 && b == 168));
            prop_assert!(!(a == 192 && b == 0 && (c == 0 || c == 2)));
            prop_assert!(!(a == 198 && (b == 18 || b == 19)));
            prop_assert!(!(a == 198 && b == 51 && c == 100));
            prop_assert!(!(a == 203 && b == 0 && c == 113));
        }
    }
}
