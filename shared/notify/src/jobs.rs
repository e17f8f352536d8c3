//! The notifier's background jobs: `notify.event` fans an [`Event`] out to the rules that
//! want it, `notify.deliver` sends one delivery. Both name their tenant on the job.

use crate::event::Event;
use crate::service::{DELIVER_RETRY, Notifier, NotifierError};
use agente_jobs::{Handlers, JobCall, JobError, JobPayload, RetryPolicy};
use serde::{Deserialize, Serialize};

impl JobPayload for Event {
    const KIND: &'static str = "notify.event";
}

/// Sends one delivery of the log (its rule, message and attempts are in the row).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DeliverJob {
    pub delivery: String,
}

impl JobPayload for DeliverJob {
    const KIND: &'static str = "notify.deliver";
}

/// What a worker runs for each of the notifier's job types.
pub fn job_handlers(notifier: &Notifier) -> Handlers {
    let (fan_out, deliver) = (notifier.clone(), notifier.clone());
    Handlers::new()
        .register(RetryPolicy::default(), move |call: JobCall<Event>| {
            let notifier = fan_out.clone();
            async move {
                match notifier.fan_out(call.tenant()?, &call.payload).await {
                    Ok(_) => Ok(()),
                    Err(e @ NotifierError::BadInput(_)) => Err(JobError::Fatal(e.to_string())),
                    Err(e) => Err(JobError::Retry(e.to_string())),
                }
            }
        })
        .register(DELIVER_RETRY, move |call: JobCall<DeliverJob>| {
            let notifier = deliver.clone();
            async move {
                let tenant = call.tenant()?;
                notifier
                    .deliver(
                        tenant,
                        &call.payload.delivery,
                        call.attempt,
                        call.max_attempts,
                    )
                    .await
            }
        })
}
