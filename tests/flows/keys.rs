//! Keys live in the OS keychain, are shown masked, and never reach SQLite.

use switchboard_engine::core::{BuiltinProvider, ErrorCode, KeySource};
use switchboard_engine::{DataDir, Engine, EngineConfig, Environment};
use switchboard_tests::keychain;

pub(crate) struct Harness {
    pub engine: Engine,
    pub service: String,
    pub dir: tempfile::TempDir,
}

impl Harness {
    pub(crate) fn new(env: &[(&str, &str)]) -> Option<Self> {
        let service = keychain::unique_service();
        if !keychain::available(&service) {
            return None;
        }
        Some(Self::without_keychain_check(service, env))
    }

    /// An engine whose OpenRouter is `fake`, with `key` as its environment key: the set-up of
    /// most flows.
    pub(crate) fn openrouter(fake: &switchboard_tests::FakeUpstream, key: &str) -> Option<Self> {
        Self::new(&[
            ("OPENROUTER_BASE_URL", &fake.openrouter_base()),
            ("OPENROUTER_API_KEY", key),
        ])
    }

    pub(crate) fn without_keychain_check(service: String, env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(EngineConfig {
            data_dir: DataDir::at(dir.path()),
            keychain_service: service.clone(),
            environment: Environment::from_pairs(env.iter().copied()),
        })
        .unwrap();
        Self {
            engine,
            service,
            dir,
        }
    }

    /// A second engine on the same data directory and keychain service, as a second process
    /// (the CLI beside the app, say) would open it.
    pub(crate) fn second_engine(&self, env: &[(&str, &str)]) -> Engine {
        Engine::open(EngineConfig {
            data_dir: DataDir::at(self.dir.path()),
            keychain_service: self.service.clone(),
            environment: Environment::from_pairs(env.iter().copied()),
        })
        .unwrap()
    }

    /// Reads the keychain directly, bypassing the engine.
    pub(crate) fn keychain_value(&self, account: &str) -> Option<String> {
        match keyring::Entry::new(&self.service, account)
            .unwrap()
            .get_password()
        {
            Ok(v) => Some(v),
            Err(keyring::Error::NoEntry) => None,
            Err(e) => panic!("keychain read failed: {e}"),
        }
    }

    /// The files in the data directory (database, WAL, logs) that contain `needle`.
    pub(crate) fn files_containing(&self, needle: &str) -> Vec<std::path::PathBuf> {
        switchboard_tests::files::files_containing(self.dir.path(), needle).0
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        for b in BuiltinProvider::ALL {
            if let Ok(e) = keyring::Entry::new(&self.service, b.id().as_str()) {
                let _ = e.delete_credential();
            }
        }
    }
}

#[tokio::test]
async fn a_saved_key_goes_to_the_keychain_and_only_its_mask_comes_back() {
    let Some(h) = Harness::new(&[]) else { return };
    let key = "sk-or-v1-flowtest-0123456789abcdef";
    let overview = h
        .engine
        .keys()
        .set(BuiltinProvider::OpenRouter.id(), format!("  {key}\n"))
        .await
        .unwrap();
    assert!(overview.keychain.available);
    let or = &overview.providers[0];
    assert_eq!(or.key.source, KeySource::Keychain);
    assert_eq!(or.key.masked.as_deref(), Some("••••cdef"));
    assert_eq!(
        h.keychain_value("openrouter").as_deref(),
        Some(key),
        "the key is really in the OS keychain, trimmed"
    );
    let serialized = serde_json::to_string(&overview).unwrap();
    assert!(!serialized.contains(key), "the UI never receives the key");
    assert_eq!(
        h.files_containing(key),
        Vec::<std::path::PathBuf>::new(),
        "the key is nowhere in the database, its WAL or the logs"
    );

    // Replace, then remove.
    h.engine
        .keys()
        .set(
            BuiltinProvider::OpenRouter.id(),
            "sk-or-v1-replacement-key-9999".into(),
        )
        .await
        .unwrap();
    assert_eq!(
        h.keychain_value("openrouter").as_deref(),
        Some("sk-or-v1-replacement-key-9999")
    );
    let overview = h
        .engine
        .keys()
        .remove(BuiltinProvider::OpenRouter.id())
        .await
        .unwrap();
    assert_eq!(overview.providers[0].key.source, KeySource::None);
    assert_eq!(h.keychain_value("openrouter"), None, "removed for real");
}

#[tokio::test]
async fn environment_keys_are_read_only_fallbacks() {
    let Some(h) = Harness::new(&[("OPENAI_API_KEY", "sk-env-openai-key-4321")]) else {
        return;
    };
    let overview = h.engine.keys().overview().await.unwrap();
    let openai = overview
        .providers
        .iter()
        .find(|p| p.id == BuiltinProvider::OpenAi.id())
        .unwrap();
    assert_eq!(openai.key.source, KeySource::Environment);
    assert_eq!(openai.key.masked.as_deref(), Some("••••4321"));
    assert_eq!(openai.key.env_var.as_deref(), Some("OPENAI_API_KEY"));

    let err = h
        .engine
        .keys()
        .remove(BuiltinProvider::OpenAi.id())
        .await
        .unwrap_err();
    assert_eq!(err.info().code, ErrorCode::InvalidInput);
    assert!(
        err.info().message.contains("OPENAI_API_KEY"),
        "{}",
        err.info()
    );

    let overview = h
        .engine
        .keys()
        .set(BuiltinProvider::OpenAi.id(), "sk-keychain-wins-0000".into())
        .await
        .unwrap();
    let openai = &overview.providers[1];
    assert_eq!(openai.key.source, KeySource::Keychain, "a saved key wins");
    assert!(openai.key.env_shadowed);
}

#[tokio::test]
async fn bad_keys_are_refused_before_anything_is_stored() {
    let Some(h) = Harness::new(&[]) else { return };
    for bad in ["", "   ", "sk-with space-in-it"] {
        let err = h
            .engine
            .keys()
            .set(BuiltinProvider::Anthropic.id(), bad.into())
            .await
            .unwrap_err();
        assert_eq!(err.info().code, ErrorCode::InvalidInput, "{bad:?}");
    }
    assert_eq!(h.keychain_value("anthropic"), None);
    let unknown = "custom:00000000-0000-0000-0000-000000000000"
        .parse()
        .unwrap();
    let err = h
        .engine
        .keys()
        .set(unknown, "sk-valid-looking-key".into())
        .await
        .unwrap_err();
    assert_eq!(err.info().code, ErrorCode::NotFound);
}
