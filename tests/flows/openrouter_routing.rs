//! OpenRouter's 2026 routing features through the engine against the loopback fake: a private
//! conversation's requests ask for zero data retention, variants are sent as chosen and priced
//! as their base model, presets are sent as the model, and BYOK answers keep the upstream
//! cost apart from what OpenRouter charged.

use std::time::Duration;

use serde_json::{Value, json};
use switchboard_engine::core::{
    AnswerStats, BuiltinProvider, ChatEvent, ColumnSpec, ConversationId, ErrorCode, MaxPrice,
    ModelParams, ProviderPreferences, ProviderSort, Usd,
};
use switchboard_tests::fake_upstream::fixtures_dir;
use switchboard_tests::{FakeUpstream, Reply};
use tokio::sync::mpsc;

use crate::keys::Harness;

const KEY: &str = "sk-flows-openrouter-routing-00001";

fn column(model: &str, params: ModelParams) -> ColumnSpec {
    ColumnSpec {
        provider: BuiltinProvider::OpenRouter.id(),
        model: model.into(),
        params,
    }
}

fn usd(text: &str) -> Usd {
    Usd::parse(text).unwrap()
}

/// Sends `text` to the conversation's one column and returns the answer's final stats.
async fn ask(h: &Harness, id: &ConversationId, text: &str) -> AnswerStats {
    let (tx, mut rx) = mpsc::channel(256);
    h.engine
        .conversations()
        .send(id.clone(), text.into(), Vec::new(), tx)
        .await
        .expect("the send starts");
    loop {
        let event = tokio::time::timeout(Duration::from_secs(30), rx.recv())
            .await
            .expect("the answer ends within 30 s")
            .expect("the channel stays open until the answer ends");
        match event {
            ChatEvent::Finished { stats, .. } => return stats,
            ChatEvent::Failed { error, .. } => panic!("the answer failed: {error:?}"),
            _ => {}
        }
    }
}

/// The body of the last chat request the fake received.
fn last_chat_body(fake: &FakeUpstream) -> Value {
    fake.requests()
        .iter()
        .rev()
        .find(|r| r.path.ends_with("/chat/completions"))
        .and_then(|r| r.json())
        .expect("a chat request was sent")
}

fn synthesized(name: &str) -> String {
    let path = fixtures_dir().join("openrouter/synthesized").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[tokio::test]
async fn a_private_conversation_asks_for_zero_data_retention_on_every_openrouter_request() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    let params = ModelParams {
        openrouter: Some(ProviderPreferences {
            sort: Some(ProviderSort::Throughput),
            max_price: Some(MaxPrice {
                prompt: Some(usd("1.25")),
                completion: Some(usd("5")),
            }),
            ..ProviderPreferences::default()
        }),
        ..ModelParams::default()
    };
    let view = h
        .engine
        .conversations()
        .create(vec![column("openai/gpt-4o-mini", params)])
        .await
        .unwrap();
    assert!(!view.private, "a new conversation is not private");

    ask(&h, &view.id, "first").await;
    assert_eq!(
        last_chat_body(&fake)["provider"],
        json!({"sort": "throughput", "max_price": {"prompt": "1.25", "completion": "5"}}),
        "the column's preferences, prices as exact decimal strings"
    );

    let view = h
        .engine
        .conversations()
        .set_private(view.id.clone(), true)
        .await
        .unwrap();
    assert!(view.private, "the view says it is private");
    let reopened = h
        .engine
        .conversations()
        .open(view.id.clone())
        .await
        .unwrap();
    assert!(reopened.private, "kept with the conversation");
    ask(&h, &view.id, "second").await;
    assert_eq!(
        last_chat_body(&fake)["provider"],
        json!({"sort": "throughput", "max_price": {"prompt": "1.25", "completion": "5"},
               "zdr": true, "data_collection": "deny"}),
        "private adds zero data retention and no data collection"
    );

    // Through a route whose target allows data collection, privacy still wins; the target's
    // other preferences stay.
    h.engine
        .routing()
        .import(
            r#"
[[routes]]
name = "anthropic-first"
[[routes.targets]]
provider = "openrouter"
model = "anthropic/claude-3.7-sonnet"
openrouter = { order = ["anthropic"], data_collection = "allow", zdr = false }
"#,
        )
        .await
        .unwrap();
    let routed = ModelParams {
        route: Some("anthropic-first".into()),
        ..ModelParams::default()
    };
    h.engine
        .conversations()
        .set_columns(view.id.clone(), vec![column("openai/gpt-4o-mini", routed)])
        .await
        .unwrap();
    ask(&h, &view.id, "third").await;
    let body = last_chat_body(&fake);
    assert_eq!(body["model"], "anthropic/claude-3.7-sonnet");
    assert_eq!(
        body["provider"],
        json!({"order": ["anthropic"], "data_collection": "deny", "zdr": true})
    );

    h.engine
        .conversations()
        .set_private(view.id.clone(), false)
        .await
        .unwrap();
    ask(&h, &view.id, "fourth").await;
    assert_eq!(
        last_chat_body(&fake)["provider"],
        json!({"order": ["anthropic"], "data_collection": "allow", "zdr": false}),
        "no longer private: the target's own preferences alone"
    );
}

