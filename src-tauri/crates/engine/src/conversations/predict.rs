//! What the next message will cost in each column, shown in the composer before sending:
//! prompt tokens counted with the model's own tokenizer where one is available offline
//! (OpenAI's, via tiktoken-rs), else estimated at about four characters per token, times the
//! model's input price; and the bound with the whole output allowance.

use switchboard_core::{
    Attachment, BuiltinProvider, ChatRequest, ConversationId, CostPrediction, Part, PredictColumn,
    ProviderId, RoutedTo,
};
use switchboard_store::ContextTurn;

use super::context::build_request;
use crate::{Engine, EngineError};

/// What a chat message costs in tokens beyond its text in OpenAI's chat format (role and
/// separators), and what every reply is primed with; from OpenAI's cookbook.
const PER_MESSAGE: u64 = 4;
const PER_REPLY: u64 = 3;
/// What an image is counted as when its size is unknown here (OpenAI's 512×512 tile at high
/// detail; other providers bill in the same range).
const PER_IMAGE: u64 = 765;
const FALLBACK_OUTPUT: u64 = 4_096;

impl Engine {
    /// Where the router would send the column's next request, when a route or a rule sends
    /// it elsewhere than the column's own model; asked without taking a turn or reserving.
    async fn predicted_target(
        &self,
        spec: &switchboard_core::ColumnSpec,
        conversation: Option<&ConversationId>,
    ) -> Option<RoutedTo> {
        let decision = self
            .routing()
            .explain(switchboard_router::RouteRequest {
                provider: Some(spec.provider.clone()),
                model: Some(spec.model.clone()),
                route: spec.params.route.clone(),
                task: spec.params.task.clone(),
                conversation: conversation.map(ConversationId::to_string),
                ..switchboard_router::RouteRequest::default()
            })
            .await
            .ok()?;
        let target = decision.chosen()?;
        if decision.direct && target.provider == spec.provider && target.model == spec.model {
            return None;
        }
        Some(RoutedTo {
            provider_name: self.routing().provider_name(&target.provider).await,
            provider: target.provider.clone(),
            model: target.model.clone(),
            route: decision.route.clone(),
            rule: decision.rule.clone(),
        })
    }
}

impl crate::Conversations<'_> {
    /// The cost of sending `text` (with `attachments`) next, per column.
    pub async fn predict_costs(
        &self,
        conversation_id: Option<ConversationId>,
        columns: Vec<PredictColumn>,
        text: String,
        attachments: Vec<Attachment>,
    ) -> Result<Vec<CostPrediction>, EngineError> {
        let catalogue = self.router_catalogue().await;
        let mut out = Vec::with_capacity(columns.len());
        for column in columns {
            let mut turns = match (&conversation_id, &column.id) {
                (Some(conv), Some(col)) => {
                    let (conv, col) = (conv.clone(), col.clone());
                    self.blocking(move |inner| Ok(inner.store.displayed_context(&conv, &col)?))
                        .await?
                }
                _ => Vec::new(),
            };
            turns.push(ContextTurn {
                text: text.clone(),
                attachments: attachments.clone(),
                answer: String::new(),
                reasoning_details: None,
            });
            let request = build_request(&column.spec, turns);
            let routed_to = self
                .predicted_target(&column.spec, conversation_id.as_ref())
                .await;
            let (provider, model) = routed_to
                .as_ref()
                .map_or((&column.spec.provider, column.spec.model.as_str()), |t| {
                    (&t.provider, t.model.as_str())
                });
            let (prompt_tokens, counted_with) = count(provider, &request);
            let facts = catalogue.get(provider, model);
            let input_cost = facts
                .and_then(|f| f.prompt_usd)
                .map(|p| p.times(prompt_tokens));
            let max_output_tokens = column
                .spec
                .params
                .sampling
                .max_tokens
                .map(u64::from)
                .or_else(|| facts.and_then(|f| f.max_output))
                .unwrap_or(FALLBACK_OUTPUT);
            let max_cost = match (input_cost, facts.and_then(|f| f.completion_usd)) {
                (Some(input), Some(per_token)) => Some(input + per_token.times(max_output_tokens)),
                _ => None,
            };
            out.push(CostPrediction {
                column_id: column.id,
                prompt_tokens,
                counted_with: counted_with.to_owned(),
                input_cost,
                max_output_tokens: Some(max_output_tokens),
                max_cost,
                routed_to,
            });
        }
        Ok(out)
    }
}

