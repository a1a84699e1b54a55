//! `GET {base}/models` of an OpenAI-compatible server: which models a custom provider (Ollama,
//! LM Studio, vLLM, llama.cpp, a LiteLLM proxy...) serves, so they can be listed wherever a
//! model is chosen.
//!
//! The envelope is OpenAI's `{"object":"list","data":[{"id","object":"model","created",
//! "owned_by"}]}`. Servers add their own fields; the ones that say how long a prompt may be are
//! read when present: llama.cpp's `meta.n_ctx` (the context it runs with) and `meta.n_ctx_train`
//! (the one the model was trained for), vLLM's `max_model_len`, LM Studio's
//! `loaded_context_length`/`max_context_length`, and the `context_length`/`context_window`
//! other hosts use. llama.cpp's `architecture.input_modalities` says whether a model reads
//! images. Like OpenRouter's catalogue, an entry that does not parse is skipped with a warning
//! rather than losing the whole list; only a body that is no list at all is an error.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use switchboard_core::ProviderError;

use crate::Endpoint;

/// A model list is a small GET: a server that has not answered in this long is down or lost,
/// and the cached list serves meanwhile.
pub const SERVED_MODELS_TIMEOUT: Duration = Duration::from_secs(10);

/// One model an OpenAI-compatible server lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServedModel {
    /// The id to send as `model`.
    pub id: String,
    /// A display name, when the server gives one apart from the id (most do not).
    pub name: Option<String>,
    /// `owned_by`: the organization, namespace or backend (`library`, `vllm`, `llamacpp`).
    pub owned_by: Option<String>,
    /// `created`, Unix seconds.
    pub created: Option<i64>,
    /// The longest prompt plus output the server takes, tokens, when it says.
    pub context_length: Option<u64>,
    /// What it reads (`text`, `image`...), when the server says; empty when it does not.
    pub input_modalities: Vec<String>,
}

/// Parses a `GET /models` body: `{"data": [model…]}` (or a bare array, which some proxies
/// answer). Entries without a string `id` are skipped with a warning; a repeated id is listed
/// once. A body that is neither is a [`ProviderError::Decode`] keeping the start of the body.
pub fn parse_served_models(body: &str) -> Result<Vec<ServedModel>, ProviderError> {
    let parsed: Value =
        serde_json::from_str(body.trim()).map_err(|e| ProviderError::decode(e, body))?;
    let entries = match parsed {
        Value::Array(entries) => entries,
        Value::Object(mut envelope) => match envelope.remove("data") {
            Some(Value::Array(entries)) => entries,
            _ => return Err(ProviderError::decode("no \"data\" list of models", body)),
        },
        _ => return Err(ProviderError::decode("not a list of models", body)),
    };
    let mut models: Vec<ServedModel> = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        match served_model(entry) {
            Some(model) if !models.iter().any(|m| m.id == model.id) => models.push(model),
            Some(_) => {}
            None => tracing::warn!(index, "skipping a model list entry without an id"),
        }
    }
    Ok(models)
}

/// Fetches the models `endpoint` serves ([`SERVED_MODELS_TIMEOUT`]), with its key when it has
/// one. Failures are classified like any call (a refused key is `Auth`, an unreachable server
/// `Network`), and never carry the key.
pub async fn fetch_served_models(
    client: &reqwest::Client,
    endpoint: &Endpoint,
) -> Result<Vec<ServedModel>, ProviderError> {
    let request = endpoint
        .get(client, "models")
        .timeout(SERVED_MODELS_TIMEOUT);
    let response = crate::http::send(endpoint, request).await?;
    let body = response
        .text()
        .await
        .map_err(|e| crate::transport_error(&e))?;
    parse_served_models(&body)
}

