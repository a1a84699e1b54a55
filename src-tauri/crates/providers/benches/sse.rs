//! Throughput of SSE decoding and chat-stream normalization on real recorded OpenRouter events,
//! repeated into a body of about 8 MB: MB/s for `sse_events` alone and for `stream_from_bytes`,
//! and the cost per delta. Then one single event of 16 MiB (a base64 image or a huge tool call)
//! in 16 KiB reads, the case that used to be quadratic (reliability finding D9: a minute of CPU
//! for 16 MiB in release). `cargo bench -p switchboard-providers --bench sse` prints the
//! figures; run without `--bench` (as `cargo test --all-targets` does) it only smoke-tests.
// A benchmark's job is to print its figures.
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures_util::StreamExt;
use switchboard_core::ProviderError;
use switchboard_providers::openai_compat::stream_from_bytes;
use switchboard_providers::sse::sse_events;

/// Recordings whose content events make up the body: plain text, reasoning with signed
/// details, and web-search text.
const SOURCES: [&str; 3] = ["7DnrB604rYW", "JlkjtO2qFKO", "S4i9XXTSsd1"];

/// The body's size when benchmarking, and when only smoke-testing.
const TARGET_BYTES: usize = 8 * 1024 * 1024;
const SMOKE_BYTES: usize = 256 * 1024;

/// The one big event's size when benchmarking, and when only smoke-testing.
const HUGE_EVENT_BYTES: usize = 16 * 1024 * 1024;
const SMOKE_HUGE_EVENT_BYTES: usize = 1024 * 1024;

/// One content chunk whose text makes its `data:` line `size` bytes long, then `[DONE]`.
fn huge_event(size: usize) -> Vec<u8> {
    let head = br#"data: {"choices":[{"index":0,"delta":{"content":""#;
    let tail = b"\"},\"finish_reason\":\"stop\"}]}\n\n";
    let mut body = head.to_vec();
    body.resize(size.saturating_sub(tail.len()), b'x');
    body.extend_from_slice(tail);
    body.extend_from_slice(b"data: [DONE]\n\n");
    body
}

fn fixture(id: &str) -> String {
    let path = format!(
        "{}/../../../tests/fixtures/openrouter/ai-sdk/{id}/response.jsonl",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// The `data:` events of a recording exactly as recorded, split into content events and the
/// closing ones (finish, usage).
fn events(id: &str) -> (Vec<String>, Vec<String>) {
    let mut content = Vec::new();
    let mut closing = Vec::new();
    for line in fixture(id).lines() {
        let Some(raw) = line
            .strip_prefix(r#"{"json":"#)
            .and_then(|r| r.strip_suffix('}'))
        else {
            continue;
        };
        let event = format!("data: {raw}\n\n");
        if raw.contains(r#""usage":{"#) || !raw.contains(r#""finish_reason":null"#) {
            closing.push(event);
        } else {
            content.push(event);
        }
    }
    (content, closing)
}

/// About 8 MB: keep-alive comments, the content events of all sources repeated, then one
/// recording's closing events and `[DONE]`.
fn body(target: usize) -> Vec<u8> {
    let mut content = Vec::new();
    let mut closing = Vec::new();
    for id in SOURCES {
        let (c, end) = events(id);
        content.extend(c);
        closing = end;
    }
    let mut body = b": OPENROUTER PROCESSING\n\n".repeat(3);
    while body.len() < target {
        for event in &content {
            body.extend_from_slice(event.as_bytes());
        }
    }
    for event in &closing {
        body.extend_from_slice(event.as_bytes());
    }
    body.extend_from_slice(b"data: [DONE]\n\n");
    body
}

fn reads(body: &Bytes, size: usize) -> Vec<Result<Bytes, ProviderError>> {
    (0..body.len())
        .step_by(size)
        .map(|at| Ok(body.slice(at..(at + size).min(body.len()))))
        .collect()
}

/// The fastest of `runs` timings of `work`, and what the last run returned.
fn best<T>(runs: usize, mut work: impl FnMut() -> T) -> (Duration, T) {
    let mut fastest = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let started = Instant::now();
        let out = work();
        fastest = fastest.min(started.elapsed());
        last = Some(out);
    }
    (fastest, last.expect("at least one run"))
}

fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let runs = if benching { 7 } else { 1 };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let body = Bytes::from(body(if benching { TARGET_BYTES } else { SMOKE_BYTES }));
    let megabytes = body.len() as f64 / 1e6;
    println!(
        "SSE body: {:.2} MB of real OpenRouter events (repeated from {})",
        megabytes,
        SOURCES.join(", ")
    );
    for read_size in [16 * 1024, 256 * 1024, body.len()] {
        let label = if read_size == body.len() {
            "one read".to_owned()
        } else {
            format!("{} KiB reads", read_size / 1024)
        };
        let (sse_time, events) = best(runs, || {
            runtime
                .block_on(sse_events(futures_util::stream::iter(reads(&body, read_size))).count())
        });
        let (norm_time, deltas) = best(runs, || {
            runtime.block_on(async {
                let mut stream =
                    stream_from_bytes(futures_util::stream::iter(reads(&body, read_size)));
                let mut count = 0_usize;
                while let Some(item) = stream.next().await {
                    item.expect("the body is a clean answer");
                    count += 1;
                }
                count
            })
        });
        println!(
            "{label:>14}: sse_events {:>7.1} MB/s ({events} events, {:.0} ns/event) | \
             stream_from_bytes {:>7.1} MB/s ({deltas} deltas, {:.0} ns/delta)",
            megabytes / sse_time.as_secs_f64(),
            sse_time.as_nanos() as f64 / events as f64,
            megabytes / norm_time.as_secs_f64(),
            norm_time.as_nanos() as f64 / deltas as f64,
        );
        if read_size == 16 * 1024 {
            // `.ci/bench`'s rows. Our goal (the issues set none): decoding must cost nothing
            // next to a delta's arrival every few ms, so ≤ 2 µs per delta, and at least
            // 100 MB/s of framing.
            println!(
                "BENCH|SSE framing, 16 KiB reads|{:.1}|MB/s|-|>= 100",
                megabytes / sse_time.as_secs_f64()
            );
            println!(
                "BENCH|SSE decode to deltas, per delta|{:.0}|ns|-|<= 2000",
                norm_time.as_nanos() as f64 / deltas as f64
            );
        }
    }
    let huge = Bytes::from(huge_event(if benching {
        HUGE_EVENT_BYTES
    } else {
        SMOKE_HUGE_EVENT_BYTES
    }));
    let huge_mb = huge.len() as f64 / 1e6;
    let (time, events) = best(runs, || {
        runtime.block_on(sse_events(futures_util::stream::iter(reads(&huge, 16 * 1024))).count())
    });
    assert_eq!(events, 2, "the big event and [DONE]");
    let (norm_time, deltas) = best(runs, || {
        runtime.block_on(async {
            let mut stream = stream_from_bytes(futures_util::stream::iter(reads(&huge, 16 * 1024)));
            let mut count = 0_usize;
            while let Some(item) = stream.next().await {
                item.expect("the body is a clean answer");
                count += 1;
            }
            count
        })
    });
    println!(
        "one {:.1} MB event in 16 KiB reads: sse_events {:.3} s ({:>7.1} MB/s) | \
         stream_from_bytes {:.3} s ({deltas} deltas)",
        huge_mb,
        time.as_secs_f64(),
        huge_mb / time.as_secs_f64(),
        norm_time.as_secs_f64(),
    );
}
