//! The CPU time of the calling thread. Code that runs in place (`offload.rs`) has the
//! thread to itself for the call, so the difference across a call is what the call used:
//! what the execution's CPU budget is charged.

use std::time::Duration;

/// CPU time the calling thread has used so far (zero where the clock is unavailable, which
/// only turns the budget off).
pub fn thread_cpu_time() -> Duration {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `clock_gettime` only writes the `timespec` it is given, which lives on this
    // stack frame; CLOCK_THREAD_CPUTIME_ID needs no other argument.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(
        u64::try_from(now.tv_sec).unwrap_or(0),
        u32::try_from(now.tv_nsec).unwrap_or(0),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_this_threads_work_not_its_sleep() {
        let start = thread_cpu_time();
        std::thread::sleep(Duration::from_millis(50));
        let slept = thread_cpu_time() - start;
        assert!(slept < Duration::from_millis(20), "sleeping cost {slept:?}");
        // Work moves the clock (however busy the machine is, eventually).
        let before = thread_cpu_time();
        let give_up = std::time::Instant::now() + Duration::from_secs(30);
        while thread_cpu_time() - before < Duration::from_millis(10) {
            assert!(
                std::time::Instant::now() < give_up,
                "the CPU clock does not move"
            );
        }
    }
}
