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
use tauri::{AppHandle, State};

use crate::error::IpcError;
use crate::state::AppState;

/// Whether a management key is saved (masked), and whether it is wrongly set for chatting too.
#[tauri::command]
#[specta::specta]
pub(crate) async fn team_management_key_status(
    state: State<'_, AppState>,
) -> Result<ManagementKeyStatus, IpcError> {
    Ok(state.engine()?.management_key_status().await?)
}

/// Checks `key` with OpenRouter and saves it as the management key; an inference key is
/// refused (`invalid_input`) and nothing is saved.
#[tauri::command]
#[specta::specta]
pub(crate) async fn team_management_key_save(
    state: State<'_, AppState>,
    key: String,
) -> Result<ManagementKeyStatus, IpcError> {
    Ok(state.engine()?.save_management_key(key).await?)
}

/// Removes the management key from this machine; the team's keys are untouched.
#[tauri::command]
#[specta::specta]
pub(crate) async fn team_management_key_remove(
    state: State<'_, AppState>,
) -> Result<ManagementKeyStatus, IpcError> {
    Ok(state.engine()?.remove_management_key().await?)
}

/// Every team key, disabled ones too; `onThisMachine` marks the keys saved here.
#[tauri::command]
#[specta::specta]
pub(crate) async fn team_keys_list(state: State<'_, AppState>) -> Result<Vec<TeamKey>, IpcError> {
    Ok(state.engine()?.team_keys().await?)
}

/// Makes a key for a member; the result's `secret` is shown once and never again.
#[tauri::command]
#[specta::specta]
pub(crate) async fn team_key_create(
    state: State<'_, AppState>,
    draft: TeamKeyDraft,
) -> Result<CreatedTeamKey, IpcError> {
    Ok(state.engine()?.create_team_key(draft).await?)
}

/// Renames, limits, disables or enables a key again; fields left out stay as they are.
#[tauri::command]
#[specta::specta]
pub(crate) async fn team_key_update(
    state: State<'_, AppState>,
    hash: String,
    change: TeamKeyChange,
) -> Result<TeamKey, IpcError> {
    Ok(state.engine()?.update_team_key(hash, change).await?)
}

/// Deletes a key for good.
#[tauri::command]
#[specta::specta]
pub(crate) async fn team_key_delete(
    state: State<'_, AppState>,
    hash: String,
) -> Result<(), IpcError> {
    Ok(state.engine()?.delete_team_key(hash).await?)
}

/// Every guardrail with the keys and members it is assigned to.
#[tauri::command]
#[specta::specta]
pub(crate) async fn team_guardrails_list(
    state: State<'_, AppState>,
) -> Result<Vec<Guardrail>, IpcError> {
    Ok(state.engine()?.guardrails().await?)
}

/// Makes a guardrail.
#[tauri::command]
#[specta::specta]
pub(crate) async fn team_guardrail_create(
    state: State<'_, AppState>,
    draft: GuardrailDraft,
) -> Result<Guardrail, IpcError> {
    Ok(state.engine()?.create_guardrail(draft).await?)
}

/// Replaces every setting of a guardrail; its assignments stay.
#[tauri::command]
#[specta::specta]
pub(crate) async fn team_guardrail_update(
    state: State<'_, AppState>,
    id: String,
    draft: GuardrailDraft,
) -> Result<Guardrail, IpcError> {
    Ok(state.engine()?.update_guardrail(id, draft).await?)
}

/// Deletes a guardrail.
#[tauri::command]
#[specta::specta]
pub(crate) async fn team_guardrail_delete(
    state: State<'_, AppState>,
    id: String,
) -> Result<(), IpcError> {
    Ok(state.engine()?.delete_guardrail(id).await?)
}

/// Assigns a guardrail to keys and members (replacing the one each had); resolves with it.
#[tauri::command]
#[specta::specta]
pub(crate) async fn team_guardrail_assign(
    state: State<'_, AppState>,
    id: String,
    targets: GuardrailTargets,
) -> Result<Guardrail, IpcError> {
    Ok(state.engine()?.assign_guardrail(id, targets, false).await?)
}

/// Takes a guardrail from keys and members; resolves with it.
#[tauri::command]
#[specta::specta]
pub(crate) async fn team_guardrail_unassign(
    state: State<'_, AppState>,
    id: String,
    targets: GuardrailTargets,
) -> Result<Guardrail, IpcError> {
    Ok(state.engine()?.assign_guardrail(id, targets, true).await?)
}

/// What each team key spent per model per UTC day over `range` (both days included).
#[tauri::command]
#[specta::specta]
pub(crate) async fn team_spend(
    state: State<'_, AppState>,
    range: DateRange,
) -> Result<TeamSpend, IpcError> {
    Ok(state.engine()?.team_spend(range).await?)
}

/// OpenRouter's figures against this machine's ledger for the team keys saved here.
#[tauri::command]
#[specta::specta]
pub(crate) async fn team_reconcile(
    state: State<'_, AppState>,
    range: DateRange,
) -> Result<Reconciliation, IpcError> {
    Ok(state.engine()?.team_reconciliation(range).await?)
}

/// The team's spend over `range` drawn as an SVG chart (by plotters, in Rust), one bar per
/// key, model or day, in the colours of the UI's current `theme`.
#[tauri::command]
#[specta::specta]
pub(crate) async fn team_spend_chart(
    state: State<'_, AppState>,
    range: DateRange,
    by: TeamChart,
    theme: ChartTheme,
) -> Result<String, IpcError> {
    let spend = state.engine()?.team_spend(range).await?;
    // The same size as Spend's chart: the reports crate sizes its text for it.
    drawn(move || team_spend_svg(&spend, by, theme, 800, 360)).await
}

/// Asks where to save the team's spend as CSV (every key, model and day), or its chart as SVG
/// or PNG (always the light chart), in a native save dialog, and writes it there; resolves
/// with the path, `null` if cancelled.
#[tauri::command]
#[specta::specta]
pub(crate) async fn team_spend_export(
    app: AppHandle,
    state: State<'_, AppState>,
    range: DateRange,
    by: TeamChart,
    file: SpendFile,
) -> Result<Option<String>, IpcError> {
    let engine = state.engine()?;
    let spend = engine.team_spend(range.clone()).await?;
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
    Ok(Some(path.display().to_string()))
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
