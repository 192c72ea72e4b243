//! Which addresses a feed may be fetched from. Moderators can type any URL, so unless
//! FEED_ALLOW_PRIVATE is set, only public unicast addresses are reached: the check runs on the
//! addresses the connection will actually use (our resolver hands reqwest nothing else, so a
//! DNS answer cannot change between check and connect) and again on every redirect.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// A refused address, carried through reqwest's error chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} is a loopback, private, link-local or otherwise non-public address")]
pub struct BlockedAddress(pub IpAddr);

/// True for addresses on the public internet.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_broadcast()
        || ip.is_documentation()
        || a == 0                                  // "this network"
        || (a == 100 && (64..128).contains(&b))    // carrier-grade NAT, 100.64.0.0/10
        || (a == 192 && b == 0 && c == 0)          // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19))      // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = embedded_v4(ip) {
        return is_public_v4(v4);
    }
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00   // unique local fc00::/7
        || (first & 0xffc0) == 0xfe80   // link-local fe80::/10
        || (first & 0xffc0) == 0xfec0   // site-local (deprecated) fec0::/10
        || (first == 0x2001 && ip.segments()[1] == 0x0db8) // documentation
        || (first == 0x2001 && ip.segments()[1] == 0)) // Teredo: hides an IPv4 address
}

/// The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d),
/// NAT64 (64:ff9b::/96) or 6to4 (2002::/16) address.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let s = ip.segments();
    let tail = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
    match s {
        [0, 0, 0, 0, 0, 0xffff, _, _] => Some(tail),
        [0, 0, 0, 0, 0, 0, _, _] if !ip.is_loopback() && !ip.is_unspecified() => Some(tail),
        [0x64, 0xff9b, 0, 0, 0, 0, _, _] => Some(tail),
        [0x2002, hi, lo, ..] => Some(Ipv4Addr::new((hi >> 8) as u8, hi as u8, (lo >> 8) as u8, lo as u8)),
        _ => None,
    }
}

/// Resolves names and keeps only public addresses; if nothing public is left, the lookup fails
/// with [`BlockedAddress`].
pub struct PublicOnlyResolver;

impl Resolve for PublicOnlyResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = found.iter().copied().filter(|a| is_public(a.ip())).collect();
            match (public.is_empty(), found.first()) {
                (false, _) => Ok(Box::new(public.into_iter()) as Addrs),
                (true, Some(blocked)) => Err(Box::new(BlockedAddress(blocked.ip())) as _),
                (true, None) => Err(format!("no address found for {host}").into()),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(s: &str) -> bool {
        is_public(s.parse().unwrap())
    }

    #[test]
    fn non_public_ranges_are_refused() {
        for blocked in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "224.0.0.1",
            "255.255.255.255",
            "0.0.0.0",
            "0.1.2.3",
            "240.0.0.1",
            "192.0.0.8",
            "::1",
            "::",
            "fe80::1",
            "fc00::1",
            "fd12:3456::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::7f00:1",
            "2002:7f00:1::",
            "2001:db8::1",
            "2001:0:4136:e378::1",
        ] {
            assert!(!public(blocked), "{blocked} must be refused");
        }
    }

    #[test]
    fn public_addresses_pass() {
        for ok in [
            "1.1.1.1",
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "2606:4700::1111",
            "::ffff:1.1.1.1",
            "2002:0808:0808::",
        ] {
            assert!(public(ok), "{ok} is public");
        }
    }

    #[tokio::test]
    async fn resolver_refuses_names_that_only_reach_loopback() {
        let err = PublicOnlyResolver
            .resolve("localhost".parse().unwrap())
            .await
            .err()
            .expect("localhost is refused");
        let blocked = err.downcast_ref::<BlockedAddress>().expect("a BlockedAddress");
        assert!(blocked.0.is_loopback());
    }
}
