//! Agents end to end: on the Agents screen a translator agent is made from its template, given
//! the calculator, saved, and run. The fake upstream first answers with a call to the
//! calculator, then with the final text; the live trace shows a model step, the tool step and a
//! second model step, the result, and a total cost that is the exact sum of the two answers'.

use fantoccini::Client;
use switchboard_tests::{FakeUpstream, scripted};

use crate::driver::{Driver, TestResult, app_binary, finish};
use crate::page::{
    attrs, click, count, replace_text, screenshot, texts, type_into, value, wait_for_count,
    wait_for_text,
};

const KEY: &str = "sk-or-v1-e2e-agents-000000000000000000000";
const MODEL: &str = "openai/gpt-4o-mini";
/// What the tool-calling answer and the final answer cost; the total is their exact sum.
const CALL_COST: f64 = 0.0002;
const ANSWER_COST: f64 = 0.0003;
const TOTAL: &str = "$0.0005";
const RESULT: &str = "Six times seven is 42.";

#[tokio::test]
async fn runs_a_template_agent_that_calls_the_calculator_and_shows_the_trace() {
    let Some((app, _turn)) = app_binary().await else {
        return;
    };
    let fake = FakeUpstream::start(KEY);
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::start(&[
        ("SWITCHBOARD_DATA_DIR", data.path().display().to_string()),
        (
            "SWITCHBOARD_KEYCHAIN_SERVICE",
            switchboard_tests::keychain::unique_service(),
        ),
        ("OPENROUTER_BASE_URL", fake.openrouter_base()),
        ("OPENROUTER_API_KEY", KEY.to_owned()),
    ])
    .unwrap();
    let c = driver.launch(&app).await.unwrap();
    let result = create_and_run(&c, &fake).await;
    finish(c, result, "agents-failed.png").await;
}

async fn create_and_run(c: &Client, fake: &FakeUpstream) -> TestResult {
    // A new agent from the translator template (a single-model plan).
    click(c, "#nav-agents").await?;
    click(c, "[data-testid=\"agent-new\"]").await?;
    let translator = "[data-testid=\"template-use\"][data-template=\"translator\"]";
    let blurb = wait_for_text(c, translator, |t| t.contains("Translator")).await?;
    assert!(
        blurb.contains("target language"),
        "the picker shows the template's blurb: {blurb}"
    );
    wait_for_count(c, "[data-testid=\"template-use\"]", 5).await?;
    click(c, translator).await?;

    wait_for_count(c, "[data-testid=\"agent-name\"]", 1).await?;
    assert_eq!(
        value(c, "[data-testid=\"agent-name\"]").await?.as_deref(),
        Some("translator"),
        "the template names the agent"
    );
    assert_eq!(
        value(c, "[data-testid=\"plan-kind\"]").await?.as_deref(),
        Some("single"),
        "the translator uses one model"
    );
    replace_text(c, "[data-testid=\"target-model\"]", MODEL).await?;
    click(c, "[data-testid=\"tool-calculator\"]").await?;
    click(c, "[data-testid=\"agent-save\"]").await?;
    wait_for_text(c, "[data-testid=\"agent-saved\"]", |t| t.contains("Saved")).await?;
    wait_for_count(
        c,
        "[data-testid=\"agent-item\"][data-agent=\"translator\"]",
        1,
    )
    .await?;

    // The upstream: first a call to the calculator, then the answer.
    fake.enqueue(scripted::tool_call(
        1,
        MODEL,
        "calculator",
        r#"{"expression":"6*7"}"#,
        CALL_COST,
    ));
    fake.enqueue(scripted::answer(2, MODEL, RESULT, ANSWER_COST));

    type_into(c, "[data-testid=\"task-title\"]", "Multiply").await?;
    type_into(
        c,
        "[data-testid=\"task-description\"]",
        "Work out 6 times 7 with the calculator, then say it in the language given.",
    )
    .await?;
    click(c, "[data-testid=\"input-add\"]").await?;
    type_into(c, "[data-testid=\"input-name\"]", "language").await?;
    type_into(c, "[data-testid=\"input-value\"]", "English").await?;
    click(c, "[data-testid=\"run-start\"]").await?;

    // The end of the run: its total, then every step.
    let total = wait_for_text(c, "[data-testid=\"trace-total\"]", |t| t.contains("Total")).await?;
    assert!(
        total.contains(&format!("Total {TOTAL}")),
        "the total is the exact sum of the scripted costs: {total}"
    );
    assert!(total.contains("3 steps"), "model, tool, model: {total}");
    let kinds = attrs(c, "[data-testid=\"trace-step\"]", "data-kind").await?;
    assert_eq!(
        kinds,
        ["model", "tool", "model"],
        "the trace has a model step, the calculator, and a second model step"
    );
    let who = texts(c, "[data-testid=\"trace-step\"] [data-testid=\"step-who\"]").await?;
    assert_eq!(
        who[1], "calculator",
        "the tool step names the tool: {who:?}"
    );
    assert!(
        who[0].contains("gpt-4o-mini"),
        "model steps name the model: {who:?}"
    );
    let costs = texts(
        c,
        "[data-testid=\"trace-step\"] [data-testid=\"step-cost\"]",
    )
    .await?;
    assert_eq!(
        costs,
        ["$0.0002", "$0.00", "$0.0003"],
        "each model step costs what its answer said; tools are free"
    );
    wait_for_text(c, "[data-testid=\"trace-answer\"]", |t| t.contains(RESULT)).await?;
    let status = wait_for_text(
        c,
        "[data-testid=\"trace\"] [data-testid=\"run-status\"]",
        |t| t.contains("Done"),
    )
    .await?;
    assert_eq!(status, "Done");
    assert_eq!(
        count(c, "[data-testid=\"trace-report-error\"]").await,
        0,
        "the run finished without an error"
    );
    let requests = fake
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/chat/completions"))
        .count();
    assert_eq!(requests, 2, "two model turns reached the upstream");

    // The past runs list has it, done. (WebKitWebDriver's text skips the ellipsized title.)
    wait_for_text(c, "[data-testid=\"run-item\"]", |t| {
        t.contains("Done") && t.contains(TOTAL)
    })
    .await?;
    let inner = texts(c, "[data-testid=\"run-item\"]").await?.join("\n");
    assert!(
        inner.contains("Multiply"),
        "the run is listed by its title: {inner}"
    );
    screenshot(c, "agents-run.png").await?;
    Ok(())
}
