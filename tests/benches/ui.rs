//! UI figures from the real app (custom-protocol build) in the real WebKit webview, driven by
//! tauri-driver against the loopback fake upstream:
//! - opening a 10,000-turn conversation: ms from the click to the first painted turn;
//! - four columns streaming at 200 deltas/s each: frame times while every delta is rendered;
//! - idle memory: PSS of the app and its WebKit processes.
//!
//! Run inside the test session (Xvfb, D-Bus), after `.ci/test` built the app:
//! `SWITCHBOARD_E2E_APP=$PWD/target/e2e/switchboard-desktop .ci/session cargo bench -p switchboard-tests --bench ui`

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

#[path = "../e2e/driver.rs"]
#[allow(dead_code)]
mod driver;
#[path = "../e2e/page.rs"]
#[allow(dead_code)]
mod page;

use std::time::Duration;

use serde_json::{Value, json};
use switchboard_tests::{FakeUpstream, Reply, procs};

const KEY: &str = "sk-or-v1-bench-ui-0000000000000000000000";
const TURNS: usize = 10_000;
const DELTAS: usize = 1_000;
const EVERY: Duration = Duration::from_millis(5);

fn main() {
    let Some(app) = std::env::var_os("SWITCHBOARD_E2E_APP") else {
        println!("ui bench skipped: set SWITCHBOARD_E2E_APP (see the file's header)");
        return;
    };
    let app = std::path::PathBuf::from(app);
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run(&app));
}

fn conversation_document() -> String {
    let stats = json!({
        "promptTokens": 40, "completionTokens": 120, "reasoningTokens": 0, "cachedTokens": 0,
        "cost": "0.0000732", "costSource": "provider", "ttftMs": 300, "latencyMs": 1900,
        "tokensPerSecond": 75.0, "servedBy": "Fake", "model": "openai/gpt-4o-mini",
    });
    let turns: Vec<Value> = (0..TURNS)
        .map(|i| {
            json!({
                "parent": if i == 0 { Value::Null } else { json!(i - 1) },
                "text": format!("Question {i}: how does a write-ahead log keep data safe?"),
                "attachments": [], "createdMs": 1_790_000_000_000_i64 + i as i64,
                "answers": [{
                    "column": 0, "attempt": 1, "selected": true,
                    "content": format!("Answer {i}. A **write-ahead log** appends changes first:\n\n| step | what |\n|---|---|\n| 1 | append |\n| 2 | fsync |\n\n```rust\nfn commit() {{}}\n```"),
                    "status": "complete", "stats": stats, "createdMs": 1_790_000_000_000_i64 + i as i64,
                }],
            })
        })
        .collect();
    json!({
        "format": "switchboard.conversation", "version": 1, "title": "Ten thousand turns",
        "createdMs": 1_790_000_000_000_i64, "updatedMs": 1_790_000_000_000_i64,
        "columns": [{"spec": {"provider": "openrouter", "model": "openai/gpt-4o-mini",
            "params": {"temperature": null, "maxTokens": null, "reasoningEffort": null, "system": null}},
            "active": true}],
        "turns": turns, "displayedLeaf": TURNS - 1,
    })
    .to_string()
}

