//! Several keys per provider: further keys beside the main one, used in turn so requests
//! spread over their rate limits, and a key the provider refuses (401) set aside with the
//! reason until the user replaces or re-enables it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

use switchboard_core::{ApiKey, ExtraKey, KeySource, ProviderId, ProvidersOverview};
use switchboard_providers::Endpoint;
use switchboard_store::MAIN_KEY;

use crate::keychain::{Keychain, KeychainError};
use crate::providers::{
    EffectiveKey, effective_key, ensure_exists, key_label, keyless_endpoint, overview,
};
use crate::{Engine, EngineError, Inner};

handle! {
    /// Providers and their keys: the keychain, further keys, custom providers and signing in with
    /// OpenRouter.
    Keys, keys
}

/// Whose turn it is, per provider.
#[derive(Debug, Default)]
pub(crate) struct Turns(Mutex<HashMap<ProviderId, usize>>);

impl Turns {
    fn next(&self, provider: &ProviderId) -> usize {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let turn = map.entry(provider.clone()).or_default();
        *turn = turn.wrapping_add(1);
        *turn - 1
    }
}

/// Environment keys the provider refused, in this process only: a disable is never written
/// to disk for them. Keyed by the key's value (a hash of it), so a new value is tried at once.
#[derive(Debug, Default)]
pub(crate) struct RefusedEnvKeys(Mutex<HashMap<(ProviderId, u64), String>>, AtomicU64);

impl RefusedEnvKeys {
    fn fingerprint(key: &ApiKey) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        key.expose().hash(&mut h);
        h.finish()
    }

    pub(crate) fn reason(&self, provider: &ProviderId, key: &ApiKey) -> Option<String> {
        let map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(&(provider.clone(), Self::fingerprint(key)))
            .cloned()
    }

    fn refuse(&self, provider: &ProviderId, key: &ApiKey, reason: String) {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.insert((provider.clone(), Self::fingerprint(key)), reason);
        self.1.fetch_add(1, Ordering::AcqRel);
    }

    /// A number that changes whenever a key is refused or enabled again here.
    pub(crate) fn revision(&self) -> u64 {
        self.1.load(Ordering::Acquire)
    }

    fn forget(&self, provider: &ProviderId) {
        let mut map = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        map.retain(|(p, _), _| p != provider);
        self.1.fetch_add(1, Ordering::AcqRel);
    }
}

/// The key an attempt uses: its endpoint, its ledger label, and its label for disabling.
#[derive(Debug, Clone)]
pub(crate) struct KeyChoice {
    pub(crate) endpoint: Endpoint,
    pub(crate) ledger_label: Option<String>,
    /// `default` or the further key's label; `None` when the provider has no key at all.
    pub(crate) key: Option<String>,
}

impl Engine {
    /// The next key in turn for a request to `provider`: the main key and the further ones,
    /// skipping refused keys. Errors when every key the provider has was refused.
    pub(crate) async fn next_key(&self, provider: ProviderId) -> Result<KeyChoice, EngineError> {
        let turn = self.inner.key_turns.next(&provider);
        let revision = crate::fresh::revision(&self.inner);
        let seen = &self.inner.seen.keys;
        let options = match seen.get(&provider, revision) {
            Some(options) => options,
            None => {
                let id = provider.clone();
                let options = self.blocking(move |inner| key_options(inner, &id)).await?;
                seen.keep(provider, revision, options)
            }
        };
        choose_key(&options, turn)
    }

    /// Sets a refused key aside; returns whether the provider has another usable key.
    pub(crate) async fn refuse_key(
        &self,
        provider: ProviderId,
        label: String,
        reason: String,
    ) -> Result<bool, EngineError> {
        self.blocking(move |inner| {
            let main = effective_key(inner, &provider, true)?;
            match (&main.status.source, &main.key) {
                (KeySource::Environment, Some(key)) if label == MAIN_KEY => {
                    inner.refused_env.refuse(&provider, key, reason);
                }
                _ => inner
                    .store
                    .disable_key(provider.as_str(), &label, &reason)?,
            }
            tracing::warn!(%provider, %label, "the provider refused a key; set aside");
            let main = effective_key(inner, &provider, true)?;
            Ok(usable_keys(inner, &provider, &main)?
                .iter()
                .any(|k| k.0 != label))
        })
        .await
    }
}

impl crate::Keys<'_> {
    /// Adds a further key for `provider` under `label`.
    #[tracing::instrument(skip_all, fields(provider = %provider), err(Debug))]
    pub async fn add_extra(
        &self,
        provider: ProviderId,
        label: String,
        key: String,
    ) -> Result<ProvidersOverview, EngineError> {
        let label = key_name(&label)?;
        let key = ApiKey::parse(&key).map_err(|e| EngineError::invalid(e.to_string()))?;
        self.blocking(move |inner| {
            ensure_exists(inner, &provider)?;
            inner.store.add_extra_key(provider.as_str(), &label)?;
            let account = Keychain::extra_account(&provider, &label);
            if let Err(e) = inner.keychain.set_account(&account, &key) {
                let _ = inner.store.remove_key_row(provider.as_str(), &label);
                return Err(e.into());
            }
            overview(inner)
        })
        .await
    }

    /// Removes a further key from the keychain and the list.
    #[tracing::instrument(skip_all, fields(provider = %provider), err(Debug))]
    pub async fn remove_extra(
        &self,
        provider: ProviderId,
        label: String,
    ) -> Result<ProvidersOverview, EngineError> {
        self.blocking(move |inner| {
            ensure_exists(inner, &provider)?;
            match inner
                .keychain
                .delete_account(&Keychain::extra_account(&provider, &label))
            {
                Ok(_) => {}
                Err(KeychainError::Unavailable { detail, .. }) => {
                    tracing::warn!(%detail, "keychain unreachable; the key stays in it");
                }
                Err(e) => return Err(e.into()),
            }
            inner.store.remove_key_row(provider.as_str(), &label)?;
            overview(inner)
        })
        .await
    }

    /// Uses a refused key again (`default` is the main key).
    pub async fn enable(
        &self,
        provider: ProviderId,
        label: String,
    ) -> Result<ProvidersOverview, EngineError> {
        self.blocking(move |inner| {
            ensure_exists(inner, &provider)?;
            if label == MAIN_KEY {
                inner.refused_env.forget(&provider);
            }
            inner.store.enable_key(provider.as_str(), &label)?;
            overview(inner)
        })
        .await
    }
}

