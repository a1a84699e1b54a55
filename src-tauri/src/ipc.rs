//! The single list of commands and events, used both to serve IPC and to generate
//! `ui/src/lib/ipc/bindings.ts`, so the two cannot drift.

use std::path::Path;

use specta_typescript::Typescript;
use tauri_specta::{Builder, ErrorHandlingMode, collect_commands, collect_events};

use crate::commands::{
    agents, app, chat, clients, links, local_api, models, providers, routing, settings, sign_in,
    spend, team,
};
use crate::events::{BudgetAlerted, ProvidersChanged, SettingsChanged};

pub(crate) fn builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        // Commands reject with `IpcError`; `ui/src/lib/ipc/client.ts` turns every rejection
        // (ours or Tauri's own) into one `AppError` class.
        .error_handling(ErrorHandlingMode::Throw)
        // One TS type per Rust type: our IPC types serialize and deserialize the same shape
        // (`#[serde(default)]` only fills gaps in old stored documents).
        .disable_serde_phases()
        // Every 64-bit integer that crosses IPC is a count or a millisecond timestamp, far
        // below 2^53, so a JS number holds it exactly. Money never travels as a number: `Usd`
        // is a decimal string.
        .dangerously_cast_bigints_to_number()
        .commands(collect_commands![
            app::app_info,
            app::first_paint_save,
            settings::settings_get,
            settings::settings_save,
            settings::last_conversation_get,
            settings::last_conversation_save,
            providers::providers_overview,
            providers::key_save,
            providers::key_remove,
            providers::key_test,
            providers::key_extra_add,
            providers::key_extra_remove,
            providers::key_enable,
            providers::custom_provider_add,
            providers::custom_provider_update,
            providers::custom_provider_remove,
            chat::conversation_list,
            chat::conversation_list_page,
            chat::conversation_open,
            chat::conversation_page,
            chat::conversation_create,
            chat::conversation_set_columns,
            chat::conversation_rename,
            chat::conversation_pin,
            chat::conversation_set_private,
            chat::conversation_delete,
            chat::conversation_continue_with,
            chat::conversation_select_version,
            chat::conversation_select_attempt,
            chat::chat_send,
            chat::chat_regenerate,
            chat::chat_edit_resend,
            chat::chat_stop,
            chat::chat_stop_all,
            chat::conversation_search,
            chat::conversation_export,
            chat::conversation_import,
            chat::models_list,
            models::models_browse,
            models::model_detail,
            models::served_models,
            models::model_prices,
            models::model_price_set,
            models::model_price_remove,
            links::link_open,
            routing::routing_get,
            routing::routing_save,
            routing::routing_explain,
            routing::routing_health,
            routing::routing_learned,
            routing::routing_export,
            routing::routing_import,
            spend::budgets_list,
            spend::budget_save,
            spend::budget_delete,
            spend::spend_report,
            spend::spend_chart,
            spend::spend_export,
            clients::client_keys_list,
            clients::client_key_create,
            clients::client_key_revoke,
            local_api::local_api_status,
            local_api::local_api_start,
            local_api::local_api_stop,
            chat::chat_predict,
            chat::answer_rate,
            agents::agent_templates,
            agents::agents_list,
            agents::agent_get,
            agents::agent_save,
            agents::agent_delete,
            agents::agent_memory_save,
            agents::agent_runs,
            agents::agent_run,
            agents::agent_stop,
            agents::agent_approve,
            agents::mcp_servers_list,
            agents::mcp_server_save,
            agents::mcp_server_delete,
            sign_in::openrouter_sign_in,
            sign_in::openrouter_sign_in_cancel,
            team::team_management_key_status,
            team::team_management_key_save,
            team::team_management_key_remove,
            team::team_keys_list,
            team::team_key_create,
            team::team_key_update,
            team::team_key_delete,
            team::team_guardrails_list,
            team::team_guardrail_create,
            team::team_guardrail_update,
            team::team_guardrail_delete,
            team::team_guardrail_assign,
            team::team_guardrail_unassign,
            team::team_spend,
            team::team_spend_chart,
            team::team_spend_export,
            team::team_reconcile,
        ])
        .events(collect_events![
            ProvidersChanged,
            SettingsChanged,
            BudgetAlerted
        ])
}

/// Writes the TypeScript bindings to `path`.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn export(path: &Path) -> Result<(), specta_typescript::Error> {
    builder().export(
        Typescript::default().header("// Generated from Rust by tauri-specta. Do not edit.\n"),
        path,
    )
}
