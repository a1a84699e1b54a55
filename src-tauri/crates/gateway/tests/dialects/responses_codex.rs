//! OpenAI Responses with the tools Codex CLI 0.171 really sends: namespaced tools go upstream
//! as plain functions and their calls come back with `namespace`; freeform (`custom`) tools go
//! upstream as functions taking one string and their calls come back as `custom_tool_call`
//! items, streamed with OpenAI's `response.custom_tool_call_input.*` events; hosted tools are
//! left out without failing the request; and past calls in Codex's history are named as the
//! upstream was offered them.

use serde_json::{Value, json};
use switchboard_core::{
    ChatRequest, ClientTool, Delta, FinishReason, ProviderKind, Role, ToolCall, ToolChoice, Usage,
};
use switchboard_gateway::dialect::{Answer, BadRequest, ClientRequest, StreamEnd, responses};
use switchboard_providers::openai_compat::request_body;

use crate::support::{fixture_json, meta, named};

fn parse(value: &Value) -> Result<ClientRequest, BadRequest> {
    responses::parse(value.to_string().as_bytes())
}

fn names(request: &ChatRequest) -> Vec<&str> {
    request.tools.iter().map(|t| t.name.as_str()).collect()
}

/// The names every upstream accepts for a function (OpenAI's and Anthropic's rule).
fn is_valid_function_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The tool calls of every assistant message, as (id, name, arguments).
fn history_calls(request: &ChatRequest) -> Vec<(String, String, String)> {
    request
        .messages
        .iter()
        .flat_map(|m| m.tool_calls.iter())
        .map(|c| (c.id.clone(), c.name.clone(), c.arguments.clone()))
        .collect()
}

const PATCH: &str = "*** Begin Patch\n*** Add File: hello.txt\n+hi\n*** End Patch\n";

#[test]
fn codexs_default_request_flattens_its_namespace_and_leaves_out_web_search() {
    // Codex 0.171 with a model it has no metadata for (any non-OpenAI model name): its own
    // functions, the `multi_agent_v1` namespace and a hosted `web_search`, and a history with
    // a namespaced call, a freeform call and their outputs.
    let parsed = parse(&fixture_json("responses/codex_0171_default_tool_turn.json"))
        .expect("Codex's default request parses");
    let request = &parsed.request;
    assert_eq!(
        names(request),
        [
            "exec_command",
            "write_stdin",
            "request_user_input",
            "view_image",
            "multi_agent_v1__close_agent",
            "multi_agent_v1__resume_agent",
            "multi_agent_v1__send_input",
            "multi_agent_v1__spawn_agent",
            "multi_agent_v1__wait_agent",
            "get_goal",
            "create_goal",
            "update_goal",
        ],
        "the namespace's members as functions, in place; web_search left out"
    );
    assert!(
        request
            .tools
            .iter()
            .all(|t| is_valid_function_name(&t.name)),
        "every name fits every upstream"
    );
    assert_eq!(
        request.client_tools[0],
        ClientTool {
            function: "multi_agent_v1__close_agent".into(),
            name: "close_agent".into(),
            namespace: Some("multi_agent_v1".into()),
            freeform: false,
        }
    );
    assert_eq!(request.tool_choice, Some(ToolChoice::Auto));
    assert_eq!(
        history_calls(request),
        [
            (
                "call_c1".into(),
                "multi_agent_v1__close_agent".into(),
                "{\"target\":\"nope\"}".into()
            ),
            (
                "call_p1".into(),
                "apply_patch".into(),
                json!({ "input": PATCH }).to_string()
            ),
            // A namespace this request does not offer is named the same way.
            (
                "call_w1".into(),
                "collaboration__list_agents".into(),
                "{}".into()
            ),
        ],
        "past calls named as the upstream is offered them; the freeform text as `input`"
    );
    let outputs: Vec<(&str, &str)> = request
        .messages
        .iter()
        .filter(|m| m.role == Role::Tool)
        .map(|m| {
            let text = match &m.parts[0] {
                switchboard_core::Part::Text { text } => text.as_str(),
                other => panic!("a text output, not {other:?}"),
            };
            (m.tool_call_id.as_deref().unwrap_or_default(), text)
        })
        .collect();
    assert_eq!(
        outputs,
        [
            (
                "call_c1",
                "invalid agent id nope: Error(ParseChar { character: 'n', index: 1 })"
            ),
            ("call_p1", "unsupported custom tool call: apply_patch"),
            ("call_w1", "unsupported call: collaborationlist_agents"),
        ],
        "a custom_tool_call_output is a tool result like a function's"
    );
    let sent = request_body(ProviderKind::OpenRouter, request);
    let sent_names: Vec<&str> = sent["tools"]
        .as_array()
        .expect("tools go upstream")
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(sent_names, names(request), "as functions, nothing else");
    assert_eq!(sent["tool_choice"], "auto");
}

