//! The router: the user's configuration plus what it has learned (circuits, load, limits,
//! figures), deciding where each request goes and learning from how it went.

mod health;
mod ticket;
mod weigh;

pub use health::{LimitUse, RoutingHealth, TargetHealth};
pub use ticket::{Ending, Ticket};
use weigh::{delegate, limit_label, limit_scopes, summarize, weigh};

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{Duration, Instant};

use rand::SeedableRng;
use rand::rngs::SmallRng;
use switchboard_core::ProviderId;

use crate::breaker::{Admission, Breaker};
use crate::config::{HealthSettings, RouterConfig, Strategy, Target};
use crate::decision::Decision;
use crate::limits::Window;
use crate::request::{Catalogue, RouteRequest};
use crate::rules::{CompiledRule, evaluate};
use crate::stats::Stats;
use crate::validate::{ConfigError, validate};
use crate::{select, smart};

/// Why a request could not be routed at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RouteError {
    /// The request named a route that does not exist.
    #[error("there is no route named \"{0}\"")]
    UnknownRoute(String),
    /// Neither a rule, a route nor a model says where it goes.
    #[error("nothing to route: name a model or a route, or add a rule that chooses one")]
    NothingToRoute,
}

/// Where the world stands for one decision: the model facts, the keys in use and budgets.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// What is known of each model.
    pub catalogue: &'a Catalogue,
    /// The label of the key each provider would use now (rate limits can be per key).
    pub key_labels: &'a HashMap<ProviderId, String>,
    /// Targets (provider, model) a budget forbids, with the budget's message.
    pub over_budget: &'a HashMap<(ProviderId, String), String>,
    /// Now.
    pub now: Instant,
}

/// A request held back before it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hold {
    /// How long until it may go (zero: it may not go to this target at all now).
    pub wait: Duration,
    /// Why, for a person.
    pub reason: String,
}

type TargetKey = (ProviderId, String);
type LimitKey = (ProviderId, Option<String>);

#[derive(Debug, Default)]
struct TargetState {
    breaker: Breaker,
    stats: Stats,
    in_flight: u32,
}

/// The smart strategy's default cost weight: cost matters, but a clearly better answer is
/// worth a few times the price.
const DEFAULT_COST_WEIGHT: f64 = 0.3;

#[derive(Debug)]
struct State {
    learned: smart::Learned,
    targets: HashMap<TargetKey, TargetState>,
    limits: HashMap<LimitKey, Window>,
    turns: HashMap<String, u64>,
    rng: SmallRng,
    next_id: u64,
}

#[derive(Debug)]
struct Compiled {
    config: RouterConfig,
    rules: Vec<CompiledRule>,
}

#[derive(Debug)]
struct Shared {
    compiled: RwLock<Arc<Compiled>>,
    state: Mutex<State>,
}

/// The router. Cheap to clone; clones share everything.
#[derive(Debug, Clone)]
pub struct Router {
    shared: Arc<Shared>,
}

impl Router {
    /// A router with `config` (validated) and nothing learned yet.
    pub fn new(config: RouterConfig) -> Result<Self, ConfigError> {
        Self::with_rng(config, SmallRng::from_os_rng())
    }

    /// [`Router::new`] with a seeded random source, for tests that count picks.
    pub fn seeded(config: RouterConfig, seed: u64) -> Result<Self, ConfigError> {
        Self::with_rng(config, SmallRng::seed_from_u64(seed))
    }

    fn with_rng(config: RouterConfig, rng: SmallRng) -> Result<Self, ConfigError> {
        let compiled = compile(config)?;
        let mut state = State {
            targets: HashMap::new(),
            limits: HashMap::new(),
            turns: HashMap::new(),
            rng,
            next_id: 0,
            learned: smart::Learned::default(),
        };
        sync_limits(&mut state, &compiled.config);
        Ok(Self {
            shared: Arc::new(Shared {
                compiled: RwLock::new(Arc::new(compiled)),
                state: Mutex::new(state),
            }),
        })
    }

    /// The configuration in force.
    pub fn config(&self) -> RouterConfig {
        self.compiled().config.clone()
    }

    /// Replaces the configuration; what was learned about targets is kept.
    pub fn set_config(&self, config: RouterConfig) -> Result<(), ConfigError> {
        let compiled = compile(config)?;
        sync_limits(&mut self.state(), &compiled.config);
        *self
            .shared
            .compiled
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Arc::new(compiled);
        Ok(())
    }

