//! `switchboard agent`: make an agent from a template, list it, and run a task whose model
//! calls a tool, with the `--json` record the issue specifies.

// Test code: a panic with its message is the failure report, in helpers as in tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use switchboard_tests::{FakeUpstream, scripted};

use crate::harness::{KEY, cli};

const MODEL: &str = "openai/gpt-4o-mini";

#[test]
fn an_agent_made_from_a_template_runs_a_task_with_a_tool_and_reports_its_steps() {
    let fake = FakeUpstream::start(KEY);
    let cli = cli(&fake);
    let templates = cli.json(&["agent", "list", "--templates", "--json"]);
    let ids: Vec<&str> = templates
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    for id in [
        "code_reviewer",
        "summarizer",
        "translator",
        "data_extractor",
        "researcher",
    ] {
        assert!(ids.contains(&id), "{id} in {ids:?}");
    }

    let folder = tempfile::tempdir().unwrap();
    std::fs::write(
        folder.path().join("main.rs"),
        "fn main() { let x = 1 / 0; }\n",
    )
    .unwrap();
    let made = cli.run(
        &[
            "agent",
            "add",
            "reviewer",
            "--template",
            "code_reviewer",
            "--folder",
            folder.path().to_str().unwrap(),
            "--model",
            "openrouter/openai/gpt-4o-mini",
        ],
        None,
    );
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let agents = cli.json(&["agent", "list", "--json"]);
    assert_eq!(agents[0]["name"], "reviewer");

    // The template's staged plan: a draft that reads the file, then a review.
    fake.enqueue(scripted::tool_call(
        1,
        MODEL,
        "read_file",
        r#"{"path":"main.rs"}"#,
        0.0001,
    ));
    fake.enqueue(scripted::answer(
        2,
        MODEL,
        "Draft: division by zero.",
        0.0002,
    ));
    fake.enqueue(scripted::answer(
        3,
        MODEL,
        "Review: main.rs divides by zero.",
        0.0004,
    ));
    let out = cli.run(
        &["agent", "run", "reviewer", "--json", "Review main.rs"],
        None,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["result"], "Review: main.rs divides by zero.");
    assert_eq!(report["cost_usd"], 0.0007);
    assert_eq!(report["error"], serde_json::Value::Null);
    let steps = report["steps"].as_array().unwrap();
    let kinds: Vec<&str> = steps.iter().map(|s| s["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["model", "tool", "model", "model"]);
    assert_eq!(steps[1]["tool"], "read_file");
    assert_eq!(steps[0]["model"], MODEL);
    for s in steps {
        let keys: Vec<&String> = s.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["cost_usd", "kind", "model", "ms", "tool"], "{s}");
    }
    // The file's text reached the model as the tool's result.
    let second = fake
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/chat/completions"))
        .nth(1)
        .and_then(|r| r.json())
        .unwrap();
    assert!(second.to_string().contains("1 / 0"), "{second}");
    assert!(
        stderr.contains("tool read_file"),
        "progress on stderr: {stderr}"
    );

    // A task that fails still prints its record, with the error, and exits 1.
    fake.enqueue(switchboard_tests::Reply::status(400));
    let out = cli.run(&["agent", "run", "reviewer", "--json", "Again"], None);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(report["error"].as_str().is_some(), "{report}");

    let missing = cli.run(&["agent", "run", "nobody", "hi"], None);
    assert_eq!(missing.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nobody"));
}
