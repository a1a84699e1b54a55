//! What a launch costs, the app against a bare Tauri window built the same way:
//! - start-up: from the process's start to the first screen's content painted (the app's chat
//!   screen with the last conversation open; the bare window's empty page), both marked the
//!   same way (`performance.mark("switchboard:first-content")`, two animation frames after the
//!   content is in the DOM) and read as `performance.timeOrigin + mark` against the process's
//!   start time from `/proc`;
//! - idle memory: PSS (from `/proc/<pid>/smaps_rollup`) of the main process, its
//!   WebKitWebProcess and its WebKitNetworkProcess, once it has settled.
//!
//! The bare window is `src-tauri/examples/bare_window.rs`: the app's crate, profile, tauri
//! features, config and custom protocol, showing an empty page, with no commands and no
//! engine. `.ci/bench` builds both as release builds (what people run) and runs this; by hand:
//!
//! ```sh
//! npx tauri build --no-bundle --ci
//! cargo build --release -p switchboard-desktop --bin bare-window --features bare-window,tauri/custom-protocol
//! SWITCHBOARD_E2E_APP=$PWD/target/release/switchboard-desktop SWITCHBOARD_BARE_APP=$PWD/target/release/bare-window \
//!   .ci/session cargo bench -p switchboard-tests --bench launch
//! ```
//!
//! Both are launched the same way, by tauri-driver (so both carry WebDriver's automation
//! overhead, and the page can be checked: the app's chat screen is up, the bare page is the
//! empty one and not a dev-server error page), with the same environment, one after the other
//! and alternating (`LAUNCH_BENCH_ROUNDS` rounds, default 3; medians are reported): PSS splits
//! shared pages between the processes mapping them, so two trees running at once would share
//! libraries and each look smaller.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

#[path = "../e2e/driver.rs"]
#[allow(dead_code)]
mod driver;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fantoccini::{Client, Locator};
use switchboard_tests::{FakeUpstream, procs};

const KEY: &str = "sk-or-v1-bench-memory-00000000000000000000";
/// Idle means: at least this long after the page is up…
const SETTLE: Duration = Duration::from_secs(5);
/// …and then the total moved by less than this between two samples a second apart.
const STABLE_KIB: u64 = 1024;
const MAX_WAIT: Duration = Duration::from_secs(20);

fn main() {
    let Some(app) = std::env::var_os("SWITCHBOARD_E2E_APP").map(PathBuf::from) else {
        println!("memory bench skipped: set SWITCHBOARD_E2E_APP (see the file's header)");
        return;
    };
    let bare = std::env::var_os("SWITCHBOARD_BARE_APP")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/bare-window")
        });
    assert!(app.is_file(), "no app at {}", app.display());
    assert!(
        bare.is_file(),
        "no bare window at {}; build it with `cargo build --release -p switchboard-desktop \
         --bin bare-window --features bare-window,tauri/custom-protocol`",
        bare.display()
    );
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(run(&app, &bare));
}

/// PSS in KiB of one process tree, by kind of process.
#[derive(Debug, Default, Clone, Copy)]
struct Footprint {
    main: u64,
    web: u64,
    network: u64,
    /// Anything else under the main process (none expected).
    other: u64,
    processes: usize,
}

impl Footprint {
    fn total(&self) -> u64 {
        self.main + self.web + self.network + self.other
    }

