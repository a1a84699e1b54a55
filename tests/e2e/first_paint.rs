//! The chat screen left at one run is painted first at the next, before the UI's script has
//! run (issue 17: start-up): saved once the screen settles, cleaned on the way back in so
//! nothing in it runs, replaced by the live screen, and never served to another build.

use std::path::Path;
use std::time::{Duration, Instant};

use fantoccini::Client;
use serde_json::Value;
use switchboard_tests::{FakeUpstream, Reply};

use crate::chat::{open_new_chat, text_chunks, type_and_send};
use crate::driver::{Driver, TestResult, app_binary, finish};
use crate::page::{count, screenshot, texts, wait_all};

const KEY: &str = "sk-or-v1-e2e-first-paint-000000000000000000";
const ANSWER: &str = "The answer kept for the next launch.";

#[tokio::test]
async fn the_saved_chat_screen_paints_first_and_hands_over_to_the_live_one() {
    let Some((app, _turn)) = app_binary().await else {
        return;
    };
    let fake = FakeUpstream::start(KEY);
    let data = tempfile::tempdir().unwrap();
    let saved = data.path().join("first-paint.json");
    let driver = Driver::for_fake(data.path(), &fake, KEY).unwrap();

    let c = driver.launch(&app).await.unwrap();
    let result = converse_and_keep(&c, &fake, &saved).await;
    finish(c, result, "first-paint-keep-failed.png").await;

    let c = driver.launch(&app).await.unwrap();
    let result = painted_first_then_live(&c, data.path(), &saved).await;
    finish(c, result, "first-paint-relaunch-failed.png").await;

    // Someone with access to the data directory plants markup: it is cleaned before it is
    // served, and the page's CSP would refuse it anyway; nothing of it runs.
    let mut file: Value = serde_json::from_slice(&std::fs::read(&saved).unwrap()).unwrap();
    file["html"] = Value::from(
        "<div class=\"app\"><p>planted</p><img src=x onerror=\"window.__pwned = 1\">\
         <script>window.__pwned = 2</script><div onclick=\"window.__pwned = 3\">x</div>\
         <a href=\"javascript:window.__pwned = 4\">link</a></div>",
    );
    std::fs::write(&saved, serde_json::to_vec(&file).unwrap()).unwrap();
    let c = driver.launch(&app).await.unwrap();
    let result = planted_markup_ran_nothing(&c).await;
    finish(c, result, "first-paint-planted-failed.png").await;

    // Another build's screen (its class names may style nothing right) is not served.
    let mut file: Value = serde_json::from_slice(&std::fs::read(&saved).unwrap()).unwrap();
    file["build"] = Value::from("another build");
    std::fs::write(&saved, serde_json::to_vec(&file).unwrap()).unwrap();
    let c = driver.launch(&app).await.unwrap();
    let result = async {
        let marks = marks(&c).await?;
        assert_eq!(marks["shownFirst"], Value::Bool(false), "{marks}");
        wait_all(&c, "[data-testid=\"answer-status\"]", 1, |t| {
            t.contains("Complete")
        })
        .await?;
        Ok(())
    }
    .await;
    finish(c, result, "first-paint-other-build-failed.png").await;
}

