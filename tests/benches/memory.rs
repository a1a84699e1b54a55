//! Idle memory of the app against a bare Tauri window built the same way: PSS (from
//! `/proc/<pid>/smaps_rollup`) of the main process, its WebKitWebProcess and its
//! WebKitNetworkProcess, their total, and what Switchboard adds on top of Tauri + WebKit.
//!
//! The bare window is `src-tauri/examples/bare_window.rs`: the app's crate, profile, tauri
//! features, config and custom protocol, showing an empty page, with no commands and no
//! engine. It is not built on demand (that would run cargo inside cargo with other features);
//! build it first. Run inside the test session (Xvfb, D-Bus), after building both:
//!
//! ```sh
//! npx tauri build --debug --no-bundle --ci && mkdir -p target/e2e && cp target/debug/switchboard-desktop target/e2e/
//! cargo build -p switchboard-desktop --bin bare-window --features bare-window,tauri/custom-protocol
//! SWITCHBOARD_E2E_APP=$PWD/target/e2e/switchboard-desktop SWITCHBOARD_BARE_APP=$PWD/target/debug/bare-window \
//!   .ci/session cargo bench -p switchboard-tests --bench memory
//! ```
//!
//! `SWITCHBOARD_BARE_APP` defaults to `target/debug/bare-window`. Both are launched the same
//! way, by tauri-driver (so both carry WebDriver's automation overhead, and the page can be
//! checked: the app's chat screen is up, the bare page is the empty one and not a dev-server
//! error page), with the same environment, one after the other: PSS splits shared pages
//! between the processes mapping them, so two trees running at once would share libraries
//! and each look smaller.

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
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/debug/bare-window")
        });
    assert!(app.is_file(), "no app at {}", app.display());
    assert!(
        bare.is_file(),
        "no bare window at {}; build it with `cargo build -p switchboard-desktop --bin \
         bare-window --features bare-window,tauri/custom-protocol`",
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

async fn run(app: &Path, bare: &Path) {
    let fake = FakeUpstream::start(KEY);
    let data = tempfile::tempdir().unwrap();
    let env = |label: &str| {
        vec![
            (
                "SWITCHBOARD_BENCH_RUN",
                format!("memory-{label}-{}", std::process::id()),
            ),
            ("SWITCHBOARD_DATA_DIR", data.path().display().to_string()),
            (
                "SWITCHBOARD_KEYCHAIN_SERVICE",
                switchboard_tests::keychain::unique_service(),
            ),
            ("OPENROUTER_BASE_URL", fake.openrouter_base()),
            ("OPENROUTER_API_KEY", KEY.to_owned()),
        ]
    };
    let app_figures = measure(app, &env("app"), chat_screen_shown).await;
    let bare_figures = measure(bare, &env("bare"), empty_page_shown).await;

    let mib = |kib: u64| kib as f64 / 1024.0;
    let diff = |a: u64, b: u64| (a as f64 - b as f64) / 1024.0;
    println!(
        "idle PSS (MiB)              {:>9} {:>9} {:>9}",
        "app", "bare", "app-bare"
    );
    for ((label, a), (_, b)) in app_figures.rows().into_iter().zip(bare_figures.rows()) {
        println!(
            "  {label:<25} {:>9.1} {:>9.1} {:>+9.1}",
            mib(a),
            mib(b),
            diff(a, b)
        );
    }
    println!(
        "  {:<25} {:>9} {:>9}",
        "processes", app_figures.processes, bare_figures.processes
    );
}

/// Launches `binary`, waits for `ready` and for memory to settle, and reads its footprint.
async fn measure<F>(binary: &Path, env: &[(&str, String)], ready: F) -> Footprint
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
        tokio::time::sleep(SETTLE).await;
        let deadline = Instant::now() + MAX_WAIT;
        let mut last = footprint(&procs::tree(&marker, &name), &name);
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            let now = footprint(&procs::tree(&marker, &name), &name);
            if now.total().abs_diff(last.total()) < STABLE_KIB || Instant::now() > deadline {
                return driver::TestResult::Ok(now);
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
        figures.main > 0 && figures.web > 0,
        "{}: found its main and web processes: {figures:?}",
        binary.display()
    );
    figures
}

/// The app's chat screen: the sidebar with its "New chat" button.
async fn chat_screen_shown(c: &Client) -> driver::TestResult {
    c.wait()
        .at_most(Duration::from_secs(20))
        .for_element(Locator::Css(".sidebar button.new"))
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
