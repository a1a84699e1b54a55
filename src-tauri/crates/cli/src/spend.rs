//! `switchboard spend` and `switchboard budget`: what was spent, and the limits on it.

use std::io::Write;

use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;
use switchboard_engine::core::{Budget, BudgetPeriod, BudgetScope, SpendGrouping, Usd};
use switchboard_engine::{Engine, EngineError};

use crate::info::usd_json;
use crate::terminal::shown;
use crate::{Failure, args, write_json};

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum By {
    Day,
    Week,
    Month,
    Model,
    Provider,
    Agent,
    Conversation,
    /// The client key a tool sent the request through the local API with.
    Client,
}

impl From<By> for SpendGrouping {
    fn from(b: By) -> Self {
        match b {
            By::Day => Self::Day,
            By::Week => Self::Week,
            By::Month => Self::Month,
            By::Model => Self::Model,
            By::Provider => Self::Provider,
            By::Agent => Self::Agent,
            By::Conversation => Self::Conversation,
            By::Client => Self::Client,
        }
    }
}

#[derive(Args)]
pub(crate) struct SpendArgs {
    /// How to group requests.
    #[arg(long, value_enum, default_value = "day")]
    by: By,
    /// From this local date (YYYY-MM-DD), inclusive.
    #[arg(long)]
    since: Option<String>,
    /// Up to this local date (YYYY-MM-DD), inclusive.
    #[arg(long)]
    until: Option<String>,
    /// Print JSON: {"total_usd", "rows": [{"key","label","cost_usd","requests","prompt_tokens","completion_tokens"}]}.
    #[arg(long, conflicts_with = "csv")]
    pub(crate) json: bool,
    /// Print the table as CSV.
    #[arg(long)]
    csv: bool,
}

pub(crate) async fn spend(engine: &Engine, args: SpendArgs) -> Result<(), Failure> {
    let since = match &args.since {
        Some(d) => Some(engine.spend().local_date_ms(d, false).await?),
        None => None,
    };
    let until = match &args.until {
        Some(d) => Some(engine.spend().local_date_ms(d, true).await?),
        None => None,
    };
    let report = engine.spend().report(args.by.into(), since, until).await?;
    if args.json {
        return write_json(&json!({
            "total_usd": usd_json(Some(report.total)),
            "unknown_cost_requests": report.unknown_requests,
            "rows": report.rows.iter().map(|r| json!({
                "key": r.key,
                "label": r.label,
                "cost_usd": usd_json(Some(r.cost)),
                "requests": r.requests,
                "prompt_tokens": r.prompt_tokens,
                "completion_tokens": r.completion_tokens,
            })).collect::<Vec<_>>(),
        }));
    }
    let mut out = std::io::stdout().lock();
    if args.csv {
        out.write_all(switchboard_engine::spend_csv(&report).as_bytes())?;
        return Ok(());
    }
    for r in &report.rows {
        let unknown = if r.unknown_requests > 0 {
            format!("  (+{} of unknown cost)", r.unknown_requests)
        } else {
            String::new()
        };
        writeln!(
            out,
            "{:<40} {:>12}  {:>6} req{unknown}",
            shown(&r.label),
            format!("${}", r.cost),
            r.requests
        )?;
    }
    writeln!(out, "{:<40} {:>12}", "total", format!("${}", report.total))?;
    Ok(())
}

#[derive(Subcommand)]
pub(crate) enum BudgetAction {
    /// Every budget with what is spent in its current period.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Create a budget, or change the one with this name.
    Set(SetArgs),
    /// Delete a budget by name or id.
    Rm {
        /// Its name or id.
        budget: String,
    },
}

