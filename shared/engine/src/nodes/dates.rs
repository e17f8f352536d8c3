//! Date & Time (v2): current date, add/subtract, format, round, time between, extract. The
//! date arithmetic is the sandbox's DateTime (the one expressions use), in the workflow's
//! time zone (`settings.timezone`).

use crate::{Item, NodeContext, NodeError};
use serde_json::Value;

pub fn run(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    if ctx.node.type_version() < 2.0 {
        return Err(NodeError::Failed(
            "Date & Time version 1 (moment.js formats) is not supported; use version 2".into(),
        ));
    }
    let operation = ctx.string("operation", 0, "getCurrentDate")?;
    let default_field = match operation.as_str() {
        "getCurrentDate" => "currentDate",
        "addToDate" | "subtractFromDate" => "newDate",
        "formatDate" => "formattedDate",
        "roundDate" => "roundedDate",
        "getTimeBetweenDates" => "timeDifference",
        "extractDate" => "datePart",
        other => {
            return Err(NodeError::parameter(
                "operation",
                format!("`{other}` is not a Date & Time operation"),
            ));
        }
    };
    let mut out = Vec::with_capacity(ctx.input().len());
    for (i, item) in ctx.input().iter().enumerate() {
        let params = ctx
            .node
            .parameters()
            .iter()
            .map(|(k, v)| Ok((k.clone(), ctx.resolve(v, i, k)?)))
            .collect::<Result<serde_json::Map<_, _>, NodeError>>()?;
        let value = ctx
            .sandbox()
            .date_time(&operation, &Value::Object(params))
            .map_err(|e| NodeError::Failed(e.to_string()))?;
        let field = ctx.string("outputFieldName", i, default_field)?;
        let mut json = if ctx.bool("options.includeInputFields", i, false)? {
            item.json.clone()
        } else {
            serde_json::Map::new()
        };
        json.insert(field, value);
        out.push(Item::new(json).paired(i));
    }
    Ok(out)
}
