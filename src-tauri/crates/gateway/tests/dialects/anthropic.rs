//! Anthropic Messages: recorded requests parse and survive the trip to Anthropic; a recorded
//! thinking stream, normalized by the real adapter and re-encoded, has Anthropic's exact event
//! sequence; tool calls both ways; errors and token counts.

use serde_json::{Value, json};
use switchboard_core::{
    Delta, ErrorCode, ErrorInfo, FinishReason, ReasoningEffort, Role, ToolCall, Usage,
};
use switchboard_gateway::dialect::{Answer, BadRequest, StreamEnd, anthropic};
use switchboard_providers::anthropic::request_body;

use crate::support::{anthropic_deltas, fixture, fixture_json, meta, named, snapshot, sse};

fn parse(value: &Value) -> Result<switchboard_gateway::dialect::ClientRequest, BadRequest> {
    anthropic::parse(value.to_string().as_bytes())
}

fn refusal(value: Value) -> BadRequest {
    parse(&value).expect_err("the request is refused")
}

/// A recorded body as the adapter would send it: `is_error: false` is the default it leaves out.
fn without_default_flags(mut body: Value) -> Value {
    for message in body["messages"].as_array_mut().into_iter().flatten() {
        for block in message["content"].as_array_mut().into_iter().flatten() {
            if block["is_error"] == json!(false) {
                block.as_object_mut().map(|b| b.remove("is_error"));
            }
        }
    }
    body
}

#[test]
fn recorded_requests_parse_and_reach_anthropic_unchanged() {
    for name in [
        "anthropic/thinking_request.json",
        "anthropic/parallel_tools_request_1.json",
        "anthropic/parallel_tools_request_2.json",
    ] {
        let original = fixture_json(name);
        let parsed = parse(&original).expect("a real SDK request parses");
        let sent = request_body(&parsed.request).expect("the adapter can send it");
        assert_eq!(
            sent,
            without_default_flags(original),
            "{name}: Anthropic gets what the client sent"
        );
    }
}

#[test]
fn a_tool_round_trip_becomes_tool_messages_right_after_the_calls() {
    let parsed = parse(&fixture_json("anthropic/parallel_tools_request_2.json")).expect("parses");
    let roles: Vec<Role> = parsed.request.messages.iter().map(|m| m.role).collect();
    assert_eq!(
        roles,
        [
            Role::System,
            Role::User,
            Role::Assistant,
            Role::Tool,
            Role::Tool,
            Role::Tool,
            Role::Tool
        ],
        "tool results follow the turn that called them, as OpenAI-style upstreams require"
    );
    snapshot!("anthropic_parallel_tools_request", &parsed.request);
}

#[test]
fn claude_code_shapes_are_accepted() {
    let body = json!({
        "model": "claude-sonnet-4-5",
        "max_tokens": 32000,
        "stream": true,
        "metadata": {"user_id": "user_abc_session_1"},
        "system": [
            {"type": "text", "text": "You are Claude Code.", "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "\nHelp with software.", "cache_control": {"type": "ephemeral", "ttl": "1h"}},
        ],
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "Fix the bug", "cache_control": {"type": "ephemeral"}}]},
            {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "Read the file first.", "signature": "EqQBCkYIBRgCKkA"},
                {"type": "redacted_thinking", "data": "EmwKAhgBEgy3"},
                {"type": "tool_use", "id": "toolu_01", "name": "Read", "input": {"file_path": "/a.rs"}},
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_01", "content": [{"type": "text", "text": "fn main() {}"}, {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBOR"}}]},
                {"type": "text", "text": "<system-reminder>keep going</system-reminder>"},
            ]},
            {"role": "system", "content": "Mid-conversation note."},
        ],
        "tools": [{"name": "Read", "description": "Reads a file", "input_schema": {"type": "object", "properties": {"file_path": {"type": "string"}}, "required": ["file_path"]}, "cache_control": {"type": "ephemeral"}}],
        "tool_choice": {"type": "auto", "disable_parallel_tool_use": false},
        "thinking": {"type": "enabled"},
        "output_config": {"effort": "high"},
        "context_management": {"edits": [{"type": "clear_thinking_20251015", "keep": "all"}]},
        "temperature": 1,
    });
    let parsed = parse(&body).expect("Claude Code's request parses");
    let reasoning = parsed.request.reasoning.clone().expect("thinking is on");
    assert_eq!(
        reasoning.effort,
        Some(ReasoningEffort::High),
        "bare `enabled` takes the effort"
    );
    let assistant = &parsed.request.messages[2];
    assert_eq!(
        assistant.reasoning_details,
        Some(json!([
            {"type": "reasoning.text", "text": "Read the file first.", "signature": "EqQBCkYIBRgCKkA", "format": "anthropic-claude-v1"},
            {"type": "reasoning.encrypted", "data": "EmwKAhgBEgy3", "format": "anthropic-claude-v1"},
        ])),
        "thinking is kept for replay, in the format the Anthropic adapter replays"
    );
    let sent = request_body(&parsed.request).expect("the adapter can send it");
    assert_eq!(
        sent["messages"][1]["content"][0],
        json!({"type": "thinking", "thinking": "Read the file first.", "signature": "EqQBCkYIBRgCKkA"}),
        "the signed thinking reaches Anthropic as Claude Code sent it"
    );
    assert_eq!(
        sent["messages"][1]["content"][1],
        json!({"type": "redacted_thinking", "data": "EmwKAhgBEgy3"})
    );
    snapshot!("anthropic_claude_code_request", &parsed.request);
}

