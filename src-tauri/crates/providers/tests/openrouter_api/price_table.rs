//! The bundled list prices for direct OpenAI and Anthropic use.

use switchboard_core::{BuiltinProvider, Usage};
use switchboard_providers::openrouter_api::{Price, estimate_cost};
use switchboard_providers::price_table::{ATTRIBUTION, TablePrice, direct_price};

use super::usd;

fn openai(model: &str) -> Option<TablePrice> {
    direct_price(BuiltinProvider::OpenAi, model)
}

fn anthropic(model: &str) -> Option<TablePrice> {
    direct_price(BuiltinProvider::Anthropic, model)
}

#[test]
fn gpt_4o_has_the_source_prices_exactly() {
    // The source writes gpt-4o as input 2.5e-06, output 1e-05, cache read 1.25e-06,
    // max_input_tokens 128000, and no cache-creation price.
    let price = openai("gpt-4o").expect("gpt-4o is in the table");
    assert_eq!(price.pricing.prompt, Price::Known(usd("2.5e-06")), "input");
    assert_eq!(
        price.pricing.completion,
        Price::Known(usd("1e-05")),
        "output"
    );
    assert_eq!(
        price.pricing.input_cache_read,
        Price::Known(usd("1.25e-06")),
        "read"
    );
    assert_eq!(
        price.pricing.input_cache_write,
        Price::ZERO,
        "no write price"
    );
    assert_eq!(price.context_window, Some(128_000), "context");
    assert_eq!(
        price.pricing.prompt.per_million(),
        Some(usd("2.5")),
        "$2.50/M"
    );
    let usage = Usage {
        prompt_tokens: 1000,
        completion_tokens: 500,
        ..Usage::default()
    };
    assert_eq!(
        estimate_cost(&price.pricing, &usage),
        Some(usd("0.0075")),
        "1,000 × 2.5e-06 + 500 × 1e-05"
    );
}

#[test]
fn dated_and_prefixed_ids_find_their_entry() {
    let alias = openai("gpt-4o");
    assert_eq!(
        openai("gpt-4o-2024-08-06"),
        alias,
        "its own entry, same prices"
    );
    assert_eq!(
        openai("gpt-4o-2024-05-13").unwrap().pricing.prompt,
        Price::Known(usd("5e-06")),
        "an exact dated entry wins over the alias"
    );
    assert_eq!(
        openai("gpt-4o-2099-01-01"),
        alias,
        "an unlisted date falls back to the alias"
    );
    assert_eq!(openai("openai/gpt-4o"), alias, "provider prefix");
    assert_eq!(openai("openai/gpt-4o-2099-01-01"), alias, "prefix and date");
    let sonnet_4 = anthropic("claude-sonnet-4-20250514").expect("Sonnet 4 is in the table");
    assert_eq!(sonnet_4.pricing.prompt, Price::Known(usd("3e-06")), "input");
    assert_eq!(
        sonnet_4.pricing.completion,
        Price::Known(usd("1.5e-05")),
        "output"
    );
    assert_eq!(
        sonnet_4.pricing.input_cache_read,
        Price::Known(usd("3e-07")),
        "read"
    );
    assert_eq!(
        sonnet_4.pricing.input_cache_write,
        Price::Known(usd("3.75e-06")),
        "write"
    );
    assert_eq!(
        anthropic("anthropic/claude-sonnet-4-5-20250929"),
        anthropic("claude-sonnet-4-5-20250929"),
        "anthropic/ prefix"
    );
    assert!(
        anthropic("claude-sonnet-4-5-20991231").is_some(),
        "date stripped to claude-sonnet-4-5"
    );
}

#[test]
fn unknown_models_and_other_providers_get_none() {
    // 3.5 Sonnet is retired and absent from litellm 1.100.0; its undated name is absent too.
    assert_eq!(
        anthropic("claude-3-5-sonnet-20241022"),
        None,
        "not in the table"
    );
    assert_eq!(openai("gpt-nonexistent"), None, "unknown");
    assert_eq!(openai(""), None, "empty");
    assert_eq!(anthropic("gpt-4o"), None, "another provider's model");
    assert_eq!(
        openai("anthropic/claude-sonnet-4-20250514"),
        None,
        "another provider's prefix"
    );
    assert_eq!(
        direct_price(BuiltinProvider::OpenRouter, "openai/gpt-4o"),
        None,
        "OpenRouter reports its own costs"
    );
}

#[test]
fn every_bundled_price_equals_its_source_text() {
    let text = include_str!("../../data/litellm-prices.json");
    let table: serde_json::Value = serde_json::from_str(text).unwrap();
    let mut checked = 0;
    for (provider, name) in [
        (BuiltinProvider::OpenAi, "openai"),
        (BuiltinProvider::Anthropic, "anthropic"),
    ] {
        for (id, entry) in table[name].as_object().unwrap() {
            let price = direct_price(provider, id).unwrap_or_else(|| panic!("{id} is found"));
            let field = |key: &str| match entry.get(key) {
                Some(v) => Price::Known(usd(v.as_str().unwrap())),
                None => Price::ZERO,
            };
            assert_eq!(
                price.pricing.prompt,
                field("input_cost_per_token"),
                "{id} input"
            );
            assert_eq!(
                price.pricing.completion,
                field("output_cost_per_token"),
                "{id} output"
            );
            assert_eq!(
                price.pricing.input_cache_read,
                field("cache_read_input_token_cost"),
                "{id} read"
            );
            assert_eq!(
                price.pricing.input_cache_write,
                field("cache_creation_input_token_cost"),
                "{id} write"
            );
            assert_eq!(
                price.context_window,
                entry
                    .get("max_input_tokens")
                    .and_then(serde_json::Value::as_u64),
                "{id} context"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 119, "93 OpenAI + 26 Anthropic entries");
}

#[test]
fn the_attribution_names_source_version_and_license() {
    assert_eq!(
        ATTRIBUTION,
        "Prices from LiteLLM's model_prices_and_context_window.json (MIT), litellm 1.100.0",
        "as the data README says"
    );
}
