//! Client keys: one per tool that calls the local API (Claude Code, Cursor, aider, a script),
//! so that every request through it is attributed to a tool, limited by that tool's budgets
//! and shown in spend by client.
//!
//! A key is `sb-` and 43 characters of URL-safe base64: 32 bytes from the operating system's
//! random source, shown to the person once, when it is created. The database keeps only its
//! SHA-256, so a copy of the database gives no one a working key.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use switchboard_core::{Budget, BudgetPeriod, BudgetScope, CLIENT_KEY_PREFIX, ClientKeyView, Usd};
use switchboard_router::{RouteRequest, is_unsafe_char};
use switchboard_store::{LAST_USED_GRANULARITY_MS, NewClientKey, StoreError};

use crate::{Engine, EngineError};

/// A client key just created, with the key itself: the only time it crosses to the UI,
/// which shows it once for the user to copy (only its hash is kept).
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "camelCase")]
pub struct CreatedClientKey {
    /// The key as it may be shown (masked).
    pub key: ClientKeyView,
    /// The key itself.
    pub secret: String,
}

handle! {
    /// Client keys for the local API.
    Clients, clients
}

/// The longest name a client key may have, in characters: names appear in rules, tables and
/// set-up snippets, where a longer one helps no one.
pub const MAX_CLIENT_NAME_CHARS: usize = 64;

/// Random bytes in a key: 256 bits, past any guessing.
const SECRET_BYTES: usize = 32;

/// The longest text worth hashing as a key; a real one is 46 characters. Anything longer is
/// refused before any work is done on it.
const MAX_PRESENTED_CHARS: usize = 256;

/// A tool whose key was accepted: who sent a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Client {
    /// The key's id, recorded on the ledger and counted by client budgets.
    pub id: String,
    /// The key's name, which routing rules match.
    pub name: String,
}

impl Client {
    /// Marks `route` as sent by this client: its name for the rules, its id for the ledger
    /// and the budgets.
    pub fn attribute(&self, route: &mut RouteRequest) {
        route.client = Some(self.name.clone());
        route.client_id = Some(self.id.clone());
    }
}

/// The hex SHA-256 of a key, as stored. A fast hash is right here: a key holds 256 random bits,
/// so no amount of hashing speed makes guessing it feasible (GitHub and Stripe store their
/// tokens the same way), while a slow password hash would slow every request.
fn hash(secret: &str) -> String {
    format!("{:x}", Sha256::digest(secret.as_bytes()))
}

