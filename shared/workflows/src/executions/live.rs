//! A run told to the event bus while it goes: started, each node (manual runs: the editor's
//! canvas follows them), finished or waiting. Inline sub-workflows belong to no stored
//! workflow and are not told.

use crate::records::{ExecutionRecord, WorkflowRef};
use agente_core::{ExecutionMode, TenantId, WorkflowId};
use agente_engine::{NodeFinished, RunObserver, RunRequest};
use agente_events::{Change, EventBus};
use std::sync::Arc;

/// One run's channel to the bus.
#[derive(Clone)]
pub(crate) struct LiveRun {
    bus: EventBus,
    tenant: TenantId,
    workflow: WorkflowId,
    execution: String,
}

impl LiveRun {
    /// Tells the bus the run starts; node by node too when it is a manual run.
    pub(crate) fn start(
        bus: &EventBus,
        tenant: TenantId,
        workflow: WorkflowRef,
        request: &mut RunRequest,
    ) -> Option<Self> {
        let live = Self {
            bus: bus.clone(),
            tenant,
            workflow: workflow.stored()?,
            execution: request.execution_id.to_string(),
        };
        live.tell(Change::ExecutionStarted {
            execution_id: live.execution.clone(),
            mode: request.mode.to_string(),
        });
        if request.mode == ExecutionMode::Manual {
            request.observer = Some(Arc::new(live.clone()));
        }
        Some(live)
    }

    /// Tells how the run ended (or that it waits).
    pub(crate) fn finish(&self, record: &ExecutionRecord) {
        let node = record
            .execution
            .as_ref()
            .and_then(|e| e.error.as_ref())
            .and_then(|e| e.node.clone());
        self.tell(Change::ExecutionFinished {
            execution_id: self.execution.clone(),
            status: record.status.to_string(),
            error: record.error.clone(),
            node,
        });
    }

    fn tell(&self, change: Change) {
        self.bus.publish(self.tenant, self.workflow, change);
    }
}
impl RunObserver for LiveRun {
    fn node_started(&self, node: &str) {
        self.tell(Change::NodeStarted {
            execution_id: self.execution.clone(),
            node: node.to_string(),
        });
    }

    fn node_finished(&self, finished: NodeFinished<'_>) {
        self.tell(Change::NodeFinished {
            execution_id: self.execution.clone(),
            node: finished.node.to_string(),
            items: finished.items,
            error: finished.error,
            millis: finished.millis,
        });
    }
}
