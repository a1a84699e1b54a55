//! Heap allocations per routing decision, counted rather than timed: the machine running the
//! tests is shared and its timings are noisy, while a decision's allocations are the same on
//! every run. The world is the `decide` bench's (400 models, 50 rules, 20 targets), fresh and
//! with history, for every strategy. The ceilings sit a quarter above what a decision costs
//! now, so a change that puts allocation back on the hot path fails here.
//!
//! `cargo test -p switchboard-router --test allocations -- --nocapture` prints the table.

#![allow(clippy::unwrap_used, clippy::print_stdout)]

#[path = "../benches/world/mod.rs"]
mod world;

use stats_alloc::{INSTRUMENTED_SYSTEM, Region, StatsAlloc};
use std::alloc::System;

use switchboard_router::Strategy;
use world::{caller, context, decide_at, router, world};

// Counts every allocation of the process (`unsafe_code` is forbidden here, so a counting
// allocator is not written by hand). The binary holds this one test, so nothing else
// allocates while a decision is counted.
#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Allocations (growing reallocations included) and bytes of `f`.
fn counted<T>(f: impl FnOnce() -> T) -> (T, u64, u64) {
    let region = Region::new(GLOBAL);
    let out = f();
    let s = region.change();
    (
        out,
        (s.allocations + s.reallocations) as u64,
        (s.bytes_allocated + s.bytes_reallocated.max(0) as usize) as u64,
    )
}

/// Allocations per decision (fresh, with history), per strategy, in `Strategy::ALL`'s order.
fn measure() -> Vec<(Strategy, [(u64, u64); 2])> {
    let w = world();
    Strategy::ALL
        .into_iter()
        .map(|strategy| {
            let figures = [false, true].map(|history| {
                let router = router(&w, strategy, history);
                let (keys, budgets) = caller(history);
                let now = decide_at();
                let ctx = context(&w, &keys, &budgets, now);
                // The first decision sizes the router's reusable buffers; the second is what
                // every later request costs.
                drop(router.decide_to_send(&w.request, &ctx).unwrap());
                let (decision, allocs, bytes) =
                    counted(|| router.decide_to_send(&w.request, &ctx).unwrap());
                assert_eq!(decision.rule.as_deref(), Some("rule 49"));
                assert!(!decision.order.is_empty(), "{}", decision.summary);
                (allocs, bytes)
            });
            (strategy, figures)
        })
        .collect()
}

/// What one decision allocates now, fresh and with history, per strategy (`Strategy::ALL`'s
/// order). Lower it when a change saves allocations. Before issue 17 a decision made 188 (197
/// for OpenRouter); with its own copies of the request and of every target, 69. Its targets are
/// now shared with the compiled route, so what is left is the decision's own vectors (rules,
/// candidates, order), the request's copy (3), the summary, and OpenRouter's `models[]`.
const NOW: [[u64; 2]; 9] = [
    [11, 13], // Priority
    [11, 13], // RoundRobin
    [12, 14], // Weighted: `choose_weighted`'s cumulative weights
    [11, 13], // LeastBusy
    [11, 13], // LowestCost
    [11, 13], // LowestLatency
    [11, 13], // Performance
    [21, 22], // Openrouter
    [11, 13], // Smart
];

#[test]
fn a_decision_allocates_no_more_than_it_did() {
    let figures = measure();
    println!(
        "{:<16} {:>12} {:>12} {:>14} {:>14}",
        "strategy", "fresh allocs", "fresh bytes", "history allocs", "history bytes"
    );
    for (strategy, [(fa, fb), (ha, hb)]) in &figures {
        println!(
            "{:<16} {fa:>12} {fb:>12} {ha:>14} {hb:>14}",
            format!("{strategy:?}")
        );
    }
    let mut over = Vec::new();
    for ((strategy, got), now) in figures.iter().zip(NOW) {
        for ((allocs, _), (now, when)) in got.iter().zip(now.into_iter().zip(["fresh", "history"]))
        {
            let ceiling = now + now / 4;
            if *allocs > ceiling {
                over.push(format!(
                    "{strategy:?} ({when}): {allocs} allocations, ceiling {ceiling}"
                ));
            }
        }
    }
    assert!(
        over.is_empty(),
        "a decision allocates more than it did: {over:#?}"
    );
}
