//! One gateway under test: the fake upstream, an engine on a temporary data directory whose
//! OpenRouter is the fake (its key from the environment, as `OPENROUTER_API_KEY` would give it;
//! client keys live in SQLite, so no keychain is needed), a client key, and the server on a
//! free loopback port.

use std::collections::BTreeMap;
use std::time::Duration;

use switchboard_engine::core::{BudgetPeriod, BuiltinProvider, SpendGrouping, Usd};
use switchboard_engine::router::{Failover, Route, Strategy, Target};
use switchboard_engine::{DataDir, Engine, EngineConfig, Environment, LedgerEntry};
use switchboard_gateway::server::{Gateway, GatewayConfig};
use switchboard_tests::{FakeUpstream, keychain};

use crate::sdk::{Case, Sdk};

/// The OpenRouter key the fake accepts; it must never reach a client.
pub(crate) const UPSTREAM_KEY: &str = "sk-or-v1-gateway-tests-upstream-000000000001";

/// An OpenRouter id in the fake's catalogue ($0.5/M in, $1.5/M out), so budgets can price it.
pub(crate) const MODEL: &str = "openai/gpt-3.5-turbo";

/// The name of the client key every harness makes.
pub(crate) const CLIENT: &str = "sdk-tests";

pub(crate) struct Harness {
    pub(crate) fake: FakeUpstream,
    pub(crate) engine: Engine,
    pub(crate) gateway: Gateway,
    /// The secret of client key [`CLIENT`].
    pub(crate) key: String,
    _dir: tempfile::TempDir,
}

impl Harness {
    /// A gateway with the default limits.
    pub(crate) async fn start() -> Self {
        Self::with(|_| {}).await
    }

    /// A gateway whose config `adjust` changed (before it starts).
    pub(crate) async fn with(adjust: impl FnOnce(&mut GatewayConfig)) -> Self {
        let fake = FakeUpstream::start(UPSTREAM_KEY);
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(EngineConfig {
            data_dir: DataDir::at(dir.path()),
            keychain_service: keychain::unique_service(),
            environment: Environment::from_pairs([
                ("OPENROUTER_BASE_URL", fake.openrouter_base().as_str()),
                ("OPENROUTER_API_KEY", UPSTREAM_KEY),
            ]),
        })
        .unwrap();
        // The catalogue's prices, so each request's worst case can be reserved.
        engine.models().catalogue(true).await.unwrap();
        let key = engine.clients().create(CLIENT, None).await.unwrap().secret;
        let mut config = GatewayConfig {
            port: 0,
            request_timeout: Duration::from_secs(30),
            ..GatewayConfig::default()
        };
        adjust(&mut config);
        let gateway = Gateway::start(engine.clone(), config).await.unwrap();
        Self {
            fake,
            engine,
            gateway,
            key,
            _dir: dir,
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub(crate) fn base_url(&self) -> String {
        format!("http://{}", self.gateway.addr())
    }

    /// A second client key, with a hard budget of `budget` USD a day when given.
    pub(crate) async fn client_key(&self, name: &str, budget: Option<&str>) -> String {
        let budget = budget.map(|b| (usd(b), BudgetPeriod::Day));
        self.engine
            .clients()
            .create(name, budget)
            .await
            .unwrap()
            .secret
    }

    /// Adds route `name`: OpenRouter's [`MODEL`] alone, failing over as `failover` says.
    pub(crate) async fn add_route(&self, name: &str, failover: Failover) {
        let mut config = self.engine.routing().config();
        config.routes.push(Route {
            name: name.into(),
            strategy: Strategy::default(),
            openrouter_sort: None,
            cost_weight: None,
            targets: vec![Target {
                provider: BuiltinProvider::OpenRouter.id(),
                model: MODEL.into(),
                weight: 1,
                max_concurrency: None,
                openrouter: None,
            }],
            failover,
        });
        self.engine.routing().set_config(config).await.unwrap();
    }

    /// The environment of the SDK script: where the gateway is, the key, the model.
    pub(crate) fn sdk_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("SB_BASE_URL", self.base_url()),
            ("SB_KEY", self.key.clone()),
            ("SB_MODEL", MODEL.to_owned()),
        ]
    }

    /// Runs the SDK `cases` against this gateway with [`Harness::sdk_env`] plus `extra`, and
    /// checks that the provider key appears nowhere in what the clients saw.
    pub(crate) async fn run(
        &self,
        sdk: &Sdk,
        extra: &[(&'static str, String)],
        cases: &[&str],
    ) -> BTreeMap<String, Case> {
        let mut env = self.sdk_env();
        env.extend(extra.iter().cloned());
        let pairs: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let results = sdk.run(&pairs, cases).await;
        let seen = serde_json::to_string(&results).unwrap();
        // The fake's `EchoKey` repeats the first 12 and the last 10 characters.
        let (head, tail) = (
            &UPSTREAM_KEY[..12],
            &UPSTREAM_KEY[UPSTREAM_KEY.len() - 10..],
        );
        assert!(
            !seen.contains(head) && !seen.contains(tail),
            "part of the provider key reached a client: {seen}"
        );
        results
    }

    /// Every settled ledger row, oldest first. Rows settle just after the answer's last byte
    /// went out, so this waits (generously) until none is pending.
    pub(crate) async fn ledger(&self) -> Vec<LedgerEntry> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let mut rows = self.engine.spend().recent_requests(1000).await.unwrap();
            rows.sort_by(|a, b| a.id.cmp(&b.id));
            let pending = rows
                .iter()
                .any(|r| r.outcome == switchboard_engine::Outcome::Pending);
            if !pending || tokio::time::Instant::now() > deadline {
                return rows;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Spend grouped by client: (label, exact cost, requests), costliest first.
    pub(crate) async fn spend_by_client(&self) -> Vec<(String, Usd, u64)> {
        let report = self
            .engine
            .spend()
            .report(SpendGrouping::Client, None, None)
            .await
            .unwrap();
        report
            .rows
            .into_iter()
            .map(|r| (r.label, r.cost, r.requests))
            .collect()
    }

    /// The chat requests the fake received (any provider), oldest first, as JSON bodies.
    pub(crate) fn upstream_chats(&self) -> Vec<serde_json::Value> {
        self.fake
            .requests()
            .into_iter()
            .filter(|r| r.method == "POST" && r.path.ends_with("/chat/completions"))
            .map(|r| r.json().unwrap())
            .collect()
    }
}

pub(crate) fn usd(text: &str) -> Usd {
    Usd::parse(text).unwrap()
}