fn served_model(entry: &Value) -> Option<ServedModel> {
    let id = entry.get("id")?.as_str()?.trim();
    if id.is_empty() {
        return None;
    }
    let text = |key: &str| {
        entry
            .get(key)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    let name = text("name")
        .or_else(|| text("display_name"))
        .filter(|n| n != id);
    let input_modalities = entry
        .pointer("/architecture/input_modalities")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Some(ServedModel {
        id: id.to_owned(),
        name,
        owned_by: text("owned_by"),
        created: entry.get("created").and_then(Value::as_i64),
        context_length: context_length(entry),
        input_modalities,
    })
}

/// Where servers put the context window, most telling first: what the server runs with, then
/// what it could run with, then what the model was trained for.
const CONTEXT_FIELDS: [&str; 8] = [
    "/meta/n_ctx",
    "/max_model_len",
    "/loaded_context_length",
    "/context_length",
    "/context_window",
    "/max_context_length",
    "/max_input_tokens",
    "/meta/n_ctx_train",
];

fn context_length(entry: &Value) -> Option<u64> {
    CONTEXT_FIELDS
        .iter()
        .filter_map(|path| entry.pointer(path))
        .find_map(|v| {
            v.as_u64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
        })
        .filter(|n| *n > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../tests/fixtures/openai_compat_models")
            .join(name);
        std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("fixture {} is in the repository: {e}", path.display()))
    }

    fn ids(models: &[ServedModel]) -> Vec<&str> {
        models.iter().map(|m| m.id.as_str()).collect()
    }

    #[test]
    fn llama_cpp_gives_its_training_context_and_input_modalities() {
        let models = parse_served_models(&fixture("llamacpp.json")).unwrap();
        assert_eq!(
            models,
            [ServedModel {
                id: "../models/Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf".into(),
                name: None,
                owned_by: Some("llamacpp".into()),
                created: Some(1_735_142_223),
                context_length: Some(131_072),
                input_modalities: vec!["text".into()],
            }],
            "the README's example, field by field"
        );
    }

    #[test]
    fn llama_cpp_prefers_the_context_it_runs_with_over_the_trained_one() {
        let body = r#"{"object":"list","data":[{"id":"gemma","object":"model",
            "meta":{"n_ctx":16384,"n_ctx_train":131072}}]}"#;
        let models = parse_served_models(body).unwrap();
        assert_eq!(
            models[0].context_length,
            Some(16_384),
            "a prompt past --ctx-size fails even though the model was trained for more"
        );
        let loading = r#"{"object":"list","data":[{"id":"gemma","meta":null}]}"#;
        assert_eq!(
            parse_served_models(loading).unwrap()[0].context_length,
            None,
            "meta is null while the model loads"
        );
    }

    #[test]
    fn vllm_gives_max_model_len_and_an_adapter_without_one_is_unknown() {
        let models = parse_served_models(&fixture("vllm.json")).unwrap();
        assert_eq!(ids(&models), ["Qwen/Qwen2.5-7B-Instruct", "qwen-lora-sql"]);
        assert_eq!(models[0].context_length, Some(32_768));
        assert_eq!(models[0].owned_by.as_deref(), Some("vllm"));
        assert_eq!(
            models[1].context_length, None,
            "null is unknown, never zero"
        );
    }

    #[test]
    fn ollama_lm_studio_and_litellm_list_ids_without_context() {
        let ollama = parse_served_models(&fixture("ollama.json")).unwrap();
        assert_eq!(
            ids(&ollama),
            [
                "llama3.2:latest",
                "qwen2.5-coder:7b",
                "hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M"
            ]
        );
        assert_eq!(ollama[0].created, Some(1_731_878_400));
        assert_eq!(ollama[0].owned_by.as_deref(), Some("library"));

        let lm_studio = parse_served_models(&fixture("lmstudio.json")).unwrap();
        assert_eq!(lm_studio.len(), 2, "data before object reads the same");
        assert_eq!(lm_studio[0].created, None, "LM Studio sends no created");

        let litellm = parse_served_models(&fixture("litellm.json")).unwrap();
        assert_eq!(
            ids(&litellm),
            ["gpt-4o-mini", "claude-3-5-sonnet", "local-llama"]
        );
        for m in ollama.iter().chain(&lm_studio).chain(&litellm) {
            assert_eq!(m.context_length, None, "{} says no context", m.id);
            assert!(m.input_modalities.is_empty(), "{} says no modalities", m.id);
        }
    }

    #[test]
    fn other_hosts_context_fields_and_display_names_are_read() {
        let body = r#"{"data":[
            {"id":"a","context_length":8192,"display_name":"Model A"},
            {"id":"b","context_window":"131072","name":"b"},
            {"id":"c","max_context_length":4096,"loaded_context_length":2048},
            {"id":"d","max_input_tokens":200000}
        ]}"#;
        let models = parse_served_models(body).unwrap();
        let context: Vec<Option<u64>> = models.iter().map(|m| m.context_length).collect();
        assert_eq!(
            context,
            [Some(8_192), Some(131_072), Some(2_048), Some(200_000)],
            "a loaded LM Studio model runs with its loaded context"
        );
        assert_eq!(models[0].name.as_deref(), Some("Model A"));
        assert_eq!(models[1].name, None, "a name equal to the id adds nothing");
    }

    #[test]
    fn bad_entries_are_skipped_and_repeats_listed_once() {
        let body = r#"{"object":"list","data":[
            {"id":"good","created":"yesterday","context_length":-5},
            {"object":"model"},
            {"id":""},
            {"id":42},
            "not an object",
            {"id":"good"},
            {"id":"  spaced  ","context_length":0}
        ]}"#;
        let models = parse_served_models(body).unwrap();
        assert_eq!(ids(&models), ["good", "spaced"]);
        assert_eq!(models[0].created, None, "a created that is no number");
        assert_eq!(models[0].context_length, None, "a negative context");
        assert_eq!(models[1].context_length, None, "a zero context");
    }

    #[test]
    fn a_bare_array_is_read_and_anything_else_is_a_decode_error() {
        assert_eq!(ids(&parse_served_models(r#"[{"id":"x"}]"#).unwrap()), ["x"]);
        assert!(parse_served_models(r#"{"data":[]}"#).unwrap().is_empty());
        for bad in [
            "<html>404</html>",
            r#"{"models":[{"name":"llama3"}]}"#,
            r#"{"data":{"id":"x"}}"#,
            "42",
        ] {
            let err = parse_served_models(bad).unwrap_err();
            assert!(
                matches!(err, ProviderError::Decode { .. }),
                "{bad} is not a model list: {err:?}"
            );
        }
    }

    #[test]
    fn the_cached_form_round_trips() {
        let models = parse_served_models(&fixture("vllm.json")).unwrap();
        let json = serde_json::to_string(&models).unwrap();
        let back: Vec<ServedModel> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, models);
    }
}
