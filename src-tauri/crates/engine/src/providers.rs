//! Use cases of the Keys section: which providers exist, their keys, their base URLs.

use serde::Deserialize;
use switchboard_core::{
    ApiKey, BaseUrl, BaseUrlSource, BuiltinProvider, CustomProvider, KeyCheck, KeySource,
    KeyStatus, KeychainStatus, Preferences, ProviderId, ProviderKind, ProviderView,
    ProvidersOverview,
};
use switchboard_providers::Endpoint;

use switchboard_store::MAIN_KEY;

use crate::keychain::KeychainError;
use crate::keys::extra_keys;
use crate::{Engine, EngineError, Inner};

/// A custom provider to add. The key is optional: local servers often need none.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewCustomProvider {
    /// Display name, unique case-insensitively.
    pub name: String,
    /// Base URL including the API prefix.
    pub base_url: String,
    /// The key, if the server wants one. Never logged (see `Debug` of [`ApiKey`]).
    pub api_key: Option<String>,
}

impl Engine {
    /// [`Keys::endpoint`] and the label of the key in effect (`keychain ••••abcd`,
    /// `env OPENROUTER_API_KEY ••••abcd`) from the same keychain lookup, for the ledger.
    pub(crate) async fn endpoint_and_key_label(
        &self,
        provider: ProviderId,
    ) -> Result<(Endpoint, Option<String>), EngineError> {
        self.blocking(move |inner| endpoint(inner, &provider)).await
    }
}