#[test]
fn bad_requests_name_the_json_path() {
    let base = |extra: Value| {
        let mut body = json!({"model": "m", "max_tokens": 10, "messages": [{"role": "user", "content": "hi"}]});
        for (k, v) in extra.as_object().expect("an object") {
            body[k] = v.clone();
        }
        body
    };
    let cases = [
        (
            json!({"model": "m", "messages": [{"role": "user", "content": "hi"}]}),
            "max_tokens",
            "required",
        ),
        (
            base(
                json!({"tools": [{"type": "web_search_20250305", "name": "web_search", "max_uses": 5}]}),
            ),
            "tools[0].type",
            "`web_search_20250305`",
        ),
        (
            base(json!({"tools": [{"name": "f", "input_schema": {}, "colour": 1}]})),
            "tools[0].colour",
            "unknown field",
        ),
        (
            base(json!({"messages": [{"role": "user", "content": [{"type": "text", "text": 3}]}]})),
            "messages[0].content[0].text",
            "invalid type",
        ),
        (
            base(
                json!({"messages": [{"role": "assistant", "content": [{"type": "server_tool_use", "id": "s", "name": "web_search", "input": {}}]}]}),
            ),
            "messages[0].content[0].type",
            "server tools",
        ),
        (
            base(
                json!({"messages": [{"role": "user", "content": [{"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBER"}}]}]}),
            ),
            "messages[0].content[0].source",
            "plain-text documents",
        ),
        (
            base(json!({"messages": [{"role": "user", "content": 7}]})),
            "messages[0].content",
            "expected a string or an array of content blocks",
        ),
        (
            base(json!({"mcp_servers": [{"type": "url", "url": "https://x"}]})),
            "mcp_servers",
            "MCP",
        ),
        (
            base(json!({"thinking": {"type": "sometimes"}})),
            "thinking.type",
            "unknown variant",
        ),
        (
            base(json!({"tool_choice": {"type": "tool"}})),
            "tool_choice.name",
            "names the tool",
        ),
    ];
    for (body, path, message) in cases {
        let err = refusal(body.clone());
        assert_eq!(err.path, path, "{body}: {err}");
        assert!(err.message.contains(message), "{body}: {err}");
    }
    let count = anthropic::parse_count_tokens(
        br#"{"model":"m","messages":[{"role":"user","content":"hi"}]}"#,
    )
    .expect("count_tokens needs no max_tokens");
    assert_eq!(
        anthropic::count_tokens(&count),
        3 + 4 + 1,
        "reply priming, framing, `hi`"
    );
    assert_eq!(anthropic::count_tokens_body(8), json!({"input_tokens": 8}));
}

fn encode(deltas: &[Delta], end: &StreamEnd) -> Vec<switchboard_gateway::dialect::NamedEvent> {
    let mut stream = anthropic::MessageStream::new(meta("msg_1", true));
    let mut out = Vec::new();
    for delta in deltas {
        out.extend(stream.on_delta(delta));
    }
    out.extend(stream.finish(end));
    out
}

/// (event, block index, delta type) per event: the sequence a client's state machine walks.
fn walk(events: &[Value]) -> Vec<(String, Value, Value)> {
    events
        .iter()
        .map(|e| {
            let data = &e["data"];
            let detail = data["delta"]["type"].clone();
            let detail = if detail.is_null() {
                data["content_block"]["type"].clone()
            } else {
                detail
            };
            (
                e["event"].as_str().unwrap_or_default().to_owned(),
                data["index"].clone(),
                detail,
            )
        })
        .collect()
}

