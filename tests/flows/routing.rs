//! Routing through the engine against three loopback fakes standing in for OpenRouter, OpenAI
//! and Anthropic: failover on 429 with `Retry-After`, circuits that open on repeated 5xx and
//! close after a half-open trial, no failover after the first token, the ledger's record of
//! every attempt, and the configuration kept in the store across a restart.

use std::time::{Duration, Instant};

use switchboard_engine::core::{ChatRequest, ErrorCode, Message, Role};
use switchboard_engine::router::{CircuitState, Exclusion, RouteRequest};
use switchboard_engine::{CancellationToken, Outcome, RouteEvent, RoutedOutcome};
use switchboard_tests::{FakeUpstream, Reply};

use crate::keys::Harness;

const KEY: &str = "sk-flows-routing-key-0000000001";

const ROUTES: &str = r#"
[[routes]]
name = "main"
[[routes.targets]]
provider = "openrouter"
model = "first/model"
[[routes.targets]]
provider = "openai"
model = "gpt-4o-mini"
[[routes.targets]]
provider = "anthropic"
model = "claude-sonnet-4-20250514"

[[routes]]
name = "solo"
[[routes.targets]]
provider = "openrouter"
model = "only/model"
[routes.failover]
retries_per_target = 1

[[rules]]
name = "code goes to main"
when = { task = ["code"] }
then = { route = "main" }

[breaker]
consecutive_failures = 2
open_ms = 400
"#;

struct Three {
    or: FakeUpstream,
    oa: FakeUpstream,
    an: FakeUpstream,
    h: Harness,
}

fn three() -> Option<Three> {
    let or = FakeUpstream::start(KEY);
    let oa = FakeUpstream::start(KEY);
    let an = FakeUpstream::start(KEY);
    let h = Harness::new(&[
        ("OPENROUTER_BASE_URL", &or.openrouter_base()),
        ("OPENROUTER_API_KEY", KEY),
        ("OPENAI_BASE_URL", &oa.openai_base()),
        ("OPENAI_API_KEY", KEY),
        ("ANTHROPIC_BASE_URL", &an.anthropic_base()),
        ("ANTHROPIC_API_KEY", KEY),
    ])?;
    Some(Three { or, oa, an, h })
}

fn chats(fake: &FakeUpstream) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.method == "POST")
        .count()
}

async fn send(h: &Harness, route: &str) -> RoutedOutcome {
    let request = ChatRequest::new("", vec![Message::text(Role::User, "Which target answers?")]);
    let req = RouteRequest {
        route: Some(route.to_owned()),
        ..RouteRequest::default()
    };
    h.engine
        .routing()
        .chat(req, request, &CancellationToken::new(), |_| {})
        .await
        .unwrap()
}

fn outcomes(o: &RoutedOutcome) -> Vec<(String, String)> {
    o.attempts
        .iter()
        .map(|a| (a.provider.to_string(), a.outcome.to_string()))
        .collect()
}

fn pair(p: &str, o: &str) -> (String, String) {
    (p.to_owned(), o.to_owned())
}

