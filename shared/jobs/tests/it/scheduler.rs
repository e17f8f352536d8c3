//! The scheduler over each queue backend (SQL on SQLite and Postgres, Redis): firings on
//! time in the schedule's zone, once per firing with two schedulers, the misfire policies
//! after downtime, removal, history.

use crate::common::{self, QueueBackend, queue_tests};

use agente_core::{FixedClock, TenantId};
use agente_jobs::scheduler::{register_in, remove_in};
use agente_jobs::{CronSchedule, Misfire, NewJob, ScheduleSpec, Scheduler};
use agente_store::testing::TestDb;
use serde_json::json;
use std::sync::Arc;

/// 2026-11-30 08:59:30 UTC, a Monday.
const T0: i64 = 1_796_029_170_000;

fn every_minute(id: &str, misfire: Misfire) -> ScheduleSpec {
    ScheduleSpec {
        id: id.into(),
        cron: CronSchedule::parse("0 * * * * *", "UTC").unwrap(),
        every_weeks: 1,
        job: NewJob::new("workflow.run", json!({"workflow": id})),
        misfire,
    }
}

async fn register(t: &TestDb, now: i64, owner: &str, specs: &[ScheduleSpec]) {
    let mut tx = t.db.system_tx().await.unwrap();
    register_in(&mut tx, now, owner, Some(TenantId::new()), specs)
        .await
        .unwrap();
    tx.commit().await.unwrap();
}

fn queue_names() -> Vec<String> {
    vec!["default".into()]
}

queue_tests!(two_schedulers_fire_each_tick_once);
async fn two_schedulers_fire_each_tick_once(backend: QueueBackend) {
    let (q, t, clock) = common::queue_on(backend, FixedClock::at_ms(T0)).await;
    register(&t, T0, "wf-1", &[every_minute("wf-1/0", Misfire::Skip)]).await;
    let a = Scheduler::new(t.db.clone(), q.clone(), Arc::new(clock.clone()), "a");
    let b = Scheduler::new(t.db.clone(), q.clone(), Arc::new(clock.clone()), "b");
    assert_eq!(
        a.tick().await.unwrap() + b.tick().await.unwrap(),
        0,
        "{backend}: fired early"
    );
    for minute in 1..=5 {
        clock.advance_secs(60);
        let (x, y) = tokio::join!(a.tick(), b.tick());
        assert_eq!(x.unwrap() + y.unwrap(), 1, "{backend}: minute {minute}");
    }
    let history = a.history("wf-1/0", 10).await.unwrap();
    assert_eq!(history.len(), 5, "{backend}");
    assert!(history.iter().all(|f| f.state == "ready"));
    // Only the lease holder fires: `b` never took it while `a` renewed it.
    let lease = q
        .claim(&queue_names(), "w", 30_000, 1)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(lease.job.payload["workflow"], "wf-1/0");
    assert_eq!(
        lease.job.payload["scheduledAt"],
        T0 + 30_000,
        "{backend}: the first planned minute"
    );
    q.complete(&lease).await.unwrap();
    let history = a.history("wf-1/0", 10).await.unwrap();
    let done = history
        .iter()
        .find(|f| f.state == "done")
        .expect("the claimed firing is done");
    assert!(
        done.started_at.is_some() && done.finished_at.is_some(),
        "{backend}"
    );
}

