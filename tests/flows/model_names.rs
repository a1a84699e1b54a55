//! What another tool's `model` names, as the local API resolves it: a route by its name, a
//! configured provider named in front of a model, a bare name only one provider lists, an
//! OpenRouter id, and a clear "not found" for the rest. Against the loopback fakes' catalogues.

use switchboard_engine::core::{BuiltinProvider, ErrorCode, ProviderId};
use switchboard_engine::router::RouteRequest;
use switchboard_engine::{Engine, NewCustomProvider};
use switchboard_tests::FakeUpstream;

use crate::keys::Harness;

const KEY: &str = "sk-flows-model-names-key-000001";

async fn resolve(engine: &Engine, name: &str) -> RouteRequest {
    engine
        .routing()
        .resolve_model_name(name)
        .await
        .unwrap_or_else(|e| panic!("{name}: {}", e.info()))
}

fn direct(route: &RouteRequest) -> (Option<&ProviderId>, Option<&str>) {
    (route.provider.as_ref(), route.model.as_deref())
}

#[tokio::test]
async fn names_resolve_to_routes_providers_and_openrouter_ids_in_that_order() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::new(&[
        ("OPENROUTER_BASE_URL", &fake.openrouter_base()),
        ("OPENROUTER_API_KEY", KEY),
        ("ANTHROPIC_BASE_URL", &fake.anthropic_base()),
        ("ANTHROPIC_API_KEY", KEY),
    ]) else {
        return;
    };
    let e = &h.engine;
    e.routing().import(
        "[[routes]]\nname = \"cheap\"\n[[routes.targets]]\nprovider = \"openrouter\"\nmodel = \"openai/gpt-3.5-turbo\"\n",
    )
    .await
    .unwrap();
    let overview = e
        .keys()
        .add_custom_provider(NewCustomProvider {
            name: "Ollama".into(),
            base_url: fake.custom_base(),
            api_key: None,
        })
        .await
        .unwrap();
    let ollama = overview.providers.last().unwrap().id.clone();
    let or = BuiltinProvider::OpenRouter.id();
    let anthropic = BuiltinProvider::Anthropic.id();

    // A route's name is the user's own word for it.
    let route = resolve(e, "cheap").await;
    assert_eq!(route.route.as_deref(), Some("cheap"));
    assert_eq!(direct(&route), (None, None));

    // `<provider>/<model>`: the provider is the first segment when one is configured.
    let r = resolve(e, "openrouter/openai/gpt-3.5-turbo").await;
    assert_eq!(direct(&r), (Some(&or), Some("openai/gpt-3.5-turbo")));
    let r = resolve(e, "anthropic/claude-sonnet-4-5").await;
    assert_eq!(direct(&r), (Some(&anthropic), Some("claude-sonnet-4-5")));
    let r = resolve(e, "ollama/llama3.2:3b").await;
    assert_eq!(
        direct(&r),
        (Some(&ollama), Some("llama3.2:3b")),
        "custom by its name"
    );
    // OpenRouter's own models keep their whole id.
    let r = resolve(e, "openrouter/auto").await;
    assert_eq!(direct(&r), (Some(&or), Some("openrouter/auto")));

    // A bare name only one keyed provider serves goes there.
    let r = resolve(e, "llama3.2:3b").await;
    assert_eq!(direct(&r), (Some(&ollama), Some("llama3.2:3b")));

    // No OpenAI key: `openai/…` is OpenRouter's namespace; variants name the same entry.
    let r = resolve(e, "openai/gpt-3.5-turbo").await;
    assert_eq!(direct(&r), (Some(&or), Some("openai/gpt-3.5-turbo")));
    let r = resolve(e, "openai/gpt-3.5-turbo:nitro").await;
    assert_eq!(direct(&r), (Some(&or), Some("openai/gpt-3.5-turbo:nitro")));

    // Anything else is a clear "not found" that says what a name can be.
    for unknown in ["no-such/model-anywhere", "gpt-nonexistent"] {
        let err = e
            .routing()
            .resolve_model_name(unknown)
            .await
            .unwrap_err()
            .info();
        assert_eq!(err.code, ErrorCode::NotFound, "{unknown}: {err}");
        assert!(err.message.contains(unknown), "{}", err.message);
    }
    let empty = e
        .routing()
        .resolve_model_name("  ")
        .await
        .unwrap_err()
        .info();
    assert_eq!(empty.code, ErrorCode::InvalidInput);

    // What /v1/models lists resolves back to itself.
    let served = e.models().served_names().await.unwrap();
    assert_eq!(served[0].id, "cheap", "routes first");
    assert!(
        served.iter().any(|s| s.id == "Ollama/llama3.2:3b"),
        "{served:?}"
    );
    assert!(served.iter().any(|s| s.id == "openai/gpt-3.5-turbo"));
    for name in served.iter().take(40) {
        e.routing()
            .resolve_model_name(&name.id)
            .await
            .unwrap_or_else(|err| panic!("{} is listed but not served: {}", name.id, err.info()));
    }
}
