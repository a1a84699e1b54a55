//! OpenAI Chat Completions: recorded requests parse and survive the trip to an upstream;
//! streams and bodies accumulate, as the SDKs do, to what OpenAI itself sent.

use serde_json::{Value, json};
use switchboard_core::{
    Delta, ErrorCode, ErrorInfo, FinishReason, ProviderKind, ToolCall, Usage, Usd,
};
use switchboard_gateway::dialect::{Answer, BadRequest, StreamEnd, openai_chat};
use switchboard_providers::openai_compat::request_body;

use crate::support::{chunks, fixture, fixture_json, meta, openai_deltas, snapshot};

fn parse(value: &Value) -> Result<switchboard_gateway::dialect::ClientRequest, BadRequest> {
    openai_chat::parse(value.to_string().as_bytes())
}

fn refusal(value: Value) -> BadRequest {
    parse(&value).expect_err("the request is refused")
}

#[test]
fn recorded_requests_parse_and_reach_openai_unchanged() {
    for name in ["openai/tools_request_1.json", "openai/tools_request_2.json"] {
        let original = fixture_json(name);
        let parsed = parse(&original).expect("a real SDK request parses");
        assert!(
            parsed.stream && parsed.include_usage,
            "{name}: stream with usage"
        );
        let mut sent = request_body(ProviderKind::OpenAi, &parsed.request);
        // What the adapter adds or drops on its own account: `strict` is not carried (the
        // schema is), and tools' empty descriptions are kept as given.
        let mut expected = original.clone();
        for tool in expected["tools"].as_array_mut().into_iter().flatten() {
            tool["function"].as_object_mut().map(|f| f.remove("strict"));
        }
        sent.as_object_mut().map(|b| b.remove("stream_options"));
        expected.as_object_mut().map(|b| b.remove("stream_options"));
        assert_eq!(
            sent, expected,
            "{name}: the body OpenAI gets is the body the client sent"
        );
    }
}

#[test]
fn every_recorded_chat_request_parses() {
    for name in [
        "openai/o1_mini_system_request.json",
        "openrouter/reasoning_request.json",
        "openrouter/multi_turn_request.json",
    ] {
        let parsed = parse(&fixture_json(name));
        assert!(parsed.is_ok(), "{name}: {parsed:?}");
    }
}

#[test]
fn openrouter_client_requests_keep_reasoning_and_routing() {
    let budget = parse(&fixture_json("openrouter/reasoning_request.json")).expect("parses");
    snapshot!("openai_chat_openrouter_reasoning_request", &budget.request);
    let mut routed = fixture_json("openrouter/multi_turn_request.json");
    routed["provider"] = json!({"order": ["anthropic"]});
    routed["models"] = json!(["openai/gpt-4o"]);
    let parsed = parse(&routed).expect("parses");
    let sent = request_body(ProviderKind::OpenRouter, &parsed.request);
    assert_eq!(
        sent["provider"],
        json!({"order": ["anthropic"]}),
        "provider passed on"
    );
    assert_eq!(sent["models"], json!(["openai/gpt-4o"]), "models passed on");
    assert_eq!(
        sent["messages"],
        single_texts_as_strings(&routed["messages"]),
        "a multi-turn conversation reaches OpenRouter as sent (one text part sent as a string)"
    );
}

/// Messages with a lone text part written as a plain string, the equivalent form the adapter
/// sends.
fn single_texts_as_strings(messages: &Value) -> Value {
    let mut messages = messages.clone();
    for message in messages.as_array_mut().into_iter().flatten() {
        let lone = match message["content"].as_array() {
            Some(parts) if parts.len() == 1 && parts[0]["type"] == "text" => {
                Some(parts[0]["text"].clone())
            }
            _ => None,
        };
        if let Some(text) = lone {
            message["content"] = text;
        }
    }
    messages
}

