//! The time the daily poster, the feed poller and the footer refresher go by.
//!
//! In production this is the system clock. Tests need to reach a post's minute without waiting
//! for it: in-process they use a [`Clock::manual`] clock and move it; a bot run as a separate
//! process is started with `CLOCK_START` (a test-only key), which makes its clock run at real
//! speed from that instant and lets the test move it through `POST /clock` on the loopback
//! metrics server. Every wait on a clock ends early when the clock is moved, so a loop sleeping
//! until a due time notices a jump at once.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

#[derive(Clone)]
pub struct Clock {
    kind: Arc<Kind>,
}

enum Kind {
    System,
    /// Real time plus an offset that can be changed; runs at real speed.
    Shifted(watch::Sender<chrono::Duration>),
    /// Stands still until moved.
    Manual(watch::Sender<DateTime<Utc>>),
}

impl Default for Clock {
    fn default() -> Clock {
        Clock::system()
    }
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind = match *self.kind {
            Kind::System => "system",
            Kind::Shifted(_) => "shifted",
            Kind::Manual(_) => "manual",
        };
        write!(f, "Clock({kind}, {})", self.now().to_rfc3339())
    }
}

impl Clock {
    pub fn system() -> Clock {
        Clock {
            kind: Arc::new(Kind::System),
        }
    }

    /// A clock that reads `start` now and runs at real speed from there; it can be moved.
    pub fn starting_at(start: DateTime<Utc>) -> Clock {
        let (offset, _) = watch::channel(start - Utc::now());
        Clock {
            kind: Arc::new(Kind::Shifted(offset)),
        }
    }

    /// A clock that stands at `start` until it is moved (in-process tests).
    pub fn manual(start: DateTime<Utc>) -> Clock {
        let (now, _) = watch::channel(start);
        Clock {
            kind: Arc::new(Kind::Manual(now)),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &*self.kind {
            Kind::System => Utc::now(),
            Kind::Shifted(offset) => Utc::now() + *offset.borrow(),
            Kind::Manual(now) => *now.borrow(),
        }
    }

    /// Whether [`Clock::set`] can move this clock (never the system clock).
    pub fn is_movable(&self) -> bool {
        !matches!(*self.kind, Kind::System)
    }

    /// Moves the clock to `to` (forwards or backwards) and wakes every wait on it. The system
    /// clock cannot be moved: that is refused, not ignored.
    pub fn set(&self, to: DateTime<Utc>) -> Result<(), ClockIsSystem> {
        match &*self.kind {
            Kind::System => return Err(ClockIsSystem),
            Kind::Shifted(offset) => drop(offset.send_replace(to - Utc::now())),
            Kind::Manual(now) => drop(now.send_replace(to)),
        }
        Ok(())
    }

    /// Moves the clock forwards by `by`.
    pub fn advance(&self, by: chrono::Duration) -> Result<(), ClockIsSystem> {
        self.set(self.now() + by)
    }

    /// Waits until the clock reads `at` or later.
    pub async fn sleep_until(&self, at: DateTime<Utc>) {
        loop {
            // Subscribed before reading the time, so that a move in between is not missed.
            let mut moved = self.moves();
            let left = at - self.now();
            if left <= chrono::Duration::zero() {
                return;
            }
            let real_wait = match &*self.kind {
                Kind::Manual(_) => None,
                _ => Some(left.to_std().unwrap_or_default()),
            };
            tokio::select! {
                _ = sleep_or_forever(real_wait) => {}
                _ = changed(&mut moved) => {}
            }
        }
    }

    /// Waits for `period` of this clock's time.
    pub async fn sleep(&self, period: Duration) {
        let period = chrono::Duration::from_std(period).unwrap_or(chrono::Duration::MAX);
        self.sleep_until(self.now() + period).await
    }

    /// A receiver that changes whenever the clock is moved (never, for the system clock).
    fn moves(&self) -> Option<Moves> {
        match &*self.kind {
            Kind::System => None,
            Kind::Shifted(offset) => Some(Moves::Offset(offset.subscribe())),
            Kind::Manual(now) => Some(Moves::Now(now.subscribe())),
        }
    }
}

enum Moves {
    Offset(watch::Receiver<chrono::Duration>),
    Now(watch::Receiver<DateTime<Utc>>),
}

async fn changed(moves: &mut Option<Moves>) {
    let result = match moves {
        None => return std::future::pending().await,
        Some(Moves::Offset(rx)) => rx.changed().await,
        Some(Moves::Now(rx)) => rx.changed().await,
    };
    if result.is_err() {
        // The clock is gone; nothing will move it again.
        std::future::pending::<()>().await;
    }
}

async fn sleep_or_forever(period: Option<Duration>) {
    match period {
        Some(period) => tokio::time::sleep(period).await,
        None => std::future::pending().await,
    }
}

#[derive(Debug, thiserror::Error)]
#[error("the system clock cannot be moved (start the bot with CLOCK_START for a movable test clock)")]
pub struct ClockIsSystem;

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[tokio::test]
    async fn a_manual_clock_stands_still_until_moved_and_wakes_its_sleepers() {
        let clock = Clock::manual(at("2026-11-28T08:59:00Z"));
        assert_eq!(clock.now(), at("2026-11-28T08:59:00Z"));
        let sleeper = {
            let clock = clock.clone();
            tokio::spawn(async move { clock.sleep_until(at("2026-11-28T09:00:00Z")).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!sleeper.is_finished(), "no real time passes on a manual clock");
        clock.advance(chrono::Duration::seconds(30)).unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!sleeper.is_finished(), "08:59:30 is still before 09:00");
        clock.set(at("2026-11-28T09:00:00Z")).unwrap();
        tokio::time::timeout(Duration::from_secs(1), sleeper)
            .await
            .expect("woken by the move")
            .unwrap();
    }

    #[tokio::test]
    async fn a_shifted_clock_runs_from_its_start_and_can_jump() {
        let clock = Clock::starting_at(at("2030-01-01T00:00:00Z"));
        let read = clock.now();
        assert!(
            read >= at("2030-01-01T00:00:00Z") && read < at("2030-01-01T00:00:05Z"),
            "{read}"
        );
        // A sleep of an hour on this clock ends at once when the clock jumps past it.
        let target = clock.now() + chrono::Duration::hours(1);
        let sleeper = {
            let clock = clock.clone();
            tokio::spawn(async move { clock.sleep_until(target).await })
        };
        clock.set(target + chrono::Duration::seconds(1)).unwrap();
        tokio::time::timeout(Duration::from_secs(1), sleeper)
            .await
            .unwrap()
            .unwrap();
        assert!(clock.now() > target);
        // It keeps running at real speed after the jump.
        let before = clock.now();
        clock.sleep(Duration::from_millis(30)).await;
        assert!(clock.now() - before >= chrono::Duration::milliseconds(30));
    }

    #[test]
    fn the_system_clock_refuses_to_move() {
        let clock = Clock::system();
        assert!(!clock.is_movable());
        assert!(clock.set(at("2030-01-01T00:00:00Z")).is_err());
        assert!((clock.now() - Utc::now()).num_seconds().abs() < 2);
    }
}
