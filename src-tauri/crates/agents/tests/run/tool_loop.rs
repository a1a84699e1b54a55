use switchboard_agents::Memory;
use switchboard_core::Role;
use tokio_util::sync::CancellationToken;

use crate::harness::*;

#[tokio::test]
async fn tool_results_go_back_to_the_model_until_it_answers() {
    let script = Script::new(vec![
        Ok(calls(
            "Counting.",
            &[
                ("call_1", "counter", r#"{"by": 1}"#),
                ("call_2", "counter", ""),
            ],
            "0.0011",
        )),
        Ok(answer("done: 2 apples", "0.0023", 150, 12)),
    ]);
    let (counter, count) = Counter::boxed("counter", false);
    let tools = toolbox(vec![counter]);
    let mut memory = Memory::default();
    let (report, events) = run(
        &spec(),
        &mut memory,
        &script,
        &tools,
        &Asker::no(),
        &CancellationToken::new(),
    )
    .await;

    // No error; the answer; model, tool, tool, model with who served, the tool's arguments and
    // result, each turn's tokens and cost; the exact sum of both turns (0.0034) and every
    // token (15 + 162); and the events in order, each step's start, deltas and finish.
    insta::assert_json_snapshot!("tool_loop_answer", trace(&report, &events));
    assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 2);

    let sent = script.calls();
    assert_eq!(sent.len(), 2);
    let first = &sent[0];
    assert_eq!(first.request.model, "m1");
    assert_eq!(first.request.temperature, Some(0.2));
    assert_eq!(first.request.max_tokens, Some(500));
    assert_eq!(first.task_type.as_deref(), Some("code"));
    assert_eq!(first.agent, "tester");
    assert_eq!(first.budget_left, None);
    let tool_names: Vec<&str> = first
        .request
        .tools
        .iter()
        .map(|t| t.name.as_str())
        .collect();
    assert_eq!(tool_names, ["counter"]);
    let roles: Vec<Role> = first.request.messages.iter().map(|m| m.role).collect();
    assert_eq!(roles, [Role::System, Role::User]);
    assert_eq!(first.request.messages[0].joined_text(), "You test things.");
    assert_eq!(
        first.request.messages[1].joined_text(),
        "# Count\n\nCount twice, then say done.\n\n## unit\napples"
    );

    let second = &sent[1].request.messages;
    let roles: Vec<Role> = second.iter().map(|m| m.role).collect();
    assert_eq!(
        roles,
        [
            Role::System,
            Role::User,
            Role::Assistant,
            Role::Tool,
            Role::Tool
        ]
    );
    assert_eq!(
        second[2].tool_calls.len(),
        2,
        "the assistant turn keeps its calls"
    );
    assert_eq!(second[3].tool_call_id.as_deref(), Some("call_1"));
    assert_eq!(second[3].joined_text(), "count is 1");
    assert_eq!(second[4].tool_call_id.as_deref(), Some("call_2"));
    assert_eq!(second[4].joined_text(), "count is 2");

    let turns: Vec<(Role, &str)> = memory
        .turns
        .iter()
        .map(|t| (t.role, t.text.as_str()))
        .collect();
    assert_eq!(
        turns,
        [
            (Role::User, "# Count\n\nCount twice, then say done."),
            (Role::Assistant, "done: 2 apples"),
        ],
        "memory keeps the task without its inputs, and the answer"
    );
}

#[tokio::test]
async fn unknown_tools_bad_arguments_and_tool_errors_are_told_to_the_model() {
    let script = Script::new(vec![
        Ok(calls(
            "",
            &[
                ("a", "nope", "{}"),
                ("b", "counter", "{not json"),
                ("c", "broken", "{}"),
            ],
            "0",
        )),
        Ok(answer("gave up", "0", 1, 1)),
    ]);
    let (counter, count) = Counter::boxed("counter", false);
    let tools = toolbox(vec![counter, Box::new(Broken)]);
    let (report, _) = run(
        &spec(),
        &mut Memory::default(),
        &script,
        &tools,
        &Asker::yes(),
        &CancellationToken::new(),
    )
    .await;

    assert_eq!(report.error, None, "tool failures do not end the task");
    assert_eq!(report.result, "gave up");
    assert_eq!(count.load(std::sync::atomic::Ordering::SeqCst), 0);
    let told: Vec<String> = script.calls()[1].request.messages[3..]
        .iter()
        .map(|m| m.joined_text())
        .collect();
    assert_eq!(told[0], "error: no tool named nope");
    assert!(
        told[1].starts_with("error: the arguments are not valid JSON"),
        "{}",
        told[1]
    );
    assert_eq!(told[2], "error: tool broken: disk full");
    let errors: Vec<Option<&str>> = report.steps[1..4]
        .iter()
        .map(|s| s.error.as_deref())
        .collect();
    assert_eq!(errors[0], Some("error: no tool named nope"));
    assert!(errors.iter().all(Option::is_some), "{errors:?}");
}

