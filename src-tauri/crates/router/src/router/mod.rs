//! The router: the user's configuration plus what it has learned (circuits, load, limits,
//! figures), deciding where each request goes and learning from how it went.

mod health;
mod rank;
mod ticket;
mod weigh;

pub use health::{LimitUse, RoutingHealth, TargetHealth};
use rank::{Scratch, rank};
pub use ticket::{Ending, Ticket};
use weigh::{delegate, limit_label, limit_scopes, summarize, weigh};

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, RwLock};
use std::time::{Duration, Instant};

use hashbrown::Equivalent;
use rand::SeedableRng;
use rand::rngs::SmallRng;
use switchboard_core::ProviderId;

use crate::breaker::{Admission, Breaker};
use crate::config::{HealthSettings, Route, RouterConfig, Strategy, Target};
use crate::decision::Decision;
use crate::limits::Window;
use crate::request::{Catalogue, RouteRequest};
use crate::rules::{CompiledRule, Recent, evaluate};
use crate::smart;
use crate::stats::Stats;
use crate::validate::{ConfigError, validate};

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

/// A [`LimitKey`] borrowed, as [`TargetRef`](crate::request::TargetRef) borrows a [`TargetKey`]: it hashes as the tuple
/// does, the same fields in order.
#[derive(Hash)]
struct LimitRef<'a>(&'a ProviderId, Option<&'a str>);

impl Equivalent<LimitKey> for LimitRef<'_> {
    fn equivalent(&self, key: &LimitKey) -> bool {
        *self.0 == key.0 && self.1 == key.1.as_deref()
    }
}

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
    // hashbrown's maps, for lookups by borrowed keys (`TargetRef`, `LimitRef`) and foldhash.
    targets: hashbrown::HashMap<TargetKey, TargetState>,
    limits: hashbrown::HashMap<LimitKey, Window>,
    turns: hashbrown::HashMap<String, u64>,
    rng: SmallRng,
    next_id: u64,
    scratch: Scratch,
}

/// The configuration and what is derived from it once, when it changes, for every decision.
#[derive(Debug)]
struct Compiled {
    config: RouterConfig,
    rules: Vec<CompiledRule>,
    /// Each rule's last reason that quoted a request, shared by the next request that fails
    /// the rule the same way.
    recent: Mutex<Vec<Recent>>,
    /// Each route's index by name (the first of a name, as a scan would find it).
    routes: hashbrown::HashMap<String, usize>,
    /// Each route's targets, shared: a decision's candidates and order point at them rather
    /// than copy them (two strings each, per target, per decision).
    targets: Vec<Vec<Arc<Target>>>,
}

