//! What stops a tenant's running code beyond one call's own deadline: its execution's
//! deadline (`executionTimeout`), stop request and CPU allowance — and, on a runtime worker,
//! the share of time its calls may run inline before they move off the worker
//! (`offload.rs`). QuickJS asks the
//! sandbox's interrupt handler every few thousand operations; the handler asks this.

use super::cpu::thread_cpu_time;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// Why an execution's code was stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Stop {
    #[error("the workflow timed out (settings.executionTimeout)")]
    Deadline,
    #[error("the execution used up its CPU time")]
    Cpu,
    #[error("the execution was stopped")]
    Canceled,
}

/// CPU time an execution may spend running code: shared by its budget (which reads it) and
/// its sandbox (which charges each call's thread CPU time to it).
#[derive(Clone, Debug)]
pub struct CpuAllowance(Arc<Allowance>);

#[derive(Debug)]
struct Allowance {
    limit_ns: u64,
    spent_ns: AtomicU64,
}

impl CpuAllowance {
    pub fn new(limit: Duration) -> Self {
        Self(Arc::new(Allowance {
            limit_ns: u64::try_from(limit.as_nanos()).unwrap_or(u64::MAX),
            spent_ns: AtomicU64::new(0),
        }))
    }

    pub fn limit(&self) -> Duration {
        Duration::from_nanos(self.0.limit_ns)
    }

    pub fn charge(&self, spent: Duration) {
        let ns = u64::try_from(spent.as_nanos()).unwrap_or(u64::MAX);
        self.0.spent_ns.fetch_add(ns, Ordering::Relaxed);
    }

    pub fn left(&self) -> Duration {
        Duration::from_nanos(
            self.0
                .limit_ns
                .saturating_sub(self.0.spent_ns.load(Ordering::Relaxed)),
        )
    }

    pub fn spent_out(&self) -> bool {
        self.left().is_zero()
    }
}

impl Default for CpuAllowance {
    fn default() -> Self {
        Self::new(Duration::MAX)
    }
}

/// Why the interrupt handler stopped a call (`reason`).
const NONE: u8 = 0;
const SLICE: u8 = 4;

/// Wall time all of an execution's inline calls may take together: past it the execution
/// is heavy and its code runs off the workers (so many short calls cannot hold a worker
/// any more than one long call can).
pub(super) const INLINE_SHARE: Duration = Duration::from_millis(5);

/// One execution's hold on the sandbox's running code. Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct RunGuard(Arc<GuardState>);

#[derive(Debug)]
struct GuardState {
    /// Wall clock, ms since the sandbox's epoch; `u64::MAX`: none.
    deadline_ms: AtomicU64,
    /// End of this call's slice on a runtime worker (same clock); `u64::MAX`: none.
    slice_ms: AtomicU64,
    /// What is left of the execution's inline share, ns.
    inline_left_ns: AtomicU64,
    /// The running thread's CPU time at which the allowance is spent, ns; `u64::MAX`: none.
    cpu_deadline_ns: AtomicU64,
    cancel: Mutex<Option<CancellationToken>>,
    allowance: Mutex<CpuAllowance>,
    /// A call of this execution outran its slice: the rest runs off the workers.
    heavy: AtomicBool,
    reason: AtomicU8,
}

impl Default for GuardState {
    fn default() -> Self {
        Self {
            deadline_ms: AtomicU64::new(u64::MAX),
            slice_ms: AtomicU64::new(u64::MAX),
            inline_left_ns: AtomicU64::new(nanos(INLINE_SHARE)),
            cpu_deadline_ns: AtomicU64::new(u64::MAX),
            cancel: Mutex::new(None),
            allowance: Mutex::new(CpuAllowance::default()),
            heavy: AtomicBool::new(false),
            reason: AtomicU8::new(NONE),
        }
    }
}

impl RunGuard {
    /// Starts an execution's hold: its deadline (ms on the sandbox's clock), allowance and
    /// stop request.
    pub(super) fn start(
        &self,
        deadline_ms: Option<u64>,
        allowance: CpuAllowance,
        cancel: CancellationToken,
    ) {
        self.release();
        self.0
            .deadline_ms
            .store(deadline_ms.unwrap_or(u64::MAX), Ordering::Relaxed);
        *self
            .0
            .allowance
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = allowance;
        *self.0.cancel.lock().unwrap_or_else(PoisonError::into_inner) = Some(cancel);
    }

