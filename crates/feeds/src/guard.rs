//! Which addresses a feed may be fetched from. Moderators can type any URL, so by default only
//! public unicast addresses are reached; `FEED_ALLOW_PRIVATE` opens loopback and private ranges,
//! `FEED_ALLOW_NETWORKS` opens chosen ranges only. Link-local ranges and cloud metadata
//! endpoints are refused always, whatever either says: they hand out credentials. The check runs
//! on the addresses the connection will actually use (our resolver hands reqwest nothing else,
//! so a DNS answer cannot change between check and connect) and again on every redirect.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

pub use ipnet::IpNet;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};

/// Why an address or name is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Loopback, private or otherwise not public: an operator may open it.
    NotPublic,
    /// Link-local or a cloud metadata endpoint: never opened.
    AlwaysRefused,
}

/// A refused address, carried through reqwest's error chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct BlockedAddress {
    pub ip: IpAddr,
    pub why: Refusal,
}

impl std::fmt::Display for BlockedAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.why {
            Refusal::NotPublic => write!(
                f,
                "{} is a loopback, private or otherwise non-public address (set FEED_ALLOW_PRIVATE=true, or list its range in FEED_ALLOW_NETWORKS, to allow intranet feeds)",
                self.ip
            ),
            Refusal::AlwaysRefused => write!(
                f,
                "{} is a link-local or cloud metadata address, which is never fetched",
                self.ip
            ),
        }
    }
}

/// A refused host name (a cloud metadata service's), carried through reqwest's error chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} is a cloud metadata host name, which is never fetched")]
pub struct BlockedName(pub String);

/// Cloud metadata endpoints outside the link-local ranges.
const METADATA_ADDRESSES: [IpAddr; 3] = [
    IpAddr::V6(Ipv6Addr::new(0xfd00, 0x0ec2, 0, 0, 0, 0, 0, 0x0254)), // AWS over IPv6
    IpAddr::V4(Ipv4Addr::new(100, 100, 100, 200)),                    // Alibaba Cloud
    IpAddr::V4(Ipv4Addr::new(168, 63, 129, 16)),                      // Azure's wire server
];

/// Names of cloud metadata services (compared without case and trailing dot).
const METADATA_NAMES: [&str; 8] = [
    "metadata.google.internal",
    "metadata.goog",
    "metadata",
    "instance-data",
    "instance-data.ec2.internal",
    "metadata.azure.internal",
    "metadata.tencentyun.com",
    "metadata.platformequinix.com",
];

/// True for the addresses no setting opens: link-local (169.254.0.0/16, fe80::/10, which hold
/// 169.254.169.254) and the metadata endpoints elsewhere, also when an IPv6 address embeds them.
pub fn is_always_refused(ip: IpAddr) -> bool {
    if METADATA_ADDRESSES.contains(&ip) {
        return true;
    }
    match ip {
        IpAddr::V4(v4) => v4.is_link_local(),
        IpAddr::V6(v6) => {
            (v6.segments()[0] & 0xffc0) == 0xfe80 || embedded_v4(v6).is_some_and(|v4| is_always_refused(IpAddr::V4(v4)))
        }
    }
}

/// True for the host names of cloud metadata services.
pub fn is_metadata_name(host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    METADATA_NAMES.contains(&host.as_str())
}

/// Which addresses feeds may be fetched from, beyond the public ones.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AddressPolicy {
    /// Loopback and private ranges too (FEED_ALLOW_PRIVATE).
    pub allow_private: bool,
    /// These ranges too (FEED_ALLOW_NETWORKS).
    pub allow_networks: Vec<IpNet>,
}

impl From<bool> for AddressPolicy {
    fn from(allow_private: bool) -> Self {
        AddressPolicy {
            allow_private,
            allow_networks: Vec::new(),
        }
    }
}

impl AddressPolicy {
    /// Reads a comma-separated list of CIDR ranges (a bare address is its own range).
    pub fn parse_networks(list: &str) -> Result<Vec<IpNet>, String> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<IpNet>()
                    .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                    .map(|n| n.trunc())
                    .map_err(|_| format!("`{s}` is not a network such as 10.1.0.0/16 or fd12::/64"))
            })
            .collect()
    }

    /// Ok when a feed may be fetched from `ip`.
    pub fn check(&self, ip: IpAddr) -> Result<(), BlockedAddress> {
        let refuse = |why| Err(BlockedAddress { ip, why });
        if is_always_refused(ip) {
            return refuse(Refusal::AlwaysRefused);
        }
        if is_public(ip) || self.allow_private {
            return Ok(());
        }
        let v4 = match ip {
            IpAddr::V6(v6) => embedded_v4(v6).map(IpAddr::V4),
            IpAddr::V4(_) => None,
        };
        if self
            .allow_networks
            .iter()
            .any(|net| net.contains(&ip) || v4.is_some_and(|v4| net.contains(&v4)))
        {
            return Ok(());
        }
        refuse(Refusal::NotPublic)
    }
}

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

