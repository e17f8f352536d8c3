//! Executions running in this process, so that a stop request can reach them; and the
//! manual runs of each tenant, which its plan caps.

use agente_core::{ExecutionId, TenantId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use tokio_util::sync::CancellationToken;

#[derive(Clone, Default)]
pub(crate) struct Running {
    inner: Arc<Mutex<HashMap<ExecutionId, (TenantId, CancellationToken)>>>,
    manual: Arc<Mutex<HashMap<TenantId, u32>>>,
}

/// One manual run's place under its tenant's cap, given back when dropped.
pub(crate) struct ManualSlot {
    manual: Arc<Mutex<HashMap<TenantId, u32>>>,
    tenant: TenantId,
}

impl Drop for ManualSlot {
    fn drop(&mut self) {
        let mut manual = self.manual.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(n) = manual.get_mut(&self.tenant) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                manual.remove(&self.tenant);
            }
        }
    }
}

/// Removes its execution from the registry when the run ends (however it ends).
pub(crate) struct Registration {
    running: Running,
    id: ExecutionId,
}

impl Running {
    pub fn register(
        &self,
        id: ExecutionId,
        tenant: TenantId,
        token: CancellationToken,
    ) -> Registration {
        self.lock().insert(id, (tenant, token));
        Registration {
            running: self.clone(),
            id,
        }
    }

    /// Cancels the execution if it runs here for `tenant`; false otherwise.
    pub fn cancel(&self, id: ExecutionId, tenant: TenantId) -> bool {
        match self.lock().get(&id) {
            Some((owner, token)) if *owner == tenant => {
                token.cancel();
                true
            }
            _ => false,
        }
    }

    /// A place for one more manual run of `tenant`, unless `cap` of them run already.
    pub fn start_manual(&self, tenant: TenantId, cap: Option<u32>) -> Option<ManualSlot> {
        let mut manual = self.manual.lock().unwrap_or_else(PoisonError::into_inner);
        let running = manual.entry(tenant).or_default();
        if cap.is_some_and(|cap| *running >= cap) {
            return None;
        }
        *running += 1;
        Some(ManualSlot {
            manual: self.manual.clone(),
            tenant,
        })
    }

    fn lock(
        &self,
    ) -> std::sync::MutexGuard<'_, HashMap<ExecutionId, (TenantId, CancellationToken)>> {
        // The map stays consistent even if a holder panicked: every change is one call.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.running.lock().remove(&self.id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_runs_are_capped_per_tenant_and_give_their_place_back() {
        let running = Running::default();
        let (a, b) = (TenantId::new(), TenantId::new());
        let first = running.start_manual(a, Some(2)).unwrap();
        let _second = running.start_manual(a, Some(2)).unwrap();
        assert!(running.start_manual(a, Some(2)).is_none());
        assert!(
            running.start_manual(b, Some(2)).is_some(),
            "another tenant's are apart"
        );
        assert!(running.start_manual(a, None).is_some(), "no cap");
        drop(first);
        assert!(running.start_manual(a, Some(2)).is_some());
    }
}
