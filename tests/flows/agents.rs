//! Agents through the engine against the loopback fake: a task that calls tools over several
//! steps goes through the router and the ledger, a per-task budget stops a task midway and
//! keeps what was done, memory is summarized when it outgrows its window (and not before),
//! routing rules apply to agents as to chats, the researcher template runs on a cheap model,
//! and `http_get` never reaches the user's own machine, whatever a page tells the model.

use std::sync::{Arc, Mutex};

use switchboard_engine::agent::{
    AgentEvent, AgentSpec, AgentTarget, McpEnv, McpServer, Memory, MemoryPolicy, MemoryTurn, Plan,
    StepKind, Task, ToolGrant,
};
use switchboard_engine::core::{BuiltinProvider, Role, SpendGrouping, Usd};
use switchboard_engine::{Engine, RunOptions};
use switchboard_tests::{FakeUpstream, Reply, scripted};
use tokio::sync::mpsc;

use crate::keys::Harness;

const KEY: &str = "sk-flows-agents-key-0000000000001";
const MODEL: &str = "openai/gpt-4o-mini";

fn tool_call(n: usize, tool: &str, args: &str, cost: &str) -> Reply {
    scripted::tool_call(n, MODEL, tool, args, cost.parse().unwrap())
}

fn answer(n: usize, text: &str, cost: &str) -> Reply {
    scripted::answer(n, MODEL, text, cost.parse().unwrap())
}

fn agent(name: &str, tools: Vec<ToolGrant>) -> AgentSpec {
    AgentSpec {
        name: name.into(),
        description: "test agent".into(),
        template: None,
        system_prompt: "You are careful.".into(),
        target: AgentTarget::Model {
            provider: BuiltinProvider::OpenRouter.id(),
            model: MODEL.into(),
        },
        params: Default::default(),
        tools,
        memory: MemoryPolicy::default(),
        budget_usd: None,
        max_steps: 8,
        task_type: Some("math".into()),
        plan: Plan::Single,
        output_schema: None,
    }
}

fn task(text: &str) -> Task {
    Task {
        title: text.into(),
        description: text.into(),
        inputs: Default::default(),
    }
}

/// Runs a task the way the CLI does (no one to ask about side effects); returns the report and
/// every event.
async fn run(
    engine: &Engine,
    name: &str,
    t: Task,
) -> (switchboard_engine::agent::TaskReport, Vec<AgentEvent>) {
    run_with(engine, name, t, RunOptions::default()).await
}

/// [`run`] with `options` (`auto_approve` is the CLI's `--yes`).
async fn run_with(
    engine: &Engine,
    name: &str,
    t: Task,
    options: RunOptions,
) -> (switchboard_engine::agent::TaskReport, Vec<AgentEvent>) {
    let (tx, mut rx) = mpsc::channel(1024);
    let collect = tokio::spawn(async move {
        let mut events = Vec::new();
        while let Some(e) = rx.recv().await {
            events.push(e);
        }
        events
    });
    let report = engine
        .agents()
        .run(name.into(), t, options, tx)
        .await
        .unwrap();
    (report, collect.await.unwrap())
}

fn harness(fake: &FakeUpstream) -> Option<Harness> {
    Harness::openrouter(fake, KEY)
}

fn usd(s: &str) -> Usd {
    Usd::parse(s).unwrap()
}

