//! MCP grants end to end: the agents' toolbox starts a real MCP server (the `mcp-fixture`
//! binary) over stdio, lists its tools and calls them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;
use switchboard_agents::tools::Toolbox;
use switchboard_agents::{AgentError, McpServer, ToolGrant};

/// The fixture server, writing its notes (and, when asked, its process id) into `dir`.
fn fixture(dir: &Path) -> McpServer {
    McpServer {
        name: "fixture".to_owned(),
        command: env!("CARGO_BIN_EXE_mcp-fixture").to_owned(),
        args: vec![],
        env: vec![(
            "MCP_FIXTURE_NOTES".to_owned(),
            notes(dir).to_string_lossy().into_owned(),
        )],
        trusted_tools: vec![],
        call_timeout_secs: None,
    }
}

fn notes(dir: &Path) -> PathBuf {
    dir.join("notes.txt")
}

fn grant() -> Vec<ToolGrant> {
    vec![ToolGrant::Mcp {
        server: "fixture".to_owned(),
    }]
}

async fn open(server: McpServer) -> Toolbox {
    Toolbox::open(&grant(), &[server]).await.unwrap()
}

#[tokio::test]
async fn the_servers_tools_are_offered_under_prefixed_names_with_their_schemas() {
    let dir = tempfile::tempdir().unwrap();
    let toolbox = open(fixture(dir.path())).await;
    let mut specs = toolbox.specs();
    specs.sort_by(|a, b| a.name.cmp(&b.name));
    let names: Vec<&str> = specs.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["fixture__add", "fixture__note", "fixture__wait"]);

    let add = &specs[0];
    assert_eq!(add.description.as_deref(), Some("Adds two numbers."));
    assert_eq!(add.parameters["type"], "object");
    assert_eq!(add.parameters["properties"]["a"]["type"], "number");
    assert_eq!(add.parameters["properties"]["b"]["type"], "number");
    let note = &specs[1];
    assert_eq!(note.parameters["properties"]["text"]["type"], "string");
    assert_eq!(note.parameters["required"], json!(["text"]));
}

#[tokio::test]
async fn read_only_and_trusted_tools_run_without_asking_others_need_approval() {
    let dir = tempfile::tempdir().unwrap();
    let toolbox = open(fixture(dir.path())).await;
    assert!(
        !toolbox.get("fixture__add").unwrap().side_effects(),
        "add is annotated readOnlyHint: true"
    );
    assert!(
        toolbox.get("fixture__note").unwrap().side_effects(),
        "note writes a file, so each call is approved"
    );

    let trusting = McpServer {
        trusted_tools: vec!["note".to_owned()],
        ..fixture(dir.path())
    };
    let toolbox = open(trusting).await;
    assert!(
        !toolbox.get("fixture__note").unwrap().side_effects(),
        "the user trusted note for this server"
    );
}

#[tokio::test]
async fn calls_reach_the_server_and_its_answers_come_back() {
    let dir = tempfile::tempdir().unwrap();
    let toolbox = open(fixture(dir.path())).await;
    let sum = toolbox
        .get("fixture__add")
        .unwrap()
        .call(json!({ "a": 2, "b": 3 }))
        .await
        .unwrap();
    assert_eq!(sum, "5");

    let note = toolbox.get("fixture__note").unwrap();
    assert_eq!(
        note.call(json!({ "text": "first" })).await.unwrap(),
        "noted"
    );
    assert_eq!(
        note.call(json!({ "text": "second" })).await.unwrap(),
        "noted"
    );
    assert_eq!(
        std::fs::read_to_string(notes(dir.path())).unwrap(),
        "first\nsecond\n"
    );
}

#[tokio::test]
async fn bad_arguments_and_tool_failures_are_tool_errors() {
    let dir = tempfile::tempdir().unwrap();
    let toolbox = open(fixture(dir.path())).await;
    let add = toolbox.get("fixture__add").unwrap();
    let err = add.call(json!({ "a": "two", "b": 3 })).await.unwrap_err();
    assert!(
        matches!(&err, AgentError::Tool { tool, .. } if tool == "fixture__add"),
        "the model is told which tool failed: {err}"
    );
    let err = add.call(json!([2, 3])).await.unwrap_err();
    assert!(err.to_string().contains("JSON object"), "{err}");

    // The server reports this one as a failed result (isError), not a protocol error.
    let no_notes = McpServer {
        env: vec![],
        ..fixture(dir.path())
    };
    let toolbox = open(no_notes).await;
    let err = toolbox
        .get("fixture__note")
        .unwrap()
        .call(json!({ "text": "lost" }))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AgentError::Tool { tool, message }
            if tool == "fixture__note" && message.contains("MCP_FIXTURE_NOTES is not set")),
        "{err}"
    );
}

