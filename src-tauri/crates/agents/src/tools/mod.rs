//! Tools an agent may call, in OpenAI's tools format (the providers crate translates it for
//! Anthropic). Each grant in an [`AgentSpec`](crate::AgentSpec) opens one or more tools; a
//! [`Toolbox`] holds the open ones for one task.

mod calculator;
mod clock;
mod files;
mod http;
mod mcp;

use std::future::Future;
use std::pin::Pin;

use switchboard_core::ToolSpec;

use crate::{AgentError, McpServer, ToolGrant};

pub(crate) use files::check_root as check_files_root;
pub(crate) use http::check_hosts as check_http_hosts;

/// A boxed future, so tools of different kinds sit in one list.
pub type ToolFuture<'a> = Pin<Box<dyn Future<Output = Result<String, AgentError>> + Send + 'a>>;

/// One callable tool.
pub trait Tool: Send + Sync {
    /// Its name, description and JSON Schema, as the model sees them.
    fn spec(&self) -> ToolSpec;
    /// Whether a call may change something outside the app (the user approves each call).
    fn side_effects(&self) -> bool;
    /// Whether this call waits for the user's approval: by default every call of a tool with
    /// side effects. A tool may ask more narrowly (http_get asks once per new host).
    fn needs_approval(&self, _args: &serde_json::Value) -> bool {
        self.side_effects()
    }
    /// The user approved this call; a tool that asks once per something remembers it here.
    fn approved(&self, _args: &serde_json::Value) {}
    /// Runs it. `Err` is reported to the model as the tool's result so it can carry on.
    fn call(&self, args: serde_json::Value) -> ToolFuture<'_>;
}

/// The tools open for one task.
pub struct Toolbox {
    tools: Vec<Box<dyn Tool>>,
    /// `tools`' specs, in the same order, built once: every model turn sends them and every
    /// tool call looks its tool up by name, and an MCP tool's spec copies its whole schema.
    specs: Vec<ToolSpec>,
}

impl std::fmt::Debug for Toolbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.specs.iter().map(|s| &s.name))
            .finish()
    }
}

impl Toolbox {
    /// Opens every granted tool; MCP grants start their server (named in `servers`) and list
    /// its tools.
    ///
    /// Fails on the first grant that cannot be opened (a missing folder, an unknown or broken
    /// MCP server) and when two tools would share a name, because the model could not tell them
    /// apart. Servers already started are stopped again when the partial toolbox is dropped.
    pub async fn open(grants: &[ToolGrant], servers: &[McpServer]) -> Result<Self, AgentError> {
        let mut tools: Vec<Box<dyn Tool>> = Vec::new();
        for grant in grants {
            match grant {
                ToolGrant::Calculator => tools.push(Box::new(calculator::Calculator)),
                ToolGrant::Clock => tools.push(Box::new(clock::CurrentTime)),
                ToolGrant::ReadFiles { root } => {
                    let (list, read) = files::open(root).await?;
                    tools.push(Box::new(list));
                    tools.push(Box::new(read));
                }
                ToolGrant::HttpGet {
                    hosts,
                    any_public_host,
                } => tools.push(Box::new(http::HttpGet::new(hosts, *any_public_host)?)),
                ToolGrant::Mcp { server } => {
                    let config = servers.iter().find(|s| s.name == *server).ok_or_else(|| {
                        AgentError::Invalid(format!(
                            "the MCP server \"{server}\" is not configured; add it in Settings or remove the grant"
                        ))
                    })?;
                    for tool in mcp::open(config).await? {
                        tools.push(Box::new(tool));
                    }
                }
            }
        }
        let toolbox = Self::from_tools(tools);
        let mut names = std::collections::HashSet::new();
        for spec in &toolbox.specs {
            if !names.insert(spec.name.as_str()) {
                return Err(AgentError::Invalid(format!(
                    "two granted tools are both named \"{}\"; remove one of the grants",
                    spec.name
                )));
            }
        }
        Ok(toolbox)
    }

    /// A toolbox of the given tools (tests, and the engine's own additions).
    pub fn from_tools(tools: Vec<Box<dyn Tool>>) -> Self {
        let specs = tools.iter().map(|t| t.spec()).collect();
        Self { tools, specs }
    }

    /// The specs to send with each request (a copy, since the request owns its tools).
    pub fn specs(&self) -> Vec<ToolSpec> {
        self.specs.clone()
    }

    /// The tool of that name.
    pub fn get(&self, name: &str) -> Option<&dyn Tool> {
        let index = self.specs.iter().position(|s| s.name == name)?;
        self.tools.get(index).map(|t| &**t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn grants_open_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let grants = [
            ToolGrant::Calculator,
            ToolGrant::Clock,
            ToolGrant::ReadFiles {
                root: dir.path().to_owned(),
            },
            ToolGrant::HttpGet {
                hosts: vec![],
                any_public_host: true,
            },
        ];
        let toolbox = Toolbox::open(&grants, &[]).await.unwrap();
        let names: Vec<String> = toolbox.specs().into_iter().map(|s| s.name).collect();
        assert_eq!(
            names,
            [
                "calculator",
                "current_time",
                "list_files",
                "read_file",
                "http_get"
            ]
        );
        assert!(
            toolbox
                .specs()
                .iter()
                .all(|s| s.parameters["type"] == "object"),
            "every tool takes a JSON object"
        );
    }

    #[tokio::test]
    async fn duplicate_tool_names_are_refused() {
        let err = Toolbox::open(&[ToolGrant::Clock, ToolGrant::Clock], &[])
            .await
            .unwrap_err();
        assert!(
            matches!(&err, AgentError::Invalid(m) if m.contains("\"current_time\"")),
            "{err}"
        );
    }

    #[tokio::test]
    async fn an_mcp_grant_needs_a_configured_server() {
        let grant = ToolGrant::Mcp {
            server: "absent".to_owned(),
        };
        let err = Toolbox::open(&[grant], &[]).await.unwrap_err();
        assert!(
            matches!(&err, AgentError::Invalid(m) if m.contains("\"absent\"")),
            "{err}"
        );
    }

    #[tokio::test]
    async fn an_empty_folder_grant_asks_for_a_folder() {
        let grant = ToolGrant::ReadFiles {
            root: std::path::PathBuf::new(),
        };
        let err = Toolbox::open(&[grant], &[]).await.unwrap_err();
        assert!(
            matches!(&err, AgentError::Invalid(m) if m.starts_with("choose a folder")),
            "{err}"
        );
    }
}
