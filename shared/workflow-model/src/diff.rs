//! What changed from one version of a workflow to another, node by node, as the version
//! history shows it. Nodes are matched by their `id` where both have one (so a rename is a
//! rename, not a removal and an addition), else by name.

use crate::{Node, Workflow};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Changes {
    pub added: Vec<String>,
    pub removed: Vec<String>,
    pub renamed: Vec<Renamed>,
    /// Parameters, settings, credentials or type changed (by the newer name).
    pub changed: Vec<String>,
    /// Only the position changed.
    pub moved: Vec<String>,
    pub connections_changed: bool,
    pub settings_changed: bool,
    pub name_changed: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Renamed {
    pub from: String,
    pub to: String,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        *self == Changes::default()
    }
}

/// The changes that make `old` into `new`.
pub fn compare(old: &Workflow, new: &Workflow) -> Changes {
    let mut changes = Changes::default();
    let mut matched = vec![false; old.nodes().len()];
    for node in new.nodes() {
        let Some(at) = counterpart(old.nodes(), &matched, node) else {
            changes.added.push(node.name.clone());
            continue;
        };
        matched[at] = true;
        let before = &old.nodes()[at];
        if before.name != node.name {
            changes.renamed.push(Renamed {
                from: before.name.clone(),
                to: node.name.clone(),
            });
        }
        let (a, b) = (content(before), content(node));
        if a != b {
            changes.changed.push(node.name.clone());
        } else if before.position != node.position {
            changes.moved.push(node.name.clone());
        }
    }
    changes.removed = old
        .nodes()
        .iter()
        .zip(&matched)
        .filter(|(_, m)| !**m)
        .map(|(n, _)| n.name.clone())
        .collect();
    changes.connections_changed = connections(old) != connections(new);
    changes.settings_changed = old.to_value().get("settings") != new.to_value().get("settings");
    changes.name_changed = old.name() != new.name();
    changes
}

/// The unmatched node of `old` that `node` continues: same id, else same name.
fn counterpart(old: &[Node], matched: &[bool], node: &Node) -> Option<usize> {
    let free = |i: &usize| !matched[*i];
    if let Some(id) = node.id.get()
        && let Some(at) = (0..old.len())
            .filter(free)
            .find(|&i| old[i].id.get() == Some(id))
    {
        return Some(at);
    }
    (0..old.len()).filter(free).find(|&i| {
        old[i].name == node.name
            && (old[i].id.get().is_none() || node.id.get().is_none() || old[i].id == node.id)
    })
}

/// A node as it runs: everything but where it is drawn and what it is called.
fn content(node: &Node) -> Value {
    let mut value = serde_json::to_value(node).unwrap_or_default();
    if let Some(fields) = value.as_object_mut() {
        fields.remove("position");
        fields.remove("name");
    }
    value
}

/// Connections by the names they hold; renames show as connection changes too.
fn connections(w: &Workflow) -> Value {
    w.to_value()
        .get("connections")
        .cloned()
        .unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wf(nodes: Value, connections: Value) -> Workflow {
        Workflow::from_json(
            &serde_json::json!({"name": "w", "nodes": nodes, "connections": connections})
                .to_string(),
        )
        .unwrap()
    }

    #[test]
    fn nodes_added_removed_renamed_changed_and_moved_are_told_apart() {
        let old = wf(
            serde_json::json!([
                {"id": "1", "name": "Hook", "type": "n8n-nodes-base.webhook", "position": [0, 0], "parameters": {"path": "a"}},
                {"id": "2", "name": "Set", "type": "n8n-nodes-base.set", "position": [200, 0], "parameters": {}},
                {"id": "3", "name": "Gone", "type": "n8n-nodes-base.noOp", "position": [400, 0]},
                {"id": "4", "name": "Still", "type": "n8n-nodes-base.noOp", "position": [600, 0]}
            ]),
            serde_json::json!({"Hook": {"main": [[{"node": "Set", "type": "main", "index": 0}]]}}),
        );
        let new = wf(
            serde_json::json!([
                {"id": "1", "name": "Hook", "type": "n8n-nodes-base.webhook", "position": [0, 0], "parameters": {"path": "b"}},
                {"id": "2", "name": "Fields", "type": "n8n-nodes-base.set", "position": [200, 0], "parameters": {}},
                {"id": "4", "name": "Still", "type": "n8n-nodes-base.noOp", "position": [620, 40]},
                {"id": "5", "name": "New", "type": "n8n-nodes-base.noOp", "position": [800, 0]}
            ]),
            serde_json::json!({"Hook": {"main": [[{"node": "Fields", "type": "main", "index": 0}]]}}),
        );
        let c = compare(&old, &new);
        assert_eq!(c.added, ["New"]);
        assert_eq!(c.removed, ["Gone"]);
        assert_eq!(
            c.renamed,
            [Renamed {
                from: "Set".into(),
                to: "Fields".into()
            }]
        );
        assert_eq!(c.changed, ["Hook"]);
        assert_eq!(c.moved, ["Still"]);
        assert!(c.connections_changed && !c.settings_changed && !c.name_changed);
        assert!(compare(&new, &new).is_empty());
    }

    #[test]
    fn nodes_without_ids_are_matched_by_name() {
        let old = wf(
            serde_json::json!([{"name": "A", "type": "x", "position": [0, 0]}]),
            serde_json::json!({}),
        );
        let new = wf(
            serde_json::json!([{"name": "A", "type": "x", "position": [0, 20]}]),
            serde_json::json!({}),
        );
        assert_eq!(compare(&old, &new).moved, ["A"]);
    }
}