#[test]
fn a_freeform_tool_becomes_a_function_taking_its_text() {
    // Codex 0.171 with `gpt-5.5`: a freeform `apply_patch` with a Lark grammar, and the hosted
    // `tool_search` and `web_search`.
    let parsed = parse(&fixture_json("responses/codex_0171_gpt55_tool_turn.json"))
        .expect("Codex's request for an OpenAI model parses");
    let request = &parsed.request;
    assert_eq!(
        names(request),
        [
            "exec_command",
            "write_stdin",
            "request_user_input",
            "apply_patch",
            "view_image",
            "get_goal",
            "create_goal",
            "update_goal",
        ],
        "tool_search and web_search left out"
    );
    let patch = &request.tools[3];
    assert_eq!(
        patch.parameters,
        json!({"type": "object", "properties": {"input": {"type": "string", "description": "The tool's input, as plain text."}}, "required": ["input"], "additionalProperties": false})
    );
    let description = patch.description.as_deref().unwrap_or_default();
    assert!(
        description.starts_with("The `apply_patch` tool can be used to edit files.")
            && description.contains("in the `input` string")
            && description.contains("lark grammar:\nstart: begin_patch hunk+ end_patch"),
        "the tool's description, where its text goes, and its grammar: {description}"
    );
    assert_eq!(
        request.client_tools,
        [ClientTool {
            function: "apply_patch".into(),
            name: "apply_patch".into(),
            namespace: None,
            freeform: true,
        }]
    );
}

#[test]
fn tools_added_in_the_conversation_join_the_request_tools() {
    // Codex 0.171 with `gpt-6.2-sol`: no `tools`, but an `additional_tools` input item with
    // namespaces (`functions` holds a freeform `exec`), and `reasoning.context`.
    let parsed = parse(&fixture_json("responses/codex_0171_gpt62_tool_turn.json"))
        .expect("Codex's request with additional_tools parses");
    let request = &parsed.request;
    assert_eq!(
        names(request),
        [
            "exec",
            "wait",
            "request_user_input",
            "request_user_input_async",
            "send_message_to_user_async",
            "clock__sleep",
            "collaboration__followup_task",
            "collaboration__interrupt_agent",
            "collaboration__list_agents",
            "collaboration__send_message",
            "collaboration__spawn_agent",
            "collaboration__wait_agent",
        ],
        "members of Codex's `functions` namespace keep their names"
    );
    assert!(request.client_tools.iter().any(|t| t.function == "exec"
        && t.freeform
        && t.namespace.as_deref() == Some("functions")));
    assert!(
        !request.messages.iter().any(|m| m.parts.iter().any(
            |p| matches!(p, switchboard_core::Part::Text { text } if text.contains("\"tools\""))
        )),
        "the item itself adds no message"
    );
    assert_eq!(
        history_calls(request)[2].1,
        "collaboration__list_agents",
        "a past call of a tool the item offers is named as offered"
    );
}

#[test]
fn hosted_tools_alone_leave_a_plain_request() {
    let parsed = parse(&json!({
        "model": "m", "input": "What is new in Rust?", "tool_choice": "auto",
        "tools": [
            {"type": "web_search", "external_web_access": false},
            {"type": "web_search_preview"},
            {"type": "image_generation", "output_format": "png"},
            {"type": "code_interpreter", "container": {"type": "auto"}},
            {"type": "local_shell"},
            {"type": "tool_search", "execution": "client", "description": "d", "parameters": {"type": "object"}},
        ],
    }))
    .expect("a request with only hosted tools is answered");
    assert!(parsed.request.tools.is_empty());
    assert!(parsed.request.client_tools.is_empty());
    let sent = request_body(ProviderKind::OpenAi, &parsed.request);
    assert!(
        sent.get("tools").is_none() && sent.get("tool_choice").is_none(),
        "no tools and no tool_choice upstream (OpenAI refuses a choice without tools): {sent}"
    );
}

