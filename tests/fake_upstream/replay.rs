//! Replay of the ai-sdk recordings: SSE bodies rebuilt byte for byte (checked against an
//! independent rebuild written here), non-stream bodies verbatim with status and headers.

use std::time::{Duration, Instant};

use serde_json::Value;
use switchboard_tests::fake_upstream::{ai_sdk_dir, ai_sdk_fixture_ids, load_ai_sdk_sse};
use switchboard_tests::{FakeUpstream, Reply};

use crate::{Api, KEY, chat, read_all, read_chunks, sse_events, sse_json};

fn sse_fixture_ids() -> Vec<String> {
    ai_sdk_fixture_ids()
        .into_iter()
        .filter(|id| ai_sdk_dir(id).join("response.jsonl").is_file())
        .collect()
}

fn json_fixture_ids() -> Vec<String> {
    ai_sdk_fixture_ids()
        .into_iter()
        .filter(|id| ai_sdk_dir(id).join("response.json").is_file())
        .collect()
}

fn jsonl(id: &str) -> String {
    std::fs::read_to_string(ai_sdk_dir(id).join("response.jsonl")).unwrap()
}

/// The recorded text of each `json` record (the line minus `{"json":` and `}`).
fn json_records(id: &str) -> Vec<String> {
    jsonl(id)
        .lines()
        .filter_map(|l| l.strip_prefix("{\"json\":")?.strip_suffix('}'))
        .map(str::to_owned)
        .collect()
}

/// The body rebuilt from a `response.jsonl` a second, simpler way: the whole text at once,
/// split events glued back, and the two known recorder artifacts fixed by name (so a new
/// artifact, or a repair the fake makes that it should not, fails here).
fn rebuild_independently(id: &str) -> Vec<u8> {
    let mut out = String::new();
    let mut open = false;
    for line in jsonl(id).lines().filter(|l| !l.trim().is_empty()) {
        let record: Value = serde_json::from_str(line).unwrap();
        if let Some(raw) = line
            .strip_prefix("{\"json\":")
            .and_then(|r| r.strip_suffix('}'))
        {
            if std::mem::take(&mut open) {
                out.push_str("\n\n");
            }
            out.push_str(&format!("data: {raw}\n\n"));
        } else if let Some(c) = record.get("comment").and_then(Value::as_str) {
            out.push_str(c);
            open = open && !c.ends_with("\n\n");
        } else if let Some(t) = record.get("text").and_then(Value::as_str) {
            if t == "[DONE]" {
                if std::mem::take(&mut open) {
                    out.push_str("\n\n");
                }
                out.push_str("data: [DONE]\n\n");
            } else {
                if !open {
                    out.push_str("data: ");
                }
                out.push_str(t);
                open = !t.ends_with("\n\n");
            }
        }
    }
    if open {
        out.push_str("\n\n");
    }
    let mut fixed = String::new();
    for block in out.split_inclusive("\n\n") {
        let Some(data) = block
            .strip_prefix("data: ")
            .and_then(|b| b.strip_suffix("\n\n"))
        else {
            fixed.push_str(block);
            continue;
        };
        if data == "[DONE]" || serde_json::from_str::<Value>(data).is_ok() {
            fixed.push_str(block);
            continue;
        }
        let repaired = match id {
            // The recorder kept only the head of a huge annotations event; the next event's
            // pieces (the last ended up filed as a comment) follow it.
            "5V2m0ZjBVln" => Some(data[data.rfind("{\"id\":").unwrap()..].to_owned()),
            // Only the truncated head of the annotations event survives: dropped.
            "SQdqVfHTM78" => None,
            other => panic!("{other} has an event whose data is not JSON: {data:.200}"),
        };
        if let Some(repaired) = repaired {
            serde_json::from_str::<Value>(&repaired).unwrap();
            fixed.push_str(&format!("data: {repaired}\n\n"));
        }
    }
    fixed.into_bytes()
}

