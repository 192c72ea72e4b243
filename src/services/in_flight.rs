//! Work this process is doing right now, by key, so that the same work is never run twice at
//! once: a server's daily post of one day, a member's `/evidence add`.

use std::collections::HashSet;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

/// The keys being worked on. Cloning shares the set.
#[derive(Debug)]
pub struct InFlight<K> {
    keys: Arc<Mutex<HashSet<K>>>,
}

impl<K> Default for InFlight<K> {
    fn default() -> Self {
        InFlight {
            keys: Default::default(),
        }
    }
}

impl<K> Clone for InFlight<K> {
    fn clone(&self) -> Self {
        InFlight {
            keys: self.keys.clone(),
        }
    }
}

impl<K: Eq + Hash + Clone> InFlight<K> {
    /// Marks `key` as in flight until the guard is dropped; `None` when it already is.
    pub fn take(&self, key: K) -> Option<InFlightGuard<K>> {
        let inserted = self.keys.lock().expect("in-flight set lock").insert(key.clone());
        inserted.then(|| InFlightGuard {
            keys: self.keys.clone(),
            key,
        })
    }
}

/// Holds a key in flight; dropping it (the work done, failed or cancelled) releases the key.
#[derive(Debug)]
pub struct InFlightGuard<K: Eq + Hash> {
    keys: Arc<Mutex<HashSet<K>>>,
    key: K,
}

impl<K: Eq + Hash> Drop for InFlightGuard<K> {
    fn drop(&mut self) {
        self.keys.lock().expect("in-flight set lock").remove(&self.key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_taken_once_until_its_guard_is_dropped() {
        let set = InFlight::default();
        let first = set.take(("guild", 1)).expect("free");
        assert!(set.clone().take(("guild", 1)).is_none(), "taken, also through a clone");
        let other = set.take(("guild", 2));
        assert!(other.is_some(), "other keys are free");
        drop(first);
        assert!(set.take(("guild", 1)).is_some(), "released when the work ends");
    }
}
