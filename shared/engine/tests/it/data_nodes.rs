//! Date & Time, Markdown, HTML and XML nodes, from n8n's documented behaviour.

use agente_engine::{Engine, Execution, ExecutionStatus, Item, RunRequest};
use agente_workflow_model::Workflow;
use serde_json::{Value, json};

const NOW_MS: i64 = 1_795_857_600_000; // 2026-11-28T09:20:00Z

/// Manual Trigger → one node of `kind` with `parameters`, in the workflow's `timezone`.
async fn run_node(
    kind: &str,
    version: f64,
    parameters: Value,
    items: Vec<Value>,
    timezone: &str,
) -> Execution {
    let wf: Workflow = serde_json::from_value(json!({
        "name": "t", "settings": {"timezone": timezone},
        "nodes": [
            {"name": "Start", "type": "n8n-nodes-base.manualTrigger", "typeVersion": 1, "parameters": {}},
            {"name": "Node", "type": kind, "typeVersion": version, "parameters": parameters}
        ],
        "connections": {"Start": {"main": [[{"node": "Node", "type": "main", "index": 0}]]}}
    }))
    .unwrap();
    Engine::default()
        .run(
            &wf,
            RunRequest {
                items: items.into_iter().map(Item::from_value).collect(),
                now_ms: NOW_MS,
                ..RunRequest::default()
            },
        )
        .await
}

fn first_json(exec: &Execution) -> Value {
    assert_eq!(exec.status, ExecutionStatus::Success, "{:?}", exec.error);
    exec.output("Node")[0]["json"].clone()
}

async fn date(parameters: Value, timezone: &str) -> Value {
    let exec = run_node(
        "n8n-nodes-base.dateTime",
        2.0,
        parameters,
        vec![json!({"keep": 1})],
        timezone,
    )
    .await;
    first_json(&exec)
}

#[tokio::test]
async fn date_and_time_operations() {
    assert_eq!(
        date(json!({"operation": "getCurrentDate"}), "Europe/Paris").await,
        json!({"currentDate": "2026-11-28T10:20:00.000+01:00"})
    );
    assert_eq!(
        date(
            json!({"operation": "getCurrentDate", "includeTime": false, "outputFieldName": "today",
                    "options": {"timezone": "Asia/Tokyo", "includeInputFields": true}}),
            "UTC"
        )
        .await,
        json!({"keep": 1, "today": "2026-11-28T00:00:00.000+09:00"})
    );
    assert_eq!(
        date(json!({"operation": "addToDate", "magnitude": "2026-01-31T12:00:00Z", "timeUnit": "months", "duration": 1}), "UTC").await,
        json!({"newDate": "2026-02-28T12:00:00.000Z"})
    );
    assert_eq!(
        date(json!({"operation": "subtractFromDate", "magnitude": "={{ $now.toISO() }}", "timeUnit": "hours", "duration": 3}), "UTC").await,
        json!({"newDate": "2026-11-28T06:20:00.000Z"})
    );
    assert_eq!(
        date(json!({"operation": "formatDate", "date": "1767225600", "format": "custom", "customFormat": "dd LLL yyyy HH:mm"}), "America/New_York").await,
        json!({"formattedDate": "31 Dec 2025 19:00"})
    );
    assert_eq!(
        date(
            json!({"operation": "formatDate", "date": "2026-07-04", "format": "MM/dd/yyyy"}),
            "UTC"
        )
        .await,
        json!({"formattedDate": "07/04/2026"})
    );
    assert_eq!(
        date(json!({"operation": "roundDate", "date": "2026-11-28T09:20:00Z", "mode": "roundDown", "toNearest": "hour"}), "UTC").await,
        json!({"roundedDate": "2026-11-28T09:00:00.000Z"})
    );
    assert_eq!(
        date(json!({"operation": "roundDate", "date": "2026-11-28T09:20:00Z", "mode": "roundUp", "to": "month"}), "UTC").await,
        json!({"roundedDate": "2026-12-01T00:00:00.000Z"})
    );
    assert_eq!(
        date(json!({"operation": "getTimeBetweenDates", "startDate": "2026-01-01T00:00:00Z", "endDate": "2026-01-03T06:00:00Z", "units": ["day", "hour"]}), "UTC").await,
        json!({"timeDifference": {"days": 2, "hours": 6}})
    );
    assert_eq!(
        date(json!({"operation": "getTimeBetweenDates", "startDate": "2026-01-01T00:00:00Z", "endDate": "2026-01-03T06:00:00Z", "units": ["day", "hour"], "options": {"isoString": true}}), "UTC").await,
        json!({"timeDifference": "P2DT6H"})
    );
    assert_eq!(
        date(
            json!({"operation": "extractDate", "date": "2026-11-28T23:30:00Z", "part": "day"}),
            "Asia/Tokyo"
        )
        .await,
        json!({"datePart": 29})
    );
    assert_eq!(
        date(
            json!({"operation": "extractDate", "date": "2026-11-28", "part": "week"}),
            "UTC"
        )
        .await,
        json!({"datePart": 48})
    );
}

