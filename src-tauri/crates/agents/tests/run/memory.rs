use switchboard_agents::{AgentTarget, Memory, MemoryPolicy, StepKind};
use switchboard_core::Role;
use tokio_util::sync::CancellationToken;

use crate::harness::*;

/// Three old turns of 10 tokens each (40 bytes), so a window of 30 is exactly full.
fn full_memory() -> Memory {
    let mut memory = Memory::default();
    memory.push(
        Role::User,
        format!("{:<40}", "old question about the parser"),
    );
    memory.push(
        Role::Assistant,
        format!("{:<40}", "old answer: use a state machine"),
    );
    memory.push(Role::User, format!("{:<40}", "recent question"));
    memory
}

fn summarizing_spec() -> switchboard_agents::AgentSpec {
    let mut spec = spec();
    spec.memory = MemoryPolicy {
        window_tokens: 30,
        keep_recent: 1,
        summarize_with: Some(AgentTarget::Route {
            route: "cheap".into(),
        }),
    };
    spec
}

#[tokio::test]
async fn memory_exactly_at_its_window_is_not_summarized() {
    let script = Script::new(vec![Ok(answer("fine", "0.001", 1, 1))]);
    let mut memory = full_memory();
    let (report, _) = run(
        &summarizing_spec(),
        &mut memory,
        &script,
        &toolbox(Vec::new()),
        &Asker::yes(),
        &CancellationToken::new(),
    )
    .await;
    assert_eq!(report.error, None);
    assert_eq!(report.steps.len(), 1, "no summary step: {:?}", report.steps);
    assert_eq!(script.calls().len(), 1);
    let history: Vec<Role> = script.calls()[0]
        .request
        .messages
        .iter()
        .map(|m| m.role)
        .collect();
    assert_eq!(
        history,
        [
            Role::System,
            Role::User,
            Role::Assistant,
            Role::User,
            Role::User
        ],
        "system prompt, three remembered turns, the task"
    );
    assert_eq!(memory.summary, None);
    assert_eq!(memory.turns.len(), 5, "the task and its answer were added");
}

#[tokio::test]
async fn one_token_over_the_window_folds_the_oldest_turn_first() {
    let script = Script::new(vec![
        Ok(answer("The user asked about the parser.", "0.0002", 40, 8)),
        Ok(answer("fine", "0.001", 1, 1)),
    ]);
    let mut memory = full_memory();
    memory.push(Role::Assistant, "ok"); // 1 token: 31 of 30
    let (report, events) = run(
        &summarizing_spec(),
        &mut memory,
        &script,
        &toolbox(Vec::new()),
        &Asker::yes(),
        &CancellationToken::new(),
    )
    .await;

    assert_eq!(report.error, None);
    let kinds: Vec<StepKind> = report.steps.iter().map(|s| s.kind).collect();
    assert_eq!(kinds, [StepKind::Summary, StepKind::Model]);
    assert_eq!(report.steps[0].cost_usd, usd("0.0002"));
    assert_eq!(report.steps[0].tokens, 48);
    assert_eq!(
        report.cost_usd,
        usd("0.0012"),
        "the summary is part of the task's cost"
    );
    assert_eq!(events[0], "start 0 Summary route cheap");

    let calls = script.calls();
    let summary_call = &calls[0];
    assert_eq!(
        summary_call.target,
        AgentTarget::Route {
            route: "cheap".into()
        }
    );
    assert_eq!(
        summary_call.request.model, "",
        "the engine picks a route's model"
    );
    assert!(summary_call.request.tools.is_empty());
    assert_eq!(summary_call.task_type.as_deref(), Some("summarize"));
    let asked = summary_call.request.messages[1].joined_text();
    assert!(asked.contains("old question about the parser"), "{asked}");
    assert!(
        !asked.contains("old answer"),
        "only the one turn that must go: {asked}"
    );

    let task_call = &calls[1].request.messages;
    assert_eq!(task_call[1].role, Role::System);
    assert!(
        task_call[1]
            .joined_text()
            .contains("The user asked about the parser."),
        "the new summary is in the prompt"
    );
    assert_eq!(
        task_call.len(),
        1 + 1 + 3 + 1,
        "system, summary, three kept turns, task"
    );

    assert_eq!(
        memory.summary.as_deref(),
        Some("The user asked about the parser.")
    );
    assert_eq!(memory.turns.len(), 3 + 2);
    assert!(memory.turns[0].text.starts_with("old answer"));
}

#[tokio::test]
async fn a_failed_summary_is_recorded_and_nothing_is_lost() {
    let script = Script::new(vec![
        Err(failure("rate limited", true)),
        Ok(answer("fine", "0.001", 1, 1)),
    ]);
    let mut memory = full_memory();
    memory.push(Role::Assistant, "ok");
    let (report, _) = run(
        &summarizing_spec(),
        &mut memory,
        &script,
        &toolbox(Vec::new()),
        &Asker::yes(),
        &CancellationToken::new(),
    )
    .await;
    assert_eq!(report.error, None, "the task carries on");
    assert_eq!(report.result, "fine");
    assert_eq!(report.steps[0].kind, StepKind::Summary);
    assert_eq!(report.steps[0].error.as_deref(), Some("rate limited"));
    assert_eq!(memory.summary, None);
    assert_eq!(memory.turns.len(), 4 + 2, "every old turn is still there");
}
