//! The steps the offline planner knows: each a node type with the phrasings that ask for it
//! (for BM25) and a builder that turns the clause into the node's parameters.

use super::params;
use serde_json::{Value, json};

/// A node to add: type, version, display name and parameters.
pub struct Step {
    pub kind: &'static str,
    pub version: f64,
    pub name: &'static str,
    pub parameters: Value,
}

/// A kind of step: how it is asked for, and how it is built from the clause.
pub struct StepKind {
    pub kind: &'static str,
    /// Words and phrasings that ask for it (BM25 matches clauses against them).
    pub phrases: &'static str,
    pub build: fn(&str) -> Step,
}

fn step(kind: &'static str, version: f64, name: &'static str, parameters: Value) -> Step {
    Step {
        kind,
        version,
        name,
        parameters,
    }
}

/// n8n's condition block (If v2, Filter v2) for one comparison.
pub fn conditions(clause: &str) -> Value {
    let c = params::comparison(clause);
    let (field, kind, operation, value) = match &c {
        Some(c) => (c.field.as_str(), c.kind, c.operation, c.value.clone()),
        None => ("value", "boolean", "true", Value::Null),
    };
    let mut operator = json!({ "type": kind, "operation": operation });
    if kind == "boolean" {
        operator["singleValue"] = json!(true);
    }
    json!({
        "conditions": {
            "options": { "caseSensitive": true, "leftValue": "", "typeValidation": "loose" },
            "conditions": [{
                "id": uuid::Uuid::new_v4().to_string(),
                "leftValue": format!("={{{{ $json.{field} }}}}"),
                "rightValue": value,
                "operator": operator,
            }],
            "combinator": "and",
        },
        "options": {},
    })
}

fn message_text(clause: &str) -> String {
    params::quoted(clause).unwrap_or_else(|| "={{ JSON.stringify($json) }}".into())
}

