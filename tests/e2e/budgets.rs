//! Budgets end to end: a hard daily budget set in the Spend screen lets one answer through
//! from the fake upstream, alerts as that answer's cost crosses its thresholds (a notice on
//! whatever screen is showing), and then refuses the next request before it leaves the app,
//! with a message naming the budget; the Spend screen shows what was spent.

use fantoccini::Client;
use switchboard_tests::{FakeUpstream, Reply};

use crate::chat::{open_new_chat, type_and_send};
use crate::driver::{Driver, TestResult, app_binary};
use crate::page::{
    click, click_button, count, replace_text, screenshot, select, type_into, wait_all,
    wait_for_attr, wait_for_count, wait_for_text,
};

const KEY: &str = "sk-or-v1-e2e-budgets-0000000000000000000000";
/// $0.5/M in, $1.5/M out and 4096 output tokens at most in the recorded catalogue.
const MODEL: &str = "openai/gpt-3.5-turbo";
/// What the answer's usage says it cost: 8 prompt + 4000 output tokens at those prices.
const COST: &str = "0.006004";
/// Each request first reserves its worst case: a few prompt tokens plus 4096 output tokens
/// × $1.5/M ≈ $0.00615. That fits under $0.007 once; after the first answer's $0.006004 it
/// cannot, so the second request is refused.
const LIMIT: &str = "0.007";

/// An OpenRouter stream whose usage carries `COST`.
fn costed_answer() -> Reply {
    let chunk = |body: serde_json::Value| format!("data: {body}\n\n");
    let head = serde_json::json!({"id": "gen-e2e-budget-1", "object": "chat.completion.chunk",
        "model": MODEL, "provider": "OpenAI",
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Within budget."}, "finish_reason": null}]});
    let tail = serde_json::json!({"id": "gen-e2e-budget-1", "object": "chat.completion.chunk",
        "model": MODEL, "provider": "OpenAI",
        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 8, "completion_tokens": 4000, "total_tokens": 4008, "cost": 0.006004}});
    Reply::sse_text(&format!("{}{}data: [DONE]\n\n", chunk(head), chunk(tail)))
}

fn chat_requests(fake: &FakeUpstream) -> usize {
    fake.requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/chat/completions"))
        .count()
}

#[tokio::test]
async fn sets_a_budget_in_the_ui_crosses_it_and_sees_the_alert_then_the_block() {
    let Some((app, _turn)) = app_binary().await else {
        return;
    };
    let fake = FakeUpstream::start(KEY);
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::for_fake(data.path(), &fake, KEY).unwrap();
    let c = driver.launch(&app).await.unwrap();
    let result = budget_alert_then_block(&c, &fake).await;
    crate::driver::finish(c, result, "spend-budget-failed.png").await;
}

async fn budget_alert_then_block(c: &Client, fake: &FakeUpstream) -> TestResult {
    // Spend → a hard daily budget over everything.
    click(c, "#nav-spend").await?;
    let form = "[data-testid=\"budget-form\"]";
    let field = |id: &str| format!("{form} [data-testid=\"{id}\"]");
    type_into(c, &field("budget-name"), "Daily cap").await?;
    select(c, &field("budget-scope"), "global").await?;
    select(c, &field("budget-period"), "day").await?;
    type_into(c, &field("budget-limit"), LIMIT).await?;
    replace_text(c, &field("budget-alerts"), "50, 80, 100").await?;
    click(c, &field("budget-hard")).await?;
    click(c, &field("budget-save")).await?;
    let row = wait_for_text(c, "[data-testid=\"budget-row\"]", |t| {
        t.contains("Daily cap") && t.contains("$0.00 spent of $0.007")
    })
    .await?;
    assert!(row.contains("hard"), "the budget is a hard one: {row}");
    // The OpenRouter key's own limit, from the fake's /key.
    wait_for_text(c, "[data-testid=\"openrouter-remaining\"]", |t| {
        t.contains("$9.58")
    })
    .await?;

    // Chat: one column on the costed model (listing the models caches the catalogue, whose
    // prices the reservation needs).
    open_new_chat(c, 1).await?;
    pick_model(c, MODEL).await?;
    fake.enqueue(costed_answer());
    type_and_send(c, "Hello there").await?;
    wait_all(c, "[data-testid=\"answer-status\"]", 1, |t| {
        t.contains("Complete")
    })
    .await?;
    assert_eq!(chat_requests(fake), 1, "the first request reached the fake");
    // $0.006004 of $0.007 is past 80%: the highest threshold crossed is announced, with the
    // real share used (85.8 %, shown rounded down), not the threshold's.
    let notice = wait_for_text(c, "[data-testid=\"budget-notice\"]", |t| t.contains("80%")).await?;
    assert!(
        notice.contains("\"Daily cap\""),
        "the notice names the budget: {notice}"
    );
    assert!(
        notice.contains("is at 85% ($0.006004 of $0.007)") && notice.contains("past its 80% alert"),
        "the real percentage and the threshold: {notice}"
    );

    // The second request's worst case no longer fits: refused before it is sent.
    type_and_send(c, "And another").await?;
    let refused = wait_for_text(c, "[data-testid=\"answer\"].failed [role=\"alert\"]", |t| {
        t.contains("Budget \"Daily cap\"")
    })
    .await?;
    assert!(
        refused.contains("would be exceeded") && refused.contains("Spend → Budgets"),
        "the refusal says why and where to change it: {refused}"
    );
    assert_eq!(
        chat_requests(fake),
        1,
        "the refused request never reached the upstream"
    );

    // The refusal's two ways out: a smaller max tokens for this column (its parameters
    // open), or a higher limit (Spend, where the budgets are).
    click_button(c, "Set max tokens for this column").await?;
    wait_for_count(c, "[data-testid=\"param-max-tokens\"]", 1).await?;
    click(c, "form.params button[type=\"button\"]").await?;
    wait_for_count(c, "[data-testid=\"param-max-tokens\"]", 0).await?;
    click_button(c, "Raise limit").await?;
    let row = wait_for_text(c, "[data-testid=\"budget-row\"]", |t| {
        t.contains(&format!("${COST} spent of $0.007"))
    })
    .await?;
    assert!(
        row.contains("$0.000996 left"),
        "what is left is exact: {row}"
    );
    wait_for_text(c, "[data-testid=\"spend-total\"]", |t| {
        t.contains(&format!("${COST}"))
    })
    .await?;
    wait_for_count(c, "[data-testid=\"spend-chart\"] svg", 1).await?;
    assert_eq!(
        count(c, "[data-testid=\"budget-notice\"]").await,
        1,
        "the alert stays up across screens until dismissed"
    );
    screenshot(c, "spend-budget.png").await?;
    Ok(())
}

/// Picks `model` in the first column's model picker.
pub(crate) async fn pick_model(c: &Client, model: &str) -> TestResult {
    let current = "[data-testid=\"column-header\"] .picker button.current";
    click(c, current).await?;
    type_into(c, "input[aria-label=\"Filter models\"]", model).await?;
    click(
        c,
        &format!("[data-testid=\"model-option\"][data-model=\"{model}\"]"),
    )
    .await?;
    wait_for_attr(c, current, "data-model", model).await
}
