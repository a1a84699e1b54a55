//! OpenRouter team mode: the management key, the team's keys, guardrails, team spend and its
//! comparison with this machine's ledger. Thin wrappers over the engine; the management key
//! goes to the keychain and never comes back over IPC, and a new key's secret crosses once, in
//! [`CreatedTeamKey`]. Team spend is charted and exported by the reports crate, as Spend is.

use switchboard_core::{
    CreatedTeamKey, DateRange, ErrorCode, ErrorInfo, Guardrail, GuardrailDraft, GuardrailTargets,
    ManagementKeyStatus, Reconciliation, TeamKey, TeamKeyChange, TeamKeyDraft, TeamSpend,
};
use switchboard_engine::{ChartTheme, ExportFile};
use switchboard_reports::{ReportError, SpendFile, TeamChart, team_spend_csv, team_spend_svg};
use tauri::AppHandle;

use crate::error::IpcError;

command! {
    /// Whether a management key is saved (masked), and whether it is wrongly set for chatting too.
    async fn team_management_key_status(engine) -> ManagementKeyStatus {
        engine.team().management_key_status().await?
    }
}

command! {
    /// Checks `key` with OpenRouter and saves it as the management key; an inference key is
    /// refused (`invalid_input`) and nothing is saved.
    async fn team_management_key_save(engine, key: String) -> ManagementKeyStatus {
        engine.team().save_management_key(key).await?
    }
}

command! {
    /// Removes the management key from this machine; the team's keys are untouched.
    async fn team_management_key_remove(engine) -> ManagementKeyStatus {
        engine.team().remove_management_key().await?
    }
}

command! {
    /// Every team key, disabled ones too; `onThisMachine` marks the keys saved here.
    async fn team_keys_list(engine) -> Vec<TeamKey> {
        engine.team().keys().await?
    }
}

command! {
    /// Makes a key for a member; the result's `secret` is shown once and never again.
    async fn team_key_create(engine, draft: TeamKeyDraft) -> CreatedTeamKey {
        engine.team().create_key(draft).await?
    }
}

command! {
    /// Renames, limits, disables or enables a key again; fields left out stay as they are.
    async fn team_key_update(engine, hash: String, change: TeamKeyChange) -> TeamKey {
        engine.team().update_key(hash, change).await?
    }
}

command! {
    /// Deletes a key for good.
    async fn team_key_delete(engine, hash: String) -> () {
        engine.team().delete_key(hash).await?
    }
}

command! {
    /// Every guardrail with the keys and members it is assigned to.
    async fn team_guardrails_list(engine) -> Vec<Guardrail> {
        engine.team().guardrails().await?
    }
}

command! {
    /// Makes a guardrail.
    async fn team_guardrail_create(engine, draft: GuardrailDraft) -> Guardrail {
        engine.team().create_guardrail(draft).await?
    }
}

command! {
    /// Replaces every setting of a guardrail; its assignments stay.
    async fn team_guardrail_update(engine, id: String, draft: GuardrailDraft) -> Guardrail {
        engine.team().update_guardrail(id, draft).await?
    }
}

command! {
    /// Deletes a guardrail.
    async fn team_guardrail_delete(engine, id: String) -> () {
        engine.team().delete_guardrail(id).await?
    }
}

command! {
    /// Assigns a guardrail to keys and members (replacing the one each had); resolves with it.
    async fn team_guardrail_assign(engine, id: String, targets: GuardrailTargets) -> Guardrail {
        engine.team().assign_guardrail(id, targets, false).await?
    }
}

command! {
    /// Takes a guardrail from keys and members; resolves with it.
    async fn team_guardrail_unassign(engine, id: String, targets: GuardrailTargets) -> Guardrail {
        engine.team().assign_guardrail(id, targets, true).await?
    }
}

command! {
    /// What each team key spent per model per UTC day over `range` (both days included).
    async fn team_spend(engine, range: DateRange) -> TeamSpend {
        engine.team().spend(range).await?
    }
}

command! {
    /// OpenRouter's figures against this machine's ledger for the team keys saved here.
    async fn team_reconcile(engine, range: DateRange) -> Reconciliation {
        engine.team().reconciliation(range).await?
    }
}

command! {
    /// The team's spend over `range` drawn as an SVG chart (by plotters, in Rust), one bar per
    /// key, model or day, in the colours of the UI's current `theme`.
    async fn team_spend_chart(
        engine,
        range: DateRange,
        by: TeamChart,
        theme: ChartTheme,
    ) -> String {
        let spend = engine.team().spend(range).await?;
        // The same size as Spend's chart: the reports crate sizes its text for it.
        drawn(move || team_spend_svg(&spend, by, theme, 800, 360)).await?
    }
}

command! {
    /// Asks where to save the team's spend as CSV (every key, model and day), or its chart as SVG
    /// or PNG (always the light chart), in a native save dialog, and writes it there; resolves
    /// with the path, `null` if cancelled.
    async fn team_spend_export(
        engine,
        app: AppHandle,
        range: DateRange,
        by: TeamChart,
        file: SpendFile,
    ) -> Option<String> {
        let spend = engine.team().spend(range.clone()).await?;
        let stem = format!(
            "switchboard-team-spend-{}-to-{}",
            range.since.get(..10).unwrap_or_default(),
            range.until.get(..10).unwrap_or_default()
        );
        let (ext, bytes) = match file {
            SpendFile::Csv => ("csv", team_spend_csv(&spend).into_bytes()),
            SpendFile::Svg => {
                let svg =
                    drawn(move || team_spend_svg(&spend, by, ChartTheme::Light, 800, 400)).await?;
                ("svg", svg.into_bytes())
            }
            SpendFile::Png => {
                let png = drawn(move || {
                    let svg = team_spend_svg(&spend, by, ChartTheme::Light, 800, 400)?;
                    switchboard_reports::svg_to_png(&svg, 2.0)
                })
                .await?;
                ("png", png)
            }
        };
        let file = ExportFile {
            name: format!("{stem}.{ext}"),
            bytes,
        };
        let Some(path) = crate::save_dialog::choose_path(&app, &file).await else {
            return Ok(None);
        };
        engine.write_export(path.clone(), file.bytes).await?;
        Some(path.display().to_string())
    }
}

/// Runs a chart drawing off the async runtime (plotters and resvg are CPU work).
async fn drawn<T: Send + 'static>(
    draw: impl FnOnce() -> Result<T, ReportError> + Send + 'static,
) -> Result<T, IpcError> {
    let internal = |context: String| IpcError::from(ErrorInfo::new(ErrorCode::Internal, context));
    tokio::task::spawn_blocking(draw)
        .await
        .map_err(|e| internal(format!("The chart could not be drawn: {e}.")))?
        .map_err(|e| internal(format!("The chart could not be drawn: {e}.")))
}
