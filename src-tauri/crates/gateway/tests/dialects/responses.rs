//! OpenAI Responses: a Codex-shaped request parses into one turn per exchange; streams have
//! the real event sequence with sequence numbers; a whole answer is the stream's last
//! response; reasoning survives the trip through `encrypted_content`; stored features and
//! the hosted file search (which needs stored files) are refused by name. Codex's other tools
//! are in `responses_codex`.

use serde_json::{Value, json};
use switchboard_core::{
    ChatRequest, Delta, ErrorCode, ErrorInfo, FinishReason, Message, Role, ToolCall, Usage,
};
use switchboard_gateway::dialect::{Answer, BadRequest, StreamEnd, responses};

use crate::support::{anthropic_deltas, fixture, fixture_json, meta, named, snapshot};

fn parse(value: &Value) -> Result<switchboard_gateway::dialect::ClientRequest, BadRequest> {
    responses::parse(value.to_string().as_bytes())
}

fn refusal(value: Value) -> BadRequest {
    parse(&value).expect_err("the request is refused")
}

#[test]
fn a_codex_request_becomes_turns_with_calls_and_their_outputs() {
    let parsed =
        parse(&fixture_json("responses/codex_request.json")).expect("Codex's request parses");
    let roles: Vec<Role> = parsed.request.messages.iter().map(|m| m.role).collect();
    assert_eq!(
        roles,
        [
            Role::System,
            Role::System,
            Role::User,
            Role::User,
            Role::Assistant,
            Role::Tool,
            Role::Assistant,
            Role::User
        ],
        "instructions, developer text, the user's turns, one assistant turn per exchange"
    );
    let turn = &parsed.request.messages[4];
    assert_eq!(
        turn.tool_calls[0].id, "call_0001",
        "the call id is the call_id"
    );
    assert_eq!(
        turn.reasoning_details,
        Some(json!([
            {"type": "reasoning.summary", "summary": "**Listing files**\n\nI will run ls.", "format": "openai-responses-v1"},
            {"type": "reasoning.encrypted", "data": "gAAAAABoExampleEncryptedReasoning==", "format": "openai-responses-v1", "id": "rs_0001"},
        ])),
        "encrypted reasoning kept for replay, as OpenRouter replays OpenAI's"
    );
    assert!(parsed.stream && parsed.include_usage);
    snapshot!("responses_codex_request", &parsed.request);
}

#[test]
fn stored_features_and_hosted_tools_are_refused_by_name() {
    let base = |extra: Value| {
        let mut body = json!({"model": "m", "input": "hi"});
        for (k, v) in extra.as_object().expect("an object") {
            body[k] = v.clone();
        }
        body
    };
    let cases = [
        (
            base(json!({"previous_response_id": "resp_1"})),
            "previous_response_id",
            "keeps no responses",
        ),
        (base(json!({"store": true})), "store", "store: false"),
        (
            base(json!({"background": true})),
            "background",
            "stream instead",
        ),
        (
            base(json!({"conversation": "conv_1"})),
            "conversation",
            "keeps no responses",
        ),
        (
            base(json!({"tools": [{"type": "file_search", "vector_store_ids": ["vs_1"]}]})),
            "tools[0].type",
            "`file_search`",
        ),
        (
            base(json!({"input": [{"type": "item_reference", "id": "msg_1"}]})),
            "input[0].type",
            "stored responses",
        ),
        (
            base(json!({"input": [{"type": "local_shell_call", "id": "x"}]})),
            "input[0].type",
            "`local_shell_call`",
        ),
        (
            base(
                json!({"input": [{"role": "user", "content": [{"type": "input_file", "file_id": "f"}]}]}),
            ),
            "input[0].content[0].type",
            "`input_file`",
        ),
        (
            base(json!({"input": [{"type": "function_call", "call_id": "c", "name": "f"}]})),
            "input[0]",
            "missing field `arguments`",
        ),
        (
            base(json!({"temperature": "hot"})),
            "temperature",
            "invalid type",
        ),
        (json!({"model": "m"}), "input", "required"),
    ];
    for (body, path, message) in cases {
        let err = refusal(body.clone());
        assert_eq!(err.path, path, "{body}: {err}");
        assert!(err.message.contains(message), "{body}: {err}");
    }
    let ok = parse(&base(json!({"store": false, "truncation": "disabled", "text": {"format": {"type": "json_schema", "name": "out", "schema": {"type": "object"}, "strict": true}}})))
        .expect("stateless settings are fine");
    assert!(ok.request.response_format.is_some(), "text.format is kept");
}

