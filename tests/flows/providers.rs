//! Testing keys against the loopback fake upstream; custom providers; base URL precedence.

use switchboard_engine::NewCustomProvider;
use switchboard_engine::core::{
    BaseUrl, BaseUrlSource, BuiltinProvider, ErrorCode, KeySource, Preferences, ProviderKind,
};
use switchboard_tests::FakeUpstream;

use crate::keys::Harness;

const GOOD: &str = "sk-good-key-for-the-fake-0001";

#[tokio::test]
async fn testing_an_openrouter_key_reads_its_account_and_sends_attribution() {
    let fake = FakeUpstream::start(GOOD);
    let Some(h) = Harness::new(&[("OPENROUTER_BASE_URL", &fake.openrouter_base())]) else {
        return;
    };
    let or = BuiltinProvider::OpenRouter.id();
    let err = h.engine.keys().test(or.clone()).await.unwrap_err();
    assert_eq!(
        err.info().code,
        ErrorCode::InvalidInput,
        "no key yet: {}",
        err.info()
    );

    h.engine.keys().set(or.clone(), GOOD.into()).await.unwrap();
    let check = h.engine.keys().test(or.clone()).await.unwrap();
    let info = check.openrouter.expect("OpenRouter's /key figures");
    assert_eq!(
        info.usage_usd.to_string(),
        "0.42",
        "exact dollars, not a float"
    );
    assert_eq!(info.limit_usd.map(|u| u.to_string()).as_deref(), Some("10"));
    assert_eq!(
        info.limit_remaining_usd.map(|u| u.to_string()).as_deref(),
        Some("9.58")
    );

    let sent = fake.requests().pop().unwrap();
    assert_eq!(sent.path, "/openrouter/api/v1/key");
    assert_eq!(
        sent.header("authorization"),
        Some(format!("Bearer {GOOD}").as_str())
    );
    assert_eq!(sent.header("http-referer"), Some("https://switchboard.app"));
    assert_eq!(sent.header("x-title"), Some("Switchboard"));

    h.engine
        .keys()
        .set(or.clone(), "sk-wrong-key-000000000".into())
        .await
        .unwrap();
    let err = h.engine.keys().test(or).await.unwrap_err().info();
    assert_eq!(err.code, ErrorCode::Auth);
    assert!(!err.retryable);
    assert!(err.message.contains("User not found."), "{}", err.message);
}

#[tokio::test]
async fn anthropic_and_openai_keys_are_tested_with_their_own_headers() {
    let fake = FakeUpstream::start(GOOD);
    let Some(h) = Harness::new(&[
        ("ANTHROPIC_BASE_URL", fake.anthropic_base().as_str()),
        ("OPENAI_BASE_URL", fake.openai_base().as_str()),
        ("OPENAI_API_KEY", GOOD),
    ]) else {
        return;
    };
    h.engine
        .keys()
        .set(BuiltinProvider::Anthropic.id(), GOOD.into())
        .await
        .unwrap();
    let check = h
        .engine
        .keys()
        .test(BuiltinProvider::Anthropic.id())
        .await
        .unwrap();
    assert_eq!(check.models_visible, Some(1));
    let sent = fake.requests().pop().unwrap();
    assert_eq!(sent.header("x-api-key"), Some(GOOD));
    assert_eq!(sent.header("anthropic-version"), Some("2023-06-01"));
    assert_eq!(
        sent.header("authorization"),
        None,
        "Anthropic takes x-api-key only"
    );

    let check = h
        .engine
        .keys()
        .test(BuiltinProvider::OpenAi.id())
        .await
        .unwrap();
    assert_eq!(
        check.models_visible,
        Some(2),
        "the environment key is used for tests too"
    );
}

#[tokio::test]
async fn an_unreachable_provider_is_a_retryable_network_error() {
    // Bind and drop a listener to get a loopback port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let Some(h) = Harness::new(&[
        ("OPENAI_BASE_URL", &format!("http://127.0.0.1:{port}/v1")),
        ("OPENAI_API_KEY", GOOD),
    ]) else {
        return;
    };
    let err = h
        .engine
        .keys()
        .test(BuiltinProvider::OpenAi.id())
        .await
        .unwrap_err()
        .info();
    assert_eq!(err.code, ErrorCode::Network);
    assert!(err.retryable);
}

