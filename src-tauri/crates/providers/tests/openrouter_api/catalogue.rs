//! `GET /models` and `/endpoints` bodies: the recorded 2025 shapes and synthesized 2026 ones.

use proptest::prelude::*;
use switchboard_core::Usage;
use switchboard_providers::openrouter_api::{
    CatalogueModel, Price, Pricing, estimate_cost, parse_endpoints, parse_models,
};

use super::{catalogue_2025, catalogue_2026, catalogue_fixture, usd};

fn find<'a>(models: &'a [CatalogueModel], id: &str) -> &'a CatalogueModel {
    models
        .iter()
        .find(|m| m.id == id)
        .unwrap_or_else(|| panic!("{id} is in the catalogue"))
}

fn per_million(price: &Price) -> String {
    price.per_million().expect("a known price").to_string()
}

#[test]
fn the_2025_catalogue_parses_every_one_of_its_320_models() {
    let models = parse_models(&catalogue_2025()).unwrap();
    assert_eq!(models.len(), 320, "the recording lists 320 models");
    assert!(
        models.iter().all(|m| m.canonical_slug.is_none()),
        "2025 had no canonical_slug"
    );
    let variable: Vec<&str> = models
        .iter()
        .filter(|m| m.pricing.is_variable())
        .map(|m| m.id.as_str())
        .collect();
    assert_eq!(variable, ["openrouter/auto"], "only the router is variable");
}

#[test]
fn spot_checked_2025_prices_are_exact_per_million() {
    let models = parse_models(&catalogue_2025()).unwrap();
    // Read by eye from the recording: "0.000003"/"0.000015", cache "0.0000003"/"0.00000375".
    let sonnet = &find(&models, "anthropic/claude-3.7-sonnet").pricing;
    assert_eq!(per_million(&sonnet.prompt), "3", "3.7 Sonnet input $/M");
    assert_eq!(
        per_million(&sonnet.completion),
        "15",
        "3.7 Sonnet output $/M"
    );
    assert_eq!(
        per_million(&sonnet.input_cache_read),
        "0.3",
        "cache read $/M"
    );
    assert_eq!(
        per_million(&sonnet.input_cache_write),
        "3.75",
        "cache write $/M"
    );
    assert_eq!(sonnet.image, Price::Known(usd("0.0048")), "per image");
    // "0.0000025"/"0.00001", cache read "0.00000125", no cache write key => 0.
    let gpt4o = &find(&models, "openai/gpt-4o").pricing;
    assert_eq!(per_million(&gpt4o.prompt), "2.5", "GPT-4o input $/M");
    assert_eq!(per_million(&gpt4o.completion), "10", "GPT-4o output $/M");
    assert_eq!(
        per_million(&gpt4o.input_cache_read),
        "1.25",
        "GPT-4o cache read $/M"
    );
    assert_eq!(gpt4o.input_cache_write, Price::ZERO, "missing key is 0");
    // "0.00000125"/"0.00001", cache "0.00000031"/"0.000001625".
    let gemini = find(&models, "google/gemini-2.5-pro-preview");
    assert_eq!(
        per_million(&gemini.pricing.prompt),
        "1.25",
        "Gemini input $/M"
    );
    assert_eq!(
        per_million(&gemini.pricing.completion),
        "10",
        "Gemini output $/M"
    );
    assert_eq!(
        per_million(&gemini.pricing.input_cache_read),
        "0.31",
        "Gemini cache read"
    );
    assert_eq!(
        per_million(&gemini.pricing.input_cache_write),
        "1.625",
        "Gemini cache write"
    );
    assert_eq!(gemini.context_length, Some(1_048_576), "context");
    assert_eq!(
        gemini.max_completion_tokens,
        Some(65_535),
        "top provider's output cap"
    );
    assert_eq!(gemini.input_modalities, ["text", "image", "file"], "inputs");
    assert_eq!(gemini.tokenizer.as_deref(), Some("Gemini"), "tokenizer");
}

#[test]
fn openrouter_auto_is_variable_and_never_estimated() {
    let usage = Usage {
        prompt_tokens: 1000,
        completion_tokens: 100,
        ..Usage::default()
    };
    for (year, body) in [("2025", catalogue_2025()), ("2026", catalogue_2026())] {
        let models = parse_models(&body).unwrap();
        let auto = &find(&models, "openrouter/auto").pricing;
        assert_eq!(auto.prompt, Price::Variable, "{year}: prompt is -1");
        assert_eq!(auto.completion, Price::Variable, "{year}: completion is -1");
        assert!(auto.is_variable(), "{year}: variable");
        assert_eq!(auto.prompt.known(), None, "{year}: no amount");
        assert_eq!(auto.sort_key(), None, "{year}: no place on a price scale");
        assert_eq!(estimate_cost(auto, &usage), None, "{year}: no estimate");
        assert_eq!(
            estimate_cost(auto, &Usage::default()),
            None,
            "{year}: not even for zero tokens"
        );
    }
}

