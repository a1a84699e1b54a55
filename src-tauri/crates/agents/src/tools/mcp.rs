//! MCP servers over stdio, through the official SDK (`rmcp`): each of a server's tools becomes
//! one [`Tool`] named `<server>__<tool>`.
//!
//! The tools of one server share an `Arc` of the running client, so the server lives exactly as
//! long as the toolbox holding them; dropping the last one stops the client, and the child
//! process is killed with it (`kill_on_drop`, on top of rmcp's own cleanup, so no server
//! outlives the task even when the runtime is shutting down).

use std::borrow::Cow;
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use rmcp::ServiceExt;
use rmcp::model::{
    CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig, ContentBlock,
    Implementation,
};
use rmcp::service::{RoleClient, RunningService};
use rmcp::transport::TokioChildProcess;
use switchboard_core::ToolSpec;
use tokio::io::{AsyncBufReadExt, BufReader};

use super::{Tool, ToolFuture};
use crate::{AgentError, McpServer};

/// Tool names the providers accept: at most 64 of `[a-zA-Z0-9_-]`.
const MAX_NAME: usize = 64;
/// Starting and listing; a server that has not answered by then is not going to (`npx` fetching
/// a package on a slow line is the slowest case seen).
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// The running client, shared by the server's tools.
type Client = RunningService<RoleClient, ClientConfig>;

/// Starts `server`, initializes it and lists its tools.
pub(super) async fn open(server: &McpServer) -> Result<Vec<McpTool>, AgentError> {
    let name = &server.name;
    let failed =
        |why: String| AgentError::Invalid(format!("could not start MCP server {name}: {why}"));

    let mut command = tokio::process::Command::new(&server.command);
    command
        .args(&server.args)
        .envs(server.env.iter().map(|(k, v)| (k, v)))
        .kill_on_drop(true);
    // stdout is the protocol; stderr is the server's log, which belongs in ours rather than on
    // the app's terminal.
    let (transport, stderr) = TokioChildProcess::builder(command)
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| failed(format!("{}: {e}", server.command)))?;
    if let Some(stderr) = stderr {
        let server = name.clone();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                tracing::debug!(mcp_server = %server, "{line}");
            }
        });
    }

    let config = ClientConfig::new(
        ClientCapabilities::default(),
        Implementation::new("switchboard", env!("CARGO_PKG_VERSION")),
    );
    let client = tokio::time::timeout(START_TIMEOUT, config.serve(transport))
        .await
        .map_err(|_| failed(format!("no answer within {} s", START_TIMEOUT.as_secs())))?
        .map_err(|e| failed(e.to_string()))?;
    let listed = tokio::time::timeout(START_TIMEOUT, client.list_all_tools())
        .await
        .map_err(|_| {
            failed(format!(
                "listing tools took over {} s",
                START_TIMEOUT.as_secs()
            ))
        })?
        .map_err(|e| failed(format!("listing tools failed: {e}")))?;

    // A server that has not answered a call by then is treated as hung: the model is told and
    // the task goes on (the call itself is abandoned; MCP has no way to recall it).
    let call_timeout = Duration::from_secs(u64::from(
        server
            .call_timeout_secs
            .unwrap_or(McpServer::DEFAULT_CALL_TIMEOUT_SECS),
    ));
    let client = Arc::new(client);
    Ok(listed
        .into_iter()
        .map(|tool| {
            let read_only = tool
                .annotations
                .as_ref()
                .and_then(|a| a.read_only_hint)
                .unwrap_or(false);
            let exposed = tool_name(name, &tool.name);
            // Trust by the server's own name or the name the user sees in the app.
            let trusted = server
                .trusted_tools
                .iter()
                .any(|t| *t == tool.name || *t == exposed);
            McpTool {
                spec: ToolSpec {
                    name: exposed,
                    description: tool.description.map(Cow::into_owned).or(tool.title),
                    parameters: serde_json::Value::Object((*tool.input_schema).clone()),
                },
                remote: tool.name.into_owned(),
                side_effects: !(read_only || trusted),
                call_timeout,
                client: Arc::clone(&client),
            }
        })
        .collect())
}

