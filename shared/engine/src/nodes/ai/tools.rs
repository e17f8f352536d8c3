//! Tools an agent may call, from the sub-nodes attached on `ai_tool`: a Code tool
//! (`toolCode`: JavaScript in the sandbox, given the model's input as `query`) and a
//! Workflow tool (`toolWorkflow`: a sub-workflow run with one item `{query}`; its last
//! node's items are the answer).
//!
//! Without an input schema a tool takes one string, `input`, as LangChain's dynamic tools
//! do; with one (`specifyInputSchema`: a JSON Schema, or an example to infer it from) the
//! model's arguments object is the `query`.

use super::LANGCHAIN;
use crate::host::SubWorkflowCall;
use crate::nodes::flow::{source, sub_workflow_host};
use crate::nodes::locator_of;
use crate::{Item, NodeContext, NodeError};
use agente_core::llm::{ToolCall, ToolSpec};
use agente_workflow_model::Node;
use serde_json::{Value, json};

/// A tool as the model sees it, and the node that runs it.
pub(super) struct Tool<'w> {
    pub spec: ToolSpec,
    node: &'w Node,
    /// Whether the model's whole arguments object is the input (a schema was given).
    structured: bool,
}

/// The tools attached to this node, as the model will see them for `item`.
pub(super) fn attached<'w>(ctx: &NodeContext<'w>, item: usize) -> Result<Vec<Tool<'w>>, NodeError> {
    let mut tools: Vec<Tool<'w>> = Vec::new();
    for node in super::attached(ctx, &ctx.node.name, "ai_tool") {
        let kind = node.kind.strip_prefix(LANGCHAIN).unwrap_or(&node.kind);
        if !matches!(kind, "toolCode" | "toolWorkflow") {
            return Err(NodeError::Failed(format!(
                "the tool `{}` ({}) is not supported; use a Code or Workflow tool",
                node.name, node.kind
            )));
        }
        let given = locator_of(ctx, node, "name", item)?;
        let name = tool_name(if given.is_empty() { &node.name } else { &given });
        if tools.iter().any(|t| t.spec.name == name) {
            return Err(NodeError::Failed(format!(
                "two tools are named `{name}`; tool names must differ"
            )));
        }
        let description = locator_of(ctx, node, "description", item)?;
        let schema = input_schema(ctx, node, item)?;
        let structured = schema.is_some();
        let parameters = schema.unwrap_or_else(|| {
            json!({
                "type": "object",
                "properties": { "input": { "type": "string", "description": "The input for the tool" } },
                "required": ["input"],
            })
        });
        tools.push(Tool {
            spec: ToolSpec {
                name,
                description: if description.is_empty() {
                    format!("Runs {}", node.name)
                } else {
                    description
                },
                parameters,
            },
            node,
            structured,
        });
    }
    Ok(tools)
}

/// `^[a-zA-Z0-9_-]{1,64}$`: other characters become `_`.
fn tool_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    if cleaned.is_empty() {
        "tool".into()
    } else {
        cleaned
    }
}

/// The tool's own input schema, when it specifies one.
fn input_schema(
    ctx: &NodeContext<'_>,
    node: &Node,
    item: usize,
) -> Result<Option<Value>, NodeError> {
    let specified = matches!(
        ctx.param_of(node, "specifyInputSchema", item)?,
        Some(Value::Bool(true))
    );
    if !specified {
        return Ok(None);
    }
    let json = |path: &str| -> Result<Value, NodeError> {
        let text = match ctx.param_of(node, path, item)? {
            Some(Value::String(s)) => s,
            Some(other) => return Ok(other),
            None => String::new(),
        };
        serde_json::from_str(&text).map_err(|e| {
            NodeError::Failed(format!("tool `{}`: `{path}` is not JSON: {e}", node.name))
        })
    };
    let schema = match locator_of(ctx, node, "schemaType", item)?.as_str() {
        "manual" => json("inputSchema")?,
        _ => schema_of_example(&json("jsonSchemaExample")?),
    };
    if schema.get("type").and_then(Value::as_str) != Some("object") {
        return Err(NodeError::Failed(format!(
            "tool `{}`: the input schema must describe an object",
            node.name
        )));
    }
    Ok(Some(schema))
}

