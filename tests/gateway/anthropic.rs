//! The Anthropic SDK: messages (whole, streamed, a tool round trip, thinking from a recorded
//! OpenRouter reasoning stream, token counting), and the model list in both SDKs' shapes.

use serde_json::{Value, json};
use switchboard_engine::router::Failover;
use switchboard_engine::{CostSource, Outcome};
use switchboard_tests::{Reply, scripted};

use crate::harness::{CLIENT, Harness, MODEL, usd};
use crate::sdk::{Sdk, returned};
use crate::upstream::{answer, whole};

/// An OpenRouter reasoning stream recorded from `anthropic/claude-3.7-sonnet:thinking`: 43
/// prompt and 119 output tokens (82 of them reasoning), $0.001914, one signed reasoning piece.
const THINKING_FIXTURE: &str = "JlkjtO2qFKO";
const THINKING_MODEL: &str = "anthropic/claude-3.7-sonnet:thinking";

fn block_types(message: &Value) -> Vec<&str> {
    message["content"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["type"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn messages_whole_streamed_tools_and_thinking() {
    let Some(sdk) = Sdk::find() else { return };
    let h = Harness::start().await;
    h.fake.enqueue(whole(
        "gen-msg-1",
        "Hello from the fake.",
        (20, 6),
        "0.000019",
    ));
    h.fake.enqueue(answer(
        "gen-msg-2",
        &["Streamed", " hello."],
        (20, 4),
        "0.000016",
    ));
    h.fake.enqueue(scripted::tool_call(
        3,
        MODEL,
        "get_weather",
        r#"{"city":"Paris"}"#,
        0.00008,
    ));
    h.fake.enqueue(whole(
        "gen-msg-4",
        "It is 18 C and sunny.",
        (160, 9),
        "0.0000935",
    ));
    h.fake.enqueue(Reply::fixture(THINKING_FIXTURE));

    let extra = [("SB_OTHER_MODEL", THINKING_MODEL.to_owned())];
    let r = h
        .run(
            &sdk,
            &extra,
            &[
                "messages_plain",
                "messages_stream",
                "messages_tools",
                "messages_thinking",
                "messages_count_tokens",
            ],
        )
        .await;

    check_whole(returned(&r, "messages_plain"));
    check_streamed(returned(&r, "messages_stream"));
    let chats = h.upstream_chats();
    check_tool_round_trip(returned(&r, "messages_tools"), &chats);
    check_thinking(returned(&r, "messages_thinking"), &chats[4]);
    let counted = returned(&r, "messages_count_tokens");
    assert!(
        counted["input_tokens"].as_u64().unwrap() > 0,
        "count_tokens answers locally: {counted}"
    );
    assert_eq!(chats.len(), 5, "counting sends nothing upstream");

    let rows = h.ledger().await;
    let seen: Vec<_> = rows
        .iter()
        .map(|r| (r.outcome, r.cost, r.cost_source))
        .collect();
    let ok = |cost| (Outcome::Ok, Some(usd(cost)), CostSource::Provider);
    assert_eq!(
        seen,
        [
            ok("0.000019"),
            ok("0.000016"),
            ok("0.00008"),
            ok("0.0000935"),
            ok("0.001914"),
        ],
        "one row per request with the provider's exact cost"
    );
    assert_eq!(
        rows[4].generation_id.as_deref(),
        Some("gen-1767762734-Gg33ChETpEk8gFnd2c1i")
    );
    assert_eq!(rows[4].usage.reasoning_tokens, 82);
    assert_eq!(
        h.spend_by_client().await,
        [(CLIENT.to_owned(), usd("0.0021225"), 5)]
    );
}

/// A whole message: one text block, Anthropic's stop reason and the provider's usage.
fn check_whole(plain: &Value) {
    assert_eq!(
        (&plain["type"], &plain["role"], &plain["model"]),
        (&json!("message"), &json!("assistant"), &json!(MODEL))
    );
    assert!(plain["id"].as_str().unwrap().starts_with("msg_"), "{plain}");
    assert_eq!(block_types(plain), ["text"]);
    assert_eq!(plain["content"][0]["text"], "Hello from the fake.");
    assert_eq!(plain["stop_reason"], "end_turn");
    assert_eq!(
        (
            &plain["usage"]["input_tokens"],
            &plain["usage"]["output_tokens"]
        ),
        (&json!(20), &json!(6)),
        "{plain}"
    );
}

/// A streamed message: Anthropic's event sequence, and the final usage.
fn check_streamed(streamed: &Value) {
    let mut shown = streamed.clone();
    let wire: Vec<&str> = streamed["event_types"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .filter(|t| *t != "text") // the SDK's own convenience event
        .collect();
    shown["event_types"] = json!(wire);
    let id = streamed["id"].as_str().unwrap();
    assert!(id.starts_with("msg_"), "{streamed}");
    shown["id"] = json!("[msg_ id]");
    // Anthropic's event sequence, the text, the stop reason, and the usage the final
    // message_delta corrected from the start's estimate.
    insta::assert_json_snapshot!("messages_stream", shown);
}

/// A streamed `tool_use`, and its `tool_result` sent upstream as the chat tool message.
fn check_tool_round_trip(tools: &Value, chats: &[Value]) {
    let first = &tools["first"];
    assert_eq!(first["stop_reason"], "tool_use");
    assert_eq!(block_types(first), ["tool_use"]);
    assert_eq!(
        (
            &first["content"][0]["id"],
            &first["content"][0]["name"],
            &first["content"][0]["input"],
        ),
        (
            &json!("call_3"),
            &json!("get_weather"),
            &json!({"city": "Paris"})
        ),
        "the OpenAI-style call becomes a tool_use block with parsed input"
    );
    assert!(
        tools["first_event_types"]
            .as_array()
            .unwrap()
            .contains(&json!("input_json")),
        "the input streamed as input_json_delta: {tools}"
    );
    assert_eq!(
        tools["second"]["content"][0]["text"],
        "It is 18 C and sunny."
    );
    let sent = chats[3]["messages"].as_array().unwrap();
    let result = sent.last().unwrap();
    assert_eq!(
        (&result["role"], &result["tool_call_id"], &result["content"]),
        (&json!("tool"), &json!("call_3"), &json!("18 C and sunny")),
        "the tool_result reaches the chat upstream as its tool message: {sent:?}"
    );
    assert_eq!(chats[0]["max_tokens"], 256, "max_tokens passes through");
}

/// Thinking from a recorded reasoning stream: a signed `thinking` block, then the text;
/// `asked` is what went upstream for it.
fn check_thinking(thinking: &Value, asked: &Value) {
    assert_eq!(block_types(thinking), ["thinking", "text"], "{thinking}");
    let thought = thinking["content"][0]["thinking"].as_str().unwrap();
    assert!(
        thought.starts_with("The question asks for the capital of France.")
            && thought.ends_with("I'll provide this simple factual answer."),
        "the reasoning as streamed: {thought}"
    );
    assert!(
        thinking["content"][0]["signature"]
            .as_str()
            .is_some_and(|s| s.len() > 20),
        "the signature comes with the thinking block: {thinking}"
    );
    assert!(
        thinking["content"][1]["text"]
            .as_str()
            .unwrap()
            .starts_with("The capital of France is Paris."),
        "{thinking}"
    );
    assert_eq!(
        (
            &thinking["usage"]["input_tokens"],
            &thinking["usage"]["output_tokens"]
        ),
        (&json!(43), &json!(119)),
        "{thinking}"
    );
    assert_eq!(asked["model"], THINKING_MODEL);
    assert!(
        asked["reasoning"].is_object(),
        "thinking becomes OpenRouter's reasoning request: {asked}"
    );
}

#[tokio::test]
async fn model_lists_in_the_openai_and_anthropic_shapes() {
    let Some(sdk) = Sdk::find() else { return };
    let h = Harness::start().await;
    h.add_route("sdk-route", Failover::default()).await;

    let r = h
        .run(&sdk, &[], &["models_openai", "models_anthropic"])
        .await;

    let openai = returned(&r, "models_openai");
    let ids = openai["ids"].as_array().unwrap();
    assert_eq!(ids[0], "sdk-route", "routes come first");
    assert!(ids.contains(&json!(MODEL)), "OpenRouter's ids as they are");
    assert_eq!(openai["objects"], json!(["model"]));
    let anthropic = returned(&r, "models_anthropic");
    assert_eq!(
        anthropic["ids"], openai["ids"],
        "the same names in Anthropic's shape (sent with anthropic-version)"
    );
    assert_eq!(anthropic["types"], json!(["model"]));
    assert_eq!(anthropic["display_names"][0], "Route sdk-route");
    assert!(h.upstream_chats().is_empty(), "listing sends no chat");
    assert!(h.ledger().await.is_empty());
}
