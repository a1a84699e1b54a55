//! `switchboard models`: the catalogue, searchable and sortable, with honest prices; with
//! `--provider`, one provider's models (a custom server's own list, priced as the user said).

use std::cmp::Ordering;
use std::io::Write;

use clap::{Args, ValueEnum};
use serde_json::json;
use switchboard_engine::Engine;
use switchboard_engine::core::{BrowserModel, BuiltinProvider, Usd};
use switchboard_engine::openrouter_api::CatalogueModel;

use crate::info::usd_json;
use crate::terminal::{shown, shown_lines};
use crate::{Failure, write_json};

#[derive(Clone, Copy, ValueEnum)]
enum SortBy {
    /// Input price, cheapest first; variable-price models last.
    Price,
    /// Context length, largest first.
    Context,
    /// Name, A to Z.
    Name,
    /// Newest first.
    Created,
}

#[derive(Clone, Copy, ValueEnum)]
enum Modality {
    Image,
    Audio,
    File,
    Text,
}

#[derive(Args)]
pub(crate) struct ModelsArgs {
    /// Fetch the catalogue again instead of using the cached copy.
    #[arg(long)]
    refresh: bool,
    /// Keep models whose id or name contains this (case-insensitive).
    #[arg(long)]
    search: Option<String>,
    /// Sort order.
    #[arg(long, value_enum)]
    sort: Option<SortBy>,
    /// Keep models that take or produce this modality.
    #[arg(long, value_enum)]
    modality: Option<Modality>,
    /// List this provider's models instead of OpenRouter's: openai, anthropic, or a custom
    /// provider's name (its `GET /models`, cached; --refresh asks the server again).
    #[arg(long, value_name = "NAME")]
    provider: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub(crate) json: bool,
}

pub(crate) async fn run(engine: &Engine, args: ModelsArgs) -> Result<(), Failure> {
    if let Some(name) = &args.provider {
        let provider = engine.routing().resolve_provider(name).await?;
        if provider.builtin() != Some(BuiltinProvider::OpenRouter) {
            return run_provider(engine, provider, &args).await;
        }
    }
    let catalogue = engine.models().catalogue(args.refresh).await?;
    if let Some(notice) = &catalogue.notice {
        let _ = writeln!(std::io::stderr(), "switchboard: {}", shown_lines(notice));
    }
    let mut models = catalogue.models;
    if let Some(needle) = &args.search {
        let needle = needle.to_lowercase();
        models.retain(|m| {
            m.id.to_lowercase().contains(&needle) || m.name.to_lowercase().contains(&needle)
        });
    }
    if let Some(modality) = args.modality {
        let want = match modality {
            Modality::Image => "image",
            Modality::Audio => "audio",
            Modality::File => "file",
            Modality::Text => "text",
        };
        models.retain(|m| {
            m.input_modalities.iter().any(|x| x == want)
                || m.output_modalities.iter().any(|x| x == want)
        });
    }
    if let Some(sort) = args.sort {
        sort_models(&mut models, sort);
    }
    if args.json {
        let rows: Vec<_> = models.iter().map(row).collect();
        return write_json(&rows);
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<50} {:>9} {:>12} {:>12}",
        "model", "context", "$/M in", "$/M out"
    )?;
    for m in &models {
        let price = |p: Option<Usd>| p.map_or("variable".to_owned(), |p| format!("{p}"));
        writeln!(
            out,
            "{:<50} {:>9} {:>12} {:>12}",
            shown(&m.id),
            m.context_length.map_or("-".to_owned(), |c| c.to_string()),
            price(m.pricing.prompt.per_million()),
            price(m.pricing.completion.per_million()),
        )?;
    }
    Ok(())
}

/// What a sort reads from a listed model, whether it comes from OpenRouter's catalogue or a
/// provider's own list, so both lists sort by one set of rules.
struct SortKeys<'a> {
    id: &'a str,
    name: &'a str,
    /// `None` when variable or unknown.
    price: Option<Usd>,
    context: Option<u64>,
    created: Option<i64>,
}

trait Listed {
    fn keys(&self) -> SortKeys<'_>;
}

