//! What each target has done lately: moving averages the strategies route on, and the rolling
//! figures the Routing screen shows.

use std::collections::VecDeque;

use serde::{Deserialize, Serialize};
use switchboard_core::Usd;

/// Weight of the newest sample in the moving averages: about the last ten requests matter,
/// so a provider that slowed down is noticed within a few requests (LiteLLM's latency router
/// averages a list that stops sliding once full; an EWMA cannot get stuck that way).
const ALPHA: f64 = 0.2;
/// Samples kept for percentiles.
const KEPT: usize = 256;

/// One finished request, as the metrics see it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sample {
    /// Whether it succeeded.
    pub ok: bool,
    /// Time to first token, ms.
    pub ttft_ms: Option<u64>,
    /// Output tokens.
    pub output_tokens: u64,
    /// Total time, ms.
    pub latency_ms: u64,
    /// Its cost, when known.
    pub cost: Option<Usd>,
}

/// One target's rolling figures.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stats {
    requests: u64,
    ttft: VecDeque<u64>,
    outcomes: VecDeque<bool>,
    /// How many of `outcomes` are successes, kept as they change: every decision asks for
    /// every target's success estimate, and counting 256 outcomes each time added up.
    successes: usize,
    pub(crate) ewma_ttft_ms: Option<f64>,
    pub(crate) ewma_tokens_per_s: Option<f64>,
    pub(crate) ewma_output_tokens: Option<f64>,
    cost: Usd,
    cost_unknown: u64,
}

/// The figures the Routing screen shows for a target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Metrics {
    /// Requests finished since the app started (or since the figures were loaded).
    pub requests: u64,
    /// Share of the last requests (up to 256) that succeeded, 0–1; none before the first.
    pub success_rate: Option<f64>,
    /// Time to first token, median of the last 256, ms.
    pub ttft_p50_ms: Option<u64>,
    /// Time to first token, 95th percentile of the last 256, ms.
    pub ttft_p95_ms: Option<u64>,
    /// Output tokens per second, moving average.
    pub tokens_per_second: Option<f64>,
    /// What the successful requests cost, where known.
    pub cost: Usd,
    /// Requests whose cost is unknown (never counted as zero).
    pub cost_unknown: u64,
}

impl Stats {
    pub(crate) fn record(&mut self, s: &Sample) {
        self.requests += 1;
        self.outcomes.push_back(s.ok);
        self.successes += usize::from(s.ok);
        if self.outcomes.len() > KEPT && self.outcomes.pop_front() == Some(true) {
            self.successes -= 1;
        }
        if !s.ok {
            return;
        }
        if let Some(ttft) = s.ttft_ms {
            push(&mut self.ttft, ttft);
            ewma(&mut self.ewma_ttft_ms, ttft as f64);
            let generating_ms = s.latency_ms.saturating_sub(ttft);
            if s.output_tokens > 1 && generating_ms > 0 {
                let tps = s.output_tokens as f64 * 1_000.0 / generating_ms as f64;
                ewma(&mut self.ewma_tokens_per_s, tps);
            }
        }
        if s.output_tokens > 0 {
            ewma(&mut self.ewma_output_tokens, s.output_tokens as f64);
        }
        match s.cost {
            Some(c) => self.cost += c,
            None => self.cost_unknown += 1,
        }
    }

    /// Laplace-smoothed success probability: a target with no history starts at 1/2 + a hint of
    /// optimism rather than 0 or 1, so one lucky or unlucky request does not decide its fate.
    pub(crate) fn success_estimate(&self) -> f64 {
        let n = self.outcomes.len() as f64;
        let ok = self.successes as f64;
        (ok + 1.0) / (n + 2.0)
    }

    pub(crate) fn view(&self) -> Metrics {
        let n = self.outcomes.len();
        Metrics {
            requests: self.requests,
            success_rate: (n > 0).then(|| self.successes as f64 / n as f64),
            ttft_p50_ms: percentile(&self.ttft, 50),
            ttft_p95_ms: percentile(&self.ttft, 95),
            tokens_per_second: self.ewma_tokens_per_s,
            cost: self.cost,
            cost_unknown: self.cost_unknown,
        }
    }
}

fn push<T>(q: &mut VecDeque<T>, v: T) {
    q.push_back(v);
    if q.len() > KEPT {
        q.pop_front();
    }
}

fn ewma(slot: &mut Option<f64>, sample: f64) {
    *slot = Some(match *slot {
        Some(prev) => prev + ALPHA * (sample - prev),
        None => sample,
    });
}

/// Nearest-rank percentile.
fn percentile(samples: &VecDeque<u64>, p: usize) -> Option<u64> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted: Vec<u64> = samples.iter().copied().collect();
    sorted.sort_unstable();
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_rates_and_throughput() {
        let mut s = Stats::default();
        for ttft in 1..=100 {
            s.record(&Sample {
                ok: true,
                ttft_ms: Some(ttft),
                output_tokens: 101,
                latency_ms: ttft + 1_000,
                cost: Some(Usd::from_pico(10_000_000)),
            });
        }
        s.record(&Sample::default());
        let m = s.view();
        assert!((s.success_estimate() - 101.0 / 103.0).abs() < 1e-12);
        assert_eq!(m.requests, 101);
        assert_eq!(m.ttft_p50_ms, Some(50));
        assert_eq!(m.ttft_p95_ms, Some(95));
        assert!((m.tokens_per_second.unwrap() - 101.0).abs() < 1e-9);
        assert!((m.success_rate.unwrap() - 100.0 / 101.0).abs() < 1e-9);
        assert_eq!(m.cost, Usd::from_pico(1_000_000_000));
        assert_eq!(m.cost_unknown, 0);
    }

    /// The kept count of successes follows the outcomes as old ones fall out of the window.
    #[test]
    fn success_figures_count_only_the_kept_outcomes() {
        let mut s = Stats::default();
        let outcomes: Vec<bool> = (0..KEPT * 3).map(|i| i % 3 != 0 && i % 7 != 0).collect();
        for (i, &ok) in outcomes.iter().enumerate() {
            s.record(&Sample {
                ok,
                ..Sample::default()
            });
            let kept = &outcomes[(i + 1).saturating_sub(KEPT)..=i];
            let good = kept.iter().filter(|o| **o).count() as f64;
            let n = kept.len() as f64;
            assert_eq!(s.success_estimate(), (good + 1.0) / (n + 2.0), "after {i}");
            assert_eq!(s.view().success_rate, Some(good / n), "after {i}");
        }
    }

    #[test]
    fn unknown_cost_is_counted_apart_never_as_zero() {
        let mut s = Stats::default();
        s.record(&Sample {
            ok: true,
            ..Sample::default()
        });
        assert_eq!(s.view().cost_unknown, 1);
    }
}