/// Every step kind, most specific first (earlier wins a tie).
pub const STEPS: &[StepKind] = &[
    StepKind {
        kind: "n8n-nodes-base.slack",
        phrases: "slack post message channel notify team chat ping slack channel alert on slack",
        build: |c| {
            let channel = params::channel(c).unwrap_or_else(|| "#general".into());
            step(
                "n8n-nodes-base.slack",
                2.2,
                "Slack",
                json!({
                    "authentication": "accessToken", "resource": "message", "operation": "post", "select": "channel",
                    "channelId": { "__rl": true, "value": channel, "mode": "name" },
                    "text": message_text(c), "otherOptions": {},
                }),
            )
        },
    },
    StepKind {
        kind: "n8n-nodes-base.emailSend",
        phrases: "email e-mail mail send an email inbox smtp mail it to address recipient",
        build: |c| {
            let to = params::email(c).unwrap_or_else(|| "team@example.com".into());
            step(
                "n8n-nodes-base.emailSend",
                2.1,
                "Send Email",
                json!({
                    "fromEmail": "agente@example.com", "toEmail": to,
                    "subject": params::quoted(c).unwrap_or_else(|| "Update from your workflow".into()),
                    "emailFormat": "text", "text": "={{ JSON.stringify($json, null, 2) }}", "options": {},
                }),
            )
        },
    },
    StepKind {
        kind: "n8n-nodes-base.respondToWebhook",
        phrases: "respond reply answer return response caller back",
        build: |_| {
            step(
                "n8n-nodes-base.respondToWebhook",
                1.1,
                "Respond to Webhook",
                json!({ "respondWith": "firstIncomingItem", "options": {} }),
            )
        },
    },
    StepKind {
        kind: "n8n-nodes-base.httpRequest",
        phrases: "fetch get download call request http api url endpoint load retrieve pull data from rest post to api upload",
        build: |c| {
            let url = params::url(c).unwrap_or_else(|| "https://api.example.com/data".into());
            let lower = c.to_lowercase();
            let method = if [
                "post to",
                "send to",
                "submit",
                "upload",
                "create a record",
                "push to",
            ]
            .iter()
            .any(|w| lower.contains(w))
            {
                "POST"
            } else {
                "GET"
            };
            let mut p = json!({ "method": method, "url": url, "options": {} });
            if method == "POST" {
                p["sendBody"] = json!(true);
                p["specifyBody"] = json!("json");
                p["jsonBody"] = json!("={{ JSON.stringify($json) }}");
            }
            step("n8n-nodes-base.httpRequest", 4.2, "HTTP Request", p)
        },
    },
    StepKind {
        kind: "n8n-nodes-base.if",
        phrases: "if whether when condition check greater less than over above below equals otherwise else in case",
        build: |c| step("n8n-nodes-base.if", 2.0, "If", conditions(c)),
    },
    StepKind {
        kind: "n8n-nodes-base.filter",
        phrases: "filter only keep where drop remove items that discard exclude matching",
        build: |c| step("n8n-nodes-base.filter", 2.0, "Filter", conditions(c)),
    },
    StepKind {
        kind: "n8n-nodes-base.switch",
        phrases: "route switch depending on branch by type category per status different paths",
        build: |c| {
            let field = params::field(c).unwrap_or_else(|| "type".into());
            step(
                "n8n-nodes-base.switch",
                3.2,
                "Switch",
                json!({
                    "mode": "expression", "numberOutputs": 2,
                    "output": format!("={{{{ $json.{field} === undefined ? 1 : 0 }}}}"),
                }),
            )
        },
    },
    StepKind {
        kind: "n8n-nodes-base.wait",
        phrases: "wait pause delay sleep hold for minutes hours later",
        build: |c| {
            let amount = params::number(c).unwrap_or(5);
            let lower = c.to_lowercase();
            let unit = ["second", "hour", "day"]
                .into_iter()
                .find(|u| lower.contains(u))
                .map(|u| format!("{u}s"))
                .unwrap_or_else(|| "minutes".into());
            step(
                "n8n-nodes-base.wait",
                1.1,
                "Wait",
                json!({ "resume": "timeInterval", "amount": amount, "unit": unit }),
            )
        },
    },
    StepKind {
        kind: "n8n-nodes-base.sort",
        phrases: "sort order by ascending descending newest oldest rank",
        build: |c| {
            let field = params::field(c).unwrap_or_else(|| "date".into());
            let lower = c.to_lowercase();
            let order = if ["desc", "newest", "largest", "highest", "latest"]
                .iter()
                .any(|w| lower.contains(w))
            {
                "descending"
            } else {
                "ascending"
            };
            step(
                "n8n-nodes-base.sort",
                1.0,
                "Sort",
                json!({ "sortFieldsUi": { "sortField": [{ "fieldName": field, "order": order }] }, "options": {} }),
            )
        },
    },
    StepKind {
        kind: "n8n-nodes-base.limit",
        phrases: "limit first top at most only the first keep n items maximum",
        build: |c| {
            step(
                "n8n-nodes-base.limit",
                1.0,
                "Limit",
                json!({ "maxItems": params::number(c).unwrap_or(10) }),
            )
        },
    },
    StepKind {
        kind: "n8n-nodes-base.removeDuplicates",
        phrases: "duplicates dedupe deduplicate unique distinct remove repeated",
        build: |_| {
            step(
                "n8n-nodes-base.removeDuplicates",
                2.0,
                "Remove Duplicates",
                json!({ "compare": "allFields", "options": {} }),
            )
        },
    },
    StepKind {
        kind: "n8n-nodes-base.summarize",
        phrases: "sum total count average calculate summarize group by per statistics tally",
        build: |c| {
            let lower = c.to_lowercase();
            let aggregation = if lower.contains("average") || lower.contains("mean") {
                "average"
            } else if lower.contains("count") {
                "count"
            } else {
                "sum"
            };
            let field = params::field(c).unwrap_or_else(|| "amount".into());
            step(
                "n8n-nodes-base.summarize",
                1.1,
                "Summarize",
                json!({ "fieldsToSummarize": { "values": [{ "aggregation": aggregation, "field": field }] }, "options": {} }),
            )
        },
    },
    StepKind {
        kind: "n8n-nodes-base.aggregate",
        phrases: "aggregate combine all items into one single item list collect together bundle",
        build: |_| {
            step(
                "n8n-nodes-base.aggregate",
                1.0,
                "Aggregate",
                json!({ "aggregate": "aggregateAllItemData", "options": {} }),
            )
        },
    },
    StepKind {
        kind: "n8n-nodes-base.splitOut",
        phrases: "split out separate items each element of the list array explode one item per",
        build: |c| {
            step(
                "n8n-nodes-base.splitOut",
                1.0,
                "Split Out",
                json!({ "fieldToSplitOut": params::field(c).unwrap_or_else(|| "items".into()), "options": {} }),
            )
        },
    },
    StepKind {
        kind: "n8n-nodes-base.splitInBatches",
        phrases: "batches batch loop over chunks of at a time",
        build: |c| {
            step(
                "n8n-nodes-base.splitInBatches",
                3.0,
                "Loop Over Items",
                json!({ "batchSize": params::number(c).unwrap_or(10), "options": {} }),
            )
        },
    },
    StepKind {
        kind: "n8n-nodes-base.merge",
        phrases: "merge join combine both inputs two sources together",
        build: |_| {
            step(
                "n8n-nodes-base.merge",
                3.0,
                "Merge",
                json!({ "mode": "append" }),
            )
        },
    },
    StepKind {
        kind: "n8n-nodes-base.renameKeys",
        phrases: "rename field key column to",
        build: |c| {
            let words: Vec<&str> = c.split_whitespace().collect();
            let at = words.iter().position(|w| *w == "to");
            let (from, to) = match at {
                Some(i) if i > 0 && i + 1 < words.len() => (words[i - 1], words[i + 1]),
                _ => ("old_name", "new_name"),
            };
            step(
                "n8n-nodes-base.renameKeys",
                1.0,
                "Rename Keys",
                json!({ "keys": { "key": [{ "currentKey": from, "newKey": to.trim_end_matches(['.', ',']) }] }, "additionalOptions": {} }),
            )
        },
    },
    StepKind {
        kind: "n8n-nodes-base.set",
        phrases: "set add field assign value map transform format fields keep only fields edit prepare shape build object",
        build: |c| {
            let name = params::field(c).unwrap_or_else(|| "status".into());
            let value = params::quoted(c).unwrap_or_else(|| "processed".into());
            step(
                "n8n-nodes-base.set",
                3.4,
                "Edit Fields",
                json!({
                    "mode": "manual",
                    "assignments": { "assignments": [{ "id": uuid::Uuid::new_v4().to_string(), "name": name, "value": value, "type": "string" }] },
                    "includeOtherFields": true, "options": {},
                }),
            )
        },
    },
    StepKind {
        kind: "n8n-nodes-base.dateTime",
        phrases: "date time timestamp format the date timezone current date now add days",
        build: |c| {
            let lower = c.to_lowercase();
            let p = if lower.contains("current") || lower.contains("now") || lower.contains("today")
            {
                json!({ "operation": "getCurrentDate", "includeTime": true, "outputFieldName": "currentDate", "options": {} })
            } else {
                json!({ "operation": "formatDate", "date": "={{ $json.date }}", "format": "yyyy-MM-dd", "outputFieldName": "formattedDate", "options": {} })
            };
            step("n8n-nodes-base.dateTime", 2.0, "Date & Time", p)
        },
    },
    StepKind {
        kind: "n8n-nodes-base.crypto",
        phrases: "hash sha256 md5 sha1 hmac encrypt checksum digest sign",
        build: |c| {
            let lower = c.to_lowercase();
            let kind = if lower.contains("md5") {
                "MD5"
            } else if lower.contains("sha1") {
                "SHA1"
            } else {
                "SHA256"
            };
            step(
                "n8n-nodes-base.crypto",
                1.0,
                "Crypto",
                json!({ "action": "hash", "type": kind, "value": "={{ JSON.stringify($json) }}", "dataPropertyName": "hash" }),
            )
        },
    },
    StepKind {
        kind: "n8n-nodes-base.html",
        phrases: "html scrape extract from the page web page css selector parse html title",
        build: |_| {
            step(
                "n8n-nodes-base.html",
                1.2,
                "HTML",
                json!({ "operation": "extractHtmlContent", "dataPropertyName": "data",
            "extractionValues": { "values": [{ "key": "title", "cssSelector": "title" }] }, "options": {} }),
            )
        },
    },
    StepKind {
        kind: "n8n-nodes-base.markdown",
        phrases: "markdown md convert to html render",
        build: |c| {
            let mode = if c.to_lowercase().contains("to markdown") {
                "htmlToMarkdown"
            } else {
                "markdownToHtml"
            };
            let field = if mode == "htmlToMarkdown" {
                "html"
            } else {
                "markdown"
            };
            step(
                "n8n-nodes-base.markdown",
                1.0,
                "Markdown",
                json!({ "mode": mode, field: "={{ $json.text }}", "destinationKey": "converted", "options": {} }),
            )
        },
    },
    StepKind {
        kind: "n8n-nodes-base.xml",
        phrases: "xml convert parse xml feed rss soap",
        build: |_| {
            step(
                "n8n-nodes-base.xml",
                1.0,
                "XML",
                json!({ "mode": "xmlToJson", "dataPropertyName": "data", "options": {} }),
            )
        },
    },
    StepKind {
        kind: "n8n-nodes-base.executeWorkflow",
        phrases: "run another workflow sub-workflow subworkflow call workflow execute workflow start the workflow",
        build: |_| {
            step(
                "n8n-nodes-base.executeWorkflow",
                1.2,
                "Execute Workflow",
                json!({ "source": "database",
            "workflowId": { "__rl": true, "value": "", "mode": "list" }, "options": {} }),
            )
        },
    },
    StepKind {
        kind: "n8n-nodes-base.stopAndError",
        phrases: "stop with error fail the workflow throw raise abort",
        build: |c| {
            step(
                "n8n-nodes-base.stopAndError",
                1.0,
                "Stop and Error",
                json!({ "errorMessage": params::quoted(c).unwrap_or_else(|| "The workflow stopped on purpose".into()) }),
            )
        },
    },
    StepKind {
        kind: "n8n-nodes-base.code",
        phrases: "code javascript js script custom logic compute function program",
        build: |c| {
            let note = c.replace("*/", "* /");
            step(
                "n8n-nodes-base.code",
                2.0,
                "Code",
                json!({ "jsCode": format!("/* {note} */\nreturn $input.all();") }),
            )
        },
    },
    StepKind {
        kind: "n8n-nodes-base.noOp",
        phrases: "do nothing no operation ignore skip",
        build: |_| {
            step(
                "n8n-nodes-base.noOp",
                1.0,
                "No Operation, do nothing",
                json!({}),
            )
        },
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_step_kind_builds_its_own_type() {
        for spec in STEPS {
            assert_eq!((spec.build)("something").kind, spec.kind);
        }
    }
}
