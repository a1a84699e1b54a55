//! The provider-neutral chat vocabulary: a request, the stream of deltas that answers it, and
//! the one trait every provider adapter implements.

use std::pin::Pin;

use serde::{Deserialize, Serialize};

use crate::money::Usd;
use crate::provider_error::ProviderError;

/// Who wrote a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Instructions; Anthropic takes these as the top-level `system`.
    System,
    /// The person.
    User,
    /// The model.
    Assistant,
    /// A tool's result, answering the assistant's tool call `tool_call_id`.
    Tool,
}

/// One piece of a message's content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Part {
    /// Plain text.
    Text {
        /// The text.
        text: String,
    },
    /// An image, as a URL or a `data:` URL with base64 content.
    Image {
        /// `https://…` or `data:image/png;base64,…`.
        url: String,
    },
}

/// A tool call the model made, assembled whole from its streamed pieces.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct ToolCall {
    /// The provider's id for the call (`call_…`, `toolu_…`).
    pub id: String,
    /// The function's name.
    pub name: String,
    /// The arguments as JSON text, exactly as the model wrote them (`"{}"` when it sent none).
    pub arguments: String,
}

/// One message of the conversation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Message {
    /// Who wrote it.
    pub role: Role,
    /// Its content.
    pub parts: Vec<Part>,
    /// Tool calls an assistant message made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCall>,
    /// For a tool result: which call it answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool_call_id: Option<String>,
    /// OpenRouter's `reasoning_details` from an earlier assistant turn, sent back unchanged so a
    /// reasoning model can continue (order and content must be preserved).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_details: Option<serde_json::Value>,
}

impl Message {
    /// A message with just text.
    pub fn text(role: Role, text: impl Into<String>) -> Self {
        Self {
            role,
            parts: vec![Part::Text { text: text.into() }],
            tool_calls: Vec::new(),
            tool_call_id: None,
            reasoning_details: None,
        }
    }

    /// The concatenated text parts.
    pub fn joined_text(&self) -> String {
        self.parts
            .iter()
            .filter_map(|p| match p {
                Part::Text { text } => Some(text.as_str()),
                Part::Image { .. } => None,
            })
            .collect()
    }
}

/// A function the model may call (OpenAI's tools format; translated for Anthropic).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ToolSpec {
    /// Name: at most 64 of `[a-zA-Z0-9_-]`.
    pub name: String,
    /// What it does, for the model.
    pub description: Option<String>,
    /// JSON Schema of the arguments.
    pub parameters: serde_json::Value,
}

/// A tool the client declared in a shape upstreams lack (the Responses API's namespaced and
/// freeform tools), and the function in [`ChatRequest::tools`] that stands for it. Only the
/// client's dialect reads it, to give the model's calls back in the client's own shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClientTool {
    /// The standing-in function's name in `tools`: the name the model calls.
    pub function: String,
    /// The tool's name as the client declared it.
    pub name: String,
    /// The group the client declared it in, if any.
    pub namespace: Option<String>,
    /// The tool takes free text rather than JSON arguments; the function takes that text as
    /// its one string argument, `input`.
    pub freeform: bool,
}

/// How hard a reasoning model should think.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum ReasoningEffort {
    /// No reasoning.
    None,
    /// The least.
    Minimal,
    /// Little.
    Low,
    /// Some.
    Medium,
    /// Much.
    High,
    /// More.
    Xhigh,
}

/// Reasoning options: an effort or a token budget, and whether to return the text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReasoningOptions {
    /// Effort level (OpenRouter, OpenAI).
    pub effort: Option<ReasoningEffort>,
    /// Token budget (OpenRouter, Anthropic's `thinking.budget_tokens`).
    pub max_tokens: Option<u32>,
    /// Reason but do not return the reasoning text.
    pub exclude: bool,
}

/// Whether and which tool the model must call (OpenAI's `tool_choice`, Anthropic's
/// `tool_choice`); absent means the provider's default (`auto` when tools are given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToolChoice {
    /// The model decides.
    Auto,
    /// The model must not call a tool.
    None,
    /// The model must call some tool (Anthropic's `any`).
    Required,
    /// The model must call this tool.
    Function {
        /// The tool's name.
        name: String,
    },
}

/// The shape the answer's text must take (OpenAI's `response_format`, Anthropic's
/// `output_config.format`); absent means free text.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ResponseFormat {
    /// Any valid JSON object (OpenAI's JSON mode).
    JsonObject,
    /// JSON matching a schema (structured outputs).
    JsonSchema {
        /// The schema's name (OpenAI requires one).
        name: String,
        /// What the schema is for, for the model.
        description: Option<String>,
        /// The JSON Schema.
        schema: serde_json::Value,
        /// Whether the provider must enforce the schema exactly.
        strict: Option<bool>,
    },
}

/// OpenRouter's routing extensions, sent only when the user set them, so sticky routing keeps
/// the prompt cache warm by default.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OpenRouterRouting {
    /// The `provider` preferences object, passed through as the user wrote it.
    pub provider: Option<serde_json::Value>,
    /// The `models[]` fallback list.
    pub models: Vec<String>,
}