#[test]
fn the_fixtures_are_there() {
    assert_eq!(ai_sdk_fixture_ids().len(), 28);
    assert_eq!(sse_fixture_ids().len(), 12);
    assert_eq!(json_fixture_ids().len(), 16);
}

#[test]
fn every_sse_fixture_rebuilds_to_valid_sse_and_every_json_record_round_trips() {
    for id in sse_fixture_ids() {
        let replay = load_ai_sdk_sse(&id).unwrap();
        let body: Vec<u8> = replay.chunks.iter().flat_map(|c| c.bytes.clone()).collect();
        assert_eq!(body, rebuild_independently(&id), "{id}");
        let events = sse_events(&body);
        assert_eq!(events.last().map(|e| e.1.as_str()), Some("[DONE]"), "{id}");
        let values = sse_json(&body);
        let records = json_records(&id);
        let mut next = values.iter();
        for raw in &records {
            let record: Value = serde_json::from_str(raw).unwrap();
            assert!(
                next.any(|v| *v == record),
                "{id}: json record missing or out of order"
            );
            assert!(
                String::from_utf8_lossy(&body).contains(&format!("data: {raw}\n\n")),
                "{id}: a json record is not replayed with its recorded text"
            );
        }
        let expected_repairs = match id.as_str() {
            "5V2m0ZjBVln" | "SQdqVfHTM78" => 1,
            _ => 0,
        };
        assert_eq!(
            replay.repairs.len(),
            expected_repairs,
            "{id}: {:?}",
            replay.repairs
        );
    }
}

#[test]
fn a_split_event_stays_split_into_its_recorded_pieces() {
    let chunks = FakeUpstream::fixture_sse_bytes("i2VRzTzhjbW");
    let head = chunks
        .iter()
        .position(|c| c.starts_with(b"data: {") && !c.ends_with(b"\n\n"))
        .expect("the first piece of the split event");
    assert!(chunks[head].ends_with(b"\"model\":\"anthrop"));
    let tail = &chunks[head + 1];
    assert!(tail.starts_with(b"ic/claude-3.5-sonnet") && tail.ends_with(b"}]}\n\n"));
    let event = [chunks[head].as_slice(), tail].concat();
    let data = std::str::from_utf8(&event[6..event.len() - 2]).unwrap();
    let value: Value = serde_json::from_str(data).unwrap();
    assert_eq!(value["model"], "anthropic/claude-3.5-sonnet");

    // The piece the recorder filed as a comment is the end of an event, not a comment.
    let chunks = FakeUpstream::fixture_sse_bytes("5V2m0ZjBVln");
    let piece = chunks
        .iter()
        .position(|c| c.as_slice() == b":null,\"logprobs\":null}]}\n\n")
        .expect("the comment-filed piece");
    assert!(chunks[piece - 1].starts_with(b"data: {\"id\":\"gen-1767763177"));
    let event = [chunks[piece - 1].as_slice(), &chunks[piece]].concat();
    serde_json::from_slice::<Value>(&event[6..event.len() - 2]).unwrap();
}

#[tokio::test]
async fn every_sse_fixture_is_served_byte_for_byte() {
    let fake = FakeUpstream::start(KEY);
    for id in sse_fixture_ids() {
        fake.enqueue(Reply::fixture(&id));
        let resp = chat(&fake, Api::OpenRouter, true).await;
        assert_eq!(resp.status(), 200, "{id}");
        assert_eq!(resp.headers()["content-type"], "text/event-stream", "{id}");
        assert_eq!(resp.headers()["cache-control"], "no-cache", "{id}");
        assert!(resp.headers().get("content-encoding").is_none(), "{id}");
        let body = read_all(resp).await;
        assert_eq!(body, rebuild_independently(&id), "{id}");
        assert_eq!(body, FakeUpstream::fixture_sse_bytes(&id).concat(), "{id}");
    }
    assert_eq!(fake.queued(), 0);
}

