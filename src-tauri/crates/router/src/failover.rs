//! What to do after an attempt fails before its first token: retry the same target, move to
//! the next, or stop, and how long to wait first. (After the first token nothing fails over:
//! the partial answer is kept and the error shown, so no one pays twice for half an answer.)

use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBackoff, ExponentialBuilder};
use serde::{Deserialize, Serialize};
use switchboard_core::{ErrorCode, ErrorInfo, ProviderId};

use crate::breaker::Trip;
use crate::config::{Failover, FailoverMode, Target};

/// One attempt of a routed request, as the CLI's `attempts` and the UI show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Attempt {
    /// Provider.
    pub provider: ProviderId,
    /// Model.
    pub model: String,
    /// How it ended.
    pub outcome: AttemptOutcome,
    /// What went wrong.
    pub error: Option<ErrorInfo>,
    /// How long it took, ms.
    pub ms: u64,
}

/// How one attempt ended. On the wire (the CLI's `attempts`, the UI) it is the lowercase word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum AttemptOutcome {
    /// The target answered.
    Ok,
    /// The target failed (see the attempt's `error`).
    Error,
    /// The user stopped the request while this target served it.
    Cancelled,
    /// Held back and passed over before anything was sent (no usable key, a budget, a limit).
    Skipped,
}

impl AttemptOutcome {
    /// The word as the wire spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Error => "error",
            Self::Cancelled => "cancelled",
            Self::Skipped => "skipped",
        }
    }
}

impl std::fmt::Display for AttemptOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Attempt {
    /// A target passed over before anything was sent (no usable key, a budget, a limit).
    pub fn skipped(target: &Target, error: ErrorInfo) -> Self {
        Self {
            provider: target.provider.clone(),
            model: target.model.clone(),
            outcome: AttemptOutcome::Skipped,
            error: Some(error),
            ms: 0,
        }
    }
}

/// A failure, by what the router does about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureClass {
    /// 429: this target is cooling down; another may serve now.
    RateLimited {
        /// The provider's `Retry-After`.
        retry_after: Option<Duration>,
    },
    /// 5xx, timeout, connection failure, an answer that did not parse: may pass on a retry.
    Transient,
    /// The key or the account: this provider will not serve until the user acts; another may.
    Account,
    /// The request itself (400, moderation, nothing to send): every target would refuse it too.
    Fatal,
}

impl FailureClass {
    /// Classifies an error code.
    pub fn of(code: ErrorCode, retry_after: Option<Duration>) -> Self {
        match code {
            ErrorCode::RateLimited => Self::RateLimited { retry_after },
            ErrorCode::Upstream | ErrorCode::Timeout | ErrorCode::Network | ErrorCode::Decode => {
                Self::Transient
            }
            // A key over its own limit, disabled, expired or of the wrong kind, and a team
            // guardrail: never the same key again, but another provider (or model) may serve.
            ErrorCode::Auth
            | ErrorCode::NoCredits
            | ErrorCode::KeychainUnavailable
            | ErrorCode::KeyLimitReached
            | ErrorCode::GuardrailBlocked
            | ErrorCode::ManagementKeyUsed
            | ErrorCode::KeyDisabled
            | ErrorCode::KeyExpired => Self::Account,
            _ => Self::Fatal,
        }
    }

    /// What the target's circuit makes of it (`None`: the target is not at fault).
    ///
    /// A rate limit is not a failure of the target: it never counts towards opening the
    /// circuit. Only a `Retry-After` the provider sent cools the target down for that long,
    /// so other requests go elsewhere meanwhile.
    pub(crate) fn trip(self, message: &str) -> Option<Trip> {
        match self {
            Self::RateLimited {
                retry_after: Some(wait),
            } => Some(Trip::RateLimited {
                retry_after: Some(wait),
            }),
            Self::RateLimited { retry_after: None } => None,
            Self::Transient => Some(Trip::Transient(message.to_owned())),
            Self::Account => Some(Trip::Account(message.to_owned())),
            Self::Fatal => None,
        }
    }
}

/// The next step after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Try the same target again after this wait.
    Retry(Duration),
    /// Try the next target after this wait.
    Next(Duration),
    /// Give up; the error stands.
    Stop,
}

/// One request's way through its failover policy.
#[derive(Debug)]
pub struct FailoverPlan {
    policy: Failover,
    backoff: ExponentialBackoff,
    attempts: u32,
    on_target: u32,
}

