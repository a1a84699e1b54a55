//! The request body per provider kind: OpenRouter's extras only for OpenRouter, and only what
//! the user set.

use serde_json::{Value, json};
use switchboard_core::{
    ChatRequest, Message, Part, ProviderKind, ReasoningEffort, ReasoningOptions, Role, ToolCall,
    ToolSpec,
};
use switchboard_providers::openai_compat::request_body;

const OPENROUTER_ONLY: [&str; 5] = ["usage", "provider", "models", "reasoning", "transforms"];

fn hello() -> ChatRequest {
    ChatRequest::new("openai/gpt-4o-mini", vec![Message::text(Role::User, "hi")])
}

fn everything_set() -> ChatRequest {
    let mut request = hello();
    request.max_tokens = Some(512);
    request.temperature = Some(0.7);
    request.top_p = Some(0.9);
    request.stop = vec!["END".into()];
    request.reasoning = Some(ReasoningOptions {
        effort: Some(ReasoningEffort::High),
        max_tokens: None,
        exclude: true,
    });
    request.routing.provider = Some(json!({"order": ["anthropic"], "allow_fallbacks": false}));
    request.routing.models = vec!["anthropic/claude-sonnet-4".into()];
    request
}

#[test]
fn an_openrouter_body_without_routing_sends_no_routing_keys() {
    let body = request_body(ProviderKind::OpenRouter, &hello());
    assert_eq!(
        body,
        json!({
            "model": "openai/gpt-4o-mini",
            "messages": [{"role": "user", "content": "hi"}],
            "stream": true,
            "stream_options": {"include_usage": true},
            "usage": {"include": true},
        }),
        "exactly the defaults: no provider, no models, no unset options"
    );
}

#[test]
fn an_openrouter_body_carries_what_the_user_set() {
    let body = request_body(ProviderKind::OpenRouter, &everything_set());
    // Provider as written, fallback models, reasoning, max_tokens, temperature and top_p exactly
    // as typed, stop.
    insta::assert_json_snapshot!("everything_set", body);
    assert!(
        body.get("reasoning_effort").is_none(),
        "OpenRouter takes the reasoning object"
    );

    let mut budget = hello();
    budget.reasoning = Some(ReasoningOptions {
        effort: None,
        max_tokens: Some(3500),
        exclude: false,
    });
    budget.stream = false;
    let body = request_body(ProviderKind::OpenRouter, &budget);
    // A budget, not streamed, usage asked for anyway.
    insta::assert_json_snapshot!("reasoning_budget", body);
    assert!(
        body.get("stream_options").is_none(),
        "no stream options without a stream"
    );
}

#[test]
fn openai_and_custom_bodies_never_carry_openrouter_fields() {
    for kind in [ProviderKind::OpenAi, ProviderKind::Custom] {
        let body = request_body(kind, &everything_set());
        for key in OPENROUTER_ONLY {
            assert!(
                body.get(key).is_none(),
                "{kind:?} body has no {key}: {body}"
            );
        }
        assert_eq!(
            body["reasoning_effort"],
            json!("high"),
            "{kind:?}: effort as reasoning_effort"
        );
        assert_eq!(
            body["stream_options"],
            json!({"include_usage": true}),
            "{kind:?}: usage in the stream"
        );
    }
    let openai = request_body(ProviderKind::OpenAi, &everything_set());
    assert_eq!(
        openai["max_completion_tokens"],
        json!(512),
        "OpenAI's reasoning models only take max_completion_tokens"
    );
    assert!(openai.get("max_tokens").is_none(), "and refuse max_tokens");
    let custom = request_body(ProviderKind::Custom, &everything_set());
    assert_eq!(
        custom["max_tokens"],
        json!(512),
        "compatible servers know max_tokens"
    );
}

