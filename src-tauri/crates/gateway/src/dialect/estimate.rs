//! A prompt's size in tokens, estimated before anything is sent: for Anthropic's
//! `count_tokens` endpoint and for the input tokens `message_start` must report before the
//! upstream has said.
//!
//! The method, and why not a tokenizer: Claude's tokenizer is not public, and the requests this
//! serves reach many model families, so any local count is an estimate. tiktoken (which the
//! engine's composer prediction uses for OpenAI models) would load a BPE table of about 200,000
//! entries into a server meant to stay under 50 MB resident, for a figure that is no more exact
//! for most of those models. So: ASCII text at four bytes per token (the usual English and code ratio);
//! every other character as one token (right for CJK and emoji, high for accented Latin, which
//! errs on the side clients use the count for: deciding when a context is full); a few tokens
//! of framing per message; each image at Anthropic's ceiling for a resized image; tool
//! definitions as their JSON text plus the tool-use preamble Anthropic adds.

use switchboard_core::{ChatRequest, Message, Part};

/// Framing per message (role and separators), as in OpenAI's published counting recipe.
const PER_MESSAGE: u64 = 4;
/// What every reply is primed with.
const PER_REPLY: u64 = 3;
/// An image of unknown size: Anthropic bills about (width × height) / 750 tokens and resizes
/// past 1.15 megapixels, so about 1,600 at most.
const PER_IMAGE: u64 = 1_600;
/// The system prompt Anthropic adds when tools are present (346 tokens for current models).
const TOOL_PREAMBLE: u64 = 346;

/// The estimated prompt tokens of `request`: messages, tools and their framing.
pub fn prompt_tokens(request: &ChatRequest) -> u64 {
    let mut tokens = PER_REPLY;
    for message in &request.messages {
        tokens = tokens.saturating_add(message_tokens(message));
    }
    if !request.tools.is_empty() {
        tokens = tokens.saturating_add(TOOL_PREAMBLE);
        for tool in &request.tools {
            tokens = tokens
                .saturating_add(text_tokens(&tool.name))
                .saturating_add(tool.description.as_deref().map_or(0, text_tokens))
                .saturating_add(text_tokens(&tool.parameters.to_string()));
        }
    }
    tokens
}

fn message_tokens(message: &Message) -> u64 {
    let mut tokens = PER_MESSAGE;
    for part in &message.parts {
        tokens = tokens.saturating_add(match part {
            Part::Text { text } => text_tokens(text),
            Part::Image { .. } => PER_IMAGE,
        });
    }
    for call in &message.tool_calls {
        tokens = tokens
            .saturating_add(text_tokens(&call.name))
            .saturating_add(text_tokens(&call.arguments));
    }
    tokens
}

/// Tokens in `text`: ASCII bytes / 4 (rounded up) plus one per other character.
fn text_tokens(text: &str) -> u64 {
    let ascii = text.bytes().filter(u8::is_ascii).count() as u64;
    let other = text.chars().filter(|c| !c.is_ascii()).count() as u64;
    ascii.div_ceil(4).saturating_add(other)
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use switchboard_core::{Role, ToolSpec};

    use super::*;

    #[test]
    fn text_is_four_ascii_bytes_per_token_and_one_per_other_character() {
        assert_eq!(text_tokens("Hello, world!"), 4, "13 bytes");
        assert_eq!(text_tokens("日本語"), 3, "one per CJK character");
        assert_eq!(text_tokens(""), 0);
    }

    #[test]
    fn framing_images_and_tools_count() {
        let mut request = ChatRequest::new("m", vec![Message::text(Role::User, "Hello, world!")]);
        assert_eq!(prompt_tokens(&request), 3 + 4 + 4);
        request.messages[0].parts.push(Part::Image {
            url: "data:image/png;base64,AAAA".into(),
        });
        assert_eq!(prompt_tokens(&request), 3 + 4 + 4 + 1_600);
        request.tools.push(ToolSpec {
            name: "f".into(),
            description: None,
            parameters: json!({}),
        });
        assert_eq!(
            prompt_tokens(&request),
            3 + 4 + 4 + 1_600 + 346 + 1 + 1,
            "the preamble, the name and `{{}}`"
        );
    }
}