impl FailoverPlan {
    /// A fresh plan for one request.
    pub fn new(policy: Failover) -> Self {
        let backoff = ExponentialBuilder::new()
            .with_min_delay(Duration::from_millis(u64::from(policy.base_ms)))
            .with_max_delay(Duration::from_millis(u64::from(
                policy.max_ms.max(policy.base_ms),
            )))
            .with_jitter()
            .without_max_times()
            .build();
        Self {
            policy,
            backoff,
            attempts: 0,
            on_target: 0,
        }
    }

    /// Attempts made so far.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Decides after a failed attempt; `next_exists` says whether another eligible target
    /// remains.
    pub fn after_failure(&mut self, class: FailureClass, next_exists: bool) -> Step {
        self.attempts += 1;
        self.on_target += 1;
        if self.attempts >= self.policy.max_attempts.max(1) {
            return Step::Stop;
        }
        let step = match class {
            FailureClass::Fatal => Step::Stop,
            FailureClass::Account if next_exists => Step::Next(self.pause(None)),
            FailureClass::Account => Step::Stop,
            // The limited target cools down (its circuit is open for `Retry-After`); another
            // can take the request now.
            FailureClass::RateLimited { .. } if next_exists => Step::Next(self.pause(None)),
            FailureClass::RateLimited { retry_after } => {
                let limit = Duration::from_millis(u64::from(self.policy.max_retry_after_ms));
                match retry_after {
                    Some(wait) if wait > limit => Step::Stop,
                    _ => Step::Retry(self.backoff(retry_after)),
                }
            }
            FailureClass::Transient if self.on_target <= self.policy.retries_per_target => {
                Step::Retry(self.pause(None))
            }
            FailureClass::Transient if next_exists => Step::Next(self.pause(None)),
            FailureClass::Transient => Step::Stop,
        };
        if matches!(step, Step::Next(_)) {
            self.on_target = 0;
        }
        step
    }

    /// The next exponential wait with jitter (`base_ms` doubling up to `max_ms`), never
    /// shorter than `at_least`. Retrying the same rate-limited target backs off like this
    /// whatever the mode: the mode says how fast to move to *another* target, and asking
    /// the same one again at once only earns another 429.
    fn backoff(&mut self, at_least: Option<Duration>) -> Duration {
        self.backoff
            .next()
            .unwrap_or_default()
            .max(at_least.unwrap_or_default())
    }

