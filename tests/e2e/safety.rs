//! Model output is untrusted, and nothing is lost: the hostile corpus rendered in the real
//! webview under the real CSP runs nothing and invokes nothing; an app killed mid-stream comes
//! back with the partial answer marked interrupted and a sound database.

use std::time::Duration;

use fantoccini::Client;
use switchboard_tests::{FakeUpstream, Reply};

use crate::chat::{open_new_chat, text_chunks, type_and_send};
use crate::driver::{Driver, TestResult, app_binary, finish};
use crate::page::{click, click_button, screenshot, texts, wait_all, wait_for_count, wait_some};

const KEY: &str = "sk-or-v1-e2e-safety-00000000000000000000000";

fn hostile_corpus() -> Vec<(String, String)> {
    let dir = switchboard_tests::fake_upstream::fixtures_dir().join("hostile");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(p).unwrap())
        })
        .collect()
}

/// One OpenRouter stream whose answer is `payload`, split in a few chunks like a real stream.
fn payload_reply(n: usize, payload: &str) -> Reply {
    let chars: Vec<char> = payload.chars().collect();
    let pieces: Vec<String> = chars.chunks(40).map(|c| c.iter().collect()).collect();
    let refs: Vec<&str> = pieces.iter().map(String::as_str).collect();
    let mut chunks = text_chunks(&format!("gen-hostile-{n}"), &refs);
    chunks.push(
        b"data: {\"id\":\"gen-hostile\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":5,\"cost\":0.00001}}\n\n"
            .to_vec(),
    );
    chunks.push(b"data: [DONE]\n\n".to_vec());
    Reply::Sse(chunks)
}

#[tokio::test]
async fn hostile_model_output_renders_inert_in_the_real_webview() {
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
    // The key the forged `key_remove` calls would delete if any command could be invoked.
    let entry = keyring::Entry::new(&service, "openrouter").unwrap();
    entry.set_password(KEY).unwrap();
    let driver = Driver::start(&[
        ("SWITCHBOARD_DATA_DIR", data.path().display().to_string()),
        ("SWITCHBOARD_KEYCHAIN_SERVICE", service.clone()),
        ("OPENROUTER_BASE_URL", fake.openrouter_base()),
    ])
    .unwrap();
    let corpus = hostile_corpus();
    assert!(corpus.len() >= 30, "at least 30 hostile payloads");

    let c = driver.launch(&app).await.unwrap();
    let result = render_all(&c, &fake, &corpus).await;
    finish(c, result, "hostile-failed.png").await;

    assert_eq!(
        entry.get_password().ok().as_deref(),
        Some(KEY),
        "the forged key_remove never ran: the key is still in the keychain"
    );
    let requests = fake.requests();
    assert!(
        requests
            .iter()
            .all(|r| r.path.starts_with("/openrouter/api/v1/")),
        "nothing but the app's own API calls reached the network: {:?}",
        requests.iter().map(|r| &r.path).collect::<Vec<_>>()
    );
    let _ = entry.delete_credential();
}

async fn render_all(c: &Client, fake: &FakeUpstream, corpus: &[(String, String)]) -> TestResult {
    click(c, "#nav-chat").await?;
    let start_url = c.current_url().await?;
    // One fresh chat per payload: the turn list is virtualized, so each payload is checked
    // while it is on screen.
    for (n, (name, payload)) in corpus.iter().enumerate() {
        click(c, ".sidebar button.new").await?;
        wait_for_count(c, "[data-testid=\"turn\"]", 0).await?;
        fake.enqueue(payload_reply(n, payload));
        type_and_send(c, &format!("payload {name}")).await?;
        wait_all(c, "[data-testid=\"answer-status\"]", 1, |t| {
            t.contains("Complete")
        })
        .await
        .map_err(|e| format!("{name}: {e}"))?;
        let verdict = inspect(c).await?;
        for (check, expected) in [
            ("pwned", serde_json::Value::Null),
            ("dangerous", 0.into()),
            ("handlers", 0.into()),
            ("styles", 0.into()),
            ("badUrls", 0.into()),
            ("remoteImages", 0.into()),
        ] {
            assert_eq!(verdict[check], expected, "{name}: {check} in {verdict}");
        }
        assert_eq!(c.current_url().await?, start_url, "{name}: no navigation");
        if n == 27 {
            screenshot(c, "hostile-rendered.png").await?;
        }
    }
    Ok(())
}

