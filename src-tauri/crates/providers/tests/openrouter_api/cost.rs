//! Estimating a cost from prices: exact decimals, hand-computed, and one check against what
//! OpenRouter actually charged in a recorded response.

use switchboard_core::{Usage, Usd};
use switchboard_providers::openrouter_api::{CatalogueModel, Pricing, estimate_cost, parse_models};

use super::{catalogue_2025, catalogue_2026, usd};

fn pricing_of(body: &str, id: &str) -> Pricing {
    let models: Vec<CatalogueModel> = parse_models(body).unwrap();
    models
        .into_iter()
        .find(|m| m.id == id)
        .unwrap_or_else(|| panic!("{id} is in the catalogue"))
        .pricing
}

fn usage(prompt: u64, completion: u64) -> Usage {
    Usage {
        prompt_tokens: prompt,
        completion_tokens: completion,
        ..Usage::default()
    }
}

#[test]
fn the_recorded_3u9jn7ced3f_usage_at_sonnet_4_prices_is_exactly_what_was_charged() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../tests/fixtures/openrouter/ai-sdk/3u9jN7ced3f/response.json"
    );
    let body = std::fs::read_to_string(path).unwrap();
    let response: serde_json::Value = serde_json::from_str(body.trim()).unwrap();
    let recorded = &response["usage"];
    let usage = Usage {
        prompt_tokens: recorded["prompt_tokens"].as_u64().unwrap(),
        completion_tokens: recorded["completion_tokens"].as_u64().unwrap(),
        cached_tokens: recorded["prompt_tokens_details"]["cached_tokens"]
            .as_u64()
            .unwrap(),
        cache_write_tokens: recorded["prompt_tokens_details"]["cache_write_tokens"]
            .as_u64()
            .unwrap(),
        reasoning_tokens: recorded["completion_tokens_details"]["reasoning_tokens"]
            .as_u64()
            .unwrap(),
        cost: Usd::from_json_f64(recorded["cost"].as_f64().unwrap()),
        ..Usage::default()
    };
    assert_eq!(
        (usage.prompt_tokens, usage.completion_tokens),
        (555, 431),
        "the recording"
    );
    let charged = usage.cost.expect("the recording has usage.cost");
    assert_eq!(charged, usd("0.00813"), "what OpenRouter charged");

    let sonnet_4 = pricing_of(&catalogue_2026(), "anthropic/claude-sonnet-4");
    let estimate = estimate_cost(&sonnet_4, &usage).expect("known prices");
    // 555 × $3/M = 0.001665 and 431 × $15/M = 0.006465, as the recording's cost_details split it.
    let details = &recorded["cost_details"];
    let prompt_part = usd("0.000003").times(555);
    let completion_part = usd("0.000015").times(431);
    assert_eq!(prompt_part, usd("0.001665"), "prompt part");
    assert_eq!(completion_part, usd("0.006465"), "completion part");
    assert_eq!(
        Usd::from_json_f64(details["upstream_inference_prompt_cost"].as_f64().unwrap()),
        Some(prompt_part),
        "matches the recorded prompt cost"
    );
    assert_eq!(
        Usd::from_json_f64(
            details["upstream_inference_completions_cost"]
                .as_f64()
                .unwrap()
        ),
        Some(completion_part),
        "matches the recorded completion cost"
    );
    assert_eq!(estimate, usd("0.00813"), "exactly 0.001665 + 0.006465");
    assert_eq!(
        estimate, charged,
        "the estimate equals usage.cost, to the picodollar"
    );
}

