//! HTML: extract values by CSS selector (also the legacy HTML Extract node), fill a
//! template, build a table of the items.

use crate::{Item, NodeContext, NodeError, get_path, set_path};
use serde_json::{Map, Value};

/// HTML (v1.x): `extractHtmlContent`, `generateHtmlTemplate` (default) or `convertToHtmlTable`.
pub fn run(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    match ctx.string("operation", 0, "generateHtmlTemplate")?.as_str() {
        "extractHtmlContent" => extract(ctx),
        "generateHtmlTemplate" => (0..ctx.input().len())
            .map(|i| {
                let html = ctx.string("html", i, "")?;
                Ok(
                    Item::new(Map::from_iter([("html".to_string(), Value::String(html))]))
                        .paired(i),
                )
            })
            .collect(),
        "convertToHtmlTable" => Ok(vec![Item::new(Map::from_iter([(
            "table".to_string(),
            Value::String(html_table(ctx.input())),
        )]))]),
        other => Err(NodeError::parameter(
            "operation",
            format!("`{other}` is not an HTML operation"),
        )),
    }
}

/// Extracts values by CSS selector from the HTML in `dataPropertyName` of each item: text,
/// inner HTML, an attribute or a form value; one (all matches' text together, else the
/// first match) or an array of every match.
pub fn extract(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let mut out = Vec::with_capacity(ctx.input().len());
    for (i, item) in ctx.input().iter().enumerate() {
        if ctx.string("sourceData", i, "json")? != "json" {
            return Err(NodeError::parameter(
                "sourceData",
                "only HTML from a JSON property is supported; binary data is not yet",
            ));
        }
        let property = ctx.string("dataPropertyName", i, "data")?;
        let source = match get_path(&item.json, &property) {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => {
                return Err(NodeError::Failed(format!(
                    "item {i} has no property `{property}` with HTML in it"
                )));
            }
        };
        let document = scraper::Html::parse_document(&source);
        let trim = ctx.bool("options.trimValues", i, true)?;
        let clean = ctx.bool("options.cleanUpText", i, true)?;
        let finish = |s: String| {
            let s = if trim { s.trim().to_string() } else { s };
            if clean { clean_up_text(&s) } else { s }
        };
        let rules = ctx.param_or("extractionValues.values", i, Value::Array(vec![]))?;
        let mut json = Map::new();
        for rule in rules.as_array().into_iter().flatten() {
            let field = |name: &str| rule.get(name).and_then(Value::as_str).unwrap_or_default();
            let key = field("key");
            let css = field("cssSelector");
            let selector = scraper::Selector::parse(css).map_err(|e| {
                NodeError::parameter(
                    "extractionValues",
                    format!("`{css}` is not a CSS selector: {e}"),
                )
            })?;
            let what = match field("returnValue") {
                "" => "text",
                other => other,
            };
            let attribute = field("attribute");
            let value_of = |el: scraper::ElementRef<'_>| -> Option<String> {
                match what {
                    "html" => Some(el.inner_html()),
                    "attribute" => el.value().attr(attribute).map(str::to_string),
                    "value" => el.value().attr("value").map(str::to_string),
                    _ => Some(el.text().collect()),
                }
            };
            let matches: Vec<_> = document.select(&selector).collect();
            let value = if rule
                .get("returnArray")
                .and_then(Value::as_bool)
                .unwrap_or(false)
            {
                Some(Value::Array(
                    matches
                        .iter()
                        .filter_map(|el| value_of(*el))
                        .map(|s| Value::String(finish(s)))
                        .collect(),
                ))
            } else if what == "text" {
                Some(Value::String(finish(
                    matches
                        .iter()
                        .map(|el| el.text().collect::<String>())
                        .collect(),
                )))
            } else {
                matches
                    .first()
                    .and_then(|el| value_of(*el))
                    .map(|s| Value::String(finish(s)))
            };
            // Like n8n, a value that is not there leaves its key out.
            if let Some(value) = value {
                set_path(&mut json, key, value);
            }
        }
        out.push(Item::new(json).paired(i));
    }
    Ok(out)
}

/// n8n's "clean up text": no line breaks, runs of white space as one space.
fn clean_up_text(s: &str) -> String {
    s.replace(['\r', '\n'], "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// One table of all items: a column per field (in order of first appearance).
fn html_table(items: &[Item]) -> String {
    let mut columns: Vec<&str> = Vec::new();
    for item in items {
        for key in item.json.keys() {
            if !columns.contains(&key.as_str()) {
                columns.push(key);
            }
        }
    }
    let mut html = String::from("<table><thead><tr>");
    for c in &columns {
        html.push_str(&format!("<th>{}</th>", escape_html(c)));
    }
    html.push_str("</tr></thead><tbody>");
    for item in items {
        html.push_str("<tr>");
        for c in &columns {
            let cell = match item.json.get(*c) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(other) => other.to_string(),
            };
            html.push_str(&format!("<td>{}</td>", escape_html(&cell)));
        }
        html.push_str("</tr>");
    }
    html.push_str("</tbody></table>");
    html
}
