//! Document nodes: HTML (extract with CSS selectors, template, table), the legacy HTML
//! Extract node, Markdown (to and from HTML) and XML (to and from JSON, in xml2js's shape
//! with n8n's default options).

use crate::engine::{Item, NodeContext, NodeError, get_path, set_path};
use serde_json::{Map, Value};

// ---------- Markdown ----------

/// Markdown: `mode` `htmlToMarkdown` (default) or `markdownToHtml`; the result goes to
/// `destinationKey` (default `data`) of a copy of the item.
pub fn markdown(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
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

// ---------- HTML ----------

/// HTML (v1.x): `extractHtmlContent`, `generateHtmlTemplate` (default) or `convertToHtmlTable`.
pub fn html(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    match ctx.string("operation", 0, "generateHtmlTemplate")?.as_str() {
        "extractHtmlContent" => html_extract(ctx),
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
pub fn html_extract(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
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

// ---------- XML ----------

/// XML: `mode` `xmlToJson` (default; the item becomes the parsed document) or `jsonToxml`
/// (the item's JSON as XML in `dataPropertyName`).
pub fn xml(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
    let mut out = Vec::with_capacity(ctx.input().len());
    for (i, item) in ctx.input().iter().enumerate() {
        let property = ctx.string("dataPropertyName", i, "data")?;
        let attrkey = ctx.string("options.attrkey", i, "$")?;
        let charkey = ctx.string("options.charkey", i, "_")?;
        let json = match ctx.string("mode", i, "xmlToJson")?.as_str() {
            "xmlToJson" => {
                let Some(Value::String(text)) = get_path(&item.json, &property) else {
                    return Err(NodeError::Failed(format!(
                        "item {i} has no text property `{property}` with XML in it"
                    )));
                };
                let options = XmlOptions {
                    explicit_array: ctx.bool("options.explicitArray", i, false)?,
                    explicit_root: ctx.bool("options.explicitRoot", i, true)?,
                    ignore_attrs: ctx.bool("options.ignoreAttrs", i, false)?,
                    merge_attrs: ctx.bool("options.mergeAttrs", i, true)?,
                    trim: ctx.bool("options.trim", i, false)?,
                    attrkey,
                    charkey,
                };
                match xml_to_json(text, &options).map_err(NodeError::Failed)? {
                    Value::Object(map) => map,
                    other => Map::from_iter([("value".to_string(), other)]),
                }
            }
            "jsonToxml" => {
                let root = ctx.string("options.rootName", i, "root")?;
                let headless = ctx.bool("options.headless", i, false)?;
                let text = json_to_xml(&item.json, &root, headless, &attrkey, &charkey)
                    .map_err(NodeError::Failed)?;
                Map::from_iter([(property, Value::String(text))])
            }
            other => {
                return Err(NodeError::parameter(
                    "mode",
                    format!("`{other}` is not an XML mode"),
                ));
            }
        };
        out.push(Item::new(json).paired(i));
    }
    Ok(out)
}

struct XmlOptions {
    explicit_array: bool,
    explicit_root: bool,
    ignore_attrs: bool,
    merge_attrs: bool,
    trim: bool,
    attrkey: String,
    charkey: String,
}

#[derive(Default)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<(String, Value)>,
    text: String,
}

impl Element {
    /// The element as xml2js shapes it.
    fn into_value(self, o: &XmlOptions) -> Value {
        let text = if o.trim {
            self.text.trim().to_string()
        } else {
            self.text
        };
        let has_text = !text.trim().is_empty();
        let attrs = if o.ignore_attrs { vec![] } else { self.attrs };
        if attrs.is_empty() && self.children.is_empty() {
            return Value::String(if has_text { text } else { String::new() });
        }
        let mut map = Map::new();
        let mut attr_map = Map::new();
        for (k, v) in attrs {
            if o.merge_attrs {
                push_child(&mut map, k, Value::String(v), o.explicit_array);
            } else {
                attr_map.insert(k, Value::String(v));
            }
        }
        if !attr_map.is_empty() {
            map.insert(o.attrkey.clone(), Value::Object(attr_map));
        }
        if has_text {
            map.insert(o.charkey.clone(), Value::String(text));
        }
        for (name, value) in self.children {
            push_child(&mut map, name, value, o.explicit_array);
        }
        Value::Object(map)
    }
}

/// Repeated names collect into an array (always an array with `explicitArray`). Element
/// values are strings or objects, so an array here is always one we made.
fn push_child(map: &mut Map<String, Value>, name: String, value: Value, explicit_array: bool) {
    match map.get_mut(&name) {
        Some(Value::Array(list)) => list.push(value),
        Some(existing) => *existing = Value::Array(vec![existing.take(), value]),
        None => {
            map.insert(
                name,
                if explicit_array {
                    Value::Array(vec![value])
                } else {
                    value
                },
            );
        }
    }
}

/// Deepest nesting accepted: a hostile document must not exhaust the stack or memory.
const MAX_XML_DEPTH: usize = 256;

fn xml_to_json(text: &str, o: &XmlOptions) -> Result<Value, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<Element> = Vec::new();
    let bad = |e: &dyn std::fmt::Display, at: u64| {
        format!("the XML is not well-formed (at byte {at}): {e}")
    };
    let start = |e: &quick_xml::events::BytesStart<'_>, at: u64| -> Result<Element, String> {
        let mut el = Element {
            name: e.name().as_ref().to_string(),
            ..Element::default()
        };
        for attr in e.attributes() {
            let attr = attr.map_err(|e| bad(&e, at))?;
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| bad(&e, at))?;
            el.attrs
                .push((attr.key.as_ref().to_string(), value.into_owned()));
        }
        Ok(el)
    };
    loop {
        let at = reader.buffer_position();
        match reader.read_event().map_err(|e| bad(&e, at))? {
            Event::Start(e) => {
                if stack.len() >= MAX_XML_DEPTH {
                    return Err(format!("the XML nests deeper than {MAX_XML_DEPTH} levels"));
                }
                stack.push(start(&e, at)?);
            }
            Event::Empty(e) => {
                let el = start(&e, at)?;
                let name = el.name.clone();
                let value = el.into_value(o);
                match stack.last_mut() {
                    Some(parent) => parent.children.push((name, value)),
                    None => return Ok(root(name, value, o)),
                }
            }
            Event::End(_) => {
                let el = stack.pop().ok_or_else(|| bad(&"unexpected end tag", at))?;
                let name = el.name.clone();
                let value = el.into_value(o);
                match stack.last_mut() {
                    Some(parent) => parent.children.push((name, value)),
                    None => return Ok(root(name, value, o)),
                }
            }
            Event::Text(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(el) = stack.last_mut() {
                    let name = r.clone().into_inner();
                    let resolved = match r.resolve_char_ref().map_err(|e| bad(&e, at))? {
                        Some(c) => c.to_string(),
                        None => quick_xml::escape::resolve_xml_entity(&name)
                            .ok_or_else(|| bad(&format!("unknown entity `&{name};`"), at))?
                            .to_string(),
                    };
                    el.text.push_str(&resolved);
                }
            }
            Event::CData(c) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&c.xml10_content());
                }
            }
            Event::Eof => return Err("the XML has no root element, or it is not closed".into()),
            _ => {}
        }
    }
}

