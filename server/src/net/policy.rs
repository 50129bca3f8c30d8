//! Which URLs and addresses the server may fetch from: a pure decision, no I/O.
//!
//! Addresses fall in three classes. [`AddressClass::Public`] is always allowed;
//! [`AddressClass::Private`] (this machine and the networks behind it: loopback, RFC 1918,
//! link-local with the cloud metadata address 169.254.169.254, carrier-grade NAT, IPv6
//! unique-local and link-local) only when [`NetPolicy::allow_private_networks`] is set;
//! [`AddressClass::Reserved`] (unspecified, broadcast, multicast, documentation,
//! benchmarking and other special-purpose ranges: never a web server; and the cloud
//! metadata addresses such as 169.254.169.254) never. An IPv6
//! address that carries an IPv4 one (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`,
//! 6to4 `2002::/16`) is judged by that IPv4 address, since that is where a packet to it
//! ends up. IPv6 outside global unicast (`2000::/3`) is reserved.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ipnet::{Ipv4Net, Ipv6Net};
use url::{Host, Url};

use super::NetError;

/// What the server may connect to; from `EC_ARCHIVE_PRIVATE_NETWORKS`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NetPolicy {
    /// Whether loopback, private, link-local and carrier-grade NAT addresses may be
    /// fetched (local set-ups and tests); refused by default.
    pub allow_private_networks: bool,
}

/// The kind of destination an address is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressClass {
    /// Reachable on the internet.
    Public,
    /// This machine or a network behind it; allowed only by
    /// [`NetPolicy::allow_private_networks`].
    Private,
    /// Never a web server's address, or a cloud metadata service; always refused.
    Reserved,
}

const fn v4(a: u8, b: u8, c: u8, d: u8, len: u8) -> Ipv4Net {
    Ipv4Net::new_assert(Ipv4Addr::new(a, b, c, d), len)
}

#[allow(clippy::too_many_arguments)]
const fn v6(a: u16, b: u16, c: u16, d: u16, e: u16, f: u16, g: u16, h: u16, len: u8) -> Ipv6Net {
    Ipv6Net::new_assert(Ipv6Addr::new(a, b, c, d, e, f, g, h), len)
}

/// Cloud metadata services (AWS, GCP, Azure, OpenStack; Alibaba; AWS over IPv6): refused
/// even when private networks are allowed, since a development machine may be a cloud VM
/// whose credentials they hand out.
const METADATA: [IpAddr; 3] = [
    IpAddr::V4(Ipv4Addr::new(169, 254, 169, 254)),
    IpAddr::V4(Ipv4Addr::new(100, 100, 100, 200)),
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0xec2, 0, 0, 0, 0, 0, 0x254)),
];

/// IPv4 ranges of this machine and the networks behind it.
const PRIVATE_V4: [Ipv4Net; 6] = [
    v4(10, 0, 0, 0, 8),     // RFC 1918
    v4(100, 64, 0, 0, 10),  // carrier-grade NAT (RFC 6598)
    v4(127, 0, 0, 0, 8),    // loopback
    v4(169, 254, 0, 0, 16), // link-local, cloud metadata
    v4(172, 16, 0, 0, 12),  // RFC 1918
    v4(192, 168, 0, 0, 16), // RFC 1918
];

/// IPv4 ranges that are never a web server (IANA special-purpose registry).
const RESERVED_V4: [Ipv4Net; 9] = [
    v4(0, 0, 0, 0, 8),       // "this network", unspecified
    v4(192, 0, 0, 0, 24),    // IETF protocol assignments
    v4(192, 0, 2, 0, 24),    // TEST-NET-1
    v4(192, 88, 99, 0, 24),  // 6to4 relay anycast (deprecated)
    v4(198, 18, 0, 0, 15),   // benchmarking
    v4(198, 51, 100, 0, 24), // TEST-NET-2
    v4(203, 0, 113, 0, 24),  // TEST-NET-3
    v4(224, 0, 0, 0, 4),     // multicast
    v4(240, 0, 0, 0, 4),     // reserved, and 255.255.255.255 broadcast
];

