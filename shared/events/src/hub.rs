//! One process's copy of the recent events and its live listeners. Every event reaches the
//! hub the same way whatever the transport (in-process, Postgres, Redis), so every replica
//! holds the same recent events under the same ids and a browser can resume on any of them.

use crate::Event;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// How many recent events a process keeps for resuming (all tenants together).
pub const RECENT_EVENTS: usize = 4_096;
/// How far a listener may fall behind before it is told it missed some.
const LISTENER_BACKLOG: usize = 1_024;

/// What a listener receives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivery {
    Event(Arc<Event>),
    /// Events may have been missed (the transport reconnected, or the listener fell
    /// behind): what the listener shows must be read afresh.
    Gap,
}

pub(crate) struct Hub {
    inner: Mutex<Inner>,
}

struct Inner {
    recent: VecDeque<Arc<Event>>,
    live: broadcast::Sender<Delivery>,
}

/// Where a listener starts.
pub(crate) struct Start {
    /// The events after the one it last saw; `None` when that one is no longer kept (or
    /// never was here): a gap.
    pub replay: Option<Vec<Arc<Event>>>,
    pub live: broadcast::Receiver<Delivery>,
}

impl Hub {
    pub(crate) fn new() -> Self {
        let (live, _) = broadcast::channel(LISTENER_BACKLOG);
        Self {
            inner: Mutex::new(Inner {
                recent: VecDeque::with_capacity(RECENT_EVENTS),
                live,
            }),
        }
    }

    pub(crate) fn deliver(&self, event: Event) {
        let event = Arc::new(event);
        let mut inner = self.lock();
        if inner.recent.len() == RECENT_EVENTS {
            inner.recent.pop_front();
        }
        inner.recent.push_back(event.clone());
        // Nobody listening is not an error.
        let _ = inner.live.send(Delivery::Event(event));
    }

    pub(crate) fn gap(&self) {
        let _ = self.lock().live.send(Delivery::Gap);
    }

    /// Listening from after `last_seen` (from now on when `None`). Replay and live are taken
    /// under one lock: nothing between them is lost or told twice.
    pub(crate) fn listen(&self, last_seen: Option<&str>) -> Start {
        let inner = self.lock();
        let replay = match last_seen {
            None => Some(Vec::new()),
            Some(id) => inner
                .recent
                .iter()
                .rposition(|e| e.id == id)
                .map(|at| inner.recent.iter().skip(at + 1).cloned().collect()),
        };
        Start {
            replay,
            live: inner.live.subscribe(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic elsewhere while holding it leaves the queue consistent: keep going.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}
