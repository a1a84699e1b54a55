//! The routing decision's cost: 400 known models, 50 rules (the request matches the last), a
//! route of 20 targets, for each strategy. Twice: on a fresh router, and on one with history
//! (256 outcomes and moving averages per target, learned evidence for the smart strategy, a rate
//! limit with a minute of requests in its log, a key label and a spent budget). Prints p50/p99
//! in microseconds per strategy, side by side, against the goal (p99 ≤ 10 µs).
//!
//! `cargo bench -p switchboard-router --bench decide` (`ROUTER_BENCH_RUNS` sets the runs,
//! `ROUTER_BENCH_ONLY=smart` one strategy).

#![allow(clippy::unwrap_used, clippy::print_stdout)]

mod world;

use std::time::Instant;

use switchboard_router::{Router, Strategy};
use world::{
    GOAL_P99_US, MODELS, RULES, TARGETS, World, caller, context, decide_at, router, world,
};

/// p50 and p99 of `runs` decisions, µs.
fn measure(w: &World, router: &Router, history: bool, runs: usize) -> (f64, f64) {
    let (keys, budgets) = caller(history);
    // The rate limit's log is a minute old from the bench's start: decide within it.
    let base = decide_at();
    let mut times = Vec::with_capacity(runs);
    for _ in 0..runs {
        let started = Instant::now();
        let ctx = context(w, &keys, &budgets, if history { base } else { started });
        let decision = router.decide(&w.request, &ctx).unwrap();
        std::hint::black_box(&decision);
        times.push(started.elapsed().as_nanos() as f64 / 1_000.0);
        assert_eq!(decision.rule.as_deref(), Some("rule 49"));
        assert!(!decision.order.is_empty(), "{}", decision.summary);
    }
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
    (pct(0.50), pct(0.99))
}

fn main() {
    let runs: usize = std::env::var("ROUTER_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(20_000);
    let w = world();
    println!(
        "routing decision: {MODELS} models, {RULES} rules (match on the last), {TARGETS} targets, {runs} runs each; µs"
    );
    println!(
        "{:<16} {:>10} {:>10} {:>12} {:>12} {:>9} {:>6}",
        "strategy", "fresh p50", "fresh p99", "history p50", "history p99", "goal p99", "met"
    );
    // One strategy only (its name as printed, any case), for a profiler.
    let only = std::env::var("ROUTER_BENCH_ONLY").ok();
    let mut all_met = true;
    for strategy in Strategy::ALL {
        if only
            .as_deref()
            .is_some_and(|o| !o.eq_ignore_ascii_case(&format!("{strategy:?}")))
        {
            continue;
        }
        let (fresh50, fresh99) = measure(&w, &router(&w, strategy, false), false, runs);
        let (hist50, hist99) = measure(&w, &router(&w, strategy, true), true, runs);
        let met = fresh99.max(hist99) <= GOAL_P99_US;
        all_met &= met;
        // `.ci/bench`'s table row: the worse of fresh and with history.
        println!(
            "BENCH|routing decision p99, {strategy:?}|{:.2}|µs|-|<= {GOAL_P99_US}",
            fresh99.max(hist99)
        );
        println!(
            "{:<16} {:>10.2} {:>10.2} {:>12.2} {:>12.2} {:>9.1} {:>6}",
            format!("{strategy:?}"),
            fresh50,
            fresh99,
            hist50,
            hist99,
            GOAL_P99_US,
            if met { "yes" } else { "NO" }
        );
    }
    println!(
        "every strategy p99 ≤ {GOAL_P99_US} µs: {}",
        if all_met { "yes" } else { "no" }
    );
}