    /// The figures as printed, labelled.
    fn rows(&self) -> [(&'static str, u64); 5] {
        [
            ("main process", self.main),
            ("WebKitWebProcess", self.web),
            ("WebKitNetworkProcess", self.network),
            ("other", self.other),
            ("total", self.total()),
        ]
    }
}

fn footprint(procs: &[(u32, String)], name: &str) -> Footprint {
    let mut f = Footprint {
        processes: procs.len(),
        ..Footprint::default()
    };
    for (pid, comm) in procs {
        let kib = procs::pss_kib(*pid);
        // `comm` is cut at 15 bytes: "WebKitWebProces", "WebKitNetworkPr".
        match comm.as_str() {
            c if c == name => f.main += kib,
            c if c.starts_with("WebKitWebProc") => f.web += kib,
            c if c.starts_with("WebKitNetwork") => f.network += kib,
            _ => f.other += kib,
        }
    }
    f
}

/// How `/proc/<pid>/stat` names a process started from `binary`.
fn comm_of(binary: &Path) -> String {
    let file = binary.file_name().unwrap().to_string_lossy();
    file.chars().take(15).collect()
}

/// A short conversation for the app to reopen at launch, as a person's app would.
fn conversation_document() -> String {
    let turns: Vec<serde_json::Value> = (0..20)
        .map(|i| {
            serde_json::json!({
                "parent": if i == 0 { serde_json::Value::Null } else { serde_json::json!(i - 1) },
                "text": format!("Question {i}: what does `fsync` promise?"),
                "attachments": [], "createdMs": 1_790_000_000_000_i64 + i,
                "answers": [{
                    "column": 0, "attempt": 1, "selected": true,
                    "content": format!("Answer {i}. It **flushes** the file's data:\n\n```rust\nfile.sync_all()?;\n```\n\n| call | flushes |\n|---|---|\n| fsync | data + metadata |"),
                    "status": "complete", "createdMs": 1_790_000_000_000_i64 + i,
                    "stats": {"promptTokens": 40, "completionTokens": 120, "reasoningTokens": 0,
                        "cachedTokens": 0, "cost": "0.0000732", "costSource": "provider",
                        "ttftMs": 300, "latencyMs": 1900, "tokensPerSecond": 75.0,
                        "servedBy": "Fake", "model": "openai/gpt-4o-mini"},
                }],
            })
        })
        .collect();
    serde_json::json!({
        "format": "switchboard.conversation", "version": 1, "title": "Launch bench",
        "createdMs": 1_790_000_000_000_i64, "updatedMs": 1_790_000_000_000_i64,
        "columns": [{"spec": {"provider": "openrouter", "model": "openai/gpt-4o-mini",
            "params": {"temperature": null, "maxTokens": null, "reasoningEffort": null, "system": null}},
            "active": true}],
        "turns": turns, "displayedLeaf": 19,
    })
    .to_string()
}

/// One launch's figures.
#[derive(Debug, Clone, Copy)]
struct Launch {
    /// Process start to the first content painted, ms.
    first_content_ms: f64,
    /// Process start to the live screen replacing the one saved at the last run, ms (none
    /// when nothing saved was shown).
    live_ms: Option<f64>,
    memory: Footprint,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

async fn run(app: &Path, bare: &Path) {
    let fake = FakeUpstream::start(KEY);
    let data = tempfile::tempdir().unwrap();
    // `LAUNCH_BENCH_KEEP=<dir>`: the seeded data directory is copied there, for launching the
    // app by hand under a profiler with the same conversation to reopen.
    let keep = std::env::var_os("LAUNCH_BENCH_KEEP").map(PathBuf::from);
    let engine = switchboard_engine::Engine::open(switchboard_engine::EngineConfig {
        data_dir: switchboard_engine::DataDir::at(data.path()),
        keychain_service: switchboard_tests::keychain::unique_service(),
        environment: switchboard_engine::Environment::default(),
    })
    .unwrap();
    let view = engine
        .conversations()
        .import_json(conversation_document())
        .await
        .unwrap();
    engine
        .settings()
        .save_last_conversation(Some(view.id))
        .await
        .unwrap();
    drop(engine);
    if let Some(keep) = &keep {
        std::fs::create_dir_all(keep).unwrap();
        for entry in std::fs::read_dir(data.path()).unwrap().flatten() {
            if entry.file_type().unwrap().is_file() {
                std::fs::copy(entry.path(), keep.join(entry.file_name())).unwrap();
            }
        }
        println!("seeded data directory kept in {}", keep.display());
    }
    let env = |label: &str, round: usize| {
        vec![
            (
                "SWITCHBOARD_BENCH_RUN",
                format!("launch-{label}-{round}-{}", std::process::id()),
            ),
            ("SWITCHBOARD_DATA_DIR", data.path().display().to_string()),
            (
                "SWITCHBOARD_KEYCHAIN_SERVICE",
                switchboard_tests::keychain::unique_service(),
            ),
            ("OPENROUTER_BASE_URL", fake.openrouter_base()),
            ("OPENROUTER_API_KEY", KEY.to_owned()),
            // The app's own rendering choice, not the tests' (see tests/e2e/driver.rs).
            ("SWITCHBOARD_COMPOSITING", String::new()),
        ]
    };
    let rounds: usize = std::env::var("LAUNCH_BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    if rounds == 0 {
        return; // only the seeding, with LAUNCH_BENCH_KEEP
    }
    // The app turns WebKit's compositing off on a machine without a GPU render node
    // (src-tauri/src/rendering.rs). A bare Tauri window keeps WebKit's default; it is measured
    // as it is (the issue's baseline), and also with the app's setting, which isolates what
    // Switchboard itself costs.
    let gpu = std::fs::read_dir("/dev/dri").is_ok_and(|d| {
        d.flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    });
    let same_as_app = |label: &str, round: usize| {
        let mut env = env(label, round);
        if !gpu {
            env.push(("WEBKIT_DISABLE_COMPOSITING_MODE", "1".to_owned()));
        }
        env
    };
    // The app paints the chat screen saved at its last run before its script has run
    // (ui/src/lib/shared/firstPaint.ts). A person's launches are nearly all like that; the
    // first launch, and the first after an update, have nothing saved. Both are measured:
    // each round first launches with the saved screen deleted, and that launch saves the one
    // the next launch paints.
    let saved = data.path().join("first-paint.json");
    let (mut apps, mut bares, mut sames, mut unsaved) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let _ = std::fs::remove_file(&saved);
        unsaved.push(measure(app, &env("unsaved", round), chat_screen_shown).await);
        assert!(
            saved.is_file(),
            "the app did not save its chat screen for the next launch"
        );
        // Alternating, so drift in the machine's load hits all alike.
        apps.push(measure(app, &env("app", round), chat_screen_shown).await);
        assert!(
            apps[round].live_ms.is_some(),
            "the app did not paint the saved chat screen first"
        );
        bares.push(measure(bare, &env("bare", round), empty_page_shown).await);
        sames.push(measure(bare, &same_as_app("same", round), empty_page_shown).await);
        println!(
            "round {round}: first content app {:.0} ms (live screen {:.0} ms; with nothing saved {:.0} ms), \
             bare {:.0} ms, bare with the app's rendering {:.0} ms; \
             PSS app {:.1} MiB, bare {:.1} MiB, bare with the app's rendering {:.1} MiB",
            apps[round].first_content_ms,
            apps[round].live_ms.unwrap_or(f64::NAN),
            unsaved[round].first_content_ms,
            bares[round].first_content_ms,
            sames[round].first_content_ms,
            apps[round].memory.total() as f64 / 1024.0,
            bares[round].memory.total() as f64 / 1024.0,
            sames[round].memory.total() as f64 / 1024.0,
        );
    }
    // The run whose total is the median, shown whole.
    let middle = |v: &[Launch]| {
        let mut v = v.to_vec();
        v.sort_by_key(|l| l.memory.total());
        v[v.len() / 2]
    };
    let (app_mid, bare_mid) = (middle(&apps), middle(&bares));
    let mib = |kib: u64| kib as f64 / 1024.0;
    let diff = |a: u64, b: u64| (a as f64 - b as f64) / 1024.0;
    println!(
        "idle PSS (MiB), median run    {:>9} {:>9} {:>9}",
        "app", "bare", "app-bare"
    );
    for ((label, a), (_, b)) in app_mid
        .memory
        .rows()
        .into_iter()
        .zip(bare_mid.memory.rows())
    {
        println!(
            "  {label:<25} {:>9.1} {:>9.1} {:>+9.1}",
            mib(a),
            mib(b),
            diff(a, b)
        );
    }
    println!(
        "  {:<25} {:>9} {:>9}",
        "processes", app_mid.memory.processes, bare_mid.memory.processes
    );
    println!(
        "BENCH|idle memory (PSS, all processes), chat with a conversation open|{:.1}|MiB|{:.1}|ratio <= 1.15",
        mib(app_mid.memory.total()),
        mib(bare_mid.memory.total())
    );
    let same_mid = middle(&sames);
    println!(
        "  {:<25} {:>9.1} (bare window with the app's rendering setting)",
        "total, same rendering",
        mib(same_mid.memory.total())
    );
    let first = |v: &[Launch]| median(v.iter().map(|l| l.first_content_ms).collect());
    println!(
        "BENCH|start-up: launch to first content painted|{:.0}|ms|{:.0}|ratio <= 1.2",
        first(&apps),
        first(&bares)
    );
    // What Switchboard itself costs: against a bare window drawing the same way.
    println!(
        "BENCH|idle memory against a bare window with the app's rendering setting|{:.1}|MiB|{:.1}|ratio <= 1.15",
        mib(app_mid.memory.total()),
        mib(same_mid.memory.total())
    );
    println!(
        "BENCH|start-up against a bare window with the app's rendering setting|{:.0}|ms|{:.0}|ratio <= 1.2",
        first(&apps),
        first(&sames)
    );
    // For reference, with no goal of their own: the launch with nothing saved, and when the
    // live screen takes over from the saved one (from then on it answers input).
    println!(
        "BENCH|start-up with nothing saved (first launch, or the first after an update)|{:.0}|ms|{:.0}|-",
        first(&unsaved),
        first(&bares)
    );
    println!(
        "BENCH|start-up to the live chat screen replacing the saved one|{:.0}|ms|{:.0}|-",
        median(apps.iter().filter_map(|l| l.live_ms).collect()),
        first(&bares)
    );
}

/// Launches `binary`, waits for `ready`, reads when its first content was painted, waits for
/// memory to settle, and reads its footprint.
async fn measure<F>(binary: &Path, env: &[(&str, String)], ready: F) -> Launch
where
    F: AsyncFnOnce(&Client) -> driver::TestResult,
{
    let marker = format!(
        "SWITCHBOARD_BENCH_RUN={}",
        env.iter()
            .find(|(k, _)| *k == "SWITCHBOARD_BENCH_RUN")
            .map(|(_, v)| v.as_str())
            .unwrap_or_default()
    );
    let name = comm_of(binary);
    let driver = driver::Driver::start(env).unwrap();
    let c = driver.launch(binary).await.unwrap();
    let result = async {
        ready(&c).await?;
        let painted = first_content_epoch_ms(&c).await?;
        let live = live_epoch_ms(&c).await?;
        let marks = c
            .execute(
                "const n = performance.getEntriesByType('navigation')[0];
                 return [performance.timeOrigin,
                   ...(n ? [['responseEnd', n.responseEnd], ['domInteractive', n.domInteractive]] : []),
                   ...performance.getEntriesByType('mark').map(m => [m.name.replace('switchboard:', ''), m.startTime])];",
                vec![],
            )
            .await?;
        let main_pid = procs::tree(&marker, &name)
            .into_iter()
            .find(|(_, comm)| *comm == name)
            .map(|(pid, _)| pid)
            .ok_or("the main process is gone")?;
        let started = procs::started_epoch_ms(main_pid).ok_or("no start time")?;
        // Where the time went, from the process's start: the page's navigation began at
        // `timeOrigin`, then each step the page marked.
        if let Some([origin, steps @ ..]) = marks.as_array().map(Vec::as_slice) {
            let origin = origin.as_f64().unwrap_or(f64::NAN);
            let mut line = format!("  {name}: page navigation at {:.0} ms", origin - started);
            for step in steps {
                if let (Some(label), Some(at)) = (step[0].as_str(), step[1].as_f64()) {
                    line.push_str(&format!(", {label} {:.0}", origin - started + at));
                }
            }
            println!("{line}");
        }
        tokio::time::sleep(SETTLE).await;
        let deadline = Instant::now() + MAX_WAIT;
        let mut last = footprint(&procs::tree(&marker, &name), &name);
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let tree = procs::tree(&marker, &name);
            let now = footprint(&tree, &name);
            if now.total().abs_diff(last.total()) < STABLE_KIB || Instant::now() > deadline {
                for (pid, comm) in &tree {
                    let [anon, file, shmem] = procs::pss_parts_kib(*pid);
                    println!(
                        "    {comm:<16} PSS anon {:.1} MiB, file {:.1} MiB, shmem {:.1} MiB",
                        anon as f64 / 1024.0,
                        file as f64 / 1024.0,
                        shmem as f64 / 1024.0
                    );
                }
                return driver::TestResult::Ok(Launch {
                    first_content_ms: painted - started,
                    live_ms: live.map(|at| at - started),
                    memory: now,
                });
            }
            last = now;
        }
    }
    .await;
    let _ = c.close().await;
    // The next tree must start alone (see the header), so wait for this one to be gone.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !procs::tree(&marker, &name).is_empty() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    drop(driver);
    let figures = result.unwrap_or_else(|e| panic!("{}: {e}", binary.display()));
    assert!(
        figures.memory.main > 0 && figures.memory.web > 0,
        "{}: found its main and web processes: {figures:?}",
        binary.display()
    );
    figures
}