impl Compiled {
    fn route(&self, name: &str) -> Option<(&Route, &[Arc<Target>])> {
        self.routes
            .get(name)
            .map(|&i| (&self.config.routes[i], &self.targets[i][..]))
    }
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
            targets: hashbrown::HashMap::new(),
            limits: hashbrown::HashMap::new(),
            turns: hashbrown::HashMap::new(),
            rng,
            next_id: 0,
            learned: smart::Learned::default(),
            scratch: Scratch::default(),
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
        let (matched, rules) = {
            let mut recent = compiled
                .recent
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            evaluate(&compiled.rules, &mut recent, req)
        };
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
                let (route, targets) = compiled
                    .route(name)
                    .ok_or_else(|| RouteError::UnknownRoute(name.clone()))?;
                (
                    targets,
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
                direct = [Arc::new(Target {
                    provider: provider.clone(),
                    model: model.clone(),
                    weight: 1,
                    max_concurrency: None,
                    openrouter: None,
                })];
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
        let mut scratch = std::mem::take(&mut state.scratch);
        scratch.figures.clear();
        scratch.eligible.clear();
        scratch.whys.start();
        decision.candidates.reserve_exact(targets.len());
        for target in targets {
            let (candidate, figs) = weigh(
                target,
                req,
                ctx,
                &state,
                &compiled.config,
                decision.direct,
                &mut scratch.whys,
            );
            if candidate.exclusion.is_none() {
                scratch.eligible.push(decision.candidates.len());
                scratch.figures.push(figs);
            }
            decision.candidates.push(candidate);
        }
        rank(
            &mut state,
            &mut scratch,
            &mut decision,
            req,
            cost_weight,
            take_turn,
        );
        state.scratch = scratch;
        drop(state);
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
    let rules: Vec<CompiledRule> = config
        .rules
        .iter()
        .cloned()
        .map(CompiledRule::new)
        .collect();
    let recent = Mutex::new(rules.iter().map(|_| Recent::default()).collect());
    let mut routes = hashbrown::HashMap::with_capacity(config.routes.len());
    for (i, route) in config.routes.iter().enumerate() {
        routes.entry(route.name.clone()).or_insert(i);
    }
    let targets = config
        .routes
        .iter()
        .map(|r| r.targets.iter().cloned().map(Arc::new).collect())
        .collect();
    Ok(Compiled {
        config,
        rules,
        recent,
        routes,
        targets,
    })
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

#[cfg(test)]
mod tests {
    use std::hash::BuildHasher;

    use super::*;
    use crate::request::TargetRef;

    /// A spent budget excludes its target whether the caller's map is small enough to scan or
    /// large enough to hash.
    #[test]
    fn a_spent_budget_excludes_its_target_among_few_or_many() {
        let or: ProviderId = "openrouter".parse().unwrap();
        let target = |model: &str| Target {
            provider: or.clone(),
            model: model.to_owned(),
            weight: 1,
            max_concurrency: None,
            openrouter: None,
        };
        let config = RouterConfig {
            routes: vec![Route {
                name: "r".into(),
                strategy: Strategy::Priority,
                openrouter_sort: None,
                cost_weight: None,
                targets: vec![target("a"), target("b")],
                failover: Default::default(),
            }],
            ..RouterConfig::default()
        };
        let router = Router::seeded(config, 1).unwrap();
        let req = RouteRequest {
            route: Some("r".into()),
            ..RouteRequest::default()
        };
        let catalogue = Catalogue::new();
        let keys = HashMap::new();
        for others in [0, 7, 8, 40] {
            let mut budgets: HashMap<(ProviderId, String), String> = (0..others)
                .map(|i| ((or.clone(), format!("other-{i}")), "other".to_owned()))
                .collect();
            budgets.insert((or.clone(), "a".into()), "daily cap".into());
            let ctx = Context {
                catalogue: &catalogue,
                key_labels: &keys,
                over_budget: &budgets,
                now: Instant::now(),
            };
            let d = router.decide(&req, &ctx).unwrap();
            assert_eq!(
                d.candidates[0].why,
                "over budget: daily cap",
                "{} budgets",
                budgets.len()
            );
            assert_eq!(
                d.order,
                [Arc::new(target("b"))],
                "{} budgets",
                budgets.len()
            );
        }
    }

    /// Borrowed keys find what owned keys stored: same hash, same equality.
    #[test]
    fn borrowed_keys_find_what_owned_keys_stored() {
        let or: ProviderId = "openrouter".parse().unwrap();
        let an: ProviderId = "anthropic".parse().unwrap();
        let hasher = hashbrown::DefaultHashBuilder::default();
        let mut targets: hashbrown::HashMap<TargetKey, u32> = hashbrown::HashMap::new();
        let mut limits: hashbrown::HashMap<LimitKey, u32> = hashbrown::HashMap::new();
        for (i, (p, m)) in [(&or, "a/b"), (&or, ""), (&an, "a/b"), (&an, "claude")]
            .into_iter()
            .enumerate()
        {
            let owned = (p.clone(), m.to_owned());
            assert_eq!(hasher.hash_one(&owned), hasher.hash_one(TargetRef(p, m)));
            targets.insert(owned, i as u32);
        }
        for (i, (p, k)) in [(&or, None), (&or, Some("a1b2")), (&an, Some(""))]
            .into_iter()
            .enumerate()
        {
            let owned = (p.clone(), k.map(str::to_owned));
            assert_eq!(hasher.hash_one(&owned), hasher.hash_one(LimitRef(p, k)));
            limits.insert(owned, i as u32);
        }
        assert_eq!(targets.get(&TargetRef(&an, "a/b")), Some(&2));
        assert_eq!(targets.get(&TargetRef(&or, "")), Some(&1));
        assert_eq!(targets.get(&TargetRef(&an, "a/")), None);
        assert_eq!(limits.get(&LimitRef(&or, None)), Some(&0));
        assert_eq!(limits.get(&LimitRef(&or, Some("a1b2"))), Some(&1));
        assert_eq!(limits.get(&LimitRef(&an, None)), None);
        assert_eq!(limits.get(&LimitRef(&an, Some(""))), Some(&2));
    }
}
