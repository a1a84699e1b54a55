//! Budgets that hold across every process on the database: before a request is sent its
//! worst-case cost is checked against every hard budget in its scope and recorded as a
//! `pending` ledger row in one SQLite transaction (the store's `reserve_request`), so the app,
//! the CLI and the local API, each a process of its own, cannot all read the same headroom.
//! The row settles to the real cost when the request ends; a crash leaves it for the next
//! start to mark interrupted. Crossed alert thresholds fire once per period, as events the app
//! turns into notices and desktop notifications.

use switchboard_core::{Budget, BudgetAlert, BudgetScope, BudgetStatus, ProviderId, Usd};
use switchboard_store::{LedgerEntry, Refusal, Store};
use tokio::sync::broadcast;

use crate::{Engine, EngineError};

/// What a request is, as budgets see it.
#[derive(Debug, Clone, Default)]
pub(crate) struct SpendScope {
    pub(crate) provider: Option<ProviderId>,
    pub(crate) model: Option<String>,
    pub(crate) agent: Option<String>,
    pub(crate) conversation: Option<String>,
    /// The client key's id, for a request through the local API.
    pub(crate) client: Option<String>,
}

impl SpendScope {
    pub(crate) fn matches(&self, b: &Budget) -> bool {
        let v = b.scope_value.as_deref();
        match b.scope {
            BudgetScope::Global => true,
            BudgetScope::Provider => self.provider.as_ref().map(ProviderId::as_str) == v,
            BudgetScope::Model => self.model.as_deref() == v,
            BudgetScope::Agent => self.agent.is_some() && self.agent.as_deref() == v,
            BudgetScope::Conversation => {
                self.conversation.is_some() && self.conversation.as_deref() == v
            }
            BudgetScope::Client => self.client.is_some() && self.client.as_deref() == v,
        }
    }
}

/// Where budget alerts are announced.
#[derive(Debug)]
pub(crate) struct Alerts(broadcast::Sender<BudgetAlert>);

impl Default for Alerts {
    fn default() -> Self {
        Self(broadcast::channel(64).0)
    }
}

impl Engine {
    /// Records `pending` (a request about to be sent, its worst case in `bound`) as a pending
    /// ledger row sent by `scope.client` (the app and the CLI send with none), unless its
    /// worst case would cross a hard budget in `scope`: then nothing is recorded and the
    /// refusal names the budget. Check and record are one transaction that every process on
    /// the database takes in turn.
    pub(crate) async fn reserve(
        &self,
        pending: LedgerEntry,
        scope: SpendScope,
    ) -> Result<(), EngineError> {
        self.blocking(move |inner| {
            let now = switchboard_store::now_unix_ms();
            let client = scope.client.clone();
            match inner
                .store
                .reserve_request(&pending, client.as_deref(), now, move |b| scope.matches(b))?
            {
                Ok(()) => Ok(()),
                Err(refusal) => Err(EngineError::OverBudget {
                    message: refusal_message(&refusal),
                }),
            }
        })
        .await
    }

    /// Why a request with this scope and worst case would be refused now, if it would;
    /// nothing is reserved (for the explain view).
    pub(crate) async fn budget_refusal(
        &self,
        scope: SpendScope,
        bound: Option<Usd>,
    ) -> Option<String> {
        self.blocking(move |inner| {
            let now = switchboard_store::now_unix_ms();
            Ok(inner
                .store
                .budget_refusal(bound, now, |b| scope.matches(b))?
                .map(|r| refusal_message(&r)))
        })
        .await
        .ok()
        .flatten()
    }

    /// Every budget, as recently read (see `fresh.rs`): for deciding whether a budget
    /// concerns a request at all. What a request may spend is decided in its reservation,
    /// against the ledger and the budgets as they stand in that transaction.
    pub(crate) async fn budgets_seen(&self) -> Result<std::sync::Arc<Vec<Budget>>, EngineError> {
        let revision = crate::fresh::revision(&self.inner);
        if let Some(seen) = self.inner.seen.budgets.get(revision) {
            return Ok(seen);
        }
        let budgets = self.blocking(|inner| Ok(inner.store.budgets()?)).await?;
        Ok(self.inner.seen.budgets.keep(revision, budgets))
    }

    /// Whether a hard budget applies to `scope` (a request there needs a known worst case).
    pub(crate) async fn hard_budget_over(&self, scope: SpendScope) -> Option<Budget> {
        self.budgets_seen()
            .await
            .ok()?
            .iter()
            .find(|b| b.hard && scope.matches(b))
            .cloned()
    }

