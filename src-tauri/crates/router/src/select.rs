//! The strategies: ordering a route's eligible targets for one request.
//!
//! Every strategy returns a full order, not just a winner: the rest are the fallbacks. Where a
//! strategy compares figures (cost, latency, load), near-ties are broken at random so two
//! equally good targets share the traffic instead of one taking all of it.

use rand::Rng;
use rand::seq::{IndexedRandom, SliceRandom};

use crate::config::Strategy;

/// What a strategy may look at for one eligible target.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Figures {
    pub(crate) weight: u32,
    pub(crate) in_flight: u32,
    /// Predicted cost of this request, USD.
    pub(crate) cost: Option<f64>,
    /// Predicted time to the whole answer, ms (TTFT plus output at the observed rate).
    pub(crate) latency_ms: Option<f64>,
    /// Estimated success probability.
    pub(crate) success: f64,
}

/// Two costs within 2% are a tie: price tables are not that precise.
const COST_TIE: f64 = 1.02;

/// Orders `figures` (indices into it) by `strategy`; `turn` is the route's round-robin counter.
#[cfg(test)]
pub(crate) fn order(
    strategy: Strategy,
    figures: &[Figures],
    turn: u64,
    rng: &mut impl Rng,
) -> Vec<usize> {
    let mut idx = Vec::new();
    order_into(strategy, figures, turn, rng, &mut idx);
    idx
}

/// [`order`] into `idx`, a buffer the router keeps between decisions.
pub(crate) fn order_into(
    strategy: Strategy,
    figures: &[Figures],
    turn: u64,
    rng: &mut impl Rng,
    idx: &mut Vec<usize>,
) {
    let n = figures.len();
    idx.clear();
    idx.extend(0..n);
    if n <= 1 {
        return;
    }
    match strategy {
        // Smart is ordered by the router itself, which holds what was learned.
        Strategy::Priority | Strategy::Openrouter | Strategy::Smart => {}
        Strategy::RoundRobin => idx.rotate_left((turn % n as u64) as usize),
        Strategy::Weighted => {
            // The first pick in proportion to weight; the fallbacks keep the written order.
            let first = idx
                .choose_weighted(rng, |&i| figures[i].weight)
                .ok()
                .copied()
                .unwrap_or_else(|| rng.random_range(0..n));
            idx.retain(|&i| i != first);
            idx.insert(0, first);
        }
        Strategy::LeastBusy => {
            idx.shuffle(rng);
            idx.sort_by_key(|&i| figures[i].in_flight);
        }
        Strategy::LowestCost => {
            idx.sort_by(|&a, &b| cmp_opt(figures[a].cost, figures[b].cost));
            if let Some(best) = figures[idx[0]].cost {
                let ties = idx
                    .iter()
                    .take_while(|&&i| figures[i].cost.is_some_and(|c| c <= best * COST_TIE))
                    .count();
                idx[..ties].shuffle(rng);
            }
        }
        Strategy::LowestLatency => {
            idx.sort_by(|&a, &b| {
                cmp_opt(
                    figures[a].latency_ms.or(Some(0.0)),
                    figures[b].latency_ms.or(Some(0.0)),
                )
            });
            // Power of two choices: the better of two random targets leads, so when one target
            // is measured fastest the traffic still spreads enough to keep the others'
            // figures fresh and no single target is stampeded.
            let a = rng.random_range(0..n);
            let mut b = rng.random_range(0..n - 1);
            if b >= a {
                b += 1;
            }
            let (pa, pb) = (idx[a], idx[b]);
            let first = if cmp_opt(
                figures[pa].latency_ms.or(Some(0.0)),
                figures[pb].latency_ms.or(Some(0.0)),
            )
            .is_le()
            {
                pa
            } else {
                pb
            };
            idx.retain(|&i| i != first);
            idx.insert(0, first);
        }
        Strategy::Performance => {
            let min_cost = figures
                .iter()
                .filter_map(|f| f.cost)
                .fold(f64::INFINITY, f64::min);
            let utility = |f: &Figures| {
                // Unknown latency counts as one second and unknown cost as twice the cheapest:
                // neither wins on what is not known, neither is ruled out for it.
                let latency_s = f.latency_ms.unwrap_or(1_000.0) / 1_000.0;
                let rel_cost = match f.cost {
                    Some(c) if min_cost > 0.0 && min_cost.is_finite() => c / min_cost - 1.0,
                    Some(_) => 0.0,
                    None => 1.0,
                };
                f.success / (1.0 + latency_s) / (1.0 + rel_cost)
            };
            idx.shuffle(rng);
            idx.sort_by(|&a, &b| utility(&figures[b]).total_cmp(&utility(&figures[a])));
        }
    }
}

