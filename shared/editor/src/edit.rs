//! The smallest changes to a workflow, each answering its own inverse when applied.
//!
//! Connections are changed a whole source node at a time ([`Edit::SetOutgoing`]): one entry of
//! the `connections` map is small, and replacing it in place keeps the map's key order, so an
//! undo gives back exactly the JSON there was.

use agente_workflow_model::{Connection, Field, Node, Workflow};
use indexmap::IndexMap;
use serde_json::{Map, Number, Value};

/// Connection type (`main`, `ai_tool`, …) → per output index, the targets.
pub(crate) type Outputs = IndexMap<String, Vec<Option<Vec<Connection>>>>;

/// One change to a workflow.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Edit {
    /// Puts `node` at position `at` of the node list.
    InsertNode { at: usize, node: Box<Node> },
    /// Takes out the node at position `at`.
    RemoveNode { at: usize },
    /// Replaces the node at position `at`.
    ReplaceNode { at: usize, node: Box<Node> },
    /// Moves the node at position `at` (the commonest edit: it copies no parameters).
    SetPosition {
        at: usize,
        position: Field<Vec<Number>>,
    },
    /// Sets the connections going out of `source`, or with `None` removes its entry; a new
    /// entry goes in at position `at` of the map (where an undone removal had it).
    SetOutgoing {
        source: String,
        outputs: Option<Outputs>,
        at: usize,
    },
    /// Sets `node`'s pinned items, or with `None` unpins them; a new entry goes in at `at`.
    SetPinData {
        node: String,
        items: Option<Value>,
        at: usize,
    },
    /// Sets the workflow's name (absent, null or a text, as n8n may have written it).
    SetName(Field<String>),
    /// Turns an empty member back into absent or `null` (undoing the first entry put into a
    /// member the document did not have).
    Unset { member: Member, to: Missing },
}

/// The members edits make present when they were missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Member {
    Nodes,
    Connections,
    PinData,
}

/// How a member was missing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Missing {
    Absent,
    Null,
}

impl Edit {
    /// Applies the edit; answers the edits that undo it, to apply in order (none when it
    /// changed nothing: a position out of range, which commands never build).
    pub(crate) fn apply(self, wf: &mut Workflow) -> Vec<Edit> {
        let member = self.member();
        let was_missing = member.and_then(|m| m.missing(wf));
        let mut undo = self.apply_present(wf);
        if let (Some(member), Some(to), false) = (member, was_missing, undo.is_empty()) {
            undo.push(Edit::Unset { member, to });
        }
        undo
    }

    fn member(&self) -> Option<Member> {
        match self {
            Edit::InsertNode { .. }
            | Edit::RemoveNode { .. }
            | Edit::ReplaceNode { .. }
            | Edit::SetPosition { .. } => Some(Member::Nodes),
            Edit::SetOutgoing { .. } => Some(Member::Connections),
            Edit::SetPinData { .. } => Some(Member::PinData),
            Edit::SetName(_) | Edit::Unset { .. } => None,
        }
    }

    fn apply_present(self, wf: &mut Workflow) -> Vec<Edit> {
        match self {
            Edit::InsertNode { at, node } => {
                let nodes = nodes_mut(wf);
                let at = at.min(nodes.len());
                nodes.insert(at, *node);
                vec![Edit::RemoveNode { at }]
            }
            Edit::RemoveNode { at } => {
                let nodes = nodes_mut(wf);
                if at >= nodes.len() {
                    return Vec::new();
                }
                let node = Box::new(nodes.remove(at));
                vec![Edit::InsertNode { at, node }]
            }
            Edit::ReplaceNode { at, node } => match nodes_mut(wf).get_mut(at) {
                Some(slot) => {
                    let old = Box::new(std::mem::replace(slot, *node));
                    vec![Edit::ReplaceNode { at, node: old }]
                }
                None => Vec::new(),
            },
            Edit::SetPosition { at, position } => match nodes_mut(wf).get_mut(at) {
                Some(node) => {
                    let old = std::mem::replace(&mut node.position, position);
                    vec![Edit::SetPosition { at, position: old }]
                }
                None => Vec::new(),
            },
            Edit::SetOutgoing {
                source,
                outputs,
                at,
            } => {
                let (at, outputs) = put(connections_mut(wf), source.clone(), outputs, at);
                vec![Edit::SetOutgoing {
                    source,
                    outputs,
                    at,
                }]
            }
            Edit::SetPinData { node, items, at } => {
                let (at, items) = put_json(present(&mut wf.pin_data), node.clone(), items, at);
                vec![Edit::SetPinData { node, items, at }]
            }
            Edit::SetName(name) => vec![Edit::SetName(std::mem::replace(&mut wf.name, name))],
            Edit::Unset { member, to } => member.unset(wf, to),
        }
    }
}