#[tokio::test]
async fn a_task_calls_tools_over_several_steps_through_the_router_and_the_ledger() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else {
        return;
    };
    h.engine
        .agents()
        .save(
            None,
            agent(
                "mathematician",
                vec![ToolGrant::Calculator, ToolGrant::Clock],
            ),
        )
        .await
        .unwrap();
    fake.enqueue(tool_call(
        1,
        "calculator",
        r#"{"expression":"6*7"}"#,
        "0.0001",
    ));
    fake.enqueue(tool_call(2, "current_time", "{}", "0.00015"));
    fake.enqueue(answer(3, "6 times 7 is 42.", "0.0002"));

    let (report, events) = run(&h.engine, "mathematician", task("What is 6 times 7?")).await;

    assert_eq!(report.error, None, "{report:?}");
    assert_eq!(report.result, "6 times 7 is 42.");
    let kinds: Vec<StepKind> = report.steps.iter().map(|s| s.kind).collect();
    use StepKind::{Model, Tool};
    assert_eq!(kinds, [Model, Tool, Model, Tool, Model]);
    assert_eq!(
        report.cost_usd,
        usd("0.00045"),
        "the sum of what the upstream charged"
    );
    assert_eq!(report.tokens, 360);
    assert_eq!(report.steps[1].tool.as_deref(), Some("calculator"));
    assert!(
        report.steps[1].detail.contains("42"),
        "{}",
        report.steps[1].detail
    );
    assert_eq!(report.steps[0].model.as_deref(), Some(MODEL));

    // The tool's result went back to the model, answering the call by its id.
    let posts: Vec<serde_json::Value> = fake
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/chat/completions"))
        .filter_map(|r| r.json())
        .collect();
    assert_eq!(posts.len(), 3);
    let tools: Vec<&str> = posts[0]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["function"]["name"].as_str().unwrap())
        .collect();
    assert!(tools.contains(&"calculator") && tools.contains(&"current_time"));
    let answered = posts[1]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["role"] == "tool")
        .expect("a tool message");
    assert_eq!(answered["tool_call_id"], "call_1");
    assert!(answered["content"].to_string().contains("42"), "{answered}");

    // Events: the run's id first, a start and a finish per step, the report last.
    assert!(matches!(events.first(), Some(AgentEvent::Started { .. })));
    let finished = events
        .iter()
        .filter(|e| matches!(e, AgentEvent::StepFinished { .. }))
        .count();
    assert_eq!(finished, 5);
    assert!(matches!(events.last(), Some(AgentEvent::Finished { .. })));

    // The ledger knows the agent; the run and the memory are kept.
    let spend = h
        .engine
        .spend()
        .report(SpendGrouping::Agent, None, None)
        .await
        .unwrap();
    let row = spend
        .rows
        .iter()
        .find(|r| r.key == "mathematician")
        .unwrap();
    assert_eq!(row.cost, usd("0.00045"));
    assert_eq!(row.requests, 3);
    let runs = h
        .engine
        .agents()
        .runs(Some("mathematician".into()), 10)
        .await
        .unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].status.as_str(), "done");
    assert_eq!(runs[0].report.as_ref().unwrap().steps.len(), 5);
    let switchboard_engine::AgentDetail { memory, .. } =
        h.engine.agents().get("mathematician".into()).await.unwrap();
    assert_eq!(memory.turns.len(), 2);
    assert_eq!(memory.turns[1].text, "6 times 7 is 42.");
}

#[tokio::test]
async fn a_task_budget_stops_the_task_midway_and_keeps_what_was_done() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else {
        return;
    };
    let mut spec = agent("spender", vec![ToolGrant::Calculator]);
    spec.budget_usd = Some(usd("0.0005"));
    h.engine.agents().save(None, spec).await.unwrap();
    for n in 0..6 {
        fake.enqueue(tool_call(
            n,
            "calculator",
            r#"{"expression":"1+1"}"#,
            "0.0003",
        ));
    }

    let (report, _) = run(&h.engine, "spender", task("Keep adding")).await;

    let error = report.error.clone().expect("stopped by its budget").message;
    assert!(error.contains("budget"), "{error}");
    assert_eq!(report.cost_usd, usd("0.0006"), "two calls, then no third");
    let models = report
        .steps
        .iter()
        .filter(|s| s.kind == StepKind::Model)
        .count();
    assert_eq!(models, 2);
    assert_eq!(fake.queued(), 4, "nothing sent after the budget was spent");
    let runs = h
        .engine
        .agents()
        .runs(Some("spender".into()), 10)
        .await
        .unwrap();
    assert_eq!(runs[0].status.as_str(), "failed");
    let kept = runs[0].report.as_ref().unwrap();
    assert_eq!(kept.steps.len(), report.steps.len(), "every step is kept");
    assert_eq!(kept.cost_usd, usd("0.0006"));
}

