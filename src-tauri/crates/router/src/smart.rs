//! The smart strategy: a contextual bandit that learns, per task type, which model serves it
//! well, and weighs that against cost with the user's slider.
//!
//! Each (task type, model) is a Beta posterior over "this answer was good". It starts from a
//! prior taken from the catalogue (dearer models are assumed a little better until shown
//! otherwise, at the weight of two observations, so evidence overrules it quickly) and learns
//! from outcomes: an answer that completes is weak evidence, a failure, a thumb or a vote in a
//! side-by-side comparison is strong evidence. Choosing is Thompson sampling: draw a quality
//! from each posterior, subtract the cost weight times the relative cost, take the best. Draws
//! keep exploring exactly as much as the posteriors are still uncertain.

use std::collections::HashMap;

use rand::Rng;
use rand_distr::{Beta, Distribution};
use serde::{Deserialize, Serialize};
use switchboard_core::ProviderId;

use crate::fixed::push_fixed;
use crate::request::Fast;

/// Prior strength, in observations.
const PRIOR_WEIGHT: f64 = 2.0;
/// The task type of requests that carry none.
pub const GENERAL: &str = "general";

/// What happened to an answer, as evidence about its model on its task type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Signal {
    /// It completed without error (weak: an answer can complete and still be poor).
    Completed,
    /// It failed.
    Failed,
    /// The user gave it a thumb up.
    ThumbUp,
    /// The user gave it a thumb down.
    ThumbDown,
    /// The user preferred it in a side-by-side comparison.
    WonComparison,
    /// The user preferred another answer in a side-by-side comparison.
    LostComparison,
}

impl Signal {
    /// (good, bad) evidence.
    fn weight(self) -> (f64, f64) {
        match self {
            Self::Completed => (0.3, 0.0),
            Self::Failed => (0.0, 1.0),
            Self::ThumbUp | Self::WonComparison => (1.0, 0.0),
            Self::ThumbDown | Self::LostComparison => (0.0, 1.0),
        }
    }
}

/// The evidence gathered about one model on one task type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Evidence {
    /// Weighted good outcomes.
    pub good: f64,
    /// Weighted bad outcomes.
    pub bad: f64,
}

/// Everything learned, by task type and target. Serializable, so it survives restarts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Learned {
    arms: HashMap<String, Evidence, Fast>,
}

impl Learned {
    fn key(task: &str, provider: &ProviderId, model: &str) -> String {
        let mut key = String::new();
        Self::write_key(&mut key, task, provider, model);
        key
    }

    fn write_key(key: &mut String, task: &str, provider: &ProviderId, model: &str) {
        key.clear();
        for part in [task, "\u{1f}", provider.as_str(), "\u{1f}", model] {
            key.push_str(part);
        }
    }

    /// Adds one outcome.
    pub fn record(&mut self, task: Option<&str>, provider: &ProviderId, model: &str, s: Signal) {
        let e = self
            .arms
            .entry(Self::key(task.unwrap_or(GENERAL), provider, model))
            .or_default();
        let (good, bad) = s.weight();
        e.good += good;
        e.bad += bad;
    }

    /// Everything learned: `(task type, provider, model, evidence)`, in no particular order.
    pub fn entries(&self) -> Vec<(String, ProviderId, String, Evidence)> {
        self.arms
            .iter()
            .filter_map(|(key, e)| {
                let mut parts = key.splitn(3, '\u{1f}');
                let task = parts.next()?.to_owned();
                let provider = parts.next()?.parse().ok()?;
                let model = parts.next()?.to_owned();
                Some((task, provider, model, *e))
            })
            .collect()
    }

    /// The evidence about a model on a task type.
    pub fn evidence(&self, task: Option<&str>, provider: &ProviderId, model: &str) -> Evidence {
        self.evidence_with(&mut String::new(), task, provider, model)
    }

    /// [`Learned::evidence`] spelling the key in `key`, so a decision weighing twenty targets
    /// writes them all into one buffer.
    pub(crate) fn evidence_with(
        &self,
        key: &mut String,
        task: Option<&str>,
        provider: &ProviderId,
        model: &str,
    ) -> Evidence {
        Self::write_key(key, task.unwrap_or(GENERAL), provider, model);
        self.arms.get(key.as_str()).copied().unwrap_or_default()
    }
}

/// One candidate as the smart strategy sees it.
#[derive(Debug, Clone, Copy, Default)]
pub struct Arm {
    /// What was learned.
    pub evidence: Evidence,
    /// Predicted cost of this request here, USD.
    pub cost: Option<f64>,
}

/// How one candidate scored, for the explain view.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    /// The catalogue prior's mean quality.
    pub prior: f64,
    /// The posterior's mean quality.
    pub mean: f64,
    /// The quality drawn this time.
    pub draw: f64,
    /// Cost relative to the dearest candidate (0–1).
    pub relative_cost: f64,
    /// `draw − cost_weight × relative_cost`.
    pub score: f64,
}