#[tokio::test]
async fn date_and_time_errors_are_clear() {
    let bad = run_node(
        "n8n-nodes-base.dateTime",
        2.0,
        json!({"operation": "formatDate", "date": "not a date", "format": "yyyy"}),
        vec![json!({})],
        "UTC",
    )
    .await;
    assert_eq!(bad.status, ExecutionStatus::Error);
    assert!(bad.error.unwrap().message.contains("is not a date"));
    let zone = run_node(
        "n8n-nodes-base.dateTime",
        2.0,
        json!({"operation": "getCurrentDate"}),
        vec![json!({})],
        "Nowhere/Land",
    )
    .await;
    assert!(zone.error.unwrap().message.contains("unknown time zone"));
    let v1 = run_node(
        "n8n-nodes-base.dateTime",
        1.0,
        json!({"action": "format"}),
        vec![json!({})],
        "UTC",
    )
    .await;
    assert!(v1.error.unwrap().message.contains("version 2"));
}

async fn one(kind: &str, version: f64, parameters: Value, item: Value) -> Value {
    first_json(&run_node(kind, version, parameters, vec![item], "UTC").await)
}

#[tokio::test]
async fn markdown_converts_both_ways_into_the_destination_key() {
    let out = one(
        "n8n-nodes-base.markdown",
        1.0,
        json!({"mode": "markdownToHtml", "markdown": "={{ $json.md }}", "destinationKey": "page.html"}),
        json!({"md": "# Title\n\nSome *emphasis* and a [link](https://example.com)."}),
    )
    .await;
    assert_eq!(
        out["page"]["html"],
        "<h1>Title</h1>\n<p>Some <em>emphasis</em> and a <a href=\"https://example.com\">link</a>.</p>\n"
    );
    assert!(out["md"].is_string(), "the input fields stay");
    let out = one(
        "n8n-nodes-base.markdown",
        1.0,
        json!({"html": "={{ $json.html }}"}),
        json!({"html": "<h2>Hi</h2><p>A <strong>bold</strong> move.</p><ul><li>one</li><li>two</li></ul>"}),
    )
    .await;
    let md = out["data"].as_str().unwrap();
    assert!(md.starts_with("## Hi"), "{md}");
    assert!(md.contains("A **bold** move."), "{md}");
    assert!(
        md.contains("*   one") || md.contains("- one") || md.contains("* one"),
        "{md}"
    );
}

#[tokio::test]
async fn html_extracts_by_css_selector() {
    let page = r#"<html><body>
        <h1>  Products
        </h1>
        <ul><li class="p" data-id="1"><a href="/a">Apple</a></li><li class="p" data-id="2"><a href="/b">Pear</a></li></ul>
        <input name="q" value="fruit">
    </body></html>"#;
    let out = one(
        "n8n-nodes-base.html",
        1.2,
        json!({"operation": "extractHtmlContent", "dataPropertyName": "body", "extractionValues": {"values": [
            {"key": "title", "cssSelector": "h1"},
            {"key": "names", "cssSelector": "li.p a", "returnArray": true},
            {"key": "ids", "cssSelector": "li.p", "returnValue": "attribute", "attribute": "data-id", "returnArray": true},
            {"key": "first", "cssSelector": "ul", "returnValue": "html"},
            {"key": "query", "cssSelector": "input[name=q]", "returnValue": "value"},
            {"key": "missing", "cssSelector": "table", "returnValue": "attribute", "attribute": "id"}
        ]}}),
        json!({"body": page}),
    )
    .await;
    assert_eq!(out["title"], "Products");
    assert_eq!(out["names"], json!(["Apple", "Pear"]));
    assert_eq!(out["ids"], json!(["1", "2"]));
    assert!(
        out["first"]
            .as_str()
            .unwrap()
            .starts_with("<li class=\"p\"")
    );
    assert_eq!(out["query"], "fruit");
    assert!(out.get("missing").is_none(), "{out}");

    // The legacy HTML Extract node takes the same parameters; a bad selector is a clear error.
    let bad = run_node(
        "n8n-nodes-base.htmlExtract",
        1.0,
        json!({"extractionValues": {"values": [{"key": "x", "cssSelector": "li[["}]}}),
        vec![json!({"data": page})],
        "UTC",
    )
    .await;
    assert!(bad.error.unwrap().message.contains("not a CSS selector"));
}