#[tokio::test]
async fn a_429_with_retry_after_fails_over_and_the_target_rests_for_that_long() {
    let Some(t) = three() else { return };
    t.h.engine.routing().import(ROUTES).await.unwrap();
    t.or.enqueue(Reply::Status {
        status: 429,
        retry_after: Some(30),
        body: None,
    });
    let out = send(&t.h, "main").await;
    assert_eq!(
        outcomes(&out),
        [pair("openrouter", "error"), pair("openai", "ok")]
    );
    assert_eq!(
        out.attempts[0].error.as_ref().unwrap().code,
        ErrorCode::RateLimited
    );
    let answer = out.outcome.unwrap();
    assert_eq!(answer.content, "Echo: Which target answers?");
    assert_eq!(answer.error, None);

    // OpenRouter asked for 30 s: its circuit is open that long, visibly, and the next
    // request does not touch it.
    let health = t.h.engine.routing().health();
    let or = health
        .targets
        .iter()
        .find(|x| x.model == "first/model")
        .unwrap();
    assert_eq!(or.circuit.state, CircuitState::Open);
    let retry_in = or.circuit.retry_in_ms.unwrap();
    assert!((29_000..=30_000).contains(&retry_in), "{retry_in}");
    assert!(
        or.circuit
            .reason
            .as_deref()
            .unwrap()
            .contains("wait 30.0 s")
    );
    let out = send(&t.h, "main").await;
    assert_eq!(outcomes(&out), [pair("openai", "ok")]);
    let excluded = &out.decision.candidates[0];
    assert!(
        matches!(excluded.exclusion, Some(Exclusion::CircuitOpen { .. })),
        "{excluded:?}"
    );
    assert_eq!(chats(&t.or), 1, "the limited target was left alone");
    assert_eq!(chats(&t.oa), 2);
    assert_eq!(chats(&t.an), 0);

    // Every attempt is a ledger row with its route, request and attempt number.
    let rows = t.h.engine.spend().recent_requests(10).await.unwrap();
    assert_eq!(rows.len(), 3);
    let first = rows.iter().find(|r| r.provider_id == "openrouter").unwrap();
    assert_eq!(
        (first.route.as_deref(), first.attempt),
        (Some("main"), Some(1))
    );
    assert_eq!(first.error_code.as_deref(), Some("rate_limited"));
    let served = rows
        .iter()
        .find(|r| r.request_id == first.request_id && r.provider_id == "openai")
        .unwrap();
    assert_eq!(served.attempt, Some(2));
    assert!(served.key_label.as_deref().unwrap().ends_with("0001"));
}

#[tokio::test]
async fn a_short_retry_after_on_the_last_target_is_waited_out() {
    let Some(t) = three() else { return };
    t.h.engine.routing().import(ROUTES).await.unwrap();
    t.or.enqueue(Reply::Status {
        status: 429,
        retry_after: Some(1),
        body: None,
    });
    let started = Instant::now();
    let mut waits = Vec::new();
    let request = ChatRequest::new("", vec![Message::text(Role::User, "again")]);
    let req = RouteRequest {
        route: Some("solo".into()),
        ..RouteRequest::default()
    };
    let out =
        t.h.engine
            .routing()
            .chat(req, request, &CancellationToken::new(), |e| {
                if let RouteEvent::Waiting { ms, .. } = e {
                    waits.push(ms);
                }
            })
            .await
            .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );
    assert_eq!(waits, [1_000], "the wait was shown");
    assert_eq!(
        outcomes(&out),
        [pair("openrouter", "error"), pair("openrouter", "ok")]
    );
}

#[tokio::test]
async fn repeated_server_errors_open_the_circuit_and_a_half_open_trial_closes_it() {
    let Some(t) = three() else { return };
    t.h.engine.routing().import(ROUTES).await.unwrap();
    t.or.enqueue(Reply::status(503));
    t.or.enqueue(Reply::status(502));
    let out = send(&t.h, "solo").await;
    assert_eq!(
        outcomes(&out),
        [pair("openrouter", "error"), pair("openrouter", "error")],
        "one retry of the same target, then nothing left"
    );
    let health = t.h.engine.routing().health();
    let solo = health
        .targets
        .iter()
        .find(|x| x.model == "only/model")
        .unwrap();
    assert_eq!(solo.circuit.state, CircuitState::Open);
    assert!(
        solo.circuit
            .reason
            .as_deref()
            .unwrap()
            .starts_with("2 failures in a row")
    );
    assert_eq!(solo.metrics.requests, 2);
    assert_eq!(solo.metrics.success_rate, Some(0.0));

    // Open: nothing is sent, and the error says why and when it will try again.
    let request = ChatRequest::new("", vec![Message::text(Role::User, "now?")]);
    let req = RouteRequest {
        route: Some("solo".into()),
        ..RouteRequest::default()
    };
    let err =
        t.h.engine
            .routing()
            .chat(
                req.clone(),
                request.clone(),
                &CancellationToken::new(),
                |_| {},
            )
            .await
            .unwrap_err();
    let info = err.info();
    assert!(info.retryable);
    assert!(info.message.contains("circuit open"), "{}", info.message);
    assert_eq!(chats(&t.or), 2);

    // After the open time the next request is the trial; it succeeds and closes the circuit.
    tokio::time::sleep(Duration::from_millis(450)).await;
    let out =
        t.h.engine
            .routing()
            .chat(req, request, &CancellationToken::new(), |_| {})
            .await
            .unwrap();
    assert_eq!(outcomes(&out), [pair("openrouter", "ok")]);
    let health = t.h.engine.routing().health();
    let solo = health
        .targets
        .iter()
        .find(|x| x.model == "only/model")
        .unwrap();
    assert_eq!(solo.circuit.state, CircuitState::Closed);
    assert_eq!(solo.circuit.times_opened, 1);
    assert_eq!(solo.metrics.requests, 3);
}

