//! The router through its public API: decisions and their explanations, learning from
//! outcomes, limits, and the statistics of its random strategies.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::time::{Duration, Instant};

use switchboard_core::ProviderId;
use switchboard_router::{
    Capability, Catalogue, CircuitState, Context, Ending, Exclusion, FailureClass, ModelFacts,
    RouteError, RouteRequest, Router, RouterConfig, Sample, Strategy, Verdict, from_toml,
};

/// "Code questions go to the cheapest model with tools and 64k context, fall back to Claude
/// on errors."
const CONFIG: &str = r#"
[[routes]]
name = "code"
strategy = "lowest_cost"
[[routes.targets]]
provider = "openrouter"
model = "cheap/small-context"
[[routes.targets]]
provider = "openrouter"
model = "cheap/no-tools"
[[routes.targets]]
provider = "openrouter"
model = "mid/coder"
[[routes.targets]]
provider = "openrouter"
model = "cheapest/coder"
[[routes.targets]]
provider = "anthropic"
model = "claude-sonnet-4"

[[routes]]
name = "spread"
strategy = "weighted"
[[routes.targets]]
provider = "openrouter"
model = "a"
weight = 1
[[routes.targets]]
provider = "openrouter"
model = "b"
weight = 3
[[routes.targets]]
provider = "openrouter"
model = "c"
weight = 6

[[routes]]
name = "delegate"
strategy = "openrouter"
openrouter_sort = "throughput"
[[routes.targets]]
provider = "openrouter"
model = "x/one"
[[routes.targets]]
provider = "anthropic"
model = "claude-sonnet-4"
[[routes.targets]]
provider = "openrouter"
model = "x/two"

[[rules]]
name = "no audio"
when = { modalities = ["audio"] }
then = { block = "Audio stays on this machine." }

[[rules]]
name = "code questions"
when = { task = ["code"] }
then = { route = "code", set = { temperature = 0.2 } }

[breaker]
consecutive_failures = 2
open_ms = 1000

[[limits]]
provider = "anthropic"
rpm = 1
"#;

fn facts(context: u64, tools: bool, prompt: f64, completion: f64) -> ModelFacts {
    ModelFacts {
        context_length: Some(context),
        modalities: vec![],
        capabilities: if tools {
            vec![Capability::Tools]
        } else {
            vec![]
        },
        prompt_price: Some(prompt),
        completion_price: Some(completion),
        ..ModelFacts::default()
    }
}

fn catalogue() -> Catalogue {
    let or: ProviderId = "openrouter".parse().unwrap();
    let mut c = Catalogue::new();
    c.insert(
        or.clone(),
        "cheap/small-context",
        facts(32_000, true, 1e-8, 1e-8),
    );
    c.insert(
        or.clone(),
        "cheap/no-tools",
        facts(128_000, false, 1e-8, 1e-8),
    );
    c.insert(or.clone(), "mid/coder", facts(128_000, true, 1e-6, 4e-6));
    c.insert(or, "cheapest/coder", facts(64_000, true, 2e-7, 8e-7));
    c.insert(
        "anthropic".parse().unwrap(),
        "claude-sonnet-4",
        facts(200_000, true, 3e-6, 1.5e-5),
    );
    c
}

struct World {
    catalogue: Catalogue,
    keys: HashMap<ProviderId, String>,
    budgets: HashMap<(ProviderId, String), String>,
}

impl World {
    fn new() -> Self {
        Self {
            catalogue: catalogue(),
            keys: HashMap::new(),
            budgets: HashMap::new(),
        }
    }
    fn at(&self, now: Instant) -> Context<'_> {
        Context {
            catalogue: &self.catalogue,
            key_labels: &self.keys,
            over_budget: &self.budgets,
            now,
        }
    }
}

fn code_request() -> RouteRequest {
    RouteRequest {
        task: Some("code".into()),
        prompt_tokens: 50_000,
        max_output_tokens: Some(4_000),
        capabilities: vec![Capability::Tools],
        ..RouteRequest::default()
    }
}

fn router() -> Router {
    Router::seeded(from_toml(CONFIG).unwrap(), 7).unwrap()
}