impl Listed for CatalogueModel {
    fn keys(&self) -> SortKeys<'_> {
        SortKeys {
            id: &self.id,
            name: &self.name,
            price: self.pricing.prompt.known(),
            context: self.context_length,
            created: self.created,
        }
    }
}

impl Listed for BrowserModel {
    fn keys(&self) -> SortKeys<'_> {
        SortKeys {
            id: &self.id,
            name: &self.name,
            price: self.prices.prompt_per_million,
            context: self.context_length,
            created: self.created,
        }
    }
}

/// Unknown and variable prices never take part in a price sort, and unknown contexts never
/// in a context sort: they go last. Ties break on the id.
fn sort_models<T: Listed>(models: &mut [T], sort: SortBy) {
    match sort {
        SortBy::Price => models.sort_by(|a, b| {
            let (a, b) = (a.keys(), b.keys());
            match (a.price, b.price) {
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            }
            .then_with(|| a.id.cmp(b.id))
        }),
        SortBy::Context => models.sort_by(|a, b| {
            let (a, b) = (a.keys(), b.keys());
            b.context.cmp(&a.context).then_with(|| a.id.cmp(b.id))
        }),
        SortBy::Name => models.sort_by_cached_key(|m| m.keys().name.to_lowercase()),
        SortBy::Created => models.sort_by(|a, b| {
            let (a, b) = (a.keys(), b.keys());
            b.created.cmp(&a.created).then_with(|| a.id.cmp(b.id))
        }),
    }
}

fn row(m: &CatalogueModel) -> serde_json::Value {
    json!({
        "id": m.id,
        "name": m.name,
        "context_length": m.context_length,
        "input_modalities": m.input_modalities,
        "output_modalities": m.output_modalities,
        "prompt_usd_per_mtok": usd_json(m.pricing.prompt.per_million()),
        "completion_usd_per_mtok": usd_json(m.pricing.completion.per_million()),
        "variable_pricing": m.pricing.is_variable(),
        "supported_parameters": m.supported_parameters,
    })
}

/// One provider's models (`--provider`): a custom server's list with the prices the user gave
/// ("not set" until then: its costs are unknown), or a direct provider's bundled table.
async fn run_provider(
    engine: &Engine,
    provider: switchboard_engine::core::ProviderId,
    args: &ModelsArgs,
) -> Result<(), Failure> {
    let catalogue = engine
        .models()
        .provider_models(provider, args.refresh)
        .await?;
    if let Some(notice) = &catalogue.notice {
        let _ = writeln!(std::io::stderr(), "switchboard: {}", shown_lines(notice));
    }
    let mut models = catalogue.models;
    if let Some(needle) = &args.search {
        let needle = needle.to_lowercase();
        models.retain(|m| {
            m.id.to_lowercase().contains(&needle) || m.name.to_lowercase().contains(&needle)
        });
    }
    if let Some(sort) = args.sort {
        sort_models(&mut models, sort);
    }
    if args.json {
        let rows: Vec<_> = models.iter().map(browser_row).collect();
        return write_json(&rows);
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:<50} {:>9} {:>12} {:>12}  via",
        "model", "context", "$/M in", "$/M out"
    )?;
    for m in &models {
        let price = |p: Option<Usd>| match p {
            Some(p) => format!("{p}"),
            None if m.prices.variable => "variable".to_owned(),
            None => "not set".to_owned(),
        };
        writeln!(
            out,
            "{:<50} {:>9} {:>12} {:>12}  {}",
            shown(&m.id),
            m.context_length.map_or("-".to_owned(), |c| c.to_string()),
            price(m.prices.prompt_per_million),
            price(m.prices.completion_per_million),
            shown(&m.provider_name),
        )?;
    }
    Ok(())
}

fn browser_row(m: &BrowserModel) -> serde_json::Value {
    json!({
        "id": m.id,
        "name": m.name,
        "provider": m.provider_name,
        "context_length": m.context_length,
        "input_modalities": m.input_modalities,
        "prompt_usd_per_mtok": usd_json(m.prices.prompt_per_million),
        "completion_usd_per_mtok": usd_json(m.prices.completion_per_million),
        "variable_pricing": m.prices.variable,
    })
}
