//! The routing decision's world, shared by the `decide` bench and the allocation test: 400
//! known models, 50 rules (the request matches the last), a route of 20 targets, and a router
//! fresh or with history.

#![allow(dead_code, clippy::unwrap_used)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use switchboard_core::ProviderId;
use switchboard_router::{
    Action, Capability, Catalogue, Conditions, Context, Ending, ModelFacts, RateLimit, Route,
    RouteRequest, Router, RouterConfig, Rule, Sample, Signal, Strategy, Target,
};

pub(crate) const MODELS: usize = 400;
pub(crate) const RULES: usize = 50;
pub(crate) const TARGETS: usize = 20;
pub(crate) const GOAL_P99_US: f64 = 10.0;

pub(crate) struct World {
    pub(crate) catalogue: Catalogue,
    pub(crate) targets: Vec<Target>,
    pub(crate) rules: Vec<Rule>,
    pub(crate) request: RouteRequest,
}

pub(crate) fn world() -> World {
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
    World {
        catalogue,
        targets,
        rules,
        request,
    }
}

pub(crate) fn router(w: &World, strategy: Strategy, history: bool) -> Router {
    let or: ProviderId = "openrouter".parse().unwrap();
    let config = RouterConfig {
        routes: vec![Route {
            name: "main".into(),
            strategy,
            openrouter_sort: None,
            cost_weight: None,
            targets: w.targets.clone(),
            failover: Default::default(),
        }],
        rules: w.rules.clone(),
        limits: if history {
            vec![RateLimit {
                provider: or.clone(),
                key: None,
                rpm: Some(10_000),
                tpm: Some(100_000_000),
            }]
        } else {
            vec![]
        },
        ..RouterConfig::default()
    };
    let router = Router::new(config).unwrap();
    if history {
        for (i, t) in w.targets.iter().enumerate() {
            let samples: Vec<Sample> = (0..256)
                .map(|j| Sample {
                    ok: (i + j) % 9 != 0,
                    ttft_ms: Some(200 + ((i * 37 + j * 11) % 700) as u64),
                    output_tokens: 300 + ((i * 13 + j * 7) % 500) as u64,
                    latency_ms: 2_000 + ((i * 91 + j * 17) % 3_000) as u64,
                    cost: None,
                })
                .collect();
            router.remember(&t.provider, &t.model, &samples);
            for j in 0..(i * 3) {
                let signal = if j % 4 == 0 {
                    Signal::ThumbDown
                } else {
                    Signal::Completed
                };
                router.learn(Some("code"), &t.provider, &t.model, signal);
            }
        }
        // A minute of traffic in the rate limit's log: one request a second.
        let start = Instant::now();
        for s in 0..60 {
            let t = &w.targets[s % TARGETS];
            let at = start + Duration::from_secs(s as u64);
            let ticket = router.begin(t, Some("a1b2"), 3_000, at).unwrap();
            ticket.finish(
                Ending::Ok(Sample {
                    ok: true,
                    ..Sample::default()
                }),
                Some(2_500),
                at,
            );
        }
    }
    router
}

/// The caller's key labels and spent budgets: none on a fresh router; with history, a key
/// label for OpenRouter and one target's budget spent.
pub(crate) fn caller(
    history: bool,
) -> (
    HashMap<ProviderId, String>,
    HashMap<(ProviderId, String), String>,
) {
    let or: ProviderId = "openrouter".parse().unwrap();
    let mut keys = HashMap::new();
    let mut budgets = HashMap::new();
    if history {
        keys.insert(or.clone(), "a1b2".to_owned());
        budgets.insert(
            (or, "vendor4/model-38".to_owned()),
            "the daily budget is spent".to_owned(),
        );
    }
    (keys, budgets)
}

/// A moment inside the rate limit's minute of history (the router was built just before).
pub(crate) fn decide_at() -> Instant {
    Instant::now() + Duration::from_secs(59)
}

/// The context of one decision.
pub(crate) fn context<'a>(
    w: &'a World,
    keys: &'a HashMap<ProviderId, String>,
    budgets: &'a HashMap<(ProviderId, String), String>,
    now: Instant,
) -> Context<'a> {
    Context {
        catalogue: &w.catalogue,
        key_labels: keys,
        over_budget: budgets,
        now,
    }
}