fn long_turn(role: Role, n: usize) -> MemoryTurn {
    let text = format!("turn {n}: {}", "lorem ipsum dolor sit amet ".repeat(12));
    MemoryTurn {
        role,
        tokens: u32::try_from(text.len().div_ceil(4)).unwrap(),
        text,
    }
}

#[tokio::test]
async fn memory_is_summarized_once_it_outgrows_its_window_and_not_before() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else {
        return;
    };
    let mut spec = agent("rememberer", vec![]);
    spec.memory = MemoryPolicy {
        window_tokens: 400,
        keep_recent: 2,
        summarize_with: None,
    };
    h.engine.agents().save(None, spec).await.unwrap();
    // Four turns of ~85 tokens: 340, inside the window of 400 (pinned facts do not count:
    // they are never folded away).
    let turns: Vec<MemoryTurn> = (0..4)
        .map(|n| {
            long_turn(
                if n % 2 == 0 {
                    Role::User
                } else {
                    Role::Assistant
                },
                n,
            )
        })
        .collect();
    let memory = Memory {
        pinned: vec!["The user's name is Ada.".into()],
        summary: None,
        turns: turns.clone(),
    };
    h.engine
        .agents()
        .set_memory("rememberer".into(), memory)
        .await
        .unwrap();

    // A long answer (~100 tokens): remembered, it takes memory past the window.
    let long = format!("First answer. {}", "and so on ".repeat(40));
    fake.enqueue(answer(1, &long, "0.0001"));
    let (report, _) = run(&h.engine, "rememberer", task("Hello")).await;
    assert_eq!(report.error, None);
    assert!(
        report.steps.iter().all(|s| s.kind != StepKind::Summary),
        "inside the window: no summary"
    );
    let switchboard_engine::AgentDetail { memory, .. } =
        h.engine.agents().get("rememberer".into()).await.unwrap();
    assert_eq!(
        memory.turns.len(),
        6,
        "the task and its answer are remembered"
    );

    // Now over the window: the oldest turns are summarized before the task runs.
    fake.enqueue(answer(2, "SUMMARY: Ada asked things.", "0.00005"));
    fake.enqueue(answer(3, "Second answer.", "0.0001"));
    let (report, _) = run(&h.engine, "rememberer", task("Again")).await;
    assert_eq!(report.error, None, "{report:?}");
    assert_eq!(report.steps[0].kind, StepKind::Summary);
    assert_eq!(report.cost_usd, usd("0.00015"), "the summary's cost counts");
    let switchboard_engine::AgentDetail { memory, .. } =
        h.engine.agents().get("rememberer".into()).await.unwrap();
    assert_eq!(
        memory.summary.as_deref(),
        Some("SUMMARY: Ada asked things.")
    );
    assert_eq!(
        memory.pinned,
        ["The user's name is Ada."],
        "pinned facts stay"
    );
    let total: u32 = memory.turns.iter().map(|t| t.tokens).sum::<u32>() + 8;
    assert!(total <= 400, "back inside the window: {total}");
    assert_eq!(memory.turns.last().unwrap().text, "Second answer.");

    // The task's prompt carried the summary and the pinned fact, not the folded turns.
    let posts: Vec<serde_json::Value> = fake
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/chat/completions"))
        .filter_map(|r| r.json())
        .collect();
    let last = posts.last().unwrap().to_string();
    assert!(last.contains("SUMMARY: Ada asked things."), "{last}");
    assert!(last.contains("The user's name is Ada."));
    assert!(!last.contains("turn 0:"), "folded turns are not sent again");
}

