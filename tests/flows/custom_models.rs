//! A custom OpenAI-compatible server is first-class: its `GET /models` is listed in the picker
//! and on the Models screen (by the provider's name, never its id), kept in SQLite so it lists
//! offline, priced by the user so a chat's cost is an estimate, known to the router (context
//! window, prices), and named in spend reports and the explain view.

use switchboard_engine::NewCustomProvider;
use switchboard_engine::core::{ChatRequest, Message, ProviderId, Role, SpendGrouping, Usd};
use switchboard_engine::router::{Exclusion, RouteRequest};
use switchboard_engine::{CancellationToken, CostSource, Engine};
use switchboard_tests::FakeUpstream;

use crate::keys::Harness;

const KEY: &str = "sk-flows-custom-models-key-0001";
const LLAMA: &str = "llama3.2:3b";

async fn add(engine: &Engine, name: &str, base_url: String, key: Option<&str>) -> ProviderId {
    let overview = engine
        .keys()
        .add_custom_provider(NewCustomProvider {
            name: name.into(),
            base_url,
            api_key: key.map(str::to_owned),
        })
        .await
        .unwrap();
    overview
        .providers
        .iter()
        .find(|p| p.name == name)
        .map(|p| p.id.clone())
        .expect("the provider was added")
}

fn usd(text: &str) -> Usd {
    Usd::parse(text).unwrap()
}

#[tokio::test]
async fn a_custom_servers_models_are_listed_priced_routed_and_named_and_list_offline() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    let id = add(&h.engine, "Desk Ollama", fake.custom_base(), None).await;
    assert!(
        fake.requests()
            .iter()
            .any(|r| r.method == "GET" && r.path == "/custom/v1/models"),
        "the list is fetched when the provider is added"
    );

    // The Chat picker and the Models screen list it, by name, with no price yet.
    let choices = h.engine.models().choices().await.unwrap();
    let llama = choices
        .iter()
        .find(|c| c.provider == id && c.id == LLAMA)
        .expect("the custom model is in the picker");
    assert_eq!(llama.provider_name, "Desk Ollama");
    assert_eq!(llama.prompt_per_million, None, "no price: unknown, not $0");
    assert!(
        choices.iter().any(|c| c.provider_name == "OpenRouter"),
        "beside OpenRouter's models"
    );
    let browser = h.engine.models().browse(false).await.unwrap();
    let listed = browser
        .models
        .iter()
        .find(|m| m.provider == id && m.id == LLAMA)
        .expect("the custom model is on the Models screen");
    assert_eq!(listed.provider_name, "Desk Ollama");
    let detail = h
        .engine
        .models()
        .detail(id.clone(), LLAMA.into())
        .await
        .unwrap();
    assert!(
        detail
            .price_source
            .as_deref()
            .unwrap()
            .contains("publishes no prices"),
        "{:?}",
        detail.price_source
    );

    // A price per model, a default for the rest.
    h.engine
        .models()
        .set_price(id.clone(), None, Usd::ZERO, Usd::ZERO)
        .await
        .unwrap();
    let prices = h
        .engine
        .models()
        .set_price(id.clone(), Some(LLAMA.into()), usd("1.5"), usd("4"))
        .await
        .unwrap();
    assert_eq!(prices.len(), 2);
    assert!(prices.iter().all(|p| p.provider_name == "Desk Ollama"));
    let err = h
        .engine
        .models()
        .set_price(id.clone(), Some(LLAMA.into()), usd("-1"), usd("4"))
        .await
        .unwrap_err();
    assert!(
        err.info().message.contains("cannot be negative"),
        "{}",
        err.info()
    );

    // A chat through the router: its ledger row's cost is an estimate from that price.
    let req = RouteRequest {
        provider: Some(id.clone()),
        model: Some(LLAMA.into()),
        ..RouteRequest::default()
    };
    let request = ChatRequest::new(LLAMA, vec![Message::text(Role::User, "Say hello")]);
    let mut routed = h
        .engine
        .routing()
        .chat(req, request, &CancellationToken::new(), |_| {})
        .await
        .unwrap();
    let out = routed.take_outcome().unwrap();
    assert_eq!(out.error, None, "{:?}", out.error);
    assert!(out.usage.prompt_tokens > 0 && out.usage.completion_tokens > 0);
    let expected = usd("0.0000015").times(out.usage.prompt_tokens)
        + usd("0.000004").times(out.usage.completion_tokens);
    assert_eq!(
        (out.cost, out.cost_source),
        (Some(expected), CostSource::Estimate),
        "tokens × the user's price, exactly"
    );
    let row = h
        .engine
        .spend()
        .recent_requests(5)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.provider_id == id.as_str())
        .expect("a ledger row for the custom provider");
    assert_eq!(
        (row.cost, row.cost_source),
        (Some(expected), CostSource::Estimate)
    );

    // Spend by provider shows the name.
    let spend = h
        .engine
        .spend()
        .report(SpendGrouping::Provider, None, None)
        .await
        .unwrap();
    let spent = spend
        .rows
        .iter()
        .find(|r| r.key == id.as_str())
        .expect("a spend row for the custom provider");
    assert_eq!(spent.label, "Desk Ollama");
    assert_eq!(spent.cost, expected);

    // The server goes away: the cached list still serves, and a refresh says why it failed.
    drop(fake);
    let choices = h.engine.models().choices().await.unwrap();
    assert!(
        choices.iter().any(|c| c.provider == id && c.id == LLAMA),
        "listed offline, from the cache"
    );
    let stale = h
        .engine
        .models()
        .served_models(id.clone(), true)
        .await
        .unwrap();
    assert_eq!(stale.models, [LLAMA], "a failed refresh keeps the list");
    assert!(stale.from_cache);
    let notice = stale.notice.expect("a failed refresh says why");
    assert!(
        notice.starts_with("Desk Ollama's models could not be refreshed")
            && !notice.contains("custom:"),
        "{notice}"
    );
    let browser = h.engine.models().browse(true).await.unwrap();
    assert!(browser.models.iter().any(|m| m.provider == id));
    assert!(
        browser
            .notice
            .as_deref()
            .unwrap_or_default()
            .contains("Desk Ollama's models"),
        "{:?}",
        browser.notice
    );

    // Removing the provider forgets its list and prices.
    h.engine
        .keys()
        .remove_custom_provider(id.clone())
        .await
        .unwrap();
    assert!(h.engine.models().prices().await.unwrap().is_empty());
    let spend = h
        .engine
        .spend()
        .report(SpendGrouping::Provider, None, None)
        .await
        .unwrap();
    let gone = spend.rows.iter().find(|r| r.key == id.as_str()).unwrap();
    assert_eq!(gone.label, "a removed provider", "never the id");
    let err = h
        .engine
        .models()
        .served_models(id.clone(), false)
        .await
        .unwrap_err()
        .info();
    assert!(!err.message.contains("custom:"), "{}", err.message);
}