impl BudgetAction {
    pub(crate) fn json(&self) -> bool {
        matches!(self, Self::List { json: true })
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Period {
    Day,
    Week,
    Month,
    All,
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("scope").args(["provider", "model", "agent", "conversation", "client"])))]
pub(crate) struct SetArgs {
    /// The budget's name.
    #[arg(long, value_parser = args::name)]
    name: String,
    /// The limit in dollars, e.g. 5 or 0.50.
    #[arg(long, value_parser = args::limit)]
    limit: Usd,
    /// The window spend is counted over.
    #[arg(long, value_enum, default_value = "month")]
    period: Period,
    /// Only this provider's requests.
    #[arg(long)]
    provider: Option<String>,
    /// Only this model's requests.
    #[arg(long, value_parser = args::model)]
    model: Option<String>,
    /// Only this agent's requests.
    #[arg(long)]
    agent: Option<String>,
    /// Only this conversation's requests (its id).
    #[arg(long)]
    conversation: Option<String>,
    /// Only the requests of the tool with this client key (its name; see `api-keys list`).
    #[arg(long, value_parser = args::client_name)]
    client: Option<String>,
    /// Alert at these percentages of the limit.
    #[arg(long, value_delimiter = ',', default_value = "50,80,100")]
    alerts: Vec<u8>,
    /// Only alert; never refuse requests.
    #[arg(long)]
    soft: bool,
}

pub(crate) async fn budget(engine: &Engine, action: BudgetAction) -> Result<(), Failure> {
    match action {
        BudgetAction::List { json } => {
            let list = engine.spend().budgets().await?;
            if json {
                return write_json(&list);
            }
            let mut out = std::io::stdout().lock();
            if list.is_empty() {
                writeln!(out, "no budgets; add one with `switchboard budget set`")?;
            }
            for s in list {
                writeln!(
                    out,
                    "{}: ${} of ${} spent{}{}",
                    shown(&s.budget.describe()),
                    s.spent.human(),
                    s.budget.limit.human(),
                    if s.exhausted {
                        " — requests refused"
                    } else {
                        ""
                    },
                    if s.unknown_requests > 0 {
                        format!(" (+{} requests of unknown cost)", s.unknown_requests)
                    } else {
                        String::new()
                    }
                )?;
            }
            Ok(())
        }
        BudgetAction::Set(a) => {
            let (scope, value) = match (a.provider, a.model, a.agent, a.conversation, a.client) {
                (Some(p), ..) => (
                    BudgetScope::Provider,
                    Some(engine.routing().resolve_provider(&p).await?.to_string()),
                ),
                (_, Some(m), ..) => (BudgetScope::Model, Some(m)),
                (_, _, Some(g), ..) => (BudgetScope::Agent, Some(g)),
                (_, _, _, Some(c), _) => (BudgetScope::Conversation, Some(c)),
                // By name: the engine stores the key's id.
                (.., Some(k)) => (BudgetScope::Client, Some(k)),
                _ => (BudgetScope::Global, None),
            };
            let existing = engine
                .spend()
                .budgets()
                .await?
                .into_iter()
                .find(|s| s.budget.name.eq_ignore_ascii_case(a.name.trim()));
            let saved = engine
                .spend()
                .save_budget(Budget {
                    id: existing.map(|s| s.budget.id).unwrap_or_default(),
                    name: a.name,
                    scope,
                    scope_value: value,
                    scope_label: None,
                    period: match a.period {
                        Period::Day => BudgetPeriod::Day,
                        Period::Week => BudgetPeriod::Week,
                        Period::Month => BudgetPeriod::Month,
                        Period::All => BudgetPeriod::All,
                    },
                    limit: a.limit,
                    alerts: a.alerts,
                    hard: !a.soft,
                })
                .await?;
            writeln!(
                std::io::stdout(),
                "saved budget {}",
                shown(&saved.describe())
            )?;
            Ok(())
        }
        BudgetAction::Rm { budget } => {
            let found = engine
                .spend()
                .budgets()
                .await?
                .into_iter()
                .find(|s| s.budget.id == budget || s.budget.name.eq_ignore_ascii_case(&budget))
                .ok_or_else(|| EngineError::InvalidInput {
                    message: format!("no budget named \"{budget}\"; see `switchboard budget list`"),
                })?;
            engine
                .spend()
                .delete_budget(found.budget.id.clone())
                .await?;
            writeln!(
                std::io::stdout(),
                "deleted budget {}",
                shown(&found.budget.describe())
            )?;
            Ok(())
        }
    }
}
