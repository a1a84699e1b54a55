//! Requests-per-minute and tokens-per-minute ceilings, as a sliding 60-second log.
//!
//! Own code rather than `governor`: the explain view and the router must ask "would this
//! request fit, and if not, how long until it does?" without spending capacity, and tokens are
//! reserved on an estimate and corrected when the provider reports usage. Governor's GCRA has
//! neither a non-consuming check nor a way to give back cells. A log of at most `rpm` entries
//! per limit is exact and small at desktop rates.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

const MINUTE: Duration = Duration::from_secs(60);

/// One limit's recent use.
#[derive(Debug, Clone, Default)]
pub(crate) struct Window {
    rpm: Option<u32>,
    tpm: Option<u32>,
    /// (when, reservation id, tokens), oldest first.
    log: VecDeque<(Instant, u64, u64)>,
    /// The tokens of every entry in `log`, and the earliest entry's time, kept as the log
    /// changes. `wait` is asked for every target of every decision; while the earliest entry
    /// is under a minute old the whole log is live, and the answer needs no walk through it.
    tokens: u64,
    earliest: Option<Instant>,
}

impl Window {
    pub(crate) fn new(rpm: Option<u32>, tpm: Option<u32>) -> Self {
        Self {
            rpm,
            tpm,
            ..Self::default()
        }
    }

    pub(crate) fn set_limits(&mut self, rpm: Option<u32>, tpm: Option<u32>) {
        self.rpm = rpm;
        self.tpm = tpm;
    }

    /// How long until a request of `tokens` fits; zero when it fits now.
    pub(crate) fn wait(&self, now: Instant, tokens: u64) -> Duration {
        // Live: less than a minute old (`now - at < MINUTE`, an entry from the future counting
        // as none old), said as one comparison with the minute's start instead of a
        // subtraction per entry. (Were `now` too near the clock's origin to go back a minute,
        // every entry would be live.)
        let start = now.checked_sub(MINUTE);
        let is_live = move |at: &Instant| start.is_none_or(|s| *at > s);
        let live = move || self.log.iter().filter(move |(at, _, _)| is_live(at));
        let all_live = self.earliest.as_ref().is_none_or(is_live);
        let mut wait = Duration::ZERO;
        if let Some(rpm) = self.rpm {
            let rpm = rpm as usize;
            if rpm == 0 {
                return MINUTE;
            }
            // The request fits once enough old entries age out: the `rpm`-th newest live one
            // (none while the log is shorter than that).
            let nth_newest = if self.log.len() < rpm {
                None
            } else if all_live {
                self.log.get(self.log.len() - rpm)
            } else {
                live().rev().nth(rpm - 1)
            };
            if let Some((at, _, _)) = nth_newest {
                wait = wait.max((*at + MINUTE).saturating_duration_since(now));
            }
        }
        if let Some(tpm) = self.tpm {
            let tpm = u64::from(tpm);
            // A request bigger than the whole budget would wait forever; let it through alone
            // once the window is empty rather than blocking it for good.
            let need = tokens.min(tpm);
            let mut used: u64 = if all_live {
                self.tokens
            } else {
                live().map(|(_, _, t)| *t).sum()
            };
            for (at, _, t) in live() {
                if used + need <= tpm {
                    break;
                }
                used -= t;
                wait = wait.max((*at + MINUTE).saturating_duration_since(now));
            }
        }
        wait
    }

    /// Records a request of `tokens` as sent now.
    pub(crate) fn take(&mut self, now: Instant, id: u64, tokens: u64) {
        let mut dropped = false;
        while let Some(&(at, _, old)) = self.log.front()
            && now.duration_since(at) >= MINUTE
        {
            self.log.pop_front();
            self.tokens = self.tokens.wrapping_sub(old);
            dropped = true;
        }
        if dropped {
            self.earliest = self.log.iter().map(|(at, _, _)| *at).min();
        }
        self.log.push_back((now, id, tokens));
        self.tokens = self.tokens.wrapping_add(tokens);
        self.earliest = Some(self.earliest.map_or(now, |e| e.min(now)));
    }

    /// Replaces a reservation's estimated tokens with what the provider reported.
    pub(crate) fn settle(&mut self, id: u64, tokens: u64) {
        if let Some(entry) = self.log.iter_mut().find(|(_, i, _)| *i == id) {
            self.tokens = self.tokens.wrapping_sub(entry.2).wrapping_add(tokens);
            entry.2 = tokens;
        }
    }

