//! Whether the real OS keychain can be used, and a unique service name per test.

/// Set (by `.ci/test`) when a reachable keychain is required, so a key test can never pass by
/// skipping itself in CI.
pub const REQUIRE_ENV: &str = "SWITCHBOARD_REQUIRE_KEYCHAIN";

/// A keychain service name no real user has, so tests never touch a developer's own keys.
pub fn unique_service() -> String {
    format!("switchboard-test-{}", uuid::Uuid::new_v4())
}

/// True when the Secret Service answers. When it does not: panics if [`REQUIRE_ENV`] is set,
/// otherwise tells why the caller should skip.
pub fn available(service: &str) -> bool {
    let probe = keyring::Entry::new(service, "probe").and_then(|e| e.get_password().map(drop));
    match probe {
        Ok(()) | Err(keyring::Error::NoEntry) => true,
        Err(err) => {
            assert!(
                std::env::var_os(REQUIRE_ENV).is_none(),
                "{REQUIRE_ENV} is set but the keychain is unreachable: {err}"
            );
            eprintln!(
                "skipping: no OS keychain ({err}); run under .ci/test or dbus-run-session with gnome-keyring"
            );
            false
        }
    }
}