impl crate::Keys<'_> {
    /// Every provider with its effective base URL and masked key, plus the keychain's state.
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn overview(&self) -> Result<ProvidersOverview, EngineError> {
        self.blocking(overview).await
    }

    /// Stores `key` for `provider` in the keychain, replacing any earlier one.
    #[tracing::instrument(skip_all, fields(provider = %provider), err(Debug))]
    pub async fn set(
        &self,
        provider: ProviderId,
        key: String,
    ) -> Result<ProvidersOverview, EngineError> {
        let key = ApiKey::parse(&key).map_err(|e| EngineError::invalid(e.to_string()))?;
        self.blocking(move |inner| {
            ensure_exists(inner, &provider)?;
            inner.keychain.set(&provider, &key)?;
            inner.store.enable_key(provider.as_str(), MAIN_KEY)?; // a new key gets a new chance
            tracing::info!(masked = key.masked(), "key saved to the keychain");
            overview(inner)
        })
        .await
    }

    /// Deletes `provider`'s key from the keychain.
    #[tracing::instrument(skip_all, fields(provider = %provider), err(Debug))]
    pub async fn remove(&self, provider: ProviderId) -> Result<ProvidersOverview, EngineError> {
        self.blocking(move |inner| {
            ensure_exists(inner, &provider)?;
            let removed = inner.keychain.delete(&provider)?;
            if !removed
                && let Some(var) = provider
                    .builtin()
                    .map(BuiltinProvider::key_env_var)
                    .filter(|var| inner.config.environment.get(var).is_some())
            {
                return Err(EngineError::invalid(format!(
                    "this key comes from the environment variable {var}; unset it where \
                     Switchboard is started to remove it"
                )));
            }
            overview(inner)
        })
        .await
    }

    /// Tests the key in effect for `provider` with a call that costs nothing.
    #[tracing::instrument(skip_all, fields(provider = %provider), err(Debug))]
    pub async fn test(&self, provider: ProviderId) -> Result<KeyCheck, EngineError> {
        let endpoint = self.endpoint(provider).await?;
        if endpoint.key.is_none() && endpoint.kind != ProviderKind::Custom {
            return Err(EngineError::invalid(
                "no key is set for this provider; add one first",
            ));
        }
        Ok(switchboard_providers::check_key(&self.inner.http, &endpoint).await?)
    }

    /// Adds an OpenAI-compatible server. The key, if given, goes to the keychain first, so a
    /// provider is never saved with a key that was silently dropped.
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn add_custom_provider(
        &self,
        new: NewCustomProvider,
    ) -> Result<ProvidersOverview, EngineError> {
        let provider = CustomProvider {
            id: ProviderId::custom(uuid::Uuid::now_v7()),
            name: custom_name(&new.name)?,
            base_url: BaseUrl::parse(&new.base_url)
                .map_err(|e| EngineError::invalid(e.to_string()))?,
        };
        let key = match new.api_key.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(k) => Some(ApiKey::parse(k).map_err(|e| EngineError::invalid(e.to_string()))?),
        };
        let id = provider.id.clone();
        self.blocking(move |inner| {
            if let Some(key) = &key {
                inner.keychain.set(&provider.id, key)?;
            }
            if let Err(err) = inner.store.insert_custom_provider(&provider) {
                if key.is_some() {
                    let _ = inner.keychain.delete(&provider.id);
                }
                return Err(err.into());
            }
            Ok(())
        })
        .await?;
        // Its models, so it can be picked at once; a server that is down does not stop the add.
        self.fetch_served_after_change(id).await;
        self.keys().overview().await
    }

    /// Renames or re-points a custom provider (its key is untouched).
    #[tracing::instrument(skip_all, fields(provider = %id), err(Debug))]
    pub async fn update_custom_provider(
        &self,
        id: ProviderId,
        name: String,
        base_url: String,
    ) -> Result<ProvidersOverview, EngineError> {
        if id.custom_uuid().is_none() {
            return Err(EngineError::invalid("only custom providers can be edited"));
        }
        let provider = CustomProvider {
            id,
            name: custom_name(&name)?,
            base_url: BaseUrl::parse(&base_url).map_err(|e| EngineError::invalid(e.to_string()))?,
        };
        let id = provider.id.clone();
        let moved = self
            .blocking(move |inner| {
                let before = find_custom(inner, &provider.id)?;
                inner.store.update_custom_provider(&provider)?;
                let moved = before.is_some_and(|b| b.base_url != provider.base_url);
                if moved {
                    // The cached models are another server's now.
                    inner.store.delete_catalogue(provider.id.as_str())?;
                }
                Ok(moved)
            })
            .await?;
        if moved {
            self.fetch_served_after_change(id).await;
        }
        self.keys().overview().await
    }

    /// Removes a custom provider and its key. When the keychain cannot be reached the provider
    /// is removed anyway (a headless machine must be able to clean up); a key it may have had
    /// stays only in the OS keychain, which is where it was safe all along, and a warning says so.
    #[tracing::instrument(skip_all, fields(provider = %id), err(Debug))]
    pub async fn remove_custom_provider(
        &self,
        id: ProviderId,
    ) -> Result<ProvidersOverview, EngineError> {
        if id.custom_uuid().is_none() {
            return Err(EngineError::invalid(
                "built-in providers cannot be removed; remove their key instead",
            ));
        }
        self.blocking(move |inner| {
            ensure_exists(inner, &id)?;
            match inner.keychain.delete(&id) {
                Ok(_) => {}
                Err(KeychainError::Unavailable { detail, .. }) => {
                    tracing::warn!(%detail, "keychain unreachable; any key of this provider stays in it");
                }
                Err(e) => return Err(e.into()),
            }
            inner.store.delete_custom_provider(&id)?;
            // Its cached models and prices would only show a provider that is gone.
            inner.store.delete_catalogue(id.as_str())?;
            inner.store.delete_model_prices(id.as_str())?;
            overview(inner)
        })
        .await
    }

    /// The request target for `provider`: protocol, effective URL and key, attribution.
    pub async fn endpoint(&self, provider: ProviderId) -> Result<Endpoint, EngineError> {
        self.blocking(move |inner| Ok(endpoint(inner, &provider)?.0))
            .await
    }
}

/// How a request's key is named in the ledger: its source and mask, never the key.
pub(crate) fn key_label(status: &KeyStatus) -> Option<String> {
    match (status.source, &status.masked) {
        (KeySource::Keychain, Some(m)) => Some(format!("keychain {m}")),
        (KeySource::Environment, Some(m)) => Some(format!(
            "env {} {m}",
            status.env_var.as_deref().unwrap_or_default()
        )),
        _ => None,
    }
}

