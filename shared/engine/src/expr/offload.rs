//! Keeping tenants' JavaScript off the async runtime's workers.
//!
//! JavaScript runs synchronously: while a call runs, the thread running it does nothing
//! else. On a runtime worker a long call would stall every request queued behind it —
//! `/healthz`, other tenants' webhooks. So on a worker of a multi-thread runtime:
//!
//! - a node that only computes runs *in place* when it runs a program (Code, Function) or
//!   its execution's code may run long (`Sandbox::runs_long`): the worker first hands its
//!   core — its queue of other tasks — to another thread (`tokio::task::block_in_place`),
//!   then drives the node itself ([`run_node_in_place`]);
//! - any other call starts inline only if it is bounded (`cost.rs`: small bookkeeping,
//!   expressions without loops, functions or unbounded built-ins), and only for what is
//!   left of its execution's inline share (`guard.rs`, 5 ms in all): a call past it is
//!   interrupted and run again in place, as is every later call of the execution;
//! - unbounded calls of nodes that wait on the network (an agent's Code tool, an HTTP
//!   node's pagination expressions) run in place one by one, so no thread is held while
//!   the node waits.
//!
//! Handing the core off costs a thread wake-up (on 2 cores, about a sixth of a small
//! webhook's throughput when every execution paid it), which is why bounded work stays
//! inline. Off a worker (a thread already driving code in place, or a current-thread
//! runtime, which has no core to hand off) everything simply runs where it is.

use std::cell::Cell;
use tokio::runtime::{Handle, RuntimeFlavor};

/// Nodes running in place at once, in the process. Each holds a thread of the runtime's
/// blocking pool (512 by default) while it runs; the rest of the pool stays for core
/// hand-offs and blocking I/O (DNS, files).
const NODES_IN_PLACE: usize = 256;

static IN_PLACE_PERMITS: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(NODES_IN_PLACE);

thread_local! {
    /// This thread is running code in place (it gave its core away, or never had one).
    static IN_PLACE: Cell<bool> = const { Cell::new(false) };
}

/// Whether the calling thread is a worker of a multi-thread runtime that could hand its
/// core off (and so must not run long code as it is).
pub fn on_worker() -> bool {
    !IN_PLACE.with(Cell::get)
        && Handle::try_current().is_ok_and(|h| h.runtime_flavor() == RuntimeFlavor::MultiThread)
}

/// Runs `f` off the runtime's workers: in place after handing the core off when the caller
/// is a worker, else right here.
pub fn in_place<R>(f: impl FnOnce() -> R) -> R {
    if !on_worker() {
        return f();
    }
    tokio::task::block_in_place(|| {
        let _mark = InPlace::mark();
        f()
    })
}

/// Drives a node's run to its end in place (see the module's comment), once one of the
/// process's [`NODES_IN_PLACE`] places is free; as it is when off a worker.
pub async fn run_node_in_place<F: std::future::Future>(run: F) -> F::Output {
    if !on_worker() {
        return run.await;
    }
    // Never closed: a permit always comes.
    let _permit = IN_PLACE_PERMITS.acquire().await;
    let runtime = Handle::current();
    in_place(|| runtime.block_on(run))
}

/// Marks the thread as running code in place for as long as it lives (a panic included).
struct InPlace;

impl InPlace {
    fn mark() -> Self {
        IN_PLACE.with(|p| p.set(true));
        InPlace
    }
}

impl Drop for InPlace {
    fn drop(&mut self) {
        IN_PLACE.with(|p| p.set(false));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_current_thread_runtime_has_no_worker_to_spare() {
        assert!(!on_worker());
        assert_eq!(in_place(|| 7), 7);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_worker_hands_its_core_off_and_runs_the_code_itself() {
        assert!(on_worker());
        let caller = std::thread::current().id();
        // While this thread spins, another task of the runtime is still served.
        let other = tokio::spawn(async { 7 });
        let (thread, nested) = in_place(|| {
            let until = std::time::Instant::now() + std::time::Duration::from_millis(50);
            while std::time::Instant::now() < until {}
            (std::thread::current().id(), on_worker())
        });
        assert_eq!(thread, caller, "run in place");
        assert!(!nested, "code running in place is off the workers");
        assert_eq!(other.await.unwrap(), 7);
        assert!(on_worker());
    }
}