fn request() -> ChatRequest {
    let mut request = ChatRequest::new(
        "gpt-5-codex",
        vec![Message::text(Role::User, "List the files.")],
    );
    request.tools = vec![switchboard_core::ToolSpec {
        name: "shell".into(),
        description: Some("Runs a command.".into()),
        parameters: json!({"type": "object"}),
    }];
    request
}

fn encode(deltas: &[Delta], end: &StreamEnd) -> Vec<switchboard_gateway::dialect::NamedEvent> {
    let mut stream = responses::ResponseStream::new(meta("resp_abc", true), &request());
    let mut out = Vec::new();
    for delta in deltas {
        out.extend(stream.on_delta(delta));
    }
    out.extend(stream.finish(end));
    out
}

fn usage() -> Usage {
    Usage {
        prompt_tokens: 1200,
        completion_tokens: 80,
        cached_tokens: 1024,
        reasoning_tokens: 40,
        ..Usage::default()
    }
}

fn tool_turn() -> Vec<Delta> {
    vec![
        Delta::Reasoning {
            text: "I will run ".into(),
        },
        Delta::Reasoning { text: "ls.".into() },
        Delta::ReasoningDetails {
            details: vec![
                json!({"type": "reasoning.encrypted", "data": "gAAAAB", "format": "openai-responses-v1", "id": "rs_up", "index": 0}),
            ],
        },
        Delta::Text {
            text: "Listing".into(),
        },
        Delta::Text {
            text: " now.".into(),
        },
        Delta::ToolCall {
            call: ToolCall {
                id: "call_1".into(),
                name: "shell".into(),
                arguments: "{\"command\":[\"ls\"]}".into(),
            },
        },
        Delta::Usage { usage: usage() },
        Delta::Finish {
            reason: FinishReason::ToolCalls,
        },
    ]
}

#[test]
fn a_stream_has_the_real_event_sequence_and_ends_with_the_whole_response() {
    let events = named(&encode(
        &tool_turn(),
        &StreamEnd {
            usage: usage(),
            ..StreamEnd::default()
        },
    ));
    for (i, event) in events.iter().enumerate() {
        assert_eq!(
            event["data"]["sequence_number"], i,
            "sequence numbers count every event from 0"
        );
    }
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        [
            "response.created",
            "response.in_progress",
            "response.output_item.added",
            "response.reasoning_summary_part.added",
            "response.reasoning_summary_text.delta",
            "response.reasoning_summary_text.delta",
            "response.reasoning_summary_text.done",
            "response.reasoning_summary_part.done",
            "response.output_item.done",
            "response.output_item.added",
            "response.content_part.added",
            "response.output_text.delta",
            "response.output_text.delta",
            "response.output_text.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.output_item.added",
            "response.function_call_arguments.delta",
            "response.function_call_arguments.done",
            "response.output_item.done",
            "response.completed",
        ]
    );
    let done: Vec<Value> = events
        .iter()
        .filter(|e| e["event"] == "response.output_item.done")
        .map(|e| e["data"]["item"].clone())
        .collect();
    let completed = &events.last().expect("events")["data"]["response"];
    assert_eq!(
        completed["output"],
        Value::Array(done),
        "the final output is the finished items"
    );
    assert_eq!(
        completed["usage"],
        json!({"input_tokens": 1200, "input_tokens_details": {"cached_tokens": 1024, "cache_write_tokens": 0}, "output_tokens": 80, "output_tokens_details": {"reasoning_tokens": 40}, "total_tokens": 1280}),
        "usage in the Responses shape Codex reads"
    );
    // The fields the OpenAI SDKs' `Response` type requires.
    for key in [
        "id",
        "created_at",
        "error",
        "incomplete_details",
        "instructions",
        "metadata",
        "model",
        "object",
        "output",
        "parallel_tool_calls",
        "temperature",
        "tool_choice",
        "tools",
        "top_p",
    ] {
        assert!(
            completed.get(key).is_some(),
            "`{key}` in the response object"
        );
    }
    snapshot!("responses_stream_tool_turn", &events);
    // Codex sends the reasoning item back; OpenAI's reasoning returns with its own item id.
    let item = completed["output"][0].clone();
    let next = parse(&json!({"model": "m", "input": [{"role": "user", "content": "hi"}, item]}))
        .expect("parses");
    assert_eq!(
        next.request.messages[1].reasoning_details,
        Some(json!([
            {"type": "reasoning.summary", "summary": "I will run ls.", "format": "openai-responses-v1"},
            {"type": "reasoning.encrypted", "data": "gAAAAB", "format": "openai-responses-v1", "id": "rs_up"},
        ])),
        "the upstream's id, not the item id Switchboard gave it"
    );
}

