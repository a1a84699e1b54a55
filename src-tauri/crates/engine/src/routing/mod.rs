//! Routing as a use case: the router's configuration kept in the store, the explain view, the
//! Routing screen's health figures, and sending a request through a route with failover.
//!
//! The decisions themselves live in `switchboard-router`; this module feeds it what only the
//! engine knows (model facts from the catalogue, key labels, history from the ledger) and does
//! the sending, waiting and recording.

mod catalogue;
mod health_check;
mod routed;
mod send;

pub(crate) use send::describe;

pub(crate) use routed::Sink;
pub use routed::{RouteEvent, RoutedSend};
pub use send::RoutedOutcome;
use send::{cost_bound, last_four, spend_scope};

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use switchboard_core::ProviderId;
use switchboard_router::{
    Catalogue, Context, Decision, RouteRequest, Router, RouterConfig, RoutingHealth, Sample,
};
use switchboard_store::Store;

use crate::{Engine, EngineError};

handle! {
    /// Routing: the configuration, where a request would go and why, the circuits' health, what
    /// the smart strategy learned, and sends the router places.
    Routing, routing
}

/// The setting key the configuration is stored under.
const SETTING: &str = "router";
/// The setting key of what the smart strategy learned.
const LEARNED: &str = "router.learned";
/// The longest a request waits for a rate limit or a busy target before it fails.
const MAX_WAIT: Duration = Duration::from_secs(120);
/// How far back the ledger warms the router's figures at start.
const HISTORY: Duration = Duration::from_secs(7 * 24 * 3600);

/// The router with what it was loaded from.
#[derive(Debug)]
pub(crate) struct RoutingState {
    pub(crate) router: Router,
    /// The model facts, rebuilt when the cached catalogue changes.
    catalogue: Mutex<Option<(i64, Arc<Catalogue>)>>,
    /// When each target was last health-checked.
    probes: Mutex<HashMap<(ProviderId, String), Instant>>,
    /// Requests taught the router something not written yet (see `learn_from_request`).
    pub(crate) learned_unsaved: AtomicBool,
}

impl RoutingState {
    /// Loads the stored configuration (moving an unreadable one aside) and warms the figures
    /// from the ledger.
    pub(crate) fn load(store: &Store) -> Result<Self, EngineError> {
        let config = match store.setting(SETTING)? {
            None => RouterConfig::default(),
            Some(raw) => match serde_json::from_str::<RouterConfig>(&raw)
                .map_err(|e| e.to_string())
                .and_then(|c| {
                    switchboard_router::validate(&c)
                        .map(|()| c)
                        .map_err(|e| e.to_string())
                }) {
                Ok(config) => config,
                Err(err) => {
                    let aside = store.quarantine_setting(SETTING)?;
                    tracing::warn!(%err, key = aside, "stored routing unreadable; starting empty");
                    RouterConfig::default()
                }
            },
        };
        let router = Router::new(config).map_err(|e| EngineError::invalid(e.to_string()))?;
        if let Some(raw) = store.setting(LEARNED)? {
            match serde_json::from_str(&raw) {
                Ok(learned) => router.restore_learned(learned),
                Err(err) => {
                    let aside = store.quarantine_setting(LEARNED)?;
                    tracing::warn!(%err, key = aside, "what the router learned is unreadable; starting afresh");
                }
            }
        }
        let since = switchboard_store::now_unix_ms()
            - i64::try_from(HISTORY.as_millis()).unwrap_or(i64::MAX);
        let mut by_target: HashMap<(String, String), Vec<Sample>> = HashMap::new();
        for h in store.target_history(since, 256)? {
            by_target
                .entry((h.provider_id, h.model))
                .or_default()
                .push(Sample {
                    ok: h.ok,
                    ttft_ms: h.ttft_ms,
                    output_tokens: h.completion_tokens,
                    latency_ms: h.latency_ms.unwrap_or_default(),
                    cost: h.cost,
                });
        }
        for ((provider, model), samples) in by_target {
            if let Ok(provider) = provider.parse::<ProviderId>() {
                router.remember(&provider, &model, &samples);
            }
        }
        Ok(Self {
            router,
            catalogue: Mutex::new(None),
            probes: Mutex::new(HashMap::new()),
            learned_unsaved: AtomicBool::new(false),
        })
    }
}

