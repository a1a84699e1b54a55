//! A routed send as a stream of events, in four steps per attempt: *wait* for a decision with
//! an eligible target, *acquire* what the attempt needs (a key, a place within the target's
//! limits, its worst case reserved as a pending ledger row), *attempt* it (deltas forwarded
//! as they arrive), and *record* what the router and the budgets learn and what failover does
//! next.
//!
//! The events go through a bounded channel, so a slow reader (a local API client on a slow
//! socket, a busy webview) slows the provider read loop instead of queueing without bound, and
//! a reader that goes away (the client disconnected) cancels the upstream request; what the
//! provider billed is still recorded.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::Stream;
use switchboard_core::{ChatRequest, Delta, ErrorCode, ErrorInfo};
use switchboard_router::{
    Attempt, AttemptOutcome, Catalogue, Decision, Ending, Exclusion, FailoverPlan, FailureClass,
    RouteRequest, Sample, Signal, Step, Target, Ticket,
};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::MAX_WAIT;
use super::send::{
    RoutedOutcome, apply_overrides, describe, last_four, millis, pending_row, sleep_or_cancel,
    spend_scope, target_request,
};
use crate::chat::{ChatOutcome, LedgerSlot, RouteTag};
use crate::keys::KeyChoice;
use crate::{Engine, EngineError};

/// How many events a routed send buffers before it waits for its reader.
const EVENTS: usize = 64;

/// One event of a routed send, in order.
#[derive(Debug, Clone)]
pub enum RouteEvent {
    /// An attempt starts at this target.
    Attempt {
        /// 1-based.
        n: u32,
        /// Where.
        target: Target,
        /// Its ledger row (pending until the attempt ends).
        ledger_id: String,
    },
    /// Held back: rate limit, concurrency or a `Retry-After`.
    Waiting {
        /// For how long, ms.
        ms: u64,
        /// Why.
        reason: String,
    },
    /// A piece of the answer.
    Delta(Delta),
}

/// A routed send in progress: read its events (it is a [`Stream`]), then take its outcome.
/// Dropped before the end, it cancels the request (the ledger still records it).
#[derive(Debug)]
pub struct RoutedSend {
    events: mpsc::Receiver<RouteEvent>,
    task: JoinHandle<Result<RoutedOutcome, EngineError>>,
}

impl RoutedSend {
    /// The next event, `None` once the send is over.
    pub async fn next(&mut self) -> Option<RouteEvent> {
        self.events.recv().await
    }

    /// How it ended. Events not read yet are skipped (not dropped unread by the sender, which
    /// would cancel the request).
    pub async fn outcome(mut self) -> Result<RoutedOutcome, EngineError> {
        while self.events.recv().await.is_some() {}
        self.task.await.map_err(|e| EngineError::Internal {
            context: format!("the routed send stopped: {e}"),
        })?
    }
}

impl Stream for RoutedSend {
    type Item = RouteEvent;

    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<RouteEvent>> {
        self.events.poll_recv(cx)
    }
}

/// Where events go; a closed channel means the reader left, which cancels the request.
#[derive(Clone)]
pub(crate) struct Sink {
    tx: mpsc::Sender<RouteEvent>,
    cancel: CancellationToken,
}

impl Sink {
    /// Resolves once the reader is gone (and cancels the request then).
    pub(crate) async fn closed(&self) {
        self.tx.closed().await;
        self.cancel.cancel();
    }

    /// Sends `event`, waiting while the reader is behind; false (and the request cancelled)
    /// when the reader is gone.
    pub(crate) async fn send(&self, event: RouteEvent) -> bool {
        if self.tx.send(event).await.is_ok() {
            return true;
        }
        self.cancel.cancel();
        false
    }
}

/// The per-request state the steps share.
struct Run {
    route: RouteRequest,
    request: ChatRequest,
    decision: Decision,
    catalogue: Arc<Catalogue>,
    request_id: String,
    cancel: CancellationToken,
    sink: Sink,
    waited: Duration,
    attempts: Vec<Attempt>,
    refused: Option<EngineError>,
}

/// What acquiring a target gave.
enum Acquired {
    /// Ready to send (boxed: the ticket and the key are large beside the other variants).
    Ready(Box<(KeyChoice, LedgerSlot, Ticket)>),
    /// Passed over (the reason is in the attempts); try the next target.
    Skip,
    /// Held back; wait was done, try the same target again.
    Again,
    /// Nothing more to try.
    Stop,
}

