//! OpenRouter's figure against this machine's ledger, for the team keys saved here.
//!
//! The two rarely agree to the cent, and a difference is not an error: the key may be used
//! from elsewhere, BYOK requests are booked differently, and OpenRouter's figure for recent
//! requests can lag. Each comparison says which of these likely applies, from what the ledger
//! knows about its own rows (in flight, estimated, unknown) and what OpenRouter reports.

use std::collections::BTreeSet;

use jiff::civil::Date;
use switchboard_core::{
    DateRange, KeyReconciliation, ReconcileCause, Reconciliation, TeamKey, TeamSpend, Usd,
};
use switchboard_store::KeyDaySpend;

use super::local::{self, LocalKey};
use super::spend::{checked_range, covered_from, utc_midnight_ms, utc_today};
use crate::EngineError;

/// Differences this small are rounding (OpenRouter's figures are floats): a hundredth of a
/// cent.
fn tolerance() -> Usd {
    Usd::from_pico(100_000_000)
}

impl crate::Team<'_> {
    /// For each team key saved on this machine: what OpenRouter says it spent over `range`
    /// against what this machine booked, the difference, and its likely causes. Days before
    /// OpenRouter's 30-day activity window are left out of the comparison.
    #[tracing::instrument(skip_all, err(Debug))]
    pub async fn reconciliation(&self, range: DateRange) -> Result<Reconciliation, EngineError> {
        let today = utc_today();
        let (since, until) = checked_range(&range, today)?;
        let from = since.max(covered_from(today));
        if from > until {
            return Err(EngineError::invalid(format!(
                "OpenRouter keeps activity only from {} on; pick days from then.",
                covered_from(today)
            )));
        }
        let (keys, spend) = self.team_figures(from, until, today).await?;
        let locals = self.blocking(local::openrouter_keys).await?;
        let (since_ms, until_ms) = (utc_midnight_ms(from)?, utc_midnight_ms(next_day(until))?);
        let ledger = self
            .blocking(move |inner| {
                Ok(inner
                    .store
                    .spend_by_key_and_utc_day("openrouter", since_ms, until_ms)?)
            })
            .await?;
        Ok(reconcile(&keys, &spend, &locals, &ledger))
    }
}

fn next_day(date: Date) -> Date {
    date.tomorrow().unwrap_or(date)
}

/// Compares each key saved here, and sums up.
fn reconcile(
    keys: &[TeamKey],
    spend: &TeamSpend,
    locals: &[LocalKey],
    ledger: &[KeyDaySpend],
) -> Reconciliation {
    let mut compared = Vec::new();
    for key in keys {
        let labels: BTreeSet<&str> = locals
            .iter()
            .filter(|l| local::same_key(key, &l.key))
            .filter_map(|l| l.ledger_label.as_deref())
            .collect();
        if labels.is_empty() {
            continue;
        }
        let mut figures = Figures::default();
        for row in spend.rows.iter().filter(|r| r.key_hash == key.hash) {
            figures.openrouter += row.usage;
            figures.byok += row.byok_usage;
        }
        for row in ledger
            .iter()
            .filter(|r| labels.contains(r.key_label.as_str()))
        {
            figures.local += row.cost;
            figures.requests += row.requests;
            figures.pending += row.pending;
            figures.unknown += row.unknown;
            figures.estimated += row.estimated;
        }
        compared.push(compare(key, &figures));
    }
    let openrouter_total: Usd = compared.iter().map(|k| k.openrouter).sum();
    let local_total: Usd = compared.iter().map(|k| k.local).sum();
    let explanation = summary(&compared, openrouter_total, local_total);
    Reconciliation {
        range: spend.range.clone(),
        keys: compared,
        openrouter_total,
        local_total,
        difference: openrouter_total - local_total,
        explanation,
    }
}