    /// Requests and tokens in the last minute.
    pub(crate) fn used(&self, now: Instant) -> (u32, u64) {
        let live = self
            .log
            .iter()
            .filter(|(at, _, _)| now.duration_since(*at) < MINUTE);
        live.fold((0, 0), |(r, t), (_, _, tokens)| (r + 1, t + tokens))
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// `wait` as first written: the live entries copied out, then counted.
    fn wait_by_copy(w: &Window, now: Instant, tokens: u64) -> Duration {
        let live: Vec<&(Instant, u64, u64)> = w
            .log
            .iter()
            .filter(|(at, _, _)| now.duration_since(*at) < MINUTE)
            .collect();
        let mut wait = Duration::ZERO;
        if let Some(rpm) = w.rpm {
            let rpm = rpm as usize;
            if rpm == 0 {
                return MINUTE;
            }
            if live.len() >= rpm {
                let (at, _, _) = live[live.len() - rpm];
                wait = wait.max((*at + MINUTE).saturating_duration_since(now));
            }
        }
        if let Some(tpm) = w.tpm {
            let tpm = u64::from(tpm);
            let need = tokens.min(tpm);
            let mut used: u64 = live.iter().map(|(_, _, t)| *t).sum();
            let mut i = 0;
            while used + need > tpm && i < live.len() {
                used -= live[i].2;
                wait = wait.max((live[i].0 + MINUTE).saturating_duration_since(now));
                i += 1;
            }
        }
        wait
    }

    proptest! {
        /// Requests taken out of order, from the future, exactly a minute apart, settled or
        /// not: the wait from the kept totals is the wait by copy.
        #[test]
        fn waits_as_the_copying_version_did(
            rpm in prop::option::of(0u32..6),
            tpm in prop::option::of(0u32..5_000),
            steps in prop::collection::vec((0u64..130_000, 0u64..3_000, any::<bool>()), 0..16),
            now_ms in 0u64..130_000,
            tokens in 0u64..6_000,
        ) {
            let origin = Instant::now();
            let at = |ms: u64| origin + Duration::from_millis(ms);
            let mut w = Window::new(rpm, tpm);
            for (i, &(ms, t, settle)) in steps.iter().enumerate() {
                if settle && i > 0 {
                    w.settle(i as u64 - 1, t / 2);
                }
                w.take(at(ms), i as u64, t);
                for probe in [at(ms), at(now_ms), at(ms) + MINUTE, at(now_ms) + MINUTE] {
                    prop_assert_eq!(w.wait(probe, tokens), wait_by_copy(&w, probe, tokens));
                }
                prop_assert_eq!(w.tokens, w.log.iter().map(|(_, _, t)| *t).sum::<u64>());
                prop_assert_eq!(w.earliest, w.log.iter().map(|(at, _, _)| *at).min());
            }
        }
    }

    #[test]
    fn requests_per_minute_wait_for_the_oldest_to_age_out() {
        let t0 = Instant::now();
        let mut w = Window::new(Some(2), None);
        w.take(t0, 1, 10);
        w.take(t0 + Duration::from_secs(10), 2, 10);
        let now = t0 + Duration::from_secs(20);
        assert_eq!(w.wait(now, 10), Duration::from_secs(40));
        assert_eq!(w.wait(t0 + MINUTE, 10), Duration::ZERO);
        assert_eq!(w.used(now), (2, 20));
    }

    #[test]
    fn tokens_per_minute_count_estimates_until_settled() {
        let t0 = Instant::now();
        let mut w = Window::new(None, Some(1_000));
        w.take(t0, 1, 800);
        assert_eq!(w.wait(t0, 300), MINUTE, "800 + 300 > 1000");
        w.settle(1, 500);
        assert_eq!(
            w.wait(t0, 300),
            Duration::ZERO,
            "the real usage was smaller"
        );
        assert_eq!(
            w.wait(t0, 5_000),
            MINUTE,
            "an oversized request waits for an empty window, not forever"
        );
        assert_eq!(w.wait(t0 + MINUTE, 5_000), Duration::ZERO);
    }

    #[test]
    fn no_limits_never_wait() {
        let now = Instant::now();
        let mut w = Window::default();
        for i in 0..1_000 {
            w.take(now, i, 1_000_000);
        }
        assert_eq!(w.wait(now, 1_000_000), Duration::ZERO);
    }
}