#[test]
fn code_questions_go_to_the_cheapest_target_that_fits_and_claude_is_the_fallback() {
    let r = router();
    let world = World::new();
    let d = r
        .decide(&code_request(), &world.at(Instant::now()))
        .unwrap();
    assert_eq!(d.rule.as_deref(), Some("code questions"));
    assert_eq!(d.route.as_deref(), Some("code"));
    assert_eq!(d.set.as_ref().unwrap().temperature, Some(0.2));
    assert_eq!(d.rules[0].verdict, Verdict::NoMatch);
    assert_eq!(d.rules[0].detail, "carries no audio");
    assert_eq!(d.rules[1].verdict, Verdict::Matched);

    let models: Vec<&str> = d.order.iter().map(|t| t.model.as_str()).collect();
    assert_eq!(models, ["cheapest/coder", "mid/coder", "claude-sonnet-4"]);
    let why: Vec<String> = d.candidates.iter().map(|c| c.why.text()).collect();
    assert_eq!(
        why,
        [
            "context too small: needs ~54000 tokens, has 32000",
            "cannot do tools",
            "fallback 1",
            "chosen",
            "fallback 2",
        ]
    );
    // The cost is this request's: 50k prompt tokens and up to 1,000 expected output tokens.
    let cheapest = d.candidates[3].predicted_cost.unwrap();
    assert!((cheapest - (50_000.0 * 2e-7 + 1_000.0 * 8e-7)).abs() < 1e-12);
    assert!(d.summary.contains("cheapest/coder chosen"), "{}", d.summary);
}

#[test]
fn a_block_rule_stops_the_request_with_its_message() {
    let r = router();
    let world = World::new();
    let req = RouteRequest {
        modalities: vec![switchboard_router::Modality::Audio],
        ..code_request()
    };
    let d = r.decide(&req, &world.at(Instant::now())).unwrap();
    assert_eq!(d.blocked.as_deref(), Some("Audio stays on this machine."));
    assert!(d.order.is_empty());
    assert_eq!(d.rules[1].verdict, Verdict::NotReached);
}

#[test]
fn routing_needs_a_route_or_a_model() {
    let r = router();
    let world = World::new();
    let none = RouteRequest::default();
    let d = r.decide(&none, &world.at(Instant::now())).unwrap();
    assert!(d.order.is_empty() && d.candidates.is_empty());
    assert_eq!(d.summary, RouteError::NothingToRoute.to_string());
    assert_eq!(d.rules.len(), 2, "the rules' verdicts are still there");
    let unknown = RouteRequest {
        route: Some("nope".into()),
        ..RouteRequest::default()
    };
    assert_eq!(
        r.decide(&unknown, &world.at(Instant::now())),
        Err(RouteError::UnknownRoute("nope".into()))
    );
    let direct = RouteRequest {
        provider: Some("openai".parse().unwrap()),
        model: Some("gpt-4o-mini".into()),
        ..RouteRequest::default()
    };
    let d = r.decide(&direct, &world.at(Instant::now())).unwrap();
    assert_eq!(d.route, None);
    assert_eq!(d.order.len(), 1);
    assert!(
        !d.candidates[0].known,
        "not in the catalogue, still allowed"
    );
}

#[test]
fn failures_open_the_circuit_the_explain_view_says_so_and_a_trial_closes_it() {
    let r = router();
    let world = World::new();
    let t0 = Instant::now();
    let d = r.decide(&code_request(), &world.at(t0)).unwrap();
    let first = d.order[0].clone();
    for _ in 0..2 {
        let ticket = r.begin(&first, None, 1_000, t0).unwrap();
        ticket.finish(
            Ending::Failed {
                class: FailureClass::Transient,
                message: "upstream 502".into(),
                sample: Sample::default(),
            },
            None,
            t0,
        );
    }
    let d = r.decide(&code_request(), &world.at(t0)).unwrap();
    let c = d.candidates.iter().find(|c| c.target == first).unwrap();
    assert!(
        matches!(
            &c.exclusion,
            Some(Exclusion::CircuitOpen {
                retry_in_ms: 1_000,
                ..
            })
        ),
        "{c:?}"
    );
    assert!(
        c.why.contains("2 failures in a row; last: upstream 502"),
        "{}",
        c.why
    );
    assert_eq!(
        d.order[0].model, "mid/coder",
        "the next cheapest takes over"
    );
    let held = r.begin(&first, None, 1_000, t0).unwrap_err();
    assert_eq!(held.wait, Duration::from_secs(1));

    let later = t0 + Duration::from_secs(1);
    let d = r.decide(&code_request(), &world.at(later)).unwrap();
    assert_eq!(d.order[0], first, "open time over: eligible for a trial");
    let trial = r.begin(&first, None, 1_000, later).unwrap();
    assert!(trial.is_trial());
    assert!(
        r.begin(&first, None, 1_000, later).is_err(),
        "one trial at a time"
    );
    trial.finish(
        Ending::Ok(Sample {
            ok: true,
            ttft_ms: Some(200),
            output_tokens: 100,
            latency_ms: 1_200,
            cost: None,
        }),
        Some(51_000),
        later,
    );
    let health = r.health(later);
    let h = health.iter().find(|h| h.model == first.model).unwrap();
    assert_eq!(h.circuit.state, CircuitState::Closed);
    assert_eq!(h.circuit.times_opened, 1);
    assert_eq!(h.metrics.requests, 3);
    assert_eq!(h.metrics.ttft_p50_ms, Some(200));
    assert_eq!(h.routes, ["code"]);
}

