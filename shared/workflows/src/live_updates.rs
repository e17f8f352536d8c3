//! Live updates as members see them: their tenant's events only, and only for those who may
//! read its workflows.

use crate::WorkflowService;
use crate::error::WorkflowServiceError as E;
use agente_auth::{Action, Principal, Resource, check_permission};
use agente_core::WorkflowId;
use agente_events::{Delivery, Filter};
use futures::Stream;

/// The longest event id a client may ask to resume from (a UUID is 36 characters).
const MAX_EVENT_ID_CHARS: usize = 64;

impl WorkflowService {
    /// The live updates of `workflow` (or of every workflow) that `p` may see, from after
    /// the event `last_seen` when this process still keeps it (else beginning with a gap).
    pub fn live_updates(
        &self,
        p: &Principal,
        workflow: Option<WorkflowId>,
        last_seen: Option<&str>,
    ) -> Result<impl Stream<Item = Delivery> + Send + use<>, E> {
        check_permission(p, Resource::Workflows, Action::Read)?;
        // An id no event has (too long to be one) resumes as an unknown one does: a gap.
        let last_seen = last_seen.map(|id| {
            if id.len() > MAX_EVENT_ID_CHARS {
                ""
            } else {
                id
            }
        });
        let filter = Filter {
            tenant: p.tenant_id,
            workflow,
        };
        Ok(self.events().subscribe(filter, last_seen))
    }
}
