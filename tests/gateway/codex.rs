//! Codex CLI (`@openai/codex`) in `exec` mode against the gateway, through `/v1/responses` with
//! the request Codex sends by default: instructions, its function tools, the `multi_agent_v1`
//! namespace, the hosted `web_search` (and, for OpenAI models it knows, the freeform
//! `apply_patch` and the hosted `tool_search`), reasoning, `store: false`.
//!
//! Optional: it runs only when a Codex binary is there, at `SWITCHBOARD_CODEX` or
//! `target/codex-cli/node_modules/.bin/codex` (`npm install --prefix target/codex-cli
//! @openai/codex@0.171.0`, about 420 MB), and says it was skipped otherwise, CI included.
//! Codex 0.171 reaches nothing but the gateway when started with `--disable plugins` and
//! `--disable in_app_updates` and with `analytics.enabled = false` in its config: without them
//! it resolves api.github.com (plugin sync, update check) and ab.chatgpt.com (metrics), as
//! `strace -f -e trace=connect,sendto` on it shows.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{Value, json};
use switchboard_engine::core::BuiltinProvider;
use switchboard_engine::router::{Failover, Route, Strategy, Target};
use switchboard_engine::{CostSource, Outcome};
use switchboard_tests::Reply;

use crate::harness::{Harness, MODEL, usd};
use crate::upstream::answer;

fn codex() -> Option<PathBuf> {
    let path = std::env::var_os("SWITCHBOARD_CODEX").map_or_else(
        || {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../target/codex-cli/node_modules/.bin/codex")
        },
        PathBuf::from,
    );
    if path.is_file() {
        return Some(path);
    }
    eprintln!(
        "skipping: no Codex CLI at {} (optional; see tests/gateway/codex.rs)",
        path.display()
    );
    None
}

/// What `codex exec` printed.
struct Run {
    stdout: String,
    stderr: String,
}

/// Runs `codex exec "<prompt>"` in `work` against the gateway as `key`, asking for `model`,
/// with Codex's default tools; `extra` arguments go before the prompt.
async fn exec(
    codex: &Path,
    h: &Harness,
    key: &str,
    model: &str,
    work: &Path,
    extra: &[&str],
    prompt: &str,
) -> Run {
    let home = tempfile::tempdir().unwrap();
    let config = format!(
        "model = \"{model}\"\nmodel_provider = \"switchboard\"\n\n\
         [model_providers.switchboard]\nname = \"Switchboard\"\n\
         base_url = \"{}/v1\"\nenv_key = \"SWITCHBOARD_API_KEY\"\nwire_api = \"responses\"\n\n\
         [analytics]\nenabled = false\n",
        h.base_url()
    );
    std::fs::write(home.path().join("config.toml"), config).unwrap();
    let mut command = tokio::process::Command::new(codex);
    command
        .args(["exec", "--skip-git-repo-check"])
        // Loopback only: no plugin sync or update check (and no metrics, in the config).
        .args(["--disable", "plugins", "--disable", "in_app_updates"])
        .args(extra)
        .arg(prompt)
        .current_dir(work)
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", home.path())
        .env("CODEX_HOME", home.path())
        .env("SWITCHBOARD_API_KEY", key)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(120), command.output())
        .await
        .expect("codex exec finishes")
        .unwrap();
    let run = Run {
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        output.status.success(),
        "codex failed:\n{}\n{}",
        run.stdout,
        run.stderr
    );
    run
}

/// Adds route `name` to OpenRouter's `model` (the harness's own routes go to [`MODEL`], which
/// cannot reason; Codex asks OpenAI models it knows for reasoning).
async fn route_to(h: &Harness, name: &str, model: &str) {
    let mut config = h.engine.routing().config();
    config.routes.push(Route {
        name: name.into(),
        strategy: Strategy::default(),
        openrouter_sort: None,
        cost_weight: None,
        targets: vec![Target {
            provider: BuiltinProvider::OpenRouter.id(),
            model: model.into(),
            weight: 1,
            max_concurrency: None,
            openrouter: None,
        }],
        failover: Failover::default(),
    });
    h.engine.routing().set_config(config).await.unwrap();
}

