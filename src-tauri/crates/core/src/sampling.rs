//! The sampling parameters sent with a model call, one type wherever they are set: a Chat
//! column, an agent spec, a routing rule's `set`.
//!
//! They are snake_case everywhere, on IPC too, because these are the names the providers' wire
//! formats use and what users write in agent specs and routing TOML (see
//! `docs/conventions.md`).

use serde::{Deserialize, Deserializer, Serialize};

use crate::chat::ReasoningEffort;

/// Sampling parameters; each unset one is left to the provider's default.
///
/// Unknown fields are refused so that a typo in a routing rule (`max_token`) is an error rather
/// than a silently ignored setting. That still holds inside `ModelParams`, which flattens this
/// type: a flattened struct is only shown the fields it names.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default)]
pub struct SamplingParams {
    /// Sampling temperature.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
    /// The most tokens to generate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    /// Reasoning effort, for models that support it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reasoning_effort: Option<ReasoningEffort>,
}

// Reading also accepts the camelCase names Chat columns were stored (and exported) with before
// these became snake_case. That is done here rather than with `#[serde(alias)]` on the type
// itself because specta would put the old names into the generated TypeScript, and the UI must
// see one casing.
impl<'de> Deserialize<'de> for SamplingParams {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Default, Deserialize)]
        #[serde(default, deny_unknown_fields, rename = "SamplingParams")]
        struct Accepted {
            temperature: Option<f32>,
            #[serde(alias = "maxTokens")]
            max_tokens: Option<u32>,
            #[serde(alias = "reasoningEffort")]
            reasoning_effort: Option<ReasoningEffort>,
        }
        let Accepted {
            temperature,
            max_tokens,
            reasoning_effort,
        } = Accepted::deserialize(deserializer)?;
        Ok(Self {
            temperature,
            max_tokens,
            reasoning_effort,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::ModelParams;

    #[test]
    fn reads_and_writes_snake_case() {
        let params: SamplingParams = serde_json::from_str(
            r#"{"temperature":0.5,"max_tokens":200,"reasoning_effort":"high"}"#,
        )
        .unwrap();
        let want = SamplingParams {
            temperature: Some(0.5),
            max_tokens: Some(200),
            reasoning_effort: Some(ReasoningEffort::High),
        };
        assert_eq!(params, want);
        assert_eq!(
            serde_json::to_string(&want).unwrap(),
            r#"{"temperature":0.5,"max_tokens":200,"reasoning_effort":"high"}"#
        );
        assert_eq!(
            serde_json::to_string(&SamplingParams::default()).unwrap(),
            "{}"
        );
    }

    #[test]
    fn refuses_an_unknown_field() {
        let typo = serde_json::from_str::<SamplingParams>(r#"{"max_token":200}"#);
        assert!(
            typo.is_err(),
            "a misspelt parameter is an error, not ignored"
        );
    }

    #[test]
    fn model_params_read_a_column_stored_in_camel_case() {
        let old = r#"{"temperature":0.7,"maxTokens":300,"reasoningEffort":"low","system":"Be brief.","route":"code"}"#;
        let params: ModelParams = serde_json::from_str(old).unwrap();
        assert_eq!(params.sampling.temperature, Some(0.7));
        assert_eq!(params.sampling.max_tokens, Some(300));
        assert_eq!(params.sampling.reasoning_effort, Some(ReasoningEffort::Low));
        assert_eq!(params.system.as_deref(), Some("Be brief."));
        assert_eq!(params.route.as_deref(), Some("code"));
    }

    #[test]
    fn model_params_flatten_the_sampling_part_in_snake_case() {
        let params = ModelParams {
            sampling: SamplingParams {
                temperature: Some(0.25),
                max_tokens: Some(64),
                reasoning_effort: None,
            },
            system: Some("Hi.".into()),
            ..ModelParams::default()
        };
        let json = serde_json::to_string(&params).unwrap();
        assert_eq!(
            json,
            r#"{"temperature":0.25,"max_tokens":64,"system":"Hi."}"#
        );
        assert_eq!(serde_json::from_str::<ModelParams>(&json).unwrap(), params);
        // Stored columns always carried the column-only fields; nulls still read.
        let nulls = r#"{"temperature":null,"maxTokens":null,"reasoningEffort":null,"system":null}"#;
        assert_eq!(
            serde_json::from_str::<ModelParams>(nulls).unwrap(),
            ModelParams::default()
        );
    }
}