/// Looks a host name up; injectable so tests can make a public-looking name resolve anywhere.
pub trait Lookup: Send + Sync {
    fn lookup(&self, host: String) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>>;
}

/// The system's resolver.
pub struct SystemLookup;

impl Lookup for SystemLookup {
    fn lookup(&self, host: String) -> Pin<Box<dyn Future<Output = std::io::Result<Vec<IpAddr>>> + Send>> {
        Box::pin(async move {
            Ok(tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .map(|a| a.ip())
                .collect())
        })
    }
}

/// Resolves names and keeps only the addresses the policy allows; if none is left, the lookup
/// fails with [`BlockedAddress`]. Metadata host names fail with [`BlockedName`] before any lookup.
pub struct GuardedResolver {
    pub policy: Arc<AddressPolicy>,
    pub lookup: Arc<dyn Lookup>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        let policy = self.policy.clone();
        let lookup = self.lookup.clone();
        Box::pin(async move {
            if is_metadata_name(&host) {
                return Err(Box::new(BlockedName(host)) as _);
            }
            let found = lookup.lookup(host.clone()).await?;
            let mut refused = None;
            let allowed: Vec<SocketAddr> = found
                .iter()
                .filter(|ip| match policy.check(**ip) {
                    Ok(()) => true,
                    Err(blocked) => {
                        // An always-refused address is the one worth naming.
                        if refused
                            .as_ref()
                            .is_none_or(|r: &BlockedAddress| r.why == Refusal::NotPublic)
                        {
                            refused = Some(blocked);
                        }
                        false
                    }
                })
                .map(|ip| SocketAddr::new(*ip, 0))
                .collect();
            match (allowed.is_empty(), refused) {
                (false, _) => Ok(Box::new(allowed.into_iter()) as Addrs),
                (true, Some(blocked)) => Err(Box::new(blocked) as _),
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

    #[test]
    fn link_local_and_metadata_are_refused_by_every_policy() {
        let wide = AddressPolicy {
            allow_private: true,
            allow_networks: AddressPolicy::parse_networks("0.0.0.0/0, ::/0").unwrap(),
        };
        for policy in [AddressPolicy::default(), AddressPolicy::from(true), wide] {
            for never in [
                "169.254.169.254",
                "169.254.0.1",
                "fe80::1",
                "febf::1",
                "fd00:ec2::254",
                "100.100.100.200",
                "::ffff:169.254.169.254",
                "64:ff9b::a9fe:a9fe",
            ] {
                let err = policy.check(never.parse().unwrap()).unwrap_err();
                assert_eq!(err.why, Refusal::AlwaysRefused, "{never} under {policy:?}");
                assert!(err.to_string().contains("never fetched"));
            }
            assert!(policy.check("1.1.1.1".parse().unwrap()).is_ok());
        }
        for name in [
            "metadata.google.internal",
            "Metadata.Google.Internal.",
            "metadata",
            "instance-data",
        ] {
            assert!(is_metadata_name(name), "{name}");
        }
        assert!(!is_metadata_name("metadata.example.com"));
    }

    #[test]
    fn allowed_networks_open_their_ranges_only() {
        let policy = AddressPolicy {
            allow_private: false,
            allow_networks: AddressPolicy::parse_networks("10.1.0.0/16, fd12:3456::/32, 192.168.7.9").unwrap(),
        };
        for open in ["10.1.2.3", "fd12:3456::1", "192.168.7.9", "::ffff:10.1.0.1"] {
            assert!(policy.check(open.parse().unwrap()).is_ok(), "{open}");
        }
        for closed in ["10.2.0.1", "127.0.0.1", "192.168.7.10", "fd12:3457::1"] {
            let err = policy.check(closed.parse().unwrap()).unwrap_err();
            assert_eq!(err.why, Refusal::NotPublic, "{closed}");
            assert!(err.to_string().contains("FEED_ALLOW_PRIVATE"), "{err}");
        }
        let err = AddressPolicy::parse_networks("10.0.0.0/8, 10.0.0.0/33").unwrap_err();
        assert!(err.contains("10.0.0.0/33"), "{err}");
        assert_eq!(AddressPolicy::parse_networks(" , ").unwrap(), Vec::<IpNet>::new());
    }

    #[tokio::test]
    async fn resolver_refuses_names_that_only_reach_loopback() {
        let resolver = GuardedResolver {
            policy: Arc::new(AddressPolicy::default()),
            lookup: Arc::new(SystemLookup),
        };
        let err = resolver
            .resolve("localhost".parse().unwrap())
            .await
            .err()
            .expect("localhost is refused");
        let blocked = err.downcast_ref::<BlockedAddress>().expect("a BlockedAddress");
        assert!(blocked.ip.is_loopback());
        assert_eq!(blocked.why, Refusal::NotPublic);
    }
}