/// A streamed upstream answer (OpenRouter's chat format) that only calls `name` with
/// `arguments` as call `call_id`.
fn tool_call(id: &str, call_id: &str, name: &str, arguments: &Value) -> Reply {
    let frame = |delta: Value, finish: Option<&str>| {
        json!({"id": id, "object": "chat.completion.chunk", "created": 1_767_000_000,
            "model": MODEL, "provider": "OpenAI",
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
    };
    let call = json!({"index": 0, "id": call_id, "type": "function",
        "function": {"name": name, "arguments": arguments.to_string()}});
    let mut tail = frame(json!({}), Some("tool_calls"));
    tail["usage"] = json!({"prompt_tokens": 3000, "completion_tokens": 20,
        "total_tokens": 3020, "cost": 0.00153});
    let frames = [
        frame(
            json!({"role": "assistant", "content": null, "tool_calls": [call]}),
            None,
        ),
        tail,
    ];
    let mut chunks: Vec<Vec<u8>> = frames
        .iter()
        .map(|f| format!("data: {f}\n\n").into_bytes())
        .collect();
    chunks.push(b"data: [DONE]\n\n".to_vec());
    Reply::Sse(chunks)
}

fn tool_names(chat: &Value) -> Vec<String> {
    chat["tools"]
        .as_array()
        .expect("Codex's tools went upstream")
        .iter()
        .map(|t| {
            t["function"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

/// The upstream messages answering call `call_id`, as JSON text.
fn tool_result(chat: &Value, call_id: &str) -> String {
    chat["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .find(|m| m["role"] == "tool" && m["tool_call_id"] == call_id)
        .unwrap_or_else(|| panic!("a result for {call_id}: {chat}"))
        .to_string()
}

#[tokio::test]
async fn codex_exec_gets_its_answer_through_the_responses_endpoint() {
    let Some(codex) = codex() else { return };
    let h = Harness::start().await;
    let key = h.client_key("codex", None).await;
    h.fake.enqueue(answer(
        "gen-codex-1",
        &["Hello", " through", " Switchboard."],
        (3000, 5),
        "0.0015075",
    ));
    let work = tempfile::tempdir().unwrap();
    let run = exec(&codex, &h, &key, MODEL, work.path(), &[], "Say hello.").await;
    assert!(
        run.stdout.contains("Hello through Switchboard."),
        "Codex printed the streamed answer:\n{}\n{}",
        run.stdout,
        run.stderr
    );

    let chats = h.upstream_chats();
    assert_eq!(chats.len(), 1, "one turn, one upstream request");
    let tools = tool_names(&chats[0]);
    for name in ["exec_command", "multi_agent_v1__spawn_agent"] {
        assert!(
            tools.iter().any(|t| t == name),
            "{name} as a chat function: {tools:?}"
        );
    }
    assert!(
        !tools.iter().any(|t| t.contains("web_search")),
        "the hosted web search left out: {tools:?}"
    );
    let rows = h.ledger().await;
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(
        (rows[0].outcome, rows[0].cost, rows[0].cost_source),
        (Outcome::Ok, Some(usd("0.0015075")), CostSource::Provider)
    );
    assert_eq!(
        h.spend_by_client().await,
        [("codex".to_owned(), usd("0.0015075"), 1)],
        "spend by client shows Codex by its key's name"
    );
}

#[tokio::test]
async fn codex_runs_the_namespaced_tool_the_model_called() {
    let Some(codex) = codex() else { return };
    let h = Harness::start().await;
    let key = h.client_key("codex", None).await;
    h.fake.enqueue(tool_call(
        "gen-codex-1",
        "call_close",
        "multi_agent_v1__close_agent",
        &json!({"target": "nope"}),
    ));
    h.fake
        .enqueue(answer("gen-codex-2", &["Closed."], (3100, 3), "0.0015545"));
    let work = tempfile::tempdir().unwrap();
    let run = exec(
        &codex,
        &h,
        &key,
        MODEL,
        work.path(),
        &[],
        "Close agent nope.",
    )
    .await;
    assert!(
        run.stdout.contains("Closed."),
        "{}\n{}",
        run.stdout,
        run.stderr
    );

    let chats = h.upstream_chats();
    assert_eq!(chats.len(), 2, "the call, then its result");
    let result = tool_result(&chats[1], "call_close");
    // Codex's sub-agent tool judged the id; a call it could not place would come back as
    // "unsupported call".
    assert!(
        result.contains("invalid agent id nope") && !result.contains("unsupported call"),
        "Codex ran close_agent of multi_agent_v1: {result}"
    );
    assert!(
        chats[1].to_string().contains("multi_agent_v1__close_agent"),
        "the upstream sees its own call again by the name it called"
    );
}

#[tokio::test]
async fn codex_applies_the_patch_the_model_wrote_for_its_freeform_tool() {
    let Some(codex) = codex() else { return };
    let h = Harness::start().await;
    let key = h.client_key("codex", None).await;
    // A model Codex knows, so it offers its freeform `apply_patch` (and the hosted
    // `tool_search`); the route sends it to Claude, as a person pointing Codex at Claude would.
    route_to(&h, "gpt-5.5", "anthropic/claude-3.7-sonnet").await;
    let patch = "*** Begin Patch\n*** Add File: hello.txt\n+Hello from the patch.\n*** End Patch\n";
    h.fake.enqueue(tool_call(
        "gen-codex-1",
        "call_patch",
        "apply_patch",
        &json!({ "input": patch }),
    ));
    h.fake
        .enqueue(answer("gen-codex-2", &["Added."], (3100, 3), "0.0015545"));
    let work = tempfile::tempdir().unwrap();
    // Codex's sandbox needs kernel features containers often lack; the only action here is
    // the patch the fake upstream scripts, inside this temporary directory.
    let run = exec(
        &codex,
        &h,
        &key,
        "gpt-5.5",
        work.path(),
        &["--dangerously-bypass-approvals-and-sandbox"],
        "Add hello.txt.",
    )
    .await;
    assert!(
        run.stdout.contains("Added."),
        "{}\n{}",
        run.stdout,
        run.stderr
    );

    let chats = h.upstream_chats();
    assert_eq!(chats.len(), 2, "the call, then its result");
    let first = &chats[0];
    let offered = first["tools"]
        .as_array()
        .expect("tools")
        .iter()
        .find(|t| t["function"]["name"] == "apply_patch")
        .expect("apply_patch as a chat function");
    assert_eq!(
        offered["function"]["parameters"]["required"],
        json!(["input"])
    );
    let tools = tool_names(first);
    assert!(
        !tools
            .iter()
            .any(|t| t == "tool_search" || t == "web_search"),
        "hosted tools left out: {tools:?}"
    );
    assert_eq!(
        std::fs::read_to_string(work.path().join("hello.txt")).unwrap(),
        "Hello from the patch.\n",
        "Codex applied the patch text it got as a custom tool call"
    );
    let result = tool_result(&chats[1], "call_patch");
    assert!(result.contains("Success"), "{result}");
}
