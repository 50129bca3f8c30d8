//! The address classification against a reference written independently: plain integer
//! prefixes transcribed from the IANA special-purpose registries, no `ipnet`, checked on
//! addresses generated in and around every range.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use proptest::prelude::*;
use url::Url;

use super::*;

/// (first address, prefix length, class) for IPv4, from the IANA registry.
/// The first match wins, so the metadata addresses come before their ranges.
const REFERENCE_V4: &[(u32, u32, AddressClass)] = &[
    (0xa9fe_a9fe, 32, AddressClass::Reserved),
    (0x6464_64c8, 32, AddressClass::Reserved),
    (0x0000_0000, 8, AddressClass::Reserved),
    (0x0a00_0000, 8, AddressClass::Private),
    (0x6440_0000, 10, AddressClass::Private),
    (0x7f00_0000, 8, AddressClass::Private),
    (0xa9fe_0000, 16, AddressClass::Private),
    (0xac10_0000, 12, AddressClass::Private),
    (0xc000_0000, 24, AddressClass::Reserved),
    (0xc000_0200, 24, AddressClass::Reserved),
    (0xc058_6300, 24, AddressClass::Reserved),
    (0xc0a8_0000, 16, AddressClass::Private),
    (0xc612_0000, 15, AddressClass::Reserved),
    (0xc633_6400, 24, AddressClass::Reserved),
    (0xcb00_7100, 24, AddressClass::Reserved),
    (0xe000_0000, 4, AddressClass::Reserved),
    (0xf000_0000, 4, AddressClass::Reserved),
];

fn in_prefix_v4(ip: u32, first: u32, len: u32) -> bool {
    len == 0 || (ip ^ first) >> (32 - len) == 0
}

fn in_prefix_v6(ip: u128, first: u128, len: u32) -> bool {
    len == 0 || (ip ^ first) >> (128 - len) == 0
}

fn reference_v4(ip: u32) -> AddressClass {
    REFERENCE_V4
        .iter()
        .find(|(first, len, _)| in_prefix_v4(ip, *first, *len))
        .map_or(AddressClass::Public, |(_, _, class)| *class)
}

fn reference_v6(ip: u128) -> AddressClass {
    if in_prefix_v6(ip, 0xffff << 32, 96) || in_prefix_v6(ip, 0x64_ff9b << 96, 96) {
        return reference_v4(ip as u32);
    }
    if in_prefix_v6(ip, 0x2002 << 112, 16) {
        return reference_v4((ip >> 80) as u32);
    }
    if ip == 0xfd00_0ec2_0000_0000_0000_0000_0000_0254 {
        return AddressClass::Reserved;
    }
    let private = [
        (1, 128),
        (0xfc00 << 112, 7),
        (0xfe80 << 112, 10),
        (0xfec0 << 112, 10),
    ];
    if private.iter().any(|&(f, l)| in_prefix_v6(ip, f, l)) {
        return AddressClass::Private;
    }
    let reserved = [
        (0x2001 << 112, 23),
        (0x2001_0db8 << 96, 32),
        (0x3fff << 112, 20),
    ];
    let global = in_prefix_v6(ip, 0x2000 << 112, 3);
    if !global || reserved.iter().any(|&(f, l)| in_prefix_v6(ip, f, l)) {
        return AddressClass::Reserved;
    }
    AddressClass::Public
}

/// IPv4 addresses near the edges of every range, and anywhere.
fn any_v4() -> impl Strategy<Value = u32> {
    let near_a_range =
        (0..REFERENCE_V4.len(), any::<u32>(), -2i64..=2).prop_map(|(i, r, nudge)| {
            let (first, len, _) = REFERENCE_V4[i];
            let host = if len == 32 { 0 } else { r & (u32::MAX >> len) };
            (i64::from(first | host) + nudge).clamp(0, i64::from(u32::MAX)) as u32
        });
    prop_oneof![any::<u32>(), near_a_range]
}

/// IPv6 addresses in every interesting prefix, and anywhere.
fn any_v6() -> impl Strategy<Value = u128> {
    let prefixes: Vec<(u128, u32)> = vec![
        (0, 96),
        (0, 127),
        (0xffff << 32, 96),
        (0x64_ff9b << 96, 96),
        (0x64_ff9b_0001 << 80, 48),
        (0x2002 << 112, 16),
        (0x2001 << 112, 23),
        (0x2001_0db8 << 96, 32),
        (0x2001_0200 << 96, 23),
        (0x3fff << 112, 20),
        (0x2000 << 112, 3),
        (0xfc00 << 112, 7),
        (0xfe80 << 112, 9),
        (0xff00 << 112, 8),
    ];
    let in_a_prefix = (
        proptest::sample::select(prefixes),
        any::<u128>(),
        any::<u32>(),
    )
        .prop_map(|((first, len), r, v4)| {
            let host = r & (u128::MAX >> len);
            // Half the time, the embedded IPv4 address is a private one.
            let low = if r & 1 == 0 {
                u128::from(v4)
            } else {
                u128::from(0x7f00_0001u32)
            };
            let host = if len >= 96 {
                low & (u128::MAX >> len)
            } else {
                host
            };
            first | host
        });
    prop_oneof![any::<u128>(), in_a_prefix]
}

