//! A token bucket per client (an IPv4 address, or an IPv6 /64): `rate` requests a second on
//! average, bursts of twice as many (at least 10). Buckets that have filled up again are
//! forgotten when the table grows, so a crowd of one-off clients cannot fill memory.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

/// Clients remembered before full buckets are swept out.
const SWEEP_AT: usize = 10_000;

pub struct Limiter {
    rate: f64,
    burst: f64,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

impl Limiter {
    pub fn new(rate: f64) -> Limiter {
        Limiter {
            rate,
            burst: (rate * 2.0).max(10.0),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token from `client`'s bucket at `now`; false when it is empty.
    pub fn allow(&self, client: IpAddr, now: Instant) -> bool {
        let client = bucket_of(client);
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= SWEEP_AT && !buckets.contains_key(&client) {
            let (rate, burst) = (self.rate, self.burst);
            buckets.retain(|_, (tokens, at)| *tokens + now.saturating_duration_since(*at).as_secs_f64() * rate < burst);
        }
        let (tokens, at) = buckets.entry(client).or_insert((self.burst, now));
        *tokens = (*tokens + now.saturating_duration_since(*at).as_secs_f64() * self.rate).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// Whose bucket `client` draws on. An IPv6 network hands each subscriber at least a /64, so
/// one visitor can send from billions of addresses: the /64 is one client. An IPv4 address
/// written as IPv6 is that IPv4 address.
fn bucket_of(client: IpAddr) -> IpAddr {
    match client {
        IpAddr::V4(_) => client,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(u128::from(v6) & !u128::from(u64::MAX))),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn each_client_gets_its_burst_then_its_rate() {
        let limiter = Limiter::new(5.0);
        let (a, b): (IpAddr, IpAddr) = ("192.0.2.1".parse().unwrap(), "192.0.2.2".parse().unwrap());
        let start = Instant::now();
        let allowed = (0..20).filter(|_| limiter.allow(a, start)).count();
        assert_eq!(allowed, 10, "a burst of 10");
        assert!(!limiter.allow(a, start));
        // Another client is not held back by the first.
        assert!(limiter.allow(b, start));
        // A second later, five more.
        let later = start + Duration::from_secs(1);
        let allowed = (0..20).filter(|_| limiter.allow(a, later)).count();
        assert_eq!(allowed, 5);
        // A long pause refills the bucket to its burst, no further.
        let much_later = later + Duration::from_secs(3600);
        assert_eq!((0..50).filter(|_| limiter.allow(a, much_later)).count(), 10);
    }

    #[test]
    fn one_ipv6_network_shares_one_bucket() {
        let limiter = Limiter::new(5.0);
        let start = Instant::now();
        // Ten addresses of one /64, one request each: the burst of the whole network.
        let allowed = (0..20u16)
            .filter(|i| limiter.allow(format!("2001:db8:1:2::{i:x}").parse().unwrap(), start))
            .count();
        assert_eq!(allowed, 10);
        // The next /64 has its own.
        assert!(limiter.allow("2001:db8:1:3::1".parse().unwrap(), start));
        // An IPv4 address written as IPv6 is the IPv4 client.
        let v4 = Limiter::new(5.0);
        assert_eq!(
            (0..10)
                .filter(|_| v4.allow("192.0.2.7".parse().unwrap(), start))
                .count(),
            10
        );
        assert!(!v4.allow("::ffff:192.0.2.7".parse().unwrap(), start));
    }

    #[test]
    fn full_buckets_are_forgotten_when_the_table_is_large() {
        let limiter = Limiter::new(1000.0);
        let start = Instant::now();
        for i in 0..SWEEP_AT as u32 {
            limiter.allow(IpAddr::from(i.to_be_bytes()), start);
        }
        let later = start + std::time::Duration::from_secs(10);
        limiter.allow("198.51.100.1".parse().unwrap(), later);
        assert!(limiter.buckets.lock().unwrap().len() < 10, "swept");
    }
}
