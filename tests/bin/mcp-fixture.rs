//! A tiny MCP server over stdio, for the `mcp` flow (and for a person trying MCP grants
//! offline). Its tools:
//!
//! - `add` `{a, b}`: the sum. Annotated read-only, which Switchboard shows but does not act on:
//!   it asks first unless the user trusted the tool.
//! - `note` `{text}`: appends the text and a newline to the file named by `MCP_FIXTURE_NOTES`.
//!   Not read-only.
//! - `wait` `{seconds}`: answers "waited" after that long; read-only. Stands in for a server
//!   that hangs.
//! - `environment` `{}`: its own environment, `NAME=value` a line, sorted; read-only. Shows
//!   what a server started by Switchboard can see.
//!
//! ```text
//! cargo build -p switchboard-tests --bin mcp-fixture
//! # then an MCP server in Settings with command target/debug/mcp-fixture
//! ```

use std::io::Write;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::{ServerCapabilities, ServerConfig};
use rmcp::{ServerHandler, ServiceExt, schemars, tool, tool_handler, tool_router};

/// Where `note` writes.
const NOTES_VAR: &str = "MCP_FIXTURE_NOTES";

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct AddArgs {
    /// The first number.
    a: f64,
    /// The second number.
    b: f64,
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct NoteArgs {
    /// The line to append.
    text: String,
}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct NoArgs {}

#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct WaitArgs {
    /// How long to wait before answering.
    seconds: f64,
}

#[derive(Debug, Clone)]
struct Fixture {
    tool_router: ToolRouter<Self>,
}

#[tool_router]
impl Fixture {
    fn new() -> Self {
        Self {
            tool_router: Self::tool_router(),
        }
    }

    /// Adds two numbers.
    #[tool(annotations(read_only_hint = true))]
    fn add(&self, Parameters(AddArgs { a, b }): Parameters<AddArgs>) -> String {
        (a + b).to_string()
    }

    /// Appends a line to the notes file.
    #[tool(annotations(read_only_hint = false))]
    fn note(&self, Parameters(NoteArgs { text }): Parameters<NoteArgs>) -> Result<String, String> {
        let path = std::env::var_os(NOTES_VAR).ok_or(format!("{NOTES_VAR} is not set"))?;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|e| format!("cannot open the notes file: {e}"))?;
        writeln!(file, "{text}").map_err(|e| format!("cannot write the notes file: {e}"))?;
        Ok("noted".to_owned())
    }

    /// Answers after the given number of seconds.
    #[tool(annotations(read_only_hint = true))]
    async fn wait(&self, Parameters(WaitArgs { seconds }): Parameters<WaitArgs>) -> String {
        tokio::time::sleep(std::time::Duration::from_secs_f64(
            seconds.clamp(0.0, 3600.0),
        ))
        .await;
        "waited".to_owned()
    }

    /// Lists this server's environment variables.
    #[tool(annotations(read_only_hint = true))]
    fn environment(&self, Parameters(NoArgs {}): Parameters<NoArgs>) -> String {
        let mut vars: Vec<String> = std::env::vars_os()
            .map(|(k, v)| format!("{}={}", k.to_string_lossy(), v.to_string_lossy()))
            .collect();
        vars.sort();
        vars.join("\n")
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Fixture {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build()).with_instructions(
            "A test fixture: add numbers, write notes, wait, show its environment.",
        )
    }
}

#[tokio::main]
async fn main() {
    let served = match Fixture::new().serve(rmcp::transport::stdio()).await {
        Ok(served) => served,
        Err(e) => {
            eprintln!("mcp-fixture: {e}");
            std::process::exit(1);
        }
    };
    // Runs until the client closes stdin.
    if let Err(e) = served.waiting().await {
        eprintln!("mcp-fixture: {e}");
        std::process::exit(1);
    }
}
