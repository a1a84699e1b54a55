//! Property tests for SSE decoding and chat-stream normalization: no input or chunking makes
//! them panic or hang, and for well-formed streams the way bytes are split across reads never
//! changes what comes out.
// A failed unwrap in a test is a failed test with its location; that is what we want here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use switchboard_core::ProviderError;
use switchboard_providers::openai_compat::stream_from_bytes;
use switchboard_providers::sse::{SseEvent, sse_events};

/// Runs a stream that never waits (its input is in memory) to its end, as debug text.
fn drain<S, T>(stream: S) -> Vec<Result<T, String>>
where
    S: Stream<Item = Result<T, ProviderError>>,
{
    let items: Vec<_> = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime")
        .block_on(stream.collect());
    items
        .into_iter()
        .map(|r| r.map_err(|e| format!("{e:?}")))
        .collect()
}

/// `bytes` split at `cuts` (taken modulo the length, so any numbers do).
fn chunked(bytes: &[u8], cuts: &[usize]) -> Vec<Result<Bytes, ProviderError>> {
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    points.sort_unstable();
    points.dedup();
    let mut chunks = Vec::new();
    let mut start = 0;
    for p in points {
        chunks.push(Ok(Bytes::copy_from_slice(&bytes[start..p])));
        start = p;
    }
    chunks.push(Ok(Bytes::copy_from_slice(&bytes[start..])));
    chunks
}

fn events(chunks: Vec<Result<Bytes, ProviderError>>) -> Vec<Result<SseEvent, String>> {
    drain(sse_events(futures_util::stream::iter(chunks)))
}

fn deltas(chunks: Vec<Result<Bytes, ProviderError>>) -> Vec<Result<String, String>> {
    drain(stream_from_bytes(futures_util::stream::iter(chunks)))
        .into_iter()
        .map(|r| r.map(|d| format!("{d:?}")))
        .collect()
}

