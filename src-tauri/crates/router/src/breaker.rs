//! A circuit breaker per target: closed, open, half-open with one trial request.
//!
//! Own code rather than `failsafe`: the Routing screen must show why a circuit opened and when
//! it will try again, a 429 must open it for exactly the provider's `Retry-After`, and a wrong
//! key must keep it open until the key changes; failsafe's policies expose none of that.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::config::BreakerSettings;

/// Where a circuit is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum CircuitState {
    /// Requests flow.
    Closed,
    /// Requests go elsewhere until the open time passes.
    Open,
    /// One trial request is allowed; its outcome closes or reopens the circuit.
    HalfOpen,
}

/// Why a request to a target failed, as far as its circuit cares.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Trip {
    /// 5xx, timeout, connection failure, garbage: counts towards opening.
    Transient(String),
    /// 429: opens at once for `Retry-After` (or the configured open time).
    RateLimited {
        /// The provider's `Retry-After`.
        retry_after: Option<Duration>,
    },
    /// The key was refused or the account is out of credits: opens at once, for the longest
    /// open time, since retrying soon cannot help.
    Account(String),
}

/// A circuit as the Routing screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct CircuitView {
    /// Where it is.
    pub state: CircuitState,
    /// Why it opened (the last failure), while not closed.
    pub reason: Option<String>,
    /// Until the next trial, ms, while open.
    pub retry_in_ms: Option<u64>,
    /// Failures in a row.
    pub consecutive_failures: u32,
    /// How many times it has opened since the app started.
    pub times_opened: u32,
}

/// One target's circuit.
#[derive(Debug, Clone)]
pub(crate) struct Breaker {
    state: CircuitState,
    consecutive: u32,
    /// The last `window` outcomes, true = failure.
    recent: VecDeque<bool>,
    opened_at: Option<Instant>,
    open_for: Duration,
    reason: Option<String>,
    trial_in_flight: bool,
    times_opened: u32,
    /// Whether a free health check can tell that the cause has passed (not for a 429: a
    /// provider that lists its models may still be limiting completions).
    probe_helps: bool,
}

impl Default for Breaker {
    fn default() -> Self {
        Self {
            state: CircuitState::Closed,
            consecutive: 0,
            recent: VecDeque::new(),
            opened_at: None,
            open_for: Duration::ZERO,
            reason: None,
            trial_in_flight: false,
            times_opened: 0,
            probe_helps: false,
        }
    }
}

/// Whether a request may go to a target now.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Admission {
    /// Yes.
    Yes,
    /// Yes, as the half-open trial.
    Trial,
    /// No: open (or a trial is already out) for this long, for this reason.
    No { retry_in: Duration, reason: String },
}

impl Breaker {
    /// What a request would be told now, without changing anything.
    pub(crate) fn admission(&self, now: Instant) -> Admission {
        match self.state {
            CircuitState::Closed => Admission::Yes,
            CircuitState::HalfOpen if self.trial_in_flight => Admission::No {
                retry_in: Duration::ZERO,
                reason: "a trial request is in flight".to_owned(),
            },
            CircuitState::HalfOpen => Admission::Trial,
            CircuitState::Open => {
                let until = self.opened_at.map_or(now, |at| at + self.open_for);
                if now >= until {
                    Admission::Trial
                } else {
                    Admission::No {
                        retry_in: until - now,
                        reason: self.reason.clone().unwrap_or_default(),
                    }
                }
            }
        }
    }

    /// A request is being sent; an open circuit whose time is up becomes half-open with this
    /// request as its trial.
    pub(crate) fn begin(&mut self, now: Instant) -> Admission {
        let admission = self.admission(now);
        if admission == Admission::Trial {
            self.state = CircuitState::HalfOpen;
            self.trial_in_flight = true;
        }
        admission
    }

    /// A request that began was dropped without an outcome (cancelled by the user): a trial
    /// slot is given back so the next request can try.
    pub(crate) fn abandon(&mut self) {
        self.trial_in_flight = false;
    }

    /// The request succeeded.
    pub(crate) fn succeeded(&mut self, settings: &BreakerSettings) {
        self.consecutive = 0;
        self.push(false, settings);
        if self.state != CircuitState::Closed {
            self.state = CircuitState::Closed;
            self.reason = None;
            self.opened_at = None;
            self.open_for = Duration::ZERO;
            // A trial that closes the circuit starts the failure window afresh, or the
            // failures that opened it would reopen it at the next blip.
            self.recent.clear();
        }
        self.trial_in_flight = false;
    }

