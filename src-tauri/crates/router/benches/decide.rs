//! The routing decision's cost: 400 known models, 50 rules (the request matches the last), a
//! route of 20 targets, for each strategy. Prints p50/p99 in microseconds.
//!
//! `cargo bench -p switchboard-router --bench decide`

#![allow(clippy::unwrap_used, clippy::print_stdout)]

use std::collections::HashMap;
use std::time::Instant;

use switchboard_core::ProviderId;
use switchboard_router::{
    Action, Capability, Catalogue, Conditions, Context, ModelFacts, Route, RouteRequest, Router,
    RouterConfig, Rule, Strategy, Target,
};

const MODELS: usize = 400;
const RULES: usize = 50;
const TARGETS: usize = 20;
const RUNS: usize = 20_000;

fn main() {
    let or: ProviderId = "openrouter".parse().unwrap();
    let mut catalogue = Catalogue::new();
    for i in 0..MODELS {
        catalogue.insert(
            or.clone(),
            format!("vendor{}/model-{i}", i % 17),
            ModelFacts {
                context_length: Some(8_000 << (i % 6)),
                modalities: vec![],
                capabilities: if i % 3 == 0 {
                    vec![]
                } else {
                    vec![Capability::Tools]
                },
                prompt_price: Some(1e-7 * (1 + i % 29) as f64),
                completion_price: Some(4e-7 * (1 + i % 31) as f64),
                ..ModelFacts::default()
            },
        );
    }
    let targets: Vec<Target> = (0..TARGETS)
        .map(|i| Target {
            provider: or.clone(),
            model: format!("vendor{}/model-{}", (i * 19) % 17, i * 19),
            weight: 1 + i as u32 % 4,
            max_concurrency: None,
            openrouter: None,
        })
        .collect();
    let rules: Vec<Rule> = (0..RULES)
        .map(|i| Rule {
            name: format!("rule {i}"),
            enabled: true,
            when: Conditions {
                task: vec![if i == RULES - 1 {
                    "code".into()
                } else {
                    format!("task-{i}")
                }],
                model: vec![format!("vendor{}/*", i % 17)],
                ..Conditions::default()
            },
            then: Action {
                route: Some("main".into()),
                ..Action::default()
            },
        })
        .collect();
    let request = RouteRequest {
        model: Some(format!("vendor{}/model-x", (RULES - 1) % 17)),
        task: Some("code".into()),
        prompt_tokens: 20_000,
        max_output_tokens: Some(2_000),
        capabilities: vec![Capability::Tools],
        ..RouteRequest::default()
    };
    let keys = HashMap::new();
    let budgets = HashMap::new();
    println!(
        "routing decision: {MODELS} models, {RULES} rules (match on the last), {TARGETS} targets, {RUNS} runs"
    );
    println!(
        "{:<16} {:>9} {:>9} {:>9}",
        "strategy", "p50 µs", "p99 µs", "max µs"
    );
    for strategy in Strategy::ALL {
        let config = RouterConfig {
            routes: vec![Route {
                name: "main".into(),
                strategy,
                openrouter_sort: None,
                cost_weight: None,
                targets: targets.clone(),
                failover: Default::default(),
            }],
            rules: rules.clone(),
            ..RouterConfig::default()
        };
        let router = Router::new(config).unwrap();
        let mut times = Vec::with_capacity(RUNS);
        for _ in 0..RUNS {
            let started = Instant::now();
            let ctx = Context {
                catalogue: &catalogue,
                key_labels: &keys,
                over_budget: &budgets,
                now: started,
            };
            let decision = router.decide(&request, &ctx).unwrap();
            std::hint::black_box(&decision);
            times.push(started.elapsed().as_nanos() as f64 / 1_000.0);
            assert_eq!(decision.rule.as_deref(), Some("rule 49"));
        }
        times.sort_by(f64::total_cmp);
        let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
        println!(
            "{:<16} {:>9.1} {:>9.1} {:>9.1}",
            format!("{strategy:?}"),
            pct(0.50),
            pct(0.99),
            times[times.len() - 1]
        );
    }
}