/// What recording an attempt decided.
enum Next {
    Done,
    Same,
    Target(usize),
}

impl Engine {
    async fn run_routed(
        &self,
        route: RouteRequest,
        mut request: ChatRequest,
        cancel: CancellationToken,
        sink: Sink,
    ) -> Result<RoutedOutcome, EngineError> {
        let route = describe(route, &request);
        let (decision, catalogue, waited) = self.wait_for_target(&route, &cancel, &sink).await?;
        apply_overrides(&mut request, &decision);
        let mut plan = FailoverPlan::new(decision.failover);
        let mut run = Run {
            route,
            request,
            decision,
            catalogue,
            request_id: uuid::Uuid::now_v7().to_string(),
            cancel,
            sink,
            waited,
            attempts: Vec::new(),
            refused: None,
        };
        let mut last: Option<ChatOutcome> = None;
        let mut i = 0;
        while i < run.decision.order.len() {
            let (choice, slot, ticket) = match self.acquire(&mut run, i).await {
                Acquired::Ready(ready) => *ready,
                Acquired::Skip => {
                    i += 1;
                    continue;
                }
                Acquired::Again => continue,
                Acquired::Stop => break,
            };
            let started = Instant::now();
            let outcome = self.attempt_target(&run, i, choice.clone(), slot).await?;
            let next = self
                .record(&mut run, &mut plan, i, (choice, ticket, started), &outcome)
                .await;
            last = Some(outcome);
            match next {
                Next::Done => break,
                Next::Same => {}
                Next::Target(n) => i = n,
            }
        }
        if last.is_none()
            && let Some(refusal) = run.refused
        {
            // Nothing was sent and a budget is why: say so plainly, with its own code.
            return Err(refusal);
        }
        Ok(RoutedOutcome {
            decision: run.decision,
            attempts: run.attempts,
            outcome: last,
        })
    }

    /// Step 1: a decision with an eligible target, waiting (within [`MAX_WAIT`]) while every
    /// target is held back by rate limits or concurrency.
    async fn wait_for_target(
        &self,
        route: &RouteRequest,
        cancel: &CancellationToken,
        sink: &Sink,
    ) -> Result<(Decision, Arc<Catalogue>, Duration), EngineError> {
        let mut waited = Duration::ZERO;
        loop {
            // Read afresh while waiting; the attempts then weigh costs with the facts the
            // decision was made on rather than reading the catalogue again for each.
            let catalogue = self.router_catalogue().await;
            let d = self.decide_route(route, &catalogue, true).await?;
            if let Some(message) = &d.blocked {
                return Err(EngineError::invalid(format!(
                    "Blocked by rule \"{}\": {message}",
                    d.rule.as_deref().unwrap_or_default()
                )));
            }
            if !d.order.is_empty() {
                return Ok((d, catalogue, waited));
            }
            match d.soonest_wait_ms().map(Duration::from_millis) {
                Some(wait) if waited + wait <= MAX_WAIT => {
                    let event = RouteEvent::Waiting {
                        ms: millis(wait),
                        reason: d.summary.clone(),
                    };
                    if !sink.send(event).await || sleep_or_cancel(wait, cancel).await {
                        return Err(EngineError::invalid("Stopped while waiting for a target."));
                    }
                    waited += wait;
                }
                _ => return Err(no_target(d)),
            }
        }
    }