    /// Decides where `req` goes. Nothing is reserved and no turn is taken, so explaining a
    /// route, or deciding again with budgets, leaves the next request where it would have gone.
    pub fn decide(&self, req: &RouteRequest, ctx: &Context<'_>) -> Result<Decision, RouteError> {
        self.decide_as(req, ctx, false)
    }

    /// [`Router::decide`] for a request about to be sent: a round-robin route's next request
    /// starts at the next target. Call it once per request. The turn is read and taken under
    /// one lock, so requests deciding at the same moment still go to different targets.
    pub fn decide_to_send(
        &self,
        req: &RouteRequest,
        ctx: &Context<'_>,
    ) -> Result<Decision, RouteError> {
        self.decide_as(req, ctx, true)
    }

    fn decide_as(
        &self,
        req: &RouteRequest,
        ctx: &Context<'_>,
        take_turn: bool,
    ) -> Result<Decision, RouteError> {
        let compiled = self.compiled();
        let (matched, rules) = evaluate(&compiled.rules, req);
        let rule = matched.map(|i| &compiled.rules[i].rule);
        let mut decision = Decision {
            request: req.clone(),
            rules,
            rule: rule.map(|r| r.name.clone()),
            blocked: None,
            route: None,
            direct: false,
            strategy: Strategy::Priority,
            set: rule.and_then(|r| r.then.set.clone()),
            candidates: Vec::new(),
            order: Vec::new(),
            failover: Default::default(),
            delegation: None,
            summary: String::new(),
        };
        if let Some(message) = rule.and_then(|r| r.then.block.clone()) {
            decision.summary = format!(
                "blocked by rule \"{}\": {message}",
                decision.rule.as_deref().unwrap_or_default()
            );
            decision.blocked = Some(message);
            return Ok(decision);
        }
        let route_name = rule
            .and_then(|r| r.then.route.clone())
            .or_else(|| req.route.clone());
        let direct;
        let (targets, strategy, failover, sort, cost_weight) = match &route_name {
            Some(name) => {
                let route = compiled
                    .config
                    .routes
                    .iter()
                    .find(|r| &r.name == name)
                    .ok_or_else(|| RouteError::UnknownRoute(name.clone()))?;
                (
                    &route.targets[..],
                    route.strategy,
                    route.failover,
                    route.openrouter_sort.clone(),
                    route.cost_weight.unwrap_or(DEFAULT_COST_WEIGHT),
                )
            }
            None => {
                let (Some(provider), Some(model)) = (&req.provider, &req.model) else {
                    // Still an answer, with every rule's verdict: that is when a person most
                    // wants to see why none of them matched.
                    decision.summary = RouteError::NothingToRoute.to_string();
                    return Ok(decision);
                };
                direct = [Target {
                    provider: provider.clone(),
                    model: model.clone(),
                    weight: 1,
                    max_concurrency: None,
                    openrouter: None,
                }];
                (
                    &direct[..],
                    Strategy::Priority,
                    Default::default(),
                    None,
                    DEFAULT_COST_WEIGHT,
                )
            }
        };
        decision.direct = route_name.is_none();
        decision.route = route_name;
        decision.strategy = strategy;
        decision.failover = failover;

        let mut state = self.state();
        let mut figures = Vec::new();
        let mut eligible = Vec::new();
        for target in targets {
            let (candidate, figs) =
                weigh(target, req, ctx, &state, &compiled.config, decision.direct);
            if candidate.exclusion.is_none() {
                eligible.push(decision.candidates.len());
                figures.push(figs);
            }
            decision.candidates.push(candidate);
        }
        let turn = decision
            .route
            .as_ref()
            .and_then(|r| state.turns.get(r))
            .copied()
            .unwrap_or_default();
        let mut reasons = Vec::new();
        let ranked = if strategy == Strategy::Smart {
            let task = req.task.as_deref();
            let arms: Vec<smart::Arm> = eligible
                .iter()
                .zip(&figures)
                .map(|(&c, f)| {
                    let t = &decision.candidates[c].target;
                    smart::Arm {
                        evidence: state.learned.evidence(task, &t.provider, &t.model),
                        cost: f.cost,
                    }
                })
                .collect();
            let (order, scored) = smart::choose(&arms, cost_weight, &mut state.rng);
            reasons = scored
                .iter()
                .zip(&arms)
                .map(|(s, a)| s.explain(&a.evidence, cost_weight))
                .collect();
            order
        } else {
            select::order(strategy, &figures, turn, &mut state.rng)
        };
        // A request with nowhere to go waits and decides again; it has not had its turn.
        if take_turn
            && !ranked.is_empty()
            && let Some(route) = &decision.route
        {
            *state.turns.entry(route.clone()).or_default() += 1;
        }
        drop(state);
        for (rank, &i) in ranked.iter().enumerate() {
            let c = &mut decision.candidates[eligible[i]];
            c.rank = Some(rank as u32);
            let place = if rank == 0 {
                "chosen".to_owned()
            } else {
                format!("fallback {rank}")
            };
            c.why = match reasons.get(i) {
                Some(reason) => format!("{place}: {reason}"),
                None => place,
            };
            decision.order.push(c.target.clone());
        }
        if strategy == Strategy::Openrouter {
            delegate(&mut decision, sort);
        }
        decision.summary = summarize(&decision);
        Ok(decision)
    }

