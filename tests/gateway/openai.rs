//! The OpenAI SDK: chat completions (whole, streamed with usage, a tool round trip) and the
//! Responses API (whole, streamed), each answer checked for content and usage, and each
//! request for its one ledger row with the provider's exact cost.

use serde_json::{Value, json};
use switchboard_engine::{CostSource, Outcome};

use crate::harness::{CLIENT, Harness, MODEL, usd};
use crate::sdk::{Sdk, returned};
use crate::upstream::{answer, weather_call, whole};

#[tokio::test]
async fn chat_completions_whole_streamed_and_a_tool_round_trip() {
    let Some(sdk) = Sdk::find() else { return };
    let h = Harness::start().await;
    h.fake.enqueue(whole(
        "gen-chat-1",
        "Hello from the fake.",
        (12, 5),
        "0.0000135",
    ));
    h.fake.enqueue(answer(
        "gen-chat-2",
        &["Streamed", " hello."],
        (12, 4),
        "0.000012",
    ));
    h.fake
        .enqueue(weather_call("gen-chat-3", "call_3", (100, 20), "0.00008"));
    h.fake.enqueue(whole(
        "gen-chat-4",
        "It is 18 C and sunny in Paris.",
        (150, 12),
        "0.000093",
    ));

    let r = h
        .run(&sdk, &[], &["chat_plain", "chat_stream", "chat_tools"])
        .await;

    check_chat_whole(returned(&r, "chat_plain"));
    check_chat_streamed(returned(&r, "chat_stream"));
    let chats = h.upstream_chats();
    assert_eq!(chats.len(), 4, "one upstream request per SDK request");
    check_chat_tools(returned(&r, "chat_tools"), &chats);
    assert_eq!(
        (
            &chats[0]["stream"],
            &chats[1]["stream"],
            &chats[1]["stream_options"]["include_usage"],
        ),
        (&json!(false), &json!(true), &json!(true)),
        "a whole answer is asked for whole, a stream as a stream with its usage"
    );

    let rows = h.ledger().await;
    let seen: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.generation_id.as_deref(),
                r.outcome,
                r.cost,
                r.cost_source,
                r.model.as_str(),
            )
        })
        .collect();
    let ok = |id, cost| {
        (
            Some(id),
            Outcome::Ok,
            Some(usd(cost)),
            CostSource::Provider,
            MODEL,
        )
    };
    assert_eq!(
        seen,
        [
            ok("gen-chat-1", "0.0000135"),
            ok("gen-chat-2", "0.000012"),
            ok("gen-chat-3", "0.00008"),
            ok("gen-chat-4", "0.000093"),
        ],
        "one row per request, each with the provider's exact cost"
    );
    assert_eq!(rows[0].usage.prompt_tokens, 12);
    assert_eq!(rows[0].usage.completion_tokens, 5);
    assert_eq!(
        h.spend_by_client().await,
        [(CLIENT.to_owned(), usd("0.0001985"), 4)],
        "spend by client names the key and sums its requests exactly"
    );
}

/// A whole completion: the text, OpenAI's envelope, and usage with the recorded cost.
fn check_chat_whole(plain: &Value) {
    assert_eq!(plain["content"], "Hello from the fake.");
    assert_eq!(plain["role"], "assistant");
    assert_eq!(plain["finish_reason"], "stop");
    assert_eq!(plain["object"], "chat.completion");
    assert_eq!(plain["model"], MODEL, "the model as the client named it");
    assert!(
        plain["id"].as_str().unwrap().starts_with("chatcmpl-"),
        "{plain}"
    );
    assert_eq!(
        (
            &plain["usage"]["prompt_tokens"],
            &plain["usage"]["completion_tokens"],
            &plain["usage"]["total_tokens"],
            &plain["usage"]["cost"],
        ),
        (&json!(12), &json!(5), &json!(17), &json!(0.0000135)),
        "the provider's token counts and the cost the ledger recorded: {plain}"
    );
}