impl RoutingState {
    /// Writes what requests taught the router if some of it is not written yet: when the
    /// engine closes, so a due write is not lost with the process.
    pub(crate) fn save_unsaved(&self, store: &Store) {
        if self.learned_unsaved.swap(false, Ordering::AcqRel)
            && let Err(e) = write_learned(store, &self.router.learned())
        {
            tracing::warn!(error = %e, "could not keep what the router learned");
        }
    }
}

/// Stores what the router learned.
pub(crate) fn write_learned(
    store: &Store,
    learned: &switchboard_router::Learned,
) -> Result<(), EngineError> {
    let json = serde_json::to_string(learned).map_err(|e| EngineError::Internal {
        context: format!("what the router learned does not serialize: {e}"),
    })?;
    Ok(store.put_setting(LEARNED, &json)?)
}

impl Engine {
    /// Where `req` goes with `catalogue`'s model facts. `sending`: the request goes out on
    /// this decision, so it takes its round-robin turn; explaining takes none. Its summary
    /// (shown in the explain view and in errors) names custom providers, never their ids.
    async fn decide_route(
        &self,
        req: &RouteRequest,
        catalogue: &Catalogue,
        sending: bool,
    ) -> Result<Decision, EngineError> {
        let mut decision = self.decide_by_id(req, catalogue, sending).await?;
        decision.summary = self.named(&decision.summary).await;
        Ok(decision)
    }

    /// `text` (from the router, which knows providers by id only) with custom providers named.
    async fn named(&self, text: &str) -> String {
        if !text.contains(CUSTOM_ID_PREFIX) {
            return text.to_owned();
        }
        match self
            .blocking(|inner| Ok(inner.store.custom_providers()?))
            .await
        {
            Ok(customs) => named_providers(text, &customs),
            Err(_) => named_providers(text, &[]),
        }
    }

    async fn decide_by_id(
        &self,
        req: &RouteRequest,
        catalogue: &Catalogue,
        sending: bool,
    ) -> Result<Decision, EngineError> {
        let keys = self.key_labels().await;
        let router = &self.inner.routing.router;
        let mut budgets = HashMap::new();
        let decide = |budgets: &HashMap<(ProviderId, String), String>, take_turn: bool| {
            let ctx = Context {
                catalogue,
                key_labels: &keys,
                over_budget: budgets,
                now: Instant::now(),
            };
            if take_turn {
                router.decide_to_send(req, &ctx)
            } else {
                router.decide(req, &ctx)
            }
            .map_err(|e| EngineError::invalid(e.to_string()))
        };
        let hard = self.any_hard_budget().await;
        // Without a hard budget the first pass is the decision, so it may take the turn;
        // with one, only the pass that weighs the budgets does.
        let first = decide(&budgets, sending && !hard)?;
        if first.blocked.is_some() || !hard {
            return Ok(first);
        }
        // Budgets depend on each target's worst-case cost, so they are weighed for the
        // targets the first pass found, and the decision is made again with them.
        for c in &first.candidates {
            let scope = spend_scope(&c.target, req);
            let bound = cost_bound(catalogue, &c.target, req);
            if let Some(why) = self.budget_refusal(scope, bound).await {
                budgets.insert((c.target.provider.clone(), c.target.model.clone()), why);
            }
        }
        if budgets.is_empty() && !sending {
            return Ok(first);
        }
        decide(&budgets, sending)
    }