impl Scored {
    /// "quality ≈ 0.78 (6.3 good, 1 bad; prior 0.62), cost 0.15 of the dearest → 0.72".
    pub fn explain(&self, e: &Evidence, cost_weight: f64) -> String {
        let mut out = String::new();
        self.explain_into(&mut out, e, cost_weight);
        out
    }

    /// [`Scored::explain`] appended to `out`, after the candidate's place when a [`Why`] is
    /// read. Written piece by piece: see `fixed.rs` for why not `format!`.
    ///
    /// [`Why`]: crate::Why
    pub(crate) fn explain_into(&self, out: &mut String, e: &Evidence, cost_weight: f64) {
        out.reserve(160);
        out.push_str("quality ~");
        push_fixed(out, self.mean, 2);
        out.push_str(" (drawn ");
        push_fixed(out, self.draw, 2);
        out.push_str("; ");
        push_fixed(out, e.good, 1);
        out.push_str(" good, ");
        push_fixed(out, e.bad, 1);
        out.push_str(" bad seen; prior ");
        push_fixed(out, self.prior, 2);
        out.push_str(" from price) \u{2212} ");
        push_fixed(out, cost_weight, 2);
        out.push_str(" \u{d7} cost ");
        push_fixed(out, self.relative_cost, 2);
        out.push_str(" of the dearest = ");
        push_fixed(out, self.score, 2);
    }
}

/// Orders `arms` by Thompson sampling: best first. `cost_weight` is the slider, 0 (quality
/// only) to 1 (cost matters as much as the whole quality scale).
pub fn choose(arms: &[Arm], cost_weight: f64, rng: &mut impl Rng) -> (Vec<usize>, Vec<Scored>) {
    let (mut order, mut scored) = (Vec::new(), Vec::new());
    choose_into(arms, cost_weight, rng, &mut order, &mut scored);
    (order, scored)
}

/// [`choose`] into buffers the router keeps between decisions.
pub(crate) fn choose_into(
    arms: &[Arm],
    cost_weight: f64,
    rng: &mut impl Rng,
    order: &mut Vec<usize>,
    scored: &mut Vec<Scored>,
) {
    let span = price_span(arms);
    let dearest = span.dearest;
    scored.clear();
    scored.extend(arms.iter().map(|a| {
        let (prior, alpha, beta) = posterior(a, &span);
        let draw = Beta::new(alpha, beta)
            .map(|d| d.sample(rng))
            .unwrap_or(prior);
        // Unknown cost counts as the dearest: not chosen for a price nobody knows.
        let relative_cost = match a.cost {
            Some(c) if dearest > 0.0 => c / dearest,
            Some(_) => 0.0,
            None => 1.0,
        };
        Scored {
            prior,
            mean: alpha / (alpha + beta),
            draw,
            relative_cost,
            score: draw - cost_weight * relative_cost,
        }
    }));
    order.clear();
    order.extend(0..arms.len());
    order.sort_by(|&a, &b| scored[b].score.total_cmp(&scored[a].score));
}

/// Each arm's expected quality (the posterior mean, from the price prior and the evidence),
/// without sampling: what a cost-aware agent compares against its quality bar.
pub fn expected_quality(arms: &[Arm]) -> Vec<f64> {
    let span = price_span(arms);
    arms.iter()
        .map(|a| {
            let (_, alpha, beta) = posterior(a, &span);
            alpha / (alpha + beta)
        })
        .collect()
}

/// Where the arms' known costs lie, which scales the priors: the dearest, and the cheapest
/// positive one to it on a log scale. The logarithms are taken once here rather than for every
/// arm of every decision.
#[derive(Debug, Clone, Copy)]
struct PriceSpan {
    dearest: f64,
    ln_cheapest: f64,
    /// `ln(dearest) − ln(cheapest)`; `None` when there is no span to place a price on.
    ln_width: Option<f64>,
}

fn price_span(arms: &[Arm]) -> PriceSpan {
    let dearest = arms.iter().filter_map(|a| a.cost).fold(0.0_f64, f64::max);
    let cheapest = arms
        .iter()
        .filter_map(|a| a.cost)
        .filter(|c| *c > 0.0)
        .fold(f64::INFINITY, f64::min);
    let spans = dearest > cheapest && cheapest.is_finite();
    let ln_cheapest = if spans { cheapest.ln() } else { 0.0 };
    PriceSpan {
        dearest,
        ln_cheapest,
        ln_width: spans.then(|| dearest.ln() - ln_cheapest),
    }
}

