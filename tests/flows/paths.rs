//! The data directory and the engine's view of it.

use switchboard_engine::{DataDir, Environment};

#[test]
fn switchboard_data_dir_overrides_the_os_directory() {
    let env = Environment::from_pairs([("SWITCHBOARD_DATA_DIR", "/tmp/sb-elsewhere")]);
    let dir = DataDir::resolve(&env).unwrap();
    assert_eq!(dir.path(), std::path::Path::new("/tmp/sb-elsewhere"));
    assert_eq!(
        dir.db_path(),
        std::path::Path::new("/tmp/sb-elsewhere/switchboard.db")
    );
    assert_eq!(
        dir.logs_dir(),
        std::path::Path::new("/tmp/sb-elsewhere/logs")
    );
}

#[test]
fn without_an_override_the_directory_is_named_switchboard_not_after_the_bundle() {
    let dir = DataDir::resolve(&Environment::default()).unwrap();
    assert_eq!(dir.path().file_name().unwrap(), "switchboard");
}
