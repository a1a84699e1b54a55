//! Running `tests/sdk/gateway_clients.py` with the SDK venv's python, and reading its results.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde_json::Value;

/// Overrides where the SDK venv's python is (default `target/sdk-venv/bin/python`).
const PYTHON_ENV: &str = "SWITCHBOARD_SDK_PYTHON";

/// A hang in a client or the gateway fails the test instead of stalling the run.
const DEADLINE: Duration = Duration::from_secs(120);

/// The venv's python, ready to run the client script.
pub(crate) struct Sdk {
    python: PathBuf,
}

/// What one case printed: `returned` (what the SDK gave back) or `raised` (the exception's
/// class, `status`, `message` and `body`).
pub(crate) type Case = Value;

impl Sdk {
    /// The SDK venv, or `None` (after saying the test is skipped) when it was never set up.
    /// Under `CI=true` a missing venv is a failure: CI must not pass by skipping.
    pub(crate) fn find() -> Option<Self> {
        let python = std::env::var_os(PYTHON_ENV).map_or_else(
            || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/sdk-venv/bin/python"),
            PathBuf::from,
        );
        if python.is_file() {
            return Some(Self { python });
        }
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI=true but the SDK venv's python {} is missing: run `.ci/setup --test`",
            python.display()
        );
        eprintln!(
            "skipping: no SDK venv at {} (run `.ci/setup --test`)",
            python.display()
        );
        None
    }

    /// Runs `cases` in order in one python process with `env` (and nothing else from this
    /// process's environment: no proxies, no provider keys), and returns each case's result.
    pub(crate) async fn run(&self, env: &[(&str, &str)], cases: &[&str]) -> BTreeMap<String, Case> {
        let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("sdk/gateway_clients.py");
        let home = tempfile::tempdir().unwrap();
        let mut command = tokio::process::Command::new(&self.python);
        command
            .arg(&script)
            .args(cases)
            .env_clear()
            .env("HOME", home.path())
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PYTHONUNBUFFERED", "1")
            .envs(env.iter().copied())
            .kill_on_drop(true);
        let output = tokio::time::timeout(DEADLINE, command.output())
            .await
            .unwrap_or_else(|_| panic!("the SDK script did not finish within {DEADLINE:?}"))
            .expect("the SDK venv's python runs");
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "the SDK script failed ({}):\n{stdout}\n{stderr}",
            output.status
        );
        let results: BTreeMap<String, Case> = stdout
            .lines()
            .map(|line| {
                let v: Value = serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("not a result line ({e}): {line}\n{stderr}"));
                (v["case"].as_str().unwrap().to_owned(), v)
            })
            .collect();
        for case in cases {
            assert!(
                results.contains_key(*case),
                "case {case} printed nothing:\n{stdout}\n{stderr}"
            );
        }
        results
    }
}

/// What a case returned; panics with the exception when it raised instead.
pub(crate) fn returned<'a>(results: &'a BTreeMap<String, Case>, case: &str) -> &'a Value {
    let result = &results[case];
    assert!(
        result.get("raised").is_none(),
        "{case} raised instead of returning: {result:#}"
    );
    &result["returned"]
}

/// What a case raised: (exception class, HTTP status, the whole result for messages).
pub(crate) fn raised<'a>(results: &'a BTreeMap<String, Case>, case: &str) -> &'a Value {
    let result = &results[case];
    assert!(
        result.get("raised").is_some(),
        "{case} returned instead of raising: {result:#}"
    );
    result
}
