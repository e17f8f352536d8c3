//! The unsaved draft kept in the browser's storage after every change, so that a closed tab,
//! a crash or a lost connection loses nothing. It remembers the version it was based on: a
//! restored draft is saved against that version, so a newer save by someone else is a
//! conflict the user sees, not something silently overwritten.

use super::browser;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    /// The stored version the draft started from (none for a workflow never saved).
    pub base: Option<i64>,
    /// When it was written (Unix ms).
    pub at: f64,
    pub json: String,
}

const PREFIX: &str = "agente.draft.";

/// Where a member's draft of a workflow is kept: per member, so that someone else signing
/// in on this browser is never offered it.
pub fn key(user: &str, id: Option<&str>) -> String {
    format!("{PREFIX}{user}.{}", id.unwrap_or("new"))
}

/// Forgets every draft in this browser (at log-out).
pub fn forget_all() {
    browser::forget_prefixed(PREFIX);
}

pub fn load(key: &str) -> Option<Draft> {
    serde_json::from_str(&browser::load(key)?).ok()
}

/// Writes the draft; `false` when the browser refused (storage full or off).
pub fn store(key: &str, base: Option<i64>, json: String) -> bool {
    let draft = Draft {
        base,
        at: browser::now_ms(),
        json,
    };
    serde_json::to_string(&draft).is_ok_and(|text| browser::store(key, &text))
}

pub fn forget(key: &str) {
    browser::forget(key);
}

/// The query that makes `/workflows/new` open the member's new-workflow draft at once
/// instead of offering it (the assistant's "Open in editor").
pub const OPEN_QUERY: &str = "draft";

/// Keeps `json` as the member's draft of a new workflow and answers where the editor opens
/// it; `None` when the browser refused to keep it.
pub fn open_as_new(user: &str, json: String) -> Option<String> {
    store(&key(user, None), None, json).then(|| format!("/workflows/new?{OPEN_QUERY}=open"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_per_workflow_and_drafts_read_back() {
        assert_eq!(key("u1", Some("w1")), "agente.draft.u1.w1");
        assert_eq!(key("u2", None), "agente.draft.u2.new");
        let d = Draft {
            base: Some(3),
            at: 1.0,
            json: "{}".into(),
        };
        let back: Draft = serde_json::from_str(&serde_json::to_string(&d).unwrap()).unwrap();
        assert_eq!(back, d);
    }
}