    /// The last four characters of each provider's key, for per-key rate limits (only for
    /// providers that have one, so explaining does not ask the keychain about every provider).
    async fn key_labels(&self) -> HashMap<ProviderId, String> {
        let mut labels = HashMap::new();
        let providers: Vec<ProviderId> = self
            .routing()
            .config()
            .limits
            .iter()
            .filter(|l| l.key.is_some())
            .map(|l| l.provider.clone())
            .collect();
        for p in providers {
            if let Ok((_, Some(label))) = self.endpoint_and_key_label(p.clone()).await {
                labels.insert(p, last_four(&label));
            }
        }
        labels
    }
}

impl crate::Routing<'_> {
    /// The routing configuration in force.
    pub fn config(&self) -> RouterConfig {
        self.inner.routing.router.config()
    }

    /// Checks, stores and applies a new configuration (nothing changes if it is refused).
    pub async fn set_config(&self, config: RouterConfig) -> Result<(), EngineError> {
        if let Err(e) = switchboard_router::validate(&config) {
            return Err(EngineError::invalid(self.named(&e.to_string()).await));
        }
        let json = serde_json::to_string(&config).map_err(|e| EngineError::Internal {
            context: format!("routing does not serialize: {e}"),
        })?;
        self.blocking(move |inner| Ok(inner.store.put_setting(SETTING, &json)?))
            .await?;
        self.inner
            .routing
            .router
            .set_config(config)
            .map_err(|e| EngineError::invalid(e.to_string()))
    }

    /// The configuration as a TOML document.
    pub fn export(&self) -> Result<String, EngineError> {
        switchboard_router::to_toml(&self.routing().config())
            .map_err(|e| EngineError::invalid(e.to_string()))
    }

    /// The configuration as a TOML file, to be saved where the user chooses.
    pub fn export_file(&self) -> Result<crate::ExportFile, EngineError> {
        Ok(crate::ExportFile {
            name: "switchboard-routing.toml".to_owned(),
            bytes: self.routing().export()?.into_bytes(),
        })
    }

    /// Replaces the configuration with a TOML document's; an error names the bad line. A
    /// document of nothing but blank lines and comments is refused (it would delete every
    /// route, rule and limit); [`Routing::import_with`] can allow it.
    pub async fn import(&self, toml: &str) -> Result<RouterConfig, EngineError> {
        self.routing().import_with(toml, false).await
    }

    /// [`Routing::import`]; `replace_with_empty` lets a blank document replace the
    /// configuration with an empty one, which front ends do only after the user confirms it.
    pub async fn import_with(
        &self,
        toml: &str,
        replace_with_empty: bool,
    ) -> Result<RouterConfig, EngineError> {
        if !replace_with_empty && switchboard_router::is_blank(toml) {
            return Err(EngineError::invalid(
                "The file holds no routes, rules or limits (only blank lines and comments), so \
                 importing it would delete the whole routing configuration. Nothing was changed; \
                 confirm the replacement to start over with an empty configuration.",
            ));
        }
        let config =
            switchboard_router::from_toml(toml).map_err(|e| EngineError::invalid(e.to_string()))?;
        self.routing().set_config(config.clone()).await?;
        Ok(config)
    }

    /// Where `req` would go now, and why; nothing is sent or reserved.
    pub async fn explain(&self, req: RouteRequest) -> Result<Decision, EngineError> {
        let catalogue = self.router_catalogue().await;
        self.decide_route(&req, &catalogue, false).await
    }

    /// Every target's circuit and figures, and every rate limit's use.
    pub fn health(&self) -> RoutingHealth {
        self.inner.routing.router.snapshot(Instant::now())
    }

    /// What the smart strategy has learned, per task type: each model's evidence, expected
    /// quality and how often it would be picked, best first.
    pub async fn learned_preferences(&self) -> Vec<switchboard_router::TaskLearning> {
        let catalogue = self.router_catalogue().await;
        let learned = self.inner.routing.router.learned();
        // The price prior compares models on a typical request: 1,000 tokens in, 500 out.
        switchboard_router::summarize_now(&learned, |provider, model| {
            let f = catalogue.get(provider, model)?;
            Some(f.prompt_price? * 1_000.0 + f.completion_price? * 500.0)
        })
    }
}

/// How every custom provider's id starts.
const CUSTOM_ID_PREFIX: &str = "custom:";