    /// Reserves capacity at `target` for a request of about `tokens` and counts it in
    /// flight, or says why it must wait or go elsewhere.
    pub fn begin(
        &self,
        target: &Target,
        key_label: Option<&str>,
        tokens: u64,
        now: Instant,
    ) -> Result<Ticket, Hold> {
        self.begin_as(target, key_label, tokens, now, true)
    }

    /// [`Router::begin`] for a [`Decision::direct`] request when `respect_circuit` is false:
    /// an open circuit does not hold it back.
    pub fn begin_as(
        &self,
        target: &Target,
        key_label: Option<&str>,
        tokens: u64,
        now: Instant,
        respect_circuit: bool,
    ) -> Result<Ticket, Hold> {
        let compiled = self.compiled();
        let mut state = self.state();
        let key = (target.provider.clone(), target.model.clone());
        let entry = state.targets.entry(key.clone()).or_default();
        if let Some(max) = target.max_concurrency
            && entry.in_flight >= max
        {
            return Err(Hold {
                wait: Duration::from_millis(250),
                reason: format!("busy: {} of {max} requests in flight", entry.in_flight),
            });
        }
        if respect_circuit && let Admission::No { retry_in, reason } = entry.breaker.admission(now)
        {
            return Err(Hold {
                wait: retry_in,
                reason: format!("circuit open: {reason}"),
            });
        }
        let scopes = limit_scopes(&target.provider, key_label);
        for scope in &scopes {
            if let Some(w) = state.limits.get(scope) {
                let wait = w.wait(now, tokens);
                if !wait.is_zero() {
                    return Err(Hold {
                        wait,
                        reason: format!(
                            "rate limit {} reached",
                            limit_label(scope, &compiled.config)
                        ),
                    });
                }
            }
        }
        state.next_id += 1;
        let id = state.next_id;
        let mut reserved = Vec::new();
        for scope in scopes {
            if let Some(w) = state.limits.get_mut(&scope) {
                w.take(now, id, tokens);
                reserved.push(scope);
            }
        }
        let entry = state.targets.entry(key.clone()).or_default();
        let trial = entry.breaker.begin(now) == Admission::Trial;
        entry.in_flight += 1;
        Ok(Ticket {
            shared: Arc::clone(&self.shared),
            key,
            id,
            reserved,
            trial,
            done: false,
        })
    }

    /// How open circuits are health-checked, without copying the rest of the configuration.
    pub fn health_settings(&self) -> HealthSettings {
        self.compiled().config.health
    }

    fn compiled(&self) -> Arc<Compiled> {
        Arc::clone(
            &self
                .shared
                .compiled
                .read()
                .unwrap_or_else(PoisonError::into_inner),
        )
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

fn compile(config: RouterConfig) -> Result<Compiled, ConfigError> {
    validate(&config)?;
    let rules = config
        .rules
        .iter()
        .cloned()
        .map(CompiledRule::new)
        .collect();
    Ok(Compiled { config, rules })
}

fn sync_limits(state: &mut State, config: &RouterConfig) {
    state.limits.retain(|k, _| {
        config
            .limits
            .iter()
            .any(|l| l.provider == k.0 && l.key == k.1)
    });
    for l in &config.limits {
        state
            .limits
            .entry((l.provider.clone(), l.key.clone()))
            .or_insert_with(|| Window::new(l.rpm, l.tpm))
            .set_limits(l.rpm, l.tpm);
    }
}
