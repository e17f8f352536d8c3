//! Copy, cut, paste and duplicate in n8n's clipboard format: the text n8n's editor puts on
//! the clipboard is workflow JSON with the copied `nodes`, the `connections` among them and
//! their `pinData`, so nodes copied in n8n paste here and the other way round.

use crate::edit::{Edit, Outputs};
use crate::editor::{Editor, EditorError, Point, position, position_of};
use crate::names::{rename_references, unique_name};
use agente_workflow_model::{Field, Node, Workflow};
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet};

/// The most text a paste reads.
pub const MAX_PASTE_BYTES: usize = 8 * 1024 * 1024;
/// The most nodes one paste adds.
pub const MAX_PASTE_NODES: usize = 2_000;

/// Why a paste changed nothing.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum PasteError {
    #[error("the clipboard does not hold n8n nodes: {0}")]
    NotNodes(String),
    #[error("the clipboard holds no nodes")]
    NoNodes,
    #[error("the clipboard holds more than {MAX_PASTE_BYTES} bytes")]
    TooLarge,
    #[error("a paste adds at most {MAX_PASTE_NODES} nodes")]
    TooManyNodes,
}

/// Where duplicates go, from their originals.
const DUPLICATE_OFFSET: f64 = 40.0;

impl Editor {
    /// The nodes as n8n's clipboard text (pretty JSON, as n8n writes it).
    pub fn copy(&self, names: &[&str]) -> Result<String, EditorError> {
        for name in names {
            self.index_of(name)?;
        }
        let chosen: HashSet<&str> = names.iter().copied().collect();
        let wf = self.workflow();
        let nodes: Vec<&Node> = wf
            .nodes()
            .iter()
            .filter(|n| chosen.contains(n.name.as_str()))
            .collect();
        let mut connections = Map::new();
        for (source, outputs) in wf.connections().into_iter().flatten() {
            if chosen.contains(source.as_str()) {
                let kept = keep_targets(outputs, |t| chosen.contains(t).then(|| t.to_string()));
                connections.insert(source.clone(), json!(kept));
            }
        }
        let mut copied = json!({ "nodes": nodes, "connections": connections });
        let pins: Map<String, Value> = wf
            .pin_data
            .get()
            .into_iter()
            .flatten()
            .filter(|(k, _)| chosen.contains(k.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if !pins.is_empty() {
            copied["pinData"] = Value::Object(pins);
        }
        Ok(serde_json::to_string_pretty(&copied).unwrap_or_default())
    }

    /// Copies the nodes, then removes them, as one undo step.
    pub fn cut(&mut self, names: &[&str]) -> Result<String, EditorError> {
        let text = self.copy(names)?;
        self.remove_nodes(names)?;
        Ok(text)
    }

    /// Pastes clipboard text with the copied block's top-left corner at `at`. Names are made
    /// unique (and expressions that name a pasted node follow), ids and webhook ids are new,
    /// connections to nodes that were not copied are dropped. Answers the new names.
    pub fn paste(&mut self, text: &str, at: Point) -> Result<Vec<String>, PasteError> {
        if text.len() > MAX_PASTE_BYTES {
            return Err(PasteError::TooLarge);
        }
        let copied =
            Workflow::from_json(text.trim()).map_err(|e| PasteError::NotNodes(e.to_string()))?;
        match copied.nodes().len() {
            0 => return Err(PasteError::NoNodes),
            n if n > MAX_PASTE_NODES => return Err(PasteError::TooManyNodes),
            _ => {}
        }
        let (given, names) = self.names_for(copied.nodes());
        let mut edits = self.inserted(&copied, &given, &names, at);
        edits.extend(self.wired(&copied, &names));
        edits.extend(self.pinned(&copied, &names));
        self.commit(edits);
        Ok(given)
    }

    /// The copied nodes under their new names, ids and positions, added at the end.
    fn inserted(
        &mut self,
        copied: &Workflow,
        given: &[String],
        names: &HashMap<String, String>,
        at: Point,
    ) -> Vec<Edit> {
        let corner = top_left(copied.nodes());
        let end = self.workflow().nodes().len();
        let mut edits = Vec::with_capacity(given.len());
        for ((node, name), at_node) in copied.nodes().iter().zip(given).zip(end..) {
            let mut node = node.clone();
            let p = position(&node);
            node.position = position_of(Point {
                x: at.x + p.x - corner.x,
                y: at.y + p.y - corner.y,
            });
            node.name = name.clone();
            node.id = Field::Value(self.fresh_id());
            if node.webhook_id.get().is_some() {
                node.webhook_id = Field::Value(self.fresh_id());
            }
            if let Field::Value(params) = &mut node.parameters {
                rename_all(params, names);
            }
            edits.push(Edit::InsertNode {
                at: at_node,
                node: Box::new(node),
            });
        }
        edits
    }

    /// The copied connections among copied nodes, under the new names.
    fn wired(&self, copied: &Workflow, names: &HashMap<String, String>) -> Vec<Edit> {
        let end = self.workflow().connections().map_or(0, |c| c.len());
        let sources = copied
            .connections()
            .into_iter()
            .flatten()
            .filter_map(|(source, outputs)| Some((names.get(source)?, outputs)));
        sources
            .zip(end..)
            .map(|((source, outputs), at)| Edit::SetOutgoing {
                source: source.clone(),
                outputs: Some(keep_targets(outputs, |t| names.get(t).cloned())),
                at,
            })
            .collect()
    }

    /// The copied nodes' pinned items, under the new names.
    fn pinned(&self, copied: &Workflow, names: &HashMap<String, String>) -> Vec<Edit> {
        let end = self.workflow().pin_data.get().map_or(0, |p| p.len());
        let pins = copied
            .pin_data
            .get()
            .into_iter()
            .flatten()
            .filter_map(|(node, items)| Some((names.get(node)?, items)));
        pins.zip(end..)
            .map(|((node, items), at)| Edit::SetPinData {
                node: node.clone(),
                items: Some(items.clone()),
                at,
            })
            .collect()
    }

    /// Copies of the nodes beside them, connected among themselves as the originals are.
    pub fn duplicate(&mut self, names: &[&str]) -> Result<Vec<String>, EditorError> {
        let text = self.copy(names)?;
        let nodes: Vec<Node> = names.iter().filter_map(|n| self.node(n).cloned()).collect();
        let corner = top_left(&nodes);
        let at = Point {
            x: corner.x + DUPLICATE_OFFSET,
            y: corner.y + DUPLICATE_OFFSET,
        };
        // The text is our own copy of existing nodes: it always pastes.
        Ok(self.paste(&text, at).unwrap_or_default())
    }

    /// A unique name for each copied node (not taken by the workflow nor by another copy),
    /// and old name → new name for connections and expressions (the first node of a name,
    /// where a hand-made clipboard repeats one).
    fn names_for(&self, nodes: &[Node]) -> (Vec<String>, HashMap<String, String>) {
        let mut given: Vec<String> = Vec::with_capacity(nodes.len());
        let mut taken: HashSet<String> = HashSet::new();
        let mut names = HashMap::new();
        for node in nodes {
            let name = unique_name(&node.name, |n| self.name_taken(n) || taken.contains(n));
            taken.insert(name.clone());
            names
                .entry(node.name.clone())
                .or_insert_with(|| name.clone());
            given.push(name);
        }
        (given, names)
    }
}

/// The outputs with each target renamed by `keep`, or dropped where it answers `None`.
fn keep_targets(outputs: &Outputs, keep: impl Fn(&str) -> Option<String>) -> Outputs {
    let mut outputs = outputs.clone();
    for targets in outputs.values_mut().flatten().flatten() {
        targets.retain_mut(|t| match keep(&t.node) {
            Some(name) => {
                t.node = name;
                true
            }
            None => false,
        });
    }
    outputs
}

/// Rewrites references to every renamed node at once (through placeholders, so that `A`→`A1`
/// and `A1`→`A2` in one paste do not run into each other).
fn rename_all(params: &mut Map<String, Value>, names: &HashMap<String, String>) {
    let mut renamed: Vec<(&String, &String)> =
        names.iter().filter(|(old, new)| old != new).collect();
    renamed.sort_unstable();
    if renamed.is_empty() {
        return;
    }
    let mut value = Value::Object(std::mem::take(params));
    let placeholder = |i: usize| format!("\u{0}pasted-node-{i}\u{0}");
    for (i, (old, _)) in renamed.iter().enumerate() {
        rename_references(&mut value, old, &placeholder(i));
    }
    for (i, (_, new)) in renamed.iter().enumerate() {
        rename_references(&mut value, &placeholder(i), new);
    }
    if let Value::Object(map) = value {
        *params = map;
    }
}

/// The top-left corner of the nodes' positions.
fn top_left(nodes: &[Node]) -> Point {
    nodes
        .iter()
        .map(position)
        .reduce(|a, b| Point {
            x: a.x.min(b.x),
            y: a.y.min(b.y),
        })
        .unwrap_or_default()
}