    /// The request failed.
    pub(crate) fn failed(&mut self, trip: Trip, settings: &BreakerSettings, now: Instant) {
        self.consecutive += 1;
        self.push(true, settings);
        let was_trial = self.state == CircuitState::HalfOpen;
        self.trial_in_flight = false;
        let open_ms = Duration::from_millis(u64::from(settings.open_ms));
        let max_open = Duration::from_millis(u64::from(settings.max_open_ms.max(settings.open_ms)));
        match trip {
            Trip::RateLimited { retry_after } => {
                let wait = retry_after.unwrap_or(open_ms).min(max_open);
                let reason = match retry_after {
                    Some(d) => format!(
                        "rate limited (429); the provider asked to wait {}",
                        human(d)
                    ),
                    None => "rate limited (429)".to_owned(),
                };
                self.open(now, wait, reason);
                self.probe_helps = false;
            }
            Trip::Account(reason) => self.open(now, max_open, reason),
            Trip::Transient(reason) => {
                if was_trial {
                    // The trial failed: back off longer each time, so a dead provider is not
                    // hammered every `open_ms`.
                    let doubled = (self.open_for * 2).max(open_ms).min(max_open);
                    self.open(now, doubled, format!("trial failed: {reason}"));
                } else if self.consecutive >= settings.consecutive_failures.max(1) {
                    let reason = format!("{} failures in a row; last: {reason}", self.consecutive);
                    self.open(now, open_ms, reason);
                } else if self.window_full(settings) && self.failure_rate() >= settings.failure_rate
                {
                    let rate = (self.failure_rate() * 100.0).round();
                    let reason = format!(
                        "{rate}% of the last {} requests failed; last: {reason}",
                        self.recent.len()
                    );
                    self.open(now, open_ms, reason);
                }
            }
        }
    }

    /// Where the circuit is, without the copy of its reason a [`CircuitView`] carries.
    pub(crate) fn state(&self) -> CircuitState {
        self.state
    }

    /// The circuit as shown.
    pub(crate) fn view(&self, now: Instant) -> CircuitView {
        let retry_in_ms = match self.admission(now) {
            Admission::No { retry_in, .. } if self.state == CircuitState::Open => {
                Some(u64::try_from(retry_in.as_millis()).unwrap_or(u64::MAX))
            }
            Admission::Trial if self.state == CircuitState::Open => Some(0),
            _ => None,
        };
        CircuitView {
            state: self.state,
            reason: self.reason.clone(),
            retry_in_ms,
            consecutive_failures: self.consecutive,
            times_opened: self.times_opened,
        }
    }

    /// Whether a health check should look at this circuit now.
    pub(crate) fn wants_probe(&self, now: Instant) -> bool {
        self.state == CircuitState::Open
            && self.probe_helps
            && matches!(self.admission(now), Admission::No { .. })
    }

    /// A health check's verdict: reachable lets the next request be the trial at once (real
    /// traffic still decides whether the circuit closes); unreachable restarts the open time.
    pub(crate) fn probed(&mut self, ok: bool, detail: &str, now: Instant) {
        if self.state != CircuitState::Open {
            return;
        }
        if ok {
            self.open_for = now.duration_since(self.opened_at.unwrap_or(now));
            self.reason = Some(format!(
                "{}; a health check passed, the next request is the trial",
                self.reason.as_deref().unwrap_or("open")
            ));
        } else {
            self.opened_at = Some(now);
            self.reason = Some(format!("health check failed: {detail}"));
        }
    }

    fn open(&mut self, now: Instant, for_: Duration, reason: String) {
        if self.state == CircuitState::Closed {
            self.times_opened += 1;
        }
        self.probe_helps = true;
        self.state = CircuitState::Open;
        self.opened_at = Some(now);
        self.open_for = for_;
        self.reason = Some(reason);
    }

    fn push(&mut self, failed: bool, settings: &BreakerSettings) {
        let window = settings.window.max(1) as usize;
        self.recent.push_back(failed);
        while self.recent.len() > window {
            self.recent.pop_front();
        }
    }

    fn window_full(&self, settings: &BreakerSettings) -> bool {
        self.recent.len() >= settings.window.max(1) as usize
    }

    fn failure_rate(&self) -> f64 {
        let failures = self.recent.iter().filter(|f| **f).count();
        failures as f64 / self.recent.len().max(1) as f64
    }
}