#[tokio::test]
async fn routing_rules_apply_to_agents_as_to_chats() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else {
        return;
    };
    h.engine
        .routing()
        .import(
            r#"
[[rules]]
name = "no agents at night"
when = { agent = ["nocturnal"] }
then = { block = "agents are off for now" }
"#,
        )
        .await
        .unwrap();
    h.engine
        .agents()
        .save(None, agent("nocturnal", vec![]))
        .await
        .unwrap();
    let (report, _) = run(&h.engine, "nocturnal", task("Anything")).await;
    let error = report.error.expect("blocked").message;
    assert!(error.contains("agents are off for now"), "{error}");
    assert_eq!(report.cost_usd, Usd::default());
    assert!(
        fake.requests()
            .iter()
            .all(|r| !r.path.ends_with("/chat/completions")),
        "nothing was sent"
    );
}

#[tokio::test]
async fn a_bad_agent_is_refused_with_what_to_fix_and_nothing_is_saved() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else {
        return;
    };
    let mut spec = agent(
        "folder reader",
        vec![ToolGrant::ReadFiles { root: "".into() }],
    );
    let e = h
        .engine
        .agents()
        .save(None, spec.clone())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("folder"), "{e}");
    spec.tools = vec![ToolGrant::Mcp {
        server: "nowhere".into(),
    }];
    let e = h.engine.agents().save(None, spec).await.unwrap_err();
    assert!(e.to_string().contains("\"nowhere\""), "{e}");
    assert!(h.engine.agents().list().await.unwrap().is_empty());
}

/// The MCP fixture server (`tests/bin/mcp-fixture.rs`): `add` is read-only, `note` writes the
/// file named by `MCP_FIXTURE_NOTES`.
fn notes_server(notes: &std::path::Path) -> McpServer {
    McpServer {
        name: "fixture".into(),
        command: env!("CARGO_BIN_EXE_mcp-fixture").into(),
        args: vec![],
        env: vec![McpEnv::new(
            "MCP_FIXTURE_NOTES",
            notes.to_string_lossy().into_owned(),
        )],
        trusted_tools: vec![],
        call_timeout_secs: None,
    }
}

#[tokio::test]
async fn an_mcp_servers_call_timeout_is_kept_and_must_be_sensible() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else {
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let server = |secs| McpServer {
        call_timeout_secs: secs,
        ..notes_server(&scratch.path().join("notes.txt"))
    };
    for bad in [0, 3601] {
        let err = h
            .engine
            .agents()
            .save_mcp_server(server(Some(bad)))
            .await
            .unwrap_err();
        assert!(
            err.to_string()
                .contains(&format!("call timeout is 1 to 3600 seconds, not {bad}")),
            "{err}"
        );
    }
    assert!(
        h.engine.agents().mcp_servers().await.unwrap().is_empty(),
        "nothing half-saved"
    );

    h.engine
        .agents()
        .save_mcp_server(server(Some(600)))
        .await
        .unwrap();
    let saved = h.engine.agents().mcp_servers().await.unwrap();
    assert_eq!(saved.len(), 1);
    assert_eq!(saved[0].call_timeout_secs, Some(600));
    // Servers saved before the setting existed read back with the default.
    h.engine
        .agents()
        .save_mcp_server(server(None))
        .await
        .unwrap();
    assert_eq!(
        h.engine.agents().mcp_servers().await.unwrap()[0].call_timeout_secs,
        None
    );
}

