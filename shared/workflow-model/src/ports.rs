//! A node's inputs and outputs as n8n defines them per type: how many `main` outputs (IF has
//! two, a Switch one per rule), what they are called, whether the node takes a `main` input,
//! and the `ai_*` connections an AI root node accepts or a sub-node gives. The engine sizes
//! a node's outputs from here and the canvas draws the handles from here, so both agree.

use crate::catalogue::{self, Group};
use crate::{Node, OnError};
use serde_json::Value;

const LANGCHAIN: &str = "@n8n/n8n-nodes-langchain.";

/// The most outputs a node may have (n8n's Switch editor offers far fewer): a document
/// cannot make the engine or the canvas allocate without bound.
pub const MAX_OUTPUTS: usize = 64;

/// How many regular `main` outputs a node has (an error output, when used, comes after them).
pub fn main_outputs(node: &Node) -> usize {
    match node.kind.as_str() {
        "n8n-nodes-base.if" => 2,
        "n8n-nodes-base.switch" => switch_outputs(node),
        "n8n-nodes-base.splitInBatches" if node.type_version() >= 3.0 => 2,
        _ => 1,
    }
}

/// A Switch's outputs: one per rule (and a fallback output when asked), or in expression
/// mode the number it declares (n8n's default 4).
fn switch_outputs(node: &Node) -> usize {
    let p = node.parameters();
    if p.get("mode").and_then(Value::as_str) == Some("expression") {
        let declared = p.get("numberOutputs").and_then(Value::as_u64).unwrap_or(4);
        return usize::try_from(declared).map_or(MAX_OUTPUTS, |n| n.min(MAX_OUTPUTS));
    }
    let rules = p
        .get("rules")
        .and_then(|r| r.get("values"))
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let extra = p
        .get("options")
        .and_then(|o| o.get("fallbackOutput"))
        .and_then(Value::as_str)
        == Some("extra");
    (rules + usize::from(extra)).min(MAX_OUTPUTS)
}

/// The label of every output the canvas draws, regular ones first, then `error` when the
/// node sends failures to an output of their own. Empty labels for plain single outputs.
pub fn output_labels(node: &Node) -> Vec<String> {
    let mut labels: Vec<String> = match node.kind.as_str() {
        _ if ai_output(node).is_some() => Vec::new(),
        "n8n-nodes-base.stickyNote" => Vec::new(),
        "n8n-nodes-base.if" => vec!["true".into(), "false".into()],
        "n8n-nodes-base.splitInBatches" if node.type_version() >= 3.0 => {
            vec!["done".into(), "loop".into()]
        }
        "n8n-nodes-base.switch" => (0..switch_outputs(node).max(1))
            .map(|i| i.to_string())
            .collect(),
        _ => vec![String::new()],
    };
    if node.on_error() == OnError::ContinueErrorOutput && !labels.is_empty() {
        if labels.len() == 1 {
            labels[0] = "success".into();
        }
        labels.push("error".into());
    }
    labels
}

/// How many `main` inputs a node takes: none for triggers, sticky notes and AI sub-nodes,
/// two for Merge.
pub fn main_inputs(node: &Node) -> usize {
    let kind = node.kind.as_str();
    if catalogue::is_trigger(kind)
        || kind == "n8n-nodes-base.stickyNote"
        || ai_output(node).is_some()
    {
        return 0;
    }
    match kind {
        "n8n-nodes-base.merge" => 2,
        _ => 1,
    }
}

/// The connection type an AI sub-node gives its parent (`ai_languageModel`, `ai_tool`, …).
pub fn ai_output(node: &Node) -> Option<&'static str> {
    ai_output_of(&node.kind)
}

