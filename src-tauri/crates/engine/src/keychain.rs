//! API keys in the OS keychain, through the `keyring` crate.
//!
//! Secret Service on Linux (gnome-keyring, KWallet), Keychain on macOS, Credential Manager on
//! Windows. Calls block (D-Bus round trips on Linux), so the engine makes them from
//! `spawn_blocking`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use switchboard_core::{ApiKey, KeychainStatus, ProviderId};

/// The account name used only to see whether the keychain answers.
const PROBE_ACCOUNT: &str = "switchboard-probe";

/// How long a key read from the keychain is used before it is read again. Every request needs
/// its provider's key, and a Secret Service read is a D-Bus round trip of about a millisecond:
/// at local-API rates that would be most of the time Switchboard adds. Keys this process saves
/// or deletes update the cache at once; a change made by another process (the CLI beside the
/// app) is seen within this long.
const FRESH: Duration = Duration::from_secs(5);

/// Recent keychain answers, shared by the clones of one [`Keychain`].
#[derive(Debug, Default)]
struct Recent {
    keys: HashMap<String, (Instant, Option<ApiKey>)>,
    status: Option<(Instant, KeychainStatus)>,
    /// Keys this process saved or deleted, counted: see [`Keychain::revision`].
    writes: u64,
}

/// A keychain failure.
#[derive(Debug, thiserror::Error)]
pub enum KeychainError {
    /// No keychain could be reached (no Secret Service on the bus, locked and no prompt...).
    #[error("the OS keychain ({backend}) is not reachable: {detail}")]
    Unavailable {
        /// Which backend was tried.
        backend: &'static str,
        /// What the OS said.
        detail: String,
    },
    /// The keychain answered but refused or returned something unusable.
    #[error("the OS keychain failed: {detail}")]
    Failed {
        /// What the OS said.
        detail: String,
    },
}

/// The keys of one keychain service (`switchboard` for the app and CLI).
#[derive(Debug, Clone)]
pub struct Keychain {
    service: String,
    recent: Arc<Mutex<Recent>>,
}

impl Keychain {
    /// Keys stored under `service`.
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
            recent: Arc::default(),
        }
    }

    fn recent(&self) -> std::sync::MutexGuard<'_, Recent> {
        self.recent.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The backend's name, for messages.
    pub fn backend_name() -> &'static str {
        if cfg!(target_os = "macos") {
            "macOS Keychain"
        } else if cfg!(target_os = "windows") {
            "Windows Credential Manager"
        } else {
            "Secret Service"
        }
    }

    /// Whether the keychain answers right now.
    pub fn status(&self) -> KeychainStatus {
        if let Some((at, status)) = &self.recent().status
            && at.elapsed() < FRESH
        {
            return status.clone();
        }
        let status = self.probe();
        self.recent().status = Some((Instant::now(), status.clone()));
        status
    }

    fn probe(&self) -> KeychainStatus {
        let answer = self
            .entry(PROBE_ACCOUNT)
            .and_then(|e| e.get_password().map(drop));
        let failure = match answer {
            Ok(()) | Err(keyring::Error::NoEntry) => None,
            Err(err) => Some(err.to_string()),
        };
        KeychainStatus {
            available: failure.is_none(),
            backend: Self::backend_name().to_owned(),
            detail: failure,
        }
    }

    /// The stored key for `provider`, if any.
    pub fn get(&self, provider: &ProviderId) -> Result<Option<ApiKey>, KeychainError> {
        self.get_account(provider.as_str())
    }

    /// The keychain account of a provider's further key labelled `label`.
    pub(crate) fn extra_account(provider: &ProviderId, label: &str) -> String {
        format!("{provider}#{label}")
    }

    /// The key stored under `account`, if any.
    pub(crate) fn get_account(&self, account: &str) -> Result<Option<ApiKey>, KeychainError> {
        if let Some((at, key)) = self.recent().keys.get(account)
            && at.elapsed() < FRESH
        {
            return Ok(key.clone());
        }
        let key = match self.entry(account)?.get_password() {
            Ok(secret) => ApiKey::parse(&secret).ok(),
            Err(keyring::Error::NoEntry) => None,
            Err(err) => return Err(err.into()),
        };
        self.recent()
            .keys
            .insert(account.to_owned(), (Instant::now(), key.clone()));
        Ok(key)
    }

    /// Stores (or replaces) the key for `provider`.
    pub fn set(&self, provider: &ProviderId, key: &ApiKey) -> Result<(), KeychainError> {
        self.set_account(provider.as_str(), key)
    }

    /// Stores (or replaces) the key under `account`.
    pub(crate) fn set_account(&self, account: &str, key: &ApiKey) -> Result<(), KeychainError> {
        self.recent().keys.remove(account);
        let saved = self.entry(account)?.set_password(key.expose());
        let mut recent = self.recent();
        recent.writes += 1;
        saved?;
        recent
            .keys
            .insert(account.to_owned(), (Instant::now(), Some(key.clone())));
        Ok(())
    }

    /// A number that changes whenever this process saves or deletes a key, so what was worked
    /// out from the keys (which providers have one, which key is next) can tell it is stale.
    pub(crate) fn revision(&self) -> u64 {
        self.recent().writes
    }

    /// Deletes the key for `provider`; `Ok(false)` when there was none.
    pub fn delete(&self, provider: &ProviderId) -> Result<bool, KeychainError> {
        self.delete_account(provider.as_str())
    }

    /// Deletes the key under `account`; `Ok(false)` when there was none.
    pub(crate) fn delete_account(&self, account: &str) -> Result<bool, KeychainError> {
        self.recent().keys.remove(account);
        let deleted = self.entry(account)?.delete_credential();
        self.recent().writes += 1;
        match deleted {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(err) => Err(err.into()),
        }
    }

    /// Secret text stored under `account` (an MCP server's environment value), if any. Unlike
    /// a key it is neither trimmed nor checked: a program receives it exactly as saved.
    pub(crate) fn get_secret(&self, account: &str) -> Result<Option<String>, KeychainError> {
        match self.entry(account)?.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(err.into()),
        }
    }

    /// Stores (or replaces) secret text under `account`.
    pub(crate) fn set_secret(&self, account: &str, secret: &str) -> Result<(), KeychainError> {
        Ok(self.entry(account)?.set_password(secret)?)
    }

    fn entry(&self, account: &str) -> Result<keyring::Entry, keyring::Error> {
        keyring::Entry::new(&self.service, account)
    }
}

impl From<keyring::Error> for KeychainError {
    fn from(err: keyring::Error) -> Self {
        match err {
            keyring::Error::PlatformFailure(_) | keyring::Error::NoStorageAccess(_) => {
                Self::Unavailable {
                    backend: Keychain::backend_name(),
                    detail: err.to_string(),
                }
            }
            other => Self::Failed {
                detail: other.to_string(),
            },
        }
    }
}
