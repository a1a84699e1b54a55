//! `request_body`: system lifting, role alternation, images, thinking, defaults, replay of
//! thinking blocks, and requests that cannot be translated.

use serde_json::{Value, json};
use switchboard_core::{
    ChatRequest, Delta, Message, Part, ProviderError, ReasoningEffort, ReasoningOptions, Role,
    ToolCall,
};
use switchboard_providers::anthropic::request_body;

use super::{fixture, run};

fn body(request: &ChatRequest) -> Value {
    request_body(request).expect("the request translates")
}

fn user(text: &str) -> Message {
    Message::text(Role::User, text)
}

fn reasoning(effort: Option<ReasoningEffort>, budget: Option<u32>) -> Option<ReasoningOptions> {
    Some(ReasoningOptions {
        effort,
        max_tokens: budget,
        exclude: false,
    })
}

fn untranslatable(result: Result<Value, ProviderError>) -> String {
    match result {
        Err(ProviderError::BadRequest {
            status: 0, message, ..
        }) => message,
        other => panic!("expected BadRequest with status 0, got {other:?}"),
    }
}

#[test]
fn system_messages_are_lifted_and_joined() {
    let request = ChatRequest::new(
        "claude-x",
        vec![
            Message::text(Role::System, "Be brief."),
            user("Hi"),
            Message::text(Role::System, "Answer in French."),
        ],
    );
    let b = body(&request);
    assert_eq!(
        b["system"], "Be brief.\n\nAnswer in French.",
        "all system texts, in order, at the top level"
    );
    assert_eq!(
        b["messages"],
        json!([{"role": "user", "content": [{"type": "text", "text": "Hi"}]}]),
        "no system role among the messages"
    );
    let none = body(&ChatRequest::new("claude-x", vec![user("Hi")]));
    assert!(
        none.get("system").is_none(),
        "no system field without system messages"
    );
}

#[test]
fn adjacent_same_role_messages_are_merged() {
    let mut call = Message::text(Role::Assistant, "Calling.");
    call.tool_calls = vec![
        ToolCall {
            id: "toolu_a".into(),
            name: "f".into(),
            arguments: String::new(),
        },
        ToolCall {
            id: "toolu_b".into(),
            name: "f".into(),
            arguments: r#"{"x": 1}"#.into(),
        },
    ];
    let mut result_a = Message::text(Role::Tool, "A");
    result_a.tool_call_id = Some("toolu_a".into());
    let mut result_b = Message::text(Role::Tool, "B");
    result_b.tool_call_id = Some("toolu_b".into());
    let request = ChatRequest::new(
        "claude-x",
        vec![
            user("one"),
            user("two"),
            Message::text(Role::Assistant, ""),
            call,
            result_a,
            result_b,
            user("and?"),
        ],
    );
    assert_eq!(
        body(&request)["messages"],
        json!([
            {"role": "user", "content": [
                {"type": "text", "text": "one"}, {"type": "text", "text": "two"}]},
            {"role": "assistant", "content": [
                {"type": "text", "text": "Calling."},
                {"type": "tool_use", "id": "toolu_a", "name": "f", "input": {}},
                {"type": "tool_use", "id": "toolu_b", "name": "f", "input": {"x": 1}}]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_a", "content": "A"},
                {"type": "tool_result", "tool_use_id": "toolu_b", "content": "B"},
                {"type": "text", "text": "and?"}]},
        ]),
        "user/assistant alternate; the empty assistant message is dropped; tool results are user blocks"
    );
}