/// Further keys with their masks and states, for the Keys section.
pub(crate) fn extra_keys(
    inner: &Inner,
    provider: &ProviderId,
    keychain_up: bool,
) -> Result<Vec<ExtraKey>, EngineError> {
    inner
        .store
        .extra_keys(provider.as_str())?
        .into_iter()
        .map(|row| {
            let masked = if keychain_up {
                inner
                    .keychain
                    .get_account(&Keychain::extra_account(provider, &row.label))
                    .ok()
                    .flatten()
                    .map(|k| k.masked())
            } else {
                None
            };
            Ok(ExtraKey {
                label: row.label,
                masked,
                disabled: row.disabled,
            })
        })
        .collect()
}

/// (label, key, ledger label) of every key not refused, main key first; `main` is the
/// provider's main key as [`effective_key`] found it.
fn usable_keys(
    inner: &Inner,
    provider: &ProviderId,
    main: &EffectiveKey,
) -> Result<Vec<(String, ApiKey, Option<String>)>, EngineError> {
    let mut keys = Vec::new();
    if let Some(key) = &main.key
        && main.status.disabled.is_none()
    {
        keys.push((MAIN_KEY.to_owned(), key.clone(), key_label(&main.status)));
    }
    for row in inner.store.extra_keys(provider.as_str())? {
        if row.disabled.is_some() {
            continue;
        }
        let account = Keychain::extra_account(provider, &row.label);
        match inner.keychain.get_account(&account) {
            Ok(Some(key)) => {
                let label = format!("keychain {} {}", row.label, key.masked());
                keys.push((row.label, key, Some(label)));
            }
            Ok(None) | Err(KeychainError::Unavailable { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(keys)
}

/// What choosing a provider's key needs, read once and kept briefly (see `fresh.rs`): its
/// endpoint without a key, and either the usable keys in turn order or why there are none.
#[derive(Debug)]
pub(crate) struct KeyOptions {
    endpoint: Endpoint,
    /// The main key and its ledger label, used as it is when there are no usable keys (a
    /// local server may need none).
    main: (Option<ApiKey>, Option<String>),
    keys: Vec<(String, ApiKey, Option<String>)>,
    /// Every key the provider has was refused: what to tell the person.
    all_refused: Option<String>,
}

fn key_options(inner: &Inner, provider: &ProviderId) -> Result<KeyOptions, EngineError> {
    let endpoint = keyless_endpoint(inner, provider)?;
    let main = effective_key(inner, provider, true)?;
    let keys = usable_keys(inner, provider, &main)?;
    let all_refused = match &main.status.disabled {
        Some(reason) if keys.is_empty() && main.status.source != KeySource::None => {
            let name = crate::providers::provider_label(inner, provider);
            Some(format!(
                "every key of {name} was refused by the provider (last: {reason}); \
                 replace or re-enable one in Settings"
            ))
        }
        _ => None,
    };
    Ok(KeyOptions {
        endpoint,
        main: (main.key.clone(), key_label(&main.status)),
        keys,
        all_refused,
    })
}

/// The key for the request that takes turn `turn`.
fn choose_key(options: &KeyOptions, turn: usize) -> Result<KeyChoice, EngineError> {
    let mut endpoint = options.endpoint.clone();
    if let Some(why) = &options.all_refused {
        return Err(EngineError::invalid(why.clone()));
    }
    if options.keys.is_empty() {
        let (key, ledger_label) = options.main.clone();
        endpoint.key = key;
        return Ok(KeyChoice {
            endpoint,
            ledger_label,
            key: None,
        });
    }
    let (label, key, ledger_label) = options.keys[turn % options.keys.len()].clone();
    endpoint.key = Some(key);
    Ok(KeyChoice {
        endpoint,
        ledger_label,
        key: Some(label),
    })
}

/// A further key's label: short, printable, not the main key's name.
fn key_name(label: &str) -> Result<String, EngineError> {
    let label = label.trim();
    let ok = !label.is_empty()
        && label.chars().count() <= 32
        && label
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.'));
    if !ok {
        return Err(EngineError::invalid(
            "a key label is 1 to 32 letters, digits, spaces, dots, dashes or underscores",
        ));
    }
    if label.eq_ignore_ascii_case(MAIN_KEY) {
        return Err(EngineError::invalid(
            "\"default\" names the main key; choose another label",
        ));
    }
    Ok(label.to_owned())
}