    /// Fires the alerts a finished request's spend crossed, once per threshold and period.
    pub(crate) async fn check_budget_alerts(&self, scope: SpendScope) {
        // Most requests fall under no budget with alerts: nothing to read for them.
        if let Ok(budgets) = self.budgets_seen().await
            && !budgets
                .iter()
                .any(|b| scope.matches(b) && !b.alerts.is_empty())
        {
            return;
        }
        let fired = self
            .blocking(move |inner| {
                let now = switchboard_store::now_unix_ms();
                let mut fired = Vec::new();
                for b in inner.store.budgets()? {
                    if !scope.matches(&b) || b.alerts.is_empty() {
                        continue;
                    }
                    let start = inner.store.period_start(b.period, now)?;
                    let spent = inner.store.spent(&b, start)?.cost;
                    // Only the highest threshold crossed is announced; lower ones are marked
                    // so a later request does not announce them out of order.
                    let crossed: Vec<u8> = b
                        .alerts
                        .iter()
                        .copied()
                        .filter(|t| spent >= b.limit.percent(*t))
                        .collect();
                    let mut newest = None;
                    for t in crossed {
                        if inner.store.mark_alert(&b.id, start, t)? {
                            newest = Some(t);
                        }
                    }
                    if let Some(threshold) = newest {
                        let message = format!(
                            "Budget {} is at {}% (${spent} of ${}), past its {threshold}% alert{}",
                            b.describe(),
                            percent_used(spent, b.limit),
                            b.limit,
                            if b.hard && threshold >= 100 {
                                "; new requests in its scope are refused until it resets or you raise it"
                            } else {
                                ""
                            }
                        );
                        fired.push(BudgetAlert {
                            budget: b,
                            threshold,
                            spent,
                            message,
                        });
                    }
                }
                Ok(fired)
            })
            .await;
        match fired {
            Ok(alerts) => {
                for alert in alerts {
                    tracing::info!(message = %alert.message, "budget alert");
                    let _ = self.inner.budgets.0.send(alert);
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not check budget alerts"),
        }
    }
}

impl crate::Spend<'_> {
    /// Every budget with what is spent and held in its current period.
    pub async fn budgets(&self) -> Result<Vec<BudgetStatus>, EngineError> {
        self.blocking(move |inner| {
            let now = switchboard_store::now_unix_ms();
            inner
                .store
                .budgets()?
                .into_iter()
                .map(|b| status(&inner.store, b, now))
                .collect()
        })
        .await
    }

    /// Creates (empty id) or replaces a budget, after checking it; returns it as stored (with
    /// its scope's label). A client budget may name its key by name or id; it is stored by id.
    pub async fn save_budget(&self, mut budget: Budget) -> Result<Budget, EngineError> {
        budget.name = budget.name.trim().to_owned();
        if budget.name.is_empty() {
            return Err(EngineError::invalid("give the budget a name"));
        }
        budget.scope_value = budget
            .scope_value
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty());
        match (budget.scope, &budget.scope_value) {
            (BudgetScope::Global, _) => budget.scope_value = None,
            (scope, None) => {
                return Err(EngineError::invalid(format!(
                    "a {} budget needs the {} it applies to",
                    scope.as_str(),
                    scope.as_str()
                )));
            }
            (BudgetScope::Provider, Some(p)) => {
                p.parse::<ProviderId>()
                    .map_err(|e| EngineError::invalid(e.to_string()))?;
            }
            (BudgetScope::Client, Some(key)) => {
                budget.scope_value = Some(self.client_key_id(key).await?);
            }
            _ => {}
        }
        if budget.limit.is_negative() {
            return Err(EngineError::invalid("a limit cannot be negative"));
        }
        if budget.alerts.iter().any(|a| *a == 0 || *a > 100) {
            return Err(EngineError::invalid(
                "alert thresholds are percentages from 1 to 100",
            ));
        }
        budget.alerts.sort_unstable();
        budget.alerts.dedup();
        if budget.id.is_empty() {
            budget.id = uuid::Uuid::now_v7().to_string();
        }
        self.blocking(move |inner| {
            inner.store.save_budget(&budget)?;
            // Read back, so the caller gets the label the store gives it (a name for an id).
            let stored = inner
                .store
                .budgets()?
                .into_iter()
                .find(|b| b.id == budget.id);
            Ok(stored.unwrap_or(budget))
        })
        .await
    }

    /// Deletes a budget.
    pub async fn delete_budget(&self, id: String) -> Result<(), EngineError> {
        self.blocking(move |inner| Ok(inner.store.delete_budget(&id)?))
            .await
    }

    /// Budget alerts as they fire.
    pub fn budget_alerts(&self) -> broadcast::Receiver<BudgetAlert> {
        self.inner.budgets.0.subscribe()
    }
}

fn status(store: &Store, budget: Budget, now: i64) -> Result<BudgetStatus, EngineError> {
    let start = store.period_start(budget.period, now)?;
    let spent = store.spent(&budget, start)?;
    let limit = budget.limit.to_f64_lossy();
    Ok(BudgetStatus {
        fraction: if limit > 0.0 {
            spent.cost.to_f64_lossy() / limit
        } else {
            1.0
        },
        exhausted: budget.hard && spent.cost >= budget.limit,
        spent: spent.cost,
        reserved: spent.held,
        unknown_requests: spent.unknown,
        period_start_ms: start,
        budget,
    })
}

/// How much of `limit` is used, in whole percent rounded down (so "100%" means reached).
fn percent_used(spent: Usd, limit: Usd) -> u64 {
    if limit <= Usd::ZERO {
        return 100;
    }
    let ratio = spent.to_pico() as f64 / limit.to_pico() as f64;
    // Rounded down, and never below a threshold the exact sums say was crossed.
    (ratio * 100.0 + 1e-9).floor().max(0.0) as u64
}

/// The refusal, with every figure exact so the sum visibly crosses the limit.
pub(crate) fn refusal_message(r: &Refusal) -> String {
    let mut parts = vec![format!("${} spent", r.spent)];
    if r.held > Usd::ZERO {
        parts.push(format!(
            "${} held for requests in flight or not yet billed",
            r.held
        ));
    }
    let tail = match r.bound {
        Some(bound) => {
            parts.push(format!("up to ${bound} for this request"));
            format!(
                "{} = ${}, over the ${} limit",
                parts.join(" + "),
                r.spent + r.held + bound,
                r.budget.limit
            )
        }
        None => format!(
            "{} has reached the ${} limit",
            parts.join(" + "),
            r.budget.limit
        ),
    };
    format!(
        "Budget {} would be exceeded: {tail}. Raise the limit in Spend → Budgets (or \
         `switchboard budget set`), ask for fewer output tokens (max tokens), or wait for the \
         period to reset.",
        r.budget.describe(),
    )
}
