//! One-shot answers and recorded request bodies: the error cassette, the parallel tool-call round
//! trip, and the thinking request.

use serde_json::{Value, json};
use switchboard_core::{
    ChatRequest, Delta, FinishReason, Message, ProviderError, ReasoningOptions, Role, ToolCall,
    ToolSpec, Usage,
};
use switchboard_providers::anthropic::{parse_body, request_body};

use super::fixture;

const SYSTEM: &str = "\n    Use the `retrieve_entity_info` tool to get information about a specific person.\n    \
If you need to use `retrieve_entity_info` to get information about multiple people, try\n    \
to call them in parallel as much as possible.\n    \
Think step by step and then provide a single most probable concise answer.\n    ";
const QUESTION: &str = "Alice, Bob, Charlie and Daisy are a family. Who is the youngest?";
const PREAMBLE: &str = "I'll help you find out who is the youngest by retrieving information \
about each family member. I'll retrieve their entity information to compare their ages.";

/// The four parallel calls of the recording: (id, person).
const CALLS: [(&str, &str); 4] = [
    ("toolu_0167cfEnoQaPviGdVXA95zcu", "Alice"),
    ("toolu_01EEe2V5HD1Ac4rKiUR4HD2T", "Bob"),
    ("toolu_01XFyAjstT3966qvRynZyVPo", "Charlie"),
    ("toolu_013mnQZbgtK2oe3Mo3XKJsx3", "Daisy"),
];

/// Run as `scenarios::recorded_error_body::anthropic`, a scenario both wire formats share.
pub(crate) fn recorded_400_is_bad_request_with_anthropics_message() {
    let body = fixture!("error_invalid_request.response.json");
    let err = ProviderError::from_response(400, None, &body);
    assert!(
        matches!(&err, ProviderError::BadRequest { status: 400, message, .. }
            if message == "This model does not support effort level 'xhigh'. Supported levels: high, low, max, medium."),
        "the recorded invalid_request_error keeps Anthropic's message, got {err:?}"
    );
    let in_body = parse_body(&body).expect_err("an error envelope is not an answer");
    assert!(
        matches!(in_body, ProviderError::BadRequest { status: 400, .. }),
        "an error envelope in a 200 body is classified by its type, got {in_body:?}"
    );
}

