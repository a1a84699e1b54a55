//! Starting tauri-driver and the app, and waiting on the page.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};

pub(crate) type TestResult<T = ()> = Result<T, Box<dyn std::error::Error>>;

/// One end-to-end test at a time: each launches a whole WebKit app (two cores cannot run
/// several well), and parallel tests would race for the loopback ports they pick.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Held for a whole test by [`app_binary`]'s caller.
pub(crate) type Turn = tokio::sync::MutexGuard<'static, ()>;

/// Waits for this test's turn, then returns the app binary to drive; `None` (with a note)
/// when e2e is not set up.
pub(crate) async fn app_binary() -> Option<(PathBuf, Turn)> {
    let path = app_path()?;
    Some((path, ONE_AT_A_TIME.lock().await))
}

fn app_path() -> Option<PathBuf> {
    match std::env::var_os("SWITCHBOARD_E2E_APP") {
        Some(path) => {
            let path = PathBuf::from(path);
            assert!(
                path.is_file(),
                "SWITCHBOARD_E2E_APP={} does not exist",
                path.display()
            );
            Some(path)
        }
        None => {
            eprintln!("skipping e2e: SWITCHBOARD_E2E_APP is not set (run .ci/test)");
            None
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A running tauri-driver. Dropping it sends SIGTERM, which tauri-driver needs to stop its
/// WebKitWebDriver child (SIGKILL would orphan it; docs/conventions.md, Toolchain facts 4).
pub(crate) struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    /// Starts tauri-driver with `env` added to the environment the app will inherit.
    pub(crate) fn start(env: &[(&str, String)]) -> TestResult<Self> {
        let port = free_port();
        let native = free_port();
        let mut cmd = Command::new("tauri-driver");
        cmd.args([
            "--port",
            &port.to_string(),
            "--native-port",
            &native.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::inherit());
        for var in switchboard_engine::ENVIRONMENT_VARIABLES {
            cmd.env_remove(var);
        }
        // Tests run several apps at once on one Xvfb display with no window manager, so their
        // windows cover each other; without compositing a covered window paints no frames (as
        // on any X desktop) and a test waiting for one would wait forever. So tests keep
        // WebKit's compositing on; the benches pass "" to measure what the app chooses
        // (src-tauri/src/rendering.rs).
        cmd.env("SWITCHBOARD_COMPOSITING", "on");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start tauri-driver (cargo install tauri-driver): {e}"))?;
        let driver = Self { child, port };
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err("tauri-driver did not start listening".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(driver)
    }

    /// Starts tauri-driver for an app with its own data dir and keychain service, talking to
    /// `fake` as OpenRouter with `key` from the environment (the usual set-up).
    pub(crate) fn for_fake(
        data: &std::path::Path,
        fake: &switchboard_tests::FakeUpstream,
        key: &str,
    ) -> TestResult<Self> {
        Self::start(&[
            ("SWITCHBOARD_DATA_DIR", data.display().to_string()),
            (
                "SWITCHBOARD_KEYCHAIN_SERVICE",
                switchboard_tests::keychain::unique_service(),
            ),
            ("OPENROUTER_BASE_URL", fake.openrouter_base()),
            ("OPENROUTER_API_KEY", key.to_owned()),
        ])
    }

    /// [`Driver::for_fake`] with `routing` already saved in the data dir, through the engine's
    /// own import, as a person's earlier configuration would be.
    pub(crate) async fn for_fake_with_routing(
        data: &std::path::Path,
        fake: &switchboard_tests::FakeUpstream,
        key: &str,
        routing: &str,
    ) -> TestResult<Self> {
        use switchboard_engine::{DataDir, Engine, EngineConfig, Environment};
        let service = switchboard_tests::keychain::unique_service();
        {
            let engine = Engine::open(EngineConfig {
                data_dir: DataDir::at(data),
                keychain_service: service.clone(),
                environment: Environment::from_pairs(Vec::<(&str, &str)>::new()),
            })?;
            engine.routing().import(routing).await?;
        }
        Self::start(&[
            ("SWITCHBOARD_DATA_DIR", data.display().to_string()),
            ("SWITCHBOARD_KEYCHAIN_SERVICE", service),
            ("OPENROUTER_BASE_URL", fake.openrouter_base()),
            ("OPENROUTER_API_KEY", key.to_owned()),
        ])
    }

    /// Launches the app and connects a WebDriver session to it.
    pub(crate) async fn launch(&self, app: &std::path::Path) -> TestResult<Client> {
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), "wry".into());
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({ "application": app }),
        );
        let client = ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{}", self.port))
            .await?;
        saved_screen_gone(&client).await?;
        Ok(client)
    }
}

/// Waits until the page is the app's own (served by its custom protocol, fully parsed) and the
/// chat screen saved at the last run, if one was painted first, has been replaced by the live
/// one (`ui/src/lib/shared/firstPaint.ts`). Its copies carry no `id` or `data-testid`, but their
/// classes and text are the live screen's, so no test may look before it is gone.
async fn saved_screen_gone(c: &Client) -> TestResult {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ready = c
            .execute(
                "return location.protocol === 'tauri:' && document.readyState === 'complete' \
                 && document.getElementById('first-paint') === null;",
                vec![],
            )
            .await?;
        if ready == serde_json::Value::Bool(true) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err("the saved chat screen was never replaced by the live one".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Where screenshots go: `tests/artifacts/` (ignored by git, kept by CI).
pub(crate) fn artifact(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("artifacts");
    std::fs::create_dir_all(&dir).expect("artifacts dir");
    dir.join(name)
}

/// Ends a session: on failure first saves a screenshot (named `failure_shot`) so the failing
/// screen can be seen, then always closes the app, then fails with the phase's error.
pub(crate) async fn finish(c: fantoccini::Client, result: TestResult, failure_shot: &str) {
    if result.is_err()
        && let Ok(png) = c.screenshot().await
    {
        let _ = std::fs::write(artifact(failure_shot), png);
    }
    let _ = c.close().await;
    if let Err(e) = result {
        panic!("{e}");
    }
}
