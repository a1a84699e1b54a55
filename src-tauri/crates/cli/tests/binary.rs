//! The `switchboard` binary as people and scripts run it.

// Test code: a panic with its message is the failure report, in helpers as in tests.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Output};

use serde_json::Value;

fn switchboard(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    cmd.args(args);
    for var in switchboard_engine::ENVIRONMENT_VARIABLES {
        cmd.env_remove(var);
    }
    cmd.envs(env.iter().copied());
    cmd.output().expect("run switchboard")
}

fn json(out: &Output) -> Value {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON on stdout")
}

#[test]
fn the_data_directory_is_switchboard_data_dir_when_set() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_str().unwrap();
    let info = json(&switchboard(
        &["info", "--json"],
        &[("SWITCHBOARD_DATA_DIR", path)],
    ));
    assert_eq!(info["dataDir"], path);
    assert_eq!(
        info["schemaVersion"],
        switchboard_engine::SCHEMA_VERSION,
        "a fresh database is at the latest schema"
    );
    assert!(
        dir.path().join("switchboard.db").is_file(),
        "the database was created there"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn without_an_override_the_data_directory_follows_xdg() {
    let dir = tempfile::tempdir().unwrap();
    let info = json(&switchboard(
        &["info", "--json"],
        &[("XDG_DATA_HOME", dir.path().to_str().unwrap())],
    ));
    let expected = dir.path().join("switchboard");
    assert_eq!(info["dataDir"], expected.to_str().unwrap());
}

/// With no Secret Service on the bus, the CLI still works: it says the keychain is unreachable
/// and uses the environment's key.
#[cfg(target_os = "linux")]
#[test]
fn an_unreachable_keychain_falls_back_to_environment_keys() {
    let dir = tempfile::tempdir().unwrap();
    let env = [
        ("SWITCHBOARD_DATA_DIR", dir.path().to_str().unwrap()),
        (
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/switchboard-test-bus",
        ),
        // Without a display D-Bus cannot auto-launch a bus either.
        ("DISPLAY", ""),
        ("OPENROUTER_API_KEY", "sk-or-v1-from-the-environment-9f9f"),
    ];
    let overview = json(&switchboard(&["providers", "--json"], &env));
    assert_eq!(overview["keychain"]["available"], false);
    assert!(
        overview["keychain"]["detail"]
            .as_str()
            .is_some_and(|d| !d.is_empty()),
        "the reason is reported: {overview}"
    );
    let or = &overview["providers"][0];
    assert_eq!(or["id"], "openrouter");
    assert_eq!(or["key"]["source"], "environment");
    assert_eq!(or["key"]["masked"], "••••9f9f");
    assert!(
        !overview.to_string().contains("from-the-environment"),
        "only the mask is printed"
    );

    let text = switchboard(&["providers"], &env);
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(text.status.success());
    assert!(stdout.contains("is not reachable"), "{stdout}");
    assert!(
        stdout.contains("••••9f9f (from environment OPENROUTER_API_KEY)"),
        "{stdout}"
    );
}

#[test]
fn a_database_it_cannot_open_is_a_clear_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("switchboard.db"), b"this is not a database").unwrap();
    let out = switchboard(
        &["info", "--json"],
        &[("SWITCHBOARD_DATA_DIR", dir.path().to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(1));
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(printed["error"]["code"], "storage");
    assert_eq!(
        std::fs::read(dir.path().join("switchboard.db")).unwrap(),
        b"this is not a database",
        "the file is left as it was"
    );
}
