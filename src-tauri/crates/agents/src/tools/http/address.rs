//! Which IP addresses `http_get` may connect to: public unicast ones only, unless the user
//! listed the exact address.
//!
//! Hand-written because std's `is_global` is still unstable (rust-lang/rust#27709) and no
//! maintained crate is smaller than this table. The ranges are IANA's IPv4 and IPv6
//! special-purpose registries; an address inside any of them is not a web site on the public
//! internet, and most of them are the user's own machine, network or cloud metadata service.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Why an address is not public, for the message; `None` for a public address.
pub(super) fn restriction(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => restriction_v4(v4),
        IpAddr::V6(v6) => restriction_v6(v6),
    }
}

/// `true` for an address a fetch may reach without the user listing it.
pub(super) fn is_public(ip: IpAddr) -> bool {
    restriction(ip).is_none()
}

fn restriction_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        _ if ip.is_unspecified() => "an unspecified (this host)",
        (0, ..) => "a \"this network\"",
        _ if ip.is_loopback() => "a loopback",
        _ if ip.is_private() => "a private-network",
        _ if ip.is_link_local() => "a link-local (cloud metadata)",
        (100, 64..=127, _) => "a carrier-grade NAT (shared)",
        (192, 0, 0) => "an IETF protocol",
        _ if ip.is_documentation() => "a documentation",
        (192, 88, 99) => "a 6to4 relay",
        (198, 18..=19, _) => "a benchmarking",
        _ if ip.is_multicast() => "a multicast",
        _ if ip.is_broadcast() => "a broadcast",
        (240..=255, ..) => "a reserved",
        _ => return None,
    })
}

fn restriction_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let segments = ip.segments();
    // Forms that carry an IPv4 address are judged by it: `::ffff:127.0.0.1` is loopback.
    if let Some(v4) = ip.to_ipv4_mapped() {
        return restriction_v4(v4);
    }
    // NAT64's well-known prefix (RFC 6052): DNS64 networks hand these out for every IPv4-only
    // site, so a public embedded address must stay reachable.
    if segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let [.., a, b, c, d] = ip.octets();
        return restriction_v4(Ipv4Addr::new(a, b, c, d));
    }
    Some(match segments {
        _ if ip.is_unspecified() => "an unspecified (this host)",
        _ if ip.is_loopback() => "a loopback",
        // IPv4-compatible (`::a.b.c.d`, deprecated) and IPv4-translated (`::ffff:0:a.b.c.d`).
        [0, 0, 0, 0, 0, 0, ..] | [0, 0, 0, 0, 0xffff, 0, ..] => "an IPv4-compatible",
        [s, ..] if s & 0xfe00 == 0xfc00 => "a unique-local (private)",
        [s, ..] if s & 0xffc0 == 0xfe80 => "a link-local",
        [s, ..] if s & 0xffc0 == 0xfec0 => "a site-local",
        [s, ..] if s & 0xff00 == 0xff00 => "a multicast",
        [0x64, 0xff9b, 1, ..] => "a local NAT64",
        [0x100, 0, 0, 0, ..] => "a discard-only",
        [0x2001, 0x0db8, ..] | [0x3fff, 0..=0x0fff, ..] => "a documentation",
        // IETF protocol assignments (Teredo, benchmarking, ORCHID…).
        [0x2001, 0..=0x01ff, ..] => "an IETF protocol",
        // 6to4 wraps an IPv4 address a relay would reach on its side.
        [0x2002, ..] => "a 6to4",
        [0x5f00, ..] => "a segment-routing",
        // Only 2000::/3 is assigned for global unicast; the rest is reserved.
        [s, ..] if s & 0xe000 != 0x2000 => "a reserved",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for text in [
            "127.0.0.1",
            "127.255.255.254",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "0.0.0.0",
            "0.1.2.3",
            "192.0.0.8",
            "192.0.2.1",
            "198.18.0.1",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "fe80::1",
            "febf::1",
            "fc00::1",
            "fd12:3456::1",
            "fec0::1",
            "ff02::1",
            "100::1",
            "2001:db8::1",
            "2001::1",
            "2002:7f00:1::1",
            "64:ff9b:1::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "::ffff:0.0.0.0",
            "::127.0.0.1",
            "::10.0.0.1",
            "::ffff:0:127.0.0.1",
            "64:ff9b::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "4000::1",
        ] {
            assert!(!is_public(ip(text)), "{text} must not be public");
        }
    }

    #[test]
    fn public_unicast_addresses_are_public() {
        for text in [
            "93.184.216.34",
            "1.1.1.1",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "192.169.0.1",
            "2606:4700::1111",
            "2a00:1450:4001::200e",
            "::ffff:93.184.216.34",
            "64:ff9b::5db8:d822",
        ] {
            assert!(is_public(ip(text)), "{text} is public");
        }
    }

    #[test]
    fn restrictions_name_the_kind_of_address() {
        assert_eq!(restriction(ip("127.0.0.1")), Some("a loopback"));
        assert_eq!(
            restriction(ip("169.254.169.254")),
            Some("a link-local (cloud metadata)")
        );
        assert_eq!(
            restriction(ip("::ffff:192.168.0.1")),
            Some("a private-network")
        );
        assert_eq!(restriction(ip("fd00::1")), Some("a unique-local (private)"));
    }
}