fn custom_name(name: &str) -> Result<String, EngineError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(EngineError::invalid("give the provider a name"));
    }
    if name.chars().count() > 64 {
        return Err(EngineError::invalid(
            "provider names are at most 64 characters",
        ));
    }
    // Case-insensitively: the CLI and routing files name providers in any case, so a custom
    // `OpenAI` would be taken for the built-in one and could be neither chosen nor removed.
    let reserved = name.to_ascii_lowercase().parse::<ProviderId>().is_ok()
        || BuiltinProvider::ALL
            .iter()
            .any(|b| b.display_name().eq_ignore_ascii_case(name));
    if reserved {
        return Err(EngineError::invalid(format!(
            "\"{name}\" is reserved for a built-in provider; choose another name"
        )));
    }
    Ok(name.to_owned())
}

/// How a person knows `id`: a built-in's name, a custom provider's own name (never its id).
pub(crate) fn provider_label(inner: &Inner, id: &ProviderId) -> String {
    if let Some(b) = id.builtin() {
        return b.display_name().to_owned();
    }
    find_custom(inner, id)
        .ok()
        .flatten()
        .map_or_else(|| "a removed provider".to_owned(), |c| c.name)
}

pub(crate) fn ensure_exists(inner: &Inner, id: &ProviderId) -> Result<(), EngineError> {
    if id.builtin().is_some() || find_custom(inner, id)?.is_some() {
        Ok(())
    } else {
        Err(EngineError::UnknownProvider { id: id.to_string() })
    }
}

pub(crate) fn find_custom(
    inner: &Inner,
    id: &ProviderId,
) -> Result<Option<CustomProvider>, EngineError> {
    Ok(inner
        .store
        .custom_providers()?
        .into_iter()
        .find(|p| &p.id == id))
}

/// The keychain key, or the environment's when the keychain has none or cannot be reached.
pub(crate) struct EffectiveKey {
    pub(crate) key: Option<ApiKey>,
    pub(crate) status: KeyStatus,
}

pub(crate) fn effective_key(
    inner: &Inner,
    id: &ProviderId,
    keychain_up: bool,
) -> Result<EffectiveKey, EngineError> {
    let env_var = id.builtin().map(BuiltinProvider::key_env_var);
    let env_key = env_var
        .and_then(|v| inner.config.environment.get(v))
        .and_then(|k| ApiKey::parse(k).ok());
    let stored = if keychain_up {
        match inner.keychain.get(id) {
            Ok(key) => key,
            // The keychain went away between the probe and now: fall back like it was down.
            Err(KeychainError::Unavailable { .. }) => None,
            Err(e) => return Err(e.into()),
        }
    } else {
        None
    };
    let (key, source) = match (stored, env_key.clone()) {
        (Some(k), _) => (Some(k), KeySource::Keychain),
        (None, Some(k)) => (Some(k), KeySource::Environment),
        (None, None) => (None, KeySource::None),
    };
    Ok(EffectiveKey {
        status: KeyStatus {
            source,
            masked: key.as_ref().map(ApiKey::masked),
            env_var: env_var.map(str::to_owned),
            env_shadowed: source == KeySource::Keychain && env_key.is_some(),
            disabled: match (source, &key) {
                (KeySource::None, _) | (_, None) => None,
                // An environment key is never disabled on disk (one 401 must not brick a
                // headless setup, and a new value must be tried): only for this process.
                (KeySource::Environment, Some(k)) => inner.refused_env.reason(id, k),
                _ => inner.store.key_disabled(id.as_str(), MAIN_KEY)?,
            },
        },
        key,
    })
}

/// The base URL in effect for a built-in provider: environment, then Settings, then default.
fn builtin_base_url(
    inner: &Inner,
    provider: BuiltinProvider,
    prefs: &Preferences,
) -> (BaseUrl, BaseUrlSource, Option<String>) {
    let var = provider.base_url_env_var();
    let mut notice = None;
    if let Some(raw) = inner.config.environment.get(var) {
        match BaseUrl::parse(raw) {
            Ok(url) => return (url, BaseUrlSource::Environment, None),
            Err(e) => notice = Some(format!("{var} was ignored: {e}")),
        }
    }
    match prefs.base_urls.get(provider) {
        Some(url) => (url.clone(), BaseUrlSource::Settings, notice),
        None => (provider.default_base_url(), BaseUrlSource::Default, notice),
    }
}

