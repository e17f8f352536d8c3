//! Switch (v3): route items to outputs by rules (first match, or all matching) with an
//! optional fallback output, or by an expression giving the output index.

use super::conditions::matches_at;
use crate::{Item, NodeContext, NodeError};
use serde_json::Value;

pub fn run(ctx: &NodeContext<'_>) -> Result<Vec<Vec<Item>>, NodeError> {
    let count = agente_workflow_model::ports::main_outputs(ctx.node).max(1);
    let mut outputs = vec![Vec::new(); count];
    if ctx.string("mode", 0, "rules")? == "expression" {
        for (i, item) in ctx.input().iter().enumerate() {
            let index = ctx.number("output", i, 0.0)?;
            if index < 0.0 || index as usize >= count {
                return Err(NodeError::parameter(
                    "output",
                    format!("output {index} does not exist (0 to {})", count - 1),
                ));
            }
            outputs[index as usize].push(item.clone().paired(i));
        }
        return Ok(outputs);
    }
    let rules = ctx
        .raw("rules.values")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let all_matching = ctx.bool("options.allMatchingOutputs", 0, false)?;
    let fallback = ctx.param_or("options.fallbackOutput", 0, Value::String("none".into()))?;
    for (i, item) in ctx.input().iter().enumerate() {
        let mut matched = false;
        for (rule, output) in outputs.iter_mut().enumerate().take(rules) {
            if matches_at(ctx, &format!("rules.values.{rule}.conditions"), i)? {
                output.push(item.clone().paired(i));
                matched = true;
                if !all_matching {
                    break;
                }
            }
        }
        if !matched {
            match &fallback {
                Value::String(s) if s == "extra" => outputs[rules].push(item.clone().paired(i)),
                Value::Number(n) => {
                    let index = n.as_u64().unwrap_or(0) as usize;
                    if let Some(out) = outputs.get_mut(index) {
                        out.push(item.clone().paired(i));
                    }
                }
                _ => {}
            }
        }
    }
    Ok(outputs)
}