#[test]
fn recorded_parallel_tool_use_body_gives_every_call() {
    let deltas = parse_body(&fixture!("parallel_tool_calls.1.response.json")).unwrap();
    let mut expected = vec![
        Delta::Meta {
            generation_id: Some("msg_011S3wxtqL5CVescWqS3zeg2".into()),
            model: Some("claude-haiku-4-5-20251001".into()),
            served_by: Some("Anthropic".into()),
        },
        Delta::Text {
            text: PREAMBLE.into(),
        },
    ];
    for (id, person) in CALLS {
        expected.push(Delta::ToolCall {
            call: ToolCall {
                id: id.into(),
                name: "retrieve_entity_info".into(),
                arguments: format!(r#"{{"name":"{person}"}}"#),
            },
        });
    }
    expected.push(Delta::Usage {
        usage: Usage {
            prompt_tokens: 423,
            completion_tokens: 202,
            ..Usage::default()
        },
    });
    expected.push(Delta::Finish {
        reason: FinishReason::ToolCalls,
    });
    assert_eq!(
        deltas, expected,
        "text, four tool calls in order, usage, tool_use finish"
    );
}

#[test]
fn recorded_final_answer_body_is_text_usage_and_stop() {
    let deltas = parse_body(&fixture!("parallel_tool_calls.2.response.json")).unwrap();
    assert_eq!(deltas.len(), 4, "Meta, Text, Usage, Finish: {deltas:?}");
    assert!(
        matches!(&deltas[1], Delta::Text { text } if text.starts_with("Based on the retrieved information")
            && text.ends_with("the youngest among the four family members.")),
        "the whole answer text, got {:?}",
        deltas[1]
    );
    assert_eq!(
        deltas[2],
        Delta::Usage {
            usage: Usage {
                prompt_tokens: 771,
                completion_tokens: 77,
                ..Usage::default()
            }
        },
        "usage"
    );
    assert_eq!(
        deltas[3],
        Delta::Finish {
            reason: FinishReason::Stop
        },
        "end_turn"
    );
}

fn family_request() -> ChatRequest {
    let mut request = ChatRequest::new(
        "claude-haiku-4-5",
        vec![
            Message::text(Role::System, SYSTEM),
            Message::text(Role::User, QUESTION),
        ],
    );
    request.max_tokens = Some(4096);
    request.stream = false;
    request.tools = vec![ToolSpec {
        name: "retrieve_entity_info".into(),
        description: Some("Get the knowledge about the given entity.".into()),
        parameters: json!({
            "additionalProperties": false,
            "properties": {"name": {"type": "string"}},
            "required": ["name"],
            "type": "object",
        }),
    }];
    request
}

/// The recorded body without what Switchboard does not model: `tool_choice` (auto is the
/// default) and `is_error` on tool results (false is the default).
fn meaningful(mut recorded: Value) -> Value {
    let body = recorded.as_object_mut().unwrap();
    assert_eq!(
        body.remove("tool_choice"),
        Some(json!({"type": "auto"})),
        "the recording used the default"
    );
    for message in body["messages"].as_array_mut().unwrap() {
        for block in message["content"].as_array_mut().unwrap() {
            if let Some(flag) = block.as_object_mut().unwrap().remove("is_error") {
                assert_eq!(
                    flag,
                    json!(false),
                    "the recording's results were not errors"
                );
            }
        }
    }
    recorded
}

#[test]
fn first_turn_request_matches_the_recording() {
    let recorded: Value =
        serde_json::from_str(&fixture!("parallel_tool_calls.1.request.json")).unwrap();
    assert_eq!(
        request_body(&family_request()).unwrap(),
        meaningful(recorded),
        "system lifted, tools translated, max_tokens and stream as recorded"
    );
}

#[test]
fn follow_up_turn_request_matches_the_recording() {
    let mut request = family_request();
    let mut assistant = Message::text(Role::Assistant, PREAMBLE);
    assistant.tool_calls = CALLS
        .iter()
        .map(|(id, person)| ToolCall {
            id: (*id).into(),
            name: "retrieve_entity_info".into(),
            arguments: format!(r#"{{"name":"{person}"}}"#),
        })
        .collect();
    request.messages.push(assistant);
    let results = [
        "alice is bob's wife",
        "bob is alice's husband",
        "charlie is alice's son",
        "daisy is bob's daughter and charlie's younger sister",
    ];
    for ((id, _), result) in CALLS.iter().zip(results) {
        let mut message = Message::text(Role::Tool, result);
        message.tool_call_id = Some((*id).into());
        request.messages.push(message);
    }
    let recorded: Value =
        serde_json::from_str(&fixture!("parallel_tool_calls.2.request.json")).unwrap();
    assert_eq!(
        request_body(&request).unwrap(),
        meaningful(recorded),
        "assistant tool_use blocks, then one user message with the four tool_result blocks"
    );
}

#[test]
fn thinking_request_matches_the_recording() {
    let mut request = ChatRequest::new(
        "claude-sonnet-4-0",
        vec![Message::text(Role::User, "How do I cross the street?")],
    );
    request.reasoning = Some(ReasoningOptions {
        effort: None,
        max_tokens: Some(1024),
        exclude: false,
    });
    let recorded: Value = serde_json::from_str(&fixture!("thinking_stream.request.json")).unwrap();
    assert_eq!(
        request_body(&request).unwrap(),
        recorded,
        "default max_tokens 4096, thinking budget 1024, stream true: exactly the recorded body"
    );
}