#[test]
fn rate_limits_hold_requests_and_the_explain_view_names_the_limit() {
    let r = router();
    let mut world = World::new();
    let now = Instant::now();
    let claude = r.config().routes[0].targets[4].clone();
    let ticket = r.begin(&claude, None, 10, now).unwrap();
    let held = r.begin(&claude, None, 10, now).unwrap_err();
    assert_eq!(held.wait, Duration::from_secs(60));
    assert_eq!(held.reason, "rate limit anthropic: 1 requests/min reached");
    drop(ticket);
    for model in ["mid/coder", "cheapest/coder"] {
        world.budgets.insert(
            ("openrouter".parse().unwrap(), model.into()),
            "OpenRouter: $5.00 a day, spent".into(),
        );
    }
    let d = r.decide(&code_request(), &world.at(now)).unwrap();
    assert!(d.order.is_empty(), "{}", d.summary);
    let last = d.candidates.last().unwrap();
    assert!(matches!(
        last.exclusion,
        Some(Exclusion::RateLimited {
            wait_ms: 60_000,
            ..
        })
    ));
    assert!(matches!(
        d.candidates[2].exclusion,
        Some(Exclusion::OverBudget { .. })
    ));
    assert_eq!(
        d.soonest_wait_ms(),
        Some(60_000),
        "the request waits instead of failing"
    );
    assert!(
        d.summary.contains("no target can take this request"),
        "{}",
        d.summary
    );
    let limits = r.limits(now);
    assert_eq!((limits[0].requests, limits[0].rpm), (1, Some(1)));
}

#[test]
fn concurrency_limits_mark_targets_busy_until_a_request_ends() {
    let mut config: RouterConfig = from_toml(CONFIG).unwrap();
    config.routes[0].targets[3].max_concurrency = Some(1);
    let r = Router::seeded(config, 1).unwrap();
    let world = World::new();
    let now = Instant::now();
    let target = r.config().routes[0].targets[3].clone();
    let ticket = r.begin(&target, None, 1, now).unwrap();
    let d = r.decide(&code_request(), &world.at(now)).unwrap();
    assert!(matches!(
        d.candidates[3].exclusion,
        Some(Exclusion::Busy {
            in_flight: 1,
            max: 1
        })
    ));
    drop(ticket);
    let d = r.decide(&code_request(), &world.at(now)).unwrap();
    assert_eq!(*d.order[0], target, "dropping the ticket freed the slot");
}

/// 10,000 weighted picks stay within four standard deviations of each weight's share.
#[test]
fn weighted_choice_stays_within_statistical_bounds() {
    let r = router();
    let world = World::new();
    let req = RouteRequest {
        route: Some("spread".into()),
        ..RouteRequest::default()
    };
    let n: f64 = 10_000.0;
    let mut counts: HashMap<String, f64> = HashMap::new();
    for _ in 0..10_000 {
        let d = r.decide(&req, &world.at(Instant::now())).unwrap();
        *counts.entry(d.order[0].model.clone()).or_default() += 1.0;
    }
    for (model, share) in [("a", 0.1_f64), ("b", 0.3), ("c", 0.6)] {
        let got = counts[model];
        let sd = (n * share * (1.0 - share)).sqrt();
        assert!(
            (got - n * share).abs() < 4.0 * sd,
            "{model}: {got} of {n}, expected {}",
            n * share
        );
    }
}

