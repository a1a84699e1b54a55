//! Server-sent events from a byte stream, on top of the `sse-stream` crate, with the limits a
//! provider stream needs.
//!
//! The crate does the framing per the SSE spec (LF, CRLF and CR line endings, comment lines such
//! as `: OPENROUTER PROCESSING` dropped, `event:` names kept for Anthropic, events and lines
//! split across reads reassembled) in time linear in the input: it scans only new bytes for line
//! ends (memchr) and appends a long line's pieces instead of rescanning them. Its predecessor
//! here, `eventsource-stream`, rescanned its whole buffer per read, so one 16 MiB event took a
//! minute of CPU.
//!
//! Around the crate this module adds what it leaves to its callers:
//! - a cap on one event's size ([`StreamLimits::max_event_bytes`]), so a server cannot make us
//!   buffer without bound;
//! - failing at the first invalid UTF-8 byte anywhere (the crate checks only field values, and
//!   only when their line ends), after the events complete before it;
//! - the first-event and idle deadlines ([`StreamLimits`]), where only data events count: a
//!   server that sends nothing but keep-alive comments still times out;
//! - errors mapped into [`ProviderError`], so a broken stream ends like every other failure.

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::{Buf, Bytes};
use futures_util::Stream;
use sse_stream::SseByteStream;
use switchboard_core::{ProviderCall, ProviderError};
use tokio::time::{Instant, Sleep};

use crate::StreamLimits;

/// One event: its name (empty when the server sent none) and its data lines joined by `\n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field; empty for OpenAI and OpenRouter.
    pub event: String,
    /// The `data:` payload.
    pub data: String,
}

/// Decodes `bytes` into events, with the default cap on one event's size
/// ([`StreamLimits::DEFAULT_MAX_EVENT_BYTES`]). A transport error in `bytes` ends the stream
/// with that error; invalid UTF-8 or an event over the cap ends it with a decode error.
pub fn sse_events<S>(bytes: S) -> impl Stream<Item = Result<SseEvent, ProviderError>> + Send
where
    S: Stream<Item = Result<Bytes, ProviderError>> + Send,
{
    sse_events_capped(bytes, StreamLimits::DEFAULT_MAX_EVENT_BYTES)
}

/// [`sse_events`] with a cap of `max_event_bytes` on one event: the bytes read since the last
/// event (its data and any comment or field lines among them) may not exceed it.
pub fn sse_events_capped<S>(
    bytes: S,
    max_event_bytes: usize,
) -> impl Stream<Item = Result<SseEvent, ProviderError>> + Send
where
    S: Stream<Item = Result<Bytes, ProviderError>> + Send,
{
    let since_event = Arc::new(AtomicUsize::new(0));
    let input = Input {
        inner: Box::pin(bytes),
        utf8: Utf8Check::default(),
        failed: None,
        done: false,
        since_event: since_event.clone(),
        max_event_bytes,
    };
    Events {
        decoder: SseByteStream::new(input),
        since_event,
        max_event_bytes,
        done: false,
    }
}

/// The error for an event over the cap.
fn too_large(max_event_bytes: usize) -> ProviderError {
    const MIB: usize = 1024 * 1024;
    let limit = if max_event_bytes >= MIB && max_event_bytes.is_multiple_of(MIB) {
        format!("{} MiB", max_event_bytes / MIB)
    } else {
        format!("{max_event_bytes} bytes")
    };
    ProviderError::decode(
        format!(
            "one event of the stream was larger than {limit}, the most one event may hold, so \
             the answer was stopped there"
        ),
        "",
    )
}

/// The decoder's output: events with data, names normalized, errors mapped; ends after the
/// first error.
struct Events<S: futures_util::TryStream> {
    decoder: SseByteStream<S>,
    since_event: Arc<AtomicUsize>,
    max_event_bytes: usize,
    done: bool,
}

