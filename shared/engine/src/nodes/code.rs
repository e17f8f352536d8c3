//! Code (and the legacy Function / Function Item): JavaScript in the sandbox, over all items
//! at once or once per item; `console.log` goes to the execution log.

use crate::{Item, NodeContext, NodeError};
use serde_json::Value;

pub fn run(ctx: &mut NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let kind = ctx
        .node
        .kind
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_string();
    let (code, each) = match kind.as_str() {
        "function" => (raw_string(ctx, "functionCode"), false),
        "functionItem" => (raw_string(ctx, "functionCode"), true),
        _ => {
            let language = raw_string(ctx, "language");
            if !language.is_empty() && language != "javaScript" {
                return Err(NodeError::parameter(
                    "language",
                    format!("`{language}` code is not supported; use JavaScript"),
                ));
            }
            (
                raw_string(ctx, "jsCode"),
                raw_string(ctx, "mode") == "runOnceForEachItem",
            )
        }
    };
    let fail = |e: crate::expr::EvalError| NodeError::Failed(format!("code failed: {e}"));
    let mut out = Vec::new();
    if each {
        for i in 0..ctx.input().len() {
            let returned = ctx.sandbox().run_code(&code, true, i).map_err(fail);
            ctx.logs.extend(ctx.sandbox().take_logs());
            match returned? {
                Value::Null => {}
                Value::Array(_) => {
                    return Err(NodeError::Failed(format!(
                        "code for item {i} returned an array; in “run once for each item” mode return one object"
                    )));
                }
                value => out.push(Item::from_returned(value).paired_unless_set(i)),
            }
        }
    } else {
        let returned = ctx.sandbox().run_code(&code, false, 0).map_err(fail);
        ctx.logs.extend(ctx.sandbox().take_logs());
        match returned? {
            Value::Array(values) => out.extend(values.into_iter().map(Item::from_returned)),
            Value::Null => {}
            Value::Object(obj) => out.push(Item::from_returned(Value::Object(obj))),
            other => {
                return Err(NodeError::Failed(format!(
                    "code must return an array of items or objects, not {other}"
                )));
            }
        }
    }
    Ok(out)
}

/// Code is never an expression: it is read as written.
fn raw_string(ctx: &NodeContext<'_>, name: &str) -> String {
    ctx.raw(name)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}
