//! The Models screen through the engine: the catalogue with exact per-million prices (variable
//! ones kept apart, free ones exactly zero), the direct providers' bundled models when a key is
//! set, and a model's endpoints, which degrade to a notice offline instead of failing.

use switchboard_engine::core::{BrowserModel, BuiltinProvider, ErrorCode, ProviderId, Usd};
use switchboard_tests::FakeUpstream;

use crate::keys::Harness;

const KEY: &str = "sk-flows-models-key-00000000001";

fn usd(text: &str) -> Option<Usd> {
    Some(Usd::parse(text).unwrap())
}

fn find<'a>(models: &'a [BrowserModel], provider: BuiltinProvider, id: &str) -> &'a BrowserModel {
    models
        .iter()
        .find(|m| m.provider == provider.id() && m.id == id)
        .unwrap_or_else(|| panic!("{id} at {provider:?} is listed"))
}

#[tokio::test]
async fn the_catalogue_lists_exact_prices_and_keeps_variable_ones_apart() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    let catalogue = h.engine.models().browse(true).await.unwrap();
    assert_eq!(catalogue.notice, None, "a fresh catalogue needs no notice");
    assert!(!catalogue.from_cache && catalogue.fetched_ms.is_some());
    assert_eq!(
        catalogue.models.len(),
        320,
        "the recorded 2025 catalogue and no direct models without their keys"
    );
    let models = &catalogue.models;

    // 2025 style: every key written, "0" when unused.
    let mini = find(models, BuiltinProvider::OpenRouter, "openai/gpt-4o-mini");
    assert_eq!(mini.prices.prompt_per_million, usd("0.15"), "input per M");
    assert_eq!(
        mini.prices.completion_per_million,
        usd("0.6"),
        "output per M"
    );
    assert_eq!(
        mini.prices.cache_read_per_million,
        usd("0.075"),
        "cache read per M"
    );
    assert_eq!(
        mini.prices.cache_write_per_million, None,
        "not in the entry"
    );
    assert_eq!(mini.prices.per_request, None, "\"0\" is no request charge");
    assert_eq!(
        mini.prices.per_image,
        usd("0.000217"),
        "per image, not per M"
    );
    assert_eq!(
        (mini.context_length, mini.max_output),
        (Some(128_000), Some(16_384))
    );
    assert!(!mini.prices.free && !mini.prices.variable);

    let auto = find(models, BuiltinProvider::OpenRouter, "openrouter/auto");
    assert!(auto.prices.variable, "\"-1\" is variable");
    assert!(!auto.prices.free, "variable is never free");
    assert_eq!(
        (
            auto.prices.prompt_per_million,
            auto.prices.completion_per_million
        ),
        (None, None),
        "a variable price is absent, never -1 or 0"
    );

    let free = find(
        models,
        BuiltinProvider::OpenRouter,
        "microsoft/phi-4-reasoning-plus:free",
    );
    assert!(free.prices.free && !free.prices.variable);
    assert_eq!(
        free.prices.prompt_per_million,
        usd("0"),
        "free is a real zero"
    );

    drop(fake); // offline: the cache serves, and says so
    let offline = h.engine.models().browse(true).await.unwrap();
    assert_eq!(offline.models, catalogue.models, "the cached catalogue");
    assert!(offline.from_cache);
    assert!(
        offline
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("cached")),
        "the notice says the list may be stale: {:?}",
        offline.notice
    );
}

