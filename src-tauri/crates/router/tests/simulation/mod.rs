//! A simulated world with known answers: task types, models with prices, and the probability
//! that each model's answer on each task is good. Used by the smart-strategy test and bench.

#![allow(dead_code, clippy::unwrap_used)]

use rand::Rng;
use switchboard_core::ProviderId;
use switchboard_router::{Arm, GENERAL, Learned, Signal, choose};

pub(crate) const TASKS: [&str; 5] = ["code", "summarize", "translate", "extract", "chat"];
/// (model, cost of a typical request in USD).
pub(crate) const MODELS: [(&str, f64); 6] = [
    ("cheap-a", 0.0003),
    ("cheap-b", 0.0003),
    ("mid-c", 0.002),
    ("mid-d", 0.003),
    ("top-e", 0.015),
    ("top-f", 0.03),
];
/// P(good answer) by task (rows) and model (columns): the cheap pair split the easy tasks
/// between them, the middle models are strong at some, the top ones at code.
pub(crate) const QUALITY: [[f64; 6]; 5] = [
    [0.30, 0.35, 0.55, 0.70, 0.88, 0.90], // code
    [0.82, 0.60, 0.84, 0.80, 0.86, 0.88], // summarize
    [0.55, 0.85, 0.80, 0.86, 0.88, 0.90], // translate
    [0.50, 0.88, 0.70, 0.82, 0.90, 0.91], // extract
    [0.70, 0.72, 0.85, 0.83, 0.87, 0.89], // chat
];

/// How a policy picks a model for a task.
pub(crate) enum Policy {
    Random,
    Cheapest,
    Smart(f64),
}

/// Success rate and mean cost of `policy` over `rounds` requests; `picks[task][model]` counts
/// the choices made in the last `tail` rounds.
pub(crate) struct Run {
    pub(crate) quality: f64,
    pub(crate) cost: f64,
    pub(crate) picks: [[u32; 6]; 5],
}

pub(crate) fn run(policy: &Policy, rounds: usize, tail: usize, rng: &mut impl Rng) -> Run {
    let provider: ProviderId = "openrouter".parse().unwrap();
    let mut learned = Learned::default();
    let mut good = 0usize;
    let mut cost = 0.0;
    let mut picks = [[0u32; 6]; 5];
    for round in 0..rounds {
        let t = rng.random_range(0..TASKS.len());
        let m = match policy {
            Policy::Random => rng.random_range(0..MODELS.len()),
            // The first of the cheapest, as a cost sort without tie-breaking would.
            Policy::Cheapest => 0,
            Policy::Smart(weight) => {
                let arms: Vec<Arm> = MODELS
                    .iter()
                    .map(|(name, c)| Arm {
                        evidence: learned.evidence(Some(TASKS[t]), &provider, name),
                        cost: Some(*c),
                    })
                    .collect();
                choose(&arms, *weight, rng).0[0]
            }
        };
        let ok = rng.random_bool(QUALITY[t][m]);
        good += usize::from(ok);
        cost += MODELS[m].1;
        if round + tail >= rounds {
            picks[t][m] += 1;
        }
        // The user's verdict on every answer (thumbs or votes), as in a week of use.
        let signal = if ok {
            Signal::ThumbUp
        } else {
            Signal::ThumbDown
        };
        learned.record(Some(TASKS[t]), &provider, MODELS[m].0, signal);
        let _ = GENERAL;
    }
    Run {
        quality: good as f64 / rounds as f64,
        cost: cost / rounds as f64,
        picks,
    }
}

/// A model's true worth on a task at a cost weight.
pub(crate) fn utility(task: usize, model: usize, weight: f64) -> f64 {
    let dearest = MODELS.iter().map(|m| m.1).fold(0.0, f64::max);
    QUALITY[task][model] - weight * MODELS[model].1 / dearest
}

/// The best model for a task at a cost weight, knowing the true qualities.
pub(crate) fn best(task: usize, weight: f64) -> usize {
    (0..MODELS.len())
        .max_by(|&a, &b| utility(task, a, weight).total_cmp(&utility(task, b, weight)))
        .unwrap()
}