/// When the live screen replaced the one saved at the last run, ms since the Unix epoch; none
/// when the page showed nothing saved. Waits while the saved screen is still up.
async fn live_epoch_ms(c: &Client) -> driver::TestResult<Option<f64>> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let found = c
            .execute(
                "const m = performance.getEntriesByName('switchboard:live')[0];
                 if (m) return performance.timeOrigin + m.startTime;
                 const fc = performance.getEntriesByName('switchboard:first-content')[0];
                 const saved = performance.getEntriesByName('switchboard:script')[0];
                 // The loader marks first content before the script: a saved screen was shown.
                 return fc && saved && fc.startTime < saved.startTime ? 'waiting' : null;",
                vec![],
            )
            .await?;
        match found {
            serde_json::Value::Null => return Ok(None),
            serde_json::Value::Number(n) => return Ok(n.as_f64()),
            _ if Instant::now() > deadline => {
                return Err("the saved screen was never replaced by the live one".into());
            }
            _ => tokio::time::sleep(Duration::from_millis(50)).await,
        }
    }
}

/// When the page set its first-content mark, ms since the Unix epoch (waits for the mark).
async fn first_content_epoch_ms(c: &Client) -> driver::TestResult<f64> {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let at = c
            .execute(
                "const m = performance.getEntriesByName('switchboard:first-content')[0];
                 return m ? performance.timeOrigin + m.startTime : null;",
                vec![],
            )
            .await?;
        if let Some(ms) = at.as_f64() {
            return Ok(ms);
        }
        if Instant::now() > deadline {
            return Err("the page never marked its first content".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The app's chat screen with the seeded conversation open.
async fn chat_screen_shown(c: &Client) -> driver::TestResult {
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css("[data-testid=turn]"))
        .await?;
    Ok(())
}

/// The bare window's own empty page, served by the custom protocol (a dev build would show
/// the "could not connect" page of the Vite server instead).
async fn empty_page_shown(c: &Client) -> driver::TestResult {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let page = c
            .execute(
                "return [document.readyState, document.title, location.protocol, location.host, \
                 document.body ? document.body.childElementCount : -1];",
                vec![],
            )
            .await?;
        if page == serde_json::json!(["complete", "Bare window", "tauri:", "localhost", 0]) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("the bare window shows something else: {page}").into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
