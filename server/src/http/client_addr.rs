//! Who sent a request: the client address that rate limits key on and `receivedIp` records.
//!
//! A pure rule, no I/O. The TCP peer is the client unless the peer is a trusted reverse
//! proxy (`EC_TRUSTED_PROXIES`); then the client is the right-most `X-Forwarded-For` entry
//! that is not itself a trusted proxy. Entries to the left of that one were written by
//! whoever sent the request to the first trusted proxy, so they prove nothing and are never
//! read: an attacker can forge them but cannot make the server believe them.

use std::net::{IpAddr, SocketAddr};

use ipnet::IpNet;

/// The client address of a request that arrived from `peer` with these
/// `X-Forwarded-For` header values (in the order received; each may list several
/// comma-separated entries).
///
/// When every listed entry is trusted, the left-most one is the client. An entry that is
/// not an address (`unknown`, an obfuscated name, garbage) stops the walk: the nearest
/// address a trusted proxy vouched for, the entry right of it, is used instead.
pub fn client_addr<'a>(
    peer: IpAddr,
    forwarded_for: impl IntoIterator<Item = &'a str>,
    trusted: &[IpNet],
) -> IpAddr {
    let peer = peer.to_canonical();
    if !is_trusted(peer, trusted) {
        return peer;
    }
    let entries: Vec<&str> = forwarded_for
        .into_iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    let mut nearest = peer;
    for entry in entries.iter().rev() {
        let Some(addr) = parse_entry(entry) else {
            return nearest;
        };
        if !is_trusted(addr, trusted) {
            return addr;
        }
        nearest = addr;
    }
    nearest
}

fn is_trusted(addr: IpAddr, trusted: &[IpNet]) -> bool {
    trusted.iter().any(|net| net.contains(&addr))
}

/// An address as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]:80`.
fn parse_entry(entry: &str) -> Option<IpAddr> {
    let addr = entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|s| s.ip()))
        .or_else(|| {
            let inner = entry.strip_prefix('[')?.strip_suffix(']')?;
            inner.parse::<IpAddr>().ok()
        })?;
    Some(addr.to_canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|n| n.parse().unwrap()).collect()
    }

    #[test]
    fn the_client_is_the_peer_unless_a_trusted_proxy_forwarded_the_request() {
        let proxies = nets(&["10.0.0.0/8", "2001:db8:ffff::/48"]);
        // (peer, X-Forwarded-For headers, trusted proxies, expected client)
        let cases: &[(&str, &[&str], &[IpNet], &str)] = &[
            // No trusted proxies: the header is ignored, whatever it says.
            ("203.0.113.9", &["198.51.100.1"], &[], "203.0.113.9"),
            // An untrusted peer cannot name another client.
            ("203.0.113.9", &["198.51.100.1"], &proxies, "203.0.113.9"),
            // A trusted peer: the right-most untrusted entry.
            ("10.0.0.2", &["198.51.100.1"], &proxies, "198.51.100.1"),
            // Entries left of it are forgeable and never read.
            (
                "10.0.0.2",
                &["1.1.1.1, 198.51.100.1"],
                &proxies,
                "198.51.100.1",
            ),
            // Trusted hops are skipped, across several headers.
            (
                "10.0.0.2",
                &["6.6.6.6, 198.51.100.1", "10.1.1.1"],
                &proxies,
                "198.51.100.1",
            ),
            // Ports and brackets as proxies write them.
            ("10.0.0.2", &["198.51.100.1:4711"], &proxies, "198.51.100.1"),
            ("10.0.0.2", &["[2001:db8::7]:443"], &proxies, "2001:db8::7"),
            ("10.0.0.2", &["2001:db8::7"], &proxies, "2001:db8::7"),
            // A trusted peer without the header is the client.
            ("10.0.0.2", &[], &proxies, "10.0.0.2"),
            // Every entry trusted: the left-most.
            ("10.0.0.2", &["10.9.9.9, 10.1.1.1"], &proxies, "10.9.9.9"),
            // Garbage stops the walk at the nearest vouched-for address.
            ("10.0.0.2", &["198.51.100.1, unknown"], &proxies, "10.0.0.2"),
            ("10.0.0.2", &["unknown, 10.1.1.1"], &proxies, "10.1.1.1"),
            // An IPv4 peer written as IPv6 is the same peer.
            (
                "::ffff:10.0.0.2",
                &["198.51.100.1"],
                &proxies,
                "198.51.100.1",
            ),
            // An IPv6 proxy range.
            ("2001:db8:ffff::1", &["192.0.2.5"], &proxies, "192.0.2.5"),
        ];
        for (peer, headers, trusted, expected) in cases {
            let got = client_addr(peer.parse().unwrap(), headers.iter().copied(), trusted);
            assert_eq!(
                got,
                expected.parse::<IpAddr>().unwrap(),
                "peer {peer}, X-Forwarded-For {headers:?}"
            );
        }
    }
}