fn root(name: String, value: Value, o: &XmlOptions) -> Value {
    if o.explicit_root {
        Value::Object(Map::from_iter([(name, value)]))
    } else {
        value
    }
}

fn json_to_xml(
    json: &Map<String, Value>,
    root_name: &str,
    headless: bool,
    attrkey: &str,
    charkey: &str,
) -> Result<String, String> {
    use quick_xml::events::{BytesDecl, Event};
    let mut writer = quick_xml::Writer::new_with_indent(Vec::new(), b' ', 2);
    let io = |e: std::io::Error| e.to_string();
    if !headless {
        writer
            .write_event(Event::Decl(BytesDecl::new(
                "1.0",
                Some("UTF-8"),
                Some("yes"),
            )))
            .map_err(io)?;
    }
    // Like xml2js's builder: one top-level key is the root element, else `rootName` wraps all.
    let (name, body) = match json.iter().next() {
        Some((k, v)) if json.len() == 1 && root_name == "root" && k != attrkey && k != charkey => {
            (k.as_str(), v.clone())
        }
        _ => (root_name, Value::Object(json.clone())),
    };
    write_element(&mut writer, name, &body, attrkey, charkey).map_err(io)?;
    String::from_utf8(writer.into_inner()).map_err(|e| e.to_string())
}

fn write_element(
    w: &mut quick_xml::Writer<Vec<u8>>,
    name: &str,
    value: &Value,
    attrkey: &str,
    charkey: &str,
) -> std::io::Result<()> {
    use quick_xml::events::{BytesEnd, BytesStart, BytesText, Event};
    let scalar = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    };
    match value {
        Value::Array(list) => {
            for v in list {
                write_element(w, name, v, attrkey, charkey)?;
            }
            Ok(())
        }
        Value::Object(map) => {
            let mut start = BytesStart::new(name);
            if let Some(Value::Object(attrs)) = map.get(attrkey) {
                for (k, v) in attrs {
                    start.push_attribute((k.as_str(), scalar(v).as_str()));
                }
            }
            let children: Vec<_> = map
                .iter()
                .filter(|(k, _)| *k != attrkey && *k != charkey)
                .collect();
            let text = map.get(charkey).map(scalar);
            if children.is_empty() && text.is_none() {
                return w.write_event(Event::Empty(start));
            }
            w.write_event(Event::Start(start))?;
            if let Some(text) = text {
                w.write_event(Event::Text(BytesText::new(&text)))?;
            }
            for (k, v) in children {
                write_element(w, k, v, attrkey, charkey)?;
            }
            w.write_event(Event::End(BytesEnd::new(name)))
        }
        Value::Null => w.write_event(Event::Empty(BytesStart::new(name))),
        other => {
            w.write_event(Event::Start(BytesStart::new(name)))?;
            w.write_event(Event::Text(BytesText::new(&scalar(other))))?;
            w.write_event(Event::End(BytesEnd::new(name)))
        }
    }
}
