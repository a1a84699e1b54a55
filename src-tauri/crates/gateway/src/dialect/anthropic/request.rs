//! Parsing a Messages request (and a `count_tokens` request, the same body without
//! `max_tokens` and `stream`).

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;
use switchboard_core::{
    ChatRequest, Message, Part, ReasoningEffort, ReasoningOptions, ResponseFormat, Role,
    ToolChoice, ToolSpec,
};

use super::blocks::{self, WireMessage};
use crate::dialect::wire::{decode, decode_value, empty_schema, in_range, string_or_list};
use crate::dialect::{BadRequest, ClientRequest};

/// Parses a `POST /v1/messages` body. `max_tokens` is required, as Anthropic requires it.
///
/// Accepted and ignored: `metadata`, `top_k`, `service_tier`, `cache_control` anywhere,
/// `context_management` (server-side context editing, a beta: the full history goes upstream
/// instead), `tool_choice.disable_parallel_tool_use`. Server tools (web search, code execution,
/// bash, text editor, computer use, MCP connectors, containers) are refused by name: Switchboard
/// runs no tools, and pretending otherwise would leave a client waiting for results that never
/// come. Thinking blocks from earlier turns are kept for replay (see `replay`).
pub fn parse(body: &[u8]) -> Result<ClientRequest, BadRequest> {
    let wire: Body = decode(body)?;
    let max_tokens = wire
        .max_tokens
        .ok_or_else(|| BadRequest::new("max_tokens", "is required (Anthropic requires it)"))?;
    let mut request = wire.into_request()?;
    request.request.max_tokens = Some(max_tokens);
    Ok(request)
}

/// Parses a `POST /v1/messages/count_tokens` body: the same fields, with `max_tokens` optional.
pub fn parse_count_tokens(body: &[u8]) -> Result<ClientRequest, BadRequest> {
    let wire: Body = decode(body)?;
    wire.into_request()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a messages request object")]
struct Body {
    model: String,
    max_tokens: Option<u32>,
    messages: Vec<WireMessage>,
    system: Option<System>,
    tools: Option<Vec<Value>>,
    tool_choice: Option<WireToolChoice>,
    temperature: Option<f32>,
    top_p: Option<f32>,
    stop_sequences: Option<Vec<String>>,
    stream: Option<bool>,
    thinking: Option<WireThinking>,
    output_config: Option<OutputConfig>,
    /// The structured-outputs beta's spelling of `output_config.format`.
    output_format: Option<WireFormat>,
    container: Option<IgnoredAny>,
    mcp_servers: Option<IgnoredAny>,
    #[serde(rename = "top_k")]
    _top_k: Option<u32>,
    #[serde(rename = "metadata")]
    _metadata: Option<IgnoredAny>,
    #[serde(rename = "service_tier")]
    _service_tier: Option<IgnoredAny>,
    #[serde(rename = "cache_control")]
    _cache_control: Option<IgnoredAny>,
    #[serde(rename = "context_management")]
    _context_management: Option<IgnoredAny>,
}

string_or_list!(
    /// `system`: a string or text blocks.
    System,
    SystemBlock,
    "a string or an array of text blocks"
);

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a text block")]
struct SystemBlock {
    #[serde(rename = "type")]
    _kind: TextType,
    text: String,
    #[serde(rename = "cache_control")]
    _cache_control: Option<IgnoredAny>,
    #[serde(rename = "citations")]
    _citations: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case", expecting = "\"text\"")]