/// A stream with `include_usage`: the text, one id, and the usage chunk.
fn check_chat_streamed(streamed: &Value) {
    assert!(
        streamed["chunks"].as_u64().unwrap() >= 4,
        "role, two pieces, finish and usage arrive as chunks: {streamed}"
    );
    // How many chunks is the gateway's business (pieces may be merged); that there are
    // enough is asserted above, everything else is pinned: the text, the finish reason,
    // one id across every chunk (`ids` counts them) and the usage chunk
    // `stream_options.include_usage` asks for.
    let mut shown = streamed.clone();
    shown["chunks"] = json!("[at least 4]");
    insta::assert_json_snapshot!("chat_stream", shown);
}

/// A tool call, then its result sent upstream as the provider's own tool message.
fn check_chat_tools(tools: &Value, chats: &[Value]) {
    assert_eq!(tools["finish_reason"], "tool_calls");
    assert_eq!(
        tools["tool_calls"],
        json!([{"id": "call_3", "name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}]),
        "the call as the upstream made it"
    );
    assert_eq!(tools["content"], "It is 18 C and sunny in Paris.");
    assert_eq!(tools["first_usage"]["prompt_tokens"], 100);
    // The tool result went upstream as the provider's own tool message.
    let sent = chats[3]["messages"].as_array().unwrap();
    let call = sent
        .iter()
        .find(|m| m["role"] == "assistant")
        .expect("the assistant turn is replayed");
    assert_eq!(call["tool_calls"][0]["id"], "call_3", "{sent:?}");
    assert_eq!(call["tool_calls"][0]["function"]["name"], "get_weather");
    let result = sent.last().unwrap();
    assert_eq!(
        (&result["role"], &result["tool_call_id"], &result["content"]),
        (&json!("tool"), &json!("call_3"), &json!("18 C and sunny")),
        "{sent:?}"
    );
}

#[tokio::test]
async fn responses_whole_and_streamed() {
    let Some(sdk) = Sdk::find() else { return };
    let h = Harness::start().await;
    h.fake
        .enqueue(whole("gen-resp-1", "Hello there.", (10, 3), "0.0000095"));
    h.fake.enqueue(answer(
        "gen-resp-2",
        &["One", ", two", ", three."],
        (10, 6),
        "0.000014",
    ));

    let r = h
        .run(&sdk, &[], &["responses_plain", "responses_stream"])
        .await;

    let plain = returned(&r, "responses_plain");
    assert_eq!(plain["output_text"], "Hello there.");
    assert_eq!(plain["status"], "completed");
    assert_eq!(plain["object"], "response");
    assert_eq!(plain["output_types"], json!(["message"]));
    assert!(
        plain["id"].as_str().unwrap().starts_with("resp_"),
        "{plain}"
    );
    assert_eq!(
        (
            &plain["usage"]["input_tokens"],
            &plain["usage"]["output_tokens"],
            &plain["usage"]["total_tokens"],
        ),
        (&json!(10), &json!(3), &json!(13)),
        "{plain}"
    );

    // The Responses event sequence as the SDK parsed it, the streamed and the final text,
    // the status, the usage, and sequence numbers that only increase.
    insta::assert_json_snapshot!("responses_stream", returned(&r, "responses_stream"));

    let rows = h.ledger().await;
    let seen: Vec<_> = rows
        .iter()
        .map(|r| (r.generation_id.as_deref(), r.outcome, r.cost))
        .collect();
    assert_eq!(
        seen,
        [
            (Some("gen-resp-1"), Outcome::Ok, Some(usd("0.0000095"))),
            (Some("gen-resp-2"), Outcome::Ok, Some(usd("0.000014"))),
        ]
    );
    assert_eq!(
        h.spend_by_client().await,
        [(CLIENT.to_owned(), usd("0.0000235"), 2)]
    );
}