impl Member {
    /// How the member is missing from `wf`, if it is.
    fn missing(self, wf: &Workflow) -> Option<Missing> {
        let shape = |absent: bool, null: bool| match (absent, null) {
            (true, _) => Some(Missing::Absent),
            (_, true) => Some(Missing::Null),
            _ => None,
        };
        match self {
            Member::Nodes => shape(wf.nodes.is_absent(), wf.nodes == Field::Null),
            Member::Connections => shape(wf.connections.is_absent(), wf.connections == Field::Null),
            Member::PinData => shape(wf.pin_data.is_absent(), wf.pin_data == Field::Null),
        }
    }

    /// Makes the member missing again if it is empty. Its inverse is nothing: every edit on
    /// a member makes it present first, and a redo applies that edit next.
    fn unset(self, wf: &mut Workflow, to: Missing) -> Vec<Edit> {
        fn clear<T: Default + PartialEq>(field: &mut Field<T>, to: Missing) {
            if field.get() == Some(&T::default()) {
                *field = match to {
                    Missing::Absent => Field::Absent,
                    Missing::Null => Field::Null,
                };
            }
        }
        match self {
            Member::Nodes => clear(&mut wf.nodes, to),
            Member::Connections => clear(&mut wf.connections, to),
            Member::PinData => clear(&mut wf.pin_data, to),
        }
        Vec::new()
    }
}

/// Sets or removes `key` in an ordered map; answers where it was and what it held.
fn put<V>(
    map: &mut IndexMap<String, V>,
    key: String,
    value: Option<V>,
    at: usize,
) -> (usize, Option<V>) {
    match (map.get_index_of(&key), value) {
        (Some(i), Some(v)) => (i, Some(std::mem::replace(&mut map[i], v))),
        (Some(i), None) => (i, map.shift_remove_index(i).map(|(_, v)| v)),
        (None, Some(v)) => {
            let at = at.min(map.len());
            map.shift_insert(at, key, v);
            (at, None)
        }
        (None, None) => (at, None),
    }
}

/// [`put`] for a JSON object (serde_json's ordered map has no positional insert).
fn put_json(
    map: &mut Map<String, Value>,
    key: String,
    value: Option<Value>,
    at: usize,
) -> (usize, Option<Value>) {
    let mut ordered: IndexMap<String, Value> = std::mem::take(map).into_iter().collect();
    let answer = put(&mut ordered, key, value, at);
    *map = ordered.into_iter().collect();
    answer
}

pub(crate) fn nodes_mut(wf: &mut Workflow) -> &mut Vec<Node> {
    present(&mut wf.nodes)
}

pub(crate) fn connections_mut(wf: &mut Workflow) -> &mut IndexMap<String, Outputs> {
    present(&mut wf.connections)
}

