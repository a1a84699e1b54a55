//! Parsing a Responses request.

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;
use switchboard_core::{
    ChatRequest, Message, ReasoningEffort, ReasoningOptions, ResponseFormat, Role,
};

use super::items;
use super::tools::Tools;
use crate::dialect::wire::{decode, in_range, string_or_list};
use crate::dialect::{BadRequest, ClientRequest};

/// Parses a `POST /v1/responses` body.
///
/// Accepted and ignored: `include`, `metadata`, `user`, `safety_identifier`,
/// `prompt_cache_key`, `prompt_cache_retention`, `parallel_tool_calls`, `service_tier`,
/// `truncation`, `stream_options`, `client_metadata` (Codex), `max_tool_calls`,
/// `reasoning.summary`, `reasoning.context`, `text.verbosity`. Function, custom (freeform) and
/// namespace tools become functions, and tools Codex adds in `additional_tools` items join
/// them; hosted tools (web search, code interpreter, …) are left out, except `file_search`,
/// which is refused (see `tools`).
pub fn parse(body: &[u8]) -> Result<ClientRequest, BadRequest> {
    let wire: Body = decode(body)?;
    wire.into_request()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a responses request object")]
struct Body {
    model: String,
    instructions: Option<String>,
    input: Option<Input>,
    tools: Option<Vec<Value>>,
    tool_choice: Option<Value>,
    max_output_tokens: Option<u32>,
    temperature: Option<f32>,
    top_p: Option<f32>,
    reasoning: Option<WireReasoning>,
    stream: Option<bool>,
    text: Option<TextControls>,
    store: Option<bool>,
    background: Option<bool>,
    previous_response_id: Option<IgnoredAny>,
    conversation: Option<IgnoredAny>,
    prompt: Option<IgnoredAny>,
    top_logprobs: Option<u32>,
    #[serde(rename = "include")]
    _include: Option<IgnoredAny>,
    #[serde(rename = "metadata")]
    _metadata: Option<IgnoredAny>,
    #[serde(rename = "user")]
    _user: Option<IgnoredAny>,
    #[serde(rename = "safety_identifier")]
    _safety_identifier: Option<IgnoredAny>,
    #[serde(rename = "prompt_cache_key")]
    _prompt_cache_key: Option<IgnoredAny>,
    #[serde(rename = "prompt_cache_retention")]
    _prompt_cache_retention: Option<IgnoredAny>,
    #[serde(rename = "parallel_tool_calls")]
    _parallel_tool_calls: Option<bool>,
    #[serde(rename = "service_tier")]
    _service_tier: Option<IgnoredAny>,
    #[serde(rename = "truncation")]
    _truncation: Option<IgnoredAny>,
    #[serde(rename = "stream_options")]
    _stream_options: Option<IgnoredAny>,
    #[serde(rename = "client_metadata")]
    _client_metadata: Option<IgnoredAny>,
    #[serde(rename = "max_tool_calls")]
    _max_tool_calls: Option<IgnoredAny>,
}

string_or_list!(
    /// `input`: a user message's text, or items.
    Input,
    Value,
    "a string or an array of input items"
);

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a reasoning object")]
struct WireReasoning {
    effort: Option<ReasoningEffort>,
    #[serde(rename = "summary")]
    _summary: Option<IgnoredAny>,
    #[serde(rename = "generate_summary")]
    _generate_summary: Option<IgnoredAny>,
    /// Codex's choice of which turns' reasoning the model sees again; every turn's reasoning
    /// that can be replayed is sent back anyway.
    #[serde(rename = "context")]
    _context: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a text object")]
struct TextControls {
    format: Option<TextFormat>,
    #[serde(rename = "verbosity")]
    _verbosity: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a text format object")]
struct TextFormat {
    #[serde(rename = "type")]
    kind: FormatKind,
    name: Option<String>,
    description: Option<String>,
    schema: Option<Value>,
    strict: Option<bool>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case", expecting = "a text format type")]
enum FormatKind {
    Text,
    JsonObject,
    JsonSchema,
}

impl Body {
    fn into_request(self) -> Result<ClientRequest, BadRequest> {
        self.refuse_stored()?;
        if self.model.trim().is_empty() {
            return Err(BadRequest::new("model", "must name a model"));
        }
        if self.top_logprobs.is_some_and(|n| n > 0) {
            return Err(BadRequest::new(
                "top_logprobs",
                "log probabilities are not available through Switchboard; leave them out",
            ));
        }
        let mut messages = Vec::new();
        if let Some(instructions) = self.instructions.filter(|i| !i.is_empty()) {
            messages.push(Message::text(Role::System, instructions));
        }
        let mut declared: Vec<(String, Value)> = self
            .tools
            .unwrap_or_default()
            .into_iter()
            .enumerate()
            .map(|(i, tool)| (format!("tools[{i}]"), tool))
            .collect();
        if let Some(Input::List(list)) = &self.input {
            declared.extend(items::added_tools(list)?);
        }
        let tools = Tools::translate(declared)?;
        match self.input {
            None => return Err(BadRequest::new("input", "is required")),
            Some(Input::Text(text)) => messages.push(Message::text(Role::User, text)),
            Some(Input::List(list)) => items::translate(list, &tools, &mut messages)?,
        }
        if !messages.iter().any(|m| m.role != Role::System) {
            return Err(BadRequest::new("input", "must hold at least one item"));
        }
        let mut request = ChatRequest::new(self.model.clone(), messages);
        request.max_tokens = self.max_output_tokens;
        request.temperature = in_range("temperature", self.temperature, 0.0, 2.0)?;
        request.top_p = in_range("top_p", self.top_p, 0.0, 1.0)?;
        request.tool_choice = self
            .tool_choice
            .as_ref()
            .map(|choice| tools.choice(choice))
            .transpose()?;
        request.tools = tools.specs;
        request.client_tools = tools.client;
        request.response_format = match self.text.and_then(|t| t.format) {
            Some(format) => response_format(format)?,
            None => None,
        };
        request.reasoning = self
            .reasoning
            .and_then(|r| r.effort)
            .map(|effort| ReasoningOptions {
                effort: Some(effort),
                ..ReasoningOptions::default()
            });
        let stream = self.stream.unwrap_or(false);
        request.stream = stream;
        Ok(ClientRequest {
            model: self.model,
            request,
            stream,
            include_usage: true,
        })
    }

    /// Everything that needs a response stored on the server.
    fn refuse_stored(&self) -> Result<(), BadRequest> {
        const RESEND: &str = "Switchboard keeps no responses; send the whole conversation in \
                              `input` with `store: false`";
        if self.previous_response_id.is_some() {
            return Err(BadRequest::new("previous_response_id", RESEND));
        }
        if self.conversation.is_some() {
            return Err(BadRequest::new("conversation", RESEND));
        }
        if self.store == Some(true) {
            return Err(BadRequest::new("store", RESEND));
        }
        if self.background == Some(true) {
            return Err(BadRequest::new(
                "background",
                "background responses need stored responses, which Switchboard does not keep; \
                 stream instead",
            ));
        }
        if self.prompt.is_some() {
            return Err(BadRequest::new(
                "prompt",
                "prompt templates live on OpenAI's servers; send the instructions and input \
                 themselves",
            ));
        }
        Ok(())
    }
}

fn response_format(format: TextFormat) -> Result<Option<ResponseFormat>, BadRequest> {
    Ok(match format.kind {
        FormatKind::Text => None,
        FormatKind::JsonObject => Some(ResponseFormat::JsonObject),
        FormatKind::JsonSchema => Some(ResponseFormat::JsonSchema {
            name: format.name.ok_or_else(|| {
                BadRequest::new("text.format.name", "a json_schema format needs a name")
            })?,
            description: format.description,
            schema: format.schema.ok_or_else(|| {
                BadRequest::new(
                    "text.format.schema",
                    "a json_schema format needs its schema",
                )
            })?,
            strict: format.strict,
        }),
    })
}