#[tokio::test]
async fn a_stream_cut_after_the_first_token_keeps_the_partial_answer_and_does_not_fail_over() {
    let Some(t) = three() else { return };
    t.h.engine.routing().import(ROUTES).await.unwrap();
    t.or.enqueue(Reply::fixture("7DnrB604rYW").cut_after(8));
    let out = send(&t.h, "main").await;
    assert_eq!(outcomes(&out), [pair("openrouter", "error")]);
    let answer = out.outcome.unwrap();
    assert!(
        !answer.content.is_empty(),
        "the text before the cut is kept"
    );
    assert_eq!(answer.error.unwrap().code, ErrorCode::Network);
    assert_eq!(
        chats(&t.oa) + chats(&t.an),
        0,
        "no second target was paid for"
    );
    let rows = t.h.engine.spend().recent_requests(10).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].outcome, Outcome::Error);
}

#[tokio::test]
async fn a_bad_request_is_not_retried_anywhere() {
    let Some(t) = three() else { return };
    t.h.engine.routing().import(ROUTES).await.unwrap();
    t.or.enqueue(Reply::status(400));
    let out = send(&t.h, "main").await;
    assert_eq!(outcomes(&out), [pair("openrouter", "error")]);
    assert_eq!(chats(&t.oa) + chats(&t.an), 0);
    let health = t.h.engine.routing().health();
    let or = health
        .targets
        .iter()
        .find(|x| x.model == "first/model")
        .unwrap();
    assert_eq!(or.circuit.state, CircuitState::Closed);
    assert_eq!(
        or.circuit.consecutive_failures, 0,
        "the request was at fault, not the target"
    );
    assert_eq!(or.metrics.requests, 1);
}

#[tokio::test]
async fn the_configuration_survives_a_restart_and_a_bad_import_names_its_line() {
    let Some(t) = three() else { return };
    t.h.engine.routing().import(ROUTES).await.unwrap();
    let exported = t.h.engine.routing().export().unwrap();
    let broken = ROUTES.replace("then = { route = \"main\" }", "then = { route = \"mian\" }");
    let err = t.h.engine.routing().import(&broken).await.unwrap_err();
    assert_eq!(
        err.info().message,
        "line 22: rule \"code goes to main\" uses route \"mian\", which does not exist"
    );

    let engine = switchboard_engine::Engine::open(switchboard_engine::EngineConfig {
        data_dir: switchboard_engine::DataDir::at(t.h.dir.path()),
        keychain_service: t.h.service.clone(),
        environment: switchboard_engine::Environment::from_pairs(Vec::<(&str, &str)>::new()),
    })
    .unwrap();
    assert_eq!(
        engine.routing().export().unwrap(),
        exported,
        "stored, unchanged by the bad import"
    );
    let d = engine
        .routing()
        .explain(RouteRequest {
            task: Some("code".into()),
            ..RouteRequest::default()
        })
        .await
        .unwrap();
    assert_eq!(d.rule.as_deref(), Some("code goes to main"));
    assert_eq!(d.order.len(), 3);
}