/// `1.5 s`, `2 min`: for reasons a person reads.
pub(crate) fn human(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1_000 {
        format!("{ms} ms")
    } else if ms < 120_000 {
        format!("{:.1} s", d.as_secs_f64())
    } else {
        format!("{} min", ms / 60_000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> BreakerSettings {
        BreakerSettings {
            consecutive_failures: 3,
            failure_rate: 0.5,
            window: 10,
            open_ms: 1_000,
            max_open_ms: 8_000,
        }
    }

    #[test]
    fn opens_after_consecutive_failures_and_a_successful_trial_closes_it() {
        let s = settings();
        let t0 = Instant::now();
        let mut b = Breaker::default();
        for _ in 0..2 {
            b.failed(Trip::Transient("502".into()), &s, t0);
        }
        assert_eq!(
            b.admission(t0),
            Admission::Yes,
            "two failures are not enough"
        );
        b.failed(Trip::Transient("502".into()), &s, t0);
        let view = b.view(t0);
        assert_eq!(view.state, CircuitState::Open);
        assert_eq!(view.retry_in_ms, Some(1_000));
        assert!(
            view.reason
                .unwrap()
                .contains("3 failures in a row; last: 502")
        );
        assert!(matches!(
            b.admission(t0 + Duration::from_millis(999)),
            Admission::No { .. }
        ));

        let later = t0 + Duration::from_millis(1_000);
        assert_eq!(b.begin(later), Admission::Trial);
        assert_eq!(b.view(later).state, CircuitState::HalfOpen);
        assert!(
            matches!(b.admission(later), Admission::No { .. }),
            "only one trial at a time"
        );
        b.succeeded(&s);
        assert_eq!(b.view(later).state, CircuitState::Closed);
        assert_eq!(b.view(later).reason, None);
        assert_eq!(b.admission(later), Admission::Yes);
    }

    #[test]
    fn a_failed_trial_reopens_for_twice_as_long_up_to_the_cap() {
        let s = settings();
        let mut now = Instant::now();
        let mut b = Breaker::default();
        for _ in 0..3 {
            b.failed(Trip::Transient("timeout".into()), &s, now);
        }
        let mut expected = 1_000;
        for _ in 0..5 {
            now += Duration::from_millis(expected);
            assert_eq!(b.begin(now), Admission::Trial);
            b.failed(Trip::Transient("timeout".into()), &s, now);
            expected = (expected * 2).min(8_000);
            assert_eq!(b.view(now).retry_in_ms, Some(expected));
        }
        assert_eq!(
            b.view(now).times_opened,
            1,
            "reopening from half-open is the same outage"
        );
    }

    #[test]
    fn rate_limit_opens_for_exactly_retry_after() {
        let s = settings();
        let now = Instant::now();
        let mut b = Breaker::default();
        b.failed(
            Trip::RateLimited {
                retry_after: Some(Duration::from_secs(3)),
            },
            &s,
            now,
        );
        let view = b.view(now);
        assert_eq!(view.state, CircuitState::Open);
        assert_eq!(view.retry_in_ms, Some(3_000));
        assert!(view.reason.unwrap().contains("wait 3.0 s"));
        assert_eq!(b.begin(now + Duration::from_secs(3)), Admission::Trial);
    }

    #[test]
    fn failure_rate_over_a_full_window_opens_it() {
        let s = settings();
        let now = Instant::now();
        let mut b = Breaker::default();
        // Alternate so there are never three failures in a row.
        for i in 0..10 {
            if i % 2 == 1 {
                b.failed(Trip::Transient("500".into()), &s, now);
            } else {
                b.succeeded(&s);
            }
        }
        let view = b.view(now);
        assert_eq!(view.state, CircuitState::Open, "{view:?}");
        assert!(view.reason.unwrap().starts_with("50% of the last 10"));
    }

    #[test]
    fn a_passing_health_check_lets_the_next_request_try_and_a_failing_one_restarts_the_wait() {
        let s = BreakerSettings {
            open_ms: 60_000,
            ..settings()
        };
        let t0 = Instant::now();
        let mut b = Breaker::default();
        for _ in 0..3 {
            b.failed(Trip::Transient("connection refused".into()), &s, t0);
        }
        let t1 = t0 + Duration::from_secs(10);
        assert!(b.wants_probe(t1));
        b.probed(false, "connection refused", t1);
        assert_eq!(
            b.view(t1).retry_in_ms,
            Some(60_000),
            "the wait starts again"
        );
        assert_eq!(
            b.view(t1).reason.as_deref(),
            Some("health check failed: connection refused")
        );
        let t2 = t1 + Duration::from_secs(5);
        b.probed(true, "", t2);
        assert_eq!(b.begin(t2), Admission::Trial);
        assert!(!b.wants_probe(t2));

        let mut limited = Breaker::default();
        limited.failed(
            Trip::RateLimited {
                retry_after: Some(Duration::from_secs(30)),
            },
            &s,
            t0,
        );
        assert!(
            !limited.wants_probe(t1),
            "listing models says nothing about a rate limit"
        );
    }

    #[test]
    fn account_failures_open_for_the_longest_time() {
        let s = settings();
        let now = Instant::now();
        let mut b = Breaker::default();
        b.failed(Trip::Account("key rejected (401)".into()), &s, now);
        assert_eq!(b.view(now).retry_in_ms, Some(8_000));
    }

    #[test]
    fn an_abandoned_trial_frees_the_slot() {
        let s = settings();
        let now = Instant::now();
        let mut b = Breaker::default();
        for _ in 0..3 {
            b.failed(Trip::Transient("x".into()), &s, now);
        }
        let later = now + Duration::from_secs(1);
        assert_eq!(b.begin(later), Admission::Trial);
        b.abandon();
        assert_eq!(b.begin(later), Admission::Trial);
    }
}
