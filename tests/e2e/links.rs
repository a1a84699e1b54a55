//! A link in an answer opens in the user's browser, only after the user confirms it in a
//! dialog that shows where it really goes; the window itself never navigates.
//!
//! How the "browser" is observed: the app hands the link to `tauri_plugin_opener::open_url`,
//! which runs the first launcher the `open` crate finds: `xdg-open`, then `gio open`, …
//! The CI image has no xdg-utils, so it is `gio open`, and GLib ignores `$BROWSER`: it looks
//! up the default handler for `x-scheme-handler/https` in `$XDG_CONFIG_HOME/mimeapps.list`
//! and the `.desktop` files under `$XDG_DATA_HOME/applications` (the desktop file alone is not
//! enough: without a `mimeapps.list` default, `gio open` fails with "Operation not
//! supported"). So the test registers a recorder script as that handler in temporary XDG
//! dirs given only to the app. `xdg-open`, where installed, consults the same default when no
//! desktop environment is detected (as under `.ci/session`) and falls back to `$BROWSER`,
//! which is set to the same recorder, so the test means the same thing on either launcher.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::Client;
use fantoccini::actions::{InputSource, MOUSE_BUTTON_MIDDLE, MouseActions, PointerAction};
use switchboard_tests::{FakeUpstream, Reply};

use crate::chat::{open_new_chat, text_chunks, type_and_send};
use crate::driver::{Driver, TestResult, app_binary, finish};
use crate::page::{act, click, screenshot, texts, wait_all, wait_for_text, wait_gone};

const KEY: &str = "sk-or-v1-e2e-links-00000000000000000000000";

/// The link as the model writes it, and as the dialog shows it and the launcher receives it
/// (normalized: lower-case host).
const HREF: &str = "https://Docs.Example.com/guide/start%20here?x=1&y=2#part";
const OPENED: &str = "https://docs.example.com/guide/start%20here?x=1&y=2#part";