impl<S> Stream for Events<S>
where
    S: Stream<Item = Result<Counted, ProviderError>> + Unpin,
{
    type Item = Result<SseEvent, ProviderError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            let item = match Pin::new(&mut this.decoder).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => {
                    this.done = true;
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(item)) => item,
            };
            this.since_event.store(0, Ordering::Relaxed);
            let sse = match item {
                Ok(sse) => sse,
                Err(err) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(decoder_error(err))));
                }
            };
            // A block with no data line (`event: x`, `id: 5`, `retry: 10`) dispatches nothing,
            // per the SSE spec.
            let Some(data) = sse.data else { continue };
            if data.len() > this.max_event_bytes {
                this.done = true;
                return Poll::Ready(Some(Err(too_large(this.max_event_bytes))));
            }
            // "message" is the browsers' default type: the same as no name.
            let event = sse.event.filter(|e| e != "message").unwrap_or_default();
            return Poll::Ready(Some(Ok(SseEvent { event, data })));
        }
    }
}

fn decoder_error(err: sse_stream::Error) -> ProviderError {
    match err {
        // Our own input errors (transport, UTF-8, size) come back boxed, unchanged.
        sse_stream::Error::Body(boxed) => match boxed.downcast::<ProviderError>() {
            Ok(ours) => *ours,
            Err(other) => ProviderError::decode(format!("the event stream broke: {other}"), ""),
        },
        sse_stream::Error::Utf8Parse(e) => {
            ProviderError::decode(format!("the event stream is not valid UTF-8: {e}"), "")
        }
        other => ProviderError::decode(format!("the event stream is malformed: {other}"), ""),
    }
}

/// A read, counting what the decoder consumes of it into the bytes since the last event (the
/// decoder consumes a read up to each event it finds, and whole when it finds none).
struct Counted {
    bytes: Bytes,
    since_event: Arc<AtomicUsize>,
}

impl Buf for Counted {
    fn remaining(&self) -> usize {
        self.bytes.len()
    }

    fn chunk(&self) -> &[u8] {
        &self.bytes
    }

    fn advance(&mut self, cnt: usize) {
        self.bytes.advance(cnt);
        self.since_event.fetch_add(cnt, Ordering::Relaxed);
    }
}

/// The decoder's input: reads, failing at the first invalid UTF-8 byte, or once more than the
/// cap has been read since the last event; ends after the first error.
struct Input<S> {
    inner: Pin<Box<S>>,
    utf8: Utf8Check,
    /// Set at the first invalid UTF-8 byte: yielded once the valid bytes before it are out, so
    /// the events they complete are not lost.
    failed: Option<ProviderError>,
    done: bool,
    since_event: Arc<AtomicUsize>,
    max_event_bytes: usize,
}

impl<S> Stream for Input<S>
where
    S: Stream<Item = Result<Bytes, ProviderError>>,
{
    type Item = Result<Counted, ProviderError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        // The decoder asks for more only once it has consumed every earlier read, so the count
        // is exact here (up to the last read).
        if this.since_event.load(Ordering::Relaxed) > this.max_event_bytes {
            this.done = true;
            return Poll::Ready(Some(Err(too_large(this.max_event_bytes))));
        }
        if let Some(err) = this.failed.take() {
            this.done = true;
            return Poll::Ready(Some(Err(err)));
        }
        match this.inner.as_mut().poll_next(cx) {
            Poll::Pending => Poll::Pending,
            Poll::Ready(None) => {
                this.done = true;
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(err))) => {
                this.done = true;
                Poll::Ready(Some(Err(err)))
            }
            Poll::Ready(Some(Ok(mut chunk))) => {
                if let Err(valid) = this.utf8.feed(&chunk) {
                    chunk.truncate(valid);
                    this.failed = Some(ProviderError::decode(
                        "the event stream is not valid UTF-8",
                        "",
                    ));
                }
                Poll::Ready(Some(Ok(Counted {
                    bytes: chunk,
                    since_event: this.since_event.clone(),
                })))
            }
        }
    }
}

/// Incremental UTF-8 validation across reads, keeping only an incomplete trailing character.
#[derive(Default)]
struct Utf8Check {
    /// The first bytes of a character whose remaining bytes are in the next read (at most 3).
    pending: Vec<u8>,
}