/// Known values first, ascending; unknowns last. A total order (sorting panics otherwise).
fn cmp_opt(a: Option<f64>, b: Option<f64>) -> std::cmp::Ordering {
    match (a, b) {
        (Some(a), Some(b)) => a.total_cmp(&b),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand::rngs::SmallRng;

    use super::*;

    fn f(weight: u32) -> Figures {
        Figures {
            weight,
            success: 0.5,
            ..Figures::default()
        }
    }

    #[test]
    fn priority_keeps_the_written_order_and_round_robin_rotates() {
        let mut rng = SmallRng::seed_from_u64(1);
        let figs = [f(1), f(1), f(1)];
        assert_eq!(order(Strategy::Priority, &figs, 0, &mut rng), [0, 1, 2]);
        assert_eq!(order(Strategy::RoundRobin, &figs, 0, &mut rng), [0, 1, 2]);
        assert_eq!(order(Strategy::RoundRobin, &figs, 1, &mut rng), [1, 2, 0]);
        assert_eq!(order(Strategy::RoundRobin, &figs, 5, &mut rng), [2, 0, 1]);
    }

    #[test]
    fn least_busy_leads_with_the_fewest_in_flight() {
        let mut rng = SmallRng::seed_from_u64(2);
        let mut figs = [f(1), f(1), f(1)];
        figs[0].in_flight = 3;
        figs[1].in_flight = 1;
        figs[2].in_flight = 2;
        assert_eq!(order(Strategy::LeastBusy, &figs, 0, &mut rng), [1, 2, 0]);
    }

    #[test]
    fn lowest_cost_uses_this_requests_cost_and_shares_near_ties() {
        let mut rng = SmallRng::seed_from_u64(3);
        let mut figs = [f(1), f(1), f(1), f(1)];
        figs[0].cost = Some(0.010);
        figs[1].cost = Some(0.002);
        figs[2].cost = None;
        figs[3].cost = Some(0.00201);
        let mut firsts = [0u32; 4];
        for _ in 0..1_000 {
            let o = order(Strategy::LowestCost, &figs, 0, &mut rng);
            assert_eq!(o[2..], [0, 2], "dearer next, unknown last: {o:?}");
            firsts[o[0]] += 1;
        }
        assert_eq!(firsts[0] + firsts[2], 0);
        assert!(
            firsts[1] > 400 && firsts[3] > 400,
            "near-ties share: {firsts:?}"
        );
    }

    #[test]
    fn lowest_latency_prefers_the_fast_without_herding() {
        let mut rng = SmallRng::seed_from_u64(4);
        let mut figs = [f(1), f(1), f(1)];
        figs[0].latency_ms = Some(300.0);
        figs[1].latency_ms = Some(900.0);
        figs[2].latency_ms = Some(2_000.0);
        let mut firsts = [0u32; 3];
        for _ in 0..3_000 {
            firsts[order(Strategy::LowestLatency, &figs, 0, &mut rng)[0]] += 1;
        }
        // P2C over three: the fastest wins any pair it is in (2/3), the middle one the pair
        // without the fastest (1/3), the slowest never leads.
        assert!((1_850..2_150).contains(&firsts[0]), "{firsts:?}");
        assert!((850..1_150).contains(&firsts[1]), "{firsts:?}");
        assert_eq!(firsts[2], 0);
    }

    #[test]
    fn performance_weighs_success_latency_and_cost() {
        let mut rng = SmallRng::seed_from_u64(5);
        let mut figs = [f(1), f(1), f(1)];
        // Cheap and fast but failing half the time.
        figs[0] = Figures {
            success: 0.5,
            latency_ms: Some(500.0),
            cost: Some(0.001),
            ..f(1)
        };
        // Reliable, a little slower, a little dearer.
        figs[1] = Figures {
            success: 0.99,
            latency_ms: Some(700.0),
            cost: Some(0.0012),
            ..f(1)
        };
        // Reliable but ten times the price.
        figs[2] = Figures {
            success: 0.99,
            latency_ms: Some(500.0),
            cost: Some(0.01),
            ..f(1)
        };
        assert_eq!(order(Strategy::Performance, &figs, 0, &mut rng), [1, 0, 2]);
    }

    #[test]
    fn weighted_pick_follows_the_weights() {
        let mut rng = SmallRng::seed_from_u64(6);
        let figs = [f(1), f(0), f(3)];
        let mut firsts = [0u32; 3];
        for _ in 0..4_000 {
            let o = order(Strategy::Weighted, &figs, 0, &mut rng);
            firsts[o[0]] += 1;
            assert_eq!(o.len(), 3);
        }
        assert_eq!(firsts[1], 0, "weight 0 never leads");
        assert!((850..1_150).contains(&firsts[0]), "{firsts:?}");
    }
}