#[tokio::test]
async fn an_untrusted_mcp_call_waits_for_the_user_and_runs_only_when_allowed() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else {
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let notes = scratch.path().join("notes.txt");
    h.engine
        .agents()
        .save_mcp_server(notes_server(&notes))
        .await
        .unwrap();
    h.engine
        .agents()
        .save(
            None,
            agent(
                "scribe",
                vec![ToolGrant::Mcp {
                    server: "fixture".into(),
                }],
            ),
        )
        .await
        .unwrap();
    fake.enqueue(tool_call(1, "fixture__add", r#"{"a":2,"b":3}"#, "0.0001"));
    fake.enqueue(tool_call(
        2,
        "fixture__note",
        r#"{"text":"declined"}"#,
        "0.0001",
    ));
    fake.enqueue(tool_call(
        3,
        "fixture__note",
        r#"{"text":"sum is 5"}"#,
        "0.0001",
    ));
    fake.enqueue(answer(4, "Noted the sum.", "0.0001"));

    let (tx, mut rx) = mpsc::channel(1024);
    let engine = h.engine.clone();
    let running = tokio::spawn(async move {
        let options = RunOptions {
            auto_approve: false,
            interactive: true,
        };
        engine
            .agents()
            .run("scribe".into(), task("Add 2 and 3, note it"), options, tx)
            .await
            .unwrap()
    });
    // The user allows `add`, declines the first note and allows the second. `add` is
    // annotated read-only by the server, and asks anyway: only the user's trust skips asking.
    let mut asked = Vec::new();
    while let Some(event) = rx.recv().await {
        if let AgentEvent::Approval {
            call_id,
            tool,
            args,
        } = event
        {
            let allow = asked.len() != 1;
            asked.push((tool, args));
            h.engine.agents().answer_approval(&call_id, allow).unwrap();
        }
    }
    let report = running.await.unwrap();

    assert_eq!(report.error, None, "{report:?}");
    assert_eq!(report.result, "Noted the sum.");
    let tools_asked: Vec<&str> = asked.iter().map(|(tool, _)| tool.as_str()).collect();
    assert_eq!(
        tools_asked,
        ["fixture__add", "fixture__note", "fixture__note"],
        "every untrusted call asked, the read-only-hinted one included"
    );
    assert_eq!(asked[2].1["text"], "sum is 5");
    assert_eq!(
        std::fs::read_to_string(&notes).unwrap(),
        "sum is 5\n",
        "the declined call never ran"
    );
    let tools: Vec<(Option<&str>, Option<&str>)> = report
        .steps
        .iter()
        .filter(|s| s.kind == StepKind::Tool)
        .map(|s| (s.tool.as_deref(), s.error.as_deref()))
        .collect();
    assert_eq!(
        tools,
        [
            (Some("fixture__add"), None),
            (Some("fixture__note"), Some("declined by the user")),
            (Some("fixture__note"), None),
        ]
    );
    // The MCP server's answer reached the model.
    let second = fake
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/chat/completions"))
        .nth(1)
        .and_then(|r| r.json())
        .unwrap();
    assert!(second.to_string().contains('5'), "{second}");
    assert!(
        h.engine
            .agents()
            .answer_approval("no-such-call", true)
            .is_err(),
        "answering a call that is not waiting is refused"
    );
}

#[tokio::test]
async fn a_trusted_mcp_tool_runs_without_asking() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else {
        return;
    };
    let scratch = tempfile::tempdir().unwrap();
    let server = McpServer {
        trusted_tools: vec!["add".into()],
        ..notes_server(&scratch.path().join("notes.txt"))
    };
    h.engine.agents().save_mcp_server(server).await.unwrap();
    let grant = ToolGrant::Mcp {
        server: "fixture".into(),
    };
    h.engine
        .agents()
        .save(None, agent("adder", vec![grant]))
        .await
        .unwrap();
    fake.enqueue(tool_call(1, "fixture__add", r#"{"a":2,"b":3}"#, "0.0001"));
    fake.enqueue(answer(2, "5", "0.0001"));
    // The CLI's way: nobody to ask, so an untrusted call would be declined.
    let (report, events) = run(&h.engine, "adder", task("Add 2 and 3")).await;
    assert_eq!(report.error, None, "{report:?}");
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, AgentEvent::Approval { .. })),
        "trusted: no approval asked"
    );
    let step = report
        .steps
        .iter()
        .find(|s| s.kind == StepKind::Tool)
        .unwrap();
    assert_eq!(step.error, None, "it ran: {step:?}");
    assert!(step.detail.ends_with("→ 5"), "{}", step.detail);
}

