//! The client's tools as functions an upstream can call, and the model's calls of them back in
//! the client's shapes.
//!
//! The Responses API has tool kinds Chat Completions lacks, and Codex sends all of them:
//! - `namespace` groups function and custom tools, and a call names both (`name` plus
//!   `namespace`). Each member becomes a function named `<namespace>__<name>` (members of
//!   `functions`, the namespace Codex puts its plain tools in, keep their own name).
//! - `custom` is a freeform tool: the model writes raw text (`input`), maybe constrained by a
//!   grammar. It becomes a function taking that text as its one string argument, `input`, with
//!   the grammar appended to its description; the call goes back as a `custom_tool_call`.
//! - Hosted tools (web search, code interpreter, …) run on OpenAI's side. No upstream reached
//!   through Chat Completions or Messages can run them, so they are left out and the model
//!   answers without them; only `file_search` is refused (see [`REFUSED`]).
//!
//! Names are mapped through a table built from the exact tools of the request (kept in the
//! request as [`ClientTool`]s), never by splitting names: namespace names may themselves hold
//! `__` (Codex names MCP servers' namespaces `mcp__<server>__`).

use std::collections::HashSet;
use std::hash::{Hash, Hasher};

use serde::Deserialize;
use serde::de::IgnoredAny;
use serde_json::{Map, Value, json};
use switchboard_core::{ClientTool, ToolCall, ToolChoice, ToolSpec};

use crate::dialect::BadRequest;
use crate::dialect::wire::{decode_value, empty_schema, type_of};

/// Codex's namespace for its plain tools; its members keep their own name upstream.
const DEFAULT_NAMESPACE: &str = "functions";
/// Between a namespace and a member's name in the function's name.
const SEPARATOR: &str = "__";
/// The longest function name OpenAI, Anthropic and Gemini all accept.
const MAX_NAME: usize = 64;
/// The most grammar text appended to a freeform tool's description. Codex's `apply_patch`
/// grammar is under 1,000 characters; a longer one costs prompt tokens on every request and
/// helps the model less than its start does.
const MAX_GRAMMAR: usize = 4_000;

/// Tools that run on OpenAI's side (or are built into OpenAI's models, with call items of their
/// own), which no Chat Completions or Messages upstream can run. Each is left out of the
/// request: the tool is something the model may use, not what the request is about, so an
/// answer without it is still the answer asked for. Codex sends `web_search` and
/// `tool_search` by default.
const DROPPED: &[&str] = &[
    "web_search",
    "web_search_2025_08_26",
    "web_search_preview",
    "web_search_preview_2025_03_11",
    "code_interpreter",
    "image_generation",
    "computer",
    "computer_use_preview",
    "local_shell",
    "shell",
    "apply_patch",
    "tool_search",
    "mcp",
];

/// Hosted tools refused rather than dropped. `file_search` searches vector stores the client
/// uploaded its files to: those files are what the request is about, and an answer without
/// them would look like an answer about them. It is refused as stored responses are.
const REFUSED: &[&str] = &["file_search"];

/// The request's tools as the upstream gets them, and the table that maps calls back.
#[derive(Debug, Default)]
pub(super) struct Tools {
    /// The functions the upstream is offered.
    pub(super) specs: Vec<ToolSpec>,
    /// The client tools among them that have other names or shapes.
    pub(super) client: Vec<ClientTool>,
}

impl Tools {
    /// Translates `tools`, each with the JSON path it came from (`tools[3]`, or
    /// `input[0].tools[1]` for tools an `additional_tools` item adds).
    pub(super) fn translate(tools: Vec<(String, Value)>) -> Result<Self, BadRequest> {
        let mut declared = Vec::with_capacity(tools.len());
        for (path, value) in tools {
            declare(value, &path, None, &mut declared)?;
        }
        // Plain functions keep their names; the others take what is left.
        let mut taken: HashSet<String> = declared
            .iter()
            .filter(|d| d.client.is_none())
            .map(|d| d.spec.name.clone())
            .collect();
        let mut out = Self::default();
        for Declared { mut spec, client } in declared {
            if let Some(mut client) = client {
                let mut name = function_name(client.namespace.as_deref(), &client.name);
                if taken.contains(&name) {
                    name = digested(&name, client.namespace.as_deref(), &client.name);
                }
                if !taken.insert(name.clone()) {
                    return Err(BadRequest::new(
                        "tools",
                        format!("two tools are both called `{}`", client.name),
                    ));
                }
                spec.name.clone_from(&name);
                client.function = name;
                out.client.push(client);
            }
            out.specs.push(spec);
        }
        Ok(out)
    }

    /// The function standing for the tool a past call of the client named: `name` in
    /// `namespace` (a `function_call` or `custom_tool_call` in the conversation).
    pub(super) fn function_for(&self, namespace: Option<&str>, name: &str) -> String {
        self.client
            .iter()
            .find(|t| t.namespace.as_deref() == namespace && t.name == name)
            .map_or_else(
                // A tool this request no longer offers: named as it would have been.
                || match namespace {
                    None => name.to_owned(),
                    Some(_) => function_name(namespace, name),
                },
                |t| t.function.clone(),
            )
    }

