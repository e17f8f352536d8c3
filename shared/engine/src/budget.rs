//! What one execution may consume, across all its nodes: bytes read from the network, CPU
//! time running code (its JavaScript, charged call by call by the sandbox), wall time
//! (`settings.executionTimeout`). A tenant's workflow that pages through an endless API,
//! downloads a huge file or loops in JavaScript fails cleanly instead of taking the
//! server's memory or cores.

use crate::expr::{CpuAllowance, Stop};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Largest single HTTP answer a node reads.
pub const MAX_RESPONSE_BYTES: usize = 32 * 1024 * 1024;
/// Most bytes all HTTP answers of one execution may add up to.
pub const MAX_EXECUTION_RESPONSE_BYTES: usize = 128 * 1024 * 1024;

/// One execution's allowance. Cheap to clone; clones share it (batched requests of a node
/// run at once and draw on the same allowance).
#[derive(Clone, Debug)]
pub struct ExecutionBudget {
    bytes_left: Arc<AtomicUsize>,
    bytes_total: usize,
    cpu: CpuAllowance,
    deadline: Option<Instant>,
}

impl Default for ExecutionBudget {
    fn default() -> Self {
        Self::new(MAX_EXECUTION_RESPONSE_BYTES)
    }
}

impl ExecutionBudget {
    pub fn new(response_bytes: usize) -> Self {
        Self {
            bytes_left: Arc::new(AtomicUsize::new(response_bytes)),
            bytes_total: response_bytes,
            cpu: CpuAllowance::default(),
            deadline: None,
        }
    }

    /// Lets the execution's code use `limit` of CPU time.
    pub fn with_cpu(mut self, limit: Duration) -> Self {
        self.cpu = CpuAllowance::new(limit);
        self
    }

    /// The CPU allowance the sandbox charges.
    pub fn cpu(&self) -> &CpuAllowance {
        &self.cpu
    }

    /// Ends the execution at `deadline` (`settings.executionTimeout`).
    pub fn with_deadline(mut self, deadline: Option<Instant>) -> Self {
        self.deadline = deadline;
        self
    }

    pub fn deadline(&self) -> Option<Instant> {
        self.deadline
    }

    /// Whether the execution must stop now: its CPU time spent, or its deadline passed.
    pub fn stop(&self) -> Option<Stop> {
        if self.deadline.is_some_and(|at| Instant::now() >= at) {
            return Some(Stop::Deadline);
        }
        self.cpu.spent_out().then_some(Stop::Cpu)
    }

    /// What to tell the user about `stop`.
    pub fn describe(&self, stop: Stop) -> String {
        match stop {
            Stop::Cpu => format!(
                "the execution used more than {} s of CPU time, its limit, and was stopped",
                self.cpu.limit().as_secs_f64()
            ),
            other => other.to_string(),
        }
    }

    /// The most the next answer may have: the single-answer cap, or what the execution has
    /// left when that is less.
    pub fn response_limit(&self) -> usize {
        self.bytes_left
            .load(Ordering::Relaxed)
            .min(MAX_RESPONSE_BYTES)
    }

    /// Counts an answer that was read.
    pub fn spend_bytes(&self, n: usize) {
        let _ = self
            .bytes_left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                Some(left.saturating_sub(n))
            });
    }

    /// Why an answer over [`Self::response_limit`] was refused.
    pub fn refusal(&self) -> String {
        if self.bytes_left.load(Ordering::Relaxed) < MAX_RESPONSE_BYTES {
            format!(
                "the execution has read more than {} MiB of HTTP answers, its limit",
                self.bytes_total / (1024 * 1024)
            )
        } else {
            format!(
                "the answer is larger than {} MiB, the limit of one answer",
                MAX_RESPONSE_BYTES / (1024 * 1024)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_draw_on_one_allowance_per_execution() {
        let budget = ExecutionBudget::new(40 * 1024 * 1024);
        assert_eq!(budget.response_limit(), MAX_RESPONSE_BYTES);
        budget.clone().spend_bytes(30 * 1024 * 1024);
        assert_eq!(budget.response_limit(), 10 * 1024 * 1024);
        assert!(budget.refusal().contains("execution"));
        budget.spend_bytes(usize::MAX);
        assert_eq!(budget.response_limit(), 0);
        assert!(ExecutionBudget::default().refusal().contains("one answer"));
    }

    #[test]
    fn cpu_and_wall_time_end_an_execution() {
        let fresh = ExecutionBudget::default().with_cpu(Duration::from_secs(60));
        assert_eq!(fresh.stop(), None);
        let spent = ExecutionBudget::default().with_cpu(Duration::from_millis(5));
        spent.cpu().charge(Duration::from_millis(6));
        assert_eq!(spent.stop(), Some(Stop::Cpu));
        assert!(spent.describe(Stop::Cpu).contains("0.005 s of CPU"));
        let late = ExecutionBudget::default().with_deadline(Some(Instant::now()));
        assert_eq!(late.stop(), Some(Stop::Deadline));
    }
}
