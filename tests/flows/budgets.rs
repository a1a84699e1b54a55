//! Budgets through the engine against the loopback fake: many parallel requests near a hard
//! limit never spend past it (each reserves its worst case first), alerts fire once per
//! threshold, the refusal names the budget, and spend reports sum exactly.

use std::sync::Arc;

use switchboard_engine::CancellationToken;
use switchboard_engine::core::{
    Budget, BudgetPeriod, BudgetScope, BuiltinProvider, ChatRequest, ErrorCode, Message, Role,
    SpendGrouping, Usd,
};
use switchboard_engine::router::RouteRequest;
use switchboard_tests::{FakeUpstream, Reply};

use crate::keys::Harness;

const KEY: &str = "sk-flows-budgets-key-000000000001";
const MODEL: &str = "openai/gpt-3.5-turbo"; // $0.5/M in, $1.5/M out in the recorded catalogue
/// What each answer costs: 8 prompt and 180 output tokens at the catalogue's prices, under
/// the $0.0003015 each request reserves (3 estimated prompt tokens + 200 output tokens).
const COST: &str = "0.000274";

/// A stream whose usage says it cost `COST`.
fn answer(n: usize) -> Reply {
    Reply::costed_sse(&format!("gen-budget-{n}"), MODEL)
}

fn request() -> ChatRequest {
    let mut r = ChatRequest::new(MODEL, vec![Message::text(Role::User, "Hello there")]);
    r.max_tokens = Some(200); // worst case: 3 prompt tokens + 200 output = $0.0003015
    r
}

#[tokio::test]
async fn parallel_requests_near_a_hard_limit_never_spend_past_it() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    h.engine.models().catalogue(true).await.unwrap(); // prices for the worst-case reservation
    let limit = Usd::parse("0.005").unwrap();
    let budget = h
        .engine
        .spend()
        .save_budget(Budget {
            id: String::new(),
            name: "Daily OpenRouter".into(),
            scope: BudgetScope::Provider,
            scope_value: Some("openrouter".into()),
            scope_label: None,
            period: BudgetPeriod::Day,
            limit,
            alerts: vec![80, 50, 50],
            hard: true,
        })
        .await
        .unwrap();
    assert_eq!(budget.alerts, [50, 80], "sorted, deduplicated");
    let mut alerts = h.engine.spend().budget_alerts();
    for n in 0..40 {
        fake.enqueue(answer(n));
    }
    let engine = Arc::new(h.engine.clone());
    let tasks: Vec<_> = (0..30)
        .map(|_| {
            let engine = Arc::clone(&engine);
            tokio::spawn(async move {
                let route = RouteRequest {
                    provider: Some(BuiltinProvider::OpenRouter.id()),
                    model: Some(MODEL.into()),
                    ..RouteRequest::default()
                };
                engine
                    .routing()
                    .chat(route, request(), &CancellationToken::new(), |_| {})
                    .await
            })
        })
        .collect();
    let mut served = 0;
    let mut refused = Vec::new();
    for t in tasks {
        match t.await.unwrap() {
            Ok(out) => {
                assert_eq!(out.outcome.unwrap().error, None);
                served += 1;
            }
            Err(e) => refused.push(e.info()),
        }
    }
    let (total, unknown) = h.engine.spend().ledger_total().await.unwrap();
    assert_eq!(unknown, 0);
    assert!(total <= limit, "spent {total}, limit {limit}");
    assert_eq!(
        total,
        Usd::parse(COST).unwrap().times(served),
        "the ledger is what was served"
    );
    // Thirty at once: only as many as their worst cases fit start (16 × $0.0003015 ≤ $0.005);
    // a few more fit as the first ones settle below their reservation.
    assert!(
        (16..=18).contains(&served),
        "served {served}; refused: {refused:?}"
    );
    assert!(
        refused
            .iter()
            .all(|e| e.code == ErrorCode::BudgetExceeded && !e.retryable)
    );
    let message = &refused[0].message;
    assert!(
        message.contains("Budget \"Daily OpenRouter\" ($0.005 a day for provider openrouter)"),
        "{message}"
    );
    assert!(message.contains("Spend → Budgets"), "{message}");

    let mut fired = Vec::new();
    while let Ok(a) = alerts.try_recv() {
        fired.push(a.threshold);
    }
    fired.sort_unstable();
    assert!(fired.contains(&80), "{fired:?}");
    assert_eq!(
        fired.iter().filter(|t| **t == 80).count(),
        1,
        "each threshold fires once"
    );

    let status = h.engine.spend().budgets().await.unwrap();
    assert_eq!(status[0].spent, total);
    assert_eq!(
        status[0].reserved,
        Usd::ZERO,
        "nothing held once every request ended"
    );
    assert!(!status[0].exhausted);

    let report = h
        .engine
        .spend()
        .report(SpendGrouping::Model, None, None)
        .await
        .unwrap();
    assert_eq!(report.total, total);
    assert_eq!(report.rows[0].key, MODEL);
    assert_eq!(report.rows[0].requests, served);

    // How many the burst served depends on how fast the first ones settled; one at a time,
    // what it left is used up and then the budget refuses, wherever the burst stopped.
    let route = || RouteRequest {
        provider: Some(BuiltinProvider::OpenRouter.id()),
        model: Some(MODEL.into()),
        ..RouteRequest::default()
    };
    let mut topped_up = 0;
    let refusal = loop {
        match h
            .engine
            .routing()
            .chat(route(), request(), &CancellationToken::new(), |_| {})
            .await
        {
            Ok(_) => topped_up += 1,
            Err(e) => break e.info(),
        }
        assert!(topped_up <= 3, "the budget keeps letting requests through");
    };
    assert_eq!(refusal.code, ErrorCode::BudgetExceeded);
    let (total, _) = h.engine.spend().ledger_total().await.unwrap();
    assert!(total <= limit, "spent {total}, limit {limit}");
    assert_eq!(
        served + topped_up,
        18,
        "18 × $0.000274 fit in $0.005 one at a time"
    );

    // Explain shows the budget as the reason the target is excluded.
    let d = h
        .engine
        .routing()
        .explain(RouteRequest {
            provider: Some(BuiltinProvider::OpenRouter.id()),
            model: Some(MODEL.into()),
            max_output_tokens: Some(200),
            prompt_tokens: 3,
            ..RouteRequest::default()
        })
        .await
        .unwrap();
    assert!(
        d.candidates[0]
            .why
            .text()
            .starts_with("over budget: Budget \"Daily OpenRouter\""),
        "{}",
        d.candidates[0].why
    );

    // A soft budget only alerts.
    let mut soft = budget.clone();
    soft.hard = false;
    h.engine.spend().save_budget(soft).await.unwrap();
    let out = h
        .engine
        .routing()
        .chat(route(), request(), &CancellationToken::new(), |_| {})
        .await
        .unwrap();
    assert_eq!(out.outcome.unwrap().error, None);
    h.engine.spend().delete_budget(budget.id).await.unwrap();
    assert!(h.engine.spend().budgets().await.unwrap().is_empty());
}