    /// Step 2: a key, a place within the target's limits, and the worst case reserved.
    async fn acquire(&self, run: &mut Run, i: usize) -> Acquired {
        let target = run.decision.order[i].clone();
        let choice = match self.next_key(target.provider.clone()).await {
            Ok(choice) => choice,
            Err(e) => {
                run.attempts.push(Attempt::skipped(&target, e.info()));
                return Acquired::Skip;
            }
        };
        let key4 = choice.ledger_label.as_deref().map(last_four);
        let tokens = run.route.prompt_tokens + u64::from(run.request.max_tokens.unwrap_or(500));
        let held = self.inner.routing.router.begin_as(
            &target,
            key4.as_deref(),
            tokens,
            Instant::now(),
            !run.decision.direct,
        );
        let ticket = match held {
            Ok(ticket) => ticket,
            Err(hold) => {
                let has_next = i + 1 < run.decision.order.len();
                if has_next || hold.wait.is_zero() || run.waited + hold.wait > MAX_WAIT {
                    let why = ErrorInfo::new(ErrorCode::RateLimited, hold.reason);
                    run.attempts.push(Attempt::skipped(&target, why));
                    return if has_next {
                        Acquired::Skip
                    } else {
                        Acquired::Stop
                    };
                }
                let event = RouteEvent::Waiting {
                    ms: millis(hold.wait),
                    reason: hold.reason,
                };
                if !run.sink.send(event).await || sleep_or_cancel(hold.wait, &run.cancel).await {
                    return Acquired::Stop;
                }
                run.waited += hold.wait;
                return Acquired::Again;
            }
        };
        let n = u32::try_from(run.attempts.len() + 1).unwrap_or(u32::MAX);
        // The worst case reserved against the hard budgets, as this request's pending ledger
        // row, before anything is sent.
        let scope = spend_scope(&target, &run.route);
        let slot = match self
            .worst_case(&mut run.catalogue, &target, &run.route, &scope)
            .await
        {
            Ok(bound) => LedgerSlot::new(bound),
            Err(e) => {
                run.attempts.push(Attempt::skipped(&target, e.info()));
                run.refused.get_or_insert(e);
                return Acquired::Skip;
            }
        };
        let pending = pending_row(
            &slot,
            &target,
            &choice,
            &run.decision,
            &run.route,
            &run.request_id,
            n,
        );
        if let Err(e) = self.reserve(pending, scope).await {
            drop(ticket);
            run.attempts.push(Attempt::skipped(&target, e.info()));
            run.refused.get_or_insert(e);
            return Acquired::Skip;
        }
        Acquired::Ready(Box::new((choice, slot, ticket)))
    }

    /// Step 3: the request to target `i`, its deltas forwarded as they arrive.
    async fn attempt_target(
        &self,
        run: &Run,
        i: usize,
        choice: KeyChoice,
        slot: LedgerSlot,
    ) -> Result<ChatOutcome, EngineError> {
        let target = &run.decision.order[i];
        let n = u32::try_from(run.attempts.len() + 1).unwrap_or(u32::MAX);
        let started = RouteEvent::Attempt {
            n,
            target: Target::clone(target),
            ledger_id: slot.id.clone(),
        };
        // A reader already gone cancels: the attempt then ends at once, recorded as cancelled.
        run.sink.send(started).await;
        let mut sent = run.request.clone();
        target_request(&mut sent, target, &run.decision, i == 0);
        let tag = RouteTag {
            route: run.decision.route.clone(),
            request_id: run.request_id.clone(),
            attempt: n,
            conversation: run.route.conversation.clone(),
            agent: run.route.agent.clone(),
        };
        self.attempt(
            target.provider.clone(),
            (choice.endpoint, choice.ledger_label),
            sent,
            &run.cancel,
            Some(&run.sink),
            (slot, Some(&tag)),
        )
        .await
    }

