//! A custom OpenAI-compatible server added in Settings is first-class in the real app: its
//! models are listed (by the provider's name, never its id), it is priced at $0 from its card,
//! one of its models is picked in a Chat column next to an OpenRouter model, and both answer.

use fantoccini::Client;
use switchboard_tests::FakeUpstream;

use crate::budgets::pick_model;
use crate::chat::{open_new_chat, type_and_send};
use crate::driver::{Driver, TestResult, app_binary, finish};
use crate::page::{
    click, click_button, screenshot, texts, type_into, wait_all, wait_for_attr, wait_for_text,
};

const KEY: &str = "sk-or-v1-e2e-custom-models-00000000000000000";
const NAME: &str = "Desk Ollama";
/// The model the fake's keyless OpenAI-compatible server lists.
const LOCAL_MODEL: &str = "llama3.2:3b";
const OPENROUTER_MODEL: &str = "openai/gpt-4o-mini";
const CARD: &str = "article.card[data-provider^=\"custom:\"]";

#[tokio::test]
async fn a_custom_server_added_in_settings_answers_in_chat_beside_openrouter() {
    let Some((app, _turn)) = app_binary().await else {
        return;
    };
    let fake = FakeUpstream::start(KEY);
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::for_fake(data.path(), &fake, KEY).unwrap();
    let c = driver.launch(&app).await.unwrap();
    let result = add_pick_and_send(&c, &fake).await;
    finish(c, result, "custom-models-failed.png").await;
}

async fn add_pick_and_send(c: &Client, fake: &FakeUpstream) -> TestResult {
    // Settings: add the server, see its models listed on its card, price all of them at $0.
    click(c, "#nav-settings").await?;
    let form = "form[aria-label=\"Add an OpenAI-compatible provider\"]";
    type_into(c, &format!("{form} .custom-name"), NAME).await?;
    type_into(c, &format!("{form} .custom-url"), &fake.custom_base()).await?;
    click(c, &format!("{form} .custom-add")).await?;
    wait_for_text(c, &format!("{CARD} h3"), |t| t == NAME).await?;
    wait_for_text(
        c,
        &format!("{CARD} [data-testid=\"custom-models-summary\"]"),
        |t| t.starts_with("1 model"),
    )
    .await?;
    click_button(c, "Free ($0)").await?;
    wait_for_text(c, &format!("{CARD} [data-testid=\"price-summary\"]"), |t| {
        t.starts_with("Default: $0.00 in")
    })
    .await?;
    assert_no_ids(c).await?;
    screenshot(c, "custom-models-settings.png").await?;

    // Chat: an OpenRouter model in the first column, the server's model in the second.
    open_new_chat(c, 2).await?;
    pick_model(c, OPENROUTER_MODEL).await?;
    let second = "[data-testid=\"column-header\"]:nth-child(2) .picker";
    let current = format!("{second} button.current");
    click(c, &current).await?;
    type_into(c, "input[aria-label=\"Filter models\"]", LOCAL_MODEL).await?;
    let option = format!(
        "[data-testid=\"model-option\"][data-model=\"{LOCAL_MODEL}\"][data-provider^=\"custom:\"]"
    );
    let listed = wait_for_text(c, &option, |t| t.contains(NAME)).await?;
    assert!(
        !listed.contains("custom:"),
        "the option names the provider: {listed}"
    );
    click(c, &option).await?;
    wait_for_attr(c, &current, "data-model", LOCAL_MODEL).await?;
    wait_for_text(c, &format!("{second} .provider"), |t| t == NAME).await?;
    assert_no_ids(c).await?;

    type_and_send(c, "Hello both").await?;
    wait_all(c, "[data-testid=\"answer-status\"]", 2, |t| {
        t.contains("Complete")
    })
    .await?;
    wait_all(c, "[data-testid=\"answer-body\"]", 2, |t| {
        t.contains("Echo: Hello both")
    })
    .await?;
    let costs = texts(c, "[data-testid=\"answer-cost\"]").await?;
    assert_eq!(costs.len(), 2, "{costs:?}");
    assert!(
        costs.iter().all(|t| !t.contains("unknown")),
        "OpenRouter's cost is exact, the server's an estimate from its $0 price: {costs:?}"
    );
    let sent: Vec<String> = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST")
        .map(|r| r.path)
        .collect();
    for path in [
        "/custom/v1/chat/completions",
        "/openrouter/api/v1/chat/completions",
    ] {
        assert!(sent.iter().any(|p| p == path), "{path} was asked: {sent:?}");
    }
    assert_no_ids(c).await?;
    screenshot(c, "custom-models-chat.png").await?;
    Ok(())
}

/// No screen shows a custom provider's internal id.
async fn assert_no_ids(c: &Client) -> TestResult {
    let shown = texts(c, "main").await?.join("\n");
    assert!(
        !shown.contains("custom:"),
        "a custom provider's id is on screen: {shown}"
    );
    Ok(())
}
