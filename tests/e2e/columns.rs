//! A column's own parameters, set by typing into the real inputs of its editor in the
//! webview, reach the request the provider receives.

use fantoccini::Client;
use switchboard_tests::FakeUpstream;

use crate::chat::{open_new_chat, type_and_send};
use crate::driver::{Driver, TestResult, app_binary, finish};
use crate::page::{
    click, count, record_errors, recorded_errors, replace_text, wait_all, wait_for_count,
    wait_for_text,
};

const KEY: &str = "sk-or-v1-e2e-columns-0000000000000000000000";

#[tokio::test]
async fn a_columns_temperature_and_max_tokens_typed_in_its_editor_reach_the_request() {
    let Some((app, _turn)) = app_binary().await else {
        return;
    };
    let fake = FakeUpstream::start(KEY);
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::for_fake(data.path(), &fake, KEY).unwrap();
    let c = driver.launch(&app).await.unwrap();
    let result = set_params_and_send(&c, &fake).await;
    finish(c, result, "columns-params-failed.png").await;
}

async fn set_params_and_send(c: &Client, fake: &FakeUpstream) -> TestResult {
    open_new_chat(c, 1).await?;
    record_errors(c).await?;
    let toggle = "[data-testid=\"params-toggle\"]";
    wait_for_text(c, toggle, |t| t == "default parameters").await?;
    click(c, toggle).await?;
    replace_text(c, "[data-testid=\"param-temperature\"]", "0.5").await?;
    replace_text(c, "[data-testid=\"param-max-tokens\"]", "200").await?;
    click(c, "[data-testid=\"params-apply\"]").await?;
    // Applied: the editor closes and the summary says what the column now sends.
    wait_for_count(c, "form[aria-label=\"Parameters\"]", 0).await?;
    wait_for_text(c, toggle, |t| t == "temp 0.5 · max 200").await?;
    let errors = recorded_errors(c).await?;
    assert!(errors.is_empty(), "the page threw: {errors:?}");

    type_and_send(c, "Hello with parameters").await?;
    wait_all(c, "[data-testid=\"answer-status\"]", 1, |t| {
        t.contains("Complete")
    })
    .await?;
    let sent = fake
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/chat/completions"))
        .filter_map(|r| r.json())
        .next_back()
        .ok_or("no chat request reached the fake")?;
    assert_eq!(
        sent["temperature"].as_f64(),
        Some(0.5),
        "the column's temperature is sent: {sent}"
    );
    assert_eq!(
        sent["max_tokens"].as_u64(),
        Some(200),
        "the column's max tokens are sent: {sent}"
    );
    assert_eq!(count(c, "[data-testid=\"params-toggle\"]").await, 1);
    Ok(())
}