#[tokio::test]
async fn a_call_past_the_servers_timeout_is_a_tool_error_and_the_server_still_answers() {
    let dir = tempfile::tempdir().unwrap();
    let impatient = McpServer {
        call_timeout_secs: Some(1),
        ..fixture(dir.path())
    };
    let toolbox = open(impatient).await;
    let wait = toolbox.get("fixture__wait").unwrap();

    // Under the limit: answered.
    assert_eq!(
        wait.call(json!({ "seconds": 0.05 })).await.unwrap(),
        "waited"
    );

    // Over it: the model is told, well before the server would have answered.
    let started = std::time::Instant::now();
    let err = wait.call(json!({ "seconds": 30 })).await.unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(&err, AgentError::Tool { tool, message }
            if tool == "fixture__wait" && message == "the server did not answer within 1 s"),
        "{err}"
    );
    assert!(
        took >= Duration::from_millis(900),
        "gave up early: {took:?}"
    );
    assert!(took < Duration::from_secs(10), "did not give up: {took:?}");

    // The abandoned call does not wedge the connection: the task goes on with the same server.
    let sum = toolbox
        .get("fixture__add")
        .unwrap()
        .call(json!({ "a": 1, "b": 1 }))
        .await
        .unwrap();
    assert_eq!(sum, "2");
}

#[tokio::test]
async fn a_missing_program_or_an_unknown_server_is_a_clear_invalid_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = McpServer {
        command: dir
            .path()
            .join("no-such-server")
            .to_string_lossy()
            .into_owned(),
        ..fixture(dir.path())
    };
    let err = Toolbox::open(&grant(), &[missing]).await.unwrap_err();
    assert!(
        matches!(&err, AgentError::Invalid(m) if m.starts_with("could not start MCP server fixture: ")),
        "{err}"
    );

    let err = Toolbox::open(&grant(), &[]).await.unwrap_err();
    assert!(
        matches!(&err, AgentError::Invalid(m) if m.contains("\"fixture\" is not configured")),
        "{err}"
    );
}

#[tokio::test]
async fn granting_a_server_twice_is_refused_because_the_names_would_clash() {
    let dir = tempfile::tempdir().unwrap();
    let twice = [grant(), grant()].concat();
    let err = Toolbox::open(&twice, &[fixture(dir.path())])
        .await
        .unwrap_err();
    assert!(
        matches!(&err, AgentError::Invalid(m) if m.contains("fixture__add")),
        "{err}"
    );
}

/// Whether the process is gone (or a zombie waiting to be reaped, which is as good as gone).
#[cfg(target_os = "linux")]
fn gone(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        // The state follows the parenthesized command name.
        Ok(stat) => stat
            .rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z') || rest.starts_with('X')),
    }
}

#[cfg(target_os = "linux")]
#[tokio::test]
async fn dropping_the_toolbox_stops_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let toolbox = open(fixture(dir.path())).await;
    let pids = server_pids(dir.path());
    assert_eq!(pids.len(), 1, "one fixture runs while the toolbox is open");
    let pid = pids[0];
    drop(toolbox);
    for _ in 0..50 {
        if gone(pid) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the MCP server {pid} outlived its toolbox");
}

/// Live fixture processes started for `dir`: other tests run their own fixtures in parallel,
/// so they are told apart by the notes path in their environment.
#[cfg(target_os = "linux")]
fn server_pids(dir: &Path) -> Vec<u32> {
    let marker = format!("MCP_FIXTURE_NOTES={}", notes(dir).display());
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return vec![];
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ")).is_ok_and(|environ| {
                environ
                    .split(|b| *b == 0)
                    .any(|var| var == marker.as_bytes())
            }) && !gone(*pid)
        })
        .collect()
}
