//! Short-lived copies of what every routed request reads and what rarely changes: which
//! providers have keys, each provider's keys, the budgets, the client keys in use, and whether
//! the model facts moved.
//!
//! Reading them from SQLite and the keychain for every request cost a hop to a blocking thread
//! and a query each, ten per request: most of what the local API added at hundreds of requests
//! a second. A copy is used while nothing in this process changed configuration (the
//! [`revision`] moves with every such change, so this process's own edits show at once) and
//! for at most [`FRESH_FOR`], so what another process changes (the CLI revoking a key while
//! `switchboard serve` runs) shows within that long. Money is never decided on a copy: budget
//! checks read the ledger in the reservation's own transaction.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use crate::Inner;

/// How long a copy may stand for another process's changes.
pub(crate) const FRESH_FOR: Duration = Duration::from_secs(1);

/// The most entries a [`FreshMap`] keeps; past it, it starts again empty (a bound, so that
/// keys a client makes up cannot grow it).
const MAX_ENTRIES: usize = 1024;

/// This process's configuration revision: the sum of counters that only grow, so it moves
/// whenever any of them does.
pub(crate) fn revision(inner: &Inner) -> u64 {
    inner
        .store
        .config_revision()
        .wrapping_add(inner.keychain.revision())
        .wrapping_add(inner.refused_env.revision())
}

/// The copies the request path reads.
#[derive(Debug, Default)]
pub(crate) struct Seen {
    /// The built-in providers with a key, and the custom providers (id, name).
    pub(crate) providers: Fresh<crate::model_names::Configured>,
    /// Each provider's endpoint and usable keys.
    pub(crate) keys: FreshMap<switchboard_core::ProviderId, crate::keys::KeyOptions>,
    /// Every budget.
    pub(crate) budgets: Fresh<Vec<switchboard_core::Budget>>,
    /// Valid client keys by their hash, with when each was last noted as used.
    pub(crate) clients: FreshMap<String, (crate::Client, Option<i64>)>,
    /// When the model facts were last checked against the store's stamp.
    pub(crate) facts: Fresh<()>,
}

/// A copy with when, and at which revision, it was read.
type Kept<T> = (Instant, u64, Arc<T>);

/// One copy of `T`, read at a revision.
#[derive(Debug)]
pub(crate) struct Fresh<T> {
    kept: Mutex<Option<Kept<T>>>,
}

impl<T> Default for Fresh<T> {
    fn default() -> Self {
        Self {
            kept: Mutex::new(None),
        }
    }
}

impl<T> Fresh<T> {
    /// The copy, if it was read at `revision` less than [`FRESH_FOR`] ago.
    pub(crate) fn get(&self, revision: u64) -> Option<Arc<T>> {
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        match &*kept {
            Some((at, rev, value)) if *rev == revision && at.elapsed() < FRESH_FOR => {
                Some(Arc::clone(value))
            }
            _ => None,
        }
    }

    /// Keeps `value`, read at `revision` (taken before reading, so a change made meanwhile
    /// leaves the copy already stale).
    pub(crate) fn keep(&self, revision: u64, value: T) -> Arc<T> {
        let value = Arc::new(value);
        *self.kept.lock().unwrap_or_else(PoisonError::into_inner) =
            Some((Instant::now(), revision, Arc::clone(&value)));
        value
    }
}

/// Copies by key, each read at a revision.
#[derive(Debug)]
pub(crate) struct FreshMap<K, V> {
    kept: Mutex<HashMap<K, Kept<V>>>,
}

impl<K, V> Default for FreshMap<K, V> {
    fn default() -> Self {
        Self {
            kept: Mutex::new(HashMap::new()),
        }
    }
}

impl<K: Eq + Hash, V> FreshMap<K, V> {
    /// The copy for `key`, if it was read at `revision` less than [`FRESH_FOR`] ago.
    pub(crate) fn get(&self, key: &K, revision: u64) -> Option<Arc<V>> {
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        match kept.get(key) {
            Some((at, rev, value)) if *rev == revision && at.elapsed() < FRESH_FOR => {
                Some(Arc::clone(value))
            }
            _ => None,
        }
    }

    /// Keeps `value` for `key`, read at `revision`.
    pub(crate) fn keep(&self, key: K, revision: u64, value: V) -> Arc<V> {
        let value = Arc::new(value);
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() >= MAX_ENTRIES {
            kept.clear();
        }
        kept.insert(key, (Instant::now(), revision, Arc::clone(&value)));
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_copy_serves_only_at_its_revision() {
        let fresh = Fresh::default();
        assert!(fresh.get(1).is_none());
        fresh.keep(1, "one");
        assert_eq!(fresh.get(1).as_deref(), Some(&"one"));
        assert!(
            fresh.get(2).is_none(),
            "a change in this process ends it at once"
        );
        let map = FreshMap::default();
        map.keep("k", 7, 1);
        assert_eq!(map.get(&"k", 7).as_deref(), Some(&1));
        assert!(map.get(&"k", 8).is_none());
        assert!(map.get(&"other", 7).is_none());
    }

    #[test]
    fn a_map_stays_bounded() {
        let map = FreshMap::default();
        for i in 0..(MAX_ENTRIES * 3) {
            map.keep(i, 0, i);
        }
        let len = map
            .kept
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        assert!(len <= MAX_ENTRIES, "{len}");
    }
}