pub(crate) fn overview(inner: &Inner) -> Result<ProvidersOverview, EngineError> {
    let keychain: KeychainStatus = inner.keychain.status();
    let prefs = inner.store.preferences()?.preferences;
    let mut providers = Vec::new();
    for builtin in BuiltinProvider::ALL {
        let id = builtin.id();
        let (base_url, base_url_source, notice) = builtin_base_url(inner, builtin, &prefs);
        let extra_keys = extra_keys(inner, &id, keychain.available)?;
        providers.push(ProviderView {
            key: effective_key(inner, &id, keychain.available)?.status,
            id,
            kind: builtin.kind(),
            name: builtin.display_name().to_owned(),
            base_url,
            base_url_source,
            default_base_url: Some(builtin.default_base_url()),
            base_url_env_var: Some(builtin.base_url_env_var().to_owned()),
            notice,
            extra_keys,
        });
    }
    for custom in inner.store.custom_providers()? {
        providers.push(ProviderView {
            key: effective_key(inner, &custom.id, keychain.available)?.status,
            extra_keys: extra_keys(inner, &custom.id, keychain.available)?,
            id: custom.id,
            kind: ProviderKind::Custom,
            name: custom.name,
            base_url: custom.base_url,
            base_url_source: BaseUrlSource::Settings,
            default_base_url: None,
            base_url_env_var: None,
            notice: None,
        });
    }
    Ok(ProvidersOverview {
        keychain,
        providers,
    })
}

pub(crate) fn endpoint(
    inner: &Inner,
    id: &ProviderId,
) -> Result<(Endpoint, Option<String>), EngineError> {
    let mut endpoint = keyless_endpoint(inner, id)?;
    let effective = effective_key(inner, id, true)?;
    let label = key_label(&effective.status);
    endpoint.key = effective.key;
    Ok((endpoint, label))
}

/// [`endpoint`] before its key is looked up, for callers that already read the main key (the
/// keychain is slow enough that one request should not ask it the same thing twice).
/// The user's stream settings as the provider adapters take them.
fn stream_limits(s: switchboard_core::StreamSettings) -> switchboard_providers::StreamLimits {
    let secs = |n: u32| std::time::Duration::from_secs(u64::from(n));
    switchboard_providers::StreamLimits {
        max_event_bytes: usize::try_from(u64::from(s.max_event_mib) * 1024 * 1024)
            .unwrap_or(usize::MAX),
        idle_timeout: secs(s.idle_secs),
        first_event_timeout: secs(s.first_event_secs),
    }
}

pub(crate) fn keyless_endpoint(inner: &Inner, id: &ProviderId) -> Result<Endpoint, EngineError> {
    let prefs = inner.store.preferences()?.preferences;
    let (kind, base_url) = match id.builtin() {
        Some(b) => {
            // An override that does not parse is a typo of a test server or a local proxy:
            // falling back to the production endpoint would send the prompt and the key where
            // the user did not mean them to go.
            let var = b.base_url_env_var();
            if let Some(Err(e)) = inner.config.environment.get(var).map(BaseUrl::parse) {
                return Err(EngineError::invalid(format!(
                    "{var} is not a usable base URL ({e}). Nothing was sent: fix or unset it \
                     to use {}.",
                    b.display_name()
                )));
            }
            (b.kind(), builtin_base_url(inner, b, &prefs).0)
        }
        None => {
            let custom = find_custom(inner, id)?
                .ok_or_else(|| EngineError::UnknownProvider { id: id.to_string() })?;
            (ProviderKind::Custom, custom.base_url)
        }
    };
    Ok(Endpoint {
        kind,
        base_url,
        key: None,
        attribution: prefs.attribution,
        limits: stream_limits(prefs.streams),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_names_are_reserved_in_any_case() {
        for name in [
            "OpenAI",
            "openai",
            "OPENROUTER",
            " Anthropic ",
            "custom:0190F3C4-7B1A-7CC2-9D5E-3F1A2B3C4D5E",
        ] {
            let err = custom_name(name).unwrap_err().info();
            assert!(err.message.contains("reserved"), "{name}: {}", err.message);
        }
        assert_eq!(custom_name(" OpenAI proxy ").unwrap(), "OpenAI proxy");
        assert_eq!(custom_name("Ollama").unwrap(), "Ollama");
    }
}