impl Utf8Check {
    /// Checks the next read; `Err(n)` when it is invalid UTF-8 after its first `n` bytes.
    fn feed(&mut self, chunk: &[u8]) -> Result<(), usize> {
        let mut start = 0;
        if let Some(&lead) = self.pending.first() {
            let width = match lead {
                0xC0..=0xDF => 2,
                0xE0..=0xEF => 3,
                _ => 4,
            };
            let take = (width - self.pending.len()).min(chunk.len());
            self.pending.extend_from_slice(&chunk[..take]);
            start = take;
            // Checked as far as it goes, not only once complete: a byte that cannot continue
            // the character (`E0 00`) fails now, as it does in one read, rather than leaving
            // the character waiting for bytes that would not make it valid anyway.
            match std::str::from_utf8(&self.pending) {
                Ok(_) => self.pending.clear(),
                // Still incomplete: this read was all of it.
                Err(e) if e.error_len().is_none() => return Ok(()),
                Err(_) => return Err(0),
            }
        }
        let tail = &chunk[start..];
        match std::str::from_utf8(tail) {
            Ok(_) => Ok(()),
            // `error_len` is `None` when the input merely stops inside a character.
            Err(e) if e.error_len().is_none() => {
                self.pending.extend_from_slice(&tail[e.valid_up_to()..]);
                Ok(())
            }
            Err(e) => Err(start + e.valid_up_to()),
        }
    }
}

/// A stream that has not produced its first data event by its deadline.
pub(crate) fn first_event_missed(waited: Duration) -> ProviderError {
    ProviderError::Deadline {
        detail: format!(
            "sent no answer within {} s of the request (the first-event timeout)",
            seconds(waited)
        ),
        call: None,
    }
}

/// A stream that went quiet after it had started.
fn idle_missed(waited: Duration) -> ProviderError {
    ProviderError::Deadline {
        detail: format!(
            "sent no answer data for {} s after its last event (the idle timeout; keep-alive \
             comments do not count)",
            seconds(waited)
        ),
        call: None,
    }
}