#[test]
fn a_tool_choice_follows_the_tools_translation() {
    let tools = json!([
        {"type": "function", "name": "shell", "parameters": {"type": "object"}},
        {"type": "namespace", "name": "agents", "description": "Sub-agents.", "tools": [
            {"type": "function", "name": "spawn", "description": "Spawns.", "strict": false, "parameters": {"type": "object"}},
        ]},
        {"type": "custom", "name": "apply_patch", "description": "Edits files.", "format": {"type": "text"}},
        {"type": "web_search"},
    ]);
    let choice = |choice: Value| {
        parse(&json!({"model": "m", "input": "hi", "tools": tools, "tool_choice": choice}))
            .map(|p| p.request.tool_choice)
    };
    assert_eq!(
        choice(json!({"type": "custom", "name": "apply_patch"})),
        Ok(Some(ToolChoice::Function {
            name: "apply_patch".into()
        }))
    );
    assert_eq!(
        choice(json!({"type": "function", "name": "spawn", "namespace": "agents"})),
        Ok(Some(ToolChoice::Function {
            name: "agents__spawn".into()
        }))
    );
    assert_eq!(
        choice(json!({"type": "web_search_preview"})),
        Ok(Some(ToolChoice::Auto)),
        "a choice of a hosted tool that was left out lets the model choose"
    );
    assert_eq!(choice(json!("required")), Ok(Some(ToolChoice::Required)));
}

#[test]
fn what_cannot_be_served_is_refused_by_name() {
    let base = |tools: Value| json!({"model": "m", "input": "hi", "tools": tools});
    let cases = [
        (
            base(json!([{"type": "file_search", "vector_store_ids": ["vs_1"]}])),
            "tools[0].type",
            "files stored on OpenAI's servers",
        ),
        (
            base(
                json!([{"type": "namespace", "name": "a", "tools": [{"type": "namespace", "name": "b", "tools": []}]}]),
            ),
            "tools[0].tools[0].type",
            "not other namespaces",
        ),
        (
            base(json!([{"type": "teleport"}])),
            "tools[0].type",
            "`teleport` tools are not supported",
        ),
        (
            base(json!([{"type": "custom", "name": "x", "format": {"type": "regexp"}}])),
            "tools[0].format.type",
            "`text` or `grammar`",
        ),
        (
            base(json!([{"type": "function", "name": "x", "color": "red"}])),
            "tools[0].color",
            "unknown field",
        ),
    ];
    for (body, path, message) in cases {
        let err = parse(&body).expect_err("refused");
        assert_eq!(err.path, path, "{body}: {err}");
        assert!(err.message.contains(message), "{body}: {err}");
    }
}

#[test]
fn long_and_clashing_names_stay_apart_and_map_back() {
    let server = "mcp__a_documentation_server_with_a_rather_long_name__";
    let parsed = parse(&json!({"model": "m", "input": "hi", "tools": [
        {"type": "function", "name": "docs__search", "parameters": {"type": "object"}},
        {"type": "namespace", "name": "docs", "tools": [
            {"type": "function", "name": "search", "parameters": {"type": "object"}},
        ]},
        {"type": "namespace", "name": server, "tools": [
            {"type": "function", "name": "search_the_whole_documentation_index", "parameters": {"type": "object"}},
            {"type": "function", "name": "search_the_whole_documentation_index_again", "parameters": {"type": "object"}},
        ]},
        {"type": "custom", "name": "run script", "format": {"type": "text"}},
    ]}))
    .expect("parses");
    let request = parsed.request;
    let all = names(&request);
    assert_eq!(all[0], "docs__search", "a plain function keeps its name");
    assert!(all.iter().all(|n| is_valid_function_name(n)), "{all:?}");
    let mut unique = all.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), all.len(), "no two alike: {all:?}");
    assert!(all[2].starts_with("mcp__a_documentation_server"), "{all:?}");
    assert_eq!(all[4], "run_script");

    // Each function called goes back as the tool the client declared.
    let calls: Vec<Delta> = all
        .iter()
        .enumerate()
        .map(|(i, name)| Delta::ToolCall {
            call: ToolCall {
                id: format!("call_{i}"),
                name: (*name).to_owned(),
                arguments: "{\"input\":\"ls\"}".into(),
            },
        })
        .collect();
    let events = named(&encode(&request, &calls));
    let items: Vec<Value> = done_items(&events);
    let shapes: Vec<(&str, &str, Option<&str>)> = items
        .iter()
        .map(|i| {
            (
                i["type"].as_str().unwrap_or_default(),
                i["name"].as_str().unwrap_or_default(),
                i.get("namespace").and_then(Value::as_str),
            )
        })
        .collect();
    assert_eq!(
        shapes,
        [
            ("function_call", "docs__search", None),
            ("function_call", "search", Some("docs")),
            (
                "function_call",
                "search_the_whole_documentation_index",
                Some(server)
            ),
            (
                "function_call",
                "search_the_whole_documentation_index_again",
                Some(server)
            ),
            ("custom_tool_call", "run script", None),
        ]
    );
}

