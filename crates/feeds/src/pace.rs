//! No amplifier: however many servers and feeds name a host, it gets at most `FEED_HOST_RATE`
//! requests a second from us. [`HostPacer`] books each request's moment (the client waits a
//! little, or refuses when the host is booked too far ahead); [`plan`] spreads a busy host's due
//! feeds over later moments, so that a poll never waits long on one host and every feed gets
//! its turn in the order it became due. Both take the time as an argument, so tests choose it.

use std::collections::HashMap;
use std::time::{Duration, Instant};

/// The time between two requests to one host at `per_second` requests a second; `None` when
/// unlimited (a rate of 0, for tests and benchmarks on one local server).
pub fn spacing(per_second: f64) -> Option<Duration> {
    (per_second.is_finite() && per_second > 0.0).then(|| Duration::from_secs_f64(1.0 / per_second))
}

/// When each host may next be sent a request.
#[derive(Debug, Default)]
pub struct HostPacer {
    spacing: Option<Duration>,
    next_free: HashMap<String, Instant>,
}

impl HostPacer {
    pub fn new(spacing: Option<Duration>) -> HostPacer {
        HostPacer {
            spacing,
            next_free: HashMap::new(),
        }
    }

    /// How long from `now` until `host` may be sent a request.
    pub fn busy_for(&self, host: &str, now: Instant) -> Duration {
        self.next_free
            .get(host)
            .map_or(Duration::ZERO, |free| free.saturating_duration_since(now))
    }

    /// Books a request to `host` at `now`: Ok(how long to wait before sending) when that is at
    /// most `max_wait`, else Err(how long the host is booked for), and nothing is booked.
    pub fn book(&mut self, host: &str, now: Instant, max_wait: Duration) -> Result<Duration, Duration> {
        let Some(spacing) = self.spacing else {
            return Ok(Duration::ZERO);
        };
        let wait = self.busy_for(host, now);
        if wait > max_wait {
            return Err(wait);
        }
        self.next_free.insert(host.to_string(), now + wait + spacing);
        // Hosts idle for a while are forgotten, so the table stays small.
        if self.next_free.len() > 4096 {
            self.next_free.retain(|_, free| *free > now);
        }
        Ok(wait)
    }
}

