//! Client keys for the local API: the keys tools on this machine (Claude Code, Cursor, a
//! script) send, one per tool, so each tool's spend is told apart and can be limited.

use serde::Deserialize;
use switchboard_core::{BudgetPeriod, ClientKeyView, Usd};
use switchboard_engine::CreatedClientKey;

/// A hard budget to give a new client key.
#[derive(Debug, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ClientKeyBudget {
    limit: Usd,
    period: BudgetPeriod,
}

command! {
    /// Every client key, revoked ones included, oldest first (masked).
    async fn client_keys_list(engine) -> Vec<ClientKeyView> {
        engine.clients().list().await?
    }
}

command! {
    /// Creates a client key named `name`, with a hard budget if one is given.
    async fn client_key_create(
        engine,
        name: String,
        budget: Option<ClientKeyBudget>,
    ) -> CreatedClientKey {
        engine
            .clients()
            .create(&name, budget.map(|b| (b.limit, b.period)))
            .await?
    }
}

command! {
    /// Revokes the client key with this name or id; resolves with it as it now stands.
    async fn client_key_revoke(engine, name_or_id: String) -> ClientKeyView {
        engine.clients().revoke(&name_or_id).await?
    }
}