#[tokio::test]
async fn a_nitro_column_sends_its_variant_and_is_priced_as_the_base_model() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    h.engine.models().catalogue(true).await.unwrap(); // gpt-4o-mini at $0.15/M in, $0.60/M out
    let view = h
        .engine
        .conversations()
        .create(vec![column(
            "openai/gpt-4o-mini:nitro",
            ModelParams::default(),
        )])
        .await
        .unwrap();
    fake.enqueue(Reply::UsageCost("null".into())); // usage without a cost
    let stats = ask(&h, &view.id, "how fast").await;
    assert_eq!(last_chat_body(&fake)["model"], "openai/gpt-4o-mini:nitro");
    assert_eq!(stats.cost_source, "estimate");
    let expected = usd("0.00000015").times(u64::from(stats.prompt_tokens))
        + usd("0.0000006").times(u64::from(stats.completion_tokens));
    assert!(stats.completion_tokens > 0, "the echo answered with tokens");
    assert_eq!(
        stats.cost,
        Some(expected),
        "tokens × the base model's catalogue prices"
    );

    let refused = h
        .engine
        .conversations()
        .create(vec![column(
            "openai/gpt-4o-mini:free:nitro",
            ModelParams::default(),
        )])
        .await
        .unwrap_err();
    assert_eq!(refused.info().code, ErrorCode::InvalidInput);
    assert!(
        refused.info().message.contains("more than one suffix"),
        "the message says what is wrong: {}",
        refused.info().message
    );
}

#[tokio::test]
async fn a_preset_is_sent_as_the_model_and_costs_what_its_usage_says() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    let view = h
        .engine
        .conversations()
        .create(vec![column("@preset/comedian", ModelParams::default())])
        .await
        .unwrap();
    fake.enqueue(Reply::UsageCost("0.000213".into()));
    let stats = ask(&h, &view.id, "trains").await;
    let body = last_chat_body(&fake);
    assert_eq!(
        body["model"], "@preset/comedian",
        "OpenRouter's documented form"
    );
    assert!(body.get("preset").is_none(), "no second way of naming it");
    assert_eq!(stats.cost, Some(usd("0.000213")));
    assert_eq!(stats.cost_source, "provider");
    let shown = h.engine.conversations().open(view.id).await.unwrap();
    assert_eq!(
        shown.columns[0].spec.model, "@preset/comedian",
        "kept by name"
    );
}

#[tokio::test]
async fn a_byok_answer_shows_its_upstream_cost_apart_and_the_ledger_counts_the_fee_only() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    let view = h
        .engine
        .conversations()
        .create(vec![column(
            "anthropic/claude-3.7-sonnet",
            ModelParams::default(),
        )])
        .await
        .unwrap();
    fake.enqueue(Reply::sse_text(&synthesized("byok.sse")));
    let streamed = ask(&h, &view.id, "streamed").await;
    assert!(streamed.is_byok, "streamed usage says BYOK");
    assert_eq!(streamed.cost, Some(usd("0.0000105")), "OpenRouter's fee");
    assert_eq!(streamed.upstream_cost, Some(usd("0.00021")));

    fake.enqueue(Reply::Json {
        status: 200,
        body: synthesized("byok.json"),
    });
    let whole = ask(&h, &view.id, "not streamed").await;
    assert!(whole.is_byok, "a whole body's usage says BYOK");
    assert_eq!(whole.cost, Some(usd("0.00000021")));
    assert_eq!(whole.upstream_cost, Some(usd("0.0000042")));

    let shown = h.engine.conversations().open(view.id).await.unwrap();
    let kept: Vec<_> = shown
        .turns
        .iter()
        .map(|t| (t.answers[0].stats.is_byok, t.answers[0].stats.upstream_cost))
        .collect();
    assert_eq!(
        kept,
        [(true, Some(usd("0.00021"))), (true, Some(usd("0.0000042")))],
        "stored with the answers"
    );
    let charged = usd("0.0000105") + usd("0.00000021");
    assert_eq!(shown.total_cost, charged, "the conversation costs the fees");
    assert_eq!(
        h.engine.spend().ledger_total().await.unwrap(),
        (charged, 0),
        "spend and budgets count what OpenRouter charged, never the upstream cost"
    );
}