/// One key's two figures and what the ledger knows about its own rows.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Figures {
    pub(super) openrouter: Usd,
    pub(super) byok: Usd,
    pub(super) local: Usd,
    pub(super) requests: u64,
    pub(super) pending: u64,
    pub(super) unknown: u64,
    pub(super) estimated: u64,
}

/// The comparison for one key: difference, agreement, likely causes and their words.
pub(super) fn compare(key: &TeamKey, f: &Figures) -> KeyReconciliation {
    let difference = f.openrouter - f.local;
    let gap = if difference.is_negative() {
        f.local - f.openrouter
    } else {
        difference
    };
    let matches = gap <= tolerance();
    let causes = if matches {
        Vec::new()
    } else {
        causes(f, !difference.is_negative())
    };
    let explanation = if matches {
        format!(
            "OpenRouter's figure and this machine's agree (${}).",
            f.openrouter.human()
        )
    } else {
        let (more, than) = if difference.is_negative() {
            ("This machine booked", "than OpenRouter counts")
        } else {
            ("OpenRouter counts", "than this machine booked")
        };
        let reasons: Vec<String> = causes.iter().map(|c| cause_words(*c, f)).collect();
        format!(
            "{more} ${} more {than} (${} against ${}). Likely: {}.",
            gap.human(),
            f.openrouter.human(),
            f.local.human(),
            reasons.join("; ")
        )
    };
    KeyReconciliation {
        key_hash: key.hash.clone(),
        key_name: key.name.clone(),
        openrouter: f.openrouter,
        local: f.local,
        difference,
        matches,
        local_requests: f.requests,
        pending_requests: f.pending,
        unknown_cost_requests: f.unknown,
        estimated_requests: f.estimated,
        byok_usage: f.byok,
        causes,
        explanation,
    }
}

/// The likely causes, likeliest first. OpenRouter higher: the key was used elsewhere, unless
/// the ledger itself is missing costs. This machine higher: OpenRouter has not settled
/// everything yet.
fn causes(f: &Figures, openrouter_higher: bool) -> Vec<ReconcileCause> {
    let mut causes = Vec::new();
    let mut add = |on: bool, cause| {
        if on && !causes.contains(&cause) {
            causes.push(cause);
        }
    };
    if openrouter_higher {
        add(f.unknown > 0, ReconcileCause::UnknownLocalCosts);
        add(true, ReconcileCause::RequestsElsewhere);
        add(f.byok > Usd::ZERO, ReconcileCause::ByokFees);
        add(f.estimated > 0, ReconcileCause::LocalEstimates);
        add(f.pending > 0, ReconcileCause::StillSettling);
    } else {
        add(true, ReconcileCause::StillSettling);
        add(f.estimated > 0, ReconcileCause::LocalEstimates);
        add(f.byok > Usd::ZERO, ReconcileCause::ByokFees);
    }
    causes
}

fn cause_words(cause: ReconcileCause, f: &Figures) -> String {
    match cause {
        ReconcileCause::RequestsElsewhere => {
            "the key was also used from another machine or tool, which this machine cannot see"
                .to_owned()
        }
        ReconcileCause::ByokFees => format!(
            "BYOK requests (${} on your providers' own accounts): OpenRouter books its fee and \
             the provider's charge apart",
            f.byok.human()
        ),
        ReconcileCause::StillSettling if f.pending > 0 => format!(
            "{} request(s) here are still running, and OpenRouter's figures for recent requests \
             can lag; look again later",
            f.pending
        ),
        ReconcileCause::StillSettling => {
            "OpenRouter's figures for recent requests can lag; look again later".to_owned()
        }
        ReconcileCause::LocalEstimates => format!(
            "{} request(s) here have a cost estimated from prices, not what OpenRouter charged",
            f.estimated
        ),
        ReconcileCause::UnknownLocalCosts => format!(
            "{} request(s) here have no known cost, so this machine's figure leaves them out",
            f.unknown
        ),
    }
}