#[tokio::test]
async fn stopping_a_run_mid_answer_ends_it_as_stopped_with_its_steps_kept() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else {
        return;
    };
    h.engine
        .agents()
        .save(None, agent("slowpoke", vec![ToolGrant::Calculator]))
        .await
        .unwrap();
    fake.enqueue(tool_call(
        1,
        "calculator",
        r#"{"expression":"2+2"}"#,
        "0.0001",
    ));
    // The second answer starts and then never ends.
    let head = serde_json::json!({"id": "gen-stall", "object": "chat.completion.chunk",
        "model": MODEL, "provider": "OpenAI",
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Thinking"}, "finish_reason": null}]});
    fake.enqueue(Reply::SseThenStall(vec![
        format!("data: {head}\n\n").into_bytes(),
    ]));

    let (tx, mut rx) = mpsc::channel(1024);
    let engine = h.engine.clone();
    let running = tokio::spawn(async move {
        engine
            .agents()
            .run("slowpoke".into(), task("Add"), RunOptions::default(), tx)
            .await
            .unwrap()
    });
    let mut run_id = None;
    while let Some(event) = rx.recv().await {
        match event {
            AgentEvent::Started { run_id: id } => run_id = Some(id),
            // The stalled answer's text arrived: stop now.
            AgentEvent::Delta { index: 2, .. } => {
                h.engine.agents().stop_run(run_id.as_ref().unwrap());
            }
            _ => {}
        }
    }
    let report = tokio::time::timeout(std::time::Duration::from_secs(10), running)
        .await
        .expect("stopping ends the run at once")
        .unwrap();
    assert_eq!(
        report.error.as_ref().map(|e| e.message.as_str()),
        Some("stopped")
    );
    assert_eq!(report.steps[1].kind, StepKind::Tool);
    assert_eq!(report.cost_usd, usd("0.0001"));
    let runs = h
        .engine
        .agents()
        .runs(Some("slowpoke".into()), 1)
        .await
        .unwrap();
    assert_eq!(runs[0].status.as_str(), "stopped");
    // The fake notices the closed connection on its next keep-alive write (every ~100 ms).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while fake.active_streams() > 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(fake.active_streams(), 0, "the stalled stream was closed");
}

#[tokio::test]
async fn an_agent_on_anthropic_gets_its_tools_and_results_in_anthropics_format() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = Harness::new(&[
        ("ANTHROPIC_BASE_URL", &fake.anthropic_base()),
        ("ANTHROPIC_API_KEY", KEY),
    ]) else {
        return;
    };
    let mut spec = agent("claude", vec![ToolGrant::Calculator]);
    spec.target = AgentTarget::Model {
        provider: BuiltinProvider::Anthropic.id(),
        model: "claude-sonnet-4-20250514".into(),
    };
    h.engine.agents().save(None, spec).await.unwrap();
    // A stream with two tool_use blocks (get_weather, get_time) this agent does not have: the
    // loop answers each with an error result, and the fake's default echo ends the task.
    let sse = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/anthropic/synthesized/tool_use_stream.sse"
    ))
    .unwrap();
    fake.enqueue(Reply::sse_text(&sse));

    let (report, _) = run(&h.engine, "claude", task("Weather?")).await;
    assert_eq!(report.error, None, "{report:?}");
    assert!(report.result.starts_with("Echo"), "{}", report.result);

    let posts: Vec<serde_json::Value> = fake
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/messages"))
        .filter_map(|r| r.json())
        .collect();
    assert_eq!(posts.len(), 2);
    assert_eq!(posts[0]["tools"][0]["name"], "calculator");
    assert!(
        posts[0]["tools"][0]["input_schema"].is_object(),
        "{}",
        posts[0]["tools"]
    );
    let results: Vec<&serde_json::Value> = posts[1]["messages"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["content"].as_array().into_iter().flatten())
        .filter(|b| b["type"] == "tool_result")
        .collect();
    let ids: Vec<&str> = results
        .iter()
        .map(|b| b["tool_use_id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
            "toolu_01AbCdEfGhIjKlMnOpQrStUv"
        ]
    );
    assert!(
        results[0].to_string().contains("get_weather"),
        "the model hears that the tool does not exist: {}",
        results[0]
    );
}

