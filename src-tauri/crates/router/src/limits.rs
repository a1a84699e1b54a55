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
}

impl Window {
    pub(crate) fn new(rpm: Option<u32>, tpm: Option<u32>) -> Self {
        Self {
            rpm,
            tpm,
            log: VecDeque::new(),
        }
    }

    pub(crate) fn set_limits(&mut self, rpm: Option<u32>, tpm: Option<u32>) {
        self.rpm = rpm;
        self.tpm = tpm;
    }

    /// How long until a request of `tokens` fits; zero when it fits now.
    pub(crate) fn wait(&self, now: Instant, tokens: u64) -> Duration {
        let live: Vec<&(Instant, u64, u64)> = self
            .log
            .iter()
            .filter(|(at, _, _)| now.duration_since(*at) < MINUTE)
            .collect();
        let mut wait = Duration::ZERO;
        if let Some(rpm) = self.rpm {
            let rpm = rpm as usize;
            if rpm == 0 {
                return MINUTE;
            }
            if live.len() >= rpm {
                // The request fits once enough old entries age out.
                let (at, _, _) = live[live.len() - rpm];
                wait = wait.max((*at + MINUTE).saturating_duration_since(now));
            }
        }
        if let Some(tpm) = self.tpm {
            let tpm = u64::from(tpm);
            // A request bigger than the whole budget would wait forever; let it through alone
            // once the window is empty rather than blocking it for good.
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

    /// Records a request of `tokens` as sent now.
    pub(crate) fn take(&mut self, now: Instant, id: u64, tokens: u64) {
        while self
            .log
            .front()
            .is_some_and(|(at, _, _)| now.duration_since(*at) >= MINUTE)
        {
            self.log.pop_front();
        }
        self.log.push_back((now, id, tokens));
    }

    /// Replaces a reservation's estimated tokens with what the provider reported.
    pub(crate) fn settle(&mut self, id: u64, tokens: u64) {
        if let Some(entry) = self.log.iter_mut().find(|(_, i, _)| *i == id) {
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
    use super::*;

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
