//! The engine with a real database file: a blank routing document does not wipe the
//! configuration unless the caller says so (D15), and storage failures reach the front ends
//! with the file named and the right code (D16).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use switchboard_engine::core::ErrorCode;
use switchboard_engine::{DataDir, Engine, EngineConfig, EngineError, Environment};

const ROUTING: &str = r#"
[[routes]]
name = "code"
[[routes.targets]]
provider = "openrouter"
model = "first/model"

[[rules]]
name = "code questions"
when = { task = ["code"] }
then = { route = "code" }
"#;

fn open(dir: &std::path::Path) -> Result<Engine, EngineError> {
    Engine::open(EngineConfig {
        data_dir: DataDir::at(dir),
        keychain_service: "switchboard-engine-tests-unused".to_owned(),
        environment: Environment::from_pairs([("SWITCHBOARD_DATA_DIR", dir.to_str().unwrap())]),
    })
}

#[tokio::test]
async fn a_blank_routing_document_replaces_nothing_unless_the_caller_confirms() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(dir.path()).unwrap();
    engine.routing().import(ROUTING).await.unwrap();

    for blank in ["", "   \n\n", "# exported by hand, then emptied\n"] {
        let err = engine.routing().import(blank).await.unwrap_err();
        let info = err.info();
        assert_eq!(info.code, ErrorCode::InvalidInput, "{blank:?}");
        assert!(
            info.message
                .contains("would delete the whole routing configuration"),
            "{info:?}"
        );
        let err = engine
            .routing()
            .import_with(blank, false)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("Nothing was changed"), "{err}");
        assert_eq!(
            engine.routing().config().routes.len(),
            1,
            "kept after {blank:?}"
        );
    }

    let config = engine
        .routing()
        .import_with("# start over\n", true)
        .await
        .unwrap();
    assert!(config.routes.is_empty() && config.rules.is_empty());
    assert!(engine.routing().config().routes.is_empty());
    drop(engine);
    assert!(
        open(dir.path())
            .unwrap()
            .routing()
            .config()
            .routes
            .is_empty(),
        "the empty configuration was stored"
    );
}

#[tokio::test]
async fn a_configuration_past_the_bounds_is_refused_and_the_old_one_kept() {
    let dir = tempfile::tempdir().unwrap();
    let engine = open(dir.path()).unwrap();
    engine.routing().import(ROUTING).await.unwrap();
    let hang = ROUTING.replace(
        "model = \"first/model\"",
        "model = \"first/model\"\n[routes.failover]\nmode = \"delayed\"\nwait_ms = 4294967295",
    );
    let err = engine.routing().import(&hang).await.unwrap_err();
    assert!(err.to_string().starts_with("line 2: "), "{err}");

    let mut config = engine.routing().config();
    config.routes[0].failover.retries_per_target = u32::MAX;
    let err = engine.routing().set_config(config).await.unwrap_err();
    assert!(err.to_string().contains("retries_per_target"), "{err}");
    assert_eq!(
        engine.routing().config().routes[0]
            .failover
            .retries_per_target,
        1
    );
}

#[test]
fn a_damaged_database_is_a_storage_error_that_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("switchboard.db");
    std::fs::write(&db, vec![0x5a_u8; 16 * 1024]).unwrap();
    let info = open(dir.path()).unwrap_err().info();
    assert_eq!(info.code, ErrorCode::Storage);
    assert!(
        info.message
            .starts_with(&format!("{} is damaged (", db.display())),
        "{info:?}"
    );
}

#[test]
fn a_full_disk_keeps_its_code_when_the_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("switchboard.db");
    let located = switchboard_store_error_disk_full().in_file(&db);
    let info = EngineError::from(located).info();
    assert_eq!(info.code, ErrorCode::DiskFull);
    assert!(info.message.contains(&db.display().to_string()), "{info:?}");
    assert!(
        info.message.contains("nothing saved earlier was lost"),
        "{info:?}"
    );
}

/// A real SQLITE_FULL from a database capped at its current size.
fn switchboard_store_error_disk_full() -> switchboard_store::StoreError {
    let dir = tempfile::tempdir().unwrap();
    let store = switchboard_store::Store::open(&dir.path().join("capped.db")).unwrap();
    store.cap_size(0).unwrap();
    store
        .put_setting("big", &"x".repeat(64 * 1024))
        .unwrap_err()
}