#[tokio::test]
async fn direct_models_join_when_their_key_is_set_even_without_openrouter() {
    let Some(h) = Harness::new(&[
        ("OPENROUTER_BASE_URL", "http://127.0.0.1:9/api/v1"),
        ("OPENAI_API_KEY", "sk-flows-models-openai-000000001"),
    ]) else {
        return;
    };
    let catalogue = h.engine.models().browse(false).await.unwrap();
    assert!(
        catalogue
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("OpenRouter")),
        "no catalogue and no cache: said, not thrown: {:?}",
        catalogue.notice
    );
    assert_eq!(catalogue.fetched_ms, None);
    assert!(
        catalogue
            .models
            .iter()
            .all(|m| m.provider == BuiltinProvider::OpenAi.id()),
        "only the provider with a key"
    );
    let gpt4o = find(&catalogue.models, BuiltinProvider::OpenAi, "gpt-4o");
    assert_eq!(gpt4o.prices.prompt_per_million, usd("2.5"));
    assert_eq!(gpt4o.prices.completion_per_million, usd("10"));

    let detail = h
        .engine
        .models()
        .detail(BuiltinProvider::OpenAi.id(), "gpt-4o".to_owned())
        .await
        .unwrap();
    assert_eq!(detail.model, *gpt4o, "the same facts as the list");
    assert!(
        detail.endpoints.is_empty(),
        "a direct model has no endpoints"
    );
    assert!(
        detail
            .price_source
            .as_deref()
            .is_some_and(|s| s.contains("LiteLLM")),
        "bundled prices are attributed"
    );

    let unknown = h
        .engine
        .models()
        .detail(BuiltinProvider::OpenAi.id(), "gpt-nothing".to_owned())
        .await
        .unwrap_err();
    assert_eq!(unknown.info().code, ErrorCode::InvalidInput);
    let custom: ProviderId = "custom:00000000-0000-0000-0000-000000000001"
        .parse()
        .unwrap();
    let err = h
        .engine
        .models()
        .detail(custom, "llama3".to_owned())
        .await
        .unwrap_err();
    assert_eq!(
        err.info().code,
        ErrorCode::NotFound,
        "no such custom provider (one that exists shows its own model list)"
    );
    assert!(
        !err.info().message.contains("custom:"),
        "never the id: {}",
        err.info().message
    );
}

#[tokio::test]
async fn a_model_detail_lists_its_endpoints_and_degrades_to_a_notice_offline() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    let openrouter = BuiltinProvider::OpenRouter.id();

    // The recorded 2025 answer: two providers, prices but no live stats.
    let gemini = h
        .engine
        .models()
        .detail(
            openrouter.clone(),
            "google/gemini-2.5-pro-preview".to_owned(),
        )
        .await
        .unwrap();
    assert_eq!(gemini.notice, None);
    let names: Vec<&str> = gemini
        .endpoints
        .iter()
        .map(|e| e.provider_name.as_str())
        .collect();
    assert_eq!(
        names,
        ["Google", "Google AI Studio"],
        "the recorded endpoints"
    );
    let vertex = &gemini.endpoints[0];
    assert_eq!(vertex.prices.prompt_per_million, usd("1.25"));
    assert_eq!(vertex.prices.completion_per_million, usd("10"));
    assert_eq!(vertex.prices.cache_read_per_million, usd("0.31"));
    assert_eq!(vertex.prices.cache_write_per_million, usd("1.625"));
    assert_eq!(vertex.status, Some(0));
    assert_eq!(vertex.uptime_last_30m, None, "not in the 2025 shape");
    assert_eq!(vertex.max_output, Some(65_535));

    // Any other model: the fake builds one endpoint with live stats.
    let mini = h
        .engine
        .models()
        .detail(openrouter.clone(), "openai/gpt-4o-mini".to_owned())
        .await
        .unwrap();
    assert_eq!(mini.endpoints.len(), 1);
    let e = &mini.endpoints[0];
    assert_eq!(e.uptime_last_30m, Some(99.5));
    assert_eq!(e.latency_last_30m_p50, Some(0.41));
    assert_eq!(e.throughput_last_30m_p50, Some(61.0));
    assert_eq!(e.tag.as_deref(), Some("openai"));

    let missing = h
        .engine
        .models()
        .detail(openrouter.clone(), "nobody/nothing".to_owned())
        .await
        .unwrap_err();
    assert_eq!(
        missing.info().code,
        ErrorCode::InvalidInput,
        "not in the catalogue"
    );

    drop(fake);
    let offline = h
        .engine
        .models()
        .detail(openrouter, "openai/gpt-4o-mini".to_owned())
        .await
        .unwrap();
    assert_eq!(
        offline.model, mini.model,
        "the cached catalogue still describes it"
    );
    assert!(offline.endpoints.is_empty());
    assert!(
        offline
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("could not be loaded")),
        "offline is a notice, not a failure: {:?}",
        offline.notice
    );
}