/// The researcher template as shipped, named after itself.
fn researcher(engine: &Engine) -> AgentSpec {
    engine
        .agents()
        .templates()
        .into_iter()
        .find(|t| t.id == "researcher")
        .unwrap()
        .spec
}

/// D12: the researcher's $0.20 budget on gpt-4o-mini ($0.60/M output) pays for ~333k output
/// tokens; asking for that many made the router refuse the model before anything was sent.
#[tokio::test]
async fn the_researcher_template_runs_on_a_cheap_model() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else {
        return;
    };
    h.engine.models().catalogue(true).await.unwrap(); // the catalogue: gpt-4o-mini's prices and limits
    let spec = researcher(&h.engine);
    assert_eq!(
        spec.target,
        AgentTarget::Model {
            provider: BuiltinProvider::OpenRouter.id(),
            model: MODEL.into(),
        }
    );
    h.engine.agents().save(None, spec).await.unwrap();
    fake.enqueue(answer(1, "Rust 1.0 shipped on 15 May 2015.", "0.0001"));

    let (report, _) = run(&h.engine, "researcher", task("When did Rust 1.0 ship?")).await;

    assert_eq!(report.error, None, "{report:?}");
    assert_eq!(report.result, "Rust 1.0 shipped on 15 May 2015.");
    let post = fake
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/chat/completions"))
        .find_map(|r| r.json())
        .expect("the step was sent");
    let asked = post["max_tokens"]
        .as_u64()
        .or_else(|| post["max_completion_tokens"].as_u64())
        .expect("the budget caps the output");
    assert_eq!(asked, 16_384, "capped at the model's max output: {post}");
}

/// A loopback-only service holding a secret, as on a developer's machine; records every path
/// that reaches it.
struct Internal {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Internal {
    async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
            log.lock().unwrap().push(uri.to_string());
            async { "INTERNAL-SECRET-TOKEN-42" }
        });
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { port, seen }
    }

    fn seen(&self) -> Vec<String> {
        self.seen.lock().unwrap().clone()
    }
}

fn fetch(n: usize, url: &str) -> Reply {
    let args = serde_json::json!({ "url": url }).to_string();
    tool_call(n, "http_get", &args, "0.0001")
}