/// A new key from the operating system's random source.
fn new_secret() -> Result<String, EngineError> {
    let mut bytes = [0_u8; SECRET_BYTES];
    getrandom::fill(&mut bytes).map_err(|e| EngineError::Internal {
        context: format!("the operating system gave no random bytes for a new key: {e}"),
    })?;
    Ok(format!(
        "{CLIENT_KEY_PREFIX}{}",
        URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// Checks a client key's name (trimmed): 1 to 64 characters of visible text.
fn check_client_name(name: &str) -> Result<String, EngineError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(EngineError::invalid(
            "Give the client key a name, such as the tool that will use it (claude-code, cursor).",
        ));
    }
    let chars = name.chars().count();
    if chars > MAX_CLIENT_NAME_CHARS {
        return Err(EngineError::invalid(format!(
            "The name is {chars} characters long; a client key's name has at most \
             {MAX_CLIENT_NAME_CHARS}. Nothing was created."
        )));
    }
    if let Some(c) = name.chars().find(|c| is_unsafe_char(*c)) {
        return Err(EngineError::invalid(format!(
            "The name contains the invisible character U+{:04X}; a client key's name may hold \
             only visible text. Nothing was created.",
            u32::from(c)
        )));
    }
    Ok(name.to_owned())
}

impl Engine {
    /// The id of the client key named `name_or_id` (regardless of case) or with that id, for a
    /// budget scoped to it.
    pub(crate) async fn client_key_id(&self, name_or_id: &str) -> Result<String, EngineError> {
        let wanted = name_or_id.trim().to_owned();
        let found = self
            .blocking(move |inner| Ok(inner.store.client_key(&wanted)?))
            .await?;
        found.map(|k| k.id).ok_or_else(|| {
            EngineError::invalid(format!(
                "There is no client key named \"{}\". Create one with `switchboard api-keys \
                 create` (or in the app's Local API section), or check `switchboard api-keys \
                 list`.",
                name_or_id.trim()
            ))
        })
    }
}

impl crate::Clients<'_> {
    /// Creates a client key named `name` and returns it as it may be shown, with the key
    /// itself: the only time it exists outside the tool it is given to, since only its hash
    /// is kept. With `budget`, the key gets a hard budget of that amount per period, created
    /// in the same transaction.
    #[tracing::instrument(skip_all, fields(name = %name), err(Debug))]
    pub async fn create(
        &self,
        name: &str,
        budget: Option<(Usd, BudgetPeriod)>,
    ) -> Result<CreatedClientKey, EngineError> {
        let name = check_client_name(name)?;
        if let Some((limit, _)) = budget
            && limit.is_negative()
        {
            return Err(EngineError::invalid("A budget's limit cannot be negative."));
        }
        let secret = new_secret()?;
        let hashed = hash(&secret);
        let id = uuid::Uuid::now_v7().to_string();
        let last4: String = secret
            .chars()
            .skip(secret.chars().count().saturating_sub(4))
            .collect();
        let budget = budget.map(|(limit, period)| Budget {
            id: uuid::Uuid::now_v7().to_string(),
            name: name.clone(),
            scope: BudgetScope::Client,
            scope_value: Some(id.clone()),
            scope_label: Some(name.clone()),
            period,
            limit,
            alerts: vec![50, 80, 100],
            hard: true,
        });
        let shown = name.clone();
        let view = self
            .blocking(move |inner| {
                let key = NewClientKey {
                    id: &id,
                    name: &name,
                    hash: &hashed,
                    last4: &last4,
                };
                Ok(inner.store.insert_client_key(key, budget.as_ref())?)
            })
            .await
            .map_err(|e| match e {
                EngineError::Store(s) if matches!(s.kind(), StoreError::Duplicate { .. }) => {
                    EngineError::invalid(format!(
                        "A client key is already named \"{shown}\" (revoked keys keep their \
                         names, so their spend still reads as theirs). Nothing was created; \
                         choose another name."
                    ))
                }
                other => other,
            })?;
        Ok(CreatedClientKey { key: view, secret })
    }

    /// Every client key, revoked ones included, oldest first, as they may be shown.
    pub async fn list(&self) -> Result<Vec<ClientKeyView>, EngineError> {
        self.blocking(|inner| Ok(inner.store.client_keys()?)).await
    }

    /// Revokes the client key with this name (regardless of case) or id: requests with it are
    /// refused from now on by this process, and within a second by any other process serving
    /// the local API on this database (see `fresh.rs`). It stays listed, with its name,
    /// so its spend still reads as that tool's.
    #[tracing::instrument(skip_all, fields(key = %name_or_id), err(Debug))]
    pub async fn revoke(&self, name_or_id: &str) -> Result<ClientKeyView, EngineError> {
        let wanted = name_or_id.trim().to_owned();
        let shown = wanted.clone();
        self.blocking(move |inner| Ok(inner.store.revoke_client_key(&wanted)?))
            .await
            .map_err(|e| match e {
                EngineError::Store(s) if matches!(s.kind(), StoreError::NotFound { .. }) => {
                    EngineError::invalid(format!(
                        "There is no client key named \"{shown}\", so nothing was revoked. \
                         `switchboard api-keys list` shows every key."
                    ))
                }
                other => other,
            })
    }

    /// The client a presented key belongs to, or `None` when it is no valid key (unknown,
    /// revoked, or not a key at all). Notes when the key was last used, at most once a minute.
    ///
    /// No constant-time comparison is needed: the key is hashed first and the hash looked up
    /// in an index, so timing could at most reveal how far a hash matched a stored one, and
    /// choosing keys whose hashes match a stored hash further would take inverting SHA-256.
    pub async fn authenticate(&self, secret: &str) -> Result<Option<Client>, EngineError> {
        let secret = secret.trim();
        if !secret.starts_with(CLIENT_KEY_PREFIX) || secret.len() > MAX_PRESENTED_CHARS {
            return Ok(None);
        }
        let hashed = hash(secret);
        let now = switchboard_store::now_unix_ms();
        let revision = crate::fresh::revision(&self.inner);
        let seen = &self.inner.seen.clients;
        // A key in steady use is known without asking the database, and costs a write only
        // once a minute, to note it was used.
        if let Some(known) = seen.get(&hashed, revision) {
            let (client, last_used) = &*known;
            if last_used.is_some_and(|at| now - at < LAST_USED_GRANULARITY_MS) {
                return Ok(Some(client.clone()));
            }
        }
        let found = self
            .blocking(move |inner| {
                let Some(key) = inner.store.client_key_by_hash(&hashed)? else {
                    return Ok(None);
                };
                let mut last_used = key.last_used_ms;
                if last_used.is_none_or(|at| now - at >= LAST_USED_GRANULARITY_MS) {
                    match inner.store.touch_client_key(&key.id, now) {
                        Ok(_) => last_used = Some(now),
                        // Who sent the request is known; when the key was last used is a
                        // nicety.
                        Err(e) => {
                            tracing::warn!(error = %e, "could not note when a client key was used")
                        }
                    }
                }
                let client = Client {
                    id: key.id,
                    name: key.name,
                };
                Ok(Some((hashed, client, last_used)))
            })
            .await?;
        // Unknown keys are not kept: a client making keys up must not fill the map.
        Ok(found.map(|(hashed, client, last_used)| {
            seen.keep(hashed, revision, (client.clone(), last_used));
            client
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_prefixed_url_safe_and_different_every_time() {
        let a = new_secret().unwrap();
        let b = new_secret().unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("sb-"), "{a}");
        assert_eq!(a.len(), 3 + 43, "32 bytes of unpadded base64: {a}");
        assert!(
            a[3..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
            "safe in a header, a URL and a shell: {a}"
        );
    }

    #[test]
    fn the_hash_is_sha256_in_hex() {
        // The SHA-256 test vector for "abc" (FIPS 180-2).
        assert_eq!(
            hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn names_are_visible_text_of_at_most_64_characters() {
        assert_eq!(check_client_name("  claude-code ").unwrap(), "claude-code");
        assert!(check_client_name(&"n".repeat(64)).is_ok());
        assert!(check_client_name(&"n".repeat(65)).is_err());
        assert!(check_client_name("   ").is_err());
        assert!(check_client_name("evil\u{1b}[2J").is_err());
        assert!(check_client_name("abc\u{202e}cba").is_err());
        assert!(check_client_name("日本語").is_ok());
    }
}