/// [`ai_output`] by type name: whether the type is a sub-node, and of which connection.
pub fn ai_output_of(kind: &str) -> Option<&'static str> {
    let kind = kind.strip_prefix(LANGCHAIN)?;
    [
        ("lmChat", "ai_languageModel"),
        ("lm", "ai_languageModel"),
        ("tool", "ai_tool"),
        ("memory", "ai_memory"),
        ("outputParser", "ai_outputParser"),
        ("embeddings", "ai_embedding"),
        ("vectorStore", "ai_vectorStore"),
        ("retriever", "ai_retriever"),
        ("documentDefaultDataLoader", "ai_document"),
        ("textSplitter", "ai_textSplitter"),
    ]
    .into_iter()
    .find(|(prefix, _)| kind.starts_with(prefix))
    .map(|(_, ai)| ai)
}

/// The `ai_*` connections an AI root node accepts, in the order n8n draws them under it.
pub fn ai_inputs(node: &Node) -> &'static [&'static str] {
    match node.kind.strip_prefix(LANGCHAIN) {
        Some("agent") => &[
            "ai_languageModel",
            "ai_memory",
            "ai_tool",
            "ai_outputParser",
        ],
        Some("chainLlm") => &["ai_languageModel", "ai_outputParser"],
        Some(k) if k.starts_with("chain") => &["ai_languageModel"],
        _ => &[],
    }
}

/// Whether the node sits in the AI group of the catalogue (or is a LangChain node it does
/// not know).
pub fn is_ai(node: &Node) -> bool {
    catalogue::lookup(&node.kind).map_or(node.kind.starts_with(LANGCHAIN), |t| t.group == Group::Ai)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn node(kind: &str, extra: Value) -> Node {
        let mut v = json!({"name": "n", "type": kind});
        if let (Some(o), Value::Object(e)) = (v.as_object_mut(), extra) {
            o.extend(e);
        }
        serde_json::from_value(v).unwrap()
    }

    #[test]
    fn outputs_follow_the_type_and_the_error_setting() {
        assert_eq!(output_labels(&node("n8n-nodes-base.set", json!({}))), [""]);
        assert_eq!(
            output_labels(&node("n8n-nodes-base.if", json!({}))),
            ["true", "false"]
        );
        assert_eq!(
            output_labels(&node(
                "n8n-nodes-base.set",
                json!({"onError": "continueErrorOutput"})
            )),
            ["success", "error"]
        );
        assert_eq!(
            output_labels(&node(
                "n8n-nodes-base.if",
                json!({"onError": "continueErrorOutput"})
            )),
            ["true", "false", "error"]
        );
        let switch = node(
            "n8n-nodes-base.switch",
            json!({"parameters": {"rules": {"values": [{}, {}, {}]}, "options": {"fallbackOutput": "extra"}}}),
        );
        assert_eq!(main_outputs(&switch), 4);
        assert_eq!(output_labels(&switch), ["0", "1", "2", "3"]);
        let huge = node(
            "n8n-nodes-base.switch",
            json!({"parameters": {"mode": "expression", "numberOutputs": 1_000_000_000_000u64}}),
        );
        assert_eq!(main_outputs(&huge), MAX_OUTPUTS);
        let batches = node("n8n-nodes-base.splitInBatches", json!({"typeVersion": 3}));
        assert_eq!(output_labels(&batches), ["done", "loop"]);
    }

    #[test]
    fn triggers_and_sub_nodes_take_no_main_input() {
        assert_eq!(main_inputs(&node("n8n-nodes-base.webhook", json!({}))), 0);
        assert_eq!(main_inputs(&node("n8n-nodes-base.merge", json!({}))), 2);
        let model = node("@n8n/n8n-nodes-langchain.lmChatOpenAi", json!({}));
        assert_eq!(
            (main_inputs(&model), ai_output(&model)),
            (0, Some("ai_languageModel"))
        );
        assert!(output_labels(&model).is_empty());
        let agent = node("@n8n/n8n-nodes-langchain.agent", json!({}));
        assert_eq!(ai_output(&agent), None);
        assert!(ai_inputs(&agent).contains(&"ai_tool"));
        assert!(is_ai(&agent));
    }
}
