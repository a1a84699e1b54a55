//! Input items: messages, function and custom tool calls and their outputs, and reasoning.
//!
//! Items of one assistant turn (reasoning, the answer message, tool calls) arrive as
//! separate items; they are gathered into one assistant message until a user message or a
//! function output starts the next turn, so an OpenAI-style upstream sees each call's result
//! right after the turn that made it.

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Value, json};
use switchboard_core::{Message, Part, Role, ToolCall};

use super::tools::{Tools, freeform_arguments};
use crate::dialect::BadRequest;
use crate::dialect::replay::{AS_RESPONSES, Kind, OPENAI, detail};
use crate::dialect::wire::{decode_value, string_or_list, type_of};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MessageItem {
    #[serde(rename = "type")]
    _kind: Option<IgnoredAny>,
    role: ItemRole,
    content: Content,
    #[serde(rename = "id")]
    _id: Option<IgnoredAny>,
    #[serde(rename = "status")]
    _status: Option<IgnoredAny>,
    /// Codex marks an assistant message as commentary or the final answer.
    #[serde(rename = "phase")]
    _phase: Option<IgnoredAny>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case", expecting = "a role")]
enum ItemRole {
    User,
    Assistant,
    System,
    Developer,
}

string_or_list!(
    /// A message item's content.
    Content,
    Value,
    "a string or an array of content parts"
);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextPart {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    text: String,
    #[serde(rename = "annotations")]
    _annotations: Option<IgnoredAny>,
    #[serde(rename = "logprobs")]
    _logprobs: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImagePart {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    image_url: Option<String>,
    file_id: Option<IgnoredAny>,
    #[serde(rename = "detail")]
    _detail: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FunctionCallItem {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    call_id: String,
    name: String,
    namespace: Option<String>,
    arguments: String,
    #[serde(rename = "id")]
    _id: Option<IgnoredAny>,
    #[serde(rename = "status")]
    _status: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomCallItem {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    call_id: String,
    name: String,
    namespace: Option<String>,
    input: String,
    #[serde(rename = "id")]
    _id: Option<IgnoredAny>,
    #[serde(rename = "status")]
    _status: Option<IgnoredAny>,
}

/// A `function_call_output` or a `custom_tool_call_output`: the same fields.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FunctionOutputItem {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    call_id: String,
    output: Output,
    #[serde(rename = "id")]
    _id: Option<IgnoredAny>,
    #[serde(rename = "status")]
    _status: Option<IgnoredAny>,
}

string_or_list!(
    /// A function output: text, or content parts.
    Output,
    Value,
    "a string or an array of content parts"
);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasoningItem {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    id: Option<String>,
    #[serde(default)]
    summary: Vec<SummaryPart>,
    encrypted_content: Option<String>,
    #[serde(rename = "content")]
    _content: Option<IgnoredAny>,
    #[serde(rename = "status")]
    _status: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a summary part")]
struct SummaryPart {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    text: String,
}

/// The gathering state: the assistant turn being assembled.
#[derive(Default)]
struct Turns {
    out: Vec<Message>,
    assistant: Option<Message>,
}

impl Turns {
    fn assistant(&mut self) -> &mut Message {
        self.assistant
            .get_or_insert_with(|| message_of(Role::Assistant, Vec::new()))
    }

    fn push(&mut self, message: Message) {
        self.flush();
        self.out.push(message);
    }

    fn flush(&mut self) {
        if let Some(assistant) = self.assistant.take() {
            self.out.push(assistant);
        }
    }
}

/// An `additional_tools` item: tools Codex adds in the conversation rather than in `tools`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdditionalToolsItem {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    tools: Vec<Value>,
    #[serde(rename = "id")]
    _id: Option<IgnoredAny>,
    #[serde(rename = "role")]
    _role: Option<IgnoredAny>,
}

/// The tools `additional_tools` items add, each with its JSON path. They are offered like the
/// request's `tools` (an upstream takes tools in one place); `translate` skips the items.
pub(super) fn added_tools(items: &[Value]) -> Result<Vec<(String, Value)>, BadRequest> {
    let mut tools = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if item.get("type").and_then(Value::as_str) == Some("additional_tools") {
            let path = format!("input[{i}]");
            let added: AdditionalToolsItem = decode_value(item.clone(), &path)?;
            tools.extend(
                added
                    .tools
                    .into_iter()
                    .enumerate()
                    .map(|(j, tool)| (format!("{path}.tools[{j}]"), tool)),
            );
        }
    }
    Ok(tools)
}

/// Appends the messages `items` stand for to `out`, naming past calls of the client's tools
/// as `tools` offers them.
pub(super) fn translate(
    items: Vec<Value>,
    tools: &Tools,
    out: &mut Vec<Message>,
) -> Result<(), BadRequest> {
    let mut turns = Turns::default();
    for (i, item) in items.into_iter().enumerate() {
        let path = format!("input[{i}]");
        // A message may leave out its type (the "easy" input message).
        let kind = match item.get("type") {
            None if item.get("role").is_some() => "message",
            _ => type_of(&item, &path)?,
        };
        match kind {
            "message" => message(item, &path, &mut turns)?,
            "function_call" => {
                let call: FunctionCallItem = decode_value(item, &path)?;
                turns.assistant().tool_calls.push(ToolCall {
                    id: call.call_id,
                    name: tools.function_for(call.namespace.as_deref(), &call.name),
                    arguments: call.arguments,
                });
            }
            "custom_tool_call" => {
                let call: CustomCallItem = decode_value(item, &path)?;
                turns.assistant().tool_calls.push(ToolCall {
                    id: call.call_id,
                    name: tools.function_for(call.namespace.as_deref(), &call.name),
                    arguments: freeform_arguments(&call.input),
                });
            }
            // Taken out before the conversation (see `added_tools`).
            "additional_tools" => {}
            "function_call_output" | "custom_tool_call_output" => {
                let output: FunctionOutputItem = decode_value(item, &path)?;
                let parts = match output.output {
                    Output::Text(text) => vec![Part::Text { text }],
                    Output::List(list) => parts(list, &format!("{path}.output"), true)?,
                };
                let mut message = message_of(Role::Tool, parts);
                message.tool_call_id = Some(output.call_id);
                turns.push(message);
            }
            "reasoning" => {
                let reasoning: ReasoningItem = decode_value(item, &path)?;
                let details = reasoning_details(reasoning);
                if !details.is_empty() {
                    let assistant = turns.assistant();
                    let mut all = match assistant.reasoning_details.take() {
                        Some(Value::Array(existing)) => existing,
                        _ => Vec::new(),
                    };
                    all.extend(details);
                    assistant.reasoning_details = Some(Value::Array(all));
                }
            }
            "item_reference" => {
                return Err(BadRequest::new(
                    format!("{path}.type"),
                    "item references point at stored responses, which Switchboard does not keep; \
                     send the item itself",
                ));
            }
            other => {
                return Err(BadRequest::new(
                    format!("{path}.type"),
                    format!(
                        "`{other}` items are not supported: Switchboard translates messages, \
                         function and custom tool calls, their outputs, and reasoning"
                    ),
                ));
            }
        }
    }
    turns.flush();
    out.append(&mut turns.out);
    Ok(())
}

fn message(item: Value, path: &str, turns: &mut Turns) -> Result<(), BadRequest> {
    let message: MessageItem = decode_value(item, path)?;
    let content_path = format!("{path}.content");
    let role = match message.role {
        ItemRole::User => Role::User,
        ItemRole::Assistant => Role::Assistant,
        ItemRole::System | ItemRole::Developer => Role::System,
    };
    let parts = match message.content {
        Content::Text(text) => vec![Part::Text { text }],
        Content::List(list) => parts(list, &content_path, role == Role::User)?,
    };
    if role == Role::Assistant {
        turns.assistant().parts.extend(parts);
    } else {
        turns.push(message_of(role, parts));
    }
    Ok(())
}

/// Content parts; images only where `images` allows them (user messages, function outputs).
fn parts(list: Vec<Value>, path: &str, images: bool) -> Result<Vec<Part>, BadRequest> {
    let mut parts = Vec::with_capacity(list.len());
    for (i, part) in list.into_iter().enumerate() {
        let at = format!("{path}[{i}]");
        match type_of(&part, &at)? {
            "input_text" | "output_text" | "text" => {
                let text: TextPart = decode_value(part, &at)?;
                parts.push(Part::Text { text: text.text });
            }
            "input_image" if images => {
                let image: ImagePart = decode_value(part, &at)?;
                if image.file_id.is_some() {
                    return Err(BadRequest::new(
                        format!("{at}.file_id"),
                        "uploaded files live on OpenAI's servers; send the image as image_url",
                    ));
                }
                let url = image
                    .image_url
                    .ok_or_else(|| BadRequest::new(format!("{at}.image_url"), "is required"))?;
                parts.push(Part::Image { url });
            }
            // An earlier refusal carries nothing the model needs back.
            "refusal" => {}
            other => {
                return Err(BadRequest::new(
                    format!("{at}.type"),
                    format!("`{other}` parts are not supported here"),
                ));
            }
        }
    }
    Ok(parts)
}

/// A reasoning item as details to replay. Only encrypted content can be replayed (the upstream
/// verifies it); a summary alone is dropped, since no upstream accepts unverified reasoning as
/// its own.
fn reasoning_details(item: ReasoningItem) -> Vec<Value> {
    let Some(encrypted) = item.encrypted_content.filter(|e| !e.is_empty()) else {
        return Vec::new();
    };
    let summary: String = item.summary.into_iter().map(|p| p.text).collect();
    let mut restored = detail(AS_RESPONSES, Kind::Data, &encrypted, &summary);
    if restored.get("format").and_then(Value::as_str) != Some(OPENAI) {
        return vec![restored];
    }
    // OpenAI's own reasoning, in the shape OpenRouter replays: the summary, then the sealed
    // reasoning under the item's id.
    let mut details = Vec::with_capacity(2);
    if !summary.is_empty() {
        details.push(json!({"type": "reasoning.summary", "summary": summary, "format": OPENAI}));
    }
    // Raw content from OpenAI itself carries its id on the item; ours carries it inside.
    if let (Some(id), Some(map)) = (item.id, restored.as_object_mut()) {
        map.entry("id").or_insert_with(|| json!(id));
    }
    details.push(restored);
    details
}

fn message_of(role: Role, parts: Vec<Part>) -> Message {
    Message {
        role,
        parts,
        tool_calls: Vec::new(),
        tool_call_id: None,
        reasoning_details: None,
    }
}
