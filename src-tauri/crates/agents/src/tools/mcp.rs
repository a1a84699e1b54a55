//! MCP servers over stdio, through the official SDK (`rmcp`): each of a server's tools becomes
//! one [`Tool`] named `<server>__<tool>`.
//!
//! The tools of one server share an `Arc` of the running client, so the server lives exactly as
//! long as the toolbox holding them; dropping the last one stops the client, and the child
//! process is killed with it (`kill_on_drop`, on top of rmcp's own cleanup, so no server
//! outlives the task even when the runtime is shutting down).
//!
//! Servers are third-party programs: they start with an almost empty environment (the app's
//! holds the users' provider keys) plus what the user configured for them, and a tool runs
//! without asking only when the user trusted it, whatever the server says about the tool.

use std::borrow::Cow;
use std::ffi::OsString;
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

/// The variables a server inherits from the app, by name; everything else, `*_API_KEY` and
/// other tokens above all, stays out. Each is here because common servers break without it
/// and none carries a secret:
/// - `PATH`: finding `npx`, `uvx`, `node`, `python`, `docker` and what they start;
/// - `HOME`, `USER`: package caches and per-user config (npm, pip, git);
/// - `LANG`, `LC_*`: text encoding of file names and output;
/// - `TERM`: tools that check for a terminal before printing;
/// - `TMPDIR`: where temporary files go (macOS gives every user their own);
/// - `XDG_RUNTIME_DIR`: the user's sockets (D-Bus, the keychain, a container runtime);
/// - `SHELL`: servers that run commands start them with the user's shell.
///
/// Proxy variables are left out because they may carry credentials; a server that needs one
/// gets it configured like any other variable.
#[cfg(unix)]
const INHERITED: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LANG",
    "TERM",
    "TMPDIR",
    "XDG_RUNTIME_DIR",
    "SHELL",
];

/// As on unix, plus what Windows programs cannot start or find the user's folders without
/// (`SystemRoot` for networking, `APPDATA` for npm, `PATHEXT` for finding `npx.cmd`).
#[cfg(windows)]
const INHERITED: &[&str] = &[
    "PATH",
    "PATHEXT",
    "SYSTEMROOT",
    "WINDIR",
    "COMSPEC",
    "TEMP",
    "TMP",
    "USERNAME",
    "USERPROFILE",
    "HOMEDRIVE",
    "HOMEPATH",
    "APPDATA",
    "LOCALAPPDATA",
    "PROGRAMDATA",
    "PROGRAMFILES",
    "LANG",
];

/// Whether the server inherits the app's variable `name`.
fn inherited(name: &str) -> bool {
    if name.starts_with("LC_") {
        return true;
    }
    // Windows variable names are case-insensitive (`Path`, `SystemRoot`).
    if cfg!(windows) {
        INHERITED.iter().any(|i| i.eq_ignore_ascii_case(name))
    } else {
        INHERITED.contains(&name)
    }
}

/// The environment a server starts with: the inherited part of `parent`, then the
/// configured variables, which win over an inherited one of the same name.
fn child_env(
    parent: impl IntoIterator<Item = (OsString, OsString)>,
    configured: &[(String, String)],
) -> Vec<(OsString, OsString)> {
    let mut env: Vec<(OsString, OsString)> = parent
        .into_iter()
        .filter(|(name, _)| name.to_str().is_some_and(inherited))
        .filter(|(name, _)| !configured.iter().any(|(c, _)| name.to_str() == Some(c)))
        .collect();
    env.extend(
        configured
            .iter()
            .map(|(name, value)| (OsString::from(name), OsString::from(value))),
    );
    env
}

/// Starts `server`, initializes it and lists its tools.
pub(super) async fn open(server: &McpServer) -> Result<Vec<McpTool>, AgentError> {
    let name = &server.name;
    let failed =
        |why: String| AgentError::Invalid(format!("could not start MCP server {name}: {why}"));

    let configured = server
        .env
        .iter()
        .map(|var| match &var.value {
            Some(value) => Ok((var.name.clone(), value.clone())),
            None => Err(failed(format!(
                "{} has no value; enter it again in the server's settings",
                var.name
            ))),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut command = tokio::process::Command::new(&server.command);
    command
        .args(&server.args)
        .env_clear()
        .envs(child_env(std::env::vars_os(), &configured))
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
            let exposed = tool_name(name, &tool.name);
            // Trust by the server's own name or the name the user sees in the app. The tool's
            // `readOnlyHint` is not consulted: the MCP specification says annotations from an
            // untrusted server must not drive such decisions, and a malicious server would
            // mark its destructive tool read-only.
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
                side_effects: !trusted,
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
    use crate::McpEnv;

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

    fn vars(pairs: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
        pairs
            .iter()
            .map(|(k, v)| (OsString::from(k), OsString::from(v)))
            .collect()
    }

    #[cfg(unix)]
    #[test]
    fn a_server_inherits_only_the_allow_list_plus_its_own_variables() {
        let parent = vars(&[
            ("PATH", "/usr/bin"),
            ("HOME", "/home/ada"),
            ("LC_ALL", "C.UTF-8"),
            ("OPENROUTER_API_KEY", "sk-or-v1-secret"),
            ("ANTHROPIC_API_KEY", "sk-ant-secret"),
            ("GITHUB_TOKEN", "ghp_from_the_shell"),
            ("AWS_SECRET_ACCESS_KEY", "aws"),
            ("HTTPS_PROXY", "http://user:pw@proxy:3128"),
            ("SWITCHBOARD_DATA_DIR", "/data"),
        ]);
        let configured = [("GITHUB_TOKEN".to_owned(), "ghp_configured".to_owned())];
        let env = child_env(parent, &configured);
        assert_eq!(
            env,
            vars(&[
                ("PATH", "/usr/bin"),
                ("HOME", "/home/ada"),
                ("LC_ALL", "C.UTF-8"),
                ("GITHUB_TOKEN", "ghp_configured"),
            ]),
            "no provider key, no stray token, and the configured value wins"
        );
    }

    #[tokio::test]
    async fn a_variable_without_a_value_stops_the_start_with_what_to_do() {
        let server = McpServer {
            name: "gh".to_owned(),
            command: "/nonexistent/switchboard-mcp-gh".to_owned(),
            args: vec![],
            env: vec![McpEnv {
                name: "GITHUB_TOKEN".to_owned(),
                value: None,
                masked: Some("••••abcd".to_owned()),
            }],
            trusted_tools: vec![],
            call_timeout_secs: None,
        };
        let err = open(&server).await.err().unwrap();
        assert!(
            matches!(&err, AgentError::Invalid(m) if m.contains("GITHUB_TOKEN has no value")),
            "{err}"
        );
        assert!(
            !format!("{:?}", McpEnv::new("T", "hunter2")).contains("hunter2"),
            "Debug never shows a value"
        );
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