/// IPv6 ranges of this machine and the networks behind it.
const PRIVATE_V6: [Ipv6Net; 4] = [
    v6(0, 0, 0, 0, 0, 0, 0, 1, 128),     // loopback
    v6(0xfc00, 0, 0, 0, 0, 0, 0, 0, 7),  // unique local
    v6(0xfe80, 0, 0, 0, 0, 0, 0, 0, 10), // link-local
    v6(0xfec0, 0, 0, 0, 0, 0, 0, 0, 10), // site-local (deprecated)
];

/// IPv6 global unicast; everything outside it that is not private is reserved.
const GLOBAL_UNICAST_V6: Ipv6Net = v6(0x2000, 0, 0, 0, 0, 0, 0, 0, 3);

/// Special-purpose ranges inside global unicast.
const RESERVED_V6: [Ipv6Net; 3] = [
    v6(0x2001, 0, 0, 0, 0, 0, 0, 0, 23), // IETF protocol assignments, Teredo, benchmarking
    v6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0, 32), // documentation
    v6(0x3fff, 0, 0, 0, 0, 0, 0, 0, 20), // documentation (RFC 9637)
];

/// IPv6 prefixes whose low 32 bits are an IPv4 address: IPv4-mapped and NAT64.
const EMBEDS_V4_LOW: [Ipv6Net; 2] = [
    v6(0, 0, 0, 0, 0, 0xffff, 0, 0, 96),    // IPv4-mapped
    v6(0x64, 0xff9b, 0, 0, 0, 0, 0, 0, 96), // NAT64 well-known prefix
];

/// 6to4: the IPv4 address is bits 16 to 48.
const SIX_TO_FOUR: Ipv6Net = v6(0x2002, 0, 0, 0, 0, 0, 0, 0, 16);

/// The class of an address.
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(ip) => classify_v4(ip),
        IpAddr::V6(ip) => classify_v6(ip),
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    if METADATA.contains(&IpAddr::V4(ip)) {
        AddressClass::Reserved
    } else if PRIVATE_V4.iter().any(|net| net.contains(&ip)) {
        AddressClass::Private
    } else if RESERVED_V4.iter().any(|net| net.contains(&ip)) {
        AddressClass::Reserved
    } else {
        AddressClass::Public
    }
}

fn classify_v6(ip: Ipv6Addr) -> AddressClass {
    let bits = ip.to_bits();
    if EMBEDS_V4_LOW.iter().any(|net| net.contains(&ip)) {
        // Truncation keeps exactly the low 32 bits, the embedded address.
        return classify_v4(Ipv4Addr::from_bits(bits as u32));
    }
    if SIX_TO_FOUR.contains(&ip) {
        return classify_v4(Ipv4Addr::from_bits((bits >> 80) as u32));
    }
    if METADATA.contains(&IpAddr::V6(ip)) {
        AddressClass::Reserved
    } else if PRIVATE_V6.iter().any(|net| net.contains(&ip)) {
        AddressClass::Private
    } else if !GLOBAL_UNICAST_V6.contains(&ip) || RESERVED_V6.iter().any(|net| net.contains(&ip)) {
        AddressClass::Reserved
    } else {
        AddressClass::Public
    }
}

impl NetPolicy {
    /// Whether the server may connect to `ip`.
    pub fn permits(self, ip: IpAddr) -> bool {
        match classify(ip) {
            AddressClass::Public => true,
            AddressClass::Private => self.allow_private_networks,
            AddressClass::Reserved => false,
        }
    }
}

/// Checks what can be checked before any I/O: the scheme is `http` or `https`, there is
/// no user name or password, there is a host, and a host written as an IP address is one
/// the policy permits. Host names are checked when they are resolved (see
/// [`super::resolve`]), for each address actually connected to.
pub fn check_url(url: &Url, policy: NetPolicy) -> Result<(), NetError> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(NetError::Scheme(url.scheme().to_owned()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(NetError::Credentials);
    }
    let ip = match url.host() {
        None => return Err(NetError::NoHost),
        Some(Host::Domain(_)) => return Ok(()),
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
    };
    match policy.permits(ip) {
        true => Ok(()),
        false => Err(NetError::PrivateAddress {
            host: ip.to_string(),
        }),
    }
}

#[cfg(test)]
mod tests;