/// `120`, `0.3`: seconds with at most one decimal, rounded up.
fn seconds(d: Duration) -> String {
    let tenths = d.as_millis().div_ceil(100);
    if tenths.is_multiple_of(10) {
        format!("{}", tenths / 10)
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

/// `events` held to `limits`' deadlines: the first event must come by `first_deadline`, and
/// each later one within the idle timeout of the one before. Expiry ends the stream with a
/// [`ProviderError::Deadline`] naming `call`. Needs a Tokio runtime with time enabled.
pub(crate) fn with_deadlines<S>(
    events: S,
    limits: StreamLimits,
    first_deadline: Instant,
    call: ProviderCall,
) -> impl Stream<Item = Result<SseEvent, ProviderError>> + Send
where
    S: Stream<Item = Result<SseEvent, ProviderError>> + Send,
{
    Deadlines {
        events: Box::pin(events),
        timer: Box::pin(tokio::time::sleep_until(first_deadline)),
        started: false,
        limits,
        call: Some(call),
        done: false,
    }
}

struct Deadlines<S> {
    events: Pin<Box<S>>,
    timer: Pin<Box<Sleep>>,
    /// Whether a data event has arrived (the idle timeout applies from then on).
    started: bool,
    limits: StreamLimits,
    call: Option<ProviderCall>,
    done: bool,
}

impl<S> Stream for Deadlines<S>
where
    S: Stream<Item = Result<SseEvent, ProviderError>>,
{
    type Item = Result<SseEvent, ProviderError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        match this.events.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(event))) => {
                this.started = true;
                let next = Instant::now() + this.limits.idle_timeout;
                this.timer.as_mut().reset(next);
                Poll::Ready(Some(Ok(event)))
            }
            Poll::Ready(other) => {
                this.done = true;
                Poll::Ready(other)
            }
            Poll::Pending => match this.timer.as_mut().poll(cx) {
                Poll::Pending => Poll::Pending,
                Poll::Ready(()) => {
                    this.done = true;
                    let error = if this.started {
                        idle_missed(this.limits.idle_timeout)
                    } else {
                        first_event_missed(this.limits.first_event_timeout)
                    };
                    let error = match this.call.take() {
                        Some(call) => error.with_call(call),
                        None => error,
                    };
                    Poll::Ready(Some(Err(error)))
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use futures_util::StreamExt;

    use super::*;

    #[test]
    fn utf8_is_checked_across_reads() {
        let text = "é€😀".as_bytes();
        for cut in 0..text.len() {
            let mut check = Utf8Check::default();
            assert!(check.feed(&text[..cut]).is_ok(), "first part, cut {cut}");
            assert!(check.feed(&text[cut..]).is_ok(), "second part, cut {cut}");
            assert!(check.pending.is_empty(), "nothing left over, cut {cut}");
        }
        let mut check = Utf8Check::default();
        assert!(check.feed(&[0xE2, 0x82]).is_ok(), "incomplete is fine");
        assert_eq!(check.feed(&[0x41]), Err(0), "but not when broken");
        // A read that ends right after a byte that cannot continue the character: broken
        // already, as the same bytes in one read are (found by `sse_props`).
        let mut check = Utf8Check::default();
        assert!(check.feed(b"data: x\xE0").is_ok(), "a lead byte at the end");
        assert_eq!(
            check.feed(&[0x00]),
            Err(0),
            "then a byte that cannot follow it"
        );
        let mut check = Utf8Check::default();
        assert!(check.feed(&[0xF0]).is_ok());
        assert!(check.feed(&[0x9F]).is_ok(), "a valid second byte of four");
        assert_eq!(check.feed(&[0x41]), Err(0), "an ASCII third byte");
        assert_eq!(
            Utf8Check::default().feed(&[b'a', 0xFF, b'b']),
            Err(1),
            "an invalid byte fails at once, after the valid bytes before it"
        );
    }

    fn decode(reads: Vec<&[u8]>, cap: usize) -> Vec<Result<SseEvent, String>> {
        let reads = reads
            .into_iter()
            .map(|r| Ok(Bytes::copy_from_slice(r)))
            .collect::<Vec<_>>();
        let events = sse_events_capped(futures_util::stream::iter(reads), cap);
        tokio::runtime::Builder::new_current_thread()
            .build()
            .expect("runtime")
            .block_on(events.collect::<Vec<_>>())
            .into_iter()
            .map(|r| r.map_err(|e| e.to_string()))
            .collect()
    }

    #[test]
    fn invalid_utf8_fails_after_the_events_before_it() {
        let got = decode(vec![b"data: a\n\ndata: b\xFF\n\ndata: c\n\n"], 1024);
        assert_eq!(
            got,
            vec![
                Ok(SseEvent {
                    event: String::new(),
                    data: "a".into()
                }),
                Err(
                    "Could not understand the provider's answer: the event stream is not valid \
                     UTF-8"
                        .into()
                ),
            ],
        );
    }

    #[test]
    fn the_cap_holds_whether_the_event_ends_in_the_read_or_not() {
        let big = [b"data: ".as_slice(), &[b'x'; 100]].concat();
        let whole = [big.as_slice(), b"\n\n"].concat();
        for reads in [
            vec![big.as_slice(), b"\n\n".as_slice()],
            vec![whole.as_slice()],
            vec![
                &big[..50],
                &big[50..],
                b"more".as_slice(),
                b"\n\n".as_slice(),
            ],
        ] {
            let got = decode(reads, 64);
            let [Err(message)] = got.as_slice() else {
                panic!("one error: {got:?}");
            };
            assert!(message.contains("larger than 64 bytes"), "{message}");
        }
        let fits = decode(vec![b"data: 1234\n\n: comment\n\n", b"data: 5678\n\n"], 16);
        assert_eq!(fits.len(), 2, "events under the cap pass: {fits:?}");
        assert!(fits.iter().all(Result::is_ok), "{fits:?}");
    }

    #[test]
    fn metadata_only_blocks_dispatch_nothing_and_message_is_no_name() {
        let got = decode(
            vec![b"event: ping\n\nid: 4\nretry: 9\n\nevent: message\ndata:\n\n"],
            1024,
        );
        assert_eq!(
            got,
            vec![Ok(SseEvent {
                event: String::new(),
                data: String::new()
            })],
        );
    }
}