fn encode(
    request: &ChatRequest,
    deltas: &[Delta],
) -> Vec<switchboard_gateway::dialect::NamedEvent> {
    let mut stream = responses::ResponseStream::new(meta("resp_abc", true), request);
    let mut out = Vec::new();
    for delta in deltas {
        out.extend(stream.on_delta(delta));
    }
    out.extend(stream.finish(&StreamEnd {
        usage: usage(),
        finish: Some(FinishReason::ToolCalls),
        ..StreamEnd::default()
    }));
    out
}

fn done_items(events: &[Value]) -> Vec<Value> {
    events
        .iter()
        .filter(|e| e["event"] == "response.output_item.done")
        .map(|e| e["data"]["item"].clone())
        .collect()
}

fn usage() -> Usage {
    Usage {
        prompt_tokens: 900,
        completion_tokens: 60,
        ..Usage::default()
    }
}

/// Codex's default request, then the upstream's answer: text, a call of a namespaced tool and
/// a call of the freeform `apply_patch` (a custom tool in the request below).
fn codex_turn() -> (ChatRequest, Vec<Delta>) {
    let mut body = fixture_json("responses/codex_0171_default_tool_turn.json");
    body["tools"]
        .as_array_mut()
        .expect("tools")
        .push(json!({"type": "custom", "name": "apply_patch", "description": "Edits files.", "format": {"type": "grammar", "syntax": "lark", "definition": "start: line+"}}));
    let request = parse(&body).expect("parses").request;
    let deltas = vec![
        Delta::Text {
            text: "Spawning.".into(),
        },
        Delta::ToolCall {
            call: ToolCall {
                id: "call_spawn".into(),
                name: "multi_agent_v1__spawn_agent".into(),
                arguments: "{\"message\":\"Count the files.\"}".into(),
            },
        },
        Delta::ToolCall {
            call: ToolCall {
                id: "call_patch".into(),
                name: "apply_patch".into(),
                arguments: json!({ "input": PATCH }).to_string(),
            },
        },
        Delta::Finish {
            reason: FinishReason::ToolCalls,
        },
    ];
    (request, deltas)
}

#[test]
fn calls_stream_back_in_codexs_shapes() {
    let (request, deltas) = codex_turn();
    let events = named(&encode(&request, &deltas));
    for (i, event) in events.iter().enumerate() {
        assert_eq!(event["data"]["sequence_number"], i);
    }
    let sequence: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        sequence,
        [
            "response.created",
            "response.in_progress",
            "response.output_item.added",
            "response.content_part.added",
            "response.output_text.delta",
            "response.output_text.done",
            "response.content_part.done",
            "response.output_item.done",
            "response.output_item.added",
            "response.function_call_arguments.delta",
            "response.function_call_arguments.done",
            "response.output_item.done",
            "response.output_item.added",
            "response.custom_tool_call_input.delta",
            "response.custom_tool_call_input.done",
            "response.output_item.done",
            "response.completed",
        ]
    );
    let data = |i: usize| events[i]["data"].clone();
    assert_eq!(
        data(8)["item"],
        json!({"id": "fc_abc_1", "type": "function_call", "status": "in_progress", "arguments": "",
            "call_id": "call_spawn", "name": "spawn_agent", "namespace": "multi_agent_v1"}),
        "the call names the tool and its namespace, as OpenAI's do"
    );
    assert_eq!(
        data(10)["name"],
        "spawn_agent",
        "arguments.done names the tool too"
    );
    assert_eq!(
        data(12)["item"],
        json!({"id": "ctc_abc_2", "type": "custom_tool_call", "status": "in_progress", "input": "",
            "call_id": "call_patch", "name": "apply_patch"})
    );
    assert_eq!(
        data(13),
        json!({"type": "response.custom_tool_call_input.delta", "sequence_number": 13,
            "item_id": "ctc_abc_2", "output_index": 2, "delta": PATCH})
    );
    assert_eq!(
        data(14),
        json!({"type": "response.custom_tool_call_input.done", "sequence_number": 14,
            "item_id": "ctc_abc_2", "output_index": 2, "input": PATCH})
    );
    assert_eq!(
        data(15)["item"],
        json!({"id": "ctc_abc_2", "type": "custom_tool_call", "status": "completed", "input": PATCH,
            "call_id": "call_patch", "name": "apply_patch"}),
        "the patch itself, not JSON around it"
    );
    let completed = &events.last().expect("events")["data"]["response"];
    assert_eq!(completed["output"], Value::Array(done_items(&events)));
}