/// Sends one message, waits for the answer, then for the settled screen to be saved.
async fn converse_and_keep(c: &Client, fake: &FakeUpstream, saved: &Path) -> TestResult {
    open_new_chat(c, 1).await?;
    let mut chunks = text_chunks(
        "gen-first-paint",
        &["The answer kept ", "for the next launch."],
    );
    chunks.push(
        b"data: {\"id\":\"gen-first-paint\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":7,\"cost\":0.00001}}\n\n"
            .to_vec(),
    );
    chunks.push(b"data: [DONE]\n\n".to_vec());
    fake.enqueue(Reply::Sse(chunks));
    type_and_send(c, "Keep this screen").await?;
    wait_all(c, "[data-testid=\"answer-status\"]", 1, |t| {
        t.contains("Complete")
    })
    .await?;
    // Saved once nothing has changed for a moment and nothing streams: a state to wait for.
    let deadline = Instant::now() + crate::page::DEADLINE;
    loop {
        let kept = std::fs::read_to_string(saved).unwrap_or_default();
        if kept.contains(ANSWER) && kept.contains("Complete") {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("the settled screen was not saved: {kept:.300}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The page's start-up marks: whether the saved screen was painted before the UI's script
/// ran (the loader marks first content before the script starts), and whether the live
/// screen then took over.
async fn marks(c: &Client) -> TestResult<Value> {
    Ok(c.execute(
        "const at = (n) => performance.getEntriesByName('switchboard:' + n)[0]?.startTime ?? null;
         const first = at('first-content'), script = at('script');
         return { first, script, live: at('live'),
                  shownFirst: first !== null && script !== null && first < script,
                  overlay: document.getElementById('first-paint') !== null,
                  pwned: window.__pwned ?? null };",
        vec![],
    )
    .await?)
}

/// The marks once the live screen has marked its paint (a frame after it removed the saved
/// one, which is what `Driver::launch` waits for).
async fn marks_once_live(c: &Client) -> TestResult<Value> {
    let deadline = Instant::now() + crate::page::DEADLINE;
    loop {
        let marks = marks(c).await?;
        if marks["live"].is_number() {
            return Ok(marks);
        }
        if Instant::now() > deadline {
            return Err(format!("the live screen never marked its paint: {marks}").into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn painted_first_then_live(c: &Client, data: &Path, saved: &Path) -> TestResult {
    let marks = marks_once_live(c).await?;
    assert_eq!(marks["shownFirst"], Value::Bool(true), "{marks}");
    assert_eq!(marks["overlay"], Value::Bool(false), "{marks}");
    // The live screen alone: one turn, one answer, the conversation reopened.
    wait_all(c, "[data-testid=\"answer-status\"]", 1, |t| {
        t.contains("Complete")
    })
    .await?;
    assert_eq!(count(c, "[data-testid=\"turn\"]").await, 1);
    let answers = texts(c, "[data-testid=\"answer-body\"]").await?;
    assert_eq!(answers, vec![ANSWER.to_owned()]);
    screenshot(c, "first-paint-live.png").await?;

    // What was painted first, to look at beside the live screen: the overlay exactly as it was
    // served (the engine's own cleaning, for this build), put back over the live screen and
    // set up as the page's loader does.
    let file: Value = serde_json::from_slice(&std::fs::read(saved)?)?;
    let build = file["build"].as_str().unwrap_or_default();
    let overlay = switchboard_engine::FirstPaint::at(&switchboard_engine::DataDir::at(data))
        .load(build)
        .ok_or("the saved screen is not served to its own build")?;
    assert!(overlay.contains(ANSWER), "{overlay:.300}");
    c.execute(
        "document.body.insertAdjacentHTML('beforeend', arguments[0]);
         const template = document.getElementById('first-paint-saved');
         template.replaceWith(template.content);
         const saved = document.getElementById('first-paint');
         saved.querySelectorAll('[data-fp-style]').forEach((e) => e.style.cssText = e.dataset.fpStyle);
         saved.querySelectorAll('[data-fp-scroll]').forEach((e) => e.scrollTop = Number(e.dataset.fpScroll));",
        vec![Value::from(overlay)],
    )
    .await?;
    screenshot(c, "first-paint-saved.png").await?;
    c.execute("document.getElementById('first-paint').remove();", vec![])
        .await?;
    Ok(())
}

async fn planted_markup_ran_nothing(c: &Client) -> TestResult {
    let marks = marks_once_live(c).await?;
    assert_eq!(marks["shownFirst"], Value::Bool(true), "{marks}");
    wait_all(c, "[data-testid=\"answer-status\"]", 1, |t| {
        t.contains("Complete")
    })
    .await?;
    // A deferred effect (a timer, a load event) would have had ample time by now.
    tokio::time::sleep(Duration::from_millis(150)).await;
    let marks = self::marks(c).await?;
    assert_eq!(marks["pwned"], Value::Null, "{marks}");
    assert_eq!(count(c, "img").await, 0, "no planted image is left");
    Ok(())
}