    /// `tool_choice` in the upstream's terms. A choice of a hosted tool that was left out
    /// becomes `auto`: the model may still answer, as it could have without searching.
    pub(super) fn choice(&self, value: &Value) -> Result<ToolChoice, BadRequest> {
        const EXPECTED: &str =
            "expected `auto`, `none`, `required` or {\"type\":\"function\",\"name\":…}";
        let object = match value {
            Value::String(s) => {
                return match s.as_str() {
                    "auto" => Ok(ToolChoice::Auto),
                    "none" => Ok(ToolChoice::None),
                    "required" => Ok(ToolChoice::Required),
                    other => Err(BadRequest::new(
                        "tool_choice",
                        format!("unknown value `{other}`, {EXPECTED}"),
                    )),
                };
            }
            Value::Object(object) => object,
            _ => return Err(BadRequest::new("tool_choice", EXPECTED)),
        };
        match object.get("type").and_then(Value::as_str) {
            Some("function" | "custom") => {
                let name = object
                    .get("name")
                    .and_then(Value::as_str)
                    .ok_or_else(|| BadRequest::new("tool_choice.name", "must name the tool"))?;
                let namespace = object.get("namespace").and_then(Value::as_str);
                Ok(ToolChoice::Function {
                    name: self.function_for(namespace, name),
                })
            }
            Some(kind) if DROPPED.contains(&kind) => {
                tracing::debug!(
                    tool = kind,
                    "tool_choice names a hosted tool that was left out; the model chooses"
                );
                Ok(ToolChoice::Auto)
            }
            Some(kind) if REFUSED.contains(&kind) => Err(refusal("tool_choice.type", kind)),
            _ => Err(BadRequest::new("tool_choice", EXPECTED)),
        }
    }
}

