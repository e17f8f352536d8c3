//! Where executions run: threads of their own, never the async runtime's workers.
//!
//! A tenant's JavaScript (Code node, expressions, Code tool) is synchronous: while it runs,
//! the thread running it does nothing else. On a runtime worker that would stall every
//! request queued behind it — `/healthz`, other tenants' webhooks — for as long as the code
//! runs. So each execution is driven to its end on a thread of this pool (the future is
//! `block_on`ed there; its I/O still goes through the main runtime's drivers), and:
//!
//! - the execution's CPU time is that thread's CPU time, which its budget counts;
//! - the threads run at a lower scheduling priority (nice 5), so when executions keep every
//!   core busy the web server's workers still get the CPU first;
//! - the pool is bounded (`MAX_THREADS`); past that, executions wait for a thread.

use std::future::Future;
use std::sync::OnceLock;

/// Most executions running at once in this process; more wait for a thread.
const MAX_THREADS: usize = 512;
/// How much lower execution threads are scheduled than the web server (`nice`).
const NICE: i32 = 5;

fn pool() -> &'static tokio::runtime::Runtime {
    static POOL: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    POOL.get_or_init(|| {
        // Only its blocking pool is used: a current-thread runtime that nobody drives.
        tokio::runtime::Builder::new_current_thread()
            .max_blocking_threads(MAX_THREADS)
            .thread_name("agente-execution")
            .on_thread_start(lower_priority)
            .build()
            .expect("the execution thread pool starts")
    })
}

/// Runs `future` to its end on an execution thread, its I/O and timers on the caller's
/// runtime; answers its output, or why the thread failed (a panic in the execution).
pub(crate) async fn run_on_execution_thread<F>(future: F) -> Result<F::Output, String>
where
    F: Future + Send + 'static,
    F::Output: Send + 'static,
{
    let runtime = tokio::runtime::Handle::current();
    pool()
        .spawn_blocking(move || runtime.block_on(future))
        .await
        .map_err(|e| e.to_string())
}

/// Makes the calling thread yield the CPU to normal-priority threads. Best effort: where
/// the system refuses, the thread keeps its priority.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: `gettid` has no preconditions; `setpriority` with PRIO_PROCESS and a thread
        // id changes only that thread's nice value (Linux keeps it per thread) and writes no
        // memory.
        unsafe {
            let tid = libc::gettid();
            libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, NICE);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn runs_off_the_calling_thread_with_the_callers_io() {
        let caller = std::thread::current().id();
        let (thread, slept) = run_on_execution_thread(async {
            let start = std::time::Instant::now();
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
            (std::thread::current().id(), start.elapsed())
        })
        .await
        .unwrap();
        assert_ne!(thread, caller);
        assert!(slept >= std::time::Duration::from_millis(20));
        let panicked = run_on_execution_thread(async {
            if std::env::var_os("PATH").is_some() {
                panic!("boom")
            }
        })
        .await;
        assert!(panicked.is_err());
    }
}