/// `<server>__<tool>`, with anything the providers reject replaced by `_`, cut to 64.
fn tool_name(server: &str, tool: &str) -> String {
    format!("{server}__{tool}")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(MAX_NAME)
        .collect()
}

/// One tool of a running MCP server.
pub(super) struct McpTool {
    spec: ToolSpec,
    /// The name the server knows it by.
    remote: String,
    side_effects: bool,
    call_timeout: Duration,
    client: Arc<Client>,
}

impl Tool for McpTool {
    fn spec(&self) -> ToolSpec {
        self.spec.clone()
    }

    fn side_effects(&self) -> bool {
        self.side_effects
    }

    fn call(&self, args: serde_json::Value) -> ToolFuture<'_> {
        Box::pin(async move {
            let fail = |message: String| AgentError::tool(&self.spec.name, message);
            let mut params = CallToolRequestParams::new(self.remote.clone());
            match args {
                serde_json::Value::Object(map) => params = params.with_arguments(map),
                serde_json::Value::Null => {}
                other => {
                    return Err(fail(format!(
                        "arguments must be a JSON object, not {other}"
                    )));
                }
            }
            let result = tokio::time::timeout(self.call_timeout, self.client.call_tool(params))
                .await
                .map_err(|_| {
                    fail(format!(
                        "the server did not answer within {} s",
                        self.call_timeout.as_secs()
                    ))
                })?
                .map_err(|e| fail(e.to_string()))?;
            let text = render(&result);
            if result.is_error == Some(true) {
                Err(fail(text))
            } else {
                Ok(text)
            }
        })
    }
}

/// The text parts joined; other parts are named so the model knows something was there.
fn render(result: &CallToolResult) -> String {
    let parts: Vec<String> = result
        .content
        .iter()
        .map(|block| match block {
            ContentBlock::Text(t) => t.text.clone(),
            ContentBlock::Image(i) => format!("[image: {}]", i.mime_type),
            ContentBlock::Audio(a) => format!("[audio: {}]", a.mime_type),
            ContentBlock::Resource(_) => "[embedded resource]".to_owned(),
            ContentBlock::ResourceLink(r) => format!("[resource: {}]", r.uri),
            _ => "[content of a kind Switchboard cannot show]".to_owned(),
        })
        .collect();
    if parts.is_empty() {
        // Tools with an output schema may answer only in structured form.
        return result
            .structured_content
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
    }
    parts.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_prefixed_sanitized_and_capped() {
        assert_eq!(tool_name("fixture", "add"), "fixture__add");
        assert_eq!(
            tool_name("my server", "files.read/v2"),
            "my_server__files_read_v2"
        );
        let long = tool_name("s", &"x".repeat(100));
        assert_eq!(long.len(), MAX_NAME);
        assert!(long.starts_with("s__x"));
    }

    #[tokio::test]
    async fn a_missing_program_is_a_clear_invalid_error() {
        let server = McpServer {
            name: "ghost".to_owned(),
            command: "/nonexistent/switchboard-mcp-ghost".to_owned(),
            args: vec![],
            env: vec![],
            trusted_tools: vec![],
            call_timeout_secs: None,
        };
        let err = open(&server).await.err().unwrap();
        assert!(
            matches!(&err, AgentError::Invalid(m) if m.starts_with("could not start MCP server ghost: ")),
            "{err}"
        );
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_program_that_does_not_speak_mcp_is_refused() {
        let server = McpServer {
            name: "mute".to_owned(),
            command: "true".to_owned(),
            args: vec![],
            env: vec![],
            trusted_tools: vec![],
            call_timeout_secs: None,
        };
        let err = open(&server).await.err().unwrap();
        assert!(
            matches!(&err, AgentError::Invalid(m) if m.starts_with("could not start MCP server mute: ")),
            "{err}"
        );
    }
}
