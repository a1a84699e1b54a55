//! What a test scripts the fake to answer: [`Reply`] is the response, [`Scripted`] adds the
//! transport faults that compose with any reply (a slow first byte, a cut connection, replay
//! timing, extra headers).

use std::time::Duration;

/// The response to the next chat request (`POST .../chat/completions` or `.../messages`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Reply {
    /// The default when nothing is queued: a small valid answer in the requested provider's
    /// format (stream or JSON as the request asked) whose text is `Echo: <last user message>`.
    #[default]
    Echo,
    /// Replays ai-sdk recording `tests/fixtures/openrouter/ai-sdk/<id>/`: its status, its
    /// content type and its body (SSE chunks as recorded, or `response.json` verbatim).
    Fixture(String),
    /// `200 text/event-stream` with these chunks, each written separately.
    Sse(Vec<Vec<u8>>),
    /// `application/json` with this status and body, byte for byte.
    Json {
        /// HTTP status.
        status: u16,
        /// The body text, written as-is (leading whitespace and all).
        body: String,
    },
    /// An error status, e.g. 429, 402, 503, or Anthropic's 529.
    Status {
        /// HTTP status.
        status: u16,
        /// Seconds for a `Retry-After` header, if any.
        retry_after: Option<u64>,
        /// The JSON body; `None` gives the requested provider's real error shape for `status`
        /// (OpenRouter `{"error":{"code","message"}}`, OpenAI `{"error":{"message","type",..}}`,
        /// Anthropic `{"type":"error","error":{"type":"overloaded_error",..}}` for 529, etc.).
        body: Option<String>,
    },
    /// A 200 whose data is not JSON: an SSE event with a broken `data:` line when the request
    /// streams, a truncated JSON body otherwise.
    MalformedJson,
    /// `200 text/event-stream` that sends `: OPENROUTER PROCESSING\n\n` about every 100 ms until
    /// the client disconnects (or the fake stops).
    EndlessKeepAlive,
    /// `200 text/event-stream` with these chunks, then keep-alive comments forever: an answer
    /// that is mid-stream for as long as a test needs (to stop it, or to kill the app).
    SseThenStall(Vec<Vec<u8>>),
    /// `200 text/event-stream` with these chunks, one every `every` (honoured with
    /// [`Reply::timed`]): a stream at a known rate, for benchmarks.
    SsePaced {
        /// The chunks.
        chunks: Vec<Vec<u8>>,
        /// The wait before each chunk.
        every: std::time::Duration,
    },
    /// An error `status` whose body, in the requested provider's error shape, repeats the key
    /// the request carried, the way some servers answer a bad key:
    /// `bad key <key>; keys start like <first 12 characters>… and end …<last 10>`. A request
    /// without a key gets `bad key (none)`. For checking that no part of a key leaks into
    /// errors, logs or storage.
    EchoKey {
        /// HTTP status, e.g. 401 or 400.
        status: u16,
    },
    /// A redirect: `status` (301, 302, 303, 307 or 308) with a `Location` header and an empty
    /// body. Point `location` at a second fake to see whether a client follows it, and with
    /// which headers.
    Redirect {
        /// HTTP status.
        status: u16,
        /// The `Location` header, sent as given.
        location: String,
    },
    /// `200 text/event-stream` whose answer text arrives in one single event of about `bytes`
    /// bytes (its `data:` line, in the requested provider's format), written in 64 KiB pieces
    /// with no line end until the event's end; then the usual closing events. For checking that
    /// decoding a huge event stays linear, and that an event over a cap fails clearly.
    HugeEvent {
        /// The size of the one big event, in bytes (at least about 200: the JSON around the
        /// text).
        bytes: usize,
    },
    /// The echo answer (stream or JSON as the request asked), with `usage.cost` set to this
    /// JSON text verbatim: `-1`, `"0.5"` (a string), `1e30`, `null`. Text that is not JSON is
    /// sent as a JSON string. OpenAI-shaped answers get the cost too (only when they carry
    /// usage); Anthropic has no cost field and gets the plain echo.
    UsageCost(String),
    /// `200 text/html; charset=utf-8` with this page, whatever the request asked: what a
    /// captive portal, a login proxy or a base URL pointing at a website answers.
    Html(String),
}

impl Reply {
    /// [`Reply::Fixture`] from anything string-like.
    pub fn fixture(id: impl Into<String>) -> Self {
        Self::Fixture(id.into())
    }