#[test]
fn a_recorded_thinking_stream_re_encodes_to_anthropics_event_sequence() {
    let body = fixture("anthropic/thinking_stream.sse");
    let recorded: Vec<Value> = sse(&body)
        .into_iter()
        .filter(|e| e.event.as_deref() != Some("ping"))
        .map(|e| json!({"event": e.event, "data": serde_json::from_str::<Value>(&e.data).expect("JSON")}))
        // The adapter drops the empty `thinking_delta` Anthropic sends before the signature.
        .filter(|e| e["data"]["delta"]["thinking"] != json!(""))
        .collect();
    let deltas = anthropic_deltas(&body);
    let usage = deltas
        .iter()
        .find_map(|d| match d {
            Delta::Usage { usage } => Some(usage.clone()),
            _ => None,
        })
        .expect("usage");
    let ours = named(&encode(
        &deltas,
        &StreamEnd {
            usage,
            ..StreamEnd::default()
        },
    ));
    assert_eq!(
        walk(&ours),
        walk(&recorded),
        "same events, same indices, same delta types"
    );
    let text = |events: &[Value], key: &str| -> String {
        events
            .iter()
            .filter_map(|e| e["data"]["delta"][key].as_str())
            .collect()
    };
    for key in ["thinking", "text", "signature"] {
        assert_eq!(text(&ours, key), text(&recorded, key), "the same {key}");
    }
    let last_delta = |events: &[Value]| {
        events
            .iter()
            .rev()
            .find(|e| e["event"] == "message_delta")
            .cloned()
            .expect("message_delta")
    };
    assert_eq!(
        last_delta(&ours)["data"]["usage"]["output_tokens"],
        last_delta(&recorded)["data"]["usage"]["output_tokens"],
        "cumulative output tokens"
    );
    assert_eq!(
        last_delta(&ours)["data"]["usage"]["input_tokens"],
        43,
        "real input tokens at the end"
    );
    assert_eq!(
        ours[0]["data"]["message"]["usage"]["input_tokens"], 40,
        "the estimate at the start"
    );
    snapshot!("anthropic_thinking_stream", &ours);
}

#[test]
fn tool_calls_stream_as_tool_use_blocks_with_their_whole_input() {
    let deltas = [
        Delta::Text {
            text: "Let me check.".into(),
        },
        Delta::ToolCall {
            call: ToolCall {
                id: "toolu_a".into(),
                name: "retrieve_entity_info".into(),
                arguments: "{\"name\":\"Alice\"}".into(),
            },
        },
        Delta::ToolCall {
            call: ToolCall {
                id: "toolu_b".into(),
                name: "retrieve_entity_info".into(),
                arguments: "{\"name\":".into(),
            },
        },
        Delta::Finish {
            reason: FinishReason::ToolCalls,
        },
    ];
    let usage = Usage {
        prompt_tokens: 500,
        completion_tokens: 20,
        cached_tokens: 300,
        cache_write_tokens: 100,
        ..Usage::default()
    };
    let events = named(&encode(
        &deltas,
        &StreamEnd {
            usage,
            ..StreamEnd::default()
        },
    ));
    let stop = events
        .iter()
        .find(|e| e["event"] == "message_delta")
        .expect("message_delta");
    assert_eq!(stop["data"]["delta"]["stop_reason"], "tool_use");
    assert_eq!(
        stop["data"]["usage"],
        json!({"input_tokens": 100, "cache_creation_input_tokens": 100, "cache_read_input_tokens": 300, "output_tokens": 20}),
        "input excludes cache reads and writes, so nothing is counted twice"
    );
    // The fields the Anthropic SDKs' `Message` type requires, present from `message_start`.
    let start = &events[0]["data"]["message"];
    for key in [
        "id",
        "type",
        "role",
        "model",
        "content",
        "stop_reason",
        "stop_sequence",
        "usage",
    ] {
        assert!(start.get(key).is_some(), "`{key}` in message_start");
    }
    for key in [
        "input_tokens",
        "output_tokens",
        "cache_creation_input_tokens",
        "cache_read_input_tokens",
    ] {
        assert!(
            start["usage"][key].is_u64(),
            "`usage.{key}` is a number, never missing or null"
        );
    }
    snapshot!("anthropic_tool_stream", &events);
}

