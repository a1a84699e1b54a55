//! Server-sent events from a byte stream, on top of the `eventsource-stream` crate.
//!
//! The crate does the framing (comment lines such as `: OPENROUTER PROCESSING` are dropped,
//! events split across reads are reassembled, `event:` names are kept for Anthropic, multi-byte
//! characters split across reads are rejoined). This module maps its errors into
//! [`ProviderError`] so a broken stream ends like every other provider failure, and guards its
//! input against two weaknesses of the crate: it re-copies its whole buffer after every line
//! (quadratic in the size of one read), and it buffers everything after an invalid UTF-8 byte
//! until the connection closes instead of failing.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use eventsource_stream::{EventStreamError, Eventsource};
use futures_util::{Stream, StreamExt};
use switchboard_core::ProviderError;

/// The largest piece handed to the parser at once. Its per-line buffer copy costs O(piece) per
/// line, so large socket reads (hyper hands out up to hundreds of KB) are cut to this size.
const MAX_PIECE: usize = 4096;

/// One event: its name (empty when the server sent none) and its data lines joined by `\n`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field; empty for OpenAI and OpenRouter.
    pub event: String,
    /// The `data:` payload.
    pub data: String,
}

/// Decodes `bytes` into events. A transport error in `bytes` ends the stream with that error;
/// malformed framing or invalid UTF-8 ends it with a decode error.
pub fn sse_events<S>(bytes: S) -> impl Stream<Item = Result<SseEvent, ProviderError>> + Send
where
    S: Stream<Item = Result<Bytes, ProviderError>> + Send,
{
    Guard {
        inner: Box::pin(bytes),
        rest: Bytes::new(),
        utf8: Utf8Check::default(),
        failed: None,
        done: false,
    }
    .eventsource()
    .map(|item| match item {
        Ok(ev) => Ok(SseEvent {
            // The crate reports a nameless event as "message", its default type in browsers;
            // callers are promised an empty name for the servers that send none.
            event: if ev.event == "message" {
                String::new()
            } else {
                ev.event
            },
            data: ev.data,
        }),
        Err(EventStreamError::Transport(err)) => Err(err),
        Err(EventStreamError::Utf8(err)) => Err(ProviderError::decode(
            format!("the event stream is not valid UTF-8: {err}"),
            "",
        )),
        Err(EventStreamError::Parser(err)) => Err(ProviderError::decode(
            format!("the event stream is malformed: {err}"),
            "",
        )),
    })
    // The crate keeps going after an error (its UTF-8 layer reports leftover bytes again at the
    // end); the first error is the stream's last item.
    .scan(false, |failed, item| {
        let next = (!*failed).then(|| {
            *failed = item.is_err();
            item
        });
        std::future::ready(next)
    })
}

/// Cuts reads into pieces of at most [`MAX_PIECE`] bytes and fails at the first invalid UTF-8
/// byte; ends after the first error.
struct Guard<S> {
    inner: Pin<Box<S>>,
    /// What is left of the current read.
    rest: Bytes,
    utf8: Utf8Check,
    /// Set at the first invalid UTF-8 byte: yielded once the valid bytes before it are out, so
    /// the events they complete are not lost.
    failed: Option<ProviderError>,
    done: bool,
}

impl<S> Stream for Guard<S>
where
    S: Stream<Item = Result<Bytes, ProviderError>>,
{
    type Item = Result<Bytes, ProviderError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if !this.rest.is_empty() {
                let piece = this.rest.split_to(this.rest.len().min(MAX_PIECE));
                return Poll::Ready(Some(Ok(piece)));
            }
            if let Some(err) = this.failed.take() {
                this.done = true;
                return Poll::Ready(Some(Err(err)));
            }
            if this.done {
                return Poll::Ready(None);
            }
            match this.inner.as_mut().poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => {
                    this.done = true;
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(Err(err))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(err)));
                }
                Poll::Ready(Some(Ok(mut chunk))) => {
                    if let Err(valid) = this.utf8.feed(&chunk) {
                        chunk.truncate(valid);
                        this.failed = Some(ProviderError::decode(
                            "the event stream is not valid UTF-8",
                            "",
                        ));
                    }
                    this.rest = chunk;
                }
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
            if self.pending.len() < width {
                return Ok(());
            }
            if std::str::from_utf8(&self.pending).is_err() {
                return Err(0);
            }
            self.pending.clear();
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

#[cfg(test)]
mod tests {
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
        assert_eq!(
            Utf8Check::default().feed(&[b'a', 0xFF, b'b']),
            Err(1),
            "an invalid byte fails at once, after the valid bytes before it"
        );
    }
}