#[tokio::test]
async fn html_templates_and_tables() {
    let out = one(
        "n8n-nodes-base.html",
        1.2,
        json!({"html": "=<p>Hello {{ $json.name }}</p>"}),
        json!({"name": "Ada"}),
    )
    .await;
    assert_eq!(out, json!({"html": "<p>Hello Ada</p>"}));
    let exec = run_node(
        "n8n-nodes-base.html",
        1.2,
        json!({"operation": "convertToHtmlTable"}),
        vec![json!({"a": 1, "b": "<x>"}), json!({"a": 2, "c": true})],
        "UTC",
    )
    .await;
    assert_eq!(
        first_json(&exec)["table"],
        "<table><thead><tr><th>a</th><th>b</th><th>c</th></tr></thead><tbody><tr><td>1</td><td>&lt;x&gt;</td><td></td></tr><tr><td>2</td><td></td><td>true</td></tr></tbody></table>"
    );
}

#[tokio::test]
async fn xml_to_json_follows_xml2js_with_n8n_defaults() {
    let xml = r#"<?xml version="1.0"?>
<order id="7" status="paid">
  <item sku="a1">Apple &amp; co</item>
  <item sku="b2">Pear</item>
  <note/>
  <total currency="EUR">12.50</total>
  <![CDATA[ignored whitespace]]>
</order>"#;
    let out = one(
        "n8n-nodes-base.xml",
        1.0,
        json!({"mode": "xmlToJson"}),
        json!({"data": xml}),
    )
    .await;
    assert_eq!(
        out,
        json!({"order": {
            "id": "7", "status": "paid",
            "_": "\n  \n  \n  \n  \n  ignored whitespace\n",
            "item": [{"sku": "a1", "_": "Apple & co"}, {"sku": "b2", "_": "Pear"}],
            "note": "",
            "total": {"currency": "EUR", "_": "12.50"}
        }})
    );
    let out = one(
        "n8n-nodes-base.xml",
        1.0,
        json!({"options": {"mergeAttrs": false, "explicitRoot": false, "explicitArray": true}}),
        json!({"data": "<a x=\"1\"><b>t</b></a>"}),
    )
    .await;
    assert_eq!(out, json!({"$": {"x": "1"}, "b": ["t"]}));

    for broken in ["<a><b></a>", "no xml", "<a>&nope;</a>"] {
        let exec = run_node(
            "n8n-nodes-base.xml",
            1.0,
            json!({}),
            vec![json!({"data": broken})],
            "UTC",
        )
        .await;
        assert_eq!(exec.status, ExecutionStatus::Error, "{broken}");
        assert!(exec.error.unwrap().message.contains("XML"), "{broken}");
    }
    let deep = "<a>".repeat(1000);
    let exec = run_node(
        "n8n-nodes-base.xml",
        1.0,
        json!({}),
        vec![json!({"data": deep})],
        "UTC",
    )
    .await;
    assert!(exec.error.unwrap().message.contains("deeper"));
}

#[tokio::test]
async fn json_to_xml_builds_like_xml2js() {
    let out = one(
        "n8n-nodes-base.xml",
        1.0,
        json!({"mode": "jsonToxml", "dataPropertyName": "xml"}),
        json!({"order": {"$": {"id": "7"}, "item": ["Apple & co", "Pear"], "note": null, "total": {"$": {"currency": "EUR"}, "_": 12.5}}}),
    )
    .await;
    assert_eq!(
        out["xml"],
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<order id=\"7\">\n  <item>Apple &amp; co</item>\n  <item>Pear</item>\n  <note/>\n  <total currency=\"EUR\">12.5</total>\n</order>"
    );
    let out = one(
        "n8n-nodes-base.xml",
        1.0,
        json!({"mode": "jsonToxml", "options": {"headless": true}}),
        json!({"a": 1, "b": true}),
    )
    .await;
    assert_eq!(out["data"], "<root>\n  <a>1</a>\n  <b>true</b>\n</root>");
}
