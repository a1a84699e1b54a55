//! The first five minutes: with no key and no provider the app opens on "Connect a provider";
//! an OpenRouter key typed there is saved to the real keychain, tested on the spot against
//! the loopback upstream, and the app lands in a chat that answers. A local server is
//! connected from its preset the same way and its own model is the chat's default.

use fantoccini::Client;
use switchboard_tests::{FakeUpstream, Reply};

use crate::chat::type_and_send;
use crate::driver::{Driver, TestResult, app_binary, finish};
use crate::page::{
    click, replace_text, screenshot, type_into, wait_all, wait_for_attr, wait_for_count,
    wait_for_text, wait_for_value,
};

const KEY: &str = "sk-or-v1-e2e-first-run-00000000000000000000";
/// The model the fake's keyless OpenAI-compatible server lists.
const LOCAL_MODEL: &str = "llama3.2:3b";

/// The app with its own data and keychain, OpenRouter pointed at the fake, and no key at all.
fn keyless(data: &std::path::Path, fake: &FakeUpstream) -> Driver {
    Driver::start(&[
        ("SWITCHBOARD_DATA_DIR", data.display().to_string()),
        (
            "SWITCHBOARD_KEYCHAIN_SERVICE",
            switchboard_tests::keychain::unique_service(),
        ),
        ("OPENROUTER_BASE_URL", fake.openrouter_base()),
    ])
    .unwrap()
}

#[tokio::test]
async fn a_new_user_connects_openrouter_and_lands_in_a_chat_that_answers() {
    let Some((app, _turn)) = app_binary().await else {
        return;
    };
    let fake = FakeUpstream::start(KEY);
    let data = tempfile::tempdir().unwrap();
    let driver = keyless(data.path(), &fake);
    let c = driver.launch(&app).await.unwrap();
    let result = connect_openrouter(&c, &fake).await;
    finish(c, result, "first-run-failed.png").await;
}

async fn connect_openrouter(c: &Client, fake: &FakeUpstream) -> TestResult {
    c.set_window_size(1280, 800).await?;
    wait_for_count(c, "[data-testid=\"connect-provider\"]", 1).await?;
    screenshot(c, "first-run-1280x800.png").await?;
    c.set_window_size(800, 600).await?;
    screenshot(c, "first-run-800x600.png").await?;
    c.set_window_size(1280, 800).await?;

    // A wrong key is refused on the spot and nothing moves on.
    type_into(
        c,
        "[data-testid=\"connect-openrouter-key\"]",
        "sk-or-v1-wrong",
    )
    .await?;
    click(c, "[data-testid=\"connect-openrouter\"]").await?;
    wait_for_text(
        c,
        "[data-testid=\"connect-provider\"] [role=\"alert\"]",
        |t| !t.is_empty(),
    )
    .await?;
    assert_eq!(
        crate::page::count(c, "[data-testid=\"connect-provider\"]").await,
        1
    );

    replace_text(c, "[data-testid=\"connect-openrouter-key\"]", KEY).await?;
    click(c, "[data-testid=\"connect-openrouter\"]").await?;
    wait_for_attr(c, "#nav-chat", "aria-current", "page").await?;
    wait_for_count(c, "[data-testid=\"connect-provider\"]", 0).await?;
    wait_for_count(c, "[data-testid=\"column-header\"]", 1).await?;

    fake.enqueue(Reply::fixture("7DnrB604rYW"));
    type_and_send(c, "Hello from a new user").await?;
    wait_all(c, "[data-testid=\"answer-status\"]", 1, |t| {
        t.contains("Complete")
    })
    .await?;
    screenshot(c, "first-run-chat.png").await?;
    Ok(())
}

#[tokio::test]
async fn a_local_server_from_its_preset_becomes_the_default_model() {
    let Some((app, _turn)) = app_binary().await else {
        return;
    };
    let fake = FakeUpstream::start(KEY);
    let data = tempfile::tempdir().unwrap();
    let driver = keyless(data.path(), &fake);
    let c = driver.launch(&app).await.unwrap();
    let result = connect_local(&c, &fake).await;
    finish(c, result, "first-run-local-failed.png").await;
}

async fn connect_local(c: &Client, fake: &FakeUpstream) -> TestResult {
    wait_for_count(c, "[data-testid=\"connect-provider\"]", 1).await?;
    click(c, "[data-testid=\"connect-local-preset-ollama\"]").await?;
    let url = "[data-testid=\"connect-local-url\"]";
    // The preset fills in Ollama's address.
    wait_for_value(c, url, "http://127.0.0.1:11434/v1").await?;
    // This machine's "Ollama" is the loopback fake, on another port.
    replace_text(c, url, &fake.custom_base()).await?;
    click(c, "[data-testid=\"connect-local\"]").await?;
    wait_for_attr(c, "#nav-chat", "aria-current", "page").await?;
    wait_for_text(c, "[data-testid=\"column-header\"]", |t| {
        t.contains(LOCAL_MODEL)
    })
    .await?;
    screenshot(c, "first-run-local.png").await?;
    Ok(())
}
