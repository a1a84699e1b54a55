//! Codex CLI (`@openai/codex`) in `exec` mode against the gateway, through `/v1/responses` with
//! the request Codex really sends (instructions, its function tools, reasoning, `store: false`).
//!
//! Optional: it runs only when a Codex binary is there, at `SWITCHBOARD_CODEX` or
//! `target/codex-cli/node_modules/.bin/codex` (`npm install --prefix target/codex-cli
//! @openai/codex@0.171.0`, about 420 MB), and says it was skipped otherwise, CI included.
//! Codex 0.171 reaches nothing but the gateway when started with the flags below: without
//! them it resolves api.github.com (plugin sync, update check), and it sends a `namespace`
//! tool (sub-agents) and a hosted `web_search` tool, which the gateway refuses.

use std::path::PathBuf;
use std::time::Duration;

use switchboard_engine::{CostSource, Outcome};

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
    let home = tempfile::tempdir().unwrap();
    let config = format!(
        "model = \"{MODEL}\"\nmodel_provider = \"switchboard\"\n\n\
         [model_providers.switchboard]\nname = \"Switchboard\"\n\
         base_url = \"{}/v1\"\nenv_key = \"SWITCHBOARD_API_KEY\"\nwire_api = \"responses\"\n",
        h.base_url()
    );
    std::fs::write(home.path().join("config.toml"), config).unwrap();
    let work = tempfile::tempdir().unwrap();

    let mut command = tokio::process::Command::new(&codex);
    command
        .args(["exec", "--skip-git-repo-check"])
        // Loopback only: no plugin sync or update check, and no tools the gateway refuses.
        .args(["--disable", "plugins", "--disable", "in_app_updates"])
        .args(["--disable", "multi_agent", "-c", "web_search=\"disabled\""])
        .arg("Say hello.")
        .current_dir(work.path())
        .env_clear()
        .env("PATH", "/usr/local/bin:/usr/bin:/bin")
        .env("HOME", home.path())
        .env("CODEX_HOME", home.path())
        .env("SWITCHBOARD_API_KEY", &key)
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(120), command.output())
        .await
        .expect("codex exec finishes")
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "codex failed:\n{stdout}\n{stderr}");
    assert!(
        stdout.contains("Hello through Switchboard."),
        "Codex printed the streamed answer:\n{stdout}\n{stderr}"
    );

    let chats = h.upstream_chats();
    assert_eq!(chats.len(), 1, "one turn, one upstream request");
    let tools = chats[0]["tools"]
        .as_array()
        .expect("Codex's tools went upstream");
    assert!(
        tools
            .iter()
            .any(|t| t["function"]["name"] == "exec_command"),
        "its shell tool as a chat function: {tools:?}"
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
