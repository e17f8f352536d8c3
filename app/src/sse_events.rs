//! Server-sent events read from a byte stream, and problem documents read as words: what the
//! hydrated assistant needs to follow a generation (`generation_stream.rs`). Plain Rust, so
//! it is tested on the server's target too.
#![cfg_attr(not(feature = "hydrate"), allow(dead_code))]

use serde_json::Value;

/// A problem document's `detail` (else its `title`), or the text as it is.
pub(crate) fn problem_words(text: &str) -> String {
    let problem: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    problem["detail"]
        .as_str()
        .or_else(|| problem["title"].as_str())
        .map(str::to_string)
        .unwrap_or_else(|| {
            if text.is_empty() {
                "the workflow could not be generated".into()
            } else {
                text.to_string()
            }
        })
}

/// Server-sent events from chunks that may split anywhere (a line, a character).
#[derive(Default)]
pub(crate) struct EventBuffer {
    pending: Vec<u8>,
}

impl EventBuffer {
    /// The whole events the chunk completes: `(event name, data)`.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Vec<(String, String)> {
        self.pending.extend_from_slice(chunk);
        let mut out = Vec::new();
        while let Some(end) = find_blank_line(&self.pending) {
            let block: Vec<u8> = self.pending.drain(..end.1).collect();
            let text = String::from_utf8_lossy(&block[..end.0]).replace("\r\n", "\n");
            let (mut event, mut data) = (String::from("message"), Vec::new());
            for line in text.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    event = v.trim_start().to_string();
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push(v.strip_prefix(' ').unwrap_or(v).to_string());
                }
            }
            if !data.is_empty() {
                out.push((event, data.join("\n")));
            }
        }
        out
    }
}

/// Where the first event ends: (end of its text, end of its blank line).
fn find_blank_line(bytes: &[u8]) -> Option<(usize, usize)> {
    (0..bytes.len()).find_map(|i| {
        if bytes[i..].starts_with(b"\n\n") {
            Some((i, i + 2))
        } else if bytes[i..].starts_with(b"\r\n\r\n") {
            Some((i, i + 4))
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_come_whole_however_the_chunks_fall() {
        let stream = "event: attempt\ndata: {\"provider\":\"openai\",\"repair\":0}\n\nevent: delta\ndata: {\"text\":\"é{\"}\n\n: keep-alive\n\nevent: result\r\ndata: {}\r\n\r\n";
        let bytes = stream.as_bytes();
        for cut in 1..bytes.len() {
            let mut buffer = EventBuffer::default();
            let mut events = buffer.push(&bytes[..cut]);
            events.extend(buffer.push(&bytes[cut..]));
            let names: Vec<&str> = events.iter().map(|(e, _)| e.as_str()).collect();
            assert_eq!(names, ["attempt", "delta", "result"], "cut at {cut}");
            assert_eq!(events[1].1, "{\"text\":\"é{\"}");
        }
    }

    #[test]
    fn a_problem_reads_as_its_detail() {
        assert_eq!(
            problem_words(r#"{"title":"Bad","detail":"too long"}"#),
            "too long"
        );
        assert_eq!(problem_words(""), "the workflow could not be generated");
    }
}
