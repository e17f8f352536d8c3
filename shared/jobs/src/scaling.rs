//! Whether the deployment needs more or fewer workers, from the queues' figures: the advice
//! shown to operators next to the same figures an external autoscaler (KEDA, HPA) reads from
//! `/metrics`. Waiting is what users feel, so the age of the oldest due job leads.

use crate::QueueStats;
use serde::Serialize;

/// A due job waiting longer than this means workers are short.
pub const SLOW_START_MS: i64 = 30_000;
/// … as does a backlog this deep in one queue.
pub const BACKLOG: u64 = 1_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Scale {
    Up,
    Hold,
    /// Nothing waits or runs: workers beyond one per role sit idle.
    Down,
}

impl Scale {
    /// For a gauge: 1 up, 0 hold, -1 down.
    pub fn as_number(self) -> i64 {
        match self {
            Scale::Up => 1,
            Scale::Hold => 0,
            Scale::Down => -1,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScaleAdvice {
    pub scale: Scale,
    /// In words, with the figures.
    pub reason: String,
}

pub fn advise(stats: &[QueueStats]) -> ScaleAdvice {
    if let Some(q) = stats.iter().max_by_key(|q| q.oldest_ready_ms)
        && q.oldest_ready_ms > SLOW_START_MS
    {
        return ScaleAdvice {
            scale: Scale::Up,
            reason: format!(
                "the oldest due job in `{}` has waited {} s for a worker",
                q.queue,
                q.oldest_ready_ms / 1000
            ),
        };
    }
    if let Some(q) = stats.iter().max_by_key(|q| q.ready)
        && q.ready > BACKLOG
    {
        return ScaleAdvice {
            scale: Scale::Up,
            reason: format!("{} jobs are due in `{}`", q.ready, q.queue),
        };
    }
    if stats.iter().all(|q| q.ready == 0 && q.running == 0) {
        return ScaleAdvice {
            scale: Scale::Down,
            reason: "no job waits or runs".into(),
        };
    }
    let running: u64 = stats.iter().map(|q| q.running).sum();
    let ready: u64 = stats.iter().map(|q| q.ready).sum();
    ScaleAdvice {
        scale: Scale::Hold,
        reason: format!("{running} running, {ready} due, none waiting long"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(name: &str, ready: u64, running: u64, oldest_ready_ms: i64) -> QueueStats {
        QueueStats {
            queue: name.into(),
            ready,
            running,
            oldest_ready_ms,
            ..QueueStats::default()
        }
    }

    #[test]
    fn waiting_jobs_or_a_backlog_ask_for_workers_and_idleness_for_fewer() {
        let slow = advise(&[queue("default", 3, 4, 45_000), queue("notify", 0, 0, 0)]);
        assert_eq!(slow.scale, Scale::Up);
        assert!(slow.reason.contains("`default`") && slow.reason.contains("45 s"));
        let deep = advise(&[queue("default", 5_000, 16, 2_000)]);
        assert_eq!(deep.scale, Scale::Up);
        assert_eq!(advise(&[queue("default", 0, 0, 0)]).scale, Scale::Down);
        assert_eq!(advise(&[]).scale, Scale::Down);
        let busy = advise(&[queue("default", 20, 16, 900)]);
        assert_eq!(
            (busy.scale, busy.reason.as_str()),
            (Scale::Hold, "16 running, 20 due, none waiting long")
        );
    }
}