/// Run as `scenarios::request_images::openai_compat`, a scenario both wire formats share.
pub(crate) fn images_tool_calls_and_tool_results_are_shaped_like_openai() {
    let mut request = hello();
    request.messages = vec![
        Message::text(Role::System, "be brief"),
        Message {
            role: Role::User,
            parts: vec![
                Part::Text {
                    text: "what is this?".into(),
                },
                Part::Image {
                    url: "data:image/png;base64,iVBORw0K".into(),
                },
            ],
            tool_calls: Vec::new(),
            tool_call_id: None,
            reasoning_details: None,
        },
        Message {
            role: Role::Assistant,
            parts: Vec::new(),
            tool_calls: vec![ToolCall {
                id: "call_1".into(),
                name: "lookup".into(),
                arguments: r#"{"q":"png"}"#.into(),
            }],
            tool_call_id: None,
            reasoning_details: Some(
                json!([{"type": "reasoning.encrypted", "data": "abc", "format": "xai-responses-v1", "index": 0}]),
            ),
        },
        Message {
            role: Role::Tool,
            parts: vec![Part::Text {
                text: "a PNG".into(),
            }],
            tool_calls: Vec::new(),
            tool_call_id: Some("call_1".into()),
            reasoning_details: None,
        },
    ];
    request.tools = vec![ToolSpec {
        name: "lookup".into(),
        description: Some("Looks things up".into()),
        parameters: json!({"type": "object", "properties": {"q": {"type": "string"}}}),
    }];
    let body = request_body(ProviderKind::OpenRouter, &request);
    assert_eq!(
        body["messages"],
        json!([
            {"role": "system", "content": "be brief"},
            {"role": "user", "content": [
                {"type": "text", "text": "what is this?"},
                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0K"}},
            ]},
            {"role": "assistant", "content": null,
             "tool_calls": [{"id": "call_1", "type": "function",
                             "function": {"name": "lookup", "arguments": "{\"q\":\"png\"}"}}],
             "reasoning_details": [{"type": "reasoning.encrypted", "data": "abc", "format": "xai-responses-v1", "index": 0}]},
            {"role": "tool", "content": "a PNG", "tool_call_id": "call_1"},
        ]),
        "messages in OpenAI's shape, reasoning details sent back unchanged"
    );
    assert_eq!(
        body["tools"],
        json!([{"type": "function", "function": {
            "name": "lookup", "description": "Looks things up",
            "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}}}]),
        "tools in OpenAI's shape"
    );
    let openai = request_body(ProviderKind::OpenAi, &request);
    assert!(
        openai["messages"][2].get("reasoning_details").is_none(),
        "reasoning details go back to OpenRouter only"
    );
    assert_eq!(
        openai["messages"][1], body["messages"][1],
        "images the same everywhere"
    );
}

#[test]
fn unset_options_are_omitted() {
    for kind in [
        ProviderKind::OpenRouter,
        ProviderKind::OpenAi,
        ProviderKind::Custom,
    ] {
        let body = request_body(kind, &hello());
        let keys: Vec<&str> = body
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        for key in [
            "max_tokens",
            "max_completion_tokens",
            "temperature",
            "top_p",
            "stop",
            "tools",
            "reasoning",
            "reasoning_effort",
            "provider",
            "models",
        ] {
            assert!(
                !keys.contains(&key),
                "{kind:?}: {key} is not sent unset: {keys:?}"
            );
        }
        assert!(body["messages"].is_array(), "{kind:?}: messages");
        assert_eq!(body["stream"], Value::Bool(true), "{kind:?}: stream");
    }
}

/// Run as `scenarios::request_tool_choice::openai_compat`, a scenario both wire formats share.
pub(crate) fn tool_choice_and_response_format_are_sent_in_openai_shape() {
    let mut request = hello();
    request.tool_choice = Some(switchboard_core::ToolChoice::Function {
        name: "lookup".into(),
    });
    request.response_format = Some(switchboard_core::ResponseFormat::JsonSchema {
        name: "answer".into(),
        description: None,
        schema: json!({"type": "object"}),
        strict: Some(true),
    });
    let no_tools = request_body(ProviderKind::OpenAi, &request);
    assert!(
        no_tools.get("tool_choice").is_none(),
        "OpenAI refuses tool_choice without tools"
    );
    assert_eq!(
        no_tools["response_format"],
        json!({"type": "json_schema", "json_schema": {"name": "answer", "schema": {"type": "object"}, "strict": true}}),
        "structured outputs in OpenAI's shape"
    );
    request.tools = vec![ToolSpec {
        name: "lookup".into(),
        description: None,
        parameters: json!({"type": "object"}),
    }];
    let with_tools = request_body(ProviderKind::OpenRouter, &request);
    assert_eq!(
        with_tools["tool_choice"],
        json!({"type": "function", "function": {"name": "lookup"}}),
        "a named tool choice"
    );
    request.tool_choice = Some(switchboard_core::ToolChoice::Required);
    request.response_format = Some(switchboard_core::ResponseFormat::JsonObject);
    let required = request_body(ProviderKind::OpenAi, &request);
    assert_eq!(required["tool_choice"], json!("required"), "required");
    assert_eq!(
        required["response_format"],
        json!({"type": "json_object"}),
        "JSON mode"
    );
}