/// D2 end to end: a page told the researcher to read a loopback service and send what it read
/// on. Both fetches are refused before connecting, even with `--yes`, so the service receives
/// nothing and the secret never reaches the model.
#[tokio::test]
async fn a_prompt_injected_fetch_of_a_loopback_secret_is_refused_even_with_yes() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else {
        return;
    };
    let internal = Internal::start().await;
    let port = internal.port;
    h.engine
        .agents()
        .save(None, researcher(&h.engine))
        .await
        .unwrap();
    fake.enqueue(fetch(1, &format!("http://2130706433:{port}/secret")));
    fake.enqueue(fetch(
        2,
        &format!("http://127.0.0.1:{port}/exfil?d=INTERNAL-SECRET-TOKEN-42"),
    ));
    fake.enqueue(answer(3, "I could not read that page.", "0.0001"));

    let yes = RunOptions {
        auto_approve: true,
        interactive: false,
    };
    let (report, events) = run_with(&h.engine, "researcher", task("Summarize the page"), yes).await;

    assert_eq!(report.error, None, "{report:?}");
    assert_eq!(
        internal.seen(),
        Vec::<String>::new(),
        "the service received nothing"
    );
    let fetches: Vec<&str> = report
        .steps
        .iter()
        .filter(|s| s.kind == StepKind::Tool)
        .map(|s| s.error.as_deref().unwrap_or("ran"))
        .collect();
    assert_eq!(fetches.len(), 2);
    for error in fetches {
        assert!(
            error.contains("127.0.0.1 is a loopback address, which agents may not reach"),
            "{error}"
        );
    }
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, AgentEvent::Approval { .. })),
        "refused outright, not offered for approval"
    );
    let last = fake
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/chat/completions"))
        .filter_map(|r| r.json())
        .next_back()
        .unwrap();
    let tool_results: Vec<&serde_json::Value> = last["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["role"] == "tool")
        .collect();
    assert_eq!(tool_results.len(), 2);
    assert!(
        tool_results
            .iter()
            .all(|m| !m["content"].to_string().contains("INTERNAL-SECRET")),
        "the model never saw the service's answer: {tool_results:?}"
    );
}

/// With "any public host", a host the user did not list is asked for the first time in a task
/// and not again; the CLI, with nobody to ask, declines it.
#[tokio::test]
async fn an_unlisted_host_is_asked_for_once_per_task_and_declined_without_anyone_to_ask() {
    let fake = FakeUpstream::start(KEY);
    let Some(h) = harness(&fake) else {
        return;
    };
    let internal = Internal::start().await;
    let port = internal.port;
    // 127.0.0.1 is listed (so it may be reached at all), but only on ports 80 and 443: the
    // service's port is asked for as any unlisted host would be.
    let grant = ToolGrant::HttpGet {
        hosts: vec!["127.0.0.1".into()],
        any_public_host: true,
    };
    h.engine
        .agents()
        .save(None, agent("fetcher", vec![grant]))
        .await
        .unwrap();
    fake.enqueue(fetch(1, &format!("http://127.0.0.1:{port}/a")));
    fake.enqueue(fetch(2, &format!("http://127.0.0.1:{port}/b")));
    fake.enqueue(answer(3, "Read both.", "0.0001"));

    let (tx, mut rx) = mpsc::channel(1024);
    let engine = h.engine.clone();
    let running = tokio::spawn(async move {
        let options = RunOptions {
            auto_approve: false,
            interactive: true,
        };
        engine
            .agents()
            .run("fetcher".into(), task("Read a and b"), options, tx)
            .await
            .unwrap()
    });
    let mut asked = Vec::new();
    while let Some(event) = rx.recv().await {
        if let AgentEvent::Approval {
            call_id,
            tool,
            args,
        } = event
        {
            asked.push((tool, args));
            h.engine.agents().answer_approval(&call_id, true).unwrap();
        }
    }
    let report = running.await.unwrap();
    assert_eq!(report.error, None, "{report:?}");
    assert_eq!(asked.len(), 1, "asked once for the host: {asked:?}");
    assert_eq!(asked[0].0, "http_get");
    assert_eq!(internal.seen(), ["/a", "/b"]);

    // A new task asks again; the CLI without --yes has nobody to ask and declines.
    fake.enqueue(fetch(4, &format!("http://127.0.0.1:{port}/c")));
    fake.enqueue(answer(5, "It was declined.", "0.0001"));
    let (report, _) = run(&h.engine, "fetcher", task("Read c")).await;
    assert_eq!(report.error, None, "{report:?}");
    let step = report
        .steps
        .iter()
        .find(|s| s.kind == StepKind::Tool)
        .unwrap();
    assert_eq!(step.error.as_deref(), Some("declined by the user"));
    assert_eq!(
        internal.seen(),
        ["/a", "/b"],
        "nothing more reached the service"
    );
}