/// Bytes that look like a chat stream often enough to reach deep into the parsers: SSE syntax,
/// JSON fragments of chunks, multi-byte characters, and noise.
fn streamish() -> impl Strategy<Value = Vec<u8>> {
    let fragment = prop_oneof![
        Just(b"data: ".to_vec()),
        Just(b"data:".to_vec()),
        Just(b"event: error".to_vec()),
        Just(b": OPENROUTER PROCESSING".to_vec()),
        Just(b"\n".to_vec()),
        Just(b"\n\n".to_vec()),
        Just(b"\r\n".to_vec()),
        Just(b"\r".to_vec()),
        Just(b"[DONE]".to_vec()),
        Just(
            br#"{"id":"gen-1","model":"m","provider":"P","choices":[{"index":0,"delta":{"#.to_vec()
        ),
        Just(br#""content":"hi""#.to_vec()),
        Just(br#""reasoning":"hmm","reasoning_details":[{"type":"reasoning.text"}]"#.to_vec()),
        Just(
            br#""tool_calls":[{"index":0,"id":"c","function":{"name":"f","arguments":"{\""}}]"#
                .to_vec()
        ),
        Just(br#"},"finish_reason":"stop"}]"#.to_vec()),
        Just(br#","usage":{"prompt_tokens":1,"cost":0.5}"#.to_vec()),
        Just(br#","error":{"code":429,"message":"x"}"#.to_vec()),
        Just(br#","error":{"code":"server_error"}"#.to_vec()),
        Just(b"}".to_vec()),
        Just("é😀".as_bytes().to_vec()),
        Just(vec![0xE2, 0x82]),
        Just(vec![0xFF]),
        prop::collection::vec(any::<u8>(), 0..8),
    ];
    prop::collection::vec(fragment, 0..40).prop_map(|parts| parts.concat())
}

/// One well-formed event: an optional name, data lines, and comments before it.
#[derive(Debug, Clone)]
struct Event {
    name: Option<String>,
    data: Vec<String>,
    comments: Vec<String>,
}

/// Text for a field value: no CR or LF, any other character (including multi-byte ones), and
/// not starting with a space (the one space after the colon is the separator).
fn field_text() -> impl Strategy<Value = String> {
    "[^\r\n ][^\r\n]{0,40}|"
}

fn event() -> impl Strategy<Value = Event> {
    (
        prop::option::of(
            "[a-z_]{1,12}".prop_filter("\"message\" is the default name", |n| n != "message"),
        ),
        prop::collection::vec(field_text(), 1..4),
        prop::collection::vec("[^\r\n]{0,20}", 0..3),
    )
        .prop_map(|(name, data, comments)| Event {
            name,
            data,
            comments,
        })
}

fn encode(events: &[Event], crlf: bool) -> Vec<u8> {
    let eol = if crlf { "\r\n" } else { "\n" };
    let mut out = String::new();
    for e in events {
        for c in &e.comments {
            out.push_str(&format!(":{c}{eol}"));
        }
        if let Some(name) = &e.name {
            out.push_str(&format!("event: {name}{eol}"));
        }
        for d in &e.data {
            out.push_str(&format!("data: {d}{eol}"));
        }
        out.push_str(eol);
    }
    out.into_bytes()
}

proptest! {
    // Failures found once are replayed first on every run; the file sits beside this one.
    #![proptest_config(ProptestConfig {
        cases: 512,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(
            "tests/sse_props/proptest-regressions.txt"
        ))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn sse_decoding_never_panics_on_arbitrary_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..2048),
        cuts in prop::collection::vec(any::<usize>(), 0..32),
    ) {
        let got = events(chunked(&bytes, &cuts));
        prop_assert!(got.iter().filter(|e| e.is_err()).count() <= 1, "at most one error: {got:?}");
        prop_assert!(got.iter().position(Result::is_err).is_none_or(|i| i == got.len() - 1), "an error is last");
    }

    #[test]
    fn normalizing_never_panics_on_arbitrary_bytes(
        bytes in prop::collection::vec(any::<u8>(), 0..2048),
        cuts in prop::collection::vec(any::<usize>(), 0..32),
    ) {
        let got = deltas(chunked(&bytes, &cuts));
        prop_assert!(got.iter().filter(|e| e.is_err()).count() <= 1, "at most one error: {got:?}");
    }

    #[test]
    fn normalizing_never_panics_on_stream_like_bytes(
        bytes in streamish(),
        cuts in prop::collection::vec(any::<usize>(), 0..32),
    ) {
        let got = deltas(chunked(&bytes, &cuts));
        prop_assert!(got.iter().filter(|e| e.is_err()).count() <= 1, "at most one error: {got:?}");
        prop_assert!(got.iter().position(Result::is_err).is_none_or(|i| i == got.len() - 1), "an error is last: {got:?}");
    }

    #[test]
    fn any_chunking_of_stream_like_bytes_gives_the_same_deltas(
        bytes in streamish(),
        cuts in prop::collection::vec(any::<usize>(), 0..32),
    ) {
        let whole = deltas(vec![Ok(Bytes::from(bytes.clone()))]);
        prop_assert_eq!(deltas(chunked(&bytes, &cuts)), whole);
    }

    #[test]
    fn any_chunking_of_valid_events_gives_the_events(
        evs in prop::collection::vec(event(), 0..12),
        crlf in any::<bool>(),
        cuts in prop::collection::vec(any::<usize>(), 0..48),
    ) {
        let bytes = encode(&evs, crlf);
        let expected: Vec<Result<SseEvent, String>> = evs
            .iter()
            .map(|e| Ok(SseEvent { event: e.name.clone().unwrap_or_default(), data: e.data.join("\n") }))
            .collect();
        prop_assert_eq!(events(vec![Ok(Bytes::from(bytes.clone()))]), expected.clone(), "one read");
        prop_assert_eq!(events(chunked(&bytes, &cuts)), expected, "any reads");
    }
}
