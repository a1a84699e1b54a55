//! The `switchboard` binary run as a user would, against the loopback fake upstream, with
//! its own data directory and keys from the environment.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use switchboard_tests::FakeUpstream;

/// The key the fake accepts and the CLI is given.
pub(crate) const KEY: &str = "sk-or-v1-commands-00000000000000000";

/// The CLI with its own data directory.
pub(crate) struct Cli {
    /// Where the fake's OpenRouter API is.
    pub(crate) openrouter_base: String,
    /// The CLI's data directory.
    pub(crate) data: tempfile::TempDir,
}

impl Cli {
    /// Runs it with `args`, feeding `stdin`.
    pub(crate) fn run(&self, args: &[&str], stdin: Option<&str>) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_switchboard"));
        for var in switchboard_engine::ENVIRONMENT_VARIABLES {
            cmd.env_remove(var);
        }
        cmd.args(args)
            .env("SWITCHBOARD_DATA_DIR", self.data.path())
            .env("OPENROUTER_BASE_URL", &self.openrouter_base)
            .env("OPENROUTER_API_KEY", KEY)
            // No keychain here; keys come from the environment.
            .env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus")
            .env("DISPLAY", "")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().unwrap();
        if let Some(text) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        }
        drop(child.stdin.take());
        child.wait_with_output().unwrap()
    }

    /// Runs it and parses its stdout as JSON; fails the test if it failed.
    pub(crate) fn json(&self, args: &[&str]) -> Value {
        let out = self.run(args, None);
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }
}

/// A CLI with a fresh data directory, pointed at `fake`.
pub(crate) fn cli(fake: &FakeUpstream) -> Cli {
    Cli {
        openrouter_base: fake.openrouter_base(),
        data: tempfile::tempdir().unwrap(),
    }
}
