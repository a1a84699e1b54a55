//! The Local API section runs the real server inside the app: switched on at a port typed in
//! the screen, it answers a plain HTTP client that sends the client key made in the same
//! screen (and refuses one that sends none), the live count shows the answer, the snippets
//! carry the new key, and switched off it stops listening. Screenshots at a large and a
//! small window size.

use fantoccini::Client;
use serde_json::{Value, json};
use switchboard_tests::{FakeUpstream, Reply};

use crate::driver::{Driver, TestResult, app_binary, finish, unused_port};
use crate::page::{
    click, click_button, replace_text, screenshot, type_into, wait_for_attr, wait_for_count,
    wait_for_text,
};

const KEY: &str = "sk-or-v1-e2e-local-api-0000000000000000000";
const SECRET: &str = "[data-testid=\"created-secret\"]";
const STATE: &str = "[data-testid=\"local-api-state\"]";
const SERVER: &str = "[data-testid=\"local-api-server\"]";
const SWITCH: &str = "[data-testid=\"local-api-switch\"]";

#[tokio::test]
async fn the_local_api_section_serves_tools_with_its_own_client_keys() {
    let Some((app, _turn)) = app_binary().await else {
        return;
    };
    let fake = FakeUpstream::start(KEY);
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::for_fake(data.path(), &fake, KEY).unwrap();
    let c = driver.launch(&app).await.unwrap();
    let result = serve_from_the_app(&c, &fake).await;
    finish(c, result, "local-api-failed.png").await;
}

async fn serve_from_the_app(c: &Client, fake: &FakeUpstream) -> TestResult {
    click(c, "#nav-localApi").await?;
    // Loaded and off.
    wait_for_attr(c, SERVER, "data-state", "off").await?;
    let port = unused_port();
    replace_text(c, "[data-testid=\"local-api-port\"]", &port.to_string()).await?;
    click_button(c, "Save port").await?;
    wait_for_attr(c, SERVER, "data-saved-port", &port.to_string()).await?;
    wait_for_attr(c, SERVER, "data-state", "off").await?;
    click(c, SWITCH).await?;
    wait_for_attr(c, SERVER, "data-state", "on").await?;
    let origin = format!("http://127.0.0.1:{port}");
    wait_for_text(c, STATE, |t| t.contains(&format!("Serving at {origin}"))).await?;

    // A key for a script, shown once, and already in the snippets.
    type_into(c, "[data-testid=\"client-key-name\"]", "e2e-script").await?;
    click(c, "[data-testid=\"client-key-create\"]").await?;
    let secret = wait_for_text(c, SECRET, |t| t.starts_with("sb-")).await?;
    wait_for_text(c, "[data-testid=\"snippet-openai-env\"] pre", |t| {
        t.contains(&format!("OPENAI_API_KEY={secret}"))
            && t.contains(&format!("OPENAI_BASE_URL={origin}/v1"))
    })
    .await?;
    wait_for_count(c, "[data-testid=\"client-key-row\"]", 1).await?;
    screenshot(c, "local-api.png").await?;

    // A real client: no key is refused; the key made above is answered through the fake.
    let http = reqwest::Client::new();
    let url = format!("{origin}/v1/chat/completions");
    let body = json!({"model": "openai/gpt-3.5-turbo",
        "messages": [{"role": "user", "content": "Say hello"}]});
    let refused = http.post(&url).json(&body).send().await?;
    assert_eq!(refused.status(), 401, "no client key, no answer");
    fake.enqueue(answer());
    let reply = http
        .post(&url)
        .bearer_auth(&secret)
        .json(&body)
        .send()
        .await?;
    let status = reply.status();
    let reply: Value = reply.json().await?;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(
        reply["choices"][0]["message"]["content"],
        "Hello from the app"
    );
    assert_eq!(reply["usage"]["completion_tokens"], 4);
    // Both requests count, the refused one too: it is traffic the user should see.
    wait_for_text(c, "[data-testid=\"local-api-served\"]", |t| t == "2").await?;

    // Small window: the same screen must still read.
    c.set_window_size(760, 620).await?;
    screenshot(c, "local-api-small.png").await?;
    c.set_window_size(1280, 860).await?;

    // Off: it stops listening.
    click(c, SWITCH).await?;
    wait_for_attr(c, SERVER, "data-state", "off").await?;
    wait_for_text(c, STATE, |t| t.starts_with("Off")).await?;
    let gone = http
        .post(&url)
        .bearer_auth(&secret)
        .json(&body)
        .send()
        .await;
    assert!(gone.is_err(), "nothing listens once it is off: {gone:?}");
    Ok(())
}

/// OpenRouter's non-streamed answer (the client asked for none, so neither does the gateway).
fn answer() -> Reply {
    Reply::json(
        200,
        &json!({"id": "gen-e2e-local-api", "object": "chat.completion", "created": 1_765_000_000,
            "model": "openai/gpt-3.5-turbo", "provider": "OpenAI",
            "choices": [{"index": 0, "finish_reason": "stop",
                "message": {"role": "assistant", "content": "Hello from the app"}}],
            "usage": {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13,
                "cost": 0.0000105}}),
    )
}