#[test]
fn round_robin_takes_turns() {
    let mut config: RouterConfig = from_toml(CONFIG).unwrap();
    config.routes[1].strategy = Strategy::RoundRobin;
    let r = Router::seeded(config, 1).unwrap();
    let world = World::new();
    let req = RouteRequest {
        route: Some("spread".into()),
        ..RouteRequest::default()
    };
    let first = |d: switchboard_router::Decision| d.order[0].model.clone();
    // Explaining, or deciding again with budgets, is not a request: the turn stays.
    let explained: Vec<String> = (0..3)
        .map(|_| first(r.decide(&req, &world.at(Instant::now())).unwrap()))
        .collect();
    assert_eq!(explained, ["a", "a", "a"]);
    let mut explained_between = Vec::new();
    let firsts: Vec<String> = (0..6)
        .map(|_| {
            let sent = first(r.decide_to_send(&req, &world.at(Instant::now())).unwrap());
            // Between requests, an explain shows where the next one goes, and moves nothing.
            explained_between.push(first(r.decide(&req, &world.at(Instant::now())).unwrap()));
            sent
        })
        .collect();
    assert_eq!(firsts, ["a", "b", "c", "a", "b", "c"]);
    assert_eq!(explained_between, ["b", "c", "a", "b", "c", "a"]);
}

#[test]
fn the_openrouter_strategy_hands_the_rest_to_openrouter() {
    let r = router();
    let world = World::new();
    let req = RouteRequest {
        route: Some("delegate".into()),
        ..RouteRequest::default()
    };
    let d = r.decide(&req, &world.at(Instant::now())).unwrap();
    let delegation = d.delegation.unwrap();
    assert_eq!(delegation.models, ["x/two"]);
    assert_eq!(delegation.sort.as_deref(), Some("throughput"));
    let order: Vec<&str> = d.order.iter().map(|t| t.model.as_str()).collect();
    assert_eq!(
        order,
        ["x/one", "claude-sonnet-4"],
        "our own fallback stays ours"
    );
}

#[test]
fn a_new_configuration_keeps_what_was_learned() {
    let r = router();
    let now = Instant::now();
    let claude = r.config().routes[0].targets[4].clone();
    r.begin(&claude, None, 10, now).unwrap().finish(
        Ending::Ok(Sample {
            ok: true,
            ttft_ms: Some(321),
            ..Sample::default()
        }),
        None,
        now,
    );
    let mut config = r.config();
    config.rules.clear();
    r.set_config(config).unwrap();
    let h = r.health(now);
    assert_eq!(
        h.iter()
            .find(|h| h.model == "claude-sonnet-4")
            .unwrap()
            .metrics
            .ttft_p50_ms,
        Some(321)
    );
    let mut bad = r.config();
    bad.routes[0].targets.clear();
    let err = r.set_config(bad).unwrap_err();
    assert_eq!(err.to_string(), "route \"code\" has no targets");
    assert_eq!(
        r.config().routes[0].targets.len(),
        5,
        "a bad config changes nothing"
    );
}

#[test]
fn the_smart_strategy_follows_what_it_learned_per_task_and_says_why() {
    let mut config: RouterConfig = from_toml(CONFIG).unwrap();
    config.routes[1].strategy = Strategy::Smart;
    config.routes[1].cost_weight = Some(0.0);
    let r = Router::seeded(config, 3).unwrap();
    let world = World::new();
    let or: ProviderId = "openrouter".parse().unwrap();
    for _ in 0..30 {
        r.learn(
            Some("review"),
            &or,
            "a",
            switchboard_router::Signal::ThumbDown,
        );
        r.learn(
            Some("review"),
            &or,
            "c",
            switchboard_router::Signal::WonComparison,
        );
        r.learn(Some("chat"), &or, "a", switchboard_router::Signal::ThumbUp);
        r.learn(
            Some("chat"),
            &or,
            "c",
            switchboard_router::Signal::LostComparison,
        );
    }
    let ask = |task: &str| RouteRequest {
        route: Some("spread".into()),
        task: Some(task.into()),
        ..RouteRequest::default()
    };
    let d = r.decide(&ask("review"), &world.at(Instant::now())).unwrap();
    assert_eq!(d.order[0].model, "c");
    let why = d.candidates[2].why.text();
    assert!(why.starts_with("chosen: quality ~0.9"), "{why}");
    assert!(why.contains("30.0 good, 0.0 bad seen"), "{why}");
    let d = r.decide(&ask("chat"), &world.at(Instant::now())).unwrap();
    assert_eq!(d.order[0].model, "a", "another task, another answer");
    let learned = r.learned();
    let fresh = Router::seeded(r.config(), 4).unwrap();
    fresh.restore_learned(learned);
    let d = fresh
        .decide(&ask("review"), &world.at(Instant::now()))
        .unwrap();
    assert_eq!(d.order[0].model, "c", "what was learned survives a restart");
}