    /// Step 4: what the router, the smart strategy and the budgets learn from the attempt, and
    /// where failover goes next.
    async fn record(
        &self,
        run: &mut Run,
        plan: &mut FailoverPlan,
        i: usize,
        (choice, ticket, started): (KeyChoice, Ticket, Instant),
        outcome: &ChatOutcome,
    ) -> Next {
        let target = run.decision.order[i].clone();
        // The ledger row is settled (its hold released): the spend can be weighed.
        self.check_budget_alerts(spend_scope(&target, &run.route))
            .await;
        let sample = Sample {
            ok: outcome.error.is_none(),
            ttft_ms: outcome.ttft_ms,
            output_tokens: outcome.usage.completion_tokens,
            latency_ms: outcome.latency_ms,
            cost: outcome.cost,
        };
        let used = outcome.usage.prompt_tokens + outcome.usage.completion_tokens;
        let used = (used > 0).then_some(used);
        run.attempts.push(Attempt {
            provider: target.provider.clone(),
            model: target.model.clone(),
            outcome: if outcome.cancelled {
                AttemptOutcome::Cancelled
            } else if outcome.error.is_some() {
                AttemptOutcome::Error
            } else {
                AttemptOutcome::Ok
            },
            error: outcome.error.clone(),
            ms: millis(started.elapsed()),
        });
        let Some(error) = outcome.error.clone() else {
            if outcome.cancelled {
                drop(ticket); // a stopped request says nothing about the target
            } else {
                ticket.finish(Ending::Ok(sample), used, Instant::now());
                self.learn_from_request(run.route.task.as_deref(), &target, Signal::Completed);
            }
            return Next::Done;
        };
        let retry_after = outcome.retry_after_ms.map(Duration::from_millis);
        let class = match FailureClass::of(error.code, retry_after) {
            // What the provider sent cannot be read and never will be (an HTML page for a
            // wrong base URL, an event over the size cap): asking again only pays again.
            FailureClass::Transient if !error.retryable => FailureClass::Fatal,
            class => class,
        };
        // A refused key is set aside; while the provider has another, the same target is
        // tried again with it (the target is not at fault, so its circuit is untouched).
        // A disabled, expired or management key will not work either; a key over its limit
        // will again once the limit resets, so it is not set aside.
        if matches!(
            error.code,
            ErrorCode::Auth
                | ErrorCode::KeyDisabled
                | ErrorCode::KeyExpired
                | ErrorCode::ManagementKeyUsed
        ) && !outcome.answered
            && let Some(label) = choice.key
            && self
                .refuse_key(target.provider.clone(), label, error.message.clone())
                .await
                .unwrap_or(false)
        {
            drop(ticket);
            return Next::Same;
        }
        ticket.finish(
            Ending::Failed {
                class,
                message: error.message.clone(),
                sample,
            },
            used,
            Instant::now(),
        );
        // Only an answer that went wrong says something about the model's quality: a rate
        // limit, a refused key or an outage before the first token does not.
        if outcome.answered && class != FailureClass::Fatal {
            self.learn_from_request(run.route.task.as_deref(), &target, Signal::Failed);
        }
        if outcome.answered || run.cancel.is_cancelled() {
            return Next::Done; // after the first token: keep what arrived, show the error
        }
        let (wait, next) = match plan.after_failure(class, i + 1 < run.decision.order.len()) {
            Step::Stop => return Next::Done,
            Step::Retry(wait) => (wait, i),
            Step::Next(wait) => (wait, i + 1),
        };
        if !wait.is_zero() {
            let event = RouteEvent::Waiting {
                ms: millis(wait),
                reason: format!("{}; trying again", error.message),
            };
            if !run.sink.send(event).await {
                return Next::Done;
            }
        }
        if sleep_or_cancel(wait, &run.cancel).await {
            return Next::Done;
        }
        if next == i {
            Next::Same
        } else {
            Next::Target(next)
        }
    }
}

impl crate::Routing<'_> {
    /// Sends `request` where the router decides, as a stream of events; see [`RoutedSend`].
    /// Failover happens before the first token only: after it a failure is final, the partial
    /// answer kept. Each attempt is its own ledger row.
    pub fn send(
        &self,
        route: RouteRequest,
        request: ChatRequest,
        cancel: CancellationToken,
    ) -> RoutedSend {
        let (tx, events) = mpsc::channel(EVENTS);
        let engine = self.engine.clone();
        let cancel = cancel.child_token();
        let task = tokio::spawn(async move {
            let sink = Sink {
                tx,
                cancel: cancel.clone(),
            };
            engine.run_routed(route, request, cancel, sink).await
        });
        RoutedSend { events, task }
    }

    /// [`Routing::send`], with each event handed to `on_event` as it comes.
    pub async fn chat(
        &self,
        route: RouteRequest,
        request: ChatRequest,
        cancel: &CancellationToken,
        mut on_event: impl FnMut(RouteEvent) + Send,
    ) -> Result<RoutedOutcome, EngineError> {
        let mut send = self.routing().send(route, request, cancel.clone());
        while let Some(event) = send.next().await {
            on_event(event);
        }
        send.outcome().await
    }
}

/// Why nothing can take the request now: a budget when every target is over one, else the
/// router's summary.
fn no_target(d: Decision) -> EngineError {
    let mut budgets = d.candidates.iter().filter_map(|c| match &c.exclusion {
        Some(Exclusion::OverBudget { message }) => Some(message.clone()),
        _ => None,
    });
    if let Some(message) = budgets.next()
        && d.candidates
            .iter()
            .all(|c| matches!(c.exclusion, Some(Exclusion::OverBudget { .. })))
    {
        return EngineError::OverBudget { message };
    }
    EngineError::Unroutable { summary: d.summary }
}