proptest! {
    #[test]
    fn ipv4_classification_matches_the_reference_table(ip in any_v4()) {
        prop_assert_eq!(classify(IpAddr::V4(Ipv4Addr::from(ip))), reference_v4(ip));
    }

    #[test]
    fn ipv6_classification_matches_the_reference_table(ip in any_v6()) {
        prop_assert_eq!(classify(IpAddr::V6(Ipv6Addr::from(ip))), reference_v6(ip));
    }

    #[test]
    fn mapped_and_nat64_forms_classify_like_their_ipv4_address(ip in any_v4()) {
        let v4 = Ipv4Addr::from(ip);
        let mapped = v4.to_ipv6_mapped();
        let nat64 = Ipv6Addr::from((0x64_ff9b_u128 << 96) | u128::from(ip));
        let six_to_four = Ipv6Addr::from((0x2002_u128 << 112) | (u128::from(ip) << 80) | 1);
        let expected = classify(IpAddr::V4(v4));
        prop_assert_eq!(classify(IpAddr::V6(mapped)), expected);
        prop_assert_eq!(classify(IpAddr::V6(nat64)), expected);
        prop_assert_eq!(classify(IpAddr::V6(six_to_four)), expected);
    }

    #[test]
    fn what_the_standard_library_calls_local_or_special_is_never_public(ip in any_v4()) {
        let v4 = Ipv4Addr::from(ip);
        let special = v4.is_private() || v4.is_loopback() || v4.is_link_local()
            || v4.is_unspecified() || v4.is_broadcast() || v4.is_multicast()
            || v4.is_documentation();
        if special {
            prop_assert_ne!(classify(IpAddr::V4(v4)), AddressClass::Public);
        }
    }
}

#[test]
fn the_policy_permits_private_networks_only_when_allowed_and_reserved_ones_never() {
    let refuse = NetPolicy::default();
    let allow = NetPolicy {
        allow_private_networks: true,
    };
    let cases: &[(&str, bool, bool)] = &[
        // (address, permitted by default, permitted when private networks are allowed)
        ("93.184.215.14", true, true),
        ("2606:4700::6810:84e5", true, true),
        ("127.0.0.1", false, true),
        ("169.254.169.254", false, false),
        ("169.254.1.1", false, true),
        ("100.100.100.200", false, false),
        ("fd00:ec2::254", false, false),
        ("::ffff:169.254.169.254", false, false),
        ("10.1.2.3", false, true),
        ("172.31.255.255", false, true),
        ("172.32.0.1", true, true),
        ("100.64.0.1", false, true),
        ("::1", false, true),
        ("::ffff:127.0.0.1", false, true),
        ("64:ff9b::a9fe:a9fe", false, false),
        ("64:ff9b::a00:1", false, true),
        ("fd00::1", false, true),
        ("fe80::1", false, true),
        ("0.0.0.0", false, false),
        ("255.255.255.255", false, false),
        ("224.0.0.1", false, false),
        ("192.0.2.1", false, false),
        ("198.18.0.1", false, false),
        ("::", false, false),
        ("ff02::1", false, false),
        ("2001:db8::1", false, false),
    ];
    for &(address, by_default, when_allowed) in cases {
        let ip: IpAddr = address.parse().unwrap();
        assert_eq!(refuse.permits(ip), by_default, "{address} by default");
        assert_eq!(allow.permits(ip), when_allowed, "{address} when allowed");
    }
}

#[test]
fn urls_are_refused_for_their_scheme_credentials_or_an_ip_literal_host() {
    let check = |url: &str| {
        check_url(&Url::parse(url).unwrap(), NetPolicy::default()).map_err(|e| e.to_string())
    };
    assert_eq!(check("https://cdn.example.com/a.css"), Ok(()));
    assert_eq!(
        check("http://localhost:8080/"),
        Ok(()),
        "names are checked when resolved"
    );
    for refused in [
        "ftp://example.com/a.css",
        "file:///etc/passwd",
        "gopher://example.com/",
        "https://user:pw@example.com/",
        "https://user@example.com/",
        "http://127.0.0.1/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://[::ffff:127.0.0.1]/",
        "http://[::ffff:7f00:1]/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00::1]/",
        "http://0.0.0.0/",
    ] {
        assert!(check(refused).is_err(), "{refused} is refused");
    }
    let err = check("http://[::ffff:169.254.169.254]/").unwrap_err();
    assert!(
        err.contains("::ffff:169.254.169.254"),
        "names the host: {err}"
    );
}
