//! Chat requests through the engine: every request lands in the ledger with the right cost
//! and cost source, and the catalogue keeps working offline.

use switchboard_engine::core::{
    BuiltinProvider, ChatRequest, Delta, Message, ProviderId, Role, Usd,
};
use switchboard_engine::router::{Failover, Route, RouteRequest, Strategy, Target};
use switchboard_engine::{
    CancellationToken, ChatOutcome, CostSource, Engine, EngineError, Outcome, RouteEvent,
};
use switchboard_tests::fake_upstream::{ai_sdk_fixture_ids, load_ai_sdk_sse};
use switchboard_tests::{FakeUpstream, Reply};

use crate::keys::Harness;

const KEY: &str = "sk-flows-chat-key-000000000001";

/// A one-line question to `model`.
pub(crate) fn ask(model: &str) -> ChatRequest {
    ChatRequest::new(model, vec![Message::text(Role::User, "Say something.")])
}

/// [`send_once`] of [`ask`] to OpenRouter's `model`, deltas ignored; panics only when nothing
/// could be sent (a test's set-up fault).
pub(crate) async fn ask_openrouter(engine: &Engine, model: &str) -> ChatOutcome {
    send_once(engine, BuiltinProvider::OpenRouter.id(), ask(model), |_| {})
        .await
        .expect("the request was sent")
}

/// The route [`send_once`] sends through.
const ONCE: &str = "flows-once";

/// Sends `request` to `provider`'s model on the routed path every front uses, through a route
/// with that one target, no retry and no fallback, so exactly one upstream request is made and
/// its error (if any) comes back as the provider's, not as failover's summary. Deltas reach
/// `on_delta` as they arrive. `Err` only when nothing was sent.
pub(crate) async fn send_once(
    engine: &Engine,
    provider: ProviderId,
    request: ChatRequest,
    mut on_delta: impl FnMut(&Delta) + Send,
) -> Result<ChatOutcome, EngineError> {
    let routing = engine.routing();
    let mut config = routing.config();
    config.routes.retain(|r| r.name != ONCE);
    config.routes.push(Route {
        name: ONCE.to_owned(),
        strategy: Strategy::Priority,
        openrouter_sort: None,
        cost_weight: None,
        targets: vec![Target {
            provider,
            model: request.model.clone(),
            weight: 1,
            max_concurrency: None,
            openrouter: None,
        }],
        failover: Failover {
            max_attempts: 1,
            retries_per_target: 0,
            ..Failover::default()
        },
    });
    routing.set_config(config).await?;
    let route = RouteRequest {
        route: Some(ONCE.to_owned()),
        ..RouteRequest::default()
    };
    let mut routed = routing
        .chat(route, request, &CancellationToken::new(), |event| {
            if let RouteEvent::Delta(delta) = event {
                on_delta(&delta);
            }
        })
        .await?;
    routed.take_outcome()
}

/// The `usage.cost` of every recorded stream, as written in the recording.
fn recorded_costs() -> Vec<(String, Usd)> {
    let mut costs = Vec::new();
    for id in ai_sdk_fixture_ids() {
        let Ok(replay) = load_ai_sdk_sse(&id) else {
            continue;
        };
        let text = String::from_utf8(replay.chunk_bytes().concat()).unwrap();
        let cost = text
            .split("\n\n")
            .filter_map(|e| e.strip_prefix("data: "))
            .filter_map(|d| serde_json::from_str::<serde_json::Value>(d).ok())
            .filter_map(|v| v["usage"]["cost"].as_f64())
            .last();
        if let Some(cost) = cost {
            costs.push((id, Usd::from_json_f64(cost).unwrap()));
        }
    }
    costs
}

#[tokio::test]
async fn ledger_totals_equal_the_sum_of_the_costs_the_upstream_served() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    let costs = recorded_costs();
    assert!(costs.len() >= 10, "most recorded streams carry a cost");
    let mut expected = Usd::ZERO;
    for (id, cost) in &costs {
        fake.enqueue(Reply::fixture(id.clone()));
        let out = ask_openrouter(&h.engine, "anthropic/claude-3.7-sonnet").await;
        assert_eq!(out.error, None, "{id}");
        assert_eq!(out.cost, Some(*cost), "{id}: the recorded cost, exactly");
        assert_eq!(out.cost_source, CostSource::Provider, "{id}");
        expected += *cost;
    }
    let (total, unknown) = h.engine.spend().ledger_total().await.unwrap();
    assert_eq!(total, expected, "the ledger sums exactly what was served");
    assert_eq!(unknown, 0);

    let rows = h.engine.spend().recent_requests(100).await.unwrap();
    assert_eq!(rows.len(), costs.len(), "one ledger row per request");
    let row = &rows[0];
    assert_eq!(row.outcome, Outcome::Ok);
    assert_eq!(
        row.key_label.as_deref(),
        Some("env OPENROUTER_API_KEY ••••0001")
    );
    assert!(
        row.generation_id
            .as_deref()
            .is_some_and(|g| g.starts_with("gen-"))
    );
    assert!(
        row.served_by.is_some(),
        "the upstream provider that served is recorded"
    );
    assert!(row.latency_ms.is_some() && row.ttft_ms.is_some());
}

