//! What the smart strategy has learned, per task type, in a form people can read: for each
//! model, the evidence, the expected quality and how often Thompson sampling would pick it.
//! This is how a user sees that a week of votes changed where requests go.

use rand::Rng;
use serde::{Deserialize, Serialize};
use switchboard_core::ProviderId;

use crate::smart::{Arm, Learned, choose, expected_quality};

/// Draws used to estimate how often each model would be picked.
const DRAWS: usize = 2_000;

/// One model's standing on one task type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct LearnedModel {
    /// The provider.
    pub provider: ProviderId,
    /// The model.
    pub model: String,
    /// Weighted good outcomes (completions, thumbs up, comparison wins).
    pub good: f64,
    /// Weighted bad outcomes (failures, thumbs down, comparison losses).
    pub bad: f64,
    /// Expected quality: the posterior mean, from the price prior and the evidence.
    pub quality: f64,
    /// Share of draws in which it would be chosen first on quality alone, 0–1.
    pub pick_share: f64,
}

/// What was learned about one task type, best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct TaskLearning {
    /// The task type tag (`general` for requests without one).
    pub task: String,
    /// Every model with evidence on it, most often picked first.
    pub models: Vec<LearnedModel>,
}

/// Summarizes `learned` with fresh randomness; `cost` gives a model's predicted cost of a
/// typical request (USD) for the price prior, `None` when unknown.
pub fn summarize_now(
    learned: &Learned,
    cost: impl Fn(&ProviderId, &str) -> Option<f64>,
) -> Vec<TaskLearning> {
    use rand::SeedableRng;
    summarize(learned, cost, &mut rand::rngs::SmallRng::from_os_rng())
}

/// [`summarize_now`] with the caller's randomness, so tests can count picks.
pub(crate) fn summarize(
    learned: &Learned,
    cost: impl Fn(&ProviderId, &str) -> Option<f64>,
    rng: &mut impl Rng,
) -> Vec<TaskLearning> {
    let mut by_task: std::collections::BTreeMap<String, Vec<(ProviderId, String, _)>> =
        std::collections::BTreeMap::new();
    for (task, provider, model, evidence) in learned.entries() {
        by_task
            .entry(task)
            .or_default()
            .push((provider, model, evidence));
    }
    by_task
        .into_iter()
        .map(|(task, mut entries)| {
            entries.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
            let arms: Vec<Arm> = entries
                .iter()
                .map(|(p, m, e)| Arm {
                    evidence: *e,
                    cost: cost(p, m),
                })
                .collect();
            let quality = expected_quality(&arms);
            let mut wins = vec![0_usize; arms.len()];
            for _ in 0..DRAWS {
                let (order, _) = choose(&arms, 0.0, rng);
                if let Some(first) = order.first() {
                    wins[*first] += 1;
                }
            }
            let mut models: Vec<LearnedModel> = entries
                .into_iter()
                .enumerate()
                .map(|(i, (provider, model, e))| LearnedModel {
                    provider,
                    model,
                    good: e.good,
                    bad: e.bad,
                    quality: quality[i],
                    pick_share: wins[i] as f64 / DRAWS as f64,
                })
                .collect();
            models.sort_by(|a, b| b.pick_share.total_cmp(&a.pick_share));
            TaskLearning { task, models }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::SmallRng;

    use super::*;
    use crate::Signal;

    #[test]
    fn votes_for_one_model_make_it_the_usual_pick_for_that_task_only() {
        let or: ProviderId = "openrouter".parse().unwrap();
        let mut learned = Learned::default();
        for _ in 0..10 {
            learned.record(Some("code"), &or, "cheap/model", Signal::WonComparison);
            learned.record(Some("code"), &or, "dear/model", Signal::LostComparison);
        }
        learned.record(Some("chat"), &or, "dear/model", Signal::Completed);
        let cost =
            |_: &ProviderId, m: &str| Some(if m.starts_with("cheap") { 0.001 } else { 0.01 });
        let mut rng = SmallRng::seed_from_u64(7);
        let all = summarize(&learned, cost, &mut rng);
        assert_eq!(all.len(), 2);
        let code = all.iter().find(|t| t.task == "code").unwrap();
        assert_eq!(code.models[0].model, "cheap/model");
        assert!(code.models[0].pick_share > 0.95, "{code:?}");
        assert!(code.models[0].quality > 0.8 && code.models[1].quality < 0.2);
        assert_eq!(code.models[0].good, 10.0);
        let chat = all.iter().find(|t| t.task == "chat").unwrap();
        assert_eq!(chat.models.len(), 1);
        assert!((chat.models[0].pick_share - 1.0).abs() < f64::EPSILON);
    }
}