#[tokio::test]
async fn the_client_really_receives_the_split_event_in_pieces() {
    let fake = FakeUpstream::start(KEY);
    let chunks = FakeUpstream::fixture_sse_bytes("i2VRzTzhjbW");
    let head = chunks
        .iter()
        .position(|c| c.starts_with(b"data: {") && !c.ends_with(b"\n\n"))
        .unwrap();
    let split_at: usize = chunks[..=head].iter().map(Vec::len).sum();
    fake.enqueue(Reply::fixture("i2VRzTzhjbW"));
    let (received, err) = read_chunks(chat(&fake, Api::OpenRouter, true).await).await;
    assert!(err.is_none());
    // Each written chunk is its own HTTP chunk, and a client never gets two HTTP chunks in
    // one frame, so some frame must end exactly where the event was split.
    let mut end = 0;
    let ends: Vec<usize> = received
        .iter()
        .map(|c| {
            end += c.len();
            end
        })
        .collect();
    assert!(ends.contains(&split_at), "no frame ends at the split");
}

#[tokio::test]
async fn non_stream_fixtures_keep_status_content_type_and_leading_whitespace() {
    let fake = FakeUpstream::start(KEY);
    let mut with_whitespace = 0;
    for id in json_fixture_ids() {
        let dir = ai_sdk_dir(&id);
        let meta: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("response.meta.json")).unwrap())
                .unwrap();
        let recorded = std::fs::read(dir.join("response.json")).unwrap();
        fake.enqueue(Reply::fixture(&id));
        let resp = chat(&fake, Api::OpenRouter, false).await;
        assert_eq!(u64::from(resp.status().as_u16()), meta["status"], "{id}");
        assert_eq!(
            resp.headers()["content-type"],
            meta["headers"]["content-type"].as_str().unwrap()
        );
        assert_eq!(resp.headers()["x-content-type-options"], "nosniff", "{id}");
        assert!(
            resp.headers().get("content-encoding").is_none(),
            "decoded body: {id}"
        );
        let body = read_all(resp).await;
        assert_eq!(body, recorded, "{id}");
        if body.first().is_some_and(u8::is_ascii_whitespace) {
            with_whitespace += 1;
        }
    }
    assert_eq!(
        with_whitespace, 8,
        "every recorded 200 starts with whitespace"
    );
}

#[tokio::test]
async fn replay_timing_is_honoured_only_when_asked() {
    let fake = FakeUpstream::start(KEY);
    // WxMod1TWsXr spans 531 ms of recorded delays.
    fake.enqueue(Reply::fixture("WxMod1TWsXr"));
    let start = Instant::now();
    let fast = read_all(chat(&fake, Api::OpenRouter, true).await).await;
    let untimed = start.elapsed();

    fake.enqueue(Reply::fixture("WxMod1TWsXr").timed());
    let start = Instant::now();
    let slow = read_all(chat(&fake, Api::OpenRouter, true).await).await;
    let timed = start.elapsed();
    assert_eq!(fast, slow);
    assert!(
        timed >= Duration::from_millis(450),
        "timed replay took {timed:?}"
    );
    assert!(untimed < timed, "untimed {untimed:?} vs timed {timed:?}");

    let fake = fake.with_replay_timing(true);
    fake.enqueue(Reply::fixture("WxMod1TWsXr"));
    let start = Instant::now();
    read_all(chat(&fake, Api::OpenRouter, true).await).await;
    assert!(start.elapsed() >= Duration::from_millis(450));
}

#[tokio::test]
async fn a_missing_fixture_is_a_500_that_names_it() {
    let fake = FakeUpstream::start(KEY);
    fake.enqueue(Reply::fixture("no-such-recording"));
    let resp = chat(&fake, Api::OpenRouter, true).await;
    assert_eq!(resp.status(), 500);
    let body: Value = resp.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("no-such-recording"), "{message}");
}