#[tokio::test]
async fn direct_providers_are_estimated_from_the_price_table_and_custom_ones_are_unknown() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::new(&[
        ("OPENAI_BASE_URL", &fake.openai_base()),
        ("OPENAI_API_KEY", KEY),
        ("ANTHROPIC_BASE_URL", &fake.anthropic_base()),
        ("ANTHROPIC_API_KEY", KEY),
    ]) else {
        return;
    };
    for (provider, model) in [
        (BuiltinProvider::OpenAi, "gpt-4o"),
        (BuiltinProvider::Anthropic, "claude-3-7-sonnet-20250219"),
    ] {
        let mut streamed = String::new();
        let out = send_once(&h.engine, provider.id(), ask(model), |d| {
            if let Delta::Text { text } = d {
                streamed.push_str(text);
            }
        })
        .await
        .unwrap();
        assert_eq!(out.error, None, "{model}");
        assert_eq!(
            streamed, out.content,
            "{model}: deltas reach the caller as they arrive"
        );
        assert!(
            out.content.contains("Say something."),
            "{model}: the echo came back"
        );
        assert!(out.usage.prompt_tokens > 0, "{model}: usage reported");
        assert_eq!(
            out.cost_source,
            CostSource::Estimate,
            "{model}: no usage.cost there"
        );
        let price = switchboard_engine::openrouter_api::estimate_cost(
            &switchboard_providers_price(provider, model),
            &out.usage,
        );
        assert_eq!(out.cost, price, "{model}: tokens × the bundled price");
    }

    let overview = h
        .engine
        .keys()
        .add_custom_provider(switchboard_engine::NewCustomProvider {
            name: "Local".into(),
            base_url: fake.custom_base(),
            api_key: None,
        })
        .await
        .unwrap();
    let local = overview.providers.last().unwrap().id.clone();
    assert_eq!(
        h.engine.routing().resolve_provider("local").await.unwrap(),
        local
    );
    let out = send_once(&h.engine, local, ask("llama3.2"), |_| {})
        .await
        .unwrap();
    assert_eq!(out.error, None);
    assert_eq!(
        (out.cost, out.cost_source),
        (None, CostSource::Unknown),
        "no price is known for a local server: unknown, never zero"
    );
    let (_, unknown) = h.engine.spend().ledger_total().await.unwrap();
    assert_eq!(unknown, 1);
}

fn switchboard_providers_price(
    provider: BuiltinProvider,
    model: &str,
) -> switchboard_engine::openrouter_api::Pricing {
    switchboard_engine::price_table::direct_price(provider, model)
        .unwrap_or_else(|| panic!("{model} is in the bundled table"))
        .pricing
}

#[tokio::test]
async fn failures_are_recorded_and_keep_what_arrived() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    // The cut first: a 402 opens the target's circuit, and the router would then send
    // nothing more to it.
    fake.enqueue(Reply::fixture("7DnrB604rYW").cut_after(8));
    let out = ask_openrouter(&h.engine, "x/y").await;
    assert!(!out.content.is_empty(), "the text before the cut is kept");
    assert_eq!(
        serde_json::to_value(out.error.unwrap().code).unwrap(),
        "network"
    );

    fake.enqueue(Reply::status(402));
    let out = ask_openrouter(&h.engine, "x/y").await;
    let err = out.error.expect("402 is an error");
    assert_eq!(serde_json::to_value(err.code).unwrap(), "no_credits");
    assert!(!err.retryable);

    let rows = h.engine.spend().recent_requests(10).await.unwrap();
    assert_eq!(rows.len(), 2, "failed requests are in the ledger too");
    assert!(rows.iter().all(|r| r.outcome == Outcome::Error));
    assert!(
        rows.iter()
            .any(|r| r.error_code.as_deref() == Some("no_credits"))
    );
}

#[tokio::test]
async fn the_catalogue_is_cached_and_served_offline() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    let fresh = h.engine.models().catalogue(true).await.unwrap();
    assert!(!fresh.from_cache);
    assert_eq!(fresh.models.len(), 320, "the recorded 2025 catalogue");
    drop(fake); // offline from here on

    let cached = h.engine.models().catalogue(false).await.unwrap();
    assert!(cached.from_cache);
    assert_eq!(
        cached.models, fresh.models,
        "the cache holds exactly what was fetched"
    );
    let offline = h.engine.models().catalogue(true).await.unwrap();
    assert!(
        offline.from_cache,
        "a failed refresh falls back to the cache"
    );
    assert!(
        offline
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("cached")),
        "and says so: {:?}",
        offline.notice
    );
}