#[tokio::test]
async fn a_cut_answer_is_reconciled_with_the_exact_cost_later_and_reports_follow() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    h.engine.models().catalogue(true).await.unwrap();
    // Cut before the usage chunk: no cost arrives, but the generation id did.
    fake.enqueue(Reply::fixture("7buJmKWfmK3").cut_after(8));
    let out = crate::chat::send_once(
        &h.engine,
        BuiltinProvider::OpenRouter.id(),
        request(),
        |_| {},
    )
    .await
    .unwrap();
    assert!(out.error.is_some());
    assert_ne!(out.cost_source, switchboard_engine::CostSource::Provider);
    let before = h.engine.spend().recent_requests(1).await.unwrap();
    assert!(
        before[0].generation_id.is_some(),
        "{before:?} {:?}",
        fake.generation_ids()
    );
    assert_eq!(h.engine.spend().reconcile_costs(10).await.unwrap(), 1);
    let rows = h.engine.spend().recent_requests(1).await.unwrap();
    assert_eq!(
        rows[0].cost,
        Some(Usd::parse("0.0013545").unwrap()),
        "OpenRouter's figure"
    );
    assert_eq!(
        rows[0].cost_source,
        switchboard_engine::CostSource::Provider
    );
    assert_eq!(
        h.engine.spend().reconcile_costs(10).await.unwrap(),
        0,
        "once"
    );
    let report = h
        .engine
        .spend()
        .report(SpendGrouping::Day, None, None)
        .await
        .unwrap();
    assert_eq!(report.total.to_string(), "0.0013545");
}

fn routed() -> RouteRequest {
    RouteRequest {
        provider: Some(BuiltinProvider::OpenRouter.id()),
        model: Some(MODEL.into()),
        ..RouteRequest::default()
    }
}

fn hard_cap(limit: &str) -> Budget {
    Budget {
        id: String::new(),
        name: "Cap".into(),
        scope: BudgetScope::Global,
        scope_value: None,
        scope_label: None,
        period: BudgetPeriod::Day,
        limit: Usd::parse(limit).unwrap(),
        alerts: vec![],
        hard: true,
    }
}