#[test]
fn free_models_are_known_zero() {
    let models = parse_models(&catalogue_2025()).unwrap();
    let free: Vec<&CatalogueModel> = models.iter().filter(|m| m.id.ends_with(":free")).collect();
    assert_eq!(free.len(), 70, "the recording has 70 :free variants");
    for model in free {
        assert_eq!(model.pricing.prompt, Price::ZERO, "{}: prompt", model.id);
        assert_eq!(
            model.pricing.completion,
            Price::ZERO,
            "{}: completion",
            model.id
        );
        assert!(model.pricing.is_free(), "{}: free", model.id);
        let usage = Usage {
            prompt_tokens: 5000,
            completion_tokens: 5000,
            ..Usage::default()
        };
        assert_eq!(
            estimate_cost(&model.pricing, &usage),
            Some(usd("0")),
            "{}: costs nothing",
            model.id
        );
    }
}

#[test]
fn the_2026_shape_parses_omitted_prices_are_zero_and_malformed_entries_are_skipped() {
    let models = parse_models(&catalogue_2026()).unwrap();
    let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "openrouter/auto",
            "openrouter/bodybuilder",
            "openrouter/free",
            "anthropic/claude-sonnet-4",
            "openai/gpt-4o-mini",
            "perplexity/sonar-deep-research",
            "perplexity/sonar",
            "z-ai/glm-4.5-air:free",
        ],
        "the three malformed entries are skipped, the rest kept in order"
    );
    let sonnet = find(&models, "anthropic/claude-sonnet-4");
    assert_eq!(
        sonnet.canonical_slug.as_deref(),
        Some("anthropic/claude-4-sonnet-20250522"),
        "canonical slug"
    );
    assert_eq!(
        sonnet.pricing.prompt,
        Price::Known(usd("0.000003")),
        "prompt"
    );
    assert_eq!(
        sonnet.pricing.completion,
        Price::Known(usd("0.000015")),
        "completion"
    );
    assert_eq!(sonnet.pricing.request, Price::ZERO, "omitted request => 0");
    assert_eq!(
        sonnet.pricing.internal_reasoning,
        Price::ZERO,
        "omitted => 0"
    );
    assert_eq!(
        sonnet.pricing.web_search,
        Price::Known(usd("0.01")),
        "web search"
    );
    assert_eq!(sonnet.is_moderated, Some(true), "moderated");
    assert_eq!(sonnet.context_length, Some(1_000_000), "context");
    let mini = find(&models, "openai/gpt-4o-mini");
    assert_eq!(mini.pricing.image, Price::ZERO, "omitted image => 0");
    assert_eq!(
        mini.pricing.input_cache_write,
        Price::ZERO,
        "omitted cache write => 0"
    );
    for router in ["openrouter/auto", "openrouter/bodybuilder"] {
        assert!(
            find(&models, router).pricing.is_variable(),
            "{router} is -1"
        );
    }
    assert!(
        find(&models, "openrouter/free").pricing.is_free(),
        "the free router is 0, not variable"
    );
    assert_eq!(
        find(&models, "z-ai/glm-4.5-air:free").pricing,
        Pricing::FREE,
        "a free model with only prompt/completion listed is free throughout"
    );
}

/// Sorted by [`Pricing::sort_key`], a variable model can only be before all known prices
/// (`None` sorts first) or left out; never between two of them.
fn assert_sort_invariant(models: &mut [CatalogueModel], what: &str) {
    let known: Vec<_> = models.iter().filter_map(|m| m.pricing.sort_key()).collect();
    let mut sorted_known = known.clone();
    sorted_known.sort();
    assert!(
        sorted_known.windows(2).all(|w| w[0] <= w[1]),
        "{what}: ascending"
    );
    models.sort_by_key(|m| m.pricing.sort_key());
    let first_known = models
        .iter()
        .position(|m| m.pricing.sort_key().is_some())
        .unwrap_or(models.len());
    assert!(
        models[first_known..]
            .iter()
            .all(|m| !m.pricing.is_variable()),
        "{what}: no variable model after the first known price"
    );
    assert!(
        models[..first_known]
            .iter()
            .all(|m| m.pricing.is_variable()),
        "{what}: only variable models before it"
    );
    let keys: Vec<_> = models[first_known..]
        .iter()
        .filter_map(|m| m.pricing.sort_key())
        .collect();
    assert_eq!(
        keys, sorted_known,
        "{what}: the known part is the sorted prices"
    );
}

