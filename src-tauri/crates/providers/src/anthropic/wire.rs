//! Anthropic's wire shapes, as far as the adapter reads them.
//!
//! Every field the adapter can do without is optional and every enum has a catch-all, because
//! Anthropic adds block, delta and event types under the same API version and an answer must
//! not fail over a field we never use.

use serde::Deserialize;
use serde_json::Value;
use switchboard_core::Usage;

/// One event's data. The `event:` name equals `type`, so only the data is read.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum WireEvent {
    MessageStart {
        message: WireMessage,
    },
    ContentBlockStart {
        index: u64,
        content_block: WireBlock,
    },
    ContentBlockDelta {
        index: u64,
        delta: WireDelta,
    },
    ContentBlockStop {
        index: u64,
    },
    MessageDelta {
        delta: Option<WireMessageDelta>,
        usage: Option<WireUsage>,
    },
    MessageStop,
    Ping,
    Error,
    /// Anthropic may add event types; unknown ones are skipped, as its versioning policy asks.
    #[serde(other)]
    Unknown,
}

/// A message: the body of a non-streaming answer, or `message_start`'s `message`.
#[derive(Deserialize)]
pub(super) struct WireMessage {
    pub(super) id: Option<String>,
    pub(super) model: Option<String>,
    #[serde(default)]
    pub(super) content: Vec<WireBlock>,
    pub(super) stop_reason: Option<String>,
    pub(super) usage: Option<WireUsage>,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum WireBlock {
    Text {
        #[serde(default)]
        text: String,
    },
    Thinking {
        #[serde(default)]
        thinking: String,
        #[serde(default)]
        signature: String,
    },
    RedactedThinking {
        #[serde(default)]
        data: String,
    },
    ToolUse {
        id: String,
        name: String,
        #[serde(default)]
        input: Value,
    },
    /// Server tools, citations and future block types: nothing we show or replay.
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(super) enum WireDelta {
    TextDelta {
        #[serde(default)]
        text: String,
    },
    ThinkingDelta {
        #[serde(default)]
        thinking: String,
    },
    SignatureDelta {
        #[serde(default)]
        signature: String,
    },
    InputJsonDelta {
        #[serde(default)]
        partial_json: String,
    },
    #[serde(other)]
    Other,
}

#[derive(Deserialize)]
pub(super) struct WireMessageDelta {
    pub(super) stop_reason: Option<String>,
}

/// Anthropic's usage counters; each event may carry any subset, and later values replace
/// earlier ones (`output_tokens` is cumulative).
#[derive(Deserialize, Default, Clone)]
pub(super) struct WireUsage {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    cache_read_input_tokens: Option<u64>,
    cache_creation_input_tokens: Option<u64>,
}

impl WireUsage {
    pub(super) fn merge(&mut self, newer: &Self) {
        self.input_tokens = newer.input_tokens.or(self.input_tokens);
        self.output_tokens = newer.output_tokens.or(self.output_tokens);
        self.cache_read_input_tokens = newer
            .cache_read_input_tokens
            .or(self.cache_read_input_tokens);
        self.cache_creation_input_tokens = newer
            .cache_creation_input_tokens
            .or(self.cache_creation_input_tokens);
    }

    /// Core usage: Anthropic's `input_tokens` excludes cache reads and writes, core's
    /// `prompt_tokens` includes them.
    pub(super) fn to_usage(&self) -> Usage {
        let cached = self.cache_read_input_tokens.unwrap_or(0);
        let written = self.cache_creation_input_tokens.unwrap_or(0);
        Usage {
            prompt_tokens: self
                .input_tokens
                .unwrap_or(0)
                .saturating_add(cached)
                .saturating_add(written),
            completion_tokens: self.output_tokens.unwrap_or(0),
            cached_tokens: cached,
            cache_write_tokens: written,
            reasoning_tokens: 0,
            cost: None,
            is_byok: false,
            upstream_cost: None,
        }
    }
}