#[test]
fn foreign_reasoning_streams_tagged_and_comes_back_with_its_format() {
    let encrypted = json!({"type": "reasoning.encrypted", "data": "gAAAAB", "id": "rs_1", "format": "openai-responses-v1", "index": 0});
    let deltas = [
        Delta::Reasoning {
            text: "Thinking.".into(),
        },
        Delta::ReasoningDetails {
            details: vec![encrypted],
        },
        Delta::Text {
            text: "Done.".into(),
        },
    ];
    let events = named(&encode(&deltas, &StreamEnd::default()));
    let redacted = events
        .iter()
        .find(|e| e["data"]["content_block"]["type"] == "redacted_thinking")
        .expect("a redacted_thinking block");
    let data = redacted["data"]["content_block"]["data"]
        .as_str()
        .expect("data");
    assert_eq!(
        data, "openai-responses-v1|data|rs_1|gAAAAB",
        "tagged with its format and id"
    );
    let next = json!({"model": "m", "max_tokens": 10, "messages": [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": [{"type": "thinking", "thinking": "Thinking.", "signature": ""}, {"type": "redacted_thinking", "data": data}, {"type": "text", "text": "Done."}]},
        {"role": "user", "content": "more"},
    ]});
    let parsed = parse(&next).expect("the replay parses");
    assert_eq!(
        parsed.request.messages[1].reasoning_details,
        Some(
            json!([{"type": "reasoning.encrypted", "data": "gAAAAB", "format": "openai-responses-v1", "id": "rs_1"}])
        ),
        "restored with its own format, so it is replayed only to OpenAI"
    );
}

#[test]
fn a_failure_mid_stream_is_an_error_event_after_the_open_block_closes() {
    let end = StreamEnd {
        error: Some(ErrorInfo::new(ErrorCode::RateLimited, "Slow down.")),
        ..StreamEnd::default()
    };
    let events = named(&encode(&[Delta::Text { text: "Hal".into() }], &end));
    let names: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        [
            "message_start",
            "content_block_start",
            "content_block_delta",
            "content_block_stop",
            "error"
        ]
    );
    assert_eq!(
        events[4]["data"],
        json!({"type": "error", "error": {"type": "rate_limit_error", "message": "Slow down."}})
    );
}

#[test]
fn whole_answers_match_the_recorded_messages() {
    for name in [
        "anthropic/parallel_tools_response_1.json",
        "anthropic/parallel_tools_response_2.json",
    ] {
        let recorded = fixture_json(name);
        let calls = recorded["content"]
            .as_array()
            .expect("content")
            .iter()
            .filter(|b| b["type"] == "tool_use")
            .map(|b| ToolCall {
                id: b["id"].as_str().unwrap_or_default().into(),
                name: b["name"].as_str().unwrap_or_default().into(),
                arguments: b["input"].to_string(),
            })
            .collect();
        let answer = Answer {
            id: recorded["id"].as_str().unwrap_or_default().into(),
            model: recorded["model"].as_str().unwrap_or_default().into(),
            content: recorded["content"][0]["text"]
                .as_str()
                .unwrap_or_default()
                .into(),
            tool_calls: calls,
            finish: recorded["stop_reason"]
                .as_str()
                .map(FinishReason::from_wire),
            usage: Usage {
                prompt_tokens: recorded["usage"]["input_tokens"]
                    .as_u64()
                    .unwrap_or_default(),
                completion_tokens: recorded["usage"]["output_tokens"]
                    .as_u64()
                    .unwrap_or_default(),
                ..Usage::default()
            },
            ..Answer::default()
        };
        let mut expected = recorded.clone();
        let usage = expected["usage"].as_object_mut().expect("usage");
        usage.remove("cache_creation");
        usage.remove("service_tier");
        assert_eq!(
            anthropic::body(&answer),
            expected,
            "{name}: the same message the Anthropic SDK parsed"
        );
    }
}

#[test]
fn errors_have_anthropics_envelope_and_status() {
    let recorded = fixture_json("anthropic/effort_error.json");
    let mut table = Vec::new();
    for code in [
        ErrorCode::InvalidInput,
        ErrorCode::Auth,
        ErrorCode::NoCredits,
        ErrorCode::BudgetExceeded,
        ErrorCode::Moderation,
        ErrorCode::NotFound,
        ErrorCode::RateLimited,
        ErrorCode::Timeout,
        ErrorCode::Upstream,
        ErrorCode::Internal,
    ] {
        let (status, body) = anthropic::error(&ErrorInfo::new(code, "Something happened."));
        assert_eq!(body["type"], "error");
        assert_eq!(
            body["error"].as_object().map(|o| o.len()),
            Some(2),
            "type and message"
        );
        table.push(json!({"code": code, "status": status, "type": body["error"]["type"]}));
    }
    snapshot!("anthropic_error_table", &table);
    let (status, body) = anthropic::bad_request(&BadRequest::new(
        "output_config.effort",
        "unknown variant `ultra`",
    ));
    assert_eq!(status, recorded["status"]);
    assert_eq!(body["error"]["type"], recorded["body"]["error"]["type"]);
    let parsed = parse(&fixture_json("anthropic/effort_request.json")).expect("parses");
    assert!(
        parsed.request.reasoning.is_none(),
        "an effort without thinking does not turn reasoning on"
    );
}