/// Which of OpenAI's encodings a model uses, if it is an OpenAI model.
fn openai_encoding(provider: &ProviderId, model: &str) -> Option<&'static str> {
    let name = match provider.builtin() {
        Some(BuiltinProvider::OpenAi) => model,
        Some(BuiltinProvider::OpenRouter) => model.strip_prefix("openai/")?,
        _ => return None,
    };
    if name.starts_with("gpt-4o")
        || name.starts_with("gpt-4.1")
        || name.starts_with("gpt-4.5")
        || name.starts_with("gpt-5")
        || name.starts_with("chatgpt-4o")
        || name.starts_with("o1")
        || name.starts_with("o3")
        || name.starts_with("o4")
        || name.starts_with("gpt-oss")
    {
        Some("o200k_base")
    } else if name.starts_with("gpt-4") || name.starts_with("gpt-3.5") {
        Some("cl100k_base")
    } else {
        None
    }
}

/// Prompt tokens of `request` and how they were counted.
fn count(provider: &ProviderId, request: &ChatRequest) -> (u64, &'static str) {
    let encoding = openai_encoding(provider, &request.model);
    let bpe = match encoding {
        Some("o200k_base") => Some(tiktoken_rs::o200k_base_singleton()),
        Some(_) => Some(tiktoken_rs::cl100k_base_singleton()),
        None => None,
    };
    let mut tokens = PER_REPLY;
    for message in &request.messages {
        tokens += PER_MESSAGE;
        for part in &message.parts {
            tokens += match part {
                Part::Text { text } => match bpe {
                    Some(bpe) => bpe.encode_ordinary(text).len() as u64,
                    None => (text.len() as u64).div_ceil(4),
                },
                Part::Image { .. } => PER_IMAGE,
            };
        }
    }
    (tokens, encoding.unwrap_or("about 4 characters per token"))
}

#[cfg(test)]
mod tests {
    use switchboard_core::{Message, Role};

    use super::*;

    fn request(model: &str, text: &str) -> ChatRequest {
        ChatRequest::new(model, vec![Message::text(Role::User, text)])
    }

    #[test]
    fn openai_models_are_counted_with_their_own_encoding() {
        let or: ProviderId = "openrouter".parse().unwrap();
        let oa: ProviderId = "openai".parse().unwrap();
        // "Hello, world!" is 4 tokens in both encodings; +4 per message, +3 for the reply.
        assert_eq!(
            count(&or, &request("openai/gpt-4o-mini", "Hello, world!")),
            (11, "o200k_base")
        );
        assert_eq!(
            count(&oa, &request("gpt-4-turbo", "Hello, world!")),
            (11, "cl100k_base")
        );
        let (_, how) = count(&or, &request("anthropic/claude-sonnet-4", "Hello, world!"));
        assert_eq!(how, "about 4 characters per token");
        // 13 bytes → 4 tokens by the heuristic.
        assert_eq!(count(&or, &request("meta/llama", "Hello, world!")).0, 11);
    }

    #[test]
    fn images_count_as_a_tile() {
        let or: ProviderId = "openrouter".parse().unwrap();
        let mut r = request("openai/gpt-4o", "");
        r.messages[0].parts.push(Part::Image {
            url: "data:image/png;base64,AAAA".into(),
        });
        assert_eq!(count(&or, &r).0, 3 + 4 + 765);
    }
}