enum TextType {
    Text,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a tool_choice object")]
struct WireToolChoice {
    #[serde(rename = "type")]
    kind: ChoiceKind,
    name: Option<String>,
    #[serde(rename = "disable_parallel_tool_use")]
    _disable_parallel_tool_use: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case", expecting = "a tool choice type")]
enum ChoiceKind {
    Auto,
    Any,
    Tool,
    None,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a thinking object")]
struct WireThinking {
    #[serde(rename = "type")]
    kind: ThinkingKind,
    budget_tokens: Option<u32>,
    #[serde(rename = "display")]
    _display: Option<IgnoredAny>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case", expecting = "a thinking type")]
enum ThinkingKind {
    Enabled,
    Disabled,
    Adaptive,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "an output_config object")]
struct OutputConfig {
    effort: Option<Effort>,
    format: Option<WireFormat>,
}

#[derive(Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case", expecting = "an effort level")]
enum Effort {
    Low,
    Medium,
    High,
    Xhigh,
    Max,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "an output format object")]
struct WireFormat {
    #[serde(rename = "type")]
    _kind: JsonSchemaType,
    schema: Value,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case", expecting = "\"json_schema\"")]
enum JsonSchemaType {
    JsonSchema,
}

/// A custom (client-run) tool.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a tool object")]
struct WireTool {
    #[serde(rename = "type")]
    _kind: Option<IgnoredAny>,
    name: String,
    description: Option<String>,
    input_schema: Option<Value>,
    #[serde(rename = "cache_control")]
    _cache_control: Option<IgnoredAny>,
    #[serde(rename = "strict")]
    _strict: Option<IgnoredAny>,
    /// Tool search's lazy loading; without the search tool every tool is simply loaded.
    #[serde(rename = "defer_loading")]
    _defer_loading: Option<IgnoredAny>,
    #[serde(rename = "input_examples")]
    _input_examples: Option<IgnoredAny>,
}

impl Body {
    fn into_request(self) -> Result<ClientRequest, BadRequest> {
        if self.container.is_some() {
            return Err(BadRequest::new(
                "container",
                "containers run Anthropic's server tools, which Switchboard does not run; leave it out",
            ));
        }
        if self.mcp_servers.is_some() {
            return Err(BadRequest::new(
                "mcp_servers",
                "Anthropic's MCP connector is a server tool, which Switchboard does not run; \
                 connect the MCP server to the client instead",
            ));
        }
        if self.model.trim().is_empty() {
            return Err(BadRequest::new("model", "must name a model"));
        }
        if self.messages.is_empty() {
            return Err(BadRequest::new(
                "messages",
                "must hold at least one message",
            ));
        }
        let mut messages = Vec::with_capacity(self.messages.len() + 1);
        if let Some(system) = self.system {
            let parts: Vec<Part> = match system {
                System::Text(text) => vec![Part::Text { text }],
                System::List(blocks) => blocks
                    .into_iter()
                    .map(|b| Part::Text { text: b.text })
                    .collect(),
            };
            if !parts.is_empty() {
                messages.push(Message {
                    role: Role::System,
                    parts,
                    tool_calls: Vec::new(),
                    tool_call_id: None,
                    reasoning_details: None,
                });
            }
        }
        for (i, message) in self.messages.into_iter().enumerate() {
            blocks::translate(message, &format!("messages[{i}]"), &mut messages)?;
        }
        let mut request = ChatRequest::new(self.model.clone(), messages);
        request.temperature = in_range("temperature", self.temperature, 0.0, 1.0)?;
        request.top_p = in_range("top_p", self.top_p, 0.0, 1.0)?;
        request.stop = self.stop_sequences.unwrap_or_default();
        request.tools = tools(self.tools.unwrap_or_default())?;
        request.tool_choice = self.tool_choice.map(tool_choice).transpose()?;
        let (effort, format) = match self.output_config {
            Some(config) => (config.effort, config.format),
            None => (None, None),
        };
        request.response_format =
            format
                .or(self.output_format)
                .map(|f| ResponseFormat::JsonSchema {
                    name: "output".into(),
                    description: None,
                    schema: f.schema,
                    strict: Some(true),
                });
        request.reasoning = self.thinking.map(|t| reasoning(&t, effort));
        let stream = self.stream.unwrap_or(false);
        request.stream = stream;
        Ok(ClientRequest {
            model: self.model,
            request,
            stream,
            include_usage: true,
        })
    }
}

/// Client tools as tool specs; a typed server tool is refused by its type.
fn tools(values: Vec<Value>) -> Result<Vec<ToolSpec>, BadRequest> {
    let mut specs = Vec::with_capacity(values.len());
    for (i, value) in values.into_iter().enumerate() {
        let path = format!("tools[{i}]");
        if let Some(kind) = value.get("type").and_then(Value::as_str)
            && kind != "custom"
        {
            return Err(BadRequest::new(
                format!("{path}.type"),
                format!(
                    "`{kind}` is one of Anthropic's server or built-in tools, which Switchboard \
                     does not run; declare a client tool with name, description and input_schema"
                ),
            ));
        }
        if !value.is_object() {
            return Err(BadRequest::new(path, "expected a tool object"));
        }
        let tool: WireTool = decode_value(value, &path)?;
        specs.push(ToolSpec {
            name: tool.name,
            description: tool.description,
            parameters: tool.input_schema.unwrap_or_else(empty_schema),
        });
    }
    Ok(specs)
}

fn tool_choice(choice: WireToolChoice) -> Result<ToolChoice, BadRequest> {
    Ok(match choice.kind {
        ChoiceKind::Auto => ToolChoice::Auto,
        ChoiceKind::Any => ToolChoice::Required,
        ChoiceKind::None => ToolChoice::None,
        ChoiceKind::Tool => ToolChoice::Function {
            name: choice.name.ok_or_else(|| {
                BadRequest::new("tool_choice.name", "a `tool` choice names the tool")
            })?,
        },
    })
}

/// Thinking as reasoning options. A budget is kept as the budget; `enabled` without one
/// (Claude Code sends that) and `adaptive` take `output_config.effort`, else medium for
/// `enabled` and high (Anthropic's default effort) for `adaptive`. The effort alone, without
/// `thinking`, is left out: it would turn reasoning on for a person who turned it off.
fn reasoning(thinking: &WireThinking, effort: Option<Effort>) -> ReasoningOptions {
    let effort = effort.map(|e| match e {
        Effort::Low => ReasoningEffort::Low,
        Effort::Medium => ReasoningEffort::Medium,
        Effort::High => ReasoningEffort::High,
        Effort::Xhigh | Effort::Max => ReasoningEffort::Xhigh,
    });
    match thinking.kind {
        ThinkingKind::Disabled => ReasoningOptions {
            effort: Some(ReasoningEffort::None),
            ..ReasoningOptions::default()
        },
        ThinkingKind::Enabled => ReasoningOptions {
            effort: match thinking.budget_tokens {
                Some(_) => None,
                None => effort.or(Some(ReasoningEffort::Medium)),
            },
            max_tokens: thinking.budget_tokens,
            exclude: false,
        },
        ThinkingKind::Adaptive => ReasoningOptions {
            effort: effort.or(Some(ReasoningEffort::High)),
            ..ReasoningOptions::default()
        },
    }
}