/// A fake browser: the handler for http(s) and mailto links in `dir`'s XDG dirs, appending
/// each URL it is given to a file. Returns the environment for the app and that file.
fn fake_browser(dir: &Path) -> (Vec<(&'static str, String)>, PathBuf) {
    let opened = dir.join("opened.txt");
    let script = dir.join("browser");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" >> '{}'\n",
            opened.display()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let apps = dir.join("data/applications");
    let config = dir.join("config");
    std::fs::create_dir_all(&apps).unwrap();
    std::fs::create_dir_all(&config).unwrap();
    let schemes = ["http", "https", "mailto"];
    std::fs::write(
        apps.join("switchboard-e2e-browser.desktop"),
        format!(
            "[Desktop Entry]\nType=Application\nName=E2E browser\nNoDisplay=true\nExec={} %u\n\
             MimeType={}\n",
            script.display(),
            schemes.map(|s| format!("x-scheme-handler/{s};")).concat()
        ),
    )
    .unwrap();
    std::fs::write(
        config.join("mimeapps.list"),
        format!(
            "[Default Applications]\n{}",
            schemes
                .map(|s| format!("x-scheme-handler/{s}=switchboard-e2e-browser.desktop\n"))
                .concat()
        ),
    )
    .unwrap();
    let env = vec![
        ("XDG_DATA_HOME", dir.join("data").display().to_string()),
        ("XDG_CONFIG_HOME", config.display().to_string()),
        ("BROWSER", script.display().to_string()),
    ];
    (env, opened)
}

/// One finished OpenRouter answer whose text is `text`.
fn answer(text: &str) -> Reply {
    let mut chunks = text_chunks("gen-links", &[text]);
    chunks.push(
        b"data: {\"id\":\"gen-links\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":9,\"cost\":0.00001}}\n\n"
            .to_vec(),
    );
    chunks.push(b"data: [DONE]\n\n".to_vec());
    Reply::Sse(chunks)
}

#[tokio::test]
async fn a_link_in_an_answer_opens_in_the_browser_only_after_confirming() {
    let Some((app, _turn)) = app_binary().await else {
        return;
    };
    let fake = FakeUpstream::start(KEY);
    let data = tempfile::tempdir().unwrap();
    let browser = tempfile::tempdir().unwrap();
    let (mut env, opened) = fake_browser(browser.path());
    env.extend([
        ("SWITCHBOARD_DATA_DIR", data.path().display().to_string()),
        (
            "SWITCHBOARD_KEYCHAIN_SERVICE",
            switchboard_tests::keychain::unique_service(),
        ),
        ("OPENROUTER_BASE_URL", fake.openrouter_base()),
        ("OPENROUTER_API_KEY", KEY.to_owned()),
    ]);
    let driver = Driver::start(&env).unwrap();
    let c = driver.launch(&app).await.unwrap();
    let result = follow_link(&c, &fake, &opened).await;
    finish(c, result, "links-failed.png").await;
}

async fn follow_link(c: &Client, fake: &FakeUpstream, opened: &Path) -> TestResult {
    open_new_chat(c, 1).await?;
    fake.enqueue(answer(&format!("Read [the guide]({HREF}) first.")));
    type_and_send(c, "Where do I start?").await?;
    wait_all(c, "[data-testid=\"answer-status\"]", 1, |t| {
        t.contains("Complete")
    })
    .await?;
    let start_url = c.current_url().await?;
    let link = "[data-testid=\"answer-body\"] a[href]";

    // Cancel: nothing is launched.
    click(c, link).await?;
    wait_for_text(c, "[data-testid=\"link-host\"]", |t| {
        t == "docs.example.com"
    })
    .await?;
    click(
        c,
        "[data-testid=\"link-confirm\"] button:not([data-testid=\"link-open\"])",
    )
    .await?;
    wait_gone(c, "[data-testid=\"link-confirm\"]").await?;
    // Proving that nothing happens needs a pause: a launcher started by mistake would have
    // written its file well within this (the confirmed launch below takes ~100 ms).
    tokio::time::sleep(Duration::from_millis(800)).await;
    assert!(
        !opened.exists(),
        "Cancel launched nothing: {:?}",
        std::fs::read_to_string(opened)
    );

    // A middle click (a new window, in a browser) asks the same way, and opens no window.
    act(c, link, |element| async move {
        c.perform_actions(
            MouseActions::new("mouse".to_owned())
                .then(PointerAction::MoveToElement {
                    element,
                    duration: None,
                    x: 0.0,
                    y: 0.0,
                })
                .then(PointerAction::Down {
                    button: MOUSE_BUTTON_MIDDLE,
                })
                .then(PointerAction::Up {
                    button: MOUSE_BUTTON_MIDDLE,
                }),
        )
        .await?;
        c.release_actions().await
    })
    .await?;
    wait_for_text(c, "[data-testid=\"link-host\"]", |t| {
        t == "docs.example.com"
    })
    .await?;
    click(
        c,
        "[data-testid=\"link-confirm\"] button:not([data-testid=\"link-open\"])",
    )
    .await?;
    wait_gone(c, "[data-testid=\"link-confirm\"]").await?;
    assert_eq!(
        c.windows().await?.len(),
        1,
        "a middle click opened no window"
    );

    // Confirm: the launcher gets the link, normalized.
    click(c, link).await?;
    let shown = wait_for_text(c, "[data-testid=\"link-url\"]", |t| !t.is_empty()).await?;
    assert_eq!(shown, OPENED, "the dialog shows the whole URL");
    screenshot(c, "link-confirm.png").await?;
    click(c, "[data-testid=\"link-open\"]").await?;
    wait_gone(c, "[data-testid=\"link-confirm\"]").await?;
    let deadline = Instant::now() + Duration::from_secs(10);
    let launched = loop {
        if let Ok(text) = std::fs::read_to_string(opened)
            && !text.is_empty()
        {
            break text;
        }
        if Instant::now() > deadline {
            return Err("no browser was launched within 10 s".into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(launched, format!("{OPENED}\n"), "exactly this URL, once");

    assert_eq!(
        c.current_url().await?,
        start_url,
        "the window did not navigate"
    );
    let body = texts(c, "[data-testid=\"answer-body\"]").await?.join("\n");
    assert!(
        body.contains("Read the guide first."),
        "the app is still showing the answer: {body:?}"
    );
    assert_eq!(
        texts(c, "#nav-chat").await?.len(),
        1,
        "the app's own page is still loaded"
    );
    Ok(())
}