/// Reservations used to live in each engine's memory, so two processes on one data directory
/// (the app and the CLI, or 32 CLIs) each let their own share through: $0.16 was spent on a
/// $0.05 cap. They are pending rows in the shared database now.
#[tokio::test]
async fn two_engines_on_one_data_dir_never_spend_past_a_hard_limit_together() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    let base = fake.openrouter_base();
    let other = h.second_engine(&[("OPENROUTER_BASE_URL", &base), ("OPENROUTER_API_KEY", KEY)]);
    h.engine.models().catalogue(true).await.unwrap();
    let limit = Usd::parse("0.002").unwrap(); // six worst cases of $0.0003015 fit
    h.engine
        .spend()
        .save_budget(hard_cap("0.002"))
        .await
        .unwrap();
    // Slow answers: every request reserves before the first one settles. A settled answer
    // frees most of its worst case (rightly), so a request reserving after that may go too:
    // the head start is long enough for 24 reservations on a loaded two-core machine (400 ms
    // was not: once in a while a seventh went through).
    for n in 0..24 {
        fake.enqueue(answer(n).slow_first_byte(std::time::Duration::from_millis(3000)));
    }
    let engines = [Arc::new(h.engine.clone()), Arc::new(other)];
    let tasks: Vec<_> = (0..24)
        .map(|i| {
            let engine = Arc::clone(&engines[i % 2]);
            tokio::spawn(async move {
                engine
                    .routing()
                    .chat(routed(), request(), &CancellationToken::new(), |_| {})
                    .await
                    .is_ok()
            })
        })
        .collect();
    let mut served = 0;
    for t in tasks {
        served += u64::from(t.await.unwrap());
    }
    let (total, unknown) = h.engine.spend().ledger_total().await.unwrap();
    assert_eq!(unknown, 0);
    assert!(
        total <= limit,
        "two engines together spent {total} on a {limit} cap ({served} served)"
    );
    assert_eq!(total, Usd::parse(COST).unwrap().times(served));
    assert_eq!(served, 6, "exactly the six worst cases that fit were sent");
    let status = engines[1].spend().budgets().await.unwrap();
    assert_eq!(
        status[0].spent, total,
        "the other engine sees the same spend"
    );
    assert_eq!(status[0].reserved, Usd::ZERO, "and nothing left held");
}

/// With no prices cached the worst case used to be unknown, and nothing was reserved.
#[tokio::test]
async fn an_unknown_price_under_a_hard_budget_is_fetched_first_and_an_unpriced_model_never_sent() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    h.engine
        .spend()
        .save_budget(hard_cap("0.0004"))
        .await
        .unwrap(); // one worst case fits
    fake.enqueue(answer(1));
    let out = h
        .engine
        .routing()
        .chat(routed(), request(), &CancellationToken::new(), |_| {})
        .await
        .unwrap();
    assert_eq!(out.outcome.unwrap().error, None);
    assert!(
        fake.requests()
            .iter()
            .any(|r| r.method == "GET" && r.path.ends_with("/models")),
        "the prices were fetched for the reservation"
    );
    let second = h
        .engine
        .routing()
        .chat(routed(), request(), &CancellationToken::new(), |_| {})
        .await
        .expect_err("$0.000274 spent + $0.0003015 at most is over $0.0004");
    assert_eq!(second.info().code, ErrorCode::BudgetExceeded);

    // A model with no price anywhere: refused before sending, saying why and what to do.
    let sent_before = fake.requests().len();
    let mut unpriced = request();
    unpriced.model = "nobody/unpriced-model".into();
    let route = RouteRequest {
        model: Some("nobody/unpriced-model".into()),
        ..routed()
    };
    let refused = h
        .engine
        .routing()
        .chat(route, unpriced, &CancellationToken::new(), |_| {})
        .await
        .expect_err("no worst case, no reservation, not sent");
    let info = refused.info();
    assert_eq!(info.code, ErrorCode::BudgetExceeded);
    assert!(
        info.message
            .contains("price of nobody/unpriced-model on OpenRouter is not known"),
        "{}",
        info.message
    );
    assert!(
        fake.requests()[sent_before..]
            .iter()
            .all(|r| r.method != "POST"),
        "nothing was sent for it"
    );
}

/// The refusal's figures add up: exact amounts, the sum shown, not "$0.01 spent" for $0.0147.
#[tokio::test]
async fn a_budget_refusal_shows_figures_that_visibly_cross_the_limit() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    h.engine.models().catalogue(true).await.unwrap();
    h.engine
        .spend()
        .save_budget(hard_cap("0.0005"))
        .await
        .unwrap();
    fake.enqueue(answer(1));
    h.engine
        .routing()
        .chat(routed(), request(), &CancellationToken::new(), |_| {})
        .await
        .unwrap();
    let refused = h
        .engine
        .routing()
        .chat(routed(), request(), &CancellationToken::new(), |_| {})
        .await
        .expect_err("over");
    let message = refused.info().message;
    assert!(
        message.contains(
            "$0.000274 spent + up to $0.0003015 for this request = $0.0005755, over the $0.0005 limit"
        ),
        "{message}"
    );
}
