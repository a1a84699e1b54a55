//! Budgets that hold: before a request is sent, its worst-case cost is reserved against every
//! hard budget in its scope (under one lock, so parallel requests near a limit cannot all slip
//! past it); when it ends its ledger row is written first and the reservation released after,
//! so at no moment is the request counted nowhere. Crossed alert thresholds fire once per
//! period, as events the app turns into notices and desktop notifications.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use switchboard_core::{Budget, BudgetAlert, BudgetScope, BudgetStatus, ProviderId, Usd};
use switchboard_store::Store;
use tokio::sync::broadcast;

use crate::{Engine, EngineError};

/// What a request is, as budgets see it.
#[derive(Debug, Clone, Default)]
pub(crate) struct SpendScope {
    pub(crate) provider: Option<ProviderId>,
    pub(crate) model: Option<String>,
    pub(crate) agent: Option<String>,
    pub(crate) conversation: Option<String>,
}

impl SpendScope {
    fn matches(&self, b: &Budget) -> bool {
        let v = b.scope_value.as_deref();
        match b.scope {
            BudgetScope::Global => true,
            BudgetScope::Provider => self.provider.as_ref().map(ProviderId::as_str) == v,
            BudgetScope::Model => self.model.as_deref() == v,
            BudgetScope::Agent => self.agent.is_some() && self.agent.as_deref() == v,
            BudgetScope::Conversation => {
                self.conversation.is_some() && self.conversation.as_deref() == v
            }
        }
    }
}

/// Money held for requests in flight.
#[derive(Debug)]
pub(crate) struct Reservations {
    held: Mutex<HashMap<u64, (Vec<String>, Usd)>>,
    next: AtomicU64,
    alerts: broadcast::Sender<BudgetAlert>,
}

impl Default for Reservations {
    fn default() -> Self {
        Self {
            held: Mutex::new(HashMap::new()),
            next: AtomicU64::new(1),
            alerts: broadcast::channel(64).0,
        }
    }
}

impl Reservations {
    fn reserved_for(held: &HashMap<u64, (Vec<String>, Usd)>, budget: &str) -> Usd {
        held.values()
            .filter(|(ids, _)| ids.iter().any(|id| id == budget))
            .map(|(_, amount)| *amount)
            .sum()
    }
}

/// A reservation; released when dropped (after the request's ledger row is written).
#[derive(Debug)]
pub(crate) struct BudgetHold {
    owner: Arc<Reservations>,
    id: u64,
}

impl Drop for BudgetHold {
    fn drop(&mut self) {
        self.owner
            .held
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.id);
    }
}

impl Engine {
    /// Every budget with what is spent and held in its current period.
    pub async fn budgets(&self) -> Result<Vec<BudgetStatus>, EngineError> {
        let owner = Arc::clone(&self.inner.budgets);
        self.blocking(move |inner| {
            let held = owner.held.lock().unwrap_or_else(PoisonError::into_inner);
            let now = switchboard_store::now_unix_ms();
            inner
                .store
                .budgets()?
                .into_iter()
                .map(|b| status(&inner.store, b, &held, now))
                .collect()
        })
        .await
    }

