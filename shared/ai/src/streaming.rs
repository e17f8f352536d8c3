//! Turning a provider's event stream into [`StreamEvent`]s: each wire format has a parser
//! that reads one server-sent event at a time and keeps the text and token counts so far.

use crate::AiError;
use crate::chat::{ChatResponse, StreamEvent};
use crate::sse::{SseEvent, events};
use futures::stream::{BoxStream, StreamExt};

/// What one event meant.
pub(crate) enum Step {
    /// More of the answer.
    Text(String),
    /// The answer is complete.
    Done,
    /// Nothing for the caller (a ping, a start marker, counts).
    Nothing,
}

/// One provider's stream format.
pub(crate) trait StreamParser: Send + 'static {
    /// Reads an event; an `Err` is the provider's error, reported as the stream's end.
    fn on(&mut self, event: &SseEvent) -> Result<Step, String>;
    /// The whole answer, once `Done` was seen.
    fn finish(&mut self) -> ChatResponse;
}

/// Streams `response`'s events through `parser`; ends with `Done`, or an error when the
/// body ends before the provider said it was complete.
pub(crate) fn drive<'a, P: StreamParser>(
    provider: &str,
    response: reqwest::Response,
    parser: P,
) -> BoxStream<'a, Result<StreamEvent, AiError>> {
    let provider = provider.to_string();
    let body = Box::pin(events(response.bytes_stream()));
    futures::stream::unfold(Some((body, parser)), move |state| {
        let provider = provider.clone();
        async move {
            let (mut body, mut parser) = state?;
            let bad = |message: String| AiError::BadAnswer {
                provider: provider.clone(),
                message,
            };
            loop {
                let event = match body.next().await {
                    None => {
                        let e = bad("the stream ended before the answer was complete".into());
                        return Some((Err(e), None));
                    }
                    Some(Err(message)) => {
                        let e = AiError::Unreachable {
                            provider: provider.clone(),
                            message,
                        };
                        return Some((Err(e), None));
                    }
                    Some(Ok(event)) => event,
                };
                match parser.on(&event) {
                    Ok(Step::Text(t)) if !t.is_empty() => {
                        return Some((Ok(StreamEvent::Delta(t)), Some((body, parser))));
                    }
                    Ok(Step::Text(_) | Step::Nothing) => {}
                    Ok(Step::Done) => return Some((Ok(StreamEvent::Done(parser.finish())), None)),
                    Err(message) => return Some((Err(bad(message)), None)),
                }
            }
        }
    })
    .boxed()
}