/// Run as `scenarios::request_images::anthropic`, a scenario both wire formats share.
pub(crate) fn images_become_base64_or_url_sources() {
    let mut message = user("What is this?");
    message.parts.push(Part::Image {
        url: "data:image/png;base64,iVBORw0KGgo=".into(),
    });
    message.parts.push(Part::Image {
        url: "https://example.com/cat.jpg".into(),
    });
    let b = body(&ChatRequest::new("claude-x", vec![message]));
    assert_eq!(
        b["messages"][0]["content"],
        json!([
            {"type": "text", "text": "What is this?"},
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
            {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.jpg"}},
        ]),
        "data: URLs inline, http(s) URLs by reference"
    );
    for bad in [
        "data:image/png,rawbytes",
        "ftp://example.com/a.png",
        "data:;base64,AAAA",
    ] {
        let mut message = user("x");
        message.parts.push(Part::Image { url: bad.into() });
        let why = untranslatable(request_body(&ChatRequest::new("claude-x", vec![message])));
        assert!(why.contains("image"), "{bad}: the message explains: {why}");
    }
}

#[test]
fn max_tokens_defaults_to_4096_and_passes_through() {
    let mut request = ChatRequest::new("claude-x", vec![user("Hi")]);
    assert_eq!(body(&request)["max_tokens"], 4096, "the documented default");
    request.max_tokens = Some(300);
    assert_eq!(body(&request)["max_tokens"], 300, "the caller's value");
    assert!(
        body(&request).get("thinking").is_none(),
        "no thinking unless asked"
    );
}

#[test]
fn thinking_budget_and_effort_mapping() {
    let mut request = ChatRequest::new("claude-x", vec![user("Hi")]);
    request.reasoning = reasoning(None, Some(2000));
    let b = body(&request);
    assert_eq!(
        b["thinking"],
        json!({"type": "enabled", "budget_tokens": 2000}),
        "explicit budget"
    );
    assert_eq!(
        b["max_tokens"], 4096,
        "the default already exceeds the budget"
    );

    let efforts: [(ReasoningEffort, u64); 5] = [
        (ReasoningEffort::Minimal, 1024),
        (ReasoningEffort::Low, 2048),
        (ReasoningEffort::Medium, 4096),
        (ReasoningEffort::High, 16_000),
        (ReasoningEffort::Xhigh, 32_000),
    ];
    for (effort, budget) in efforts {
        request.reasoning = reasoning(Some(effort), None);
        let b = body(&request);
        assert_eq!(
            b["thinking"]["budget_tokens"], budget,
            "{effort:?} maps to {budget}"
        );
        let max = b["max_tokens"].as_u64().unwrap();
        assert!(
            max > budget,
            "{effort:?}: max_tokens {max} exceeds the budget"
        );
    }
    request.reasoning = reasoning(Some(ReasoningEffort::High), None);
    assert_eq!(
        body(&request)["max_tokens"],
        16_000 + 4096,
        "a too-small max_tokens gets the budget added"
    );
    request.reasoning = reasoning(Some(ReasoningEffort::High), Some(3000));
    assert_eq!(
        body(&request)["thinking"]["budget_tokens"],
        3000,
        "an explicit budget beats the effort"
    );
    request.reasoning = reasoning(None, Some(100));
    assert_eq!(
        body(&request)["thinking"]["budget_tokens"],
        1024,
        "raised to Anthropic's minimum"
    );
    for off in [
        reasoning(Some(ReasoningEffort::None), None),
        reasoning(None, Some(0)),
        reasoning(None, None),
    ] {
        request.reasoning = off.clone();
        assert!(
            body(&request).get("thinking").is_none(),
            "{off:?} means no thinking"
        );
    }
}

#[test]
fn sampling_fields_and_their_conflicts_with_thinking() {
    let mut request = ChatRequest::new("claude-x", vec![user("Hi")]);
    request.temperature = Some(0.7);
    request.top_p = Some(0.9);
    request.stop = vec!["END".into()];
    request.stream = false;
    let b = body(&request);
    assert_eq!(
        b["temperature"],
        json!(0.7),
        "0.7 exactly, not 0.699999988…"
    );
    assert_eq!(b["top_p"], json!(0.9), "top_p");
    assert_eq!(
        b["stop_sequences"],
        json!(["END"]),
        "stop becomes stop_sequences"
    );
    assert_eq!(b["stream"], false, "stream flag");

    request.reasoning = reasoning(Some(ReasoningEffort::Low), None);
    let b = body(&request);
    assert!(
        b.get("temperature").is_none(),
        "Anthropic refuses temperature with thinking"
    );
    assert!(
        b.get("top_p").is_none(),
        "Anthropic refuses top_p below 0.95 with thinking"
    );
    request.temperature = Some(f32::NAN);
    request.reasoning = None;
    assert!(
        untranslatable(request_body(&request)).contains("temperature"),
        "NaN is refused"
    );
}

#[test]
fn tool_arguments_that_are_not_json_cannot_be_translated() {
    let mut call = Message::text(Role::Assistant, "");
    call.tool_calls = vec![ToolCall {
        id: "toolu_1".into(),
        name: "search".into(),
        arguments: "{\"q\": ".into(),
    }];
    let request = ChatRequest::new("claude-x", vec![user("Hi"), call.clone()]);
    let why = untranslatable(request_body(&request));
    assert!(
        why.contains("toolu_1") && why.contains("not JSON"),
        "names the call: {why}"
    );

    call.tool_calls[0].arguments = "[1, 2]".into();
    let why = untranslatable(request_body(&ChatRequest::new(
        "claude-x",
        vec![user("Hi"), call],
    )));
    assert!(why.contains("object"), "input must be an object: {why}");

    let orphan = Message::text(Role::Tool, "result");
    let why = untranslatable(request_body(&ChatRequest::new("claude-x", vec![orphan])));
    assert!(
        why.contains("tool call"),
        "a tool result needs its call id: {why}"
    );
}

#[tokio::test]
async fn recorded_thinking_is_replayed_before_text_and_tool_use() {
    let answer = run(&fixture!("thinking_stream.response.sse")).await;
    let details: Vec<Value> = answer
        .deltas
        .iter()
        .filter_map(|d| match d {
            Delta::ReasoningDetails { details } => Some(details.clone()),
            _ => None,
        })
        .flatten()
        .collect();
    let signature = details[0]["signature"].as_str().unwrap().to_owned();

    let mut assistant = Message::text(Role::Assistant, "Here are the steps.");
    assistant.tool_calls = vec![ToolCall {
        id: "toolu_9".into(),
        name: "map".into(),
        arguments: "{}".into(),
    }];
    let mut foreign = details.clone();
    foreign.push(
        json!({"type": "reasoning.summary", "format": "openai-responses-v1", "summary": "x"}),
    );
    foreign.push(
        json!({"type": "reasoning.text", "format": "anthropic-claude-v1", "text": "unsigned"}),
    );
    foreign.push(
        json!({"type": "reasoning.encrypted", "format": "anthropic-claude-v1", "data": "opaque"}),
    );
    assistant.reasoning_details = Some(Value::Array(foreign));
    let mut result = Message::text(Role::Tool, "ok");
    result.tool_call_id = Some("toolu_9".into());
    let request = ChatRequest::new(
        "claude-sonnet-4-0",
        vec![user("How do I cross the street?"), assistant, result],
    );
    let b = body(&request);
    let content = b["messages"][1]["content"].as_array().unwrap();
    let kinds: Vec<&str> = content
        .iter()
        .map(|c| c["type"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["thinking", "redacted_thinking", "text", "tool_use"],
        "thinking first, in order; foreign and unsigned details are skipped"
    );
    assert_eq!(
        content[0]["thinking"].as_str().unwrap(),
        super::reasoning_of(&answer.deltas),
        "the whole thinking text"
    );
    assert_eq!(
        content[0]["signature"], signature,
        "with the recorded signature"
    );
    assert_eq!(content[1]["data"], "opaque", "redacted data unchanged");
}

/// Run as `scenarios::request_tool_choice::anthropic`, a scenario both wire formats share.
pub(crate) fn tool_choice_and_a_schema_are_sent_in_anthropic_shape() {
    let mut request = ChatRequest::new("claude-x", vec![user("Hi")]);
    request.tool_choice = Some(switchboard_core::ToolChoice::Required);
    request.response_format = Some(switchboard_core::ResponseFormat::JsonObject);
    let plain = body(&request);
    assert!(
        plain.get("tool_choice").is_none(),
        "Anthropic refuses tool_choice without tools"
    );
    assert!(
        plain.get("output_config").is_none(),
        "JSON mode without a schema has no Anthropic form"
    );
    request.tools = vec![switchboard_core::ToolSpec {
        name: "lookup".into(),
        description: None,
        parameters: json!({"type": "object"}),
    }];
    request.response_format = Some(switchboard_core::ResponseFormat::JsonSchema {
        name: "answer".into(),
        description: None,
        schema: json!({"type": "object", "additionalProperties": false}),
        strict: None,
    });
    // Required is `any`; structured outputs in `output_config.format`.
    insta::assert_json_snapshot!("tools_and_schema", body(&request));
    request.tool_choice = Some(switchboard_core::ToolChoice::Function {
        name: "lookup".into(),
    });
    assert_eq!(
        body(&request)["tool_choice"],
        json!({"type": "tool", "name": "lookup"}),
        "a named tool"
    );
}