#[tokio::test]
async fn custom_providers_are_added_tested_edited_and_removed_with_their_key() {
    let fake = FakeUpstream::start(GOOD);
    let Some(h) = Harness::new(&[]) else { return };
    let overview = h
        .engine
        .keys()
        .add_custom_provider(NewCustomProvider {
            name: " Local Ollama ".into(),
            base_url: format!("{}/", fake.custom_base()),
            api_key: Some("sk-custom-provider-key-7777".into()),
        })
        .await
        .unwrap();
    let custom = overview.providers.last().unwrap().clone();
    assert_eq!(custom.kind, ProviderKind::Custom);
    assert_eq!(custom.name, "Local Ollama");
    assert_eq!(
        custom.base_url.as_str(),
        fake.custom_base(),
        "trailing slash dropped"
    );
    assert_eq!(custom.key.source, KeySource::Keychain);
    assert_eq!(custom.key.masked.as_deref(), Some("••••7777"));
    assert_eq!(
        h.keychain_value(custom.id.as_str()).as_deref(),
        Some("sk-custom-provider-key-7777")
    );

    let check = h.engine.keys().test(custom.id.clone()).await.unwrap();
    assert_eq!(check.models_visible, Some(1));

    let dup = h
        .engine
        .keys()
        .add_custom_provider(NewCustomProvider {
            name: "local ollama".into(),
            base_url: "http://127.0.0.1:1/v1".into(),
            api_key: Some("sk-would-be-orphaned-1234".into()),
        })
        .await
        .unwrap_err();
    assert_eq!(dup.info().code, ErrorCode::InvalidInput, "{}", dup.info());

    let bad_url = h
        .engine
        .keys()
        .add_custom_provider(NewCustomProvider {
            name: "Bad".into(),
            base_url: "localhost:11434".into(),
            api_key: None,
        })
        .await
        .unwrap_err();
    assert_eq!(bad_url.info().code, ErrorCode::InvalidInput);

    let overview = h
        .engine
        .keys()
        .update_custom_provider(
            custom.id.clone(),
            "LM Studio".into(),
            "http://127.0.0.1:1234/v1".into(),
        )
        .await
        .unwrap();
    let edited = overview.providers.last().unwrap();
    assert_eq!(edited.name, "LM Studio");
    assert_eq!(
        edited.key.source,
        KeySource::Keychain,
        "editing keeps the key"
    );

    let overview = h
        .engine
        .keys()
        .remove_custom_provider(custom.id.clone())
        .await
        .unwrap();
    assert_eq!(overview.providers.len(), 3, "only the built-ins remain");
    assert_eq!(
        h.keychain_value(custom.id.as_str()),
        None,
        "its key is gone too"
    );
}

#[tokio::test]
async fn base_urls_come_from_the_environment_then_settings_then_the_default() {
    let Some(h) = Harness::new(&[
        ("OPENAI_BASE_URL", "http://127.0.0.1:9/v1"),
        ("ANTHROPIC_BASE_URL", "not a url"),
    ]) else {
        return;
    };
    let mut prefs = Preferences::default();
    prefs.base_urls.openrouter = Some(BaseUrl::parse("http://127.0.0.1:8/api/v1").unwrap());
    prefs.base_urls.openai = Some(BaseUrl::parse("http://ignored.invalid/v1").unwrap());
    h.engine.settings().save_preferences(prefs).await.unwrap();
    let overview = h.engine.keys().overview().await.unwrap();
    let [or, openai, anthropic] = &overview.providers[..] else {
        panic!("three built-ins")
    };
    assert_eq!(
        (or.base_url.as_str(), or.base_url_source),
        ("http://127.0.0.1:8/api/v1", BaseUrlSource::Settings)
    );
    assert_eq!(
        (openai.base_url.as_str(), openai.base_url_source),
        ("http://127.0.0.1:9/v1", BaseUrlSource::Environment)
    );
    assert_eq!(anthropic.base_url_source, BaseUrlSource::Default);
    assert!(
        anthropic
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("ANTHROPIC_BASE_URL")),
        "a bad environment value is reported, not silently used"
    );
}

#[tokio::test]
async fn preferences_are_validated_and_persist_across_engines() {
    let Some(h) = Harness::new(&[]) else { return };
    let mut prefs = Preferences::default();
    prefs.attribution.title = "Bad\nHeader".into();
    let err = h
        .engine
        .settings()
        .save_preferences(prefs.clone())
        .await
        .unwrap_err();
    assert_eq!(err.info().code, ErrorCode::InvalidInput);

    prefs.attribution.title = "My Bench".into();
    h.engine
        .settings()
        .save_preferences(prefs.clone())
        .await
        .unwrap();
    let reopened = switchboard_engine::Engine::open(switchboard_engine::EngineConfig {
        data_dir: switchboard_engine::DataDir::at(h.dir.path()),
        keychain_service: h.service.clone(),
        environment: switchboard_engine::Environment::default(),
    })
    .unwrap();
    assert_eq!(reopened.settings().preferences().await.unwrap(), prefs);
}
