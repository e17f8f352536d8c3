//! Sandboxes kept warm between executions. Starting QuickJS and loading the prelude costs
//! far more than a small workflow's run, so each execution borrows a sandbox and gives it
//! back. Sandboxes are pooled per key (the service uses the tenant) because code may leave
//! globals behind; a sandbox that no longer evaluates (after running out of memory) is
//! dropped.

use crate::expr::{EvalError, Limits, Sandbox};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Most idle sandboxes kept, over all keys.
const MAX_IDLE: usize = 64;

#[derive(Clone, Default)]
pub(crate) struct SandboxPool {
    idle: Arc<Mutex<HashMap<String, Vec<Sandbox>>>>,
}

impl std::fmt::Debug for SandboxPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SandboxPool")
    }
}

impl SandboxPool {
    pub fn take(&self, key: &str, limits: Limits) -> Result<Sandbox, EvalError> {
        let reused = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_mut(key)
            .and_then(Vec::pop);
        match reused {
            Some(sandbox) => Ok(sandbox),
            None => Sandbox::new(limits),
        }
    }

    pub fn give_back(&self, key: &str, sandbox: Sandbox) {
        if !sandbox.is_healthy() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        if idle.values().map(Vec::len).sum::<usize>() >= MAX_IDLE {
            // Make room: forget the sandboxes of some other key first.
            let other = idle.keys().find(|k| k.as_str() != key).cloned();
            match other {
                Some(other) => {
                    idle.remove(&other);
                }
                None => return,
            }
        }
        idle.entry(key.to_string()).or_default().push(sandbox);
    }
}