/// A JSON Schema every value like `example` fits.
fn schema_of_example(example: &Value) -> Value {
    match example {
        Value::Object(map) => json!({
            "type": "object",
            "properties": map.iter().map(|(k, v)| (k.clone(), schema_of_example(v))).collect::<serde_json::Map<_, _>>(),
            "required": map.keys().collect::<Vec<_>>(),
        }),
        Value::Array(items) => match items.first() {
            Some(first) => json!({ "type": "array", "items": schema_of_example(first) }),
            None => json!({ "type": "array" }),
        },
        Value::String(_) => json!({ "type": "string" }),
        Value::Bool(_) => json!({ "type": "boolean" }),
        Value::Number(n) if n.is_i64() || n.is_u64() => json!({ "type": "integer" }),
        Value::Number(_) => json!({ "type": "number" }),
        Value::Null => json!({}),
    }
}

/// Runs the tool the model asked for; what went wrong is the answer, for the model to read.
pub(super) async fn run(
    ctx: &mut NodeContext<'_>,
    tools: &[Tool<'_>],
    call: &ToolCall,
    item: usize,
) -> String {
    let Some(tool) = tools.iter().find(|t| t.spec.name == call.name) else {
        let names: Vec<&str> = tools.iter().map(|t| t.spec.name.as_str()).collect();
        return format!(
            "Error: there is no tool named `{}`; the tools are: {}",
            call.name,
            names.join(", ")
        );
    };
    let query = if tool.structured {
        call.arguments.clone()
    } else {
        match &call.arguments {
            Value::Object(args) => args.get("input").cloned().unwrap_or(Value::Null),
            other => other.clone(),
        }
    };
    let kind = tool.node.kind.strip_prefix(LANGCHAIN).unwrap_or_default();
    let result = match kind {
        "toolCode" => run_code(ctx, tool.node, &query, item),
        _ => run_workflow(ctx, tool.node, query, item).await,
    };
    result.unwrap_or_else(|e| format!("Error: {e}"))
}

fn run_code(
    ctx: &mut NodeContext<'_>,
    node: &Node,
    query: &Value,
    item: usize,
) -> Result<String, NodeError> {
    let language = locator_of(ctx, node, "language", item)?;
    if !language.is_empty() && language != "javaScript" {
        return Err(NodeError::Failed(format!(
            "`{language}` code is not supported; use JavaScript"
        )));
    }
    let code = match crate::context::raw_parameter(node, "jsCode") {
        Some(Value::String(code)) => code.clone(),
        _ => String::new(),
    };
    let code = format!("const query = {query};\n{code}");
    let returned = ctx.sandbox().run_code(&code, true, item);
    ctx.logs.extend(ctx.sandbox().take_logs());
    Ok(text(returned.map_err(|e| {
        NodeError::Failed(format!("code failed: {e}"))
    })?))
}

async fn run_workflow(
    ctx: &NodeContext<'_>,
    node: &Node,
    query: Value,
    item: usize,
) -> Result<String, NodeError> {
    let host = sub_workflow_host(ctx)?;
    let call = SubWorkflowCall {
        source: source(ctx, node, item)?,
        items: vec![Item::from_value(json!({ "query": query }))],
        wait: true,
        parent_execution_id: ctx.execution_id,
        depth: ctx.depth + 1,
    };
    let items = host
        .run_sub_workflow(call)
        .await
        .map_err(NodeError::Failed)?;
    Ok(match items.as_slice() {
        [one] => text(Value::Object(one.json.clone())),
        many => text(Value::Array(
            many.iter().map(|i| Value::Object(i.json.clone())).collect(),
        )),
    })
}

/// A tool's answer as the model reads it: text as is, anything else as JSON.
fn text(value: Value) -> String {
    match value {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_fit_the_providers_rule() {
        assert_eq!(tool_name("Get the weather!"), "Get_the_weather_");
        assert_eq!(tool_name(""), "tool");
        assert_eq!(tool_name(&"x".repeat(80)).len(), 64);
    }

    #[test]
    fn an_example_gives_a_schema() {
        let schema = schema_of_example(&json!({ "city": "Oslo", "days": 3, "tags": ["a"] }));
        assert_eq!(schema["properties"]["days"]["type"], "integer");
        assert_eq!(schema["properties"]["tags"]["items"]["type"], "string");
        assert_eq!(schema["required"], json!(["city", "days", "tags"]));
    }
}
