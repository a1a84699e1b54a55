use std::sync::atomic::Ordering;
use std::time::Duration;

use switchboard_agents::{AgentError, Memory, StepKind};
use switchboard_core::{ErrorCode, ErrorInfo};
use tokio_util::sync::CancellationToken;

use crate::harness::*;

fn kinds(report: &switchboard_agents::TaskReport) -> Vec<StepKind> {
    report.steps.iter().map(|s| s.kind).collect()
}

#[tokio::test]
async fn the_step_cap_ends_the_task_without_running_unread_tools() {
    let mut spec = spec();
    spec.max_steps = 2;
    let script = Script::new(vec![
        Ok(calls("step one", &[("c1", "counter", "{}")], "0.001")),
        Ok(calls("step two", &[("c2", "counter", "{}")], "0.001")),
        Ok(answer("never asked", "0", 1, 1)),
    ]);
    let (counter, count) = Counter::boxed("counter", false);
    let mut memory = Memory::default();
    let (report, events) = run(
        &spec,
        &mut memory,
        &script,
        &toolbox(vec![counter]),
        &Asker::yes(),
        &CancellationToken::new(),
    )
    .await;

    // The step cap's sentence; the last text ("step two") as the partial result; model, tool,
    // model and no second tool; what the two turns cost (0.002).
    insta::assert_json_snapshot!("step_cap", trace(&report, &events));
    assert_eq!(
        count.load(Ordering::SeqCst),
        1,
        "the second call would go unread"
    );
    assert_eq!(script.calls().len(), 2);
    assert!(
        memory.turns.is_empty(),
        "an unfinished task is not remembered"
    );
}

#[tokio::test]
async fn a_spent_budget_stops_before_the_next_call_and_keeps_what_was_done() {
    let mut spec = spec();
    spec.budget_usd = Some(usd("0.01"));
    let script = Script::new(vec![
        Ok(calls("half way", &[("c1", "counter", "{}")], "0.006")),
        Ok(calls("", &[("c2", "counter", "{}")], "0.005")),
        Ok(answer("never asked", "0", 1, 1)),
    ]);
    let (counter, count) = Counter::boxed("counter", false);
    let (report, _) = run(
        &spec,
        &mut Memory::default(),
        &script,
        &toolbox(vec![counter]),
        &Asker::yes(),
        &CancellationToken::new(),
    )
    .await;

    assert_eq!(
        said(&report),
        Some("the budget of $0.01 for this task is spent ($0.011)")
    );
    assert_eq!(report.result, "half way", "the last non-empty text");
    assert_eq!(
        kinds(&report),
        [
            StepKind::Model,
            StepKind::Tool,
            StepKind::Model,
            StepKind::Tool
        ]
    );
    assert_eq!(count.load(Ordering::SeqCst), 2);
    assert_eq!(report.cost_usd, usd("0.011"));
    let left: Vec<_> = script.calls().iter().map(|c| c.budget_left).collect();
    assert_eq!(left, [Some(usd("0.01")), Some(usd("0.004"))]);
    assert_eq!(script.left(), 1, "the third turn was never sent");
}

#[tokio::test]
async fn a_refused_call_ends_the_task_with_the_routers_reason() {
    let mut spec = spec();
    spec.budget_usd = Some(usd("0.01"));
    let refusal = "this call could cost up to $0.02, more than the $0.01 left for this task";
    let script = Script::new(vec![Err(AgentError::refused(ErrorInfo::new(
        ErrorCode::BudgetExceeded,
        refusal,
    )))]);
    let (report, _) = run_plain(&spec, &script).await;
    assert_eq!(said(&report), Some(refusal));
    assert_eq!(kinds(&report), [StepKind::Model]);
    assert_eq!(report.steps[0].error.as_deref(), Some(refusal));
    assert_eq!(report.result, "");
}

#[tokio::test]
async fn a_model_failure_ends_a_single_plan() {
    let script = Script::new(vec![
        Ok(calls("looking", &[("c1", "counter", "{}")], "0.001")),
        Err(failure("openrouter: 502 bad gateway", true)),
    ]);
    let (counter, _) = Counter::boxed("counter", false);
    let (report, events) = run(
        &spec(),
        &mut Memory::default(),
        &script,
        &toolbox(vec![counter]),
        &Asker::yes(),
        &CancellationToken::new(),
    )
    .await;
    // The provider's sentence ends the task and its step, which names the model asked; the
    // text so far is the partial result; the failed call's step still finishes.
    insta::assert_json_snapshot!("model_failure", trace(&report, &events));
}

#[tokio::test]
async fn stopping_during_a_model_call_ends_at_once_and_keeps_the_steps() {
    // The script runs dry after one turn, so the second call hangs until the user stops it.
    let script = Script::new(vec![Ok(calls(
        "first",
        &[("c1", "counter", "{}")],
        "0.001",
    ))]);
    let (counter, _) = Counter::boxed("counter", false);
    let cancel = CancellationToken::new();
    let stopper = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        stopper.cancel();
    });
    let mut memory = Memory::default();
    let (report, _) = tokio::time::timeout(
        Duration::from_secs(5),
        run(
            &spec(),
            &mut memory,
            &script,
            &toolbox(vec![counter]),
            &Asker::yes(),
            &cancel,
        ),
    )
    .await
    .expect("the stop interrupts the hanging call");

    assert_eq!(said(&report), Some("stopped"));
    assert_eq!(report.result, "first");
    assert_eq!(
        kinds(&report),
        [StepKind::Model, StepKind::Tool, StepKind::Model]
    );
    assert_eq!(report.steps[2].error.as_deref(), Some("stopped"));
    assert_eq!(report.cost_usd, usd("0.001"));
    assert!(memory.turns.is_empty());
}

#[tokio::test]
async fn stopping_while_waiting_for_approval_ends_the_task() {
    let script = Script::new(vec![Ok(calls("", &[("c1", "launch", "{}")], "0"))]);
    let (launch, launched) = Counter::boxed("launch", true);
    let cancel = CancellationToken::new();
    let stopper = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        stopper.cancel();
    });
    let (report, _) = tokio::time::timeout(
        Duration::from_secs(5),
        run(
            &spec(),
            &mut Memory::default(),
            &script,
            &toolbox(vec![launch]),
            &Asker::away(),
            &cancel,
        ),
    )
    .await
    .expect("the stop interrupts the wait");
    assert_eq!(said(&report), Some("stopped"));
    assert_eq!(launched.load(Ordering::SeqCst), 0);
    assert_eq!(kinds(&report), [StepKind::Model, StepKind::Tool]);
    assert_eq!(report.steps[1].error.as_deref(), Some("stopped"));
}

#[tokio::test]
async fn a_task_stopped_before_it_starts_calls_nothing() {
    let script = Script::new(vec![Ok(answer("hi", "0.1", 1, 1))]);
    let cancel = CancellationToken::new();
    cancel.cancel();
    let (report, events) = run(
        &spec(),
        &mut Memory::default(),
        &script,
        &toolbox(Vec::new()),
        &Asker::yes(),
        &cancel,
    )
    .await;
    assert_eq!(said(&report), Some("stopped"));
    assert!(script.calls().is_empty());
    assert!(report.steps.is_empty() && events.is_empty());
}