    /// Creates (empty id) or replaces a budget, after checking it.
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
        let saved = budget.clone();
        self.blocking(move |inner| Ok(inner.store.save_budget(&budget)?))
            .await?;
        Ok(saved)
    }

    /// Deletes a budget.
    pub async fn delete_budget(&self, id: String) -> Result<(), EngineError> {
        self.blocking(move |inner| Ok(inner.store.delete_budget(&id)?))
            .await
    }

    /// Budget alerts as they fire.
    pub fn budget_alerts(&self) -> broadcast::Receiver<BudgetAlert> {
        self.inner.budgets.alerts.subscribe()
    }

    /// Reserves `bound` (a request's worst-case cost) against every hard budget in `scope`,
    /// or refuses with the budget that would be crossed. An unknown bound is refused only by
    /// a budget already spent.
    pub(crate) async fn reserve_budget(
        &self,
        scope: SpendScope,
        bound: Option<Usd>,
    ) -> Result<BudgetHold, EngineError> {
        let owner = Arc::clone(&self.inner.budgets);
        self.blocking(move |inner| {
            // One lock across reading the spend and recording the hold: a second request
            // cannot read the same headroom in between.
            let mut held = owner.held.lock().unwrap_or_else(PoisonError::into_inner);
            let now = switchboard_store::now_unix_ms();
            let mut matched = Vec::new();
            for b in inner.store.budgets()? {
                if !scope.matches(&b) {
                    continue;
                }
                if b.hard {
                    refuse_if_over(&inner.store, &b, &held, bound, now)?;
                }
                matched.push(b.id);
            }
            let id = owner.next.fetch_add(1, Ordering::Relaxed);
            held.insert(id, (matched, bound.unwrap_or(Usd::ZERO)));
            Ok(BudgetHold {
                owner: Arc::clone(&owner),
                id,
            })
        })
        .await
    }

    /// Why a request with this scope and bound would be refused now, if it would; nothing is
    /// reserved (for the explain view).
    pub(crate) async fn budget_refusal(
        &self,
        scope: SpendScope,
        bound: Option<Usd>,
    ) -> Option<String> {
        let owner = Arc::clone(&self.inner.budgets);
        self.blocking(move |inner| {
            let held = owner.held.lock().unwrap_or_else(PoisonError::into_inner);
            let now = switchboard_store::now_unix_ms();
            for b in inner.store.budgets()? {
                if b.hard && scope.matches(&b) {
                    refuse_if_over(&inner.store, &b, &held, bound, now)?;
                }
            }
            Ok(())
        })
        .await
        .err()
        .map(|e| e.to_string())
    }

    /// Fires the alerts a finished request's spend crossed, once per threshold and period.
    pub(crate) async fn check_budget_alerts(&self, scope: SpendScope) {
        let owner = Arc::clone(&self.inner.budgets);
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
                            "Budget {} is at {threshold}%: ${} spent{}",
                            b.describe(),
                            spent.human(),
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
                    let _ = owner.alerts.send(alert);
                }
            }
            Err(e) => tracing::warn!(error = %e, "could not check budget alerts"),
        }
    }
}

fn status(
    store: &Store,
    budget: Budget,
    held: &HashMap<u64, (Vec<String>, Usd)>,
    now: i64,
) -> Result<BudgetStatus, EngineError> {
    let start = store.period_start(budget.period, now)?;
    let spent = store.spent(&budget, start)?;
    let reserved = Reservations::reserved_for(held, &budget.id);
    let limit = budget.limit.to_f64_lossy();
    Ok(BudgetStatus {
        fraction: if limit > 0.0 {
            spent.cost.to_f64_lossy() / limit
        } else {
            1.0
        },
        exhausted: budget.hard && spent.cost >= budget.limit,
        spent: spent.cost,
        reserved,
        unknown_requests: spent.unknown,
        period_start_ms: start,
        budget,
    })
}

fn refuse_if_over(
    store: &Store,
    b: &Budget,
    held: &HashMap<u64, (Vec<String>, Usd)>,
    bound: Option<Usd>,
    now: i64,
) -> Result<(), EngineError> {
    let start = store.period_start(b.period, now)?;
    let spent = store.spent(b, start)?.cost;
    let reserved = Reservations::reserved_for(held, &b.id);
    let committed = spent + reserved;
    let over = match bound {
        Some(bound) => committed + bound > b.limit,
        None => committed >= b.limit,
    };
    if !over {
        return Ok(());
    }
    let could = bound.map_or_else(String::new, |c| {
        format!(", and this request could cost up to ${}", c.human())
    });
    let held_note = if reserved > Usd::ZERO {
        format!(" (${} held for requests in flight)", reserved.human())
    } else {
        String::new()
    };
    Err(EngineError::OverBudget {
        message: format!(
            "Budget {} would be exceeded: ${} spent{held_note}{could}. Raise the limit in \
             Spend → Budgets (or `switchboard budget set`), or wait for the period to reset.",
            b.describe(),
            spent.human(),
        ),
    })
}