/// An arm's prior mean and its Beta posterior's parameters.
fn posterior(a: &Arm, span: &PriceSpan) -> (f64, f64, f64) {
    let prior = prior_mean(a.cost, span);
    let alpha = PRIOR_WEIGHT * prior + a.evidence.good;
    let beta = PRIOR_WEIGHT * (1.0 - prior) + a.evidence.bad;
    (prior, alpha, beta)
}

/// The catalogue prior: 0.45 for the cheapest model up to 0.8 for the dearest, on a log scale
/// of price (prices span orders of magnitude); 0.5 when the price is unknown.
fn prior_mean(cost: Option<f64>, span: &PriceSpan) -> f64 {
    match (cost, span.ln_width) {
        (Some(c), Some(width)) if c > 0.0 => {
            let t = (c.ln() - span.ln_cheapest) / width;
            0.45 + 0.35 * t.clamp(0.0, 1.0)
        }
        (Some(_), _) => 0.45,
        (None, _) => 0.5,
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::SmallRng;

    use super::*;

    #[test]
    fn evidence_is_kept_per_task_and_model() {
        let mut l = Learned::default();
        let or: ProviderId = "openrouter".parse().unwrap();
        l.record(Some("code"), &or, "a", Signal::ThumbUp);
        l.record(Some("code"), &or, "a", Signal::Completed);
        l.record(None, &or, "a", Signal::Failed);
        assert_eq!(
            l.evidence(Some("code"), &or, "a"),
            Evidence {
                good: 1.3,
                bad: 0.0
            }
        );
        assert_eq!(
            l.evidence(Some(GENERAL), &or, "a"),
            Evidence {
                good: 0.0,
                bad: 1.0
            }
        );
        let json = serde_json::to_string(&l).unwrap();
        assert_eq!(serde_json::from_str::<Learned>(&json).unwrap(), l);
    }

    #[test]
    fn the_prior_follows_price_and_evidence_overrules_it() {
        let mut rng = SmallRng::seed_from_u64(9);
        let cheap = Arm {
            cost: Some(0.001),
            ..Arm::default()
        };
        let dear = Arm {
            cost: Some(0.1),
            ..Arm::default()
        };
        let (_, s) = choose(&[cheap, dear], 0.0, &mut rng);
        assert!((s[0].prior - 0.45).abs() < 1e-9 && (s[1].prior - 0.8).abs() < 1e-9);
        // Twenty good answers from the cheap one and twenty bad from the dear one.
        let cheap = Arm {
            evidence: Evidence {
                good: 20.0,
                bad: 0.0,
            },
            ..cheap
        };
        let dear = Arm {
            evidence: Evidence {
                good: 0.0,
                bad: 20.0,
            },
            ..dear
        };
        let firsts = (0..200)
            .filter(|_| choose(&[cheap, dear], 0.0, &mut rng).0[0] == 0)
            .count();
        assert!(firsts > 195, "{firsts}");
    }

    /// The explanation reads exactly as the `format!` it replaced.
    #[test]
    fn the_explanation_reads_as_before() {
        let mut rng = SmallRng::seed_from_u64(11);
        for _ in 0..2_000 {
            let s = Scored {
                prior: rng.random_range(0.0..1.0),
                mean: rng.random_range(0.0..1.0),
                draw: rng.random_range(0.0..1.0),
                relative_cost: rng.random_range(0.0..1.0),
                score: rng.random_range(-2.0..1.0),
            };
            let e = Evidence {
                good: f64::from(rng.random_range(0..400_u32)) * 0.1,
                bad: f64::from(rng.random_range(0..400_u32)) * 0.1,
            };
            let w = rng.random_range(0.0..3.0);
            let before = format!(
                "quality ~{:.2} (drawn {:.2}; {:.1} good, {:.1} bad seen; prior {:.2} from price) \u{2212} \
                 {w:.2} \u{d7} cost {:.2} of the dearest = {:.2}",
                s.mean, s.draw, e.good, e.bad, s.prior, s.relative_cost, s.score
            );
            assert_eq!(s.explain(&e, w), before);
        }
    }

    #[test]
    fn the_slider_trades_quality_for_cost() {
        let mut rng = SmallRng::seed_from_u64(10);
        let ok_cheap = Arm {
            evidence: Evidence {
                good: 70.0,
                bad: 30.0,
            },
            cost: Some(0.001),
        };
        let great_dear = Arm {
            evidence: Evidence {
                good: 90.0,
                bad: 10.0,
            },
            cost: Some(0.02),
        };
        let picks = |w: f64, rng: &mut SmallRng| {
            (0..300)
                .filter(|_| choose(&[ok_cheap, great_dear], w, rng).0[0] == 1)
                .count()
        };
        assert!(picks(0.0, &mut rng) > 280, "quality only: the better one");
        assert!(picks(1.0, &mut rng) < 20, "cost weighs: the cheap one");
    }
}
