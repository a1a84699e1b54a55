//! Chat end to end: a two-column comparison streamed from the fake upstream's recordings,
//! each column showing its recorded cost; Stop; and after a restart the conversation, its
//! totals and a search hit are back.

use fantoccini::{Client, Locator, key::Key};
use switchboard_tests::{FakeUpstream, Reply};

use crate::driver::{Driver, TestResult, app_binary};
use crate::page::{click, screenshot, type_into, wait_for_text, wait_some};
pub(crate) use crate::page::{count, texts, wait_all, wait_for_count};

const KEY: &str = "sk-or-v1-e2e-chat-000000000000000000000000";

/// OpenRouter-style chunks carrying `words` as content, for a reply that then stalls.
pub(crate) fn text_chunks(id: &str, words: &[&str]) -> Vec<Vec<u8>> {
    words
        .iter()
        .map(|w| {
            let chunk = serde_json::json!({
                "id": id, "provider": "Fake", "model": "openai/gpt-4o-mini",
                "object": "chat.completion.chunk", "created": 1,
                "choices": [{"index": 0, "delta": {"role": "assistant", "content": w}, "finish_reason": null}],
            });
            format!("data: {chunk}\n\n").into_bytes()
        })
        .collect()
}

pub(crate) async fn type_and_send(c: &Client, text: &str) -> TestResult {
    type_into(c, "textarea[aria-label=\"Message\"]", text).await?;
    click(c, "#send").await
}

pub(crate) async fn open_new_chat(c: &Client, columns: usize) -> TestResult {
    click(c, "#nav-chat").await?;
    click(c, ".sidebar button.new").await?;
    wait_for_count(c, "[data-testid=\"column-header\"]", 1).await?;
    for n in 2..=columns {
        click(c, "#add-column").await?;
        wait_for_count(c, "[data-testid=\"column-header\"]", n).await?;
    }
    Ok(())
}

#[tokio::test]
async fn a_two_column_comparison_streams_shows_costs_stops_and_survives_a_restart() {
    let Some((app, _turn)) = app_binary().await else {
        return;
    };
    let fake = FakeUpstream::start(KEY);
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::for_fake(data.path(), &fake, KEY).unwrap();

    let c = driver.launch(&app).await.unwrap();
    let first = compare_and_stop(&c, &fake).await;
    crate::driver::finish(c, first, "chat-compare-failed.png").await;

    let c = driver.launch(&app).await.unwrap();
    let second = history_after_restart(&c).await;
    crate::driver::finish(c, second, "chat-restart-failed.png").await;
}

async fn compare_and_stop(c: &Client, fake: &FakeUpstream) -> TestResult {
    open_new_chat(c, 2).await?;
    // Two recordings with different costs; which column gets which depends on which request
    // reaches the fake first, so the check is on the set of costs.
    fake.enqueue(Reply::fixture("7DnrB604rYW"));
    fake.enqueue(Reply::fixture("UKtNtbos06U"));
    type_and_send(c, "Compare these two answers").await?;
    wait_all(c, "[data-testid=\"answer-status\"]", 2, |t| {
        t.contains("Complete")
    })
    .await?;
    let mut costs = texts(c, "[data-testid=\"answer-cost\"]").await?;
    costs.sort();
    assert!(
        costs[0].contains("$0.001866") && costs[1].contains("$0.004533"),
        "each column shows its recorded cost exactly: {costs:?}"
    );
    wait_for_text(c, "[data-testid=\"conversation-total\"]", |t| {
        t.contains("$0.006399")
    })
    .await?;
    assert_eq!(
        count(c, "[data-testid=\"badge-cheapest\"]").await,
        1,
        "the cheapest is marked"
    );
    assert_eq!(
        count(c, "[data-testid=\"badge-fastest\"]").await,
        1,
        "the fastest is marked"
    );
    screenshot(c, "chat-compare.png").await?;

    // Stop: both columns get an answer that streams a little and then stalls.
    fake.enqueue(Reply::SseThenStall(text_chunks(
        "gen-stall-1",
        &["Partial ", "answer ", "one"],
    )));
    fake.enqueue(Reply::SseThenStall(text_chunks(
        "gen-stall-2",
        &["Partial ", "answer ", "two"],
    )));
    type_and_send(c, "A second question").await?;
    wait_for_count(c, ".stop-answer", 2).await?;
    // The text streams into both columns live, before anything is stopped.
    wait_some(c, "[data-testid=\"answer-body\"]", 2, |b| {
        b.contains("Partial answer")
    })
    .await?;
    click(c, ".stop-answer").await?;
    wait_for_count(c, ".stop-answer", 1).await?;
    c.find(Locator::Css("body"))
        .await?
        .send_keys(&Key::Escape.to_string())
        .await?;
    wait_for_count(c, ".stop-answer", 0).await?;
    let statuses = texts(c, "[data-testid=\"answer-status\"]").await?;
    assert_eq!(
        statuses.iter().filter(|s| s.contains("Stopped")).count(),
        2,
        "one stopped by its button, the other by Escape (stop all): {statuses:?}"
    );
    let bodies = texts(c, "[data-testid=\"answer-body\"]").await?;
    assert!(
        bodies
            .iter()
            .filter(|b| b.contains("Partial answer"))
            .count()
            == 2,
        "what arrived before the stop is kept: {bodies:?}"
    );
    Ok(())
}

async fn history_after_restart(c: &Client) -> TestResult {
    click(c, "#nav-chat").await?;
    wait_for_text(c, "[data-testid=\"conversation\"] button.open", |t| {
        t.contains("Compare these two answers")
    })
    .await?;
    click(c, "[data-testid=\"conversation\"] button.open").await?;
    wait_for_text(c, "[data-testid=\"conversation-total\"]", |t| {
        t.contains("$0.006399")
    })
    .await?;
    wait_all(c, "[data-testid=\"answer-status\"]", 4, |t| !t.is_empty()).await?;

    type_into(c, "input[aria-label=\"Search conversations\"]", "second").await?;
    let hit = wait_for_text(c, "[data-testid=\"search-hit\"]", |t| {
        t.to_lowercase().contains("second")
    })
    .await?;
    assert!(
        hit.contains("question"),
        "the snippet shows the words around the hit: {hit}"
    );
    let marked = texts(c, "[data-testid=\"search-hit\"] mark").await?;
    assert!(
        marked.iter().any(|m| m.eq_ignore_ascii_case("second")),
        "the matched word is highlighted: {marked:?}"
    );
    click(c, "[data-testid=\"search-hit\"]").await?;
    wait_some(c, "[data-testid=\"user-message\"]", 1, |t| {
        t.contains("second question")
    })
    .await?;
    screenshot(c, "chat-after-restart.png").await?;
    Ok(())
}