/// `text` with each custom provider's id (`custom:<uuid>`) replaced by its name, and the id of
/// one that no longer exists by "a removed provider".
fn named_providers(text: &str, customs: &[switchboard_core::CustomProvider]) -> String {
    let mut named = text.to_owned();
    for c in customs {
        named = named.replace(c.id.as_str(), &c.name);
    }
    let mut out = String::with_capacity(named.len());
    let mut rest = named.as_str();
    while let Some(at) = rest.find(CUSTOM_ID_PREFIX) {
        out.push_str(&rest[..at]);
        let after = &rest[at..];
        // `custom:` and a hyphenated uuid: 7 + 36 characters.
        let id_len = CUSTOM_ID_PREFIX.len() + 36;
        match after
            .get(..id_len)
            .and_then(|id| id.parse::<ProviderId>().ok())
        {
            Some(_) => {
                out.push_str("a removed provider");
                rest = &after[id_len..];
            }
            None => {
                out.push_str(CUSTOM_ID_PREFIX);
                rest = &after[CUSTOM_ID_PREFIX.len()..];
            }
        }
    }
    out.push_str(rest);
    out
}

impl crate::Routing<'_> {
    /// The user's verdict on an answer (thumbs, or a vote in a side-by-side comparison): the
    /// smart strategy learns it for the model that answered and the column's task type.
    pub async fn rate_answer(
        &self,
        answer_id: switchboard_core::AnswerId,
        signal: switchboard_router::Signal,
    ) -> Result<(), EngineError> {
        let id = answer_id.clone();
        let (origin, params) = self
            .blocking(move |inner| Ok(inner.store.answer_origin(&id)?))
            .await?;
        // The verdict is kept with the answer (shown pressed when the conversation is opened
        // again) before anything is learned from it.
        self.blocking(move |inner| {
            use switchboard_core::Thumb;
            use switchboard_router::Signal;
            match signal {
                Signal::ThumbUp => inner.store.set_thumb(&answer_id, Some(Thumb::Up))?,
                Signal::ThumbDown => inner.store.set_thumb(&answer_id, Some(Thumb::Down))?,
                Signal::WonComparison => inner.store.set_best(&answer_id, true)?,
                Signal::LostComparison => inner.store.set_best(&answer_id, false)?,
                Signal::Completed | Signal::Failed => {}
            }
            Ok(())
        })
        .await?;
        let Some((provider, model)) = origin else {
            return Err(EngineError::invalid(
                "this answer never reached a model, so there is nothing to learn from it",
            ));
        };
        let provider: ProviderId =
            provider
                .parse()
                .map_err(|e: switchboard_core::InvalidProviderId| {
                    EngineError::invalid(e.to_string())
                })?;
        let task = serde_json::from_str::<switchboard_core::ModelParams>(&params)
            .ok()
            .and_then(|p| p.task);
        let target = switchboard_router::Target {
            provider,
            model,
            weight: 1,
            max_concurrency: None,
            openrouter: None,
        };
        self.learn(task.as_deref(), &target, signal).await;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use switchboard_core::{BaseUrl, CustomProvider};

    use super::*;

    #[test]
    fn a_summary_names_custom_providers_and_never_shows_their_ids() {
        let local = CustomProvider {
            id: ProviderId::custom(uuid::Uuid::from_u128(1)),
            name: "Desk Ollama".into(),
            base_url: BaseUrl::parse("http://127.0.0.1:11434/v1").unwrap(),
        };
        let gone = ProviderId::custom(uuid::Uuid::from_u128(2));
        let summary = format!(
            "route \"local\": no target can take this request ({} llama3: circuit open; \
             {gone} qwen: context too small; openrouter a/b: custom: limit)",
            local.id
        );
        assert_eq!(
            named_providers(&summary, &[local]),
            "route \"local\": no target can take this request (Desk Ollama llama3: circuit \
             open; a removed provider qwen: context too small; openrouter a/b: custom: limit)"
        );
    }
}