#[test]
fn a_whole_answer_is_the_streams_final_response() {
    let answer = Answer {
        id: "resp_abc".into(),
        model: "claude-sonnet-4-0".into(),
        created_unix: 1_767_225_600,
        content: "Listing now.".into(),
        reasoning: "I will run ls.".into(),
        reasoning_details: vec![
            json!({"type": "reasoning.encrypted", "data": "gAAAAB", "format": "openai-responses-v1", "id": "rs_up", "index": 0}),
        ],
        tool_calls: vec![ToolCall {
            id: "call_1".into(),
            name: "shell".into(),
            arguments: "{\"command\":[\"ls\"]}".into(),
        }],
        finish: Some(FinishReason::ToolCalls),
        usage: usage(),
        citations: Vec::new(),
    };
    let streamed = named(&encode(
        &tool_turn(),
        &StreamEnd {
            usage: usage(),
            ..StreamEnd::default()
        },
    ));
    assert_eq!(
        responses::body(&answer, &request()),
        streamed.last().expect("events")["data"]["response"],
        "the same response object either way"
    );
}

#[test]
fn signed_thinking_survives_a_codex_round_trip() {
    // Claude's real thinking stream, normalized by the Anthropic adapter, out as Responses.
    let deltas = anthropic_deltas(&fixture("anthropic/thinking_stream.sse"));
    let events = named(&encode(&deltas, &StreamEnd::default()));
    let reasoning = events
        .iter()
        .find(|e| {
            e["event"] == "response.output_item.done" && e["data"]["item"]["type"] == "reasoning"
        })
        .map(|e| e["data"]["item"].clone())
        .expect("a reasoning item");
    let opaque = reasoning["encrypted_content"]
        .as_str()
        .expect("encrypted_content");
    assert!(
        opaque.starts_with("anthropic-claude-v1|sig||EvMCCkYICxgC"),
        "Claude's signature, tagged: {opaque}"
    );
    // Codex sends the item back on its next turn.
    let next = json!({"model": "claude-sonnet-4-0", "input": [
        {"role": "user", "content": "How do I cross the street?"},
        reasoning,
        {"type": "function_call", "call_id": "call_1", "name": "shell", "arguments": "{}"},
        {"type": "function_call_output", "call_id": "call_1", "output": "ok"},
    ]});
    let parsed = parse(&next).expect("the replay parses");
    let details = parsed.request.messages[1]
        .reasoning_details
        .clone()
        .expect("details");
    let thinking: String = deltas
        .iter()
        .filter_map(|d| match d {
            Delta::Reasoning { text } => Some(text.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(details[0]["type"], "reasoning.text");
    assert_eq!(
        details[0]["text"], thinking,
        "the exact text the signature signs"
    );
    assert_eq!(
        details[0]["format"], "anthropic-claude-v1",
        "replayed only to Anthropic"
    );
    let sent = switchboard_providers::anthropic::request_body(&parsed.request).expect("sendable");
    assert_eq!(
        sent["messages"][1]["content"][0]["type"], "thinking",
        "Anthropic gets its thinking back"
    );
}

#[test]
fn limits_and_failures_end_as_incomplete_and_failed() {
    let cut = named(&encode(
        &[Delta::Text {
            text: "Part".into(),
        }],
        &StreamEnd {
            finish: Some(FinishReason::Length),
            ..StreamEnd::default()
        },
    ));
    let last = cut.last().expect("events");
    assert_eq!(last["event"], "response.incomplete");
    assert_eq!(
        last["data"]["response"]["incomplete_details"],
        json!({"reason": "max_output_tokens"})
    );
    let failed = named(&encode(
        &[],
        &StreamEnd {
            error: Some(ErrorInfo::new(
                ErrorCode::BudgetExceeded,
                "The Daily budget is spent.",
            )),
            ..StreamEnd::default()
        },
    ));
    let last = failed.last().expect("events");
    assert_eq!(last["event"], "response.failed");
    assert_eq!(
        last["data"]["response"]["error"],
        json!({"code": "insufficient_quota", "message": "The Daily budget is spent."}),
        "the code Codex stops on instead of retrying"
    );
    let (status, body) = responses::error(&ErrorInfo::new(ErrorCode::NotFound, "No model `x`."));
    assert_eq!(
        (status, body["error"]["code"].clone()),
        (404, json!("model_not_found"))
    );
}
