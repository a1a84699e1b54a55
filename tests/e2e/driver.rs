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

/// A loopback port nothing is bound to now, for a server another process will open: below
/// the kernel's ephemeral range, so no outgoing connection (which takes its local port from
/// that range) can take it in the meantime. One did once: a port the OS had just handed out
/// with `bind(0)` was some connection's by the time WebKitWebDriver came to listen on it, and
/// tauri-driver dropped every request after.
pub(crate) fn unused_port() -> u16 {
    let ephemeral_start = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32768);
    let low = 10_000;
    let span = ephemeral_start.saturating_sub(low).max(1);
    // A random start, so runs that overlap (two checkouts on one machine) rarely meet.
    let start = (uuid::Uuid::new_v4().as_u128() % u128::from(span)) as u16;
    (0..span)
        .map(|i| low + (start + i) % span)
        .find(|&port| TcpListener::bind(("127.0.0.1", port)).is_ok())
        .expect("a free loopback port below the ephemeral range")
}

/// A running tauri-driver. Dropping it sends SIGTERM, which tauri-driver needs to stop its
/// WebKitWebDriver child (SIGKILL would orphan it; docs/conventions.md, Toolchain facts 4).
pub(crate) struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    /// Starts tauri-driver with `env` added to the environment the app will inherit, and
    /// waits until it and the WebKitWebDriver behind it answer. If WebKitWebDriver cannot
    /// listen (its port was taken after all), tauri-driver keeps running without it and drops
    /// every request; so that is checked here, and it starts again on other ports.
    pub(crate) fn start(env: &[(&str, String)]) -> TestResult<Self> {
        let mut last_error = String::new();
        for _ in 0..3 {
            let port = unused_port();
            let native = loop {
                let native = unused_port();
                if native != port {
                    break native;
                }
            };
            let driver = Self::spawn(env, port, native)?;
            match driver.wait_until_ready() {
                Ok(()) => return Ok(driver),
                Err(e) => last_error = e,
            }
        }
        Err(format!("tauri-driver never became ready: {last_error}").into())
    }

    fn spawn(env: &[(&str, String)], port: u16, native: u16) -> TestResult<Self> {
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
        Ok(Self { child, port })
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

    /// Waits until WebDriver's status, asked of tauri-driver (which forwards it to
    /// WebKitWebDriver), says ready. Gives up when tauri-driver answers but its WebKitWebDriver
    /// child has exited, or after 20 s.
    fn wait_until_ready(&self) -> Result<(), String> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let problem = match self.status() {
                Status::Ready => return Ok(()),
                Status::NoAnswer(e) => {
                    if exited(self.child.id()) {
                        return Err(format!("tauri-driver exited: {e}"));
                    }
                    // Not listening yet.
                    e
                }
                Status::Answered(answer) => {
                    if !self.native_driver_running() {
                        return Err(format!("WebKitWebDriver exited; tauri-driver {answer}"));
                    }
                    answer
                }
            };
            if Instant::now() > deadline {
                return Err(format!("not ready in 20 s: {problem}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `GET /status` over a plain socket: this runs in a synchronous constructor inside the
    /// tests' runtime, where reqwest's clients (async, or blocking that starts a runtime of its
    /// own) cannot be used; one request with `Connection: close` needs no more than this.
    fn status(&self) -> Status {
        use std::io::{Read, Write};
        let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", self.port)) else {
            return Status::NoAnswer("tauri-driver is not listening".into());
        };
        let mut response = String::new();
        let exchange = stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .and_then(|()| {
                write!(
                    stream,
                    "GET /status HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n",
                    self.port
                )
            })
            .and_then(|()| stream.read_to_string(&mut response));
        match exchange {
            Ok(_)
                if response.starts_with("HTTP/1.1 200") && response.contains("\"ready\":true") =>
            {
                Status::Ready
            }
            Ok(_) => Status::Answered(format!("answered {response:?}")),
            Err(e) => Status::Answered(format!("failed: {e}")),
        }
    }

    /// Whether tauri-driver has a child that has not exited (its WebKitWebDriver).
    fn native_driver_running(&self) -> bool {
        let pid = self.child.id();
        match std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children")) {
            Ok(children) => children
                .split_whitespace()
                .filter_map(|child| child.parse().ok())
                .any(|child| !exited(child)),
            // No such file on this kernel: only the deadline can tell.
            Err(_) => true,
        }
    }
}

/// Whether a process has exited: it is gone, or a zombie, as an exited child stays until its
/// parent waits for it (tauri-driver never waits for its WebKitWebDriver).
fn exited(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).map_or(true, |stat| {
        // The state follows the command's closing parenthesis: "pid (comm) S ...".
        stat.rsplit_once(") ")
            .is_some_and(|(_, rest)| rest.starts_with('Z'))
    })
}

/// What asking tauri-driver for WebDriver's status came to.
enum Status {
    Ready,
    NoAnswer(String),
    Answered(String),
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

/// A WebKitWebDriver whose port a connection has taken (as in the CI run that failed: every
/// request after was dropped) is found out at once, not taken for a working driver.
#[test]
fn a_native_driver_that_cannot_listen_is_found_out() {
    if app_path().is_none() {
        return;
    }
    let server = TcpListener::bind(("127.0.0.1", 0)).expect("a loopback port");
    let connection = std::net::TcpStream::connect(server.local_addr().expect("its address"))
        .expect("a connection");
    let taken = connection.local_addr().expect("its local address").port();
    let driver = Driver::spawn(&[], unused_port(), taken).expect("tauri-driver starts");
    let error = driver
        .wait_until_ready()
        .expect_err("WebKitWebDriver cannot listen");
    assert!(error.contains("WebKitWebDriver exited"), "{error}");
}