fn summary(keys: &[KeyReconciliation], openrouter: Usd, local: Usd) -> String {
    if keys.is_empty() {
        return "None of the team's keys is saved on this machine, so there is nothing to \
                compare; save a member's key in Settings to compare it here."
            .to_owned();
    }
    let off = keys.iter().filter(|k| !k.matches).count();
    if off == 0 {
        return format!(
            "OpenRouter and this machine agree for all {} key(s) used here (${}).",
            keys.len(),
            openrouter.human()
        );
    }
    format!(
        "For the {} key(s) used here OpenRouter counts ${} and this machine ${}; {off} differ, \
         each with its likely cause.",
        keys.len(),
        openrouter.human(),
        local.human()
    )
}

#[cfg(test)]
mod tests {
    use switchboard_core::KeyUsage;

    use super::*;

    fn usd(text: &str) -> Usd {
        Usd::parse(text).unwrap()
    }

    fn key() -> TeamKey {
        TeamKey {
            hash: "h".into(),
            name: "Ada".into(),
            label: String::new(),
            disabled: false,
            limit: None,
            limit_remaining: None,
            limit_reset: None,
            include_byok_in_limit: false,
            usage: KeyUsage::default(),
            byok_usage: KeyUsage::default(),
            created_at: None,
            expires_at: None,
            on_this_machine: true,
        }
    }

    #[test]
    fn equal_figures_match_within_a_hundredth_of_a_cent() {
        let f = Figures {
            openrouter: usd("1.00005"),
            local: usd("1"),
            requests: 3,
            ..Figures::default()
        };
        let r = compare(&key(), &f);
        assert!(r.matches, "{r:?}");
        assert!(r.causes.is_empty());
        assert_eq!(r.difference, usd("0.00005"), "still exact");
        assert!(
            r.explanation
                .starts_with("OpenRouter's figure and this machine's agree")
        );
    }

    #[test]
    fn openrouter_higher_points_at_requests_made_elsewhere_and_byok() {
        let f = Figures {
            openrouter: usd("1.42"),
            local: usd("1"),
            byok: usd("0.3"),
            requests: 4,
            ..Figures::default()
        };
        let r = compare(&key(), &f);
        assert!(!r.matches);
        assert_eq!(r.difference, usd("0.42"));
        assert_eq!(
            r.causes,
            [ReconcileCause::RequestsElsewhere, ReconcileCause::ByokFees]
        );
        assert_eq!(
            r.explanation,
            "OpenRouter counts $0.42 more than this machine booked ($1.42 against $1.00). \
             Likely: the key was also used from another machine or tool, which this machine \
             cannot see; BYOK requests ($0.30 on your providers' own accounts): OpenRouter \
             books its fee and the provider's charge apart."
        );
    }

    #[test]
    fn missing_local_costs_come_first_and_local_higher_means_still_settling() {
        let unknown = Figures {
            openrouter: usd("2"),
            local: usd("1"),
            unknown: 2,
            ..Figures::default()
        };
        assert_eq!(
            compare(&key(), &unknown).causes,
            [
                ReconcileCause::UnknownLocalCosts,
                ReconcileCause::RequestsElsewhere
            ]
        );
        let settling = Figures {
            openrouter: usd("0.5"),
            local: usd("0.75"),
            pending: 1,
            estimated: 2,
            ..Figures::default()
        };
        let r = compare(&key(), &settling);
        assert_eq!(r.difference, usd("-0.25"));
        assert_eq!(
            r.causes,
            [
                ReconcileCause::StillSettling,
                ReconcileCause::LocalEstimates
            ]
        );
        assert!(
            r.explanation
                .starts_with("This machine booked $0.25 more than OpenRouter counts"),
            "{}",
            r.explanation
        );
        assert!(
            r.explanation
                .contains("1 request(s) here are still running")
        );
    }

    #[test]
    fn a_summary_says_when_there_is_nothing_to_compare() {
        assert!(summary(&[], Usd::ZERO, Usd::ZERO).starts_with("None of the team's keys"));
    }
}