/// When to fetch each of a poll's due feeds, as offsets from now: the `k`-th feed of a host
/// (in the order given, longest-waiting first) goes `k` spacings after the host is free.
/// Feeds whose offset is beyond what a poll waits are put off to that offset (held, keeping
/// the moment they became due): each gets a moment of its own, so a busy host's feeds are spread
/// out, and as the store hands out the longest-waiting first, none is overtaken by feeds that
/// became due after it.
pub fn plan(hosts: &[&str], spacing: Option<Duration>, busy_for: impl Fn(&str) -> Duration) -> Vec<Duration> {
    let Some(spacing) = spacing else {
        return vec![Duration::ZERO; hosts.len()];
    };
    let mut booked: HashMap<&str, Duration> = HashMap::new();
    hosts
        .iter()
        .map(|host| {
            let next = booked.entry(host).or_insert_with(|| busy_for(host));
            let at = *next;
            *next += spacing;
            at
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECOND: Duration = Duration::from_secs(1);

    #[test]
    fn bookings_keep_one_host_at_its_rate_and_leave_others_alone() {
        let t0 = Instant::now();
        let mut pacer = HostPacer::new(spacing(1.0));
        let max_wait = Duration::from_secs(3);
        // Five requests at the same moment: the first goes now, then one a second, until the
        // wait would pass the limit.
        let waits: Vec<_> = (0..5).map(|_| pacer.book("a.example", t0, max_wait)).collect();
        assert_eq!(
            waits,
            [
                Ok(Duration::ZERO),
                Ok(SECOND),
                Ok(2 * SECOND),
                Ok(3 * SECOND),
                Err(4 * SECOND)
            ]
        );
        assert_eq!(
            pacer.book("b.example", t0, Duration::ZERO),
            Ok(Duration::ZERO),
            "another host"
        );
        // A refused booking booked nothing: later, the host is free at the fourth second.
        assert_eq!(
            pacer.book("a.example", t0 + 4 * SECOND, Duration::ZERO),
            Ok(Duration::ZERO)
        );
        assert_eq!(pacer.book("a.example", t0 + 4 * SECOND, Duration::ZERO), Err(SECOND));
        // Half a request a second spaces them two seconds apart; zero is unlimited.
        let mut slow = HostPacer::new(spacing(0.5));
        assert_eq!(slow.book("a", t0, SECOND), Ok(Duration::ZERO));
        assert_eq!(slow.book("a", t0 + SECOND, SECOND), Ok(SECOND));
        let mut open = HostPacer::new(spacing(0.0));
        assert!((0..100).all(|_| open.book("a", t0, Duration::ZERO) == Ok(Duration::ZERO)));
    }

    #[test]
    fn a_busy_hosts_feeds_are_spread_and_none_is_starved() {
        // 120 feeds on one host and 3 on another, all due, one request a second, polls every
        // 10 seconds that wait for a host at most until the next poll; the poll interval is 60
        // seconds, so the busy host cannot be polled that often and its feeds must share.
        // Simulated with a chosen clock: each feed's next due moment is kept as a number.
        let spacing = spacing(1.0);
        let max_wait = Duration::from_secs(10);
        let interval = 60u64;
        // Per feed: when it became due, until when it is held (put off), its host.
        let mut due: Vec<(u64, u64, &str)> = (0..120).map(|_| (0, 0, "busy.example")).collect();
        due.extend((0..3).map(|_| (0, 0, "quiet.example")));
        let mut pacer = HostPacer::new(spacing);
        let t0 = Instant::now();
        let mut sent: Vec<(u64, usize)> = Vec::new();
        for tick in (0..600).step_by(10) {
            let now = t0 + Duration::from_secs(tick);
            // Due and not held, longest-waiting first (as the store leases them).
            let mut batch: Vec<usize> = (0..due.len())
                .filter(|i| due[*i].0 <= tick && due[*i].1 <= tick)
                .collect();
            batch.sort_by_key(|i| (due[*i].0, *i));
            let hosts: Vec<&str> = batch.iter().map(|i| due[*i].2).collect();
            let offsets = plan(&hosts, spacing, |h| pacer.busy_for(h, now));
            for (i, offset) in batch.into_iter().zip(offsets) {
                if offset > max_wait {
                    due[i].1 = tick + offset.as_secs();
                    continue;
                }
                let wait = pacer.book(due[i].2, now, max_wait).expect("planned within the wait");
                let at = tick + wait.as_secs();
                sent.push((at, i));
                due[i].0 = at + interval;
            }
        }
        // The rate: no two requests to the busy host in the same second.
        let mut busy_seconds: Vec<u64> = sent.iter().filter(|(_, i)| *i < 120).map(|(at, _)| *at).collect();
        busy_seconds.sort_unstable();
        assert!(busy_seconds.windows(2).all(|w| w[1] > w[0]), "{busy_seconds:?}");
        // None starved: every feed was fetched several times, the busy host's all about as
        // often as each other.
        let counts: Vec<usize> = (0..due.len())
            .map(|f| sent.iter().filter(|(_, i)| *i == f).count())
            .collect();
        let busy = &counts[..120];
        let (fewest, most) = (*busy.iter().min().unwrap(), *busy.iter().max().unwrap());
        assert!(fewest >= 4 && most - fewest <= 2, "{counts:?}");
        assert!(counts[120..].iter().all(|c| *c >= 9), "{counts:?}");
        // The quiet host's feeds never waited behind the busy one.
        let quiet_first: Vec<u64> = sent
            .iter()
            .filter(|(_, i)| *i >= 120)
            .map(|(at, _)| *at)
            .take(3)
            .collect();
        assert_eq!(quiet_first, [0, 1, 2]);
        // The busy host was kept busy: close to one request a second over the ten minutes.
        assert!(busy_seconds.len() >= 580, "{} requests", busy_seconds.len());
    }
}
