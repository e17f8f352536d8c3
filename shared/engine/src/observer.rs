//! Hearing a run while it goes: the service turns these calls into live updates (the canvas
//! shows each node's state and item counts as they happen). Called on the run's own task
//! between node runs, so an observer must return at once (hand the news to a channel).

/// What an observer hears of one node run that has ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeFinished<'a> {
    pub node: &'a str,
    /// Items on each main output, in output order.
    pub items: Vec<usize>,
    /// The error the node's run data shows (secrets masked), when it failed.
    pub error: Option<String>,
    /// Milliseconds the node ran.
    pub millis: u64,
}

pub trait RunObserver: Send + Sync {
    /// A node is about to run.
    fn node_started(&self, node: &str);
    /// A node ran (also one that failed and let the run go on).
    fn node_finished(&self, finished: NodeFinished<'_>);
}

impl std::fmt::Debug for dyn RunObserver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RunObserver")
    }
}
