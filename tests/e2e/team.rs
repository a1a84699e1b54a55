//! Team mode in the real app (issue 18): a team lead saves an OpenRouter management key in the
//! Team screen (checked against the loopback fake's management API, kept in the real keychain
//! under its own account, never left in the page), makes a key for "alice" with a $5 daily
//! limit, sees its secret once with a Copy button and not after Done, and sees the key listed
//! with its limit. Screenshots in the light and the dark theme.

use fantoccini::Client;
use switchboard_engine::MANAGEMENT_ACCOUNT;
use switchboard_tests::FakeUpstream;

use crate::driver::{Driver, TestResult, app_binary, finish};
use crate::look::set_theme;
use crate::page::{
    click, count, screenshot, select, type_into, wait_all, wait_for_attr, wait_for_count,
    wait_for_text, wait_gone,
};

/// OpenRouter's key for chatting (from the environment, as a member's machine would have it).
const INFERENCE: &str = "sk-or-v1-e2e-team-inference-000000000000000000000000000000a1b2";
/// The key the fake treats as the management key (see `tests/flows/team.rs`).
const MANAGEMENT: &str = "sk-or-v1-e2e-team-management-00000000000000000000000000000c0de";

const FORM: &str = "[data-testid=\"team-management-key-form\"]";
const SAVED: &str = "[data-testid=\"team-management-key-saved\"]";
const SECRET: &str = "[data-testid=\"team-created-secret\"]";
const CREATED: &str = "[data-testid=\"team-created-key\"]";
const ROW: &str = "[data-testid=\"team-key\"]";

#[tokio::test]
async fn a_team_lead_makes_a_member_key_with_a_daily_limit_and_sees_it_listed() {
    let Some((app, _turn)) = app_binary().await else {
        return;
    };
    let fake = FakeUpstream::builder()
        .accepted_key(INFERENCE)
        .management_key(MANAGEMENT)
        .start()
        .unwrap();
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
        ("OPENROUTER_API_KEY", INFERENCE.to_owned()),
    ])
    .unwrap();
    let c = driver.launch(&app).await.unwrap();
    let result = make_alice(&c, &fake, &service).await;
    finish(c, result, "team-failed.png").await;

    let entry = keyring::Entry::new(&service, MANAGEMENT_ACCOUNT).unwrap();
    assert_eq!(
        entry.get_password().ok().as_deref(),
        Some(MANAGEMENT),
        "the management key is in the OS keychain, under its own account"
    );
    let _ = entry.delete_credential();
    let (hits, _) = switchboard_tests::files::files_containing(data.path(), MANAGEMENT);
    assert!(
        hits.is_empty(),
        "the management key was written to {hits:?}"
    );
}

async fn make_alice(c: &Client, fake: &FakeUpstream, service: &str) -> TestResult {
    c.set_window_size(1280, 860).await?;
    click(c, "#nav-team").await?;
    wait_for_attr(c, "#nav-team", "aria-current", "page").await?;
    wait_for_count(c, FORM, 1).await?;

    type_into(c, "[data-testid=\"team-management-key-input\"]", MANAGEMENT).await?;
    click(c, "[data-testid=\"team-management-key-save\"]").await?;
    wait_for_text(c, SAVED, |t| t.contains("••••c0de")).await?;
    wait_gone(c, FORM).await?;
    assert_not_in_page(c, MANAGEMENT, "the management key").await?;
    assert!(
        keyring::Entry::new(service, MANAGEMENT_ACCOUNT)?
            .get_password()
            .is_ok(),
        "saved to the keychain as soon as the screen says so"
    );

    // A key for alice: $5 a day.
    type_into(c, "[data-testid=\"team-new-key-name\"]", "alice").await?;
    type_into(c, "[data-testid=\"team-new-key-limit\"]", "5").await?;
    select(c, "[data-testid=\"team-new-key-reset\"]", "daily").await?;
    click(c, "[data-testid=\"team-new-key-create\"]").await?;

    // Its secret, once, with a Copy button and the warning.
    let secret = wait_for_text(c, SECRET, |t| t.starts_with("sk-or-v1-")).await?;
    wait_for_text(c, CREATED, |t| t.contains("you will not see it again")).await?;
    assert_eq!(
        count(c, "[data-testid=\"team-created-copy\"]").await,
        1,
        "a Copy button beside the secret"
    );
    let rows = wait_all(c, ROW, 1, |t| {
        t.contains("alice") && t.contains("$5.00 / day")
    })
    .await?;
    assert!(
        !rows[0].contains(&secret),
        "the row shows the label, never the key: {rows:?}"
    );
    assert_eq!(fake.team_key_count(), 1, "one key made at OpenRouter");
    let made = fake
        .requests()
        .into_iter()
        .find(|r| r.method == "POST" && r.path.ends_with("/api/v1/keys"))
        .and_then(|r| r.json())
        .ok_or("the key was not made through POST /keys")?;
    assert_eq!(made["name"], "alice");
    assert_eq!(made["limit"].as_f64(), Some(5.0), "{made}");
    assert_eq!(made["limit_reset"], "daily", "{made}");

    // Done: the secret is gone for good, the key stays listed by its label.
    click(c, "[data-testid=\"team-created-done\"]").await?;
    wait_gone(c, CREATED).await?;
    assert_not_in_page(c, &secret, "the new key's secret").await?;
    wait_all(c, ROW, 1, |t| {
        t.contains("alice") && t.contains("$5.00 / day")
    })
    .await?;
    screenshot(c, "team-light.png").await?;

    // The same screen in the dark theme (the screen reloads its keys when shown again).
    set_theme(c, "dark").await?;
    click(c, "#nav-team").await?;
    wait_all(c, ROW, 1, |t| {
        t.contains("alice") && t.contains("$5.00 / day")
    })
    .await?;
    screenshot(c, "team-dark.png").await?;
    set_theme(c, "light").await?;
    Ok(())
}

/// `secret` is nowhere in the webview: not in the DOM, not in an input, not in storage.
async fn assert_not_in_page(c: &Client, secret: &str, what: &str) -> TestResult {
    let found = c
        .execute(
            "const k = arguments[0];
             const inputs = [...document.querySelectorAll('input')].some(i => i.value.includes(k));
             const storage = JSON.stringify({...localStorage}) + JSON.stringify({...sessionStorage});
             return document.documentElement.outerHTML.includes(k) || inputs || storage.includes(k);",
            vec![secret.into()],
        )
        .await?;
    assert_eq!(
        found,
        serde_json::Value::Bool(false),
        "{what} leaked into the page"
    );
    Ok(())
}