#[tokio::test]
async fn health_checks_use_free_endpoints_and_let_a_recovered_target_try_again() {
    let Some(t) = three() else { return };
    let slow = ROUTES
        .replace("open_ms = 400", "open_ms = 600000")
        .replace("[breaker]", "[health]\nprobe_every_s = 1\n\n[breaker]");
    t.h.engine.routing().import(&slow).await.unwrap();
    t.or.enqueue(Reply::status(503));
    t.or.enqueue(Reply::status(503));
    let out = send(&t.h, "solo").await;
    assert_eq!(out.attempts.len(), 2);
    let state = |h: &Harness| {
        let health = h.engine.routing().health();
        let solo = health
            .targets
            .iter()
            .find(|x| x.model == "only/model")
            .unwrap()
            .clone();
        solo.circuit
    };
    assert_eq!(state(&t.h).state, CircuitState::Open);
    assert!(
        state(&t.h).retry_in_ms.unwrap() > 590_000,
        "open for ten minutes"
    );

    let before = t.or.requests().len();
    assert_eq!(t.h.engine.routing().check_open_circuits().await, 1);
    let probes = &t.or.requests()[before..];
    assert_eq!(probes.len(), 1);
    assert_eq!(
        probes[0].method, "GET",
        "a free call, never a billed completion"
    );
    assert!(probes[0].path.ends_with("/key"), "{}", probes[0].path);
    assert_eq!(
        state(&t.h).retry_in_ms,
        Some(0),
        "the next request may be the trial"
    );
    assert_eq!(
        t.h.engine.routing().check_open_circuits().await,
        0,
        "nothing else is due"
    );

    let out = send(&t.h, "solo").await;
    assert_eq!(outcomes(&out), [pair("openrouter", "ok")]);
    assert_eq!(state(&t.h).state, CircuitState::Closed);
}

/// A chat column set to a route fails over like any routed request, and its answer says who
/// served it; a column that named its model is sent even while that model's circuit is open.
#[tokio::test]
async fn chat_columns_go_through_their_route_and_a_named_model_is_never_refused() {
    use switchboard_engine::core::{BuiltinProvider, ChatEvent, ColumnSpec, ModelParams};
    let Some(t) = three() else { return };
    t.h.engine.routing().import(ROUTES).await.unwrap();
    let routed = ColumnSpec {
        provider: BuiltinProvider::OpenRouter.id(),
        model: "first/model".into(),
        params: ModelParams {
            route: Some("main".into()),
            ..ModelParams::default()
        },
    };
    let id =
        t.h.engine
            .conversations()
            .create(vec![routed])
            .await
            .unwrap()
            .id;
    t.or.enqueue(Reply::Status {
        status: 429,
        retry_after: Some(30),
        body: None,
    });
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    t.h.engine
        .conversations()
        .send(id.clone(), "hi".into(), Vec::new(), tx)
        .await
        .unwrap();
    let stats = loop {
        match tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .unwrap()
            .unwrap()
        {
            ChatEvent::Finished { stats, .. } => break stats,
            ChatEvent::Failed { error, .. } => panic!("{error:?}"),
            _ => {}
        }
    };
    assert_eq!(
        stats.model.as_deref(),
        Some("gpt-4o-mini"),
        "OpenAI served after the 429"
    );
    let view = t.h.engine.conversations().open(id).await.unwrap();
    assert_eq!(view.turns[0].answers[0].content, "Echo: hi");

    // The OpenRouter target's circuit is open, but a column that asked for that very model
    // is the user's explicit choice: it is sent, not refused.
    let direct = ColumnSpec {
        provider: BuiltinProvider::OpenRouter.id(),
        model: "first/model".into(),
        params: ModelParams::default(),
    };
    let id =
        t.h.engine
            .conversations()
            .create(vec![direct])
            .await
            .unwrap()
            .id;
    let (tx, mut rx) = tokio::sync::mpsc::channel(64);
    t.h.engine
        .conversations()
        .send(id, "direct".into(), Vec::new(), tx)
        .await
        .unwrap();
    loop {
        match tokio::time::timeout(Duration::from_secs(10), rx.recv())
            .await
            .unwrap()
            .unwrap()
        {
            ChatEvent::Finished { stats, .. } => {
                assert_eq!(stats.model.as_deref(), Some("first/model"));
                break;
            }
            ChatEvent::Failed { error, .. } => panic!("{error:?}"),
            _ => {}
        }
    }
    assert_eq!(chats(&t.or), 2);
}