#[test]
fn sorting_by_price_never_places_a_variable_model_among_known_prices() {
    let mut models = parse_models(&catalogue_2025()).unwrap();
    assert_sort_invariant(&mut models, "2025");
    assert!(
        models[0].pricing.is_variable(),
        "2025: the router sorts apart, first"
    );
    let mut models = parse_models(&catalogue_2026()).unwrap();
    assert_sort_invariant(&mut models, "2026");
}

fn arbitrary_pricing() -> impl Strategy<Value = Pricing> {
    // Per-token prices of 0 to 50,000 picodollars (up to $0.05/M), or variable.
    let price = prop_oneof![
        1 => Just(Price::Variable),
        4 => (0_u32..50_000).prop_map(|micro| Price::Known(usd(&format!("0.{micro:012}")))),
    ];
    (price.clone(), price).prop_map(|(prompt, completion)| Pricing {
        prompt,
        completion,
        ..Pricing::FREE
    })
}

proptest! {
    #[test]
    fn the_sort_invariant_holds_for_any_mix(pricings in prop::collection::vec(arbitrary_pricing(), 0..40)) {
        let mut models: Vec<CatalogueModel> = pricings
            .into_iter()
            .enumerate()
            .map(|(i, pricing)| CatalogueModel {
                id: format!("x/{i}"),
                canonical_slug: None,
                name: format!("X {i}"),
                created: None,
                description: None,
                context_length: None,
                max_completion_tokens: None,
                input_modalities: Vec::new(),
                output_modalities: Vec::new(),
                tokenizer: None,
                supported_parameters: Vec::new(),
                pricing,
                is_moderated: None,
            })
            .collect();
        assert_sort_invariant(&mut models, "generated");
    }
}

#[test]
fn the_recorded_gemini_endpoints_parse() {
    let body =
        catalogue_fixture("cline_2025-05-12_endpoints_google-gemini-2.5-pro-preview.decoded.json");
    let list = parse_endpoints(&body).unwrap();
    assert_eq!(list.id, "google/gemini-2.5-pro-preview", "model id");
    assert_eq!(list.name, "Google: Gemini 2.5 Pro Preview", "model name");
    let providers: Vec<&str> = list
        .endpoints
        .iter()
        .map(|e| e.provider_name.as_str())
        .collect();
    assert_eq!(providers, ["Google", "Google AI Studio"], "both endpoints");
    let google = &list.endpoints[0];
    assert_eq!(
        google.name, "Google | google/gemini-2.5-pro-preview-03-25",
        "name"
    );
    assert_eq!(google.context_length, Some(1_048_576), "context");
    assert_eq!(google.max_completion_tokens, Some(65_535), "output cap");
    assert_eq!(
        list.endpoints[1].max_completion_tokens,
        Some(65_536),
        "AI Studio's cap"
    );
    assert_eq!(google.status, Some(0), "healthy");
    assert_eq!(google.quantization, None, "null quantization");
    assert_eq!(google.tag, None, "no tag in 2025");
    assert_eq!(google.uptime_last_30m, None, "no stats in 2025");
    assert_eq!(
        google.pricing.prompt,
        Price::Known(usd("0.00000125")),
        "prompt"
    );
    assert_eq!(
        google.pricing.completion,
        Price::Known(usd("0.00001")),
        "completion"
    );
    assert_eq!(google.pricing.image, Price::Known(usd("0.00516")), "image");
    assert_eq!(
        google.pricing.input_cache_read,
        Price::Known(usd("0.00000031")),
        "read"
    );
    assert_eq!(
        google.pricing.input_cache_write,
        Price::Known(usd("0.000001625")),
        "write"
    );
    assert!(
        google.supported_parameters.iter().any(|p| p == "tools"),
        "tools supported"
    );
}

#[test]
fn synthesized_2026_endpoints_carry_stats_and_skip_a_malformed_one() {
    let list = parse_endpoints(&catalogue_fixture(
        "synthesized/endpoints_2026_anthropic-claude-sonnet-4.json",
    ))
    .unwrap();
    assert_eq!(list.endpoints.len(), 2, "the malformed endpoint is skipped");
    let anthropic = &list.endpoints[0];
    assert_eq!(anthropic.tag.as_deref(), Some("anthropic"), "tag");
    assert_eq!(anthropic.uptime_last_30m, Some(99.71), "uptime");
    assert_eq!(anthropic.latency_last_30m_p50, Some(1.42), "latency p50");
    assert_eq!(
        anthropic.throughput_last_30m_p50,
        Some(54.3),
        "throughput p50"
    );
    assert_eq!(anthropic.pricing.request, Price::ZERO, "omitted => 0");
    let google = &list.endpoints[1];
    assert_eq!(google.status, Some(-2), "degraded status kept");
    assert_eq!(google.latency_last_30m_p50, None, "null stats");
    assert_eq!(
        google.tag.as_deref(),
        Some("google-vertex/us-east5"),
        "regional tag"
    );
}
