//! The three request parsers (and `count_tokens`') against arbitrary bytes, arbitrary JSON,
//! and real requests with one value replaced by arbitrary JSON: never a panic, always a
//! request or a refusal that names a path.

use proptest::prelude::*;
use serde_json::{Map, Value};
use switchboard_gateway::dialect::{BadRequest, ClientRequest, anthropic, openai_chat, responses};

use crate::support::fixture_json;

type Parser = fn(&[u8]) -> Result<ClientRequest, BadRequest>;

const PARSERS: [(&str, Parser); 4] = [
    ("openai_chat", openai_chat::parse),
    ("anthropic", anthropic::parse),
    ("count_tokens", anthropic::parse_count_tokens),
    ("responses", responses::parse),
];

/// Field names and values the parsers branch on, so generated documents get past the first
/// check often enough to reach the deeper ones.
const WORDS: &[&str] = &[
    "model",
    "messages",
    "role",
    "content",
    "type",
    "text",
    "user",
    "assistant",
    "system",
    "tool",
    "developer",
    "tools",
    "function",
    "name",
    "arguments",
    "parameters",
    "tool_calls",
    "tool_call_id",
    "image_url",
    "url",
    "input",
    "instructions",
    "max_tokens",
    "stream",
    "thinking",
    "signature",
    "tool_use",
    "tool_result",
    "tool_use_id",
    "id",
    "call_id",
    "function_call",
    "function_call_output",
    "reasoning",
    "encrypted_content",
    "summary",
    "input_text",
    "output_text",
    "message",
    "image",
    "source",
    "base64",
    "data",
    "enabled",
    "budget_tokens",
    "effort",
    "tool_choice",
    "auto",
    "required",
    "any",
    "stop",
    "format",
    "json_schema",
    "schema",
    "response_format",
    "text_delta",
    "redacted_thinking",
    "store",
];

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(WORDS).prop_map(str::to_owned),
        1 => "[a-z_|]{0,10}",
        1 => any::<String>(),
    ]
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u32>().prop_map(Value::from),
        (-1e6f64..1e6).prop_map(Value::from),
        word().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 96, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((word(), inner), 0..8)
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

fn check(name: &str, parser: Parser, bytes: &[u8]) -> Result<(), TestCaseError> {
    match parser(bytes) {
        Ok(parsed) => {
            prop_assert!(
                !parsed.model.trim().is_empty(),
                "{name}: a request names a model"
            );
            // The estimate must hold for anything that parses.
            let _ = switchboard_gateway::dialect::prompt_tokens(&parsed.request);
        }
        Err(err) => {
            prop_assert!(
                !err.path.is_empty(),
                "{name}: every refusal names a path: {err:?}"
            );
            prop_assert!(!err.message.is_empty(), "{name}: and says why: {err:?}");
        }
    }
    Ok(())
}

/// Every JSON pointer inside `value`.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let next = format!("{at}/{}", k.replace('~', "~0").replace('/', "~1"));
                out.push(next.clone());
                pointers(v, next, out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                let next = format!("{at}/{i}");
                out.push(next.clone());
                pointers(v, next, out);
            }
        }
        _ => {}
    }
}

const SEEDS: [(&str, &str); 5] = [
    ("openai_chat", "openai/tools_request_2.json"),
    ("openai_chat", "openrouter/multi_turn_request.json"),
    ("anthropic", "anthropic/parallel_tools_request_2.json"),
    ("anthropic", "anthropic/thinking_request.json"),
    ("responses", "responses/codex_request.json"),
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        for (name, parser) in PARSERS {
            check(name, parser, &bytes)?;
        }
    }

    #[test]
    fn arbitrary_json_never_panics(value in json()) {
        let bytes = value.to_string().into_bytes();
        for (name, parser) in PARSERS {
            check(name, parser, &bytes)?;
        }
    }

    #[test]
    fn real_requests_with_one_value_replaced_never_panic(
        seed in 0..SEEDS.len(),
        pick in any::<prop::sample::Index>(),
        replacement in json(),
    ) {
        let (dialect, file) = SEEDS[seed];
        let mut value = fixture_json(file);
        let mut all = Vec::new();
        pointers(&value, String::new(), &mut all);
        let pointer = &all[pick.index(all.len())];
        if let Some(slot) = value.pointer_mut(pointer) {
            *slot = replacement;
        }
        let bytes = value.to_string().into_bytes();
        for (name, parser) in PARSERS.iter().filter(|(n, _)| n.starts_with(dialect) || (dialect == "anthropic" && *n == "count_tokens")) {
            check(name, *parser, &bytes)?;
        }
    }
}