    /// Ends it (the sandbox goes back to the pool).
    pub(super) fn release(&self) {
        self.0.deadline_ms.store(u64::MAX, Ordering::Relaxed);
        self.0.slice_ms.store(u64::MAX, Ordering::Relaxed);
        self.0
            .inline_left_ns
            .store(nanos(INLINE_SHARE), Ordering::Relaxed);
        self.0.cpu_deadline_ns.store(u64::MAX, Ordering::Relaxed);
        self.0.heavy.store(false, Ordering::Relaxed);
        self.0.reason.store(NONE, Ordering::Relaxed);
        *self.0.cancel.lock().unwrap_or_else(PoisonError::into_inner) = None;
        *self
            .0
            .allowance
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = CpuAllowance::default();
    }

    /// Whether this execution's calls have used up its inline share.
    pub fn is_heavy(&self) -> bool {
        self.0.heavy.load(Ordering::Relaxed)
    }

    pub(super) fn set_heavy(&self) {
        self.0.heavy.store(true, Ordering::Relaxed);
    }

    fn allowance(&self) -> CpuAllowance {
        self.0
            .allowance
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Before a call inline on a runtime worker (it is `now_ms` on the sandbox's clock): it
    /// runs for what is left of the inline share, or less when the allowance has less left
    /// — then it is run again off the worker, where its CPU time is measured exactly.
    pub(super) fn begin_inline(&self, now_ms: u64) -> Meter {
        self.0.reason.store(NONE, Ordering::Relaxed);
        let share = Duration::from_nanos(self.0.inline_left_ns.load(Ordering::Relaxed));
        let slice = share.min(self.allowance().left());
        // Whole milliseconds, rounded up: the handler's clock counts milliseconds.
        let slice_ms = u64::try_from(slice.as_micros().div_ceil(1000)).unwrap_or(u64::MAX);
        self.0
            .slice_ms
            .store(now_ms.saturating_add(slice_ms), Ordering::Relaxed);
        Meter::Wall(Instant::now())
    }

    /// Before a call off the workers, however long it runs: it stops when the thread has
    /// used the allowance's CPU time.
    pub(super) fn begin_off_worker(&self) -> Meter {
        self.0.reason.store(NONE, Ordering::Relaxed);
        let start = thread_cpu_time();
        let left = self.allowance().left();
        let deadline = start.checked_add(left).map_or(u64::MAX, |d| {
            u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
        });
        self.0.cpu_deadline_ns.store(deadline, Ordering::Relaxed);
        Meter::Cpu(start)
    }

    /// After a call: its CPU time is charged to the execution, an inline call's also to
    /// the inline share (used up, the execution is heavy — a call a slice could not cut
    /// short, in a built-in that never polls, included).
    pub(super) fn end_call(&self, meter: Meter) {
        match meter {
            Meter::Wall(start) => self.settle(true, start.elapsed()),
            Meter::Cpu(start) => self.settle(false, thread_cpu_time().saturating_sub(start)),
        }
    }

    /// Charges a finished call's time (`inline`: also to the inline share).
    fn settle(&self, inline: bool, spent: Duration) {
        self.0.slice_ms.store(u64::MAX, Ordering::Relaxed);
        self.0.cpu_deadline_ns.store(u64::MAX, Ordering::Relaxed);
        if inline {
            let left = self.0.inline_left_ns.load(Ordering::Relaxed);
            let left = left.saturating_sub(nanos(spent));
            self.0.inline_left_ns.store(left, Ordering::Relaxed);
            if left == 0 {
                self.set_heavy();
            }
        }
        self.allowance().charge(spent);
    }

    /// The interrupt handler's question: must the running call stop now? Records why.
    pub(super) fn should_interrupt(&self, now_ms: u64) -> bool {
        let reason = if now_ms > self.0.deadline_ms.load(Ordering::Relaxed) {
            Stop::Deadline as u8 + 1
        } else if self.is_canceled() {
            Stop::Canceled as u8 + 1
        } else if now_ms > self.0.slice_ms.load(Ordering::Relaxed) {
            SLICE
        } else {
            let cpu = self.0.cpu_deadline_ns.load(Ordering::Relaxed);
            if cpu != u64::MAX && thread_cpu_time().as_nanos() >= u128::from(cpu) {
                Stop::Cpu as u8 + 1
            } else {
                NONE
            }
        };
        if reason != NONE {
            self.0.reason.store(reason, Ordering::Relaxed);
        }
        reason != NONE
    }

    fn is_canceled(&self) -> bool {
        // `try_lock`: never wait in the handler (the lock is only taken to swap tokens).
        self.0
            .cancel
            .try_lock()
            .ok()
            .and_then(|c| c.as_ref().map(CancellationToken::is_cancelled))
            .unwrap_or(false)
    }

    /// Why the last call was interrupted, when it was by this guard: a stop, or its slice.
    pub(super) fn last_interrupt(&self) -> Option<Interrupt> {
        match self.0.reason.load(Ordering::Relaxed) {
            1 => Some(Interrupt::Stop(Stop::Deadline)),
            2 => Some(Interrupt::Stop(Stop::Cpu)),
            3 => Some(Interrupt::Stop(Stop::Canceled)),
            SLICE => Some(Interrupt::Slice),
            _ => None,
        }
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// How a call's CPU time is measured.
#[derive(Clone, Copy, Debug)]
pub(super) enum Meter {
    /// A call inline on a worker is short (its slice bounds it): its wall time, an upper
    /// bound of its CPU time that needs no system call (the thread's CPU clock does, and
    /// a small webhook's expressions make dozens of calls).
    Wall(Instant),
    /// The thread's CPU time when the call began.
    Cpu(Duration),
}

/// What the guard interrupted a call for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Interrupt {
    Stop(Stop),
    /// The call outran its slice on a runtime worker: run it again off the worker.
    Slice,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_allowance_is_spent_by_charges() {
        let a = CpuAllowance::new(Duration::from_millis(10));
        assert!(!a.spent_out());
        a.clone().charge(Duration::from_millis(4));
        assert_eq!(a.left(), Duration::from_millis(6));
        a.charge(Duration::from_secs(1));
        assert!(a.spent_out());
        assert!(!CpuAllowance::default().spent_out());
    }

    #[test]
    fn the_guard_says_why_it_interrupts() {
        let g = RunGuard::default();
        let cancel = CancellationToken::new();
        g.start(Some(1_000), CpuAllowance::default(), cancel.clone());
        let start = g.begin_inline(0);
        assert!(!g.should_interrupt(5));
        assert!(g.should_interrupt(6), "the inline share is 5 ms");
        assert_eq!(g.last_interrupt(), Some(Interrupt::Slice));
        assert!(g.should_interrupt(2_000));
        assert_eq!(g.last_interrupt(), Some(Interrupt::Stop(Stop::Deadline)));
        cancel.cancel();
        assert!(g.should_interrupt(1));
        assert_eq!(g.last_interrupt(), Some(Interrupt::Stop(Stop::Canceled)));
        g.end_call(start);
        g.release();
        assert!(!g.should_interrupt(u64::MAX - 1));
    }

    #[test]
    fn an_inline_call_is_cut_short_when_the_allowance_is_nearly_spent() {
        let g = RunGuard::default();
        let allowance = CpuAllowance::new(Duration::from_millis(2));
        g.start(None, allowance.clone(), CancellationToken::new());
        let call = g.begin_inline(100);
        assert!(!g.should_interrupt(102));
        assert!(g.should_interrupt(103), "2 ms left: the slice ends at 102");
        assert_eq!(g.last_interrupt(), Some(Interrupt::Slice));
        g.end_call(call);
        // Off the worker the thread's CPU clock decides.
        allowance.charge(Duration::from_secs(1));
        let call = g.begin_off_worker();
        assert!(g.should_interrupt(0));
        assert_eq!(g.last_interrupt(), Some(Interrupt::Stop(Stop::Cpu)));
        g.end_call(call);
    }

    #[test]
    fn many_short_inline_calls_use_up_the_share_and_make_the_execution_heavy() {
        let g = RunGuard::default();
        g.start(None, CpuAllowance::default(), CancellationToken::new());
        let mut calls = 0;
        while !g.is_heavy() {
            // A call that took 1 ms of wall time (settled directly: a sleep's length is
            // not ours to choose on a loaded machine).
            let _ = g.begin_inline(0);
            g.settle(true, Duration::from_millis(1));
            calls += 1;
        }
        assert_eq!(calls, 5, "a share of 5 ms");
        // The next execution starts with a whole share.
        g.start(None, CpuAllowance::default(), CancellationToken::new());
        assert!(!g.is_heavy());
    }
}