    /// [`Reply::Json`] with the compact serialisation of `body`.
    pub fn json(status: u16, body: &serde_json::Value) -> Self {
        Self::Json {
            status,
            body: body.to_string(),
        }
    }

    /// A two-chunk OpenAI-style stream from `model` answering "ok", generation
    /// `generation_id`, whose usage says 8 prompt and 180 completion tokens cost $0.000274
    /// (the recorded catalogue's `openai/gpt-3.5-turbo` prices): the answer budget tests
    /// count against their limits.
    pub fn costed_sse(generation_id: &str, model: &str) -> Self {
        let chunk = |body: serde_json::Value| format!("data: {body}\n\n");
        let head = serde_json::json!({"id": generation_id, "object": "chat.completion.chunk",
            "model": model, "provider": "OpenAI",
            "choices": [{"index": 0, "delta": {"role": "assistant", "content": "ok"}, "finish_reason": null}]});
        let tail = serde_json::json!({"id": generation_id, "object": "chat.completion.chunk",
            "model": model, "provider": "OpenAI",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 8, "completion_tokens": 180, "total_tokens": 188, "cost": 0.000274}});
        Self::sse_text(&format!("{}{}data: [DONE]\n\n", chunk(head), chunk(tail)))
    }

    /// [`Reply::Sse`] from a whole SSE body: one chunk per event (split after each blank
    /// line), the form a recording converted to text usually comes in.
    pub fn sse_text(body: &str) -> Self {
        let mut chunks = Vec::new();
        let mut rest = body;
        while let Some(end) = rest.find("\n\n") {
            chunks.push(rest.as_bytes()[..end + 2].to_vec());
            rest = &rest[end + 2..];
        }
        if !rest.is_empty() {
            chunks.push(rest.as_bytes().to_vec());
        }
        Self::Sse(chunks)
    }

    /// [`Reply::Status`] with the provider's default error body.
    pub fn status(status: u16) -> Self {
        Self::Status {
            status,
            retry_after: None,
            body: None,
        }
    }

    /// See [`Scripted::slow_first_byte`].
    pub fn slow_first_byte(self, delay: Duration) -> Scripted {
        Scripted::from(self).slow_first_byte(delay)
    }

    /// See [`Scripted::cut_after`].
    pub fn cut_after(self, chunks: usize) -> Scripted {
        Scripted::from(self).cut_after(chunks)
    }

    /// See [`Scripted::timed`].
    pub fn timed(self) -> Scripted {
        Scripted::from(self).timed()
    }

    /// See [`Scripted::header`].
    pub fn header(self, name: &str, value: &str) -> Scripted {
        Scripted::from(self).header(name, value)
    }
}

/// A [`Reply`] plus transport faults; what [`super::FakeUpstream::enqueue`] takes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scripted {
    /// The response.
    pub reply: Reply,
    /// Wait this long before sending the status line and headers.
    pub first_byte_delay: Option<Duration>,
    /// Send this many body chunks, then drop the connection without finishing the body (no
    /// `[DONE]`, no final chunk): the client's body read ends in a transport error. A JSON body
    /// is one chunk, so `cut_after(0)` gives headers and then nothing.
    pub cut_after: Option<usize>,
    /// Honour the recording's `delay_ms` between chunks (see also
    /// [`super::FakeUpstreamBuilder::replay_timing`]).
    pub timed: bool,
    /// Extra response headers.
    pub headers: Vec<(String, String)>,
}

impl From<Reply> for Scripted {
    fn from(reply: Reply) -> Self {
        Self {
            reply,
            ..Self::default()
        }
    }
}

impl Scripted {
    /// Sends the headers only after `delay` (a slow upstream, for first-byte timeouts).
    pub fn slow_first_byte(mut self, delay: Duration) -> Self {
        self.first_byte_delay = Some(delay);
        self
    }

    /// Drops the connection after `chunks` body chunks (see [`Scripted::cut_after`] field).
    pub fn cut_after(mut self, chunks: usize) -> Self {
        self.cut_after = Some(chunks);
        self
    }

    /// Replays with the recorded delays between chunks.
    pub fn timed(mut self) -> Self {
        self.timed = true;
        self
    }

    /// Adds a response header (e.g. `x-ratelimit-remaining-requests`).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }
}
