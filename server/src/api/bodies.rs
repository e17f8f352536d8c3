//! Envelopes of the REST answers that are lists or counts. The items themselves are the
//! domain crates' bodies (`WorkflowBody`, `DeadJob`, …).

use serde::Serialize;
use utoipa::ToSchema;

/// A whole list, in n8n's envelope: `{"data": [...]}`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Listed<T> {
    pub data: Vec<T>,
}

impl<T> From<Vec<T>> for Listed<T> {
    fn from(data: Vec<T>) -> Self {
        Self { data }
    }
}

/// How many things a delete removed.
#[derive(Debug, Serialize, ToSchema)]
pub struct Deleted {
    pub deleted: u64,
}
