//! Switchboard's desktop shell: the window, the typed IPC commands and events, logging.
//!
//! The only crate that depends on Tauri. It holds no domain logic: each command is a thin
//! wrapper that calls `switchboard-engine` and converts its error into the IPC envelope, so
//! nothing here needs testing beyond "every command is registered and the bindings are fresh".

mod background;
mod commands;
mod consent;
mod error;
mod events;
mod first_paint;
mod ipc;
mod logging;
mod rendering;
mod save_dialog;
mod startup;
mod state;

use switchboard_engine::{Engine, EngineConfig};

use crate::state::AppState;

/// Builds and runs the app until its last window closes.
pub fn run() {
    rendering::apply_before_threads();
    if let Some(why) = no_display() {
        // tao panics with a backtrace here; a person needs the reason and the way out.
        eprintln!(
            "switchboard-desktop: {why}. Run it in a desktop session, or without a screen under \
             `xvfb-run switchboard-desktop`. The command line (`switchboard`) needs no display."
        );
        std::process::exit(1);
    }
    let config = EngineConfig::from_process();
    let log_dir = config.as_ref().ok().map(|c| c.data_dir.logs_dir());
    let log_guard = logging::init(log_dir.as_deref());
    // The engine opens (and migrates the database) before the window exists, so the UI never
    // sees a half-migrated store. A failure does not crash the app: the UI shows it instead.
    let engine = config.and_then(Engine::open).map_err(|e| {
        tracing::error!(error = ?e, "the engine could not start");
        e.info()
    });
    let builder = ipc::builder();
    let checker = engine.as_ref().ok().cloned();
    let mut context = tauri::generate_context!();
    let keeper = first_paint::install(&mut context, checker.as_ref().map(Engine::first_paint));
    let result = tauri::Builder::default()
        .plugin(tauri_plugin_notification::init())
        .plugin(tauri_plugin_dialog::init())
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            if let Some(engine) = &checker {
                background::start(app.handle(), engine);
            }
            commands::local_api::start_with_app(app.handle());
            Ok(())
        })
        .manage(AppState::new(engine))
        .manage(log_guard)
        .manage(keeper)
        .run(context);
    if let Err(err) = result {
        tracing::error!(error = %err, "the app stopped with an error");
        std::process::exit(1);
    }
}

/// Why no window can be opened here, on systems whose windows need a display server.
fn no_display() -> Option<&'static str> {
    let set = |var: &str| std::env::var_os(var).is_some_and(|v| !v.is_empty());
    let needs_one = cfg!(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "openbsd",
        target_os = "netbsd",
        target_os = "dragonfly"
    ));
    (needs_one && !set("DISPLAY") && !set("WAYLAND_DISPLAY"))
        .then_some("no display (neither DISPLAY nor WAYLAND_DISPLAY is set)")
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    fn json(relative: &str) -> serde_json::Value {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(relative);
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// The security baseline: scripts only from the app itself, no inline script or style, no
    /// network from the webview except IPC, no frames or plugins. Model output will be rendered
    /// in this webview, so loosening any of these needs a deliberate change here.
    #[test]
    fn csp_is_strict() {
        let conf = json("tauri.conf.json");
        let csp = &conf["app"]["security"]["csp"];
        let directive = |name: &str| csp[name].as_str().unwrap_or_default().to_owned();
        assert_eq!(directive("default-src"), "'self'");
        assert_eq!(directive("script-src"), "'self'");
        assert_eq!(directive("style-src"), "'self'");
        assert_eq!(directive("connect-src"), "ipc: http://ipc.localhost");
        assert_eq!(directive("object-src"), "'none'");
        assert_eq!(directive("frame-src"), "'none'");
        let all = csp.to_string();
        for forbidden in ["unsafe-inline", "unsafe-eval", "http:", "https:", "*"] {
            let hits = all.matches(forbidden).count();
            let allowed = usize::from(forbidden == "http:"); // http://ipc.localhost only
            assert!(hits <= allowed, "CSP must not contain {forbidden}: {all}");
        }
        assert_eq!(
            conf["app"]["security"]["dangerousDisableAssetCspModification"],
            serde_json::Value::Null
        );
    }

    /// The window may listen to our app-wide events and nothing else of Tauri's core API.
    #[test]
    fn capabilities_grant_only_what_is_used() {
        let cap = json("capabilities/main.json");
        assert_eq!(
            cap["permissions"],
            serde_json::json!(["core:event:allow-listen", "core:event:allow-unlisten"])
        );
        assert_eq!(cap["windows"], serde_json::json!(["main"]));
    }

    /// The committed TypeScript bindings must match what the Rust types produce. Run with
    /// `SWITCHBOARD_BLESS=1` to rewrite them after changing a command or an IPC type.
    #[test]
    fn bindings_are_fresh() {
        let committed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/ipc/bindings.ts");
        let dir = std::env::temp_dir().join(format!("switchboard-bindings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let fresh = dir.join("bindings.ts");
        crate::ipc::export(&fresh).unwrap();
        let fresh_text = std::fs::read_to_string(&fresh).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        if std::env::var_os("SWITCHBOARD_BLESS").is_some() {
            std::fs::write(&committed, &fresh_text).unwrap();
            return;
        }
        let committed_text = std::fs::read_to_string(&committed).unwrap_or_default();
        assert!(
            committed_text == fresh_text,
            "ui/src/lib/ipc/bindings.ts is stale; run `SWITCHBOARD_BLESS=1 cargo test -p \
             switchboard-desktop bindings_are_fresh` and commit the result"
        );
    }
}