/// The value of a member, made present (empty) first when it was absent or null.
fn present<T: Default>(field: &mut Field<T>) -> &mut T {
    if !matches!(field, Field::Value(_)) {
        *field = Field::Value(T::default());
    }
    match field {
        Field::Value(v) => v,
        _ => unreachable!("made present above"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn workflow(v: Value) -> Workflow {
        serde_json::from_value(v).unwrap()
    }

    /// Applies `edit`, then what undoes it, then what redoes that: the JSON must come back
    /// each time. Answers the JSON after the edit.
    fn round_trip(wf: &mut Workflow, edit: Edit) -> Value {
        let before = wf.to_value();
        let undo = edit.apply(wf);
        assert!(!undo.is_empty(), "the edit applies");
        let after = wf.to_value();
        let mut redo: Vec<Vec<Edit>> = undo.into_iter().map(|e| e.apply(wf)).collect();
        assert_eq!(wf.to_value(), before, "undo restores the JSON");
        redo.reverse();
        for e in redo.into_iter().flatten() {
            e.apply(wf);
        }
        assert_eq!(wf.to_value(), after, "redo restores the edit");
        after
    }

    #[test]
    fn every_edit_is_undone_and_redone_exactly() {
        let mut wf = workflow(json!({
            "name": "W",
            "nodes": [{"name": "A", "type": "t", "position": [0, 0]}, {"name": "B", "type": "t"}],
            "connections": {
                "A": {"main": [[{"node": "B", "type": "main", "index": 0}]]},
                "B": {"main": [[]]}
            },
            "pinData": {"A": [{"json": {"x": 1}}], "B": []}
        }));
        let node: Node = serde_json::from_value(json!({"name": "C", "type": "t"})).unwrap();
        let after = round_trip(
            &mut wf,
            Edit::InsertNode {
                at: 1,
                node: Box::new(node.clone()),
            },
        );
        assert_eq!(after["nodes"][1]["name"], "C");
        round_trip(&mut wf, Edit::RemoveNode { at: 0 });
        let after = round_trip(
            &mut wf,
            Edit::SetPosition {
                at: 0,
                position: Field::Value(vec![Number::from(20), Number::from(-40)]),
            },
        );
        assert_eq!(after["nodes"][0]["position"], json!([20, -40]));
        round_trip(
            &mut wf,
            Edit::ReplaceNode {
                at: 1,
                node: Box::new(node),
            },
        );
        // Removing the first entry and putting it back keeps it first.
        let after = round_trip(
            &mut wf,
            Edit::SetOutgoing {
                source: "A".into(),
                outputs: None,
                at: 0,
            },
        );
        assert_eq!(after["connections"], json!({"B": {"main": [[]]}}));
        round_trip(
            &mut wf,
            Edit::SetOutgoing {
                source: "C".into(),
                outputs: Some(Outputs::new()),
                at: 1,
            },
        );
        round_trip(
            &mut wf,
            Edit::SetPinData {
                node: "A".into(),
                items: None,
                at: 0,
            },
        );
        round_trip(
            &mut wf,
            Edit::SetPinData {
                node: "B".into(),
                items: Some(json!([1])),
                at: 0,
            },
        );
        round_trip(&mut wf, Edit::SetName(Field::Value("V".into())));
    }

    #[test]
    fn members_the_document_lacked_come_back_lacking() {
        let mut wf = workflow(json!({"name": "W", "pinData": null}));
        let after = round_trip(
            &mut wf,
            Edit::SetOutgoing {
                source: "A".into(),
                outputs: Some(Outputs::new()),
                at: 0,
            },
        );
        assert_eq!(after["connections"], json!({"A": {}}));
        round_trip(
            &mut wf,
            Edit::SetPinData {
                node: "A".into(),
                items: Some(json!([])),
                at: 0,
            },
        );
        // (round_trip checked that each undo gave back the members as missing as they were.)
    }

    #[test]
    fn an_edit_out_of_range_changes_nothing() {
        let mut wf = workflow(json!({"nodes": []}));
        assert!(Edit::RemoveNode { at: 3 }.apply(&mut wf).is_empty());
        assert!(
            Edit::ReplaceNode {
                at: 0,
                node: Box::default()
            }
            .apply(&mut wf)
            .is_empty()
        );
        assert_eq!(wf.to_value(), json!({"nodes": []}));
    }
}