/// A provider-neutral chat request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatRequest {
    /// The model id as the provider names it.
    pub model: String,
    /// The conversation, oldest first.
    pub messages: Vec<Message>,
    /// Maximum tokens to generate.
    pub max_tokens: Option<u32>,
    /// Sampling temperature.
    pub temperature: Option<f32>,
    /// Nucleus sampling.
    pub top_p: Option<f32>,
    /// Stop sequences.
    pub stop: Vec<String>,
    /// Tools the model may call.
    pub tools: Vec<ToolSpec>,
    /// Client tools that reach the model as functions of `tools` under other names or shapes;
    /// empty unless the client's dialect has such tools. Never sent upstream.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub client_tools: Vec<ClientTool>,
    /// Whether and which tool the model must call; `None` leaves it to the provider.
    #[serde(default)]
    pub tool_choice: Option<ToolChoice>,
    /// The shape the answer must take; `None` is free text.
    #[serde(default)]
    pub response_format: Option<ResponseFormat>,
    /// Reasoning options, where the model supports them.
    pub reasoning: Option<ReasoningOptions>,
    /// OpenRouter-only routing; ignored by other providers.
    pub routing: OpenRouterRouting,
    /// Stream the answer (true) or ask for one body (false).
    pub stream: bool,
}

impl ChatRequest {
    /// A streamed request with defaults for everything but the model and messages.
    pub fn new(model: impl Into<String>, messages: Vec<Message>) -> Self {
        Self {
            model: model.into(),
            messages,
            max_tokens: None,
            temperature: None,
            top_p: None,
            stop: Vec::new(),
            tools: Vec::new(),
            client_tools: Vec::new(),
            tool_choice: None,
            response_format: None,
            reasoning: None,
            routing: OpenRouterRouting::default(),
            stream: true,
        }
    }
}

/// Why generation stopped, normalized across providers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum FinishReason {
    /// A natural end (`stop`, `end_turn`, `stop_sequence`).
    Stop,
    /// The token limit (`length`, `max_tokens`).
    Length,
    /// The model wants tool results (`tool_calls`, `tool_use`).
    ToolCalls,
    /// A content filter stopped it (`content_filter`, `refusal`).
    ContentFilter,
    /// The provider reported an error.
    Error,
    /// Anything else, as the provider wrote it.
    Other(String),
}

impl FinishReason {
    /// Maps a provider's finish/stop reason.
    pub fn from_wire(reason: &str) -> Self {
        match reason {
            "stop" | "end_turn" | "stop_sequence" | "STOP" => Self::Stop,
            "length" | "max_tokens" | "MAX_TOKENS" => Self::Length,
            "tool_calls" | "tool_use" | "function_call" => Self::ToolCalls,
            "content_filter" | "refusal" | "SAFETY" => Self::ContentFilter,
            "error" => Self::Error,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The wire name, for JSON output.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Stop => "stop",
            Self::Length => "length",
            Self::ToolCalls => "tool_calls",
            Self::ContentFilter => "content_filter",
            Self::Error => "error",
            Self::Other(o) => o,
        }
    }
}

/// Token counts and the provider's own cost, as reported for one request.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct Usage {
    /// Input tokens, including cached ones.
    pub prompt_tokens: u64,
    /// Output tokens, including reasoning.
    pub completion_tokens: u64,
    /// Input tokens read from the prompt cache.
    pub cached_tokens: u64,
    /// Input tokens written to the prompt cache.
    pub cache_write_tokens: u64,
    /// Output tokens spent on reasoning.
    pub reasoning_tokens: u64,
    /// What the provider charged (OpenRouter's `usage.cost`), when it says.
    pub cost: Option<Usd>,
    /// OpenRouter served it with the person's own provider key (`usage.is_byok`): `cost` is
    /// then only OpenRouter's fee.
    #[serde(default)]
    pub is_byok: bool,
    /// For a BYOK request, what the provider billed the person's own account
    /// (`usage.cost_details.upstream_inference_cost`). Not read otherwise: for shared capacity
    /// it is OpenRouter's own cost, nothing the person pays.
    #[serde(default)]
    pub upstream_cost: Option<Usd>,
}

/// One normalized event of an answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Delta {
    /// Who is answering: the generation id, the model that actually served (after any
    /// fallback) and the upstream provider's name. Sent once, when first known.
    Meta {
        /// `gen-…`, `chatcmpl-…`, `msg_…`.
        generation_id: Option<String>,
        /// The model that served.
        model: Option<String>,
        /// The upstream provider (OpenRouter's `provider`).
        served_by: Option<String>,
    },
    /// Answer text.
    Text {
        /// The new text.
        text: String,
    },
    /// Reasoning text (OpenRouter `delta.reasoning`, Anthropic `thinking_delta`).
    Reasoning {
        /// The new text.
        text: String,
    },
    /// Structured reasoning pieces (OpenRouter `reasoning_details`), kept to send back.
    ReasoningDetails {
        /// The pieces, as received.
        details: Vec<serde_json::Value>,
    },
    /// A whole tool call (its streamed fragments already joined).
    ToolCall {
        /// The call.
        call: ToolCall,
    },
    /// Usage; the last one received wins.
    Usage {
        /// The counts.
        usage: Usage,
    },
    /// Why generation stopped.
    Finish {
        /// The reason.
        reason: FinishReason,
    },
    /// Web pages the answer cites (OpenRouter's `url_citation` annotations of web search);
    /// they accumulate.
    Citations {
        /// The sources, in the order given.
        citations: Vec<crate::conversation::Citation>,
    },
}

/// A stream of deltas. An `Err` item ends the stream; everything before it is kept.
pub type DeltaStream =
    Pin<Box<dyn futures_core::Stream<Item = Result<Delta, ProviderError>> + Send>>;

/// A provider adapter: turns a [`ChatRequest`] into a [`DeltaStream`].
///
/// Connection and HTTP errors arrive as the stream's first item, which keeps the trait
/// object-safe without `async-trait`.
pub trait ChatProvider: Send + Sync {
    /// Streams (or, with `stream: false`, fetches then replays) the answer to `request`.
    fn chat(&self, request: ChatRequest) -> DeltaStream;
}
