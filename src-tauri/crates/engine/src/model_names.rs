//! What a model name from another tool means (the local API's `model` field): a route, a
//! model of a provider named in front of it, a model only one configured provider has, or an
//! OpenRouter model id.
//!
//! The order matters and is the one a person would expect: a route's name is theirs, so it
//! wins; `<provider>/<model>` names a provider they configured (`openrouter/anthropic/…`,
//! `anthropic/claude-sonnet-4-5`, `ollama/llama3.2`, a custom server by its name); a bare name
//! that one configured provider lists (`claude-sonnet-4-5` with an Anthropic key) goes there;
//! anything else is an OpenRouter id when OpenRouter has a key. `anthropic/…` and `openai/…`
//! without a key for that provider are OpenRouter's namespaces, so they go to OpenRouter.

use switchboard_core::{BuiltinProvider, KeySource, ProviderId};
use switchboard_router::RouteRequest;

use std::sync::Arc;

use crate::providers::effective_key;
use crate::{Engine, EngineError, fresh};

impl Engine {
    /// The built-in providers that have a key, and the custom providers (id, name).
    async fn configured_providers(&self) -> Result<Arc<Configured>, EngineError> {
        let revision = fresh::revision(&self.inner);
        if let Some(seen) = self.inner.seen.providers.get(revision) {
            return Ok(seen);
        }
        let found = self
            .blocking(|inner| {
                let keychain_up = inner.keychain.status().available;
                let mut keyed = Vec::new();
                for b in BuiltinProvider::ALL {
                    if effective_key(inner, &b.id(), keychain_up)?.status.source != KeySource::None
                    {
                        keyed.push(b);
                    }
                }
                let customs = inner
                    .store
                    .custom_providers()?
                    .into_iter()
                    .map(|c| (c.id, c.name))
                    .collect();
                Ok((keyed, customs))
            })
            .await?;
        Ok(self.inner.seen.providers.keep(revision, found))
    }
}

impl crate::Routing<'_> {
    /// Where a request for `name` goes, as the router's request: a route, or a provider and
    /// its model. `NotFound` (with what was tried) when nothing matches.
    pub async fn resolve_model_name(&self, name: &str) -> Result<RouteRequest, EngineError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(EngineError::invalid("The request names no model."));
        }
        if self
            .routing()
            .config()
            .routes
            .iter()
            .any(|r| r.name == name)
        {
            return Ok(RouteRequest {
                route: Some(name.to_owned()),
                ..RouteRequest::default()
            });
        }
        let configured = self.configured_providers().await?;
        let (keyed, customs) = (&configured.0, &configured.1);
        let direct = |provider: ProviderId, model: &str| RouteRequest {
            provider: Some(provider),
            model: Some(model.to_owned()),
            ..RouteRequest::default()
        };
        if let Some((prefix, rest)) = name.split_once('/')
            && !rest.is_empty()
        {
            if let Some((id, _)) = customs
                .iter()
                .find(|(_, custom)| custom.eq_ignore_ascii_case(prefix))
            {
                return Ok(direct(id.clone(), rest));
            }
            if let Ok(builtin) = prefix.to_ascii_lowercase().parse::<ProviderId>()
                && let Some(b) = builtin.builtin()
                && keyed.contains(&b)
            {
                // OpenRouter's ids always hold a slash, so `openrouter/auto` is OpenRouter's
                // own model of that name, not a model `auto` of the provider `openrouter`.
                let model = if b == BuiltinProvider::OpenRouter && !rest.contains('/') {
                    name
                } else {
                    rest
                };
                return Ok(direct(b.id(), model));
            }
        }
        let mut catalogue = self.router_catalogue().await;
        if keyed.contains(&BuiltinProvider::OpenRouter)
            && catalogue.provider_models(&BuiltinProvider::OpenRouter.id()) == 0
        {
            // No catalogue yet: fetch it once, so a misspelt id is a clear 404 here rather
            // than whatever the upstream says.
            if self.models().catalogue(false).await.is_ok() {
                catalogue = self.router_catalogue().await;
            }
        }
        let listing: Vec<ProviderId> = keyed
            .iter()
            .filter(|b| **b != BuiltinProvider::OpenRouter)
            .map(|b| b.id())
            .chain(customs.iter().map(|(id, _)| id.clone()))
            .filter(|p| catalogue.get(p, name).is_some())
            .collect();
        if let [only] = listing.as_slice() {
            return Ok(direct(only.clone(), name));
        }
        if keyed.contains(&BuiltinProvider::OpenRouter) {
            let or = BuiltinProvider::OpenRouter.id();
            // A variant suffix (`:nitro`, `:online`…) names the same catalogue entry, though some
            // variants (`:free`) are entries of their own.
            let base = name.split_once(':').map_or(name, |(m, _)| m);
            // Without a cached catalogue nothing can be checked here: OpenRouter will say.
            let known = catalogue.provider_models(&or) > 0;
            let listed = catalogue.get(&or, name).is_some() || catalogue.get(&or, base).is_some();
            if !known || listed || name.starts_with('@') {
                return Ok(direct(or, name));
            }
        }
        Err(EngineError::UnknownModel {
            name: name.to_owned(),
        })
    }
}

/// The built-in providers that have a key, and the custom providers (id, name).
pub(crate) type Configured = (Vec<BuiltinProvider>, Vec<(ProviderId, String)>);

/// A name the local API answers to, for `GET /v1/models`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServedName {
    /// What a client sends as `model`.
    pub id: String,
    /// For people.
    pub display_name: String,
    /// Who serves it.
    pub owner: String,
}

impl crate::Models<'_> {
    /// Every name [`Routing::resolve_model_name`] takes, routes first: each route, then each
    /// model of a configured provider under the name that reaches it (OpenRouter's ids as
    /// they are; other providers' as `<provider>/<model>`).
    pub async fn served_names(&self) -> Result<Vec<ServedName>, EngineError> {
        let mut names: Vec<ServedName> = self
            .routing()
            .config()
            .routes
            .iter()
            .map(|r| ServedName {
                id: r.name.clone(),
                display_name: format!("Route {}", r.name),
                owner: "switchboard".to_owned(),
            })
            .collect();
        for choice in self.models().choices().await? {
            let id = if choice.provider == BuiltinProvider::OpenRouter.id() {
                choice.id.clone()
            } else {
                let prefix = match choice.provider.builtin() {
                    Some(b) => b.id().to_string(),
                    None => choice.provider_name.clone(),
                };
                format!("{prefix}/{}", choice.id)
            };
            names.push(ServedName {
                id,
                display_name: choice.name,
                owner: choice.provider_name,
            });
        }
        Ok(names)
    }
}
