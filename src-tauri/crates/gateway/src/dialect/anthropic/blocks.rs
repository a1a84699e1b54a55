//! Messages and their content blocks.
//!
//! Anthropic's tool results are blocks inside a user message; Switchboard's are `tool`
//! messages, which OpenAI-style upstreams require right after the assistant turn that made the
//! calls. So a user message becomes its tool results first (Anthropic itself requires them
//! first in the content), then one user message with the remaining text and images.

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;
use switchboard_core::{Message, Part, Role, ToolCall};

use crate::dialect::BadRequest;
use crate::dialect::replay::{AS_ANTHROPIC, Kind, detail};
use crate::dialect::wire::{decode_value, string_or_list, type_of};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a message object")]
pub(super) struct WireMessage {
    role: WireRole,
    content: Content,
}

/// Claude Code appends `system` messages mid-conversation; they are kept in place (the
/// Anthropic adapter lifts them to the top-level prompt, OpenAI-style upstreams take them as
/// they are).
#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(
    rename_all = "snake_case",
    expecting = "`user`, `assistant` or `system`"
)]
enum WireRole {
    User,
    Assistant,
    System,
}

string_or_list!(
    /// A message's content.
    Content,
    Value,
    "a string or an array of content blocks"
);

string_or_list!(
    /// A tool result's content.
    ResultContent,
    Value,
    "a string or an array of content blocks"
);

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TextBlock {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    text: String,
    #[serde(rename = "cache_control")]
    _cache_control: Option<IgnoredAny>,
    #[serde(rename = "citations")]
    _citations: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImageBlock {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    source: Source,
    #[serde(rename = "cache_control")]
    _cache_control: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentBlock {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    source: Source,
    #[serde(rename = "title")]
    _title: Option<IgnoredAny>,
    #[serde(rename = "context")]
    _context: Option<IgnoredAny>,
    #[serde(rename = "citations")]
    _citations: Option<IgnoredAny>,
    #[serde(rename = "cache_control")]
    _cache_control: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a source object")]
struct Source {
    #[serde(rename = "type")]
    kind: String,
    media_type: Option<String>,
    data: Option<String>,
    url: Option<String>,
    #[serde(rename = "file_id")]
    _file_id: Option<IgnoredAny>,
    #[serde(rename = "content")]
    _content: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ToolUseBlock {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    id: String,
    name: String,
    input: Value,
    #[serde(rename = "cache_control")]
    _cache_control: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ToolResultBlock {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    tool_use_id: String,
    content: Option<ResultContent>,
    is_error: Option<bool>,
    #[serde(rename = "cache_control")]
    _cache_control: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ThinkingBlock {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    thinking: String,
    signature: Option<String>,
    #[serde(rename = "cache_control")]
    _cache_control: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RedactedBlock {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    data: String,
    #[serde(rename = "cache_control")]
    _cache_control: Option<IgnoredAny>,
}

/// Appends the messages `message` (found at `path`) stands for to `out`.
pub(super) fn translate(
    message: WireMessage,
    path: &str,
    out: &mut Vec<Message>,
) -> Result<(), BadRequest> {
    let content_path = format!("{path}.content");
    let blocks = match message.content {
        Content::Text(text) => vec![serde_json::json!({"type": "text", "text": text})],
        Content::List(blocks) => blocks,
    };
    match message.role {
        WireRole::User => user(blocks, &content_path, out),
        WireRole::Assistant => {
            out.push(assistant(blocks, &content_path)?);
            Ok(())
        }
        WireRole::System => {
            let mut parts = Vec::with_capacity(blocks.len());
            for (i, block) in blocks.into_iter().enumerate() {
                let at = format!("{content_path}[{i}]");
                match type_of(&block, &at)? {
                    "text" => parts.push(text_part(block, &at)?),
                    other => return Err(unsupported(&at, other, "a system message")),
                }
            }
            out.push(message_of(Role::System, parts));
            Ok(())
        }
    }
}

fn user(blocks: Vec<Value>, path: &str, out: &mut Vec<Message>) -> Result<(), BadRequest> {
    let mut parts = Vec::with_capacity(blocks.len());
    for (i, block) in blocks.into_iter().enumerate() {
        let at = format!("{path}[{i}]");
        match type_of(&block, &at)? {
            "tool_result" => out.push(tool_result(block, &at)?),
            _ => parts.push(user_part(block, &at, "a user message")?),
        }
    }
    if !parts.is_empty() {
        out.push(message_of(Role::User, parts));
    }
    Ok(())
}

/// A text, image or text document block as a part.
fn user_part(block: Value, path: &str, container: &str) -> Result<Part, BadRequest> {
    match type_of(&block, path)? {
        "text" => text_part(block, path),
        "image" => {
            let image: ImageBlock = decode_value(block, path)?;
            image_part(image.source, &format!("{path}.source"))
        }
        "document" => {
            let document: DocumentBlock = decode_value(block, path)?;
            match (document.source.kind.as_str(), document.source.data) {
                ("text", Some(text)) => Ok(Part::Text { text }),
                _ => Err(BadRequest::new(
                    format!("{path}.source"),
                    "only plain-text documents pass through Switchboard; send PDFs' text as a \
                     text block",
                )),
            }
        }
        other => Err(unsupported(path, other, container)),
    }
}

fn text_part(block: Value, path: &str) -> Result<Part, BadRequest> {
    let text: TextBlock = decode_value(block, path)?;
    Ok(Part::Text { text: text.text })
}

fn image_part(source: Source, path: &str) -> Result<Part, BadRequest> {
    match source.kind.as_str() {
        "base64" => {
            let media_type = source
                .media_type
                .ok_or_else(|| BadRequest::new(format!("{path}.media_type"), "is required"))?;
            let data = source
                .data
                .ok_or_else(|| BadRequest::new(format!("{path}.data"), "is required"))?;
            Ok(Part::Image {
                url: format!("data:{media_type};base64,{data}"),
            })
        }
        "url" => Ok(Part::Image {
            url: source
                .url
                .ok_or_else(|| BadRequest::new(format!("{path}.url"), "is required"))?,
        }),
        other => Err(BadRequest::new(
            format!("{path}.type"),
            format!("`{other}` images are not supported; send base64 data or a URL"),
        )),
    }
}

/// A `tool_result` block as a tool message. Switchboard's messages have no error flag, so a
/// failed call's result is marked in its text, where every upstream's model reads it.
fn tool_result(block: Value, path: &str) -> Result<Message, BadRequest> {
    let result: ToolResultBlock = decode_value(block, path)?;
    let mut parts = Vec::new();
    if result.is_error == Some(true) {
        parts.push(Part::Text {
            text: "Error: ".into(),
        });
    }
    match result.content {
        None => {}
        Some(ResultContent::Text(text)) => parts.push(Part::Text { text }),
        Some(ResultContent::List(blocks)) => {
            for (i, block) in blocks.into_iter().enumerate() {
                let at = format!("{path}.content[{i}]");
                parts.push(user_part(block, &at, "a tool result")?);
            }
        }
    }
    let mut message = message_of(Role::Tool, parts);
    message.tool_call_id = Some(result.tool_use_id);
    Ok(message)
}

/// An assistant turn: text, tool calls, and thinking kept as reasoning details for replay.
fn assistant(blocks: Vec<Value>, path: &str) -> Result<Message, BadRequest> {
    let mut message = message_of(Role::Assistant, Vec::new());
    let mut details = Vec::new();
    for (i, block) in blocks.into_iter().enumerate() {
        let at = format!("{path}[{i}]");
        match type_of(&block, &at)? {
            "text" => message.parts.push(text_part(block, &at)?),
            "tool_use" => {
                let call: ToolUseBlock = decode_value(block, &at)?;
                if !call.input.is_object() {
                    return Err(BadRequest::new(
                        format!("{at}.input"),
                        "tool input must be a JSON object",
                    ));
                }
                message.tool_calls.push(ToolCall {
                    id: call.id,
                    name: call.name,
                    arguments: call.input.to_string(),
                });
            }
            "thinking" => {
                let thinking: ThinkingBlock = decode_value(block, &at)?;
                let signature = thinking.signature.unwrap_or_default();
                if !signature.is_empty() {
                    details.push(detail(
                        AS_ANTHROPIC,
                        Kind::Signature,
                        &signature,
                        &thinking.thinking,
                    ));
                }
            }
            "redacted_thinking" => {
                let redacted: RedactedBlock = decode_value(block, &at)?;
                details.push(detail(AS_ANTHROPIC, Kind::Data, &redacted.data, ""));
            }
            other => return Err(unsupported(&at, other, "an assistant message")),
        }
    }
    if !details.is_empty() {
        message.reasoning_details = Some(Value::Array(details));
    }
    Ok(message)
}

fn unsupported(path: &str, kind: &str, container: &str) -> BadRequest {
    let why = match kind {
        "server_tool_use"
        | "web_search_tool_result"
        | "web_fetch_tool_result"
        | "code_execution_tool_result"
        | "bash_code_execution_tool_result"
        | "text_editor_code_execution_tool_result"
        | "mcp_tool_use"
        | "mcp_tool_result"
        | "container_upload"
        | "tool_search_tool_result" => {
            "it belongs to Anthropic's server tools, which Switchboard does not run"
        }
        _ => "Switchboard does not translate it",
    };
    BadRequest::new(
        format!("{path}.type"),
        format!("`{kind}` blocks cannot appear in {container} here: {why}"),
    )
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