#[tokio::test]
async fn a_declined_call_does_not_run_and_the_model_hears_why() {
    let script = Script::new(vec![
        Ok(calls(
            "",
            &[("call_9", "launch", r#"{"target":"moon"}"#)],
            "0",
        )),
        Ok(answer("ok, not launching", "0", 1, 1)),
    ]);
    let (launch, launched) = Counter::boxed("launch", true);
    let tools = toolbox(vec![launch]);
    let asker = Asker::no();
    let (report, events) = run(
        &spec(),
        &mut Memory::default(),
        &script,
        &tools,
        &asker,
        &CancellationToken::new(),
    )
    .await;

    assert_eq!(launched.load(std::sync::atomic::Ordering::SeqCst), 0);
    assert_eq!(report.result, "ok, not launching");
    assert_eq!(
        *asker.asked.lock().unwrap(),
        [("launch".to_owned(), serde_json::json!({"target": "moon"}))]
    );
    assert!(
        events.contains(&r#"approval launch {"target":"moon"}"#.to_owned()),
        "{events:?}"
    );
    let told = &script.calls()[1].request.messages[3];
    assert_eq!(told.tool_call_id.as_deref(), Some("call_9"));
    assert_eq!(told.joined_text(), "the user declined this call");
    assert_eq!(
        report.steps[1].error.as_deref(),
        Some("declined by the user")
    );
}

#[tokio::test]
async fn an_approved_call_runs() {
    let script = Script::new(vec![
        Ok(calls("", &[("call_1", "launch", "{}")], "0")),
        Ok(answer("launched", "0", 1, 1)),
    ]);
    let (launch, launched) = Counter::boxed("launch", true);
    let (report, _) = run(
        &spec(),
        &mut Memory::default(),
        &script,
        &toolbox(vec![launch]),
        &Asker::yes(),
        &CancellationToken::new(),
    )
    .await;
    assert_eq!(launched.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(report.steps[1].error, None);
    assert_eq!(
        script.calls()[1].request.messages[3].joined_text(),
        "count is 1"
    );
}

/// A tool may ask more narrowly than "every call" (http_get: once per new host). The loop asks
/// when the tool says so and tells the tool what the user approved; a decline is not
/// remembered.
#[tokio::test]
async fn a_tool_asking_once_per_key_is_asked_once_per_key() {
    let script = Script::new(vec![
        Ok(calls(
            "",
            &[
                ("call_1", "per_key", r#"{"key":"a"}"#),
                ("call_2", "per_key", r#"{"key":"a"}"#),
                ("call_3", "per_key", r#"{"key":"b"}"#),
            ],
            "0",
        )),
        Ok(answer("done", "0", 1, 1)),
    ]);
    let tool = Box::new(OncePerKey {
        approved: std::sync::Mutex::new(Vec::new()),
    });
    let asker = Asker::yes();
    let (report, _) = run(
        &spec(),
        &mut Memory::default(),
        &script,
        &toolbox(vec![tool]),
        &asker,
        &CancellationToken::new(),
    )
    .await;
    assert_eq!(report.error, None);
    let asked: Vec<String> = asker
        .asked
        .lock()
        .unwrap()
        .iter()
        .map(|(_, args)| args["key"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        asked,
        ["a", "b"],
        "the second call for a was already approved"
    );
    let errors: Vec<Option<&str>> = report.steps.iter().map(|s| s.error.as_deref()).collect();
    assert!(errors.iter().all(Option::is_none), "{errors:?}");

    let script = Script::new(vec![
        Ok(calls(
            "",
            &[
                ("call_1", "per_key", r#"{"key":"a"}"#),
                ("call_2", "per_key", r#"{"key":"a"}"#),
            ],
            "0",
        )),
        Ok(answer("done", "0", 1, 1)),
    ]);
    let tool = Box::new(OncePerKey {
        approved: std::sync::Mutex::new(Vec::new()),
    });
    let asker = Asker::no();
    run(
        &spec(),
        &mut Memory::default(),
        &script,
        &toolbox(vec![tool]),
        &asker,
        &CancellationToken::new(),
    )
    .await;
    assert_eq!(
        asker.asked.lock().unwrap().len(),
        2,
        "a decline is asked again"
    );
}

#[tokio::test]
async fn an_output_schema_asks_for_json_only() {
    let mut spec = spec();
    spec.output_schema = Some(serde_json::json!({"type": "object", "required": ["n"]}));
    let script = Script::new(vec![Ok(answer(r#"{"n": 1}"#, "0", 1, 1))]);
    let (report, _) = run_plain(&spec, &script).await;
    assert_eq!(report.result, r#"{"n": 1}"#);
    let system = script.calls()[0].request.messages[0].joined_text();
    assert!(
        system.starts_with("You test things.\n\nAnswer with JSON only"),
        "{system}"
    );
    assert!(
        system.contains(r#""required": ["#),
        "the schema itself: {system}"
    );
}

#[tokio::test]
async fn an_answer_that_misses_the_schema_goes_back_with_what_is_wrong_and_the_fix_is_kept() {
    let mut spec = spec();
    spec.output_schema = Some(serde_json::json!({"type": "object", "required": ["n"],
        "properties": {"n": {"type": "integer"}}}));
    let script = Script::new(vec![
        Ok(answer(r#"{"n": "one"}"#, "0.001", 1, 1)),
        Ok(answer("```json\n{\"n\": 1}\n```", "0.002", 1, 1)),
    ]);
    let (report, _) = run_plain(&spec, &script).await;
    assert_eq!(report.error, None);
    assert_eq!(report.result, "```json\n{\"n\": 1}\n```");
    assert_eq!(report.cost_usd, usd("0.003"), "both turns are paid for");
    let retry = script.calls()[1].request.messages.clone();
    let said = retry.last().unwrap().joined_text();
    assert!(
        said.contains("/n") && said.contains("corrected JSON"),
        "{said}"
    );

    // With no turn left to fix it, the task ends saying why, keeping the answer it got.
    spec.max_steps = 1;
    let script = Script::new(vec![Ok(answer("not json", "0.001", 1, 1))]);
    let (report, _) = run_plain(&spec, &script).await;
    let error = report.error.unwrap().message;
    assert!(
        error.contains("not JSON") && error.contains("no step is left"),
        "{error}"
    );
    assert_eq!(report.result, "not json");
}