/// Pokes everything a payload could hook (click every element and link, hover, focus, load,
/// error, toggle), then reports what is in the rendered answers and whether anything ran.
async fn inspect(c: &Client) -> TestResult<serde_json::Value> {
    c.execute(
        "for (const el of document.querySelectorAll('[data-testid=answer-body] *')) {
           for (const type of ['mouseover', 'focus', 'toggle', 'load', 'error']) {
             el.dispatchEvent(new Event(type));
           }
           el.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true }));
         }",
        vec![],
    )
    .await?;
    // Proving that nothing ran needs a pause: a handler that slipped through could defer its
    // effect (a timer, a promise); 150 ms is far past any such immediate callback.
    tokio::time::sleep(Duration::from_millis(150)).await;
    Ok(c.execute(
        "const body = document.querySelectorAll('[data-testid=answer-body]');
         const inside = (sel) => [...body].reduce((n, b) => n + b.querySelectorAll(sel).length, 0);
         let handlers = 0, styles = 0, badUrls = 0;
         for (const b of body) for (const el of b.querySelectorAll('*')) {
           for (const a of el.attributes) {
             if (a.name.startsWith('on')) handlers++;
             if (a.name === 'style') styles++;
             if (['href', 'src', 'action', 'formaction', 'xlink:href'].includes(a.name)
                 && !/^(https?:|mailto:|#|data:image\\/(png|jpeg|gif|webp);base64,)/i.test(a.value)) badUrls++;
           }
         }
         return {
           pwned: window.__pwned ?? null,
           dangerous: inside('script, iframe, frame, object, embed, form, base, meta, link, style, svg, foreignObject'),
           handlers, styles, badUrls,
           remoteImages: [...document.images].filter(i => /^https?:/i.test(i.getAttribute('src') || '')).length,
         };",
        vec![],
    )
    .await?)
}

/// The app's process: the one whose environment carries this test's data directory.
fn app_pid(data_dir: &std::path::Path) -> Option<u32> {
    let marker = format!("SWITCHBOARD_DATA_DIR={}", data_dir.display());
    std::fs::read_dir("/proc")
        .ok()?
        .flatten()
        .find_map(|entry| {
            let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
            if !String::from_utf8_lossy(&cmdline).contains("switchboard-desktop") {
                return None;
            }
            let environ = std::fs::read(format!("/proc/{pid}/environ")).ok()?;
            environ
                .split(|b| *b == 0)
                .any(|kv| kv == marker.as_bytes())
                .then_some(pid)
        })
}

#[tokio::test]
async fn an_app_killed_mid_stream_keeps_the_partial_answer_marked_interrupted() {
    let Some((app, _turn)) = app_binary().await else {
        return;
    };
    let fake = FakeUpstream::start(KEY);
    let data = tempfile::tempdir().unwrap();
    let env = [
        ("SWITCHBOARD_DATA_DIR", data.path().display().to_string()),
        (
            "SWITCHBOARD_KEYCHAIN_SERVICE",
            switchboard_tests::keychain::unique_service(),
        ),
        ("OPENROUTER_BASE_URL", fake.openrouter_base()),
        ("OPENROUTER_API_KEY", KEY.to_owned()),
    ];
    {
        let driver = Driver::start(&env).unwrap();
        let c = driver.launch(&app).await.unwrap();
        let streaming = async {
            open_new_chat(&c, 1).await?;
            fake.enqueue(Reply::SseThenStall(text_chunks(
                "gen-killed",
                &["The partial ", "answer that ", "must survive"],
            )));
            type_and_send(&c, "Tell me something long").await?;
            wait_some(&c, "[data-testid=\"answer-body\"]", 1, |t| {
                t.contains("must survive")
            })
            .await?;
            // The kill must come after the engine saved the partial text (it saves every
            // 250 ms): wait until the database holds it.
            saved_partial(&data.path().join("switchboard.db"), "must survive").await?;
            TestResult::Ok(())
        }
        .await;
        let pid = app_pid(data.path()).expect("the app's process is found by its data dir");
        let killed = std::process::Command::new("kill")
            .args(["-KILL", &pid.to_string()])
            .status()
            .unwrap();
        assert!(killed.success(), "SIGKILL delivered");
        streaming.unwrap();
        let _ = c.close().await;
    }

    let db = data.path().join("switchboard.db");
    let store = switchboard_store::Store::open(&db).unwrap();
    store
        .integrity_check()
        .expect("PRAGMA integrity_check is ok after SIGKILL");
    drop(store);

    let driver = Driver::start(&env).unwrap();
    let c = driver.launch(&app).await.unwrap();
    let result = async {
        click(&c, "#nav-chat").await?;
        click(&c, "[data-testid=\"conversation\"] button.open").await?;
        let status = wait_all(&c, "[data-testid=\"answer-status\"]", 1, |t| {
            t.contains("Interrupted")
        })
        .await?;
        let body = texts(&c, "[data-testid=\"answer-body\"]").await?;
        assert!(
            body.iter()
                .any(|b| b.contains("The partial answer that must survive")),
            "the text that arrived before the kill is there: {body:?} ({status:?})"
        );
        // It can be regenerated: the fake's default echo answers this time.
        click_button(&c, "Regenerate").await?;
        wait_some(&c, "[data-testid=\"answer-status\"]", 1, |t| {
            t.contains("Complete")
        })
        .await?;
        screenshot(&c, "after-sigkill.png").await?;
        TestResult::Ok(())
    }
    .await;
    finish(c, result, "after-sigkill-failed.png").await;
}

/// Waits until an answer in the database at `db` contains `text` (read through a second,
/// read-only connection while the app writes: WAL lets both run).
async fn saved_partial(db: &std::path::Path, text: &str) -> TestResult {
    let deadline = std::time::Instant::now() + crate::page::DEADLINE;
    loop {
        let found =
            rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
                .and_then(|conn| {
                    conn.query_row(
                        "SELECT count(*) FROM answer WHERE instr(content, ?1) > 0",
                        [text],
                        |r| r.get::<_, i64>(0),
                    )
                });
        if matches!(found, Ok(n) if n > 0) {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            return Err(format!("no saved answer holds {text:?}: {found:?}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Without a display the app used to panic inside tao with a backtrace (finding D20).
#[tokio::test]
async fn without_a_display_the_app_says_why_and_how_to_run_it() {
    let Some((app, _turn)) = app_binary().await else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let out = tokio::process::Command::new(app)
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env("SWITCHBOARD_DATA_DIR", data.path())
        .stdin(std::process::Stdio::null())
        .output();
    let out = tokio::time::timeout(Duration::from_secs(60), out)
        .await
        .expect("it exits at once")
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("no display") && said.contains("xvfb-run"),
        "{said}"
    );
    assert!(!said.contains("panicked"), "{said}");
}
