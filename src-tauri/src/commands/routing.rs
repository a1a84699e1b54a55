//! The Routing screen: routes, rules, limits and breaker settings; the explain view; circuits
//! and per-target figures.

use switchboard_engine::router::{Decision, RouteRequest, RouterConfig, RoutingHealth};
use tauri::AppHandle;

command! {
    /// The routing configuration in force.
    async fn routing_get(engine) -> RouterConfig {
        engine.routing().config()
    }
}

command! {
    /// Checks, saves and applies a configuration; rejects it whole (naming the item) if anything
    /// is wrong.
    async fn routing_save(engine, config: RouterConfig) -> RouterConfig {
        engine.routing().set_config(config).await?;
        engine.routing().config()
    }
}

command! {
    /// Where a sample request would go now, and why. Nothing is sent.
    async fn routing_explain(engine, request: RouteRequest) -> Decision {
        engine.routing().explain(request).await?
    }
}

command! {
    /// Every target's circuit and figures, and every rate limit's use.
    async fn routing_health(engine) -> RoutingHealth {
        engine.routing().health()
    }
}

command! {
    /// What the smart strategy has learned per task type, from outcomes, thumbs and votes.
    async fn routing_learned(engine) -> Vec<switchboard_engine::router::TaskLearning> {
        engine.routing().learned_preferences().await
    }
}

command! {
    /// Saves the configuration as a TOML file where the user chooses in the save dialog;
    /// resolves with its path, or `null` when they cancel.
    async fn routing_export(engine, app: AppHandle) -> Option<String> {
        let file = engine.routing().export_file()?;
        let Some(path) = crate::save_dialog::choose_path(&app, &file).await else {
            return Ok(None);
        };
        engine.write_export(path.clone(), file.bytes).await?;
        Some(path.display().to_string())
    }
}

command! {
    /// Replaces the configuration with a TOML document's; an error names the line.
    async fn routing_import(engine, toml: String) -> RouterConfig {
        engine.routing().import(&toml).await?
    }
}
