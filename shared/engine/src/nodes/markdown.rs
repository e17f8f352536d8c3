//! Markdown: to HTML (pulldown-cmark) and from HTML (htmd).

use crate::{Item, NodeContext, NodeError, set_path};
use serde_json::Value;

/// Markdown: `mode` `htmlToMarkdown` (default) or `markdownToHtml`; the result goes to
/// `destinationKey` (default `data`) of a copy of the item.
pub fn run(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let mut out = Vec::with_capacity(ctx.input().len());
    for (i, item) in ctx.input().iter().enumerate() {
        let mode = ctx.string("mode", i, "htmlToMarkdown")?;
        let converted = match mode.as_str() {
            "markdownToHtml" => {
                let source = ctx.string("markdown", i, "")?;
                let mut html = String::new();
                pulldown_cmark::html::push_html(
                    &mut html,
                    pulldown_cmark::Parser::new_ext(&source, pulldown_cmark::Options::all()),
                );
                html
            }
            "htmlToMarkdown" => {
                let source = ctx.string("html", i, "")?;
                htmd::convert(&source).map_err(|e| {
                    NodeError::Failed(format!("the HTML could not be converted: {e}"))
                })?
            }
            other => {
                return Err(NodeError::parameter(
                    "mode",
                    format!("`{other}` is not a Markdown mode"),
                ));
            }
        };
        let key = ctx.string("destinationKey", i, "data")?;
        let mut json = item.json.clone();
        set_path(&mut json, &key, Value::String(converted));
        out.push(Item::new(json).paired(i));
    }
    Ok(out)
}