/// Several keys per provider: a refused key (401) is set aside with the provider's reason and
/// the request goes on with the next key; valid keys take turns; the ledger names each by
/// label, never by value.
#[tokio::test]
async fn refused_keys_are_set_aside_and_the_others_take_turns() {
    use switchboard_engine::core::BuiltinProvider;
    const GOOD: &str = "sk-or-v1-routing-team-000000000000good";
    let fake = FakeUpstream::start(GOOD);
    let Some(h) = Harness::new(&[("OPENROUTER_BASE_URL", &fake.openrouter_base())]) else {
        return;
    };
    let or = BuiltinProvider::OpenRouter.id();
    h.engine.routing().import(ROUTES).await.unwrap();
    h.engine
        .keys()
        .set(or.clone(), "sk-or-v1-routing-main-00000000000bad1".into())
        .await
        .unwrap();
    h.engine
        .keys()
        .add_extra(or.clone(), "team".into(), GOOD.into())
        .await
        .unwrap();
    h.engine
        .keys()
        .add_extra(
            or.clone(),
            "spare".into(),
            "sk-or-v1-routing-spare-0000000000bad2".into(),
        )
        .await
        .unwrap();
    let dup = h
        .engine
        .keys()
        .add_extra(or.clone(), "team".into(), GOOD.into())
        .await;
    assert!(dup.unwrap_err().to_string().contains("already exists"));

    let out = send(&h, "solo").await;
    assert_eq!(
        outcomes(&out),
        [
            pair("openrouter", "error"),
            pair("openrouter", "error"),
            pair("openrouter", "ok")
        ]
    );
    assert!(
        out.attempts
            .iter()
            .take(2)
            .all(|a| a.error.as_ref().unwrap().code == ErrorCode::Auth)
    );
    let overview = h.engine.keys().overview().await.unwrap();
    let view = overview.providers.iter().find(|p| p.id == or).unwrap();
    assert!(
        view.key.disabled.as_deref().unwrap().contains("401"),
        "{:?}",
        view.key
    );
    let extra: Vec<(&str, bool)> = view
        .extra_keys
        .iter()
        .map(|k| (k.label.as_str(), k.disabled.is_some()))
        .collect();
    assert_eq!(extra, [("team", false), ("spare", true)]);
    assert_eq!(view.extra_keys[0].masked.as_deref(), Some("••••good"));
    let health = h.engine.routing().health();
    let solo = health
        .targets
        .iter()
        .find(|x| x.model == "only/model")
        .unwrap();
    assert_eq!(
        solo.circuit.state,
        CircuitState::Closed,
        "the key was at fault, not the target"
    );

    // Only the team key is left: it serves without another refusal.
    let out = send(&h, "solo").await;
    assert_eq!(outcomes(&out), [pair("openrouter", "ok")]);
    let rows = h.engine.spend().recent_requests(10).await.unwrap();
    assert!(
        rows[0]
            .key_label
            .as_deref()
            .unwrap()
            .starts_with("keychain team ••••")
    );
    assert!(h.files_containing(GOOD).is_empty(), "no key value on disk");

    // Re-enabled keys take turns again (this fake takes any key).
    drop(fake);
    let any = FakeUpstream::builder().start().unwrap();
    let Some(h2) = Harness::new(&[("OPENROUTER_BASE_URL", &any.openrouter_base())]) else {
        return;
    };
    h2.engine.routing().import(ROUTES).await.unwrap();
    h2.engine
        .keys()
        .set(or.clone(), "sk-or-v1-routing-main-0000000000aaaa".into())
        .await
        .unwrap();
    h2.engine
        .keys()
        .add_extra(or.clone(), "team".into(), GOOD.into())
        .await
        .unwrap();
    h2.engine
        .keys()
        .add_extra(
            or.clone(),
            "spare".into(),
            "sk-or-v1-x-0000000000000000cccc".into(),
        )
        .await
        .unwrap();
    h2.engine
        .keys()
        .remove_extra(or.clone(), "spare".into())
        .await
        .unwrap();
    for _ in 0..4 {
        send(&h2, "solo").await;
    }
    let labels: Vec<String> = h2
        .engine
        .spend()
        .recent_requests(10)
        .await
        .unwrap()
        .iter()
        .rev()
        .map(|r| r.key_label.clone().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "keychain ••••aaaa",
            "keychain team ••••good",
            "keychain ••••aaaa",
            "keychain team ••••good"
        ]
    );
    assert!(
        h2.keychain_value("openrouter#spare").is_none(),
        "removed from the keychain"
    );
    assert_eq!(h2.keychain_value("openrouter#team").as_deref(), Some(GOOD));
    // The harness cleans the main keys; further keys are this test's to remove.
    for (engine, label) in [
        (&h.engine, "team"),
        (&h.engine, "spare"),
        (&h2.engine, "team"),
    ] {
        engine
            .keys()
            .remove_extra(or.clone(), label.into())
            .await
            .unwrap();
    }
}
