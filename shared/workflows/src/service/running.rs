//! Executions running in this process, so that a stop request can reach them.

use agente_core::TenantId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tokio_util::sync::CancellationToken;

#[derive(Clone, Default)]
pub(crate) struct Running {
    inner: Arc<Mutex<HashMap<String, (TenantId, CancellationToken)>>>,
}

/// Removes its execution from the registry when the run ends (however it ends).
pub(crate) struct Registration {
    running: Running,
    id: String,
}

impl Running {
    pub fn register(&self, id: &str, tenant: TenantId, token: CancellationToken) -> Registration {
        self.lock().insert(id.to_string(), (tenant, token));
        Registration {
            running: self.clone(),
            id: id.to_string(),
        }
    }

    /// Cancels the execution if it runs here for `tenant`; false otherwise.
    pub fn cancel(&self, id: &str, tenant: TenantId) -> bool {
        match self.lock().get(id) {
            Some((owner, token)) if *owner == tenant => {
                token.cancel();
                true
            }
            _ => false,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (TenantId, CancellationToken)>> {
        // The map stays consistent even if a holder panicked: every change is one call.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.running.lock().remove(&self.id);
    }
}