#[test]
fn a_whole_answer_has_the_same_codex_shaped_items() {
    let (request, deltas) = codex_turn();
    let answer = Answer {
        id: "resp_abc".into(),
        model: "claude-sonnet-4-0".into(),
        created_unix: 1_767_225_600,
        content: "Spawning.".into(),
        tool_calls: deltas
            .iter()
            .filter_map(|d| match d {
                Delta::ToolCall { call } => Some(call.clone()),
                _ => None,
            })
            .collect(),
        finish: Some(FinishReason::ToolCalls),
        usage: usage(),
        ..Answer::default()
    };
    let streamed = named(&encode(&request, &deltas));
    let body = responses::body(&answer, &request);
    assert_eq!(body, streamed.last().expect("events")["data"]["response"]);
    assert_eq!(body["output"][1]["namespace"], "multi_agent_v1");
    assert_eq!(body["output"][2]["type"], "custom_tool_call");
    assert_eq!(body["output"][2]["input"], PATCH);
}

#[test]
fn codexs_next_turn_replays_the_calls_under_the_upstream_names() {
    let (request, deltas) = codex_turn();
    let items = done_items(&named(&encode(&request, &deltas)));
    // Codex sends the output items back with their results and the tools again.
    let mut body = fixture_json("responses/codex_0171_default_tool_turn.json");
    body["tools"]
        .as_array_mut()
        .expect("tools")
        .push(json!({"type": "custom", "name": "apply_patch", "description": "Edits files."}));
    let mut input =
        vec![json!({"role": "user", "content": "Count the files, then add hello.txt."})];
    input.extend(items);
    input.push(json!({"type": "function_call_output", "call_id": "call_spawn", "output": "{\"agent_id\":\"a1\"}"}));
    input.push(json!({"type": "custom_tool_call_output", "call_id": "call_patch", "output": [{"type": "input_text", "text": "Done!"}]}));
    body["input"] = Value::Array(input);
    let next = parse(&body).expect("the next turn parses").request;
    assert_eq!(
        history_calls(&next),
        [
            (
                "call_spawn".into(),
                "multi_agent_v1__spawn_agent".into(),
                "{\"message\":\"Count the files.\"}".into()
            ),
            (
                "call_patch".into(),
                "apply_patch".into(),
                json!({ "input": PATCH }).to_string()
            ),
        ],
        "the upstream sees the calls it made, by the names it called"
    );
    let roles: Vec<Role> = next.messages.iter().map(|m| m.role).collect();
    assert_eq!(roles, [Role::User, Role::Assistant, Role::Tool, Role::Tool]);
    assert_eq!(next.messages[3].tool_call_id.as_deref(), Some("call_patch"));
}

#[test]
fn a_freeform_call_gives_its_text_however_the_model_wrapped_it() {
    let request = parse(&json!({"model": "m", "input": "hi", "tools": [
        {"type": "custom", "name": "run", "description": "Runs a script."},
    ]}))
    .expect("parses")
    .request;
    let input_of = |arguments: &str| {
        let events = named(&encode(
            &request,
            &[Delta::ToolCall {
                call: ToolCall {
                    id: "c".into(),
                    name: "run".into(),
                    arguments: arguments.into(),
                },
            }],
        ));
        done_items(&events)[0]["input"].clone()
    };
    assert_eq!(input_of("{\"input\":\"ls -l\"}"), "ls -l");
    assert_eq!(
        input_of("{\"script\":\"ls -l\"}"),
        "ls -l",
        "a lone string argument"
    );
    assert_eq!(input_of("\"ls -l\""), "ls -l", "a bare JSON string");
    assert_eq!(
        input_of("ls -l"),
        "ls -l",
        "text that is not JSON, as written"
    );
    assert_eq!(
        input_of("{\"a\":\"1\",\"b\":\"2\"}"),
        "{\"a\":\"1\",\"b\":\"2\"}",
        "anything else as written"
    );
}