    /// The wait the mode asks for, never shorter than `at_least`.
    fn pause(&mut self, at_least: Option<Duration>) -> Duration {
        let mode = match self.policy.mode {
            FailoverMode::Immediate => Duration::ZERO,
            FailoverMode::Delayed => Duration::from_millis(u64::from(self.policy.wait_ms)),
            FailoverMode::Gradual => self.backoff.next().unwrap_or_default(),
        };
        mode.max(at_least.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(mode: FailoverMode) -> Failover {
        Failover {
            mode,
            max_attempts: 10,
            ..Failover::default()
        }
    }

    /// The enum is spelled on the wire exactly as the strings it replaced.
    #[test]
    fn attempt_outcomes_keep_their_wire_words() {
        for (outcome, word) in [
            (AttemptOutcome::Ok, "ok"),
            (AttemptOutcome::Error, "error"),
            (AttemptOutcome::Cancelled, "cancelled"),
            (AttemptOutcome::Skipped, "skipped"),
        ] {
            assert_eq!(serde_json::to_value(outcome).unwrap(), word);
            assert_eq!(outcome.as_str(), word);
            assert_eq!(
                serde_json::from_value::<AttemptOutcome>(word.into()).unwrap(),
                outcome
            );
        }
    }

    #[test]
    fn bad_requests_never_retry() {
        let mut plan = FailoverPlan::new(policy(FailoverMode::Immediate));
        assert_eq!(
            plan.after_failure(FailureClass::of(ErrorCode::BadRequest, None), true),
            Step::Stop
        );
        let mut plan = FailoverPlan::new(policy(FailoverMode::Immediate));
        assert_eq!(
            plan.after_failure(FailureClass::of(ErrorCode::Moderation, None), true),
            Step::Stop
        );
    }

    #[test]
    fn server_errors_retry_then_move_on_then_stop() {
        let mut plan = FailoverPlan::new(policy(FailoverMode::Delayed));
        let t = FailureClass::of(ErrorCode::Upstream, None);
        let wait = Duration::from_millis(1_000);
        assert_eq!(
            plan.after_failure(t, true),
            Step::Retry(wait),
            "one retry per target"
        );
        assert_eq!(plan.after_failure(t, true), Step::Next(wait));
        assert_eq!(
            plan.after_failure(t, false),
            Step::Retry(wait),
            "the new target gets its retry"
        );
        assert_eq!(plan.after_failure(t, false), Step::Stop, "nothing left");
    }

    #[test]
    fn rate_limits_move_on_at_once_or_wait_out_a_short_retry_after() {
        let ra = |s| FailureClass::RateLimited {
            retry_after: Some(Duration::from_secs(s)),
        };
        let mut plan = FailoverPlan::new(policy(FailoverMode::Immediate));
        assert_eq!(plan.after_failure(ra(5), true), Step::Next(Duration::ZERO));
        assert_eq!(
            plan.after_failure(ra(5), false),
            Step::Retry(Duration::from_secs(5))
        );
        assert_eq!(
            plan.after_failure(ra(60), false),
            Step::Stop,
            "too long to wait for"
        );
    }

    /// A 429 without `Retry-After` on the only target was retried four times ~100 ms apart
    /// under the default (immediate) mode; the same target is now asked again only after an
    /// exponential wait with jitter, whatever the mode.
    #[test]
    fn a_rate_limited_target_is_retried_with_exponential_backoff_in_every_mode() {
        for mode in [
            FailoverMode::Immediate,
            FailoverMode::Delayed,
            FailoverMode::Gradual,
        ] {
            let mut plan = FailoverPlan::new(policy(mode));
            let limited = FailureClass::RateLimited { retry_after: None };
            for i in 0..3 {
                let floor = 500u128 << i;
                match plan.after_failure(limited, false) {
                    Step::Retry(w) => assert!(
                        w.as_millis() >= floor && w.as_millis() < floor * 2,
                        "{mode:?}: wait {i} = {w:?}"
                    ),
                    other => panic!("{mode:?}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn a_rate_limit_never_counts_towards_opening_the_circuit() {
        assert!(
            FailureClass::RateLimited { retry_after: None }
                .trip("429")
                .is_none(),
            "no Retry-After: the target is not at fault"
        );
        assert!(matches!(
            FailureClass::RateLimited {
                retry_after: Some(Duration::from_secs(2))
            }
            .trip("429"),
            Some(Trip::RateLimited { .. })
        ));
    }

    #[test]
    fn gradual_backs_off_exponentially_with_jitter_and_honours_retry_after() {
        let mut p = policy(FailoverMode::Gradual);
        p.retries_per_target = 100;
        let mut plan = FailoverPlan::new(p);
        let mut waits = Vec::new();
        for _ in 0..6 {
            match plan.after_failure(FailureClass::Transient, false) {
                Step::Retry(w) => waits.push(w.as_millis()),
                other => panic!("{other:?}"),
            }
        }
        // Base 500 ms doubling to 8 s, each with up to 100% jitter on top.
        for (i, w) in waits.iter().enumerate() {
            let floor = (500u128 << i).min(8_000);
            assert!(*w >= floor && *w < floor * 2, "wait {i} = {w} ms");
        }
        let mut plan = FailoverPlan::new(policy(FailoverMode::Gradual));
        let step = plan.after_failure(
            FailureClass::RateLimited {
                retry_after: Some(Duration::from_secs(7)),
            },
            false,
        );
        assert!(matches!(step, Step::Retry(w) if w >= Duration::from_secs(7)));
    }

    #[test]
    fn attempts_are_capped() {
        let mut p = policy(FailoverMode::Immediate);
        p.max_attempts = 2;
        let mut plan = FailoverPlan::new(p);
        assert!(matches!(
            plan.after_failure(FailureClass::Transient, true),
            Step::Retry(_)
        ));
        assert_eq!(
            plan.after_failure(FailureClass::Transient, true),
            Step::Stop
        );
        assert_eq!(plan.attempts(), 2);
    }

    #[test]
    fn account_failures_skip_to_another_provider() {
        let mut plan = FailoverPlan::new(policy(FailoverMode::Immediate));
        let auth = FailureClass::of(ErrorCode::Auth, None);
        assert_eq!(plan.after_failure(auth, true), Step::Next(Duration::ZERO));
        assert_eq!(plan.after_failure(auth, false), Step::Stop);
    }

    #[test]
    fn a_key_refusal_is_never_retried_on_the_same_target() {
        for code in [
            ErrorCode::KeyLimitReached,
            ErrorCode::GuardrailBlocked,
            ErrorCode::ManagementKeyUsed,
            ErrorCode::KeyDisabled,
            ErrorCode::KeyExpired,
        ] {
            let class = FailureClass::of(code, None);
            assert_eq!(class, FailureClass::Account, "{code:?}");
            let mut plan = FailoverPlan::new(policy(FailoverMode::Immediate));
            assert_eq!(
                plan.after_failure(class, true),
                Step::Next(Duration::ZERO),
                "{code:?}: another provider may serve"
            );
            assert_eq!(
                plan.after_failure(class, false),
                Step::Stop,
                "{code:?}: never the same key again"
            );
        }
    }
}