#[tokio::test]
async fn a_keyed_servers_list_is_fetched_with_its_key_and_its_context_reaches_the_router() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::new(&[]) else {
        return;
    };
    let vllm = format!("{}/vllm/v1", fake.origin());
    let refused = add(&h.engine, "No key", vllm.clone(), None).await;
    let listed = h
        .engine
        .models()
        .served_models(refused.clone(), false)
        .await
        .unwrap();
    assert!(listed.models.is_empty());
    let notice = listed.notice.expect("a refused list says why");
    assert!(
        notice.starts_with("No key's models could not be listed") && notice.contains(&vllm),
        "{notice}"
    );
    h.engine
        .keys()
        .remove_custom_provider(refused)
        .await
        .unwrap();

    let id = add(&h.engine, "GPU box", vllm, Some(KEY)).await;
    let listed = h
        .engine
        .models()
        .served_models(id.clone(), false)
        .await
        .unwrap();
    assert_eq!(listed.models, ["Qwen/Qwen2.5-7B-Instruct", "qwen-lora-sql"]);
    assert_eq!(listed.notice, None);
    let sent = fake
        .requests()
        .into_iter()
        .rfind(|r| r.path == "/vllm/v1/models")
        .unwrap();
    assert_eq!(
        sent.header("authorization"),
        Some(format!("Bearer {KEY}").as_str()),
        "the provider's key goes with the list request"
    );
    let model = h
        .engine
        .models()
        .browse(false)
        .await
        .unwrap()
        .models
        .into_iter()
        .find(|m| m.provider == id && m.id == "Qwen/Qwen2.5-7B-Instruct")
        .unwrap();
    assert_eq!(model.context_length, Some(32_768), "vLLM's max_model_len");

    // The router knows the window: a prompt past it is refused before anything is sent,
    // and the explanation names the provider.
    let req = RouteRequest {
        provider: Some(id.clone()),
        model: Some("Qwen/Qwen2.5-7B-Instruct".into()),
        prompt_tokens: 40_000,
        ..RouteRequest::default()
    };
    let decision = h.engine.routing().explain(req).await.unwrap();
    assert!(
        matches!(
            decision.candidates[0].exclusion,
            Some(Exclusion::ContextTooSmall { window: 32_768, .. })
        ),
        "{:?}",
        decision.candidates[0]
    );
    assert!(
        decision.summary.contains("GPU box") && !decision.summary.contains("custom:"),
        "{}",
        decision.summary
    );

    // A price given from now on reaches the router's facts at once.
    h.engine
        .models()
        .set_price(id.clone(), None, usd("0.2"), usd("0.8"))
        .await
        .unwrap();
    let req = RouteRequest {
        provider: Some(id.clone()),
        model: Some("Qwen/Qwen2.5-7B-Instruct".into()),
        prompt_tokens: 1_000,
        ..RouteRequest::default()
    };
    let decision = h.engine.routing().explain(req).await.unwrap();
    assert!(
        decision.candidates[0]
            .predicted_cost
            .is_some_and(|c| c > 0.0),
        "the user price prices the prediction: {:?}",
        decision.candidates[0]
    );

    // Re-pointed at another server, the old list is dropped and the new one fetched.
    h.engine
        .keys()
        .update_custom_provider(id.clone(), "GPU box".into(), fake.custom_base())
        .await
        .unwrap();
    let listed = h
        .engine
        .models()
        .served_models(id.clone(), false)
        .await
        .unwrap();
    assert_eq!(listed.models, [LLAMA]);
    h.engine.keys().remove_custom_provider(id).await.unwrap();
}

#[tokio::test]
async fn a_custom_provider_may_not_take_a_built_in_name_in_any_case() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::new(&[]) else {
        return;
    };
    for name in ["OpenAI", "openRouter", "ANTHROPIC"] {
        let err = h
            .engine
            .keys()
            .add_custom_provider(NewCustomProvider {
                name: name.into(),
                base_url: fake.custom_base(),
                api_key: None,
            })
            .await
            .unwrap_err()
            .info();
        assert!(err.message.contains("reserved"), "{name}: {}", err.message);
    }
}