/// A declared tool before names are settled.
struct Declared {
    spec: ToolSpec,
    client: Option<ClientTool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FunctionTool {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    name: String,
    description: Option<String>,
    parameters: Option<Value>,
    #[serde(rename = "strict")]
    _strict: Option<IgnoredAny>,
    /// Codex marks tools the model should find through `tool_search` first; with that left
    /// out, they are simply offered.
    #[serde(rename = "defer_loading")]
    _defer_loading: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NamespaceTool {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    name: String,
    #[serde(rename = "description")]
    _description: Option<IgnoredAny>,
    tools: Vec<Value>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CustomTool {
    #[serde(rename = "type")]
    _kind: IgnoredAny,
    name: String,
    description: Option<String>,
    format: Option<CustomFormat>,
    #[serde(rename = "defer_loading")]
    _defer_loading: Option<IgnoredAny>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, expecting = "a custom tool format")]
struct CustomFormat {
    #[serde(rename = "type")]
    kind: CustomFormatKind,
    syntax: Option<String>,
    definition: Option<String>,
}

#[derive(Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case", expecting = "`text` or `grammar`")]
enum CustomFormatKind {
    Text,
    Grammar,
}

fn declare(
    value: Value,
    path: &str,
    namespace: Option<&str>,
    out: &mut Vec<Declared>,
) -> Result<(), BadRequest> {
    let kind = type_of(&value, path)?;
    match kind {
        "function" => {
            let tool: FunctionTool = decode_value(value, path)?;
            let spec = ToolSpec {
                name: tool.name.clone(),
                description: tool.description,
                parameters: tool.parameters.unwrap_or_else(empty_schema),
            };
            let client = namespace.map(|ns| ClientTool {
                function: String::new(),
                name: tool.name,
                namespace: Some(ns.to_owned()),
                freeform: false,
            });
            out.push(Declared { spec, client });
        }
        "custom" => {
            let tool: CustomTool = decode_value(value, path)?;
            let spec = ToolSpec {
                name: tool.name.clone(),
                description: Some(freeform_description(tool.description, tool.format)),
                parameters: freeform_parameters(),
            };
            let client = Some(ClientTool {
                function: String::new(),
                name: tool.name,
                namespace: namespace.map(str::to_owned),
                freeform: true,
            });
            out.push(Declared { spec, client });
        }
        "namespace" if namespace.is_none() => {
            let group: NamespaceTool = decode_value(value, path)?;
            for (i, member) in group.tools.into_iter().enumerate() {
                declare(
                    member,
                    &format!("{path}.tools[{i}]"),
                    Some(&group.name),
                    out,
                )?;
            }
        }
        "namespace" => {
            return Err(BadRequest::new(
                format!("{path}.type"),
                "a namespace holds function and custom tools, not other namespaces",
            ));
        }
        kind if DROPPED.contains(&kind) => {
            tracing::debug!(
                tool = kind,
                at = path,
                "left out a hosted tool no upstream can run"
            );
        }
        kind if REFUSED.contains(&kind) => return Err(refusal(&format!("{path}.type"), kind)),
        other => {
            return Err(BadRequest::new(
                format!("{path}.type"),
                format!(
                    "`{other}` tools are not supported: Switchboard translates `function`, \
                     `custom` and `namespace` tools, and leaves out hosted tools it cannot run"
                ),
            ));
        }
    }
    Ok(())
}

fn refusal(path: &str, kind: &str) -> BadRequest {
    BadRequest::new(
        path,
        format!(
            "`{kind}` searches files stored on OpenAI's servers, which Switchboard cannot reach; \
             send the files' text in `input` instead"
        ),
    )
}

/// The description of the function standing for a freeform tool: what the client said, that
/// the text goes in `input`, and the grammar it must follow.
fn freeform_description(description: Option<String>, format: Option<CustomFormat>) -> String {
    let mut text = description.unwrap_or_default();
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str("Put the tool's whole input, as plain text, in the `input` string.");
    let grammar = format.filter(|f| f.kind == CustomFormatKind::Grammar);
    if let Some(CustomFormat {
        syntax,
        definition: Some(definition),
        ..
    }) = grammar
    {
        let syntax = syntax.unwrap_or_else(|| "grammar".to_owned());
        text.push_str(&format!(
            "\n\nThe input must match this {syntax} grammar:\n"
        ));
        match definition.char_indices().nth(MAX_GRAMMAR) {
            None => text.push_str(&definition),
            Some((cut, _)) => {
                text.push_str(&definition[..cut]);
                text.push_str("\n… (grammar shortened)");
            }
        }
    }
    text
}

fn freeform_parameters() -> Value {
    json!({
        "type": "object",
        "properties": {"input": {"type": "string", "description": "The tool's input, as plain text."}},
        "required": ["input"],
        "additionalProperties": false,
    })
}

/// The function name for `name` in `namespace`: within the length and characters every
/// upstream accepts, shortened with a digest when it is not.
fn function_name(namespace: Option<&str>, name: &str) -> String {
    let joined = match namespace {
        Some(ns) if ns != DEFAULT_NAMESPACE => format!("{ns}{SEPARATOR}{name}"),
        _ => name.to_owned(),
    };
    let clean: String = joined
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if clean.is_empty() || clean.len() > MAX_NAME {
        digested(&clean, namespace, name)
    } else {
        clean
    }
}

/// `clean` cut short and followed by a digest of the tool's identity, so two tools that read
/// the same (too long, or equal to another tool's name) stay apart. The table is rebuilt from
/// the tools on every request, so the digest only has to agree with itself within one
/// running Switchboard: std's hasher, with its fixed keys, does (its output may change
/// between Rust releases, which only renames a tool once).
fn digested(clean: &str, namespace: Option<&str>, name: &str) -> String {
    let mut hasher = std::hash::DefaultHasher::new();
    (namespace, name).hash(&mut hasher);
    let digest = hasher.finish() & 0xffff_ffff;
    // `clean` is ASCII, so any byte index is a character boundary.
    let keep = clean.len().min(MAX_NAME - 9);
    format!("{}_{digest:08x}", &clean[..keep])
}

/// How one of the model's calls goes back to the client.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum CallShape {
    /// A `function_call` item, with its `namespace` when the tool had one.
    Function {
        name: String,
        namespace: Option<String>,
    },
    /// A `custom_tool_call` item carrying the model's text as `input`.
    Custom {
        name: String,
        namespace: Option<String>,
        input: String,
    },
}

/// The client's shape for `call`, by the table in `client`.
pub(super) fn call_shape(call: &ToolCall, client: &[ClientTool]) -> CallShape {
    match client.iter().find(|t| t.function == call.name) {
        None => CallShape::Function {
            name: call.name.clone(),
            namespace: None,
        },
        Some(tool) if tool.freeform => CallShape::Custom {
            name: tool.name.clone(),
            namespace: tool.namespace.clone(),
            input: freeform_input(&call.arguments),
        },
        Some(tool) => CallShape::Function {
            name: tool.name.clone(),
            namespace: tool.namespace.clone(),
        },
    }
}

/// The text a freeform call carries: the `input` argument. Models sometimes name the one
/// argument differently or send the text bare; the text is what the client's tool expects
/// either way, so any lone string is taken, and anything else is passed on as written.
fn freeform_input(arguments: &str) -> String {
    let text = match serde_json::from_str::<Value>(arguments) {
        Ok(Value::String(text)) => Some(text),
        Ok(Value::Object(object)) => match object.get("input") {
            Some(Value::String(text)) => Some(text.clone()),
            _ => lone_string(&object),
        },
        _ => None,
    };
    text.unwrap_or_else(|| arguments.to_owned())
}

fn lone_string(object: &Map<String, Value>) -> Option<String> {
    let mut values = object.values();
    match (values.next(), values.next()) {
        (Some(Value::String(text)), None) => Some(text.clone()),
        _ => None,
    }
}

/// The arguments of the function standing for a freeform tool, for a past call whose text was
/// `input`.
pub(super) fn freeform_arguments(input: &str) -> String {
    json!({ "input": input }).to_string()
}
