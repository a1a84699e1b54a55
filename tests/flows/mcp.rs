//! MCP grants end to end: the agents' toolbox starts a real MCP server (the `mcp-fixture`
//! binary) over stdio, lists its tools and calls them; the engine keeps the servers'
//! environment values in the OS keychain, never in SQLite or a listing.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::json;
use switchboard_agents::tools::Toolbox;
use switchboard_agents::{AgentError, McpEnv, McpServer, ToolGrant};
use switchboard_engine::agent::{AgentSpec, AgentTarget, Plan, Task};
use switchboard_engine::core::BuiltinProvider;
use switchboard_engine::{DataDir, RunOptions};
use switchboard_tests::{FakeUpstream, scripted};

use crate::keys::Harness;

/// The fixture server, writing its notes (and, when asked, its process id) into `dir`.
fn fixture(dir: &Path) -> McpServer {
    McpServer {
        name: "fixture".to_owned(),
        command: env!("CARGO_BIN_EXE_mcp-fixture").to_owned(),
        args: vec![],
        env: vec![McpEnv::new(
            "MCP_FIXTURE_NOTES",
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
    assert_eq!(
        names,
        [
            "fixture__add",
            "fixture__environment",
            "fixture__note",
            "fixture__wait"
        ]
    );

    let add = &specs[0];
    assert_eq!(add.description.as_deref(), Some("Adds two numbers."));
    assert_eq!(add.parameters["type"], "object");
    assert_eq!(add.parameters["properties"]["a"]["type"], "number");
    assert_eq!(add.parameters["properties"]["b"]["type"], "number");
    let note = &specs[2];
    assert_eq!(note.parameters["properties"]["text"]["type"], "string");
    assert_eq!(note.parameters["required"], json!(["text"]));
}

/// D8: a server's own `readOnlyHint` is a claim an untrusted server can make about a
/// destructive tool, so only the user's `trusted_tools` lets a tool run without asking.
#[tokio::test]
async fn only_the_users_trusted_tools_run_without_asking_whatever_the_server_hints() {
    let dir = tempfile::tempdir().unwrap();
    let toolbox = open(fixture(dir.path())).await;
    assert!(
        toolbox.get("fixture__add").unwrap().side_effects(),
        "add says readOnlyHint: true, and still waits for approval"
    );
    assert!(
        toolbox.get("fixture__note").unwrap().side_effects(),
        "note writes a file, so each call is approved"
    );

    let trusting = McpServer {
        trusted_tools: vec!["note".to_owned(), "fixture__add".to_owned()],
        ..fixture(dir.path())
    };
    let toolbox = open(trusting).await;
    assert!(
        !toolbox.get("fixture__note").unwrap().side_effects(),
        "the user trusted note by the server's name for it"
    );
    assert!(
        !toolbox.get("fixture__add").unwrap().side_effects(),
        "and add by the name the app shows"
    );
    assert!(toolbox.get("fixture__wait").unwrap().side_effects());
}

/// D8: a server starts with the allow-listed part of the app's environment and its own
/// variables, so a third-party server never sees the provider keys or anything else the user
/// exported for other programs.
#[tokio::test]
async fn a_server_sees_only_the_allow_listed_environment_and_its_own_variables() {
    // Cargo gives every test process variables no MCP server should see; before the fix the
    // server inherited them along with any `*_API_KEY`.
    assert!(
        std::env::var_os("CARGO_MANIFEST_DIR").is_some(),
        "the test needs a variable outside the allow-list in its own environment"
    );
    let dir = tempfile::tempdir().unwrap();
    let server = McpServer {
        env: vec![
            McpEnv::new("MCP_FIXTURE_NOTES", notes(dir.path()).to_string_lossy()),
            McpEnv::new("FIXTURE_TOKEN", "tok-configured-0001"),
        ],
        ..fixture(dir.path())
    };
    let toolbox = open(server).await;
    let seen = toolbox
        .get("fixture__environment")
        .unwrap()
        .call(json!({}))
        .await
        .unwrap();
    let names: Vec<&str> = seen
        .lines()
        .filter_map(|line| line.split_once('=').map(|(name, _)| name))
        .collect();
    assert!(
        seen.lines()
            .any(|l| l == "FIXTURE_TOKEN=tok-configured-0001"),
        "the configured variable arrives with its value: {seen}"
    );
    let allowed = [
        "PATH",
        "HOME",
        "USER",
        "LANG",
        "TERM",
        "TMPDIR",
        "XDG_RUNTIME_DIR",
        "SHELL",
        "MCP_FIXTURE_NOTES",
        "FIXTURE_TOKEN",
    ];
    let stray: Vec<&&str> = names
        .iter()
        .filter(|n| !allowed.contains(n) && !n.starts_with("LC_"))
        .collect();
    assert!(
        stray.is_empty(),
        "inherited beyond the allow-list: {stray:?}"
    );
    assert!(
        !names
            .iter()
            .any(|n| n.ends_with("_API_KEY") || n.starts_with("CARGO")),
        "{names:?}"
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

const KEY: &str = "sk-flows-mcp-key-000000000000001";
const MODEL: &str = "openai/gpt-4o-mini";
const SECRET: &str = "ghp-flow-mcp-secret-000111";

fn agent_using_fixture() -> AgentSpec {
    AgentSpec {
        name: "inspector".into(),
        description: String::new(),
        template: None,
        system_prompt: "You inspect.".into(),
        target: AgentTarget::Model {
            provider: BuiltinProvider::OpenRouter.id(),
            model: MODEL.into(),
        },
        params: Default::default(),
        tools: grant(),
        memory: Default::default(),
        budget_usd: None,
        max_steps: 4,
        task_type: None,
        plan: Plan::Single,
        output_schema: None,
    }
}

/// D8: an MCP server's environment values go to the keychain, not the database; listings
/// carry the names with masked values; the server still receives the value when it starts.
#[tokio::test]
async fn environment_values_live_in_the_keychain_and_listings_show_them_masked() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::openrouter(&fake, KEY) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let server = McpServer {
        env: vec![
            McpEnv::new("MCP_FIXTURE_NOTES", notes(dir.path()).to_string_lossy()),
            McpEnv::new("FIXTURE_TOKEN", SECRET),
        ],
        trusted_tools: vec!["environment".into()],
        ..fixture(dir.path())
    };
    h.engine.agents().save_mcp_server(server).await.unwrap();

    assert_eq!(
        h.keychain_value("mcp:fixture:FIXTURE_TOKEN").as_deref(),
        Some(SECRET)
    );
    assert_eq!(
        h.files_containing(SECRET),
        Vec::<PathBuf>::new(),
        "the value is nowhere in the database, its WAL or the logs"
    );
    let listed = h.engine.agents().mcp_servers().await.unwrap();
    let env: Vec<(&str, Option<&str>, Option<&str>)> = listed[0]
        .env
        .iter()
        .map(|v| (v.name.as_str(), v.value.as_deref(), v.masked.as_deref()))
        .collect();
    assert_eq!(env[1], ("FIXTURE_TOKEN", None, Some("••••0111")));
    assert_eq!(env[0].0, "MCP_FIXTURE_NOTES");
    assert_eq!(env[0].1, None);
    assert!(
        !serde_json::to_string(&listed).unwrap().contains(SECRET),
        "the listing (what the UI receives) never holds the value"
    );

    // An agent's run starts the server with the value from the keychain.
    h.engine
        .agents()
        .save(None, agent_using_fixture())
        .await
        .unwrap();
    fake.enqueue(scripted::tool_call(
        1,
        MODEL,
        "fixture__environment",
        "{}",
        0.0001,
    ));
    fake.enqueue(scripted::answer(2, MODEL, "Seen.", 0.0001));
    let (tx, mut rx) = tokio::sync::mpsc::channel(256);
    let drain = tokio::spawn(async move { while rx.recv().await.is_some() {} });
    let task = Task {
        title: "Look".into(),
        description: "Look at your environment".into(),
        inputs: Default::default(),
    };
    let report = h
        .engine
        .agents()
        .run("inspector".into(), task, RunOptions::default(), tx)
        .await
        .unwrap();
    drain.await.unwrap();
    assert_eq!(report.error, None, "{report:?}");
    let second = fake
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/chat/completions"))
        .nth(1)
        .and_then(|r| r.json())
        .unwrap();
    assert!(
        second
            .to_string()
            .contains(&format!("FIXTURE_TOKEN={SECRET}")),
        "the server received its configured value"
    );

    // Saving without a value keeps the stored one; dropping the variable forgets it.
    let keep = McpServer {
        env: vec![
            McpEnv::new("MCP_FIXTURE_NOTES", notes(dir.path()).to_string_lossy()),
            McpEnv {
                name: "FIXTURE_TOKEN".into(),
                value: None,
                masked: Some("••••0111".into()),
            },
        ],
        ..fixture(dir.path())
    };
    h.engine.agents().save_mcp_server(keep).await.unwrap();
    assert_eq!(
        h.keychain_value("mcp:fixture:FIXTURE_TOKEN").as_deref(),
        Some(SECRET)
    );
    let new_without_value = McpServer {
        env: vec![McpEnv {
            name: "OTHER".into(),
            value: None,
            masked: None,
        }],
        ..fixture(dir.path())
    };
    let err = h
        .engine
        .agents()
        .save_mcp_server(new_without_value)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("give OTHER a value"), "{err}");
    h.engine
        .agents()
        .save_mcp_server(fixture(dir.path()))
        .await
        .unwrap();
    assert_eq!(h.keychain_value("mcp:fixture:FIXTURE_TOKEN"), None);
    h.engine
        .agents()
        .delete_mcp_server("fixture".into())
        .await
        .unwrap();
    assert_eq!(h.keychain_value("mcp:fixture:MCP_FIXTURE_NOTES"), None);
}

/// D8: configs saved by earlier versions held the values in SQLite; the first load moves them
/// to the keychain and leaves only the names in the stored config.
#[tokio::test]
async fn plaintext_values_of_earlier_versions_move_to_the_keychain_on_first_load() {
    let Some(h) = Harness::new(&[]) else {
        return;
    };
    let legacy_secret = "ghp-legacy-plaintext-000222";
    let store = switchboard_store::Store::open(&DataDir::at(h.dir.path()).db_path()).unwrap();
    let old = json!({
        "name": "legacy", "command": "npx", "args": ["-y", "server-github"],
        "env": [["GITHUB_TOKEN", legacy_secret]], "trusted_tools": []
    });
    store.put_mcp_server("legacy", &old.to_string()).unwrap();

    let listed = h.engine.agents().mcp_servers().await.unwrap();
    assert_eq!(listed[0].env[0].name, "GITHUB_TOKEN");
    assert_eq!(listed[0].env[0].value, None);
    assert_eq!(listed[0].env[0].masked.as_deref(), Some("••••0222"));
    assert_eq!(
        h.keychain_value("mcp:legacy:GITHUB_TOKEN").as_deref(),
        Some(legacy_secret)
    );
    let stored = store.mcp_servers().unwrap();
    assert!(
        !stored[0].1.contains(legacy_secret) && stored[0].1.contains("GITHUB_TOKEN"),
        "the stored config keeps the name only: {}",
        stored[0].1
    );
    h.engine
        .agents()
        .delete_mcp_server("legacy".into())
        .await
        .unwrap();
    assert_eq!(h.keychain_value("mcp:legacy:GITHUB_TOKEN"), None);
}
