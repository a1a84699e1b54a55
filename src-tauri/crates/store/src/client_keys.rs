//! The `client_key` table: the keys tools on this machine send to the local API, kept only as
//! hashes (see migration 7), with when each was created, revoked and last used.

use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};
use switchboard_core::{Budget, ClientKeyView, mask_client_key};

use crate::{Store, StoreError, now_ms};

const ENTITY: &str = "client key";

/// How long a key's `last_used_ms` may lag: a key used within this long is not written again,
/// so a busy tool costs the database one write a minute rather than one per request.
pub const LAST_USED_GRANULARITY_MS: i64 = 60_000;

/// A client key about to be stored: everything but the key itself.
#[derive(Debug, Clone, Copy)]
pub struct NewClientKey<'a> {
    /// Its id (a UUID v7).
    pub id: &'a str,
    /// The tool's name, unique regardless of case.
    pub name: &'a str,
    /// The hex SHA-256 of the key.
    pub hash: &'a str,
    /// The key's last four characters, for display.
    pub last4: &'a str,
}

const COLUMNS: &str = "id, name, last4, created_ms, revoked_ms, last_used_ms";

fn view(r: &Row<'_>) -> rusqlite::Result<ClientKeyView> {
    Ok(ClientKeyView {
        id: r.get(0)?,
        name: r.get(1)?,
        masked: mask_client_key(&r.get::<_, String>(2)?),
        created_ms: r.get(3)?,
        revoked_ms: r.get(4)?,
        last_used_ms: r.get(5)?,
    })
}

/// The id of the key whose id is `id_or_name`, else of the one named so (regardless of case).
const BY_ID_OR_NAME: &str = "(SELECT id FROM client_key WHERE id = ?1
     UNION ALL SELECT id FROM client_key WHERE name = ?1 LIMIT 1)";

impl Store {
    /// Stores a new client key and, when `budget` is given (scoped to the key), its budget,
    /// in one transaction: a key is never left without the budget it was created with.
    /// `Duplicate` when the name is taken, revoked keys included.
    pub fn insert_client_key(
        &self,
        key: NewClientKey<'_>,
        budget: Option<&Budget>,
    ) -> Result<ClientKeyView, StoreError> {
        let mut conn = self.config_conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO client_key (id, name, hash, last4, created_ms)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![key.id, key.name, key.hash, key.last4, now_ms()],
        )
        .map_err(|e| StoreError::unique_violation(e, ENTITY, key.name))?;
        if let Some(budget) = budget {
            crate::spend::save_budget(&tx, budget)?;
        }
        let stored = tx.query_row(
            &format!("SELECT {COLUMNS} FROM client_key WHERE id = ?1"),
            [key.id],
            view,
        )?;
        tx.commit()?;
        Ok(stored)
    }

    /// Every client key, revoked ones included, oldest first.
    pub fn client_keys(&self) -> Result<Vec<ClientKeyView>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare(&format!(
            "SELECT {COLUMNS} FROM client_key ORDER BY created_ms, id"
        ))?;
        let rows = stmt.query_map([], view)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The key with this id, else the one with this name (regardless of case), revoked or not.
    pub fn client_key(&self, id_or_name: &str) -> Result<Option<ClientKeyView>, StoreError> {
        Ok(self
            .conn()?
            .query_row(
                &format!("SELECT {COLUMNS} FROM client_key WHERE id = {BY_ID_OR_NAME}"),
                [id_or_name],
                view,
            )
            .optional()?)
    }

    /// Revokes the key with this id, else the one with this name; it stays listed, with its
    /// name, so its spend still reads as that tool. Revoking a revoked key changes nothing.
    /// `NotFound` when there is no such key.
    pub fn revoke_client_key(&self, id_or_name: &str) -> Result<ClientKeyView, StoreError> {
        self.config_conn()?
            .query_row(
                &format!(
                    "UPDATE client_key SET revoked_ms = COALESCE(revoked_ms, ?2)
                     WHERE id = {BY_ID_OR_NAME} RETURNING {COLUMNS}"
                ),
                params![id_or_name, now_ms()],
                view,
            )
            .optional()?
            .ok_or_else(|| StoreError::not_found(ENTITY, id_or_name))
    }

    /// The valid (unrevoked) key whose hash is `hash`, if any.
    pub fn client_key_by_hash(&self, hash: &str) -> Result<Option<ClientKeyView>, StoreError> {
        // Every local API request asks: cached, so SQLite parses it once per connection.
        Ok(self
            .conn()?
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM client_key WHERE hash = ?1 AND revoked_ms IS NULL"
            ))?
            .query_row([hash], view)
            .optional()?)
    }

    /// Notes that the key was used at `at_ms`, unless that was already noted less than
    /// [`LAST_USED_GRANULARITY_MS`] earlier; whether anything was written.
    pub fn touch_client_key(&self, id: &str, at_ms: i64) -> Result<bool, StoreError> {
        let changed = self.conn()?.execute(
            "UPDATE client_key SET last_used_ms = ?2
             WHERE id = ?1 AND (last_used_ms IS NULL OR last_used_ms <= ?2 - ?3)",
            params![id, at_ms, LAST_USED_GRANULARITY_MS],
        )?;
        Ok(changed > 0)
    }
}
