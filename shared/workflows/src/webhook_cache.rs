//! Production webhook routes resolved recently, with their parsed workflow.
//!
//! Resolving a call takes two reads (which tenant owns the path, then the registration and
//! its workflow) and a JSON parse of the workflow; under load those were most of a call's
//! database trips and thread hand-offs. An entry serves for `FRESH_FOR` at most: changes
//! made by this process (save, activate, deactivate, delete) end every entry at once, and
//! changes made by another process sharing the database are seen within `FRESH_FOR` (n8n's
//! multi-main mode has the same kind of delay). `/webhook-test/` calls are never cached.

use crate::webhook_call::ResolvedRoute;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long another process's change may go unseen.
const FRESH_FOR: Duration = Duration::from_secs(2);
/// Entries kept at most; the map is emptied when full (routes are few per deployment).
const MAX_ENTRIES: usize = 10_000;

struct Entry {
    at: Instant,
    generation: u64,
    route: Arc<ResolvedRoute>,
}

#[derive(Default)]
pub(crate) struct WebhookCache {
    entries: Mutex<HashMap<(String, String), Entry>>,
    /// Bumped by every change of a workflow or its activation in this process.
    generation: AtomicU64,
}

impl WebhookCache {
    /// The generation to pass to `put` for a route resolved from reads started now.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Ends every entry. Call after the change has committed: a resolution that read the
    /// old rows carries the old generation and is not served.
    pub(crate) fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
    }

    pub(crate) fn get(&self, method: &str, path: &str) -> Option<Arc<ResolvedRoute>> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let entry = entries.get(&(method.to_string(), path.to_string()))?;
        (entry.generation == self.generation() && entry.at.elapsed() < FRESH_FOR)
            .then(|| entry.route.clone())
    }

    pub(crate) fn put(&self, method: &str, path: &str, generation: u64, route: Arc<ResolvedRoute>) {
        if generation != self.generation() {
            return;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MAX_ENTRIES {
            entries.clear();
        }
        entries.insert(
            (method.to_string(), path.to_string()),
            Entry {
                at: Instant::now(),
                generation,
                route,
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use agente_core::{TenantId, WorkflowId};
    use agente_workflow_model::Workflow;

    fn route() -> Arc<ResolvedRoute> {
        Arc::new(ResolvedRoute {
            tenant: TenantId::new(),
            workflow_id: WorkflowId::new(),
            node: "Webhook".into(),
            params: Default::default(),
            workflow: Arc::new(Workflow::from_json(r#"{"nodes": [], "connections": {}}"#).unwrap()),
        })
    }

    #[test]
    fn a_change_in_this_process_ends_entries_including_ones_read_before_it() {
        let cache = WebhookCache::default();
        let g = cache.generation();
        cache.put("POST", "a", g, route());
        assert!(cache.get("POST", "a").is_some());
        assert!(cache.get("GET", "a").is_none());
        // Read before the change, stored after it: never served.
        let before = cache.generation();
        cache.invalidate();
        assert!(cache.get("POST", "a").is_none());
        cache.put("POST", "b", before, route());
        assert!(cache.get("POST", "b").is_none());
    }
}