/// The app (found by its data dir) and every process under it (WebKit's web and network
/// processes are its children).
fn app_tree(data_dir: &std::path::Path) -> Vec<(u32, String)> {
    let marker = format!("SWITCHBOARD_DATA_DIR={}", data_dir.display());
    procs::tree(&marker, "switchboard-des")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// The IPC call for a 10,000-turn conversation's first page (engine + transfer), without the UI.
async fn first_page_ipc_ms(c: &fantoccini::Client) -> Value {
    c.execute_async(
        "const done = arguments[arguments.length - 1];
         const ipc = window.__TAURI_INTERNALS__;
         (async () => {
           const list = await ipc.invoke('conversation_list');
           const id = list.find(c => c.title.includes('Ten thousand')).id;
           const t0 = performance.now();
           await ipc.invoke('conversation_page', { id, before: null, limit: 50 });
           done(performance.now() - t0);
         })().catch(e => done(String(e)));",
        vec![],
    )
    .await
    .unwrap()
}

async fn run(app: &std::path::Path) {
    let fake = FakeUpstream::start(KEY);
    let data = tempfile::tempdir().unwrap();
    let engine = switchboard_engine::Engine::open(switchboard_engine::EngineConfig {
        data_dir: switchboard_engine::DataDir::at(data.path()),
        keychain_service: switchboard_tests::keychain::unique_service(),
        environment: switchboard_engine::Environment::default(),
    })
    .unwrap();
    let started = std::time::Instant::now();
    engine.import_json(conversation_document()).await.unwrap();
    println!(
        "seeded a {TURNS}-turn conversation in {:?}",
        started.elapsed()
    );
    drop(engine);

    let driver = driver::Driver::start(&[
        ("SWITCHBOARD_DATA_DIR", data.path().display().to_string()),
        (
            "SWITCHBOARD_KEYCHAIN_SERVICE",
            switchboard_tests::keychain::unique_service(),
        ),
        ("OPENROUTER_BASE_URL", fake.openrouter_base()),
        ("OPENROUTER_API_KEY", KEY.to_owned()),
    ])
    .unwrap();
    let c = driver.launch(app).await.unwrap();

    // Idle memory, 5 s after start.
    tokio::time::sleep(Duration::from_secs(5)).await;
    let tree = app_tree(data.path());
    let mut total = 0;
    for (pid, name) in &tree {
        let kib = procs::pss_kib(*pid);
        total += kib;
        println!("idle PSS  {name:<22} {:>7.1} MiB", kib as f64 / 1024.0);
    }
    println!(
        "idle PSS  total                  {:>7.1} MiB ({} processes)",
        total as f64 / 1024.0,
        tree.len()
    );

    // First paint of the 10,000-turn conversation.
    page::click(&c, "#nav-chat").await.unwrap();
    c.wait()
        .for_element(fantoccini::Locator::Css(
            "[data-testid=\"conversation\"] button.open",
        ))
        .await
        .unwrap();
    c.update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
        Some(Duration::from_secs(300)),
        Some(Duration::from_secs(300)),
        Some(Duration::from_secs(10)),
    ))
    .await
    .unwrap();
    let cold = first_page_ipc_ms(&c).await;
    println!("first page's IPC call alone (engine + transfer, no UI), cold: {cold} ms");
    let runs: usize = std::env::var("UI_BENCH_OPEN_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let mut paints = Vec::new();
    for _ in 0..runs {
        let ms = c
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 const t0 = performance.now();
                 [...document.querySelectorAll('[data-testid=conversation] button.open')].find(b => b.textContent.includes('Ten thousand')).click();
                 const check = () => document.querySelector('[data-testid=turn]')
                   ? requestAnimationFrame(() => done(performance.now() - t0))
                   : requestAnimationFrame(check);
                 requestAnimationFrame(check);",
                vec![],
            )
            .await
            .unwrap();
        paints.push(ms.as_f64().unwrap());
        println!("  open: {:.0} ms", ms.as_f64().unwrap());
        // Leave the conversation so the next click opens it from scratch.
        page::click(&c, ".sidebar button.new").await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    println!("open {TURNS}-turn conversation → first turn painted: {paints:.0?} ms");
    let warm = first_page_ipc_ms(&c).await;
    println!("first page's IPC call alone, warm: {warm} ms");

    // Frame times depend on what else the machine runs: say so next to them.
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "load average before streaming: {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );

    // Four columns at 200 deltas/s each, every delta rendered; frame times recorded in-page.
    for _ in 0..3 {
        page::click(&c, "#add-column").await.unwrap();
    }
    for col in 0..4 {
        let words: Vec<String> = (0..DELTAS).map(|i| format!("w{col}-{i} ")).collect();
        let mut chunks: Vec<Vec<u8>> = words
            .iter()
            .map(|w| {
                let chunk = json!({"id": format!("gen-bench-{col}"), "model": "m", "provider": "Fake",
                    "choices": [{"index": 0, "delta": {"content": w}, "finish_reason": null}]});
                format!("data: {chunk}\n\n").into_bytes()
            })
            .collect();
        chunks.push(b"data: {\"id\":\"x\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1000,\"cost\":0.001}}\n\n".to_vec());
        chunks.push(b"data: [DONE]\n\n".to_vec());
        fake.enqueue(
            Reply::SsePaced {
                chunks,
                every: EVERY,
            }
            .timed(),
        );
    }
    c.execute(
        "window.__frames = []; window.__stopFrames = false; let last = performance.now();
         const f = (t) => { window.__frames.push(t - last); last = t; if (!window.__stopFrames) requestAnimationFrame(f); };
         requestAnimationFrame(f);",
        vec![],
    )
    .await
    .unwrap();
    let input = c
        .find(fantoccini::Locator::Css("textarea[aria-label=\"Message\"]"))
        .await
        .unwrap();
    input.send_keys("Stream please").await.unwrap();
    let t0 = std::time::Instant::now();
    page::click(&c, "#send").await.unwrap();
    loop {
        let done = c
            .execute(
                "return [...document.querySelectorAll('[data-testid=answer-status]')].filter(s => s.textContent.includes('Complete')).length;",
                vec![],
            )
            .await
            .unwrap();
        if done.as_u64() == Some(4) {
            break;
        }
        assert!(t0.elapsed() < Duration::from_secs(120), "streams finish");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let stream_secs = t0.elapsed().as_secs_f64();
    let frames = c
        .execute(
            "window.__stopFrames = true; return window.__frames;",
            vec![],
        )
        .await
        .unwrap();
    let rendered = c
        .execute(
            "return [...document.querySelectorAll('[data-testid=answer-body]')].map(b => b.textContent.split('w').length - 1);",
            vec![],
        )
        .await
        .unwrap();
    let mut f: Vec<f64> = frames
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_f64)
        .collect();
    f.sort_by(f64::total_cmp);
    let long = f.iter().filter(|&&x| x > 50.0).count();
    println!(
        "4 × {DELTAS} deltas at {} deltas/s each: {stream_secs:.1} s; {} frames, frame time p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms, {long} frames > 50 ms; words rendered per column {rendered}",
        1000 / EVERY.as_millis(),
        f.len(),
        percentile(&f, 0.5),
        percentile(&f, 0.95),
        f.last().copied().unwrap_or(f64::NAN),
    );
    let _ = c.close().await;
}
