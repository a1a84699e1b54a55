//! Choosing models within a task: the cost-aware escalation ladder.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};
use switchboard_core::Usd;

use crate::AgentTarget;

/// A candidate model as the engine appraised it for this task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Rung {
    /// The model.
    pub target: AgentTarget,
    /// Expected success rate for the task type (the smart router's posterior mean, from
    /// catalogue priors and what users said).
    pub quality: f64,
    /// Predicted cost of one call, when its prices are known.
    pub predicted_cost: Option<Usd>,
}

impl Rung {
    /// The predicted cost when it means something: a negative figure is OpenRouter's
    /// "variable price", which is as good as unknown.
    fn known_cost(&self) -> Option<Usd> {
        self.predicted_cost.filter(|c| !c.is_negative())
    }

    /// Quality for sorting: NaN (a broken appraisal) ranks below everything.
    fn rank(&self) -> f64 {
        if self.quality.is_nan() {
            f64::NEG_INFINITY
        } else {
            self.quality
        }
    }
}

/// The order to try candidates in: first the cheapest that meets `quality_bar` and fits
/// `budget_left`, then upward (better, dearer) as each fails; those below the bar come last,
/// best first. Unknown costs sort after known ones.
///
/// In full, the ladder is, in order:
/// 1. rungs that meet the bar and whose predicted cost fits, cheapest first (ties: better
///    first);
/// 2. rungs that meet the bar with an unknown (or variable) cost, best first;
/// 3. rungs below the bar whose predicted cost fits, best first (ties: cheaper first);
/// 4. rungs below the bar with an unknown cost, best first.
///
/// Rungs whose predicted cost exceeds `budget_left` are dropped: they cannot be afforded, and
/// trying them would only spend a turn on a refusal. Unknown costs stay because the budget
/// cannot rule them out; the engine still refuses a call whose worst case exceeds what is left.
/// When dropping would leave nothing to try, the cheapest of the dropped rungs is kept alone,
/// so the task ends with the router's clear budget refusal instead of a silent "no candidate".
pub fn escalation_ladder(
    rungs: Vec<Rung>,
    quality_bar: f64,
    budget_left: Option<Usd>,
) -> Vec<Rung> {
    let fits = |cost: Usd| budget_left.is_none_or(|left| cost <= left);
    let mut fitting = Vec::new();
    let mut unknown = Vec::new();
    let mut over_budget = Vec::new();
    for rung in rungs {
        match rung.known_cost() {
            Some(cost) if fits(cost) => fitting.push(rung),
            Some(_) => over_budget.push(rung),
            None => unknown.push(rung),
        }
    }
    let meets = |r: &Rung| r.quality >= quality_bar;
    let cost_of = |r: &Rung| r.known_cost().unwrap_or(Usd::MAX);
    let better = |a: &Rung, b: &Rung| b.rank().partial_cmp(&a.rank()).unwrap_or(Ordering::Equal);

    let (mut cheap_enough, mut fitting_below): (Vec<_>, Vec<_>) =
        fitting.into_iter().partition(|r| meets(r));
    let (mut unknown_meets, mut unknown_below): (Vec<_>, Vec<_>) =
        unknown.into_iter().partition(|r| meets(r));
    cheap_enough.sort_by(|a, b| cost_of(a).cmp(&cost_of(b)).then_with(|| better(a, b)));
    unknown_meets.sort_by(better);
    fitting_below.sort_by(|a, b| better(a, b).then_with(|| cost_of(a).cmp(&cost_of(b))));
    unknown_below.sort_by(better);

    let mut ladder = cheap_enough;
    ladder.extend(unknown_meets);
    ladder.extend(fitting_below);
    ladder.extend(unknown_below);
    if ladder.is_empty()
        && let Some(cheapest) = over_budget.into_iter().min_by_key(cost_of)
    {
        ladder.push(cheapest);
    }
    ladder
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rung(name: &str, quality: f64, cost: Option<&str>) -> Rung {
        Rung {
            target: AgentTarget::Route { route: name.into() },
            quality,
            predicted_cost: cost.map(|c| Usd::parse(c).unwrap()),
        }
    }

    fn names(ladder: &[Rung]) -> Vec<&str> {
        ladder
            .iter()
            .map(|r| match &r.target {
                AgentTarget::Route { route } => route.as_str(),
                AgentTarget::Model { model, .. } => model.as_str(),
            })
            .collect()
    }

    #[test]
    fn cheapest_that_meets_the_bar_comes_first_then_upward() {
        let ladder = escalation_ladder(
            vec![
                rung("strong", 0.95, Some("0.05")),
                rung("mid", 0.8, Some("0.01")),
                rung("cheap", 0.75, Some("0.001")),
                rung("weak", 0.5, Some("0.0001")),
            ],
            0.7,
            None,
        );
        assert_eq!(names(&ladder), ["cheap", "mid", "strong", "weak"]);
    }

    #[test]
    fn below_the_bar_comes_last_best_first_and_unknown_costs_after_known() {
        let ladder = escalation_ladder(
            vec![
                rung("worst", 0.2, Some("0.001")),
                rung("unpriced_good", 0.9, None),
                rung("variable", 0.99, Some("-1")),
                rung("priced_good", 0.8, Some("0.02")),
                rung("unpriced_bad", 0.6, None),
                rung("better_bad", 0.5, Some("0.002")),
            ],
            0.7,
            None,
        );
        assert_eq!(
            names(&ladder),
            [
                "priced_good",
                "variable",
                "unpriced_good",
                "better_bad",
                "worst",
                "unpriced_bad"
            ]
        );
    }

    #[test]
    fn rungs_over_budget_are_dropped() {
        let ladder = escalation_ladder(
            vec![
                rung("dear", 0.95, Some("0.20")),
                rung("fits", 0.8, Some("0.05")),
                rung("exactly", 0.9, Some("0.10")),
                rung("unknown", 0.9, None),
                rung("dear_bad", 0.1, Some("0.5")),
            ],
            0.7,
            Some(Usd::parse("0.10").unwrap()),
        );
        assert_eq!(names(&ladder), ["fits", "exactly", "unknown"]);
    }

    #[test]
    fn when_nothing_fits_the_cheapest_is_kept_to_fail_clearly() {
        let ladder = escalation_ladder(
            vec![
                rung("dearer", 0.95, Some("0.30")),
                rung("dear", 0.8, Some("0.20")),
            ],
            0.7,
            Some(Usd::parse("0.01").unwrap()),
        );
        assert_eq!(names(&ladder), ["dear"]);
        assert!(escalation_ladder(Vec::new(), 0.7, None).is_empty());
    }
}