#[test]
fn cached_reads_and_cache_writes_use_their_own_prices() {
    // claude-3.7-sonnet (2025): prompt 0.000003, completion 0.000015, read 0.0000003,
    // write 0.00000375. 10,000 prompt tokens of which 6,000 read and 2,000 written; 500 out:
    // 2,000 × 0.000003 = 0.006; 6,000 × 0.0000003 = 0.0018; 2,000 × 0.00000375 = 0.0075;
    // 500 × 0.000015 = 0.0075; total 0.0228.
    let pricing = pricing_of(&catalogue_2025(), "anthropic/claude-3.7-sonnet");
    let usage = Usage {
        cached_tokens: 6000,
        cache_write_tokens: 2000,
        ..usage(10_000, 500)
    };
    assert_eq!(
        estimate_cost(&pricing, &usage),
        Some(usd("0.0228")),
        "hand-computed"
    );
}

#[test]
fn cached_tokens_without_a_cache_price_are_billed_as_prompt() {
    // deepseek/deepseek-r1 (2025) lists no cache price: prompt 0.0000005, completion
    // 0.00000218. 1,000 in (400 of them cached) and 100 out:
    // 1,000 × 0.0000005 = 0.0005; 100 × 0.00000218 = 0.000218; total 0.000718.
    let pricing = pricing_of(&catalogue_2025(), "deepseek/deepseek-r1");
    let usage = Usage {
        cached_tokens: 400,
        cache_write_tokens: 0,
        ..usage(1000, 100)
    };
    assert_eq!(
        estimate_cost(&pricing, &usage),
        Some(usd("0.000718")),
        "hand-computed"
    );
}

#[test]
fn reasoning_is_billed_at_internal_reasoning_when_that_is_priced() {
    // perplexity/sonar-deep-research: prompt 0.000002, completion 0.000008, internal_reasoning
    // 0.000003. 1,000 in; 2,000 out of which 1,500 reasoning:
    // 1,000 × 0.000002 = 0.002; 1,500 × 0.000003 = 0.0045; 500 × 0.000008 = 0.004;
    // total 0.0105.
    for (year, body) in [("2025", catalogue_2025()), ("2026", catalogue_2026())] {
        let pricing = pricing_of(&body, "perplexity/sonar-deep-research");
        let usage = Usage {
            reasoning_tokens: 1500,
            ..usage(1000, 2000)
        };
        assert_eq!(
            estimate_cost(&pricing, &usage),
            Some(usd("0.0105")),
            "{year}: hand-computed"
        );
    }
    // Where reasoning is not priced apart it is ordinary output: claude-3.7-sonnet, 100 out of
    // which 60 reasoning = 100 × 0.000015 = 0.0015.
    let sonnet = pricing_of(&catalogue_2025(), "anthropic/claude-3.7-sonnet");
    let usage = Usage {
        reasoning_tokens: 60,
        ..usage(0, 100)
    };
    assert_eq!(
        estimate_cost(&sonnet, &usage),
        Some(usd("0.0015")),
        "reasoning is output"
    );
}

#[test]
fn the_request_price_is_added_once() {
    // perplexity/sonar: prompt 0.000001, completion 0.000001, request 0.005. 100 in, 200 out:
    // 0.0001 + 0.0002 + 0.005 = 0.0053.
    for (year, body) in [("2025", catalogue_2025()), ("2026", catalogue_2026())] {
        let pricing = pricing_of(&body, "perplexity/sonar");
        assert_eq!(
            estimate_cost(&pricing, &usage(100, 200)),
            Some(usd("0.0053")),
            "{year}: hand-computed"
        );
        assert_eq!(
            estimate_cost(&pricing, &usage(0, 0)),
            Some(usd("0.005")),
            "{year}: an empty request still pays the request price"
        );
    }
}

#[test]
fn variable_prices_give_no_estimate() {
    let body = catalogue_2026();
    for router in ["openrouter/auto", "openrouter/bodybuilder"] {
        let pricing = pricing_of(&body, router);
        assert_eq!(estimate_cost(&pricing, &usage(10, 10)), None, "{router}");
    }
    assert_eq!(
        estimate_cost(&pricing_of(&body, "openrouter/free"), &usage(10, 10)),
        Some(Usd::ZERO),
        "the free router is free, not variable"
    );
}
