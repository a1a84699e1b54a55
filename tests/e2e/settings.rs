//! Settings: save an OpenRouter key, see it masked, test it, quit, relaunch, see it persisted,
//! delete it.

use fantoccini::Client;
use switchboard_tests::FakeUpstream;

use crate::driver::{Driver, TestResult, app_binary};
use crate::page::{click, screenshot, type_into, value, wait_for_text};

const KEY: &str = "sk-or-v1-e2e-0123456789abcdef0123456789a1b2";
const OR: &str = "[data-provider=\"openrouter\"]";

#[tokio::test]
async fn settings_keys_survive_a_relaunch_and_never_reach_the_page() {
    let Some((app, _turn)) = app_binary().await else {
        return;
    };
    let fake = FakeUpstream::start(KEY);
    let data = tempfile::tempdir().unwrap();
    let service = switchboard_tests::keychain::unique_service();
    assert!(
        switchboard_tests::keychain::available(&service),
        "e2e needs a keychain"
    );
    let driver = Driver::start(&[
        ("SWITCHBOARD_DATA_DIR", data.path().display().to_string()),
        ("SWITCHBOARD_KEYCHAIN_SERVICE", service.clone()),
        ("OPENROUTER_BASE_URL", fake.openrouter_base()),
    ])
    .unwrap();

    // Run each launch as a function returning Result and always close the session, so a
    // failure never leaves the app running (docs/conventions.md, Toolchain facts 4).
    let c = driver.launch(&app).await.unwrap();
    let first = save_and_test(&c).await;
    let _ = c.close().await;
    first.unwrap();
    assert_eq!(stored(&service).as_deref(), Some(KEY), "in the OS keychain");
    assert_no_key_on_disk(data.path());

    let c = driver.launch(&app).await.unwrap();
    let second = persisted_then_deleted(&c).await;
    let _ = c.close().await;
    second.unwrap();
    assert_eq!(stored(&service), None, "deleted from the OS keychain");
    assert_no_key_on_disk(data.path());
    assert!(
        fake.requests()
            .iter()
            .any(|r| r.header("x-title") == Some("Switchboard")),
        "the Test button reached the fake upstream with attribution"
    );
}

async fn open_settings(c: &Client) -> TestResult {
    click(c, "#nav-settings").await?;
    wait_for_text(c, &format!("{OR} h3"), |t| t == "OpenRouter").await?;
    Ok(())
}

async fn save_and_test(c: &Client) -> TestResult {
    open_settings(c).await?;
    wait_for_text(c, &format!("{OR} .status"), |t| t.contains("No key")).await?;
    let input = format!("{OR} .key-input");
    type_into(c, &input, KEY).await?;
    click(c, &format!("{OR} .key-save")).await?;
    wait_for_text(c, &format!("{OR} .key-masked"), |t| t == "••••a1b2").await?;
    let left = value(c, &input).await?.unwrap_or_default();
    assert!(left.is_empty(), "the input is cleared after saving");
    assert_page_has_no_key(c).await?;

    click(c, &format!("{OR} .key-test")).await?;
    let result = wait_for_text(c, &format!("{OR} .result"), |t| t.contains("Key works")).await?;
    assert!(
        result.contains("$0.42 used of $10.00 ($9.58 left)"),
        "{result}"
    );
    Ok(())
}

async fn persisted_then_deleted(c: &Client) -> TestResult {
    open_settings(c).await?;
    wait_for_text(c, &format!("{OR} .key-masked"), |t| t == "••••a1b2").await?;
    wait_for_text(c, &format!("{OR} .status"), |t| t.contains("in keychain")).await?;
    assert_page_has_no_key(c).await?;
    screenshot(c, "settings-masked-key.png").await?;

    click(c, &format!("{OR} .key-remove")).await?;
    click(c, &format!("{OR} .key-remove-confirm")).await?;
    wait_for_text(c, &format!("{OR} .status"), |t| t.contains("No key")).await?;
    screenshot(c, "settings-key-deleted.png").await?;
    Ok(())
}

/// The key must not be anywhere in the webview: not in the DOM, not in any input, not in
/// storage.
async fn assert_page_has_no_key(c: &Client) -> TestResult {
    let found = c
        .execute(
            "const k = arguments[0];
             const inputs = [...document.querySelectorAll('input')].some(i => i.value.includes(k));
             const storage = JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage});
             return document.documentElement.outerHTML.includes(k) || inputs || storage.includes(k);",
            vec![KEY.into()],
        )
        .await?;
    assert_eq!(
        found,
        serde_json::Value::Bool(false),
        "the key leaked into the page"
    );
    Ok(())
}

fn stored(service: &str) -> Option<String> {
    keyring::Entry::new(service, "openrouter")
        .unwrap()
        .get_password()
        .ok()
}

fn assert_no_key_on_disk(dir: &std::path::Path) {
    let (hits, read) = switchboard_tests::files::files_containing(dir, KEY);
    assert!(hits.is_empty(), "the key was written to {hits:?}");
    assert!(
        read >= 2,
        "the database and a log file exist ({read} files)"
    );
}
