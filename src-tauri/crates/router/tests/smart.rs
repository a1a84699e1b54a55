//! The smart strategy converges on the simulated world: it learns each task type's best model
//! for the chosen cost weight, and beats random and always-cheapest at their own cost.

#![allow(clippy::unwrap_used)]

// Shared with the `smart` bench, which loads it by path too.
#[path = "simulation/mod.rs"]
mod simulation;

use rand::SeedableRng;
use rand::rngs::SmallRng;
use simulation::{MODELS, Policy, TASKS, best, run, utility};

#[test]
fn it_converges_on_each_task_types_best_model() {
    let mut rng = SmallRng::seed_from_u64(7);
    let weight = 0.2;
    let r = run(&Policy::Smart(weight), 6_000, 1_500, &mut rng);
    for (t, task) in TASKS.iter().enumerate() {
        let total: u32 = r.picks[t].iter().sum();
        // The best model, or one whose utility is within 0.02 of it (indistinguishable at
        // this many answers), takes most of the late traffic.
        let right: u32 = (0..MODELS.len())
            .filter(|m| utility(t, *m, weight) >= utility(t, best(t, weight), weight) - 0.02)
            .map(|m| r.picks[t][m])
            .sum();
        assert!(
            f64::from(right) / f64::from(total) > 0.8,
            "{task}: best is {}, picks {:?}",
            MODELS[best(t, weight)].0,
            r.picks[t]
        );
    }
}

#[test]
fn it_beats_random_and_cheapest_at_their_cost() {
    let mut rng = SmallRng::seed_from_u64(8);
    let random = run(&Policy::Random, 10_000, 0, &mut rng);
    let cheapest = run(&Policy::Cheapest, 10_000, 0, &mut rng);
    // A weight so high that only the cheapest pair is ever worth it: the same cost as always
    // taking the first of them, but learning which of the two is better at each task.
    let frugal = run(&Policy::Smart(20.0), 10_000, 0, &mut rng);
    let balanced = run(&Policy::Smart(0.2), 10_000, 0, &mut rng);
    assert!(
        balanced.cost < random.cost,
        "{} vs {}",
        balanced.cost,
        random.cost
    );
    assert!(
        balanced.quality > random.quality + 0.05,
        "{} vs {}",
        balanced.quality,
        random.quality
    );
    assert!(
        (frugal.cost - cheapest.cost).abs() < 1e-9,
        "{} vs {}",
        frugal.cost,
        cheapest.cost
    );
    assert!(
        frugal.quality > cheapest.quality + 0.05,
        "{} vs {}",
        frugal.quality,
        cheapest.quality
    );
}
