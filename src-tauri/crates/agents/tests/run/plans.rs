use switchboard_agents::{AgentTarget, Plan, Rung, Stage};

use crate::harness::*;

fn staged_spec() -> switchboard_agents::AgentSpec {
    let mut spec = spec();
    spec.plan = Plan::Staged {
        stages: vec![
            Stage {
                name: "draft".into(),
                target: target("cheap"),
                instruction: "Draft it.".into(),
                fallback: None,
            },
            Stage {
                name: "review".into(),
                target: target("strong"),
                instruction: "Review the draft.".into(),
                fallback: Some(target("backup")),
            },
        ],
    };
    spec
}

#[tokio::test]
async fn a_stage_that_fails_retryably_reruns_on_its_fallback() {
    let script = Script::new(vec![
        Ok(answer("draft notes", "0.001", 10, 10)),
        Err(failure("overloaded", true)),
        Ok(answer("final review", "0.01", 20, 20)),
    ]);
    let (report, events) = run_plain(&staged_spec(), &script).await;

    // No error and the review's answer; draft on cheap, review on strong (failed: overloaded),
    // the escalation to backup saying why, review on backup; each step's stage; 0.011 in all.
    insta::assert_json_snapshot!("staged_fallback", trace(&report, &events));

    let calls = script.calls();
    let targets: Vec<&AgentTarget> = calls.iter().map(|c| &c.target).collect();
    assert_eq!(
        targets,
        [&target("cheap"), &target("strong"), &target("backup")]
    );
    assert_eq!(calls[2].request.model, "backup");
    let draft_system = calls[0].request.messages[0].joined_text();
    assert_eq!(draft_system, "You test things.\n\nDraft it.");
    let review = &calls[2].request.messages;
    assert_eq!(
        review[0].joined_text(),
        "You test things.\n\nReview the draft."
    );
    assert!(
        review[1]
            .joined_text()
            .ends_with("## Output of the draft stage\ndraft notes"),
        "the review sees the draft: {}",
        review[1].joined_text()
    );
}

#[tokio::test]
async fn a_permanent_stage_failure_ends_the_task() {
    let script = Script::new(vec![
        Ok(answer("draft notes", "0.001", 10, 10)),
        Err(failure("invalid request: context too long", false)),
        Ok(answer("never asked", "0", 1, 1)),
    ]);
    let (report, _) = run_plain(&staged_spec(), &script).await;
    assert_eq!(said(&report), Some("invalid request: context too long"));
    assert_eq!(
        report.result, "draft notes",
        "the draft is the partial result"
    );
    assert_eq!(
        script.calls().len(),
        2,
        "no fallback for a failure retrying cannot fix"
    );
}

fn cost_aware_spec() -> switchboard_agents::AgentSpec {
    let mut spec = spec();
    spec.task_type = Some("summarize".into());
    spec.plan = Plan::CostAware {
        candidates: vec![
            target("best"),
            target("good"),
            AgentTarget::Route {
                route: "weak".into(),
            },
        ],
        quality_bar: 0.7,
    };
    spec
}

fn rungs() -> Vec<Rung> {
    vec![
        Rung {
            target: target("best"),
            quality: 0.9,
            predicted_cost: Some(usd("0.03")),
        },
        Rung {
            target: target("good"),
            quality: 0.8,
            predicted_cost: Some(usd("0.01")),
        },
        Rung {
            target: AgentTarget::Route {
                route: "weak".into(),
            },
            quality: 0.5,
            predicted_cost: Some(usd("0.001")),
        },
    ]
}

#[tokio::test]
async fn cost_aware_starts_cheap_enough_and_climbs_on_failure_or_silence() {
    let script = Script::new(vec![
        Err(failure("model not found", false)),
        Ok(answer("  ", "0.002", 5, 0)),
        Ok(answer("a summary", "0.0001", 5, 5)),
    ])
    .with_rungs(rungs());
    let (report, events) = run_plain(&cost_aware_spec(), &script).await;

    // No error and the summary; model, escalation, model, escalation, model, each escalation
    // saying why (the empty answer: "it answered with nothing"); 0.0021 in all.
    insta::assert_json_snapshot!("cost_aware_climb", trace(&report, &events));
    let targets: Vec<AgentTarget> = script.calls().into_iter().map(|c| c.target).collect();
    assert_eq!(
        targets,
        [
            target("good"),
            target("best"),
            AgentTarget::Route {
                route: "weak".into()
            }
        ],
        "cheapest over the bar, then up, then below the bar"
    );
    assert_eq!(script.calls()[2].request.model, "");

    let appraisals = script.appraisals();
    assert_eq!(appraisals.len(), 1);
    let (candidates, task_type, prompt_tokens, max_tokens) = &appraisals[0];
    assert_eq!(candidates.len(), 3);
    assert_eq!(task_type.as_deref(), Some("summarize"));
    assert!(
        *prompt_tokens > 10,
        "the prompt was estimated: {prompt_tokens}"
    );
    assert_eq!(*max_tokens, Some(500));
}

#[tokio::test]
async fn cost_aware_skips_what_the_budget_cannot_pay_and_reports_when_all_fail() {
    let mut spec = cost_aware_spec();
    spec.budget_usd = Some(usd("0.02"));
    let script = Script::new(vec![
        Err(failure("overloaded", true)),
        Err(failure("overloaded again", true)),
    ])
    .with_rungs(rungs());
    let (report, _) = run_plain(&spec, &script).await;
    let targets: Vec<AgentTarget> = script.calls().into_iter().map(|c| c.target).collect();
    assert_eq!(
        targets,
        [
            target("good"),
            AgentTarget::Route {
                route: "weak".into()
            }
        ],
        "best (0.03) is over the 0.02 budget"
    );
    assert_eq!(
        said(&report),
        Some("all 2 candidate models failed; the last: overloaded again")
    );
}