#[test]
fn bad_requests_name_the_json_path() {
    let cases = [
        (
            json!({"model": "m", "messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "a"}, {"role": "user", "content": 5}]}),
            "messages[2].content",
            "expected a string or an array of parts",
        ),
        (
            json!({"model": "m", "messages": [{"role": "user", "content": "hi", "colour": "red"}]}),
            "messages[0].colour",
            "unknown field `colour`",
        ),
        (
            json!({"model": "m", "messages": [{"role": "robot", "content": "hi"}]}),
            "messages[0].role",
            "unknown variant `robot`",
        ),
        (
            json!({"model": "m", "messages": [{"role": "tool", "content": "42"}]}),
            "messages[0].tool_call_id",
            "needs the id of the call",
        ),
        (
            json!({"model": "m", "messages": [{"role": "user", "content": "hi"}], "n": 3}),
            "n",
            "one choice",
        ),
        (
            json!({"model": "m", "messages": [{"role": "user", "content": "hi"}], "temperature": 7}),
            "temperature",
            "between 0 and 2",
        ),
        (
            json!({"model": "m", "messages": [{"role": "user", "content": "hi"}], "tools": [{"type": "custom", "custom": {"name": "x"}}]}),
            "tools[0].type",
            "`custom` tools are not supported",
        ),
        (
            json!({"model": "m", "messages": []}),
            "messages",
            "at least one",
        ),
        (json!([1, 2]), "body", "expected a JSON object"),
        (
            json!({"messages": [{"role": "user", "content": "hi"}]}),
            "body",
            "missing field `model`",
        ),
    ];
    for (body, path, message) in cases {
        let err = refusal(body.clone());
        assert_eq!(err.path, path, "{body}: {err}");
        assert!(err.message.contains(message), "{body}: {err}");
        assert_eq!(err.to_string(), format!("{path}: {}", err.message));
    }
    let syntax = openai_chat::parse(b"{\"model\": ").expect_err("truncated JSON");
    assert_eq!(syntax.path, "model", "where the body broke off");
    assert!(
        syntax.message.contains("not valid JSON") && syntax.message.contains("line 1"),
        "a syntax error says where: {syntax}"
    );
}

#[test]
fn responses_style_parts_sent_to_chat_are_refused_where_they_are() {
    // OpenRouter dropped these parts silently and answered the first request with "Input must
    // have at least 1 token." and the second with Anthropic's "all messages must have non-empty
    // content"; neither says what was wrong.
    let err = refusal(fixture_json(
        "openrouter/responses_parts_in_chat_request.json",
    ));
    assert_eq!(err.path, "messages[0].content[0].type", "{err}");
    assert!(err.message.contains("`input_text`"), "{err}");
    let err = refusal(fixture_json("openrouter/reasoning_budget_request.json"));
    assert_eq!(err.path, "messages[1].content[0].type", "{err}");
}

#[test]
fn ignorable_fields_are_accepted_and_answer_changing_ones_are_refused() {
    let ok = json!({
        "model": "m", "messages": [{"role": "developer", "content": "be brief"}, {"role": "user", "content": "hi", "name": "ann"}],
        "user": "u1", "metadata": {"a": "b"}, "seed": 7, "n": 1, "parallel_tool_calls": false,
        "store": false, "service_tier": "auto", "logprobs": false, "frequency_penalty": 0,
        "prompt_cache_key": "k", "stop": "END", "max_tokens": 10, "max_completion_tokens": 20,
        "reasoning_effort": "low", "response_format": {"type": "json_object"},
        "tool_choice": "none", "stream": false, "stream_options": {"include_usage": true},
    });
    let parsed = parse(&ok).expect("real clients' extra fields are fine");
    assert_eq!(
        parsed.request.max_tokens,
        Some(20),
        "max_completion_tokens wins"
    );
    assert_eq!(
        parsed.request.stop,
        vec!["END".to_owned()],
        "one stop string"
    );
    assert!(!parsed.include_usage, "no usage chunk without a stream");
    snapshot!("openai_chat_ignorable_fields_request", &parsed.request);
    let err = refusal(
        json!({"model": "m", "messages": [{"role": "user", "content": "hi"}], "presence_penalty": 0.5}),
    );
    assert_eq!(err.path, "presence_penalty");
}

fn recorded_usage() -> Usage {
    Usage {
        prompt_tokens: 53,
        completion_tokens: 15,
        cached_tokens: 0,
        cache_write_tokens: 0,
        reasoning_tokens: 0,
        cost: Some(Usd::parse("0.0000169").expect("an amount")),
        ..Usage::default()
    }
}

/// What an OpenAI SDK's stream accumulator makes of chunks: the message, finish reason and usage.
fn accumulate(chunks: &[Value]) -> Value {
    let mut content = String::new();
    let mut role = Value::Null;
    let mut calls: Vec<Value> = Vec::new();
    let mut finish = Value::Null;
    let mut usage = Value::Null;
    for chunk in chunks {
        if !chunk["usage"].is_null() {
            usage = chunk["usage"].clone();
        }
        for choice in chunk["choices"].as_array().into_iter().flatten() {
            let delta = &choice["delta"];
            if let Some(r) = delta.get("role") {
                role = r.clone();
            }
            if let Some(text) = delta["content"].as_str() {
                content.push_str(text);
            }
            for call in delta["tool_calls"].as_array().into_iter().flatten() {
                let index = call["index"].as_u64().expect("an index") as usize;
                if calls.len() <= index {
                    calls.push(json!({"id": call["id"], "name": call["function"]["name"], "arguments": ""}));
                }
                let args = call["function"]["arguments"].as_str().unwrap_or_default();
                let joined = format!(
                    "{}{args}",
                    calls[index]["arguments"].as_str().unwrap_or_default()
                );
                calls[index]["arguments"] = json!(joined);
            }
            if !choice["finish_reason"].is_null() {
                finish = choice["finish_reason"].clone();
            }
        }
    }
    json!({"role": role, "content": content, "tool_calls": calls, "finish_reason": finish,
           "prompt_tokens": usage["prompt_tokens"], "completion_tokens": usage["completion_tokens"]})
}

fn encode(deltas: &[Delta], end: &StreamEnd) -> Vec<String> {
    let mut stream = openai_chat::ChatStream::new(meta("chatcmpl-1", true));
    let mut out = Vec::new();
    for delta in deltas {
        out.extend(stream.on_delta(delta));
    }
    out.extend(stream.finish(end));
    out
}

#[test]
fn a_recorded_tool_call_stream_re_encodes_to_the_same_accumulated_answer() {
    for (name, completion) in [
        ("openai/tools_stream_1.sse", 15),
        ("openai/tools_stream_2.sse", 9),
    ] {
        let recorded_body = fixture(name);
        let recorded: Vec<Value> = crate::support::sse(&recorded_body)
            .into_iter()
            .filter(|e| e.data != "[DONE]")
            .map(|e| serde_json::from_str(&e.data).expect("a chunk"))
            .collect();
        let deltas = openai_deltas(&recorded_body);
        let usage = deltas
            .iter()
            .find_map(|d| match d {
                Delta::Usage { usage } => Some(usage.clone()),
                _ => None,
            })
            .expect("the recording has usage");
        assert_eq!(usage.completion_tokens, completion, "{name}");
        let ours = chunks(&encode(
            &deltas,
            &StreamEnd {
                usage,
                ..StreamEnd::default()
            },
        ));
        assert_eq!(
            accumulate(&ours),
            accumulate(&recorded),
            "{name}: same answer, same usage"
        );
        let last = ours.last().expect("chunks");
        assert_eq!(
            last["choices"],
            json!([]),
            "{name}: the usage chunk has no choices"
        );
        assert!(
            ours[..ours.len() - 1]
                .iter()
                .all(|c| c["usage"].is_null() && c.get("usage").is_some()),
            "{name}: every other chunk says `usage: null`, as OpenAI's do"
        );
        for chunk in &ours {
            for key in ["id", "object", "created", "model", "choices"] {
                assert!(
                    chunk.get(key).is_some(),
                    "{name}: {key} in every chunk, as the SDKs require"
                );
            }
        }
    }
}

#[test]
fn a_stream_with_reasoning_tools_and_usage_has_openais_exact_chunk_sequence() {
    let deltas = [
        Delta::Meta {
            generation_id: Some("gen-1".into()),
            model: Some("x".into()),
            served_by: None,
        },
        Delta::Reasoning {
            text: "Let me look.".into(),
        },
        Delta::Text {
            text: "Checking".into(),
        },
        Delta::ToolCall {
            call: ToolCall {
                id: "call_a".into(),
                name: "get_capital".into(),
                arguments: "{\"country\":\"UK\"}".into(),
            },
        },
        Delta::ToolCall {
            call: ToolCall {
                id: "call_b".into(),
                name: "get_capital".into(),
                arguments: "{\"country\":\"FR\"}".into(),
            },
        },
        Delta::Usage {
            usage: recorded_usage(),
        },
        Delta::Finish {
            reason: FinishReason::ToolCalls,
        },
    ];
    let end = StreamEnd {
        usage: recorded_usage(),
        finish: None,
        error: None,
        served_model: Some("openai/gpt-4o-mini".into()),
    };
    snapshot!("openai_chat_stream_tools", chunks(&encode(&deltas, &end)));
}

#[test]
fn a_failure_mid_stream_sends_usage_then_an_error_chunk_the_sdks_raise() {
    let end = StreamEnd {
        usage: recorded_usage(),
        finish: None,
        error: Some(ErrorInfo::new(
            ErrorCode::Upstream,
            "The provider stopped answering.",
        )),
        served_model: None,
    };
    let out = chunks(&encode(&[Delta::Text { text: "Hal".into() }], &end));
    snapshot!("openai_chat_stream_error", &out);
    let last = out.last().expect("chunks");
    assert_eq!(
        last["error"]["message"], "The provider stopped answering.",
        "the SDK raises on a top-level error"
    );
    assert_eq!(
        out[out.len() - 2]["usage"]["completion_tokens"],
        15,
        "usage first: it was billed"
    );
}

#[test]
fn a_whole_answer_is_a_chat_completion() {
    let answer = Answer {
        id: "chatcmpl-1".into(),
        model: "gpt-4o-mini".into(),
        created_unix: 1_767_225_600,
        content: String::new(),
        reasoning: "Use the tool.".into(),
        reasoning_details: Vec::new(),
        tool_calls: vec![ToolCall {
            id: "call_a".into(),
            name: "get_capital".into(),
            arguments: "{\"country\":\"UK\"}".into(),
        }],
        finish: Some(FinishReason::ToolCalls),
        usage: recorded_usage(),
        citations: Vec::new(),
    };
    let body = openai_chat::body(&answer);
    assert_eq!(
        body["choices"][0]["message"]["content"],
        Value::Null,
        "null content beside tool calls"
    );
    // The fields the OpenAI SDKs' `ChatCompletion` type requires.
    for pointer in [
        "/id",
        "/object",
        "/created",
        "/model",
        "/choices/0/index",
        "/choices/0/finish_reason",
        "/choices/0/message/role",
        "/choices/0/message/content",
        "/usage/total_tokens",
    ] {
        assert!(body.pointer(pointer).is_some(), "{pointer} present");
    }
    snapshot!("openai_chat_body_tools", &body);
}

#[test]
fn errors_have_openais_envelope_and_status() {
    let recorded = fixture_json("openai/o1_mini_system_error.json");
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v["error"]
            .as_object()
            .expect("an error object")
            .keys()
            .cloned()
            .collect();
        k.sort();
        k
    };
    let mut table = Vec::new();
    for code in [
        ErrorCode::InvalidInput,
        ErrorCode::BadRequest,
        ErrorCode::Auth,
        ErrorCode::NoCredits,
        ErrorCode::BudgetExceeded,
        ErrorCode::Moderation,
        ErrorCode::NotFound,
        ErrorCode::RateLimited,
        ErrorCode::Timeout,
        ErrorCode::Upstream,
        ErrorCode::Network,
        ErrorCode::Decode,
        ErrorCode::KeychainUnavailable,
        ErrorCode::Storage,
        ErrorCode::Internal,
    ] {
        let (status, body) = openai_chat::error(&ErrorInfo::new(code, "Something happened."));
        assert_eq!(
            keys(&body),
            keys(&recorded["body"]),
            "{code:?}: OpenAI's four fields"
        );
        table.push(json!({"code": code, "status": status, "type": body["error"]["type"], "error_code": body["error"]["code"]}));
    }
    snapshot!("openai_chat_error_table", &table);
    let (status, body) = openai_chat::bad_request(&BadRequest::new(
        "messages[0].role",
        "unknown variant `robot`",
    ));
    assert_eq!(
        status, recorded["status"],
        "a refusal is a 400 like OpenAI's"
    );
    assert_eq!(
        body["error"]["param"], "messages[0].role",
        "param names the path, as OpenAI's does"
    );
    assert_eq!(body["error"]["type"], recorded["body"]["error"]["type"]);
}