queue_tests!(after_downtime_skip_fires_nothing_and_run_once_fires_once);
async fn after_downtime_skip_fires_nothing_and_run_once_fires_once(backend: QueueBackend) {
    let (q, t, clock) = common::queue_on(backend, FixedClock::at_ms(T0)).await;
    register(
        &t,
        T0,
        "skipper",
        &[every_minute("skipper/0", Misfire::Skip)],
    )
    .await;
    register(
        &t,
        T0,
        "catcher",
        &[every_minute("catcher/0", Misfire::RunOnce)],
    )
    .await;
    let s = Scheduler::new(t.db.clone(), q.clone(), Arc::new(clock.clone()), "s");
    clock.advance_secs(3_600); // an hour down: 60 firings missed
    assert_eq!(s.tick().await.unwrap(), 1, "{backend}");
    assert!(
        s.history("skipper/0", 10).await.unwrap().is_empty(),
        "{backend}"
    );
    assert_eq!(
        s.history("catcher/0", 10).await.unwrap().len(),
        1,
        "{backend}"
    );
    // Both are back on their minute: the next one fires normally.
    clock.advance_secs(60);
    assert_eq!(s.tick().await.unwrap(), 2, "{backend}");
}

queue_tests!(a_removed_schedule_no_longer_fires_and_a_new_holder_takes_over_an_expired_lease);
async fn a_removed_schedule_no_longer_fires_and_a_new_holder_takes_over_an_expired_lease(
    backend: QueueBackend,
) {
    let (q, t, clock) = common::queue_on(backend, FixedClock::at_ms(T0)).await;
    register(&t, T0, "wf", &[every_minute("wf/0", Misfire::Skip)]).await;
    let first = Scheduler::new(t.db.clone(), q.clone(), Arc::new(clock.clone()), "first");
    let second = Scheduler::new(t.db.clone(), q.clone(), Arc::new(clock.clone()), "second");
    clock.advance_secs(60);
    assert_eq!(first.tick().await.unwrap(), 1);
    // `first` dies holding the lease; `second` waits for it to run out (30 s).
    clock.advance_secs(20);
    assert_eq!(second.tick().await.unwrap(), 0, "{backend}");
    clock.advance_secs(40);
    assert_eq!(
        second.tick().await.unwrap(),
        1,
        "{backend}: the lease was not taken over"
    );
    let mut tx = t.db.system_tx().await.unwrap();
    remove_in(&mut tx, "wf").await.unwrap();
    tx.commit().await.unwrap();
    clock.advance_secs(60);
    assert_eq!(
        second.tick().await.unwrap(),
        0,
        "{backend}: removed schedule fired"
    );
}

#[tokio::test]
async fn a_schedule_that_never_fires_is_refused() {
    let t = TestDb::sqlite().await.unwrap();
    let spec = ScheduleSpec {
        cron: CronSchedule::parse("0 0 0 30 2 *", "UTC").unwrap(), // 30 February
        ..every_minute("feb", Misfire::Skip)
    };
    let mut tx = t.db.system_tx().await.unwrap();
    let err = register_in(&mut tx, T0, "x", None, &[spec])
        .await
        .unwrap_err();
    assert!(err.to_string().contains("never fires"), "{err}");
}

queue_tests!(every_other_week_fires_in_the_first_week_and_then_every_second_one);
async fn every_other_week_fires_in_the_first_week_and_then_every_second_one(backend: QueueBackend) {
    // Monday 08:59:30 UTC
    let (q, t, clock) = common::queue_on(backend, FixedClock::at_ms(T0)).await;
    let spec = ScheduleSpec {
        cron: CronSchedule::parse("0 0 9 * * 1", "UTC").unwrap(), // Mondays 09:00
        every_weeks: 2,
        ..every_minute("fortnightly", Misfire::Skip)
    };
    register(&t, T0, "f", &[spec]).await;
    let s = Scheduler::new(t.db.clone(), q.clone(), Arc::new(clock.clone()), "s");
    let mut fired = Vec::new();
    for week in 0..5 {
        clock.advance_secs(30); // 09:00:00 that Monday
        fired.push(s.tick().await.unwrap());
        clock.advance_secs(7 * 86_400 - 30);
        assert_eq!(
            s.tick().await.unwrap(),
            0,
            "{backend}: week {week} fired off its minute"
        );
    }
    assert_eq!(fired, vec![1, 0, 1, 0, 1], "{backend}");
}
