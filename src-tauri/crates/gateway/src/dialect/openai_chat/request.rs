//! Parsing a chat completions request.

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::Value;
use switchboard_core::{
    ChatRequest, Message, Part, ReasoningEffort, ReasoningOptions, ResponseFormat, Role, ToolCall,
    ToolChoice, ToolSpec,
};

use crate::dialect::wire::{
    Stop, decode, decode_value, empty_schema, in_range, string_or_list, type_of,
};
use crate::dialect::{BadRequest, ClientRequest};

/// Parses a `POST /v1/chat/completions` body.
///
/// OpenRouter's `provider` and `models` are kept (they reach OpenRouter when it serves the
/// request; other upstreams ignore them), so clients set up for OpenRouter keep their routing.
///
/// Fields real clients send that change neither routing nor the answer (`user`, `metadata`,
/// `seed`, `store`, `service_tier`, `parallel_tool_calls`, `prompt_cache_key`, …) are accepted
/// and ignored; fields that would change the answer in ways Switchboard cannot carry (`n` > 1,
/// `logprobs`, non-zero penalties, `logit_bias`) are refused rather than silently dropped, and
/// so are unknown fields and wrong types. Every refusal names the JSON path.
pub fn parse(body: &[u8]) -> Result<ClientRequest, BadRequest> {
    let wire: Body = decode(body)?;
    wire.into_request()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a chat completions request object")]
struct Body {
    model: String,
    messages: Vec<WireMessage>,
    tools: Option<Vec<Value>>,
    tool_choice: Option<Value>,
    max_tokens: Option<u32>,
    max_completion_tokens: Option<u32>,
    temperature: Option<f32>,
    top_p: Option<f32>,
    stop: Option<Stop>,
    stream: Option<bool>,
    stream_options: Option<StreamOptions>,
    reasoning_effort: Option<ReasoningEffort>,
    /// OpenRouter's reasoning object, sent by clients configured for OpenRouter.
    reasoning: Option<OpenRouterReasoning>,
    response_format: Option<WireResponseFormat>,
    /// OpenRouter's provider preferences, passed on when the request is routed to OpenRouter.
    provider: Option<serde_json::Map<String, Value>>,
    /// OpenRouter's fallback models, passed on the same way.
    models: Option<Vec<String>>,
    n: Option<u32>,
    logprobs: Option<bool>,
    top_logprobs: Option<u32>,
    frequency_penalty: Option<f32>,
    presence_penalty: Option<f32>,
    logit_bias: Option<serde_json::Map<String, Value>>,
    // Accepted and ignored: identification, caching and delivery hints.
    #[serde(rename = "user")]
    _user: Option<IgnoredAny>,
    #[serde(rename = "metadata")]
    _metadata: Option<IgnoredAny>,
    #[serde(rename = "seed")]
    _seed: Option<IgnoredAny>,
    #[serde(rename = "store")]
    _store: Option<IgnoredAny>,
    #[serde(rename = "service_tier")]
    _service_tier: Option<IgnoredAny>,
    #[serde(rename = "parallel_tool_calls")]
    _parallel_tool_calls: Option<bool>,
    #[serde(rename = "prompt_cache_key")]
    _prompt_cache_key: Option<IgnoredAny>,
    #[serde(rename = "safety_identifier")]
    _safety_identifier: Option<IgnoredAny>,
    #[serde(rename = "modalities")]
    _modalities: Option<IgnoredAny>,
    #[serde(rename = "verbosity")]
    _verbosity: Option<IgnoredAny>,
    /// OpenRouter's `usage: {include: true}`; usage is always reported.
    #[serde(rename = "usage")]
    _usage: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a stream_options object")]
struct StreamOptions {
    include_usage: Option<bool>,
    #[serde(rename = "include_obfuscation")]
    _include_obfuscation: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a reasoning object")]
struct OpenRouterReasoning {
    effort: Option<ReasoningEffort>,
    max_tokens: Option<u32>,
    exclude: Option<bool>,
    enabled: Option<bool>,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case", expecting = "a role")]
enum WireRole {
    System,
    Developer,
    User,
    Assistant,
    Tool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a message object")]
struct WireMessage {
    role: WireRole,
    content: Option<Content>,
    tool_calls: Option<Vec<WireToolCall>>,
    tool_call_id: Option<String>,
    /// OpenRouter's reasoning pieces of an earlier assistant turn, replayed as given.
    reasoning_details: Option<Vec<Value>>,
    #[serde(rename = "name")]
    _name: Option<IgnoredAny>,
    #[serde(rename = "refusal")]
    _refusal: Option<IgnoredAny>,
    #[serde(rename = "reasoning")]
    _reasoning: Option<IgnoredAny>,
    #[serde(rename = "reasoning_content")]
    _reasoning_content: Option<IgnoredAny>,
}

string_or_list!(
    /// A message's `content`.
    Content,
    WirePart,
    "a string or an array of parts"
);

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case", expecting = "a part type")]
enum PartKind {
    Text,
    ImageUrl,
    Refusal,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a content part object")]
struct WirePart {
    #[serde(rename = "type")]
    kind: PartKind,
    text: Option<String>,
    image_url: Option<ImageUrl>,
    #[serde(rename = "refusal")]
    _refusal: Option<IgnoredAny>,
    /// OpenRouter's per-part cache breakpoints; caching is the upstream's business.
    #[serde(rename = "cache_control")]
    _cache_control: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "an image_url object")]
struct ImageUrl {
    url: String,
    #[serde(rename = "detail")]
    _detail: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a tool call object")]
struct WireToolCall {
    id: String,
    #[serde(rename = "type")]
    _kind: Option<FunctionType>,
    function: WireFunctionCall,
    /// Echoed by clients that kept the streamed index.
    #[serde(rename = "index")]
    _index: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case", expecting = "\"function\"")]
enum FunctionType {
    Function,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a function call object")]
struct WireFunctionCall {
    name: String,
    arguments: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a tool object")]
struct WireTool {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    function: WireFunction,
    #[serde(rename = "cache_control")]
    _cache_control: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a function object")]
struct WireFunction {
    name: String,
    description: Option<String>,
    parameters: Option<Value>,
    #[serde(rename = "strict")]
    _strict: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case", expecting = "a response format type")]
enum FormatKind {
    Text,
    JsonObject,
    JsonSchema,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a response_format object")]
struct WireResponseFormat {
    #[serde(rename = "type")]
    kind: FormatKind,
    json_schema: Option<WireJsonSchema>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a json_schema object")]
struct WireJsonSchema {
    name: String,
    description: Option<String>,
    schema: Option<Value>,
    strict: Option<bool>,
}

impl Body {
    fn into_request(self) -> Result<ClientRequest, BadRequest> {
        self.refuse_unsupported()?;
        if self.model.trim().is_empty() {
            return Err(BadRequest::new("model", "must name a model"));
        }
        if self.messages.is_empty() {
            return Err(BadRequest::new(
                "messages",
                "must hold at least one message",
            ));
        }
        let messages = self
            .messages
            .into_iter()
            .enumerate()
            .map(|(i, m)| m.into_message(&format!("messages[{i}]")))
            .collect::<Result<Vec<_>, _>>()?;
        let mut request = ChatRequest::new(self.model.clone(), messages);
        request.max_tokens = self.max_completion_tokens.or(self.max_tokens);
        request.temperature = in_range("temperature", self.temperature, 0.0, 2.0)?;
        request.top_p = in_range("top_p", self.top_p, 0.0, 1.0)?;
        request.stop = self.stop.map(Stop::into_vec).unwrap_or_default();
        request.tools = tools(self.tools.unwrap_or_default())?;
        request.tool_choice = self.tool_choice.as_ref().map(tool_choice).transpose()?;
        request.response_format = self
            .response_format
            .map(response_format)
            .transpose()?
            .flatten();
        request.reasoning = reasoning(self.reasoning_effort, self.reasoning);
        request.routing.provider = self.provider.map(Value::Object);
        request.routing.models = self.models.unwrap_or_default();
        let stream = self.stream.unwrap_or(false);
        request.stream = stream;
        let include_usage = stream
            && self
                .stream_options
                .and_then(|o| o.include_usage)
                .unwrap_or(false);
        Ok(ClientRequest {
            model: self.model,
            request,
            stream,
            include_usage,
        })
    }

    /// Options that would change the answer in ways the normalized request cannot carry.
    fn refuse_unsupported(&self) -> Result<(), BadRequest> {
        if self.n.is_some_and(|n| n != 1) {
            return Err(BadRequest::new(
                "n",
                "Switchboard returns one choice per request; send n: 1 or leave it out",
            ));
        }
        if self.logprobs == Some(true) || self.top_logprobs.is_some_and(|n| n > 0) {
            return Err(BadRequest::new(
                if self.logprobs == Some(true) {
                    "logprobs"
                } else {
                    "top_logprobs"
                },
                "log probabilities are not available through Switchboard; leave them out",
            ));
        }
        for (path, value) in [
            ("frequency_penalty", self.frequency_penalty),
            ("presence_penalty", self.presence_penalty),
        ] {
            if value.is_some_and(|v| v != 0.0) {
                return Err(BadRequest::new(
                    path,
                    "penalties are not passed on by Switchboard; send 0 or leave it out",
                ));
            }
        }
        if self.logit_bias.as_ref().is_some_and(|b| !b.is_empty()) {
            return Err(BadRequest::new(
                "logit_bias",
                "logit_bias is not passed on by Switchboard; leave it out",
            ));
        }
        Ok(())
    }
}

impl WireMessage {
    fn into_message(self, path: &str) -> Result<Message, BadRequest> {
        let role = match self.role {
            WireRole::System | WireRole::Developer => Role::System,
            WireRole::User => Role::User,
            WireRole::Assistant => Role::Assistant,
            WireRole::Tool => Role::Tool,
        };
        let parts = match self.content {
            None => Vec::new(),
            Some(content) => parts(content, &format!("{path}.content"))?,
        };
        let images = parts.iter().any(|p| matches!(p, Part::Image { .. }));
        if images && matches!(role, Role::System | Role::Tool | Role::Assistant) {
            return Err(BadRequest::new(
                format!("{path}.content"),
                "only user messages may hold images",
            ));
        }
        if role != Role::Assistant && self.tool_calls.is_some() {
            return Err(BadRequest::new(
                format!("{path}.tool_calls"),
                "only assistant messages make tool calls",
            ));
        }
        let tool_call_id =
            match role {
                Role::Tool => Some(self.tool_call_id.filter(|id| !id.is_empty()).ok_or_else(
                    || {
                        BadRequest::new(
                            format!("{path}.tool_call_id"),
                            "a tool message needs the id of the call it answers",
                        )
                    },
                )?),
                _ => None,
            };
        let tool_calls = self
            .tool_calls
            .unwrap_or_default()
            .into_iter()
            .map(|c| ToolCall {
                id: c.id,
                name: c.function.name,
                arguments: c
                    .function
                    .arguments
                    .filter(|a| !a.trim().is_empty())
                    .unwrap_or_else(|| "{}".to_owned()),
            })
            .collect();
        let reasoning_details = match (role, self.reasoning_details) {
            (Role::Assistant, Some(details)) if !details.is_empty() => Some(Value::Array(details)),
            _ => None,
        };
        Ok(Message {
            role,
            parts,
            tool_calls,
            tool_call_id,
            reasoning_details,
        })
    }
}

fn parts(content: Content, path: &str) -> Result<Vec<Part>, BadRequest> {
    let list = match content {
        Content::Text(text) => return Ok(vec![Part::Text { text }]),
        Content::List(list) => list,
    };
    let mut parts = Vec::with_capacity(list.len());
    for (i, part) in list.into_iter().enumerate() {
        let at = format!("{path}[{i}]");
        match part.kind {
            PartKind::Text => {
                let text = part.text.ok_or_else(|| {
                    BadRequest::new(format!("{at}.text"), "a text part needs text")
                })?;
                parts.push(Part::Text { text });
            }
            PartKind::ImageUrl => {
                let image = part.image_url.ok_or_else(|| {
                    BadRequest::new(
                        format!("{at}.image_url"),
                        "an image_url part needs an image_url",
                    )
                })?;
                parts.push(Part::Image { url: image.url });
            }
            // A refusal in an earlier answer carries nothing the model needs back.
            PartKind::Refusal => {}
        }
    }
    Ok(parts)
}

/// Function tools as tool specs; any other type is refused by name before its fields are read.
fn tools(values: Vec<Value>) -> Result<Vec<ToolSpec>, BadRequest> {
    let mut specs = Vec::with_capacity(values.len());
    for (i, value) in values.into_iter().enumerate() {
        let path = format!("tools[{i}]");
        let kind = type_of(&value, &path)?;
        if kind != "function" {
            return Err(BadRequest::new(
                format!("{path}.type"),
                format!(
                    "`{kind}` tools are not supported: Switchboard runs no hosted tools and \
                     translates only `function` tools"
                ),
            ));
        }
        let tool: WireTool = decode_value(value, &path)?;
        specs.push(ToolSpec {
            name: tool.function.name,
            description: tool.function.description,
            parameters: tool.function.parameters.unwrap_or_else(empty_schema),
        });
    }
    Ok(specs)
}

fn tool_choice(value: &Value) -> Result<ToolChoice, BadRequest> {
    match value {
        Value::String(s) => match s.as_str() {
            "auto" => Ok(ToolChoice::Auto),
            "none" => Ok(ToolChoice::None),
            "required" => Ok(ToolChoice::Required),
            other => Err(BadRequest::new(
                "tool_choice",
                format!(
                    "unknown value `{other}`, expected `auto`, `none`, `required` or a function"
                ),
            )),
        },
        Value::Object(o) if o.get("type").and_then(Value::as_str) == Some("function") => o
            .get("function")
            .and_then(|f| f.get("name"))
            .and_then(Value::as_str)
            .map(|name| ToolChoice::Function {
                name: name.to_owned(),
            })
            .ok_or_else(|| BadRequest::new("tool_choice.function.name", "must name the function")),
        _ => Err(BadRequest::new(
            "tool_choice",
            "expected `auto`, `none`, `required` or {\"type\":\"function\",\"function\":{\"name\":…}}",
        )),
    }
}

fn response_format(format: WireResponseFormat) -> Result<Option<ResponseFormat>, BadRequest> {
    Ok(match format.kind {
        FormatKind::Text => None,
        FormatKind::JsonObject => Some(ResponseFormat::JsonObject),
        FormatKind::JsonSchema => {
            let spec = format.json_schema.ok_or_else(|| {
                BadRequest::new(
                    "response_format.json_schema",
                    "a json_schema format needs its schema",
                )
            })?;
            Some(ResponseFormat::JsonSchema {
                name: spec.name,
                description: spec.description,
                schema: spec.schema.unwrap_or_else(|| serde_json::json!({})),
                strict: spec.strict,
            })
        }
    })
}

/// `reasoning_effort` and OpenRouter's `reasoning` object as one set of options; the effort
/// shorthand wins where both say something.
fn reasoning(
    effort: Option<ReasoningEffort>,
    object: Option<OpenRouterReasoning>,
) -> Option<ReasoningOptions> {
    if effort.is_none() && object.is_none() {
        return None;
    }
    let (object_effort, budget, exclude, enabled) = object
        .map(|o| (o.effort, o.max_tokens, o.exclude, o.enabled))
        .unwrap_or_default();
    // OpenRouter: `enabled: true` alone means medium effort; `enabled: false` turns it off.
    let effort = effort.or(object_effort).or(match enabled {
        Some(false) => Some(ReasoningEffort::None),
        Some(true) if budget.is_none() => Some(ReasoningEffort::Medium),
        _ => None,
    });
    Some(ReasoningOptions {
        effort,
        max_tokens: budget,
        exclude: exclude.unwrap_or(false),
    })
}
