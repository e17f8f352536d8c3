//! XML: to JSON in xml2js's shape with n8n's default options (quick-xml reader, nesting
//! capped), and JSON to XML like xml2js's builder.

use crate::{Item, NodeContext, NodeError, get_path};
use serde_json::{Map, Value};

/// XML: `mode` `xmlToJson` (default; the item becomes the parsed document) or `jsonToxml`
/// (the item's JSON as XML in `dataPropertyName`).
pub fn run(ctx: &NodeContext<'_>) -> Result<Vec<Item>, NodeError> {
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
