//! Server-sent events as both providers stream them: `event:` and `data:` lines, an empty
//! line ends an event. Bytes arrive in arbitrary chunks; lines may be split across them.

use bytes::Bytes;
use futures::{Stream, StreamExt};

/// One event: its name (`event:`; none for OpenAI's Chat Completions) and its data lines
/// joined with `\n`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SseEvent {
    pub event: Option<String>,
    pub data: String,
}

/// Most bytes of one event: a provider's event is a few KiB; more is a broken stream.
const MAX_EVENT: usize = 1 << 20;
/// Most bytes of a whole stream: a long answer is a few hundred KiB of events; a server
/// (a tenant's own) that never stops is cut off here.
const MAX_STREAM: usize = 16 << 20;

/// Splits a byte stream into events.
#[derive(Default)]
pub struct SseDecoder {
    received: usize,
    buffer: Vec<u8>,
    event: Option<String>,
    data: Vec<String>,
}

impl SseDecoder {
    /// Feeds a chunk; answers the events it completed.
    pub fn push(&mut self, chunk: &[u8]) -> Result<Vec<SseEvent>, String> {
        self.received += chunk.len();
        if self.received > MAX_STREAM {
            return Err(format!(
                "the stream is longer than {} MiB",
                MAX_STREAM >> 20
            ));
        }
        self.buffer.extend_from_slice(chunk);
        if self.buffer.len() > MAX_EVENT {
            return Err("an event of the stream is too large".into());
        }
        let mut events = Vec::new();
        while let Some(end) = self.buffer.iter().position(|b| *b == b'\n') {
            let mut line: Vec<u8> = self.buffer.drain(..=end).collect();
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            let line = String::from_utf8(line).map_err(|_| "the stream is not UTF-8")?;
            if line.is_empty() {
                if !self.data.is_empty() {
                    events.push(SseEvent {
                        event: self.event.take(),
                        data: std::mem::take(&mut self.data).join("\n"),
                    });
                }
                self.event = None;
                continue;
            }
            if line.starts_with(':') {
                continue; // a comment (keep-alive)
            }
            let (field, value) = line.split_once(':').unwrap_or((&line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "event" => self.event = Some(value.to_string()),
                "data" => self.data.push(value.to_string()),
                _ => {} // id, retry: not used by model providers
            }
        }
        Ok(events)
    }
}

/// The events of an HTTP body.
pub fn events<S>(body: S) -> impl Stream<Item = Result<SseEvent, String>>
where
    S: Stream<Item = reqwest::Result<Bytes>>,
{
    let mut decoder = SseDecoder::default();
    body.map(move |chunk| match chunk {
        Ok(bytes) => decoder.push(&bytes),
        Err(e) => Err(e.without_url().to_string()),
    })
    .flat_map(|batch| {
        futures::stream::iter(match batch {
            Ok(events) => events.into_iter().map(Ok).collect::<Vec<_>>(),
            Err(e) => vec![Err(e)],
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_survive_any_chunking() {
        let stream = b"event: message_start\ndata: {\"a\":1}\n\n: ping\n\ndata: one\r\ndata: two\r\n\r\ndata: [DONE]\n\n";
        let expected = vec![
            SseEvent {
                event: Some("message_start".into()),
                data: "{\"a\":1}".into(),
            },
            SseEvent {
                event: None,
                data: "one\ntwo".into(),
            },
            SseEvent {
                event: None,
                data: "[DONE]".into(),
            },
        ];
        for size in 1..stream.len() {
            let mut d = SseDecoder::default();
            let mut got = Vec::new();
            for chunk in stream.chunks(size) {
                got.extend(d.push(chunk).unwrap());
            }
            assert_eq!(got, expected, "chunks of {size}");
        }
    }

    #[test]
    fn an_endless_event_is_refused() {
        let mut d = SseDecoder::default();
        assert!(d.push(&vec![b'x'; MAX_EVENT + 1]).is_err());
    }

    #[test]
    fn an_endless_stream_is_cut_off() {
        let mut d = SseDecoder::default();
        let event = b"data: {\"x\":1}\n\n".repeat(1024);
        let mut pushed = 0;
        let failed = loop {
            match d.push(&event) {
                Ok(_) => pushed += event.len(),
                Err(e) => break e,
            }
            assert!(pushed <= MAX_STREAM, "never cut off");
        };
        assert!(failed.contains("longer than"), "{failed}");
    }
}
